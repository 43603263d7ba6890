//! Choosing among explicit signatures (`@jit(['f8(f8)', 'i8(i8)'])`) for the argument types of a
//! call, the way Numba's dispatcher does once compilation is closed: an exact match first, then
//! the signature whose conversions are mildest, ranked by typeinfer's one table of conversions
//! (`typeinfer::conversion`: exact, promotion, safe, unsafe). Ties go to the signature given
//! first.

use ferrojit::Type;
// The ranks and the rules are typeinfer's one table of conversions.
pub use typeinfer::conversion::{Conversion, conversion};

/// The index of the best candidate for `args` (see the module doc), if any accepts them.
pub fn best_match<'a>(
    candidates: impl IntoIterator<Item = &'a [Type]>,
    args: &[Type],
) -> Option<usize> {
    let mut best: Option<(Conversion, usize)> = None;
    for (index, params) in candidates.into_iter().enumerate() {
        if params.len() != args.len() {
            continue;
        }
        let worst = args
            .iter()
            .zip(params)
            .try_fold(Conversion::Exact, |worst, (a, p)| {
                conversion(a, p).map(|c| worst.max(c))
            });
        if let Some(worst) = worst
            && best.is_none_or(|(b, _)| worst < b)
        {
            best = Some((worst, index));
        }
    }
    best.map(|(_, index)| index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Vec<Type> {
        ferrojit::parse_signature(text)
            .expect("test signature parses")
            .args
    }

    /// `(candidates, call argument types, expected choice)`.
    const CASES: &[(&[&str], &str, Option<usize>)] = &[
        (&["(f8,)", "(i8,)"], "(i8,)", Some(1)),
        (&["(f8,)"], "(i8,)", Some(0)),
        (&["(f4,)", "(f8,)"], "(i8,)", Some(0)),
        (&["(i8,)", "(f4,)"], "(f8,)", Some(0)),
        (&["(i4,)", "(f8,)"], "(f4,)", Some(1)),
        (&["(f8,)"], "(c16,)", None),
        (&["(c16,)"], "(f8,)", Some(0)),
        (&["(f8[:],)"], "(f8[::1],)", Some(0)),
        (&["(f8[::1],)"], "(f8[:],)", None),
        (&["(f4[:],)"], "(f8[:],)", None),
        (&["(f8, f8)"], "(f8,)", None),
        (&["(UniTuple(f8, 2),)"], "(UniTuple(i8, 2),)", Some(0)),
        (&["(b1,)", "(i8,)"], "(b1,)", Some(0)),
    ];

    #[test]
    fn picks_the_mildest_conversion() {
        for (candidates, call, expected) in CASES {
            let params: Vec<Vec<Type>> = candidates.iter().map(|c| t(c)).collect();
            let got = best_match(params.iter().map(Vec::as_slice), &t(call));
            assert_eq!(got, *expected, "candidates {candidates:?}, call {call}");
        }
    }
}
