//! The array descriptor ABI shared by dispatchers, compiled code and ahead-of-time artefacts.
//!
//! An array of rank `N` is passed to compiled code as a pointer to:
//!
//! ```text
//! struct ArrayDesc<N> {
//!     data:    *mut u8,        // offset 0: address of element [0, 0, ...]
//!     owner:   *mut c_void,    // offset 8: the object keeping `data` alive (a PyObject* for
//!                              //   NumPy arrays); compiled code copies it into views it makes
//!     shape:   [i64; N],       // offset 16
//!     strides: [i64; N],       // offset 16 + 8N, in bytes (may be negative or zero)
//! }
//! ```
//!
//! Descriptors are immutable while compiled code runs, so loads of `shape` and `strides` may be
//! hoisted and reused freely.

use std::ffi::c_void;

/// Byte offset of the data pointer.
pub const DATA_OFFSET: i32 = 0;
/// Byte offset of the owner pointer.
pub const OWNER_OFFSET: i32 = 8;

/// Byte offset of `shape[axis]`.
pub const fn shape_offset(axis: u32) -> i32 {
    16 + 8 * axis as i32
}

/// Byte offset of `strides[axis]` in a descriptor of rank `ndim`.
pub const fn stride_offset(ndim: u32, axis: u32) -> i32 {
    16 + 8 * ndim as i32 + 8 * axis as i32
}

/// Size in bytes of a descriptor of rank `ndim`.
pub const fn descriptor_size(ndim: u32) -> usize {
    16 + 16 * ndim as usize
}

/// Largest rank a descriptor may have (NumPy's own limit is 64; kernels rarely exceed 4).
pub const MAX_NDIM: usize = 32;

/// A descriptor of any rank up to [`MAX_NDIM`], laid out so that a pointer to it is a valid
/// `ArrayDesc<N>` for its `ndim`: `shape` and `strides` are packed into `dims` (`shape` first).
#[repr(C)]
#[derive(Clone, Debug)]
pub struct ArrayDescriptor {
    pub data: *mut u8,
    pub owner: *mut c_void,
    dims: [i64; 2 * MAX_NDIM],
    ndim: u32,
}

impl ArrayDescriptor {
    /// Builds a descriptor; `strides` are in bytes. Returns `None` if the rank is too large or
    /// the slices' lengths differ.
    pub fn new(data: *mut u8, owner: *mut c_void, shape: &[i64], strides: &[i64]) -> Option<Self> {
        let ndim = shape.len();
        if ndim > MAX_NDIM || strides.len() != ndim {
            return None;
        }
        let mut dims = [0i64; 2 * MAX_NDIM];
        dims[..ndim].copy_from_slice(shape);
        dims[ndim..2 * ndim].copy_from_slice(strides);
        Some(ArrayDescriptor {
            data,
            owner,
            dims,
            ndim: ndim as u32,
        })
    }
    pub fn ndim(&self) -> usize {
        self.ndim as usize
    }
    pub fn shape(&self) -> &[i64] {
        &self.dims[..self.ndim()]
    }
    pub fn strides(&self) -> &[i64] {
        &self.dims[self.ndim()..2 * self.ndim()]
    }
    /// Pointer passed to compiled code.
    pub fn as_ptr(&self) -> *const u8 {
        self as *const Self as *const u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_match_the_struct() {
        let d = ArrayDescriptor::new(8 as *mut u8, 16 as *mut c_void, &[3, 4], &[32, 8]).unwrap();
        let base = d.as_ptr();
        let read = |off: i32| unsafe { *(base.add(off as usize) as *const i64) };
        assert_eq!(read(DATA_OFFSET), 8);
        assert_eq!(read(OWNER_OFFSET), 16);
        assert_eq!(read(shape_offset(1)), 4);
        assert_eq!(read(stride_offset(2, 0)), 32);
        assert_eq!(read(stride_offset(2, 1)), 8);
    }
}
