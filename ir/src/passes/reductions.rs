//! Whole-array reduction loops handed to the runtime's vectorised routines (`runtime::reduce`).
//!
//! Cranelift emits 128-bit vectors at most and never vectorises a loop; a scalar sum waits on
//! each addition. A counted loop that only accumulates elements of contiguous arrays is
//! replaced by one call that sums the remaining iterations with wide vectors and many
//! accumulators, when the result may not change or the function allows it:
//!
//! | loop body (`s` carried, `a`, `b` contiguous) | routine | when |
//! |---|---|---|
//! | `s += a[i]`, `i64` | `sum_i64` | always (wrapping sums are exact in any order) |
//! | `s += a[i]`, `i32` elements widened to `i64` | `sum_i32` | always |
//! | `s += a[i]`, `i16`/`u16`/`i8`/`u8` elements widened to `i64` | `sum_i16` … `sum_u8` | always |
//! | `s += a[i] * k`, `k` the same in every iteration, any of the integer sums above | the sum, times `k` | always (wrapping multiplication distributes) |
//! | `s += a[i]`, `f64` / `f32` | `sum_f64` / `sum_f32` | `fastmath` (reassociation) |
//! | `s += a[i] * a[i]`, `f64` | `sum_squares_f64` | `fastmath` |
//! | `s += a[i] * b[i]`, `f64` | `dot_f64` | `fastmath` |
//! | `s = min(s, a[i])` / `max`, `i64` | `min_i64` / `max_i64` | always (exact) |
//! | `s += popcnt(a[i])`, `i64` (a bit-count loop after `idioms`) | `popcount_sum_i64` | always |
//!
//! The loop must be one block `L(.., i, .., s, ..)` ending in `brif (i + 1 < n), L(..), X(..)`,
//! with `n` defined outside it, every other parameter passed through unchanged, and nothing
//! else in it: the element addresses are `base + i * size` with `base` defined outside `L` and
//! `size` the element's size (so the elements are contiguous; bytes: `base + i` or
//! `base + (row + i)`), the loads plain loads. `L` then
//! becomes straight-line code: `s2 = s + routine(&a[i], .., k)` with `k = n - i` if `i < n`,
//! else 1 (the body runs once before its first test) and a jump to `X`, where `i + 1` becomes `i + k` (the
//! value it has when the loop ends).

use crate::function::{Block, Function, Inst, IntCC, Op, Ty, Value, ValueDef};
use runtime::math::RuntimeFn;

/// Runs the pass; float sums only with `fastmath`. True if a loop was replaced.
pub fn run(func: &mut Function, fastmath: bool) -> bool {
    let mut changed = false;
    for l in func.layout.clone() {
        if let Some(m) = match_loop(func, l, fastmath) {
            rewrite(func, l, m);
            changed = true;
        }
    }
    changed
}

struct Reduction {
    routine: RuntimeFn,
    /// A multiplier of every term, the same in each iteration (`s += a[i] * k`): the
    /// routine's sum is multiplied by it.
    scale: Option<Value>,
    /// The element addresses (one, or two for a dot product).
    addresses: Vec<Value>,
    /// Instructions kept, in order (index and address arithmetic).
    kept: Vec<Inst>,
    i: Value,
    n: Value,
    one: Value,
    next_i: Value,
    s: Value,
    /// The accumulation `s2 = s + term`.
    update: Inst,
    exit: Block,
    exit_args: Vec<Value>,
}

fn def_inst(func: &Function, v: Value) -> Option<Inst> {
    match func.value_def(v) {
        ValueDef::Result(inst, 0) => Some(inst),
        _ => None,
    }
}

fn const_of(func: &Function, v: Value) -> Option<i64> {
    match func.inst(def_inst(func, v)?).op {
        Op::Iconst(c) => Some(c),
        _ => None,
    }
}

/// The other operand of a commutative binary `inst` if one operand is `x`.
fn other(func: &Function, inst: Inst, x: Value) -> Option<Value> {
    let a = &func.inst(inst).args;
    match (a[0] == x, a[1] == x) {
        (true, _) => Some(a[1]),
        (_, true) => Some(a[0]),
        _ => None,
    }
}

/// True if `v` is `popcnt x` (of the idiom pass's making, or written as such).
fn is_popcount(func: &Function, v: Value) -> bool {
    def_inst(func, v).is_some_and(|i| func.inst(i).op == Op::Popcnt)
}

fn match_loop(func: &Function, l: Block, fastmath: bool) -> Option<Reduction> {
    let block = func.block(l);
    let term = func.terminator(l)?;
    let t = func.inst(term);
    if t.op != Op::Brif {
        return None;
    }
    let (back, exit) = match (t.targets[0].block == l, t.targets[1].block == l) {
        (true, false) => (&t.targets[0], &t.targets[1]),
        _ => return None,
    };
    let defined_in_l = |v: Value| match func.value_def(v) {
        ValueDef::Param(b, _) => b == l,
        ValueDef::Result(inst, _) => block.insts.contains(&inst),
    };
    // brif (i + 1 < n)
    let cmp = def_inst(func, t.args[0])?;
    let c = func.inst(cmp);
    if c.op != Op::Icmp(IntCC::Slt) || !block.insts.contains(&cmp) || defined_in_l(c.args[1]) {
        return None;
    }
    let (next_i, n) = (c.args[0], c.args[1]);
    let inc = def_inst(func, next_i)?;
    if func.inst(inc).op != Op::Iadd || !block.insts.contains(&inc) {
        return None;
    }
    let i_index = back.args.iter().position(|&a| a == next_i)?;
    let i = block.params[i_index];
    let one = other(func, inc, i)?;
    if const_of(func, one) != Some(1) {
        return None;
    }
    // Exactly one other carried value.
    let mut carried = None;
    for (k, (&arg, &param)) in back.args.iter().zip(&block.params).enumerate() {
        if k == i_index || arg == param {
            continue;
        }
        if carried.replace((param, arg)).is_some() {
            return None;
        }
    }
    let (s, s2) = carried?;
    let update = def_inst(func, s2)?;
    let mut op = func.inst(update).op.clone();
    if !matches!(op, Op::Fadd | Op::Iadd | Op::Select) || !block.insts.contains(&update) {
        return None;
    }
    // `select(x < s, x, s)` and its mirror images: an integer min or max (ties are equal
    // integers, so the order of the elements does not matter).
    let mut extra_used = Vec::new();
    let term_value = if op == Op::Select {
        let sel = func.inst(update).args.clone();
        let cmp_inst = def_inst(func, sel[0])?;
        let (cc, a) = match &func.inst(cmp_inst).op {
            Op::Icmp(cc) => (*cc, func.inst(cmp_inst).args.clone()),
            _ => return None,
        };
        let x = if sel[1] == s { sel[2] } else { sel[1] };
        let same_pair = |p: &[Value]| (p[0] == x && p[1] == s) || (p[0] == s && p[1] == x);
        if !same_pair(&sel[1..]) || !same_pair(&a) || !block.insts.contains(&cmp_inst) {
            return None;
        }
        let less = match cc {
            IntCC::Slt | IntCC::Sle => true,
            IntCC::Sgt | IntCC::Sge => false,
            _ => return None,
        };
        // True result when the condition holds: sel[1]; it is the smaller one iff it is the
        // left operand of a `<`.
        op = if (sel[1] == a[0]) == less {
            Op::Smin
        } else {
            Op::Smax
        };
        extra_used.push(cmp_inst);
        x
    } else {
        other(func, update, s)?
    };
    let s_ty = func.value_type(s);

    let mut kept = Vec::new();
    let mut used = vec![cmp, inc, update, term];
    used.extend(extra_used);
    // `base + i * size` (or `base + (row + i)` for bytes) → the address, with its instructions
    // noted.
    let mut element = |v: Value, used: &mut Vec<Inst>| -> Option<(Value, Ty)> {
        let load = def_inst(func, v)?;
        let ld = func.inst(load);
        if ld.op
            != (Op::Load {
                offset: 0,
                readonly: false,
            })
            || !block.insts.contains(&load)
        {
            return None;
        }
        let ty = func.value_type(v);
        let addr = ld.args[0];
        let add = def_inst(func, addr)?;
        if func.inst(add).op != Op::Iadd || !block.insts.contains(&add) {
            return None;
        }
        let a = func.inst(add).args.clone();
        let (base, offset) = if defined_in_l(a[0]) {
            (a[1], a[0])
        } else {
            (a[0], a[1])
        };
        if defined_in_l(base) {
            return None;
        }
        let size = i64::from(ty.bits() / 8);
        // `i * size`; for bytes, whose multiplication by 1 `constfold` removed, `i` itself or
        // `outside + i` (a row's offset added first).
        let scaled: Vec<Inst> = if offset == i && size == 1 {
            Vec::new()
        } else {
            let inst = def_inst(func, offset)?;
            if !block.insts.contains(&inst) {
                return None;
            }
            match func.inst(inst).op {
                Op::Imul if other(func, inst, i).and_then(|k| const_of(func, k)) == Some(size) => {
                    vec![inst]
                }
                Op::Iadd if size == 1 && other(func, inst, i).is_some_and(|x| !defined_in_l(x)) => {
                    vec![inst]
                }
                _ => return None,
            }
        };
        for inst in scaled.into_iter().chain([add]) {
            if !kept.contains(&inst) {
                kept.push(inst);
            }
        }
        used.push(load);
        Some((addr, ty))
    };
    let mut scale = None;
    let (routine, addresses) = match op {
        Op::Smin | Op::Smax if s_ty == Ty::I64 => {
            let (addr, ty) = element(term_value, &mut used)?;
            if ty != Ty::I64 {
                return None;
            }
            let routine = if op == Op::Smin {
                RuntimeFn::MinI64
            } else {
                RuntimeFn::MaxI64
            };
            (routine, vec![addr])
        }
        Op::Iadd if s_ty == Ty::I64 && is_popcount(func, term_value) => {
            let count = def_inst(func, term_value)?;
            if !block.insts.contains(&count) {
                return None;
            }
            used.push(count);
            let (addr, ty) = element(func.inst(count).args[0], &mut used)?;
            (ty == Ty::I64).then_some(())?;
            (RuntimeFn::PopcountSumI64, vec![addr])
        }
        Op::Iadd if s_ty == Ty::I64 => {
            // `s += x * k` with `k` the same in every iteration: `s + k * sum(x)`, the same
            // wrapping sum (multiplication distributes over addition modulo 2^64).
            let mut term_value = term_value;
            if let Some(mul) = def_inst(func, term_value)
                && func.inst(mul).op == Op::Imul
                && block.insts.contains(&mul)
            {
                let a = func.inst(mul).args.clone();
                let (x, k) = match (defined_in_l(a[0]), defined_in_l(a[1])) {
                    (true, false) => (a[0], a[1]),
                    (false, true) => (a[1], a[0]),
                    _ => return None,
                };
                used.push(mul);
                scale = Some(k);
                term_value = x;
            }
            // `None`: not widened; `Some(signed)`: sign- or zero-extended.
            let (x, widened) = match func.inst(def_inst(func, term_value)?).op {
                Op::Sext => (func.inst(def_inst(func, term_value)?).args[0], Some(true)),
                Op::Uext => (func.inst(def_inst(func, term_value)?).args[0], Some(false)),
                _ => (term_value, None),
            };
            if widened.is_some() {
                used.push(def_inst(func, term_value)?);
            }
            let (addr, ty) = element(x, &mut used)?;
            let routine = match (ty, widened) {
                (Ty::I64, None) => RuntimeFn::SumI64,
                (Ty::I32, Some(true)) => RuntimeFn::SumI32,
                (Ty::I16, Some(true)) => RuntimeFn::SumI16,
                (Ty::I16, Some(false)) => RuntimeFn::SumU16,
                (Ty::I8, Some(true)) => RuntimeFn::SumI8,
                (Ty::I8, Some(false)) => RuntimeFn::SumU8,
                _ => return None,
            };
            (routine, vec![addr])
        }
        Op::Fadd if fastmath => {
            let mul = def_inst(func, term_value)?;
            if func.inst(mul).op == Op::Fmul && s_ty == Ty::F64 {
                used.push(mul);
                let (x, y) = (func.inst(mul).args[0], func.inst(mul).args[1]);
                if x == y {
                    let (addr, ty) = element(x, &mut used)?;
                    (ty == Ty::F64).then_some(())?;
                    (RuntimeFn::SumSquaresF64, vec![addr])
                } else {
                    let (ax, tx) = element(x, &mut used)?;
                    let (ay, ty) = element(y, &mut used)?;
                    (tx == Ty::F64 && ty == Ty::F64).then_some(())?;
                    if ax == ay {
                        // `a[i] * a[i]` loads the element twice (the loads are not merged).
                        (RuntimeFn::SumSquaresF64, vec![ax])
                    } else {
                        (RuntimeFn::DotF64, vec![ax, ay])
                    }
                }
            } else {
                let (addr, ty) = element(term_value, &mut used)?;
                match (ty, s_ty) {
                    (Ty::F64, Ty::F64) => (RuntimeFn::SumF64, vec![addr]),
                    (Ty::F32, Ty::F32) => (RuntimeFn::SumF32, vec![addr]),
                    _ => return None,
                }
            }
        }
        _ => return None,
    };
    // Nothing else in the loop.
    used.extend(&kept);
    if block.insts.len() != used.len() || !block.insts.iter().all(|x| used.contains(x)) {
        return None;
    }
    // The exit sees only pass-through parameters, the sum and the next index.
    let mut exit_args = Vec::new();
    for &a in &exit.args {
        let mapped = if a == s2 {
            s2
        } else if a == next_i {
            next_i // rewritten to `i + count` below
        } else if (block.params.contains(&a) && a != s && a != i) || !defined_in_l(a) {
            a
        } else {
            return None;
        };
        exit_args.push(mapped);
    }
    // The loop's own values must not be used outside it (the exit block reads what it is
    // passed; anything else would see values the loop no longer computes).
    for &b in &func.layout {
        if b == l {
            continue;
        }
        for &inst in &func.block(b).insts {
            let d = func.inst(inst);
            let outside_use = d.args.iter().any(|&v| v != s2 && defined_in_l(v))
                || d.targets
                    .iter()
                    .flat_map(|c| &c.args)
                    .any(|&v| defined_in_l(v));
            if outside_use {
                return None;
            }
        }
    }
    Some(Reduction {
        routine,
        scale,
        addresses,
        kept,
        i,
        n,
        one,
        next_i,
        s,
        update,
        exit: exit.block,
        exit_args,
    })
}

fn rewrite(func: &mut Function, l: Block, m: Reduction) {
    // The loop body runs once before its first test: n - i iterations if i < n, else 1 (no
    // wrapping subtraction decides it).
    let diff = func.create_inst(Op::Isub, vec![m.n, m.i], &[Ty::I64], Vec::new());
    let diff_v = func.inst(diff).results[0];
    let more = func.create_inst(
        Op::Icmp(IntCC::Slt),
        vec![m.i, m.n],
        &[Ty::Bool],
        Vec::new(),
    );
    let more_v = func.inst(more).results[0];
    let len = func.create_inst(
        Op::Select,
        vec![more_v, diff_v, m.one],
        &[Ty::I64],
        Vec::new(),
    );
    let len_v = func.inst(len).results[0];
    let mut end = None;
    let mut exit_args = m.exit_args.clone();
    if exit_args.contains(&m.next_i) {
        let e = func.create_inst(Op::Iadd, vec![m.i, len_v], &[Ty::I64], Vec::new());
        let e_v = func.inst(e).results[0];
        exit_args
            .iter_mut()
            .filter(|v| **v == m.next_i)
            .for_each(|v| *v = e_v);
        end = Some(e);
    }
    let mut args = m.addresses.clone();
    args.push(len_v);
    let result_ty = match m.routine.describe().result {
        runtime::math::AbiType::F64 => Ty::F64,
        runtime::math::AbiType::F32 => Ty::F32,
        _ => Ty::I64,
    };
    let call = func.create_inst(Op::CallRuntime(m.routine), args, &[result_ty], Vec::new());
    let mut total = func.inst(call).results[0];
    let scaled = m.scale.map(|k| {
        let mul = func.create_inst(Op::Imul, vec![total, k], &[result_ty], Vec::new());
        total = func.inst(mul).results[0];
        mul
    });
    let update = func.inst_mut(m.update);
    update.args = vec![m.s, total];
    update.op = match m.routine {
        RuntimeFn::MinI64 => Op::Smin,
        RuntimeFn::MaxI64 => Op::Smax,
        _ => update.op.clone(),
    };
    let jump = func.create_inst(
        Op::Jump,
        Vec::new(),
        &[],
        vec![crate::function::BlockCall {
            block: m.exit,
            args: exit_args,
        }],
    );
    let term = func.terminator(l).expect("the loop block is terminated");
    let (line, col) = (func.inst(term).line, func.inst(term).col);
    for inst in [diff, more, len, call, jump]
        .into_iter()
        .chain(end)
        .chain(scaled)
    {
        let d = func.inst_mut(inst);
        d.line = line;
        d.col = col;
    }
    let mut insts = m.kept.clone();
    insts.extend([diff, more, len, call]);
    insts.extend(scaled);
    insts.push(m.update);
    insts.extend(end);
    insts.push(jump);
    func.block_mut(l).insts = insts;
}
