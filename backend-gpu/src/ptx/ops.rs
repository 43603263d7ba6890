//! Per-operation lowering: one IR value operation (or store) → PTX instructions.
//!
//! One exhaustive `match` over `ir::Op`, so a new operation fails to compile until it has a
//! lowering here. Control flow, calls and raises are in `function.rs`.
//!
//! Semantics worth knowing (the IR documents the rest):
//! - Integer arithmetic wraps; `div`/`rem` are never reached with a zero divisor or MIN / -1
//!   (lowering guards them). `i8`/`i16` live canonical (sign-extended) in `.b32` registers; see
//!   `regs`.
//! - Shift amounts are taken modulo the width (masked), as the IR requires; PTX itself clamps.
//! - Floats: `.rn` everywhere, no `.ftz`, no contraction. `fneg`/`fabs` flip/clear the sign bit
//!   with integer ops (exact for NaNs too). PTX `min`/`max` return the non-NaN operand and may
//!   not order zeros, so `fmin`/`fmax` select a NaN when either operand is one, and combine the
//!   bits of equal operands (`-0.0` wins `fmin`, `+0.0` wins `fmax`).
//! - `cvt.rzi` float→int saturates and maps NaN to 0, like the IR; for 8/16-bit targets the
//!   32-bit result is clamped.
//! - Memory accesses are `ld.global`/`st.global` at `[addr+offset]` (generic `ld`/`st` in a
//!   module with stack slots, whose addresses are local); `bool` is one byte 0/1.

use crate::ptx::function::Emitter;
use crate::ptx::regs::{Class, float_literal, int_literal, memory_suffix, narrow_bits};
use ir::{FloatCC, InstData, IntCC, Op, Ty, Value};

/// `32` or `64`: the width of the registers of an integer type.
fn width(ty: Ty) -> &'static str {
    if Class::of(ty) == Class::B64 {
        "64"
    } else {
        "32"
    }
}

/// Width in bits of an integer type (what shift amounts are taken modulo).
fn int_bits(ty: Ty) -> u32 {
    narrow_bits(ty).unwrap_or(if Class::of(ty) == Class::B64 { 64 } else { 32 })
}

/// The float suffix of a float type.
fn fsuf(ty: Ty) -> &'static str {
    if ty == Ty::F32 { "f32" } else { "f64" }
}

/// Re-normalises an `i8`/`i16` result to its canonical (sign-extended) form.
fn renormalise(e: &mut Emitter, d: &str, ty: Ty) {
    if let Some(bits) = narrow_bits(ty) {
        e.ins(format_args!("bfe.s32 {d}, {d}, 0, {bits}"));
    }
}

/// A temporary holding `a` (of narrow type `ty`) zero-extended to 32 bits; `a` itself for
/// the other integer types.
fn zero_extended(e: &mut Emitter, a: &str, ty: Ty) -> String {
    match narrow_bits(ty) {
        Some(bits) => {
            let t = e.temp(Class::B32);
            let mask = (1u32 << bits) - 1;
            e.ins(format_args!("and.b32 {t}, {a}, {mask}"));
            t
        }
        None => a.to_string(),
    }
}

/// `[addr+offset]`.
fn address(addr: &str, offset: i32) -> String {
    if offset == 0 {
        format!("[{addr}]")
    } else {
        format!("[{addr}+{offset}]")
    }
}

/// Lowers `store value, addr+offset`.
pub(crate) fn lower_store(e: &mut Emitter, offset: i32, args: &[Value]) -> Result<(), String> {
    let [addr, value] = args else {
        return Err("a store has an address and a value".into());
    };
    if Class::of(e.ty(*addr)?) != Class::B64 {
        return Err("the address must be ptr or i64".into());
    }
    let (a, ty) = (address(&e.reg(*addr)?, offset), e.ty(*value)?);
    let mut v = e.reg(*value)?;
    if ty == Ty::Bool {
        let t = e.temp(Class::B32);
        e.ins(format_args!("selp.u32 {t}, 1, 0, {v}"));
        v = t;
    }
    let space = e.memory_space();
    e.ins(format_args!(
        "st{space}.{} {a}, {v}",
        memory_suffix(ty, false)
    ));
    Ok(())
}

/// Lowers a single-result value operation.
pub(crate) fn lower_value_op(e: &mut Emitter, data: &InstData) -> Result<(), String> {
    let op = &data.op;
    let arity = op.value_operand_count().ok_or("is not a value operation")?;
    let [result] = data.results.as_slice() else {
        return Err(format!("expects one result, has {}", data.results.len()));
    };
    if data.args.len() != arity {
        return Err(format!("expects {arity} operands, has {}", data.args.len()));
    }
    let ty = e.ty(*result)?;
    let d = e.reg(*result)?;
    let regs: Vec<String> = data
        .args
        .iter()
        .map(|&v| e.reg(v))
        .collect::<Result<_, _>>()?;
    let tys: Vec<Ty> = data
        .args
        .iter()
        .map(|&v| e.ty(v))
        .collect::<Result<_, _>>()?;
    let arg = |i: usize| regs.get(i).map_or("", String::as_str);
    let (a, b, c) = (arg(0), arg(1), arg(2));
    let from = tys.first().copied().unwrap_or(ty);
    let need = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_string()) };
    let int_result = || need(ty.is_int() && from.is_int(), "operands must be integers");
    let float_result = || need(ty.is_float() && from == ty, "operands must be floats");
    let w = width(ty);

    match op {
        Op::Iconst(imm) => {
            need(ty.is_int(), "iconst defines an integer")?;
            e.ins(format_args!("mov.b{w} {d}, {}", int_literal(*imm, ty)));
        }
        Op::Fconst(value) => {
            need(ty.is_float(), "fconst defines a float")?;
            e.ins(format_args!(
                "mov.{} {d}, {}",
                fsuf(ty),
                float_literal(*value, ty)
            ));
        }
        Op::Bconst(value) => {
            need(ty == Ty::Bool, "bconst defines a bool")?;
            e.ins(format_args!("mov.pred {d}, {}", u8::from(*value)));
        }

        Op::Iadd | Op::Isub | Op::Imul | Op::Sdiv | Op::Srem => {
            int_result()?;
            let m = match op {
                Op::Iadd => "add.s",
                Op::Isub => "sub.s",
                Op::Imul => "mul.lo.s",
                Op::Sdiv => "div.s",
                _ => "rem.s",
            };
            e.ins(format_args!("{m}{w} {d}, {a}, {b}"));
            if *op != Op::Srem {
                renormalise(e, &d, ty);
            }
        }
        Op::Band | Op::Bor | Op::Bxor | Op::Smin | Op::Smax | Op::Umin | Op::Umax => {
            int_result()?;
            // Canonical operands give canonical results; unsigned order survives sign
            // extension.
            let m = match op {
                Op::Band => "and.b",
                Op::Bor => "or.b",
                Op::Bxor => "xor.b",
                Op::Smin => "min.s",
                Op::Smax => "max.s",
                Op::Umin => "min.u",
                _ => "max.u",
            };
            e.ins(format_args!("{m}{w} {d}, {a}, {b}"));
        }
        Op::Udiv | Op::Urem => {
            int_result()?;
            let m = if *op == Op::Udiv { "div.u" } else { "rem.u" };
            let (za, zb) = (zero_extended(e, a, ty), zero_extended(e, b, ty));
            e.ins(format_args!("{m}{w} {d}, {za}, {zb}"));
            renormalise(e, &d, ty);
        }
        Op::Umulhi => {
            int_result()?;
            let (za, zb) = (zero_extended(e, a, ty), zero_extended(e, b, ty));
            match narrow_bits(ty) {
                // Registers of narrow types are 32 bits: the whole product fits in them.
                Some(bits) => {
                    e.ins(format_args!("mul.lo.u32 {d}, {za}, {zb}"));
                    e.ins(format_args!("shr.u32 {d}, {d}, {bits}"));
                }
                None => e.ins(format_args!("mul.hi.u{w} {d}, {za}, {zb}")),
            }
            renormalise(e, &d, ty);
        }
        Op::Ineg => {
            int_result()?;
            e.ins(format_args!("neg.s{w} {d}, {a}"));
            renormalise(e, &d, ty);
        }
        Op::Bnot => {
            int_result()?;
            e.ins(format_args!("not.b{w} {d}, {a}"));
        }
        Op::Popcnt => {
            int_result()?;
            // `popc` counts into a 32-bit register; narrow operands count their own bits only.
            if Class::of(ty) == Class::B64 {
                let t = e.temp(Class::B32);
                e.ins(format_args!("popc.b64 {t}, {a}"));
                e.ins(format_args!("cvt.u64.u32 {d}, {t}"));
            } else {
                let za = zero_extended(e, a, ty);
                e.ins(format_args!("popc.b32 {d}, {za}"));
            }
        }
        Op::Ishl | Op::Sshr | Op::Ushr => {
            int_result()?;
            let amount_ty = tys[1];
            need(amount_ty.is_int(), "the shift amount must be an integer")?;
            let t = e.temp(Class::B32);
            let mask = int_bits(ty) - 1;
            if Class::of(amount_ty) == Class::B64 {
                e.ins(format_args!("cvt.u32.u64 {t}, {b}"));
                e.ins(format_args!("and.b32 {t}, {t}, {mask}"));
            } else {
                e.ins(format_args!("and.b32 {t}, {b}, {mask}"));
            }
            match op {
                Op::Ishl => {
                    e.ins(format_args!("shl.b{w} {d}, {a}, {t}"));
                    renormalise(e, &d, ty);
                }
                Op::Sshr => e.ins(format_args!("shr.s{w} {d}, {a}, {t}")),
                _ => {
                    let za = zero_extended(e, a, ty);
                    e.ins(format_args!("shr.u{w} {d}, {za}, {t}"));
                    renormalise(e, &d, ty);
                }
            }
        }
        Op::Rotr => {
            // `(a >> k) | (a << (bits - k))` with `k` the amount modulo the width: PTX
            // shifts by the whole width give zero, so `k = 0` leaves `a`.
            int_result()?;
            let amount_ty = tys[1];
            need(amount_ty.is_int(), "the rotation amount must be an integer")?;
            let bits = int_bits(ty);
            let k = e.temp(Class::B32);
            if Class::of(amount_ty) == Class::B64 {
                e.ins(format_args!("cvt.u32.u64 {k}, {b}"));
                e.ins(format_args!("and.b32 {k}, {k}, {}", bits - 1));
            } else {
                e.ins(format_args!("and.b32 {k}, {b}, {}", bits - 1));
            }
            let back = e.temp(Class::B32);
            e.ins(format_args!("sub.u32 {back}, {bits}, {k}"));
            let za = zero_extended(e, a, ty);
            let right = e.temp(Class::of(ty));
            e.ins(format_args!("shr.u{w} {right}, {za}, {k}"));
            e.ins(format_args!("shl.b{w} {d}, {za}, {back}"));
            e.ins(format_args!("or.b{w} {d}, {d}, {right}"));
            renormalise(e, &d, ty);
        }
        Op::Icmp(cc) => {
            need(ty == Ty::Bool, "icmp defines a bool")?;
            let (ta, tb) = (tys[0], tys[1]);
            need(
                Class::of(ta) == Class::of(tb),
                "operands must have the same type",
            )?;
            let (signed, cmp) = int_cc(*cc);
            if ta == Ty::Bool {
                // Bools compare as the integers 0 and 1.
                let (x, y) = (e.temp(Class::B32), e.temp(Class::B32));
                e.ins(format_args!("selp.u32 {x}, 1, 0, {a}"));
                e.ins(format_args!("selp.u32 {y}, 1, 0, {b}"));
                e.ins(format_args!("setp.{cmp}.u32 {d}, {x}, {y}"));
            } else {
                need(ta.is_int(), "icmp compares integers or bools")?;
                let s = if signed { "s" } else { "u" };
                e.ins(format_args!("setp.{cmp}.{s}{} {d}, {a}, {b}", width(ta)));
            }
        }

        Op::Fadd | Op::Fsub | Op::Fmul | Op::Fdiv | Op::Copysign | Op::Fma => {
            float_result()?;
            need(
                tys.iter().all(|&t| t == ty),
                "operands must have the result's type",
            )?;
            let f = fsuf(ty);
            match op {
                Op::Fadd => e.ins(format_args!("add.rn.{f} {d}, {a}, {b}")),
                Op::Fsub => e.ins(format_args!("sub.rn.{f} {d}, {a}, {b}")),
                Op::Fmul => e.ins(format_args!("mul.rn.{f} {d}, {a}, {b}")),
                Op::Fdiv => e.ins(format_args!("div.rn.{f} {d}, {a}, {b}")),
                Op::Fma => e.ins(format_args!("fma.rn.{f} {d}, {a}, {b}, {c}")),
                // PTX `copysign d, a, b` is `b` with the sign of `a`.
                _ => e.ins(format_args!("copysign.{f} {d}, {b}, {a}")),
            }
        }
        Op::Fneg | Op::Fabs => {
            float_result()?;
            let (bits, fw) = if ty == Ty::F32 {
                (Class::B32, "32")
            } else {
                (Class::B64, "64")
            };
            let t = e.temp(bits);
            let (m, mask) = match (op, ty) {
                (Op::Fneg, Ty::F32) => ("xor", "0x80000000"),
                (Op::Fneg, _) => ("xor", "0x8000000000000000"),
                (_, Ty::F32) => ("and", "0x7FFFFFFF"),
                _ => ("and", "0x7FFFFFFFFFFFFFFF"),
            };
            e.ins(format_args!("mov.b{fw} {t}, {a}"));
            e.ins(format_args!("{m}.b{fw} {t}, {t}, {mask}"));
            e.ins(format_args!("mov.b{fw} {d}, {t}"));
        }
        Op::Sqrt => {
            float_result()?;
            e.ins(format_args!("sqrt.rn.{} {d}, {a}", fsuf(ty)));
        }
        Op::Floor | Op::Ceil | Op::Trunc | Op::Nearest => {
            float_result()?;
            let mode = match op {
                Op::Floor => "rmi",
                Op::Ceil => "rpi",
                Op::Trunc => "rzi",
                _ => "rni",
            };
            let f = fsuf(ty);
            e.ins(format_args!("cvt.{mode}.{f}.{f} {d}, {a}"));
        }
        Op::Fmin | Op::Fmax => {
            float_result()?;
            need(tys[1] == ty, "operands must have the same type")?;
            let f = fsuf(ty);
            let (bits, fw) = if ty == Ty::F32 {
                (Class::B32, "32")
            } else {
                (Class::B64, "64")
            };
            let (m, combine) = if *op == Op::Fmin {
                ("min", "or")
            } else {
                ("max", "and")
            };
            let fclass = Class::of(ty);
            let (r, nan, zero) = (e.temp(fclass), e.temp(fclass), e.temp(fclass));
            let (is_nan, is_eq) = (e.temp(Class::Pred), e.temp(Class::Pred));
            let (x, y) = (e.temp(bits), e.temp(bits));
            e.ins(format_args!("{m}.{f} {r}, {a}, {b}"));
            // Equal operands (including +0.0 and -0.0): OR of the bits gives -0.0 for min,
            // AND gives +0.0 for max, and the value itself otherwise.
            e.ins(format_args!("setp.eq.{f} {is_eq}, {a}, {b}"));
            e.ins(format_args!("mov.b{fw} {x}, {a}"));
            e.ins(format_args!("mov.b{fw} {y}, {b}"));
            e.ins(format_args!("{combine}.b{fw} {x}, {x}, {y}"));
            e.ins(format_args!("mov.b{fw} {zero}, {x}"));
            e.ins(format_args!("selp.{f} {r}, {zero}, {r}, {is_eq}"));
            // A NaN operand makes the result NaN (the sum of the operands is one).
            e.ins(format_args!("setp.nan.{f} {is_nan}, {a}, {b}"));
            e.ins(format_args!("add.rn.{f} {nan}, {a}, {b}"));
            e.ins(format_args!("selp.{f} {d}, {nan}, {r}, {is_nan}"));
        }
        Op::Fcmp(cc) => {
            need(ty == Ty::Bool, "fcmp defines a bool")?;
            need(
                from.is_float() && tys[1] == from,
                "fcmp compares two equal floats",
            )?;
            // Ordered comparisons, except `ne`, which is true when unordered (Python's `!=`).
            let cmp = match cc {
                FloatCC::Eq => "eq",
                FloatCC::Ne => "neu",
                FloatCC::Lt => "lt",
                FloatCC::Le => "le",
                FloatCC::Gt => "gt",
                FloatCC::Ge => "ge",
            };
            e.ins(format_args!("setp.{cmp}.{} {d}, {a}, {b}", fsuf(from)));
        }

        Op::Not | Op::And | Op::Or => {
            need(
                ty == Ty::Bool && tys.iter().all(|&t| t == Ty::Bool),
                "operands and result must be bools",
            )?;
            match op {
                Op::Not => e.ins(format_args!("not.pred {d}, {a}")),
                Op::And => e.ins(format_args!("and.pred {d}, {a}, {b}")),
                _ => e.ins(format_args!("or.pred {d}, {a}, {b}")),
            }
        }

        Op::Sext | Op::Uext | Op::Ireduce | Op::ToBool | Op::Fpromote | Op::Fdemote => {
            convert(e, op, &d, a, from, ty)?;
        }
        Op::SToF | Op::UToF | Op::FToS | Op::FToU | Op::Bitcast => {
            convert(e, op, &d, a, from, ty)?;
        }

        Op::Select => {
            need(tys[0] == Ty::Bool, "the condition must be a bool")?;
            need(
                tys[1] == ty && tys[2] == ty,
                "both arms must have the result's type",
            )?;
            match Class::of(ty) {
                Class::Pred => {
                    e.ins(format_args!("@{a} mov.pred {d}, {b}"));
                    e.ins(format_args!("@!{a} mov.pred {d}, {c}"));
                }
                class => e.ins(format_args!(
                    "selp.{} {d}, {b}, {c}, {a}",
                    class.move_suffix()
                )),
            }
        }
        Op::Load { offset, .. } => {
            // `readonly` would allow `ld.global.nc`, but only memory that no thread writes
            // during the whole kernel may use the non-coherent path; keep the plain load.
            need(
                Class::of(from) == Class::B64,
                "the address must be ptr or i64",
            )?;
            let (at, space) = (address(a, *offset), e.memory_space());
            if ty == Ty::Bool {
                let t = e.temp(Class::B32);
                e.ins(format_args!("ld{space}.u8 {t}, {at}"));
                e.ins(format_args!("setp.ne.u32 {d}, {t}, 0"));
            } else {
                e.ins(format_args!(
                    "ld{space}.{} {d}, {at}",
                    memory_suffix(ty, true)
                ));
            }
        }

        // Vectors come only from the CPU's loop vectorizer (compile_ptx rejects them first).
        Op::Splat
        | Op::ExtractLane(_)
        | Op::Widen { .. }
        | Op::Pack
        | Op::PackSat
        | Op::UaddSat
        | Op::UsubSat => {
            return Err("vectors are not supported on the GPU".into());
        }
        Op::Store { .. }
        | Op::CallRuntime(_)
        | Op::Call(_)
        | Op::CallCatch(_)
        | Op::StackSlot(_)
        | Op::ParallelFor(_)
        | Op::Jump
        | Op::Brif
        | Op::Return
        | Op::Raise(_) => return Err("is not a value operation".into()),
    }
    Ok(())
}

/// Whether the comparison is signed, and its PTX name.
fn int_cc(cc: IntCC) -> (bool, &'static str) {
    match cc {
        IntCC::Eq => (true, "eq"),
        IntCC::Ne => (true, "ne"),
        IntCC::Slt => (true, "lt"),
        IntCC::Sle => (true, "le"),
        IntCC::Sgt => (true, "gt"),
        IntCC::Sge => (true, "ge"),
        IntCC::Ult => (false, "lo"),
        IntCC::Ule => (false, "ls"),
        IntCC::Ugt => (false, "hi"),
        IntCC::Uge => (false, "hs"),
    }
}

/// Conversions between IR types (see the IR's `Op` docs for each).
fn convert(e: &mut Emitter, op: &Op, d: &str, a: &str, from: Ty, to: Ty) -> Result<(), String> {
    let bad = || Err(format!("`{}` cannot convert {from} to {to}", ir_name(op)));
    let (fc, tc) = (Class::of(from), Class::of(to));
    match op {
        Op::Sext | Op::Uext if !to.is_int() => return bad(),
        Op::Sext | Op::Uext if from == Ty::Bool => {
            e.ins(format_args!("selp.u{} {d}, 1, 0, {a}", width(to)));
        }
        Op::Sext | Op::Uext if !from.is_int() || int_bits(to) <= int_bits(from) => return bad(),
        // Canonical narrow values are already sign-extended to 32 bits.
        Op::Sext if tc == Class::B32 => e.ins(format_args!("mov.b32 {d}, {a}")),
        Op::Sext => e.ins(format_args!("cvt.s64.s32 {d}, {a}")),
        Op::Uext if tc == Class::B32 => {
            let mask = (1u32 << int_bits(from)) - 1;
            e.ins(format_args!("and.b32 {d}, {a}, {mask}"));
        }
        Op::Uext => {
            let z = zero_extended(e, a, from);
            e.ins(format_args!("cvt.u64.u32 {d}, {z}"));
        }
        Op::Ireduce if !from.is_int() || !to.is_int() || int_bits(to) >= int_bits(from) => {
            return bad();
        }
        Op::Ireduce if fc == Class::B64 => {
            e.ins(format_args!("cvt.u32.u64 {d}, {a}"));
            renormalise(e, d, to);
        }
        Op::Ireduce => {
            let bits = int_bits(to);
            e.ins(format_args!("bfe.s32 {d}, {a}, 0, {bits}"));
        }
        Op::ToBool if to != Ty::Bool => return bad(),
        Op::ToBool if from == Ty::Bool => e.ins(format_args!("mov.pred {d}, {a}")),
        Op::ToBool if from.is_float() => {
            // `neu` is true when unordered: `bool(nan)` is True.
            let zero = float_literal(0.0, from);
            e.ins(format_args!("setp.neu.{} {d}, {a}, {zero}", fsuf(from)));
        }
        Op::ToBool => e.ins(format_args!("setp.ne.s{} {d}, {a}, 0", width(from))),
        Op::Fpromote if from == Ty::F32 && to == Ty::F64 => {
            e.ins(format_args!("cvt.f64.f32 {d}, {a}"));
        }
        Op::Fdemote if from == Ty::F64 && to == Ty::F32 => {
            e.ins(format_args!("cvt.rn.f32.f64 {d}, {a}"));
        }
        Op::SToF | Op::UToF if !from.is_int() || !to.is_float() => return bad(),
        Op::SToF => {
            e.ins(format_args!(
                "cvt.rn.{}.s{} {d}, {a}",
                fsuf(to),
                width(from)
            ));
        }
        Op::UToF => {
            let z = zero_extended(e, a, from);
            e.ins(format_args!(
                "cvt.rn.{}.u{} {d}, {z}",
                fsuf(to),
                width(from)
            ));
        }
        Op::FToS | Op::FToU if !from.is_float() || !to.is_int() => return bad(),
        Op::FToS | Op::FToU => {
            let f = fsuf(from);
            let s = if *op == Op::FToS { "s" } else { "u" };
            match narrow_bits(to) {
                None => e.ins(format_args!("cvt.rzi.{s}{}.{f} {d}, {a}", width(to))),
                Some(bits) => {
                    let t = e.temp(Class::B32);
                    e.ins(format_args!("cvt.rzi.{s}32.{f} {t}, {a}"));
                    if *op == Op::FToS {
                        let (lo, hi) = (-(1i32 << (bits - 1)), (1i32 << (bits - 1)) - 1);
                        e.ins(format_args!("max.s32 {t}, {t}, {lo}"));
                        e.ins(format_args!("min.s32 {d}, {t}, {hi}"));
                    } else {
                        let hi = (1u32 << bits) - 1;
                        e.ins(format_args!("min.u32 {t}, {t}, {hi}"));
                        e.ins(format_args!("bfe.s32 {d}, {t}, 0, {bits}"));
                    }
                }
            }
        }
        Op::Bitcast => match (from, to) {
            (Ty::I32, Ty::F32) | (Ty::F32, Ty::I32) => e.ins(format_args!("mov.b32 {d}, {a}")),
            (Ty::I64, Ty::F64) | (Ty::F64, Ty::I64) => e.ins(format_args!("mov.b64 {d}, {a}")),
            _ => return bad(),
        },
        _ => return bad(),
    }
    Ok(())
}

fn ir_name(op: &Op) -> String {
    format!("{op:?}").to_lowercase()
}
