//! The SVD as LAPACK's `dgesdd` computes it for matrices of at most [`super::SMALL`] columns:
//! Householder bidiagonalization (`dgebd2`, after `dgeqr2`/`dgelq2` for very tall or wide
//! matrices) and the bidiagonal QR iteration (`dbdsqr`).
