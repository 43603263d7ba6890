//! Every value operation, table-driven: each row compiles `f(args) = op(args)` and calls it
//! through the entry trampoline.

use crate::common;

use Ty::*;
use common::*;
use ir::{FloatCC, IntCC, Op, Ty};

struct Case {
    op: Op,
    params: Vec<Ty>,
    result: Ty,
    args: Vec<u64>,
    want: u64,
}

fn check(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for c in &cases {
        let got = eval(&c.op, &c.params, c.result, &c.args);
        if !same(c.result, got, c.want) {
            let args: Vec<_> = c
                .args
                .iter()
                .zip(&c.params)
                .map(|(&a, &t)| show(t, a))
                .collect();
            failures.push(format!(
                "{:?}{:?}({}) -> {}: got {}, want {}",
                c.op,
                c.params,
                args.join(", "),
                c.result,
                show(c.result, got),
                show(c.result, c.want)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn slot(ty: Ty, v: f64) -> u64 {
    if ty == F32 { f32s(v as f32) } else { f64s(v) }
}
fn ibin(op: Op, ty: Ty, a: i64, b: i64, want: i64) -> Case {
    Case {
        op,
        params: vec![ty, ty],
        result: ty,
        args: vec![int(a), int(b)],
        want: int(want),
    }
}
fn iun(op: Op, ty: Ty, a: i64, want: i64) -> Case {
    Case {
        op,
        params: vec![ty],
        result: ty,
        args: vec![int(a)],
        want: int(want),
    }
}
fn icmp(cc: IntCC, ty: Ty, a: i64, b: i64, want: bool) -> Case {
    Case {
        op: Op::Icmp(cc),
        params: vec![ty, ty],
        result: Bool,
        args: vec![int(a), int(b)],
        want: want as u64,
    }
}
fn fbin(op: Op, ty: Ty, a: f64, b: f64, want: f64) -> Case {
    Case {
        op,
        params: vec![ty, ty],
        result: ty,
        args: vec![slot(ty, a), slot(ty, b)],
        want: slot(ty, want),
    }
}
fn fun(op: Op, ty: Ty, a: f64, want: f64) -> Case {
    Case {
        op,
        params: vec![ty],
        result: ty,
        args: vec![slot(ty, a)],
        want: slot(ty, want),
    }
}
fn fcmp(cc: FloatCC, ty: Ty, a: f64, b: f64, want: bool) -> Case {
    let args = vec![slot(ty, a), slot(ty, b)];
    Case {
        op: Op::Fcmp(cc),
        params: vec![ty, ty],
        result: Bool,
        args,
        want: want as u64,
    }
}
fn conv(op: Op, from: Ty, to: Ty, arg: u64, want: u64) -> Case {
    Case {
        op,
        params: vec![from],
        result: to,
        args: vec![arg],
        want,
    }
}

#[test]
fn integer_arithmetic_wraps_at_every_width() {
    use Op::*;
    check(vec![
        ibin(Iadd, I8, 127, 1, -128),
        ibin(Isub, I8, -128, 1, 127),
        ibin(Imul, I8, 16, 16, 0),
        ibin(Imul, I8, -3, 5, -15),
        iun(Ineg, I8, -128, -128),
        ibin(Iadd, I16, 32767, 1, -32768),
        ibin(Imul, I16, 300, 300, 24464),
        ibin(Iadd, I32, i32::MAX as i64, 1, i32::MIN as i64),
        ibin(Imul, I32, 65536, 65536, 0),
        ibin(Isub, I32, 0, 1, -1),
        ibin(Iadd, I64, i64::MAX, 1, i64::MIN),
        ibin(Imul, I64, i64::MIN, -1, i64::MIN),
        ibin(Isub, I64, i64::MIN, 1, i64::MAX),
        iun(Ineg, I64, 5, -5),
        ibin(Iadd, Ptr, 0x1000, 0x10, 0x1010),
    ]);
}

#[test]
fn signed_and_unsigned_division() {
    use Op::*;
    check(vec![
        ibin(Sdiv, I8, -7, 2, -3),
        ibin(Srem, I8, -7, 2, -1),
        ibin(Udiv, I8, -16, 16, 15), // 240 / 16
        ibin(Urem, I8, -6, 7, 5),    // 250 % 7
        ibin(Sdiv, I16, -32768, 3, -10922),
        ibin(Urem, I16, -1, 10, 5), // 65535 % 10
        ibin(Sdiv, I32, 7, -2, -3),
        ibin(Srem, I32, 7, -2, 1),
        ibin(Udiv, I32, -1, 2, 0x7FFF_FFFF),
        ibin(Sdiv, I64, i64::MIN, 2, i64::MIN / 2),
        ibin(Srem, I64, -9, 4, -1),
        ibin(Udiv, I64, -1, 3, (u64::MAX / 3) as i64),
        ibin(Urem, I64, -1, 10, (u64::MAX % 10) as i64),
    ]);
}

#[test]
fn bitwise_operations_and_shifts_modulo_width() {
    use Op::*;
    check(vec![
        ibin(Band, I8, 0b1100, 0b1010, 0b1000),
        ibin(Bor, I16, 0b1100, 0b1010, 0b1110),
        ibin(Bxor, I32, 0b1100, 0b1010, 0b0110),
        iun(Bnot, I8, 0, -1),
        iun(Bnot, I64, 0x0F, !0x0F),
        ibin(Ishl, I8, 1, 9, 2),
        ibin(Sshr, I8, -128, 1, -64),
        ibin(Ushr, I8, -128, 7, 1),
        ibin(Ushr, I8, -128, 8, -128),
        ibin(Ishl, I16, 1, 17, 2),
        ibin(Sshr, I16, -2, 1, -1),
        ibin(Ushr, I16, -32768, 15, 1),
        ibin(Ishl, I32, 1, 33, 2),
        ibin(Sshr, I32, i32::MIN as i64, 31, -1),
        ibin(Ushr, I32, -1, 28, 0xF),
        ibin(Ishl, I64, 1, 65, 2),
        ibin(Ishl, I64, 1, 63, i64::MIN),
        ibin(Sshr, I64, -1, 63, -1),
        ibin(Ushr, I64, -1, 63, 1),
        // Rotations: the low bits come back at the top; by 0 or the width, unchanged.
        ibin(Rotr, I8, 0b0000_0011, 1, 0b1000_0001u8 as i8 as i64),
        ibin(Rotr, I8, 5, 8, 5),
        ibin(Rotr, I16, 1, 17, i16::MIN as i64),
        ibin(Rotr, I32, 0x1234_5678, 8, 0x7812_3456),
        ibin(
            Rotr,
            I64,
            0x0123_4567_89ab_cdef,
            4,
            0xf012_3456_789a_bcde_u64 as i64,
        ),
        ibin(Rotr, I64, -2, 0, -2),
        ibin(Rotr, I64, 1, 64, 1),
        ibin(Rotr, I64, 3, 65, i64::MIN + 1),
    ]);
}

#[test]
fn integer_min_max() {
    use Op::*;
    let mut cases = Vec::new();
    for ty in [I8, I16, I32, I64] {
        cases.extend([
            ibin(Smin, ty, -1, 1, -1),
            ibin(Smax, ty, -1, 1, 1),
            ibin(Umin, ty, -1, 1, 1),
            ibin(Umax, ty, -1, 1, -1),
        ]);
    }
    check(cases);
}

#[test]
fn integer_comparisons_signed_and_unsigned() {
    use IntCC::*;
    let mut cases = Vec::new();
    for ty in [I8, I16, I32, I64, Ptr] {
        cases.extend([
            icmp(Eq, ty, 3, 3, true),
            icmp(Ne, ty, 3, 3, false),
            icmp(Slt, ty, -1, 1, true),
            icmp(Sle, ty, 1, 1, true),
            icmp(Sgt, ty, -1, 1, false),
            icmp(Sge, ty, 1, -1, true),
            icmp(Ult, ty, -1, 1, false),
            icmp(Ule, ty, 1, 1, true),
            icmp(Ugt, ty, -1, 1, true),
            icmp(Uge, ty, 1, -1, false),
        ]);
    }
    check(cases);
}

#[test]
fn float_arithmetic_f64_and_f32() {
    use Op::*;
    let nan = f64::NAN;
    let mut cases = Vec::new();
    for ty in [F64, F32] {
        let round = |v: f64| if ty == F32 { v as f32 as f64 } else { v };
        let (a, b) = (round(0.1), round(0.2));
        let sum = if ty == F32 {
            (0.1f32 + 0.2f32) as f64
        } else {
            0.1 + 0.2
        };
        let fused = if ty == F32 {
            0.1f32.mul_add(10.0, -1.0) as f64
        } else {
            0.1f64.mul_add(10.0, -1.0)
        };
        cases.extend([
            fbin(Fadd, ty, a, b, sum),
            fbin(Fsub, ty, 1.5, 2.0, -0.5),
            fbin(Fmul, ty, 1.5, -4.0, -6.0),
            fbin(Fdiv, ty, 1.0, 0.0, f64::INFINITY),
            fbin(Fdiv, ty, 0.0, 0.0, nan),
            fun(Fneg, ty, 0.0, -0.0),
            fun(Fabs, ty, -2.5, 2.5),
            fun(Sqrt, ty, 2.0, round(std::f64::consts::SQRT_2)),
            fun(Sqrt, ty, -1.0, nan),
            fun(Floor, ty, -1.5, -2.0),
            fun(Ceil, ty, -1.5, -1.0),
            fun(Trunc, ty, -1.7, -1.0),
            fbin(Copysign, ty, 3.0, -0.0, -3.0),
            fbin(Fmin, ty, nan, 1.0, nan),
            fbin(Fmin, ty, 1.0, nan, nan),
            fbin(Fmax, ty, 1.0, nan, nan),
            fbin(Fmin, ty, 0.0, -0.0, -0.0),
            fbin(Fmax, ty, -0.0, 0.0, 0.0),
            fbin(Fmax, ty, -1.0, 2.0, 2.0),
            Case {
                op: Fma,
                params: vec![ty, ty, ty],
                result: ty,
                args: vec![slot(ty, 0.1), slot(ty, 10.0), slot(ty, -1.0)],
                want: slot(ty, fused),
            },
        ]);
    }
    check(cases);
}

#[test]
fn nearest_rounds_ties_to_even() {
    let mut cases = Vec::new();
    for ty in [F64, F32] {
        for (x, want) in [
            (0.5, 0.0),
            (1.5, 2.0),
            (2.5, 2.0),
            (3.5, 4.0),
            (-2.5, -2.0),
            (-0.5, -0.0),
            (2.6, 3.0),
        ] {
            cases.push(fun(Op::Nearest, ty, x, want));
        }
    }
    check(cases);
}

#[test]
fn float_comparisons_with_nan() {
    use FloatCC::*;
    let nan = f64::NAN;
    let mut cases = Vec::new();
    for ty in [F64, F32] {
        cases.extend([
            fcmp(Eq, ty, nan, nan, false),
            fcmp(Ne, ty, nan, nan, true),
            fcmp(Ne, ty, 1.0, nan, true),
            fcmp(Lt, ty, nan, 1.0, false),
            fcmp(Le, ty, nan, 1.0, false),
            fcmp(Gt, ty, 1.0, nan, false),
            fcmp(Ge, ty, nan, nan, false),
            fcmp(Eq, ty, 0.0, -0.0, true),
            fcmp(Ne, ty, 1.0, 1.0, false),
            fcmp(Lt, ty, -1.0, 1.0, true),
            fcmp(Le, ty, 1.0, 1.0, true),
            fcmp(Gt, ty, 2.0, 1.0, true),
            fcmp(Ge, ty, 1.0, 2.0, false),
        ]);
    }
    check(cases);
}

#[test]
fn integer_conversions() {
    use Op::*;
    check(vec![
        conv(Sext, I8, I64, int(-5), int(-5)),
        conv(Sext, I16, I32, int(-300), int(-300)),
        conv(Sext, I32, I64, int(i32::MIN as i64), int(i32::MIN as i64)),
        conv(Sext, Bool, I32, 1, 1),
        conv(Sext, I64, Ptr, int(-8), int(-8)),
        conv(Uext, I8, I64, int(-1), 255),
        conv(Uext, I32, I64, int(-1), 0xFFFF_FFFF),
        conv(Uext, Bool, I64, 1, 1),
        conv(Ireduce, I64, I8, 0x1234, 0x34),
        conv(Ireduce, I64, I32, 0x1_0000_0005, 5),
        conv(Ireduce, I32, I16, int(-1), 0xFFFF),
        conv(Ireduce, I8, Bool, 3, 1),
        conv(ToBool, I64, Bool, 0, 0),
        conv(ToBool, I64, Bool, 1 << 40, 1),
        conv(ToBool, I8, Bool, int(-1), 1),
        conv(ToBool, Bool, Bool, 1, 1),
        conv(ToBool, F64, Bool, f64s(0.0), 0),
        conv(ToBool, F64, Bool, f64s(-0.0), 0),
        conv(ToBool, F64, Bool, f64s(f64::NAN), 1),
        conv(ToBool, F32, Bool, f32s(0.5), 1),
        conv(Bitcast, F64, I64, f64s(1.0), 0x3FF0_0000_0000_0000),
        conv(Bitcast, I64, F64, 0x4000_0000_0000_0000, f64s(2.0)),
        conv(Bitcast, I32, F32, 0x3F80_0000, f32s(1.0)),
        conv(Bitcast, F32, I32, f32s(-0.0), 0x8000_0000),
        conv(Bitcast, Ptr, I64, 0x1234, 0x1234),
    ]);
}

#[test]
fn float_conversions_saturate() {
    use Op::*;
    check(vec![
        conv(Fpromote, F32, F64, f32s(1.5), f64s(1.5)),
        conv(Fdemote, F64, F32, f64s(0.1), f32s(0.1)),
        conv(Fdemote, F64, F32, f64s(1e300), f32s(f32::INFINITY)),
        conv(SToF, I64, F64, int(-3), f64s(-3.0)),
        conv(SToF, I8, F64, int(-128), f64s(-128.0)),
        conv(SToF, I16, F32, int(-300), f32s(-300.0)),
        conv(SToF, I32, F32, int(16_777_217), f32s(16_777_216.0)),
        conv(SToF, I64, F64, int(i64::MAX), f64s(2f64.powi(63))),
        conv(SToF, Bool, F64, 1, f64s(1.0)),
        conv(UToF, I64, F64, u64::MAX, f64s(2f64.powi(64))),
        conv(UToF, I8, F64, int(-1), f64s(255.0)),
        conv(UToF, I16, F32, int(-1), f32s(65535.0)),
        conv(UToF, I32, F64, int(-1), f64s(4294967295.0)),
        conv(FToS, F64, I64, f64s(-3.7), int(-3)),
        conv(FToS, F64, I64, f64s(1e30), int(i64::MAX)),
        conv(FToS, F64, I64, f64s(-1e30), int(i64::MIN)),
        conv(FToS, F64, I64, f64s(f64::NAN), 0),
        conv(FToS, F64, I32, f64s(1e10), int(i32::MAX as i64)),
        conv(FToS, F32, I32, f32s(-2.5), int(-2)),
        conv(FToS, F64, I8, f64s(300.0), int(127)),
        conv(FToS, F64, I8, f64s(-300.0), int(-128)),
        conv(FToS, F64, I8, f64s(f64::NAN), 0),
        conv(FToS, F32, I16, f32s(-40000.0), int(-32768)),
        conv(FToS, F32, I16, f32s(-2.5), int(-2)),
        conv(FToU, F64, I64, f64s(-5.0), 0),
        conv(FToU, F64, I64, f64s(1e30), u64::MAX),
        conv(FToU, F64, I64, f64s(3.9), 3),
        conv(FToU, F64, I64, f64s(1.8e19), 18_000_000_000_000_000_000),
        conv(FToU, F64, I32, f64s(f64::NAN), 0),
        conv(FToU, F32, I32, f32s(5e9), 0xFFFF_FFFF),
        conv(FToU, F64, I8, f64s(300.0), 0xFF),
        conv(FToU, F64, I16, f64s(-1.0), 0),
        conv(FToU, F64, I16, f64s(70000.0), 0xFFFF),
    ]);
}

#[test]
fn bool_logic_select_and_constants() {
    use Op::*;
    let b = |op: Op, args: Vec<u64>, want: u64| Case {
        op,
        params: vec![Bool; args.len()],
        result: Bool,
        args,
        want,
    };
    let konst = |op: Op, ty: Ty, want: u64| Case {
        op,
        params: vec![],
        result: ty,
        args: vec![],
        want,
    };
    let select = |ty: Ty, cond: bool, a: u64, b: u64, want: u64| Case {
        op: Select,
        params: vec![Bool, ty, ty],
        result: ty,
        args: vec![cond as u64, a, b],
        want,
    };
    check(vec![
        b(Not, vec![1], 0),
        b(Not, vec![0], 1),
        b(And, vec![1, 0], 0),
        b(And, vec![1, 1], 1),
        b(Or, vec![1, 0], 1),
        b(Or, vec![0, 0], 0),
        b(Bnot, vec![1], 0),
        b(Bxor, vec![1, 1], 0),
        select(I64, true, int(-7), 9, int(-7)),
        select(I64, false, int(-7), 9, 9),
        select(I8, true, int(-1), 2, int(-1)),
        select(F64, false, f64s(1.5), f64s(-2.0), f64s(-2.0)),
        select(F32, true, f32s(1.5), f32s(-2.0), f32s(1.5)),
        konst(Iconst(-1), I8, 0xFF),
        konst(Iconst(70_000), I16, 70_000 & 0xFFFF),
        konst(Iconst(i64::MIN), I64, int(i64::MIN)),
        konst(Iconst(1), Bool, 1),
        konst(Fconst(0.1), F32, f32s(0.1)),
        konst(Fconst(-0.0), F64, f64s(-0.0)),
        konst(Bconst(true), Bool, 1),
        konst(Bconst(false), Bool, 0),
    ]);
}

#[test]
fn result_slots_are_sign_extended_and_bools_zero_extended() {
    let cases: [(Op, Ty, u64); 6] = [
        (Op::Iconst(-1), Ty::I8, u64::MAX),
        (Op::Iconst(-2), Ty::I16, (-2i64) as u64),
        (Op::Iconst(-3), Ty::I32, (-3i64) as u64),
        (Op::Iconst(0x80), Ty::I8, (-128i64) as u64),
        (Op::Bconst(true), Ty::Bool, 1),
        (Op::Fconst(-1.0), Ty::F32, u64::from((-1.0f32).to_bits())),
    ];
    for (op, ty, want) in cases {
        let got = eval(&op, &[], ty, &[]);
        assert_eq!(got, want, "{op:?} as {ty}: slot {got:#x}, want {want:#x}");
    }
}

#[test]
fn narrow_arguments_are_read_from_the_low_bytes() {
    // Garbage above the low bytes must not matter; a bool slot holding 0xFF0 is normalised.
    let add = |ty: Ty, a: u64, b: u64| eval(&Op::Iadd, &[ty, ty], ty, &[a, b]);
    assert_eq!(add(I8, 0xAAAA_AA01, 0x5555_5502), 3);
    assert_eq!(add(I32, 0xFFFF_FFFF_0000_0001, 1), 2);
    let not = eval(&Op::Not, &[Bool], Bool, &[0xFF0]);
    assert_eq!(not, 0, "any nonzero low byte is true");
    let f = eval(
        &Op::Fadd,
        &[F32, F32],
        F32,
        &[0xFFFF_FFFF_0000_0000 | f32s(1.0), f32s(2.0)],
    );
    assert_eq!(f, f32s(3.0));
}
