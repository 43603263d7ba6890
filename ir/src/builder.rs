//! A cursor for building IR: create blocks, append instructions at the end of the current block.

use crate::function::*;
use runtime::math::{AbiType, RuntimeFn};

/// Appends instructions to the end of one block at a time, stamping each with the current
/// source position.
pub struct Builder<'f> {
    pub func: &'f mut Function,
    current: Option<Block>,
    line: u32,
    col: u32,
}

impl<'f> Builder<'f> {
    pub fn new(func: &'f mut Function) -> Self {
        Builder {
            func,
            current: None,
            line: 0,
            col: 0,
        }
    }

    /// Creates the entry block with the function's parameters, places it and switches to it.
    pub fn create_entry_block(&mut self) -> (Block, Vec<Value>) {
        let block = self.create_block();
        let params: Vec<Ty> = self.func.params.clone();
        let values = params
            .into_iter()
            .map(|ty| self.func.append_block_param(block, ty))
            .collect();
        self.switch_to(block);
        (block, values)
    }
    /// Creates a block and appends it to the layout.
    pub fn create_block(&mut self) -> Block {
        let b = self.func.create_block();
        self.func.layout.push(b);
        b
    }
    pub fn append_block_param(&mut self, block: Block, ty: Ty) -> Value {
        self.func.append_block_param(block, ty)
    }
    pub fn switch_to(&mut self, block: Block) {
        self.current = Some(block);
    }
    pub fn current_block(&self) -> Option<Block> {
        self.current
    }
    /// True if the current block already ends with a terminator (code after it is dead).
    pub fn is_terminated(&self) -> bool {
        self.current
            .is_none_or(|b| self.func.terminator(b).is_some())
    }
    pub fn set_srcloc(&mut self, line: u32, col: u32) {
        self.line = line;
        self.col = col;
    }
    pub fn srcloc(&self) -> (u32, u32) {
        (self.line, self.col)
    }

    /// Appends an instruction; returns its results.
    pub fn ins_full(
        &mut self,
        op: Op,
        args: Vec<Value>,
        result_types: &[Ty],
        targets: Vec<BlockCall>,
    ) -> Vec<Value> {
        let block = self.current.expect("builder has no current block");
        let inst = self.func.create_inst(op, args, result_types, targets);
        let data = self.func.inst_mut(inst);
        data.line = self.line;
        data.col = self.col;
        let results = data.results.clone();
        self.func.block_mut(block).insts.push(inst);
        results
    }
    /// Appends a one-result instruction.
    pub fn ins(&mut self, op: Op, args: &[Value], ty: Ty) -> Value {
        self.ins_full(op, args.to_vec(), &[ty], Vec::new())[0]
    }

    pub fn ty(&self, v: Value) -> Ty {
        self.func.value_type(v)
    }
    /// The value of `v` if an integer constant defines it (decisions made while lowering, such
    /// as division by a constant without the hardware divider).
    pub fn const_int(&self, v: Value) -> Option<i64> {
        match self.func.value_def(v) {
            ValueDef::Result(inst, 0) => match self.func.inst(inst).op {
                Op::Iconst(c) => Some(c),
                _ => None,
            },
            _ => None,
        }
    }
    pub fn iconst(&mut self, ty: Ty, value: i64) -> Value {
        self.ins(Op::Iconst(value), &[], ty)
    }
    pub fn fconst(&mut self, ty: Ty, value: f64) -> Value {
        self.ins(Op::Fconst(value), &[], ty)
    }
    pub fn bconst(&mut self, value: bool) -> Value {
        self.ins(Op::Bconst(value), &[], Ty::Bool)
    }
    /// A binary operation whose result has the operands' type.
    pub fn binary(&mut self, op: Op, a: Value, b: Value) -> Value {
        let ty = self.ty(a);
        self.ins(op, &[a, b], ty)
    }
    /// A unary operation whose result has the operand's type.
    pub fn unary(&mut self, op: Op, a: Value) -> Value {
        let ty = self.ty(a);
        self.ins(op, &[a], ty)
    }
    /// A conversion of `a` to type `to`.
    pub fn convert(&mut self, op: Op, a: Value, to: Ty) -> Value {
        self.ins(op, &[a], to)
    }
    pub fn icmp(&mut self, cc: IntCC, a: Value, b: Value) -> Value {
        self.ins(Op::Icmp(cc), &[a, b], Ty::Bool)
    }
    pub fn fcmp(&mut self, cc: FloatCC, a: Value, b: Value) -> Value {
        self.ins(Op::Fcmp(cc), &[a, b], Ty::Bool)
    }
    pub fn select(&mut self, cond: Value, a: Value, b: Value) -> Value {
        let ty = self.ty(a);
        self.ins(Op::Select, &[cond, a, b], ty)
    }
    pub fn load(&mut self, ty: Ty, ptr: Value, offset: i32, readonly: bool) -> Value {
        self.ins(Op::Load { offset, readonly }, &[ptr], ty)
    }
    pub fn store(&mut self, ptr: Value, value: Value, offset: i32) {
        self.ins_full(Op::Store { offset }, vec![ptr, value], &[], Vec::new());
    }
    pub fn call_runtime(&mut self, f: RuntimeFn, args: &[Value]) -> Value {
        let ty = match f.describe().result {
            AbiType::I64 => Ty::I64,
            AbiType::Ptr => Ty::Ptr,
            AbiType::F32 => Ty::F32,
            AbiType::F64 => Ty::F64,
        };
        self.ins(Op::CallRuntime(f), args, ty)
    }
    pub fn call(&mut self, name: &str, args: &[Value], returns: &[Ty]) -> Vec<Value> {
        self.ins_full(
            Op::Call(name.to_string()),
            args.to_vec(),
            returns,
            Vec::new(),
        )
    }

    /// A call whose error stays in the slot for the caller's `except` clauses.
    pub fn call_catching(&mut self, name: &str, args: &[Value], returns: &[Ty]) -> Vec<Value> {
        self.ins_full(
            Op::CallCatch(name.to_string()),
            args.to_vec(),
            returns,
            Vec::new(),
        )
    }

    pub fn jump(&mut self, block: Block, args: &[Value]) {
        let target = BlockCall {
            block,
            args: args.to_vec(),
        };
        self.ins_full(Op::Jump, Vec::new(), &[], vec![target]);
    }
    pub fn brif(
        &mut self,
        cond: Value,
        then: Block,
        then_args: &[Value],
        els: Block,
        else_args: &[Value],
    ) {
        let targets = vec![
            BlockCall {
                block: then,
                args: then_args.to_vec(),
            },
            BlockCall {
                block: els,
                args: else_args.to_vec(),
            },
        ];
        self.ins_full(Op::Brif, vec![cond], &[], targets);
    }
    pub fn ret(&mut self, values: &[Value]) {
        self.ins_full(Op::Return, values.to_vec(), &[], Vec::new());
    }
    pub fn raise(&mut self, error: ErrorId, args: &[Value]) {
        self.ins_full(Op::Raise(error), args.to_vec(), &[], Vec::new());
    }
}
