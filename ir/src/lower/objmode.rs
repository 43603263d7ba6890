//! Lowering of `with objmode(y='f8'):` blocks: a call into the interpreter.
//!
//! The block is registered with whoever compiles (the Python extension, through
//! [`super::LowerContext::objmode`]), which makes it a Python function of the block's inputs
//! and gives it an id. The compiled code stores the inputs' flattened values into a stack
//! buffer of `u64` slots (the entry ABI's layout, `runtime::abi`), calls
//! `RuntimeFn::ObjModeCall` with the id and an output buffer, raises if the block raised, and
//! reads the declared outputs back from the output buffer into their variables.

use super::{LResult, Lowerer, unsupported};
use crate::function::{IntCC, Op, Ty};
use crate::lower::PyValue;
use crate::lower::flatten::ir_types;
use frontend::ast::{ObjModeBlock, Stmt};
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::Type;

/// What the compiler hands the interpreter's side for one objmode block.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjModeRequest {
    /// The block's body, dedented (see `frontend::ast::ObjModeBlock::body_source`).
    pub body_source: String,
    /// The variables passed in, in slot order.
    pub inputs: Vec<(String, Type)>,
    /// The declared outputs, in slot order.
    pub outputs: Vec<(String, Type)>,
    /// The function the block is in and the block's line, for tracebacks.
    pub function: String,
    pub line: u32,
}

/// Bytes of one flattened slot in the input and output buffers.
const SLOT: i32 = 8;

impl Lowerer<'_, '_> {
    pub(crate) fn lower_objmode(&mut self, stmt: &Stmt, block: &ObjModeBlock) -> LResult<()> {
        if self.in_parallel_body {
            let message = "an objmode block inside a prange loop is not supported: the \
                           interpreter runs one thread at a time";
            return Err(unsupported(message, stmt.span)
                .with_hint("move the block out of the parallel loop"));
        }
        self.check_not_in_try("an objmode block", stmt.span)?;
        let Some(register) = self.ctx.objmode else {
            let message = "objmode blocks need the Python interpreter: they are not supported \
                           here (ahead-of-time builds, the Rust embedding API)";
            return Err(unsupported(message, stmt.span));
        };
        let typing = self
            .typed
            .objmode
            .get(&typeinfer::objmode_key(stmt))
            .cloned()
            .unwrap_or_default();
        let (line, _) = self.ctx.source.file_position(stmt.span);
        let request = ObjModeRequest {
            body_source: block.body_source.clone(),
            inputs: typing.inputs.clone(),
            outputs: typing.outputs.clone(),
            function: self.ctx.python_name.clone(),
            line,
        };
        let id = register(&request).map_err(|why| unsupported(why, stmt.span))?;

        let mut inputs = Vec::new();
        for (name, _) in &typing.inputs {
            inputs.extend(self.read_var(name)?.flat_values());
        }
        let input_buffer = self.slot_buffer(inputs.len());
        for (k, value) in inputs.into_iter().enumerate() {
            self.b.store(input_buffer, value, SLOT * k as i32);
        }
        let output_types: Vec<Ty> = typing
            .outputs
            .iter()
            .flat_map(|(_, t)| ir_types(t))
            .collect();
        let output_buffer = self.slot_buffer(output_types.len());
        let id = self.b.iconst(Ty::I64, id as i64);
        let status = self
            .b
            .call_runtime(RuntimeFn::ObjModeCall, &[id, input_buffer, output_buffer]);
        let zero = self.b.iconst(Ty::I64, 0);
        let failed = self.b.icmp(IntCC::Ne, status, zero);
        let message = runtime::objmode::RAISED_IN_BLOCK;
        self.raise_if(failed, ExceptionKind::RuntimeError, message, stmt.span, &[]);

        let mut loaded = output_types
            .iter()
            .enumerate()
            .map(|(k, &ty)| self.b.load(ty, output_buffer, SLOT * k as i32, false))
            .collect::<Vec<_>>()
            .into_iter();
        for (name, ty) in &typing.outputs {
            let value = PyValue::from_flat(ty, &mut loaded);
            self.write_var(name, value);
        }
        Ok(())
    }

    /// A stack buffer of `slots` eight-byte slots (at least one, so it has an address).
    fn slot_buffer(&mut self, slots: usize) -> crate::function::Value {
        let bytes = (slots.max(1) as u32) * SLOT as u32;
        self.b.ins(Op::StackSlot(bytes), &[], Ty::Ptr)
    }
}
