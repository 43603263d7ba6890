//! Running the system C compiler: shared libraries from Cranelift objects plus generated C.
//!
//! The compiler is `$CC` if set, else `cc`. Every output is written under a temporary name in
//! its destination directory and renamed into place, so a reader never sees half a file and
//! concurrent builders never corrupt each other's output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a native build step failed.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(
        "no C compiler: `{command}` could not be run ({reason}); install gcc or clang, or set CC"
    )]
    NoCompiler { command: String, reason: String },
    #[error("`{command}` failed:\n{output}")]
    Failed { command: String, output: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl LinkError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> LinkError {
        let context = context.into();
        move |source| LinkError::Io { context, source }
    }
}

/// The C compiler command (`$CC`, split on whitespace, or `cc`).
pub fn c_compiler() -> Vec<String> {
    let cc = std::env::var("CC").unwrap_or_default();
    let words: Vec<String> = cc.split_whitespace().map(str::to_string).collect();
    if words.is_empty() {
        vec!["cc".to_string()]
    } else {
        words
    }
}

/// Whether the C compiler runs (probed once per process).
pub fn c_compiler_available() -> Result<(), LinkError> {
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    let cc = c_compiler();
    PROBE
        .get_or_init(|| {
            Command::new(&cc[0])
                .args(&cc[1..])
                .arg("--version")
                .output()
                .map_err(|e| e.to_string())
                .and_then(|out| {
                    if out.status.success() {
                        Ok(())
                    } else {
                        Err(format!("exit status {}", out.status))
                    }
                })
        })
        .clone()
        .map_err(|reason| LinkError::NoCompiler {
            command: cc.join(" "),
            reason,
        })
}

/// Linker flag refusing undefined symbols in a shared library (so that a missing runtime
/// helper fails the build, not the load); empty where the linker has no such flag.
pub const NO_UNDEFINED: &str = if cfg!(target_os = "linux") {
    "-Wl,--no-undefined"
} else {
    ""
};

/// What to compile and link into one shared library.
#[derive(Default)]
pub struct SharedLibrary<'a> {
    /// Object files and C sources, in link order.
    pub inputs: Vec<PathBuf>,
    pub include_dirs: Vec<PathBuf>,
    /// Extra flags (`-fvisibility=hidden`, ...).
    pub flags: Vec<&'a str>,
    /// Extra libraries (`m` for libm is always linked).
    pub libraries: Vec<&'a str>,
    /// The runtime's static archive (see `super::archive`): linked after the inputs, with its
    /// symbols hidden in the output and unreferenced code dropped.
    pub runtime_archive: Option<PathBuf>,
}

/// Compiles and links `lib` into `output` (written to a temporary file, then renamed).
pub fn link_shared(lib: &SharedLibrary<'_>, output: &Path) -> Result<(), LinkError> {
    c_compiler_available()?;
    let dir = output.parent().unwrap_or(Path::new("."));
    let temp = unique_temp_path(dir, output);
    let cc = c_compiler();
    let mut command = Command::new(&cc[0]);
    command.args(&cc[1..]);
    command.args(["-shared", "-fPIC", "-O2", "-std=c99", "-ffp-contract=off"]);
    if cfg!(target_os = "macos") {
        command.args(["-undefined", "dynamic_lookup"]);
    }
    command.args(lib.flags.iter().filter(|f| !f.is_empty()));
    for dir in &lib.include_dirs {
        command.arg("-I").arg(dir);
    }
    if lib.runtime_archive.is_some() {
        // One section per C function, so that the linker drops forwarding functions (and the
        // runtime code behind them) that no compiled code calls.
        command.args(["-ffunction-sections", "-fdata-sections"]);
    }
    command.args(&lib.inputs);
    command.arg("-o").arg(&temp);
    if let Some(archive) = &lib.runtime_archive {
        if cfg!(target_os = "macos") {
            command.arg("-Wl,-dead_strip");
        } else {
            // The runtime's symbols stay inside the library: two libraries in one process keep
            // their own runtimes, and only the library's API is exported.
            // Debug information of the runtime (tens of MB in a debug build) is not shipped.
            command.args([
                "-Wl,--gc-sections",
                "-Wl,--exclude-libs,ALL",
                "-Wl,--strip-debug",
            ]);
        }
        command.arg(archive);
        for l in super::archive::NATIVE_LIBRARIES {
            command.arg(format!("-l{l}"));
        }
    }
    for l in &lib.libraries {
        command.arg(format!("-l{l}"));
    }
    command.arg("-lm");
    let result = run(&mut command);
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
        return result;
    }
    std::fs::rename(&temp, output).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        LinkError::Io {
            context: format!("renaming {} to {}", temp.display(), output.display()),
            source: e,
        }
    })
}

/// Runs `command`, turning a failure into [`LinkError::Failed`] with its output.
pub fn run(command: &mut Command) -> Result<(), LinkError> {
    let shown = format!("{command:?}").replace('"', "");
    let out = command.output().map_err(|e| LinkError::NoCompiler {
        command: shown.clone(),
        reason: e.to_string(),
    })?;
    if out.status.success() {
        return Ok(());
    }
    let mut output = String::from_utf8_lossy(&out.stderr).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stdout));
    Err(LinkError::Failed {
        command: shown,
        output,
    })
}

/// A path in `dir` no other thread or process will pick: `.{name}.{pid}.{n}.tmp`.
pub fn unique_temp_path(dir: &Path, target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    dir.join(format!(".{name}.{}.{n}.{nanos}.tmp", std::process::id()))
}

/// Writes `bytes` to `path` atomically (temporary file in the same directory, then rename).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), LinkError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let temp = unique_temp_path(dir, path);
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        LinkError::Io {
            context: format!("writing {}", path.display()),
            source: e,
        }
    })
}

/// A scratch directory removed when dropped (for object files and generated C).
pub struct ScratchDir {
    pub path: PathBuf,
}

impl ScratchDir {
    /// A new directory inside `parent` (created if needed).
    pub fn new_in(parent: &Path) -> Result<ScratchDir, LinkError> {
        std::fs::create_dir_all(parent)
            .map_err(LinkError::io(format!("creating {}", parent.display())))?;
        let path = unique_temp_path(parent, Path::new("ferrojit-build"));
        std::fs::create_dir(&path)
            .map_err(LinkError::io(format!("creating {}", path.display())))?;
        Ok(ScratchDir { path })
    }

    /// Writes `bytes` to `name` inside the directory and returns its path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, LinkError> {
        let path = self.path.join(name);
        std::fs::write(&path, bytes)
            .map_err(LinkError::io(format!("writing {}", path.display())))?;
        Ok(path)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if !runtime::config::env().keep_build {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Where a Python interpreter keeps what an extension module is built against.
#[derive(Clone, Debug)]
pub struct PythonConfig {
    pub include_dir: PathBuf,
    pub numpy_include_dir: PathBuf,
    /// `.cpython-311-x86_64-linux-gnu.so` and the like.
    pub ext_suffix: String,
}

/// Asks `python` (an interpreter with numpy) for its include directories and suffix.
pub fn python_config(python: &str) -> Result<PythonConfig, LinkError> {
    let script = "import sysconfig, numpy\n\
                  print(sysconfig.get_paths()['include'])\n\
                  print(numpy.get_include())\n\
                  print(sysconfig.get_config_var('EXT_SUFFIX') or '.so')\n";
    let out = Command::new(python)
        .args(["-c", script])
        .output()
        .map_err(|e| LinkError::NoCompiler {
            command: python.to_string(),
            reason: format!("{e}; pass --python with an interpreter that has numpy"),
        })?;
    if !out.status.success() {
        return Err(LinkError::Failed {
            command: format!("{python} -c <query include dirs>"),
            output: format!(
                "{}\n(the interpreter needs numpy installed; pass --python to choose another)",
                String::from_utf8_lossy(&out.stderr)
            ),
        });
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let mut next = || lines.next().unwrap_or("").trim().to_string();
    Ok(PythonConfig {
        include_dir: PathBuf::from(next()),
        numpy_include_dir: PathBuf::from(next()),
        ext_suffix: next(),
    })
}
