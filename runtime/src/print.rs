//! `print(...)` from compiled code: each argument is formatted exactly as CPython's `str`
//! (NumPy's for `float32`/`complex64`) into a per-thread line buffer, and `print_end` writes the
//! finished line to the process's stdout in one write and flushes it.
//!
//! Buffering a whole line keeps lines from different threads (`prange`) whole. The output goes
//! to file descriptor 1 directly, not through Python's `sys.stdout` object (the GIL may be
//! released while compiled code runs), so text Python has buffered but not yet flushed can
//! appear after it.

use std::cell::RefCell;
use std::io::Write;

thread_local! {
    static LINE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

pub(crate) fn append(text: &[u8]) {
    LINE.with(|line| line.borrow_mut().extend_from_slice(text));
}

/// The shortest round-tripping decimal digits of `x` (finite, any sign ignored) and the
/// exponent of the first digit: `x = d.ddd × 10^exp`.
fn shortest_digits(scientific: String) -> (String, i32) {
    let (mantissa, exp) = scientific
        .split_once('e')
        .expect("`{:e}` output has an exponent");
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits, exp.parse().expect("`{:e}` exponent is an integer"))
}

/// Formats digits `d.ddd × 10^exp` in positional notation (`add_dot_0`: `1` becomes `1.0`).
fn positional(digits: &str, exp: i32, add_dot_0: bool) -> String {
    let point = exp + 1;
    let mut out = String::new();
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(digits);
    } else if point as usize >= digits.len() {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
        if add_dot_0 {
            out.push_str(".0");
        }
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    out
}

/// Formats digits in Python's exponent notation: `1e+16`, `1.5e-07`.
fn exponential(digits: &str, exp: i32) -> String {
    let mut out = digits[..1].to_string();
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let sign = if exp < 0 { '-' } else { '+' };
    out.push_str(&format!("e{sign}{:02}", exp.abs()));
    out
}

/// Python's `repr(float)` (`add_dot_0`), or the form used inside `repr(complex)` (without).
pub fn format_f64(x: f64, add_dot_0: bool) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    let (digits, exp) = shortest_digits(format!("{:e}", x.abs()));
    let body = if (-4..16).contains(&exp) {
        positional(&digits, exp, add_dot_0)
    } else {
        exponential(&digits, exp)
    };
    format!("{sign}{body}")
}

/// NumPy's `str(np.float32(x))`: shortest float32 digits, positional for `1e-4 <= |x| < 1e6`.
pub fn format_f32(x: f32, add_dot_0: bool) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    let (digits, exp) = shortest_digits(format!("{:e}", x.abs()));
    let a = f64::from(x.abs());
    let body = if a == 0.0 || (1e-4..1e6).contains(&a) {
        positional(&digits, exp, add_dot_0)
    } else {
        exponential(&digits, exp)
    };
    format!("{sign}{body}")
}

/// Python's `repr(complex)` given the parts' formatter: `(1+2j)`, `2j`, `(-0-1j)`.
fn format_complex(re: String, re_is_plus_zero: bool, im: String) -> String {
    if re_is_plus_zero {
        return format!("{im}j");
    }
    let im = if im.starts_with('-') {
        im
    } else {
        format!("+{im}")
    };
    format!("({re}{im}j)")
}

pub extern "C" fn print_i64(v: i64) -> i64 {
    append(v.to_string().as_bytes());
    0
}
pub extern "C" fn print_u64(v: i64) -> i64 {
    append((v as u64).to_string().as_bytes());
    0
}
pub extern "C" fn print_bool(v: i64) -> i64 {
    append(if v != 0 { b"True" } else { b"False" });
    0
}
pub extern "C" fn print_f64(v: f64) -> i64 {
    append(format_f64(v, true).as_bytes());
    0
}
pub extern "C" fn print_f32(v: f32) -> i64 {
    append(format_f32(v, true).as_bytes());
    0
}
pub extern "C" fn print_c128(re: f64, im: f64) -> i64 {
    let plus_zero = re == 0.0 && re.is_sign_positive();
    let text = format_complex(format_f64(re, false), plus_zero, format_f64(im, false));
    append(text.as_bytes());
    0
}
pub extern "C" fn print_c64(re: f32, im: f32) -> i64 {
    let plus_zero = re == 0.0 && re.is_sign_positive();
    let text = format_complex(format_f32(re, false), plus_zero, format_f32(im, false));
    append(text.as_bytes());
    0
}
/// Appends the low `len` (≤ 8) bytes of `packed`, little-endian first: string literals are
/// passed to the runtime eight bytes at a time, as integer constants.
pub extern "C" fn print_bytes(packed: i64, len: i64) -> i64 {
    let bytes = packed.to_le_bytes();
    append(&bytes[..len.clamp(0, 8) as usize]);
    0
}
/// Ends the line and writes it to stdout.
pub extern "C" fn print_end() -> i64 {
    LINE.with(|line| {
        let mut line = line.borrow_mut();
        line.push(b'\n');
        let mut out = std::io::stdout().lock();
        // A closed or full stdout loses the line, as C's printf would; nothing to report it to.
        let _ = out.write_all(&line);
        let _ = out.flush();
        line.clear();
    });
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_format_like_python_repr() {
        let cases = [
            (1.0, "1.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (1e-5, "1e-05"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (1.5e-7, "1.5e-07"),
            (123.456, "123.456"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ];
        for (x, want) in cases {
            assert_eq!(format_f64(x, true), want);
        }
    }

    #[test]
    fn float32_formats_like_numpy_str() {
        assert_eq!(format_f32(1.0, true), "1.0");
        assert_eq!(format_f32(0.1, true), "0.1");
        assert_eq!(format_f32(123456789.0, true), "1.2345679e+08");
        assert_eq!(format_f32(999999.0, true), "999999.0");
        assert_eq!(format_f32(1e6, true), "1e+06");
        assert_eq!(format_f32(1e-4, true), "1e-04");
    }

    #[test]
    fn complex_formats_like_python_repr() {
        let c = |re: f64, im: f64| {
            let plus_zero = re == 0.0 && re.is_sign_positive();
            format_complex(format_f64(re, false), plus_zero, format_f64(im, false))
        };
        assert_eq!(c(1.0, 2.0), "(1+2j)");
        assert_eq!(c(0.0, 2.0), "2j");
        assert_eq!(c(-0.0, 1.0), "(-0+1j)");
        assert_eq!(c(0.0, -1.0), "-1j");
        assert_eq!(c(1e16, 1.0), "(1e+16+1j)");
        assert_eq!(c(f64::NAN, f64::INFINITY), "(nan+infj)");
        assert_eq!(c(1.5, -0.0), "(1.5-0j)");
    }
}
