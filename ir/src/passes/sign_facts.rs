//! What is known about the sign and the size of integer values at a block, for the passes that
//! simplify integer arithmetic (`index_range`, `strength`).
//!
//! Three sources, cheapest first:
//! - how a value is computed: a non-negative constant, `ushr` by a nonzero amount, `urem` or
//!   `band` with a non-negative constant, `uext` from a narrower type, `popcnt`,
//!   `x ^ (x >> (w - 1))` (the magnitude trick of floor division), `udiv` by a constant above
//!   one, and `smax`/`smin`/`select`/`sshr`/`udiv`/`band` of values that are themselves
//!   non-negative (not `iadd` or `imul`: user arithmetic may wrap); a dimension of an array
//!   parameter (`load.readonly` of its descriptor's shape); `ftos` of a float that is NaN or
//!   not below zero (`int(x * n)` after `x >= 0.0`), which floats are known from how they are
//!   computed (`stof` of a non-negative integer, products and sums of such, constants,
//!   `sqrt`, `fabs`) or from a dominating `fcmp` against a constant `>= 0`;
//! - the `index_range` dataflow's proofs (loop counters of ranges and what is computed from them);
//! - the branch conditions that dominate the block: in a block entered only through the true
//!   edge of `brif (icmp.sgt x, k)` with `k >= -1` (the body of `while x > 0:`), or the false
//!   edge of `icmp.slt x, k` with `k >= 0`, and in every block it dominates, `x >= 0`. SSA
//!   values never change, so the fact holds wherever the edge dominates;
//! - block parameters whose argument on every incoming edge is known non-negative there (by
//!   that edge's condition, or as above): the rotated `while x > 0:` loop's body is entered
//!   from the first test and from the test at the end of each iteration, both `x > 0`.

use super::util::DomTree;
use crate::function::{Block, FloatCC, Function, Inst, InstData, IntCC, Op, Ty, Value, ValueDef};
use std::collections::{HashMap, HashSet};

/// Sign facts of one function (computed once, queried per use).
pub struct SignFacts<'d> {
    dom: &'d DomTree,
    /// Values proven `>= 0` everywhere by the `index_range` dataflow.
    proven: HashSet<Value>,
    /// For blocks entered through one conditional edge: the values that edge proves `>= 0`.
    edge_facts: HashMap<Block, Vec<Value>>,
    /// Block parameters whose every incoming argument is known `>= 0` on its edge (the body of
    /// a rotated `while x > 0:` loop, entered from the first test and from the test after
    /// each iteration).
    params: HashSet<Value>,
}

impl<'d> SignFacts<'d> {
    /// Collects the edge facts of `func`; `proven` are values known non-negative everywhere.
    pub fn compute(func: &Function, dom: &'d DomTree, proven: HashSet<Value>) -> Self {
        let mut preds: HashMap<Block, usize> = HashMap::new();
        for &b in dom.rpo() {
            for s in func.successors(b) {
                *preds.entry(s).or_default() += 1;
            }
        }
        let mut facts = SignFacts {
            dom,
            proven,
            edge_facts: HashMap::new(),
            params: HashSet::new(),
        };
        // Every edge: (from, to, its arguments, the values its condition proves `>= 0`).
        let mut edges: Vec<(Block, Block, &[Value], Vec<Value>)> = Vec::new();
        for &p in dom.rpo() {
            let Some(term) = func.terminator(p) else {
                continue;
            };
            let data = func.inst(term);
            let conditional = data.op == Op::Brif && data.targets[0].block != data.targets[1].block;
            for (k, target) in data.targets.iter().enumerate() {
                let mut proves = Vec::new();
                if conditional {
                    facts.non_negative_if(func, data.args[0], k == 0, &mut proves);
                }
                if !proves.is_empty() && preds.get(&target.block) == Some(&1) {
                    facts
                        .edge_facts
                        .entry(target.block)
                        .or_default()
                        .extend(&proves);
                }
                edges.push((p, target.block, &target.args, proves));
            }
        }
        // Parameters: twice, so a parameter passed on to another block counts.
        for _ in 0..2 {
            let mut incoming: HashMap<(Block, usize), bool> = HashMap::new();
            for (from, to, args, proves) in &edges {
                let (from, to) = (*from, *to);
                for (k, &arg) in args.iter().enumerate() {
                    let known = proves.contains(&arg) || facts.non_negative(func, arg, from);
                    let all = incoming.entry((to, k)).or_insert(true);
                    *all &= known;
                }
            }
            for ((block, k), all) in incoming {
                if all && let Some(&param) = func.block(block).params.get(k) {
                    facts.params.insert(param);
                }
            }
        }
        facts
    }

    /// Adds to `out` the values that `cond == taken` proves `>= 0` (for a float: `>= 0` or
    /// NaN): those of one comparison, or of each side of an `and` that holds (`0 <= i < n
    /// and 0 <= j < n`, computed without branches) or of an `or` that does not.
    fn non_negative_if(&self, func: &Function, cond: Value, taken: bool, out: &mut Vec<Value>) {
        let Some(inst) = def_inst(func, cond) else {
            return;
        };
        let data = func.inst(inst);
        match (&data.op, taken) {
            (Op::And, true) | (Op::Or, false) => {
                for &side in &data.args {
                    self.non_negative_if(func, side, taken, out);
                }
                return;
            }
            (Op::Not, _) => return self.non_negative_if(func, data.args[0], !taken, out),
            _ => {}
        }
        out.extend(self.compared_non_negative(func, data, taken));
    }

    /// The value that one comparison, `== taken`, proves `>= 0`.
    fn compared_non_negative(
        &self,
        func: &Function,
        data: &InstData,
        taken: bool,
    ) -> Option<Value> {
        if let Op::Fcmp(cc) = data.op {
            return float_non_negative_if(func, cc, &data.args, taken);
        }
        let Op::Icmp(cc) = data.op else { return None };
        // Normalise to `x cc k` with the constant on the right.
        let (x, cc, k) = match (
            self.constant(func, data.args[0]),
            self.constant(func, data.args[1]),
        ) {
            (None, Some(k)) => (data.args[0], cc, k),
            (Some(k), None) => (data.args[1], swap(cc), k),
            _ => return None,
        };
        let cc = if taken { cc } else { negate(cc) };
        let proves = match cc {
            IntCC::Sgt => k >= -1,
            IntCC::Sge | IntCC::Eq => k >= 0,
            _ => false,
        };
        proves.then_some(x)
    }

    /// The value of an integer constant (sign-extended from its type), if `v` is one.
    pub fn constant(&self, func: &Function, v: Value) -> Option<i64> {
        match func.inst(def_inst(func, v)?).op {
            Op::Iconst(c) if func.value_type(v).is_int() => Some(c),
            _ => None,
        }
    }

    /// True if `v` is known `>= 0` (as a signed value of its type) in block `at`.
    pub fn non_negative(&self, func: &Function, v: Value, at: Block) -> bool {
        self.non_negative_depth(func, v, at, 4)
    }

    fn non_negative_depth(&self, func: &Function, v: Value, at: Block, depth: u32) -> bool {
        if !func.value_type(v).is_int() {
            return false;
        }
        if self.proven.contains(&v) || self.params.contains(&v) || self.by_condition(v, at) {
            return true;
        }
        let Some(inst) = def_inst(func, v) else {
            return false;
        };
        let data = func.inst(inst);
        let width = i64::from(func.value_type(v).bits());
        let konst = |k: usize| self.constant(func, data.args[k]);
        let rec =
            |k: usize| depth > 0 && self.non_negative_depth(func, data.args[k], at, depth - 1);
        match data.op {
            Op::Iconst(c) => c >= 0,
            Op::Popcnt => true,
            // A dimension of an array argument (`a.shape[k]`): descriptors hold sizes.
            Op::Load {
                offset,
                readonly: true,
            } => func.value_type(v) == Ty::I64 && is_dimension(func, data.args[0], offset),
            // Truncation of a float that is not below zero (or NaN, which converts to 0): the
            // bin of a histogram, `int(x * n)` after `x >= 0.0`.
            Op::FToS => depth > 0 && self.float_non_negative(func, data.args[0], at, depth - 1),
            Op::Uext => func.value_type(data.args[0]).bits() < func.value_type(v).bits(),
            Op::Ushr => konst(1).is_some_and(|k| k.rem_euclid(width) != 0),
            Op::Urem => konst(1).is_some_and(|k| k > 0) || rec(0),
            Op::Band => konst(1).is_some_and(|k| k >= 0) || rec(0) || rec(1),
            Op::Bxor => self.is_magnitude(func, inst),
            Op::Udiv => konst(1).is_some_and(|k| k > 1) || rec(0),
            Op::Sshr => rec(0),
            Op::Smax => rec(0) || rec(1),
            Op::Smin => rec(0) && rec(1),
            Op::Select => rec(1) && rec(2),
            _ => false,
        }
    }

    /// True if the float `v` is NaN or not below zero (`-0.0` included) in block `at`: what
    /// its truncation to an integer needs to be `>= 0`.
    fn float_non_negative(&self, func: &Function, v: Value, at: Block, depth: u32) -> bool {
        if !func.value_type(v).is_float() {
            return false;
        }
        if self.params.contains(&v) || self.by_condition(v, at) {
            return true;
        }
        let Some(inst) = def_inst(func, v) else {
            return false;
        };
        let data = func.inst(inst);
        let rec =
            |k: usize| depth > 0 && self.float_non_negative(func, data.args[k], at, depth - 1);
        match data.op {
            Op::Fconst(c) => c >= 0.0 || c.is_nan(),
            // `sqrt` of a negative number is NaN, of `-0.0` itself.
            Op::Fabs | Op::Sqrt | Op::UToF => true,
            Op::SToF => depth > 0 && self.non_negative_depth(func, data.args[0], at, depth - 1),
            // Not `fdiv`: `1.0 / -0.0` is `-inf`.
            Op::Fadd | Op::Fmul | Op::Fmin => rec(0) && rec(1),
            Op::Fmax => rec(0) || rec(1),
            Op::Select => rec(1) && rec(2),
            Op::Fpromote | Op::Fdemote | Op::Floor | Op::Ceil | Op::Trunc | Op::Nearest => rec(0),
            _ => false,
        }
    }

    /// True if `x ^ s` where `s = x >> (w - 1)` (arithmetic): `x` or `~x`, whichever is
    /// non-negative, at most `2^(w-1) - 1`.
    pub fn is_magnitude(&self, func: &Function, xor: Inst) -> bool {
        let data = func.inst(xor);
        if data.op != Op::Bxor {
            return false;
        }
        let width = i64::from(func.value_type(data.args[0]).bits());
        let is_sign_of = |s: Value, x: Value| {
            def_inst(func, s).is_some_and(|i| {
                let d = func.inst(i);
                d.op == Op::Sshr
                    && d.args[0] == x
                    && self.constant(func, d.args[1]) == Some(width - 1)
            })
        };
        is_sign_of(data.args[1], data.args[0]) || is_sign_of(data.args[0], data.args[1])
    }

    fn by_condition(&self, v: Value, at: Block) -> bool {
        if self.edge_facts.is_empty() || !self.dom.is_reachable(at) {
            return false;
        }
        let mut b = Some(at);
        while let Some(block) = b {
            if self
                .edge_facts
                .get(&block)
                .is_some_and(|vs| vs.contains(&v))
            {
                return true;
            }
            b = self.dom.idom(block);
        }
        false
    }
}

fn def_inst(func: &Function, v: Value) -> Option<Inst> {
    match func.value_def(v) {
        ValueDef::Result(inst, 0) => Some(inst),
        _ => None,
    }
}

/// The float that `x cc k == taken` (a constant `k >= 0` on either side) proves NaN or
/// `>= 0`: the true edge of `x >= k`, `x > k`, `x == k`, the false edge of `x < k`, `x <= k`.
fn float_non_negative_if(
    func: &Function,
    cc: FloatCC,
    args: &[Value],
    taken: bool,
) -> Option<Value> {
    let constant = |v: Value| match func.inst(def_inst(func, v)?).op {
        Op::Fconst(c) => Some(c),
        _ => None,
    };
    let (x, cc, k) = match (constant(args[0]), constant(args[1])) {
        (None, Some(k)) => (args[0], cc, k),
        (Some(k), None) => {
            let mirrored = match cc {
                FloatCC::Lt => FloatCC::Gt,
                FloatCC::Le => FloatCC::Ge,
                FloatCC::Gt => FloatCC::Lt,
                FloatCC::Ge => FloatCC::Le,
                cc => cc,
            };
            (args[1], mirrored, k)
        }
        _ => return None,
    };
    // Ordered comparisons: false when `x` is NaN, so only the false edge lets NaN through.
    let proves = match (cc, taken) {
        (FloatCC::Ge | FloatCC::Gt | FloatCC::Eq, true) => k >= 0.0,
        (FloatCC::Lt | FloatCC::Le, false) => k >= 0.0,
        _ => false,
    };
    proves.then_some(x)
}

/// True if `load.i64.readonly ptr+offset` reads a dimension (`shape[k]`) of an array
/// parameter: its descriptor lists the shape after the data and owner pointers.
fn is_dimension(func: &Function, ptr: Value, offset: i32) -> bool {
    let ValueDef::Param(block, index) = func.value_def(ptr) else {
        return false;
    };
    if func.entry() != Some(block) {
        return false;
    }
    let Some(rank) = func.param_rank(index as usize) else {
        return false;
    };
    (0..rank).any(|axis| runtime::array::shape_offset(axis) == offset)
}

/// `k cc x` as `x swap(cc) k`.
fn swap(cc: IntCC) -> IntCC {
    match cc {
        IntCC::Slt => IntCC::Sgt,
        IntCC::Sle => IntCC::Sge,
        IntCC::Sgt => IntCC::Slt,
        IntCC::Sge => IntCC::Sle,
        IntCC::Ult => IntCC::Ugt,
        IntCC::Ule => IntCC::Uge,
        IntCC::Ugt => IntCC::Ult,
        IntCC::Uge => IntCC::Ule,
        cc => cc,
    }
}

/// `!(x cc k)` as `x negate(cc) k`.
fn negate(cc: IntCC) -> IntCC {
    match cc {
        IntCC::Eq => IntCC::Ne,
        IntCC::Ne => IntCC::Eq,
        IntCC::Slt => IntCC::Sge,
        IntCC::Sle => IntCC::Sgt,
        IntCC::Sgt => IntCC::Sle,
        IntCC::Sge => IntCC::Slt,
        IntCC::Ult => IntCC::Uge,
        IntCC::Ule => IntCC::Ugt,
        IntCC::Ugt => IntCC::Ule,
        IntCC::Uge => IntCC::Ult,
    }
}
