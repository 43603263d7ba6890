//! Per-operation lowering: one IR value operation → Cranelift instructions.
//!
//! Every `ir::Op` that produces a single value without touching control flow is lowered here,
//! in one exhaustive `match`, so adding an operation to the IR fails to compile until it has a
//! lowering. Calls, terminators and stores live in `translate`, which owns control flow.
//!
//! Semantics worth knowing (the IR documents the rest):
//! - Cranelift's `sdiv`/`srem`/`udiv`/`urem` trap on a zero divisor (and `sdiv` on MIN / -1);
//!   IR lowering guards both, so the traps are never reached.
//! - Cranelift takes shift amounts modulo the width, as the IR requires.
//! - `fmin`/`fmax` propagate NaN; `nearest` rounds ties to even.
//! - `FToS`/`FToU` saturate and map NaN to 0; narrow (8/16-bit) targets convert to 32 bits and
//!   clamp, which gives the same result on every Cranelift backend.
//! - Bools are `i8` 0/1; every operation producing a bool keeps that invariant.

use crate::abi::clif_type;
use cranelift_codegen::entity::packed_option::ReservedValue;
use cranelift_codegen::ir::condcodes::{FloatCC as CFloatCC, IntCC as CIntCC};
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Type, Value, types};
use cranelift_frontend::FunctionBuilder;
use ir::{FloatCC, IntCC, Op, Ty};

/// Memory flags of an IR load. Every IR access is to valid memory (lowering checks bounds), so
/// all are `notrap`; `readonly` loads (array descriptors) also get `readonly` and `can_move`,
/// which lets Cranelift's egraph merge them and hoist them out of loops.
pub(crate) fn load_flags(readonly: bool) -> MemFlagsData {
    let flags = MemFlagsData::new().with_notrap();
    if readonly {
        flags.with_readonly().with_can_move()
    } else {
        flags
    }
}

/// A 128-bit float vector constant with only the sign bit of every lane set (`sign`) or every
/// bit but the sign (`!sign`).
fn sign_mask(b: &mut FunctionBuilder, vty: Type, sign: bool) -> Value {
    let lane_bits = vty.lane_bits();
    let lane: u64 = if sign {
        1 << (lane_bits - 1)
    } else {
        (1u64 << (lane_bits - 1)) - 1
    };
    let bytes: Vec<u8> = (0..vty.lane_count())
        .flat_map(|_| lane.to_le_bytes()[..(lane_bits / 8) as usize].to_vec())
        .collect();
    let constant = b.func.dfg.constants.insert(bytes.into());
    b.ins().vconst(vty, constant)
}

/// Memory flags of an IR store.
pub(crate) fn store_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// Operands of one value operation: Cranelift values with their IR types.
pub(crate) struct Operands<'a> {
    pub values: &'a [Value],
    pub types: &'a [Ty],
}

/// Lowers a single-result operation whose result has IR type `ty`. `Err` is a message for
/// the caller to attach the function and instruction to.
pub(crate) fn lower_value_op(
    b: &mut FunctionBuilder,
    op: &Op,
    operands: Operands<'_>,
    ty: Ty,
    pointer: Type,
) -> Result<Value, String> {
    let rty = clif_type(ty, pointer);
    let args = operands.values;
    let want = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!("expects {n} operands, has {}", args.len()))
        }
    };
    let arity = op
        .value_operand_count()
        .ok_or_else(|| "is not a value operation".to_string())?;
    want(arity)?;
    let from = operands.types.first().copied();
    // The arity is checked: the padding (Cranelift's reserved value) is never used.
    let operand = |i: usize| args.get(i).copied().unwrap_or_else(Value::reserved_value);
    let (x, y, z) = (operand(0), operand(1), operand(2));

    let v = match op {
        Op::Iconst(imm) => {
            let bits = match ty {
                Ty::Bool => (*imm != 0) as i64,
                Ty::F32 | Ty::F64 => return Err(format!("iconst cannot have type {ty}")),
                _ if rty.bits() < 64 => imm & ((1i64 << rty.bits()) - 1),
                _ => *imm,
            };
            b.ins().iconst(rty, bits)
        }
        Op::Fconst(value) => match ty {
            Ty::F32 => b.ins().f32const(*value as f32),
            Ty::F64 => b.ins().f64const(*value),
            _ => return Err(format!("fconst cannot have type {ty}")),
        },
        Op::Bconst(value) => b.ins().iconst(types::I8, *value as i64),

        Op::Iadd => b.ins().iadd(x, y),
        Op::Isub => b.ins().isub(x, y),
        Op::Imul => b.ins().imul(x, y),
        Op::Sdiv => b.ins().sdiv(x, y),
        Op::Udiv => b.ins().udiv(x, y),
        Op::Srem => b.ins().srem(x, y),
        Op::Urem => b.ins().urem(x, y),
        Op::Umulhi => b.ins().umulhi(x, y),
        Op::Ineg => b.ins().ineg(x),
        Op::Band => b.ins().band(x, y),
        Op::Bor => b.ins().bor(x, y),
        Op::Bxor => b.ins().bxor(x, y),
        // On a bool, bitwise not must stay 0/1.
        Op::Bnot if from == Some(Ty::Bool) => b.ins().bxor_imm_u(x, 1),
        Op::Bnot => b.ins().bnot(x),
        Op::Popcnt => b.ins().popcnt(x),
        Op::Ishl => b.ins().ishl(x, y),
        Op::Sshr => b.ins().sshr(x, y),
        Op::Ushr => b.ins().ushr(x, y),
        Op::Rotr => b.ins().rotr(x, y),
        Op::Smin => b.ins().smin(x, y),
        Op::Smax => b.ins().smax(x, y),
        Op::Umin => b.ins().umin(x, y),
        Op::Umax => b.ins().umax(x, y),
        Op::UaddSat => b.ins().uadd_sat(x, y),
        Op::UsubSat => b.ins().usub_sat(x, y),
        Op::Icmp(cc) => b.ins().icmp(int_cc(*cc), x, y),

        Op::Fadd => b.ins().fadd(x, y),
        Op::Fsub => b.ins().fsub(x, y),
        Op::Fmul => b.ins().fmul(x, y),
        Op::Fdiv => b.ins().fdiv(x, y),
        // Cranelift builds the sign mask of a vector `fneg`/`fabs` with two instructions at
        // every use (inside the loop); a constant-pool mask folds into the `vxorpd`/`vandpd`.
        Op::Fneg if ty.is_vector() => {
            let mask = sign_mask(b, rty, true);
            b.ins().bxor(x, mask)
        }
        Op::Fabs if ty.is_vector() => {
            let mask = sign_mask(b, rty, false);
            b.ins().band(x, mask)
        }
        Op::Fneg => b.ins().fneg(x),
        Op::Fabs => b.ins().fabs(x),
        // Scalar `sqrtsd` merges into its destination's upper half, a false dependency on the
        // previous square root that serialises independent ones (5 ns each in a map loop);
        // the packed form on a splatted operand has no such input.
        Op::Sqrt if ty.is_vector() => b.ins().sqrt(x),
        Op::Sqrt => {
            let vty = if ty == Ty::F32 {
                types::F32X4
            } else {
                types::F64X2
            };
            let v = b.ins().splat(vty, x);
            let r = b.ins().sqrt(v);
            b.ins().extractlane(r, 0)
        }
        Op::Floor => b.ins().floor(x),
        Op::Ceil => b.ins().ceil(x),
        Op::Trunc => b.ins().trunc(x),
        Op::Nearest => b.ins().nearest(x),
        Op::Fmin => b.ins().fmin(x, y),
        Op::Fmax => b.ins().fmax(x, y),
        Op::Copysign => b.ins().fcopysign(x, y),
        Op::Fma => b.ins().fma(x, y, z),
        // `a > b` is emitted as `b < a` (and `>=` as `<=`), the same ordered comparison: only
        // the `lt` form of `select(fcmp ..)` becomes `minsd`/`maxsd` in Cranelift's x64 rules,
        // so Python's `max` (`select(b > a, b, a)`) is branch-free this way.
        Op::Fcmp(FloatCC::Gt) => b.ins().fcmp(CFloatCC::LessThan, y, x),
        Op::Fcmp(FloatCC::Ge) => b.ins().fcmp(CFloatCC::LessThanOrEqual, y, x),
        // `x != x` (the NaN test) is `x` unordered with itself: one parity-flag branch on
        // x86-64, where `ne` needs two (unordered, or not equal).
        Op::Fcmp(FloatCC::Ne) if x == y => b.ins().fcmp(CFloatCC::Unordered, x, y),
        Op::Fcmp(cc) => b.ins().fcmp(float_cc(*cc), x, y),

        Op::Not if ty.is_mask() => b.ins().bnot(x),
        Op::Not => b.ins().bxor_imm_u(x, 1),
        Op::And => b.ins().band(x, y),
        Op::Or => b.ins().bor(x, y),

        // A lane mask (all bits set or clear) as 0/1 lanes.
        Op::Uext if ty.is_vector() => b.ins().ineg(x),
        Op::Sext | Op::Uext | Op::Ireduce | Op::ToBool | Op::Fpromote | Op::Fdemote => {
            let from = from.ok_or("missing operand type")?;
            convert(b, op, x, from, ty, pointer)?
        }
        Op::SToF if rty == types::F64X2 => i64x2_to_f64x2(b, x),
        Op::SToF if ty.is_vector() => b.ins().fcvt_from_sint(rty, x),
        Op::SToF | Op::UToF | Op::FToS | Op::FToU | Op::Bitcast => {
            let from = from.ok_or("missing operand type")?;
            convert(b, op, x, from, ty, pointer)?
        }

        Op::Select if ty.is_vector() => vector_select(b, x, from == Some(Ty::Bool), y, z, rty),
        Op::Select if ty.is_float() => float_select(b, x, y, z),
        // A bool (0/1) as a mask lane (all ones/zeros).
        Op::Splat if ty.is_mask() => {
            let lane = b.ins().ineg(x);
            b.ins().splat(rty, lane)
        }
        Op::Splat => b.ins().splat(rty, x),
        // A mask lane is all ones or zeros in the backend; as a bool it is 0/1.
        Op::ExtractLane(lane) if ty == Ty::Bool => {
            let wide = b.ins().extractlane(x, *lane);
            let bit = b.ins().band_imm_u(wide, 1);
            b.ins().ireduce(types::I8, bit)
        }
        Op::ExtractLane(lane) => b.ins().extractlane(x, *lane),
        // A mask widens by sign extension: all ones stay all ones.
        Op::Widen { signed, high } => match (signed | ty.is_mask(), high) {
            (true, false) => b.ins().swiden_low(x),
            (true, true) => b.ins().swiden_high(x),
            (false, false) => b.ins().uwiden_low(x),
            (false, true) => b.ins().uwiden_high(x),
        },
        Op::Pack => pack(b, x, y, ty, rty),
        // `packssdw`/`packsswb`.
        Op::PackSat if matches!(ty, Ty::I16X8 | Ty::I8X16) => b.ins().snarrow(x, y),
        Op::PackSat => return Err(format!("pack_sat cannot define {ty}")),
        Op::Select => b.ins().select(x, y, z),
        // Sixteen `bool` elements (bytes 0/1, anything nonzero counts as true) as a mask.
        Op::Load { offset, readonly } if ty == Ty::M8X16 => {
            let bytes = b.ins().load(rty, load_flags(*readonly), x, *offset);
            let zero = b.ins().iconst(types::I8, 0);
            let zeros = b.ins().splat(rty, zero);
            let is_zero = b.ins().icmp(CIntCC::Equal, bytes, zeros);
            b.ins().bnot(is_zero)
        }
        Op::Load { offset, readonly } => b.ins().load(rty, load_flags(*readonly), x, *offset),

        Op::Store { .. }
        | Op::CallRuntime(_)
        | Op::Call(_)
        | Op::CallCatch(_)
        | Op::StackSlot(_)
        | Op::ParallelFor(_)
        | Op::Jump
        | Op::Brif
        | Op::Return
        | Op::Raise(_) => return Err("is not a value operation".to_string()),
    };
    Ok(v)
}

/// Packed `i64` → `f64`, correctly rounded, without AVX-512DQ's `vcvtqq2pd` (Cranelift 0.135
/// has none: it moves each lane to a general register for `cvtsi2sd`). With `x = hi * 2^32 +
/// lo` (`hi` signed, `lo` unsigned 32-bit), the bits `0x45300000_80000000 ^ (x >> 32)` read as
/// `2^84 + 2^63 + hi * 2^32`, and `0x43300000_00000000 | lo` as `2^52 + lo`; subtracting
/// `2^84 + 2^63 + 2^52` from the first is exact (a multiple of `2^32` below `2^64` in
/// magnitude), and adding the second rounds once, as `cvtsi2sd` does.
fn i64x2_to_f64x2(b: &mut FunctionBuilder, x: Value) -> Value {
    let little = MemFlagsData::new().with_endianness(cranelift_codegen::ir::Endianness::Little);
    let splat = |b: &mut FunctionBuilder, bits: u64| {
        let k = b.ins().iconst(types::I64, bits as i64);
        b.ins().splat(types::I64X2, k)
    };
    let low_mask = splat(b, 0xFFFF_FFFF);
    let low_exponent = splat(b, 0x4330_0000_0000_0000);
    let high_exponent = splat(b, 0x4530_0000_8000_0000);
    let low = b.ins().band(x, low_mask);
    let low = b.ins().bor(low, low_exponent);
    let high = b.ins().ushr_imm_u(x, 32);
    let high = b.ins().bxor(high, high_exponent);
    let low = b.ins().bitcast(types::F64X2, little, low);
    let high = b.ins().bitcast(types::F64X2, little, high);
    let offset = b
        .ins()
        .f64const(2f64.powi(84) + 2f64.powi(63) + 2f64.powi(52));
    let offset = b.ins().splat(types::F64X2, offset);
    let high = b.ins().fsub(high, offset);
    b.ins().fadd(high, low)
}

/// The lanes of `x` then `y`, each truncated to half its width (`Op::Pack`; `ty` the result).
/// x86 packs saturate: a mask's lanes (0 or -1) survive `packsswb`/`packssdw` as they are, and
/// an integer's low half does `packuswb`/`packusdw` once the high half is cleared. Lanes of 64
/// bits have no pack; their low halves are picked by one `shufps`.
fn pack(b: &mut FunctionBuilder, x: Value, y: Value, ty: Ty, rty: Type) -> Value {
    use cranelift_codegen::ir::ConstantData;
    let little = MemFlagsData::new().with_endianness(cranelift_codegen::ir::Endianness::Little);
    if matches!(ty, Ty::I32X4 | Ty::M32X4) {
        let xb = b.ins().bitcast(types::I8X16, little, x);
        let yb = b.ins().bitcast(types::I8X16, little, y);
        // Bytes 0-3 and 8-11 of each operand (16-31 name the second one's bytes).
        let picks: Vec<u8> = [0u8, 8, 16, 24]
            .iter()
            .flat_map(|&start| start..start + 4)
            .collect();
        let mask = b.func.dfg.immediates.push(ConstantData::from(picks));
        let r = b.ins().shuffle(xb, yb, mask);
        return b.ins().bitcast(rty, little, r);
    }
    if ty.is_mask() {
        return b.ins().snarrow(x, y);
    }
    let wide = b.func.dfg.value_type(x);
    let low_bits = b
        .ins()
        .iconst(wide.lane_type(), (1i64 << (wide.lane_bits() / 2)) - 1);
    let low_bits = b.ins().splat(wide, low_bits);
    let x = b.ins().band(x, low_bits);
    let y = b.ins().band(y, low_bits);
    b.ins().unarrow(x, y)
}

/// `cond ? t : f` on vectors: a whole-vector `select` on a bool, else a lane-wise blend by the
/// mask (all ones or all zeros per lane), reinterpreted as the arms' type.
fn vector_select(
    b: &mut FunctionBuilder,
    cond: Value,
    scalar_cond: bool,
    t: Value,
    f: Value,
    vty: Type,
) -> Value {
    if scalar_cond {
        return b.ins().select(cond, t, f);
    }
    let mask = if b.func.dfg.value_type(cond) == vty {
        cond
    } else {
        let little = MemFlagsData::new().with_endianness(cranelift_codegen::ir::Endianness::Little);
        b.ins().bitcast(vty, little, cond)
    };
    // A count (`c += 1` under the condition): the true lanes of the mask are -1, so
    // `select(m, f + 1, f)` is `f - m`, one instruction instead of an add and a blend.
    if vty.lane_type().is_int() && is_increment_of(b, t, f) {
        return b.ins().isub(f, mask);
    }
    b.ins().bitselect(mask, t, f)
}

/// Whether `t` is `f + splat(1)` (in either operand order).
pub(crate) fn is_increment_of(b: &FunctionBuilder, t: Value, f: Value) -> bool {
    use cranelift_codegen::ir::{InstructionData, Opcode, ValueDef};
    let dfg = &b.func.dfg;
    let defined = |v: Value| match dfg.value_def(v) {
        ValueDef::Result(inst, 0) => Some(dfg.insts[inst]),
        _ => None,
    };
    let Some(InstructionData::Binary {
        opcode: Opcode::Iadd,
        args,
    }) = defined(t)
    else {
        return false;
    };
    let step = match (args[0] == f, args[1] == f) {
        (true, _) => args[1],
        (_, true) => args[0],
        _ => return false,
    };
    let Some(InstructionData::Unary {
        opcode: Opcode::Splat,
        arg,
    }) = defined(step)
    else {
        return false;
    };
    matches!(
        defined(arg),
        Some(InstructionData::UnaryImm { opcode: Opcode::Iconst, imm }) if imm.bits() == 1
    )
}

/// `cond ? t : f` for floats without a branch. Cranelift lowers a scalar float `select` to a
/// conditional jump, which mispredicts on data-dependent conditions (`np.where`, `x if c else
/// y`). The `select(fcmp lt ..)` shapes that are a `minsd`/`maxsd` stay as they are; when the
/// condition is another comparison of floats of the same type, the comparison is redone on
/// 128-bit vectors (lane 0 holds the scalar) and its lane mask blends the two values; any
/// other condition becomes an all-ones/all-zeros mask (`bmask`) moved into a vector register.
fn float_select(b: &mut FunctionBuilder, cond: Value, t: Value, f: Value) -> Value {
    use cranelift_codegen::ir::{InstructionData, ValueDef};
    let fty = b.func.dfg.value_type(t);
    let vty = if fty == types::F32 {
        types::F32X4
    } else {
        types::F64X2
    };
    let ity = vty.as_int();
    let compare = match b.func.dfg.value_def(cond) {
        ValueDef::Result(inst, 0) => match b.func.dfg.insts[inst] {
            InstructionData::FloatCompare { cond: cc, args, .. } => Some((cc, args[0], args[1])),
            _ => None,
        },
        _ => None,
    };
    let mask = match compare {
        Some((CFloatCC::LessThan, p, q)) if (p, q) == (t, f) || (q, p) == (t, f) => {
            return b.ins().select(cond, t, f);
        }
        Some((cc, p, q)) if b.func.dfg.value_type(p) == fty => {
            let vp = b.ins().scalar_to_vector(vty, p);
            let vq = b.ins().scalar_to_vector(vty, q);
            let lanes = b.ins().fcmp(cc, vp, vq);
            b.ins().bitcast(vty, MemFlagsData::new(), lanes)
        }
        _ => {
            let wide = b.ins().uextend(types::I64, cond);
            let neg = b.ins().ineg(wide);
            let lane = if fty == types::F32 {
                b.ins().ireduce(types::I32, neg)
            } else {
                neg
            };
            let lanes = b.ins().splat(ity, lane);
            b.ins().bitcast(vty, MemFlagsData::new(), lanes)
        }
    };
    let vt = b.ins().scalar_to_vector(vty, t);
    let vf = b.ins().scalar_to_vector(vty, f);
    let chosen = b.ins().bitselect(mask, vt, vf);
    b.ins().extractlane(chosen, 0)
}

/// Conversions between IR types. Same-width pairs (`bool`→`i8`, `ptr`↔`i64`) are identities.
fn convert(
    b: &mut FunctionBuilder,
    op: &Op,
    x: Value,
    from: Ty,
    to: Ty,
    pointer: Type,
) -> Result<Value, String> {
    let (fty, tty) = (clif_type(from, pointer), clif_type(to, pointer));
    let bad = || Err(format!("cannot convert {from} to {to}"));
    let v = match op {
        Op::Sext | Op::Uext | Op::Ireduce if !from.is_int() && from != Ty::Bool => return bad(),
        Op::Sext | Op::Uext if !to.is_int() || tty.bits() < fty.bits() => return bad(),
        Op::Sext | Op::Uext if tty == fty => x,
        Op::Sext => b.ins().sextend(tty, x),
        Op::Uext => b.ins().uextend(tty, x),
        Op::Ireduce if tty.bits() > fty.bits() || to.is_float() => return bad(),
        Op::Ireduce => {
            let v = if tty == fty {
                x
            } else {
                b.ins().ireduce(tty, x)
            };
            // Truncating to a bool keeps the lowest bit.
            if to == Ty::Bool {
                b.ins().band_imm_u(v, 1)
            } else {
                v
            }
        }
        Op::ToBool if from == Ty::Bool => x,
        Op::ToBool if from.is_float() => {
            let zero = if fty == types::F32 {
                b.ins().f32const(0.0)
            } else {
                b.ins().f64const(0.0)
            };
            // `NotEqual` is true when unordered: `bool(nan)` is True.
            b.ins().fcmp(CFloatCC::NotEqual, x, zero)
        }
        Op::ToBool => b.ins().icmp_imm_u(CIntCC::NotEqual, x, 0),
        Op::Fpromote if from.is_float() && to.is_float() && tty.bits() >= fty.bits() => {
            if tty == fty {
                x
            } else {
                b.ins().fpromote(tty, x)
            }
        }
        Op::Fdemote if from.is_float() && to.is_float() && tty.bits() <= fty.bits() => {
            if tty == fty {
                x
            } else {
                b.ins().fdemote(tty, x)
            }
        }
        Op::SToF | Op::UToF if from.is_float() || !to.is_float() => return bad(),
        Op::SToF => {
            let wide = widen_to_32(b, x, fty, from != Ty::Bool);
            b.ins().fcvt_from_sint(tty, wide)
        }
        Op::UToF => {
            let wide = widen_to_32(b, x, fty, false);
            b.ins().fcvt_from_uint(tty, wide)
        }
        Op::FToS | Op::FToU if !from.is_float() || !to.is_int() => return bad(),
        Op::FToS if tty.bits() >= 32 => b.ins().fcvt_to_sint_sat(tty, x),
        Op::FToU if tty.bits() >= 32 => b.ins().fcvt_to_uint_sat(tty, x),
        Op::FToS => {
            let wide = b.ins().fcvt_to_sint_sat(types::I32, x);
            let bits = tty.bits();
            let lo = b
                .ins()
                .iconst(types::I32, -(1i64 << (bits - 1)) & 0xffff_ffff);
            let hi = b.ins().iconst(types::I32, (1i64 << (bits - 1)) - 1);
            let clamped = b.ins().smax(wide, lo);
            let clamped = b.ins().smin(clamped, hi);
            b.ins().ireduce(tty, clamped)
        }
        Op::FToU => {
            let wide = b.ins().fcvt_to_uint_sat(types::I32, x);
            let hi = b.ins().iconst(types::I32, (1i64 << tty.bits()) - 1);
            let clamped = b.ins().umin(wide, hi);
            b.ins().ireduce(tty, clamped)
        }
        Op::Bitcast if fty.bits() != tty.bits() || from == Ty::Bool || to == Ty::Bool => {
            return bad();
        }
        Op::Bitcast if fty == tty => x,
        Op::Bitcast => b.ins().bitcast(tty, MemFlagsData::new(), x),
        _ => return bad(),
    };
    Ok(v)
}

/// Extends an 8/16-bit integer to 32 bits (signed or not) before an int→float conversion, which
/// not every Cranelift backend accepts for narrow types.
fn widen_to_32(b: &mut FunctionBuilder, x: Value, ty: Type, signed: bool) -> Value {
    match (ty.bits() < 32, signed) {
        (false, _) => x,
        (true, true) => b.ins().sextend(types::I32, x),
        (true, false) => b.ins().uextend(types::I32, x),
    }
}

fn int_cc(cc: IntCC) -> CIntCC {
    match cc {
        IntCC::Eq => CIntCC::Equal,
        IntCC::Ne => CIntCC::NotEqual,
        IntCC::Slt => CIntCC::SignedLessThan,
        IntCC::Sle => CIntCC::SignedLessThanOrEqual,
        IntCC::Sgt => CIntCC::SignedGreaterThan,
        IntCC::Sge => CIntCC::SignedGreaterThanOrEqual,
        IntCC::Ult => CIntCC::UnsignedLessThan,
        IntCC::Ule => CIntCC::UnsignedLessThanOrEqual,
        IntCC::Ugt => CIntCC::UnsignedGreaterThan,
        IntCC::Uge => CIntCC::UnsignedGreaterThanOrEqual,
    }
}

/// Cranelift's `eq`/`lt`/... are ordered (false on NaN); its `ne` is unordered-or-not-equal,
/// which is Python's `!=`.
fn float_cc(cc: FloatCC) -> CFloatCC {
    match cc {
        FloatCC::Eq => CFloatCC::Equal,
        FloatCC::Ne => CFloatCC::NotEqual,
        FloatCC::Lt => CFloatCC::LessThan,
        FloatCC::Le => CFloatCC::LessThanOrEqual,
        FloatCC::Gt => CFloatCC::GreaterThan,
        FloatCC::Ge => CFloatCC::GreaterThanOrEqual,
    }
}
