//! Typing of subscripts: array elements and views (with the view's layout), tuple items.

use super::{Infer, R};
use crate::types::{Layout, Scalar, Type};
use crate::{ConstValue, Resolution};
use frontend::Diagnostic;
use frontend::ast::{Expr, ExprKind, UnaryOp};

/// How one axis of an array is indexed; decides the layout of the resulting view.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Axis {
    Int,
    /// `:`
    Full,
    /// `a:b` without a step.
    Partial,
    /// A slice with a step.
    Strided,
    /// An integer array of this rank (fancy indexing; lowered in `lower/fancy.rs`).
    Fancy(u8),
}

impl Infer<'_> {
    pub(super) fn subscript(&mut self, base: &Expr, index: &Expr) -> R<Type> {
        let ty = self.value(base)?;
        match &ty {
            Type::Array { .. } => self.array_index(&ty, index),
            Type::Tuple(items) => self.tuple_index(&ty, items, index),
            Type::List { .. } => self.list_index(&ty, index),
            Type::Str => self.str_index(index),
            Type::Dict { .. } => self.dict_index(&ty, index),
            Type::CPointer(_) => self.pointer_index(&ty, base, index),
            _ => {
                let message = format!("'{ty}' object is not subscriptable");
                Err(Diagnostic::typing(message, base.span).into())
            }
        }
    }

    /// The type of `pointer[index]` (a load or a store): an element of the pointer's dtype;
    /// the index is one integer (no bounds check, no negative-index wrap-around: C's `p[i]`).
    pub(super) fn pointer_index(&mut self, pointer: &Type, base: &Expr, index: &Expr) -> R<Type> {
        let Type::CPointer(Some(dtype)) = *pointer else {
            let message = "a voidptr cannot be indexed; declare the parameter as CPointer(dtype)";
            return Err(Diagnostic::typing(message, base.span).into());
        };
        match self.value(index)? {
            Type::Scalar(s) if s.is_int() => Ok(Type::Scalar(dtype)),
            other => {
                let message = format!("a pointer index must be an integer, not {other}");
                Err(Diagnostic::typing(message, index.span).into())
            }
        }
    }

    /// The type of `array[index]`: an element, or a view when fewer integers than axes are given
    /// or slices appear. Also used for stores.
    pub(super) fn array_index(&mut self, array: &Type, index: &Expr) -> R<Type> {
        let Type::Array {
            dtype,
            ndim,
            layout,
            readonly,
        } = *array
        else {
            return Err(Diagnostic::internal(format!("array_index on {array}")).into());
        };
        // `a[mask]` with a boolean array of `a`'s leading axes: the selected elements (or
        // sub-arrays), in C order.
        if !matches!(
            index.kind,
            ExprKind::Tuple(_) | ExprKind::Slice { .. } | ExprKind::Ellipsis
        ) && let Type::Array {
            dtype: Scalar::Bool,
            ndim: mask_ndim,
            ..
        } = self.value(index)?
        {
            if mask_ndim > ndim {
                let message = format!("too many indices: a {mask_ndim}-d boolean mask for {array}");
                return Err(Diagnostic::typing(message, index.span).into());
            }
            // A mask of the leading axes selects sub-arrays of the others.
            return Ok(Type::array(dtype, 1 + ndim - mask_ndim, Layout::C));
        }
        let mut axes = Vec::new();
        // Where `...` stands, if anywhere: the axes no other item indexes (full slices).
        let mut ellipsis = None;
        match &index.kind {
            ExprKind::Ellipsis => ellipsis = Some(0),
            ExprKind::Tuple(items) => {
                for item in items {
                    if matches!(item.kind, ExprKind::Ellipsis) {
                        if ellipsis.is_some() {
                            let message = "an index can only have a single ellipsis ('...')";
                            return Err(Diagnostic::typing(message, item.span).into());
                        }
                        ellipsis = Some(axes.len());
                        continue;
                    }
                    self.index_axes(item, &mut axes)?;
                }
                // Without slices the index tuple is an ordinary value too.
                let types: Option<Vec<Type>> = items.iter().map(|i| self.type_of(i)).collect();
                if let Some(types) = types {
                    self.record(index.id, Type::Tuple(types));
                }
            }
            _ => self.index_axes(index, &mut axes)?,
        }
        if axes.len() > usize::from(ndim) {
            let message = format!("too many indices for {array}: {} given", axes.len());
            return Err(Diagnostic::typing(message, index.span).into());
        }
        if let Some(at) = ellipsis {
            let width = usize::from(ndim) - axes.len();
            axes.splice(at..at, std::iter::repeat_n(Axis::Full, width));
        }
        axes.resize(usize::from(ndim), Axis::Full);
        if let Some(fancy) = fancy_result(&axes, index)? {
            // A new array (a copy), NumPy's result of one integer-array index.
            return Ok(Type::array(dtype, fancy, Layout::C));
        }
        let view_ndim = axes.iter().filter(|a| **a != Axis::Int).count();
        if view_ndim == 0 {
            return Ok(Type::Scalar(dtype));
        }
        let layout = view_layout(layout, &axes, view_ndim);
        // A view shares the array's memory, and so its read-only mark.
        Ok(Type::array(dtype, view_ndim as u8, layout).with_readonly(readonly))
    }

    fn type_of(&self, e: &Expr) -> Option<Type> {
        self.expr_types.get(e.id.index()).cloned().flatten()
    }

    /// Types one element of an array index, appending the axes it indexes.
    fn index_axes(&mut self, item: &Expr, axes: &mut Vec<Axis>) -> R<()> {
        if let ExprKind::Slice { lower, upper, step } = &item.kind {
            for part in [lower, upper, step].into_iter().flatten() {
                let ty = self.value(part)?;
                if !ty.as_scalar().is_some_and(|s| s.is_int() || s.is_bool()) {
                    let message = format!("slice indices must be integers, got {ty}");
                    return Err(Diagnostic::typing(message, part.span).into());
                }
            }
            let unit_step = step
                .as_deref()
                .is_none_or(|s| matches!(s.kind, ExprKind::Int(1)));
            axes.push(match (lower, upper, unit_step) {
                (_, _, false) => Axis::Strided,
                (None, None, true) => Axis::Full,
                _ => Axis::Partial,
            });
            return Ok(());
        }
        let ty = self.value(item)?;
        let is_integer = |t: &Type| t.as_scalar().is_some_and(|s| s.is_int() || s.is_bool());
        match &ty {
            t if is_integer(t) => axes.push(Axis::Int),
            Type::Tuple(items) if items.iter().all(is_integer) => {
                axes.extend(items.iter().map(|_| Axis::Int));
            }
            Type::Array { dtype, ndim, .. } if dtype.is_int() => axes.push(Axis::Fancy(*ndim)),
            Type::Array { .. } => {
                let message = format!("indexing an array with {ty} is not supported");
                let hint = "index with an integer array (one per access), or with one boolean \
                            mask of the array's shape";
                return Err(Diagnostic::unsupported(message, item.span)
                    .with_hint(hint)
                    .into());
            }
            _ => {
                let message = format!("array index must be an integer, got {ty}");
                let hint = ty
                    .as_scalar()
                    .is_some_and(|s| s.is_float())
                    .then_some("convert it with int(...), e.g. a[int(x)]");
                let d = Diagnostic::typing(message, item.span);
                return Err(super::with_optional_hint(d, hint).into());
            }
        }
        Ok(())
    }

    fn tuple_index(&mut self, tuple: &Type, items: &[Type], index: &Expr) -> R<Type> {
        if matches!(index.kind, ExprKind::Slice { .. }) {
            let message = "slicing a tuple is not supported";
            return Err(Diagnostic::unsupported(message, index.span).into());
        }
        let ty = self.value(index)?;
        if !ty.as_scalar().is_some_and(|s| s.is_int() || s.is_bool()) {
            let message = format!("tuple index must be an integer, got {ty}");
            return Err(Diagnostic::typing(message, index.span).into());
        }
        if let Some(k) = constant_int(index) {
            self.resolve(index.id, Resolution::Const(ConstValue::Int(k)));
            let len = items.len() as i64;
            let normalized = if k < 0 { k + len } else { k };
            return match usize::try_from(normalized).ok().and_then(|i| items.get(i)) {
                Some(item) => Ok(item.clone()),
                None => {
                    let message = format!("tuple index {k} is out of range for {tuple}");
                    Err(Diagnostic::typing(message, index.span).into())
                }
            };
        }
        match items.first() {
            Some(first) if items.iter().all(|i| i == first) => Ok(first.clone()),
            _ => {
                let message =
                    format!("a tuple of different types {tuple} can only be indexed by a constant");
                Err(Diagnostic::typing(message, index.span).into())
            }
        }
    }
}

/// The rank of `array[index]` when `axes` has an integer-array (fancy) index: its axes take
/// that index's place among the axes that slices keep, as in NumPy. `None` without one; an
/// error for forms ferrojit does not compile (several integer arrays, partial slices beside
/// one).
fn fancy_result(axes: &[Axis], index: &Expr) -> Result<Option<u8>, Diagnostic> {
    let fancy: Vec<u8> = axes
        .iter()
        .filter_map(|a| match a {
            Axis::Fancy(n) => Some(*n),
            _ => None,
        })
        .collect();
    let Some(&rank) = fancy.first() else {
        return Ok(None);
    };
    if fancy.len() > 1 {
        let message = "only one integer-array index per access is supported (as in Numba)";
        return Err(Diagnostic::unsupported(message, index.span));
    }
    if axes
        .iter()
        .any(|a| matches!(a, Axis::Partial | Axis::Strided))
    {
        let message = "an integer-array index can be combined with integers and whole axes \
                       (`:`) only";
        return Err(Diagnostic::unsupported(message, index.span));
    }
    let kept = axes.iter().filter(|a| **a == Axis::Full).count();
    Ok(Some(rank + kept as u8))
}

/// The value of an integer literal, possibly negated (`2`, `-1`).
fn constant_int(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Int(v) => i64::try_from(*v).ok(),
        ExprKind::UnaryOp {
            op: UnaryOp::Neg,
            operand,
        } => constant_int(operand)?.checked_neg(),
        _ => None,
    }
}

/// The layout of a view of a `layout` array indexed by `axes` (padded to the array's rank):
/// a C array stays C when its leading axes are taken by integers, then at most one unit-step
/// slice, then whole axes; F is the mirror image. A 1-d contiguous view is C, as in Numba.
fn view_layout(layout: Layout, axes: &[Axis], view_ndim: usize) -> Layout {
    fn contiguous<'a>(mut axes: impl Iterator<Item = &'a Axis>) -> bool {
        let mut next = axes.find(|a| **a != Axis::Int);
        if matches!(next, Some(Axis::Partial)) {
            next = axes.next();
        }
        next.into_iter().chain(axes).all(|a| *a == Axis::Full)
    }
    match layout {
        Layout::C if contiguous(axes.iter()) => Layout::C,
        Layout::F if contiguous(axes.iter().rev()) => {
            if view_ndim == 1 {
                Layout::C
            } else {
                Layout::F
            }
        }
        _ => Layout::A,
    }
}
