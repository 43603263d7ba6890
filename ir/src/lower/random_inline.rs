//! `np.random.randint` drawn in compiled code itself: the MT19937 word fetch, tempering and
//! NumPy's masked rejection are emitted inline (a runtime call only once per 624 words, to
//! regenerate the key), as Numba inlines its generator. A call into the runtime per draw cost
//! 1.5x Numba's time in a loop of draws.
//!
//! The numbers are NumPy's legacy `randint` (`random_bounded_uint64` with masking) bit for
//! bit: the inline path covers ranges of `2..2**32 - 1` values, where NumPy masks 32-bit words;
//! a single value (no draw at all), full 32-bit ranges and wider ones go to the runtime's
//! `bounded`, which has all the cases.

use super::Lowerer;
use crate::function::{IntCC, Op, Ty, Value};
use runtime::math::RuntimeFn;
use runtime::random::{MT_POS_OFFSET, MT_WORDS};

/// What a `randint(low, high)` draw needs, computed once where the bounds are known (outside
/// the caller's loop when the bounds do not change in it).
pub(super) struct BoundedDraw {
    state: Value,
    low: Value,
    high: Value,
    /// `high - low - 1`: the largest offset from `low`.
    range: Value,
    /// The smallest all-ones mask covering `range`.
    mask: Value,
    /// Whether the inline path applies (`0 < range < 2**32 - 1`).
    inline: Value,
}

impl Lowerer<'_, '_> {
    /// The setup of `randint(low, high)` draws from the MT19937 at `state` (`low < high`,
    /// checked by the caller).
    pub(super) fn bounded_draw(&mut self, state: Value, low: Value, high: Value) -> BoundedDraw {
        let one = self.b.iconst(Ty::I64, 1);
        let span = self.b.binary(Op::Isub, high, low);
        let range = self.b.binary(Op::Isub, span, one);
        // NumPy ORs in shifted copies: the same mask as its `gen_mask`.
        let mut mask = range;
        for shift in [1, 2, 4, 8, 16, 32] {
            let by = self.b.iconst(Ty::I64, shift);
            let shifted = self.b.binary(Op::Ushr, mask, by);
            mask = self.b.binary(Op::Bor, mask, shifted);
        }
        let zero = self.b.iconst(Ty::I64, 0);
        let full = self.b.iconst(Ty::I64, 0xffff_ffff);
        let some = self.b.icmp(IntCC::Ne, range, zero);
        let narrow = self.b.icmp(IntCC::Ult, range, full);
        let inline = self.b.ins(Op::And, &[some, narrow], Ty::Bool);
        BoundedDraw {
            state,
            low,
            high,
            range,
            mask,
            inline,
        }
    }

    /// One `randint` draw: `low + v` for the first masked 32-bit word `v <= range`.
    pub(super) fn draw_bounded(&mut self, d: &BoundedDraw) -> Value {
        let done = self.create_block();
        let result = self.b.append_block_param(done, Ty::I64);
        let fast = self.create_block();
        let slow = self.create_block();
        self.brif(d.inline, fast, slow);
        self.seal(fast);
        self.seal(slow);

        self.switch_to(slow);
        let v = self
            .b
            .call_runtime(RuntimeFn::RandomRandint, &[d.state, d.low, d.high]);
        self.jump(done, &[v]);

        self.switch_to(fast);
        let head = self.create_block();
        self.jump(head, &[]);
        self.switch_to(head);
        let word = self.next_mt_word(d.state);
        let wide = self.b.convert(Op::Uext, word, Ty::I64);
        let v = self.b.binary(Op::Band, wide, d.mask);
        let fits = self.b.icmp(IntCC::Ule, v, d.range);
        let accept = self.create_block();
        self.brif(fits, accept, head);
        self.seal(head);
        self.seal(accept);
        self.switch_to(accept);
        let r = self.b.binary(Op::Iadd, d.low, v);
        self.jump(done, &[r]);

        self.seal(done);
        self.switch_to(done);
        result
    }

    /// The next tempered 32-bit output of the MT19937 at `state` (`Mt19937::next_u32`).
    fn next_mt_word(&mut self, state: Value) -> Value {
        let pos = self.b.load(Ty::I64, state, MT_POS_OFFSET, false);
        let words = self.b.iconst(Ty::I64, MT_WORDS);
        let used_up = self.b.icmp(IntCC::Uge, pos, words);
        let refill = self.create_block();
        let take = self.create_block();
        let at = self.b.append_block_param(take, Ty::I64);
        let from = self.current_block();
        self.b.brif(used_up, refill, &[], take, &[pos]);
        self.ssa.add_pred(refill, from);
        self.ssa.add_pred(take, from);
        self.seal(refill);
        self.switch_to(refill);
        self.b.call_runtime(RuntimeFn::RandomMtRefill, &[state]);
        let zero = self.b.iconst(Ty::I64, 0);
        self.jump(take, &[zero]);
        self.seal(take);

        self.switch_to(take);
        let four = self.b.iconst(Ty::I64, 4);
        let offset = self.b.binary(Op::Imul, at, four);
        let addr = self.b.binary(Op::Iadd, state, offset);
        let mut y = self.b.load(Ty::I32, addr, 0, false);
        let one = self.b.iconst(Ty::I64, 1);
        let next = self.b.binary(Op::Iadd, at, one);
        self.b.store(state, next, MT_POS_OFFSET);
        // The tempering of `Mt19937::next_u32`.
        for (shift, left, mask) in [
            (11, false, None),
            (7, true, Some(0x9d2c_5680u32)),
            (15, true, Some(0xefc6_0000u32)),
            (18, false, None),
        ] {
            let by = self.b.iconst(Ty::I32, shift);
            let op = if left { Op::Ishl } else { Op::Ushr };
            let mut t = self.b.binary(op, y, by);
            if let Some(mask) = mask {
                let m = self.b.iconst(Ty::I32, i64::from(mask as i32));
                t = self.b.binary(Op::Band, t, m);
            }
            y = self.b.binary(Op::Bxor, y, t);
        }
        y
    }
}
