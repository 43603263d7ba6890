//! Compile time stays linear in the loop-nesting depth (issue 12): 20 nested loops used to take
//! seconds because the definite-assignment check walked every loop body twice per level.

use ferrojit::{
    CompileRequest, DumpFlags, FunctionDef, Global, GlobalResolver, Options, SourceFile, Type,
    compile,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct NoGlobals;

impl GlobalResolver for NoGlobals {
    fn resolve(&self, _name: &str) -> Option<Global> {
        None
    }
}

/// `depth` nested `for` loops (and as many `while True` loops around an inner `break`), each
/// level assigning a variable that the innermost body reads.
fn nested_source(depth: usize, use_while: bool) -> String {
    let mut src = String::from("def f(n):\n    s = 0\n");
    for d in 0..depth {
        let pad = "    ".repeat(d + 1);
        if use_while {
            src += &format!("{pad}v{d} = {d}\n{pad}while True:\n");
        } else {
            src += &format!("{pad}for v{d} in range(n):\n");
        }
    }
    let pad = "    ".repeat(depth + 1);
    let sum: Vec<String> = (0..depth).map(|d| format!("v{d}")).collect();
    src += &format!("{pad}s += {}\n", sum.join(" + "));
    if use_while {
        for d in (0..depth).rev() {
            src += &format!("{}break\n", "    ".repeat(d + 2));
        }
    }
    src += "    return s\n";
    src
}

fn compile_time(src: &str) -> Duration {
    let def = FunctionDef::parse(
        SourceFile::new("nested.py", src),
        Box::new(NoGlobals),
        Options::default(),
    )
    .expect("parses");
    let start = Instant::now();
    let f = compile(&CompileRequest {
        def: Arc::new(def),
        arg_types: vec![Type::I64],
        declared_return: None,
        dump: DumpFlags::default(),
    });
    let elapsed = start.elapsed();
    assert!(f.is_ok(), "{src}\n{:?}", f.err());
    elapsed
}

#[test]
fn twenty_nested_loops_compile_fast() {
    for use_while in [false, true] {
        let src = nested_source(20, use_while);
        let t = compile_time(&src);
        // A debug build on a shared machine: generous, but far below the seconds that an
        // exponential walk takes (depth 20 with two walks per level is 2^20 body walks).
        assert!(t < Duration::from_secs(3), "{t:?} to compile\n{src}");
    }
}
