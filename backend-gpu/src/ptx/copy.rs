//! Parallel copies: the moves that assign a branch's arguments to its target's parameters.
//!
//! All moves of one edge happen "at once" (a loop back edge may swap two parameters), so they
//! are ordered such that no register is overwritten before every move reading it has run; a
//! cycle is broken by saving one register in a temporary.

/// Orders the parallel moves `(dst, src)` (destinations distinct) into a sequence with the same
/// effect. `temp(r)` returns a fresh temporary of `r`'s register class.
pub(crate) fn sequentialize<R: Clone + Eq>(
    moves: &[(R, R)],
    mut temp: impl FnMut(&R) -> R,
) -> Vec<(R, R)> {
    let mut pending: Vec<(R, R)> = moves.iter().filter(|(d, s)| d != s).cloned().collect();
    let mut out = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let free = pending
            .iter()
            .position(|(d, _)| !pending.iter().any(|(_, s)| s == d));
        match free {
            Some(i) => out.push(pending.remove(i)),
            None => {
                // Every destination is still read by another move: a cycle. Save one of them.
                let saved = pending[0].0.clone();
                let t = temp(&saved);
                out.push((t.clone(), saved.clone()));
                for (_, s) in pending.iter_mut().filter(|(_, s)| *s == saved) {
                    *s = t.clone();
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Runs `moves` in parallel and `sequence` in order on the same registers; both must agree
    /// on every destination.
    fn check(moves: &[(&str, &str)]) {
        let moves: Vec<(String, String)> = moves
            .iter()
            .map(|(d, s)| (d.to_string(), s.to_string()))
            .collect();
        let mut n = 0;
        let seq = sequentialize(&moves, |_| {
            n += 1;
            format!("t{n}")
        });
        let mut regs: HashMap<String, String> = HashMap::new();
        let read = |regs: &HashMap<String, String>, r: &str| {
            regs.get(r).cloned().unwrap_or_else(|| format!("init:{r}"))
        };
        let expected: Vec<(String, String)> = moves
            .iter()
            .map(|(d, s)| (d.clone(), read(&regs, s)))
            .collect();
        for (d, s) in &seq {
            let v = read(&regs, s);
            regs.insert(d.clone(), v);
        }
        for (d, v) in expected {
            assert_eq!(read(&regs, &d), v, "{moves:?} as {seq:?}");
        }
    }

    #[test]
    fn swaps_rotations_and_fan_out_keep_their_meaning() {
        check(&[]);
        check(&[("a", "a")]);
        check(&[("a", "b"), ("b", "a")]);
        check(&[("a", "b"), ("b", "c"), ("c", "a")]);
        check(&[("a", "b"), ("b", "a"), ("c", "a"), ("d", "d")]);
        check(&[("a", "x"), ("b", "a"), ("c", "b")]);
        check(&[("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"), ("e", "a")]);
    }

    #[test]
    fn acyclic_copies_need_no_temporary() {
        let moves = [("a", "b"), ("b", "c")];
        let seq = sequentialize(&moves, |_| unreachable!("no cycle"));
        assert_eq!(seq, vec![("a", "b"), ("b", "c")]);
    }
}
