//! `typeinfer`: gives every expression and variable of a [`frontend::ast::Function`] a [`Type`].
//!
//! Inputs are the AST, the argument types (from an explicit signature, see [`signature`], or
//! from Python values at call time), and an [`Env`] that answers questions about the function's
//! globals. The output, [`TypedFunction`], is a side table keyed by [`ExprId`] plus what each
//! global name, attribute and call refers to ([`Resolution`]).
//!
//! Invariants:
//! - Typing rules live here and only here ([`rules`]); lowering asks the same functions rather
//!   than re-deriving promotions.
//! - On success every expression that is evaluated has a concrete type; no "unknown" escapes.
//! - A variable has one type for the whole function (Numba's unification: int then float gives
//!   float); the lowering inserts the conversions.
//! - Errors are [`Diagnostic`]s of kind `Typing` or `Unsupported` with the span of the exact
//!   sub-expression and the types involved.

pub mod classes;
pub mod conversion;
pub mod elementwise;
mod infer;
pub mod intrinsics;
pub mod numpy;
pub mod random_dists;
pub mod random_generator;
pub mod rules;
pub mod signature;
pub mod types;

pub use conversion::{Conversion, conversion};
pub use infer::numpy_shape::transpose_axes;
pub use infer::objmode_key;
pub use infer::strings::format_pieces;
pub use intrinsics::{CmathFn, Intrinsic};
pub use numpy::{ArrayEffect, ArrayFn};
pub use signature::{Signature, parse_signature, parse_signatures, parse_type};
pub use types::{Layout, Scalar, Type};

use frontend::Diagnostic;
use frontend::ast::{ExprId, Function};
use std::collections::{BTreeMap, HashMap};

/// Opaque handle of another jitted function, issued by the [`Env`] (the driver keeps the table).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CalleeId(pub u32);

/// A compile-time constant: a module-level number or tuple frozen at compile time, or a literal.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Complex(f64, f64),
    Tuple(Vec<ConstValue>),
    /// A module-level NumPy array, frozen (copied) at compile time and read-only.
    Array(std::sync::Arc<ConstArray>),
    /// A string: a module-level `str`, or a dtype's `kind`/`name`.
    Str(String),
}

/// The elements of a frozen global array: a C-contiguous copy in memory that never moves, so
/// compiled code may refer to it by address for as long as the compiled function holds it.
pub struct ConstArray {
    pub dtype: Scalar,
    pub shape: Vec<i64>,
    /// The elements in C order, in 8-byte aligned storage; `nbytes` of it are used.
    words: Box<[u64]>,
    nbytes: usize,
    /// The array descriptor compiled code reads, laid out by the code generator on first use
    /// (typeinfer does not know the ABI) and never changed afterwards.
    descriptor: std::sync::OnceLock<Box<[u64]>>,
}

impl PartialEq for ConstArray {
    fn eq(&self, other: &ConstArray) -> bool {
        self.dtype == other.dtype && self.shape == other.shape && self.bytes() == other.bytes()
    }
}

impl ConstArray {
    /// Copies `bytes` (the elements in C order, native byte order) of an array of `shape`.
    pub fn new(dtype: Scalar, shape: Vec<i64>, bytes: &[u8]) -> ConstArray {
        let mut words = vec![0u64; bytes.len().div_ceil(8)].into_boxed_slice();
        for (word, chunk) in words.iter_mut().zip(bytes.chunks(8)) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            *word = u64::from_ne_bytes(buf);
        }
        ConstArray {
            dtype,
            shape,
            words,
            nbytes: bytes.len(),
            descriptor: std::sync::OnceLock::new(),
        }
    }

    /// Address of the array's descriptor, made by `layout` on first use: the same for every
    /// use, stable and unchanging while `self` lives.
    pub fn descriptor_address(&self, layout: impl FnOnce(&ConstArray) -> Vec<u64>) -> usize {
        let words = self
            .descriptor
            .get_or_init(|| layout(self).into_boxed_slice());
        words.as_ptr() as usize
    }

    /// Global arrays are frozen copies: read-only in compiled code, as in Numba.
    pub fn ty(&self) -> Type {
        Type::readonly_array(self.dtype, self.shape.len() as u8, Layout::C)
    }

    /// The elements' bytes.
    pub fn bytes(&self) -> &[u8] {
        let all: &[u8] = as_bytes(&self.words);
        &all[..self.nbytes]
    }

    /// Address of the first element (stable while `self` lives).
    pub fn data_address(&self) -> usize {
        self.words.as_ptr() as usize
    }

    /// Byte strides of the C-contiguous layout.
    pub fn strides(&self) -> Vec<i64> {
        let mut strides = vec![0; self.shape.len()];
        let mut step = self.dtype.size_bytes() as i64;
        for (stride, extent) in strides.iter_mut().zip(&self.shape).rev() {
            *stride = step;
            step *= (*extent).max(1);
        }
        strides
    }
}

/// The bytes of `words`, in memory order.
fn as_bytes(words: &[u64]) -> &[u8] {
    // Reading `u64`s as bytes is always valid: every bit pattern is a valid `u8`.
    // SAFETY: the slice covers exactly the words' memory, which `u8` needs no alignment for.
    unsafe { std::slice::from_raw_parts(words.as_ptr().cast::<u8>(), std::mem::size_of_val(words)) }
}

impl std::fmt::Debug for ConstArray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "array({}, shape {:?}, {} bytes)",
            self.dtype, self.shape, self.nbytes
        )
    }
}

impl ConstValue {
    pub fn ty(&self) -> Type {
        match self {
            ConstValue::Bool(_) => Type::BOOL,
            ConstValue::Int(_) => Type::I64,
            ConstValue::Float(_) => Type::F64,
            ConstValue::Complex(..) => Type::C128,
            ConstValue::Tuple(items) => Type::Tuple(items.iter().map(ConstValue::ty).collect()),
            ConstValue::Array(array) => array.ty(),
            ConstValue::Str(_) => Type::Str,
        }
    }
}

/// Python modules a function may refer to by a global name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ModuleKind {
    Math,
    Cmath,
    Numpy,
    /// `ferrojit` itself (for `ferrojit.prange`) — also `numba`, so unchanged kernels compile.
    Ferrojit,
    /// Python's `random` module.
    Random,
}

/// What a global name of the function refers to, as the [`Env`] reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum GlobalValue {
    Const(ConstValue),
    Module(ModuleKind),
    /// A function imported by name, e.g. `from math import sqrt` → `Intrinsic(Sqrt)`.
    Intrinsic(Intrinsic),
    /// Another jitted function.
    Jit(CalleeId),
    /// A built-in exception class such as `ValueError`.
    ExceptionClass(String),
    /// A NumPy scalar type used as a function or dtype (`np.float32`).
    Dtype(Scalar),
    /// `ferrojit.typed.List` (or `numba.typed.List`): the typed list class.
    TypedList,
    /// `ferrojit.typed.Dict` (or `numba.typed.Dict`): the typed dict class.
    TypedDict,
    /// Another Python module (a user's `config`), by the name it is reached through: its
    /// attributes are globals too, looked up as `"config.THRESHOLD"` by
    /// [`Env::lookup_global`] and frozen at compile time like other globals.
    PyModule(String),
    /// A `@jitclass` class: calling it makes an instance (through its constructor, see
    /// [`Env::class_constructor`]); its attributes are its static methods.
    JitClass {
        class: u64,
        name: String,
    },
    /// The allocator of a `@jitclass` class's constructor: calling it with no arguments makes
    /// an instance whose fields are zero (its `__init__` runs next).
    NewObject {
        class: u64,
        name: String,
    },
    /// Anything else; the string names its Python type for the error message.
    Unsupported(String),
}

/// Answers questions about the world outside the function being typed.
pub trait Env {
    /// The value of a global (module-level) name, or `None` if undefined.
    /// Builtins (`range`, `abs`, …) are resolved by typeinfer itself when this returns `None`.
    fn lookup_global(&self, name: &str) -> Option<GlobalValue>;
    /// Infers the return type of jitted function `callee` called with `args`; `Ok(None)` when
    /// it is not known yet because `callee` is being inferred further up the call chain (a
    /// recursive call). The call's statement then waits ([`Inference::Recursive`]).
    fn callee_return_type(
        &mut self,
        callee: CalleeId,
        args: &[Type],
    ) -> Result<Option<Type>, Diagnostic>;
    /// The jitted function behind the inner function `name` visible in the function being
    /// typed (one of its inner `def`s, or, in an inner function, itself or a sibling), with
    /// the variables passed after the written arguments (see [`inner_captures`]); `None`
    /// where there is none or inner functions are not supported.
    fn inner_function(&self, name: &str) -> Option<(CalleeId, Vec<String>)> {
        let _ = name;
        None
    }
    /// What attribute `name` of an instance of `@jitclass` class `class` is; `None` if the
    /// class has no such attribute.
    fn class_member(&mut self, class: u64, name: &str) -> Option<crate::classes::ClassMember> {
        let _ = (class, name);
        None
    }
    /// The jitted constructor of `@jitclass` class `class`: its parameters are `__init__`'s
    /// after `self`, and it returns the new instance.
    fn class_constructor(&mut self, class: u64) -> Option<CalleeId> {
        let _ = class;
        None
    }
    /// The size in bytes of an instance of `@jitclass` class `class`.
    fn class_size(&self, class: u64) -> Option<i64> {
        let _ = class;
        None
    }
    /// The number of parameters of jitted function `callee`, to check calls against.
    /// A method `name` the extension API gave values of type `receiver`
    /// (`@overload_method`): a callee taking the receiver as its first argument. Asked only
    /// for names that are not built-in methods.
    fn method_overload(&self, receiver: &Type, name: &str) -> Option<CalleeId> {
        let _ = (receiver, name);
        None
    }
    fn callee_arity(&self, callee: CalleeId) -> Option<usize> {
        let _ = callee;
        None
    }
    /// The parameters of jitted function `callee` (names, kinds, defaults), to bind a call's
    /// keyword arguments, defaults and `*args` against; `None` when unknown (then calls pass
    /// exactly one positional argument per parameter).
    fn callee_params(&self, callee: CalleeId) -> Option<Vec<frontend::ast::Param>> {
        let _ = callee;
        None
    }
    /// `callee` with the parameters marked in `omitted` (one flag per parameter) taking their
    /// default values instead of arguments: another jitted function, whose parameters are the
    /// others. `None` when that cannot be made.
    fn callee_with_defaults(&mut self, callee: CalleeId, omitted: &[bool]) -> Option<CalleeId> {
        let _ = (callee, omitted);
        None
    }
    /// The jitted function behind a function value of identity `id` (`Type::Function`).
    fn function_value(&mut self, id: u64) -> Option<CalleeId> {
        let _ = id;
        None
    }
    /// Jitted function `callee` as a value: its identity and name (for `Type::Function`).
    fn function_identity(&mut self, callee: CalleeId) -> Option<(u64, String)> {
        let _ = callee;
        None
    }
    /// The argument types `callee` is compiled for when called with `args`: its declared
    /// signature's when it has explicit signatures (the caller converts to them), else `args`.
    fn callee_arg_types(&mut self, callee: CalleeId, args: &[Type]) -> Result<Vec<Type>, String> {
        let _ = callee;
        Ok(args.to_vec())
    }
}

/// Where the value of one parameter of a called jitted function comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgSource {
    /// The `i`-th positional argument written at the call.
    Positional(usize),
    /// The `i`-th keyword argument written at the call.
    Keyword(usize),
    /// `*args`: a tuple of these positional arguments.
    Packed(Vec<usize>),
}

/// What a name, attribute or call expression refers to, when it is not an ordinary value.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution {
    /// A compile-time constant (global number, `math.pi`, a global tuple).
    Const(ConstValue),
    /// A module (`math`, `np`); only meaningful as the base of an attribute.
    Module(ModuleKind),
    /// A call of a built-in or library function; recorded on the `Call` expression.
    Intrinsic(Intrinsic),
    /// A conversion to a scalar type: `int(x)`, `float(x)`, `complex(x, y)`, `np.float32(x)`,
    /// `bool(x)`; recorded on the `Call` expression.
    Cast(Scalar),
    /// A call of another jitted function; recorded on the `Call` expression, with the argument
    /// types the callee was specialized for (the caller converts to them).
    JitCall {
        callee: CalleeId,
        arg_types: Vec<Type>,
        ret: Type,
        /// For an inner function: the caller's variables passed after the written arguments
        /// (see [`inner_captures`]); `arg_types` covers them too.
        captures: Vec<String>,
        /// Where each parameter's value comes from (before the captures); parameters that take
        /// their defaults are not parameters of `callee` (see [`Env::callee_with_defaults`]).
        binding: Vec<ArgSource>,
    },
    /// A call of a NumPy array function or method; recorded on the `Call` expression. The
    /// arguments bind by `ArrayFn::bind`; a method's array is the callee's attribute base.
    ArrayCall(ArrayFn),
    /// An exception class in `raise X(...)`; recorded on the class expression.
    ExceptionClass(String),
    /// The name of an intrinsic/dtype/jitted function before it is called; recorded on the
    /// callee expression so lowering can skip it.
    Callee,
    /// A method call `x.name(args)` on a value (`z.conjugate()`); recorded on the `Call`
    /// expression. The receiver `x` is the intrinsic's first argument.
    Method(Intrinsic),
    /// A new list: `list(...)`, `List(...)`, `List.empty_list(t)`; recorded on the `Call`
    /// expression, whose type is the list's. The optional argument is an iterable to copy.
    NewList,
    /// `sorted(iterable)`: a new list, as [`Resolution::NewList`], then sorted in place.
    SortedList,
    /// A method `x.name(args)` of a list, dict or set (`append`, `get`, `add`, ...); recorded
    /// on the `Call` expression.
    ListMethod(String),
    /// A new dict or set: `dict()`, `Dict()`, `Dict.empty(...)`, `set()`, `set(iterable)`;
    /// recorded on the `Call` expression, whose type says which.
    NewDict,
    /// `str()` / `str(x)`; recorded on the `Call` expression.
    StrOf,
    /// A field of a `@jitclass` instance at byte `offset` of the object; recorded on the
    /// `Attribute` expression (read, or assignment target).
    Field { offset: i32, ty: Type },
    /// A method call `obj.name(args)` of a `@jitclass` instance: the call's `JitCall` takes
    /// the receiver `obj` first; recorded on the callee (`Attribute`) expression.
    ReceiverFirst,
    /// A new `@jitclass` object of `size` bytes with zero fields; recorded on the `Call`
    /// expression of the constructor's allocator.
    NewObject { class: u64, size: i64 },
    /// `ord(c)` or `chr(n)` (by name); recorded on the `Call` expression.
    CharCode(String),
    /// The items `t[0]`, ..., `t[n-1]` a starred call argument `*t` stands for (new
    /// expressions, typed); recorded on the `Starred` argument.
    Spread(Vec<frontend::ast::Expr>),
}

/// The result of type inference for one function specialization.
#[derive(Clone, Debug, PartialEq)]
pub struct TypedFunction {
    pub arg_types: Vec<Type>,
    pub return_type: Type,
    /// Type of each expression, indexed by [`ExprId`]; `None` for expressions that are not
    /// values (module names, callees, exception classes, slice parts handled structurally).
    pub expr_types: Vec<Option<Type>>,
    /// Type of every local variable (parameters included).
    pub var_types: BTreeMap<String, Type>,
    pub resolutions: HashMap<ExprId, Resolution>,
    /// The variables passed into and out of each `with objmode(...)` block, by the block's
    /// starting line and column (`infer::objmode_key`).
    pub objmode: HashMap<(u32, u32), ObjModeTyping>,
}

/// What crosses the boundary of one objmode block, in order: the locals it reads (boxed for
/// the interpreter) and its declared outputs (unboxed with a check).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjModeTyping {
    pub inputs: Vec<(String, Type)>,
    pub outputs: Vec<(String, Type)>,
}

impl TypedFunction {
    /// The type of an expression that must have one (a value).
    pub fn expr_type(&self, id: ExprId) -> Option<&Type> {
        self.expr_types.get(id.index()).and_then(Option::as_ref)
    }
}

/// Types `func` for arguments `arg_types`. `declared_return` comes from an explicit signature
/// (`f8(f8)`, `void(...)`); the inferred return type must convert to it.
pub fn infer_function(
    func: &Function,
    arg_types: &[Type],
    declared_return: Option<&Type>,
    env: &mut dyn Env,
) -> Result<TypedFunction, Diagnostic> {
    match infer_recursive(func, arg_types, declared_return, env)? {
        Inference::Typed(typed) => Ok(typed),
        Inference::Recursive { waiting, .. } => Err(waiting),
    }
}

/// The outcome of typing a function that may be part of a recursion.
#[derive(Clone, Debug, PartialEq)]
pub enum Inference {
    Typed(TypedFunction),
    /// Some call's result is not known yet ([`Env::callee_return_type`] said `None`): the
    /// caller (the driver) should assume a return type for the function being inferred and
    /// type it again — Numba's approach to recursion. `known_return` unifies the returns that
    /// do not depend on the unknown call (`None` if there are none); `waiting` says where the
    /// unknown call is, for the error when no assumption can be made.
    Recursive {
        known_return: Option<Type>,
        waiting: Diagnostic,
    },
}

/// Like [`infer_function`], but reports a pending recursive call as [`Inference::Recursive`].
pub fn infer_recursive(
    func: &Function,
    arg_types: &[Type],
    declared_return: Option<&Type>,
    env: &mut dyn Env,
) -> Result<Inference, Diagnostic> {
    infer::infer_function(func, arg_types, declared_return, env)
}

/// The variable a typing error says was given two types that do not unify (`hist` in
/// "variable 'hist' has incompatible types ..."), so the driver can split it into versions.
pub fn incompatible_variable(diagnostic: &Diagnostic) -> Option<&str> {
    infer::incompatible_variable(diagnostic)
}

/// The variables of `outer` that its inner function `inner` reads (Python's closure
/// variables): names `inner` reads but does not bind, bound in `outer`. Capture is read-only
/// and by value at the time of the call: they are passed as extra arguments after the
/// declared ones.
pub fn inner_captures(outer: &Function, inner: &Function) -> Vec<String> {
    infer::inner_captures(outer, inner)
}

/// Renders the typed function for `FERROJIT_DUMP=types`: one line per variable and the return.
pub fn dump_types(func: &Function, typed: &TypedFunction) -> String {
    let mut out = format!("types of {}:\n", func.name);
    for (name, ty) in &typed.var_types {
        out.push_str(&format!("  {name}: {ty}\n"));
    }
    out.push_str(&format!("  return: {}\n", typed.return_type));
    out
}
