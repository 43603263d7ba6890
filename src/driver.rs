//! The compile pipeline for one entry function and every jitted function it calls.
//!
//! A [`Session`] infers types for the entry specialization; each call of another jitted
//! function asks the session (through typeinfer's `Env`) for that callee's specialization,
//! which is inferred on demand and memoised by (function, argument types); recursive calls are
//! typed by assuming the type of the non-recursive returns ([`Session::specialize`]), and inner
//! `def`s become callees whose captured variables are extra parameters. Then every
//! specialization is lowered to IR, optimised, verified, and all are compiled into one
//! Cranelift module, so calls between them are direct.

use crate::dump::{self, DumpFlags, Stage};
use crate::{FunctionDef, Global};
use frontend::Diagnostic;
use ir::lower::{LowerContext, lower_function};
use runtime::alloc::Arena;
use runtime::error::{ErrorInfo, ErrorSlot, ExceptionKind};
use std::cell::RefCell;
use std::sync::Arc;
use typeinfer::{
    CalleeId, ConstArray, ConstValue, Env, GlobalValue, Resolution, Type, TypedFunction,
};

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
        // A user-defined exception class travels in front of the message.
        let (class, message) = runtime::error::split_user_class(&self.message);
        let class = class.map_or(self.kind.name(), |(_, qualname)| qualname);
        write!(
            f,
            "{class}: {message} (in {}, line {})",
            self.function, self.line
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

    /// The address of the entry trampoline (`runtime::abi::EntryFn`), for inspection.
    pub fn entry_address(&self) -> usize {
        self.entry as usize
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
    /// Global arrays frozen into the code by address: whoever runs the code must keep them
    /// alive, and the code cannot be stored or run elsewhere (on disk, on a GPU).
    pub frozen_arrays: Vec<Arc<ConstArray>>,
}

/// Builds an extra IR function around the compiled root (a ufunc loop, a C-ABI shim, ...):
/// given the root's IR name and its types, returns the wrapper, which may call the root.
pub type WrapperBuilder<'a> = &'a (dyn Fn(&str, &TypedFunction) -> ir::Function + Sync);

/// Stack of the thread that types and lowers: typing and lowering walk expressions
/// recursively, and a flat sum of thousands of terms is a tree that deep (the frontend accepts
/// trees up to `frontend`'s nesting limit). Only the touched pages are committed.
const COMPILE_STACK_BYTES: usize = 512 << 20;

thread_local! {
    /// True on a thread started by [`on_compile_stack`] (nested compilations stay on it).
    static ON_COMPILE_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` on a thread with [`COMPILE_STACK_BYTES`] of stack (the calling thread if it is
/// one already), so that deep but valid code is compiled instead of overflowing the stack.
/// A panic in `f` continues in the caller.
fn on_compile_stack<T: Send>(
    f: impl FnOnce() -> Result<T, Diagnostic> + Send,
) -> Result<T, Diagnostic> {
    if ON_COMPILE_STACK.with(std::cell::Cell::get) {
        return f();
    }
    // Dumps being captured on this thread (`dump::capture`) are captured there too.
    let captured = crate::dump::take_capture();
    let outcome = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("ferrojit-compile".to_string())
            .stack_size(COMPILE_STACK_BYTES)
            .spawn_scoped(scope, move || {
                ON_COMPILE_STACK.with(|on| on.set(true));
                crate::dump::restore_capture(captured);
                let result = f();
                (result, crate::dump::take_capture())
            });
        worker.map(|handle| handle.join())
    });
    match outcome {
        Ok(Ok((result, captured))) => {
            crate::dump::restore_capture(captured);
            result
        }
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(error) => Err(Diagnostic::internal(format!(
            "cannot start the compile thread: {error}"
        ))),
    }
}

/// Runs the pipeline up to verified, optimised IR: infers `req.def` for its argument types and
/// every jitted function it calls, lowers them, adds `wrapper` if given, inlines and optimises.
pub fn lower_to_ir(
    req: &CompileRequest,
    wrapper: Option<WrapperBuilder>,
) -> Result<LoweredModule, Diagnostic> {
    on_compile_stack(|| lower_to_ir_here(req, wrapper))
}

fn lower_to_ir_here(
    req: &CompileRequest,
    wrapper: Option<WrapperBuilder>,
) -> Result<LoweredModule, Diagnostic> {
    let mut session = Session {
        specs: Vec::new(),
        callees: RefCell::default(),
        inner_defs: RefCell::default(),
        with_defaults: RefCell::default(),
        globals: RefCell::default(),
        waiting_on: Vec::new(),
        failures: Vec::new(),
        next_symbol: 0,
        dump: req.dump,
    };
    if req.dump.ast {
        let name = &req.def.ast.name;
        dump::emit(
            Stage::Ast,
            name,
            format!("ast of {name}"),
            req.def.ast.dump(),
        );
    }
    let root = session
        .specialize(&req.def, &req.arg_types, req.declared_return.as_ref())?
        .ok_or_else(|| Diagnostic::internal("the entry function waits on another"))?;
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
        frozen_arrays: session.frozen_arrays(),
    })
}

/// Compiles `req.def` for `req.arg_types` and everything it calls, to machine code in memory.
pub fn compile(req: &CompileRequest) -> Result<CompiledFunction, Diagnostic> {
    compile_lowered(req, lower_to_ir(req, None)?, false).map(|(f, _)| f)
}

/// A function compiled with a C-callable entry as well (`@cfunc`): the function's own flattened
/// parameters and results in the platform's C calling convention.
pub struct CCallable {
    /// The function through the usual entry; also keeps the machine code alive.
    pub function: CompiledFunction,
    /// Address of the C-callable entry.
    pub address: usize,
    /// Its C parameters and results.
    pub params: Vec<ir::Ty>,
    pub returns: Vec<ir::Ty>,
}

/// Compiles like [`compile`], adding a C-callable entry for the function (see [`CCallable`]).
pub fn compile_c_callable(req: &CompileRequest) -> Result<CCallable, Diagnostic> {
    let lowered = lower_to_ir(req, None)?;
    let root = lowered
        .module
        .function(&lowered.root_symbol)
        .ok_or_else(|| Diagnostic::internal("the compiled function is missing"))?;
    let (params, returns) = (root.params.clone(), root.returns.clone());
    let (function, address) = compile_lowered(req, lowered, true)?;
    Ok(CCallable {
        function,
        address: address.ok_or_else(|| Diagnostic::internal("no C entry was made"))?,
        params,
        returns,
    })
}

/// Like [`compile`], with an extra wrapper function as the entry point (see [`WrapperBuilder`]).
pub fn compile_wrapped(
    req: &CompileRequest,
    wrapper: WrapperBuilder,
) -> Result<CompiledFunction, Diagnostic> {
    compile_lowered(req, lower_to_ir(req, Some(wrapper))?, false).map(|(f, _)| f)
}

/// Machine code for `lowered`, and the address of the root's C entry when `c_entry` is set.
fn compile_lowered(
    req: &CompileRequest,
    lowered: LoweredModule,
    c_entry: bool,
) -> Result<(CompiledFunction, Option<usize>), Diagnostic> {
    let options = backend_cpu::CompileOptions {
        dump_clif: req.dump.clif,
        dump_asm: req.dump.asm,
    };
    let entry_symbol = lowered.entry_symbol.as_str();
    let root_symbol = lowered.root_symbol.as_str();
    let c_entries: &[&str] = if c_entry { &[root_symbol] } else { &[] };
    let artifact = backend_cpu::compile_jit_with_c_entries(
        &lowered.module,
        &[entry_symbol],
        c_entries,
        &options,
    )
    .map_err(|e| {
        Diagnostic::internal(format!("code generation failed: {e}")).with_source(&req.def.source)
    })?;
    let c_address = c_entry
        .then(|| artifact.c_entry(root_symbol))
        .flatten()
        .map(|a| a as usize);
    if req.dump.clif || req.dump.asm {
        dump::emit_backend_dumps(artifact.dumps());
    }
    let entry = artifact
        .entry(entry_symbol)
        .ok_or_else(|| Diagnostic::internal(format!("no entry point {entry_symbol}")))?;
    let signature = artifact
        .entry_signature(entry_symbol)
        .ok_or_else(|| Diagnostic::internal(format!("no entry signature for {entry_symbol}")))?;
    let function = CompiledFunction {
        arg_slots: signature.params.len(),
        ret_slots: signature.returns.len(),
        arg_types: lowered.arg_types,
        return_type: lowered.return_type,
        entry,
        code: Arc::new(JitCode {
            artifact,
            _frozen_arrays: lowered.frozen_arrays,
        }),
    };
    Ok((function, c_address))
}

/// Machine code in memory, with the global arrays it refers to by address.
struct JitCode {
    artifact: backend_cpu::JitArtifact,
    _frozen_arrays: Vec<Arc<ConstArray>>,
}

impl CompiledCode for JitCode {
    fn errors(&self) -> &[ErrorInfo] {
        self.artifact.errors()
    }
}

/// One function specialised for argument types.
struct Specialization {
    def: Arc<FunctionDef>,
    /// What is inferred and lowered: `def.ast`, or a copy narrowed for `None` arguments
    /// (see [`crate::none_args`]).
    ast: Arc<frontend::ast::Function>,
    arg_types: Vec<Type>,
    symbol: String,
    /// From an explicit signature; lets a recursive call be typed while inference of the
    /// function itself is still in progress.
    declared_return: Option<Type>,
    /// While inference is in progress: the type a recursive call is assumed to return,
    /// taken from the returns that do not recurse (see [`Session::specialize`]).
    assumed_return: Option<Type>,
    /// `None` while its inference is in progress (a recursive call sees this).
    typed: Option<TypedFunction>,
    /// A call reached this specialization while its inference was in progress: it is on a
    /// cycle of calls, and its prologue checks the stack depth (every cycle passes one).
    recursive: bool,
}

/// Attempts at typing a recursive function before its return type must have settled (each
/// widens it, and the lattice is shallow).
const MAX_RECURSION_ROUNDS: usize = 16;

/// Specializations of one function whose inference may be in progress at once (a recursive
/// function called with new argument types from inside itself), and of all functions together
/// (the depth of the chain of callees being inferred). Beyond them the argument types are
/// taken to grow without end (see [`Session::check_specialization_growth`]).
const MAX_SPECIALIZATIONS_IN_PROGRESS_PER_FUNCTION: usize = 24;
const MAX_SPECIALIZATIONS_IN_PROGRESS: usize = 200;
/// The most type nodes the arguments of a recursive specialization may have: a type doubling
/// at each level (`(x, x)`) reaches it after a dozen levels, long before memory runs out.
const MAX_RECURSIVE_ARGUMENT_TYPE_SIZE: usize = 4096;

/// The number of nodes of `ty` (a tuple counts itself and its items).
fn type_size(ty: &Type) -> usize {
    match ty {
        Type::Tuple(items) => 1 + items.iter().map(type_size).sum::<usize>(),
        _ => 1,
    }
}

struct Session {
    specs: Vec<Specialization>,
    /// Jitted functions referenced by globals, indexed by `CalleeId`. A `RefCell` because
    /// typeinfer's `Env::lookup_global` takes `&self`.
    callees: RefCell<Vec<Callee>>,
    /// The jitted functions made of inner `def`s: (outer function, index of the inner one).
    inner_defs: RefCell<Vec<InnerDef>>,
    /// Functions called with some parameters omitted (see [`crate::defaults`]): (function,
    /// omitted parameters, the function with their defaults in the body).
    with_defaults: RefCell<Vec<crate::defaults::WithDefaults>>,
    /// Specializations in progress whose return type a recursive call asked for and did not
    /// get (see [`Session::specialize`]).
    waiting_on: Vec<usize>,
    /// Specializations whose inference failed, with the error, reported again if asked for.
    failures: Vec<(Arc<FunctionDef>, Vec<Type>, Diagnostic)>,
    /// Globals resolved so far, by (function address, name).
    globals: RefCell<std::collections::HashMap<(usize, String), Option<GlobalValue>>>,
    /// Numbers symbols uniquely although specializations may be dropped and made again.
    next_symbol: usize,
    dump: DumpFlags,
}

impl Session {
    fn find(&self, def: &Arc<FunctionDef>, arg_types: &[Type]) -> Option<usize> {
        self.specs
            .iter()
            .position(|s| Arc::ptr_eq(&s.def, def) && s.arg_types == arg_types)
    }

    /// Refuses a specialization that would make the chain of specializations in progress too
    /// long: a function whose recursive calls change their argument types at every level
    /// (`grow((x, x), n - 1)`) would otherwise be specialized without end, eating memory and
    /// the native stack. Numba raises `RecursionError` there; this is its compile-time twin.
    fn check_specialization_growth(
        &self,
        def: &Arc<FunctionDef>,
        arg_types: &[Type],
    ) -> Result<(), Diagnostic> {
        let in_progress = self.specs.iter().filter(|s| s.typed.is_none());
        let same_function = in_progress
            .clone()
            .filter(|s| Arc::ptr_eq(&s.def, def))
            .count();
        let size: usize = arg_types.iter().map(type_size).sum();
        if same_function < MAX_SPECIALIZATIONS_IN_PROGRESS_PER_FUNCTION
            && in_progress.count() < MAX_SPECIALIZATIONS_IN_PROGRESS
            && (same_function == 0 || size <= MAX_RECURSIVE_ARGUMENT_TYPE_SIZE)
        {
            return Ok(());
        }
        let types = arg_types
            .iter()
            .map(Type::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let shown = if types.len() > 200 {
            format!("{}...", &types[..types.floor_char_boundary(200)])
        } else {
            types
        };
        let message = format!(
            "maximum recursion depth exceeded while specializing {}(): its recursive calls \
             change their argument types at every level (now {shown})",
            def.ast.name
        );
        let hint = "make the recursive calls pass arguments of the same types (a value whose \
                    type grows with the depth, such as (x, x), cannot be compiled)";
        Err(Diagnostic::new(
            frontend::DiagnosticKind::Typing,
            message,
            Some(def.ast.span),
        )
        .with_hint(hint)
        .with_source(&def.source))
    }

    /// Infers `def` for `arg_types` (memoised) and returns its index in `specs`; `None` when
    /// its type depends on a function still being inferred further up (mutual recursion): the
    /// specialization is then dropped, to be inferred again once that one's type is assumed.
    ///
    /// Recursion follows Numba: a recursive call's result is unknown at first, so its
    /// statements wait while the other paths give the returns a type; that type is assumed for
    /// the recursive calls and the function is typed again until the assumption holds.
    fn specialize(
        &mut self,
        def: &Arc<FunctionDef>,
        arg_types: &[Type],
        declared_return: Option<&Type>,
    ) -> Result<Option<usize>, Diagnostic> {
        if let Some(i) = self.find(def, arg_types) {
            return Ok(Some(i));
        }
        if let Some((.., error)) = self
            .failures
            .iter()
            .find(|(d, args, _)| Arc::ptr_eq(d, def) && args == arg_types)
        {
            return Err(error.clone());
        }
        self.check_specialization_growth(def, arg_types)?;
        let index = self.specs.len();
        let outcome = self.infer_specialization(def, arg_types, declared_return, index);
        if let Err(error) = &outcome {
            // A failed specialization must not stay behind as one "in progress": a later
            // call would take it for a recursive call and hide the real error.
            self.specs.truncate(index);
            self.failures
                .push((def.clone(), arg_types.to_vec(), error.clone()));
        }
        outcome
    }

    /// [`Session::specialize`] for a specialization not made yet, to be at `index`.
    fn infer_specialization(
        &mut self,
        def: &Arc<FunctionDef>,
        arg_types: &[Type],
        declared_return: Option<&Type>,
        index: usize,
    ) -> Result<Option<usize>, Diagnostic> {
        let symbol = format!("{}__{}", sanitize(&def.ast.name), self.next_symbol);
        self.next_symbol += 1;
        let mut ast = match crate::none_args::narrow_none_params(&def.ast, arg_types) {
            Some(narrowed) => Arc::new(narrowed),
            None => Arc::new(def.ast.clone()),
        };
        self.specs.push(Specialization {
            def: def.clone(),
            ast: ast.clone(),
            arg_types: arg_types.to_vec(),
            symbol,
            declared_return: declared_return.cloned(),
            assumed_return: None,
            typed: None,
            recursive: false,
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
        for _ in 0..MAX_RECURSION_ROUNDS {
            let mut env = SessionEnv {
                session: self,
                def: def.clone(),
            };
            let outcome =
                match typeinfer::infer_recursive(&ast, arg_types, declared_return, &mut env) {
                    Ok(outcome) => outcome,
                    Err(d) => {
                        // A variable retyped in straight-line code: type it as versions instead.
                        let split = typeinfer::incompatible_variable(&d)
                            .and_then(|name| crate::versioning::split_variable(&ast, name));
                        let Some(split) = split else {
                            return Err(d.with_source(&def.source));
                        };
                        self.specs.truncate(index + 1);
                        ast = Arc::new(split);
                        self.specs[index].ast = ast.clone();
                        continue;
                    }
                };
            let waits_on_outer = self.waiting_on.iter().any(|&w| w < index);
            self.waiting_on.retain(|&w| w < index);
            if !matches!(outcome, typeinfer::Inference::Typed(_)) || waits_on_outer {
                // Specializations made during this attempt may have seen an assumption that
                // does not hold: they are inferred again when needed.
                self.specs.truncate(index + 1);
            }
            match outcome {
                typeinfer::Inference::Typed(typed) => {
                    if let Some(assumed) = self.specs[index].assumed_return.clone()
                        && assumed != typed.return_type
                    {
                        // The recursive calls were typed with a narrower type: widen, retry.
                        self.specs.truncate(index + 1);
                        self.specs[index].assumed_return = Some(
                            typeinfer::rules::unify(&assumed, &typed.return_type)
                                .unwrap_or_else(|| typed.return_type.clone()),
                        );
                        continue;
                    }
                    if self.dump.types {
                        let name = &def.ast.name;
                        let text = crate::inspect::annotate_types(def, &ast, &typed);
                        dump::emit(Stage::Types, name, format!("types of {name}"), text);
                    }
                    if self.dump.parallel && def.options.parallel {
                        let name = &self.specs[index].symbol;
                        let text = crate::inspect::describe_parallel(def, &ast, &typed);
                        dump::emit(
                            Stage::Parallel,
                            name,
                            format!("parallel loops of {name}"),
                            text,
                        );
                    }
                    self.specs[index].typed = Some(typed);
                    return Ok(Some(index));
                }
                typeinfer::Inference::Recursive { .. } if waits_on_outer => {
                    self.specs.truncate(index);
                    return Ok(None);
                }
                typeinfer::Inference::Recursive {
                    known_return: Some(known),
                    ..
                } if self.specs[index].assumed_return.as_ref() != Some(&known) => {
                    self.specs[index].assumed_return = Some(known);
                }
                typeinfer::Inference::Recursive { waiting, .. } => {
                    return Err(waiting.with_source(&def.source));
                }
            }
        }
        Err(Diagnostic::new(
            frontend::DiagnosticKind::Typing,
            format!(
                "the return type of recursive function '{}' does not settle",
                def.ast.name
            ),
            Some(def.ast.span),
        )
        .with_source(&def.source))
    }

    /// Lowers every specialization (plus `extra`, a wrapper), inlines small callees into their
    /// callers, optimises what remains reachable from `root`, and verifies the module.
    fn lower_all(&self, root: &str, extra: Option<ir::Function>) -> Result<ir::Module, Diagnostic> {
        let callee_symbol = |callee: CalleeId, args: &[Type]| -> String {
            let Ok(def) = self.callee_def(callee, args) else {
                return String::new();
            };
            self.find(&def, args)
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
            let register_objmode =
                |request: &ir::lower::ObjModeRequest| spec.def.globals.register_objmode(request);
            let ctx = LowerContext {
                symbol: spec.symbol.clone(),
                python_name: spec.def.ast.name.clone(),
                source: &spec.def.source,
                callee_symbol: &callee_symbol,
                boundscheck,
                numpy_error_model: spec.def.options.numpy_error_model,
                parallel: spec.def.options.parallel,
                recursive: spec.recursive,
                objmode: Some(&register_objmode),
            };
            let functions = lower_function(&spec.ast, typed, &ctx)
                .map_err(|d| d.with_source(&spec.def.source))?;
            for func in functions {
                if self.dump.ir {
                    let title = format!("IR of {} as lowered", func.name);
                    let text = ir::print::print_function(&func);
                    dump::emit(Stage::LoweredIr, &func.name, title, text);
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
        let mut options = ir::passes::PipelineOptions {
            verify: cfg!(debug_assertions),
            fastmath: def.options.fastmath,
            ..Default::default()
        };
        if runtime::config::env().no_vectorize {
            options.passes.retain(|&p| p != ir::passes::Pass::Vectorize);
        }
        let dump_passes = self.dump.passes;
        // Hoisting out of a prange chunk's loops is part of the parallel report.
        let mut hoisting =
            (self.dump.parallel && def.options.parallel && func.name.contains("__prange"))
                .then(HoistingLog::default);
        let mut observer = |pass: &str, f: &ir::Function| {
            if dump_passes && pass != "input" {
                let title = format!("IR of {} after {pass}", f.name);
                dump::emit(Stage::Pass, &f.name, title, ir::print::print_function(f));
            }
            if let Some(log) = hoisting.as_mut() {
                log.observe(pass, f);
            }
        };
        ir::passes::run_pipeline(func, &options, &mut observer).map_err(|e| {
            Diagnostic::internal(format!("IR verifier after a pass: {e}")).with_source(&def.source)
        })?;
        if let Some(log) = hoisting {
            let title = format!("hoisting in {}", func.name);
            dump::emit(
                Stage::Parallel,
                &func.name,
                title,
                log.report(&func.name, def),
            );
        }
        if self.dump.ir {
            let title = format!("IR of {} ({}) optimised", def.ast.name, func.name);
            dump::emit(
                Stage::OptimisedIr,
                &func.name,
                title,
                ir::print::print_function(func),
            );
        }
        Ok(())
    }
}

/// The instructions loop-invariant code motion moved out of loops: the block of every
/// instruction before `licm` is compared with its block after.
#[derive(Default)]
struct HoistingLog {
    blocks_before: std::collections::HashMap<ir::Inst, ir::Block>,
    hoisted: Vec<(u32, String)>,
}

impl HoistingLog {
    fn observe(&mut self, pass: &str, f: &ir::Function) {
        let now: std::collections::HashMap<ir::Inst, ir::Block> = f
            .layout
            .iter()
            .flat_map(|&b| f.block(b).insts.iter().map(move |&i| (i, b)))
            .collect();
        if pass == "licm" {
            for &block in &f.layout {
                for &inst in &f.block(block).insts {
                    if self
                        .blocks_before
                        .get(&inst)
                        .is_some_and(|&old| old != block)
                    {
                        let text = ir::print::print_inst(f, inst);
                        // The source position is shown as a line number already.
                        let text = text.trim().split(" @").next().unwrap_or_default();
                        self.hoisted.push((f.inst(inst).line, text.to_string()));
                    }
                }
            }
        }
        self.blocks_before = now;
    }

    fn report(&self, chunk: &str, def: &FunctionDef) -> String {
        let mut out =
            format!("Hoisted out of the loops of {chunk} (loop-invariant code motion):\n");
        if self.hoisted.is_empty() {
            out.push_str("  nothing\n");
        }
        for (line, text) in &self.hoisted {
            let line = match *line {
                0 => String::from("no source line"),
                n => format!("line {}", n + def.source.line_offset),
            };
            out.push_str(&format!("  {line}: {text}\n"));
        }
        out
    }
}

/// `FERROJIT_BOUNDSCHECK` (read once by `runtime::config`) turns bounds checking on for every
/// function.
fn boundscheck_forced() -> bool {
    runtime::config::env().boundscheck
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

impl SessionEnv<'_> {
    /// The jitted function behind `callee`, unless it is an `@overload` (whose implementation
    /// depends on the argument types, so it has no one parameter list or identity).
    fn plain_callee(&self, callee: CalleeId) -> Option<Arc<FunctionDef>> {
        match self.session.callees.borrow().get(callee.0 as usize)? {
            Callee::Def(def) => Some(def.clone()),
            Callee::Overload { .. } => None,
        }
    }
}

impl Env for SessionEnv<'_> {
    fn lookup_global(&self, name: &str) -> Option<GlobalValue> {
        // Memoised for the session: inference asks again on every pass, and a global array
        // is copied when resolved.
        let key = (Arc::as_ptr(&self.def) as usize, name.to_string());
        if let Some(known) = self.session.globals.borrow().get(&key) {
            return known.clone();
        }
        let value = match self.def.globals.resolve(name) {
            None => None,
            Some(Global::Value(v)) => Some(v),
            Some(Global::Function(f)) => Some(GlobalValue::Jit(self.session.callee_id(&f))),
            Some(Global::Overload(o)) => Some(GlobalValue::Jit(self.session.overload_id(&o))),
        };
        self.session.globals.borrow_mut().insert(key, value.clone());
        value
    }

    fn callee_return_type(
        &mut self,
        callee: CalleeId,
        args: &[Type],
    ) -> Result<Option<Type>, Diagnostic> {
        let def = self.session.callee_def(callee, args)?;
        let declared = def
            .signatures
            .iter()
            .find(|s| s.args == args)
            .and_then(|s| s.ret.clone());
        let Some(i) = self.session.specialize(&def, args, declared.as_ref())? else {
            return Ok(None);
        };
        if self.session.specs[i].typed.is_none() {
            self.session.specs[i].recursive = true;
        }
        let spec = &self.session.specs[i];
        let known = spec.typed.as_ref().map(|t| &t.return_type);
        match known
            .or(spec.declared_return.as_ref())
            .or(spec.assumed_return.as_ref())
        {
            Some(ty) => Ok(Some(ty.clone())),
            None => {
                // A recursive call of a function whose inference is in progress.
                self.session.waiting_on.push(i);
                Ok(None)
            }
        }
    }

    fn method_overload(&self, receiver: &Type, name: &str) -> Option<CalleeId> {
        let resolver = self.def.globals.resolve_method(receiver, name)?;
        Some(self.session.overload_id(&resolver))
    }

    fn class_member(&mut self, class: u64, name: &str) -> Option<typeinfer::classes::ClassMember> {
        use typeinfer::classes::ClassMember;
        let id = |def: &Arc<FunctionDef>| self.session.callee_id(def);
        Some(match crate::classes::class(class)?.member(name)? {
            crate::classes::Member::Field { offset, ty } => ClassMember::Field { offset, ty },
            crate::classes::Member::Method(def) => ClassMember::Method(id(&def)),
            crate::classes::Member::Property(getter, setter) => ClassMember::Property {
                getter: id(&getter),
                setter: setter.as_ref().map(id),
            },
            crate::classes::Member::Static(def) => ClassMember::Static(id(&def)),
        })
    }

    fn class_constructor(&mut self, class: u64) -> Option<CalleeId> {
        let def = crate::classes::class(class)?.constructor.get()?.clone();
        Some(self.session.callee_id(&def))
    }

    fn class_size(&self, class: u64) -> Option<i64> {
        Some(crate::classes::class(class)?.size)
    }

    fn callee_arity(&self, callee: CalleeId) -> Option<usize> {
        let callees = self.session.callees.borrow();
        match callees.get(callee.0 as usize)? {
            Callee::Def(def) => Some(def.ast.params.len()),
            // Each implementation says for itself.
            Callee::Overload { .. } => None,
        }
    }

    fn callee_params(&self, callee: CalleeId) -> Option<Vec<frontend::ast::Param>> {
        Some(self.plain_callee(callee)?.ast.params.clone())
    }

    fn callee_with_defaults(&mut self, callee: CalleeId, omitted: &[bool]) -> Option<CalleeId> {
        let def = self.plain_callee(callee)?;
        let made = crate::defaults::with_defaults(&self.session.with_defaults, &def, omitted)?;
        Some(self.session.callee_id(&made))
    }

    fn function_value(&mut self, id: u64) -> Option<CalleeId> {
        let def = crate::values::function_of(id)?;
        Some(self.session.callee_id(&def))
    }

    fn function_identity(&mut self, callee: CalleeId) -> Option<(u64, String)> {
        let def = self.plain_callee(callee)?;
        Some((crate::values::function_id(&def), def.ast.name.clone()))
    }

    fn callee_arg_types(&mut self, callee: CalleeId, args: &[Type]) -> Result<Vec<Type>, String> {
        match self.plain_callee(callee) {
            Some(def) => crate::defaults::declared_arg_types(&def, args),
            None => Ok(args.to_vec()),
        }
    }

    fn inner_function(&self, name: &str) -> Option<(CalleeId, Vec<String>)> {
        // An inner function of this one, or (in an inner function) itself or a sibling.
        let outer = match self.def.ast.inner_functions.iter().any(|f| f.name == name) {
            true => self.def.clone(),
            false => self.session.outer_of(&self.def)?,
        };
        let inner = self.session.inner_def(&outer, name)?;
        let ast = outer.ast.inner_functions.iter().find(|f| f.name == name)?;
        let captures = typeinfer::inner_captures(&outer.ast, ast);
        Some((self.session.callee_id(&inner), captures))
    }
}

impl Session {
    /// Every global array some specialization refers to.
    fn frozen_arrays(&self) -> Vec<Arc<ConstArray>> {
        let mut arrays: Vec<Arc<ConstArray>> = Vec::new();
        for typed in self.specs.iter().filter_map(|s| s.typed.as_ref()) {
            for resolution in typed.resolutions.values() {
                if let Resolution::Const(ConstValue::Array(array)) = resolution
                    && !arrays.iter().any(|a| Arc::ptr_eq(a, array))
                {
                    arrays.push(array.clone());
                }
            }
        }
        arrays
    }

    /// The function whose inner function `def` is, if it is one.
    fn outer_of(&self, def: &Arc<FunctionDef>) -> Option<Arc<FunctionDef>> {
        let made = self.inner_defs.borrow();
        let (outer, ..) = made.iter().find(|(.., inner)| Arc::ptr_eq(inner, def))?;
        Some(outer.clone())
    }

    /// The jitted function made of `outer`'s inner `def` named `name` (made once per session):
    /// its variables captured from `outer` become extra parameters, and its globals are
    /// `outer`'s, plus `outer`'s inner functions (itself and its siblings).
    fn inner_def(&self, outer: &Arc<FunctionDef>, name: &str) -> Option<Arc<FunctionDef>> {
        let index = outer
            .ast
            .inner_functions
            .iter()
            .position(|f| f.name == name)?;
        let mut made = self.inner_defs.borrow_mut();
        if let Some((.., def)) = made
            .iter()
            .find(|(o, i, _)| Arc::ptr_eq(o, outer) && *i == index)
        {
            return Some(def.clone());
        }
        let family: InnerFamily = Arc::default();
        let defs: Vec<Arc<FunctionDef>> = outer
            .ast
            .inner_functions
            .iter()
            .map(|inner| {
                let mut ast = inner.clone();
                for captured in typeinfer::inner_captures(&outer.ast, inner) {
                    let span = ast.span;
                    ast.params
                        .push(frontend::ast::Param::positional(captured, span));
                }
                Arc::new(FunctionDef {
                    source: outer.source.clone(),
                    ast,
                    globals: Box::new(InnerGlobals {
                        outer: Arc::downgrade(outer),
                        family: family.clone(),
                    }),
                    options: outer.options.clone(),
                    signatures: Vec::new(),
                })
            })
            .collect();
        let _ = family.set(defs.iter().map(Arc::downgrade).collect());
        for (i, def) in defs.iter().enumerate() {
            made.push((outer.clone(), i, def.clone()));
        }
        Some(defs[index].clone())
    }

    /// The `CalleeId` of a jitted function, registering it on first sight.
    fn callee_id(&self, f: &Arc<FunctionDef>) -> CalleeId {
        let mut callees = self.callees.borrow_mut();
        let index = callees
            .iter()
            .position(|c| matches!(c, Callee::Def(d) if Arc::ptr_eq(d, f)))
            .unwrap_or_else(|| {
                callees.push(Callee::Def(f.clone()));
                callees.len() - 1
            });
        CalleeId(index as u32)
    }

    /// The `CalleeId` of an overloaded function (`@overload`), registering it on first sight.
    fn overload_id(&self, o: &Arc<dyn crate::OverloadResolver>) -> CalleeId {
        let mut callees = self.callees.borrow_mut();
        let index = callees
            .iter()
            .position(
                |c| matches!(c, Callee::Overload { resolver, .. } if Arc::ptr_eq(resolver, o)),
            )
            .unwrap_or_else(|| {
                callees.push(Callee::Overload {
                    resolver: o.clone(),
                    chosen: Vec::new(),
                });
                callees.len() - 1
            });
        CalleeId(index as u32)
    }

    /// The function a call of `callee` with `args` runs: the jitted function itself, or the
    /// implementation an overload chooses for these argument types (asked once per types).
    fn callee_def(&self, callee: CalleeId, args: &[Type]) -> Result<Arc<FunctionDef>, Diagnostic> {
        let unknown = || Diagnostic::internal(format!("unknown callee #{}", callee.0));
        let resolver = {
            let callees = self.callees.borrow();
            match callees.get(callee.0 as usize).ok_or_else(unknown)? {
                Callee::Def(def) => return Ok(def.clone()),
                Callee::Overload { resolver, chosen } => {
                    if let Some((_, def)) = chosen.iter().find(|(types, _)| types == args) {
                        return Ok(def.clone());
                    }
                    resolver.clone()
                }
            }
        };
        let def = resolver.implementation(args)?;
        if let Some(Callee::Overload { chosen, .. }) =
            self.callees.borrow_mut().get_mut(callee.0 as usize)
        {
            chosen.push((args.to_vec(), def.clone()));
        }
        Ok(def)
    }
}

/// A function called from compiled code, by `CalleeId`.
enum Callee {
    /// A jitted function (its keyword binding, defaults and identity are known).
    Def(Arc<FunctionDef>),
    /// An `@overload`ed function, with the implementation chosen for each argument types.
    Overload {
        resolver: Arc<dyn crate::OverloadResolver>,
        chosen: Vec<(Vec<Type>, Arc<FunctionDef>)>,
    },
}

/// (outer function, index of its inner `def`, the jitted function made of it).
type InnerDef = (Arc<FunctionDef>, usize, Arc<FunctionDef>);

/// The inner functions made of one outer function's `def`s, in order (weak: each one's
/// resolver holds this list).
type InnerFamily = Arc<std::sync::OnceLock<Vec<std::sync::Weak<FunctionDef>>>>;

/// The globals of an inner function: its outer function's, plus the outer function's inner
/// functions (so that an inner function may call itself or a sibling).
struct InnerGlobals {
    outer: std::sync::Weak<FunctionDef>,
    family: InnerFamily,
}

impl crate::GlobalResolver for InnerGlobals {
    fn resolve(&self, name: &str) -> Option<Global> {
        let outer = self.outer.upgrade()?;
        if let Some(index) = outer
            .ast
            .inner_functions
            .iter()
            .position(|f| f.name == name)
        {
            let sibling = self.family.get()?.get(index)?.upgrade()?;
            return Some(Global::Function(sibling));
        }
        outer.globals.resolve(name)
    }

    fn resolve_method(
        &self,
        receiver: &Type,
        name: &str,
    ) -> Option<Arc<dyn crate::OverloadResolver>> {
        self.outer.upgrade()?.globals.resolve_method(receiver, name)
    }

    fn register_objmode(&self, request: &ir::lower::ObjModeRequest) -> Result<u64, String> {
        let outer = self
            .outer
            .upgrade()
            .ok_or("the enclosing function is gone")?;
        outer.globals.register_objmode(request)
    }
}
