//! All of `typeinfer`'s integration tests in one binary: each file below is one module.
//! One binary links the workspace once instead of once per file (each link is ~90 MB
//! of debug code), which keeps `cargo test` fast and its target directory small.
//! Run one file's tests with `cargo test -p typeinfer --test integration FILE::`.

mod common;

mod infer;
mod rules;
mod signature;
