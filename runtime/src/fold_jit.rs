//! Machine code for [`crate::fold`] programs on x86-64 CPUs with AVX-512: one small loop per
//! distinct sequence of step codes, emitted here (EVEX-encoded 512-bit instructions), cached
//! for the life of the process, and called for the blocks of 32 `f64` (64 `f32`) elements.
//!
//! Interpreting a program block by block costs a dispatch per step and block, as much as the
//! arithmetic itself for short programs (a 5-point stencil ran at a third of the speed of the
//! same loop compiled by rustc for AVX-512). The code made here has no dispatch: each step is
//! its loads and operations on four accumulator registers (`zmm0`–`zmm3`); the program's fixed
//! values are broadcast once before the loop (into zmm16–31), its element pointers read from
//! the steps array in every block, or kept in a register when there is one ([`Homes`]); they
//! change from call to call, so the code depends only on the step codes. The results are
//! stored after the last step, as the interpreter does. The operations are the interpreter's,
//! one IEEE operation each, in the same order, so the results are the same bit for bit (a
//! product of an element with a fixed value is computed as `fixed * element`, which can only
//! change a NaN's payload). Loops start on a 64-byte boundary and use EVEX's one-byte
//! displacements for element operands.
//!
//! Generated code: a block loop `extern "sysv64" fn(dst, steps, end, start)` computing the
//! elements from byte `start` to byte `end`, a positive multiple of 256 apart; and a tail `fn(dst,
//! steps, offset, lanes)` for each of 1 to 4 registers that computes them from byte `offset`
//! with the last register's element accesses masked by its bits of `lanes` (one bit per
//! element) in `k1`: the lanes past the end are neither read nor written. Registers: `rcx` the byte
//! offset, `rax`/`r8` reloaded element pointers, `r9`–`r11` kept ones, `zmm0`–`zmm3`
//! accumulators, `zmm4`–`zmm7` terms, `zmm8` a reloaded fixed value, `zmm9`/`zmm10` the sign
//! and magnitude masks, `zmm11`–`zmm14` sums, `zmm16`–`zmm31` kept fixed values and
//! elements read by several steps; `k1` the tail's mask; all caller-saved.

use crate::fold::{Combine, Compare, Operand, Pick, Term};
use std::collections::HashMap;
use std::sync::Mutex;

/// A compiled program's block loop: `(dst, steps, end, start)`, the elements from byte `start`
/// to byte `end` (a positive multiple of the block apart).
pub(crate) type Kernel = unsafe extern "sysv64" fn(*mut u8, *const u64, usize, usize);

/// Its masked tail: `(dst, steps, offset, lanes)`: one block of elements from byte `offset`,
/// the elements whose bits `lanes` sets.
pub(crate) type Tail = unsafe extern "sysv64" fn(*mut u8, *const u64, usize, u64);

/// A kernel's tail for `regs` registers (1 to 4: the fewest that hold the rest):
/// [`install`] keeps the four tails' distances from the block loop in the 16 bytes before the
/// code.
pub(crate) fn tail_of(kernel: Kernel, regs: usize) -> Tail {
    debug_assert!((1..=4).contains(&regs));
    // SAFETY: every kernel is installed with its tails' offsets in the 16 bytes before it.
    unsafe {
        let start = kernel as usize;
        let offset = (start as *const u32).sub(5 - regs).read_unaligned() as usize;
        std::mem::transmute::<usize, Tail>(start + offset)
    }
}

/// Bytes a generated loop computes per iteration (four 64-byte registers).
pub(crate) const BLOCK_BYTES: usize = 256;

/// How a run of `n` elements of `size` bytes starting at `address` splits for a block loop of
/// `per_block` elements: `(peel, blocks)`, the elements before the first cache line (done
/// apart, so that the blocks' accesses at `address` are whole lines; none when `address` is
/// not element-aligned or the run is too short for a block after them) and the elements the
/// whole blocks after them cover.
pub(crate) fn line_peel(address: usize, size: usize, per_block: usize, n: usize) -> (usize, usize) {
    let to_line = if address.is_multiple_of(size) {
        (64 - address % 64) % 64 / size
    } else {
        0
    };
    let peel = if n >= to_line + per_block { to_line } else { 0 };
    (peel, (n - peel) / per_block * per_block)
}

/// What a kernel is made for: the element width (`true`: `f64`), whether it sums its
/// elements instead of storing them ([`Mode::Sum`]), whether it keeps its element pointers in
/// registers ([`Homes`]), and the step codes.
type Signature = (bool, Mode, bool, Vec<u64>);

/// What a kernel does with the elements it computes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Mode {
    /// Stores them at `dst`.
    Store,
    /// Adds them into four accumulator registers, stored at `dst` (256 bytes) at the end:
    /// a `fastmath` sum, in no particular order. (No tail: the caller adds the last elements.)
    Sum,
}

/// Compiled kernels' addresses by signature (never freed: a process has few). Callers keep
/// the kernel of their call site (`crate::fold`'s program word), so this is consulted once per
/// run of a compiled function.
static KERNELS: Mutex<Option<HashMap<Signature, usize>>> = Mutex::new(None);

/// The kernel for `steps` (`wide`: `f64`), compiling it on first use; `None` where the program
/// cannot be compiled (no executable memory).
pub(crate) fn kernel(steps: &[[u64; 3]], wide: bool, mode: Mode) -> Option<Kernel> {
    let keep = apart(steps);
    // Each run of a compiled function looks its kernels up again (the program word starts at
    // 0): a thread's recent kernels answer without the lock and without a key to allocate
    // (a 64-element map's call took 0.4 us against Numba's 0.2).
    let same = |(w, m, k, codes, _): &Recent| {
        *w == wide
            && *m == mode
            && *k == keep
            && codes.len() == steps.len()
            && codes.iter().zip(steps).all(|(c, s)| *c == s[0])
    };
    if let Some(address) = RECENT.with_borrow(|recent| recent.iter().find(|e| same(e)).map(|e| e.4))
    {
        // SAFETY: an address `kernel` returned before, mapped executable for good.
        return Some(unsafe { std::mem::transmute::<usize, Kernel>(address) });
    }
    let codes: Vec<u64> = steps.iter().map(|s| s[0]).collect();
    let made = compiled_kernel(wide, mode, keep, codes.clone())?;
    RECENT.with_borrow_mut(|recent| {
        if recent.len() == RECENT_KERNELS {
            recent.remove(0);
        }
        recent.push((wide, mode, keep, codes, made as usize));
    });
    Some(made)
}

/// How many kernels a thread remembers ([`kernel`]).
const RECENT_KERNELS: usize = 8;

/// A remembered kernel: its signature's parts ([`Signature`]) and its address.
type Recent = (bool, Mode, bool, Vec<u64>, usize);

thread_local! {
    static RECENT: std::cell::RefCell<Vec<Recent>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The kernel for a signature from the process's table, compiled on first use.
fn compiled_kernel(wide: bool, mode: Mode, keep: bool, codes: Vec<u64>) -> Option<Kernel> {
    let mut table = KERNELS.lock().unwrap_or_else(|e| e.into_inner());
    let table = table.get_or_insert_with(HashMap::new);
    let key = (wide, mode, keep, codes);
    let address = match table.get(&key) {
        Some(&a) => a,
        None => {
            let (code, tails) = emit(&key.3, wide, mode, keep)?;
            let a = install(&code, tails)?;
            table.insert(key, a);
            a
        }
    };
    // SAFETY: `address` is the start of code emitted for this signature, mapped executable.
    Some(unsafe { std::mem::transmute::<usize, Kernel>(address) })
}

/// True if the program's element streams lie in separate arrays (no two pointers within
/// [`NEAR`] bytes of each other): then its kernel keeps up to three pointers in registers.
/// Measured on 2M-element `f64` maps, by where the streams lie: streams of separate arrays
/// run 1.1-1.3x faster with their pointers in registers (`(a[i] - b[i]) * 0.5 + 1.0` 0.86 ->
/// 0.67 ms, `max(a[i] - b[i], 0.0)` 0.87 -> 0.68, `sqrt(a*a + b*b)` 1.00 -> 0.82), streams of
/// one array 1.2-1.4x slower (`(a[i-1] + a[i] + a[i+1]) / 3` 0.52 -> 0.73 ms, with offsets of
/// 500 and 1000 elements 0.74 -> 0.91): with its pointer reloaded from the program, a step's
/// loads issue a little later than the previous step's, which streams sharing cache lines (or
/// pages) gain from and separate streams lose by (our reading; not confirmed by counters,
/// which this machine lacks).
fn apart(steps: &[[u64; 3]]) -> bool {
    // (Only up to three pointers are ever kept: a program with more keeps none.)
    let mut pointers = [0u64; 4];
    let mut count = 0;
    for &[code, a, b] in steps {
        let Some((combine, term)) = crate::fold::decode(code) else {
            return false;
        };
        let read = match term {
            _ if combine.is_unary() => [None, None],
            Term::Fixed => [None, None],
            Term::ElementTimesFixed | Term::Element | Term::Square | Term::Integer => {
                [Some(a), None]
            }
            Term::ElementTimesElement => [Some(a), Some(b)],
        };
        for p in read.into_iter().flatten() {
            if pointers[..count].contains(&p) {
                continue;
            }
            if count == pointers.len() {
                return false;
            }
            pointers[count] = p;
            count += 1;
        }
    }
    far_apart(&mut pointers[..count])
}

/// True if no two of the distinct `pointers` lie within [`NEAR`] bytes (sorts them).
fn far_apart(pointers: &mut [u64]) -> bool {
    pointers.sort_unstable();
    pointers
        .windows(2)
        .all(|w| w[1] == w[0] || w[1] - w[0] >= NEAR)
}

/// Streams closer than this are taken to share an array ([`apart`]).
const NEAR: u64 = 1 << 20;

/// Copies `code` into fresh executable memory after the 4-byte offsets of its four tails
/// (read by [`tail_of`]); the code's address.
fn install(code: &[u8], tails: [usize; 4]) -> Option<usize> {
    let len = (code.len() + 16).next_multiple_of(4096);
    // SAFETY: a fresh private anonymous mapping, written before it is made executable and
    // never unmapped (kernels live as long as the process).
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if p == libc::MAP_FAILED {
            return None;
        }
        let start = p.cast::<u8>().add(16);
        for (k, tail) in tails.into_iter().enumerate() {
            start
                .sub(16 - 4 * k)
                .cast::<u32>()
                .write_unaligned(u32::try_from(tail).ok()?);
        }
        std::ptr::copy_nonoverlapping(code.as_ptr(), start, code.len());
        if libc::mprotect(p, len, libc::PROT_READ | libc::PROT_EXEC) != 0 {
            libc::munmap(p, len);
            return None;
        }
        Some(start as usize)
    }
}

// General-purpose registers.
const RAX: u8 = 0;
const RCX: u8 = 1;
const RSI: u8 = 6;
const RDI: u8 = 7;
const R8: u8 = 8;

/// An instruction's register-or-memory operand.
#[derive(Copy, Clone)]
enum Rm {
    Reg(u8),
    /// `[base + rcx + disp]` (`indexed`) or `[base + disp]`.
    Mem {
        base: u8,
        indexed: bool,
        disp: i32,
    },
}

/// An EVEX-encoded 512-bit instruction.
struct Evex {
    /// Opcode map: 1 = `0F`, 2 = `0F38`.
    map: u8,
    /// Implied prefix: 0 none, 1 = `66`.
    pp: u8,
    w: bool,
    opcode: u8,
}

struct Asm {
    code: Vec<u8>,
    /// In the tail, the register whose elements run past the end: its element accesses
    /// (displacement `64 * q`) are masked by `k1` (loads into a register zero the other lanes).
    /// The registers before it are whole and stay unmasked (plain accesses; one mask
    /// register).
    masked: Option<u8>,
    /// The bytes of an element operand (`[base + rcx + disp]`), EVEX's compressed
    /// displacement unit: 64 (a whole register), 32 for `int16` elements widened to `int32`.
    element_bytes: i32,
}

impl Asm {
    fn bytes(&mut self, b: &[u8]) {
        self.code.extend_from_slice(b);
    }

    /// ModRM (+ SIB + disp32) for `reg` and `rm` (low three bits of each; the rest is in the
    /// prefix).
    /// `scale`: EVEX's compressed displacement for this operand (its memory size, 64 for a
    /// whole register), used when the displacement is a small multiple of it (an element
    /// operand `64 * q`: one byte instead of four; shorter loop bodies decode faster).
    fn modrm(&mut self, reg: u8, rm: Rm, scale: Option<i32>) {
        match rm {
            Rm::Reg(r) => self.code.push(0xC0 | (reg & 7) << 3 | (r & 7)),
            Rm::Mem {
                base,
                indexed,
                disp,
            } => {
                let short = scale
                    .filter(|n| disp % n == 0)
                    .and_then(|n| i8::try_from(disp / n).ok());
                let mode = if short.is_some() { 0x40 } else { 0x80 };
                if indexed || base & 7 == 4 {
                    let index = if indexed { RCX } else { 4 };
                    self.code.push(mode | (reg & 7) << 3 | 4);
                    self.code.push((index & 7) << 3 | (base & 7));
                } else {
                    self.code.push(mode | (reg & 7) << 3 | (base & 7));
                }
                match short {
                    Some(d) => self.code.push(d as u8),
                    None => self.code.extend_from_slice(&disp.to_le_bytes()),
                }
            }
        }
    }

    /// `op reg, vvvv, rm` (`vvvv` 0 when unused; registers 0-31); in the masked tail, an
    /// access of elements (`[base + rcx + disp]`) is masked by `k1`, zeroing the other lanes
    /// unless it is a store (`merge`).
    fn evex(&mut self, e: &Evex, reg: u8, vvvv: u8, rm: Rm) {
        self.evex_masked(e, reg, vvvv, rm, None);
    }

    /// [`Asm::evex`], merging under the mask register `k` where given (a register operation).
    fn evex_masked(&mut self, e: &Evex, reg: u8, vvvv: u8, rm: Rm, k: Option<u8>) {
        let store = e.opcode == 0x11;
        let mask = match rm {
            _ if k.is_some() => k.unwrap_or(0),
            Rm::Mem {
                indexed: true,
                disp,
                ..
            } if self.masked == Some((disp / 64) as u8) => {
                // Merging for stores and for operations whose other operand is the
                // destination itself; zeroing for loads into a fresh register.
                let zero = !store && e.opcode == 0x10;
                1 | (u8::from(zero) << 7)
            }
            _ => 0,
        };
        let (x, b) = match rm {
            Rm::Reg(r) => (r & 16 != 0, r & 8 != 0),
            Rm::Mem { base, .. } => (false, base & 8 != 0),
        };
        let (r, r_high) = (reg & 8 != 0, reg & 16 != 0);
        let p0 = (u8::from(!r) << 7)
            | (u8::from(!x) << 6)
            | (u8::from(!b) << 5)
            | (u8::from(!r_high) << 4)
            | e.map;
        let p1 = (u8::from(e.w) << 7) | ((!vvvv & 15) << 3) | (1 << 2) | e.pp;
        // 512-bit vectors, V' (the high bit of vvvv, inverted), the mask (z, aaa).
        let p2 = 0x40 | (u8::from(vvvv & 16 == 0) << 3) | mask;
        self.bytes(&[0x62, p0, p1, p2, e.opcode]);
        // Element operands are whole registers (disp8 * 64); others keep 32-bit displacements.
        let scale = matches!(rm, Rm::Mem { indexed: true, .. }).then_some(self.element_bytes);
        self.modrm(reg, rm, scale);
    }

    /// Pads to the block loop's top: a 64-byte boundary (the code starts 16 bytes into a
    /// page), as compilers align loops: a top straddling fetch blocks cost a third of the speed
    /// of a memory-bound loop (`float(ia[i]) * 0.5`: 0.56 against 0.37 ms for 2M elements).
    /// The top's offset.
    fn loop_top(&mut self) -> usize {
        while !(self.code.len() + 16).is_multiple_of(64) {
            self.code.push(0x90); // nop
        }
        self.code.len()
    }

    /// The block loop's end: `add rcx, step; cmp rcx, rdx (the end); jb top`.
    fn loop_back(&mut self, top: usize, step: i32) {
        self.bytes(&[0x48, 0x81, 0xC1]); // add rcx, imm32
        self.bytes(&step.to_le_bytes());
        self.bytes(&[0x48, 0x39, 0xD1]); // cmp rcx, rdx
        let rel = top as i64 - (self.code.len() as i64 + 6);
        self.bytes(&[0x0F, 0x82]); // jb top
        self.bytes(&(rel as i32).to_le_bytes());
    }

    /// A sum kernel's four accumulators `zmm11`-`zmm14`: zeroed (`xor`, a `vpxor` encoding)
    /// before the loop, or stored by `store` at `[rdi]` after it.
    fn sums(&mut self, xor: &Evex, store: Option<&Evex>) {
        for q in 0..4u8 {
            match store {
                None => self.evex(xor, 11 + q, 11 + q, Rm::Reg(11 + q)),
                Some(e) => {
                    let at = Rm::Mem {
                        base: RDI,
                        indexed: false,
                        disp: 64 * i32::from(q),
                    };
                    self.evex(e, 11 + q, 0, at);
                }
            }
        }
    }

    /// `mov r64, [base + disp]`.
    fn load_gpr(&mut self, reg: u8, base: u8, disp: i32) {
        let rex = 0x48 | (u8::from(reg & 8 != 0) << 2) | u8::from(base & 8 != 0);
        self.bytes(&[rex, 0x8B]);
        self.modrm(
            reg,
            Rm::Mem {
                base,
                indexed: false,
                disp,
            },
            None,
        );
    }
}

/// The machine code for `codes` (see the module doc), or `None` for a code this does not
/// know: the block loop, then at `.1` the masked tail.
fn emit(codes: &[u64], wide: bool, mode: Mode, keep: bool) -> Option<(Vec<u8>, [usize; 4])> {
    let steps: Vec<(Combine, Term)> = codes
        .iter()
        .map(|&c| crate::fold::decode(c))
        .collect::<Option<_>>()?;
    // Which earlier step's elements each step's `a` reads again (honoured where both read
    // float elements; a malformed hint is ignored, costing only a second load).
    let reads_floats =
        |(c, t): (Combine, Term)| !c.is_unary() && !matches!(t, Term::Fixed | Term::Integer);
    let shared: Vec<Option<usize>> = codes
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            crate::fold::same_element_as(c)
                .filter(|&j| j < k && reads_floats(steps[j]) && reads_floats(steps[k]))
                .map(|j| shared_root(codes, j))
        })
        .collect();
    // Packed int64 -> f64 conversions need AVX-512DQ (the caller interprets without it).
    let integer = steps.iter().any(|(_, t)| *t == Term::Integer);
    if wide && integer && !std::arch::is_x86_feature_detected!("avx512dq") {
        return None;
    }
    let mut a = Asm {
        code: Vec::new(),
        masked: None,
        element_bytes: 64,
    };
    let homes = Homes::new(&steps, &shared, keep);
    // The block loop: `(dst, steps, end, start)`.
    homes.prologue(&mut a, wide);
    masks(&mut a, &steps, wide);
    let int_op = |opcode: u8| Evex {
        map: 1,
        pp: 1,
        w: wide,
        opcode,
    };
    if mode == Mode::Sum {
        a.sums(&int_op(0xEF), None);
    }
    // (rcx, the byte offset, starts at the fourth argument, which arrives in rcx.)
    let top = a.loop_top();
    body(&mut a, &steps, &homes, wide, 4, mode);
    a.loop_back(top, BLOCK_BYTES as i32);
    if mode == Mode::Sum {
        let store = Evex {
            map: 1,
            pp: u8::from(wide),
            w: wide,
            opcode: 0x11,
        };
        a.sums(&int_op(0xEF), Some(&store));
        homes.epilogue(&mut a);
        return Some((a.code, [0; 4]));
    }
    homes.epilogue(&mut a);
    // The tails: `(dst, steps, offset, lanes)`, 1 to 4 registers from byte `offset`, the
    // elements set in the mask `lanes` (8 bits a register for f64, 16 for f32; the last one's in k1).
    let shift = if wide { 8 } else { 16 };
    let mut tails = [0; 4];
    for regs in 1..=4u8 {
        tails[usize::from(regs) - 1] = a.code.len();
        a.masked = None;
        homes.prologue(&mut a, wide);
        masks(&mut a, &steps, wide);
        // k1: the last register's lanes (the ones before it are whole).
        a.bytes(&[0x48, 0x89, 0xC8]); // mov rax, rcx
        if regs > 1 {
            a.bytes(&[0x48, 0xC1, 0xE8, shift * (regs - 1)]); // shr rax, shift * (regs - 1)
        }
        a.bytes(&[0xC5, 0xF8, 0x92, 0xC8]); // kmovw k1, eax
        a.bytes(&[0x48, 0x89, 0xD1]); // mov rcx, rdx
        a.masked = Some(regs - 1);
        body(&mut a, &steps, &homes, wide, regs, Mode::Store);
        homes.epilogue(&mut a);
    }
    Some((a.code, tails))
}

/// The first step of a chain of `same_element_as` hints through `k`.
fn shared_root(codes: &[u64], k: usize) -> usize {
    match crate::fold::same_element_as(codes[k]) {
        Some(j) if j < k => shared_root(codes, j),
        _ => k,
    }
}

/// Registers for element pointers kept for the whole call (`rax` and `r8` stay free for the
/// pointers reloaded in every block); caller-saved, so nothing is saved.
const POINTER_REGS: [u8; 3] = [9, 10, 11];

/// Where each step's operands live in a loop: its element pointers in registers loaded
/// before the loop, and its fixed value broadcast into one of zmm16-31 before it; `None`:
/// loaded in every block (into `rax`/`r8`, zmm8).
struct Homes {
    a: Vec<Option<u8>>,
    b: Vec<Option<u8>>,
    fixed: Vec<Option<u8>>,
    /// Which word of its step holds the fixed value (2 for a product with an element).
    fixed_word: Vec<i32>,
    /// The step whose `a` elements each step's `a` reads again, if any.
    shared: Vec<Option<usize>>,
    /// For a step whose `a` elements later steps read again: the first of four registers
    /// that hold a block's elements once loaded.
    cache: Vec<Option<u8>>,
}

impl Homes {
    fn new(steps: &[(Combine, Term)], shared: &[Option<usize>], keep: bool) -> Homes {
        let mut gprs = POINTER_REGS.iter().copied();
        let mut zmms = 16u8..32;
        let mut homes = Homes {
            a: Vec::new(),
            b: Vec::new(),
            fixed: Vec::new(),
            fixed_word: Vec::new(),
            shared: shared.to_vec(),
            cache: vec![None; steps.len()],
        };
        // Element pointers are kept for a program of one (a single-stream loop, `float(ia[i]) *
        // 0.5`, ran 1.4x faster without the reload), and up to three where the streams lie in
        // separate arrays ([`apart`]); else reloaded from the steps in every block.
        // (A step reading an earlier step's elements again needs no pointer of its own.)
        let pointers = steps
            .iter()
            .zip(shared)
            .map(|((c, t), s)| match t {
                _ if c.is_unary() => 0,
                Term::Fixed => 0,
                Term::ElementTimesElement => 2 - usize::from(s.is_some()),
                _ => usize::from(s.is_none()),
            })
            .sum::<usize>();
        let keep_pointers = pointers == 1 || (keep && pointers <= POINTER_REGS.len());
        for (k, &(combine, term)) in steps.iter().enumerate() {
            let unary = combine.is_unary();
            let (a, b, fixed) = match term {
                _ if unary => (false, false, false),
                Term::Fixed => (false, false, true),
                Term::ElementTimesFixed => (true, false, true),
                Term::ElementTimesElement => (true, true, false),
                Term::Element | Term::Square | Term::Integer => (true, false, false),
            };
            homes.a.push(match shared[k] {
                Some(root) => homes.a[root],
                None if a && keep_pointers => gprs.next(),
                None => None,
            });
            homes.b.push(if b && keep_pointers {
                gprs.next()
            } else {
                None
            });
            homes.fixed.push(if fixed { zmms.next() } else { None });
            homes.fixed_word.push(if a { 2 } else { 1 });
        }
        // Four registers per element stream read more than once, from zmm31 down, while the
        // fixed values' registers leave room.
        let mut free_top = 32u8;
        let fixed_end = zmms.start;
        for root in 0..steps.len() {
            if shared.contains(&Some(root)) && free_top - 4 >= fixed_end {
                free_top -= 4;
                homes.cache[root] = Some(free_top);
            }
        }
        homes
    }

    /// Loads the kept operands.
    fn prologue(&self, a: &mut Asm, wide: bool) {
        let broadcast = Evex {
            map: 2,
            pp: 1,
            w: wide,
            opcode: if wide { 0x19 } else { 0x18 },
        };
        for k in 0..self.a.len() {
            let word = |n: i32| 24 * k as i32 + 8 * n;
            if let Some(r) = self.a[k] {
                a.load_gpr(r, RSI, word(1));
            }
            if let Some(r) = self.b[k] {
                a.load_gpr(r, RSI, word(2));
            }
            if let Some(z) = self.fixed[k] {
                let at = Rm::Mem {
                    base: RSI,
                    indexed: false,
                    disp: word(self.fixed_word[k]),
                };
                a.evex(&broadcast, z, 0, at);
            }
        }
    }

    /// Returns.
    fn epilogue(&self, a: &mut Asm) {
        a.bytes(&[0xC5, 0xF8, 0x77, 0xC3]); // vzeroupper; ret
    }
}

/// `acc = cond ? kept : other` for one register (`k2`, `k3` scratch): the comparison of
/// `acc` with `t` into `k2` (ordered: false on NaN), or'ed with a NaN test of one of them,
/// then a blend under `k2`.
fn pick(a: &mut Asm, p: Pick, acc: u8, t: u8, wide: bool) {
    let compare = Evex {
        map: 1,
        pp: u8::from(wide),
        w: wide,
        opcode: 0xC2,
    };
    // vcmppd/vcmpps predicates: LT_OQ, LE_OQ, GT_OQ, GE_OQ; UNORD_Q.
    let predicate = match p.compare {
        Compare::Lt => 0x11,
        Compare::Le => 0x12,
        Compare::Gt => 0x1E,
        Compare::Ge => 0x1D,
    };
    a.evex(&compare, 2, acc, Rm::Reg(t));
    a.bytes(&[predicate]);
    if let Some(nan) = p.or_nan {
        let x = if nan == Operand::Acc { acc } else { t };
        a.evex(&compare, 3, x, Rm::Reg(x));
        a.bytes(&[0x03]);
        a.bytes(&[0xC5, 0xEC, 0x45, 0xD3]); // korw k2, k2, k3
    }
    let blend = Evex {
        map: 2,
        pp: 1,
        w: wide,
        opcode: 0x65,
    };
    let (kept, other) = match p.keep {
        Operand::Acc => (acc, t),
        Operand::Term => (t, acc),
    };
    // vblendmpd acc {k2}, other, kept: kept where k2 is set.
    a.evex_masked(&blend, acc, other, Rm::Reg(kept), Some(2));
}

/// The sign and magnitude masks in zmm9/zmm10, if a step negates or takes an absolute value.
fn masks(a: &mut Asm, steps: &[(Combine, Term)], wide: bool) {
    if !steps
        .iter()
        .any(|(c, _)| matches!(c, Combine::Neg | Combine::Abs))
    {
        return;
    }
    let (sign, magnitude): (u64, u64) = if wide {
        (1 << 63, !(1 << 63))
    } else {
        (1 << 31, (1 << 31) - 1)
    };
    let vpbroadcast = Evex {
        map: 2,
        pp: 1,
        w: wide,
        opcode: 0x7C,
    };
    for (mask, zmm) in [(sign, 9), (magnitude, 10)] {
        a.bytes(&[0x48, 0xB8]); // movabs rax, imm64
        a.bytes(&mask.to_le_bytes());
        a.evex(&vpbroadcast, zmm, 0, Rm::Reg(RAX));
    }
}

/// Every step on `regs` registers of elements from byte `rcx` on, then their store (or, to
/// sum them, their addition into zmm11..).
fn body(a: &mut Asm, steps: &[(Combine, Term)], homes: &Homes, wide: bool, regs: u8, mode: Mode) {
    let (pp, w) = if wide { (1, true) } else { (0, false) };
    let arith = |opcode: u8| Evex {
        map: 1,
        pp,
        w,
        opcode,
    };
    let load = arith(0x10);
    let store = arith(0x11);
    let broadcast = Evex {
        map: 2,
        pp: 1,
        w,
        opcode: if wide { 0x19 } else { 0x18 },
    };
    let int_op = |opcode: u8| Evex {
        map: 1,
        pp: 1,
        w,
        opcode,
    };
    let element = |base: u8, q: u8| Rm::Mem {
        base,
        indexed: true,
        disp: 64 * i32::from(q),
    };
    // Which cached element streams this block has loaded.
    let mut loaded = vec![false; steps.len()];
    for (k, &(combine, term)) in steps.iter().enumerate() {
        let word = |n: i32| 24 * k as i32 + 8 * n;
        if combine.is_unary() {
            for q in 0..regs {
                match combine {
                    Combine::Sqrt => a.evex(&arith(0x51), q, 0, Rm::Reg(q)),
                    Combine::Neg => a.evex(&int_op(0xEF), q, q, Rm::Reg(9)),
                    _ => a.evex(&int_op(0xDB), q, q, Rm::Reg(10)),
                }
            }
            continue;
        }
        // The term: in zmm8 (a fixed value), read from memory by the operation itself (an
        // element), or in zmm4..7 (products, and elements the operation takes first); a
        // product that a step sets the accumulator to is made in the accumulator.
        let into_acc = combine == Combine::Set
            && matches!(
                term,
                Term::ElementTimesFixed | Term::ElementTimesElement | Term::Square | Term::Integer
            );
        let t = |q: u8| if into_acc { q } else { 4 + q };
        // The step's pointers and fixed value: kept in registers, or loaded for this block.
        let pointer = |a: &mut Asm, home: Option<u8>, scratch: u8, n: i32| match home {
            Some(r) => r,
            None => {
                a.load_gpr(scratch, RSI, word(n));
                scratch
            }
        };
        let fixed_at = |a: &mut Asm, n: i32| match homes.fixed[k] {
            Some(z) => z,
            None => {
                let at = Rm::Mem {
                    base: RSI,
                    indexed: false,
                    disp: word(n),
                };
                a.evex(&broadcast, 8, 0, at);
                8
            }
        };
        // The `a` elements of a float term: memory operands, or registers for a stream read
        // more than once (loaded by its first reader in the block).
        let mut a_elements = [Rm::Reg(0); 4];
        if !matches!(term, Term::Fixed | Term::Integer) {
            let root = homes.shared[k].unwrap_or(k);
            match homes.cache[root] {
                Some(c) => {
                    if !loaded[root] {
                        let base = pointer(a, homes.a[k], RAX, 1);
                        for q in 0..regs {
                            a.evex(&load, c + q, 0, element(base, q));
                        }
                        loaded[root] = true;
                    }
                    for (q, rm) in (0u8..).zip(a_elements.iter_mut()) {
                        *rm = Rm::Reg(c + q);
                    }
                }
                None => {
                    let base = pointer(a, homes.a[k], RAX, 1);
                    for (q, rm) in (0u8..).zip(a_elements.iter_mut()) {
                        *rm = element(base, q);
                    }
                }
            }
        }
        let a_of = |q: u8| a_elements[usize::from(q)];
        let mut fixed = 8;
        match term {
            Term::Fixed => fixed = fixed_at(a, 1),
            Term::Element => {}
            Term::ElementTimesFixed => {
                fixed = fixed_at(a, 2);
                for q in 0..regs {
                    a.evex(&arith(0x59), t(q), fixed, a_of(q));
                }
            }
            Term::ElementTimesElement => {
                let other = pointer(a, homes.b[k], R8, 2);
                for q in 0..regs {
                    match a_of(q) {
                        Rm::Reg(r) => a.evex(&arith(0x59), t(q), r, element(other, q)),
                        m => {
                            a.evex(&load, t(q), 0, m);
                            a.evex(&arith(0x59), t(q), t(q), element(other, q));
                        }
                    }
                }
            }
            Term::Integer => {
                // vcvtqq2pd (AVX-512DQ) / vcvtdq2ps: rounded to nearest, as `float(x)`.
                let convert = if wide {
                    Evex {
                        map: 1,
                        pp: 2,
                        w: true,
                        opcode: 0xE6,
                    }
                } else {
                    Evex {
                        map: 1,
                        pp: 0,
                        w: false,
                        opcode: 0x5B,
                    }
                };
                let base = pointer(a, homes.a[k], RAX, 1);
                for q in 0..regs {
                    a.evex(&convert, t(q), 0, element(base, q));
                }
            }
            Term::Square => {
                for q in 0..regs {
                    match a_of(q) {
                        Rm::Reg(r) => a.evex(&arith(0x59), t(q), r, Rm::Reg(r)),
                        m => {
                            a.evex(&load, t(q), 0, m);
                            a.evex(&arith(0x59), t(q), t(q), Rm::Reg(t(q)));
                        }
                    }
                }
            }
        }
        if into_acc {
            continue;
        }
        let term_of = |q: u8| match term {
            Term::Fixed => Rm::Reg(fixed),
            Term::Element => a_of(q),
            _ => Rm::Reg(4 + q),
        };
        if let Combine::Pick(p) = combine {
            for q in 0..regs {
                let t = match term_of(q) {
                    Rm::Reg(r) => r,
                    m => {
                        a.evex(&load, 4 + q, 0, m);
                        4 + q
                    }
                };
                pick(a, p, q, t, wide);
            }
            continue;
        }
        let opcode = match combine {
            Combine::Set => None,
            Combine::Add => Some(0x58),
            Combine::Sub | Combine::SubRev => Some(0x5C),
            Combine::Mul => Some(0x59),
            _ => Some(0x5E),
        };
        let reversed = matches!(combine, Combine::SubRev | Combine::DivRev);
        for q in 0..regs {
            match (opcode, reversed) {
                // acc = t: a load, or a register copy.
                (None, _) => a.evex(&load, q, 0, term_of(q)),
                (Some(op), false) => a.evex(&arith(op), q, q, term_of(q)),
                (Some(op), true) => {
                    // acc = t op acc: the term in a register first.
                    let t = match term_of(q) {
                        Rm::Reg(r) => r,
                        m => {
                            a.evex(&load, 4 + q, 0, m);
                            4 + q
                        }
                    };
                    a.evex(&arith(op), q, t, Rm::Reg(q));
                }
            }
        }
    }
    for q in 0..regs {
        match mode {
            Mode::Store => a.evex(&store, q, 0, element(RDI, q)),
            Mode::Sum => a.evex(&arith(0x58), 11 + q, 11 + q, Rm::Reg(q)),
        }
    }
}

/// Integer kernels' addresses by signature (`crate::int_fold`; the codes followed by the shift
/// amounts), never freed.
static INT_KERNELS: Mutex<Option<HashMap<Signature, usize>>> = Mutex::new(None);

/// The machine code of an integer fold program (`wide`: `int64`, else `int32`) for whole
/// blocks, compiled on first use; `None` where it cannot be made (no executable memory, or
/// an `int64` product without AVX-512DQ's `vpmullq`).
pub(crate) fn int_kernel(
    steps: &[[u64; 3]],
    wide: bool,
    mode: Mode,
    narrow: bool,
) -> Option<Kernel> {
    use crate::int_fold::{IntTerm, int_decode, int_same_element_as};
    // The codes, then each shift's amount: shifts by an immediate are one instruction where
    // a shift by a register's count is two, and the amounts are constants of the call site.
    let mut codes: Vec<u64> = steps.iter().map(|s| s[0]).collect();
    for &[code, a, b] in steps {
        match int_decode(code)? {
            (op, IntTerm::Fixed) if op.is_shift() => codes.push(a),
            (_, IntTerm::ElementWith(inner)) if inner.is_shift() => codes.push(b),
            _ => {}
        }
    }
    // Element pointers kept in registers as `apart` decides for the float folds: one stream
    // (read by any number of steps), or streams of separate arrays.
    let mut elements: Vec<u64> = steps
        .iter()
        .filter(|s| matches!(int_decode(s[0]), Some((_, t)) if t != IntTerm::Fixed))
        .filter(|s| int_same_element_as(s[0]).is_none())
        .map(|s| s[1])
        .collect();
    let keep = elements.len() <= POINTER_REGS.len() && far_apart(&mut elements);
    // (A narrow kernel's key ends in a word no code or amount has.)
    if narrow {
        codes.push(u64::MAX);
    }
    let mut table = INT_KERNELS.lock().unwrap_or_else(|e| e.into_inner());
    let table = table.get_or_insert_with(HashMap::new);
    let key = (wide, mode, keep, codes);
    let address = match table.get(&key) {
        Some(&a) => a,
        None => {
            let words = &key.3[..key.3.len() - usize::from(narrow)];
            let (codes, amounts) = words.split_at(steps.len());
            let code = int_emit(codes, amounts, wide, mode, keep, narrow)?;
            let a = install(&code, [0; 4])?;
            table.insert(key, a);
            a
        }
    };
    // SAFETY: `address` is the start of code emitted for this signature, mapped executable.
    Some(unsafe { std::mem::transmute::<usize, Kernel>(address) })
}

/// An integer fold's block loop `(dst, steps, end, start)`: four accumulator registers
/// (`zmm0`-`zmm3`) of elements per block, terms in `zmm4`-`zmm7`, each step's fixed value
/// broadcast once before the loop (`zmm16` up), shifts by their `amounts` (in step order) as
/// immediates, element pointers kept in `r9`-`r11` (`keep`) or reloaded from the steps in
/// every block, sums in `zmm11`-`zmm14`.
fn int_emit(
    codes: &[u64],
    amounts: &[u64],
    wide: bool,
    mode: Mode,
    keep: bool,
    narrow: bool,
) -> Option<Vec<u8>> {
    use crate::int_fold::{IntOp, IntTerm};
    let steps: Vec<(IntOp, IntTerm)> = codes
        .iter()
        .map(|&c| crate::int_fold::int_decode(c))
        .collect::<Option<_>>()?;
    let multiplies = steps
        .iter()
        .any(|&(op, t)| op == IntOp::Mul || t == IntTerm::ElementWith(IntOp::Mul));
    if wide && multiplies && !std::arch::is_x86_feature_detected!("avx512dq") {
        return None;
    }
    if steps.len() > 16 {
        return None;
    }
    // Narrow: `int16` elements in memory (each register's 16 loaded with `vpmovsxwd`, stored
    // with `vpmovdw`), `int32` arithmetic; a block is 128 bytes of elements.
    if narrow && (wide || mode != Mode::Store) {
        return None;
    }
    let register_bytes: i32 = if narrow { 32 } else { 64 };
    let mut a = Asm {
        code: Vec::new(),
        masked: None,
        element_bytes: register_bytes,
    };
    let op = |map: u8, opcode: u8| Evex {
        map,
        pp: 1,
        w: wide,
        opcode,
    };
    // (map, opcode) of `acc = acc op t` (the width in EVEX.W), and of a shift by a count
    // register.
    let binary = |o: IntOp| -> Evex {
        match o {
            IntOp::Add | IntOp::Set => op(1, if wide { 0xD4 } else { 0xFE }),
            IntOp::Sub | IntOp::SubRev => op(1, if wide { 0xFB } else { 0xFA }),
            IntOp::Mul => op(2, 0x40),
            IntOp::And => op(1, 0xDB),
            IntOp::Or => op(1, 0xEB),
            IntOp::Xor => op(1, 0xEF),
            IntOp::Min => op(2, 0x39),
            IntOp::Max => op(2, 0x3D),
            // (Shifts are by immediates: see `shift`.)
            IntOp::Shl | IntOp::Shr | IntOp::Sar => op(1, 0x72),
        }
    };
    // `dst = src shifted by amount`: `vps{ll,rl,ra}{q,d} dst, src, imm8` (EVEX.vvvv is the
    // destination; ModRM.reg the operation).
    let shift = |a: &mut Asm, o: IntOp, dst: u8, src: Rm, amount: u64| {
        let (opcode, digit) = match o {
            IntOp::Shl => (if wide { 0x73 } else { 0x72 }, 6),
            IntOp::Shr => (if wide { 0x73 } else { 0x72 }, 2),
            _ => (0x72, 4),
        };
        a.evex(&op(1, opcode), digit, dst, src);
        a.bytes(&[amount as u8]);
    };
    let mut amounts = amounts.iter().copied();
    // A register copy, and the element loads and stores.
    let copy = Evex {
        map: 1,
        pp: 2,
        w: wide,
        opcode: 0x6F,
    };
    let load = if narrow {
        // vpmovsxwd zmm, m256
        Evex {
            map: 2,
            pp: 1,
            w: false,
            opcode: 0x23,
        }
    } else {
        Evex { ..copy }
    };
    let store = if narrow {
        // vpmovdw m256, zmm (truncating)
        Evex {
            map: 2,
            pp: 2,
            w: false,
            opcode: 0x33,
        }
    } else {
        Evex {
            map: 1,
            pp: 2,
            w: wide,
            opcode: 0x7F,
        }
    };
    let word = |k: usize, n: i32| 24 * k as i32 + 8 * n;
    // Prologue: each step's fixed value (or shift amount, as a quadword) broadcast once.
    let mut fixed: Vec<Option<u8>> = Vec::new();
    let mut next_home = 16u8;
    for (k, &(o, t)) in steps.iter().enumerate() {
        let at = match t {
            IntTerm::Fixed if !o.is_shift() => Some(word(k, 1)),
            IntTerm::ElementWith(inner) if !inner.is_shift() => Some(word(k, 2)),
            _ => None,
        };
        fixed.push(at.map(|disp| {
            let home = next_home;
            next_home += 1;
            let broadcast = Evex {
                map: 2,
                pp: 1,
                w: wide,
                opcode: if wide { 0x59 } else { 0x58 },
            };
            let at = Rm::Mem {
                base: RSI,
                indexed: false,
                disp,
            };
            a.evex(&broadcast, home, 0, at);
            home
        }));
    }
    if mode == Mode::Sum {
        a.sums(&op(1, 0xEF), None);
    }
    // Which earlier step's elements each element step reads again (`int_same_element_as`,
    // followed to the first reader); such a first reader (every one, narrow: those elements
    // are never memory operands) loads its elements into four registers, from zmm31 down,
    // while the fixed values' homes leave room.
    let shared: Vec<Option<usize>> = codes
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let mut j = crate::int_fold::int_same_element_as(c)?;
            while let Some(i) = crate::int_fold::int_same_element_as(codes[j]) {
                if i >= j {
                    return None;
                }
                j = i;
            }
            (j < k && steps[j].1 != IntTerm::Fixed && steps[k].1 != IntTerm::Fixed).then_some(j)
        })
        .collect();
    let mut cache: Vec<Option<u8>> = vec![None; steps.len()];
    let mut free_top = 32u8;
    for root in 0..steps.len() {
        let wanted = shared.contains(&Some(root))
            || (narrow && steps[root].1 != IntTerm::Fixed && shared[root].is_none());
        if wanted && free_top - 4 >= next_home {
            free_top -= 4;
            cache[root] = Some(free_top);
        } else if wanted && narrow {
            return None;
        }
    }
    let reads_again = |k: usize| shared[k].filter(|&j| cache[j].is_some());
    // Each element step's pointer register, when kept (a step reading an earlier step's
    // elements needs none).
    let mut kept = POINTER_REGS.iter().copied();
    let pointers: Vec<Option<u8>> = steps
        .iter()
        .enumerate()
        .map(|(k, &(_, t))| {
            let needs = t != IntTerm::Fixed && reads_again(k).is_none();
            let r = (keep && needs).then(|| kept.next()).flatten()?;
            a.load_gpr(r, RSI, word(k, 1));
            Some(r)
        })
        .collect();
    // (rcx, the byte offset, starts at the fourth argument, which arrives in rcx.)
    let top = a.loop_top();
    for (k, &(o, t)) in steps.iter().enumerate() {
        let again = reads_again(k);
        let base = match pointers[k] {
            Some(r) => r,
            None => {
                if t != IntTerm::Fixed && again.is_none() {
                    a.load_gpr(RAX, RSI, word(k, 1));
                }
                RAX
            }
        };
        let memory = |q: u8| Rm::Mem {
            base,
            indexed: true,
            disp: register_bytes * i32::from(q),
        };
        // The elements: registers loaded by their first reader (here, or earlier), or memory.
        let elements: Vec<Rm> = match (again, cache[k]) {
            (Some(j), _) => {
                let c = cache[j].expect("a cache");
                (0..4u8).map(|q| Rm::Reg(c + q)).collect()
            }
            (None, Some(c)) if t != IntTerm::Fixed => (0..4u8)
                .map(|q| {
                    a.evex(&load, c + q, 0, memory(q));
                    Rm::Reg(c + q)
                })
                .collect(),
            _ => (0..4u8).map(memory).collect(),
        };
        let element = |q: u8| elements[usize::from(q)];
        // The term: a register (a fixed value's home, or zmm4+q / the accumulator itself for
        // an element with its fixed value), or the element as a memory operand.
        let into_acc = o == IntOp::Set;
        let t_reg = |q: u8| if into_acc { q } else { 4 + q };
        if o.is_shift() {
            let amount = amounts.next()?;
            for q in 0..4u8 {
                shift(&mut a, o, q, Rm::Reg(q), amount);
            }
            continue;
        }
        let term: Vec<Rm> = match t {
            IntTerm::Fixed => vec![Rm::Reg(fixed[k].expect("a home")); 4],
            IntTerm::Element => (0..4).map(element).collect(),
            IntTerm::ElementWith(inner) if inner.is_shift() => {
                let amount = amounts.next()?;
                (0..4u8)
                    .map(|q| {
                        shift(&mut a, inner, t_reg(q), element(q), amount);
                        Rm::Reg(t_reg(q))
                    })
                    .collect()
            }
            IntTerm::ElementWith(inner) => {
                let home = fixed[k].expect("a home");
                (0..4u8)
                    .map(|q| {
                        a.evex(&binary(inner), t_reg(q), home, element(q));
                        Rm::Reg(t_reg(q))
                    })
                    .collect()
            }
        };
        for q in 0..4u8 {
            let tq = term[usize::from(q)];
            match o {
                IntOp::Set => match tq {
                    Rm::Reg(r) if r == q => {}
                    Rm::Reg(r) => a.evex(&copy, q, 0, Rm::Reg(r)),
                    other => a.evex(&load, q, 0, other),
                },
                IntOp::SubRev => {
                    let r = match tq {
                        Rm::Reg(r) => r,
                        m => {
                            a.evex(&load, 4 + q, 0, m);
                            4 + q
                        }
                    };
                    a.evex(&binary(o), q, r, Rm::Reg(q));
                }
                _ => a.evex(&binary(o), q, q, tq),
            }
        }
    }
    for q in 0..4u8 {
        match mode {
            Mode::Store => a.evex(
                &store,
                q,
                0,
                Rm::Mem {
                    base: RDI,
                    indexed: true,
                    disp: register_bytes * i32::from(q),
                },
            ),
            Mode::Sum => a.evex(&binary(IntOp::Add), 11 + q, 11 + q, Rm::Reg(q)),
        }
    }
    a.loop_back(top, 4 * register_bytes);
    if mode == Mode::Sum {
        a.sums(&op(1, 0xEF), Some(&store));
    }
    a.bytes(&[0xC5, 0xF8, 0x77, 0xC3]); // vzeroupper; ret
    Some(a.code)
}

/// How many integer kernels the process has made (for tests).
#[cfg(test)]
pub(crate) fn int_kernels_made() -> usize {
    INT_KERNELS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .map_or(0, HashMap::len)
}
