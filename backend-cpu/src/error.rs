//! The backend's error type: everything that can go wrong between IR and machine code.
//!
//! Cranelift's own error types stay inside this crate: they are rendered to text here, so
//! callers see a message that names the function and, for verifier failures, shows the CLIF
//! with the offending instructions marked.

/// Why a module could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// An entry point was requested for a function the module does not contain.
    #[error("no function named `{0}` to make an entry point for")]
    UnknownEntry(String),
    /// Two functions of the module share a name.
    #[error("the module defines `{0}` more than once")]
    DuplicateFunction(String),
    /// The IR is malformed or uses a combination this backend does not translate.
    #[error("function `{function}`: {message}")]
    InvalidIr { function: String, message: String },
    /// Cranelift's verifier rejected the generated code; `report` is the CLIF with the errors
    /// marked, as printed by Cranelift.
    #[error("function `{function}`: Cranelift's verifier rejected the generated code:\n{report}")]
    Verifier { function: String, report: String },
    /// Cranelift failed to compile or link (a code-generation error, an unresolvable symbol).
    #[error("function `{function}`: Cranelift error: {message}")]
    Cranelift { function: String, message: String },
    /// Code generation panicked (inside Cranelift, or on IR whose arenas are inconsistent);
    /// `clif` is the function being compiled when it did (empty when the panic happened while
    /// linking the module).
    #[error("function `{function}`: code generation panicked: {message}\n{clif}")]
    Internal {
        function: String,
        message: String,
        clif: String,
    },
    /// The requested target or CPU configuration is not available.
    #[error("target: {0}")]
    Target(String),
}

impl BackendError {
    pub(crate) fn invalid(function: &str, message: impl Into<String>) -> BackendError {
        BackendError::InvalidIr {
            function: function.to_string(),
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
