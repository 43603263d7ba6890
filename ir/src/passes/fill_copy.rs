//! Fill, copy and square-root loops handed to the runtime (`runtime::fill_copy`): the
//! `memset`/`memmove` idiom, element-wise square roots, whose packed instruction takes about
//! as long at 512 bits as at Cranelift's 128 (four times the elements per instruction), and
//! BLAS's `axpy` (`d[j] += s * x[j]`, the inner loop of an i-k-j matrix product and of column
//! sums), at eight `f64` lanes instead of two. Sums and products are rounded one by one as in
//! the loop (no fused multiply-add); operands keep their places except that the runtime adds
//! `d + s * x` whatever order the loop wrote, which can only change which of two NaN payloads
//! survives.
//!
//! A loop whose only effect is one store per iteration at consecutive elements, of a value
//! that is the same in every iteration (`flags[i] = True`, `row[j] = 0.0`) or of the element
//! at the same position of another array (`out[i] = a[i]`, `dst[i] = src[i + k]`), is one call
//! that stores with the widest instructions the CPU has (`memset`, `memmove`, or rustc's
//! vectorised loops for 2-, 4- and 8-byte patterns):
//!
//! | loop body (`w` the element size, 1, 2, 4 or 8 bytes) | call |
//! |---|---|
//! | `store d + i*w, v`, `v` the same in every iteration | `fill_<8w> d', bits(v), k` |
//! | `store d + i*w, (load s + i*w)`, the same type (not `bool`) | `copy_<8w> d', s', k` |
//! | `store d + i*w, sqrt(load s + i*w)`, `f64` or `f32` | `sqrt_f<8w> d', s', k` |
//! | `store d + i*w, (load s + i*w) / u`, `f64` or `f32` (`u` uniform) | `div_f<8w> d', s', u, k` |
//! | `store d + i*w, (load d + i*w) + u * (load s + i*w)`, `f64` or `f32` (`u` uniform, or no product) | `axpy_f<8w> d', s', u (1.0), k` |
//!
//! `d'`/`s'` are the addresses of the first iteration, `k` the number of iterations, and
//! `bits(v)` the value's bits as an `i64` (bools 0/1, floats bit-cast). A copy keeps the loop's
//! forward order where the arrays overlap: the runtime copies element by element when the
//! destination starts inside the source after its start, else with `memmove`. Results are
//! bitwise the loop's.
//!
//! The loop must be one block `L(.., i, ..)` ending in `brif (i + 1 < n), L(..), X(..)` with
//! `n` defined outside it and every other parameter passed through unchanged. Besides the loop
//! control, the store and the copied load, it may only compute values that are the same in
//! every iteration (from values defined outside `L`, read-only loads (array descriptors) and
//! pure operations) or addresses affine in `i` (`+`, `-`, `*` by a constant); the element
//! addresses must advance by exactly the element size per iteration. [`explain`] says for each
//! loop what it is or why it is refused (golden tests check the reasons).
//!
//! `L` then becomes straight-line code, as in [`super::reductions`]: its instructions compute
//! the first iteration's addresses, `k = n - i` if `i < n`, else 1 (the body runs once before
//! its first test), the call, and a jump to `X` where `i + 1` becomes `i + k`.
//!
//! A loop around one of the `axpy` calls made (the `k` loop of an i-k-j matrix product) then
//! runs four iterations per call of the runtime's `axpy4` ([`jam`]).

use super::util::{const_of, def_inst, defined_in};
use crate::function::{Block, BlockCall, Function, Inst, IntCC, Op, Ty, Value};

mod jam;
use runtime::math::RuntimeFn;
use std::collections::HashMap;

/// Runs the pass. True if a loop was replaced.
pub fn run(func: &mut Function) -> bool {
    let mut changed = false;
    for l in func.layout.clone() {
        if let Ok(plan) = analyze(func, l) {
            rewrite(func, l, plan);
            changed = true;
        }
    }
    // A loop around an `axpy` (the `k` loop of an i-k-j product), four iterations a call.
    if changed {
        jam::run(func);
    }
    changed
}

/// For every loop-shaped block (a block branching to itself): `fill` or `copy` when the pass
/// replaces it, else why not. For golden tests and dumps.
pub fn explain(func: &Function) -> Vec<(Block, Result<&'static str, String>)> {
    func.layout
        .iter()
        .copied()
        .filter(|&b| func.successors(b).contains(&b))
        .map(|b| {
            let what = analyze(func, b).map(|p| match p.source {
                Source::Fill(_) => "fill",
                Source::Copy { sqrt: false, .. } => "copy",
                Source::Copy { sqrt: true, .. } => "sqrt",
                Source::Axpy { .. } => "axpy",
                Source::Divide { .. } => "divide",
            });
            (b, what)
        })
        .collect()
}

/// What a value of the loop is, per iteration.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Kind {
    /// The same in every iteration.
    Uniform,
    /// `u + factor * i` with `u` uniform.
    Affine(i64),
    /// An element loaded at an address that advances.
    Element,
    /// Computed from loaded elements (a square root, a scaled sum).
    Computed,
}

/// What the store writes.
enum Source {
    /// A value the same in every iteration.
    Fill(Value),
    /// The element loaded at `addr + offset`, or its square root.
    Copy {
        addr: Value,
        offset: i32,
        sqrt: bool,
    },
    /// The element at `addr + offset` divided by a value the same in every iteration.
    Divide {
        addr: Value,
        offset: i32,
        divisor: Value,
    },
    /// The stored element plus the element at `addr + offset` times `scale` (1 when absent):
    /// `d[i] += s * x[i]`, `d[i] += x[i]`.
    Axpy {
        addr: Value,
        offset: i32,
        scale: Option<Value>,
    },
}

struct Plan {
    routine: RuntimeFn,
    /// The store's address and offset.
    dst: Value,
    dst_offset: i32,
    source: Source,
    /// The stored value's type.
    ty: Ty,
    /// Instructions kept in `L`, in order: the first iteration's uniform values and addresses.
    kept: Vec<Inst>,
    i: Value,
    n: Value,
    one: Value,
    next_i: Value,
    exit: Block,
    exit_args: Vec<Value>,
}

fn analyze(func: &Function, l: Block) -> Result<Plan, String> {
    let block = func.block(l);
    let super::util::CountedLoop {
        term,
        cmp,
        i_index,
        i,
        next_i,
        n,
        one,
    } = super::util::counted_loop(func, l)?;
    let t = func.inst(term);
    let c = func.inst(cmp);
    let in_body = |v: Value| defined_in(func, l, v);
    let back = &t.targets[0];
    for (k, (&arg, &param)) in back.args.iter().zip(&block.params).enumerate() {
        if k != i_index && arg != param {
            return Err(format!("{param} is carried from one iteration to the next"));
        }
    }

    let mut kinds: HashMap<Value, Kind> = HashMap::new();
    kinds.insert(i, Kind::Affine(1));
    let kind =
        |kinds: &HashMap<Value, Kind>, v: Value| kinds.get(&v).copied().unwrap_or(Kind::Uniform);
    let mut store: Option<(Value, i32, Value)> = None;
    // Loads at advancing addresses (address, offset, element), and the operations on them.
    let mut loads: Vec<(Value, i32, Value)> = Vec::new();
    let mut element_ops: Vec<Inst> = Vec::new();
    let mut kept = Vec::new();
    for &inst in &block.insts {
        // (The increment stays: an address may use `i + 1` too.)
        if inst == term || inst == cmp {
            continue;
        }
        let d = func.inst(inst);
        let arg_kinds: Vec<Kind> = d.args.iter().map(|&v| kind(&kinds, v)).collect();
        if d.args.contains(&c.results[0]) {
            return Err("the loop condition is used in the body".into());
        }
        let on_elements = arg_kinds
            .iter()
            .any(|k| matches!(k, Kind::Element | Kind::Computed));
        if on_elements && !matches!(d.op, Op::Store { .. }) {
            // Checked against the shapes the runtime has after the loop.
            if !matches!(d.op, Op::Sqrt | Op::Fadd | Op::Fmul | Op::Fdiv) {
                return Err("the loaded element is used for more than its store".into());
            }
            element_ops.push(inst);
            kinds.insert(d.results[0], Kind::Computed);
            continue;
        }
        // The byte size of an element at an address advancing by `factor` bytes per iteration.
        let consecutive = |k: Kind, ty: Ty| -> Result<(), String> {
            let size = i64::from(ty.bits() / 8);
            match k {
                Kind::Affine(f) if f == size && !ty.is_vector() => Ok(()),
                Kind::Affine(f) => Err(format!(
                    "an address advances by {f} bytes per iteration, not the element size {size}"
                )),
                _ => Err("an address is the same in every iteration".into()),
            }
        };
        match &d.op {
            Op::Store { offset } => {
                if store.is_some() {
                    return Err("more than one store".into());
                }
                let ty = func.value_type(d.args[1]);
                consecutive(arg_kinds[0], ty)?;
                if matches!(arg_kinds[0], Kind::Element | Kind::Computed) {
                    return Err("an address depends on a loaded element".into());
                }
                match arg_kinds[1] {
                    Kind::Uniform | Kind::Element | Kind::Computed => {}
                    Kind::Affine(_) => return Err("the stored value depends on the index".into()),
                }
                store = Some((d.args[0], *offset, d.args[1]));
            }
            Op::Load { offset, readonly } => match arg_kinds[0] {
                // Array descriptors never change: the value is the same in every iteration.
                Kind::Uniform if *readonly => kept.push(inst),
                Kind::Uniform => {
                    return Err(
                        "a load of one address in every iteration (the store may change it)".into(),
                    );
                }
                Kind::Element | Kind::Computed => {
                    return Err("an address depends on a loaded element".into());
                }
                k => {
                    if loads.len() == 2 {
                        return Err("more than two loads at addresses that advance".into());
                    }
                    consecutive(k, func.value_type(d.results[0]))?;
                    loads.push((d.args[0], *offset, d.results[0]));
                    kinds.insert(d.results[0], Kind::Element);
                }
            },
            op if d.results.len() != 1 || op.value_operand_count().is_none() => {
                let what = crate::print::opcode_name(op);
                return Err(format!("`{what}` in the loop"));
            }
            op => {
                let affine = |k: Kind| match k {
                    Kind::Affine(f) => Some(f),
                    _ => Some(0),
                };
                let result = if arg_kinds.iter().all(|k| *k == Kind::Uniform) {
                    Kind::Uniform
                } else {
                    let (f0, f1) = (
                        affine(arg_kinds[0]),
                        arg_kinds.get(1).and_then(|&k| affine(k)),
                    );
                    let factor = match (op, f0, f1) {
                        (Op::Iadd, Some(x), Some(y)) => x.checked_add(y),
                        (Op::Isub, Some(x), Some(y)) => x.checked_sub(y),
                        (Op::Imul, Some(x), _) if arg_kinds[1] == Kind::Uniform => {
                            const_of(func, d.args[1]).and_then(|k| x.checked_mul(k))
                        }
                        (Op::Imul, _, Some(y)) if arg_kinds[0] == Kind::Uniform => {
                            const_of(func, d.args[0]).and_then(|k| y.checked_mul(k))
                        }
                        _ => None,
                    };
                    Kind::Affine(factor.ok_or("the index is used as a number")?)
                };
                kinds.insert(d.results[0], result);
                kept.push(inst);
            }
        }
    }
    let (dst, dst_offset, value) = store.ok_or("nothing is stored")?;
    let ty = func.value_type(value);
    let source = stored_source(func, &loads, &element_ops, (dst, dst_offset, value))?;
    if ty == Ty::Bool && matches!(source, Source::Copy { .. }) {
        // A bool load reads bit 0 of its byte; a byte copy would keep the whole byte.
        return Err("a copy of bools".into());
    }
    let routine = match (&source, ty.bits()) {
        _ if ty == Ty::Ptr => return Err("the stored value is a pointer".into()),
        (Source::Fill(_), 8) => RuntimeFn::Fill8,
        (Source::Fill(_), 16) => RuntimeFn::Fill16,
        (Source::Fill(_), 32) => RuntimeFn::Fill32,
        (Source::Fill(_), 64) => RuntimeFn::Fill64,
        (Source::Copy { sqrt: true, .. }, _) if ty == Ty::F64 => RuntimeFn::SqrtF64,
        (Source::Copy { sqrt: true, .. }, _) if ty == Ty::F32 => RuntimeFn::SqrtF32,
        (Source::Copy { sqrt: true, .. }, _) => return Err(format!("no square root of {ty}")),
        (Source::Copy { .. }, 8) => RuntimeFn::Copy8,
        (Source::Copy { .. }, 16) => RuntimeFn::Copy16,
        (Source::Copy { .. }, 32) => RuntimeFn::Copy32,
        (Source::Copy { .. }, 64) => RuntimeFn::Copy64,
        (Source::Axpy { .. }, _) if ty == Ty::F64 => RuntimeFn::AxpyF64,
        (Source::Axpy { .. }, _) if ty == Ty::F32 => RuntimeFn::AxpyF32,
        (Source::Divide { .. }, _) if ty == Ty::F64 => RuntimeFn::DivF64,
        (Source::Divide { .. }, _) if ty == Ty::F32 => RuntimeFn::DivF32,
        _ => return Err(format!("no fill or copy of {ty}")),
    };
    // The exit sees only values the straight-line block still computes: those from outside,
    // passed-through parameters, uniform values, and the next index (`i + k`).
    let still_computed =
        |v: Value| !in_body(v) || (v != c.results[0] && kind(&kinds, v) == Kind::Uniform);
    let exit = &t.targets[1];
    for &a in &exit.args {
        if a != next_i && !still_computed(a) {
            return Err(format!(
                "{a}, which changes with the index, is used after the loop"
            ));
        }
    }
    if let Some(v) = super::util::uses_outside(func, l).find(|&v| in_body(v) && !still_computed(v))
    {
        return Err(format!(
            "{v}, which changes with the index, is used after the loop"
        ));
    }
    Ok(Plan {
        routine,
        dst,
        dst_offset,
        source,
        ty,
        kept,
        i,
        n,
        one,
        next_i,
        exit: exit.block,
        exit_args: exit.args.clone(),
    })
}

/// What the store writes, from the loads at advancing addresses and the operations on their
/// elements (each used once, all of them part of the stored value): nothing loaded (a fill),
/// one element (a copy) or its square root, or the element of the stored place plus another
/// one, possibly times a value the same in every iteration (`axpy`).
fn stored_source(
    func: &Function,
    loads: &[(Value, i32, Value)],
    element_ops: &[Inst],
    (dst, dst_offset, value): (Value, i32, Value),
) -> Result<Source, String> {
    let loaded = |v: Value| loads.iter().position(|l| l.2 == v);
    let op_of = |v: Value| {
        def_inst(func, v)
            .filter(|i| element_ops.contains(i))
            .map(|i| func.inst(i))
    };
    let refuse = || -> Result<Source, String> {
        Err(
            "the stored value is not a copy, square root, quotient or axpy of the loaded elements"
                .into(),
        )
    };
    let float = matches!(func.value_type(value), Ty::F64 | Ty::F32);
    match (loads, element_ops.len()) {
        ([], 0) => Ok(Source::Fill(value)),
        ([(addr, offset, element)], 0) if *element == value => Ok(Source::Copy {
            addr: *addr,
            offset: *offset,
            sqrt: false,
        }),
        ([(addr, offset, element)], 1) => match op_of(value) {
            Some(d) if d.op == Op::Sqrt && d.args[0] == *element => Ok(Source::Copy {
                addr: *addr,
                offset: *offset,
                sqrt: true,
            }),
            Some(d)
                if d.op == Op::Fdiv
                    && d.args[0] == *element
                    && loaded(d.args[1]).is_none()
                    && op_of(d.args[1]).is_none() =>
            {
                Ok(Source::Divide {
                    addr: *addr,
                    offset: *offset,
                    divisor: d.args[1],
                })
            }
            _ => Err("the loaded element is used for more than its store".into()),
        },
        ([_, _], n @ (1 | 2)) if float => {
            let Some(sum) = op_of(value).filter(|d| d.op == Op::Fadd) else {
                return refuse();
            };
            // One operand is the element of the stored place, the other the added term.
            let at_store =
                |v: Value| loaded(v).filter(|&k| loads[k].0 == dst && loads[k].1 == dst_offset);
            let (acc, term) = match (at_store(sum.args[0]), at_store(sum.args[1])) {
                (Some(k), None) => (k, sum.args[1]),
                (None, Some(k)) => (k, sum.args[0]),
                _ => return refuse(),
            };
            let other = 1 - acc;
            let uniform = |v: Value| loaded(v).is_none() && op_of(v).is_none();
            let (x, scale) = match op_of(term) {
                None if n == 1 => (term, None),
                Some(d) if n == 2 && d.op == Op::Fmul && uniform(d.args[1]) => {
                    (d.args[0], Some(d.args[1]))
                }
                Some(d) if n == 2 && d.op == Op::Fmul && uniform(d.args[0]) => {
                    (d.args[1], Some(d.args[0]))
                }
                _ => return refuse(),
            };
            if loaded(x) != Some(other) {
                return refuse();
            }
            Ok(Source::Axpy {
                addr: loads[other].0,
                offset: loads[other].1,
                scale,
            })
        }
        _ => refuse(),
    }
}

fn rewrite(func: &mut Function, l: Block, plan: Plan) {
    let term = func.terminator(l).expect("the loop block is terminated");
    let (line, col) = (func.inst(term).line, func.inst(term).col);
    let mut insts = plan.kept.clone();
    let mut emit = |func: &mut Function, op: Op, args: Vec<Value>, ty: Ty| -> Value {
        let inst = func.create_inst(op, args, &[ty], Vec::new());
        let d = func.inst_mut(inst);
        (d.line, d.col) = (line, col);
        insts.push(inst);
        func.inst(inst).results[0]
    };
    // The body runs once before its first test: n - i iterations if i < n, else 1 (no wrapping
    // subtraction decides it).
    let diff = emit(func, Op::Isub, vec![plan.n, plan.i], Ty::I64);
    let more = emit(func, Op::Icmp(IntCC::Slt), vec![plan.i, plan.n], Ty::Bool);
    let count = emit(func, Op::Select, vec![more, diff, plan.one], Ty::I64);
    let mut at = |func: &mut Function, addr: Value, offset: i32| {
        if offset == 0 {
            return addr;
        }
        let k = emit(func, Op::Iconst(i64::from(offset)), vec![], Ty::I64);
        emit(func, Op::Iadd, vec![addr, k], Ty::Ptr)
    };
    let dst = at(func, plan.dst, plan.dst_offset);
    let second = match plan.source {
        Source::Copy { addr, offset, .. }
        | Source::Axpy { addr, offset, .. }
        | Source::Divide { addr, offset, .. } => at(func, addr, offset),
        Source::Fill(v) => match func.value_type(v) {
            Ty::I64 => v,
            Ty::F64 => emit(func, Op::Bitcast, vec![v], Ty::I64),
            Ty::F32 => {
                let bits = emit(func, Op::Bitcast, vec![v], Ty::I32);
                emit(func, Op::Uext, vec![bits], Ty::I64)
            }
            _ => emit(func, Op::Uext, vec![v], Ty::I64),
        },
    };
    let mut args = vec![dst, second];
    match plan.source {
        // `d + x` as `d + 1.0 * x`: multiplying by one changes no bit of `x`.
        Source::Axpy { scale, .. } => args.push(match scale {
            Some(s) => s,
            None => emit(func, Op::Fconst(1.0), vec![], plan.ty),
        }),
        Source::Divide { divisor, .. } => args.push(divisor),
        _ => {}
    }
    args.push(count);
    emit(func, Op::CallRuntime(plan.routine), args, Ty::I64);
    let mut exit_args = plan.exit_args.clone();
    if exit_args.contains(&plan.next_i) {
        let end = emit(func, Op::Iadd, vec![plan.i, count], Ty::I64);
        exit_args
            .iter_mut()
            .filter(|v| **v == plan.next_i)
            .for_each(|v| *v = end);
    }
    let jump = func.create_inst(
        Op::Jump,
        Vec::new(),
        &[],
        vec![BlockCall {
            block: plan.exit,
            args: exit_args,
        }],
    );
    let d = func.inst_mut(jump);
    (d.line, d.col) = (line, col);
    insts.push(jump);
    func.block_mut(l).insts = insts;
}
