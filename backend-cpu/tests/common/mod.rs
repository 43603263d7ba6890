//! Shared test helpers: compile IR, call entry points through the uniform ABI, build small
//! functions, and encode/decode 8-byte argument slots.
#![allow(dead_code, reason = "each test file uses a different subset")]

use backend_cpu::{CompileOptions, JitArtifact, compile_jit};
use ir::{Builder, Function, Module, Op, Ty};
use runtime::error::ErrorSlot;

/// Compiles `module` with entry points for `entries`, panicking with the backend's message.
pub fn compile(module: &Module, entries: &[&str]) -> JitArtifact {
    compile_jit(module, entries, &CompileOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Calls entry `name` with argument slots `args`; `Ok(result slots)` or `Err((code, slot))`.
pub fn call(
    artifact: &JitArtifact,
    name: &str,
    args: &[u64],
) -> Result<Vec<u64>, (u32, ErrorSlot)> {
    let sig = artifact
        .entry_signature(name)
        .unwrap_or_else(|| panic!("no entry `{name}`"));
    assert_eq!(args.len(), sig.params.len(), "argument count of `{name}`");
    let f = artifact
        .entry(name)
        .expect("entry exists when its signature does");
    // Poison the result slots so that a missing store shows.
    let mut rets = vec![0xDEAD_BEEF_DEAD_BEEFu64; sig.returns.len()];
    let mut err = ErrorSlot::default();
    // SAFETY: `args` and `rets` have one slot per flattened parameter/result (checked above);
    // the artifact outlives the call.
    let code = unsafe { f(args.as_ptr(), rets.as_mut_ptr(), &mut err) };
    if code == 0 {
        assert_eq!(err.code, 0, "entry returned 0 but left a code in the slot");
        Ok(rets)
    } else {
        assert_eq!(code, err.code, "returned code differs from the slot's");
        Err((code, err))
    }
}

/// `f(params...) -> result` computing `op` of its parameters.
pub fn single_op(op: Op, params: &[Ty], result: Ty) -> Module {
    let mut f = Function::new("f", params.to_vec(), vec![result]);
    let mut b = Builder::new(&mut f);
    let (_, args) = b.create_entry_block();
    let r = b.ins(op, &args, result);
    b.ret(&[r]);
    Module { functions: vec![f] }
}

/// Compiles `op` over `params` and evaluates it once.
pub fn eval(op: &Op, params: &[Ty], result: Ty, args: &[u64]) -> u64 {
    let artifact = compile(&single_op(op.clone(), params, result), &["f"]);
    let rets =
        call(&artifact, "f", args).unwrap_or_else(|(code, _)| panic!("{op:?} raised {code}"));
    rets[0]
}

/// Slot of an integer of any width (two's complement, sign-extended: only the low bytes count).
pub fn int(v: i64) -> u64 {
    v as u64
}
pub fn f64s(v: f64) -> u64 {
    v.to_bits()
}
pub fn f32s(v: f32) -> u64 {
    u64::from(v.to_bits())
}
pub fn as_f64(slot: u64) -> f64 {
    f64::from_bits(slot)
}
pub fn as_f32(slot: u64) -> f32 {
    f32::from_bits(slot as u32)
}

/// The low `ty.bits()` bits of a slot: what an integer slot means.
pub fn low_bits(ty: Ty, slot: u64) -> u64 {
    match ty.bits() {
        64 => slot,
        bits => slot & ((1u64 << bits) - 1),
    }
}

/// A readable form of a result slot of type `ty`, for assertion messages and comparisons.
pub fn show(ty: Ty, slot: u64) -> String {
    match ty {
        Ty::F64 => format!("{:?}", as_f64(slot)),
        Ty::F32 => format!("{:?}", as_f32(slot)),
        Ty::Bool => format!("{}", slot != 0),
        _ => {
            let shift = 64 - ty.bits();
            format!("{}", ((low_bits(ty, slot) << shift) as i64) >> shift)
        }
    }
}

/// Whether result slot `got` equals `want` for type `ty`: integers by their low bits, floats
/// bit for bit except that any NaN matches any NaN.
pub fn same(ty: Ty, got: u64, want: u64) -> bool {
    match ty {
        Ty::F64 => as_f64(got).is_nan() && as_f64(want).is_nan() || got == want,
        Ty::F32 => {
            as_f32(got).is_nan() && as_f32(want).is_nan() || low_bits(ty, got) == low_bits(ty, want)
        }
        _ => low_bits(ty, got) == low_bits(ty, want),
    }
}
