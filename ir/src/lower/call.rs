//! Calls: scalar casts (`int`, `float`, `complex`, `np.float32`, …), built-in and `math`
//! functions (one arm per [`Intrinsic`]), `range`, and calls of other jitted functions.

use super::flatten::ir_types;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{BinOp, Expr, ExprKind, Keyword};
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::{ArgSource, Intrinsic, Resolution, Scalar, Type};

impl Lowerer<'_, '_> {
    pub(crate) fn lower_call(
        &mut self,
        expr: &Expr,
        func: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> LResult<PyValue> {
        if let Some(Resolution::ArrayCall(f)) = self.typed.resolutions.get(&expr.id) {
            return self.lower_array_call(expr, func, *f, args, keywords);
        }
        match (self.typed.resolutions.get(&expr.id), &func.kind) {
            (Some(Resolution::NewList), _) => return self.lower_new_list(expr, args),
            (Some(Resolution::SortedList), _) => return self.lower_sorted(expr, args),
            (Some(Resolution::StrOf), _) => return self.lower_str_call(expr, args),
            (Some(Resolution::CharCode(which)), _) => {
                let which = which.clone();
                let [arg] = args else {
                    return Err(unsupported("expected one argument", expr.span));
                };
                let value = self.lower_expr(arg)?;
                return match which.as_str() {
                    "ord" => self.lower_ord(&value, expr.span),
                    _ => self.lower_chr(value, expr.span),
                };
            }
            (Some(Resolution::ListMethod(method)), ExprKind::Attribute { value, .. }) => {
                let method = method.clone();
                if let Some(Type::Str) = self.typed.expr_type(value.id) {
                    return self.lower_str_method(expr, value, &method, args);
                }
                if matches!(
                    self.typed.expr_type(value.id),
                    Some(Type::Dict { .. } | Type::Set { .. })
                ) {
                    return self.lower_dict_method(expr, value, &method, args);
                }
                return self.lower_list_method(expr, value, &method, args);
            }
            (Some(Resolution::NewDict), _) => return self.lower_new_dict(expr, args),
            (Some(Resolution::NewObject { class, size }), _) => {
                let (class, size) = (*class, *size);
                let ty = self.type_of(expr)?;
                return Ok(self.lower_new_object(class, size, ty, expr.span));
            }
            _ => {}
        }
        let resolution = self.typed.resolutions.get(&expr.id).cloned();
        if let Some(Resolution::JitCall { .. }) = &resolution {
            // An `@overload_method` call `a.name(...)`: the receiver (an array value, where a
            // module attribute's base is not a value) is the first argument.
            if let ExprKind::Attribute { value, .. } = &func.kind
                && (matches!(self.typed.expr_type(value.id), Some(Type::Array { .. }))
                    || self.typed.resolutions.get(&func.id) == Some(&Resolution::ReceiverFirst))
            {
                let mut with_receiver = vec![(**value).clone()];
                with_receiver.extend(args.iter().cloned());
                return self.lower_jit_call(expr, &with_receiver, keywords);
            }
            return self.lower_jit_call(expr, args, keywords);
        }
        if let Some(k) = keywords.first() {
            return Err(unsupported(
                format!("keyword argument '{}' is not supported here", k.name),
                k.span,
            ));
        }
        let mut values = Vec::with_capacity(args.len() + 1);
        if let (Some(Resolution::Method(_)), ExprKind::Attribute { value, .. }) =
            (&resolution, &func.kind)
        {
            values.push((self.lower_expr(value)?, self.type_of(value)?));
        }
        for a in args {
            let ty = self.type_of(a)?;
            values.push((self.lower_expr(a)?, ty));
        }
        self.set_span(expr.span);
        match resolution {
            Some(Resolution::Cast(to)) => self.lower_cast(values, to, expr.span),
            Some(Resolution::Intrinsic(i) | Resolution::Method(i)) => {
                let result_ty = self.type_of(expr).unwrap_or(Type::NoneType);
                self.lower_intrinsic(i, values, &result_ty, expr.span)
            }
            _ => Err(unsupported("this call is not supported", expr.span)),
        }
    }

    /// A call of another jitted function: the written arguments are evaluated in order, then
    /// arranged by the call's binding (keywords, `*args` packed into a tuple), converted to the
    /// callee's parameter types, and followed by the captured variables of an inner function.
    pub(crate) fn lower_jit_call(
        &mut self,
        expr: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> LResult<PyValue> {
        let Some(Resolution::JitCall {
            callee,
            arg_types,
            ret,
            captures,
            binding,
        }) = self.typed.resolutions.get(&expr.id).cloned()
        else {
            return Err(unsupported("this call is not supported", expr.span));
        };
        let positional = args
            .iter()
            .map(|a| self.lower_expr(a))
            .collect::<LResult<Vec<_>>>()?;
        let by_keyword = keywords
            .iter()
            .map(|k| self.lower_expr(&k.value))
            .collect::<LResult<Vec<_>>>()?;
        self.set_span(expr.span);
        let mut values: Vec<PyValue> = binding
            .iter()
            .map(|source| match source {
                ArgSource::Positional(i) => positional[*i].clone(),
                ArgSource::Keyword(k) => by_keyword[*k].clone(),
                ArgSource::Packed(items) => {
                    PyValue::Tuple(items.iter().map(|&i| positional[i].clone()).collect())
                }
            })
            .collect();
        for name in &captures {
            values.push(self.read_var(name)?);
        }
        let symbol = (self.ctx.callee_symbol)(callee, &arg_types);
        let mut flat = Vec::new();
        for (v, ty) in values.into_iter().zip(&arg_types) {
            flat.extend(self.coerce(v, ty).flat_values());
        }
        let results = match self.try_scopes.is_empty() {
            true => self.b.call(&symbol, &flat, &ir_types(&ret)),
            // Its exceptions may be caught here: examined after the call.
            false => {
                let results = self.b.call_catching(&symbol, &flat, &ir_types(&ret));
                self.catch_from_slot();
                results
            }
        };
        Ok(PyValue::from_flat(&ret, &mut results.into_iter()))
    }

    fn lower_cast(
        &mut self,
        values: Vec<(PyValue, Type)>,
        to: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        if let [(text, Type::Str)] = values.as_slice() {
            return self.parse_str(text, to, span);
        }
        let mut values = values.into_iter();
        let Some((first, first_ty)) = values.next() else {
            let zero = self.scalar_const(to.real_part(), 0.0);
            return Ok(self.convert_scalar(zero, to.real_part(), to));
        };
        if to.is_complex() && first_ty.as_scalar().is_some_and(|s| s.is_complex()) {
            // `complex(z)` of a complex `z` (typing allows it only alone): a precision change.
            return Ok(self.coerce(first, &Type::Scalar(to)));
        }
        if to.is_complex() {
            let part = Type::Scalar(to.real_part());
            let re = self.coerce(first, &part);
            let im = match values.next() {
                Some((v, _)) => self.coerce(v, &part),
                None => PyValue::Scalar(self.scalar_const(to.real_part(), 0.0), to.real_part()),
            };
            return match (re, im) {
                (PyValue::Scalar(re, _), PyValue::Scalar(im, _)) => {
                    Ok(PyValue::Complex(re, im, to))
                }
                _ => Err(unsupported("complex() takes real arguments", span)),
            };
        }
        if to.is_bool() {
            return Ok(PyValue::Scalar(self.truthy(&first), Scalar::Bool));
        }
        if let (PyValue::Scalar(v, from), true) = (&first, to.is_int())
            && from.is_float()
        {
            self.check_float_to_int(*v, span);
        }
        Ok(self.coerce(first, &Type::Scalar(to)))
    }

    /// NumPy's `square`, `sign` and `clip`, computed in the result type (integers stay
    /// integers).
    fn lower_numpy_typed(
        &mut self,
        i: Intrinsic,
        values: Vec<(PyValue, Type)>,
        result: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        let rt = Type::Scalar(result);
        let mut xs = Vec::new();
        for (v, _) in values {
            xs.push(self.coerce(v, &rt));
        }
        if i == Intrinsic::Square {
            let x = xs.into_iter().next().expect("one argument");
            return self.binary_op(BinOp::Mult, x.clone(), &rt, x, &rt, span);
        }
        let reals: Vec<Value> = xs
            .iter()
            .map(|v| match v {
                PyValue::Scalar(x, _) => Ok(*x),
                _ => Err(unsupported(
                    format!("{}() of complex numbers", i.name()),
                    span,
                )),
            })
            .collect::<LResult<_>>()?;
        let x = reals[0];
        let v = if i == Intrinsic::Sign {
            let zero = self.scalar_const(result, 0.0);
            let one = self.scalar_const(result, 1.0);
            if result.is_float() {
                let minus_one = self.scalar_const(result, -1.0);
                let pos = self.b.fcmp(FloatCC::Gt, x, zero);
                let neg = self.b.fcmp(FloatCC::Lt, x, zero);
                let is_zero = self.b.fcmp(FloatCC::Eq, x, zero);
                // Zeros (either sign) give +0.0; NaN gives itself.
                let v = self.b.select(is_zero, zero, x);
                let v = self.b.select(neg, minus_one, v);
                self.b.select(pos, one, v)
            } else {
                let pos = self.int_cmp(IntCC::Sgt, x, zero, result);
                let v = if result.is_unsigned_int() {
                    zero
                } else {
                    let minus_one = self.b.iconst(self.b.ty(x), -1);
                    let neg = self.int_cmp(IntCC::Slt, x, zero, result);
                    self.b.select(neg, minus_one, zero)
                };
                self.b.select(pos, one, v)
            }
        } else {
            // clip: min(max(x, lo), hi), NaN propagating as NumPy's.
            let (lo, hi) = (reals[1], reals[2]);
            if result.is_float() {
                // NumPy keeps `x` wherever the comparisons do (`x >= lo`, then `<= hi`): a
                // zero bound leaves a zero of the other sign as it is; a NaN `x` stays, and a
                // NaN bound replaces `x` (no comparison with it holds). As selects, the
                // vectorizer's form of `np.maximum`/`np.minimum`.
                let m = self.keep_within(x, lo, FloatCC::Ge);
                self.keep_within(m, hi, FloatCC::Le)
            } else if result.is_unsigned_int() {
                let m = self.b.binary(Op::Umax, x, lo);
                self.b.binary(Op::Umin, m, hi)
            } else {
                let m = self.b.binary(Op::Smax, x, lo);
                self.b.binary(Op::Smin, m, hi)
            }
        };
        Ok(PyValue::Scalar(v, result))
    }

    /// `int(x)` of a NaN or infinite float raises, as in Python. One test on the hot path:
    /// `x - x` is 0 exactly when `x` is finite (`inf - inf` and NaN give NaN), so `x` is not
    /// finite when the difference is NaN (`d != d`: one unordered comparison, no constant);
    /// which error it is gets decided out of line.
    fn check_float_to_int(&mut self, v: Value, span: Span) {
        let difference = self.b.binary(Op::Fsub, v, v);
        let not_finite = self.is_nan(difference);
        let cold = self.create_block();
        let finite = self.create_block();
        self.brif(not_finite, cold, finite);
        self.seal(cold);
        self.switch_to(cold);
        let nan = self.is_nan(v);
        self.raise_if(
            nan,
            ExceptionKind::ValueError,
            "cannot convert float NaN to integer",
            span,
            &[],
        );
        let infinite = self.b.bconst(true);
        self.raise_if(
            infinite,
            ExceptionKind::OverflowError,
            "cannot convert float infinity to integer",
            span,
            &[],
        );
        self.jump(finite, &[]);
        self.seal(finite);
        self.switch_to(finite);
    }

    pub(crate) fn lower_intrinsic(
        &mut self,
        i: Intrinsic,
        values: Vec<(PyValue, Type)>,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        use Intrinsic::*;
        if matches!(i, Range | Prange) {
            return self.lower_range(values, i == Prange, span);
        }
        if i == Len {
            return match values.first() {
                Some((PyValue::Array(desc, _), _)) => {
                    Ok(PyValue::Scalar(self.array_dim(*desc, 0), Scalar::I64))
                }
                Some((PyValue::List(list, _), _)) => {
                    Ok(PyValue::Scalar(self.list_len(*list), Scalar::I64))
                }
                Some((PyValue::Dict(d, _), _)) => {
                    Ok(PyValue::Scalar(self.dict_len(*d), Scalar::I64))
                }
                Some((v @ (PyValue::Text(_) | PyValue::Str(_)), _)) => {
                    let v = v.clone();
                    Ok(PyValue::Scalar(self.str_len(&v), Scalar::I64))
                }
                Some((PyValue::Tuple(items), _)) => Ok(PyValue::Scalar(
                    self.b.iconst(Ty::I64, items.len() as i64),
                    Scalar::I64,
                )),
                _ => Err(unsupported("len() of this value is not supported", span)),
            };
        }
        if let Some(v) = self.lower_library_intrinsic(i, &values, result_ty, span)? {
            return Ok(v);
        }
        if matches!(i, Pow) && values.len() == 2 {
            let mut it = values.into_iter();
            let (a, at) = it.next().expect("two args");
            let (b, bt) = it.next().expect("two args");
            return self.binary_op(BinOp::Pow, a, &at, b, &bt, span);
        }
        let Some(result) = result_ty.as_scalar() else {
            return Err(unsupported(
                format!("{}() on these arguments is not supported", i.name()),
                span,
            ));
        };
        let v = match i {
            Min | Max => self.lower_min_max(i == Min, values, span)?,
            Minimum | Maximum => self.lower_numpy_extreme(i == Minimum, values, span)?,
            Abs | Absolute => {
                let (v, _) = values
                    .into_iter()
                    .next()
                    .ok_or_else(|| unsupported("abs() takes one argument", span))?;
                self.lower_abs(v, i == Absolute)
            }
            Round => self.lower_round(values, result, span)?,
            Square | Sign | Clip => self.lower_numpy_typed(i, values, result, span)?,
            _ => self.lower_math(i, values, span)?,
        };
        Ok(self.coerce(v, result_ty))
    }

    fn lower_range(
        &mut self,
        values: Vec<(PyValue, Type)>,
        parallel: bool,
        span: Span,
    ) -> LResult<PyValue> {
        let mut ints = Vec::new();
        for (v, _) in values {
            match v {
                PyValue::Scalar(x, s) if s.is_int() || s.is_bool() => {
                    ints.push(self.cast_real(x, s, Scalar::I64))
                }
                _ => return Err(unsupported("range() arguments must be integers", span)),
            }
        }
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let (start, stop, step) = match ints.as_slice() {
            [stop] => (zero, *stop, one),
            [start, stop] => (*start, *stop, one),
            [start, stop, step] => (*start, *stop, *step),
            _ => return Err(unsupported("range() takes 1 to 3 arguments", span)),
        };
        let step_const = self.constant_value(step);
        if step_const.is_none() {
            let is_zero = self.b.icmp(IntCC::Eq, step, zero);
            self.raise_if(
                is_zero,
                ExceptionKind::ValueError,
                "range() arg 3 must not be zero",
                span,
                &[],
            );
        } else if step_const == Some(0) {
            let t = self.b.bconst(true);
            self.raise_if(
                t,
                ExceptionKind::ValueError,
                "range() arg 3 must not be zero",
                span,
                &[],
            );
        }
        Ok(PyValue::Range {
            start,
            stop,
            step,
            step_const,
            parallel,
        })
    }

    /// The immediate of an `iconst`, if `v` is one (used to specialise loops on the step sign).
    pub(crate) fn constant_value(&self, v: Value) -> Option<i64> {
        let crate::function::ValueDef::Result(inst, _) = self.b.func.value_def(v) else {
            return None;
        };
        match self.b.func.inst(inst).op {
            Op::Iconst(c) => Some(c),
            _ => None,
        }
    }

    fn lower_min_max(
        &mut self,
        is_min: bool,
        values: Vec<(PyValue, Type)>,
        span: Span,
    ) -> LResult<PyValue> {
        if values.len() < 2 {
            return Err(unsupported(
                "min()/max() of a single iterable is not supported yet; pass two or more numbers",
                span,
            ));
        }
        let target = values.iter().try_fold(None, |acc: Option<Scalar>, (_, t)| {
            let s = t.as_scalar()?;
            Some(Some(acc.map_or(s, |a| typeinfer::rules::promote(a, s))))
        });
        let target = target.flatten();
        let Some(target) = target else {
            return Err(unsupported("min()/max() arguments must be numbers", span));
        };
        let mut acc: Option<PyValue> = None;
        for (v, _) in values {
            let v = self.coerce(v, &Type::Scalar(target));
            acc = Some(match acc {
                None => v,
                Some(PyValue::Scalar(a, s)) => {
                    let PyValue::Scalar(b, _) = v else {
                        unreachable!("same scalar type")
                    };
                    // Python keeps the first extreme: replace only if strictly better.
                    let better = if s.is_float() {
                        self.b
                            .fcmp(if is_min { FloatCC::Lt } else { FloatCC::Gt }, b, a)
                    } else {
                        self.int_cmp(if is_min { IntCC::Slt } else { IntCC::Sgt }, b, a, s)
                    };
                    PyValue::Scalar(self.b.select(better, b, a), s)
                }
                Some(_) => return Err(unsupported("min()/max() of complex numbers", span)),
            });
        }
        Ok(acc.expect("at least two values"))
    }

    /// `np.minimum(a, b)`/`np.maximum(a, b)` on numbers: `a` when it is strictly beyond `b`
    /// or NaN, else `b` (NumPy's scalar loop: NaN from either side, the second operand on
    /// ties).
    fn lower_numpy_extreme(
        &mut self,
        is_min: bool,
        values: Vec<(PyValue, Type)>,
        span: Span,
    ) -> LResult<PyValue> {
        let [(a, ta), (b, tb)] = <[(PyValue, Type); 2]>::try_from(values)
            .map_err(|_| unsupported("minimum()/maximum() take two arguments", span))?;
        let (Some(sa), Some(sb)) = (ta.as_scalar(), tb.as_scalar()) else {
            return Err(unsupported(
                "minimum()/maximum() arguments must be numbers",
                span,
            ));
        };
        let target = typeinfer::rules::promote(sa, sb);
        let (PyValue::Scalar(a, s), PyValue::Scalar(b, _)) = (
            self.coerce(a, &Type::Scalar(target)),
            self.coerce(b, &Type::Scalar(target)),
        ) else {
            return Err(unsupported("minimum()/maximum() of complex numbers", span));
        };
        Ok(PyValue::Scalar(self.numpy_extreme(is_min, a, b, s), s))
    }

    /// `np.minimum(a, b)` (`is_min`) or `np.maximum(a, b)` of two values of type `s`.
    pub(crate) fn numpy_extreme(&mut self, is_min: bool, a: Value, b: Value, s: Scalar) -> Value {
        let pick_a = if s.is_float() {
            let beyond = self
                .b
                .fcmp(if is_min { FloatCC::Lt } else { FloatCC::Gt }, a, b);
            let nan = self.b.fcmp(FloatCC::Ne, a, a);
            self.b.binary(Op::Or, beyond, nan)
        } else {
            self.int_cmp(if is_min { IntCC::Slt } else { IntCC::Sgt }, a, b, s)
        };
        self.b.select(pick_a, a, b)
    }

    /// `x` where `x cc bound` holds or `x` is NaN, else `bound`: one side of NumPy's `clip`.
    fn keep_within(&mut self, x: Value, bound: Value, cc: FloatCC) -> Value {
        let within = self.b.fcmp(cc, x, bound);
        let nan = self.b.fcmp(FloatCC::Ne, x, x);
        let keep = self.b.binary(Op::Or, within, nan);
        self.b.select(keep, x, bound)
    }

    /// `abs(v)`; `numpy`: NumPy's `absolute`, whose complex modulus is its own formula
    /// ([`Self::numpy_modulus`]) rather than Python's `hypot`.
    fn lower_abs(&mut self, v: PyValue, numpy: bool) -> PyValue {
        match v {
            PyValue::Complex(re, im, s) if numpy => {
                PyValue::Scalar(self.numpy_modulus(re, im), s.real_part())
            }
            PyValue::Complex(re, im, s) => {
                let f64_re = self.cast_real(re, s.real_part(), Scalar::F64);
                let f64_im = self.cast_real(im, s.real_part(), Scalar::F64);
                let h = self.b.call_runtime(RuntimeFn::Hypot, &[f64_re, f64_im]);
                PyValue::Scalar(h, Scalar::F64)
            }
            PyValue::Scalar(x, s) if s.is_float() => PyValue::Scalar(self.b.unary(Op::Fabs, x), s),
            PyValue::Scalar(x, s) if s.is_signed_int() => {
                let zero = self.b.iconst(self.b.ty(x), 0);
                let negative = self.b.icmp(IntCC::Slt, x, zero);
                let negated = self.b.unary(Op::Ineg, x);
                PyValue::Scalar(self.b.select(negative, negated, x), s)
            }
            other => other,
        }
    }

    /// `|re + im*j|` as NumPy's vectorised `absolute` loop computes it, in the parts' own
    /// type: infinities first (an infinite part makes the other infinite), then NaNs (a NaN
    /// part makes both NaN), then `larger * sqrt(fma(r, r, 1))` with `r = smaller / larger`
    /// (0 where `larger` is 0 or `smaller` infinite).
    fn numpy_modulus(&mut self, re: Value, im: Value) -> Value {
        let b = &mut self.b;
        let ty = b.ty(re);
        let re = b.unary(Op::Fabs, re);
        let im = b.unary(Op::Fabs, im);
        let inf = b.fconst(ty, f64::INFINITY);
        let nan = b.fconst(ty, f64::NAN);
        let re_inf = b.fcmp(FloatCC::Eq, re, inf);
        let im_inf = b.fcmp(FloatCC::Eq, im, inf);
        let im = b.select(re_inf, inf, im);
        let re = b.select(im_inf, inf, re);
        let re_nan = b.fcmp(FloatCC::Ne, re, re);
        let im_nan = b.fcmp(FloatCC::Ne, im, im);
        let im = b.select(re_nan, nan, im);
        let re = b.select(im_nan, nan, re);
        let re_larger = b.fcmp(FloatCC::Gt, re, im);
        let larger = b.select(re_larger, re, im);
        let smaller = b.select(re_larger, im, re);
        let zero = b.fconst(ty, 0.0);
        let one = b.fconst(ty, 1.0);
        let larger_zero = b.fcmp(FloatCC::Eq, larger, zero);
        let smaller_inf = b.fcmp(FloatCC::Eq, smaller, inf);
        let no_ratio = b.binary(Op::Or, larger_zero, smaller_inf);
        let quotient = b.binary(Op::Fdiv, smaller, larger);
        let ratio = b.select(no_ratio, zero, quotient);
        let squared = b.ins(Op::Fma, &[ratio, ratio, one], ty);
        let root = b.unary(Op::Sqrt, squared);
        b.binary(Op::Fmul, root, larger)
    }

    fn lower_round(
        &mut self,
        values: Vec<(PyValue, Type)>,
        result: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        let mut it = values.into_iter();
        let Some((x, _)) = it.next() else {
            return Err(unsupported("round() needs an argument", span));
        };
        let PyValue::Scalar(x, s) = x else {
            return Err(unsupported("round() of this value", span));
        };
        if !s.is_float() {
            return Ok(match it.next() {
                Some((PyValue::Scalar(n, ns), _)) => {
                    let x = self.cast_real(x, s, Scalar::I64);
                    let n = self.cast_real(n, ns, Scalar::I64);
                    PyValue::Scalar(self.round_int(x, n), Scalar::I64)
                }
                _ => PyValue::Scalar(x, s),
            });
        }
        match it.next() {
            None => {
                let r = self.b.unary(Op::Nearest, x);
                self.check_float_to_int(r, span);
                Ok(PyValue::Scalar(r, s))
            }
            Some((ndigits, _)) => {
                // Numba's approach: scale, round half to even, scale back.
                let PyValue::Scalar(n, ns) = ndigits else {
                    return Err(unsupported("round() digits must be an integer", span));
                };
                let n = self.cast_real(n, ns, Scalar::I64);
                let x64 = self.cast_real(x, s, Scalar::F64);
                let ten = self.b.fconst(Ty::F64, 10.0);
                let nf = self.b.convert(Op::SToF, n, Ty::F64);
                let p = self.b.call_runtime(RuntimeFn::Pow, &[ten, nf]);
                let scaled = self.b.binary(Op::Fmul, x64, p);
                let r = self.b.unary(Op::Nearest, scaled);
                let back = self.b.binary(Op::Fdiv, r, p);
                let _ = result;
                Ok(PyValue::Scalar(back, Scalar::F64))
            }
        }
    }

    /// `math` functions on real arguments.
    fn lower_math(
        &mut self,
        i: Intrinsic,
        values: Vec<(PyValue, Type)>,
        span: Span,
    ) -> LResult<PyValue> {
        use Intrinsic::*;
        let mut args = Vec::new();
        for (v, _) in &values {
            match v {
                PyValue::Scalar(x, s) => args.push((*x, *s)),
                _ => {
                    return Err(unsupported(
                        format!("math.{}() of a non-real value", i.name()),
                        span,
                    ));
                }
            }
        }
        let Some(&(x, s)) = args.first() else {
            return Err(unsupported(
                format!("{}() needs an argument", i.name()),
                span,
            ));
        };
        // Integer-valued functions of integers are the identity.
        if matches!(i, Floor | Ceil | Trunc) && !s.is_float() {
            return Ok(PyValue::Scalar(x, s));
        }
        if matches!(i, IsNan | IsInf) && !s.is_float() {
            return Ok(PyValue::Scalar(self.b.bconst(false), Scalar::Bool));
        }
        if i == IsFinite && !s.is_float() {
            return Ok(PyValue::Scalar(self.b.bconst(true), Scalar::Bool));
        }
        // Compute in the float type of the first argument (f32 stays f32, ints become f64).
        let fs = if s == Scalar::F32 {
            Scalar::F32
        } else {
            Scalar::F64
        };
        let fargs: Vec<Value> = args
            .iter()
            .map(|&(v, s)| self.cast_real(v, s, fs))
            .collect();
        let x = fargs[0];
        let fty = self.b.ty(x);
        let float = |v| PyValue::Scalar(v, fs);
        let v = match i {
            Sqrt => float(self.b.unary(Op::Sqrt, x)),
            Fabs => float(self.b.unary(Op::Fabs, x)),
            Floor | NpFloor => float(self.b.unary(Op::Floor, x)),
            NpCeil => float(self.b.unary(Op::Ceil, x)),
            NpTrunc => float(self.b.unary(Op::Trunc, x)),
            Rint => float(self.b.unary(Op::Nearest, x)),
            Ceil => float(self.b.unary(Op::Ceil, x)),
            Trunc => float(self.b.unary(Op::Trunc, x)),
            Copysign => float(
                self.b
                    .binary(Op::Copysign, x, self.second(&fargs, i, span)?),
            ),
            IsNan => PyValue::Scalar(self.is_nan(x), Scalar::Bool),
            LogicalNot => {
                let zero = self.b.fconst(fty, 0.0);
                PyValue::Scalar(self.b.fcmp(FloatCC::Eq, x, zero), Scalar::Bool)
            }
            LogicalAnd | LogicalOr | LogicalXor => {
                // Truth values as NumPy takes them: nonzero, NaN included (`ne` is unordered).
                let zero = self.b.fconst(fty, 0.0);
                let a = self.b.fcmp(FloatCC::Ne, x, zero);
                let y = self.second(&fargs, i, span)?;
                let b = self.b.fcmp(FloatCC::Ne, y, zero);
                let either = self.b.ins(Op::Or, &[a, b], Ty::Bool);
                let both = self.b.ins(Op::And, &[a, b], Ty::Bool);
                let v = match i {
                    LogicalAnd => both,
                    LogicalOr => either,
                    _ => {
                        let not_both = self.b.ins(Op::Not, &[both], Ty::Bool);
                        self.b.ins(Op::And, &[either, not_both], Ty::Bool)
                    }
                };
                PyValue::Scalar(v, Scalar::Bool)
            }
            Signbit => {
                // The sign bit moved onto 1.0: negative exactly when x's sign bit is set.
                let one = self.b.fconst(fty, 1.0);
                let signed = self.b.binary(Op::Copysign, one, x);
                let zero = self.b.fconst(fty, 0.0);
                PyValue::Scalar(self.b.fcmp(FloatCC::Lt, signed, zero), Scalar::Bool)
            }
            IsInf | IsFinite => {
                let abs = self.b.unary(Op::Fabs, x);
                let inf = self.b.fconst(fty, f64::INFINITY);
                let cc = if i == IsInf { FloatCC::Eq } else { FloatCC::Lt };
                PyValue::Scalar(self.b.fcmp(cc, abs, inf), Scalar::Bool)
            }
            Degrees | Radians => {
                // CPython: radians(x) = x * (pi/180); degrees(x) = x * (180/pi), one rounding
                // of a constant each (dividing by pi/180 differs in the last bit).
                let x64 = self.cast_real(x, fs, Scalar::F64);
                let k = if i == Radians {
                    std::f64::consts::PI / 180.0
                } else {
                    180.0 / std::f64::consts::PI
                };
                let k = self.b.fconst(Ty::F64, k);
                PyValue::Scalar(self.b.binary(Op::Fmul, x64, k), Scalar::F64)
            }
            Log if fargs.len() == 2 => {
                let x64 = self.cast_real(x, fs, Scalar::F64);
                let base = self.cast_real(fargs[1], fs, Scalar::F64);
                let lx = self.b.call_runtime(RuntimeFn::Log, &[x64]);
                let lb = self.b.call_runtime(RuntimeFn::Log, &[base]);
                PyValue::Scalar(self.b.binary(Op::Fdiv, lx, lb), Scalar::F64)
            }
            _ => {
                let Some((f64_fn, f32_fn)) = runtime_math(i) else {
                    return Err(unsupported(
                        format!("{}() is not supported here", i.name()),
                        span,
                    ));
                };
                match (fs, f32_fn) {
                    (Scalar::F32, Some(f)) => float(self.b.call_runtime(f, &fargs)),
                    _ => {
                        let wide: Vec<Value> = fargs
                            .iter()
                            .map(|&a| self.cast_real(a, fs, Scalar::F64))
                            .collect();
                        PyValue::Scalar(self.b.call_runtime(f64_fn, &wide), Scalar::F64)
                    }
                }
            }
        };
        Ok(v)
    }

    fn second(&self, args: &[Value], i: Intrinsic, span: Span) -> LResult<Value> {
        args.get(1)
            .copied()
            .ok_or_else(|| unsupported(format!("{}() takes two arguments", i.name()), span))
    }
}

/// The runtime functions implementing an intrinsic: the f64 one and an f32 one if it exists.
fn runtime_math(i: Intrinsic) -> Option<(RuntimeFn, Option<RuntimeFn>)> {
    use Intrinsic::*;
    use RuntimeFn as R;
    Some(match i {
        Sin => (R::Sin, Some(R::SinF32)),
        Cos => (R::Cos, Some(R::CosF32)),
        Tan => (R::Tan, Some(R::TanF32)),
        Exp => (R::Exp, Some(R::ExpF32)),
        Log => (R::Log, Some(R::LogF32)),
        MathPow => (R::Pow, Some(R::PowF32)),
        Asin => (R::Asin, None),
        Acos => (R::Acos, None),
        Atan => (R::Atan, None),
        Atan2 => (R::Atan2, None),
        Sinh => (R::Sinh, None),
        Cosh => (R::Cosh, None),
        Tanh => (R::Tanh, None),
        Asinh => (R::Asinh, None),
        Acosh => (R::Acosh, None),
        Atanh => (R::Atanh, None),
        Expm1 => (R::Expm1, None),
        Log1p => (R::Log1p, None),
        Log10 => (R::Log10, None),
        Log2 => (R::Log2, None),
        Hypot => (R::Hypot, None),
        Fmod => (R::Fmod, None),
        Erf => (R::Erf, None),
        Erfc => (R::Erfc, None),
        Gamma => (R::Gamma, None),
        Lgamma => (R::Lgamma, None),
        Exp2 => (R::Exp2, None),
        Cbrt => (R::Cbrt, None),
        Nextafter => (R::Nextafter, None),
        Remainder => (R::Remainder, None),
        _ => return None,
    })
}
