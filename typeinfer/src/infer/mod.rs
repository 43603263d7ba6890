//! Whole-function type inference: a fixpoint over the statement list.
//!
//! Each pass types every statement in source order. Assigning to a variable unifies the new
//! type into the variable's one type ([`rules::unify`]), so a pass may widen a variable that an
//! earlier statement (or an earlier loop iteration) already read; passes repeat until no
//! variable changes. A statement that reads a variable no pass has typed yet is skipped for now
//! ([`Stop::Pending`]); one that is ill-typed is skipped too, and both are reported only if they
//! persist in the final, stable pass. Types only widen in a finite lattice, so this terminates.
//!
//! Inference is flow-insensitive; that a variable is assigned on every path before it is read
//! is checked first, by [`assigned`] (Python would raise `UnboundLocalError`). A `Name` target records the variable's unified type, so lowering
//! converts the assigned value to it.
//!
//! Submodules: [`expr`] (names, operators, attributes), [`index`] (subscripts), [`call`] (calls
//! and casts), [`stmt`] (statements, assignment targets, returns).

mod assigned;
mod bind;
mod call;
mod classes;
mod dicts;
mod expr;
mod index;
mod lists;
mod numpy_call;
mod numpy_library;
mod numpy_random;
pub(crate) mod numpy_shape;
mod numpy_sorting;
mod numpy_statistics;
pub(crate) mod objmode;
pub use objmode::objmode_key;
mod starred;
mod stmt;
pub(crate) mod strings;

use crate::rules;
use crate::types::{Scalar, Type};
use crate::{CalleeId, Env, Inference, Intrinsic, ModuleKind, Resolution, TypedFunction};
use frontend::ast::{Expr, ExprId, ExprKind, Function, Stmt, StmtKind};
use frontend::{Diagnostic, Span};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A bound no real function reaches: each pass must widen some variable, and the lattice is
/// shallow (a handful of widenings per variable).
const MAX_PASSES: usize = 1000;

pub(crate) fn infer_function(
    func: &Function,
    arg_types: &[Type],
    declared_return: Option<&Type>,
    env: &mut dyn Env,
) -> Result<Inference, Diagnostic> {
    if arg_types.len() != func.params.len() {
        let message = format!(
            "{}() takes {} argument(s) but {} type(s) were given",
            func.name,
            func.params.len(),
            arg_types.len()
        );
        return Err(Diagnostic::typing(message, func.span));
    }
    let mut infer = Infer::new(func, arg_types, env);
    let params = func.params.iter().map(|p| p.name.clone());
    assigned::check(params, &func.body, &infer.locals)?;
    for _ in 0..MAX_PASSES {
        infer.changed = false;
        infer.first_error = None;
        infer.first_pending = None;
        infer.waiting = None;
        infer.returns.clear();
        infer.block(&func.body);
        if !infer.changed {
            return infer.finish(arg_types, declared_return);
        }
    }
    Err(Diagnostic::internal(format!(
        "type inference of {}() did not converge",
        func.name
    )))
}

/// Why typing a statement stopped.
pub(super) enum Stop {
    /// A local was read before any assignment gave it a type; a later pass may know it.
    Pending(Diagnostic),
    Error(Diagnostic),
}

impl From<Diagnostic> for Stop {
    fn from(d: Diagnostic) -> Stop {
        Stop::Error(d)
    }
}

pub(super) type R<T> = Result<T, Stop>;

/// What an expression denotes: a value, or something meaningful only as a callee, the base of
/// an attribute, or the class of a `raise`.
#[derive(Clone, Debug)]
pub(super) enum Val {
    Value(Type),
    Module(ModuleKind),
    /// A Python module other than the known ones, by its dotted name (see
    /// [`crate::GlobalValue::PyModule`]).
    PyModule(String),
    Callable(Callable),
    ExceptionClass(String),
    /// A name bound to a Python object we cannot compile; `pytype` is its Python type name.
    Unsupported {
        name: String,
        pytype: String,
    },
    /// `numpy.<path>` that the typer does not know (`numpy.linalg.svd`); an error where used.
    UnknownNumpy(String),
    /// A `@jitclass` class: callable (its constructor), with static methods as attributes.
    Class {
        class: u64,
        name: String,
    },
}

#[derive(Clone, Debug)]
pub(super) enum Callable {
    Intrinsic(Intrinsic),
    /// `int`, `float`, `complex`, `bool`, `np.float32`, …
    Cast(Scalar),
    Jit(CalleeId),
    /// `np.zeros`, `np.sum`, …
    Array(crate::numpy::ArrayFn),
    /// `a.sum`, `a.copy`, …: the array is the attribute's base.
    Method(crate::numpy::ArrayFn),
    /// An inner function (of the function being typed, or a sibling of it when it is itself
    /// an inner function): its callee and the variables passed after the written arguments.
    Inner(CalleeId, Vec<String>),
    /// `list` (`typed: false`) or `ferrojit.typed.List` (`typed: true`).
    ListClass {
        typed: bool,
    },
    /// `str`.
    StrClass,
    /// `ord` or `chr`.
    CharCode(&'static str),
    /// `dict` (`typed: false`) or `ferrojit.typed.Dict` (`typed: true`).
    DictClass {
        typed: bool,
    },
    /// `set`.
    SetClass,
    /// `sorted(iterable)`: a new list of the items in ascending order.
    Sorted,
    /// The allocator in a `@jitclass` constructor (see [`crate::GlobalValue::NewObject`]).
    NewObject {
        class: u64,
        name: String,
    },
}

/// One `return` seen in the current pass.
struct Return {
    ty: Type,
    span: Span,
    /// The function can fall off its end (an implicit `return None`).
    implicit: bool,
}

pub(super) struct Infer<'a> {
    func: &'a Function,
    env: &'a mut dyn Env,
    /// Parameters and every name assigned anywhere in the body (Python's scoping rule).
    locals: HashSet<String>,
    var_types: BTreeMap<String, Type>,
    /// Where each variable last got a wider type, for messages.
    var_origins: HashMap<String, Span>,
    expr_types: Vec<Option<Type>>,
    resolutions: HashMap<ExprId, Resolution>,
    returns: Vec<Return>,
    changed: bool,
    first_error: Option<Diagnostic>,
    first_pending: Option<Diagnostic>,
    /// The first call in this pass whose callee's return type is not known yet (recursion).
    waiting: Option<Diagnostic>,
    /// The next id for expressions typing makes up (the items of a `*t` call argument).
    next_expr_id: u32,
}

impl<'a> Infer<'a> {
    fn new(func: &'a Function, arg_types: &[Type], env: &'a mut dyn Env) -> Infer<'a> {
        let mut locals: HashSet<String> = func.params.iter().map(|p| p.name.clone()).collect();
        collect_assigned(&func.body, &mut locals);
        let var_types = func
            .params
            .iter()
            .map(|p| p.name.clone())
            .zip(arg_types.iter().cloned())
            .collect();
        Infer {
            func,
            env,
            locals,
            var_types,
            var_origins: HashMap::new(),
            expr_types: vec![None; func.num_exprs as usize],
            resolutions: HashMap::new(),
            returns: Vec::new(),
            changed: false,
            first_error: None,
            first_pending: None,
            waiting: None,
            next_expr_id: func.num_exprs,
        }
    }

    /// Types a statement list, setting aside statements that stop (see [`Stop`]).
    pub(super) fn block(&mut self, stmts: &[Stmt]) {
        for stmt in stmts {
            self.soft(|this| this.stmt(stmt));
        }
    }

    /// Runs `f`, recording why it stopped instead of propagating it.
    pub(super) fn soft<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> Option<T> {
        match f(self) {
            Ok(value) => Some(value),
            Err(Stop::Error(d)) => {
                self.first_error.get_or_insert(d);
                None
            }
            Err(Stop::Pending(d)) => {
                self.first_pending.get_or_insert(d);
                None
            }
        }
    }

    pub(super) fn record(&mut self, id: ExprId, ty: Type) {
        let index = id.index();
        if index >= self.expr_types.len() {
            self.expr_types.resize(index + 1, None);
        }
        self.expr_types[index] = Some(ty);
    }

    pub(super) fn resolve(&mut self, id: ExprId, resolution: Resolution) {
        self.resolutions.insert(id, resolution);
    }

    /// Unifies `ty` into local `name`'s type (the error's message is
    /// [`incompatible_types_message`]).
    pub(super) fn assign_var(&mut self, name: &str, ty: &Type, span: Span) -> R<Type> {
        if *ty == Type::Range {
            let message = format!("cannot assign a range to variable '{name}'");
            let hint = "use range(...) directly as the iterable of a for loop";
            return Err(Diagnostic::unsupported(message, span)
                .with_hint(hint)
                .into());
        }
        let unified = match self.var_types.get(name) {
            None => ty.clone(),
            Some(old) => match rules::unify_optional(old, ty) {
                Some(u) => u,
                None => {
                    let message = incompatible_types_message(name, old, ty);
                    let hint = "a variable keeps one type in the whole function; only numbers \
                                widen (bool → int → float → complex)";
                    let mut d = Diagnostic::typing(message, span).with_hint(hint);
                    if let Some(&origin) = self.var_origins.get(name)
                        && origin != span
                    {
                        d = d.with_note(format!("'{name}' is given type {old} here"), origin);
                    }
                    return Err(d.into());
                }
            },
        };
        if self.var_types.get(name) != Some(&unified) {
            self.var_types.insert(name.to_string(), unified.clone());
            self.var_origins.insert(name.to_string(), span);
            self.changed = true;
        }
        Ok(unified)
    }

    /// Reads local `name`, which may not have a type yet in this pass.
    pub(super) fn read_var(&self, name: &str, span: Span) -> R<Type> {
        match self.var_types.get(name) {
            Some(ty) => Ok(ty.clone()),
            None => {
                let message = format!("local variable '{name}' is referenced before assignment");
                Err(Stop::Pending(Diagnostic::typing(message, span)))
            }
        }
    }

    fn finish(
        mut self,
        arg_types: &[Type],
        declared_return: Option<&Type>,
    ) -> Result<Inference, Diagnostic> {
        let mut objmode = HashMap::new();
        let body = self.func.body.as_slice();
        let objmode = self.objmode_typings(body, &mut objmode).map(|()| objmode);
        let mut returns = self.returns;
        if !always_returns(&self.func.body) {
            returns.push(Return {
                ty: Type::NoneType,
                span: self.func.span,
                implicit: true,
            });
        }
        if let Some(waiting) = self.waiting {
            // Statements that depend on a recursive call were skipped; the returns seen come
            // from the other paths. Errors may stem from the missing types, so they are
            // reported only when no assumption about the return type can be made.
            let known_return = match returns.is_empty() {
                true => None,
                false => Some(unify_returns(&returns)?),
            };
            if known_return.is_none()
                && let Some(error) = self.first_error
            {
                return Err(error);
            }
            return Ok(Inference::Recursive {
                known_return,
                waiting,
            });
        }
        if let Some(error) = self.first_error.or(self.first_pending) {
            return Err(error);
        }
        if let Some((name, _)) = self.var_types.iter().find(|(_, t)| t.has_unknown()) {
            let message = format!("cannot infer the item type of the empty container '{name}'");
            let hint = "add an item to it in this function, or create it with \
                        List.empty_list(item_type)";
            let span = self
                .var_origins
                .get(name)
                .copied()
                .unwrap_or(self.func.span);
            return Err(Diagnostic::typing(message, span).with_hint(hint));
        }
        let return_type = match declared_return {
            Some(declared) => check_declared_returns(&returns, declared)?,
            None => unify_returns(&returns)?,
        };
        let objmode = objmode?;
        Ok(Inference::Typed(TypedFunction {
            arg_types: arg_types.to_vec(),
            return_type,
            expr_types: self.expr_types,
            var_types: self.var_types,
            resolutions: self.resolutions,
            objmode,
        }))
    }
}

const FALL_OFF_HINT: &str =
    "the function can reach its end without a return statement, which returns None";

const OPTIONAL_HINT: &str =
    "only a number, array, tuple or string may be None on some paths (an optional value)";

fn unify_returns(returns: &[Return]) -> Result<Type, Diagnostic> {
    let Some(first) = returns.first() else {
        return Ok(Type::NoneType);
    };
    let mut result = first.ty.clone();
    // The return that gave `result` its type, for the note.
    let mut origin = first;
    for ret in &returns[1..] {
        // `None` and a number unify into an optional number.
        match rules::unify_optional(&result, &ret.ty) {
            Some(u) => {
                if u != result {
                    origin = ret;
                }
                result = u;
            }
            None => {
                let message = format!("function returns both {result} and {}", ret.ty);
                let note = match origin.implicit {
                    true => format!("falling off the end of the function returns {result}"),
                    false => format!("{result} is returned here"),
                };
                let diagnostic = Diagnostic::typing(message, ret.span).with_note(note, origin.span);
                let with_none = [&result, &ret.ty]
                    .iter()
                    .any(|t| matches!(t, Type::NoneType | Type::Optional(_)));
                return Err(if ret.implicit {
                    diagnostic.with_hint(FALL_OFF_HINT)
                } else if with_none {
                    diagnostic.with_hint(OPTIONAL_HINT)
                } else {
                    diagnostic
                });
            }
        }
    }
    Ok(result)
}

fn check_declared_returns(returns: &[Return], declared: &Type) -> Result<Type, Diagnostic> {
    for ret in returns {
        if !rules::can_convert(&ret.ty, declared) {
            let message = format!("function declared to return {declared} returns {}", ret.ty);
            let diagnostic = Diagnostic::typing(message, ret.span);
            return Err(if ret.implicit {
                diagnostic.with_hint(FALL_OFF_HINT)
            } else {
                diagnostic
            });
        }
    }
    Ok(declared.clone())
}

/// Whether control never falls off the end of `body` (Python then returns None).
fn always_returns(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match &stmt.kind {
        StmtKind::Return(_) | StmtKind::Raise(_) => true,
        StmtKind::If { body, orelse, .. } => always_returns(body) && always_returns(orelse),
        StmtKind::While { test, body } => is_always_true(test) && !breaks(body),
        StmtKind::Try {
            body,
            handlers,
            finalbody,
            ..
        } => {
            always_returns(finalbody)
                || (always_returns(body) && handlers.iter().all(|h| always_returns(&h.body)))
        }
        _ => false,
    })
}

fn is_always_true(test: &Expr) -> bool {
    match test.kind {
        ExprKind::Bool(b) => b,
        ExprKind::Int(i) => i != 0,
        _ => false,
    }
}

/// Whether a `break` in `body` leaves the loop that owns `body` (not a nested one).
fn breaks(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match &stmt.kind {
        StmtKind::Break => true,
        StmtKind::If { body, orelse, .. } => breaks(body) || breaks(orelse),
        StmtKind::Try { .. } => stmt.kind.blocks().into_iter().any(breaks),
        _ => false,
    })
}

/// Adds every name bound by an assignment, augmented assignment or `for` target.
fn collect_assigned(body: &[Stmt], out: &mut HashSet<String>) {
    fn target(e: &Expr, out: &mut HashSet<String>) {
        match &e.kind {
            ExprKind::Name(n) => {
                out.insert(n.clone());
            }
            ExprKind::Tuple(items) => items.iter().for_each(|t| target(t, out)),
            _ => {}
        }
    }
    // Comprehension variables are locals of the function here (Python gives them their own
    // scope; a name used both ways keeps one type).
    frontend::ast::walk_exprs(body, &mut |e| {
        if let ExprKind::ListComp { generators, .. } = &e.kind {
            generators.iter().for_each(|g| target(&g.target, out));
        }
    });
    for stmt in body {
        match &stmt.kind {
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| target(t, out)),
            StmtKind::AugAssign { target: t, .. } => target(t, out),
            StmtKind::For {
                target: t, body, ..
            } => {
                target(t, out);
                collect_assigned(body, out);
            }
            StmtKind::While { body, .. } => collect_assigned(body, out),
            StmtKind::If { body, orelse, .. } => {
                collect_assigned(body, out);
                collect_assigned(orelse, out);
            }
            StmtKind::Try { .. } => {
                for block in stmt.kind.blocks() {
                    collect_assigned(block, out);
                }
            }
            StmtKind::ObjMode(block) => out.extend(block.outputs.iter().map(|o| o.name.clone())),
            _ => {}
        }
    }
}

/// The name of a module as the user imports it, for messages.
pub(super) fn module_name(module: ModuleKind) -> &'static str {
    match module {
        ModuleKind::Math => "math",
        ModuleKind::Cmath => "cmath",
        ModuleKind::Numpy => "numpy",
        ModuleKind::Ferrojit => "ferrojit",
        ModuleKind::Random => "random",
    }
}

/// How a callee is written (`sqrt`, `math.sqrt`), for messages.
pub(super) fn callee_text(func: &Expr) -> String {
    match &func.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::Attribute { value, attr } => match &value.kind {
            ExprKind::Name(base) => format!("{base}.{attr}"),
            _ => attr.clone(),
        },
        _ => "the callee".to_string(),
    }
}

/// A hint for operations that NumPy would broadcast over whole arrays.
pub(super) fn array_hint(types: &[&Type]) -> Option<&'static str> {
    types
        .iter()
        .any(|t| t.is_array())
        .then_some("this takes numbers; for arrays use the NumPy function (e.g. np.sqrt(a)) or index the elements")
}

/// Refuses `action` (a store, an in-place operation, a writing call) on a read-only array:
/// Numba's "Cannot modify readonly array", as a typing error at the place of the write.
pub(super) fn check_writeable(ty: &Type, span: Span, action: &str) -> Result<(), Diagnostic> {
    if !ty.is_readonly() {
        return Ok(());
    }
    let message = format!("cannot modify a read-only array ({action} on {ty})");
    let hint = "the array is not writeable (flags.writeable is False, a broadcast view, a \
                global array frozen at compile time, or a Rust shared slice); pass a writeable \
                array, or write into a copy (a.copy())";
    Err(Diagnostic::typing(message, span).with_hint(hint))
}

pub(super) fn with_optional_hint(d: Diagnostic, hint: Option<&str>) -> Diagnostic {
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

/// See [`crate::inner_captures`]: in order of first use. Transitive: an inner function that
/// calls a sibling (or itself) also captures what the sibling captures, to pass it on.
pub(crate) fn inner_captures(outer: &Function, inner: &Function) -> Vec<String> {
    let mut outer_locals: HashSet<String> = outer.params.iter().map(|p| p.name.clone()).collect();
    collect_assigned(&outer.body, &mut outer_locals);
    let siblings = &outer.inner_functions;
    let free: Vec<Vec<String>> = siblings
        .iter()
        .map(|f| {
            let mut names = Vec::new();
            free_names(f, &mut names);
            names
        })
        .collect();
    let mut captures: Vec<Vec<String>> = free
        .iter()
        .map(|names| {
            let mut names = names.clone();
            names.retain(|n| outer_locals.contains(n));
            names
        })
        .collect();
    loop {
        let mut changed = false;
        for (i, names) in free.iter().enumerate() {
            for (j, sibling) in siblings.iter().enumerate() {
                if !names.contains(&sibling.name) || outer_locals.contains(&sibling.name) {
                    continue;
                }
                for name in captures[j].clone() {
                    if !captures[i].contains(&name) {
                        captures[i].push(name);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    siblings
        .iter()
        .position(|f| std::ptr::eq(f, inner) || f.name == inner.name)
        .map(|i| captures.swap_remove(i))
        .unwrap_or_default()
}

/// Names `func` (or a function nested in it) reads without binding them, in order of first use.
fn free_names(func: &Function, out: &mut Vec<String>) {
    let mut bound: HashSet<String> = func.params.iter().map(|p| p.name.clone()).collect();
    collect_assigned(&func.body, &mut bound);
    let mut names = Vec::new();
    frontend::ast::walk_exprs(&func.body, &mut |e| {
        if let ExprKind::Name(name) = &e.kind {
            names.push(name.clone());
        }
    });
    for inner in &func.inner_functions {
        free_names(inner, &mut names);
    }
    for name in names {
        if !bound.contains(&name) && !out.contains(&name) {
            out.push(name);
        }
    }
}

/// The message of a variable given two types that do not unify; [`incompatible_variable`]
/// reads the name back.
fn incompatible_types_message(name: &str, old: &Type, new: &Type) -> String {
    format!("variable '{name}' has incompatible types {old} and {new}")
}

/// The variable that `diagnostic` says was given incompatible types, if that is what it says.
pub(crate) fn incompatible_variable(diagnostic: &Diagnostic) -> Option<&str> {
    let rest = diagnostic.message.strip_prefix("variable '")?;
    let (name, tail) = rest.split_once('\'')?;
    tail.starts_with(" has incompatible types ").then_some(name)
}
