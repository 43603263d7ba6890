//! Fill, copy and square-root loops that compiled code hands over (`ir::passes::fill_copy`):
//! `a[i] = x` and `out[i] = a[i]` over contiguous elements of 1, 2, 4 or 8 bytes, and
//! `out[i] = sqrt(a[i])`, `out[i] = a[i] / s` and `d[i] += s * x[i]` over `float64`/`float32`
//! ones.
//!
//! Cranelift stores at most 16 bytes at a time and never turns a loop into `memset`; these are
//! compiled by rustc (a fill of bytes is `memset`, the wider ones are vectorised by LLVM for
//! the baseline, AVX2 and AVX-512, chosen at run time) and copies go through `memmove` wherever
//! that gives the loop's result. Elements are read and written unaligned: a NumPy view may
//! start anywhere.
//!
//! A copy keeps the loop's **forward order**: element `k` is read after elements `0..k` were
//! written. That equals `memmove` unless the destination starts inside the source range after
//! its start (`src < dst < src + bytes`): there the loop reads elements it wrote itself (the
//! first `dst - src` bytes repeat), and so does the element-by-element copy used in that case.

/// Calls `$generic` through the widest instruction set the CPU has.
macro_rules! dispatch {
    ($name:ident, $generic:ident, ($($arg:ident: $ty:ty),*)) => {
        /// # Safety
        /// The pointers address `n` contiguous elements (`n >= 0`), writable where written.
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> i64 {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn wide($($arg: $ty),*) {
                    unsafe { $generic($($arg),*) }
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) {
                    unsafe { $generic($($arg),*) }
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    unsafe { wide($($arg),*) };
                    return 0;
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    unsafe { avx2($($arg),*) };
                    return 0;
                }
            }
            unsafe { $generic($($arg),*) };
            0
        }
    };
}

/// `n` elements at `p` set to the low bits of `value` (`memset` for bytes).
macro_rules! fill {
    ($name:ident, $generic:ident, $t:ty) => {
        #[inline(always)]
        unsafe fn $generic(p: *mut u8, value: i64, n: i64) {
            if n <= 0 {
                return;
            }
            let p = p.cast::<$t>();
            let v = value as $t;
            for k in 0..n as usize {
                // SAFETY: `p` addresses `n` writable elements (the caller's contract).
                unsafe { p.add(k).write_unaligned(v) };
            }
        }
        dispatch!($name, $generic, (p: *mut u8, value: i64, n: i64));
    };
}

/// `n` elements copied from `src` to `dst` in the loop's forward order (see the module doc).
macro_rules! copy_forward {
    ($name:ident, $generic:ident, $t:ty) => {
        #[inline(always)]
        unsafe fn $generic(dst: *mut u8, src: *const u8, n: i64) {
            if n <= 0 {
                return;
            }
            let bytes = n as usize * std::mem::size_of::<$t>();
            let (d, s) = (dst as usize, src as usize);
            if d <= s || d >= s.wrapping_add(bytes) {
                // No element is read after an earlier one wrote it: `memmove` is the loop.
                // SAFETY: both ranges are valid for `bytes` bytes (the caller's contract).
                unsafe { std::ptr::copy(src, dst, bytes) };
                return;
            }
            let (dst, src) = (dst.cast::<$t>(), src.cast::<$t>());
            for k in 0..n as usize {
                // SAFETY: as above; each read follows the writes of the elements before it.
                unsafe { dst.add(k).write_unaligned(src.add(k).read_unaligned()) };
            }
        }
        dispatch!($name, $generic, (dst: *mut u8, src: *const u8, n: i64));
    };
}

/// `dst[k] = f(dst[k], src[k])` for `k` in `0..n`, in the loop's forward order: where the
/// destination starts inside the source after its start, element by element (each read follows
/// the writes of the elements before it); otherwise blocks of 16 that read before they write,
/// which the compiler vectorises (a destination before the source only overwrites elements
/// already read).
#[inline(always)]
unsafe fn map_forward<T: Copy + Default>(
    dst: *mut u8,
    src: *const u8,
    n: i64,
    f: impl Fn(T, T) -> T,
) {
    if n <= 0 {
        return;
    }
    let n = n as usize;
    let bytes = n * std::mem::size_of::<T>();
    let (d, s) = (dst as usize, src as usize);
    let (dst, src) = (dst.cast::<T>(), src.cast::<T>());
    let mut k = 0usize;
    if d <= s || d >= s.wrapping_add(bytes) {
        while k + 16 <= n {
            let mut block = [T::default(); 16];
            for (j, x) in block.iter_mut().enumerate() {
                // SAFETY: both pointers address `n` elements (the caller's contract).
                *x = unsafe {
                    f(
                        dst.add(k + j).read_unaligned(),
                        src.add(k + j).read_unaligned(),
                    )
                };
            }
            for (j, x) in block.iter().enumerate() {
                // SAFETY: as above.
                unsafe { dst.add(k + j).write_unaligned(*x) };
            }
            k += 16;
        }
    }
    for j in k..n {
        // SAFETY: as above.
        unsafe {
            let x = f(dst.add(j).read_unaligned(), src.add(j).read_unaligned());
            dst.add(j).write_unaligned(x);
        }
    }
}

/// An element-wise routine over [`map_forward`]: `(dst, src, extra.., n) -> 0`, dispatched to
/// the widest instruction set the CPU has.
macro_rules! map_routine {
    ($name:ident, $generic:ident, $t:ty, ($($extra:ident: $ety:ty),*), |$d:pat_param, $s:ident| $body:expr) => {
        #[inline(always)]
        unsafe fn $generic(dst: *mut u8, src: *const u8, $($extra: $ety,)* n: i64) {
            unsafe { map_forward::<$t>(dst, src, n, |$d, $s| $body) }
        }
        dispatch!($name, $generic, (dst: *mut u8, src: *const u8, $($extra: $ety,)* n: i64));
    };
}

fill!(ferrojit_fill_8, fill_8_generic, u8);
fill!(ferrojit_fill_16, fill_16_generic, u16);
fill!(ferrojit_fill_32, fill_32_generic, u32);
fill!(ferrojit_fill_64, fill_64_generic, u64);
copy_forward!(ferrojit_copy_8, copy_8_generic, u8);
copy_forward!(ferrojit_copy_16, copy_16_generic, u16);
copy_forward!(ferrojit_copy_32, copy_32_generic, u32);
copy_forward!(ferrojit_copy_64, copy_64_generic, u64);
// Square roots: the packed root is correctly rounded like the scalar one, and on the CPUs
// measured its throughput is one instruction per few cycles whatever the width, so eight lanes
// of AVX-512 do four times the two of Cranelift's 128-bit vectors.
map_routine!(ferrojit_sqrt_f32, sqrt_f32_generic, f32, (), |_, x| x
    .sqrt());
map_routine!(ferrojit_sqrt_f64, sqrt_f64_generic, f64, (), |_, x| x
    .sqrt());
// BLAS's `axpy`, the product and the sum each rounded (no fused multiply-add, as the loop).
map_routine!(ferrojit_axpy_f32, axpy_f32_generic, f32, (scale: f32), |d, x| d + scale * x);
map_routine!(ferrojit_axpy_f64, axpy_f64_generic, f64, (scale: f64), |d, x| d + scale * x);
/// Four `axpy`s on one destination, `d += a[u] * s_u` for `u` in `0..4` in that order, the
/// scales read at `a`, `a + a_stride`, … and the sources `s_u = s + u * s_stride` (bytes): the
/// `k` loop of an i-k-j matrix product four iterations at a time (`ir::passes::fill_copy`'s
/// jam). Where no source and no scale lies in the destination, one pass over `d` adds the
/// four products to each element in order, bitwise the four passes' result; otherwise the
/// four `axpy`s run one after the other, each scale read just before its pass.
///
/// # Safety
/// `d` addresses `n` writable `f64`s, each `s_u` `n` readable ones, each scale one.
pub unsafe extern "C" fn ferrojit_axpy4_f64(
    d: *mut u8,
    s: *const u8,
    s_stride: i64,
    a: *const u8,
    a_stride: i64,
    n: i64,
) -> i64 {
    if n <= 0 {
        return 0;
    }
    let bytes = n as usize * 8;
    let (d_start, d_end) = (d as usize, d as usize + bytes);
    let apart = |start: usize, len: usize| start.wrapping_add(len) <= d_start || start >= d_end;
    let source = |u: usize| (s as usize).wrapping_add((s_stride as usize).wrapping_mul(u));
    let scale_at = |u: usize| (a as usize).wrapping_add((a_stride as usize).wrapping_mul(u));
    if !(0..4).all(|u| apart(source(u), bytes) && apart(scale_at(u), 8)) {
        for u in 0..4 {
            // SAFETY: the caller's contract; each scale is read after the passes before it.
            unsafe {
                let scale = (scale_at(u) as *const f64).read_unaligned();
                ferrojit_axpy_f64(d, source(u) as *const u8, scale, n);
            }
        }
        return 0;
    }
    #[inline(always)]
    unsafe fn fused(d: *mut f64, s: [*const f64; 4], a: [f64; 4], n: usize) {
        for j in 0..n {
            // SAFETY: every pointer addresses `n` elements; `d` overlaps none of the sources.
            unsafe {
                let mut x = d.add(j).read_unaligned();
                for u in 0..4 {
                    x += a[u] * s[u].add(j).read_unaligned();
                }
                d.add(j).write_unaligned(x);
            }
        }
    }
    let sources = [0, 1, 2, 3].map(|u| source(u) as *const f64);
    // SAFETY: the scales lie outside `d` (checked above), readable by the caller's contract.
    let scales = [0, 1, 2, 3].map(|u| unsafe { (scale_at(u) as *const f64).read_unaligned() });
    let d = d.cast::<f64>();
    let n = n as usize;
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx512f")]
        unsafe fn wide(d: *mut f64, s: [*const f64; 4], a: [f64; 4], n: usize) {
            unsafe { fused(d, s, a, n) }
        }
        /// The first `n < 8` elements in one masked register, the same operations as the
        /// vectorised loop's (whose operand order decides which of two NaNs a sum keeps:
        /// scalar code could order them otherwise).
        #[target_feature(enable = "avx512f")]
        unsafe fn head(d: *mut f64, s: [*const f64; 4], a: [f64; 4], n: usize) {
            use std::arch::x86_64::{
                _mm512_add_pd, _mm512_mask_storeu_pd, _mm512_maskz_loadu_pd, _mm512_mul_pd,
                _mm512_set1_pd,
            };
            let k = ((1u32 << n) - 1) as u8;
            // SAFETY: the lanes past `n` are masked off (neither read nor written).
            unsafe {
                let mut x = _mm512_maskz_loadu_pd(k, d);
                for u in 0..4 {
                    let y = _mm512_maskz_loadu_pd(k, s[u]);
                    x = _mm512_add_pd(x, _mm512_mul_pd(_mm512_set1_pd(a[u]), y));
                }
                _mm512_mask_storeu_pd(d, k, x);
            }
        }
        #[target_feature(enable = "avx2")]
        unsafe fn avx2(d: *mut f64, s: [*const f64; 4], a: [f64; 4], n: usize) {
            unsafe { fused(d, s, a, n) }
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            // The first elements one by one until the sources' rows start a cache line (they
            // are usually one stride apart, a multiple of 64 bytes): the four sources' loads
            // are then whole lines and only `d`'s may straddle two. Measured on a 256x256
            // i-k-j product with `y` 16 bytes past a line: 1.09 -> 0.95 ms.
            let line = 64 / std::mem::size_of::<f64>();
            let first = sources[0] as usize;
            let peel = if first.is_multiple_of(8) {
                ((line - first / 8 % line) % line).min(n)
            } else {
                0
            };
            unsafe {
                if peel > 0 {
                    head(d, sources, scales, peel);
                }
                let rest = sources.map(|p| p.wrapping_add(peel));
                wide(d.add(peel), rest, scales, n - peel);
            }
            return 0;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            unsafe { avx2(d, sources, scales, n) };
            return 0;
        }
    }
    unsafe { fused(d, sources, scales, n) };
    0
}

// Division by a value fixed in the loop, correctly rounded like the scalar `divsd` (whose
// throughput, like the square root's, is per instruction whatever the width).
map_routine!(ferrojit_div_f32, div_f32_generic, f32, (divisor: f32), |_, x| x / divisor);
map_routine!(ferrojit_div_f64, div_f64_generic, f64, (divisor: f64), |_, x| x / divisor);

#[cfg(test)]
mod tests {
    use super::*;

    /// The loop a copy replaces, on a byte buffer.
    fn scalar_copy(buf: &mut [u8], dst: usize, src: usize, n: usize, size: usize) {
        for k in 0..n {
            // Element `k` is read whole, then written.
            let element: Vec<u8> = buf[src + k * size..src + (k + 1) * size].to_vec();
            buf[dst + k * size..dst + (k + 1) * size].copy_from_slice(&element);
        }
    }

    #[test]
    fn copies_keep_the_forward_order_of_the_loop() {
        let copies: [(usize, unsafe extern "C" fn(*mut u8, *const u8, i64) -> i64); 4] = [
            (1, ferrojit_copy_8),
            (2, ferrojit_copy_16),
            (4, ferrojit_copy_32),
            (8, ferrojit_copy_64),
        ];
        for (size, copy) in copies {
            for n in [0usize, 1, 3, 17, 40] {
                // Destinations before, at, inside (at odd byte offsets too) and after the source.
                for dst in [0usize, 5, 8, 9, 13, 16, 64, 200] {
                    let src = 8;
                    let mut want: Vec<u8> = (0..1024).map(|k| (k * 37 % 251) as u8).collect();
                    let mut got = want.clone();
                    scalar_copy(&mut want, dst, src, n, size);
                    let base = got.as_mut_ptr();
                    unsafe { copy(base.add(dst), base.add(src), n as i64) };
                    assert_eq!(got, want, "{size}-byte copy of {n} from {src} to {dst}");
                }
            }
        }
    }

    #[test]
    fn square_roots_keep_the_forward_order_and_every_bit() {
        let special = [0.0, -0.0, -1.0, f64::NAN, f64::INFINITY, 1e-310, 2.0, 0.25];
        for n in [0usize, 1, 15, 16, 17, 40] {
            for dst in [0usize, 3, 8, 9, 20, 100] {
                let src = 8;
                let init: Vec<f64> = (0..160)
                    .map(|k| special[k % special.len()] * (1.0 + k as f64 / 7.0))
                    .collect();
                let mut want = init.clone();
                for k in 0..n {
                    want[dst + k] = want[src + k].sqrt();
                }
                let mut got = init.clone();
                let base = got.as_mut_ptr().cast::<u8>();
                unsafe { ferrojit_sqrt_f64(base.add(8 * dst), base.add(8 * src), n as i64) };
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got), bits(&want), "sqrt of {n} from {src} to {dst}");
                let init32: Vec<f32> = init.iter().map(|&x| x as f32).collect();
                let mut want32 = init32.clone();
                for k in 0..n {
                    want32[dst + k] = want32[src + k].sqrt();
                }
                let mut got32 = init32.clone();
                let base = got32.as_mut_ptr().cast::<u8>();
                unsafe { ferrojit_sqrt_f32(base.add(4 * dst), base.add(4 * src), n as i64) };
                let bits32 = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits32(&got32), bits32(&want32), "f32 sqrt of {n} to {dst}");
            }
        }
    }

    #[test]
    fn axpys_keep_the_forward_order_and_every_bit() {
        for n in [0usize, 1, 15, 16, 17, 40] {
            for dst in [0usize, 3, 8, 9, 20, 100] {
                let src = 8;
                let init: Vec<f64> = (0..160).map(|k| (k as f64 * 0.37).sin() * 1e3).collect();
                let scale = -1.75;
                let mut want = init.clone();
                for k in 0..n {
                    want[dst + k] += scale * want[src + k];
                }
                let mut got = init.clone();
                let base = got.as_mut_ptr().cast::<u8>();
                unsafe { ferrojit_axpy_f64(base.add(8 * dst), base.add(8 * src), scale, n as i64) };
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got), bits(&want), "axpy of {n} from {src} to {dst}");
                let init32: Vec<f32> = init.iter().map(|&x| x as f32).collect();
                let mut want32 = init32.clone();
                for k in 0..n {
                    want32[dst + k] += 0.5 * want32[src + k];
                }
                let mut got32 = init32.clone();
                let base = got32.as_mut_ptr().cast::<u8>();
                unsafe { ferrojit_axpy_f32(base.add(4 * dst), base.add(4 * src), 0.5, n as i64) };
                let bits32 = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits32(&got32), bits32(&want32), "f32 axpy of {n} to {dst}");
            }
        }
    }

    #[test]
    fn axpy4_is_four_axpys_in_order() {
        // A 4x40 block of sources from element `first` (each start against a cache line: the
        // routine computes the first elements one by one up to a line), scales apart or
        // inside the destination, the destination apart from or overlapping a source.
        let cases = [
            (300usize, 200usize, 0usize),
            (300, 310, 0),
            (10, 200, 0),
            (45, 200, 0),
        ];
        let shifted = (1..8).map(|first| (300, 200, first));
        for (dst, scales, first) in cases.into_iter().chain(shifted) {
            for n in [0usize, 1, 7, 33, 40] {
                let init: Vec<f64> = (0..400).map(|k| (k as f64 * 0.731).sin() * 7.0).collect();
                let mut want = init.clone();
                for u in 0..4 {
                    let scale = want[scales + u];
                    for j in 0..n {
                        want[dst + j] += scale * want[first + 40 * u + j];
                    }
                }
                let mut got = init.clone();
                let base = got.as_mut_ptr().cast::<u8>();
                unsafe {
                    ferrojit_axpy4_f64(
                        base.add(8 * dst),
                        base.add(8 * first),
                        320,
                        base.add(8 * scales),
                        8,
                        n as i64,
                    )
                };
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(&got),
                    bits(&want),
                    "dst {dst}, scales {scales}, first {first}, n {n}"
                );
            }
        }
    }

    #[test]
    fn fills_write_the_low_bits_of_the_value() {
        let mut buf = vec![0u8; 64];
        let p = buf.as_mut_ptr();
        unsafe {
            ferrojit_fill_8(p.add(1), 0x1FF, 3);
            ferrojit_fill_16(p.add(5), -2, 2);
            ferrojit_fill_32(p.add(9), f32::to_bits(1.5) as i64, 1);
            ferrojit_fill_64(p.add(13), f64::to_bits(-2.0) as i64, 2);
            ferrojit_fill_64(p.add(40), 7, 0);
        }
        let mut want = vec![0u8; 64];
        want[1..4].copy_from_slice(&[0xFF; 3]);
        want[5..9].copy_from_slice(&[0xFE, 0xFF, 0xFE, 0xFF]);
        want[9..13].copy_from_slice(&1.5f32.to_le_bytes());
        want[13..21].copy_from_slice(&(-2.0f64).to_le_bytes());
        want[21..29].copy_from_slice(&(-2.0f64).to_le_bytes());
        assert_eq!(buf, want);
    }
}
