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
    pub _pad: u32,
    pub args: [i64; ERROR_ARGS],
    pub arena: *mut crate::alloc::Arena,
}

impl Default for ErrorSlot {
    fn default() -> Self {
        ErrorSlot {
            code: 0,
            _pad: 0,
            args: [0; ERROR_ARGS],
            arena: std::ptr::null_mut(),
        }
    }
}

impl ErrorSlot {
    /// Copies the error (code and arguments) of `other`, not its arena.
    pub fn set_error_from(&mut self, other: &ErrorSlot) {
        self.code = other.code;
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
    /// Raised by the prologue of a recursive function when the native stack is nearly used up.
    RecursionError,
    KeyError,
}

impl ExceptionKind {
    pub const ALL: [ExceptionKind; 11] = [
        ExceptionKind::ZeroDivisionError,
        ExceptionKind::IndexError,
        ExceptionKind::ValueError,
        ExceptionKind::AssertionError,
        ExceptionKind::RuntimeError,
        ExceptionKind::TypeError,
        ExceptionKind::ArithmeticError,
        ExceptionKind::OverflowError,
        ExceptionKind::MemoryError,
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
    /// The message with the slot's arguments substituted.
    pub fn format(&self, args: &[i64; ERROR_ARGS]) -> String {
        let mut out = String::new();
        let mut parts = self.message.split("{}");
        let mut next_arg = args.iter();
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        for part in parts {
            match next_arg.next() {
                Some(a) => out.push_str(&a.to_string()),
                None => out.push_str("{}"),
            }
            out.push_str(part);
        }
        out
    }
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
}
