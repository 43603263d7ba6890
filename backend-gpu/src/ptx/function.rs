//! One IR function → one PTX `.func` in the internal calling convention (see the module doc of
//! [`crate::ptx`]).
//!
//! Blocks keep their layout order (unreachable ones are dropped) and become labels
//! `$LblockN`; the entry block's parameters are loaded from the `.param`s in the prologue, so
//! the entry block may also be a branch target. A branch assigns its arguments to the target's
//! parameter registers as a parallel copy ([`super::copy`]); when a `brif` edge carries
//! arguments, the copies sit on an edge label of their own. A jump to the next block in the
//! layout falls through. `raise` and error propagation after calls branch to one shared
//! `$Lfail` tail that returns zeros. Each instruction is preceded by its IR text as a comment.

use crate::GpuError;
use crate::ptx::copy::sequentialize;
use crate::ptx::math::{self, MathImpl, abi_ty};
use crate::ptx::regs::{Class, param_suffix, param_type};
use crate::ptx::{ModuleCx, ops};
use ir::{Block, BlockCall, Function, Inst, Op, Ty, Value};
use runtime::error::{CODE_OFFSET, ERROR_ARGS, arg_offset};
use runtime::math::RuntimeFn;
use std::fmt::{Arguments, Write as _};

/// The `.func` header of `func` named `symbol` (without body or `;`).
pub(crate) fn signature(func: &Function, symbol: &str) -> String {
    let mut s = String::from(".func ");
    match func.returns.as_slice() {
        [] => {}
        [ty] => {
            let _ = write!(s, "(.param {} {symbol}_ret) ", param_type(*ty));
        }
        many => {
            let _ = write!(s, "(.param .align 8 .b8 {symbol}_ret[{}]) ", 8 * many.len());
        }
    }
    let _ = write!(s, "{symbol}(.param .b64 {symbol}_err");
    for (i, &ty) in func.params.iter().enumerate() {
        let _ = write!(s, ", .param {} {symbol}_p{i}", param_type(ty));
    }
    s.push(')');
    s
}

/// The `.param` operand of result `index` of a function returning `count` values through
/// `name`: the parameter itself, or its byte offset in the aggregate.
pub(crate) fn result_slot(name: &str, index: usize, count: usize) -> String {
    if count == 1 {
        format!("[{name}]")
    } else {
        format!("[{name}+{}]", 8 * index)
    }
}

/// Emits the definition of unit `index` of `cx`.
pub(crate) fn emit(cx: &ModuleCx, index: usize) -> Result<String, GpuError> {
    let unit = &cx.units[index];
    let mut e = Emitter {
        cx,
        func: unit.func,
        symbol: &unit.symbol,
        error_base: cx.error_bases[index],
        body: String::new(),
        temps: [0; 5],
        temps_max: [0; 5],
        edges: 0,
        uses_fail: false,
        unit: index,
        stack_slots: Vec::new(),
    };
    e.emit_body()?;
    let mut out = signature(unit.func, &unit.symbol);
    out.push_str("\n{\n");
    for class in Class::ALL {
        let values = unit
            .func
            .values
            .iter()
            .enumerate()
            .filter(|(_, d)| Class::of(d.ty) == class)
            .map(|(i, _)| i + 1)
            .max();
        if let Some(n) = values {
            let _ = writeln!(out, "\t.reg {} {}<{n}>;", class.reg_type(), class.prefix());
        }
        let temps = e.temps_max[class.index()];
        if temps > 0 {
            let _ = writeln!(
                out,
                "\t.reg {} {}<{temps}>;",
                class.reg_type(),
                class.temp_prefix()
            );
        }
    }
    out.push_str("\t.reg .b64 %err;\n");
    for (name, size) in &e.stack_slots {
        let _ = writeln!(out, "\t.local .align 8 .b8 {name}[{size}];");
    }
    out.push('\n');
    out.push_str(&e.body);
    out.push_str("}\n");
    Ok(out)
}

/// The state of emitting one function. `ops` and `math` append instructions through it.
pub(crate) struct Emitter<'a> {
    cx: &'a ModuleCx<'a>,
    func: &'a Function,
    symbol: &'a str,
    error_base: u32,
    body: String,
    /// Temporaries handed out for the current instruction, per class.
    temps: [u32; 5],
    temps_max: [u32; 5],
    /// Edge labels created so far.
    edges: u32,
    /// Whether some path branches to `$Lfail`.
    uses_fail: bool,
    unit: usize,
    /// `.local` arrays for `stack_slot`s: name and size.
    stack_slots: Vec<(String, u32)>,
}

/// Why an instruction could not be emitted.
pub(crate) enum Fail {
    /// Malformed IR.
    Invalid(String),
    /// Valid IR this backend does not translate.
    Unsupported(String),
}

impl From<String> for Fail {
    fn from(message: String) -> Fail {
        Fail::Invalid(message)
    }
}

impl From<&str> for Fail {
    fn from(message: &str) -> Fail {
        Fail::Invalid(message.to_string())
    }
}

impl Emitter<'_> {
    /// Appends one instruction (`;` added).
    pub fn ins(&mut self, text: Arguments) {
        let _ = writeln!(self.body, "\t{text};");
    }
    fn label(&mut self, name: &str) {
        let _ = writeln!(self.body, "{name}:");
    }
    /// A fresh temporary of `class`, valid until the next IR instruction.
    pub fn temp(&mut self, class: Class) -> String {
        let n = &mut self.temps[class.index()];
        let name = format!("{}{}", class.temp_prefix(), *n);
        *n += 1;
        let max = &mut self.temps_max[class.index()];
        *max = (*max).max(*n);
        name
    }
    /// The type of `v`, or an error if it does not exist.
    pub fn ty(&self, v: Value) -> Result<Ty, String> {
        self.func
            .values
            .get(v.0 as usize)
            .map(|d| d.ty)
            .ok_or_else(|| format!("uses {v}, which does not exist"))
    }
    /// The register holding `v`.
    pub fn reg(&self, v: Value) -> Result<String, String> {
        Ok(format!("{}{}", Class::of(self.ty(v)?).prefix(), v.0))
    }

    fn invalid(&self, inst: Option<Inst>, message: impl Into<String>) -> GpuError {
        let message = message.into();
        match inst {
            Some(i) if (i.0 as usize) < self.func.insts.len() => GpuError::invalid(
                &self.func.name,
                format!("`{}`: {message}", ir::print::print_inst(self.func, i)),
            ),
            _ => GpuError::invalid(&self.func.name, message),
        }
    }

    fn emit_body(&mut self) -> Result<(), GpuError> {
        let func = self.func;
        let order = reachable_blocks(func).map_err(|m| self.invalid(None, m))?;
        let entry = order[0];
        let params = &func.blocks[entry.0 as usize].params;
        let param_types: Result<Vec<Ty>, String> = params.iter().map(|&v| self.ty(v)).collect();
        if param_types.map_err(|m| self.invalid(None, m))? != func.params {
            return Err(self.invalid(
                None,
                "the entry block's parameters differ from the signature",
            ));
        }
        let symbol = self.symbol;
        self.ins(format_args!("ld.param.u64 %err, [{symbol}_err]"));
        for (i, &v) in params.iter().enumerate() {
            let (reg, ty) = (
                self.reg(v).map_err(|m| self.invalid(None, m))?,
                func.params[i],
            );
            self.load_param(&reg, ty, &format!("[{symbol}_p{i}]"));
        }
        for (pos, &block) in order.iter().enumerate() {
            self.label(&block_label(block));
            let next = order.get(pos + 1).copied();
            for &inst in &func.blocks[block.0 as usize].insts {
                let Some(data) = func.insts.get(inst.0 as usize) else {
                    return Err(self.invalid(None, format!("{block} holds a missing instruction")));
                };
                self.temps = [0; 5];
                let _ = writeln!(self.body, "\t// {}", ir::print::print_inst(func, inst));
                self.emit_inst(inst, data, next)
                    .map_err(|fail| match fail {
                        Fail::Invalid(m) => self.invalid(Some(inst), m),
                        Fail::Unsupported(m) => {
                            GpuError::Unsupported(format!("{m} (in `{}`)", self.func.name))
                        }
                    })?;
            }
        }
        if self.uses_fail {
            self.temps = [0; 5];
            self.label("$Lfail");
            for (i, &ty) in func.returns.iter().enumerate() {
                let t = self.temp(Class::of(ty));
                let class = Class::of(ty);
                let zero = match class {
                    Class::F32 | Class::F64 => crate::ptx::regs::float_literal(0.0, ty),
                    _ => "0".to_string(),
                };
                self.ins(format_args!("mov.{} {t}, {zero}", class.move_suffix()));
                let slot = result_slot(&format!("{symbol}_ret"), i, func.returns.len());
                self.store_param(&slot, ty, &t);
            }
            self.ins(format_args!("ret"));
        }
        Ok(())
    }

    /// Loads `.param` `slot` of IR type `ty` into `reg` (bools arrive as a `.b32`).
    fn load_param(&mut self, reg: &str, ty: Ty, slot: &str) {
        if ty == Ty::Bool {
            let t = self.temp(Class::B32);
            self.ins(format_args!("ld.param.b32 {t}, {slot}"));
            self.ins(format_args!("setp.ne.u32 {reg}, {t}, 0"));
        } else {
            self.ins(format_args!("ld.param.{} {reg}, {slot}", param_suffix(ty)));
        }
    }

    /// Stores `reg` of IR type `ty` into `.param` `slot`.
    fn store_param(&mut self, slot: &str, ty: Ty, reg: &str) {
        if ty == Ty::Bool {
            let t = self.temp(Class::B32);
            self.ins(format_args!("selp.u32 {t}, 1, 0, {reg}"));
            self.ins(format_args!("st.param.b32 {slot}, {t}"));
        } else {
            self.ins(format_args!("st.param.{} {slot}, {reg}", param_suffix(ty)));
        }
    }

    fn emit_inst(
        &mut self,
        inst: Inst,
        data: &ir::InstData,
        next: Option<Block>,
    ) -> Result<(), Fail> {
        match &data.op {
            Op::Jump => {
                let [target] = data.targets.as_slice() else {
                    return Err("a jump has one target".into());
                };
                self.edge_copies(target)?;
                if next != Some(target.block) {
                    self.ins(format_args!("bra {}", block_label(target.block)));
                }
                Ok(())
            }
            Op::Brif => Ok(self.brif(inst, data, next)?),
            Op::Return => {
                let func = self.func;
                self.check_types(&data.args, &func.returns, "returned values")?;
                let name = format!("{}_ret", self.symbol);
                for (i, &v) in data.args.iter().enumerate() {
                    let reg = self.reg(v)?;
                    let slot = result_slot(&name, i, data.args.len());
                    self.store_param(&slot, func.returns[i], &reg);
                }
                self.ins(format_args!("ret"));
                Ok(())
            }
            Op::Raise(id) => Ok(self.raise(id.0, &data.args)?),
            Op::CallCatch(name) => Err(format!(
                "calls `{name}` inside a `try` body, which GPU kernels do not support"
            )
            .into()),
            Op::Call(name) => {
                let &callee =
                    self.cx.by_name.get(name.as_str()).ok_or_else(|| {
                        format!("calls `{name}`, which the module does not define")
                    })?;
                Ok(self.call(callee, &data.args, &data.results)?)
            }
            // A GPU function allocates no arrays: its arena mark is 0 and a release frees
            // nothing (lowering marks every function that calls another and returns numbers).
            Op::CallRuntime(RuntimeFn::ArenaMark | RuntimeFn::ArenaRelease) => {
                let d = self.reg(data.results[0])?;
                self.ins(format_args!("mov.b64 {d}, 0"));
                Ok(())
            }
            Op::CallRuntime(f) => match self.cx.math.get(f).copied() {
                Some(MathImpl::Function(unit)) => Ok(self.call(unit, &data.args, &data.results)?),
                Some(MathImpl::Native(m)) => {
                    let info = f.describe();
                    let params: Vec<Ty> = info.params.iter().map(|&t| abi_ty(t)).collect();
                    self.check_types(&data.args, &params, "arguments")?;
                    self.check_types(&data.results, &[abi_ty(info.result)], "results")?;
                    let (d, a) = (self.reg(data.results[0])?, self.reg(data.args[0])?);
                    math::emit_native(self, m, &d, &a);
                    Ok(())
                }
                None => Err(Fail::Unsupported(format!(
                    "math function `{}` on the GPU",
                    f.ir_name()
                ))),
            },
            Op::Store { offset } => Ok(ops::lower_store(self, *offset, &data.args)?),
            Op::StackSlot(size) => self.stack_slot(inst, *size, &data.results),
            Op::ParallelFor(_) => Err(Fail::Unsupported(
                "parallel loops (`prange`) inside a GPU function".into(),
            )),
            _ => Ok(ops::lower_value_op(self, data)?),
        }
    }

    fn brif(&mut self, inst: Inst, data: &ir::InstData, next: Option<Block>) -> Result<(), String> {
        let ([cond], [then, els]) = (data.args.as_slice(), data.targets.as_slice()) else {
            return Err("a brif has one condition and two targets".into());
        };
        if self.ty(*cond)? != Ty::Bool {
            return Err("the condition must be a bool".into());
        }
        let c = self.reg(*cond)?;
        let then_edge = (!then.args.is_empty()).then(|| {
            self.edges += 1;
            format!("$Ledge{}_{}", inst.0, self.edges)
        });
        let then_label = then_edge.clone().unwrap_or_else(|| block_label(then.block));
        self.ins(format_args!("@{c} bra {then_label}"));
        self.edge_copies(els)?;
        if then_edge.is_some() || next != Some(els.block) {
            self.ins(format_args!("bra {}", block_label(els.block)));
        }
        if let Some(edge) = then_edge {
            self.label(&edge);
            self.edge_copies(then)?;
            if next != Some(then.block) {
                self.ins(format_args!("bra {}", block_label(then.block)));
            }
        }
        Ok(())
    }

    /// Assigns a branch's arguments to its target's parameters (a parallel copy).
    fn edge_copies(&mut self, call: &BlockCall) -> Result<(), String> {
        let params = &self
            .func
            .blocks
            .get(call.block.0 as usize)
            .ok_or_else(|| format!("branches to {}, which does not exist", call.block))?
            .params;
        if params.len() != call.args.len() {
            return Err(format!(
                "passes {} arguments to {}, which has {} parameters",
                call.args.len(),
                call.block,
                params.len()
            ));
        }
        let mut moves = Vec::with_capacity(params.len());
        for (&p, &a) in params.iter().zip(&call.args) {
            let class = Class::of(self.ty(p)?);
            if Class::of(self.ty(a)?) != class {
                return Err(format!("passes {a} to {p} of another type"));
            }
            moves.push(((class, self.reg(p)?), (class, self.reg(a)?)));
        }
        let seq = sequentialize(&moves, |&(class, _)| (class, self.temp(class)));
        for ((class, d), (_, s)) in seq {
            self.ins(format_args!("mov.{} {d}, {s}", class.move_suffix()));
        }
        Ok(())
    }

    /// `stack_slot N`: a `.local` array of the function, its generic address in the result.
    fn stack_slot(&mut self, inst: Inst, size: u32, results: &[Value]) -> Result<(), Fail> {
        if self.cx.recursive[self.unit] {
            return Err(Fail::Unsupported(
                "stack slots in a recursive function (`.local` memory is not per call)".into(),
            ));
        }
        let [result] = results else {
            return Err(Fail::Invalid("a stack slot has one result".into()));
        };
        if self.ty(*result)? != Ty::Ptr {
            return Err(Fail::Invalid("a stack slot is a ptr".into()));
        }
        let d = self.reg(*result)?;
        let name = format!("__stack{}", inst.0);
        self.ins(format_args!("mov.u64 {d}, {name}"));
        self.ins(format_args!("cvta.local.u64 {d}, {d}"));
        self.stack_slots.push((name, size.max(1)));
        Ok(())
    }

    /// The state space of IR loads and stores: `.global`, or generic in a module whose
    /// pointers may also address stack slots.
    pub fn memory_space(&self) -> &'static str {
        if self.cx.generic_memory {
            ""
        } else {
            ".global"
        }
    }

    fn raise(&mut self, id: u32, args: &[Value]) -> Result<(), String> {
        if id as usize >= self.func.errors.len() {
            return Err(format!("raises error{id}, which the error table lacks"));
        }
        if args.len() > ERROR_ARGS {
            return Err(format!("a raise carries at most {ERROR_ARGS} arguments"));
        }
        let code = self.error_base + id + 1;
        let t = self.temp(Class::B32);
        self.ins(format_args!("mov.u32 {t}, {code}"));
        self.ins(format_args!("st.u32 [%err+{CODE_OFFSET}], {t}"));
        for (i, &a) in args.iter().enumerate() {
            if Class::of(self.ty(a)?) != Class::B64 {
                return Err("raise arguments are i64".into());
            }
            let reg = self.reg(a)?;
            self.ins(format_args!("st.u64 [%err+{}], {reg}", arg_offset(i)));
        }
        self.ins(format_args!("bra $Lfail"));
        self.uses_fail = true;
        Ok(())
    }

    /// Calls unit `callee` with `args`, defining `results`; propagates its error.
    fn call(&mut self, callee: usize, args: &[Value], results: &[Value]) -> Result<(), String> {
        let unit = &self.cx.units[callee];
        let (callee_fn, symbol) = (unit.func, unit.symbol.clone());
        self.check_types(args, &callee_fn.params, "arguments")?;
        self.check_types(results, &callee_fn.returns, "results")?;
        let _ = writeln!(self.body, "\t{{");
        self.ins(format_args!(".param .b64 param0"));
        self.ins(format_args!("st.param.b64 [param0], %err"));
        let mut names = vec!["param0".to_string()];
        for (i, (&a, &ty)) in args.iter().zip(&callee_fn.params).enumerate() {
            let name = format!("param{}", i + 1);
            self.ins(format_args!(".param {} {name}", param_type(ty)));
            let reg = self.reg(a)?;
            self.store_param(&format!("[{name}]"), ty, &reg);
            names.push(name);
        }
        let arglist = names.join(", ");
        match callee_fn.returns.as_slice() {
            [] => self.ins(format_args!("call {symbol}, ({arglist})")),
            returns => {
                if let [ty] = returns {
                    self.ins(format_args!(".param {} retval0", param_type(*ty)));
                } else {
                    let size = 8 * returns.len();
                    self.ins(format_args!(".param .align 8 .b8 retval0[{size}]"));
                }
                self.ins(format_args!("call (retval0), {symbol}, ({arglist})"));
                for (i, (&r, &ty)) in results.iter().zip(returns).enumerate() {
                    let reg = self.reg(r)?;
                    self.load_param(&reg, ty, &result_slot("retval0", i, returns.len()));
                }
            }
        }
        let _ = writeln!(self.body, "\t}}");
        if self.cx.may_raise[callee] {
            let (code, failed) = (self.temp(Class::B32), self.temp(Class::Pred));
            self.ins(format_args!("ld.u32 {code}, [%err+{CODE_OFFSET}]"));
            self.ins(format_args!("setp.ne.u32 {failed}, {code}, 0"));
            self.ins(format_args!("@{failed} bra $Lfail"));
            self.uses_fail = true;
        }
        Ok(())
    }

    /// Checks that `values` have the register classes of `types` (and as many).
    fn check_types(&self, values: &[Value], types: &[Ty], what: &str) -> Result<(), String> {
        let have: Vec<Ty> = values
            .iter()
            .map(|&v| self.ty(v))
            .collect::<Result<_, _>>()?;
        let fits = have.len() == types.len()
            && have
                .iter()
                .zip(types)
                .all(|(&a, &b)| Class::of(a) == Class::of(b));
        if fits {
            Ok(())
        } else {
            let list = |t: &[Ty]| t.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ");
            Err(format!(
                "{what} ({}) do not match ({})",
                list(&have),
                list(types)
            ))
        }
    }
}

fn block_label(block: Block) -> String {
    format!("$L{block}")
}

/// The blocks reachable from the entry, in layout order (the entry first).
fn reachable_blocks(func: &Function) -> Result<Vec<Block>, String> {
    let entry = func.entry().ok_or("the function has no blocks")?;
    let exists = |b: Block| (b.0 as usize) < func.blocks.len();
    if !exists(entry) {
        return Err(format!("the entry {entry} does not exist"));
    }
    let mut seen = vec![false; func.blocks.len()];
    let mut stack = vec![entry];
    seen[entry.0 as usize] = true;
    while let Some(b) = stack.pop() {
        let Some(last) = func.blocks[b.0 as usize].insts.last() else {
            return Err(format!("{b} is empty"));
        };
        let Some(data) = func.insts.get(last.0 as usize) else {
            return Err(format!("{b} holds a missing instruction"));
        };
        if !data.op.is_terminator() {
            return Err(format!("{b} does not end with a terminator"));
        }
        for t in &data.targets {
            if !exists(t.block) {
                return Err(format!("{b} branches to {}, which does not exist", t.block));
            }
            if !std::mem::replace(&mut seen[t.block.0 as usize], true) {
                stack.push(t.block);
            }
        }
    }
    let order: Vec<Block> = func
        .layout
        .iter()
        .copied()
        .filter(|&b| exists(b) && std::mem::take(&mut seen[b.0 as usize]))
        .collect();
    if seen.iter().any(|&s| s) {
        return Err("a reachable block is missing from the layout".into());
    }
    Ok(order)
}
