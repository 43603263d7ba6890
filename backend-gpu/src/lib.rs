//! `backend-gpu`: IR → PTX for NVIDIA GPUs, loaded and launched through the CUDA driver.
//!
//! Its one job is to run the same verified IR the CPU backend consumes on a GPU: [`ptx`]
//! translates an `ir::Module` plus a list of ufunc-style [`KernelSpec`]s into PTX text written
//! by ferrojit itself (no NVVM, no CUDA toolkit), and [`device`] loads that text with the
//! driver's JIT and launches it.
//!
//! Invariants and promises:
//!
//! - **PTX generation never needs CUDA installed.** [`emit_module`] is pure Rust; its output is
//!   validated in tests with `ptxas` (see README.md), not with a GPU.
//! - **This is the only crate that links cudarc**, and no cudarc type leaves it: the driver is
//!   reached only through [`device`], whose errors are rendered into [`GpuError`].
//! - **No panics at the boundary.** Without a driver or a device every entry point of
//!   [`device`] returns [`GpuError::Unavailable`] (cudarc panics when `libcuda` is missing, so
//!   the probe is contained and its answer cached); malformed IR is a [`GpuError`].
//! - **Same meaning as the CPU backend**: exact float arithmetic (no FMA contraction, no
//!   flush-to-zero), the same error codes (1 + index into the module-wide error table) and the
//!   same `runtime::error::ErrorSlot` layout.
//! - The backend knows nothing about Python or the front end: it sees only IR and `runtime`.

pub mod device;
mod error;
pub mod ptx;

pub use device::{DeviceBuffer, GpuModule, KernelArgValue, is_available, unavailable_reason};
pub use error::GpuError;
pub use ptx::{
    KernelArg, KernelSpec, MathLibrary, PtxModule, PtxOptions, compile_ptx, emit_module,
};
