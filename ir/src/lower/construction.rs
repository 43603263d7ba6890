//! Lowering of NumPy's construction and shape functions (typed in
//! `typeinfer/src/infer/numpy_shape.rs`).
//!
//! New arrays: `np.array`/`np.asarray` (a tree of tuples and lists of numbers and arrays
//! written into a new C-contiguous array; lists' lengths checked at run time), `np.ascontiguousarray`, joins (`np.concatenate` along any axis,
//! `np.stack`, `np.vstack`, `np.hstack`, `np.column_stack`: every part copied into its slab of
//! the result, a part of lower rank first viewed with a unit axis), `np.diff`, `np.roll`,
//! `np.outer`, `np.cross`, `np.interp` (NumPy's C algorithm). Views: `np.expand_dims` and
//! `np.transpose` only rewrite a descriptor. Tests: `np.array_equal`, `np.allclose`; and
//! `a.item()`.

use super::array_fns::ArrayRef;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{BinOp, Expr, ExprKind};
use runtime::error::ExceptionKind;
use typeinfer::{ArrayFn, Layout, Scalar, Type};

/// The rank of the array `np.array` makes of a value of type `ty` (numbers 0).
fn tree_rank(ty: &Type) -> usize {
    match ty {
        Type::Array { ndim, .. } => usize::from(*ndim),
        Type::List { item, .. } => 1 + tree_rank(item),
        Type::Tuple(items) => 1 + items.first().map_or(0, tree_rank),
        _ => 0,
    }
}

/// A literal axis of a call, normalised for rank `ndim` (typing has checked its range).
fn literal_axis(e: Option<&Expr>, ndim: u32, default: usize) -> usize {
    match e.and_then(super::array::constant_int) {
        Some(k) if k < 0 => (k + i64::from(ndim)) as usize,
        Some(k) => k as usize,
        None => default,
    }
}

impl Lowerer<'_, '_> {
    /// A construction or shape call `f`: `arg` gives the lowered arguments, `expr_arg` the
    /// bound expressions (literal axes), `varargs` the positional axes of `a.transpose(1, 0)`.
    pub(crate) fn lower_shape_call<'e>(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> LoweredArg,
        expr_arg: &dyn Fn(&str) -> Option<&'e Expr>,
        varargs: Option<&[Expr]>,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        use ArrayFn::*;
        let array = |name: &str| {
            arg(name)
                .and_then(|(v, _)| ArrayRef::of(&v))
                .ok_or_else(|| unsupported(format!("{}() of this value", f.name()), span))
        };
        let (out_dtype, out_ndim) = match result_ty {
            Type::Array { dtype, ndim, .. } => (*dtype, u32::from(*ndim)),
            other => (other.as_scalar().unwrap_or(Scalar::F64), 0),
        };
        let parts = |name: &str| -> LResult<Vec<ArrayRef>> {
            match arg(name) {
                Some((PyValue::Tuple(items), _)) => {
                    Ok(items.iter().filter_map(ArrayRef::of).collect())
                }
                _ => Err(unsupported(format!("{}() of this value", f.name()), span)),
            }
        };
        Ok(match f {
            Array | Asarray => {
                let (object, object_ty) = arg("object").expect("required");
                if f == Asarray && &object_ty == result_ty {
                    return Ok(object);
                }
                self.array_from_tree(&object, out_dtype, span)?.value()
            }
            Ascontiguousarray => {
                let a = array("a")?;
                if a.layout == Layout::C && a.dtype == out_dtype {
                    a.value()
                } else {
                    self.copy_array(&a, out_dtype, span).value()
                }
            }
            Concatenate => {
                let parts = parts("arrays")?;
                let axis = literal_axis(expr_arg("axis"), out_ndim, 0);
                self.concatenate_along(&parts, axis, out_dtype, span)
                    .value()
            }
            Stack | Vstack | Hstack | ColumnStack => {
                let name = if f == Stack { "arrays" } else { "tup" };
                let parts = parts(name)?;
                let ndim = parts[0].ndim;
                // (unit axis to insert into each part, the axis to join along)
                let (insert, along) = match f {
                    Stack => {
                        let axis = literal_axis(expr_arg("axis"), ndim + 1, 0);
                        (Some(axis), axis)
                    }
                    Vstack => (if ndim == 1 { Some(0) } else { None }, 0),
                    Hstack => (None, if ndim == 1 { 0 } else { 1 }),
                    _ => (if ndim == 1 { Some(1) } else { None }, 1),
                };
                let parts: Vec<ArrayRef> = match insert {
                    Some(at) => parts.iter().map(|p| self.with_unit_axis(p, at)).collect(),
                    None => parts,
                };
                self.concatenate_along(&parts, along, out_dtype, span)
                    .value()
            }
            Diff => {
                let a = array("a")?;
                let axis = literal_axis(expr_arg("axis"), a.ndim, a.ndim as usize - 1);
                let n = arg("n");
                self.along_axis_via_last(&a, axis, span, &mut |this, a| {
                    this.lower_diff(a, n.clone(), span)
                })?
                .value()
            }
            Roll => {
                let a = array("a")?;
                let (shift, _) = arg("shift").expect("required");
                match expr_arg("axis").and_then(super::array::constant_int) {
                    Some(_) => {
                        let axis = literal_axis(expr_arg("axis"), a.ndim, 0);
                        self.roll_along(&a, shift, axis, span)?.value()
                    }
                    None => self.lower_roll(&a, shift, span)?.value(),
                }
            }
            Outer => {
                let (a, b) = (array("a")?, array("b")?);
                self.lower_outer(&a, &b, out_dtype, span)?.value()
            }
            Cross => {
                let (a, b) = (array("a")?, array("b")?);
                self.lower_cross(&a, &b, out_dtype, span)?.value()
            }
            Interp => {
                let (xp, fp) = (array("xp")?, array("fp")?);
                let x = arg("x").expect("required");
                self.lower_interp(x, &xp, &fp, arg("left"), arg("right"), result_ty, span)?
            }
            ExpandDims => {
                let a = array("a")?;
                let axis = literal_axis(expr_arg("axis"), a.ndim + 1, 0);
                self.with_unit_axis(&a, axis).value()
            }
            Transpose => {
                let a = array("a")?;
                let perm: Vec<usize> = match varargs {
                    Some(exprs) => typeinfer::transpose_axes(exprs, a.ndim as u8)
                        .map_err(|m| unsupported(m, span))?,
                    None => match expr_arg("axes").map(|e| &e.kind) {
                        Some(ExprKind::Tuple(items)) => {
                            typeinfer::transpose_axes(items, a.ndim as u8)
                                .map_err(|m| unsupported(m, span))?
                        }
                        _ => (0..a.ndim as usize).rev().collect(),
                    },
                };
                let shape = self.shape_of(&a);
                let strides = self.strides_of(&a);
                let data = self.data_of(a.desc);
                let new_shape: Vec<Value> = perm.iter().map(|&p| shape[p]).collect();
                let new_strides: Vec<Value> = perm.iter().map(|&p| strides[p]).collect();
                let desc = self.make_descriptor(a.desc, data, &new_shape, &new_strides);
                PyValue::Array(desc, result_ty.clone())
            }
            ArrayEqual | Allclose => {
                let names = if f == ArrayEqual {
                    ["a1", "a2"]
                } else {
                    ["a", "b"]
                };
                let x = arg(names[0]).expect("required");
                let y = arg(names[1]).expect("required");
                let options = (f == Allclose).then(|| (arg("rtol"), arg("atol"), arg("equal_nan")));
                self.lower_all_equal(x, y, options, span)?
            }
            Item => {
                let a = array("a")?;
                let shape = self.shape_of(&a);
                let size = self.product(&shape);
                let one = self.b.iconst(Ty::I64, 1);
                let not_one = self.b.icmp(IntCC::Ne, size, one);
                self.raise_if(
                    not_one,
                    ExceptionKind::ValueError,
                    "can only convert an array of size 1 to a Python scalar",
                    span,
                    &[],
                );
                let data = self.data_of(a.desc);
                self.load_scalar(data, a.dtype)
            }
            other => return Err(unsupported(format!("{}() here", other.name()), span)),
        })
    }

    /// The extents of a tuple tree of numbers and arrays (`np.array`'s argument), checking that
    /// the arrays in it agree.
    fn tree_shape(&mut self, value: &PyValue, span: Span) -> LResult<Vec<Value>> {
        match value {
            PyValue::Tuple(items) => {
                let mut shape = vec![self.b.iconst(Ty::I64, items.len() as i64)];
                let first = self.tree_shape(&items[0], span)?;
                for item in &items[1..] {
                    let other = self.tree_shape(item, span)?;
                    for (&x, &y) in first.iter().zip(&other) {
                        let differ = self.b.icmp(IntCC::Ne, x, y);
                        self.raise_if(
                            differ,
                            ExceptionKind::ValueError,
                            "setting an array element with a sequence. The requested array \
                             has an inhomogeneous shape",
                            span,
                            &[],
                        );
                    }
                }
                shape.extend(first);
                Ok(shape)
            }
            PyValue::Array(..) => {
                let a = ArrayRef::of(value).expect("an array");
                Ok(self.shape_of(&a))
            }
            PyValue::List(list, ty) => {
                // Its length, then the shape every item must share (zeros when empty).
                let item = ty.list_item().cloned().expect("a list type");
                let len = self.list_len(*list);
                let rank = tree_rank(&item);
                let zero = self.b.iconst(Ty::I64, 0);
                let zeros = (0..rank)
                    .map(|_| PyValue::Scalar(zero, Scalar::I64))
                    .collect();
                let inner = self.declare_value_var(&PyValue::Tuple(zeros));
                let list = *list;
                self.counted_loop(len, &mut |this, i| {
                    let value = this.load_list_item(list, &item, i);
                    let extents = this.tree_shape(&value, span)?;
                    let PyValue::Tuple(known) = this.use_value_var(&inner) else {
                        unreachable!("a tuple")
                    };
                    let first = this.b.icmp(IntCC::Eq, i, zero);
                    let mut agreed = Vec::new();
                    for (&x, k) in extents.iter().zip(known) {
                        let PyValue::Scalar(k, _) = k else {
                            unreachable!("an extent")
                        };
                        let expected = this.b.select(first, x, k);
                        let differ = this.b.icmp(IntCC::Ne, x, expected);
                        this.raise_if(
                            differ,
                            ExceptionKind::ValueError,
                            "setting an array element with a sequence. The requested array \
                             has an inhomogeneous shape",
                            span,
                            &[],
                        );
                        agreed.push(PyValue::Scalar(expected, Scalar::I64));
                    }
                    this.def_value_var(&inner, &PyValue::Tuple(agreed));
                    Ok(())
                })?;
                let PyValue::Tuple(known) = self.use_value_var(&inner) else {
                    unreachable!("a tuple")
                };
                let mut shape = vec![len];
                shape.extend(known.iter().map(|k| match k {
                    PyValue::Scalar(v, _) => *v,
                    _ => unreachable!("an extent"),
                }));
                Ok(shape)
            }
            _ => Ok(Vec::new()),
        }
    }

    /// A new C-contiguous array of `dtype` holding the tuple tree `value`.
    fn array_from_tree(&mut self, value: &PyValue, dtype: Scalar, span: Span) -> LResult<ArrayRef> {
        let shape = self.tree_shape(value, span)?;
        let out = self.new_array(dtype, &shape, false, span);
        let strides = self.strides_of(&out);
        let data = self.data_of(out.desc);
        self.write_tree(value, data, &strides, &mut Vec::new(), dtype)?;
        Ok(out)
    }

    fn write_tree(
        &mut self,
        value: &PyValue,
        data: Value,
        strides: &[Value],
        prefix: &mut Vec<Value>,
        dtype: Scalar,
    ) -> LResult<()> {
        match value {
            PyValue::Tuple(items) => {
                for (i, item) in items.iter().enumerate() {
                    prefix.push(self.b.iconst(Ty::I64, i as i64));
                    self.write_tree(item, data, strides, prefix, dtype)?;
                    prefix.pop();
                }
                Ok(())
            }
            PyValue::List(list, ty) => {
                let item = ty.list_item().cloned().expect("a list type");
                let len = self.list_len(*list);
                let list = *list;
                let prefix = prefix.clone();
                self.counted_loop(len, &mut |this, i| {
                    let value = this.load_list_item(list, &item, i);
                    let mut at = prefix.clone();
                    at.push(i);
                    this.write_tree(&value, data, strides, &mut at, dtype)
                })
            }
            PyValue::Array(..) => {
                let a = ArrayRef::of(value).expect("an array");
                let shape = self.shape_of(&a);
                let (a_strides, a_data) = (self.strides_of(&a), self.data_of(a.desc));
                let prefix = prefix.clone();
                self.for_each_index(&shape, &mut |this, idx| {
                    let from = this.address_at(a_data, &a_strides, idx);
                    let v = this.load_scalar(from, a.dtype);
                    let mut at = prefix.clone();
                    at.extend_from_slice(idx);
                    let to = this.address_at(data, strides, &at);
                    this.store_scalar(to, dtype, v);
                    Ok(())
                })
            }
            scalar => {
                let to = self.address_at(data, strides, prefix);
                self.store_scalar(to, dtype, scalar.clone());
                Ok(())
            }
        }
    }

    /// A view of `a` with a unit axis inserted at `at`.
    fn with_unit_axis(&mut self, a: &ArrayRef, at: usize) -> ArrayRef {
        let mut shape = self.shape_of(a);
        let mut strides = self.strides_of(a);
        let one = self.b.iconst(Ty::I64, 1);
        let zero = self.b.iconst(Ty::I64, 0);
        shape.insert(at, one);
        strides.insert(at, zero);
        let data = self.data_of(a.desc);
        let desc = self.make_descriptor(a.desc, data, &shape, &strides);
        ArrayRef {
            desc,
            dtype: a.dtype,
            ndim: a.ndim + 1,
            layout: Layout::A,
        }
    }

    /// `parts` (of one rank) joined along `axis` into a new array of `dtype`; the other
    /// extents must agree.
    pub(crate) fn concatenate_along(
        &mut self,
        parts: &[ArrayRef],
        axis: usize,
        dtype: Scalar,
        span: Span,
    ) -> ArrayRef {
        let first = self.shape_of(&parts[0]);
        let mut total = self.b.iconst(Ty::I64, 0);
        let mut shapes = Vec::new();
        for p in parts {
            let shape = self.shape_of(p);
            for k in (0..shape.len()).filter(|&k| k != axis) {
                let differ = self.b.icmp(IntCC::Ne, shape[k], first[k]);
                let k_v = self.b.iconst(Ty::I64, k as i64);
                self.raise_if(
                    differ,
                    ExceptionKind::ValueError,
                    "all the input array dimensions except for the concatenation axis must \
                     match exactly, but along dimension {} the arrays have sizes {} and {}",
                    span,
                    &[k_v, first[k], shape[k]],
                );
            }
            total = self.b.binary(Op::Iadd, total, shape[axis]);
            shapes.push(shape);
        }
        let mut out_shape = first.clone();
        out_shape[axis] = total;
        let out = self.new_array(dtype, &out_shape, false, span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let mut offset = self.b.iconst(Ty::I64, 0);
        for (p, shape) in parts.iter().zip(&shapes) {
            let bytes = self.b.binary(Op::Imul, offset, out_strides[axis]);
            let data = self.b.binary(Op::Iadd, out_data, bytes);
            let desc = self.make_descriptor(out.desc, data, shape, &out_strides);
            let dst = ArrayRef {
                desc,
                dtype,
                ndim: out.ndim,
                layout: Layout::A,
            };
            self.copy_elements(p, &dst, shape);
            offset = self.b.binary(Op::Iadd, offset, shape[axis]);
        }
        out
    }

    /// `np.diff(a, n=1)` along the last axis: `n` rounds of neighbour differences (`!=` for
    /// bools), on a copy.
    fn lower_diff(&mut self, a: &ArrayRef, n: LoweredArg, span: Span) -> LResult<ArrayRef> {
        let n = match n {
            Some((PyValue::Scalar(v, s), _)) => self.cast_real(v, s, Scalar::I64),
            _ => self.b.iconst(Ty::I64, 1),
        };
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let negative = self.b.icmp(IntCC::Slt, n, zero);
        self.raise_if(
            negative,
            ExceptionKind::ValueError,
            "order must be non-negative but got {}",
            span,
            &[n],
        );
        let work = self.copy_array(a, a.dtype, span);
        let shape = self.shape_of(&work);
        let last = shape.len() - 1;
        let len = shape[last];
        let strides = self.strides_of(&work);
        let data = self.data_of(work.desc);
        let dtype = a.dtype;
        let t = Type::Scalar(dtype);
        let rows = shape[..last].to_vec();
        // Round k (1..=n) leaves len - k valid differences at the front of each row.
        let rounds = self.b.binary(Op::Smin, n, len);
        self.counted_loop(rounds, &mut |this, k| {
            let k1 = this.b.binary(Op::Iadd, k, one);
            let valid = this.b.binary(Op::Isub, len, k1);
            let strides = strides.clone();
            this.for_each_index(&rows, &mut |this, row| {
                this.counted_loop(valid, &mut |this, i| {
                    let mut at = row.to_vec();
                    at.push(i);
                    let here = this.address_at(data, &strides, &at);
                    at[last] = this.b.binary(Op::Iadd, i, one);
                    let next = this.address_at(data, &strides, &at);
                    let x = this.load_scalar(here, dtype);
                    let y = this.load_scalar(next, dtype);
                    let d = if dtype.is_bool() {
                        let (PyValue::Scalar(x, _), PyValue::Scalar(y, _)) = (x, y) else {
                            unreachable!("bools")
                        };
                        let xi = this.b.convert(Op::Uext, x, Ty::I64);
                        let yi = this.b.convert(Op::Uext, y, Ty::I64);
                        PyValue::Scalar(this.b.icmp(IntCC::Ne, xi, yi), Scalar::Bool)
                    } else {
                        this.wrapping_difference(y, x, &t, span)?
                    };
                    this.store_scalar(here, dtype, d);
                    Ok(())
                })
            })
        })?;
        let kept = self.b.binary(Op::Isub, len, n);
        let kept = self.b.binary(Op::Smax, kept, zero);
        let mut out_shape = shape.clone();
        out_shape[last] = kept;
        let view_desc = self.make_descriptor(work.desc, data, &out_shape, &strides);
        let view = ArrayRef {
            desc: view_desc,
            dtype,
            ndim: work.ndim,
            layout: Layout::A,
        };
        Ok(self.copy_array(&view, dtype, span))
    }

    /// `y - x` in dtype `t`, wrapping for integers.
    fn wrapping_difference(
        &mut self,
        y: PyValue,
        x: PyValue,
        t: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        match (&y, &x) {
            (PyValue::Scalar(a, s), PyValue::Scalar(b, _)) if s.is_int() => {
                Ok(PyValue::Scalar(self.b.binary(Op::Isub, *a, *b), *s))
            }
            _ => {
                let d = self.binary_op(BinOp::Sub, y, t, x, t, span)?;
                Ok(self.coerce(d, t))
            }
        }
    }

    /// `a` as a C-contiguous array (a copy where it is not one).
    fn c_contiguous(&mut self, a: &ArrayRef, span: Span) -> ArrayRef {
        if a.layout == Layout::C {
            *a
        } else {
            self.copy_array(a, a.dtype, span)
        }
    }

    /// `np.roll(a, shift)`: the flattened elements moved `shift` places on, cyclically.
    fn lower_roll(&mut self, a: &ArrayRef, shift: PyValue, span: Span) -> LResult<ArrayRef> {
        let PyValue::Scalar(shift, s) = shift else {
            return Err(unsupported("roll() shift", span));
        };
        let shift = self.cast_real(shift, s, Scalar::I64);
        let src = self.c_contiguous(a, span);
        let shape = self.shape_of(&src);
        let n = self.product(&shape);
        let out = self.new_array(a.dtype, &shape, false, span);
        let (src_data, out_data) = (self.data_of(src.desc), self.data_of(out.desc));
        let itemsize = self.b.iconst(Ty::I64, a.dtype.size_bytes() as i64);
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let nonempty = self.b.icmp(IntCC::Sgt, n, zero);
        let safe_n = self.b.binary(Op::Smax, n, one);
        // Python's modulo: a non-negative start.
        let r = self.b.binary(Op::Srem, shift, safe_n);
        let negative = self.b.icmp(IntCC::Slt, r, zero);
        let wrapped = self.b.binary(Op::Iadd, r, safe_n);
        let start = self.b.select(negative, wrapped, r);
        let dtype = a.dtype;
        self.when_true(nonempty, &mut |this| {
            this.counted_loop(n, &mut |this, i| {
                let j = this.b.binary(Op::Iadd, i, start);
                let past = this.b.icmp(IntCC::Sge, j, n);
                let j_wrapped = this.b.binary(Op::Isub, j, n);
                let j = this.b.select(past, j_wrapped, j);
                let from_off = this.b.binary(Op::Imul, i, itemsize);
                let from = this.b.binary(Op::Iadd, src_data, from_off);
                let to_off = this.b.binary(Op::Imul, j, itemsize);
                let to = this.b.binary(Op::Iadd, out_data, to_off);
                let v = this.load_scalar(from, dtype);
                this.store_scalar(to, dtype, v);
                Ok(())
            })
        })?;
        Ok(out)
    }

    /// `np.outer(a, b)`: `out[i, j] = a.flat[i] * b.flat[j]`.
    fn lower_outer(
        &mut self,
        a: &ArrayRef,
        b: &ArrayRef,
        dtype: Scalar,
        span: Span,
    ) -> LResult<ArrayRef> {
        let (a, b) = (self.c_contiguous(a, span), self.c_contiguous(b, span));
        let a_shape = self.shape_of(&a);
        let b_shape = self.shape_of(&b);
        let na = self.product(&a_shape);
        let nb = self.product(&b_shape);
        let out = self.new_array(dtype, &[na, nb], false, span);
        let out_strides = self.strides_of(&out);
        let (a_data, b_data, out_data) = (
            self.data_of(a.desc),
            self.data_of(b.desc),
            self.data_of(out.desc),
        );
        let a_size = self.b.iconst(Ty::I64, a.dtype.size_bytes() as i64);
        let b_size = self.b.iconst(Ty::I64, b.dtype.size_bytes() as i64);
        let t = Type::Scalar(dtype);
        self.for_each_index(&[na, nb], &mut |this, idx| {
            let ao = this.b.binary(Op::Imul, idx[0], a_size);
            let bo = this.b.binary(Op::Imul, idx[1], b_size);
            let pa = this.b.binary(Op::Iadd, a_data, ao);
            let pb = this.b.binary(Op::Iadd, b_data, bo);
            let x = this.load_scalar(pa, a.dtype);
            let y = this.load_scalar(pb, b.dtype);
            let x = this.coerce(x, &t);
            let y = this.coerce(y, &t);
            let p = this.binary_op(BinOp::Mult, x, &t, y, &t, span)?;
            let to = this.address_at(out_data, &out_strides, idx);
            this.store_scalar(to, dtype, p);
            Ok(())
        })?;
        Ok(out)
    }

    /// `np.cross(a, b)` of two 3-vectors.
    fn lower_cross(
        &mut self,
        a: &ArrayRef,
        b: &ArrayRef,
        dtype: Scalar,
        span: Span,
    ) -> LResult<ArrayRef> {
        let three = self.b.iconst(Ty::I64, 3);
        for v in [a, b] {
            let n = self.array_dim(v.desc, 0);
            let wrong = self.b.icmp(IntCC::Ne, n, three);
            self.raise_if(
                wrong,
                ExceptionKind::ValueError,
                "incompatible dimensions for cross product (ferrojit supports vectors of 3 \
                 elements)",
                span,
                &[],
            );
        }
        let t = Type::Scalar(dtype);
        let load = |this: &mut Self, v: &ArrayRef, i: i64| {
            let strides = this.strides_of(v);
            let data = this.data_of(v.desc);
            let i = this.b.iconst(Ty::I64, i);
            let p = this.address_at(data, &strides, &[i]);
            let x = this.load_scalar(p, v.dtype);
            this.coerce(x, &t)
        };
        let av: Vec<PyValue> = (0..3).map(|i| load(self, a, i)).collect();
        let bv: Vec<PyValue> = (0..3).map(|i| load(self, b, i)).collect();
        let out = self.new_array(dtype, &[three], false, span);
        let out_data = self.data_of(out.desc);
        // NumPy: cp0 = a1*b2 - a2*b1, cp1 = a2*b0 - a0*b2, cp2 = a0*b1 - a1*b0.
        for (k, (i, j)) in [(1, 2), (2, 0), (0, 1)].into_iter().enumerate() {
            let p = self.binary_op(BinOp::Mult, av[i].clone(), &t, bv[j].clone(), &t, span)?;
            let q = self.binary_op(BinOp::Mult, av[j].clone(), &t, bv[i].clone(), &t, span)?;
            let p = self.coerce(p, &t);
            let q = self.coerce(q, &t);
            let c = self.wrapping_difference(p, q, &t, span)?;
            let off = self
                .b
                .iconst(Ty::I64, (k as u32 * dtype.size_bytes()) as i64);
            let to = self.b.binary(Op::Iadd, out_data, off);
            self.store_scalar(to, dtype, c);
        }
        Ok(out)
    }

    /// `np.interp(x, xp, fp, left=None, right=None)`, as NumPy's C loop computes it.
    #[allow(clippy::too_many_arguments)]
    fn lower_interp(
        &mut self,
        x: (PyValue, Type),
        xp: &ArrayRef,
        fp: &ArrayRef,
        left: LoweredArg,
        right: LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let n = self.array_dim(xp.desc, 0);
        let m = self.array_dim(fp.desc, 0);
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let empty = self.b.icmp(IntCC::Eq, n, zero);
        self.raise_if(
            empty,
            ExceptionKind::ValueError,
            "array of sample points is empty",
            span,
            &[],
        );
        let differ = self.b.icmp(IntCC::Ne, n, m);
        self.raise_if(
            differ,
            ExceptionKind::ValueError,
            "fp and xp are not of the same length.",
            span,
            &[],
        );
        let no = self.b.bconst(false);
        let (xp, fp) = (*xp, *fp);
        let last = self.b.binary(Op::Isub, n, one);
        let fp_first = self.element_as(&fp, n, no, zero, Scalar::F64);
        let fp_last = self.element_as(&fp, n, no, last, Scalar::F64);
        let xp_last = self.element_as(&xp, n, no, last, Scalar::F64);
        let bound = |this: &mut Self, v: LoweredArg, default: Value| match v {
            Some((PyValue::Scalar(v, s), _)) => this.cast_real(v, s, Scalar::F64),
            _ => default,
        };
        let lval = bound(self, left, fp_first);
        let rval = bound(self, right, fp_last);
        let (xv, xt) = x;
        let value_at = |this: &mut Self, xs: Value| -> LResult<Value> {
            let result = this.declare_value_var(&PyValue::Scalar(xs, Scalar::F64));
            // NaN gives NaN, except with one sample point (NumPy: fp[0] then).
            let x_num = {
                let nan = this.is_nan(xs);
                let number = this.b.ins(Op::Not, &[nan], Ty::Bool);
                let single = this.b.icmp(IntCC::Eq, n, one);
                this.b.ins(Op::Or, &[number, single], Ty::Bool)
            };
            this.when_true(x_num, &mut |this| {
                let right_side = this.b.bconst(true);
                let pos = this.search_sorted(&xp, n, no, xs, Scalar::F64, right_side)?;
                let j = this.b.binary(Op::Isub, pos, one);
                let beyond = this.b.fcmp(FloatCC::Gt, xs, xp_last);
                let before = this.b.icmp(IntCC::Slt, j, zero);
                let at_last = this.b.icmp(IntCC::Sge, j, last);
                // Interior: slope * (x - xp[j]) + fp[j], retried from xp[j + 1] on NaN.
                let jj = this.b.binary(Op::Smax, j, zero);
                let jj = this.b.binary(Op::Smin, jj, last);
                let j1 = this.b.binary(Op::Iadd, jj, one);
                let j1 = this.b.binary(Op::Smin, j1, last);
                let x0 = this.element_as(&xp, n, no, jj, Scalar::F64);
                let x1 = this.element_as(&xp, n, no, j1, Scalar::F64);
                let y0 = this.element_as(&fp, n, no, jj, Scalar::F64);
                let y1 = this.element_as(&fp, n, no, j1, Scalar::F64);
                let dy = this.b.binary(Op::Fsub, y1, y0);
                let dx = this.b.binary(Op::Fsub, x1, x0);
                let slope = this.b.binary(Op::Fdiv, dy, dx);
                let from0 = this.b.binary(Op::Fsub, xs, x0);
                let v0 = this.b.binary(Op::Fmul, slope, from0);
                let v0 = this.b.binary(Op::Fadd, v0, y0);
                let from1 = this.b.binary(Op::Fsub, xs, x1);
                let v1 = this.b.binary(Op::Fmul, slope, from1);
                let v1 = this.b.binary(Op::Fadd, v1, y1);
                let v0_nan = this.is_nan(v0);
                let v = this.b.select(v0_nan, v1, v0);
                let v_nan = this.is_nan(v);
                let flat = this.b.fcmp(FloatCC::Eq, y0, y1);
                let use_y0 = this.b.ins(Op::And, &[v_nan, flat], Ty::Bool);
                let v = this.b.select(use_y0, y0, v);
                let exact = this.b.fcmp(FloatCC::Eq, x0, xs);
                let v = this.b.select(exact, y0, v);
                let v = this.b.select(at_last, fp_last, v);
                let v = this.b.select(before, lval, v);
                let v = this.b.select(beyond, rval, v);
                this.def_value_var(&result, &PyValue::Scalar(v, Scalar::F64));
                Ok(())
            })?;
            match this.use_value_var(&result) {
                PyValue::Scalar(v, _) => Ok(v),
                _ => unreachable!("float"),
            }
        };
        match (&xv, &xt) {
            (PyValue::Scalar(v, s), _) => {
                let xs = self.cast_real(*v, *s, Scalar::F64);
                Ok(PyValue::Scalar(value_at(self, xs)?, Scalar::F64))
            }
            _ => {
                let xa = ArrayRef::of(&xv).ok_or_else(|| unsupported("interp() x", span))?;
                let shape = self.shape_of(&xa);
                let Type::Array { .. } = result_ty else {
                    return Err(unsupported("interp() result", span));
                };
                let out = self.new_array(Scalar::F64, &shape, false, span);
                let (x_strides, x_data) = (self.strides_of(&xa), self.data_of(xa.desc));
                let out_strides = self.strides_of(&out);
                let out_data = self.data_of(out.desc);
                self.for_each_index(&shape, &mut |this, idx| {
                    let p = this.address_at(x_data, &x_strides, idx);
                    let PyValue::Scalar(v, s) = this.load_scalar(p, xa.dtype) else {
                        return Err(unsupported("complex x", span));
                    };
                    let xs = this.cast_real(v, s, Scalar::F64);
                    let r = value_at(this, xs)?;
                    let to = this.address_at(out_data, &out_strides, idx);
                    this.store_scalar(to, Scalar::F64, PyValue::Scalar(r, Scalar::F64));
                    Ok(())
                })?;
                Ok(out.value())
            }
        }
    }

    /// `np.array_equal(x, y)` (`options` none) or `np.allclose(x, y, rtol, atol, equal_nan)`:
    /// same shape and every pair of elements equal (close).
    fn lower_all_equal(
        &mut self,
        x: (PyValue, Type),
        y: (PyValue, Type),
        options: Option<(LoweredArg, LoweredArg, LoweredArg)>,
        span: Span,
    ) -> LResult<PyValue> {
        let yes = self.b.bconst(true);
        let result = self.declare_value_var(&PyValue::Scalar(yes, Scalar::Bool));
        let (xv, xt) = x;
        let (yv, yt) = y;
        let element_type = |t: &Type| match t {
            Type::Array { dtype, .. } => *dtype,
            other => other.as_scalar().unwrap_or(Scalar::F64),
        };
        let common = typeinfer::rules::promote(element_type(&xt), element_type(&yt));
        let tolerances = match &options {
            Some((rtol, atol, equal_nan)) => {
                let as_f64 = |this: &mut Self, v: &LoweredArg, default: f64| match v {
                    Some((PyValue::Scalar(v, s), _)) => this.cast_real(*v, *s, Scalar::F64),
                    _ => this.b.fconst(Ty::F64, default),
                };
                let rtol = as_f64(self, rtol, 1e-5);
                let atol = as_f64(self, atol, 1e-8);
                let equal_nan = match equal_nan {
                    Some((v, _)) => self.truthy(v),
                    None => self.b.bconst(false),
                };
                Some((rtol, atol, equal_nan))
            }
            None => None,
        };
        let pair_ok = |this: &mut Self, a: PyValue, b: PyValue| -> LResult<Value> {
            let (a_whole, b_whole) = (a.clone(), b.clone());
            let a = this.coerce(a, &Type::Scalar(common));
            let b = this.coerce(b, &Type::Scalar(common));
            let parts = |v: PyValue| v.flat_values();
            let (a_parts, b_parts) = (parts(a), parts(b));
            let mut ok = this.b.bconst(true);
            for (&p, &q) in a_parts.iter().zip(&b_parts) {
                let same = match tolerances {
                    None => this.scalars_equal_of(p, q, common),
                    // Complex: NumPy's modulus of the difference, not each part alone.
                    Some(_) if common.is_complex() => continue,
                    Some((rtol, atol, equal_nan)) => {
                        let p = this.cast_real(p, common.real_part(), Scalar::F64);
                        let q = this.cast_real(q, common.real_part(), Scalar::F64);
                        // NumPy: |a - b| <= atol + rtol * |b|, infinities equal only to
                        // themselves, NaN equal to NaN with equal_nan.
                        let d = this.b.binary(Op::Fsub, p, q);
                        let d = this.b.unary(Op::Fabs, d);
                        let bq = this.b.unary(Op::Fabs, q);
                        let scaled = this.b.binary(Op::Fmul, rtol, bq);
                        let bound = this.b.binary(Op::Fadd, atol, scaled);
                        let close = this.b.fcmp(FloatCC::Le, d, bound);
                        let equal = this.b.fcmp(FloatCC::Eq, p, q);
                        let p_inf = this.not_finite(p);
                        let q_inf = this.not_finite(q);
                        let infinite = this.b.ins(Op::Or, &[p_inf, q_inf], Ty::Bool);
                        let close = this.b.select(infinite, equal, close);
                        let p_nan = this.is_nan(p);
                        let q_nan = this.is_nan(q);
                        let both_nan = this.b.ins(Op::And, &[p_nan, q_nan], Ty::Bool);
                        let nan_ok = this.b.ins(Op::And, &[both_nan, equal_nan], Ty::Bool);
                        this.b.ins(Op::Or, &[close, nan_ok], Ty::Bool)
                    }
                };
                ok = this.b.ins(Op::And, &[ok, same], Ty::Bool);
            }
            if let (Some((rtol, atol, equal_nan)), true) = (tolerances, common.is_complex()) {
                let a = this.coerce(a_whole, &Type::Scalar(common));
                let b = this.coerce(b_whole, &Type::Scalar(common));
                ok = this.isclose_complex(&a, &b, rtol, atol, Some(equal_nan));
            }
            Ok(ok)
        };
        match (ArrayRef::of(&xv), ArrayRef::of(&yv)) {
            (Some(a), Some(b)) if a.ndim == b.ndim => {
                let a_shape = self.shape_of(&a);
                let b_shape = self.shape_of(&b);
                let mut same_shape = self.b.bconst(true);
                for (&p, &q) in a_shape.iter().zip(&b_shape) {
                    let eq = self.b.icmp(IntCC::Eq, p, q);
                    same_shape = self.b.ins(Op::And, &[same_shape, eq], Ty::Bool);
                }
                if options.is_some() {
                    let differ = self.b.ins(Op::Not, &[same_shape], Ty::Bool);
                    self.raise_if(
                        differ,
                        ExceptionKind::ValueError,
                        "operands could not be broadcast together (ferrojit's allclose needs \
                         equal shapes)",
                        span,
                        &[],
                    );
                }
                self.def_value_var(&result, &PyValue::Scalar(same_shape, Scalar::Bool));
                let (a_strides, a_data) = (self.strides_of(&a), self.data_of(a.desc));
                let (b_strides, b_data) = (self.strides_of(&b), self.data_of(b.desc));
                self.when_true(same_shape, &mut |this| {
                    this.for_each_index(&a_shape, &mut |this, idx| {
                        let pa = this.address_at(a_data, &a_strides, idx);
                        let pb = this.address_at(b_data, &b_strides, idx);
                        let x = this.load_scalar(pa, a.dtype);
                        let y = this.load_scalar(pb, b.dtype);
                        let ok = pair_ok(this, x, y)?;
                        let PyValue::Scalar(acc, _) = this.use_value_var(&result) else {
                            unreachable!("bool")
                        };
                        let acc = this.b.ins(Op::And, &[acc, ok], Ty::Bool);
                        this.def_value_var(&result, &PyValue::Scalar(acc, Scalar::Bool));
                        Ok(())
                    })
                })?;
                Ok(self.use_value_var(&result))
            }
            (None, None) => {
                let ok = pair_ok(self, xv, yv)?;
                Ok(PyValue::Scalar(ok, Scalar::Bool))
            }
            (Some(a), None) | (None, Some(a)) if options.is_some() => {
                // allclose broadcasts a number against every element.
                let number = if ArrayRef::of(&xv).is_some() { yv } else { xv };
                let shape = self.shape_of(&a);
                let (strides, data) = (self.strides_of(&a), self.data_of(a.desc));
                self.for_each_index(&shape, &mut |this, idx| {
                    let p = this.address_at(data, &strides, idx);
                    let x = this.load_scalar(p, a.dtype);
                    let ok = pair_ok(this, x, number.clone())?;
                    let PyValue::Scalar(acc, _) = this.use_value_var(&result) else {
                        unreachable!("bool")
                    };
                    let acc = this.b.ins(Op::And, &[acc, ok], Ty::Bool);
                    this.def_value_var(&result, &PyValue::Scalar(acc, Scalar::Bool));
                    Ok(())
                })?;
                Ok(self.use_value_var(&result))
            }
            // Different ranks (or an array and a number): never equal.
            _ => Ok(PyValue::Scalar(self.b.bconst(false), Scalar::Bool)),
        }
    }

    /// `x == y` of parts of dtype `s` (real parts for complex numbers).
    fn scalars_equal_of(&mut self, x: Value, y: Value, s: Scalar) -> Value {
        if s.is_float() || s.is_complex() {
            self.b.fcmp(FloatCC::Eq, x, y)
        } else if s.is_bool() {
            let xi = self.b.convert(Op::Uext, x, Ty::I64);
            let yi = self.b.convert(Op::Uext, y, Ty::I64);
            self.b.icmp(IntCC::Eq, xi, yi)
        } else {
            self.b.icmp(IntCC::Eq, x, y)
        }
    }

    /// `shape` with a negative extent (`-1`: "whatever is left") replaced by the size of `a`
    /// over the product of the others; `ValueError` for more than one. A size that does not
    /// divide is caught by the reshape's size check.
    pub(crate) fn unknown_extent(
        &mut self,
        a: &ArrayRef,
        shape: &[Value],
        span: Span,
    ) -> Vec<Value> {
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let dims = self.shape_of(a);
        let size = self.product(&dims);
        let mut known = one;
        let mut unknowns = zero;
        let negative: Vec<Value> = shape
            .iter()
            .map(|&e| self.b.icmp(IntCC::Slt, e, zero))
            .collect();
        for (&e, &neg) in shape.iter().zip(&negative) {
            let factor = self.b.select(neg, one, e);
            known = self.b.binary(Op::Imul, known, factor);
            let count = self.b.convert(Op::Uext, neg, Ty::I64);
            unknowns = self.b.binary(Op::Iadd, unknowns, count);
        }
        let several = self.b.icmp(IntCC::Sgt, unknowns, one);
        self.raise_if(
            several,
            ExceptionKind::ValueError,
            "can only specify one unknown dimension",
            span,
            &[],
        );
        let divisor = self.b.binary(Op::Smax, known, one);
        let rest = self.b.binary(Op::Sdiv, size, divisor);
        shape
            .iter()
            .zip(&negative)
            .map(|(&e, &neg)| self.b.select(neg, rest, e))
            .collect()
    }

    /// `np.cumsum(a, axis=k)` / `np.cumprod(a, axis=k)`: running sums (products) along one
    /// axis, in an array of `a`'s shape and the accumulator dtype.
    pub(crate) fn lower_cumulative_axis(
        &mut self,
        product: bool,
        a: &ArrayRef,
        axis: usize,
        acc: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        let shape = self.shape_of(a);
        let strides = self.strides_of(a);
        let data = self.data_of(a.desc);
        let out = self.new_array(acc, &shape, false, span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let mut outer = shape.clone();
        let extent = outer.remove(axis);
        let acc_t = Type::Scalar(acc);
        let item_t = Type::Scalar(a.dtype);
        let dtype = a.dtype;
        let op = if product { BinOp::Mult } else { BinOp::Add };
        self.for_each_index(&outer, &mut |this, idx| {
            let identity = this.scalar_const(acc.real_part(), if product { 1.0 } else { 0.0 });
            let init = this.convert_scalar(identity, acc.real_part(), acc);
            let running = this.declare_value_var(&init);
            let idx = idx.to_vec();
            this.counted_loop(extent, &mut |this, k| {
                let mut at = idx.clone();
                at.insert(axis, k);
                let p = this.address_at(data, &strides, &at);
                let x = this.load_scalar(p, dtype);
                let current = this.use_value_var(&running);
                let next = this.binary_op(op, current, &acc_t, x, &item_t, span)?;
                let next = this.coerce(next, &acc_t);
                this.def_value_var(&running, &next);
                let to = this.address_at(out_data, &out_strides, &at);
                this.store_scalar(to, acc, next);
                Ok(())
            })
        })?;
        Ok(out.value())
    }
}
