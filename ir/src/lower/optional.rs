//! Optional numbers (Numba's `OptionalType`): a variable assigned both `None` and a number, or
//! a function returning both. The value is a present flag followed by the number's slots
//! (`flatten`); an absent value holds zeros. `x is None` reads the flag; reading `x` as a
//! number checks the flag at run time and raises `TypeError` when it is None (inside
//! `if x is not None:` the check always passes), as Numba unwraps optionals.

use super::{Lowerer, PyValue};
use crate::function::{Op, Ty, Value};
use frontend::Span;
use runtime::error::ExceptionKind;
use typeinfer::Type;

impl Lowerer<'_, '_> {
    /// `value` (None, a number or an optional) as an optional of `inner`.
    pub(crate) fn as_optional_value(&mut self, value: PyValue, inner: &Type) -> PyValue {
        match value {
            PyValue::None => {
                let flag = self.b.bconst(false);
                PyValue::Optional(flag, Box::new(self.zero_of(inner)))
            }
            PyValue::Optional(flag, v) => PyValue::Optional(flag, Box::new(self.coerce(*v, inner))),
            v => {
                let flag = self.b.bconst(true);
                PyValue::Optional(flag, Box::new(self.coerce(v, inner)))
            }
        }
    }

    /// The number held by `value` when it is an optional, raising `TypeError` at run time if
    /// it is None; other values unchanged.
    pub(crate) fn unwrap_optional(&mut self, value: PyValue, span: Span) -> PyValue {
        let PyValue::Optional(flag, inner) = value else {
            return value;
        };
        let absent = self.b.ins(Op::Not, &[flag], Ty::Bool);
        let expected = match (&*inner, inner.scalar_type()) {
            (_, Some(s)) => s.to_string(),
            (PyValue::Array(_, ty), _) => ty.to_string(),
            (PyValue::Text(_), _) => "str".to_string(),
            (PyValue::Tuple(_), _) => "a tuple".to_string(),
            _ => "a value".to_string(),
        };
        let message = format!("expected {expected}, got None");
        self.raise_if(absent, ExceptionKind::TypeError, &message, span, &[]);
        *inner
    }

    /// `a is b` for values one of which may be optional (the other None); `None` when neither
    /// is optional.
    pub(crate) fn optional_identity(&mut self, a: &PyValue, b: &PyValue) -> Option<Value> {
        match (a, b) {
            (PyValue::Optional(flag, _), PyValue::None)
            | (PyValue::None, PyValue::Optional(flag, _)) => {
                Some(self.b.ins(Op::Not, &[*flag], Ty::Bool))
            }
            (PyValue::Optional(..), _) | (_, PyValue::Optional(..)) => Some(self.b.bconst(false)),
            _ => None,
        }
    }

    /// The content of an absent optional of `ty`: zeros, and for an array or a string a
    /// pointer to a zeroed descriptor or header (an empty value), never null, because
    /// `load.readonly` of descriptors may be speculated above the `is None` test (LICM,
    /// if-conversion) and must not trap.
    fn zero_of(&mut self, ty: &Type) -> PyValue {
        match ty {
            Type::Tuple(items) => PyValue::Tuple(items.iter().map(|t| self.zero_of(t)).collect()),
            Type::Array { ndim, .. } => {
                let bytes = runtime::array::descriptor_size(u32::from(*ndim)) as u32;
                PyValue::Array(self.zeroed_stack_memory(bytes), ty.clone())
            }
            Type::Str => PyValue::Text(self.zeroed_stack_memory(16)),
            _ => {
                let values: Vec<Value> = super::flatten::ir_types(ty)
                    .into_iter()
                    .map(|t| match t {
                        Ty::F32 | Ty::F64 => self.b.fconst(t, 0.0),
                        Ty::Bool => self.b.bconst(false),
                        t => self.b.iconst(t, 0),
                    })
                    .collect();
                PyValue::from_flat(ty, &mut values.into_iter())
            }
        }
    }

    /// A stack area of `bytes` (a multiple of 8) filled with zeros.
    fn zeroed_stack_memory(&mut self, bytes: u32) -> Value {
        let area = self.b.ins(Op::StackSlot(bytes), &[], Ty::Ptr);
        let zero = self.b.iconst(Ty::I64, 0);
        for word in 0..bytes / 8 {
            self.b.store(area, zero, (word * 8) as i32);
        }
        area
    }
}
