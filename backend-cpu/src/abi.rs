//! What compiled code and its callers agree on: types, signatures, the error table and the entry
//! trampolines of `runtime::abi`.
//!
//! Internal convention (between functions of one compiled module): `(err: ptr, params...) ->
//! (returns...)` with the target's default calling convention. The entry trampoline adapts the
//! uniform `extern "C" fn(args: *const u64, rets: *mut u64, err: *mut ErrorSlot) -> u32` to it:
//! it clears `err.code`, loads each parameter from its 8-byte slot (narrow values from the slot's
//! low bytes; bools normalised to 0/1), calls the internal function, returns `err.code` if the
//! call raised, and otherwise stores each result into its slot — integers sign-extended to 64
//! bits, bools zero-extended, `f32` as its 32 bits zero-extended — and returns 0.

use crate::BackendError;
use cranelift_codegen::ir::{
    AbiParam, InstBuilder, MemFlagsData, Signature, Type, UserFuncName, Value, types,
};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::{Context, ir as clif};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Module};
use ir::Ty;
use runtime::error::{CODE_OFFSET, ErrorInfo};
use runtime::math::{AbiType, RuntimeFn};

/// Size of one argument/result slot of the entry ABI.
const SLOT_BYTES: i32 = 8;

/// The Cranelift type of an IR type.
pub(crate) fn clif_type(ty: Ty, pointer: Type) -> Type {
    match ty {
        Ty::Bool | Ty::I8 => types::I8,
        Ty::I16 => types::I16,
        Ty::I32 => types::I32,
        Ty::I64 => types::I64,
        Ty::F32 => types::F32,
        Ty::F64 => types::F64,
        Ty::Ptr => pointer,
        Ty::F64X2 => types::F64X2,
        Ty::F32X4 => types::F32X4,
        Ty::I64X2 | Ty::M64X2 => types::I64X2,
        Ty::I32X4 | Ty::M32X4 => types::I32X4,
        Ty::I16X8 | Ty::M16X8 => types::I16X8,
        Ty::I8X16 | Ty::M8X16 => types::I8X16,
    }
}

/// `(err: ptr, params...) -> (returns...)`.
pub(crate) fn internal_signature(
    func: &ir::Function,
    pointer: Type,
    call_conv: CallConv,
) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::new(pointer));
    sig.params.extend(
        func.params
            .iter()
            .map(|&t| AbiParam::new(clif_type(t, pointer))),
    );
    sig.returns.extend(
        func.returns
            .iter()
            .map(|&t| AbiParam::new(clif_type(t, pointer))),
    );
    sig
}

/// `(args: ptr, rets: ptr, err: ptr) -> i32`, the C signature of `runtime::abi::EntryFn`.
pub(crate) fn entry_signature(pointer: Type, call_conv: CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.extend([AbiParam::new(pointer); 3]);
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

/// The C signature of a runtime function.
pub(crate) fn runtime_signature(f: RuntimeFn, call_conv: CallConv) -> Signature {
    let abi = |t: AbiType| match t {
        AbiType::I64 | AbiType::Ptr => AbiParam::new(types::I64),
        AbiType::F32 => AbiParam::new(types::F32),
        AbiType::F64 => AbiParam::new(types::F64),
    };
    let info = f.describe();
    let mut sig = Signature::new(call_conv);
    if info.takes_slot {
        sig.params.push(AbiParam::new(types::I64));
    }
    sig.params.extend(info.params.iter().map(|&t| abi(t)));
    sig.returns.push(abi(info.result));
    sig
}

/// The IR type a runtime function's result has.
pub(crate) fn runtime_result_type(f: RuntimeFn) -> Ty {
    match f.describe().result {
        AbiType::I64 => Ty::I64,
        AbiType::Ptr => Ty::Ptr,
        AbiType::F32 => Ty::F32,
        AbiType::F64 => Ty::F64,
    }
}

/// Flags of accesses to the error slot and to argument slots: valid, aligned, may change.
pub(crate) fn slot_flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// A zero of type `ty`: what a function returns next to a raised error.
pub(crate) fn zero(b: &mut FunctionBuilder, ty: Type) -> Value {
    match ty {
        types::F32 => b.ins().f32const(0.0),
        types::F64 => b.ins().f64const(0.0),
        _ => b.ins().iconst(ty, 0),
    }
}

/// The module-wide error table, and for each function (in module order) the global index of
/// its first error: function-local `ErrorId(i)` raises code `base + i + 1`.
pub(crate) fn build_error_table(module: &ir::Module) -> (Vec<ErrorInfo>, Vec<u32>) {
    let mut table = Vec::new();
    let mut bases = Vec::with_capacity(module.functions.len());
    for func in &module.functions {
        bases.push(table.len() as u32);
        table.extend(func.errors.iter().map(|site| ErrorInfo {
            kind: site.kind,
            message: site.message.clone(),
            function: if site.function.is_empty() {
                func.name.clone()
            } else {
                site.function.clone()
            },
            line: site.line,
            col: site.col,
        }));
    }
    (table, bases)
}

/// Symbol names of one compiled module. Internal functions are local symbols whose names
/// contain a `.`, so they cannot collide with C symbols (runtime helpers, libm libcalls).
pub(crate) struct SymbolNames {
    pub entry_prefix: String,
    /// IR functions that also get a C-callable trampoline (`crate::c_entry`), JIT only.
    pub c_entries: Vec<String>,
}

impl SymbolNames {
    pub fn internal(&self, name: &str) -> String {
        format!("ferrojit.fn.{name}")
    }
    pub fn entry(&self, name: &str) -> String {
        format!("{}{name}", self.entry_prefix)
    }
    pub fn c_entry(&self, name: &str) -> String {
        format!("{}c.{name}", self.entry_prefix)
    }
}

/// Builds the entry trampoline of `func` (whose internal function is `internal`) into `ctx`.
pub(crate) fn build_entry_trampoline<M: Module>(
    module: &mut M,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    func: &ir::Function,
    internal: FuncId,
    id: FuncId,
) -> Result<(), BackendError> {
    let pointer = module.target_config().pointer_type();
    let call_conv = module.isa().default_call_conv();
    let big_endian = module.isa().endianness() == clif::Endianness::Big;
    // The low bytes of a little-endian slot come first; of a big-endian one, last.
    let low_bytes = |slot: usize, ty: Type| {
        let base = slot as i32 * SLOT_BYTES;
        if big_endian {
            base + SLOT_BYTES - ty.bytes() as i32
        } else {
            base
        }
    };

    ctx.func.signature = entry_signature(pointer, call_conv);
    ctx.func.name = UserFuncName::user(0, id.as_u32());
    let callee = module.declare_func_in_func(internal, &mut ctx.func);
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let &[args, rets, err] = b.block_params(entry) else {
        unreachable!("the entry signature has three parameters")
    };

    let zero32 = b.ins().iconst(types::I32, 0);
    b.ins().store(slot_flags(), zero32, err, CODE_OFFSET);
    let mut call_args = vec![err];
    for (slot, &ty) in func.params.iter().enumerate() {
        let cty = clif_type(ty, pointer);
        let v = b.ins().load(
            cty,
            MemFlagsData::trusted().with_readonly(),
            args,
            low_bytes(slot, cty),
        );
        let v = if ty == Ty::Bool {
            b.ins().icmp_imm_u(clif::condcodes::IntCC::NotEqual, v, 0)
        } else {
            v
        };
        call_args.push(v);
    }
    let call = b.ins().call(callee, &call_args);
    let results = b.inst_results(call).to_vec();

    let code = b.ins().load(types::I32, slot_flags(), err, CODE_OFFSET);
    let raised = b.create_block();
    let ok = b.create_block();
    b.ins().brif(code, raised, &[], ok, &[]);

    b.switch_to_block(raised);
    b.set_cold_block(raised);
    b.ins().return_(&[code]);

    b.switch_to_block(ok);
    for (slot, (&ty, &v)) in func.returns.iter().zip(&results).enumerate() {
        let widened = match ty {
            Ty::Bool => b.ins().uextend(types::I64, v),
            Ty::I8 | Ty::I16 | Ty::I32 => b.ins().sextend(types::I64, v),
            Ty::F32 => {
                let bits = b.ins().bitcast(types::I32, MemFlagsData::new(), v);
                b.ins().uextend(types::I64, bits)
            }
            // Vectors never cross a function boundary (the verifier's invariant 15).
            Ty::I64 | Ty::F64 | Ty::Ptr => v,
            Ty::F64X2
            | Ty::F32X4
            | Ty::I64X2
            | Ty::I32X4
            | Ty::I16X8
            | Ty::I8X16
            | Ty::M64X2
            | Ty::M32X4
            | Ty::M16X8
            | Ty::M8X16 => {
                return Err(BackendError::Internal {
                    function: func.name.clone(),
                    message: "a vector cannot be returned".to_string(),
                    clif: String::new(),
                });
            }
        };
        b.ins()
            .store(slot_flags(), widened, rets, slot as i32 * SLOT_BYTES);
    }
    let zero = b.ins().iconst(types::I32, 0);
    b.ins().return_(&[zero]);
    b.seal_all_blocks();
    b.finalize(module.target_config());
    Ok(())
}
