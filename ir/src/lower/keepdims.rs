//! `keepdims=True` on the reductions (`a.sum(axis=1, keepdims=True)`, `np.mean(a,
//! keepdims=True)`, ...; typed in `typeinfer/src/infer/numpy_call.rs`): the reduction is
//! lowered as without it, then its result gets the reduced axis back as an extent of 1 (a
//! reshape of the new array), or, reduced to a number, becomes an array of extents 1.

use super::array_fns::ArrayRef;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::Ty;
use frontend::ast::{Expr, ExprKind, Keyword};
use typeinfer::{ArrayFn, Layout, Type};

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
        if !keep {
            return self.lower_array_call_as(expr, func, f, args, keywords, ty);
        }
        let span = expr.span;
        let Type::Array { dtype, ndim, .. } = ty else {
            return Err(unsupported(
                format!("{}() with keepdims here", f.name()),
                span,
            ));
        };
        let receiver = self.array_call_receiver(func, f);
        let bound = f.bind(receiver, args, keywords, span)?;
        let names: Vec<&str> = f.params().iter().copied().filter(|p| *p != "*").collect();
        let axis = names
            .iter()
            .position(|n| *n == "axis")
            .and_then(|i| bound[i])
            .and_then(super::array::constant_int)
            .map(|k| if k < 0 { k + i64::from(ndim) } else { k } as usize);
        let reduced = match axis {
            Some(_) if ndim > 1 => Type::array(dtype, ndim - 1, Layout::C),
            _ => Type::Scalar(dtype),
        };
        let value = self.lower_array_call_as(expr, func, f, args, keywords, reduced)?;
        let one = self.b.iconst(Ty::I64, 1);
        match ArrayRef::of(&value) {
            Some(a) => {
                let mut shape = self.shape_of(&a);
                shape.insert(axis.unwrap_or(0).min(shape.len()), one);
                Ok(self.lower_reshape(&a, &shape, span))
            }
            None => {
                let out = self.new_array(dtype, &vec![one; usize::from(ndim)], false, span);
                let data = self.data_of(out.desc);
                self.store_scalar(data, dtype, value);
                Ok(out.value())
            }
        }
    }
}
