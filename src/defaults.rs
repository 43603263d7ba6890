//! Calls between jitted functions that leave parameters to their default values, and calls of
//! functions with explicit signatures.
//!
//! A callee called with some parameters omitted is compiled as another function: the same
//! one without those parameters, whose body starts by assigning each of them its default value
//! (`p = 2.0`). Defaults are evaluated in the callee's globals at compile time, so module
//! constants are frozen like any other global (Numba freezes them too). One such function is
//! made per (callee, omitted parameters) in a compile session.

use crate::{FunctionDef, Global, GlobalResolver};
use frontend::ast::{Expr, ExprId, ExprKind, Stmt, StmtKind};
use std::cell::RefCell;
use std::sync::Arc;
use typeinfer::{Type, rules};

/// (function, omitted parameters, the function taking their defaults itself).
pub(crate) type WithDefaults = (Arc<FunctionDef>, Vec<bool>, Arc<FunctionDef>);

/// `def` with the parameters flagged in `omitted` assigned their default values in its body
/// (made once per session, in `made`). `None` if an omitted parameter has no default.
pub(crate) fn with_defaults(
    made: &RefCell<Vec<WithDefaults>>,
    def: &Arc<FunctionDef>,
    omitted: &[bool],
) -> Option<Arc<FunctionDef>> {
    if let Some((.., found)) = made
        .borrow()
        .iter()
        .find(|(d, o, _)| Arc::ptr_eq(d, def) && o == omitted)
    {
        return Some(found.clone());
    }
    let mut ast = def.ast.clone();
    let mut prologue = Vec::new();
    let mut params = Vec::new();
    let mut none_defaults = Vec::new();
    for (param, &omit) in def.ast.params.iter().zip(omitted) {
        if !omit {
            params.push(param.clone());
            continue;
        }
        let value = param.default.clone()?;
        if matches!(value.kind, ExprKind::NoneLit) {
            // `out=None` omitted: `if out is None:` is decided below (see `none_args`).
            none_defaults.push(param.name.clone());
            continue;
        }
        let target = Expr {
            id: ExprId(ast.num_exprs),
            kind: ExprKind::Name(param.name.clone()),
            span: param.span,
        };
        ast.num_exprs += 1;
        prologue.push(Stmt {
            span: value.span,
            kind: StmtKind::Assign {
                targets: vec![target],
                value,
            },
        });
    }
    ast.params = params;
    prologue.append(&mut ast.body);
    ast.body = prologue;
    for name in none_defaults {
        ast.body = crate::none_args::narrow_name(std::mem::take(&mut ast.body), &name);
    }
    // An explicit signature stays the contract, for the parameters still passed.
    let signatures = def
        .signatures
        .iter()
        .filter(|s| s.args.len() == omitted.len())
        .map(|s| typeinfer::Signature {
            args: (s.args.iter().zip(omitted))
                .filter(|(_, omit)| !**omit)
                .map(|(t, _)| t.clone())
                .collect(),
            ret: s.ret.clone(),
        })
        .collect();
    let derived = Arc::new(FunctionDef {
        source: def.source.clone(),
        ast,
        globals: Box::new(SameGlobals(def.clone())),
        options: def.options.clone(),
        signatures,
    });
    made.borrow_mut()
        .push((def.clone(), omitted.to_vec(), derived.clone()));
    Some(derived)
}

/// The globals of the function a [`with_defaults`] function was made from.
struct SameGlobals(Arc<FunctionDef>);

impl GlobalResolver for SameGlobals {
    fn resolve(&self, name: &str) -> Option<Global> {
        self.0.globals.resolve(name)
    }
}

/// The argument types `def` is compiled for when called with `args`: with explicit
/// signatures, the first one `args` match exactly, else the first one they convert to; the
/// caller converts its arguments (the signature is the function's contract).
pub(crate) fn declared_arg_types(def: &FunctionDef, args: &[Type]) -> Result<Vec<Type>, String> {
    if def.signatures.is_empty() {
        return Ok(args.to_vec());
    }
    let sigs = &def.signatures;
    let exact = sigs.iter().find(|s| s.args == args);
    let converted = || {
        sigs.iter().find(|s| {
            s.args.len() == args.len()
                && s.args
                    .iter()
                    .zip(args)
                    .all(|(to, from)| rules::can_convert(from, to))
        })
    };
    match exact.or_else(converted) {
        Some(sig) => Ok(sig.args.clone()),
        None => {
            let given: Vec<String> = args.iter().map(Type::to_string).collect();
            let declared: Vec<String> = sigs.iter().map(|s| s.to_string()).collect();
            Err(format!(
                "no signature of {}() accepts ({}); declared: {}",
                def.ast.name,
                given.join(", "),
                declared.join("; ")
            ))
        }
    }
}
