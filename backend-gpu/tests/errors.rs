//! Errors are values: IR the backend cannot translate, kernels that do not fit their function
//! and bad options give a `GpuError` naming the problem — never a panic, never PTX.

use crate::common;

use backend_gpu::{GpuError, KernelArg, KernelSpec, PtxOptions, emit_module};
use ir::{Function, Module, Op, Ty, Value};

fn parse(text: &str) -> Module {
    let module = ir::parse::parse_module(text).unwrap_or_else(|e| panic!("{e}"));
    ir::verify::verify_module(&module).unwrap_or_else(|e| panic!("{e}"));
    module
}

const IDENTITY: &str = "function @id(f64) -> f64 {\nblock0(v0: f64):\n    return v0\n}\n";

fn kernel(name: &str, scalar_fn: &str, inputs: &[KernelArg], output: Ty) -> KernelSpec {
    KernelSpec {
        name: name.into(),
        scalar_fn: scalar_fn.into(),
        inputs: inputs.to_vec(),
        output,
    }
}

/// Emits and expects an error whose text contains `needle`.
fn fails(module: &Module, kernels: &[KernelSpec], opts: &PtxOptions, needle: &str) -> GpuError {
    match emit_module(module, kernels, opts) {
        Ok(ptx) => panic!("expected an error containing `{needle}`, got PTX:\n{ptx}"),
        Err(e) => {
            assert!(e.to_string().contains(needle), "`{e}` lacks `{needle}`");
            e
        }
    }
}

#[test]
fn math_functions_without_an_implementation_are_unsupported() {
    let module = parse(
        "function @g(f64) -> f64 {\nblock0(v0: f64):\n    v1 = call_rt.gamma v0\n    return v1\n}\n",
    );
    let e = fails(
        &module,
        &[],
        &PtxOptions::default(),
        "math function `gamma` on the GPU",
    );
    assert!(matches!(e, GpuError::Unsupported(_)));
    let module = parse(
        "function @s(f64) -> f64 {\nblock0(v0: f64):\n    v1 = call_rt.sin v0\n    return v1\n}\n",
    );
    let no_library = PtxOptions {
        math_library: None,
        ..PtxOptions::default()
    };
    fails(&module, &[], &no_library, "math function `sin` on the GPU");
    assert!(emit_module(&module, &[], &PtxOptions::default()).is_ok());
}

#[test]
fn fastmath_uses_the_hardware_approximations() {
    let module = parse(
        "function @s(f32) -> f32 {\nblock0(v0: f32):\n    v1 = call_rt.sinf v0\n    v2 = call_rt.expf v1\n    return v2\n}\n",
    );
    let fast = PtxOptions {
        fastmath: true,
        math_library: None,
        ..PtxOptions::default()
    };
    let ptx = emit_module(&module, &[], &fast).unwrap();
    assert!(
        ptx.contains("sin.approx.f32") && ptx.contains("ex2.approx.f32"),
        "{ptx}"
    );
    let exact = emit_module(&module, &[], &PtxOptions::default()).unwrap();
    assert!(!exact.contains(".approx"), "{exact}");
}

#[test]
fn kernels_must_fit_their_scalar_function() {
    let module = parse(IDENTITY);
    let opts = PtxOptions::default();
    let array = KernelArg::Array { ty: Ty::F64 };
    let cases = [
        (
            kernel("k", "missing", &[array], Ty::F64),
            "no function `missing`",
        ),
        (
            kernel("k", "id", &[], Ty::F64),
            "do not match the parameters",
        ),
        (
            kernel("k", "id", &[KernelArg::Scalar { ty: Ty::I64 }], Ty::F64),
            "(i64)",
        ),
        (kernel("k", "id", &[array], Ty::F32), "output f32"),
        (
            kernel("bad name", "id", &[array], Ty::F64),
            "plain identifier",
        ),
        (kernel("fj_id", "id", &[array], Ty::F64), "already used"),
    ];
    for (spec, needle) in cases {
        let e = fails(&module, &[spec], &opts, needle);
        assert!(matches!(e, GpuError::InvalidKernel { .. }), "{e:?}");
    }
    let twice = [
        kernel("k", "id", &[array], Ty::F64),
        kernel("k", "id", &[array], Ty::F64),
    ];
    fails(&module, &twice, &opts, "already used");
}

#[test]
fn options_are_checked() {
    let module = parse(IDENTITY);
    let with = |version, target: &str| PtxOptions {
        version,
        target: target.into(),
        ..PtxOptions::default()
    };
    fails(&module, &[], &with((9, 0), "sm_70"), "PTX version 9.0");
    fails(&module, &[], &with((7, 0), "sm_90"), "needs PTX 7.8");
    fails(&module, &[], &with((7, 0), "sm_60"), "target `sm_60`");
    fails(
        &module,
        &[],
        &with((7, 0), "compute_70"),
        "target `compute_70`",
    );
    assert_eq!(PtxOptions::for_target("sm_90").version, (7, 8));
    assert_eq!(PtxOptions::for_target("sm_80").version, (7, 0));
    let ptx = emit_module(&module, &[], &PtxOptions::for_target("sm_90")).unwrap();
    assert!(
        ptx.contains(".version 7.8\n.target sm_90\n.address_size 64\n"),
        "{ptx}"
    );
}

#[test]
fn parallel_loops_are_unsupported() {
    let mut f = Function::new("p", vec![Ty::Ptr, Ty::I64], vec![Ty::I64]);
    let mut b = ir::Builder::new(&mut f);
    let (_, args) = b.create_entry_block();
    let out = b.iconst(Ty::Ptr, 0);
    let stride = b.iconst(Ty::I64, 8);
    let r = b.ins(
        Op::ParallelFor("chunk".into()),
        &[args[0], args[1], out, stride],
        Ty::I64,
    );
    b.ret(&[r]);
    let module = Module { functions: vec![f] };
    let e = fails(&module, &[], &PtxOptions::default(), "prange");
    assert!(matches!(e, GpuError::Unsupported(_)), "{e:?}");
}

#[test]
fn malformed_ir_is_an_error_not_a_panic() {
    let module = parse(IDENTITY);
    let opts = PtxOptions::default();
    let twice = Module {
        functions: vec![module.functions[0].clone(), module.functions[0].clone()],
    };
    fails(&twice, &[], &opts, "more than once");

    let mut dangling = module.clone();
    let f = &mut dangling.functions[0];
    let ret = f.blocks[0].insts[0];
    f.insts[ret.0 as usize].args = vec![Value(99)];
    fails(&dangling, &[], &opts, "v99");

    let mut empty = module.clone();
    empty.functions[0].layout.clear();
    fails(&empty, &[], &opts, "no blocks");

    let unknown = ir::parse::parse_module(
        "function @c(f64) -> f64 {\nblock0(v0: f64):\n    v1 = call @id(v0) -> f64\n    return v1\n}\n",
    )
    .unwrap();
    fails(
        &unknown,
        &[],
        &opts,
        "calls `id`, which the module does not define",
    );
}

#[test]
fn stack_slots_switch_to_generic_addressing() {
    let mut f = Function::new("s", vec![Ty::F64], vec![Ty::F64]);
    let mut b = ir::Builder::new(&mut f);
    let (_, args) = b.create_entry_block();
    let slot = b.ins(Op::StackSlot(16), &[], Ty::Ptr);
    b.store(slot, args[0], 8);
    let v = b.load(Ty::F64, slot, 8, false);
    b.ret(&[v]);
    ir::verify::verify_function(&f).unwrap();
    let module = Module { functions: vec![f] };
    let spec = kernel("k", "s", &[KernelArg::Array { ty: Ty::F64 }], Ty::F64);
    let ptx = emit_module(&module, &[spec], &PtxOptions::default()).unwrap();
    assert!(ptx.contains(".local .align 8 .b8 __stack"), "{ptx}");
    assert!(
        ptx.contains("st.f64 [%rd1+8]") && ptx.contains("ld.f64 %fd2, [%rd1+8]"),
        "{ptx}"
    );
    if let Some(ptxas) = common::ptxas() {
        common::assemble(ptxas, "a stack slot", &ptx, "sm_70").unwrap_or_else(|e| panic!("{e}"));
    }

    // `.local` memory is per thread, not per call: a recursive function cannot have one.
    let mut f = Function::new("rec", vec![Ty::I64], vec![Ty::I64]);
    let mut b = ir::Builder::new(&mut f);
    let (_, args) = b.create_entry_block();
    let slot = b.ins(Op::StackSlot(8), &[], Ty::Ptr);
    b.store(slot, args[0], 0);
    let zero = b.iconst(Ty::I64, 0);
    let stop = b.icmp(ir::IntCC::Sle, args[0], zero);
    let (done, more) = (b.create_block(), b.create_block());
    b.brif(stop, done, &[], more, &[]);
    b.switch_to(more);
    let one = b.iconst(Ty::I64, 1);
    let n = b.binary(Op::Isub, args[0], one);
    let r = b.call("rec", &[n], &[Ty::I64])[0];
    let v = b.load(Ty::I64, slot, 0, false);
    let sum = b.binary(Op::Iadd, r, v);
    b.ret(&[sum]);
    b.switch_to(done);
    b.ret(&[zero]);
    let module = Module { functions: vec![f] };
    ir::verify::verify_module(&module).unwrap();
    let e = fails(&module, &[], &PtxOptions::default(), "recursive");
    assert!(matches!(e, GpuError::Unsupported(_)), "{e:?}");
}
