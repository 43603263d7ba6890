//! Typing of NumPy's construction and shape functions: `np.array`/`np.asarray` of tuples
//! (nested for more axes), arrays and mixes of them, `np.ascontiguousarray`, `np.stack`,
//! `np.vstack`, `np.hstack`, `np.column_stack`, `np.diff`, `np.roll`, `np.outer`,
//! `np.cross`, `np.interp`, `np.expand_dims`, `np.transpose`/`a.transpose(...)`,
//! `np.array_equal`, `np.allclose` and `a.item()` (lowered in `ir/src/lower/construction.rs`).
//!
//! What lowering relies on: axes (`stack`'s, `expand_dims`', `transpose`'s, `diff`'s,
//! `roll`'s) are literals, checked here; the operands of `np.array` (numbers, arrays, tuples
//! and lists of them) have one rank and, where it is known at compile time (tuples), one
//! length per axis.

use super::numpy_call::literal_int;
use super::{Infer, R};
use crate::numpy::ArrayFn;
use crate::rules;
use crate::types::{Layout, Scalar, Type};
use crate::{ConstValue, Resolution};
use frontend::Diagnostic;
use frontend::ast::{Expr, ExprKind};

/// The element type and rank of a value given to `np.array`: a number, an array, or a tuple
/// or list of such values of one rank.
pub fn nested_element(ty: &Type) -> Result<(Scalar, u8), String> {
    match ty {
        Type::Scalar(s) => Ok((*s, 0)),
        Type::Array { dtype, ndim, .. } => Ok((*dtype, *ndim)),
        // A list's length and its items' shapes are checked at run time.
        Type::List { item, .. } => {
            let (s, n) = nested_element(item)?;
            Ok((s, n + 1))
        }
        Type::Tuple(items) if !items.is_empty() => {
            let mut result: Option<(Scalar, u8)> = None;
            let mut length: Option<usize> = None;
            for item in items {
                let (s, n) = nested_element(item)?;
                if let Type::Tuple(inner) = item {
                    if length.is_some_and(|l| l != inner.len()) {
                        return Err("the nested tuples have different lengths (an \
                                    inhomogeneous shape)"
                            .into());
                    }
                    length = Some(inner.len());
                }
                result = Some(match result {
                    None => (s, n),
                    Some((d, m)) if m == n => (rules::promote(d, s), n),
                    Some(_) => {
                        return Err(
                            "the items have different ranks (an inhomogeneous shape)".into()
                        );
                    }
                });
            }
            let (s, n) = result.expect("non-empty");
            Ok((s, n + 1))
        }
        other => Err(format!("cannot make an array of {other}")),
    }
}

impl Infer<'_> {
    /// The result type of the construction or shape call `f`; `arg` looks up a bound
    /// parameter, `dtype` is the `dtype=` argument if any, `varargs` the positional axes of
    /// `a.transpose(1, 0)`.
    pub(super) fn shape_type<'e>(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> Option<&'e Expr>,
        dtype: Option<Scalar>,
        varargs: Option<&[Expr]>,
    ) -> R<Type> {
        use ArrayFn::*;
        let required = |name: &str| arg(name).expect("bound by `ArrayFn::bind`");
        let array = |this: &mut Self, name: &str| -> R<(Scalar, u8, Layout)> {
            let a = required(name);
            match this.value(a)? {
                Type::Array {
                    dtype,
                    ndim,
                    layout,
                    ..
                } => Ok((dtype, ndim, layout)),
                other => {
                    let message = format!("{}() expects an array, got {other}", f.name());
                    Err(Diagnostic::typing(message, a.span).into())
                }
            }
        };
        Ok(match f {
            Array | Asarray => {
                let object = required("object");
                let ty = self.value(object)?;
                let (s, ndim) = nested_element(&ty)
                    .map_err(|m| Diagnostic::typing(format!("{}(): {m}", f.name()), object.span))?;
                if ndim == 0 {
                    let message =
                        format!("{}() of a number (a 0-d array) is not supported", f.name());
                    return Err(Diagnostic::unsupported(message, object.span).into());
                }
                match (&ty, f) {
                    (Type::Array { dtype: d, .. }, Asarray) if dtype.is_none_or(|t| t == *d) => {
                        ty.clone()
                    }
                    _ => Type::array(dtype.unwrap_or(s), ndim, Layout::C),
                }
            }
            Ascontiguousarray => {
                let (dt, ndim, _) = array(self, "a")?;
                Type::array(dtype.unwrap_or(dt), ndim, Layout::C)
            }
            Stack | Vstack | Hstack | ColumnStack => {
                let name = if f == Stack { "arrays" } else { "tup" };
                let parts = required(name);
                let ty = self.value(parts)?;
                let Type::Tuple(items) = &ty else {
                    let message = format!("{}() takes a tuple of arrays, got {ty}", f.name());
                    return Err(Diagnostic::typing(message, parts.span).into());
                };
                let mut dt: Option<Scalar> = None;
                let mut ranks = Vec::new();
                for item in items {
                    let Type::Array { dtype, ndim, .. } = item else {
                        let message = format!("{}() takes arrays, got {item}", f.name());
                        return Err(Diagnostic::typing(message, parts.span).into());
                    };
                    dt = Some(dt.map_or(*dtype, |d| rules::promote(d, *dtype)));
                    ranks.push(*ndim);
                }
                let Some(dt) = dt else {
                    let message = format!("{}() needs at least one array", f.name());
                    return Err(Diagnostic::typing(message, parts.span).into());
                };
                let ndim = ranks[0];
                if ranks.iter().any(|&r| r != ndim) {
                    let message = format!(
                        "{}() of arrays of different ranks is not supported",
                        f.name()
                    );
                    return Err(Diagnostic::unsupported(message, parts.span).into());
                }
                let out_ndim = match f {
                    Stack => {
                        if let Some(axis) = arg("axis") {
                            self.literal_axis(f, axis, ndim + 1)?;
                        }
                        ndim + 1
                    }
                    Hstack => ndim,
                    _ if ndim > 2 => {
                        let message = format!("{}() of arrays of rank > 2", f.name());
                        return Err(Diagnostic::unsupported(message, parts.span).into());
                    }
                    _ => 2,
                };
                Type::array(dt, out_ndim, Layout::C)
            }
            Diff => {
                let (dt, ndim, _) = array(self, "a")?;
                if let Some(n) = arg("n") {
                    self.integer_value(f, n)?;
                }
                if let Some(axis) = arg("axis") {
                    self.literal_axis(f, axis, ndim)?;
                }
                Type::array(dt, ndim, Layout::C)
            }
            Roll => {
                let (dt, ndim, _) = array(self, "a")?;
                self.integer_value(f, required("shift"))?;
                match arg("axis") {
                    Some(none) if matches!(none.kind, ExprKind::NoneLit) => {
                        self.value(none)?;
                    }
                    Some(axis) => {
                        self.literal_axis(f, axis, ndim)?;
                    }
                    None => {}
                }
                Type::array(dt, ndim, Layout::C)
            }
            Outer | Cross => {
                let (da, na, _) = array(self, "a")?;
                let (db, nb, _) = array(self, "b")?;
                if f == Cross && (na != 1 || nb != 1) {
                    let message = "cross() is supported for two 1-d vectors of 3 elements";
                    return Err(Diagnostic::unsupported(message, required("a").span).into());
                }
                let ndim = if f == Outer { 2 } else { 1 };
                Type::array(rules::promote(da, db), ndim, Layout::C)
            }
            Interp => {
                for name in ["xp", "fp"] {
                    let (dt, ndim, _) = array(self, name)?;
                    if ndim != 1 || dt.is_complex() {
                        let message = format!("interp(): {name} must be a 1-d real array");
                        return Err(Diagnostic::typing(message, required(name).span).into());
                    }
                }
                for name in ["left", "right"] {
                    if let Some(v) = arg(name) {
                        match self.value(v)? {
                            Type::Scalar(s) if !s.is_complex() => {}
                            other => {
                                let message =
                                    format!("interp(): {name} must be a real number, got {other}");
                                return Err(Diagnostic::typing(message, v.span).into());
                            }
                        }
                    }
                }
                let x = required("x");
                match self.value(x)? {
                    Type::Scalar(s) if !s.is_complex() => Type::F64,
                    Type::Array { dtype, ndim, .. } if !dtype.is_complex() => {
                        Type::array(Scalar::F64, ndim, Layout::C)
                    }
                    other => {
                        let message = format!("interp(): x of type {other}");
                        return Err(Diagnostic::typing(message, x.span).into());
                    }
                }
            }
            ExpandDims => {
                let (dt, ndim, _) = array(self, "a")?;
                self.literal_axis(f, required("axis"), ndim + 1)?;
                Type::array(dt, ndim + 1, Layout::A)
            }
            Transpose => {
                let (dt, ndim, layout) = array(self, "a")?;
                let axes = match (varargs, arg("axes")) {
                    (Some(exprs), _) => Some(exprs.to_vec()),
                    (None, Some(e)) if matches!(e.kind, ExprKind::NoneLit) => {
                        self.value(e)?;
                        None
                    }
                    (None, Some(e)) => match &e.kind {
                        ExprKind::Tuple(items) => {
                            self.value(e)?;
                            Some(items.clone())
                        }
                        _ => {
                            let message = "transpose() axes must be a tuple of integer literals";
                            return Err(Diagnostic::unsupported(message, e.span).into());
                        }
                    },
                    (None, None) => None,
                };
                match axes {
                    None => {
                        let layout = match layout {
                            Layout::C if ndim > 1 => Layout::F,
                            Layout::F if ndim > 1 => Layout::C,
                            other => other,
                        };
                        Type::array(dt, ndim, layout)
                    }
                    Some(exprs) => {
                        for e in &exprs {
                            self.value(e)?;
                        }
                        let perm = transpose_axes(&exprs, ndim).map_err(|m| {
                            let span = exprs.first().map_or(required("a").span, |e| e.span);
                            Diagnostic::typing(format!("transpose(): {m}"), span)
                        })?;
                        let identity = perm.iter().enumerate().all(|(i, &p)| i == p);
                        let layout = if identity { layout } else { Layout::A };
                        Type::array(dt, ndim, layout)
                    }
                }
            }
            ArrayEqual | Allclose => {
                let names = if f == ArrayEqual {
                    ["a1", "a2"]
                } else {
                    ["a", "b"]
                };
                for name in names {
                    let v = required(name);
                    match self.value(v)? {
                        Type::Array { .. } | Type::Scalar(_) => {}
                        other => {
                            let message = format!("{}() of {other}", f.name());
                            return Err(Diagnostic::typing(message, v.span).into());
                        }
                    }
                }
                for name in ["rtol", "atol"] {
                    if let Some(v) = arg(name) {
                        match self.value(v)? {
                            Type::Scalar(s) if !s.is_complex() => {}
                            other => {
                                let message = format!("allclose(): {name} of type {other}");
                                return Err(Diagnostic::typing(message, v.span).into());
                            }
                        }
                    }
                }
                if let Some(v) = arg("equal_nan") {
                    self.condition(v)?;
                }
                Type::BOOL
            }
            Item => Type::Scalar(array(self, "a")?.0),
            other => {
                let message = format!("{}() is not a shape function", other.name());
                return Err(Diagnostic::internal(message).into());
            }
        })
    }

    /// `np.iinfo(t).<attr>` or `np.finfo(t).<attr>` as the constant NumPy gives (`e` is the
    /// attribute expression); `None` when `base` is not such a call.
    pub(super) fn machine_limit(&mut self, e: &Expr, base: &Expr, attr: &str) -> R<Option<Type>> {
        let ExprKind::Call { func, args, .. } = &base.kind else {
            return Ok(None);
        };
        let ExprKind::Attribute { attr: which, .. } = &func.kind else {
            return Ok(None);
        };
        if !matches!(which.as_str(), "iinfo" | "finfo") || args.len() != 1 {
            return Ok(None);
        }
        match self.expr(func)? {
            super::Val::UnknownNumpy(path) if path == "numpy.iinfo" || path == "numpy.finfo" => {}
            _ => return Ok(None),
        }
        self.resolve(func.id, Resolution::Callee);
        let dtype = self.dtype_arg(&args[0])?;
        let value = if which == "iinfo" {
            let (min, max): (i128, i128) = match dtype {
                Scalar::I8 => (i8::MIN.into(), i8::MAX.into()),
                Scalar::I16 => (i16::MIN.into(), i16::MAX.into()),
                Scalar::I32 => (i32::MIN.into(), i32::MAX.into()),
                Scalar::I64 => (i64::MIN.into(), i64::MAX.into()),
                Scalar::U8 => (0, u8::MAX.into()),
                Scalar::U16 => (0, u16::MAX.into()),
                Scalar::U32 => (0, u32::MAX.into()),
                Scalar::U64 => (0, u64::MAX.into()),
                other => {
                    let message = format!("iinfo() of {other}: not an integer type");
                    return Err(Diagnostic::typing(message, args[0].span).into());
                }
            };
            let v = match attr {
                "min" => min,
                "max" => max,
                "bits" => i128::from(dtype.size_bytes() * 8),
                _ => {
                    let message = format!("unknown attribute '{attr}' of iinfo (min, max, bits)");
                    return Err(Diagnostic::typing(message, e.span).into());
                }
            };
            let v = i64::try_from(v).map_err(|_| {
                Diagnostic::unsupported("iinfo(uint64).max does not fit an int64", e.span)
            })?;
            ConstValue::Int(v)
        } else {
            let single = match dtype.real_part() {
                Scalar::F32 => true,
                Scalar::F64 => false,
                other => {
                    let message = format!("finfo() of {other}: not a float type");
                    return Err(Diagnostic::typing(message, args[0].span).into());
                }
            };
            let (eps, max, tiny, precision, bits) = if single {
                (
                    f64::from(f32::EPSILON),
                    f64::from(f32::MAX),
                    f64::from(f32::MIN_POSITIVE),
                    6,
                    32,
                )
            } else {
                (f64::EPSILON, f64::MAX, f64::MIN_POSITIVE, 15, 64)
            };
            match attr {
                "eps" => ConstValue::Float(eps),
                "max" => ConstValue::Float(max),
                "min" => ConstValue::Float(-max),
                "tiny" | "smallest_normal" => ConstValue::Float(tiny),
                "resolution" => ConstValue::Float(10f64.powi(-precision)),
                "precision" => ConstValue::Int(i64::from(precision)),
                "bits" => ConstValue::Int(bits),
                _ => {
                    let message = format!(
                        "unknown attribute '{attr}' of finfo (eps, max, min, tiny, \
                         smallest_normal, resolution, precision, bits)"
                    );
                    return Err(Diagnostic::typing(message, e.span).into());
                }
            }
        };
        let ty = match value {
            ConstValue::Int(_) => Type::I64,
            _ => Type::F64,
        };
        self.resolve(e.id, Resolution::Const(value));
        Ok(Some(ty))
    }

    /// The result type of `np.trace` or an `np.linalg` function: real operands, square
    /// matrices; `float32` stays `float32`, other types compute in `float64`.
    pub(super) fn linalg_type<'e>(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> Option<&'e Expr>,
    ) -> R<Type> {
        use ArrayFn::*;
        let operand = if f == LinalgNorm { "x" } else { "a" };
        let a = arg(operand).expect("required");
        let complex_allowed = matches!(f, LinalgSolve | LinalgInv | LinalgDet);
        let complex_eig = matches!(f, LinalgEig | LinalgEigvals);
        // Complex norms, also along an axis (`ir/src/lower/complex_norm.rs`).
        let complex_norm = f == LinalgNorm;
        let (dt, ndim) = match self.value(a)? {
            Type::Array { dtype, ndim, .. }
                if !dtype.is_complex() || complex_allowed || complex_eig || complex_norm =>
            {
                (dtype, ndim)
            }
            other => {
                let message = format!("{}() of {other} is not supported", f.name());
                return Err(Diagnostic::unsupported(message, a.span).into());
            }
        };
        if complex_allowed {
            // Complex matrices (or a complex right-hand side): complex128, complex64 when
            // every operand is complex64 or float32 (lowered in `lower/complex_linalg.rs`).
            let b_dtype = match arg("b") {
                Some(b) => match self.value(b)? {
                    Type::Array { dtype, ndim, .. } if ndim <= 2 => Some(dtype),
                    other => {
                        let message = format!("solve(): b of type {other}");
                        return Err(Diagnostic::typing(message, b.span).into());
                    }
                },
                None => None,
            };
            if dt.is_complex() || b_dtype.is_some_and(|d| d.is_complex()) {
                if ndim != 2 {
                    let message = format!("{}() needs a 2-d array, got a {ndim}-d one", f.name());
                    return Err(Diagnostic::typing(message, a.span).into());
                }
                let narrow = |d: Scalar| matches!(d, Scalar::C64 | Scalar::F32);
                let complex = if narrow(dt) && b_dtype.is_none_or(narrow) {
                    Scalar::C64
                } else {
                    Scalar::C128
                };
                let b_ndim = match arg("b").map(|b| self.value(b)) {
                    Some(Ok(Type::Array { ndim, .. })) => ndim,
                    _ => 2,
                };
                return Ok(match f {
                    LinalgDet => Type::Scalar(complex),
                    LinalgInv => Type::array(complex, 2, Layout::C),
                    _ => Type::array(complex, b_ndim, Layout::C),
                });
            }
        }
        if f == Kron {
            let b = arg("b").expect("required");
            let (db, nb) = match self.value(b)? {
                Type::Array { dtype, ndim, .. } if !dtype.is_complex() => (dtype, ndim),
                other => {
                    let message = format!("kron() of {other} is not supported");
                    return Err(Diagnostic::unsupported(message, b.span).into());
                }
            };
            if ndim != nb || ndim > 2 {
                let message = "kron() is supported for two 1-d or two 2-d arrays";
                return Err(Diagnostic::unsupported(message, b.span).into());
            }
            return Ok(Type::array(crate::rules::promote(dt, db), ndim, Layout::C));
        }
        if f != LinalgNorm && ndim != 2 {
            let message = format!("{}() needs a 2-d array, got a {ndim}-d one", f.name());
            return Err(Diagnostic::typing(message, a.span).into());
        }
        // The norm of a complex64 array is a float32, as NumPy's.
        let float = if dt == Scalar::F32 || (f == LinalgNorm && dt == Scalar::C64) {
            Scalar::F32
        } else {
            Scalar::F64
        };
        Ok(match f {
            Trace => Type::Scalar(super::numpy_call::accumulator(dt)),
            LinalgDet => Type::Scalar(float),
            LinalgInv | LinalgCholesky => Type::array(float, 2, Layout::C),
            LinalgEigvalsh => Type::array(float, 1, Layout::C),
            LinalgMatrixRank | LinalgPinv => {
                let first = if f == LinalgPinv { "rcond" } else { "tol" };
                let absolute = self.tolerance(f, arg(first))?;
                let relative = self.tolerance(f, arg("rtol"))?;
                if absolute && relative {
                    let message = format!("{}(): `rtol` and `{first}` can't be both set", f.name());
                    return Err(
                        Diagnostic::typing(message, arg("rtol").expect("given").span).into(),
                    );
                }
                // `hermitian` decides which elements are read: a literal (lowering reads
                // the lower triangle for True, as NumPy's `eigh`).
                if let Some(flag) = arg("hermitian") {
                    self.value(flag)?;
                    if !matches!(flag.kind, ExprKind::Bool(_)) {
                        let message = format!(
                            "{}(): hermitian must be the literal True or False",
                            f.name()
                        );
                        return Err(Diagnostic::unsupported(message, flag.span).into());
                    }
                }
                if f == LinalgPinv {
                    Type::array(float, 2, Layout::C)
                } else {
                    Type::Scalar(Scalar::I64)
                }
            }
            LinalgLstsq => {
                self.tolerance(f, arg("rcond"))?;
                let b = arg("b").expect("required");
                let (x, x_ndim) = match self.value(b)? {
                    Type::Array { dtype, ndim, .. } if !dtype.is_complex() && ndim <= 2 => {
                        (crate::rules::promote(float, dtype.max(Scalar::F32)), ndim)
                    }
                    other => {
                        let message = format!("lstsq(): b of type {other}");
                        return Err(Diagnostic::typing(message, b.span).into());
                    }
                };
                Type::Tuple(vec![
                    Type::array(x, x_ndim, Layout::C),
                    Type::array(x, 1, Layout::C),
                    Type::Scalar(Scalar::I64),
                    Type::array(float, 1, Layout::C),
                ])
            }
            LinalgQr => {
                // `mode='r'` returns R alone, the other modes (Q, R).
                let mode = arg("mode");
                if let Some(mode) = mode {
                    self.string_option(f, mode, &["reduced", "complete", "r"])?;
                }
                match mode.map(|m| &m.kind) {
                    Some(ExprKind::Str(s)) if s == "r" => Type::array(float, 2, Layout::C),
                    _ => Type::Tuple(vec![
                        Type::array(float, 2, Layout::C),
                        Type::array(float, 2, Layout::C),
                    ]),
                }
            }
            LinalgSvd => {
                if let Some(full) = arg("full_matrices") {
                    match self.value(full)? {
                        Type::Scalar(s) if s == Scalar::Bool || s.is_int() => {}
                        other => {
                            let message =
                                format!("svd(): full_matrices must be a bool, got {other}");
                            return Err(Diagnostic::typing(message, full.span).into());
                        }
                    }
                }
                // compute_uv decides the result's type, so it must be a literal.
                if let Some(flag) = arg("compute_uv") {
                    self.value(flag)?;
                }
                let compute_uv = match arg("compute_uv").map(|e| (&e.kind, e.span)) {
                    None => true,
                    Some((ExprKind::Bool(b), _)) => *b,
                    Some((_, span)) => {
                        let message = "svd(): compute_uv must be the literal True or False";
                        return Err(Diagnostic::unsupported(message, span).into());
                    }
                };
                let s = Type::array(float, 1, Layout::C);
                if compute_uv {
                    let matrix = Type::array(float, 2, Layout::C);
                    Type::Tuple(vec![matrix.clone(), s, matrix])
                } else {
                    s
                }
            }
            // Numba's rule: real results for real input (a complex eigenvalue raises
            // ValueError at run time), complex results for complex input. NumPy decides by
            // the data (float64 when every imaginary part is zero), which types cannot.
            LinalgEig | LinalgEigvals => {
                let complex = match dt {
                    Scalar::C64 => Scalar::C64,
                    Scalar::C128 => Scalar::C128,
                    Scalar::F32 => Scalar::F32,
                    _ => Scalar::F64,
                };
                let w = Type::array(complex, 1, Layout::C);
                if f == LinalgEig {
                    Type::Tuple(vec![w, Type::array(complex, 2, Layout::C)])
                } else {
                    w
                }
            }
            LinalgEigh => Type::Tuple(vec![
                Type::array(float, 1, Layout::C),
                Type::array(float, 2, Layout::C),
            ]),
            LinalgSlogdet => Type::Tuple(vec![Type::Scalar(float), Type::Scalar(float)]),
            LinalgMatrixPower => {
                let n = arg("n").expect("required");
                match self.value(n)? {
                    Type::Scalar(s) if s.is_int() => {}
                    other => {
                        let message = format!("matrix_power(): n must be an integer, got {other}");
                        return Err(Diagnostic::typing(message, n.span).into());
                    }
                }
                // NumPy keeps an integer (or bool) matrix's dtype, exact products that wrap
                // around; only a negative power (through the inverse) gives float64, so a
                // negative literal does, and another negative n raises at run time.
                let negative_literal = literal_int(n).is_some_and(|k| k < 0);
                if dt.is_float() || negative_literal {
                    Type::array(float, 2, Layout::C)
                } else {
                    Type::array(dt, 2, Layout::C)
                }
            }
            LinalgSolve => {
                let b = arg("b").expect("required");
                match self.value(b)? {
                    Type::Array { dtype, ndim, .. } if !dtype.is_complex() && ndim <= 2 => {
                        Type::array(
                            crate::rules::promote(float, dtype.max(Scalar::F32)),
                            ndim,
                            Layout::C,
                        )
                    }
                    other => {
                        let message = format!("solve(): b of type {other}");
                        return Err(Diagnostic::typing(message, b.span).into());
                    }
                }
            }
            _ => {
                // `axis=k` or `(k,)`: vector norms along axis k; `axis=(i, j)`: matrix norms
                // over axes i and j (lowered per lane, `lower/axis.rs`).
                let axes = match arg("axis") {
                    Some(none) if matches!(none.kind, ExprKind::NoneLit) => {
                        self.value(none)?;
                        None
                    }
                    Some(axis) => Some(self.norm_axes(axis, ndim)?),
                    None => None,
                };
                let reduced = axes.as_ref().map_or(ndim, |axes| axes.len() as u8);
                let matrix = reduced == 2;
                if reduced > 2 {
                    let message = "norm() of an array of rank > 2 needs axis= (one axis or two)";
                    return Err(Diagnostic::unsupported(message, a.span).into());
                }
                if let Some(ord) = arg("ord") {
                    let ord_ty = self.value(ord)?;
                    let supported = match (&ord.kind, &ord_ty) {
                        (ExprKind::NoneLit, _) => true,
                        (ExprKind::Str(s), _) => (s == "fro" || s == "nuc") && matrix,
                        (_, Type::Scalar(s)) => s.is_int() || s.is_float(),
                        _ => false,
                    };
                    if !supported {
                        let message = "norm() is supported with ord=None, a number (1, 2, \
                                       np.inf, -np.inf, ...) for a vector or a matrix, or 'fro' \
                                       or 'nuc' for a matrix";
                        return Err(Diagnostic::unsupported(message, ord.span).into());
                    }
                }
                if ndim > reduced {
                    Type::array(float, ndim - reduced, Layout::C)
                } else {
                    Type::Scalar(float)
                }
            }
        })
    }

    /// A tolerance argument of `lstsq`, `pinv` or `matrix_rank` (`rcond`, `tol`, `rtol`):
    /// `None` or a real number. True when a number is given.
    fn tolerance(&mut self, f: ArrayFn, tol: Option<&Expr>) -> R<bool> {
        let Some(tol) = tol else { return Ok(false) };
        match self.value(tol)? {
            Type::NoneType => Ok(false),
            Type::Scalar(s) if !s.is_complex() => Ok(true),
            other => {
                let message = format!(
                    "{}(): a tolerance must be a number or None, got {other}",
                    f.name()
                );
                Err(Diagnostic::typing(message, tol.span).into())
            }
        }
    }

    /// `np.linalg.norm`'s `axis`: an integer literal or a literal tuple of one or two
    /// distinct axes, normalised in `0..ndim` and kept in their order (`(1, 0)` is the
    /// transposed matrix's norm).
    pub(super) fn norm_axes(&mut self, axis: &Expr, ndim: u8) -> R<Vec<usize>> {
        let ExprKind::Tuple(items) = &axis.kind else {
            return Ok(vec![self.literal_axis(ArrayFn::LinalgNorm, axis, ndim)?]);
        };
        if !(1..=2).contains(&items.len()) {
            // NumPy raises ValueError("Improper number of dimensions to norm.").
            let message = "norm(): Improper number of dimensions to norm (axis holds one axis \
                           or two)";
            return Err(Diagnostic::typing(message, axis.span).into());
        }
        let mut axes = Vec::new();
        for item in items {
            let k = self.literal_axis(ArrayFn::LinalgNorm, item, ndim)?;
            if axes.contains(&k) {
                // NumPy raises ValueError("Duplicate axes given.").
                let message = "norm(): Duplicate axes given";
                return Err(Diagnostic::typing(message, axis.span).into());
            }
            axes.push(k);
        }
        self.value(axis)?;
        Ok(axes)
    }

    /// `np.concatenate`'s `axis=`: a literal in `-ndim..ndim`.
    pub(super) fn concatenate_axis(&mut self, axis: &Expr, ndim: u8) -> R<usize> {
        self.literal_axis(ArrayFn::Concatenate, axis, ndim)
    }

    /// Checks a literal `axis` in `-ndim..ndim`.
    pub(super) fn literal_axis(&mut self, f: ArrayFn, axis: &Expr, ndim: u8) -> R<usize> {
        let Some(k) = literal_int(axis) else {
            let message = format!("{}() axis must be an integer literal", f.name());
            return Err(Diagnostic::unsupported(message, axis.span).into());
        };
        let normalized = if k < 0 { k + i64::from(ndim) } else { k };
        if !(0..i64::from(ndim)).contains(&normalized) {
            let message = format!("axis {k} is out of bounds for an array of dimension {ndim}");
            return Err(Diagnostic::typing(message, axis.span).into());
        }
        self.value(axis)?;
        Ok(normalized as usize)
    }

    pub(super) fn integer_value(&mut self, f: ArrayFn, v: &Expr) -> R<()> {
        match self.value(v)? {
            Type::Scalar(s) if s.is_int() || s.is_bool() => Ok(()),
            other => {
                let message = format!("{}() expects an integer here, got {other}", f.name());
                Err(Diagnostic::typing(message, v.span).into())
            }
        }
    }
}

/// The permutation given by `transpose`'s axes (integer literals, a permutation of
/// `0..ndim`, negative ones counted from the end).
pub fn transpose_axes(exprs: &[Expr], ndim: u8) -> Result<Vec<usize>, String> {
    if exprs.len() != usize::from(ndim) {
        return Err(format!("axes don't match array (rank {ndim})"));
    }
    let mut perm = Vec::new();
    for e in exprs {
        let k = literal_int(e).ok_or("axes must be integer literals")?;
        let k = if k < 0 { k + i64::from(ndim) } else { k };
        if !(0..i64::from(ndim)).contains(&k) || perm.contains(&(k as usize)) {
            return Err("axes are not a permutation of the array's axes".into());
        }
        perm.push(k as usize);
    }
    Ok(perm)
}
