//! Python-level values during lowering: a scalar, a complex pair, a tuple, an array descriptor,
//! or a compile-time-only value (a range, a string, none).

use crate::function::Value;
use typeinfer::{Scalar, Type};

#[derive(Clone, Debug, PartialEq)]
pub enum PyValue {
    /// A non-complex scalar of the given dtype.
    Scalar(Value, Scalar),
    /// A complex number: (real, imaginary) of its part type; the scalar is C64 or C128.
    Complex(Value, Value, Scalar),
    Tuple(Vec<PyValue>),
    /// A pointer to an array descriptor, with the array's type.
    Array(Value, Type),
    /// A pointer to a list header (`runtime::list`), with the list's type.
    List(Value, Type),
    /// A run-time string (`runtime::text`); `Str` is a compile-time literal.
    Text(Value),
    /// A pointer to a dict or set table (`runtime::dict`), with its type.
    Dict(Value, Type),
    /// A raw C pointer (an address), with its `CPointer` type.
    Pointer(Value, Type),
    None,
    /// An optional number: its present flag (bool) and the number (zeros when absent).
    Optional(Value, Box<PyValue>),
    /// `range(start, stop, step)` as an iterable; all three are i64.
    Range {
        start: Value,
        stop: Value,
        step: Value,
        step_const: Option<i64>,
        /// From `prange`: the iterations may run in parallel.
        parallel: bool,
    },
    Str(String),
}

impl PyValue {
    /// The flattened IR values, in the order of `flatten::flat_types`.
    pub fn flat_values(&self) -> Vec<Value> {
        let mut out = Vec::new();
        self.push_flat(&mut out);
        out
    }
    fn push_flat(&self, out: &mut Vec<Value>) {
        match self {
            PyValue::Scalar(v, _)
            | PyValue::Array(v, _)
            | PyValue::List(v, _)
            | PyValue::Text(v)
            | PyValue::Dict(v, _)
            | PyValue::Pointer(v, _) => out.push(*v),
            PyValue::Complex(re, im, _) => {
                out.push(*re);
                out.push(*im);
            }
            PyValue::Tuple(items) => items.iter().for_each(|i| i.push_flat(out)),
            PyValue::Optional(flag, inner) => {
                out.push(*flag);
                inner.push_flat(out);
            }
            PyValue::None | PyValue::Range { .. } | PyValue::Str(_) => {}
        }
    }

    /// Rebuilds a value of type `ty` from flattened IR values (consumed from the front).
    pub fn from_flat(ty: &Type, values: &mut impl Iterator<Item = Value>) -> PyValue {
        match ty {
            Type::Scalar(s) if s.is_complex() => {
                let re = values.next().expect("flat value");
                let im = values.next().expect("flat value");
                PyValue::Complex(re, im, *s)
            }
            Type::Scalar(s) => PyValue::Scalar(values.next().expect("flat value"), *s),
            Type::Array { .. } => PyValue::Array(values.next().expect("flat value"), ty.clone()),
            Type::Tuple(items) => PyValue::Tuple(
                items
                    .iter()
                    .map(|t| PyValue::from_flat(t, values))
                    .collect(),
            ),
            Type::List { .. } => PyValue::List(values.next().expect("flat value"), ty.clone()),
            Type::Str => PyValue::Text(values.next().expect("flat value")),
            Type::Dict { .. } | Type::Set { .. } => {
                PyValue::Dict(values.next().expect("flat value"), ty.clone())
            }
            Type::CPointer(_) | Type::Instance { .. } | Type::Generator => {
                PyValue::Pointer(values.next().expect("flat value"), ty.clone())
            }
            Type::Optional(inner) => {
                let flag = values.next().expect("flat value");
                PyValue::Optional(flag, Box::new(PyValue::from_flat(inner, values)))
            }
            Type::NoneType
            | Type::Range
            | Type::Unknown
            | Type::Function { .. }
            | Type::DType(_) => PyValue::None,
        }
    }

    pub fn scalar_type(&self) -> Option<Scalar> {
        match self {
            PyValue::Scalar(_, s) | PyValue::Complex(_, _, s) => Some(*s),
            _ => None,
        }
    }
}

impl PyValue {
    /// A value of the same shape as `self` (same types, tuple structure, array types) made of
    /// other flattened IR values, consumed from the front.
    pub fn with_flat(&self, values: &mut impl Iterator<Item = Value>) -> PyValue {
        let mut next = || values.next().expect("flat value");
        match self {
            PyValue::Scalar(_, s) => PyValue::Scalar(next(), *s),
            PyValue::Complex(_, _, s) => {
                let re = next();
                PyValue::Complex(re, next(), *s)
            }
            PyValue::Array(_, ty) => PyValue::Array(next(), ty.clone()),
            PyValue::List(_, ty) => PyValue::List(next(), ty.clone()),
            PyValue::Text(_) => PyValue::Text(next()),
            PyValue::Dict(_, ty) => PyValue::Dict(next(), ty.clone()),
            PyValue::Pointer(_, ty) => PyValue::Pointer(next(), ty.clone()),
            PyValue::Tuple(items) => {
                PyValue::Tuple(items.iter().map(|i| i.with_flat(values)).collect())
            }
            PyValue::Optional(_, inner) => {
                let flag = next();
                PyValue::Optional(flag, Box::new(inner.with_flat(values)))
            }
            other => other.clone(),
        }
    }
}
