//! The error channel: how compiled code raises an exception.
//!
//! Every compiled function receives a pointer to an [`ErrorSlot`]. To raise, compiled code
//! stores a nonzero `code` (1 + index into the compiled module's error table, which holds the
//! exception class, message template and source position) and up to [`ERROR_ARGS`] integer
//! arguments substituted into the message's `{}` placeholders, then returns. Callers check the
//! slot after every call of a compiled function and propagate.

/// Number of integer arguments a raise may carry.
pub const ERROR_ARGS: usize = 3;

/// Byte offset of `code`.
pub const CODE_OFFSET: i32 = 0;

/// Byte offset of `args[i]`.
pub const fn arg_offset(i: usize) -> i32 {
    8 + 8 * i as i32
}

/// Byte offset of `tag` (the raised exception's class, see [`error_tag`]).
pub const TAG_OFFSET: i32 = 4;

/// Byte offset of `arena`.
pub const ARENA_OFFSET: i32 = 8 + 8 * ERROR_ARGS as i32;

/// The per-call context every compiled function receives: the error channel, and the
/// [`crate::alloc::Arena`] that owns the arrays the call creates (null until the first
/// allocation; freed when the slot is dropped unless taken with `take_arena`).
#[repr(C)]
#[derive(Debug)]
pub struct ErrorSlot {
    /// 0: no error; otherwise 1 + index into the module's error table.
    pub code: u32,
    /// The raised exception's class ([`error_tag`]): how a caller's `except` clause decides
    /// at run time whether it catches an error a jitted callee raised.
    pub tag: u32,
    pub args: [i64; ERROR_ARGS],
    pub arena: *mut crate::alloc::Arena,
}

impl Default for ErrorSlot {
    fn default() -> Self {
        ErrorSlot {
            code: 0,
            tag: 0,
            args: [0; ERROR_ARGS],
            arena: std::ptr::null_mut(),
        }
    }
}

impl ErrorSlot {
    /// Copies the error (code and arguments) of `other`, not its arena.
    pub fn set_error_from(&mut self, other: &ErrorSlot) {
        self.code = other.code;
        self.tag = other.tag;
        self.args = other.args;
    }
}

impl Drop for ErrorSlot {
    fn drop(&mut self) {
        drop(self.take_arena());
    }
}

/// Built-in Python exception classes compiled code can raise.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExceptionKind {
    ZeroDivisionError,
    IndexError,
    ValueError,
    AssertionError,
    RuntimeError,
    TypeError,
    ArithmeticError,
    OverflowError,
    MemoryError,
    /// `numpy.linalg.LinAlgError` (a singular matrix).
    LinAlgError,
    /// Raised by the prologue of a recursive function when the native stack is nearly used up.
    RecursionError,
    KeyError,
}

impl ExceptionKind {
    pub const ALL: [ExceptionKind; 12] = [
        ExceptionKind::ZeroDivisionError,
        ExceptionKind::IndexError,
        ExceptionKind::ValueError,
        ExceptionKind::AssertionError,
        ExceptionKind::RuntimeError,
        ExceptionKind::TypeError,
        ExceptionKind::ArithmeticError,
        ExceptionKind::OverflowError,
        ExceptionKind::MemoryError,
        ExceptionKind::LinAlgError,
        ExceptionKind::RecursionError,
        ExceptionKind::KeyError,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ExceptionKind::ZeroDivisionError => "ZeroDivisionError",
            ExceptionKind::IndexError => "IndexError",
            ExceptionKind::ValueError => "ValueError",
            ExceptionKind::AssertionError => "AssertionError",
            ExceptionKind::RuntimeError => "RuntimeError",
            ExceptionKind::TypeError => "TypeError",
            ExceptionKind::ArithmeticError => "ArithmeticError",
            ExceptionKind::OverflowError => "OverflowError",
            ExceptionKind::MemoryError => "MemoryError",
            ExceptionKind::LinAlgError => "LinAlgError",
            ExceptionKind::RecursionError => "RecursionError",
            ExceptionKind::KeyError => "KeyError",
        }
    }
    pub fn from_name(name: &str) -> Option<ExceptionKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One entry of a compiled module's error table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    pub kind: ExceptionKind,
    /// Message; each `{}` is replaced by the next integer argument.
    pub message: String,
    /// Function name and 1-based line/column in the function's source, for the traceback note.
    pub function: String,
    pub line: u32,
    pub col: u32,
}

impl ErrorInfo {
    /// The message with the slot's arguments substituted: `{}` an integer, `{b}` a bool,
    /// `{f}` a float given by its bits (printed as Python's `str()` does), `{.Nf}` a float with
    /// N decimals. An unknown or unfilled placeholder stays as written.
    pub fn format(&self, args: &[i64; ERROR_ARGS]) -> String {
        let mut out = String::new();
        let mut rest = self.message.as_str();
        let mut next_arg = args.iter();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open..];
            let Some(close) = after.find('}') else {
                out.push_str(after);
                return out;
            };
            let placeholder = &after[..=close];
            match (format_arg(placeholder), next_arg.clone().next()) {
                (Some(format), Some(&arg)) => {
                    next_arg.next();
                    out.push_str(&format(arg));
                }
                _ => out.push_str(placeholder),
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// How placeholder `text` (braces included) prints its argument, if it is one.
fn format_arg(text: &str) -> Option<Box<dyn Fn(i64) -> String>> {
    match text {
        "{}" => Some(Box::new(|a| a.to_string())),
        "{b}" => Some(Box::new(|a| {
            if a != 0 { "True" } else { "False" }.to_string()
        })),
        "{f}" => Some(Box::new(|a| python_float_str(f64::from_bits(a as u64)))),
        _ => {
            let digits: usize = text.strip_prefix("{.")?.strip_suffix("f}")?.parse().ok()?;
            Some(Box::new(move |a| {
                let x = f64::from_bits(a as u64);
                match x.is_finite() {
                    true => format!("{x:.digits$}"),
                    false => python_float_str(x),
                }
            }))
        }
    }
}

/// `str(x)` of a Python float: the shortest round-tripping digits, `1e+16` style exponents
/// from 1e16 up and below 1e-4, `inf`/`nan`.
pub fn python_float_str(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    let magnitude = x.abs();
    if magnitude == 0.0 || (1e-4..1e16).contains(&magnitude) {
        let text = format!("{x}");
        return match text.contains('.') {
            true => text,
            false => format!("{text}.0"),
        };
    }
    let text = format!("{x:e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exponent),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// Prefix of the message of an exception of a user-defined class: `\u{1}module:qualname\u{1}`.
/// The error's kind is the built-in class it derives from; the Python bridge raises the class
/// itself.
pub const USER_CLASS_MARK: char = '\u{1}';

/// The mark naming user class `path` (`module:qualname`) at the front of a message.
pub fn user_class_mark(path: &str) -> String {
    format!("{USER_CLASS_MARK}{path}{USER_CLASS_MARK}")
}

/// Splits a formatted message into the user-defined class it names, if any (`module`,
/// `qualname`), and the message proper.
pub fn split_user_class(message: &str) -> (Option<(&str, &str)>, &str) {
    let Some(rest) = message.strip_prefix(USER_CLASS_MARK) else {
        return (None, message);
    };
    let Some((path, text)) = rest.split_once(USER_CLASS_MARK) else {
        return (None, message);
    };
    (path.split_once(':'), text)
}

/// The class tag of a raise of `kind` with `message` (which names a user-defined class if it
/// has one): `kind`'s position in [`ExceptionKind::ALL`] plus one in the low 8 bits, and
/// [`user_class_hash`] of the user class (0 for none) above them.
pub fn error_tag(kind: ExceptionKind, message: &str) -> u32 {
    if message == crate::objmode::RAISED_IN_BLOCK {
        return 0;
    }
    let kind_bits = ExceptionKind::ALL
        .iter()
        .position(|&k| k == kind)
        .map_or(0, |i| i as u32 + 1);
    let user = split_user_class(message).0.map_or(0, |(module, qualname)| {
        user_class_hash(&format!("{module}:{qualname}"))
    });
    kind_bits | (user << 8)
}

/// The kind bits of [`error_tag`] for `kind`.
pub fn kind_tag(kind: ExceptionKind) -> u32 {
    error_tag(kind, "")
}

/// A nonzero 24-bit hash (FNV-1a) of a user class's `module:qualname`.
pub fn user_class_hash(path: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in path.bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    (hash & 0x00ff_ffff).max(1)
}

/// Words of the buffer [`ferrojit_take_error`] fills: code and tag, then the arguments.
pub const SAVED_ERROR_WORDS: usize = 1 + ERROR_ARGS;

/// `0` when no error is pending, else `1 << 32 | tag`: what an `except` clause around a call
/// of a jitted function examines.
///
/// # Safety
/// `err` is the call's error slot.
pub unsafe extern "C" fn ferrojit_error_tag(err: *mut ErrorSlot) -> i64 {
    // SAFETY: per the contract.
    let slot = unsafe { &*err };
    match slot.code {
        0 => 0,
        _ => (1 << 32) | i64::from(slot.tag),
    }
}

/// Moves the pending error into `saved` ([`SAVED_ERROR_WORDS`] words) and clears it: the
/// error is caught, and the handler's own calls see a clean slot.
///
/// # Safety
/// `err` is the call's error slot; `saved` has room for [`SAVED_ERROR_WORDS`] `i64`s.
pub unsafe extern "C" fn ferrojit_take_error(err: *mut ErrorSlot, saved: i64) -> i64 {
    // SAFETY: per the contract.
    let (slot, saved) = unsafe {
        (
            &mut *err,
            std::slice::from_raw_parts_mut(saved as *mut i64, SAVED_ERROR_WORDS),
        )
    };
    saved[0] = i64::from(slot.code) | (i64::from(slot.tag) << 32);
    saved[1..].copy_from_slice(&slot.args);
    slot.code = 0;
    slot.tag = 0;
    0
}

/// Puts an error saved by [`ferrojit_take_error`] back (a bare `raise` in the handler).
///
/// # Safety
/// `err` is the call's error slot; `saved` was filled by [`ferrojit_take_error`].
pub unsafe extern "C" fn ferrojit_restore_error(err: *mut ErrorSlot, saved: i64) -> i64 {
    // SAFETY: per the contract.
    let (slot, saved) = unsafe {
        (
            &mut *err,
            std::slice::from_raw_parts(saved as *const i64, SAVED_ERROR_WORDS),
        )
    };
    slot.code = saved[0] as u32;
    slot.tag = (saved[0] >> 32) as u32;
    slot.args.copy_from_slice(&saved[1..]);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_arguments_are_substituted() {
        let info = ErrorInfo {
            kind: ExceptionKind::IndexError,
            message: "index {} is out of bounds for axis {} with size {}".into(),
            function: "f".into(),
            line: 3,
            col: 5,
        };
        assert_eq!(
            info.format(&[7, 0, 5]),
            "index 7 is out of bounds for axis 0 with size 5"
        );
    }

    #[test]
    fn floats_and_bools_print_as_python_does() {
        let info = ErrorInfo {
            kind: ExceptionKind::ValueError,
            message: "{f} {f} {.2f}|{b}".into(),
            function: "f".into(),
            line: 1,
            col: 1,
        };
        let bits = |x: f64| x.to_bits() as i64;
        assert_eq!(
            info.format(&[bits(1.0), bits(0.1), bits(2.345)]),
            "1.0 0.1 2.35|{b}"
        );
        for (x, text) in [
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (-2.5e300, "-2.5e+300"),
            (123456.75, "123456.75"),
            (0.0001, "0.0001"),
            (-0.0, "-0.0"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(python_float_str(x), text);
        }
    }

    #[test]
    fn user_classes_travel_in_front_of_the_message() {
        let message = user_class_mark("pkg.mod:Outer.Error") + "bad 3";
        assert_eq!(
            split_user_class(&message),
            (Some(("pkg.mod", "Outer.Error")), "bad 3")
        );
        assert_eq!(split_user_class("plain"), (None, "plain"));
    }
}
