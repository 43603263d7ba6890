//! Source positions: where a node came from, relative to the function's (dedented) source text,
//! and how to map that back to the user's file.

/// A position range in the function's source text. Lines are 1-based, columns 1-based
/// (in characters), both relative to the text handed to the parser.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

impl Span {
    pub fn new(line: u32, col: u32, end_line: u32, end_col: u32) -> Span {
        Span {
            line,
            col,
            end_line,
            end_col,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        let (line, col) = (self.line, self.col).min((other.line, other.col));
        let (end_line, end_col) =
            (self.end_line, self.end_col).max((other.end_line, other.end_col));
        Span {
            line,
            col,
            end_line,
            end_col,
        }
    }
}

/// The text a function was parsed from and where it sits in its file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceFile {
    /// Path shown in diagnostics (`inspect.getsourcefile`, or `<string>`).
    pub filename: String,
    /// The dedented function source that was parsed.
    pub text: String,
    /// Line number in `filename` of the first line of `text`, minus one.
    pub line_offset: u32,
    /// Number of columns removed by dedenting.
    pub col_offset: u32,
}

impl SourceFile {
    pub fn new(filename: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            filename: filename.into(),
            text: text.into(),
            line_offset: 0,
            col_offset: 0,
        }
    }

    /// The line `line` (1-based, relative to `text`), without its newline.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        self.text.lines().nth(line.checked_sub(1)? as usize)
    }

    /// `(line, col)` in the user's file for a span start.
    pub fn file_position(&self, span: Span) -> (u32, u32) {
        (span.line + self.line_offset, span.col + self.col_offset)
    }
}
