//! `FERROJIT_DUMP`: which pipeline stages to print to stderr while compiling — and the same
//! texts captured as strings for the inspection methods of dispatchers (`inspect_types`,
//! `inspect_ir`, `inspect_asm`, `parallel_diagnostics`), so that both come from one printer.
//!
//! `FERROJIT_DUMP=ast,types,ir,opt,clif,asm,parallel` (or `all`): `types` prints the source
//! annotated with its variables' types, `ir` prints the IR as lowered and after the pipeline,
//! `opt` after every pass, `clif` the Cranelift IR, `asm` the machine code, `parallel` the
//! `prange` loops of `parallel=True` functions with their reductions and hoisted instructions.
//!
//! Every stage goes through [`emit`]: it prints, unless the compilation runs inside
//! [`capture`], which collects the sections instead.

use std::cell::RefCell;

/// The stages to print. All false by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DumpFlags {
    pub ast: bool,
    pub types: bool,
    pub ir: bool,
    pub passes: bool,
    pub clif: bool,
    pub asm: bool,
    pub parallel: bool,
}

impl DumpFlags {
    /// `FERROJIT_DUMP`, as read once by `runtime::config`.
    pub fn from_env() -> DumpFlags {
        DumpFlags::parse(&runtime::config::env().dump)
    }

    /// Every stage (what [`capture`] callers ask for).
    pub fn all() -> DumpFlags {
        DumpFlags {
            ast: true,
            types: true,
            ir: true,
            passes: true,
            clif: true,
            asm: true,
            parallel: true,
        }
    }

    /// Parses a comma-separated list of stage names; unknown names are ignored.
    pub fn parse(spec: &str) -> DumpFlags {
        let mut flags = DumpFlags::default();
        for word in spec.split(',').map(str::trim) {
            match word {
                "ast" => flags.ast = true,
                "types" => flags.types = true,
                "ir" => flags.ir = true,
                "opt" | "passes" => flags.passes = true,
                "clif" => flags.clif = true,
                "asm" => flags.asm = true,
                "parallel" => flags.parallel = true,
                "all" | "1" => flags = DumpFlags::all(),
                _ => {}
            }
        }
        flags
    }

    pub fn any(&self) -> bool {
        *self != DumpFlags::default()
    }
}

/// Which stage a dumped text belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Ast,
    /// The source annotated with the types of its variables.
    Types,
    /// IR as lowered, before any pass.
    LoweredIr,
    /// IR after one pass (the section's title names it).
    Pass,
    /// IR after the whole pipeline: what the backend receives.
    OptimisedIr,
    Clif,
    Asm,
    /// `prange` loops, reductions and hoisting of a `parallel=True` function.
    Parallel,
}

/// One dumped text: its stage, a title naming the function (and pass), and the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpSection {
    pub stage: Stage,
    /// The IR symbol or Python name of the function the text is about.
    pub function: String,
    pub title: String,
    pub text: String,
}

thread_local! {
    static CAPTURED: RefCell<Option<Vec<DumpSection>>> = const { RefCell::new(None) };
}

/// Runs `f` (a compilation on this thread, with the [`DumpFlags`] of the stages wanted) and
/// returns the sections it dumped instead of printing them.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<DumpSection>) {
    let outer = CAPTURED.with(|c| c.replace(Some(Vec::new())));
    let result = f();
    let sections = CAPTURED.with(|c| c.replace(outer)).unwrap_or_default();
    (result, sections)
}

/// Moves this thread's capture state out (leaving none): the driver carries it to the thread
/// it compiles on, and back with [`restore_capture`].
pub(crate) fn take_capture() -> Option<Vec<DumpSection>> {
    CAPTURED.with(|c| c.replace(None))
}

/// Installs a capture state taken with [`take_capture`] on this thread.
pub(crate) fn restore_capture(state: Option<Vec<DumpSection>>) {
    CAPTURED.with(|c| *c.borrow_mut() = state);
}

/// Prints one dumped text to stderr, or records it when inside [`capture`].
pub(crate) fn emit(stage: Stage, function: &str, title: String, text: String) {
    let section = DumpSection {
        stage,
        function: function.to_string(),
        title,
        text,
    };
    let section = CAPTURED.with(|c| match c.borrow_mut().as_mut() {
        Some(sections) => {
            sections.push(section);
            None
        }
        None => Some(section),
    });
    if let Some(s) = section {
        eprintln!("--- {} ---\n{}", s.title, s.text);
    }
}

/// Splits the backend's dump text (`;; CLIF of `f`` / `;; assembly of `f`` headers) into
/// sections.
pub(crate) fn emit_backend_dumps(dumps: &str) {
    let mut current: Option<(Stage, String, String)> = None;
    let flush = |current: &mut Option<(Stage, String, String)>| {
        if let Some((stage, label, text)) = current.take() {
            let what = if stage == Stage::Clif {
                "CLIF"
            } else {
                "assembly"
            };
            emit(stage, &label, format!("{what} of {label}"), text);
        }
    };
    for line in dumps.lines() {
        let header = line
            .strip_prefix(";; CLIF of `")
            .map(|rest| (Stage::Clif, rest))
            .or_else(|| {
                line.strip_prefix(";; assembly of `")
                    .map(|rest| (Stage::Asm, rest))
            });
        if let Some((stage, rest)) = header {
            flush(&mut current);
            let label = rest.trim_end_matches('`').to_string();
            current = Some((stage, label, String::new()));
        } else if let Some((_, _, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    flush(&mut current);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_lists_parse() {
        let f = DumpFlags::parse("ir, clif");
        assert!(f.ir && f.clif && !f.ast && !f.asm);
        assert!(DumpFlags::parse("all").asm);
        assert!(DumpFlags::parse("parallel").parallel);
        assert!(!DumpFlags::parse("bogus").any());
    }

    #[test]
    fn captured_sections_are_not_printed() {
        let ((), sections) = capture(|| {
            emit(Stage::Types, "f", "types of f".into(), "x: int64".into());
            emit_backend_dumps(";; CLIF of `f`\nfunction u0:0() {\n}\n;; assembly of `f`\n  ret\n");
        });
        let stages: Vec<Stage> = sections.iter().map(|s| s.stage).collect();
        assert_eq!(stages, [Stage::Types, Stage::Clif, Stage::Asm]);
        assert_eq!(sections[2].function, "f");
        assert_eq!(sections[2].text, "  ret\n");
    }
}
