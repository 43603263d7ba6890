//! `backend-gpu`: IR → PTX for NVIDIA GPUs, launched through cudarc (issue 5; not built yet).
//!
//! Its job will be to translate the same verified IR the CPU backend consumes into PTX text
//! written by ferrojit itself (no NVVM, no CUDA toolkit), and to load and launch it through the
//! driver API. It is the only crate that will link cudarc. Until then it holds nothing.
