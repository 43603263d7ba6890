/* ferrojit's run-time helpers in C, for ahead-of-time shared libraries and extensions.
 *
 * Compiled code calls the helpers of runtime/src/math.rs (and the parallel loop driver of
 * runtime/src/parallel.rs) by their `ferrojit_*` symbols. A library built by `ferrojit build`
 * runs without the Rust runtime, so this file defines each of them with the same semantics:
 * where Rust's standard library calls libm, so does this file; where it computes its own
 * result (asinh, acosh, atanh, powi), this file repeats its formula operation by operation, so
 * results are bit-identical to the JIT's (checked by tests/aot.rs over many inputs).
 *
 * Compiled with -std=c99, so the C compiler does not contract a*b+c into FMA either.
 * The parallel loop driver runs the whole range as one chunk (serially); see the report in
 * src/aot/mod.rs.
 */
#include <math.h>
#include <stdint.h>

#define FJ_RT __attribute__((visibility("hidden")))

FJ_RT double ferrojit_sin(double x) { return sin(x); }
FJ_RT double ferrojit_cos(double x) { return cos(x); }
FJ_RT double ferrojit_tan(double x) { return tan(x); }
FJ_RT double ferrojit_asin(double x) { return asin(x); }
FJ_RT double ferrojit_acos(double x) { return acos(x); }
FJ_RT double ferrojit_atan(double x) { return atan(x); }
FJ_RT double ferrojit_atan2(double y, double x) { return atan2(y, x); }
FJ_RT double ferrojit_sinh(double x) { return sinh(x); }
FJ_RT double ferrojit_cosh(double x) { return cosh(x); }
FJ_RT double ferrojit_tanh(double x) { return tanh(x); }

/* Rust's f64::asinh, acosh and atanh (library/std/src/num/f64.rs). */
FJ_RT double ferrojit_asinh(double x) {
    double ax = fabs(x);
    double ix = 1.0 / ax;
    return copysign(log1p(ax + (ax / (hypot(1.0, ix) + ix))), x);
}
FJ_RT double ferrojit_acosh(double x) {
    if (x < 1.0) {
        return NAN;
    }
    return log(x + (sqrt(x - 1.0) * sqrt(x + 1.0)));
}
FJ_RT double ferrojit_atanh(double x) { return 0.5 * log1p((2.0 * x) / (1.0 - x)); }

FJ_RT double ferrojit_exp(double x) { return exp(x); }
FJ_RT double ferrojit_expm1(double x) { return expm1(x); }
FJ_RT double ferrojit_log(double x) { return log(x); }
FJ_RT double ferrojit_log1p(double x) { return log1p(x); }
FJ_RT double ferrojit_log10(double x) { return log10(x); }
FJ_RT double ferrojit_log2(double x) { return log2(x); }
FJ_RT double ferrojit_pow(double x, double y) { return pow(x, y); }
FJ_RT double ferrojit_hypot(double x, double y) { return hypot(x, y); }
FJ_RT double ferrojit_fmod(double x, double y) { return fmod(x, y); }
FJ_RT double ferrojit_erf(double x) { return erf(x); }
FJ_RT double ferrojit_erfc(double x) { return erfc(x); }
FJ_RT double ferrojit_gamma(double x) { return tgamma(x); }
FJ_RT double ferrojit_lgamma(double x) { return lgamma(x); }
FJ_RT double ferrojit_cbrt(double x) { return cbrt(x); }

FJ_RT float ferrojit_sinf(float x) { return sinf(x); }
FJ_RT float ferrojit_cosf(float x) { return cosf(x); }
FJ_RT float ferrojit_tanf(float x) { return tanf(x); }
FJ_RT float ferrojit_expf(float x) { return expf(x); }
FJ_RT float ferrojit_logf(float x) { return logf(x); }
FJ_RT float ferrojit_powf(float x, float y) { return powf(x, y); }

/* `base ** exp` for exp >= 0, wrapping on overflow (unsigned arithmetic wraps in C). */
FJ_RT int64_t ferrojit_ipow(int64_t base, int64_t exp) {
    uint64_t result = 1, b = (uint64_t)base;
    int64_t e = exp;
    while (e > 0) {
        if (e & 1) {
            result *= b;
        }
        b *= b;
        e >>= 1;
    }
    return (int64_t)result;
}

/* `x ** n` by repeated squaring, as Rust's f64::powi (compiler-builtins' __powidf2). */
FJ_RT double ferrojit_powi(double x, int64_t n64) {
    int32_t n = n64 < INT32_MIN ? INT32_MIN : n64 > INT32_MAX ? INT32_MAX : (int32_t)n64;
    int recip = n < 0;
    uint32_t pow = n < 0 ? (uint32_t)0 - (uint32_t)n : (uint32_t)n;
    double mul = 1.0, a = x;
    for (;;) {
        if (pow & 1) {
            mul *= a;
        }
        pow >>= 1;
        if (pow == 0) {
            break;
        }
        a *= a;
    }
    return recip ? 1.0 / mul : mul;
}

/* The parallel loop driver, serially: one chunk covering the whole range. */
typedef void (*ferrojit_chunk_fn)(void *err, const void *env, int64_t lo, int64_t hi, void *out);
FJ_RT int64_t ferrojit_parallel_for(ferrojit_chunk_fn body, void *err, const void *env,
                                    int64_t count, void *out, int64_t out_stride) {
    (void)out_stride;
    if (count <= 0) {
        return 0;
    }
    body(err, env, 0, count, out);
    return 1;
}
