//! Vector loops whose stored value is a fold of element terms, handed to the runtime's 512-bit
//! `fold` routines (`runtime::fold`): `out[j] = m[i-1, j] + m[i+1, j] + ... - 4.0 * m[i, j]`,
//! `acc += w[di, dj] * m[i+di, j+dj]` unrolled, `sqrt(a[j] * a[j] + b[j] * b[j])`; and
//! `fastmath` float sums of one (`s += abs(a[j] - m)`), whose order may change, summed by the
//! runtime's fold sums. Integer chains (`int64`/`int32`: `x * 3 + 7`, `(x & 7) + (x >> 2)`,
//! clamps as `smin`/`smax`), stored or summed, parse into the integer programs of
//! `runtime::int_fold` ([`Program::Int`]): each step an operation on the accumulator with a
//! fixed value, an element, or an element with a fixed value (shift amounts constants).
//!
//! Such a body is all arithmetic on loaded elements (a stencil's 25 loads and adds per
//! element), which Cranelift's 128-bit vectors do two `f64` lanes at a time; the runtime does
//! the same operations in the same order on eight (AVX-512), so the result is the loop's bit
//! for bit (except which NaN payload survives when two NaNs meet in a sum or product).
//!
//! The stored value must parse as `t0 op1 t1 op2 t2 ...` applied left to right ([`parse`]),
//! each `op` one of `+ - * /` with the accumulator on either side (`t - acc`, `t / acc` too),
//! a unary `sqrt`, `-`, `abs`, or a *pick*: a select between the accumulator and a term by an
//! ordered comparison of the two, possibly or'ed with a NaN test of one (`np.maximum(acc, t)`,
//! Python's `max(acc, t)`, a clamp; [`Parser::pick`]); each term a value the same in every iteration, a loaded
//! element, the product of an element with such a value or with another element (or itself),
//! or an integer element of the float's width converted (`float(ia[j])`). Every lane-wise
//! instruction of the body must belong to the stored value (one store, no other reduction),
//! and [`worth_it`] says whether the fold pays for its call. The runtime takes the program in
//! a stack slot made on the function's entry (see `runtime::fold`): a word it keeps the
//! machine code's address in, then three words per step, the element pointers being the
//! streams' first addresses. When the loop's exit needs nothing the loop computes
//! ([`exit_values`]), the fold covers every iteration and the loop is skipped.
//!
//! The vector loop's checks (unit strides, no store range overlapping another stream's or a
//! uniform load's) have already run when the call is made, so every term of an element can be
//! read before it is stored, as the runtime does.

use super::{Kind, Stream};
use crate::function::{FloatCC, Function, Inst, Op, Ty, Value};
use runtime::fold::{Combine, Compare, Operand, Pick, Term};
use runtime::int_fold::IntOp;
use std::collections::HashMap;

/// The most steps a fold may have (its stack slot's size).
pub(super) const MAX_STEPS: usize = 64;

/// A step's term, in the loop's values: streams by their position among the plan's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum FoldTerm {
    None,
    Fixed(Value),
    Element(usize),
    ElementTimesFixed(usize, Value),
    ElementTimesElement(usize, usize),
    /// An element times itself (`a[i] * a[i]`: one load).
    Square(usize),
    /// A signed integer element of the float's width, converted (`float(ia[i])`).
    Integer(usize),
}

impl FoldTerm {
    /// The stream whose float elements the term reads as its first (`a`) operand; `None` for
    /// terms without one and for converted integers.
    pub(super) fn float_stream(self) -> Option<usize> {
        match self {
            FoldTerm::Element(s)
            | FoldTerm::Square(s)
            | FoldTerm::ElementTimesFixed(s, _)
            | FoldTerm::ElementTimesElement(s, _) => Some(s),
            FoldTerm::None | FoldTerm::Fixed(_) | FoldTerm::Integer(_) => None,
        }
    }

    pub(super) fn kind(self) -> Term {
        match self {
            FoldTerm::None | FoldTerm::Fixed(_) => Term::Fixed,
            FoldTerm::Element(_) => Term::Element,
            FoldTerm::ElementTimesFixed(..) => Term::ElementTimesFixed,
            FoldTerm::ElementTimesElement(..) => Term::ElementTimesElement,
            FoldTerm::Square(_) => Term::Square,
            FoldTerm::Integer(_) => Term::Integer,
        }
    }
}

/// A value the loop's exit receives, when the fold runs every iteration and the loop is
/// skipped (see [`exit_values`]).
#[derive(Clone, Copy, Debug)]
pub(super) enum ExitValue {
    /// `i + 1` after the last iteration: the bound `n`.
    Bound,
    /// The index in the last iteration: `n - 1`.
    LastIndex,
    /// A parameter passed around the loop unchanged: its value on entry (its position).
    Param(usize),
    /// A value from outside the loop.
    Outside(Value),
}

/// An integer fold step's term (`runtime::int_fold`), in the loop's values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum IntFoldTerm {
    Fixed(FixedInt),
    Element(usize),
    /// An element with a fixed value: `a[j] * u`, `a[j] & u`, `a[j] >> c` (a shift amount: a
    /// constant, reduced modulo the width).
    ElementWith(IntOp, usize, FixedInt),
}

/// An integer term's fixed value: a value of the loop, or a shift amount.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum FixedInt {
    Value(Value),
    Amount(i64),
}

/// A fold's steps: a float chain (`runtime::fold`) or an integer one (`runtime::int_fold`).
pub(super) enum Program {
    Float(Vec<(Combine, FoldTerm)>),
    Int(Vec<(IntOp, IntFoldTerm)>),
}

pub(super) struct Fold {
    /// The store's position among the plan's streams; `None` for a sum of the fold's elements
    /// (the loop's one reduction, `s + fold`: floats under `fastmath`, integers always).
    pub(super) store: Option<usize>,
    /// `f64`, `f32`, `i64` or `i32`.
    pub(super) ty: Ty,
    pub(super) program: Program,
    /// An `int32` chain over `int16` elements (each sign-extended) whose result is stored
    /// truncated to `int16` (`int(x) * 3 // 4` into an `int16` array).
    pub(super) narrow: bool,
    /// The exit's arguments in terms the block before the loop has, if the loop computes
    /// nothing else used after it: then the fold covers every iteration and jumps to the exit.
    pub(super) exit: Option<Vec<ExitValue>>,
}

impl Fold {
    /// A fold is taken only for this many elements or more: two 512-bit registers of them
    /// (16 `f64`, 32 `f32`); at fewer, the vector loop's own code costs less than the call.
    /// (An integer fold's machine code runs whole blocks of four registers: from one block.)
    pub(super) fn min_elements(&self) -> i64 {
        let registers = match self.program {
            Program::Float(_) => 2,
            Program::Int(_) => 4,
        };
        registers * 64 / (i64::from(self.ty.bits()) / 8)
    }

    /// How many steps the program has.
    pub(super) fn len(&self) -> usize {
        match &self.program {
            Program::Float(steps) => steps.len(),
            Program::Int(steps) => steps.len(),
        }
    }

    /// The float chain's steps, if the fold is one.
    pub(super) fn float_steps(&self) -> Option<&[(Combine, FoldTerm)]> {
        match &self.program {
            Program::Float(steps) => Some(steps),
            Program::Int(_) => None,
        }
    }
}

/// The loop's fold, if its one stored value is one and its other lane-wise instructions all
/// belong to it.
pub(super) fn find_fold(
    func: &Function,
    body: &[Inst],
    streams: &[Stream],
    kinds: &HashMap<Value, Kind>,
) -> Option<Fold> {
    let mut stores = streams.iter().enumerate().filter(|(_, s)| s.store);
    let (store, st) = stores.next()?;
    if stores.next().is_some() {
        return None;
    }
    let value = func.inst(st.inst).args[1];
    // A truncation to `int16` of an `int32` chain over `int16` elements: a narrow fold.
    let truncated = super::def_inst(func, value)
        .filter(|i| body.contains(i))
        .map(|i| func.inst(i))
        .filter(|d| d.op == Op::Ireduce && func.value_type(value) == Ty::I16)
        .map(|d| d.args[0])
        .filter(|&x| func.value_type(x) == Ty::I32);
    if let Some(x) = truncated {
        let reduce = super::def_inst(func, value)?;
        let (ty, program) = narrow_fold_of(func, body, streams, kinds, x, reduce)?;
        return Some(Fold {
            store: Some(store),
            ty,
            program,
            narrow: true,
            exit: None,
        });
    }
    let (ty, program) = fold_of(func, body, streams, kinds, value, None)?;
    Some(Fold {
        store: Some(store),
        ty,
        program,
        narrow: false,
        exit: None,
    })
}

/// The fold a `fastmath` float sum adds up (`s = s + t`, `t` a fold; nothing stored), if its
/// other lane-wise instructions all belong to it: the runtime sums the elements in any order.
pub(super) fn find_fold_sum(
    func: &Function,
    body: &[Inst],
    streams: &[Stream],
    kinds: &HashMap<Value, Kind>,
    (s, next): (Value, Value),
) -> Option<Fold> {
    if streams.iter().any(|st| st.store) {
        return None;
    }
    let add = super::def_inst(func, next).filter(|i| body.contains(i))?;
    let d = func.inst(add);
    let term = match d.args[..] {
        [x, y] if matches!(d.op, Op::Fadd | Op::Iadd) && x == s => y,
        [x, y] if matches!(d.op, Op::Fadd | Op::Iadd) && y == s => x,
        _ => return None,
    };
    let (ty, program) = fold_of(func, body, streams, kinds, term, Some(add))?;
    Some(Fold {
        store: None,
        ty,
        program,
        narrow: false,
        exit: None,
    })
}

/// The type and steps of the fold computing `value`, if every lane-wise instruction of the
/// body but `also` belongs to it.
fn fold_of(
    func: &Function,
    body: &[Inst],
    streams: &[Stream],
    kinds: &HashMap<Value, Kind>,
    value: Value,
    also: Option<Inst>,
) -> Option<(Ty, Program)> {
    let ty = func.value_type(value);
    if !matches!(ty, Ty::F64 | Ty::F32 | Ty::I64 | Ty::I32)
        || kinds.get(&value) != Some(&Kind::Vector)
    {
        return None;
    }
    let mut parser = Parser {
        func,
        body,
        streams,
        kinds,
        ty,
        narrow: false,
        used: Vec::new(),
    };
    let program = if ty.is_float() {
        Program::Float(parser.parse(value)?)
    } else {
        Program::Int(parser.int_parse(value)?)
    };
    let len = match &program {
        Program::Float(steps) => steps.len(),
        Program::Int(steps) => steps.len(),
    };
    // (The integer kernels keep a register per fixed value: at most 16 steps.)
    if len > MAX_STEPS || (!ty.is_float() && len > 16) {
        return None;
    }
    parser.computes_the_body(also).then_some((ty, program))
}

/// The `int32` steps computing `x` over `int16` elements (each `sext.i32` of a load), whose
/// truncation `reduce` is stored, if every lane-wise instruction of the body belongs to them.
fn narrow_fold_of(
    func: &Function,
    body: &[Inst],
    streams: &[Stream],
    kinds: &HashMap<Value, Kind>,
    x: Value,
    reduce: Inst,
) -> Option<(Ty, Program)> {
    if kinds.get(&x) != Some(&Kind::Vector) || streams.iter().any(|s| s.size != 2) {
        return None;
    }
    let mut parser = Parser {
        func,
        body,
        streams,
        kinds,
        ty: Ty::I32,
        narrow: true,
        used: vec![reduce],
    };
    let steps = parser.int_parse(x)?;
    if steps.len() > 16 {
        return None;
    }
    parser
        .computes_the_body(None)
        .then_some((Ty::I32, Program::Int(steps)))
}

struct Parser<'a> {
    func: &'a Function,
    body: &'a [Inst],
    streams: &'a [Stream],
    kinds: &'a HashMap<Value, Kind>,
    ty: Ty,
    /// Elements are `int16` loads sign-extended to the `int32` of the chain.
    narrow: bool,
    /// The body's instructions the fold computes.
    used: Vec<Inst>,
}

impl Parser<'_> {
    /// True if every lane-wise instruction of the body but `also` is one the fold computes.
    fn computes_the_body(&self, also: Option<Inst>) -> bool {
        self.body.iter().all(|&inst| {
            let d = self.func.inst(inst);
            let lane_wise =
                d.results.first().and_then(|r| self.kinds.get(r)) == Some(&Kind::Vector);
            !lane_wise || self.used.contains(&inst) || Some(inst) == also
        })
    }

    /// The body instruction defining `v`, if `v` is a lane-wise value of the fold's type.
    fn lane_wise(&self, v: Value) -> Option<Inst> {
        if self.kinds.get(&v) != Some(&Kind::Vector) || self.func.value_type(v) != self.ty {
            return None;
        }
        super::def_inst(self.func, v).filter(|i| self.body.contains(i))
    }

    /// `v` as a value the same in every iteration, of the fold's type.
    fn fixed(&self, v: Value) -> Option<Value> {
        let uniform = self.kinds.get(&v).is_none_or(|k| *k == Kind::Uniform);
        (uniform && self.func.value_type(v) == self.ty).then_some(v)
    }

    /// `v` as a loaded element: its stream.
    fn element(&mut self, v: Value) -> Option<usize> {
        let mut inst = self.lane_wise(v)?;
        if self.narrow {
            // `sext.i32` of an `int16` load.
            let d = self.func.inst(inst);
            if d.op != Op::Sext {
                return None;
            }
            let load = super::def_inst(self.func, d.args[0]).filter(|i| self.body.contains(i))?;
            if self.func.value_type(d.args[0]) != Ty::I16 {
                return None;
            }
            self.used.push(inst);
            inst = load;
        }
        let k = self
            .streams
            .iter()
            .position(|s| s.inst == inst && !s.store)?;
        self.used.push(inst);
        Some(k)
    }

    /// `v` as a converted integer element (`stof` of a load of the float's width).
    fn integer(&mut self, v: Value) -> Option<usize> {
        if self.kinds.get(&v) != Some(&Kind::Vector) || self.func.value_type(v) != self.ty {
            return None;
        }
        let convert = super::def_inst(self.func, v).filter(|i| self.body.contains(i))?;
        let d = self.func.inst(convert);
        let x = d.args.first().copied()?;
        let width = if self.ty == Ty::F64 { Ty::I64 } else { Ty::I32 };
        if d.op != Op::SToF || self.func.value_type(x) != width {
            return None;
        }
        let load = super::def_inst(self.func, x).filter(|i| self.body.contains(i))?;
        let k = self
            .streams
            .iter()
            .position(|s| s.inst == load && !s.store)?;
        self.used.extend([load, convert]);
        Some(k)
    }

    /// `v` as a term, marking its instructions used; `None` (nothing marked) if it is not one.
    fn term(&mut self, v: Value) -> Option<FoldTerm> {
        if let Some(u) = self.fixed(v) {
            return Some(FoldTerm::Fixed(u));
        }
        if let Some(k) = self.integer(v) {
            return Some(FoldTerm::Integer(k));
        }
        let inst = self.lane_wise(v)?;
        let d = self.func.inst(inst);
        if matches!(d.op, Op::Load { .. }) {
            return self.element(v).map(FoldTerm::Element);
        }
        if d.op != Op::Fmul {
            return None;
        }
        let (x, y) = (d.args[0], d.args[1]);
        let mark = self.used.len();
        // A product with a fixed value on either side is the same product (IEEE
        // multiplication commutes; only a NaN payload may differ).
        let term = match (self.fixed(x), self.fixed(y)) {
            (None, Some(u)) => self.element(x).map(|k| FoldTerm::ElementTimesFixed(k, u)),
            (Some(u), None) => self.element(y).map(|k| FoldTerm::ElementTimesFixed(k, u)),
            (None, None) => match (self.element(x), self.element(y)) {
                (Some(a), Some(b)) if a == b => Some(FoldTerm::Square(a)),
                (Some(a), Some(b)) => Some(FoldTerm::ElementTimesElement(a, b)),
                _ => None,
            },
            (Some(_), Some(_)) => None,
        };
        if term.is_none() {
            self.used.truncate(mark);
        } else {
            self.used.push(inst);
        }
        term
    }

    /// The steps that compute `v`, left to right.
    fn parse(&mut self, v: Value) -> Option<Vec<(Combine, FoldTerm)>> {
        if let Some(t) = self.term(v) {
            return Some(vec![(Combine::Set, t)]);
        }
        let inst = self.lane_wise(v)?;
        let d = self.func.inst(inst).clone();
        self.used.push(inst);
        let unary = match d.op {
            Op::Sqrt => Some(Combine::Sqrt),
            Op::Fneg => Some(Combine::Neg),
            Op::Fabs => Some(Combine::Abs),
            _ => None,
        };
        if let Some(c) = unary {
            let mut steps = self.parse(d.args[0])?;
            steps.push((c, FoldTerm::None));
            return Some(steps);
        }
        if d.op == Op::Select {
            return self.pick(d.args[0], d.args[1], d.args[2]);
        }
        // (operation with the accumulator on the left, the same with it on the right)
        let (left, right) = match d.op {
            Op::Fadd => (Combine::Add, Combine::Add),
            Op::Fsub => (Combine::Sub, Combine::SubRev),
            Op::Fmul => (Combine::Mul, Combine::Mul),
            Op::Fdiv => (Combine::Div, Combine::DivRev),
            _ => return None,
        };
        let (x, y) = (d.args[0], d.args[1]);
        if let Some(t) = self.term(y) {
            let mut steps = self.parse(x)?;
            steps.push((left, t));
            return Some(steps);
        }
        let t = self.term(x)?;
        let mut steps = self.parse(y)?;
        steps.push((right, t));
        Some(steps)
    }
}

impl Parser<'_> {
    /// The steps of `select(c, x, y)` whose condition compares `x` with `y` (or'ed with a NaN
    /// test of one of them): the chain computing one, then a pick of the other as its term
    /// (`np.maximum(a[i] - b[i], 0.0)`, `min(max(a[i], lo), hi)`).
    fn pick(&mut self, c: Value, x: Value, y: Value) -> Option<Vec<(Combine, FoldTerm)>> {
        let (cc, (p, q), nan, condition) = self.condition(c)?;
        if x == y || !((p == x && q == y) || (p == y && q == x)) {
            return None;
        }
        let (acc, term, t, mut steps) = match self.term(y) {
            Some(t) => (x, y, t, self.parse(x)?),
            None => {
                let t = self.term(x)?;
                (y, x, t, self.parse(y)?)
            }
        };
        // The comparison as `acc ? term`.
        let cc = if p == acc { cc } else { swapped(cc) };
        let compare = match cc {
            FloatCC::Lt => Compare::Lt,
            FloatCC::Le => Compare::Le,
            FloatCC::Gt => Compare::Gt,
            FloatCC::Ge => Compare::Ge,
            FloatCC::Eq | FloatCC::Ne => return None,
        };
        let operand = |v: Value| {
            if v == acc {
                Operand::Acc
            } else {
                Operand::Term
            }
        };
        let or_nan = match nan {
            Some(z) if z == acc || z == term => Some(operand(z)),
            Some(_) => return None,
            None => None,
        };
        self.used.extend(condition);
        steps.push((
            Combine::Pick(Pick {
                compare,
                or_nan,
                keep: operand(x),
            }),
            t,
        ));
        Some(steps)
    }

    /// `c` as `fcmp cc p, q`, possibly or'ed with `fcmp ne z, z` (z is NaN): the comparison,
    /// its operands, `z`, and the instructions.
    #[allow(clippy::type_complexity)]
    fn condition(&self, c: Value) -> Option<(FloatCC, (Value, Value), Option<Value>, Vec<Inst>)> {
        let lane_wise_mask = |v: Value| {
            (self.kinds.get(&v) == Some(&Kind::Vector))
                .then(|| super::def_inst(self.func, v))
                .flatten()
                .filter(|i| self.body.contains(i))
        };
        let compare = |v: Value| {
            let inst = lane_wise_mask(v)?;
            let d = self.func.inst(inst);
            match d.op {
                Op::Fcmp(cc) if self.func.value_type(d.args[0]) == self.ty => {
                    Some((cc, (d.args[0], d.args[1]), inst))
                }
                _ => None,
            }
        };
        if let Some((cc, operands, inst)) = compare(c) {
            return Some((cc, operands, None, vec![inst]));
        }
        let or = lane_wise_mask(c)?;
        let d = self.func.inst(or);
        if d.op != Op::Or {
            return None;
        }
        for (first, second) in [(d.args[0], d.args[1]), (d.args[1], d.args[0])] {
            let Some((cc, operands, inst)) = compare(first) else {
                continue;
            };
            match compare(second) {
                Some((FloatCC::Ne, (z, z2), nan)) if z == z2 => {
                    return Some((cc, operands, Some(z), vec![or, inst, nan]));
                }
                _ => continue,
            }
        }
        None
    }
}

impl Parser<'_> {
    /// `v` as an integer term ([`IntFoldTerm`]), marking its instructions used.
    fn int_term(&mut self, v: Value) -> Option<IntFoldTerm> {
        if let Some(u) = self.fixed(v) {
            return Some(IntFoldTerm::Fixed(FixedInt::Value(u)));
        }
        let inst = self.lane_wise(v)?;
        let d = self.func.inst(inst);
        if matches!(d.op, Op::Load { .. }) || (self.narrow && d.op == Op::Sext) {
            return self.element(v).map(IntFoldTerm::Element);
        }
        let (x, y) = match d.args[..] {
            [x, y] => (x, y),
            _ => return None,
        };
        let mark = self.used.len();
        let term = match int_op(&d.op) {
            Some(op) if op.is_shift() => {
                let amount = self.amount(y)?;
                self.element(x)
                    .map(|k| IntFoldTerm::ElementWith(op, k, FixedInt::Amount(amount)))
            }
            // (Commutative: the fixed value on either side.)
            Some(op @ (IntOp::Mul | IntOp::And | IntOp::Or | IntOp::Xor)) => {
                match (self.fixed(x), self.fixed(y)) {
                    (None, Some(u)) => self
                        .element(x)
                        .map(|k| IntFoldTerm::ElementWith(op, k, FixedInt::Value(u))),
                    (Some(u), None) => self
                        .element(y)
                        .map(|k| IntFoldTerm::ElementWith(op, k, FixedInt::Value(u))),
                    _ => None,
                }
            }
            _ => None,
        };
        if term.is_none() {
            self.used.truncate(mark);
        } else {
            self.used.push(inst);
        }
        term
    }

    /// `v` as a shift amount: a constant, taken modulo the width as the shift takes it.
    fn amount(&self, v: Value) -> Option<i64> {
        let c = super::const_of(self.func, v)?;
        Some(c & (i64::from(self.ty.bits()) - 1))
    }

    /// The integer steps that compute `v`, left to right.
    fn int_parse(&mut self, v: Value) -> Option<Vec<(IntOp, IntFoldTerm)>> {
        if let Some(t) = self.int_term(v) {
            return Some(vec![(IntOp::Set, t)]);
        }
        let inst = self.lane_wise(v)?;
        let d = self.func.inst(inst).clone();
        let op = int_op(&d.op)?;
        let [x, y] = d.args[..] else {
            return None;
        };
        self.used.push(inst);
        if op.is_shift() {
            let amount = self.amount(y)?;
            let mut steps = self.int_parse(x)?;
            steps.push((op, IntFoldTerm::Fixed(FixedInt::Amount(amount))));
            return Some(steps);
        }
        if let Some(t) = self.int_term(y) {
            let mut steps = self.int_parse(x)?;
            steps.push((op, t));
            return Some(steps);
        }
        let t = self.int_term(x)?;
        let mut steps = self.int_parse(y)?;
        let op = match op {
            IntOp::Sub => IntOp::SubRev,
            commutative => commutative,
        };
        steps.push((op, t));
        Some(steps)
    }
}

/// The integer fold operation of an IR operation, if it has one.
fn int_op(op: &Op) -> Option<IntOp> {
    Some(match op {
        Op::Iadd => IntOp::Add,
        Op::Isub => IntOp::Sub,
        Op::Imul => IntOp::Mul,
        Op::Band => IntOp::And,
        Op::Bor => IntOp::Or,
        Op::Bxor => IntOp::Xor,
        Op::Ishl => IntOp::Shl,
        Op::Sshr => IntOp::Sar,
        Op::Ushr => IntOp::Shr,
        Op::Smin => IntOp::Min,
        Op::Smax => IntOp::Max,
        _ => return None,
    })
}

/// `cc` with its operands swapped.
fn swapped(cc: FloatCC) -> FloatCC {
    match cc {
        FloatCC::Lt => FloatCC::Gt,
        FloatCC::Le => FloatCC::Ge,
        FloatCC::Gt => FloatCC::Lt,
        FloatCC::Ge => FloatCC::Le,
        other => other,
    }
}

/// True if the fold is worth a call: two or more arithmetic operations per element (the
/// products inside terms included; a conversion counts two: without AVX-512DQ the 128-bit
/// loop converts `int64` lanes in several instructions), or a square root or division (whose
/// packed instructions cost the same per instruction at every width). A map of one operation
/// is bound by memory, where the 128-bit vector loop keeps up. (Two operations were left to the
/// 128-bit loop while the fold reloaded every element pointer in every block; with separate
/// arrays' pointers kept and the stores aligned, `2.5 * a[i] + b[i]` runs 0.77 -> 0.67 ms for
/// 2M elements, `a[i] * 0.5 + 1.0` 0.43 -> 0.38, `(a[i] + a[i+1]) * 0.5` 0.49 -> 0.46.)
pub(super) fn worth_it(fold: &Fold) -> bool {
    // (A sum adds each element: one operation more.)
    let sum = usize::from(fold.store.is_none());
    let steps = match &fold.program {
        Program::Float(steps) => steps,
        Program::Int(steps) => {
            // An operation on the accumulator, and one inside an element term. (`int64` lanes
            // are two to Cranelift's vector, eight here.)
            let operations: usize = steps
                .iter()
                .map(|(op, t)| {
                    usize::from(*op != IntOp::Set)
                        + usize::from(matches!(t, IntFoldTerm::ElementWith(..)))
                })
                .sum();
            return operations + sum >= 2;
        }
    };
    let operations: usize = steps
        .iter()
        .map(|(c, t)| {
            let product = matches!(
                t,
                FoldTerm::ElementTimesFixed(..)
                    | FoldTerm::ElementTimesElement(..)
                    | FoldTerm::Square(_)
            );
            let conversion = 2 * usize::from(matches!(t, FoldTerm::Integer(_)));
            // (A pick is a comparison and a blend, three with a NaN test.)
            let pick = match c {
                Combine::Pick(p) => 1 + usize::from(p.or_nan.is_some()),
                _ => 0,
            };
            usize::from(*c != Combine::Set) + usize::from(product) + conversion + pick
        })
        .sum();
    let slow = steps
        .iter()
        .any(|(c, _)| matches!(c, Combine::Sqrt | Combine::Div | Combine::DivRev));
    operations + sum >= 2 || slow
}

/// The exit arguments of the loop `l` (terminated by `term`, index `i` at `i_index`, `next_i`
/// = `i + 1`) as [`ExitValue`]s, if nothing defined in the loop is used after it except
/// through them and each is the bound, the last index, a parameter passed around unchanged,
/// or a value from outside.
pub(super) fn exit_values(
    func: &Function,
    l: crate::function::Block,
    term: Inst,
    (i_index, i, next_i): (usize, Value, Value),
) -> Option<Vec<ExitValue>> {
    let block = func.block(l);
    let t = func.inst(term);
    let (back, exit) = (&t.targets[0], &t.targets[1]);
    let in_loop = |v: Value| super::defined_in(func, l, v);
    let mut values = Vec::new();
    for &a in &exit.args {
        values.push(if a == next_i {
            ExitValue::Bound
        } else if a == i {
            ExitValue::LastIndex
        } else if let Some(k) = block.params.iter().position(|&p| p == a) {
            if k == i_index || back.args[k] != a {
                return None;
            }
            ExitValue::Param(k)
        } else if !in_loop(a) {
            ExitValue::Outside(a)
        } else {
            return None;
        });
    }
    // Nothing of the loop is used elsewhere but through the exit's arguments.
    if crate::passes::util::uses_outside(func, l).any(in_loop) {
        return None;
    }
    Some(values)
}
