//! `np.random.Generator` draws made in compiled code itself: the PCG64 step (a 128-bit LCG
//! multiply-add from 64-bit halves, `umulhi` for the high half of the low product, then
//! XSL-RR with `rotr`), 53-bit doubles, and the common case of NumPy's ziggurat normal and exponential
//! (one word, one table lookup, one compare). The rare rest of a ziggurat draw — the base
//! strip's tail and the wedges' rejection test, about 1% of draws — is a runtime call
//! (`runtime::random_gen`), as are the 32-bit-buffered integer draws. A runtime call per draw
//! left `Generator.normal` 1.1-1.4x behind Numba, which inlines its ziggurat.
//!
//! The numbers are NumPy's bit for bit: the same state arithmetic as `Pcg64State::next_u64`
//! and the same table reads as `Pcg64State::standard_normal` (NumPy's tables, the runtime's
//! constant data, whose address one pure call gives: hoisted out of loops).

use super::Lowerer;
use crate::function::{IntCC, Op, Ty, Value};
use runtime::math::RuntimeFn;
use runtime::random_gen::{
    PCG_INC_OFFSET, PCG_MULTIPLIER, PCG_STATE_OFFSET, ZIG_KE_OFFSET, ZIG_KI_OFFSET, ZIG_WE_OFFSET,
    ZIG_WI_OFFSET,
};

/// The normal ziggurat's magnitude bits (`rabs`): 52 of them.
const NORMAL_MAGNITUDE_MASK: i64 = 0x000f_ffff_ffff_ffff;

impl Lowerer<'_, '_> {
    /// The next 64-bit output of the PCG64 state at `g` (`Pcg64State::next_u64`).
    fn next_pcg_word(&mut self, g: Value) -> Value {
        let state_lo = self.b.load(Ty::I64, g, PCG_STATE_OFFSET, false);
        let state_hi = self.b.load(Ty::I64, g, PCG_STATE_OFFSET + 8, false);
        // Nothing writes the increment while compiled code runs: its loads may leave loops.
        let inc_lo = self.b.load(Ty::I64, g, PCG_INC_OFFSET, true);
        let inc_hi = self.b.load(Ty::I64, g, PCG_INC_OFFSET + 8, true);
        let mul_lo = self.b.iconst(Ty::I64, PCG_MULTIPLIER as u64 as i64);
        let mul_hi = self.b.iconst(Ty::I64, (PCG_MULTIPLIER >> 64) as u64 as i64);
        // state * multiplier + increment mod 2^128 from 64-bit halves: the low word is the
        // low halves' product plus the increment's; the high word gathers the product's high
        // half, the cross products' low halves, the increment's high half and the carry. The
        // terms that depend on the low word come first and `state_hi`'s product last, so that
        // each half's loop-carried chain (through memory, from one draw to the next) is one
        // multiply and one add long.
        let product_lo = self.b.binary(Op::Imul, state_lo, mul_lo);
        let next_lo = self.b.binary(Op::Iadd, product_lo, inc_lo);
        let wrapped = self.b.icmp(IntCC::Ult, next_lo, product_lo);
        let carry = self.b.convert(Op::Uext, wrapped, Ty::I64);
        let product_hi = self.b.binary(Op::Umulhi, state_lo, mul_lo);
        let cross_lo = self.b.binary(Op::Imul, state_lo, mul_hi);
        let mut from_lo = self.b.binary(Op::Iadd, product_hi, cross_lo);
        from_lo = self.b.binary(Op::Iadd, from_lo, inc_hi);
        from_lo = self.b.binary(Op::Iadd, from_lo, carry);
        let cross_hi = self.b.binary(Op::Imul, state_hi, mul_lo);
        let next_hi = self.b.binary(Op::Iadd, from_lo, cross_hi);
        self.b.store(g, next_lo, PCG_STATE_OFFSET);
        self.b.store(g, next_hi, PCG_STATE_OFFSET + 8);
        // XSL-RR: the halves folded, rotated right by the top six bits.
        let folded = self.b.binary(Op::Bxor, next_hi, next_lo);
        let fifty_eight = self.b.iconst(Ty::I64, 58);
        let rotation = self.b.binary(Op::Ushr, next_hi, fifty_eight);
        self.b.binary(Op::Rotr, folded, rotation)
    }

    /// `Generator.random()`: the top 53 bits of a word over 2^53.
    pub(super) fn gen_double(&mut self, g: Value) -> Value {
        let word = self.next_pcg_word(g);
        let eleven = self.b.iconst(Ty::I64, 11);
        let bits = self.b.binary(Op::Ushr, word, eleven);
        // Below 2^53: the signed conversion is exact.
        let whole = self.b.convert(Op::SToF, bits, Ty::F64);
        let scale = self.b.fconst(Ty::F64, 1.0 / 9007199254740992.0);
        self.b.binary(Op::Fmul, whole, scale)
    }

    /// The address of NumPy's ziggurat tables.
    pub(super) fn gen_tables(&mut self) -> Value {
        self.b.call_runtime(RuntimeFn::GenTables, &[])
    }

    /// `Generator.standard_normal()`: the low byte of a word picks a layer, the next bit is
    /// the sign, 52 bits the magnitude; accepted at once when inside the layer's rectangle.
    pub(super) fn gen_normal(&mut self, g: Value, tables: Value) -> Value {
        let word = self.next_pcg_word(g);
        let layer = self.low_byte(word);
        let eight = self.b.iconst(Ty::I64, 8);
        let rest = self.b.binary(Op::Ushr, word, eight);
        let one = self.b.iconst(Ty::I64, 1);
        let shifted = self.b.binary(Op::Ushr, rest, one);
        let mask = self.b.iconst(Ty::I64, NORMAL_MAGNITUDE_MASK);
        let rabs = self.b.binary(Op::Band, shifted, mask);
        let (width_bits, threshold) =
            self.ziggurat_layer(tables, layer, (ZIG_WI_OFFSET, Ty::I64), ZIG_KI_OFFSET);
        // The sign from the draw's bit without a branch (one on a random bit mispredicts half
        // the time): `rest`'s lowest bit moved to the sign position of the layer's width, read
        // as an integer. `rabs * -w` is `-(rabs * w)` exactly (rounding is symmetric).
        let sixty_three = self.b.iconst(Ty::I64, 63);
        let sign = self.b.binary(Op::Ishl, rest, sixty_three);
        let signed_bits = self.b.binary(Op::Bxor, sign, width_bits);
        let signed_width = self.b.convert(Op::Bitcast, signed_bits, Ty::F64);
        let whole = self.b.convert(Op::SToF, rabs, Ty::F64);
        let x = self.b.binary(Op::Fmul, whole, signed_width);
        let inside = self.b.icmp(IntCC::Ult, rabs, threshold);
        self.ziggurat_accept(
            inside,
            x,
            RuntimeFn::GenNormalUnlikely,
            &[g, layer, rabs, x],
        )
    }

    /// `Generator.standard_exponential()`: a word's bits above the lowest three, whose low
    /// byte picks the layer and the rest the magnitude.
    pub(super) fn gen_exponential(&mut self, g: Value, tables: Value) -> Value {
        let word = self.next_pcg_word(g);
        let three = self.b.iconst(Ty::I64, 3);
        let bits = self.b.binary(Op::Ushr, word, three);
        let layer = self.low_byte(bits);
        let eight = self.b.iconst(Ty::I64, 8);
        let magnitude = self.b.binary(Op::Ushr, bits, eight);
        let (width, threshold) =
            self.ziggurat_layer(tables, layer, (ZIG_WE_OFFSET, Ty::F64), ZIG_KE_OFFSET);
        let whole = self.b.convert(Op::SToF, magnitude, Ty::F64);
        let x = self.b.binary(Op::Fmul, whole, width);
        let inside = self.b.icmp(IntCC::Ult, magnitude, threshold);
        self.ziggurat_accept(inside, x, RuntimeFn::GenExponentialUnlikely, &[g, layer, x])
    }

    /// `word & 0xff`, as a zero extension of its low byte (one instruction, no copy).
    fn low_byte(&mut self, word: Value) -> Value {
        let byte = self.b.convert(Op::Ireduce, word, Ty::I8);
        self.b.convert(Op::Uext, byte, Ty::I64)
    }

    /// A layer's width (read as `f64`, or as its bits) and acceptance threshold (`u64`) from
    /// the tables at these offsets.
    fn ziggurat_layer(
        &mut self,
        tables: Value,
        layer: Value,
        (width_offset, width_ty): (i32, Ty),
        threshold_offset: i32,
    ) -> (Value, Value) {
        let eight = self.b.iconst(Ty::I64, 8);
        let offset = self.b.binary(Op::Imul, layer, eight);
        let entry = self.b.binary(Op::Iadd, tables, offset);
        let width = self.b.load(width_ty, entry, width_offset, true);
        let threshold = self.b.load(Ty::I64, entry, threshold_offset, true);
        (width, threshold)
    }

    /// `x` when `inside`, else the runtime's `unlikely` call on `args` (the tail or wedge test,
    /// which may draw again).
    fn ziggurat_accept(
        &mut self,
        inside: Value,
        x: Value,
        unlikely: RuntimeFn,
        args: &[Value],
    ) -> Value {
        let done = self.create_block();
        let result = self.b.append_block_param(done, Ty::F64);
        let outside = self.create_block();
        let from = self.current_block();
        self.b.brif(inside, done, &[x], outside, &[]);
        self.ssa.add_pred(done, from);
        self.ssa.add_pred(outside, from);
        self.seal(outside);
        self.switch_to(outside);
        let v = self.b.call_runtime(unlikely, args);
        self.jump(done, &[v]);
        self.seal(done);
        self.switch_to(done);
        result
    }
}
