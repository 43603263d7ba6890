//! How IR values live in PTX: register classes, register and symbol names, literals.
//!
//! Every SSA value gets one virtual register named after it, so the PTX reads next to the IR:
//! `v12` of type `f64` is `%fd12`. Classes by IR type:
//!
//! | IR type | class | register | `.param` / memory |
//! |---|---|---|---|
//! | `bool` | `.pred` | `%pN` | `.b32` 0/1 as a parameter, one byte 0/1 in memory |
//! | `i8`, `i16`, `i32` | `.b32` | `%rN` | `.b32` parameter; 1, 2, 4 bytes in memory |
//! | `i64`, `ptr` | `.b64` | `%rdN` | `.b64` |
//! | `f32` | `.f32` | `%fN` | `.f32` |
//! | `f64` | `.f64` | `%fdN` | `.f64` |
//!
//! `i8` and `i16` values are kept *canonical* in their 32-bit registers: sign-extended from
//! their width. Every operation that can leave other high bits re-normalises with
//! `bfe.s32 d, d, 0, W`; operations that need zero-extended operands (`udiv`, `urem`, `ushr`,
//! `uext`, `utof`) mask a temporary copy. Unsigned comparisons and `umin`/`umax` work on the
//! canonical form directly, because sign extension preserves unsigned order.
//!
//! Temporaries (valid only within the lowering of one IR instruction, or one parallel copy) use
//! the class prefix plus `t`: `%rdt0`.

use ir::Ty;
use std::fmt::Write;

/// A PTX register class.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Class {
    Pred,
    B32,
    B64,
    F32,
    F64,
}

impl Class {
    pub const ALL: [Class; 5] = [Class::Pred, Class::B32, Class::B64, Class::F32, Class::F64];

    pub fn of(ty: Ty) -> Class {
        match ty {
            Ty::Bool => Class::Pred,
            Ty::I8 | Ty::I16 | Ty::I32 => Class::B32,
            Ty::I64 | Ty::Ptr => Class::B64,
            Ty::F32 => Class::F32,
            Ty::F64 => Class::F64,
            // Never emitted: `compile_ptx` rejects vector values before registers exist.
            Ty::F64X2
            | Ty::F32X4
            | Ty::I64X2
            | Ty::I32X4
            | Ty::I16X8
            | Ty::I8X16
            | Ty::M64X2
            | Ty::M32X4
            | Ty::M16X8
            | Ty::M8X16 => Class::B64,
        }
    }
    /// Prefix of the registers holding SSA values.
    pub fn prefix(self) -> &'static str {
        match self {
            Class::Pred => "%p",
            Class::B32 => "%r",
            Class::B64 => "%rd",
            Class::F32 => "%f",
            Class::F64 => "%fd",
        }
    }
    /// Prefix of temporaries.
    pub fn temp_prefix(self) -> &'static str {
        match self {
            Class::Pred => "%pt",
            Class::B32 => "%rt",
            Class::B64 => "%rdt",
            Class::F32 => "%ft",
            Class::F64 => "%fdt",
        }
    }
    /// The `.reg` type of the class.
    pub fn reg_type(self) -> &'static str {
        match self {
            Class::Pred => ".pred",
            Class::B32 => ".b32",
            Class::B64 => ".b64",
            Class::F32 => ".f32",
            Class::F64 => ".f64",
        }
    }
    /// The type suffix of `mov`/`selp`/`ld.param`/`st.param` for the class (preds move with
    /// `.pred` and cross parameters as `.b32`).
    pub fn move_suffix(self) -> &'static str {
        match self {
            Class::Pred => "pred",
            Class::B32 => "b32",
            Class::B64 => "b64",
            Class::F32 => "f32",
            Class::F64 => "f64",
        }
    }
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The `.param` type of a value of IR type `ty` (function parameters and results).
pub(crate) fn param_type(ty: Ty) -> &'static str {
    match Class::of(ty) {
        Class::Pred | Class::B32 => ".b32",
        Class::B64 => ".b64",
        Class::F32 => ".f32",
        Class::F64 => ".f64",
    }
}

/// The `ld.param`/`st.param` suffix of a value of IR type `ty`.
pub(crate) fn param_suffix(ty: Ty) -> &'static str {
    &param_type(ty)[1..]
}

/// Size in bytes of a value of type `ty` in memory (`bool` is one byte 0/1, as in NumPy).
pub fn memory_size(ty: Ty) -> u32 {
    match ty {
        Ty::Bool | Ty::I8 => 1,
        Ty::I16 => 2,
        Ty::I32 | Ty::F32 => 4,
        Ty::I64 | Ty::F64 | Ty::Ptr => 8,
        Ty::F64X2
        | Ty::F32X4
        | Ty::I64X2
        | Ty::I32X4
        | Ty::I16X8
        | Ty::I8X16
        | Ty::M64X2
        | Ty::M32X4
        | Ty::M16X8
        | Ty::M8X16 => 16,
    }
}

/// The `ld`/`st` type suffix for `ty` in memory. Narrow loads sign-extend into the 32-bit
/// register, giving the canonical form; `bool` is loaded as `u8` and compared with zero.
pub(crate) fn memory_suffix(ty: Ty, load: bool) -> &'static str {
    match ty {
        Ty::Bool => "u8",
        Ty::I8 if load => "s8",
        Ty::I8 => "u8",
        Ty::I16 if load => "s16",
        Ty::I16 => "u16",
        Ty::I32 => "b32",
        Ty::I64 | Ty::Ptr => "b64",
        Ty::F32 => "f32",
        Ty::F64 => "f64",
        // Never emitted (see `Class::of`).
        Ty::F64X2
        | Ty::F32X4
        | Ty::I64X2
        | Ty::I32X4
        | Ty::I16X8
        | Ty::I8X16
        | Ty::M64X2
        | Ty::M32X4
        | Ty::M16X8
        | Ty::M8X16 => "b64",
    }
}

/// Width in bits of a narrow integer kept canonical in a 32-bit register; `None` otherwise.
pub(crate) fn narrow_bits(ty: Ty) -> Option<u32> {
    match ty {
        Ty::I8 => Some(8),
        Ty::I16 => Some(16),
        _ => None,
    }
}

/// The canonical 32-bit register content of integer constant `imm` of type `ty`.
pub(crate) fn int_literal(imm: i64, ty: Ty) -> String {
    match ty {
        Ty::I8 => (imm as i8).to_string(),
        Ty::I16 => (imm as i16).to_string(),
        Ty::I32 => (imm as i32).to_string(),
        _ if i32::try_from(imm).is_ok() => imm.to_string(),
        _ => format!("0x{:016X}", imm as u64),
    }
}

/// A float immediate, written by its bits so it is exact: `0d3FF0000000000000`, `0f3F800000`.
pub(crate) fn float_literal(value: f64, ty: Ty) -> String {
    match ty {
        Ty::F32 => format!("0f{:08X}", (value as f32).to_bits()),
        _ => format!("0d{:016X}", value.to_bits()),
    }
}

/// A PTX identifier for an IR function name: `fj_` then the name with every character other
/// than `[A-Za-z0-9_]` written as `$xx` (its UTF-8 bytes in hex). Injective, since `$` only
/// ever starts an escape.
pub(crate) fn function_symbol(name: &str) -> String {
    let mut out = String::from("fj_");
    for &byte in name.as_bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'_' {
            out.push(byte as char);
        } else {
            let _ = write!(out, "${byte:02x}");
        }
    }
    out
}

/// True if `name` is a plain PTX identifier we accept for an `.entry` (`[A-Za-z_][A-Za-z0-9_]*`).
pub(crate) fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_exact() {
        assert_eq!(float_literal(1.0, Ty::F64), "0d3FF0000000000000");
        assert_eq!(float_literal(-0.0, Ty::F64), "0d8000000000000000");
        assert_eq!(float_literal(1.0, Ty::F32), "0f3F800000");
        assert_eq!(float_literal(f64::INFINITY, Ty::F32), "0f7F800000");
        assert_eq!(int_literal(255, Ty::I8), "-1");
        assert_eq!(int_literal(-32768, Ty::I16), "-32768");
        assert_eq!(int_literal(1 << 40, Ty::I64), "0x0000010000000000");
        assert_eq!(int_literal(-5, Ty::I64), "-5");
        assert_eq!(int_literal(i64::MIN, Ty::I64), "0x8000000000000000");
    }

    #[test]
    fn function_symbols_are_identifiers_and_injective() {
        assert_eq!(function_symbol("mandel__0"), "fj_mandel__0");
        assert_eq!(function_symbol("a b.c"), "fj_a$20b$2ec");
        assert_ne!(function_symbol("a.b"), function_symbol("a$2eb"));
        assert_eq!(function_symbol("é"), "fj_$c3$a9");
    }
}
