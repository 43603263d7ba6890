//! Shared test helpers: finding and running `ptxas`, reading the kernel cases of
//! `tests/cases/*.ir`, the generated every-op module, and argument values for launches.
#![allow(dead_code, reason = "each test file uses a different subset")]

pub mod coverage;
pub mod values;

use backend_gpu::{KernelArg, KernelSpec, PtxOptions};
use ir::Ty;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Env: path of the `ptxas` binary to use.
pub const PTXAS_ENV: &str = "FERROJIT_PTXAS";
/// Env: `1` makes a missing `ptxas` a test failure instead of a skip (CI sets it).
pub const REQUIRE_PTXAS_ENV: &str = "FERROJIT_REQUIRE_PTXAS";

/// The targets every generated module must assemble for, with the PTX version used for each.
pub const TARGETS: [&str; 3] = ["sm_70", "sm_80", "sm_90"];

fn env_on(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("backend-gpu sits in the workspace")
        .to_path_buf()
}

/// `ptxas`: `$FERROJIT_PTXAS`, else the one of the `nvidia-cuda-nvcc-cu12` wheel, looked up
/// through the workspace's `.venv` Python, then through `python3`.
fn find_ptxas() -> Option<PathBuf> {
    if let Ok(path) = std::env::var(PTXAS_ENV) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let script = "import os, nvidia.cuda_nvcc as m; \
                  print(os.path.join(list(m.__path__)[0], 'bin', 'ptxas'))";
    let venv = workspace_root().join(".venv/bin/python");
    let pythons = [venv.to_string_lossy().into_owned(), "python3".to_string()];
    pythons.iter().find_map(|python| {
        let out = Command::new(python).args(["-c", script]).output().ok()?;
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        (out.status.success() && path.is_file()).then_some(path)
    })
}

/// The `ptxas` to validate with; `None` (after printing why) if there is none and it is not
/// required. Panics when `FERROJIT_REQUIRE_PTXAS=1` and none is found.
pub fn ptxas() -> Option<&'static Path> {
    static PTXAS: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = PTXAS.get_or_init(find_ptxas).as_deref();
    if found.is_none() {
        assert!(
            !env_on(REQUIRE_PTXAS_ENV),
            "ptxas not found and {REQUIRE_PTXAS_ENV}=1: install the `nvidia-cuda-nvcc-cu12` \
             wheel into the workspace's .venv or set {PTXAS_ENV}"
        );
        eprintln!("skipping: ptxas not found (set {PTXAS_ENV} or install nvidia-cuda-nvcc-cu12)");
    }
    found
}

/// The PTX with line numbers, for failure messages.
pub fn numbered(text: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| format!("{:5} | {l}\n", i + 1))
        .collect()
}

/// Assembles `ptx` for `gpu` with `ptxas`; `Err` holds ptxas' message and the numbered PTX.
pub fn assemble(ptxas: &Path, label: &str, ptx: &str, gpu: &str) -> Result<(), String> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let file = std::env::temp_dir().join(format!("ferrojit-{}-{n}.ptx", std::process::id()));
    std::fs::write(&file, ptx).map_err(|e| format!("writing {}: {e}", file.display()))?;
    let out = Command::new(ptxas)
        .args(["--gpu-name", gpu, "-o", "/dev/null"])
        .arg(&file)
        .output();
    let _ = std::fs::remove_file(&file);
    let out = out.map_err(|e| format!("running {}: {e}", ptxas.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ptxas --gpu-name {gpu} rejected {label} ({}):\n{}{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            numbered(ptx)
        ))
    }
}

/// Options for `target` (its lowest PTX version), with `fastmath` as given.
pub fn options(target: &str, fastmath: bool) -> PtxOptions {
    PtxOptions {
        fastmath,
        ..PtxOptions::for_target(target)
    }
}

/// How a kernel test fills an input.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    /// Special values and random bits.
    Any,
    /// Uniform in `lo..hi`.
    Range(f64, f64),
    /// One value for a scalar input.
    Value(f64),
}

/// A kernel of a case file, with how to fill its inputs.
#[derive(Clone, Debug)]
pub struct Case {
    pub spec: KernelSpec,
    pub domains: Vec<Domain>,
}

/// A `tests/cases` file: its module and the kernels of its `; kernel:` lines.
pub struct CaseFile {
    pub name: String,
    pub module: ir::Module,
    pub cases: Vec<Case>,
}

/// Reads every `tests/cases/*.ir`, parsed and verified.
pub fn case_files() -> Vec<CaseFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/cases exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ir"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no .ir files in {}", dir.display());
    paths
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(path).unwrap();
            let module = ir::parse::parse_module(&text).unwrap_or_else(|e| panic!("{name}:{e}"));
            ir::verify::verify_module(&module).unwrap_or_else(|e| panic!("{name}: {e}"));
            let cases = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("; kernel:"))
                .map(|l| parse_kernel(l).unwrap_or_else(|e| panic!("{name}: `{l}`: {e}")))
                .collect();
            CaseFile {
                name,
                module,
                cases,
            }
        })
        .collect()
}

/// Parses `NAME = @FUNC(ARG, ...) -> TY` where `ARG` is `array TY [in LO..HI]` or
/// `scalar TY = VALUE`.
pub fn parse_kernel(line: &str) -> Result<Case, String> {
    let (name, rest) = line.split_once('=').ok_or("expected `NAME = @FUNC(...)`")?;
    let rest = rest.trim().strip_prefix('@').ok_or("expected `@FUNC`")?;
    let (func, rest) = rest.split_once('(').ok_or("expected `(`")?;
    let (args, output) = rest.rsplit_once(')').ok_or("expected `)`")?;
    let output = output
        .trim()
        .strip_prefix("->")
        .ok_or("expected `-> TY`")?
        .trim();
    let ty = |s: &str| Ty::from_name(s.trim()).ok_or(format!("unknown type `{s}`"));
    let number = |s: &str| s.trim().parse::<f64>().map_err(|e| format!("`{s}`: {e}"));
    let mut inputs = Vec::new();
    let mut domains = Vec::new();
    for arg in args.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        if let Some(rest) = arg.strip_prefix("array ") {
            let (t, domain) = match rest.split_once(" in ") {
                Some((t, range)) => {
                    let (lo, hi) = range.split_once("..").ok_or("expected `LO..HI`")?;
                    (t, Domain::Range(number(lo)?, number(hi)?))
                }
                None => (rest, Domain::Any),
            };
            inputs.push(KernelArg::Array { ty: ty(t)? });
            domains.push(domain);
        } else if let Some(rest) = arg.strip_prefix("scalar ") {
            let (t, value) = rest.split_once('=').ok_or("expected `scalar TY = VALUE`")?;
            inputs.push(KernelArg::Scalar { ty: ty(t)? });
            domains.push(Domain::Value(number(value)?));
        } else {
            return Err(format!("expected `array` or `scalar`: `{arg}`"));
        }
    }
    let spec = KernelSpec {
        name: name.trim().to_string(),
        scalar_fn: func.trim().to_string(),
        inputs,
        output: ty(output)?,
    };
    Ok(Case { spec, domains })
}
