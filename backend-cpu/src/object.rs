//! Ahead-of-time compilation: an IR module becomes a relocatable object file (position-
//! independent, for linking into a shared library with `cc -shared`).
//!
//! The object exports one entry trampoline per requested entry (symbol
//! `ObjectOptions::entry_prefix` + IR name) and imports the runtime helpers it calls by their
//! `runtime::math` symbols, plus libm for operations Cranelift lowers to libcalls on CPUs
//! without the needed instructions (`floor`, `fma`, ... on generic x86-64).

use crate::abi::SymbolNames;
use crate::codegen::compile_module;
use crate::isa::{TargetSpec, build_isa};
use crate::{BackendError, CompileOptions};
use cranelift_module::default_libcall_names;
use cranelift_object::{ObjectBuilder, ObjectModule};
use runtime::error::ErrorInfo;

/// Which CPU features generated code may assume.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum CpuFeatures {
    /// The target's baseline (for x86-64: SSE2 only), so the object runs on any CPU of the
    /// architecture.
    #[default]
    Generic,
    /// Whatever this machine has (only for the host triple).
    Native,
}

/// Where and how an object file will be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectOptions {
    /// Target triple such as `x86_64-unknown-linux-gnu`; `None` for this machine's.
    pub triple: Option<String>,
    pub cpu: CpuFeatures,
    /// Prefix of the exported entry symbols (default `ferrojit_entry_`).
    pub entry_prefix: String,
    /// Name recorded in the object file.
    pub object_name: String,
    pub compile: CompileOptions,
}

impl Default for ObjectOptions {
    fn default() -> Self {
        ObjectOptions {
            triple: None,
            cpu: CpuFeatures::Generic,
            entry_prefix: "ferrojit_entry_".to_string(),
            object_name: "ferrojit".to_string(),
            compile: CompileOptions::default(),
        }
    }
}

/// An object file and what its user needs to know to call into it.
#[derive(Clone, Debug)]
pub struct ObjectArtifact {
    /// The object file (ELF, Mach-O or COFF, as the target dictates).
    pub bytes: Vec<u8>,
    /// The module's error table: error code `c` (nonzero) is `errors[c - 1]`.
    pub errors: Vec<ErrorInfo>,
    /// `(IR function name, exported symbol)` of each entry trampoline, with the
    /// `runtime::abi::EntryFn` signature.
    pub entry_symbols: Vec<(String, String)>,
    /// Runtime helper symbols the object imports; the linker must provide them.
    pub runtime_imports: Vec<&'static str>,
    /// The dumps requested in `ObjectOptions::compile`.
    pub dumps: String,
}

/// Compiles every function of `module` into an object file with an exported entry trampoline for
/// each name in `entries`.
pub fn compile_object(
    module: &ir::Module,
    entries: &[&str],
    opts: &ObjectOptions,
) -> Result<ObjectArtifact, BackendError> {
    let spec = TargetSpec {
        triple: opts.triple.as_deref(),
        cpu: opts.cpu,
        pic: true,
    };
    let isa = build_isa(&spec)?;
    let builder = ObjectBuilder::new(isa, opts.object_name.as_str(), default_libcall_names())
        .map_err(|e| BackendError::Target(e.to_string()))?;
    let mut object = ObjectModule::new(builder);
    let names = SymbolNames {
        entry_prefix: opts.entry_prefix.clone(),
        c_entries: Vec::new(),
    };
    let compiled = compile_module(&mut object, module, entries, &names, &opts.compile)?;
    let bytes = object
        .finish()
        .emit()
        .map_err(|e| BackendError::Cranelift {
            function: "<module>".to_string(),
            message: format!("emitting the object file: {e}"),
        })?;
    Ok(ObjectArtifact {
        bytes,
        errors: compiled.errors,
        entry_symbols: compiled
            .entries
            .into_iter()
            .map(|e| (e.name, e.symbol))
            .collect(),
        runtime_imports: compiled.runtime_imports,
        dumps: compiled.dumps,
    })
}
