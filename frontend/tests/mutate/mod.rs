//! Source-text mutations for crash fuzzing, shared by the frontend's fuzz test and the whole
//! compiler's (`tests/fuzz_compile.rs` at the workspace root; its `tests/integration.rs`
//! includes this file by path).

use proptest::prelude::*;

/// Fragments spliced into seeds: tokens, keywords, brackets, indentation, odd characters.
pub const SNIPPETS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    ".",
    "=",
    "+=",
    "-",
    "**",
    "//",
    "@",
    "~",
    "not ",
    " and ",
    " if ",
    " else ",
    "lambda x: ",
    "yield ",
    "await ",
    "*",
    "**",
    ":=",
    "\n",
    "\n    ",
    "    ",
    "\t",
    "\\\n",
    "#",
    "'",
    "\"",
    "\"\"\"",
    "f'{",
    "}",
    "b'",
    "0x",
    "1e",
    "j",
    "_",
    "ü",
    "\u{feff}",
    "\r",
    "def g(",
    "return",
    "elif x:",
    "else:",
    "for i in ",
    "while ",
    "class ",
    "async ",
    "...",
    "0",
    "99999999999999999999999999999999999999999999",
    "\0",
];

#[derive(Clone, Debug)]
pub enum Edit {
    Truncate(usize),
    Delete(usize, usize),
    Insert(usize, usize),
    DuplicateLine(usize),
}

pub fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), 0usize..12).prop_map(|(at, len)| Edit::Delete(at, len)),
        (any::<usize>(), 0..SNIPPETS.len()).prop_map(|(at, snippet)| Edit::Insert(at, snippet)),
        any::<usize>().prop_map(Edit::DuplicateLine),
    ]
}

/// The char boundary at or before `at % (len + 1)`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

pub fn apply(text: &mut String, edit: &Edit) {
    match *edit {
        Edit::Truncate(at) => text.truncate(boundary(text, at)),
        Edit::Delete(at, len) => {
            let start = boundary(text, at);
            let end = boundary(text, start + len).max(start);
            text.replace_range(start..end, "");
        }
        Edit::Insert(at, snippet) => text.insert_str(boundary(text, at), SNIPPETS[snippet]),
        Edit::DuplicateLine(at) => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            if !lines.is_empty() {
                let line = lines[at % lines.len()].to_string();
                text.insert_str(boundary(text, at), &line);
            }
        }
    }
}
