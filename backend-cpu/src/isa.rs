//! Target selection: the Cranelift ISA and flags every compilation uses.

use crate::BackendError;
use crate::object::CpuFeatures;
use cranelift_codegen::isa::{self, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use std::str::FromStr;
use target_lexicon::Triple;

/// Where the code will run: the triple (`None` = this machine) and which CPU features it may
/// assume.
pub(crate) struct TargetSpec<'a> {
    pub triple: Option<&'a str>,
    pub cpu: CpuFeatures,
    /// Position-independent code: required for objects linked into shared libraries; the JIT
    /// places code itself and uses absolute addresses.
    pub pic: bool,
}

/// Builds the ISA with `opt_level=speed`. Multiple return values beyond the registers the
/// calling convention provides go through an implicit return area
/// (`enable_multi_ret_implicit_sret`), so IR functions may return any number of scalars.
pub(crate) fn build_isa(spec: &TargetSpec<'_>) -> Result<OwnedTargetIsa, BackendError> {
    let mut flags = settings::builder();
    let set = |flags: &mut settings::Builder, name: &str, value: &str| {
        flags
            .set(name, value)
            .map_err(|e| BackendError::Target(format!("flag {name}={value}: {e}")))
    };
    set(&mut flags, "opt_level", "speed")?;
    set(
        &mut flags,
        "is_pic",
        if spec.pic { "true" } else { "false" },
    )?;
    set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
    // The JIT may place runtime helpers anywhere in the address space: no short-range calls.
    set(&mut flags, "use_colocated_libcalls", "false")?;

    let builder = match (spec.triple, spec.cpu) {
        (None, CpuFeatures::Native) => cranelift_native::builder()
            .map_err(|e| BackendError::Target(format!("host machine not supported: {e}")))?,
        (triple, CpuFeatures::Generic) => {
            let triple = match triple {
                None => Triple::host(),
                Some(text) => Triple::from_str(text).map_err(|e| {
                    BackendError::Target(format!("bad target triple `{text}`: {e}"))
                })?,
            };
            isa::lookup(triple.clone()).map_err(|e| {
                BackendError::Target(format!("no Cranelift backend for `{triple}`: {e}"))
            })?
        }
        (Some(text), CpuFeatures::Native) => {
            return Err(BackendError::Target(format!(
                "cannot detect native CPU features for the foreign target `{text}`; use CpuFeatures::Generic"
            )));
        }
    };
    builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| BackendError::Target(format!("building the ISA: {e}")))
}
