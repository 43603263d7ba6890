//! Analyses and edits shared by the passes and the verifier: control-flow edges, reverse
//! postorder, the dominator tree (Cooper–Harvey–Kennedy), where instructions live, and
//! replacing uses of values.
//!
//! Everything here reads only blocks in the layout and tolerates out-of-range entities (they
//! are skipped), because the verifier runs these analyses on functions that may be malformed.

use crate::function::*;
use std::collections::HashMap;

/// The blocks `block`'s terminator branches to, in target order (one entry per edge).
pub fn successors(func: &Function, block: Block) -> Vec<Block> {
    let Some(data) = func.blocks.get(block.0 as usize) else {
        return vec![];
    };
    let Some(last) = data.insts.last().and_then(|i| func.insts.get(i.0 as usize)) else {
        return vec![];
    };
    if !last.op.is_terminator() {
        return vec![];
    }
    last.targets
        .iter()
        .map(|t| t.block)
        .filter(|b| (b.0 as usize) < func.blocks.len())
        .collect()
}

/// Predecessors of every block, indexed by block number: one entry per edge (a `brif` with
/// both targets equal contributes two), from blocks in the layout only.
pub fn predecessors(func: &Function) -> Vec<Vec<Block>> {
    let mut preds = vec![Vec::new(); func.blocks.len()];
    for &block in &func.layout {
        for succ in successors(func, block) {
            preds[succ.0 as usize].push(block);
        }
    }
    preds
}

/// Blocks reachable from the entry, in reverse postorder (successors visited in target order).
pub fn reverse_postorder(func: &Function) -> Vec<Block> {
    let Some(entry) = func.entry().filter(|b| (b.0 as usize) < func.blocks.len()) else {
        return vec![];
    };
    let mut visited = vec![false; func.blocks.len()];
    let mut postorder = Vec::new();
    // Explicit stack of (block, its successors, next successor index): no recursion depth limit.
    let mut stack = vec![(entry, successors(func, entry), 0)];
    visited[entry.0 as usize] = true;
    while let Some((block, succs, next)) = stack.last_mut() {
        if let Some(&succ) = succs.get(*next) {
            *next += 1;
            if !visited[succ.0 as usize] {
                visited[succ.0 as usize] = true;
                let succs = successors(func, succ);
                stack.push((succ, succs, 0));
            }
        } else {
            postorder.push(*block);
            stack.pop();
        }
    }
    postorder.reverse();
    postorder
}

/// The dominator tree of the blocks reachable from the entry.
#[derive(Clone, Debug)]
pub struct DomTree {
    rpo: Vec<Block>,
    /// Position in `rpo`, `u32::MAX` for unreachable blocks; indexed by block number.
    rpo_number: Vec<u32>,
    /// Immediate dominator; the entry's is itself; `None` when unreachable.
    idom: Vec<Option<Block>>,
}

impl DomTree {
    /// Computes dominators with the iterative algorithm of Cooper, Harvey and Kennedy ("A
    /// Simple, Fast Dominance Algorithm"), over reverse postorder.
    pub fn compute(func: &Function) -> DomTree {
        let rpo = reverse_postorder(func);
        let n = func.blocks.len();
        let mut rpo_number = vec![u32::MAX; n];
        for (i, b) in rpo.iter().enumerate() {
            rpo_number[b.0 as usize] = i as u32;
        }
        let preds = predecessors(func);
        let mut idom: Vec<Option<Block>> = vec![None; n];
        if let Some(&entry) = rpo.first() {
            idom[entry.0 as usize] = Some(entry);
        }
        let mut changed = true;
        while changed {
            changed = false;
            for &block in rpo.iter().skip(1) {
                let mut new_idom: Option<Block> = None;
                for &pred in &preds[block.0 as usize] {
                    if idom[pred.0 as usize].is_none() {
                        continue; // unreachable or not processed yet
                    }
                    new_idom = Some(match new_idom {
                        None => pred,
                        Some(current) => intersect(&idom, &rpo_number, pred, current),
                    });
                }
                if new_idom.is_some() && idom[block.0 as usize] != new_idom {
                    idom[block.0 as usize] = new_idom;
                    changed = true;
                }
            }
        }
        DomTree {
            rpo,
            rpo_number,
            idom,
        }
    }

    /// Reachable blocks in reverse postorder (the entry first).
    pub fn rpo(&self) -> &[Block] {
        &self.rpo
    }

    pub fn is_reachable(&self, block: Block) -> bool {
        self.rpo_number
            .get(block.0 as usize)
            .is_some_and(|&n| n != u32::MAX)
    }

    /// The immediate dominator (`None` for the entry and unreachable blocks).
    pub fn idom(&self, block: Block) -> Option<Block> {
        let idom = (*self.idom.get(block.0 as usize)?)?;
        (idom != block).then_some(idom)
    }

    /// True if every path from the entry to `b` passes through `a` (a block dominates
    /// itself). False when either is unreachable.
    pub fn dominates(&self, a: Block, b: Block) -> bool {
        if !self.is_reachable(a) || !self.is_reachable(b) {
            return false;
        }
        let target = self.rpo_number[a.0 as usize];
        let mut b = b;
        while self.rpo_number[b.0 as usize] > target {
            match self.idom(b) {
                Some(up) => b = up,
                None => return false,
            }
        }
        a == b
    }

    /// The children of every block in the tree, indexed by block number, in RPO order.
    pub fn children(&self) -> Vec<Vec<Block>> {
        let mut children = vec![Vec::new(); self.idom.len()];
        for &b in self.rpo.iter().skip(1) {
            if let Some(parent) = self.idom(b) {
                children[parent.0 as usize].push(b);
            }
        }
        children
    }
}

fn intersect(idom: &[Option<Block>], rpo_number: &[u32], a: Block, b: Block) -> Block {
    let (mut a, mut b) = (a, b);
    let number = |x: Block| rpo_number[x.0 as usize];
    while a != b {
        while number(a) > number(b) {
            a = idom[a.0 as usize].expect("processed blocks have an idom");
        }
        while number(b) > number(a) {
            b = idom[b.0 as usize].expect("processed blocks have an idom");
        }
    }
    a
}

/// The layout block of every placed instruction, indexed by instruction number.
pub fn inst_blocks(func: &Function) -> Vec<Option<Block>> {
    let mut blocks = vec![None; func.insts.len()];
    for &block in &func.layout {
        let Some(data) = func.blocks.get(block.0 as usize) else {
            continue;
        };
        for inst in &data.insts {
            if let Some(slot) = blocks.get_mut(inst.0 as usize) {
                *slot = Some(block);
            }
        }
    }
    blocks
}

/// The block defining `value` (its parameter's block, or its instruction's block from
/// `inst_blocks`).
pub fn def_block(func: &Function, inst_blocks: &[Option<Block>], value: Value) -> Option<Block> {
    match func.values.get(value.0 as usize)?.def {
        ValueDef::Param(block, _) => Some(block),
        ValueDef::Result(inst, _) => *inst_blocks.get(inst.0 as usize)?,
    }
}

/// Calls `f` on every value operand of `data`: arguments, then branch arguments.
pub fn for_each_use(data: &InstData, mut f: impl FnMut(Value)) {
    data.args.iter().copied().for_each(&mut f);
    data.targets
        .iter()
        .flat_map(|t| &t.args)
        .copied()
        .for_each(f);
}

/// Every value an instruction outside block `l` reads (arguments and branch arguments): what
/// a loop of one block must not define when nothing of it may be used after it.
pub fn uses_outside(func: &Function, l: Block) -> impl Iterator<Item = Value> + '_ {
    func.layout
        .iter()
        .filter(move |&&b| b != l)
        .flat_map(move |&b| &func.block(b).insts)
        .flat_map(move |&inst| {
            let d = func.inst(inst);
            d.args
                .iter()
                .chain(d.targets.iter().flat_map(|c| &c.args))
                .copied()
        })
}

/// Points every branch into `to` from a block other than `except` (a loop's back edge) at
/// `new` instead, with the same arguments: `new` becomes the way in (a preheader).
pub fn redirect_entries(func: &mut Function, to: Block, new: Block, except: Block) {
    for b in func.layout.clone() {
        if b == except {
            continue;
        }
        let Some(t) = func.terminator(b) else {
            continue;
        };
        for target in &mut func.inst_mut(t).targets {
            if target.block == to {
                target.block = new;
            }
        }
    }
}

/// Rewrites every operand of `data` through `f`.
pub fn map_uses(data: &mut InstData, mut f: impl FnMut(Value) -> Value) {
    for v in data
        .args
        .iter_mut()
        .chain(data.targets.iter_mut().flat_map(|t| &mut t.args))
    {
        *v = f(*v);
    }
}

/// Number of uses of every value by placed instructions, indexed by value number.
pub fn use_counts(func: &Function) -> Vec<u32> {
    let mut counts = vec![0; func.values.len()];
    for inst in layout_insts(func) {
        for_each_use(func.inst(inst), |v| counts[v.0 as usize] += 1);
    }
    counts
}

/// The instructions of the layout, in order.
pub fn layout_insts(func: &Function) -> Vec<Inst> {
    func.layout
        .iter()
        .flat_map(|&b| func.block(b).insts.iter().copied())
        .collect()
}

/// Replaces every use of `old` by `new` in the placed instructions.
pub fn replace_all_uses(func: &mut Function, old: Value, new: Value) {
    let mut map = HashMap::new();
    map.insert(old, new);
    substitute(func, &map);
}

/// Replaces uses according to `map`, following chains (`a → b`, `b → c` rewrites `a` to `c`).
/// The map must not contain cycles.
pub fn substitute(func: &mut Function, map: &HashMap<Value, Value>) {
    if map.is_empty() {
        return;
    }
    for inst in layout_insts(func) {
        map_uses(func.inst_mut(inst), |v| resolve(map, v));
    }
}

/// Follows `map` from `v` to a value that is not replaced.
pub fn resolve(map: &HashMap<Value, Value>, mut v: Value) -> Value {
    while let Some(&next) = map.get(&v) {
        v = next;
    }
    v
}

/// Removes from the layout the blocks the entry cannot reach. Returns true if any was removed.
pub fn remove_unreachable_blocks(func: &mut Function) -> bool {
    let mut reachable = vec![false; func.blocks.len()];
    for b in reverse_postorder(func) {
        reachable[b.0 as usize] = true;
    }
    let before = func.layout.len();
    func.layout
        .retain(|b| reachable.get(b.0 as usize).copied().unwrap_or(false));
    func.layout.len() != before
}

/// Removes parameter `index` of `block`, renumbering the definitions of the later parameters.
/// The caller removes the matching branch arguments and the uses of the parameter.
pub fn remove_block_param(func: &mut Function, block: Block, index: usize) {
    func.block_mut(block).params.remove(index);
    let params = func.block(block).params.clone();
    for (i, v) in params.into_iter().enumerate().skip(index) {
        func.values[v.0 as usize].def = ValueDef::Param(block, i as u32);
    }
}

/// A one-block counted loop `L(.., i, ..)` ending in `brif (i + 1 < n), L(..), X(..)`, `n`
/// defined outside `L` and `i` an `i64` stepping by 1: the shape the vectorizer and
/// `fill_copy` start from.
pub struct CountedLoop {
    /// `L`'s terminator.
    pub term: Inst,
    /// The `icmp slt` it tests.
    pub cmp: Inst,
    /// The index's position among `L`'s parameters, the index, and `i + 1`.
    pub i_index: usize,
    pub i: Value,
    pub next_i: Value,
    /// The trip bound.
    pub n: Value,
    /// The step's constant 1.
    pub one: Value,
}

/// `l` as a [`CountedLoop`], or why it is not one.
pub fn counted_loop(func: &Function, l: Block) -> Result<CountedLoop, String> {
    let block = func.block(l);
    let def_in_body = |v: Value| def_inst(func, v).filter(|inst| block.insts.contains(inst));
    let in_body = |v: Value| defined_in(func, l, v);
    let term = func.terminator(l).ok_or("the block is not terminated")?;
    let t = func.inst(term);
    if t.op != Op::Brif || t.targets[0].block != l || t.targets[1].block == l {
        return Err("not a loop ending in `brif cond, itself, exit`".into());
    }
    // brif (i + 1 < n)
    let cmp = def_in_body(t.args[0]).ok_or("the loop condition is not computed in the loop")?;
    let c = func.inst(cmp);
    if c.op != Op::Icmp(IntCC::Slt) || in_body(c.args[1]) {
        return Err("the loop condition is not `i + 1 < n` with `n` fixed".into());
    }
    let (next_i, n) = (c.args[0], c.args[1]);
    let i_index = t.targets[0]
        .args
        .iter()
        .position(|&a| a == next_i)
        .ok_or("the loop condition does not test the next index")?;
    let i = block.params[i_index];
    let inc = def_in_body(next_i).ok_or("the index is not incremented in the loop")?;
    let a = &func.inst(inc).args;
    let step_one = func.inst(inc).op == Op::Iadd
        && ((a[0] == i && const_of(func, a[1]) == Some(1))
            || (a[1] == i && const_of(func, a[0]) == Some(1)));
    if !step_one || func.value_type(i) != Ty::I64 {
        return Err("the index does not step by 1".into());
    }
    let one = if a[0] == i { a[1] } else { a[0] };
    Ok(CountedLoop {
        term,
        cmp,
        i_index,
        i,
        next_i,
        n,
        one,
    })
}

/// The instruction defining `v`, if an instruction does.
pub fn def_inst(func: &Function, v: Value) -> Option<Inst> {
    match func.value_def(v) {
        ValueDef::Result(inst, _) => Some(inst),
        ValueDef::Param(..) => None,
    }
}

/// The constant `v` is, if an `iconst` defines it.
pub fn const_of(func: &Function, v: Value) -> Option<i64> {
    match func.inst(def_inst(func, v)?).op {
        Op::Iconst(c) => Some(c),
        _ => None,
    }
}

/// Whether `v` is a parameter of block `l` or the result of one of its instructions.
pub fn defined_in(func: &Function, l: Block, v: Value) -> bool {
    match func.value_def(v) {
        ValueDef::Param(b, _) => b == l,
        ValueDef::Result(inst, _) => func.block(l).insts.contains(&inst),
    }
}
