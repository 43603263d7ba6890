//! `ir::mathlib` builds well-formed IR: every supported function at every type it accepts
//! verifies, follows the naming and signature convention, calls nothing, and prints in a form
//! the parser reads back. (Its accuracy is tested by compiling it, in
//! `backend-cpu/tests/mathlib_accuracy.rs`.)

use ir::mathlib;
use ir::{Module, Op, Ty};
use runtime::math::RuntimeFn;

const TYPES: [Ty; 8] = [
    Ty::Bool,
    Ty::I8,
    Ty::I16,
    Ty::I32,
    Ty::I64,
    Ty::F32,
    Ty::F64,
    Ty::Ptr,
];

#[test]
fn every_supported_function_verifies_and_calls_nothing() {
    let mut built = 0;
    for &f in mathlib::supported() {
        let mut types = 0;
        for ty in TYPES {
            let Some(func) = mathlib::build(f, ty) else {
                assert!(
                    mathlib::name(f, ty).is_none(),
                    "{f:?} at {ty}: named but not built"
                );
                continue;
            };
            types += 1;
            built += 1;
            assert_eq!(Some(&func.name), mathlib::name(f, ty).as_ref());
            assert!(func.name.starts_with("ferrojit_math_"), "{}", func.name);
            assert_eq!(func.returns, vec![ty], "{}", func.name);
            assert_eq!(
                func.params.len(),
                f.describe().params.len(),
                "{}",
                func.name
            );
            ir::verify::verify_function(&func).unwrap_or_else(|e| panic!("{e}"));
            for inst in &func.insts {
                assert!(
                    !matches!(inst.op, Op::CallRuntime(_) | Op::Call(_) | Op::Raise(_)),
                    "{}: {:?}",
                    func.name,
                    inst.op
                );
            }
        }
        assert!(types > 0, "{f:?} is supported but builds at no type");
        assert!(
            mathlib::max_ulp(f).is_finite(),
            "{f:?} has no documented accuracy"
        );
    }
    assert!(built >= 50, "only {built} functions built");
}

#[test]
fn types_follow_the_variant() {
    assert!(mathlib::build(RuntimeFn::Sin, Ty::F64).is_some());
    assert!(mathlib::build(RuntimeFn::Sin, Ty::F32).is_some());
    assert!(mathlib::build(RuntimeFn::Sin, Ty::I64).is_none());
    assert!(mathlib::build(RuntimeFn::SinF32, Ty::F64).is_none());
    assert_eq!(
        mathlib::name(RuntimeFn::SinF32, Ty::F32),
        mathlib::name(RuntimeFn::Sin, Ty::F32)
    );
    assert_eq!(
        mathlib::name(RuntimeFn::Sin, Ty::F64).as_deref(),
        Some("ferrojit_math_sin_f64")
    );
    assert!(mathlib::build(RuntimeFn::IntPow, Ty::I32).is_some());
    assert!(mathlib::build(RuntimeFn::IntPow, Ty::F64).is_none());
    let powi = mathlib::build(RuntimeFn::PowI, Ty::F64).unwrap();
    assert_eq!(powi.params, vec![Ty::F64, Ty::I64]);
    for f in [
        RuntimeFn::Erf,
        RuntimeFn::Erfc,
        RuntimeFn::Gamma,
        RuntimeFn::Lgamma,
    ] {
        assert!(!mathlib::supported().contains(&f));
        assert!(mathlib::build(f, Ty::F64).is_none());
    }
}

#[test]
fn text_form_round_trips() {
    let functions = mathlib::supported()
        .iter()
        .filter_map(|&f| mathlib::build(f, Ty::F64).or_else(|| mathlib::build(f, Ty::F32)))
        .collect();
    let module = Module { functions };
    let text = ir::print::print_module(&module);
    let parsed = ir::parse::parse_module(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ir::print::print_module(&parsed), text);
}
