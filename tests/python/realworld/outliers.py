"""Outlier detection in the style of PyOD's numba helpers: histogram-based scores (HBOS),
empirical CDFs (COPOD/ECOD), k-NN and LOF-style scores, the median absolute deviation, an
isolation-tree path length, and a z-score threshold with options chosen by string."""

import numpy as np

from ferrojit import njit, prange

from . import Case


@njit(cache=True)
def ecdf(X):
    n = X.shape[0]
    order = np.argsort(X, kind="mergesort")
    out = np.empty(n)
    sorted_x = X[order]
    for i in range(n):
        out[i] = np.searchsorted(sorted_x, X[i], side="right") / n
    return out


@njit(cache=True)
def copod_scores(X):
    n, d = X.shape
    left = np.empty((n, d))
    right = np.empty((n, d))
    for j in range(d):
        left[:, j] = -np.log(ecdf(X[:, j]))
        right[:, j] = -np.log(ecdf(-X[:, j]))
    return np.maximum(left.sum(axis=1), right.sum(axis=1))


@njit
def _calculate_outlier_scores(X_train, X_test, k, bins):
    n_test, d = X_test.shape
    scores = np.zeros(n_test)
    for j in range(d):
        hist, edges = np.histogram(X_train[:, j], bins=bins)
        hist = hist.astype(np.float64) + 1e-12
        hist = hist / np.max(hist)
        idx = np.digitize(X_test[:, j], edges, right=False) - 1
        for i in range(n_test):
            b = min(max(idx[i], 0), bins - 1)
            scores[i] += -np.log(hist[b])
    return scores


@njit
def hbos(X, n_bins=10):
    return _calculate_outlier_scores(X, X, 0, n_bins)


@njit(parallel=True)
def knn_scores(X, k, method="largest"):
    n = X.shape[0]
    out = np.empty(n)
    for i in prange(n):
        d = np.empty(n)
        for j in range(n):
            d[j] = np.sqrt(np.sum((X[i] - X[j]) ** 2))
        d = np.sort(d)[1:k + 1]
        if method == "largest":
            out[i] = d[-1]
        elif method == "mean":
            out[i] = d.mean()
        else:
            out[i] = np.median(d)
    return out


@njit
def lof_scores(X, k=3):
    n = X.shape[0]
    dist = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            dist[i, j] = np.linalg.norm(X[i] - X[j])
    neighbors = np.empty((n, k), dtype=np.int64)
    k_dist = np.empty(n)
    for i in range(n):
        order = np.argsort(dist[i])
        neighbors[i] = order[1:k + 1]
        k_dist[i] = dist[i, order[k]]
    lrd = np.empty(n)
    for i in range(n):
        reach = 0.0
        for j in neighbors[i]:
            reach += max(k_dist[j], dist[i, j])
        lrd[i] = k / reach
    scores = np.empty(n)
    for i in range(n):
        scores[i] = np.mean(lrd[neighbors[i]]) / lrd[i]
    return scores


@njit
def mad_scores(x, threshold=3.5):
    median = np.median(x)
    diff = np.abs(x - median)
    mad = np.median(diff)
    modified_z = 0.6745 * diff / mad
    return modified_z, modified_z > threshold


@njit
def zscore_outliers(X, threshold=3.0, ddof=0):
    mu = np.empty(X.shape[1])
    sd = np.empty(X.shape[1])
    for j in range(X.shape[1]):
        mu[j] = np.mean(X[:, j])
        sd[j] = np.std(X[:, j]) * np.sqrt(X.shape[0] / (X.shape[0] - ddof))
    z = (X - mu) / sd
    flagged = []
    for i in range(X.shape[0]):
        if np.any(np.abs(z[i]) > threshold):
            flagged.append(i)
    return flagged


@njit
def average_path_length(n_samples):
    if n_samples <= 1:
        return 0.0
    if n_samples == 2:
        return 1.0
    return 2.0 * (np.log(n_samples - 1.0) + np.euler_gamma) - 2.0 * (n_samples - 1.0) / n_samples


@njit
def isolation_path_length(x, X, seed, max_depth=8):
    np.random.seed(seed)
    idx = np.arange(X.shape[0])
    depth = 0
    while depth < max_depth and idx.shape[0] > 1:
        feature = np.random.randint(0, X.shape[1])
        col = X[idx, feature]
        lo = col.min()
        hi = col.max()
        if lo == hi:
            break
        split = np.random.uniform(lo, hi)
        if x[feature] < split:
            idx = idx[col < split]
        else:
            idx = idx[col >= split]
        depth += 1
    return depth + average_path_length(idx.shape[0])


@njit
def contamination_threshold(scores, contamination=0.1):
    return np.percentile(scores, 100 * (1 - contamination))


@njit
def mahalanobis(X):
    mu = np.empty(X.shape[1])
    for j in range(X.shape[1]):
        mu[j] = X[:, j].mean()
    cov = np.cov(X.T)
    inv = np.linalg.inv(cov)
    out = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        d = X[i] - mu
        out[i] = np.sqrt(d @ inv @ d)
    return out


_rng = np.random.default_rng(14)
X = _rng.standard_normal((24, 3))
X[3] = [6.0, -5.0, 4.0]
x1 = _rng.standard_normal(40)
x1[7] = 9.0

CASES = [
    Case(ecdf, x1),
    Case(copod_scores, X, rtol=1e-12),
    Case(hbos, X, rtol=1e-12),
    Case(hbos, X, kwargs={"n_bins": 5}, rtol=1e-12, label="bins"),
    Case(knn_scores, X, 3, rtol=1e-12),
    Case(knn_scores, X, 4, "median", rtol=1e-12, label="median"),
    Case(lof_scores, X, rtol=1e-12),
    Case(mad_scores, x1, rtol=1e-12),
    Case(zscore_outliers, X, kwargs={"threshold": 2.5, "ddof": 1}),
    Case(average_path_length, 37),
    Case(isolation_path_length, X[3], X, 5),
    Case(contamination_threshold, x1),
    Case(mahalanobis, X, rtol=1e-9),
]
