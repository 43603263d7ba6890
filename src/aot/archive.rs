//! Finding the runtime's static archive that `ferrojit build` links into every library.
//!
//! The `runtime` crate is also built as a `staticlib` (see `runtime::exports`). No Rust
//! toolchain runs at build time: the archive is found, in this order,
//!
//! 1. at `FERROJIT_RUNTIME_LIB` (a file), when set;
//! 2. as `libferrojit_runtime.a` in a directory the caller names (the Python package passes its
//!    own directory: the wheel carries the archive there, see the Makefile's `wheel` targets),
//!    or next to the running executable (an installed `ferrojit` binary);
//! 3. in a cargo target directory above those places or above the running executable
//!    (`target/<profile>/libruntime.a` or `target/<profile>/deps/libruntime-*.a`, the
//!    profile of this build first, the newest file first): a checkout after `cargo build` or
//!    `make develop`.

use super::BuildError;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The archive's file name where it is shipped (the wheel, next to an installed binary).
pub const SHIPPED_NAME: &str = "libferrojit_runtime.a";

/// The system libraries the archive needs (`rustc --print native-static-libs`).
pub const NATIVE_LIBRARIES: &[&str] = if cfg!(target_os = "macos") {
    &["System", "c", "m"]
} else {
    &["gcc_s", "util", "rt", "pthread", "m", "dl", "c"]
};

/// The runtime archive to link, searched as the module doc says, starting from `hints`.
pub fn find_runtime_archive(hints: &[PathBuf]) -> Result<PathBuf, BuildError> {
    if let Some(path) = &runtime::config::env().runtime_lib {
        let path = PathBuf::from(path);
        return match path.is_file() {
            true => Ok(path),
            false => Err(BuildError::Usage(format!(
                "FERROJIT_RUNTIME_LIB={} is not a file (it should name ferrojit's runtime \
                 archive, {SHIPPED_NAME})",
                path.display()
            ))),
        };
    }
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf));
    let starts: Vec<PathBuf> = hints.iter().cloned().chain(exe_dir).collect();
    for dir in &starts {
        let shipped = dir.join(SHIPPED_NAME);
        if shipped.is_file() {
            return Ok(shipped);
        }
    }
    for dir in &starts {
        if let Some(found) = in_target_dirs(dir) {
            return Ok(found);
        }
    }
    Err(BuildError::Usage(format!(
        "ferrojit's runtime archive ({SHIPPED_NAME}, or libruntime.a of a cargo build) was \
         not found near {}; build the workspace (`cargo build`), or set FERROJIT_RUNTIME_LIB \
         to its path",
        starts
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// The newest `libruntime` archive in a cargo target directory at or above `start`.
fn in_target_dirs(start: &Path) -> Option<PathBuf> {
    let profiles: [&str; 2] = if cfg!(debug_assertions) {
        ["debug", "release"]
    } else {
        ["release", "debug"]
    };
    for dir in start.ancestors() {
        // `dir` itself may be a profile directory (the `ferrojit` binary's) or hold `target`.
        let mut candidates: Vec<PathBuf> = vec![dir.to_path_buf()];
        for profile in profiles {
            candidates.push(dir.join("target").join(profile));
        }
        for profile_dir in candidates {
            let mut found: Vec<(SystemTime, PathBuf)> = Vec::new();
            let direct = profile_dir.join("libruntime.a");
            if direct.is_file() {
                found.push((modified(&direct), direct));
            }
            if let Ok(entries) = std::fs::read_dir(profile_dir.join("deps")) {
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if name.starts_with("libruntime-") && name.ends_with(".a") {
                        found.push((modified(&entry.path()), entry.path()));
                    }
                }
            }
            if let Some((_, newest)) = found.into_iter().max_by_key(|(time, _)| *time) {
                return Some(newest);
            }
        }
    }
    None
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_archive_of_this_build_is_found() {
        // Tests run from target/<profile>/deps, below the archive cargo just built.
        let found = find_runtime_archive(&[]).expect("the runtime archive");
        assert!(
            found.to_string_lossy().ends_with(".a"),
            "{}",
            found.display()
        );
    }

    #[test]
    fn a_shipped_archive_wins_over_target_dirs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SHIPPED_NAME), b"!<arch>\n").unwrap();
        let found = find_runtime_archive(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(found, dir.path().join(SHIPPED_NAME));
    }
}
