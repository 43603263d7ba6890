//! Floor division and modulo by integer constants against Python's definition, over the whole
//! range of `i64` and `i32` (MIN, MAX and random values), for positive, negative,
//! power-of-two and extreme divisors: the branch-free unsigned form lowering writes
//! (`ir/src/lower/operators.rs`), the sign facts that drop its sign mask where the dividend is
//! known non-negative (`ir/src/passes/sign_facts.rs`), and the backend's multiplication by the
//! reciprocal, end to end through compiled code.

use ferrojit::Jit;
use ferrojit::embed::Function;
use proptest::prelude::*;
use std::sync::OnceLock;

const DIVISORS: [i64; 24] = [
    1,
    -1,
    2,
    -2,
    3,
    -3,
    7,
    -7,
    8,
    -8,
    10,
    -10,
    641,
    1_000_000_007,
    -1_000_000_007,
    (1 << 32) + 1,
    (1 << 62) + 1,
    -(1 << 62) - 1,
    1 << 62,
    -(1 << 62),
    i64::MAX,
    i64::MIN + 1,
    i64::MIN,
    6_700_417,
];

const EDGES: [i64; 12] = [
    0,
    1,
    -1,
    2,
    -2,
    9,
    -9,
    i64::MAX,
    i64::MAX - 1,
    i64::MIN,
    i64::MIN + 1,
    1 << 62,
];

/// Python's `a // c, a % c` in `width` bits (only `MIN // -1` leaves the range: it wraps).
fn python_divmod(a: i64, c: i64, width: u32) -> (i64, i64) {
    let (a, c) = (i128::from(a), i128::from(c));
    let q = a.div_euclid(c) - i128::from(a.rem_euclid(c) != 0 && c < 0);
    let r = a - q * c;
    let wrap = |v: i128| ((v as i64) << (64 - width)) >> (64 - width);
    (wrap(q), wrap(r))
}

type Kernel = Function<(i64,), (i64, i64)>;

struct Kernels {
    /// `a // c, a % c` for each divisor.
    plain: Vec<(i64, Kernel)>,
    /// The same behind `if a > 0:` (the dividend known positive).
    positive: Vec<(i64, Kernel)>,
    /// In `int32` arithmetic, for the divisors that fit.
    narrow: Vec<(i64, Kernel)>,
}

/// The divisor as Python source (`-9223372036854775808` would be the negation of a literal
/// too large for `int64`).
fn literal(c: i64) -> String {
    if c == i64::MIN {
        "(-9223372036854775807 - 1)".to_string()
    } else {
        format!("({c})")
    }
}

fn kernels() -> &'static Kernels {
    static KERNELS: OnceLock<Kernels> = OnceLock::new();
    KERNELS.get_or_init(|| {
        let jit = Jit::new();
        let compile = |source: String| -> Kernel {
            jit.compile_inferred(&source)
                .unwrap_or_else(|e| panic!("{source}: {e}"))
        };
        let plain = DIVISORS
            .iter()
            .map(|&c| {
                let d = literal(c);
                (c, compile(format!("def f(a):\n    return a // {d}, a % {d}\n")))
            })
            .collect();
        let positive = DIVISORS
            .iter()
            .map(|&c| {
                let d = literal(c);
                let source = format!(
                    "def f(a):\n    q = 0\n    r = 0\n    while a > 0:\n        q = a // {d}\n        r = a % {d}\n        a = 0\n    return q, r\n"
                );
                (c, compile(source))
            })
            .collect();
        let narrow = DIVISORS
            .iter()
            .filter(|&&c| i32::try_from(c).is_ok())
            .map(|&c| {
                let source = format!(
                    "import numpy as np\ndef f(a):\n    x = np.int32(a)\n    d = np.int32({c})\n    return np.int64(x // d), np.int64(x % d)\n"
                );
                (c, compile(source))
            })
            .collect();
        Kernels {
            plain,
            positive,
            narrow,
        }
    })
}

fn check_all(a: i64) {
    let k = kernels();
    for (c, f) in &k.plain {
        let got = f.call((a,)).unwrap();
        assert_eq!(got, python_divmod(a, *c, 64), "{a} divmod {c}");
    }
    for (c, f) in &k.positive {
        let got = f.call((a,)).unwrap();
        let want = if a > 0 {
            python_divmod(a, *c, 64)
        } else {
            (0, 0)
        };
        assert_eq!(got, want, "{a} divmod {c} behind `while a > 0`");
    }
    let narrow = a as i32 as i64;
    for (c, f) in &k.narrow {
        let got = f.call((a,)).unwrap();
        assert_eq!(
            got,
            python_divmod(narrow, *c, 32),
            "int32 {narrow} divmod {c}"
        );
    }
}

#[test]
fn edge_dividends() {
    for a in EDGES {
        check_all(a);
        check_all((a as i32) as i64);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_dividend(a in any::<i64>()) {
        check_all(a);
    }

    #[test]
    fn small_dividends(a in -100_000i64..100_000) {
        check_all(a);
    }
}
