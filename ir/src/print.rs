//! The IR text printer. [`crate::parse`] reads back exactly what this writes, so passes can be
//! tested with small golden files (`tests/ir/*.ir`) and the IR can be dumped between passes.
//!
//! ```text
//! function @example(ptr, f64, i64) -> i64 {
//!     error0 = ZeroDivisionError "division by zero" @3:5
//! block0(v0: ptr, v1: f64, v2: i64):
//!     v3 = iconst.i64 0
//!     v4 = fconst.f64 2.0
//!     v5 = icmp.slt v3, v2 @4:8
//!     brif v5, block1(v3), block2
//! block1(v6: i64):
//!     v7 = load.f64.readonly v0+16
//!     store v0-8, v7
//!     v8 = call_rt.sin v7
//!     v9, v10 = call @other(v6, v8) -> i64, f64
//!     v11 = sext.i64 v5
//!     jump block1(v9)
//! block2:
//!     raise error0(v2)
//! }
//! ```
//!
//! Rules:
//! - Values, blocks and errors print as their arena numbers (`v3`, `block2`, `error0`); the
//!   parser keeps those numbers. Instructions have no names.
//! - A function is `function @name(params) [-> returns] {`, then its error table (one
//!   `errorN = Kind "message" @line:col` per entry, in order), then its blocks in layout order:
//!   a header `blockN(vA: ty, ...):` (no parentheses without parameters) and one instruction per
//!   line, indented by four spaces. Functions of a module are separated by a blank line.
//!   A `ptr` parameter known to point to an array descriptor of rank N is written `ptr arrayNd`
//!   ([`Function::param_ranks`]).
//!   Names that are not plain identifiers (`[A-Za-z_][A-Za-z0-9_.]*`) are quoted: `@"a b"`.
//! - An instruction is `[results =] opcode[.suffix...] operands [@line:col]`; the source
//!   position is printed when the instruction has one (line or column nonzero).
//! - Result types: constants (`iconst.i32`, `fconst.f64`), loads (`load.f64`) and every
//!   conversion (`sext.i64`, `fpromote.f64`, `bitcast.f64`, …) name their result type;
//!   `splat.f64x2` names its vector, `swiden_low.i16x8`/`pack.i8x16` (and the other widenings)
//!   name their result vector, `extractlane.N` (lane N) defines the operand's lane type; comparisons produce `bool` (a mask, `m64x2`/`m32x4`/`m16x8`/`m8x16`, when
//!   they compare vectors), `bconst` and `tobool` `bool`; `call_rt.NAME` produces its runtime
//!   function's result type; `call @f(...) -> tys` lists its result types; `select` has the type
//!   of its second operand and every other op the type of its first operand.
//! - Operands are comma-separated values then branch targets `blockN(args)`. `load`/`store`
//!   write a nonzero offset after the address: `v0+16`, `v0-8`. `raise` writes
//!   `errorN(args)`, `call` writes `@name(args)`.
//! - `iconst` immediates print as signed decimal. `fconst` immediates print so that they parse
//!   back bit-identically: Rust's shortest round-trip decimal (`1.0`, `-0.0`, `1e300`), `inf`,
//!   `-inf`, `nan` for the canonical quiet NaN and `nan:0x<16 hex digits>` (the raw bits) for
//!   any other NaN.
//! - Message strings use `\"`, `\\`, `\n`, `\r`, `\t` and `\u{XX}` for other control characters.
//! - `;` starts a comment running to the end of the line (the printer writes none).
//!
//! The printer never panics, even on functions that fail the verifier (out-of-range entities
//! print with an `?` type), so verifier messages can show the offending instruction.

use crate::function::*;
use std::fmt::{self, Write};

/// How the parser recovers an instruction's result types (and whether the printer writes the
/// type after the opcode). Shared by printer and parser so they cannot disagree.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum ResultRule {
    /// No results (stores and terminators).
    NoResult,
    /// The type is written after the opcode: `iconst.i64`, `load.f64`, `sext.i64`.
    Explicit,
    /// Always `bool`.
    Bool,
    /// The type of the operand at this index.
    SameAsArg(usize),
    /// What comparing two values of the first operand's type defines (`bool`, or a mask for
    /// vectors: [`Ty::compare_result`]).
    CompareOfArg,
    /// The lane type of the first operand (`extractlane`).
    LaneOfArg,
    /// The runtime function's result type.
    Runtime,
    /// Listed after `->`.
    CallSignature,
}

pub(crate) fn result_rule(op: &Op) -> ResultRule {
    use Op::*;
    match op {
        Iconst(_) | Fconst(_) | Load { .. } | StackSlot(_) | ParallelFor(_) => ResultRule::Explicit,
        Sext
        | Uext
        | Ireduce
        | Fpromote
        | Fdemote
        | SToF
        | UToF
        | FToS
        | FToU
        | Bitcast
        | Splat
        | Widen { .. }
        | Pack
        | PackSat => ResultRule::Explicit,
        Bconst(_) | ToBool => ResultRule::Bool,
        Icmp(_) | Fcmp(_) => ResultRule::CompareOfArg,
        ExtractLane(_) => ResultRule::LaneOfArg,
        Select => ResultRule::SameAsArg(1),
        CallRuntime(_) => ResultRule::Runtime,
        Call(_) | CallCatch(_) => ResultRule::CallSignature,
        Store { .. } | Jump | Brif | Return | Raise(_) => ResultRule::NoResult,
        Iadd | Isub | Imul | Sdiv | Udiv | Srem | Urem | Umulhi | Ineg | Band | Bor | Bxor
        | Bnot | Popcnt | Ishl | Sshr | Ushr | Rotr | Smin | Smax | Umin | Umax | UaddSat
        | UsubSat | Fadd | Fsub | Fmul | Fdiv | Fneg | Fabs | Sqrt | Floor | Ceil | Trunc
        | Nearest | Fmin | Fmax | Copysign | Fma | Not | And | Or => ResultRule::SameAsArg(0),
    }
}

/// The mnemonic of an op (without `.suffix`es). Exhaustive, so a new op must be named here.
pub(crate) fn opcode_name(op: &Op) -> &'static str {
    use Op::*;
    match op {
        Iconst(_) => "iconst",
        StackSlot(_) => "stack_slot",
        ParallelFor(_) => "parallel_for",
        Fconst(_) => "fconst",
        Bconst(_) => "bconst",
        Iadd => "iadd",
        Isub => "isub",
        Imul => "imul",
        Sdiv => "sdiv",
        Udiv => "udiv",
        Srem => "srem",
        Urem => "urem",
        Umulhi => "umulhi",
        Ineg => "ineg",
        Band => "band",
        Bor => "bor",
        Bxor => "bxor",
        Bnot => "bnot",
        Popcnt => "popcnt",
        Ishl => "ishl",
        Sshr => "sshr",
        Ushr => "ushr",
        Rotr => "rotr",
        Smin => "smin",
        Smax => "smax",
        Umin => "umin",
        Umax => "umax",
        UaddSat => "uadd_sat",
        UsubSat => "usub_sat",
        Icmp(_) => "icmp",
        Fadd => "fadd",
        Fsub => "fsub",
        Fmul => "fmul",
        Fdiv => "fdiv",
        Fneg => "fneg",
        Fabs => "fabs",
        Sqrt => "sqrt",
        Floor => "floor",
        Ceil => "ceil",
        Trunc => "trunc",
        Nearest => "nearest",
        Fmin => "fmin",
        Fmax => "fmax",
        Copysign => "copysign",
        Fma => "fma",
        Fcmp(_) => "fcmp",
        Not => "not",
        And => "and",
        Or => "or",
        Sext => "sext",
        Uext => "uext",
        Ireduce => "ireduce",
        ToBool => "tobool",
        Fpromote => "fpromote",
        Fdemote => "fdemote",
        SToF => "stof",
        UToF => "utof",
        FToS => "ftos",
        FToU => "ftou",
        Bitcast => "bitcast",
        Select => "select",
        Splat => "splat",
        ExtractLane(_) => "extractlane",
        Widen {
            signed: true,
            high: false,
        } => "swiden_low",
        Widen {
            signed: true,
            high: true,
        } => "swiden_high",
        Widen {
            signed: false,
            high: false,
        } => "uwiden_low",
        Widen {
            signed: false,
            high: true,
        } => "uwiden_high",
        Pack => "pack",
        PackSat => "pack_sat",
        Load { .. } => "load",
        Store { .. } => "store",
        CallRuntime(_) => "call_rt",
        Call(_) => "call",
        CallCatch(_) => "call_catch",
        Jump => "jump",
        Brif => "brif",
        Return => "return",
        Raise(_) => "raise",
    }
}

/// Ops without immediates, looked up by name by the parser.
#[rustfmt::skip]
pub(crate) const SIMPLE_OPS: &[Op] = {
    use Op::*;
    &[
        Iadd, Isub, Imul, Sdiv, Udiv, Srem, Urem, Umulhi, Ineg, Band, Bor, Bxor, Bnot, Popcnt,
        Ishl, Sshr, Ushr, Rotr, Smin, Smax, Umin, Umax, UaddSat, UsubSat, Fadd, Fsub, Fmul, Fdiv,
        Fneg, Fabs, Sqrt, Floor, Ceil, Trunc, Nearest, Fmin, Fmax, Copysign, Fma, Not, And, Or,
        Sext, Uext, Ireduce, ToBool, Fpromote, Fdemote, SToF, UToF, FToS, FToU, Bitcast, Select,
        Splat, Jump, Brif, Return, Pack, PackSat,
        Widen { signed: true, high: false }, Widen { signed: true, high: true },
        Widen { signed: false, high: false }, Widen { signed: false, high: true },
    ]
};

pub(crate) fn intcc_name(cc: IntCC) -> &'static str {
    match cc {
        IntCC::Eq => "eq",
        IntCC::Ne => "ne",
        IntCC::Slt => "slt",
        IntCC::Sle => "sle",
        IntCC::Sgt => "sgt",
        IntCC::Sge => "sge",
        IntCC::Ult => "ult",
        IntCC::Ule => "ule",
        IntCC::Ugt => "ugt",
        IntCC::Uge => "uge",
    }
}

pub(crate) const ALL_INTCC: [IntCC; 10] = [
    IntCC::Eq,
    IntCC::Ne,
    IntCC::Slt,
    IntCC::Sle,
    IntCC::Sgt,
    IntCC::Sge,
    IntCC::Ult,
    IntCC::Ule,
    IntCC::Ugt,
    IntCC::Uge,
];

pub(crate) fn floatcc_name(cc: FloatCC) -> &'static str {
    match cc {
        FloatCC::Eq => "eq",
        FloatCC::Ne => "ne",
        FloatCC::Lt => "lt",
        FloatCC::Le => "le",
        FloatCC::Gt => "gt",
        FloatCC::Ge => "ge",
    }
}

pub(crate) const ALL_FLOATCC: [FloatCC; 6] = [
    FloatCC::Eq,
    FloatCC::Ne,
    FloatCC::Lt,
    FloatCC::Le,
    FloatCC::Gt,
    FloatCC::Ge,
];

/// The text of a function.
pub fn print_function(func: &Function) -> String {
    let mut out = String::new();
    write_function(&mut out, func).expect("writing to a String cannot fail");
    out
}

/// The text of a module: its functions separated by blank lines.
pub fn print_module(module: &Module) -> String {
    let mut out = String::new();
    write_module(&mut out, module).expect("writing to a String cannot fail");
    out
}

/// One instruction as it appears in the function's text (without indentation or newline).
pub fn print_inst(func: &Function, inst: Inst) -> String {
    let mut out = String::new();
    write_inst(&mut out, func, inst).expect("writing to a String cannot fail");
    out
}

pub fn write_module(w: &mut dyn Write, module: &Module) -> fmt::Result {
    for (i, func) in module.functions.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        write_function(w, func)?;
    }
    Ok(())
}

pub fn write_function(w: &mut dyn Write, func: &Function) -> fmt::Result {
    write!(w, "function @{}(", quote_name(&func.name))?;
    for (i, ty) in func.params.iter().enumerate() {
        let sep = if i > 0 { ", " } else { "" };
        write!(w, "{sep}{ty}")?;
        if let Some(rank) = func.param_rank(i) {
            write!(w, " array{rank}d")?;
        }
    }
    write!(w, ")")?;
    if !func.returns.is_empty() {
        write!(w, " -> ")?;
        write_types(w, &func.returns)?;
    }
    writeln!(w, " {{")?;
    for (i, site) in func.errors.iter().enumerate() {
        write!(w, "    error{i} = {} ", site.kind.name())?;
        write_string(w, &site.message)?;
        write!(w, " @{}:{}", site.line, site.col)?;
        if !site.function.is_empty() {
            write!(w, " in ")?;
            write_string(w, &site.function)?;
        }
        writeln!(w)?;
    }
    for &block in &func.layout {
        write_block_header(w, func, block)?;
        let Some(data) = func.blocks.get(block.0 as usize) else {
            continue;
        };
        for &inst in &data.insts {
            write!(w, "    ")?;
            write_inst(w, func, inst)?;
            writeln!(w)?;
        }
    }
    writeln!(w, "}}")
}

fn write_block_header(w: &mut dyn Write, func: &Function, block: Block) -> fmt::Result {
    write!(w, "{block}")?;
    let params = func
        .blocks
        .get(block.0 as usize)
        .map(|b| b.params.as_slice())
        .unwrap_or(&[]);
    if !params.is_empty() {
        write!(w, "(")?;
        for (i, &v) in params.iter().enumerate() {
            let sep = if i > 0 { ", " } else { "" };
            write!(w, "{sep}{v}: {}", type_name(func, v))?;
        }
        write!(w, ")")?;
    }
    writeln!(w, ":")
}

pub fn write_inst(w: &mut dyn Write, func: &Function, inst: Inst) -> fmt::Result {
    let Some(data) = func.insts.get(inst.0 as usize) else {
        return write!(w, "<invalid inst{}>", inst.0);
    };
    if !data.results.is_empty() {
        write_values(w, &data.results)?;
        write!(w, " = ")?;
    }
    write!(w, "{}", opcode_name(&data.op))?;
    let first_result = data
        .results
        .first()
        .map(|&v| type_name(func, v))
        .unwrap_or("?");
    match &data.op {
        Op::Icmp(cc) => write!(w, ".{}", intcc_name(*cc))?,
        Op::Fcmp(cc) => write!(w, ".{}", floatcc_name(*cc))?,
        Op::CallRuntime(f) => write!(w, ".{}", f.ir_name())?,
        Op::ExtractLane(lane) => write!(w, ".{lane}")?,
        Op::Load { readonly, .. } => {
            write!(w, ".{first_result}")?;
            if *readonly {
                write!(w, ".readonly")?;
            }
        }
        op if result_rule(op) == ResultRule::Explicit => write!(w, ".{first_result}")?,
        _ => {}
    }
    match &data.op {
        Op::Iconst(imm) => write!(w, " {imm}")?,
        Op::Fconst(imm) => write!(w, " {}", float_text(*imm))?,
        Op::Bconst(imm) => write!(w, " {imm}")?,
        Op::StackSlot(size) => write!(w, " {size}")?,
        Op::ParallelFor(name) => {
            write!(w, " @{}(", quote_name(name))?;
            write_values(w, &data.args)?;
            write!(w, ")")?;
        }
        Op::Call(name) | Op::CallCatch(name) => {
            write!(w, " @{}(", quote_name(name))?;
            write_values(w, &data.args)?;
            write!(w, ")")?;
            if !data.results.is_empty() {
                write!(w, " -> ")?;
                for (i, &v) in data.results.iter().enumerate() {
                    let sep = if i > 0 { ", " } else { "" };
                    write!(w, "{sep}{}", type_name(func, v))?;
                }
            }
        }
        Op::Raise(id) => {
            write!(w, " error{}", id.0)?;
            if !data.args.is_empty() {
                write!(w, "(")?;
                write_values(w, &data.args)?;
                write!(w, ")")?;
            }
        }
        op => {
            let offset = match op {
                Op::Load { offset, .. } | Op::Store { offset } => *offset,
                _ => 0,
            };
            let mut sep = " ";
            for (i, &v) in data.args.iter().enumerate() {
                write!(w, "{sep}{v}")?;
                if i == 0 && offset != 0 {
                    write!(w, "{offset:+}")?;
                }
                sep = ", ";
            }
            for target in &data.targets {
                write!(w, "{sep}{}", target.block)?;
                if !target.args.is_empty() {
                    write!(w, "(")?;
                    write_values(w, &target.args)?;
                    write!(w, ")")?;
                }
                sep = ", ";
            }
        }
    }
    if data.line != 0 || data.col != 0 {
        write!(w, " @{}:{}", data.line, data.col)?;
    }
    Ok(())
}

fn write_types(w: &mut dyn Write, types: &[Ty]) -> fmt::Result {
    for (i, ty) in types.iter().enumerate() {
        let sep = if i > 0 { ", " } else { "" };
        write!(w, "{sep}{ty}")?;
    }
    Ok(())
}

fn write_values(w: &mut dyn Write, values: &[Value]) -> fmt::Result {
    for (i, v) in values.iter().enumerate() {
        let sep = if i > 0 { ", " } else { "" };
        write!(w, "{sep}{v}")?;
    }
    Ok(())
}

fn type_name(func: &Function, v: Value) -> &'static str {
    func.values.get(v.0 as usize).map_or("?", |d| d.ty.name())
}

/// Text of a float immediate that parses back to the same bits (see the module doc).
pub fn float_text(x: f64) -> String {
    if x.is_nan() {
        if x.to_bits() == f64::NAN.to_bits() {
            "nan".to_string()
        } else {
            format!("nan:0x{:016x}", x.to_bits())
        }
    } else if x.is_infinite() {
        if x > 0.0 {
            "inf".to_string()
        } else {
            "-inf".to_string()
        }
    } else {
        format!("{x:?}")
    }
}

/// True if `name` can be written after `@` without quotes.
pub(crate) fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

fn quote_name(name: &str) -> String {
    if is_plain_name(name) {
        name.to_string()
    } else {
        let mut out = String::new();
        write_string(&mut out, name).expect("writing to a String cannot fail");
        out
    }
}

fn write_string(w: &mut dyn Write, s: &str) -> fmt::Result {
    w.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => w.write_str("\\\"")?,
            '\\' => w.write_str("\\\\")?,
            '\n' => w.write_str("\\n")?,
            '\r' => w.write_str("\\r")?,
            '\t' => w.write_str("\\t")?,
            c if c.is_control() => write!(w, "\\u{{{:x}}}", c as u32)?,
            c => w.write_char(c)?,
        }
    }
    w.write_char('"')
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_function(f, self)
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_module(f, self)
    }
}
