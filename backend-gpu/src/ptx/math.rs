//! `call_rt` on the GPU: which runtime math functions exist here, and how each is lowered.
//!
//! PTX has no libm. A runtime function is lowered, in this order of preference:
//!
//! 1. under `fastmath`, to the approximate hardware instructions, for the `f32` functions that
//!    have one (`sin.approx.f32`, `cos.approx.f32`, `ex2.approx.f32`, `lg2.approx.f32`);
//! 2. to a call of the IR implementation from [`PtxOptions::math_library`] (`ir::mathlib`),
//!    emitted once per module as `.func fjm_<name>` with the ordinary calling convention;
//! 3. otherwise compilation fails with `GpuError::Unsupported("math function X on the GPU")`.
//!
//! Library functions may themselves call runtime functions; those are resolved the same way.

use crate::GpuError;
use crate::ptx::PtxOptions;
use crate::ptx::function::Emitter;
use crate::ptx::regs::Class;
use crate::ptx::regs::float_literal;
use ir::{Op, Ty};
use runtime::math::{AbiType, RuntimeFn};
use std::collections::HashMap;

/// A math function lowered to the approximate hardware instructions (fastmath only).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum ApproxMath {
    Sin,
    Cos,
    Tan,
    Exp,
    Log,
}

/// How a resolved runtime function is lowered, with the index of library functions in
/// [`Resolved::functions`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Lowering {
    Native(ApproxMath),
    Library(usize),
}

/// The same, with library functions as unit indices of the module being emitted.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum MathImpl {
    Native(ApproxMath),
    Function(usize),
}

/// Every runtime function the module (and the library functions it pulls in) calls.
#[derive(Default)]
pub(crate) struct Resolved {
    pub impls: HashMap<RuntimeFn, Lowering>,
    /// Library functions in discovery order.
    pub functions: Vec<(RuntimeFn, ir::Function)>,
}

/// The IR type of a runtime-function ABI type.
pub(crate) fn abi_ty(t: AbiType) -> Ty {
    match t {
        AbiType::I64 => Ty::I64,
        AbiType::Ptr => Ty::Ptr,
        AbiType::F32 => Ty::F32,
        AbiType::F64 => Ty::F64,
    }
}

fn native(f: RuntimeFn, fastmath: bool) -> Option<ApproxMath> {
    if !fastmath {
        return None;
    }
    Some(match f {
        RuntimeFn::SinF32 => ApproxMath::Sin,
        RuntimeFn::CosF32 => ApproxMath::Cos,
        RuntimeFn::TanF32 => ApproxMath::Tan,
        RuntimeFn::ExpF32 => ApproxMath::Exp,
        RuntimeFn::LogF32 => ApproxMath::Log,
        _ => return None,
    })
}

/// Resolves every `call_rt` of `module`, pulling library functions in as needed.
pub(crate) fn resolve(module: &ir::Module, opts: &PtxOptions) -> Result<Resolved, GpuError> {
    let mut resolved = Resolved::default();
    let mut work: Vec<RuntimeFn> = module.functions.iter().flat_map(runtime_calls).collect();
    while let Some(f) = work.pop() {
        if resolved.impls.contains_key(&f) {
            continue;
        }
        if let Some(n) = native(f, opts.fastmath) {
            resolved.impls.insert(f, Lowering::Native(n));
            continue;
        }
        let info = f.describe();
        let result = abi_ty(info.result);
        let Some(func) = opts.math_library.and_then(|build| build(f, result)) else {
            return Err(GpuError::Unsupported(format!(
                "math function `{}` on the GPU",
                f.ir_name()
            )));
        };
        let params: Vec<Ty> = info.params.iter().map(|&t| abi_ty(t)).collect();
        if func.params != params || func.returns != [result] {
            return Err(GpuError::invalid(
                &func.name,
                format!(
                    "the math library's `{}` has the wrong signature",
                    f.ir_name()
                ),
            ));
        }
        work.extend(runtime_calls(&func));
        resolved
            .impls
            .insert(f, Lowering::Library(resolved.functions.len()));
        resolved.functions.push((f, func));
    }
    Ok(resolved)
}

/// The runtime functions `func` calls, in program order.
fn runtime_calls(func: &ir::Function) -> Vec<RuntimeFn> {
    func.layout
        .iter()
        .filter_map(|&b| func.blocks.get(b.0 as usize))
        .flat_map(|b| &b.insts)
        .filter_map(|&i| func.insts.get(i.0 as usize))
        .filter_map(|d| match d.op {
            // Emitted inline as constants (see `function.rs`): no implementation needed.
            Op::CallRuntime(RuntimeFn::ArenaMark | RuntimeFn::ArenaRelease) => None,
            Op::CallRuntime(f) => Some(f),
            _ => None,
        })
        .collect()
}

/// `log2(e)` and `ln(2)` as `f32`, for `exp`/`log` through `ex2`/`lg2`.
const LOG2_E: f64 = std::f64::consts::LOG2_E;
const LN_2: f64 = std::f64::consts::LN_2;

/// Emits `dst = f(src)` for a native math function (all are `f32 → f32`).
pub(crate) fn emit_native(e: &mut Emitter, m: ApproxMath, dst: &str, src: &str) {
    match m {
        ApproxMath::Sin => e.ins(format_args!("sin.approx.f32 {dst}, {src}")),
        ApproxMath::Cos => e.ins(format_args!("cos.approx.f32 {dst}, {src}")),
        ApproxMath::Tan => {
            let (s, c) = (e.temp(Class::F32), e.temp(Class::F32));
            e.ins(format_args!("sin.approx.f32 {s}, {src}"));
            e.ins(format_args!("cos.approx.f32 {c}, {src}"));
            e.ins(format_args!("div.approx.f32 {dst}, {s}, {c}"));
        }
        ApproxMath::Exp => {
            let t = e.temp(Class::F32);
            let k = float_literal(LOG2_E, Ty::F32);
            e.ins(format_args!("mul.rn.f32 {t}, {src}, {k}"));
            e.ins(format_args!("ex2.approx.f32 {dst}, {t}"));
        }
        ApproxMath::Log => {
            let t = e.temp(Class::F32);
            let k = float_literal(LN_2, Ty::F32);
            e.ins(format_args!("lg2.approx.f32 {t}, {src}"));
            e.ins(format_args!("mul.rn.f32 {dst}, {t}, {k}"));
        }
    }
}
