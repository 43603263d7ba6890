//! A token pre-scan that bounds how deeply the parsed tree can nest, run before parsing.
//!
//! rustpython-parser parses with heap stacks, but dropping its AST and converting it recurse, so
//! `-------…1` a million deep would overflow the stack (an abort, not a diagnostic). The scan
//! computes, per statement, an upper bound on the tree depth from the tokens alone and rejects
//! the source when it passes [`MAX_NESTING`]:
//! - every token that is not a leaf (name, number, plain string) or a separator adds one level
//!   to the current comma-separated item, so a chain `a + b + c` counts its operators;
//! - a bracket adds one level (as a token) plus the deepest item inside it;
//! - each indentation level adds one, and so does each `elif` of a chain (an `elif` is an `If`
//!   nested in the previous `orelse`);
//! - an f-string, parsed later from one token, counts every character that can separate two
//!   of its inner tokens.
//!
//! The bound is loose for flat code but never below the real depth, and real numeric code stays
//! far below it.

use super::MAX_NESTING;
use super::locate::Locator;
use crate::diagnostic::{Diagnostic, Result};
use rustpython_parser::lexer::lex;
use rustpython_parser::{Mode, StringKind, Tok};

/// Levels added to every statement for compound statements written on one line (`if x: y`).
const STATEMENT_SLACK: u32 = 4;

/// Rejects `text` if its tree could nest deeper than [`MAX_NESTING`]. Lexical errors end the
/// scan quietly: the parser reports them, after building no more than the tokens seen so far.
pub(super) fn check_nesting(text: &str, locator: &Locator) -> Result<()> {
    let mut scan = Scan::new();
    for token in lex(text, Mode::Module) {
        let Ok((tok, range)) = token else { break };
        if scan.push(&tok) > MAX_NESTING {
            return Err(
                Diagnostic::unsupported("code is nested too deeply", locator.span(range))
                    .with_hint("split the expression or block into smaller pieces"),
            );
        }
    }
    Ok(())
}

/// One open bracket (or the statement itself, at the bottom of the stack).
#[derive(Default)]
struct Frame {
    /// Levels contributed by all frames below this one.
    base: u32,
    /// Non-leaf tokens in the current comma-separated item.
    ops: u32,
    /// Deepest closed bracket in the current item.
    child: u32,
    /// Deepest finished item.
    best: u32,
}

impl Frame {
    fn depth(&self) -> u32 {
        self.best.max(self.ops.saturating_add(self.child))
    }

    fn end_item(&mut self) {
        self.best = self.depth();
        self.ops = 0;
        self.child = 0;
    }
}

struct Scan {
    /// Never empty: `brackets[0]` is the statement level.
    brackets: Vec<Frame>,
    /// Length of the current `elif` chain at each indentation level.
    elif_runs: Vec<u32>,
    /// Indentation levels plus the `elif` chains, the levels every statement starts at.
    block_depth: u32,
    at_statement_start: bool,
}

impl Scan {
    fn new() -> Scan {
        Scan {
            brackets: vec![Frame::default()],
            elif_runs: vec![0],
            block_depth: 0,
            at_statement_start: true,
        }
    }

    fn top(&mut self) -> &mut Frame {
        let last = self.brackets.len() - 1;
        &mut self.brackets[last]
    }

    /// Feeds one token; returns the depth bound at that token.
    fn push(&mut self, tok: &Tok) -> u32 {
        if std::mem::take(&mut self.at_statement_start) {
            self.start_statement(tok);
        }
        match tok {
            Tok::Name { .. }
            | Tok::Int { .. }
            | Tok::Float { .. }
            | Tok::Complex { .. }
            | Tok::True
            | Tok::False
            | Tok::None
            | Tok::Ellipsis
            | Tok::EndOfFile
            | Tok::StartModule
            | Tok::StartInteractive
            | Tok::StartExpression => {}
            Tok::String {
                value,
                kind: StringKind::FString | StringKind::RawFString,
                ..
            } => {
                let separators = value
                    .chars()
                    .filter(|&c| c != '_' && !c.is_alphanumeric())
                    .count();
                let top = self.top();
                top.ops = top
                    .ops
                    .saturating_add(u32::try_from(separators).unwrap_or(u32::MAX));
            }
            Tok::String { .. } => {}
            Tok::Lpar | Tok::Lsqb | Tok::Lbrace => {
                let top = self.top();
                top.ops = top.ops.saturating_add(1);
                let base = top.base.saturating_add(top.depth());
                self.brackets.push(Frame {
                    base,
                    ..Frame::default()
                });
            }
            Tok::Rpar | Tok::Rsqb | Tok::Rbrace => {
                if self.brackets.len() > 1 {
                    // The bracket's own level was counted in `ops` when it opened.
                    let closed = self.brackets.pop().map_or(0, |frame| frame.depth());
                    let top = self.top();
                    top.child = top.child.max(closed);
                }
            }
            Tok::Comma => self.top().end_item(),
            Tok::Newline | Tok::Semi => {
                self.brackets.truncate(1);
                self.brackets[0] = Frame::default();
                self.at_statement_start = true;
            }
            Tok::Indent => {
                self.elif_runs.push(0);
                self.block_depth = self.block_depth.saturating_add(1);
                self.at_statement_start = true;
            }
            Tok::Dedent => {
                if self.elif_runs.len() > 1 {
                    let run = self.elif_runs.pop().unwrap_or(0);
                    self.block_depth = self.block_depth.saturating_sub(run.saturating_add(1));
                }
                self.at_statement_start = true;
            }
            _ => {
                let top = self.top();
                top.ops = top.ops.saturating_add(1);
            }
        }
        let top = &self.brackets[self.brackets.len() - 1];
        self.block_depth
            .saturating_add(top.base)
            .saturating_add(top.depth())
            .saturating_add(STATEMENT_SLACK)
    }

    /// An `elif` lengthens the chain at this indentation level; any other statement but `else`
    /// ends it.
    fn start_statement(&mut self, tok: &Tok) {
        let Some(run) = self.elif_runs.last_mut() else {
            return;
        };
        match tok {
            Tok::Elif => {
                *run = run.saturating_add(1);
                self.block_depth = self.block_depth.saturating_add(1);
            }
            Tok::Else | Tok::Newline | Tok::Indent | Tok::Dedent => {}
            _ => {
                self.block_depth = self.block_depth.saturating_sub(*run);
                *run = 0;
            }
        }
    }
}
