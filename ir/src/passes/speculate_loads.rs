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
//! by speculatable instructions and loads repeating a load of `A`, reading `data + (i + k) * s + offset` where
//!
//! - `data` is the data pointer (`load.i64.readonly D`) of a parameter `D` marked as a rank-1
//!   descriptor (`ptr array1d`, [`Function::param_ranks`]: lowering marks array arguments),
//! - `k` is an integer constant (`i`, `i + 1`, `i - 1`; |k| < 2³¹),
//! - `s` is a constant with `0 <= offset` and `offset + size <= s` (a contiguous array's element
//!   size; a complex element is two loads), or the descriptor's `strides[0]` with `offset = 0`.
//!
//! Such an address is valid when `0 <= i + k < shape[0]`, whatever the stride's sign. The check
//! in `P`, for each (array, k) pair: `i0 >= -k`, `i0 < shape[0] - k`, `n <= shape[0] - k`
//! (`shape[0] >= 0` and |k| < 2³¹: nothing overflows). `P` then branches to the copy or to
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

/// Byte offset of `shape[0]`, and of `strides[0]` in a rank-1 descriptor.
const SHAPE0: i32 = runtime::array::shape_offset(0);
const STRIDE0_1D: i32 = runtime::array::stride_offset(1, 0);

/// Runs the pass; true if a loop was versioned.
pub fn run(func: &mut Function) -> bool {
    if func.param_ranks.iter().all(|r| *r != Some(1)) {
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
    /// The rank-1 descriptor and the constant `k` of the index `i + k`.
    array: Value,
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
            match in_range_load(func, inst, i) {
                Some((array, k)) => found.push(Candidate {
                    branch: a,
                    arm,
                    last: inst,
                    array,
                    k,
                }),
                None => break,
            }
        }
    }
    found
}

/// For a load of element `i + k` of a rank-1 descriptor parameter: the descriptor and `k`.
fn in_range_load(func: &Function, inst: Inst, i: Value) -> Option<(Value, i64)> {
    let data = func.inst(inst);
    let Op::Load {
        offset,
        readonly: false,
    } = data.op
    else {
        return None;
    };
    let ty = func.value_type(*data.results.first()?);
    if ty.is_vector() {
        return None;
    }
    let size = i64::from(ty.bits() / 8).max(1);
    let address = def(func, data.args[0])?;
    if address.op != Op::Iadd {
        return None;
    }
    for (base, scaled) in [
        (address.args[0], address.args[1]),
        (address.args[1], address.args[0]),
    ] {
        let Some(array) = rank1_data_pointer(func, base) else {
            continue;
        };
        // `index * s`, or the index itself for one-byte elements.
        let (index, stride) = match def(func, scaled) {
            Some(m) if m.op == Op::Imul => {
                if let Some(k) = index_offset(func, m.args[0], i) {
                    (k, m.args[1])
                } else {
                    (index_offset(func, m.args[1], i)?, m.args[0])
                }
            }
            _ => (index_offset(func, scaled, i)?, Value(u32::MAX)),
        };
        let stride_ok = if stride == Value(u32::MAX) {
            offset >= 0 && i64::from(offset) + size <= 1
        } else if let Some(s) = const_of(func, stride) {
            offset >= 0 && i64::from(offset) + size <= s
        } else {
            offset == 0 && is_descriptor_field(func, stride, array, STRIDE0_1D)
        };
        if stride_ok {
            return Some((array, index));
        }
    }
    None
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

/// The descriptor whose data pointer `v` is, if it is a parameter marked rank 1.
fn rank1_data_pointer(func: &Function, v: Value) -> Option<Value> {
    let d = def(func, v)?;
    match d.op {
        Op::Load {
            offset: 0,
            readonly: true,
        } if func.value_type(v) == Ty::I64 || func.value_type(v) == Ty::Ptr => {
            let desc = d.args[0];
            let entry = func.entry()?;
            match func.value_def(desc) {
                ValueDef::Param(b, index)
                    if b == entry && func.param_rank(index as usize) == Some(1) =>
                {
                    Some(desc)
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
    let mut checks: Vec<(Value, i64)> = candidates.iter().map(|c| (c.array, c.k)).collect();
    checks.sort_by_key(|&(v, k)| (v.0, k));
    checks.dedup();
    let (line, col) = (func.inst(jump).line, func.inst(jump).col);
    let mut b = crate::builder::Builder::new(func);
    b.switch_to(preheader);
    b.set_srcloc(line, col);
    let mut ok: Option<Value> = None;
    for (array, k) in checks {
        let len = b.load(Ty::I64, array, SHAPE0, true);
        let minus_k = b.iconst(Ty::I64, -k);
        let limit = if k == 0 {
            len
        } else {
            b.binary(Op::Iadd, len, minus_k)
        };
        // `i0 >= -k` is known when the loop starts at a constant (`range(n)`, `range(1, n)`).
        let low = match b.const_int(i0) {
            Some(start) if start >= -k => None,
            Some(_) => return None, // the first index is out of range: the copy never runs
            None => Some(b.icmp(IntCC::Sge, i0, minus_k)),
        };
        let first = b.icmp(IntCC::Slt, i0, limit);
        let last = b.icmp(IntCC::Sle, shape.bound, limit);
        for c in low.into_iter().chain([first, last]) {
            ok = Some(match ok {
                None => c,
                Some(prev) => b.ins(Op::And, &[prev, c], Ty::Bool),
            });
        }
    }
    let ok = ok?;
    let copy_header = block_map[&lp.header];
    b.ins_full(
        Op::Brif,
        vec![ok],
        &[],
        vec![
            BlockCall {
                block: copy_header,
                args: entry_args.clone(),
            },
            BlockCall {
                block: lp.header,
                args: entry_args,
            },
        ],
    );

    for branch in branches {
        if !super::if_convert::convert_branch(func, branch) {
            return None;
        }
    }
    Some(copy_header)
}
