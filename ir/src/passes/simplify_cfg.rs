//! Control-flow simplification, repeated until nothing changes:
//! 1. remove blocks the entry cannot reach;
//! 2. a `brif` whose two targets are the same block becomes a `jump`, its arguments chosen by
//!    `select`s where the two edges pass different values;
//! 3. jump threading: an edge into a block that only forwards (`blockB(params): jump C(args)`,
//!    its parameters used nowhere else) goes straight to `C`, with the forwarded arguments
//!    substituted (chains are followed; cycles of forwarding blocks are left alone);
//! 4. branch threading: a block that only branches on one of its own parameters
//!    (`blockB(c, ..): brif c, T(..), F(..)`, its parameters used nowhere else: what `a and b`
//!    leaves when a loop's condition joins its two tests) is copied into a predecessor that
//!    jumps to it, and skipped by a predecessor's branch edge that fixes `c` (a constant, or
//!    the predecessor's own condition on its true or false edge). `while j >= 0 and b[j] > k:`
//!    then branches on each test where it is made, and the body is entered only from edges
//!    that proved `j >= 0`;
//! 5. a block whose only predecessor edge is a `jump` from one other block is merged into it
//!    (its parameters replaced by the jump's arguments);
//! 6. a block parameter that receives the same value on every edge (apart from edges passing
//!    the parameter itself) is replaced by that value and removed with its arguments.
//!
//! The entry block stays first and keeps its parameters. All steps keep SSA dominance: a value
//! forwarded past a block dominated that block, hence every predecessor of it.

use super::util::{
    for_each_use, predecessors, remove_block_param, remove_unreachable_blocks, resolve, substitute,
    successors, use_counts,
};
use crate::function::*;
use std::collections::HashMap;

pub fn run(func: &mut Function) -> bool {
    let mut changed = false;
    loop {
        let mut progress = remove_unreachable_blocks(func);
        progress |= fold_trivial_brifs(func);
        progress |= thread_jumps(func);
        progress |= thread_branches(func);
        progress |= merge_blocks(func);
        progress |= remove_redundant_params(func);
        if !progress {
            return changed;
        }
        changed = true;
    }
}

fn fold_trivial_brifs(func: &mut Function) -> bool {
    let mut changed = false;
    for block in func.layout.clone() {
        let Some(term) = func.terminator(block) else {
            continue;
        };
        let data = func.inst(term);
        if data.op != Op::Brif || data.targets[0].block != data.targets[1].block {
            continue;
        }
        // The same block with different arguments: the arguments chosen by selects (each arm
        // was empty, so the branch only chose values).
        let cond = data.args[0];
        let (then_args, else_args) = (data.targets[0].args.clone(), data.targets[1].args.clone());
        let mut args = Vec::with_capacity(then_args.len());
        let mut selects = Vec::new();
        for (&a, &b) in then_args.iter().zip(&else_args) {
            if a == b {
                args.push(a);
                continue;
            }
            let ty = func.value_type(a);
            let select = func.create_inst(Op::Select, vec![cond, a, b], &[ty], Vec::new());
            let (line, col) = (func.inst(term).line, func.inst(term).col);
            let d = func.inst_mut(select);
            d.line = line;
            d.col = col;
            args.push(func.inst(select).results[0]);
            selects.push(select);
        }
        let insts = &mut func.block_mut(block).insts;
        let at = insts.len() - 1;
        insts.splice(at..at, selects);
        let data = func.inst_mut(term);
        data.op = Op::Jump;
        data.args.clear();
        data.targets.truncate(1);
        data.targets[0].args = args;
        changed = true;
    }
    changed
}

/// `block`'s terminator if the block (not the entry) holds nothing else and its parameters
/// are used only by that terminator (its operands and branch arguments).
fn lone_terminator<'f>(func: &'f Function, uses: &[u32], block: Block) -> Option<&'f InstData> {
    if func.entry() == Some(block) || func.block(block).insts.len() != 1 {
        return None;
    }
    let term = func.inst(func.terminator(block)?);
    for &param in &func.block(block).params {
        let mut in_term = 0u32;
        for_each_use(term, |v| in_term += u32::from(v == param));
        if uses[param.0 as usize] != in_term {
            return None;
        }
    }
    Some(term)
}

/// `v` as seen past an edge into a block with `params`, passed `args`.
fn through_edge(params: &[Value], args: &[Value], v: Value) -> Value {
    params.iter().position(|&p| p == v).map_or(v, |i| args[i])
}

/// If `block` only forwards (`jump C(args)` with `C != block`, see [`lone_terminator`]),
/// returns that jump's target.
fn forwarding_target(func: &Function, uses: &[u32], block: Block) -> Option<BlockCall> {
    let term = lone_terminator(func, uses, block)?;
    (term.op == Op::Jump && term.targets[0].block != block).then(|| term.targets[0].clone())
}

fn thread_jumps(func: &mut Function) -> bool {
    let uses = use_counts(func);
    let mut changed = false;
    for block in func.layout.clone() {
        let Some(term) = func.terminator(block) else {
            continue;
        };
        for t in 0..func.inst(term).targets.len() {
            let mut call = func.inst(term).targets[t].clone();
            let mut visited = vec![call.block];
            let mut cyclic = false;
            while let Some(next) = forwarding_target(func, &uses, call.block) {
                if visited.contains(&next.block) {
                    cyclic = true; // forwarding blocks in a cycle: an intentional endless loop
                    break;
                }
                let params = &func.block(call.block).params;
                let args = next
                    .args
                    .iter()
                    .map(|&a| through_edge(params, &call.args, a))
                    .collect();
                visited.push(next.block);
                call = BlockCall {
                    block: next.block,
                    args,
                };
            }
            if visited.len() > 1 && !cyclic {
                func.inst_mut(term).targets[t] = call;
                changed = true;
            }
        }
    }
    changed
}

/// If `block` only branches on one of its own parameters (`brif c, ..`, see
/// [`lone_terminator`]), returns the branch.
fn branching_on_param(func: &Function, uses: &[u32], block: Block) -> Option<InstData> {
    let term = lone_terminator(func, uses, block)?;
    let branches = term.op == Op::Brif && func.block(block).params.contains(&term.args[0]);
    branches.then(|| term.clone())
}

fn thread_branches(func: &mut Function) -> bool {
    let uses = use_counts(func);
    let mut changed = false;
    for block in func.layout.clone() {
        let Some(term) = func.terminator(block) else {
            continue;
        };
        for t in 0..func.inst(term).targets.len() {
            let call = func.inst(term).targets[t].clone();
            if call.block == block {
                continue;
            }
            let Some(branch) = branching_on_param(func, &uses, call.block) else {
                continue;
            };
            // Never into another such block (or itself): threading around a cycle of them (a
            // loop that only tests) would go on forever.
            if branch.targets.iter().any(|target| {
                target.block == call.block
                    || branching_on_param(func, &uses, target.block).is_some()
            }) {
                continue;
            }
            // The branch as this edge would run it: the target block's parameters replaced by
            // the edge's arguments.
            let params = func.block(call.block).params.clone();
            let through = |v: Value| through_edge(&params, &call.args, v);
            let cond = through(branch.args[0]);
            let targets: Vec<BlockCall> = branch
                .targets
                .iter()
                .map(|target| BlockCall {
                    block: target.block,
                    args: target.args.iter().map(|&a| through(a)).collect(),
                })
                .collect();
            let data = func.inst(term);
            let known = match func.value_def(cond) {
                ValueDef::Result(inst, 0) => match func.inst(inst).op {
                    Op::Bconst(b) => Some(b),
                    _ => None,
                },
                _ => None,
            }
            .or_else(|| (data.op == Op::Brif && data.args[0] == cond).then_some(t == 0));
            match known {
                Some(taken) => {
                    let target = targets[usize::from(!taken)].clone();
                    func.inst_mut(term).targets[t] = target;
                }
                None if data.op == Op::Jump => {
                    let d = func.inst_mut(term);
                    d.op = Op::Brif;
                    d.args = vec![cond];
                    d.targets = targets;
                }
                None => continue,
            }
            changed = true;
            // This terminator changed shape: its other edges wait for the next round.
            break;
        }
    }
    changed
}

fn merge_blocks(func: &mut Function) -> bool {
    let mut preds = predecessors(func);
    let mut aliases: HashMap<Value, Value> = HashMap::new();
    let mut changed = false;
    let mut i = 0;
    while i < func.layout.len() {
        let block = func.layout[i];
        let Some(succ) = single_jump_successor(func, &preds, block) else {
            i += 1;
            continue;
        };
        let term = func.terminator(block).expect("a block with a jump");
        let args = func.inst(term).targets[0].args.clone();
        for (&param, &arg) in func.block(succ).params.iter().zip(&args) {
            aliases.insert(param, resolve(&aliases, arg));
        }
        let moved = std::mem::take(&mut func.block_mut(succ).insts);
        let insts = &mut func.block_mut(block).insts;
        insts.pop();
        insts.extend(moved);
        for next in successors(func, block) {
            for p in &mut preds[next.0 as usize] {
                if *p == succ {
                    *p = block;
                }
            }
        }
        func.layout.retain(|&b| b != succ);
        changed = true;
        // Stay on `block`: it may now end in another mergeable jump.
    }
    substitute(func, &aliases);
    changed
}

/// The block `block` jumps to, if that block can be merged into it: not itself, not the entry,
/// and with no other predecessor edge.
fn single_jump_successor(func: &Function, preds: &[Vec<Block>], block: Block) -> Option<Block> {
    let term = func.inst(func.terminator(block)?);
    let succ = term.targets.first()?.block;
    let ok = term.op == Op::Jump
        && succ != block
        && func.entry() != Some(succ)
        && preds[succ.0 as usize].len() == 1;
    ok.then_some(succ)
}

fn remove_redundant_params(func: &mut Function) -> bool {
    let mut edges: Vec<Vec<(Inst, usize)>> = vec![Vec::new(); func.blocks.len()];
    for &block in &func.layout {
        let Some(term) = func.terminator(block) else {
            continue;
        };
        for (t, target) in func.inst(term).targets.iter().enumerate() {
            edges[target.block.0 as usize].push((term, t));
        }
    }
    let mut aliases: HashMap<Value, Value> = HashMap::new();
    let mut changed = false;
    for block in func.layout.clone() {
        if func.entry() == Some(block) {
            continue;
        }
        for index in (0..func.block(block).params.len()).rev() {
            let param = func.block(block).params[index];
            let mut incoming = None;
            let mut unique = true;
            for &(branch, t) in &edges[block.0 as usize] {
                let v = resolve(&aliases, func.inst(branch).targets[t].args[index]);
                if v == param || incoming == Some(v) {
                    continue;
                }
                unique &= incoming.is_none();
                incoming = Some(v);
            }
            let (true, Some(value)) = (unique, incoming) else {
                continue;
            };
            aliases.insert(param, value);
            remove_block_param(func, block, index);
            for &(branch, t) in &edges[block.0 as usize] {
                func.inst_mut(branch).targets[t].args.remove(index);
            }
            changed = true;
        }
    }
    substitute(func, &aliases);
    changed
}
