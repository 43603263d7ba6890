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

use super::util::{DomTree, predecessors};
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
        let invariant = invariant_insts(func, &domtree, &lp);
        if invariant.is_empty() {
            continue;
        }
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
        changed = true;
    }
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
