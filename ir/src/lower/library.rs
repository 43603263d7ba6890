//! The scalar library and iteration: `math`/`cmath` functions that are more than one runtime
//! call, `divmod`, `x.conjugate()`, `print`, `sum`/`min`/`max` of an iterable, `for` over
//! tuples, `enumerate` and `zip`, and tuple indexing, concatenation and comparison.
//!
//! Iterables are lowered to a [`Seq`]: a length and a way to produce the item at an index, so
//! that `enumerate`, `zip`, `sum`, `min`/`max` and `for` over tuples share one loop
//! ([`Lowerer::index_loop`]). Plain `for` over a `range` or a 1-D array keeps its own loop in
//! `control.rs`, which steps the range directly.

use super::ssa::VarId;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{BinOp, CmpOp, Expr, ExprKind};
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::{CmathFn, Intrinsic, Resolution, Scalar, Type};

/// An iterable, ready to be indexed.
pub(crate) enum Seq {
    /// `range`: item `i` is `start + i * step`.
    Range {
        start: Value,
        step: Value,
        len: Value,
    },
    /// A 1-D array.
    Array {
        desc: Value,
        ty: Type,
    },
    /// A tuple whose items were converted to one type.
    Tuple(Vec<PyValue>),
    Enumerate {
        start: Value,
        inner: Box<Seq>,
    },
    Zip(Vec<Seq>),
    /// A list (its length is read when the loop starts).
    List {
        list: Value,
        item: Type,
    },
    /// The characters of a string.
    Str {
        s: Value,
    },
    /// The keys of a dict (or items of a set), compacted when the loop starts.
    Dict {
        d: Value,
        key: Type,
        value: Type,
        what: super::dicts::DictPart,
    },
}

/// The element type of an iterable of type `ty` (typeinfer has checked it is iterable).
fn element_type(ty: &Type) -> Option<Type> {
    match ty {
        Type::Range => Some(Type::I64),
        Type::Array { dtype, ndim: 1, .. } => Some(Type::Scalar(*dtype)),
        Type::Array {
            dtype,
            ndim,
            layout,
            ..
        } => Some(super::array::row_type(*dtype, *ndim, *layout)),
        Type::List { item, .. } => Some((**item).clone()),
        Type::Str => Some(Type::Str),
        Type::Dict { key, .. } | Type::Set { item: key } => Some((**key).clone()),
        Type::Tuple(items) => {
            let mut items = items.iter();
            let first = items.next()?.clone();
            items.try_fold(first, |acc, t| typeinfer::rules::unify(&acc, t))
        }
        _ => None,
    }
}

impl Lowerer<'_, '_> {
    /// The iterable `iter` of a `for`, including `enumerate(...)` and `zip(...)` calls.
    pub(crate) fn lower_seq(&mut self, iter: &Expr) -> LResult<Seq> {
        if let (
            Some(Resolution::Intrinsic(i @ (Intrinsic::Enumerate | Intrinsic::Zip))),
            ExprKind::Call { args, .. },
        ) = (self.typed.resolutions.get(&iter.id).cloned(), &iter.kind)
        {
            if i == Intrinsic::Zip {
                let seqs = args
                    .iter()
                    .map(|a| self.lower_seq(a))
                    .collect::<LResult<_>>()?;
                return Ok(Seq::Zip(seqs));
            }
            let inner = Box::new(self.lower_seq(&args[0])?);
            let start = match args.get(1) {
                Some(start) => match self.lower_expr(start)? {
                    PyValue::Scalar(v, s) => self.cast_real(v, s, Scalar::I64),
                    _ => {
                        return Err(unsupported(
                            "enumerate() start must be an integer",
                            start.span,
                        ));
                    }
                },
                None => self.b.iconst(Ty::I64, 0),
            };
            return Ok(Seq::Enumerate { start, inner });
        }
        let ty = self.type_of(iter)?;
        let value = self.lower_expr(iter)?;
        self.seq_of(value, &ty, iter.span)
    }

    /// The [`Seq`] of an already lowered iterable `value` of type `ty`.
    pub(crate) fn seq_of(&mut self, value: PyValue, ty: &Type, span: Span) -> LResult<Seq> {
        match value {
            PyValue::Range {
                start,
                stop,
                step,
                step_const,
                ..
            } => {
                let len = self.range_len(start, stop, step, step_const);
                Ok(Seq::Range { start, step, len })
            }
            PyValue::Array(desc, ty @ Type::Array { .. }) => Ok(Seq::Array { desc, ty }),
            PyValue::Tuple(items) if items.is_empty() => Ok(Seq::Tuple(Vec::new())),
            v @ (PyValue::Text(_) | PyValue::Str(_)) => self.str_seq(&v, span),
            PyValue::Dict(d, ty) => Ok(self.dict_seq(d, &ty)),
            PyValue::List(list, ty) => Ok(Seq::List {
                list,
                item: ty.list_item().cloned().unwrap_or(Type::Unknown),
            }),
            PyValue::Tuple(items) => {
                let element = element_type(ty)
                    .ok_or_else(|| unsupported("cannot iterate over this tuple", span))?;
                let items = items
                    .into_iter()
                    .map(|i| self.coerce(i, &element))
                    .collect();
                Ok(Seq::Tuple(items))
            }
            _ => Err(unsupported(
                format!("cannot iterate over a value of type {ty}"),
                span,
            )),
        }
    }

    /// `len(range(start, stop, step))`, computed without overflow.
    pub(crate) fn range_len(
        &mut self,
        start: Value,
        stop: Value,
        step: Value,
        step_const: Option<i64>,
    ) -> Value {
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        // For a positive step: start < stop ? (stop - start - 1) / step + 1 : 0, in unsigned
        // arithmetic (the distance may exceed i64::MAX); mirrored for a negative step.
        let count = |this: &mut Self, lo: Value, hi: Value, step: Value| {
            let nonempty = this.b.icmp(IntCC::Slt, lo, hi);
            let distance = this.b.binary(Op::Isub, hi, lo);
            let distance = this.b.binary(Op::Isub, distance, one);
            let q = this.b.binary(Op::Udiv, distance, step);
            let n = this.b.binary(Op::Iadd, q, one);
            this.b.select(nonempty, n, zero)
        };
        let neg_step = self.b.unary(Op::Ineg, step);
        match step_const {
            Some(s) if s > 0 => count(self, start, stop, step),
            Some(_) => count(self, stop, start, neg_step),
            None => {
                // The step is checked to be nonzero; divide by 1 on the branch not taken.
                let up = self.b.icmp(IntCC::Sgt, step, zero);
                let up_step = self.b.select(up, step, one);
                let down_step = self.b.select(up, one, neg_step);
                let n_up = count(self, start, stop, up_step);
                let n_down = count(self, stop, start, down_step);
                self.b.select(up, n_up, n_down)
            }
        }
    }

    pub(crate) fn seq_len(&mut self, seq: &Seq) -> Value {
        match seq {
            Seq::Range { len, .. } => *len,
            Seq::Array { desc, .. } => self.array_dim(*desc, 0),
            Seq::Tuple(items) => self.b.iconst(Ty::I64, items.len() as i64),
            Seq::List { list, .. } => self.list_len(*list),
            Seq::Str { s } => self.str_len(&PyValue::Text(*s)),
            Seq::Dict { d, .. } => self.dict_len(*d),
            Seq::Enumerate { inner, .. } => self.seq_len(inner),
            Seq::Zip(seqs) => {
                let mut lens = seqs.iter().map(|s| self.seq_len(s)).collect::<Vec<_>>();
                let first = lens.remove(0);
                lens.into_iter()
                    .fold(first, |acc, l| self.b.binary(Op::Smin, acc, l))
            }
        }
    }

    /// The item at index `i` (`0 <= i < len`).
    pub(crate) fn seq_item(&mut self, seq: &Seq, i: Value) -> PyValue {
        match seq {
            Seq::Range { start, step, .. } => {
                let offset = self.b.binary(Op::Imul, i, *step);
                PyValue::Scalar(self.b.binary(Op::Iadd, *start, offset), Scalar::I64)
            }
            Seq::Array { desc, ty } => self.load_array_item(*desc, ty, i),
            Seq::Tuple(items) => self.select_item(items, i),
            Seq::List { list, item } => self.load_list_item(*list, item, i),
            Seq::Str { s } => self.str_char(*s, i),
            Seq::Dict {
                d,
                key,
                value,
                what,
            } => self.dict_entry(*d, key, value, *what, i),
            Seq::Enumerate { start, inner } => {
                let count = PyValue::Scalar(self.b.binary(Op::Iadd, *start, i), Scalar::I64);
                PyValue::Tuple(vec![count, self.seq_item(inner, i)])
            }
            Seq::Zip(seqs) => PyValue::Tuple(seqs.iter().map(|s| self.seq_item(s, i)).collect()),
        }
    }

    /// `items[i]` for items of one type and `0 <= i < len`: a chain of selects.
    pub(crate) fn select_item(&mut self, items: &[PyValue], i: Value) -> PyValue {
        if items.is_empty() {
            // The loop over an empty tuple never runs; typing gave its variable int64.
            return PyValue::Scalar(self.b.iconst(Ty::I64, 0), Scalar::I64);
        }
        let mut acc = items[0].flat_values();
        for (k, item) in items.iter().enumerate().skip(1) {
            let kv = self.b.iconst(Ty::I64, k as i64);
            let hit = self.b.icmp(IntCC::Eq, i, kv);
            for (a, v) in acc.iter_mut().zip(item.flat_values()) {
                *a = self.b.select(hit, v, *a);
            }
        }
        items[0].with_flat(&mut acc.into_iter())
    }

    /// Runs `body(i)` for `i` in `0..n`, as a loop that `break` and `continue` in `body` leave
    /// and advance.
    pub(crate) fn index_loop(
        &mut self,
        n: Value,
        mut body: impl FnMut(&mut Self, Value) -> LResult<()>,
    ) -> LResult<()> {
        self.counted_loop(n, &mut body)
    }

    /// `for target in seq: body`.
    pub(crate) fn lower_seq_for(
        &mut self,
        target: &Expr,
        seq: Seq,
        body: &[frontend::ast::Stmt],
    ) -> LResult<()> {
        let n = self.seq_len(&seq);
        self.index_loop(n, |this, i| {
            let item = this.seq_item(&seq, i);
            this.assign(target, item)?;
            this.lower_body(body)
        })
    }

    /// Hidden SSA variables holding a value shaped like `value`, initialised to it.
    fn hidden_var(&mut self, value: &PyValue) -> Vec<VarId> {
        let block = self.current_block();
        value
            .flat_values()
            .into_iter()
            .map(|v| {
                let id = self.ssa.declare_var(self.b.ty(v));
                self.ssa.def_var(id, block, v);
                id
            })
            .collect()
    }
    fn write_hidden(&mut self, ids: &[VarId], value: &PyValue) {
        let block = self.current_block();
        for (id, v) in ids.iter().zip(value.flat_values()) {
            self.ssa.def_var(*id, block, v);
        }
    }
    fn read_hidden(&mut self, ids: &[VarId], shape: &PyValue) -> PyValue {
        let block = self.current_block();
        let values: Vec<Value> = ids
            .iter()
            .map(|id| self.ssa.use_var(self.b.func, *id, block))
            .collect();
        shape.with_flat(&mut values.into_iter())
    }

    /// Lowers the intrinsics of this module; `None` for the others.
    pub(crate) fn lower_library_intrinsic(
        &mut self,
        i: Intrinsic,
        values: &[(PyValue, Type)],
        result_ty: &Type,
        span: Span,
    ) -> LResult<Option<PyValue>> {
        use Intrinsic::*;
        let value = match i {
            Print => self.lower_print(values)?,
            Sum => self.lower_sum(values, result_ty, span)?,
            Min | Max if values.len() == 1 => {
                self.lower_min_max_of(i == Min, &values[0], result_ty, span)?
            }
            DivMod => {
                let [(a, at), (b, bt)] = values else {
                    return Err(unsupported("divmod() takes two arguments", span));
                };
                let q = self.binary_op(BinOp::FloorDiv, a.clone(), at, b.clone(), bt, span)?;
                let r = self.binary_op(BinOp::Mod, a.clone(), at, b.clone(), bt, span)?;
                PyValue::Tuple(vec![q, r])
            }
            Conjugate => match &values[0].0 {
                PyValue::Complex(re, im, s) => {
                    let im = self.b.unary(Op::Fneg, *im);
                    PyValue::Complex(*re, im, *s)
                }
                other => self.coerce(other.clone(), result_ty),
            },
            Frexp | Modf | Ldexp | Gcd | IsClose => self.lower_math_extra(i, values, result_ty)?,
            Cmath(f) => self.lower_cmath(f, values, result_ty, span)?,
            _ => return Ok(None),
        };
        Ok(Some(value))
    }

    fn f64_arg(&mut self, value: &PyValue) -> Value {
        match value {
            PyValue::Scalar(v, s) => self.cast_real(*v, *s, Scalar::F64),
            PyValue::Complex(re, _, s) => self.cast_real(*re, s.real_part(), Scalar::F64),
            _ => self.b.fconst(Ty::F64, f64::NAN),
        }
    }

    fn lower_math_extra(
        &mut self,
        i: Intrinsic,
        values: &[(PyValue, Type)],
        result_ty: &Type,
    ) -> LResult<PyValue> {
        let x = self.f64_arg(&values[0].0);
        let f64_value = |v| PyValue::Scalar(v, Scalar::F64);
        let value = match i {
            Intrinsic::Frexp => {
                let m = self.b.call_runtime(RuntimeFn::FrexpMantissa, &[x]);
                let e = self.b.call_runtime(RuntimeFn::FrexpExponent, &[x]);
                PyValue::Tuple(vec![f64_value(m), PyValue::Scalar(e, Scalar::I64)])
            }
            Intrinsic::Modf => {
                // CPython's modf: the fraction of an infinity is a zero of its sign.
                let int_part = self.b.unary(Op::Trunc, x);
                let frac = self.b.binary(Op::Fsub, x, int_part);
                let abs = self.b.unary(Op::Fabs, x);
                let inf = self.b.fconst(Ty::F64, f64::INFINITY);
                let is_inf = self.b.fcmp(FloatCC::Eq, abs, inf);
                let zero = self.b.fconst(Ty::F64, 0.0);
                let frac = self.b.select(is_inf, zero, frac);
                let frac = self.b.binary(Op::Copysign, frac, x);
                PyValue::Tuple(vec![f64_value(frac), f64_value(int_part)])
            }
            Intrinsic::Ldexp => {
                let PyValue::Scalar(e, s) = values[1].0 else {
                    unreachable!("typeinfer checked an integer exponent")
                };
                let e = self.cast_real(e, s, Scalar::I64);
                f64_value(self.b.call_runtime(RuntimeFn::Ldexp, &[x, e]))
            }
            Intrinsic::Gcd => {
                let mut ints = Vec::new();
                for (v, _) in values {
                    let PyValue::Scalar(v, s) = v else {
                        unreachable!("typeinfer checked integers")
                    };
                    ints.push(self.cast_real(*v, *s, Scalar::I64));
                }
                PyValue::Scalar(self.b.call_runtime(RuntimeFn::Gcd, &ints), Scalar::I64)
            }
            _ => {
                // isclose(a, b) with CPython's defaults rel_tol=1e-09, abs_tol=0.0.
                let y = self.f64_arg(&values[1].0);
                let equal = self.b.fcmp(FloatCC::Eq, x, y);
                let inf = self.b.fconst(Ty::F64, f64::INFINITY);
                let ax = self.b.unary(Op::Fabs, x);
                let ay = self.b.unary(Op::Fabs, y);
                let finite_x = self.b.fcmp(FloatCC::Ne, ax, inf);
                let finite_y = self.b.fcmp(FloatCC::Ne, ay, inf);
                let finite = self.b.ins(Op::And, &[finite_x, finite_y], Ty::Bool);
                let diff = self.b.binary(Op::Fsub, y, x);
                let diff = self.b.unary(Op::Fabs, diff);
                let tol = self.b.fconst(Ty::F64, 1e-9);
                let ty = self.b.binary(Op::Fmul, tol, y);
                let ty = self.b.unary(Op::Fabs, ty);
                let tx = self.b.binary(Op::Fmul, tol, x);
                let tx = self.b.unary(Op::Fabs, tx);
                let zero = self.b.fconst(Ty::F64, 0.0);
                let c1 = self.b.fcmp(FloatCC::Le, diff, ty);
                let c2 = self.b.fcmp(FloatCC::Le, diff, tx);
                let c3 = self.b.fcmp(FloatCC::Le, diff, zero);
                let close = self.b.ins(Op::Or, &[c1, c2], Ty::Bool);
                let close = self.b.ins(Op::Or, &[close, c3], Ty::Bool);
                let close = self.b.ins(Op::And, &[finite, close], Ty::Bool);
                PyValue::Scalar(self.b.ins(Op::Or, &[equal, close], Ty::Bool), Scalar::Bool)
            }
        };
        Ok(self.coerce(value, result_ty))
    }

    /// The complex number `value` as a pair of f64.
    fn c128_arg(&mut self, value: &PyValue) -> (Value, Value) {
        match self.coerce(value.clone(), &Type::C128) {
            PyValue::Complex(re, im, _) => (re, im),
            _ => unreachable!("typeinfer checked a number"),
        }
    }

    fn complex_call(&mut self, fns: (RuntimeFn, RuntimeFn), (re, im): (Value, Value)) -> PyValue {
        let r = self.b.call_runtime(fns.0, &[re, im]);
        let i = self.b.call_runtime(fns.1, &[re, im]);
        PyValue::Complex(r, i, Scalar::C128)
    }

    fn lower_cmath(
        &mut self,
        f: CmathFn,
        values: &[(PyValue, Type)],
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        use CmathFn::*;
        if f == Rect {
            let r = self.f64_arg(&values[0].0);
            let phi = self.f64_arg(&values[1].0);
            let value = self.lower_rect(r, phi);
            return Ok(self.coerce(value, result_ty));
        }
        let z = self.c128_arg(&values[0].0);
        let (re, im) = z;
        let inf = self.b.fconst(Ty::F64, f64::INFINITY);
        let value = match f {
            IsNan | IsInf | IsFinite => {
                let (a, b) = match f {
                    IsNan => (self.is_nan(re), self.is_nan(im)),
                    _ => {
                        let are = self.b.unary(Op::Fabs, re);
                        let aim = self.b.unary(Op::Fabs, im);
                        let cc = if f == IsInf { FloatCC::Eq } else { FloatCC::Lt };
                        (self.b.fcmp(cc, are, inf), self.b.fcmp(cc, aim, inf))
                    }
                };
                let op = if f == IsFinite { Op::And } else { Op::Or };
                PyValue::Scalar(self.b.ins(op, &[a, b], Ty::Bool), Scalar::Bool)
            }
            Phase => PyValue::Scalar(
                self.b.call_runtime(RuntimeFn::Atan2, &[im, re]),
                Scalar::F64,
            ),
            Polar => {
                let r = self.b.call_runtime(RuntimeFn::Hypot, &[re, im]);
                let phi = self.b.call_runtime(RuntimeFn::Atan2, &[im, re]);
                let r = self.coerce(PyValue::Scalar(r, Scalar::F64), &Type::F64);
                return Ok(self.coerce(
                    PyValue::Tuple(vec![r, PyValue::Scalar(phi, Scalar::F64)]),
                    result_ty,
                ));
            }
            Log if values.len() == 2 => {
                let log = (RuntimeFn::CLogRe, RuntimeFn::CLogIm);
                let num = self.complex_call(log, z);
                let base = self.c128_arg(&values[1].0);
                let den = self.complex_call(log, base);
                self.binary_op(BinOp::Div, num, &Type::C128, den, &Type::C128, span)?
            }
            _ => {
                use RuntimeFn as R;
                let fns = match f {
                    Acos => (R::CAcosRe, R::CAcosIm),
                    Acosh => (R::CAcoshRe, R::CAcoshIm),
                    Asin => (R::CAsinRe, R::CAsinIm),
                    Asinh => (R::CAsinhRe, R::CAsinhIm),
                    Atan => (R::CAtanRe, R::CAtanIm),
                    Atanh => (R::CAtanhRe, R::CAtanhIm),
                    Cos => (R::CCosRe, R::CCosIm),
                    Cosh => (R::CCoshRe, R::CCoshIm),
                    Exp => (R::CExpRe, R::CExpIm),
                    Log => (R::CLogRe, R::CLogIm),
                    Log10 => (R::CLog10Re, R::CLog10Im),
                    Sin => (R::CSinRe, R::CSinIm),
                    Sinh => (R::CSinhRe, R::CSinhIm),
                    Sqrt => (R::CSqrtRe, R::CSqrtIm),
                    Tan => (R::CTanRe, R::CTanIm),
                    _ => (R::CTanhRe, R::CTanhIm),
                };
                self.complex_call(fns, z)
            }
        };
        Ok(self.coerce(value, result_ty))
    }

    /// `cmath.rect(r, phi)` with CPython's results for zero, infinite and NaN arguments (where
    /// CPython raises `ValueError`, for an infinite `phi` and a nonzero `r`, the result is NaN).
    fn lower_rect(&mut self, r: Value, phi: Value) -> PyValue {
        let zero = self.b.fconst(Ty::F64, 0.0);
        let one = self.b.fconst(Ty::F64, 1.0);
        let inf = self.b.fconst(Ty::F64, f64::INFINITY);
        let nan = self.b.fconst(Ty::F64, f64::NAN);
        let cos = self.b.call_runtime(RuntimeFn::Cos, &[phi]);
        let sin = self.b.call_runtime(RuntimeFn::Sin, &[phi]);
        let re = self.b.binary(Op::Fmul, r, cos);
        let im = self.b.binary(Op::Fmul, r, sin);
        // phi == ±0: (r, ±0 with the sign of r * phi); +0 for a NaN r.
        let phi_zero = self.b.fcmp(FloatCC::Eq, phi, zero);
        let sign_r = self.b.binary(Op::Copysign, one, r);
        let im0 = self.b.binary(Op::Fmul, sign_r, phi);
        let r_nan = self.is_nan(r);
        let im0 = self.b.select(r_nan, zero, im0);
        let re = self.b.select(phi_zero, r, re);
        let im = self.b.select(phi_zero, im0, im);
        // r == ±0 and phi infinite or NaN: 0j.
        let r_zero = self.b.fcmp(FloatCC::Eq, r, zero);
        let abs_phi = self.b.unary(Op::Fabs, phi);
        let phi_finite = self.b.fcmp(FloatCC::Lt, abs_phi, inf);
        let phi_special = self.b.ins(Op::Not, &[phi_finite], Ty::Bool);
        let zero_special = self.b.ins(Op::And, &[r_zero, phi_special], Ty::Bool);
        let re = self.b.select(zero_special, zero, re);
        let im = self.b.select(zero_special, zero, im);
        // r infinite and phi NaN: (inf, nan).
        let abs_r = self.b.unary(Op::Fabs, r);
        let r_inf = self.b.fcmp(FloatCC::Eq, abs_r, inf);
        let phi_nan = self.is_nan(phi);
        let inf_nan = self.b.ins(Op::And, &[r_inf, phi_nan], Ty::Bool);
        let re = self.b.select(inf_nan, inf, re);
        let im = self.b.select(inf_nan, nan, im);
        PyValue::Complex(re, im, Scalar::C128)
    }

    /// `print(a, b, ...)`: each argument's `str`, separated by spaces, then a newline.
    fn lower_print(&mut self, values: &[(PyValue, Type)]) -> LResult<PyValue> {
        for (k, (value, _)) in values.iter().enumerate() {
            if k > 0 {
                self.print_text(" ");
            }
            match value {
                PyValue::Str(text) => self.print_text(text),
                PyValue::Text(s) => self.print_runtime_str(*s),
                PyValue::Scalar(v, s) => {
                    let (f, arg) = match s {
                        Scalar::Bool => (RuntimeFn::PrintBool, self.cast_real(*v, *s, Scalar::I64)),
                        Scalar::F64 => (RuntimeFn::PrintF64, *v),
                        Scalar::F32 => (RuntimeFn::PrintF32, *v),
                        s if s.is_unsigned_int() => {
                            (RuntimeFn::PrintU64, self.cast_real(*v, *s, Scalar::U64))
                        }
                        s => (RuntimeFn::PrintI64, self.cast_real(*v, *s, Scalar::I64)),
                    };
                    self.b.call_runtime(f, &[arg]);
                }
                PyValue::Complex(re, im, s) => {
                    let f = if *s == Scalar::C64 {
                        RuntimeFn::PrintC64
                    } else {
                        RuntimeFn::PrintC128
                    };
                    self.b.call_runtime(f, &[*re, *im]);
                }
                _ => unreachable!("typeinfer allows numbers and strings"),
            }
        }
        self.b.call_runtime(RuntimeFn::PrintEnd, &[]);
        Ok(PyValue::None)
    }

    /// Appends a string literal to the line being printed, eight bytes per runtime call.
    fn print_text(&mut self, text: &str) {
        for chunk in text.as_bytes().chunks(8) {
            let mut bytes = [0u8; 8];
            bytes[..chunk.len()].copy_from_slice(chunk);
            let packed = self.b.iconst(Ty::I64, i64::from_le_bytes(bytes));
            let len = self.b.iconst(Ty::I64, chunk.len() as i64);
            self.b.call_runtime(RuntimeFn::PrintBytes, &[packed, len]);
        }
    }

    /// `sum(iterable[, start])`: `start + x0 + x1 + ...`, left to right.
    fn lower_sum(
        &mut self,
        values: &[(PyValue, Type)],
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let (iterable, ty) = &values[0];
        let element = element_type(ty)
            .ok_or_else(|| unsupported(format!("sum() of {ty} is not supported"), span))?;
        let start = match values.get(1) {
            Some((v, _)) => v.clone(),
            None => PyValue::Scalar(self.b.iconst(Ty::I64, 0), Scalar::I64),
        };
        let start = self.coerce(start, result_ty);
        let seq = self.seq_of(iterable.clone(), ty, span)?;
        if let Seq::Tuple(items) = &seq {
            let mut acc = start;
            for item in items.clone() {
                let sum = self.binary_op(BinOp::Add, acc, result_ty, item, &element, span)?;
                acc = self.coerce(sum, result_ty);
            }
            return Ok(acc);
        }
        let ids = self.hidden_var(&start);
        let n = self.seq_len(&seq);
        self.index_loop(n, |this, i| {
            let item = this.seq_item(&seq, i);
            let acc = this.read_hidden(&ids, &start);
            let sum = this.binary_op(BinOp::Add, acc, result_ty, item, &element, span)?;
            let sum = this.coerce(sum, result_ty);
            this.write_hidden(&ids, &sum);
            Ok(())
        })?;
        Ok(self.read_hidden(&ids, &start))
    }

    /// `min(iterable)` / `max(iterable)`: the first extreme item; `ValueError` when empty.
    fn lower_min_max_of(
        &mut self,
        is_min: bool,
        (iterable, ty): &(PyValue, Type),
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let seq = self.seq_of(iterable.clone(), ty, span)?;
        let Some(s) = result_ty.as_scalar() else {
            return Err(unsupported("min()/max() of these elements", span));
        };
        let name = if is_min { "min" } else { "max" };
        if let Seq::Tuple(items) = &seq {
            let mut items = items.iter().cloned();
            let Some(first) = items.next() else {
                let t = self.b.bconst(true);
                let message = format!("{name}() arg is an empty sequence");
                self.raise_if(t, ExceptionKind::ValueError, &message, span, &[]);
                return Ok(PyValue::Scalar(self.scalar_const(s, 0.0), s));
            };
            let mut acc = self.coerce(first, result_ty);
            for item in items {
                let item = self.coerce(item, result_ty);
                acc = self.keep_extreme(is_min, acc, item);
            }
            return Ok(acc);
        }
        let n = self.seq_len(&seq);
        let zero = self.b.iconst(Ty::I64, 0);
        let empty = self.b.icmp(IntCC::Sle, n, zero);
        let message = format!("{name}() arg is an empty sequence");
        self.raise_if(empty, ExceptionKind::ValueError, &message, span, &[]);
        let first = self.seq_item(&seq, zero);
        let first = self.coerce(first, result_ty);
        let ids = self.hidden_var(&first);
        self.index_loop(n, |this, i| {
            let item = this.seq_item(&seq, i);
            let item = this.coerce(item, result_ty);
            let acc = this.read_hidden(&ids, &first);
            let acc = this.keep_extreme(is_min, acc, item);
            this.write_hidden(&ids, &acc);
            Ok(())
        })?;
        Ok(self.read_hidden(&ids, &first))
    }

    /// Python's `min`/`max` step: `item` replaces `acc` only if strictly smaller (larger).
    pub(crate) fn keep_extreme(&mut self, is_min: bool, acc: PyValue, item: PyValue) -> PyValue {
        let (PyValue::Scalar(a, s), PyValue::Scalar(b, _)) = (&acc, &item) else {
            return acc;
        };
        let better = if s.is_float() {
            let cc = if is_min { FloatCC::Lt } else { FloatCC::Gt };
            self.b.fcmp(cc, *b, *a)
        } else if s.is_bool() {
            let a8 = self.b.convert(Op::Uext, *a, Ty::I8);
            let b8 = self.b.convert(Op::Uext, *b, Ty::I8);
            let cc = if is_min { IntCC::Ult } else { IntCC::Ugt };
            self.b.icmp(cc, b8, a8)
        } else {
            let cc = if is_min { IntCC::Slt } else { IntCC::Sgt };
            self.int_cmp(cc, *b, *a, *s)
        };
        PyValue::Scalar(self.b.select(better, *b, *a), *s)
    }

    /// `round(x, n)` of an int: `x` for `n >= 0`, else the nearest multiple of `10**-n`, ties
    /// to even (0 once `10**-n` exceeds every int64).
    pub(crate) fn round_int(&mut self, x: Value, n: Value) -> Value {
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let ten = self.b.iconst(Ty::I64, 10);
        let max_exp = self.b.iconst(Ty::I64, 18);
        let exp = self.b.unary(Op::Ineg, n);
        let exp = self.b.binary(Op::Smax, exp, zero);
        let huge = self.b.icmp(IntCC::Sgt, exp, max_exp);
        let exp = self.b.binary(Op::Smin, exp, max_exp);
        let p = self.b.call_runtime(RuntimeFn::IntPow, &[ten, exp]);
        let (q, r) = self.python_sdivmod(x, p);
        let twice_r = self.b.binary(Op::Iadd, r, r);
        let above = self.b.icmp(IntCC::Sgt, twice_r, p);
        let tie = self.b.icmp(IntCC::Eq, twice_r, p);
        let odd = self.b.binary(Op::Band, q, one);
        let odd = self.b.icmp(IntCC::Ne, odd, zero);
        let tie_up = self.b.ins(Op::And, &[tie, odd], Ty::Bool);
        let up = self.b.ins(Op::Or, &[above, tie_up], Ty::Bool);
        let q_up = self.b.binary(Op::Iadd, q, one);
        let q = self.b.select(up, q_up, q);
        let rounded = self.b.binary(Op::Imul, q, p);
        let rounded = self.b.select(huge, zero, rounded);
        let keep = self.b.icmp(IntCC::Sge, n, zero);
        self.b.select(keep, x, rounded)
    }

    /// `t[i]` for a run-time index into a tuple of one type: negative indices count from the
    /// end; out of range raises `IndexError` under `boundscheck`.
    pub(crate) fn tuple_runtime_item(
        &mut self,
        items: &[PyValue],
        idx: Value,
        span: Span,
    ) -> PyValue {
        let len = self.b.iconst(Ty::I64, items.len() as i64);
        let zero = self.b.iconst(Ty::I64, 0);
        let negative = self.b.icmp(IntCC::Slt, idx, zero);
        let wrapped = self.b.binary(Op::Iadd, idx, len);
        let idx = self.b.select(negative, wrapped, idx);
        if self.ctx.boundscheck {
            let out = self.b.icmp(IntCC::Uge, idx, len);
            self.raise_if(
                out,
                ExceptionKind::IndexError,
                "tuple index out of range",
                span,
                &[],
            );
        }
        self.select_item(items, idx)
    }

    /// `a == b`, `a < b`, … on tuples: element by element, lexicographically for orderings.
    pub(crate) fn compare_tuples(
        &mut self,
        op: CmpOp,
        (a, at): (&[PyValue], &[Type]),
        (b, bt): (&[PyValue], &[Type]),
        span: Span,
    ) -> LResult<Value> {
        let n = a.len().min(b.len());
        let mut eqs = Vec::with_capacity(n);
        for k in 0..n {
            eqs.push(self.compare_values(CmpOp::Eq, &a[k], &at[k], &b[k], &bt[k], span)?);
        }
        let all_equal = |this: &mut Self, eqs: &[Value]| {
            eqs.iter().fold(this.b.bconst(true), |acc, &e| {
                this.b.ins(Op::And, &[acc, e], Ty::Bool)
            })
        };
        match op {
            CmpOp::Eq | CmpOp::NotEq => {
                let eq = if a.len() == b.len() {
                    all_equal(self, &eqs)
                } else {
                    self.b.bconst(false)
                };
                Ok(if op == CmpOp::Eq {
                    eq
                } else {
                    self.b.ins(Op::Not, &[eq], Ty::Bool)
                })
            }
            _ => {
                // The first differing pair decides; if one is a prefix of the other, the lengths.
                let by_len = match op {
                    CmpOp::Lt => a.len() < b.len(),
                    CmpOp::LtE => a.len() <= b.len(),
                    CmpOp::Gt => a.len() > b.len(),
                    _ => a.len() >= b.len(),
                };
                let mut result = self.b.bconst(by_len);
                for k in (0..n).rev() {
                    let decided = self.compare_values(op, &a[k], &at[k], &b[k], &bt[k], span)?;
                    result = self.b.select(eqs[k], result, decided);
                }
                Ok(result)
            }
        }
    }

    /// `x in t` / `x not in t` for a tuple `t`: `x == item` for the items typing found
    /// comparable, or-ed together (an item of another kind never equals `x`).
    pub(crate) fn membership(
        &mut self,
        op: CmpOp,
        x: PyValue,
        xt: &Type,
        container: PyValue,
        ct: &Type,
        span: Span,
    ) -> LResult<Value> {
        let (PyValue::Tuple(items), Type::Tuple(item_types)) = (container, ct) else {
            return Err(unsupported(
                format!("'in' is not supported for a container of type '{ct}'"),
                span,
            ));
        };
        let mut found = self.b.bconst(false);
        for (item, it) in items.iter().zip(item_types) {
            let comparable = matches!(
                (xt, it),
                (Type::Scalar(_), Type::Scalar(_)) | (Type::Tuple(_), Type::Tuple(_))
            );
            if !comparable {
                continue;
            }
            let eq = self.compare_values(CmpOp::Eq, &x, xt, item, it, span)?;
            found = self.b.ins(Op::Or, &[found, eq], Ty::Bool);
        }
        Ok(match op {
            CmpOp::In => found,
            _ => self.b.ins(Op::Not, &[found], Ty::Bool),
        })
    }

    fn compare_values(
        &mut self,
        op: CmpOp,
        a: &PyValue,
        at: &Type,
        b: &PyValue,
        bt: &Type,
        span: Span,
    ) -> LResult<Value> {
        match (a, at, b, bt) {
            (PyValue::Tuple(x), Type::Tuple(xt), PyValue::Tuple(y), Type::Tuple(yt)) => {
                self.compare_tuples(op, (x, xt), (y, yt), span)
            }
            _ => self.compare(op, a.clone(), at, b.clone(), bt, span),
        }
    }
}
