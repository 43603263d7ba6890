//! A small emitter for writing math kernels as IR: arithmetic that reads like the C it is ported
//! from (`e.add(x, 1.0)`, `e.fma(a, b, c)`), the high-word tricks of fdlibm (`e.hi_word(x)`),
//! and structured control flow (`if_else`, `ret_if`, `while_loop`) over SSA block parameters.
//!
//! Operands are [`A`]: an IR value or a Rust literal. A literal takes the type of the other
//! operand when there is one (so `e.iadd(k, 1)` adds an `i32` constant to an `i32`), otherwise
//! `f64` for float literals and `i64` for integer literals. Constants are materialised at each
//! use, never cached, so every value dominates its uses whatever the control flow.
//!
//! Kernels compute in `f64`; [`E::ret`] rounds to the function's return type, which is how the
//! `f32` variants reuse the `f64` code.

use crate::builder::Builder;
use crate::function::{FloatCC, Function, IntCC, Op, Ty, Value};

/// An operand: a value, or a literal turned into a constant of the matching type.
#[derive(Copy, Clone, Debug)]
pub(crate) enum A {
    V(Value),
    F(f64),
    I(i64),
}

impl From<Value> for A {
    fn from(v: Value) -> A {
        A::V(v)
    }
}
impl From<f64> for A {
    fn from(v: f64) -> A {
        A::F(v)
    }
}
impl From<i32> for A {
    fn from(v: i32) -> A {
        A::I(v.into())
    }
}
impl From<i64> for A {
    fn from(v: i64) -> A {
        A::I(v)
    }
}

/// The emitter: a builder positioned in the function being written, and the type results are
/// returned as.
pub(crate) struct E<'f> {
    pub b: Builder<'f>,
    ret_ty: Ty,
}

impl<'f> E<'f> {
    /// Starts `func` (params and returns already set): creates its entry block and returns the
    /// parameters.
    pub fn new(func: &'f mut Function) -> (E<'f>, Vec<Value>) {
        let ret_ty = func.returns[0];
        let mut b = Builder::new(func);
        let (_, params) = b.create_entry_block();
        (E { b, ret_ty }, params)
    }

    pub fn ty(&self, v: Value) -> Ty {
        self.b.ty(v)
    }

    /// Materialises an operand; literals take type `like` when it fits their kind.
    fn val(&mut self, a: A, like: Option<Ty>) -> Value {
        match a {
            A::V(v) => v,
            A::F(f) => {
                let ty = like.filter(|t| t.is_float()).unwrap_or(Ty::F64);
                self.b.fconst(ty, f)
            }
            A::I(i) => {
                let ty = like.filter(|t| t.is_int()).unwrap_or(Ty::I64);
                self.b.iconst(ty, i)
            }
        }
    }
    fn like(&self, operands: &[A]) -> Option<Ty> {
        operands.iter().find_map(|a| match a {
            A::V(v) => Some(self.ty(*v)),
            _ => None,
        })
    }
    pub fn v(&mut self, a: impl Into<A>) -> Value {
        self.val(a.into(), None)
    }
    fn bin(&mut self, op: Op, a: impl Into<A>, b: impl Into<A>) -> Value {
        let (a, b) = (a.into(), b.into());
        let like = self.like(&[a, b]);
        let (a, b) = (self.val(a, like), self.val(b, like));
        self.b.binary(op, a, b)
    }
    fn un(&mut self, op: Op, a: impl Into<A>) -> Value {
        let a = self.v(a);
        self.b.unary(op, a)
    }

    // Float arithmetic.
    pub fn add(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Fadd, a, b)
    }
    pub fn sub(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Fsub, a, b)
    }
    pub fn mul(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Fmul, a, b)
    }
    pub fn div(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Fdiv, a, b)
    }
    pub fn copysign(&mut self, magnitude: impl Into<A>, sign: impl Into<A>) -> Value {
        self.bin(Op::Copysign, magnitude, sign)
    }
    /// Minimum, propagating NaN.
    pub fn fmin(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Fmin, a, b)
    }
    /// Maximum, propagating NaN.
    pub fn fmax(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Fmax, a, b)
    }
    /// `a * b + c` with one rounding.
    pub fn fma(&mut self, a: impl Into<A>, b: impl Into<A>, c: impl Into<A>) -> Value {
        let (a, b, c) = (a.into(), b.into(), c.into());
        let like = self.like(&[a, b, c]);
        let args = [self.val(a, like), self.val(b, like), self.val(c, like)];
        let ty = self.ty(args[0]);
        self.b.ins(Op::Fma, &args, ty)
    }
    pub fn neg(&mut self, a: impl Into<A>) -> Value {
        self.un(Op::Fneg, a)
    }
    pub fn abs(&mut self, a: impl Into<A>) -> Value {
        self.un(Op::Fabs, a)
    }
    pub fn sqrt(&mut self, a: impl Into<A>) -> Value {
        self.un(Op::Sqrt, a)
    }
    pub fn floor(&mut self, a: impl Into<A>) -> Value {
        self.un(Op::Floor, a)
    }
    /// Round to nearest, ties to even.
    pub fn nearest(&mut self, a: impl Into<A>) -> Value {
        self.un(Op::Nearest, a)
    }
    /// `c0 + x*(c1 + x*(c2 + ...))` by Horner's rule with fused multiply-adds.
    pub fn poly(&mut self, x: Value, coeffs: &[f64]) -> Value {
        let (&last, rest) = coeffs.split_last().expect("a polynomial has coefficients");
        let mut r = self.v(last);
        for &c in rest.iter().rev() {
            r = self.fma(r, x, c);
        }
        r
    }

    // Integer arithmetic (wrapping) and bits.
    pub fn iadd(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Iadd, a, b)
    }
    pub fn isub(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Isub, a, b)
    }
    pub fn imul(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Imul, a, b)
    }
    /// Unsigned division; the divisor must be nonzero.
    pub fn udiv(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Udiv, a, b)
    }
    /// Unsigned remainder; the divisor must be nonzero.
    pub fn urem(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Urem, a, b)
    }
    pub fn iand(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Band, a, b)
    }
    pub fn ior(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Bor, a, b)
    }
    pub fn ixor(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Bxor, a, b)
    }
    pub fn shl(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Ishl, a, b)
    }
    pub fn ushr(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Ushr, a, b)
    }
    pub fn sshr(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Sshr, a, b)
    }
    pub fn smin(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Smin, a, b)
    }
    pub fn smax(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.bin(Op::Smax, a, b)
    }
    pub fn ineg(&mut self, a: impl Into<A>) -> Value {
        self.un(Op::Ineg, a)
    }

    // Comparisons and bools.
    pub fn fcmp(&mut self, cc: FloatCC, a: impl Into<A>, b: impl Into<A>) -> Value {
        let (a, b) = (a.into(), b.into());
        let like = self.like(&[a, b]);
        let (a, b) = (self.val(a, like), self.val(b, like));
        self.b.fcmp(cc, a, b)
    }
    pub fn icmp(&mut self, cc: IntCC, a: impl Into<A>, b: impl Into<A>) -> Value {
        let (a, b) = (a.into(), b.into());
        let like = self.like(&[a, b]);
        let (a, b) = (self.val(a, like), self.val(b, like));
        self.b.icmp(cc, a, b)
    }
    pub fn flt(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.fcmp(FloatCC::Lt, a, b)
    }
    pub fn fgt(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.fcmp(FloatCC::Gt, a, b)
    }
    pub fn feq(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.fcmp(FloatCC::Eq, a, b)
    }
    /// True if `a` is NaN.
    pub fn is_nan(&mut self, a: Value) -> Value {
        self.fcmp(FloatCC::Ne, a, a)
    }
    /// Signed `a < b`.
    pub fn ilt(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.icmp(IntCC::Slt, a, b)
    }
    /// Signed `a <= b`.
    pub fn ile(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.icmp(IntCC::Sle, a, b)
    }
    /// Signed `a > b`.
    pub fn igt(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.icmp(IntCC::Sgt, a, b)
    }
    /// Signed `a >= b`.
    pub fn ige(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.icmp(IntCC::Sge, a, b)
    }
    pub fn ieq(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.icmp(IntCC::Eq, a, b)
    }
    pub fn ine(&mut self, a: impl Into<A>, b: impl Into<A>) -> Value {
        self.icmp(IntCC::Ne, a, b)
    }
    pub fn and(&mut self, a: Value, b: Value) -> Value {
        self.b.ins(Op::And, &[a, b], Ty::Bool)
    }
    pub fn or(&mut self, a: Value, b: Value) -> Value {
        self.b.ins(Op::Or, &[a, b], Ty::Bool)
    }
    pub fn not(&mut self, a: Value) -> Value {
        self.b.ins(Op::Not, &[a], Ty::Bool)
    }
    /// `cond ? a : b`.
    pub fn sel(&mut self, cond: Value, a: impl Into<A>, b: impl Into<A>) -> Value {
        let (a, b) = (a.into(), b.into());
        let like = self.like(&[a, b]);
        let (a, b) = (self.val(a, like), self.val(b, like));
        self.b.select(cond, a, b)
    }

    // Conversions.
    /// The bits of an `f64` as an `i64`.
    pub fn bits(&mut self, x: Value) -> Value {
        self.b.convert(Op::Bitcast, x, Ty::I64)
    }
    /// The `f64` whose bits are the `i64` `i`.
    pub fn float_from_bits(&mut self, i: impl Into<A>) -> Value {
        let i = self.v(i);
        self.b.convert(Op::Bitcast, i, Ty::F64)
    }
    /// The high 32 bits of `x` (fdlibm's `hx`), zero-extended in an `i64`.
    pub fn hi_word(&mut self, x: Value) -> Value {
        let bits = self.bits(x);
        self.ushr(bits, 32)
    }
    /// The high word of `|x|` (fdlibm's `ix`).
    pub fn abs_hi_word(&mut self, x: Value) -> Value {
        let hi = self.hi_word(x);
        self.iand(hi, 0x7fff_ffff)
    }
    /// `x` with its low 32 bits cleared.
    pub fn clear_low_word(&mut self, x: Value) -> Value {
        let bits = self.bits(x);
        let high = self.iand(bits, -1i64 << 32);
        self.float_from_bits(high)
    }
    /// Signed integer → `f64`.
    pub fn stof(&mut self, i: Value) -> Value {
        self.b.convert(Op::SToF, i, Ty::F64)
    }
    /// Unsigned integer → `f64`.
    pub fn utof(&mut self, i: Value) -> Value {
        self.b.convert(Op::UToF, i, Ty::F64)
    }
    /// `f64` → `i64`, truncating (saturating, NaN → 0).
    pub fn ftos(&mut self, x: Value) -> Value {
        self.b.convert(Op::FToS, x, Ty::I64)
    }
    /// `2^k` for an `i64` `k` in the normal range `[-1022, 1023]`.
    pub fn pow2(&mut self, k: Value) -> Value {
        let biased = self.iadd(k, 1023);
        let bits = self.shl(biased, 52);
        self.float_from_bits(bits)
    }
    /// `y * 2^k` for `k` in `[-2044, 2046]` (C's `scalbn` for the exponents kernels produce),
    /// with a single rounding even when the result is subnormal, provided `y` is normal.
    pub fn scale(&mut self, y: Value, k: Value) -> Value {
        let k1 = self.sshr(k, 1);
        let k2 = self.isub(k, k1);
        let (s1, s2) = (self.pow2(k1), self.pow2(k2));
        let y1 = self.mul(y, s1);
        self.mul(y1, s2)
    }

    // Double-double building blocks (exact transformations).
    /// `(s, e)` with `s = RN(a + b)` and `s + e = a + b` exactly (Knuth's two-sum).
    pub fn two_sum(&mut self, a: Value, b: Value) -> (Value, Value) {
        let s = self.add(a, b);
        let bb = self.sub(s, a);
        let ab = self.sub(s, bb);
        let eb = self.sub(b, bb);
        let ea = self.sub(a, ab);
        (s, self.add(ea, eb))
    }
    /// `(p, e)` with `p = RN(a * b)` and `p + e = a * b` exactly.
    pub fn two_prod(&mut self, a: Value, b: Value) -> (Value, Value) {
        let p = self.mul(a, b);
        let np = self.neg(p);
        (p, self.fma(a, b, np))
    }

    // Control flow.
    /// Returns `v` (rounded to the function's return type).
    pub fn ret(&mut self, v: impl Into<A>) {
        let v = self.v(v);
        let v = if self.ty(v) == self.ret_ty {
            v
        } else if self.ret_ty == Ty::F32 {
            self.b.convert(Op::Fdemote, v, Ty::F32)
        } else {
            panic!(
                "mathlib kernel returns {} from a {} function",
                self.ty(v),
                self.ret_ty
            )
        };
        self.b.ret(&[v]);
    }
    /// Returns `v` if `cond`, else continues in a new block.
    pub fn ret_if(&mut self, cond: Value, v: impl Into<A>) {
        let v = v.into();
        let (taken, rest) = (self.b.create_block(), self.b.create_block());
        self.b.brif(cond, taken, &[], rest, &[]);
        self.b.switch_to(taken);
        self.ret(v);
        self.b.switch_to(rest);
    }
    /// Emits `then` if `cond`, else `els`; each arm gives the values of types `tys` that the code
    /// after the join sees (an arm may also end in a return, then it gives nothing).
    pub fn if_else(
        &mut self,
        cond: Value,
        tys: &[Ty],
        then: impl FnOnce(&mut Self) -> Vec<Value>,
        els: impl FnOnce(&mut Self) -> Vec<Value>,
    ) -> Vec<Value> {
        let (then_block, else_block) = (self.b.create_block(), self.b.create_block());
        let join = self.b.create_block();
        let results: Vec<Value> = tys
            .iter()
            .map(|&t| self.b.append_block_param(join, t))
            .collect();
        self.b.brif(cond, then_block, &[], else_block, &[]);
        for (block, arm) in [
            (
                then_block,
                Box::new(then) as Box<dyn FnOnce(&mut Self) -> Vec<Value>>,
            ),
            (else_block, Box::new(els)),
        ] {
            self.b.switch_to(block);
            let values = arm(self);
            if !self.b.is_terminated() {
                self.b.jump(join, &values);
            }
        }
        self.b.switch_to(join);
        results
    }
    /// `while cond(vars) { vars = body(vars) }`, starting from `init`; gives the final `vars`.
    pub fn while_loop(
        &mut self,
        init: &[Value],
        cond: impl FnOnce(&mut Self, &[Value]) -> Value,
        body: impl FnOnce(&mut Self, &[Value]) -> Vec<Value>,
    ) -> Vec<Value> {
        let (header, body_block, exit) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        let vars: Vec<Value> = init
            .iter()
            .map(|&v| {
                let t = self.ty(v);
                self.b.append_block_param(header, t)
            })
            .collect();
        self.b.jump(header, init);
        self.b.switch_to(header);
        let c = cond(self, &vars);
        self.b.brif(c, body_block, &[], exit, &[]);
        self.b.switch_to(body_block);
        let next = body(self, &vars);
        self.b.jump(header, &next);
        self.b.switch_to(exit);
        vars
    }
}
