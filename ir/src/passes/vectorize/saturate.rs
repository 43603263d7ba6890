//! Saturating byte and 16-bit arithmetic: a clamp after an addition or subtraction of a
//! constant, on vectors of 8- or 16-bit unsigned lanes, becomes one `uadd_sat`/`usub_sat`
//! (`paddusb`/`psubusw`, …) instead of a compare, the arithmetic and a blend.
//!
//! Image code clamps in a wider type (`v = int(img[i]) + 40; out[i] = 255 if v > 255 else v`,
//! `max(int(img[i]) - 40, 0)`); after `narrow` and the vectorizer's uniform compares the lanes
//! compute, with `M` the largest lane value and `k` a constant:
//!
//! | vector code | is | because |
//! |---|---|---|
//! | `select(x >=u T, M, x + k)`, `T` = `M - k` or `M - k + 1` | `uadd_sat(x, k)` | below `T`, `x + k <= M` does not wrap; from `T` on, `x + k >= M` |
//! | `select(x >=u T, x - k, 0)`, `T` = `k` or `k + 1` | `usub_sat(x, k)` | from `T` on, `x >= k`; below it, `x - k <= 0` |
//!
//! The comparison may be written with `>`, `>=`, `<`, `<=`, either operand order and under a
//! `not` (a `<=` swaps the arms); each lane gets bitwise the value the select gave it. The select is
//! replaced in place; `dce` removes the compare and the arithmetic when nothing else uses
//! them. Only vectors are rewritten (the scalar loop keeps its code: scalar saturating
//! arithmetic has no single x86 instruction).

use crate::function::{Function, Inst, IntCC, Op, Ty, Value};
use crate::passes::util::def_inst;

/// Rewrites every matching select of the function. True if one changed.
pub(super) fn run(func: &mut Function) -> bool {
    let mut changed = false;
    for b in func.layout.clone() {
        for inst in func.block(b).insts.clone() {
            if let Some((op, args)) = saturating(func, inst) {
                let d = func.inst_mut(inst);
                d.op = op;
                d.args = args;
                changed = true;
            }
        }
    }
    changed
}

/// The lane value of `splat (iconst c)`, as an unsigned number of the lane's width.
fn splat_constant(func: &Function, v: Value) -> Option<u64> {
    let s = func.inst(def_inst(func, v)?);
    if s.op != Op::Splat {
        return None;
    }
    let c = func.inst(def_inst(func, s.args[0])?);
    let Op::Iconst(k) = c.op else {
        return None;
    };
    let bits = func.value_type(v).lane().bits();
    Some(k as u64 & ((1u64 << bits) - 1))
}

/// `cond` as `x >=u t` (true) or `x <=u t` (false) with `t` a splatted constant.
fn unsigned_bound(func: &Function, cond: Value, max: u64) -> Option<(Value, bool, u64)> {
    let d = func.inst(def_inst(func, cond)?);
    if d.op == Op::Not {
        // `!(x >=u t)` is `x <=u t - 1`, `!(x <=u t)` is `x >=u t + 1` (Python's `max(x, 0)`).
        return match unsigned_bound(func, d.args[0], max)? {
            (x, true, t) => Some((x, false, t.checked_sub(1)?)),
            (x, false, t) => Some((x, true, t.checked_add(1)?)),
        };
    }
    let Op::Icmp(cc) = d.op else {
        return None;
    };
    // `c cc x` is `x cc' c` with the order reversed.
    let (x, c, cc) = match (
        splat_constant(func, d.args[0]),
        splat_constant(func, d.args[1]),
    ) {
        (_, Some(c)) => (d.args[0], c, cc),
        (Some(c), None) => {
            let mirrored = match cc {
                IntCC::Ugt => IntCC::Ult,
                IntCC::Uge => IntCC::Ule,
                IntCC::Ult => IntCC::Ugt,
                IntCC::Ule => IntCC::Uge,
                _ => return None,
            };
            (d.args[1], c, mirrored)
        }
        _ => return None,
    };
    match cc {
        IntCC::Uge => Some((x, true, c)),
        IntCC::Ugt if c < max => Some((x, true, c + 1)),
        IntCC::Ule => Some((x, false, c)),
        IntCC::Ult if c > 0 => Some((x, false, c - 1)),
        _ => None,
    }
}

/// The saturating operation `select` computes, with its operands.
fn saturating(func: &Function, select: Inst) -> Option<(Op, Vec<Value>)> {
    let d = func.inst(select);
    if d.op != Op::Select || d.results.len() != 1 {
        return None;
    }
    let ty = func.value_type(d.results[0]);
    if !matches!(ty, Ty::I8X16 | Ty::I16X8) {
        return None;
    }
    let max = (1u64 << ty.lane().bits()) - 1;
    let (x, at_least, t) = unsigned_bound(func, d.args[0], max)?;
    // As `select(x >=u t, high, low)`: `x <=u t` is `!(x >=u t + 1)`.
    let (t, high, low) = if at_least {
        (t, d.args[1], d.args[2])
    } else {
        (t.checked_add(1)?, d.args[2], d.args[1])
    };
    // `x + k` or `x - k` with a splatted constant `k` (an addition in either order).
    let arithmetic = |v: Value, op: Op| -> Option<(u64, Value)> {
        let a = func.inst(def_inst(func, v)?);
        if a.op != op {
            return None;
        }
        if a.args[0] == x {
            return Some((splat_constant(func, a.args[1])?, a.args[1]));
        }
        if op == Op::Iadd && a.args[1] == x {
            return Some((splat_constant(func, a.args[0])?, a.args[0]));
        }
        None
    };
    if splat_constant(func, high) == Some(max)
        && let Some((k, kv)) = arithmetic(low, Op::Iadd)
        && k != 0
        && (t == max - k || t == max - k + 1)
    {
        return Some((Op::UaddSat, vec![x, kv]));
    }
    if splat_constant(func, low) == Some(0)
        && let Some((k, kv)) = arithmetic(high, Op::Isub)
        && k != 0
        && (t == k || t == k + 1)
    {
        return Some((Op::UsubSat, vec![x, kv]));
    }
    None
}
