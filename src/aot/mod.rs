//! Ahead-of-time compilation: a Python module's functions become a C shared library with a
//! header, and a CPython extension module that needs only NumPy at run time.
//!
//! The pipeline of [`build`]:
//!
//! 1. [`scan`] reads the module file without Python (top-level `def`s with their decorators,
//!    imports and constant assignments) and [`resolve`] answers the compiler's questions about
//!    global names from it (see those modules for what is understood);
//! 2. [`compile`] lowers each exported (function, signature) with the driver and compiles it
//!    with `backend_cpu::compile_object` into its own relocatable object;
//! 3. [`cgen`] writes the header (descriptor struct, error slot, each variant's uniform entry
//!    with its slot layout, typed wrappers) and the C glue (entries, wrappers, error tables);
//!    [`pyext`] writes the extension's C source (argument checks, dispatch between signatures,
//!    conversions, exceptions, boxing);
//! 4. [`link`] runs the system C compiler: the objects, the glue, [`runtime`]'s forwarding
//!    functions and the Rust runtime's static archive ([`archive`] finds it) make
//!    `lib<name>.so`; the same and the extension source, against Python's and NumPy's headers,
//!    make `<name><EXT_SUFFIX>`.
//!
//! Libraries run the JIT's own runtime (the archive's code, hidden inside each library), so
//! exported code may create and return arrays (the C caller frees them with
//! `<name>_release`), run `prange` loops on the runtime's thread pool, and call the NumPy
//! library (sorting, statistics, `np.linalg`, `np.random`). Limits: exported functions take
//! numbers, tuples and arrays, and return those or `None`; parameters have no defaults;
//! globals are understood as [`resolve`] describes — anything else must be passed as an
//! argument.

pub mod archive;
pub mod cgen;
pub mod cli;
pub mod compile;
pub mod link;
pub mod pyext;
pub mod resolve;
pub mod runtime;
pub mod scan;

pub use backend_cpu::CpuFeatures;
pub use compile::{CompiledExport, CompiledVariant, ExportRequest, compile_exports};
pub use link::{LinkError, PythonConfig};
pub use resolve::ModuleTable;
pub use scan::ScannedModule;

use crate::Options;
use frontend::Diagnostic;
use std::path::{Path, PathBuf};

/// Which artefacts to produce.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Outputs {
    /// `lib<name>.so` and `<name>.h`.
    pub c_library: bool,
    /// `<name><EXT_SUFFIX>`.
    pub python_extension: bool,
}

impl Default for Outputs {
    fn default() -> Self {
        Outputs {
            c_library: true,
            python_extension: true,
        }
    }
}

/// How to build.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// Name of the library and of the Python module (a C identifier); default: the file stem.
    pub name: Option<String>,
    pub out_dir: PathBuf,
    pub cpu: CpuFeatures,
    pub outputs: Outputs,
    /// Interpreter whose headers (and NumPy's) the extension is built against.
    pub python: String,
    /// Compilation options for every function (decorator keywords add to them).
    pub options: Options,
    /// Where to look first for the runtime archive (see [`archive`]).
    pub runtime_search: Vec<PathBuf>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            name: None,
            out_dir: PathBuf::from("."),
            cpu: CpuFeatures::Generic,
            outputs: Outputs::default(),
            python: std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string()),
            options: Options::default(),
            runtime_search: Vec::new(),
        }
    }
}

/// What a build produced.
#[derive(Clone, Debug)]
pub struct BuildReport {
    pub name: String,
    /// Files written, in order.
    pub files: Vec<PathBuf>,
    /// Each exported function with its compiled signatures.
    pub exports: Vec<(String, Vec<String>)>,
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A compile error in the module, rendered against its source.
    #[error("{0}")]
    Compile(#[from] Diagnostic),
    #[error("{0}")]
    Link(#[from] LinkError),
    #[error("{0}")]
    Usage(String),
}

/// The exports of `module`: `requested` (signatures may be empty: then the function's own
/// `@export`/`@jit` signatures are used) plus every function decorated with `@export(...)`.
pub fn collect_exports(
    module: &ScannedModule,
    requested: &[ExportRequest],
) -> Result<Vec<ExportRequest>, BuildError> {
    let mut out: Vec<ExportRequest> = Vec::new();
    let mut add = |function: &str, signatures: Vec<String>| match out
        .iter_mut()
        .find(|e| e.function == function)
    {
        Some(existing) => {
            for s in signatures {
                if !existing.signatures.contains(&s) {
                    existing.signatures.push(s);
                }
            }
        }
        None => out.push(ExportRequest {
            function: function.to_string(),
            signatures,
        }),
    };
    for f in &module.functions {
        let signatures = f.export_signatures();
        if !signatures.is_empty() {
            add(&f.name, signatures);
        }
    }
    for request in requested {
        let Some(index) = module.function_index(&request.function) else {
            let known: Vec<&str> = module.functions.iter().map(|f| f.name.as_str()).collect();
            return Err(BuildError::Usage(format!(
                "--export {}: {} has no top-level function of that name (it has: {})",
                request.function,
                module.filename,
                known.join(", ")
            )));
        };
        let mut signatures = request.signatures.clone();
        if signatures.is_empty() {
            let f = &module.functions[index];
            signatures = f.export_signatures();
            if signatures.is_empty() {
                signatures = f.jit_signatures();
            }
        }
        add(&request.function, signatures);
    }
    if out.is_empty() {
        return Err(BuildError::Usage(format!(
            "nothing to export from {}: pass --export 'name:f8(f8[:])' or decorate functions \
             with @ferrojit.export('f8(f8[:])')",
            module.filename
        )));
    }
    Ok(out)
}

fn valid_module_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The shared library's file name for `name` on this platform.
pub fn library_file_name(name: &str) -> String {
    if cfg!(target_os = "macos") {
        format!("lib{name}.dylib")
    } else if cfg!(windows) {
        format!("{name}.dll")
    } else {
        format!("lib{name}.so")
    }
}

/// Builds the exports of the module file at `path` (see the module doc).
pub fn build(
    path: &Path,
    requested: &[ExportRequest],
    opts: &BuildOptions,
) -> Result<BuildReport, BuildError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| BuildError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let filename = path.display().to_string();
    let name = match &opts.name {
        Some(name) => name.clone(),
        None => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    if !valid_module_name(&name) {
        return Err(BuildError::Usage(format!(
            "`{name}` cannot name a library and a Python module; pass --name with an identifier"
        )));
    }
    let scanned = ScannedModule::scan(&filename, &text);
    let exports = collect_exports(&scanned, requested)?;
    let table = ModuleTable::new(scanned, opts.options.clone());
    let compiled = compile_exports(&table, &exports, &name, opts.cpu)?;
    link_outputs(&name, &compiled, opts)
}

/// Writes and links the artefacts of compiled exports.
pub fn link_outputs(
    name: &str,
    compiled: &[CompiledExport],
    opts: &BuildOptions,
) -> Result<BuildReport, BuildError> {
    let out_dir = &opts.out_dir;
    let scratch = link::ScratchDir::new_in(out_dir)?;
    let header_name = format!("{name}.h");
    let header = cgen::header(name, compiled);
    scratch.write(&header_name, header.as_bytes())?;
    let glue = scratch.write(
        &format!("{name}_glue.c"),
        cgen::glue(name, compiled, &header_name).as_bytes(),
    )?;
    // Every runtime function gets a forwarding function (compiled with one section each, so the
    // linker keeps only those the objects call, and only the runtime code they reach).
    let imports: Vec<String> = runtime::runtime_symbols()
        .iter()
        .map(|s| s.name.to_string())
        .collect();
    let runtime_c = scratch.write(
        "ferrojit_runtime_imports.c",
        runtime::trampolines_c(&imports, runtime::Binding::Archive)
            .map_err(BuildError::Usage)?
            .as_bytes(),
    )?;
    let archive = archive::find_runtime_archive(&opts.runtime_search)?;
    let mut objects = Vec::new();
    for (i, variant) in compiled.iter().flat_map(|e| &e.variants).enumerate() {
        if let Some(unknown) = variant
            .runtime_imports
            .iter()
            .find(|import| !imports.contains(import))
        {
            return Err(BuildError::Usage(format!(
                "compiled code imports `{unknown}`, which the runtime does not provide"
            )));
        }
        objects.push(scratch.write(&format!("{name}_{i}.o"), &variant.object)?);
    }
    let mut files = Vec::new();
    if opts.outputs.c_library {
        let mut inputs = objects.clone();
        inputs.extend([glue.clone(), runtime_c.clone()]);
        let library = out_dir.join(library_file_name(name));
        link::link_shared(
            &link::SharedLibrary {
                inputs,
                include_dirs: vec![scratch.path.clone()],
                flags: vec![link::NO_UNDEFINED],
                runtime_archive: Some(archive.clone()),
                ..Default::default()
            },
            &library,
        )?;
        let header_path = out_dir.join(&header_name);
        link::write_atomically(&header_path, header.as_bytes())?;
        files.push(library);
        files.push(header_path);
    }
    if opts.outputs.python_extension {
        let config = link::python_config(&opts.python)?;
        let source = scratch.write(
            &format!("{name}_module.c"),
            pyext::extension_source(name, compiled, &header_name).as_bytes(),
        )?;
        let mut inputs = objects.clone();
        inputs.extend([glue, runtime_c, source]);
        let extension = out_dir.join(format!("{name}{}", config.ext_suffix));
        link::link_shared(
            &link::SharedLibrary {
                inputs,
                include_dirs: vec![
                    scratch.path.clone(),
                    config.include_dir.clone(),
                    config.numpy_include_dir.clone(),
                ],
                flags: vec!["-DFERROJIT_PYTHON_EXTENSION", "-fvisibility=hidden"],
                runtime_archive: Some(archive.clone()),
                ..Default::default()
            },
            &extension,
        )?;
        files.push(extension);
    }
    Ok(BuildReport {
        name: name.to_string(),
        files,
        exports: compiled
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    e.variants.iter().map(|v| v.signature.clone()).collect(),
                )
            })
            .collect(),
    })
}
