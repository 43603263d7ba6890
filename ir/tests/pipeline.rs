//! Tests of the pass manager (`run_pipeline`, `run_pass`, pass names) and of the analyses the
//! passes share (`passes::util`: dominators, reverse postorder, predecessors).

use ir::parse::parse_function;
use ir::passes::util::{DomTree, predecessors, replace_all_uses, reverse_postorder};
use ir::passes::{DEFAULT_PIPELINE, Pass, PipelineOptions, run_pass, run_pipeline};
use ir::{Block, Function, Value};

/// block0 → {block1, block2} → block3 ⇄ block4 (a loop), block5 unreachable.
fn sample() -> Function {
    parse_function(
        "function @f(bool, i64) -> i64 {
block0(v0: bool, v1: i64):
    brif v0, block1, block2
block1:
    jump block3(v1)
block2:
    v2 = iconst.i64 0
    jump block3(v2)
block3(v3: i64):
    v4 = iadd v3, v1
    brif v0, block4, block6
block4:
    jump block3(v4)
block6:
    return v4
block5:
    jump block3(v1)
}",
    )
    .expect("parses")
}

#[test]
fn dominators_of_a_diamond_with_a_loop() {
    let func = sample();
    let domtree = DomTree::compute(&func);
    let idom = |b: u32| domtree.idom(Block(b)).map(|b| b.0);
    assert_eq!(
        [idom(0), idom(1), idom(2), idom(3), idom(4), idom(6)],
        [None, Some(0), Some(0), Some(0), Some(3), Some(3)]
    );
    assert!(!domtree.is_reachable(Block(5)));
    assert!(domtree.dominates(Block(3), Block(4)) && domtree.dominates(Block(3), Block(3)));
    assert!(!domtree.dominates(Block(1), Block(3)) && !domtree.dominates(Block(5), Block(3)));
    let rpo: Vec<u32> = reverse_postorder(&func).iter().map(|b| b.0).collect();
    assert_eq!(rpo[0], 0);
    assert_eq!(rpo.len(), 6);
    let preds = predecessors(&func);
    assert_eq!(
        preds[3].iter().map(|b| b.0).collect::<Vec<_>>(),
        [1, 2, 4, 5]
    );
}

#[test]
fn replace_all_uses_rewrites_arguments_and_branch_arguments() {
    let mut func = sample();
    replace_all_uses(&mut func, Value(1), Value(2));
    let text = func.to_string();
    assert!(
        text.contains("jump block3(v2)") && text.contains("v4 = iadd v3, v2"),
        "{text}"
    );
}

#[test]
fn the_observer_sees_the_input_and_every_pass() {
    let mut func = sample();
    let mut seen = Vec::new();
    let opts = PipelineOptions::default();
    run_pipeline(&mut func, &opts, &mut |pass, f| {
        seen.push((pass.to_string(), f.to_string()))
    })
    .expect("valid");
    let names: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
    let mut expected = vec!["input"];
    expected.extend(DEFAULT_PIPELINE.iter().map(|p| p.name()));
    assert_eq!(names, expected);
    assert_eq!(seen[0].1, sample().to_string());
    assert_eq!(seen.last().expect("passes ran").1, func.to_string());
}

#[test]
fn invalid_input_is_reported_as_input() {
    let mut func =
        parse_function("function @f() -> i64 {\nblock0:\n    return\n}").expect("parses");
    let error =
        run_pipeline(&mut func, &PipelineOptions::none(true), &mut |_, _| {}).expect_err("invalid");
    assert_eq!(error.pass.as_deref(), Some("input"));
    assert!(error.to_string().contains("after pass `input`"), "{error}");
    run_pipeline(&mut func, &PipelineOptions::none(false), &mut |_, _| {}).expect("not verified");
}

#[test]
fn passes_are_found_by_name() {
    for pass in Pass::ALL {
        assert_eq!(Pass::from_name(pass.name()), Some(pass));
        run_pass(pass.name(), &mut sample()).expect("known pass");
    }
    let error = run_pass("inline", &mut sample()).expect_err("unknown");
    assert!(
        error.contains("unknown pass `inline`") && error.contains("licm"),
        "{error}"
    );
    assert_eq!(PipelineOptions::default().verify, cfg!(debug_assertions));
}
