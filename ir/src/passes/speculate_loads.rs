//! Loop versioning for conditional loads: a copy of the loop, entered only when a check before
//! it proves every index in range, loads before the branch, so the branch becomes a `select`.
//!
//! `out[i] = a[i] if a[i] > t else b[i]` reads `b[i]` only when the condition is false. Without
//! bounds checking, an index the program uses must be in range (the user's contract), but
//! nothing says so of an index it does not use: `b` may be shorter than `a`, and a load the
//! Python program would not execute must never fault. So `if_convert` keeps the branch, and a
//! branch on random data mispredicts about half the time (and keeps `vectorize` away). This
//! pass checks once, before the loop, that every index the loop can use is within the array's
//! extent, and then runs a copy of the loop in which the load happens before the branch; when
//! the check fails the loop runs as it was.
//!
//! The loop must be an innermost natural loop with one latch ending in
//! `brif (i + 1 < n), H(.., i + 1, ..), X(..)` (`n` defined outside the loop, `i` a parameter of
//! the header `H`), entered from the preheader `P` with `i = i0`: it runs for `i0`, then while
//! `i < n`, so every `i` it sees is in `[i0, max(i0 + 1, n))`. A **candidate** is a load in an
//! arm block (one predecessor `A` in the loop, whose `brif` targets it) preceded in the arm only
//! by speculatable instructions and loads repeating a load of `A`, reading an element of a
//! parameter `D` marked as a descriptor of rank 1 or 2 (`ptr array1d`, [`Function::param_ranks`]:
//! lowering marks array arguments), at `data + Σ index_a * stride_a + offset` where
//!
//! - `data` is `D`'s data pointer (`load.i64.readonly D`), and there is one term per axis;
//! - each index is `i + k` (the counter) or `u + k` (`u` defined outside the loop: the row of
//!   an inner loop), `k` a constant (`i`, `i + 1`, `i - 1`; |k| < 2³¹);
//! - each stride is `D`'s stride field of its axis, except for at most one axis whose stride is
//!   a constant `s` (a contiguous axis: the element size; the index alone for one-byte
//!   elements); then `0 <= offset` and `offset + size <= s` (a complex element is two loads),
//!   otherwise `offset = 0`.
//!
//! Such an address is valid when every index is in `[0, shape[axis])`, whatever the strides'
//! signs. The check in `P`, per (array, axis, index): for the counter `i0 >= -k`,
//! `i0 < shape - k` and `n <= shape - k`; for `u + k`, `u >= -k` and `u < shape - k` (`shape >= 0`
//! and |k| < 2³¹: nothing overflows; a comparison known from constants is left out). `P` then
//! branches to the copy or to
//! the loop. In the copy, each arm's speculatable prefix up to its last candidate moves to the
//! end of `A` (nothing runs between the end of `A` and the start of its arm, so each load reads
//! what it read before), and `if_convert` converts `A`'s branch at once. A loop is copied only
//! when every such branch converts (otherwise copying would only cost code size), when no
//! value defined in the loop is used outside it (the exit is reached from both copies), and
//! once (the copy and the original are not visited again).

use super::licm::{Loop, ensure_preheader, find_loops};
use super::util::{DomTree, for_each_use, map_uses, predecessors};
use crate::function::*;
use std::collections::{HashMap, HashSet};

/// Runs the pass; true if a loop was versioned.
pub fn run(func: &mut Function) -> bool {
    if !func.param_ranks.iter().any(|r| matches!(r, Some(1 | 2))) {
        return false; // nothing can be proven in range
    }
    let mut changed = false;
    let mut done: HashSet<Block> = HashSet::new();
    loop {
        let domtree = DomTree::compute(func);
        let loops = find_loops(func, &domtree);
        let mut versioned = false;
        for lp in &loops {
            if done.contains(&lp.header) || !is_innermost(lp, &loops) {
                continue;
            }
            done.insert(lp.header);
            let Some(shape) = counted_loop(func, lp) else {
                continue;
            };
            let candidates = candidates(func, lp, &shape);
            if candidates.is_empty() {
                continue;
            }
            let mut trial = func.clone();
            if let Some(copy_header) = version(&mut trial, &domtree, lp, &shape, &candidates) {
                *func = trial;
                done.insert(copy_header);
                versioned = true;
                break; // the loops changed
            }
        }
        if !versioned {
            return changed;
        }
        changed = true;
    }
}

fn is_innermost(lp: &Loop, loops: &[Loop]) -> bool {
    loops
        .iter()
        .all(|other| other.header == lp.header || !lp.contains(other.header))
}

/// The counted loop's latch and induction variable.
struct Counted {
    /// Index of `i` among the header's parameters.
    index: usize,
    /// The bound `n` (defined outside the loop).
    bound: Value,
}

/// Matches the latch `brif (i + 1 < n), H(.., i + 1, ..), X(..)` of the loop.
fn counted_loop(func: &Function, lp: &Loop) -> Option<Counted> {
    let latches: Vec<Block> = func
        .layout
        .iter()
        .copied()
        .filter(|&b| lp.contains(b) && func.successors(b).contains(&lp.header))
        .collect();
    let [latch] = latches[..] else {
        return None;
    };
    let term = func.inst(func.terminator(latch)?);
    if term.op != Op::Brif
        || term.targets[0].block != lp.header
        || lp.contains(term.targets[1].block)
    {
        return None;
    }
    let cond = def(func, term.args[0])?;
    if cond.op != Op::Icmp(IntCC::Slt) {
        return None;
    }
    let (next, bound) = (cond.args[0], cond.args[1]);
    if defined_in(func, lp, bound) {
        return None;
    }
    let index = term.targets[0].args.iter().position(|&v| v == next)?;
    let i = func.block(lp.header).params[index];
    let inc = def(func, next)?;
    let one = |v: Value| const_of(func, v) == Some(1);
    let steps_by_one = inc.op == Op::Iadd
        && ((inc.args[0] == i && one(inc.args[1])) || (inc.args[1] == i && one(inc.args[0])));
    steps_by_one.then_some(Counted { index, bound })
}

/// A load the copy of the loop may do before its branch.
struct Candidate {
    /// The block ending in the branch, and the arm holding the load.
    branch: Block,
    arm: Block,
    /// The last instruction of the arm's prefix that moves (the last candidate load).
    last: Inst,
    /// What keeps the load's address inside its array.
    checks: Vec<Check>,
}

/// One index of a load that the check before the loop proves in range.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Check {
    /// The descriptor (a parameter) and the axis.
    array: Value,
    axis: u32,
    /// `i + k` (the loop's counter, `None`) or `u + k` for a value `u` defined outside the loop.
    base: Option<Value>,
    k: i64,
}

fn candidates(func: &Function, lp: &Loop, shape: &Counted) -> Vec<Candidate> {
    let preds = predecessors(func);
    let i = func.block(lp.header).params[shape.index];
    let mut found = Vec::new();
    for &arm in &func.layout {
        let [a] = preds[arm.0 as usize][..] else {
            continue;
        };
        if !lp.contains(arm) || !lp.contains(a) || arm == lp.header {
            continue;
        }
        let Some(term) = func.terminator(a) else {
            continue;
        };
        if func.inst(term).op != Op::Brif {
            continue;
        }
        for &inst in &func.block(arm).insts {
            let data = func.inst(inst);
            // A load repeating one of `A` reads a valid address: it moves with the prefix
            // and needs no check (`if_convert` reuses `A`'s value).
            if data.op.is_speculatable()
                || (matches!(data.op, Op::Load { .. })
                    && super::if_convert::repeated_load(func, a, inst).is_some())
            {
                continue;
            }
            match in_range_load(func, lp, inst, i) {
                Some(checks) => found.push(Candidate {
                    branch: a,
                    arm,
                    last: inst,
                    checks,
                }),
                None => break,
            }
        }
    }
    found
}

/// For a load of an element of a rank-1 or rank-2 descriptor parameter whose indices are the
/// counter plus a constant or values from outside the loop plus a constant: what to check.
fn in_range_load(func: &Function, lp: &Loop, inst: Inst, i: Value) -> Option<Vec<Check>> {
    let data = func.inst(inst);
    let Op::Load {
        offset,
        readonly: false,
    } = data.op
    else {
        return None;
    };
    let ty = func.value_type(*data.results.first()?);
    if ty.is_vector() || offset < 0 {
        return None;
    }
    let size = i64::from(ty.bits() / 8).max(1);
    let mut terms = Vec::new();
    sum_terms(func, data.args[0], &mut terms, 4)?;
    let (position, array, rank) = terms
        .iter()
        .enumerate()
        .find_map(|(p, &t)| data_pointer(func, t).map(|(d, r)| (p, d, r)))?;
    terms.remove(position);
    if terms.len() != rank as usize {
        return None;
    }
    // Each term is `index * stride`; the stride names the axis (a descriptor field), or is
    // the element size of the one axis whose stride is not loaded (for one-byte elements the
    // index itself).
    let mut axes: Vec<(Option<u32>, Value)> = Vec::new(); // (axis, index)
    let mut unit_stride = None;
    for &t in &terms {
        let (index, stride) = match def(func, t) {
            Some(m) if m.op == Op::Imul => {
                if index_of(func, lp, m.args[0], i).is_some() {
                    (m.args[0], Some(m.args[1]))
                } else {
                    (m.args[1], Some(m.args[0]))
                }
            }
            _ => (t, None),
        };
        let axis = match stride {
            None => None,
            Some(s) => match const_of(func, s) {
                Some(_) => None,
                None => Some(stride_axis(func, s, array, rank)?),
            },
        };
        if axis.is_none() {
            let unit = stride.map_or(Some(1), |s| const_of(func, s))?;
            if unit_stride.replace(unit).is_some() {
                return None; // two axes without a loaded stride
            }
        }
        axes.push((axis, index));
    }
    let loaded: Vec<u32> = axes.iter().filter_map(|a| a.0).collect();
    let free_axis = (0..rank).find(|a| !loaded.contains(a));
    let mut checks = Vec::new();
    for (axis, index) in axes {
        let axis = match axis {
            Some(a) => a,
            None => free_axis?,
        };
        let (base, k) = index_of(func, lp, index, i)?;
        checks.push(Check {
            array,
            axis,
            base,
            k,
        });
    }
    checks.sort();
    checks.dedup();
    if checks.len() != rank as usize {
        return None; // an axis named twice
    }
    let in_element = match unit_stride {
        Some(s) => i64::from(offset) + size <= s,
        None => offset == 0,
    };
    in_element.then_some(checks)
}

/// The terms of a sum of `iadd`s (at most `depth` levels deep).
fn sum_terms(func: &Function, v: Value, out: &mut Vec<Value>, depth: u32) -> Option<()> {
    match def(func, v) {
        Some(d) if d.op == Op::Iadd && depth > 0 => {
            sum_terms(func, d.args[0], out, depth - 1)?;
            sum_terms(func, d.args[1], out, depth - 1)
        }
        _ => {
            out.push(v);
            (out.len() <= 3).then_some(())
        }
    }
}

/// The axis whose stride `v` loads from the descriptor `array` of rank `rank`.
fn stride_axis(func: &Function, v: Value, array: Value, rank: u32) -> Option<u32> {
    (0..rank).find(|&axis| {
        is_descriptor_field(func, v, array, runtime::array::stride_offset(rank, axis))
    })
}

/// An index: the counter plus a constant (`(None, k)`), or a value defined outside the loop
/// plus a constant (`(Some(u), k)`); |k| < 2³¹.
fn index_of(func: &Function, lp: &Loop, v: Value, i: Value) -> Option<(Option<Value>, i64)> {
    if let Some(k) = index_offset(func, v, i) {
        return Some((None, k));
    }
    let (u, k) = match def(func, v) {
        Some(d) if d.op == Op::Iadd && const_of(func, d.args[1]).is_some() => {
            (d.args[0], const_of(func, d.args[1])?)
        }
        Some(d) if d.op == Op::Isub && const_of(func, d.args[1]).is_some() => {
            (d.args[0], const_of(func, d.args[1])?.checked_neg()?)
        }
        _ => (v, 0),
    };
    (!defined_in(func, lp, u) && k.unsigned_abs() < 1 << 31).then_some((Some(u), k))
}

/// `v` is `i + k` (`i`, `i + c`, `c + i`, `i - c` with a constant `c`, |k| < 2³¹): returns `k`.
fn index_offset(func: &Function, v: Value, i: Value) -> Option<i64> {
    if v == i {
        return Some(0);
    }
    let d = def(func, v)?;
    let k = match d.op {
        Op::Iadd if d.args[0] == i => const_of(func, d.args[1])?,
        Op::Iadd if d.args[1] == i => const_of(func, d.args[0])?,
        Op::Isub if d.args[0] == i => const_of(func, d.args[1])?.checked_neg()?,
        _ => return None,
    };
    (k.unsigned_abs() < 1 << 31).then_some(k)
}

/// The descriptor whose data pointer `v` is, and its rank, if it is a parameter marked rank 1
/// or 2.
fn data_pointer(func: &Function, v: Value) -> Option<(Value, u32)> {
    let d = def(func, v)?;
    match d.op {
        Op::Load {
            offset: 0,
            readonly: true,
        } if func.value_type(v) == Ty::I64 || func.value_type(v) == Ty::Ptr => {
            let desc = d.args[0];
            let entry = func.entry()?;
            match func.value_def(desc) {
                ValueDef::Param(b, index) if b == entry => {
                    let rank = func.param_rank(index as usize)?;
                    (rank == 1 || rank == 2).then_some((desc, rank))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn is_descriptor_field(func: &Function, v: Value, desc: Value, field: i32) -> bool {
    def(func, v).is_some_and(|d| {
        d.op == (Op::Load {
            offset: field,
            readonly: true,
        }) && d.args[0] == desc
    })
}

fn def(func: &Function, v: Value) -> Option<&InstData> {
    match func.value_def(v) {
        ValueDef::Result(inst, _) => Some(func.inst(inst)),
        ValueDef::Param(..) => None,
    }
}

fn const_of(func: &Function, v: Value) -> Option<i64> {
    match def(func, v)?.op {
        Op::Iconst(c) => Some(c),
        _ => None,
    }
}

fn defined_in(func: &Function, lp: &Loop, v: Value) -> bool {
    match func.value_def(v) {
        ValueDef::Param(b, _) => lp.contains(b),
        ValueDef::Result(inst, _) => func
            .layout
            .iter()
            .any(|&b| lp.contains(b) && func.block(b).insts.contains(&inst)),
    }
}

/// Copies the loop behind the range check and converts the copy's branches. Returns the copy's
/// header, or `None` (and `func` is to be dropped) when a branch did not convert.
fn version(
    func: &mut Function,
    domtree: &DomTree,
    lp: &Loop,
    shape: &Counted,
    candidates: &[Candidate],
) -> Option<Block> {
    let blocks: Vec<Block> = func
        .layout
        .iter()
        .copied()
        .filter(|&b| lp.contains(b))
        .collect();
    // The exit is reached from both copies: a value of the loop used after it would need a
    // parameter there.
    for &b in &func.layout {
        if lp.contains(b) {
            continue;
        }
        for &inst in &func.block(b).insts {
            let mut escapes = false;
            for_each_use(func.inst(inst), |v| escapes |= defined_in(func, lp, v));
            if escapes {
                return None;
            }
        }
    }
    let preheader = ensure_preheader(func, domtree, lp);

    // The copy: blocks, parameters and results first, then operands and targets renamed.
    let mut block_map: HashMap<Block, Block> = HashMap::new();
    let mut values: HashMap<Value, Value> = HashMap::new();
    let mut inst_map: HashMap<Inst, Inst> = HashMap::new();
    for &b in &blocks {
        let copy = func.create_block();
        block_map.insert(b, copy);
        for p in func.block(b).params.clone() {
            let ty = func.value_type(p);
            values.insert(p, func.append_block_param(copy, ty));
        }
        for inst in func.block(b).insts.clone() {
            let data = func.inst(inst).clone();
            let types: Vec<Ty> = data.results.iter().map(|&r| func.value_type(r)).collect();
            let new = func.create_inst(data.op.clone(), data.args, &types, data.targets);
            let (line, col) = (data.line, data.col);
            let new_data = func.inst_mut(new);
            new_data.line = line;
            new_data.col = col;
            for (&old, &fresh) in data.results.iter().zip(&func.inst(new).results.clone()) {
                values.insert(old, fresh);
            }
            inst_map.insert(inst, new);
            func.block_mut(copy).insts.push(new);
        }
    }
    for &new in inst_map.values() {
        let data = func.inst_mut(new);
        map_uses(data, |v| values.get(&v).copied().unwrap_or(v));
        for target in &mut data.targets {
            if let Some(&b) = block_map.get(&target.block) {
                target.block = b;
            }
        }
    }
    let last_original = *blocks.last()?;
    let position = func.layout.iter().position(|&b| b == last_original)? + 1;
    let copies: Vec<Block> = blocks.iter().map(|b| block_map[b]).collect();
    func.layout.splice(position..position, copies);

    // In the copy, each arm's prefix up to its last candidate moves to the end of its `A`.
    let mut moves: Vec<(Block, Block, Inst)> = Vec::new(); // (A, arm, last), in order
    for c in candidates {
        let (branch, arm, last) = (block_map[&c.branch], block_map[&c.arm], inst_map[&c.last]);
        match moves.iter_mut().find(|m| m.1 == arm) {
            // Candidates of one arm come in the arm's order: the later one ends the prefix.
            Some(m) => m.2 = last,
            None => moves.push((branch, arm, last)),
        }
    }
    for &(a, arm, last) in &moves {
        let insts = &mut func.block_mut(arm).insts;
        let end = insts.iter().position(|&i| i == last)? + 1;
        let prefix: Vec<Inst> = insts.drain(..end).collect();
        let a_insts = &mut func.block_mut(a).insts;
        let term = a_insts.pop()?;
        a_insts.extend(prefix);
        a_insts.push(term);
    }
    let mut branches: Vec<Block> = moves.iter().map(|m| m.0).collect();
    branches.dedup();

    // The range check in the preheader, then the branch to one copy or the other.
    let p_insts = &mut func.block_mut(preheader).insts;
    let jump = p_insts.pop()?;
    let entry_args = func.inst(jump).targets[0].args.clone();
    let i0 = entry_args[shape.index];
    let mut checks: Vec<Check> = candidates
        .iter()
        .flat_map(|c| c.checks.iter().copied())
        .collect();
    checks.sort();
    checks.dedup();
    let (line, col) = (func.inst(jump).line, func.inst(jump).col);
    let mut b = crate::builder::Builder::new(func);
    b.switch_to(preheader);
    b.set_srcloc(line, col);
    let mut conditions: Vec<Value> = Vec::new();
    let mut lengths: HashMap<(Value, u32), Value> = HashMap::new();
    for check in checks {
        let len = *lengths.entry((check.array, check.axis)).or_insert_with(|| {
            let offset = runtime::array::shape_offset(check.axis);
            b.load(Ty::I64, check.array, offset, true)
        });
        let k = check.k;
        let minus_k = b.iconst(Ty::I64, -k);
        let limit = if k == 0 {
            len
        } else {
            b.binary(Op::Iadd, len, minus_k)
        };
        // `base + k` in [0, len) for the first index (and, for the counter, every later one
        // below n): `base >= -k` (known when it is a constant) and `base < len - k`.
        let first = check.base.unwrap_or(i0);
        match b.const_int(first) {
            Some(start) if start >= -k => {}
            Some(_) => return None, // out of range at once: the copy would never run
            None => conditions.push(b.icmp(IntCC::Sge, first, minus_k)),
        }
        conditions.push(b.icmp(IntCC::Slt, first, limit));
        if check.base.is_none() {
            conditions.push(b.icmp(IntCC::Sle, shape.bound, limit));
        }
    }
    let mut ok: Option<Value> = None;
    for c in conditions {
        ok = Some(match ok {
            None => c,
            Some(prev) => b.ins(Op::And, &[prev, c], Ty::Bool),
        });
    }
    let ok = ok?;
    let copy_header = block_map[&lp.header];
    b.brif(ok, copy_header, &entry_args, lp.header, &entry_args);

    for branch in branches {
        if !super::if_convert::convert_branch(func, branch) {
            return None;
        }
    }
    Some(copy_header)
}
