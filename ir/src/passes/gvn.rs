//! Global value numbering by dominator-tree-scoped hashing (common-subexpression elimination):
//! a pure instruction ([`crate::function::Op::is_pure`]) that repeats the op, operands and result
//! types of one in a dominating position is removed and its results replaced by the earlier
//! ones.
//!
//! This dedupes repeated `load.*.readonly` of array descriptors (shape, strides, data pointer)
//! and the index arithmetic built on them. Operands of commutative integer ops are ordered so
//! `iadd a, b` and `iadd b, a` match. Trapping ops (`sdiv`…) are pure and may be merged: the
//! dominating copy already ran.
//!
//! Ordinary loads are merged only within a block, when nothing between the two may write
//! memory (a store, a call, a runtime routine that is not pure): `ia[i] % 8 + ia[i] // 4`
//! reads `ia[i]` once. Stores and calls are never merged.

use super::util::{DomTree, resolve, substitute};
use crate::function::*;
use std::collections::{HashMap, HashSet};

/// What makes two instructions equal: the op (floats by bits), operands and result types.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    op: String,
    args: Vec<Value>,
    types: Vec<Ty>,
}

pub fn run(func: &mut Function) -> bool {
    let domtree = DomTree::compute(func);
    let Some(&entry) = domtree.rpo().first() else {
        return false;
    };
    let children = domtree.children();
    let mut aliases: HashMap<Value, Value> = HashMap::new();
    let mut removed: HashSet<Inst> = HashSet::new();
    let mut table: HashMap<Key, Vec<Value>> = HashMap::new();
    // Keys added in each open scope, to forget them when leaving the subtree.
    let mut scopes: Vec<Vec<Key>> = Vec::new();
    // Depth-first walk of the dominator tree: `Some(block)` enters, `None` leaves a scope.
    let mut stack = vec![Some(entry)];
    while let Some(item) = stack.pop() {
        let Some(block) = item else {
            for key in scopes.pop().unwrap_or_default() {
                table.remove(&key);
            }
            continue;
        };
        let mut scope = Vec::new();
        // This block's ordinary loads since the last instruction that may write memory:
        // (address, offset, type) -> the loaded value.
        let mut loads: HashMap<(Value, i32, Ty), Value> = HashMap::new();
        for &inst in &func.block(block).insts.clone() {
            let data = func.inst_mut(inst);
            for v in data
                .args
                .iter_mut()
                .chain(data.targets.iter_mut().flat_map(|t| &mut t.args))
            {
                *v = resolve(&aliases, *v);
            }
            let data = func.inst(inst);
            match data.op {
                Op::Load {
                    offset,
                    readonly: false,
                } => {
                    let result = data.results[0];
                    let at = (data.args[0], offset, func.value_type(result));
                    match loads.get(&at) {
                        Some(&earlier) => {
                            aliases.insert(result, earlier);
                            removed.insert(inst);
                        }
                        None => {
                            loads.insert(at, result);
                        }
                    }
                    continue;
                }
                ref op if !op.is_pure() => loads.clear(),
                _ => {}
            }
            let Some(key) = key(func, inst) else { continue };
            let results = &func.inst(inst).results;
            match table.get(&key) {
                Some(existing) => {
                    for (&r, &e) in results.iter().zip(existing) {
                        aliases.insert(r, e);
                    }
                    removed.insert(inst);
                }
                None => {
                    table.insert(key.clone(), results.clone());
                    scope.push(key);
                }
            }
        }
        scopes.push(scope);
        stack.push(None);
        stack.extend(children[block.0 as usize].iter().rev().map(|&c| Some(c)));
    }
    substitute(func, &aliases);
    for &block in &func.layout.clone() {
        func.block_mut(block).insts.retain(|i| !removed.contains(i));
    }
    !removed.is_empty()
}

fn key(func: &Function, inst: Inst) -> Option<Key> {
    let data = func.inst(inst);
    if !data.op.is_pure() || data.results.is_empty() || !data.targets.is_empty() {
        return None;
    }
    let op = match &data.op {
        Op::Fconst(x) => format!("Fconst({:#x})", x.to_bits()),
        op => format!("{op:?}"),
    };
    let mut args = data.args.clone();
    let commutative = matches!(
        data.op,
        Op::Iadd
            | Op::Imul
            | Op::Band
            | Op::Bor
            | Op::Bxor
            | Op::Smin
            | Op::Smax
            | Op::Umin
            | Op::Umax
            | Op::And
            | Op::Or
            | Op::Icmp(IntCC::Eq | IntCC::Ne)
            // IEEE addition and multiplication are commutative (only the payload of a NaN
            // made from two NaNs may depend on the order, which Python cannot observe).
            | Op::Fadd
            | Op::Fmul
            | Op::Fcmp(FloatCC::Eq | FloatCC::Ne)
    );
    if commutative {
        args.sort();
    }
    let types = data.results.iter().map(|&v| func.value_type(v)).collect();
    Some(Key { op, args, types })
}
