//! `strength`: integer operations by constants become cheaper ones.
//!
//! - **Unsigned division and remainder by a constant** (`udiv x, c`, `urem x, c`: what
//!   lowering writes for Python's `//` and `%` by any constant, see `lower/operators.rs`) become
//!   a multiplication by the reciprocal (Granlund–Montgomery): `q = umulhi(x, m) >> p` with
//!   `m = ceil(2^(64+p) / c)`, the smallest `p` for which `(m*c - 2^(64+p)) * x_max < 2^(64+p)`
//!   holds for every possible `x` (then `floor(x*m / 2^(64+p)) == floor(x / c)`), and the
//!   remainder `x - q*c`. `x_max` comes from [`SignFacts`]: a dividend known non-negative
//!   (`while x > 0:`, the magnitude `a ^ (a >> 63)` of floor division) has 63 bits, for which a
//!   64-bit `m` always exists; an even divisor of a full 64-bit dividend shifts the dividend
//!   right first; an odd one uses `m - 2^64` and adds the dividend back
//!   (`(((x - t) >> 1) + t) >> (p - 1)`). `i8`–`i32` dividends are widened to `i64`, where
//!   `p = 0` always works. Powers of two become a shift and a mask, divisors above `x_max` a
//!   comparison. No hardware division is left, on the CPU or the GPU.
//! - **Divisibility tests**: `x % c == 0` (or `!= 0`) of `i64` values, `c` not a power of
//!   two, compares `rotr(|x| * inv(d), k)` with `(2^64 - 1) / c` (`c = d * 2^k`, `d` odd):
//!   neither the quotient nor the remainder is computed. `idioms` makes these tests already,
//!   before the vectorizer, which takes their multiplication where it could not take a
//!   division.
//! - **Comparisons of such a quotient with 0** become comparisons of the dividend with the
//!   divisor (`x // 10 > 0` is `x >= 10`), so a loop's exit test need not wait for the division.
//! - **Multiplication by 3, 5 and 9**: `x + (x << 1|2|3)`, which the x86-64 backend emits as
//!   one `lea` (1 cycle) instead of an `imul` (3 cycles): `3 * x + 1` in a Collatz step sits
//!   on the loop's critical path. Powers of two are left to the backend (it shifts already);
//!   other constants keep their multiplication.
//! - **Packs of lanes that fit**: the vectorizer's `pack` truncates each lane to half its
//!   width, which x86 does as a mask of the high halves and an unsigned saturating pack. When
//!   interval arithmetic ([`range_in_i32`]) shows every lane of both operands within the
//!   narrow lane's signed range (`int(x) * 3 // 4` of `int16` lanes, computed in `i32`),
//!   truncation and signed saturation agree: `pack_sat`, one `packssdw`.
//! - **Clamps written as two tests** (`if v < lo: v = lo elif v > hi: v = hi`, after
//!   if-conversion `select(v < lo, lo, select(v > hi, hi, v))`, constants `lo <= hi`) become
//!   `smax(select(..), lo)`: when `v < lo` the inner value is `v` itself, and otherwise it is
//!   at least `lo`, so the maximum picks the same value. Cranelift makes the inner select a
//!   `pminsd` by itself but not the outer one (a compare and a blend): with both as min/max a
//!   vector clamp is two instructions. Likewise `select(v > hi, hi, min-or-max(v, lo))`.
//!
//! - **Float division by a power of two** (`x / 16.0`, `s / w` with `w = 16` folded, in
//!   scalars and in vector lanes) becomes a multiplication by its reciprocal when that
//!   reciprocal is exact in the type: both give the one correctly rounded value of the same
//!   real number `x * 2^-k`, so the result is bitwise the division's (NaN, infinities, signed
//!   zeros and subnormals included), at a quarter of the latency. Other constants keep their
//!   division: their reciprocals are rounded.
//!
//! It runs after the vectorizer, which wants the multiplications and divisions as written.

use super::index_range::non_negative_values;
use super::narrow::range_in_i32;
use super::sign_facts::SignFacts;
use super::util::{DomTree, replace_all_uses};
use crate::function::{Block, Function, Inst, IntCC, Op, Ty, Value, ValueDef};
use std::collections::HashMap;

/// Runs the pass; true if something was rewritten.
pub fn run(func: &mut Function) -> bool {
    let has_division = func.layout.iter().any(|&b| {
        func.block(b).insts.iter().any(|&i| {
            let d = func.inst(i);
            matches!(d.op, Op::Udiv | Op::Urem) && constant(func, d.args[1]).is_some()
        })
    });
    let mut changed = saturating_packs(func) | clamps(func);
    let mut plans = Vec::new();
    if has_division {
        let dom = DomTree::compute(func);
        let facts = SignFacts::compute(func, &dom, non_negative_values(func));
        changed |= divisibility_tests(func);
        changed |= compare_quotients(func);
        // Bounds first (the facts read the function as it is), rewrites after.
        for &b in &func.layout {
            for &inst in &func.block(b).insts {
                let d = func.inst(inst);
                if matches!(d.op, Op::Udiv | Op::Urem) {
                    let ty = func.value_type(d.results[0]);
                    if let Some(c) = constant(func, d.args[1]).map(|c| unsigned(c, ty))
                        && c != 0
                        && ty.is_int()
                    {
                        let bound = dividend_bound(func, &facts, d.args[0], b);
                        plans.push((inst, c, bound));
                    }
                }
            }
        }
    }
    let mut pending: HashMap<Inst, Vec<Inst>> = HashMap::new();
    let mut copies = Vec::new();
    for (inst, c, bound) in plans {
        let (new, copy) = expand_division(func, inst, c, bound);
        pending.insert(inst, new);
        copies.extend(copy);
        changed = true;
    }
    for b in func.layout.clone() {
        let mut insts = Vec::with_capacity(func.block(b).insts.len());
        for inst in func.block(b).insts.clone() {
            if let Some(before) = pending.remove(&inst) {
                insts.extend(before);
            } else if let Some(new) =
                small_multiple(func, inst).or_else(|| exact_reciprocal(func, inst))
            {
                insts.extend(new);
                changed = true;
            }
            insts.push(inst);
        }
        func.block_mut(b).insts = insts;
    }
    // A quotient replaces the division's result (the division, now unused, goes in `dce`).
    for (old, new) in copies {
        replace_all_uses(func, old, new);
    }
    changed
}

/// Turns each `pack` whose operands' lanes provably fit the narrow lanes (as signed values)
/// into `pack_sat`; true if one was.
fn saturating_packs(func: &mut Function) -> bool {
    let mut fitting = Vec::new();
    for &b in &func.layout {
        for &inst in &func.block(b).insts {
            let data = func.inst(inst);
            let narrow = match data.results[..] {
                [r] if data.op == Op::Pack => func.value_type(r),
                _ => continue,
            };
            if !matches!(narrow, Ty::I16X8 | Ty::I8X16) {
                continue;
            }
            let bits = narrow.lane().bits();
            let (min, max) = (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1);
            let fits = |v: Value| {
                range_in_i32(func, v, &mut 0).is_some_and(|(lo, hi)| min <= lo && hi <= max)
            };
            if fits(data.args[0]) && fits(data.args[1]) {
                fitting.push(inst);
            }
        }
    }
    for &inst in &fitting {
        func.inst_mut(inst).op = Op::PackSat;
    }
    !fitting.is_empty()
}

/// Rewrites `select(x < k, k, y)` as `smax(y, k)` and `select(x > k, k, y)` as `smin(y, k)`
/// (also `<=`/`>=`; `k` a constant or its splat) where `y` is `x`, or `x` clamped from the
/// other side by a constant on that side of `k` (see the module doc); true if one was.
fn clamps(func: &mut Function) -> bool {
    let mut rewrites = Vec::new();
    for &b in &func.layout {
        for &inst in &func.block(b).insts {
            let data = func.inst(inst);
            let ty = match data.results[..] {
                [r] if data.op == Op::Select => func.value_type(r),
                _ => continue,
            };
            let native =
                ty.is_int() && ty != Ty::Ptr || matches!(ty, Ty::I32X4 | Ty::I16X8 | Ty::I8X16);
            let (cond, k_value, other) = (data.args[0], data.args[1], data.args[2]);
            let (Some(k), Some((x, below, bound))) = (uniform(func, k_value), compare(func, cond))
            else {
                continue;
            };
            if !native || bound != k {
                continue;
            }
            // `below`: `x < k` picks `k`, so the result is at least `k`: a maximum.
            let keeps = other == x
                || clamp_of(func, other, x)
                    .is_some_and(|(max, c)| max == below && if below { c <= k } else { c >= k })
                || clamp_of(func, other, x)
                    .is_some_and(|(max, c)| max != below && if below { c >= k } else { c <= k });
            if keeps {
                let op = if below { Op::Smax } else { Op::Smin };
                rewrites.push((inst, op, vec![other, k_value]));
            }
        }
    }
    let changed = !rewrites.is_empty();
    for (inst, op, args) in rewrites {
        let d = func.inst_mut(inst);
        d.op = op;
        d.args = args;
    }
    changed
}

/// `(x, below, k)` for a signed comparison of `x` with the constant `k` whose true edge means
/// `x <= k` (`below`) or `x >= k` (either operand order).
fn compare(func: &Function, cond: Value) -> Option<(Value, bool, i64)> {
    let ValueDef::Result(inst, 0) = func.value_def(cond) else {
        return None;
    };
    let data = func.inst(inst);
    let Op::Icmp(cc) = data.op else { return None };
    let (x, k, cc) = match (uniform(func, data.args[0]), uniform(func, data.args[1])) {
        (None, Some(k)) => (data.args[0], k, cc),
        (Some(k), None) => {
            let swapped = match cc {
                IntCC::Slt => IntCC::Sgt,
                IntCC::Sle => IntCC::Sge,
                IntCC::Sgt => IntCC::Slt,
                IntCC::Sge => IntCC::Sle,
                _ => return None,
            };
            (data.args[1], k, swapped)
        }
        _ => return None,
    };
    match cc {
        IntCC::Slt | IntCC::Sle => Some((x, true, k)),
        IntCC::Sgt | IntCC::Sge => Some((x, false, k)),
        _ => None,
    }
}

/// `(is_max, c)` when `v` is `x` clamped by the constant `c`: `smax`/`smin` of `x` and `c`, or
/// a select that the rule of [`clamps`] would make one (`select(x < c, c, x)`).
fn clamp_of(func: &Function, v: Value, x: Value) -> Option<(bool, i64)> {
    let ValueDef::Result(inst, 0) = func.value_def(v) else {
        return None;
    };
    let data = func.inst(inst);
    match data.op {
        Op::Smax | Op::Smin => {
            let c = match (data.args[0] == x, data.args[1] == x) {
                (true, _) => uniform(func, data.args[1])?,
                (_, true) => uniform(func, data.args[0])?,
                _ => return None,
            };
            Some((data.op == Op::Smax, c))
        }
        Op::Select if data.args[2] == x => {
            let c = uniform(func, data.args[1])?;
            let (y, below, bound) = compare(func, data.args[0])?;
            (y == x && bound == c).then_some((below, c))
        }
        _ => None,
    }
}

/// The value of an integer constant or of a splat of one.
fn uniform(func: &Function, v: Value) -> Option<i64> {
    let ValueDef::Result(inst, 0) = func.value_def(v) else {
        return None;
    };
    match func.inst(inst).op {
        Op::Iconst(c) if func.value_type(v).is_int() => Some(c),
        Op::Splat => uniform(func, func.inst(inst).args[0]),
        _ => None,
    }
}

fn constant(func: &Function, v: Value) -> Option<i64> {
    let ValueDef::Result(inst, 0) = func.value_def(v) else {
        return None;
    };
    match func.inst(inst).op {
        Op::Iconst(c) => Some(c),
        _ => None,
    }
}

/// The bits of `c` as an unsigned value of `ty`'s width.
fn unsigned(c: i64, ty: Ty) -> u64 {
    let bits = ty.bits();
    if bits >= 64 {
        c as u64
    } else {
        c as u64 & ((1u64 << bits) - 1)
    }
}

/// The largest value (unsigned) the dividend `x` can have at block `at`.
fn dividend_bound(func: &Function, facts: &SignFacts, x: Value, at: Block) -> u64 {
    let ty = func.value_type(x);
    let all = unsigned(-1, ty);
    if facts.non_negative(func, x, at) {
        return all >> 1;
    }
    let ValueDef::Result(inst, 0) = func.value_def(x) else {
        return all;
    };
    let d = func.inst(inst);
    match d.op {
        Op::Uext => unsigned(-1, func.value_type(d.args[0])),
        Op::Ushr => match constant(func, d.args[1]) {
            Some(k) => all >> (k as u64 % u64::from(ty.bits())),
            None => all,
        },
        Op::Band => [d.args[0], d.args[1]]
            .iter()
            .filter_map(|&v| constant(func, v))
            .map(|k| unsigned(k, ty))
            .min()
            .unwrap_or(all),
        _ => all,
    }
}

/// The value whose remainder by `c` the `i64` value `r` is, if `r` is `x % c` as lowering and
/// `index_range` leave it: `urem x, c`, or `x - q * c` with `q` Python's floor quotient
/// (`s ^ ((x ^ s) / c)` with `s = x >> 63`, or `x / c` where `x` is known non-negative).
/// Returns `x` and, where it may be negative, its sign mask `s`.
fn remainder_of(func: &Function, r: Value, c: u64) -> Option<(Value, Option<Value>)> {
    let def = |v: Value| match func.value_def(v) {
        ValueDef::Result(inst, 0) => Some(func.inst(inst)),
        _ => None,
    };
    let is_c = |v: Value| constant(func, v).map(|k| k as u64) == Some(c);
    let d = def(r)?;
    if d.op == Op::Urem && is_c(d.args[1]) {
        return Some((d.args[0], None));
    }
    if d.op != Op::Isub {
        return None;
    }
    let x = d.args[0];
    let product = def(d.args[1])?;
    if product.op != Op::Imul {
        return None;
    }
    let q = match (is_c(product.args[0]), is_c(product.args[1])) {
        (_, true) => product.args[0],
        (true, _) => product.args[1],
        _ => return None,
    };
    let q_def = def(q)?;
    if q_def.op == Op::Udiv && q_def.args[0] == x && is_c(q_def.args[1]) {
        return Some((x, None));
    }
    // `s ^ ((x ^ s) / c)`.
    if q_def.op != Op::Bxor {
        return None;
    }
    let sign = |v: Value| {
        def(v).is_some_and(|s| {
            s.op == Op::Sshr && s.args[0] == x && constant(func, s.args[1]) == Some(63)
        })
    };
    let (s_v, div) = match (sign(q_def.args[0]), sign(q_def.args[1])) {
        (true, _) => (q_def.args[0], q_def.args[1]),
        (_, true) => (q_def.args[1], q_def.args[0]),
        _ => return None,
    };
    let div = def(div)?;
    if div.op != Op::Udiv || !is_c(div.args[1]) {
        return None;
    }
    let flipped = def(div.args[0])?;
    let flips_x = flipped.op == Op::Bxor
        && ((flipped.args[0] == x && flipped.args[1] == s_v)
            || (flipped.args[1] == x && flipped.args[0] == s_v));
    flips_x.then_some((x, Some(s_v)))
}

/// `x % c == 0` (or `!= 0`) of `i64` values, for a constant `c >= 2` not a power of two (those
/// are a mask already), becomes a divisibility test without the quotient: with
/// `c = d * 2^k`, `d` odd and `inv` its inverse modulo `2^64`, `|x|` is a multiple of `c`
/// exactly when `rotr(|x| * inv, k) <= (2^64 - 1) / c` (unsigned; Granlund–Montgomery, as
/// LLVM folds `urem == 0`). `x` and `|x|` have the same divisors, and the magnitude
/// `(x ^ s) - s` is exact as an unsigned value (`2^63` for `MIN`). Three instructions and a
/// multiplication instead of a multiply-high, a multiplication and four more.
pub(super) fn divisibility_tests(func: &mut Function) -> bool {
    let mut plans = Vec::new();
    for &b in &func.layout {
        for &inst in &func.block(b).insts {
            let d = func.inst(inst);
            let Op::Icmp(cc @ (IntCC::Eq | IntCC::Ne)) = d.op else {
                continue;
            };
            let (r, zero) = (d.args[0], d.args[1]);
            if constant(func, zero) != Some(0) || func.value_type(r) != Ty::I64 {
                continue;
            }
            let divisor = match func.value_def(r) {
                ValueDef::Result(def, 0) => {
                    let def = func.inst(def);
                    match def.op {
                        Op::Urem => constant(func, def.args[1]),
                        Op::Isub => match func.value_def(def.args[1]) {
                            ValueDef::Result(m, 0) if func.inst(m).op == Op::Imul => {
                                let m = func.inst(m);
                                constant(func, m.args[1]).or(constant(func, m.args[0]))
                            }
                            _ => None,
                        },
                        _ => None,
                    }
                }
                _ => None,
            };
            let Some(c) = divisor.map(|c| c as u64) else {
                continue;
            };
            if c < 2 || c.is_power_of_two() {
                continue;
            }
            if let Some((x, sign)) = remainder_of(func, r, c) {
                plans.push((inst, cc, x, sign, c));
            }
        }
    }
    let mut pending: HashMap<Inst, Vec<Inst>> = HashMap::new();
    for &(inst, cc, x, sign, c) in &plans {
        let mut e = Emitter::at(func, inst);
        let magnitude = match sign {
            Some(s) => {
                let flipped = e.op(Op::Bxor, vec![x, s], Ty::I64);
                e.op(Op::Isub, vec![flipped, s], Ty::I64)
            }
            None => x,
        };
        let k = c.trailing_zeros();
        let odd = c >> k;
        let inverse = e.iconst(Ty::I64, odd_inverse(odd) as i64);
        let mut t = e.op(Op::Imul, vec![magnitude, inverse], Ty::I64);
        if k > 0 {
            let kv = e.iconst(Ty::I64, i64::from(k));
            t = e.op(Op::Rotr, vec![t, kv], Ty::I64);
        }
        let limit = e.iconst(Ty::I64, (u64::MAX / c) as i64);
        pending.insert(inst, e.done());
        let d = func.inst_mut(inst);
        d.op = Op::Icmp(if cc == IntCC::Eq {
            IntCC::Ule
        } else {
            IntCC::Ugt
        });
        d.args = vec![t, limit];
    }
    if pending.is_empty() {
        return false;
    }
    for b in func.layout.clone() {
        let mut insts = Vec::with_capacity(func.block(b).insts.len());
        for inst in func.block(b).insts.clone() {
            if let Some(before) = pending.remove(&inst) {
                insts.extend(before);
            }
            insts.push(inst);
        }
        func.block_mut(b).insts = insts;
    }
    true
}

/// The inverse of an odd `d` modulo `2^64` (Newton's iteration doubles the correct low bits:
/// `d` itself is right to 3 bits, five steps give 96).
pub fn odd_inverse(d: u64) -> u64 {
    debug_assert!(!d.is_multiple_of(2));
    let mut x = d;
    for _ in 0..5 {
        x = x.wrapping_mul(2u64.wrapping_sub(d.wrapping_mul(x)));
    }
    x
}

/// `udiv x, c > 0` (or `!= 0`) is `x >= c` unsigned, and `== 0` (or `<= 0`) is `x < c`, for a
/// constant `c >= 2` (the quotient is below `2^(w-1)`, so its signed and unsigned order agree):
/// a rotated `while x > 0: ... x //= 10` then tests `x >= 10` without waiting for the division,
/// as LLVM does.
fn compare_quotients(func: &mut Function) -> bool {
    let mut changed = false;
    for b in func.layout.clone() {
        for inst in func.block(b).insts.clone() {
            let d = func.inst(inst);
            let Op::Icmp(cc) = d.op else { continue };
            if constant(func, d.args[1]) != Some(0) {
                continue;
            }
            let ValueDef::Result(div, 0) = func.value_def(d.args[0]) else {
                continue;
            };
            let div = func.inst(div);
            if div.op != Op::Udiv {
                continue;
            }
            let ty = func.value_type(d.args[0]);
            let divisor = constant(func, div.args[1]).map(|c| unsigned(c, ty));
            if divisor.is_none_or(|c| c < 2) {
                continue;
            }
            let new_cc = match cc {
                IntCC::Sgt | IntCC::Ne | IntCC::Ugt => IntCC::Uge,
                IntCC::Sle | IntCC::Eq | IntCC::Ule => IntCC::Ult,
                _ => continue,
            };
            let args = vec![div.args[0], div.args[1]];
            let d = func.inst_mut(inst);
            d.op = Op::Icmp(new_cc);
            d.args = args;
            changed = true;
        }
    }
    changed
}

/// `x * 3|5|9` → `x + (x << k)`: the new instructions to insert before `inst`.
fn small_multiple(func: &mut Function, inst: Inst) -> Option<Vec<Inst>> {
    let data = func.inst(inst);
    let ty = func.value_type(*data.results.first()?);
    if data.op != Op::Imul || !ty.is_int() || ty == Ty::Ptr {
        return None;
    }
    let factor = |c: Value| match constant(func, c) {
        Some(3) => Some(1),
        Some(5) => Some(2),
        Some(9) => Some(3),
        _ => None,
    };
    let (x, shift) = match (factor(data.args[1]), factor(data.args[0])) {
        (Some(k), _) => (data.args[0], k),
        (None, Some(k)) => (data.args[1], k),
        _ => return None,
    };
    let mut e = Emitter::at(func, inst);
    let k = e.iconst(ty, shift);
    let shifted = e.op(Op::Ishl, vec![x, k], ty);
    let new = e.done();
    let d = func.inst_mut(inst);
    d.op = Op::Iadd;
    d.args = vec![x, shifted];
    Some(new)
}

/// `x / 2^k` → `x * 2^-k` (scalar or lanes) where `2^-k` is exact in the float type: the new
/// instructions to insert before `inst`.
fn exact_reciprocal(func: &mut Function, inst: Inst) -> Option<Vec<Inst>> {
    let data = func.inst(inst);
    let ty = func.value_type(*data.results.first()?);
    if data.op != Op::Fdiv || !ty.lane().is_float() {
        return None;
    }
    let divisor = data.args[1];
    let (c, splat) = match func.value_def(divisor) {
        ValueDef::Result(d, 0) => match func.inst(d).op {
            Op::Fconst(c) => (c, false),
            Op::Splat => match func.value_def(func.inst(d).args[0]) {
                ValueDef::Result(s, 0) => match func.inst(s).op {
                    Op::Fconst(c) => (c, true),
                    _ => return None,
                },
                _ => return None,
            },
            _ => return None,
        },
        _ => return None,
    };
    let reciprocal = exact_power_of_two_reciprocal(c, ty.lane())?;
    let mut e = Emitter::at(func, inst);
    let mut r = e.op(Op::Fconst(reciprocal), Vec::new(), ty.lane());
    if splat {
        r = e.op(Op::Splat, vec![r], ty);
    }
    let new = e.done();
    let d = func.inst_mut(inst);
    d.op = Op::Fmul;
    d.args[1] = r;
    Some(new)
}

/// `1 / c` when `c` is a power of two (of either sign) whose reciprocal `lane` (`f32` or `f64`)
/// holds exactly, subnormal reciprocals included; `None` otherwise.
pub fn exact_power_of_two_reciprocal(c: f64, lane: Ty) -> Option<f64> {
    if lane == Ty::F32 {
        let c = c as f32;
        let mantissa = c.to_bits() & 0x007f_ffff;
        if !c.is_normal() || mantissa != 0 {
            return None;
        }
        let r = 1.0f32 / c;
        (r.is_finite() && r != 0.0 && f64::from(r) * f64::from(c) == 1.0).then_some(f64::from(r))
    } else {
        let mantissa = c.to_bits() & 0x000f_ffff_ffff_ffff;
        if !c.is_normal() || mantissa != 0 {
            return None;
        }
        let r = 1.0 / c;
        (r.is_finite() && r != 0.0 && r * c == 1.0).then_some(r)
    }
}

/// Rewrites `inst` (`udiv x, c` or `urem x, c`, `c != 0`): returns the instructions to insert
/// before it, and for a quotient computed by them, `(inst's result, the quotient)` to replace
/// it with (`inst` is otherwise rewritten in place).
fn expand_division(
    func: &mut Function,
    inst: Inst,
    c: u64,
    bound: u64,
) -> (Vec<Inst>, Option<(Value, Value)>) {
    let data = func.inst(inst);
    let (x, remainder) = (data.args[0], data.op == Op::Urem);
    let ty = func.value_type(x);
    let mut e = Emitter::at(func, inst);
    // The quotient, and what `inst` becomes.
    let (final_op, final_args) = if c.is_power_of_two() {
        let k = c.trailing_zeros() as i64;
        if remainder {
            let mask = e.iconst(ty, (c - 1) as i64);
            (Op::Band, vec![x, mask])
        } else {
            let k = e.iconst(ty, k);
            (Op::Ushr, vec![x, k])
        }
    } else {
        let q = if c > bound {
            e.iconst(ty, 0)
        } else if c > unsigned(-1, ty) >> 1 {
            // At most one: x >= c.
            let cv = e.iconst(ty, c as i64);
            let ge = e.op(Op::Icmp(IntCC::Uge), vec![x, cv], Ty::Bool);
            e.op(Op::Uext, vec![ge], ty)
        } else {
            quotient(&mut e, x, c, bound)
        };
        if !remainder {
            let new = e.done();
            return (new, Some((func.inst(inst).results[0], q)));
        }
        let cv = e.iconst(ty, c as i64);
        let back = e.op(Op::Imul, vec![q, cv], ty);
        (Op::Isub, vec![x, back])
    };
    let new = e.done();
    let d = func.inst_mut(inst);
    d.op = final_op;
    d.args = final_args;
    (new, None)
}

/// `floor(x / c)` for `x <= bound`, `c` not a power of two and at most `bound` and half the
/// type's range.
fn quotient(e: &mut Emitter, x: Value, c: u64, bound: u64) -> Value {
    let ty = e.func.value_type(x);
    if ty.bits() < 64 {
        // Widened, p = 0 always works: e = m*c - 2^64 < c < 2^32 and x < 2^32.
        let wide = e.op(Op::Uext, vec![x], Ty::I64);
        let q = quotient(e, wide, c, bound);
        return e.op(Op::Ireduce, vec![q], ty);
    }
    if let Some((m, p)) = magic(c, bound) {
        let mv = e.iconst(Ty::I64, m as i64);
        let hi = e.op(Op::Umulhi, vec![x, mv], Ty::I64);
        if p == 0 {
            return hi;
        }
        let pv = e.iconst(Ty::I64, i64::from(p));
        return e.op(Op::Ushr, vec![hi, pv], Ty::I64);
    }
    if c.is_multiple_of(2) {
        let z = c.trailing_zeros();
        let zv = e.iconst(Ty::I64, i64::from(z));
        let shifted = e.op(Op::Ushr, vec![x, zv], Ty::I64);
        return quotient(e, shifted, c >> z, bound >> z);
    }
    // Odd divisor, full 64-bit dividend: m needs 65 bits; add the dividend back.
    let l = 64 - (c - 1).leading_zeros(); // ceil(log2 c)
    let m = (1u128 << (64 + l)).div_ceil(u128::from(c)) - (1u128 << 64);
    let mv = e.iconst(Ty::I64, m as u64 as i64);
    let t = e.op(Op::Umulhi, vec![x, mv], Ty::I64);
    let diff = e.op(Op::Isub, vec![x, t], Ty::I64);
    let one = e.iconst(Ty::I64, 1);
    let half = e.op(Op::Ushr, vec![diff, one], Ty::I64);
    let sum = e.op(Op::Iadd, vec![half, t], Ty::I64);
    let pv = e.iconst(Ty::I64, i64::from(l - 1));
    e.op(Op::Ushr, vec![sum, pv], Ty::I64)
}

/// The multiplier `m < 2^64` and shift `p` with `floor(x*m / 2^(64+p)) == floor(x / c)` for
/// every `x <= bound`, smallest `p` first; `None` if every such `m` needs 65 bits.
pub fn magic(c: u64, bound: u64) -> Option<(u64, u32)> {
    let c = u128::from(c);
    for p in 0..64u32 {
        let two = 1u128 << (64 + p);
        let m = two.div_ceil(c);
        if m >> 64 != 0 {
            return None;
        }
        let error = m * c - two;
        if error
            .checked_mul(u128::from(bound))
            .is_some_and(|t| t < two)
        {
            return Some((m as u64, p));
        }
    }
    None
}

/// Builds instructions to be inserted before `at`, with its source position.
struct Emitter<'f> {
    func: &'f mut Function,
    line: u32,
    col: u32,
    new: Vec<Inst>,
}

impl<'f> Emitter<'f> {
    fn at(func: &'f mut Function, at: Inst) -> Self {
        let (line, col) = (func.inst(at).line, func.inst(at).col);
        Emitter {
            func,
            line,
            col,
            new: Vec::new(),
        }
    }
    fn op(&mut self, op: Op, args: Vec<Value>, ty: Ty) -> Value {
        let inst = self.func.create_inst(op, args, &[ty], Vec::new());
        let d = self.func.inst_mut(inst);
        d.line = self.line;
        d.col = self.col;
        self.new.push(inst);
        self.func.inst(inst).results[0]
    }
    fn iconst(&mut self, ty: Ty, value: i64) -> Value {
        let bits = ty.bits();
        let value = if bits >= 64 {
            value
        } else {
            (value << (64 - bits)) >> (64 - bits)
        };
        self.op(Op::Iconst(value), Vec::new(), ty)
    }
    fn done(self) -> Vec<Inst> {
        self.new
    }
}
