//! Ufunc-style kernels: an `.entry` around a scalar IR function.
//!
//! ```text
//! .visible .entry NAME(.param .u64 NAME_n, <one per input>, .param .u64 NAME_out,
//!                      .param .u64 NAME_err)
//! for (i = ctaid.x * ntid.x + tid.x; i < n; i += ntid.x * nctaid.x)
//!     out[i] = scalar_fn(inputs...)       // array input j: in_j[i]; scalar input: its value
//! ```
//!
//! Inputs: an `Array { ty }` is a `.u64` pointer to contiguous elements (`bool` one byte 0/1);
//! a `Scalar { ty }` is passed by value as `.u32` (`bool`, `i8`, `i16`, `i32`, sign-extended),
//! `.u64` (`i64`, `ptr`), `.f32` or `.f64`. Pointers are converted with `cvta.to.global`.
//!
//! Errors: each thread owns an `ErrorSlot` in local memory, passed (as a generic address) to
//! the scalar function. When the call leaves a nonzero code, the thread publishes it into the
//! global slot `err` with `atom.global.cas` (only if the slot still holds 0: the first error
//! wins), copies the arguments if it won, and exits; other threads go on.

use crate::GpuError;
use crate::ptx::ModuleCx;
use crate::ptx::function::result_slot;
use crate::ptx::regs::{is_plain_identifier, memory_size, memory_suffix, param_type};
use crate::ptx::{KernelArg, KernelSpec};
use ir::Ty;
use runtime::error::{CODE_OFFSET, ERROR_ARGS, arg_offset};
use std::fmt::Write as _;

/// The register type a kernel keeps a value of `ty` in: its `.param` type (`bool` and narrow
/// integers as `.b32`), so values go to and come from the scalar function unchanged.
fn kernel_reg(ty: Ty) -> &'static str {
    param_type(ty)
}

/// The `.param` type of a scalar kernel input.
fn scalar_param(ty: Ty) -> &'static str {
    match param_type(ty) {
        ".b32" => ".u32",
        ".b64" => ".u64",
        other => other,
    }
}

/// Checks `spec` against its scalar function; returns the function's unit index.
fn check(cx: &ModuleCx, spec: &KernelSpec) -> Result<usize, GpuError> {
    let name = &spec.name;
    if !is_plain_identifier(name) {
        return Err(GpuError::kernel(
            name,
            "the name must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)",
        ));
    }
    let &unit = cx.by_name.get(spec.scalar_fn.as_str()).ok_or_else(|| {
        GpuError::kernel(
            name,
            format!("no function `{}` in the module", spec.scalar_fn),
        )
    })?;
    let func = cx.units[unit].func;
    let inputs: Vec<Ty> = spec.inputs.iter().map(|a| a.ty()).collect();
    if func.params != inputs {
        return Err(GpuError::kernel(
            name,
            format!(
                "inputs ({}) do not match the parameters of `{}` ({})",
                type_list(&inputs),
                func.name,
                type_list(&func.params)
            ),
        ));
    }
    if func.returns != [spec.output] {
        return Err(GpuError::kernel(
            name,
            format!(
                "output {} does not match the results of `{}` ({})",
                spec.output,
                func.name,
                type_list(&func.returns)
            ),
        ));
    }
    Ok(unit)
}

fn type_list(types: &[Ty]) -> String {
    types
        .iter()
        .map(|t| t.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// PTX text being written: instructions (indented, `;` added) and labels.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn ins(&mut self, text: impl std::fmt::Display) {
        let _ = writeln!(self.0, "\t{text};");
    }
    fn raw(&mut self, text: impl std::fmt::Display) {
        let _ = writeln!(self.0, "{text}");
    }
}

/// Emits the `.entry` of `spec`.
pub(crate) fn emit(cx: &ModuleCx, spec: &KernelSpec) -> Result<String, GpuError> {
    let unit = check(cx, spec)?;
    let symbol = &cx.units[unit].symbol;
    let k = &spec.name;
    let mut o = Lines::default();

    let mut params = vec![format!(".param .u64 {k}_n")];
    for (j, input) in spec.inputs.iter().enumerate() {
        let ty = match input {
            KernelArg::Array { .. } => ".u64",
            KernelArg::Scalar { ty } => scalar_param(*ty),
        };
        params.push(format!(".param {ty} {k}_in{j}"));
    }
    params.push(format!(".param .u64 {k}_out"));
    params.push(format!(".param .u64 {k}_err"));
    o.raw(format_args!(
        ".visible .entry {k}(\n\t{}\n)\n{{",
        params.join(",\n\t")
    ));
    o.raw("\t.local .align 8 .b8 __ferrojit_err[32];");
    o.raw("\t.reg .pred %k_stop;");
    o.raw("\t.reg .b32 %k_code, %k_old, %k_ctaid, %k_ntid, %k_tid, %k_nctaid;");
    o.raw("\t.reg .b64 %k_n, %k_i, %k_stride, %k_tmp, %k_addr, %k_out, %k_errg, %k_errl;");
    for (j, input) in spec.inputs.iter().enumerate() {
        if let KernelArg::Array { .. } = input {
            o.raw(format_args!("\t.reg .b64 %k_in{j};"));
        }
        o.raw(format_args!("\t.reg {} %k_x{j};", kernel_reg(input.ty())));
    }
    o.raw(format_args!("\t.reg {} %k_y;\n", kernel_reg(spec.output)));

    // Parameters, the local error slot, the first index and the stride.
    o.ins(format_args!("ld.param.u64 %k_n, [{k}_n]"));
    for (j, input) in spec.inputs.iter().enumerate() {
        match *input {
            KernelArg::Array { .. } => {
                o.ins(format_args!("ld.param.u64 %k_in{j}, [{k}_in{j}]"));
                o.ins(format_args!("cvta.to.global.u64 %k_in{j}, %k_in{j}"));
            }
            KernelArg::Scalar { ty } => {
                o.ins(format_args!(
                    "ld.param{} %k_x{j}, [{k}_in{j}]",
                    scalar_param(ty)
                ));
                match ty {
                    Ty::I8 => o.ins(format_args!("bfe.s32 %k_x{j}, %k_x{j}, 0, 8")),
                    Ty::I16 => o.ins(format_args!("bfe.s32 %k_x{j}, %k_x{j}, 0, 16")),
                    // A pointer the scalar function loads through with `ld.global`.
                    Ty::Ptr if !cx.generic_memory => {
                        o.ins(format_args!("cvta.to.global.u64 %k_x{j}, %k_x{j}"))
                    }
                    _ => {}
                }
            }
        }
    }
    o.ins(format_args!("ld.param.u64 %k_out, [{k}_out]"));
    o.ins("cvta.to.global.u64 %k_out, %k_out");
    o.ins(format_args!("ld.param.u64 %k_errg, [{k}_err]"));
    o.ins("cvta.to.global.u64 %k_errg, %k_errg");
    o.ins("mov.u32 %k_code, 0");
    o.ins(format_args!(
        "st.local.u32 [__ferrojit_err+{CODE_OFFSET}], %k_code"
    ));
    o.ins("mov.u64 %k_tmp, 0");
    for i in 0..ERROR_ARGS {
        o.ins(format_args!(
            "st.local.u64 [__ferrojit_err+{}], %k_tmp",
            arg_offset(i)
        ));
    }
    o.ins("mov.u64 %k_errl, __ferrojit_err");
    o.ins("cvta.local.u64 %k_errl, %k_errl");
    o.ins("mov.u32 %k_ctaid, %ctaid.x");
    o.ins("mov.u32 %k_ntid, %ntid.x");
    o.ins("mov.u32 %k_tid, %tid.x");
    o.ins("mov.u32 %k_nctaid, %nctaid.x");
    o.ins("mul.wide.u32 %k_i, %k_ctaid, %k_ntid");
    o.ins("cvt.u64.u32 %k_tmp, %k_tid");
    o.ins("add.s64 %k_i, %k_i, %k_tmp");
    o.ins("mul.wide.u32 %k_stride, %k_nctaid, %k_ntid");

    // The grid-stride loop.
    o.raw("$Lloop:");
    o.ins("setp.ge.u64 %k_stop, %k_i, %k_n");
    o.ins("@%k_stop bra $Ldone");
    for (j, input) in spec.inputs.iter().enumerate() {
        if let KernelArg::Array { ty } = *input {
            let size = memory_size(ty);
            o.ins(format_args!("mad.lo.s64 %k_addr, %k_i, {size}, %k_in{j}"));
            // A bool stays the raw byte: the callee reads any nonzero value as true.
            o.ins(format_args!(
                "ld.global.{} %k_x{j}, [%k_addr]",
                memory_suffix(ty, true)
            ));
        }
    }
    o.raw("\t{");
    o.ins(".param .b64 param0");
    o.ins("st.param.b64 [param0], %k_errl");
    let mut names = vec!["param0".to_string()];
    for (j, input) in spec.inputs.iter().enumerate() {
        let pt = param_type(input.ty());
        let name = format!("param{}", j + 1);
        o.ins(format_args!(".param {pt} {name}"));
        o.ins(format_args!("st.param{pt} [{name}], %k_x{j}"));
        names.push(name);
    }
    let rt = param_type(spec.output);
    o.ins(format_args!(".param {rt} retval0"));
    o.ins(format_args!(
        "call (retval0), {symbol}, ({})",
        names.join(", ")
    ));
    o.ins(format_args!(
        "ld.param{rt} %k_y, {}",
        result_slot("retval0", 0, 1)
    ));
    o.raw("\t}");
    let may_raise = cx.may_raise[unit];
    if may_raise {
        o.ins(format_args!(
            "ld.local.u32 %k_code, [__ferrojit_err+{CODE_OFFSET}]"
        ));
        o.ins("setp.ne.u32 %k_stop, %k_code, 0");
        o.ins("@%k_stop bra $Lraised");
    }
    // A bool result crosses the call as 0/1 in a `.b32`: its low byte is the stored value.
    let size = memory_size(spec.output);
    o.ins(format_args!("mad.lo.s64 %k_addr, %k_i, {size}, %k_out"));
    o.ins(format_args!(
        "st.global.{} [%k_addr], %k_y",
        memory_suffix(spec.output, false)
    ));
    o.ins("add.s64 %k_i, %k_i, %k_stride");
    o.ins("bra $Lloop");
    if may_raise {
        o.raw("$Lraised:");
        o.ins(format_args!(
            "atom.global.cas.b32 %k_old, [%k_errg+{CODE_OFFSET}], 0, %k_code"
        ));
        o.ins("setp.ne.u32 %k_stop, %k_old, 0");
        o.ins("@%k_stop bra $Ldone");
        for i in 0..ERROR_ARGS {
            let at = arg_offset(i);
            o.ins(format_args!("ld.local.u64 %k_tmp, [__ferrojit_err+{at}]"));
            o.ins(format_args!("st.global.u64 [%k_errg+{at}], %k_tmp"));
        }
    }
    o.raw("$Ldone:\n\tret;\n}");
    Ok(o.0)
}
