//! If-conversion: small `if`s whose arms only compute values become `select`s.
//!
//! A branch on data (`if a[i] > m: m = a[i]`, `c += 1 if x > t`, `out[i] = x if c else 0.01 *
//! x`) mispredicts about half the time on random inputs; computing both arms and selecting costs
//! a few instructions and no misprediction (the backend makes float selects branch-free and the
//! `min`/`max` shapes single instructions). Shapes converted, where `A` ends in `brif c`:
//!
//! - a **triangle**: one target is an arm block `X` (only predecessor `A`) that jumps to `M`,
//!   the other target is `M` itself;
//! - a **diamond**: both targets are arm blocks jumping to the same `M`.
//!
//! An arm may hold at most [`MAX_ARM_INSTS`] instructions, each a speculatable value operation
//! (pure and unable to trap: no division), or a load that repeats a load of `A` (same address,
//! offset and type, no store or call after it in `A`: reading it again gives the same value).
//! In a diamond, each arm may end with one store to the same place (the same address value, or
//! addresses computed by the same pure operations from the same values, a few levels deep, and
//! the same offset): the
//! store is then done once in `A`, of the selected value. A store on one side only (Floyd–
//! Warshall's `if d < dist[i, j]: dist[i, j] = d`) converts when `A` loaded the same place with
//! nothing after the load that may write memory: the other side then stores back the value it
//! loaded, which leaves memory as it was (the address is valid: `A` read it; in a `prange`
//! loop another thread writing that element would race with `A`'s read already). The arms'
//! instructions move into `A` before the branch, which becomes a jump to `M` with `select`ed
//! arguments. Nothing is executed that could fault or have an effect, so the result is the same
//! on every input.

use super::util::replace_all_uses;
use crate::function::{Block, BlockCall, Function, Inst, Op, Value, ValueDef};

/// The most instructions an arm may have (both arms are computed every time).
pub const MAX_ARM_INSTS: usize = 8;

/// Runs the pass; true if a branch was converted.
pub fn run(func: &mut Function) -> bool {
    let mut changed = false;
    loop {
        let preds = super::util::predecessors(func);
        let mut converted = false;
        for a in func.layout.clone() {
            if try_convert(func, a, &preds) {
                converted = true;
                break; // predecessors changed
            }
        }
        if !converted {
            return changed;
        }
        changed = true;
    }
}

/// Converts the branch ending `block` if it has one of the shapes above; true if it did
/// (`speculate_loads` converts the branches of the loop copies it makes).
pub(super) fn convert_branch(func: &mut Function, block: Block) -> bool {
    let preds = super::util::predecessors(func);
    try_convert(func, block, &preds)
}

/// An arm after checking: its instructions to move, its store (diamond only), its jump.
struct Arm {
    moved: Vec<Inst>,
    /// Loads that repeat a load of `A`: (the arm's value, `A`'s value).
    reused: Vec<(Value, Value)>,
    store: Option<Inst>,
    args: Vec<Value>,
}

fn try_convert(func: &mut Function, a: Block, preds: &[Vec<Block>]) -> bool {
    let Some(term) = func.terminator(a) else {
        return false;
    };
    let data = func.inst(term);
    if data.op != Op::Brif {
        return false;
    }
    let cond = data.args[0];
    let (then, els) = (data.targets[0].clone(), data.targets[1].clone());
    let is_arm = |call: &BlockCall| {
        call.args.is_empty() && call.block != a && preds[call.block.0 as usize] == [a]
    };
    // Which block both sides end up in, and the arms on the way.
    let arm_target = |call: &BlockCall| -> Option<BlockCall> {
        let t = func.terminator(call.block)?;
        let d = func.inst(t);
        (d.op == Op::Jump).then(|| d.targets[0].clone())
    };
    let (then_arm, else_arm, merge) = if is_arm(&then) && is_arm(&els) {
        let (Some(m1), Some(m2)) = (arm_target(&then), arm_target(&els)) else {
            return false;
        };
        if m1.block != m2.block {
            return false;
        }
        (Some(then.block), Some(els.block), m1.block)
    } else if is_arm(&then) {
        match arm_target(&then) {
            Some(m) if m.block == els.block => (Some(then.block), None, m.block),
            _ => return false,
        }
    } else if is_arm(&els) {
        match arm_target(&els) {
            Some(m) if m.block == then.block => (None, Some(els.block), m.block),
            _ => return false,
        }
    } else {
        return false;
    };
    if merge == a || then_arm == Some(merge) || else_arm == Some(merge) {
        return false;
    }
    let check = |arm: Option<Block>, direct: &BlockCall| match arm {
        Some(b) => check_arm(func, a, b),
        None => Some(Arm {
            moved: Vec::new(),
            reused: Vec::new(),
            store: None,
            args: direct.args.clone(),
        }),
    };
    let (Some(mut t), Some(mut e)) = (check(then_arm, &then), check(else_arm, &els)) else {
        return false;
    };
    for arm in [&mut t, &mut e] {
        for (old, new) in arm.reused.clone() {
            arm.args
                .iter_mut()
                .filter(|v| **v == old)
                .for_each(|v| *v = new);
        }
    }
    // The store done in `A`, with the value each side leaves in its place: one side's store
    // that the other side does not do stores back what `A` loaded from the place.
    let store = match (t.store, e.store) {
        (None, None) => None,
        (Some(s1), Some(s2)) if same_place(func, s1, s2) => {
            Some((s1, func.inst(s1).args[1], func.inst(s2).args[1]))
        }
        (Some(s1), None) => match value_in_place(func, a, s1) {
            Some(old) => Some((s1, func.inst(s1).args[1], old)),
            None => return false,
        },
        (None, Some(s2)) => match value_in_place(func, a, s2) {
            Some(old) => Some((s2, old, func.inst(s2).args[1])),
            None => return false,
        },
        _ => return false,
    };
    if t.args.len() != e.args.len() {
        return false;
    }

    // Rewrite: A's instructions up to the branch, both arms, the selects, the store, a jump.
    for (old, new) in t.reused.iter().chain(&e.reused) {
        replace_all_uses(func, *old, *new);
    }
    let mut insts = func.block(a).insts.clone();
    insts.pop();
    insts.extend(t.moved.iter().chain(&e.moved));
    let mut args = Vec::with_capacity(t.args.len());
    for (&x, &y) in t.args.iter().zip(&e.args) {
        if x == y {
            args.push(x);
            continue;
        }
        let ty = func.value_type(x);
        let sel = func.create_inst(Op::Select, vec![cond, x, y], &[ty], Vec::new());
        copy_srcloc(func, term, sel);
        insts.push(sel);
        args.push(func.inst(sel).results[0]);
    }
    if let Some((s1, v1, v2)) = store {
        // A stored value may be an arm's load that repeats one of `A` (replaced above).
        let reused = |v: Value| {
            t.reused
                .iter()
                .chain(&e.reused)
                .find(|(old, _)| *old == v)
                .map_or(v, |(_, new)| *new)
        };
        let (v1, v2) = (reused(v1), reused(v2));
        let value = if v1 == v2 {
            v1
        } else {
            let ty = func.value_type(v1);
            let sel = func.create_inst(Op::Select, vec![cond, v1, v2], &[ty], Vec::new());
            copy_srcloc(func, s1, sel);
            insts.push(sel);
            func.inst(sel).results[0]
        };
        func.inst_mut(s1).args[1] = value;
        insts.push(s1);
    }
    let jump = func.create_inst(
        Op::Jump,
        Vec::new(),
        &[],
        vec![BlockCall { block: merge, args }],
    );
    copy_srcloc(func, term, jump);
    insts.push(jump);
    func.block_mut(a).insts = insts;
    for arm in [then_arm, else_arm].into_iter().flatten() {
        func.block_mut(arm).insts.clear();
        func.layout.retain(|&b| b != arm);
    }
    true
}

fn copy_srcloc(func: &mut Function, from: Inst, to: Inst) {
    let (line, col) = (func.inst(from).line, func.inst(from).col);
    let d = func.inst_mut(to);
    d.line = line;
    d.col = col;
}

fn check_arm(func: &Function, a: Block, arm: Block) -> Option<Arm> {
    let insts = &func.block(arm).insts;
    let (&jump, body) = insts.split_last()?;
    let mut result = Arm {
        moved: Vec::new(),
        reused: Vec::new(),
        store: None,
        args: func.inst(jump).targets[0].args.clone(),
    };
    if body.len() > MAX_ARM_INSTS {
        return None;
    }
    for (k, &i) in body.iter().enumerate() {
        let d = func.inst(i);
        match &d.op {
            Op::Store { .. } if k + 1 == body.len() => result.store = Some(i),
            // Descriptor fields: valid to read wherever the descriptor is (LICM hoists them too).
            Op::Load { readonly: true, .. } => result.moved.push(i),
            Op::Load { .. } if result.store.is_none() => {
                let earlier = repeated_load(func, a, i)?;
                result.reused.push((d.results[0], earlier));
            }
            op if op.value_operand_count().is_some() && op.is_speculatable() => {
                result.moved.push(i)
            }
            _ => return None,
        }
    }
    Some(result)
}

/// A load of `A` that `load` (in an arm of `A`) repeats, with nothing in `A` after it that
/// could change memory.
pub(super) fn repeated_load(func: &Function, a: Block, load: Inst) -> Option<Value> {
    let d = func.inst(load);
    let ty = func.value_type(d.results[0]);
    let insts = &func.block(a).insts;
    let mut found = None;
    for &i in insts {
        let e = func.inst(i);
        match &e.op {
            Op::Load { offset, .. }
                if e.args == d.args
                    && matches!(d.op, Op::Load { offset: o, .. } if o == *offset)
                    && func.value_type(e.results[0]) == ty =>
            {
                found = Some(e.results[0]);
            }
            // Loads do not change memory (the copy of a loop made by `speculate_loads` loads
            // in `A`).
            Op::Load { .. } => {}
            op if !op.is_pure() && !op.is_terminator() => found = None,
            _ => {}
        }
    }
    found
}

/// The value a load of `A` read from the place `store` writes (same address, offset and type),
/// if nothing after the load in `A` may have written memory.
fn value_in_place(func: &Function, a: Block, store: Inst) -> Option<Value> {
    let s = func.inst(store);
    let Op::Store { offset } = s.op else {
        return None;
    };
    let ty = func.value_type(s.args[1]);
    let mut found = None;
    for &i in &func.block(a).insts {
        let e = func.inst(i);
        match &e.op {
            Op::Load { offset: o, .. }
                if *o == offset
                    && func.value_type(e.results[0]) == ty
                    && same_address(func, e.args[0], s.args[0]) =>
            {
                found = Some(e.results[0]);
            }
            Op::Load { .. } => {}
            op if !op.is_pure() && !op.is_terminator() => found = None,
            _ => {}
        }
    }
    found
}

/// Whether two stores write the same place: same offset and value type, and the same address
/// value or addresses computed by the same pure operation from the same operands.
fn same_place(func: &Function, s1: Inst, s2: Inst) -> bool {
    let (d1, d2) = (func.inst(s1), func.inst(s2));
    if d1.op != d2.op || func.value_type(d1.args[1]) != func.value_type(d2.args[1]) {
        return false;
    }
    same_address(func, d1.args[0], d2.args[0])
}

/// The same address value, or addresses computed by the same pure operations from the same
/// values (`data + (row + j * 8)` computed in each arm), up to a few levels deep.
fn same_address(func: &Function, p1: Value, p2: Value) -> bool {
    same_value(func, p1, p2, 4)
}

fn same_value(func: &Function, p1: Value, p2: Value, depth: u32) -> bool {
    if p1 == p2 {
        return true;
    }
    match (func.value_def(p1), func.value_def(p2)) {
        (ValueDef::Result(i1, 0), ValueDef::Result(i2, 0)) if depth > 0 => {
            let (e1, e2) = (func.inst(i1), func.inst(i2));
            e1.op == e2.op
                && e1.op.is_pure()
                && e1.results.len() == 1
                && e1.args.len() == e2.args.len()
                && e1
                    .args
                    .iter()
                    .zip(&e2.args)
                    .all(|(&a, &b)| same_value(func, a, b, depth - 1))
        }
        _ => false,
    }
}
