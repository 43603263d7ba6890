//! Integer narrowing: `ireduce` of a computation done wider than it needed to be.
//!
//! Python's integers type as `int64`, so a variable that mixes an `int32` element with a literal
//! (`v = a[i]; if v < 100: v = 100; out[i] = v`) is computed in `i64` and narrowed at the store:
//! `ireduce.i32 (select c, 100, sext.i64 x)`. The wide values cost a sign extension per element
//! and stop the vectoriser (four `i32` lanes become two `i64` ones). Truncation modulo `2^w`
//! distributes over the operations that wrap: `select`, `iadd`, `isub`, `imul`, `ineg`, `band`,
//! `bor`, `bxor`, `bnot`; and `ireduce.T (sext/uext x)` is `x` when `x` has type `T`. So an
//! `ireduce.T v` whose operand tree (up to [`MAX_NODES`] nodes) ends only in such extensions
//! of `T` values and in constants is recomputed in `T`, just before the `ireduce`, and replaces
//! it: bitwise the same value. The wide tree stays for its other uses (`dce` removes it when
//! there are none). Divisions, shifts and min/max are not looked through: they do not commute
//! with truncation — unless every value of the tree provably fits in `i32` (interval
//! arithmetic from the extensions' ranges, [`range_in_i32`]): then the tree is recomputed in
//! `i32` exactly, shifts and all (`int(x) * 3 // 4` of an `int16` `x`), and narrowed from there.
//! A comparison of two extended narrow values (or of one and a constant that
//! fits) compares the narrow values, when the extension matches the comparison's signedness.

use super::util::substitute;
use crate::function::{Block, Function, Inst, IntCC, Op, Ty, Value, ValueDef};
use std::collections::HashMap;

/// Most operations one narrowed tree may have (keeps the pass linear and the copies small).
const MAX_NODES: usize = 16;

/// Runs the pass; true if an `ireduce` was replaced or a comparison narrowed.
pub fn run(func: &mut Function) -> bool {
    let mut replaced: HashMap<Value, Value> = HashMap::new();
    let mut changed = false;
    for block in func.layout.clone() {
        let mut at = 0;
        while at < func.block(block).insts.len() {
            let inst = func.block(block).insts[at];
            at += 1;
            let data = func.inst(inst);
            if let Op::Icmp(cc) = data.op {
                if let Some(args) = narrow_compare(func, cc, data.args[0], data.args[1]) {
                    let mut new_insts = Vec::new();
                    let args: Vec<Value> = args
                        .into_iter()
                        .map(|(v, ty)| emit(func, v, ty, &mut new_insts))
                        .collect();
                    func.inst_mut(inst).args = args;
                    at += place_before(func, block, at - 1, new_insts);
                    changed = true;
                }
                continue;
            }
            if data.op != Op::Ireduce {
                continue;
            }
            let narrow_ty = func.value_type(data.results[0]);
            if !narrow_ty.is_int() {
                continue;
            }
            let operand = data.args[0];
            let mut nodes = 0;
            if narrowable(func, operand, narrow_ty, &mut nodes) && nodes > 0 {
                let mut new_insts = Vec::new();
                let narrowed = emit(func, operand, narrow_ty, &mut new_insts);
                at += place_before(func, block, at - 1, new_insts);
                replaced.insert(func.inst(inst).results[0], narrowed);
                continue;
            }
            // Not wrapping arithmetic alone (a shift, `//` by a power of two): if every value
            // of the tree fits in `i32`, the tree computes the same numbers in `i32`.
            let mut nodes = 0;
            let i32_tree = func.value_type(operand) == Ty::I64
                && narrow_ty.bits() <= 32
                && range_in_i32(func, operand, &mut nodes).is_some()
                && nodes > 0;
            if !i32_tree {
                continue;
            }
            let mut new_insts = Vec::new();
            let mut narrowed = emit(func, operand, Ty::I32, &mut new_insts);
            if narrow_ty != Ty::I32 {
                let r = func.create_inst(Op::Ireduce, vec![narrowed], &[narrow_ty], Vec::new());
                new_insts.push(r);
                narrowed = func.inst(r).results[0];
            }
            at += place_before(func, block, at - 1, new_insts);
            replaced.insert(func.inst(inst).results[0], narrowed);
        }
    }
    if replaced.is_empty() {
        return changed;
    }
    substitute(func, &replaced);
    true
}

/// For `icmp cc a, b` comparing an extension of a narrow value with another such extension or
/// a constant that fits the narrow type: the two operands to compare in that type instead.
/// Exact when the extension matches the comparison's signedness (`sext` for signed orders,
/// `uext` for unsigned ones, either for equality) and the constant survives truncation.
fn narrow_compare(func: &Function, cc: IntCC, a: Value, b: Value) -> Option<[(Value, Ty); 2]> {
    let signed = match cc {
        IntCC::Slt | IntCC::Sle | IntCC::Sgt | IntCC::Sge => Some(true),
        IntCC::Ult | IntCC::Ule | IntCC::Ugt | IntCC::Uge => Some(false),
        IntCC::Eq | IntCC::Ne => None,
    };
    // The narrow type and extension kind of an extended operand.
    let extension = |v: Value| {
        let data = func.inst(def(func, v)?);
        let sext = match data.op {
            Op::Sext => true,
            Op::Uext => false,
            _ => return None,
        };
        (signed.is_none() || signed == Some(sext)).then(|| (func.value_type(data.args[0]), sext))
    };
    let (ty, sext) = extension(a).or_else(|| extension(b))?;
    if !ty.is_int() {
        // `uext` of a bool: no integer constant of that type.
        return None;
    }
    let fits = |v: Value| match func.inst(def(func, v)?).op {
        Op::Iconst(k) => {
            let bits = ty.bits();
            let fits = if sext {
                k >= -(1i64 << (bits - 1)) && k < (1i64 << (bits - 1))
            } else {
                k >= 0 && (bits >= 64 || k < (1i64 << bits))
            };
            fits.then_some(())
        }
        _ => (extension(v) == Some((ty, sext))).then_some(()),
    };
    fits(a)?;
    fits(b)?;
    Some([(a, ty), (b, ty)])
}

/// Places `new_insts` before position `pos` of `block`, with the source position of the
/// instruction there; returns how many were placed.
fn place_before(func: &mut Function, block: Block, pos: usize, new_insts: Vec<Inst>) -> usize {
    let here = func.block(block).insts[pos];
    let (line, col) = (func.inst(here).line, func.inst(here).col);
    for &i in &new_insts {
        let d = func.inst_mut(i);
        d.line = line;
        d.col = col;
    }
    let count = new_insts.len();
    func.block_mut(block).insts.splice(pos..pos, new_insts);
    count
}

/// The instruction defining `v`, if an instruction does.
fn def(func: &Function, v: Value) -> Option<Inst> {
    match func.value_def(v) {
        ValueDef::Result(inst, 0) => Some(inst),
        _ => None,
    }
}

/// True if `v` can be recomputed in `ty` with the same low bits; counts the operations that
/// would be recomputed in `nodes`.
fn narrowable(func: &Function, v: Value, ty: Ty, nodes: &mut usize) -> bool {
    let Some(inst) = def(func, v) else {
        return false;
    };
    let data = func.inst(inst);
    match data.op {
        Op::Sext | Op::Uext => func.value_type(data.args[0]) == ty,
        Op::Iconst(_) => true,
        Op::Select
        | Op::Iadd
        | Op::Isub
        | Op::Imul
        | Op::Band
        | Op::Bor
        | Op::Bxor
        | Op::Ineg
        | Op::Bnot => {
            *nodes += 1;
            if *nodes > MAX_NODES {
                return false;
            }
            // A select's condition stays as it is; its two arms narrow.
            let operands = if data.op == Op::Select {
                &data.args[1..]
            } else {
                &data.args[..]
            };
            operands.iter().all(|&a| narrowable(func, a, ty, nodes))
        }
        _ => false,
    }
}

/// Emits `v` computed in `ty` (checked by [`narrowable`], or by [`range_in_i32`] for `i32`)
/// into `out`; returns the new value. An extension of a value of type `ty` is that value; of a
/// narrower one, the same extension to `ty`.
fn emit(func: &mut Function, v: Value, ty: Ty, out: &mut Vec<Inst>) -> Value {
    let inst = def(func, v).expect("checked by narrowable");
    let data = func.inst(inst).clone();
    match data.op {
        Op::Sext | Op::Uext if func.value_type(data.args[0]) == ty => data.args[0],
        Op::Sext | Op::Uext => {
            let e = func.create_inst(data.op, data.args, &[ty], Vec::new());
            out.push(e);
            func.inst(e).results[0]
        }
        Op::Iconst(k) => {
            let bits = ty.bits();
            // Canonical form: sign-extended from the type's width.
            let wrapped = (k << (64 - bits)) >> (64 - bits);
            let c = func.create_inst(Op::Iconst(wrapped), Vec::new(), &[ty], Vec::new());
            out.push(c);
            func.inst(c).results[0]
        }
        op => {
            let args: Vec<Value> = data
                .args
                .iter()
                .enumerate()
                .map(|(k, &a)| {
                    if op == Op::Select && k == 0 {
                        a
                    } else {
                        emit(func, a, ty, out)
                    }
                })
                .collect();
            let i = func.create_inst(op, args, &[ty], Vec::new());
            out.push(i);
            func.inst(i).results[0]
        }
    }
}

/// The range `[lo, hi]` of the `i64` value `v` when it and every value it is computed from (up
/// to [`MAX_NODES`] operations: extensions of narrower integers, constants, `+ - *`, shifts
/// right by a constant, `&` with a non-negative constant, `min`/`max`, selects) lie in `i32`'s
/// range; counts the operations in `nodes`. `int(x) * 3 // 4` of an `int16` `x` qualifies: it
/// is then computed in `i32`, four lanes to a vector instead of two. Integer vectors have the
/// range of every lane: the vectorizer's widenings are extensions, its splats the scalar's
/// range, its packs their operands' (what `strength` asks before it packs lanes with
/// saturation).
pub(crate) fn range_in_i32(func: &Function, v: Value, nodes: &mut usize) -> Option<(i64, i64)> {
    let inst = def(func, v)?;
    let data = func.inst(inst);
    let (lo, hi): (i128, i128) = match data.op {
        Op::Sext | Op::Uext | Op::Widen { .. } => {
            let bits = match func.value_type(data.args[0]) {
                Ty::I8 | Ty::I8X16 => 8,
                Ty::I16 | Ty::I16X8 => 16,
                Ty::I32 | Ty::I32X4 => 32,
                _ => return None,
            };
            let signed = matches!(data.op, Op::Sext | Op::Widen { signed: true, .. });
            // An extension of a value whose own range is known (a widened widening): that
            // range, when the extension does not reinterpret its sign.
            let inner = match def(func, data.args[0]).map(|i| &func.inst(i).op) {
                Some(Op::Widen { .. } | Op::Sext | Op::Uext) => {
                    range_in_i32(func, data.args[0], nodes).filter(|r| signed || r.0 >= 0)
                }
                _ => None,
            };
            if let Some((lo, hi)) = inner {
                (i128::from(lo), i128::from(hi))
            } else if signed {
                (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
            } else {
                (0, (1i128 << bits) - 1)
            }
        }
        Op::Iconst(k) => (i128::from(k), i128::from(k)),
        Op::Splat => {
            let (lo, hi) = range_in_i32(func, data.args[0], nodes)?;
            (i128::from(lo), i128::from(hi))
        }
        _ => {
            *nodes += 1;
            if *nodes > MAX_NODES {
                return None;
            }
            let constant = |a: Value| match func.inst(def(func, a)?).op {
                Op::Iconst(k) => Some(k),
                _ => None,
            };
            let mut range =
                |a: Value| range_in_i32(func, a, nodes).map(|(l, h)| (l as i128, h as i128));
            match data.op {
                Op::Iadd | Op::Isub | Op::Imul | Op::Smin | Op::Smax => {
                    let (a, b) = (range(data.args[0])?, range(data.args[1])?);
                    match data.op {
                        Op::Iadd => (a.0 + b.0, a.1 + b.1),
                        Op::Isub => (a.0 - b.1, a.1 - b.0),
                        Op::Smin => (a.0.min(b.0), a.1.min(b.1)),
                        Op::Smax => (a.0.max(b.0), a.1.max(b.1)),
                        _ => {
                            let products = [a.0 * b.0, a.0 * b.1, a.1 * b.0, a.1 * b.1];
                            (*products.iter().min()?, *products.iter().max()?)
                        }
                    }
                }
                Op::Ineg => {
                    let a = range(data.args[0])?;
                    (-a.1, -a.0)
                }
                Op::Sshr | Op::Ushr => {
                    let amount = constant(data.args[1]).filter(|k| (0..32).contains(k))?;
                    let a = range(data.args[0])?;
                    if data.op == Op::Ushr && a.0 < 0 {
                        return None;
                    }
                    (a.0 >> amount, a.1 >> amount)
                }
                Op::Band => {
                    let mask =
                        constant(data.args[1]).filter(|k| (0..=i64::from(i32::MAX)).contains(k))?;
                    range(data.args[0])?;
                    (0, i128::from(mask))
                }
                Op::Select => {
                    let (a, b) = (range(data.args[1])?, range(data.args[2])?);
                    (a.0.min(b.0), a.1.max(b.1))
                }
                // The lanes of both, kept as they are when they fit the narrow lanes (checked
                // below), where truncation and saturation change nothing.
                Op::Pack | Op::PackSat => {
                    let (a, b) = (range(data.args[0])?, range(data.args[1])?);
                    (a.0.min(b.0), a.1.max(b.1))
                }
                _ => return None,
            }
        }
    };
    // In `i32`, and in the value's own lanes: `i16x8` lanes wrap at 16 bits.
    let bits = func.value_type(v).lane().bits().min(32);
    let fits = |x: i128| -(1i128 << (bits - 1)) <= x && x < (1i128 << (bits - 1));
    (fits(lo) && fits(hi)).then_some((lo as i64, hi as i64))
}
