//! Typed, growable lists made or used by compiled code: a `#[repr(C)]` header with a data
//! pointer and a length, and the helpers that grow, shrink and copy it.
//!
//! ```text
//! struct List {
//!     data:  *mut u8,   // offset 0: the items, `itemsize` bytes each, packed
//!     len:   i64,       // offset 8: number of items
//!     bytes: i64,       // offset 16: size of the allocation behind `data` (0: none)
//! }
//! ```
//!
//! The item size is not stored: compiled code knows it from the list's type and passes it to
//! every helper, so an empty list (`[]`) needs no item type until its first `append`. Loads and
//! stores of items, `len` and indexing are done by compiled code itself; these helpers only
//! change the allocation. Lists created by compiled code belong to the call's arena
//! ([`crate::alloc::Arena`]) and are freed with it; a list passed in from Python belongs to the
//! dispatcher, which reads it back after the call (Numba's reflected lists).

use crate::error::ErrorSlot;
use std::alloc::{Layout, alloc_zeroed, dealloc, realloc};

/// Byte offset of the data pointer.
pub const LIST_DATA_OFFSET: i32 = 0;
/// Byte offset of the length.
pub const LIST_LEN_OFFSET: i32 = 8;
/// Byte offset of the allocation's size in bytes (compiled code's `append` stores in place
/// while the next item fits, and calls [`ferrojit_list_push`] to grow otherwise).
pub const LIST_BYTES_OFFSET: i32 = 16;
/// Alignment of list data (enough for every item, including complex128).
const LIST_ALIGN: usize = 16;

#[repr(C)]
#[derive(Debug)]
pub struct List {
    pub data: *mut u8,
    pub len: i64,
    bytes: i64,
}

// SAFETY: a List is plain owned memory; nothing in it is tied to a thread.
unsafe impl Send for List {}
unsafe impl Sync for List {}

impl Default for List {
    fn default() -> Self {
        List::new()
    }
}

impl List {
    pub fn new() -> List {
        List {
            data: std::ptr::null_mut(),
            len: 0,
            bytes: 0,
        }
    }

    /// A list of `len` zeroed items of `itemsize` bytes; `None` if memory is exhausted.
    pub fn with_len(itemsize: usize, len: usize) -> Option<List> {
        let mut list = List::new();
        list.reserve(itemsize, len)?;
        // SAFETY: `reserve` made room for `len` items.
        unsafe { std::ptr::write_bytes(list.data, 0, itemsize * len) };
        list.len = len as i64;
        Some(list)
    }

    /// The items' bytes.
    pub fn bytes_of(&self, itemsize: usize) -> &[u8] {
        if self.data.is_null() {
            return &[];
        }
        // SAFETY: `len` items of `itemsize` bytes are initialised behind `data`.
        unsafe { std::slice::from_raw_parts(self.data, self.len as usize * itemsize) }
    }

    /// Makes room for at least `items` items (growing geometrically); `None` if memory is
    /// exhausted or the size overflows.
    pub fn reserve(&mut self, itemsize: usize, items: usize) -> Option<()> {
        let need = items.checked_mul(itemsize)?.max(1);
        if need <= self.bytes as usize {
            return Some(());
        }
        let new_bytes = need.max(2 * self.bytes as usize).max(64);
        let layout = Layout::from_size_align(new_bytes, LIST_ALIGN).ok()?;
        // SAFETY: nonzero sizes; `data` was allocated with the old layout when non-null.
        let data = unsafe {
            if self.data.is_null() {
                alloc_zeroed(layout)
            } else {
                let old = Layout::from_size_align_unchecked(self.bytes as usize, LIST_ALIGN);
                realloc(self.data, old, new_bytes)
            }
        };
        if data.is_null() {
            return None;
        }
        self.data = data;
        self.bytes = new_bytes as i64;
        Some(())
    }

    /// Appends `len` uninitialised items, returning the address of the first (null on failure).
    fn grow_by(&mut self, itemsize: usize, count: usize) -> *mut u8 {
        let len = self.len as usize;
        if self.reserve(itemsize, len + count).is_none() {
            return std::ptr::null_mut();
        }
        self.len += count as i64;
        // SAFETY: room for `len + count` items.
        unsafe { self.data.add(len * itemsize) }
    }

    /// Replaces the items with `bytes` (a whole number of items).
    pub fn set_bytes(&mut self, itemsize: usize, bytes: &[u8]) -> Option<()> {
        let count = bytes.len().checked_div(itemsize).unwrap_or(0);
        self.len = 0;
        let at = self.grow_by(itemsize, count);
        if at.is_null() && count > 0 {
            return None;
        }
        // SAFETY: room for `count` items at `at`.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), at, bytes.len()) };
        Some(())
    }
}

impl Drop for List {
    fn drop(&mut self) {
        if !self.data.is_null() {
            // SAFETY: allocated by `reserve` with this size and alignment.
            unsafe {
                dealloc(
                    self.data,
                    Layout::from_size_align_unchecked(self.bytes as usize, LIST_ALIGN),
                )
            };
        }
    }
}

/// A new list of `len` zeroed items in the call's arena; 0 if memory is exhausted.
///
/// # Safety
/// `err` is the call's error slot.
pub unsafe extern "C" fn ferrojit_list_new(err: *mut ErrorSlot, itemsize: i64, len: i64) -> i64 {
    let Some(list) = List::with_len(itemsize.max(0) as usize, len.max(0) as usize) else {
        return 0;
    };
    // SAFETY: per the contract.
    unsafe { (*err).arena_mut().push_list(list) as i64 }
}

/// Appends one uninitialised item and returns its address (0 if memory is exhausted).
///
/// # Safety
/// `list` is a live list of items of `itemsize` bytes.
pub unsafe extern "C" fn ferrojit_list_push(_err: *mut ErrorSlot, list: i64, itemsize: i64) -> i64 {
    // SAFETY: per the contract.
    let list = unsafe { &mut *(list as *mut List) };
    list.grow_by(itemsize as usize, 1) as i64
}

/// `list.insert(index, ...)`: makes room for one item before `index` (Python's clamping of
/// out-of-range and negative indices) and returns its address (0 if memory is exhausted).
///
/// # Safety
/// `list` is a live list of items of `itemsize` bytes.
pub unsafe extern "C" fn ferrojit_list_insert(
    _err: *mut ErrorSlot,
    list: i64,
    itemsize: i64,
    index: i64,
) -> i64 {
    // SAFETY: per the contract.
    let list = unsafe { &mut *(list as *mut List) };
    let len = list.len;
    let at = if index < 0 {
        (index + len).max(0)
    } else {
        index.min(len)
    } as usize;
    let size = itemsize as usize;
    if list.grow_by(size, 1).is_null() {
        return 0;
    }
    // SAFETY: room for `len + 1` items; the tail moves up by one item.
    unsafe {
        let base = list.data.add(at * size);
        std::ptr::copy(base, base.add(size), (len as usize - at) * size);
        base as i64
    }
}

/// Removes the item at `index` (already checked to be in `0..len`).
///
/// # Safety
/// `list` is a live list of items of `itemsize` bytes with more than `index` items.
pub unsafe extern "C" fn ferrojit_list_remove(
    _err: *mut ErrorSlot,
    list: i64,
    itemsize: i64,
    index: i64,
) -> i64 {
    // SAFETY: per the contract.
    let list = unsafe { &mut *(list as *mut List) };
    if index < 0 || index >= list.len {
        return 0;
    }
    let size = itemsize as usize;
    let at = index as usize;
    let len = list.len as usize;
    // SAFETY: items `at + 1 .. len` move down by one.
    unsafe {
        let base = list.data.add(at * size);
        std::ptr::copy(base.add(size), base, (len - at - 1) * size);
    }
    list.len -= 1;
    0
}

/// Appends the items of `other` (which may be `list` itself); 0 if memory is exhausted, else 1.
///
/// # Safety
/// Both are live lists of items of `itemsize` bytes.
pub unsafe extern "C" fn ferrojit_list_extend(
    _err: *mut ErrorSlot,
    list: i64,
    itemsize: i64,
    other: i64,
) -> i64 {
    let size = itemsize as usize;
    // SAFETY: per the contract; `other` is only read before `list` changes.
    let copy = unsafe { (*(other as *const List)).bytes_of(size).to_vec() };
    let list = unsafe { &mut *(list as *mut List) };
    let count = copy.len().checked_div(size).unwrap_or(0);
    let at = list.grow_by(size, count);
    if at.is_null() && count > 0 {
        return 0;
    }
    // SAFETY: room for `count` items at `at`.
    unsafe { std::ptr::copy_nonoverlapping(copy.as_ptr(), at, copy.len()) };
    1
}

/// `list[start:stop:step]` as a new list in the call's arena (0 if memory is exhausted).
/// `i64::MIN` stands for an omitted bound; `step` is not zero (checked by the caller).
///
/// # Safety
/// `err` is the call's error slot; `list` is a live list of items of `itemsize` bytes.
pub unsafe extern "C" fn ferrojit_list_slice(
    err: *mut ErrorSlot,
    list: i64,
    itemsize: i64,
    start: i64,
    stop: i64,
    step: i64,
) -> i64 {
    // SAFETY: per the contract.
    let src = unsafe { &*(list as *const List) };
    let size = itemsize as usize;
    let len = src.len;
    let (start, stop) = slice_bounds(len, start, stop, step);
    let mut picked = Vec::new();
    let bytes = src.bytes_of(size);
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        let at = i as usize * size;
        picked.extend_from_slice(&bytes[at..at + size]);
        i += step;
    }
    let mut out = List::new();
    if out.set_bytes(size, &picked).is_none() {
        return 0;
    }
    // SAFETY: per the contract.
    unsafe { (*err).arena_mut().push_list(out) as i64 }
}

/// Python's `slice.indices(len)` for a nonzero step: the first index and the exclusive end.
fn slice_bounds(len: i64, start: i64, stop: i64, step: i64) -> (i64, i64) {
    let clamp = |v: i64, default: i64| -> i64 {
        if v == i64::MIN {
            return default;
        }
        let v = if v < 0 { v + len } else { v };
        if step > 0 {
            v.clamp(0, len)
        } else {
            v.clamp(-1, len - 1)
        }
    };
    if step > 0 {
        (clamp(start, 0), clamp(stop, len))
    } else {
        (clamp(start, len - 1), clamp(stop, -1))
    }
}

/// `list.reverse()`.
///
/// # Safety
/// `list` is a live list of items of `itemsize` bytes.
pub unsafe extern "C" fn ferrojit_list_reverse(
    _err: *mut ErrorSlot,
    list: i64,
    itemsize: i64,
) -> i64 {
    // SAFETY: per the contract.
    let list = unsafe { &mut *(list as *mut List) };
    let size = itemsize as usize;
    let len = list.len as usize;
    for i in 0..len / 2 {
        // SAFETY: two distinct items in range.
        unsafe {
            std::ptr::swap_nonoverlapping(
                list.data.add(i * size),
                list.data.add((len - 1 - i) * size),
                size,
            )
        };
    }
    0
}

/// Item kinds `ferrojit_list_sort` orders (the list's scalar item type).
pub mod sort_kind {
    pub const I64: i64 = 0;
    pub const U64: i64 = 1;
    pub const F64: i64 = 2;
    pub const I32: i64 = 3;
    pub const U32: i64 = 4;
    pub const F32: i64 = 5;
    pub const I16: i64 = 6;
    pub const U16: i64 = 7;
    pub const I8: i64 = 8;
    pub const U8: i64 = 9;
}

/// `list.sort()` (ascending; `reverse != 0` descending) of numbers, stable; NaNs compare as
/// CPython's `<` leaves them (they stay where the merge puts them: treated as equal).
///
/// # Safety
/// `list` is a live list whose items are of `kind`.
pub unsafe extern "C" fn ferrojit_list_sort(
    _err: *mut ErrorSlot,
    list: i64,
    kind: i64,
    reverse: i64,
) -> i64 {
    // SAFETY: per the contract.
    let list = unsafe { &mut *(list as *mut List) };
    let len = list.len as usize;
    if len < 2 {
        return 0;
    }
    macro_rules! sort_as {
        ($t:ty) => {{
            // SAFETY: `len` items of type `$t`, aligned (LIST_ALIGN).
            let items = unsafe { std::slice::from_raw_parts_mut(list.data as *mut $t, len) };
            if reverse != 0 {
                items.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
            } else {
                items.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            }
        }};
    }
    match kind {
        sort_kind::I64 => sort_as!(i64),
        sort_kind::U64 => sort_as!(u64),
        sort_kind::F64 => sort_as!(f64),
        sort_kind::I32 => sort_as!(i32),
        sort_kind::U32 => sort_as!(u32),
        sort_kind::F32 => sort_as!(f32),
        sort_kind::I16 => sort_as!(i16),
        sort_kind::U16 => sort_as!(u16),
        sort_kind::I8 => sort_as!(i8),
        _ => sort_as!(u8),
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(list: &List) -> Vec<i64> {
        list.bytes_of(8)
            .chunks(8)
            .map(|c| i64::from_ne_bytes(c.try_into().unwrap()))
            .collect()
    }

    #[test]
    fn push_insert_remove_extend_slice() {
        let mut slot = ErrorSlot::default();
        unsafe {
            let l = ferrojit_list_new(&mut slot, 8, 0);
            for v in 0..100i64 {
                *(ferrojit_list_push(&mut slot, l, 8) as *mut i64) = v;
            }
            *(ferrojit_list_insert(&mut slot, l, 8, -1) as *mut i64) = -5;
            *(ferrojit_list_insert(&mut slot, l, 8, -1000) as *mut i64) = -7;
            ferrojit_list_remove(&mut slot, l, 8, 1);
            let list = &*(l as *const List);
            assert_eq!(list.len, 101);
            assert_eq!(items(list)[..3], [-7, 1, 2]);
            assert_eq!(items(list)[99], -5);
            ferrojit_list_extend(&mut slot, l, 8, l);
            assert_eq!((*(l as *const List)).len, 202);
            let s = ferrojit_list_slice(&mut slot, l, 8, 5, i64::MIN, -2);
            assert_eq!(items(&*(s as *const List)), vec![5, 3, 1]);
            ferrojit_list_sort(&mut slot, s, sort_kind::I64, 0);
            assert_eq!(items(&*(s as *const List)), vec![1, 3, 5]);
        }
    }

    #[test]
    fn slice_bounds_follow_python() {
        assert_eq!(slice_bounds(5, i64::MIN, i64::MIN, 1), (0, 5));
        assert_eq!(slice_bounds(5, i64::MIN, i64::MIN, -1), (4, -1));
        assert_eq!(slice_bounds(5, -2, 100, 1), (3, 5));
        assert_eq!(slice_bounds(5, 10, -10, -1), (4, -1));
    }
}
