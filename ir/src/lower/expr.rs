//! Expressions: literals, names, operators, comparisons, `and`/`or`, conditional expressions,
//! attributes, tuples. Calls are in `call.rs`, subscripts in `array.rs`.

use super::flatten::ir_types;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{Op, Ty, Value};
use frontend::ast::{BinOp, BoolOp, CmpOp, Expr, ExprKind, UnaryOp};
use typeinfer::{ConstValue, Resolution, Scalar, Type};

impl Lowerer<'_, '_> {
    pub(crate) fn lower_expr(&mut self, expr: &Expr) -> LResult<PyValue> {
        self.set_span(expr.span);
        if let Some(Resolution::Const(c)) = self.typed.resolutions.get(&expr.id) {
            let c = c.clone();
            return Ok(self.lower_const(&c));
        }
        if let Some(Type::Function { .. } | Type::DType(_)) = self.typed.expr_type(expr.id) {
            // Function and type values have no run-time content (their type says it all).
            return Ok(PyValue::None);
        }
        if self.is_array_expression(expr) {
            return self.lower_array_expression(expr);
        }
        match &expr.kind {
            ExprKind::Int(v) => {
                let ty = self.type_of(expr)?;
                let s = ty.as_scalar().unwrap_or(Scalar::I64);
                let v = self.b.iconst(Ty::I64, *v as i64);
                Ok(self.convert_scalar(v, Scalar::I64, s))
            }
            ExprKind::Float(f) => Ok(PyValue::Scalar(self.b.fconst(Ty::F64, *f), Scalar::F64)),
            ExprKind::Imag(f) => {
                let re = self.b.fconst(Ty::F64, 0.0);
                let im = self.b.fconst(Ty::F64, *f);
                Ok(PyValue::Complex(re, im, Scalar::C128))
            }
            ExprKind::Bool(v) => Ok(PyValue::Scalar(self.b.bconst(*v), Scalar::Bool)),
            ExprKind::NoneLit => Ok(PyValue::None),
            ExprKind::Str(s) => Ok(PyValue::Str(s.clone())),
            ExprKind::Ellipsis => Err(unsupported(
                "`...` is only supported in an array index",
                expr.span,
            )),
            ExprKind::Name(name) => {
                let value = self.read_var(name)?;
                // Typeinfer reads an optional variable as its number except where the optional
                // itself is used (`is None`, returns, copies).
                match matches!(self.type_of(expr)?, Type::Optional(_)) {
                    true => Ok(value),
                    false => Ok(self.unwrap_optional(value, expr.span)),
                }
            }
            ExprKind::Tuple(items) => {
                let values = items
                    .iter()
                    .map(|e| self.lower_expr(e))
                    .collect::<LResult<_>>()?;
                Ok(PyValue::Tuple(values))
            }
            ExprKind::BinOp { op, left, right } => {
                let (lt, rt) = (self.type_of(left)?, self.type_of(right)?);
                let l = self.lower_expr(left)?;
                let r = self.lower_expr(right)?;
                self.set_span(expr.span);
                if *op == frontend::ast::BinOp::MatMult {
                    let result_ty = self.type_of(expr)?;
                    return self.lower_dot(l, &lt, r, &rt, &result_ty, expr.span);
                }
                self.binary_op(*op, l, &lt, r, &rt, expr.span)
            }
            ExprKind::UnaryOp { op, operand } => {
                let ty = self.type_of(operand)?;
                let v = self.lower_expr(operand)?;
                self.set_span(expr.span);
                self.unary_op(*op, v, &ty, expr.span)
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => self.lower_compare(left, ops, comparators),
            ExprKind::BoolOp { op, values } => self.lower_bool_op(expr, *op, values),
            ExprKind::IfExp { test, body, orelse } => self.lower_if_exp(expr, test, body, orelse),
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                let args = self.spread_args(args);
                self.lower_call(expr, func, &args, keywords)
            }
            ExprKind::Starred(_) => Err(unsupported(
                "`*` unpacking is only supported as a call argument",
                expr.span,
            )),
            ExprKind::Attribute { value, attr } => self.lower_attribute(expr, value, attr),
            ExprKind::List(items) => self.lower_list_literal(expr, items),
            ExprKind::Dict { keys, values } => self.lower_dict_literal(expr, keys, Some(values)),
            ExprKind::Set(items) => self.lower_dict_literal(expr, items, None),
            ExprKind::FString(parts) => self.lower_fstring(expr, parts),
            ExprKind::ListComp {
                elt,
                generators,
                value,
                ..
            } => self.lower_list_comp(expr, elt, value.as_deref(), generators),
            ExprKind::Subscript { value, index } => {
                if let Some(Resolution::JitCall { .. }) = self.typed.resolutions.get(&expr.id) {
                    // A jitclass's `__getitem__`.
                    let args = [(**value).clone(), (**index).clone()];
                    return self.lower_jit_call(expr, &args, &[]);
                }
                let base = self.lower_expr(value)?;
                if let PyValue::List(list, ty) = &base {
                    return self.lower_list_subscript(*list, ty, index, expr.span);
                }
                if let PyValue::Dict(d, ty) = &base {
                    return self.lower_dict_subscript(*d, ty, index, expr.span);
                }
                if let PyValue::Pointer(p, ty) = &base {
                    return self.lower_pointer_load(*p, ty, index, expr.span);
                }
                if let PyValue::Text(_) | PyValue::Str(_) = &base {
                    return self.lower_str_subscript(&base, index, expr.span);
                }
                let result_ty = self.type_of(expr)?;
                if self.is_mask_index(index)
                    && let Some(array) = super::array_fns::ArrayRef::of(&base)
                {
                    let mask = self.lower_expr(index)?;
                    let mask = super::array_fns::ArrayRef::of(&mask).expect("a mask array");
                    return self.lower_mask_select(&array, &mask, expr.span);
                }
                if let Some(array) = super::array_fns::ArrayRef::of(&base)
                    && self.is_fancy_index(index)
                {
                    return self.lower_fancy_select(&array, index, expr.span);
                }
                if let (Some(array), Type::Array { .. }) =
                    (super::array_fns::ArrayRef::of(&base), &result_ty)
                {
                    return self.lower_view(&array, index, &result_ty, expr.span);
                }
                self.load_subscript(&base, index, expr.span)
            }
            ExprKind::Slice { .. } => Err(unsupported("slices are not supported yet", expr.span)),
        }
    }

    pub(crate) fn lower_const(&mut self, c: &ConstValue) -> PyValue {
        match c {
            ConstValue::Bool(b) => PyValue::Scalar(self.b.bconst(*b), Scalar::Bool),
            ConstValue::Int(i) => PyValue::Scalar(self.b.iconst(Ty::I64, *i), Scalar::I64),
            ConstValue::Float(f) => PyValue::Scalar(self.b.fconst(Ty::F64, *f), Scalar::F64),
            ConstValue::Complex(re, im) => {
                let re = self.b.fconst(Ty::F64, *re);
                let im = self.b.fconst(Ty::F64, *im);
                PyValue::Complex(re, im, Scalar::C128)
            }
            ConstValue::Str(text) => PyValue::Str(text.clone()),
            ConstValue::Tuple(items) => {
                PyValue::Tuple(items.iter().map(|i| self.lower_const(i)).collect())
            }
            ConstValue::Array(array) => {
                // The frozen array's own descriptor, which never changes: the compiled
                // function keeps the array alive (the driver collects them); no owner.
                let address = array.descriptor_address(|array| {
                    let mut words = vec![array.data_address() as u64, 0];
                    words.extend(array.shape.iter().map(|&extent| extent as u64));
                    words.extend(array.strides().into_iter().map(|stride| stride as u64));
                    // `runtime::array`'s layout: data, owner, shape[n], strides[n].
                    let ndim = array.shape.len() as u32;
                    debug_assert_eq!(words.len() * 8, runtime::array::descriptor_size(ndim));
                    debug_assert_eq!(runtime::array::stride_offset(ndim, 0), 16 + 8 * ndim as i32);
                    words
                });
                let desc = self.b.iconst(Ty::Ptr, address as i64);
                PyValue::Array(desc, array.ty())
            }
        }
    }

    pub(crate) fn unary_op(
        &mut self,
        op: UnaryOp,
        v: PyValue,
        ty: &Type,
        span: frontend::Span,
    ) -> LResult<PyValue> {
        if op == UnaryOp::Not {
            let t = self.truthy(&v);
            return Ok(PyValue::Scalar(
                self.b.ins(Op::Not, &[t], Ty::Bool),
                Scalar::Bool,
            ));
        }
        let Some(s) = ty.as_scalar() else {
            return Err(unsupported(
                format!("bad operand type for unary operator: {ty}"),
                span,
            ));
        };
        let typing = typeinfer::rules::unaryop(op, s).map_err(|m| unsupported(m, span))?;
        let v = self.coerce(v, &Type::Scalar(typing.operands[0]));
        Ok(match (op, v) {
            (UnaryOp::Pos, v) => v,
            (UnaryOp::Neg, PyValue::Complex(re, im, s)) => {
                let re = self.b.unary(Op::Fneg, re);
                let im = self.b.unary(Op::Fneg, im);
                PyValue::Complex(re, im, s)
            }
            (UnaryOp::Neg, PyValue::Scalar(x, s)) if s.is_float() => {
                PyValue::Scalar(self.b.unary(Op::Fneg, x), s)
            }
            (UnaryOp::Neg, PyValue::Scalar(x, s)) => PyValue::Scalar(self.b.unary(Op::Ineg, x), s),
            (UnaryOp::Invert, PyValue::Scalar(x, s)) if s.is_int() => {
                PyValue::Scalar(self.b.unary(Op::Bnot, x), s)
            }
            _ => {
                return Err(unsupported(
                    format!("bad operand type for unary operator: {ty}"),
                    span,
                ));
            }
        })
    }

    /// `a and b`, `a or b`: Python returns the deciding operand, converted to the unified type.
    /// True if evaluating `e` can neither raise nor have an effect and costs a few
    /// instructions: numeric constants and variables, their negations, sums, differences and
    /// products, and comparisons of such. `and`, `or` and chained comparisons of these are
    /// computed whole, without branches (the branch of a short circuit costs more than the
    /// test it skips, and the loop stays one block for the vectorizer).
    pub(crate) fn is_cheap_and_pure(&self, e: &Expr) -> bool {
        let scalar = matches!(self.typed.expr_type(e.id), Some(Type::Scalar(s)) if !s.is_complex());
        scalar
            && match &e.kind {
                ExprKind::Name(_) | ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) => {
                    true
                }
                ExprKind::UnaryOp { operand, .. } => self.is_cheap_and_pure(operand),
                ExprKind::BinOp { op, left, right } => {
                    matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mult)
                        && self.is_cheap_and_pure(left)
                        && self.is_cheap_and_pure(right)
                }
                ExprKind::Compare {
                    left,
                    ops,
                    comparators,
                } => {
                    ops.iter().all(|op| {
                        !matches!(op, CmpOp::In | CmpOp::NotIn | CmpOp::Is | CmpOp::IsNot)
                    }) && self.is_cheap_and_pure(left)
                        && comparators.iter().all(|c| self.is_cheap_and_pure(c))
                }
                _ => false,
            }
    }

    fn lower_bool_op(&mut self, expr: &Expr, op: BoolOp, values: &[Expr]) -> LResult<PyValue> {
        let result_ty = self.type_of(expr)?;
        if result_ty == Type::Scalar(Scalar::Bool)
            && values.iter().all(|v| self.is_cheap_and_pure(v))
        {
            let mut acc = None;
            for operand in values {
                let v = self.lower_expr(operand)?;
                let t = self.truthy(&v);
                let logic = if op == BoolOp::And { Op::And } else { Op::Or };
                acc = Some(match acc {
                    None => t,
                    Some(a) => self.b.ins(logic, &[a, t], Ty::Bool),
                });
            }
            return Ok(PyValue::Scalar(
                acc.expect("two values or more"),
                Scalar::Bool,
            ));
        }
        let merge = self.create_block();
        let params: Vec<Value> = ir_types(&result_ty)
            .into_iter()
            .map(|t| self.b.append_block_param(merge, t))
            .collect();
        for (i, operand) in values.iter().enumerate() {
            let v = self.lower_expr(operand)?;
            let v = self.coerce(v, &result_ty);
            let flat = v.flat_values();
            if i + 1 == values.len() {
                self.jump(merge, &flat);
                break;
            }
            let t = self.truthy(&v);
            let next = self.create_block();
            let (then, els) = match op {
                BoolOp::And => (next, merge),
                BoolOp::Or => (merge, next),
            };
            let from = self.current_block();
            let (then_args, else_args) = match op {
                BoolOp::And => (vec![], flat),
                BoolOp::Or => (flat, vec![]),
            };
            self.b.brif(t, then, &then_args, els, &else_args);
            self.ssa.add_pred(then, from);
            self.ssa.add_pred(els, from);
            self.seal(next);
            self.switch_to(next);
        }
        self.seal(merge);
        self.switch_to(merge);
        Ok(PyValue::from_flat(&result_ty, &mut params.into_iter()))
    }

    fn lower_if_exp(
        &mut self,
        expr: &Expr,
        test: &Expr,
        body: &Expr,
        orelse: &Expr,
    ) -> LResult<PyValue> {
        let result_ty = self.type_of(expr)?;
        let cond = self.lower_expr(test)?;
        let cond = self.truthy(&cond);
        let then_block = self.create_block();
        let else_block = self.create_block();
        let merge = self.create_block();
        let params: Vec<Value> = ir_types(&result_ty)
            .into_iter()
            .map(|t| self.b.append_block_param(merge, t))
            .collect();
        self.brif(cond, then_block, else_block);
        self.seal(then_block);
        self.seal(else_block);
        for (block, arm) in [(then_block, body), (else_block, orelse)] {
            self.switch_to(block);
            let v = self.lower_expr(arm)?;
            let v = self.coerce(v, &result_ty);
            self.jump(merge, &v.flat_values());
        }
        self.seal(merge);
        self.switch_to(merge);
        Ok(PyValue::from_flat(&result_ty, &mut params.into_iter()))
    }

    fn lower_attribute(&mut self, expr: &Expr, value: &Expr, attr: &str) -> LResult<PyValue> {
        if let Some(field) = self.lower_instance_attribute(expr, value, attr)? {
            return Ok(field);
        }
        let base = self.lower_expr(value)?;
        match (&base, attr) {
            (PyValue::Array(desc, Type::Array { ndim, .. }), "shape") => {
                let dims = (0..*ndim as u32)
                    .map(|k| PyValue::Scalar(self.array_dim(*desc, k), Scalar::I64))
                    .collect();
                Ok(PyValue::Tuple(dims))
            }
            (PyValue::Array(desc, Type::Array { ndim, .. }), "size") => {
                let mut size = self.b.iconst(Ty::I64, 1);
                for k in 0..*ndim as u32 {
                    let d = self.array_dim(*desc, k);
                    size = self.b.binary(Op::Imul, size, d);
                }
                Ok(PyValue::Scalar(size, Scalar::I64))
            }
            (PyValue::Array(_, Type::Array { ndim, .. }), "ndim") => Ok(PyValue::Scalar(
                self.b.iconst(Ty::I64, *ndim as i64),
                Scalar::I64,
            )),
            (PyValue::Array(..), "T" | "real" | "imag") => {
                let array = super::array_fns::ArrayRef::of(&base).expect("array");
                let result_ty = self.type_of(expr)?;
                Ok(match attr {
                    "T" => self.transpose_view(&array, &result_ty),
                    _ => self.part_view(&array, attr == "imag", &result_ty, expr.span),
                })
            }
            (PyValue::Complex(re, _, s), "real") => Ok(PyValue::Scalar(*re, s.real_part())),
            (PyValue::Complex(_, im, s), "imag") => Ok(PyValue::Scalar(*im, s.real_part())),
            (PyValue::Scalar(..), "real") => Ok(base),
            (PyValue::Scalar(_, s), "imag") => {
                let zero = self.scalar_const(*s, 0.0);
                Ok(PyValue::Scalar(zero, *s))
            }
            _ => Err(unsupported(
                format!(
                    "attribute '{attr}' of {} is not supported",
                    self.type_of(value)?
                ),
                expr.span,
            )),
        }
    }
}

impl Lowerer<'_, '_> {
    /// `args` with every starred argument `*t` replaced by the items typing made for it
    /// (`t[0]`, ..., `t[n-1]`, see `Resolution::Spread`).
    fn spread_args<'e>(&self, args: &'e [Expr]) -> std::borrow::Cow<'e, [Expr]> {
        if !args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_))) {
            return std::borrow::Cow::Borrowed(args);
        }
        let mut out = Vec::with_capacity(args.len());
        for arg in args {
            match self.typed.resolutions.get(&arg.id) {
                Some(Resolution::Spread(items)) => out.extend(items.iter().cloned()),
                _ => out.push(arg.clone()),
            }
        }
        std::borrow::Cow::Owned(out)
    }
}
