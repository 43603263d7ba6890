//! The compile pipeline for one entry function and every jitted function it calls.
//!
//! A [`Session`] infers types for the entry specialization; each call of another jitted
//! function asks the session (through typeinfer's `Env`) for that callee's specialization,
//! which is inferred on demand and memoised by (function, argument types). Then every
//! specialization is lowered to IR, optimised, verified, and all are compiled into one
//! Cranelift module, so calls between them are direct.

use crate::{FunctionDef, Global, dump::DumpFlags};
use frontend::Diagnostic;
use ir::lower::{LowerContext, lower_function};
use runtime::alloc::Arena;
use runtime::error::{ErrorInfo, ErrorSlot, ExceptionKind};
use std::cell::RefCell;
use std::sync::Arc;
use typeinfer::{CalleeId, Env, GlobalValue, Type, TypedFunction};

/// What to compile: a function for argument types, optionally with a declared return type.
pub struct CompileRequest {
    pub def: Arc<FunctionDef>,
    pub arg_types: Vec<Type>,
    pub declared_return: Option<Type>,
    pub dump: DumpFlags,
}

/// A compiled specialization, callable with flattened argument slots (`runtime::abi`).
pub struct CompiledFunction {
    pub arg_types: Vec<Type>,
    pub return_type: Type,
    /// Number of `u64` slots the arguments and the result flatten to.
    pub arg_slots: usize,
    pub ret_slots: usize,
    entry: runtime::abi::EntryFn,
    code: Arc<dyn CompiledCode>,
}

/// What keeps a compiled function's machine code alive, and knows its error table: the JIT's
/// artifact, or a shared library loaded from the on-disk cache (`crate::cache`).
pub trait CompiledCode: Send + Sync {
    /// Error code `c` (nonzero) is `errors()[c - 1]`.
    fn errors(&self) -> &[ErrorInfo];
}

impl CompiledCode for backend_cpu::JitArtifact {
    fn errors(&self) -> &[ErrorInfo] {
        backend_cpu::JitArtifact::errors(self)
    }
}

/// An exception raised by compiled code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeError {
    pub kind: ExceptionKind,
    pub message: String,
    pub function: String,
    pub line: u32,
    pub col: u32,
}

impl std::fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} (in {}, line {})",
            self.kind.name(),
            self.message,
            self.function,
            self.line
        )
    }
}

impl std::error::Error for RuntimeError {}

impl CompiledFunction {
    /// Calls the compiled code.
    ///
    /// # Safety
    /// `args` must hold `arg_slots` values laid out as `runtime::abi` describes for
    /// `arg_types`, array slots pointing to valid descriptors of the declared dtype and rank
    /// whose memory stays valid for the call; `rets` must have room for `ret_slots` values.
    ///
    /// On success, returns the call's [`Arena`]: the memory of arrays the call created,
    /// returned ones included, which stays valid until the arena is dropped (a caller that
    /// returns arrays takes their buffers out of it first, see `Arena::take`).
    pub unsafe fn call(&self, args: &[u64], rets: &mut [u64]) -> Result<Arena, RuntimeError> {
        debug_assert!(args.len() >= self.arg_slots && rets.len() >= self.ret_slots);
        let mut slot = ErrorSlot::default();
        // SAFETY: the caller upholds the ABI contract above; `slot` outlives the call.
        let code = unsafe { (self.entry)(args.as_ptr(), rets.as_mut_ptr(), &mut slot) };
        if code == 0 {
            return Ok(slot.take_arena());
        }
        Err(self.runtime_error(&slot))
    }

    fn runtime_error(&self, slot: &ErrorSlot) -> RuntimeError {
        match self.code.errors().get(slot.code as usize - 1) {
            Some(info) => RuntimeError {
                kind: info.kind,
                message: info.format(&slot.args),
                function: info.function.clone(),
                line: info.line,
                col: info.col,
            },
            None => RuntimeError {
                kind: ExceptionKind::RuntimeError,
                message: format!("compiled code reported unknown error code {}", slot.code),
                function: String::new(),
                line: 0,
                col: 0,
            },
        }
    }

    /// The error table of the compiled module (for ahead-of-time artefacts and tests).
    pub fn errors(&self) -> &[ErrorInfo] {
        self.code.errors()
    }

    /// A compiled function whose machine code `code` keeps alive (a loaded library).
    ///
    /// # Safety
    /// `entry` must follow `runtime::abi::EntryFn` for `arg_types`/`return_type` (with
    /// `arg_slots`/`ret_slots` slots) and stay callable, from any thread, while `code` lives;
    /// its error codes index `code.errors()`.
    pub unsafe fn from_entry(
        arg_types: Vec<Type>,
        return_type: Type,
        arg_slots: usize,
        ret_slots: usize,
        entry: runtime::abi::EntryFn,
        code: Arc<dyn CompiledCode>,
    ) -> CompiledFunction {
        CompiledFunction {
            arg_types,
            return_type,
            arg_slots,
            ret_slots,
            entry,
            code,
        }
    }
}

/// A compiled program in IR form: the entry function (or the wrapper around it) and everything
/// it calls, optimised and verified — what the backends consume.
pub struct LoweredModule {
    pub module: ir::Module,
    /// The IR name of the function to call (the root, or the wrapper if one was added).
    pub entry_symbol: String,
    /// The IR name of the compiled Python function itself.
    pub root_symbol: String,
    pub arg_types: Vec<Type>,
    pub return_type: Type,
}

/// Builds an extra IR function around the compiled root (a ufunc loop, a C-ABI shim, ...):
/// given the root's IR name and its types, returns the wrapper, which may call the root.
pub type WrapperBuilder<'a> = &'a dyn Fn(&str, &TypedFunction) -> ir::Function;

/// Runs the pipeline up to verified, optimised IR: infers `req.def` for its argument types and
/// every jitted function it calls, lowers them, adds `wrapper` if given, inlines and optimises.
pub fn lower_to_ir(
    req: &CompileRequest,
    wrapper: Option<WrapperBuilder>,
) -> Result<LoweredModule, Diagnostic> {
    let mut session = Session {
        specs: Vec::new(),
        callees: RefCell::default(),
        dump: req.dump,
    };
    if req.dump.ast {
        eprintln!(
            "--- ast of {} ---\n{}",
            req.def.ast.name,
            req.def.ast.dump()
        );
    }
    let root = session.specialize(&req.def, &req.arg_types, req.declared_return.as_ref())?;
    let root_symbol = session.specs[root].symbol.clone();
    let typed = session.specs[root]
        .typed
        .clone()
        .expect("the root was inferred");
    let extra = wrapper.map(|build| build(&root_symbol, &typed));
    let entry_symbol = extra
        .as_ref()
        .map_or_else(|| root_symbol.clone(), |w| w.name.clone());
    let module = session.lower_all(&entry_symbol, extra)?;
    Ok(LoweredModule {
        module,
        entry_symbol,
        root_symbol,
        arg_types: typed.arg_types,
        return_type: typed.return_type,
    })
}

/// Compiles `req.def` for `req.arg_types` and everything it calls, to machine code in memory.
pub fn compile(req: &CompileRequest) -> Result<CompiledFunction, Diagnostic> {
    compile_lowered(req, lower_to_ir(req, None)?)
}

/// Like [`compile`], with an extra wrapper function as the entry point (see [`WrapperBuilder`]).
pub fn compile_wrapped(
    req: &CompileRequest,
    wrapper: WrapperBuilder,
) -> Result<CompiledFunction, Diagnostic> {
    compile_lowered(req, lower_to_ir(req, Some(wrapper))?)
}

fn compile_lowered(
    req: &CompileRequest,
    lowered: LoweredModule,
) -> Result<CompiledFunction, Diagnostic> {
    let options = backend_cpu::CompileOptions {
        dump_clif: req.dump.clif,
        dump_asm: req.dump.asm,
    };
    let entry_symbol = lowered.entry_symbol.as_str();
    let artifact =
        backend_cpu::compile_jit(&lowered.module, &[entry_symbol], &options).map_err(|e| {
            Diagnostic::internal(format!("code generation failed: {e}"))
                .with_source(&req.def.source)
        })?;
    if req.dump.clif || req.dump.asm {
        eprintln!("{}", artifact.dumps());
    }
    let entry = artifact
        .entry(entry_symbol)
        .ok_or_else(|| Diagnostic::internal(format!("no entry point {entry_symbol}")))?;
    let signature = artifact
        .entry_signature(entry_symbol)
        .ok_or_else(|| Diagnostic::internal(format!("no entry signature for {entry_symbol}")))?;
    Ok(CompiledFunction {
        arg_slots: signature.params.len(),
        ret_slots: signature.returns.len(),
        arg_types: lowered.arg_types,
        return_type: lowered.return_type,
        entry,
        code: Arc::new(artifact),
    })
}

/// One function specialised for argument types.
struct Specialization {
    def: Arc<FunctionDef>,
    arg_types: Vec<Type>,
    symbol: String,
    /// From an explicit signature; lets a recursive call be typed while inference of the
    /// function itself is still in progress.
    declared_return: Option<Type>,
    /// `None` while its inference is in progress (a recursive call sees this).
    typed: Option<TypedFunction>,
}

struct Session {
    specs: Vec<Specialization>,
    /// Jitted functions referenced by globals, indexed by `CalleeId`. A `RefCell` because
    /// typeinfer's `Env::lookup_global` takes `&self`.
    callees: RefCell<Vec<Arc<FunctionDef>>>,
    dump: DumpFlags,
}

impl Session {
    fn find(&self, def: &Arc<FunctionDef>, arg_types: &[Type]) -> Option<usize> {
        self.specs
            .iter()
            .position(|s| Arc::ptr_eq(&s.def, def) && s.arg_types == arg_types)
    }

    /// Infers `def` for `arg_types` (memoised) and returns its index in `specs`.
    fn specialize(
        &mut self,
        def: &Arc<FunctionDef>,
        arg_types: &[Type],
        declared_return: Option<&Type>,
    ) -> Result<usize, Diagnostic> {
        if let Some(i) = self.find(def, arg_types) {
            if self.specs[i].typed.is_none() && self.specs[i].declared_return.is_none() {
                return Err(Diagnostic::new(
                    frontend::DiagnosticKind::Typing,
                    format!(
                        "cannot infer the return type of recursive function '{}'; give it an explicit signature",
                        def.ast.name
                    ),
                    Some(def.ast.span),
                )
                .with_source(&def.source));
            }
            return Ok(i);
        }
        let index = self.specs.len();
        let symbol = format!("{}__{}", sanitize(&def.ast.name), index);
        self.specs.push(Specialization {
            def: def.clone(),
            arg_types: arg_types.to_vec(),
            symbol,
            declared_return: declared_return.cloned(),
            typed: None,
        });
        if def.ast.params.len() != arg_types.len() {
            return Err(Diagnostic::new(
                frontend::DiagnosticKind::Typing,
                format!(
                    "{}() takes {} arguments but {} were given",
                    def.ast.name,
                    def.ast.params.len(),
                    arg_types.len()
                ),
                Some(def.ast.span),
            )
            .with_source(&def.source));
        }
        let mut env = SessionEnv {
            session: self,
            def: def.clone(),
        };
        let typed = typeinfer::infer_function(&def.ast, arg_types, declared_return, &mut env)
            .map_err(|d| d.with_source(&def.source))?;
        if self.dump.types {
            eprintln!("--- {}", typeinfer::dump_types(&def.ast, &typed));
        }
        self.specs[index].typed = Some(typed);
        Ok(index)
    }

    /// Lowers every specialization (plus `extra`, a wrapper), inlines small callees into their
    /// callers, optimises what remains reachable from `root`, and verifies the module.
    fn lower_all(&self, root: &str, extra: Option<ir::Function>) -> Result<ir::Module, Diagnostic> {
        let callee_symbol = |callee: CalleeId, args: &[Type]| -> String {
            let callees = self.callees.borrow();
            let def = &callees[callee.0 as usize];
            self.find(def, args)
                .map(|i| self.specs[i].symbol.clone())
                .unwrap_or_default()
        };
        let mut module = ir::Module::default();
        for spec in &self.specs {
            let typed = spec
                .typed
                .as_ref()
                .expect("every specialization was inferred");
            let boundscheck = spec.def.options.boundscheck || boundscheck_forced();
            let ctx = LowerContext {
                symbol: spec.symbol.clone(),
                python_name: spec.def.ast.name.clone(),
                source: &spec.def.source,
                callee_symbol: &callee_symbol,
                boundscheck,
                numpy_error_model: spec.def.options.numpy_error_model,
                parallel: spec.def.options.parallel,
            };
            let functions = lower_function(&spec.def.ast, typed, &ctx)
                .map_err(|d| d.with_source(&spec.def.source))?;
            for func in functions {
                if self.dump.ir {
                    eprintln!(
                        "--- IR of {} as lowered ---\n{}",
                        func.name,
                        ir::print::print_function(&func)
                    );
                }
                module.functions.push(func);
            }
        }
        module.functions.extend(extra);
        ir::inline::inline_module(&mut module, &[root], &ir::inline::InlineOptions::default());
        for func in &mut module.functions {
            // A wrapper is reported against the root function's source, a chunk function
            // (`<symbol>__prangeN`) against its parent's.
            let def = self
                .specs
                .iter()
                .find(|s| {
                    func.name == s.symbol || func.name.starts_with(&format!("{}__prange", s.symbol))
                })
                .map_or(&self.specs[0].def, |s| &s.def);
            self.optimise(func, def)?;
        }
        ir::verify::verify_module(&module)
            .map_err(|e| Diagnostic::internal(format!("IR verifier: {e}")))?;
        Ok(module)
    }

    fn optimise(&self, func: &mut ir::Function, def: &FunctionDef) -> Result<(), Diagnostic> {
        let options = ir::passes::PipelineOptions {
            verify: cfg!(debug_assertions),
            ..Default::default()
        };
        let dump_passes = self.dump.passes;
        let mut observer = |pass: &str, f: &ir::Function| {
            if dump_passes && pass != "input" {
                eprintln!("--- IR after {pass} ---\n{}", ir::print::print_function(f));
            }
        };
        ir::passes::run_pipeline(func, &options, &mut observer).map_err(|e| {
            Diagnostic::internal(format!("IR verifier after a pass: {e}")).with_source(&def.source)
        })?;
        if self.dump.ir {
            eprintln!(
                "--- IR of {} optimised ---\n{}",
                def.ast.name,
                ir::print::print_function(func)
            );
        }
        Ok(())
    }
}

/// `FERROJIT_BOUNDSCHECK=1` turns bounds checking on for every function.
fn boundscheck_forced() -> bool {
    std::env::var("FERROJIT_BOUNDSCHECK").is_ok_and(|v| v == "1")
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// typeinfer's view of the world while typing one function of a session.
struct SessionEnv<'s> {
    session: &'s mut Session,
    def: Arc<FunctionDef>,
}

impl Env for SessionEnv<'_> {
    fn lookup_global(&self, name: &str) -> Option<GlobalValue> {
        match self.def.globals.resolve(name)? {
            Global::Value(v) => Some(v),
            Global::Function(f) => Some(GlobalValue::Jit(self.session.callee_id(&f))),
        }
    }

    fn callee_return_type(&mut self, callee: CalleeId, args: &[Type]) -> Result<Type, Diagnostic> {
        let def = self
            .session
            .callees
            .borrow()
            .get(callee.0 as usize)
            .cloned()
            .ok_or_else(|| Diagnostic::internal(format!("unknown callee #{}", callee.0)))?;
        let i = self.session.specialize(&def, args, None)?;
        let spec = &self.session.specs[i];
        match (&spec.typed, &spec.declared_return) {
            (Some(typed), _) => Ok(typed.return_type.clone()),
            (None, Some(declared)) => Ok(declared.clone()),
            (None, None) => Err(Diagnostic::internal(
                "callee inferred without a return type",
            )),
        }
    }
}

impl Session {
    /// The `CalleeId` of a jitted function, registering it on first sight.
    fn callee_id(&self, f: &Arc<FunctionDef>) -> CalleeId {
        let mut callees = self.callees.borrow_mut();
        let index = callees
            .iter()
            .position(|c| Arc::ptr_eq(c, f))
            .unwrap_or_else(|| {
                callees.push(f.clone());
                callees.len() - 1
            });
        CalleeId(index as u32)
    }
}
