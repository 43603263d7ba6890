//! Promotion and operator typing, checked against NumPy's promotion table and
//! `tests/data/rules.txt`.

use crate::common;

use frontend::ast::{BinOp, CmpOp, UnaryOp};
use typeinfer::rules::{self, OpTyping};
use typeinfer::signature::parse_type;
use typeinfer::{Intrinsic, ModuleKind, Scalar};

/// `np.promote_types` for the columns' types, row by row (written from NumPy's documentation,
/// independently of `rules::promote`).
const PROMOTION: &str = "
      b1  i1  i2  i4  i8  u1  u2  u4  u8  f4  f8  c8  c16
b1    b1  i1  i2  i4  i8  u1  u2  u4  u8  f4  f8  c8  c16
i1    i1  i1  i2  i4  i8  i2  i4  i8  f8  f4  f8  c8  c16
i2    i2  i2  i2  i4  i8  i2  i4  i8  f8  f4  f8  c8  c16
i4    i4  i4  i4  i4  i8  i4  i4  i8  f8  f8  f8  c16 c16
i8    i8  i8  i8  i8  i8  i8  i8  i8  f8  f8  f8  c16 c16
u1    u1  i2  i2  i4  i8  u1  u2  u4  u8  f4  f8  c8  c16
u2    u2  i4  i4  i4  i8  u2  u2  u4  u8  f4  f8  c8  c16
u4    u4  i8  i8  i8  i8  u4  u4  u4  u8  f8  f8  c16 c16
u8    u8  f8  f8  f8  f8  u8  u8  u8  u8  f8  f8  c16 c16
f4    f4  f4  f4  f8  f8  f4  f4  f8  f8  f4  f8  c8  c16
f8    f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  c16 c16
c8    c8  c8  c8  c16 c16 c8  c8  c16 c16 c8  c16 c8  c16
c16   c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16
";

fn scalar(name: &str) -> Scalar {
    Scalar::from_name(name).unwrap_or_else(|| panic!("unknown scalar {name}"))
}

#[test]
fn promotion_matches_numpy() {
    let mut lines = PROMOTION.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<Scalar> = lines
        .next()
        .unwrap_or("")
        .split_whitespace()
        .map(scalar)
        .collect();
    assert_eq!(header.len(), Scalar::ALL.len());
    let mut failures = Vec::new();
    for line in lines {
        let mut cells = line.split_whitespace().map(scalar);
        let row = cells.next().unwrap_or(Scalar::Bool);
        for (&column, expected) in header.iter().zip(cells) {
            let actual = rules::promote(row, column);
            if actual != expected {
                failures.push(format!(
                    "promote({row:?}, {column:?}) = {actual:?}, want {expected:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn show_typing(result: Result<OpTyping, String>) -> String {
    match result {
        Ok(t) => {
            let operands: Vec<&str> = t.operands.iter().map(|s| s.short_name()).collect();
            format!("{} ({})", t.result.short_name(), operands.join(", "))
        }
        Err(message) => format!("error: {message}"),
    }
}

fn bin_op(symbol: &str) -> Option<BinOp> {
    use BinOp::*;
    let ops = [
        Add, Sub, Mult, MatMult, Div, FloorDiv, Mod, Pow, LShift, RShift, BitOr, BitXor, BitAnd,
    ];
    ops.into_iter().find(|op| op.symbol() == symbol)
}

fn cmp_op(symbol: &str) -> Option<CmpOp> {
    use CmpOp::*;
    [Eq, NotEq, Lt, LtE, Gt, GtE, Is, IsNot]
        .into_iter()
        .find(|op| op.symbol() == symbol)
}

fn type_pair(args: &str) -> Option<(typeinfer::Type, typeinfer::Type)> {
    let (a, b) = args.strip_suffix(')')?.split_once(';')?;
    Some((parse_type(a.trim()).ok()?, parse_type(b.trim()).ok()?))
}

/// Renders one line of `rules.txt`: `a OP b`, `OP a`, `name(args)`, `unify(T; U)`,
/// `convert(T; U)`.
fn render(input: &str) -> String {
    if let Some(args) = input.strip_prefix("unify(") {
        return match type_pair(args) {
            Some((a, b)) => rules::unify(&a, &b).map_or("fails".to_string(), |t| t.to_string()),
            None => "bad test line".to_string(),
        };
    }
    if let Some(args) = input.strip_prefix("convert(") {
        return match type_pair(args) {
            Some((a, b)) => (if rules::can_convert(&a, &b) {
                "yes"
            } else {
                "no"
            })
            .to_string(),
            None => "bad test line".to_string(),
        };
    }
    if let Some((name, args)) = input.split_once('(') {
        let (module, name) = match name.strip_prefix("math.") {
            Some(name) => (Some(ModuleKind::Math), name),
            None => (None, name),
        };
        let intrinsic = Intrinsic::lookup(module, name)
            .or_else(|| Intrinsic::lookup(Some(ModuleKind::Math), name));
        let args: Vec<Scalar> = args
            .trim_end_matches(')')
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(scalar)
            .collect();
        return match intrinsic {
            Some(i) => show_typing(rules::intrinsic(i, &args)),
            None => "bad test line: unknown intrinsic".to_string(),
        };
    }
    let words: Vec<&str> = input.split_whitespace().collect();
    match words.as_slice() {
        [op, operand] => {
            let op = match *op {
                "-" => UnaryOp::Neg,
                "+" => UnaryOp::Pos,
                "~" => UnaryOp::Invert,
                _ => UnaryOp::Not,
            };
            show_typing(rules::unaryop(op, scalar(operand)))
        }
        [lhs, op, rhs] => {
            let (lhs, rhs) = (scalar(lhs), scalar(rhs));
            match (bin_op(op), cmp_op(op)) {
                (Some(op), _) => show_typing(rules::binop(op, lhs, rhs)),
                (None, Some(op)) => show_typing(rules::compare(op, lhs, rhs)),
                _ => "bad test line: unknown operator".to_string(),
            }
        }
        _ => "bad test line".to_string(),
    }
}

#[test]
fn operator_and_intrinsic_typing() {
    common::check_table("data/rules.txt", render);
}
