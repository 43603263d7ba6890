//! Math functions written once as IR, for backends without a libm: `sin`, `exp`, `pow`, … as
//! [`Function`]s that use only basic operations (arithmetic, `fma`, `sqrt`, `floor`/`nearest`,
//! bit casts, integer ops, `select`, branches and loops) and never `call_rt`.
//!
//! The GPU backend compiles them like any other function (PTX has no double-precision `sin`,
//! `exp`, `log` or `pow`); on the CPU their accuracy is tested in CI by compiling them with
//! `backend-cpu` and comparing with the platform libm (`backend-cpu/tests/mathlib_accuracy.rs`,
//! which prints the measured table with `--nocapture`).
//!
//! Convention: [`build`]`(f, ty)` gives a function named [`name`]`(f, ty)`, e.g.
//! `ferrojit_math_sin_f64`, whose parameters are the arguments of `f` (`ty` for floats; `i64`
//! for the exponent of [`RuntimeFn::PowI`]) and which returns one value of type `ty`. The
//! functions are pure, never raise and call nothing. The `f32` variants promote their
//! arguments, run the `f64` algorithm and round once at the end.
//!
//! The algorithms are the classic ones with published constants (fdlibm, as in musl and
//! FreeBSD): Cody–Waite and Payne–Hanek reduction by π/2 for the trigonometric functions,
//! `2^k·P(r)` for `exp`, exponent extraction from the bits and a polynomial in `(m-1)/(m+1)`
//! for `log`, a double-double `log2` for `pow`. Each family's file documents its algorithm and
//! accuracy; [`max_ulp`] is the error bound the tests enforce.
//!
//! Files: `emit` (the small builder DSL the kernels are written in), `reduce` (π/2 argument
//! reduction), `trig`, `atrig` (inverse trigonometric), `exp`, `log`, `hyperbolic`, `pow`,
//! `misc` (`hypot`, `fmod`, `cbrt`).

// The constants are fdlibm's published 21-digit decimals, kept verbatim so that they can be
// checked against the source (each parses to exactly the double fdlibm gives in hex), and some
// are π/2, π/4, … split for extra precision rather than approximations of `std::f64::consts`.
#![allow(
    clippy::excessive_precision,
    clippy::approx_constant,
    reason = "published constants kept verbatim"
)]

mod atrig;
mod emit;
mod exp;
mod hyperbolic;
mod log;
mod misc;
mod pow;
mod reduce;
mod trig;

use crate::function::{Function, Op, Ty, Value};
use emit::E;
use runtime::math::RuntimeFn;

/// The functions mathlib implements, in `RuntimeFn::ALL` order. Not implemented: `Erf`,
/// `Erfc`, `Gamma`, `Lgamma` and the variants after `PowI` (`exp2` … `cmath`, `print`).
const SUPPORTED: [RuntimeFn; 31] = {
    use RuntimeFn::*;
    [
        Sin, Cos, Tan, Asin, Acos, Atan, Atan2, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh, Exp, Expm1,
        Log, Log1p, Log10, Log2, Pow, Hypot, Fmod, Cbrt, SinF32, CosF32, TanF32, ExpF32, LogF32,
        PowF32, IntPow, PowI,
    ]
};

/// The `RuntimeFn` variants mathlib implements.
pub fn supported() -> &'static [RuntimeFn] {
    &SUPPORTED
}

/// The `f64` function an `f32`-only variant stands for (`SinF32` → `Sin`), and whether `f`
/// exists only for `f32`.
fn canonical(f: RuntimeFn) -> (RuntimeFn, bool) {
    use RuntimeFn::*;
    match f {
        SinF32 => (Sin, true),
        CosF32 => (Cos, true),
        TanF32 => (Tan, true),
        ExpF32 => (Exp, true),
        LogF32 => (Log, true),
        PowF32 => (Pow, true),
        f => (f, false),
    }
}

/// Whether `build(f, ty)` gives a function: `f` supported, `ty` a float type (an integer type
/// for `IntPow`; `f32` only for the `…F32` variants).
fn accepts(f: RuntimeFn, ty: Ty) -> bool {
    let (base, f32_only) = canonical(f);
    SUPPORTED.contains(&f)
        && match base {
            RuntimeFn::IntPow => ty.is_int() && ty != Ty::Ptr,
            _ => ty.is_float() && (!f32_only || ty == Ty::F32),
        }
}

/// The name of the function [`build`] gives for `(f, ty)`, e.g. `ferrojit_math_sin_f64`
/// (`SinF32` and `Sin` at `f32` share `ferrojit_math_sin_f32`); `None` where `build` gives
/// none.
pub fn name(f: RuntimeFn, ty: Ty) -> Option<String> {
    accepts(f, ty).then(|| format!("ferrojit_math_{}_{}", canonical(f).0.ir_name(), ty.name()))
}

/// An IR function computing `f` for `ty` (see the module doc for the convention), or `None` if
/// mathlib does not implement `f` at `ty`.
pub fn build(f: RuntimeFn, ty: Ty) -> Option<Function> {
    let name = name(f, ty)?;
    let (base, _) = canonical(f);
    let params = match base {
        RuntimeFn::PowI => vec![ty, Ty::I64],
        _ => vec![ty; f.describe().params.len()],
    };
    let mut func = Function::new(name, params, vec![ty]);
    let (mut e, args) = E::new(&mut func);
    // Kernels compute in f64: promote f32 arguments (`E::ret` rounds the result back).
    let args: Vec<Value> = args
        .into_iter()
        .map(|a| {
            if e.ty(a) == Ty::F32 {
                e.b.convert(Op::Fpromote, a, Ty::F64)
            } else {
                a
            }
        })
        .collect();
    emit_body(&mut e, base, &args);
    Some(func)
}

fn emit_body(e: &mut E, f: RuntimeFn, a: &[Value]) {
    use RuntimeFn::*;
    match f {
        Sin => trig::sin(e, a[0]),
        Cos => trig::cos(e, a[0]),
        Tan => trig::tan(e, a[0]),
        Asin => atrig::asin(e, a[0]),
        Acos => atrig::acos(e, a[0]),
        Atan => atrig::atan(e, a[0]),
        Atan2 => atrig::atan2(e, a[0], a[1]),
        Sinh => hyperbolic::sinh(e, a[0]),
        Cosh => hyperbolic::cosh(e, a[0]),
        Tanh => hyperbolic::tanh(e, a[0]),
        Asinh => hyperbolic::asinh(e, a[0]),
        Acosh => hyperbolic::acosh(e, a[0]),
        Atanh => hyperbolic::atanh(e, a[0]),
        Exp => exp::exp(e, a[0]),
        Expm1 => exp::expm1(e, a[0]),
        Log => log::log(e, a[0]),
        Log1p => log::log1p(e, a[0]),
        Log10 => log::log10(e, a[0]),
        Log2 => log::log2(e, a[0]),
        Pow => pow::pow(e, a[0], a[1]),
        Hypot => misc::hypot(e, a[0], a[1]),
        Fmod => misc::fmod(e, a[0], a[1]),
        Cbrt => misc::cbrt(e, a[0]),
        PowI => pow::powi(e, a[0], a[1]),
        IntPow => pow::ipow(e, a[0], a[1]),
        // Not implemented here (the `f32` variants map to their canonical function).
        _ => unreachable!("{f:?} is not a canonical supported function"),
    }
}

/// The documented maximum error of `f` in ULPs of its result type against the correctly
/// rounded result: the results are within `max_ulp(f)` ULP (in practice well inside: the worst
/// cases found are noted per family). `backend-cpu/tests/mathlib_accuracy.rs` checks it on
/// ~20k inputs per function against the platform libm, allowing 1 more ULP for libm's own
/// error (glibc's `sinh`, `cosh`, `tanh`, `log10` and several `f32` functions are themselves
/// over 1 ULP off at the worst inputs found, where ours are correctly rounded), and its table
/// (`--nocapture`) gives the measured distances.
///
/// The bound is for the `f64` variant; every `f32` variant (rounded once from the `f64`
/// algorithm) is within 1 ULP of `f32` (correctly rounded except for rare double roundings),
/// which the `f32`-only variants such as `SinF32` report. `Fmod` and `IntPow` are exact;
/// `PowI` is bit-identical to Rust's `f64::powi` (0 here, though repeated squaring itself may
/// be several ULP off for large exponents). `f64::INFINITY` for functions mathlib does not
/// implement.
pub fn max_ulp(f: RuntimeFn) -> f64 {
    use RuntimeFn::*;
    match f {
        Fmod | IntPow | PowI => 0.0,
        Sin | Cos | Asin | Acos | Atan | Atan2 | Exp | Expm1 | Log | Log1p | Log10 | Log2 | Pow
        | Hypot | Cbrt => 1.0,
        // fdlibm's tan kernel reaches 1.55 ULP; musl documents up to 2 ULP for the others.
        Tan | Sinh | Cosh | Tanh | Asinh | Acosh | Atanh => 2.0,
        SinF32 | CosF32 | TanF32 | ExpF32 | LogF32 | PowF32 => 1.0,
        // Not implemented: erf, erfc, gamma, lgamma, the newer math functions, cmath, print.
        _ => f64::INFINITY,
    }
}
