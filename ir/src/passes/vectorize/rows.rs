//! Folds over the rows of a loop nest: when a folded loop `L` (see [`super::fold`]) is all
//! that the iterations of the loop `J` around it do (a 3-D stencil's `k` loop inside its `j`
//! loop), one call of the runtime's `fold_rows` runs the fold for every row, moving each
//! element pointer by its row stride between rows, instead of one call per row behind the
//! row's own checks (a row of 126 elements cost a third more than Numba's, most of it the
//! per-row address arithmetic, checks and call). Float folds only: the integer folds
//! (`runtime::int_fold`) have no rows routine.
//!
//! `J` must be the blocks lowering and the earlier passes make of `for j in range(..)` around
//! the inner loop:
//!
//! ```text
//! H(j):  pure instructions; brif g, B, T    (g from outside J; or H is B)
//! B:     pure instructions; jump L(i0, ..)
//! L:     the folded loop; its exit is T()
//! T:     j' = j + 1 (or in H); brif (j' < m), H(j'), X(..)   (m, X's arguments from outside J)
//! ```
//!
//! and every address of `L` affine in `j` (sums and differences of `j` and of values from
//! outside `J`, products with values from outside `J`), its strides, bound, first index and
//! the fold's fixed values the same in every row. Before `H`, a new block R sends the loop to
//! the rows call when `g` holds, two or more rows remain, a row is long enough for the fold,
//! the strides are the element sizes, and the stored elements of all rows lie apart from the
//! elements every other stream reads in all rows (the footprints, from the first and the last
//! row); else `H` runs as before, with its per-row checks. The rows run in order and each is
//! the same fold the per-row call would have made, so the results are the loop's bit for bit.

use super::fold::Fold;
use super::{Plan, StepWord, needs_alias_check, step_words, write_program};
use crate::builder::Builder;
use crate::function::{Block, BlockCall, Function, Inst, IntCC, Op, Ty, Value, ValueDef};
use runtime::math::RuntimeFn;
use std::collections::HashMap;

/// The loop `J` around a folded loop, as [`find`] matched it.
pub(super) struct Rows {
    /// `J`'s header and its one parameter, the row index `j`.
    h: Block,
    j: Value,
    /// `H`'s test before a row runs (from outside `J`), if it makes one.
    guard: Option<Value>,
    /// The values `L`'s parameters take on entry.
    entry: Vec<Value>,
    /// The blocks whose values a row's addresses may be computed from: `H`, `B`, `L`.
    blocks: Vec<Block>,
    /// The latch and its exit: `m` the rows' bound, `exit` where `J` goes after the last row.
    t: Block,
    m: Value,
    exit: BlockCall,
}

/// How a value depends on the row index.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Class {
    /// The same in every row.
    Invariant,
    /// `c + j * s` with `c` and `s` the same in every row.
    Affine,
}

/// The loop around `l` when the plan's fold can run all its rows in one call.
pub(super) fn find(func: &Function, l: Block, plan: &Plan) -> Option<Rows> {
    let f = plan.fold.as_ref()?;
    // (Float chains only: the integer folds have no rows routine.)
    let steps = f.float_steps()?;
    if f.store.is_none() || f.exit.is_none() || !plan.uniform_loads.is_empty() {
        return None;
    }
    let preds = super::super::util::predecessors(func);
    let into = |b: Block| -> Vec<Block> { preds[b.0 as usize].clone() };
    // B: the one block entering L.
    let from_outside: Vec<Block> = into(l).into_iter().filter(|&p| p != l).collect();
    let [b] = from_outside[..] else {
        return None;
    };
    let jump = func.inst(func.terminator(b)?);
    if jump.op != Op::Jump || jump.targets[0].block != l {
        return None;
    }
    let entry = jump.targets[0].args.clone();
    // T: L's exit, then the latch.
    let exit_of_l = &func.inst(plan.term).targets[1];
    let t = exit_of_l.block;
    if !exit_of_l.args.is_empty() || !func.block(t).params.is_empty() || t == l {
        return None;
    }
    // T: `j' = j + 1` (or that in H), `j' < m`, the branch.
    let (cmp, latch) = match func.block(t).insts[..] {
        [_, cmp, latch] | [cmp, latch] => (func.inst(cmp), func.inst(latch)),
        _ => return None,
    };
    if latch.op != Op::Brif || cmp.op != Op::Icmp(IntCC::Slt) || latch.args[0] != cmp.results[0] {
        return None;
    }
    let next = cmp.args[0];
    let h = latch.targets[0].block;
    let [j] = func.block(h).params[..] else {
        return None;
    };
    let inc = func.inst(super::def_inst(func, next)?);
    let one = |v: Value| super::const_of(func, v) == Some(1);
    let increments = inc.op == Op::Iadd
        && ((inc.args[0] == j && one(inc.args[1])) || (inc.args[1] == j && one(inc.args[0])));
    let inc_in_t =
        func.block(t).insts.len() == 3 && func.block(t).insts[0] == super::def_inst(func, next)?;
    let inc_in_h = func.block(t).insts.len() == 2
        && func.block(h).insts.contains(&super::def_inst(func, next)?);
    if !increments || !(inc_in_t || inc_in_h) || latch.targets[0].args != [next] {
        return None;
    }
    let (m, exit) = (cmp.args[1], latch.targets[1].clone());
    // H: B itself, or (after pure instructions) a test from outside before it.
    let (guard, blocks) = if h == b {
        (None, vec![h, l])
    } else {
        let test = func.inst(func.terminator(h)?);
        let to_b = BlockCall {
            block: b,
            args: vec![],
        };
        let to_t = BlockCall {
            block: t,
            args: vec![],
        };
        if test.op != Op::Brif || test.targets != [to_b, to_t] || into(b) != [h] {
            return None;
        }
        (Some(test.args[0]), vec![h, b, l])
    };
    // A row computes nothing but L's stores: everything else in H and B can be skipped.
    for &block in &blocks[..blocks.len() - 1] {
        let insts = &func.block(block).insts;
        if insts[..insts.len() - 1]
            .iter()
            .any(|&i| !func.inst(i).op.is_pure())
        {
            return None;
        }
    }
    // Nothing else enters the row's blocks, and the latch is reached from L (and H's test).
    let mut into_t = into(t);
    into_t.sort();
    let mut expected = vec![l];
    expected.extend(guard.map(|_| h));
    expected.sort();
    if into_t != expected {
        return None;
    }
    let rows = Rows {
        h,
        j,
        guard,
        entry,
        blocks,
        t,
        m,
        exit,
    };
    let in_j = |v: Value| {
        rows.defines(func, v)
            || func
                .block(t)
                .insts
                .iter()
                .any(|&i| func.inst(i).results.contains(&v))
    };
    if in_j(m) || rows.exit.args.iter().any(|&a| in_j(a)) || guard.is_some_and(in_j) {
        return None;
    }
    // Nothing after J uses a value of its rows (no row is computed but the fold's stores).
    for &outside in &func.layout {
        if rows.blocks.contains(&outside) || outside == t {
            continue;
        }
        for &inst in &func.block(outside).insts {
            let mut used = false;
            super::super::util::for_each_use(func.inst(inst), |v| used |= in_j(v));
            if used {
                return None;
            }
        }
    }
    // Every address affine in j; the rest the same in every row.
    let mut memo = HashMap::new();
    let mut class = |v: Value| rows.class(func, l, v, &mut memo);
    for s in &plan.streams {
        class(s.addr)?;
        if class(s.stride)? != Class::Invariant {
            return None;
        }
    }
    let i0 = rows.entry[plan.i_index];
    if class(plan.n)? != Class::Invariant || class(i0)? != Class::Invariant {
        return None;
    }
    for &(_, term) in steps {
        for word in step_words(term).into_iter().flatten() {
            if let StepWord::Fixed(u) = word
                && class(u)? != Class::Invariant
            {
                return None;
            }
        }
    }
    Some(rows)
}

impl Rows {
    /// True if `v` is a parameter or result of one of the row's blocks.
    fn defines(&self, func: &Function, v: Value) -> bool {
        match func.value_def(v) {
            ValueDef::Param(b, _) => self.blocks.contains(&b),
            ValueDef::Result(inst, _) => self.block_of(func, inst).is_some(),
        }
    }

    fn block_of(&self, func: &Function, inst: Inst) -> Option<Block> {
        self.blocks
            .iter()
            .copied()
            .find(|&b| func.block(b).insts.contains(&inst))
    }

    /// How `v` (a value of `L`'s body with `L`'s index at its first value) depends on `j`;
    /// `None` if it is not affine in `j`, or computed by something that cannot be repeated
    /// before the loop (a load, an operation that may trap).
    fn class(
        &self,
        func: &Function,
        l: Block,
        v: Value,
        memo: &mut HashMap<Value, Option<Class>>,
    ) -> Option<Class> {
        if let Some(&c) = memo.get(&v) {
            return c;
        }
        let c = if v == self.j {
            Some(Class::Affine)
        } else {
            match func.value_def(v) {
                ValueDef::Param(b, k) if b == l => {
                    self.class(func, l, self.entry[k as usize], memo)
                }
                ValueDef::Param(b, _) if self.blocks.contains(&b) => None,
                ValueDef::Result(inst, _) if self.block_of(func, inst).is_some() => {
                    let d = func.inst(inst);
                    let args: Option<Vec<Class>> = d
                        .args
                        .iter()
                        .map(|&a| self.class(func, l, a, memo))
                        .collect();
                    let args = args?;
                    let affine = args.iter().filter(|&&c| c == Class::Affine).count();
                    let joined = if affine > 0 {
                        Class::Affine
                    } else {
                        Class::Invariant
                    };
                    let repeatable = d.results.len() == 1
                        && d.op.is_speculatable()
                        && !matches!(d.op, Op::Load { .. });
                    match d.op {
                        _ if !repeatable => None,
                        Op::Iadd | Op::Isub => Some(joined),
                        Op::Imul if affine <= 1 => Some(joined),
                        Op::Ishl if args[1] == Class::Invariant => Some(args[0]),
                        _ if affine == 0 => Some(Class::Invariant),
                        _ => None,
                    }
                }
                _ => Some(Class::Invariant),
            }
        };
        memo.insert(v, c);
        c
    }

    /// Recomputes `v` in the block `b` is building with `j` at `row` (what [`Rows::class`]
    /// accepted: repeatable operations on values from outside `J`).
    fn at_row(
        &self,
        b: &mut Builder,
        l: Block,
        v: Value,
        row: Value,
        memo: &mut HashMap<Value, Value>,
    ) -> Value {
        if let Some(&m) = memo.get(&v) {
            return m;
        }
        let m = if v == self.j {
            row
        } else {
            match b.func.value_def(v) {
                ValueDef::Param(pb, k) if pb == l => {
                    let entry = self.entry[k as usize];
                    self.at_row(b, l, entry, row, memo)
                }
                ValueDef::Result(inst, _) if self.block_of(b.func, inst).is_some() => {
                    let d = b.func.inst(inst).clone();
                    let args: Vec<Value> = d
                        .args
                        .iter()
                        .map(|&a| self.at_row(b, l, a, row, memo))
                        .collect();
                    let ty = b.func.value_type(v);
                    b.ins(d.op.clone(), &args, ty)
                }
                _ => v,
            }
        };
        memo.insert(v, m);
        m
    }
}

/// Makes the rows call before `J`'s header: R tests whether it may run (see the module doc)
/// and calls it, then leaves `J` as its last row would; else `J` runs as before.
pub(super) fn emit(func: &mut Function, l: Block, plan: &Plan, rows: &Rows) {
    let f: &Fold = plan.fold.as_ref().expect("find checked a fold");
    let store = f.store.expect("find checked a store");
    let (line, col) = (func.inst(plan.term).line, func.inst(plan.term).col);
    let r = func.create_block();
    let j0 = func.append_block_param(r, Ty::I64);
    super::super::util::redirect_entries(func, rows.h, r, rows.t);
    let call = func.create_block();
    let pos = func
        .layout
        .iter()
        .position(|&x| x == rows.h)
        .expect("H is placed");
    func.layout.splice(pos..pos, [r, call]);

    let mut b = Builder::new(func);
    b.set_srcloc(line, col);
    b.switch_to(r);
    let mut ok = Vec::new();
    let count = b.binary(Op::Isub, rows.m, j0);
    let two = b.iconst(Ty::I64, 2);
    ok.push(b.icmp(IntCC::Sge, count, two));
    ok.extend(rows.guard);
    let mut first = HashMap::new();
    let i0 = rows.at_row(&mut b, l, rows.entry[plan.i_index], j0, &mut first);
    let n = rows.at_row(&mut b, l, plan.n, j0, &mut first);
    let len = b.binary(Op::Isub, n, i0);
    let min = b.iconst(Ty::I64, f.min_elements());
    ok.push(b.icmp(IntCC::Sge, len, min));
    let mut strides_checked = Vec::new();
    for s in &plan.streams {
        if super::const_of(b.func, s.stride).is_some() || strides_checked.contains(&s.stride) {
            continue;
        }
        strides_checked.push(s.stride);
        let stride = rows.at_row(&mut b, l, s.stride, j0, &mut first);
        let size = b.iconst(Ty::I64, s.size);
        ok.push(b.icmp(IntCC::Eq, stride, size));
    }
    // Each stream's first element in the first row, and the bytes from a row's to the next's.
    let one = b.iconst(Ty::I64, 1);
    let j1 = b.binary(Op::Iadd, j0, one);
    let mut second = HashMap::new();
    let mut starts = Vec::new();
    let mut steps = Vec::new();
    for s in &plan.streams {
        // (L's index takes its entry value, i0: the stream's address in a row's first
        // iteration.)
        let offset = b.iconst(Ty::I64, i64::from(s.offset));
        let a0 = rows.at_row(&mut b, l, s.addr, j0, &mut first);
        let a1 = rows.at_row(&mut b, l, s.addr, j1, &mut second);
        starts.push(b.binary(Op::Iadd, a0, offset));
        steps.push(b.binary(Op::Isub, a1, a0));
    }
    // Footprints: from the lower of the first and last rows' starts to the higher one's end.
    let last_row = b.binary(Op::Isub, count, one);
    let zero = b.iconst(Ty::I64, 0);
    let footprints: Vec<(Value, Value)> = plan
        .streams
        .iter()
        .zip(starts.iter().zip(&steps))
        .map(|(s, (&start, &step))| {
            let span = b.binary(Op::Imul, last_row, step);
            let last = b.binary(Op::Iadd, start, span);
            let down = b.icmp(IntCC::Slt, step, zero);
            let lo = b.select(down, last, start);
            let hi = b.select(down, start, last);
            let size = b.iconst(Ty::I64, s.size);
            let bytes = b.binary(Op::Imul, len, size);
            (lo, b.binary(Op::Iadd, hi, bytes))
        })
        .collect();
    for (k, s) in plan.streams.iter().enumerate() {
        if !s.store {
            continue;
        }
        for o in (0..plan.streams.len()).filter(|&o| needs_alias_check(&plan.streams, k, o)) {
            let ((s_lo, s_hi), (o_lo, o_hi)) = (footprints[k], footprints[o]);
            let before = b.icmp(IntCC::Ule, s_hi, o_lo);
            let after = b.icmp(IntCC::Ule, o_hi, s_lo);
            ok.push(b.binary(Op::Or, before, after));
        }
    }
    let go = ok
        .into_iter()
        .reduce(|acc, c| b.binary(Op::And, acc, c))
        .expect("the row count is tested");
    b.brif(go, call, &[], rows.h, &[j0]);

    // The call: the program with the first row's pointers, then the row strides.
    b.switch_to(call);
    let slot = super::fold_slot(b.func, super::program_bytes(f, true), (line, col));
    let mut fixed_memo = first;
    write_program(&mut b, slot, f, &starts, |b, u| {
        rows.at_row(b, l, u, j0, &mut fixed_memo)
    });
    let steps_of_f = f.float_steps().expect("find checked a float chain");
    let strides_at = 8 + 24 * f.len() as i32;
    b.ins_full(
        Op::Store { offset: strides_at },
        vec![slot, steps[store]],
        &[],
        vec![],
    );
    for (k, &(_, term)) in steps_of_f.iter().enumerate() {
        for (w, word) in step_words(term).into_iter().enumerate() {
            let stride = match word {
                Some(StepWord::Stream(s)) => steps[s],
                _ => zero,
            };
            let offset = strides_at + 8 * (1 + 2 * k as i32 + w as i32);
            b.ins_full(Op::Store { offset }, vec![slot, stride], &[], vec![]);
        }
    }
    let routine = if f.ty == Ty::F64 {
        RuntimeFn::FoldRowsF64
    } else {
        RuntimeFn::FoldRowsF32
    };
    let nsteps = b.iconst(Ty::I64, f.len() as i64);
    b.ins(
        Op::CallRuntime(routine),
        &[starts[store], slot, nsteps, len, count],
        Ty::I64,
    );
    b.jump(rows.exit.block, &rows.exit.args);
}
