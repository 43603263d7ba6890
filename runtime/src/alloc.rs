//! Memory for arrays that compiled code creates (`np.empty`, `np.zeros`, `a.copy()`, array
//! expressions) and for the descriptors of arrays it returns.
//!
//! Ownership model: every allocation belongs to the [`Arena`] of one top-level call, reached
//! through that call's [`ErrorSlot`] (created lazily on the first allocation). When the call
//! returns, the caller takes the [`Buffer`]s of the arrays it returns out of the arena (the
//! dispatcher hands them to NumPy as the arrays' base objects) and drops the arena, which frees
//! everything else. Compiled code never frees memory one array at a time; what it allocates in a
//! loop stays until the call ends. [`ferrojit_arena_mark`] / [`ferrojit_arena_release`] free
//! everything allocated after a mark, for lowering to call around a loop iteration whose
//! allocations provably do not outlive it (not used by lowering yet).
//!
//! A created array's descriptor `owner` field points at its [`Buffer`], which is how a caller
//! recognises arena memory among returned arrays (argument arrays carry their `PyObject*`).
//!
//! Buffers from 4 MiB on ask for transparent huge pages ([`advise_huge_pages`]): their first
//! touch then faults once per 2 MiB rather than per 4 KiB.

use crate::array::{descriptor_size, shape_offset, stride_offset};
use crate::dict::Dict;
use crate::error::ErrorSlot;
use crate::list::List;
use std::alloc::{Layout, alloc, alloc_zeroed, dealloc};
use std::ptr::NonNull;

/// Alignment of array data: a cache line, so that vector loads never straddle one needlessly.
pub const DATA_ALIGN: usize = 64;

/// From this size on, array data gets [`advise_huge_pages`] (NumPy's threshold too).
const HUGE_PAGE_ADVICE_MIN: usize = 4 << 20;

/// One heap block: array data (or a descriptor), freed when dropped.
#[derive(Debug)]
pub struct Buffer {
    ptr: NonNull<u8>,
    layout: Layout,
}

// SAFETY: a Buffer is plain owned memory; nothing in it is tied to a thread.
unsafe impl Send for Buffer {}
unsafe impl Sync for Buffer {}

impl Buffer {
    /// Allocates `size` bytes (at least one, so that every buffer has a distinct address).
    pub fn new(size: usize, zeroed: bool) -> Option<Buffer> {
        let layout = Layout::from_size_align(size.max(1), DATA_ALIGN).ok()?;
        // SAFETY: the layout has a nonzero size.
        let raw = unsafe {
            if zeroed {
                alloc_zeroed(layout)
            } else {
                alloc(layout)
            }
        };
        let ptr = NonNull::new(raw)?;
        if layout.size() >= HUGE_PAGE_ADVICE_MIN {
            advise_huge_pages(raw, layout.size());
        }
        Some(Buffer { ptr, layout })
    }
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
    pub fn size(&self) -> usize {
        self.layout.size()
    }
}

/// Asks Linux to back the buffer at `ptr` with 2 MiB pages: one first-touch fault per 2 MiB
/// instead of per 4 KiB saves a sizeable share of the time of filling a large buffer (about
/// 20 ms of page faults per 80 MB on our VMs, against a few ms to clear huge pages). NumPy
/// gives its own large arrays the same advice. Only a hint: ignored where transparent huge
/// pages are off, or when the buffer spans no whole huge page.
pub(crate) fn advise_huge_pages(ptr: *mut u8, len: usize) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = (ptr as usize).next_multiple_of(HUGE);
        let end = (ptr as usize + len) & !(HUGE - 1);
        if end > start {
            // SAFETY: the range lies inside the caller's allocation; the advice changes no
            // contents.
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, len);
}

impl Drop for Buffer {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

/// The allocations of one top-level call, in allocation order.
#[derive(Debug, Default)]
pub struct Arena {
    /// Boxed so that a buffer's address (a descriptor's `owner`) stays put as the list grows.
    #[allow(clippy::vec_box, reason = "the box's address is the buffer's identity")]
    buffers: Vec<Box<Buffer>>,
    /// Lists made by compiled code (`crate::list`), boxed so that their headers stay put. They
    /// are freed with the arena, not by [`ferrojit_arena_release`]: a list may outlive the loop
    /// iteration that made it.
    #[allow(clippy::vec_box, reason = "the box's address is the list's identity")]
    lists: Vec<Box<List>>,
    /// Dicts and sets made by compiled code (`crate::dict`), freed with the arena.
    #[allow(clippy::vec_box, reason = "the box's address is the dict's identity")]
    dicts: Vec<Box<Dict>>,
    /// References to `@jitclass` objects and array memory that compiled code dropped or made
    /// (`crate::object`), dropped when the arena is: nothing is freed while the call runs.
    deferred: Vec<crate::object::Deferred>,
}

impl Drop for Arena {
    fn drop(&mut self) {
        for reference in std::mem::take(&mut self.deferred) {
            reference.run();
        }
    }
}

impl Arena {
    pub fn new() -> Arena {
        Arena::default()
    }
    fn push(&mut self, buffer: Buffer) -> *mut Buffer {
        let mut boxed = Box::new(buffer);
        let owner: *mut Buffer = &mut *boxed;
        self.buffers.push(boxed);
        owner
    }
    /// Keeps `list` until the arena is dropped; returns the address of its header.
    pub fn push_list(&mut self, list: List) -> *mut List {
        let mut boxed = Box::new(list);
        let at: *mut List = &mut *boxed;
        self.lists.push(boxed);
        at
    }
    /// Keeps `dict` until the arena is dropped; returns its address.
    pub fn push_dict(&mut self, dict: Dict) -> *mut Dict {
        let mut boxed = Box::new(dict);
        let at: *mut Dict = &mut *boxed;
        self.dicts.push(boxed);
        at
    }
    /// Keeps a reference until the arena is dropped (see `crate::object`).
    pub fn defer(&mut self, reference: crate::object::Deferred) {
        self.deferred.push(reference);
    }
    /// Like [`Arena::take`], but leaves the other buffers in allocation order (a mark taken by
    /// [`ferrojit_arena_mark`] still separates older allocations from newer ones).
    pub fn take_keeping_order(&mut self, owner: *const u8) -> Option<Box<Buffer>> {
        let at = self
            .buffers
            .iter()
            .rposition(|b| std::ptr::eq(&**b as *const Buffer as *const u8, owner))?;
        Some(self.buffers.remove(at))
    }
    /// Number of live allocations.
    pub fn len(&self) -> usize {
        self.buffers.len()
    }
    pub fn is_empty(&self) -> bool {
        self.buffers.is_empty()
    }
    /// Removes and returns the buffer whose address is `owner` (a returned array's descriptor
    /// `owner` field), transferring ownership to the caller; `None` if it is not in this arena
    /// (an argument array's owner, or a buffer already taken).
    pub fn take(&mut self, owner: *const u8) -> Option<Box<Buffer>> {
        let at = self
            .buffers
            .iter()
            .rposition(|b| std::ptr::eq(&**b as *const Buffer as *const u8, owner))?;
        Some(self.buffers.swap_remove(at))
    }
    /// True if `owner` is one of this arena's buffers.
    pub fn owns(&self, owner: *const u8) -> bool {
        self.buffers
            .iter()
            .any(|b| std::ptr::eq(&**b as *const Buffer as *const u8, owner))
    }
}

impl ErrorSlot {
    /// The slot's arena, created on first use.
    pub fn arena_mut(&mut self) -> &mut Arena {
        if self.arena.is_null() {
            self.arena = Box::into_raw(Box::new(Arena::new()));
        }
        // SAFETY: `arena` is null or a pointer from `Box::into_raw` owned by this slot.
        unsafe { &mut *self.arena }
    }
    /// Takes the arena out of the slot (an empty one if nothing was allocated): the caller
    /// keeps returned arrays' buffers alive through it.
    pub fn take_arena(&mut self) -> Arena {
        if self.arena.is_null() {
            return Arena::new();
        }
        // SAFETY: a pointer from `Box::into_raw` owned by this slot, which forgets it here.
        let arena = unsafe { Box::from_raw(self.arena) };
        self.arena = std::ptr::null_mut();
        *arena
    }
}

/// Allocates a C-contiguous array of `ndim` dimensions whose shape is at `shape`, elements of
/// `itemsize` bytes (zeroed if `zeroed != 0`), with its descriptor. Returns the descriptor's
/// address, or 0 if the size overflows or memory is exhausted. Negative extents are checked by
/// the caller (they raise `ValueError`).
///
/// # Safety
/// `err` is the call's error slot; `shape` points to `ndim` readable i64.
pub unsafe extern "C" fn ferrojit_alloc_array(
    err: *mut ErrorSlot,
    ndim: i64,
    itemsize: i64,
    shape: i64,
    zeroed: i64,
) -> i64 {
    let ndim = ndim as usize;
    // SAFETY: per the contract.
    let shape = unsafe { std::slice::from_raw_parts(shape as *const i64, ndim) };
    let Some(bytes) = shape
        .iter()
        .try_fold(itemsize, |acc, &d| acc.checked_mul(d))
        .and_then(|b| usize::try_from(b).ok())
    else {
        return 0;
    };
    let Some(data) = Buffer::new(bytes, zeroed != 0) else {
        return 0;
    };
    let Some(desc) = Buffer::new(descriptor_size(ndim as u32), false) else {
        return 0;
    };
    let base = desc.as_ptr();
    let data_ptr = data.as_ptr();
    // SAFETY: per the contract, `err` is valid and exclusively ours for the call's thread.
    let arena = unsafe { (*err).arena_mut() };
    let owner = arena.push(data);
    arena.push(desc);
    // SAFETY: `base` has room for a descriptor of rank `ndim`, 64-byte aligned.
    unsafe {
        write_i64(base, 0, data_ptr as i64);
        write_i64(base, 8, owner as i64);
        let mut stride = itemsize;
        for axis in (0..ndim).rev() {
            write_i64(base, shape_offset(axis as u32), shape[axis]);
            write_i64(base, stride_offset(ndim as u32, axis as u32), stride);
            stride = stride.wrapping_mul(shape[axis]);
        }
    }
    base as i64
}

/// Copies the descriptor of rank `ndim` at `src` into arena memory and returns the copy's
/// address (0 if memory is exhausted): a descriptor built on the stack (a view) must outlive
/// the frame when the view is returned.
///
/// # Safety
/// `err` is the call's error slot; `src` points to a descriptor of rank `ndim`.
pub unsafe extern "C" fn ferrojit_copy_descriptor(err: *mut ErrorSlot, src: i64, ndim: i64) -> i64 {
    let size = descriptor_size(ndim as u32);
    let Some(copy) = Buffer::new(size, false) else {
        return 0;
    };
    let dst = copy.as_ptr();
    // SAFETY: both areas hold `size` bytes and do not overlap.
    unsafe {
        std::ptr::copy_nonoverlapping(src as *const u8, dst, size);
        (*err).arena_mut().push(copy);
    }
    dst as i64
}

/// The number of allocations so far, to be handed to [`ferrojit_arena_release`].
///
/// # Safety
/// `err` is the call's error slot.
pub unsafe extern "C" fn ferrojit_arena_mark(err: *mut ErrorSlot) -> i64 {
    // SAFETY: per the contract.
    let slot = unsafe { &*err };
    if slot.arena.is_null() {
        0
    } else {
        // SAFETY: a live arena owned by the slot.
        unsafe { (*slot.arena).len() as i64 }
    }
}

/// Frees every allocation made since `mark` was taken: lowering calls this at the end of a
/// loop iteration whose allocations provably do not outlive it.
///
/// # Safety
/// `err` is the call's error slot; no live value refers to memory allocated after `mark`.
pub unsafe extern "C" fn ferrojit_arena_release(err: *mut ErrorSlot, mark: i64) -> i64 {
    // SAFETY: per the contract.
    let slot = unsafe { &mut *err };
    if !slot.arena.is_null() {
        // SAFETY: a live arena owned by the slot.
        let arena = unsafe { &mut *slot.arena };
        arena.buffers.truncate(mark.max(0) as usize);
    }
    0
}

/// # Safety
/// `base + offset` is valid for an aligned 8-byte write.
unsafe fn write_i64(base: *mut u8, offset: i32, value: i64) {
    unsafe { *(base.add(offset as usize) as *mut i64) = value };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::{DATA_OFFSET, OWNER_OFFSET};

    fn read(desc: i64, offset: i32) -> i64 {
        unsafe { *((desc as *const u8).add(offset as usize) as *const i64) }
    }

    #[test]
    fn arrays_are_c_contiguous_and_owned_by_their_buffer() {
        let mut slot = ErrorSlot::default();
        let shape = [3i64, 4];
        let desc = unsafe { ferrojit_alloc_array(&mut slot, 2, 8, shape.as_ptr() as i64, 1) };
        assert_ne!(desc, 0);
        assert_eq!(read(desc, shape_offset(0)), 3);
        assert_eq!(read(desc, stride_offset(2, 0)), 32);
        assert_eq!(read(desc, stride_offset(2, 1)), 8);
        let data = read(desc, DATA_OFFSET) as *const f64;
        assert_eq!(unsafe { *data.add(11) }, 0.0);
        let owner = read(desc, OWNER_OFFSET) as *const u8;
        let mut arena = slot.take_arena();
        assert_eq!(arena.len(), 2);
        let buffer = arena.take(owner).expect("the data buffer");
        assert_eq!(buffer.as_ptr() as *const f64, data);
        assert_eq!(buffer.size(), 96);
        assert!(arena.take(owner).is_none());
    }

    #[test]
    fn overflowing_sizes_fail_cleanly() {
        let mut slot = ErrorSlot::default();
        let shape = [i64::MAX / 2, 4];
        assert_eq!(
            unsafe { ferrojit_alloc_array(&mut slot, 2, 8, shape.as_ptr() as i64, 0) },
            0
        );
    }

    #[test]
    fn release_frees_what_was_allocated_after_the_mark() {
        let mut slot = ErrorSlot::default();
        let shape = [5i64];
        unsafe {
            ferrojit_alloc_array(&mut slot, 1, 8, shape.as_ptr() as i64, 0);
            let mark = ferrojit_arena_mark(&mut slot);
            for _ in 0..10 {
                ferrojit_alloc_array(&mut slot, 1, 8, shape.as_ptr() as i64, 0);
            }
            ferrojit_arena_release(&mut slot, mark);
        }
        assert_eq!(slot.take_arena().len(), 2);
    }
}
