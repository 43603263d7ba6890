//! Typing rules shared by inference and lowering: promotion, operators, intrinsics, conversions.
//!
//! Lowering calls these same functions to learn which type each operand is converted to before
//! an operation, so the two stages can never disagree.
//!
//! Where Python, NumPy and Numba differ, the choice made here is:
//! - Promotion of two scalars is NumPy's `np.promote_types` (`i4 + i4` stays `i4`, where
//!   Numba widens integer arithmetic to `intp`; `i8 + u8` → `f8`; `i2 + f4` → `f4`,
//!   `i4 + f4` → `f8`). Literals are not "weak": `u8 + 1` is `f8`, `f4 * 2` is `f8`, as in Numba.
//! - Arithmetic on two bools is Python's: `True + True == 2` (`i8`); `&`, `|`, `^` keep `bool`.
//! - `/` of integers is `f8`; `int ** int` is `i8` (Numba's rule, whatever the exponent's sign);
//!   `float ** int` keeps the float type and passes the exponent as `i8`.
//! - `~True == -2` as in Python (not NumPy's logical not).
//! - `math` functions take floats: integer arguments become `f8`, `f4` stays `f4` (as Numba);
//!   `math.floor/ceil/trunc` and one-argument `round` return `i8` like CPython.

use crate::Intrinsic;
use crate::types::{Scalar, Type};
use frontend::ast::{BinOp, CmpOp, UnaryOp};

/// How a scalar operation is typed: each operand is first converted to its `operands` entry,
/// then the operation produces `result`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpTyping {
    pub operands: Vec<Scalar>,
    pub result: Scalar,
}

impl OpTyping {
    fn same(operand: Scalar, count: usize, result: Scalar) -> OpTyping {
        OpTyping {
            operands: vec![operand; count],
            result,
        }
    }
}

/// Width in bits of an integer type (bool counts as 1).
fn int_bits(s: Scalar) -> u32 {
    if s.is_bool() { 1 } else { s.size_bytes() * 8 }
}

fn signed_of_bits(bits: u32) -> Option<Scalar> {
    match bits {
        8 => Some(Scalar::I8),
        16 => Some(Scalar::I16),
        32 => Some(Scalar::I32),
        64 => Some(Scalar::I64),
        _ => None,
    }
}

/// Rank within a kind: the wider of two same-kind types wins.
fn wider(a: Scalar, b: Scalar) -> Scalar {
    if a.size_bytes() >= b.size_bytes() {
        a
    } else {
        b
    }
}

/// NumPy/Numba promotion of two scalar types for arithmetic (`i4`+`f4` → `f8`,
/// `i8`+`u8` → `f8`, `b1`+`b1` → `i8`-style rules as Numba applies them to scalars).
///
/// This is exactly `np.promote_types`: `promote(b1, b1)` is `b1`; the arithmetic operators
/// ([`binop`]) turn bool arithmetic into `i8` themselves.
pub fn promote(a: Scalar, b: Scalar) -> Scalar {
    use Scalar::*;
    if a == b {
        return a;
    }
    if a.is_bool() {
        return b;
    }
    if b.is_bool() {
        return a;
    }
    // Order so that `a` is the "lower kind": int < float < complex.
    let kind = |s: Scalar| {
        if s.is_int() {
            0
        } else if s.is_float() {
            1
        } else {
            2
        }
    };
    let (a, b) = if kind(a) <= kind(b) { (a, b) } else { (b, a) };
    match (kind(a), kind(b)) {
        (0, 0) => {
            if a.is_signed_int() == b.is_signed_int() {
                return wider(a, b);
            }
            let (signed, unsigned) = if a.is_signed_int() { (a, b) } else { (b, a) };
            if int_bits(signed) > int_bits(unsigned) {
                signed
            } else {
                signed_of_bits(int_bits(unsigned) * 2).unwrap_or(F64)
            }
        }
        // Integers of up to 16 bits fit exactly in f32 (and in c64's components).
        (0, 1) => {
            if b == F32 && int_bits(a) <= 16 {
                F32
            } else {
                F64
            }
        }
        (0, 2) => {
            if b == C64 && int_bits(a) <= 16 {
                C64
            } else {
                C128
            }
        }
        (1, 2) => {
            if a == F32 && b == C64 {
                C64
            } else {
                C128
            }
        }
        _ => wider(a, b),
    }
}

fn operand_error(op: &str, lhs: Scalar, rhs: Scalar) -> String {
    format!("unsupported operand type(s) for {op}: '{lhs}' and '{rhs}'")
}

/// Integer-like: ints and bool (Python's `bool` is an `int`).
fn is_integral(s: Scalar) -> bool {
    s.is_int() || s.is_bool()
}

/// Typing of `lhs op rhs` on scalars; `Err` explains why the operation is ill-typed.
pub fn binop(op: BinOp, lhs: Scalar, rhs: Scalar) -> Result<OpTyping, String> {
    let both_bool = lhs.is_bool() && rhs.is_bool();
    let promoted = promote(lhs, rhs);
    let err = || Err(operand_error(op.symbol(), lhs, rhs));
    match op {
        BinOp::Add | BinOp::Sub | BinOp::Mult => {
            let p = if both_bool { Scalar::I64 } else { promoted };
            Ok(OpTyping::same(p, 2, p))
        }
        BinOp::Div => {
            if is_integral(promoted) {
                Ok(OpTyping::same(Scalar::F64, 2, Scalar::F64))
            } else {
                Ok(OpTyping::same(promoted, 2, promoted))
            }
        }
        BinOp::FloorDiv | BinOp::Mod => {
            if promoted.is_complex() {
                return err();
            }
            let p = if both_bool { Scalar::I64 } else { promoted };
            Ok(OpTyping::same(p, 2, p))
        }
        BinOp::Pow => Ok(power(lhs, rhs)),
        BinOp::LShift | BinOp::RShift => {
            if !is_integral(lhs) || !is_integral(rhs) || !is_integral(promoted) {
                return err();
            }
            let p = if both_bool { Scalar::I64 } else { promoted };
            Ok(OpTyping::same(p, 2, p))
        }
        BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
            // `promoted` is a float for u64 mixed with a signed int: no common integer type.
            if !is_integral(lhs) || !is_integral(rhs) || !is_integral(promoted) {
                return err();
            }
            Ok(OpTyping::same(promoted, 2, promoted))
        }
        BinOp::MatMult => err(),
    }
}

/// `lhs ** rhs` (also `pow(lhs, rhs)`).
fn power(lhs: Scalar, rhs: Scalar) -> OpTyping {
    if is_integral(lhs) && is_integral(rhs) {
        return OpTyping::same(Scalar::I64, 2, Scalar::I64);
    }
    if lhs.is_float() && is_integral(rhs) {
        return OpTyping {
            operands: vec![lhs, Scalar::I64],
            result: lhs,
        };
    }
    let p = promote(lhs, rhs);
    OpTyping::same(p, 2, p)
}

/// Typing of `op operand` on a scalar.
pub fn unaryop(op: UnaryOp, operand: Scalar) -> Result<OpTyping, String> {
    match op {
        UnaryOp::Neg | UnaryOp::Pos => {
            let t = if operand.is_bool() {
                Scalar::I64
            } else {
                operand
            };
            Ok(OpTyping::same(t, 1, t))
        }
        UnaryOp::Invert => {
            if !is_integral(operand) {
                return Err(format!("bad operand type for unary ~: '{operand}'"));
            }
            let t = if operand.is_bool() {
                Scalar::I64
            } else {
                operand
            };
            Ok(OpTyping::same(t, 1, t))
        }
        UnaryOp::Not => Ok(OpTyping::same(operand, 1, Scalar::Bool)),
    }
}

/// The digits of an f-string's `.Nf` format spec (`.3f` → 3), up to 20.
pub fn fixed_precision(spec: &str) -> Option<u8> {
    let digits = spec.strip_prefix('.')?.strip_suffix('f')?;
    digits.parse::<u8>().ok().filter(|&n| n <= 20)
}

/// Typing of one comparison `lhs op rhs`; the result is always `Bool`.
pub fn compare(op: CmpOp, lhs: Scalar, rhs: Scalar) -> Result<OpTyping, String> {
    let p = promote(lhs, rhs);
    match op {
        CmpOp::Eq | CmpOp::NotEq => Ok(OpTyping::same(p, 2, Scalar::Bool)),
        CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE => {
            if p.is_complex() {
                let sym = op.symbol();
                return Err(format!(
                    "'{sym}' not supported between instances of '{lhs}' and '{rhs}'"
                ));
            }
            Ok(OpTyping::same(p, 2, Scalar::Bool))
        }
        CmpOp::In | CmpOp::NotIn => Err(format!(
            "argument of type '{rhs}' is not iterable (`{}`)",
            op.symbol()
        )),
        CmpOp::Is | CmpOp::IsNot => Err(format!(
            "'{}' is only supported with None, not between '{lhs}' and '{rhs}'",
            op.symbol()
        )),
    }
}

fn arity_error(intrinsic: Intrinsic, expected: &str, given: usize) -> String {
    format!("{}() takes {expected} ({given} given)", intrinsic.name())
}

fn check_arity(
    intrinsic: Intrinsic,
    args: &[Scalar],
    min: usize,
    max: usize,
) -> Result<(), String> {
    if (min..=max).contains(&args.len()) {
        return Ok(());
    }
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    let expected = if min == max {
        format!("exactly {min} {}", plural(min))
    } else if max == usize::MAX {
        format!("at least {min} {}", plural(min))
    } else {
        format!("{min} to {max} arguments")
    };
    Err(arity_error(intrinsic, &expected, args.len()))
}

/// The float type a `math` function computes in for an argument: ints become `f8`.
fn math_float(intrinsic: Intrinsic, arg: Scalar) -> Result<Scalar, String> {
    if arg.is_complex() {
        return Err(format!(
            "{}() does not accept complex arguments, got '{arg}'",
            intrinsic.name()
        ));
    }
    Ok(if arg.is_float() { arg } else { Scalar::F64 })
}

/// Typing of a call of `intrinsic` with scalar arguments.
pub fn intrinsic(intrinsic: Intrinsic, args: &[Scalar]) -> Result<OpTyping, String> {
    use Intrinsic::*;
    match intrinsic {
        Sqrt | Exp | Expm1 | Log | Log1p | Log10 | Log2 | Sin | Cos | Tan | Asin | Acos | Atan
        | Sinh | Cosh | Tanh | Asinh | Acosh | Atanh | Fabs | Degrees | Radians | Erf | Erfc
        | Gamma | Lgamma | Exp2 | Cbrt | Frexp | Modf | NpFloor | NpCeil | NpTrunc | Rint => {
            check_arity(intrinsic, args, 1, 1)?;
            let f = math_float(intrinsic, args[0])?;
            Ok(OpTyping::same(f, 1, f))
        }
        Atan2 | MathPow | Hypot | Copysign | Fmod | Nextafter | Remainder => {
            check_arity(intrinsic, args, 2, 2)?;
            let f = promote(
                math_float(intrinsic, args[0])?,
                math_float(intrinsic, args[1])?,
            );
            Ok(OpTyping::same(f, 2, f))
        }
        Floor | Ceil | Trunc => {
            check_arity(intrinsic, args, 1, 1)?;
            let arg = args[0];
            if arg.is_int() {
                return Ok(OpTyping::same(arg, 1, arg));
            }
            let f = math_float(intrinsic, arg)?;
            let operand = if arg.is_bool() { Scalar::I64 } else { f };
            Ok(OpTyping {
                operands: vec![operand],
                result: Scalar::I64,
            })
        }
        LogicalAnd | LogicalOr | LogicalXor => {
            check_arity(intrinsic, args, 2, 2)?;
            let f = promote(
                math_float(intrinsic, args[0])?,
                math_float(intrinsic, args[1])?,
            );
            Ok(OpTyping::same(f, 2, Scalar::Bool))
        }
        IsNan | IsInf | IsFinite | Signbit | LogicalNot => {
            check_arity(intrinsic, args, 1, 1)?;
            let f = math_float(intrinsic, args[0])?;
            Ok(OpTyping::same(f, 1, Scalar::Bool))
        }
        Square | Sign => {
            check_arity(intrinsic, args, 1, 1)?;
            // NumPy keeps the type; bools compute as int64 (`np.square(True)` is 1).
            let arg = if args[0].is_bool() {
                Scalar::I64
            } else {
                args[0]
            };
            if intrinsic == Sign && arg.is_complex() {
                return Err("sign() of a complex number is not supported".into());
            }
            Ok(OpTyping::same(arg, 1, arg))
        }
        Clip => {
            check_arity(intrinsic, args, 3, 3)?;
            let p = args[1..].iter().fold(args[0], |acc, &s| promote(acc, s));
            if p.is_complex() {
                return Err(format!("clip() cannot order complex numbers ('{p}')"));
            }
            Ok(OpTyping::same(p, 3, p))
        }
        Abs | Absolute => {
            check_arity(intrinsic, args, 1, 1)?;
            let arg = args[0];
            let operand = if arg.is_bool() { Scalar::I64 } else { arg };
            Ok(OpTyping {
                operands: vec![operand],
                result: operand.real_part(),
            })
        }
        Min | Max | Minimum | Maximum => {
            let most = if matches!(intrinsic, Min | Max) {
                usize::MAX
            } else {
                2
            };
            check_arity(intrinsic, args, 2, most)?;
            let p = args[1..].iter().fold(args[0], |acc, &s| promote(acc, s));
            if p.is_complex() {
                let name = intrinsic.name();
                return Err(format!("{name}() cannot order complex numbers ('{p}')"));
            }
            Ok(OpTyping::same(p, args.len(), p))
        }
        Round => {
            check_arity(intrinsic, args, 1, 2)?;
            let f = math_float(intrinsic, args[0])?;
            if args.len() == 1 {
                let operand = if is_integral(args[0]) { Scalar::I64 } else { f };
                return Ok(OpTyping {
                    operands: vec![operand],
                    result: Scalar::I64,
                });
            }
            if !is_integral(args[1]) {
                return Err(format!(
                    "round() ndigits must be an integer, got '{}'",
                    args[1]
                ));
            }
            if is_integral(args[0]) {
                // `round(int, n)` is an int, as in Python.
                return Ok(OpTyping::same(Scalar::I64, 2, Scalar::I64));
            }
            Ok(OpTyping {
                operands: vec![f, Scalar::I64],
                result: f,
            })
        }
        Pow => {
            check_arity(intrinsic, args, 2, 2)?;
            Ok(power(args[0], args[1]))
        }
        Range | Prange => {
            check_arity(intrinsic, args, 1, 3)?;
            if let Some(bad) = args.iter().find(|s| !is_integral(**s)) {
                return Err(format!("range() arguments must be integers, got '{bad}'"));
            }
            Ok(OpTyping::same(Scalar::I64, args.len(), Scalar::I64))
        }
        Len => {
            check_arity(intrinsic, args, 1, 1)?;
            Err(format!("object of type '{}' has no len()", args[0]))
        }
        Ldexp => {
            check_arity(intrinsic, args, 2, 2)?;
            let f = math_float(intrinsic, args[0])?;
            if !is_integral(args[1]) {
                return Err(format!(
                    "ldexp() second argument must be an integer, got '{}'",
                    args[1]
                ));
            }
            Ok(OpTyping {
                operands: vec![f, Scalar::I64],
                result: f,
            })
        }
        IsClose => {
            check_arity(intrinsic, args, 2, 2)?;
            let f = promote(
                math_float(intrinsic, args[0])?,
                math_float(intrinsic, args[1])?,
            );
            Ok(OpTyping::same(f, 2, Scalar::Bool))
        }
        Gcd => {
            check_arity(intrinsic, args, 2, 2)?;
            if let Some(bad) = args.iter().find(|s| !is_integral(**s)) {
                return Err(format!("gcd() arguments must be integers, got '{bad}'"));
            }
            Ok(OpTyping::same(Scalar::I64, 2, Scalar::I64))
        }
        DivMod => {
            check_arity(intrinsic, args, 2, 2)?;
            binop(BinOp::FloorDiv, args[0], args[1])
                .map_err(|_| operand_error("divmod()", args[0], args[1]))
        }
        Conjugate => {
            check_arity(intrinsic, args, 1, 1)?;
            let t = if args[0].is_bool() {
                Scalar::I64
            } else {
                args[0]
            };
            Ok(OpTyping::same(t, 1, t))
        }
        Cmath(f) => cmath(f, args),
        Sum | Enumerate | Zip | Print => Err(format!(
            "{}() is not supported on these arguments",
            intrinsic.name()
        )),
    }
}

/// Typing of a `cmath` function: arguments become complex (`complex64` stays, as `float32`
/// does for `math`); the result is complex, a bool (`isnan`…), a float (`phase`) or the part
/// type of `polar`'s tuple.
fn cmath(f: crate::CmathFn, args: &[Scalar]) -> Result<OpTyping, String> {
    use crate::CmathFn::*;
    let complex_of = |s: Scalar| {
        if matches!(s, Scalar::C64 | Scalar::F32) {
            Scalar::C64
        } else {
            Scalar::C128
        }
    };
    let intrinsic = Intrinsic::Cmath(f);
    if f == Rect {
        check_arity(intrinsic, args, 2, 2)?;
        let r = math_float(intrinsic, args[0])?;
        let phi = math_float(intrinsic, args[1])?;
        return Ok(OpTyping {
            operands: vec![Scalar::F64, Scalar::F64],
            result: complex_of(promote(r, phi)),
        });
    }
    let max = if f == Log { 2 } else { 1 };
    check_arity(intrinsic, args, 1, max)?;
    let c = args[1..]
        .iter()
        .fold(complex_of(args[0]), |acc, &s| promote(acc, complex_of(s)));
    let result = match f {
        IsFinite | IsInf | IsNan => Scalar::Bool,
        Phase | Polar => c.real_part(),
        _ => c,
    };
    Ok(OpTyping::same(c, args.len(), result))
}

/// The Python-level type of a call of `intrinsic` whose scalar typing is `typing`: most return
/// `typing.result`; `frexp`, `modf`, `divmod` and `cmath.polar` return tuples.
pub fn intrinsic_result_type(intrinsic: Intrinsic, typing: &OpTyping) -> Type {
    let r = Type::Scalar(typing.result);
    match intrinsic {
        Intrinsic::Range | Intrinsic::Prange => Type::Range,
        Intrinsic::Frexp => Type::Tuple(vec![Type::F64, Type::I64]),
        Intrinsic::Modf | Intrinsic::DivMod | Intrinsic::Cmath(crate::CmathFn::Polar) => {
            Type::Tuple(vec![r.clone(), r])
        }
        _ => r,
    }
}

/// The type a variable gets when it is assigned both `a` and `b` (int then float → float);
/// `None` if they cannot be unified.
pub fn unify(a: &Type, b: &Type) -> Option<Type> {
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (Type::Scalar(x), Type::Scalar(y)) => Some(Type::Scalar(promote(*x, *y))),
        (
            Type::Array {
                dtype: d1,
                ndim: n1,
                layout: l1,
                readonly: r1,
            },
            Type::Array {
                dtype: d2,
                ndim: n2,
                layout: l2,
                readonly: r2,
            },
        ) if d1 == d2 && n1 == n2 => {
            // A variable that may hold a read-only array is read-only.
            let layout = if l1 == l2 { *l1 } else { crate::Layout::A };
            Some(Type::array(*d1, *n1, layout).with_readonly(*r1 || *r2))
        }
        (Type::Tuple(xs), Type::Tuple(ys)) if xs.len() == ys.len() => xs
            .iter()
            .zip(ys)
            .map(|(x, y)| unify(x, y))
            .collect::<Option<Vec<_>>>()
            .map(Type::Tuple),
        (
            Type::Dict {
                key: k1,
                value: v1,
                typed: t1,
            },
            Type::Dict {
                key: k2,
                value: v2,
                typed: t2,
            },
        ) if t1 == t2 => Some(Type::Dict {
            key: Box::new(unify_known(k1, k2)?),
            value: Box::new(unify_known(v1, v2)?),
            typed: *t1,
        }),
        (Type::Set { item: x }, Type::Set { item: y }) => Some(Type::Set {
            item: Box::new(unify_known(x, y)?),
        }),
        (Type::List { item: x, typed: tx }, Type::List { item: y, typed: ty }) if tx == ty => {
            let item = match (&**x, &**y) {
                (Type::Unknown, other) | (other, Type::Unknown) => other.clone(),
                (x, y) => unify(x, y)?,
            };
            Some(Type::List {
                item: Box::new(item),
                typed: *tx,
            })
        }
        _ => None,
    }
}

/// Like [`unify`], and a number, array, tuple or string unifies with `None` into an optional
/// (a variable assigned both, a function returning both), as Numba's `OptionalType`.
pub fn unify_optional(a: &Type, b: &Type) -> Option<Type> {
    // `@jitclass` instances may be None too (a null object pointer): linked structures.
    let number = |t: &Type| {
        matches!(
            t,
            Type::Scalar(_)
                | Type::Array { .. }
                | Type::Tuple(_)
                | Type::Str
                | Type::Instance { .. }
        )
    };
    match (a, b) {
        (Type::NoneType, t) | (t, Type::NoneType) if number(t) => {
            Some(Type::Optional(Box::new(t.clone())))
        }
        (o @ Type::Optional(_), Type::NoneType) | (Type::NoneType, o @ Type::Optional(_)) => {
            Some(o.clone())
        }
        (Type::Optional(x), Type::Optional(y)) => {
            Some(Type::Optional(Box::new(unify_optional(x, y)?)))
        }
        (Type::Optional(x), t) | (t, Type::Optional(x)) if number(t) => {
            Some(Type::Optional(Box::new(unify(x, t)?)))
        }
        _ => unify(a, b),
    }
}

/// Unifies two item types of which either may still be unknown.
fn unify_known(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Unknown, other) | (other, Type::Unknown) => Some(other.clone()),
        _ => unify(a, b),
    }
}

/// Whether a value of type `from` may be implicitly converted to `to` (assignment to a
/// unified variable, storing into an array element, returning under a declared signature).
pub fn can_convert(from: &Type, to: &Type) -> bool {
    if from == to {
        return true;
    }
    match (from, to) {
        // Numbers, arrays and tuples: the one table of conversions (any rank will do here).
        (Type::Scalar(_), Type::Scalar(_))
        | (Type::Array { .. }, Type::Array { .. })
        | (Type::Tuple(_), Type::Tuple(_))
            if crate::conversion::conversion(from, to).is_some() =>
        {
            true
        }
        (Type::Tuple(xs), Type::Tuple(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| can_convert(x, y))
        }
        (Type::List { .. }, Type::List { .. })
        | (Type::Dict { .. }, Type::Dict { .. })
        | (Type::Set { .. }, Type::Set { .. }) => unify(from, to).as_ref() == Some(to),
        (Type::NoneType, Type::Optional(_)) => true,
        (Type::Optional(f), Type::Optional(t)) => can_convert(f, t),
        (f, Type::Optional(t)) => can_convert(f, t),
        _ => false,
    }
}
