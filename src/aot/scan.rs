//! A light scan of a Python module's text, without running Python: its top-level functions
//! (with their decorators), simple top-level assignments and imports.
//!
//! This is what lets `ferrojit build` and the Rust embedding API compile the functions of a
//! module file. The scan understands, at column 0 only:
//!
//! - `def name(...):` blocks, with the `@decorator` lines right above them;
//! - `import math`, `import numpy as np`, `from math import sqrt, pi as PI` (any module; only
//!   `math`, `cmath`, `numpy`, `ferrojit` and `numba` mean something to the compiler);
//! - `NAME = expression` and `NAME: annotation = expression` (one target).
//!
//! Everything else at top level (`if`, `for`, `class`, `try`, several targets, `+=`) is skipped:
//! names bound only there are unknown to the compiler. Strings, comments, brackets and backslash
//! continuations are tracked, so a multi-line call or docstring does not look like a new
//! statement. What the names *mean* is decided in [`super::resolve`].

use frontend::SourceFile;

/// One logical line of the module: a statement start plus its continuation lines.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LogicalLine {
    /// 1-based line numbers in the file.
    first: u32,
    last: u32,
    /// Columns of leading whitespace on the first line.
    indent: usize,
    /// The text of the statement, physical lines joined with `\n`, comments removed.
    text: String,
}

/// A decorator line above a function: its expression without the `@`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decorator {
    pub text: String,
    pub line: u32,
}

impl Decorator {
    /// The last component of the called name: `export` for `@ferrojit.export('f8(f8)')`.
    pub fn name(&self) -> &str {
        let callee = self.text.split('(').next().unwrap_or("").trim();
        callee.rsplit('.').next().unwrap_or(callee).trim()
    }

    /// The string literals among the decorator's arguments (inside a list too), in order:
    /// the signatures of `@export('f8(f8)', 'f4(f4)')` or `@jit(['f8(f8)'])`.
    pub fn string_arguments(&self) -> Vec<String> {
        let Some(open) = self.text.find('(') else {
            return Vec::new();
        };
        let args = &self.text[open + 1..];
        let mut out = Vec::new();
        let mut chars = args.char_indices().peekable();
        let mut depth = 0i32;
        let mut after_equals = false;
        while let Some((_, c)) = chars.next() {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                '=' => after_equals = true,
                ',' if depth == 0 => after_equals = false,
                '\'' | '"' => {
                    let mut text = String::new();
                    while let Some((_, d)) = chars.next() {
                        if d == '\\' {
                            if let Some((_, e)) = chars.next() {
                                text.push(e);
                            }
                        } else if d == c {
                            break;
                        } else {
                            text.push(d);
                        }
                    }
                    // `error_model='numpy'` is an option, not a signature.
                    if !after_equals {
                        out.push(text);
                    }
                }
                _ => {}
            }
            if depth < 0 {
                break;
            }
        }
        out
    }

    /// The value text of keyword argument `key` (`True`, `'numpy'`), quotes removed.
    pub fn keyword(&self, key: &str) -> Option<String> {
        let open = self.text.find('(')?;
        let args = &self.text[open + 1..self.text.rfind(')').unwrap_or(self.text.len())];
        args.split(',').find_map(|part| {
            let (k, v) = part.split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches(['\'', '"']).to_string())
        })
    }
}

/// A top-level `def`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScannedFunction {
    pub name: String,
    /// The decorators and the `def` block, positioned in the file (`line_offset`).
    pub source: SourceFile,
    /// Line of the `def` keyword in the file.
    pub def_line: u32,
    pub decorators: Vec<Decorator>,
}

impl ScannedFunction {
    /// Signatures from `@export(...)` decorators (`@ferrojit.export`, `@fj.export`, ...).
    pub fn export_signatures(&self) -> Vec<String> {
        self.decorators
            .iter()
            .filter(|d| d.name() == "export")
            .flat_map(Decorator::string_arguments)
            .collect()
    }

    /// Signatures from `@jit(...)`/`@njit(...)` decorators.
    pub fn jit_signatures(&self) -> Vec<String> {
        self.decorators
            .iter()
            .filter(|d| matches!(d.name(), "jit" | "njit"))
            .flat_map(Decorator::string_arguments)
            .collect()
    }

    /// The value of a decorator keyword (`boundscheck`, `fastmath`, `error_model`, ...), from
    /// any of the function's `jit`/`njit`/`export` decorators.
    pub fn decorator_keyword(&self, key: &str) -> Option<String> {
        self.decorators
            .iter()
            .filter(|d| matches!(d.name(), "jit" | "njit" | "export"))
            .find_map(|d| d.keyword(key))
    }
}

/// What a top-level statement binds a name to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BindingKind {
    /// `import numpy as np`: the module's full dotted name.
    Import { module: String },
    /// `from math import sqrt as s`: module and the imported name.
    FromImport { module: String, name: String },
    /// `NAME = expression`: the expression's text and its line.
    Assign { expr: String, line: u32 },
    /// `def NAME`: index into [`ScannedModule::functions`].
    Function(usize),
    /// Rebound by a statement the scan does not follow (`NAME += 1`, `NAME = x = 1`).
    Opaque { line: u32 },
}

/// A name bound at top level, in source order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub name: String,
    pub kind: BindingKind,
}

/// The result of scanning one module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScannedModule {
    pub filename: String,
    pub functions: Vec<ScannedFunction>,
    /// Every top-level binding, in source order (a name may appear more than once).
    pub bindings: Vec<Binding>,
}

impl ScannedModule {
    /// Scans `text`, the contents of `filename`. Never fails: what is not understood is skipped.
    pub fn scan(filename: &str, text: &str) -> ScannedModule {
        let lines: Vec<&str> = text.split('\n').collect();
        let logical = logical_lines(text);
        let mut module = ScannedModule {
            filename: filename.to_string(),
            ..ScannedModule::default()
        };
        let top: Vec<usize> = (0..logical.len())
            .filter(|&i| logical[i].indent == 0)
            .collect();
        let mut pending_decorators: Vec<Decorator> = Vec::new();
        let mut decorator_start: Option<u32> = None;
        for (k, &i) in top.iter().enumerate() {
            let line = &logical[i];
            let stmt = line.text.trim();
            if let Some(expr) = stmt.strip_prefix('@') {
                decorator_start.get_or_insert(line.first);
                pending_decorators.push(Decorator {
                    text: expr.trim().to_string(),
                    line: line.first,
                });
                continue;
            }
            let decorators = std::mem::take(&mut pending_decorators);
            let first = decorator_start.take().unwrap_or(line.first);
            if let Some(rest) = stmt.strip_prefix("def ") {
                let name = identifier_prefix(rest.trim_start());
                // The block runs to the last indented logical line before the next top-level one.
                let next_top = top.get(k + 1).copied().unwrap_or(logical.len());
                let last = logical[i..next_top]
                    .iter()
                    .map(|l| l.last)
                    .max()
                    .unwrap_or(line.last);
                let body: Vec<&str> =
                    lines[(first - 1) as usize..(last as usize).min(lines.len())].to_vec();
                let mut source = SourceFile::new(filename, body.join("\n") + "\n");
                source.line_offset = first - 1;
                module.bindings.push(Binding {
                    name: name.to_string(),
                    kind: BindingKind::Function(module.functions.len()),
                });
                module.functions.push(ScannedFunction {
                    name: name.to_string(),
                    source,
                    def_line: line.first,
                    decorators,
                });
            } else if let Some(rest) = stmt.strip_prefix("import ") {
                for item in rest.split(',') {
                    let (module_name, alias) = split_alias(item);
                    let bound =
                        alias.unwrap_or_else(|| module_name.split('.').next().unwrap_or(""));
                    if is_identifier(bound) {
                        let module_name = if alias.is_some() {
                            module_name
                        } else {
                            // `import a.b` binds `a`, the top-level package.
                            bound
                        };
                        module.bindings.push(Binding {
                            name: bound.to_string(),
                            kind: BindingKind::Import {
                                module: module_name.to_string(),
                            },
                        });
                    }
                }
            } else if let Some(rest) = stmt.strip_prefix("from ") {
                let Some((from, names)) = rest.split_once(" import ") else {
                    continue;
                };
                let names = names.trim().trim_start_matches('(').trim_end_matches(')');
                for item in names.split(',') {
                    let (name, alias) = split_alias(item);
                    let bound = alias.unwrap_or(name);
                    if is_identifier(bound) && is_identifier(name) {
                        module.bindings.push(Binding {
                            name: bound.to_string(),
                            kind: BindingKind::FromImport {
                                module: from.trim().to_string(),
                                name: name.to_string(),
                            },
                        });
                    }
                }
            } else if let Some((name, kind)) = assignment(stmt, line.first) {
                module.bindings.push(Binding {
                    name: name.to_string(),
                    kind,
                });
            }
        }
        module
    }

    /// The top-level function named `name` (the last definition wins, as in Python).
    pub fn function_index(&self, name: &str) -> Option<usize> {
        self.functions.iter().rposition(|f| f.name == name)
    }
}

/// `NAME = expr` or `NAME: ann = expr`; other assignments to a name make it opaque.
fn assignment(stmt: &str, line: u32) -> Option<(&str, BindingKind)> {
    let name = identifier_prefix(stmt);
    if name.is_empty() || KEYWORDS.contains(&name) {
        return None;
    }
    let rest = stmt[name.len()..].trim_start();
    let rest = match rest.strip_prefix(':') {
        // An annotation: skip to its `=` (annotations hold no `=` in practice).
        Some(annotated) => &annotated[annotated.find('=')?..],
        None => rest,
    };
    let augmented = [
        "+=", "-=", "*=", "/=", "//=", "%=", "**=", "<<=", ">>=", "&=", "|=", "^=",
    ];
    if augmented.iter().any(|op| rest.starts_with(op)) {
        return Some((name, BindingKind::Opaque { line }));
    }
    let expr = rest.strip_prefix('=')?;
    if expr.starts_with('=') {
        return None; // `NAME == ...`, an expression statement
    }
    let expr = expr.trim();
    let chained = {
        let n = identifier_prefix(expr);
        !n.is_empty() && {
            let after = expr[n.len()..].trim_start();
            after.starts_with('=') && !after.starts_with("==")
        }
    };
    if chained {
        return Some((name, BindingKind::Opaque { line }));
    }
    Some((
        name,
        BindingKind::Assign {
            expr: expr.to_string(),
            line,
        },
    ))
}

const KEYWORDS: &[&str] = &[
    "if", "for", "while", "with", "try", "class", "def", "return", "import", "from", "async",
    "assert", "del", "global", "nonlocal", "raise", "pass", "print", "else", "elif", "except",
    "finally", "lambda", "yield", "await", "not", "match", "case",
];

/// `name as alias` → (`name`, `Some(alias)`).
fn split_alias(item: &str) -> (&str, Option<&str>) {
    let item = item.trim();
    match item.split_once(" as ") {
        Some((name, alias)) => (name.trim(), Some(alias.trim())),
        None => (item, None),
    }
}

fn identifier_prefix(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c == '_' || c.is_alphanumeric()) || (i == 0 && c.is_ascii_digit()))
        .map_or(text.len(), |(i, _)| i);
    &text[..end]
}

fn is_identifier(text: &str) -> bool {
    !text.is_empty() && identifier_prefix(text) == text
}

/// Splits `text` into logical lines, tracking strings (including triple-quoted ones),
/// comments, brackets and backslash continuations. Blank and comment-only lines are dropped.
fn logical_lines(text: &str) -> Vec<LogicalLine> {
    #[derive(Clone, Copy)]
    struct Quote {
        ch: char,
        triple: bool,
    }
    let mut out = Vec::new();
    let mut quote: Option<Quote> = None;
    let mut depth = 0i32;
    let mut current: Option<LogicalLine> = None;
    let mut continued = false;
    for (index, raw) in text.split('\n').enumerate() {
        let number = index as u32 + 1;
        let starts_statement = quote.is_none() && depth <= 0 && !continued;
        let mut stripped = String::new();
        let chars: Vec<char> = raw.chars().collect();
        let mut i = 0;
        continued = false;
        while i < chars.len() {
            let c = chars[i];
            match quote {
                Some(q) => {
                    stripped.push(c);
                    if c == '\\' {
                        if let Some(&next) = chars.get(i + 1) {
                            stripped.push(next);
                        }
                        i += 2;
                        continue;
                    }
                    if c == q.ch {
                        if !q.triple {
                            quote = None;
                        } else if chars.get(i + 1) == Some(&q.ch) && chars.get(i + 2) == Some(&q.ch)
                        {
                            stripped.push(q.ch);
                            stripped.push(q.ch);
                            quote = None;
                            i += 3;
                            continue;
                        }
                    }
                }
                None => match c {
                    '#' => break,
                    '\'' | '"' => {
                        let triple = chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c);
                        quote = Some(Quote { ch: c, triple });
                        if triple {
                            stripped.push_str(&c.to_string().repeat(3));
                            i += 3;
                            continue;
                        }
                        stripped.push(c);
                    }
                    '(' | '[' | '{' => {
                        depth += 1;
                        stripped.push(c);
                    }
                    ')' | ']' | '}' => {
                        depth -= 1;
                        stripped.push(c);
                    }
                    '\\' if i + 1 == chars.len() => continued = true,
                    _ => stripped.push(c),
                },
            }
            i += 1;
        }
        // A single-quoted string cannot span lines (without a backslash): recover.
        if let Some(q) = quote
            && !q.triple
            && !raw.ends_with('\\')
        {
            quote = None;
        }
        if starts_statement {
            if stripped.trim().is_empty() && quote.is_none() {
                continue;
            }
            if let Some(done) = current.take() {
                out.push(done);
            }
            let indent = raw.len() - raw.trim_start().len();
            current = Some(LogicalLine {
                first: number,
                last: number,
                indent,
                text: stripped,
            });
        } else if let Some(line) = current.as_mut() {
            line.last = number;
            line.text.push('\n');
            line.text.push_str(&stripped);
        }
        if depth < 0 {
            depth = 0;
        }
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = r#""""A module docstring
def not_a_function():
"""
import math
import numpy as np, cmath
from math import sqrt, pi as PI
from ferrojit import (export,
                      jit)

N = 10  # a comment
SCALE: float = 2.5
TAU = 2 * math.pi
COUNT += 1
X = Y = 3

@export('f8(f8[:])',
        'f4(f4[:])')
def total(a):
    """Sum.

def fake():
"""
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * SCALE
    return s

# a comment between functions

@jit(boundscheck=True, error_model='numpy')
def helper(x):
    return x + \
        1

if __name__ == "__main__":
    print(total(np.ones(3)))
"#;

    #[test]
    fn finds_functions_bindings_and_decorators() {
        let m = ScannedModule::scan("m.py", MODULE);
        let names: Vec<&str> = m.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["total", "helper"]);
        let total = &m.functions[0];
        assert_eq!(total.export_signatures(), ["f8(f8[:])", "f4(f4[:])"]);
        assert_eq!(total.source.line_offset, 15);
        assert!(total.source.text.starts_with("@export("));
        assert!(total.source.text.trim_end().ends_with("return s"));
        let helper = &m.functions[1];
        assert_eq!(
            helper.decorator_keyword("boundscheck").as_deref(),
            Some("True")
        );
        assert_eq!(
            helper.decorator_keyword("error_model").as_deref(),
            Some("numpy")
        );
        assert!(helper.export_signatures().is_empty());
        assert!(helper.source.text.trim_end().ends_with("1"));

        let find = |name: &str| {
            m.bindings
                .iter()
                .rev()
                .find(|b| b.name == name)
                .map(|b| b.kind.clone())
        };
        assert_eq!(
            find("np"),
            Some(BindingKind::Import {
                module: "numpy".into()
            })
        );
        assert_eq!(
            find("cmath"),
            Some(BindingKind::Import {
                module: "cmath".into()
            })
        );
        assert_eq!(
            find("PI"),
            Some(BindingKind::FromImport {
                module: "math".into(),
                name: "pi".into()
            })
        );
        assert!(matches!(find("jit"), Some(BindingKind::FromImport { .. })));
        assert!(
            matches!(find("N"), Some(BindingKind::Assign { ref expr, line: 10 }) if expr == "10")
        );
        assert!(
            matches!(find("SCALE"), Some(BindingKind::Assign { ref expr, .. }) if expr == "2.5")
        );
        assert!(matches!(find("TAU"), Some(BindingKind::Assign { .. })));
        assert!(matches!(find("COUNT"), Some(BindingKind::Opaque { .. })));
        assert!(matches!(find("X"), Some(BindingKind::Opaque { .. })));
        assert_eq!(find("not_a_function"), None);
        assert_eq!(find("fake"), None);
    }
}
