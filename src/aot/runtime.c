/* ferrojit's run-time helpers in C, for ahead-of-time shared libraries and extensions.
 *
 * Compiled code calls the helpers of runtime/src/math.rs (and the parallel loop driver of
 * runtime/src/parallel.rs) by their `ferrojit_*` symbols. A library built by `ferrojit build`
 * runs without the Rust runtime, so this file defines each of them with the same semantics:
 * where Rust's standard library calls libm, so does this file; where it computes its own
 * result (asinh, acosh, atanh, powi, and cbrt, which is CORE-MATH's correctly rounded one),
 * this file repeats its algorithm operation by operation, so results are bit-identical to the
 * JIT's (checked by tests/aot.rs over many inputs).
 *
 * Compiled with -std=c99 -ffp-contract=off, so the C compiler does not contract a*b+c into
 * FMA either. The parallel loop driver runs the whole range as one chunk, serially (see the
 * limits in src/aot/mod.rs); cached libraries (src/cache.rs) use the Rust runtime's instead.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

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
/* Rust's f64::cbrt is the correctly rounded CORE-MATH cube root (Alexei Sibidanov, MIT;
 * via Rust's libm), not the C library's: this is that function, rounding to nearest. */
FJ_RT double ferrojit_cbrt(double x) {
    static const double escale[3] = {1.0, 0x1.428a2f98d728bp+0, 0x1.965fea53d6e3dp+0};
    static const double c[4] = {0x1.1b0babccfef9cp-1, 0x1.2c9a3e94d1da5p-1,
                                -0x1.4dc30b1a1ddbap-3, 0x1.7a8d3e4ec9b07p-6};
    static const double rsc[6] = {1.0, -1.0, 0.5, -0.5, 0.25, -0.25};
    const double u0 = 0x1.5555555555555p-2, u1 = 0x1.c71c71c71c71cp-3, off = 0x1p-53;
    uint64_t hx, mant, sign, cvt1, cvt5, isc, cvt3, m0, m1;
    uint32_t e, et, it;
    double zz, z, r, rr, z2, c0, c2, y, y2, h, y2l, y3, y3l, dy, y1, ady, ady0, ady1;
    memcpy(&hx, &x, 8);
    mant = hx & 0xfffffffffffffull;
    sign = hx >> 63;
    e = (uint32_t)(hx >> 52) & 0x7ff;
    if (((e + 1) & 0x7ff) < 2) {
        uint64_t ix = hx & ~(1ull << 63);
        uint32_t nz;
        if (e == 0x7ff || ix == 0) {
            return x + x;
        }
        nz = (uint32_t)__builtin_clzll(ix) - 11; /* subnormal */
        mant <<= nz;
        mant &= 0xfffffffffffffull;
        e -= nz - 1;
    }
    e += 3072;
    cvt1 = mant | (0x3ffull << 52);
    cvt5 = cvt1;
    et = e / 3;
    it = e % 3;
    cvt5 += (uint64_t)it << 52;
    cvt5 |= sign << 63;
    memcpy(&zz, &cvt5, 8);
    memcpy(&isc, &escale[it], 8);
    isc |= sign << 63;
    memcpy(&z, &cvt1, 8);
    r = 1.0 / z;
    rr = r * rsc[(it << 1) | sign];
    z2 = z * z;
    c0 = c[0] + z * c[1];
    c2 = c[2] + z * c[3];
    y = c0 + z2 * c2;
    y2 = y * y;
    h = y2 * (y * r) - 1.0;
    y -= (h * y) * (u0 - u1 * h);
    {
        double scale;
        memcpy(&scale, &isc, 8);
        y *= scale;
    }
    y2 = y * y;
    y2l = fma(y, y, -y2);
    y3 = y2 * y;
    y3l = fma(y, y2, -y3) + y * y2l;
    h = ((y3 - zz) + y3l) * rr;
    dy = h * (y * u0);
    y1 = y - dy;
    dy = (y - y1) - dy;
    ady = fabs(dy);
    ady0 = fabs(ady - off);
    ady1 = fabs(ady - (0x1p-52 + off));
    if (ady0 < 0x1p-75 || ady1 < 0x1p-75) {
        y2 = y1 * y1;
        y2l = fma(y1, y1, -y2);
        y3 = y2 * y1;
        y3l = fma(y1, y2, -y3) + y1 * y2l;
        h = ((y3 - zz) + y3l) * rr;
        dy = h * (y1 * u0);
        y = y1 - dy;
        dy = (y1 - y) - dy;
        y1 = y;
        ady = fabs(dy);
        ady0 = fabs(ady - off);
        ady1 = fabs(ady - (0x1p-52 + off));
        if (ady0 < 0x1p-98 || ady1 < 0x1p-98) {
            double azz = fabs(zz);
            if (azz == 0x1.9b78223aa307cp+1) y1 = copysign(0x1.79d15d0e8d59cp+0, zz);
            if (azz == 0x1.a202bfc89ddffp+2) y1 = copysign(0x1.de87aa837820fp+0, zz);
        }
    }
    memcpy(&cvt3, &y1, 8);
    cvt3 += (uint64_t)(et - 342u - 1023u) << 52;
    m0 = cvt3 << 30;
    m1 = m0 >> 63;
    if ((m0 ^ m1) <= (1ull << 30)) {
        uint64_t cvt4;
        double t;
        memcpy(&cvt4, &y1, 8);
        cvt4 = (cvt4 + (164ull << 15)) & 0xffffffffffff0000ull;
        memcpy(&t, &cvt4, 8);
        if (fabs((t - y1) - dy) < 0x1p-60 || fabs(zz) == 1.0) {
            cvt3 = (cvt3 + (1ull << 15)) & 0xffffffffffff0000ull;
        }
    }
    memcpy(&y1, &cvt3, 8);
    return y1;
}

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
