//! The crate's error type: everything that can go wrong between IR and a finished launch.
//!
//! cudarc's error types stay inside the crate: driver errors are rendered to text here, so
//! callers never see a cudarc type.

use runtime::error::{ERROR_ARGS, ErrorInfo};

/// Why PTX could not be generated, loaded or run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    /// The IR uses something this backend does not translate (yet), such as a math function
    /// without a GPU implementation.
    #[error("not supported by the GPU backend: {0}")]
    Unsupported(String),
    /// The IR is malformed (what the verifier would reject) in a way the emitter noticed.
    #[error("function `{function}`: {message}")]
    InvalidIr { function: String, message: String },
    /// A [`crate::KernelSpec`] does not fit its scalar function, or names clash.
    #[error("kernel `{kernel}`: {message}")]
    InvalidKernel { kernel: String, message: String },
    /// The arguments of a launch do not fit the kernel (count, types, buffer sizes).
    #[error("launch of `{kernel}`: {message}")]
    InvalidLaunch { kernel: String, message: String },
    /// A host-side argument is wrong (a buffer of the wrong size, …).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// No usable CUDA driver or device; the text says why.
    #[error("no CUDA device available: {0}")]
    Unavailable(String),
    /// The CUDA driver reported an error (loading the PTX, allocating, copying, launching).
    #[error("CUDA driver error while {during}: {message}")]
    Driver { during: String, message: String },
    /// The kernel raised a Python exception (the first thread to fail wins).
    #[error("{}: {} (in {} at {}:{})", info.kind.name(), info.format(args), info.function, info.line, info.col)]
    Raised {
        /// The nonzero code from the error slot: 1 + index into the module's error table.
        code: u32,
        info: ErrorInfo,
        args: [i64; ERROR_ARGS],
    },
    /// A bug in this crate, caught instead of panicking.
    #[error("internal error in the GPU backend: {0}")]
    Internal(String),
}

impl GpuError {
    pub(crate) fn invalid(function: &str, message: impl Into<String>) -> GpuError {
        GpuError::InvalidIr {
            function: function.to_string(),
            message: message.into(),
        }
    }
    pub(crate) fn kernel(kernel: &str, message: impl Into<String>) -> GpuError {
        GpuError::InvalidKernel {
            kernel: kernel.to_string(),
            message: message.into(),
        }
    }
}

/// The text of a caught panic's payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}
