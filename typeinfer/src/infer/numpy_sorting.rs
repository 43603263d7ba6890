//! Typing of NumPy's sorting and searching functions: `np.sort`/`a.sort()`, `np.argsort`,
//! `np.partition`/`np.argpartition`, `np.searchsorted`, `np.unique`, `np.digitize`,
//! `np.bincount`, `np.nonzero`/`np.where(condition)`, `np.flatnonzero`, `np.argwhere` and
//! `np.isin` (lowered in `ir/src/lower/sorting.rs`).
//!
//! What lowering relies on: `axis` of `sort`/`argsort`/`a.sort()` is an integer literal (any
//! axis) or, for `np.sort` and `np.argsort`, `None` (flattened); of `partition` and
//! `argpartition` (and `a.partition`, in place) the last axis, `kth` an integer or a
//! sequence of them; `kind` and `side` are string literals (resolved as
//! [`Resolution::Callee`], never lowered as values); operands that are compared are real,
//! except those of `sort`/`argsort` (complex numbers in NumPy's lexicographic order).

use super::{Infer, R};
use crate::Resolution;
use crate::numpy::ArrayFn;
use crate::types::{Layout, Scalar, Type};
use frontend::Diagnostic;
use frontend::ast::{Expr, ExprKind};

/// The `kind=` names NumPy accepts; `mergesort` and `stable` ask for a stable sort.
pub const SORT_KINDS: [&str; 4] = ["quicksort", "mergesort", "heapsort", "stable"];

impl Infer<'_> {
    /// The result type of the sorting/searching call `f`; `arg` looks up a bound parameter.
    pub(super) fn sorting_type<'e>(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> Option<&'e Expr>,
    ) -> R<Type> {
        use ArrayFn::*;
        let required = |name: &str| arg(name).expect("bound by `ArrayFn::bind`");
        Ok(match f {
            Sort | SortInPlace | Argsort => {
                // Complex numbers sort by real part, then imaginary part, as in NumPy.
                let (dt, ndim) = self.any_array(f, required("a"))?;
                // Any literal axis (lowering sorts the other axes through a permuted view).
                let flattened = match arg("axis") {
                    Some(axis) if super::numpy_call::literal_int(axis).is_some() => {
                        self.literal_axis(f, axis, ndim)?;
                        false
                    }
                    other => self.last_axis(f, other, ndim, f != SortInPlace)?,
                };
                if let Some(kind) = arg("kind") {
                    self.string_option(f, kind, &SORT_KINDS)?;
                }
                let ndim = if flattened { 1 } else { ndim };
                match f {
                    Sort => Type::array(dt, ndim, Layout::C),
                    Argsort => Type::array(Scalar::I64, ndim, Layout::C),
                    _ => Type::NoneType,
                }
            }
            Partition | PartitionInPlace | Argpartition => {
                let (dt, ndim) = self.real_array(f, required("a"))?;
                self.last_axis(f, arg("axis"), ndim, false)?;
                // One integer, or a sequence of them: a tuple, a list or a 1-d array.
                let kth = required("kth");
                let integer = |t: &Type| matches!(t, Type::Scalar(s) if s.is_int());
                match self.value(kth)? {
                    t if integer(&t) => {}
                    Type::Tuple(items) if items.iter().all(integer) => {}
                    Type::List { item, .. } if integer(&item) => {}
                    Type::Array { dtype, ndim: 1, .. } if dtype.is_int() => {}
                    other => {
                        let message = format!(
                            "{}() takes an integer kth or a sequence of them (a tuple, a list, \
                             a 1-d integer array), got {other}",
                            f.name()
                        );
                        return Err(Diagnostic::typing(message, kth.span).into());
                    }
                }
                if let Some(kind) = arg("kind") {
                    self.string_option(f, kind, &["introselect"])?;
                }
                match f {
                    Partition => Type::array(dt, ndim, Layout::C),
                    Argpartition => Type::array(Scalar::I64, ndim, Layout::C),
                    _ => Type::NoneType,
                }
            }
            Searchsorted => {
                let a = required("a");
                let (_, ndim) = self.real_array(f, a)?;
                if ndim != 1 {
                    let message = "searchsorted() needs a 1-d sorted array";
                    return Err(Diagnostic::typing(message, a.span).into());
                }
                if let Some(side) = arg("side") {
                    self.string_option(f, side, &["left", "right"])?;
                }
                // `sorter=`: the indices that sort `a` (a 1-d integer array) or None.
                if let Some(sorter) = arg("sorter") {
                    match self.value(sorter)? {
                        Type::NoneType => {}
                        Type::Array { dtype, ndim: 1, .. } if dtype.is_int() => {}
                        other => {
                            let message = format!(
                                "searchsorted(): sorter must be a 1-d integer array, got {other}"
                            );
                            return Err(Diagnostic::typing(message, sorter.span).into());
                        }
                    }
                }
                self.indices_like(f, required("v"))?
            }
            Digitize => {
                let bins = required("bins");
                let (_, ndim) = self.real_array(f, bins)?;
                if ndim != 1 {
                    let message = "digitize(): bins must be a 1-d array";
                    return Err(Diagnostic::typing(message, bins.span).into());
                }
                if let Some(right) = arg("right") {
                    self.condition(right)?;
                }
                self.indices_like(f, required("x"))?
            }
            Unique => {
                let (dt, _) = self.real_array(f, required("ar"))?;
                Type::array(dt, 1, Layout::C)
            }
            Bincount => {
                let x = required("x");
                let (dt, ndim) = self.real_array(f, x)?;
                if ndim != 1 || !(dt.is_int() || dt.is_bool()) {
                    let message = format!(
                        "bincount() takes a 1-d array of non-negative integers, got {}",
                        self.value(x)?
                    );
                    return Err(Diagnostic::typing(message, x.span).into());
                }
                if let Some(minlength) = arg("minlength") {
                    self.integer(f, minlength)?;
                }
                match arg("weights").filter(|w| !matches!(w.kind, ExprKind::NoneLit)) {
                    Some(w) => {
                        let (_, wn) = self.real_array(f, w)?;
                        if wn != 1 {
                            let message = "bincount(): weights must be a 1-d array";
                            return Err(Diagnostic::typing(message, w.span).into());
                        }
                        Type::array(Scalar::F64, 1, Layout::C)
                    }
                    None => {
                        if let Some(none) = arg("weights") {
                            self.value(none)?;
                        }
                        Type::array(Scalar::I64, 1, Layout::C)
                    }
                }
            }
            Nonzero => self.nonzero_type(required("a"))?,
            Flatnonzero | Argwhere => {
                self.any_array(f, required("a"))?;
                Type::array(Scalar::I64, if f == Argwhere { 2 } else { 1 }, Layout::C)
            }
            Isin => {
                let (_, ndim) = self.real_array(f, required("element"))?;
                let test = required("test_elements");
                match self.value(test)? {
                    Type::Array { dtype, .. } if !dtype.is_complex() => {}
                    Type::Scalar(s) if !s.is_complex() => {}
                    other => {
                        let message = format!("isin() test_elements of type {other}");
                        return Err(Diagnostic::unsupported(message, test.span).into());
                    }
                }
                for flag in ["assume_unique", "invert"] {
                    if let Some(v) = arg(flag) {
                        self.condition(v)?;
                    }
                }
                Type::array(Scalar::Bool, ndim, Layout::C)
            }
            other => {
                let message = format!("{}() is not a sorting function", other.name());
                return Err(Diagnostic::internal(message).into());
            }
        })
    }

    /// `np.nonzero(a)` / `np.where(a)`: one `int64` index array per axis of `a`.
    pub(super) fn nonzero_type(&mut self, a: &Expr) -> R<Type> {
        let (_, ndim) = self.any_array(ArrayFn::Nonzero, a)?;
        Ok(Type::Tuple(vec![
            Type::array(Scalar::I64, 1, Layout::C);
            usize::from(ndim)
        ]))
    }

    fn any_array(&mut self, f: ArrayFn, a: &Expr) -> R<(Scalar, u8)> {
        match self.value(a)? {
            Type::Array { dtype, ndim, .. } => Ok((dtype, ndim)),
            other => {
                let message = format!("{}() expects an array, got {other}", f.name());
                Err(Diagnostic::typing(message, a.span).into())
            }
        }
    }

    /// An array of real (not complex) elements.
    fn real_array(&mut self, f: ArrayFn, a: &Expr) -> R<(Scalar, u8)> {
        let (dt, ndim) = self.any_array(f, a)?;
        if dt.is_complex() {
            let message = format!("{}() of a complex array is not supported", f.name());
            return Err(Diagnostic::unsupported(message, a.span).into());
        }
        Ok((dt, ndim))
    }

    fn integer(&mut self, f: ArrayFn, v: &Expr) -> R<()> {
        match self.value(v)? {
            Type::Scalar(s) if s.is_int() || s.is_bool() => Ok(()),
            other => {
                let message = format!("{}() expects an integer here, got {other}", f.name());
                Err(Diagnostic::typing(message, v.span).into())
            }
        }
    }

    /// `int64` for a real number, an `int64` array of the same rank for a real array.
    fn indices_like(&mut self, f: ArrayFn, v: &Expr) -> R<Type> {
        match self.value(v)? {
            Type::Scalar(s) if !s.is_complex() => Ok(Type::I64),
            Type::Array { dtype, ndim, .. } if !dtype.is_complex() => {
                Ok(Type::array(Scalar::I64, ndim, Layout::C))
            }
            other => {
                let message = format!("{}() expects real numbers here, got {other}", f.name());
                Err(Diagnostic::typing(message, v.span).into())
            }
        }
    }

    /// Checks an `axis=` of a sorting function: the last axis (the default), or `None`
    /// (flatten first) where `none_flattens`. Returns true for `None`.
    fn last_axis(
        &mut self,
        f: ArrayFn,
        axis: Option<&Expr>,
        ndim: u8,
        none_flattens: bool,
    ) -> R<bool> {
        let Some(axis) = axis else {
            return Ok(false);
        };
        if matches!(axis.kind, ExprKind::NoneLit) && none_flattens {
            self.value(axis)?;
            return Ok(true);
        }
        let k = super::numpy_call::literal_int(axis);
        let last = k.is_some_and(|k| k == -1 || k == i64::from(ndim) - 1);
        if !last {
            let message = format!(
                "{}() is supported along the last axis (axis=-1){} only",
                f.name(),
                if none_flattens { " or axis=None" } else { "" }
            );
            return Err(Diagnostic::unsupported(message, axis.span).into());
        }
        self.value(axis)?;
        Ok(false)
    }

    /// A string option such as `kind='stable'`: a literal among `allowed`.
    pub(super) fn string_option(&mut self, f: ArrayFn, v: &Expr, allowed: &[&str]) -> R<()> {
        match &v.kind {
            ExprKind::Str(s) if allowed.contains(&s.as_str()) => {
                self.resolve(v.id, Resolution::Callee);
                Ok(())
            }
            _ => {
                let message = format!(
                    "{}(): this option must be one of the string literals {}",
                    f.name(),
                    allowed
                        .iter()
                        .map(|a| format!("'{a}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                Err(Diagnostic::typing(message, v.span).into())
            }
        }
    }
}
