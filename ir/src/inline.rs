//! Inlining of calls between functions of one module.
//!
//! Small callees (the seed's `mandel` called from `create_fractal`'s inner loop) cost more in
//! call overhead and lost optimisation than their body; inlining them lets LICM and CSE see the
//! whole loop. A call `v1, v2 = call @g(a, b)` in block `B` becomes: `B` jumps to a copy of
//! `g`'s entry block with `(a, b)`; every `return x, y` of the copy jumps to a new continuation
//! block whose parameters *are* `v1, v2` (their definitions are moved, so no use needs
//! rewriting); `raise` sites are copied into the caller's error table.

use crate::function::*;
use std::collections::HashMap;

/// Inlining limits.
#[derive(Clone, Copy, Debug)]
pub struct InlineOptions {
    /// Callees with more instructions than this are not inlined.
    pub max_callee_insts: usize,
    /// Rounds of inlining (a callee's own calls are inlined in the next round).
    pub max_rounds: usize,
}

impl Default for InlineOptions {
    fn default() -> Self {
        InlineOptions {
            max_callee_insts: 400,
            max_rounds: 3,
        }
    }
}

/// Inlines eligible calls in every function of `module`, then drops functions that are no
/// longer reachable from `roots`.
pub fn inline_module(module: &mut Module, roots: &[&str], opts: &InlineOptions) {
    for _ in 0..opts.max_rounds {
        let snapshot = module.clone();
        let mut changed = false;
        for func in &mut module.functions {
            changed |= inline_calls_in(func, &snapshot, opts);
        }
        if !changed {
            break;
        }
    }
    remove_unreachable_functions(module, roots);
}

fn inline_calls_in(func: &mut Function, module: &Module, opts: &InlineOptions) -> bool {
    let mut changed = false;
    // Restart the scan after each inlining: block and instruction lists change.
    'scan: loop {
        for b in func.layout.clone() {
            for (index, &inst) in func.block(b).insts.iter().enumerate() {
                let Op::Call(name) = &func.inst(inst).op else {
                    continue;
                };
                if *name == func.name {
                    continue;
                }
                let Some(callee) = module.function(name) else {
                    continue;
                };
                let size: usize = callee
                    .layout
                    .iter()
                    .map(|&cb| callee.block(cb).insts.len())
                    .sum();
                if size > opts.max_callee_insts || calls_itself(callee) {
                    continue;
                }
                let callee = callee.clone();
                inline_one(func, b, index, &callee);
                changed = true;
                continue 'scan;
            }
        }
        return changed;
    }
}

fn calls_itself(f: &Function) -> bool {
    f.layout
        .iter()
        .flat_map(|&b| &f.block(b).insts)
        .any(|&i| f.inst(i).op == Op::Call(f.name.clone()))
}

/// Inlines the call at `func.block(block).insts[index]`.
fn inline_one(func: &mut Function, block: Block, index: usize, callee: &Function) {
    let call = func.block(block).insts[index];
    let call_args = func.inst(call).args.clone();
    let call_results = std::mem::take(&mut func.inst_mut(call).results);
    let (line, col) = (func.inst(call).line, func.inst(call).col);

    // Continuation: the instructions after the call, with the call's results as parameters.
    let cont = func.create_block();
    let tail = func.block_mut(block).insts.split_off(index + 1);
    func.block_mut(block).insts.pop();
    func.block_mut(cont).insts = tail;
    for (i, &r) in call_results.iter().enumerate() {
        func.values[r.0 as usize].def = ValueDef::Param(cont, i as u32);
        func.block_mut(cont).params.push(r);
    }
    // Results defined in the moved instructions keep pointing at the same instructions.

    // Copy the callee's blocks.
    let mut block_map = HashMap::new();
    for &cb in &callee.layout {
        block_map.insert(cb, func.create_block());
    }
    let mut value_map: HashMap<Value, Value> = HashMap::new();
    for &cb in &callee.layout {
        let nb = block_map[&cb];
        for &p in &callee.block(cb).params {
            let np = func.append_block_param(nb, callee.value_type(p));
            value_map.insert(p, np);
        }
    }
    let error_map: Vec<ErrorId> = callee
        .errors
        .iter()
        .map(|e| func.add_error(e.clone()))
        .collect();
    // Instructions in dominance-compatible order: callee layout order defines before use in
    // the same block; values from other blocks are mapped lazily below.
    let mut pending: Vec<(Inst, Inst)> = Vec::new();
    for &cb in &callee.layout {
        let nb = block_map[&cb];
        for &ci in &callee.block(cb).insts {
            let data = callee.inst(ci);
            let result_types: Vec<Ty> =
                data.results.iter().map(|&r| callee.value_type(r)).collect();
            let (op, targets) = match &data.op {
                Op::Return => (
                    Op::Jump,
                    vec![BlockCall {
                        block: cont,
                        args: data.args.clone(),
                    }],
                ),
                Op::Raise(id) => (Op::Raise(error_map[id.0 as usize]), Vec::new()),
                op => (
                    op.clone(),
                    data.targets
                        .iter()
                        .map(|t| BlockCall {
                            block: block_map[&t.block],
                            args: t.args.clone(),
                        })
                        .collect(),
                ),
            };
            let args = if data.op == Op::Return {
                Vec::new()
            } else {
                data.args.clone()
            };
            let ni = func.create_inst(op, args, &result_types, targets);
            func.inst_mut(ni).line = data.line;
            func.inst_mut(ni).col = data.col;
            for (&old, &new) in data.results.iter().zip(&func.inst(ni).results.clone()) {
                value_map.insert(old, new);
            }
            func.block_mut(nb).insts.push(ni);
            pending.push((ci, ni));
        }
    }
    // Rewrite operands (callee values → copies) now that every callee value has a copy.
    for (_, ni) in pending {
        let data = func.inst_mut(ni);
        for a in data.args.iter_mut() {
            *a = value_map[a];
        }
        for t in data.targets.iter_mut() {
            for a in t.args.iter_mut() {
                *a = value_map[a];
            }
        }
    }

    // The call site jumps into the copied entry block.
    let entry = block_map[&callee.layout[0]];
    let jump = func.create_inst(
        Op::Jump,
        Vec::new(),
        &[],
        vec![BlockCall {
            block: entry,
            args: call_args,
        }],
    );
    func.inst_mut(jump).line = line;
    func.inst_mut(jump).col = col;
    func.block_mut(block).insts.push(jump);

    // Layout: block, callee copy, continuation, then what followed `block`.
    let pos = func
        .layout
        .iter()
        .position(|&b| b == block)
        .expect("block in layout");
    let mut inserted: Vec<Block> = callee.layout.iter().map(|cb| block_map[cb]).collect();
    inserted.push(cont);
    func.layout.splice(pos + 1..pos + 1, inserted);

    // Branches that targeted `block`'s old terminator now live in `cont`; successors' block
    // params are unaffected (same BlockCalls, moved with the instruction).
}

fn remove_unreachable_functions(module: &mut Module, roots: &[&str]) {
    let mut reachable: Vec<String> = roots.iter().map(|r| r.to_string()).collect();
    let mut i = 0;
    while i < reachable.len() {
        if let Some(f) = module.function(&reachable[i]) {
            for &b in &f.layout {
                for &inst in &f.block(b).insts {
                    if let Op::Call(name) | Op::CallCatch(name) | Op::ParallelFor(name) =
                        &f.inst(inst).op
                        && !reachable.contains(name)
                    {
                        reachable.push(name.clone());
                    }
                }
            }
        }
        i += 1;
    }
    module.functions.retain(|f| reachable.contains(&f.name));
}
