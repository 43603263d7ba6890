//! `runtime`: what compiled code and its callers agree on at run time.
//!
//! - [`array`]: the `#[repr(C)]` array descriptor ABI (data pointer, owner, shape, strides).
//! - [`error`]: the error channel through which compiled code raises Python exceptions.
//! - [`alloc`]: memory for arrays created by compiled code, owned by the call's arena.
//! - [`list`]: the typed, growable list header and the helpers that resize it.
//! - [`text`]: strings (lists of code points): literals, comparison, joining, formatting.
//! - [`dict`]: hash tables for dicts and sets.
//! - [`object`]: reference-counted `@jitclass` instances and the memory their array fields keep.
//! - [`math`]: the math and helper functions compiled code calls, by registered symbol name.
//! - [`abi`]: the uniform entry-point calling convention used by dispatchers.
//! - [`linalg`]: matrix products, `solve`, `inv`, `det` on the `faer` crate.
//! - [`lapack`]: LAPACK's QR-iteration SVD, symmetric and general eigensolvers for small
//!   matrices, step by step, so singular vectors and eigenvectors get NumPy's signs (and
//!   eigenvalues NumPy's order).
//! - [`random`]: per-thread Mersenne Twister streams for `np.random` and `random`.
//! - [`sorting`]: NumPy's sorting and selection (`np.sort`, `argsort`, `partition`, `unique`).
//! - [`radix`]: the radix sort behind `sorting`'s sorts and argsorts of large numeric buffers.
//! - [`simd_sort`]: the AVX-512 quicksort behind `sorting`'s unstable sorts of 32- and 64-bit
//!   numbers, on CPUs that have it.
//! - [`parallel`]: the parallel loop driver behind `prange` (its own small thread pool).
//! - [`reduce`]: whole-array sums and dot products that compiled reduction loops call.
//! - [`fill_copy`]: the fills and forward-order copies that compiled `a[i] = x` and
//!   `out[i] = a[i]` loops call.
//! - [`fold`]: element-wise folds (stencils, weighted windows) that compiled vector loops
//!   hand over, at 512 bits.
//! - [`exports`]: the unmangled symbols of the static archive that `ferrojit build` links.
//!
//! Invariants: no dependency on the compiler crates, on pyo3, or on anything heavy (faer for dense
//! linear algebra); every layout
//! here is `#[repr(C)]` and described by constants that code generators use, so a change of
//! layout is a change in one place.

pub mod abi;
pub mod alloc;
pub mod array;
pub mod cmath;
pub mod config;
pub mod dict;
pub mod error;
pub mod exports;
pub mod fill_copy;
pub mod fold;
#[cfg(target_arch = "x86_64")]
mod fold_jit;
pub mod int_fold;
pub mod lapack;
pub mod linalg;
pub mod list;
pub mod math;
pub mod object;
pub mod objmode;
pub mod parallel;
pub mod print;
pub mod radix;
pub mod random;
pub mod random_gen;
pub mod random_gen_choice;
pub mod random_gen_tables;
pub mod random_legacy;
pub mod random_multi;
pub mod reduce;
pub mod simd_sort;
pub mod sorting;
pub mod stack;
pub mod str_methods;
#[cfg(test)]
mod test_support;
pub mod text;
