//! Instances of `@jitclass` classes: reference-counted heap objects shared by compiled code and
//! the Python boxes that hold them.
//!
//! ```text
//! struct Object {
//!     refcount: AtomicI64,   // offset 0: the references held by boxes, fields and arenas
//!     class:    i64,         // offset 8: the class id (see `register_class`)
//!     fields:   [u8],        // offset 16: laid out by `typeinfer::classes`
//! }
//! ```
//!
//! Ownership: an object made by compiled code starts with one reference, held by the call's
//! arena ([`crate::alloc::Arena`]) and given up when the call ends; a Python box, an instance
//! field and a returned value each hold one more. Compiled code never frees anything while it
//! runs: the references it drops (a field overwritten) are handed to the arena and dropped with
//! it, so a local that still points at the old value stays valid until the call returns.
//!
//! An array field holds a descriptor owned by the object and keeps the array's memory alive
//! through the keep registry: an arena buffer moves out of the arena into the registry, a
//! NumPy array (a descriptor `owner` that is a `PyObject*`) gets one Python reference through
//! the hooks the Python bridge installs ([`set_python_hooks`]). Registry entries are counted,
//! keyed by the descriptor's `owner`, so views of one buffer share one entry.

use crate::alloc::{Arena, Buffer};
use crate::array::{OWNER_OFFSET, descriptor_size};
use crate::error::ErrorSlot;
use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, RwLock};

/// Byte offset of the reference count.
pub const OBJECT_REFCOUNT_OFFSET: i32 = 0;
/// Byte offset of the class id.
pub const OBJECT_CLASS_OFFSET: i32 = 8;
/// Size of the header before the first field.
pub const OBJECT_HEADER_SIZE: i32 = 16;
/// Alignment of objects (enough for every field, complex128 included).
const OBJECT_ALIGN: usize = 16;

/// What the runtime must release when an object of a class is freed.
#[derive(Clone, Debug, Default)]
pub struct ClassLayout {
    /// Size of an object in bytes, header included.
    pub size: usize,
    /// Array fields: (offset of the descriptor pointer, rank).
    pub arrays: Vec<(usize, u32)>,
    /// Instance fields: offsets of the object pointers.
    pub objects: Vec<usize>,
}

fn classes() -> &'static RwLock<HashMap<i64, ClassLayout>> {
    static CLASSES: OnceLock<RwLock<HashMap<i64, ClassLayout>>> = OnceLock::new();
    CLASSES.get_or_init(Default::default)
}

/// Records the layout of class `id` (done once, when the class is declared).
pub fn register_class(id: i64, layout: ClassLayout) {
    classes()
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, layout);
}

fn class_layout(id: i64) -> Option<ClassLayout> {
    classes()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&id)
        .cloned()
}

/// Number of objects alive now (for leak tests).
pub fn live_objects() -> usize {
    LIVE.load(Ordering::Relaxed)
}
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Incref/decref of a `PyObject*`, installed by the Python bridge (they take the GIL).
#[derive(Copy, Clone)]
pub struct PythonHooks {
    pub incref: extern "C" fn(usize),
    pub decref: extern "C" fn(usize),
}
static HOOKS: OnceLock<PythonHooks> = OnceLock::new();

/// Installs the Python reference hooks (first call wins).
pub fn set_python_hooks(hooks: PythonHooks) {
    let _ = HOOKS.set(hooks);
}

/// A reference the arena drops when the call ends.
#[derive(Debug)]
pub enum Deferred {
    /// One reference to an object.
    Object(usize),
    /// One keep-registry reference to an array's memory.
    Owner(usize),
    /// A field's former descriptor, of this many bytes.
    Descriptor(usize, usize),
}

impl Deferred {
    /// Drops the reference now.
    pub fn run(self) {
        match self {
            // SAFETY: a reference the arena held to a live object.
            Deferred::Object(obj) => unsafe { decref(obj) },
            Deferred::Owner(owner) => keep_release(owner),
            // SAFETY: allocated by `new_descriptor` with this size.
            Deferred::Descriptor(at, size) => unsafe { free_descriptor(at, size) },
        }
    }
}

/// Adds a reference to `obj` (0 is ignored).
///
/// # Safety
/// `obj` is 0 or a live object.
pub unsafe fn incref(obj: usize) {
    if obj != 0 {
        // SAFETY: per the contract.
        unsafe { refcount(obj).fetch_add(1, Ordering::Relaxed) };
    }
}

/// Drops a reference to `obj` (0 is ignored), freeing it with the last one.
///
/// # Safety
/// `obj` is 0 or a live object whose reference the caller owns.
pub unsafe fn decref(obj: usize) {
    if obj == 0 {
        return;
    }
    // SAFETY: per the contract.
    if unsafe { refcount(obj).fetch_sub(1, Ordering::AcqRel) } != 1 {
        return;
    }
    // SAFETY: the header is readable.
    let class = unsafe { *((obj + OBJECT_CLASS_OFFSET as usize) as *const i64) };
    let layout = class_layout(class).expect("a registered class");
    for &(offset, ndim) in &layout.arrays {
        // SAFETY: the field holds 0 or a descriptor this object owns.
        unsafe { release_array_field(*((obj + offset) as *const usize), ndim) };
    }
    for &offset in &layout.objects {
        // SAFETY: the field holds 0 or a counted reference.
        unsafe { decref(*((obj + offset) as *const usize)) };
    }
    LIVE.fetch_sub(1, Ordering::Relaxed);
    // SAFETY: allocated by `ferrojit_object_new` with this layout.
    unsafe { dealloc(obj as *mut u8, object_layout(layout.size)) };
}

/// The reference count of `obj` (for tests).
///
/// # Safety
/// `obj` is a live object.
pub unsafe fn refcount_of(obj: usize) -> i64 {
    unsafe { refcount(obj).load(Ordering::Relaxed) }
}

unsafe fn refcount<'a>(obj: usize) -> &'a AtomicI64 {
    // SAFETY: the caller passes a live object; offset 0 is its count.
    unsafe { &*(obj as *const AtomicI64) }
}

fn object_layout(size: usize) -> Layout {
    Layout::from_size_align(size.max(OBJECT_HEADER_SIZE as usize), OBJECT_ALIGN)
        .expect("a small object layout")
}

/// Frees an array field's descriptor and its keep reference.
unsafe fn release_array_field(desc: usize, ndim: u32) {
    if desc == 0 {
        return;
    }
    // SAFETY: a descriptor of rank `ndim` from `new_descriptor`.
    let owner = unsafe { *((desc + OWNER_OFFSET as usize) as *const usize) };
    keep_release(owner);
    unsafe { free_descriptor(desc, descriptor_size(ndim)) };
}

fn descriptor_layout(size: usize) -> Layout {
    Layout::from_size_align(size, 8).expect("a small descriptor layout")
}

unsafe fn free_descriptor(at: usize, size: usize) {
    // SAFETY: allocated by `new_descriptor` with this size.
    unsafe { dealloc(at as *mut u8, descriptor_layout(size)) }
}

/// What keeps the memory of one array `owner` alive while fields refer to it.
struct Keep {
    count: usize,
    /// An arena buffer moved here; `None` for a Python object (one Python reference held).
    buffer: Option<Box<Buffer>>,
}

fn keeps() -> &'static Mutex<HashMap<usize, Keep>> {
    static KEEPS: OnceLock<Mutex<HashMap<usize, Keep>>> = OnceLock::new();
    KEEPS.get_or_init(Default::default)
}

/// Takes one keep reference to `owner`'s memory; an arena buffer moves out of `arena`.
fn keep_acquire(arena: &mut Arena, owner: usize) {
    if owner == 0 {
        return;
    }
    let mut map = keeps().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(keep) = map.get_mut(&owner) {
        keep.count += 1;
        return;
    }
    let buffer = arena.take_keeping_order(owner as *const u8);
    let python = buffer.is_none();
    map.insert(owner, Keep { count: 1, buffer });
    drop(map);
    if python && let Some(hooks) = HOOKS.get() {
        (hooks.incref)(owner);
    }
}

/// Takes one more reference to `owner` if the registry keeps it (a returned view of an array
/// field's memory); false otherwise.
pub fn keep_acquire_existing(owner: usize) -> bool {
    let mut map = keeps().lock().unwrap_or_else(|e| e.into_inner());
    match map.get_mut(&owner) {
        Some(keep) => {
            keep.count += 1;
            true
        }
        None => false,
    }
}

/// Drops one keep reference to `owner`'s memory, freeing it (or dropping the Python
/// reference) with the last.
pub fn keep_release(owner: usize) {
    if owner == 0 {
        return;
    }
    let mut map = keeps().lock().unwrap_or_else(|e| e.into_inner());
    let Some(keep) = map.get_mut(&owner) else {
        return;
    };
    keep.count -= 1;
    if keep.count > 0 {
        return;
    }
    let keep = map.remove(&owner).expect("present");
    // Release the lock first: a Python decref may run destructors that release keeps.
    drop(map);
    match keep.buffer {
        Some(buffer) => drop(buffer),
        None => {
            if let Some(hooks) = HOOKS.get() {
                (hooks.decref)(owner);
            }
        }
    }
}

/// Number of array memories kept by fields now (for leak tests).
pub fn kept_owners() -> usize {
    keeps().lock().unwrap_or_else(|e| e.into_inner()).len()
}

/// A new object of class `class` (`size` bytes, fields zeroed) with one reference, held by
/// the call's arena; 0 if memory is exhausted.
///
/// # Safety
/// `err` is the call's error slot; `class` was registered with this `size`.
pub unsafe extern "C" fn ferrojit_object_new(err: *mut ErrorSlot, class: i64, size: i64) -> i64 {
    let obj = new_object(class, size as usize);
    if obj != 0 {
        // SAFETY: per the contract.
        unsafe { (*err).arena_mut().defer(Deferred::Object(obj)) };
    }
    obj as i64
}

/// A new object with one reference owned by the caller; 0 if memory is exhausted.
pub fn new_object(class: i64, size: usize) -> usize {
    // SAFETY: the layout has a nonzero size.
    let obj = unsafe { alloc_zeroed(object_layout(size)) } as usize;
    if obj == 0 {
        return 0;
    }
    // SAFETY: freshly allocated, aligned and large enough for the header.
    unsafe {
        *(obj as *mut i64) = 1;
        *((obj + OBJECT_CLASS_OFFSET as usize) as *mut i64) = class;
    }
    LIVE.fetch_add(1, Ordering::Relaxed);
    obj
}

/// Stores a copy of the array descriptor `desc` (rank `ndim`) in the field at `offset` of
/// `obj`, keeping the array's memory alive; the field's former array is released when the
/// call ends. Returns 1, or 0 if memory is exhausted.
///
/// # Safety
/// `err` is the call's error slot; `obj` a live object with an array field of rank `ndim` at
/// `offset`; `desc` a descriptor of that rank.
pub unsafe extern "C" fn ferrojit_object_set_array(
    err: *mut ErrorSlot,
    obj: i64,
    offset: i64,
    desc: i64,
    ndim: i64,
) -> i64 {
    let size = descriptor_size(ndim as u32);
    // SAFETY: the layout has a nonzero size.
    let copy = unsafe { std::alloc::alloc(descriptor_layout(size)) } as usize;
    if copy == 0 {
        return 0;
    }
    // SAFETY: per the contract; both areas hold `size` bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(desc as *const u8, copy as *mut u8, size);
        let owner = *((copy + OWNER_OFFSET as usize) as *const usize);
        let arena = (*err).arena_mut();
        keep_acquire(arena, owner);
        let field = (obj as usize + offset as usize) as *mut usize;
        let old = *field;
        *field = copy;
        if old != 0 {
            let old_owner = *((old + OWNER_OFFSET as usize) as *const usize);
            arena.defer(Deferred::Owner(old_owner));
            arena.defer(Deferred::Descriptor(old, size));
        }
    }
    1
}

/// Stores `value` (an object, counted once more) in the instance field at `offset` of `obj`;
/// the field's former object is released when the call ends. Returns 1.
///
/// # Safety
/// `err` is the call's error slot; `obj` a live object with an instance field at `offset`;
/// `value` a live object.
pub unsafe extern "C" fn ferrojit_object_set_object(
    err: *mut ErrorSlot,
    obj: i64,
    offset: i64,
    value: i64,
) -> i64 {
    // SAFETY: per the contract.
    unsafe {
        incref(value as usize);
        let field = (obj as usize + offset as usize) as *mut usize;
        let old = *field;
        *field = value as usize;
        if old != 0 {
            (*err).arena_mut().defer(Deferred::Object(old));
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_live_until_the_arena_and_boxes_let_go() {
        register_class(
            -7,
            ClassLayout {
                size: 32,
                arrays: vec![],
                objects: vec![16],
            },
        );
        let mut slot = ErrorSlot::default();
        // SAFETY: a fresh slot and a registered class.
        unsafe {
            let outer = ferrojit_object_new(&mut slot, -7, 32);
            let inner = ferrojit_object_new(&mut slot, -7, 32);
            ferrojit_object_set_object(&mut slot, outer, 16, inner);
            incref(outer as usize); // a box
            assert_eq!(refcount_of(inner as usize), 2);
            drop(slot.take_arena());
            assert_eq!(refcount_of(outer as usize), 1);
            assert_eq!(refcount_of(inner as usize), 1);
            decref(outer as usize);
        }
    }

    #[test]
    fn array_fields_move_arena_buffers_into_the_registry() {
        register_class(
            -8,
            ClassLayout {
                size: 24,
                arrays: vec![(16, 1)],
                objects: vec![],
            },
        );
        let mut slot = ErrorSlot::default();
        // SAFETY: a fresh slot and a registered class.
        unsafe {
            let shape = [4i64];
            let desc =
                crate::alloc::ferrojit_alloc_array(&mut slot, 1, 8, shape.as_ptr() as i64, 1);
            let owner = *((desc as usize + OWNER_OFFSET as usize) as *const usize);
            let obj = ferrojit_object_new(&mut slot, -8, 24);
            ferrojit_object_set_array(&mut slot, obj, 16, desc, 1);
            incref(obj as usize);
            drop(slot.take_arena());
            assert!(keep_acquire_existing(owner));
            keep_release(owner);
            decref(obj as usize);
            assert!(!keep_acquire_existing(owner));
        }
    }
}
