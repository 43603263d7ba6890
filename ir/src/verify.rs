//! The IR verifier: checks that a function (or module) is well formed before a backend or a pass
//! relies on it. The pass manager runs it after every pass when asked (tests, debug builds).
//!
//! Invariants checked, in this order (the first violation is reported):
//!
//! **Structure**
//! 1. The layout is non-empty; every block in it exists and appears once.
//! 2. The entry block's parameters have the function's parameter types; parameters marked as
//!    array descriptors (`ptr arrayNd`) exist and are `ptr`s of a rank from 1 to `MAX_NDIM`.
//! 3. Every block parameter exists and its definition points back at (block, index).
//! 4. Every placed instruction exists and is placed once; every block is non-empty, ends with
//!    a terminator and has no terminator before its end.
//! 5. Every instruction result exists and its definition points back at (instruction, index).
//! 6. Every value used (argument or branch argument) exists and is defined by a parameter of
//!    a block in the layout or a result of a placed instruction.
//!
//! **Per instruction**
//! 7. Operand and result counts fit the op; only `jump` (one) and `brif` (two) have targets.
//! 8. Types fit the op: integer binary ops take two operands of the same integer type (`ptr`
//!    and `i64` may mix) and produce the first one's type, shifts any integer amount; float ops
//!    take and produce one float type; `icmp` compares integers or bools, `fcmp` floats, both
//!    give `bool`; `not`/`and`/`or` are on bools; `select` takes a bool and two arms of its
//!    result type; constants have an integer/float/bool result as their op says.
//! 9. Conversions go the right way: `sext`/`uext` to a strictly wider integer (from a bool to
//!    any integer), `ireduce` to a strictly narrower integer, `fpromote` f32→f64, `fdemote`
//!    f64→f32, `stof`/`utof` integer→float, `ftos`/`ftou` float→integer, `bitcast` between an
//!    integer and a float of the same width (i32↔f32, i64↔f64), `tobool` to bool.
//! 10. `load`'s address and `store`'s address are `ptr` or `i64`; `store` has no result.
//! 11. `call_rt` arguments and result match `RuntimeFn::describe()`.
//! 12. `return` values match the function's return types; `raise` names an error of the table
//!     and passes at most `ERROR_ARGS` (3) `i64` arguments; `brif`'s condition is `bool`.
//! 13. Branch targets are blocks in the layout, with as many arguments as the target has
//!     parameters, of the same types.
//!
//! 15. Vectors (`f64x2`, `f32x4`, `i64x2`, `i32x4`, `i16x8`, `i8x16`) and masks (`m64x2`,
//!     `m32x4`, `m16x8`, `m8x16`) appear only
//!     in lane-wise operations: integer arithmetic/bitwise/min/max on integer vectors
//!     (`uadd_sat`/`usub_sat` only on `i8x16`/`i16x8`, and only on vectors), float
//!     arithmetic on float vectors, shifts of integer vectors by a scalar amount, comparisons of two equal vectors defining their mask,
//!     `not`/`and`/`or` on masks, `select` by a mask (or a bool) between vectors, `stof`
//!     i64x2→f64x2 and i32x4→f32x4, `uext` m64x2→i64x2 and m32x4→i32x4 (a mask as 0/1 lanes),
//!     `splat` of a scalar to its vector, `extractlane` of a
//!     lane in range (its lane type), `load`/`store` of
//!     vectors (of masks only `m8x16`: sixteen `bool` bytes, 0/1 in memory; no `imul` on
//!     `i8x16`: x86 has no byte multiply); never in calls, branches or returns. `splat` always defines a vector.
//!
//! **SSA**
//! 14. In blocks reachable from the entry, every use is dominated by its definition: a result
//!     defined earlier in the same block or in a dominating block, a parameter of the same or
//!     a dominating block (dominators by Cooper–Harvey–Kennedy, see
//!     [`crate::passes::util::DomTree`]). Unreachable blocks are only checked for 1–13.
//!
//! **Modules** ([`verify_module`]): function names are unique, every function verifies, and
//! every `call` names a function of the module with matching argument and result types, and
//! every `parallel_for` names a chunk function `(ptr, i64, i64, ptr) -> ()` of the module.

use crate::function::*;
use crate::passes::util::{DomTree, def_block, for_each_use, inst_blocks};
use crate::print::print_inst;
use runtime::error::ERROR_ARGS;
use runtime::math::AbiType;
use std::fmt;

/// What is wrong, and where: function, block and the offending instruction's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierError {
    pub function: String,
    /// The pass after which verification failed (set by the pass manager).
    pub pass: Option<String>,
    pub block: Option<Block>,
    /// The instruction, printed.
    pub inst: Option<String>,
    pub message: String,
}

impl fmt::Display for VerifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid IR in function @{}", self.function)?;
        if let Some(pass) = &self.pass {
            write!(f, " after pass `{pass}`")?;
        }
        if let Some(block) = self.block {
            write!(f, ", {block}")?;
        }
        if let Some(inst) = &self.inst {
            write!(f, ", at `{inst}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for VerifierError {}

/// Checks every invariant of the module doc for one function (calls are not resolved).
pub fn verify_function(func: &Function) -> Result<(), VerifierError> {
    Verifier { func }.run()
}

/// Verifies every function and every call between them.
pub fn verify_module(module: &Module) -> Result<(), VerifierError> {
    for (i, func) in module.functions.iter().enumerate() {
        if module.functions[..i].iter().any(|f| f.name == func.name) {
            return Err(Verifier { func }.error(None, None, "a function of this name exists"));
        }
        verify_function(func)?;
    }
    for func in &module.functions {
        let v = Verifier { func };
        for &block in &func.layout {
            for &inst in &func.block(block).insts {
                let data = func.inst(inst);
                let (name, args, results) = match &data.op {
                    Op::Call(name) | Op::CallCatch(name) => {
                        (name, v.types(&data.args), v.types(&data.results))
                    }
                    // A chunk function: (env, lo, hi, out) -> ().
                    Op::ParallelFor(name) => {
                        (name, vec![Ty::Ptr, Ty::I64, Ty::I64, Ty::Ptr], vec![])
                    }
                    _ => continue,
                };
                let Some(callee) = module.function(name) else {
                    return Err(v.error(Some(block), Some(inst), format!("no function @{name}")));
                };
                if args != callee.params || results != callee.returns {
                    let message = format!(
                        "@{name} takes ({}) and returns ({}); called with ({}) for ({})",
                        list(&callee.params),
                        list(&callee.returns),
                        list(&args),
                        list(&results)
                    );
                    return Err(v.error(Some(block), Some(inst), message));
                }
            }
        }
    }
    Ok(())
}

struct Verifier<'f> {
    func: &'f Function,
}

fn list(types: &[Ty]) -> String {
    types
        .iter()
        .map(|t| t.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Verifier<'_> {
    fn error(
        &self,
        block: Option<Block>,
        inst: Option<Inst>,
        message: impl Into<String>,
    ) -> VerifierError {
        VerifierError {
            function: self.func.name.clone(),
            pass: None,
            block,
            inst: inst.map(|i| print_inst(self.func, i)),
            message: message.into(),
        }
    }

    /// Types of values already checked to exist.
    fn types(&self, values: &[Value]) -> Vec<Ty> {
        values.iter().map(|&v| self.func.value_type(v)).collect()
    }

    fn run(&self) -> Result<(), VerifierError> {
        let func = self.func;
        let Some(entry) = func.entry() else {
            return Err(self.error(None, None, "the layout is empty"));
        };
        let mut in_layout = vec![false; func.blocks.len()];
        for &block in &func.layout {
            match in_layout.get_mut(block.0 as usize) {
                None => return Err(self.error(None, None, format!("{block} does not exist"))),
                Some(true) => return Err(self.error(Some(block), None, "placed twice")),
                Some(seen) => *seen = true,
            }
        }
        let mut placed = vec![false; func.insts.len()];
        let mut defined = vec![false; func.values.len()];
        for &block in &func.layout {
            self.check_block_structure(block, &mut placed, &mut defined)?;
        }
        let entry_types = self.types(&func.block(entry).params);
        if entry_types != func.params {
            let message = format!(
                "entry parameters ({}) differ from the function's ({})",
                list(&entry_types),
                list(&func.params)
            );
            return Err(self.error(Some(entry), None, message));
        }
        for (i, rank) in func.param_ranks.iter().enumerate() {
            let Some(rank) = *rank else { continue };
            if func.params.get(i) != Some(&Ty::Ptr)
                || !(1..=runtime::array::MAX_NDIM as u32).contains(&rank)
            {
                let message = format!("parameter {i} cannot be an array descriptor of rank {rank}");
                return Err(self.error(Some(entry), None, message));
            }
        }
        for &block in &func.layout {
            for &inst in &func.block(block).insts {
                let fail = |message: String| self.error(Some(block), Some(inst), message);
                let data = func.inst(inst);
                let mut undefined = None;
                for_each_use(data, |v| {
                    if !defined.get(v.0 as usize).copied().unwrap_or(false) {
                        undefined.get_or_insert(v);
                    }
                });
                if let Some(v) = undefined {
                    return Err(fail(format!("{v} is used but not defined")));
                }
                self.check_targets(data, &in_layout).map_err(&fail)?;
                self.check_types(data).map_err(&fail)?;
            }
        }
        self.check_dominance()
    }

    fn check_block_structure(
        &self,
        block: Block,
        placed: &mut [bool],
        defined: &mut [bool],
    ) -> Result<(), VerifierError> {
        let func = self.func;
        let data = func.block(block);
        for (i, &v) in data.params.iter().enumerate() {
            let ok = func.values.get(v.0 as usize).map(|d| d.def)
                == Some(ValueDef::Param(block, i as u32));
            if !ok {
                let message = format!("parameter {i} ({v}) is not defined as this parameter");
                return Err(self.error(Some(block), None, message));
            }
            defined[v.0 as usize] = true;
        }
        if data.insts.is_empty() {
            return Err(self.error(Some(block), None, "the block is empty"));
        }
        for (k, &inst) in data.insts.iter().enumerate() {
            match placed.get_mut(inst.0 as usize) {
                None => {
                    let message = format!("instruction {} does not exist", inst.0);
                    return Err(self.error(Some(block), None, message));
                }
                Some(true) => {
                    return Err(self.error(Some(block), Some(inst), "instruction placed twice"));
                }
                Some(seen) => *seen = true,
            }
            let inst_data = func.inst(inst);
            let last = k + 1 == data.insts.len();
            if inst_data.op.is_terminator() != last {
                let message = if last {
                    "the block does not end with a terminator"
                } else {
                    "terminator before the end of the block"
                };
                return Err(self.error(Some(block), Some(inst), message));
            }
            for (r, &v) in inst_data.results.iter().enumerate() {
                let ok = func.values.get(v.0 as usize).map(|d| d.def)
                    == Some(ValueDef::Result(inst, r as u32));
                if !ok {
                    let message = format!("result {r} ({v}) is not defined as this result");
                    return Err(self.error(Some(block), Some(inst), message));
                }
                defined[v.0 as usize] = true;
            }
        }
        Ok(())
    }

    fn check_targets(&self, data: &InstData, in_layout: &[bool]) -> Result<(), String> {
        let expected = match data.op {
            Op::Jump => 1,
            Op::Brif => 2,
            _ => 0,
        };
        if data.targets.len() != expected {
            let name = crate::print::opcode_name(&data.op);
            return Err(format!(
                "`{name}` needs {expected} target(s), has {}",
                data.targets.len()
            ));
        }
        for target in &data.targets {
            let block = target.block;
            if !in_layout.get(block.0 as usize).copied().unwrap_or(false) {
                return Err(format!("target {block} is not in the layout"));
            }
            let params = self.types(&self.func.block(block).params);
            let args = self.types(&target.args);
            if params != args {
                return Err(format!(
                    "{block} takes ({}) but is passed ({})",
                    list(&params),
                    list(&args)
                ));
            }
        }
        Ok(())
    }

    fn check_types(&self, data: &InstData) -> Result<(), String> {
        use Op::*;
        let args = self.types(&data.args);
        let results = self.types(&data.results);
        let name = crate::print::opcode_name(&data.op);
        let counts = |n_args: usize, n_results: usize| -> Result<(), String> {
            if args.len() != n_args || results.len() != n_results {
                return Err(format!(
                    "`{name}` takes {n_args} operand(s) and defines {n_results} result(s); \
                     here {} and {}",
                    args.len(),
                    results.len()
                ));
            }
            Ok(())
        };
        let need = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_string()) };
        let same_as_first = |ty: Ty| need(ty == args[0], "the result type must be the operand's");
        if args.iter().chain(&results).any(|t| t.is_vector()) {
            return check_vector_types(&data.op, &args, &results, name);
        }
        match &data.op {
            Splat => Err("`splat` defines a vector".to_string()),
            UaddSat | UsubSat => Err(format!("`{name}` is on vectors of 8- or 16-bit lanes")),
            ExtractLane(_) => Err("`extractlane` takes a vector".to_string()),
            Widen { .. } | Pack | PackSat => Err(format!("`{name}` takes vectors")),
            Iconst(_) => {
                counts(0, 1)?;
                need(results[0].is_int(), "iconst defines an integer")
            }
            Fconst(_) => {
                counts(0, 1)?;
                need(results[0].is_float(), "fconst defines a float")
            }
            Bconst(_) => {
                counts(0, 1)?;
                need(results[0] == Ty::Bool, "bconst defines a bool")
            }
            Iadd | Isub | Imul | Sdiv | Udiv | Srem | Urem | Umulhi | Band | Bor | Bxor | Smin
            | Smax | Umin | Umax => {
                counts(2, 1)?;
                need(args[0].is_int(), "operands must be integers")?;
                need(
                    int_compatible(args[0], args[1]),
                    "operands must have the same type",
                )?;
                same_as_first(results[0])
            }
            Ishl | Sshr | Ushr | Rotr => {
                counts(2, 1)?;
                need(
                    args[0].is_int() && args[1].is_int(),
                    "operands must be integers",
                )?;
                same_as_first(results[0])
            }
            Ineg | Bnot | Popcnt => {
                counts(1, 1)?;
                need(args[0].is_int(), "the operand must be an integer")?;
                same_as_first(results[0])
            }
            Icmp(_) => {
                counts(2, 1)?;
                need(
                    args[0].is_int() || args[0] == Ty::Bool,
                    "icmp compares integers or bools",
                )?;
                need(
                    int_compatible(args[0], args[1]),
                    "operands must have the same type",
                )?;
                need(results[0] == Ty::Bool, "icmp defines a bool")
            }
            Fadd | Fsub | Fmul | Fdiv | Fmin | Fmax | Copysign | Fma | Fneg | Fabs | Sqrt
            | Floor | Ceil | Trunc | Nearest => {
                let arity = match data.op {
                    Fma => 3,
                    Fneg | Fabs | Sqrt | Floor | Ceil | Trunc | Nearest => 1,
                    _ => 2,
                };
                counts(arity, 1)?;
                need(args[0].is_float(), "operands must be floats")?;
                need(
                    args.iter().all(|&t| t == args[0]),
                    "operands must have the same type",
                )?;
                same_as_first(results[0])
            }
            Fcmp(_) => {
                counts(2, 1)?;
                need(
                    args[0].is_float() && args[1] == args[0],
                    "fcmp compares two equal floats",
                )?;
                need(results[0] == Ty::Bool, "fcmp defines a bool")
            }
            Not | And | Or => {
                counts(if data.op == Not { 1 } else { 2 }, 1)?;
                let all_bool = args.iter().chain(&results).all(|&t| t == Ty::Bool);
                need(all_bool, "operands and result must be bools")
            }
            Sext | Uext | Ireduce | ToBool | Fpromote | Fdemote | SToF | UToF | FToS | FToU
            | Bitcast => {
                counts(1, 1)?;
                let (from, to) = (args[0], results[0]);
                let ok = conversion_ok(&data.op, from, to);
                need(ok, &format!("`{name}` cannot convert {from} to {to}"))
            }
            Select => {
                counts(3, 1)?;
                need(args[0] == Ty::Bool, "the condition must be a bool")?;
                need(args[1] == args[2], "both arms must have the same type")?;
                need(results[0] == args[1], "the result type must be the arms'")
            }
            Load { .. } => {
                counts(1, 1)?;
                need(
                    matches!(args[0], Ty::Ptr | Ty::I64),
                    "the address must be ptr or i64",
                )
            }
            Store { .. } => {
                counts(2, 0)?;
                need(
                    matches!(args[0], Ty::Ptr | Ty::I64),
                    "the address must be ptr or i64",
                )
            }
            CallRuntime(f) => {
                let info = f.describe();
                let params: Vec<Ty> = info.params.iter().map(|&t| abi_type(t)).collect();
                let args_match = args.len() == params.len()
                    && args
                        .iter()
                        .zip(&params)
                        .all(|(&a, &p)| int_compatible(a, p));
                if !args_match || results != [abi_type(info.result)] {
                    return Err(format!(
                        "`{}` takes ({}) and returns {}",
                        f.ir_name(),
                        list(&params),
                        abi_type(info.result)
                    ));
                }
                Ok(())
            }
            Call(_) | CallCatch(_) => Ok(()),
            StackSlot(_) => {
                counts(0, 1)?;
                need(results[0] == Ty::Ptr, "stack_slot defines a ptr")
            }
            ParallelFor(_) => {
                counts(4, 1)?;
                need(
                    args[0] == Ty::Ptr
                        && args[1] == Ty::I64
                        && args[2] == Ty::Ptr
                        && args[3] == Ty::I64
                        && results[0] == Ty::I64,
                    "parallel_for takes (ptr, i64, ptr, i64) and defines an i64",
                )
            }
            Jump => counts(0, 0),
            Brif => {
                counts(1, 0)?;
                need(args[0] == Ty::Bool, "the condition must be a bool")
            }
            Return => {
                if args != self.func.returns || !results.is_empty() {
                    return Err(format!(
                        "returns ({}) but the function returns ({})",
                        list(&args),
                        list(&self.func.returns)
                    ));
                }
                Ok(())
            }
            Raise(id) => {
                need(results.is_empty(), "raise defines no results")?;
                need(
                    (id.0 as usize) < self.func.errors.len(),
                    "no such error in the table",
                )?;
                need(args.len() <= ERROR_ARGS, "raise passes at most 3 arguments")?;
                need(
                    args.iter().all(|&t| t == Ty::I64),
                    "raise arguments must be i64",
                )
            }
        }
    }

    fn check_dominance(&self) -> Result<(), VerifierError> {
        let func = self.func;
        let domtree = DomTree::compute(func);
        let inst_blocks = inst_blocks(func);
        let mut position = vec![0usize; func.insts.len()];
        for &block in &func.layout {
            for (k, &inst) in func.block(block).insts.iter().enumerate() {
                position[inst.0 as usize] = k;
            }
        }
        for &block in domtree.rpo() {
            for (k, &inst) in func.block(block).insts.iter().enumerate() {
                let mut bad = None;
                for_each_use(func.inst(inst), |v| {
                    let Some(def) = def_block(func, &inst_blocks, v) else {
                        return;
                    };
                    let ok = match func.value_def(v) {
                        ValueDef::Result(d, _) if def == block => position[d.0 as usize] < k,
                        _ => domtree.dominates(def, block),
                    };
                    if !ok && bad.is_none() {
                        bad = Some((v, def));
                    }
                });
                if let Some((v, def)) = bad {
                    let message =
                        format!("{v} is defined in {def}, which does not dominate this use");
                    return Err(self.error(Some(block), Some(inst), message));
                }
            }
        }
        Ok(())
    }
}

/// Invariant 15: an instruction with a vector operand or result is one of the lane-wise
/// operations the vectorizer makes and every backend lowers.
fn check_vector_types(op: &Op, args: &[Ty], results: &[Ty], name: &str) -> Result<(), String> {
    use Op::*;
    let need = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_string()) };
    let Some(&first) = args.first() else {
        return Err(format!("`{name}` has no vector form"));
    };
    let one_result = |ty: Ty| need(results == [ty], "the result type is wrong for the operands");
    let all_same = || {
        need(
            args.iter().all(|&t| t == first),
            "operands must have the same type",
        )
    };
    match op {
        Iadd | Isub | Imul | Band | Bor | Bxor | Smin | Smax | Umin | Umax | Ineg | Bnot => {
            need(
                matches!(first, Ty::I64X2 | Ty::I32X4 | Ty::I16X8 | Ty::I8X16),
                "operands must be integer vectors",
            )?;
            // x86 has no byte multiply (`pmullb`): no backend lowers it.
            need(
                !(*op == Imul && first == Ty::I8X16),
                "i8x16 has no lane-wise multiply",
            )?;
            all_same()?;
            one_result(first)
        }
        UaddSat | UsubSat => {
            need(
                matches!(first, Ty::I16X8 | Ty::I8X16) && args.len() == 2,
                "saturating arithmetic is on i8x16 and i16x8",
            )?;
            all_same()?;
            one_result(first)
        }
        Ishl | Sshr | Ushr => {
            let ok =
                matches!(first, Ty::I64X2 | Ty::I32X4 | Ty::I16X8 | Ty::I8X16) && args.len() == 2;
            need(
                ok && args[1].is_int(),
                "shifts an integer vector by a scalar amount",
            )?;
            one_result(first)
        }
        Fadd | Fsub | Fmul | Fdiv | Fmin | Fmax | Fma | Fneg | Fabs | Sqrt | Floor | Ceil
        | Trunc | Nearest => {
            need(
                matches!(first, Ty::F64X2 | Ty::F32X4),
                "operands must be float vectors",
            )?;
            all_same()?;
            one_result(first)
        }
        Icmp(_) | Fcmp(_) => {
            let float = matches!(op, Fcmp(_));
            let ok = args.len() == 2 && first.is_vector() && first.lane().is_float() == float;
            need(ok && !first.is_mask(), "compares two vectors of numbers")?;
            all_same()?;
            one_result(first.compare_result())
        }
        Not | And | Or => {
            need(first.is_mask(), "operands must be masks")?;
            all_same()?;
            one_result(first)
        }
        Select => {
            let ok = args.len() == 3
                && args[1].is_vector()
                && args[1] == args[2]
                && (args[0] == Ty::Bool || args[0] == args[1].compare_result());
            need(
                ok,
                "select takes a bool or a mask and two vector arms of one type",
            )?;
            one_result(args[1])
        }
        Uext => {
            // A mask's lanes as 0/1 integers (`c + int(a[i] > t)`).
            let ok = matches!(
                (first, results),
                (Ty::M64X2, [Ty::I64X2])
                    | (Ty::M32X4, [Ty::I32X4])
                    | (Ty::M16X8, [Ty::I16X8])
                    | (Ty::M8X16, [Ty::I8X16])
            );
            need(
                ok && args.len() == 1,
                "uext converts a mask to the integer vector of its lanes (m64x2 → i64x2, …)",
            )
        }
        SToF => {
            let ok = matches!(
                (first, results),
                (Ty::I64X2, [Ty::F64X2]) | (Ty::I32X4, [Ty::F32X4])
            );
            need(
                ok && args.len() == 1,
                "stof converts i64x2 → f64x2 or i32x4 → f32x4",
            )
        }
        ExtractLane(lane) => {
            let ok = args.len() == 1 && (*lane as u32) < first.lanes();
            need(ok, "extractlane takes a lane of its vector operand")?;
            one_result(first.lane())
        }
        Widen { .. } => {
            let ok = args.len() == 1 && results.len() == 1 && first.widened() == Some(results[0]);
            need(
                ok,
                "a widening takes an integer vector or mask of 8- to 32-bit lanes and defines \
                 the vector of lanes twice as wide",
            )
        }
        Pack | PackSat => {
            let ok = args.len() == 2
                && results.len() == 1
                && args[0] == args[1]
                && first.packed() == Some(results[0]);
            need(
                ok,
                "pack takes two integer vectors or masks of one type with 16- to 64-bit lanes \
                 and defines the vector of lanes half as wide",
            )
        }
        Splat => {
            let ok = args.len() == 1 && results.len() == 1 && first.vector() == Some(results[0]);
            need(ok, "splat makes a vector of its scalar operand's lanes")
        }
        // A `bool` array's elements are bytes 0/1: sixteen of them load as an `m8x16` mask and
        // a mask of 16 lanes stores as 0/1 bytes; wider masks have no memory form.
        Load { .. } => {
            let ok = args.len() == 1
                && results.len() == 1
                && (!results[0].is_mask() || results[0] == Ty::M8X16);
            need(
                ok && matches!(first, Ty::Ptr | Ty::I64),
                "the address must be ptr or i64",
            )
        }
        Store { .. } => {
            let ok = args.len() == 2
                && results.is_empty()
                && (!args[1].is_mask() || args[1] == Ty::M8X16);
            need(
                ok && matches!(first, Ty::Ptr | Ty::I64),
                "the address must be ptr or i64",
            )
        }
        Jump | Brif | Return | Raise(_) | Call(_) => Err(format!(
            "`{name}` cannot pass vectors (they live inside one function's loops)"
        )),
        _ => Err(format!("`{name}` has no vector form")),
    }
}

/// `ptr` and `i64` are interchangeable as integer operands (addresses are computed in i64).
fn int_compatible(a: Ty, b: Ty) -> bool {
    a == b || matches!((a, b), (Ty::Ptr, Ty::I64) | (Ty::I64, Ty::Ptr))
}

fn conversion_ok(op: &Op, from: Ty, to: Ty) -> bool {
    let int = |t: Ty| t.is_int();
    match op {
        Op::Sext | Op::Uext => {
            int(to) && (from == Ty::Bool || (int(from) && to.bits() > from.bits()))
        }
        Op::Ireduce => int(from) && int(to) && to.bits() < from.bits(),
        Op::ToBool => to == Ty::Bool && (int(from) || from.is_float() || from == Ty::Bool),
        Op::Fpromote => from == Ty::F32 && to == Ty::F64,
        Op::Fdemote => from == Ty::F64 && to == Ty::F32,
        Op::SToF | Op::UToF => int(from) && to.is_float(),
        Op::FToS | Op::FToU => from.is_float() && int(to),
        Op::Bitcast => matches!(
            (from, to),
            (Ty::I32, Ty::F32) | (Ty::F32, Ty::I32) | (Ty::I64, Ty::F64) | (Ty::F64, Ty::I64)
        ),
        _ => false,
    }
}

/// The IR type of a runtime-function ABI type.
pub fn abi_type(t: AbiType) -> Ty {
    match t {
        AbiType::I64 => Ty::I64,
        AbiType::Ptr => Ty::Ptr,
        AbiType::F32 => Ty::F32,
        AbiType::F64 => Ty::F64,
    }
}
