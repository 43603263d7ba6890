"""Dimensionality reduction in the style of UMAP: the smooth k-NN distance calibration by
binary search, fuzzy simplicial set weights, a Tausworthe random generator in int64 state
arrays, the layout optimisation epoch with `rdist` and `clip`, spectral-style power iteration
with np.linalg, and PCA by SVD / eigh."""

import numpy as np

import ferrojit as numba
from ferrojit import njit, prange

from . import Case

SMOOTH_K_TOLERANCE = 1e-5
MIN_K_DIST_SCALE = 1e-3


@numba.njit(fastmath=True)
def smooth_knn_dist(distances, k, n_iter=64, local_connectivity=1.0, bandwidth=1.0):
    target = np.log2(k) * bandwidth
    rho = np.zeros(distances.shape[0], dtype=np.float32)
    result = np.zeros(distances.shape[0], dtype=np.float32)
    mean_distances = np.mean(distances)

    for i in range(distances.shape[0]):
        lo = 0.0
        hi = np.inf
        mid = 1.0

        ith_distances = distances[i]
        non_zero_dists = ith_distances[ith_distances > 0.0]
        if non_zero_dists.shape[0] >= local_connectivity:
            index = int(np.floor(local_connectivity))
            interpolation = local_connectivity - index
            if index > 0:
                rho[i] = non_zero_dists[index - 1]
                if interpolation > SMOOTH_K_TOLERANCE:
                    rho[i] += interpolation * (non_zero_dists[index] - non_zero_dists[index - 1])
            else:
                rho[i] = interpolation * non_zero_dists[0]
        elif non_zero_dists.shape[0] > 0:
            rho[i] = np.max(non_zero_dists)

        for n in range(n_iter):
            psum = 0.0
            for j in range(1, distances.shape[1]):
                d = distances[i, j] - rho[i]
                if d > 0:
                    psum += np.exp(-(d / mid))
                else:
                    psum += 1.0

            if np.fabs(psum - target) < SMOOTH_K_TOLERANCE:
                break

            if psum > target:
                hi = mid
                mid = (lo + hi) / 2.0
            else:
                lo = mid
                if hi == np.inf:
                    mid *= 2
                else:
                    mid = (lo + hi) / 2.0

        result[i] = mid
        if rho[i] > 0.0:
            mean_ith_distances = np.mean(ith_distances)
            if result[i] < MIN_K_DIST_SCALE * mean_ith_distances:
                result[i] = MIN_K_DIST_SCALE * mean_ith_distances
        else:
            if result[i] < MIN_K_DIST_SCALE * mean_distances:
                result[i] = MIN_K_DIST_SCALE * mean_distances

    return result, rho


@numba.njit(parallel=True, fastmath=True)
def compute_membership_strengths(knn_indices, knn_dists, sigmas, rhos):
    n_samples = knn_indices.shape[0]
    n_neighbors = knn_indices.shape[1]
    rows = np.zeros(knn_indices.size, dtype=np.int32)
    cols = np.zeros(knn_indices.size, dtype=np.int32)
    vals = np.zeros(knn_indices.size, dtype=np.float32)
    for i in prange(n_samples):
        for j in range(n_neighbors):
            if knn_indices[i, j] == -1:
                continue
            if knn_indices[i, j] == i:
                val = 0.0
            elif knn_dists[i, j] - rhos[i] <= 0.0 or sigmas[i] == 0.0:
                val = 1.0
            else:
                val = np.exp(-((knn_dists[i, j] - rhos[i]) / (sigmas[i])))
            rows[i * n_neighbors + j] = i
            cols[i * n_neighbors + j] = knn_indices[i, j]
            vals[i * n_neighbors + j] = val
    return rows, cols, vals


@numba.njit("i4(i8[:])")
def tau_rand_int(state):
    state[0] = (((state[0] & 4294967294) << 12) & 0xFFFFFFFF) ^ (
        (((state[0] << 13) & 0xFFFFFFFF) ^ state[0]) >> 19
    )
    state[1] = (((state[1] & 4294967288) << 4) & 0xFFFFFFFF) ^ (
        (((state[1] << 2) & 0xFFFFFFFF) ^ state[1]) >> 25
    )
    state[2] = (((state[2] & 4294967280) << 17) & 0xFFFFFFFF) ^ (
        (((state[2] << 3) & 0xFFFFFFFF) ^ state[2]) >> 11
    )
    return state[0] ^ state[1] ^ state[2]


@numba.njit("f4(i8[:])")
def tau_rand(state):
    integer = tau_rand_int(state)
    return abs(float(integer) / 0x7FFFFFFF)


@numba.njit
def tau_draws(state, n):
    out = np.empty(n, dtype=np.float32)
    for i in range(n):
        out[i] = tau_rand(state)
    return out


@numba.njit()
def clip(val):
    if val > 4.0:
        return 4.0
    elif val < -4.0:
        return -4.0
    else:
        return val


@numba.njit("f4(f4[::1],f4[::1])", fastmath=True, cache=True)
def rdist(x, y):
    result = 0.0
    dim = x.shape[0]
    for i in range(dim):
        diff = x[i] - y[i]
        result += diff * diff
    return result


@numba.njit(fastmath=True)
def optimize_layout_epoch(head_embedding, head, tail, a, b, rng_state, gamma=1.0,
                          learning_rate=1.0, negative_sample_rate=2):
    n_vertices = head_embedding.shape[0]
    dim = head_embedding.shape[1]
    for i in range(head.shape[0]):
        j = head[i]
        k = tail[i]
        current = head_embedding[j]
        other = head_embedding[k]
        dist_squared = rdist(current, other)
        if dist_squared > 0.0:
            grad_coeff = -2.0 * a * b * pow(dist_squared, b - 1.0)
            grad_coeff /= a * pow(dist_squared, b) + 1.0
        else:
            grad_coeff = 0.0
        for d in range(dim):
            grad_d = clip(grad_coeff * (current[d] - other[d]))
            current[d] += grad_d * learning_rate
            other[d] += -grad_d * learning_rate
        for p in range(negative_sample_rate):
            k = tau_rand_int(rng_state) % n_vertices
            other = head_embedding[k]
            dist_squared = rdist(current, other)
            if dist_squared > 0.0:
                grad_coeff = 2.0 * gamma * b
                grad_coeff /= (0.001 + dist_squared) * (a * pow(dist_squared, b) + 1)
            elif j == k:
                continue
            else:
                grad_coeff = 0.0
            for d in range(dim):
                if grad_coeff > 0.0:
                    grad_d = clip(grad_coeff * (current[d] - other[d]))
                else:
                    grad_d = 0.0
                current[d] += grad_d * learning_rate
    return head_embedding


@numba.njit
def pca_svd(X, n_components=2):
    Xc = X - X.sum(axis=0) / X.shape[0]
    U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    return Xc @ Vt[:n_components].T, S[:n_components] ** 2 / (X.shape[0] - 1)


@numba.njit
def pca_eigh_variances(X):
    Xc = X - X.sum(axis=0) / X.shape[0]
    C = Xc.T @ Xc / (X.shape[0] - 1)
    w, v = np.linalg.eigh(C)
    return w[::-1]


@numba.njit
def power_iteration(A, n_iter=100, seed=0):
    np.random.seed(seed)
    v = np.random.rand(A.shape[0])
    v /= np.linalg.norm(v)
    lam = 0.0
    for _ in range(n_iter):
        w = A @ v
        lam = np.dot(v, w)
        v = w / np.linalg.norm(w)
    return lam, v


@numba.njit
def fuzzy_union(rows, cols, vals, n):
    graph = np.zeros((n, n), dtype=np.float32)
    for i in range(rows.shape[0]):
        graph[rows[i], cols[i]] = vals[i]
    transpose = graph.T
    prod = graph * transpose
    return graph + transpose - prod


def _tau_draws_numba(state, n):
    """What Numba returns: `tau_rand_int`'s signature wraps its result to int32 (the undecorated
    Python keeps the 64-bit value)."""
    out = np.empty(n, dtype=np.float32)
    for i in range(n):
        state[0] = (((state[0] & 4294967294) << 12) & 0xFFFFFFFF) ^ ((((state[0] << 13) & 0xFFFFFFFF) ^ state[0]) >> 19)
        state[1] = (((state[1] & 4294967288) << 4) & 0xFFFFFFFF) ^ ((((state[1] << 2) & 0xFFFFFFFF) ^ state[1]) >> 25)
        state[2] = (((state[2] & 4294967280) << 17) & 0xFFFFFFFF) ^ ((((state[2] << 3) & 0xFFFFFFFF) ^ state[2]) >> 11)
        integer = np.int64(state[0] ^ state[1] ^ state[2]).astype(np.int32)
        out[i] = abs(float(integer) / 0x7FFFFFFF)
    return out


_rng = np.random.default_rng(16)
_pts = _rng.standard_normal((12, 3))
_d = np.sqrt(((_pts[:, None, :] - _pts[None, :, :]) ** 2).sum(-1))
KNN_IDX = np.argsort(_d, axis=1)[:, :4]
KNN_D = np.take_along_axis(_d, KNN_IDX, axis=1)
EMB = _rng.standard_normal((10, 2)).astype(np.float32)
_sym = _rng.standard_normal((5, 5))
SYM = _sym @ _sym.T

CASES = [
    Case(smooth_knn_dist, KNN_D, 4.0, rtol=1e-5),
    Case(compute_membership_strengths, KNN_IDX, KNN_D, np.ones(12, np.float32),
         KNN_D[:, 1].astype(np.float32), rtol=1e-6),
    Case(tau_rand_int, np.array([12345, 67890, 13579])),
    Case(tau_draws, np.array([12345, 67890, 13579]), 8, reference=_tau_draws_numba),
    Case(clip, 7.5),
    Case(rdist, EMB[0], EMB[1], rtol=1e-6),
    Case(optimize_layout_epoch, EMB, np.array([0, 1, 2, 3]), np.array([4, 5, 6, 7]), 1.577, 0.895,
         np.array([1, 2, 3]), rtol=1e-4),
    Case(pca_svd, _pts, rtol=1e-9),
    Case(pca_eigh_variances, _pts, rtol=1e-9),
    Case(power_iteration, SYM, rtol=1e-9),
    Case(fuzzy_union, np.array([0, 1, 2]), np.array([1, 2, 0]), np.array([0.5, 1.0, 0.25], np.float32), 3),
]
