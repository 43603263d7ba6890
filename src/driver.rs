//! The compile pipeline for one entry function and every jitted function it calls.
//!
//! A [`Session`] infers types for the entry specialization; each call of another jitted
//! function asks the session (through typeinfer's `Env`) for that callee's specialization,
//! which is inferred on demand and memoised by (function, argument types); recursive calls are
//! typed by assuming the type of the non-recursive returns ([`Session::specialize`]), and inner
//! `def`s become callees whose captured variables are extra parameters. Then every
//! specialization is lowered to IR, optimised, verified, and all are compiled into one
//! Cranelift module, so calls between them are direct.

use crate::{FunctionDef, Global, dump::DumpFlags};
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
    /// Global arrays frozen into the code by address: whoever runs the code must keep them
    /// alive, and the code cannot be stored or run elsewhere (on disk, on a GPU).
    pub frozen_arrays: Vec<Arc<ConstArray>>,
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
        inner_defs: RefCell::default(),
        globals: RefCell::default(),
        waiting_on: Vec::new(),
        next_symbol: 0,
        dump: req.dump,
    };
    if req.dump.ast {
        eprintln!(
            "--- ast of {} ---\n{}",
            req.def.ast.name,
            req.def.ast.dump()
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
        code: Arc::new(JitCode {
            artifact,
            _frozen_arrays: lowered.frozen_arrays,
        }),
    })
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
}

/// Attempts at typing a recursive function before its return type must have settled (each
/// widens it, and the lattice is shallow).
const MAX_RECURSION_ROUNDS: usize = 16;

struct Session {
    specs: Vec<Specialization>,
    /// Jitted functions referenced by globals, indexed by `CalleeId`. A `RefCell` because
    /// typeinfer's `Env::lookup_global` takes `&self`.
    callees: RefCell<Vec<Arc<FunctionDef>>>,
    /// The jitted functions made of inner `def`s: (outer function, index of the inner one).
    inner_defs: RefCell<Vec<InnerDef>>,
    /// Specializations in progress whose return type a recursive call asked for and did not
    /// get (see [`Session::specialize`]).
    waiting_on: Vec<usize>,
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
        let index = self.specs.len();
        let symbol = format!("{}__{}", sanitize(&def.ast.name), self.next_symbol);
        self.next_symbol += 1;
        self.specs.push(Specialization {
            def: def.clone(),
            arg_types: arg_types.to_vec(),
            symbol,
            declared_return: declared_return.cloned(),
            assumed_return: None,
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
        for _ in 0..MAX_RECURSION_ROUNDS {
            let mut env = SessionEnv {
                session: self,
                def: def.clone(),
            };
            let outcome =
                typeinfer::infer_recursive(&def.ast, arg_types, declared_return, &mut env)
                    .map_err(|d| d.with_source(&def.source))?;
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
                    check_global_arrays_unwritten(def, &typed)?;
                    if self.dump.types {
                        eprintln!("--- {}", typeinfer::dump_types(&def.ast, &typed));
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
            fastmath: def.options.fastmath,
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
        };
        self.session.globals.borrow_mut().insert(key, value.clone());
        value
    }

    fn callee_return_type(
        &mut self,
        callee: CalleeId,
        args: &[Type],
    ) -> Result<Option<Type>, Diagnostic> {
        let def = self
            .session
            .callees
            .borrow()
            .get(callee.0 as usize)
            .cloned()
            .ok_or_else(|| Diagnostic::internal(format!("unknown callee #{}", callee.0)))?;
        let Some(i) = self.session.specialize(&def, args, None)? else {
            return Ok(None);
        };
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

    fn callee_arity(&self, callee: CalleeId) -> Option<usize> {
        let callees = self.session.callees.borrow();
        Some(callees.get(callee.0 as usize)?.ast.params.len())
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
                    ast.params.push(frontend::ast::Param {
                        name: captured,
                        span,
                    });
                }
                Arc::new(FunctionDef {
                    source: outer.source.clone(),
                    ast,
                    globals: Box::new(InnerGlobals {
                        outer: Arc::downgrade(outer),
                        family: family.clone(),
                    }),
                    options: outer.options.clone(),
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
            .position(|c| Arc::ptr_eq(c, f))
            .unwrap_or_else(|| {
                callees.push(f.clone());
                callees.len() - 1
            });
        CalleeId(index as u32)
    }
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
}

/// Global arrays are frozen copies: code that might write into one (directly, through another
/// name, or in a function it is passed to) is rejected, with the conservative check the
/// embedding API uses for shared slices.
fn check_global_arrays_unwritten(
    def: &FunctionDef,
    typed: &TypedFunction,
) -> Result<(), Diagnostic> {
    let mut checked: Vec<&str> = Vec::new();
    let mut result = Ok(());
    frontend::ast::walk_exprs(&def.ast.body, &mut |e| {
        let frontend::ast::ExprKind::Name(name) = &e.kind else {
            return;
        };
        let Some(Resolution::Const(ConstValue::Array(array))) = typed.resolutions.get(&e.id) else {
            return;
        };
        if result.is_err() || checked.contains(&name.as_str()) {
            return;
        }
        checked.push(name);
        let ndim = array.shape.len() as u8;
        if let Some((why, span)) = crate::embed::possible_write(def, name, ndim) {
            let message = format!("global arrays are read-only: {why}");
            let hint = format!(
                "'{name}' is a copy frozen when the function was compiled; copy it into a local \
                 array to modify it, or pass the array as an argument"
            );
            result = Err(Diagnostic::new(
                frontend::DiagnosticKind::Typing,
                message,
                span.or(Some(e.span)),
            )
            .with_hint(hint)
            .with_source(&def.source));
        }
    });
    result
}
