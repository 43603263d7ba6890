//! All of `ir`'s integration tests in one binary: each file below is one module.
//! One binary links the workspace once instead of once per file (each link is ~90 MB
//! of debug code), which keeps `cargo test` fast and its target directory small.
//! Run one file's tests with `cargo test -p ir --test integration FILE::`.

#[path = "../../tests/support/bless.rs"]
mod bless;
#[path = "support/interp.rs"]
mod interp;

mod fuzz;
mod golden;
mod lower_golden;
mod mathlib;
mod pipeline;
mod roundtrip;
mod semantics;
mod strength;
mod verifier;
