//! Loop-invariant code motion: moves instructions that compute the same value on every
//! iteration out of loops, into the loop's preheader.
//!
//! Loops are natural loops: a back edge `B → H` is an edge whose target `H` dominates `B`; the
//! loop is `H` plus every block reaching `B` without passing through `H` (back edges to the same
//! header form one loop). Loops are processed innermost first, recomputing the analysis after
//! each, so an expression leaves a whole loop nest step by step.
//!
//! The preheader is the single block outside the loop that jumps only to the header; if there
//! is none, one is created before the header (with the header's parameter types, receiving
//! every edge from outside the loop), and becomes the new entry if the header was the entry.
//!
//! An instruction is hoisted when it is speculatable and each operand is defined outside the
//! loop or by an instruction already hoisted. Speculatable means [`Op::is_speculatable`] (pure
//! and unable to trap, including `load.*.readonly` of array descriptors; not ordinary loads,
//! stores or calls), plus integer division and remainder by a constant that cannot trap
//! (nonzero, and not -1 for the signed ops, read at the divisor's width) — the `n // 2` of a
//! loop bound. Because such instructions cannot trap, hoisting them from blocks that run
//! conditionally is safe.
//!
//! Sums are regrouped first so that their invariant part can leave: `a + (b + x)` with `a`
//! and `b` defined outside the loop becomes `(a + b) + x` (an element address
//! `data + (row + k * 8)`, which x86 then folds into one load; integer addition wraps, so the
//! bits are the same).
//!
//! A loop-invariant guard that raises (`x / s` checks `s == 0` in every iteration) is tested
//! once in the preheader instead, when the header branches on it before doing anything
//! visible: iteration 0 would raise at the same point (see [`invariant_guard`]).

use super::util::{DomTree, def_block, inst_blocks, predecessors};
use crate::function::*;
use std::collections::HashSet;

/// A natural loop: its header and membership of every block (indexed by block number).
pub(super) struct Loop {
    pub(super) header: Block,
    body: Vec<bool>,
    size: usize,
}

impl Loop {
    pub(super) fn contains(&self, block: Block) -> bool {
        self.body.get(block.0 as usize).copied().unwrap_or(false)
    }
}

pub fn run(func: &mut Function) -> bool {
    let mut changed = false;
    let mut done: HashSet<Block> = HashSet::new();
    loop {
        let domtree = DomTree::compute(func);
        let mut loops = find_loops(func, &domtree);
        loops.sort_by_key(|l| l.size);
        let Some(lp) = loops.into_iter().find(|l| !done.contains(&l.header)) else {
            return changed;
        };
        done.insert(lp.header);
        changed |= reassociate_sums(func, &lp);
        let invariant = invariant_insts(func, &domtree, &lp);
        if invariant.is_empty() {
            if let Some(guard) = invariant_guard(func, &domtree, &lp, &HashSet::new()) {
                let preheader = ensure_preheader(func, &domtree, &lp);
                hoist_guard(func, preheader, guard);
                changed = true;
            }
            continue;
        }
        let hoisted: HashSet<Value> = invariant
            .iter()
            .flat_map(|&i| func.inst(i).results.clone())
            .collect();
        let guard = invariant_guard(func, &domtree, &lp, &hoisted);
        let preheader = ensure_preheader(func, &domtree, &lp);
        for &block in &func.layout.clone() {
            if lp.contains(block) {
                func.block_mut(block)
                    .insts
                    .retain(|i| !invariant.contains(i));
            }
        }
        let insts = &mut func.block_mut(preheader).insts;
        let jump = insts.pop().expect("a preheader ends with its jump");
        insts.extend(invariant);
        insts.push(jump);
        if let Some(guard) = guard {
            hoist_guard(func, preheader, guard);
        }
        changed = true;
        // What was just hoisted may complete a sum to regroup (`data + (row + k * 8)` once
        // `data`, a descriptor load, is out): visit the loop again.
        if reassociate_sums(func, &lp) {
            done.remove(&lp.header);
        }
    }
}

/// A guard of the loop that can be tested once before it: the header ends in
/// `brif c, .., R` (either arm) where `c` is defined outside the loop (or hoisted: `hoisted`),
/// `R` is a block outside the loop without parameters that only raises, using values from
/// outside the loop, and nothing in the header before the branch writes memory or calls (loads
/// are fine: iteration 0 would only have read before raising). Then iteration 0 raises exactly
/// when the test before the loop does, and no later iteration can: `1 / s` in a loop tests
/// `s == 0` once, and the loop is one block again for the vectorizer.
struct Guard {
    branch: Inst,
    /// Which target of the branch raises.
    raising: usize,
}

fn invariant_guard(
    func: &Function,
    domtree: &DomTree,
    lp: &Loop,
    hoisted: &HashSet<Value>,
) -> Option<Guard> {
    let header = lp.header;
    let branch = func.terminator(header)?;
    let data = func.inst(branch);
    if data.op != Op::Brif {
        return None;
    }
    let blocks = super::util::inst_blocks(func);
    let outside = |v: Value| {
        hoisted.contains(&v)
            || match super::util::def_block(func, &blocks, v) {
                Some(b) => !lp.contains(b) && domtree.dominates(b, header) && b != header,
                None => false,
            }
    };
    if !outside(data.args[0]) {
        return None;
    }
    let raising = (0..2).find(|&t| {
        let target = &data.targets[t];
        let r = target.block;
        if lp.contains(r) || !target.args.is_empty() || !func.block(r).params.is_empty() {
            return false;
        }
        let insts = &func.block(r).insts;
        let Some((&last, body)) = insts.split_last() else {
            return false;
        };
        let defined_here: HashSet<Value> = body
            .iter()
            .flat_map(|&i| func.inst(i).results.clone())
            .collect();
        matches!(func.inst(last).op, Op::Raise(_))
            && insts.iter().all(|&i| {
                let d = func.inst(i);
                (d.op.is_pure() || matches!(d.op, Op::Raise(_)))
                    && d.args
                        .iter()
                        .all(|&v| defined_here.contains(&v) || outside(v))
            })
    })?;
    let prefix_quiet = func.block(header).insts.iter().all(|&i| {
        let op = &func.inst(i).op;
        i == branch || op.is_pure() || matches!(op, Op::Load { .. })
    });
    prefix_quiet.then_some(Guard { branch, raising })
}

/// Tests `guard` in `preheader` (which ends in its jump to the header) and makes the header
/// branch unconditionally to the arm that does not raise.
fn hoist_guard(func: &mut Function, preheader: Block, guard: Guard) {
    let data = func.inst(guard.branch).clone();
    let cond = data.args[0];
    let raising = data.targets[guard.raising].clone();
    let staying = data.targets[1 - guard.raising].clone();
    {
        let d = func.inst_mut(guard.branch);
        d.op = Op::Jump;
        d.args.clear();
        d.targets = vec![staying];
    }
    let jump = func
        .terminator(preheader)
        .expect("a preheader ends with its jump");
    let into_loop = func.inst(jump).targets[0].clone();
    let d = func.inst_mut(jump);
    d.op = Op::Brif;
    d.args = vec![cond];
    d.targets = if guard.raising == 0 {
        vec![raising, into_loop]
    } else {
        vec![into_loop, raising]
    };
}

pub(super) fn find_loops(func: &Function, domtree: &DomTree) -> Vec<Loop> {
    let preds = predecessors(func);
    let mut loops: Vec<Loop> = Vec::new();
    for &block in domtree.rpo() {
        for header in super::util::successors(func, block) {
            if !domtree.dominates(header, block) {
                continue;
            }
            let index = match loops.iter().position(|l| l.header == header) {
                Some(i) => i,
                None => {
                    let mut body = vec![false; func.blocks.len()];
                    body[header.0 as usize] = true;
                    loops.push(Loop {
                        header,
                        body,
                        size: 1,
                    });
                    loops.len() - 1
                }
            };
            let lp = &mut loops[index];
            let mut worklist = vec![block];
            while let Some(b) = worklist.pop() {
                if lp.body[b.0 as usize] || !domtree.is_reachable(b) {
                    continue;
                }
                lp.body[b.0 as usize] = true;
                lp.size += 1;
                worklist.extend(&preds[b.0 as usize]);
            }
        }
    }
    loops
}

/// Returns the loop's preheader, creating it if needed.
pub(super) fn ensure_preheader(func: &mut Function, domtree: &DomTree, lp: &Loop) -> Block {
    let header = lp.header;
    let mut outside_edges: Vec<(Inst, usize)> = Vec::new();
    for &block in &func.layout {
        if lp.contains(block) {
            continue;
        }
        let Some(term) = func.terminator(block) else {
            continue;
        };
        for (t, target) in func.inst(term).targets.iter().enumerate() {
            if target.block == header {
                outside_edges.push((term, t));
            }
        }
    }
    if let [(term, _)] = outside_edges[..] {
        let data = func.inst(term);
        let block = func
            .layout
            .iter()
            .copied()
            .find(|&b| func.terminator(b) == Some(term));
        if data.op == Op::Jump
            && block.is_some_and(|b| domtree.is_reachable(b))
            && func.entry() != Some(header)
        {
            return block.expect("checked above");
        }
    }
    let preheader = func.create_block();
    let types: Vec<Ty> = func
        .block(header)
        .params
        .iter()
        .map(|&v| func.value_type(v))
        .collect();
    let params: Vec<Value> = types
        .iter()
        .map(|&ty| func.append_block_param(preheader, ty))
        .collect();
    let jump = func.create_inst(
        Op::Jump,
        vec![],
        &[],
        vec![BlockCall {
            block: header,
            args: params,
        }],
    );
    func.block_mut(preheader).insts.push(jump);
    for (term, t) in outside_edges {
        func.inst_mut(term).targets[t].block = preheader;
    }
    let position = func.layout.iter().position(|&b| b == header).unwrap_or(0);
    func.layout.insert(position, preheader);
    preheader
}

/// The loop's instructions that can move to the preheader, in an order where definitions come
/// before uses.
/// `a + (b + x)` with `a` and `b` defined outside the loop and `x` inside becomes
/// `(a + b) + x`, and the new `a + b` is then hoisted with the rest: an element address
/// `data + (row_offset + k * 8)` becomes one register plus a scaled index, which x86 folds into
/// the load. Integer addition wraps, so every grouping gives the same bits. The inner sum stays
/// for its other uses (or goes in `dce`).
fn reassociate_sums(func: &mut Function, lp: &Loop) -> bool {
    let blocks_of = inst_blocks(func);
    let outside =
        |func: &Function, v: Value| def_block(func, &blocks_of, v).is_some_and(|b| !lp.contains(b));
    let mut rewrites = Vec::new();
    for &block in &func.layout {
        if !lp.contains(block) {
            continue;
        }
        for &inst in &func.block(block).insts {
            let d = func.inst(inst);
            if d.op != Op::Iadd || !func.value_type(d.results[0]).is_int() {
                continue;
            }
            for (k, &inner) in d.args.iter().enumerate() {
                let a = d.args[1 - k];
                let ValueDef::Result(sum, 0) = func.value_def(inner) else {
                    continue;
                };
                let s = func.inst(sum);
                if s.op != Op::Iadd || !outside(func, a) || outside(func, inner) {
                    continue;
                }
                let (b, x) = match (outside(func, s.args[0]), outside(func, s.args[1])) {
                    (true, false) => (s.args[0], s.args[1]),
                    (false, true) => (s.args[1], s.args[0]),
                    _ => continue,
                };
                rewrites.push((block, inst, a, b, x));
                break;
            }
        }
    }
    let mut changed = false;
    for &(block, inst, a, b, x) in &rewrites {
        // The result has the first operand's type: a pointer stays first.
        let ty = func.value_type(func.inst(inst).results[0]);
        let pair = if func.value_type(a) == ty {
            vec![a, b]
        } else if func.value_type(b) == ty {
            vec![b, a]
        } else {
            continue;
        };
        let (line, col) = (func.inst(inst).line, func.inst(inst).col);
        let sum = func.create_inst(Op::Iadd, pair, &[ty], Vec::new());
        let d = func.inst_mut(sum);
        d.line = line;
        d.col = col;
        let insts = &mut func.block_mut(block).insts;
        let at = insts.iter().position(|&i| i == inst).expect("in its block");
        insts.insert(at, sum);
        let new_a = func.inst(sum).results[0];
        func.inst_mut(inst).args = vec![new_a, x];
        changed = true;
    }
    changed
}

fn invariant_insts(func: &Function, domtree: &DomTree, lp: &Loop) -> Vec<Inst> {
    // Values defined inside the loop (cleared for the results of invariant instructions).
    let mut inside = vec![false; func.values.len()];
    let blocks: Vec<Block> = domtree
        .rpo()
        .iter()
        .copied()
        .filter(|&b| lp.contains(b))
        .collect();
    for &block in &blocks {
        func.block(block)
            .params
            .iter()
            .for_each(|v| inside[v.0 as usize] = true);
        for &inst in &func.block(block).insts {
            func.inst(inst)
                .results
                .iter()
                .for_each(|v| inside[v.0 as usize] = true);
        }
    }
    let mut invariant = Vec::new();
    for &block in &blocks {
        for &inst in &func.block(block).insts {
            let data = func.inst(inst);
            if speculatable(func, inst)
                && !data.op.is_terminator()
                && data.args.iter().all(|v| !inside[v.0 as usize])
            {
                data.results
                    .iter()
                    .for_each(|v| inside[v.0 as usize] = false);
                invariant.push(inst);
            }
        }
    }
    invariant
}

/// Whether `inst` may run where the program would not have run it (see the module doc).
fn speculatable(func: &Function, inst: Inst) -> bool {
    let data = func.inst(inst);
    let signed = match data.op {
        Op::Sdiv | Op::Srem => true,
        Op::Udiv | Op::Urem => false,
        ref op => return op.is_speculatable(),
    };
    let Some(&divisor) = data.args.get(1) else {
        return false;
    };
    let ValueDef::Result(def, _) = func.value_def(divisor) else {
        return false;
    };
    let Op::Iconst(raw) = func.inst(def).op else {
        return false;
    };
    let bits = func.value_type(divisor).bits();
    let value = if bits >= 64 {
        raw
    } else {
        (raw << (64 - bits)) >> (64 - bits)
    };
    value != 0 && !(signed && value == -1)
}
