//! A reference interpreter for the IR, for tests only: runs a function of a module on
//! concrete arguments and a byte-array memory, so a pass can be checked to keep behaviour
//! (differential testing: the function before and after the pass must agree).
//!
//! Written from the op docs in `function.rs`, independently of `constfold`, so that the two
//! disagree if either misreads them. Pointers are offsets into [`Memory`]; an access outside it
//! is a fault. Division traps are faults. Every run has fuel (instructions executed).
//!
//! Vectors are what the IR says they are: one scalar per lane, each operation the scalar
//! operation applied lane by lane (a mask lane is a bool; `splat` copies its operand to every
//! lane; a vector load or store is one access per lane at consecutive elements). Their lanes
//! live beside the scalar environment, so the scalar semantics are written once.

use ir::{Block, FloatCC, Function, IntCC, Module, Op, Ty, Value};
use runtime::math::RuntimeFn;

/// Raw bits of a value: integers sign-extended from their width, bools 0/1, floats as the
/// bits of an `f64` holding the (exactly representable, for f32) value.
pub type Bits = u64;

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Return(Vec<Bits>),
    Raise(u32, Vec<i64>),
    /// Memory access out of bounds, division trap, or unsupported runtime function.
    Fault(String),
    OutOfFuel,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Memory(pub Vec<u8>);

pub fn float_bits(x: f64) -> Bits {
    x.to_bits()
}

fn sext(v: i64, bits: u32) -> i64 {
    if bits >= 64 {
        v
    } else {
        (v << (64 - bits)) >> (64 - bits)
    }
}

fn zext(v: i64, bits: u32) -> u64 {
    if bits >= 64 {
        v as u64
    } else {
        v as u64 & ((1u64 << bits) - 1)
    }
}

/// Runs `name` in `module`.
pub fn run(
    module: &Module,
    name: &str,
    args: &[Bits],
    mem: &mut Memory,
    fuel: &mut u64,
) -> Outcome {
    let Some(func) = module.function(name) else {
        return Outcome::Fault(format!("no @{name}"));
    };
    // Stack slots live past the end of the caller's memory until the function returns.
    let len = mem.0.len();
    CONTRACT.with(|c| *c.borrow_mut() = Default::default());
    let outcome = match run_function(module, func, args, mem, fuel) {
        Ok(outcome) | Err(outcome) => outcome,
    };
    mem.0.truncate(len);
    outcome
}

fn run_function(
    module: &Module,
    func: &Function,
    args: &[Bits],
    mem: &mut Memory,
    fuel: &mut u64,
) -> Result<Outcome, Outcome> {
    let mut env: Vec<Bits> = vec![0; func.values.len()];
    // The lanes of vector values (scalars stay in `env`).
    let mut lanes: std::collections::HashMap<Value, Vec<Bits>> = Default::default();
    let mut block: Block = func.entry().expect("verified");
    let mut incoming: Vec<Bits> = args.to_vec();
    // Lanes of vector arguments of the branch taken, by parameter position.
    let mut incoming_lanes: Vec<Option<Vec<Bits>>> = Vec::new();
    // Each stack slot's address (every execution of the instruction yields the same area).
    let mut slots: std::collections::HashMap<ir::Inst, Bits> = Default::default();
    loop {
        for (&p, &v) in func.block(block).params.iter().zip(&incoming) {
            env[p.0 as usize] = v;
        }
        for (&p, ls) in func.block(block).params.iter().zip(&incoming_lanes) {
            if let Some(ls) = ls {
                lanes.insert(p, ls.clone());
            }
        }
        let mut next = None;
        for &inst in &func.block(block).insts {
            if *fuel == 0 {
                return Err(Outcome::OutOfFuel);
            }
            *fuel -= 1;
            let data = func.inst(inst);
            let args: Vec<Bits> = data.args.iter().map(|v| env[v.0 as usize]).collect();
            let arg_tys: Vec<Ty> = data.args.iter().map(|&v| func.value_type(v)).collect();
            let vector = data
                .args
                .iter()
                .chain(&data.results)
                .any(|&v| func.value_type(v).is_vector());
            if let Op::ExtractLane(lane) = data.op {
                let value = lanes.get(&data.args[0]).map_or(0, |ls| ls[lane as usize]);
                env[data.results[0].0 as usize] = value;
                continue;
            }
            if vector {
                eval_lanes(func, data, &env, &mut lanes, mem)?;
                continue;
            }
            match &data.op {
                Op::Jump => next = Some(0),
                Op::Brif => next = Some(if args[0] != 0 { 0 } else { 1 }),
                Op::Return => return Ok(Outcome::Return(args)),
                Op::Raise(id) => {
                    return Ok(Outcome::Raise(
                        id.0,
                        args.iter().map(|&a| a as i64).collect(),
                    ));
                }
                Op::Store { offset } => {
                    let ty = arg_tys[1];
                    let bytes = match ty {
                        Ty::F32 => (f64::from_bits(args[1]) as f32)
                            .to_bits()
                            .to_le_bytes()
                            .to_vec(),
                        Ty::F64 => args[1].to_le_bytes().to_vec(),
                        _ => args[1].to_le_bytes()[..ty.bits() as usize / 8].to_vec(),
                    };
                    let at = address(args[0], *offset, bytes.len(), mem)?;
                    note_store(at, bytes.len())?;
                    mem.0[at..at + bytes.len()].copy_from_slice(&bytes);
                }
                Op::StackSlot(bytes) => {
                    let at = *slots.entry(inst).or_insert_with(|| {
                        let at = mem.0.len().next_multiple_of(8);
                        mem.0.resize(at + *bytes as usize, 0);
                        at as Bits
                    });
                    env[data.results[0].0 as usize] = at;
                }
                // Four axpys in order, each scale read just before its pass (the definition
                // the runtime's one-pass form must match).
                Op::CallRuntime(RuntimeFn::Axpy4F64) => {
                    let [d, s, s_stride, a, a_stride, n] = args[..] else {
                        unreachable!("six arguments")
                    };
                    AXPY4_CALLS.with(|c| c.set(c.get() + 1));
                    for u in 0..4u64 {
                        let at = address(a.wrapping_add(u.wrapping_mul(a_stride)), 0, 8, mem)?;
                        let scale = f64::from_le_bytes(mem.0[at..at + 8].try_into().expect("8"));
                        let src = s.wrapping_add(u.wrapping_mul(s_stride));
                        for k in 0..(n as i64).max(0) as u64 {
                            let x = address(src.wrapping_add(8 * k), 0, 8, mem)?;
                            let x = f64::from_le_bytes(mem.0[x..x + 8].try_into().expect("8"));
                            let to = address(d.wrapping_add(8 * k), 0, 8, mem)?;
                            note_store(to, 8)?;
                            let y = f64::from_le_bytes(mem.0[to..to + 8].try_into().expect("8"));
                            mem.0[to..to + 8].copy_from_slice(&(y + scale * x).to_le_bytes());
                        }
                    }
                    env[data.results[0].0 as usize] = 0;
                }
                Op::CallRuntime(rf @ (RuntimeFn::FoldF64 | RuntimeFn::FoldF32)) => {
                    fold(*rf == RuntimeFn::FoldF64, &args, mem, None)?;
                    env[data.results[0].0 as usize] = 0;
                }
                // Rows of a fold: each row as a fold, then every pointer word moves by its row
                // stride (the words after the steps).
                Op::CallRuntime(rf @ (RuntimeFn::FoldRowsF64 | RuntimeFn::FoldRowsF32)) => {
                    FOLD_ROWS_CALLS.with(|c| c.set(c.get() + 1));
                    let (program, nsteps) = (args[1], args[2]);
                    let strides = program.wrapping_add(8 + 24 * nsteps);
                    let mut dst = args[0];
                    for row in 0..(args[4] as i64).max(0) {
                        if row > 0 {
                            dst = dst.wrapping_add(word(mem, strides)?);
                            for w in 0..2 * nsteps {
                                let at = program.wrapping_add(16 + 24 * (w / 2) + 8 * (w % 2));
                                let moved = word(mem, at)?
                                    .wrapping_add(word(mem, strides.wrapping_add(8 + 8 * w))?);
                                let at = address(at, 0, 8, mem)?;
                                mem.0[at..at + 8].copy_from_slice(&moved.to_le_bytes());
                            }
                        }
                        let fold_args = [dst, program, nsteps, args[3]];
                        fold(*rf == RuntimeFn::FoldRowsF64, &fold_args, mem, None)?;
                    }
                    env[data.results[0].0 as usize] = 0;
                }
                // Integer folds: each element by the runtime's definition, stored or summed.
                Op::CallRuntime(
                    rf @ (RuntimeFn::IntFoldI64
                    | RuntimeFn::IntFoldI32
                    | RuntimeFn::IntFoldI16
                    | RuntimeFn::IntFoldSumI64
                    | RuntimeFn::IntFoldSumI32),
                ) => {
                    FOLD_CALLS.with(|c| c.set(c.get() + 1));
                    let wide = matches!(rf, RuntimeFn::IntFoldI64 | RuntimeFn::IntFoldSumI64);
                    let narrow = *rf == RuntimeFn::IntFoldI16;
                    let store = matches!(
                        rf,
                        RuntimeFn::IntFoldI64 | RuntimeFn::IntFoldI32 | RuntimeFn::IntFoldI16
                    );
                    let (dst, rest) = if store {
                        (Some(args[0]), &args[1..])
                    } else {
                        (None, &args[..])
                    };
                    let total = int_fold(wide, narrow, dst, rest, mem)?;
                    env[data.results[0].0 as usize] = total;
                }
                // A fold's sum: here in element order (the runtime's may differ: fastmath).
                Op::CallRuntime(rf @ (RuntimeFn::FoldSumF64 | RuntimeFn::FoldSumF32)) => {
                    let mut sum = 0.0;
                    let fold_args = [0, args[0], args[1], args[2]];
                    fold(
                        *rf == RuntimeFn::FoldSumF64,
                        &fold_args,
                        mem,
                        Some(&mut sum),
                    )?;
                    env[data.results[0].0 as usize] = sum.to_bits();
                }
                // Fills, copies and square roots write memory: the loops they replace, element
                // by element in forward order (the definition the runtime must match).
                Op::CallRuntime(rf) if rf.writes_memory() => {
                    let size = match rf {
                        RuntimeFn::Fill8 | RuntimeFn::Copy8 => 1,
                        RuntimeFn::Fill16 | RuntimeFn::Copy16 => 2,
                        RuntimeFn::Fill32
                        | RuntimeFn::Copy32
                        | RuntimeFn::SqrtF32
                        | RuntimeFn::AxpyF32
                        | RuntimeFn::DivF32 => 4,
                        _ => 8,
                    };
                    let fill = matches!(
                        rf,
                        RuntimeFn::Fill8
                            | RuntimeFn::Fill16
                            | RuntimeFn::Fill32
                            | RuntimeFn::Fill64
                    );
                    let with_scalar = matches!(
                        rf,
                        RuntimeFn::AxpyF64
                            | RuntimeFn::AxpyF32
                            | RuntimeFn::DivF64
                            | RuntimeFn::DivF32
                    );
                    let count = if with_scalar { args[3] } else { args[2] };
                    for k in 0..(count as i64).max(0) as u64 {
                        let bytes = if fill {
                            args[1].to_le_bytes()[..size].to_vec()
                        } else {
                            let from = args[1].wrapping_add(k * size as u64);
                            let at = address(from, 0, size, mem)?;
                            let element = &mem.0[at..at + size];
                            match rf {
                                RuntimeFn::SqrtF64 => {
                                    let x = f64::from_le_bytes(element.try_into().expect("8"));
                                    x.sqrt().to_le_bytes().to_vec()
                                }
                                RuntimeFn::SqrtF32 => {
                                    let x = f32::from_le_bytes(element.try_into().expect("4"));
                                    x.sqrt().to_le_bytes().to_vec()
                                }
                                RuntimeFn::AxpyF64 | RuntimeFn::AxpyF32 => {
                                    let to = args[0].wrapping_add(k * size as u64);
                                    let at = address(to, 0, size, mem)?;
                                    let own = &mem.0[at..at + size];
                                    let scale = f64::from_bits(args[2]);
                                    if size == 8 {
                                        let x = f64::from_le_bytes(element.try_into().expect("8"));
                                        let d = f64::from_le_bytes(own.try_into().expect("8"));
                                        (d + scale * x).to_le_bytes().to_vec()
                                    } else {
                                        let x = f32::from_le_bytes(element.try_into().expect("4"));
                                        let d = f32::from_le_bytes(own.try_into().expect("4"));
                                        (d + scale as f32 * x).to_le_bytes().to_vec()
                                    }
                                }
                                RuntimeFn::DivF64 => {
                                    let x = f64::from_le_bytes(element.try_into().expect("8"));
                                    (x / f64::from_bits(args[2])).to_le_bytes().to_vec()
                                }
                                RuntimeFn::DivF32 => {
                                    let x = f32::from_le_bytes(element.try_into().expect("4"));
                                    let s = f64::from_bits(args[2]) as f32;
                                    (x / s).to_le_bytes().to_vec()
                                }
                                _ => element.to_vec(),
                            }
                        };
                        let to = args[0].wrapping_add(k * size as u64);
                        let at = address(to, 0, size, mem)?;
                        mem.0[at..at + size].copy_from_slice(&bytes);
                    }
                    env[data.results[0].0 as usize] = 0;
                }
                // (The interpreter has no error slot: a caught call runs as a call.)
                Op::Call(name) | Op::CallCatch(name) => {
                    let callee = module.function(name).expect("verified module");
                    match run_function(module, callee, &args, mem, fuel)? {
                        Outcome::Return(values) => {
                            for (&r, v) in data.results.iter().zip(values) {
                                env[r.0 as usize] = v;
                            }
                        }
                        other => return Err(other),
                    }
                }
                op => {
                    let ty = func.value_type(data.results[0]);
                    env[data.results[0].0 as usize] = eval(op, &args, &arg_tys, ty, mem)?;
                }
            }
            if let Some(t) = next {
                let target = &data.targets[t];
                incoming = target
                    .args
                    .iter()
                    .map(|v: &Value| env[v.0 as usize])
                    .collect();
                incoming_lanes = target.args.iter().map(|v| lanes.get(v).cloned()).collect();
                block = target.block;
                break;
            }
        }
        if next.is_none() {
            return Err(Outcome::Fault("fell off a block".into()));
        }
    }
}

thread_local! {
    /// Vector loads and stores executed on this thread (tests check that a vector loop ran).
    pub static VECTOR_INSTS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// `axpy4` calls on this thread (tests check that the jammed loop ran).
    pub static AXPY4_CALLS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// Runtime folds called on this thread (tests check that the fold ran).
    pub static FOLD_CALLS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// Calls of the rows fold (each also counts its rows in `FOLD_CALLS`).
    pub static FOLD_ROWS_CALLS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// One instruction with vector operands or results, lane by lane.
fn eval_lanes(
    func: &Function,
    data: &ir::InstData,
    env: &[Bits],
    lanes: &mut std::collections::HashMap<Value, Vec<Bits>>,
    mem: &mut Memory,
) -> Result<(), Outcome> {
    if matches!(data.op, Op::Load { .. } | Op::Store { .. }) {
        VECTOR_INSTS.with(|c| c.set(c.get() + 1));
    }
    let count = data
        .args
        .iter()
        .chain(&data.results)
        .map(|&v| func.value_type(v).lanes())
        .max()
        .unwrap_or(1) as usize;
    // Lane `k` of an operand: its own lane for a vector, the value itself for a scalar.
    let lane_of = |v: Value, k: usize| match lanes.get(&v) {
        Some(ls) => ls[k],
        None => env[v.0 as usize],
    };
    let arg_tys: Vec<Ty> = data
        .args
        .iter()
        .map(|&v| func.value_type(v).lane())
        .collect();
    match &data.op {
        // Lanes move between vectors of different lane counts: lane `k` of the result is lane
        // `k` (+ half, for the high half) of the operand, extended; or lane `k` of the two
        // packed operands in turn, truncated.
        Op::Widen { signed, high } => {
            let from = func.value_type(data.args[0]);
            let to = func.value_type(data.results[0]);
            let half = to.lanes() as usize;
            let skip = if *high { half } else { 0 };
            let bits = from.lane().bits();
            let out = (0..half)
                .map(|k| {
                    let x = lane_of(data.args[0], k + skip) as i64;
                    // A mask's lanes are bools (0/1) in the interpreter: they stay as they are.
                    if from.is_mask() {
                        x as u64
                    } else if *signed {
                        sext(x, bits) as u64
                    } else {
                        zext(x, bits)
                    }
                })
                .collect();
            lanes.insert(data.results[0], out);
            Ok(())
        }
        Op::Pack | Op::PackSat => {
            let from = func.value_type(data.args[0]);
            let to = func.value_type(data.results[0]);
            let n = from.lanes() as usize;
            let bits = to.lane().bits();
            let (min, max) = (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1);
            let out = (0..2 * n)
                .map(|k| {
                    let x = sext(lane_of(data.args[k / n], k % n) as i64, from.lane().bits());
                    if to.is_mask() {
                        x as u64
                    } else if data.op == Op::PackSat {
                        x.clamp(min, max) as u64
                    } else {
                        sext(x, bits) as u64
                    }
                })
                .collect();
            lanes.insert(data.results[0], out);
            Ok(())
        }
        Op::Store { offset } => {
            let ty = func.value_type(data.args[1]).lane();
            let size = (ty.bits() / 8) as usize;
            let base = env[data.args[0].0 as usize];
            for k in 0..count {
                let value = lane_of(data.args[1], k);
                let bytes = match ty {
                    Ty::F32 => (f64::from_bits(value) as f32)
                        .to_bits()
                        .to_le_bytes()
                        .to_vec(),
                    _ => value.to_le_bytes()[..size].to_vec(),
                };
                let at = address(base, *offset + (k * size) as i32, size, mem)?;
                note_store(at, size)?;
                mem.0[at..at + size].copy_from_slice(&bytes);
            }
            Ok(())
        }
        op => {
            let ty = func.value_type(data.results[0]);
            let lane_ty = ty.lane();
            let size = (lane_ty.bits() / 8) as i32;
            let mut out = Vec::with_capacity(count);
            for k in 0..count {
                let args: Vec<Bits> = data.args.iter().map(|&v| lane_of(v, k)).collect();
                let value = match op {
                    Op::Splat => args[0],
                    Op::Load { offset, readonly } => {
                        let lane_load = Op::Load {
                            offset: offset + k as i32 * size,
                            readonly: *readonly,
                        };
                        eval(&lane_load, &args, &arg_tys, lane_ty, mem)?
                    }
                    op => eval(op, &args, &arg_tys, lane_ty, mem)?,
                };
                out.push(value);
            }
            lanes.insert(data.results[0], out);
            Ok(())
        }
    }
}

/// The 8-byte word at `at` (a fold program's code, pointer or value).
fn word(mem: &Memory, at: u64) -> Result<u64, Outcome> {
    let at = address(at, 0, 8, mem)?;
    Ok(u64::from_le_bytes(mem.0[at..at + 8].try_into().expect("8")))
}

fn address(ptr: Bits, offset: i32, len: usize, mem: &Memory) -> Result<usize, Outcome> {
    let at = (ptr as i64).checked_add(offset as i64).filter(|&a| a >= 0);
    match at {
        Some(a) if (a as u64).saturating_add(len as u64) <= mem.0.len() as u64 => Ok(a as usize),
        _ => Err(Outcome::Fault(format!(
            "access at {ptr}{offset:+} out of bounds"
        ))),
    }
}

thread_local! {
    /// The bytes this run read through `readonly` loads, and those it stored. `readonly`
    /// promises memory no store of the program changes (array descriptors), and passes rely
    /// on it (LICM hoists such loads); a run on random memory whose stores reach those bytes is
    /// outside the IR's contract, so it faults instead of giving a result to compare.
    static CONTRACT: std::cell::RefCell<(
        std::collections::HashSet<usize>,
        std::collections::HashSet<usize>,
    )> = Default::default();
}

/// True for the fault of a run that broke the `readonly` contract (see `CONTRACT`): in one
/// version of a function, not necessarily the other (a hoisted load reads earlier).
pub fn broke_readonly_contract(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Fault(m) if m.starts_with(CONTRACT_FAULT))
}

const CONTRACT_FAULT: &str = "readonly contract: ";

fn note_readonly_load(at: usize, len: usize) -> Result<(), Outcome> {
    CONTRACT.with(|c| {
        let (read, stored) = &mut *c.borrow_mut();
        if (at..at + len).any(|b| stored.contains(&b)) {
            return Err(fault(&format!(
                "{CONTRACT_FAULT}a read-only load of stored memory"
            )));
        }
        read.extend(at..at + len);
        Ok(())
    })
}

fn note_store(at: usize, len: usize) -> Result<(), Outcome> {
    CONTRACT.with(|c| {
        let (read, stored) = &mut *c.borrow_mut();
        if (at..at + len).any(|b| read.contains(&b)) {
            return Err(fault(&format!(
                "{CONTRACT_FAULT}a store to memory read as read-only"
            )));
        }
        stored.extend(at..at + len);
        Ok(())
    })
}

fn fault(what: &str) -> Outcome {
    Outcome::Fault(what.to_string())
}

/// One value-producing op.
fn eval(op: &Op, a: &[Bits], tys: &[Ty], ty: Ty, mem: &Memory) -> Result<Bits, Outcome> {
    use Op::*;
    let w = ty.bits();
    let int = |n: i64| Ok(sext(n, w) as u64);
    let i = |k: usize| sext(a[k] as i64, tys[k].bits());
    let u = |k: usize| zext(a[k] as i64, tys[k].bits());
    let f = |k: usize| f64::from_bits(a[k]);
    let flt = |x: f64| {
        Ok(if ty == Ty::F32 {
            (x as f32 as f64).to_bits()
        } else {
            x.to_bits()
        })
    };
    // Float ops in the op's own precision.
    let f2 = |g32: fn(f32, f32) -> f32, g64: fn(f64, f64) -> f64| {
        if ty == Ty::F32 {
            flt(g32(f(0) as f32, f(1) as f32) as f64)
        } else {
            flt(g64(f(0), f(1)))
        }
    };
    let f1 = |g32: fn(f32) -> f32, g64: fn(f64) -> f64| {
        if ty == Ty::F32 {
            flt(g32(f(0) as f32) as f64)
        } else {
            flt(g64(f(0)))
        }
    };
    match op {
        Iconst(n) => int(*n),
        Fconst(x) => flt(*x),
        Bconst(b) => Ok(*b as u64),
        Iadd => int(i(0).wrapping_add(i(1))),
        Isub => int(i(0).wrapping_sub(i(1))),
        Imul => int(i(0).wrapping_mul(i(1))),
        Sdiv | Srem => {
            let (x, y) = (sext(i(0), w), sext(i(1), w));
            if y == 0 || (x == sext(i64::MIN >> (64 - w), w) && y == -1) {
                return Err(fault("signed division trap"));
            }
            int(if *op == Sdiv { x / y } else { x % y })
        }
        Udiv | Urem => {
            let (x, y) = (zext(i(0), w), zext(i(1), w));
            if y == 0 {
                return Err(fault("unsigned division by zero"));
            }
            int((if *op == Udiv { x / y } else { x % y }) as i64)
        }
        Umulhi => {
            let (x, y) = (u128::from(zext(i(0), w)), u128::from(zext(i(1), w)));
            int(((x * y) >> w) as i64)
        }
        Ineg => int(i(0).wrapping_neg()),
        Band => int(i(0) & i(1)),
        Bor => int(i(0) | i(1)),
        Bxor => int(i(0) ^ i(1)),
        Bnot => int(!i(0)),
        Popcnt => int(i64::from(u(0).count_ones())),
        Ishl | Sshr | Ushr | Rotr => {
            let amount = (u(1) % w as u64) as u32;
            int(match op {
                Ishl => i(0).wrapping_shl(amount),
                Sshr => sext(i(0), w) >> amount,
                Rotr => {
                    let x = zext(i(0), w);
                    (x >> amount | x.wrapping_shl((w - amount) % w)) as i64
                }
                _ => (zext(i(0), w) >> amount) as i64,
            })
        }
        Smin => int(i(0).min(i(1))),
        Smax => int(i(0).max(i(1))),
        Umin => int(u(0).min(u(1)) as i64),
        Umax => int(u(0).max(u(1)) as i64),
        // Lanes of 8 or 16 bits (the verifier's invariant 15): no overflow in 64 bits.
        UaddSat => int(u(0).saturating_add(u(1)).min(zext(-1, w)) as i64),
        UsubSat => int(u(0).saturating_sub(u(1)) as i64),
        Icmp(cc) => Ok(match cc {
            IntCC::Eq => i(0) == i(1),
            IntCC::Ne => i(0) != i(1),
            IntCC::Slt => i(0) < i(1),
            IntCC::Sle => i(0) <= i(1),
            IntCC::Sgt => i(0) > i(1),
            IntCC::Sge => i(0) >= i(1),
            IntCC::Ult => u(0) < u(1),
            IntCC::Ule => u(0) <= u(1),
            IntCC::Ugt => u(0) > u(1),
            IntCC::Uge => u(0) >= u(1),
        } as u64),
        Fadd => f2(|x, y| x + y, |x, y| x + y),
        Fsub => f2(|x, y| x - y, |x, y| x - y),
        Fmul => f2(|x, y| x * y, |x, y| x * y),
        Fdiv => f2(|x, y| x / y, |x, y| x / y),
        Fmin | Fmax => {
            let (x, y) = (f(0), f(1));
            if x.is_nan() || y.is_nan() {
                return flt(f64::NAN);
            }
            let min = x < y || (x == y && x.is_sign_negative());
            flt(if (*op == Fmin) == min { x } else { y })
        }
        Copysign => flt(f(0).copysign(f(1))),
        Fma if ty == Ty::F32 => flt((f(0) as f32).mul_add(f(1) as f32, f(2) as f32) as f64),
        Fma => flt(f(0).mul_add(f(1), f(2))),
        Fneg => flt(-f(0)),
        Fabs => flt(f(0).abs()),
        Sqrt => f1(f32::sqrt, f64::sqrt),
        Floor => f1(f32::floor, f64::floor),
        Ceil => f1(f32::ceil, f64::ceil),
        Trunc => f1(f32::trunc, f64::trunc),
        Nearest => f1(f32::round_ties_even, f64::round_ties_even),
        Fcmp(cc) => Ok(match cc {
            FloatCC::Eq => f(0) == f(1),
            FloatCC::Ne => f(0) != f(1),
            FloatCC::Lt => f(0) < f(1),
            FloatCC::Le => f(0) <= f(1),
            FloatCC::Gt => f(0) > f(1),
            FloatCC::Ge => f(0) >= f(1),
        } as u64),
        Not => Ok((a[0] == 0) as u64),
        And => Ok((a[0] != 0 && a[1] != 0) as u64),
        Or => Ok((a[0] != 0 || a[1] != 0) as u64),
        Sext => int(i(0)),
        Uext => int(u(0) as i64),
        Ireduce => int(i(0)),
        ToBool if tys[0].is_float() => Ok((f(0) != 0.0) as u64),
        ToBool => Ok((a[0] != 0) as u64),
        Fpromote => flt(f(0)),
        Fdemote => flt(f(0) as f32 as f64),
        SToF if ty == Ty::F32 => flt(i(0) as f32 as f64),
        SToF => flt(i(0) as f64),
        UToF if ty == Ty::F32 => flt(u(0) as f32 as f64),
        UToF => flt(u(0) as f64),
        FToS => int(match w {
            8 => f(0) as i8 as i64,
            16 => f(0) as i16 as i64,
            32 => f(0) as i32 as i64,
            _ => f(0) as i64,
        }),
        FToU => int(match w {
            8 => f(0) as u8 as i64,
            16 => f(0) as u16 as i64,
            32 => f(0) as u32 as i64,
            _ => f(0) as u64 as i64,
        }),
        Bitcast => match (tys[0], ty) {
            (Ty::I32, _) => flt(f32::from_bits(a[0] as u32) as f64),
            (Ty::I64, _) => flt(f64::from_bits(a[0])),
            (Ty::F32, _) => int((f(0) as f32).to_bits() as i32 as i64),
            _ => int(a[0] as i64),
        },
        Select => Ok(if a[0] != 0 { a[1] } else { a[2] }),
        Splat => Ok(a[0]),
        ExtractLane(_) | Widen { .. } | Pack | PackSat => {
            unreachable!("takes a vector (eval_lanes)")
        }
        Load { offset, readonly } => {
            let len = (ty.bits() / 8) as usize;
            // `readonly` loads cannot trap (`Op::is_speculatable`: LICM hoists them out of
            // loops that may not run), so one outside memory reads 0 instead of faulting.
            let at = match address(a[0], *offset, len, mem) {
                Err(_) if *readonly => return Ok(0),
                at => at?,
            };
            if *readonly {
                note_readonly_load(at, len)?;
            }
            let mut raw = [0u8; 8];
            raw[..len].copy_from_slice(&mem.0[at..at + len]);
            let bits = u64::from_le_bytes(raw);
            match ty {
                Ty::F32 => flt(f32::from_bits(bits as u32) as f64),
                Ty::F64 => Ok(bits),
                Ty::Bool => Ok(bits & 1),
                _ => int(bits as i64),
            }
        }
        CallRuntime(rf) => match rf {
            RuntimeFn::Sin => flt(f(0).sin()),
            RuntimeFn::Cos => flt(f(0).cos()),
            RuntimeFn::Exp => flt(f(0).exp()),
            RuntimeFn::Log => flt(f(0).ln()),
            RuntimeFn::Atan2 => flt(f(0).atan2(f(1))),
            RuntimeFn::Hypot => flt(f(0).hypot(f(1))),
            RuntimeFn::Pow => flt(f(0).powf(f(1))),
            RuntimeFn::IntPow => int(runtime::math::int_pow(i(0), i(1))),
            RuntimeFn::PowI => flt(runtime::math::f64_powi(f(0), i(1))),
            // The reductions, in order (the float ones are reassociated only on the CPU).
            RuntimeFn::SumI64
            | RuntimeFn::SumI32
            | RuntimeFn::SumI16
            | RuntimeFn::SumU16
            | RuntimeFn::SumI8
            | RuntimeFn::SumU8
            | RuntimeFn::SumF64
            | RuntimeFn::SumF32
            | RuntimeFn::MinI64
            | RuntimeFn::MaxI64
            | RuntimeFn::PopcountSumI64
            | RuntimeFn::MinF64
            | RuntimeFn::MaxF64 => {
                let size = match rf {
                    RuntimeFn::SumI32 | RuntimeFn::SumF32 => 4,
                    RuntimeFn::SumI16 | RuntimeFn::SumU16 => 2,
                    RuntimeFn::SumI8 | RuntimeFn::SumU8 => 1,
                    _ => 8,
                };
                let n = i(1).max(0) as usize;
                let bytes = n
                    .checked_mul(size)
                    .ok_or_else(|| fault("reduction longer than memory"))?;
                let at = address(a[0], 0, bytes, mem)?;
                let item = |k: usize| {
                    let mut raw = [0u8; 8];
                    raw[..size].copy_from_slice(&mem.0[at + k * size..at + (k + 1) * size]);
                    u64::from_le_bytes(raw)
                };
                match rf {
                    RuntimeFn::SumI64 => {
                        int((0..n).fold(0i64, |s, k| s.wrapping_add(item(k) as i64)))
                    }
                    RuntimeFn::SumI32 => int((0..n).fold(0i64, |s, k| {
                        s.wrapping_add(i64::from(item(k) as u32 as i32))
                    })),
                    RuntimeFn::SumI16 => int((0..n).fold(0i64, |s, k| {
                        s.wrapping_add(i64::from(item(k) as u16 as i16))
                    })),
                    RuntimeFn::SumI8 => {
                        int((0..n)
                            .fold(0i64, |s, k| s.wrapping_add(i64::from(item(k) as u8 as i8))))
                    }
                    // Zero-extended: the bytes above `size` were left zero.
                    RuntimeFn::SumU16 | RuntimeFn::SumU8 => {
                        int((0..n).fold(0i64, |s, k| s.wrapping_add(item(k) as i64)))
                    }
                    RuntimeFn::SumF64 => flt((0..n).map(|k| f64::from_bits(item(k))).sum()),
                    RuntimeFn::MinI64 => {
                        int((0..n).map(|k| item(k) as i64).min().unwrap_or(i64::MAX))
                    }
                    RuntimeFn::MaxI64 => {
                        int((0..n).map(|k| item(k) as i64).max().unwrap_or(i64::MIN))
                    }
                    RuntimeFn::PopcountSumI64 => {
                        int((0..n).map(|k| i64::from(item(k).count_ones())).sum())
                    }
                    RuntimeFn::MinF64 | RuntimeFn::MaxF64 => {
                        // The scalar definition: the first NaN, else the first extreme.
                        let mut xs = (0..n).map(|k| f64::from_bits(item(k)));
                        let first = xs.next().unwrap_or(f64::NAN);
                        let want_min = *rf == RuntimeFn::MinF64;
                        flt(xs.fold(first, |best, x| {
                            let better = if want_min { x < best } else { x > best };
                            if better || (x.is_nan() && !best.is_nan()) {
                                x
                            } else {
                                best
                            }
                        }))
                    }
                    _ => flt((0..n).map(|k| f32::from_bits(item(k) as u32)).sum::<f32>() as f64),
                }
            }
            other => Err(Outcome::Fault(format!(
                "runtime function {} not interpreted",
                other.ir_name()
            ))),
        },
        // Parallel loops are not modelled by the interpreter.
        ParallelFor(_) => Err(Outcome::Fault(format!("{op:?} is not interpreted"))),
        Call(_) | CallCatch(_) | Store { .. } | StackSlot(_) | Jump | Brif | Return | Raise(_) => {
            unreachable!("handled by the caller")
        }
    }
}

/// A fold program (`runtime::fold`) run element by element in forward order: `args` =
/// `[dst, program, nsteps, n]`; with `sum`, the elements are added to it (rounded to the
/// element type) instead of stored.
/// An integer fold (`runtime::int_fold`) of `n` elements: `(program, nsteps, n)` in `args`,
/// each element stored at `dst` or added (wrapping) to the returned sum (an `int32` sum
/// sign-extended).
fn int_fold(
    wide: bool,
    narrow: bool,
    dst: Option<Bits>,
    args: &[Bits],
    mem: &mut Memory,
) -> Result<Bits, Outcome> {
    use runtime::int_fold::{IntTerm, int_apply, int_decode};
    // (Narrow: `int16` elements and results, `int32` arithmetic.)
    let size: u64 = if wide {
        8
    } else if narrow {
        2
    } else {
        4
    };
    let element = |mem: &Memory, p: u64, k: u64| -> Result<i64, Outcome> {
        let at = address(p.wrapping_add(k * size), 0, size as usize, mem)?;
        let raw = &mem.0[at..at + size as usize];
        Ok(match size {
            8 => i64::from_le_bytes(raw.try_into().expect("8")),
            4 => i64::from(i32::from_le_bytes(raw.try_into().expect("4"))),
            _ => i64::from(i16::from_le_bytes(raw.try_into().expect("2"))),
        })
    };
    let (program, nsteps) = (args[0], args[1] as i64);
    let mut total: i64 = 0;
    for k in 0..(args[2] as i64).max(0) as u64 {
        let mut acc64: i64 = 0;
        let mut acc32: i32 = 0;
        for s in 0..nsteps.max(0) as u64 {
            let at = program.wrapping_add(8 + 24 * s);
            let (code, a, b) = (word(mem, at)?, word(mem, at + 8)?, word(mem, at + 16)?);
            let (op, term) =
                int_decode(code).ok_or_else(|| Outcome::Fault("bad integer fold step".into()))?;
            // The compiler's promise that a step reads an earlier step's elements again.
            if let Some(j) = runtime::int_fold::int_same_element_as(code) {
                let earlier = word(mem, program.wrapping_add(8 + 24 * j as u64 + 8))?;
                if j as u64 >= s || earlier != a {
                    return Err(Outcome::Fault(
                        "integer fold step shares another's elements falsely".into(),
                    ));
                }
            }
            let t = match term {
                IntTerm::Fixed => a as i64,
                IntTerm::Element => element(mem, a, k)?,
                IntTerm::ElementWith(inner) => {
                    let x = element(mem, a, k)?;
                    if wide {
                        int_apply(inner, x, b as i64)
                    } else {
                        i64::from(int_apply(inner, x as i32, b as i32))
                    }
                }
            };
            if wide {
                acc64 = int_apply(op, acc64, t);
            } else {
                acc32 = int_apply(op, acc32, t as i32);
            }
        }
        let value = if wide { acc64 } else { i64::from(acc32) };
        match dst {
            Some(d) => {
                let to = address(d.wrapping_add(k * size), 0, size as usize, mem)?;
                let bytes = value.to_le_bytes();
                mem.0[to..to + size as usize].copy_from_slice(&bytes[..size as usize]);
            }
            None if wide => total = total.wrapping_add(value),
            None => total = i64::from((total as i32).wrapping_add(value as i32)),
        }
    }
    Ok(total as u64)
}

fn fold(
    wide: bool,
    args: &[Bits],
    mem: &mut Memory,
    mut sum: Option<&mut f64>,
) -> Result<(), Outcome> {
    use runtime::fold::Term;
    FOLD_CALLS.with(|c| c.set(c.get() + 1));
    let size = if wide { 8 } else { 4 };
    // Elements as f64 (an f32 widened exactly); operations rounded to the element type.
    let element = |mem: &Memory, p: u64, k: u64| -> Result<f64, Outcome> {
        let at = address(p.wrapping_add(k * size), 0, size as usize, mem)?;
        let raw = &mem.0[at..at + size as usize];
        Ok(if wide {
            f64::from_le_bytes(raw.try_into().expect("8"))
        } else {
            f64::from(f32::from_le_bytes(raw.try_into().expect("4")))
        })
    };
    let fixed = |w: u64| {
        if wide {
            f64::from_bits(w)
        } else {
            f64::from(f32::from_bits(w as u32))
        }
    };
    let round = |x: f64| if wide { x } else { f64::from(x as f32) };
    let nsteps = args[2] as i64;
    for k in 0..(args[3] as i64).max(0) as u64 {
        let mut acc = 0.0f64;
        for s in 0..nsteps.max(0) as u64 {
            // (Word 0 is the runtime's cache of the program's machine code.)
            let at = args[1].wrapping_add(8 + 24 * s);
            let (code, a, b) = (word(mem, at)?, word(mem, at + 8)?, word(mem, at + 16)?);
            let (combine, term) = runtime::fold::decode(code)
                .ok_or_else(|| Outcome::Fault("bad fold step".into()))?;
            // The compiler's promise that a step reads an earlier step's elements again.
            if let Some(j) = runtime::fold::same_element_as(code) {
                let earlier = word(mem, args[1].wrapping_add(8 + 24 * j as u64 + 8))?;
                if j as u64 >= s || earlier != a {
                    return Err(Outcome::Fault(
                        "fold step shares another's elements falsely".into(),
                    ));
                }
            }
            let t = if combine.is_unary() {
                0.0
            } else {
                match term {
                    Term::Fixed => fixed(a),
                    Term::Element => element(mem, a, k)?,
                    Term::ElementTimesFixed => round(element(mem, a, k)? * fixed(b)),
                    Term::ElementTimesElement => round(element(mem, a, k)? * element(mem, b, k)?),
                    Term::Square => round(element(mem, a, k)? * element(mem, a, k)?),
                    Term::Integer => {
                        let at = address(a.wrapping_add(k * size), 0, size as usize, mem)?;
                        let raw = &mem.0[at..at + size as usize];
                        if wide {
                            i64::from_le_bytes(raw.try_into().expect("8")) as f64
                        } else {
                            f64::from(i32::from_le_bytes(raw.try_into().expect("4")) as f32)
                        }
                    }
                }
            };
            // (In f64, rounded to the element type: for f32 the same as f32 arithmetic.)
            acc = round(runtime::fold::apply(combine, acc, t));
        }
        if let Some(total) = sum.as_deref_mut() {
            *total = round(*total + acc);
            continue;
        }
        let to = address(args[0].wrapping_add(k * size), 0, size as usize, mem)?;
        let bytes = if wide {
            acc.to_le_bytes().to_vec()
        } else {
            (acc as f32).to_le_bytes().to_vec()
        };
        mem.0[to..to + size as usize].copy_from_slice(&bytes);
    }
    Ok(())
}
