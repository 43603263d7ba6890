//! Arg-reductions for the vectorizer: a loop that keeps the best element seen so far and where
//! it was (`if a[i] < best: best = a[i]; k = i`, and `np.argmin`/`np.argmax`'s own loop).
//!
//! After if-conversion such a loop carries two values that change together under one
//! condition `c`:
//!
//! ```text
//! best2 = select c, x, best      ; x: this iteration's element (lane-wise)
//! k2    = select c, p, k         ; p: the index, or the index ± a uniform value
//! ```
//!
//! `c` ("x replaces best") must be one of the shapes whose per-lane results can be merged
//! exactly afterwards: a strict comparison of `x` with `best` (`<`, `>`; integers signed or
//! unsigned, floats ordered: NaN never replaces, the first of equal elements stays), or NumPy's
//! NaN rule `x > best or (isnan(x) and not isnan(best))` (the first NaN wins). A non-strict
//! comparison (`<=`: the last of equal elements) is refused. Only 64-bit elements (`i64`,
//! `f64`) are accepted: the positions are kept in `i64` lanes beside the values.
//!
//! The vector loop keeps, per copy of the body, a vector of best values and a vector of the
//! iteration (lane 0's index) at which each lane took its value; the lane number is added back
//! when the lanes are merged. The merge (see `merge` in the parent module) goes through the
//! lanes and takes a lane's value when the lane replaced the incoming value at all
//! (`c(y, best_in)`) and it is better than the current choice (`c(y, cur)`), or equal to it
//! (same comparison class: `0.0 == -0.0`, NaN with NaN) at an earlier iteration. That is the
//! element the scalar loop would have kept: the first among those no other element replaces.

use crate::function::{Block, FloatCC, Function, Inst, IntCC, Op, Ty, Value};
use crate::passes::util::def_inst;

/// One arg-reduction: the carried best value and its position.
#[derive(Clone, Debug)]
pub(super) struct ArgReduction {
    /// Positions among the loop's parameters of the value and of the position.
    pub value_index: usize,
    pub at_index: usize,
    /// The carried value and position (`best`, `k`).
    pub s: Value,
    pub t: Value,
    /// What is passed back for them (the two selects' results).
    pub value_next: Value,
    pub at_next: Value,
    /// The element type (`i64` or `f64`).
    pub ty: Ty,
    /// This iteration's candidate and the condition under which it replaces `s`.
    pub x: Value,
    pub cond: Value,
    /// The position kept (the index, or the index ± a uniform value).
    pub position: Value,
    /// The select that keeps the position (its position operand is the index, not a lane).
    pub at_select: Inst,
}

/// The arg-reductions among the loop `l`'s carried parameters (`back` is what the loop passes
/// back to itself). A pair with the shape but a condition that cannot be merged exactly is an
/// error with the reason; carried values of other shapes are left to the caller.
pub(super) fn find(
    func: &Function,
    l: Block,
    i_index: usize,
    back: &[Value],
) -> Result<Vec<ArgReduction>, String> {
    let block = func.block(l);
    let params = &block.params;
    let in_body = |inst: Inst| block.insts.contains(&inst);
    let select_of = |k: usize| -> Option<(Inst, [Value; 3])> {
        let inst = def_inst(func, back[k]).filter(|&d| in_body(d))?;
        let d = func.inst(inst);
        (d.op == Op::Select && d.args[2] == params[k])
            .then(|| (inst, [d.args[0], d.args[1], d.args[2]]))
    };
    // The index, or the index plus or minus a value from outside the loop.
    let i = params[i_index];
    let is_position = |v: Value| {
        let mut v = v;
        loop {
            if v == i {
                return true;
            }
            let Some(inst) = def_inst(func, v).filter(|&d| in_body(d)) else {
                return false;
            };
            let d = func.inst(inst);
            let outside =
                |w: Value| def_inst(func, w).is_none_or(|wd| !in_body(wd)) && !params.contains(&w);
            v = match (&d.op, &d.args[..]) {
                (Op::Iadd, &[a, b]) if outside(b) => a,
                (Op::Iadd, &[a, b]) if outside(a) => b,
                (Op::Isub, &[a, b]) if outside(b) => a,
                _ => return false,
            };
        }
    };
    let mut found: Vec<ArgReduction> = Vec::new();
    for at_index in 0..params.len() {
        if at_index == i_index || back[at_index] == params[at_index] {
            continue;
        }
        let Some((at_select, [cond, position, t])) = select_of(at_index) else {
            continue;
        };
        if func.value_type(t) != Ty::I64 || !is_position(position) {
            continue;
        }
        // The value kept under the same condition.
        let partner = (0..params.len()).find(|&k| {
            k != at_index
                && k != i_index
                && !found.iter().any(|r| r.value_index == k)
                && select_of(k).is_some_and(|(_, [c, x, s])| c == cond && x != s && !is_position(x))
        });
        let Some(value_index) = partner else {
            continue;
        };
        let (_, [_, x, s]) = select_of(value_index).expect("found above");
        let ty = func.value_type(s);
        if !matches!(ty, Ty::I64 | Ty::F64) {
            return Err(format!(
                "an argmin/argmax of {ty} elements (positions are kept in 64-bit lanes)"
            ));
        }
        if !condition_shape(func, cond, x, s) {
            return Err(format!(
                "{s} and {t} keep an element and its position, but the condition is not a \
                 strict comparison (the first of equal elements) or NumPy's NaN rule"
            ));
        }
        found.push(ArgReduction {
            value_index,
            at_index,
            s,
            t,
            value_next: back[value_index],
            at_next: back[at_index],
            ty,
            x,
            cond,
            position,
            at_select,
        });
    }
    // Nothing else may depend on the carried pair.
    for r in &found {
        let mut dep = vec![r.s, r.t];
        let mut chain = Vec::new();
        for &inst in &block.insts {
            let d = func.inst(inst);
            if !d.op.is_terminator() && d.args.iter().any(|a| dep.contains(a)) {
                chain.push(inst);
                dep.extend(d.results.iter().copied());
            }
        }
        let allowed = condition_insts(func, r.cond, r.s);
        let value_select = def_inst(func, r.value_next).expect("a select");
        let own =
            |inst: &Inst| *inst == value_select || *inst == r.at_select || allowed.contains(inst);
        if dep.contains(&r.x) || dep.contains(&r.position) || !chain.iter().all(own) {
            return Err(format!(
                "{} and {} keep an element and its position, but other values depend on them",
                r.s, r.t
            ));
        }
        let term = func.terminator(l).expect("a loop");
        let passed = &func.inst(term).targets[0].args;
        let leaks = passed
            .iter()
            .enumerate()
            .any(|(k, a)| k != r.value_index && k != r.at_index && dep.contains(a));
        if leaks {
            return Err(format!("{} is carried into another value", r.s));
        }
    }
    Ok(found)
}

/// Whether `cond` says "`x` replaces `s`" in a mergeable way (see the module doc).
fn condition_shape(func: &Function, cond: Value, x: Value, s: Value) -> bool {
    let op_of =
        |v: Value| def_inst(func, v).map(|i| (func.inst(i).op.clone(), func.inst(i).args.clone()));
    let strict = |v: Value, floats_only: bool| -> bool {
        let Some((op, a)) = op_of(v) else {
            return false;
        };
        let x_first = a[..] == [x, s];
        let s_first = a[..] == [s, x];
        match op {
            Op::Icmp(cc) if !floats_only => {
                matches!(cc, IntCC::Slt | IntCC::Sgt | IntCC::Ult | IntCC::Ugt)
                    && (x_first || s_first)
            }
            Op::Fcmp(FloatCC::Lt | FloatCC::Gt) => x_first || s_first,
            _ => false,
        }
    };
    if strict(cond, false) {
        return true;
    }
    // or(better, and(isnan(x), not(isnan(s)))), operands in either order.
    let is_nan_of = |v: Value, of: Value| {
        op_of(v).is_some_and(|(op, a)| op == Op::Fcmp(FloatCC::Ne) && a[..] == [of, of])
    };
    let nan_first = |v: Value| {
        let Some((Op::And, a)) = op_of(v) else {
            return false;
        };
        let not_nan_s =
            |w: Value| op_of(w).is_some_and(|(op, b)| op == Op::Not && is_nan_of(b[0], s));
        (is_nan_of(a[0], x) && not_nan_s(a[1])) || (is_nan_of(a[1], x) && not_nan_s(a[0]))
    };
    match op_of(cond) {
        Some((Op::Or, a)) => {
            (strict(a[0], true) && nan_first(a[1])) || (strict(a[1], true) && nan_first(a[0]))
        }
        _ => false,
    }
}

/// The instructions of the condition that depend on `s` (the comparison, `isnan(s)` and the
/// logic above them).
fn condition_insts(func: &Function, cond: Value, s: Value) -> Vec<Inst> {
    let mut out = Vec::new();
    let mut stack = vec![cond];
    while let Some(v) = stack.pop() {
        let Some(inst) = def_inst(func, v) else {
            continue;
        };
        let d = func.inst(inst);
        if d.args.contains(&s) || matches!(d.op, Op::Or | Op::And | Op::Not) {
            out.push(inst);
            stack.extend(d.args.iter().copied());
        }
    }
    out
}
