//! One IR function → one Cranelift function body, in the internal calling convention
//! `(err: ptr, params...) -> (returns...)` (see `abi`).
//!
//! Blocks map one to one (an IR block parameter is a Cranelift block parameter); a prologue
//! block receives `err` and jumps to the IR entry block, so the entry block may itself be a
//! branch target. Blocks are filled in reverse postorder, so a value is always translated before
//! its uses in dominated blocks; unreachable blocks are skipped. Control flow, calls, raises and
//! stores are lowered here; every other operation goes through [`crate::ops`].

use crate::BackendError;
use crate::abi::{clif_type, runtime_result_type, runtime_signature, slot_flags, zero};
use crate::loops::Loops;
use crate::ops::{Operands, lower_value_op, store_flags};
use cranelift_codegen::entity::packed_option::ReservedValue;
use cranelift_codegen::ir::condcodes::{CondCode, IntCC as CIntCC};
use cranelift_codegen::ir::{
    self as clif, BlockArg, FuncRef, InstBuilder, InstructionData, StackSlot, StackSlotData,
    StackSlotKind, Type, Value, ValueDef, types,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Linkage, Module};
use ir::passes::util::DomTree;
use ir::{Op, Ty};
use runtime::error::{CODE_OFFSET, ERROR_ARGS, TAG_OFFSET, arg_offset};
use runtime::math::{AbiType, RuntimeFn};
use std::collections::HashMap;

/// The runtime's parallel loop driver (`runtime::parallel`).
pub(crate) const PARALLEL_FOR_SYMBOL: &str = "ferrojit_parallel_for";

/// What translating one function needs to know about the whole module.
pub(crate) struct ModuleContext<'a> {
    pub ir: &'a ir::Module,
    /// IR function name → (declared id, index in `ir.functions`).
    pub functions: HashMap<&'a str, (FuncId, usize)>,
    /// Runtime helpers declared as imports so far.
    pub runtime: HashMap<RuntimeFn, FuncId>,
    /// `ferrojit_parallel_for`, once declared.
    pub parallel_for: Option<FuncId>,
    /// Per function: global index of its first error (see `abi::build_error_table`).
    pub error_bases: Vec<u32>,
    /// Per function: whether calling it may set the error slot (it raises, or calls a function
    /// that may). Calls of the others skip the error check.
    pub may_raise: Vec<bool>,
}

/// Translates `ir.functions[index]` into `clif_func`, whose signature and name are set.
pub(crate) fn translate_function<'m, M: Module>(
    module: &mut M,
    mcx: &mut ModuleContext<'m>,
    index: usize,
    clif_func: &mut clif::Function,
    fctx: &mut FunctionBuilderContext,
) -> Result<(), BackendError> {
    let ir = mcx.ir;
    let func = &ir.functions[index];
    let order = reverse_postorder(func)?;
    let pointer = module.target_config().pointer_type();
    let b = FunctionBuilder::new(clif_func, fctx);
    let mut t = FunctionTranslator {
        module,
        error_base: mcx.error_bases[index],
        mcx,
        func,
        b,
        pointer,
        loops: Loops::find(func, &order),
        used_elsewhere: values_used_outside_their_block(func),
        pin_slot: None,
        current: order[0],
        current_index: 0,
        saves: HashMap::new(),
        reloads: HashMap::new(),
        dom: DomTree::compute(func),
        values: vec![None; func.values.len()],
        blocks: vec![None; func.blocks.len()],
        err: Value::reserved_value(),
        callees: HashMap::new(),
        propagate: None,
    };
    t.saves = floats_across_calls(func, &t.dom, &t.loops);
    t.translate(&order)?;
    let config = t.module.target_config();
    t.b.finalize(config);
    Ok(())
}

/// A float value reloaded after the call at instruction `index` of `block`.
struct Reload {
    block: ir::Block,
    index: usize,
    loaded: Value,
}

struct FunctionTranslator<'a, 'm, M: Module> {
    module: &'a mut M,
    mcx: &'a mut ModuleContext<'m>,
    func: &'m ir::Function,
    b: FunctionBuilder<'a>,
    pointer: Type,
    error_base: u32,
    loops: Loops,
    /// By value index: the value is used in a block other than the one defining it.
    used_elsewhere: Vec<bool>,
    /// The stack slot `pin` stores into, made at first use.
    pin_slot: Option<StackSlot>,
    /// The IR block being translated, and the index of the instruction in it.
    current: ir::Block,
    current_index: usize,
    dom: DomTree,
    /// By call instruction: the float values live across it that it saves and reloads.
    saves: HashMap<ir::Inst, Vec<ir::Value>>,
    /// By value: its reloads after calls, in translation order, for the uses their calls
    /// dominate.
    reloads: HashMap<ir::Value, Vec<Reload>>,
    values: Vec<Option<Value>>,
    blocks: Vec<Option<clif::Block>>,
    /// The error-slot pointer (first parameter).
    err: Value,
    /// Function references imported into this function, by callee id.
    callees: HashMap<FuncId, FuncRef>,
    /// The shared cold block that returns zeros after a callee raised.
    propagate: Option<clif::Block>,
}

impl<M: Module> FunctionTranslator<'_, '_, M> {
    /// An x86-64 target with SSE4.1 (Cranelift's `blendv` lowers to `blendvpd` there).
    fn has_sse41(&self) -> bool {
        let isa = self.module.isa();
        isa.triple().architecture == target_lexicon::Architecture::X86_64
            && isa
                .isa_flags()
                .iter()
                .any(|f| f.name == "has_sse41" && f.as_bool() == Some(true))
    }

    fn translate(&mut self, order: &[ir::Block]) -> Result<(), BackendError> {
        let func = self.func;
        let entry = order[0];
        if func
            .block(entry)
            .params
            .iter()
            .map(|&v| func.value_type(v))
            .ne(func.params.iter().copied())
        {
            return Err(self.invalid("the entry block's parameters differ from the signature"));
        }
        for &block in order {
            let cblock = self.b.create_block();
            for &param in &func.block(block).params {
                self.b
                    .append_block_param(cblock, clif_type(func.value_type(param), self.pointer));
            }
            // Out of line: raises, and the rare paths of inline code (a runtime call the
            // runtime declares rare, such as a generator's refill).
            let raises = func
                .terminator(block)
                .is_some_and(|t| matches!(func.inst(t).op, Op::Raise(_)));
            let rare = func
                .block(block)
                .insts
                .iter()
                .any(|&i| matches!(func.inst(i).op, Op::CallRuntime(f) if f.is_rare()));
            if raises || rare {
                self.b.set_cold_block(cblock);
            }
            self.blocks[block.0 as usize] = Some(cblock);
        }

        let prologue = self.b.create_block();
        self.b.append_block_params_for_function_params(prologue);
        self.b.switch_to_block(prologue);
        let params = self.b.block_params(prologue).to_vec();
        self.err = params[0];
        let args: Vec<BlockArg> = params[1..].iter().map(|&v| BlockArg::Value(v)).collect();
        let centry = self.clif_block(entry).map_err(|m| self.invalid(m))?;
        self.b.ins().jump(centry, &args);

        for &block in order {
            self.translate_block(block)?;
        }
        if let Some(propagate) = self.propagate {
            self.b.switch_to_block(propagate);
            self.return_zeros();
        }
        self.b.seal_all_blocks();
        Ok(())
    }

    fn translate_block(&mut self, block: ir::Block) -> Result<(), BackendError> {
        let func = self.func;
        let cblock = self.clif_block(block).map_err(|m| self.invalid(m))?;
        self.current = block;
        self.b.switch_to_block(cblock);
        let cparams = self.b.block_params(cblock).to_vec();
        for (&param, cparam) in func.block(block).params.iter().zip(cparams) {
            self.values[param.0 as usize] = Some(cparam);
        }
        let insts = &func.block(block).insts;
        if func.terminator(block).is_none() {
            return Err(self.invalid(format!("{block} does not end with a terminator")));
        }
        for (i, &inst) in insts.iter().enumerate() {
            if i + 1 < insts.len() && func.inst(inst).op.is_terminator() {
                return Err(self.invalid(format!("{block} has a terminator before its end")));
            }
            self.current_index = i;
            let saved = match self.saves.get(&inst) {
                Some(values) => self.save_across_call(&values.clone()),
                None => None,
            };
            self.translate_inst(inst).map_err(|message| {
                let data = func.inst(inst);
                let at = if data.line > 0 {
                    format!(" (line {}:{})", data.line, data.col)
                } else {
                    String::new()
                };
                self.invalid(format!(
                    "inst{} `{:?}` in {block}{at}: {message}",
                    inst.0, data.op
                ))
            })?;
            if let Some(slot) = saved {
                let values = self.saves[&inst].clone();
                self.restore_after_call(&values, slot, block, i);
            }
        }
        Ok(())
    }

    /// Stores the float `values` live across the call about to be translated in a stack slot
    /// (see [`floats_across_calls`]).
    fn save_across_call(&mut self, values: &[ir::Value]) -> Option<StackSlot> {
        let known: Vec<Value> = values.iter().map_while(|&v| self.value(v).ok()).collect();
        if known.is_empty() || known.len() != values.len() {
            return None;
        }
        let size = 8 * known.len() as u32;
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            size,
            3,
        ));
        for (k, v) in known.into_iter().enumerate() {
            self.b
                .ins()
                .stack_store(self.pointer, v, slot, 8 * k as i32);
        }
        Some(slot)
    }

    /// Reloads what [`Self::save_across_call`] stored, for the uses the call (instruction
    /// `index` of `block`) dominates.
    fn restore_after_call(
        &mut self,
        values: &[ir::Value],
        slot: StackSlot,
        block: ir::Block,
        index: usize,
    ) {
        for (k, &v) in values.iter().enumerate() {
            let ty = clif_type(self.func.value_type(v), self.pointer);
            let loaded = self
                .b
                .ins()
                .stack_load(self.pointer, ty, slot, 8 * k as i32);
            self.reloads.entry(v).or_default().push(Reload {
                block,
                index,
                loaded,
            });
        }
    }

    /// Lowers one instruction; `Err` is a message the caller locates.
    fn translate_inst(&mut self, inst: ir::Inst) -> Result<(), String> {
        let func = self.func;
        let data = func.inst(inst);
        // A half of a loaded vector, widened: loaded again as that half alone, which x86
        // widens from memory (`pmovsxwd 8(%rax)`: one instruction instead of a shuffle for the
        // high half and a widening). Before the operands: the full load may not exist.
        if let Op::Widen { signed, high } = data.op
            && let Some((addr, offset)) = self.reloadable(inst)
        {
            let [result] = data.results[..] else {
                return Err("has no result".into());
            };
            let flags = crate::ops::load_flags(false);
            let offset = offset + if high { 8 } else { 0 };
            let ins = self.b.ins();
            let v = match (self.func.value_type(result), signed) {
                (Ty::I16X8, true) => ins.sload8x8(flags, addr, offset),
                (Ty::I16X8, false) => ins.uload8x8(flags, addr, offset),
                (Ty::I32X4, true) => ins.sload16x4(flags, addr, offset),
                (Ty::I32X4, false) => ins.uload16x4(flags, addr, offset),
                (Ty::I64X2, true) => ins.sload32x2(flags, addr, offset),
                (_, _) => ins.uload32x2(flags, addr, offset),
            };
            self.values[result.0 as usize] = Some(v);
            return Ok(());
        }
        let args = data
            .args
            .iter()
            .map(|&v| self.value(v))
            .collect::<Result<Vec<_>, _>>()?;
        let expect_results = |n: usize| match data.results.len() == n {
            true => Ok(()),
            false => Err(format!("has {} results, expected {n}", data.results.len())),
        };
        match &data.op {
            Op::Jump => {
                let [target] = data.targets.as_slice() else {
                    return Err("needs one target".into());
                };
                let (block, block_args) = self.target(target)?;
                self.b.ins().jump(block, &block_args);
            }
            Op::Brif => {
                let ([then, els], &[cond]) = (data.targets.as_slice(), args.as_slice()) else {
                    return Err("needs one condition and two targets".into());
                };
                // See `loops` for why a loop's exit must be the first target.
                let swap = self
                    .loops
                    .exit_should_come_first(self.current, then.block, els.block);
                let (then, els, cond) = if swap {
                    (els, then, self.negate(cond))
                } else {
                    (then, els, cond)
                };
                let (then, then_args) = self.target(then)?;
                let (els, else_args) = self.target(els)?;
                self.b.ins().brif(cond, then, &then_args, els, &else_args);
            }
            Op::Return => {
                if args.len() != self.func.returns.len() {
                    return Err(format!(
                        "returns {} values, the signature has {}",
                        args.len(),
                        self.func.returns.len()
                    ));
                }
                self.b.ins().return_(&args);
            }
            Op::Raise(id) => self.raise(*id, &args, &data.args)?,
            Op::Store { offset } => {
                expect_results(0)?;
                let &[ptr, value] = args.as_slice() else {
                    return Err("needs a pointer and a value".into());
                };
                // A mask's lanes are all ones (-1) or zeros; a `bool` array holds 0/1 bytes.
                let value = if self.func.value_type(data.args[1]) == Ty::M8X16 {
                    self.b.ins().ineg(value)
                } else {
                    value
                };
                self.b.ins().store(store_flags(), value, ptr, *offset);
            }
            Op::Call(name) => self.call(name, &args, &data.results, true)?,
            Op::CallCatch(name) => self.call(name, &args, &data.results, false)?,
            Op::StackSlot(size) => {
                expect_results(1)?;
                let slot = self.b.create_sized_stack_slot(StackSlotData::new(
                    StackSlotKind::ExplicitSlot,
                    *size,
                    3,
                ));
                let v = self.b.ins().stack_addr(self.pointer, slot, 0);
                self.values[data.results[0].0 as usize] = Some(v);
            }
            Op::ParallelFor(name) => {
                expect_results(1)?;
                let v = self.parallel_for(name, &args)?;
                self.values[data.results[0].0 as usize] = Some(v);
            }
            Op::CallRuntime(f) => {
                expect_results(1)?;
                let v = self.call_runtime(*f, &args, &data.args, data.results[0])?;
                self.values[data.results[0].0 as usize] = Some(v);
            }
            Op::Load {
                offset,
                readonly: true,
            } if self.is_stack_slot(data.args[0]) => {
                // A descriptor this function builds on its stack (a view) is written before it
                // is read: Cranelift must not move such a load above the stores, which its
                // `readonly`/`can_move` flags would allow. The IR passes have already merged
                // and hoisted these loads as far as is sound.
                expect_results(1)?;
                let result = data.results[0];
                let ty = clif_type(self.func.value_type(result), self.pointer);
                let v = self
                    .b
                    .ins()
                    .load(ty, crate::ops::load_flags(false), args[0], *offset);
                self.values[result.0 as usize] = Some(v);
            }
            // A vector load whose only uses are widenings that load their halves again
            // (below): Cranelift would keep it, unused.
            Op::Load { .. } if self.only_reloaded(inst) => {}
            // A lane-wise select of 64-bit integers by a comparison's mask: Cranelift's egraph
            // turns `bitselect(icmp slt x y, x, y)` into `smin.i64x2`, which x64 builds from
            // four instructions (no `pminsq` below AVX-512), and the comparison is then made
            // twice when its mask also selects something else (an argmin's positions). x86's
            // own `blendv` is one instruction that no egraph rule rewrites. (Counts are a
            // subtraction of the mask: `ops::vector_select`.)
            Op::Select
                if self.func.value_type(data.results[0]) == Ty::I64X2
                    && self.func.value_type(data.args[0]).is_mask()
                    && self.has_sse41()
                    && !crate::ops::is_increment_of(&self.b, args[1], args[2]) =>
            {
                expect_results(1)?;
                let v = self.b.ins().blendv(args[0], args[1], args[2]);
                self.values[data.results[0].0 as usize] = Some(v);
            }
            op => {
                expect_results(1)?;
                let result = data.results[0];
                let types: Vec<Ty> = data.args.iter().map(|&v| self.func.value_type(v)).collect();
                let ty = self.func.value_type(result);
                let operands = Operands {
                    values: &args,
                    types: &types,
                };
                let v = lower_value_op(&mut self.b, op, operands, ty, self.pointer)?;
                let (got, want) = (self.b.func.dfg.value_type(v), clif_type(ty, self.pointer));
                if got != want {
                    return Err(format!(
                        "result is declared {ty} but the operands give {got}"
                    ));
                }
                if ty.is_float()
                    && !matches!(op, Op::Fconst(_))
                    && self.used_elsewhere[result.0 as usize]
                    && !self.loops.in_loop(self.current)
                {
                    self.pin(v);
                }
                self.values[result.0 as usize] = Some(v);
            }
        }
        Ok(())
    }

    /// Keeps float value `v` computed where the IR computes it. Why: Cranelift's egraph places
    /// each pure value at its first use, so `mean = total / n` computed after a loop but first
    /// used after an allocation call is moved below the call; the loop's accumulator then lives
    /// across the call and regalloc2 spills it inside the loop (a store and a reload on the
    /// loop's critical path every iteration: `(a - a.mean()) / a.std()` ran 2.6× slower). A
    /// store of `v` (side effects are not moved) pins it; only values outside loops and used
    /// in another block are pinned, so the cost is one store each, never per iteration.
    fn pin(&mut self, v: Value) {
        let slot = *self.pin_slot.get_or_insert_with(|| {
            self.b
                .create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 16, 4))
        });
        self.b.ins().stack_store(self.pointer, v, slot, 0);
    }

    /// Stores the error code and arguments into the slot and returns zeros.
    fn raise(
        &mut self,
        id: ir::ErrorId,
        args: &[Value],
        ir_args: &[ir::Value],
    ) -> Result<(), String> {
        if id.0 as usize >= self.func.errors.len() {
            return Err(format!(
                "error id {} is not in the function's error table",
                id.0
            ));
        }
        if args.len() > ERROR_ARGS {
            return Err(format!(
                "raises with {} arguments, at most {ERROR_ARGS} allowed",
                args.len()
            ));
        }
        let code = i64::from(self.error_base + id.0 + 1);
        let code = self.b.ins().iconst(types::I32, code);
        self.b
            .ins()
            .store(slot_flags(), code, self.err, CODE_OFFSET);
        // The class, for `except` clauses of callers around the call (`Op::CallCatch`).
        let site = &self.func.errors[id.0 as usize];
        let tag = runtime::error::error_tag(site.kind, &site.message);
        let tag = self.b.ins().iconst(types::I32, i64::from(tag));
        self.b.ins().store(slot_flags(), tag, self.err, TAG_OFFSET);
        for i in 0..ERROR_ARGS {
            let v = match (
                args.get(i),
                ir_args.get(i).map(|&v| self.func.value_type(v)),
            ) {
                (Some(&v), Some(Ty::I64 | Ty::Ptr)) => v,
                (Some(&v), Some(Ty::I8 | Ty::I16 | Ty::I32)) => self.b.ins().sextend(types::I64, v),
                (Some(&v), Some(Ty::Bool)) => self.b.ins().uextend(types::I64, v),
                (Some(_), Some(ty)) => {
                    return Err(format!("a raise argument must be an integer, not {ty}"));
                }
                _ => self.b.ins().iconst(types::I64, 0),
            };
            self.b.ins().store(slot_flags(), v, self.err, arg_offset(i));
        }
        self.return_zeros();
        Ok(())
    }

    /// Calls a function of the module, then propagates an error it raised.
    /// A call of another function of the module; with `propagate`, an error it raises returns
    /// from this function at once (else it stays in the slot: `Op::CallCatch`).
    fn call(
        &mut self,
        name: &str,
        args: &[Value],
        results: &[ir::Value],
        propagate: bool,
    ) -> Result<(), String> {
        let &(id, index) = self
            .mcx
            .functions
            .get(name)
            .ok_or_else(|| format!("calls unknown function `{name}`"))?;
        let ir = self.mcx.ir;
        let callee = &ir.functions[index];
        if args.len() != callee.params.len() || results.len() != callee.returns.len() {
            return Err(format!(
                "calls `{name}` with {} arguments and {} results; it takes {} and returns {}",
                args.len(),
                results.len(),
                callee.params.len(),
                callee.returns.len()
            ));
        }
        let fref = self.func_ref(id);
        let mut call_args = Vec::with_capacity(args.len() + 1);
        call_args.push(self.err);
        call_args.extend_from_slice(args);
        let call = self.b.ins().call(fref, &call_args);
        for (&r, &v) in results.iter().zip(self.b.inst_results(call)) {
            self.values[r.0 as usize] = Some(v);
        }
        if propagate && self.mcx.may_raise[index] {
            let code = self
                .b
                .ins()
                .load(types::I32, slot_flags(), self.err, CODE_OFFSET);
            let propagate = self.propagate_block();
            let next = self.b.create_block();
            self.b.ins().brif(code, propagate, &[], next, &[]);
            self.b.switch_to_block(next);
        }
        Ok(())
    }

    /// `parallel_for @body(env, count, out, stride)`: passes the chunk function's address to
    /// `runtime::parallel::ferrojit_parallel_for` and propagates an error from any chunk.
    fn parallel_for(&mut self, name: &str, args: &[Value]) -> Result<Value, String> {
        let &[env, count, out, stride] = args else {
            return Err("parallel_for takes (env, count, out, stride)".into());
        };
        let &(body_id, index) = self
            .mcx
            .functions
            .get(name)
            .ok_or_else(|| format!("parallel_for of unknown function `{name}`"))?;
        let chunk = &self.mcx.ir.functions[index];
        if chunk.params != [Ty::Ptr, Ty::I64, Ty::I64, Ty::Ptr] || !chunk.returns.is_empty() {
            return Err(format!(
                "`{name}` is not a chunk function (ptr, i64, i64, ptr) -> ()"
            ));
        }
        let driver = match self.mcx.parallel_for {
            Some(id) => id,
            None => {
                let p = self.pointer;
                let mut sig =
                    cranelift_codegen::ir::Signature::new(self.module.isa().default_call_conv());
                for ty in [p, p, p, types::I64, p, types::I64] {
                    sig.params.push(cranelift_codegen::ir::AbiParam::new(ty));
                }
                sig.returns
                    .push(cranelift_codegen::ir::AbiParam::new(types::I64));
                let id = self
                    .module
                    .declare_function(PARALLEL_FOR_SYMBOL, Linkage::Import, &sig)
                    .map_err(|e| format!("declaring `{PARALLEL_FOR_SYMBOL}`: {e}"))?;
                self.mcx.parallel_for = Some(id);
                id
            }
        };
        let body_ref = self.func_ref(body_id);
        let body_addr = self.b.ins().func_addr(self.pointer, body_ref);
        let driver_ref = self.func_ref(driver);
        let call = self
            .b
            .ins()
            .call(driver_ref, &[body_addr, self.err, env, count, out, stride]);
        let chunks = self.b.inst_results(call)[0];
        let code = self
            .b
            .ins()
            .load(types::I32, slot_flags(), self.err, CODE_OFFSET);
        let propagate = self.propagate_block();
        let next = self.b.create_block();
        self.b.ins().brif(code, propagate, &[], next, &[]);
        self.b.switch_to_block(next);
        Ok(chunks)
    }

    /// For a widening of integer lanes whose operand is an array load earlier in the same
    /// block, with nothing between them that writes memory: the load's address (lowered) and
    /// offset, where the widened half may be loaded again.
    fn reloadable(&self, widen: ir::Inst) -> Option<(Value, i32)> {
        let func = self.func;
        let operand = func.inst(widen).args[0];
        let ir::ValueDef::Result(load, 0) = func.value_def(operand) else {
            return None;
        };
        let Op::Load { offset, .. } = func.inst(load).op else {
            return None;
        };
        let address = func.inst(load).args[0];
        if !func.value_type(operand).is_vector()
            || func.value_type(operand).is_mask()
            || self.is_stack_slot(address)
        {
            return None;
        }
        let insts = &func.block(self.current).insts;
        let from = insts.iter().position(|&i| i == load)?;
        let to = insts.iter().position(|&i| i == widen)?;
        let between = insts.get(from + 1..to)?;
        let writes = between.iter().any(|&i| {
            let op = &func.inst(i).op;
            !op.is_pure() && !matches!(op, Op::Load { .. })
        });
        if writes {
            return None;
        }
        Some((self.value(address).ok()?, offset))
    }

    /// True if every use of the load's result is a widening [`Self::reloadable`] from memory
    /// (all in the load's block).
    fn only_reloaded(&self, load: ir::Inst) -> bool {
        let func = self.func;
        let [result] = func.inst(load).results[..] else {
            return false;
        };
        let ty = func.value_type(result);
        if !ty.is_vector() || ty.is_mask() || self.used_elsewhere[result.0 as usize] {
            return false;
        }
        let mut widened = false;
        for &i in &func.block(self.current).insts {
            let data = func.inst(i);
            let in_targets = data.targets.iter().any(|t| t.args.contains(&result));
            if !data.args.contains(&result) && !in_targets {
                continue;
            }
            if in_targets || !matches!(data.op, Op::Widen { .. }) || self.reloadable(i).is_none() {
                return false;
            }
            widened = true;
        }
        widened
    }

    /// True if `v` is the address of one of this function's stack slots.
    fn is_stack_slot(&self, v: ir::Value) -> bool {
        matches!(
            self.func.value_def(v),
            ir::ValueDef::Result(inst, _) if matches!(self.func.inst(inst).op, Op::StackSlot(_))
        )
    }

    fn call_runtime(
        &mut self,
        f: RuntimeFn,
        args: &[Value],
        ir_args: &[ir::Value],
        result: ir::Value,
    ) -> Result<Value, String> {
        let info = f.describe();
        let arg_types = ir_args.iter().map(|&v| self.func.value_type(v));
        let param_types = info.params.iter().map(|t| match t {
            AbiType::I64 => Ty::I64,
            AbiType::Ptr => Ty::Ptr,
            AbiType::F32 => Ty::F32,
            AbiType::F64 => Ty::F64,
        });
        // Addresses (`ptr`) pass as `i64`, which is what they are on every target we support.
        let same =
            |a: Ty, p: Ty| a == p || matches!((a, p), (Ty::Ptr, Ty::I64) | (Ty::I64, Ty::Ptr));
        let args_match = arg_types.len() == param_types.len()
            && arg_types.zip(param_types).all(|(a, p)| same(a, p));
        if !args_match || self.func.value_type(result) != runtime_result_type(f) {
            return Err(format!(
                "operand or result types do not match `{}`",
                info.symbol
            ));
        }
        let id = match self.mcx.runtime.get(&f) {
            Some(&id) => id,
            None => {
                let sig = runtime_signature(f, self.module.isa().default_call_conv());
                let id = self
                    .module
                    .declare_function(info.symbol, Linkage::Import, &sig)
                    .map_err(|e| format!("declaring `{}`: {e}", info.symbol))?;
                self.mcx.runtime.insert(f, id);
                id
            }
        };
        let fref = self.func_ref(id);
        let call = if info.takes_slot {
            let mut with_slot = Vec::with_capacity(args.len() + 1);
            with_slot.push(self.err);
            with_slot.extend_from_slice(args);
            self.b.ins().call(fref, &with_slot)
        } else {
            self.b.ins().call(fref, args)
        };
        Ok(self.b.inst_results(call)[0])
    }

    /// `!cond`: the opposite comparison when `cond` comes from one (so the branch still lowers
    /// to one compare-and-jump), else `cond == 0`.
    fn negate(&mut self, cond: Value) -> Value {
        if let ValueDef::Result(inst, 0) = self.b.func.dfg.value_def(cond) {
            match self.b.func.dfg.insts[inst] {
                InstructionData::IntCompare {
                    cond: cc,
                    args: [x, y],
                    ..
                } => {
                    return self.b.ins().icmp(cc.complement(), x, y);
                }
                InstructionData::FloatCompare {
                    cond: cc,
                    args: [x, y],
                    ..
                } => {
                    return self.b.ins().fcmp(cc.complement(), x, y);
                }
                _ => {}
            }
        }
        self.b.ins().icmp_imm_u(CIntCC::Equal, cond, 0)
    }

    fn func_ref(&mut self, id: FuncId) -> FuncRef {
        if let Some(&fref) = self.callees.get(&id) {
            return fref;
        }
        let fref = self.module.declare_func_in_func(id, self.b.func);
        self.callees.insert(id, fref);
        fref
    }

    fn propagate_block(&mut self) -> clif::Block {
        *self.propagate.get_or_insert_with(|| {
            let block = self.b.create_block();
            self.b.set_cold_block(block);
            block
        })
    }

    fn return_zeros(&mut self) {
        let zeros: Vec<Value> = self
            .func
            .returns
            .iter()
            .map(|&ty| zero(&mut self.b, clif_type(ty, self.pointer)))
            .collect();
        self.b.ins().return_(&zeros);
    }

    fn target(&self, call: &ir::BlockCall) -> Result<(clif::Block, Vec<BlockArg>), String> {
        let block = self.clif_block(call.block)?;
        let params = self.func.block(call.block).params.len();
        if call.args.len() != params {
            return Err(format!(
                "passes {} arguments to {}, which has {params} parameters",
                call.args.len(),
                call.block
            ));
        }
        let args = call
            .args
            .iter()
            .map(|&v| self.value(v).map(BlockArg::Value))
            .collect::<Result<_, _>>()?;
        Ok((block, args))
    }

    fn clif_block(&self, block: ir::Block) -> Result<clif::Block, String> {
        self.blocks
            .get(block.0 as usize)
            .copied()
            .flatten()
            .ok_or_else(|| format!("{block} is not a reachable block of the layout"))
    }

    fn value(&self, v: ir::Value) -> Result<Value, String> {
        // The reload after the latest call that saved `v` and dominates this use.
        let reload = self.reloads.get(&v).and_then(|rs| {
            rs.iter().rev().find(|r| {
                if r.block == self.current {
                    r.index < self.current_index
                } else {
                    self.dom.dominates(r.block, self.current)
                }
            })
        });
        if let Some(r) = reload {
            return Ok(r.loaded);
        }
        self.values.get(v.0 as usize).copied().flatten().ok_or_else(|| {
            format!("{v} is used where it is not defined (undefined, or its definition does not dominate the use)")
        })
    }

    fn invalid(&self, message: impl Into<String>) -> BackendError {
        BackendError::invalid(&self.func.name, message)
    }
}

/// The blocks reachable from the entry, in reverse postorder (each block after its dominators).
fn reverse_postorder(func: &ir::Function) -> Result<Vec<ir::Block>, BackendError> {
    let entry = func
        .entry()
        .ok_or_else(|| BackendError::invalid(&func.name, "has no blocks"))?;
    let mut in_layout = vec![false; func.blocks.len()];
    for &b in &func.layout {
        match in_layout.get_mut(b.0 as usize) {
            Some(slot) => *slot = true,
            None => {
                return Err(BackendError::invalid(
                    &func.name,
                    format!("layout names missing {b}"),
                ));
            }
        }
    }
    let mut visited = vec![false; func.blocks.len()];
    let mut postorder = Vec::new();
    let mut stack = vec![(entry, 0usize)];
    visited[entry.0 as usize] = true;
    while let Some((block, next)) = stack.pop() {
        let successors = func.successors(block);
        match successors.get(next) {
            Some(&succ) => {
                stack.push((block, next + 1));
                if !in_layout.get(succ.0 as usize).copied().unwrap_or(false) {
                    let message = format!("{block} branches to {succ}, which is not in the layout");
                    return Err(BackendError::invalid(&func.name, message));
                }
                if !visited[succ.0 as usize] {
                    visited[succ.0 as usize] = true;
                    stack.push((succ, 0));
                }
            }
            None => postorder.push(block),
        }
    }
    postorder.reverse();
    Ok(postorder)
}

/// For each call outside loops, the float values that are live across it as far as the
/// dominance of uses tells: defined before the call (their definition dominates it) and used
/// where the call dominates. Why: no float register survives a call (System V), and
/// regalloc2 spills such a value where it is defined; a loop's accumulator used after a later
/// call (`s` summed in a loop, then `out = np.zeros(2); out[0] = s`, or the `return` after
/// the call that frees the temporaries) was stored to the stack on every iteration (such
/// loops ran 5–6× slower). Saved in a stack slot right before the call and reloaded after it,
/// the value's own range ends at the call and the loop keeps it in a register. Calls inside
/// loops are left to regalloc2 (a save there would run every iteration as well).
fn floats_across_calls(
    func: &ir::Function,
    dom: &DomTree,
    loops: &Loops,
) -> HashMap<ir::Inst, Vec<ir::Value>> {
    use ir::passes::util::for_each_use;
    // Where each float value is defined and used: (block, index), -1 for a block parameter.
    let mut defs: HashMap<ir::Value, (ir::Block, isize)> = HashMap::new();
    let mut uses: HashMap<ir::Value, Vec<(ir::Block, isize)>> = HashMap::new();
    let mut calls = Vec::new();
    for &block in &func.layout {
        for &p in &func.block(block).params {
            if func.value_type(p).is_float() {
                defs.insert(p, (block, -1));
            }
        }
        for (i, &inst) in func.block(block).insts.iter().enumerate() {
            let data = func.inst(inst);
            for_each_use(data, |v| {
                if func.value_type(v).is_float() {
                    uses.entry(v).or_default().push((block, i as isize));
                }
            });
            for &r in &data.results {
                if func.value_type(r).is_float() {
                    defs.insert(r, (block, i as isize));
                }
            }
            // (`call_catch` and `parallel_for` end or split the block around their call.)
            let is_call = matches!(data.op, Op::Call(_) | Op::CallRuntime(_));
            if is_call && !loops.in_loop(block) {
                calls.push((inst, block, i as isize));
            }
        }
    }
    // Linear in the code's size for the functions people write; past this, left to regalloc2.
    if calls.len().saturating_mul(defs.len()) > 1 << 20 {
        return HashMap::new();
    }
    let before = |(b, i): (ir::Block, isize), (cb, ci): (ir::Block, isize)| {
        if b == cb {
            i < ci
        } else {
            dom.dominates(b, cb)
        }
    };
    let mut saves = HashMap::new();
    for (inst, cb, ci) in calls {
        let mut live: Vec<ir::Value> = defs
            .iter()
            .filter(|&(v, &def)| {
                before(def, (cb, ci))
                    && uses
                        .get(v)
                        .is_some_and(|us| us.iter().any(|&u| before((cb, ci), u)))
            })
            .map(|(&v, _)| v)
            .collect();
        if !live.is_empty() {
            live.sort_by_key(|v| v.0);
            saves.insert(inst, live);
        }
    }
    saves
}

/// By value index: whether some instruction (or branch argument) in a block other than the
/// value's defining block uses it.
fn values_used_outside_their_block(func: &ir::Function) -> Vec<bool> {
    use ir::passes::util::{def_block, for_each_use, inst_blocks};
    let inst_blocks = inst_blocks(func);
    let mut used_elsewhere = vec![false; func.values.len()];
    for &block in &func.layout {
        for &inst in &func.block(block).insts {
            for_each_use(func.inst(inst), |v| {
                if def_block(func, &inst_blocks, v) != Some(block) {
                    used_elsewhere[v.0 as usize] = true;
                }
            });
        }
    }
    used_elsewhere
}
