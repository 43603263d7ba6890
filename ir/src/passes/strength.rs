//! `strength`: integer multiplications by small constants become shifts and adds.
//!
//! `x * 3`, `x * 5` and `x * 9` become `x + (x << 1|2|3)`, which the x86-64 backend emits as
//! one `lea` (1 cycle) instead of an `imul` (3 cycles): `3 * x + 1` in a Collatz step sits on
//! the loop's critical path. Powers of two are left to the backend (it shifts already); other
//! constants keep their multiplication, which is as fast as two dependent `lea`s.
//!
//! Division and remainder by constants need no pass of ours: lowering writes Python's floor
//! division by a constant as an unsigned division (`lower/operators.rs`), whose divisor the
//! backend turns into a multiplication by its reciprocal (Cranelift's `div_const` rules for
//! `i32`/`i64`).

use crate::function::{Function, Op, Ty, Value, ValueDef};

/// Runs the pass; true if something was rewritten.
pub fn run(func: &mut Function) -> bool {
    let mut changed = false;
    for b in func.layout.clone() {
        let mut insts = Vec::with_capacity(func.block(b).insts.len());
        for inst in func.block(b).insts.clone() {
            let data = func.inst(inst);
            if data.op == Op::Imul
                && let ty = func.value_type(data.results[0])
                && ty.is_int()
                && ty != Ty::Ptr
                && let Some((x, shift)) = small_factor(func, data.args[0], data.args[1])
                    .or_else(|| small_factor(func, data.args[1], data.args[0]))
            {
                let k = func.create_inst(Op::Iconst(shift), Vec::new(), &[ty], Vec::new());
                let k_value = func.inst(k).results[0];
                let shifted = func.create_inst(Op::Ishl, vec![x, k_value], &[ty], Vec::new());
                let (line, col) = (func.inst(inst).line, func.inst(inst).col);
                for new in [k, shifted] {
                    let d = func.inst_mut(new);
                    d.line = line;
                    d.col = col;
                }
                let shifted_value = func.inst(shifted).results[0];
                let d = func.inst_mut(inst);
                d.op = Op::Iadd;
                d.args = vec![x, shifted_value];
                insts.extend([k, shifted]);
                changed = true;
            }
            insts.push(inst);
        }
        func.block_mut(b).insts = insts;
    }
    changed
}

/// `(x, k)` if `c` is the constant `2^k + 1` with `k` in 1..=3.
fn small_factor(func: &Function, x: Value, c: Value) -> Option<(Value, i64)> {
    let ValueDef::Result(inst, 0) = func.value_def(c) else {
        return None;
    };
    match func.inst(inst).op {
        Op::Iconst(3) => Some((x, 1)),
        Op::Iconst(5) => Some((x, 2)),
        Op::Iconst(9) => Some((x, 3)),
        _ => None,
    }
}
