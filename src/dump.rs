//! `FERROJIT_DUMP`: which pipeline stages to print to stderr while compiling.
//!
//! `FERROJIT_DUMP=ast,types,ir,opt,clif,asm` (or `all`): `ir` prints the IR as lowered and after
//! the pipeline, `opt` after every pass, `clif` the Cranelift IR, `asm` the machine code.

/// The stages to print. All false by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DumpFlags {
    pub ast: bool,
    pub types: bool,
    pub ir: bool,
    pub passes: bool,
    pub clif: bool,
    pub asm: bool,
}

impl DumpFlags {
    /// Reads `FERROJIT_DUMP`.
    pub fn from_env() -> DumpFlags {
        std::env::var("FERROJIT_DUMP")
            .map(|v| DumpFlags::parse(&v))
            .unwrap_or_default()
    }

    /// Parses a comma-separated list of stage names; unknown names are ignored.
    pub fn parse(spec: &str) -> DumpFlags {
        let mut flags = DumpFlags::default();
        for word in spec.split(',').map(str::trim) {
            match word {
                "ast" => flags.ast = true,
                "types" => flags.types = true,
                "ir" => flags.ir = true,
                "opt" | "passes" => flags.passes = true,
                "clif" => flags.clif = true,
                "asm" => flags.asm = true,
                "all" | "1" => {
                    flags = DumpFlags {
                        ast: true,
                        types: true,
                        ir: true,
                        passes: true,
                        clif: true,
                        asm: true,
                    }
                }
                _ => {}
            }
        }
        flags
    }

    pub fn any(&self) -> bool {
        *self != DumpFlags::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_lists_parse() {
        let f = DumpFlags::parse("ir, clif");
        assert!(f.ir && f.clif && !f.ast && !f.asm);
        assert!(DumpFlags::parse("all").asm);
        assert!(!DumpFlags::parse("bogus").any());
    }
}
