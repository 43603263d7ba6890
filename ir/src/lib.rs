//! `ir`: ferrojit's typed SSA intermediate representation, its passes, and lowering into it.
//!
//! - [`function`]: the data (values, blocks with parameters, instructions, functions, modules).
//! - [`builder`]: a cursor for appending instructions.
//! - [`print`] / [`parse`]: the text form (`v3`, `block2`); the parser reads what the printer
//!   writes, so passes are tested with small golden files.
//! - [`verify`]: the verifier; its module doc lists every invariant it checks.
//! - [`passes`]: optimisation passes (constant folding, DCE, CFG simplification, LICM, …).
//! - [`inline`]: inlining of calls between the functions of a module.
//! - [`kernels`]: IR builders for loops NumPy drives around a compiled kernel (ufunc inner loops).
//! - [`mathlib`]: `sin`, `exp`, `pow`, … written once as IR functions (no runtime calls), for
//!   backends without a libm such as the GPU's.
//! - [`lower`]: typed AST (`frontend` + `typeinfer`) → IR, where Python semantics are expanded
//!   into machine-level operations.
//!
//! Invariants: depends on nothing heavy (no Cranelift, pyo3 or cudarc); backends see only
//! verified IR whose types are all concrete machine types.

pub mod builder;
pub mod function;
pub mod inline;
pub mod kernels;
pub mod lower;
pub mod mathlib;
pub mod parse;
pub mod passes;
pub mod print;
pub mod verify;

pub use builder::Builder;
pub use function::*;
