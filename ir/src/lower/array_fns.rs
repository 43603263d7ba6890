//! NumPy array functions and methods ([`ArrayFn`]): creation (`np.empty`, `np.zeros`,
//! `np.arange`, `a.copy()`, …), reductions (`sum`, `min`, `argmax`, `std`, `cumsum`, …),
//! `np.dot`, `reshape`/`ravel`/`fill`; plus the loop and allocation helpers they share with
//! array expressions.
//!
//! New arrays come from the runtime's arena (`RuntimeFn::AllocArray`), C-contiguous. Every
//! loop here is an ordinary counted IR loop, so the passes (LICM, index ranges) treat it like
//! user code.

use super::array_expr::Elements;
use super::ssa::VarId;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{BinOp, Expr, ExprKind, Keyword};
use runtime::array::{DATA_OFFSET, shape_offset, stride_offset};
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::{ArrayFn, Layout, Scalar, Type};

/// An array operand: its descriptor, dtype, rank and layout.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ArrayRef {
    pub desc: Value,
    pub dtype: Scalar,
    pub ndim: u32,
    pub layout: Layout,
}

impl ArrayRef {
    pub(crate) fn of(value: &PyValue) -> Option<ArrayRef> {
        match value {
            PyValue::Array(
                desc,
                Type::Array {
                    dtype,
                    ndim,
                    layout,
                    ..
                },
            ) => Some(ArrayRef {
                desc: *desc,
                dtype: *dtype,
                ndim: u32::from(*ndim),
                layout: *layout,
            }),
            _ => None,
        }
    }
    pub(crate) fn ty(&self) -> Type {
        Type::array(self.dtype, self.ndim as u8, self.layout)
    }
    pub(crate) fn value(&self) -> PyValue {
        PyValue::Array(self.desc, self.ty())
    }
}

impl Lowerer<'_, '_> {
    /// Runs `body(i)` for `i` in `0..count`.
    pub(crate) fn counted_loop(
        &mut self,
        count: Value,
        body: &mut dyn FnMut(&mut Self, Value) -> LResult<()>,
    ) -> LResult<()> {
        let zero = self.b.iconst(Ty::I64, 0);
        self.counted_loop_between(zero, count, body)
    }

    /// Runs `body(i)` for `i` in `lo..hi`: a rotated loop (nothing runs when `lo >= hi`) that
    /// `break` and `continue` in `body` leave and advance. The body may read and write SSA
    /// variables declared outside. The one counted loop of lowering: array loops, `prange`
    /// chunks and loops over sequences all use it.
    pub(crate) fn counted_loop_between(
        &mut self,
        lo: Value,
        hi: Value,
        body: &mut dyn FnMut(&mut Self, Value) -> LResult<()>,
    ) -> LResult<()> {
        let counter = self.ssa.declare_var(Ty::I64);
        let before = self.current_block();
        self.ssa.def_var(counter, before, lo);
        let body_block = self.create_block();
        let latch = self.create_block();
        let exit = self.create_block();
        let more = self.b.icmp(IntCC::Slt, lo, hi);
        self.brif(more, body_block, exit);
        self.switch_to(body_block);
        let i = self.ssa.use_var(self.b.func, counter, body_block);
        self.loops.push(super::LoopTargets {
            continue_to: latch,
            break_to: exit,
        });
        let result = body(self, i);
        self.loops.pop();
        result?;
        if !self.b.is_terminated() {
            self.jump(latch, &[]);
        }
        self.seal(latch);
        self.switch_to(latch);
        let i = self.ssa.use_var(self.b.func, counter, latch);
        let one = self.b.iconst(Ty::I64, 1);
        let next = self.b.binary(Op::Iadd, i, one);
        self.ssa.def_var(counter, latch, next);
        let more = self.b.icmp(IntCC::Slt, next, hi);
        self.brif(more, body_block, exit);
        self.seal(body_block);
        self.seal(exit);
        self.switch_to(exit);
        Ok(())
    }

    /// Runs `body(indices)` over every index of `shape`, last axis fastest (C order).
    pub(crate) fn for_each_index(
        &mut self,
        shape: &[Value],
        body: &mut dyn FnMut(&mut Self, &[Value]) -> LResult<()>,
    ) -> LResult<()> {
        fn nest<'x, 'y>(
            this: &mut Lowerer<'x, 'y>,
            shape: &[Value],
            prefix: &mut Vec<Value>,
            body: &mut dyn FnMut(&mut Lowerer<'x, 'y>, &[Value]) -> LResult<()>,
        ) -> LResult<()> {
            let Some((&extent, rest)) = shape.split_first() else {
                return body(this, prefix);
            };
            this.counted_loop(extent, &mut |this, i| {
                prefix.push(i);
                let result = nest(this, rest, prefix, body);
                prefix.pop();
                result
            })
        }
        nest(self, shape, &mut Vec::new(), body)
    }

    /// The extents of `array`.
    pub(crate) fn shape_of(&mut self, array: &ArrayRef) -> Vec<Value> {
        (0..array.ndim)
            .map(|axis| self.array_dim(array.desc, axis))
            .collect()
    }

    /// The byte strides of `array`; constant where the layout makes them known from the shape
    /// of the contiguous axis.
    pub(crate) fn strides_of(&mut self, array: &ArrayRef) -> Vec<Value> {
        (0..array.ndim)
            .map(|axis| {
                let unit = match array.layout {
                    Layout::C => axis + 1 == array.ndim,
                    Layout::F => axis == 0,
                    Layout::A => false,
                };
                if unit {
                    self.b.iconst(Ty::I64, array.dtype.size_bytes() as i64)
                } else {
                    self.b
                        .load(Ty::I64, array.desc, stride_offset(array.ndim, axis), true)
                }
            })
            .collect()
    }

    /// The address of the element at `indices` (in range, non-negative) given the strides.
    pub(crate) fn address_at(
        &mut self,
        data: Value,
        strides: &[Value],
        indices: &[Value],
    ) -> Value {
        let mut ptr = data;
        for (&i, &stride) in indices.iter().zip(strides) {
            let offset = self.b.binary(Op::Imul, i, stride);
            ptr = self.b.binary(Op::Iadd, ptr, offset);
        }
        ptr
    }

    pub(crate) fn data_of(&mut self, desc: Value) -> Value {
        self.b.load(Ty::I64, desc, DATA_OFFSET, true)
    }

    /// A new C-contiguous array of `dtype` and `shape` (zero-filled if `zeroed`). Raises
    /// `ValueError` for a negative extent and `MemoryError` if the allocation fails.
    pub(crate) fn new_array(
        &mut self,
        dtype: Scalar,
        shape: &[Value],
        zeroed: bool,
        span: Span,
    ) -> ArrayRef {
        let ndim = shape.len() as u32;
        let slot = self.b.ins(Op::StackSlot(8 * ndim.max(1)), &[], Ty::Ptr);
        let zero = self.b.iconst(Ty::I64, 0);
        for (axis, &extent) in shape.iter().enumerate() {
            let negative = self.b.icmp(IntCC::Slt, extent, zero);
            self.raise_if(
                negative,
                ExceptionKind::ValueError,
                "negative dimensions are not allowed",
                span,
                &[],
            );
            self.b.store(slot, extent, 8 * axis as i32);
        }
        let ndim_v = self.b.iconst(Ty::I64, i64::from(ndim));
        let itemsize = self.b.iconst(Ty::I64, dtype.size_bytes() as i64);
        let zeroed = self.b.iconst(Ty::I64, i64::from(zeroed));
        let desc = self
            .b
            .call_runtime(RuntimeFn::AllocArray, &[ndim_v, itemsize, slot, zeroed]);
        let failed = self.b.icmp(IntCC::Eq, desc, zero);
        self.raise_if(
            failed,
            ExceptionKind::MemoryError,
            "cannot allocate the array",
            span,
            &[],
        );
        ArrayRef {
            desc,
            dtype,
            ndim,
            layout: Layout::C,
        }
    }

    /// Stores `value` (converted to the element type) at every element of `array`.
    pub(crate) fn fill_array(&mut self, array: &ArrayRef, value: PyValue) -> LResult<()> {
        let value = self.coerce(value, &Type::Scalar(array.dtype));
        let shape = self.shape_of(array);
        let strides = self.strides_of(array);
        let data = self.data_of(array.desc);
        let dtype = array.dtype;
        self.for_each_index(&shape, &mut |this, idx| {
            let ptr = this.address_at(data, &strides, idx);
            this.store_scalar(ptr, dtype, value.clone());
            Ok(())
        })
    }

    /// Loads the element of `dtype` at `ptr`.
    pub(crate) fn load_scalar(&mut self, ptr: Value, dtype: Scalar) -> PyValue {
        self.load_element(&super::array::ElementAddress { ptr, dtype })
    }
    pub(crate) fn store_scalar(&mut self, ptr: Value, dtype: Scalar, value: PyValue) {
        self.store_element(&super::array::ElementAddress { ptr, dtype }, value)
    }

    /// A C-contiguous copy of `src` with elements converted to `dtype`.
    pub(crate) fn copy_array(&mut self, src: &ArrayRef, dtype: Scalar, span: Span) -> ArrayRef {
        let shape = self.shape_of(src);
        let dst = self.new_array(dtype, &shape, false, span);
        self.copy_elements(src, &dst, &shape);
        dst
    }

    /// `dst[idx] = src[idx]` over `shape` (both arrays have that shape).
    pub(crate) fn copy_elements(&mut self, src: &ArrayRef, dst: &ArrayRef, shape: &[Value]) {
        let src_strides = self.strides_of(src);
        let dst_strides = self.strides_of(dst);
        let (src_data, dst_data) = (self.data_of(src.desc), self.data_of(dst.desc));
        let (sd, dd) = (src.dtype, dst.dtype);
        let _ = self.for_each_index(shape, &mut |this, idx| {
            let from = this.address_at(src_data, &src_strides, idx);
            let v = this.load_scalar(from, sd);
            let to = this.address_at(dst_data, &dst_strides, idx);
            this.store_scalar(to, dd, v);
            Ok(())
        });
    }

    /// The array a NumPy method is called on (`a` of `a.sum()`), if `func` is one.
    pub(super) fn array_call_receiver<'e>(&self, func: &'e Expr, f: ArrayFn) -> Option<&'e Expr> {
        match &func.kind {
            // (`np.random.seed`'s base is a module path, not an array.)
            frontend::ast::ExprKind::Attribute { value, .. }
                if !f.is_random()
                    && !matches!(
                        self.typed.resolutions.get(&value.id),
                        Some(typeinfer::Resolution::Module(_))
                    ) =>
            {
                Some(&**value)
            }
            _ => None,
        }
    }

    /// A call of a NumPy array function or method; `result_ty` is the type it lowers to
    /// (the call's type but for `keepdims=True`, `keepdims.rs`).
    pub(super) fn lower_array_call_as(
        &mut self,
        expr: &Expr,
        func: &Expr,
        f: ArrayFn,
        args: &[Expr],
        keywords: &[Keyword],
        result_ty: Type,
    ) -> LResult<PyValue> {
        let receiver = self.array_call_receiver(func, f);
        let bound = f.bind(receiver, args, keywords, expr.span)?;
        let names: Vec<&str> = f.params().iter().copied().filter(|p| *p != "*").collect();
        // A whole-array reduction of an array expression: fused, no temporary array.
        if matches!(
            f,
            ArrayFn::Sum
                | ArrayFn::Prod
                | ArrayFn::Min
                | ArrayFn::Max
                | ArrayFn::Argmin
                | ArrayFn::Argmax
                | ArrayFn::Mean
                | ArrayFn::Var
                | ArrayFn::Std
                | ArrayFn::Any
                | ArrayFn::All
        ) && let Some(operand) = names
            .iter()
            .zip(&bound)
            .find(|(n, _)| **n == "a")
            .and_then(|(_, e)| *e)
            && self.is_array_expression(operand)
            && names
                .iter()
                .zip(&bound)
                .all(|(n, e)| *n == "a" || e.is_none())
        {
            let src = Elements::Expression(self.fuse_array_expression(operand)?);
            self.set_span(expr.span);
            if matches!(f, ArrayFn::Any | ArrayFn::All) {
                return self.any_all_of(f == ArrayFn::All, &src);
            }
            return self.reduce_elements(f, &src, None, &result_ty, expr.span);
        }
        let mut values: Vec<Option<(PyValue, Type)>> = Vec::with_capacity(bound.len());
        for (name, arg) in names.iter().zip(&bound) {
            values.push(match arg {
                Some(e) if !f.compile_time_param_of(name) => {
                    Some((self.lower_expr(e)?, self.type_of(e)?))
                }
                _ => None,
            });
        }
        let arg = |name: &str| -> Option<(PyValue, Type)> {
            names
                .iter()
                .position(|n| *n == name)
                .and_then(|i| values[i].clone())
        };
        self.set_span(expr.span);
        let span = expr.span;
        let array_arg = |name: &str| arg(name).and_then(|(v, _)| ArrayRef::of(&v));
        let result_array = |ty: &Type| match ty {
            Type::Array { dtype, ndim, .. } => (*dtype, u32::from(*ndim)),
            _ => (Scalar::F64, 0),
        };
        use ArrayFn::*;
        // `axis=k` of a reduction or statistic without an axis lowering of its own: per lane.
        let literal_axis = names
            .iter()
            .position(|n| *n == "axis")
            .and_then(|i| bound[i])
            .and_then(super::array::constant_int);
        let operand = if f == LinalgNorm { "x" } else { "a" };
        if let (Some(k), Some(a)) = (literal_axis, array_arg(operand))
            && (f.reduces_along_axis() || f == LinalgNorm)
            && !matches!(f, Sum | Prod | Min | Max | Mean)
            && a.ndim > 1
        {
            let axis = if k < 0 { k + i64::from(a.ndim) } else { k } as usize;
            return self.lower_along_axes(f, operand, &a, &[axis], &arg, &result_ty, span);
        }
        // `np.linalg.norm(x, ord, axis=(i, j))`: matrix norms over axes i and j, in that order
        // (`(1, 0)`: the transposed matrices'); `axis=(k,)`: vector norms along k.
        if f == LinalgNorm
            && let Some(ExprKind::Tuple(items)) = names
                .iter()
                .position(|n| *n == "axis")
                .and_then(|i| bound[i])
                .map(|e| &e.kind)
            && let Some(a) = array_arg(operand)
        {
            let ndim = i64::from(a.ndim);
            let axes: Vec<usize> = items
                .iter()
                .filter_map(super::array::constant_int)
                .map(|k| if k < 0 { k + ndim } else { k } as usize)
                .collect();
            return self.lower_along_axes(f, operand, &a, &axes, &arg, &result_ty, span);
        }
        let value = match f {
            Empty | Zeros | Ones | Full | EmptyLike | ZerosLike | OnesLike | FullLike => {
                let (dtype, _) = result_array(&result_ty);
                let shape = match array_arg("a") {
                    Some(like) => self.shape_of(&like),
                    None => {
                        let (shape_value, _) = arg("shape").expect("bound");
                        self.shape_values(&shape_value)
                    }
                };
                let out = self.new_array(dtype, &shape, matches!(f, Zeros | ZerosLike), span);
                let fill = match f {
                    Ones | OnesLike => {
                        Some(PyValue::Scalar(self.b.iconst(Ty::I64, 1), Scalar::I64))
                    }
                    Full | FullLike => arg("fill_value").map(|(v, _)| v),
                    _ => None,
                };
                if let Some(value) = fill {
                    self.fill_array(&out, value)?;
                }
                out.value()
            }
            Arange => {
                self.lower_arange(&result_ty, arg("start"), arg("stop"), arg("step"), span)?
            }
            Linspace => {
                let num = arg("num");
                let endpoint = arg("endpoint");
                self.lower_linspace(
                    &result_ty,
                    arg("start").expect("bound"),
                    arg("stop").expect("bound"),
                    num,
                    endpoint,
                    span,
                )?
            }
            Copy | Astype => {
                let src = array_arg("a").expect("typed as an array");
                let (dtype, _) = result_array(&result_ty);
                self.copy_array(&src, dtype, span).value()
            }
            Flatten => {
                let src = array_arg("a").expect("typed as an array");
                let copy = self.copy_array(&src, src.dtype, span);
                let dims = self.shape_of(&copy);
                let size = vec![self.product(&dims)];
                self.lower_reshape(&copy, &size, span)
            }
            Ravel | Reshape => {
                let src = array_arg("a").expect("typed as an array");
                let varargs = f.shape_varargs(receiver, args);
                let shape = match arg("shape") {
                    _ if varargs => {
                        let mut extents = Vec::new();
                        for e in args {
                            extents.push(self.lower_expr(e)?);
                        }
                        self.shape_values(&PyValue::Tuple(extents))
                    }
                    Some((s, _)) => self.shape_values(&s),
                    None => {
                        let dims = self.shape_of(&src);
                        vec![self.product(&dims)]
                    }
                };
                let shape = self.unknown_extent(&src, &shape, span);
                self.lower_reshape(&src, &shape, span)
            }
            Fill => {
                let a = array_arg("a").expect("typed as an array");
                let (v, _) = arg("value").expect("bound");
                self.fill_array(&a, v)?;
                PyValue::None
            }
            Any | All => {
                let a = array_arg("a").expect("typed as an array");
                self.lower_any_all(f == All, &a)?
            }
            Cumsum | Cumprod
                if names
                    .iter()
                    .position(|n| *n == "axis")
                    .and_then(|i| bound[i])
                    .and_then(super::array::constant_int)
                    .is_some() =>
            {
                let a = array_arg("a").expect("typed as an array");
                let k = names
                    .iter()
                    .position(|n| *n == "axis")
                    .and_then(|i| bound[i])
                    .and_then(super::array::constant_int)
                    .expect("checked");
                let axis = if k < 0 { k + i64::from(a.ndim) } else { k } as usize;
                let (acc, _) = result_array(&result_ty);
                self.lower_cumulative_axis(f == Cumprod, &a, axis, acc, span)?
            }
            Sum | Prod | Min | Max | Mean | Std | Var | Argmin | Argmax | Cumsum | Cumprod => {
                let a = array_arg("a").expect("typed as an array");
                let axis = names
                    .iter()
                    .position(|n| *n == "axis")
                    .and_then(|i| bound[i])
                    .and_then(super::array::constant_int);
                match axis {
                    Some(axis) if a.ndim > 1 => {
                        let axis = if axis < 0 {
                            axis + i64::from(a.ndim)
                        } else {
                            axis
                        };
                        self.lower_axis_reduction(f, &a, axis as usize, &result_ty, span)?
                    }
                    _ => {
                        let ddof = arg("ddof");
                        self.lower_reduction(f, &a, ddof, &result_ty, span)?
                    }
                }
            }
            Concatenate
                if names
                    .iter()
                    .position(|n| *n == "axis")
                    .and_then(|i| bound[i])
                    .and_then(super::array::constant_int)
                    .is_some_and(|k| k != 0) =>
            {
                // Any other axis: `construction.rs`.
                let expr_arg =
                    |name: &str| names.iter().position(|n| *n == name).and_then(|i| bound[i]);
                self.lower_shape_call(f, &arg, &expr_arg, None, &result_ty, span)?
            }
            Concatenate => {
                let (parts, _) = arg("arrays").expect("bound");
                self.lower_concatenate(&parts, &result_ty, span)?
            }
            Dot => {
                let (a, at) = arg("a").expect("bound");
                let (b, bt) = arg("b").expect("bound");
                self.lower_dot(a, &at, b, &bt, &result_ty, span)?
            }
            LinalgQr => {
                let expr_arg =
                    |name: &str| names.iter().position(|n| *n == name).and_then(|i| bound[i]);
                let mode = match expr_arg("mode").map(|e| &e.kind) {
                    Some(frontend::ast::ExprKind::Str(s)) => s.as_str(),
                    _ => "reduced",
                };
                self.lower_qr(&arg, mode, &result_ty, span)?
            }
            Sort | SortInPlace | Argsort | Partition | PartitionInPlace | Argpartition
            | Searchsorted | Unique | Digitize | Bincount | Nonzero | Flatnonzero | Argwhere
            | Isin => {
                let expr_arg =
                    |name: &str| names.iter().position(|n| *n == name).and_then(|i| bound[i]);
                self.lower_sorting_call(f, &arg, &expr_arg, &result_ty, span)?
            }
            Median | Percentile | Quantile | Nansum | Nanmean | Nanstd | Nanvar | Nanmin
            | Nanmax | Nanargmin | Nanargmax | Ptp | Average | Cov | Corrcoef | Histogram => {
                self.lower_statistics_call(f, &arg, &result_ty, span)?
            }
            Array | Asarray | Ascontiguousarray | Stack | Vstack | Hstack | ColumnStack | Diff
            | Roll | Outer | Cross | Interp | ExpandDims | Transpose | ArrayEqual | Allclose
            | Item => {
                let expr_arg =
                    |name: &str| names.iter().position(|n| *n == name).and_then(|i| bound[i]);
                let varargs = f.shape_varargs(receiver, args).then_some(args);
                self.lower_shape_call(f, &arg, &expr_arg, varargs, &result_ty, span)?
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
            | PyGauss => self.lower_random_call(f, &arg, &result_ty, span)?,
            Trace | LinalgSolve | LinalgInv | LinalgDet | LinalgNorm | LinalgSlogdet
            | LinalgCholesky | LinalgEigvalsh | LinalgEigh | LinalgSvd | LinalgMatrixRank
            | LinalgPinv | LinalgLstsq | LinalgMatrixPower | LinalgEig | LinalgEigvals | Kron => {
                // `hermitian=True` (`pinv`, `matrix_rank`): NumPy reads only the lower
                // triangle (through `eigh`), so the symmetric matrix it describes, as usual.
                let hermitian = names
                    .iter()
                    .position(|n| *n == "hermitian")
                    .and_then(|i| bound[i])
                    .is_some_and(|e| matches!(e.kind, ExprKind::Bool(true)));
                match array_arg("a") {
                    Some(a) if hermitian => {
                        let symmetric = self.symmetric_from_lower(&a, span);
                        let symmetric = Some((symmetric.value(), symmetric.ty()));
                        let arg = |name: &str| match name {
                            "a" => symmetric.clone(),
                            _ => arg(name),
                        };
                        self.lower_linalg_call(f, &arg, &result_ty, span)?
                    }
                    _ => self.lower_linalg_call(f, &arg, &result_ty, span)?,
                }
            }
            Eye | Identity | Round | Isclose => {
                self.lower_library_call(f, &arg, &result_ty, span)?
            }
            Where => {
                // With array operands this is an array expression (`array_expr.rs`); here all
                // three are numbers.
                let (c, _) = arg("condition").expect("bound");
                let (x, _) = arg("x").expect("bound");
                let (y, _) = arg("y").expect("bound");
                let result = result_ty.as_scalar().unwrap_or(Scalar::F64);
                self.select_number(&c, x, y, result, span)?
            }
        };
        Ok(value)
    }

    /// `x if cond else y` for numbers, both converted to `result` first, without branching
    /// (`np.where` of numbers, and of each element of arrays).
    pub(crate) fn select_number(
        &mut self,
        cond: &PyValue,
        x: PyValue,
        y: PyValue,
        result: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        let cond = self.truthy(cond);
        let rt = Type::Scalar(result);
        Ok(match (self.coerce(x, &rt), self.coerce(y, &rt)) {
            (PyValue::Scalar(a, s), PyValue::Scalar(b, _)) => {
                PyValue::Scalar(self.b.select(cond, a, b), s)
            }
            (PyValue::Complex(ar, ai, s), PyValue::Complex(br, bi, _)) => {
                let re = self.b.select(cond, ar, br);
                let im = self.b.select(cond, ai, bi);
                PyValue::Complex(re, im, s)
            }
            _ => return Err(unsupported("where() of these values", span)),
        })
    }

    /// The extents of a shape value (an integer or a tuple of integers), as i64.
    pub(crate) fn shape_values(&mut self, shape: &PyValue) -> Vec<Value> {
        let items = match shape {
            PyValue::Tuple(items) => items.clone(),
            other => vec![other.clone()],
        };
        items
            .into_iter()
            .map(|item| match item {
                PyValue::Scalar(v, s) => self.cast_real(v, s, Scalar::I64),
                _ => self.b.iconst(Ty::I64, 0),
            })
            .collect()
    }

    pub(crate) fn product(&mut self, values: &[Value]) -> Value {
        let mut p = self.b.iconst(Ty::I64, 1);
        for &v in values {
            p = self.b.binary(Op::Imul, p, v);
        }
        p
    }

    fn lower_arange(
        &mut self,
        result_ty: &Type,
        start: Option<(PyValue, Type)>,
        stop: Option<(PyValue, Type)>,
        step: Option<(PyValue, Type)>,
        span: Span,
    ) -> LResult<PyValue> {
        let Type::Array { dtype, .. } = *result_ty else {
            return Err(unsupported("arange() result", span));
        };
        // `arange(stop)` has one argument; it binds to `start`.
        let (start, stop) = match (start, stop) {
            (Some(s), None) => (None, Some(s)),
            (a, b) => (a, b),
        };
        let float = [&start, &stop, &step].iter().any(|a| {
            a.as_ref()
                .is_some_and(|(_, t)| t.as_scalar().is_some_and(|s| s.is_float()))
        });
        let work = if float { Scalar::F64 } else { Scalar::I64 };
        let as_work = |this: &mut Self, a: Option<(PyValue, Type)>, default: f64| match a {
            Some((v, _)) => match this.coerce(v, &Type::Scalar(work)) {
                PyValue::Scalar(v, _) => v,
                _ => this.scalar_const(work, default),
            },
            None => this.scalar_const(work, default),
        };
        let start = as_work(self, start, 0.0);
        let stop = as_work(self, stop, 0.0);
        let step = as_work(self, step, 1.0);
        // NumPy: len = ceil((stop - start) / step), at least 0 (for integers, `range`'s
        // length); values start + i * step.
        let zero = self.scalar_const(work, 0.0);
        let step_is_zero = if float {
            self.b.fcmp(FloatCC::Eq, step, zero)
        } else {
            self.b.icmp(IntCC::Eq, step, zero)
        };
        self.raise_if(
            step_is_zero,
            ExceptionKind::ZeroDivisionError,
            "arange() step must not be zero",
            span,
            &[],
        );
        let len = if float {
            let diff = self.b.binary(Op::Fsub, stop, start);
            let q = self.b.binary(Op::Fdiv, diff, step);
            let c = self.b.unary(Op::Ceil, q);
            let c = self.b.binary(Op::Fmax, c, zero);
            self.b.convert(Op::FToS, c, Ty::I64)
        } else {
            let step_const = self.constant_value(step);
            self.range_len(start, stop, step, step_const)
        };
        let out = self.new_array(dtype, &[len], false, span);
        let data = self.data_of(out.desc);
        let itemsize = self.b.iconst(Ty::I64, dtype.size_bytes() as i64);
        self.counted_loop(len, &mut |this, i| {
            let v = if float {
                let fi = this.b.convert(Op::SToF, i, Ty::F64);
                let scaled = this.b.binary(Op::Fmul, fi, step);
                this.b.binary(Op::Fadd, start, scaled)
            } else {
                let scaled = this.b.binary(Op::Imul, i, step);
                this.b.binary(Op::Iadd, start, scaled)
            };
            let offset = this.b.binary(Op::Imul, i, itemsize);
            let ptr = this.b.binary(Op::Iadd, data, offset);
            this.store_scalar(ptr, dtype, PyValue::Scalar(v, work));
            Ok(())
        })?;
        Ok(out.value())
    }

    fn lower_linspace(
        &mut self,
        result_ty: &Type,
        start: (PyValue, Type),
        stop: (PyValue, Type),
        num: Option<(PyValue, Type)>,
        endpoint: Option<(PyValue, Type)>,
        span: Span,
    ) -> LResult<PyValue> {
        let Type::Array { dtype, .. } = *result_ty else {
            return Err(unsupported("linspace() result", span));
        };
        let f64_of = |this: &mut Self, v: PyValue| match this.coerce(v, &Type::F64) {
            PyValue::Scalar(v, _) => v,
            _ => this.b.fconst(Ty::F64, 0.0),
        };
        let start = f64_of(self, start.0);
        let stop = f64_of(self, stop.0);
        let num = match num {
            Some((PyValue::Scalar(v, s), _)) => self.cast_real(v, s, Scalar::I64),
            _ => self.b.iconst(Ty::I64, 50),
        };
        let endpoint = match endpoint {
            Some((v, _)) => self.truthy(&v),
            None => self.b.bconst(true),
        };
        let zero = self.b.iconst(Ty::I64, 0);
        let negative = self.b.icmp(IntCC::Slt, num, zero);
        self.raise_if(
            negative,
            ExceptionKind::ValueError,
            "Number of samples, {}, must be non-negative.",
            span,
            &[num],
        );
        // NumPy: div = num - 1 if endpoint else num; step = (stop - start) / div;
        // y[i] = i * step + start; with the endpoint, y[num - 1] = stop exactly.
        let one = self.b.iconst(Ty::I64, 1);
        let num_minus_one = self.b.binary(Op::Isub, num, one);
        let div = self.b.select(endpoint, num_minus_one, num);
        let div_f = self.b.convert(Op::SToF, div, Ty::F64);
        let delta = self.b.binary(Op::Fsub, stop, start);
        let step = self.b.binary(Op::Fdiv, delta, div_f);
        let out = self.new_array(dtype, &[num], false, span);
        let data = self.data_of(out.desc);
        let itemsize = self.b.iconst(Ty::I64, dtype.size_bytes() as i64);
        // With div == 0 (num == 1 and the endpoint), NumPy computes y = i * delta + start.
        let div_zero = self.b.icmp(IntCC::Eq, div, zero);
        let scale = self.b.select(div_zero, delta, step);
        self.counted_loop(num, &mut |this, i| {
            let fi = this.b.convert(Op::SToF, i, Ty::F64);
            let scaled = this.b.binary(Op::Fmul, fi, scale);
            let y = this.b.binary(Op::Fadd, scaled, start);
            let last = this.b.icmp(IntCC::Eq, i, num_minus_one);
            let at_end = this.b.ins(Op::And, &[last, endpoint], Ty::Bool);
            let more_than_one = this.b.icmp(IntCC::Sgt, num, one);
            let fix = this.b.ins(Op::And, &[at_end, more_than_one], Ty::Bool);
            let y = this.b.select(fix, stop, y);
            let offset = this.b.binary(Op::Imul, i, itemsize);
            let ptr = this.b.binary(Op::Iadd, data, offset);
            this.store_scalar(ptr, dtype, PyValue::Scalar(y, Scalar::F64));
            Ok(())
        })?;
        Ok(out.value())
    }

    /// `a.reshape(shape)` / `a.ravel()`: a view when `a` is C-contiguous (or 1-D and
    /// contiguous), else a view of a C-ordered copy (what NumPy returns when it cannot make a
    /// view). Raises `ValueError` if the sizes differ.
    pub(crate) fn lower_reshape(&mut self, src: &ArrayRef, shape: &[Value], span: Span) -> PyValue {
        let dims = self.shape_of(src);
        let size = self.product(&dims);
        let new_size = self.product(shape);
        let differ = self.b.icmp(IntCC::Ne, size, new_size);
        self.raise_if(
            differ,
            ExceptionKind::ValueError,
            "cannot reshape array of size {} into an array of size {}",
            span,
            &[size, new_size],
        );
        let src = if src.layout == Layout::C || src.ndim <= 1 && src.layout != Layout::A {
            *src
        } else {
            self.copy_array(src, src.dtype, span)
        };
        let ndim = shape.len() as u32;
        let data = self.data_of(src.desc);
        let mut stride = self.b.iconst(Ty::I64, src.dtype.size_bytes() as i64);
        let mut strides = vec![stride; shape.len()];
        for axis in (0..shape.len()).rev() {
            strides[axis] = stride;
            stride = self.b.binary(Op::Imul, stride, shape[axis]);
        }
        let desc = self.make_descriptor(src.desc, data, shape, &strides);
        PyValue::Array(desc, Type::array(src.dtype, ndim as u8, Layout::C))
    }

    /// The descriptor of a view of the array described by `base` (whose owner it shares) with
    /// the given data pointer, shape and strides: in a stack slot of this site (a later
    /// execution of the site reuses it; `return` copies it into the arena), or, in a loop where
    /// a view may be kept from one iteration to the next, a fresh one in the arena.
    pub(crate) fn make_descriptor(
        &mut self,
        base: Value,
        data: Value,
        shape: &[Value],
        strides: &[Value],
    ) -> Value {
        let ndim = shape.len() as u32;
        let size = runtime::array::descriptor_size(ndim) as u32;
        let desc = if self.views_on_stack {
            self.b.ins(Op::StackSlot(size), &[], Ty::Ptr)
        } else {
            // `copy_descriptor` of a scratch slot gives arena memory of the right size; the
            // fields are then written in place.
            let scratch = self.b.ins(Op::StackSlot(size), &[], Ty::Ptr);
            let ndim_v = self.b.iconst(Ty::I64, i64::from(ndim));
            self.b
                .call_runtime(RuntimeFn::CopyDescriptor, &[scratch, ndim_v])
        };
        self.b.store(desc, data, DATA_OFFSET);
        let owner = self
            .b
            .load(Ty::I64, base, runtime::array::OWNER_OFFSET, true);
        self.b.store(desc, owner, runtime::array::OWNER_OFFSET);
        for axis in 0..ndim {
            self.b.store(desc, shape[axis as usize], shape_offset(axis));
            self.b
                .store(desc, strides[axis as usize], stride_offset(ndim, axis));
        }
        desc
    }

    pub(crate) fn lower_reduction(
        &mut self,
        f: ArrayFn,
        a: &ArrayRef,
        ddof: Option<(PyValue, Type)>,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let src = self.flat_elements(a);
        self.reduce_elements(f, &src, ddof, result_ty, span)
    }

    /// `sum`, `prod`, `cumsum`, `cumprod`, `min`, `max`, `argmin`, `argmax`, `mean`, `var` or
    /// `std` of all the elements of `src`, in C order.
    pub(crate) fn reduce_elements(
        &mut self,
        f: ArrayFn,
        src: &Elements,
        ddof: Option<(PyValue, Type)>,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        use ArrayFn::*;
        let shape = self.elements_shape(src);
        let size = self.product(&shape);
        let dtype = src.dtype();
        match f {
            Sum | Prod | Cumsum | Cumprod => {
                let acc_ty = match result_ty {
                    Type::Array { dtype, .. } => *dtype,
                    other => other.as_scalar().unwrap_or(dtype),
                };
                let op = if matches!(f, Sum | Cumsum) {
                    BinOp::Add
                } else {
                    BinOp::Mult
                };
                let identity = if op == BinOp::Add { 0.0 } else { 1.0 };
                let init = self.scalar_const(acc_ty.real_part(), identity);
                let init = self.convert_scalar(init, acc_ty.real_part(), acc_ty);
                let acc = self.declare_value_var(&init);
                let cumulative = matches!(f, Cumsum | Cumprod);
                let out = cumulative.then(|| self.new_array(acc_ty, &[size], false, span));
                let out_data = out.map(|o| self.data_of(o.desc));
                let counter = self.ssa.declare_var(Ty::I64);
                let zero = self.b.iconst(Ty::I64, 0);
                let entry = self.current_block();
                self.ssa.def_var(counter, entry, zero);
                let acc_t = Type::Scalar(acc_ty);
                let item_t = Type::Scalar(dtype);
                let itemsize = self.b.iconst(Ty::I64, acc_ty.size_bytes() as i64);
                self.for_each_index(&shape, &mut |this, idx| {
                    let x = this.element_at(src, idx)?;
                    let current = this.use_value_var(&acc);
                    let next = this.binary_op(op, current, &acc_t, x, &item_t, span)?;
                    let next = this.coerce(next, &acc_t);
                    this.def_value_var(&acc, &next);
                    if let Some(out_data) = out_data {
                        let block = this.current_block();
                        let k = this.ssa.use_var(this.b.func, counter, block);
                        let offset = this.b.binary(Op::Imul, k, itemsize);
                        let to = this.b.binary(Op::Iadd, out_data, offset);
                        this.store_scalar(to, acc_ty, next);
                        let one = this.b.iconst(Ty::I64, 1);
                        let k1 = this.b.binary(Op::Iadd, k, one);
                        this.ssa.def_var(counter, block, k1);
                    }
                    Ok(())
                })?;
                Ok(match out {
                    Some(out) => out.value(),
                    None => self.use_value_var(&acc),
                })
            }
            Min | Max | Argmin | Argmax => {
                if dtype.is_complex() {
                    return Err(unsupported(
                        format!("{}() of a complex array is not supported", f.name()),
                        span,
                    ));
                }
                let zero = self.b.iconst(Ty::I64, 0);
                let empty = self.b.icmp(IntCC::Eq, size, zero);
                let message = match f {
                    Min => "zero-size array to reduction operation minimum which has no identity",
                    Max => "zero-size array to reduction operation maximum which has no identity",
                    Argmin => "attempt to get argmin of an empty sequence",
                    _ => "attempt to get argmax of an empty sequence",
                };
                self.raise_if(empty, ExceptionKind::ValueError, message, span, &[]);
                if let Elements::Array { array, data, .. } = src
                    && let Some(routine) = whole_array_extreme(f, array)
                {
                    // Contiguous elements: the runtime's wide-vector routine, same result.
                    let v = self.b.call_runtime(routine, &[*data, size]);
                    return Ok(PyValue::Scalar(v, dtype));
                }
                let first_idx = vec![zero; shape.len()];
                let first = self.element_at(src, &first_idx)?;
                let best = self.declare_value_var(&first);
                let best_at = self.ssa.declare_var(Ty::I64);
                let entry = self.current_block();
                self.ssa.def_var(best_at, entry, zero);
                let counter = self.ssa.declare_var(Ty::I64);
                self.ssa.def_var(counter, entry, zero);
                let want_min = matches!(f, Min | Argmin);
                self.for_each_index(&shape, &mut |this, idx| {
                    let x = this.element_at(src, idx)?;
                    let current = this.use_value_var(&best);
                    let (PyValue::Scalar(xv, _), PyValue::Scalar(cv, _)) = (&x, &current) else {
                        unreachable!("real scalars")
                    };
                    let better = this.replaces_extreme(want_min, dtype, *xv, *cv);
                    let (PyValue::Scalar(xv, s), PyValue::Scalar(cv, _)) = (x, current) else {
                        unreachable!("real scalars")
                    };
                    let chosen = this.b.select(better, xv, cv);
                    this.def_value_var(&best, &PyValue::Scalar(chosen, s));
                    if matches!(f, Min | Max) {
                        return Ok(());
                    }
                    let block = this.current_block();
                    let k = this.ssa.use_var(this.b.func, counter, block);
                    // A 1-d array's position is its loop index (one counter fewer, and the
                    // loop vectorizer sees an argmin/argmax of the index).
                    let k = if idx.len() == 1 { idx[0] } else { k };
                    let at = this.ssa.use_var(this.b.func, best_at, block);
                    let new_at = this.b.select(better, k, at);
                    this.ssa.def_var(best_at, block, new_at);
                    let one = this.b.iconst(Ty::I64, 1);
                    let k1 = this.b.binary(Op::Iadd, k, one);
                    this.ssa.def_var(counter, block, k1);
                    Ok(())
                })?;
                Ok(if matches!(f, Argmin | Argmax) {
                    let block = self.current_block();
                    PyValue::Scalar(self.ssa.use_var(self.b.func, best_at, block), Scalar::I64)
                } else {
                    self.use_value_var(&best)
                })
            }
            Mean | Var | Std => {
                let mean_ty = if dtype.is_float() || dtype.is_complex() {
                    dtype
                } else {
                    Scalar::F64
                };
                let sum = self.reduce_elements(Sum, src, None, &Type::Scalar(mean_ty), span)?;
                let n = self.b.convert(Op::SToF, size, scalar_float_ty(mean_ty));
                let mean_t = Type::Scalar(mean_ty);
                let mean = self.mean_of(sum, n);
                if f == Mean {
                    return Ok(mean);
                }
                // var = sum(|x - mean|^2) / (n - ddof), as NumPy computes it.
                let real = mean_ty.real_part();
                let real_t = Type::Scalar(real);
                let zero = self.scalar_const(real, 0.0);
                let acc = self.declare_value_var(&PyValue::Scalar(zero, real));
                self.for_each_index(&shape, &mut |this, idx| {
                    let x = this.element_at(src, idx)?;
                    let x = this.coerce(x, &mean_t);
                    let d = this.binary_op(BinOp::Sub, x, &mean_t, mean.clone(), &mean_t, span)?;
                    let sq = match d {
                        PyValue::Complex(re, im, _) => {
                            let rr = this.b.binary(Op::Fmul, re, re);
                            let ii = this.b.binary(Op::Fmul, im, im);
                            PyValue::Scalar(this.b.binary(Op::Fadd, rr, ii), real)
                        }
                        PyValue::Scalar(v, s) => PyValue::Scalar(this.b.binary(Op::Fmul, v, v), s),
                        other => other,
                    };
                    let current = this.use_value_var(&acc);
                    let next = this.binary_op(BinOp::Add, current, &real_t, sq, &real_t, span)?;
                    this.def_value_var(&acc, &next);
                    Ok(())
                })?;
                let total = self.use_value_var(&acc);
                let ddof = match ddof {
                    Some((PyValue::Scalar(v, s), _)) => self.cast_real(v, s, Scalar::I64),
                    _ => self.b.iconst(Ty::I64, 0),
                };
                let dof = self.b.binary(Op::Isub, size, ddof);
                let zero_i = self.b.iconst(Ty::I64, 0);
                let dof = self.b.binary(Op::Smax, dof, zero_i);
                let dof_f = self.b.convert(Op::SToF, dof, scalar_float_ty(real));
                let PyValue::Scalar(total, _) = total else {
                    unreachable!("real")
                };
                // Division by zero degrees of freedom gives inf/nan, as NumPy (with a warning).
                let var = self.b.binary(Op::Fdiv, total, dof_f);
                let out = if f == Std {
                    self.b.unary(Op::Sqrt, var)
                } else {
                    var
                };
                Ok(PyValue::Scalar(out, real))
            }
            _ => Err(unsupported(format!("{}() here", f.name()), span)),
        }
    }

    /// `np.concatenate(parts)` along axis 0: the other extents must agree.
    fn lower_concatenate(
        &mut self,
        parts: &PyValue,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let Type::Array { dtype, ndim, .. } = *result_ty else {
            return Err(unsupported("concatenate() result", span));
        };
        let PyValue::Tuple(items) = parts else {
            return Err(unsupported("concatenate() of this value", span));
        };
        let arrays: Vec<ArrayRef> = items.iter().filter_map(ArrayRef::of).collect();
        let first_shape = self.shape_of(&arrays[0]);
        let mut total = self.b.iconst(Ty::I64, 0);
        for a in &arrays {
            let shape = self.shape_of(a);
            for axis in 1..shape.len() {
                let differ = self.b.icmp(IntCC::Ne, shape[axis], first_shape[axis]);
                let axis_v = self.b.iconst(Ty::I64, axis as i64);
                self.raise_if(
                    differ,
                    ExceptionKind::ValueError,
                    "all the input array dimensions except for the concatenation axis must \
                     match exactly, but along dimension {} the arrays have sizes {} and {}",
                    span,
                    &[axis_v, first_shape[axis], shape[axis]],
                );
            }
            total = self.b.binary(Op::Iadd, total, shape[0]);
        }
        let mut out_shape = first_shape.clone();
        out_shape[0] = total;
        let out = self.new_array(dtype, &out_shape, false, span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let mut row = self.b.iconst(Ty::I64, 0);
        for a in &arrays {
            let shape = self.shape_of(a);
            // The destination rows of this part, as a view of `out`.
            let offset = self.b.binary(Op::Imul, row, out_strides[0]);
            let data = self.b.binary(Op::Iadd, out_data, offset);
            let mut part_shape = out_shape.clone();
            part_shape[0] = shape[0];
            let desc = self.make_descriptor(out.desc, data, &part_shape, &out_strides);
            let dst = ArrayRef {
                desc,
                dtype,
                ndim: u32::from(ndim),
                layout: Layout::C,
            };
            self.copy_elements(a, &dst, &shape);
            row = self.b.binary(Op::Iadd, row, shape[0]);
        }
        Ok(out.value())
    }

    /// `np.all(a)` (`all`) or `np.any(a)`: every element, or some element, is truthy (NaN is).
    pub(crate) fn lower_any_all(&mut self, all: bool, a: &ArrayRef) -> LResult<PyValue> {
        let src = self.flat_elements(a);
        self.any_all_of(all, &src)
    }

    /// `any` (or `all`) of `src`'s elements, in C order, stopping at the first element that
    /// decides it (true for `any`, false for `all`), as NumPy and Numba do.
    pub(crate) fn any_all_of(&mut self, all: bool, src: &Elements) -> LResult<PyValue> {
        let shape = self.elements_shape(src);
        let exit = self.create_block();
        let result = self.b.append_block_param(exit, Ty::Bool);
        self.for_each_index(&shape, &mut |this, idx| {
            let x = this.element_at(src, idx)?;
            let t = this.truthy(&x);
            let stop = if all {
                this.b.ins(Op::Not, &[t], Ty::Bool)
            } else {
                t
            };
            let decided = this.b.bconst(!all);
            let next = this.create_block();
            let from = this.current_block();
            this.b.brif(stop, exit, &[decided], next, &[]);
            this.ssa.add_pred(exit, from);
            this.ssa.add_pred(next, from);
            this.seal(next);
            this.switch_to(next);
            Ok(())
        })?;
        let undecided = self.b.bconst(all);
        self.jump(exit, &[undecided]);
        self.seal(exit);
        self.switch_to(exit);
        Ok(PyValue::Scalar(result, Scalar::Bool))
    }

    /// Whether element `x` replaces the running minimum (`want_min`) or maximum `current`:
    /// when it is strictly better, or when it is NaN and `current` is not (NumPy propagates
    /// NaN, and `argmin`/`argmax` point at the first one).
    fn replaces_extreme(
        &mut self,
        want_min: bool,
        dtype: Scalar,
        x: Value,
        current: Value,
    ) -> Value {
        if dtype.is_float() {
            let cc = if want_min { FloatCC::Lt } else { FloatCC::Gt };
            let better = self.b.fcmp(cc, x, current);
            let x_nan = self.is_nan(x);
            let c_nan = self.is_nan(current);
            let c_ok = self.b.ins(Op::Not, &[c_nan], Ty::Bool);
            let nan_first = self.b.ins(Op::And, &[x_nan, c_ok], Ty::Bool);
            return self.b.ins(Op::Or, &[better, nan_first], Ty::Bool);
        }
        let cc = match (want_min, dtype.is_unsigned_int()) {
            (true, false) => IntCC::Slt,
            (true, true) => IntCC::Ult,
            (false, false) => IntCC::Sgt,
            (false, true) => IntCC::Ugt,
        };
        if dtype.is_bool() {
            let xi = self.b.convert(Op::Uext, x, Ty::I64);
            let ci = self.b.convert(Op::Uext, current, Ty::I64);
            self.b.icmp(cc, xi, ci)
        } else {
            self.b.icmp(cc, x, current)
        }
    }

    /// `sum`, `prod`, `min`, `max` or `mean` along `axis` of an array of rank > 1: an array of
    /// the other axes.
    pub(super) fn lower_axis_reduction(
        &mut self,
        f: ArrayFn,
        a: &ArrayRef,
        axis: usize,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        use ArrayFn::*;
        let Type::Array {
            dtype: out_dtype, ..
        } = *result_ty
        else {
            return Err(unsupported("axis reduction result", span));
        };
        let shape = self.shape_of(a);
        let strides = self.strides_of(a);
        let data = self.data_of(a.desc);
        let extent = shape[axis];
        let mut out_shape = shape.clone();
        out_shape.remove(axis);
        if matches!(f, Min | Max) {
            let zero = self.b.iconst(Ty::I64, 0);
            let empty = self.b.icmp(IntCC::Eq, extent, zero);
            let message = if f == Min {
                "zero-size array to reduction operation minimum which has no identity"
            } else {
                "zero-size array to reduction operation maximum which has no identity"
            };
            self.raise_if(empty, ExceptionKind::ValueError, message, span, &[]);
        }
        let out = self.new_array(out_dtype, &out_shape, false, span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let dtype = a.dtype;
        // Sums accumulate in the result type (`mean` of integers in float64).
        let acc_ty = if matches!(f, Min | Max) {
            dtype
        } else {
            out_dtype
        };
        let acc_t = Type::Scalar(acc_ty);
        let item_t = Type::Scalar(dtype);
        // The accumulator's start for output position `idx`: the first item for min/max, else
        // the identity.
        let start = |this: &mut Self, idx: &[Value]| -> PyValue {
            if matches!(f, Min | Max) {
                let mut full = idx.to_vec();
                full.insert(axis, this.b.iconst(Ty::I64, 0));
                let first = this.address_at(data, &strides, &full);
                this.load_scalar(first, dtype)
            } else {
                let identity = if f == Prod { 1.0 } else { 0.0 };
                let v = this.scalar_const(acc_ty.real_part(), identity);
                this.convert_scalar(v, acc_ty.real_part(), acc_ty)
            }
        };
        // The accumulator after item `x`.
        let combine = |this: &mut Self, current: PyValue, x: PyValue| -> LResult<PyValue> {
            Ok(match f {
                Min | Max => {
                    let (PyValue::Scalar(xv, s), PyValue::Scalar(cv, _)) = (&x, &current) else {
                        return Err(unsupported("min/max of complex numbers", span));
                    };
                    let better = this.replaces_extreme(f == Min, dtype, *xv, *cv);
                    PyValue::Scalar(this.b.select(better, *xv, *cv), *s)
                }
                _ => {
                    let op = if f == Prod { BinOp::Mult } else { BinOp::Add };
                    let v = this.binary_op(op, current, &acc_t, x, &item_t, span)?;
                    this.coerce(v, &acc_t)
                }
            })
        };
        if axis + 1 < shape.len() && acc_ty == out_dtype {
            // Not the innermost axis: walking down it for each output element would stride
            // through memory (a column of a C array), so walk the array in memory order instead
            // and keep the accumulators in the output. Each output element still sees its
            // items in increasing index order, so the result is bitwise the same.
            self.for_each_index(&out_shape, &mut |this, idx| {
                let init = start(this, idx);
                let to = this.address_at(out_data, &out_strides, idx);
                this.store_scalar(to, out_dtype, init);
                Ok(())
            })?;
            self.for_each_index(&shape, &mut |this, full| {
                let mut idx = full.to_vec();
                idx.remove(axis);
                let to = this.address_at(out_data, &out_strides, &idx);
                let current = this.load_scalar(to, out_dtype);
                let from = this.address_at(data, &strides, full);
                let x = this.load_scalar(from, dtype);
                let next = combine(this, current, x)?;
                this.store_scalar(to, out_dtype, next);
                Ok(())
            })?;
            if f == Mean {
                self.for_each_index(&out_shape, &mut |this, idx| {
                    let to = this.address_at(out_data, &out_strides, idx);
                    let sum = this.load_scalar(to, out_dtype);
                    let n = this.b.convert(Op::SToF, extent, scalar_float_ty(acc_ty));
                    let value = this.mean_of(sum, n);
                    this.store_scalar(to, out_dtype, value);
                    Ok(())
                })?;
            }
            return Ok(out.value());
        }
        self.for_each_index(&out_shape, &mut |this, idx| {
            let at = |this: &mut Self, k: Value| {
                let mut full = idx.to_vec();
                full.insert(axis, k);
                this.address_at(data, &strides, &full)
            };
            let init = start(this, idx);
            let acc = this.declare_value_var(&init);
            this.counted_loop(extent, &mut |this, k| {
                let ptr = at(this, k);
                let x = this.load_scalar(ptr, dtype);
                let current = this.use_value_var(&acc);
                let next = combine(this, current, x)?;
                this.def_value_var(&acc, &next);
                Ok(())
            })?;
            let mut value = this.use_value_var(&acc);
            if f == Mean {
                let n = this.b.convert(Op::SToF, extent, scalar_float_ty(acc_ty));
                value = this.mean_of(value, n);
            }
            let to = this.address_at(out_data, &out_strides, idx);
            this.store_scalar(to, out_dtype, value);
            Ok(())
        })?;
        Ok(out.value())
    }

    /// `sum / n` (`n` a float of the sum's part type) without a zero-division check: an empty
    /// mean is NaN in NumPy.
    fn mean_of(&mut self, sum: PyValue, n: Value) -> PyValue {
        match sum {
            PyValue::Scalar(s, ty) => PyValue::Scalar(self.b.binary(Op::Fdiv, s, n), ty),
            PyValue::Complex(re, im, ty) => PyValue::Complex(
                self.b.binary(Op::Fdiv, re, n),
                self.b.binary(Op::Fdiv, im, n),
                ty,
            ),
            other => other,
        }
    }

    pub(crate) fn lower_dot(
        &mut self,
        a: PyValue,
        at: &Type,
        b: PyValue,
        bt: &Type,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let (Some(a), Some(b)) = (ArrayRef::of(&a), ArrayRef::of(&b)) else {
            return Err(unsupported(format!("dot of {at} and {bt}"), span));
        };
        let dtype = match result_ty {
            Type::Array { dtype, .. } => *dtype,
            other => other.as_scalar().unwrap_or(Scalar::F64),
        };
        let dt = Type::Scalar(dtype);
        if (a.ndim, b.ndim) == (2, 2) && matches!(dtype, Scalar::F64 | Scalar::C128) {
            // Matrices of float64 or complex128: the runtime's blocked product
            // (`lower/linalg.rs`, `lower/complex_linalg.rs`).
            let (k_a, k_b) = (self.array_dim(a.desc, 1), self.array_dim(b.desc, 0));
            let mismatch = self.b.icmp(IntCC::Ne, k_a, k_b);
            self.raise_if(
                mismatch,
                ExceptionKind::ValueError,
                "shapes not aligned: {} (dim of a) != {} (dim of b)",
                span,
                &[k_a, k_b],
            );
            return Ok(if dtype == Scalar::F64 {
                self.matmul_float64(&a, &b, span)
            } else {
                self.matmul_complex128(&a, &b, span)
            });
        }
        let (a_shape, b_shape) = (self.shape_of(&a), self.shape_of(&b));
        let (a_strides, b_strides) = (self.strides_of(&a), self.strides_of(&b));
        let (a_data, b_data) = (self.data_of(a.desc), self.data_of(b.desc));
        // The contracted extents: a's last axis, b's first (or only) axis.
        let k_a = *a_shape.last().expect("rank >= 1");
        let k_b = b_shape[0];
        let mismatch = self.b.icmp(IntCC::Ne, k_a, k_b);
        self.raise_if(
            mismatch,
            ExceptionKind::ValueError,
            "shapes not aligned: {} (dim of a) != {} (dim of b)",
            span,
            &[k_a, k_b],
        );
        let (ad, bd) = (a.dtype, b.dtype);
        // sum_k a[i.., k] * b[k, j..] into a variable, for given outer indices.
        let inner = |this: &mut Self, a_outer: &[Value], b_outer: &[Value]| -> LResult<PyValue> {
            let zero = this.scalar_const(dtype.real_part(), 0.0);
            let zero = this.convert_scalar(zero, dtype.real_part(), dtype);
            let acc = this.declare_value_var(&zero);
            this.counted_loop(k_a, &mut |this, k| {
                let mut ai = a_outer.to_vec();
                ai.push(k);
                let mut bi = vec![k];
                bi.extend_from_slice(b_outer);
                let pa = this.address_at(a_data, &a_strides, &ai);
                let pb = this.address_at(b_data, &b_strides, &bi);
                let x = this.load_scalar(pa, ad);
                let y = this.load_scalar(pb, bd);
                let x = this.coerce(x, &dt);
                let y = this.coerce(y, &dt);
                let p = this.binary_op(BinOp::Mult, x, &dt, y, &dt, span)?;
                let current = this.use_value_var(&acc);
                let next = this.binary_op(BinOp::Add, current, &dt, p, &dt, span)?;
                let next = this.coerce(next, &dt);
                this.def_value_var(&acc, &next);
                Ok(())
            })?;
            Ok(this.use_value_var(&acc))
        };
        match (a.ndim, b.ndim) {
            (1, 1) if (ad, bd, dtype) == (Scalar::F64, Scalar::F64, Scalar::F64) => {
                // Contiguous float64 vectors (tested at run time): the runtime's dot, 16
                // partial sums in vector registers. BLAS, which NumPy calls, reassociates
                // too, in its own order: neither is the left-to-right sum.
                let eight = self.b.iconst(Ty::I64, 8);
                let a_unit = self.b.icmp(IntCC::Eq, a_strides[0], eight);
                let b_unit = self.b.icmp(IntCC::Eq, b_strides[0], eight);
                let contiguous = self.b.binary(Op::And, a_unit, b_unit);
                let zero = self.scalar_const(Scalar::F64, 0.0);
                let acc = self.declare_value_var(&PyValue::Scalar(zero, Scalar::F64));
                let (fast, slow, done) = (
                    self.create_block(),
                    self.create_block(),
                    self.create_block(),
                );
                self.brif(contiguous, fast, slow);
                self.seal(fast);
                self.seal(slow);
                self.switch_to(fast);
                let d = self
                    .b
                    .call_runtime(RuntimeFn::DotF64, &[a_data, b_data, k_a]);
                self.def_value_var(&acc, &PyValue::Scalar(d, Scalar::F64));
                self.jump(done, &[]);
                self.switch_to(slow);
                let v = inner(self, &[], &[])?;
                self.def_value_var(&acc, &v);
                self.jump(done, &[]);
                self.seal(done);
                self.switch_to(done);
                Ok(self.use_value_var(&acc))
            }
            (1, 1) => inner(self, &[], &[]),
            (2, 1) if a.layout == Layout::F => {
                // A matrix stored by columns (`m.T @ x`): the columns scaled by `x`'s elements
                // and added up, so every access runs along memory and the inner loop is an
                // `axpy`. Each `out[i]` still adds its products for k = 0, 1, ... in order,
                // starting from zero: the same bits as the row-by-row sums.
                let rows = a_shape[0];
                let out = self.new_array(dtype, &[rows], true, span);
                let out_strides = self.strides_of(&out);
                let out_data = self.data_of(out.desc);
                self.counted_loop(k_a, &mut |this, k| {
                    let pb = this.address_at(b_data, &b_strides, &[k]);
                    let y = this.load_scalar(pb, bd);
                    let y = this.coerce(y, &dt);
                    this.counted_loop(rows, &mut |this, i| {
                        let pa = this.address_at(a_data, &a_strides, &[i, k]);
                        let x = this.load_scalar(pa, ad);
                        let x = this.coerce(x, &dt);
                        let p = this.binary_op(BinOp::Mult, x, &dt, y.clone(), &dt, span)?;
                        let to = this.address_at(out_data, &out_strides, &[i]);
                        let current = this.load_scalar(to, dtype);
                        let next = this.binary_op(BinOp::Add, current, &dt, p, &dt, span)?;
                        let next = this.coerce(next, &dt);
                        this.store_scalar(to, dtype, next);
                        Ok(())
                    })
                })?;
                Ok(out.value())
            }
            _ => {
                let out_shape: Vec<Value> = match (a.ndim, b.ndim) {
                    (2, 1) => vec![a_shape[0]],
                    (1, 2) => vec![b_shape[1]],
                    _ => vec![a_shape[0], b_shape[1]],
                };
                let out = self.new_array(dtype, &out_shape, false, span);
                let out_strides = self.strides_of(&out);
                let out_data = self.data_of(out.desc);
                let (an, bn) = (a.ndim, b.ndim);
                self.for_each_index(&out_shape.clone(), &mut |this, idx| {
                    let (a_outer, b_outer): (Vec<Value>, Vec<Value>) = match (an, bn) {
                        (2, 1) => (vec![idx[0]], vec![]),
                        (1, 2) => (vec![], vec![idx[0]]),
                        _ => (vec![idx[0]], vec![idx[1]]),
                    };
                    let v = inner(this, &a_outer, &b_outer)?;
                    let to = this.address_at(out_data, &out_strides, idx);
                    this.store_scalar(to, dtype, v);
                    Ok(())
                })?;
                Ok(out.value())
            }
        }
    }

    /// `value` made safe to return: each array's descriptor is copied into the call's arena,
    /// since it may be a view built in this frame. The copy of a descriptor that already
    /// outlives the frame (a parameter's, an arena one) is removed again by `constfold`.
    pub(crate) fn escape_arrays(&mut self, value: PyValue) -> PyValue {
        match value {
            PyValue::Array(desc, ty) => {
                let Type::Array { ndim, .. } = ty else {
                    unreachable!("array type")
                };
                let ndim_v = self.b.iconst(Ty::I64, i64::from(ndim));
                let copy = self
                    .b
                    .call_runtime(RuntimeFn::CopyDescriptor, &[desc, ndim_v]);
                PyValue::Array(copy, ty)
            }
            PyValue::Tuple(items) => {
                PyValue::Tuple(items.into_iter().map(|i| self.escape_arrays(i)).collect())
            }
            other => other,
        }
    }

    // Python-level values kept in SSA variables across internal loops.

    pub(crate) fn declare_value_var(&mut self, init: &PyValue) -> (Vec<VarId>, PyValue) {
        let flat = init.flat_values();
        let block = self.current_block();
        let ids: Vec<_> = flat
            .iter()
            .map(|&v| {
                let ty = self.b.ty(v);
                let id = self.ssa.declare_var(ty);
                self.ssa.def_var(id, block, v);
                id
            })
            .collect();
        (ids, init.clone())
    }
    pub(crate) fn use_value_var(&mut self, var: &(Vec<VarId>, PyValue)) -> PyValue {
        let block = self.current_block();
        let values: Vec<Value> = var
            .0
            .iter()
            .map(|&id| self.ssa.use_var(self.b.func, id, block))
            .collect();
        rebuild(&var.1, &mut values.into_iter())
    }
    pub(crate) fn def_value_var(&mut self, var: &(Vec<VarId>, PyValue), value: &PyValue) {
        let block = self.current_block();
        for (&id, v) in var.0.iter().zip(value.flat_values()) {
            self.ssa.def_var(id, block, v);
        }
    }
}

/// `template` with its flat values replaced by `values`.
fn rebuild(template: &PyValue, values: &mut impl Iterator<Item = Value>) -> PyValue {
    match template {
        PyValue::Scalar(_, s) => PyValue::Scalar(values.next().expect("value"), *s),
        PyValue::Complex(_, _, s) => {
            let re = values.next().expect("value");
            PyValue::Complex(re, values.next().expect("value"), *s)
        }
        PyValue::Array(_, ty) => PyValue::Array(values.next().expect("value"), ty.clone()),
        PyValue::Tuple(items) => PyValue::Tuple(items.iter().map(|i| rebuild(i, values)).collect()),
        other => other.clone(),
    }
}

fn scalar_float_ty(s: Scalar) -> Ty {
    match s.real_part() {
        Scalar::F32 => Ty::F32,
        _ => Ty::F64,
    }
}

/// The runtime routine computing `a.min()` / `a.max()` (`f`) of a C-contiguous array in one
/// call, if there is one for its element type; `None` keeps the element loop.
fn whole_array_extreme(f: ArrayFn, a: &ArrayRef) -> Option<RuntimeFn> {
    if a.layout != Layout::C {
        return None;
    }
    Some(match (f, a.dtype) {
        (ArrayFn::Min, Scalar::F64) => RuntimeFn::MinF64,
        (ArrayFn::Max, Scalar::F64) => RuntimeFn::MaxF64,
        (ArrayFn::Min, Scalar::F32) => RuntimeFn::MinF32,
        (ArrayFn::Max, Scalar::F32) => RuntimeFn::MaxF32,
        (ArrayFn::Min, Scalar::I64) => RuntimeFn::MinI64,
        (ArrayFn::Max, Scalar::I64) => RuntimeFn::MaxI64,
        _ => return None,
    })
}
