//! The loop vectorizer: innermost counted loops over contiguous elements run several 128-bit
//! vectors (`f64x2`, `f32x4`, `i64x2`, `i32x4`, `i16x8`, `i8x16`; `bool` elements as `m8x16`)
//! per iteration, then the scalar loop finishes.
//!
//! Cranelift has 128-bit SIMD but no auto-vectorizer, so element-wise loops (`np.sqrt(a*a +
//! b*b)`, `clip`, `where`, stencils, the inner loop of an i-k-j matrix product) would otherwise
//! wait on one element at a time. The pass takes a one-block loop `L(.., i, ..)` ending in
//! `brif (i + 1 < n), L(..), X(..)` (`n` defined outside `L`, every other parameter passed
//! through unchanged) and classifies each value of the body:
//!
//! | kind | what | examples |
//! |---|---|---|
//! | uniform | the same in every iteration | values from outside `L`, arithmetic on them, a load from an address computed from them |
//! | index | `i`, `i ± u` (`u` uniform) | `i - 1` of a stencil |
//! | affine | lane 0's address; each next lane is `s` bytes further (`s` uniform) | `index * s`, `u + affine`, `affine ± u` |
//! | vector | one value per lane | loads at affine addresses, lane-wise operations on vectors |
//!
//! A value carried around the loop is allowed when its order may change ([`find_reduction`]):
//! integer sums (also `select(c, s + t, s)`: counts) and integer min/max always, float ones
//! under `fastmath`. Each copy of the body keeps a vector accumulator (lanes start at the
//! identity for sums, the incoming value for min/max); after the vector loop the lanes are
//! folded into the incoming value in order (block R) and the scalar loop continues from there.
//! A best element kept with its position (`if a[i] < best: best = a[i]; k = i`, `np.argmax`'s
//! loop) is an arg-reduction ([`arg`]): vectors of best values and of the iterations they were
//! taken in, merged after the loop so that the scalar loop's element (the first of equal ones)
//! wins.
//!
//! A loop may mix element widths (a byte compared and counted in `int64`, an `int16` sample
//! scaled in `i32`): a vector iteration covers as many elements as the narrowest type has lanes,
//! and a value of a wider type takes several vectors, its *parts* (lanes `0..w`, `w..2w`, … of
//! the iteration). Extensions widen each part into two ([`Op::Widen`]), truncations pack two
//! into one ([`Op::Pack`]), and a mask meeting values of another width is resized the same way;
//! fewer copies of the body keep the vectors per step about the same. A count of a condition on
//! narrow elements (`if img[i] == k: c += 1` with an `int64` `c`) is kept in counters of the
//! mask's own width instead ([`NarrowCount`]: `acc - mask` on `i8x16`), emptied into a scalar
//! total before they can overflow.
//!
//! It **refuses** (and the loop stays as it was) when: the loop has another carried value (a
//! recurrence such as a prefix sum, or a float sum without `fastmath`), the index
//! is used as a number, a store writes one address in every iteration (a value carried through
//! memory), an address depends on memory loaded in the loop, the body calls a function or has
//! an operation without a lane-wise form (integer division, conversions other than `stof`,
//! byte multiplies), an argmin/argmax meets elements of another width, a stride is a constant
//! other than the element size, or nothing is loaded and stored at affine addresses. [`explain`]
//! says which for each loop (golden tests check the reasons).
//!
//! The result, for `W` = `U` × lanes elements per vector iteration (`U` copies of the body: 4
//! for maps and when accumulators are carried):
//!
//! ```text
//! P(params of L):   i0 < n and n - i0 > W ?  → P2  else → L (the scalar loop, as before)
//! P2:               every stride == the element size, stored ranges disjoint from the other
//!                   ranges and uniform loads (unless the same address) ?  → V(i0)  else → L
//!                   the body's uniform values (its uniform loads too: no store of the loop
//!                   reaches them where V runs), splats of the uniform operands
//! V(vi):            the body U times, for lanes vi.., vi + lanes.., …; vi' = vi + W;
//!                   vi' < n - W (n - vi' > W) ? → V(vi')  else → L(vi')
//! ```
//!
//! In the vector loops made, a select that clamps 8- or 16-bit `x + k` at the largest value or
//! `x - k` at zero becomes one saturating operation ([`saturate`]: `paddusb`, `psubusw`, …).
//!
//! A map whose stored value is a left-to-right chain of element terms of two or more
//! operations, or ending in a square root or division (a stencil, a weighted window,
//! `sqrt(a*a + b*b)`: [`fold`]), has a third way after P2's checks: from 16 `f64` (32 `f32`)
//! elements on, block Q sends it to F, which writes the chain's program into a stack slot and
//! calls the runtime's 512-bit fold for every iteration, then jumps to the loop's exit (or,
//! when the exit needs a value the loop computes, for all but the last, the scalar loop's);
//! a `fastmath` float sum of such a chain is summed the same way. Chains of `int64`/`int32`
//! operations (`+ - *`, `& | ^`, shifts by constants, `smin`/`smax`), stored or summed (an
//! integer sum needs no `fastmath`), go to the runtime's integer folds the same way. When such a loop is all its
//! enclosing loop does, a block before that loop's header runs every row in one call
//! ([`rows`]), the loop staying as it is for the runs that call refuses.
//!
//! Outside a fold that covers every iteration (see above), the scalar loop runs the last
//! iterations (at least one), so the values it passes to `X` are computed as before and nothing
//! after the loop changes. Each lane computes exactly the
//! scalar operation of its iteration, in the same order per element: results are bitwise equal
//! to the scalar loop (no reassociation happens here). Stores happen a vector at a time, which
//! is why every store range must be disjoint from every other range it does not equal: a load
//! of the same address as a store (`a[i] = a[i] * 2`) reads before it writes in both forms.

use super::util::{const_of, def_inst, defined_in};
use crate::builder::Builder;
use crate::function::{Block, BlockCall, FloatCC, Function, Inst, IntCC, Op, Ty, Value, ValueDef};
use runtime::math::RuntimeFn;
use std::collections::HashMap;

mod arg;
mod fold;
mod rows;
mod saturate;
mod uniform_compare;
use arg::ArgReduction;

/// Vectors per iteration of the vector loop (independent chains that overlap their latencies):
/// maps are limited by loads and stores, reductions by the latency of their accumulators,
/// which more of them hide.
const UNROLL_MAP: i64 = 4;
const UNROLL_REDUCTION: i64 = 4;
/// An argmin/argmax carries two vectors per copy; four copies would not fit in the sixteen
/// vector registers with the loads and masks, and the accumulators would be spilled.
const UNROLL_ARG: i64 = 3;
/// At most this many address streams (a fully unrolled 5×5 stencil has 26).
const MAX_STREAMS: usize = 32;
/// At most this many run-time aliasing checks (a store against another stream or a uniform
/// load): they run before every entry into the vector loop.
const MAX_ALIAS_CHECKS: usize = 48;

/// Runs the pass. True if a loop was vectorized.
pub fn run(func: &mut Function, fastmath: bool) -> bool {
    let mut changed = false;
    for l in func.layout.clone() {
        if func.successors(l).contains(&l) {
            changed |= narrow_compares(func, l);
            changed |= narrow_uniform_compares(func, l, fastmath);
            changed |= hidden_positions(func, l, fastmath);
        }
        if let Ok(plan) = analyze(func, l, fastmath) {
            rewrite(func, l, plan);
            changed = true;
        }
    }
    if changed {
        // Clamped byte arithmetic in the new vector loops (`saturate`).
        saturate::run(func);
    }
    changed
}

/// For every loop-shaped block (a block branching to itself), whether the pass vectorizes it
/// (`Ok`: the lanes, and whether long runs go to the runtime's fold) or why not. For golden
/// tests and dumps.
pub fn explain(func: &Function, fastmath: bool) -> Vec<(Block, Result<String, String>)> {
    let mut func = func.clone();
    let loops: Vec<Block> = func
        .layout
        .iter()
        .copied()
        .filter(|&b| func.successors(b).contains(&b))
        .collect();
    loops
        .into_iter()
        .map(|b| {
            narrow_compares(&mut func, b);
            narrow_uniform_compares(&mut func, b, fastmath);
            hidden_positions(&mut func, b, fastmath);
            let decision = analyze(&func, b, fastmath).map(|p| match &p.fold {
                Some(f) => format!(
                    "vectorized, {} lanes; from {} elements a runtime fold of {} steps{}",
                    p.lanes,
                    f.min_elements(),
                    f.len(),
                    if rows::find(&func, b, &p).is_some() {
                        ", all rows of the loop around it in one call"
                    } else {
                        ""
                    }
                ),
                None => format!("vectorized, {} lanes", p.lanes),
            });
            (b, decision)
        })
        .collect()
}

/// `icmp cc (sext.i64 x), c` with `x` an `i32` and `c` a constant that fits in `i32` becomes
/// `icmp cc x, c'` (sign extension keeps signed and unsigned order), in the loop `l`; the
/// extension goes when nothing else uses it. Python compares an `int32` element with an `int`
/// after widening it, which would mix 32- and 64-bit lanes. True if something changed.
fn narrow_compares(func: &mut Function, l: Block) -> bool {
    let mut changed = false;
    let insts = func.block(l).insts.clone();
    let mut new_insts = Vec::with_capacity(insts.len());
    for inst in insts {
        let d = func.inst(inst).clone();
        if let (Op::Icmp(_), [a, c]) = (&d.op, &d.args[..]) {
            let wide = def_inst(func, *a).filter(|&w| func.inst(w).op == Op::Sext);
            let narrow = wide.map(|w| func.inst(w).args[0]);
            let constant = const_of(func, *c).filter(|&k| i32::try_from(k).is_ok());
            if let (Some(x), Some(k)) = (narrow, constant)
                && func.value_type(x) == Ty::I32
                && func.value_type(*a) == Ty::I64
            {
                let k32 = func.create_inst(Op::Iconst(k), vec![], &[Ty::I32], vec![]);
                let (line, col) = (d.line, d.col);
                let kd = func.inst_mut(k32);
                (kd.line, kd.col) = (line, col);
                let k32 = func.inst(k32).results[0];
                func.inst_mut(inst).args = vec![x, k32];
                if let ValueDef::Result(ci, _) = func.value_def(k32) {
                    new_insts.push(ci);
                }
                changed = true;
            }
        }
        new_insts.push(inst);
    }
    if changed {
        // Extensions nothing uses any more.
        let used: std::collections::HashSet<Value> = func
            .layout
            .iter()
            .flat_map(|&b| func.block(b).insts.iter())
            .flat_map(|&i| {
                let d = func.inst(i);
                d.args
                    .iter()
                    .chain(d.targets.iter().flat_map(|t| &t.args))
                    .copied()
                    .collect::<Vec<_>>()
            })
            .collect();
        new_insts.retain(|&i| {
            let d = func.inst(i);
            !(d.op == Op::Sext && d.results.iter().all(|r| !used.contains(r)))
        });
        func.block_mut(l).insts = new_insts;
    }
    changed
}

/// [`uniform_compare`]'s rewrite of loop `l`, kept only when the loop then vectorizes.
fn narrow_uniform_compares(func: &mut Function, l: Block, fastmath: bool) -> bool {
    if !uniform_compare::applies(func, l) {
        return false;
    }
    let mut trial = func.clone();
    let keep = uniform_compare::run(&mut trial, l) && analyze(&trial, l, fastmath).is_ok();
    if keep {
        *func = trial;
    }
    keep
}

/// A float maximum or minimum carried without `fastmath` (`if a[i] > m: m = a[i]`,
/// `m = select(x > m, x, m)`): per-lane maxima merged afterwards give the right value but may
/// keep the other of two equal zeros (`0.0 == -0.0`). Given the iteration each lane took its
/// value in, the arg-reduction merge ([`arg`]) keeps the scalar loop's element exactly (the
/// first of equal ones). So the loop gets a hidden position `k = select(c, i, k)` under the same
/// condition, no one reads it after the loop (`dce` removes it from the scalar loop), and the
/// loop vectorizes as an argmax. Kept only when the loop then vectorizes.
fn hidden_positions(func: &mut Function, l: Block, fastmath: bool) -> bool {
    if fastmath {
        // Float extremes reorder freely under fastmath (`find_reduction`).
        return false;
    }
    let Some(term) = func.terminator(l) else {
        return false;
    };
    let t = func.inst(term);
    if t.op != Op::Brif || t.targets[0].block != l || t.targets[1].block == l {
        return false;
    }
    let params = func.block(l).params.clone();
    let back = t.targets[0].args.clone();
    // The index: the parameter whose next value the loop condition `i + 1 < n` tests.
    let Some(cmp) = def_inst(func, t.args[0]) else {
        return false;
    };
    let Some(i_index) = back.iter().position(|&a| a == func.inst(cmp).args[0]) else {
        return false;
    };
    let i = params[i_index];
    let in_body = |inst: Inst| func.block(l).insts.contains(&inst);
    let carried_select = |k: usize| {
        def_inst(func, back[k])
            .filter(|&d| in_body(d))
            .map(|d| func.inst(d))
            .filter(|d| d.op == Op::Select && d.args[2] == params[k])
            .map(|d| d.args[0])
    };
    let mut conditions = Vec::new();
    for k in 0..params.len() {
        if k == i_index || !func.value_type(params[k]).is_float() {
            continue;
        }
        let Some(cond) = carried_select(k) else {
            continue;
        };
        // Already kept with a position (a real argmin/argmax)?
        let paired = (0..params.len()).any(|j| {
            j != k && func.value_type(params[j]) == Ty::I64 && carried_select(j) == Some(cond)
        });
        if !paired && !conditions.contains(&cond) {
            conditions.push(cond);
        }
    }
    if conditions.is_empty() {
        return false;
    }
    let mut trial = func.clone();
    for cond in conditions {
        let position = trial.append_block_param(l, Ty::I64);
        // Entering the loop: any position (the incoming value is not a lane's).
        for b in trial.layout.clone() {
            if b == l {
                continue;
            }
            let Some(bt) = trial.terminator(b) else {
                continue;
            };
            let targets: Vec<usize> = (0..trial.inst(bt).targets.len())
                .filter(|&k| trial.inst(bt).targets[k].block == l)
                .collect();
            if targets.is_empty() {
                continue;
            }
            let zero = trial.create_inst(Op::Iconst(0), Vec::new(), &[Ty::I64], Vec::new());
            let v = trial.inst(zero).results[0];
            let insts = &mut trial.block_mut(b).insts;
            insts.insert(insts.len() - 1, zero);
            for k in targets {
                trial.inst_mut(bt).targets[k].args.push(v);
            }
        }
        let keep = trial.create_inst(Op::Select, vec![cond, i, position], &[Ty::I64], Vec::new());
        let next = trial.inst(keep).results[0];
        let insts = &mut trial.block_mut(l).insts;
        insts.insert(insts.len() - 1, keep);
        trial.inst_mut(term).targets[0].args.push(next);
    }
    if analyze(&trial, l, fastmath).is_err() {
        return false;
    }
    *func = trial;
    true
}

#[derive(Copy, Clone, Debug, PartialEq)]
enum Kind {
    Uniform,
    Index,
    /// Lane 0's address or byte offset; lanes are `stride` bytes apart.
    Affine {
        stride: Value,
    },
    Vector,
}

/// A load or store at an affine address.
struct Stream {
    inst: Inst,
    addr: Value,
    offset: i32,
    stride: Value,
    size: i64,
    store: bool,
}

struct Plan {
    /// Elements per vector: the most lanes of the loop's vector types (its narrowest
    /// elements). A value of a type with fewer lanes takes `lanes / its lanes` vectors (parts).
    lanes: u32,
    /// The fewest lanes of the loop's vector types.
    fewest: u32,
    i_index: usize,
    n: Value,
    kinds: HashMap<Value, Kind>,
    /// Body instructions to clone, in order (the loop control excluded).
    body: Vec<Inst>,
    streams: Vec<Stream>,
    /// Loads of one address in every iteration: (address, offset, size).
    uniform_loads: Vec<(Value, i32, i64)>,
    term: Inst,
    reductions: Vec<Reduction>,
    /// Best elements kept with their positions (argmin/argmax).
    arg_reductions: Vec<ArgReduction>,
    /// A stored value that is a float square root, or a quotient by a uniform value, of the
    /// rest of the body ([`RootStore`]).
    root_store: Option<RootStore>,
    /// A stored value that the runtime's 512-bit folds compute ([`fold`]), for long loops.
    fold: Option<fold::Fold>,
}

/// A map whose stored value's last operation is one that the runtime does with 512-bit vectors
/// at four times the speed of Cranelift's 128-bit ones (the packed square root and division
/// cost the same per instruction at any width on the CPUs measured): the vector loop stores the
/// operand instead, and after it the runtime's square roots (divisions) rewrite the stored
/// range in place. The aliasing check before the vector loop already proves that no other
/// access of the loop reads the stored range except at the same element, so the result is
/// the loop's, bitwise.
struct RootStore {
    /// Its position among the plan's streams.
    stream: usize,
    /// The stored value's operation (`sqrt` or `fdiv`), its operand, and the divisor.
    root: Inst,
    operand: Value,
    divisor: Option<Value>,
}

/// A stack slot of `bytes` for a fold's program, made in the function's entry block with its
/// first word zeroed: the runtime keeps there the machine code it made for the program (the
/// same at every execution of the call), so later calls of the function's run skip the
/// lookup (see `runtime::fold`).
fn fold_slot(func: &mut Function, bytes: u32, (line, col): (u32, u32)) -> Value {
    let entry = func.entry().expect("a function has an entry block");
    let slot = func.create_inst(Op::StackSlot(bytes), vec![], &[Ty::Ptr], vec![]);
    let zero = func.create_inst(Op::Iconst(0), vec![], &[Ty::I64], vec![]);
    let (at, zero_value) = (func.inst(slot).results[0], func.inst(zero).results[0]);
    let clear = func.create_inst(Op::Store { offset: 0 }, vec![at, zero_value], &[], vec![]);
    for inst in [slot, zero, clear] {
        let d = func.inst_mut(inst);
        (d.line, d.col) = (line, col);
    }
    let insts = &mut func.block_mut(entry).insts;
    let end = insts.len() - 1;
    insts.splice(end..end, [slot, zero, clear]);
    at
}

/// The bytes of a fold's program: the runtime's word, three words per step, and with `rows`
/// the row strides after them (`dst`'s, then each step's two words': see
/// `runtime::fold::ferrojit_fold_rows_f64`).
fn program_bytes(f: &fold::Fold, rows: bool) -> u32 {
    let steps = f.len() as u32;
    8 + 24 * steps + if rows { 8 * (1 + 2 * steps) } else { 0 }
}

/// Stores `f`'s steps into the program at `slot`: each step's code, then its words, the
/// element pointers `starts[stream]` and the fixed values as `fixed` gives them.
fn write_program(
    b: &mut Builder,
    slot: Value,
    f: &fold::Fold,
    starts: &[Value],
    mut fixed: impl FnMut(&mut Builder, Value) -> Value,
) {
    let steps = match &f.program {
        fold::Program::Float(steps) => steps,
        fold::Program::Int(steps) => return write_int_program(b, slot, steps, starts, fixed),
    };
    for (k, &(combine, term)) in steps.iter().enumerate() {
        // A term reading the float elements of an earlier term's stream says so: the runtime
        // then loads them once (`((3*x + 2)*x - 1.5)*x`).
        let same_element_as = term.float_stream().and_then(|s| {
            steps[..k]
                .iter()
                .position(|(_, earlier)| earlier.float_stream() == Some(s))
        });
        let code = b.iconst(
            Ty::I64,
            runtime::fold::step_code(combine, term.kind(), same_element_as) as i64,
        );
        let at = 8 + 24 * k as i32;
        b.ins_full(Op::Store { offset: at }, vec![slot, code], &[], vec![]);
        for (w, word) in step_words(term).into_iter().enumerate() {
            let value = match word {
                Some(StepWord::Stream(s)) => starts[s],
                Some(StepWord::Fixed(u)) => fixed(b, u),
                None => continue,
            };
            let offset = at + 8 * (w as i32 + 1);
            b.ins_full(Op::Store { offset }, vec![slot, value], &[], vec![]);
        }
    }
}

/// [`write_program`] for an integer fold (`runtime::int_fold`): each step's code, then its
/// element pointer or fixed value, then an element term's fixed value; shift amounts as
/// `i64` constants.
fn write_int_program(
    b: &mut Builder,
    slot: Value,
    steps: &[(runtime::int_fold::IntOp, fold::IntFoldTerm)],
    starts: &[Value],
    mut fixed: impl FnMut(&mut Builder, Value) -> Value,
) {
    use fold::{FixedInt, IntFoldTerm};
    use runtime::int_fold::IntTerm;
    for (k, &(op, term)) in steps.iter().enumerate() {
        let kind = match term {
            IntFoldTerm::Fixed(_) => IntTerm::Fixed,
            IntFoldTerm::Element(_) => IntTerm::Element,
            IntFoldTerm::ElementWith(inner, ..) => IntTerm::ElementWith(inner),
        };
        // An element term reading an earlier element term's stream says so (the runtime
        // loads it once).
        let stream = |t: &IntFoldTerm| match *t {
            IntFoldTerm::Element(s) | IntFoldTerm::ElementWith(_, s, _) => Some(s),
            IntFoldTerm::Fixed(_) => None,
        };
        let same_element_as =
            stream(&term).and_then(|s| steps[..k].iter().position(|(_, e)| stream(e) == Some(s)));
        let code = runtime::int_fold::int_step_code(op, kind, same_element_as);
        let code = b.iconst(Ty::I64, code as i64);
        let at = 8 + 24 * k as i32;
        b.ins_full(Op::Store { offset: at }, vec![slot, code], &[], vec![]);
        let mut value_of = |b: &mut Builder, x: FixedInt| match x {
            FixedInt::Value(u) => fixed(b, u),
            FixedInt::Amount(c) => b.iconst(Ty::I64, c),
        };
        let words = match term {
            IntFoldTerm::Fixed(x) => [Some(value_of(b, x)), None],
            IntFoldTerm::Element(s) => [Some(starts[s]), None],
            IntFoldTerm::ElementWith(_, s, x) => [Some(starts[s]), Some(value_of(b, x))],
        };
        for (w, word) in words.into_iter().enumerate() {
            if let Some(value) = word {
                let offset = at + 8 * (w as i32 + 1);
                b.ins_full(Op::Store { offset }, vec![slot, value], &[], vec![]);
            }
        }
    }
}

/// What a step's two words hold.
#[derive(Clone, Copy)]
enum StepWord {
    /// The first element of a stream (its position among the plan's).
    Stream(usize),
    /// A value the same in every iteration.
    Fixed(Value),
}

fn step_words(term: fold::FoldTerm) -> [Option<StepWord>; 2] {
    use fold::FoldTerm as T;
    match term {
        T::None => [None, None],
        T::Fixed(u) => [Some(StepWord::Fixed(u)), None],
        T::Element(s) | T::Square(s) | T::Integer(s) => [Some(StepWord::Stream(s)), None],
        T::ElementTimesFixed(s, u) => [Some(StepWord::Stream(s)), Some(StepWord::Fixed(u))],
        T::ElementTimesElement(s, t) => [Some(StepWord::Stream(s)), Some(StepWord::Stream(t))],
    }
}

/// Ops applied lane by lane to vectors (the verifier's invariant 15).
fn has_vector_form(op: &Op, lane: Ty) -> bool {
    use Op::*;
    let float = lane.is_float();
    let int = matches!(lane, Ty::I64 | Ty::I32 | Ty::I16 | Ty::I8);
    match op {
        Fadd | Fsub | Fmul | Fdiv | Fneg | Fabs | Sqrt | Floor | Ceil | Trunc | Nearest => float,
        Fcmp(_) => float,
        Iadd | Isub | Band | Bor | Bxor | Icmp(_) => int,
        // 64-bit lanes have no packed min/max below AVX-512 (Cranelift builds the 64-bit
        // multiply from 32-bit halves, which still beats two scalar multiplies).
        // x86 has no byte multiply (the verifier refuses `imul` on `i8x16`).
        Imul => int && lane != Ty::I8,
        Ineg | Bnot => int,
        // By a uniform amount (checked by the caller), which stays a scalar.
        Ishl | Sshr | Ushr => int,
        Smin | Smax | Umin | Umax => matches!(lane, Ty::I32 | Ty::I16 | Ty::I8),
        Not | And | Or | Select => true,
        _ => false,
    }
}

/// How a carried value combines the iterations' terms (see [`find_reduction`]).
#[derive(Clone, Debug, PartialEq)]
enum Combine {
    /// `s + t`, possibly inside `select(c, s + t, s)`: integers, or floats under fastmath.
    /// Lanes start at 0 (`-0.0`) and are added to the incoming value at the end.
    Sum(Op),
    /// `s = select(cmp(x, s), x, s)` and mirror images: integer min/max (floats under
    /// fastmath). Lanes start at the incoming value and are folded into it by the same two
    /// instructions.
    Extreme { cmp: Inst, select: Inst, x: Value },
}

/// A value carried around the loop that may be computed per lane and combined at the end.
struct Reduction {
    /// Its position among the loop's parameters.
    index: usize,
    s: Value,
    /// The value passed back.
    next: Value,
    ty: Ty,
    combine: Combine,
    /// A count of a condition on narrower elements, kept in the mask's own lanes.
    narrow: Option<NarrowCount>,
}

/// A count (`c = select(m, c + 1, c)`, `c += uext(m)`) of a mask with more lanes than the
/// counter's type (a byte comparison counted in `int64`): per-lane counters of the mask's width
/// (`i8x16`), each step `acc - m`, instead of widening every mask to the counter's width (eight
/// `m64x2` parts of a byte mask). A lane of `w` bits holds at most `2^w - 1` steps, so every
/// `period` vector iterations the counters are added (unsigned) into a scalar total and start
/// again from zero.
#[derive(Clone, Debug)]
struct NarrowCount {
    /// The condition counted.
    mask: Value,
    /// The counters' type (integers with the mask's lanes).
    acc_ty: Ty,
    /// The reduction's instructions (and a `uext` only it uses), replaced by the counters.
    chain: Vec<Inst>,
    period: i64,
}

/// The lanes of the vector mask a loop-body bool becomes: a comparison's operands' lanes, a
/// loaded bool's 16, a combination's first operand's (see `vector_parts`).
fn mask_lanes(func: &Function, l: Block, c: Value) -> Option<u32> {
    let inst = def_inst(func, c).filter(|i| func.block(l).insts.contains(i))?;
    let d = func.inst(inst);
    match d.op {
        Op::Icmp(_) | Op::Fcmp(_) => Some(func.value_type(d.args[0]).vector()?.lanes()),
        Op::Load { .. } => Some(16),
        Op::Not | Op::And | Op::Or => mask_lanes(func, l, d.args[0]),
        _ => None,
    }
}

/// The [`NarrowCount`] form of an integer sum, if it is one.
fn narrow_count(func: &Function, l: Block, r: &Reduction) -> Option<NarrowCount> {
    if r.combine != Combine::Sum(Op::Iadd) || !matches!(r.ty, Ty::I64 | Ty::I32 | Ty::I16) {
        return None;
    }
    let body = &func.block(l).insts;
    let uses = |v: Value| {
        body.iter()
            .filter(|&&i| func.inst(i).args.contains(&v))
            .count()
            + func.terminator(l).map_or(0, |t| {
                func.inst(t)
                    .targets
                    .iter()
                    .filter(|b| b.args.contains(&v))
                    .count()
            })
    };
    let next = func.inst(def_inst(func, r.next)?).clone();
    let is_one = |v: Value| const_of(func, v) == Some(1);
    let (mask, chain) = match next.op {
        // select(m, s + 1, s)
        Op::Select if next.args[2] == r.s => {
            let step = def_inst(func, next.args[1])?;
            let sd = func.inst(step);
            let plus_one = sd.op == Op::Iadd
                && ((sd.args[0] == r.s && is_one(sd.args[1]))
                    || (sd.args[1] == r.s && is_one(sd.args[0])));
            if !plus_one || uses(next.args[1]) != 1 {
                return None;
            }
            (next.args[0], vec![step, def_inst(func, r.next)?])
        }
        // s + uext(m)
        Op::Iadd => {
            let u = if next.args[0] == r.s {
                next.args[1]
            } else {
                next.args[0]
            };
            let ui = def_inst(func, u).filter(|i| body.contains(i))?;
            let ud = func.inst(ui);
            if ud.op != Op::Uext || func.value_type(ud.args[0]) != Ty::Bool || uses(u) != 1 {
                return None;
            }
            (ud.args[0], vec![ui, def_inst(func, r.next)?])
        }
        _ => return None,
    };
    // Nothing else may read the counter (all of the body that depends on it is the chain).
    let mut dep = vec![r.s];
    for &inst in body {
        let d = func.inst(inst);
        if !d.op.is_terminator() && d.args.iter().any(|a| dep.contains(a)) {
            if !chain.contains(&inst) {
                return None;
            }
            dep.extend(d.results.iter().copied());
        }
    }
    let lanes = mask_lanes(func, l, mask)?;
    if lanes <= r.ty.vector()?.lanes() {
        return None;
    }
    let (acc_ty, period) = match lanes {
        16 => (Ty::I8X16, 255),
        8 => (Ty::I16X8, 65_535),
        _ => (Ty::I32X4, i64::from(u32::MAX)),
    };
    Some(NarrowCount {
        mask,
        acc_ty,
        chain,
        period,
    })
}

/// Whether the carried parameter `s` (passed back as `next`) is a reduction whose order may
/// change: integer sums and min/max always (exact), float ones only under `fastmath`.
fn find_reduction(
    func: &Function,
    l: Block,
    index: usize,
    next: Value,
    fastmath: bool,
) -> Result<Reduction, String> {
    let block = func.block(l);
    let s = block.params[index];
    let ty = func.value_type(s);
    let refuse = || format!("{s} is carried from one iteration to the next (a recurrence)");
    if ty.vector().is_none() || ty == Ty::Bool || (ty.is_float() && !fastmath) {
        let why = if ty.is_float() {
            "a float reduction (reordering it needs fastmath)"
        } else {
            "a recurrence"
        };
        return Err(format!(
            "{s} is carried from one iteration to the next ({why})"
        ));
    }
    // The instructions that depend on `s`.
    let mut dep = vec![s];
    let mut chain = Vec::new();
    for &inst in &block.insts {
        let d = func.inst(inst);
        if d.op.is_terminator() {
            continue;
        }
        if d.args.iter().any(|a| dep.contains(a)) {
            chain.push(inst);
            dep.extend(d.results.iter().copied());
        }
    }
    if !dep.contains(&next) {
        return Err(refuse());
    }
    let in_dep = |v: &Value| dep.contains(v);
    // The terminator passes a chain value back only in `s`'s place (exits may read any).
    let term = func.terminator(l).expect("checked");
    let back = &func.inst(term).targets[0].args;
    if back
        .iter()
        .enumerate()
        .any(|(k, a)| k != index && in_dep(a))
    {
        return Err(refuse());
    }
    let add = if ty.is_float() { Op::Fadd } else { Op::Iadd };
    let sum = chain.iter().all(|&inst| {
        let d = func.inst(inst);
        match &d.op {
            op if *op == add => d.args.iter().filter(|a| in_dep(a)).count() == 1,
            Op::Select => !in_dep(&d.args[0]) && in_dep(&d.args[1]) && in_dep(&d.args[2]),
            _ => false,
        }
    });
    if sum {
        return Ok(Reduction {
            index,
            s,
            next,
            ty,
            combine: Combine::Sum(add),
            narrow: None,
        });
    }
    // select(cmp(x, s), x, s) in any arrangement of the operands.
    if let [cmp, select] = chain[..]
        && matches!(func.inst(cmp).op, Op::Icmp(_) | Op::Fcmp(_))
    {
        // (The chain's first instruction is a comparison: two operands to look at.)
        let (c, sel) = (func.inst(cmp), func.inst(select));
        let x = if c.args[0] == s { c.args[1] } else { c.args[0] };
        let pair = |a: Value, b: Value| (a == x && b == s) || (a == s && b == x);
        if x != s
            && pair(c.args[0], c.args[1])
            && sel.op == Op::Select
            && sel.args[0] == c.results[0]
            && pair(sel.args[1], sel.args[2])
            && sel.results[0] == next
        {
            let ordered = match c.op {
                Op::Icmp(cc) => !matches!(cc, IntCC::Eq | IntCC::Ne),
                Op::Fcmp(cc) => !matches!(
                    cc,
                    crate::function::FloatCC::Eq | crate::function::FloatCC::Ne
                ),
                _ => false,
            };
            if ordered {
                return Ok(Reduction {
                    index,
                    s,
                    next,
                    ty,
                    combine: Combine::Extreme { cmp, select, x },
                    narrow: None,
                });
            }
        }
    }
    Err(refuse())
}

fn analyze(func: &Function, l: Block, fastmath: bool) -> Result<Plan, String> {
    let block = func.block(l);
    let super::util::CountedLoop {
        term,
        cmp,
        i_index,
        i,
        n,
        one,
        next_i,
    } = super::util::counted_loop(func, l)?;
    let t = func.inst(term);
    let c = func.inst(cmp);
    let in_body = |v: Value| defined_in(func, l, v);
    let back = &t.targets[0];
    // (`one`, the step's constant 1, is the stride of a byte address `base + i`: 1-byte
    // elements need no multiply, so their addresses are the index itself plus a base.)
    let arg_reductions = arg::find(func, l, i_index, &back.args)?;
    let mut reductions = Vec::new();
    for (k, (&arg, &param)) in back.args.iter().zip(&block.params).enumerate() {
        let in_arg = arg_reductions
            .iter()
            .any(|r| r.value_index == k || r.at_index == k);
        if k != i_index && arg != param && !in_arg {
            reductions.push(find_reduction(func, l, k, arg, fastmath)?);
        }
    }

    for r in &mut reductions {
        r.narrow = narrow_count(func, l, r);
    }
    // The instructions a narrow count replaces: their lanes (the counter's) do not count.
    let narrow_chain: Vec<Inst> = reductions
        .iter()
        .filter_map(|r| r.narrow.as_ref())
        .flat_map(|n| n.chain.iter().copied())
        .collect();
    let mut kinds: HashMap<Value, Kind> = HashMap::new();
    for r in &reductions {
        kinds.insert(r.s, Kind::Vector);
    }
    for r in &arg_reductions {
        kinds.insert(r.s, Kind::Vector);
        kinds.insert(r.t, Kind::Vector);
    }
    let kind = |kinds: &HashMap<Value, Kind>, v: Value| -> Kind {
        if v == i {
            Kind::Index
        } else if !in_body(v) {
            Kind::Uniform
        } else {
            kinds.get(&v).copied().unwrap_or(Kind::Uniform)
        }
    };
    // Values that depend on memory loaded in the loop (addresses must not).
    let mut loaded: Vec<Value> = Vec::new();
    // The most and fewest lanes of the loop's vector types: a vector iteration covers the most
    // (the narrowest elements); a value of a wider type takes several vectors (its parts).
    let mut lanes: Option<u32> = None;
    let mut fewest: Option<u32> = None;
    let mut use_lanes = |ty: Ty| -> Result<(), String> {
        let n = ty.vector().map(|v| v.lanes()).unwrap_or(0);
        if n == 0 {
            return Err(format!("{ty} has no vector type"));
        }
        lanes = Some(lanes.map_or(n, |m| m.max(n)));
        fewest = Some(fewest.map_or(n, |m| m.min(n)));
        Ok(())
    };
    let mut streams = Vec::new();
    let mut uniform_loads = Vec::new();
    let mut body = Vec::new();
    let cmp_result = c.results[0];
    for &inst in &block.insts {
        if inst == cmp || inst == term {
            continue;
        }
        if func.inst(inst).args.contains(&cmp_result) {
            return Err("the loop condition is used in the body".into());
        }
        body.push(inst);
        let d = func.inst(inst);
        let arg_kinds: Vec<Kind> = d.args.iter().map(|&v| kind(&kinds, v)).collect();
        let uniform_args = arg_kinds.iter().all(|k| *k == Kind::Uniform);
        let from_memory = d.args.iter().any(|v| loaded.contains(v));
        let result_kind = match &d.op {
            Op::Store { offset } => {
                let size = i64::from(func.value_type(d.args[1]).bits() / 8);
                let address_kind = match arg_kinds[0] {
                    Kind::Index => Kind::Affine { stride: one },
                    k => k,
                };
                match (address_kind, arg_kinds[1]) {
                    (Kind::Affine { stride }, Kind::Vector | Kind::Uniform) => {
                        use_lanes(func.value_type(d.args[1]))?;
                        if loaded.contains(&d.args[0]) {
                            return Err("an address depends on memory loaded in the loop".into());
                        }
                        streams.push(Stream {
                            inst,
                            addr: d.args[0],
                            offset: *offset,
                            stride,
                            size,
                            store: true,
                        });
                        None
                    }
                    (Kind::Uniform, _) => {
                        return Err(
                            "a store writes the same address every iteration (a value carried \
                             through memory)"
                                .into(),
                        );
                    }
                    _ => return Err("a stored value or address is not lane-wise".into()),
                }
            }
            Op::Load { offset, readonly } => {
                let ty = func.value_type(d.results[0]);
                if loaded.contains(&d.args[0]) {
                    return Err("an address depends on memory loaded in the loop".into());
                }
                // Read-only memory (array descriptors) never changes: no check needed.
                if !readonly {
                    loaded.push(d.results[0]);
                }
                let address_kind = match arg_kinds[0] {
                    Kind::Index => Kind::Affine { stride: one },
                    k => k,
                };
                match address_kind {
                    Kind::Uniform => {
                        if !readonly {
                            uniform_loads.push((d.args[0], *offset, i64::from(ty.bits() / 8)));
                        }
                        Some(Kind::Uniform)
                    }
                    Kind::Affine { stride } => {
                        use_lanes(ty)?;
                        streams.push(Stream {
                            inst,
                            addr: d.args[0],
                            offset: *offset,
                            stride,
                            size: i64::from(ty.bits() / 8),
                            store: false,
                        });
                        Some(Kind::Vector)
                    }
                    _ => return Err("a load's address is not affine in the index".into()),
                }
            }
            _ if d.results.len() != 1 || d.op.value_operand_count().is_none() => {
                let what = crate::print::opcode_name(&d.op);
                return Err(format!("`{what}` has no lane-wise form"));
            }
            _ if arg_reductions.iter().any(|r| r.at_select == inst) => {
                // `select c, position, k`: the position is the index (kept per lane as the
                // iteration it was taken in).
                if arg_kinds[1] != Kind::Index {
                    return Err("an argmin/argmax keeps a position that is not the index".into());
                }
                use_lanes(Ty::I64)?;
                Some(Kind::Vector)
            }
            _ if uniform_args => Some(Kind::Uniform),
            Op::Iadd | Op::Isub if arg_kinds.contains(&Kind::Index) => {
                let ok = (arg_kinds[0] == Kind::Index && arg_kinds[1] == Kind::Uniform)
                    || (d.op == Op::Iadd && arg_kinds == [Kind::Uniform, Kind::Index]);
                if !ok {
                    return Err("the index is used as a number".into());
                }
                Some(Kind::Index)
            }
            Op::Imul if arg_kinds.contains(&Kind::Index) => match arg_kinds[..] {
                [Kind::Index, Kind::Uniform] => Some(Kind::Affine { stride: d.args[1] }),
                [Kind::Uniform, Kind::Index] => Some(Kind::Affine { stride: d.args[0] }),
                _ => return Err("the index is used as a number".into()),
            },
            Op::Iadd | Op::Isub
                if matches!(arg_kinds[0], Kind::Affine { .. })
                    || matches!(arg_kinds[1], Kind::Affine { .. }) =>
            {
                match arg_kinds[..] {
                    [Kind::Affine { stride }, Kind::Uniform] => Some(Kind::Affine { stride }),
                    [Kind::Uniform, Kind::Affine { stride }] if d.op == Op::Iadd => {
                        Some(Kind::Affine { stride })
                    }
                    _ => return Err("an address is not affine in the index".into()),
                }
            }
            _ if arg_kinds.contains(&Kind::Index) => {
                return Err("the index is used as a number".into());
            }
            _ if arg_kinds.iter().any(|k| matches!(k, Kind::Affine { .. })) => {
                return Err("an address is used as a number".into());
            }
            op => {
                // Lanes of the operands (a select's arms, a comparison's operands).
                let ty = func.value_type(d.results[0]);
                let lane = if ty == Ty::Bool {
                    func.value_type(d.args[d.args.len() - 1])
                } else {
                    ty
                };
                let from = func.value_type(d.args[0]);
                let int_lanes = |t: Ty| matches!(t, Ty::I64 | Ty::I32 | Ty::I16 | Ty::I8);
                let conversion = *op == Op::SToF
                    && matches!((from, ty), (Ty::I64, Ty::F64) | (Ty::I32, Ty::F32))
                    // Integers of another width: each vector of the operand widens into two
                    // (or packs with its neighbour), see `resize_parts`.
                    || (matches!(op, Op::Sext | Op::Uext | Op::Ireduce)
                        && int_lanes(from)
                        && int_lanes(ty)
                        && arg_kinds[0] == Kind::Vector)
                    // A lane mask as 0/1 (`c += int(a[i] > t)`, `np.sum(a > t)`): the mask
                    // is resized to the result's lanes first.
                    || (*op == Op::Uext
                        && from == Ty::Bool
                        && int_lanes(ty)
                        && arg_kinds[0] == Kind::Vector);
                if !has_vector_form(op, lane) && !conversion {
                    let what = crate::print::opcode_name(op);
                    return Err(format!("`{what}` on {lane} has no lane-wise form"));
                }
                if lane != Ty::Bool && !narrow_chain.contains(&inst) {
                    use_lanes(lane)?;
                }
                if *op == Op::Select && func.value_type(d.args[1]) == Ty::Bool {
                    return Err("`select` of bools has no lane-wise form".into());
                }
                let shift = matches!(op, Op::Ishl | Op::Sshr | Op::Ushr);
                if shift && arg_kinds[1] != Kind::Uniform {
                    return Err("a shift amount differs between lanes".into());
                }
                let logic = matches!(op, Op::Not | Op::And | Op::Or);
                if logic && arg_kinds.iter().any(|k| *k != Kind::Vector) {
                    return Err("a lane mask is combined with a single bool".into());
                }
                Some(Kind::Vector)
            }
        };
        if let Some(k) = result_kind {
            kinds.insert(d.results[0], k);
            if from_memory {
                loaded.push(d.results[0]);
            }
        }
    }
    for r in &mut reductions {
        // A count of a condition the same in every lane (a bool fixed in the loop) is an
        // ordinary sum: its instructions have the counter's lanes.
        if r.narrow
            .as_ref()
            .is_some_and(|n| kinds.get(&n.mask) != Some(&Kind::Vector))
        {
            r.narrow = None;
        }
        match &r.narrow {
            Some(n) => use_lanes(n.acc_ty.lane())?,
            None => use_lanes(r.ty)?,
        }
    }
    for r in &arg_reductions {
        use_lanes(r.ty)?;
    }
    let lanes = lanes.ok_or("nothing is loaded or stored at addresses that advance with i")?;
    if !arg_reductions.is_empty() && fewest != Some(lanes) {
        return Err("an argmin/argmax in a loop that mixes element widths".into());
    }
    if !streams.iter().any(|s| s.store) && reductions.is_empty() && arg_reductions.is_empty() {
        return Err("nothing is stored at addresses that advance with the index".into());
    }
    if streams.len() > MAX_STREAMS {
        return Err(format!("more than {MAX_STREAMS} address streams"));
    }
    if alias_checks(&streams, uniform_loads.len()) > MAX_ALIAS_CHECKS {
        return Err(format!("more than {MAX_ALIAS_CHECKS} aliasing checks"));
    }
    for s in &streams {
        // The parts of a wide value are addressed 16 bytes apart from its offset.
        if s.offset.checked_add(128).is_none() {
            return Err("an offset too large for a vector's parts".into());
        }
        if loaded.contains(&s.stride) {
            return Err("a stride depends on memory loaded in the loop".into());
        }
        if let Some(c) = const_of(func, s.stride)
            && c != s.size
        {
            return Err(format!(
                "an access has stride {c} bytes, not the element size {}",
                s.size
            ));
        }
    }
    let root_store = if reductions.is_empty() && arg_reductions.is_empty() {
        find_root_store(func, l, &streams, &kinds)
    } else {
        None
    };
    // A sum a fold's routine may add in its own order: floats under fastmath (the only way
    // they are reductions here), integers always (a wrapping sum is the same in any order).
    let fold_sum = |r: &Reduction| {
        r.narrow.is_none()
            && match r.combine {
                Combine::Sum(Op::Fadd) => r.ty.is_float(),
                Combine::Sum(Op::Iadd) => matches!(r.ty, Ty::I64 | Ty::I32),
                _ => false,
            }
    };
    let fold = match (&reductions[..], arg_reductions.is_empty()) {
        ([], true) => fold::find_fold(func, &body, &streams, &kinds),
        ([r], true) if fold_sum(r) => {
            fold::find_fold_sum(func, &body, &streams, &kinds, (r.s, r.next))
        }
        _ => None,
    }
    .filter(fold::worth_it)
    .map(|mut f| {
        if f.store.is_some() {
            f.exit = fold::exit_values(func, l, term, (i_index, i, next_i));
        }
        f
    });
    // A fold computes the root itself, in the long runs where a root store would pay; the
    // short ones take the vector loop as it is.
    let root_store = root_store.filter(|_| fold.is_none());
    Ok(Plan {
        lanes,
        fewest: fewest.unwrap_or(lanes),
        i_index,
        n,
        kinds,
        body,
        streams,
        uniform_loads,
        term,
        reductions,
        arg_reductions,
        root_store,
        fold,
    })
}

/// The first store of a float square root (or of a quotient by a uniform value) that nothing
/// else uses, if the loop has one ([`RootStore`]).
fn find_root_store(
    func: &Function,
    l: Block,
    streams: &[Stream],
    kinds: &HashMap<Value, Kind>,
) -> Option<RootStore> {
    let block = func.block(l);
    let uses = |v: Value| {
        block
            .insts
            .iter()
            .map(|&i| {
                let d = func.inst(i);
                d.args
                    .iter()
                    .chain(d.targets.iter().flat_map(|t| &t.args))
                    .filter(|&&a| a == v)
                    .count()
            })
            .sum::<usize>()
    };
    streams.iter().enumerate().find_map(|(k, st)| {
        if !st.store {
            return None;
        }
        let value = func.inst(st.inst).args[1];
        let root = def_inst(func, value).filter(|i| block.insts.contains(i))?;
        let d = func.inst(root);
        let float = matches!(func.value_type(value), Ty::F64 | Ty::F32);
        let vector = |v: Value| kinds.get(&v) == Some(&Kind::Vector);
        let divisor = match d.op {
            Op::Sqrt => None,
            Op::Fdiv if kinds.get(&d.args[1]).is_none_or(|k| *k == Kind::Uniform) => {
                Some(d.args[1])
            }
            _ => return None,
        };
        (float && vector(d.args[0]) && uses(value) == 1).then_some(RootStore {
            stream: k,
            root,
            operand: d.args[0],
            divisor,
        })
    })
}

/// An address as a sum of values times constant factors (sorted by value) plus a constant.
/// Streams whose forms differ only in the constant share one base pointer in the vector loop
/// and reach their elements by displacement (`load base+16`), as a stencil's neighbours do.
#[derive(Clone, Debug, PartialEq)]
struct Linear {
    terms: Vec<(Value, i64)>,
    constant: i64,
}

impl Linear {
    fn atom(v: Value) -> Linear {
        Linear {
            terms: vec![(v, 1)],
            constant: 0,
        }
    }
    fn add(mut self, other: Linear, sign: i64) -> Linear {
        for (v, c) in other.terms {
            let c = c.wrapping_mul(sign);
            match self.terms.iter_mut().find(|(w, _)| *w == v) {
                Some(t) => t.1 = t.1.wrapping_add(c),
                None => self.terms.push((v, c)),
            }
        }
        self.terms.retain(|t| t.1 != 0);
        self.terms.sort_by_key(|t| t.0);
        self.constant = self
            .constant
            .wrapping_add(other.constant.wrapping_mul(sign));
        self
    }
    fn scale(mut self, k: i64) -> Linear {
        for t in &mut self.terms {
            t.1 = t.1.wrapping_mul(k);
        }
        self.terms.retain(|t| t.1 != 0);
        self.constant = self.constant.wrapping_mul(k);
        self
    }
}

/// `v` (an address computed in the loop `l`) as a [`Linear`] form, expanding additions,
/// subtractions and multiplications by constants; `unit` are the strides the run-time check
/// proved equal to `size` (in the vector loop only), read as that constant. Integer arithmetic
/// wraps, so the sum in another order is the same address.
fn linear_form(
    func: &Function,
    l: Block,
    v: Value,
    unit: &[Value],
    size: i64,
    depth: u32,
) -> Linear {
    if let Some(c) = const_of(func, v) {
        return Linear {
            terms: vec![],
            constant: c,
        };
    }
    let Some(inst) = def_inst(func, v).filter(|i| depth > 0 && func.block(l).insts.contains(i))
    else {
        return Linear::atom(v);
    };
    let d = func.inst(inst);
    let form = |x: Value| linear_form(func, l, x, unit, size, depth - 1);
    let factor = |x: Value| const_of(func, x).or_else(|| unit.contains(&x).then_some(size));
    match d.op {
        Op::Iadd => form(d.args[0]).add(form(d.args[1]), 1),
        Op::Isub => form(d.args[0]).add(form(d.args[1]), -1),
        Op::Imul => match (factor(d.args[0]), factor(d.args[1])) {
            (_, Some(k)) => form(d.args[0]).scale(k),
            (Some(k), None) => form(d.args[1]).scale(k),
            _ => Linear::atom(v),
        },
        _ => Linear::atom(v),
    }
}

/// Whether stream `j` needs a run-time check against the store stream `k` (the rewrite checks
/// exactly these pairs): another address, and each pair of stores once.
fn needs_alias_check(streams: &[Stream], k: usize, j: usize) -> bool {
    let (s, o) = (&streams[k], &streams[j]);
    s.store && j != k && !(o.addr == s.addr && o.offset == s.offset) && (!o.store || j > k)
}

/// How many aliasing checks the rewrite emits: the pairs of [`needs_alias_check`] and every
/// store against every uniform load.
fn alias_checks(streams: &[Stream], uniform_loads: usize) -> usize {
    let stores = streams.iter().filter(|s| s.store).count();
    let pairs = (0..streams.len())
        .flat_map(|k| (0..streams.len()).map(move |j| (k, j)))
        .filter(|&(k, j)| needs_alias_check(streams, k, j))
        .count();
    pairs + stores * uniform_loads
}

/// Recomputes `v` (uniform or affine, no loads of the loop) in the block `b` is building, with
/// the loop's parameters replaced by `params` and its index by `index`.
fn materialize(
    b: &mut Builder,
    l: Block,
    v: Value,
    params: &[Value],
    index_pos: usize,
    index: Value,
    memo: &mut HashMap<Value, Value>,
) -> Value {
    if let Some(&m) = memo.get(&v) {
        return m;
    }
    let m = match b.func.value_def(v) {
        ValueDef::Param(pb, k) if pb == l => {
            if k as usize == index_pos {
                index
            } else {
                params[k as usize]
            }
        }
        ValueDef::Result(inst, _) if b.func.block(l).insts.contains(&inst) => {
            let d = b.func.inst(inst).clone();
            let args: Vec<Value> = d
                .args
                .iter()
                .map(|&a| materialize(b, l, a, params, index_pos, index, memo))
                .collect();
            let ty = b.func.value_type(v);
            b.ins(d.op.clone(), &args, ty)
        }
        _ => v,
    };
    memo.insert(v, m);
    m
}

fn rewrite(func: &mut Function, l: Block, plan: Plan) {
    // A fold that is all its enclosing loop does runs every row in one call, before the
    // per-row machinery below (which the loop keeps for the runs the rows call refuses).
    if let Some(rows) = rows::find(func, l, &plan) {
        rows::emit(func, l, &plan, &rows);
    }
    let carries = !plan.reductions.is_empty() || !plan.arg_reductions.is_empty();
    let unroll = if !carries {
        UNROLL_MAP
    } else if !plan.arg_reductions.is_empty() {
        UNROLL_ARG
    } else {
        UNROLL_REDUCTION
    };
    // A value of the widest elements takes `lanes / fewest` vectors per copy of the body
    // already: fewer copies keep the vector count (and the registers it needs) the same.
    let unroll = (unroll / i64::from(plan.lanes / plan.fewest)).max(1);
    let parts = |vty: Ty| (plan.lanes / vty.lanes()) as usize;
    let width = i64::from(plan.lanes) * unroll;
    let (line, col) = (func.inst(plan.term).line, func.inst(plan.term).col);
    let l_params = func.block(l).params.clone();

    // P: the new entry of the loop, with L's parameters.
    let p = func.create_block();
    let p_params: Vec<Value> = l_params
        .iter()
        .map(|&v| {
            let ty = func.value_type(v);
            func.append_block_param(p, ty)
        })
        .collect();
    super::util::redirect_entries(func, l, p, l);
    let p2 = func.create_block();
    let v = func.create_block();
    let pos = func
        .layout
        .iter()
        .position(|&b| b == l)
        .expect("L is placed");
    func.layout.splice(pos..pos, [p, p2, v]);
    let vi = func.append_block_param(v, Ty::I64);
    // One vector accumulator per reduction and copy of the body.
    let mut accs: Vec<Vec<Value>> = Vec::new();
    let acc_type = |r: &Reduction| match &r.narrow {
        Some(n) => n.acc_ty,
        None => r.ty.vector().expect("checked lanes"),
    };
    for r in &plan.reductions {
        let vty = acc_type(r);
        accs.push(
            (0..unroll as usize * parts(vty))
                .map(|_| func.append_block_param(v, vty))
                .collect(),
        );
    }
    // Per arg-reduction and copy of the body: best values and the iteration each was taken
    // in; then one splat of the vector loop's index.
    let mut arg_accs: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    for r in &plan.arg_reductions {
        let vty = r.ty.vector().expect("checked lanes");
        let values = (0..unroll)
            .map(|_| func.append_block_param(v, vty))
            .collect();
        let ats = (0..unroll)
            .map(|_| func.append_block_param(v, Ty::I64X2))
            .collect();
        arg_accs.push((values, ats));
    }
    let index_splat =
        (!plan.arg_reductions.is_empty()).then(|| func.append_block_param(v, Ty::I64X2));
    // Narrow counts: the vector iterations since their counters were last emptied, and each
    // one's total of the emptied counters.
    let period = plan
        .reductions
        .iter()
        .filter_map(|r| r.narrow.as_ref().map(|n| n.period))
        .min();
    let since_flush = period.map(|_| func.append_block_param(v, Ty::I64));
    let totals: Vec<Option<Value>> = plan
        .reductions
        .iter()
        .map(|r| r.narrow.as_ref().map(|_| func.append_block_param(v, r.ty)))
        .collect();
    let i0 = p_params[plan.i_index];
    let to_l = |index: Value| {
        let mut args = p_params.clone();
        args[plan.i_index] = index;
        BlockCall { block: l, args }
    };

    let mut b = Builder::new(func);
    b.set_srcloc(line, col);
    b.switch_to(p);
    let w = b.iconst(Ty::I64, width);
    let more = b.icmp(IntCC::Slt, i0, plan.n);
    let len = b.binary(Op::Isub, plan.n, i0);
    let long = b.icmp(IntCC::Sgt, len, w);
    let go = b.binary(Op::And, more, long);
    // The vector loop continues while `n - vi' > W`, tested as `vi' < n - W` (no overflow
    // where the loop runs: `n - i0 > W` there).
    let limit = b.binary(Op::Isub, plan.n, w);
    let to = to_l(i0);
    b.brif(go, p2, &[], to.block, &to.args);

    // P2: strides, aliasing, splats.
    b.switch_to(p2);
    let mut at_start = HashMap::new();
    let mut at_end = HashMap::new();
    let mut ok: Option<Value> = None;
    let all = |b: &mut Builder, ok: &mut Option<Value>, c: Value| {
        *ok = Some(match *ok {
            Some(o) => b.binary(Op::And, o, c),
            None => c,
        });
    };
    let mut checked_strides: Vec<(Value, i64)> = Vec::new();
    for s in &plan.streams {
        if const_of(b.func, s.stride).is_some() || checked_strides.contains(&(s.stride, s.size)) {
            continue;
        }
        checked_strides.push((s.stride, s.size));
        let stride = materialize(
            &mut b,
            l,
            s.stride,
            &p_params,
            plan.i_index,
            i0,
            &mut at_start,
        );
        let size = b.iconst(Ty::I64, s.size);
        let unit = b.icmp(IntCC::Eq, stride, size);
        all(&mut b, &mut ok, unit);
    }
    // Byte ranges [start, end) of each stream over iterations i0..n (strides are the element
    // sizes once the checks above pass).
    let mut range = |b: &mut Builder, addr: Value, offset: i32, size: i64, one: bool| {
        let start = materialize(b, l, addr, &p_params, plan.i_index, i0, &mut at_start);
        let end = if one {
            start
        } else {
            materialize(b, l, addr, &p_params, plan.i_index, plan.n, &mut at_end)
        };
        let mut shifted = |v: Value, by: i64| {
            if by == 0 {
                return v;
            }
            let k = b.iconst(Ty::I64, by);
            b.binary(Op::Iadd, v, k)
        };
        let start_bytes = shifted(start, i64::from(offset));
        let end_bytes = shifted(end, i64::from(offset) + if one { size } else { 0 });
        (start_bytes, end_bytes)
    };
    let mut ranges = Vec::new();
    for s in &plan.streams {
        ranges.push(range(&mut b, s.addr, s.offset, s.size, false));
    }
    // The byte address of the root store's first element (see `RootStore`).
    let root_ranges = plan.root_store.as_ref().map(|rs| ranges[rs.stream].0);
    let mut points = Vec::new();
    for &(addr, offset, size) in &plan.uniform_loads {
        points.push(range(&mut b, addr, offset, size, true));
    }
    for (k, s) in plan.streams.iter().enumerate() {
        if !s.store {
            continue;
        }
        let others = (0..plan.streams.len()).filter(|&j| needs_alias_check(&plan.streams, k, j));
        let mut pairs: Vec<(Value, Value)> = others.map(|j| ranges[j]).collect();
        pairs.extend(points.iter().copied());
        for (start, end) in pairs {
            let (s_start, s_end) = ranges[k];
            let before = b.icmp(IntCC::Ule, s_end, start);
            let after = b.icmp(IntCC::Ule, end, s_start);
            let apart = b.binary(Op::Or, before, after);
            all(&mut b, &mut ok, apart);
        }
    }
    // Base + displacement: streams whose addresses differ by constants share a base, computed
    // here without the index; the vector loop adds `vi * size` once per base.
    let unit: Vec<Value> = checked_strides.iter().map(|&(v, _)| v).collect();
    let i_param = l_params[plan.i_index];
    let mut bases: Vec<(Vec<(Value, i64)>, Value)> = Vec::new();
    let mut displaced: HashMap<Inst, (usize, i64)> = HashMap::new();
    let size = plan.streams.first().map_or(0, |s| s.size);
    for s in &plan.streams {
        let form = linear_form(b.func, l, s.addr, &unit, size, 16);
        let index_factor = form.terms.iter().find(|t| t.0 == i_param).map(|t| t.1);
        if s.size != size || index_factor != Some(size) {
            continue;
        }
        let key: Vec<(Value, i64)> = form.terms.into_iter().filter(|t| t.0 != i_param).collect();
        let group = match bases.iter().position(|(k, _)| *k == key) {
            Some(g) => g,
            None => {
                let mut sum: Option<Value> = None;
                for &(atom, factor) in &key {
                    let x =
                        materialize(&mut b, l, atom, &p_params, plan.i_index, i0, &mut at_start);
                    let x = if factor == 1 {
                        x
                    } else {
                        let k = b.iconst(Ty::I64, factor);
                        b.binary(Op::Imul, x, k)
                    };
                    sum = Some(match sum {
                        Some(acc) => b.binary(Op::Iadd, acc, x),
                        None => x,
                    });
                }
                let sum = match sum {
                    Some(v) => v,
                    None => b.iconst(Ty::I64, 0),
                };
                bases.push((key, sum));
                bases.len() - 1
            }
        };
        displaced.insert(
            s.inst,
            (group, form.constant.wrapping_add(i64::from(s.offset))),
        );
    }
    // The body's uniform values, computed here once instead of in every vector iteration: a
    // uniform load (a stencil's weight `k[di, dj]`) reads an address no store of the loop
    // reaches (checked above against every store range; the vector loop runs only if that
    // holds), and the scalar loop's first iteration computes the same values anyway.
    let mut uniform_map: HashMap<Value, Value> = HashMap::new();
    for &inst in &plan.body {
        let d = b.func.inst(inst).clone();
        if d.results.len() != 1 || plan.kinds.get(&d.results[0]) != Some(&Kind::Uniform) {
            continue;
        }
        let args: Vec<Value> = d
            .args
            .iter()
            .map(|&a| match uniform_map.get(&a) {
                Some(&m) => m,
                None => outside(b.func, l, a, &p_params),
            })
            .collect();
        let ty = b.func.value_type(d.results[0]);
        let r = b.ins(d.op.clone(), &args, ty);
        uniform_map.insert(d.results[0], r);
    }
    // Splats of the uniform operands of vector operations, made once.
    let mut splats: HashMap<Value, Value> = HashMap::new();
    let mut lane_offsets = vec![None];
    for u in 1..unroll {
        lane_offsets.push(Some(b.iconst(Ty::I64, u * i64::from(plan.lanes))));
    }
    for &inst in &plan.body {
        let d = b.func.inst(inst).clone();
        if plan.kinds.get(d.results.first().unwrap_or(&vi)) != Some(&Kind::Vector)
            && !matches!(d.op, Op::Store { .. })
        {
            continue;
        }
        for (k, &a) in d.args.iter().enumerate() {
            let is_address = matches!(d.op, Op::Store { .. } | Op::Load { .. }) && k == 0;
            let is_condition = (d.op == Op::Select && k == 0)
                || (matches!(d.op, Op::Ishl | Op::Sshr | Op::Ushr) && k == 1);
            let hoisted = uniform_map.get(&a).copied();
            let uniform_outside = !defined_in(b.func, l, a)
                || outside(b.func, l, a, &p_params) != a
                || hoisted.is_some();
            let vector = plan.kinds.get(&a) == Some(&Kind::Vector);
            if is_address || is_condition || vector || !uniform_outside || splats.contains_key(&a) {
                continue;
            }
            let mapped = hoisted.unwrap_or_else(|| outside(b.func, l, a, &p_params));
            let ty = b.func.value_type(a).vector().expect("checked lanes");
            let sp = b.ins(Op::Splat, &[mapped], ty);
            splats.insert(a, sp);
        }
    }
    let ok = match ok {
        Some(ok) => ok,
        None => b.bconst(true),
    };
    // Accumulators start at the identity (sums) or the incoming value (min/max).
    let mut v_entry = vec![i0];
    let mut zero_counters: Vec<Option<Value>> = Vec::new();
    for r in &plan.reductions {
        let vty = acc_type(r);
        let start = match r.combine {
            Combine::Sum(_) if r.ty.is_float() => b.fconst(r.ty, -0.0),
            Combine::Sum(_) => b.iconst(vty.lane(), 0),
            Combine::Extreme { .. } => p_params[r.index],
        };
        let init = b.ins(Op::Splat, &[start], vty);
        v_entry.extend((0..unroll as usize * parts(vty)).map(|_| init));
        zero_counters.push(r.narrow.as_ref().map(|_| init));
    }
    for r in &plan.arg_reductions {
        let vty = r.ty.vector().expect("checked lanes");
        let best = b.ins(Op::Splat, &[p_params[r.value_index]], vty);
        v_entry.extend((0..unroll).map(|_| best));
        let at = b.ins(Op::Splat, &[i0], Ty::I64X2);
        v_entry.extend((0..unroll).map(|_| at));
    }
    let width_splat = index_splat.map(|_| {
        let start = b.ins(Op::Splat, &[i0], Ty::I64X2);
        v_entry.push(start);
        b.ins(Op::Splat, &[w], Ty::I64X2)
    });
    if since_flush.is_some() {
        v_entry.push(b.iconst(Ty::I64, 0));
    }
    for (r, total) in plan.reductions.iter().zip(&totals) {
        if total.is_some() {
            v_entry.push(b.iconst(r.ty, 0));
        }
    }
    let count_steps: Vec<Option<Value>> = plan
        .reductions
        .iter()
        .map(|r| {
            r.narrow.as_ref().map(|n| {
                let one = b.iconst(n.acc_ty.lane(), 1);
                b.ins(Op::Splat, &[one], n.acc_ty)
            })
        })
        .collect();
    if let Some(f) = &plan.fold {
        // Q: long loops call the runtime's fold (F); shorter ones run the vector loop.
        let q = b.func.create_block();
        let f_block = b.func.create_block();
        let pos = b.func.layout.iter().position(|&x| x == v).expect("placed");
        b.func.layout.splice(pos..pos, [q, f_block]);
        let to = to_l(i0);
        b.brif(ok, q, &[], to.block, &to.args);
        b.switch_to(q);
        let min = b.iconst(Ty::I64, f.min_elements());
        let long = b.icmp(IntCC::Sge, len, min);
        b.brif(long, f_block, &[], v, &v_entry);
        // F: the program in a stack slot, the call, then the loop's exit (or the scalar loop
        // for the last iteration, whose body runs before its test).
        b.switch_to(f_block);
        let uniform = |b: &mut Builder, u: Value| match uniform_map.get(&u) {
            Some(&hoisted) => hoisted,
            None => outside(b.func, l, u, &p_params),
        };
        let slot = fold_slot(b.func, program_bytes(f, false), (line, col));
        let starts: Vec<Value> = ranges.iter().map(|r| r.0).collect();
        write_program(&mut b, slot, f, &starts, |b, u| uniform(b, u));
        let nsteps = b.iconst(Ty::I64, f.len() as i64);
        let one = b.iconst(Ty::I64, 1);
        let last = b.binary(Op::Isub, plan.n, one);
        // Every iteration when the exit needs nothing the loop computes; else all but the
        // last, which the scalar loop runs.
        let count = if f.exit.is_some() {
            len
        } else {
            b.binary(Op::Isub, len, one)
        };
        let mut l_args = p_params.clone();
        l_args[plan.i_index] = last;
        match f.store {
            Some(store) => {
                let routine = match f.ty {
                    Ty::F64 => RuntimeFn::FoldF64,
                    Ty::F32 => RuntimeFn::FoldF32,
                    Ty::I64 => RuntimeFn::IntFoldI64,
                    _ if f.narrow => RuntimeFn::IntFoldI16,
                    _ => RuntimeFn::IntFoldI32,
                };
                let dst = ranges[store].0;
                b.ins(
                    Op::CallRuntime(routine),
                    &[dst, slot, nsteps, count],
                    Ty::I64,
                );
            }
            None => {
                // The sum of the elements (in any order: fastmath for floats; integer sums
                // wrap, the same in any order) added to the incoming sum.
                let red = &plan.reductions[0];
                let (routine, ret) = match f.ty {
                    Ty::F64 => (RuntimeFn::FoldSumF64, Ty::F64),
                    Ty::F32 => (RuntimeFn::FoldSumF32, Ty::F32),
                    Ty::I64 => (RuntimeFn::IntFoldSumI64, Ty::I64),
                    _ => (RuntimeFn::IntFoldSumI32, Ty::I64),
                };
                let sum = b.ins(Op::CallRuntime(routine), &[slot, nsteps, count], ret);
                let (sum, add) = match f.ty {
                    Ty::F64 | Ty::F32 => (sum, Op::Fadd),
                    Ty::I64 => (sum, Op::Iadd),
                    // (The `int32` sum comes sign-extended.)
                    ty => (b.ins(Op::Ireduce, &[sum], ty), Op::Iadd),
                };
                l_args[red.index] = b.binary(add, p_params[red.index], sum);
            }
        }
        if let Some(exit) = &f.exit {
            let t = b.func.inst(plan.term).clone();
            let args: Vec<Value> = exit
                .iter()
                .map(|e| match *e {
                    fold::ExitValue::Bound => plan.n,
                    fold::ExitValue::LastIndex => last,
                    fold::ExitValue::Param(k) => p_params[k],
                    fold::ExitValue::Outside(v) => v,
                })
                .collect();
            b.jump(t.targets[1].block, &args);
        } else {
            b.jump(l, &l_args);
        }
    } else {
        let to = to_l(i0);
        b.brif(ok, v, &v_entry, to.block, &to.args);
    }

    // V: the body, unroll times.
    b.switch_to(v);
    let base_at_vi: Vec<Value> = if bases.is_empty() {
        Vec::new()
    } else {
        let size_k = b.iconst(Ty::I64, size);
        let bytes = b.binary(Op::Imul, vi, size_k);
        bases
            .iter()
            .map(|&(_, base)| b.binary(Op::Iadd, base, bytes))
            .collect()
    };
    // The base and displacement of a displaced stream in copy `copy`, if it fits an offset.
    let displacement = |inst: Inst, copy: usize| -> Option<(Value, i32)> {
        let &(group, disp) = displaced.get(&inst)?;
        let lanes_ahead = (copy as i64) * i64::from(plan.lanes) * size;
        let disp = disp.checked_add(lanes_ahead)?;
        // Parts of a wide value sit 16 bytes apart past it (at most 8 of them).
        i32::try_from(disp.checked_add(128)?).ok()?;
        let disp = i32::try_from(disp).ok()?;
        Some((base_at_vi[group], disp))
    };
    let mut new_accs: Vec<Vec<Value>> = vec![Vec::new(); plan.reductions.len()];
    let mut new_arg_accs: Vec<(Vec<Value>, Vec<Value>)> =
        vec![(Vec::new(), Vec::new()); plan.arg_reductions.len()];
    for (copy, offset) in lane_offsets.into_iter().enumerate() {
        let index = match offset {
            Some(o) => b.binary(Op::Iadd, vi, o),
            None => vi,
        };
        // Each vector value of the body as its parts (in lane order); scalars as one value.
        let mut map: HashMap<Value, Vec<Value>> = HashMap::new();
        for (r, red) in plan.reductions.iter().enumerate() {
            let n = parts(acc_type(red));
            map.insert(red.s, accs[r][copy * n..(copy + 1) * n].to_vec());
        }
        for (r, red) in plan.arg_reductions.iter().enumerate() {
            map.insert(red.s, vec![arg_accs[r].0[copy]]);
            map.insert(red.t, vec![arg_accs[r].1[copy]]);
        }
        for &inst in &plan.body {
            let d = b.func.inst(inst).clone();
            let kind = d.results.first().and_then(|r| plan.kinds.get(r)).copied();
            if kind == Some(Kind::Uniform) && uniform_map.contains_key(&d.results[0]) {
                continue;
            }
            if plan.root_store.as_ref().is_some_and(|rs| rs.root == inst) {
                // Done after the vector loop, by the runtime.
                continue;
            }
            if let Some((r, red, count)) =
                plan.reductions.iter().enumerate().find_map(|(r, red)| {
                    let n = red.narrow.as_ref()?;
                    n.chain.contains(&inst).then_some((r, red, n))
                })
            {
                // The count's own instructions: the last one becomes `acc - m` per counter
                // (`select(m, acc + 1, acc)`, which the backend emits as one subtraction).
                if d.results[0] == red.next {
                    let step = count_steps[r].expect("made for narrow counts");
                    let masks = resize_parts(
                        &mut b,
                        &map[&count.mask],
                        count.acc_ty.compare_result(),
                        true,
                    );
                    let counters: Vec<Value> = masks
                        .iter()
                        .zip(&map[&red.s])
                        .map(|(&m, &acc)| {
                            let plus = b.binary(Op::Iadd, acc, step);
                            b.ins(Op::Select, &[m, plus, acc], count.acc_ty)
                        })
                        .collect();
                    map.insert(red.next, counters);
                }
                continue;
            }
            if let Some(red) = plan.arg_reductions.iter().find(|r| r.at_select == inst) {
                // Lanes keep lane 0's index of this vector iteration; the merge adds the copy's
                // and the lane's offsets.
                let cond = map[&d.args[0]][0];
                let kept = map[&red.t][0];
                let at = index_splat.expect("made for arg-reductions");
                let r = b.ins(Op::Select, &[cond, at, kept], Ty::I64X2);
                map.insert(d.results[0], vec![r]);
                continue;
            }
            let mut args: Vec<Vec<Value>> = Vec::new();
            for &a in &d.args {
                let m = if let Some(m) = map.get(&a) {
                    m.clone()
                } else if let Some(&m) = uniform_map.get(&a) {
                    vec![m]
                } else if a == l_params[plan.i_index] {
                    vec![index]
                } else {
                    vec![outside(b.func, l, a, &p_params)]
                };
                args.push(m);
            }
            match (kind, &d.op) {
                (_, Op::Store { offset }) => {
                    let vty = b
                        .func
                        .value_type(d.args[1])
                        .vector()
                        .expect("checked lanes");
                    let root = plan
                        .root_store
                        .as_ref()
                        .filter(|rs| plan.streams[rs.stream].inst == inst);
                    let values = if let Some(rs) = root {
                        map[&rs.operand].clone()
                    } else if plan.kinds.get(&d.args[1]) == Some(&Kind::Vector) {
                        // A comparison of wider elements stored as bools: its mask, packed.
                        resize_parts(&mut b, &args[1], vty, true)
                    } else {
                        vec![splat_of(&mut b, &mut splats, d.args[1], args[1][0]); parts(vty)]
                    };
                    let (addr, offset) = displacement(inst, copy).unwrap_or((args[0][0], *offset));
                    for (k, value) in values.into_iter().enumerate() {
                        let offset = offset + 16 * k as i32;
                        b.ins_full(Op::Store { offset }, vec![addr, value], &[], vec![]);
                    }
                }
                (Some(Kind::Vector), op) => {
                    // Uniform operands of a lane-wise op become splats (a select's bool
                    // condition stays a bool).
                    for (k, a) in d.args.iter().enumerate() {
                        let is_vector = plan.kinds.get(a) == Some(&Kind::Vector);
                        let is_address = matches!(op, Op::Load { .. });
                        let bool_condition = *op == Op::Select && k == 0;
                        let amount = matches!(op, Op::Ishl | Op::Sshr | Op::Ushr) && k == 1;
                        if !is_vector && !is_address && !bool_condition && !amount {
                            args[k] = vec![splat_of(&mut b, &mut splats, *a, args[k][0])];
                        }
                    }
                    let ty = b.func.value_type(d.results[0]);
                    // A comparison's mask has its operands' lanes; a bool loaded from memory
                    // is a lane of `m8x16`.
                    let vty = if ty == Ty::Bool && !matches!(op, Op::Load { .. }) {
                        let operand = args[0][0];
                        b.func.value_type(operand).compare_result()
                    } else {
                        ty.vector().expect("checked lanes")
                    };
                    let results = vector_parts(&mut b, op, args, vty, parts(vty), |k| {
                        displacement(inst, copy).map(|(addr, disp)| (addr, disp + 16 * k as i32))
                    });
                    map.insert(d.results[0], results);
                }
                (k, op) => {
                    let ty = b.func.value_type(d.results[0]);
                    let scalars: Vec<Value> = args.iter().map(|a| a[0]).collect();
                    let r = b.ins(op.clone(), &scalars, ty);
                    if k == Some(Kind::Uniform) {
                        uniform_map.insert(d.results[0], r);
                    } else {
                        map.insert(d.results[0], vec![r]);
                    }
                }
            }
        }
        for (r, red) in plan.reductions.iter().enumerate() {
            new_accs[r].extend(map[&red.next].iter().copied());
        }
        for (r, red) in plan.arg_reductions.iter().enumerate() {
            new_arg_accs[r].0.push(map[&red.value_next][0]);
            new_arg_accs[r].1.push(map[&red.at_next][0]);
        }
    }
    let next = b.binary(Op::Iadd, vi, w);
    let again = b.icmp(IntCC::Slt, next, limit);
    let mut back = vec![next];
    back.extend(new_accs.iter().flatten().copied());
    for (values, ats) in &new_arg_accs {
        back.extend(values.iter().chain(ats).copied());
    }
    if let (Some(at), Some(width)) = (index_splat, width_splat) {
        back.push(b.binary(Op::Iadd, at, width));
    }
    let since_next = since_flush.map(|since| {
        let one = b.iconst(Ty::I64, 1);
        let since_next = b.binary(Op::Iadd, since, one);
        back.push(since_next);
        since_next
    });
    back.extend(totals.iter().flatten().copied());
    let done = if let Some(rs) = &plan.root_store {
        // S: the root over the elements the vector loop stored, in place; then the scalar loop.
        let s_block = b.func.create_block();
        let pos = b.func.layout.iter().position(|&x| x == l).expect("placed");
        b.func.layout.insert(pos, s_block);
        let here = b.current_block().expect("in the vector loop");
        b.switch_to(s_block);
        let start = root_ranges.expect("made for a root store");
        let count = b.binary(Op::Isub, next, i0);
        let ty = b.func.value_type(b.func.inst(rs.root).results[0]);
        let (routine, divisor) = match (rs.divisor, ty) {
            (None, Ty::F64) => (RuntimeFn::SqrtF64, None),
            (None, _) => (RuntimeFn::SqrtF32, None),
            (Some(u), Ty::F64) => (RuntimeFn::DivF64, Some(u)),
            (Some(u), _) => (RuntimeFn::DivF32, Some(u)),
        };
        let mut call_args = vec![start, start];
        if let Some(u) = divisor {
            call_args.push(match uniform_map.get(&u) {
                Some(&hoisted) => hoisted,
                None => outside(b.func, l, u, &p_params),
            });
        }
        call_args.push(count);
        b.ins(Op::CallRuntime(routine), &call_args, Ty::I64);
        b.ins_full(Op::Jump, vec![], &[], vec![to_l(next)]);
        b.switch_to(here);
        BlockCall {
            block: s_block,
            args: vec![],
        }
    } else if !carries {
        to_l(next)
    } else {
        let r = b.func.create_block();
        let pos = b.func.layout.iter().position(|&x| x == l).expect("placed");
        b.func.layout.insert(pos, r);
        BlockCall {
            block: r,
            args: vec![],
        }
    };
    let r_block = done.block;
    // With narrow counts, every `period` iterations the loop goes through F, which empties
    // the counters into the totals.
    let (continue_block, flush) = match (since_next, period) {
        (Some(since_next), Some(period)) => {
            let c = b.func.create_block();
            let f = b.func.create_block();
            let pos = b.func.layout.iter().position(|&x| x == l).expect("placed");
            b.func.layout.splice(pos..pos, [c, f]);
            (c, Some((c, f, since_next, period)))
        }
        _ => (v, None),
    };
    let continue_args = if flush.is_some() {
        vec![]
    } else {
        back.clone()
    };
    b.brif(
        again,
        continue_block,
        &continue_args,
        done.block,
        &done.args,
    );
    if let Some((c, f, since_next, period)) = flush {
        b.switch_to(c);
        let limit = b.iconst(Ty::I64, period);
        let full = b.icmp(IntCC::Eq, since_next, limit);
        b.brif(full, f, &[], v, &back);
        b.switch_to(f);
        let mut emptied = back.clone();
        let since_at = back.len() - 1 - totals.iter().flatten().count();
        emptied[since_at] = b.iconst(Ty::I64, 0);
        let mut at = 1;
        let mut total_at = since_at + 1;
        for (r, red) in plan.reductions.iter().enumerate() {
            let n = new_accs[r].len();
            if let (Some(total), Some(zero)) = (totals[r], zero_counters[r]) {
                let sum = counter_sum(&mut b, &new_accs[r], red.ty);
                emptied[total_at] = b.binary(Op::Iadd, total, sum);
                total_at += 1;
                for slot in &mut emptied[at..at + n] {
                    *slot = zero;
                }
            }
            at += n;
        }
        b.jump(v, &emptied);
    }
    if !carries {
        return;
    }
    // R: every lane folded into the incoming value, in lane order; then the scalar loop.
    b.switch_to(r_block);
    let mut l_args = p_params.clone();
    l_args[plan.i_index] = next;
    for (r, red) in plan.reductions.iter().enumerate() {
        let mut total = p_params[red.index];
        if let Some(emptied) = totals[r] {
            let sum = counter_sum(&mut b, &new_accs[r], red.ty);
            let t = b.binary(Op::Iadd, total, emptied);
            l_args[red.index] = b.binary(Op::Iadd, t, sum);
            continue;
        }
        for &acc in &new_accs[r] {
            for lane in 0..b.func.value_type(acc).lanes() {
                let y = b.ins(Op::ExtractLane(lane as u8), &[acc], red.ty);
                total = match &red.combine {
                    Combine::Sum(add) => b.binary(add.clone(), total, y),
                    Combine::Extreme { cmp, select, x } => {
                        let swap = |v: Value| {
                            if v == red.s {
                                total
                            } else if v == *x {
                                y
                            } else {
                                v
                            }
                        };
                        let c = b.func.inst(*cmp).clone();
                        let c_args: Vec<Value> = c.args.iter().map(|&a| swap(a)).collect();
                        let cond = b.ins(c.op.clone(), &c_args, Ty::Bool);
                        let sel = b.func.inst(*select).args.clone();
                        b.select(cond, swap(sel[1]), swap(sel[2]))
                    }
                };
            }
        }
        l_args[red.index] = total;
    }
    for (red, (values, ats)) in plan.arg_reductions.iter().zip(&new_arg_accs) {
        let (best, at) = merge_arg_lanes(&mut b, l, &plan, red, values, ats, &p_params);
        l_args[red.value_index] = best;
        l_args[red.at_index] = at;
    }
    b.jump(l, &l_args);
}

/// The sum of a narrow count's counters as a `ty` scalar. Their lanes are unsigned (at most
/// `2^w - 1`): each step widens them (zero-extending) and then adds all the halves into one
/// vector, whose lanes hold at most `2k(2^w - 1) < 2^2w` for `k <= 2^(w-1)` counters; at
/// `ty`'s width the lanes are added one by one.
fn counter_sum(b: &mut Builder, counters: &[Value], ty: Ty) -> Value {
    let vty = ty.vector().expect("an integer counter");
    let mut parts = counters.to_vec();
    let mut current = b.func.value_type(parts[0]);
    while current.lanes() > vty.lanes() {
        let wide = current.widened().expect("wider lanes up to the counter's");
        let mut halves = Vec::with_capacity(2 * parts.len());
        for &p in &parts {
            for high in [false, true] {
                halves.push(b.ins(
                    Op::Widen {
                        signed: false,
                        high,
                    },
                    &[p],
                    wide,
                ));
            }
        }
        let sum = halves[1..]
            .iter()
            .fold(halves[0], |acc, &x| b.binary(Op::Iadd, acc, x));
        (parts, current) = (vec![sum], wide);
    }
    let sum = parts[1..]
        .iter()
        .fold(parts[0], |acc, &x| b.binary(Op::Iadd, acc, x));
    let mut total = b.ins(Op::ExtractLane(0), &[sum], ty);
    for lane in 1..vty.lanes() {
        let y = b.ins(Op::ExtractLane(lane as u8), &[sum], ty);
        total = b.binary(Op::Iadd, total, y);
    }
    total
}

/// One lane-wise operation of the body on its operands' parts, defining the `n` parts of type
/// `vty` of its result (a value of wide elements takes several vectors: lanes `16k/size..` in
/// part `k`). An operand with one value (a splat, a bool condition, a shift amount) serves every
/// part. Conversions between element widths widen or pack the parts; a mask that selects
/// between, or becomes, values of another width, or meets a mask of another width, is resized
/// first. `displaced(k)`: the base and displacement of part `k` of a displaced load.
fn vector_parts(
    b: &mut Builder,
    op: &Op,
    args: Vec<Vec<Value>>,
    vty: Ty,
    n: usize,
    displaced: impl Fn(usize) -> Option<(Value, i32)>,
) -> Vec<Value> {
    let pick = |a: &[Value], k: usize| if a.len() == 1 { a[0] } else { a[k] };
    let first = b.func.value_type(args[0][0]);
    match op {
        Op::Load { offset, readonly } => (0..n)
            .map(|k| {
                let (addr, offset) = displaced(k).unwrap_or((args[0][0], offset + 16 * k as i32));
                let load = Op::Load {
                    offset,
                    readonly: *readonly,
                };
                b.ins(load, &[addr], vty)
            })
            .collect(),
        Op::Sext | Op::Uext | Op::Ireduce if !first.is_mask() => {
            resize_parts(b, &args[0], vty, *op == Op::Sext)
        }
        // A mask's lanes as 0/1 integers.
        Op::Uext => resize_parts(b, &args[0], vty.compare_result(), true)
            .into_iter()
            .map(|m| b.ins(Op::Uext, &[m], vty))
            .collect(),
        Op::Select if first.is_mask() => {
            let masks = resize_parts(b, &args[0], vty.compare_result(), true);
            (0..n)
                .map(|k| {
                    let (t, f) = (pick(&args[1], k), pick(&args[2], k));
                    b.ins(Op::Select, &[masks[k], t, f], vty)
                })
                .collect()
        }
        _ => {
            let args: Vec<Vec<Value>> = if matches!(op, Op::And | Op::Or) {
                args.iter().map(|a| resize_parts(b, a, vty, true)).collect()
            } else {
                args
            };
            (0..n)
                .map(|k| {
                    let operands: Vec<Value> = args.iter().map(|a| pick(a, k)).collect();
                    b.ins(op.clone(), &operands, vty)
                })
                .collect()
        }
    }
}

/// The parts of a vector value (integers or a mask) as parts of type `to`, the same elements in
/// the same order: each part widened into its low and high halves (sign-extended when
/// `signed`, and always for masks) or neighbouring parts packed (truncated), until the lanes
/// have `to`'s width.
fn resize_parts(b: &mut Builder, parts: &[Value], to: Ty, signed: bool) -> Vec<Value> {
    let mut parts = parts.to_vec();
    let mut ty = b.func.value_type(parts[0]);
    while ty.lanes() > to.lanes() {
        let wide = ty.widened().expect("a lane width below the target's");
        let mut halves = Vec::with_capacity(parts.len() * 2);
        for &p in &parts {
            for high in [false, true] {
                halves.push(b.ins(Op::Widen { signed, high }, &[p], wide));
            }
        }
        (parts, ty) = (halves, wide);
    }
    while ty.lanes() < to.lanes() {
        let narrow = ty.packed().expect("a lane width above the target's");
        let pairs: Vec<Value> = parts
            .chunks(2)
            .map(|pair| b.ins(Op::Pack, &[pair[0], pair[1]], narrow))
            .collect();
        (parts, ty) = (pairs, narrow);
    }
    parts
}

/// The best element of an arg-reduction's lanes and its position (see [`arg`]): lanes are
/// visited in any order; a lane's value is taken when it replaced the incoming value at all and
/// beats the current choice, or ties with it (same comparison class) at an earlier iteration.
/// The position is the kept operand recomputed for that iteration, or the incoming position
/// when no lane replaced the incoming value.
fn merge_arg_lanes(
    b: &mut Builder,
    l: Block,
    plan: &Plan,
    red: &ArgReduction,
    values: &[Value],
    ats: &[Value],
    p_params: &[Value],
) -> (Value, Value) {
    let best_in = p_params[red.value_index];
    let mut best = best_in;
    let mut iteration = p_params[plan.i_index];
    for (part, (&value, &at)) in values.iter().zip(ats).enumerate() {
        for lane in 0..plan.lanes {
            let y = b.ins(Op::ExtractLane(lane as u8), &[value], red.ty);
            let base = b.ins(Op::ExtractLane(lane as u8), &[at], Ty::I64);
            let offset = part as i64 * i64::from(plan.lanes) + i64::from(lane);
            let j = if offset == 0 {
                base
            } else {
                let k = b.iconst(Ty::I64, offset);
                b.binary(Op::Iadd, base, k)
            };
            let replaced = replaces(b, l, red, y, best_in, p_params);
            let beats = replaces(b, l, red, y, best, p_params);
            let tie = if red.ty.is_float() {
                let eq = b.fcmp(FloatCC::Eq, y, best);
                let y_nan = b.fcmp(FloatCC::Ne, y, y);
                let best_nan = b.fcmp(FloatCC::Ne, best, best);
                let both_nan = b.binary(Op::And, y_nan, best_nan);
                b.binary(Op::Or, eq, both_nan)
            } else {
                b.icmp(IntCC::Eq, y, best)
            };
            let earlier = b.icmp(IntCC::Slt, j, iteration);
            let tie_earlier = b.binary(Op::And, tie, earlier);
            let better = b.binary(Op::Or, beats, tie_earlier);
            let take = b.binary(Op::And, replaced, better);
            best = b.select(take, y, best);
            iteration = b.select(take, j, iteration);
        }
    }
    let any = replaces(b, l, red, best, best_in, p_params);
    let mut memo = HashMap::new();
    let position = materialize(
        b,
        l,
        red.position,
        p_params,
        plan.i_index,
        iteration,
        &mut memo,
    );
    let at = b.select(any, position, p_params[red.at_index]);
    (best, at)
}

/// The arg-reduction's condition "`y` replaces `current`", recomputed outside the loop.
fn replaces(
    b: &mut Builder,
    l: Block,
    red: &ArgReduction,
    y: Value,
    current: Value,
    p_params: &[Value],
) -> Value {
    fn copy(
        b: &mut Builder,
        l: Block,
        red: &ArgReduction,
        v: Value,
        subst: (Value, Value),
        p_params: &[Value],
    ) -> Value {
        if v == red.x {
            return subst.0;
        }
        if v == red.s {
            return subst.1;
        }
        match b.func.value_def(v) {
            ValueDef::Result(inst, _) if b.func.block(l).insts.contains(&inst) => {
                let d = b.func.inst(inst).clone();
                let args: Vec<Value> = d
                    .args
                    .iter()
                    .map(|&a| copy(b, l, red, a, subst, p_params))
                    .collect();
                let ty = b.func.value_type(v);
                b.ins(d.op, &args, ty)
            }
            _ => outside(b.func, l, v, p_params),
        }
    }
    copy(b, l, red, red.cond, (y, current), p_params)
}

/// A splat of the uniform `original` (made in P2 when defined outside the loop), or one made
/// here from its value in the vector body (once: uniform values are computed in the first
/// copy of the body, which dominates the second).
fn splat_of(
    b: &mut Builder,
    splats: &mut HashMap<Value, Value>,
    original: Value,
    mapped: Value,
) -> Value {
    if let Some(&s) = splats.get(&original) {
        return s;
    }
    let ty = b.func.value_type(mapped);
    let vty = ty.vector().expect("checked lanes");
    let s = b.ins(Op::Splat, &[mapped], vty);
    splats.insert(original, s);
    s
}

/// `v` as seen outside the loop: a loop parameter (passed through unchanged) is P's.
fn outside(func: &Function, l: Block, v: Value, p_params: &[Value]) -> Value {
    match func.value_def(v) {
        ValueDef::Param(b, k) if b == l => p_params[k as usize],
        _ => v,
    }
}
