//! Loads of a stack slot that is written once read the value written: the fields of a view's
//! descriptor (`out[:]`, `a[1:-1]`, `m[:, j]`) become the values lowering computed for them.
//!
//! A view is a descriptor built in a `stack_slot` (data pointer, shape, strides stored one by
//! one) and read back by every element access, like an argument's descriptor. Read back, its
//! stride is an unknown value: the vectorizer checks it at run time and `fill_copy` refuses the
//! loop (`out[:] = 0.0` stayed an element loop). Here, a load of `slot + o` takes the stored
//! value when
//!
//! - the slot's address is used only as the address of loads and stores (it does not escape:
//!   no call, no other store, no branch argument, no arithmetic sees it),
//! - exactly one store writes bytes `o .. o + size` of the slot, at offset `o` with the
//!   load's type, and no other store overlaps them,
//! - that store dominates the load (in the same block: comes before it).
//!
//! Then every path to the load passes the store, and nothing else writes those bytes, so the
//! load reads the stored value (SSA: the store's operand is the value it had then, which is the
//! value the load sees — a redefinition would have to pass the store again). The loads go; the
//! stores stay.

use super::util::{DomTree, inst_blocks};
use crate::function::{Function, Inst, Op, Value};
use std::collections::HashMap;

/// Runs the pass. True if a load was replaced.
pub fn run(func: &mut Function) -> bool {
    let slots: Vec<Value> = func
        .layout
        .iter()
        .flat_map(|&b| func.block(b).insts.iter())
        .filter(|&&i| matches!(func.inst(i).op, Op::StackSlot(_)))
        .map(|&i| func.inst(i).results[0])
        .collect();
    if slots.is_empty() {
        return false;
    }
    // Per slot: its stores (offset, size, inst) and loads (inst), or `None` once it escapes.
    struct Accesses {
        stores: Vec<(i64, i64, Inst)>,
        loads: Vec<Inst>,
    }
    let mut accesses: HashMap<Value, Option<Accesses>> = slots
        .iter()
        .map(|&s| {
            let empty = Accesses {
                stores: Vec::new(),
                loads: Vec::new(),
            };
            (s, Some(empty))
        })
        .collect();
    for &b in &func.layout {
        for &inst in &func.block(b).insts {
            let d = func.inst(inst);
            for (k, &a) in d.args.iter().enumerate() {
                let Some(entry) = accesses.get_mut(&a) else {
                    continue;
                };
                let Some(acc) = entry else {
                    continue;
                };
                match d.op {
                    Op::Load { .. } => acc.loads.push(inst),
                    Op::Store { offset } if k == 0 => {
                        let size = i64::from(func.value_type(d.args[1]).bits() / 8);
                        acc.stores.push((i64::from(offset), size, inst));
                    }
                    _ => *entry = None,
                }
            }
            // A slot passed to another block escapes too.
            for t in &d.targets {
                for a in &t.args {
                    if let Some(entry) = accesses.get_mut(a) {
                        *entry = None;
                    }
                }
            }
        }
    }
    let dom = DomTree::compute(func);
    let blocks = inst_blocks(func);
    let position = |inst: Inst| {
        let b = blocks[inst.0 as usize].expect("in the layout");
        let at = func.block(b).insts.iter().position(|&i| i == inst);
        (b, at.expect("in its block"))
    };
    let mut replace: HashMap<Value, Value> = HashMap::new();
    let mut dead = Vec::new();
    for acc in accesses.values().flatten() {
        for &load in &acc.loads {
            let d = func.inst(load);
            let Op::Load { offset, .. } = d.op else {
                continue;
            };
            let ty = func.value_type(d.results[0]);
            let (lo, size) = (i64::from(offset), i64::from(ty.bits() / 8));
            let overlapping: Vec<&(i64, i64, Inst)> = acc
                .stores
                .iter()
                .filter(|&&(o, s, _)| o < lo + size && lo < o + s)
                .collect();
            let [&(o, s, store)] = overlapping[..] else {
                continue;
            };
            let value = func.inst(store).args[1];
            if o != lo || s != size || func.value_type(value) != ty {
                continue;
            }
            let ((sb, si), (lb, li)) = (position(store), position(load));
            let dominates = if sb == lb {
                si < li
            } else {
                dom.dominates(sb, lb)
            };
            if dominates && dom.is_reachable(lb) {
                replace.insert(d.results[0], value);
                dead.push((lb, load));
            }
        }
    }
    if replace.is_empty() {
        return false;
    }
    super::util::substitute(func, &replace);
    // The loads themselves go (a plain load is not removed by `dce`).
    for (b, load) in dead {
        func.block_mut(b).insts.retain(|&i| i != load);
    }
    true
}
