//! Full unrolling of small counted loops: a one-block loop whose trip count is a small
//! constant becomes that many copies of its body in straight-line code.
//!
//! Loops such as `for di in range(-2, 3)` around a stencil's load are cheap to run but stop
//! the loop around them from being innermost, so the vectorizer (which takes one-block loops
//! only) would leave a 5×5 blur scalar; Numba's LLVM unrolls them fully and vectorizes the
//! loop outside. After this pass the copies fold their constant index (`j + dj` becomes
//! `j + -2`, …) and the enclosing loop is one block again once `simplify_cfg` merges it, so
//! the pass repeats, innermost loops first, until nothing more unrolls.
//!
//! A loop `L(params)` ending in `brif cond, L(back), X(exit)` is unrolled when:
//! - it is entered by exactly one edge from outside;
//! - `cond` depends only on constants and on parameters whose entry values are constants and
//!   whose next values depend only on the same (the loop's control: a counter and its bound,
//!   any step and comparison): the pass runs that control with constant folding's rules
//!   ([`super::constfold`]) and counts the iterations until `cond` is false;
//! - the count is at most [`MAX_TRIP`] and the copies are at most [`MAX_UNROLLED_INSTS`]
//!   instructions, and the function as a whole grows by at most [`growth_budget`] (so compile
//!   time stays linear in the code's size however deep small loops nest);
//! - the body allocates no stack slot and starts no parallel loop (each execution of those is
//!   one place, which copies would split).
//!
//! Loops of several blocks (a `break`, an `if` that stayed a branch, an inner loop not
//! unrolled) are left alone. The copies run in the original order with the same operations,
//! so results are bitwise equal. Uses of the loop's values after it (it dominates its exit)
//! read the last copy's. [`explain`] says what the pass decides for each loop (golden tests
//! check the reasons).

use super::constfold::{Const, evaluate_inst};
use super::util::{DomTree, predecessors, substitute};
use crate::function::{Block, BlockCall, Function, Inst, Op, Value, ValueDef};
use std::collections::{HashMap, HashSet};

/// Most iterations unrolled fully.
pub const MAX_TRIP: u64 = 32;
/// Most instructions the copies of one loop may have (LLVM's full-unroll threshold is of this
/// order).
pub const MAX_UNROLLED_INSTS: usize = 400;

/// How many instructions the pass may add to `func` in all: its size again, at least enough
/// for one loop at [`MAX_UNROLLED_INSTS`].
pub fn growth_budget(func: &Function) -> usize {
    func.insts.len().max(MAX_UNROLLED_INSTS)
}

/// Runs the pass. True if a loop was unrolled.
pub fn run(func: &mut Function) -> bool {
    let mut budget = growth_budget(func);
    let mut changed = false;
    loop {
        let mut progress = false;
        for l in func.layout.clone() {
            if !func.layout.contains(&l) || !func.successors(l).contains(&l) {
                continue;
            }
            if let Ok(plan) = analyze(func, l)
                && plan.added <= budget
            {
                budget -= plan.added;
                unroll(func, l, &plan);
                progress = true;
            }
        }
        if !progress {
            break;
        }
        changed = true;
        // The enclosing loop becomes one block again (its body jumped into the unrolled one).
        super::simplify_cfg::run(func);
    }
    if changed {
        // The copies' constant indices fold (`i + d` with `d` now a constant may be proven
        // non-negative, dropping its wraparound), and their repeated address arithmetic merges.
        super::constfold::run(func);
        if super::index_range::run(func) {
            super::constfold::run(func);
        }
        super::gvn::run(func);
    }
    changed
}

/// For every loop header (a block some block it dominates branches back to), the trip count
/// the pass unrolls it with, or why it does not. For golden tests and dumps: the decisions of
/// the first round, before inner loops are unrolled.
pub fn explain(func: &Function) -> Vec<(Block, Result<u64, String>)> {
    let domtree = DomTree::compute(func);
    let mut headers = Vec::new();
    for &b in &func.layout {
        for s in func.successors(b) {
            if domtree.dominates(s, b) && !headers.contains(&s) {
                headers.push(s);
            }
        }
    }
    headers.sort_by_key(|h| func.layout.iter().position(|b| b == h));
    headers
        .into_iter()
        .map(|h| {
            let budget = growth_budget(func);
            let decision = analyze(func, h).and_then(|plan| {
                if plan.added > budget {
                    Err(format!("the function's growth budget ({budget}) is spent"))
                } else {
                    Ok(plan.trip)
                }
            });
            (h, decision)
        })
        .collect()
}

struct Plan {
    trip: u64,
    /// The branch entering the loop and which of its targets is the loop.
    entry: (Inst, usize),
    /// Instructions the copies add beyond the loop's own.
    added: usize,
}

fn analyze(func: &Function, l: Block) -> Result<Plan, String> {
    if !func.successors(l).contains(&l) {
        return Err("the loop is more than one block (a break, a branch or an inner loop)".into());
    }
    let term = func.terminator(l).ok_or("the block is not terminated")?;
    let t = func.inst(term);
    if t.op != Op::Brif || t.targets[0].block != l || t.targets[1].block == l {
        return Err("not a loop ending in `brif cond, itself, exit`".into());
    }
    let block = func.block(l);
    let preds = predecessors(func);
    let outside: Vec<Block> = preds[l.0 as usize]
        .iter()
        .copied()
        .filter(|&p| p != l)
        .collect();
    let [from] = outside[..] else {
        return Err("the loop is entered from several places".into());
    };
    let from_term = func.terminator(from).ok_or("the entry is not terminated")?;
    let entry_target = func
        .inst(from_term)
        .targets
        .iter()
        .position(|c| c.block == l)
        .ok_or("the entry edge is not a branch")?;
    let init = &func.inst(from_term).targets[entry_target].args;
    for &inst in &block.insts {
        if matches!(func.inst(inst).op, Op::StackSlot(_) | Op::ParallelFor(_)) {
            let what = crate::print::opcode_name(&func.inst(inst).op);
            return Err(format!("the body has a `{what}` (one place per execution)"));
        }
    }

    // The control: what `cond` depends on inside the loop, through the back edge.
    let back = &t.targets[0].args;
    let in_loop: HashSet<Inst> = block.insts.iter().copied().collect();
    let mut control: HashSet<Value> = HashSet::new();
    let mut control_params: HashSet<usize> = HashSet::new();
    let mut work = vec![t.args[0]];
    while let Some(v) = work.pop() {
        if !control.insert(v) {
            continue;
        }
        match func.value_def(v) {
            ValueDef::Param(b, k) if b == l => {
                control_params.insert(k as usize);
                work.push(back[k as usize]);
            }
            ValueDef::Result(inst, _) if in_loop.contains(&inst) => {
                let d = func.inst(inst);
                if !d.op.is_pure() || d.results.len() != 1 {
                    return Err("the trip count depends on memory or a call".into());
                }
                work.extend(d.args.iter().copied());
            }
            _ => {}
        }
    }
    let mut consts: HashMap<Value, Const> = HashMap::new();
    // Values from outside the loop the control reads must be constants.
    let outside_const = |v: Value| -> Option<Const> {
        let ValueDef::Result(inst, _) = func.value_def(v) else {
            return None;
        };
        evaluate_inst(func, func.inst(inst), &HashMap::new())
    };
    for &v in &control {
        let inside = match func.value_def(v) {
            ValueDef::Param(b, _) => b == l,
            ValueDef::Result(inst, _) => in_loop.contains(&inst),
        };
        if !inside {
            let c = outside_const(v).ok_or("the trip count is not a constant")?;
            consts.insert(v, c);
        }
    }
    let mut state: Vec<(Value, Const)> = Vec::new();
    for &k in &control_params {
        let c = outside_const(init[k]).ok_or("the trip count is not a constant")?;
        state.push((block.params[k], c));
    }
    let control_insts: Vec<Inst> = block
        .insts
        .iter()
        .copied()
        .filter(|&i| i != term && func.inst(i).results.iter().any(|r| control.contains(r)))
        .collect();
    let mut trip = 0u64;
    loop {
        trip += 1;
        if trip > MAX_TRIP {
            return Err(format!("more than {MAX_TRIP} iterations"));
        }
        for &(p, c) in &state {
            consts.insert(p, c);
        }
        for &inst in &control_insts {
            let d = func.inst(inst);
            let c = evaluate_inst(func, d, &consts).ok_or("the loop's control does not fold")?;
            consts.insert(d.results[0], c);
        }
        match consts.get(&t.args[0]) {
            Some(Const::Bool(false)) => break,
            Some(Const::Bool(true)) => {}
            _ => return Err("the loop's control does not fold".into()),
        }
        for (p, c) in &mut state {
            let ValueDef::Param(_, k) = func.value_def(*p) else {
                unreachable!("state holds parameters")
            };
            *c = consts[&back[k as usize]];
        }
    }
    let size = block.insts.len();
    let unrolled = size * trip as usize;
    if unrolled > MAX_UNROLLED_INSTS {
        return Err(format!(
            "{trip} copies of {size} instructions exceed {MAX_UNROLLED_INSTS}"
        ));
    }
    Ok(Plan {
        trip,
        entry: (from_term, entry_target),
        added: unrolled - size,
    })
}

/// Replaces the loop `l` by `plan.trip` copies of its body in a new block placed where it was.
fn unroll(func: &mut Function, l: Block, plan: &Plan) {
    let term = func.terminator(l).expect("analyzed");
    let t = func.inst(term).clone();
    let params = func.block(l).params.clone();
    let body: Vec<Inst> = func
        .block(l)
        .insts
        .iter()
        .copied()
        .filter(|&i| i != term)
        .collect();
    let (from_term, target) = plan.entry;
    let mut args = func.inst(from_term).targets[target].args.clone();
    let u = func.create_block();
    let mut map: HashMap<Value, Value> = HashMap::new();
    let mut insts = Vec::with_capacity(body.len() * plan.trip as usize + 1);
    for copy in 0..plan.trip {
        map.clear();
        map.extend(params.iter().copied().zip(args.iter().copied()));
        for &inst in &body {
            let d = func.inst(inst).clone();
            let new_args: Vec<Value> = d.args.iter().map(|a| *map.get(a).unwrap_or(a)).collect();
            let tys: Vec<_> = d.results.iter().map(|&r| func.value_type(r)).collect();
            let c = func.create_inst(d.op.clone(), new_args, &tys, vec![]);
            (func.inst_mut(c).line, func.inst_mut(c).col) = (d.line, d.col);
            for (&old, &new) in d.results.iter().zip(&func.inst(c).results.clone()) {
                map.insert(old, new);
            }
            insts.push(c);
        }
        if copy + 1 < plan.trip {
            args = t.targets[0]
                .args
                .iter()
                .map(|a| *map.get(a).unwrap_or(a))
                .collect();
        }
    }
    let exit = &t.targets[1];
    let exit_args: Vec<Value> = exit.args.iter().map(|a| *map.get(a).unwrap_or(a)).collect();
    let jump = func.create_inst(
        Op::Jump,
        vec![],
        &[],
        vec![BlockCall {
            block: exit.block,
            args: exit_args,
        }],
    );
    (func.inst_mut(jump).line, func.inst_mut(jump).col) = (t.line, t.col);
    insts.push(jump);
    func.block_mut(u).insts = insts;
    func.inst_mut(from_term).targets[target] = BlockCall {
        block: u,
        args: vec![],
    };
    let pos = func
        .layout
        .iter()
        .position(|&b| b == l)
        .expect("the loop is placed");
    func.layout[pos] = u;
    // Values of the loop read after it (it dominates its exit) are the last iteration's.
    substitute(func, &map);
}
