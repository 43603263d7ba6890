//! Crash fuzzing: random text, and random mutations and truncations of valid functions, never
//! panic the frontend; they convert or fail with a Syntax or Unsupported diagnostic, and what
//! converts keeps dense pre-order ids.

use frontend::ast::{self, Function};
use frontend::{DiagnosticKind, SourceFile};
use proptest::prelude::*;

use crate::mutate;
use mutate::{apply, edit};

const SEEDS: &[&str] = &[
    include_str!("ast/filter.py"),
    include_str!("ast/mandel.py"),
    include_str!("ast/nbody.py"),
    include_str!("ast/subset.py"),
    include_str!("ast/unicode.py"),
];

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
    ast::walk_function_exprs(function, &mut |expr| ids.push(expr.id.0));
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
