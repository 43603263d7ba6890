//! The IR's data: entities (`v3`, `block2`), types, instructions and functions.
//!
//! A [`Function`] owns arenas of blocks, instructions and values. Every block ends with exactly
//! one terminator; values are defined once, either as a block parameter or as an instruction
//! result (SSA with block parameters, as in Cranelift). Types are machine-level: signless
//! integers, floats, bool and pointers — Python-level types (complex, tuples, arrays) are
//! flattened by lowering, which keeps backends small and identical in meaning.

use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use std::fmt;

/// An SSA value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(pub u32);
/// A basic block.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Block(pub u32);
/// An instruction.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Inst(pub u32);

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}
impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "block{}", self.0)
    }
}

/// Machine-level value types. Integers are signless; operations say how they interpret bits.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    /// Result of comparisons and condition of branches (stored as one byte 0/1).
    Bool,
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
    /// A pointer (64-bit on every supported target): array descriptors, data addresses.
    Ptr,
    // 128-bit vectors (made only by the loop vectorizer, `passes::vectorize`): an operation on
    // vectors is the scalar operation applied to each lane.
    F64X2,
    F32X4,
    I64X2,
    I32X4,
    /// Vectors of 2- and 1-byte integers (`int16`/`uint16` audio, `uint8` images).
    I16X8,
    I8X16,
    /// Lane masks: what a comparison of `f64x2`/`i64x2` (`m64x2`) or `f32x4`/`i32x4` (`m32x4`)
    /// vectors defines; each lane is a bool (all bits set or clear in the backend).
    M64X2,
    M32X4,
    /// Masks of `i16x8` and `i8x16` comparisons. An `m8x16` is also what a `bool` array holds
    /// 16 elements of: loaded and stored as 16 bytes of 0/1.
    M16X8,
    M8X16,
}

impl Ty {
    /// A scalar integer or pointer (vectors of integers answer false: see [`Ty::lane`]).
    pub fn is_int(self) -> bool {
        matches!(self, Ty::I8 | Ty::I16 | Ty::I32 | Ty::I64 | Ty::Ptr)
    }
    /// A scalar float (vectors of floats answer false: see [`Ty::lane`]).
    pub fn is_float(self) -> bool {
        matches!(self, Ty::F32 | Ty::F64)
    }
    /// Width in bits (bool counts as 8, as stored; vectors 128).
    pub fn bits(self) -> u32 {
        match self {
            Ty::Bool | Ty::I8 => 8,
            Ty::I16 => 16,
            Ty::I32 | Ty::F32 => 32,
            Ty::I64 | Ty::F64 | Ty::Ptr => 64,
            Ty::F64X2
            | Ty::F32X4
            | Ty::I64X2
            | Ty::I32X4
            | Ty::I16X8
            | Ty::I8X16
            | Ty::M64X2
            | Ty::M32X4
            | Ty::M16X8
            | Ty::M8X16 => 128,
        }
    }
    pub fn is_vector(self) -> bool {
        self.lanes() > 1
    }
    /// The number of lanes (1 for a scalar).
    pub fn lanes(self) -> u32 {
        match self {
            Ty::F64X2 | Ty::I64X2 | Ty::M64X2 => 2,
            Ty::F32X4 | Ty::I32X4 | Ty::M32X4 => 4,
            Ty::I16X8 | Ty::M16X8 => 8,
            Ty::I8X16 | Ty::M8X16 => 16,
            _ => 1,
        }
    }
    /// The type of one lane (the type itself for a scalar; `bool` for a mask).
    pub fn lane(self) -> Ty {
        match self {
            Ty::F64X2 => Ty::F64,
            Ty::F32X4 => Ty::F32,
            Ty::I64X2 => Ty::I64,
            Ty::I32X4 => Ty::I32,
            Ty::I16X8 => Ty::I16,
            Ty::I8X16 => Ty::I8,
            Ty::M64X2 | Ty::M32X4 | Ty::M16X8 | Ty::M8X16 => Ty::Bool,
            t => t,
        }
    }
    /// The 128-bit vector of `self` lanes, if there is one (`f64`, `f32`, `i64`, `i32`, `i16`,
    /// `i8`; a `bool` in memory is a lane of `m8x16`).
    pub fn vector(self) -> Option<Ty> {
        Some(match self {
            Ty::F64 => Ty::F64X2,
            Ty::F32 => Ty::F32X4,
            Ty::I64 => Ty::I64X2,
            Ty::I32 => Ty::I32X4,
            Ty::I16 => Ty::I16X8,
            Ty::I8 => Ty::I8X16,
            Ty::Bool => Ty::M8X16,
            _ => return None,
        })
    }
    /// The vector of half as many lanes, each twice as wide, of an integer vector or mask
    /// (what [`Op::Widen`] defines); `None` for 64-bit lanes and other types.
    pub fn widened(self) -> Option<Ty> {
        Some(match self {
            Ty::I8X16 => Ty::I16X8,
            Ty::I16X8 => Ty::I32X4,
            Ty::I32X4 => Ty::I64X2,
            Ty::M8X16 => Ty::M16X8,
            Ty::M16X8 => Ty::M32X4,
            Ty::M32X4 => Ty::M64X2,
            _ => return None,
        })
    }
    /// The inverse of [`Ty::widened`] (what [`Op::Pack`] defines).
    pub fn packed(self) -> Option<Ty> {
        Some(match self {
            Ty::I16X8 => Ty::I8X16,
            Ty::I32X4 => Ty::I16X8,
            Ty::I64X2 => Ty::I32X4,
            Ty::M16X8 => Ty::M8X16,
            Ty::M32X4 => Ty::M16X8,
            Ty::M64X2 => Ty::M32X4,
            _ => return None,
        })
    }
    /// What a comparison of two values of this type defines: `bool` for scalars, the mask with
    /// as many lanes for vectors.
    pub fn compare_result(self) -> Ty {
        match self.lanes() {
            2 => Ty::M64X2,
            4 => Ty::M32X4,
            8 => Ty::M16X8,
            16 => Ty::M8X16,
            _ => Ty::Bool,
        }
    }
    /// A lane mask (`m64x2`, `m32x4`, `m16x8`, `m8x16`).
    pub fn is_mask(self) -> bool {
        matches!(self, Ty::M64X2 | Ty::M32X4 | Ty::M16X8 | Ty::M8X16)
    }
    pub fn name(self) -> &'static str {
        match self {
            Ty::Bool => "bool",
            Ty::I8 => "i8",
            Ty::I16 => "i16",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
            Ty::Ptr => "ptr",
            Ty::F64X2 => "f64x2",
            Ty::F32X4 => "f32x4",
            Ty::I64X2 => "i64x2",
            Ty::I32X4 => "i32x4",
            Ty::M64X2 => "m64x2",
            Ty::M32X4 => "m32x4",
            Ty::I16X8 => "i16x8",
            Ty::I8X16 => "i8x16",
            Ty::M16X8 => "m16x8",
            Ty::M8X16 => "m8x16",
        }
    }
    pub fn from_name(name: &str) -> Option<Ty> {
        [
            Ty::Bool,
            Ty::I8,
            Ty::I16,
            Ty::I32,
            Ty::I64,
            Ty::F32,
            Ty::F64,
            Ty::Ptr,
            Ty::F64X2,
            Ty::F32X4,
            Ty::I64X2,
            Ty::I32X4,
            Ty::M64X2,
            Ty::M32X4,
            Ty::I16X8,
            Ty::I8X16,
            Ty::M16X8,
            Ty::M8X16,
        ]
        .into_iter()
        .find(|t| t.name() == name)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Integer comparison conditions (`s`/`u` = signed/unsigned).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum IntCC {
    Eq,
    Ne,
    Slt,
    Sle,
    Sgt,
    Sge,
    Ult,
    Ule,
    Ugt,
    Uge,
}

/// Float comparison conditions. Ordered comparisons are false if either operand is NaN; `Ne`
/// is true when unordered (Python's `!=`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FloatCC {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// What an instruction does. Operands live in [`InstData::args`], branch targets in
/// [`InstData::targets`]; the result types are those of [`InstData::results`].
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    // Constants: the result type says how to read the immediate.
    /// Integer/pointer constant (bits truncated to the result type).
    Iconst(i64),
    /// Float constant (`f32` results are rounded from it).
    Fconst(f64),
    Bconst(bool),

    // Integer arithmetic (wrapping); both operands and the result have the same type.
    Iadd,
    Isub,
    Imul,
    /// Signed division truncating toward zero; the divisor must be nonzero and the pair not
    /// (MIN, -1) — lowering guards both.
    Sdiv,
    Udiv,
    /// Signed remainder with the sign of the dividend (C semantics).
    Srem,
    Urem,
    /// The high half of the double-width unsigned product (`(a * b) >> width`): division by
    /// a constant as a multiplication by its reciprocal (`passes/strength.rs`).
    Umulhi,
    Ineg,
    Band,
    Bor,
    Bxor,
    Bnot,
    /// The number of one bits (population count); the result has the operand's type.
    Popcnt,
    /// Shift amounts are taken modulo the width (lowering guards Python semantics).
    Ishl,
    Sshr,
    Ushr,
    /// Rotate right by the second operand modulo the width (PCG64's output permutation in
    /// `lower/random_gen_inline.rs`: one instruction where shifts take four).
    Rotr,
    Smin,
    Smax,
    Umin,
    Umax,
    /// Unsigned addition clamped at the largest value (`min(a + b, 2^w - 1)`), and
    /// subtraction clamped at zero (`max(a - b, 0)`): vectors of 8- and 16-bit lanes only
    /// (`paddus`/`psubus`), made by the vectorizer from their compare-and-select forms.
    UaddSat,
    UsubSat,
    Icmp(IntCC),

    // Float arithmetic (IEEE-754).
    Fadd,
    Fsub,
    Fmul,
    Fdiv,
    Fneg,
    Fabs,
    Sqrt,
    Floor,
    Ceil,
    Trunc,
    /// Round to nearest, ties to even.
    Nearest,
    /// `min`/`max` with NaN propagation.
    Fmin,
    Fmax,
    Copysign,
    /// `a * b + c` with one rounding (only emitted under fastmath or where exactness is kept).
    Fma,
    Fcmp(FloatCC),

    // Bool logic.
    /// `!b`
    Not,
    /// `b1 & b2` (non-short-circuit; lowering builds short-circuit control flow where needed).
    And,
    Or,

    // Conversions: operand type → result type.
    /// Sign-extend a narrower integer (or bool as 0/1) to a wider one.
    Sext,
    /// Zero-extend a narrower integer or a bool to a wider integer.
    Uext,
    /// Truncate to a narrower integer.
    Ireduce,
    /// Nonzero integer/float → true (`bool(x)`, truthiness).
    ToBool,
    Fpromote,
    Fdemote,
    /// Signed integer → float.
    SToF,
    /// Unsigned integer → float.
    UToF,
    /// Float → signed integer, truncating; saturates, NaN → 0 (lowering checks Python errors).
    FToS,
    /// Float → unsigned integer, truncating; saturates, NaN → 0.
    FToU,
    /// Reinterpret bits between an integer and a float type of the same width.
    Bitcast,

    /// `select cond, a, b` = `cond ? a : b`; on vectors `cond` is a mask (chosen per lane) or
    /// a bool (the whole vector).
    Select,
    /// A vector (the result type) with every lane equal to the scalar operand.
    Splat,
    /// Lane `n` of a vector operand (a scalar of its lane type; a mask's lane is a bool).
    ExtractLane(u8),
    /// The low (`high: false`) or high half of an integer vector's or mask's lanes, each
    /// extended to twice its width (sign- or zero-extended; a mask, sign-extended, stays a
    /// mask): `i8x16 → i16x8`, `i32x4 → i64x2`, `m8x16 → m16x8`. How the vectorizer meets a
    /// loop that mixes element widths (a byte compared, an `int64` count).
    Widen {
        signed: bool,
        high: bool,
    },
    /// The lanes of two integer vectors (or masks) of one type, each truncated to half its
    /// width (wrapping), in one vector: `args[0]`'s lanes, then `args[1]`'s (`i32x4, i32x4 →
    /// i16x8`). The inverse of the two halves of [`Op::Widen`].
    Pack,
    /// [`Op::Pack`] with every lane clamped to the narrow lane's signed range instead of
    /// truncated (x86's `packssdw`/`packsswb`, one instruction). The `strength` pass uses it for
    /// packs of lanes that provably fit, where both give the same bits.
    PackSat,

    // Memory.
    /// Load a value of the result type from `args[0] + offset`. `readonly`: the memory does not
    /// change during the function (array descriptors), so the load may be hoisted or merged.
    Load {
        offset: i32,
        readonly: bool,
    },
    /// Store `args[1]` at `args[0] + offset`.
    Store {
        offset: i32,
    },

    // Calls.
    /// Call a runtime function: math (pure), output or memory helpers (effects; see
    /// [`RuntimeFn::is_pure`]).
    CallRuntime(RuntimeFn),
    /// Call another compiled function of the same module by name; may raise (the backend
    /// propagates an error set by the callee).
    Call(String),
    /// Like `Call`, but an error the callee raises stays in the error slot for the caller to
    /// examine (`RuntimeFn::ErrorTag`: an `except` clause around the call) instead of being
    /// propagated by the backend. Never inlined.
    CallCatch(String),

    // Stack memory and parallel loops.
    /// The address (`ptr`) of a fresh stack area of this many bytes, 8-byte aligned, live until
    /// the function returns. Each execution of the instruction yields the same area.
    StackSlot(u32),
    /// Runs the chunk function named here over iterations `0..args[1]` on the runtime's
    /// threads (`runtime::parallel`): `args` = `[env: ptr, count: i64, out: ptr, out_stride:
    /// i64]`; the result (i64) is the number of chunks, each of which wrote its partial results
    /// at `out + chunk * out_stride`. The chunk function takes `(env: ptr, lo: i64, hi: i64,
    /// out: ptr)` and returns nothing. May raise (an error in any chunk propagates).
    ParallelFor(String),

    // Terminators.
    /// Unconditional jump to `targets[0]`.
    Jump,
    /// `args[0]` true → `targets[0]`, else `targets[1]`.
    Brif,
    /// Return `args` (matching the function's return types).
    Return,
    /// Raise error `id` of the function's error table with `args` (≤ 3 i64) as message
    /// arguments.
    Raise(ErrorId),
}

impl Op {
    /// The number of operands of a *value operation* — one result computed from its operands
    /// alone, which backends lower one to one; `None` for memory writes, calls, stack slots,
    /// parallel loops and terminators, which need special handling.
    pub fn value_operand_count(&self) -> Option<usize> {
        use Op::*;
        Some(match self {
            Iconst(_) | Fconst(_) | Bconst(_) => 0,
            Ineg | Bnot | Popcnt | Fneg | Fabs | Sqrt | Floor | Ceil | Trunc | Nearest | Not => 1,
            Load { .. } | Sext | Uext | Ireduce | ToBool | Fpromote | Fdemote | Splat => 1,
            ExtractLane(_) | Widen { .. } => 1,
            SToF | UToF | FToS | FToU | Bitcast => 1,
            Iadd | Isub | Imul | Sdiv | Udiv | Srem | Urem | Umulhi | Band | Bor | Bxor | Ishl
            | Sshr | Ushr | Rotr | Smin | Smax | Umin | Umax | UaddSat | UsubSat | Icmp(_)
            | Pack | PackSat => 2,
            Fadd | Fsub | Fmul | Fdiv | Fmin | Fmax | Copysign | Fcmp(_) | And | Or => 2,
            Fma | Select => 3,
            Store { .. }
            | CallRuntime(_)
            | Call(_)
            | CallCatch(_)
            | StackSlot(_)
            | ParallelFor(_)
            | Jump
            | Brif
            | Return
            | Raise(_) => return None,
        })
    }

    pub fn is_terminator(&self) -> bool {
        matches!(self, Op::Jump | Op::Brif | Op::Return | Op::Raise(_))
    }
    /// True if the instruction can be removed when its results are unused (no memory writes,
    /// no control effects, no possible error).
    pub fn is_pure(&self) -> bool {
        match self {
            Op::Store { .. }
            | Op::Call(_)
            | Op::CallCatch(_)
            | Op::StackSlot(_)
            | Op::ParallelFor(_) => false,
            Op::CallRuntime(f) => f.is_pure(),
            Op::Load { readonly, .. } => *readonly,
            op => !op.is_terminator(),
        }
    }
    /// True if the instruction may also be executed where the program would not have executed
    /// it (hoisted above a guard): pure and unable to trap. Integer division traps on zero.
    pub fn is_speculatable(&self) -> bool {
        self.is_pure()
            && !matches!(self, Op::Sdiv | Op::Udiv | Op::Srem | Op::Urem)
            // The string readers follow their pointers: above the guard of an optional
            // string (`if s is not None`) the pointer may be null. Interning a literal reads
            // only its constant bytes.
            && !matches!(self, Op::CallRuntime(f)
                if f.reads_strings_only() && *f != runtime::math::RuntimeFn::StrIntern)
    }
}

/// Index into [`Function::errors`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorId(pub u32);

/// A raise site: what to raise and where in the source it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorSite {
    pub kind: ExceptionKind,
    /// Message template; each `{}` takes the next `Raise` argument.
    pub message: String,
    pub line: u32,
    pub col: u32,
    /// The Python function the raise is written in (kept when the site is inlined elsewhere);
    /// empty when unknown.
    pub function: String,
}

/// A branch target: a block and the arguments for its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockCall {
    pub block: Block,
    pub args: Vec<Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InstData {
    pub op: Op,
    pub args: Vec<Value>,
    pub results: Vec<Value>,
    pub targets: Vec<BlockCall>,
    /// Source line/column (1-based) the instruction came from; 0 if none.
    pub line: u32,
    pub col: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BlockData {
    pub params: Vec<Value>,
    pub insts: Vec<Inst>,
}

/// Where a value comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ValueDef {
    Param(Block, u32),
    Result(Inst, u32),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ValueData {
    pub ty: Ty,
    pub def: ValueDef,
}

/// One function. The entry block is `layout[0]`; its parameters are the function's parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Function {
    pub name: String,
    pub params: Vec<Ty>,
    pub returns: Vec<Ty>,
    pub blocks: Vec<BlockData>,
    pub insts: Vec<InstData>,
    pub values: Vec<ValueData>,
    /// Blocks in program order; removed blocks are absent (their arena slot stays).
    pub layout: Vec<Block>,
    pub errors: Vec<ErrorSite>,
    /// For each parameter (by position), the rank of the array descriptor it points to, where
    /// lowering knows it (`ptr array1d` in the text form); a shorter list or `None`: unknown.
    /// Such a descriptor is valid to read for the whole call, and its `shape`/`strides` fields
    /// are at `runtime::array`'s offsets for that rank, so a pass may read an array's extent
    /// (`speculate_loads` checks that a loop's indices are within it).
    pub param_ranks: Vec<Option<u32>>,
}

impl Function {
    pub fn new(name: impl Into<String>, params: Vec<Ty>, returns: Vec<Ty>) -> Function {
        Function {
            name: name.into(),
            params,
            returns,
            ..Default::default()
        }
    }
    pub fn entry(&self) -> Option<Block> {
        self.layout.first().copied()
    }
    /// The rank of the array descriptor parameter `index` points to, if known.
    pub fn param_rank(&self, index: usize) -> Option<u32> {
        self.param_ranks.get(index).copied().flatten()
    }
    pub fn block(&self, b: Block) -> &BlockData {
        &self.blocks[b.0 as usize]
    }
    pub fn block_mut(&mut self, b: Block) -> &mut BlockData {
        &mut self.blocks[b.0 as usize]
    }
    pub fn inst(&self, i: Inst) -> &InstData {
        &self.insts[i.0 as usize]
    }
    pub fn inst_mut(&mut self, i: Inst) -> &mut InstData {
        &mut self.insts[i.0 as usize]
    }
    pub fn value_type(&self, v: Value) -> Ty {
        self.values[v.0 as usize].ty
    }
    pub fn value_def(&self, v: Value) -> ValueDef {
        self.values[v.0 as usize].def
    }
    /// The last instruction of `b`, if the block is terminated.
    pub fn terminator(&self, b: Block) -> Option<Inst> {
        let last = *self.block(b).insts.last()?;
        self.inst(last).op.is_terminator().then_some(last)
    }
    /// Blocks `b` may branch to, in target order.
    pub fn successors(&self, b: Block) -> Vec<Block> {
        match self.terminator(b) {
            Some(t) => self.inst(t).targets.iter().map(|c| c.block).collect(),
            None => Vec::new(),
        }
    }

    /// Creates a new block (not yet in the layout).
    pub fn create_block(&mut self) -> Block {
        self.blocks.push(BlockData::default());
        Block(self.blocks.len() as u32 - 1)
    }
    /// Appends a parameter of type `ty` to `block`.
    pub fn append_block_param(&mut self, block: Block, ty: Ty) -> Value {
        let index = self.block(block).params.len() as u32;
        let v = self.make_value(ty, ValueDef::Param(block, index));
        self.block_mut(block).params.push(v);
        v
    }
    fn make_value(&mut self, ty: Ty, def: ValueDef) -> Value {
        self.values.push(ValueData { ty, def });
        Value(self.values.len() as u32 - 1)
    }
    /// Creates an instruction (not placed in any block) with results of `result_types`.
    pub fn create_inst(
        &mut self,
        op: Op,
        args: Vec<Value>,
        result_types: &[Ty],
        targets: Vec<BlockCall>,
    ) -> Inst {
        let inst = Inst(self.insts.len() as u32);
        self.insts.push(InstData {
            op,
            args,
            results: Vec::new(),
            targets,
            line: 0,
            col: 0,
        });
        let results = result_types
            .iter()
            .enumerate()
            .map(|(i, &ty)| self.make_value(ty, ValueDef::Result(inst, i as u32)))
            .collect();
        self.inst_mut(inst).results = results;
        inst
    }
    /// Adds an error site and returns its id.
    pub fn add_error(&mut self, site: ErrorSite) -> ErrorId {
        if let Some(i) = self.errors.iter().position(|e| *e == site) {
            return ErrorId(i as u32);
        }
        self.errors.push(site);
        ErrorId(self.errors.len() as u32 - 1)
    }
}

/// A set of functions compiled together; calls name functions of the same module.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Module {
    pub functions: Vec<Function>,
}

impl Module {
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }
}
