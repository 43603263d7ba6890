"""Dataframe window kernels in the style of pandas' numba engine: rolling sums / means /
variances over precomputed `start`/`end` bounds with NaN handling and `min_periods`, an
exponentially weighted mean, group-by reductions over sorted labels, `apply` callbacks given
as jitted functions, and forward fill."""

import numpy as np

import ferrojit as numba
from ferrojit import njit

from . import Case


@numba.jit(nopython=True, nogil=True, parallel=False)
def calculate_variable_window_bounds(num_values, window_size, min_periods, center, closed):
    start = np.empty(num_values, dtype=np.int64)
    end = np.empty(num_values, dtype=np.int64)
    offset = (window_size - 1) // 2 if center else 0
    for i in range(num_values):
        end[i] = min(i + 1 + offset, num_values)
        start[i] = max(end[i] - window_size, 0)
        if closed == "left" or closed == "neither":
            end[i] -= 1
    return start, end


@numba.jit(nopython=True, nogil=True, parallel=False)
def add_sum(val, nobs, sum_x, compensation):
    if not np.isnan(val):
        nobs += 1
        y = val - compensation
        t = sum_x + y
        compensation = t - sum_x - y
        sum_x = t
    return nobs, sum_x, compensation


@numba.jit(nopython=True, nogil=True, parallel=False)
def remove_sum(val, nobs, sum_x, compensation):
    if not np.isnan(val):
        nobs -= 1
        y = -val - compensation
        t = sum_x + y
        compensation = t - sum_x - y
        sum_x = t
    return nobs, sum_x, compensation


@numba.jit(nopython=True, nogil=True, parallel=False)
def sliding_mean(values, start, end, min_periods):
    N = len(start)
    nobs = 0
    sum_x = 0.0
    compensation_add = 0.0
    compensation_remove = 0.0
    output = np.empty(N, dtype=np.float64)
    is_monotonic_increasing_bounds = True
    for i in range(1, N):
        if start[i] < start[i - 1] or end[i] < end[i - 1]:
            is_monotonic_increasing_bounds = False
            break
    for i in range(N):
        s = start[i]
        e = end[i]
        if i == 0 or not is_monotonic_increasing_bounds:
            for j in range(s, e):
                val = values[j]
                nobs, sum_x, compensation_add = add_sum(val, nobs, sum_x, compensation_add)
        else:
            for j in range(start[i - 1], s):
                val = values[j]
                nobs, sum_x, compensation_remove = remove_sum(val, nobs, sum_x, compensation_remove)
            for j in range(end[i - 1], e):
                val = values[j]
                nobs, sum_x, compensation_add = add_sum(val, nobs, sum_x, compensation_add)
        if nobs >= min_periods and nobs > 0:
            result = sum_x / nobs
        else:
            result = np.nan
        output[i] = result
        if not is_monotonic_increasing_bounds:
            nobs = 0
            sum_x = 0.0
            compensation_remove = 0.0
    return output


@numba.njit
def sliding_var(values, start, end, min_periods, ddof=1):
    N = len(start)
    output = np.empty(N)
    for i in range(N):
        window = values[start[i]:end[i]]
        window = window[~np.isnan(window)]
        nobs = window.shape[0]
        if nobs >= min_periods and nobs > ddof:
            output[i] = np.var(window) * nobs / (nobs - ddof)
        else:
            output[i] = np.nan
    return output


@numba.njit
def sliding_min_max(values, start, end, min_periods, is_max):
    N = len(start)
    output = np.empty(N)
    for i in range(N):
        best = np.nan
        nobs = 0
        for j in range(start[i], end[i]):
            v = values[j]
            if np.isnan(v):
                continue
            nobs += 1
            if np.isnan(best) or (v > best if is_max else v < best):
                best = v
        output[i] = best if nobs >= min_periods else np.nan
    return output


@numba.njit
def ewm_mean(values, com, adjust=True, ignore_na=False):
    alpha = 1.0 / (1.0 + com)
    old_wt_factor = 1.0 - alpha
    new_wt = 1.0 if adjust else alpha
    out = np.empty(values.shape[0])
    weighted = values[0]
    old_wt = 1.0
    is_observation = not np.isnan(weighted)
    out[0] = weighted if is_observation else np.nan
    for i in range(1, values.shape[0]):
        cur = values[i]
        is_observation = not np.isnan(cur)
        if not np.isnan(weighted):
            if is_observation or not ignore_na:
                old_wt *= old_wt_factor
                if is_observation:
                    if weighted != cur:
                        weighted = ((old_wt * weighted) + (new_wt * cur)) / (old_wt + new_wt)
                    if adjust:
                        old_wt += new_wt
                    else:
                        old_wt = 1.0
        elif is_observation:
            weighted = cur
        out[i] = weighted
    return out


@numba.njit
def group_sum(values, labels, ngroups):
    out = np.zeros(ngroups)
    counts = np.zeros(ngroups, dtype=np.int64)
    for i in range(values.shape[0]):
        lab = labels[i]
        if lab < 0 or np.isnan(values[i]):
            continue
        out[lab] += values[i]
        counts[lab] += 1
    return out, counts


@numba.njit
def group_first_last(values, labels, ngroups):
    first = np.full(ngroups, np.nan)
    last = np.full(ngroups, np.nan)
    for i in range(values.shape[0]):
        lab = labels[i]
        if np.isnan(first[lab]):
            first[lab] = values[i]
        last[lab] = values[i]
    return first, last


@numba.njit
def rolling_apply(values, window, func, min_periods=1):
    n = values.shape[0]
    out = np.full(n, np.nan)
    for i in range(n):
        lo = max(0, i - window + 1)
        w = values[lo:i + 1]
        if w.shape[0] >= min_periods:
            out[i] = func(w)
    return out


@numba.njit
def window_range(w):
    return np.max(w) - np.min(w)


@numba.njit
def apply_range(values, window):
    return rolling_apply(values, window, window_range, min_periods=2)


@numba.njit
def ffill(values, limit=-1):
    out = values.copy()
    last = np.nan
    run = 0
    for i in range(out.shape[0]):
        if np.isnan(out[i]):
            run += 1
            if limit < 0 or run <= limit:
                out[i] = last
        else:
            last = out[i]
            run = 0
    return out


@numba.njit
def factorize(values):
    uniques = {}
    codes = np.empty(values.shape[0], dtype=np.int64)
    for i in range(values.shape[0]):
        v = values[i]
        if v not in uniques:
            uniques[v] = len(uniques)
        codes[i] = uniques[v]
    keys = np.empty(len(uniques), dtype=values.dtype)
    for k, c in uniques.items():
        keys[c] = k
    return codes, keys


_rng = np.random.default_rng(15)
V = _rng.standard_normal(30)
V[[4, 11, 12]] = np.nan
LABELS = _rng.integers(0, 4, 30)
END = np.arange(1, 31)
START = np.maximum(END - 5, 0)

CASES = [
    Case(calculate_variable_window_bounds, 30, 5, 1, True, "both"),
    Case(calculate_variable_window_bounds, 30, 4, 1, False, "left", label="left"),
    Case(add_sum, 1.5, 2, 3.0, 0.0),
    Case(sliding_mean, V, START, END, 2, rtol=1e-12),
    Case(sliding_var, V, START, END, 2, rtol=1e-12),
    Case(sliding_min_max, V, START, END, 1, True),
    Case(sliding_min_max, V, START, END, 3, False, label="min"),
    Case(ewm_mean, V, 2.0, rtol=1e-12),
    Case(ewm_mean, V, 1.0, kwargs={"adjust": False, "ignore_na": True}, rtol=1e-12, label="kw"),
    Case(group_sum, V, LABELS, 4, rtol=1e-12),
    Case(group_first_last, V, LABELS, 4),
    Case(apply_range, V, 4),
    Case(ffill, V),
    Case(ffill, V, kwargs={"limit": 1}, label="limit"),
    Case(factorize, LABELS * 1.5),
]
