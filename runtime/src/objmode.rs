//! `with objmode(...)` blocks: compiled code hands a block's inputs to the interpreter.
//!
//! The runtime knows nothing of Python: the Python extension (pybridge) installs a hook at
//! import, and [`ferrojit_objmode_call`] forwards to it. A block's inputs and outputs are
//! flattened into `u64` slots exactly like an entry point's arguments and results
//! ([`crate::abi`]); the hook boxes the inputs, runs the block, and unboxes the declared
//! outputs (arrays and strings into the call's arena). A nonzero status means the block raised:
//! the hook keeps the Python exception for the dispatcher to re-raise, and compiled code
//! raises its own error to unwind to it.

use crate::error::ErrorSlot;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The message of the error compiled code raises when a block raised: the Python exception is
/// what the caller sees. Its class tag is 0 ([`crate::error::error_tag`]), so no compiled
/// `except` clause catches it on the way.
pub const RAISED_IN_BLOCK: &str = "an exception was raised in an objmode block";

/// `(err, block, inputs, outputs) -> status` (0 on success), installed by the extension.
pub type ObjModeHook =
    unsafe extern "C" fn(err: *mut ErrorSlot, block: i64, inputs: i64, outputs: i64) -> i64;

static HOOK: AtomicUsize = AtomicUsize::new(0);

/// Installs the interpreter's hook (once, when the Python extension is imported).
pub fn install_hook(hook: ObjModeHook) {
    HOOK.store(hook as usize, Ordering::Release);
}

/// Runs objmode block `block` with inputs at `inputs` and outputs written to `outputs`;
/// 1 when no interpreter is attached (a library built ahead of time) or the block raised.
///
/// # Safety
/// `err` is the call's error slot; `inputs`/`outputs` hold the slots the block was compiled
/// with.
pub unsafe extern "C" fn ferrojit_objmode_call(
    err: *mut ErrorSlot,
    block: i64,
    inputs: i64,
    outputs: i64,
) -> i64 {
    let hook = HOOK.load(Ordering::Acquire);
    if hook == 0 {
        return 1;
    }
    // SAFETY: only `install_hook` stores a nonzero value, an `ObjModeHook`.
    let hook: ObjModeHook = unsafe { std::mem::transmute::<usize, ObjModeHook>(hook) };
    // SAFETY: per this function's contract, which is the hook's.
    unsafe { hook(err, block, inputs, outputs) }
}
