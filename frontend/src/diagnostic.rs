//! Errors as values: every stage reports a [`Diagnostic`] with a span; only `pybridge` turns it
//! into a Python exception. Rendering shows `file:line:col`, the source line and a caret.

use crate::span::{SourceFile, Span};
use std::fmt;

/// Which family of error this is; `pybridge` maps each to a Python exception class.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum DiagnosticKind {
    /// The source is not valid Python.
    Syntax,
    /// Valid Python that ferrojit does not compile (yet).
    Unsupported,
    /// Ill-typed code, or arguments of the wrong type.
    Typing,
    /// A malformed signature string such as `'f8(f8[:'`.
    Signature,
    /// A failure inside the compiler itself (a bug in ferrojit).
    Internal,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    pub message: String,
    pub span: Option<Span>,
    /// Optional advice shown after the caret ("use np.empty(n)").
    pub hint: Option<String>,
    /// Rendered source location, filled in by [`Diagnostic::with_source`].
    pub rendered: Option<String>,
    /// Other places that explain the error ("the other return is here"), in the same source.
    pub notes: Vec<Note>,
}

/// A secondary location of a [`Diagnostic`].
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub message: String,
    pub span: Span,
    pub rendered: Option<String>,
}

impl Diagnostic {
    pub fn new(kind: DiagnosticKind, message: impl Into<String>, span: Option<Span>) -> Self {
        Diagnostic {
            kind,
            message: message.into(),
            span,
            hint: None,
            rendered: None,
            notes: Vec::new(),
        }
    }
    pub fn unsupported(message: impl Into<String>, span: Span) -> Self {
        Self::new(DiagnosticKind::Unsupported, message, Some(span))
    }
    pub fn typing(message: impl Into<String>, span: Span) -> Self {
        Self::new(DiagnosticKind::Typing, message, Some(span))
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(DiagnosticKind::Internal, message, None)
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a secondary location, rendered with the source like the main one.
    pub fn with_note(mut self, message: impl Into<String>, span: Span) -> Self {
        self.notes.push(Note {
            message: message.into(),
            span,
            rendered: None,
        });
        self
    }

    /// Attaches the file position and source excerpt; idempotent (the first source wins, so a
    /// diagnostic raised inside a called function keeps pointing into that function).
    pub fn with_source(mut self, source: &SourceFile) -> Self {
        if self.rendered.is_none() {
            self.rendered = Some(render_location(self.span, source));
            for note in &mut self.notes {
                note.rendered = Some(render_location(Some(note.span), source));
            }
        }
        self
    }
}

fn render_location(span: Option<Span>, source: &SourceFile) -> String {
    let Some(span) = span else {
        return format!("{}:", source.filename);
    };
    let (line, col) = source.file_position(span);
    let mut out = format!("{}:{}:{}", source.filename, line, col);
    if let Some(text) = source.line_text(span.line) {
        let indent = " ".repeat(source.col_offset as usize);
        let lead = span.col.saturating_sub(1) as usize;
        let width = if span.end_line == span.line && span.end_col > span.col {
            (span.end_col - span.col) as usize
        } else {
            text.chars().count().saturating_sub(lead).max(1)
        };
        out.push_str(&format!(
            "\n    {indent}{text}\n    {indent}{}{}",
            " ".repeat(lead),
            "^".repeat(width.max(1))
        ));
    }
    out
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(rendered) = &self.rendered {
            write!(f, "\n  at {rendered}")?;
        } else if let Some(span) = self.span {
            write!(f, " (line {}, column {})", span.line, span.col)?;
        }
        for note in &self.notes {
            write!(f, "\n  note: {}", note.message)?;
            match &note.rendered {
                Some(rendered) => write!(f, "\n  at {rendered}")?,
                None => write!(f, " (line {}, column {})", note.span.line, note.span.col)?,
            }
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

pub type Result<T, E = Diagnostic> = std::result::Result<T, E>;
