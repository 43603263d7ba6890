//! Idiom recognition: loops that compute what one instruction computes.
//!
//! The population-count loop (Kernighan's `while x != 0: x &= x - 1; n += 1`) runs once per set
//! bit, with a data-dependent exit that mispredicts; its result is `n + popcnt(x)` and `x` ends
//! at zero. The pass recognises the loop in its lowered shape:
//!
//! ```text
//! H(.., x, .., n, ..):  c = icmp.ne x, 0      brif c, B, exit(..)
//! B:                    d = isub x, 1  (or iadd x, -1)
//!                       x2 = band x, d  (either order)
//!                       n2 = iadd n, 1  (any number of such counters, either order)
//!                       jump H(.., x2, .., n2, ..)   (every other argument passed through)
//! ```
//!
//! and rewrites `H` into straight-line code, `p = popcnt x; n2 = iadd n, p` and a jump to the
//! exit, where (and after which) `x` is 0 and each `n` is `n2`: the values the loop leaves with.
//! `B` must have `H` as its only predecessor and contain nothing else, so nothing observes the
//! skipped iterations; it is removed.
//!
//! It also makes `x % c == 0` a divisibility test without a division (the rewrite lives in
//! [`super::strength`]): here, before the vectorizer, so that a loop counting multiples
//! vectorizes (its multiplication has vector lanes; a division does not).

use super::util::map_uses;
use crate::function::{Block, Function, Inst, IntCC, Op, Value, ValueDef};
use std::collections::HashMap;

/// Runs the pass; true if a loop was rewritten.
pub fn run(func: &mut Function) -> bool {
    let divisibility = super::strength::divisibility_tests(func);
    let mut predecessors: HashMap<Block, usize> = HashMap::new();
    for &b in &func.layout {
        for s in func.successors(b) {
            *predecessors.entry(s).or_default() += 1;
        }
    }
    let mut changed = false;
    for h in func.layout.clone() {
        if let Some(m) = match_popcount_loop(func, h)
            && predecessors.get(&m.body) == Some(&1)
        {
            rewrite(func, &m);
            changed = true;
        } else if let Some(m) = match_rotated_popcount_loop(func, h) {
            rewrite_rotated(func, h, &m);
            changed = true;
        }
    }
    changed || divisibility
}

/// The same loop as `lower_while` writes it, rotated (the test repeated at the bottom):
///
/// ```text
/// P:                 c0 = icmp.ne x0, 0      brif c0, B(.., x0, ..), ..   (every entry)
/// B(.., x, .., n, ..):  d = isub x, 1   x2 = band x, d   n2 = iadd n, 1 ..
///                    c = icmp.ne x2, 0       brif c, B(.., x2, .., n2, ..), X(..)
/// ```
///
/// Every edge into `B` from elsewhere must be the taken edge of a test `x0 != 0` of the value
/// it passes as `x` (a body entered with `x == 0` would count one). `B` becomes
/// `p = popcnt x; n2 = n + p; jump X(..)` with `x2` read as 0 by the exit; the entry test
/// itself goes too where its other edge passes the same values ([`skip_entry_test`]).
struct RotatedPopcount {
    x: Value,
    zero: Value,
    x2: Value,
    minus_one: Inst,
    counters: Vec<(Inst, Value)>,
}

fn match_rotated_popcount_loop(func: &Function, b: Block) -> Option<RotatedPopcount> {
    let block = func.block(b);
    let term = func.terminator(b)?;
    let t = func.inst(term);
    if t.op != Op::Brif || t.targets[0].block != b || t.targets[1].block == b {
        return None;
    }
    let cmp = def_inst(func, t.args[0])?;
    let c = func.inst(cmp);
    if c.op != Op::Icmp(IntCC::Ne) || !block.insts.contains(&cmp) {
        return None;
    }
    let (x2, zero) = match (const_of(func, c.args[0]), const_of(func, c.args[1])) {
        (None, Some(0)) => (c.args[0], c.args[1]),
        (Some(0), None) => (c.args[1], c.args[0]),
        _ => return None,
    };
    let args = &t.targets[0].args;
    let x_index = args.iter().position(|&a| a == x2)?;
    let x = block.params[x_index];
    let (and, d, minus_one) = clear_lowest_bit(func, x2, x)?;
    if !block.insts.contains(&and) || !block.insts.contains(&minus_one) {
        return None;
    }
    let counters = counters(func, args, &block.params, x_index, &block.insts)?;
    // Nothing else in the block; `d` and the test feed only the loop; the exit reads only
    // `x2`, the counters, parameters and values from outside.
    let ours = |i: &Inst| {
        [minus_one, and, cmp, term].contains(i) || counters.iter().any(|&(c, _)| c == *i)
    };
    if !block.insts.iter().all(ours) || block.insts.len() != 4 + counters.len() {
        return None;
    }
    let d_uses = block
        .insts
        .iter()
        .filter(|&&i| func.inst(i).args.contains(&d))
        .count();
    let exit_args = &t.targets[1].args;
    let loop_carried = |v: &Value| *v == x || counters.iter().any(|&(_, p)| p == *v);
    if d_uses != 1
        || args.contains(&d)
        || exit_args.contains(&d)
        || exit_args.contains(&t.args[0])
        || exit_args.iter().any(loop_carried)
    {
        return None;
    }
    // Every other way in tests `x != 0` first.
    for &p in &func.layout {
        if p == b {
            continue;
        }
        let Some(pt) = func.terminator(p) else {
            continue;
        };
        let pd = func.inst(pt);
        for (k, target) in pd.targets.iter().enumerate() {
            if target.block != b {
                continue;
            }
            let tested = pd.op == Op::Brif
                && k == 0
                && pd.targets[1].block != b
                && def_inst(func, pd.args[0]).is_some_and(|ci| {
                    let cd = func.inst(ci);
                    let a = target.args[x_index];
                    cd.op == Op::Icmp(IntCC::Ne)
                        && ((cd.args[0] == a && const_of(func, cd.args[1]) == Some(0))
                            || (cd.args[1] == a && const_of(func, cd.args[0]) == Some(0)))
                });
            if !tested {
                return None;
            }
        }
    }
    Some(RotatedPopcount {
        x,
        zero,
        x2,
        minus_one,
        counters,
    })
}

fn rewrite_rotated(func: &mut Function, b: Block, m: &RotatedPopcount) {
    let x_ty = func.value_type(m.x);
    let d = func.inst(m.minus_one).results[0];
    {
        let data = func.inst_mut(m.minus_one);
        data.op = Op::Popcnt;
        data.args = vec![m.x];
    }
    let mut insts = vec![m.minus_one];
    for &(c, param) in &m.counters {
        let counter_ty = func.value_type(func.inst(c).results[0]);
        let count = if counter_ty == x_ty {
            d
        } else {
            let op = if counter_ty.bits() > x_ty.bits() {
                Op::Uext
            } else {
                Op::Ireduce
            };
            let conv = func.create_inst(op, vec![d], &[counter_ty], Vec::new());
            insts.push(conv);
            func.inst(conv).results[0]
        };
        func.inst_mut(c).args = vec![param, count];
        insts.push(c);
    }
    let term = func
        .terminator(b)
        .expect("the loop block ends with its branch");
    let mut exit = func.inst(term).targets[1].clone();
    for a in &mut exit.args {
        if *a == m.x2 {
            *a = m.zero;
        }
    }
    let (line, col) = (func.inst(term).line, func.inst(term).col);
    let jump = func.create_inst(Op::Jump, Vec::new(), &[], vec![exit]);
    {
        let data = func.inst_mut(jump);
        data.line = line;
        data.col = col;
    }
    insts.push(jump);
    func.block_mut(b).insts = insts;
    skip_entry_test(func, b, m);
}

/// With `popcnt(0) == 0` the entry test `x0 != 0` is redundant when its false edge passes the
/// exit what the rewritten loop would pass for `x0 = 0`: the test becomes a jump into the loop
/// (which `simplify_cfg` then merges, leaving the outer loop straight-line for `reductions`).
fn skip_entry_test(func: &mut Function, b: Block, m: &RotatedPopcount) {
    let entries: Vec<Block> = func
        .layout
        .iter()
        .copied()
        .filter(|&p| p != b && func.successors(p).contains(&b))
        .collect();
    let [p] = entries[..] else { return };
    let Some(pt) = func.terminator(p) else { return };
    let b_term = func
        .terminator(b)
        .expect("the rewritten loop ends with its jump");
    let exit_from_loop = func.inst(b_term).targets[0].clone();
    let pd = func.inst(pt);
    if pd.op != Op::Brif || pd.targets[0].block != b || pd.targets[1].block != exit_from_loop.block
    {
        return;
    }
    let into_loop = &pd.targets[0].args;
    let skipped = &pd.targets[1].args;
    let params = &func.block(b).params;
    let x_index = params.iter().position(|&v| v == m.x);
    let same = exit_from_loop
        .args
        .iter()
        .zip(skipped)
        .all(|(&e_loop, &e_skip)| {
            // What the loop passes, evaluated for an entry with x0 = 0.
            let entry_value = |param: Value| {
                params
                    .iter()
                    .position(|&v| v == param)
                    .map(|k| into_loop[k])
            };
            if e_loop == m.zero {
                return x_index.map(|k| into_loop[k]) == Some(e_skip) || e_skip == m.zero;
            }
            let counter = m
                .counters
                .iter()
                .find(|&&(c, _)| func.inst(c).results[0] == e_loop);
            if let Some(&(_, param)) = counter {
                return entry_value(param) == Some(e_skip);
            }
            if params.contains(&e_loop) {
                return entry_value(e_loop) == Some(e_skip);
            }
            e_loop == e_skip
        });
    if !same || exit_from_loop.args.len() != skipped.len() {
        return;
    }
    let target = pd.targets[0].clone();
    let (line, col) = (pd.line, pd.col);
    let jump = func.create_inst(Op::Jump, Vec::new(), &[], vec![target]);
    {
        let data = func.inst_mut(jump);
        data.line = line;
        data.col = col;
    }
    let insts = &mut func.block_mut(p).insts;
    *insts.last_mut().expect("the entry ends with its branch") = jump;
}

/// A recognised population-count loop.
struct PopcountLoop {
    header: Block,
    body: Block,
    /// The constant 0 the header compares `x` with.
    zero: Value,
    /// `x`, the header parameter whose bits are counted.
    x: Value,
    /// `d = x - 1` (`x2 = x & d` disappears with the body).
    minus_one: Inst,
    /// `n2 = n + 1` for each counter, with its parameter `n`.
    counters: Vec<(Inst, Value)>,
}

fn const_of(func: &Function, v: Value) -> Option<i64> {
    match func.value_def(v) {
        ValueDef::Result(inst, 0) => match func.inst(inst).op {
            Op::Iconst(c) => Some(c),
            _ => None,
        },
        _ => None,
    }
}

fn def_inst(func: &Function, v: Value) -> Option<Inst> {
    match func.value_def(v) {
        ValueDef::Result(inst, 0) => Some(inst),
        _ => None,
    }
}

fn match_popcount_loop(func: &Function, h: Block) -> Option<PopcountLoop> {
    let header = func.block(h);
    let [cmp, term] = header.insts.as_slice() else {
        return None;
    };
    let (cmp, term) = (func.inst(*cmp), func.inst(*term));
    if term.op != Op::Brif || term.args.first() != cmp.results.first() {
        return None;
    }
    if cmp.op != Op::Icmp(IntCC::Ne) {
        return None;
    }
    let (x, zero) = match (const_of(func, cmp.args[0]), const_of(func, cmp.args[1])) {
        (None, Some(0)) => (cmp.args[0], cmp.args[1]),
        (Some(0), None) => (cmp.args[1], cmp.args[0]),
        _ => return None,
    };
    let x_index = header.params.iter().position(|&p| p == x)?;
    let then = &term.targets[0];
    if !then.args.is_empty() || then.block == h {
        return None;
    }
    let body_block = then.block;
    let body = func.block(body_block);
    let (&jump, rest) = body.insts.split_last()?;
    let jump = func.inst(jump);
    if jump.op != Op::Jump || jump.targets[0].block != h {
        return None;
    }
    let args = &jump.targets[0].args;
    let (and, d, minus_one) = clear_lowest_bit(func, args[x_index], x)?;
    // Every other argument: passed through, or a counter `n + 1` of its own parameter.
    let counters = counters(func, args, &header.params, x_index, rest)?;
    // Nothing else in the body, and its values are used only by the jump and each other.
    let ours = |i: &Inst| *i == minus_one || *i == and || counters.iter().any(|&(c, _)| c == *i);
    if !rest.iter().all(ours) || rest.len() != 2 + counters.len() {
        return None;
    }
    let d_uses = rest
        .iter()
        .filter(|&&i| func.inst(i).args.contains(&d))
        .count();
    if d_uses != 1 || args.contains(&d) {
        return None;
    }
    Some(PopcountLoop {
        header: h,
        body: body_block,
        zero,
        x,
        minus_one,
        counters,
    })
}

fn rewrite(func: &mut Function, m: &PopcountLoop) {
    let x_ty = func.value_type(m.x);
    // d becomes popcnt(x), computed in the header.
    let d = func.inst(m.minus_one).results[0];
    {
        let data = func.inst_mut(m.minus_one);
        data.op = Op::Popcnt;
        data.args = vec![m.x];
    }
    let mut insts = vec![m.minus_one];
    // What the header's parameters hold when the loop is left: x = 0, each n = n + popcnt(x).
    let mut final_values: HashMap<Value, Value> = HashMap::from([(m.x, m.zero)]);
    for &(c, param) in &m.counters {
        let counter_ty = func.value_type(func.inst(c).results[0]);
        let count = if counter_ty == x_ty {
            d
        } else {
            let op = if counter_ty.bits() > x_ty.bits() {
                Op::Uext
            } else {
                Op::Ireduce
            };
            let conv = func.create_inst(op, vec![d], &[counter_ty], Vec::new());
            insts.push(conv);
            func.inst(conv).results[0]
        };
        func.inst_mut(c).args = vec![param, count];
        insts.push(c);
        final_values.insert(param, func.inst(c).results[0]);
    }
    // The header jumps straight to the exit; the body is gone.
    let term = func
        .terminator(m.header)
        .expect("the header ends with its branch");
    let exit = func.inst(term).targets[1].clone();
    let (line, col) = (func.inst(term).line, func.inst(term).col);
    let jump = func.create_inst(Op::Jump, Vec::new(), &[], vec![exit]);
    {
        let data = func.inst_mut(jump);
        data.line = line;
        data.col = col;
    }
    insts.push(jump);
    func.block_mut(m.header).insts = insts;
    func.block_mut(m.body).insts.clear();
    func.layout.retain(|&b| b != m.body);
    // Code after the loop reads the parameters' final values.
    let after: Vec<Inst> = func
        .layout
        .iter()
        .filter(|&&b| b != m.header)
        .flat_map(|&b| func.block(b).insts.clone())
        .chain([jump])
        .collect();
    for inst in after {
        map_uses(func.inst_mut(inst), |v| *final_values.get(&v).unwrap_or(&v));
    }
}

/// `x2 = band x, d` with `d = x - 1` (`isub x, 1` or `iadd x, -1`, either order): the `and`,
/// `d` and the instruction defining `d`.
fn clear_lowest_bit(func: &Function, x2: Value, x: Value) -> Option<(Inst, Value, Inst)> {
    let and = def_inst(func, x2)?;
    let and_data = func.inst(and);
    if and_data.op != Op::Band {
        return None;
    }
    let d = match (and_data.args[0] == x, and_data.args[1] == x) {
        (true, false) => and_data.args[1],
        (false, true) => and_data.args[0],
        _ => return None,
    };
    let minus_one = def_inst(func, d)?;
    let m = func.inst(minus_one);
    let decrements = match m.op {
        Op::Isub => m.args[0] == x && const_of(func, m.args[1]) == Some(1),
        Op::Iadd => {
            (m.args[0] == x && const_of(func, m.args[1]) == Some(-1))
                || (m.args[1] == x && const_of(func, m.args[0]) == Some(-1))
        }
        _ => false,
    };
    decrements.then_some((and, d, minus_one))
}

/// The loop's counters: every argument `args[k]` (`k != x_index`) passed back to `params[k]`
/// is the parameter itself or `params[k] + 1` computed by its own instruction in `insts`;
/// the `(increment, parameter)` pairs of the latter, or `None` if another argument differs.
fn counters(
    func: &Function,
    args: &[Value],
    params: &[Value],
    x_index: usize,
    insts: &[Inst],
) -> Option<Vec<(Inst, Value)>> {
    let mut counters: Vec<(Inst, Value)> = Vec::new();
    for (k, (&arg, &param)) in args.iter().zip(params).enumerate() {
        if k == x_index || arg == param {
            continue;
        }
        let inc = def_inst(func, arg)?;
        let data = func.inst(inc);
        let ok = data.op == Op::Iadd
            && ((data.args[0] == param && const_of(func, data.args[1]) == Some(1))
                || (data.args[1] == param && const_of(func, data.args[0]) == Some(1)));
        if !ok || !insts.contains(&inc) || counters.iter().any(|&(i, _)| i == inc) {
            return None;
        }
        counters.push((inc, param));
    }
    Some(counters)
}
