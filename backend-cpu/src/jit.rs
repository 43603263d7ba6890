//! In-memory compilation: an IR module becomes callable entry points in this process.

use crate::abi::SymbolNames;
use crate::codegen::{compile_module, cranelift_error};
use crate::error::panic_message;
use crate::isa::{TargetSpec, build_isa};
use crate::object::CpuFeatures;
use crate::{BackendError, CompileOptions};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::default_libcall_names;
use runtime::abi::EntryFn;
use runtime::error::ErrorInfo;
use runtime::math::RuntimeFn;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

/// Prefix of entry trampoline symbols inside a JIT module (never visible outside it).
const JIT_ENTRY_PREFIX: &str = "ferrojit.entry.";

/// Compiled code in this process's memory, with its entry points and error table.
///
/// The code is freed when the artifact is dropped: an [`EntryFn`] obtained from
/// [`JitArtifact::entry`] must not be called after that (calling it is `unsafe` for this reason,
/// among others).
pub struct JitArtifact {
    #[expect(
        dead_code,
        reason = "held only to free the code when the artifact is dropped"
    )]
    code: CodeMemory,
    entries: HashMap<String, (EntryFn, EntrySignature)>,
    /// C-callable trampolines by IR function name (`crate::c_entry`).
    c_entries: HashMap<String, usize>,
    /// The C trampolines point into this table's buffer: it is never modified.
    errors: Vec<ErrorInfo>,
    dumps: String,
}

impl std::fmt::Debug for JitArtifact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut entries: Vec<_> = self.entries.keys().collect();
        entries.sort();
        f.debug_struct("JitArtifact")
            .field("entries", &entries)
            .field("errors", &self.errors.len())
            .field("dumps", &self.dumps.len())
            .finish_non_exhaustive()
    }
}

/// Parameter and result types of an entry point, in slot order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntrySignature {
    pub params: Vec<ir::Ty>,
    pub returns: Vec<ir::Ty>,
}

/// Owns the `JITModule` only to free its memory; nothing else ever touches it after
/// finalisation.
struct CodeMemory(Option<JITModule>);

// SAFETY: after `finalize_definitions` the module is never accessed again except by `Drop`,
// which has exclusive access; no `&JITModule` is ever handed out, so sharing a `&CodeMemory`
// between threads shares nothing (Sync), and moving it to another thread only moves the
// ownership of mapped pages that no thread-local state refers to (Send). The code itself is
// immutable once finalised and may run on any number of threads at once.
unsafe impl Send for CodeMemory {}
// SAFETY: see above.
unsafe impl Sync for CodeMemory {}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        if let Some(module) = self.0.take() {
            // SAFETY: the artifact owning this memory is being dropped; its contract says entry
            // points are not called after that.
            unsafe { module.free_memory() };
        }
    }
}

impl JitArtifact {
    /// The entry trampoline of IR function `name`, if it was requested as an entry.
    pub fn entry(&self, name: &str) -> Option<EntryFn> {
        self.entries.get(name).map(|(f, _)| *f)
    }
    /// The flattened parameter and result types of entry `name`: slot `i` of `args`/`rets`
    /// holds the `i`-th of them.
    pub fn entry_signature(&self, name: &str) -> Option<&EntrySignature> {
        self.entries.get(name).map(|(_, sig)| sig)
    }
    /// The address of the C-callable trampoline of IR function `name`, if one was requested
    /// ([`compile_jit_with_c_entries`]): a function with `name`'s own parameters and results
    /// in the C calling convention, valid while the artifact lives.
    pub fn c_entry(&self, name: &str) -> Option<*const u8> {
        self.c_entries.get(name).map(|&a| a as *const u8)
    }
    /// The module's error table: error code `c` (nonzero) is `errors()[c - 1]`.
    pub fn errors(&self) -> &[ErrorInfo] {
        &self.errors
    }
    /// The error-table entry for a nonzero code returned by an entry point.
    pub fn error_info(&self, code: u32) -> Option<&ErrorInfo> {
        self.errors.get((code as usize).checked_sub(1)?)
    }
    /// The dumps requested in [`CompileOptions`] (empty if none).
    pub fn dumps(&self) -> &str {
        &self.dumps
    }
}

/// The host ISA, detected once per process (detection and flag parsing cost more than
/// compiling a small function).
fn native_isa() -> Result<OwnedTargetIsa, BackendError> {
    static NATIVE: OnceLock<Result<OwnedTargetIsa, BackendError>> = OnceLock::new();
    let spec = TargetSpec {
        triple: None,
        cpu: CpuFeatures::Native,
        pic: false,
    };
    NATIVE.get_or_init(|| build_isa(&spec)).clone()
}

/// Compiles every function of `module` for this machine (native CPU features) and makes an entry
/// point for each name in `entries`.
pub fn compile_jit(
    module: &ir::Module,
    entries: &[&str],
    opts: &CompileOptions,
) -> Result<JitArtifact, BackendError> {
    compile_jit_with_c_entries(module, entries, &[], opts)
}

/// [`compile_jit`], plus a C-callable trampoline for each name in `c_entries` (see
/// [`JitArtifact::c_entry`]).
pub fn compile_jit_with_c_entries(
    module: &ir::Module,
    entries: &[&str],
    c_entries: &[&str],
    opts: &CompileOptions,
) -> Result<JitArtifact, BackendError> {
    let isa = native_isa()?;
    let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
    for f in RuntimeFn::ALL {
        let info = f.describe();
        builder.symbol(info.symbol, info.address);
    }
    builder.symbol(
        crate::translate::PARALLEL_FOR_SYMBOL,
        runtime::parallel::ferrojit_parallel_for as *const u8,
    );
    let mut code = CodeMemory(Some(JITModule::new(builder)));
    let jit = code.0.as_mut().expect("just created");
    let names = SymbolNames {
        entry_prefix: JIT_ENTRY_PREFIX.to_string(),
        c_entries: c_entries.iter().map(|s| s.to_string()).collect(),
    };
    let compiled = compile_module(jit, module, entries, &names, opts)?;

    // An unresolvable import panics inside `finalize_definitions` rather than returning an
    // error; every runtime helper is registered above, libm's libcalls resolve by `dlsym`.
    let finalize = || {
        jit.finalize_definitions()
            .map_err(|e| cranelift_error("<module>", e))
    };
    match catch_unwind(AssertUnwindSafe(finalize)) {
        Ok(result) => result?,
        Err(payload) => {
            // The module's state is unknown: leak its memory rather than free it.
            std::mem::forget(code);
            let message = panic_message(&*payload);
            return Err(BackendError::Internal {
                function: "<module>".into(),
                message,
                clif: String::new(),
            });
        }
    }
    let entries = compiled
        .entries
        .iter()
        .map(|e| {
            let address = jit.get_finalized_function(e.id);
            // SAFETY: the trampoline was defined with the C signature `(ptr, ptr, ptr) -> i32`
            // of `EntryFn` and its code is finalised (executable).
            let f = unsafe { std::mem::transmute::<*const u8, EntryFn>(address) };
            let func = module
                .function(&e.name)
                .expect("entries name functions of the module");
            let sig = EntrySignature {
                params: func.params.clone(),
                returns: func.returns.clone(),
            };
            (e.name.clone(), (f, sig))
        })
        .collect();
    let c_entries = compiled
        .c_entries
        .iter()
        .map(|e| (e.name.clone(), jit.get_finalized_function(e.id) as usize))
        .collect();
    Ok(JitArtifact {
        code,
        entries,
        c_entries,
        errors: compiled.errors,
        dumps: compiled.dumps,
    })
}
