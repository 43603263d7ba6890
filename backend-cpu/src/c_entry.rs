//! C-callable entry points (`@cfunc`): a trampoline with the IR function's own parameters and
//! results in the platform's C calling convention, for callers that know nothing of ferrojit's
//! slot ABI (`ctypes`, SciPy's `LowLevelCallable`, C code).
//!
//! The trampoline keeps an [`ErrorSlot`] on its stack, calls the internal function with it,
//! then calls [`c_entry_finish`], which frees the call's arena (arrays the function created)
//! and, if the function raised, reports the exception: C has no way to receive it, so — as
//! Numba's `cfunc` does — it is printed to stderr and the (zero) result returned; it is also
//! kept for [`take_c_entry_error`], so that a Python-level call can raise it.

use crate::BackendError;
use crate::abi::{clif_type, slot_flags};
use cranelift_codegen::ir::{
    AbiParam, InstBuilder, StackSlotData, StackSlotKind, UserFuncName, types,
};
use cranelift_codegen::{Context, ir as clif};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Module};
use runtime::error::{ARENA_OFFSET, CODE_OFFSET, ErrorInfo, ErrorSlot};
use std::cell::RefCell;

/// An exception raised by a function called through its C entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CEntryError {
    pub info: ErrorInfo,
    pub message: String,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<CEntryError>> = const { RefCell::new(None) };
}

/// The exception raised by the last C-entry call on this thread that raised one (taken).
pub fn take_c_entry_error() -> Option<CEntryError> {
    LAST_ERROR.with(|e| e.borrow_mut().take())
}

/// The C signature of IR function `func`: its own parameters and results.
pub(crate) fn c_signature(
    func: &ir::Function,
    pointer: clif::Type,
    call_conv: cranelift_codegen::isa::CallConv,
) -> clif::Signature {
    let mut sig = clif::Signature::new(call_conv);
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

/// Called by every C trampoline after the call: frees the arena, reports a raised exception.
///
/// # Safety
/// `slot` points to the trampoline's initialised slot; `errors` to `count` error infos (the
/// module's error table, alive as long as its code).
unsafe extern "C" fn c_entry_finish(slot: *mut ErrorSlot, errors: *const ErrorInfo, count: usize) {
    // SAFETY: see above; the trampoline's slot is exclusively ours until it returns.
    let slot = unsafe { &mut *slot };
    drop(slot.take_arena());
    if slot.code == 0 {
        return;
    }
    let table = if count == 0 {
        &[][..]
    } else {
        // SAFETY: the module's error table, see above.
        unsafe { std::slice::from_raw_parts(errors, count) }
    };
    let Some(info) = table.get(slot.code as usize - 1) else {
        return;
    };
    let message = info.format(&slot.args);
    eprintln!(
        "Exception ignored in C callback '{}' (line {}): {}: {message}",
        info.function,
        info.line,
        info.kind.name()
    );
    let error = CEntryError {
        info: info.clone(),
        message,
    };
    LAST_ERROR.with(|e| *e.borrow_mut() = Some(error));
    slot.code = 0;
}

/// Builds the C trampoline of `func` (whose internal function is `internal`) into `ctx`.
#[allow(clippy::too_many_arguments, reason = "the pieces of one trampoline")]
pub(crate) fn build_c_trampoline<M: Module>(
    module: &mut M,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    func: &ir::Function,
    internal: FuncId,
    id: FuncId,
    errors: &[ErrorInfo],
) -> Result<(), BackendError> {
    let pointer = module.target_config().pointer_type();
    let call_conv = module.isa().default_call_conv();
    ctx.func.signature = c_signature(func, pointer, call_conv);
    ctx.func.name = UserFuncName::user(0, id.as_u32());
    let callee = module.declare_func_in_func(internal, &mut ctx.func);
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let params = b.block_params(entry).to_vec();

    let size = std::mem::size_of::<ErrorSlot>() as u32;
    let slot = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, size, 3));
    let slot_addr = b.ins().stack_addr(pointer, slot, 0);
    let zero32 = b.ins().iconst(types::I32, 0);
    b.ins().store(slot_flags(), zero32, slot_addr, CODE_OFFSET);
    let null = b.ins().iconst(pointer, 0);
    b.ins().store(slot_flags(), null, slot_addr, ARENA_OFFSET);
    let mut args = vec![slot_addr];
    args.extend(params);
    let call = b.ins().call(callee, &args);
    let results = b.inst_results(call).to_vec();

    let mut finish_sig = clif::Signature::new(call_conv);
    finish_sig.params.extend([
        AbiParam::new(pointer),
        AbiParam::new(pointer),
        AbiParam::new(pointer),
    ]);
    let finish_sig = b.import_signature(finish_sig);
    let finish = b.ins().iconst(pointer, c_entry_finish as *const u8 as i64);
    let table = b.ins().iconst(pointer, errors.as_ptr() as i64);
    let count = b.ins().iconst(pointer, errors.len() as i64);
    b.ins()
        .call_indirect(finish_sig, finish, &[slot_addr, table, count]);
    b.ins().return_(&results);
    b.seal_all_blocks();
    b.finalize(module.target_config());
    Ok(())
}
