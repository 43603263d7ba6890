//! Natural loops of an IR function, used to order conditional branches for Cranelift.
//!
//! Why: Cranelift 0.135's egraph places every pure value at its use and hoists it out of the
//! loops recorded on a stack that it pushes at loop headers and pops at the first block outside
//! the loop, walking the dominator tree with children in its CFG reverse postorder. Its DFS
//! visits a `brif`'s first target first, so the *second* target comes first in that order. If
//! a loop header branches `brif c, body, exit` (the natural form of `while c: body`), the exit
//! is visited first, the loop is popped before the body is seen, and nothing in the body is
//! hoisted — worse, invariants our own LICM placed before the loop are sunk back into it.
//! Listing the exit first (`brif !c, exit, body`) avoids that, so `translate` swaps the targets
//! of a `brif` whose first target stays in the innermost loop and whose second leaves it.

use ir::{Block, Function};

/// For each block (by index): the innermost loop containing it, as an index into `bodies`.
pub(crate) struct Loops {
    innermost: Vec<Option<usize>>,
    /// `bodies[l][b]`: block `b` belongs to loop `l`.
    bodies: Vec<Vec<bool>>,
}

impl Loops {
    /// Finds the loops among the blocks of `order` (reachable blocks, in reverse postorder):
    /// an edge to a block that comes no later in the order is a back edge (exact for the
    /// reducible control flow structured code produces; merely a heuristic otherwise).
    pub fn find(func: &Function, order: &[Block]) -> Loops {
        let n = func.blocks.len();
        let mut position = vec![usize::MAX; n];
        for (i, b) in order.iter().enumerate() {
            position[b.0 as usize] = i;
        }
        let mut preds: Vec<Vec<Block>> = vec![Vec::new(); n];
        for &b in order {
            for s in func.successors(b) {
                preds[s.0 as usize].push(b);
            }
        }
        let mut bodies: Vec<Vec<bool>> = Vec::new();
        let mut headers: Vec<Block> = Vec::new();
        for &b in order {
            for s in func.successors(b) {
                if position[s.0 as usize] > position[b.0 as usize] {
                    continue;
                }
                // Back edge b -> s: the loop is s plus every block reaching b without passing s.
                let index = headers.iter().position(|&h| h == s).unwrap_or_else(|| {
                    headers.push(s);
                    bodies.push(vec![false; n]);
                    bodies.len() - 1
                });
                let body = &mut bodies[index];
                body[s.0 as usize] = true;
                let mut work = vec![b];
                while let Some(x) = work.pop() {
                    if !std::mem::replace(&mut body[x.0 as usize], true) {
                        work.extend(preds[x.0 as usize].iter().copied());
                    }
                }
            }
        }
        let size: Vec<usize> = bodies
            .iter()
            .map(|body| body.iter().filter(|&&x| x).count())
            .collect();
        let innermost = (0..n)
            .map(|b| {
                (0..bodies.len())
                    .filter(|&l| bodies[l][b])
                    .min_by_key(|&l| size[l])
            })
            .collect();
        Loops { innermost, bodies }
    }

    /// True if `block` is inside some loop.
    pub fn in_loop(&self, block: Block) -> bool {
        self.innermost[block.0 as usize].is_some()
    }

    /// True if a branch in `from` should list `second` before `first`: `first` stays in the
    /// innermost loop around `from` and `second` leaves it.
    pub fn exit_should_come_first(&self, from: Block, first: Block, second: Block) -> bool {
        match self.innermost[from.0 as usize] {
            Some(l) => self.bodies[l][first.0 as usize] && !self.bodies[l][second.0 as usize],
            None => false,
        }
    }
}
