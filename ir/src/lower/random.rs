//! Lowering of random numbers (typed in `typeinfer/src/infer/numpy_random.rs`): each draw is
//! a call of the runtime's per-thread generators (`runtime::random`), a `size=` fills a new
//! array in C order with one draw per element (NumPy's order, so seeded sequences match), and
//! `shuffle`/`permutation`/`choice` follow NumPy's legacy algorithms on top of
//! `random_interval`. Argument checks raise NumPy's `ValueError`s.

use super::array_fns::ArrayRef;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use frontend::Span;
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::{ArrayFn, Scalar, Type};

/// Which generator a draw uses.
pub(super) const NUMPY: i64 = 0;
const PYTHON: i64 = 1;

impl Lowerer<'_, '_> {
    /// A random call `f`; `arg` gives the lowered arguments.
    pub(crate) fn lower_random_call(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        use ArrayFn::*;
        if let Some(drawn) = self.lower_random_broadcast(f, arg, result_ty, span)? {
            return Ok(drawn);
        }
        let float = |this: &mut Self, name: &str, default: f64| match arg(name) {
            Some((PyValue::Scalar(v, s), _)) => this.cast_real(v, s, Scalar::F64),
            _ => this.b.fconst(Ty::F64, default),
        };
        let int = |this: &mut Self, name: &str| match arg(name) {
            Some((PyValue::Scalar(v, s), _)) => Some(this.cast_real(v, s, Scalar::I64)),
            _ => None,
        };
        let size = arg("size").filter(|(v, _)| !matches!(v, PyValue::None));
        let which_np = self.b.iconst(Ty::I64, NUMPY);
        let which_py = self.b.iconst(Ty::I64, PYTHON);
        // The generators' addresses: pure calls, merged and hoisted out of loops.
        let st_np = self.rng_state(NUMPY);
        let st_py = self.rng_state(PYTHON);
        Ok(match f {
            RandomSeed => {
                let seed = int(self, "seed").expect("required");
                let zero = self.b.iconst(Ty::I64, 0);
                let limit = self.b.iconst(Ty::I64, 1 << 32);
                let below = self.b.icmp(IntCC::Slt, seed, zero);
                let above = self.b.icmp(IntCC::Sge, seed, limit);
                let bad = self.b.ins(Op::Or, &[below, above], Ty::Bool);
                self.raise_if(
                    bad,
                    ExceptionKind::ValueError,
                    "Seed must be between 0 and 2**32 - 1",
                    span,
                    &[],
                );
                self.b
                    .call_runtime(RuntimeFn::RandomSeed, &[which_np, seed]);
                PyValue::None
            }
            PySeed => {
                let seed = int(self, "a").expect("required");
                self.b
                    .call_runtime(RuntimeFn::RandomSeed, &[which_py, seed]);
                PyValue::None
            }
            RandomRandom => self.draws(size, Scalar::F64, span, &mut |this| {
                this.b.call_runtime(RuntimeFn::RandomDouble, &[st_np])
            })?,
            RandomRand | RandomRandn => {
                let dims: Vec<Value> = ["d0", "d1", "d2", "d3"]
                    .iter()
                    .filter_map(|d| int(self, d))
                    .collect();
                let mut draw = |this: &mut Self| {
                    if f == RandomRand {
                        this.b.call_runtime(RuntimeFn::RandomDouble, &[st_np])
                    } else {
                        this.b
                            .call_runtime(RuntimeFn::RandomGauss, &[st_np, which_np])
                    }
                };
                if dims.is_empty() {
                    PyValue::Scalar(draw(self), Scalar::F64)
                } else {
                    self.fill_draws(&dims, Scalar::F64, span, &mut draw)?
                }
            }
            RandomStandardNormal => self.draws(size, Scalar::F64, span, &mut |this| {
                this.b
                    .call_runtime(RuntimeFn::RandomGauss, &[st_np, which_np])
            })?,
            RandomRandint => {
                let first = int(self, "low").expect("required");
                let (low, high) = match int(self, "high") {
                    Some(high) => (first, high),
                    None => (self.b.iconst(Ty::I64, 0), first),
                };
                // NumPy's messages: the one-argument form (low 0) speaks of `high`.
                let empty = self.b.icmp(IntCC::Sge, low, high);
                let zero = self.b.iconst(Ty::I64, 0);
                let low_zero = self.b.icmp(IntCC::Eq, low, zero);
                let low_nonzero = self.b.ins(Op::Not, &[low_zero], Ty::Bool);
                for (which, message) in [(low_zero, "high <= 0"), (low_nonzero, "low >= high")] {
                    let failed = self.b.ins(Op::And, &[empty, which], Ty::Bool);
                    self.raise_if(failed, ExceptionKind::ValueError, message, span, &[]);
                }
                let bounded = self.bounded_draw(st_np, low, high);
                self.draws(size, Scalar::I64, span, &mut |this| {
                    this.draw_bounded(&bounded)
                })?
            }
            RandomUniform => {
                let low = float(self, "low", 0.0);
                let high = float(self, "high", 1.0);
                let range = self.b.binary(Op::Fsub, high, low);
                self.draws(size, Scalar::F64, span, &mut |this| {
                    let u = this.b.call_runtime(RuntimeFn::RandomDouble, &[st_np]);
                    let scaled = this.b.binary(Op::Fmul, range, u);
                    this.b.binary(Op::Fadd, low, scaled)
                })?
            }
            RandomNormal => {
                let loc = float(self, "loc", 0.0);
                let scale = float(self, "scale", 1.0);
                self.check_non_negative(scale, "scale < 0", span);
                self.draws(size, Scalar::F64, span, &mut |this| {
                    let g = this
                        .b
                        .call_runtime(RuntimeFn::RandomGauss, &[st_np, which_np]);
                    let scaled = this.b.binary(Op::Fmul, scale, g);
                    this.b.binary(Op::Fadd, loc, scaled)
                })?
            }
            RandomExponential => {
                let scale = float(self, "scale", 1.0);
                self.check_non_negative(scale, "scale < 0", span);
                self.draws(size, Scalar::F64, span, &mut |this| {
                    let e = this.b.call_runtime(RuntimeFn::RandomExponential, &[st_np]);
                    this.b.binary(Op::Fmul, scale, e)
                })?
            }
            RandomPoisson => {
                let lam = float(self, "lam", 1.0);
                self.check_non_negative(lam, "lam < 0", span);
                // exp(-lam) once (pure: out of the caller's loops too), not per draw.
                let zero = self.b.fconst(Ty::F64, 0.0);
                let minus = self.b.binary(Op::Fsub, zero, lam);
                let enlam = self.b.call_runtime(RuntimeFn::Exp, &[minus]);
                self.draws(size, Scalar::I64, span, &mut |this| {
                    this.b
                        .call_runtime(RuntimeFn::RandomPoisson, &[st_np, lam, enlam])
                })?
            }
            RandomBinomial => {
                let n = int(self, "n").expect("required");
                let p = float(self, "p", 0.5);
                let zero = self.b.iconst(Ty::I64, 0);
                let negative = self.b.icmp(IntCC::Slt, n, zero);
                self.raise_if(negative, ExceptionKind::ValueError, "n < 0", span, &[]);
                let zero_f = self.b.fconst(Ty::F64, 0.0);
                let one_f = self.b.fconst(Ty::F64, 1.0);
                let low = self.b.fcmp(FloatCC::Ge, p, zero_f);
                let high = self.b.fcmp(FloatCC::Le, p, one_f);
                let ok = self.b.ins(Op::And, &[low, high], Ty::Bool);
                let bad = self.b.ins(Op::Not, &[ok], Ty::Bool);
                self.raise_if(
                    bad,
                    ExceptionKind::ValueError,
                    "p < 0, p > 1 or p is NaN",
                    span,
                    &[],
                );
                self.draws(size, Scalar::I64, span, &mut |this| {
                    this.b
                        .call_runtime(RuntimeFn::RandomBinomial, &[st_np, n, p])
                })?
            }
            RandomChoice => {
                let (a, _) = arg("a").expect("required");
                let replace = arg("replace").map(|(v, _)| v);
                let p = arg("p").and_then(|(v, _)| ArrayRef::of(&v));
                self.lower_choice(a, size, replace, p, result_ty, span)?
            }
            RandomShuffle => {
                let (x, _) = arg("x").expect("required");
                let x = ArrayRef::of(&x).ok_or_else(|| unsupported("shuffle()", span))?;
                self.shuffle_rows(&x, None)?;
                PyValue::None
            }
            RandomPermutation => {
                let (x, _) = arg("x").expect("required");
                let out = match (&x, ArrayRef::of(&x)) {
                    (_, Some(a)) => self.copy_array(&a, a.dtype, span),
                    (PyValue::Scalar(n, s), None) => {
                        let n = self.cast_real(*n, *s, Scalar::I64);
                        self.arange_i64(n, span)
                    }
                    _ => return Err(unsupported("permutation()", span)),
                };
                self.shuffle_rows(&out, None)?;
                out.value()
            }
            PyRandom => PyValue::Scalar(
                self.b.call_runtime(RuntimeFn::RandomDouble, &[st_py]),
                Scalar::F64,
            ),
            PyRandint => {
                let a = int(self, "a").expect("required");
                let b = int(self, "b").expect("required");
                let empty = self.b.icmp(IntCC::Slt, b, a);
                self.raise_if(
                    empty,
                    ExceptionKind::ValueError,
                    "empty range for randrange() ({}, {})",
                    span,
                    &[a, b],
                );
                PyValue::Scalar(
                    self.b
                        .call_runtime(RuntimeFn::RandomPyRandint, &[st_py, a, b]),
                    Scalar::I64,
                )
            }
            PyUniform => {
                let a = float(self, "a", 0.0);
                let b = float(self, "b", 1.0);
                let u = self.b.call_runtime(RuntimeFn::RandomDouble, &[st_py]);
                let range = self.b.binary(Op::Fsub, b, a);
                let scaled = self.b.binary(Op::Fmul, range, u);
                PyValue::Scalar(self.b.binary(Op::Fadd, a, scaled), Scalar::F64)
            }
            PyGauss => {
                let mu = float(self, "mu", 0.0);
                let sigma = float(self, "sigma", 1.0);
                let g = self
                    .b
                    .call_runtime(RuntimeFn::RandomGauss, &[st_py, which_py]);
                let scaled = self.b.binary(Op::Fmul, g, sigma);
                PyValue::Scalar(self.b.binary(Op::Fadd, mu, scaled), Scalar::F64)
            }
            RandomDist(d) => self.lower_random_dist(d, arg, size, span)?,
            RandomMultinomial | RandomDirichlet | RandomMultivariateNormal => {
                self.lower_vector_draw(f, arg, size, span)?
            }
            Generator(m) => self.lower_generator_call(m, arg, size, span)?,
            other => return Err(unsupported(format!("{}() here", other.name()), span)),
        })
    }

    /// The address of the thread's `np.random` (`NUMPY`) or `random` (`PYTHON`) generator,
    /// which every draw takes first.
    pub(super) fn rng_state(&mut self, which: i64) -> Value {
        let which = self.b.iconst(Ty::I64, which);
        self.b.call_runtime(RuntimeFn::RandomState, &[which])
    }

    fn check_non_negative(&mut self, v: Value, message: &str, span: Span) {
        let zero = self.b.fconst(Ty::F64, 0.0);
        let negative = self.b.fcmp(FloatCC::Lt, v, zero);
        self.raise_if(negative, ExceptionKind::ValueError, message, span, &[]);
    }

    /// One draw as a number, or (with `size`) an array of that shape filled with draws.
    pub(super) fn draws(
        &mut self,
        size: LoweredArg,
        element: Scalar,
        span: Span,
        draw: &mut dyn FnMut(&mut Self) -> Value,
    ) -> LResult<PyValue> {
        match size {
            None => Ok(PyValue::Scalar(draw(self), element)),
            Some((shape, _)) => {
                let shape = self.shape_values(&shape);
                self.fill_draws(&shape, element, span, draw)
            }
        }
    }

    fn fill_draws(
        &mut self,
        shape: &[Value],
        element: Scalar,
        span: Span,
        draw: &mut dyn FnMut(&mut Self) -> Value,
    ) -> LResult<PyValue> {
        let out = self.new_array(element, shape, false, span);
        let count = self.product(shape);
        let data = self.data_of(out.desc);
        let eight = self.b.iconst(Ty::I64, 8);
        self.counted_loop(count, &mut |this, i| {
            let v = draw(this);
            let offset = this.b.binary(Op::Imul, i, eight);
            let to = this.b.binary(Op::Iadd, data, offset);
            this.b.store(to, v, 0);
            Ok(())
        })?;
        Ok(out.value())
    }

    /// `np.arange(n)` as int64.
    pub(super) fn arange_i64(&mut self, n: Value, span: Span) -> ArrayRef {
        let out = self.new_array(Scalar::I64, &[n], false, span);
        let data = self.data_of(out.desc);
        let eight = self.b.iconst(Ty::I64, 8);
        let _ = self.counted_loop(n, &mut |this, i| {
            let offset = this.b.binary(Op::Imul, i, eight);
            let to = this.b.binary(Op::Iadd, data, offset);
            this.b.store(to, i, 0);
            Ok(())
        });
        out
    }

    /// NumPy's shuffle along the first axis: for `i` from `n - 1` down to 1, swap row `i`
    /// with row `random_interval(i)`, drawn from the `np.random` stream or (given its state's
    /// address) a `Generator`'s.
    pub(super) fn shuffle_rows(&mut self, x: &ArrayRef, generator: Option<Value>) -> LResult<()> {
        let shape = self.shape_of(x);
        let strides = self.strides_of(x);
        let data = self.data_of(x.desc);
        let n = shape[0];
        let one = self.b.iconst(Ty::I64, 1);
        let rest = shape[1..].to_vec();
        let dtype = x.dtype;
        let steps = self.b.binary(Op::Isub, n, one);
        self.counted_loop(steps, &mut |this, k| {
            // i = n - 1 - k
            let last = this.b.binary(Op::Isub, n, one);
            let i = this.b.binary(Op::Isub, last, k);
            let j = match generator {
                Some(g) => this.b.call_runtime(RuntimeFn::GenInterval, &[g, i]),
                None => {
                    let st = this.rng_state(NUMPY);
                    this.b.call_runtime(RuntimeFn::RandomInterval, &[st, i])
                }
            };
            let strides = strides.clone();
            this.for_each_index(&rest, &mut |this, inner| {
                let mut at_i = vec![i];
                at_i.extend_from_slice(inner);
                let mut at_j = vec![j];
                at_j.extend_from_slice(inner);
                let pi = this.address_at(data, &strides, &at_i);
                let pj = this.address_at(data, &strides, &at_j);
                let vi = this.load_scalar(pi, dtype);
                let vj = this.load_scalar(pj, dtype);
                this.store_scalar(pi, dtype, vj);
                this.store_scalar(pj, dtype, vi);
                Ok(())
            })
        })
    }

    /// `np.random.choice(a, size=None, replace=True, p=None)` (NumPy's legacy draws:
    /// `randint(0, n)` per element with replacement, the head of a permutation without; with
    /// `p`, the runtime's `choice_p`, which searches the cumulative probabilities as NumPy
    /// does).
    fn lower_choice(
        &mut self,
        a: PyValue,
        size: LoweredArg,
        replace: Option<PyValue>,
        p: Option<ArrayRef>,
        result_ty: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let array = ArrayRef::of(&a);
        let n = match (&a, &array) {
            (_, Some(arr)) => self.array_dim(arr.desc, 0),
            (PyValue::Scalar(v, s), None) => self.cast_real(*v, *s, Scalar::I64),
            _ => return Err(unsupported("choice()", span)),
        };
        let zero = self.b.iconst(Ty::I64, 0);
        let empty = self.b.icmp(IntCC::Sle, n, zero);
        let message = if array.is_some() {
            "'a' cannot be empty unless no samples are taken"
        } else {
            "'a' must be greater than 0 unless no samples are taken"
        };
        self.raise_if(empty, ExceptionKind::ValueError, message, span, &[]);
        let shape = match &size {
            Some((s, _)) => self.shape_values(s),
            None => vec![],
        };
        let count = self.product(&shape);
        let replace = match replace {
            Some(v) => self.truthy(&v),
            None => self.b.bconst(true),
        };
        // The chosen indices, in a new int64 array of `count` elements.
        let indices = self.new_array(Scalar::I64, &[count], false, span);
        let idx_data = self.data_of(indices.desc);
        if let Some(p) = p {
            self.choice_with_p(&p, n, count, replace, idx_data, span);
        } else {
            self.choice_uniform(n, count, replace, idx_data, span)?;
        }
        let element = match result_ty {
            Type::Array { dtype, .. } => *dtype,
            other => other.as_scalar().unwrap_or(Scalar::I64),
        };
        Ok(self.take_choices(
            array.as_ref(),
            element,
            idx_data,
            &shape,
            size.is_some(),
            span,
        ))
    }

    /// The result of a `choice` from its indices (`idx_data`, `int64`): the elements of
    /// `array` they pick (or the indices themselves when `a` was a number), one value
    /// without `size`, else an array of `shape`.
    pub(super) fn take_choices(
        &mut self,
        array: Option<&ArrayRef>,
        element: Scalar,
        idx_data: Value,
        shape: &[Value],
        sized: bool,
        span: Span,
    ) -> PyValue {
        let eight = self.b.iconst(Ty::I64, 8);
        let pick = |this: &mut Self, i: Value| -> PyValue {
            let offset = this.b.binary(Op::Imul, i, eight);
            let from = this.b.binary(Op::Iadd, idx_data, offset);
            let j = this.b.load(Ty::I64, from, 0, false);
            match array {
                Some(arr) => {
                    let strides = this.strides_of(arr);
                    let data = this.data_of(arr.desc);
                    let p = this.address_at(data, &strides, &[j]);
                    this.load_scalar(p, arr.dtype)
                }
                None => PyValue::Scalar(j, Scalar::I64),
            }
        };
        if !sized {
            let zero = self.b.iconst(Ty::I64, 0);
            return pick(self, zero);
        }
        let count = self.product(shape);
        let out = self.new_array(element, shape, false, span);
        let out_data = self.data_of(out.desc);
        let item = self.b.iconst(Ty::I64, element.size_bytes() as i64);
        let _ = self.counted_loop(count, &mut |this, i| {
            let v = pick(this, i);
            let offset = this.b.binary(Op::Imul, i, item);
            let to = this.b.binary(Op::Iadd, out_data, offset);
            this.store_scalar(to, element, v);
            Ok(())
        });
        out.value()
    }

    /// `choice` without `p`: `randint(0, n)` per index with replacement, the head of a
    /// permutation of `0..n` without.
    fn choice_uniform(
        &mut self,
        n: Value,
        count: Value,
        replace: Value,
        idx_data: Value,
        span: Span,
    ) -> LResult<()> {
        let zero = self.b.iconst(Ty::I64, 0);
        let eight = self.b.iconst(Ty::I64, 8);
        let without = self.b.ins(Op::Not, &[replace], Ty::Bool);
        let st = self.rng_state(NUMPY);
        self.when_true(replace, &mut |this| {
            let bounded = this.bounded_draw(st, zero, n);
            this.counted_loop(count, &mut |this, i| {
                let j = this.draw_bounded(&bounded);
                let offset = this.b.binary(Op::Imul, i, eight);
                let to = this.b.binary(Op::Iadd, idx_data, offset);
                this.b.store(to, j, 0);
                Ok(())
            })
        })?;
        self.when_true(without, &mut |this| {
            let too_many = this.b.icmp(IntCC::Sgt, count, n);
            this.raise_if(
                too_many,
                ExceptionKind::ValueError,
                "Cannot take a larger sample than population when 'replace=False'",
                span,
                &[],
            );
            let perm = this.arange_i64(n, span);
            this.shuffle_rows(&perm, None)?;
            let perm_data = this.data_of(perm.desc);
            this.counted_loop(count, &mut |this, i| {
                let offset = this.b.binary(Op::Imul, i, eight);
                let from = this.b.binary(Op::Iadd, perm_data, offset);
                let to = this.b.binary(Op::Iadd, idx_data, offset);
                let v = this.b.load(Ty::I64, from, 0, false);
                this.b.store(to, v, 0);
                Ok(())
            })
        })?;
        Ok(())
    }

    /// `choice` with probabilities: the runtime checks `p` and writes the indices; its status
    /// names NumPy's `ValueError`.
    fn choice_with_p(
        &mut self,
        p: &ArrayRef,
        n: Value,
        count: Value,
        replace: Value,
        idx_data: Value,
        span: Span,
    ) {
        use runtime::random_legacy as rl;
        let p_len = self.array_dim(p.desc, 0);
        let p64 = self.copy_array(p, Scalar::F64, span);
        let p_data = self.data_of(p64.desc);
        let one = self.b.iconst(Ty::I64, 1);
        let zero = self.b.iconst(Ty::I64, 0);
        let with = self.b.select(replace, one, zero);
        let float32 = self
            .b
            .iconst(Ty::I64, if p.dtype == Scalar::F32 { 2 } else { 0 });
        let flags = self.b.binary(Op::Iadd, with, float32);
        let status = self.b.call_runtime(
            RuntimeFn::RandomChoiceP,
            &[p_data, p_len, n, count, flags, idx_data],
        );
        for (code, message) in [
            (rl::CHOICE_SIZE_MISMATCH, "'a' and 'p' must have same size"),
            (rl::CHOICE_NAN, "probabilities contain NaN"),
            (rl::CHOICE_NEGATIVE, "probabilities are not non-negative"),
            (rl::CHOICE_NOT_ONE, "probabilities do not sum to 1"),
            (
                rl::CHOICE_TOO_MANY,
                "Cannot take a larger sample than population when 'replace=False'",
            ),
            (
                rl::CHOICE_FEW_NONZERO,
                "Fewer non-zero entries in p than size",
            ),
        ] {
            let code = self.b.iconst(Ty::I64, code);
            let failed = self.b.icmp(IntCC::Eq, status, code);
            self.raise_if(failed, ExceptionKind::ValueError, message, span, &[]);
        }
    }
}
