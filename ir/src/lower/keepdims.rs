//! `keepdims=True` and tuples of axes on the reductions (`a.sum(axis=1, keepdims=True)`,
//! `np.mean(a, axis=(0, 2))`, `axis=()`, ...) and `keepdims=True` on the statistics
//! (`np.median`, `np.percentile`, the `nan*` functions, `np.ptp`); typed in
//! `typeinfer/src/infer/numpy_call.rs`.
//!
//! A tuple of axes moves the reduced axes last (a transposed view), copies that to C order,
//! merges them into one axis and reduces along it (or the whole array when every axis goes),
//! so each result element sees its elements in NumPy's order (`axis=()` merges none: a last
//! axis of extent 1, each element reduced alone). `keepdims=True` lowers the
//! reduction as without it, then gives the result its reduced axes back as extents of 1 (a
//! reshape of the new array), or, reduced to a number, makes an array of extents 1.

use super::array_fns::ArrayRef;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{Ty, Value};
use frontend::Span;
use frontend::ast::{Expr, ExprKind, Keyword};
use typeinfer::{ArrayFn, Layout, Scalar, Type};

impl Lowerer<'_, '_> {
    /// A call of a NumPy array function or method.
    pub(crate) fn lower_array_call(
        &mut self,
        expr: &Expr,
        func: &Expr,
        f: ArrayFn,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> LResult<PyValue> {
        let ty = self.type_of(expr)?;
        let keep = keywords
            .iter()
            .any(|k| k.name == "keepdims" && matches!(k.value.kind, ExprKind::Bool(true)));
        let may_take_tuple = f.reduces_axis_tuples();
        if !keep && !may_take_tuple {
            return self.lower_array_call_as(expr, func, f, args, keywords, ty);
        }
        let span = expr.span;
        let receiver = self.array_call_receiver(func, f);
        let bound = f.bind(receiver, args, keywords, span)?;
        let names: Vec<&str> = f.params().iter().copied().filter(|p| *p != "*").collect();
        let bound_expr = |name: &str| names.iter().position(|n| *n == name).and_then(|i| bound[i]);
        // `np.linalg.norm` calls its array `x`.
        let a_ndim = match bound_expr("a")
            .or_else(|| bound_expr("x"))
            .map(|a| self.type_of(a))
        {
            Some(Ok(Type::Array { ndim, .. })) => ndim,
            _ => 0,
        };
        let axes: Option<Vec<usize>> = match bound_expr("axis").map(|e| &e.kind) {
            Some(ExprKind::Tuple(items)) => {
                let mut axes: Vec<usize> = items
                    .iter()
                    .filter_map(super::array::constant_int)
                    .map(|k| if k < 0 { k + i64::from(a_ndim) } else { k } as usize)
                    .collect();
                axes.sort_unstable();
                Some(axes)
            }
            Some(_) => bound_expr("axis")
                .and_then(super::array::constant_int)
                .map(|k| vec![if k < 0 { k + i64::from(a_ndim) } else { k } as usize]),
            None => None,
        };
        // `np.linalg.norm`'s tuple of axes is its own (matrix norms, `lower/axis.rs`).
        let tuple = may_take_tuple
            && matches!(
                bound_expr("axis").map(|e| &e.kind),
                Some(ExprKind::Tuple(_))
            );
        if !keep && !tuple {
            return self.lower_array_call_as(expr, func, f, args, keywords, ty);
        }
        // The type without `keepdims`: the axes not reduced.
        let dtype = match &ty {
            Type::Array { dtype, .. } => *dtype,
            other => other.as_scalar().unwrap_or(Scalar::F64),
        };
        // `np.percentile`/`np.quantile` of an array of q put the q axis first.
        let q_axis = match bound_expr("q").map(|q| self.type_of(q)) {
            Some(Ok(Type::Array { .. })) => 1,
            _ => 0,
        };
        let left = q_axis
            + match &axes {
                Some(axes) => usize::from(a_ndim) - axes.len(),
                None => 0,
            };
        let reduced = if left == 0 {
            Type::Scalar(dtype)
        } else {
            Type::array(dtype, left as u8, Layout::C)
        };
        let value = if tuple {
            let a_expr = bound_expr("a").expect("required");
            let a_value = self.lower_expr(a_expr)?;
            let a = ArrayRef::of(&a_value)
                .ok_or_else(|| unsupported(format!("{}() of this value", f.name()), span))?;
            let ddof = match bound_expr("ddof") {
                Some(e) => Some((self.lower_expr(e)?, self.type_of(e)?)),
                None => None,
            };
            self.set_span(span);
            let axes = axes.clone().unwrap_or_default();
            self.reduce_over_axes(f, &a, &axes, ddof, &reduced, span)?
        } else {
            self.lower_array_call_as(expr, func, f, args, keywords, reduced)?
        };
        if !keep {
            return Ok(value);
        }
        let one = self.b.iconst(Ty::I64, 1);
        match ArrayRef::of(&value) {
            Some(a) => {
                let mut shape = self.shape_of(&a);
                let every_axis: Vec<usize> = (0..usize::from(a_ndim)).collect();
                for &axis in axes.as_deref().unwrap_or(&every_axis) {
                    shape.insert((axis + q_axis).min(shape.len()), one);
                }
                Ok(self.lower_reshape(&a, &shape, span))
            }
            None => {
                let out = self.new_array(dtype, &vec![one; usize::from(a_ndim)], false, span);
                let data = self.data_of(out.desc);
                self.store_scalar(data, dtype, value);
                Ok(out.value())
            }
        }
    }

    /// The reduction `f` of `a` over the sorted, distinct `axes` (`ddof` for `std`/`var`),
    /// of type `result_ty` (a number when every axis is reduced).
    fn reduce_over_axes(
        &mut self,
        f: ArrayFn,
        a: &ArrayRef,
        axes: &[usize],
        ddof: LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let ndim = a.ndim as usize;
        let shape = self.shape_of(a);
        let strides = self.strides_of(a);
        let data = self.data_of(a.desc);
        let kept: Vec<usize> = (0..ndim).filter(|k| !axes.contains(k)).collect();
        let order: Vec<usize> = kept.iter().chain(axes).copied().collect();
        let moved_shape: Vec<Value> = order.iter().map(|&k| shape[k]).collect();
        let moved_strides: Vec<Value> = order.iter().map(|&k| strides[k]).collect();
        let desc = self.make_descriptor(a.desc, data, &moved_shape, &moved_strides);
        let view_ty = Type::array(a.dtype, ndim as u8, Layout::A);
        let view = ArrayRef::of(&PyValue::Array(desc, view_ty)).expect("an array");
        let copy = self.copy_array(&view, a.dtype, span);
        let merged: Vec<Value> = axes.iter().map(|&k| shape[k]).collect();
        let merged = self.product(&merged);
        let mut lanes: Vec<Value> = kept.iter().map(|&k| shape[k]).collect();
        lanes.push(merged);
        let reshaped = self.lower_reshape(&copy, &lanes, span);
        let r = ArrayRef::of(&reshaped).expect("an array");
        if kept.is_empty() {
            return match f {
                ArrayFn::Any | ArrayFn::All => self.lower_any_all(f == ArrayFn::All, &r),
                _ => self.lower_reduction(f, &r, ddof, result_ty, span),
            };
        }
        let axis = kept.len();
        match f {
            ArrayFn::Sum | ArrayFn::Prod | ArrayFn::Min | ArrayFn::Max | ArrayFn::Mean => {
                self.lower_axis_reduction(f, &r, axis, result_ty, span)
            }
            _ => {
                let r_arg = Some((
                    reshaped.clone(),
                    Type::array(r.dtype, r.ndim as u8, Layout::C),
                ));
                let arg = |name: &str| match name {
                    "a" => r_arg.clone(),
                    "ddof" => ddof.clone(),
                    _ => None,
                };
                self.lower_along_axes(f, "a", &r, &[axis], &arg, result_ty, span)
            }
        }
    }
}
