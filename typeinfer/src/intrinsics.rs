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
    Min,
    Max,
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
            _ => None,
        };
        match module {
            None => builtin,
            Some(ModuleKind::Math) => math,
            // NumPy's scalar functions that behave like math's on scalars.
            Some(ModuleKind::Numpy) => match name {
                "abs" | "absolute" => Some(Abs),
                "minimum" => Some(Min),
                "maximum" => Some(Max),
                "power" => Some(Pow),
                "arcsin" => Some(Asin),
                "arccos" => Some(Acos),
                "arctan" => Some(Atan),
                "arctan2" => Some(Atan2),
                "arcsinh" => Some(Asinh),
                "arccosh" => Some(Acosh),
                "arctanh" => Some(Atanh),
                "floor" | "ceil" | "trunc" | "pow" => None,
                _ => math,
            },
            Some(ModuleKind::Ferrojit) => (name == "prange").then_some(Prange),
            Some(ModuleKind::Cmath) => None,
        }
    }

    /// The name shown in messages.
    pub fn name(self) -> &'static str {
        use Intrinsic::*;
        match self {
            Abs => "abs",
            Min => "min",
            Max => "max",
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
        }
    }
}
