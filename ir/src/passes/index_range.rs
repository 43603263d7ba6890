//! `index_range`: proves loop indices non-negative so Python's negative-index wraparound
//! (`i < 0 ? i + dim : i`, emitted by lowering for every array index) disappears from loops.
//!
//! A forward dataflow computes, for every integer value, a symbolic lower bound
//! `v >= base + offset`, where `base` is another SSA value or nothing (zero); a value about
//! which nothing else is known is bounded by itself (`v >= v + 0`). Constants,
//! `iadd`, `isub` of a constant or of the bound's own base, `imul` of non-negatives, `smax`
//! and `select` are understood; block parameters take the meet of their incoming values, so a loop
//! counter starting at `n // 2` and stepping by `+1` gets `>= n // 2`, and `j + l - n // 2` with
//! `l >= 0` gets `>= 0`. Parameters start optimistic (unknown = "top") and widen to "nothing
//! known" when their bound would decrease, which guarantees termination.
//!
//! Every `icmp.slt x, 0` whose `x` is proven `>= 0` becomes `bconst false`; `constfold` then
//! removes the select. Likewise every `sshr x, w - 1` (the sign mask floor division by a
//! constant starts from, see `lower/operators.rs`) becomes `iconst 0`, so `x // 10` in the body
//! of `while x > 0:` is one unsigned division. Besides this dataflow, the proof may come from
//! how `x` is computed or from a branch condition dominating the use ([`SignFacts`]). Like
//! LLVM's `nsw` arithmetic in Numba, index arithmetic is assumed not to overflow i64.
//!
//! Block parameters that branch conditions prove `>= 0` on every incoming edge ([`SignFacts`]
//! without the dataflow's proofs: the body of `while j >= 0 and a[j] > k:` after
//! `simplify_cfg`'s branch threading) enter the dataflow bounded by 0, so what is computed
//! from them keeps a bound (`j + 1 >= 1` in the body, `>= 0` after the loop).
//!
//! Soundness of symbolic bases: a parameter's bound may only name a base whose definition
//! strictly dominates the parameter's block, so the base is not recomputed between the loop
//! entry that established the bound and its uses.

use super::sign_facts::SignFacts;
use super::util::{DomTree, def_block, inst_blocks};
use crate::function::*;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    /// Not computed yet (optimistic).
    Top,
    /// `value >= base + offset` (`base: None` means 0).
    AtLeast { base: Option<Value>, offset: i64 },
    /// Nothing known.
    Bottom,
}

use Bound::*;

fn meet(a: Bound, b: Bound) -> Bound {
    match (a, b) {
        (Top, x) | (x, Top) => x,
        (
            AtLeast {
                base: b1,
                offset: c1,
            },
            AtLeast {
                base: b2,
                offset: c2,
            },
        ) if b1 == b2 => AtLeast {
            base: b1,
            offset: c1.min(c2),
        },
        _ => Bottom,
    }
}

fn add(a: Bound, b: Bound) -> Bound {
    match (a, b) {
        (Top, _) | (_, Top) => Top,
        (
            AtLeast {
                base: ba,
                offset: ca,
            },
            AtLeast {
                base: bb,
                offset: cb,
            },
        ) => {
            let base = match (ba, bb) {
                (Some(_), Some(_)) => return Bottom,
                (x, None) | (None, x) => x,
            };
            ca.checked_add(cb)
                .map_or(Bottom, |offset| AtLeast { base, offset })
        }
        _ => Bottom,
    }
}

pub fn run(func: &mut Function) -> bool {
    let dom = DomTree::compute(func);
    let consts: HashMap<Value, i64> = constants(func);
    let proven = non_negative_values_with(func, &dom, &consts);
    let facts = SignFacts::compute(func, &dom, proven);
    // Rewrite `icmp.slt x, 0` and `sshr x, width - 1` of x proven >= 0 (here or by a branch
    // condition that dominates the use).
    let mut changed = false;
    for &b in dom.rpo() {
        for &inst in &func.block(b).insts.clone() {
            let data = func.inst(inst);
            let known = |v: Value| facts.non_negative(func, v, b);
            let fold = match data.op {
                Op::Icmp(IntCC::Slt) if facts.constant(func, data.args[1]) == Some(0) => {
                    known(data.args[0]).then_some(Op::Bconst(false))
                }
                Op::Sshr => {
                    let width = i64::from(func.value_type(data.args[0]).bits());
                    (facts.constant(func, data.args[1]) == Some(width - 1) && known(data.args[0]))
                        .then_some(Op::Iconst(0))
                }
                _ => None,
            };
            if let Some(op) = fold {
                let data = func.inst_mut(inst);
                data.op = op;
                data.args.clear();
                changed = true;
            }
        }
    }
    changed
}

/// The `i64` values the dataflow proves `>= 0` everywhere (loop counters of ranges, sums of
/// them, ...); empty if it does not converge.
pub fn non_negative_values(func: &Function) -> HashSet<Value> {
    let dom = DomTree::compute(func);
    non_negative_values_with(func, &dom, &constants(func))
}

fn non_negative_values_with(
    func: &Function,
    dom: &DomTree,
    consts: &HashMap<Value, i64>,
) -> HashSet<Value> {
    // Block parameters that branch conditions prove `>= 0` on every incoming edge (the body
    // of `while j >= 0 and b[j] > k:` after branch threading): their bound is at least 0
    // whatever the arithmetic says (`j -= 1` alone would widen it to nothing), so `j + 1` and
    // the `j - 1` leaving the loop keep bounds of their own.
    let by_conditions = SignFacts::compute(func, dom, HashSet::new());
    let blocks_of = inst_blocks(func);
    let mut incoming: HashMap<Block, Vec<&[Value]>> = HashMap::new();
    for &b in dom.rpo() {
        if let Some(t) = func.terminator(b) {
            for call in &func.inst(t).targets {
                incoming.entry(call.block).or_default().push(&call.args);
            }
        }
    }
    let mut bounds: HashMap<Value, Bound> = HashMap::new();
    let get = |bounds: &HashMap<Value, Bound>, v: Value| -> Bound {
        if let Some(&c) = consts.get(&v) {
            return AtLeast {
                base: None,
                offset: c,
            };
        }
        match bounds.get(&v) {
            // Every value is at least itself: an unknown value still bounds what is computed
            // from it (`j >= h` for a counter starting at an arbitrary `h`).
            Some(Bottom) => AtLeast {
                base: Some(v),
                offset: 0,
            },
            Some(&b) => b,
            None => Top,
        }
    };
    let mut converged = false;
    for _ in 0..32 {
        let mut changed = false;
        for &b in dom.rpo() {
            for (i, &p) in func.block(b).params.iter().enumerate() {
                if func.value_type(p) != Ty::I64 {
                    continue;
                }
                // The entry's parameters (no incoming edges) are unknown.
                let edges = incoming.get(&b).map(Vec::as_slice).unwrap_or(&[]);
                let mut new = if edges.is_empty() { Bottom } else { Top };
                for args in edges {
                    new = meet(new, args.get(i).map_or(Bottom, |&a| get(&bounds, a)));
                }
                if let AtLeast {
                    base: Some(base), ..
                } = new
                {
                    let strictly_dominates = def_block(func, &blocks_of, base)
                        .is_some_and(|d| d != b && dom.dominates(d, b));
                    if !strictly_dominates {
                        new = Bottom;
                    }
                }
                // Proven `>= 0` by conditions: exactly that, from the first round on (a
                // constant bound above 0 would only shrink towards it round by round, and
                // the bounds met with it would be widened away meanwhile).
                if matches!(new, Bottom | AtLeast { base: None, .. })
                    && by_conditions.non_negative(func, p, b)
                {
                    new = AtLeast {
                        base: None,
                        offset: 0,
                    };
                }
                let old = bounds.get(&p).copied().unwrap_or(Top);
                // Widening: a bound that would decrease gives up.
                if let (
                    AtLeast {
                        base: b0,
                        offset: c0,
                    },
                    AtLeast {
                        base: b1,
                        offset: c1,
                    },
                ) = (old, new)
                    && (b0 != b1 || c1 < c0)
                {
                    new = Bottom;
                }
                if matches!(old, Bottom) {
                    new = Bottom;
                }
                if new != old {
                    bounds.insert(p, new);
                    changed = true;
                }
            }
            for &inst in &func.block(b).insts {
                let data = func.inst(inst);
                let [result] = data.results[..] else { continue };
                if func.value_type(result) != Ty::I64 {
                    continue;
                }
                let arg = |k: usize| get(&bounds, data.args[k]);
                let new = match data.op {
                    Op::Iconst(c) => AtLeast {
                        base: None,
                        offset: c,
                    },
                    Op::Iadd => add(arg(0), arg(1)),
                    Op::Isub => match (arg(0), consts.get(&data.args[1])) {
                        (Top, _) => Top,
                        (AtLeast { base, offset }, Some(&c)) => offset
                            .checked_sub(c)
                            .map_or(Bottom, |offset| AtLeast { base, offset }),
                        (
                            AtLeast {
                                base: Some(base),
                                offset,
                            },
                            None,
                        ) if base == data.args[1] => AtLeast { base: None, offset },
                        _ => Bottom,
                    },
                    Op::Imul => match (arg(0), arg(1)) {
                        (Top, _) | (_, Top) => Top,
                        (
                            AtLeast {
                                base: None,
                                offset: a,
                            },
                            AtLeast {
                                base: None,
                                offset: b,
                            },
                        ) if a >= 0 && b >= 0 => AtLeast {
                            base: None,
                            offset: 0,
                        },
                        _ => Bottom,
                    },
                    // A symbolic bound of a select is no better than the select itself, which
                    // later arithmetic can then cancel (`i - h` where `i` counts up from `h`).
                    // smax(a, b) is at least each of them: keep a constant bound if either has one.
                    Op::Smax => match (arg(0), arg(1)) {
                        (Top, _) | (_, Top) => Top,
                        (
                            AtLeast {
                                base: None,
                                offset: a,
                            },
                            AtLeast {
                                base: None,
                                offset: b,
                            },
                        ) => AtLeast {
                            base: None,
                            offset: a.max(b),
                        },
                        (AtLeast { base: None, offset }, _)
                        | (_, AtLeast { base: None, offset }) => AtLeast { base: None, offset },
                        _ => Bottom,
                    },
                    Op::Select => match meet(arg(1), arg(2)) {
                        AtLeast { base: Some(_), .. } => Bottom,
                        m => m,
                    },
                    _ => Bottom,
                };
                if bounds.get(&result).copied().unwrap_or(Top) != new {
                    bounds.insert(result, new);
                    changed = true;
                }
            }
        }
        if !changed {
            converged = true;
            break;
        }
    }
    if !converged {
        return HashSet::new();
    }
    bounds
        .iter()
        .filter(|(_, b)| matches!(b, AtLeast { base: None, offset } if *offset >= 0))
        .map(|(&v, _)| v)
        .collect()
}

/// Integer constants defined by `iconst`.
fn constants(func: &Function) -> HashMap<Value, i64> {
    let mut out = HashMap::new();
    for &b in &func.layout {
        for &inst in &func.block(b).insts {
            let data = func.inst(inst);
            if let (Op::Iconst(c), [r]) = (&data.op, &data.results[..])
                && func.value_type(*r) == Ty::I64
            {
                out.insert(*r, *c);
            }
        }
    }
    out
}
