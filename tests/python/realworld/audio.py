"""Audio analysis in the style of librosa's numba helpers: zero crossings, pre-emphasis,
framing, autocorrelation, peak picking with `wait`, onset strength, Viterbi decoding in log
space, a stencil-like local maximum, mu-law companding and a pitch estimate."""

import numpy as np

import ferrojit as numba
from ferrojit import njit, guvectorize, stencil, vectorize

from . import Case


@numba.jit(nopython=True, cache=True)
def zero_crossings(y, threshold=1e-10, zero_pos=True):
    n = y.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    prev = y[0]
    if abs(prev) <= threshold:
        prev = 0.0
    for i in range(1, n):
        cur = y[i]
        if abs(cur) <= threshold:
            cur = 0.0
        if zero_pos:
            out[i] = np.signbit(cur) != np.signbit(prev)
        else:
            out[i] = np.sign(cur) != np.sign(prev)
        prev = cur
    return out


@numba.njit(cache=True)
def preemphasis(y, coef=0.97, zi=None):
    out = np.empty_like(y)
    if zi is None:
        zi = 2 * y[0] - y[1]
    out[0] = y[0] - coef * zi
    for i in range(1, y.shape[0]):
        out[i] = y[i] - coef * y[i - 1]
    return out, y[-1]


@numba.njit(cache=True)
def frame(x, frame_length, hop_length):
    n_frames = 1 + (x.shape[0] - frame_length) // hop_length
    out = np.empty((frame_length, n_frames), dtype=x.dtype)
    for t in range(n_frames):
        start = t * hop_length
        out[:, t] = x[start:start + frame_length]
    return out


@numba.njit
def autocorrelate(y, max_size):
    n = y.shape[0]
    max_size = min(max_size, n)
    out = np.zeros(max_size)
    for lag in range(max_size):
        acc = 0.0
        for i in range(n - lag):
            acc += y[i] * y[i + lag]
        out[lag] = acc
    return out


@numba.jit(nopython=True, cache=True)
def __peak_pick(x, pre_max, post_max, pre_avg, post_avg, delta, wait):
    peaks = np.zeros_like(x, dtype=np.bool_)
    n = 0
    while n < x.shape[0]:
        maxn = np.max(x[max(0, n - pre_max):min(n + post_max, x.shape[0])])
        peaks[n] = x[n] == maxn
        if not peaks[n]:
            n += 1
            continue
        avgn = np.mean(x[max(0, n - pre_avg):min(n + post_avg, x.shape[0])])
        peaks[n] &= x[n] >= avgn + delta
        if not peaks[n]:
            n += 1
            continue
        n += wait + 1
    return peaks


@numba.njit
def peak_pick(x, *, pre_max=3, post_max=3, pre_avg=3, post_avg=5, delta=0.1, wait=2):
    return np.flatnonzero(__peak_pick(x, pre_max, post_max, pre_avg, post_avg, delta, wait))


@numba.njit
def onset_strength(S, lag=1):
    n_bins, n_frames = S.shape
    env = np.zeros(n_frames)
    for t in range(lag, n_frames):
        total = 0.0
        for f in range(n_bins):
            d = S[f, t] - S[f, t - lag]
            if d > 0:
                total += d
        env[t] = total / n_bins
    return env


@numba.jit(nopython=True, cache=True)
def _viterbi(log_prob, log_trans, log_p_init):
    n_steps, n_states = log_prob.shape
    state = np.zeros(n_steps, dtype=np.uint16)
    value = np.zeros((n_steps, n_states), dtype=np.float64)
    ptr = np.zeros((n_steps, n_states), dtype=np.uint16)

    value[0] = log_prob[0] + log_p_init
    for t in range(1, n_steps):
        trans_out = value[t - 1] + log_trans.T
        for j in range(n_states):
            ptr[t, j] = np.argmax(trans_out[j])
            value[t, j] = log_prob[t, j] + trans_out[j, ptr[t, j]]

    state[-1] = np.argmax(value[-1])
    for t in range(n_steps - 2, -1, -1):
        state[t] = ptr[t + 1, state[t + 1]]
    logp = value[-1:, state[-1]]
    return state, logp


@stencil
def _local_max_kernel(a):
    return (a[0] > a[-1]) and (a[0] >= a[1])


@numba.njit
def localmax(x):
    return _local_max_kernel(x)


@vectorize(["float64(float64, float64)"], cache=True)
def mu_compress_scalar(x, mu):
    return np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)


@numba.njit
def mu_expand(y, mu=255.0, quantize=True):
    if quantize:
        y = y * 2.0 / (mu + 1)
    return np.sign(y) / mu * ((1 + mu) ** np.abs(y) - 1)


@guvectorize(["void(float64[:], float64[:])"], "(n)->()", nopython=True, cache=True)
def rms_gu(frame_, out):
    acc = 0.0
    for i in range(frame_.shape[0]):
        acc += frame_[i] * frame_[i]
    out[0] = np.sqrt(acc / frame_.shape[0])


@numba.njit
def estimate_pitch(y, sr, fmin=50.0, fmax=500.0):
    ac = autocorrelate(y - y.mean(), y.shape[0])
    lo = int(sr / fmax)
    hi = min(int(sr / fmin), ac.shape[0] - 1)
    best = lo + np.argmax(ac[lo:hi])
    return sr / best


@numba.njit
def hz_to_mel(frequencies, htk=False):
    if htk:
        return 2595.0 * np.log10(1.0 + frequencies / 700.0)
    f_min = 0.0
    f_sp = 200.0 / 3
    mels = (frequencies - f_min) / f_sp
    min_log_hz = 1000.0
    min_log_mel = (min_log_hz - f_min) / f_sp
    logstep = np.log(6.4) / 27.0
    for i in range(frequencies.shape[0]):
        if frequencies[i] >= min_log_hz:
            mels[i] = min_log_mel + np.log(frequencies[i] / min_log_hz) / logstep
    return mels


@numba.njit
def pad_center(data, size):
    n = data.shape[0]
    lpad = (size - n) // 2
    out = np.zeros(size, dtype=data.dtype)
    out[lpad:lpad + n] = data
    return out


_rng = np.random.default_rng(12)
SR = 8000
_t = np.arange(400) / SR
Y = np.sin(2 * np.pi * 220 * _t) + 0.1 * _rng.standard_normal(400)
ENV = np.abs(_rng.standard_normal(60))
SPEC = np.abs(_rng.standard_normal((6, 12)))
_lp = np.log(_rng.dirichlet(np.ones(3), size=10))
_lt = np.log(np.array([[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.1, 0.3, 0.6]]))

CASES = [
    Case(zero_crossings, Y[:50]),
    Case(zero_crossings, Y[:50], kwargs={"zero_pos": False}, label="sign"),
    Case(preemphasis, Y[:30], rtol=1e-12),
    Case(preemphasis, Y[:30], 0.5, 0.0, label="zi"),
    Case(frame, Y[:40], 8, 4),
    Case(autocorrelate, Y[:64], 20),
    Case(peak_pick, ENV),
    Case(peak_pick, ENV, kwargs={"wait": 0, "delta": 0.0}, label="kw"),
    Case(onset_strength, SPEC),
    Case(_viterbi, _lp, _lt, np.log(np.ones(3) / 3)),
    Case(localmax, ENV),
    Case(mu_compress_scalar, Y[:20], 255.0, rtol=1e-12),
    Case(mu_expand, np.linspace(-1, 1, 11), rtol=1e-12),
    Case(rms_gu, Y[:40].reshape(5, 8), rtol=1e-12),
    Case(estimate_pitch, Y, SR),
    Case(hz_to_mel, np.array([100.0, 440.0, 1000.0, 4000.0]), rtol=1e-12),
    Case(hz_to_mel, np.array([100.0, 440.0]), True, rtol=1e-12, label="htk"),
    Case(pad_center, np.arange(5), 9),
]
