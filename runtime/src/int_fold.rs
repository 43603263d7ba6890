//! Integer folds: the `int64`/`int32` counterpart of [`crate::fold`], for compiled vector loops
//! whose stored value, or whose integer sum, is a left-to-right chain of integer operations on
//! elements (`ia[i] * 3 + 7`, a clamp as `smin`/`smax`, `s += ia[i] % 8 + ia[i] // 4` once
//! lowered to `(x & 7) + (x >> 2)`). Cranelift's 128-bit vectors hold two `int64` lanes, so such
//! loops were bound by instructions (four per two elements for the last one); the machine code
//! made here runs them on AVX-512's eight.
//!
//! Integer arithmetic here wraps, as the compiled loop's does, so results are the loop's
//! exactly, sums included: a wrapping sum is the same in any order.
//!
//! The program: a word the runtime owns (the machine code's address, 0 on entry to the
//! compiled function), then three words per step `[code, a, b]`. The code's low byte is the
//! operation on the accumulator ([`IntOp`]), the next byte the term's kind ([`IntTerm`]), the
//! third byte, for an element-with-fixed-value term, that term's own operation; the fourth may
//! name an earlier step reading the same elements ([`int_same_element_as`]). `a` is an element
//! pointer or a fixed value, `b` an element term's fixed value. Shift amounts are fixed values
//! already reduced modulo the width (the compiler's shifts take them so); the machine code,
//! made once per sequence of codes and amounts, shifts by immediates.

/// An operation on the accumulator `acc` with the term `t`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IntOp {
    /// `acc = t`.
    Set,
    Add,
    Sub,
    /// `acc = t - acc`.
    SubRev,
    Mul,
    And,
    Or,
    Xor,
    /// `acc << t` (a fixed amount, below the width).
    Shl,
    /// Arithmetic shift right by a fixed amount.
    Sar,
    /// Logical shift right by a fixed amount.
    Shr,
    /// Signed minimum.
    Min,
    /// Signed maximum.
    Max,
}

/// A step's term.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IntTerm {
    /// The value in `a`.
    Fixed,
    /// `a[j]`.
    Element,
    /// `a[j] op b`, `op` one of `Mul`, `And`, `Or`, `Xor`, `Shl`, `Sar`, `Shr` (third code byte).
    ElementWith(IntOp),
}

impl IntOp {
    /// In code order.
    pub const ALL: [IntOp; 13] = [
        IntOp::Set,
        IntOp::Add,
        IntOp::Sub,
        IntOp::SubRev,
        IntOp::Mul,
        IntOp::And,
        IntOp::Or,
        IntOp::Xor,
        IntOp::Shl,
        IntOp::Sar,
        IntOp::Shr,
        IntOp::Min,
        IntOp::Max,
    ];

    fn code(self) -> u64 {
        IntOp::ALL.iter().position(|&o| o == self).expect("listed") as u64
    }

    /// True for the shifts, whose term must be a fixed amount.
    pub fn is_shift(self) -> bool {
        matches!(self, IntOp::Shl | IntOp::Sar | IntOp::Shr)
    }

    /// True for the operations an element term may apply to its fixed value.
    pub fn applies_to_elements(self) -> bool {
        matches!(
            self,
            IntOp::Mul | IntOp::And | IntOp::Or | IntOp::Xor | IntOp::Shl | IntOp::Sar | IntOp::Shr
        )
    }
}

/// A step's code word. `same_element_as`: an earlier step whose term reads the same elements
/// (its `a` is this step's, a promise of the compiler), so that the machine code loads them
/// once (`(x & 7) + (x >> 2)` reads `x` twice).
pub fn int_step_code(op: IntOp, term: IntTerm, same_element_as: Option<usize>) -> u64 {
    let (kind, inner) = match term {
        IntTerm::Fixed => (0, 0),
        IntTerm::Element => (1, 0),
        IntTerm::ElementWith(inner) => (2, inner.code()),
    };
    let shared = same_element_as.map_or(0, |k| k as u64 + 1);
    op.code() | kind << 8 | inner << 16 | shared << 24
}

/// The earlier step whose elements a step's code says its term reads ([`int_step_code`]).
pub fn int_same_element_as(code: u64) -> Option<usize> {
    match (code >> 24) & 0xFF {
        0 => None,
        k => Some(k as usize - 1),
    }
}

/// [`int_step_code`]'s inverse; `None` for a word no step has.
pub fn int_decode(code: u64) -> Option<(IntOp, IntTerm)> {
    let op = *IntOp::ALL.get(usize::try_from(code & 0xFF).ok()?)?;
    let inner = *IntOp::ALL.get(usize::try_from((code >> 16) & 0xFF).ok()?)?;
    let term = match (code >> 8) & 0xFF {
        0 => IntTerm::Fixed,
        1 => IntTerm::Element,
        2 if inner.applies_to_elements() => IntTerm::ElementWith(inner),
        _ => return None,
    };
    let shift_of_element = op.is_shift() && term != IntTerm::Fixed;
    let shared = int_same_element_as(code).is_some();
    let valid = code >> 32 == 0 && !shift_of_element && !(shared && term == IntTerm::Fixed);
    valid.then_some((op, term))
}

/// The integer types an integer fold runs on.
pub trait FoldInt: Copy + Default + Eq + Ord + std::fmt::Debug {
    /// The value in the low bits of `word`.
    fn from_word(word: u64) -> Self;
    fn wrapping_add(self, other: Self) -> Self;
    fn wrapping_sub(self, other: Self) -> Self;
    fn wrapping_mul(self, other: Self) -> Self;
    fn and(self, other: Self) -> Self;
    fn or(self, other: Self) -> Self;
    fn xor(self, other: Self) -> Self;
    fn shl(self, by: u32) -> Self;
    fn sar(self, by: u32) -> Self;
    fn shr(self, by: u32) -> Self;
    /// The value as a shift amount: its low bits, modulo the width.
    fn amount(self) -> u32;
}

macro_rules! fold_int {
    ($t:ty, $u:ty) => {
        impl FoldInt for $t {
            #[inline(always)]
            fn from_word(word: u64) -> Self {
                word as $t
            }
            #[inline(always)]
            fn wrapping_add(self, other: Self) -> Self {
                <$t>::wrapping_add(self, other)
            }
            #[inline(always)]
            fn wrapping_sub(self, other: Self) -> Self {
                <$t>::wrapping_sub(self, other)
            }
            #[inline(always)]
            fn wrapping_mul(self, other: Self) -> Self {
                <$t>::wrapping_mul(self, other)
            }
            #[inline(always)]
            fn and(self, other: Self) -> Self {
                self & other
            }
            #[inline(always)]
            fn or(self, other: Self) -> Self {
                self | other
            }
            #[inline(always)]
            fn xor(self, other: Self) -> Self {
                self ^ other
            }
            #[inline(always)]
            fn shl(self, by: u32) -> Self {
                self.wrapping_shl(by)
            }
            #[inline(always)]
            fn sar(self, by: u32) -> Self {
                self.wrapping_shr(by)
            }
            #[inline(always)]
            fn shr(self, by: u32) -> Self {
                (self as $u).wrapping_shr(by) as $t
            }
            #[inline(always)]
            fn amount(self) -> u32 {
                (self as u32) & (<$t>::BITS - 1)
            }
        }
    };
}

fold_int!(i64, u64);
fold_int!(i32, u32);

/// What `op` makes of `acc` and `t` (the one definition: the routines' scalar elements, the
/// IR interpreter and the tests use it).
#[inline(always)]
pub fn int_apply<T: FoldInt>(op: IntOp, acc: T, t: T) -> T {
    match op {
        IntOp::Set => t,
        IntOp::Add => acc.wrapping_add(t),
        IntOp::Sub => acc.wrapping_sub(t),
        IntOp::SubRev => t.wrapping_sub(acc),
        IntOp::Mul => acc.wrapping_mul(t),
        IntOp::And => acc.and(t),
        IntOp::Or => acc.or(t),
        IntOp::Xor => acc.xor(t),
        // (Shift amounts come reduced modulo the width; the low bits are taken again.)
        IntOp::Shl => acc.shl(t.amount()),
        IntOp::Sar => acc.sar(t.amount()),
        IntOp::Shr => acc.shr(t.amount()),
        IntOp::Min => acc.min(t),
        IntOp::Max => acc.max(t),
    }
}

/// A program's steps decoded once for the elements computed one by one: operation, term,
/// `a` and `b` (at most [`MAX_INT_STEPS`]).
struct Decoded {
    steps: [(IntOp, IntTerm, u64, u64); MAX_INT_STEPS],
    len: usize,
}

/// The most steps an integer fold has (the compiler makes no longer ones: the machine code
/// keeps a register per fixed value).
pub const MAX_INT_STEPS: usize = 16;

impl Decoded {
    fn new(steps: &[[u64; 3]]) -> Decoded {
        let mut decoded = Decoded {
            steps: [(IntOp::Set, IntTerm::Fixed, 0, 0); MAX_INT_STEPS],
            len: steps.len().min(MAX_INT_STEPS),
        };
        for (d, &[code, a, b]) in decoded.steps.iter_mut().zip(steps) {
            let (op, term) = int_decode(code).expect("compiled code writes valid steps");
            *d = (op, term, a, b);
        }
        decoded
    }

    /// Element `j` of a narrow program: `int16` elements, sign-extended, computed in
    /// `int32` (the caller truncates the result to `int16`).
    ///
    /// # Safety
    /// Every element pointer addresses more than `j` `int16`s.
    #[inline(always)]
    unsafe fn narrow_element(&self, j: usize) -> i32 {
        let steps = self.steps[..self.len].iter().copied();
        // SAFETY: the caller's contract.
        evaluate(steps, |a| {
            i32::from(unsafe { (a as *const i16).add(j).read_unaligned() })
        })
    }

    /// Element `j`.
    ///
    /// # Safety
    /// Every element pointer addresses more than `j` elements of `T`.
    #[inline(always)]
    unsafe fn element<T: FoldInt>(&self, j: usize) -> T {
        let steps = self.steps[..self.len].iter().copied();
        // SAFETY: the caller's contract.
        evaluate(steps, |a| unsafe {
            (a as *const T).add(j).read_unaligned()
        })
    }
}

/// One element of decoded steps (operation, term, `a`, `b`), each element term's value read
/// from its pointer `a` by `load`: the one definition the routines' scalar elements and the
/// tests use.
#[inline(always)]
fn evaluate<T: FoldInt>(
    steps: impl Iterator<Item = (IntOp, IntTerm, u64, u64)>,
    load: impl Fn(u64) -> T,
) -> T {
    let mut acc = T::default();
    for (op, term, a, b) in steps {
        let t = match term {
            IntTerm::Fixed => T::from_word(a),
            IntTerm::Element => load(a),
            IntTerm::ElementWith(inner) => int_apply(inner, load(a), T::from_word(b)),
        };
        acc = int_apply(op, acc, t);
    }
    acc
}

/// Element `j` of the program `steps`.
///
/// # Safety
/// Every element pointer of `steps` addresses more than `j` elements of `T`.
#[inline(always)]
pub unsafe fn int_element<T: FoldInt>(steps: &[[u64; 3]], j: usize) -> T {
    let decoded = steps.iter().map(|&[code, a, b]| {
        let (op, term) = int_decode(code).expect("compiled code writes valid steps");
        (op, term, a, b)
    });
    // SAFETY: the caller's contract.
    evaluate(decoded, |a| unsafe {
        (a as *const T).add(j).read_unaligned()
    })
}

macro_rules! int_fold_routines {
    ($store:ident, $sum:ident, $t:ty, $wide:expr) => {
        /// `dst[j]` for the `n` elements of the program at `program` (`nsteps` steps).
        ///
        /// # Safety
        /// `program` holds the runtime's word and `nsteps` valid steps whose pointers address
        /// `n` elements; `dst` addresses `n` writable elements read only at the one written.
        pub unsafe extern "C" fn $store(
            dst: *mut u8,
            program: *mut u64,
            nsteps: i64,
            n: i64,
        ) -> i64 {
            if n <= 0 || nsteps <= 0 {
                return 0;
            }
            let (n, dst) = (n as usize, dst.cast::<$t>());
            // SAFETY: the caller's contract.
            let steps = unsafe {
                std::slice::from_raw_parts(program.add(1).cast::<[u64; 3]>(), nsteps as usize)
            };
            if steps.len() > MAX_INT_STEPS {
                for j in 0..n {
                    // SAFETY: `j < n` (the caller's contract).
                    unsafe { dst.add(j).write_unaligned(int_element::<$t>(steps, j)) };
                }
                return 0;
            }
            let decoded = Decoded::new(steps);
            // The elements before a cache line of `dst` one by one, so that the blocks' stores
            // never straddle two lines.
            let size = std::mem::size_of::<$t>();
            let per_block = crate::fold_jit::BLOCK_BYTES / size;
            let (peel, blocks) = crate::fold_jit::line_peel(dst as usize, size, per_block, n);
            let (mut from, mut to) = (0, 0);
            #[cfg(target_arch = "x86_64")]
            if blocks > 0 {
                let mode = crate::fold_jit::Mode::Store;
                // SAFETY: the caller's contract (word 0 is this runtime's).
                if let Some(kernel) =
                    unsafe { cached_int_kernel(program, steps, $wide, mode, false) }
                {
                    // SAFETY: whole blocks of elements inside `n`.
                    unsafe {
                        kernel(
                            dst.cast(),
                            steps.as_ptr().cast(),
                            (peel + blocks) * size,
                            peel * size,
                        )
                    };
                    (from, to) = (peel, peel + blocks);
                }
            }
            for j in (0..from).chain(to..n) {
                // SAFETY: `j < n` (the caller's contract).
                unsafe { dst.add(j).write_unaligned(decoded.element::<$t>(j)) };
            }
            0
        }

        /// The wrapping sum of the `n` elements of the program at `program` (an `int32` sum
        /// sign-extended).
        ///
        /// # Safety
        /// As the store routine's, without a destination.
        pub unsafe extern "C" fn $sum(program: *mut u64, nsteps: i64, n: i64) -> i64 {
            if n <= 0 || nsteps <= 0 {
                return 0;
            }
            let n = n as usize;
            // SAFETY: the caller's contract.
            let steps = unsafe {
                std::slice::from_raw_parts(program.add(1).cast::<[u64; 3]>(), nsteps as usize)
            };
            if steps.len() > MAX_INT_STEPS {
                let total = (0..n).fold(0 as $t, |s, j| {
                    // SAFETY: `j < n` (the caller's contract).
                    s.wrapping_add(unsafe { int_element::<$t>(steps, j) })
                });
                return i64::from(total);
            }
            let decoded = Decoded::new(steps);
            // The elements before a cache line of the first stream one by one, so that the
            // blocks' loads of it are whole lines (a sum's stream is usually one array).
            let first = decoded.steps[..decoded.len]
                .iter()
                .find(|s| s.1 != IntTerm::Fixed)
                .map_or(0, |s| s.2 as usize);
            let size = std::mem::size_of::<$t>();
            let per_block = crate::fold_jit::BLOCK_BYTES / size;
            let (peel, blocks) = crate::fold_jit::line_peel(first, size, per_block, n);
            let mut total: $t = 0;
            let (mut from, mut to) = (0, 0);
            #[cfg(target_arch = "x86_64")]
            if blocks > 0 {
                let mode = crate::fold_jit::Mode::Sum;
                // SAFETY: the caller's contract (word 0 is this runtime's).
                if let Some(kernel) =
                    unsafe { cached_int_kernel(program, steps, $wide, mode, false) }
                {
                    let mut lanes = [0 as $t; 256 / std::mem::size_of::<$t>()];
                    // SAFETY: the kernel reads whole blocks inside `n` and writes its 256 bytes
                    // of partial sums to `lanes`.
                    unsafe {
                        kernel(
                            lanes.as_mut_ptr().cast(),
                            steps.as_ptr().cast(),
                            (peel + blocks) * size,
                            peel * size,
                        )
                    };
                    total = lanes.iter().fold(0, |s: $t, &x| s.wrapping_add(x));
                    (from, to) = (peel, peel + blocks);
                }
            }
            for j in (0..from).chain(to..n) {
                // SAFETY: `j < n` (the caller's contract).
                total = total.wrapping_add(unsafe { decoded.element::<$t>(j) });
            }
            i64::from(total)
        }
    };
}

int_fold_routines!(ferrojit_int_fold_i64, ferrojit_int_fold_sum_i64, i64, true);
int_fold_routines!(ferrojit_int_fold_i32, ferrojit_int_fold_sum_i32, i32, false);

/// `dst[j]` for the `n` elements of a narrow program: `int16` elements sign-extended to
/// `int32`, the chain in `int32`, each result truncated to `int16` (an `int16` sample scaled in
/// `int32` lanes and stored back: `int(x) * 3 // 4`).
///
/// # Safety
/// As [`ferrojit_int_fold_i64`]'s, for `int16` elements and destination.
pub unsafe extern "C" fn ferrojit_int_fold_i16(
    dst: *mut u8,
    program: *mut u64,
    nsteps: i64,
    n: i64,
) -> i64 {
    if n <= 0 || nsteps <= 0 || nsteps as usize > MAX_INT_STEPS {
        return 0;
    }
    let (n, dst) = (n as usize, dst.cast::<i16>());
    // SAFETY: the caller's contract.
    let steps =
        unsafe { std::slice::from_raw_parts(program.add(1).cast::<[u64; 3]>(), nsteps as usize) };
    let decoded = Decoded::new(steps);
    // 64 samples a block (four registers of 16 `int32` lanes).
    let (peel, blocks) = crate::fold_jit::line_peel(dst as usize, 2, 64, n);
    let (mut from, mut to) = (0, 0);
    #[cfg(target_arch = "x86_64")]
    if blocks > 0 {
        let mode = crate::fold_jit::Mode::Store;
        // SAFETY: the caller's contract (word 0 is this runtime's).
        if let Some(kernel) = unsafe { cached_int_kernel(program, steps, false, mode, true) } {
            // SAFETY: whole blocks of elements inside `n`.
            unsafe {
                kernel(
                    dst.cast(),
                    steps.as_ptr().cast(),
                    (peel + blocks) * 2,
                    peel * 2,
                )
            };
            (from, to) = (peel, peel + blocks);
        }
    }
    for j in (0..from).chain(to..n) {
        // SAFETY: `j < n` (the caller's contract).
        unsafe { dst.add(j).write_unaligned(decoded.narrow_element(j) as i16) };
    }
    0
}

/// The program's machine code, kept in its word 0 for the rest of the function's run.
///
/// # Safety
/// `program`'s word 0 is 0 or was written here for this `mode`, width and narrowness.
#[cfg(target_arch = "x86_64")]
unsafe fn cached_int_kernel(
    program: *mut u64,
    steps: &[[u64; 3]],
    wide: bool,
    mode: crate::fold_jit::Mode,
    narrow: bool,
) -> Option<crate::fold_jit::Kernel> {
    // SAFETY: the caller's contract.
    unsafe {
        crate::fold::cached_kernel(program, || {
            crate::fold_jit::int_kernel(steps, wide, mode, narrow)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_decode_to_their_steps() {
        for op in IntOp::ALL {
            let mut terms = vec![IntTerm::Fixed, IntTerm::Element];
            terms.extend(
                IntOp::ALL
                    .into_iter()
                    .filter(|o| o.applies_to_elements())
                    .map(IntTerm::ElementWith),
            );
            for term in terms {
                let code = int_step_code(op, term, None);
                let valid = !(op.is_shift() && term != IntTerm::Fixed);
                assert_eq!(int_decode(code), valid.then_some((op, term)));
            }
        }
        assert_eq!(
            int_decode(2 | 2 << 8 | 1 << 16),
            None,
            "an element term adding"
        );
    }

    /// Random programs over three inputs, run by the routines (machine code for whole blocks
    /// where the CPU has AVX-512) and element by element.
    #[test]
    fn int_folds_match_the_element_definition() {
        let mut next = crate::test_support::xorshift();
        let special = [0i64, -1, 1, i64::MIN, i64::MAX, 7, -8, 1 << 40];
        for round in 0..300 {
            let n = (next() % 300) as usize;
            let inputs: Vec<Vec<i64>> = (0..3)
                .map(|_| {
                    (0..n + 1)
                        .map(|_| {
                            let r = next();
                            if r.is_multiple_of(7) {
                                special[(r >> 8) as usize % special.len()]
                            } else {
                                (r as i64) >> (r % 60)
                            }
                        })
                        .collect()
                })
                .collect();
            let inputs32: Vec<Vec<i32>> = inputs
                .iter()
                .map(|v| v.iter().map(|&x| x as i32).collect())
                .collect();
            let inputs16: Vec<Vec<i16>> = inputs
                .iter()
                .map(|v| v.iter().map(|&x| x as i16).collect())
                .collect();
            let len = 1 + (next() % 8) as usize;
            let mut p64 = vec![0u64];
            let mut p32 = vec![0u64];
            let mut p16 = vec![0u64];
            let mut first_reader: [Option<usize>; 3] = [None; 3];
            for k in 0..len {
                let op = if k == 0 {
                    IntOp::Set
                } else {
                    IntOp::ALL[1 + (next() % 12) as usize]
                };
                let fixed = special[(next() % 8) as usize] as u64 ^ (next() % 5);
                let stream = (next() % 3) as usize;
                let inner = [
                    IntOp::Mul,
                    IntOp::And,
                    IntOp::Or,
                    IntOp::Xor,
                    IntOp::Shl,
                    IntOp::Sar,
                    IntOp::Shr,
                ][(next() % 7) as usize];
                let term = if op.is_shift() {
                    IntTerm::Fixed
                } else {
                    [
                        IntTerm::Fixed,
                        IntTerm::Element,
                        IntTerm::ElementWith(inner),
                    ][(next() % 3) as usize]
                };
                // (Shift amounts reduced modulo the width, as the compiler writes them.)
                let reduce = |x: u64, bits: u64, shift: bool| if shift { x % bits } else { x };
                // An element term says which earlier step read its stream first, as the
                // compiler does.
                let shared = if term == IntTerm::Fixed {
                    None
                } else {
                    let earlier = first_reader[stream];
                    first_reader[stream].get_or_insert(k);
                    earlier
                };
                let code = int_step_code(op, term, shared);
                let (a64, a32, a16) = match term {
                    IntTerm::Fixed => {
                        let x32 = reduce(fixed, 32, op.is_shift());
                        (reduce(fixed, 64, op.is_shift()), x32, x32)
                    }
                    _ => (
                        inputs[stream].as_ptr() as u64,
                        inputs32[stream].as_ptr() as u64,
                        inputs16[stream].as_ptr() as u64,
                    ),
                };
                let inner_shift = matches!(term, IntTerm::ElementWith(o) if o.is_shift());
                p64.extend([code, a64, reduce(fixed, 64, inner_shift)]);
                p32.extend([code, a32, reduce(fixed, 32, inner_shift)]);
                p16.extend([code, a16, reduce(fixed, 32, inner_shift)]);
            }
            let steps = |p: &[u64]| -> Vec<[u64; 3]> {
                p[1..].chunks(3).map(|c| [c[0], c[1], c[2]]).collect()
            };
            let (s64, s32) = (steps(&p64), steps(&p32));
            let mut out64 = vec![0i64; n];
            let mut out32 = vec![0i32; n];
            unsafe {
                ferrojit_int_fold_i64(
                    out64.as_mut_ptr().cast(),
                    p64.clone().as_mut_ptr(),
                    len as i64,
                    n as i64,
                );
                ferrojit_int_fold_i32(
                    out32.as_mut_ptr().cast(),
                    p32.clone().as_mut_ptr(),
                    len as i64,
                    n as i64,
                );
                let want64: Vec<i64> = (0..n).map(|j| int_element::<i64>(&s64, j)).collect();
                let want32: Vec<i32> = (0..n).map(|j| int_element::<i32>(&s32, j)).collect();
                assert_eq!(out64, want64, "i64 round {round}, n {n}, steps {s64:?}");
                assert_eq!(out32, want32, "i32 round {round}, n {n}");
                let sum64 =
                    ferrojit_int_fold_sum_i64(p64.clone().as_mut_ptr(), len as i64, n as i64);
                let sum32 =
                    ferrojit_int_fold_sum_i32(p32.clone().as_mut_ptr(), len as i64, n as i64);
                assert_eq!(
                    sum64,
                    want64.iter().fold(0i64, |s, &x| s.wrapping_add(x)),
                    "i64 sum round {round}"
                );
                let want_sum32 = want32.iter().fold(0i32, |s, &x| s.wrapping_add(x));
                // Narrow: int16 elements, int32 arithmetic, int16 results.
                let s16 = steps(&p16);
                let mut out16 = vec![0i16; n];
                ferrojit_int_fold_i16(
                    out16.as_mut_ptr().cast(),
                    p16.clone().as_mut_ptr(),
                    len as i64,
                    n as i64,
                );
                let decoded16 = Decoded::new(&s16);
                let want16: Vec<i16> = (0..n).map(|j| decoded16.narrow_element(j) as i16).collect();
                assert_eq!(out16, want16, "i16 round {round}, n {n}, steps {s16:?}");
                assert_eq!(sum32, i64::from(want_sum32), "i32 sum round {round}");
            }
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            assert!(
                crate::fold_jit::int_kernels_made() > 100,
                "the machine code ran"
            );
        }
    }
}
