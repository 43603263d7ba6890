//! Compiling exports to object files: one relocatable object per (function, signature).
//!
//! Each variant is its own compile session and its own object (with its own error table), so
//! variants never share symbols: internal functions are local to their object, and entry
//! trampolines get a prefix unique within the module (`__ferrojit_<module>_<n>_`).

use super::resolve::ModuleTable;
use crate::{CompileRequest, DumpFlags, FunctionDef, lower_to_ir};
use backend_cpu::{CpuFeatures, ObjectOptions};
use frontend::{Diagnostic, DiagnosticKind};
use runtime::error::ErrorInfo;
use std::sync::Arc;
use typeinfer::{Layout, Type};

/// A function of the module to export, with its signatures (Numba's grammar).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRequest {
    pub function: String,
    pub signatures: Vec<String>,
}

/// One compiled signature of an exported function.
#[derive(Clone, Debug)]
pub struct CompiledVariant {
    /// `float64(array(float64, 1d, A))`.
    pub signature: String,
    /// Short C-identifier form of the signature: `f8_f8a` (see [`signature_tag`]).
    pub tag: String,
    pub arg_types: Vec<Type>,
    pub return_type: Type,
    /// The exported entry trampoline (uniform entry ABI).
    pub entry_symbol: String,
    pub object: Vec<u8>,
    pub errors: Vec<ErrorInfo>,
    /// Runtime helpers the object imports.
    pub runtime_imports: Vec<String>,
}

/// An exported function and its compiled signatures.
#[derive(Clone, Debug)]
pub struct CompiledExport {
    pub name: String,
    pub params: Vec<String>,
    pub filename: String,
    pub def_line: u32,
    pub variants: Vec<CompiledVariant>,
}

/// Compiles every requested export of `table` for `cpu`; `module` names the library.
pub fn compile_exports(
    table: &ModuleTable,
    requests: &[ExportRequest],
    module: &str,
    cpu: CpuFeatures,
) -> Result<Vec<CompiledExport>, Diagnostic> {
    let mut counter = 0usize;
    let mut out = Vec::new();
    for request in requests {
        let def = table.function(&request.function)?;
        if request.signatures.is_empty() {
            return Err(Diagnostic::new(
                DiagnosticKind::Signature,
                format!(
                    "export '{}' has no signature; give one as `--export '{}:f8(f8[:])'` or \
                     `@ferrojit.export('f8(f8[:])')`",
                    request.function, request.function
                ),
                None,
            ));
        }
        let scanned = &table.scanned.functions[table
            .scanned
            .function_index(&request.function)
            .expect("found above")];
        let mut variants: Vec<CompiledVariant> = Vec::new();
        for text in &request.signatures {
            let signature = crate::parse_signature(text).map_err(|mut d| {
                d.message = format!("export '{}': {}", request.function, d.message);
                d
            })?;
            let request = CompileRequest {
                def: def.clone(),
                arg_types: readonly_where_unwritten(&def, &signature.args, &signature.ret),
                declared_return: signature.ret.clone(),
                dump: DumpFlags::from_env(),
            };
            let lowered = lower_to_ir(&request, None)?;
            if contains_list(&lowered.return_type) || signature.args.iter().any(contains_list) {
                return Err(Diagnostic::new(
                    DiagnosticKind::Unsupported,
                    format!(
                        "export '{}': lists, strings and C pointers cannot cross an ahead-of-time \
                         library's boundary; pass and return arrays and numbers",
                        def.ast.name
                    ),
                    None,
                ));
            }
            let options = ObjectOptions {
                cpu,
                entry_prefix: format!("__ferrojit_{module}_{counter}_"),
                object_name: format!("{module}_{counter}"),
                ..ObjectOptions::default()
            };
            counter += 1;
            let entry = lowered.entry_symbol.as_str();
            let artifact = backend_cpu::compile_object(&lowered.module, &[entry], &options)
                .map_err(|e| {
                    Diagnostic::internal(format!("code generation failed: {e}"))
                        .with_source(&def.source)
                })?;
            let entry_symbol = artifact
                .entry_symbols
                .iter()
                .find(|(name, _)| name == entry)
                .map(|(_, symbol)| symbol.clone())
                .ok_or_else(|| Diagnostic::internal(format!("no entry symbol for {entry}")))?;
            // Names and signatures show the declared types; the read-only marks only decide
            // which arrays the extension accepts.
            let full_signature = format!(
                "{}({})",
                lowered.return_type,
                signature
                    .args
                    .iter()
                    .map(Type::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut tag = signature_tag(&lowered.return_type, &signature.args);
            if variants.iter().any(|v| v.tag == tag) {
                tag = format!("{tag}_{}", variants.len());
            }
            if variants.iter().any(|v| v.signature == full_signature) {
                continue; // the same signature given twice
            }
            variants.push(CompiledVariant {
                signature: full_signature,
                tag,
                arg_types: lowered.arg_types,
                return_type: lowered.return_type,
                entry_symbol,
                object: artifact.bytes,
                errors: artifact.errors,
                runtime_imports: artifact
                    .runtime_imports
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            });
        }
        out.push(CompiledExport {
            name: request.function.clone(),
            params: def.ast.params.iter().map(|p| p.name.clone()).collect(),
            filename: table.scanned.filename.clone(),
            def_line: scanned.def_line,
            variants,
        });
    }
    Ok(out)
}

/// Whether a list, a string or a C pointer (a `@cfunc` parameter type) occurs in `ty`.
fn contains_list(ty: &Type) -> bool {
    match ty {
        Type::List { .. }
        | Type::Str
        | Type::Dict { .. }
        | Type::Set { .. }
        | Type::CPointer(_)
        | Type::Instance { .. }
        | Type::Generator => true,
        // Optional returns are boxed by the JIT only.
        Type::Optional(_) => true,
        Type::Tuple(items) => items.iter().any(contains_list),
        _ => false,
    }
}

/// The export's argument types with every array parameter the function never writes into
/// marked read-only, so that the extension accepts read-only NumPy arrays there and refuses them
/// where the function writes. Typing decides (a probe compile with the parameter read-only), so
/// what counts as a write is typeinfer's one table of array effects, not a list kept here.
fn readonly_where_unwritten(
    def: &Arc<FunctionDef>,
    args: &[Type],
    declared_return: &Option<Type>,
) -> Vec<Type> {
    let mut types = args.to_vec();
    let probe = |types: &[Type]| {
        let request = CompileRequest {
            def: def.clone(),
            arg_types: types.to_vec(),
            declared_return: declared_return.clone(),
            dump: DumpFlags::default(),
        };
        lower_to_ir(&request, None).is_ok()
    };
    let all: Vec<Type> = types
        .iter()
        .map(|t| t.clone().with_readonly(true))
        .collect();
    if probe(&all) {
        return all;
    }
    for i in 0..types.len() {
        if types[i].is_array() {
            let mut trial = types.clone();
            trial[i] = trial[i].clone().with_readonly(true);
            if probe(&trial) {
                types = trial;
            }
        }
    }
    types
}

/// A short name for a type: `f8`, `f8a` (1-d, any layout), `f8a2c` (2-d, C order), `v` (none),
/// `t_i8_f8_` (a tuple).
pub fn type_tag(ty: &Type) -> String {
    match ty {
        Type::Scalar(s) => s.short_name().to_string(),
        Type::Array {
            dtype,
            ndim,
            layout,
            readonly,
        } => {
            let rank = if *ndim == 1 {
                String::new()
            } else {
                ndim.to_string()
            };
            let layout = match layout {
                Layout::A => "",
                Layout::C => "c",
                Layout::F => "f",
            };
            let mark = if *readonly { "r" } else { "" };
            format!("{}a{rank}{layout}{mark}", dtype.short_name())
        }
        Type::Tuple(items) => {
            let inner: Vec<String> = items.iter().map(type_tag).collect();
            format!("t_{}_", inner.join("_"))
        }
        Type::NoneType => "v".to_string(),
        Type::Optional(inner) => format!("o_{}_", type_tag(inner)),
        Type::Range => "range".to_string(),
        Type::Str => "str".to_string(),
        Type::List { item, typed } => {
            format!("{}_{}_", if *typed { "tl" } else { "l" }, type_tag(item))
        }
        Type::Dict { key, value, .. } => format!("d_{}_{}_", type_tag(key), type_tag(value)),
        Type::Set { item } => format!("s_{}_", type_tag(item)),
        Type::Unknown => "u".to_string(),
        Type::Function { name, .. } => format!("fn_{name}"),
        Type::DType(s) => format!("dtype_{}", s.short_name()),
        Type::CPointer(Some(s)) => format!("p_{}", s.short_name()),
        Type::CPointer(None) => "voidptr".to_string(),
        Type::Instance { name, .. } => format!("obj_{name}"),
        Type::Generator => "rng".to_string(),
    }
}

/// `f8(f8[:], i8)` → `f8_f8a_i8`: the return type's tag, then each argument's.
pub fn signature_tag(ret: &Type, args: &[Type]) -> String {
    std::iter::once(ret)
        .chain(args)
        .map(type_tag)
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_signatures() {
        let sig = crate::parse_signature("f8(f8[:], i8, f4[:, ::1], UniTuple(i8, 2))").unwrap();
        assert_eq!(
            signature_tag(sig.ret.as_ref().unwrap(), &sig.args),
            "f8_f8a_i8_f4a2c_t_i8_i8_"
        );
        let sig = crate::parse_signature("void(f8[::1, :])").unwrap();
        assert_eq!(
            signature_tag(sig.ret.as_ref().unwrap(), &sig.args),
            "v_f8a2f"
        );
    }
}
