//! Integer-array ("fancy") indexing, one integer array per access as Numba allows:
//! `a[idx]`, `a[idx, j]`, `a[:, idx]`, `a[i, :, idx]` read into a new C-contiguous array, and
//! `a[idx] = v` / `a[:, idx] += v` write through it (typing in `typeinfer/src/infer/index.rs`
//! allows integers and whole axes beside the integer array).
//!
//! The result's axes are those the whole-axis items keep, with the index array's axes in the
//! place of the integer array, or first where a whole axis separates it from an integer (NumPy
//! counts integers beside an array as advanced indices). Every index taken
//! from the integer array is checked (negative ones count from the end; out of range raises
//! `IndexError`), with or without `boundscheck`, as NumPy and Numba do. Writes with repeated
//! indices keep the last value; `a[idx] += v` reads all selected elements first, as NumPy's
//! `a[idx] = a[idx] + v`.

use super::array_fns::ArrayRef;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{BinOp, Expr, ExprKind};
use runtime::error::ExceptionKind;
use typeinfer::{Scalar, Type};

/// One item of an index with an integer array in it.
enum Part {
    /// An integer (already made non-negative and checked).
    Int(Value),
    /// `:`, or an axis the index leaves out.
    Full,
    /// The integer array.
    Fancy(ArrayRef),
}

/// `body(out_index, element_address)` of [`Lowerer::for_each_fancy`].
type SelectedElement<'b, L> = dyn FnMut(&mut L, &[Value], Value) -> LResult<()> + 'b;

/// True when NumPy puts the index array's axes first: when the integer array and the integers
/// (which count as advanced indices beside it) are not all adjacent.
fn fancy_axes_first(parts: &[Part]) -> bool {
    let advanced: Vec<usize> = parts
        .iter()
        .enumerate()
        .filter(|(_, p)| !matches!(p, Part::Full))
        .map(|(i, _)| i)
        .collect();
    advanced.windows(2).any(|w| w[1] != w[0] + 1)
}

impl Lowerer<'_, '_> {
    /// True if `index` has an integer array among its items.
    pub(crate) fn is_fancy_index(&self, index: &Expr) -> bool {
        let items: Vec<&Expr> = match &index.kind {
            ExprKind::Tuple(items) => items.iter().collect(),
            _ => vec![index],
        };
        items.iter().any(|i| {
            matches!(
                self.typed.expr_type(i.id),
                Some(Type::Array { dtype, .. }) if dtype.is_int()
            )
        })
    }

    /// Lowers the items of a fancy `index` into `base`, padded with whole axes.
    fn fancy_parts(&mut self, base: &ArrayRef, index: &Expr) -> LResult<Vec<Part>> {
        let items: Vec<&Expr> = match &index.kind {
            ExprKind::Tuple(items) => items.iter().collect(),
            _ => vec![index],
        };
        let shape = self.shape_of(base);
        let mut parts = Vec::new();
        for item in items {
            let axis = parts.len();
            if axis >= shape.len() {
                return Err(unsupported("too many indices for this array", item.span));
            }
            if let ExprKind::Slice { .. } = item.kind {
                parts.push(Part::Full);
                continue;
            }
            match self.lower_expr(item)? {
                PyValue::Scalar(i, s) => {
                    let i = self.cast_real(i, s, Scalar::I64);
                    parts.push(Part::Int(self.fancy_checked(
                        i,
                        shape[axis],
                        axis,
                        item.span,
                    )));
                }
                other => match ArrayRef::of(&other) {
                    Some(a) => parts.push(Part::Fancy(a)),
                    None => return Err(unsupported("this array index", item.span)),
                },
            }
        }
        while parts.len() < shape.len() {
            parts.push(Part::Full);
        }
        Ok(parts)
    }

    /// `i` made non-negative and checked against `extent` (always: NumPy raises for an index
    /// array's out-of-range entries).
    fn fancy_checked(&mut self, i: Value, extent: Value, axis: usize, span: Span) -> Value {
        let zero = self.b.iconst(Ty::I64, 0);
        let negative = self.b.icmp(IntCC::Slt, i, zero);
        let wrapped = self.b.binary(Op::Iadd, i, extent);
        let idx = self.b.select(negative, wrapped, i);
        let out = self.b.icmp(IntCC::Uge, idx, extent);
        let axis_v = self.b.iconst(Ty::I64, axis as i64);
        self.raise_if(
            out,
            ExceptionKind::IndexError,
            "index {} is out of bounds for axis {} with size {}",
            span,
            &[i, axis_v, extent],
        );
        idx
    }

    /// The shape of `base[parts]`.
    fn fancy_shape(&mut self, base: &ArrayRef, parts: &[Part]) -> Vec<Value> {
        let shape = self.shape_of(base);
        let mut out = Vec::new();
        let first = fancy_axes_first(parts);
        for (axis, part) in parts.iter().enumerate() {
            match part {
                Part::Int(_) => {}
                Part::Full => out.push(shape[axis]),
                Part::Fancy(a) if first => {
                    let dims = self.shape_of(a);
                    out.splice(0..0, dims);
                }
                Part::Fancy(a) => out.extend(self.shape_of(a)),
            }
        }
        out
    }

    /// Runs `body(out_index, element_address)` over every element `base[parts]` selects.
    fn for_each_fancy(
        &mut self,
        base: &ArrayRef,
        parts: &[Part],
        out_shape: &[Value],
        span: Span,
        body: &mut SelectedElement<'_, Self>,
    ) -> LResult<()> {
        let shape = self.shape_of(base);
        let strides = self.strides_of(base);
        let data = self.data_of(base.desc);
        // Per part: the index array's strides and data, read where it appears.
        let fancy: Vec<Option<(ArrayRef, Vec<Value>, Value)>> = parts
            .iter()
            .map(|p| match p {
                Part::Fancy(a) => {
                    let s = self.strides_of(a);
                    let d = self.data_of(a.desc);
                    Some((*a, s, d))
                }
                _ => None,
            })
            .collect();
        let ints: Vec<Option<Value>> = parts
            .iter()
            .map(|p| match p {
                Part::Int(v) => Some(*v),
                _ => None,
            })
            .collect();
        let first = fancy_axes_first(parts);
        let fancy_rank = fancy
            .iter()
            .flatten()
            .map(|(a, _, _)| a.ndim as usize)
            .sum::<usize>();
        self.for_each_index(out_shape, &mut |this, idx| {
            // The index array's axes come first in the result where NumPy moves them there.
            let mut k = if first { fancy_rank } else { 0 };
            let mut at = Vec::with_capacity(shape.len());
            for axis in 0..shape.len() {
                if let Some(i) = ints[axis] {
                    at.push(i);
                } else if let Some((a, s, d)) = &fancy[axis] {
                    let n = a.ndim as usize;
                    let at_k = if first { 0 } else { k };
                    let p = this.address_at(*d, s, &idx[at_k..at_k + n]);
                    let PyValue::Scalar(j, js) = this.load_scalar(p, a.dtype) else {
                        unreachable!("integer index array")
                    };
                    let j = this.cast_real(j, js, Scalar::I64);
                    at.push(this.fancy_checked(j, shape[axis], axis, span));
                    if !first {
                        k += n;
                    }
                } else {
                    at.push(idx[k]);
                    k += 1;
                }
            }
            let ptr = this.address_at(data, &strides, &at);
            body(this, idx, ptr)
        })
    }

    /// `base[index]` with an integer array in `index`: a new array.
    pub(crate) fn lower_fancy_select(
        &mut self,
        base: &ArrayRef,
        index: &Expr,
        span: Span,
    ) -> LResult<PyValue> {
        let parts = self.fancy_parts(base, index)?;
        let out_shape = self.fancy_shape(base, &parts);
        self.select_parts(base, &parts, &out_shape, span)
    }

    fn select_parts(
        &mut self,
        base: &ArrayRef,
        parts: &[Part],
        out_shape: &[Value],
        span: Span,
    ) -> LResult<PyValue> {
        let out = self.new_array(base.dtype, out_shape, false, span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let dtype = base.dtype;
        self.for_each_fancy(base, parts, out_shape, span, &mut |this, idx, ptr| {
            let v = this.load_scalar(ptr, dtype);
            let to = this.address_at(out_data, &out_strides, idx);
            this.store_scalar(to, dtype, v);
            Ok(())
        })?;
        Ok(out.value())
    }

    /// `base[index] = value` with an integer array in `index`; `value` a number or an array
    /// that broadcasts to the selection's shape.
    pub(crate) fn lower_fancy_store(
        &mut self,
        base: &ArrayRef,
        index: &Expr,
        value: PyValue,
        span: Span,
    ) -> LResult<()> {
        let parts = self.fancy_parts(base, index)?;
        let out_shape = self.fancy_shape(base, &parts);
        self.store_selected(base, &parts, &out_shape, value, span)
    }

    fn store_selected(
        &mut self,
        base: &ArrayRef,
        parts: &[Part],
        out_shape: &[Value],
        value: PyValue,
        span: Span,
    ) -> LResult<()> {
        let dtype = base.dtype;
        match ArrayRef::of(&value) {
            Some(src) => {
                let src_strides = self.broadcast_strides(&src, out_shape, span)?;
                let src_data = self.data_of(src.desc);
                self.for_each_fancy(base, parts, out_shape, span, &mut |this, idx, ptr| {
                    let from = this.address_at(src_data, &src_strides, idx);
                    let v = this.load_scalar(from, src.dtype);
                    this.store_scalar(ptr, dtype, v);
                    Ok(())
                })
            }
            None => self.for_each_fancy(base, parts, out_shape, span, &mut |this, _, ptr| {
                this.store_scalar(ptr, dtype, value.clone());
                Ok(())
            }),
        }
    }

    /// `base[index] op= rhs` with an integer array in `index`: `base[index] = base[index] op
    /// rhs`, the selection read in full before anything is written.
    pub(crate) fn lower_fancy_aug_assign(
        &mut self,
        base: &ArrayRef,
        index: &Expr,
        op: BinOp,
        rhs: PyValue,
        rhs_ty: &Type,
        span: Span,
    ) -> LResult<()> {
        let parts = self.fancy_parts(base, index)?;
        let out_shape = self.fancy_shape(base, &parts);
        let selected = self.select_parts(base, &parts, &out_shape, span)?;
        let selected = ArrayRef::of(&selected).expect("an array");
        self.array_in_place(&selected, op, rhs, rhs_ty, span)?;
        self.store_selected(base, &parts, &out_shape, selected.value(), span)
    }
}
