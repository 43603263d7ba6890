//! Constant folding and exact algebraic simplification.
//!
//! An instruction whose operands are all constants becomes a constant (`iconst`/`fconst`/
//! `bconst`, keeping its result value); a `brif` on a constant becomes a `jump`; a `select` on
//! a constant becomes its arm. Semantics are the IR's (see [`crate::function::Op`]):
//! - integers wrap at their type's width; each op reads the bits as signed or unsigned as it
//!   says; shift amounts are taken modulo the width. Division and remainder by zero, and signed
//!   `MIN / -1`, `MIN % -1`, are left alone (they trap at run time; lowering guards them).
//! - floats fold exactly as IEEE-754 does in the op's type (`f32` ops are computed in `f32`
//!   or, where one rounding of an `f64` result is provably the same, in `f64`). Nothing is
//!   folded whose result is a NaN, so NaN payloads stay the hardware's. `fmin`/`fmax` with a
//!   NaN operand are left alone; `-0.0 < +0.0` for them. Runtime calls are never folded
//!   (libm may differ between compile and run time).
//! - conversions saturate like the ops (`ftos`/`ftou`: NaN → 0), `bitcast` keeps bits.
//!
//! Identities that hold for every input are applied even without constants: `x+0`, `x-0`,
//! `x*1`, `x*0`, `x/1`, `x%1`, `x&0`, `x&-1`, `x|0`, `x|-1`, `x^0`, `x-x`, `x^x`, `x&x`, `x|x`,
//! shifts by 0, `min/max(x, x)`, `icmp x, x`, `and/or` with constants or equal operands,
//! `select c, x, x`, and for floats only the exact ones: `x*1.0`, `x/1.0`, `x-(+0.0)`,
//! `x+(-0.0)` (not `x*0.0` or `x+0.0`, which are wrong for NaN, infinities and `-0.0`).

use super::util::{DomTree, resolve, substitute};
use crate::function::*;
use std::collections::{HashMap, HashSet};

/// A known constant: integers canonical (sign-extended from their type's width), floats exact
/// in their type.
#[derive(Copy, Clone, Debug, PartialEq)]
pub(crate) enum Const {
    Int(i64),
    Float(f64),
    Bool(bool),
}

enum Fold {
    Const(Const),
    Alias(Value),
}

pub fn run(func: &mut Function) -> bool {
    let mut consts: HashMap<Value, Const> = HashMap::new();
    let mut aliases: HashMap<Value, Value> = HashMap::new();
    let mut removed: HashSet<Inst> = HashSet::new();
    let mut changed = false;
    let rpo = DomTree::compute(func).rpo().to_vec();
    for block in rpo {
        for inst in func.block(block).insts.clone() {
            let data = func.inst_mut(inst);
            for v in data
                .args
                .iter_mut()
                .chain(data.targets.iter_mut().flat_map(|t| &mut t.args))
            {
                *v = resolve(&aliases, *v);
            }
            let data = func.inst(inst);
            if let Some(c) = constant_of(func, data) {
                consts.insert(data.results[0], c);
                continue;
            }
            if data.op == Op::Brif {
                if let Some(&Const::Bool(cond)) = consts.get(&data.args[0]) {
                    let data = func.inst_mut(inst);
                    let taken = data.targets.swap_remove(if cond { 0 } else { 1 });
                    data.op = Op::Jump;
                    data.args.clear();
                    data.targets = vec![taken];
                    changed = true;
                }
                continue;
            }
            let Some(fold) = fold(func, data, &consts) else {
                continue;
            };
            let result = data.results[0];
            let ty = func.value_type(result);
            match fold {
                Fold::Alias(v) if func.value_type(v) == ty => {
                    aliases.insert(result, v);
                    removed.insert(inst);
                }
                Fold::Alias(_) => continue,
                Fold::Const(c) => {
                    let data = func.inst_mut(inst);
                    data.args.clear();
                    data.op = match c {
                        Const::Int(n) => Op::Iconst(n),
                        Const::Float(x) => Op::Fconst(x),
                        Const::Bool(b) => Op::Bconst(b),
                    };
                    consts.insert(result, c);
                }
            }
            changed = true;
        }
    }
    substitute(func, &aliases);
    for &block in &func.layout.clone() {
        func.block_mut(block).insts.retain(|i| !removed.contains(i));
    }
    changed
}

/// `copy_descriptor d` (lowering's "this array may be returned") is `d` itself when `d`
/// already outlives the frame: a parameter of the function (the caller's descriptor) or a
/// descriptor the arena made. Lowering sees block parameters that only later prove to be the
/// entry's, so the decision is made here, after the trivial parameters are gone.
fn redundant_descriptor_copy(func: &Function, data: &InstData) -> Option<Fold> {
    use runtime::math::RuntimeFn;
    if data.op != Op::CallRuntime(RuntimeFn::CopyDescriptor) {
        return None;
    }
    let source = data.args[0];
    let outlives_frame = match func.value_def(source) {
        ValueDef::Param(block, _) => Some(block) == func.entry(),
        ValueDef::Result(inst, _) => matches!(
            func.inst(inst).op,
            Op::CallRuntime(RuntimeFn::AllocArray | RuntimeFn::CopyDescriptor)
        ),
    };
    outlives_frame.then_some(Fold::Alias(source))
}

/// The constant `data` computes when its operands have the values in `consts`, by the same
/// rules as the pass (for passes that run a loop's control ahead of time); `None` if it does
/// not compute one or it must not be folded.
pub(crate) fn evaluate_inst(
    func: &Function,
    data: &InstData,
    consts: &HashMap<Value, Const>,
) -> Option<Const> {
    if let Some(c) = constant_of(func, data) {
        return Some(c);
    }
    match fold(func, data, consts)? {
        Fold::Const(c) => Some(c),
        Fold::Alias(v) => consts.get(&v).copied(),
    }
}

/// The value of a constant instruction.
fn constant_of(func: &Function, data: &InstData) -> Option<Const> {
    let ty = func.value_type(*data.results.first()?);
    Some(match data.op {
        Op::Iconst(n) => Const::Int(sext(n, ty.bits())),
        Op::Fconst(x) if ty == Ty::F32 => Const::Float(x as f32 as f64),
        Op::Fconst(x) => Const::Float(x),
        Op::Bconst(b) => Const::Bool(b),
        _ => return None,
    })
}

/// Sign-extends the low `bits` of `v`.
fn sext(v: i64, bits: u32) -> i64 {
    if bits >= 64 {
        v
    } else {
        (v << (64 - bits)) >> (64 - bits)
    }
}

/// Zero-extends the low `bits` of `v`.
fn zext(v: i64, bits: u32) -> u64 {
    if bits >= 64 {
        v as u64
    } else {
        (v as u64) & ((1u64 << bits) - 1)
    }
}

fn fold(func: &Function, data: &InstData, consts: &HashMap<Value, Const>) -> Option<Fold> {
    if let Some(fold) = redundant_descriptor_copy(func, data) {
        return Some(fold);
    }
    if data.results.len() != 1 || !data.op.is_pure() {
        return None;
    }
    let result_ty = func.value_type(data.results[0]);
    let args: Vec<Option<Const>> = data.args.iter().map(|v| consts.get(v).copied()).collect();
    let arg_types: Vec<Ty> = data.args.iter().map(|&v| func.value_type(v)).collect();
    if let Some(fold) = identity(&data.op, &data.args, &args, result_ty) {
        return Some(fold);
    }
    let all: Vec<Const> = args.into_iter().collect::<Option<_>>()?;
    // NaN operands are only read by ops whose result does not depend on the payload.
    let reads_nan_payload = !matches!(data.op, Op::Fcmp(_) | Op::ToBool | Op::FToS | Op::FToU);
    if reads_nan_payload
        && all
            .iter()
            .any(|c| matches!(c, Const::Float(x) if x.is_nan()))
    {
        return None;
    }
    let c = evaluate(&data.op, &all, &arg_types, result_ty)?;
    match c {
        Const::Float(x) if x.is_nan() => None,
        c => Some(Fold::Const(c)),
    }
}

/// Exact identities, needing at most some constant operands.
fn identity(op: &Op, args: &[Value], consts: &[Option<Const>], ty: Ty) -> Option<Fold> {
    use Op::*;
    let int = |i: usize| match consts.get(i) {
        Some(Some(Const::Int(n))) => Some(*n),
        _ => None,
    };
    let float_bits = |i: usize| match consts.get(i) {
        Some(Some(Const::Float(x))) => Some(x.to_bits()),
        _ => None,
    };
    let boolean = |i: usize| match consts.get(i) {
        Some(Some(Const::Bool(b))) => Some(*b),
        _ => None,
    };
    let same = args.len() == 2 && args[0] == args[1];
    let alias = |i: usize| Some(Fold::Alias(args[i]));
    let int_const = |n: i64| Some(Fold::Const(Const::Int(sext(n, ty.bits()))));
    let (a, b) = (int(0), int(1));
    // Shift amounts are taken modulo the width.
    let shift_by_width_multiple = b.is_some_and(|n| zext(n, 64).is_multiple_of(ty.bits() as u64));
    match op {
        Iadd | Bor | Bxor if b == Some(0) => alias(0),
        Iadd | Bor | Bxor if a == Some(0) => alias(1),
        Isub if b == Some(0) => alias(0),
        Ishl | Sshr | Ushr if shift_by_width_multiple => alias(0),
        Imul | Sdiv | Udiv if b == Some(1) => alias(0),
        Imul if a == Some(1) => alias(1),
        Imul | Band if a == Some(0) || b == Some(0) => int_const(0),
        Srem | Urem if b == Some(1) => int_const(0),
        Band if b == Some(-1) => alias(0),
        Band if a == Some(-1) => alias(1),
        Bor if a == Some(-1) || b == Some(-1) => int_const(-1),
        Isub | Bxor if same => int_const(0),
        Band | Bor | Smin | Smax | Umin | Umax | And | Or if same => alias(0),
        Icmp(cc) if same => {
            let holds = matches!(
                cc,
                IntCC::Eq | IntCC::Sle | IntCC::Sge | IntCC::Ule | IntCC::Uge
            );
            Some(Fold::Const(Const::Bool(holds)))
        }
        And if boolean(0) == Some(true) => alias(1),
        And if boolean(1) == Some(true) => alias(0),
        And if boolean(0) == Some(false) || boolean(1) == Some(false) => {
            Some(Fold::Const(Const::Bool(false)))
        }
        Or if boolean(0) == Some(false) => alias(1),
        Or if boolean(1) == Some(false) => alias(0),
        Or if boolean(0) == Some(true) || boolean(1) == Some(true) => {
            Some(Fold::Const(Const::Bool(true)))
        }
        Select if args.len() == 3 && args[1] == args[2] => alias(1),
        Select => match boolean(0) {
            Some(true) => alias(1),
            Some(false) => alias(2),
            None => None,
        },
        Fmul if float_bits(1) == Some(1.0f64.to_bits()) => alias(0),
        Fmul if float_bits(0) == Some(1.0f64.to_bits()) => alias(1),
        Fdiv if float_bits(1) == Some(1.0f64.to_bits()) => alias(0),
        Fsub if float_bits(1) == Some(0.0f64.to_bits()) => alias(0),
        Fadd if float_bits(1) == Some((-0.0f64).to_bits()) => alias(0),
        Fadd if float_bits(0) == Some((-0.0f64).to_bits()) => alias(1),
        _ => None,
    }
}

/// Evaluates `op` on constant operands; `None` if it must not be folded.
fn evaluate(op: &Op, args: &[Const], arg_types: &[Ty], ty: Ty) -> Option<Const> {
    use Const::{Bool, Float, Int};
    use Op::*;
    let bits = ty.bits();
    let wrap = |n: i64| Some(Int(sext(n, bits)));
    let float = |x: f64| Some(Float(if ty == Ty::F32 { x as f32 as f64 } else { x }));
    match (op, args) {
        (
            Iadd | Isub | Imul | Sdiv | Udiv | Srem | Urem | Umulhi | Band | Bor | Bxor,
            &[Int(a), Int(b)],
        )
        | (Ishl | Sshr | Ushr | Rotr | Smin | Smax | Umin | Umax, &[Int(a), Int(b)]) => {
            let (ua, ub) = (zext(a, bits), zext(b, bits));
            let min = sext(1i64 << (bits - 1), bits);
            let amount = (zext(b, arg_types[1].bits()) % bits as u64) as u32;
            match op {
                Iadd => wrap(a.wrapping_add(b)),
                Isub => wrap(a.wrapping_sub(b)),
                Imul => wrap(a.wrapping_mul(b)),
                Sdiv | Srem if b == 0 || (a == min && b == -1) => None,
                Sdiv => wrap(a / b),
                Srem => wrap(a % b),
                Udiv | Urem if ub == 0 => None,
                Udiv => wrap((ua / ub) as i64),
                Urem => wrap((ua % ub) as i64),
                Umulhi => wrap(((u128::from(ua) * u128::from(ub)) >> bits) as i64),
                Band => wrap(a & b),
                Bor => wrap(a | b),
                Bxor => wrap(a ^ b),
                Ishl => wrap(a << amount),
                Sshr => wrap(a >> amount),
                Ushr => wrap((ua >> amount) as i64),
                // Within the low `bits` of `ua` (the wider bits are zero).
                Rotr => wrap(((ua >> amount) | (ua << ((bits - amount) % bits))) as i64),
                Smin => wrap(a.min(b)),
                Smax => wrap(a.max(b)),
                Umin => wrap(ua.min(ub) as i64),
                Umax => wrap(ua.max(ub) as i64),
                _ => None,
            }
        }
        (Ineg, &[Int(a)]) => wrap(a.wrapping_neg()),
        (Bnot, &[Int(a)]) => wrap(!a),
        (Popcnt, &[Int(a)]) => wrap(i64::from(zext(a, arg_types[0].bits()).count_ones())),
        (Icmp(cc), &[a, b]) => {
            let as_int = |c: Const| match c {
                Int(n) => Some(n),
                Bool(b) => Some(b as i64),
                Float(_) => None,
            };
            let (a, b) = (as_int(a)?, as_int(b)?);
            let w = arg_types[0].bits();
            let (ua, ub) = (zext(a, w), zext(b, w));
            Some(Bool(match cc {
                IntCC::Eq => a == b,
                IntCC::Ne => a != b,
                IntCC::Slt => a < b,
                IntCC::Sle => a <= b,
                IntCC::Sgt => a > b,
                IntCC::Sge => a >= b,
                IntCC::Ult => ua < ub,
                IntCC::Ule => ua <= ub,
                IntCC::Ugt => ua > ub,
                IntCC::Uge => ua >= ub,
            }))
        }
        (Fadd, &[Float(a), Float(b)]) => float(a + b),
        (Fsub, &[Float(a), Float(b)]) => float(a - b),
        (Fmul, &[Float(a), Float(b)]) => float(a * b),
        (Fdiv, &[Float(a), Float(b)]) => float(a / b),
        (Fmin | Fmax, &[Float(a), Float(b)]) if a.is_nan() || b.is_nan() => None,
        (Fmin, &[Float(a), Float(b)]) => float(if a < b || (a == b && a.is_sign_negative()) {
            a
        } else {
            b
        }),
        (Fmax, &[Float(a), Float(b)]) => float(if a > b || (a == b && a.is_sign_positive()) {
            a
        } else {
            b
        }),
        (Copysign, &[Float(a), Float(b)]) => float(a.copysign(b)),
        (Fma, &[Float(a), Float(b), Float(c)]) if ty == Ty::F32 => {
            float((a as f32).mul_add(b as f32, c as f32) as f64)
        }
        (Fma, &[Float(a), Float(b), Float(c)]) => float(a.mul_add(b, c)),
        (Fneg, &[Float(a)]) => float(-a),
        (Fabs, &[Float(a)]) => float(a.abs()),
        (Sqrt, &[Float(a)]) => float(a.sqrt()),
        (Floor, &[Float(a)]) => float(a.floor()),
        (Ceil, &[Float(a)]) => float(a.ceil()),
        (Trunc, &[Float(a)]) => float(a.trunc()),
        (Nearest, &[Float(a)]) => float(a.round_ties_even()),
        (Fcmp(cc), &[Float(a), Float(b)]) => Some(Bool(match cc {
            FloatCC::Eq => a == b,
            FloatCC::Ne => a != b,
            FloatCC::Lt => a < b,
            FloatCC::Le => a <= b,
            FloatCC::Gt => a > b,
            FloatCC::Ge => a >= b,
        })),
        (Not, &[Bool(a)]) => Some(Bool(!a)),
        (And, &[Bool(a), Bool(b)]) => Some(Bool(a && b)),
        (Or, &[Bool(a), Bool(b)]) => Some(Bool(a || b)),
        (Sext, &[Int(a)]) => wrap(a),
        (Sext | Uext, &[Bool(a)]) => wrap(a as i64),
        (Uext, &[Int(a)]) => wrap(zext(a, arg_types[0].bits()) as i64),
        (Ireduce, &[Int(a)]) => wrap(a),
        (ToBool, &[Int(a)]) => Some(Bool(a != 0)),
        (ToBool, &[Float(a)]) => Some(Bool(a != 0.0)),
        (ToBool, &[Bool(a)]) => Some(Bool(a)),
        (Fpromote | Fdemote, &[Float(a)]) => float(a),
        (SToF, &[Int(a)]) if ty == Ty::F32 => float(a as f32 as f64),
        (SToF, &[Int(a)]) => float(a as f64),
        (UToF, &[Int(a)]) => {
            let u = zext(a, arg_types[0].bits());
            float(if ty == Ty::F32 {
                u as f32 as f64
            } else {
                u as f64
            })
        }
        (FToS, &[Float(a)]) => wrap(match bits {
            8 => a as i8 as i64,
            16 => a as i16 as i64,
            32 => a as i32 as i64,
            _ => a as i64,
        }),
        (FToU, &[Float(a)]) => wrap(match bits {
            8 => a as u8 as i64,
            16 => a as u16 as i64,
            32 => a as u32 as i64,
            _ => a as u64 as i64,
        }),
        (Bitcast, &[Int(a)]) => match ty {
            Ty::F32 => float(f32::from_bits(zext(a, 32) as u32) as f64),
            _ => float(f64::from_bits(a as u64)),
        },
        (Bitcast, &[Float(a)]) => match ty {
            Ty::I32 => wrap((a as f32).to_bits() as i32 as i64),
            _ => wrap(a.to_bits() as i64),
        },
        _ => None,
    }
}
