//! Crash fuzzing: random text, and random mutations and truncations of valid functions, never
//! panic the frontend; they convert or fail with a Syntax or Unsupported diagnostic, and what
//! converts keeps dense pre-order ids.

use frontend::ast::{self, Function};
use frontend::{DiagnosticKind, SourceFile};
use proptest::prelude::*;

const SEEDS: &[&str] = &[
    include_str!("ast/filter.py"),
    include_str!("ast/mandel.py"),
    include_str!("ast/nbody.py"),
    include_str!("ast/subset.py"),
    include_str!("ast/unicode.py"),
];

/// Fragments spliced into seeds: tokens, keywords, brackets, indentation, odd characters.
const SNIPPETS: &[&str] = &[
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
enum Edit {
    Truncate(usize),
    Delete(usize, usize),
    Insert(usize, usize),
    DuplicateLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
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

fn apply(text: &mut String, edit: &Edit) {
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

fn check_never_panics(text: &str) -> Result<(), TestCaseError> {
    match frontend::parse_function(&SourceFile::new("<fuzz>", text)) {
        Ok(function) => check_ids(&function),
        Err(diagnostic) => {
            prop_assert!(
                matches!(
                    diagnostic.kind,
                    DiagnosticKind::Syntax | DiagnosticKind::Unsupported
                ),
                "{:?}: {diagnostic}",
                text
            );
            Ok(())
        }
    }
}

fn check_ids(function: &Function) -> Result<(), TestCaseError> {
    let mut ids = Vec::new();
    ast::walk_exprs(&function.body, &mut |expr| ids.push(expr.id.0));
    prop_assert!(
        ids.iter().copied().eq(0..function.num_exprs),
        "ids {:?}",
        ids
    );
    function.inner_functions.iter().try_for_each(check_ids)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn mutated_seeds_never_panic(seed in 0..SEEDS.len(), edits in prop::collection::vec(edit(), 1..6)) {
        let mut text = SEEDS[seed].to_string();
        for edit in &edits {
            apply(&mut text, edit);
        }
        check_never_panics(&text)?;
    }

    #[test]
    fn python_like_text_never_panics(text in "[a-z0-9_ ()\\[\\]{}:.,=+*/%<>!&|^~@#'\"\\\\\n\t-]{0,120}") {
        check_never_panics(&format!("def f(a):\n    {text}\n"))?;
        check_never_panics(&text)?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check_never_panics(&text)?;
    }
}
