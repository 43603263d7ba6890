//! Statements: assignment, `if`, `while`, `for` over `range` and 1-D arrays, `break`/`continue`,
//! `return`, `raise`, `assert`.

use super::{LResult, LoopTargets, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{Expr, ExprKind, Stmt, StmtKind};
use runtime::error::ExceptionKind;
use typeinfer::{Intrinsic, Resolution, Scalar, Type};

impl Lowerer<'_, '_> {
    pub(crate) fn lower_body(&mut self, body: &[Stmt]) -> LResult<()> {
        for stmt in body {
            self.lower_stmt(stmt)?;
        }
        Ok(())
    }

    fn lower_stmt(&mut self, stmt: &Stmt) -> LResult<()> {
        self.set_span(stmt.span);
        match &stmt.kind {
            StmtKind::Assign { targets, value } => {
                let v = self.lower_expr(value)?;
                for target in targets {
                    self.assign(target, v.clone())?;
                }
            }
            StmtKind::AugAssign { target, op, value } => {
                self.lower_aug_assign(target, *op, value)?
            }
            // A bare module, function or type name (`np`, `math.sqrt`) is no value and has no
            // effect: typeinfer records no type for it, and there is nothing to evaluate.
            StmtKind::Expr(e) if self.typed.expr_type(e.id).is_none() => {}
            StmtKind::Expr(e) => {
                self.lower_expr(e)?;
            }
            StmtKind::Pass => {}
            StmtKind::ObjMode(block) => self.lower_objmode(stmt, block)?,
            StmtKind::If { test, body, orelse } => self.lower_if(test, body, orelse)?,
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => self.lower_try(body, handlers, orelse, finalbody, stmt.span)?,
            StmtKind::While { test, body } => self.lower_while(test, body)?,
            StmtKind::For { target, iter, body } => self.lower_for(target, iter, body)?,
            StmtKind::Break | StmtKind::Continue => {
                let Some(targets) = self.loops.last() else {
                    return Err(unsupported("'break'/'continue' outside a loop", stmt.span));
                };
                let to = match stmt.kind {
                    StmtKind::Break => targets.break_to,
                    _ => targets.continue_to,
                };
                self.jump(to, &[]);
                self.continue_in_dead_block();
            }
            StmtKind::Return(value) => {
                let value = match value {
                    Some(e) => self.lower_expr(e)?,
                    None => PyValue::None,
                };
                let ret_ty = self.typed.return_type.clone();
                let value = self.coerce(value, &ret_ty);
                let value = self.escape_arrays(value);
                self.b.ret(&value.flat_values());
                self.continue_in_dead_block();
            }
            StmtKind::Raise(exc) => self.lower_raise(exc.as_ref(), stmt)?,
            StmtKind::Assert { test, msg } => {
                let cond = self.lower_expr(test)?;
                let ok = self.truthy(&cond);
                let failed = self.b.ins(Op::Not, &[ok], Ty::Bool);
                let (message, args) = match msg {
                    Some(msg) => self.message_template(msg)?,
                    None => (String::new(), Vec::new()),
                };
                self.raise_if(
                    failed,
                    ExceptionKind::AssertionError,
                    &message,
                    stmt.span,
                    &args,
                );
            }
        }
        Ok(())
    }

    /// Binds `value` to an assignment target: a name, an array element or a tuple of targets.
    pub(crate) fn assign(&mut self, target: &Expr, value: PyValue) -> LResult<()> {
        match &target.kind {
            ExprKind::Name(name) => {
                self.write_var(name, value);
                Ok(())
            }
            ExprKind::Tuple(targets) if matches!(value, PyValue::Array(..)) => {
                self.unpack_array(targets, value, target.span)
            }
            ExprKind::Tuple(targets) => {
                let items = match value {
                    PyValue::Tuple(items) if items.len() == targets.len() => items,
                    _ => {
                        return Err(unsupported(
                            format!("cannot unpack this value into {} targets", targets.len()),
                            target.span,
                        ));
                    }
                };
                for (t, v) in targets.iter().zip(items) {
                    self.assign(t, v)?;
                }
                Ok(())
            }
            ExprKind::Subscript { value: base, index } => {
                if let Some(typeinfer::Resolution::JitCall {
                    callee,
                    arg_types,
                    ret,
                    ..
                }) = self.typed.resolutions.get(&target.id).cloned()
                {
                    // A jitclass's `__setitem__`.
                    let receiver = self.lower_expr(base)?;
                    let key = self.lower_expr(index)?;
                    self.set_span(target.span);
                    self.call_jitted(callee, &arg_types, &ret, vec![receiver, key, value]);
                    return Ok(());
                }
                let array = self.lower_expr(base)?;
                if let PyValue::List(list, ty) = &array {
                    return self.store_list_item(*list, ty, index, value, target.span);
                }
                if let PyValue::Pointer(p, ty) = &array {
                    return self.store_pointer_item(*p, ty, index, value, target.span);
                }
                if let PyValue::Dict(d, ty) = &array {
                    let (ptr, value_ty) = self.dict_value_ptr(*d, ty, index, target.span)?;
                    self.store_item_at(ptr, &value_ty, value);
                    return Ok(());
                }
                self.store_subscript(&array, index, value, target.span)
            }
            ExprKind::Attribute { value: base, .. } => self.assign_attribute(target, base, value),
            _ => Err(unsupported("cannot assign to this expression", target.span)),
        }
    }

    /// `a, b, c = arr`: raises `ValueError` as CPython does unless `arr` has exactly as many
    /// items as there are targets, then assigns the items in order.
    fn unpack_array(&mut self, targets: &[Expr], array: PyValue, span: Span) -> LResult<()> {
        let PyValue::Array(_, ty) = &array else {
            return Err(unsupported("cannot unpack this value", span));
        };
        let ty = ty.clone();
        let seq = self.seq_of(array, &ty, span)?;
        let len = self.seq_len(&seq);
        let expected = self.b.iconst(Ty::I64, targets.len() as i64);
        let too_few = self.b.icmp(IntCC::Slt, len, expected);
        let message = format!(
            "not enough values to unpack (expected {}, got {{}})",
            targets.len()
        );
        self.raise_if(too_few, ExceptionKind::ValueError, &message, span, &[len]);
        let too_many = self.b.icmp(IntCC::Sgt, len, expected);
        let message = format!("too many values to unpack (expected {})", targets.len());
        self.raise_if(too_many, ExceptionKind::ValueError, &message, span, &[]);
        let items: Vec<PyValue> = (0..targets.len())
            .map(|i| {
                let index = self.b.iconst(Ty::I64, i as i64);
                self.seq_item(&seq, index)
            })
            .collect();
        for (t, v) in targets.iter().zip(items) {
            self.assign(t, v)?;
        }
        Ok(())
    }

    fn lower_aug_assign(
        &mut self,
        target: &Expr,
        op: frontend::ast::BinOp,
        value: &Expr,
    ) -> LResult<()> {
        let rhs = self.lower_expr(value)?;
        let rhs_ty = self.type_of(value)?;
        match &target.kind {
            ExprKind::Name(name) => {
                let current = self.read_var(name)?;
                if let Some(array) = super::array_fns::ArrayRef::of(&current) {
                    return self.array_in_place(&array, op, rhs, &rhs_ty, target.span);
                }
                let current_ty = self.typed.var_types[name].clone();
                let result = self.binary_op(op, current, &current_ty, rhs, &rhs_ty, target.span)?;
                self.write_var(name, result);
                Ok(())
            }
            ExprKind::Subscript { value: base, index } => {
                let array = self.lower_expr(base)?;
                if let PyValue::Pointer(p, ty) = &array {
                    let elem_ty = self.type_of(target)?;
                    let (ptr, item) = self.pointer_element(*p, ty, index, target.span)?;
                    let current = self.load_item_at(ptr, &item);
                    let result =
                        self.binary_op(op, current, &elem_ty, rhs, &rhs_ty, target.span)?;
                    self.store_item_at(ptr, &item, result);
                    return Ok(());
                }
                let container = match &array {
                    PyValue::List(list, list_ty) => Some((true, *list, list_ty.clone())),
                    PyValue::Dict(d, ty) => Some((false, *d, ty.clone())),
                    _ => None,
                };
                if let Some((is_list, base, base_ty)) = container {
                    let elem_ty = self.type_of(target)?;
                    let (ptr, item) = if is_list {
                        self.list_item_ptr(base, &base_ty, index, target.span)?
                    } else {
                        self.dict_existing_value_ptr(base, &base_ty, index, target.span)?
                    };
                    let current = self.load_item_at(ptr, &item);
                    let result =
                        self.binary_op(op, current, &elem_ty, rhs, &rhs_ty, target.span)?;
                    self.store_item_at(ptr, &item, result);
                    return Ok(());
                }
                if let Some(a) = super::array_fns::ArrayRef::of(&array)
                    && self.is_fancy_index(index)
                {
                    return self.lower_fancy_aug_assign(&a, index, op, rhs, &rhs_ty, target.span);
                }
                if let Some(a) = super::array_fns::ArrayRef::of(&array)
                    && (self.index_count(index) < a.ndim as usize || super::views::has_slice(index))
                {
                    let view = self.view_for_store(&a, index, target.span)?;
                    return self.array_in_place(&view, op, rhs, &rhs_ty, target.span);
                }
                let elem_ty = self.type_of(target)?;
                let address = self.element_address(&array, index, target.span)?;
                let current = self.load_element(&address);
                let result = self.binary_op(op, current, &elem_ty, rhs, &rhs_ty, target.span)?;
                self.store_element(&address, result);
                Ok(())
            }
            ExprKind::Attribute { value: base, .. } => {
                self.aug_assign_attribute(target, base, op, rhs, &rhs_ty)
            }
            _ => Err(unsupported(
                "cannot use augmented assignment on this target",
                target.span,
            )),
        }
    }

    fn lower_if(&mut self, test: &Expr, body: &[Stmt], orelse: &[Stmt]) -> LResult<()> {
        let cond = self.lower_expr(test)?;
        let cond = self.truthy(&cond);
        let then_block = self.create_block();
        let else_block = self.create_block();
        let merge = self.create_block();
        self.brif(cond, then_block, else_block);
        self.seal(then_block);
        self.seal(else_block);
        self.switch_to(then_block);
        self.lower_body(body)?;
        if !self.b.is_terminated() {
            self.jump(merge, &[]);
        }
        self.switch_to(else_block);
        self.lower_body(orelse)?;
        if !self.b.is_terminated() {
            self.jump(merge, &[]);
        }
        self.seal(merge);
        self.switch_to(merge);
        Ok(())
    }

    /// `while test: body`, rotated: the test is lowered before the first iteration and again
    /// after each one (`continue` goes there), so the loop's exit branch sits at its bottom and
    /// tests the values the body just computed (no jump back to a block that only tests).
    /// Python evaluates the test the same number of times, in the same order.
    fn lower_while(&mut self, test: &Expr, body: &[Stmt]) -> LResult<()> {
        let body_block = self.create_block();
        let latch = self.create_block();
        let exit = self.create_block();
        let cond = self.lower_expr(test)?;
        let cond = self.truthy(&cond);
        self.brif(cond, body_block, exit);
        self.switch_to(body_block);
        let mark = self
            .iteration_scoped_allocations(None, body)
            .then(|| self.begin_scoped_iteration());
        let views_on_stack = self.arrays_stay_in_iteration(None, body);
        let outer_views = std::mem::replace(&mut self.views_on_stack, views_on_stack);
        self.loops.push(LoopTargets {
            continue_to: latch,
            break_to: exit,
        });
        self.lower_body(body)?;
        self.loops.pop();
        self.views_on_stack = outer_views;
        if !self.b.is_terminated() {
            if let Some(mark) = mark {
                self.end_scoped_iteration(mark);
            }
            self.jump(latch, &[]);
        }
        self.seal(latch);
        self.switch_to(latch);
        let cond = self.lower_expr(test)?;
        let cond = self.truthy(&cond);
        self.brif(cond, body_block, exit);
        self.seal(body_block);
        self.seal(exit);
        self.switch_to(exit);
        Ok(())
    }

    /// `for target in iter`: over a `range` (any step, evaluated once) or a 1-D array. The loop
    /// counter is a hidden SSA variable, so assigning to the target inside the body does not
    /// change the iteration, as in Python.
    fn lower_for(&mut self, target: &Expr, iter: &Expr, body: &[Stmt]) -> LResult<()> {
        let zip_like = matches!(
            self.typed.resolutions.get(&iter.id),
            Some(Resolution::Intrinsic(Intrinsic::Enumerate | Intrinsic::Zip))
        );
        if zip_like
            || matches!(
                self.typed.expr_type(iter.id),
                Some(
                    Type::Tuple(_)
                        | Type::List { .. }
                        | Type::Str
                        | Type::Dict { .. }
                        | Type::Set { .. }
                )
            )
        {
            let seq = self.lower_seq(iter)?;
            return self.lower_seq_for(target, seq, body);
        }
        let iterable = self.lower_expr(iter)?;
        let (start, stop, step, step_const, array) = match iterable {
            PyValue::Range {
                start,
                stop,
                step,
                step_const,
                parallel,
            } => {
                if parallel && self.ctx.parallel && !self.in_parallel_body {
                    let range = (start, stop, step, step_const);
                    return self.lower_parallel_for(target, range, body);
                }
                (start, stop, step, step_const, None)
            }
            PyValue::Array(desc, ref ty @ Type::Array { .. }) => {
                let zero = self.b.iconst(Ty::I64, 0);
                let len = self.array_dim(desc, 0);
                let one = self.b.iconst(Ty::I64, 1);
                (zero, len, one, Some(1), Some((desc, ty.clone())))
            }
            _ => {
                return Err(unsupported(
                    format!(
                        "cannot iterate over a value of type {}",
                        self.type_of(iter)?
                    ),
                    iter.span,
                ));
            }
        };
        let counter = self.ssa.declare_var(Ty::I64);
        let entry_block = self.current_block();
        self.ssa.def_var(counter, entry_block, start);
        // A step known only at run time: the number of iterations up front (one unsigned
        // division per loop, as Numba's range iterator), so that the test after each
        // iteration is a countdown instead of a distance test for either sign of the step.
        let remaining = (step_const.is_none()).then(|| {
            let count = self.range_length(start, stop, step);
            let var = self.ssa.declare_var(Ty::I64);
            self.ssa.def_var(var, entry_block, count);
            var
        });

        // Rotated form: test once before the loop, then the body, then `i += step` and the test
        // again at the bottom (one branch per iteration, and code hoisted out of the loop runs
        // only when the loop runs at least once).
        let body_block = self.create_block();
        let latch = self.create_block();
        let exit = self.create_block();
        let more = self.range_continues(start, stop, step, step_const);
        self.brif(more, body_block, exit);
        self.switch_to(body_block);
        let mark = self
            .iteration_scoped_allocations(Some(target), body)
            .then(|| self.begin_scoped_iteration());
        let i = self.ssa.use_var(self.b.func, counter, body_block);
        let item = match &array {
            Some((desc, ty)) => self.load_array_item(*desc, ty, i),
            None => PyValue::Scalar(i, Scalar::I64),
        };
        self.assign(target, item)?;
        let views_on_stack = self.arrays_stay_in_iteration(Some(target), body);
        let outer_views = std::mem::replace(&mut self.views_on_stack, views_on_stack);
        self.loops.push(LoopTargets {
            continue_to: latch,
            break_to: exit,
        });
        self.lower_body(body)?;
        self.loops.pop();
        self.views_on_stack = outer_views;
        if !self.b.is_terminated() {
            self.jump(latch, &[]);
        }
        self.seal(latch);
        self.switch_to(latch);
        if let Some(mark) = mark {
            self.end_scoped_iteration(mark);
        }
        let i = self.ssa.use_var(self.b.func, counter, latch);
        let next = self.b.binary(Op::Iadd, i, step);
        self.ssa.def_var(counter, latch, next);
        let more = match step_const {
            None => {
                let var = remaining.expect("counted for a run-time step");
                let left = self.ssa.use_var(self.b.func, var, latch);
                let one = self.b.iconst(Ty::I64, 1);
                let left = self.b.binary(Op::Isub, left, one);
                self.ssa.def_var(var, latch, left);
                let zero = self.b.iconst(Ty::I64, 0);
                self.b.icmp(IntCC::Ne, left, zero)
            }
            // `i + 1 < stop` cannot overflow inside the loop (i < stop <= i64::MAX).
            Some(1 | -1) => self.range_continues(next, stop, step, step_const),
            // `i + step` may wrap near the ends of int64 (`range(2**63 - 10, 2**63 - 1, 5)`):
            // compare the remaining distance instead.
            _ => self.range_has_next(i, stop, step, step_const),
        };
        self.brif(more, body_block, exit);
        self.seal(body_block);
        self.seal(exit);
        self.switch_to(exit);
        Ok(())
    }

    /// How many iterations `range(start, stop, step)` has, for a nonzero `step` (meaningful
    /// only where the first runs): with `m` the step's sign mask, the unsigned distance
    /// `|stop - start|` and size `|step|` (exact as unsigned values, even across all of int64
    /// or for a step of `-2^63`), `(distance - 1) / size + 1`.
    fn range_length(&mut self, start: Value, stop: Value, step: Value) -> Value {
        let sixty_three = self.b.iconst(Ty::I64, 63);
        let one = self.b.iconst(Ty::I64, 1);
        let m = self.b.binary(Op::Sshr, step, sixty_three);
        let magnitude = |this: &mut Self, v: Value| {
            let flipped = this.b.binary(Op::Bxor, v, m);
            this.b.binary(Op::Isub, flipped, m)
        };
        let span = self.b.binary(Op::Isub, stop, start);
        let distance = magnitude(self, span);
        let size = magnitude(self, step);
        let before_last = self.b.binary(Op::Isub, distance, one);
        let steps = self.b.binary(Op::Udiv, before_last, size);
        self.b.binary(Op::Iadd, steps, one)
    }

    /// Whether the iteration after `i` (which ran, so `i` is before `stop`) runs, without
    /// computing `i + step`: the unsigned distance left to `stop` exceeds the step's size.
    fn range_has_next(
        &mut self,
        i: Value,
        stop: Value,
        step: Value,
        step_const: Option<i64>,
    ) -> Value {
        let up = |this: &mut Self| {
            let left = this.b.binary(Op::Isub, stop, i);
            this.b.icmp(IntCC::Ugt, left, step)
        };
        let down = |this: &mut Self| {
            let left = this.b.binary(Op::Isub, i, stop);
            let size = this.b.unary(Op::Ineg, step);
            this.b.icmp(IntCC::Ugt, left, size)
        };
        match step_const {
            Some(s) if s > 0 => up(self),
            Some(_) => down(self),
            None => {
                let zero = self.b.iconst(Ty::I64, 0);
                let is_up = self.b.icmp(IntCC::Sgt, step, zero);
                let more_up = up(self);
                let more_down = down(self);
                self.b.select(is_up, more_up, more_down)
            }
        }
    }

    /// Whether a `range` iteration at `i` runs: `i < stop` for positive steps, `i > stop` for
    /// negative ones (decided at run time when the step is not a constant).
    fn range_continues(
        &mut self,
        i: Value,
        stop: Value,
        step: Value,
        step_const: Option<i64>,
    ) -> Value {
        match step_const {
            Some(s) if s > 0 => self.b.icmp(IntCC::Slt, i, stop),
            Some(_) => self.b.icmp(IntCC::Sgt, i, stop),
            None => {
                let zero = self.b.iconst(Ty::I64, 0);
                let up = self.b.icmp(IntCC::Sgt, step, zero);
                let below = self.b.icmp(IntCC::Slt, i, stop);
                let above = self.b.icmp(IntCC::Sgt, i, stop);
                self.b.select(up, below, above)
            }
        }
    }

    fn lower_raise(&mut self, exc: Option<&Expr>, stmt: &Stmt) -> LResult<()> {
        let Some(exc) = exc else {
            return self.reraise(stmt.span);
        };
        let (class_expr, args) = match &exc.kind {
            ExprKind::Call { func, args, .. } => (func.as_ref(), args.as_slice()),
            _ => (exc, &[][..]),
        };
        let class_name = match (self.typed.resolutions.get(&class_expr.id), &class_expr.kind) {
            (Some(Resolution::ExceptionClass(name)), _) => name.clone(),
            (_, ExprKind::Name(name)) => name.clone(),
            _ => {
                return Err(unsupported(
                    "can only raise built-in exception classes",
                    exc.span,
                ));
            }
        };
        let (kind, mark) = self.exception_kind(&class_name, class_expr.span)?;
        let (message, message_args) = match args {
            [] => (String::new(), Vec::new()),
            [msg] => self.message_template(msg)?,
            _ => {
                return Err(unsupported(
                    "exception arguments must be a single string literal or f-string",
                    exc.span,
                ));
            }
        };
        let message = mark + &message;
        self.raise(kind, message, stmt.span, &message_args);
        Ok(())
    }
}
