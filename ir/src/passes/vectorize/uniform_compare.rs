//! Comparisons of a widened byte (or 16/32-bit) element with a value fixed in the loop, made in
//! the element's own width so that the loop keeps one lane width.
//!
//! Python compares a `uint8` element with an `int` after widening it to `int64`:
//! `icmp.sgt (uext.i64 x), t` with `t` a parameter (`255 if img[i] > t else 0`), or with a
//! constant offset (`v = img[i] + 40; 255 if v > 255 else v` compares `uext x + 40` with 255).
//! Sixteen `i8` lanes cannot be compared with `i64` lanes. Since `X = ext(x) + c` lies in
//! `[lo + c, hi + c]` (`lo`/`hi` the range of the extension), clamping `t` to just outside that
//! range keeps every answer, and the comparison becomes `X > w` (or its negation) with
//! `w - c` in `[lo - 1, hi]`. `w - c = lo - 1` means "always true", which no comparison of a
//! narrow value with a narrow constant can say; `max(x, k) > c'` can: `k = lo + 1, c' = lo`
//! for that case, `k = lo, c' = w - c` otherwise (`max` and `>` unsigned after `uext`, signed
//! after `sext`). Equality works alike: a `t` outside `[lo + c, hi + c]` is never equal, which
//! `max(x, lo + 1) == lo` says. The clamps run once, before the loop (in its only outside predecessor); for a
//! constant `t` they are computed here. The caller keeps the result only when the loop then
//! vectorizes (the scalar loop is no faster this way).

use crate::function::{Block, Function, Inst, IntCC, Op, Ty, Value, ValueDef};

/// A narrow element widened and offset by a constant: `ext(x) + c`.
struct Widened {
    x: Value,
    signed: bool,
    c: i64,
}

fn def(func: &Function, v: Value) -> Option<Inst> {
    match func.value_def(v) {
        ValueDef::Result(inst, _) => Some(inst),
        ValueDef::Param(..) => None,
    }
}

fn constant(func: &Function, v: Value) -> Option<i64> {
    match func.inst(def(func, v)?).op {
        Op::Iconst(c) => Some(c),
        _ => None,
    }
}

fn widened(func: &Function, l: Block, v: Value) -> Option<Widened> {
    let inst = def(func, v).filter(|i| func.block(l).insts.contains(i))?;
    let d = func.inst(inst);
    let small = |c: i64| (c.unsigned_abs() < 1 << 32).then_some(c);
    match d.op {
        Op::Sext | Op::Uext => {
            let x = d.args[0];
            let narrow = matches!(func.value_type(x), Ty::I8 | Ty::I16 | Ty::I32);
            (narrow && func.value_type(v) == Ty::I64).then_some(Widened {
                x,
                signed: d.op == Op::Sext,
                c: 0,
            })
        }
        Op::Iadd | Op::Isub => {
            let (w, k) = match (constant(func, d.args[0]), constant(func, d.args[1])) {
                (_, Some(k)) => (d.args[0], small(k)?),
                (Some(k), None) if d.op == Op::Iadd => (d.args[1], small(k)?),
                _ => return None,
            };
            let inner = widened(func, l, w).filter(|w| w.c == 0)?;
            let c = if d.op == Op::Isub { -k } else { k };
            Some(Widened { c, ..inner })
        }
        _ => None,
    }
}

/// The loop's only predecessor other than itself.
fn entry(func: &Function, l: Block) -> Option<Block> {
    let mut preds = func
        .layout
        .iter()
        .copied()
        .filter(|&b| b != l && func.successors(b).contains(&l));
    let p = preds.next()?;
    preds.next().is_none().then_some(p)
}

/// Whether loop `l` compares a widened element (so that [`run`] may change it): the caller
/// copies the function for a trial only then.
pub(super) fn applies(func: &Function, l: Block) -> bool {
    func.block(l).insts.iter().any(|&i| {
        let d = func.inst(i);
        matches!(d.op, Op::Icmp(_)) && d.args.iter().any(|&a| widened(func, l, a).is_some())
    })
}

/// Rewrites the comparisons of loop `l` described above. True if one changed.
pub(super) fn run(func: &mut Function, l: Block) -> bool {
    let Some(p) = entry(func, l) else {
        return false;
    };
    let mut changed = false;
    let insts = func.block(l).insts.clone();
    let mut new_insts = Vec::with_capacity(insts.len());
    for inst in insts {
        let d = func.inst(inst).clone();
        let rewrite = match (&d.op, &d.args[..]) {
            (Op::Icmp(cc), &[a, b]) => {
                let in_loop = |v: Value| match func.value_def(v) {
                    ValueDef::Param(pb, _) => pb == l,
                    ValueDef::Result(i, _) => {
                        func.block(l).insts.contains(&i) && constant(func, v).is_none()
                    }
                };
                match (widened(func, l, a), widened(func, l, b)) {
                    (Some(w), None) if !in_loop(b) => Some((w, *cc, b)),
                    (None, Some(w)) if !in_loop(a) => Some((w, swap(*cc), a)),
                    _ => None,
                }
            }
            _ => None,
        };
        let Some((w, cc, u)) = rewrite else {
            new_insts.push(inst);
            continue;
        };
        // Signed comparisons (Python's ints); `X cc u` as `[not] X > t` or `[not] X == t`.
        let (strict, negate, equal) = match cc {
            IntCC::Sgt => (true, false, false),
            IntCC::Sge => (false, false, false),
            IntCC::Slt => (false, true, false),
            IntCC::Sle => (true, true, false),
            IntCC::Eq => (true, false, true),
            IntCC::Ne => (true, true, true),
            _ => {
                new_insts.push(inst);
                continue;
            }
        };
        let ty = func.value_type(w.x);
        let bits = ty.bits();
        let (lo, hi) = if w.signed {
            (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
        } else {
            (0, (1i64 << bits) - 1)
        };
        let (big_l, big_h) = (lo + w.c, hi + w.c);
        // X > u: t = clamp(u, L - 1, H); X >= u: t = clamp(u, L, H + 1) - 1; then t - c.
        // X == u: t = clamp(u, L - 1, H + 1) - c, never equal outside [lo, hi].
        let (low, high, minus) = if equal {
            (big_l - 1, big_h + 1, w.c)
        } else if strict {
            (big_l - 1, big_h, w.c)
        } else {
            (big_l, big_h + 1, w.c + 1)
        };
        let (line, col) = (d.line, d.col);
        let emit = |func: &mut Function, out: &mut Vec<Inst>, op: Op, args: Vec<Value>, t: Ty| {
            let i = func.create_inst(op, args, &[t], vec![]);
            let id = func.inst_mut(i);
            (id.line, id.col) = (line, col);
            out.push(i);
            func.inst(i).results[0]
        };
        let (k, c2) = if let Some(uc) = constant(func, u) {
            let t = uc.clamp(low, high) - minus;
            let (k, c2) = if t < lo || t > hi {
                (lo + 1, lo)
            } else {
                (lo, t)
            };
            let k = emit(func, &mut new_insts, Op::Iconst(k), vec![], ty);
            let c2 = emit(func, &mut new_insts, Op::Iconst(c2), vec![], ty);
            (k, c2)
        } else {
            // Before the loop: uniform scalar arithmetic in `i64`.
            let mut pre = Vec::new();
            let f = &mut *func;
            let k64 = |f: &mut Function, pre: &mut Vec<Inst>, v: i64| {
                emit(f, pre, Op::Iconst(v), vec![], Ty::I64)
            };
            let low_v = k64(f, &mut pre, low);
            let high_v = k64(f, &mut pre, high);
            let minus_v = k64(f, &mut pre, minus);
            let lo_v = k64(f, &mut pre, lo);
            let above = emit(f, &mut pre, Op::Smax, vec![u, low_v], Ty::I64);
            let clamped = emit(f, &mut pre, Op::Smin, vec![above, high_v], Ty::I64);
            let t = emit(f, &mut pre, Op::Isub, vec![clamped, minus_v], Ty::I64);
            let below = emit(f, &mut pre, Op::Icmp(IntCC::Slt), vec![t, lo_v], Ty::Bool);
            // For `>`, t <= hi always; for `==`, t = hi + 1 is out of range too.
            let hi_v = k64(f, &mut pre, hi);
            let above = emit(f, &mut pre, Op::Icmp(IntCC::Sgt), vec![t, hi_v], Ty::Bool);
            let out = emit(f, &mut pre, Op::Or, vec![below, above], Ty::Bool);
            let c2 = emit(f, &mut pre, Op::Select, vec![out, lo_v, t], Ty::I64);
            let bump = emit(f, &mut pre, Op::Uext, vec![out], Ty::I64);
            let k = emit(f, &mut pre, Op::Iadd, vec![lo_v, bump], Ty::I64);
            let k = emit(f, &mut pre, Op::Ireduce, vec![k], ty);
            let c2 = emit(f, &mut pre, Op::Ireduce, vec![c2], ty);
            let term = f.terminator(p).expect("a predecessor is terminated");
            let block = f.block_mut(p);
            let at = block
                .insts
                .iter()
                .position(|&i| i == term)
                .expect("in its block");
            block.insts.splice(at..at, pre);
            (k, c2)
        };
        let (max, gt) = match (w.signed, equal) {
            (_, true) if w.signed => (Op::Smax, IntCC::Eq),
            (_, true) => (Op::Umax, IntCC::Eq),
            (true, false) => (Op::Smax, IntCC::Sgt),
            (false, false) => (Op::Umax, IntCC::Ugt),
        };
        // `max(x, lo)` is `x`: a constant bound in range needs no `max`.
        let k_is_lo = constant(func, k) == Some(lo);
        let m = if k_is_lo {
            w.x
        } else {
            emit(func, &mut new_insts, max, vec![w.x, k], ty)
        };
        if negate {
            let r = emit(func, &mut new_insts, Op::Icmp(gt), vec![m, c2], Ty::Bool);
            let id = func.inst_mut(inst);
            id.op = Op::Not;
            id.args = vec![r];
        } else {
            let id = func.inst_mut(inst);
            id.op = Op::Icmp(gt);
            id.args = vec![m, c2];
        }
        new_insts.push(inst);
        changed = true;
    }
    if changed {
        func.block_mut(l).insts = new_insts;
        remove_unused_widening(func, l);
    }
    changed
}

fn swap(cc: IntCC) -> IntCC {
    match cc {
        IntCC::Sgt => IntCC::Slt,
        IntCC::Slt => IntCC::Sgt,
        IntCC::Sge => IntCC::Sle,
        IntCC::Sle => IntCC::Sge,
        other => other,
    }
}

/// The extensions and offsets of loop `l` nothing uses any more (they have no lane-wise form).
fn remove_unused_widening(func: &mut Function, l: Block) {
    loop {
        let used: std::collections::HashSet<Value> = func
            .layout
            .iter()
            .flat_map(|&b| func.block(b).insts.iter())
            .flat_map(|&i| {
                let d = func.inst(i);
                d.args
                    .iter()
                    .chain(d.targets.iter().flat_map(|t| &t.args))
                    .copied()
                    .collect::<Vec<_>>()
            })
            .collect();
        let before = func.block(l).insts.len();
        let insts = func.block(l).insts.clone();
        let kept: Vec<Inst> = insts
            .into_iter()
            .filter(|&i| {
                let d = func.inst(i);
                let pure = matches!(d.op, Op::Sext | Op::Uext | Op::Iadd | Op::Isub);
                !(pure && d.results.iter().all(|r| !used.contains(r)))
            })
            .collect();
        if kept.len() == before {
            break;
        }
        func.block_mut(l).insts = kept;
    }
}
