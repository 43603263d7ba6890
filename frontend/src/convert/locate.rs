//! Byte offsets from rustpython-parser → our 1-based line/column [`Span`]s.
//!
//! The parser's ranges are byte offsets into the text; [`LineIndex`] turns them into rows and
//! character columns. Every offset is clamped to the text and floored to a char boundary first,
//! because `LineIndex` slices the text and would panic on a bad offset. The small token scanners
//! here find keywords the parser gives no range for (`def name`, the `else` of a loop).

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::span::Span;
use rustpython_parser::source_code::LineIndex;
use rustpython_parser::text_size::{TextRange, TextSize};
use rustpython_parser::{ParseError, ParseErrorType};

pub(super) struct Locator<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Locator<'a> {
    /// The caller guarantees `text.len()` fits in a `u32` (`LineIndex` asserts it).
    pub(super) fn new(text: &'a str) -> Locator<'a> {
        Locator {
            text,
            index: LineIndex::from_source_text(text),
        }
    }

    /// The whole source text.
    pub(super) fn text(&self) -> &'a str {
        self.text
    }

    /// 1-based `(line, column)` of a byte offset; columns count characters.
    fn position(&self, offset: usize) -> (u32, u32) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let size = TextSize::try_from(offset).unwrap_or_default();
        let location = self.index.source_location(size, self.text);
        (location.row.get(), location.column.get())
    }

    pub(super) fn span(&self, range: TextRange) -> Span {
        self.span_of_bytes(range.start().into(), range.end().into())
    }

    fn span_of_bytes(&self, start: usize, end: usize) -> Span {
        let (line, col) = self.position(start);
        let (end_line, end_col) = self.position(end.max(start));
        Span::new(line, col, end_line, end_col)
    }

    /// A syntax error at the parser's offset, one character wide.
    pub(super) fn syntax_error(&self, error: &ParseError) -> Diagnostic {
        let message = match &error.error {
            ParseErrorType::Eof => "unexpected EOF while parsing".to_string(),
            other => other.to_string(),
        };
        let (line, col) = self.position(error.offset.into());
        let span = Span::new(line, col, line, col.saturating_add(1));
        Diagnostic::new(DiagnosticKind::Syntax, message, Some(span))
    }

    /// The span from the `def` keyword at `def_start` to the end of the function's name.
    pub(super) fn def_name_span(&self, def_start: TextSize) -> Option<Span> {
        let start: usize = def_start.into();
        let after_def = self.text.get(start..)?.strip_prefix("def")?;
        let name_start = self.skip_trivia(self.text.len() - after_def.len())?;
        let name_len: usize = self.text[name_start..]
            .chars()
            .take_while(|&c| is_identifier_char(c))
            .map(char::len_utf8)
            .sum();
        (name_len > 0).then(|| self.span_of_bytes(start, name_start + name_len))
    }

    /// The byte offset of the first token at or after `from`.
    fn skip_trivia(&self, from: usize) -> Option<usize> {
        let mut rest = self.text.get(from..)?;
        loop {
            let trimmed = rest.trim_start_matches([' ', '\t', '\x0c', '\r', '\n']);
            if let Some(comment) = trimmed.strip_prefix('#') {
                rest = comment.find(['\r', '\n']).map_or("", |end| &comment[end..]);
            } else if let Some(continued) = trimmed.strip_prefix('\\') {
                rest = continued;
            } else {
                return Some(self.text.len() - trimmed.len());
            }
        }
    }
}

fn is_identifier_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}
