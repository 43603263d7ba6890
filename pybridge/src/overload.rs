//! Choosing among explicit signatures (`@jit(['f8(f8)', 'i8(i8)'])`) for the argument types of a
//! call, the way Numba's dispatcher does once compilation is closed: an exact match first, then
//! the signature whose conversions are mildest — a widening ("promotion", `f4` → `f8`), then a
//! safe conversion (`int` → `float`, `float` → `complex`, C array → any-layout array), then an
//! unsafe one (`float` → `int`, narrowing). Complex never converts to real, arrays keep their
//! dtype and rank, and a read-only array matches no writeable array parameter. Ties go to the signature given first.

use ferrojit::{Layout, Scalar, Type};

/// How far an argument is from a parameter type; lower is better.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Conversion {
    Exact,
    Promote,
    Safe,
    Unsafe,
}

/// The conversion from an argument of type `from` to a parameter of type `to`, if allowed.
pub fn conversion(from: &Type, to: &Type) -> Option<Conversion> {
    if from == to {
        return Some(Conversion::Exact);
    }
    match (from, to) {
        (Type::Scalar(f), Type::Scalar(t)) => scalar_conversion(*f, *t),
        // A read-only array never converts to a writeable parameter (the compiled code may
        // write into it), as in Numba; a writeable one converts to a read-only parameter.
        (
            Type::Array {
                dtype: d1,
                ndim: n1,
                layout: l1,
                readonly: r1,
            },
            Type::Array {
                dtype: d2,
                ndim: n2,
                layout: l2,
                readonly: r2,
            },
        ) if d1 == d2 && n1 == n2 && (l1 == l2 || *l2 == Layout::A) && (*r2 || !*r1) => {
            Some(Conversion::Safe)
        }
        // An optional parameter takes None, or what its type takes.
        (Type::NoneType, Type::Optional(_)) => Some(Conversion::Safe),
        (f, Type::Optional(inner)) => conversion(f, inner).map(|c| c.max(Conversion::Safe)),
        (Type::Tuple(xs), Type::Tuple(ys)) if xs.len() == ys.len() => xs
            .iter()
            .zip(ys)
            .map(|(x, y)| conversion(x, y))
            .try_fold(Conversion::Exact, |worst, c| c.map(|c| worst.max(c))),
        _ => None,
    }
}

fn scalar_conversion(from: Scalar, to: Scalar) -> Option<Conversion> {
    use Conversion::*;
    let (fsize, tsize) = (from.size_bytes(), to.size_bytes());
    if from.is_complex() && !to.is_complex() {
        return None;
    }
    Some(match (from, to) {
        (Scalar::Bool, _) => Safe,
        (_, Scalar::Bool) => Unsafe,
        (f, t) if f.is_signed_int() && t.is_signed_int() && tsize > fsize => Promote,
        (f, t) if f.is_unsigned_int() && t.is_unsigned_int() && tsize > fsize => Promote,
        (f, t) if f.is_unsigned_int() && t.is_signed_int() && tsize > fsize => Safe,
        (f, t) if f.is_int() && (t.is_float() || t.is_complex()) => Safe,
        (Scalar::F32, Scalar::F64) | (Scalar::C64, Scalar::C128) => Promote,
        (f, t) if f.is_float() && t.is_complex() && t.real_part().size_bytes() >= fsize => Safe,
        _ => Unsafe,
    })
}

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
