//! How deep the native stack may grow: the check in the prologue of recursive functions.
//!
//! Unbounded recursion in compiled code would overflow the thread's stack and kill the process
//! with a segmentation fault. Instead, each recursive function calls [`ferrojit_stack_check`]
//! first, and raises `RecursionError` (as CPython does) when the stack pointer has come within
//! [`STACK_MARGIN`] bytes of the lowest address of the calling thread's stack. The limit is
//! computed once per thread (from `pthread_getattr_np` on Linux) and cached thread-locally.

use std::cell::Cell;

/// Room left below the limit for the frames between two checks, the raise path and the
/// runtime helpers a deep frame calls.
pub const STACK_MARGIN: usize = 256 * 1024;
/// Where the thread's stack bounds are unknown: the stack assumed usable below the first check.
const ASSUMED_STACK: usize = 1024 * 1024;

thread_local! {
    static STACK_LIMIT: Cell<usize> = const { Cell::new(0) };
}

/// 1 if the caller's stack is within [`STACK_MARGIN`] of its end, else 0.
pub extern "C" fn ferrojit_stack_check() -> i64 {
    let marker = 0u8;
    let here = std::hint::black_box(&marker) as *const u8 as usize;
    let limit = STACK_LIMIT.with(|limit| {
        if limit.get() == 0 {
            limit.set(stack_limit(here));
        }
        limit.get()
    });
    i64::from(here < limit)
}

/// The lowest address the current thread's stack may grow to before a check refuses.
fn stack_limit(here: usize) -> usize {
    match thread_stack_low() {
        Some(low) if low < here => low.saturating_add(STACK_MARGIN).min(here),
        _ => here.saturating_sub(ASSUMED_STACK),
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn thread_stack_low() -> Option<usize> {
    /// Opaque storage for `pthread_attr_t` (56 bytes on x86-64 glibc, 64 on aarch64).
    #[repr(C, align(16))]
    struct Attr([u8; 128]);
    unsafe extern "C" {
        fn pthread_self() -> usize;
        fn pthread_getattr_np(thread: usize, attr: *mut Attr) -> i32;
        fn pthread_attr_getstack(attr: *const Attr, addr: *mut *mut u8, size: *mut usize) -> i32;
        fn pthread_attr_destroy(attr: *mut Attr) -> i32;
    }
    let mut attr = Attr([0; 128]);
    let mut addr: *mut u8 = std::ptr::null_mut();
    let mut size = 0usize;
    // SAFETY: glibc's documented calls on a buffer larger than `pthread_attr_t`, destroyed once
    // initialised.
    unsafe {
        if pthread_getattr_np(pthread_self(), &mut attr) != 0 {
            return None;
        }
        let ok = pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
        pthread_attr_destroy(&mut attr);
        (ok && !addr.is_null() && size > 0).then_some(addr as usize)
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn thread_stack_low() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shallow_stack_passes_and_the_limit_is_below_it() {
        assert_eq!(ferrojit_stack_check(), 0);
        let limit = STACK_LIMIT.with(Cell::get);
        let here = &limit as *const usize as usize;
        assert!(limit > 0 && limit < here);
    }

    #[test]
    fn a_thread_with_a_small_stack_gets_its_own_limit() {
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                assert_eq!(ferrojit_stack_check(), 0);
                let limit = STACK_LIMIT.with(Cell::get);
                let here = &limit as *const usize as usize;
                assert!(limit < here);
                // The limit comes from this thread's own stack. (glibc may hand the thread a
                // cached stack larger than the 512 KiB asked for, so its size is not checked.)
                match thread_stack_low() {
                    Some(low) => assert_eq!(limit, low + STACK_MARGIN),
                    None => assert_eq!(limit, here.saturating_sub(ASSUMED_STACK).min(limit)),
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
