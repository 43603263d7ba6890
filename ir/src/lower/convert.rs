//! Conversions between Python-level types: scalar casts (NumPy's C-cast semantics), real ↔
//! complex, element-wise tuple conversion, and truthiness.

use super::flatten::scalar_ir_type;
use super::{Lowerer, PyValue};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use typeinfer::{Scalar, Type};

impl Lowerer<'_, '_> {
    /// Converts `value` to type `to` (typeinfer has checked that this is allowed).
    pub(crate) fn coerce(&mut self, value: PyValue, to: &Type) -> PyValue {
        match (value, to) {
            (PyValue::Scalar(v, from), Type::Scalar(s)) => self.convert_scalar(v, from, *s),
            (PyValue::Complex(re, im, from), Type::Scalar(s)) => {
                self.convert_complex(re, im, from, *s)
            }
            (PyValue::Tuple(items), Type::Tuple(types)) if items.len() == types.len() => {
                PyValue::Tuple(
                    items
                        .into_iter()
                        .zip(types)
                        .map(|(i, t)| self.coerce(i, t))
                        .collect(),
                )
            }
            (value, Type::Optional(inner)) => self.as_optional_value(value, inner),
            (PyValue::Array(v, _), ty @ Type::Array { .. }) => PyValue::Array(v, ty.clone()),
            (PyValue::List(v, from), to @ Type::List { .. }) => self.coerce_list(v, &from, to),
            (PyValue::Dict(v, from), to @ (Type::Dict { .. } | Type::Set { .. })) => {
                self.coerce_dict(v, &from, to)
            }
            (v @ PyValue::Str(_), Type::Str) => match self.text_of(&v, frontend::Span::default()) {
                Ok(s) => PyValue::Text(s),
                Err(_) => v,
            },
            (value, _) => value,
        }
    }

    /// Converts a non-complex scalar `v` of dtype `from` to dtype `to`.
    pub(crate) fn convert_scalar(&mut self, v: Value, from: Scalar, to: Scalar) -> PyValue {
        if to.is_complex() {
            let part = to.real_part();
            let re = self.cast_real(v, from, part);
            let im = self.b.fconst(scalar_ir_type(part), 0.0);
            return PyValue::Complex(re, im, to);
        }
        PyValue::Scalar(self.cast_real(v, from, to), to)
    }

    fn convert_complex(&mut self, re: Value, im: Value, from: Scalar, to: Scalar) -> PyValue {
        let from_part = from.real_part();
        if to.is_complex() {
            let re = self.cast_real(re, from_part, to.real_part());
            let im = self.cast_real(im, from_part, to.real_part());
            return PyValue::Complex(re, im, to);
        }
        if to.is_bool() {
            let nonzero_re = self.b.ins(Op::ToBool, &[re], Ty::Bool);
            let nonzero_im = self.b.ins(Op::ToBool, &[im], Ty::Bool);
            return PyValue::Scalar(self.b.ins(Op::Or, &[nonzero_re, nonzero_im], Ty::Bool), to);
        }
        // Complex → real keeps the real part (NumPy's ComplexWarning case).
        PyValue::Scalar(self.cast_real(re, from_part, to), to)
    }

    /// Casts between non-complex scalar dtypes.
    pub(crate) fn cast_real(&mut self, v: Value, from: Scalar, to: Scalar) -> Value {
        if from == to {
            return v;
        }
        let to_ty = scalar_ir_type(to);
        let from_ty = scalar_ir_type(from);
        if to.is_bool() {
            return self.b.ins(Op::ToBool, &[v], Ty::Bool);
        }
        if from.is_bool() {
            if to.is_float() {
                let as_int = self.b.convert(Op::Uext, v, Ty::I32);
                return self.b.convert(Op::UToF, as_int, to_ty);
            }
            return self.b.convert(Op::Uext, v, to_ty);
        }
        match (from.is_float(), to.is_float()) {
            (true, true) => {
                let op = if to_ty.bits() > from_ty.bits() {
                    Op::Fpromote
                } else {
                    Op::Fdemote
                };
                self.b.convert(op, v, to_ty)
            }
            (false, true) => {
                let op = if from.is_unsigned_int() {
                    Op::UToF
                } else {
                    Op::SToF
                };
                self.b.convert(op, v, to_ty)
            }
            (true, false) => {
                let op = if to.is_unsigned_int() {
                    Op::FToU
                } else {
                    Op::FToS
                };
                self.b.convert(op, v, to_ty)
            }
            (false, false) => {
                let (fb, tb) = (from_ty.bits(), to_ty.bits());
                if tb > fb {
                    let op = if from.is_unsigned_int() {
                        Op::Uext
                    } else {
                        Op::Sext
                    };
                    self.b.convert(op, v, to_ty)
                } else if tb < fb {
                    self.b.convert(Op::Ireduce, v, to_ty)
                } else {
                    v
                }
            }
        }
    }

    /// Python truthiness of a value, as a bool.
    pub(crate) fn truthy(&mut self, value: &PyValue) -> Value {
        match value {
            PyValue::Scalar(v, s) if s.is_bool() => *v,
            PyValue::Scalar(v, _) => self.b.ins(Op::ToBool, &[*v], Ty::Bool),
            PyValue::Complex(re, im, _) => {
                let a = self.b.ins(Op::ToBool, &[*re], Ty::Bool);
                let b = self.b.ins(Op::ToBool, &[*im], Ty::Bool);
                self.b.ins(Op::Or, &[a, b], Ty::Bool)
            }
            PyValue::Tuple(items) => self.b.bconst(!items.is_empty()),
            PyValue::None => self.b.bconst(false),
            PyValue::Optional(flag, inner) => {
                let inner = self.truthy(inner);
                self.b.ins(Op::And, &[*flag, inner], Ty::Bool)
            }
            PyValue::Str(text) => self.b.bconst(!text.is_empty()),
            PyValue::Array(..) | PyValue::Range { .. } => self.b.bconst(true),
            PyValue::Text(s) => {
                let len = self.str_len(&PyValue::Text(*s));
                let zero = self.b.iconst(Ty::I64, 0);
                self.b.icmp(IntCC::Ne, len, zero)
            }
            PyValue::Dict(d, _) => {
                let len = self.dict_len(*d);
                let zero = self.b.iconst(Ty::I64, 0);
                self.b.icmp(IntCC::Ne, len, zero)
            }
            // A C pointer is true unless it is null, as in C.
            PyValue::Pointer(p, _) => {
                let null = self.b.iconst(Ty::I64, 0);
                self.b.icmp(IntCC::Ne, *p, null)
            }
            PyValue::List(list, _) => {
                let len = self.list_len(*list);
                let zero = self.b.iconst(Ty::I64, 0);
                self.b.icmp(IntCC::Ne, len, zero)
            }
        }
    }

    /// Integer comparison with the signedness of `s`.
    pub(crate) fn int_cmp(&mut self, cc: IntCC, a: Value, b: Value, s: Scalar) -> Value {
        let cc = if s.is_unsigned_int() {
            match cc {
                IntCC::Slt => IntCC::Ult,
                IntCC::Sle => IntCC::Ule,
                IntCC::Sgt => IntCC::Ugt,
                IntCC::Sge => IntCC::Uge,
                other => other,
            }
        } else {
            cc
        };
        self.b.icmp(cc, a, b)
    }

    /// A constant of dtype `s` (non-complex).
    pub(crate) fn scalar_const(&mut self, s: Scalar, value: f64) -> Value {
        let ty = scalar_ir_type(s);
        if s.is_bool() {
            self.b.bconst(value != 0.0)
        } else if s.is_float() || s.is_complex() {
            self.b.fconst(ty, value)
        } else {
            self.b.iconst(ty, value as i64)
        }
    }

    pub(crate) fn is_nan(&mut self, v: Value) -> Value {
        self.b.fcmp(FloatCC::Ne, v, v)
    }
}
