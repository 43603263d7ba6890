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

mod infer;
pub mod intrinsics;
pub mod rules;
pub mod signature;
pub mod types;

pub use intrinsics::{CmathFn, Intrinsic};
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
}

impl ConstValue {
    pub fn ty(&self) -> Type {
        match self {
            ConstValue::Bool(_) => Type::BOOL,
            ConstValue::Int(_) => Type::I64,
            ConstValue::Float(_) => Type::F64,
            ConstValue::Complex(..) => Type::C128,
            ConstValue::Tuple(items) => Type::Tuple(items.iter().map(ConstValue::ty).collect()),
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
    /// Anything else; the string names its Python type for the error message.
    Unsupported(String),
}

/// Answers questions about the world outside the function being typed.
pub trait Env {
    /// The value of a global (module-level) name, or `None` if undefined.
    /// Builtins (`range`, `abs`, …) are resolved by typeinfer itself when this returns `None`.
    fn lookup_global(&self, name: &str) -> Option<GlobalValue>;
    /// Infers the return type of jitted function `callee` called with `args`.
    fn callee_return_type(&mut self, callee: CalleeId, args: &[Type]) -> Result<Type, Diagnostic>;
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
    },
    /// An exception class in `raise X(...)`; recorded on the class expression.
    ExceptionClass(String),
    /// The name of an intrinsic/dtype/jitted function before it is called; recorded on the
    /// callee expression so lowering can skip it.
    Callee,
    /// A method call `x.name(args)` on a value (`z.conjugate()`); recorded on the `Call`
    /// expression. The receiver `x` is the intrinsic's first argument.
    Method(Intrinsic),
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
    infer::infer_function(func, arg_types, declared_return, env)
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
