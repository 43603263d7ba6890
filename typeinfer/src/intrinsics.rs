//! The table of built-in and library functions a kernel may call: one variant per operation.
//!
//! Adding an operation (say `math.hypot`) means: a variant here, its name(s) in
//! [`Intrinsic::lookup`], its typing in `rules::intrinsic_result`, and one lowering per backend,
//! each found by following an exhaustive `match` on [`Intrinsic`].

use crate::ModuleKind;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Intrinsic {
    // Builtins.
    Abs,
    /// `np.abs`/`np.absolute`, and `abs` of an array: NumPy's element-wise absolute value.
    /// As [`Intrinsic::Abs`] but for complex numbers, whose modulus NumPy computes as
    /// `larger * sqrt(fma(r, r, 1))` (`r` the smaller part over the larger) where Python's
    /// `abs` calls `hypot`: they may differ in the last bit.
    Absolute,
    Min,
    Max,
    /// `np.minimum(a, b)`: NumPy's element-wise extreme, unlike `min`: NaN when either operand
    /// is NaN, and the second operand on ties (`np.minimum(0.0, -0.0)` is `-0.0`).
    Minimum,
    /// `np.maximum(a, b)`: as [`Intrinsic::Minimum`] (`np.maximum(-0.0, 0.0)` is `0.0`).
    Maximum,
    Len,
    Range,
    /// `prange`: a `range` whose iterations may run in parallel (`parallel=True`).
    Prange,
    Round,
    Pow,
    // `math` (one float argument unless noted).
    Sqrt,
    Exp,
    Expm1,
    Log,
    Log1p,
    Log10,
    Log2,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    /// Two arguments.
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    /// Returns an int, like CPython.
    Floor,
    /// Returns an int, like CPython.
    Ceil,
    /// Returns an int, like CPython.
    Trunc,
    Fabs,
    /// Two arguments, float result (`math.pow`).
    MathPow,
    /// Two arguments.
    Hypot,
    /// Two arguments.
    Copysign,
    /// Two arguments.
    Fmod,
    IsNan,
    IsInf,
    IsFinite,
    Degrees,
    Radians,
    Erf,
    Erfc,
    Gamma,
    Lgamma,
    Exp2,
    Cbrt,
    /// Two arguments.
    Nextafter,
    /// Two arguments: a float and an integer exponent.
    Ldexp,
    /// Returns a tuple `(mantissa, exponent)`.
    Frexp,
    /// Returns a tuple `(fractional part, integer part)`.
    Modf,
    /// Two integers.
    Gcd,
    /// Two arguments (default tolerances; keyword arguments are not supported).
    IsClose,
    /// Two arguments.
    Remainder,
    /// A `cmath` function.
    Cmath(CmathFn),
    // More builtins.
    /// `divmod(a, b)`: a tuple `(a // b, a % b)`.
    DivMod,
    /// `sum(iterable[, start])`.
    Sum,
    /// `enumerate(iterable[, start])`, only as the iterable of a `for`.
    Enumerate,
    /// `zip(a, b, ...)`, only as the iterable of a `for`.
    Zip,
    /// `print(...)` of numbers and string literals.
    Print,
    /// `x.conjugate()`: the receiver is the one argument.
    Conjugate,
    // NumPy's element-wise functions that differ from `math`'s.
    /// `np.floor`: a float of the argument's float type (`math.floor` gives an int).
    NpFloor,
    NpCeil,
    NpTrunc,
    /// `np.rint` / `np.round` with no decimals: round half to even, a float.
    Rint,
    /// `np.square`: `x * x` in the argument's type.
    Square,
    /// `np.sign`: -1, 0 or 1 in the argument's type (NaN for NaN).
    Sign,
    /// `np.clip(x, lo, hi)`: `min(max(x, lo), hi)`, NaN propagating.
    Clip,
    /// `np.signbit`: whether the sign bit is set (true for -0.0 and negative NaNs).
    Signbit,
    /// `np.logical_not(x)`: `x == 0` (NaN is true, so its logical not is false).
    LogicalNot,
    /// `np.logical_and(x, y)` / `logical_or` / `logical_xor`: of the truth values.
    LogicalAnd,
    LogicalOr,
    LogicalXor,
}

/// The functions of `cmath`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum CmathFn {
    Acos,
    Acosh,
    Asin,
    Asinh,
    Atan,
    Atanh,
    Cos,
    Cosh,
    Exp,
    /// One or two arguments.
    Log,
    Log10,
    Sin,
    Sinh,
    Sqrt,
    Tan,
    Tanh,
    IsFinite,
    IsInf,
    IsNan,
    /// The argument of a complex number (a float).
    Phase,
    /// `(abs(z), phase(z))`.
    Polar,
    /// `rect(r, phi)`: two real arguments, a complex result.
    Rect,
}

impl CmathFn {
    pub const ALL: [CmathFn; 22] = {
        use CmathFn::*;
        [
            Acos, Acosh, Asin, Asinh, Atan, Atanh, Cos, Cosh, Exp, Log, Log10, Sin, Sinh, Sqrt,
            Tan, Tanh, IsFinite, IsInf, IsNan, Phase, Polar, Rect,
        ]
    };

    /// The name after `cmath.`.
    pub fn name(self) -> &'static str {
        use CmathFn::*;
        match self {
            Acos => "acos",
            Acosh => "acosh",
            Asin => "asin",
            Asinh => "asinh",
            Atan => "atan",
            Atanh => "atanh",
            Cos => "cos",
            Cosh => "cosh",
            Exp => "exp",
            Log => "log",
            Log10 => "log10",
            Sin => "sin",
            Sinh => "sinh",
            Sqrt => "sqrt",
            Tan => "tan",
            Tanh => "tanh",
            IsFinite => "isfinite",
            IsInf => "isinf",
            IsNan => "isnan",
            Phase => "phase",
            Polar => "polar",
            Rect => "rect",
        }
    }
}

impl Intrinsic {
    /// Finds `name` in `module` (`None` = Python builtins).
    pub fn lookup(module: Option<ModuleKind>, name: &str) -> Option<Intrinsic> {
        use Intrinsic::*;
        let builtin = match name {
            "abs" => Some(Abs),
            "min" => Some(Min),
            "max" => Some(Max),
            "len" => Some(Len),
            "range" => Some(Range),
            "round" => Some(Round),
            "pow" => Some(Pow),
            "divmod" => Some(DivMod),
            "sum" => Some(Sum),
            "enumerate" => Some(Enumerate),
            "zip" => Some(Zip),
            "print" => Some(Print),
            _ => None,
        };
        let math = match name {
            "sqrt" => Some(Sqrt),
            "exp" => Some(Exp),
            "expm1" => Some(Expm1),
            "log" => Some(Log),
            "log1p" => Some(Log1p),
            "log10" => Some(Log10),
            "log2" => Some(Log2),
            "sin" => Some(Sin),
            "cos" => Some(Cos),
            "tan" => Some(Tan),
            "asin" => Some(Asin),
            "acos" => Some(Acos),
            "atan" => Some(Atan),
            "atan2" => Some(Atan2),
            "sinh" => Some(Sinh),
            "cosh" => Some(Cosh),
            "tanh" => Some(Tanh),
            "asinh" => Some(Asinh),
            "acosh" => Some(Acosh),
            "atanh" => Some(Atanh),
            "floor" => Some(Floor),
            "ceil" => Some(Ceil),
            "trunc" => Some(Trunc),
            "fabs" => Some(Fabs),
            "pow" => Some(MathPow),
            "hypot" => Some(Hypot),
            "copysign" => Some(Copysign),
            "fmod" => Some(Fmod),
            "isnan" => Some(IsNan),
            "isinf" => Some(IsInf),
            "isfinite" => Some(IsFinite),
            "degrees" => Some(Degrees),
            "radians" => Some(Radians),
            "erf" => Some(Erf),
            "erfc" => Some(Erfc),
            "gamma" => Some(Gamma),
            "lgamma" => Some(Lgamma),
            "exp2" => Some(Exp2),
            "cbrt" => Some(Cbrt),
            "nextafter" => Some(Nextafter),
            "ldexp" => Some(Ldexp),
            "frexp" => Some(Frexp),
            "modf" => Some(Modf),
            "gcd" => Some(Gcd),
            "isclose" => Some(IsClose),
            "remainder" => Some(Remainder),
            _ => None,
        };
        match module {
            None => builtin,
            Some(ModuleKind::Math) => math,
            // NumPy's scalar functions that behave like math's on scalars.
            Some(ModuleKind::Numpy) => match name {
                "abs" | "absolute" => Some(Absolute),
                "minimum" => Some(Minimum),
                "maximum" => Some(Maximum),
                "power" => Some(Pow),
                "arcsin" => Some(Asin),
                "arccos" => Some(Acos),
                "arctan" => Some(Atan),
                "arctan2" => Some(Atan2),
                "arcsinh" => Some(Asinh),
                "arccosh" => Some(Acosh),
                "arctanh" => Some(Atanh),
                "floor" => Some(NpFloor),
                "ceil" => Some(NpCeil),
                "trunc" | "fix" => Some(NpTrunc),
                "rint" => Some(Rint),
                "square" => Some(Square),
                "sign" => Some(Sign),
                "clip" => Some(Clip),
                "signbit" => Some(Signbit),
                "logical_not" => Some(LogicalNot),
                "logical_and" => Some(LogicalAnd),
                "logical_or" => Some(LogicalOr),
                "logical_xor" => Some(LogicalXor),
                // NumPy's `remainder` is Python's `%`; its `isclose` has other tolerances.
                "pow" | "remainder" | "isclose" => None,
                _ => math,
            },
            Some(ModuleKind::Ferrojit) => (name == "prange").then_some(Prange),
            // `random.<name>` is an array function (`ArrayFn::python_random_function`).
            Some(ModuleKind::Random) => None,
            Some(ModuleKind::Cmath) => CmathFn::ALL
                .into_iter()
                .find(|f| f.name() == name)
                .map(Cmath),
        }
    }

    /// The name shown in messages.
    pub fn name(self) -> &'static str {
        use Intrinsic::*;
        match self {
            Abs | Absolute => "abs",
            Min => "min",
            Max => "max",
            Minimum => "minimum",
            Maximum => "maximum",
            Len => "len",
            Range => "range",
            Prange => "prange",
            Round => "round",
            Pow => "pow",
            Sqrt => "sqrt",
            Exp => "exp",
            Expm1 => "expm1",
            Log => "log",
            Log1p => "log1p",
            Log10 => "log10",
            Log2 => "log2",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Asin => "asin",
            Acos => "acos",
            Atan => "atan",
            Atan2 => "atan2",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Asinh => "asinh",
            Acosh => "acosh",
            Atanh => "atanh",
            Floor => "floor",
            Ceil => "ceil",
            Trunc => "trunc",
            Fabs => "fabs",
            MathPow => "math.pow",
            Hypot => "hypot",
            Copysign => "copysign",
            Fmod => "fmod",
            IsNan => "isnan",
            IsInf => "isinf",
            IsFinite => "isfinite",
            Degrees => "degrees",
            Radians => "radians",
            Erf => "erf",
            Erfc => "erfc",
            Gamma => "gamma",
            Lgamma => "lgamma",
            Exp2 => "exp2",
            Cbrt => "cbrt",
            Nextafter => "nextafter",
            Ldexp => "ldexp",
            Frexp => "frexp",
            Modf => "modf",
            NpFloor => "floor",
            NpCeil => "ceil",
            NpTrunc => "trunc",
            Rint => "rint",
            Square => "square",
            Signbit => "signbit",
            LogicalNot => "logical_not",
            LogicalAnd => "logical_and",
            LogicalOr => "logical_or",
            LogicalXor => "logical_xor",
            Sign => "sign",
            Clip => "clip",
            Gcd => "gcd",
            IsClose => "isclose",
            Remainder => "remainder",
            Cmath(f) => f.name(),
            DivMod => "divmod",
            Sum => "sum",
            Enumerate => "enumerate",
            Zip => "zip",
            Print => "print",
            Conjugate => "conjugate",
        }
    }
}
