//! Strings in compiled code: a `str` is a [`List`] of Unicode code points (`u32` items), so
//! `len`, indexing and slicing are the list's, done inline by compiled code; these helpers
//! make, compare, search, join and format strings.
//!
//! String literals are interned: [`ferrojit_str_intern`] returns the same immortal string for
//! the same text for the life of the process (a literal in a loop allocates nothing). Strings
//! made at run time (`str(x)`, `a + b`, f-strings) belong to the call's arena; one-character
//! strings (`s[i]`, iterating a string) are interned too.

use crate::error::ErrorSlot;
use crate::list::List;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Bytes per code point.
pub const CHAR_SIZE: usize = 4;

/// A string's header made from `text`; `None` if memory is exhausted.
pub fn new_str(text: &str) -> Option<List> {
    let points: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_ne_bytes())
        .collect();
    let mut list = List::new();
    list.set_bytes(CHAR_SIZE, &points)?;
    Some(list)
}

/// The code points of the string at `s`.
///
/// # Safety
/// `s` is a live string header.
pub unsafe fn code_points<'a>(s: i64) -> &'a [u32] {
    let list = unsafe { &*(s as *const List) };
    if list.data.is_null() {
        return &[];
    }
    // SAFETY: `len` code points, 4-byte aligned (lists are 16-byte aligned).
    unsafe { std::slice::from_raw_parts(list.data as *const u32, list.len as usize) }
}

/// The string at `s` as Rust text (invalid code points become U+FFFD).
///
/// # Safety
/// `s` is a live string header.
pub unsafe fn to_string(s: i64) -> String {
    unsafe { code_points(s) }
        .iter()
        .map(|&c| char::from_u32(c).unwrap_or('\u{FFFD}'))
        .collect()
}

fn interned() -> &'static Mutex<HashMap<String, usize>> {
    static TABLE: OnceLock<Mutex<HashMap<String, usize>>> = OnceLock::new();
    TABLE.get_or_init(Default::default)
}

/// The interned one-character strings of the code points below 256, made once: indexing or
/// iterating a string and its one-character literals (`for ch in s: if ch == "a"`) then take
/// neither the table's lock nor an allocation per character.
fn latin1() -> &'static [i64; 256] {
    static TABLE: OnceLock<[i64; 256]> = OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|c| intern_in_table(&char::from(c as u8).to_string())))
}

/// The immortal interned string for `text`.
pub fn intern(text: &str) -> i64 {
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && (c as u32) < 256
    {
        return latin1()[c as usize];
    }
    intern_in_table(text)
}

fn intern_in_table(text: &str) -> i64 {
    let mut table = interned().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&at) = table.get(text) {
        return at as i64;
    }
    let list = new_str(text).unwrap_or_default();
    let at = Box::into_raw(Box::new(list)) as usize;
    table.insert(text.to_string(), at);
    at as i64
}

/// A string holding `text` in the call's arena (objmode outputs); 0 if memory is exhausted.
///
/// # Safety
/// `err` is the call's error slot.
pub unsafe fn str_in_arena(err: *mut ErrorSlot, text: &str) -> i64 {
    in_arena(err, text)
}

fn in_arena(err: *mut ErrorSlot, text: &str) -> i64 {
    match new_str(text) {
        // SAFETY: `err` is the call's error slot (every caller's contract).
        Some(list) => unsafe { (*err).arena_mut().push_list(list) as i64 },
        None => 0,
    }
}

/// A string literal: `nbytes` of UTF-8 at `bytes`, interned.
///
/// # Safety
/// `bytes` points to `nbytes` readable bytes of UTF-8.
pub unsafe extern "C" fn ferrojit_str_intern(_err: *mut ErrorSlot, bytes: i64, nbytes: i64) -> i64 {
    // SAFETY: per the contract.
    let raw = unsafe { std::slice::from_raw_parts(bytes as *const u8, nbytes.max(0) as usize) };
    intern(&String::from_utf8_lossy(raw))
}

/// `a == b` (1 or 0).
///
/// # Safety
/// Both are live strings.
pub unsafe extern "C" fn ferrojit_str_eq(_err: *mut ErrorSlot, a: i64, b: i64) -> i64 {
    i64::from(a == b || unsafe { code_points(a) == code_points(b) })
}

/// `a < b` → -1, `a == b` → 0, `a > b` → 1, by code points as Python compares.
///
/// # Safety
/// Both are live strings.
pub unsafe extern "C" fn ferrojit_str_cmp(_err: *mut ErrorSlot, a: i64, b: i64) -> i64 {
    match unsafe { code_points(a).cmp(code_points(b)) } {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// `needle in hay` (1 or 0).
///
/// # Safety
/// Both are live strings.
pub unsafe extern "C" fn ferrojit_str_contains(_err: *mut ErrorSlot, hay: i64, needle: i64) -> i64 {
    let (hay, needle) = unsafe { (code_points(hay), code_points(needle)) };
    i64::from(needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle))
}

/// `a + b` in the call's arena (0 if memory is exhausted).
///
/// # Safety
/// `err` is the call's error slot; both are live strings.
pub unsafe extern "C" fn ferrojit_str_concat(err: *mut ErrorSlot, a: i64, b: i64) -> i64 {
    let mut out = List::new();
    let (a, b) = unsafe { (code_points(a), code_points(b)) };
    let bytes: Vec<u8> = a.iter().chain(b).flat_map(|c| c.to_ne_bytes()).collect();
    if out.set_bytes(CHAR_SIZE, &bytes).is_none() {
        return 0;
    }
    // SAFETY: per the contract.
    unsafe { (*err).arena_mut().push_list(out) as i64 }
}

/// `str(v)` of an integer (`unsigned != 0`: `v` is a `u64`'s bits).
///
/// # Safety
/// `err` is the call's error slot.
pub unsafe extern "C" fn ferrojit_str_from_int(err: *mut ErrorSlot, v: i64, unsigned: i64) -> i64 {
    let text = if unsigned != 0 {
        (v as u64).to_string()
    } else {
        v.to_string()
    };
    in_arena(err, &text)
}

/// `str(v)` of a float (`is_f32 != 0`: NumPy's `str` of a `float32`).
///
/// # Safety
/// `err` is the call's error slot.
pub unsafe extern "C" fn ferrojit_str_from_float(err: *mut ErrorSlot, v: f64, is_f32: i64) -> i64 {
    let text = if is_f32 != 0 {
        crate::print::format_f32(v as f32, true)
    } else {
        crate::print::format_f64(v, true)
    };
    in_arena(err, &text)
}

/// `s[i]` for an index already checked to be in range: a one-character string (interned).
///
/// # Safety
/// `s` is a live string with more than `i` code points.
pub unsafe extern "C" fn ferrojit_str_char(_err: *mut ErrorSlot, s: i64, i: i64) -> i64 {
    let Some(&c) = unsafe { code_points(s) }.get(i as usize) else {
        return intern("");
    };
    if c < 256 {
        return latin1()[c as usize];
    }
    intern(&char::from_u32(c).unwrap_or('\u{FFFD}').to_string())
}

/// Python's `hash(s)` is salted per process; this is a fixed FNV-1a of the code points, for
/// dictionaries keyed by strings.
///
/// # Safety
/// `s` is a live string.
pub unsafe extern "C" fn ferrojit_str_hash(_err: *mut ErrorSlot, s: i64) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in unsafe { code_points(s) } {
        h ^= u64::from(c);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

/// `print` of a string.
///
/// # Safety
/// `s` is a live string.
pub unsafe extern "C" fn ferrojit_print_str(_err: *mut ErrorSlot, s: i64) -> i64 {
    crate::print::append(unsafe { to_string(s) }.as_bytes());
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_comparing_and_joining() {
        let mut slot = ErrorSlot::default();
        let a = intern("héllo");
        assert_eq!(a, intern("héllo"));
        let b = unsafe { ferrojit_str_from_int(&mut slot, -42, 0) };
        unsafe {
            assert_eq!(to_string(b), "-42");
            assert_eq!(code_points(a).len(), 5);
            assert_eq!(ferrojit_str_eq(&mut slot, a, intern("héllo")), 1);
            assert_eq!(ferrojit_str_cmp(&mut slot, intern("a"), intern("b")), -1);
            assert_eq!(ferrojit_str_contains(&mut slot, a, intern("ll")), 1);
            assert_eq!(ferrojit_str_contains(&mut slot, a, intern("x")), 0);
            let c = ferrojit_str_concat(&mut slot, a, b);
            assert_eq!(to_string(c), "héllo-42");
            assert_eq!(to_string(ferrojit_str_char(&mut slot, a, 1)), "é");
            let f = ferrojit_str_from_float(&mut slot, 1e16, 0);
            assert_eq!(to_string(f), "1e+16");
        }
    }
}
