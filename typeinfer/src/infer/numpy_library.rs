//! Typing of `np.eye`/`np.identity`, `np.round`/`np.around`/`a.round` (`decimals=`) and
//! `np.isclose` (lowered in `ir/src/lower/numeric.rs`).
//!
//! What lowering relies on: `round` is given a real or complex number or array (not bools) and
//! keeps its type; `isclose` is given real numbers or arrays and gives `bool` (an array of the
//! highest rank when either operand is an array).

use super::{Infer, R};
use crate::numpy::ArrayFn;
use crate::types::{Layout, Scalar, Type};
use frontend::Diagnostic;
use frontend::ast::{Expr, ExprKind};

impl Infer<'_> {
    /// The result type of `f`; `arg` looks up a bound parameter, `dtype` is the `dtype=`
    /// argument if any.
    pub(super) fn library_type<'e>(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> Option<&'e Expr>,
        dtype: Option<Scalar>,
    ) -> R<Type> {
        use ArrayFn::*;
        let required = |name: &str| arg(name).expect("bound by `ArrayFn::bind`");
        Ok(match f {
            Eye | Identity => {
                let names: &[&str] = if f == Eye { &["N", "M", "k"] } else { &["n"] };
                for name in names {
                    let Some(v) = arg(name) else { continue };
                    if *name == "M" && matches!(v.kind, ExprKind::NoneLit) {
                        self.value(v)?;
                        continue;
                    }
                    self.integer_value(f, v)?;
                }
                Type::array(dtype.unwrap_or(Scalar::F64), 2, Layout::C)
            }
            Round => {
                if let Some(d) = arg("decimals") {
                    self.integer_value(f, d)?;
                }
                let a = required("a");
                let ty = self.value(a)?;
                match &ty {
                    Type::Scalar(s) | Type::Array { dtype: s, .. } if !s.is_bool() => {}
                    other => {
                        let message = format!("round() of {other} is not supported");
                        return Err(Diagnostic::typing(message, a.span).into());
                    }
                }
                match ty {
                    Type::Array { dtype, ndim, .. } => Type::array(dtype, ndim, Layout::C),
                    scalar => scalar,
                }
            }
            Isclose => {
                let mut ndim = 0;
                for name in ["a", "b"] {
                    let v = required(name);
                    match self.value(v)? {
                        Type::Scalar(_) => {}
                        Type::Array { ndim: n, .. } => {
                            ndim = ndim.max(n);
                        }
                        other => {
                            let message = format!("isclose() of {other} is not supported");
                            return Err(Diagnostic::unsupported(message, v.span).into());
                        }
                    }
                }
                for name in ["rtol", "atol"] {
                    if let Some(v) = arg(name) {
                        match self.value(v)? {
                            Type::Scalar(s) if !s.is_complex() => {}
                            other => {
                                let message = format!("isclose(): {name} of type {other}");
                                return Err(Diagnostic::typing(message, v.span).into());
                            }
                        }
                    }
                }
                if let Some(v) = arg("equal_nan") {
                    self.condition(v)?;
                }
                if ndim == 0 {
                    Type::BOOL
                } else {
                    Type::array(Scalar::Bool, ndim, Layout::C)
                }
            }
            other => {
                let message = format!("{}() is not a library function here", other.name());
                return Err(Diagnostic::internal(message).into());
            }
        })
    }
}
