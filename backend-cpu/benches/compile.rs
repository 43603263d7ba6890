//! Compile time of a small loop function: IR → Cranelift → executable memory, trampoline
//! included (what one specialization costs the dispatcher on first call).

use backend_cpu::{CompileOptions, compile_jit};
use criterion::{Criterion, criterion_group, criterion_main};
use ir::{Builder, Function, IntCC, Module, Op, Ty};
use std::hint::black_box;

/// `sum_sq(n) = 0.5 * sum(float(i) ** 2 for i in range(n))`.
fn loop_module() -> Module {
    let mut f = Function::new("sum_sq", vec![Ty::I64], vec![Ty::F64]);
    let mut b = Builder::new(&mut f);
    let (_, p) = b.create_entry_block();
    let (header, body, exit) = (b.create_block(), b.create_block(), b.create_block());
    let i = b.append_block_param(header, Ty::I64);
    let acc = b.append_block_param(header, Ty::F64);
    let result = b.append_block_param(exit, Ty::F64);
    let (zero, fzero) = (b.iconst(Ty::I64, 0), b.fconst(Ty::F64, 0.0));
    b.jump(header, &[zero, fzero]);
    b.switch_to(header);
    let more = b.icmp(IntCC::Slt, i, p[0]);
    b.brif(more, body, &[], exit, &[acc]);
    b.switch_to(body);
    let x = b.convert(Op::SToF, i, Ty::F64);
    let sq = b.binary(Op::Fmul, x, x);
    let acc2 = b.binary(Op::Fadd, acc, sq);
    let one = b.iconst(Ty::I64, 1);
    let i2 = b.binary(Op::Iadd, i, one);
    b.jump(header, &[i2, acc2]);
    b.switch_to(exit);
    let half = b.fconst(Ty::F64, 0.5);
    let r = b.binary(Op::Fmul, result, half);
    b.ret(&[r]);
    Module { functions: vec![f] }
}

fn bench_compile(c: &mut Criterion) {
    let module = loop_module();
    let opts = CompileOptions::default();
    c.bench_function("compile_jit/sum_sq", |bench| {
        bench.iter(|| compile_jit(black_box(&module), &["sum_sq"], &opts).expect("compiles"))
    });
}

criterion_group!(benches, bench_compile);
criterion_main!(benches);
