//! ferrojit's configuration from the environment, read once into one value.
//!
//! Every crate asks [`env`] instead of reading variables itself, so each variable has one
//! name, one parser and one meaning. On/off variables share one vocabulary (also that of the
//! Python package's `ferrojit.config`): unset, empty, `0`, `false`, `no` or `off` (any case)
//! mean off; anything else means on. The environment is read at the first question; changes
//! made later in the process are not seen (set variables before the first compilation).
//!
//! | variable | field | meaning |
//! |---|---|---|
//! | `FERROJIT_DUMP` | `dump` | compiler stages to print while compiling (`ast,types,ir,passes,clif,asm,parallel,ptx`, `all`) |
//! | `FERROJIT_DUMP_CLIF` | `dump_clif` | print each function's CLIF (backend) |
//! | `FERROJIT_DUMP_ASM` | `dump_asm` | print each function's machine code (backend) |
//! | `FERROJIT_BOUNDSCHECK` | `boundscheck` | bounds-check every function |
//! | `FERROJIT_NUM_THREADS` | `num_threads` | size of the parallel thread pool |
//! | `FERROJIT_CACHE_DIR` | `cache_dir` | where `cache=True` stores compiled code |
//! | `FERROJIT_KEEP_BUILD` | `keep_build` | keep the scratch directory of `ferrojit build` |
//! | `FERROJIT_NO_VECTORIZE` | `no_vectorize` | skip the loop vectorizer (scalar loops; for comparisons) |
//! | `FERROJIT_RUNTIME_LIB` | `runtime_lib` | the runtime archive `ferrojit build` links (default: found, see `src/aot/archive.rs`) |

use std::ffi::OsString;
use std::sync::OnceLock;

/// The configuration read from the environment (see the module doc for each variable).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvConfig {
    pub dump: String,
    pub dump_clif: bool,
    pub dump_asm: bool,
    pub boundscheck: bool,
    pub num_threads: Option<usize>,
    pub cache_dir: Option<OsString>,
    pub keep_build: bool,
    pub no_vectorize: bool,
    pub runtime_lib: Option<OsString>,
}

impl EnvConfig {
    /// Reads the configuration from `lookup` (the process environment in [`env`]).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> EnvConfig {
        let text = |name: &str| lookup(name).map(|v| v.to_string_lossy().trim().to_string());
        let flag = |name: &str| text(name).is_some_and(|v| is_on(&v));
        EnvConfig {
            dump: text("FERROJIT_DUMP").unwrap_or_default(),
            dump_clif: flag("FERROJIT_DUMP_CLIF"),
            dump_asm: flag("FERROJIT_DUMP_ASM"),
            boundscheck: flag("FERROJIT_BOUNDSCHECK"),
            num_threads: text("FERROJIT_NUM_THREADS")
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|&n| n > 0),
            cache_dir: lookup("FERROJIT_CACHE_DIR").filter(|d| !d.is_empty()),
            keep_build: flag("FERROJIT_KEEP_BUILD"),
            no_vectorize: flag("FERROJIT_NO_VECTORIZE"),
            runtime_lib: lookup("FERROJIT_RUNTIME_LIB").filter(|p| !p.is_empty()),
        }
    }
}

/// The on/off vocabulary: off for empty, `0`, `false`, `no`, `off` (any case), else on.
pub fn is_on(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

/// The process's configuration, read from the environment at the first call.
pub fn env() -> &'static EnvConfig {
    static CONFIG: OnceLock<EnvConfig> = OnceLock::new();
    CONFIG.get_or_init(|| EnvConfig::from_lookup(|name| std::env::var_os(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> EnvConfig {
        EnvConfig::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn one_vocabulary_for_flags() {
        for off in ["", "0", "false", "No", "OFF", " 0 "] {
            assert!(
                !config(&[("FERROJIT_BOUNDSCHECK", off)]).boundscheck,
                "{off:?}"
            );
        }
        for on in ["1", "true", "yes", "on", "2"] {
            assert!(
                config(&[("FERROJIT_BOUNDSCHECK", on)]).boundscheck,
                "{on:?}"
            );
        }
        assert_eq!(config(&[]), EnvConfig::default());
    }

    #[test]
    fn values() {
        let c = config(&[
            ("FERROJIT_DUMP", " ir,asm "),
            ("FERROJIT_NUM_THREADS", "3"),
            ("FERROJIT_CACHE_DIR", "/tmp/x"),
        ]);
        assert_eq!(c.dump, "ir,asm");
        assert_eq!(c.num_threads, Some(3));
        assert_eq!(c.cache_dir, Some(OsString::from("/tmp/x")));
        assert_eq!(config(&[("FERROJIT_NUM_THREADS", "0")]).num_threads, None);
        assert_eq!(config(&[("FERROJIT_NUM_THREADS", "x")]).num_threads, None);
    }
}
