//! Machine code for [`crate::fold`] programs on x86-64 CPUs with AVX-512: one small loop per
//! distinct sequence of step codes, emitted here (EVEX-encoded 512-bit instructions), cached
//! for the life of the process, and called for the blocks of 32 `f64` (64 `f32`) elements.
//!
//! Interpreting a program block by block costs a dispatch per step and block, as much as the
//! arithmetic itself for short programs (a 5-point stencil ran at a third of the speed of the
//! same loop compiled by rustc for AVX-512). The code made here has no dispatch: each step is
//! its loads and operations on four accumulator registers (`zmm0`–`zmm3`), the program's
//! pointers and fixed values are read from the steps array in every block (they change from
//! call to call; the code depends only on the step codes), and the results are stored after
//! the last step, as the interpreter does. The operations are the interpreter's, one IEEE
//! operation each, in the same order, so the results are the same bit for bit (a product of
//! an element with a fixed value is computed as `fixed * element`, which can only change a
//! NaN's payload).
//!
//! Generated code: a block loop `extern "sysv64" fn(dst, steps, bytes)` with `bytes` a
//! positive multiple of 256, the byte length of the elements to compute; and a tail `fn(dst,
//! steps, offset, lanes)` for each of 1 to 4 registers that computes them from byte `offset`
//! with their element accesses masked by `lanes` (one bit per element; register `q`'s
//! accesses by `k1+q`): the lanes past the end are neither read nor written. Registers: `rcx` the byte
//! offset, `rax`/`r8` element pointers, `zmm0`–`zmm3` accumulators, `zmm4`–`zmm7` terms,
//! `zmm8` a fixed value, `zmm9`/`zmm10` the sign and magnitude masks; all caller-saved.

use crate::fold::{Combine, Term};
use std::collections::HashMap;
use std::sync::Mutex;

/// A compiled program's block loop: `(dst, steps, bytes)`.
pub(crate) type Kernel = unsafe extern "sysv64" fn(*mut u8, *const u64, usize);

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

/// What a kernel is made for: the element width (`true`: `f64`), whether it sums its
/// elements instead of storing them ([`Mode::Sum`]), and the step codes.
type Signature = (bool, Mode, Vec<u64>);

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
    let codes: Vec<u64> = steps.iter().map(|s| s[0]).collect();
    let mut table = KERNELS.lock().unwrap_or_else(|e| e.into_inner());
    let table = table.get_or_insert_with(HashMap::new);
    let key = (wide, mode, codes);
    let address = match table.get(&key) {
        Some(&a) => a,
        None => {
            let (code, tails) = emit(&key.2, wide, mode)?;
            let a = install(&code, tails)?;
            table.insert(key, a);
            a
        }
    };
    // SAFETY: `address` is the start of code emitted for this signature, mapped executable.
    Some(unsafe { std::mem::transmute::<usize, Kernel>(address) })
}

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
    /// Whether the instructions being emitted are the masked tail's: those that read or write
    /// elements are masked (loads into a register zero the other lanes), an access of register
    /// `q`'s elements (displacement `64 * q`) by `k1 + q`.
    masked: bool,
}

impl Asm {
    fn bytes(&mut self, b: &[u8]) {
        self.code.extend_from_slice(b);
    }

    /// ModRM (+ SIB + disp32) for `reg` and `rm` (low three bits of each; the rest is in the
    /// prefix).
    fn modrm(&mut self, reg: u8, rm: Rm) {
        match rm {
            Rm::Reg(r) => self.code.push(0xC0 | (reg & 7) << 3 | (r & 7)),
            Rm::Mem {
                base,
                indexed,
                disp,
            } => {
                if indexed || base & 7 == 4 {
                    let index = if indexed { RCX } else { 4 };
                    self.code.push(0x80 | (reg & 7) << 3 | 4);
                    self.code.push((index & 7) << 3 | (base & 7));
                } else {
                    self.code.push(0x80 | (reg & 7) << 3 | (base & 7));
                }
                self.code.extend_from_slice(&disp.to_le_bytes());
            }
        }
    }

    /// `op reg, vvvv, rm` (`vvvv` 0 when unused; registers below 16); in the masked tail, an
    /// access of elements (`[base + rcx + disp]`) is masked by `k1`, zeroing the other lanes
    /// unless it is a store (`merge`).
    fn evex(&mut self, e: &Evex, reg: u8, vvvv: u8, rm: Rm) {
        let store = e.opcode == 0x11;
        let mask = match rm {
            Rm::Mem {
                indexed: true,
                disp,
                ..
            } if self.masked => {
                // Merging for stores and for operations whose other operand is the
                // destination itself; zeroing for loads into a fresh register.
                let zero = !store && e.opcode == 0x10;
                let k = 1 + (disp / 64) as u8;
                k | (u8::from(zero) << 7)
            }
            _ => 0,
        };
        let (x, b) = match rm {
            Rm::Reg(r) => (r & 16 != 0, r & 8 != 0),
            Rm::Mem { base, .. } => (false, base & 8 != 0),
        };
        let r = reg & 8 != 0;
        let p0 = (u8::from(!r) << 7) | (u8::from(!x) << 6) | (u8::from(!b) << 5) | (1 << 4) | e.map;
        let p1 = (u8::from(e.w) << 7) | ((!vvvv & 15) << 3) | (1 << 2) | e.pp;
        // 512-bit vectors, V' = 1 (registers below 16), the mask (z, aaa).
        let p2 = 0x40 | 0x08 | mask;
        self.bytes(&[0x62, p0, p1, p2, e.opcode]);
        self.modrm(reg, rm);
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
        );
    }
}

/// The machine code for `codes` (see the module doc), or `None` for a code this does not
/// know: the block loop, then at `.1` the masked tail.
fn emit(codes: &[u64], wide: bool, mode: Mode) -> Option<(Vec<u8>, [usize; 4])> {
    let steps: Vec<(Combine, Term)> = codes
        .iter()
        .map(|&c| {
            let combine = Combine::ALL.into_iter().find(|k| *k as u64 == c & 0xFF)?;
            let term = Term::ALL.into_iter().find(|t| *t as u64 == c >> 8)?;
            Some((combine, term))
        })
        .collect::<Option<_>>()?;
    let mut a = Asm {
        code: Vec::new(),
        masked: false,
    };
    // The block loop: `(dst, steps, bytes)`.
    masks(&mut a, &steps, wide);
    let int_op = |opcode: u8| Evex {
        map: 1,
        pp: 1,
        w: wide,
        opcode,
    };
    if mode == Mode::Sum {
        for q in 0..4u8 {
            a.evex(&int_op(0xEF), 11 + q, 11 + q, Rm::Reg(11 + q)); // vpxorq: zero
        }
    }
    a.bytes(&[0x31, 0xC9]); // xor ecx, ecx
    let top = a.code.len();
    body(&mut a, &steps, wide, 4, mode);
    a.bytes(&[0x48, 0x81, 0xC1]); // add rcx, imm32
    a.bytes(&(BLOCK_BYTES as i32).to_le_bytes());
    a.bytes(&[0x48, 0x39, 0xD1]); // cmp rcx, rdx (the byte count)
    let rel = top as i64 - (a.code.len() as i64 + 6);
    a.bytes(&[0x0F, 0x82]); // jb top
    a.bytes(&(rel as i32).to_le_bytes());
    if mode == Mode::Sum {
        let store = Evex {
            map: 1,
            pp: u8::from(wide),
            w: wide,
            opcode: 0x11,
        };
        for q in 0..4u8 {
            let at = Rm::Mem {
                base: RDI,
                indexed: false,
                disp: 64 * i32::from(q),
            };
            a.evex(&store, 11 + q, 0, at);
        }
        a.bytes(&[0xC5, 0xF8, 0x77, 0xC3]); // vzeroupper; ret
        return Some((a.code, [0; 4]));
    }
    a.bytes(&[0xC5, 0xF8, 0x77, 0xC3]); // vzeroupper; ret
    // The tails: `(dst, steps, offset, lanes)`, 1 to 4 registers from byte `offset`, the
    // elements set in the mask `lanes` (k1..k4: 8 bits each for f64, 16 for f32).
    let shift = if wide { 8 } else { 16 };
    let mut tails = [0; 4];
    for regs in 1..=4u8 {
        tails[usize::from(regs) - 1] = a.code.len();
        a.masked = false;
        masks(&mut a, &steps, wide);
        a.bytes(&[0x48, 0x89, 0xC8]); // mov rax, rcx
        for k in 1..=regs {
            a.bytes(&[0xC5, 0xF8, 0x92, 0xC0 | k << 3]); // kmovw k, eax
            if k < regs {
                a.bytes(&[0x48, 0xC1, 0xE8, shift]); // shr rax, shift
            }
        }
        a.bytes(&[0x48, 0x89, 0xD1]); // mov rcx, rdx
        a.masked = true;
        body(&mut a, &steps, wide, regs, Mode::Store);
        a.bytes(&[0xC5, 0xF8, 0x77, 0xC3]); // vzeroupper; ret
    }
    Some((a.code, tails))
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
fn body(a: &mut Asm, steps: &[(Combine, Term)], wide: bool, regs: u8, mode: Mode) {
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
                Term::ElementTimesFixed | Term::ElementTimesElement | Term::Square
            );
        let t = |q: u8| if into_acc { q } else { 4 + q };
        match term {
            Term::Fixed => {
                let fixed = Rm::Mem {
                    base: RSI,
                    indexed: false,
                    disp: word(1),
                };
                a.evex(&broadcast, 8, 0, fixed);
            }
            Term::Element => a.load_gpr(RAX, RSI, word(1)),
            Term::ElementTimesFixed => {
                a.load_gpr(RAX, RSI, word(1));
                let fixed = Rm::Mem {
                    base: RSI,
                    indexed: false,
                    disp: word(2),
                };
                a.evex(&broadcast, 8, 0, fixed);
                for q in 0..regs {
                    a.evex(&arith(0x59), t(q), 8, element(RAX, q));
                }
            }
            Term::ElementTimesElement => {
                a.load_gpr(RAX, RSI, word(1));
                a.load_gpr(R8, RSI, word(2));
                for q in 0..regs {
                    a.evex(&load, t(q), 0, element(RAX, q));
                    a.evex(&arith(0x59), t(q), t(q), element(R8, q));
                }
            }
            Term::Square => {
                a.load_gpr(RAX, RSI, word(1));
                for q in 0..regs {
                    a.evex(&load, t(q), 0, element(RAX, q));
                    a.evex(&arith(0x59), t(q), t(q), Rm::Reg(t(q)));
                }
            }
        }
        if into_acc {
            continue;
        }
        let term_of = |q: u8| match term {
            Term::Fixed => Rm::Reg(8),
            Term::Element => element(RAX, q),
            _ => Rm::Reg(4 + q),
        };
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
