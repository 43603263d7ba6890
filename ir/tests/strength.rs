//! The `strength` pass's division by constants against the plain definition, in the reference
//! interpreter (`support/interp.rs`): for any divisor and any dividend of the whole `u64`
//! range (and `u32`, and 63-bit dividends known non-negative), `udiv`/`urem` after the pass
//! give `x / c` and `x % c`. The multiplier search itself is checked against the bound it
//! promises.

use crate::interp;

use interp::{Memory, Outcome};
use ir::Module;
use ir::parse::parse_module;
use ir::passes::strength::magic;
use ir::passes::{Pass, PipelineOptions, run_pipeline};
use proptest::prelude::*;

/// `(x / c, x % c, |x'| / c, |x'| % c)` with `x' = x as i64` made non-negative by
/// `x ^ (x >> 63)`, and the same for the low 32 bits.
fn module(c: u64) -> Module {
    let c32 = c as u32 as i32;
    let text = format!(
        "function @f(i64) -> i64, i64, i64, i64, i32, i32 {{
block0(v0: i64):
    v1 = iconst.i64 {c}
    v2 = udiv v0, v1
    v3 = urem v0, v1
    v4 = iconst.i64 63
    v5 = sshr v0, v4
    v6 = bxor v0, v5
    v7 = udiv v6, v1
    v8 = urem v6, v1
    v9 = ireduce.i32 v0
    v10 = iconst.i32 {c32}
    v11 = udiv v9, v10
    v12 = urem v9, v10
    return v2, v3, v7, v8, v11, v12
}}
",
        c = c as i64
    );
    after_strength(&text)
}

/// `text` parsed and run through `strength` and `dce`.
fn after_strength(text: &str) -> Module {
    let mut module = parse_module(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let opts = PipelineOptions {
        passes: vec![Pass::Strength, Pass::Dce],
        verify: true,
        fastmath: false,
    };
    for func in &mut module.functions {
        run_pipeline(func, &opts, &mut |_, _| {}).unwrap();
    }
    module
}

fn check(c: u64, x: u64) {
    let m = module(c);
    let text = ir::print::print_module(&m);
    assert!(!text.contains("udiv") && !text.contains("urem"), "{text}");
    let got = interp::run(&m, "f", &[x], &mut Memory(Vec::new()), &mut 10_000);
    let magnitude = (x as i64 ^ ((x as i64) >> 63)) as u64;
    let (x32, c32) = (x as u32, c as u32);
    let sext32 = |v: u32| v as i32 as i64 as u64;
    let want = Outcome::Return(vec![
        x / c,
        x % c,
        magnitude / c,
        magnitude % c,
        sext32(x32 / c32),
        sext32(x32 % c32),
    ]);
    assert_eq!(got, want, "x = {x}, c = {c}\n{text}");
}

fn edge_dividends(c: u64) -> Vec<u64> {
    let mut xs = vec![
        0,
        1,
        2,
        u64::MAX,
        u64::MAX - 1,
        1 << 63,
        (1 << 63) - 1,
        u32::MAX as u64,
    ];
    for k in 1..4u64 {
        xs.push(c.wrapping_mul(k));
        xs.push(c.wrapping_mul(k).wrapping_sub(1));
        xs.push((u64::MAX / c).wrapping_mul(c).wrapping_sub(k - 1));
    }
    xs
}

#[test]
fn divisors_of_every_kind() {
    let divisors = [
        3,
        5,
        6,
        7,
        10,
        11,
        13,
        14,
        100,
        641,
        1000,
        1 << 31,
        (1 << 31) + 1,
        (1 << 32) - 1,
        1_000_000_007,
        6_700_417,
        (1 << 62) + 1,
        (1 << 63) - 1,
        1 << 63,
        (1 << 63) + 1,
        u64::MAX,
        u64::MAX - 1,
    ];
    for c in divisors {
        if c as u32 == 0 {
            continue;
        }
        for x in edge_dividends(c) {
            check(c, x);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_divisor_any_dividend(c in 1u64.., xs in proptest::collection::vec(any::<u64>(), 8)) {
        prop_assume!(c as u32 != 0);
        for x in xs.into_iter().chain(edge_dividends(c)) {
            check(c, x);
        }
    }

    #[test]
    fn small_divisors(c in 1u64..5000, x in any::<u64>()) {
        check(c, x);
    }

    #[test]
    fn multiplier_meets_its_bound(c in 3u64.., bound in any::<u64>()) {
        if let Some((m, p)) = magic(c, bound) {
            // The largest error is at the largest x of each residue class below the bound.
            let top = bound - bound % c + (c - 1).min(bound % c);
            for x in [bound, top, bound.saturating_sub(1), c - 1, c.min(bound)] {
                let x = x.min(bound);
                let q = ((u128::from(x) * u128::from(m)) >> (64 + p)) as u64;
                prop_assert_eq!(q, x / c);
            }
        }
    }
}

/// `x % c == 0` and `x % c != 0` as lowering writes Python's modulo of a signed `i64` by `c`
/// (`x - (s ^ ((x ^ s) / c)) * c`), and of an unsigned one (`urem`), as 0/1 results.
fn divisibility_module(c: u64) -> Module {
    let text = format!(
        "function @f(i64) -> i64, i64, i64 {{
block0(v0: i64):
    v1 = iconst.i64 {c}
    v2 = iconst.i64 63
    v3 = sshr v0, v2
    v4 = bxor v0, v3
    v5 = udiv v4, v1
    v6 = bxor v3, v5
    v7 = imul v6, v1
    v8 = isub v0, v7
    v9 = iconst.i64 0
    v10 = iconst.i64 1
    v11 = icmp.eq v8, v9
    v12 = select v11, v10, v9
    v13 = icmp.ne v8, v9
    v14 = select v13, v10, v9
    v15 = urem v0, v1
    v16 = icmp.eq v15, v9
    v17 = select v16, v10, v9
    return v12, v14, v17
}}
",
        c = c as i64
    );
    after_strength(&text)
}

fn check_divisibility(c: u64, x: u64) {
    let m = divisibility_module(c);
    let text = ir::print::print_module(&m);
    let tested = c >= 2 && !c.is_power_of_two() && (c as i64) > 0;
    if tested {
        // Neither the quotient nor the remainder is computed any more.
        assert!(!text.contains("umulhi"), "{text}");
    }
    let got = interp::run(&m, "f", &[x], &mut Memory(Vec::new()), &mut 10_000);
    let signed = (x as i64).unsigned_abs().is_multiple_of(c);
    let want = Outcome::Return(vec![
        u64::from(signed),
        u64::from(!signed),
        u64::from(x.is_multiple_of(c)),
    ]);
    assert_eq!(got, want, "x = {x} ({}), c = {c}\n{text}", x as i64);
}

#[test]
fn divisibility_tests_of_every_kind() {
    for c in [
        3u64,
        5,
        6,
        7,
        10,
        12,
        14,
        24,
        100,
        641,
        1000,
        3 << 40,
        (1 << 62) + 1,
        (1 << 63) - 1,
    ] {
        let mut xs = edge_dividends(c);
        xs.extend([
            (1u64 << 63).wrapping_neg(),
            (c as i64).wrapping_neg() as u64,
            (c as i64).wrapping_mul(-2) as u64,
        ]);
        for x in xs {
            check_divisibility(c, x);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_divisibility(c in 2u64..(1 << 63), k in -4i64..4, x in any::<i64>()) {
        // Multiples of `c` (and their neighbours) as well as any value.
        let near = (c as i64).wrapping_mul(x % 1000).wrapping_add(k) as u64;
        check_divisibility(c, x as u64);
        check_divisibility(c, near);
    }
}
