//! The one bless switch of every golden harness (frontend conversion, type inference, IR
//! passes, lowering, PTX): `FERROJIT_BLESS=1` rewrites the expected outputs from what the code
//! produces now, instead of comparing (review the diff before committing). Off for unset,
//! empty, `0`, `false`, `no`, `off`: the vocabulary of `runtime::config`. Each harness includes
//! this file with `#[path]`, so the name and its parsing exist once.

/// The environment variable.
#[allow(dead_code, reason = "not every harness prints the name")]
pub const BLESS_ENV: &str = "FERROJIT_BLESS";

/// True when the expected outputs are to be rewritten.
pub fn bless() -> bool {
    std::env::var(BLESS_ENV).is_ok_and(|v| {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no" | "off"
        )
    })
}
