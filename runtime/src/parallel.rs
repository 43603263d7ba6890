//! The parallel loop driver: how a `prange` loop runs on all cores.
//!
//! Lowering outlines the body of a `prange` loop into a *chunk function* that runs iterations
//! `lo..hi` of the loop (counted from 0) and writes its partial reduction results to `out`.
//! [`ferrojit_parallel_for`] splits `0..count` into contiguous chunks, a few per thread, runs
//! them on the calling thread and a rayon thread pool (each thread taking the next chunk until
//! none is left), and returns how many chunks it used so that compiled code can combine the
//! partial results. An error raised in any chunk is reported once (the first chunk
//! in iteration order wins), through the caller's [`ErrorSlot`].
//!
//! Threads: a loop runs on `FERROJIT_NUM_THREADS` threads (default: the number of CPUs): the
//! calling thread and a pool of one thread fewer, created on first use. (The calling thread
//! working, rather than sleeping while the pool does everything, saves a hand-off and a wake-up
//! per loop, and keeps the thread count at the number of CPUs.) [`set_num_threads`] limits how many of them a loop uses, like Numba's
//! function of the same name. After `fork()` the child has none of the pool's threads: its
//! parallel loops run their chunks serially (same results), instead of waiting forever.

use crate::error::ErrorSlot;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicUsize, Ordering};

/// Most chunks one loop is split into; compiled code reserves room for this many partial
/// results.
pub const MAX_CHUNKS: usize = 64;

/// A chunk function: runs iterations `lo..hi` with the captured values at `env`, writing
/// partial results at `out` (the chunk's own slice). Same convention as every compiled
/// function: the error slot first.
pub type ChunkFn =
    unsafe extern "C" fn(err: *mut ErrorSlot, env: *const u8, lo: i64, hi: i64, out: *mut u8);

static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
static ACTIVE_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Threads in the pool: `FERROJIT_NUM_THREADS`, else the number of CPUs.
pub fn max_threads() -> usize {
    static MAX: OnceLock<usize> = OnceLock::new();
    *MAX.get_or_init(|| {
        crate::config::env()
            .num_threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .min(MAX_CHUNKS)
    })
}

/// How many threads parallel loops use now.
pub fn get_num_threads() -> usize {
    match ACTIVE_THREADS.load(Ordering::Relaxed) {
        0 => max_threads(),
        n => n,
    }
}

/// Limits parallel loops to `n` threads (1 ..= [`max_threads`]).
pub fn set_num_threads(n: usize) -> Result<(), String> {
    let max = max_threads();
    if n == 0 || n > max {
        return Err(format!(
            "the number of threads must be between 1 and {max}, got {n}"
        ));
    }
    ACTIVE_THREADS.store(n, Ordering::Relaxed);
    Ok(())
}

/// The process that started the pool. A child made by `fork()` inherits the pool's memory
/// but none of its threads: a loop handed to that pool would wait forever.
static POOL_PID: AtomicU32 = AtomicU32::new(0);

/// The pool, or `None` in a forked child of the process that started it (loops there run
/// their chunks one after the other on the calling thread, with the same results).
fn pool() -> Option<&'static rayon::ThreadPool> {
    let pid = std::process::id();
    if POOL.get().is_some() && POOL_PID.load(Ordering::Relaxed) != pid {
        return None;
    }
    Some(POOL.get_or_init(|| {
        POOL_PID.store(pid, Ordering::Relaxed);
        rayon::ThreadPoolBuilder::new()
            // The calling thread runs a chunk too (see `ferrojit_parallel_for`).
            .num_threads(max_threads().saturating_sub(1).max(1))
            .thread_name(|i| format!("ferrojit-{i}"))
            .build()
            .expect("the parallel runtime could not start its threads")
    }))
}

/// Raw pointers handed to pool threads; each chunk writes only its own `out` slice and its own
/// error slot.
#[derive(Clone, Copy)]
struct Shared {
    env: *const u8,
    out: *mut u8,
    errors: *mut ErrorSlot,
}
// SAFETY: the pointed-to memory outlives the scope in which the chunks run (the caller's frame
// and the `errors` vector), and chunks write disjoint regions.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

/// How many chunks [`ferrojit_parallel_for`] splits a loop of `count` iterations into when
/// called now (0 if `count <= 0`). Compiled code asks before a loop with whole-array
/// reductions, to give each chunk its private array.
pub extern "C" fn ferrojit_parallel_chunks(count: i64) -> i64 {
    if count <= 0 {
        return 0;
    }
    (get_num_threads() as i64 * CHUNKS_PER_THREAD)
        .min(count)
        .clamp(1, MAX_CHUNKS as i64)
}

/// Chunks per thread: the threads take chunks in turn until none is left, so a thread slowed
/// by another process (or another runtime's spinning workers) does less of the loop instead of
/// holding everyone up. The split depends only on the count and the thread setting, never on
/// timing, so reductions combine the same partial results in the same order on every run.
const CHUNKS_PER_THREAD: i64 = 4;

/// Runs `body` over `0..count` in [`ferrojit_parallel_chunks`] chunks on up to
/// [`get_num_threads`] threads; returns the number of chunks (0 if `count <= 0`). Chunk `c` writes its partial results at `out + c * out_stride`.
///
/// # Safety
/// `body` must be a chunk function compiled for `env`'s layout, `out` must have room for
/// [`MAX_CHUNKS`] chunks of `out_stride` bytes, and `err` must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ferrojit_parallel_for(
    body: ChunkFn,
    err: *mut ErrorSlot,
    env: *const u8,
    count: i64,
    out: *mut u8,
    out_stride: i64,
) -> i64 {
    let chunks = ferrojit_parallel_chunks(count);
    if chunks == 0 {
        return 0;
    }
    // Each chunk has its own slot, hence its own arena: what a chunk allocates is freed when
    // the loop ends (nothing allocated in a `prange` body can outlive it).
    let mut errors: Vec<ErrorSlot> = (0..chunks).map(|_| ErrorSlot::default()).collect();
    let shared = Shared {
        env,
        out,
        errors: errors.as_mut_ptr(),
    };
    let run = move |c: i64| {
        let shared = shared;
        // In 128 bits: `count * c` overflows i64 for trip counts above i64::MAX / MAX_CHUNKS.
        let split = |c: i64| (i128::from(count) * i128::from(c) / i128::from(chunks)) as i64;
        let (lo, hi) = (split(c), split(c + 1));
        // SAFETY: per the contract above; chunk `c` owns `errors[c]` and its `out` slice.
        unsafe {
            body(
                shared.errors.add(c as usize),
                shared.env,
                lo,
                hi,
                shared.out.add((c * out_stride) as usize),
            )
        };
    };
    // Each participant takes the next chunk until none is left.
    let next = AtomicI64::new(0);
    let take_chunks = || {
        loop {
            let c = next.fetch_add(1, Ordering::Relaxed);
            if c >= chunks {
                break;
            }
            run(c);
        }
    };
    let helpers = (get_num_threads() as i64).min(chunks) - 1;
    match pool() {
        // The calling thread takes chunks too, beside the pool's threads.
        Some(pool) if helpers > 0 => pool.in_place_scope(|s| {
            for _ in 0..helpers {
                s.spawn(|_| take_chunks());
            }
            take_chunks();
        }),
        // One chunk, or a forked child without the pool's threads.
        _ => (0..chunks).for_each(run),
    }
    if let Some(first) = errors.iter().find(|e| e.code != 0) {
        // SAFETY: `err` is valid per the contract.
        unsafe { (*err).set_error_from(first) };
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sums `lo..hi` into its chunk's slot, and raises (code 7) if it sees iteration 13.
    unsafe extern "C" fn sum_chunk(
        err: *mut ErrorSlot,
        env: *const u8,
        lo: i64,
        hi: i64,
        out: *mut u8,
    ) {
        let fail_at = unsafe { *(env as *const i64) };
        let mut s = 0i64;
        for i in lo..hi {
            if i == fail_at {
                unsafe { (*err).code = 7 };
                return;
            }
            s += i;
        }
        unsafe { *(out as *mut i64) = s };
    }

    fn run(count: i64, fail_at: i64) -> (i64, i64, u32) {
        let mut out = [0i64; MAX_CHUNKS];
        let mut err = ErrorSlot::default();
        let env = fail_at;
        let chunks = unsafe {
            ferrojit_parallel_for(
                sum_chunk,
                &mut err,
                &env as *const i64 as *const u8,
                count,
                out.as_mut_ptr() as *mut u8,
                8,
            )
        };
        (chunks, out[..chunks as usize].iter().sum(), err.code)
    }

    #[test]
    fn chunks_cover_the_range_once() {
        for count in [0, 1, 2, 3, 10, 1000] {
            let (chunks, sum, code) = run(count, -1);
            assert_eq!(sum, count * (count - 1) / 2, "count {count}");
            assert!(chunks <= count.max(0));
            assert_eq!(code, 0);
        }
    }

    #[test]
    fn an_error_in_a_chunk_reaches_the_caller() {
        assert_eq!(run(100, 13).2, 7);
    }

    #[test]
    fn thread_count_is_bounded() {
        assert!(set_num_threads(0).is_err());
        assert!(set_num_threads(max_threads() + 1).is_err());
        set_num_threads(1).unwrap();
        assert_eq!(get_num_threads(), 1);
        set_num_threads(max_threads()).unwrap();
    }
}
