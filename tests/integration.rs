//! All of `ferrojit`'s integration tests in one binary: each file below is one module.
//! One binary links the workspace once instead of once per file (each link is ~90 MB
//! of debug code), which keeps `cargo test` fast and its target directory small.
//! Run one file's tests with `cargo test -p ferrojit --test integration FILE::`.

#[path = "../frontend/tests/mutate/mod.rs"]
mod mutate;

mod aot;
mod compile_run;
mod compile_time_nesting;
mod crate_graph;
mod embed;
mod fuzz_compile;
mod int_division;
mod parallel;
mod slot_layout;
