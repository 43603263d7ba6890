/* ferrojit's run-time helpers in C, for ahead-of-time shared libraries and extensions.
 *
 * Compiled code calls the helpers of runtime/src/math.rs (and the parallel loop driver of
 * runtime/src/parallel.rs) by their `ferrojit_*` symbols. A library built by `ferrojit build`
 * runs without the Rust runtime, so this file defines each of them with the same semantics:
 * where Rust's standard library calls libm, so does this file; where it computes its own
 * result (powi, gcd, cmath, print's formatting),
 * this file repeats its algorithm operation by operation, so results are bit-identical to the
 * JIT's (checked by tests/aot.rs over many inputs).
 *
 * Compiled with -std=c99 -ffp-contract=off, so the C compiler does not contract a*b+c into
 * FMA either. The parallel loop driver runs the whole range as one chunk, serially (see the
 * limits in src/aot/mod.rs); cached libraries (src/cache.rs) use the Rust runtime's instead.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* pthread_getattr_np */
#endif
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#if defined(__linux__)
#include <pthread.h>
#endif

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

/* The C library's, as CPython's math module (and the Rust runtime) call them. */
FJ_RT double ferrojit_asinh(double x) { return asinh(x); }
FJ_RT double ferrojit_acosh(double x) { return acosh(x); }
FJ_RT double ferrojit_atanh(double x) { return atanh(x); }

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
/* The C library's cube root, as the Rust runtime (and CPython's math.cbrt) call it. */
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

FJ_RT double ferrojit_exp2(double x) { return exp2(x); }
FJ_RT double ferrojit_nextafter(double x, double y) { return nextafter(x, y); }
FJ_RT double ferrojit_remainder(double x, double y) { return remainder(x, y); }
FJ_RT double ferrojit_ldexp(double x, int64_t e) {
    return ldexp(x, e < INT32_MIN ? INT32_MIN : e > INT32_MAX ? INT32_MAX : (int)e);
}
FJ_RT double ferrojit_frexp_mantissa(double x) {
    int e;
    return frexp(x, &e);
}
FJ_RT int64_t ferrojit_frexp_exponent(double x) {
    int e = 0;
    frexp(x, &e);
    return isfinite(x) ? e : 0;
}
FJ_RT int64_t ferrojit_gcd(int64_t a64, int64_t b64) {
    uint64_t a = a64 < 0 ? (uint64_t)0 - (uint64_t)a64 : (uint64_t)a64;
    uint64_t b = b64 < 0 ? (uint64_t)0 - (uint64_t)b64 : (uint64_t)b64;
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return (int64_t)a;
}

/* cmath with CPython's algorithms: runtime/src/cmath.rs, operation by operation. */
typedef struct {
    double re, im;
} fj_complex;
static fj_complex fj_c(double re, double im) {
    fj_complex z = {re, im};
    return z;
}
#define FJ_I INFINITY
#define FJ_N NAN
#define FJ_P 3.141592653589793
#define FJ_P2 1.5707963267948966
#define FJ_P4 0.7853981633974483
#define FJ_P34 2.356194490192345
#define FJ_U {NAN, NAN}
#define FJ_E 2.718281828459045
#define FJ_LN2 0.6931471805599453
#define FJ_LN10 2.302585092994046
#define FJ_LARGE (DBL_MAX / 4.0)
#define FJ_LOG_LARGE 708.3964185322641
#define FJ_SQRT_LARGE 6.703903964971298e153
#define FJ_SQRT_MIN 1.4916681462400413e-154
static const fj_complex FJ_ACOS_SPECIAL[7][7] = {
    {{FJ_P34, FJ_I}, {FJ_P, FJ_I}, {FJ_P, FJ_I}, {FJ_P, -FJ_I}, {FJ_P, -FJ_I}, {FJ_P34, -FJ_I}, {FJ_N, FJ_I}},
    {{FJ_P2, FJ_I}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_P2, -FJ_I}, {FJ_N, FJ_N}},
    {{FJ_P2, FJ_I}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_P2, -FJ_I}, {FJ_P2, FJ_N}},
    {{FJ_P2, FJ_I}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_P2, -FJ_I}, {FJ_P2, FJ_N}},
    {{FJ_P2, FJ_I}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_P2, -FJ_I}, {FJ_N, FJ_N}},
    {{FJ_P4, FJ_I}, {0.0, FJ_I}, {0.0, FJ_I}, {0.0, -FJ_I}, {0.0, -FJ_I}, {FJ_P4, -FJ_I}, {FJ_N, FJ_I}},
    {{FJ_N, FJ_I}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, -FJ_I}, {FJ_N, FJ_N}},
};
static const fj_complex FJ_ACOSH_SPECIAL[7][7] = {
    {{FJ_I, -FJ_P34}, {FJ_I, -FJ_P}, {FJ_I, -FJ_P}, {FJ_I, FJ_P}, {FJ_I, FJ_P}, {FJ_I, FJ_P34}, {FJ_I, FJ_N}},
    {{FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_P4}, {FJ_I, -0.0}, {FJ_I, -0.0}, {FJ_I, 0.0}, {FJ_I, 0.0}, {FJ_I, FJ_P4}, {FJ_I, FJ_N}},
    {{FJ_I, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_I, FJ_N}, {FJ_N, FJ_N}},
};
static const fj_complex FJ_ASINH_SPECIAL[7][7] = {
    {{-FJ_I, -FJ_P4}, {-FJ_I, -0.0}, {-FJ_I, -0.0}, {-FJ_I, 0.0}, {-FJ_I, 0.0}, {-FJ_I, FJ_P4}, {-FJ_I, FJ_N}},
    {{-FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {-FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{-FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {-FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_P4}, {FJ_I, -0.0}, {FJ_I, -0.0}, {FJ_I, 0.0}, {FJ_I, 0.0}, {FJ_I, FJ_P4}, {FJ_I, FJ_N}},
    {{FJ_I, FJ_N}, {FJ_N, FJ_N}, {FJ_N, -0.0}, {FJ_N, 0.0}, {FJ_N, FJ_N}, {FJ_I, FJ_N}, {FJ_N, FJ_N}},
};
static const fj_complex FJ_ATANH_SPECIAL[7][7] = {
    {{-0.0, -FJ_P2}, {-0.0, -FJ_P2}, {-0.0, -FJ_P2}, {-0.0, FJ_P2}, {-0.0, FJ_P2}, {-0.0, FJ_P2}, {-0.0, FJ_N}},
    {{-0.0, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {-0.0, FJ_P2}, {FJ_N, FJ_N}},
    {{-0.0, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {-0.0, FJ_P2}, {-0.0, FJ_N}},
    {{0.0, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {0.0, FJ_P2}, {0.0, FJ_N}},
    {{0.0, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {0.0, FJ_P2}, {FJ_N, FJ_N}},
    {{0.0, -FJ_P2}, {0.0, -FJ_P2}, {0.0, -FJ_P2}, {0.0, FJ_P2}, {0.0, FJ_P2}, {0.0, FJ_P2}, {0.0, FJ_N}},
    {{0.0, -FJ_P2}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {0.0, FJ_P2}, {FJ_N, FJ_N}},
};
static const fj_complex FJ_COSH_SPECIAL[7][7] = {
    {{FJ_I, FJ_N}, {-FJ_I, FJ_I}, {FJ_I, 0.0}, {FJ_I, -0.0}, {-FJ_I, -FJ_I}, {FJ_I, FJ_N}, {FJ_I, FJ_N}},
    {{FJ_N, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
    {{FJ_N, 0.0}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, 0.0}, {FJ_N, 0.0}},
    {{FJ_N, 0.0}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, 0.0}, {FJ_N, 0.0}},
    {{FJ_N, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
    {{FJ_I, FJ_N}, {-FJ_I, -FJ_I}, {FJ_I, -0.0}, {FJ_I, 0.0}, {-FJ_I, FJ_I}, {FJ_I, FJ_N}, {FJ_I, FJ_N}},
    {{FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, 0.0}, {FJ_N, 0.0}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
};
static const fj_complex FJ_EXP_SPECIAL[7][7] = {
    {{0.0, 0.0}, {-0.0, -0.0}, {0.0, -0.0}, {0.0, 0.0}, {-0.0, 0.0}, {0.0, 0.0}, {0.0, 0.0}},
    {{FJ_N, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
    {{FJ_N, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
    {{FJ_N, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
    {{FJ_N, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
    {{FJ_I, FJ_N}, {-FJ_I, -FJ_I}, {FJ_I, -0.0}, {FJ_I, 0.0}, {-FJ_I, FJ_I}, {FJ_I, FJ_N}, {FJ_I, FJ_N}},
    {{FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, -0.0}, {FJ_N, 0.0}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
};
static const fj_complex FJ_LOG_SPECIAL[7][7] = {
    {{FJ_I, -FJ_P34}, {FJ_I, -FJ_P}, {FJ_I, -FJ_P}, {FJ_I, FJ_P}, {FJ_I, FJ_P}, {FJ_I, FJ_P34}, {FJ_I, FJ_N}},
    {{FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_P2}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_P2}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_P4}, {FJ_I, -0.0}, {FJ_I, -0.0}, {FJ_I, 0.0}, {FJ_I, 0.0}, {FJ_I, FJ_P4}, {FJ_I, FJ_N}},
    {{FJ_I, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_I, FJ_N}, {FJ_N, FJ_N}},
};
static const fj_complex FJ_SINH_SPECIAL[7][7] = {
    {{FJ_I, FJ_N}, {FJ_I, -FJ_I}, {-FJ_I, -0.0}, {-FJ_I, 0.0}, {FJ_I, FJ_I}, {FJ_I, FJ_N}, {FJ_I, FJ_N}},
    {{FJ_N, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
    {{-0.0, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {-0.0, FJ_N}, {0.0, FJ_N}},
    {{0.0, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {0.0, FJ_N}, {0.0, FJ_N}},
    {{FJ_N, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
    {{FJ_I, FJ_N}, {-FJ_I, -FJ_I}, {FJ_I, -0.0}, {FJ_I, 0.0}, {-FJ_I, FJ_I}, {FJ_I, FJ_N}, {FJ_I, FJ_N}},
    {{FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, -0.0}, {FJ_N, 0.0}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
};
static const fj_complex FJ_SQRT_SPECIAL[7][7] = {
    {{FJ_I, -FJ_I}, {0.0, -FJ_I}, {0.0, -FJ_I}, {0.0, FJ_I}, {0.0, FJ_I}, {FJ_I, FJ_I}, {FJ_N, FJ_I}},
    {{FJ_I, -FJ_I}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_I}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_I}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_I}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_I}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_I}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_I}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_I, FJ_I}, {FJ_N, FJ_N}},
    {{FJ_I, -FJ_I}, {FJ_I, -0.0}, {FJ_I, -0.0}, {FJ_I, 0.0}, {FJ_I, 0.0}, {FJ_I, FJ_I}, {FJ_I, FJ_N}},
    {{FJ_I, -FJ_I}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_I, FJ_I}, {FJ_N, FJ_N}},
};
static const fj_complex FJ_TANH_SPECIAL[7][7] = {
    {{-1.0, 0.0}, {-1.0, 0.0}, {-1.0, -0.0}, {-1.0, 0.0}, {-1.0, -0.0}, {-1.0, 0.0}, {-1.0, 0.0}},
    {{FJ_N, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
    {{-0.0, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {-0.0, FJ_N}, {FJ_N, FJ_N}},
    {{0.0, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {0.0, FJ_N}, {FJ_N, FJ_N}},
    {{FJ_N, FJ_N}, FJ_U, FJ_U, FJ_U, FJ_U, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
    {{1.0, 0.0}, {1.0, 0.0}, {1.0, -0.0}, {1.0, 0.0}, {1.0, -0.0}, {1.0, 0.0}, {1.0, 0.0}},
    {{FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, -0.0}, {FJ_N, 0.0}, {FJ_N, FJ_N}, {FJ_N, FJ_N}, {FJ_N, FJ_N}},
};

static int fj_class(double x) {
    if (isnan(x)) return 6;
    if (x == -INFINITY) return 0;
    if (x == INFINITY) return 5;
    if (x == 0.0) return signbit(x) ? 2 : 3;
    return x < 0.0 ? 1 : 4;
}
static int fj_special(fj_complex z) { return !isfinite(z.re) || !isfinite(z.im); }
#define FJ_TABLE(t, z) (t[fj_class((z).re)][fj_class((z).im)])
static double fj_log1p(double x) { return x == 0.0 ? x : log1p(x); }
static fj_complex fj_neg(fj_complex z) { return fj_c(-z.re, -z.im); }
static fj_complex fj_times_i(fj_complex z) { return fj_c(-z.im, z.re); }
static fj_complex fj_times_minus_i(fj_complex z) { return fj_c(z.im, -z.re); }

static fj_complex fj_csqrt(fj_complex z) {
    if (fj_special(z)) return FJ_TABLE(FJ_SQRT_SPECIAL, z);
    if (z.re == 0.0 && z.im == 0.0) return fj_c(0.0, z.im);
    double ax = fabs(z.re), ay = fabs(z.im), s;
    if (ax < DBL_MIN && ay < DBL_MIN) {
        ax = ldexp(ax, 53);
        s = ldexp(sqrt(ax + hypot(ax, ldexp(ay, 53))), -27);
    } else {
        ax /= 8.0;
        s = 2.0 * sqrt(ax + hypot(ax, ay / 8.0));
    }
    double d = ay / (2.0 * s);
    return z.re >= 0.0 ? fj_c(s, copysign(d, z.im)) : fj_c(d, copysign(s, z.im));
}
static fj_complex fj_cexp(fj_complex z) {
    if (fj_special(z)) {
        if (isinf(z.re) && isfinite(z.im) && z.im != 0.0) {
            double s = sin(z.im), co = cos(z.im);
            return z.re > 0.0 ? fj_c(copysign(INFINITY, co), copysign(INFINITY, s))
                              : fj_c(copysign(0.0, co), copysign(0.0, s));
        }
        return FJ_TABLE(FJ_EXP_SPECIAL, z);
    }
    if (z.re > FJ_LOG_LARGE) {
        double l = exp(z.re - 1.0);
        return fj_c(l * cos(z.im) * FJ_E, l * sin(z.im) * FJ_E);
    }
    double l = exp(z.re);
    return fj_c(l * cos(z.im), l * sin(z.im));
}
static fj_complex fj_clog(fj_complex z) {
    if (fj_special(z)) return FJ_TABLE(FJ_LOG_SPECIAL, z);
    double ax = fabs(z.re), ay = fabs(z.im), re;
    if (ax > FJ_LARGE || ay > FJ_LARGE) {
        re = log(hypot(ax / 2.0, ay / 2.0)) + FJ_LN2;
    } else if (ax < DBL_MIN && ay < DBL_MIN) {
        if (ax > 0.0 || ay > 0.0) {
            re = log(hypot(ldexp(ax, 53), ldexp(ay, 53))) - 53.0 * FJ_LN2;
        } else {
            re = -INFINITY;
        }
    } else {
        double h = hypot(ax, ay);
        if (0.71 <= h && h <= 1.73) {
            double am = ax > ay ? ax : ay, an = ax > ay ? ay : ax;
            re = fj_log1p((am - 1.0) * (am + 1.0) + an * an) / 2.0;
        } else {
            re = log(h);
        }
    }
    return fj_c(re, atan2(z.im, z.re));
}
static fj_complex fj_clog10(fj_complex z) {
    fj_complex l = fj_clog(z);
    return fj_c(l.re / FJ_LN10, l.im / FJ_LN10);
}
static fj_complex fj_ccosh(fj_complex z) {
    if (fj_special(z)) {
        if (isinf(z.re) && isfinite(z.im) && z.im != 0.0) {
            double s = sin(z.im), co = cos(z.im);
            return z.re > 0.0 ? fj_c(copysign(INFINITY, co), copysign(INFINITY, s))
                              : fj_c(copysign(INFINITY, co), -copysign(INFINITY, s));
        }
        return FJ_TABLE(FJ_COSH_SPECIAL, z);
    }
    if (fabs(z.re) > FJ_LOG_LARGE) {
        double x = z.re - copysign(1.0, z.re);
        return fj_c(cos(z.im) * cosh(x) * FJ_E, sin(z.im) * sinh(x) * FJ_E);
    }
    return fj_c(cos(z.im) * cosh(z.re), sin(z.im) * sinh(z.re));
}
static fj_complex fj_csinh(fj_complex z) {
    if (fj_special(z)) {
        if (isinf(z.re) && isfinite(z.im) && z.im != 0.0) {
            double s = sin(z.im), co = cos(z.im);
            return z.re > 0.0 ? fj_c(copysign(INFINITY, co), copysign(INFINITY, s))
                              : fj_c(-copysign(INFINITY, co), copysign(INFINITY, s));
        }
        return FJ_TABLE(FJ_SINH_SPECIAL, z);
    }
    if (fabs(z.re) > FJ_LOG_LARGE) {
        double x = z.re - copysign(1.0, z.re);
        return fj_c(cos(z.im) * sinh(x) * FJ_E, sin(z.im) * cosh(x) * FJ_E);
    }
    return fj_c(cos(z.im) * sinh(z.re), sin(z.im) * cosh(z.re));
}
static fj_complex fj_ctanh(fj_complex z) {
    if (fj_special(z)) {
        if (isinf(z.re) && isfinite(z.im) && z.im != 0.0) {
            double im = copysign(0.0, 2.0 * sin(z.im) * cos(z.im));
            return fj_c(z.re > 0.0 ? 1.0 : -1.0, im);
        }
        return FJ_TABLE(FJ_TANH_SPECIAL, z);
    }
    if (fabs(z.re) > FJ_LOG_LARGE) {
        return fj_c(copysign(1.0, z.re), 4.0 * sin(z.im) * cos(z.im) * exp(-2.0 * fabs(z.re)));
    }
    double tx = tanh(z.re), ty = tan(z.im), cx = 1.0 / cosh(z.re);
    double txty = tx * ty, denom = 1.0 + txty * txty;
    return fj_c(tx * (1.0 + ty * ty) / denom, ((ty / denom) * cx) * cx);
}
static fj_complex fj_cacos(fj_complex z) {
    if (fj_special(z)) return FJ_TABLE(FJ_ACOS_SPECIAL, z);
    if (fabs(z.re) > FJ_LARGE || fabs(z.im) > FJ_LARGE) {
        double l = log(hypot(z.re / 2.0, z.im / 2.0)) + FJ_LN2 * 2.0;
        double im = z.re < 0.0 ? -copysign(l, z.im) : copysign(l, -z.im);
        return fj_c(atan2(fabs(z.im), z.re), im);
    }
    fj_complex s1 = fj_csqrt(fj_c(1.0 - z.re, -z.im)), s2 = fj_csqrt(fj_c(1.0 + z.re, z.im));
    return fj_c(2.0 * atan2(s1.re, s2.re), asinh(s2.re * s1.im - s2.im * s1.re));
}
static fj_complex fj_cacosh(fj_complex z) {
    if (fj_special(z)) return FJ_TABLE(FJ_ACOSH_SPECIAL, z);
    if (fabs(z.re) > FJ_LARGE || fabs(z.im) > FJ_LARGE) {
        return fj_c(log(hypot(z.re / 2.0, z.im / 2.0)) + FJ_LN2 * 2.0, atan2(z.im, z.re));
    }
    fj_complex s1 = fj_csqrt(fj_c(z.re - 1.0, z.im)), s2 = fj_csqrt(fj_c(z.re + 1.0, z.im));
    return fj_c(asinh(s1.re * s2.re + s1.im * s2.im), 2.0 * atan2(s1.im, s2.re));
}
static fj_complex fj_casinh(fj_complex z) {
    if (fj_special(z)) return FJ_TABLE(FJ_ASINH_SPECIAL, z);
    if (fabs(z.re) > FJ_LARGE || fabs(z.im) > FJ_LARGE) {
        double l = log(hypot(z.re / 2.0, z.im / 2.0)) + FJ_LN2 * 2.0;
        double re = z.im >= 0.0 ? copysign(l, z.re) : -copysign(l, -z.re);
        return fj_c(re, atan2(z.im, fabs(z.re)));
    }
    fj_complex s1 = fj_csqrt(fj_c(1.0 + z.im, -z.re)), s2 = fj_csqrt(fj_c(1.0 - z.im, z.re));
    return fj_c(asinh(s1.re * s2.im - s2.re * s1.im), atan2(z.im, s1.re * s2.re - s1.im * s2.im));
}
static fj_complex fj_catanh(fj_complex z) {
    if (fj_special(z)) return FJ_TABLE(FJ_ATANH_SPECIAL, z);
    if (z.re < 0.0) return fj_neg(fj_catanh(fj_neg(z)));
    double ay = fabs(z.im);
    if (z.re > FJ_SQRT_LARGE || ay > FJ_SQRT_LARGE) {
        double h = hypot(z.re / 2.0, z.im / 2.0);
        return fj_c(z.re / 4.0 / h / h, -copysign(FJ_P2, -z.im));
    }
    if (z.re == 1.0 && ay < FJ_SQRT_MIN) {
        if (ay == 0.0) return fj_c(INFINITY, z.im);
        return fj_c(-log(sqrt(ay) / sqrt(hypot(ay, 2.0))), copysign(atan2(2.0, -ay) / 2.0, z.im));
    }
    double one_minus = 1.0 - z.re;
    double re = fj_log1p(4.0 * z.re / (one_minus * one_minus + ay * ay)) / 4.0;
    double im = -atan2(-2.0 * z.im, one_minus * (1.0 + z.re) - ay * ay) / 2.0;
    return fj_c(re, im);
}
static fj_complex fj_casin(fj_complex z) { return fj_times_minus_i(fj_casinh(fj_times_i(z))); }
static fj_complex fj_catan(fj_complex z) { return fj_times_minus_i(fj_catanh(fj_times_i(z))); }
static fj_complex fj_ccos(fj_complex z) { return fj_ccosh(fj_times_i(z)); }
static fj_complex fj_csin(fj_complex z) { return fj_times_minus_i(fj_csinh(fj_times_i(z))); }
static fj_complex fj_ctan(fj_complex z) { return fj_times_minus_i(fj_ctanh(fj_times_i(z))); }

FJ_RT double ferrojit_cacos_re(double re, double im) { return fj_cacos(fj_c(re, im)).re; }
FJ_RT double ferrojit_cacos_im(double re, double im) { return fj_cacos(fj_c(re, im)).im; }
FJ_RT double ferrojit_cacosh_re(double re, double im) { return fj_cacosh(fj_c(re, im)).re; }
FJ_RT double ferrojit_cacosh_im(double re, double im) { return fj_cacosh(fj_c(re, im)).im; }
FJ_RT double ferrojit_casin_re(double re, double im) { return fj_casin(fj_c(re, im)).re; }
FJ_RT double ferrojit_casin_im(double re, double im) { return fj_casin(fj_c(re, im)).im; }
FJ_RT double ferrojit_casinh_re(double re, double im) { return fj_casinh(fj_c(re, im)).re; }
FJ_RT double ferrojit_casinh_im(double re, double im) { return fj_casinh(fj_c(re, im)).im; }
FJ_RT double ferrojit_catan_re(double re, double im) { return fj_catan(fj_c(re, im)).re; }
FJ_RT double ferrojit_catan_im(double re, double im) { return fj_catan(fj_c(re, im)).im; }
FJ_RT double ferrojit_catanh_re(double re, double im) { return fj_catanh(fj_c(re, im)).re; }
FJ_RT double ferrojit_catanh_im(double re, double im) { return fj_catanh(fj_c(re, im)).im; }
FJ_RT double ferrojit_ccos_re(double re, double im) { return fj_ccos(fj_c(re, im)).re; }
FJ_RT double ferrojit_ccos_im(double re, double im) { return fj_ccos(fj_c(re, im)).im; }
FJ_RT double ferrojit_ccosh_re(double re, double im) { return fj_ccosh(fj_c(re, im)).re; }
FJ_RT double ferrojit_ccosh_im(double re, double im) { return fj_ccosh(fj_c(re, im)).im; }
FJ_RT double ferrojit_cexp_re(double re, double im) { return fj_cexp(fj_c(re, im)).re; }
FJ_RT double ferrojit_cexp_im(double re, double im) { return fj_cexp(fj_c(re, im)).im; }
FJ_RT double ferrojit_clog_re(double re, double im) { return fj_clog(fj_c(re, im)).re; }
FJ_RT double ferrojit_clog_im(double re, double im) { return fj_clog(fj_c(re, im)).im; }
FJ_RT double ferrojit_clog10_re(double re, double im) { return fj_clog10(fj_c(re, im)).re; }
FJ_RT double ferrojit_clog10_im(double re, double im) { return fj_clog10(fj_c(re, im)).im; }
FJ_RT double ferrojit_csin_re(double re, double im) { return fj_csin(fj_c(re, im)).re; }
FJ_RT double ferrojit_csin_im(double re, double im) { return fj_csin(fj_c(re, im)).im; }
FJ_RT double ferrojit_csinh_re(double re, double im) { return fj_csinh(fj_c(re, im)).re; }
FJ_RT double ferrojit_csinh_im(double re, double im) { return fj_csinh(fj_c(re, im)).im; }
FJ_RT double ferrojit_csqrt_re(double re, double im) { return fj_csqrt(fj_c(re, im)).re; }
FJ_RT double ferrojit_csqrt_im(double re, double im) { return fj_csqrt(fj_c(re, im)).im; }
FJ_RT double ferrojit_ctan_re(double re, double im) { return fj_ctan(fj_c(re, im)).re; }
FJ_RT double ferrojit_ctan_im(double re, double im) { return fj_ctan(fj_c(re, im)).im; }
FJ_RT double ferrojit_ctanh_re(double re, double im) { return fj_ctanh(fj_c(re, im)).re; }
FJ_RT double ferrojit_ctanh_im(double re, double im) { return fj_ctanh(fj_c(re, im)).im; }

/* print: runtime/src/print.rs, formatting as CPython's str (NumPy's for float32). */
static char fj_line[4096];
static size_t fj_len;
static void fj_append(const char *s, size_t n) {
    if (n > sizeof fj_line - fj_len) {
        n = sizeof fj_line - fj_len;
    }
    memcpy(fj_line + fj_len, s, n);
    fj_len += n;
}
static void fj_append_str(const char *s) { fj_append(s, strlen(s)); }

/* Shortest round-tripping digits of |x| (finite) and the exponent of the first digit. */
static int fj_shortest(double ax, int is_float, char *digits) {
    char buf[40];
    for (int prec = 0; prec < 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec, ax);
        double back = strtod(buf, NULL);
        if (is_float ? (float)back == (float)ax : back == ax) {
            break;
        }
    }
    int n = 0;
    char *p = buf;
    for (; *p && *p != 'e'; p++) {
        if (*p >= '0' && *p <= '9') {
            digits[n++] = *p;
        }
    }
    while (n > 1 && digits[n - 1] == '0') {
        n--;
    }
    digits[n] = 0;
    return atoi(p + 1);
}

static void fj_format(char *out, double x, int is_float, int add_dot_0) {
    if (isnan(x)) {
        strcpy(out, "nan");
        return;
    }
    if (isinf(x)) {
        strcpy(out, x > 0 ? "inf" : "-inf");
        return;
    }
    char digits[40];
    double ax = fabs(x);
    int exp = fj_shortest(ax, is_float, digits);
    int len = (int)strlen(digits);
    char *o = out;
    if (signbit(x)) {
        *o++ = '-';
    }
    int positional = is_float ? (ax == 0 || (ax >= 1e-4 && ax < 1e6)) : (exp >= -4 && exp < 16);
    if (positional) {
        int point = exp + 1;
        if (point <= 0) {
            o += sprintf(o, "0.");
            for (int i = 0; i < -point; i++) {
                *o++ = '0';
            }
            o += sprintf(o, "%s", digits);
        } else if (point >= len) {
            o += sprintf(o, "%s", digits);
            for (int i = len; i < point; i++) {
                *o++ = '0';
            }
            if (add_dot_0) {
                o += sprintf(o, ".0");
            }
        } else {
            o += sprintf(o, "%.*s.%s", point, digits, digits + point);
        }
        *o = 0;
    } else {
        *o++ = digits[0];
        if (len > 1) {
            o += sprintf(o, ".%s", digits + 1);
        }
        sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
}

static void fj_print_complex(double re, double im, int is_float) {
    char r[64], i[64];
    fj_format(r, re, is_float, 0);
    fj_format(i, im, is_float, 0);
    if (re == 0 && !signbit(re)) {
        fj_append_str(i);
        fj_append_str("j");
        return;
    }
    fj_append_str("(");
    fj_append_str(r);
    if (i[0] != '-') {
        fj_append_str("+");
    }
    fj_append_str(i);
    fj_append_str("j)");
}

FJ_RT int64_t ferrojit_print_i64(int64_t v) {
    char b[32];
    fj_append(b, (size_t)snprintf(b, sizeof b, "%lld", (long long)v));
    return 0;
}
FJ_RT int64_t ferrojit_print_u64(int64_t v) {
    char b[32];
    fj_append(b, (size_t)snprintf(b, sizeof b, "%llu", (unsigned long long)v));
    return 0;
}
FJ_RT int64_t ferrojit_print_bool(int64_t v) {
    fj_append_str(v ? "True" : "False");
    return 0;
}
FJ_RT int64_t ferrojit_print_f64(double v) {
    char b[64];
    fj_format(b, v, 0, 1);
    fj_append_str(b);
    return 0;
}
FJ_RT int64_t ferrojit_print_f32(float v) {
    char b[64];
    fj_format(b, v, 1, 1);
    fj_append_str(b);
    return 0;
}
FJ_RT int64_t ferrojit_print_c128(double re, double im) {
    fj_print_complex(re, im, 0);
    return 0;
}
FJ_RT int64_t ferrojit_print_c64(float re, float im) {
    fj_print_complex(re, im, 1);
    return 0;
}
FJ_RT int64_t ferrojit_print_bytes(int64_t packed, int64_t len) {
    unsigned char b[8];
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)((uint64_t)packed >> (8 * i));
    }
    fj_append((const char *)b, (size_t)(len < 0 ? 0 : len > 8 ? 8 : len));
    return 0;
}
FJ_RT int64_t ferrojit_print_end(void) {
    fj_append("\n", 1);
    fwrite(fj_line, 1, fj_len, stdout);
    fflush(stdout);
    fj_len = 0;
    return 0;
}

/* Whole-array reductions of loops compiled with reassociation allowed (runtime/src/reduce.rs):
 * integer sums are exact in any order; float ones are only used under fastmath. */
FJ_RT double ferrojit_sum_f64(void *vp, int64_t n) {
    const double *p = vp;
    double acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += p[i + k];
    double s = 0;
    for (int k = 0; k < 8; k++) s += acc[k];
    for (; i < n; i++) s += p[i];
    return s;
}

FJ_RT float ferrojit_sum_f32(void *vp, int64_t n) {
    const float *p = vp;
    float acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += p[i + k];
    float s = 0;
    for (int k = 0; k < 8; k++) s += acc[k];
    for (; i < n; i++) s += p[i];
    return s;
}

FJ_RT double ferrojit_sum_squares_f64(void *vp, int64_t n) {
    const double *p = vp;
    double acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += p[i + k] * p[i + k];
    double s = 0;
    for (int k = 0; k < 8; k++) s += acc[k];
    for (; i < n; i++) s += p[i] * p[i];
    return s;
}

FJ_RT double ferrojit_dot_f64(void *vp, void *vq, int64_t n) {
    const double *p = vp, *q = vq;
    double acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) acc[k] += p[i + k] * q[i + k];
    double s = 0;
    for (int k = 0; k < 8; k++) s += acc[k];
    for (; i < n; i++) s += p[i] * q[i];
    return s;
}

FJ_RT int64_t ferrojit_sum_i64(void *vp, int64_t n) {
    const int64_t *p = vp;
    uint64_t s = 0;
    for (int64_t i = 0; i < n; i++) s += (uint64_t)p[i];
    return (int64_t)s;
}

FJ_RT int64_t ferrojit_sum_i32(void *vp, int64_t n) {
    const int32_t *p = vp;
    uint64_t s = 0;
    for (int64_t i = 0; i < n; i++) s += (uint64_t)(int64_t)p[i];
    return (int64_t)s;
}

/* The arena of run-time allocations (runtime/src/alloc.rs): code that allocates is refused by
 * `ferrojit build`, so nothing is ever allocated here and a loop iteration's mark and release
 * have nothing to count or free. */
FJ_RT int64_t ferrojit_arena_mark(void *err) {
    (void)err;
    return 0;
}
FJ_RT int64_t ferrojit_arena_release(void *err, int64_t mark) {
    (void)err;
    (void)mark;
    return 0;
}

/* The stack check in the prologue of recursive functions (runtime/src/stack.rs): 1 when the
 * calling thread's stack is within 256 KiB of its lowest address (cached per thread). */
FJ_RT int64_t ferrojit_stack_check(void) {
    static __thread uintptr_t limit;
    char marker;
    uintptr_t here = (uintptr_t)&marker;
    if (!limit) {
#if defined(__linux__) && defined(__GLIBC__)
        pthread_attr_t attr;
        void *addr = NULL;
        size_t size = 0;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            if (pthread_attr_getstack(&attr, &addr, &size) != 0) addr = NULL;
            pthread_attr_destroy(&attr);
        }
        if (addr && (uintptr_t)addr < here)
            limit = (uintptr_t)addr + 256 * 1024 < here ? (uintptr_t)addr + 256 * 1024 : here;
        else
#endif
            limit = here > 1024 * 1024 ? here - 1024 * 1024 : 1;
    }
    return here < limit;
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
