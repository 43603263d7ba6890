//! The parallel loop driver: how a `prange` loop runs on all cores.
//!
//! Lowering outlines the body of a `prange` loop into a *chunk function* that runs iterations
//! `lo..hi` of the loop (counted from 0) and writes its partial reduction results to `out`.
//! [`ferrojit_parallel_for`] splits `0..count` into contiguous chunks, a few per thread, runs
//! them on the calling thread and the worker threads of [`pool`] (each thread taking the next
//! chunk until none is left), and returns how many chunks it used so that compiled code can
//! combine the partial results. An error raised in any chunk is reported once (the first chunk
//! in iteration order wins), through the caller's [`ErrorSlot`].
//!
//! Threads: a loop runs on `FERROJIT_NUM_THREADS` threads (default: the number of CPUs): the
//! calling thread and a pool of one thread fewer, created on first use. (The calling thread
//! working, rather than sleeping while the pool does everything, saves a hand-off and a wake-up
//! per loop, and keeps the thread count at the number of CPUs.) The workers spin briefly after
//! a loop before they sleep, so a loop called again at once finds them awake (see [`pool`]).
//! [`set_num_threads`] limits how many of them a loop uses, like Numba's function of the same
//! name. The pool runs one loop at a time: a loop that starts while it is busy (a `prange` in a
//! function called from another's chunk, or another Python thread's loop) runs its chunks on
//! its own thread, with the same results. After `fork()` the child has none of the pool's
//! threads: its parallel loops run their chunks serially too, instead of waiting forever.

use crate::error::ErrorSlot;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

mod pool;

/// Most chunks one loop is split into; compiled code reserves room for this many partial
/// results.
pub const MAX_CHUNKS: usize = 64;

/// A chunk function: runs iterations `lo..hi` with the captured values at `env`, writing
/// partial results at `out` (the chunk's own slice). Same convention as every compiled
/// function: the error slot first.
pub type ChunkFn =
    unsafe extern "C" fn(err: *mut ErrorSlot, env: *const u8, lo: i64, hi: i64, out: *mut u8);

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

/// One loop's call, in the caller's frame: what [`run_chunk`] needs to run chunk `c`. Each
/// chunk writes only its own `out` slice and its own error slot.
struct Loop {
    body: ChunkFn,
    env: *const u8,
    count: i64,
    chunks: i64,
    out: *mut u8,
    out_stride: i64,
    errors: *mut ErrorSlot,
}

/// Runs chunk `c` of the [`Loop`] at `data`.
///
/// # Safety
/// `data` points to a live `Loop` whose pointers satisfy [`ferrojit_parallel_for`]'s contract,
/// and `c < chunks`.
unsafe fn run_chunk(data: *const (), c: i64) {
    // SAFETY: per the contract.
    let l = unsafe { &*(data as *const Loop) };
    // In 128 bits: `count * c` overflows i64 for trip counts above i64::MAX / MAX_CHUNKS.
    let split = |c: i64| (i128::from(l.count) * i128::from(c) / i128::from(l.chunks)) as i64;
    // SAFETY: chunk `c` owns `errors[c]` and its `out` slice.
    unsafe {
        (l.body)(
            l.errors.add(c as usize),
            l.env,
            split(c),
            split(c + 1),
            l.out.add((c * l.out_stride) as usize),
        )
    };
}

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
    let job = Loop {
        body,
        env,
        count,
        chunks,
        out,
        out_stride,
        errors: errors.as_mut_ptr(),
    };
    let data = &job as *const Loop as *const ();
    let helpers = (get_num_threads()).min(chunks as usize) - 1;
    let pooled = helpers > 0
        && pool::pool(max_threads() - 1).is_some_and(|pool| {
            // SAFETY: `job` and what it points to live until `run` returns, which it does
            // only once every thread has left the loop.
            unsafe {
                pool.run(pool::Job {
                    run: run_chunk,
                    data,
                    chunks,
                    helpers,
                })
            }
        });
    if !pooled {
        // One thread, a loop nested in another's chunk (or beside another thread's loop), or
        // a forked child without the pool's threads: the same chunks, one after the other.
        for c in 0..chunks {
            // SAFETY: as above.
            unsafe { run_chunk(data, c) };
        }
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
    fn back_to_back_loops_each_cover_their_range() {
        // Loops follow each other faster than a worker goes to sleep: every one must still
        // see its own job (never a chunk of the previous loop's).
        for round in 0..3000 {
            let count = round % 97;
            let (_, sum, code) = run(count, -1);
            assert_eq!(sum, count * (count - 1) / 2, "round {round}");
            assert_eq!(code, 0);
        }
    }

    #[test]
    fn loops_from_several_threads_at_once_are_all_right() {
        // One thread's loop uses the pool; the others find it busy and run theirs alone.
        let threads: Vec<_> = (0..4)
            .map(|t| {
                std::thread::spawn(move || {
                    for round in 0..500 {
                        let count = (round * 7 + t) % 300;
                        assert_eq!(run(count, -1).1, count * (count - 1) / 2);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }

    /// Runs a whole parallel loop of `hi - lo` iterations per iteration, i.e. a `prange` in a
    /// function called from a chunk, and sums those sums.
    unsafe extern "C" fn nested_chunk(
        err: *mut ErrorSlot,
        _env: *const u8,
        lo: i64,
        hi: i64,
        out: *mut u8,
    ) {
        let mut s = 0;
        for i in lo..hi {
            let (_, inner, code) = run(i, -1);
            if code != 0 {
                unsafe { (*err).code = code };
            }
            s += inner;
        }
        unsafe { *(out as *mut i64) = s };
    }

    #[test]
    fn a_loop_inside_a_chunk_runs_on_that_chunks_thread() {
        let mut out = [0i64; MAX_CHUNKS];
        let mut err = ErrorSlot::default();
        let chunks = unsafe {
            ferrojit_parallel_for(
                nested_chunk,
                &mut err,
                std::ptr::null(),
                50,
                out.as_mut_ptr() as *mut u8,
                8,
            )
        };
        let want: i64 = (0..50i64).map(|i| i * (i - 1) / 2).sum();
        assert_eq!(out[..chunks as usize].iter().sum::<i64>(), want);
        assert_eq!(err.code, 0);
    }

    #[test]
    fn idle_workers_go_to_sleep() {
        run(1000, -1);
        let workers = max_threads() - 1;
        let Some(pool) = (workers > 0).then(|| pool::pool(workers)).flatten() else {
            return; // one thread: no pool
        };
        // Other tests may be running loops meanwhile: allow them a second to finish.
        let asleep = (0..100).any(|_| {
            std::thread::sleep(pool::SPIN * 100);
            pool.asleep() == workers
        });
        assert!(asleep, "workers still spinning long after the last loop");
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
