//! Hash tables for compiled code's dicts and sets (a set is a dict without values).
//!
//! ```text
//! struct Dict {
//!     len:     i64,      // offset 0: live entries
//!     entries: *mut u8,  // offset 8: entries in insertion order, `entry_size` bytes each:
//!                        //   the key's bytes, then the value's (each padded to 8 bytes)
//!     ...                // private: sizes, tombstones, the index
//! }
//! ```
//!
//! Keys are compared and hashed by their bytes (compiled code zeroes a key's padding and
//! normalises `-0.0` to `0.0` before a lookup), except string keys, compared by their code
//! points. Removing an entry leaves a tombstone; [`ferrojit_dict_compact`] (called before
//! iterating) squeezes them out, after which entry `i` of `0..len` is at
//! `entries + i * entry_size`. Dicts made by compiled code belong to the call's arena.

use crate::error::ErrorSlot;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Byte offset of the number of live entries.
pub const DICT_LEN_OFFSET: i32 = 0;
/// Byte offset of the entries pointer.
pub const DICT_ENTRIES_OFFSET: i32 = 8;

/// Bytes a key or value of `size` bytes takes in an entry.
pub const fn padded(size: usize) -> usize {
    size.div_ceil(8) * 8
}

#[repr(C)]
#[derive(Debug)]
pub struct Dict {
    pub len: i64,
    entries_ptr: *mut u8,
    /// Null only in a header that was never made by [`Dict::new`] (helpers then do nothing).
    table: *mut Table,
}

#[derive(Debug)]
struct Table {
    key_size: usize,
    value_size: usize,
    str_keys: bool,
    entries: Vec<u8>,
    live: Vec<bool>,
    /// Entry indices, found by the hash of their key's canonical bytes (foldhash: fast and
    /// well mixed for the short keys compiled code has) and compared against the entries
    /// themselves, so a key is stored once.
    index: HashTable<usize>,
}

/// The hash of a key's canonical bytes (fixed seed: a run's dicts behave the same each time;
/// iteration follows insertion order whatever the hashes).
fn hash_of(canonical: &[u8]) -> u64 {
    foldhash::fast::FixedState::with_seed(0x5eed).hash_one(canonical)
}

/// The bytes a key is hashed and compared by: its own, or a string key's code points.
fn canonical(str_keys: bool, key: &[u8]) -> &[u8] {
    if !str_keys {
        return key;
    }
    let s = i64::from_ne_bytes(key[..8].try_into().expect("a string pointer"));
    // SAFETY: a string key is a pointer to a live string.
    let points = unsafe { crate::text::code_points(s) };
    // SAFETY: the code points' memory, as bytes.
    unsafe { std::slice::from_raw_parts(points.as_ptr().cast::<u8>(), points.len() * 4) }
}

// SAFETY: a Dict is plain owned memory; nothing in it is tied to a thread.
unsafe impl Send for Dict {}
unsafe impl Sync for Dict {}

impl Drop for Dict {
    fn drop(&mut self) {
        if !self.table.is_null() {
            // SAFETY: made by `Box::into_raw` in `new`, owned by this header.
            drop(unsafe { Box::from_raw(self.table) });
        }
    }
}

impl Table {
    fn entry_size(&self) -> usize {
        self.key_size + self.value_size
    }

    /// The canonical bytes of entry `i`'s key.
    fn key_of(&self, i: usize) -> &[u8] {
        key_at(
            &self.entries,
            self.key_size,
            self.value_size,
            self.str_keys,
            i,
        )
    }

    /// The entry index of a key with these canonical bytes and hash.
    fn find(&self, key: &[u8], hash: u64) -> Option<usize> {
        self.index.find(hash, |&i| self.key_of(i) == key).copied()
    }

    /// Indexes entry `i` (its key not yet indexed).
    fn index_entry(&mut self, i: usize, hash: u64) {
        // (The closure reads the entries while the index is borrowed: `key_at` on the
        // fields, not `key_of` on the whole table.)
        let (key_size, value_size, str_keys) = (self.key_size, self.value_size, self.str_keys);
        let entries = &self.entries;
        self.index.insert_unique(hash, i, |&j| {
            hash_of(key_at(entries, key_size, value_size, str_keys, j))
        });
    }
}

/// The canonical bytes of the key of entry `i` in `entries` (entries of `key_size +
/// value_size` bytes).
fn key_at(entries: &[u8], key_size: usize, value_size: usize, str_keys: bool, i: usize) -> &[u8] {
    let at = i * (key_size + value_size);
    canonical(str_keys, &entries[at..at + key_size])
}

impl Dict {
    pub fn new(key_size: usize, value_size: usize, str_keys: bool) -> Dict {
        let table = Table {
            key_size: padded(key_size),
            value_size: padded(value_size),
            str_keys,
            entries: Vec::new(),
            live: Vec::new(),
            index: HashTable::new(),
        };
        Dict {
            len: 0,
            entries_ptr: std::ptr::null_mut(),
            table: Box::into_raw(Box::new(table)),
        }
    }

    #[allow(
        clippy::mut_from_ref,
        reason = "the table is owned through a raw pointer; callers hold `&mut Dict` to mutate"
    )]
    fn table(&self) -> Option<&mut Table> {
        // SAFETY: null or owned by this header.
        unsafe { self.table.as_mut() }
    }

    pub fn entry_size(&self) -> usize {
        self.table().map_or(0, |t| t.entry_size())
    }

    pub fn key_size(&self) -> usize {
        self.table().map_or(0, |t| t.key_size)
    }

    /// The entry index of `key` (its key bytes), if present.
    pub fn find(&self, key: &[u8]) -> Option<usize> {
        let t = self.table()?;
        let key = canonical(t.str_keys, key);
        t.find(key, hash_of(key))
    }

    /// The value bytes of entry `i`.
    fn value_mut(&mut self, i: usize) -> *mut u8 {
        let Some(t) = self.table() else {
            return std::ptr::null_mut();
        };
        let at = i * t.entry_size() + t.key_size;
        // SAFETY: entry `i` exists.
        unsafe { t.entries.as_mut_ptr().add(at) }
    }

    /// Inserts `key` with a zeroed value if absent; returns its entry index.
    pub fn insert(&mut self, key: &[u8]) -> Option<usize> {
        let t = self.table()?;
        let hash = hash_of(canonical(t.str_keys, key));
        if let Some(i) = t.find(canonical(t.str_keys, key), hash) {
            return Some(i);
        }
        let i = t.live.len();
        t.entries.extend_from_slice(&key[..t.key_size]);
        t.entries.resize(t.entries.len() + t.value_size, 0);
        t.live.push(true);
        t.index_entry(i, hash);
        self.entries_ptr = t.entries.as_mut_ptr();
        self.len += 1;
        Some(i)
    }

    /// Removes `key`; returns its former entry index (its bytes stay until compaction).
    pub fn remove(&mut self, key: &[u8]) -> Option<usize> {
        let t = self.table()?;
        let key = canonical(t.str_keys, key);
        let hash = hash_of(key);
        let (key_size, value_size, str_keys) = (t.key_size, t.value_size, t.str_keys);
        let entries = &t.entries;
        let (i, _) = t
            .index
            .find_entry(hash, |&j| {
                key_at(entries, key_size, value_size, str_keys, j) == key
            })
            .ok()?
            .remove();
        t.live[i] = false;
        self.len -= 1;
        Some(i)
    }

    /// Squeezes out removed entries (their order kept) and rebuilds the index.
    pub fn compact(&mut self) {
        let len = self.len as usize;
        let Some(t) = self.table() else { return };
        if t.live.len() == len {
            return;
        }
        let size = t.entry_size();
        let mut entries = Vec::with_capacity(len * size);
        for (i, &live) in t.live.iter().enumerate() {
            if live {
                entries.extend_from_slice(&t.entries[i * size..(i + 1) * size]);
            }
        }
        t.entries = entries;
        t.live = vec![true; len];
        t.index.clear();
        for i in 0..len {
            let hash = hash_of(t.key_of(i));
            t.index_entry(i, hash);
        }
        self.entries_ptr = t.entries.as_mut_ptr();
    }

    /// The live entries' bytes, in insertion order (compacts first).
    pub fn entries(&mut self) -> &[u8] {
        self.compact();
        match self.table() {
            Some(t) => &t.entries,
            None => &[],
        }
    }

    fn clear(&mut self) {
        if let Some(t) = self.table() {
            t.entries.clear();
            t.live.clear();
            t.index.clear();
            self.entries_ptr = t.entries.as_mut_ptr();
        }
        self.len = 0;
    }
}

/// # Safety
/// `d` is a live dict; `key` points to its key size of readable bytes.
unsafe fn key_of<'a>(d: i64, key: i64) -> (&'a mut Dict, &'a [u8]) {
    let dict = unsafe { &mut *(d as *mut Dict) };
    let bytes = unsafe { std::slice::from_raw_parts(key as *const u8, dict.key_size()) };
    (dict, bytes)
}

/// A new empty dict in the call's arena (`str_keys != 0`: keys are strings).
///
/// # Safety
/// `err` is the call's error slot.
pub unsafe extern "C" fn ferrojit_dict_new(
    err: *mut ErrorSlot,
    key_size: i64,
    value_size: i64,
    str_keys: i64,
) -> i64 {
    let dict = Dict::new(
        key_size.max(0) as usize,
        value_size.max(0) as usize,
        str_keys != 0,
    );
    // SAFETY: per the contract.
    unsafe { (*err).arena_mut().push_dict(dict) as i64 }
}

/// The address of `key`'s value, or 0 if absent.
///
/// # Safety
/// `d` is a live dict; `key` points to a key.
pub unsafe extern "C" fn ferrojit_dict_find(_err: *mut ErrorSlot, d: i64, key: i64) -> i64 {
    let (dict, key) = unsafe { key_of(d, key) };
    match dict.find(key) {
        Some(i) => dict.value_mut(i) as i64,
        None => 0,
    }
}

/// The address of `key`'s value, inserting the key (with a zeroed value) if absent.
///
/// # Safety
/// `d` is a live dict; `key` points to a key.
pub unsafe extern "C" fn ferrojit_dict_insert(_err: *mut ErrorSlot, d: i64, key: i64) -> i64 {
    let (dict, key) = unsafe { key_of(d, key) };
    match dict.insert(key) {
        Some(i) => dict.value_mut(i) as i64,
        None => 0,
    }
}

/// Removes `key`, copying its value to `out` (when the dict has values); 1 if it was present.
///
/// # Safety
/// `d` is a live dict; `key` points to a key; `out` has room for a value.
pub unsafe extern "C" fn ferrojit_dict_remove(
    _err: *mut ErrorSlot,
    d: i64,
    key: i64,
    out: i64,
) -> i64 {
    let (dict, key) = unsafe { key_of(d, key) };
    match dict.remove(key) {
        Some(i) => {
            let size = dict.entry_size() - dict.key_size();
            let from = dict.value_mut(i);
            // SAFETY: the entry's value bytes, and room for them at `out`.
            unsafe { std::ptr::copy_nonoverlapping(from, out as *mut u8, size) };
            1
        }
        None => 0,
    }
}

/// Squeezes out removed entries so that entry `i` of `0..len` is at `entries + i * size`.
///
/// # Safety
/// `d` is a live dict.
pub unsafe extern "C" fn ferrojit_dict_compact(_err: *mut ErrorSlot, d: i64) -> i64 {
    unsafe { &mut *(d as *mut Dict) }.compact();
    0
}

/// Removes every entry.
///
/// # Safety
/// `d` is a live dict.
pub unsafe extern "C" fn ferrojit_dict_clear(_err: *mut ErrorSlot, d: i64) -> i64 {
    unsafe { &mut *(d as *mut Dict) }.clear();
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_find_remove_compact() {
        let mut slot = ErrorSlot::default();
        unsafe {
            let d = ferrojit_dict_new(&mut slot, 8, 8, 0);
            for k in 0..10i64 {
                let v = ferrojit_dict_insert(&mut slot, d, &k as *const i64 as i64);
                *(v as *mut i64) = k * k;
            }
            let k = 3i64;
            let mut out = 0i64;
            assert_eq!(
                ferrojit_dict_remove(
                    &mut slot,
                    d,
                    &k as *const i64 as i64,
                    &mut out as *mut i64 as i64
                ),
                1
            );
            assert_eq!(out, 9);
            assert_eq!(ferrojit_dict_find(&mut slot, d, &k as *const i64 as i64), 0);
            let k = 4i64;
            let v = ferrojit_dict_find(&mut slot, d, &k as *const i64 as i64);
            assert_eq!(*(v as *const i64), 16);
            ferrojit_dict_compact(&mut slot, d);
            let dict = &*(d as *const Dict);
            assert_eq!(dict.len, 9);
            let fourth = *(dict.entries_ptr.add(3 * 16) as *const i64);
            assert_eq!(fourth, 4);
        }
    }

    #[test]
    fn string_keys_compare_by_content() {
        let mut slot = ErrorSlot::default();
        unsafe {
            let d = ferrojit_dict_new(&mut slot, 8, 8, 1);
            let a = crate::text::intern("key");
            let b = crate::text::ferrojit_str_concat(
                &mut slot,
                crate::text::intern("ke"),
                crate::text::intern("y"),
            );
            *(ferrojit_dict_insert(&mut slot, d, &a as *const i64 as i64) as *mut i64) = 5;
            let v = ferrojit_dict_find(&mut slot, d, &b as *const i64 as i64);
            assert_eq!(*(v as *const i64), 5);
        }
    }
}
