//! Store-to-load forwarding across a loop's back edge: a value a loop stores in one iteration
//! and loads again in the next is carried in a block parameter instead of through memory.
//!
//! Dynamic programming writes `cost[i, j]` and reads `cost[i, j - 1]` one iteration later
//! (DTW, Levenshtein, LCS); a running minimum kept in `best[0]` reads what it wrote. Through
//! memory, each iteration waits for the store to reach the load (store forwarding in the CPU,
//! several cycles on the loop's critical path); in a register the value is simply there.
//!
//! The loop must be one block `L(.., j, ..)` ending in `brif (j + 1 < n), L(.., j + 1, ..), X`
//! with exactly one store, no call and nothing else that may write memory. A load of `L` that
//! comes before the store, with the store's type and offset, is forwarded when its address in
//! iteration `j` is the store's address in iteration `j - 1`: both are sums of the same
//! loop-invariant terms plus `(j + k) * s` with the same invariant `s` (or `j + k` for one-byte
//! elements), the load's `k` one less than the store's; or both have no `j` term at all (the
//! same address in every iteration). Between the store of iteration `j - 1` and the load of
//! iteration `j` nothing else writes memory, so the load reads exactly the stored value, for any
//! stride (zero and negative included). The first iteration reads memory as before: a new
//! preheader loads the same address for `j = j0` (the loop always runs its first iteration
//! once entered, and that load comes before any store in it) and passes it in the new
//! parameter; the back edge passes the stored value.

use super::util::replace_all_uses;
use crate::function::*;
use std::collections::HashMap;

/// Runs the pass; true if a load was forwarded.
pub fn run(func: &mut Function) -> bool {
    let mut changed = false;
    for l in func.layout.clone() {
        if func.successors(l).contains(&l) {
            while forward_one(func, l) {
                changed = true;
            }
        }
    }
    changed
}

/// An address as a sum: invariant terms (sorted), and `(j + k) * s` if present (`s` `None`:
/// one).
#[derive(Debug, PartialEq)]
struct Affine {
    terms: Vec<Value>,
    scaled: Option<(Option<Value>, i64)>,
}

fn forward_one(func: &mut Function, l: Block) -> bool {
    let Some(j_index) = counter(func, l) else {
        return false;
    };
    let j = func.block(l).params[j_index];
    let insts = func.block(l).insts.clone();
    let body = &insts[..insts.len() - 1];
    let mut store = None;
    for (pos, &i) in body.iter().enumerate() {
        match func.inst(i).op {
            Op::Store { .. } if store.is_none() => store = Some((pos, i)),
            Op::Load { .. } => {}
            ref op if op.is_pure() => {}
            _ => return false, // another store, a call, anything that may write memory
        }
    }
    let Some((store_pos, store)) = store else {
        return false;
    };
    let s = func.inst(store);
    let Op::Store { offset } = s.op else {
        return false;
    };
    let (stored, ty) = (s.args[1], func.value_type(s.args[1]));
    let Some(target) = affine(func, l, j, s.args[0]) else {
        return false;
    };
    let wanted = Affine {
        terms: target.terms.clone(),
        scaled: target.scaled.map(|(s, k)| (s, k - 1)),
    };
    let loads: Vec<Inst> = body[..store_pos]
        .iter()
        .copied()
        .filter(|&i| {
            let d = func.inst(i);
            d.op == (Op::Load {
                offset,
                readonly: false,
            }) && func.value_type(d.results[0]) == ty
                && affine(func, l, j, d.args[0]).as_ref() == Some(&wanted)
        })
        .collect();
    let Some(&first) = loads.first() else {
        return false;
    };

    // A preheader P(params of L) loading the first iteration's value; every entry goes to it.
    let p = func.create_block();
    let types: Vec<Ty> = func
        .block(l)
        .params
        .iter()
        .map(|&v| func.value_type(v))
        .collect();
    let p_params: Vec<Value> = types
        .iter()
        .map(|&t| func.append_block_param(p, t))
        .collect();
    super::util::redirect_entries(func, l, p, l);
    let mut copied = HashMap::new();
    let address = func.inst(first).args[0];
    let init_address = copy_into(func, l, &p_params, p, address, &mut copied);
    let (line, col) = (func.inst(first).line, func.inst(first).col);
    let init = func.create_inst(
        Op::Load {
            offset,
            readonly: false,
        },
        vec![init_address],
        &[ty],
        Vec::new(),
    );
    let init_value = func.inst(init).results[0];
    let mut args = p_params.clone();
    args.push(init_value);
    let jump = func.create_inst(
        Op::Jump,
        Vec::new(),
        &[],
        vec![BlockCall { block: l, args }],
    );
    for i in [init, jump] {
        let d = func.inst_mut(i);
        d.line = line;
        d.col = col;
        func.block_mut(p).insts.push(i);
    }
    let position = func.layout.iter().position(|&b| b == l).unwrap_or(0);
    func.layout.insert(position, p);

    // L's new parameter: the value stored one iteration earlier.
    let previous = func.append_block_param(l, ty);
    let term = func.terminator(l).expect("a loop block ends in its branch");
    func.inst_mut(term).targets[0].args.push(stored);
    for load in loads {
        let value = func.inst(load).results[0];
        func.block_mut(l).insts.retain(|&i| i != load);
        replace_all_uses(func, value, previous);
    }
    true
}

/// The index of the counter `j` among `l`'s parameters, if `l` ends in
/// `brif (j + 1 < n), L(.., j + 1, ..), X` with `n` defined outside `l`.
fn counter(func: &Function, l: Block) -> Option<usize> {
    let term = func.inst(func.terminator(l)?);
    if term.op != Op::Brif || term.targets[0].block != l || term.targets[1].block == l {
        return None;
    }
    let cond = def(func, term.args[0])?;
    if cond.op != Op::Icmp(IntCC::Slt) || in_loop(func, l, cond.args[1]) {
        return None;
    }
    let next = cond.args[0];
    let index = term.targets[0].args.iter().position(|&v| v == next)?;
    let j = func.block(l).params[index];
    let inc = def(func, next)?;
    let one = |v: Value| const_of(func, v) == Some(1);
    let steps_by_one = inc.op == Op::Iadd
        && ((inc.args[0] == j && one(inc.args[1])) || (inc.args[1] == j && one(inc.args[0])));
    steps_by_one.then_some(index)
}

/// `v` as a sum of loop-invariant terms and at most one `(j + k) * s`.
fn affine(func: &Function, l: Block, j: Value, v: Value) -> Option<Affine> {
    if !in_loop(func, l, v) {
        return Some(Affine {
            terms: vec![v],
            scaled: None,
        });
    }
    if let Some(k) = index_offset(func, j, v) {
        return Some(Affine {
            terms: Vec::new(),
            scaled: Some((None, k)),
        });
    }
    let d = def(func, v)?;
    match d.op {
        Op::Iadd => {
            let (a, b) = (
                affine(func, l, j, d.args[0])?,
                affine(func, l, j, d.args[1])?,
            );
            if a.scaled.is_some() && b.scaled.is_some() {
                return None;
            }
            let mut terms = [a.terms, b.terms].concat();
            terms.sort_by_key(|t| t.0);
            Some(Affine {
                terms,
                scaled: a.scaled.or(b.scaled),
            })
        }
        Op::Imul => {
            let (x, s) = if in_loop(func, l, d.args[1]) {
                (d.args[1], d.args[0])
            } else {
                (d.args[0], d.args[1])
            };
            if in_loop(func, l, s) {
                return None;
            }
            let k = index_offset(func, j, x)?;
            Some(Affine {
                terms: Vec::new(),
                scaled: Some((Some(s), k)),
            })
        }
        _ => None,
    }
}

/// `v` is `j + k` (`j`, `j + c`, `c + j`, `j - c`, constant `c`): returns `k`.
fn index_offset(func: &Function, j: Value, v: Value) -> Option<i64> {
    if v == j {
        return Some(0);
    }
    let d = def(func, v)?;
    match d.op {
        Op::Iadd if d.args[0] == j => const_of(func, d.args[1]),
        Op::Iadd if d.args[1] == j => const_of(func, d.args[0]),
        Op::Isub if d.args[0] == j => const_of(func, d.args[1])?.checked_neg(),
        _ => None,
    }
}

/// `v` computed in `p` for the loop's first iteration: `l`'s parameters become `p`'s, values
/// from outside stay, pure instructions of `l` are copied (appended to `p`).
fn copy_into(
    func: &mut Function,
    l: Block,
    p_params: &[Value],
    p: Block,
    v: Value,
    copied: &mut HashMap<Value, Value>,
) -> Value {
    if let Some(&c) = copied.get(&v) {
        return c;
    }
    let c = match func.value_def(v) {
        ValueDef::Param(b, k) if b == l => p_params[k as usize],
        ValueDef::Result(inst, index) if in_loop(func, l, v) => {
            let data = func.inst(inst).clone();
            let args: Vec<Value> = data
                .args
                .iter()
                .map(|&a| copy_into(func, l, p_params, p, a, copied))
                .collect();
            let types: Vec<Ty> = data.results.iter().map(|&r| func.value_type(r)).collect();
            let new = func.create_inst(data.op.clone(), args, &types, Vec::new());
            let d = func.inst_mut(new);
            d.line = data.line;
            d.col = data.col;
            func.block_mut(p).insts.push(new);
            func.inst(new).results[index as usize]
        }
        _ => v,
    };
    copied.insert(v, c);
    c
}

fn in_loop(func: &Function, l: Block, v: Value) -> bool {
    match func.value_def(v) {
        ValueDef::Param(b, _) => b == l,
        ValueDef::Result(inst, _) => func.block(l).insts.contains(&inst),
    }
}

fn def(func: &Function, v: Value) -> Option<&InstData> {
    match func.value_def(v) {
        ValueDef::Result(inst, _) => Some(func.inst(inst)),
        ValueDef::Param(..) => None,
    }
}

fn const_of(func: &Function, v: Value) -> Option<i64> {
    match def(func, v)?.op {
        Op::Iconst(c) => Some(c),
        _ => None,
    }
}
