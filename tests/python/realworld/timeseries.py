"""Time-series distances and matrix profiles in the style of tslearn / stumpy: DTW with a
Sakoe-Chiba band, LB_Keogh envelopes, soft-DTW, sliding mean/std, z-normalised distance
profiles, a naive matrix profile in `prange`, and motif search returning tuples."""

import math

import numpy as np

from ferrojit import njit, prange
import ferrojit as numba

from . import Case


@njit(cache=True)
def _local_squared_dist(x, y):
    dist = 0.0
    for di in range(x.shape[0]):
        diff = x[di] - y[di]
        dist += diff * diff
    return dist


@njit(cache=True)
def sakoe_chiba_mask(sz1, sz2, radius=1):
    mask = np.full((sz1, sz2), np.inf)
    if sz1 > sz2:
        width = sz1 - sz2 + radius
        for i in range(sz2):
            lower = max(0, i - radius)
            upper = min(sz1, i + width) + 1
            mask[lower:upper, i] = 0.0
    else:
        width = sz2 - sz1 + radius
        for i in range(sz1):
            lower = max(0, i - radius)
            upper = min(sz2, i + width) + 1
            mask[i, lower:upper] = 0.0
    return mask


@njit(cache=True)
def accumulated_matrix(s1, s2, mask):
    l1 = s1.shape[0]
    l2 = s2.shape[0]
    cum_sum = np.full((l1 + 1, l2 + 1), np.inf)
    cum_sum[0, 0] = 0.0
    for i in range(l1):
        for j in range(l2):
            if np.isfinite(mask[i, j]):
                cum_sum[i + 1, j + 1] = _local_squared_dist(s1[i], s2[j])
                cum_sum[i + 1, j + 1] += min(cum_sum[i, j + 1], cum_sum[i + 1, j], cum_sum[i, j])
    return cum_sum[1:, 1:]


@njit(cache=True)
def dtw(s1, s2, radius=None):
    if radius is None:
        mask = np.zeros((s1.shape[0], s2.shape[0]))
    else:
        mask = sakoe_chiba_mask(s1.shape[0], s2.shape[0], radius)
    cum_sum = accumulated_matrix(s1, s2, mask)
    return np.sqrt(cum_sum[-1, -1])


@njit
def dtw_path(s1, s2):
    mask = np.zeros((s1.shape[0], s2.shape[0]))
    acc = accumulated_matrix(s1, s2, mask)
    path = [(s1.shape[0] - 1, s2.shape[0] - 1)]
    while path[-1] != (0, 0):
        i, j = path[-1]
        if i == 0:
            path.append((0, j - 1))
        elif j == 0:
            path.append((i - 1, 0))
        else:
            arr = np.array([acc[i - 1][j - 1], acc[i - 1][j], acc[i][j - 1]])
            argmin = np.argmin(arr)
            if argmin == 0:
                path.append((i - 1, j - 1))
            elif argmin == 1:
                path.append((i - 1, j))
            else:
                path.append((i, j - 1))
    return path[::-1], np.sqrt(acc[-1, -1])


@njit
def lb_envelope(ts, radius):
    sz = ts.shape[0]
    lower = np.empty(sz)
    upper = np.empty(sz)
    for i in range(sz):
        lo = max(0, i - radius)
        hi = min(sz, i + radius + 1)
        lower[i] = np.min(ts[lo:hi])
        upper[i] = np.max(ts[lo:hi])
    return lower, upper


@njit
def lb_keogh(query, candidate, radius=2):
    lower, upper = lb_envelope(candidate, radius)
    total = 0.0
    for i in range(query.shape[0]):
        if query[i] > upper[i]:
            total += (query[i] - upper[i]) ** 2
        elif query[i] < lower[i]:
            total += (query[i] - lower[i]) ** 2
    return math.sqrt(total)


@njit
def _softmin3(a, b, c, gamma):
    a /= -gamma
    b /= -gamma
    c /= -gamma
    max_val = max(max(a, b), c)
    tmp = 0.0
    tmp += np.exp(a - max_val)
    tmp += np.exp(b - max_val)
    tmp += np.exp(c - max_val)
    return -gamma * (np.log(tmp) + max_val)


@njit
def soft_dtw(D, gamma=1.0):
    m = D.shape[0]
    n = D.shape[1]
    R = np.zeros((m + 2, n + 2))
    R[:, 0] = np.inf
    R[0, :] = np.inf
    R[0, 0] = 0.0
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            R[i, j] = D[i - 1, j - 1] + _softmin3(R[i - 1, j], R[i - 1, j - 1], R[i, j - 1], gamma)
    return R[m, n]


@njit(fastmath=True)
def sliding_mean_std(T, m):
    n = T.shape[0] - m + 1
    mu = np.empty(n)
    sigma = np.empty(n)
    for i in range(n):
        window = T[i:i + m]
        mu[i] = np.mean(window)
        sigma[i] = np.std(window)
    return mu, sigma


@njit
def rolling_isfinite(T, m):
    n = T.shape[0] - m + 1
    out = np.ones(n, dtype=np.bool_)
    for i in range(n):
        for j in range(m):
            if not np.isfinite(T[i + j]):
                out[i] = False
                break
    return out


@njit(fastmath=True)
def sliding_dot_product(Q, T):
    m = Q.shape[0]
    k = T.shape[0] - m + 1
    out = np.empty(k)
    for i in range(k):
        out[i] = np.dot(Q, T[i:i + m])
    return out


@njit(fastmath=True)
def calculate_distance_profile(m, QT, μ_Q, σ_Q, M_T, Σ_T):
    denom = (σ_Q * Σ_T) * m
    denom[denom == 0] = 1e-12
    D_squared = np.abs(2 * m * (1.0 - (QT - m * μ_Q * M_T) / denom))
    if σ_Q < 1e-7:
        D_squared[Σ_T < 1e-7] = 0.0
    return np.sqrt(D_squared)


@njit
def distance_profile(Q, T):
    m = Q.shape[0]
    QT = sliding_dot_product(Q, T)
    M_T, Σ_T = sliding_mean_std(T, m)
    return calculate_distance_profile(m, QT, np.mean(Q), np.std(Q), M_T, Σ_T)


@njit(parallel=True, fastmath=True)
def naive_matrix_profile(T, m):
    n = T.shape[0] - m + 1
    excl = int(np.ceil(m / 4))
    P = np.full(n, np.inf)
    I = np.full(n, -1, np.int64)
    for i in prange(n):
        q = T[i:i + m]
        qm = q.mean()
        qs = q.std()
        for j in range(n):
            if abs(i - j) <= excl:
                continue
            w = T[j:j + m]
            d = 0.0
            wm = w.mean()
            ws = w.std()
            for k in range(m):
                z = (q[k] - qm) / qs - (w[k] - wm) / ws
                d += z * z
            d = math.sqrt(d)
            if d < P[i]:
                P[i] = d
                I[i] = j
    return P, I


@njit
def top_motif(P, I):
    idx = np.argmin(P)
    return idx, I[idx], P[idx]


@njit
def paa(ts, n_segments):
    sz = ts.shape[0]
    out = np.zeros(n_segments)
    seg = sz // n_segments
    for i in range(n_segments):
        start = i * seg
        end = start + seg
        out[i] = ts[start:end].mean()
    return out


@njit
def sax_symbols(ts, breakpoints):
    out = np.empty(ts.shape[0], dtype=np.int64)
    for i in range(ts.shape[0]):
        out[i] = np.searchsorted(breakpoints, ts[i])
    return out


@njit
def cid_distance(x, y):
    def complexity(s):
        return np.sqrt(np.sum(np.diff(s) ** 2))

    ce_x = complexity(x)
    ce_y = complexity(y)
    cf = max(ce_x, ce_y) / min(ce_x, ce_y)
    return np.sqrt(np.sum((x - y) ** 2)) * cf


@numba.njit("f8(f8[:], f8[:], f8)")
def lcss(s1, s2, eps):
    l1 = s1.shape[0]
    l2 = s2.shape[0]
    acc = np.zeros((l1 + 1, l2 + 1), dtype=np.int64)
    for i in range(1, l1 + 1):
        for j in range(1, l2 + 1):
            if abs(s1[i - 1] - s2[j - 1]) <= eps:
                acc[i, j] = acc[i - 1, j - 1] + 1
            else:
                acc[i, j] = max(acc[i, j - 1], acc[i - 1, j])
    return 1.0 - acc[l1, l2] / min(l1, l2)


_rng = np.random.default_rng(11)
S1 = np.cumsum(_rng.standard_normal((20, 2)), axis=0)
S2 = np.cumsum(_rng.standard_normal((16, 2)), axis=0)
T = np.cumsum(_rng.standard_normal(64))
T_NAN = T.copy()
T_NAN[10] = np.nan
D = np.abs(_rng.standard_normal((8, 9)))

CASES = [
    Case(sakoe_chiba_mask, 6, 4),
    Case(sakoe_chiba_mask, 4, 7, kwargs={"radius": 2}, label="radius"),
    Case(dtw, S1, S2),
    Case(dtw, S1, S2, 2, label="band"),
    Case(dtw_path, S1, S2),
    Case(lb_keogh, T[:20], T[5:25]),
    Case(soft_dtw, D, kwargs={"gamma": 0.5}, rtol=1e-12),
    Case(sliding_mean_std, T, 8, rtol=1e-9),
    Case(rolling_isfinite, T_NAN, 5),
    Case(sliding_dot_product, T[:8], T, rtol=1e-9),
    Case(distance_profile, T[3:11], T, rtol=1e-6),
    Case(naive_matrix_profile, T, 8, rtol=1e-9),
    Case(top_motif, np.array([3.0, 1.0, 2.0, 1.0]), np.array([2, 3, 0, 1])),
    Case(paa, T, 8, rtol=1e-12),
    Case(sax_symbols, T[:10] / 10, np.array([-0.67, 0.0, 0.67])),
    Case(cid_distance, T[:16], T[16:32], rtol=1e-12),
    Case(lcss, S1[:, 0], S2[:, 0], 0.5),
]
