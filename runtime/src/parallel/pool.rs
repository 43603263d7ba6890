//! The worker threads behind `prange`: a small persistent pool that runs one parallel loop at a
//! time beside the loop's calling thread (the *owner*).
//!
//! Why not a general-purpose pool: a loop here is a handful of chunks handed out by one
//! counter, and what costs is the wake-up. Back-to-back loops (a `prange` kernel called in a
//! Python loop) are common, and a sleeping thread takes tens of microseconds to wake. So a
//! worker that runs out of work *spins* for [`SPIN`] on the pool's state before it sleeps
//! (as OpenMP's threads do, which Numba uses): the next loop finds it awake. The spin is
//! bounded, so an idle process does not burn CPU for longer than that.
//!
//! Protocol (all through [`Pool`]'s atomics, `SeqCst` where two threads must agree on an order):
//! - `state` counts loops: odd while a loop is *open* (workers may join), even once closed.
//! - The owner takes `busy` (a second caller, or a loop nested inside a chunk, finds it taken
//!   and runs its chunks itself), writes the job while the state is even and no worker is
//!   inside, opens it (`state + 1`), wakes sleeping workers, takes chunks itself until none is
//!   left, closes it (`state + 1`), and waits until no worker is `inside` before returning —
//!   the job points into its stack frame.
//! - A worker that sees an open state registers (`inside + 1`), then checks the state again:
//!   either the owner's close comes after the registration, and the owner waits for it, or the
//!   worker sees the state changed and leaves without reading the job.
//! - At most `helpers` workers take chunks (a ticket each): `set_num_threads` is honoured.
//!
//! Chunk functions are `extern "C"` (compiled code, or the driver's wrapper around it): they
//! cannot unwind, so a worker never leaves a loop half-way; errors travel in each chunk's
//! error slot, which the owner reads after the loop.
//!
//! After `fork()` the child has none of the workers: [`pool`] returns `None` there and loops run
//! serially (same chunks, same results).

use std::cell::UnsafeCell;
use std::hint::spin_loop;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// How long a worker (or an owner waiting for its workers) spins before it sleeps: long enough
/// to catch the next call of a kernel called in a loop, short enough that an idle process is
/// idle almost at once.
pub(super) const SPIN: Duration = Duration::from_micros(100);

/// Checks of the state between two looks at the clock.
const SPINS_PER_CLOCK_READ: u32 = 64;

/// One parallel loop as the pool's threads see it. Everything a chunk touches lives in the
/// owner's frame, which outlives the loop (the owner waits for every worker to leave).
#[derive(Clone, Copy)]
pub(super) struct Job {
    /// Runs chunk `c` (called by whichever thread takes it).
    pub(super) run: unsafe fn(*const (), i64),
    /// What `run` needs, in the owner's frame.
    pub(super) data: *const (),
    pub(super) chunks: i64,
    /// How many workers may join (threads in use minus the owner).
    pub(super) helpers: usize,
}

impl Job {
    const EMPTY: Job = Job {
        run: no_chunk,
        data: std::ptr::null(),
        chunks: 0,
        helpers: 0,
    };
}

/// `Job::EMPTY`'s chunk function (never called: an empty job has no chunks).
unsafe fn no_chunk(_: *const (), _: i64) {}

pub(super) struct Pool {
    /// Odd while a loop is open to workers, even otherwise; +1 at each open and close.
    state: AtomicU64,
    /// The open loop; written only by the owner, while `state` is even and `inside` is 0.
    job: UnsafeCell<Job>,
    /// The next chunk of the open loop to hand out.
    next: AtomicI64,
    /// Tickets handed out for the open loop (workers beyond its `helpers` leave).
    tickets: AtomicUsize,
    /// Workers registered for the open loop (possibly running a chunk).
    inside: AtomicUsize,
    /// Held by the thread whose loop the pool runs.
    busy: AtomicBool,
    /// Workers asleep (waiting for `state` to change), and where they sleep.
    sleepers: AtomicUsize,
    sleep_lock: Mutex<()>,
    wake: Condvar,
    /// An owner asleep until `inside` drops to 0, and where it sleeps.
    owner_asleep: AtomicBool,
    done_lock: Mutex<()>,
    done: Condvar,
    /// How many workers the pool started.
    workers: usize,
}

// SAFETY: `job` is written only by the owner while no worker may read it (the protocol in the
// module doc), and what its pointer points to outlives every read (`Pool::run`'s contract);
// everything else is atomics and locks.
unsafe impl Sync for Pool {}
unsafe impl Send for Pool {}

static POOL: OnceLock<Pool> = OnceLock::new();

/// The process that started the pool. A child made by `fork()` inherits the pool's memory
/// but none of its threads: a loop handed to them would wait forever.
static POOL_PID: AtomicU32 = AtomicU32::new(0);

/// The pool with `workers` threads (started on first use; the first call decides the size), or
/// `None` in a forked child of the process that started it.
pub(super) fn pool(workers: usize) -> Option<&'static Pool> {
    let pid = std::process::id();
    if POOL.get().is_some() && POOL_PID.load(Ordering::Relaxed) != pid {
        return None;
    }
    let pool = POOL.get_or_init(|| {
        POOL_PID.store(pid, Ordering::Relaxed);
        Pool::new(workers)
    });
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        for i in 0..pool.workers {
            std::thread::Builder::new()
                .name(format!("ferrojit-{i}"))
                .spawn(move || pool.work())
                .expect("the parallel runtime could not start its threads");
        }
    });
    Some(pool)
}

/// Spins until `done()` or [`SPIN`] has passed; returns whether `done()` held.
fn spin_until(done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    loop {
        for _ in 0..SPINS_PER_CLOCK_READ {
            if done() {
                return true;
            }
            spin_loop();
        }
        if start.elapsed() >= SPIN {
            return done();
        }
    }
}

/// A lock whose data is `()`: a poisoned one (a panic while holding it) is still usable.
fn lock(m: &Mutex<()>) -> MutexGuard<'_, ()> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Pool {
    fn new(workers: usize) -> Pool {
        Pool {
            state: AtomicU64::new(0),
            job: UnsafeCell::new(Job::EMPTY),
            next: AtomicI64::new(0),
            tickets: AtomicUsize::new(0),
            inside: AtomicUsize::new(0),
            busy: AtomicBool::new(false),
            sleepers: AtomicUsize::new(0),
            sleep_lock: Mutex::new(()),
            wake: Condvar::new(),
            owner_asleep: AtomicBool::new(false),
            done_lock: Mutex::new(()),
            done: Condvar::new(),
            workers,
        }
    }

    /// Runs `job` on the calling thread and up to `job.helpers` workers; returns `false`
    /// without running anything when the pool is running another loop (the caller then runs
    /// the chunks itself).
    ///
    /// # Safety
    /// `job.run(job.data, c)` must be sound for every chunk `c < job.chunks`, from any thread,
    /// until this returns.
    pub(super) unsafe fn run(&self, job: Job) -> bool {
        if self
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        // Closed and empty: no worker reads the job now.
        // SAFETY: the state is even and `inside` is 0 (the last owner waited for it), so no
        // worker reads `job` until the store that opens the loop below.
        unsafe { *self.job.get() = job };
        self.next.store(0, Ordering::Relaxed);
        self.tickets.store(0, Ordering::Relaxed);
        let open = self.state.load(Ordering::Relaxed) + 1;
        self.state.store(open, Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            let _guard = lock(&self.sleep_lock);
            if job.helpers >= self.workers {
                self.wake.notify_all();
            } else {
                for _ in 0..job.helpers {
                    self.wake.notify_one();
                }
            }
        }
        // SAFETY: per this function's contract.
        unsafe { take_chunks(&job, &self.next) };
        self.state.store(open + 1, Ordering::SeqCst);
        // Workers still inside are finishing a chunk (or leaving): wait for them, spinning
        // first since they are usually about to finish.
        if !spin_until(|| self.inside.load(Ordering::SeqCst) == 0) {
            self.owner_asleep.store(true, Ordering::SeqCst);
            let mut guard = lock(&self.done_lock);
            while self.inside.load(Ordering::SeqCst) != 0 {
                guard = self.done.wait(guard).unwrap_or_else(|e| e.into_inner());
            }
            drop(guard);
            self.owner_asleep.store(false, Ordering::Relaxed);
        }
        self.busy.store(false, Ordering::Release);
        true
    }

    /// A worker's life: wait for an open loop, join it, take chunks, repeat.
    fn work(&self) {
        let mut seen = self.state.load(Ordering::SeqCst);
        loop {
            seen = self.wait_for_change(seen);
            if seen.is_multiple_of(2) {
                continue; // a close: wait for the next open
            }
            self.inside.fetch_add(1, Ordering::SeqCst);
            if self.state.load(Ordering::SeqCst) == seen {
                // SAFETY: registered while the loop is open, so the owner does not rewrite
                // the job or return until this worker leaves.
                let job = unsafe { *self.job.get() };
                if self.tickets.fetch_add(1, Ordering::Relaxed) < job.helpers {
                    // SAFETY: per `run`'s contract, sound until the owner returns.
                    unsafe { take_chunks(&job, &self.next) };
                }
            }
            if self.inside.fetch_sub(1, Ordering::SeqCst) == 1
                && self.owner_asleep.load(Ordering::SeqCst)
            {
                let _guard = lock(&self.done_lock);
                self.done.notify_one();
            }
        }
    }

    /// How many workers sleep now (the rest spin or run chunks).
    #[cfg(test)]
    pub(super) fn asleep(&self) -> usize {
        self.sleepers.load(Ordering::SeqCst)
    }

    /// Waits until `state` differs from `seen` (spinning first, then asleep); returns it.
    fn wait_for_change(&self, seen: u64) -> u64 {
        let changed = || self.state.load(Ordering::Acquire) != seen;
        if spin_until(changed) {
            return self.state.load(Ordering::SeqCst);
        }
        let mut guard = lock(&self.sleep_lock);
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        loop {
            let now = self.state.load(Ordering::SeqCst);
            if now != seen {
                self.sleepers.fetch_sub(1, Ordering::SeqCst);
                return now;
            }
            guard = self.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Takes the next chunk of `job` until none is left.
///
/// # Safety
/// As [`Pool::run`].
unsafe fn take_chunks(job: &Job, next: &AtomicI64) {
    loop {
        let c = next.fetch_add(1, Ordering::Relaxed);
        if c >= job.chunks {
            break;
        }
        // SAFETY: per the contract.
        unsafe { (job.run)(job.data, c) };
    }
}
