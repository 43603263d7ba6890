//! The uniform entry-point ABI: how a dispatcher calls any compiled specialization.
//!
//! ```text
//! extern "C" fn entry(args: *const u64, rets: *mut u64, err: *mut ErrorSlot) -> u32
//! ```
//!
//! The function's parameters are flattened to scalars (a complex number is two floats, a tuple
//! its elements in order, an array one pointer to its [`crate::array::ArrayDescriptor`]); each
//! scalar occupies one 8-byte slot of `args` (integers and bools zero/sign-extended to 64 bits
//! — only the low bytes are read; `f32` in the low 4 bytes; `f64` as its bits). Results are
//! written to `rets` the same way. The return value is 0 on success, or the nonzero error code
//! also stored in `err`.

use crate::error::ErrorSlot;

/// Signature of every compiled entry point.
pub type EntryFn =
    unsafe extern "C" fn(args: *const u64, rets: *mut u64, err: *mut ErrorSlot) -> u32;
