//! When `target='parallel'` splits an inner loop over threads.
//!
//! NumPy calls an inner loop once for a whole contiguous operand, but once per row when it
//! broadcasts (`mandel(x_row, y_column, 200)` gets 768 calls of 1024 elements): whether a call
//! is worth the thread pool's wake-up (some microseconds) depends on the kernel's cost per
//! element as much as on `n`. Each loop keeps an estimate of its cost per element, measured on
//! the calls it runs serially; a call is split when the estimated serial time reaches
//! [`MIN_PARALLEL_WORK_NS`], or, before anything is measured, when it has at least
//! [`UNMEASURED_MIN_ITEMS`] elements.

use ferrojit::RuntimeError;
use runtime::error::ErrorSlot;
use runtime::parallel::ChunkFn;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

/// Runs `chunk` over iterations `0..n` on the runtime's threads with `env` as its environment
/// (chunks write no results; they report errors through a [`FirstError`] in `env`).
///
/// # Safety
/// `chunk` must read `env` as the environment it was written for, which must outlive the call.
pub unsafe fn run_chunks(chunk: ChunkFn, env: *const u8, n: i64) {
    let mut slot = ErrorSlot::default();
    let mut no_results = [0u8; 1];
    // SAFETY: per the contract; no chunk writes results, so one byte of `out` is enough.
    unsafe {
        runtime::parallel::ferrojit_parallel_for(
            chunk,
            &mut slot,
            env,
            n,
            no_results.as_mut_ptr(),
            0,
        );
    }
}

/// The error of the earliest failing chunk of one parallel call, by its first iteration, so a
/// parallel call raises what the serial loop would have raised.
#[derive(Default)]
pub struct FirstError(Mutex<Option<(i64, RuntimeError)>>);

impl FirstError {
    /// Records `error` from the chunk starting at iteration `start`.
    pub fn record(&self, start: i64, error: RuntimeError) {
        let mut first = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if first.as_ref().is_none_or(|(at, _)| start < *at) {
            *first = Some((start, error));
        }
    }

    pub fn into_error(self) -> Option<RuntimeError> {
        self.0
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .map(|(_, e)| e)
    }
}

/// Serial work (estimated) below which a call runs on the calling thread.
pub const MIN_PARALLEL_WORK_NS: f64 = 50_000.0;
/// Elements from which an unmeasured loop is split.
pub const UNMEASURED_MIN_ITEMS: i64 = 16_384;
/// Calls with fewer elements are not timed (the clock would cost more than the work).
const MIN_TIMED_ITEMS: i64 = 64;

/// A loop's cost per element in nanoseconds (the bits of an `f64`; 0 = not measured yet).
#[derive(Default)]
pub struct CostEstimate(AtomicU64);

impl CostEstimate {
    fn per_item_ns(&self) -> Option<f64> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            bits => Some(f64::from_bits(bits)),
        }
    }

    /// Whether a call of `n` elements is worth splitting over `threads` threads.
    pub fn worth_splitting(&self, n: i64, threads: usize) -> bool {
        if threads < 2 || n < 2 {
            return false;
        }
        match self.per_item_ns() {
            Some(ns) => ns * n as f64 >= MIN_PARALLEL_WORK_NS,
            None => n >= UNMEASURED_MIN_ITEMS,
        }
    }

    /// Runs `serial` (a call of `n` elements on this thread), updating the estimate.
    pub fn measure<R>(&self, n: i64, serial: impl FnOnce() -> R) -> R {
        if n < MIN_TIMED_ITEMS {
            return serial();
        }
        let start = Instant::now();
        let result = serial();
        let ns = start.elapsed().as_nanos() as f64 / n as f64;
        // The latest measurement wins: calls of one ufunc see similar data.
        self.0
            .store(ns.max(f64::MIN_POSITIVE).to_bits(), Ordering::Relaxed);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cheap_small_calls_stay_serial_and_costly_ones_split() {
        let cost = CostEstimate::default();
        assert!(!cost.worth_splitting(1_000, 2));
        assert!(cost.worth_splitting(UNMEASURED_MIN_ITEMS, 2));
        assert!(!cost.worth_splitting(1_000_000, 1));
        // 1 µs per element: 1024 elements are 1 ms of work.
        cost.0.store(1_000f64.to_bits(), Ordering::Relaxed);
        assert!(cost.worth_splitting(1_024, 2));
        // 1 ns per element: 16k elements are 16 µs, not worth waking threads.
        cost.0.store(1f64.to_bits(), Ordering::Relaxed);
        assert!(!cost.worth_splitting(UNMEASURED_MIN_ITEMS, 2));
        assert!(cost.worth_splitting(10_000_000, 2));
        assert_eq!(cost.measure(10, || 7), 7);
        assert_eq!(cost.measure(100, || 8), 8);
        assert!(cost.per_item_ns().is_some());
    }
}
