//! `frontend`: Python source text → ferrojit's own AST.
//!
//! Its one job is to parse a single function definition with rustpython-parser and convert it,
//! at once, into [`ast`]: a small AST of the numeric subset where every node has a [`Span`]. Any
//! construct outside the subset is rejected here with a [`Diagnostic`] that names it.
//!
//! Invariants:
//! - rustpython-parser's types never leave this crate (see `convert.rs`); switching parsers is a
//!   local change.
//! - The frontend knows nothing about types; it checks only syntax-level support.
//! - Expression ids in a [`ast::Function`] are dense and unique, `0..num_exprs`.
//! - No input text panics the frontend: every failure is a `Diagnostic`.

pub mod ast;
mod convert;
pub mod diagnostic;
/// `ast::Function::dump()`: the S-expression text form used by `FERROJIT_DUMP=ast`.
mod dump;
pub mod span;

pub use diagnostic::{Diagnostic, DiagnosticKind, Result};
pub use span::{SourceFile, Span};

/// Parses `source.text`, which must hold exactly one `def` (decorators allowed; they are ignored),
/// into a [`ast::Function`]. Errors carry spans relative to `source.text`.
pub fn parse_function(source: &SourceFile) -> Result<ast::Function> {
    convert::parse_function(&source.text).map_err(|d| d.with_source(source))
}
