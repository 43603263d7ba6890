//! SSA construction for Python variables (Braun et al., "Simple and Efficient Construction of
//! Static Single Assignment Form", 2013), using block parameters instead of phi nodes.
//!
//! Each flattened component of a Python variable is one [`VarId`]. Blocks are *sealed* once all
//! their predecessors are known; reading a variable in an unsealed block adds a provisional
//! block parameter that is completed at sealing time. Redundant parameters (all incoming values
//! equal) are left for `simplify_cfg` to remove.

use crate::function::{Block, Function, Op, Ty, Value};
use std::collections::HashMap;

/// One SSA variable (a component of a Python local, or a hidden loop counter).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct VarId(pub u32);

#[derive(Default)]
pub struct SsaBuilder {
    var_types: Vec<Ty>,
    current_defs: HashMap<(VarId, Block), Value>,
    preds: HashMap<Block, Vec<Block>>,
    sealed: Vec<Block>,
    /// Provisional parameters of unsealed blocks, completed when the block is sealed.
    incomplete: HashMap<Block, Vec<(VarId, Value)>>,
    /// Zero values of each type materialised in the entry block for reads of unassigned variables.
    undef: HashMap<Ty, Value>,
    entry: Option<Block>,
}

impl SsaBuilder {
    pub fn new(entry: Block) -> Self {
        SsaBuilder {
            entry: Some(entry),
            ..Default::default()
        }
    }

    pub fn declare_var(&mut self, ty: Ty) -> VarId {
        self.var_types.push(ty);
        VarId(self.var_types.len() as u32 - 1)
    }
    pub fn var_type(&self, var: VarId) -> Ty {
        self.var_types[var.0 as usize]
    }

    /// Records that `pred` branches to `block` (call when the branch is emitted).
    pub fn add_pred(&mut self, block: Block, pred: Block) {
        let preds = self.preds.entry(block).or_default();
        if !preds.contains(&pred) {
            preds.push(pred);
        }
    }

    pub fn is_sealed(&self, block: Block) -> bool {
        self.sealed.contains(&block)
    }

    pub fn def_var(&mut self, var: VarId, block: Block, value: Value) {
        self.current_defs.insert((var, block), value);
    }

    pub fn use_var(&mut self, func: &mut Function, var: VarId, block: Block) -> Value {
        if let Some(&v) = self.current_defs.get(&(var, block)) {
            return v;
        }
        let ty = self.var_type(var);
        let value = if !self.is_sealed(block) {
            let param = func.append_block_param(block, ty);
            self.incomplete.entry(block).or_default().push((var, param));
            param
        } else {
            let preds = self.preds.get(&block).cloned().unwrap_or_default();
            match preds.as_slice() {
                [] => self.undef_value(func, ty),
                [single] => self.use_var(func, var, *single),
                _ => {
                    // Define first to break cycles through loops.
                    let param = func.append_block_param(block, ty);
                    self.def_var(var, block, param);
                    self.add_param_operands(func, var, block, &preds);
                    param
                }
            }
        };
        self.def_var(var, block, value);
        value
    }

    /// Marks `block` as having all its predecessors; completes its provisional parameters.
    pub fn seal_block(&mut self, func: &mut Function, block: Block) {
        if self.is_sealed(block) {
            return;
        }
        self.sealed.push(block);
        let pending = self.incomplete.remove(&block).unwrap_or_default();
        let preds = self.preds.get(&block).cloned().unwrap_or_default();
        for (var, _param) in pending {
            self.add_param_operands(func, var, block, &preds);
        }
    }

    /// Appends, for each predecessor, the variable's value there to the branch arguments that
    /// target `block`. Parameters are appended in the same order as operands, so the i-th
    /// parameter matches the i-th argument.
    fn add_param_operands(
        &mut self,
        func: &mut Function,
        var: VarId,
        block: Block,
        preds: &[Block],
    ) {
        for &pred in preds {
            let value = self.use_var(func, var, pred);
            let term = func
                .terminator(pred)
                .expect("predecessor without terminator");
            for call in func.inst_mut(term).targets.iter_mut() {
                if call.block == block {
                    call.args.push(value);
                }
            }
        }
    }

    /// A zero of type `ty` defined at the top of the entry block (a read of a variable that was
    /// never assigned on some path; typeinfer rejects the cases Python would fail on).
    fn undef_value(&mut self, func: &mut Function, ty: Ty) -> Value {
        if let Some(&v) = self.undef.get(&ty) {
            return v;
        }
        let op = match ty {
            Ty::F32 | Ty::F64 => Op::Fconst(0.0),
            Ty::Bool => Op::Bconst(false),
            _ => Op::Iconst(0),
        };
        let inst = func.create_inst(op, Vec::new(), &[ty], Vec::new());
        let entry = self.entry.expect("entry block");
        func.block_mut(entry).insts.insert(0, inst);
        let v = func.inst(inst).results[0];
        self.undef.insert(ty, v);
        v
    }
}
