//! Unroll-and-jam of `axpy` loops: the `k` loop of an i-k-j matrix product, once its inner
//! loop is an `axpy` call (`z[i, :] += x[i, k] * y[k, :]`), runs four iterations per call of
//! the runtime's `axpy4` (one pass over `z`'s row for four rows of `y`, where four calls made
//! four passes: the row is loaded and stored once instead of four times).
//!
//! The loop must be the three blocks lowering makes of it once `fill_copy` has replaced the
//! inner loop:
//!
//! ```text
//! H(k):  ... a = load.f64 A(k) ...; brif c, C, T        (c the inner loop's guard, from outside)
//! C:     ...; call_rt.axpy_f64 d, S(k), a, m; jump T    (d, m the same in every iteration;
//!        C may be a chain of blocks, each jumping to the next with values from outside)
//! T:     k' = k + 1; brif (k' < n), H(k'), X(..)
//! ```
//!
//! with `A(k)` and `S(k)` affine in `k` (sums and differences, products with values from
//! outside the loop), no other load, store or call in the loop, and `n` from outside it. Before
//! `H`, a new block sends the loop to `J` when `c` holds and more than four iterations remain;
//! `J(k)` calls `axpy4(d, S(k), S(k+1) - S(k), A(k), A(k+1) - A(k), m)` and steps by four
//! while more than four remain, then `H` runs the last ones as before (so the exit's values
//! are computed as before). The runtime makes one pass only where no source row and no scale
//! lies in `d`'s range, and else runs the four `axpy`s in order: the result is the loop's,
//! bitwise.

use super::super::util::{const_of, def_inst};
use crate::function::{Block, BlockCall, Function, Inst, IntCC, Op, Ty, Value};
use runtime::math::RuntimeFn;
use std::collections::HashMap;

/// Runs the jam on every matching loop. True if one changed.
pub fn run(func: &mut Function) -> bool {
    let mut changed = false;
    for h in func.layout.clone() {
        if let Some(plan) = analyze(func, h) {
            rewrite(func, plan);
            changed = true;
        }
    }
    changed
}

struct Plan {
    h: Block,
    k: Value,
    /// The inner loop's guard.
    guard: Value,
    n: Value,
    /// The scale's address and offset, the call's destination, source and count.
    scale_addr: Value,
    scale_offset: i32,
    d: Value,
    s: Value,
    m: Value,
    /// The loop's blocks (H, C's chain, T), whose instructions are cloned with `k` replaced.
    blocks: Vec<Block>,
    /// C's parameters and the values (from outside the loop) H passes them.
    aliases: HashMap<Value, Value>,
}

fn analyze(func: &Function, h: Block) -> Option<Plan> {
    if func.entry() == Some(h) {
        return None;
    }
    let hb = func.block(h);
    if hb.params.len() != 1 || func.value_type(hb.params[0]) != Ty::I64 {
        return None;
    }
    let k = hb.params[0];
    let h_term = func.inst(func.terminator(h)?);
    // (C may keep the parameters of the inner loop it was; they get values from outside.)
    if h_term.op != Op::Brif || !h_term.targets[1].args.is_empty() {
        return None;
    }
    let (c, t) = (h_term.targets[0].block, h_term.targets[1].block);
    let guard = h_term.args[0];
    if c == t || c == h || t == h {
        return None;
    }
    // C: a chain of blocks from H to T, each jumping to the next (the inner loop's
    // preheader, then the straight-line block it became), with the values they pass.
    let mut chain = vec![(c, h_term.targets[0].args.clone())];
    loop {
        let (last, _) = chain[chain.len() - 1];
        let term = func.inst(func.terminator(last)?);
        if term.op != Op::Jump {
            return None;
        }
        let next = &term.targets[0];
        if next.block == t && next.args.is_empty() {
            break;
        }
        if next.block == h || next.block == t || chain.len() == 4 {
            return None;
        }
        chain.push((next.block, next.args.clone()));
    }
    // T: k' = k + 1; brif (k' < n), H(k'), X(..).
    let tb = func.block(t);
    let [next_inst, cmp_inst, t_term] = tb.insts[..] else {
        return None;
    };
    let (next, cmp, tt) = (func.inst(next_inst), func.inst(cmp_inst), func.inst(t_term));
    let one = |v: Value| const_of(func, v) == Some(1);
    let k_next = next.results[0];
    let increments = next.op == Op::Iadd
        && ((next.args[0] == k && one(next.args[1])) || (next.args[1] == k && one(next.args[0])));
    if !increments
        || cmp.op != Op::Icmp(IntCC::Slt)
        || cmp.args[0] != k_next
        || tt.op != Op::Brif
        || tt.args[0] != cmp.results[0]
        || tt.targets[0].block != h
        || tt.targets[0].args != [k_next]
    {
        return None;
    }
    let n = cmp.args[1];
    let mut blocks = vec![h];
    blocks.extend(chain.iter().map(|(b, _)| *b));
    blocks.push(t);
    let inside = |v: Value| {
        blocks
            .iter()
            .any(|&b| super::super::util::defined_in(func, b, v))
    };
    if inside(n) || inside(guard) {
        return None;
    }
    // The chain's parameters get values from outside the loop: they stand for them.
    let mut aliases: HashMap<Value, Value> = HashMap::new();
    for (b, args) in &chain {
        if args.iter().any(|&a| inside(a)) || args.len() != func.block(*b).params.len() {
            return None;
        }
        aliases.extend(
            func.block(*b)
                .params
                .iter()
                .copied()
                .zip(args.iter().copied()),
        );
    }
    // Nothing but the loop reaches its blocks (each of C's from the one before it).
    let preds = super::super::util::predecessors(func);
    let mut before = h;
    for (b, _) in &chain {
        if preds[b.0 as usize] != [before] {
            return None;
        }
        before = *b;
    }
    if preds[t.0 as usize].iter().any(|&p| p != h && p != before) {
        return None;
    }
    // H: pure arithmetic and one f64 load; C: pure arithmetic and one axpy.
    let mut scale = None;
    for &inst in &hb.insts[..hb.insts.len() - 1] {
        let d = func.inst(inst);
        match d.op {
            Op::Load {
                offset,
                readonly: false,
            } if scale.is_none() => {
                if func.value_type(d.results[0]) != Ty::F64 {
                    return None;
                }
                scale = Some((inst, d.args[0], offset));
            }
            Op::Load { readonly: true, .. } => {}
            ref op if pure(op) => {}
            _ => return None,
        }
    }
    let (scale_inst, scale_addr, scale_offset) = scale?;
    let mut call = None;
    for (b, _) in &chain {
        let cb = func.block(*b);
        for &inst in &cb.insts[..cb.insts.len() - 1] {
            let d = func.inst(inst);
            match d.op {
                Op::CallRuntime(RuntimeFn::AxpyF64) if call.is_none() => call = Some(inst),
                Op::Load { readonly: true, .. } => {}
                ref op if pure(op) => {}
                _ => return None,
            }
        }
    }
    let call = func.inst(call?);
    let (d, s, a, m) = (call.args[0], call.args[1], call.args[2], call.args[3]);
    if a != func.inst(scale_inst).results[0] {
        return None;
    }
    let mut memo: HashMap<Value, Option<bool>> =
        aliases.keys().map(|&p| (p, Some(false))).collect();
    let affine_ok = affine(func, &blocks, k, s, &mut memo) == Some(true)
        && affine(func, &blocks, k, scale_addr, &mut memo) == Some(true);
    let invariant_ok = affine(func, &blocks, k, d, &mut memo) == Some(false)
        && affine(func, &blocks, k, m, &mut memo) == Some(false);
    // Loop values used after it are computed by H in the last iterations, as before.
    (affine_ok && invariant_ok).then_some(Plan {
        h,
        k,
        guard,
        n,
        scale_addr,
        scale_offset,
        d,
        s,
        m,
        blocks,
        aliases,
    })
}

/// Ops without effects that may be recomputed.
fn pure(op: &Op) -> bool {
    op.value_operand_count().is_some()
        && !matches!(
            op,
            Op::Load { .. } | Op::Store { .. } | Op::CallRuntime(_) | Op::StackSlot(_)
        )
}

/// Whether `v` is affine in `k` (`Some(true)`), the same in every iteration (`Some(false)`:
/// from outside the loop, or pure arithmetic and read-only loads of such values), or neither.
fn affine(
    func: &Function,
    blocks: &[Block],
    k: Value,
    v: Value,
    memo: &mut HashMap<Value, Option<bool>>,
) -> Option<bool> {
    if v == k {
        return Some(true);
    }
    if let Some(&r) = memo.get(&v) {
        return r;
    }
    let inside = blocks
        .iter()
        .any(|&b| super::super::util::defined_in(func, b, v));
    if !inside {
        return Some(false);
    }
    let r = (|| {
        let inst = def_inst(func, v)?;
        let d = func.inst(inst);
        let args: Vec<Option<bool>> = d
            .args
            .iter()
            .map(|&a| affine(func, blocks, k, a, memo))
            .collect();
        let args: Vec<bool> = args.into_iter().collect::<Option<_>>()?;
        if args.iter().all(|a| !a) {
            // Read-only loads and pure arithmetic of invariant values are invariant.
            let readonly = matches!(d.op, Op::Load { readonly: true, .. });
            return (readonly || pure(&d.op)).then_some(false);
        }
        match d.op {
            Op::Iadd | Op::Isub => Some(true),
            Op::Imul if args.iter().filter(|a| **a).count() == 1 => Some(true),
            _ => None,
        }
    })();
    memo.insert(v, r);
    r
}

/// `v` recomputed in the block `b` builds, with `k` replaced by `with`.
fn materialize(
    func: &mut Function,
    insts: &mut Vec<Inst>,
    plan: &Plan,
    v: Value,
    with: Value,
    memo: &mut HashMap<Value, Value>,
) -> Value {
    if v == plan.k {
        return with;
    }
    if let Some(&outside) = plan.aliases.get(&v) {
        return outside;
    }
    if let Some(&m) = memo.get(&v) {
        return m;
    }
    let inside = plan
        .blocks
        .iter()
        .any(|&b| super::super::util::defined_in(func, b, v));
    if !inside {
        return v;
    }
    let inst = def_inst(func, v).expect("an affine value is an instruction's result");
    let d = func.inst(inst).clone();
    let args = d
        .args
        .iter()
        .map(|&a| materialize(func, insts, plan, a, with, memo))
        .collect();
    let ty = func.value_type(v);
    let new = func.create_inst(d.op.clone(), args, &[ty], Vec::new());
    let nd = func.inst_mut(new);
    (nd.line, nd.col) = (d.line, d.col);
    insts.push(new);
    let r = func.inst(new).results[0];
    memo.insert(v, r);
    r
}

fn rewrite(func: &mut Function, plan: Plan) {
    let h = plan.h;
    let t = *plan.blocks.last().expect("H, C, T");
    let t_term = func.terminator(t).expect("terminated");
    let (line, col) = (func.inst(t_term).line, func.inst(t_term).col);
    let p = func.create_block();
    let j = func.create_block();
    let k0 = func.append_block_param(p, Ty::I64);
    let kj = func.append_block_param(j, Ty::I64);
    // Every edge into H but the back edge now goes to P.
    crate::passes::util::redirect_entries(func, h, p, t);
    let pos = func.layout.iter().position(|&b| b == h).expect("placed");
    func.layout.splice(pos..pos, [p, j]);
    let emit = |func: &mut Function, insts: &mut Vec<Inst>, op: Op, args: Vec<Value>, ty| {
        let inst = func.create_inst(op, args, &[ty], Vec::new());
        let d = func.inst_mut(inst);
        (d.line, d.col) = (line, col);
        insts.push(inst);
        func.inst(inst).results[0]
    };
    let branch =
        |func: &mut Function, insts: &mut Vec<Inst>, cond: Value, to: [(Block, Value); 2]| {
            let targets = to
                .iter()
                .map(|&(block, arg)| BlockCall {
                    block,
                    args: vec![arg],
                })
                .collect();
            let inst = func.create_inst(Op::Brif, vec![cond], &[], targets);
            let d = func.inst_mut(inst);
            (d.line, d.col) = (line, col);
            insts.push(inst);
        };
    // P(k0): the guard holds and more than four iterations remain? -> J(k0), else H(k0).
    let mut p_insts = Vec::new();
    let four = emit(func, &mut p_insts, Op::Iconst(4), vec![], Ty::I64);
    let rest = emit(func, &mut p_insts, Op::Isub, vec![plan.n, k0], Ty::I64);
    let enough = emit(
        func,
        &mut p_insts,
        Op::Icmp(IntCC::Sgt),
        vec![rest, four],
        Ty::Bool,
    );
    let go = emit(
        func,
        &mut p_insts,
        Op::And,
        vec![plan.guard, enough],
        Ty::Bool,
    );
    branch(func, &mut p_insts, go, [(j, k0), (h, k0)]);
    func.block_mut(p).insts = p_insts;
    // J(k): axpy4 of the four iterations from k, then k + 4.
    let mut j_insts = Vec::new();
    let one = emit(func, &mut j_insts, Op::Iconst(1), vec![], Ty::I64);
    let k1 = emit(func, &mut j_insts, Op::Iadd, vec![kj, one], Ty::I64);
    let (mut at_k, mut at_k1) = (HashMap::new(), HashMap::new());
    let s0 = materialize(func, &mut j_insts, &plan, plan.s, kj, &mut at_k);
    let s1 = materialize(func, &mut j_insts, &plan, plan.s, k1, &mut at_k1);
    let a0 = materialize(func, &mut j_insts, &plan, plan.scale_addr, kj, &mut at_k);
    let a1 = materialize(func, &mut j_insts, &plan, plan.scale_addr, k1, &mut at_k1);
    let d = materialize(func, &mut j_insts, &plan, plan.d, kj, &mut at_k);
    let m = materialize(func, &mut j_insts, &plan, plan.m, kj, &mut at_k);
    // (A difference of addresses has their type, `ptr` or `i64`.)
    let s_ty = func.value_type(s1);
    let s_stride = emit(func, &mut j_insts, Op::Isub, vec![s1, s0], s_ty);
    let a_ty = func.value_type(a1);
    let a_stride = emit(func, &mut j_insts, Op::Isub, vec![a1, a0], a_ty);
    let a0 = if plan.scale_offset == 0 {
        a0
    } else {
        let off = emit(
            func,
            &mut j_insts,
            Op::Iconst(i64::from(plan.scale_offset)),
            vec![],
            Ty::I64,
        );
        emit(func, &mut j_insts, Op::Iadd, vec![a0, off], Ty::Ptr)
    };
    emit(
        func,
        &mut j_insts,
        Op::CallRuntime(RuntimeFn::Axpy4F64),
        vec![d, s0, s_stride, a0, a_stride, m],
        Ty::I64,
    );
    let next = emit(func, &mut j_insts, Op::Iadd, vec![kj, four], Ty::I64);
    let rest = emit(func, &mut j_insts, Op::Isub, vec![plan.n, next], Ty::I64);
    let more = emit(
        func,
        &mut j_insts,
        Op::Icmp(IntCC::Sgt),
        vec![rest, four],
        Ty::Bool,
    );
    branch(func, &mut j_insts, more, [(j, next), (h, next)]);
    func.block_mut(j).insts = j_insts;
}
