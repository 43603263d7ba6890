//! `backend-cpu`: turns a verified [`ir::Module`] into native machine code with Cranelift, either
//! in memory ([`compile_jit`]) or as a relocatable object file ([`compile_object`]).
//!
//! The same translation code (generic over `cranelift_module::Module`) drives both outputs:
//!
//! - `translate` builds one Cranelift function per IR function (one Cranelift block per IR
//!   block, IR block parameters as Cranelift block parameters), calling `ops` for the
//!   per-operation lowering and `loops` to order loop branches so that Cranelift's LICM works;
//!   float values live across a call outside loops are saved to the stack before it and
//!   reloaded after it (no float register survives a call; left to regalloc2, a loop's
//!   accumulator used after a later call was spilled on every iteration);
//! - `abi` holds what callers rely on: the internal calling convention, the module-wide error
//!   table and the entry trampolines of `runtime::abi`;
//! - `codegen` declares and defines a whole module; `jit` and `object` wrap it.
//!
//! Invariants and promises:
//!
//! - Every IR function `f(params) -> returns` becomes a Cranelift function
//!   `(err: ptr, params...) -> (returns...)` that is private to the compiled module. `Raise`
//!   stores `code = 1 + global index` into the `runtime::error::ErrorSlot` and returns zeros;
//!   every `Call` of a function that may raise (directly or through its callees) checks
//!   `err.code` afterwards and propagates a nonzero code the same way.
//! - A [`JitArtifact`] is immutable, `Send + Sync`, and frees its code when dropped; objects
//!   from [`compile_object`] are position-independent and export only the entry trampolines.
//! - Every requested entry gets an exported trampoline with the uniform entry ABI of
//!   [`runtime::abi::EntryFn`]. Results are written to 8-byte slots: integers sign-extended,
//!   bools zero-extended (0/1), `f32` as its bits zero-extended, `f64`/pointers as their bits.
//!   The trampoline resets `err.code` to 0 on entry, so a caller may reuse one slot.
//! - `bool` is an `i8` holding 0 or 1 inside compiled code; `ptr` is the target pointer type.
//! - Bad input (an unknown callee, a malformed block, IR rejected by Cranelift's verifier, an
//!   unsupported target) is a [`BackendError`], never a panic; internal panics of Cranelift are
//!   caught and reported as [`BackendError::Internal`] with the function's CLIF.
//! - The backend knows nothing about Python or the front end: it sees only IR and `runtime`.

mod abi;
mod c_entry;
mod codegen;
mod error;
mod isa;
mod jit;
mod loops;
mod object;
mod ops;
mod translate;

pub use c_entry::{CEntryError, take_c_entry_error};
pub use error::BackendError;
pub use jit::{EntrySignature, JitArtifact, compile_jit, compile_jit_with_c_entries};
pub use object::{CpuFeatures, ObjectArtifact, ObjectOptions, compile_object};

/// Environment variable that turns on the CLIF dump in [`CompileOptions::from_env`].
pub const DUMP_CLIF_ENV: &str = "FERROJIT_DUMP_CLIF";
/// Environment variable that turns on the assembly dump in [`CompileOptions::from_env`].
pub const DUMP_ASM_ENV: &str = "FERROJIT_DUMP_ASM";

/// What to record while compiling. Dumps are collected as text in the artifact (see
/// [`JitArtifact::dumps`]); the backend never prints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompileOptions {
    /// Record each function's CLIF as generated, before Cranelift's optimisations.
    pub dump_clif: bool,
    /// Record what Cranelift made of each function: its CLIF after the mid-end optimisations,
    /// then the machine code as Cranelift's disassembly of the final VCode (registers
    /// allocated, one instruction per line; `label`s are block starts).
    pub dump_asm: bool,
}

impl CompileOptions {
    /// Options from the environment: [`DUMP_CLIF_ENV`] and [`DUMP_ASM_ENV`] set to anything but
    /// empty or `0` turn the dumps on.
    pub fn from_env() -> CompileOptions {
        let config = runtime::config::env();
        CompileOptions {
            dump_clif: config.dump_clif,
            dump_asm: config.dump_asm,
        }
    }
}
