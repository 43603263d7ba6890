//! Functions compiled code calls by symbol: libm-style math and Python-semantics helpers.
//!
//! [`RuntimeFn`] is the one table: each variant has a symbol name, a scalar signature and the
//! address of its implementation here. The CPU backend registers every entry with the JIT (or
//! emits an import for ahead-of-time objects); the GPU backend maps the same variants to its own
//! implementations. Adding a function = a variant, its row in `describe`, its `extern "C" fn`.

/// Scalar kinds in runtime-function signatures.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum AbiType {
    I64,
    F32,
    F64,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuntimeFn {
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Exp,
    Expm1,
    Log,
    Log1p,
    Log10,
    Log2,
    Pow,
    Hypot,
    Fmod,
    Erf,
    Erfc,
    Gamma,
    Lgamma,
    Cbrt,
    SinF32,
    CosF32,
    TanF32,
    ExpF32,
    LogF32,
    PowF32,
    /// Python's `int ** int` for non-negative exponents (wrapping, like Numba).
    IntPow,
    /// `float ** int` by repeated squaring (Numba's `powi`).
    PowI,
}

/// Description of a runtime function: symbol, parameter and result kinds, address.
#[derive(Copy, Clone, Debug)]
pub struct RuntimeFnInfo {
    pub symbol: &'static str,
    pub params: &'static [AbiType],
    pub result: AbiType,
    pub address: *const u8,
}

use AbiType::{F32, F64, I64};

const F64_1: &[AbiType] = &[F64];
const F64_2: &[AbiType] = &[F64, F64];
const F32_1: &[AbiType] = &[F32];
const F32_2: &[AbiType] = &[F32, F32];

impl RuntimeFn {
    pub const ALL: [RuntimeFn; 35] = {
        use RuntimeFn::*;
        [
            Sin, Cos, Tan, Asin, Acos, Atan, Atan2, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh, Exp,
            Expm1, Log, Log1p, Log10, Log2, Pow, Hypot, Fmod, Erf, Erfc, Gamma, Lgamma, Cbrt,
            SinF32, CosF32, TanF32, ExpF32, LogF32, PowF32, IntPow, PowI,
        ]
    };

    pub fn describe(self) -> RuntimeFnInfo {
        use RuntimeFn::*;
        let (symbol, params, result, address): (&str, &[AbiType], AbiType, *const u8) = match self {
            Sin => ("ferrojit_sin", F64_1, F64, f64_sin as *const u8),
            Cos => ("ferrojit_cos", F64_1, F64, f64_cos as *const u8),
            Tan => ("ferrojit_tan", F64_1, F64, f64_tan as *const u8),
            Asin => ("ferrojit_asin", F64_1, F64, f64_asin as *const u8),
            Acos => ("ferrojit_acos", F64_1, F64, f64_acos as *const u8),
            Atan => ("ferrojit_atan", F64_1, F64, f64_atan as *const u8),
            Atan2 => ("ferrojit_atan2", F64_2, F64, f64_atan2 as *const u8),
            Sinh => ("ferrojit_sinh", F64_1, F64, f64_sinh as *const u8),
            Cosh => ("ferrojit_cosh", F64_1, F64, f64_cosh as *const u8),
            Tanh => ("ferrojit_tanh", F64_1, F64, f64_tanh as *const u8),
            Asinh => ("ferrojit_asinh", F64_1, F64, f64_asinh as *const u8),
            Acosh => ("ferrojit_acosh", F64_1, F64, f64_acosh as *const u8),
            Atanh => ("ferrojit_atanh", F64_1, F64, f64_atanh as *const u8),
            Exp => ("ferrojit_exp", F64_1, F64, f64_exp as *const u8),
            Expm1 => ("ferrojit_expm1", F64_1, F64, f64_expm1 as *const u8),
            Log => ("ferrojit_log", F64_1, F64, f64_log as *const u8),
            Log1p => ("ferrojit_log1p", F64_1, F64, f64_log1p as *const u8),
            Log10 => ("ferrojit_log10", F64_1, F64, f64_log10 as *const u8),
            Log2 => ("ferrojit_log2", F64_1, F64, f64_log2 as *const u8),
            Pow => ("ferrojit_pow", F64_2, F64, f64_pow as *const u8),
            Hypot => ("ferrojit_hypot", F64_2, F64, f64_hypot as *const u8),
            Fmod => ("ferrojit_fmod", F64_2, F64, f64_fmod as *const u8),
            Erf => ("ferrojit_erf", F64_1, F64, f64_erf as *const u8),
            Erfc => ("ferrojit_erfc", F64_1, F64, f64_erfc as *const u8),
            Gamma => ("ferrojit_gamma", F64_1, F64, f64_gamma as *const u8),
            Lgamma => ("ferrojit_lgamma", F64_1, F64, f64_lgamma as *const u8),
            Cbrt => ("ferrojit_cbrt", F64_1, F64, f64_cbrt as *const u8),
            SinF32 => ("ferrojit_sinf", F32_1, F32, f32_sin as *const u8),
            CosF32 => ("ferrojit_cosf", F32_1, F32, f32_cos as *const u8),
            TanF32 => ("ferrojit_tanf", F32_1, F32, f32_tan as *const u8),
            ExpF32 => ("ferrojit_expf", F32_1, F32, f32_exp as *const u8),
            LogF32 => ("ferrojit_logf", F32_1, F32, f32_log as *const u8),
            PowF32 => ("ferrojit_powf", F32_2, F32, f32_pow as *const u8),
            IntPow => ("ferrojit_ipow", &[I64, I64], I64, int_pow as *const u8),
            PowI => ("ferrojit_powi", &[F64, I64], F64, f64_powi as *const u8),
        };
        RuntimeFnInfo {
            symbol,
            params,
            result,
            address,
        }
    }

    /// Name used in the IR text form (`call_rt sin`).
    pub fn ir_name(self) -> &'static str {
        self.describe().symbol.trim_start_matches("ferrojit_")
    }

    pub fn from_ir_name(name: &str) -> Option<RuntimeFn> {
        Self::ALL.into_iter().find(|f| f.ir_name() == name)
    }
}

macro_rules! unary_f64 {
    ($($name:ident => $method:ident),* $(,)?) => {
        $(extern "C" fn $name(x: f64) -> f64 { x.$method() })*
    };
}
macro_rules! unary_f32 {
    ($($name:ident => $method:ident),* $(,)?) => {
        $(extern "C" fn $name(x: f32) -> f32 { x.$method() })*
    };
}

unary_f64! {
    f64_sin => sin, f64_cos => cos, f64_tan => tan, f64_asin => asin, f64_acos => acos,
    f64_atan => atan, f64_sinh => sinh, f64_cosh => cosh, f64_tanh => tanh, f64_exp => exp, f64_expm1 => exp_m1, f64_log => ln,
    f64_log1p => ln_1p, f64_log10 => log10, f64_log2 => log2, f64_cbrt => cbrt,
}
unary_f32! { f32_sin => sin, f32_cos => cos, f32_tan => tan, f32_exp => exp, f32_log => ln }

extern "C" fn f64_atan2(y: f64, x: f64) -> f64 {
    y.atan2(x)
}
extern "C" fn f64_pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}
extern "C" fn f32_pow(x: f32, y: f32) -> f32 {
    x.powf(y)
}
extern "C" fn f64_hypot(x: f64, y: f64) -> f64 {
    x.hypot(y)
}
extern "C" fn f64_fmod(x: f64, y: f64) -> f64 {
    x % y
}

// The C library's functions, as CPython's `math` calls them: Rust's own `asinh`/`acosh`/`atanh`
// are different formulas (a few ULPs apart for large arguments).
unsafe extern "C" {
    fn asinh(x: f64) -> f64;
    fn acosh(x: f64) -> f64;
    fn atanh(x: f64) -> f64;
    fn erf(x: f64) -> f64;
    fn erfc(x: f64) -> f64;
    fn tgamma(x: f64) -> f64;
    fn lgamma(x: f64) -> f64;
}

extern "C" fn f64_asinh(x: f64) -> f64 {
    // SAFETY: libm's asinh is a pure function of a double.
    unsafe { asinh(x) }
}
extern "C" fn f64_acosh(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { acosh(x) }
}
extern "C" fn f64_atanh(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { atanh(x) }
}
extern "C" fn f64_erf(x: f64) -> f64 {
    // SAFETY: libm's erf is a pure function of a double.
    unsafe { erf(x) }
}
extern "C" fn f64_erfc(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { erfc(x) }
}
extern "C" fn f64_gamma(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { tgamma(x) }
}
extern "C" fn f64_lgamma(x: f64) -> f64 {
    // SAFETY: as above (glibc's lgamma writes the sign to `signgam`; we do not read it).
    unsafe { lgamma(x) }
}

/// `base ** exp` for `exp >= 0`, wrapping on overflow like Numba's integer power.
pub extern "C" fn int_pow(base: i64, exp: i64) -> i64 {
    let (mut result, mut b, mut e) = (1i64, base, exp);
    while e > 0 {
        if e & 1 == 1 {
            result = result.wrapping_mul(b);
        }
        b = b.wrapping_mul(b);
        e >>= 1;
    }
    result
}

/// `x ** n` for integer `n` by repeated squaring.
pub extern "C" fn f64_powi(x: f64, n: i64) -> f64 {
    x.powi(n.clamp(i32::MIN as i64, i32::MAX as i64) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_has_a_unique_symbol() {
        let mut names: Vec<_> = RuntimeFn::ALL.iter().map(|f| f.describe().symbol).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RuntimeFn::ALL.len());
        for f in RuntimeFn::ALL {
            assert_eq!(RuntimeFn::from_ir_name(f.ir_name()), Some(f));
        }
    }

    #[test]
    fn integer_power_wraps() {
        assert_eq!(int_pow(3, 4), 81);
        assert_eq!(int_pow(2, 64), 0);
        assert_eq!(int_pow(-2, 3), -8);
        assert_eq!(int_pow(5, 0), 1);
    }
}
