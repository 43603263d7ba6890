//! Lowering of `np.random.Generator` methods (typed in `typeinfer/src/infer/numpy_random.rs`):
//! the generator is the address of its PCG64 state (`runtime::random_gen`); doubles, normal
//! and exponential draws are made inline (`random_gen_inline.rs`), the others by runtime
//! calls on the state, and transformed as NumPy's Generator does (`loc + scale * z`,
//! `low + (high - low) * u`, Lemire-bounded integers), with NumPy's argument errors.

use super::array_fns::ArrayRef;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use frontend::Span;
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::Scalar;
use typeinfer::random_generator::GenMethod;

impl Lowerer<'_, '_> {
    /// `rng.<m>(...)`; `arg("rng")` is the generator.
    pub(crate) fn lower_generator_call(
        &mut self,
        m: GenMethod,
        arg: &dyn Fn(&str) -> LoweredArg,
        size: LoweredArg,
        span: Span,
    ) -> LResult<PyValue> {
        let g = match arg("rng") {
            Some((PyValue::Pointer(g, _), _)) => g,
            _ => return Err(unsupported(format!("Generator.{}() here", m.name()), span)),
        };
        let float = |this: &mut Self, name: &str, default: f64| match arg(name) {
            Some((PyValue::Scalar(v, s), _)) => this.cast_real(v, s, Scalar::F64),
            _ => this.b.fconst(Ty::F64, default),
        };
        Ok(match m {
            GenMethod::Random => {
                self.draws(size, Scalar::F64, span, &mut |this| this.gen_double(g))?
            }
            GenMethod::StandardNormal => {
                let tables = self.gen_tables();
                self.draws(size, Scalar::F64, span, &mut |this| {
                    this.gen_normal(g, tables)
                })?
            }
            GenMethod::StandardExponential => {
                let tables = self.gen_tables();
                self.draws(size, Scalar::F64, span, &mut |this| {
                    this.gen_exponential(g, tables)
                })?
            }
            GenMethod::Normal => {
                let loc = float(self, "loc", 0.0);
                let scale = float(self, "scale", 1.0);
                self.refuse_sign_bit(scale, "scale < 0", span);
                let tables = self.gen_tables();
                self.draws(size, Scalar::F64, span, &mut |this| {
                    let z = this.gen_normal(g, tables);
                    let scaled = this.b.binary(Op::Fmul, scale, z);
                    this.b.binary(Op::Fadd, loc, scaled)
                })?
            }
            GenMethod::Exponential => {
                let scale = float(self, "scale", 1.0);
                self.refuse_sign_bit(scale, "scale < 0", span);
                let tables = self.gen_tables();
                self.draws(size, Scalar::F64, span, &mut |this| {
                    let e = this.gen_exponential(g, tables);
                    this.b.binary(Op::Fmul, scale, e)
                })?
            }
            GenMethod::Uniform => {
                let low = float(self, "low", 0.0);
                let high = float(self, "high", 1.0);
                let range = self.b.binary(Op::Fsub, high, low);
                // `range - range` is 0 for a finite range and NaN otherwise.
                let diff = self.b.binary(Op::Fsub, range, range);
                let finite = self.b.fcmp(FloatCC::Eq, diff, diff);
                let overflow = self.b.ins(Op::Not, &[finite], Ty::Bool);
                let message = "high - low range exceeds valid bounds";
                self.raise_if(overflow, ExceptionKind::OverflowError, message, span, &[]);
                self.refuse_sign_bit(range, "high - low < 0", span);
                self.draws(size, Scalar::F64, span, &mut |this| {
                    let u = this.gen_double(g);
                    let scaled = this.b.binary(Op::Fmul, range, u);
                    this.b.binary(Op::Fadd, low, scaled)
                })?
            }
            GenMethod::Integers => self.generator_integers(g, arg, size, span)?,
            GenMethod::Permutation => {
                let (x, _) = arg("x").expect("required");
                let out = match (&x, ArrayRef::of(&x)) {
                    (_, Some(a)) => self.copy_array(&a, a.dtype, span),
                    (PyValue::Scalar(n, s), None) => {
                        let n = self.cast_real(*n, *s, Scalar::I64);
                        self.arange_i64(n, span)
                    }
                    _ => return Err(unsupported("Generator.permutation()", span)),
                };
                self.shuffle_rows(&out, Some(g))?;
                out.value()
            }
            GenMethod::Choice => self.generator_choice(g, arg, size, span)?,
            GenMethod::Shuffle => {
                let (x, _) = arg("x").expect("required");
                let x = ArrayRef::of(&x).ok_or_else(|| unsupported("Generator.shuffle()", span))?;
                self.shuffle_rows(&x, Some(g))?;
                PyValue::None
            }
        })
    }

    /// `rng.integers(low, high=None, size=None, endpoint=False)`: NumPy's closed range
    /// `[low, high - !endpoint]`, its errors, and one Lemire-bounded draw per element.
    fn generator_integers(
        &mut self,
        g: Value,
        arg: &dyn Fn(&str) -> LoweredArg,
        size: LoweredArg,
        span: Span,
    ) -> LResult<PyValue> {
        let int = |this: &mut Self, name: &str| match arg(name) {
            Some((PyValue::Scalar(v, s), _)) => Some(this.cast_real(v, s, Scalar::I64)),
            _ => None,
        };
        let first = int(self, "low").expect("required");
        let (low, high) = match int(self, "high") {
            Some(high) => (first, high),
            None => (self.b.iconst(Ty::I64, 0), first),
        };
        let closed = match arg("endpoint") {
            Some((v, _)) => self.truthy(&v),
            None => self.b.bconst(false),
        };
        let one = self.b.iconst(Ty::I64, 1);
        let zero = self.b.iconst(Ty::I64, 0);
        let minus = self.b.select(closed, zero, one);
        let last = self.b.binary(Op::Isub, high, minus);
        // With `high` exclusive, `high == i64::MIN` has no last value.
        let below_min = self.b.icmp(IntCC::Sgt, last, high);
        let message = "high is out of bounds for int64";
        self.raise_if(below_min, ExceptionKind::ValueError, message, span, &[]);
        let empty = self.b.icmp(IntCC::Sgt, low, last);
        let low_zero = self.b.icmp(IntCC::Eq, low, zero);
        let open = self.b.ins(Op::Not, &[closed], Ty::Bool);
        for (zero_low, is_closed, message) in [
            (true, false, "high <= 0"),
            (true, true, "high < 0"),
            (false, false, "low >= high"),
            (false, true, "low > high"),
        ] {
            let which_low = if zero_low {
                low_zero
            } else {
                self.b.ins(Op::Not, &[low_zero], Ty::Bool)
            };
            let which_end = if is_closed { closed } else { open };
            let case = self.b.ins(Op::And, &[which_low, which_end], Ty::Bool);
            let failed = self.b.ins(Op::And, &[empty, case], Ty::Bool);
            self.raise_if(failed, ExceptionKind::ValueError, message, span, &[]);
        }
        let rng = self.b.binary(Op::Isub, last, low);
        self.draws(size, Scalar::I64, span, &mut |this| {
            this.b.call_runtime(RuntimeFn::GenInteger, &[g, low, rng])
        })
    }

    /// `rng.choice(a, size=None)` with replacement: NumPy's `integers(0, n, size)` as indices.
    fn generator_choice(
        &mut self,
        g: Value,
        arg: &dyn Fn(&str) -> LoweredArg,
        size: LoweredArg,
        span: Span,
    ) -> LResult<PyValue> {
        let (a, _) = arg("a").expect("required");
        let array = ArrayRef::of(&a);
        let n = match (&a, &array) {
            (_, Some(arr)) => self.array_dim(arr.desc, 0),
            (PyValue::Scalar(v, s), None) => self.cast_real(*v, *s, Scalar::I64),
            _ => return Err(unsupported("Generator.choice()", span)),
        };
        let shape = match &size {
            Some((s, _)) => self.shape_values(s),
            None => vec![],
        };
        let count = self.product(&shape);
        let zero = self.b.iconst(Ty::I64, 0);
        let one = self.b.iconst(Ty::I64, 1);
        let empty = self.b.icmp(IntCC::Sle, n, zero);
        let drawing = self.b.icmp(IntCC::Ne, count, zero);
        let failed = self.b.ins(Op::And, &[empty, drawing], Ty::Bool);
        let message = if array.is_some() {
            "a cannot be empty unless no samples are taken"
        } else {
            "a must be a positive integer unless no samples are taken"
        };
        self.raise_if(failed, ExceptionKind::ValueError, message, span, &[]);
        let element = array.as_ref().map_or(Scalar::I64, |arr| arr.dtype);
        let replace = arg("replace").map(|(v, _)| v);
        let p = arg("p").and_then(|(v, _)| ArrayRef::of(&v));
        if replace.is_some() || p.is_some() {
            let idx = self.generator_choice_indices(g, n, count, replace, p, span);
            return Ok(self.take_choices(
                array.as_ref(),
                element,
                idx,
                &shape,
                size.is_some(),
                span,
            ));
        }
        let width = self.b.binary(Op::Isub, n, one);
        let pick = |this: &mut Self| -> PyValue {
            let j = this
                .b
                .call_runtime(RuntimeFn::GenInteger, &[g, zero, width]);
            match &array {
                Some(arr) => {
                    let strides = this.strides_of(arr);
                    let data = this.data_of(arr.desc);
                    let p = this.address_at(data, &strides, &[j]);
                    this.load_scalar(p, arr.dtype)
                }
                None => PyValue::Scalar(j, Scalar::I64),
            }
        };
        if size.is_none() {
            return Ok(pick(self));
        }
        let out = self.new_array(element, &shape, false, span);
        let out_data = self.data_of(out.desc);
        let item = self.b.iconst(Ty::I64, element.size_bytes() as i64);
        self.counted_loop(count, &mut |this, i| {
            let v = pick(this);
            let offset = this.b.binary(Op::Imul, i, item);
            let to = this.b.binary(Op::Iadd, out_data, offset);
            this.store_scalar(to, element, v);
            Ok(())
        })?;
        Ok(out.value())
    }

    /// `Generator.choice`'s `count` indices (into `0..n`) with `replace=` or `p=` given, in a
    /// new `int64` buffer: one runtime call (`runtime::random_gen_choice`), whose status
    /// becomes NumPy's `ValueError`.
    fn generator_choice_indices(
        &mut self,
        g: Value,
        n: Value,
        count: Value,
        replace: Option<PyValue>,
        p: Option<ArrayRef>,
        span: Span,
    ) -> Value {
        use runtime::random_gen_choice as gc;
        use runtime::random_legacy as rl;
        let idx = self.new_array(Scalar::I64, &[count], false, span);
        let idx_data = self.data_of(idx.desc);
        let replace = match replace {
            Some(v) => self.truthy(&v),
            None => self.b.bconst(true),
        };
        let with = self.b.iconst(Ty::I64, gc::GEN_CHOICE_REPLACE);
        let zero = self.b.iconst(Ty::I64, 0);
        let mut flags = self.b.select(replace, with, zero);
        let (p_data, p_len) = match &p {
            Some(p) => {
                let p_len = self.array_dim(p.desc, 0);
                let p64 = self.copy_array(p, Scalar::F64, span);
                let mut given = gc::GEN_CHOICE_HAS_P;
                if p.dtype == Scalar::F32 {
                    given |= gc::GEN_CHOICE_P_F32;
                }
                let given = self.b.iconst(Ty::I64, given);
                flags = self.b.binary(Op::Bor, flags, given);
                (self.data_of(p64.desc), p_len)
            }
            None => (zero, zero),
        };
        let status = self.b.call_runtime(
            RuntimeFn::GenChoice,
            &[g, p_data, p_len, n, count, flags, idx_data],
        );
        for (code, message) in [
            (rl::CHOICE_SIZE_MISMATCH, "a and p must have same size"),
            (rl::CHOICE_NAN, "Probabilities contain NaN"),
            (rl::CHOICE_NEGATIVE, "Probabilities are not non-negative"),
            (
                rl::CHOICE_NOT_ONE,
                "Probabilities do not sum to 1. See Notes section of docstring for more \
                 information.",
            ),
            (
                rl::CHOICE_TOO_MANY,
                "Cannot take a larger sample than population when replace is False",
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
        idx_data
    }

    /// NumPy's `CONS_NON_NEGATIVE`: raises when `v`'s sign bit is set (also for -0.0), not
    /// for NaN.
    fn refuse_sign_bit(&mut self, v: Value, message: &str, span: Span) {
        let bits = self.b.convert(Op::Bitcast, v, Ty::I64);
        let zero = self.b.iconst(Ty::I64, 0);
        let negative = self.b.icmp(IntCC::Slt, bits, zero);
        let number = self.b.fcmp(FloatCC::Eq, v, v);
        let failed = self.b.ins(Op::And, &[negative, number], Ty::Bool);
        self.raise_if(failed, ExceptionKind::ValueError, message, span, &[]);
    }
}
