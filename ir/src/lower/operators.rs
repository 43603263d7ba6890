//! Arithmetic, bitwise and comparison operators with Python's semantics on machine types:
//! floor division and modulo take the divisor's sign, division by zero raises, complex
//! multiplication and division follow CPython's formulas so results match bit for bit.

use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{BinOp, CmpOp, Expr};
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::{Scalar, Type};

impl Lowerer<'_, '_> {
    /// `l op r` for values of types `lt` and `rt`.
    pub(crate) fn binary_op(
        &mut self,
        op: BinOp,
        l: PyValue,
        lt: &Type,
        r: PyValue,
        rt: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        if let (BinOp::Add, PyValue::Tuple(a), PyValue::Tuple(b)) = (op, &l, &r) {
            return Ok(PyValue::Tuple(a.iter().chain(b).cloned().collect()));
        }
        if *lt == Type::Str && *rt == Type::Str {
            return self.concat_strings(&l, &r, span);
        }
        if matches!(l, PyValue::List(..)) || matches!(r, PyValue::List(..)) {
            return self.list_binary_op(op, l, lt, r, rt, span);
        }
        if let (
            PyValue::Dict(a, _),
            PyValue::Dict(b, _),
            Type::Set { item: x },
            Type::Set { item: y },
        ) = (&l, &r, lt, rt)
        {
            let item = match (&**x, &**y) {
                (Type::Unknown, t) | (t, Type::Unknown) => t.clone(),
                _ => typeinfer::rules::unify(x, y).unwrap_or_else(|| (**x).clone()),
            };
            let result = Type::Set {
                item: Box::new(item),
            };
            return self.set_binary_op(op, (*a, lt), (*b, rt), &result, span);
        }
        let (Some(ls), Some(rs)) = (lt.as_scalar(), rt.as_scalar()) else {
            return Err(unsupported(
                format!(
                    "unsupported operand types for {}: {lt} and {rt}",
                    op.symbol()
                ),
                span,
            ));
        };
        let typing = typeinfer::rules::binop(op, ls, rs).map_err(|m| unsupported(m, span))?;
        let l = self.coerce(l, &Type::Scalar(typing.operands[0]));
        let r = self.coerce(r, &Type::Scalar(typing.operands[1]));
        let result = typing.result;
        let value = match (l, r) {
            (PyValue::Complex(a, b, s), PyValue::Complex(c, d, _)) => {
                self.complex_binop(op, (a, b), (c, d), s, span)?
            }
            (PyValue::Scalar(a, s), PyValue::Scalar(b, s2)) if s.is_float() && s2.is_float() => {
                self.float_binop(op, a, b, s, span)?
            }
            (PyValue::Scalar(a, s), PyValue::Scalar(b, s2)) if s.is_float() && s2.is_int() => {
                // `float ** int`: CPython computes pow(x, float(n)); so do we, for equal results.
                let b = self.cast_real(b, s2, s);
                self.float_binop(op, a, b, s, span)?
            }
            (PyValue::Scalar(a, s), PyValue::Scalar(b, _)) if s.is_bool() => {
                self.bool_binop(op, a, b, span)?
            }
            (PyValue::Scalar(a, s), PyValue::Scalar(b, _)) => self.int_binop(op, a, b, s, span)?,
            _ => {
                return Err(unsupported(
                    format!(
                        "unsupported operand types for {}: {lt} and {rt}",
                        op.symbol()
                    ),
                    span,
                ));
            }
        };
        Ok(self.coerce(value, &Type::Scalar(result)))
    }

    fn int_binop(
        &mut self,
        op: BinOp,
        a: Value,
        b: Value,
        s: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        let signed = s.is_signed_int();
        let ty = self.b.ty(a);
        let v = match op {
            BinOp::Add => self.b.binary(Op::Iadd, a, b),
            BinOp::Sub => self.b.binary(Op::Isub, a, b),
            BinOp::Mult => self.b.binary(Op::Imul, a, b),
            BinOp::BitAnd => self.b.binary(Op::Band, a, b),
            BinOp::BitOr => self.b.binary(Op::Bor, a, b),
            BinOp::BitXor => self.b.binary(Op::Bxor, a, b),
            BinOp::FloorDiv | BinOp::Mod => {
                let zero = self.b.iconst(ty, 0);
                let is_zero = self.b.icmp(IntCC::Eq, b, zero);
                self.raise_if(
                    is_zero,
                    ExceptionKind::ZeroDivisionError,
                    "integer division or modulo by zero",
                    span,
                    &[],
                );
                let (q, r) = if signed {
                    self.python_sdivmod(a, b)
                } else {
                    (self.b.binary(Op::Udiv, a, b), self.b.binary(Op::Urem, a, b))
                };
                if op == BinOp::FloorDiv { q } else { r }
            }
            BinOp::LShift | BinOp::RShift => self.shift(op, a, b, s, span),
            BinOp::Pow => {
                let a64 = self.cast_real(a, s, Scalar::I64);
                let b64 = self.cast_real(b, s, Scalar::I64);
                if signed {
                    let zero = self.b.iconst(Ty::I64, 0);
                    let negative = self.b.icmp(IntCC::Slt, b64, zero);
                    self.raise_if(
                        negative,
                        ExceptionKind::ValueError,
                        "integer to a negative integer power: use a float base (ferrojit keeps int ** int an integer, like Numba)",
                        span,
                        &[],
                    );
                }
                let p = self.b.call_runtime(RuntimeFn::IntPow, &[a64, b64]);
                self.cast_real(p, Scalar::I64, s)
            }
            BinOp::Div | BinOp::MatMult => {
                return Err(unsupported(
                    format!("operator {} on integers", op.symbol()),
                    span,
                ));
            }
        };
        Ok(PyValue::Scalar(v, s))
    }

    /// Python's floor division and modulo on signed integers (wrapping for MIN // -1).
    pub(crate) fn python_sdivmod(&mut self, a: Value, b: Value) -> (Value, Value) {
        let ty = self.b.ty(a);
        if let Some(c) = self.b.const_int(b).filter(|&c| c != 0) {
            return self.python_sdivmod_by_constant(a, b, c);
        }
        // x86 traps on MIN / -1; divide by 1 instead and negate, which wraps like Numba.
        let minus_one = self.b.iconst(ty, -1);
        let one = self.b.iconst(ty, 1);
        let is_minus_one = self.b.icmp(IntCC::Eq, b, minus_one);
        let safe_b = self.b.select(is_minus_one, one, b);
        let q0 = self.b.binary(Op::Sdiv, a, safe_b);
        let negated = self.b.unary(Op::Ineg, a);
        let q0 = self.b.select(is_minus_one, negated, q0);
        // `a % 1` is 0, the remainder by -1: no select on the result (it would sit on the
        // critical path of `x, y = y, x % y`).
        let r0 = self.b.binary(Op::Srem, a, safe_b);
        let zero = self.b.iconst(ty, 0);
        // If the remainder is nonzero and its sign differs from the divisor's, adjust.
        let r_nonzero = self.b.icmp(IntCC::Ne, r0, zero);
        let x = self.b.binary(Op::Bxor, r0, b);
        let signs_differ = self.b.icmp(IntCC::Slt, x, zero);
        let adjust = self.b.ins(Op::And, &[r_nonzero, signs_differ], Ty::Bool);
        let q_minus = self.b.binary(Op::Isub, q0, one);
        let r_plus = self.b.binary(Op::Iadd, r0, b);
        let q = self.b.select(adjust, q_minus, q0);
        let r = self.b.select(adjust, r_plus, r0);
        (q, r)
    }

    /// Floor division and modulo by a nonzero constant `c` (the value `b`), branch-free and
    /// with no signed division at all. A positive power of two is an arithmetic shift (which
    /// rounds toward minus infinity, as `//` does) and a mask (two's complement makes
    /// `a & (c - 1)` the non-negative remainder). Any other positive `c` divides unsigned:
    /// with `s = a >> (w - 1)` (0, or all ones when `a < 0`), `a // c == s ^ ((a ^ s) / c)`,
    /// since for negative `a`, `floor(a / c) == ~floor(~a / c)` and `~a >= 0`. A negative `c`
    /// is the same with `-a` (exact as an unsigned value, even for MIN) and `s` all ones when
    /// `a > 0`: `a // c == floor(-a / |c|) == s ^ (((-a) ^ s) / |c|)`. The remainder is
    /// `a - q * c`. The `strength` pass turns the unsigned division into a multiplication;
    /// `index_range` turns `s` into 0 where `a` is known non-negative (`while x > 0:`).
    fn python_sdivmod_by_constant(&mut self, a: Value, b: Value, c: i64) -> (Value, Value) {
        let ty = self.b.ty(a);
        let width = ty.bits();
        if c == -1 {
            // Wraps for MIN // -1, as the general path does.
            return (self.b.unary(Op::Ineg, a), self.b.iconst(ty, 0));
        }
        if c > 0 && c.count_ones() == 1 {
            let k = self.b.iconst(ty, c.trailing_zeros() as i64);
            let q = self.b.binary(Op::Sshr, a, k);
            let mask = self.b.iconst(ty, c - 1);
            let r = self.b.binary(Op::Band, a, mask);
            return (q, r);
        }
        let (s, dividend) = if c > 0 {
            let shift = self.b.iconst(ty, i64::from(width) - 1);
            (self.b.binary(Op::Sshr, a, shift), a)
        } else {
            let zero = self.b.iconst(ty, 0);
            let minus_one = self.b.iconst(ty, -1);
            let positive = self.b.icmp(IntCC::Sgt, a, zero);
            let s = self.b.select(positive, minus_one, zero);
            (s, self.b.unary(Op::Ineg, a))
        };
        // |c| as an unsigned value of the type's width (2^(w-1) for MIN), stored sign-extended.
        let magnitude = c.unsigned_abs();
        let magnitude = ((magnitude << (64 - width)) as i64) >> (64 - width);
        let divisor = self.b.iconst(ty, magnitude);
        let t = self.b.binary(Op::Bxor, dividend, s);
        let u = self.b.binary(Op::Udiv, t, divisor);
        let q = self.b.binary(Op::Bxor, u, s);
        let back = self.b.binary(Op::Imul, q, b);
        let r = self.b.binary(Op::Isub, a, back);
        (q, r)
    }

    /// `<<` and `>>`: a negative count raises ValueError; counts ≥ the width give 0 (or the sign
    /// for arithmetic right shifts) instead of the hardware's modulo behaviour.
    fn shift(&mut self, op: BinOp, a: Value, b: Value, s: Scalar, span: Span) -> Value {
        let ty = self.b.ty(a);
        let zero = self.b.iconst(ty, 0);
        if s.is_signed_int() {
            let negative = self.b.icmp(IntCC::Slt, b, zero);
            self.raise_if(
                negative,
                ExceptionKind::ValueError,
                "negative shift count",
                span,
                &[],
            );
        }
        let width = self.b.iconst(ty, ty.bits() as i64);
        let too_far = self.b.icmp(IntCC::Uge, b, width);
        let max_shift = self.b.iconst(ty, ty.bits() as i64 - 1);
        match op {
            BinOp::LShift => {
                let shifted = self.b.binary(Op::Ishl, a, b);
                self.b.select(too_far, zero, shifted)
            }
            _ if s.is_signed_int() => {
                let count = self.b.select(too_far, max_shift, b);
                self.b.binary(Op::Sshr, a, count)
            }
            _ => {
                let shifted = self.b.binary(Op::Ushr, a, b);
                self.b.select(too_far, zero, shifted)
            }
        }
    }

    fn bool_binop(&mut self, op: BinOp, a: Value, b: Value, span: Span) -> LResult<PyValue> {
        let v = match op {
            BinOp::BitAnd => self.b.ins(Op::And, &[a, b], Ty::Bool),
            BinOp::BitOr => self.b.ins(Op::Or, &[a, b], Ty::Bool),
            BinOp::BitXor => self.bool_ne(a, b),
            _ => {
                return Err(unsupported(
                    format!("operator {} on booleans", op.symbol()),
                    span,
                ));
            }
        };
        Ok(PyValue::Scalar(v, Scalar::Bool))
    }

    pub(crate) fn bool_ne(&mut self, a: Value, b: Value) -> Value {
        let a = self.b.convert(Op::Uext, a, Ty::I8);
        let b = self.b.convert(Op::Uext, b, Ty::I8);
        self.b.icmp(IntCC::Ne, a, b)
    }

    fn float_binop(
        &mut self,
        op: BinOp,
        a: Value,
        b: Value,
        s: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        let v = match op {
            BinOp::Add => self.b.binary(Op::Fadd, a, b),
            BinOp::Sub => self.b.binary(Op::Fsub, a, b),
            BinOp::Mult => self.b.binary(Op::Fmul, a, b),
            BinOp::Div => {
                self.check_float_divisor(b, "float division by zero", span);
                self.b.binary(Op::Fdiv, a, b)
            }
            BinOp::FloorDiv | BinOp::Mod => {
                let message = if op == BinOp::Mod {
                    "float modulo"
                } else {
                    "float floor division by zero"
                };
                self.check_float_divisor(b, message, span);
                let (q, r) = self.python_float_divmod(a, b, s);
                if op == BinOp::FloorDiv { q } else { r }
            }
            // `x ** 2` is the product: the correctly rounded square, as NumPy's `a ** 2` (its
            // `square` loop) and Numba's LLVM compute it; a loop of it then vectorizes.
            BinOp::Pow if self.float_constant(b) == Some(2.0) => self.b.binary(Op::Fmul, a, a),
            BinOp::Pow => {
                if !self.ctx.numpy_error_model && !self.in_array_expression {
                    // Python: `0.0 ** -1.0` raises; C's pow (and NumPy) give inf.
                    let zero = self.b.fconst(self.b.ty(b), 0.0);
                    let zero_base = self.b.fcmp(FloatCC::Eq, a, zero);
                    let negative = self.b.fcmp(FloatCC::Lt, b, zero);
                    let no = self.b.bconst(false);
                    let both = self.b.select(zero_base, negative, no);
                    self.raise_if(
                        both,
                        ExceptionKind::ZeroDivisionError,
                        "0.0 cannot be raised to a negative power",
                        span,
                        &[],
                    );
                }
                let f = if s == Scalar::F32 {
                    RuntimeFn::PowF32
                } else {
                    RuntimeFn::Pow
                };
                self.b.call_runtime(f, &[a, b])
            }
            _ => {
                return Err(unsupported(
                    format!("operator {} on floats", op.symbol()),
                    span,
                ));
            }
        };
        Ok(PyValue::Scalar(v, s))
    }

    /// The value of a float constant, or of an integer constant converted to a float.
    fn float_constant(&self, v: Value) -> Option<f64> {
        let crate::ValueDef::Result(inst, 0) = self.b.func.value_def(v) else {
            return None;
        };
        let data = self.b.func.inst(inst);
        match data.op {
            Op::Fconst(c) => Some(c),
            Op::SToF => self.b.const_int(data.args[0]).map(|c| c as f64),
            _ => None,
        }
    }

    fn check_float_divisor(&mut self, b: Value, message: &str, span: Span) {
        if self.ctx.numpy_error_model || self.in_array_expression {
            return;
        }
        let zero = self.b.fconst(self.b.ty(b), 0.0);
        let is_zero = self.b.fcmp(FloatCC::Eq, b, zero);
        self.raise_if(
            is_zero,
            ExceptionKind::ZeroDivisionError,
            message,
            span,
            &[],
        );
    }

    /// CPython's `float_divmod`, branch-free. Computed in f64 (f32 operands are widened).
    fn python_float_divmod(&mut self, x: Value, y: Value, s: Scalar) -> (Value, Value) {
        let (x, y) = (
            self.cast_real(x, s, Scalar::F64),
            self.cast_real(y, s, Scalar::F64),
        );
        let zero = self.b.fconst(Ty::F64, 0.0);
        let one = self.b.fconst(Ty::F64, 1.0);
        let half = self.b.fconst(Ty::F64, 0.5);
        let m0 = self.b.call_runtime(RuntimeFn::Fmod, &[x, y]);
        let x_minus_m = self.b.binary(Op::Fsub, x, m0);
        let d0 = self.b.binary(Op::Fdiv, x_minus_m, y);
        let m_nonzero = self.b.fcmp(FloatCC::Ne, m0, zero);
        let y_neg = self.b.fcmp(FloatCC::Lt, y, zero);
        let m_neg = self.b.fcmp(FloatCC::Lt, m0, zero);
        let signs_differ = self.bool_ne(y_neg, m_neg);
        let adjust = self.b.ins(Op::And, &[m_nonzero, signs_differ], Ty::Bool);
        let m_adj = self.b.binary(Op::Fadd, m0, y);
        let d_adj = self.b.binary(Op::Fsub, d0, one);
        let m1 = self.b.select(adjust, m_adj, m0);
        let d1 = self.b.select(adjust, d_adj, d0);
        let signed_zero_y = self.b.binary(Op::Copysign, zero, y);
        let m = self.b.select(m_nonzero, m1, signed_zero_y);
        let fl = self.b.unary(Op::Floor, d1);
        let frac = self.b.binary(Op::Fsub, d1, fl);
        let round_up = self.b.fcmp(FloatCC::Gt, frac, half);
        let fl_up = self.b.binary(Op::Fadd, fl, one);
        let fl = self.b.select(round_up, fl_up, fl);
        let d_nonzero = self.b.fcmp(FloatCC::Ne, d1, zero);
        let x_over_y = self.b.binary(Op::Fdiv, x, y);
        let signed_zero_q = self.b.binary(Op::Copysign, zero, x_over_y);
        let q = self.b.select(d_nonzero, fl, signed_zero_q);
        (
            self.cast_real(q, Scalar::F64, s),
            self.cast_real(m, Scalar::F64, s),
        )
    }

    fn complex_binop(
        &mut self,
        op: BinOp,
        (a, b): (Value, Value),
        (c, d): (Value, Value),
        s: Scalar,
        span: Span,
    ) -> LResult<PyValue> {
        let (re, im) = match op {
            BinOp::Add => (self.b.binary(Op::Fadd, a, c), self.b.binary(Op::Fadd, b, d)),
            BinOp::Sub => (self.b.binary(Op::Fsub, a, c), self.b.binary(Op::Fsub, b, d)),
            // NumPy's array loops multiply with fused multiply-adds (`fmaddsub`: the real part
            // `fma(a, c, -(b*d))`, the imaginary `fma(a, d, b*c)`), CPython's numbers without.
            BinOp::Mult if self.in_array_expression => {
                let ty = self.b.ty(a);
                let bd = self.b.binary(Op::Fmul, b, d);
                let minus_bd = self.b.unary(Op::Fneg, bd);
                let bc = self.b.binary(Op::Fmul, b, c);
                (
                    self.b.ins(Op::Fma, &[a, c, minus_bd], ty),
                    self.b.ins(Op::Fma, &[a, d, bc], ty),
                )
            }
            BinOp::Mult => {
                let ac = self.b.binary(Op::Fmul, a, c);
                let bd = self.b.binary(Op::Fmul, b, d);
                let ad = self.b.binary(Op::Fmul, a, d);
                let bc = self.b.binary(Op::Fmul, b, c);
                (
                    self.b.binary(Op::Fsub, ac, bd),
                    self.b.binary(Op::Fadd, ad, bc),
                )
            }
            BinOp::Div => self.complex_div((a, b), (c, d), s, span),
            _ => {
                return Err(unsupported(
                    format!(
                        "operator {} on complex numbers is not supported yet",
                        op.symbol()
                    ),
                    span,
                ));
            }
        };
        Ok(PyValue::Complex(re, im, s))
    }

    /// CPython's `_Py_c_quot` (Smith's method), branch-free; NumPy's formula in array
    /// expressions and for `complex64` numbers (always NumPy scalars, whose division is its
    /// array loop's).
    fn complex_div(
        &mut self,
        (a, b): (Value, Value),
        (c, d): (Value, Value),
        s: Scalar,
        span: Span,
    ) -> (Value, Value) {
        let ty = self.b.ty(a);
        let zero = self.b.fconst(ty, 0.0);
        if !(self.ctx.numpy_error_model || self.in_array_expression) {
            let c_zero = self.b.fcmp(FloatCC::Eq, c, zero);
            let d_zero = self.b.fcmp(FloatCC::Eq, d, zero);
            let both = self.b.ins(Op::And, &[c_zero, d_zero], Ty::Bool);
            self.raise_if(
                both,
                ExceptionKind::ZeroDivisionError,
                "complex division by zero",
                span,
                &[],
            );
        }
        let abs_c = self.b.unary(Op::Fabs, c);
        let abs_d = self.b.unary(Op::Fabs, d);
        if self.in_array_expression || s == Scalar::C64 {
            return self.numpy_complex_div((a, b), (c, d), (abs_c, abs_d));
        }
        // Case 1: |c| >= |d|.
        let ratio1 = self.b.binary(Op::Fdiv, d, c);
        let t = self.b.binary(Op::Fmul, d, ratio1);
        let denom1 = self.b.binary(Op::Fadd, c, t);
        let t = self.b.binary(Op::Fmul, b, ratio1);
        let n = self.b.binary(Op::Fadd, a, t);
        let re1 = self.b.binary(Op::Fdiv, n, denom1);
        let t = self.b.binary(Op::Fmul, a, ratio1);
        let n = self.b.binary(Op::Fsub, b, t);
        let im1 = self.b.binary(Op::Fdiv, n, denom1);
        // Case 2: |d| >= |c|.
        let ratio2 = self.b.binary(Op::Fdiv, c, d);
        let t = self.b.binary(Op::Fmul, c, ratio2);
        let denom2 = self.b.binary(Op::Fadd, t, d);
        let t = self.b.binary(Op::Fmul, a, ratio2);
        let n = self.b.binary(Op::Fadd, t, b);
        let re2 = self.b.binary(Op::Fdiv, n, denom2);
        let t = self.b.binary(Op::Fmul, b, ratio2);
        let n = self.b.binary(Op::Fsub, t, a);
        let im2 = self.b.binary(Op::Fdiv, n, denom2);
        // Otherwise a NaN is involved.
        let nan = self.b.fconst(ty, f64::NAN);
        let case1 = self.b.fcmp(FloatCC::Ge, abs_c, abs_d);
        let case2 = self.b.fcmp(FloatCC::Ge, abs_d, abs_c);
        let re = self.b.select(case2, re2, nan);
        let im = self.b.select(case2, im2, nan);
        (self.b.select(case1, re1, re), self.b.select(case1, im1, im))
    }

    /// NumPy's array division (its loop's Smith's method, with a reciprocal of the
    /// denominator): `|c| >= |d|`: `r = d/c`, `s = 1/(c + d*r)`, `((a + b*r)*s, (b - a*r)*s)`,
    /// or `(a/|c|, b/|c|)` when both parts of the divisor are zero; else `r = c/d`,
    /// `s = 1/(d + c*r)`, `((a*r + b)*s, (b*r - a)*s)`.
    fn numpy_complex_div(
        &mut self,
        (a, b): (Value, Value),
        (c, d): (Value, Value),
        (abs_c, abs_d): (Value, Value),
    ) -> (Value, Value) {
        let ty = self.b.ty(a);
        let zero = self.b.fconst(ty, 0.0);
        let one = self.b.fconst(ty, 1.0);
        let fmul = |b: &mut crate::builder::Builder, x, y| b.binary(Op::Fmul, x, y);
        // |c| >= |d|, c and d not both zero.
        let r1 = self.b.binary(Op::Fdiv, d, c);
        let t = fmul(&mut self.b, d, r1);
        let t = self.b.binary(Op::Fadd, c, t);
        let s1 = self.b.binary(Op::Fdiv, one, t);
        let t = fmul(&mut self.b, b, r1);
        let t = self.b.binary(Op::Fadd, a, t);
        let re1 = fmul(&mut self.b, t, s1);
        let t = fmul(&mut self.b, a, r1);
        let t = self.b.binary(Op::Fsub, b, t);
        let im1 = fmul(&mut self.b, t, s1);
        // Both zero.
        let re0 = self.b.binary(Op::Fdiv, a, abs_c);
        let im0 = self.b.binary(Op::Fdiv, b, abs_c);
        // |c| < |d| (or a NaN).
        let r2 = self.b.binary(Op::Fdiv, c, d);
        let t = fmul(&mut self.b, c, r2);
        let t = self.b.binary(Op::Fadd, d, t);
        let s2 = self.b.binary(Op::Fdiv, one, t);
        let t = fmul(&mut self.b, a, r2);
        let t = self.b.binary(Op::Fadd, t, b);
        let re2 = fmul(&mut self.b, t, s2);
        let t = fmul(&mut self.b, b, r2);
        let t = self.b.binary(Op::Fsub, t, a);
        let im2 = fmul(&mut self.b, t, s2);
        let first = self.b.fcmp(FloatCC::Ge, abs_c, abs_d);
        let c_zero = self.b.fcmp(FloatCC::Eq, abs_c, zero);
        let d_zero = self.b.fcmp(FloatCC::Eq, abs_d, zero);
        let both_zero = self.b.binary(Op::And, c_zero, d_zero);
        let re = self.b.select(both_zero, re0, re1);
        let im = self.b.select(both_zero, im0, im1);
        (self.b.select(first, re, re2), self.b.select(first, im, im2))
    }

    /// A chain `a < b <= c`: evaluated left to right, stopping at the first false comparison.
    pub(crate) fn lower_compare(
        &mut self,
        left: &Expr,
        ops: &[CmpOp],
        comparators: &[Expr],
    ) -> LResult<PyValue> {
        let mut lhs = self.lower_expr(left)?;
        let mut lhs_ty = self.type_of(left)?;
        if ops.len() == 1 {
            let rhs = self.lower_expr(&comparators[0])?;
            let rhs_ty = self.type_of(&comparators[0])?;
            let v = self.compare(ops[0], lhs, &lhs_ty, rhs, &rhs_ty, comparators[0].span)?;
            return Ok(PyValue::Scalar(v, Scalar::Bool));
        }
        if self.is_cheap_and_pure(left) && comparators.iter().all(|c| self.is_cheap_and_pure(c)) {
            // `lo <= x < hi` of numbers: both tests, no branch (see `is_cheap_and_pure`).
            let mut all = None;
            for (op, comparator) in ops.iter().zip(comparators) {
                let rhs = self.lower_expr(comparator)?;
                let rhs_ty = self.type_of(comparator)?;
                let v = self.compare(*op, lhs, &lhs_ty, rhs.clone(), &rhs_ty, comparator.span)?;
                all = Some(match all {
                    None => v,
                    Some(a) => self.b.ins(Op::And, &[a, v], Ty::Bool),
                });
                lhs = rhs;
                lhs_ty = rhs_ty;
            }
            return Ok(PyValue::Scalar(
                all.expect("two comparisons or more"),
                Scalar::Bool,
            ));
        }
        let merge = self.create_block();
        let result = self.b.append_block_param(merge, Ty::Bool);
        for (i, (op, comparator)) in ops.iter().zip(comparators).enumerate() {
            let rhs = self.lower_expr(comparator)?;
            let rhs_ty = self.type_of(comparator)?;
            let v = self.compare(*op, lhs, &lhs_ty, rhs.clone(), &rhs_ty, comparator.span)?;
            if i + 1 == ops.len() {
                self.jump(merge, &[v]);
                break;
            }
            let next = self.create_block();
            let from = self.current_block();
            self.b.brif(v, next, &[], merge, &[v]);
            self.ssa.add_pred(next, from);
            self.ssa.add_pred(merge, from);
            self.seal(next);
            self.switch_to(next);
            lhs = rhs;
            lhs_ty = rhs_ty;
        }
        self.seal(merge);
        self.switch_to(merge);
        Ok(PyValue::Scalar(result, Scalar::Bool))
    }

    pub(crate) fn compare(
        &mut self,
        op: CmpOp,
        l: PyValue,
        lt: &Type,
        r: PyValue,
        rt: &Type,
        span: Span,
    ) -> LResult<Value> {
        if *lt == Type::Str && *rt == Type::Str {
            return self.compare_strings(op, &l, &r, span);
        }
        if matches!(op, CmpOp::In | CmpOp::NotIn)
            && matches!(r, PyValue::Tuple(_))
            && *lt != Type::Str
        {
            return self.membership(op, l, lt, r, rt, span);
        }
        if matches!(op, CmpOp::In | CmpOp::NotIn) {
            let found = self.lower_membership(l, lt, r, rt, span)?;
            return Ok(match op {
                CmpOp::In => found,
                _ => self.b.ins(Op::Not, &[found], Ty::Bool),
            });
        }
        if matches!(op, CmpOp::Is | CmpOp::IsNot)
            && let Some(is) = self.optional_identity(&l, &r)
        {
            return Ok(match op {
                CmpOp::Is => is,
                _ => self.b.ins(Op::Not, &[is], Ty::Bool),
            });
        }
        if matches!(op, CmpOp::Is | CmpOp::IsNot) {
            let same = matches!((lt, rt), (Type::NoneType, Type::NoneType));
            return Ok(self.b.bconst(same == (op == CmpOp::Is)));
        }
        if let (PyValue::Tuple(a), Type::Tuple(at), PyValue::Tuple(b), Type::Tuple(bt)) =
            (&l, lt, &r, rt)
        {
            return self.compare_tuples(op, (a, at), (b, bt), span);
        }
        let (Some(ls), Some(rs)) = (lt.as_scalar(), rt.as_scalar()) else {
            return Err(unsupported(
                format!("cannot compare {lt} {} {rt}", op.symbol()),
                span,
            ));
        };
        let typing = typeinfer::rules::compare(op, ls, rs).map_err(|m| unsupported(m, span))?;
        if ls.is_int() && rs.is_int() && typing.operands[0].is_float() {
            return Ok(self.compare_mixed_sign(op, l, ls, r, rs));
        }
        let mut operands = typing.operands;
        // A float32 compared with a constant that float32 holds exactly (`v < 0`, `x > 0.5`)
        // compares in float32: widening both is exact, so the answer is the same, and a
        // float32 loop keeps float32 lanes.
        let exact_f32 = |this: &Self, v: &PyValue| match v {
            PyValue::Scalar(x, _) => this
                .float_constant(*x)
                .or_else(|| this.b.const_int(*x).map(|c| c as f64))
                .is_some_and(|c| f64::from(c as f32) == c),
            _ => false,
        };
        if operands[..] == [Scalar::F64, Scalar::F64]
            && ((ls == Scalar::F32 && exact_f32(self, &r))
                || (rs == Scalar::F32 && exact_f32(self, &l)))
        {
            operands = vec![Scalar::F32, Scalar::F32];
        }
        let l = self.coerce(l, &Type::Scalar(operands[0]));
        let r = self.coerce(r, &Type::Scalar(operands[1]));
        Ok(match (l, r) {
            (PyValue::Complex(a, b, _), PyValue::Complex(c, d, _)) => {
                let re = self.b.fcmp(FloatCC::Eq, a, c);
                let im = self.b.fcmp(FloatCC::Eq, b, d);
                let eq = self.b.ins(Op::And, &[re, im], Ty::Bool);
                match op {
                    CmpOp::Eq => eq,
                    CmpOp::NotEq => self.b.ins(Op::Not, &[eq], Ty::Bool),
                    _ => return Err(unsupported("complex numbers are not ordered", span)),
                }
            }
            (PyValue::Scalar(a, s), PyValue::Scalar(b, _)) if s.is_float() => {
                let cc = match op {
                    CmpOp::Eq => FloatCC::Eq,
                    CmpOp::NotEq => FloatCC::Ne,
                    CmpOp::Lt => FloatCC::Lt,
                    CmpOp::LtE => FloatCC::Le,
                    CmpOp::Gt => FloatCC::Gt,
                    _ => FloatCC::Ge,
                };
                self.b.fcmp(cc, a, b)
            }
            (PyValue::Scalar(a, s), PyValue::Scalar(b, _)) => {
                let (a, b, s) = if s.is_bool() {
                    (
                        self.b.convert(Op::Uext, a, Ty::I8),
                        self.b.convert(Op::Uext, b, Ty::I8),
                        Scalar::U8,
                    )
                } else {
                    (a, b, s)
                };
                let cc = match op {
                    CmpOp::Eq => IntCC::Eq,
                    CmpOp::NotEq => IntCC::Ne,
                    CmpOp::Lt => IntCC::Slt,
                    CmpOp::LtE => IntCC::Sle,
                    CmpOp::Gt => IntCC::Sgt,
                    _ => IntCC::Sge,
                };
                self.int_cmp(cc, a, b, s)
            }
            _ => {
                return Err(unsupported(
                    format!("cannot compare {lt} {} {rt}", op.symbol()),
                    span,
                ));
            }
        })
    }

    /// An exact comparison of a signed and an unsigned integer that have no common integer
    /// type (`u64` with a signed one): they promote to `f8`, which would round both, but
    /// Python and NumPy compare the exact values. A negative signed operand is below every
    /// unsigned one; otherwise both compare as `u64`.
    fn compare_mixed_sign(
        &mut self,
        op: CmpOp,
        l: PyValue,
        ls: Scalar,
        r: PyValue,
        rs: Scalar,
    ) -> Value {
        let wide = |s: Scalar| {
            if s.is_signed_int() {
                Scalar::I64
            } else {
                Scalar::U64
            }
        };
        let l = self.coerce(l, &Type::Scalar(wide(ls)));
        let r = self.coerce(r, &Type::Scalar(wide(rs)));
        let (PyValue::Scalar(a, _), PyValue::Scalar(b, _)) = (l, r) else {
            unreachable!("integers lower to scalars")
        };
        let signed = if ls.is_signed_int() { a } else { b };
        let zero = self.b.iconst(Ty::I64, 0);
        let negative = self.b.icmp(IntCC::Slt, signed, zero);
        let lhs_signed = ls.is_signed_int();
        let unsigned = match op {
            CmpOp::Eq => IntCC::Eq,
            CmpOp::NotEq => IntCC::Ne,
            CmpOp::Lt => IntCC::Ult,
            CmpOp::LtE => IntCC::Ule,
            CmpOp::Gt => IntCC::Ugt,
            _ => IntCC::Uge,
        };
        let as_unsigned = self.b.icmp(unsigned, a, b);
        // Whether a negative signed operand makes the comparison true: `s < u`, `s <= u`,
        // `u > s`, `u >= s` and `!=` are.
        let negative_true = match op {
            CmpOp::NotEq => true,
            CmpOp::Eq => false,
            CmpOp::Lt | CmpOp::LtE => lhs_signed,
            _ => !lhs_signed,
        };
        if negative_true {
            self.b.ins(Op::Or, &[negative, as_unsigned], Ty::Bool)
        } else {
            let non_negative = self.b.ins(Op::Not, &[negative], Ty::Bool);
            self.b.ins(Op::And, &[non_negative, as_unsigned], Ty::Bool)
        }
    }
}
