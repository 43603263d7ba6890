//! `axis=` for the NumPy functions whose whole-array or last-axis lowering exists elsewhere.
//!
//! Two tools: a *lane* (a view along one axis, or two, made for each position of the other
//! axes) lets every whole-array reduction and statistic (`std`, `var`, `argmin`, `argmax`,
//! `any`, `all`, `median`, `percentile`, `quantile`, the `nan*` functions, `ptp`, and
//! `np.linalg.norm`'s vector norms, and its matrix norms over two axes) run once per lane and fill an array of the other axes, in
//! NumPy's order; and a view with an axis swapped with the last lets the last-axis lowerings
//! (`sort`, `argsort`, `diff`) work
//! along any axis. `np.roll(a, shift, axis)` moves elements along one axis directly.

use super::array_fns::ArrayRef;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty, Value};
use frontend::Span;
use typeinfer::{ArrayFn, Layout, Scalar, Type};

impl Lowerer<'_, '_> {
    /// The reduction, statistic or norm `f` along `axes` of its array parameter `operand`,
    /// `a`: one value per lane (a view of `a` along `axes`, in their order: one axis for the
    /// reductions and vector norms, two for `np.linalg.norm`'s matrix norms), in an array of
    /// the other axes (`result_ty`), or the one lane's value when `axes` are all of `a`'s.
    /// `arg` gives the call's other arguments.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn lower_along_axes(
        &mut self,
        f: ArrayFn,
        operand: &str,
        a: &ArrayRef,
        axes: &[usize],
        arg: &dyn Fn(&str) -> LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let shape = self.shape_of(a);
        let strides = self.strides_of(a);
        let data = self.data_of(a.desc);
        let lane_shape: Vec<Value> = axes.iter().map(|&k| shape[k]).collect();
        let lane_strides: Vec<Value> = axes.iter().map(|&k| strides[k]).collect();
        let lane_at = |this: &mut Self, start: Value| {
            // A fresh view per lane: descriptor fields are read as immutable.
            let desc = this.make_descriptor(a.desc, start, &lane_shape, &lane_strides);
            ArrayRef {
                desc,
                dtype: a.dtype,
                ndim: axes.len() as u32,
                layout: Layout::A,
            }
        };
        let Type::Array {
            dtype: out_dtype,
            ndim: out_ndim,
            ..
        } = *result_ty
        else {
            if axes.len() == a.ndim as usize {
                let lane = lane_at(self, data);
                return self.lane_value(f, operand, &lane, arg, result_ty, span);
            }
            return Err(unsupported(format!("{}() along an axis", f.name()), span));
        };
        // `np.percentile(a, q_array, axis=k)`: one row of results per q in front.
        let q_count = match arg("q").and_then(|(v, _)| ArrayRef::of(&v)) {
            Some(q) if u32::from(out_ndim) == a.ndim => Some(self.array_dim(q.desc, 0)),
            _ => None,
        };
        let others = (0..a.ndim as usize).filter(|k| !axes.contains(k));
        let out_shape: Vec<Value> = others.clone().map(|k| shape[k]).collect();
        let other_strides: Vec<Value> = others.map(|k| strides[k]).collect();
        let full_shape: Vec<Value> = q_count.iter().copied().chain(out_shape.clone()).collect();
        let out = self.new_array(out_dtype, &full_shape, false, span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let lane_result_ty = match q_count {
            Some(_) => Type::array(out_dtype, 1, Layout::C),
            None => Type::Scalar(out_dtype),
        };
        let scalar_ty = Type::Scalar(out_dtype);
        self.for_each_index(&out_shape, &mut |this, idx| {
            let start = this.address_at(data, &other_strides, idx);
            let lane = lane_at(this, start);
            if let Some(count) = q_count {
                let lane_value = (lane.value(), lane.ty());
                let lane_arg = |name: &str| {
                    if name == operand {
                        Some(lane_value.clone())
                    } else {
                        arg(name)
                    }
                };
                // This lane's results for every q go down the first axis of `out`.
                let v = this.lower_statistics_call(f, &lane_arg, &lane_result_ty, span)?;
                let lane_out = ArrayRef::of(&v).expect("an array of quantiles");
                let lane_data = this.data_of(lane_out.desc);
                let lane_stride = this.strides_of(&lane_out);
                return this.counted_loop(count, &mut |this, j| {
                    let from = this.address_at(lane_data, &lane_stride, &[j]);
                    let x = this.load_scalar(from, out_dtype);
                    let mut at = vec![j];
                    at.extend_from_slice(idx);
                    let to = this.address_at(out_data, &out_strides, &at);
                    this.store_scalar(to, out_dtype, x);
                    Ok(())
                });
            }
            let v = this.lane_value(f, operand, &lane, arg, &scalar_ty, span)?;
            let to = this.address_at(out_data, &out_strides, idx);
            this.store_scalar(to, out_dtype, v);
            Ok(())
        })?;
        Ok(out.value())
    }

    /// The number `f` gives for one `lane` (its array parameter `operand`), of type
    /// `scalar_ty`.
    fn lane_value(
        &mut self,
        f: ArrayFn,
        operand: &str,
        lane: &ArrayRef,
        arg: &dyn Fn(&str) -> LoweredArg,
        scalar_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let lane_value = (lane.value(), lane.ty());
        // The lane is the call's whole operand: no axis left (a complex norm would read it).
        let lane_arg = |name: &str| match name {
            "axis" => None,
            _ if name == operand => Some(lane_value.clone()),
            _ => arg(name),
        };
        let v = if f.is_statistic() {
            self.lower_statistics_call(f, &lane_arg, scalar_ty, span)?
        } else if matches!(f, ArrayFn::Any | ArrayFn::All) {
            self.lower_any_all(f == ArrayFn::All, lane)?
        } else if f == ArrayFn::LinalgNorm {
            self.lower_linalg_call(f, &lane_arg, scalar_ty, span)?
        } else {
            self.lower_reduction(f, lane, lane_arg("ddof"), scalar_ty, span)?
        };
        Ok(self.coerce(v, scalar_ty))
    }

    /// A view of `a` with `axis` and the last axis exchanged (its own inverse).
    pub(crate) fn swapped_with_last(&mut self, a: &ArrayRef, axis: usize) -> ArrayRef {
        let last = a.ndim as usize - 1;
        if axis == last {
            return *a;
        }
        let mut shape = self.shape_of(a);
        let mut strides = self.strides_of(a);
        shape.swap(axis, last);
        strides.swap(axis, last);
        let data = self.data_of(a.desc);
        let desc = self.make_descriptor(a.desc, data, &shape, &strides);
        ArrayRef {
            desc,
            dtype: a.dtype,
            ndim: a.ndim,
            layout: Layout::A,
        }
    }

    /// `last_axis_fn` (which makes a new array along the last axis of its operand) applied
    /// along `axis` of `a` instead: through views with `axis` swapped with the last, and a
    /// C-contiguous copy of the result.
    pub(crate) fn along_axis_via_last(
        &mut self,
        a: &ArrayRef,
        axis: usize,
        span: Span,
        last_axis_fn: &mut dyn FnMut(&mut Self, &ArrayRef) -> LResult<ArrayRef>,
    ) -> LResult<ArrayRef> {
        if axis + 1 == a.ndim as usize {
            return last_axis_fn(self, a);
        }
        let swapped = self.swapped_with_last(a, axis);
        let done = last_axis_fn(self, &swapped)?;
        let back = self.swapped_with_last(&done, axis);
        Ok(self.copy_array(&back, back.dtype, span))
    }

    /// `np.roll(a, shift, axis)`: element `i` along `axis` moves to `(i + shift) mod n`.
    pub(crate) fn roll_along(
        &mut self,
        a: &ArrayRef,
        shift: PyValue,
        axis: usize,
        span: Span,
    ) -> LResult<ArrayRef> {
        let PyValue::Scalar(shift, s) = shift else {
            return Err(unsupported("roll() shift", span));
        };
        let shift = self.cast_real(shift, s, Scalar::I64);
        let shape = self.shape_of(a);
        let strides = self.strides_of(a);
        let data = self.data_of(a.desc);
        let out = self.new_array(a.dtype, &shape, false, span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let n = shape[axis];
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let safe_n = self.b.binary(Op::Smax, n, one);
        // Python's modulo: a start in 0..n.
        let r = self.b.binary(Op::Srem, shift, safe_n);
        let negative = self.b.icmp(IntCC::Slt, r, zero);
        let wrapped = self.b.binary(Op::Iadd, r, safe_n);
        let start = self.b.select(negative, wrapped, r);
        let dtype = a.dtype;
        self.for_each_index(&shape, &mut |this, idx| {
            let from = this.address_at(data, &strides, idx);
            let v = this.load_scalar(from, dtype);
            let mut to_idx: Vec<Value> = idx.to_vec();
            let j = this.b.binary(Op::Iadd, idx[axis], start);
            let past = this.b.icmp(IntCC::Sge, j, n);
            let j_wrapped = this.b.binary(Op::Isub, j, n);
            to_idx[axis] = this.b.select(past, j_wrapped, j);
            let to = this.address_at(out_data, &out_strides, &to_idx);
            this.store_scalar(to, dtype, v);
            Ok(())
        })?;
        Ok(out)
    }
}
