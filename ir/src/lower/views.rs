//! Array views: basic slicing (`a[1:-1]`, `a[i, :]`, `a[:, j]`, `a[::2]`, `a[::-1]`), `.T`,
//! `.real`/`.imag` of complex arrays, and assignment through a view (`a[1:-1] = b`,
//! `a[:, 0] = 0.0`).
//!
//! A view is a new descriptor (on the stack, see `make_descriptor`) over the same memory and
//! with the same owner; nothing is copied. Slice bounds follow CPython's
//! `PySlice_AdjustIndices`, so out-of-range bounds clip instead of raising.

use super::array_fns::ArrayRef;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{Expr, ExprKind};
use runtime::error::ExceptionKind;
use typeinfer::{Scalar, Type};

impl Lowerer<'_, '_> {
    /// `base[index]` where typing found a view (fewer integer indices than axes, or slices).
    pub(crate) fn lower_view(
        &mut self,
        base: &ArrayRef,
        index: &Expr,
        result_ty: &Type,
        _span: Span,
    ) -> LResult<PyValue> {
        let items = index_items(index, base.ndim as usize);
        let mut data = self.data_of(base.desc);
        let shape = self.shape_of(base);
        let strides = self.strides_of(base);
        let (mut view_shape, mut view_strides) = (Vec::new(), Vec::new());
        let mut axis = 0usize;
        for item in items {
            if axis >= shape.len() {
                return Err(unsupported("too many indices for this array", index.span));
            }
            let (extent, stride) = (shape[axis], strides[axis]);
            let Some(item) = item else {
                // An axis `...` stands for: kept whole.
                view_shape.push(extent);
                view_strides.push(stride);
                axis += 1;
                continue;
            };
            match &item.kind {
                ExprKind::Slice { lower, upper, step } => {
                    let (start, len, step) = self.slice_bounds(
                        extent,
                        lower.as_deref(),
                        upper.as_deref(),
                        step.as_deref(),
                        item.span,
                    )?;
                    let offset = self.b.binary(Op::Imul, start, stride);
                    data = self.b.binary(Op::Iadd, data, offset);
                    view_shape.push(len);
                    view_strides.push(self.b.binary(Op::Imul, stride, step));
                }
                _ => {
                    let i = self.lower_expr(item)?;
                    let PyValue::Scalar(i, s) = i else {
                        return Err(unsupported("array index must be an integer", item.span));
                    };
                    let i = self.cast_real(i, s, Scalar::I64);
                    let i = self.checked_index(i, extent, axis as u32, item.span);
                    let offset = self.b.binary(Op::Imul, i, stride);
                    data = self.b.binary(Op::Iadd, data, offset);
                }
            }
            axis += 1;
        }
        for rest in axis..shape.len() {
            view_shape.push(shape[rest]);
            view_strides.push(strides[rest]);
        }
        let desc = self.make_descriptor(base.desc, data, &view_shape, &view_strides);
        Ok(PyValue::Array(desc, result_ty.clone()))
    }

    /// The number of axes `index` indexes (a tuple-typed item counts its length).
    pub(crate) fn index_count(&self, index: &Expr) -> usize {
        let items: Vec<&Expr> = match &index.kind {
            ExprKind::Tuple(items) => items.iter().collect(),
            _ => vec![index],
        };
        items
            .iter()
            .map(|i| match (&i.kind, self.typed.expr_type(i.id)) {
                (ExprKind::Ellipsis, _) => 0,
                (_, Some(Type::Tuple(t))) => t.len(),
                _ => 1,
            })
            .sum()
    }

    /// The view `base[index]` as an assignment target.
    pub(crate) fn view_for_store(
        &mut self,
        base: &ArrayRef,
        index: &Expr,
        span: Span,
    ) -> LResult<ArrayRef> {
        let ints = index_items(index, base.ndim as usize)
            .iter()
            .filter(|i| i.is_some_and(|i| !matches!(i.kind, ExprKind::Slice { .. })))
            .count();
        let ndim = (base.ndim as usize).saturating_sub(ints) as u8;
        let ty = Type::array(base.dtype, ndim, typeinfer::Layout::A);
        let view = self.lower_view(base, index, &ty, span)?;
        Ok(ArrayRef::of(&view).expect("a view"))
    }

    /// A non-negative in-range index from a Python index `i` into an axis of `extent`:
    /// negative indices count from the end; with bounds checking, out of range raises.
    pub(crate) fn checked_index(
        &mut self,
        i: Value,
        extent: Value,
        axis: u32,
        span: Span,
    ) -> Value {
        let zero = self.b.iconst(Ty::I64, 0);
        let negative = self.b.icmp(IntCC::Slt, i, zero);
        let wrapped = self.b.binary(Op::Iadd, i, extent);
        let idx = self.b.select(negative, wrapped, i);
        if self.ctx.boundscheck {
            let out = self.b.icmp(IntCC::Uge, idx, extent);
            let axis_v = self.b.iconst(Ty::I64, i64::from(axis));
            self.raise_if(
                out,
                ExceptionKind::IndexError,
                "index {} is out of bounds for axis {} with size {}",
                span,
                &[i, axis_v, extent],
            );
        }
        idx
    }

    /// `(start, length, step)` of `lower:upper:step` over an axis of `extent`, as CPython's
    /// `PySlice_AdjustIndices` computes them.
    fn slice_bounds(
        &mut self,
        extent: Value,
        lower: Option<&Expr>,
        upper: Option<&Expr>,
        step: Option<&Expr>,
        span: Span,
    ) -> LResult<(Value, Value, Value)> {
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let minus_one = self.b.iconst(Ty::I64, -1);
        let int = |this: &mut Self, e: Option<&Expr>| -> LResult<Option<Value>> {
            match e {
                None => Ok(None),
                Some(e) => match this.lower_expr(e)? {
                    PyValue::Scalar(v, s) => Ok(Some(this.cast_real(v, s, Scalar::I64))),
                    _ => Err(unsupported("slice indices must be integers", e.span)),
                },
            }
        };
        let step_v = int(self, step)?.unwrap_or(one);
        let lower_v = int(self, lower)?;
        let upper_v = int(self, upper)?;
        let step_is_zero = self.b.icmp(IntCC::Eq, step_v, zero);
        self.raise_if(
            step_is_zero,
            ExceptionKind::ValueError,
            "slice step cannot be zero",
            span,
            &[],
        );
        let positive = self.b.icmp(IntCC::Sgt, step_v, zero);
        let last = self.b.binary(Op::Isub, extent, one);
        // Clamp an explicit bound: negative counts from the end; then clip to
        // [0, extent] for positive steps, [-1, extent - 1] for negative ones.
        let adjust = |this: &mut Self, v: Value| -> Value {
            let neg = this.b.icmp(IntCC::Slt, v, zero);
            let plus = this.b.binary(Op::Iadd, v, extent);
            let v = this.b.select(neg, plus, v);
            let low = this.b.select(positive, zero, minus_one);
            let high = this.b.select(positive, extent, last);
            let v = this.b.binary(Op::Smax, v, low);
            this.b.binary(Op::Smin, v, high)
        };
        let start = match lower_v {
            Some(v) => adjust(self, v),
            None => self.b.select(positive, zero, last),
        };
        let stop = match upper_v {
            Some(v) => adjust(self, v),
            None => self.b.select(positive, extent, minus_one),
        };
        // length = step > 0 ? (stop > start ? (stop - start - 1) / step + 1 : 0)
        //                   : (start > stop ? (start - stop - 1) / -step + 1 : 0)
        let up_span = self.b.binary(Op::Isub, stop, start);
        let down_span = self.b.binary(Op::Isub, start, stop);
        let span_v = self.b.select(positive, up_span, down_span);
        let neg_step = self.b.unary(Op::Ineg, step_v);
        let abs_step = self.b.select(positive, step_v, neg_step);
        let span_minus = self.b.binary(Op::Isub, span_v, one);
        let q = self.b.binary(Op::Sdiv, span_minus, abs_step);
        let len = self.b.binary(Op::Iadd, q, one);
        let nonempty = self.b.icmp(IntCC::Sgt, span_v, zero);
        let len = self.b.select(nonempty, len, zero);
        Ok((start, len, step_v))
    }

    /// `a.T`: the axes reversed.
    pub(crate) fn transpose_view(&mut self, a: &ArrayRef, result_ty: &Type) -> PyValue {
        let mut shape = self.shape_of(a);
        let mut strides = self.strides_of(a);
        shape.reverse();
        strides.reverse();
        let data = self.data_of(a.desc);
        let desc = self.make_descriptor(a.desc, data, &shape, &strides);
        PyValue::Array(desc, result_ty.clone())
    }

    /// `a.real` / `a.imag`: a strided view of one part of a complex array; for a real array,
    /// `.real` is the array itself and `.imag` a new array of zeros (as NumPy's read-only
    /// zeros, but writable here).
    pub(crate) fn part_view(
        &mut self,
        a: &ArrayRef,
        imag: bool,
        result_ty: &Type,
        span: Span,
    ) -> PyValue {
        if !a.dtype.is_complex() {
            if !imag {
                return a.value();
            }
            let shape = self.shape_of(a);
            return self.new_array(a.dtype, &shape, true, span).value();
        }
        let shape = self.shape_of(a);
        let strides = self.strides_of(a);
        let mut data = self.data_of(a.desc);
        if imag {
            let half = self
                .b
                .iconst(Ty::I64, i64::from(a.dtype.real_part().size_bytes()));
            data = self.b.binary(Op::Iadd, data, half);
        }
        let desc = self.make_descriptor(a.desc, data, &shape, &strides);
        PyValue::Array(desc, result_ty.clone())
    }

    /// `target[...] = value` where `target` is a view: every element gets `value` (a scalar,
    /// or an array broadcast to the view's shape).
    pub(crate) fn assign_to_view(
        &mut self,
        target: &ArrayRef,
        value: PyValue,
        value_ty: &Type,
        span: Span,
    ) -> LResult<()> {
        match value {
            PyValue::Array(..) => {
                let source = ArrayRef::of(&value).expect("array");
                self.broadcast_copy(&source, target, span)
            }
            PyValue::Tuple(items) if target.ndim == 1 => self.store_tuple(target, items, span),
            other if value_ty.as_scalar().is_some() => self.fill_array(target, other),
            _ => Err(unsupported(
                format!("cannot assign a {value_ty} to an array slice"),
                span,
            )),
        }
    }

    /// `out[0:2] = (x, y)`: a tuple of numbers stored into a 1-D view of its length (NumPy
    /// raises `ValueError` for another length).
    fn store_tuple(&mut self, target: &ArrayRef, items: Vec<PyValue>, span: Span) -> LResult<()> {
        let shape = self.shape_of(target);
        let expected = self.b.iconst(Ty::I64, items.len() as i64);
        let differs = self.b.icmp(IntCC::Ne, shape[0], expected);
        let message = format!(
            "could not broadcast input array from shape ({},) into shape ({{}},)",
            items.len()
        );
        self.raise_if(
            differs,
            ExceptionKind::ValueError,
            &message,
            span,
            &[shape[0]],
        );
        let strides = self.strides_of(target);
        let data = self.data_of(target.desc);
        for (i, item) in items.into_iter().enumerate() {
            let index = self.b.iconst(Ty::I64, i as i64);
            let ptr = self.address_at(data, &strides, &[index]);
            let address = super::array::ElementAddress {
                ptr,
                dtype: target.dtype,
            };
            self.store_element(&address, item);
        }
        Ok(())
    }

    /// `dst[...] = src` with `src` broadcast to `dst`'s shape (NumPy's rules: trailing axes
    /// align; an extent of 1 stretches). Copies through a temporary when `src` and `dst` may
    /// overlap in memory (`a[1:] = a[:-1]`), so the result is NumPy's.
    pub(crate) fn broadcast_copy(
        &mut self,
        src: &ArrayRef,
        dst: &ArrayRef,
        span: Span,
    ) -> LResult<()> {
        let dst_shape = self.shape_of(dst);
        let src_strides = self.broadcast_strides(src, &dst_shape, span)?;
        let dst_strides = self.strides_of(dst);
        let src_data = self.data_of(src.desc);
        let dst_data = self.data_of(dst.desc);
        let same = self.may_overlap(src, dst);
        let staged = self.create_block();
        let direct = self.create_block();
        let join = self.create_block();
        self.brif(same, staged, direct);
        self.seal(staged);
        self.seal(direct);
        // Through a temporary: a contiguous copy of the broadcast source.
        self.switch_to(staged);
        {
            let tmp = self.new_array(src.dtype, &dst_shape, false, span);
            let tmp_strides = self.strides_of(&tmp);
            let tmp_data = self.data_of(tmp.desc);
            let sd = src.dtype;
            self.for_each_index(&dst_shape, &mut |this, idx| {
                let from = this.address_at(src_data, &src_strides, idx);
                let v = this.load_scalar(from, sd);
                let to = this.address_at(tmp_data, &tmp_strides, idx);
                this.store_scalar(to, sd, v);
                Ok(())
            })?;
            self.copy_strided(
                tmp_data,
                &tmp_strides,
                sd,
                dst_data,
                &dst_strides,
                dst.dtype,
                &dst_shape,
            )?;
            self.jump(join, &[]);
        }
        self.switch_to(direct);
        self.copy_strided(
            src_data,
            &src_strides,
            src.dtype,
            dst_data,
            &dst_strides,
            dst.dtype,
            &dst_shape,
        )?;
        self.jump(join, &[]);
        self.seal(join);
        self.switch_to(join);
        Ok(())
    }

    /// The lowest and highest byte addresses the elements of `a` occupy (`lo > hi` when it is
    /// empty).
    fn memory_span(&mut self, a: &ArrayRef) -> (Value, Value) {
        let shape = self.shape_of(a);
        let strides = self.strides_of(a);
        let data = self.data_of(a.desc);
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let (mut lo, mut hi) = (data, data);
        let mut empty = self.b.bconst(false);
        for (&extent, &stride) in shape.iter().zip(&strides) {
            let none = self.b.icmp(IntCC::Sle, extent, zero);
            empty = self.b.ins(Op::Or, &[empty, none], Ty::Bool);
            let last = self.b.binary(Op::Isub, extent, one);
            let reach = self.b.binary(Op::Imul, last, stride);
            let down = self.b.binary(Op::Smin, reach, zero);
            let up = self.b.binary(Op::Smax, reach, zero);
            lo = self.b.binary(Op::Iadd, lo, down);
            hi = self.b.binary(Op::Iadd, hi, up);
        }
        let item = self.b.iconst(Ty::I64, a.dtype.size_bytes() as i64 - 1);
        let hi = self.b.binary(Op::Iadd, hi, item);
        // An empty array occupies nothing: make the span empty.
        let nothing = self.b.iconst(Ty::I64, -1);
        let hi = self.b.select(empty, nothing, hi);
        let lo = self.b.select(empty, zero, lo);
        (lo, hi)
    }

    /// Whether the memory of `a` and `b` may overlap (their byte spans intersect), decided at
    /// run time: reading `a` while writing `b` element by element then needs a copy of `a`.
    pub(crate) fn may_overlap(&mut self, a: &ArrayRef, b: &ArrayRef) -> Value {
        let (a_lo, a_hi) = self.memory_span(a);
        let (b_lo, b_hi) = self.memory_span(b);
        let x = self.b.icmp(IntCC::Ule, a_lo, b_hi);
        let y = self.b.icmp(IntCC::Ule, b_lo, a_hi);
        self.b.ins(Op::And, &[x, y], Ty::Bool)
    }

    #[allow(clippy::too_many_arguments)]
    fn copy_strided(
        &mut self,
        src_data: Value,
        src_strides: &[Value],
        src_dtype: Scalar,
        dst_data: Value,
        dst_strides: &[Value],
        dst_dtype: Scalar,
        shape: &[Value],
    ) -> LResult<()> {
        self.for_each_index(shape, &mut |this, idx| {
            let from = this.address_at(src_data, src_strides, idx);
            let v = this.load_scalar(from, src_dtype);
            let to = this.address_at(dst_data, dst_strides, idx);
            this.store_scalar(to, dst_dtype, v);
            Ok(())
        })
    }

    /// The strides with which to read `src` at the indices of an array of shape `out_shape`
    /// (rank at least `src`'s): 0 on stretched and missing leading axes. Raises `ValueError`
    /// when the shapes do not broadcast.
    pub(crate) fn broadcast_strides(
        &mut self,
        src: &ArrayRef,
        out_shape: &[Value],
        span: Span,
    ) -> LResult<Vec<Value>> {
        let src_shape = self.shape_of(src);
        let src_strides = self.strides_of(src);
        let lead = out_shape
            .len()
            .checked_sub(src_shape.len())
            .ok_or_else(|| unsupported("cannot broadcast an array to a lower rank", span))?;
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let mut out = vec![zero; lead];
        for (k, (&extent, &stride)) in src_shape.iter().zip(&src_strides).enumerate() {
            let target = out_shape[lead + k];
            let equal = self.b.icmp(IntCC::Eq, extent, target);
            let stretch = self.b.icmp(IntCC::Eq, extent, one);
            let ok = self.b.ins(Op::Or, &[equal, stretch], Ty::Bool);
            let bad = self.b.ins(Op::Not, &[ok], Ty::Bool);
            self.raise_if(
                bad,
                ExceptionKind::ValueError,
                "could not broadcast an array of extent {} into extent {}",
                span,
                &[extent, target],
            );
            out.push(self.b.select(equal, stride, zero));
        }
        Ok(out)
    }
}

impl Lowerer<'_, '_> {
    /// True if `index` is a boolean array (a mask) rather than integers and slices.
    pub(crate) fn is_mask_index(&self, index: &Expr) -> bool {
        !matches!(index.kind, ExprKind::Tuple(_) | ExprKind::Slice { .. })
            && matches!(
                self.typed.expr_type(index.id),
                Some(Type::Array {
                    dtype: Scalar::Bool,
                    ..
                })
            )
    }

    /// The mask's address data after checking that its shape is `shape`.
    fn checked_mask(
        &mut self,
        mask: &ArrayRef,
        shape: &[Value],
        span: Span,
    ) -> (Value, Vec<Value>) {
        let mask_shape = self.shape_of(mask);
        for (axis, (&m, &n)) in mask_shape.iter().zip(shape).enumerate() {
            let differ = self.b.icmp(IntCC::Ne, m, n);
            let axis_v = self.b.iconst(Ty::I64, axis as i64);
            self.raise_if(
                differ,
                ExceptionKind::IndexError,
                "boolean index did not match indexed array along axis {}; size of axis is {} \
                 but size of corresponding boolean axis is {}",
                span,
                &[axis_v, n, m],
            );
        }
        let strides = self.strides_of(mask);
        (self.data_of(mask.desc), strides)
    }

    /// `a[mask]`: a new array of the elements (or, for a mask of the leading axes only, the
    /// sub-arrays) where `mask` is true, in C order.
    pub(crate) fn lower_mask_select(
        &mut self,
        base: &ArrayRef,
        mask: &ArrayRef,
        span: Span,
    ) -> LResult<PyValue> {
        let full_shape = self.shape_of(base);
        let strides = self.strides_of(base);
        let data = self.data_of(base.desc);
        // The mask covers the leading axes; the others are copied whole.
        let (shape, rest) = full_shape.split_at(mask.ndim as usize);
        let (shape, rest) = (shape.to_vec(), rest.to_vec());
        let (mask_data, mask_strides) = self.checked_mask(mask, &shape, span);
        // First pass: count; second: copy.
        let zero = self.b.iconst(Ty::I64, 0);
        let count = self.declare_value_var(&PyValue::Scalar(zero, Scalar::I64));
        self.for_each_index(&shape, &mut |this, idx| {
            let m = this.address_at(mask_data, &mask_strides, idx);
            let PyValue::Scalar(bit, _) = this.load_scalar(m, Scalar::Bool) else {
                unreachable!("bool")
            };
            let one = this.b.convert(Op::Uext, bit, Ty::I64);
            let PyValue::Scalar(c, _) = this.use_value_var(&count) else {
                unreachable!("i64")
            };
            let c = this.b.binary(Op::Iadd, c, one);
            this.def_value_var(&count, &PyValue::Scalar(c, Scalar::I64));
            Ok(())
        })?;
        let PyValue::Scalar(n, _) = self.use_value_var(&count) else {
            unreachable!("i64")
        };
        let mut out_shape = vec![n];
        out_shape.extend_from_slice(&rest);
        let out = self.new_array(base.dtype, &out_shape, false, span);
        let out_data = self.data_of(out.desc);
        let out_strides = self.strides_of(&out);
        let at = self.declare_value_var(&PyValue::Scalar(zero, Scalar::I64));
        let dtype = base.dtype;
        if rest.is_empty() && !dtype.is_complex() {
            self.compress_branch_free(
                &shape,
                (data, &strides),
                (mask_data, &mask_strides),
                &out,
                n,
            )?;
            return Ok(out.value());
        }
        self.for_each_masked(&shape, mask_data, &mask_strides, &mut |this, idx| {
            let PyValue::Scalar(k, _) = this.use_value_var(&at) else {
                unreachable!("i64")
            };
            let idx = idx.to_vec();
            let _ = this.for_each_index(&rest, &mut |this, inner| {
                let mut src = idx.clone();
                src.extend_from_slice(inner);
                let from = this.address_at(data, &strides, &src);
                let v = this.load_scalar(from, dtype);
                let mut dst = vec![k];
                dst.extend_from_slice(inner);
                let to = this.address_at(out_data, &out_strides, &dst);
                this.store_scalar(to, dtype, v);
                Ok(())
            });
            let one = this.b.iconst(Ty::I64, 1);
            let k1 = this.b.binary(Op::Iadd, k, one);
            this.def_value_var(&at, &PyValue::Scalar(k1, Scalar::I64));
        })?;
        Ok(out.value())
    }

    /// The copy of `a[mask]`'s elements (a mask of every axis, real numbers) into `out`, which
    /// has room for the `n` selected ones, without a branch per element (a random mask
    /// mispredicts half of them): every element is stored at the next free place, which only
    /// a selected one then takes, so the next overwrites the others. Once all `n` are placed
    /// (`k == n`), the stores go to the last place with the value it holds, the last
    /// selected element.
    fn compress_branch_free(
        &mut self,
        shape: &[Value],
        (data, strides): (Value, &[Value]),
        (mask_data, mask_strides): (Value, &[Value]),
        out: &ArrayRef,
        n: Value,
    ) -> LResult<()> {
        let dtype = out.dtype;
        let out_data = self.data_of(out.desc);
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let any = self.b.icmp(IntCC::Sgt, n, zero);
        let (run, done) = (self.create_block(), self.create_block());
        self.brif(any, run, done);
        self.seal(run);
        self.switch_to(run);
        let last_place = self.b.binary(Op::Isub, n, one);
        let size = self.strides_of(out)[0];
        let at = self.declare_value_var(&PyValue::Scalar(zero, Scalar::I64));
        let nothing = self.scalar_const(dtype, 0.0);
        let last = self.declare_value_var(&PyValue::Scalar(nothing, dtype));
        self.for_each_index(shape, &mut |this, idx| {
            let m = this.address_at(mask_data, mask_strides, idx);
            let PyValue::Scalar(bit, _) = this.load_scalar(m, Scalar::Bool) else {
                unreachable!("bool")
            };
            let from = this.address_at(data, strides, idx);
            let PyValue::Scalar(v, _) = this.load_scalar(from, dtype) else {
                unreachable!("a real element")
            };
            let (PyValue::Scalar(k, _), PyValue::Scalar(previous, _)) =
                (this.use_value_var(&at), this.use_value_var(&last))
            else {
                unreachable!("scalars")
            };
            let placed = this.b.select(bit, v, previous);
            let in_range = this.b.icmp(IntCC::Slt, k, n);
            let place = this.b.select(in_range, k, last_place);
            let value = this.b.select(in_range, v, placed);
            let offset = this.b.binary(Op::Imul, place, size);
            let to = this.b.binary(Op::Iadd, out_data, offset);
            this.store_scalar(to, dtype, PyValue::Scalar(value, dtype));
            let step = this.b.convert(Op::Uext, bit, Ty::I64);
            let k1 = this.b.binary(Op::Iadd, k, step);
            this.def_value_var(&at, &PyValue::Scalar(k1, Scalar::I64));
            this.def_value_var(&last, &PyValue::Scalar(placed, dtype));
            Ok(())
        })?;
        self.jump(done, &[]);
        self.seal(done);
        self.switch_to(done);
        Ok(())
    }

    /// `a[mask] = value`: `value` (a number) stored where `mask` is true.
    pub(crate) fn lower_mask_store(
        &mut self,
        base: &ArrayRef,
        mask: &ArrayRef,
        value: PyValue,
        span: Span,
    ) -> LResult<()> {
        if value.scalar_type().is_none() {
            return Err(unsupported(
                "only a number can be assigned through a boolean mask",
                span,
            ));
        }
        let value = self.coerce(value, &Type::Scalar(base.dtype));
        let full_shape = self.shape_of(base);
        let strides = self.strides_of(base);
        let data = self.data_of(base.desc);
        let (shape, rest) = full_shape.split_at(mask.ndim as usize);
        let (shape, rest) = (shape.to_vec(), rest.to_vec());
        let (mask_data, mask_strides) = self.checked_mask(mask, &shape, span);
        let dtype = base.dtype;
        self.for_each_masked(&shape, mask_data, &mask_strides, &mut |this, idx| {
            let idx = idx.to_vec();
            let _ = this.for_each_index(&rest, &mut |this, inner| {
                let mut at = idx.clone();
                at.extend_from_slice(inner);
                let to = this.address_at(data, &strides, &at);
                this.store_scalar(to, dtype, value.clone());
                Ok(())
            });
        })
    }

    /// Runs `body(indices)` over the indices of `shape` (C order) where the mask is true.
    fn for_each_masked(
        &mut self,
        shape: &[Value],
        mask_data: Value,
        mask_strides: &[Value],
        body: &mut dyn FnMut(&mut Self, &[Value]),
    ) -> LResult<()> {
        self.for_each_index(shape, &mut |this, idx| {
            let m = this.address_at(mask_data, mask_strides, idx);
            let PyValue::Scalar(bit, _) = this.load_scalar(m, Scalar::Bool) else {
                unreachable!("bool")
            };
            let take = this.create_block();
            let next = this.create_block();
            this.brif(bit, take, next);
            this.seal(take);
            this.switch_to(take);
            body(this, idx);
            this.jump(next, &[]);
            this.seal(next);
            this.switch_to(next);
            Ok(())
        })
    }
}

/// True if `index` contains a slice.
pub(crate) fn has_slice(index: &Expr) -> bool {
    match &index.kind {
        ExprKind::Tuple(items) => items
            .iter()
            .any(|i| matches!(i.kind, ExprKind::Slice { .. })),
        ExprKind::Slice { .. } | ExprKind::Ellipsis => true,
        _ => false,
    }
}

/// The items of an index into an array of `ndim` axes, one per axis they index, with `...`
/// expanded: `None` for each axis it stands for (kept whole).
pub(crate) fn index_items(index: &Expr, ndim: usize) -> Vec<Option<&Expr>> {
    let items: Vec<&Expr> = match &index.kind {
        ExprKind::Tuple(items) => items.iter().collect(),
        _ => vec![index],
    };
    let others = items
        .iter()
        .filter(|i| !matches!(i.kind, ExprKind::Ellipsis))
        .count();
    let mut out = Vec::with_capacity(ndim.max(items.len()));
    for item in items {
        match item.kind {
            ExprKind::Ellipsis => {
                out.extend(std::iter::repeat_n(None, ndim.saturating_sub(others)))
            }
            _ => out.push(Some(item)),
        }
    }
    out
}
