//! Typing of NumPy array functions and methods ([`ArrayFn`]): creation (`np.zeros`, …),
//! reductions, `np.dot`, `np.where`, reshaping.
//!
//! The call gets [`Resolution::ArrayCall`]; arguments that are compile-time only (a `dtype=`)
//! get [`Resolution::Callee`] so lowering skips them. NumPy's result dtypes are followed:
//! `np.sum` of a small integer type gives `int64`, `np.mean` of integers `float64`.

use super::{Callable, Infer, R, Val};
use crate::Resolution;
use crate::numpy::{ArrayEffect, ArrayFn};
use crate::rules;
use crate::types::{Layout, Scalar, Type};
use frontend::Diagnostic;
use frontend::ast::{Expr, ExprKind, Keyword};

impl Infer<'_> {
    pub(super) fn numpy_call(
        &mut self,
        e: &Expr,
        f: ArrayFn,
        receiver: Option<&Expr>,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> R<Type> {
        use ArrayFn::*;
        let bound = f.bind(receiver, args, keywords, e.span)?;
        let names: Vec<&str> = f.params().iter().copied().filter(|p| *p != "*").collect();
        let arg = |name: &str| names.iter().position(|n| *n == name).and_then(|i| bound[i]);
        let dtype = match arg("dtype") {
            Some(d) => Some(self.dtype_arg(d)?),
            None => None,
        };
        // `axis=k` (a literal) of the reductions and statistics: the result loses that axis.
        let reduces_along_axis = f.reduces_along_axis();
        let axis = match arg("axis").filter(|_| reduces_along_axis) {
            None => None,
            Some(a) if matches!(a.kind, ExprKind::NoneLit) => {
                self.value(a)?;
                None
            }
            // A tuple of axes (`sum`, `prod`, `min`, `max`, `mean`, `std`, `var`, `any`,
            // `all`; `ir/src/lower/keepdims.rs`): the result loses each.
            Some(a) if matches!(a.kind, ExprKind::Tuple(_)) && f.reduces_axis_tuples() => {
                let (_, ndim) = self.array_arg(f, arg("a").expect("required"))?;
                let axes = self.axis_tuple(a, ndim)?;
                self.value(a)?;
                Some((ndim, axes.len() as u8))
            }
            Some(a) => {
                let (_, ndim) = self.array_arg(f, arg("a").expect("required"))?;
                let k = literal_int(a).ok_or_else(|| {
                    Diagnostic::unsupported("axis must be an integer literal", a.span)
                })?;
                let normalized = if k < 0 { k + i64::from(ndim) } else { k };
                if !(0..i64::from(ndim)).contains(&normalized) {
                    let message =
                        format!("axis {k} is out of bounds for an array of dimension {ndim}");
                    return Err(Diagnostic::typing(message, a.span).into());
                }
                self.value(a)?;
                Some((ndim, 1))
            }
        };
        let ty = match f {
            Empty | Zeros | Ones | Full => {
                let shape = arg("shape").expect("required");
                let ndim = self.shape_arg(shape)?;
                let default = match arg("fill_value") {
                    Some(v) => self.scalar_arg(f, v)?,
                    None => Scalar::F64,
                };
                Type::array(dtype.unwrap_or(default), ndim, Layout::C)
            }
            EmptyLike | ZerosLike | OnesLike | FullLike => {
                let (dt, ndim) = self.array_arg(f, arg("a").expect("required"))?;
                if let Some(v) = arg("fill_value") {
                    self.scalar_arg(f, v)?;
                }
                Type::array(dtype.unwrap_or(dt), ndim, Layout::C)
            }
            Arange => {
                let mut widest = Scalar::I64;
                for name in ["start", "stop", "step"] {
                    if let Some(v) = arg(name) {
                        let s = self.scalar_arg(f, v)?;
                        if s.is_complex() {
                            let message = "arange() of complex numbers is not supported";
                            return Err(Diagnostic::unsupported(message, v.span).into());
                        }
                        if s.is_float() {
                            widest = Scalar::F64;
                        }
                    }
                }
                Type::array(dtype.unwrap_or(widest), 1, Layout::C)
            }
            Linspace => {
                for name in ["start", "stop"] {
                    let v = arg(name).expect("required");
                    let s = self.scalar_arg(f, v)?;
                    if s.is_complex() {
                        let message = "linspace() of complex numbers is not supported";
                        return Err(Diagnostic::unsupported(message, v.span).into());
                    }
                }
                if let Some(num) = arg("num") {
                    self.int_arg(f, num)?;
                }
                if let Some(endpoint) = arg("endpoint") {
                    self.condition(endpoint)?;
                }
                Type::array(dtype.unwrap_or(Scalar::F64), 1, Layout::C)
            }
            Copy => {
                let (dt, ndim) = self.array_arg(f, arg("a").expect("required"))?;
                Type::array(dt, ndim, Layout::C)
            }
            Astype => {
                let (_, ndim) = self.array_arg(f, arg("a").expect("required"))?;
                Type::array(dtype.expect("required"), ndim, Layout::C)
            }
            Ravel | Flatten => {
                let (dt, _) = self.array_arg(f, arg("a").expect("required"))?;
                Type::array(dt, 1, Layout::C)
            }
            Reshape => {
                let a = arg("a").expect("required");
                let (dt, _) = self.array_arg(f, a)?;
                let ndim = if f.shape_varargs(receiver, args) {
                    for extent in args {
                        self.int_arg(f, extent)?;
                    }
                    args.len() as u8
                } else {
                    self.shape_arg(arg("shape").expect("required"))?
                };
                Type::array(dt, ndim, Layout::C)
            }
            Fill => {
                self.array_arg(f, arg("a").expect("required"))?;
                self.scalar_arg(f, arg("value").expect("required"))?;
                Type::NoneType
            }
            Sum | Prod | Cumsum | Cumprod => {
                let (dt, ndim) = self.array_arg(f, arg("a").expect("required"))?;
                let acc = accumulator(dt);
                let along_axis = match arg("axis").filter(|_| matches!(f, Cumsum | Cumprod)) {
                    Some(axis) if !matches!(axis.kind, ExprKind::NoneLit) => {
                        // A literal axis keeps the shape (lowered in `construction.rs`).
                        self.concatenate_axis(axis, ndim)?;
                        true
                    }
                    Some(none) => {
                        self.value(none)?;
                        false
                    }
                    None => false,
                };
                if along_axis {
                    Type::array(acc, ndim, Layout::C)
                } else if matches!(f, Cumsum | Cumprod) {
                    Type::array(acc, 1, Layout::C)
                } else {
                    Type::Scalar(acc)
                }
            }
            Min | Max => {
                let (dt, _) = self.array_arg(f, arg("a").expect("required"))?;
                Type::Scalar(dt)
            }
            Argmin | Argmax => {
                self.array_arg(f, arg("a").expect("required"))?;
                Type::I64
            }
            Any | All => {
                self.array_arg(f, arg("a").expect("required"))?;
                Type::BOOL
            }
            Mean | Std | Var => {
                let (dt, _) = self.array_arg(f, arg("a").expect("required"))?;
                if let Some(ddof) = arg("ddof") {
                    self.int_arg(f, ddof)?;
                }
                let mean = match dt {
                    s if s.is_float() || s.is_complex() => s,
                    _ => Scalar::F64,
                };
                if f == Mean {
                    Type::Scalar(mean)
                } else {
                    Type::Scalar(mean.real_part())
                }
            }
            Concatenate => {
                let parts = arg("arrays").expect("required");
                let ty = self.value(parts)?;
                let Type::Tuple(items) = &ty else {
                    let message = format!("concatenate() takes a tuple of arrays, got {ty}");
                    return Err(Diagnostic::typing(message, parts.span).into());
                };
                let mut result: Option<(Scalar, u8)> = None;
                for item in items {
                    let Type::Array { dtype, ndim, .. } = item else {
                        let message = format!("concatenate() takes arrays, got {item}");
                        return Err(Diagnostic::typing(message, parts.span).into());
                    };
                    result = Some(match result {
                        None => (*dtype, *ndim),
                        Some((d, n)) if n == *ndim => (rules::promote(d, *dtype), n),
                        Some((_, n)) => {
                            let message = format!(
                                "concatenate() of arrays of different ranks ({n} and {ndim})"
                            );
                            return Err(Diagnostic::typing(message, parts.span).into());
                        }
                    });
                }
                let (dtype, ndim) = result.ok_or_else(|| {
                    Diagnostic::typing("concatenate() needs at least one array", parts.span)
                })?;
                if let Some(axis) = arg("axis") {
                    // Any literal axis (lowering: `lower/construction.rs` beyond axis 0).
                    self.concatenate_axis(axis, ndim)?;
                }
                Type::array(dtype, ndim, Layout::C)
            }
            Dot => {
                let a = arg("a").expect("required");
                let b = arg("b").expect("required");
                let (at, bt) = (self.value(a)?, self.value(b)?);
                dot_type(&at, &bt).map_err(|m| Diagnostic::typing(m, e.span))?
            }
            Where if arg("x").is_none() && arg("y").is_none() => {
                // `np.where(condition)` is `np.nonzero(condition)`.
                let ty = self.nonzero_type(arg("condition").expect("required"))?;
                self.resolve(e.id, Resolution::ArrayCall(Nonzero));
                return Ok(ty);
            }
            Where if arg("x").is_none() || arg("y").is_none() => {
                let message = "where() takes either one argument or three (condition, x, y)";
                return Err(Diagnostic::typing(message, e.span).into());
            }
            Sort | SortInPlace | Argsort | Partition | PartitionInPlace | Argpartition
            | Searchsorted | Unique | Digitize | Bincount | Nonzero | Flatnonzero | Argwhere
            | Isin => self.sorting_type(f, &arg)?,
            Median | Percentile | Quantile | Nansum | Nanmean | Nanstd | Nanvar | Nanmin
            | Nanmax | Nanargmin | Nanargmax | Ptp | Average | Cov | Corrcoef | Histogram => {
                self.statistics_type(f, &arg)?
            }
            Array | Asarray | Ascontiguousarray | Stack | Vstack | Hstack | ColumnStack | Diff
            | Roll | Outer | Cross | Interp | ExpandDims | Transpose | ArrayEqual | Allclose
            | Item => {
                let varargs = f.shape_varargs(receiver, args).then_some(args);
                self.shape_type(f, &arg, dtype, varargs)?
            }
            RandomSeed
            | RandomRandom
            | RandomRand
            | RandomRandn
            | RandomRandint
            | RandomUniform
            | RandomNormal
            | RandomStandardNormal
            | RandomExponential
            | RandomPoisson
            | RandomBinomial
            | RandomChoice
            | RandomShuffle
            | RandomPermutation
            | RandomMultinomial
            | RandomDirichlet
            | RandomMultivariateNormal
            | RandomDist(_)
            | Generator(_)
            | PySeed
            | PyRandom
            | PyRandint
            | PyUniform
            | PyGauss => self.random_type(f, &arg)?,
            Eye | Identity | Round | Isclose => self.library_type(f, &arg, dtype)?,
            Trace | LinalgSolve | LinalgInv | LinalgDet | LinalgNorm | LinalgSlogdet
            | LinalgCholesky | LinalgEigvalsh | LinalgEigh | LinalgSvd | LinalgMatrixRank
            | LinalgPinv | LinalgQr | LinalgLstsq | LinalgMatrixPower | LinalgEig
            | LinalgEigvals | Kron => self.linalg_type(f, &arg)?,
            Where => {
                let mut types = Vec::new();
                for name in ["condition", "x", "y"] {
                    types.push(self.value(arg(name).expect("required"))?);
                }
                let values = crate::elementwise::operand_scalars(&types[1..]);
                match values.as_deref() {
                    Some([x, y]) => crate::elementwise::result_type(rules::promote(*x, *y), &types),
                    _ => elementwise_type(&types[1..], &types)
                        .map_err(|m| Diagnostic::typing(format!("where(): {m}"), e.span))?,
                }
            }
        };
        let ty = match (axis, ty) {
            (Some((ndim, removed)), Type::Scalar(s)) if ndim > removed => {
                Type::array(s, ndim - removed, Layout::C)
            }
            // `np.percentile(a, q_array, axis=k)`: the q axis first, then the other axes.
            (Some((ndim, _)), Type::Array { dtype, ndim: 1, .. })
                if ndim > 1 && matches!(f, Percentile | Quantile) =>
            {
                Type::array(dtype, ndim, Layout::C)
            }
            (Some((ndim, _)), Type::Array { .. }) if ndim > 1 => {
                let message = format!("{}() with axis= and an array of q", f.name());
                return Err(Diagnostic::unsupported(message, e.span)
                    .with_hint("call it once per q, or use axis=None")
                    .into());
            }
            (_, ty) => ty,
        };
        // `keepdims=` (a literal: it decides the result's type): with True the reduced axes
        // stay as extents of 1 (lowered in `ir/src/lower/keepdims.rs`).
        let ty = match arg("keepdims") {
            None => ty,
            Some(k) => {
                let ExprKind::Bool(keep) = k.kind else {
                    let message =
                        format!("{}(): keepdims must be the literal True or False", f.name());
                    return Err(Diagnostic::unsupported(message, k.span).into());
                };
                self.value(k)?;
                match &ty {
                    Type::Scalar(s) | Type::Array { dtype: s, .. } if keep => {
                        // `np.linalg.norm` calls its array `x`.
                        let a = arg("a").or_else(|| arg("x")).expect("required");
                        let (_, ndim) = self.array_arg(f, a)?;
                        // An array of q keeps its axis first (`np.percentile(a, [10, 90])`).
                        let q_axis = match arg("q").map(|q| self.value(q)) {
                            Some(Ok(Type::Array { .. })) => 1,
                            _ => 0,
                        };
                        Type::array(*s, ndim + q_axis, Layout::C)
                    }
                    _ => ty,
                }
            }
        };
        // Read-only-ness follows the table of effects: a view of a read-only array is
        // read-only, and a call that writes into one is refused.
        let ty = match (f.effect(), arg("a")) {
            (ArrayEffect::ViewOf, Some(a)) => {
                let readonly = self.value(a)?.is_readonly();
                ty.with_readonly(readonly)
            }
            (ArrayEffect::WritesInto, Some(a)) => {
                let a_ty = self.value(a)?;
                super::check_writeable(&a_ty, a.span, &format!("{}()", f.name()))?;
                ty
            }
            _ => ty,
        };
        self.resolve(e.id, Resolution::ArrayCall(f));
        Ok(ty)
    }

    /// A literal tuple of distinct axes in `-ndim..ndim`, normalised and sorted (`axis=()`:
    /// none, the reduction of each element alone).
    pub(super) fn axis_tuple(&mut self, axes: &Expr, ndim: u8) -> R<Vec<usize>> {
        let ExprKind::Tuple(items) = &axes.kind else {
            return Err(
                Diagnostic::unsupported("axis must be an integer literal", axes.span).into(),
            );
        };
        let mut out = Vec::new();
        for item in items {
            let Some(k) = literal_int(item) else {
                let message = "a tuple of axes must hold integer literals";
                return Err(Diagnostic::unsupported(message, item.span).into());
            };
            let normalized = if k < 0 { k + i64::from(ndim) } else { k };
            if !(0..i64::from(ndim)).contains(&normalized) {
                let message = format!("axis {k} is out of bounds for an array of dimension {ndim}");
                return Err(Diagnostic::typing(message, item.span).into());
            }
            if out.contains(&(normalized as usize)) {
                return Err(Diagnostic::typing("duplicate value in 'axis'", item.span).into());
            }
            out.push(normalized as usize);
        }
        out.sort_unstable();
        Ok(out)
    }

    /// A `dtype=` argument: `np.float32`, `float`, `a.dtype`, `'f8'`, `"float32"`.
    pub(super) fn dtype_arg(&mut self, d: &Expr) -> R<Scalar> {
        if let ExprKind::Str(name) = &d.kind {
            self.resolve(d.id, Resolution::Callee);
            return Scalar::from_name(name).ok_or_else(|| {
                let message = format!("unknown dtype '{name}'");
                Diagnostic::typing(message, d.span).into()
            });
        }
        match self.expr(d)? {
            Val::Callable(Callable::Cast(s)) => {
                self.resolve(d.id, Resolution::Callee);
                Ok(s)
            }
            // A dtype passed as an argument (`np.empty(n, dtype=result_dtype)`).
            Val::Value(Type::DType(s)) => {
                self.resolve(d.id, Resolution::Callee);
                Ok(s)
            }
            _ => {
                let message = "dtype must be a NumPy type such as np.float64, a builtin type \
                               (float, int, complex, bool), a.dtype or a dtype name";
                Err(Diagnostic::typing(message, d.span).into())
            }
        }
    }

    /// A shape: an integer or a tuple of integers; returns the rank.
    fn shape_arg(&mut self, shape: &Expr) -> R<u8> {
        let ty = self.value(shape)?;
        let is_int = |t: &Type| t.as_scalar().is_some_and(|s| s.is_int());
        match &ty {
            t if is_int(t) => Ok(1),
            Type::Tuple(items) if items.iter().all(is_int) && !items.is_empty() => {
                Ok(items.len() as u8)
            }
            _ => {
                let message =
                    format!("a shape must be an integer or a tuple of integers, got {ty}");
                Err(Diagnostic::typing(message, shape.span).into())
            }
        }
    }

    fn scalar_arg(&mut self, f: ArrayFn, v: &Expr) -> R<Scalar> {
        let ty = self.value(v)?;
        ty.as_scalar().ok_or_else(|| {
            let message = format!("{}() expects a number here, got {ty}", f.name());
            Diagnostic::typing(message, v.span).into()
        })
    }

    fn int_arg(&mut self, f: ArrayFn, v: &Expr) -> R<()> {
        match self.scalar_arg(f, v)? {
            s if s.is_int() || s.is_bool() => Ok(()),
            s => {
                let message = format!("{}() expects an integer here, got {s}", f.name());
                Err(Diagnostic::typing(message, v.span).into())
            }
        }
    }

    fn array_arg(&mut self, f: ArrayFn, a: &Expr) -> R<(Scalar, u8)> {
        match self.value(a)? {
            Type::Array { dtype, ndim, .. } => Ok((dtype, ndim)),
            other => {
                let message = format!("{}() expects an array, got {other}", f.name());
                Err(Diagnostic::typing(message, a.span).into())
            }
        }
    }
}

/// The value of an integer literal, possibly negated.
pub(super) fn literal_int(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Int(v) => i64::try_from(*v).ok(),
        ExprKind::UnaryOp {
            op: frontend::ast::UnaryOp::Neg,
            operand,
        } => literal_int(operand).map(|v| -v),
        _ => None,
    }
}

/// NumPy's accumulator type for `sum`/`prod`: small integers widen to the machine integer.
pub fn accumulator(dt: Scalar) -> Scalar {
    match dt {
        Scalar::Bool | Scalar::I8 | Scalar::I16 | Scalar::I32 => Scalar::I64,
        Scalar::U8 | Scalar::U16 | Scalar::U32 => Scalar::U64,
        other => other,
    }
}

/// The type of `np.dot(a, b)` / `a @ b`.
pub fn dot_type(a: &Type, b: &Type) -> Result<Type, String> {
    let (
        Type::Array {
            dtype: da,
            ndim: na,
            ..
        },
        Type::Array {
            dtype: db,
            ndim: nb,
            ..
        },
    ) = (a, b)
    else {
        return Err(format!("dot of {a} and {b}: both operands must be arrays"));
    };
    let dtype = rules::promote(*da, *db);
    match (na, nb) {
        (1, 1) => Ok(Type::Scalar(dtype)),
        (2, 1) | (1, 2) => Ok(Type::array(dtype, 1, Layout::C)),
        (2, 2) => Ok(Type::array(dtype, 2, Layout::C)),
        _ => Err(format!(
            "dot of {a} and {b} is not supported (only 1-d and 2-d operands)"
        )),
    }
}

/// The type of an element-wise operation over `operands` (arrays broadcast against each other
/// and against scalars) whose element type comes from `value_operands`: an array of the
/// highest rank.
pub fn elementwise_type(value_operands: &[Type], operands: &[Type]) -> Result<Type, String> {
    let mut dtype: Option<Scalar> = None;
    for t in value_operands {
        let s = match t {
            Type::Scalar(s) => *s,
            Type::Array { dtype, .. } => *dtype,
            other => return Err(format!("{other} is not a number or an array")),
        };
        dtype = Some(dtype.map_or(s, |d| rules::promote(d, s)));
    }
    let ndim = operands
        .iter()
        .map(|t| match t {
            Type::Array { ndim, .. } => *ndim,
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    let dtype = dtype.unwrap_or(Scalar::F64);
    Ok(if ndim == 0 {
        Type::Scalar(dtype)
    } else {
        Type::array(dtype, ndim, Layout::C)
    })
}
