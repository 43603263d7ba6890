//! String methods for compiled code (`s.split()`, `s.strip()`, `s.find(t)`, `int(s)`, ...), as
//! CPython computes them on code points.
//!
//! Two entry points share one table of operations ([`StrOp`]): [`ferrojit_str_method_int`]
//! for the methods giving a number or a bool, [`ferrojit_str_method_ptr`] for those giving a
//! string or a list of strings (made in the call's arena). Each takes the receiver, two
//! optional string operands (0 when absent: `strip()` strips whitespace), an integer operand
//! (`zfill(n)`, `chr(n)`) and where the parsing operations write their failure flag.

use crate::error::ErrorSlot;
use crate::list::List;
use crate::text::{CHAR_SIZE, code_points};

/// The operations, by the code compiled code passes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum StrOp {
    StartsWith = 0,
    EndsWith = 1,
    Find = 2,
    Rfind = 3,
    Count = 4,
    IsDigit = 5,
    IsAlpha = 6,
    IsSpace = 7,
    IsAlnum = 8,
    IsUpper = 9,
    IsLower = 10,
    /// `ord(c)`: the code point of a one-character string (-1 otherwise: a `TypeError`).
    Ord = 11,
    /// `int(s)`: failure flag through the integer operand.
    ParseInt = 12,
    /// `float(s)`: the float's bits; failure flag through the integer operand.
    ParseFloat = 13,
    Strip = 20,
    Lstrip = 21,
    Rstrip = 22,
    Lower = 23,
    Upper = 24,
    Replace = 25,
    Zfill = 26,
    Split = 27,
    Join = 28,
    /// `chr(n)`.
    Chr = 29,
    Capitalize = 30,
    Title = 31,
}

impl StrOp {
    /// The operation for `code`.
    pub fn from_code(code: i64) -> Option<StrOp> {
        use StrOp::*;
        [
            StartsWith, EndsWith, Find, Rfind, Count, IsDigit, IsAlpha, IsSpace, IsAlnum, IsUpper,
            IsLower, Ord, ParseInt, ParseFloat, Strip, Lstrip, Rstrip, Lower, Upper, Replace,
            Zfill, Split, Join, Chr, Capitalize, Title,
        ]
        .into_iter()
        .find(|op| *op as i64 == code)
    }
}

fn chars(points: &[u32]) -> impl Iterator<Item = char> + '_ {
    points
        .iter()
        .map(|&c| char::from_u32(c).unwrap_or('\u{FFFD}'))
}

fn text(points: &[u32]) -> String {
    chars(points).collect()
}

/// The code points of the string at `s`, or `None` for 0 (an absent operand).
///
/// # Safety
/// `s` is 0 or a live string.
unsafe fn operand<'a>(s: i64) -> Option<&'a [u32]> {
    (s != 0).then(|| unsafe { code_points(s) })
}

fn find(hay: &[u32], needle: &[u32], from_end: bool) -> i64 {
    if needle.is_empty() {
        return if from_end { hay.len() as i64 } else { 0 };
    }
    if needle.len() > hay.len() {
        return -1;
    }
    let mut starts = 0..=hay.len() - needle.len();
    let found = match from_end {
        false => starts.find(|&i| hay[i..i + needle.len()] == *needle),
        true => starts.rfind(|&i| hay[i..i + needle.len()] == *needle),
    };
    found.map_or(-1, |i| i as i64)
}

fn count(hay: &[u32], needle: &[u32]) -> i64 {
    if needle.is_empty() {
        return hay.len() as i64 + 1;
    }
    let (mut n, mut i) = (0, 0);
    while i + needle.len() <= hay.len() {
        if hay[i..i + needle.len()] == *needle {
            n += 1;
            i += needle.len();
        } else {
            i += 1;
        }
    }
    n
}

/// Python's `str.isX()`: true if non-empty and every character passes.
fn all_chars(points: &[u32], test: impl Fn(char) -> bool) -> i64 {
    i64::from(!points.is_empty() && chars(points).all(test))
}

/// Cased characters exist and all are of one case (`isupper`, `islower`).
fn cased(points: &[u32], upper: bool) -> i64 {
    let mut any = false;
    for c in chars(points) {
        if c.is_lowercase() || c.is_uppercase() {
            any = true;
            if c.is_uppercase() != upper {
                return 0;
            }
        }
    }
    i64::from(any)
}

/// `int(s)`: Python's grammar (surrounding whitespace, a sign, digits with single
/// underscores between them); `None` if invalid or out of the int64 range.
fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut value: i64 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let d = i64::from(c.to_digit(10)?);
        value = value.checked_mul(10)?;
        value = match negative {
            true => value.checked_sub(d)?,
            false => value.checked_add(d)?,
        };
    }
    Some(value)
}

/// `float(s)`: Python's grammar, also `inf`/`nan`/`infinity` in any case.
fn parse_float(s: &str) -> Option<f64> {
    let s = s.trim();
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s).to_ascii_lowercase();
    if matches!(unsigned.as_str(), "inf" | "infinity" | "nan") {
        let value = if unsigned == "nan" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Some(if s.starts_with('-') { -value } else { value });
    }
    if s.is_empty() || s.contains("__") || s.starts_with('_') || s.ends_with('_') {
        return None;
    }
    let cleaned: String = s.chars().filter(|&c| c != '_').collect();
    if cleaned
        .chars()
        .any(|c| c.is_alphabetic() && !matches!(c, 'e' | 'E'))
    {
        return None;
    }
    cleaned.parse().ok()
}

/// A numeric or boolean string method (see [`StrOp`]); for the parsing operations `failed`
/// is where the failure flag goes.
///
/// # Safety
/// `s` is a live string; `a`, `b` are 0 or live strings; for `ParseInt`/`ParseFloat`,
/// `failed` points to a writable `i64`.
pub unsafe extern "C" fn ferrojit_str_method_int(
    _err: *mut ErrorSlot,
    op: i64,
    s: i64,
    a: i64,
    b: i64,
    n: i64,
    failed: i64,
) -> i64 {
    let _ = (b, n);
    let points = unsafe { code_points(s) };
    let arg = unsafe { operand(a) }.unwrap_or(&[]);
    let failed_at = failed;
    let fail = |failed: bool| {
        // SAFETY: per the contract, `n` is the failure flag's address for the parsers.
        unsafe { *(failed_at as *mut i64) = i64::from(failed) };
    };
    match StrOp::from_code(op) {
        Some(StrOp::StartsWith) => i64::from(points.starts_with(arg)),
        Some(StrOp::EndsWith) => i64::from(points.ends_with(arg)),
        Some(StrOp::Find) => find(points, arg, false),
        Some(StrOp::Rfind) => find(points, arg, true),
        Some(StrOp::Count) => count(points, arg),
        Some(StrOp::IsDigit) => all_chars(points, |c| c.is_ascii_digit() || c.is_numeric()),
        Some(StrOp::IsAlpha) => all_chars(points, char::is_alphabetic),
        Some(StrOp::IsSpace) => all_chars(points, char::is_whitespace),
        Some(StrOp::IsAlnum) => all_chars(points, char::is_alphanumeric),
        Some(StrOp::IsUpper) => cased(points, true),
        Some(StrOp::IsLower) => cased(points, false),
        Some(StrOp::Ord) => match points {
            [c] => i64::from(*c),
            _ => -1,
        },
        Some(StrOp::ParseInt) => {
            let parsed = parse_int(&text(points));
            fail(parsed.is_none());
            parsed.unwrap_or(0)
        }
        Some(StrOp::ParseFloat) => {
            let parsed = parse_float(&text(points));
            fail(parsed.is_none());
            parsed.unwrap_or(0.0).to_bits() as i64
        }
        _ => 0,
    }
}

/// A string method giving a string or a list of strings, made in the call's arena (see
/// [`StrOp`]); 0 if memory is exhausted.
///
/// # Safety
/// `err` is the call's error slot; `s` is a live string (or, for `Chr`, unused); `a`, `b` are 0
/// or live strings, and for `Join` `a` is a live list of strings.
pub unsafe extern "C" fn ferrojit_str_method_ptr(
    err: *mut ErrorSlot,
    op: i64,
    s: i64,
    a: i64,
    b: i64,
    n: i64,
    _failed: i64,
) -> i64 {
    let points: &[u32] = match StrOp::from_code(op) {
        Some(StrOp::Chr) => &[],
        _ => unsafe { code_points(s) },
    };
    let make = |out: &[u32]| -> i64 {
        let bytes: Vec<u8> = out.iter().flat_map(|c| c.to_ne_bytes()).collect();
        let mut list = List::new();
        if list.set_bytes(CHAR_SIZE, &bytes).is_none() {
            return 0;
        }
        // SAFETY: per the contract.
        unsafe { (*err).arena_mut().push_list(list) as i64 }
    };
    let from_text = |t: &str| -> i64 {
        let out: Vec<u32> = t.chars().map(u32::from).collect();
        make(&out)
    };
    let strip_set = unsafe { operand(a) };
    let stripped = |c: &u32| match strip_set {
        Some(set) => set.contains(c),
        None => char::from_u32(*c).is_some_and(char::is_whitespace),
    };
    match StrOp::from_code(op) {
        Some(StrOp::Strip) => {
            let start = points
                .iter()
                .position(|c| !stripped(c))
                .unwrap_or(points.len());
            let end = points
                .iter()
                .rposition(|c| !stripped(c))
                .map_or(start, |i| i + 1);
            make(&points[start..end.max(start)])
        }
        Some(StrOp::Lstrip) => {
            let start = points
                .iter()
                .position(|c| !stripped(c))
                .unwrap_or(points.len());
            make(&points[start..])
        }
        Some(StrOp::Rstrip) => {
            let end = points
                .iter()
                .rposition(|c| !stripped(c))
                .map_or(0, |i| i + 1);
            make(&points[..end])
        }
        Some(StrOp::Lower) => from_text(&text(points).to_lowercase()),
        Some(StrOp::Upper) => from_text(&text(points).to_uppercase()),
        Some(StrOp::Capitalize) => {
            let t = text(points);
            let mut cs = t.chars();
            let out: String = match cs.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(cs.as_str().to_lowercase().chars())
                    .collect(),
                None => String::new(),
            };
            from_text(&out)
        }
        Some(StrOp::Title) => {
            let mut out = String::new();
            let mut previous_cased = false;
            for c in chars(points) {
                match previous_cased {
                    true => out.extend(c.to_lowercase()),
                    false => out.extend(c.to_uppercase()),
                }
                previous_cased = c.is_lowercase() || c.is_uppercase();
            }
            from_text(&out)
        }
        Some(StrOp::Replace) => {
            let old = unsafe { operand(a) }.unwrap_or(&[]);
            let new = unsafe { operand(b) }.unwrap_or(&[]);
            let t = text(points).replace(&text(old), &text(new));
            from_text(&t)
        }
        Some(StrOp::Zfill) => {
            let width = usize::try_from(n).unwrap_or(0);
            if points.len() >= width {
                return make(points);
            }
            let pad = width - points.len();
            let sign = matches!(points.first(), Some(&c) if c == '+' as u32 || c == '-' as u32);
            let mut out = Vec::with_capacity(width);
            if sign {
                out.push(points[0]);
            }
            out.extend(std::iter::repeat_n('0' as u32, pad));
            out.extend_from_slice(&points[usize::from(sign)..]);
            make(&out)
        }
        Some(StrOp::Chr) => match u32::try_from(n).ok().and_then(char::from_u32) {
            Some(c) => make(&[u32::from(c)]),
            None => make(&[]),
        },
        Some(StrOp::Split) => {
            let t = text(points);
            let pieces: Vec<i64> = match unsafe { operand(a) } {
                None => t.split_whitespace().map(from_text).collect(),
                Some(sep) => t.split(text(sep).as_str()).map(from_text).collect(),
            };
            if pieces.contains(&0) {
                return 0;
            }
            let bytes: Vec<u8> = pieces.iter().flat_map(|p| p.to_ne_bytes()).collect();
            let mut list = List::new();
            if list.set_bytes(8, &bytes).is_none() {
                return 0;
            }
            // SAFETY: per the contract.
            unsafe { (*err).arena_mut().push_list(list) as i64 }
        }
        Some(StrOp::Join) => {
            // SAFETY: per the contract, `a` is a list of string pointers.
            let items = unsafe { &*(a as *const List) };
            let pointers: Vec<i64> = items
                .bytes_of(8)
                .chunks_exact(8)
                .map(|w| i64::from_ne_bytes(w.try_into().unwrap_or([0; 8])))
                .collect();
            let mut out: Vec<u32> = Vec::new();
            for (i, &p) in pointers.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(points);
                }
                out.extend_from_slice(unsafe { code_points(p) });
            }
            make(&out)
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_follows_python() {
        assert_eq!(parse_int(" -1_000 "), Some(-1000));
        assert_eq!(parse_int("1__0"), None);
        assert_eq!(parse_int("9223372036854775808"), None);
        assert_eq!(parse_float(" 2.5e3 "), Some(2500.0));
        assert_eq!(parse_float("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_float("abc"), None);
    }

    #[test]
    fn searching_and_counting() {
        let p = |s: &str| s.chars().map(u32::from).collect::<Vec<_>>();
        assert_eq!(find(&p("abcabc"), &p("c"), true), 5);
        assert_eq!(find(&p("abc"), &p(""), false), 0);
        assert_eq!(count(&p("aaaa"), &p("aa")), 2);
        assert_eq!(count(&p("ab"), &p("")), 3);
    }
}
