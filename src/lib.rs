//! `ferrojit`: the compiler driver and Rust embedding API.
//!
//! Its one job is to run the pipeline — `frontend` (parse) → `typeinfer` → `ir` (lower, optimise,
//! verify) → `backend-cpu` (Cranelift) — for one function and everything it calls, and to hand
//! back a [`CompiledFunction`] that can be called with flattened argument slots. `pybridge` and
//! the `ferrojit` command-line tool are thin layers over this crate.
//!
//! Around the driver: [`embed`] (compile Python from Rust and call it with Rust values),
//! [`aot`] (`ferrojit build`: C libraries and CPython extensions ahead of time) and [`cache`]
//! (compiled specializations persisted on disk for `cache=True`).
//!
//! Invariants:
//! - No Python here: globals reach the compiler through the [`GlobalResolver`] trait.
//! - Every failure is a [`Diagnostic`] rendered against the source of the function it is in.
//! - Compiled code is immutable and `Send + Sync`; a [`CompiledFunction`] may be called from any
//!   thread.

pub mod aot;
pub mod cache;
pub mod classes;
mod defaults;
mod driver;
mod dump;
pub mod embed;
mod inspect;
mod none_args;
pub mod values;
mod versioning;

pub use backend_cpu::{CEntryError, take_c_entry_error};
pub use driver::{
    CCallable, CompileRequest, CompiledCode, CompiledFunction, LoweredModule, RuntimeError,
    WrapperBuilder, compile, compile_c_callable, compile_wrapped, lower_to_ir,
};
pub use dump::{DumpFlags, DumpSection, Stage as DumpStage, capture as capture_dumps};
pub use embed::{Error, Function, Jit, Module};
pub use frontend::{Diagnostic, DiagnosticKind, SourceFile, Span, ast};
pub use inspect::annotate_types;
pub use ir::lower::flatten::{FlatSlot, SlotEncoding, flat_types, slot_count};
pub use runtime::error::{ErrorInfo, ExceptionKind};
pub use typeinfer::{
    ConstValue, Intrinsic, Layout, ModuleKind, Scalar, Signature, Type, parse_signature,
    parse_signatures,
};

use std::sync::Arc;

/// Compilation options, Numba's decorator keywords that affect code generation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Options {
    /// Check array indices and raise `IndexError` when out of range.
    pub boundscheck: bool,
    /// Allow reassociation and fused multiply-add (not yet exploited beyond FMA contraction).
    pub fastmath: bool,
    /// `error_model='numpy'`: float division by zero gives inf/nan instead of raising.
    pub numpy_error_model: bool,
    /// `parallel=True`: `prange` loops are split over the runtime's threads.
    pub parallel: bool,
}

/// What a global name of a function refers to.
#[derive(Clone)]
pub enum Global {
    /// A constant, module, intrinsic, exception class, dtype or unsupported object.
    Value(typeinfer::GlobalValue),
    /// Another jitted function.
    Function(Arc<FunctionDef>),
    /// A function with typed implementations chosen by argument types (`@overload`).
    Overload(Arc<dyn OverloadResolver>),
}

/// Chooses the implementation of an overloaded function for the argument types of a call
/// (`ferrojit.extending.overload`: the user's typing function returns it).
pub trait OverloadResolver: Send + Sync {
    /// The overloaded function's name, for messages and cache keys.
    fn name(&self) -> String;
    /// The implementation for `args`, or a typing error saying there is none.
    fn implementation(&self, args: &[Type]) -> Result<Arc<FunctionDef>, Diagnostic>;
}

/// Resolves a function's global names (its module's globals), at compile time.
pub trait GlobalResolver: Send + Sync {
    fn resolve(&self, name: &str) -> Option<Global>;
    /// A method `name` the extension API gave values of type `receiver` (`@overload_method`).
    fn resolve_method(&self, receiver: &Type, name: &str) -> Option<Arc<dyn OverloadResolver>> {
        let _ = (receiver, name);
        None
    }
    /// Makes an objmode block a function of the interpreter, run with this function's globals,
    /// and returns its id for `runtime::objmode`; an error says why it cannot be (no
    /// interpreter: ahead-of-time builds, the Rust embedding API).
    fn register_objmode(&self, request: &ir::lower::ObjModeRequest) -> Result<u64, String> {
        let _ = request;
        Err(
            "objmode blocks need the Python interpreter: they are not supported in \
             ahead-of-time builds (`ferrojit build`) or through the Rust embedding API"
                .to_string(),
        )
    }
}

/// A Python function as the compiler sees it: parsed source plus how to resolve its globals.
pub struct FunctionDef {
    pub source: SourceFile,
    pub ast: ast::Function,
    pub globals: Box<dyn GlobalResolver>,
    pub options: Options,
    /// Explicit signatures (`@jit('i4(i8)')`): the function's contract wherever it is called,
    /// from Python or from other jitted functions. Empty when types are inferred per call.
    pub signatures: Vec<Signature>,
}

impl FunctionDef {
    /// Parses `source`; errors are rendered against it.
    pub fn parse(
        source: SourceFile,
        globals: Box<dyn GlobalResolver>,
        options: Options,
    ) -> Result<FunctionDef, Diagnostic> {
        let ast = frontend::parse_function(&source)?;
        Ok(FunctionDef {
            source,
            ast,
            globals,
            options,
            signatures: Vec::new(),
        })
    }
}
