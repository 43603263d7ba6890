//! Lowering of NumPy's sorting and searching functions (typed in
//! `typeinfer/src/infer/numpy_sorting.rs`).
//!
//! Sorting and selection (`np.sort`, `a.sort()`, `np.argsort`, `np.partition`,
//! `np.argpartition`, `np.unique`, and the sorted copy behind `np.isin`) call the runtime's
//! routines (`runtime::sorting`) once per row of a C-contiguous buffer: the operand itself
//! where it is C-contiguous and may be changed, else a copy. Searching (`np.searchsorted`,
//! `np.digitize`, `np.isin`) is a binary search written as IR, and counting
//! (`np.bincount`, `np.nonzero`/`np.where(c)`, `np.flatnonzero`, `np.argwhere`) is two passes
//! of ordinary loops: one to size the result, one to fill it. Comparisons use NumPy's sort
//! order, NaN after every number.

use super::array_fns::ArrayRef;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{Expr, ExprKind};
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use runtime::sorting::ElementKind;
use typeinfer::{ArrayFn, Layout, Scalar, Type, rules};

/// A bound argument of the call: its lowered value and type.
pub(crate) type LoweredArg = Option<(PyValue, Type)>;

/// The runtime's code for the element type `s` (real types only; typing rejects complex).
pub(crate) fn element_kind(s: Scalar) -> i64 {
    let kind = match s {
        Scalar::Bool => ElementKind::Bool,
        Scalar::I8 => ElementKind::I8,
        Scalar::I16 => ElementKind::I16,
        Scalar::I32 => ElementKind::I32,
        Scalar::I64 => ElementKind::I64,
        Scalar::U8 => ElementKind::U8,
        Scalar::U16 => ElementKind::U16,
        Scalar::U32 => ElementKind::U32,
        Scalar::U64 => ElementKind::U64,
        Scalar::F32 => ElementKind::F32,
        Scalar::F64 => ElementKind::F64,
        Scalar::C64 => ElementKind::C64,
        Scalar::C128 => ElementKind::C128,
    };
    kind as i64
}

/// The text of a string-literal argument (`kind=`, `side=`).
fn string_literal(e: Option<&Expr>) -> Option<&str> {
    match e.map(|e| &e.kind) {
        Some(ExprKind::Str(s)) => Some(s.as_str()),
        _ => None,
    }
}

impl Lowerer<'_, '_> {
    /// A sorting or searching call `f`: `arg` gives the lowered arguments, `expr_arg` the
    /// bound expressions (for the string options).
    pub(crate) fn lower_sorting_call<'e>(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> LoweredArg,
        expr_arg: &dyn Fn(&str) -> Option<&'e Expr>,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        use ArrayFn::*;
        let array = |name: &str| {
            arg(name)
                .and_then(|(v, _)| ArrayRef::of(&v))
                .ok_or_else(|| unsupported(format!("{}() of this value", f.name()), span))
        };
        let flattened = matches!(expr_arg("axis").map(|e| &e.kind), Some(ExprKind::NoneLit));
        let stable = matches!(
            string_literal(expr_arg("kind")),
            Some("mergesort" | "stable")
        );
        // A literal axis other than the last: through a view with it swapped with the last.
        let axis = |a: &ArrayRef| match expr_arg("axis").and_then(super::array::constant_int) {
            Some(k) if k < 0 => (k + i64::from(a.ndim)) as usize,
            Some(k) => k as usize,
            None => a.ndim as usize - 1,
        };
        Ok(match f {
            Sort => {
                let a = array("a")?;
                self.along_axis_via_last(&a, axis(&a), span, &mut |this, a| {
                    Ok(this.sorted_copy(a, flattened, stable, span))
                })?
                .value()
            }
            SortInPlace => {
                let a = array("a")?;
                let a = self.swapped_with_last(&a, axis(&a));
                self.sort_in_place(&a, stable, span);
                PyValue::None
            }
            Argsort => {
                let a = array("a")?;
                self.along_axis_via_last(&a, axis(&a), span, &mut |this, a| {
                    Ok(this.lower_argsort(a, flattened, span))
                })?
                .value()
            }
            Partition | Argpartition => {
                let a = array("a")?;
                let (kth, _) = arg("kth").expect("required");
                self.lower_partition(&a, &kth, f == Argpartition, span)?
                    .value()
            }
            PartitionInPlace => {
                let a = array("a")?;
                let (kth, _) = arg("kth").expect("required");
                self.partition_in_place(&a, &kth, span)?;
                PyValue::None
            }
            Unique => {
                let a = array("ar")?;
                let copy = self.sorted_copy(&a, true, false, span);
                let data = self.data_of(copy.desc);
                let size = self.array_dim(copy.desc, 0);
                let kind = self.b.iconst(Ty::I64, element_kind(a.dtype));
                let count = self.b.call_runtime(RuntimeFn::Unique, &[data, size, kind]);
                let itemsize = self.b.iconst(Ty::I64, a.dtype.size_bytes() as i64);
                let desc = self.make_descriptor(copy.desc, data, &[count], &[itemsize]);
                PyValue::Array(desc, Type::array(a.dtype, 1, Layout::C))
            }
            Searchsorted => {
                let a = array("a")?;
                let a = match arg("sorter").and_then(|(v, _)| ArrayRef::of(&v)) {
                    Some(sorter) => self.sorted_by(&a, &sorter, span)?,
                    None => a,
                };
                let right = self
                    .b
                    .bconst(string_literal(expr_arg("side")) == Some("right"));
                let (v, vt) = arg("v").expect("required");
                self.map_indices(&v, &vt, result_ty, span, &mut |this, x, xs| {
                    let n = this.array_dim(a.desc, 0);
                    let no = this.b.bconst(false);
                    this.search_sorted(&a, n, no, x, xs, right)
                })?
            }
            Digitize => self.lower_digitize(
                array("bins")?,
                arg("x").expect("required"),
                arg("right"),
                result_ty,
                span,
            )?,
            Bincount => {
                let x = array("x")?;
                let weights = arg("weights").and_then(|(v, _)| ArrayRef::of(&v));
                self.lower_bincount(&x, weights, arg("minlength"), span)?
            }
            Nonzero | Flatnonzero | Argwhere => {
                let a = array("a")?;
                self.lower_nonzero(f, &a, span)?
            }
            Isin => {
                let element = array("element")?;
                let test = arg("test_elements").expect("required");
                self.lower_isin(&element, test, arg("invert"), span)?
            }
            other => return Err(unsupported(format!("{}() here", other.name()), span)),
        })
    }

    /// Calls `each(row_data, n)` for every row (last-axis run) of the C-contiguous `array`.
    fn for_each_row(
        &mut self,
        array: &ArrayRef,
        each: &mut dyn FnMut(&mut Self, Value, Value, Value),
    ) {
        let shape = self.shape_of(array);
        let n = *shape.last().expect("rank >= 1");
        let rows = self.product(&shape[..shape.len() - 1]);
        let row_bytes = self.b.iconst(Ty::I64, array.dtype.size_bytes() as i64);
        let row_bytes = self.b.binary(Op::Imul, row_bytes, n);
        let data = self.data_of(array.desc);
        let _ = self.counted_loop(rows, &mut |this, r| {
            let offset = this.b.binary(Op::Imul, r, row_bytes);
            let row = this.b.binary(Op::Iadd, data, offset);
            each(this, row, n, r);
            Ok(())
        });
    }

    /// A C-contiguous copy of `a` (flattened to 1-d when `flatten`) with each row sorted.
    fn sorted_copy(&mut self, a: &ArrayRef, flatten: bool, stable: bool, span: Span) -> ArrayRef {
        let copy = self.copy_array(a, a.dtype, span);
        let copy = if flatten && a.ndim > 1 {
            let dims = self.shape_of(&copy);
            let size = self.product(&dims);
            let view = self.lower_reshape(&copy, &[size], span);
            ArrayRef::of(&view).expect("an array")
        } else {
            copy
        };
        self.sort_rows(&copy, stable);
        copy
    }

    /// Sorts each row of the C-contiguous `a` in place.
    fn sort_rows(&mut self, a: &ArrayRef, stable: bool) {
        let kind = self.b.iconst(Ty::I64, element_kind(a.dtype));
        let stable = self.b.iconst(Ty::I64, i64::from(stable));
        self.for_each_row(a, &mut |this, row, n, _| {
            this.b
                .call_runtime(RuntimeFn::Sort, &[row, n, kind, stable]);
        });
    }

    /// `a.sort()`: in place when `a` is C-contiguous, else through a sorted copy written back.
    fn sort_in_place(&mut self, a: &ArrayRef, stable: bool, span: Span) {
        if a.layout == Layout::C {
            self.sort_rows(a, stable);
            return;
        }
        let copy = self.sorted_copy(a, false, stable, span);
        let shape = self.shape_of(a);
        self.copy_elements(&copy, a, &shape);
    }

    /// `a`, or a C-contiguous copy of it where it is not C-contiguous, flattened if asked.
    fn contiguous(&mut self, a: &ArrayRef, flatten: bool, span: Span) -> ArrayRef {
        let c = if a.layout == Layout::C {
            *a
        } else {
            self.copy_array(a, a.dtype, span)
        };
        if flatten && c.ndim > 1 {
            let dims = self.shape_of(&c);
            let size = self.product(&dims);
            let view = self.lower_reshape(&c, &[size], span);
            ArrayRef::of(&view).expect("an array")
        } else {
            c
        }
    }

    fn lower_argsort(&mut self, a: &ArrayRef, flatten: bool, span: Span) -> ArrayRef {
        let src = self.contiguous(a, flatten, span);
        let shape = self.shape_of(&src);
        let out = self.new_array(Scalar::I64, &shape, false, span);
        let out_data = self.data_of(out.desc);
        let kind = self.b.iconst(Ty::I64, element_kind(a.dtype));
        let eight = self.b.iconst(Ty::I64, 8);
        self.for_each_row(&src, &mut |this, row, n, r| {
            let row_bytes = this.b.binary(Op::Imul, n, eight);
            let offset = this.b.binary(Op::Imul, r, row_bytes);
            let out_row = this.b.binary(Op::Iadd, out_data, offset);
            this.b
                .call_runtime(RuntimeFn::Argsort, &[row, n, kind, out_row]);
        });
        out
    }

    /// `np.partition(a, kth)` or (`indices`) `np.argpartition(a, kth)` along the last axis.
    fn lower_partition(
        &mut self,
        a: &ArrayRef,
        kth: &PyValue,
        indices: bool,
        span: Span,
    ) -> LResult<ArrayRef> {
        let shape = self.shape_of(a);
        let n = *shape.last().expect("rank >= 1");
        let (kths, count) = self.kth_positions(kth, n, span)?;
        let kind = self.b.iconst(Ty::I64, element_kind(a.dtype));
        if !indices {
            let out = self.copy_array(a, a.dtype, span);
            self.for_each_row(&out, &mut |this, row, n, _| {
                this.b
                    .call_runtime(RuntimeFn::Partition, &[row, n, kind, kths, count]);
            });
            return Ok(out);
        }
        let src = self.contiguous(a, false, span);
        let out = self.new_array(Scalar::I64, &shape, false, span);
        let out_data = self.data_of(out.desc);
        let eight = self.b.iconst(Ty::I64, 8);
        self.for_each_row(&src, &mut |this, row, n, r| {
            let row_bytes = this.b.binary(Op::Imul, n, eight);
            let offset = this.b.binary(Op::Imul, r, row_bytes);
            let out_row = this.b.binary(Op::Iadd, out_data, offset);
            this.b.call_runtime(
                RuntimeFn::Argpartition,
                &[row, n, kind, kths, count, out_row],
            );
        });
        Ok(out)
    }

    /// `a.partition(kth)`: in place when `a` is C-contiguous, else through a partitioned copy
    /// written back.
    fn partition_in_place(&mut self, a: &ArrayRef, kth: &PyValue, span: Span) -> LResult<()> {
        if a.layout != Layout::C {
            let copy = self.lower_partition(a, kth, false, span)?;
            let shape = self.shape_of(a);
            self.copy_elements(&copy, a, &shape);
            return Ok(());
        }
        let n = *self.shape_of(a).last().expect("rank >= 1");
        let (kths, count) = self.kth_positions(kth, n, span)?;
        let kind = self.b.iconst(Ty::I64, element_kind(a.dtype));
        self.for_each_row(a, &mut |this, row, n, _| {
            this.b
                .call_runtime(RuntimeFn::Partition, &[row, n, kind, kths, count]);
        });
        Ok(())
    }

    /// `kth` (an integer, or a tuple, list or 1-d array of them) as a buffer of `int64`
    /// positions in `0..n` (negative ones counted from the end; NumPy's `ValueError` for one
    /// outside): its address and length.
    fn kth_positions(&mut self, kth: &PyValue, n: Value, span: Span) -> LResult<(Value, Value)> {
        let normalized = |this: &mut Self, k: &PyValue| -> LResult<Value> {
            let PyValue::Scalar(k, ks) = *k else {
                return Err(unsupported("partition() kth", span));
            };
            let k = this.cast_real(k, ks, Scalar::I64);
            let zero = this.b.iconst(Ty::I64, 0);
            let negative = this.b.icmp(IntCC::Slt, k, zero);
            let wrapped = this.b.binary(Op::Iadd, k, n);
            let kk = this.b.select(negative, wrapped, k);
            let below = this.b.icmp(IntCC::Slt, kk, zero);
            let above = this.b.icmp(IntCC::Sge, kk, n);
            let out_of_range = this.b.ins(Op::Or, &[below, above], Ty::Bool);
            this.raise_if(
                out_of_range,
                ExceptionKind::ValueError,
                "kth(={}) out of bounds ({})",
                span,
                &[k, n],
            );
            Ok(kk)
        };
        let eight = self.b.iconst(Ty::I64, 8);
        let fixed = match kth {
            PyValue::Scalar(..) => Some(std::slice::from_ref(kth)),
            PyValue::Tuple(items) => Some(items.as_slice()),
            _ => None,
        };
        if let Some(items) = fixed {
            // A number or a tuple: a stack buffer of known length.
            let bytes = 8 * items.len().max(1) as u32;
            let buffer = self.b.ins(Op::StackSlot(bytes), &[], Ty::Ptr);
            for (i, k) in items.iter().enumerate() {
                let k = normalized(self, k)?;
                self.b.store(buffer, k, 8 * i as i32);
            }
            let count = self.b.iconst(Ty::I64, items.len() as i64);
            return Ok((buffer, count));
        }
        // A list or an array: a new buffer of its length.
        let count = match kth {
            PyValue::List(list, _) => self.list_len(*list),
            _ => {
                let a = ArrayRef::of(kth).ok_or_else(|| unsupported("partition() kth", span))?;
                self.array_dim(a.desc, 0)
            }
        };
        let buffer = self.new_array(Scalar::I64, &[count], false, span);
        let data = self.data_of(buffer.desc);
        let kth = kth.clone();
        self.counted_loop(count, &mut |this, i| {
            let k = match &kth {
                PyValue::List(list, Type::List { item, .. }) => this.load_list_item(*list, item, i),
                _ => {
                    let a = ArrayRef::of(&kth).expect("an array");
                    let (strides, from) = (this.strides_of(&a), this.data_of(a.desc));
                    let p = this.address_at(from, &strides, &[i]);
                    this.load_scalar(p, a.dtype)
                }
            };
            let k = normalized(this, &k)?;
            let offset = this.b.binary(Op::Imul, i, eight);
            let to = this.b.binary(Op::Iadd, data, offset);
            this.b.store(to, k, 0);
            Ok(())
        })?;
        Ok((data, count))
    }

    /// Applies `index_of(x, dtype)` to the number `v`, or to each element of the array `v`
    /// giving an `int64` array of its shape.
    fn map_indices(
        &mut self,
        v: &PyValue,
        vt: &Type,
        result_ty: &Type,
        span: Span,
        index_of: &mut dyn FnMut(&mut Self, Value, Scalar) -> LResult<Value>,
    ) -> LResult<PyValue> {
        match (v, vt) {
            (PyValue::Scalar(x, s), _) => Ok(PyValue::Scalar(index_of(self, *x, *s)?, Scalar::I64)),
            _ => {
                let values = ArrayRef::of(v)
                    .ok_or_else(|| unsupported(format!("values of type {vt}"), span))?;
                let shape = self.shape_of(&values);
                let out_dtype = match result_ty {
                    Type::Array { dtype, .. } => *dtype,
                    _ => Scalar::I64,
                };
                let out = self.new_array(out_dtype, &shape, false, span);
                let (strides, data) = (self.strides_of(&values), self.data_of(values.desc));
                let out_strides = self.strides_of(&out);
                let out_data = self.data_of(out.desc);
                let dtype = values.dtype;
                self.for_each_index(&shape, &mut |this, idx| {
                    let from = this.address_at(data, &strides, idx);
                    let PyValue::Scalar(x, _) = this.load_scalar(from, dtype) else {
                        return Err(unsupported("complex values", span));
                    };
                    let i = index_of(this, x, dtype)?;
                    let to = this.address_at(out_data, &out_strides, idx);
                    this.store_scalar(to, out_dtype, PyValue::Scalar(i, Scalar::I64));
                    Ok(())
                })?;
                Ok(out.value())
            }
        }
    }

    /// NumPy's sort order on numbers of dtype `s`: `x < y`, with NaN after every number.
    fn sort_less(&mut self, x: Value, y: Value, s: Scalar) -> Value {
        if s.is_float() {
            let lt = self.b.fcmp(FloatCC::Lt, x, y);
            let x_nan = self.is_nan(x);
            let y_nan = self.is_nan(y);
            let x_num = self.b.ins(Op::Not, &[x_nan], Ty::Bool);
            let nan_after = self.b.ins(Op::And, &[y_nan, x_num], Ty::Bool);
            return self.b.ins(Op::Or, &[lt, nan_after], Ty::Bool);
        }
        if s.is_bool() {
            let xi = self.b.convert(Op::Uext, x, Ty::I64);
            let yi = self.b.convert(Op::Uext, y, Ty::I64);
            return self.b.icmp(IntCC::Ult, xi, yi);
        }
        self.int_cmp(IntCC::Slt, x, y, s)
    }

    /// The element `i` of the 1-d `a` (or of `a` reversed, where `reversed`), as `common`.
    pub(crate) fn element_as(
        &mut self,
        a: &ArrayRef,
        n: Value,
        reversed: Value,
        i: Value,
        common: Scalar,
    ) -> Value {
        let one = self.b.iconst(Ty::I64, 1);
        let last = self.b.binary(Op::Isub, n, one);
        let mirrored = self.b.binary(Op::Isub, last, i);
        let at = self.b.select(reversed, mirrored, i);
        let strides = self.strides_of(a);
        let data = self.data_of(a.desc);
        let ptr = self.address_at(data, &strides, &[at]);
        let v = self.load_scalar(ptr, a.dtype);
        match self.coerce(v, &Type::Scalar(common)) {
            PyValue::Scalar(v, _) => v,
            _ => unreachable!("real element"),
        }
    }

    /// `a[sorter]` for `np.searchsorted`'s `sorter=` (the indices that sort the 1-d `a`), with
    /// NumPy's errors: a `sorter` of another length, an index outside `0..len(a)` (every one
    /// is checked; NumPy checks those its search reads).
    fn sorted_by(&mut self, a: &ArrayRef, sorter: &ArrayRef, span: Span) -> LResult<ArrayRef> {
        let n = self.array_dim(a.desc, 0);
        let count = self.array_dim(sorter.desc, 0);
        let differ = self.b.icmp(IntCC::Ne, count, n);
        let message = "sorter.size must equal a.size";
        self.raise_if(differ, ExceptionKind::ValueError, message, span, &[]);
        let out = self.new_array(a.dtype, &[n], false, span);
        let (a_strides, a_data) = (self.strides_of(a), self.data_of(a.desc));
        let (s_strides, s_data) = (self.strides_of(sorter), self.data_of(sorter.desc));
        let (out_strides, out_data) = (self.strides_of(&out), self.data_of(out.desc));
        let (dtype, index_dtype) = (a.dtype, sorter.dtype);
        let zero = self.b.iconst(Ty::I64, 0);
        self.counted_loop(n, &mut |this, i| {
            let from = this.address_at(s_data, &s_strides, &[i]);
            let PyValue::Scalar(j, js) = this.load_scalar(from, index_dtype) else {
                unreachable!("an integer")
            };
            let j = this.cast_real(j, js, Scalar::I64);
            let below = this.b.icmp(IntCC::Slt, j, zero);
            let above = this.b.icmp(IntCC::Sge, j, n);
            let outside = this.b.ins(Op::Or, &[below, above], Ty::Bool);
            let message = "Sorter index out of range.";
            this.raise_if(outside, ExceptionKind::ValueError, message, span, &[]);
            let element = this.address_at(a_data, &a_strides, &[j]);
            let v = this.load_scalar(element, dtype);
            let to = this.address_at(out_data, &out_strides, &[i]);
            this.store_scalar(to, dtype, v);
            Ok(())
        })?;
        Ok(out)
    }

    /// The index at which `x` (of dtype `xs`) would be inserted into the sorted 1-d `a` of
    /// length `n` (read backwards where `reversed`): before equal elements, or after them
    /// where `right`.
    pub(crate) fn search_sorted(
        &mut self,
        a: &ArrayRef,
        n: Value,
        reversed: Value,
        x: Value,
        xs: Scalar,
        right: Value,
    ) -> LResult<Value> {
        let common = rules::promote(a.dtype, xs);
        let x = self.cast_real(x, xs, common);
        let a = *a;
        self.binary_search(n, &mut |this, mid| {
            let y = this.element_as(&a, n, reversed, mid, common);
            // Left: go right while a[mid] < x; right: while not x < a[mid].
            let y_less = this.sort_less(y, x, common);
            let x_less = this.sort_less(x, y, common);
            let not_x_less = this.b.ins(Op::Not, &[x_less], Ty::Bool);
            Ok(this.b.select(right, not_x_less, y_less))
        })
    }

    /// The first `i` in `0..n` for which `goes_right(i)` is false, given that it is true for
    /// a prefix of `0..n` and false after it.
    fn binary_search(
        &mut self,
        n: Value,
        goes_right: &mut dyn FnMut(&mut Self, Value) -> LResult<Value>,
    ) -> LResult<Value> {
        let lo_var = self.ssa.declare_var(Ty::I64);
        let hi_var = self.ssa.declare_var(Ty::I64);
        let entry = self.current_block();
        let zero = self.b.iconst(Ty::I64, 0);
        self.ssa.def_var(lo_var, entry, zero);
        self.ssa.def_var(hi_var, entry, n);
        let header = self.create_block();
        let body = self.create_block();
        let exit = self.create_block();
        self.jump(header, &[]);
        self.switch_to(header);
        let lo = self.ssa.use_var(self.b.func, lo_var, header);
        let hi = self.ssa.use_var(self.b.func, hi_var, header);
        let more = self.b.icmp(IntCC::Slt, lo, hi);
        self.brif(more, body, exit);
        self.seal(body);
        self.switch_to(body);
        let lo = self.ssa.use_var(self.b.func, lo_var, body);
        let hi = self.ssa.use_var(self.b.func, hi_var, body);
        let width = self.b.binary(Op::Isub, hi, lo);
        let one = self.b.iconst(Ty::I64, 1);
        let half = self.b.binary(Op::Sshr, width, one);
        let mid = self.b.binary(Op::Iadd, lo, half);
        let right = goes_right(self, mid)?;
        let after_mid = self.b.binary(Op::Iadd, mid, one);
        let new_lo = self.b.select(right, after_mid, lo);
        let new_hi = self.b.select(right, hi, mid);
        let block = self.current_block();
        self.ssa.def_var(lo_var, block, new_lo);
        self.ssa.def_var(hi_var, block, new_hi);
        self.jump(header, &[]);
        self.seal(header);
        self.seal(exit);
        self.switch_to(exit);
        Ok(self.ssa.use_var(self.b.func, lo_var, exit))
    }

    /// Runs `body` only where `cond` holds.
    pub(crate) fn when_true(
        &mut self,
        cond: Value,
        body: &mut dyn FnMut(&mut Self) -> LResult<()>,
    ) -> LResult<()> {
        let then = self.create_block();
        let merge = self.create_block();
        self.brif(cond, then, merge);
        self.seal(then);
        self.switch_to(then);
        body(self)?;
        if !self.b.is_terminated() {
            self.jump(merge, &[]);
        }
        self.seal(merge);
        self.switch_to(merge);
        Ok(())
    }

    /// `np.digitize(x, bins, right=False)`: for increasing bins the index `i` with
    /// `bins[i-1] <= x < bins[i]` (`<` and `<=` swap with `right`), for decreasing bins the
    /// mirror image; bins that are neither raise `ValueError` as NumPy does.
    fn lower_digitize(
        &mut self,
        bins: ArrayRef,
        x: (PyValue, Type),
        right: LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let n = self.array_dim(bins.desc, 0);
        let right = match right {
            Some((v, _)) => self.truthy(&v),
            None => self.b.bconst(false),
        };
        // NumPy: increasing unless bins[0] > bins[-1]; then every step must go that way.
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let no = self.b.bconst(false);
        let decreasing_var = self.ssa.declare_var(Ty::Bool);
        let entry = self.current_block();
        self.ssa.def_var(decreasing_var, entry, no);
        let dtype = bins.dtype;
        let nonempty = self.b.icmp(IntCC::Sgt, n, zero);
        self.when_true(nonempty, &mut |this| {
            let last = this.b.binary(Op::Isub, n, one);
            let first_v = this.element_as(&bins, n, no, zero, dtype);
            let last_v = this.element_as(&bins, n, no, last, dtype);
            let dec = this.sort_less(last_v, first_v, dtype);
            let block = this.current_block();
            this.ssa.def_var(decreasing_var, block, dec);
            this.counted_loop_between(one, n, &mut |this, i| {
                let prev = this.b.binary(Op::Isub, i, one);
                let p = this.element_as(&bins, n, no, prev, dtype);
                let c = this.element_as(&bins, n, no, i, dtype);
                let up = this.sort_less(c, p, dtype);
                let down = this.sort_less(p, c, dtype);
                let bad = this.b.select(dec, down, up);
                this.raise_if(
                    bad,
                    ExceptionKind::ValueError,
                    "bins must be monotonically increasing or decreasing",
                    span,
                    &[],
                );
                Ok(())
            })
        })?;
        let block = self.current_block();
        let decreasing = self.ssa.use_var(self.b.func, decreasing_var, block);
        let (xv, xt) = x;
        // NumPy: searchsorted(bins, x, side='left' if right else 'right') for increasing
        // bins, n - searchsorted(bins[::-1], x, side=<the same>) for decreasing ones.
        self.map_indices(&xv, &xt, result_ty, span, &mut |this, x, xs| {
            let side_right = this.b.ins(Op::Not, &[right], Ty::Bool);
            let pos = this.search_sorted(&bins, n, decreasing, x, xs, side_right)?;
            let mirrored = this.b.binary(Op::Isub, n, pos);
            Ok(this.b.select(decreasing, mirrored, pos))
        })
    }

    /// `np.bincount(x, weights=None, minlength=0)`.
    fn lower_bincount(
        &mut self,
        x: &ArrayRef,
        weights: Option<ArrayRef>,
        minlength: LoweredArg,
        span: Span,
    ) -> LResult<PyValue> {
        let n = self.array_dim(x.desc, 0);
        let zero = self.b.iconst(Ty::I64, 0);
        let minlength = match minlength {
            Some((PyValue::Scalar(v, s), _)) => self.cast_real(v, s, Scalar::I64),
            _ => zero,
        };
        let negative = self.b.icmp(IntCC::Slt, minlength, zero);
        self.raise_if(
            negative,
            ExceptionKind::ValueError,
            "'minlength' must not be negative",
            span,
            &[],
        );
        if let Some(w) = &weights {
            let wn = self.array_dim(w.desc, 0);
            let differ = self.b.icmp(IntCC::Ne, wn, n);
            self.raise_if(
                differ,
                ExceptionKind::ValueError,
                "The weights and list don't have the same length.",
                span,
                &[],
            );
        }
        let x = *x;
        let index = |this: &mut Self, i: Value| {
            let strides = this.strides_of(&x);
            let data = this.data_of(x.desc);
            let ptr = this.address_at(data, &strides, &[i]);
            match this.load_scalar(ptr, x.dtype) {
                PyValue::Scalar(v, s) => this.cast_real(v, s, Scalar::I64),
                _ => unreachable!("integer"),
            }
        };
        let minus_one = self.b.iconst(Ty::I64, -1);
        let largest = self.declare_value_var(&PyValue::Scalar(minus_one, Scalar::I64));
        self.counted_loop(n, &mut |this, i| {
            let v = index(this, i);
            let negative = this.b.icmp(IntCC::Slt, v, zero);
            this.raise_if(
                negative,
                ExceptionKind::ValueError,
                "'list' argument must have no negative elements",
                span,
                &[],
            );
            let PyValue::Scalar(m, _) = this.use_value_var(&largest) else {
                unreachable!("integer")
            };
            let m = this.b.binary(Op::Smax, m, v);
            this.def_value_var(&largest, &PyValue::Scalar(m, Scalar::I64));
            Ok(())
        })?;
        let PyValue::Scalar(m, _) = self.use_value_var(&largest) else {
            unreachable!("integer")
        };
        let one = self.b.iconst(Ty::I64, 1);
        let len = self.b.binary(Op::Iadd, m, one);
        let len = self.b.binary(Op::Smax, len, minlength);
        let dtype = if weights.is_some() {
            Scalar::F64
        } else {
            Scalar::I64
        };
        let out = self.new_array(dtype, &[len], true, span);
        let out_data = self.data_of(out.desc);
        let eight = self.b.iconst(Ty::I64, 8);
        self.counted_loop(n, &mut |this, i| {
            let v = index(this, i);
            let offset = this.b.binary(Op::Imul, v, eight);
            let slot = this.b.binary(Op::Iadd, out_data, offset);
            let current = this.load_scalar(slot, dtype);
            let add = match &weights {
                Some(w) => {
                    let strides = this.strides_of(w);
                    let data = this.data_of(w.desc);
                    let ptr = this.address_at(data, &strides, &[i]);
                    let wv = this.load_scalar(ptr, w.dtype);
                    this.coerce(wv, &Type::F64)
                }
                None => PyValue::Scalar(this.b.iconst(Ty::I64, 1), Scalar::I64),
            };
            let (PyValue::Scalar(c, _), PyValue::Scalar(a, _)) = (current, add) else {
                unreachable!("real")
            };
            let op = if weights.is_some() {
                Op::Fadd
            } else {
                Op::Iadd
            };
            let next = this.b.binary(op, c, a);
            this.store_scalar(slot, dtype, PyValue::Scalar(next, dtype));
            Ok(())
        })?;
        Ok(out.value())
    }

    /// `np.nonzero(a)` (a tuple of index arrays, one per axis), `np.flatnonzero(a)` (indices
    /// into the flattened array) or `np.argwhere(a)` (one row of indices per element).
    fn lower_nonzero(&mut self, f: ArrayFn, a: &ArrayRef, span: Span) -> LResult<PyValue> {
        let shape = self.shape_of(a);
        let strides = self.strides_of(a);
        let data = self.data_of(a.desc);
        let dtype = a.dtype;
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let count = self.declare_value_var(&PyValue::Scalar(zero, Scalar::I64));
        self.for_each_index(&shape, &mut |this, idx| {
            let ptr = this.address_at(data, &strides, idx);
            let x = this.load_scalar(ptr, dtype);
            let t = this.truthy(&x);
            let t = this.b.convert(Op::Uext, t, Ty::I64);
            let PyValue::Scalar(c, _) = this.use_value_var(&count) else {
                unreachable!("integer")
            };
            let c = this.b.binary(Op::Iadd, c, t);
            this.def_value_var(&count, &PyValue::Scalar(c, Scalar::I64));
            Ok(())
        })?;
        let PyValue::Scalar(total, _) = self.use_value_var(&count) else {
            unreachable!("integer")
        };
        let ndim = shape.len();
        let outs: Vec<ArrayRef> = match f {
            ArrayFn::Nonzero => (0..ndim)
                .map(|_| self.new_array(Scalar::I64, &[total], false, span))
                .collect(),
            ArrayFn::Flatnonzero => vec![self.new_array(Scalar::I64, &[total], false, span)],
            _ => {
                let width = self.b.iconst(Ty::I64, ndim as i64);
                vec![self.new_array(Scalar::I64, &[total, width], false, span)]
            }
        };
        let out_data: Vec<Value> = outs.iter().map(|o| self.data_of(o.desc)).collect();
        let eight = self.b.iconst(Ty::I64, 8);
        // `k`: results so far; `flat`: the C-order position of the current element.
        let k = self.declare_value_var(&PyValue::Scalar(zero, Scalar::I64));
        let flat = self.declare_value_var(&PyValue::Scalar(zero, Scalar::I64));
        self.for_each_index(&shape, &mut |this, idx| {
            let ptr = this.address_at(data, &strides, idx);
            let x = this.load_scalar(ptr, dtype);
            let t = this.truthy(&x);
            let idx = idx.to_vec();
            this.when_true(t, &mut |this| {
                let PyValue::Scalar(kv, _) = this.use_value_var(&k) else {
                    unreachable!("integer")
                };
                let PyValue::Scalar(fv, _) = this.use_value_var(&flat) else {
                    unreachable!("integer")
                };
                match f {
                    ArrayFn::Nonzero => {
                        for (axis, &i) in idx.iter().enumerate() {
                            let offset = this.b.binary(Op::Imul, kv, eight);
                            let to = this.b.binary(Op::Iadd, out_data[axis], offset);
                            this.b.store(to, i, 0);
                        }
                    }
                    ArrayFn::Flatnonzero => {
                        let offset = this.b.binary(Op::Imul, kv, eight);
                        let to = this.b.binary(Op::Iadd, out_data[0], offset);
                        this.b.store(to, fv, 0);
                    }
                    _ => {
                        let row = this.b.iconst(Ty::I64, 8 * ndim as i64);
                        let offset = this.b.binary(Op::Imul, kv, row);
                        let base = this.b.binary(Op::Iadd, out_data[0], offset);
                        for (axis, &i) in idx.iter().enumerate() {
                            this.b.store(base, i, 8 * axis as i32);
                        }
                    }
                }
                let next = this.b.binary(Op::Iadd, kv, one);
                this.def_value_var(&k, &PyValue::Scalar(next, Scalar::I64));
                Ok(())
            })?;
            let PyValue::Scalar(fv, _) = this.use_value_var(&flat) else {
                unreachable!("integer")
            };
            let next = this.b.binary(Op::Iadd, fv, one);
            this.def_value_var(&flat, &PyValue::Scalar(next, Scalar::I64));
            Ok(())
        })?;
        Ok(match f {
            ArrayFn::Nonzero => PyValue::Tuple(outs.iter().map(|o| o.value()).collect()),
            _ => outs[0].value(),
        })
    }

    /// `np.isin(element, test_elements, invert=False)`: binary search of each element in a
    /// sorted copy of the test elements, both in their common dtype.
    fn lower_isin(
        &mut self,
        element: &ArrayRef,
        test: (PyValue, Type),
        invert: LoweredArg,
        span: Span,
    ) -> LResult<PyValue> {
        let invert = match invert {
            Some((v, _)) => self.truthy(&v),
            None => self.b.bconst(false),
        };
        let (test_value, _) = test;
        let test_dtype = match &test_value {
            PyValue::Scalar(_, s) => *s,
            other => ArrayRef::of(other)
                .map(|t| t.dtype)
                .ok_or_else(|| unsupported("isin() test_elements", span))?,
        };
        let common = rules::promote(element.dtype, test_dtype);
        let sorted = match ArrayRef::of(&test_value) {
            Some(t) => {
                let copy = self.copy_array(&t, common, span);
                let dims = self.shape_of(&copy);
                let size = self.product(&dims);
                let view = self.lower_reshape(&copy, &[size], span);
                let flat = ArrayRef::of(&view).expect("an array");
                self.sort_rows(&flat, false);
                Some(flat)
            }
            None => None,
        };
        let shape = self.shape_of(element);
        let out = self.new_array(Scalar::Bool, &shape, false, span);
        let (strides, data) = (self.strides_of(element), self.data_of(element.desc));
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let ed = element.dtype;
        let no = self.b.bconst(false);
        self.for_each_index(&shape, &mut |this, idx| {
            let from = this.address_at(data, &strides, idx);
            let v = this.load_scalar(from, ed);
            let PyValue::Scalar(x, _) = this.coerce(v, &Type::Scalar(common)) else {
                return Err(unsupported("complex elements", span));
            };
            let found = match &sorted {
                Some(t) => {
                    let m = this.array_dim(t.desc, 0);
                    let pos = this.search_sorted(t, m, no, x, common, no)?;
                    let found_var = this.ssa.declare_var(Ty::Bool);
                    let block = this.current_block();
                    this.ssa.def_var(found_var, block, no);
                    let inside = this.b.icmp(IntCC::Slt, pos, m);
                    let t = *t;
                    this.when_true(inside, &mut |this| {
                        let y = this.element_as(&t, m, no, pos, common);
                        let equal = this.scalars_equal(x, y, common);
                        let block = this.current_block();
                        this.ssa.def_var(found_var, block, equal);
                        Ok(())
                    })?;
                    let block = this.current_block();
                    this.ssa.use_var(this.b.func, found_var, block)
                }
                None => {
                    let PyValue::Scalar(y, _) =
                        this.coerce(test_value.clone(), &Type::Scalar(common))
                    else {
                        return Err(unsupported("complex test elements", span));
                    };
                    this.scalars_equal(x, y, common)
                }
            };
            let missing = this.b.ins(Op::Not, &[found], Ty::Bool);
            let result = this.b.select(invert, missing, found);
            let to = this.address_at(out_data, &out_strides, idx);
            this.store_scalar(to, Scalar::Bool, PyValue::Scalar(result, Scalar::Bool));
            Ok(())
        })?;
        Ok(out.value())
    }

    /// `x == y` for numbers of dtype `s` (NaN equals nothing).
    fn scalars_equal(&mut self, x: Value, y: Value, s: Scalar) -> Value {
        if s.is_float() {
            self.b.fcmp(FloatCC::Eq, x, y)
        } else if s.is_bool() {
            let xi = self.b.convert(Op::Uext, x, Ty::I64);
            let yi = self.b.convert(Op::Uext, y, Ty::I64);
            self.b.icmp(IntCC::Eq, xi, yi)
        } else {
            self.b.icmp(IntCC::Eq, x, y)
        }
    }
}
