//! Which value converts to which parameter type, and how mildly: the one table of conversions.
//!
//! Every place that decides whether an argument fits a parameter derives from [`conversion`]:
//! typing (`rules::can_convert`: assignment to a unified variable, returning under a declared
//! signature, calls of jitted functions with explicit signatures), the dispatcher's choice among
//! explicit signatures (pybridge's `overload`), the extension modules of `ferrojit build` (their
//! C table is generated from [`scalar_conversion`]) and the Rust embedding API (which passes
//! Rust values without numeric conversion but takes arrays by the rule below).
//!
//! The ranks are Numba's: an exact match, then a widening ("promotion": `f4` → `f8`, `i4` →
//! `i8`), then a safe conversion (`int` → `float`, `float` → `complex`, `bool` → anything, a
//! C/F array to an any-layout parameter), then an unsafe one (`float` → `int`, narrowing).
//! Complex never converts to real; arrays keep their dtype and rank; a read-only array never
//! converts to a writeable parameter (compiled code may write into it), a writeable one converts
//! to a read-only parameter.

use crate::types::{Layout, Scalar, Type};

/// How far a value is from a parameter type; lower is better.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Conversion {
    Exact,
    Promote,
    Safe,
    Unsafe,
}

impl Conversion {
    /// The rank as a small integer (0 exact .. 3 unsafe), as generated C tables hold it.
    pub fn rank(self) -> i8 {
        self as i8
    }
}

/// The conversion of a value of type `from` to a parameter of type `to`, if allowed.
pub fn conversion(from: &Type, to: &Type) -> Option<Conversion> {
    if from == to {
        return Some(Conversion::Exact);
    }
    match (from, to) {
        (Type::Scalar(f), Type::Scalar(t)) => scalar_conversion(*f, *t),
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
        // An optional parameter (`Optional(float64[:])`) takes None, or what its type takes.
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

/// The conversion of a number of type `from` to a parameter of type `to`, if allowed.
pub fn scalar_conversion(from: Scalar, to: Scalar) -> Option<Conversion> {
    use Conversion::*;
    let (fsize, tsize) = (from.size_bytes(), to.size_bytes());
    if from == to {
        return Some(Exact);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole scalar table, pinned: row `from`, column `to` in `Scalar::ALL` order
    /// (b1 i1 i2 i4 i8 u1 u2 u4 u8 f4 f8 c8 c16); `=` exact, `P` promotion, `S` safe,
    /// `U` unsafe, `.` not allowed. Every encoder of arguments derives from this table.
    const TABLE: [&str; 13] = [
        "=SSSSSSSSSSSS", // bool
        "U=PPPUUUUSSSS", // int8
        "UU=PPUUUUSSSS", // int16
        "UUU=PUUUUSSSS", // int32
        "UUUU=UUUUSSSS", // int64
        "UUSSS=PPPSSSS", // uint8
        "UUUSSU=PPSSSS", // uint16
        "UUUUSUU=PSSSS", // uint32
        "UUUUUUUU=SSSS", // uint64
        "UUUUUUUUU=PSS", // float32
        "UUUUUUUUUU=US", // float64
        "...........=P", // complex64
        "...........U=", // complex128
    ];

    fn symbol(c: Option<Conversion>) -> char {
        match c {
            Some(Conversion::Exact) => '=',
            Some(Conversion::Promote) => 'P',
            Some(Conversion::Safe) => 'S',
            Some(Conversion::Unsafe) => 'U',
            None => '.',
        }
    }

    #[test]
    fn the_scalar_table_is_pinned() {
        let got: Vec<String> = Scalar::ALL
            .iter()
            .map(|&from| {
                Scalar::ALL
                    .iter()
                    .map(|&to| symbol(scalar_conversion(from, to)))
                    .collect()
            })
            .collect();
        assert_eq!(got, TABLE);
    }

    #[test]
    fn arrays_tuples_and_read_only_arrays() {
        let a = |layout, readonly| Type::Array {
            dtype: Scalar::F64,
            ndim: 1,
            layout,
            readonly,
        };
        assert_eq!(
            conversion(&a(Layout::C, false), &a(Layout::A, false)),
            Some(Conversion::Safe)
        );
        assert_eq!(conversion(&a(Layout::A, false), &a(Layout::C, false)), None);
        assert_eq!(conversion(&a(Layout::C, true), &a(Layout::C, false)), None);
        assert_eq!(
            conversion(&a(Layout::C, false), &a(Layout::C, true)),
            Some(Conversion::Safe)
        );
        let pair = |x: Scalar, y: Scalar| Type::Tuple(vec![Type::Scalar(x), Type::Scalar(y)]);
        assert_eq!(
            conversion(
                &pair(Scalar::I64, Scalar::F32),
                &pair(Scalar::F64, Scalar::F64)
            ),
            Some(Conversion::Safe)
        );
        assert_eq!(
            conversion(
                &pair(Scalar::C128, Scalar::F64),
                &pair(Scalar::F64, Scalar::F64)
            ),
            None
        );
    }
}
