//! Array element access through descriptors: index wraparound for negative indices, optional
//! bounds checks, stride arithmetic with a constant unit stride on contiguous layouts; and
//! tuple indexing.

use super::flatten::scalar_ir_type;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{Expr, ExprKind, UnaryOp};
use runtime::array::{DATA_OFFSET, shape_offset, stride_offset};
use runtime::error::ExceptionKind;
use typeinfer::{Layout, Scalar, Type};

/// The address of one array element and its dtype.
pub(crate) struct ElementAddress {
    pub ptr: Value,
    pub dtype: Scalar,
}

impl Lowerer<'_, '_> {
    /// `shape[axis]` of the array whose descriptor is `desc`.
    pub(crate) fn array_dim(&mut self, desc: Value, axis: u32) -> Value {
        self.b.load(Ty::I64, desc, shape_offset(axis), true)
    }

    fn array_stride(&mut self, desc: Value, ndim: u32, axis: u32) -> Value {
        self.b.load(Ty::I64, desc, stride_offset(ndim, axis), true)
    }

    /// The address of `array[index]` where `index` is an integer or a tuple of `ndim` integers.
    pub(crate) fn element_address(
        &mut self,
        array: &PyValue,
        index: &Expr,
        span: Span,
    ) -> LResult<ElementAddress> {
        let PyValue::Array(
            desc,
            Type::Array {
                dtype,
                ndim,
                layout,
                ..
            },
        ) = array
        else {
            return Err(unsupported("only arrays can be indexed here", span));
        };
        let (desc, dtype, ndim, layout) = (*desc, *dtype, *ndim as u32, *layout);
        let indices: Vec<&Expr> = match &index.kind {
            ExprKind::Tuple(items) => items.iter().collect(),
            _ => vec![index],
        };
        // `a[..., i]` of a 1-D array: `...` stands for no axis here.
        let indices: Vec<&Expr> = indices
            .into_iter()
            .filter(|i| !matches!(i.kind, ExprKind::Ellipsis))
            .collect();
        if indices.len() as u32 != ndim {
            return Err(unsupported(
                format!(
                    "indexing a {ndim}-d array with {} indices (partial indexing and slicing come later)",
                    indices.len()
                ),
                index.span,
            ));
        }
        let itemsize = dtype.size_bytes() as i64;
        let data = self.b.load(Ty::I64, desc, DATA_OFFSET, true);
        let mut offset: Option<Value> = None;
        for (axis, idx_expr) in indices.into_iter().enumerate() {
            let axis = axis as u32;
            let given = self.lower_index(idx_expr)?;
            let dim = self.array_dim(desc, axis);
            // An unsigned index is never negative: 2**64 - 1 is out of range, not the last
            // element (its i64 bits are -1).
            let unsigned = matches!(
                self.type_of(idx_expr),
                Ok(Type::Scalar(s)) if s.is_unsigned_int()
            );
            let idx = if unsigned || literal_non_negative(idx_expr) {
                given
            } else {
                self.wrap_negative(given, dim)
            };
            if self.ctx.boundscheck {
                let out_of_range = self.b.icmp(IntCC::Uge, idx, dim);
                let axis_v = self.b.iconst(Ty::I64, axis as i64);
                if unsigned {
                    // The message's integers print signed: leave a huge index out of it.
                    self.raise_if(
                        out_of_range,
                        ExceptionKind::IndexError,
                        "unsigned index is out of bounds for axis {} with size {}",
                        idx_expr.span,
                        &[axis_v, dim],
                    );
                } else {
                    self.raise_if(
                        out_of_range,
                        ExceptionKind::IndexError,
                        "index {} is out of bounds for axis {} with size {}",
                        idx_expr.span,
                        &[given, axis_v, dim],
                    );
                }
            }
            let unit_stride = match layout {
                Layout::C => axis + 1 == ndim,
                Layout::F => axis == 0,
                Layout::A => false,
            };
            let term = if unit_stride {
                if itemsize == 1 {
                    idx
                } else {
                    let size = self.b.iconst(Ty::I64, itemsize);
                    self.b.binary(Op::Imul, idx, size)
                }
            } else {
                let stride = self.array_stride(desc, ndim, axis);
                self.b.binary(Op::Imul, idx, stride)
            };
            offset = Some(match offset {
                None => term,
                Some(o) => self.b.binary(Op::Iadd, o, term),
            });
        }
        let ptr = match offset {
            Some(o) => self.b.binary(Op::Iadd, data, o),
            None => data,
        };
        Ok(ElementAddress { ptr, dtype })
    }

    /// An index value converted to i64 (typeinfer guarantees an integer or bool type).
    fn lower_index(&mut self, expr: &Expr) -> LResult<Value> {
        let v = self.lower_expr(expr)?;
        match v {
            PyValue::Scalar(v, s) if s.is_int() || s.is_bool() => {
                Ok(self.cast_real(v, s, Scalar::I64))
            }
            _ => Err(unsupported(
                format!(
                    "array index must be an integer, got {}",
                    self.type_of(expr)?
                ),
                expr.span,
            )),
        }
    }

    /// Python's negative indices: `i < 0 ? i + dim : i`.
    fn wrap_negative(&mut self, idx: Value, dim: Value) -> Value {
        let zero = self.b.iconst(Ty::I64, 0);
        let negative = self.b.icmp(IntCC::Slt, idx, zero);
        let wrapped = self.b.binary(Op::Iadd, idx, dim);
        self.b.select(negative, wrapped, idx)
    }

    pub(crate) fn load_element(&mut self, address: &ElementAddress) -> PyValue {
        let s = address.dtype;
        let ty = scalar_ir_type(s);
        if s.is_complex() {
            let re = self.b.load(ty, address.ptr, 0, false);
            let im = self.b.load(ty, address.ptr, (ty.bits() / 8) as i32, false);
            return PyValue::Complex(re, im, s);
        }
        PyValue::Scalar(self.b.load(ty, address.ptr, 0, false), s)
    }

    pub(crate) fn store_element(&mut self, address: &ElementAddress, value: PyValue) {
        let value = self.coerce(value, &Type::Scalar(address.dtype));
        let values = value.flat_values();
        let part_bytes = scalar_ir_type(address.dtype).bits() as i32 / 8;
        for (i, v) in values.into_iter().enumerate() {
            self.b.store(address.ptr, v, i as i32 * part_bytes);
        }
    }

    /// `array[i]` while iterating a 1-D array.
    /// Item `i` of an array being iterated: an element of a 1-D array, a row (a view) of a
    /// higher-rank one.
    pub(crate) fn load_array_item(&mut self, desc: Value, ty: &Type, i: Value) -> PyValue {
        let Type::Array {
            dtype,
            layout,
            ndim,
            ..
        } = ty
        else {
            unreachable!("array type")
        };
        if *ndim > 1 {
            let array =
                super::array_fns::ArrayRef::of(&PyValue::Array(desc, ty.clone())).expect("array");
            let shape = self.shape_of(&array);
            let strides = self.strides_of(&array);
            let data = self.data_of(desc);
            let offset = self.b.binary(Op::Imul, i, strides[0]);
            let row = self.b.binary(Op::Iadd, data, offset);
            let view = self.make_descriptor(desc, row, &shape[1..], &strides[1..]);
            return PyValue::Array(view, row_type(*dtype, *ndim, *layout));
        }
        let itemsize = self.b.iconst(Ty::I64, dtype.size_bytes() as i64);
        let stride = if *layout == Layout::A {
            self.array_stride(desc, 1, 0)
        } else {
            itemsize
        };
        let data = self.b.load(Ty::I64, desc, DATA_OFFSET, true);
        let offset = self.b.binary(Op::Imul, i, stride);
        let ptr = self.b.binary(Op::Iadd, data, offset);
        self.load_element(&ElementAddress { ptr, dtype: *dtype })
    }

    pub(crate) fn load_subscript(
        &mut self,
        base: &PyValue,
        index: &Expr,
        span: Span,
    ) -> LResult<PyValue> {
        match base {
            PyValue::Array(..) => {
                let address = self.element_address(base, index, span)?;
                Ok(self.load_element(&address))
            }
            PyValue::Tuple(items) => self.tuple_item(items, index, span),
            _ => Err(unsupported("this value cannot be indexed", span)),
        }
    }

    pub(crate) fn store_subscript(
        &mut self,
        base: &PyValue,
        index: &Expr,
        value: PyValue,
        span: Span,
    ) -> LResult<()> {
        if let Some(array) = super::array_fns::ArrayRef::of(base)
            && self.is_fancy_index(index)
        {
            return self.lower_fancy_store(&array, index, value, span);
        }
        if let Some(array) = super::array_fns::ArrayRef::of(base)
            && self.is_mask_index(index)
        {
            let mask = self.lower_expr(index)?;
            let mask = super::array_fns::ArrayRef::of(&mask).expect("a mask array");
            return self.lower_mask_store(&array, &mask, value, span);
        }
        if let Some(array) = super::array_fns::ArrayRef::of(base)
            && (self.index_count(index) < array.ndim as usize || super::views::has_slice(index))
        {
            let view = self.view_for_store(&array, index, span)?;
            let value_ty = match &value {
                PyValue::Scalar(_, s) | PyValue::Complex(_, _, s) => Type::Scalar(*s),
                PyValue::Array(_, ty) => ty.clone(),
                _ => Type::NoneType,
            };
            return self.assign_to_view(&view, value, &value_ty, span);
        }
        let address = self.element_address(base, index, span)?;
        self.store_element(&address, value);
        Ok(())
    }

    /// `t[k]` for a constant `k`, or a run-time index into a tuple of one scalar type.
    fn tuple_item(&mut self, items: &[PyValue], index: &Expr, span: Span) -> LResult<PyValue> {
        let len = items.len() as i64;
        if let Some(k) = constant_int(index) {
            let k = if k < 0 { k + len } else { k };
            return items
                .get(k as usize)
                .cloned()
                .filter(|_| k >= 0)
                .ok_or_else(|| {
                    unsupported(
                        format!("tuple index {k} out of range for a tuple of length {len}"),
                        index.span,
                    )
                });
        }
        // typeinfer allows a run-time index only into a tuple of one type.
        if items.is_empty() {
            return Err(unsupported("indexing an empty tuple", span));
        }
        let idx = self.lower_index(index)?;
        Ok(self.tuple_runtime_item(items, idx, span))
    }
}

/// The type of one row of an array of rank `ndim` > 1 (what iterating it yields), as
/// typeinfer gives it.
pub(crate) fn row_type(dtype: Scalar, ndim: u8, layout: Layout) -> Type {
    let layout = if layout == Layout::C {
        Layout::C
    } else {
        Layout::A
    };
    Type::array(dtype, ndim - 1, layout)
}

/// An integer literal, possibly negated.
pub(crate) fn constant_int(expr: &Expr) -> Option<i64> {
    match &expr.kind {
        ExprKind::Int(v) => i64::try_from(*v).ok(),
        ExprKind::UnaryOp {
            op: UnaryOp::Neg,
            operand,
        } => constant_int(operand).map(|v| -v),
        _ => None,
    }
}

fn literal_non_negative(expr: &Expr) -> bool {
    constant_int(expr).is_some_and(|v| v >= 0)
}
