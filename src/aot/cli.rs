//! The `ferrojit` command line (shared by the `ferrojit` binary and `python -m ferrojit`).
//!
//! ```text
//! ferrojit build MODULE.py [--export NAME[:SIGNATURE]]... [--out-dir DIR] [--name NAME]
//!                [--cpu generic|native] [--c-only | --python-only] [--python PYTHON]
//!                [--boundscheck] [--fastmath] [--error-model python|numpy]
//! ```

use super::{BuildError, BuildOptions, CpuFeatures, ExportRequest, Outputs, build};
use std::path::PathBuf;

pub const USAGE: &str = "\
usage: ferrojit build MODULE.py [options]

Compiles functions of a Python module ahead of time into a C shared library (lib<name>.so and
<name>.h) and a CPython extension module (<name><EXT_SUFFIX>) that imports with only NumPy.

Exports come from --export options and from functions decorated with
@ferrojit.export('f8(f8[:])') (several signatures per function are allowed).

options:
  --export NAME[:SIGNATURE]  export function NAME with a signature in Numba's grammar, e.g.
                             --export 'total:f8(f8[:])'; repeat for more signatures or
                             functions; without a signature, the function's own @export or
                             @jit signatures are used
  --out-dir DIR              where to write the outputs (default: the current directory)
  --name NAME                library and module name (default: the file's stem)
  --cpu generic|native       CPU features the code may use (default: generic, runs anywhere)
  --c-only                   only the shared library and its header
  --python-only              only the Python extension module
  --python PYTHON            interpreter (with numpy) to build the extension for
                             (default: $PYTHON, else python3)
  --boundscheck              check array indices (raise IndexError)
  --fastmath                 allow floating-point reassociation
  --error-model MODEL        python (default: raise ZeroDivisionError) or numpy (inf/nan)
  -h, --help                 this message
  --version                  ferrojit's version

environment:
  FERROJIT_RUNTIME_LIB       the runtime archive to link (default: the one shipped with
                             ferrojit, or built next to this binary by cargo)
  CC                         the C compiler (default: cc)
";

/// A parsed `ferrojit build` command line.
#[derive(Debug)]
pub struct BuildCommand {
    pub module: PathBuf,
    pub exports: Vec<ExportRequest>,
    pub options: BuildOptions,
}

/// Parses the arguments after `build`.
pub fn parse_build_args(
    args: &[String],
    default_python: Option<&str>,
) -> Result<BuildCommand, String> {
    let mut options = BuildOptions::default();
    if let Some(python) = default_python {
        options.python = python.to_string();
    }
    let mut module = None;
    let mut exports: Vec<ExportRequest> = Vec::new();
    let mut c_only = false;
    let mut python_only = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| iter.next().cloned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag {
            "--export" => {
                let spec = value("--export")?;
                let (function, signature) = match spec.split_once(':') {
                    Some((f, s)) => (f.trim().to_string(), Some(s.trim().to_string())),
                    None => (spec.trim().to_string(), None),
                };
                match exports.iter_mut().find(|e| e.function == function) {
                    Some(e) => e.signatures.extend(signature),
                    None => exports.push(ExportRequest {
                        function,
                        signatures: signature.into_iter().collect(),
                    }),
                }
            }
            "--out-dir" | "-o" => options.out_dir = PathBuf::from(value("--out-dir")?),
            "--name" => options.name = Some(value("--name")?),
            "--cpu" => {
                options.cpu = match value("--cpu")?.as_str() {
                    "generic" => CpuFeatures::Generic,
                    "native" => CpuFeatures::Native,
                    other => return Err(format!("--cpu must be generic or native, not {other}")),
                }
            }
            "--c-only" => c_only = true,
            "--python-only" => python_only = true,
            "--python" => options.python = value("--python")?,
            "--boundscheck" => options.options.boundscheck = true,
            "--fastmath" => options.options.fastmath = true,
            "--error-model" => {
                options.options.numpy_error_model = match value("--error-model")?.as_str() {
                    "python" => false,
                    "numpy" => true,
                    other => {
                        return Err(format!(
                            "--error-model must be python or numpy, not {other}"
                        ));
                    }
                }
            }
            other if other.starts_with('-') => return Err(format!("unknown option {other}")),
            path => {
                if module.replace(PathBuf::from(path)).is_some() {
                    return Err("give exactly one module file".to_string());
                }
            }
        }
    }
    if c_only && python_only {
        return Err("--c-only and --python-only exclude each other".to_string());
    }
    options.outputs = Outputs {
        c_library: !python_only,
        python_extension: !c_only,
    };
    let module = module.ok_or("missing the module file to build")?;
    Ok(BuildCommand {
        module,
        exports,
        options,
    })
}

/// Runs a command line (`args` without the program name); returns the exit status. Output goes
/// to stdout, errors to stderr. `default_python` is the interpreter to build extensions for
/// when `--python` is not given (`python -m ferrojit` passes its own).
pub fn main(args: &[String], default_python: Option<&str>) -> i32 {
    main_with_runtime(args, default_python, &[])
}

/// [`main`], looking for the runtime archive in `runtime_search` first (the Python package
/// passes its own directory, where the wheel carries the archive; see `super::archive`).
pub fn main_with_runtime(
    args: &[String],
    default_python: Option<&str>,
    runtime_search: &[PathBuf],
) -> i32 {
    match args.first().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            if args.is_empty() { 2 } else { 0 }
        }
        Some("--version") => {
            println!("ferrojit {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Some("build") => {
            if args[1..].iter().any(|a| a == "-h" || a == "--help") {
                print!("{USAGE}");
                return 0;
            }
            let mut command = match parse_build_args(&args[1..], default_python) {
                Ok(c) => c,
                Err(message) => {
                    eprintln!("ferrojit build: {message}\n\n{USAGE}");
                    return 2;
                }
            };
            command.options.runtime_search = runtime_search.to_vec();
            match build(&command.module, &command.exports, &command.options) {
                Ok(report) => {
                    for (name, signatures) in &report.exports {
                        println!("exported {name}: {}", signatures.join("; "));
                    }
                    for file in &report.files {
                        println!("wrote {}", file.display());
                    }
                    0
                }
                Err(BuildError::Usage(message)) => {
                    eprintln!("ferrojit build: {message}");
                    2
                }
                Err(error) => {
                    eprintln!("ferrojit build: error: {error}");
                    1
                }
            }
        }
        Some(other) => {
            eprintln!("ferrojit: unknown command `{other}`\n\n{USAGE}");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &[&str]) -> Vec<String> {
        text.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn build_arguments_parse() {
        let c = parse_build_args(
            &args(&[
                "m.py",
                "--export",
                "f:f8(f8[:])",
                "--export=f:f4(f4[:])",
                "--export",
                "g",
                "--out-dir",
                "out",
                "--cpu",
                "native",
                "--c-only",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(c.module, PathBuf::from("m.py"));
        assert_eq!(c.exports[0].signatures, ["f8(f8[:])", "f4(f4[:])"]);
        assert!(c.exports[1].signatures.is_empty());
        assert_eq!(c.options.out_dir, PathBuf::from("out"));
        assert_eq!(c.options.cpu, CpuFeatures::Native);
        assert!(c.options.outputs.c_library && !c.options.outputs.python_extension);
        assert!(parse_build_args(&args(&["m.py", "--c-only", "--python-only"]), None).is_err());
        assert!(parse_build_args(&args(&["--cpu", "x", "m.py"]), None).is_err());
        assert!(parse_build_args(&args(&[]), None).is_err());
    }
}
