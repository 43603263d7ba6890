//! Dead-code elimination: removes blocks the entry cannot reach, every pure instruction
//! ([`crate::function::Op::is_pure`]) whose results no live instruction needs, and every block
//! parameter (except the entry's) that nothing live needs, together with the branch arguments
//! feeding it.
//!
//! Liveness starts from the instructions with effects (stores, calls, terminators — but a
//! branch's arguments only count when the parameter they feed is live) and flows backwards
//! through operands and from parameters to the branch arguments feeding them. So a value
//! carried around a loop and never read, or a chain of dead arithmetic, disappears in one run.
//! Removed instructions and parameters keep their arena slots.

use super::util::{layout_insts, remove_block_param, remove_unreachable_blocks};
use crate::function::*;

pub fn run(func: &mut Function) -> bool {
    let mut changed = remove_unreachable_blocks(func);
    // Edges into each block: (branch instruction, target index).
    let mut edges: Vec<Vec<(Inst, usize)>> = vec![Vec::new(); func.blocks.len()];
    let insts = layout_insts(func);
    for &inst in &insts {
        for (t, target) in func.inst(inst).targets.iter().enumerate() {
            edges[target.block.0 as usize].push((inst, t));
        }
    }

    let mut live = Liveness {
        insts: vec![false; func.insts.len()],
        values: vec![false; func.values.len()],
        worklist: Vec::new(),
    };
    if let Some(entry) = func.entry() {
        func.block(entry).params.iter().for_each(|&v| live.mark(v));
    }
    for &inst in &insts {
        let data = func.inst(inst);
        if !data.op.is_pure() {
            live.insts[inst.0 as usize] = true;
            data.args.iter().for_each(|&v| live.mark(v));
        }
    }
    while let Some(v) = live.worklist.pop() {
        match func.value_def(v) {
            ValueDef::Result(inst, _) => {
                if !live.insts[inst.0 as usize] {
                    live.insts[inst.0 as usize] = true;
                    func.inst(inst).args.iter().for_each(|&a| live.mark(a));
                }
            }
            ValueDef::Param(block, index) => {
                for &(branch, t) in &edges[block.0 as usize] {
                    live.mark(func.inst(branch).targets[t].args[index as usize]);
                }
            }
        }
    }

    for &block in &func.layout.clone() {
        let before = func.block(block).insts.len();
        func.block_mut(block)
            .insts
            .retain(|i| live.insts[i.0 as usize]);
        changed |= func.block(block).insts.len() != before;
        for index in (0..func.block(block).params.len()).rev() {
            if live.values[func.block(block).params[index].0 as usize] {
                continue;
            }
            remove_block_param(func, block, index);
            for &(branch, t) in &edges[block.0 as usize] {
                func.inst_mut(branch).targets[t].args.remove(index);
            }
            changed = true;
        }
    }
    changed
}

struct Liveness {
    insts: Vec<bool>,
    values: Vec<bool>,
    worklist: Vec<Value>,
}

impl Liveness {
    fn mark(&mut self, v: Value) {
        if !self.values[v.0 as usize] {
            self.values[v.0 as usize] = true;
            self.worklist.push(v);
        }
    }
}
