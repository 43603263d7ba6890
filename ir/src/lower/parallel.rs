//! `prange` loops under `parallel=True`: the loop body is outlined into a *chunk function* that
//! the runtime's threads run over slices of the iteration space (`runtime::parallel`).
//!
//! The parent function stores the loop's live-in values into an environment on its stack
//! (`stack_slot`), calls `parallel_for @chunk(env, count, partials, stride)`, then combines the
//! partial results of the scalar reductions chunk by chunk. The chunk function
//! `(env, lo, hi, out) -> ()` reloads the live-ins, starts each reduction variable at its
//! identity (0 for `+=`/`-=`, 1 for `*=`, ±inf or the integer extremes for `x = min(x, …)` /
//! `max`), runs iterations `lo..hi` serially, and stores the reductions' partial values at `out`.
//!
//! Whole-array reductions (`r += t`, `r -= t`, `r *= t` where `r` is an array assigned before
//! the loop), as Numba's parfors allow: the parent allocates one private array per chunk, filled
//! with the identity, and stores its descriptor where that chunk's partial result goes; the
//! chunk updates its private array, and the parent adds (multiplies) the private arrays into
//! `r` in chunk order after the loop.
//!
//! Variables assigned in the body that are not reductions are private to each iteration; their
//! values after the loop are those from before it (Numba leaves them undefined). Updating one
//! array element from every iteration (`out[0] += a[i]`, an index that does not depend on the
//! loop variable) is a data race and is rejected; other races are the user's responsibility.

use super::flatten::{flat_types, ir_types};
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::builder::Builder;
use crate::function::{Function, IntCC, Op, Ty, Value};
use frontend::ast::{self, BinOp, Expr, ExprKind, Stmt, StmtKind};
use runtime::math::RuntimeFn;
use runtime::parallel::MAX_CHUNKS;
use std::collections::BTreeMap;
use typeinfer::{Intrinsic, Resolution, Scalar, Type};

/// How a reduction variable combines its per-iteration updates.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Reduction {
    /// `+=` and `-=` (partials of `-=` hold negated sums, so both combine by addition).
    Sum,
    Product,
    /// `min(r, ...)` (`numpy: false`) or `np.minimum(r, ...)`, whose NaN and tie rules the
    /// partial results are combined by too.
    Min {
        numpy: bool,
    },
    Max {
        numpy: bool,
    },
}

/// What the body of a `prange` loop reads and reduces.
pub(super) struct BodyAnalysis {
    /// Locals read in the body (besides the loop variable), in a stable order.
    pub(super) live_ins: Vec<String>,
    pub(super) reductions: BTreeMap<String, Reduction>,
}

impl Lowerer<'_, '_> {
    /// `for target in prange(...)` with `parallel=True`.
    pub(crate) fn lower_parallel_for(
        &mut self,
        target: &Expr,
        (start, stop, step, step_const): (Value, Value, Value, Option<i64>),
        body: &[Stmt],
    ) -> LResult<()> {
        self.check_not_in_try("a prange loop", target.span)?;
        let ExprKind::Name(target_name) = &target.kind else {
            return Err(unsupported(
                "a prange loop needs a plain loop variable",
                target.span,
            ));
        };
        let analysis = analyze(body, target_name, self.typed)?;
        let live_ins: Vec<(String, Type)> = analysis
            .live_ins
            .iter()
            .filter(|n| !analysis.reductions.contains_key(*n))
            .map(|n| (n.clone(), self.typed.var_types[n].clone()))
            .collect();
        let reductions: Vec<(String, Type, Reduction)> = analysis
            .reductions
            .iter()
            .map(|(n, r)| (n.clone(), self.typed.var_types[n].clone(), *r))
            .collect();

        // The environment: start, step, then every live-in's flattened values, 8 bytes each.
        let env_slots = 2 + live_ins
            .iter()
            .map(|(_, t)| flat_types(t).len())
            .sum::<usize>();
        let env = self
            .b
            .ins(Op::StackSlot(8 * env_slots as u32), &[], Ty::Ptr);
        self.b.store(env, start, 0);
        self.b.store(env, step, 8);
        let mut offset = 16;
        for (name, _) in &live_ins {
            let value = self.read_var(name)?;
            for v in value.flat_values() {
                self.b.store(env, v, offset);
                offset += 8;
            }
        }
        let stride_bytes = 8 * reductions
            .iter()
            .map(|(_, t, _)| flat_types(t).len())
            .sum::<usize>()
            .max(1);
        let out = self.b.ins(
            Op::StackSlot((stride_bytes * MAX_CHUNKS) as u32),
            &[],
            Ty::Ptr,
        );

        let chunk_name = format!("{}__prange{}", self.ctx.symbol, self.outlined.len());
        let constants = (self.constant_value(start), step_const);
        let chunk = self.build_chunk(
            &chunk_name,
            target_name,
            body,
            &live_ins,
            &reductions,
            constants,
        )?;
        self.outlined.push(chunk);

        let count = self.range_len(start, stop, step, step_const);
        let stride = self.b.iconst(Ty::I64, stride_bytes as i64);
        self.private_reduction_arrays(&reductions, count, out, stride, target.span)?;
        let chunks = self.b.ins(
            Op::ParallelFor(chunk_name),
            &[env, count, out, stride],
            Ty::I64,
        );

        // Combine the partial results, chunk by chunk, into the variables' values from before.
        if !reductions.is_empty() {
            let zero = self.b.iconst(Ty::I64, 0);
            self.counted_loop_between(zero, chunks, &mut |this, c| {
                let base = this.b.binary(Op::Imul, c, stride);
                let base = this.b.binary(Op::Iadd, out, base);
                let mut offset = 0;
                for (name, ty, reduction) in &reductions {
                    let values: Vec<Value> = ir_types(ty)
                        .into_iter()
                        .map(|t| {
                            let v = this.b.load(t, base, offset, false);
                            offset += 8;
                            v
                        })
                        .collect();
                    let partial = PyValue::from_flat(ty, &mut values.into_iter());
                    let current = this.read_var(name)?;
                    if let Some(array) = super::array_fns::ArrayRef::of(&current) {
                        // A whole-array reduction: combined in place, chunk by chunk.
                        let op = match reduction {
                            Reduction::Product => BinOp::Mult,
                            _ => BinOp::Add,
                        };
                        this.array_in_place(&array, op, partial, ty, target.span)?;
                        continue;
                    }
                    let combined = this.combine(*reduction, current, partial, ty, target.span)?;
                    this.write_var(name, combined);
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Builds the chunk function `(env, lo, hi, out) -> ()` running iterations `lo..hi`.
    fn build_chunk(
        &mut self,
        name: &str,
        target: &str,
        body: &[Stmt],
        live_ins: &[(String, Type)],
        reductions: &[(String, Type, Reduction)],
        (start_const, step_const): (Option<i64>, Option<i64>),
    ) -> LResult<Function> {
        let mut chunk = Function::new(name, vec![Ty::Ptr, Ty::I64, Ty::I64, Ty::Ptr], vec![]);
        let mut builder = Builder::new(&mut chunk);
        builder.set_srcloc(self.b.srcloc().0, self.b.srcloc().1);
        let (entry, params) = builder.create_entry_block();
        let &[env, lo, hi, out] = params.as_slice() else {
            unreachable!("four parameters")
        };
        let mut child = Lowerer::new(builder, entry, self.typed, self.ctx, true);
        child.name_refs = self.name_refs.clone();
        // The body runs as a loop in the chunk: views kept across iterations need their own
        // descriptors (the loop variable is an integer, so it needs no special case).
        child.views_on_stack = child.arrays_stay_in_iteration(None, body);
        // Constants stay constants, so index analysis still sees `i = idx` for `prange(n)`.
        let start = match start_const {
            Some(c) => child.b.iconst(Ty::I64, c),
            None => child.b.load(Ty::I64, env, 0, true),
        };
        let step = match step_const {
            Some(c) => child.b.iconst(Ty::I64, c),
            None => child.b.load(Ty::I64, env, 8, true),
        };
        let mut offset = 16;
        for (name, ty) in live_ins {
            let values: Vec<Value> = ir_types(ty)
                .into_iter()
                .map(|t| {
                    let v = child.b.load(t, env, offset, true);
                    offset += 8;
                    v
                })
                .collect();
            child.write_var(name, PyValue::from_flat(ty, &mut values.into_iter()));
        }
        let mut offset = 0;
        for (name, ty, reduction) in reductions {
            if matches!(ty, Type::Array { .. }) {
                // The chunk's private array, allocated by the parent at its partial's place.
                let desc = child.b.load(Ty::Ptr, out, offset, false);
                let zero = child.b.iconst(Ty::Ptr, 0);
                let missing = child.b.icmp(IntCC::Eq, desc, zero);
                child.raise_if(
                    missing,
                    runtime::error::ExceptionKind::RuntimeError,
                    "the number of threads changed while a prange loop started",
                    frontend::Span::default(),
                    &[],
                );
                child.write_var(name, PyValue::Array(desc, ty.clone()));
            } else {
                let identity = child.identity(*reduction, ty);
                child.write_var(name, identity);
            }
            offset += 8 * flat_types(ty).len() as i32;
        }
        // The runtime hands out non-negative slices; saying so lets `index_range` prove the
        // indices derived from them non-negative.
        let zero = child.b.iconst(Ty::I64, 0);
        let lo = child.b.binary(Op::Smax, lo, zero);
        child.counted_loop_between(lo, hi, &mut |this, idx| {
            let scaled = this.b.binary(Op::Imul, idx, step);
            let i = this.b.binary(Op::Iadd, start, scaled);
            this.write_var(target, PyValue::Scalar(i, Scalar::I64));
            this.lower_body(body)
        })?;
        let mut offset = 0;
        for (name, _, _) in reductions {
            for v in child.read_var(name)?.flat_values() {
                child.b.store(out, v, offset);
                offset += 8;
            }
        }
        child.b.ret(&[]);
        drop(child);
        super::remove_unterminated_dead_blocks(&mut chunk)?;
        Ok(chunk)
    }

    /// Before a `prange` loop with whole-array reductions (`r += t`, `r *= t` with `r` an
    /// array): one private array per chunk, of `r`'s shape and dtype and filled with the
    /// reduction's identity, its descriptor stored where the chunk's partial result goes
    /// (`out + c * stride + offset`); the slots of chunks beyond those expected hold 0.
    fn private_reduction_arrays(
        &mut self,
        reductions: &[(String, Type, Reduction)],
        count: Value,
        out: Value,
        stride: Value,
        span: frontend::Span,
    ) -> LResult<()> {
        if !reductions
            .iter()
            .any(|(_, t, _)| matches!(t, Type::Array { .. }))
        {
            return Ok(());
        }
        let chunks = self.b.call_runtime(RuntimeFn::ParallelChunks, &[count]);
        let all = self.b.iconst(Ty::I64, MAX_CHUNKS as i64);
        let mut offset = 0;
        for (name, ty, reduction) in reductions {
            let this_offset = offset;
            offset += 8 * flat_types(ty).len() as i32;
            let Type::Array { layout, .. } = ty else {
                continue;
            };
            if matches!(reduction, Reduction::Min { .. } | Reduction::Max { .. }) {
                let message = format!(
                    "'{name}' is an array: a prange loop reduces arrays with `+=`, `-=` or `*=` \
                     only"
                );
                return Err(unsupported(message, span));
            }
            if *layout == typeinfer::Layout::F {
                let message = format!(
                    "'{name}' is a Fortran-ordered array reduced in a prange loop;                      make it C-ordered (np.zeros(shape)) or reduce into a scalar"
                );
                return Err(unsupported(message, span));
            }
            let current = self.read_var(name)?;
            let Some(r) = super::array_fns::ArrayRef::of(&current) else {
                return Err(unsupported("a reduction of this value", span));
            };
            let shape = self.shape_of(&r);
            self.counted_loop(all, &mut |this, c| {
                let at = this.b.binary(Op::Imul, c, stride);
                let at = this.b.binary(Op::Iadd, out, at);
                let null = this.b.iconst(Ty::Ptr, 0);
                this.b.store(at, null, this_offset);
                Ok(())
            })?;
            self.counted_loop(chunks, &mut |this, c| {
                let private = this.new_array(r.dtype, &shape, true, span);
                if *reduction == Reduction::Product {
                    let one = this.b.iconst(Ty::I64, 1);
                    this.fill_array(&private, PyValue::Scalar(one, Scalar::I64))?;
                }
                let at = this.b.binary(Op::Imul, c, stride);
                let at = this.b.binary(Op::Iadd, out, at);
                this.b.store(at, private.desc, this_offset);
                Ok(())
            })?;
        }
        Ok(())
    }

    /// The identity of a reduction for a variable of type `ty`.
    fn identity(&mut self, reduction: Reduction, ty: &Type) -> PyValue {
        let s = ty.as_scalar().unwrap_or(Scalar::F64);
        let part = s.real_part();
        let value = match (reduction, part.is_float()) {
            (Reduction::Sum, _) => 0.0,
            (Reduction::Product, _) => 1.0,
            (Reduction::Min { .. }, true) => f64::INFINITY,
            (Reduction::Max { .. }, true) => f64::NEG_INFINITY,
            (Reduction::Min { .. }, false) => return self.int_extreme(part, true),
            (Reduction::Max { .. }, false) => return self.int_extreme(part, false),
        };
        let v = self.scalar_const(part, value);
        self.convert_scalar(v, part, s)
    }

    fn int_extreme(&mut self, s: Scalar, max: bool) -> PyValue {
        let bits = s.size_bytes() * 8;
        let value: i64 = match (s.is_unsigned_int(), max) {
            (true, true) => -1, // all ones
            (true, false) => 0,
            (false, true) => ((1u64 << (bits - 1)) - 1) as i64,
            (false, false) => -(1i64 << (bits - 1).min(63)),
        };
        let ty = super::flatten::scalar_ir_type(s);
        PyValue::Scalar(self.b.iconst(ty, value), s)
    }

    fn combine(
        &mut self,
        reduction: Reduction,
        current: PyValue,
        partial: PyValue,
        ty: &Type,
        span: frontend::Span,
    ) -> LResult<PyValue> {
        match reduction {
            Reduction::Sum => self.binary_op(BinOp::Add, current, ty, partial, ty, span),
            Reduction::Product => self.binary_op(BinOp::Mult, current, ty, partial, ty, span),
            Reduction::Min { numpy } | Reduction::Max { numpy } => {
                let (PyValue::Scalar(a, s), PyValue::Scalar(b, _)) = (&current, &partial) else {
                    return Err(unsupported("min/max reductions need real numbers", span));
                };
                let is_min = matches!(reduction, Reduction::Min { .. });
                if numpy {
                    return Ok(PyValue::Scalar(self.numpy_extreme(is_min, *a, *b, *s), *s));
                }
                let better = if s.is_float() {
                    let cc = if is_min {
                        crate::function::FloatCC::Lt
                    } else {
                        crate::function::FloatCC::Gt
                    };
                    self.b.fcmp(cc, *b, *a)
                } else {
                    self.int_cmp(if is_min { IntCC::Slt } else { IntCC::Sgt }, *b, *a, *s)
                };
                Ok(PyValue::Scalar(self.b.select(better, *b, *a), *s))
            }
        }
    }
}

/// Finds the locals the body reads and its reductions; rejects what cannot run in parallel.
pub(super) fn analyze(
    body: &[Stmt],
    target: &str,
    typed: &typeinfer::TypedFunction,
) -> LResult<BodyAnalysis> {
    let mut read = Vec::new();
    ast::walk_exprs(body, &mut |e| {
        if let ExprKind::Name(n) = &e.kind
            && n != target
            && typed.var_types.contains_key(n)
            && !read.contains(n)
        {
            read.push(n.clone());
        }
    });
    let mut reductions: BTreeMap<String, Reduction> = BTreeMap::new();
    let mut assigned: Vec<String> = Vec::new();
    collect_updates(body, target, typed, &mut reductions, &mut assigned)?;
    // Numba's rule: a variable that each iteration assigns before anything else reads it
    // (`acc = 0.0` then `acc += ...`) is private to the iteration, not a reduction.
    reductions.retain(|name, _| !private_to_iteration(body, name));
    for name in reductions.keys() {
        if assigned.contains(name) {
            return Err(unsupported(
                format!("'{name}' is both reduced and assigned in this prange loop"),
                body[0].span,
            )
            .with_hint("use only `+=`, `-=`, `*=` or `x = min(x, ...)` / `max` on a reduction"));
        }
    }
    Ok(BodyAnalysis {
        live_ins: read,
        reductions,
    })
}

fn collect_updates(
    body: &[Stmt],
    target: &str,
    typed: &typeinfer::TypedFunction,
    reductions: &mut BTreeMap<String, Reduction>,
    assigned: &mut Vec<String>,
) -> LResult<()> {
    for stmt in body {
        match &stmt.kind {
            StmtKind::AugAssign { target: t, op, .. } => match &t.kind {
                ExprKind::Name(name) => {
                    let kind = match op {
                        BinOp::Add | BinOp::Sub => Reduction::Sum,
                        BinOp::Mult => Reduction::Product,
                        _ => {
                            return Err(unsupported(
                                format!("`{}=` cannot be a parallel reduction", op.symbol()),
                                stmt.span,
                            ));
                        }
                    };
                    note_reduction(reductions, name, kind, stmt)?;
                }
                ExprKind::Subscript { index, .. } if !mentions(index, target) => {
                    return Err(unsupported(
                        "every iteration of this prange loop updates the same array element (a data race)",
                        t.span,
                    )
                    .with_hint("accumulate into a scalar variable (`s += ...`) and store it after the loop"));
                }
                _ => {}
            },
            StmtKind::Assign { targets, value } => {
                for t in targets {
                    let ExprKind::Name(name) = &t.kind else {
                        continue;
                    };
                    match min_max_update(value, name, typed) {
                        Some(kind) => note_reduction(reductions, name, kind, stmt)?,
                        None => assigned.push(name.clone()),
                    }
                }
            }
            StmtKind::If { body, orelse, .. } => {
                collect_updates(body, target, typed, reductions, assigned)?;
                collect_updates(orelse, target, typed, reductions, assigned)?;
            }
            StmtKind::For {
                body, target: t, ..
            } => {
                if let ExprKind::Name(n) = &t.kind {
                    assigned.push(n.clone());
                }
                collect_updates(body, target, typed, reductions, assigned)?;
            }
            StmtKind::While { body, .. } => {
                collect_updates(body, target, typed, reductions, assigned)?
            }
            StmtKind::Try { .. } => {
                for block in stmt.kind.blocks() {
                    collect_updates(block, target, typed, reductions, assigned)?;
                }
            }
            StmtKind::Break | StmtKind::Return(_) => {
                return Err(unsupported(
                    "`break` and `return` cannot leave a prange loop",
                    stmt.span,
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

fn note_reduction(
    reductions: &mut BTreeMap<String, Reduction>,
    name: &str,
    kind: Reduction,
    stmt: &Stmt,
) -> LResult<()> {
    match reductions.insert(name.to_string(), kind) {
        Some(previous) if previous != kind => Err(unsupported(
            format!("'{name}' is reduced in two different ways in this prange loop"),
            stmt.span,
        )),
        _ => Ok(()),
    }
}

/// `name = min(name, ...)` or `max` (or `np.minimum`/`np.maximum`): a min/max reduction.
fn min_max_update(value: &Expr, name: &str, typed: &typeinfer::TypedFunction) -> Option<Reduction> {
    let ExprKind::Call { args, .. } = &value.kind else {
        return None;
    };
    let kind = match typed.resolutions.get(&value.id) {
        Some(Resolution::Intrinsic(Intrinsic::Min)) => Reduction::Min { numpy: false },
        Some(Resolution::Intrinsic(Intrinsic::Max)) => Reduction::Max { numpy: false },
        Some(Resolution::Intrinsic(Intrinsic::Minimum)) => Reduction::Min { numpy: true },
        Some(Resolution::Intrinsic(Intrinsic::Maximum)) => Reduction::Max { numpy: true },
        _ => return None,
    };
    args.iter()
        .any(|a| matches!(&a.kind, ExprKind::Name(n) if n == name))
        .then_some(kind)
}

/// True if the first top-level statement of `body` that mentions `name` is a plain `name =
/// value` whose value does not read it: every iteration then starts the variable afresh.
fn private_to_iteration(body: &[Stmt], name: &str) -> bool {
    for stmt in body {
        let mut seen = false;
        ast::walk_exprs(std::slice::from_ref(stmt), &mut |e| {
            seen |= matches!(&e.kind, ExprKind::Name(n) if n == name);
        });
        if !seen {
            continue;
        }
        return match &stmt.kind {
            StmtKind::Assign { targets, value } => {
                targets
                    .iter()
                    .any(|t| matches!(&t.kind, ExprKind::Name(n) if n == name))
                    && !mentions(value, name)
            }
            // First used inside an inner loop that assigns it before reading it (`d = 0.0`
            // then `d += ...` per inner iteration): private too, as in Numba.
            StmtKind::For {
                target, iter, body, ..
            } => {
                !mentions(target, name) && !mentions(iter, name) && private_to_iteration(body, name)
            }
            StmtKind::While { test, body, .. } => {
                !mentions(test, name) && private_to_iteration(body, name)
            }
            _ => false,
        };
    }
    false
}

fn mentions(expr: &Expr, name: &str) -> bool {
    let mut found = false;
    ast::walk_expr(expr, &mut |e| {
        if matches!(&e.kind, ExprKind::Name(n) if n == name) {
            found = true;
        }
    });
    found
}
