//! Numba's signature grammar: `f8(f8[:], i8)`, `void(f8[:,:])`, a bare argument tuple, a list.
//!
//! ```text
//! signature := type '(' types? ')'        return type and arguments (`void` returns none)
//!            | '(' types? ')'             arguments only
//!            | type (',' type)* ','?      arguments only (at least one comma for one type)
//! types     := type (',' type)* ','?
//! type      := scalar ('[' axis (',' axis)* ']')?
//!            | 'UniTuple' '(' type ',' integer ')'
//!            | 'Tuple' '(' types? ')' | 'Tuple' '(' '(' types? ')' ')'
//!            | 'array' '(' scalar ',' integer 'd' ',' ('C' | 'F' | 'A') ')'   (as printed)
//!            | 'CPointer' '(' scalar ')' | 'voidptr'   C pointers (`@cfunc` parameters)
//! axis      := ':' | '::1'                `::1` on the last axis is C order, on the first F
//! ```
//!
//! Whitespace may appear between any two tokens. Errors never panic; their span is on line 1 at
//! the offending character (1-based, in characters), and the diagnostic is rendered against the
//! signature text so the caret points at it.

use crate::types::{Layout, Scalar, Type};
use frontend::{Diagnostic, DiagnosticKind, SourceFile, Span};
use std::fmt;

/// One explicit signature. `ret` is `None` when only argument types were given.
#[derive(Clone, Debug, PartialEq)]
pub struct Signature {
    pub args: Vec<Type>,
    pub ret: Option<Type>,
}

impl fmt::Display for Signature {
    /// `float64(array(float64, 1d, C), int64)`, or `(int64,)` without a return type.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ret) = &self.ret {
            write!(f, "{ret}")?;
        }
        let args: Vec<String> = self.args.iter().map(Type::to_string).collect();
        let trailing = if self.ret.is_none() && args.len() == 1 {
            ","
        } else {
            ""
        };
        write!(f, "({}{trailing})", args.join(", "))
    }
}

/// Parses one signature string. Errors are `DiagnosticKind::Signature` whose span column
/// points into the signature text (line 1).
pub fn parse_signature(text: &str) -> Result<Signature, Diagnostic> {
    let mut p = Parser::new(text);
    p.signature()
        .map_err(|d| d.with_source(&SourceFile::new("<signature>", text)))
}

/// Parses a list of signature strings (`@jit(['f8(f8)', 'f4(f4)'])`).
pub fn parse_signatures(texts: &[&str]) -> Result<Vec<Signature>, Diagnostic> {
    texts.iter().map(|t| parse_signature(t)).collect()
}

/// Parses one type written in the signature grammar (`f8[:, ::1]`, `UniTuple(i8, 2)`).
pub fn parse_type(text: &str) -> Result<Type, Diagnostic> {
    let mut p = Parser::new(text);
    let result = p
        .ty()
        .and_then(|ty| p.expect_end("end of type").map(|()| ty));
    result.map_err(|d| d.with_source(&SourceFile::new("<type>", text)))
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Int(String),
    Punct(char),
    /// A character outside the grammar.
    Other(char),
    End,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) | Tok::Int(s) => write!(f, "'{s}'"),
            Tok::Punct(c) | Tok::Other(c) => write!(f, "'{c}'"),
            Tok::End => f.write_str("end of signature"),
        }
    }
}

/// A token and its 1-based column range `[col, end_col)`.
struct Token {
    tok: Tok,
    col: u32,
    end_col: u32,
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

type PResult<T> = Result<T, Diagnostic>;

fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let col = |i: usize| u32::try_from(i + 1).unwrap_or(u32::MAX);
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let tok = if c.is_whitespace() {
            i += 1;
            continue;
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            Tok::Ident(chars[start..i].iter().collect())
        } else if c.is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            Tok::Int(chars[start..i].iter().collect())
        } else if "()[],:".contains(c) {
            i += 1;
            Tok::Punct(c)
        } else {
            i += 1;
            Tok::Other(c)
        };
        tokens.push(Token {
            tok,
            col: col(start),
            end_col: col(i),
        });
    }
    let end = col(chars.len());
    tokens.push(Token {
        tok: Tok::End,
        col: end,
        end_col: end,
    });
    tokens
}

impl Parser {
    fn new(text: &str) -> Parser {
        Parser {
            tokens: tokenize(text),
            pos: 0,
        }
    }

    fn peek(&self) -> &Token {
        // `tokens` always ends with `End`, and `pos` never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> &Token {
        let i = self.pos.min(self.tokens.len() - 1);
        if self.tokens[i].tok != Tok::End {
            self.pos += 1;
        }
        &self.tokens[i]
    }

    fn at_punct(&self, c: char) -> bool {
        self.peek().tok == Tok::Punct(c)
    }

    fn eat_punct(&mut self, c: char) -> bool {
        let found = self.at_punct(c);
        if found {
            self.bump();
        }
        found
    }

    fn error_at(token: &Token, message: String) -> Diagnostic {
        let span = Span::new(1, token.col, 1, token.end_col.max(token.col + 1));
        Diagnostic::new(DiagnosticKind::Signature, message, Some(span))
    }

    /// "expected X, found Y" at the current token.
    fn expected(&self, what: &str) -> Diagnostic {
        let token = self.peek();
        Self::error_at(token, format!("expected {what}, found {}", token.tok))
    }

    fn expect_punct(&mut self, c: char, context: &str) -> PResult<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.expected(&format!("'{c}' {context}")))
        }
    }

    fn expect_end(&mut self, what: &str) -> PResult<()> {
        if self.peek().tok == Tok::End {
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    fn signature(&mut self) -> PResult<Signature> {
        if self.peek().tok == Tok::End {
            return Err(self.expected("a signature such as 'f8(f8, i8)'"));
        }
        if self.at_punct('(') {
            self.bump();
            let args = self.types_until_close("after the argument types")?;
            self.expect_end("end of signature after ')'")?;
            return Ok(Signature { args, ret: None });
        }
        // `none` is how types print (`Dispatcher.signatures`), `void` how Numba spells it.
        let is_void =
            matches!(&self.peek().tok, Tok::Ident(name) if name == "void" || name == "none");
        let first = if is_void {
            self.bump();
            Type::NoneType
        } else {
            self.ty()?
        };
        if self.eat_punct('(') {
            let args = self.types_until_close("after the argument types")?;
            self.expect_end("end of signature after ')'")?;
            return Ok(Signature {
                args,
                ret: Some(first),
            });
        }
        if is_void {
            return Err(self.expected("'(' after 'void'"));
        }
        if !self.at_punct(',') {
            let what = format!("'(' after return type {first} (or ',' for an argument list)");
            return Err(self.expected(&what));
        }
        let mut args = vec![first];
        while self.eat_punct(',') {
            if self.peek().tok == Tok::End {
                break;
            }
            args.push(self.ty()?);
        }
        self.expect_end("',' or end of signature")?;
        Ok(Signature { args, ret: None })
    }

    /// Comma-separated types up to and including `)`; a trailing comma is allowed.
    fn types_until_close(&mut self, context: &str) -> PResult<Vec<Type>> {
        let mut types = Vec::new();
        loop {
            if self.eat_punct(')') {
                return Ok(types);
            }
            types.push(self.ty()?);
            if self.eat_punct(')') {
                return Ok(types);
            }
            if !self.eat_punct(',') {
                return Err(self.expected(&format!("',' or ')' {context}")));
            }
        }
    }

    fn ty(&mut self) -> PResult<Type> {
        let token = self.peek();
        let Tok::Ident(name) = &token.tok else {
            return Err(self.expected("a type name such as 'f8' or 'int64'"));
        };
        let name = name.clone();
        match name.as_str() {
            "UniTuple" => return self.uni_tuple(),
            "Tuple" => {
                self.bump();
                self.expect_punct('(', "after 'Tuple'")?;
                // Numba's spelling takes one sequence of types: `Tuple((f8, i8))`.
                if self.eat_punct('(') {
                    let items = self.types_until_close("in Tuple((...))")?;
                    self.expect_punct(')', "after the types of Tuple((...))")?;
                    return Ok(Type::Tuple(items));
                }
                return Ok(Type::Tuple(self.types_until_close("in Tuple(...)")?));
            }
            "array" => return self.array_printed(),
            // `Optional(float64[:])`, Numba's `optional(f8)`: the type or None.
            "Optional" | "optional" => {
                self.bump();
                self.expect_punct('(', "after 'Optional'")?;
                let inner = self.ty()?;
                self.expect_punct(')', "after the type of Optional(...)")?;
                return Ok(Type::Optional(Box::new(inner)));
            }
            "voidptr" => {
                self.bump();
                return Ok(Type::CPointer(None));
            }
            "CPointer" => {
                self.bump();
                self.expect_punct('(', "after 'CPointer'")?;
                let dtype = self.scalar()?;
                self.expect_punct(')', "after the type of CPointer(...)")?;
                return Ok(Type::CPointer(Some(dtype)));
            }
            "void" | "none" => {
                let message = format!("'{name}' may only be used as a return type");
                return Err(Self::error_at(token, message));
            }
            _ => {}
        }
        let dtype = self.scalar()?;
        if self.eat_punct('[') {
            let (ndim, layout) = self.axes()?;
            return Ok(Type::array(dtype, ndim, layout));
        }
        Ok(Type::Scalar(dtype))
    }

    fn scalar(&mut self) -> PResult<Scalar> {
        let token = self.peek();
        let Tok::Ident(name) = &token.tok else {
            return Err(self.expected("a scalar type name such as 'f8'"));
        };
        let scalar = match name.as_str() {
            "intc" => Some(Scalar::I32),
            "uintc" => Some(Scalar::U32),
            "uint" => Some(Scalar::U64),
            other => Scalar::from_name(other),
        };
        match scalar {
            Some(s) => {
                self.bump();
                Ok(s)
            }
            None => Err(Self::error_at(token, format!("unknown type name '{name}'"))),
        }
    }

    /// The axes of `dtype[...]` after the `[`, through the `]`.
    fn axes(&mut self) -> PResult<(u8, Layout)> {
        let mut contiguous = Vec::new();
        loop {
            let start = self.pos;
            self.expect_punct(':', "for an array axis (write ':' or '::1')")?;
            let unit = if self.eat_punct(':') {
                match &self.peek().tok {
                    Tok::Int(n) if n == "1" => {
                        self.bump();
                        true
                    }
                    _ => return Err(self.expected("'1' after '::' (only '::1' is allowed)")),
                }
            } else {
                false
            };
            contiguous.push((unit, start));
            if self.eat_punct(']') {
                break;
            }
            self.expect_punct(',', "or ']' after an array axis")?;
        }
        let ndim = contiguous.len();
        if ndim > usize::from(u8::MAX) {
            return Err(Self::error_at(
                &self.tokens[contiguous[0].1],
                "too many array axes".into(),
            ));
        }
        let marked: Vec<usize> = (0..ndim).filter(|&i| contiguous[i].0).collect();
        let layout = match marked.as_slice() {
            [] => Layout::A,
            [i] if *i == ndim - 1 => Layout::C,
            [0] => Layout::F,
            [.., i] => {
                let message =
                    "'::1' may only mark the last axis (C order) or the first (F order)".into();
                return Err(Self::error_at(&self.tokens[contiguous[*i].1], message));
            }
        };
        Ok((ndim as u8, layout))
    }

    fn uni_tuple(&mut self) -> PResult<Type> {
        self.bump();
        self.expect_punct('(', "after 'UniTuple'")?;
        let item = self.ty()?;
        self.expect_punct(',', "after the UniTuple element type")?;
        let count = self.small_int("the UniTuple length")?;
        self.expect_punct(')', "after the UniTuple length")?;
        Ok(Type::Tuple(vec![item; count]))
    }

    fn small_int(&mut self, what: &str) -> PResult<usize> {
        let token = self.peek();
        let parsed = match &token.tok {
            Tok::Int(n) => n.parse::<usize>().ok().filter(|&n| n <= 1024),
            _ => None,
        };
        match parsed {
            Some(n) => {
                self.bump();
                Ok(n)
            }
            None => Err(self.expected(&format!("{what} (an integer up to 1024)"))),
        }
    }

    /// `array(float64, 2d, C)`: the form `Type`'s `Display` prints.
    fn array_printed(&mut self) -> PResult<Type> {
        self.bump();
        self.expect_punct('(', "after 'array'")?;
        let dtype = self.scalar()?;
        self.expect_punct(',', "after the array dtype")?;
        let token = self.peek();
        let ndim = match &token.tok {
            Tok::Int(s) => s.strip_suffix('d').and_then(|n| n.parse::<u8>().ok()),
            _ => None,
        };
        let Some(ndim) = ndim else {
            return Err(self.expected("the number of dimensions such as '2d'"));
        };
        self.bump();
        self.expect_punct(',', "after the number of dimensions")?;
        let layout = match &self.peek().tok {
            Tok::Ident(l) if l == "C" => Layout::C,
            Tok::Ident(l) if l == "F" => Layout::F,
            Tok::Ident(l) if l == "A" => Layout::A,
            _ => return Err(self.expected("a layout 'C', 'F' or 'A'")),
        };
        self.bump();
        self.expect_punct(')', "after the array layout")?;
        Ok(Type::array(dtype, ndim, layout))
    }
}
