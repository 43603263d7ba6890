//! Element-wise folds that compiled vector loops hand over (`ir::passes::vectorize`'s
//! `Fold`): `out[j] = ((t0 op1 t1) op2 t2) ...` over contiguous `float64`/`float32` elements,
//! each term a value fixed for the call, an element of an input, the product of an element
//! with a fixed value or with another element (or itself), or an integer element converted:
//! a stencil (`m[i-1, j] + m[i+1, j] + m[i, j-1] + ...`), a weighted window (`acc += w[di, dj]
//! * m[i+di, j+dj]`), `sqrt(a*a + b*b)`, a clamp or ReLU (a [`Pick`] between the accumulator and
//! a term by comparing them); and the sums of such elements in any order (the
//! `fastmath` reductions of [`ferrojit_fold_sum_f64`]).
//!
//! Cranelift's vectors are 128 bits wide; these run at the widest the CPU has (AVX-512, AVX2),
//! chosen at run time. Every operation is the loop's, in the loop's order (no reassociation,
//! no fused multiply-add), so the result is the loop's bit for bit, except which of two NaN
//! operands of a sum or product gives its payload (the compiler may swap them, as it may the
//! operands of the loop's own `a + b`).
//!
//! The fold is a program: a word the runtime owns, then `steps` of three words each: `[code,
//! a, b]`. The first word starts at 0 in each run of the compiled function (it zeroes it on
//! entry) and then holds the machine code made for the program (`fold_jit`): a call site's
//! steps have the same codes every time, so later calls skip looking it up. The low byte of
//! `code` is the operation on the accumulator ([`Combine`]), the next byte the term's kind
//! ([`Term`]); `a` and `b` are the term's element pointers or its fixed value's bits (a
//! `float32` value in the low 32 bits); the third byte may name an earlier step reading the
//! same elements ([`same_element_as`]), and the fourth is a pick's ([`Pick`]). Elements are processed in blocks (32 `float64`, 64
//! `float32` in the machine code): every term of a block is read before the block's results
//! are stored, so the destination may be read by the fold only at the element it writes (the
//! compiled loop's aliasing check guarantees it). CPUs without AVX-512 interpret the program
//! in blocks (with AVX2 where they have it).

/// What a step does with the accumulator `acc` and its term `t`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Combine {
    /// `acc = t` (the first step).
    Set,
    Add,
    Sub,
    /// `acc = t - acc`.
    SubRev,
    Mul,
    Div,
    /// `acc = t / acc`.
    DivRev,
    /// `acc = sqrt(acc)` (no term).
    Sqrt,
    /// `acc = -acc` (no term).
    Neg,
    /// `acc = |acc|` (no term).
    Abs,
    /// One of the two, by a comparison of them (`np.maximum`, `max()`, a clamp).
    Pick(Pick),
}

/// `acc = if cond { kept } else { the other }`, `cond` a comparison of the accumulator with
/// the term (`acc < t`, ...: false where either is NaN), or'ed with a NaN test of one of them:
/// `np.maximum(acc, t)` keeps `acc` where `acc > t or acc is NaN`; Python's `max(acc, t)`
/// keeps `t` where `acc < t`. A choice, not arithmetic: the result is one operand's bits.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    pub compare: Compare,
    /// The operand whose NaN also makes the condition hold.
    pub or_nan: Option<Operand>,
    /// The operand kept where the condition holds.
    pub keep: Operand,
}

/// An ordered comparison `acc ? t`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Compare {
    Lt,
    Le,
    Gt,
    Ge,
}

/// A step's two operands.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    Acc,
    Term,
}

impl Pick {
    /// Every pick, in code order ([`Pick::bits`]).
    pub fn all() -> impl Iterator<Item = Pick> {
        let compares = [Compare::Lt, Compare::Le, Compare::Gt, Compare::Ge];
        let nans = [None, Some(Operand::Acc), Some(Operand::Term)];
        compares.into_iter().flat_map(move |compare| {
            nans.into_iter().flat_map(move |or_nan| {
                [Operand::Acc, Operand::Term].map(|keep| Pick {
                    compare,
                    or_nan,
                    keep,
                })
            })
        })
    }

    /// The byte a step's code keeps the pick in (bits 24-31): the comparison in bits 0-1, the
    /// NaN test in 2-3 (1: the accumulator's, 2: the term's), the kept operand in bit 4.
    fn bits(self) -> u64 {
        let compare = self.compare as u64;
        let nan = match self.or_nan {
            None => 0,
            Some(Operand::Acc) => 1,
            Some(Operand::Term) => 2,
        };
        compare | nan << 2 | u64::from(self.keep == Operand::Term) << 4
    }

    fn from_bits(bits: u64) -> Option<Pick> {
        Pick::all().find(|p| p.bits() == bits)
    }

    #[inline(always)]
    pub fn apply<T: FoldFloat>(self, acc: T, t: T) -> T {
        let compared = match self.compare {
            Compare::Lt => acc < t,
            Compare::Le => acc <= t,
            Compare::Gt => acc > t,
            Compare::Ge => acc >= t,
        };
        let nan = match self.or_nan {
            None => false,
            Some(Operand::Acc) => acc.is_nan(),
            Some(Operand::Term) => t.is_nan(),
        };
        let (kept, other) = match self.keep {
            Operand::Acc => (acc, t),
            Operand::Term => (t, acc),
        };
        if compared || nan { kept } else { other }
    }
}

/// A step's term.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Term {
    /// The value in `a`'s bits.
    Fixed = 0,
    /// `a[j]`.
    Element = 1,
    /// `a[j] * b` (`b` the value's bits).
    ElementTimesFixed = 2,
    /// `a[j] * b[j]`.
    ElementTimesElement = 3,
    /// `a[j] * a[j]`.
    Square = 4,
    /// `a[j]`, a signed integer of the float's width (`int64` for `f64`, `int32` for `f32`),
    /// converted (rounded to nearest, as `float(x)`).
    Integer = 5,
}

impl Combine {
    /// The operations without parameters, in code order ([`decode`] indexes it; a pick's
    /// code is the next).
    pub const ALL: [Combine; 10] = [
        Combine::Set,
        Combine::Add,
        Combine::Sub,
        Combine::SubRev,
        Combine::Mul,
        Combine::Div,
        Combine::DivRev,
        Combine::Sqrt,
        Combine::Neg,
        Combine::Abs,
    ];
    /// True for the operations without a term.
    pub fn is_unary(self) -> bool {
        matches!(self, Combine::Sqrt | Combine::Neg | Combine::Abs)
    }

    /// The code's low byte, and the pick's byte (bits 24-31) for a pick.
    fn bits(self) -> u64 {
        match self {
            Combine::Pick(p) => Combine::ALL.len() as u64 | p.bits() << 24,
            c => Combine::ALL.iter().position(|&x| x == c).expect("listed") as u64,
        }
    }
}

impl Term {
    /// In discriminant order ([`decode`] indexes it).
    pub const ALL: [Term; 6] = [
        Term::Fixed,
        Term::Element,
        Term::ElementTimesFixed,
        Term::ElementTimesElement,
        Term::Square,
        Term::Integer,
    ];
}

/// A step's code word. `same_element_as`: an earlier step whose term reads the same elements
/// (its `a` is this step's `a`, a promise of the compiler that made the program), so that the
/// machine code loads them once (`((3*x + 2)*x - 1.5)*x` reads `x` three times).
pub fn step_code(combine: Combine, term: Term, same_element_as: Option<usize>) -> u64 {
    let shared = same_element_as.map_or(0, |k| {
        debug_assert!(k < 255, "a program has fewer than 255 steps");
        k as u64 + 1
    });
    combine.bits() | (term as u64) << 8 | shared << 16
}

/// The operation and term of a step's code word ([`step_code`]'s inverse); `None` for a
/// word no step has.
pub fn decode(code: u64) -> Option<(Combine, Term)> {
    let low = usize::try_from(code & 0xFF).ok()?;
    let combine = match Combine::ALL.get(low) {
        Some(&c) if code >> 24 == 0 => c,
        None if low == Combine::ALL.len() => Combine::Pick(Pick::from_bits(code >> 24)?),
        _ => return None,
    };
    let term = Term::ALL
        .get(usize::try_from((code >> 8) & 0xFF).ok()?)
        .copied()?;
    Some((combine, term))
}

/// The earlier step whose elements a step's code says its term reads ([`step_code`]'s
/// `same_element_as`).
pub fn same_element_as(code: u64) -> Option<usize> {
    match (code >> 16) & 0xFF {
        0 => None,
        k => Some(k as usize - 1),
    }
}

/// The float types a fold runs on.
pub trait FoldFloat:
    Copy
    + Default
    + PartialOrd
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
{
    /// The value whose bits are the low bits of `word`.
    fn from_word(word: u64) -> Self;
    /// The signed integer of the same width at `p`, converted.
    ///
    /// # Safety
    /// `p` addresses a readable integer.
    unsafe fn from_integer_at(p: *const Self) -> Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    #[inline(always)]
    fn is_nan(self) -> bool {
        // (NaN is the one value unequal to itself.)
        #[allow(clippy::eq_op)]
        let unequal = self != self;
        unequal
    }
}

impl FoldFloat for f64 {
    #[inline(always)]
    fn from_word(word: u64) -> Self {
        f64::from_bits(word)
    }
    #[inline(always)]
    unsafe fn from_integer_at(p: *const Self) -> Self {
        // SAFETY: the caller's contract.
        unsafe { p.cast::<i64>().read_unaligned() as f64 }
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f64::abs(self)
    }
}

impl FoldFloat for f32 {
    #[inline(always)]
    fn from_word(word: u64) -> Self {
        f32::from_bits(word as u32)
    }
    #[inline(always)]
    unsafe fn from_integer_at(p: *const Self) -> Self {
        // SAFETY: the caller's contract.
        unsafe { p.cast::<i32>().read_unaligned() as f32 }
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f32::abs(self)
    }
}

/// One element of a fold: the definition the blocks below must match (and the scalar tail).
///
/// # Safety
/// As [`fold`]'s.
#[inline(always)]
unsafe fn element<T: FoldFloat>(steps: &[[u64; 3]], j: usize) -> T {
    let mut acc = T::default();
    for &[code, a, b] in steps {
        let (combine, term) = decode(code).expect("compiled code writes valid steps");
        let at = |p: u64| unsafe { (p as *const T).add(j).read_unaligned() };
        let t = match term {
            Term::Fixed => T::from_word(a),
            Term::Element => at(a),
            Term::ElementTimesFixed => at(a) * T::from_word(b),
            Term::ElementTimesElement => at(a) * at(b),
            Term::Square => at(a) * at(a),
            Term::Integer => unsafe { T::from_integer_at((a as *const T).add(j)) },
        };
        acc = apply(combine, acc, t);
    }
    acc
}

/// What a step's operation makes of the accumulator `acc` and its term `t` (the one
/// definition: the interpreted blocks and the IR interpreter use it).
#[inline(always)]
pub fn apply<T: FoldFloat>(combine: Combine, acc: T, t: T) -> T {
    match combine {
        Combine::Set => t,
        Combine::Add => acc + t,
        Combine::Sub => acc - t,
        Combine::SubRev => t - acc,
        Combine::Mul => acc * t,
        Combine::Div => acc / t,
        Combine::DivRev => t / acc,
        Combine::Sqrt => acc.sqrt(),
        Combine::Neg => -acc,
        Combine::Abs => acc.abs(),
        Combine::Pick(p) => p.apply(acc, t),
    }
}

/// A block of `B` consecutive elements from `j` on, every step applied to all of them before
/// the next (the accumulators stay in vector registers), then stored at `out`.
///
/// # Safety
/// As [`fold`]'s, with `j + B <= n`.
#[inline(always)]
unsafe fn block<T: FoldFloat, const B: usize>(out: *mut T, steps: &[[u64; 3]], j: usize) {
    let mut acc = [T::default(); B];
    for &[code, a, b] in steps {
        let (combine, term) = decode(code).expect("compiled code writes valid steps");
        let (pa, pb) = (
            (a as *const T).wrapping_add(j),
            (b as *const T).wrapping_add(j),
        );
        // The steps of stencils and weighted windows, each one loop (one dispatch per block).
        // SAFETY (all reads): element pointers address `n` elements (the caller's contract).
        match (combine, term) {
            (Combine::Add, Term::Element) => {
                for (k, x) in acc.iter_mut().enumerate() {
                    *x = *x + unsafe { pa.add(k).read_unaligned() };
                }
                continue;
            }
            (Combine::Sub, Term::Element) => {
                for (k, x) in acc.iter_mut().enumerate() {
                    *x = *x - unsafe { pa.add(k).read_unaligned() };
                }
                continue;
            }
            (Combine::Add, Term::ElementTimesFixed) => {
                let w = T::from_word(b);
                for (k, x) in acc.iter_mut().enumerate() {
                    *x = *x + unsafe { pa.add(k).read_unaligned() } * w;
                }
                continue;
            }
            _ => {}
        }
        let mut t = [T::default(); B];
        match term {
            Term::Fixed => t = [T::from_word(a); B],
            Term::Element => {
                for (k, x) in t.iter_mut().enumerate() {
                    *x = unsafe { pa.add(k).read_unaligned() };
                }
            }
            Term::ElementTimesFixed => {
                let w = T::from_word(b);
                for (k, x) in t.iter_mut().enumerate() {
                    *x = unsafe { pa.add(k).read_unaligned() } * w;
                }
            }
            Term::ElementTimesElement => {
                for (k, x) in t.iter_mut().enumerate() {
                    *x = unsafe { pa.add(k).read_unaligned() * pb.add(k).read_unaligned() };
                }
            }
            Term::Integer => {
                for (k, x) in t.iter_mut().enumerate() {
                    *x = unsafe { T::from_integer_at(pa.add(k)) };
                }
            }
            Term::Square => {
                for (k, x) in t.iter_mut().enumerate() {
                    let y = unsafe { pa.add(k).read_unaligned() };
                    *x = y * y;
                }
            }
        }
        // One loop per operation, so each is a straight vector loop.
        macro_rules! each {
            (|$x:ident, $y:ident| $e:expr) => {
                for (acc_k, &t_k) in acc.iter_mut().zip(&t) {
                    let ($x, $y) = (*acc_k, t_k);
                    *acc_k = $e;
                }
            };
        }
        match combine {
            Combine::Set => acc = t,
            Combine::Add => each!(|x, y| x + y),
            Combine::Sub => each!(|x, y| x - y),
            Combine::SubRev => each!(|x, y| y - x),
            Combine::Mul => each!(|x, y| x * y),
            Combine::Div => each!(|x, y| x / y),
            Combine::DivRev => each!(|x, y| y / x),
            Combine::Sqrt => each!(|x, _y| x.sqrt()),
            Combine::Neg => each!(|x, _y| -x),
            Combine::Abs => each!(|x, _y| x.abs()),
            Combine::Pick(p) => each!(|x, y| p.apply(x, y)),
        }
    }
    for (k, &x) in acc.iter().enumerate() {
        // SAFETY: `out` addresses `B` writable elements.
        unsafe { out.add(k).write_unaligned(x) };
    }
}

/// `dst[j]` for `j` in `0..n`: blocks of `B`, then of 8, then one by one.
///
/// # Safety
/// `steps` holds valid steps whose element pointers address `n` readable elements of `T`;
/// `dst` addresses `n` writable ones, none of which the steps read except at the element being
/// written.
#[inline(always)]
unsafe fn fold<T: FoldFloat, const B: usize>(dst: *mut u8, steps: &[[u64; 3]], n: usize) {
    let dst = dst.cast::<T>();
    let mut j = 0;
    while j + B <= n {
        unsafe { block::<T, B>(dst.add(j), steps, j) };
        j += B;
    }
    while j + 8 <= n {
        unsafe { block::<T, 8>(dst.add(j), steps, j) };
        j += 8;
    }
    while j < n {
        let x = unsafe { element::<T>(steps, j) };
        unsafe { dst.add(j).write_unaligned(x) };
        j += 1;
    }
}

/// The machine code kept in a program's word 0 (this call site's, made for the same codes
/// earlier in the function's run), or `make`'s, kept there; `None` where no code can be made.
/// The float and integer folds' routines share it.
///
/// # Safety
/// `program` is a fold program whose word 0 is 0 or was written here with `make`'s kind of
/// kernel (the same routine's).
#[cfg(target_arch = "x86_64")]
pub(crate) unsafe fn cached_kernel(
    program: *mut u64,
    make: impl FnOnce() -> Option<crate::fold_jit::Kernel>,
) -> Option<crate::fold_jit::Kernel> {
    // SAFETY: the caller's contract.
    let cached = unsafe { program.read() };
    if cached != 0 {
        // SAFETY: a kernel's address, kept by an earlier call.
        return Some(unsafe {
            std::mem::transmute::<usize, crate::fold_jit::Kernel>(cached as usize)
        });
    }
    let made = make()?;
    // SAFETY: the caller's contract.
    unsafe { program.write(made as usize as u64) };
    Some(made)
}

/// How a fold's runs are computed on this CPU: by the program's machine code (whole blocks,
/// then one masked tail of `tail`'s registers), or interpreted in blocks.
#[derive(Clone, Copy)]
enum Runner {
    #[cfg(target_arch = "x86_64")]
    Compiled(crate::fold_jit::Kernel),
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Portable,
}

/// The runner for the program at `program` (`wide`: `f64` elements).
///
/// # Safety
/// `program` holds the runtime's word and `nsteps` steps.
#[inline(always)]
unsafe fn runner(program: *mut u64, nsteps: usize, wide: bool) -> Runner {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the caller's contract.
            let steps =
                unsafe { std::slice::from_raw_parts(program.add(1).cast::<[u64; 3]>(), nsteps) };
            let mode = crate::fold_jit::Mode::Store;
            // SAFETY: the caller's contract (word 0 is this runtime's).
            return match unsafe {
                cached_kernel(program, || crate::fold_jit::kernel(steps, wide, mode))
            } {
                Some(kernel) => Runner::Compiled(kernel),
                None => Runner::Avx512,
            };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return Runner::Avx2;
        }
    }
    let _ = (program, nsteps, wide);
    Runner::Portable
}

/// One run by the program's machine code: the first elements up to a cache line of `dst` in
/// one masked register (where whole blocks follow), whole blocks, then one masked tail of as
/// many registers as the rest needs: the blocks' stores then never straddle two lines.
/// Measured on 2M-element maps whose output starts 16 bytes into a line: `(a[i-1] + a[i] +
/// a[i+1]) / 3` 0.48 -> 0.42 ms, the same with offsets of 500 and 1000 elements 0.65 -> 0.56,
/// `(a[i] - b[i]) * 0.5 + 1.0` 0.68 -> 0.65.
///
/// # Safety
/// As [`fold_run`]'s; `kernel` is the program's.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn compiled<T: FoldFloat>(
    kernel: crate::fold_jit::Kernel,
    dst: *mut u8,
    steps: &[[u64; 3]],
    n: usize,
) {
    let size = std::mem::size_of::<T>();
    let per_block = crate::fold_jit::BLOCK_BYTES / size;
    let (peel, blocks) = crate::fold_jit::line_peel(dst as usize, size, per_block, n);
    let program = steps.as_ptr().cast();
    if peel > 0 {
        let tail = crate::fold_jit::tail_of(kernel, 1);
        // SAFETY: elements 0..peel, the lanes past them masked off.
        unsafe { tail(dst, program, 0, (1u64 << peel) - 1) };
    }
    let end = peel + blocks;
    if blocks > 0 {
        // SAFETY: the kernel computes the bytes from `peel` to `end`, whole blocks.
        unsafe { kernel(dst, program, end * size, peel * size) };
    }
    if end < n {
        let rest = n - end;
        let tail = crate::fold_jit::tail_of(kernel, (rest * size).div_ceil(64));
        // SAFETY: the lanes past `n` are masked off (not accessed).
        unsafe { tail(dst, program, end * size, (1u64 << rest) - 1) };
    }
}

/// One run of `n` (`n > 0`) elements as the program at `program` says, stored at `dst`.
///
/// # Safety
/// As the fold routines': `program` holds the runtime's word and `nsteps` steps whose
/// pointers address `n` elements; `dst` addresses `n` writable elements read only at the one
/// written; `runner` is [`runner`]'s for this program and `n`.
#[inline(always)]
unsafe fn fold_run<T: FoldFloat>(
    runner: Runner,
    dst: *mut u8,
    program: *mut u64,
    nsteps: usize,
    n: usize,
) {
    // SAFETY: the caller's contract.
    let steps = unsafe { std::slice::from_raw_parts(program.add(1).cast::<[u64; 3]>(), nsteps) };
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx512f")]
        unsafe fn avx512<T: FoldFloat>(dst: *mut u8, steps: &[[u64; 3]], n: usize) {
            unsafe { fold::<T, 32>(dst, steps, n) }
        }
        #[target_feature(enable = "avx2")]
        unsafe fn avx2<T: FoldFloat>(dst: *mut u8, steps: &[[u64; 3]], n: usize) {
            unsafe { fold::<T, 16>(dst, steps, n) }
        }
        match runner {
            Runner::Compiled(kernel) => {
                // SAFETY: the caller's contract.
                unsafe { compiled::<T>(kernel, dst, steps, n) };
                return;
            }
            Runner::Avx512 => return unsafe { avx512::<T>(dst, steps, n) },
            Runner::Avx2 => return unsafe { avx2::<T>(dst, steps, n) },
            Runner::Portable => {}
        }
    }
    let _ = runner;
    unsafe { fold::<T, 8>(dst, steps, n) };
}

macro_rules! fold_routine {
    ($name:ident, $rows:ident, $t:ty, $wide:expr) => {
        /// # Safety
        /// See the module doc: `program` holds the runtime's word and `nsteps` steps whose
        /// pointers address `n` elements; `dst` addresses `n` writable elements read only at
        /// the one written.
        pub unsafe extern "C" fn $name(
            dst: *mut u8,
            program: *mut u64,
            nsteps: i64,
            n: i64,
        ) -> i64 {
            if n > 0 && nsteps > 0 {
                let (nsteps, n) = (nsteps as usize, n as usize);
                // SAFETY: the caller's contract.
                unsafe {
                    let runner = runner(program, nsteps, $wide);
                    fold_run::<$t>(runner, dst, program, nsteps, n);
                }
            }
            0
        }

        /// `rows` runs of the program, each `n` elements: after each, `dst` and every
        /// pointer word of the steps move by their row strides, the `1 + 2 * nsteps` words
        /// after the steps (`dst`'s, then each step's `a` and `b`; 0 for fixed values).
        ///
        /// # Safety
        /// As the single run's, for every row the strides reach; the rows run in order, so a
        /// row may read what an earlier row stored.
        pub unsafe extern "C" fn $rows(
            dst: *mut u8,
            program: *mut u64,
            nsteps: i64,
            n: i64,
            rows: i64,
        ) -> i64 {
            if n <= 0 || nsteps <= 0 {
                return 0;
            }
            let (nsteps, n) = (nsteps as usize, n as usize);
            // SAFETY: the caller's contract: the strides follow the steps.
            let strides = unsafe { program.add(1 + 3 * nsteps) };
            let mut dst = dst;
            // SAFETY: the caller's contract.
            let runner = unsafe { runner(program, nsteps, $wide) };
            for row in 0..rows.max(0) {
                // SAFETY: the caller's contract, for this row.
                unsafe { fold_run::<$t>(runner, dst, program, nsteps, n) };
                if row + 1 == rows {
                    break;
                }
                // SAFETY: the words are the program's (no reference to them is alive).
                unsafe {
                    dst = dst.wrapping_offset(strides.read() as isize);
                    for w in 0..2 * nsteps {
                        let word = program.add(2 + w + w / 2);
                        word.write(word.read().wrapping_add(strides.add(1 + w).read()));
                    }
                }
            }
            0
        }
    };
}

fold_routine!(ferrojit_fold_f64, ferrojit_fold_rows_f64, f64, true);
fold_routine!(ferrojit_fold_f32, ferrojit_fold_rows_f32, f32, false);

/// Adds the elements of the blocks `0..blocks` (a multiple of `B`) into `lanes`, block by
/// interpreted block.
///
/// # Safety
/// As [`fold`]'s, for `blocks` elements.
#[inline(always)]
unsafe fn interpreted_block_sums<T: FoldFloat, const B: usize>(
    steps: &[[u64; 3]],
    blocks: usize,
    lanes: &mut [T; B],
) {
    for j in (0..blocks).step_by(B) {
        let mut values = [T::default(); B];
        // SAFETY: a block inside the elements, computed into a local buffer.
        unsafe { block::<T, B>(values.as_mut_ptr(), steps, j) };
        for (l, v) in lanes.iter_mut().zip(values) {
            *l = *l + v;
        }
    }
}

/// The sum of a fold's elements in no particular order (`fastmath`: the compiled loop's
/// reduction may be reassociated): whole blocks by the kernel's four accumulator registers,
/// the rest one by one; on other CPUs, interpreted blocks.
macro_rules! fold_sum_routine {
    ($name:ident, $t:ty, $wide:expr) => {
        /// # Safety
        /// See the module doc: `program` holds the runtime's word and `nsteps` steps whose
        /// pointers address `n` elements.
        pub unsafe extern "C" fn $name(program: *mut u64, nsteps: i64, n: i64) -> $t {
            if n <= 0 || nsteps <= 0 {
                return 0.0;
            }
            let n = n as usize;
            // SAFETY: the caller's contract.
            let steps = unsafe {
                std::slice::from_raw_parts(program.add(1).cast::<[u64; 3]>(), nsteps as usize)
            };
            let size = std::mem::size_of::<$t>();
            let per_block = 256 / size;
            let blocks = n / per_block * per_block;
            let mut lanes = [0.0 as $t; 256 / std::mem::size_of::<$t>()];
            let mut done = false;
            #[cfg(target_arch = "x86_64")]
            if blocks > 0 && std::arch::is_x86_feature_detected!("avx512f") {
                let mode = crate::fold_jit::Mode::Sum;
                // SAFETY: the caller's contract (word 0 is this runtime's).
                if let Some(kernel) = unsafe {
                    cached_kernel(program, || crate::fold_jit::kernel(steps, $wide, mode))
                } {
                    // SAFETY: the kernel reads `blocks` elements of each stream and writes its
                    // 256 bytes of partial sums to `lanes`.
                    unsafe {
                        kernel(
                            lanes.as_mut_ptr().cast(),
                            steps.as_ptr().cast(),
                            blocks * size,
                            0,
                        )
                    };
                    done = true;
                }
            }
            if !done {
                // SAFETY: the blocks lie inside `n` (the caller's contract).
                unsafe { interpreted_block_sums(steps, blocks, &mut lanes) };
            }
            let mut total = lanes.iter().fold(0.0 as $t, |s, &x| s + x);
            for j in blocks..n {
                total += unsafe { element::<$t>(steps, j) };
            }
            total
        }
    };
}

fold_sum_routine!(ferrojit_fold_sum_f64, f64, true);
fold_sum_routine!(ferrojit_fold_sum_f32, f32, false);

#[cfg(test)]
mod tests {
    use super::*;

    /// Arrays that end at an inaccessible page: the masked tail must not touch the lanes past
    /// the end (a read or write there would fault).
    #[test]
    fn tails_stay_inside_the_arrays() {
        // SAFETY: a fresh mapping of two pages, the second made inaccessible; the arrays are
        // placed to end at its start.
        unsafe {
            let page = 4096;
            let p = libc::mmap(
                std::ptr::null_mut(),
                2 * page,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            assert_ne!(p, libc::MAP_FAILED);
            assert_eq!(
                libc::mprotect(p.cast::<u8>().add(page).cast(), page, libc::PROT_NONE),
                0
            );
            let end = p.cast::<u8>().add(page);
            for n in [1usize, 7, 8, 9, 13, 31, 33, 45] {
                let a = end.sub(8 * n).cast::<f64>();
                let out = end.sub(16 * n + 64).cast::<f64>();
                for k in 0..n {
                    a.add(k).write(k as f64 + 0.5);
                }
                let mut program = vec![
                    0,
                    step_code(Combine::Set, Term::Square, None),
                    a as u64,
                    0,
                    step_code(Combine::Sqrt, Term::Fixed, None),
                    0,
                    0,
                ];
                ferrojit_fold_f64(out.cast(), program.as_mut_ptr(), 2, n as i64);
                for k in 0..n {
                    assert_eq!(out.add(k).read(), k as f64 + 0.5, "n {n}, element {k}");
                }
                // The destination at the end of the page too.
                let out = end.sub(8 * n).cast::<f64>();
                let b = end.sub(16 * n + 64).cast::<f64>();
                for k in 0..n {
                    b.add(k).write(-(k as f64));
                }
                let mut program =
                    vec![0, step_code(Combine::Set, Term::Element, None), b as u64, 0];
                ferrojit_fold_f64(out.cast(), program.as_mut_ptr(), 1, n as i64);
                for k in 0..n {
                    assert_eq!(out.add(k).read(), -(k as f64));
                }
            }
            libc::munmap(p, 2 * page);
        }
    }

    /// Sums of folds (`fastmath`): the in-order sum within a relative tolerance, for lengths
    /// around the kernel's block, the kernel's cached word reused.
    #[test]
    fn fold_sums_are_the_sums_of_their_elements() {
        let a: Vec<f64> = (0..700)
            .map(|k| ((k * 37 % 101) as f64 - 50.0) / 7.0)
            .collect();
        let b: Vec<f32> = a.iter().map(|&x| x as f32).collect();
        for n in [0usize, 1, 7, 31, 32, 33, 64, 100, 500, 700] {
            // |a[j] - 0.5|, then a[j] * a[j]: a mean absolute deviation and a sum of squares.
            let mut mad = vec![
                0,
                step_code(Combine::Set, Term::Element, None),
                a.as_ptr() as u64,
                0,
                step_code(Combine::Sub, Term::Fixed, None),
                0.5f64.to_bits(),
                0,
                step_code(Combine::Abs, Term::Fixed, None),
                0,
                0,
            ];
            let want: f64 = a[..n].iter().map(|x| (x - 0.5).abs()).sum();
            for _ in 0..2 {
                let got = unsafe { ferrojit_fold_sum_f64(mad.as_mut_ptr(), 3, n as i64) };
                assert!(
                    (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "{n}: {got} {want}"
                );
            }
            // The interpreted blocks (CPUs without AVX-512) sum the same elements.
            let mut lanes = [0.0f64; 32];
            let blocks = n / 32 * 32;
            let mad_steps: Vec<[u64; 3]> = mad[1..].chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
            unsafe { interpreted_block_sums(&mad_steps, blocks, &mut lanes) };
            let want_blocks: f64 = a[..blocks].iter().map(|x| (x - 0.5).abs()).sum();
            let got_blocks: f64 = lanes.iter().sum();
            assert!((got_blocks - want_blocks).abs() <= 1e-12 * want_blocks.abs().max(1.0));
            let mut squares = vec![
                0,
                step_code(Combine::Set, Term::Square, None),
                b.as_ptr() as u64,
                0,
            ];
            let want: f32 = b[..n].iter().map(|x| x * x).sum();
            let got = unsafe { ferrojit_fold_sum_f32(squares.as_mut_ptr(), 1, n as i64) };
            assert!(
                (got - want).abs() <= 1e-4 * want.abs().max(1.0),
                "{n}: {got} {want}"
            );
        }
    }

    #[test]
    fn codes_decode_to_their_steps() {
        for combine in Combine::ALL
            .into_iter()
            .chain(Pick::all().map(Combine::Pick))
        {
            for term in Term::ALL {
                for shared in [None, Some(0), Some(7)] {
                    let code = step_code(combine, term, shared);
                    assert_eq!(decode(code), Some((combine, term)));
                    assert_eq!(same_element_as(code), shared);
                }
            }
        }
        assert_eq!(decode(99), None);
    }

    /// A random fold over three inputs, run by the routine and element by element.
    #[test]
    fn folds_match_the_element_definition_bit_for_bit() {
        let mut next = crate::test_support::xorshift();
        let special = [0.0, -0.0, 1.5, -2.25, f64::NAN, f64::INFINITY, 1e-310, 3.0];
        for round in 0..400 {
            let n = (next() % 300) as usize;
            let inputs: Vec<Vec<f64>> = (0..3)
                .map(|_| {
                    (0..n + 1)
                        .map(|_| {
                            let r = next();
                            if r.is_multiple_of(9) {
                                special[(r >> 8) as usize % special.len()]
                            } else {
                                (r >> 11) as f64 / (1u64 << 53) as f64 * 8.0 - 4.0
                            }
                        })
                        .collect()
                })
                .collect();
            // Integers near and past 2^53 (f64) and 2^24 (f32), where conversion rounds.
            let integers: Vec<Vec<i64>> = (0..3)
                .map(|_| {
                    (0..n + 1)
                        .map(|_| {
                            let r = next();
                            (r as i64) >> (r % 64)
                        })
                        .collect()
                })
                .collect();
            let integers32: Vec<Vec<i32>> = integers
                .iter()
                .map(|v| v.iter().map(|&x| (x >> 16) as i32).collect())
                .collect();
            let inputs32: Vec<Vec<f32>> = inputs
                .iter()
                .map(|v| v.iter().map(|&x| x as f32).collect())
                .collect();
            let len = 1 + (next() % 24) as usize;
            // The first step reading each input's float elements as its `a` (an Integer term
            // reads other arrays): later ones say so, as the compiler does.
            let mut first_reader: [Option<usize>; 3] = [None; 3];
            // Word 0: the runtime's cache, zero before the first call.
            let mut steps64 = vec![0u64];
            let mut steps32 = vec![0u64];
            for k in 0..len {
                let combine = if k == 0 {
                    Combine::Set
                } else {
                    match next() % 12 {
                        9..=11 => Combine::Pick(Pick::all().nth((next() % 24) as usize).unwrap()),
                        c => Combine::ALL[1 + c as usize],
                    }
                };
                let term = Term::ALL[(next() % 6) as usize];
                let (a, b) = ((next() % 3) as usize, (next() % 3) as usize);
                let fixed = special[(next() % 8) as usize];
                let word = |x: f64, p: u64, elements: bool| if elements { p } else { x.to_bits() };
                // (Integer terms read the integer arrays.)
                let p64 = |i: usize| match term {
                    Term::Integer => integers[i].as_ptr() as u64,
                    _ => inputs[i].as_ptr() as u64,
                };
                let p32 = |i: usize| match term {
                    Term::Integer => integers32[i].as_ptr() as u64,
                    _ => inputs32[i].as_ptr() as u64,
                };
                let (wa, wb) = match term {
                    Term::Fixed => (false, false),
                    Term::Element | Term::Integer => (true, false),
                    Term::ElementTimesFixed | Term::Square => (true, false),
                    Term::ElementTimesElement => (true, true),
                };
                let reads_floats =
                    !combine.is_unary() && !matches!(term, Term::Fixed | Term::Integer);
                let shared = if reads_floats {
                    let earlier = first_reader[a];
                    first_reader[a].get_or_insert(k);
                    earlier
                } else {
                    None
                };
                steps64.extend([
                    step_code(combine, term, shared),
                    word(fixed, p64(a), wa),
                    word(fixed, p64(b), wb),
                ]);
                let word32 = |p: u64, elements: bool| {
                    if elements {
                        p
                    } else {
                        u64::from((fixed as f32).to_bits())
                    }
                };
                steps32.extend([
                    step_code(combine, term, shared),
                    word32(p32(a), wa),
                    word32(p32(b), wb),
                ]);
            }
            // The destination is a fourth array; or the first input, written in place.
            let in_place = round % 3 == 0;
            let mut got = vec![7.0f64; n];
            let mut got32 = vec![7.0f32; n];
            let mut want = got.clone();
            let mut want32 = got32.clone();
            let steps_ref: Vec<[u64; 3]> =
                steps64[1..].chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
            let steps32_ref: Vec<[u64; 3]> =
                steps32[1..].chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
            for j in 0..n {
                want[j] = unsafe { element::<f64>(&steps_ref, j) };
                want32[j] = unsafe { element::<f32>(&steps32_ref, j) };
            }
            let (dst, dst32) = if in_place {
                (
                    inputs[0].as_ptr() as *mut u8,
                    inputs32[0].as_ptr() as *mut u8,
                )
            } else {
                (got.as_mut_ptr().cast(), got32.as_mut_ptr().cast())
            };
            unsafe {
                ferrojit_fold_f64(dst, steps64.as_mut_ptr(), len as i64, n as i64);
                ferrojit_fold_f32(dst32, steps32.as_mut_ptr(), len as i64, n as i64);
            }
            if in_place {
                got = inputs[0][..n].to_vec();
                got32 = inputs32[0][..n].to_vec();
            } else if n >= 32 {
                // Again, through the machine code the first call cached in word 0.
                assert!(steps64[0] != 0 || !std::arch::is_x86_feature_detected!("avx512f"));
                let mut again = vec![0.0f64; n];
                unsafe {
                    ferrojit_fold_f64(
                        again.as_mut_ptr().cast(),
                        steps64.as_mut_ptr(),
                        len as i64,
                        n as i64,
                    )
                };
                assert_eq!(
                    again.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                    got.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
                );
            }
            // The interpreted blocks (CPUs without AVX-512) give the same elements.
            if !in_place {
                let mut interpreted = vec![0.0f64; n];
                unsafe { fold::<f64, 32>(interpreted.as_mut_ptr().cast(), &steps_ref, n) };
                let mut interpreted32 = vec![0.0f32; n];
                unsafe { fold::<f32, 16>(interpreted32.as_mut_ptr().cast(), &steps32_ref, n) };
                let same = |x: &[f64], y: &[f64]| {
                    x.iter()
                        .zip(y)
                        .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()))
                };
                assert!(same(&interpreted, &want), "interpreted f64, round {round}");
                let same32 = |x: &[f32], y: &[f32]| {
                    x.iter()
                        .zip(y)
                        .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()))
                };
                assert!(
                    same32(&interpreted32, &want32),
                    "interpreted f32, round {round}"
                );
            }
            // Bits, every NaN as one (see the module doc on NaN payloads).
            let bits = |v: &[f64]| {
                v.iter()
                    .map(|x| if x.is_nan() { 1 } else { x.to_bits() })
                    .collect::<Vec<_>>()
            };
            let bits32 = |v: &[f32]| {
                v.iter()
                    .map(|x| if x.is_nan() { 1 } else { x.to_bits() })
                    .collect::<Vec<_>>()
            };
            assert_eq!(bits(&got), bits(&want), "f64 round {round}, n {n}");
            assert_eq!(bits32(&got32), bits32(&want32), "f32 round {round}, n {n}");
        }
    }
}
