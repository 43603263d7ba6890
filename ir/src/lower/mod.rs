//! Lowering: a typed Python function (`frontend` AST + `typeinfer` tables) → one IR function.
//!
//! Python semantics are expanded here into machine-level operations, once, so every backend
//! gets them identically: floor division and modulo with Python's signs, zero-division checks
//! raising `ZeroDivisionError`, negative-index wraparound, `range` with any step, short-circuit
//! `and`/`or`, chained comparisons, complex arithmetic as pairs of floats. Python values are
//! flattened ([`flatten`]); each flattened component of a local variable is an SSA variable
//! ([`ssa`]).
//!
//! Invariants: lowering trusts typeinfer (every evaluated expression has a type) but never
//! panics on a construct it does not handle — it returns an `Unsupported` diagnostic with the
//! node's span. The output is verifier-clean before any pass runs.

mod arena;
mod array;
mod array_expr;
mod array_fns;
mod axis;
mod call;
mod classes;
mod complex_close;
mod complex_linalg;
mod complex_norm;
mod construction;
mod control;
mod convert;
mod dicts;
mod eig;
mod exceptions;
mod expr;
mod fancy;
pub mod flatten;
mod keepdims;
mod library;
mod linalg;
mod lists;
mod messages;
mod numeric;
mod objmode;
mod operators;
mod optional;
mod parallel;
pub mod parallel_report;
pub(crate) mod pointers;
mod random;
mod random_broadcast;
mod random_dists;
mod random_gen;
mod random_gen_inline;
mod random_inline;
mod random_multi;
mod set_algebra;
mod sorting;
mod ssa;
mod statistics;
mod str_methods;
mod strings;
mod value;
mod views;

use crate::builder::Builder;
use crate::function::{Block, ErrorSite, Function, Value};
use frontend::ast;
use frontend::{Diagnostic, SourceFile, Span};
pub use lists::item_layout as list_item_layout;
pub use objmode::ObjModeRequest;
use runtime::error::ExceptionKind;
use ssa::{SsaBuilder, VarId};
use std::collections::HashMap;
use typeinfer::{CalleeId, Type, TypedFunction};
pub use value::PyValue;

/// Registers an objmode block, giving its id (see [`LowerContext::objmode`]).
pub type RegisterObjMode<'a> = dyn Fn(&ObjModeRequest) -> Result<u64, String> + 'a;

/// What lowering needs to know beyond the function itself.
pub struct LowerContext<'a> {
    /// IR name of the function being lowered.
    pub symbol: String,
    /// Its Python name, shown in the messages of exceptions raised from compiled code.
    pub python_name: String,
    /// Source of the function, to put file positions into error messages.
    pub source: &'a SourceFile,
    /// IR symbol of a jitted callee specialised for argument types.
    pub callee_symbol: &'a dyn Fn(CalleeId, &[Type]) -> String,
    /// Check array indices against the shape (`boundscheck=True`).
    pub boundscheck: bool,
    /// `error_model='numpy'`: float division by zero yields inf/nan instead of raising.
    pub numpy_error_model: bool,
    /// `parallel=True`: `prange` loops are outlined and run on the runtime's threads.
    pub parallel: bool,
    /// The function is on a cycle of calls (it may recurse without bound): its prologue
    /// checks the native stack and raises `RecursionError` when it is nearly used up.
    pub recursive: bool,
    /// Registers an objmode block with the interpreter and returns its id (`None`, or an
    /// error saying why, where there is no interpreter: ahead-of-time builds).
    pub objmode: Option<&'a RegisterObjMode<'a>>,
}

/// Lowers `func` (typed as `typed`) to an IR function named `ctx.symbol` whose parameters are
/// the flattened argument types and whose returns are the flattened return type. It comes
/// first in the result; the chunk functions outlined from its `prange` loops follow.
pub fn lower_function(
    func: &ast::Function,
    typed: &TypedFunction,
    ctx: &LowerContext,
) -> Result<Vec<Function>, Diagnostic> {
    let params = typed.arg_types.iter().flat_map(flatten::ir_types).collect();
    let returns = flatten::ir_types(&typed.return_type);
    let mut ir = Function::new(ctx.symbol.clone(), params, returns);
    let ranks: Vec<Option<u32>> = typed
        .arg_types
        .iter()
        .flat_map(flatten::descriptor_ranks)
        .collect();
    if ranks.iter().any(Option::is_some) {
        ir.param_ranks = ranks;
    }
    let mut builder = Builder::new(&mut ir);
    let (entry, param_values) = builder.create_entry_block();
    let mut lowerer = Lowerer::new(builder, entry, typed, ctx, false);
    lowerer.name_refs = arena::count_names(&func.body, None);
    if ctx.recursive {
        lowerer.check_recursion_depth(func.span);
    }
    lowerer.bind_params(func, param_values);
    lowerer.lower_body(&func.body)?;
    lowerer.finish_function(func)?;
    let outlined = std::mem::take(&mut lowerer.outlined);
    drop(lowerer);
    remove_unterminated_dead_blocks(&mut ir)?;
    arena::release_temporaries_at_return(&mut ir, &typed.return_type, &typed.arg_types);
    let mut functions = vec![ir];
    functions.extend(outlined);
    Ok(functions)
}

/// Lowering continues in a fresh block after every `return`, `raise`, `break` and `continue` so
/// that dead code still lowers; such blocks that nothing branches to and that were left without
/// a terminator are dropped here (dead blocks that do end in a terminator are left to the
/// passes).
fn remove_unterminated_dead_blocks(ir: &mut Function) -> Result<(), Diagnostic> {
    let targets: std::collections::HashSet<Block> =
        ir.layout.iter().flat_map(|&b| ir.successors(b)).collect();
    let entry = ir.entry();
    let mut keep = Vec::with_capacity(ir.layout.len());
    for &b in &ir.layout {
        if ir.terminator(b).is_some() {
            keep.push(b);
        } else if targets.contains(&b) || Some(b) == entry {
            return Err(Diagnostic::internal(format!(
                "lowering left reachable block {b} of {} without a terminator",
                ir.name
            )));
        }
    }
    ir.layout = keep;
    Ok(())
}

/// Targets of `break` and `continue` in the innermost loop.
struct LoopTargets {
    continue_to: Block,
    break_to: Block,
}

pub(crate) struct Lowerer<'a, 'f> {
    pub(crate) b: Builder<'f>,
    ssa: SsaBuilder,
    typed: &'a TypedFunction,
    ctx: &'a LowerContext<'a>,
    /// Python local → its type and the SSA variables of its flattened components.
    vars: HashMap<String, (Type, Vec<VarId>)>,
    loops: Vec<LoopTargets>,
    /// Chunk functions outlined from `prange` loops so far.
    outlined: Vec<Function>,
    /// True while lowering a chunk function: a nested `prange` runs serially.
    in_parallel_body: bool,
    /// True while lowering the element loop of an array expression: float division by zero
    /// gives inf/nan as in NumPy, whatever the error model.
    in_array_expression: bool,
    /// How often each name appears in the whole function (see `arena.rs`).
    name_refs: HashMap<String, usize>,
    /// Where views' descriptors go: one stack slot per site (outside loops, or in a loop
    /// whose arrays do not outlive an iteration), or the arena (see `make_descriptor`).
    views_on_stack: bool,
    /// The `try` statements whose body is being lowered, innermost last (`exceptions.rs`).
    try_scopes: Vec<exceptions::TryScope>,
    /// An error met while lowering a `finally` body at a raise site, reported after the `try`.
    deferred_error: Option<Diagnostic>,
    /// The exceptions caught by the `except` clauses being lowered, innermost last (for a
    /// bare `raise`).
    caught: Vec<exceptions::Caught>,
}

type LResult<T> = Result<T, Diagnostic>;

impl<'a, 'f> Lowerer<'a, 'f> {
    /// A lowerer appending to `builder`, whose entry block `entry` is current and sealed.
    fn new(
        builder: Builder<'f>,
        entry: Block,
        typed: &'a TypedFunction,
        ctx: &'a LowerContext<'a>,
        in_parallel_body: bool,
    ) -> Self {
        let mut lowerer = Lowerer {
            b: builder,
            ssa: SsaBuilder::new(entry),
            typed,
            ctx,
            vars: HashMap::new(),
            loops: Vec::new(),
            outlined: Vec::new(),
            in_parallel_body,
            in_array_expression: false,
            name_refs: HashMap::new(),
            views_on_stack: true,
            try_scopes: Vec::new(),
            deferred_error: None,
            caught: Vec::new(),
        };
        lowerer.ssa.seal_block(lowerer.b.func, entry);
        lowerer
    }

    fn bind_params(&mut self, func: &ast::Function, values: Vec<Value>) {
        let mut values = values.into_iter();
        for (param, ty) in func.params.iter().zip(&self.typed.arg_types) {
            let value = PyValue::from_flat(ty, &mut values);
            self.write_var(&param.name, value);
        }
    }

    /// Emits the implicit `return None` at the end of the body (or a raise if the function must
    /// return a value and control can reach the end).
    fn finish_function(&mut self, func: &ast::Function) -> LResult<()> {
        if self.b.is_terminated() {
            return Ok(());
        }
        if self.typed.return_type == Type::NoneType {
            self.b.ret(&[]);
        } else if let Type::Optional(inner) = &self.typed.return_type {
            // Falling off the end returns None.
            let inner = (**inner).clone();
            let none = self.as_optional_value(PyValue::None, &inner);
            self.b.ret(&none.flat_values());
        } else {
            let message = format!(
                "function '{}' reached its end without returning a {}",
                func.name, self.typed.return_type
            );
            self.raise(ExceptionKind::RuntimeError, message, func.span, &[]);
        }
        Ok(())
    }

    /// The type typeinfer gave `expr`.
    fn type_of(&self, expr: &ast::Expr) -> LResult<Type> {
        self.typed.expr_type(expr.id).cloned().ok_or_else(|| {
            Diagnostic::internal(format!("no type recorded for expression #{}", expr.id.0))
                .with_span(expr.span)
        })
    }

    fn var_slots(&mut self, name: &str) -> LResult<(Type, Vec<VarId>)> {
        if let Some(entry) = self.vars.get(name) {
            return Ok(entry.clone());
        }
        let ty = self.typed.var_types.get(name).cloned().ok_or_else(|| {
            Diagnostic::internal(format!("no type recorded for variable '{name}'"))
        })?;
        let ids = flatten::ir_types(&ty)
            .into_iter()
            .map(|t| self.ssa.declare_var(t))
            .collect();
        self.vars.insert(name.to_string(), (ty.clone(), ids));
        Ok(self.vars[name].clone())
    }

    /// Assigns `value` to local `name`, converting it to the variable's unified type.
    fn write_var(&mut self, name: &str, value: PyValue) {
        let Ok((ty, ids)) = self.var_slots(name) else {
            return;
        };
        let value = self.coerce(value, &ty);
        let block = self.current_block();
        for (id, v) in ids.iter().zip(value.flat_values()) {
            self.ssa.def_var(*id, block, v);
        }
    }

    fn read_var(&mut self, name: &str) -> LResult<PyValue> {
        let (ty, ids) = self.var_slots(name)?;
        let block = self.current_block();
        let values: Vec<Value> = ids
            .iter()
            .map(|id| self.ssa.use_var(self.b.func, *id, block))
            .collect();
        Ok(PyValue::from_flat(&ty, &mut values.into_iter()))
    }

    fn current_block(&self) -> Block {
        self.b
            .current_block()
            .expect("lowering always has a current block")
    }

    // Control-flow helpers that keep the SSA builder informed of predecessors.

    pub(crate) fn create_block(&mut self) -> Block {
        self.b.create_block()
    }
    pub(crate) fn jump(&mut self, to: Block, args: &[Value]) {
        let from = self.current_block();
        self.b.jump(to, args);
        self.ssa.add_pred(to, from);
    }
    pub(crate) fn brif(&mut self, cond: Value, then: Block, els: Block) {
        let from = self.current_block();
        self.b.brif(cond, then, &[], els, &[]);
        self.ssa.add_pred(then, from);
        self.ssa.add_pred(els, from);
    }
    pub(crate) fn seal(&mut self, block: Block) {
        self.ssa.seal_block(self.b.func, block);
    }
    /// Switches to `block`; if nothing can reach it (no predecessors once sealed) it is still
    /// emitted and later removed by `simplify_cfg`.
    pub(crate) fn switch_to(&mut self, block: Block) {
        self.b.switch_to(block);
    }
    /// Starts a fresh, unreachable block after a terminator so that dead code after `return`
    /// or `break` still lowers (and is then deleted by the passes).
    pub(crate) fn continue_in_dead_block(&mut self) {
        let dead = self.create_block();
        self.seal(dead);
        self.switch_to(dead);
    }

    /// Emits `raise kind(message)` at `span` and continues in a dead block.
    pub(crate) fn raise(
        &mut self,
        kind: ExceptionKind,
        message: String,
        span: Span,
        args: &[Value],
    ) {
        if let Some(handler) = self.raise_target(kind, &message, args) {
            self.jump(handler, &[]);
            self.continue_in_dead_block();
            return;
        }
        let (line, col) = self.ctx.source.file_position(span);
        let function = self.ctx.python_name.clone();
        let id = self.b.func.add_error(ErrorSite {
            kind,
            message,
            line,
            col,
            function,
        });
        self.b.raise(id, args);
        self.continue_in_dead_block();
    }

    /// Branches on `failed`: if true, raise `kind(message)`; continues on the success path.
    /// The prologue of a recursive function: `RecursionError` instead of a native stack
    /// overflow (see `runtime::stack`).
    fn check_recursion_depth(&mut self, span: Span) {
        let exhausted = self
            .b
            .call_runtime(runtime::math::RuntimeFn::StackCheck, &[]);
        let zero = self.b.iconst(crate::function::Ty::I64, 0);
        let failed = self.b.icmp(crate::function::IntCC::Ne, exhausted, zero);
        self.raise_if(
            failed,
            ExceptionKind::RecursionError,
            "maximum recursion depth exceeded",
            span,
            &[],
        );
    }

    pub(crate) fn raise_if(
        &mut self,
        failed: Value,
        kind: ExceptionKind,
        message: &str,
        span: Span,
        args: &[Value],
    ) {
        let fail = self.create_block();
        let ok = self.create_block();
        self.brif(failed, fail, ok);
        self.seal(fail);
        self.seal(ok);
        self.switch_to(fail);
        if let Some(handler) = self.raise_target(kind, message, args) {
            self.jump(handler, &[]);
            self.switch_to(ok);
            return;
        }
        let (line, col) = self.ctx.source.file_position(span);
        let function = self.ctx.python_name.clone();
        let id = self.b.func.add_error(ErrorSite {
            kind,
            message: message.to_string(),
            line,
            col,
            function,
        });
        self.b.raise(id, args);
        self.switch_to(ok);
    }

    fn set_span(&mut self, span: Span) {
        self.b.set_srcloc(span.line, span.col);
    }
}

trait WithSpan {
    fn with_span(self, span: Span) -> Self;
}

impl WithSpan for Diagnostic {
    fn with_span(mut self, span: Span) -> Self {
        self.span.get_or_insert(span);
        self
    }
}

fn unsupported(what: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::unsupported(what, span)
}
