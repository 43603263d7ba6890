//! Typing of NumPy's statistics functions over a whole array: `np.median`,
//! `np.percentile`/`np.quantile` (linear method), the NaN-ignoring reductions (`np.nansum`,
//! `nanmean`, `nanstd`, `nanvar`, `nanmin`, `nanmax`, `nanargmin`, `nanargmax`), `np.ptp`,
//! `np.average` (weights), `np.cov`/`np.corrcoef` and `np.histogram` (lowered in
//! `ir/src/lower/statistics.rs`). Result dtypes follow NumPy: integers give `float64`
//! where NumPy computes a mean, floats keep their precision.

use super::numpy_call::accumulator;
use super::{Infer, R};
use crate::numpy::ArrayFn;
use crate::rules;
use crate::types::{Layout, Scalar, Type};
use frontend::Diagnostic;
use frontend::ast::{Expr, ExprKind};

/// The dtype NumPy's mean of `dt` elements has (`float64` for integers and bools).
pub fn mean_dtype(dt: Scalar) -> Scalar {
    if dt.is_float() || dt.is_complex() {
        dt
    } else {
        Scalar::F64
    }
}

impl Infer<'_> {
    /// The result type of the statistics call `f`; `arg` looks up a bound parameter.
    pub(super) fn statistics_type<'e>(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> Option<&'e Expr>,
    ) -> R<Type> {
        use ArrayFn::*;
        let required = |name: &str| arg(name).expect("bound by `ArrayFn::bind`");
        let real = |this: &mut Self, name: &str| -> R<(Scalar, u8)> {
            let a = required(name);
            match this.value(a)? {
                Type::Array { dtype, ndim, .. } if !dtype.is_complex() => Ok((dtype, ndim)),
                other => {
                    let message = format!(
                        "{}() expects a real (not complex) array, got {other}",
                        f.name()
                    );
                    Err(Diagnostic::typing(message, a.span).into())
                }
            }
        };
        Ok(match f {
            Median => Type::Scalar(mean_dtype(real(self, "a")?.0)),
            Percentile | Quantile => {
                let (dt, _) = real(self, "a")?;
                let q = required("q");
                let out = mean_dtype(dt);
                match self.value(q)? {
                    // An integer q (`np.quantile(a, 0)`) takes an element as it is.
                    Type::Scalar(s) if s.is_int() && f == Quantile => Type::Scalar(dt),
                    Type::Scalar(s) if !s.is_complex() => Type::Scalar(out),
                    // An array of q is not a weak operand: float64 q widens float32 data.
                    Type::Array { dtype, ndim: 1, .. } if !dtype.is_complex() => {
                        Type::array(rules::promote(out, dtype), 1, Layout::C)
                    }
                    other => {
                        let message = format!(
                            "{}() takes a number or a 1-d array as q, got {other}",
                            f.name()
                        );
                        return Err(Diagnostic::typing(message, q.span).into());
                    }
                }
            }
            Nansum => Type::Scalar(accumulator(real(self, "a")?.0)),
            Nanmean => Type::Scalar(mean_dtype(real(self, "a")?.0)),
            Nanstd | Nanvar => {
                let (dt, _) = real(self, "a")?;
                if let Some(ddof) = arg("ddof") {
                    self.int_value(f, ddof)?;
                }
                Type::Scalar(mean_dtype(dt))
            }
            Nanmin | Nanmax => Type::Scalar(real(self, "a")?.0),
            Ptp => {
                let (dt, _) = real(self, "a")?;
                if dt.is_bool() {
                    let message = "ptp() of a bool array: NumPy cannot subtract booleans";
                    return Err(Diagnostic::typing(message, required("a").span).into());
                }
                Type::Scalar(dt)
            }
            Nanargmin | Nanargmax => {
                real(self, "a")?;
                Type::I64
            }
            Average => {
                let (dt, ndim) = real(self, "a")?;
                if let Some(axis) = arg("axis") {
                    if !matches!(axis.kind, ExprKind::NoneLit) {
                        let message = "average() is supported over the whole array only";
                        return Err(Diagnostic::unsupported(message, axis.span).into());
                    }
                    self.value(axis)?;
                }
                match arg("weights").filter(|w| !matches!(w.kind, ExprKind::NoneLit)) {
                    None => {
                        if let Some(w) = arg("weights") {
                            self.value(w)?;
                        }
                        Type::Scalar(mean_dtype(dt))
                    }
                    Some(w) => {
                        let (wt, wn) = real(self, "weights")?;
                        if wn != ndim {
                            let message = "average(): weights must have the shape of a";
                            return Err(Diagnostic::unsupported(message, w.span).into());
                        }
                        let both = rules::promote(dt, wt);
                        let dtype = if dt.is_int() || dt.is_bool() {
                            rules::promote(both, Scalar::F64)
                        } else {
                            both
                        };
                        Type::Scalar(mean_dtype(dtype))
                    }
                }
            }
            Cov | Corrcoef => {
                let first = if f == Cov { "m" } else { "x" };
                let (_, ndim) = real(self, first)?;
                let with_y = arg("y").is_some();
                if with_y {
                    let (_, yn) = real(self, "y")?;
                    if yn != ndim {
                        let message = format!("{}(): x and y must have the same rank", f.name());
                        return Err(Diagnostic::typing(message, required("y").span).into());
                    }
                }
                if ndim > 2 || (ndim == 1 && !with_y) {
                    let message = format!(
                        "{}() of one 1-d array (a 0-d result) or of arrays of rank > 2 is not \
                         supported; pass a 2-d array of variables (rows) or two 1-d arrays",
                        f.name()
                    );
                    return Err(Diagnostic::unsupported(message, required(first).span).into());
                }
                if let Some(ddof) = arg("ddof") {
                    self.int_value(f, ddof)?;
                }
                Type::array(Scalar::F64, 2, Layout::C)
            }
            Histogram => {
                let (dt, _) = real(self, "a")?;
                if dt.is_bool() {
                    let message = "histogram() of a bool array is not supported";
                    return Err(Diagnostic::unsupported(message, required("a").span).into());
                }
                // Computed edges are float64 (float32 for float32 data); given edges are kept.
                let mut edges = if dt == Scalar::F32 { dt } else { Scalar::F64 };
                if let Some(bins) = arg("bins") {
                    match self.value(bins)? {
                        Type::Scalar(s) if s.is_int() => {}
                        Type::Array { dtype, ndim: 1, .. } if !dtype.is_complex() => {
                            edges = dtype;
                        }
                        other => {
                            let message = format!(
                                "histogram() takes an integer or a 1-d array of edges as bins, \
                                 got {other}"
                            );
                            return Err(Diagnostic::typing(message, bins.span).into());
                        }
                    }
                }
                if let Some(range) = arg("range") {
                    match self.value(range)? {
                        Type::Tuple(items)
                            if items.len() == 2
                                && items
                                    .iter()
                                    .all(|t| t.as_scalar().is_some_and(|s| !s.is_complex())) => {}
                        Type::NoneType => {}
                        other => {
                            let message = format!(
                                "histogram() takes a (lower, upper) tuple as range, got {other}"
                            );
                            return Err(Diagnostic::typing(message, range.span).into());
                        }
                    }
                }
                Type::Tuple(vec![
                    Type::array(Scalar::I64, 1, Layout::C),
                    Type::array(edges, 1, Layout::C),
                ])
            }
            other => {
                let message = format!("{}() is not a statistics function", other.name());
                return Err(Diagnostic::internal(message).into());
            }
        })
    }

    fn int_value(&mut self, f: ArrayFn, v: &Expr) -> R<()> {
        match self.value(v)? {
            Type::Scalar(s) if s.is_int() || s.is_bool() => Ok(()),
            other => {
                let message = format!("{}() expects an integer here, got {other}", f.name());
                Err(Diagnostic::typing(message, v.span).into())
            }
        }
    }
}
