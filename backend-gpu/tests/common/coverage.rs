//! A generated module with one small function per operation and type combination the IR
//! verifier accepts (every op at every type), each wrapped in a kernel with array inputs.
//!
//! Candidates are built for every op over every type (and every pair of types for
//! conversions and shifts); those the verifier rejects are dropped, so the module follows the
//! IR's own definition of what is valid. Divisions get a guard that keeps the divisor away
//! from 0 and -1 (the IR leaves those to lowering); memory operations get functions of their
//! own, whose kernels take a pointer and so are not compared with the CPU.

use super::{Case, Domain};
use backend_gpu::{KernelArg, KernelSpec};
use ir::{Builder, FloatCC, Function, IntCC, Module, Op, Ty};

pub const ALL_TYPES: [Ty; 8] = [
    Ty::Bool,
    Ty::I8,
    Ty::I16,
    Ty::I32,
    Ty::I64,
    Ty::F32,
    Ty::F64,
    Ty::Ptr,
];
const INT_CCS: [IntCC; 10] = [
    IntCC::Eq,
    IntCC::Ne,
    IntCC::Slt,
    IntCC::Sle,
    IntCC::Sgt,
    IntCC::Sge,
    IntCC::Ult,
    IntCC::Ule,
    IntCC::Ugt,
    IntCC::Uge,
];
const FLOAT_CCS: [FloatCC; 6] = [
    FloatCC::Eq,
    FloatCC::Ne,
    FloatCC::Lt,
    FloatCC::Le,
    FloatCC::Gt,
    FloatCC::Ge,
];

/// `op_<op>_<types>`: a readable, unique function name.
fn label(op: &Op, types: &[Ty]) -> String {
    let op: String = format!("{op:?}")
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut name = format!("op_{}", op.trim_end_matches('_'));
    for t in types {
        name.push('_');
        name.push_str(t.name());
    }
    name
}

/// `name(params) -> result { return op(params) }`, or `None` if the verifier rejects it.
fn single(op: Op, params: &[Ty], result: Ty) -> Option<Function> {
    let mut types = params.to_vec();
    types.push(result);
    let mut f = Function::new(label(&op, &types), params.to_vec(), vec![result]);
    let mut b = Builder::new(&mut f);
    let (_, args) = b.create_entry_block();
    let r = b.ins(op, &args, result);
    b.ret(&[r]);
    ir::verify::verify_function(&f).ok().map(|()| f)
}

/// `a op d` where `d` is `b` with 0 and -1 replaced by 1.
fn guarded_division(op: Op, ty: Ty) -> Function {
    let mut f = Function::new(label(&op, &[ty]), vec![ty, ty], vec![ty]);
    let mut b = Builder::new(&mut f);
    let (_, args) = b.create_entry_block();
    let (x, y) = (args[0], args[1]);
    let (zero, one, minus_one) = (b.iconst(ty, 0), b.iconst(ty, 1), b.iconst(ty, -1));
    let is_zero = b.icmp(IntCC::Eq, y, zero);
    let d = b.select(is_zero, one, y);
    let is_minus_one = b.icmp(IntCC::Eq, d, minus_one);
    let d = b.select(is_minus_one, one, d);
    let r = b.binary(op, x, d);
    b.ret(&[r]);
    f
}

/// `store v at p+off, then return the load of p+off` for one type and offset.
fn memory(ty: Ty, offset: i32) -> Function {
    let name = format!(
        "mem_{}_{}",
        ty.name(),
        if offset < 0 { "neg" } else { "pos" }
    );
    let mut f = Function::new(name, vec![Ty::Ptr, ty], vec![ty]);
    let mut b = Builder::new(&mut f);
    let (_, args) = b.create_entry_block();
    b.store(args[0], args[1], offset);
    let r = b.load(ty, args[0], offset, false);
    b.ret(&[r]);
    f
}

/// Every candidate function.
fn functions() -> Vec<Function> {
    let mut out = Vec::new();
    let mut add = |f: Option<Function>| out.extend(f);
    for &t in &ALL_TYPES {
        for op in [Op::Iadd, Op::Isub, Op::Imul, Op::Band, Op::Bor, Op::Bxor] {
            add(single(op, &[t, t], t));
        }
        for op in [Op::Smin, Op::Smax, Op::Umin, Op::Umax, Op::Umulhi] {
            add(single(op, &[t, t], t));
        }
        for op in [Op::Ineg, Op::Bnot, Op::Popcnt, Op::Fneg, Op::Fabs, Op::Sqrt] {
            add(single(op, &[t], t));
        }
        for op in [Op::Floor, Op::Ceil, Op::Trunc, Op::Nearest, Op::Not] {
            add(single(op, &[t], t));
        }
        for op in [Op::Fadd, Op::Fsub, Op::Fmul, Op::Fdiv, Op::Fmin, Op::Fmax] {
            add(single(op, &[t, t], t));
        }
        for op in [Op::Copysign, Op::And, Op::Or] {
            add(single(op, &[t, t], t));
        }
        add(single(Op::Fma, &[t, t, t], t));
        add(single(Op::Select, &[Ty::Bool, t, t], t));
        for cc in INT_CCS {
            add(single(Op::Icmp(cc), &[t, t], Ty::Bool));
        }
        for cc in FLOAT_CCS {
            add(single(Op::Fcmp(cc), &[t, t], Ty::Bool));
        }
        for &u in &ALL_TYPES {
            for op in [Op::Ishl, Op::Sshr, Op::Ushr, Op::Rotr] {
                add(single(op, &[t, u], t));
            }
            for op in [Op::Sext, Op::Uext, Op::Ireduce, Op::ToBool, Op::Fpromote] {
                add(single(op, &[t], u));
            }
            for op in [
                Op::Fdemote,
                Op::SToF,
                Op::UToF,
                Op::FToS,
                Op::FToU,
                Op::Bitcast,
            ] {
                add(single(op, &[t], u));
            }
        }
    }
    for t in [Ty::I8, Ty::I16, Ty::I32, Ty::I64] {
        for op in [Op::Sdiv, Op::Udiv, Op::Srem, Op::Urem] {
            out.push(guarded_division(op, t));
        }
    }
    for &t in &ALL_TYPES {
        out.push(memory(t, 8));
        out.push(memory(t, -16));
    }
    out
}

/// The module and a kernel (array inputs, `Domain::Any`) for each of its functions.
pub fn module() -> (Module, Vec<Case>) {
    let mut functions = functions();
    functions.extend(constants());
    let cases = functions
        .iter()
        .map(|f| {
            let inputs = f
                .params
                .iter()
                .enumerate()
                .map(|(i, &ty)| match (f.name.starts_with("mem_"), i) {
                    (true, 0) => KernelArg::Scalar { ty },
                    _ => KernelArg::Array { ty },
                })
                .collect::<Vec<_>>();
            let domains = inputs
                .iter()
                .map(|a| match a {
                    KernelArg::Scalar { .. } => Domain::Value(0.0),
                    KernelArg::Array { .. } if f.name.starts_with("const_") => {
                        Domain::Range(0.0, 8.0)
                    }
                    KernelArg::Array { .. } => Domain::Any,
                })
                .collect();
            let spec = KernelSpec {
                name: format!("k_{}", f.name),
                scalar_fn: f.name.clone(),
                inputs,
                output: f.returns[0],
            };
            Case { spec, domains }
        })
        .collect();
    (Module { functions }, cases)
}

/// `const_<type>(i)`: constant `i` of a list of that type's constants, extremes included.
fn constants() -> Vec<Function> {
    let mut functions = Vec::new();
    let ints: [i64; 6] = [0, 1, -1, i64::MIN, i64::MAX, 0x1234_5678_9abc_def0];
    let floats = [
        0.0,
        -0.0,
        1.5,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        5e-324,
        1e300,
    ];
    for &ty in &ALL_TYPES {
        let mut f = Function::new(format!("const_{ty}"), vec![Ty::I64], vec![ty]);
        let mut b = Builder::new(&mut f);
        let (_, args) = b.create_entry_block();
        let values: Vec<_> = match ty {
            Ty::Bool => vec![b.bconst(false), b.bconst(true)],
            Ty::F32 | Ty::F64 => floats.iter().map(|&x| b.fconst(ty, x)).collect(),
            _ => ints.iter().map(|&x| b.iconst(ty, x)).collect(),
        };
        let mut r = values[0];
        for (j, &v) in values.iter().enumerate().skip(1) {
            let k = b.iconst(Ty::I64, j as i64);
            let pick = b.icmp(IntCC::Eq, args[0], k);
            r = b.select(pick, v, r);
        }
        b.ret(&[r]);
        functions.push(f);
    }
    functions
}
