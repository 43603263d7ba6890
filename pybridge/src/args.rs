//! Python values ↔ compiled code: the type of an argument, its flattened slots, and the boxing of
//! results.
//!
//! The slot ABI is `runtime::abi`'s: each scalar takes one `u64` (ints sign/zero-extended, `f32`
//! bits in the low half, `f64` bits), a complex number two (real, imag), a tuple its elements in
//! order, `None` nothing, and an array one pointer to an `ArrayDesc<N>` built here from the
//! NumPy array's own fields (no copy: the compiled code reads and writes the caller's memory,
//! whatever its strides).
//!
//! [`type_of`] is on every call's path, so it tests exact built-in types first and reads NumPy
//! arrays through the raw `PyArrayObject` fields rather than the numpy crate's checked views.

use crate::returned::ReturnContext;
use ferrojit::{Layout, Scalar, SlotEncoding, Type};
use numpy::npyffi::{self, NPY_ARRAY_C_CONTIGUOUS, NPY_ARRAY_F_CONTIGUOUS, NpyTypes, PY_ARRAY_API};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyTuple};
use pyo3::{IntoPyObjectExt, ffi};
use runtime::array::{
    DATA_OFFSET, MAX_NDIM, OWNER_OFFSET, descriptor_size, shape_offset, stride_offset,
};
use std::ffi::{c_int, c_long};

// Descriptors hold `npy_intp` shapes and strides as `i64`.
const _: () = assert!(size_of::<npyffi::npy_intp>() == size_of::<i64>());

/// Why a value cannot be passed to compiled code; [`describe_unsupported`] words it.
#[derive(Debug)]
pub enum Unpassable {
    /// A Python type compiled code does not take (`str`, `list`, ...).
    PythonType,
    /// A NumPy array whose dtype has no ferrojit scalar (`object`, `datetime64`, `float16`).
    ArrayDtype,
    /// An array whose bytes are not in this machine's order.
    ByteOrder,
    /// An array of more than [`MAX_NDIM`] dimensions.
    TooManyDims,
    /// An int that fits neither `int64` nor `uint64`.
    IntTooLarge,
    /// A NumPy scalar of a dtype ferrojit does not have.
    NumpyScalar,
    /// An empty list without a declared item type (`List.empty_list(t)` declares one).
    EmptyList,
    /// A list whose items are not numbers, strings or tuples of them, of one type.
    ListItems,
    /// Tuples nested more than [`MAX_TUPLE_DEPTH`] levels deep.
    TooDeep,
}

/// How deeply tuples may nest in an argument. Every later stage walks types recursively; a
/// limit here keeps a 50,000-deep tuple from overflowing the native stack (a clear error
/// instead of a crash).
pub const MAX_TUPLE_DEPTH: usize = 32;

/// The ferrojit type of a Python value, as Numba's `typeof` would give it: `int` → `int64`,
/// `float` → `float64`, `complex` → `complex128`, `bool` → `bool`, NumPy arrays and scalars by
/// dtype, tuples element-wise, `None` → none.
pub fn type_of(obj: &Bound<'_, PyAny>) -> Result<Type, Unpassable> {
    type_at_depth(obj, 0)
}

fn type_at_depth(obj: &Bound<'_, PyAny>, depth: usize) -> Result<Type, Unpassable> {
    let py = obj.py();
    let ptr = obj.as_ptr();
    // SAFETY: `ptr` is a live object (borrowed from `obj`) and we are attached.
    unsafe {
        if ffi::PyLong_CheckExact(ptr) != 0 {
            return int_type(obj);
        }
        if ffi::PyFloat_CheckExact(ptr) != 0 {
            return Ok(Type::F64);
        }
        if ffi::PyBool_Check(ptr) != 0 {
            return Ok(Type::BOOL);
        }
        if ffi::PyComplex_CheckExact(ptr) != 0 {
            return Ok(Type::C128);
        }
        if obj.is_none() {
            return Ok(Type::NoneType);
        }
        if ffi::PyTuple_Check(ptr) != 0 {
            if depth >= MAX_TUPLE_DEPTH {
                return Err(Unpassable::TooDeep);
            }
            let tuple = obj.cast::<PyTuple>().map_err(|_| Unpassable::PythonType)?;
            return tuple
                .iter()
                .map(|item| type_at_depth(&item, depth + 1))
                .collect::<Result<_, _>>()
                .map(Type::Tuple);
        }
        if ffi::PyList_Check(ptr) != 0 {
            return crate::lists::list_type(obj);
        }
        if ffi::PyUnicode_Check(ptr) != 0 {
            return Ok(Type::Str);
        }
        if ffi::PyDict_Check(ptr) != 0 || ffi::PyAnySet_Check(ptr) != 0 {
            return crate::lists::dict_type(obj);
        }
        // Only now touch NumPy's C API (which imports NumPy at first use): a function called
        // with plain numbers never needs it.
        if npyffi::PyArray_Check(py, ptr) != 0 {
            return array_type(ptr.cast());
        }
        let generic = npyffi::get_type_object(py, NpyTypes::PyGenericArrType_Type);
        if ffi::PyObject_TypeCheck(ptr, generic) != 0 {
            return numpy_scalar_type(py, ptr).map(Type::Scalar);
        }
        // Subclasses of the number types (IntEnum, float subclasses).
        if ffi::PyLong_Check(ptr) != 0 {
            return int_type(obj);
        }
        if ffi::PyFloat_Check(ptr) != 0 {
            return Ok(Type::F64);
        }
        if ffi::PyComplex_Check(ptr) != 0 {
            return Ok(Type::C128);
        }
    }
    if let Some(ty) = crate::jitclass::type_of(obj) {
        return Ok(ty);
    }
    if let Some(ty) = value_type(py, obj) {
        return Ok(ty);
    }
    if crate::generators::is_generator(obj) {
        return Ok(Type::Generator);
    }
    Err(Unpassable::PythonType)
}

/// Values with no run-time content, typed by what they are: a jitted function (its
/// identity, see `ferrojit::values`), a NumPy scalar type or a dtype (`np.float32`,
/// `np.dtype('i4')`).
fn value_type(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<Type> {
    if let Ok(dispatcher) = obj.cast::<crate::dispatcher::Dispatcher>() {
        let def = dispatcher.get().function_def(py).ok()?;
        let id = ferrojit::values::function_id(&def);
        return Some(Type::Function {
            id,
            name: def.ast.name.clone(),
        });
    }
    if let Some(scalar) = crate::globals::dtype_of_type(py, obj) {
        return Some(Type::DType(scalar));
    }
    let numpy = py.import("numpy").ok()?;
    let dtype_class = numpy.getattr("dtype").ok()?;
    if obj.is_instance(&dtype_class).ok()? {
        let name: String = obj.getattr("name").ok()?.extract().ok()?;
        return Scalar::from_name(&name).map(Type::DType);
    }
    None
}

fn int_type(obj: &Bound<'_, PyAny>) -> Result<Type, Unpassable> {
    if obj.extract::<i64>().is_ok() {
        Ok(Type::I64)
    } else if obj.extract::<u64>().is_ok() {
        Ok(Type::Scalar(Scalar::U64))
    } else {
        Err(Unpassable::IntTooLarge)
    }
}

/// # Safety
/// `arr` is a live NumPy array and we are attached.
unsafe fn array_type(arr: *mut npyffi::PyArrayObject) -> Result<Type, Unpassable> {
    let fields = unsafe { &*npyffi::_PyArray_GET_ITEM_DATA(arr) };
    let dtype = unsafe { scalar_of_descr(fields.descr) }?;
    let ndim = usize::try_from(fields.nd).unwrap_or(usize::MAX);
    if ndim > MAX_NDIM {
        return Err(Unpassable::TooManyDims);
    }
    let layout = if fields.flags & NPY_ARRAY_C_CONTIGUOUS != 0 {
        Layout::C
    } else if fields.flags & NPY_ARRAY_F_CONTIGUOUS != 0 {
        Layout::F
    } else {
        Layout::A
    };
    // A non-writeable array (`flags.writeable = False`, `np.broadcast_to`, a read-only
    // buffer) is Numba's `readonly array`: writing into it is a compile error.
    let readonly = fields.flags & npyffi::NPY_ARRAY_WRITEABLE == 0;
    Ok(Type::array(dtype, ndim as u8, layout).with_readonly(readonly))
}

/// # Safety
/// `descr` is a live dtype and we are attached.
unsafe fn scalar_of_descr(descr: *mut npyffi::PyArray_Descr) -> Result<Scalar, Unpassable> {
    let fields = unsafe { &*npyffi::_PyDataType_GET_ITEM_DATA(descr) };
    let foreign_order = if cfg!(target_endian = "little") {
        b'>'
    } else {
        b'<'
    };
    if fields.byteorder as u8 == foreign_order {
        return Err(Unpassable::ByteOrder);
    }
    scalar_of_type_num(fields.type_num).ok_or(Unpassable::ArrayDtype)
}

/// NumPy's `NPY_TYPES` numbering; `long` is 4 or 8 bytes depending on the platform.
fn scalar_of_type_num(type_num: c_int) -> Option<Scalar> {
    let long_is_64 = size_of::<c_long>() == 8;
    Some(match type_num {
        0 => Scalar::Bool,
        1 => Scalar::I8,
        2 => Scalar::U8,
        3 => Scalar::I16,
        4 => Scalar::U16,
        5 => Scalar::I32,
        6 => Scalar::U32,
        7 if long_is_64 => Scalar::I64,
        7 => Scalar::I32,
        8 if long_is_64 => Scalar::U64,
        8 => Scalar::U32,
        9 => Scalar::I64,
        10 => Scalar::U64,
        11 => Scalar::F32,
        12 => Scalar::F64,
        14 => Scalar::C64,
        15 => Scalar::C128,
        _ => return None,
    })
}

/// # Safety
/// `ptr` is a live NumPy scalar and we are attached.
unsafe fn numpy_scalar_type(py: Python<'_>, ptr: *mut ffi::PyObject) -> Result<Scalar, Unpassable> {
    let descr = unsafe { PY_ARRAY_API.PyArray_DescrFromScalar(py, ptr) };
    if descr.is_null() {
        // Clear the error NumPy set; the caller reports the value's type.
        drop(PyErr::take(py));
        return Err(Unpassable::NumpyScalar);
    }
    let scalar = unsafe { scalar_of_descr(descr) };
    unsafe { ffi::Py_DECREF(descr.cast()) };
    scalar.map_err(|_| Unpassable::NumpyScalar)
}

/// Words an [`Unpassable`] for an error message: `list`, `array of dtype object`, ...
pub fn describe_unsupported(obj: &Bound<'_, PyAny>, why: &Unpassable) -> String {
    let type_name = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    let dtype = || {
        obj.getattr("dtype")
            .and_then(|d| d.str())
            .map(|s| s.to_string())
    };
    match why {
        Unpassable::PythonType => type_name,
        Unpassable::ArrayDtype => format!("array of dtype {}", dtype().unwrap_or(type_name)),
        Unpassable::ByteOrder => {
            format!(
                "array of non-native byte order dtype {}",
                dtype().unwrap_or(type_name)
            )
        }
        Unpassable::TooManyDims => format!("array of more than {MAX_NDIM} dimensions"),
        Unpassable::IntTooLarge => "int too large for int64 and uint64".into(),
        Unpassable::NumpyScalar => format!("numpy.{type_name}"),
        Unpassable::EmptyList => format!(
            "empty {type_name} (its item type is unknown; use List.empty_list(item_type) or \
             Dict.empty(key_type, value_type))"
        ),
        Unpassable::ListItems => {
            format!(
                "{type_name} whose items are not numbers, strings, jitclass instances or tuples of them, of one type"
            )
        }
        Unpassable::TooDeep => format!("tuple nested more than {MAX_TUPLE_DEPTH} levels deep"),
    }
}

/// Number of `u64` slots a value of type `ty` occupies (the one layout, `ir`'s flattening).
pub use ir::lower::flatten::slot_count;

/// Words (`u64`) the descriptors of a value of type `ty` take: `ArrayDesc<N>` is data, owner,
/// then `N` extents and `N` strides.
pub fn descriptor_words(ty: &Type) -> usize {
    match ty {
        Type::Array { ndim, .. } => descriptor_size(u32::from(*ndim)) / 8,
        Type::Tuple(items) => items.iter().map(descriptor_words).sum(),
        Type::Optional(inner) => descriptor_words(inner),
        _ => 0,
    }
}

/// The array descriptors of one call, packed one after another in `u64` storage the caller
/// provides (on its stack for the common case), each exactly `ArrayDesc<ndim>` of
/// `runtime::array` (offsets from its constants). Written once, never moved, so their
/// addresses can be put in slots.
pub struct Descriptors<'a> {
    words: &'a mut [u64],
    used: usize,
    /// The list arguments, copied into typed lists (see `crate::lists`).
    pub lists: crate::lists::ArgLists,
    /// The `np.random.Generator` arguments' states (see `crate::generators`).
    pub generators: crate::generators::ArgGenerators,
    /// Descriptors of arrays held in list arguments (their number is not in the signature).
    extra: Vec<Box<[u64]>>,
}

impl<'a> Descriptors<'a> {
    pub fn new(words: &'a mut [u64]) -> Self {
        Descriptors {
            words,
            used: 0,
            lists: Default::default(),
            generators: Default::default(),
            extra: Vec::new(),
        }
    }

    /// Appends a descriptor; returns its address for the argument slot.
    fn push(&mut self, data: u64, owner: u64, shape: &[i64], strides: &[i64]) -> PyResult<u64> {
        let ndim = shape.len() as u32;
        let len = descriptor_size(ndim) / 8;
        let desc = match self.words.get_mut(self.used..self.used + len) {
            Some(desc) => {
                self.used += len;
                desc
            }
            // Storage is sized from the specialization's types: an array beyond it is an item
            // of a list argument, whose descriptor gets its own box.
            None => {
                self.extra.push(vec![0u64; len].into_boxed_slice());
                self.extra.last_mut().expect("just pushed")
            }
        };
        let word = |offset: i32| offset as usize / 8;
        desc[word(DATA_OFFSET)] = data;
        desc[word(OWNER_OFFSET)] = owner;
        for (axis, (&extent, &stride)) in shape.iter().zip(strides).enumerate() {
            desc[word(shape_offset(axis as u32))] = extent as u64;
            desc[word(stride_offset(ndim, axis as u32))] = stride as u64;
        }
        Ok(desc.as_ptr() as u64)
    }

    /// The word offsets of the argument descriptors, in argument order.
    fn starts(&self, arg_types: &[Type]) -> Vec<usize> {
        fn walk(ty: &Type, at: &mut usize, out: &mut Vec<usize>) {
            match ty {
                Type::Array { .. } => {
                    out.push(*at);
                    *at += descriptor_words(ty);
                }
                Type::Tuple(items) => items.iter().for_each(|item| walk(item, at, out)),
                Type::Optional(inner) => walk(inner, at, out),
                _ => {}
            }
        }
        let (mut offsets, mut at) = (Vec::new(), 0);
        arg_types
            .iter()
            .for_each(|ty| walk(ty, &mut at, &mut offsets));
        offsets.retain(|&o| o < self.used);
        offsets
    }

    /// The owner (the argument array object) of the descriptor at `addr`, if `addr` is the
    /// start of one of ours; `arg_types` are the types the descriptors were built from.
    fn owner_at(&self, addr: u64, arg_types: &[Type]) -> Option<*mut ffi::PyObject> {
        if let Some(desc) = self.extra.iter().find(|d| d.as_ptr() as u64 == addr) {
            return Some(desc[OWNER_OFFSET as usize / 8] as *mut ffi::PyObject);
        }
        let base = self.words.as_ptr() as u64;
        let start = self
            .starts(arg_types)
            .into_iter()
            .find(|&o| base + 8 * o as u64 == addr)?;
        Some(self.words[start + OWNER_OFFSET as usize / 8] as *mut ffi::PyObject)
    }

    /// The argument array objects (the owners of every argument descriptor).
    pub fn owners(&self, arg_types: &[Type]) -> Vec<*mut ffi::PyObject> {
        self.starts(arg_types)
            .into_iter()
            .map(|start| self.words[start + OWNER_OFFSET as usize / 8] as *mut ffi::PyObject)
            .chain(
                self.extra
                    .iter()
                    .map(|desc| desc[OWNER_OFFSET as usize / 8] as *mut ffi::PyObject),
            )
            // (An optional array passed as None has a descriptor with no owner.)
            .filter(|owner| !owner.is_null())
            .collect()
    }
}

/// A number read from Python, before conversion to the parameter's scalar type.
#[derive(Copy, Clone)]
enum Number {
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Complex(f64, f64),
}

impl Number {
    fn to_i64(self) -> i64 {
        match self {
            Number::Bool(b) => i64::from(b),
            Number::Int(v) => v,
            Number::UInt(v) => v as i64,
            // Rust's float → int `as` saturates (and maps NaN to 0): never undefined.
            Number::Float(f) | Number::Complex(f, _) => f as i64,
        }
    }
    fn to_u64(self) -> u64 {
        match self {
            Number::UInt(v) => v,
            Number::Float(f) | Number::Complex(f, _) if f >= 0.0 => f as u64,
            other => other.to_i64() as u64,
        }
    }
    fn to_f64(self) -> f64 {
        match self {
            Number::Bool(b) => f64::from(u8::from(b)),
            Number::Int(v) => v as f64,
            Number::UInt(v) => v as f64,
            Number::Float(f) | Number::Complex(f, _) => f,
        }
    }
    fn imag(self) -> f64 {
        match self {
            Number::Complex(_, im) => im,
            _ => 0.0,
        }
    }
    fn truthy(self) -> bool {
        match self {
            Number::Complex(re, im) => re != 0.0 || im != 0.0,
            Number::Bool(b) => b,
            other => other.to_f64() != 0.0 || other.to_i64() != 0,
        }
    }
}

fn read_number(obj: &Bound<'_, PyAny>, actual: Scalar) -> PyResult<Number> {
    Ok(match actual {
        Scalar::Bool => Number::Bool(obj.is_truthy()?),
        s if s.is_signed_int() => Number::Int(obj.extract()?),
        s if s.is_unsigned_int() => Number::UInt(obj.extract()?),
        s if s.is_float() => Number::Float(obj.extract()?),
        _ => {
            let c = match obj.cast::<PyComplex>() {
                Ok(c) => c.clone(),
                // NumPy's complex64 is not a `complex` subclass: convert through `complex()`.
                Err(_) => obj
                    .py()
                    .get_type::<PyComplex>()
                    .call1((obj,))?
                    .cast_into()?,
            };
            Number::Complex(c.real(), c.imag())
        }
    })
}

/// Writes `value` converted to `target` into `slots` at `*pos`.
fn write_number(value: Number, target: Scalar, slots: &mut [u64], pos: &mut usize) {
    let mut put = |bits: u64| {
        slots[*pos] = bits;
        *pos += 1;
    };
    // The value is converted here (Python's rules: saturating float-to-int casts, truthiness);
    // how it sits in its slot is the entry ABI's one encoding.
    let encoding = SlotEncoding::of(target);
    match target {
        Scalar::Bool => put(encoding.integer(u64::from(value.truthy()))),
        Scalar::I8 | Scalar::I16 | Scalar::I32 | Scalar::I64 => {
            put(encoding.integer(value.to_i64() as u64))
        }
        Scalar::U8 | Scalar::U16 | Scalar::U32 | Scalar::U64 => {
            put(encoding.integer(value.to_u64()))
        }
        Scalar::F32 | Scalar::F64 => put(encoding.float(value.to_f64())),
        Scalar::C64 | Scalar::C128 => {
            put(encoding.float(value.to_f64()));
            put(encoding.float(value.imag()));
        }
    }
}

/// Flattens `obj`, whose type is `actual`, into `slots` as a value of the parameter type
/// `target` (equal to `actual`, or a conversion the dispatcher accepted).
pub fn flatten(
    obj: &Bound<'_, PyAny>,
    actual: &Type,
    target: &Type,
    slots: &mut [u64],
    pos: &mut usize,
    descriptors: &mut Descriptors<'_>,
) -> PyResult<()> {
    match (actual, target) {
        (Type::Scalar(from), Type::Scalar(to)) => {
            // Exact int and float are by far the commonest arguments.
            let number = if *from == Scalar::I64 && *to == Scalar::I64 {
                Number::Int(obj.extract()?)
            } else {
                read_number(obj, *from)?
            };
            write_number(number, *to, slots, pos);
        }
        (Type::Array { .. }, Type::Array { .. }) => {
            // SAFETY: `type_of` found `obj` to be a NumPy array; `obj` outlives the call.
            slots[*pos] = unsafe { push_descriptor(obj.as_ptr().cast(), descriptors) }?;
            *pos += 1;
        }
        (Type::Tuple(from), Type::Tuple(to)) => {
            let tuple = obj.cast::<PyTuple>()?;
            for ((item, from), to) in tuple.iter().zip(from).zip(to) {
                flatten(&item, from, to, slots, pos, descriptors)?;
            }
        }
        (Type::NoneType, Type::NoneType) => {}
        // An optional parameter: the present flag, then the value (zeros for None).
        (Type::NoneType, Type::Optional(inner)) => {
            slots[*pos] = 0;
            *pos += 1;
            absent(inner, slots, pos, descriptors)?;
        }
        (actual, Type::Optional(inner)) => {
            slots[*pos] = 1;
            *pos += 1;
            flatten(obj, actual, inner, slots, pos, descriptors)?;
        }
        (Type::Str, Type::Str) => {
            slots[*pos] = crate::lists::pass_str(obj, descriptors)?;
            *pos += 1;
        }
        (Type::Dict { .. }, Type::Dict { .. }) | (Type::Set { .. }, Type::Set { .. }) => {
            slots[*pos] = crate::lists::pass_dict(obj, target, descriptors)?;
            *pos += 1;
        }
        (Type::List { .. }, Type::List { item, .. }) => {
            slots[*pos] = crate::lists::pass_list(obj, item, descriptors)?;
            *pos += 1;
        }
        (Type::Function { .. }, Type::Function { .. }) | (Type::DType(_), Type::DType(_)) => {}
        (Type::Instance { class: a, .. }, Type::Instance { class: b, .. }) if a == b => {
            slots[*pos] = crate::jitclass::address(obj)?;
            *pos += 1;
        }
        (Type::Generator, Type::Generator) => {
            slots[*pos] = crate::generators::pass_generator(obj, &mut descriptors.generators)?;
            *pos += 1;
        }
        _ => {
            return Err(PyTypeError::new_err(format!(
                "ferrojit: cannot pass a {actual} as {target}"
            )));
        }
    }
    Ok(())
}

/// The content of an optional argument passed as None: zeros, and for arrays and strings an
/// empty value (a zeroed descriptor, the empty string), never null: compiled code may read a
/// descriptor before testing the optional (see `ir::lower::optional`).
fn absent(
    ty: &Type,
    slots: &mut [u64],
    pos: &mut usize,
    descriptors: &mut Descriptors<'_>,
) -> PyResult<()> {
    match ty {
        Type::Tuple(items) => {
            for item in items {
                absent(item, slots, pos, descriptors)?;
            }
        }
        Type::Array { ndim, .. } => {
            let zeros = vec![0; usize::from(*ndim)];
            slots[*pos] = descriptors.push(0, 0, &zeros, &zeros)?;
            *pos += 1;
        }
        Type::Str => {
            slots[*pos] = runtime::text::intern("") as u64;
            *pos += 1;
        }
        _ => {
            let end = *pos + slot_count(ty);
            slots[*pos..end].fill(0);
            *pos = end;
        }
    }
    Ok(())
}

/// Writes the descriptor of `arr`, returning its address.
///
/// # Safety
/// `arr` is a live NumPy array of at most [`MAX_NDIM`] dimensions and we are attached.
unsafe fn push_descriptor(
    arr: *mut npyffi::PyArrayObject,
    descriptors: &mut Descriptors<'_>,
) -> PyResult<u64> {
    let fields = unsafe { &*npyffi::_PyArray_GET_ITEM_DATA(arr) };
    let ndim = usize::try_from(fields.nd).unwrap_or(0).min(MAX_NDIM);
    let (shape, strides): (&[i64], &[i64]) = if ndim == 0 {
        (&[], &[])
    } else {
        // SAFETY: NumPy keeps `nd` dimensions and strides behind these pointers.
        unsafe {
            (
                std::slice::from_raw_parts(fields.dimensions.cast(), ndim),
                std::slice::from_raw_parts(fields.strides.cast(), ndim),
            )
        }
    };
    descriptors.push(fields.data as u64, arr as u64, shape, strides)
}

/// Boxes the result of type `ty` read from `slots` at `*pos`; `arg_types` are the parameter
/// types the call's descriptors were built for; `returned` makes arrays that are not
/// arguments.
pub fn unflatten(
    py: Python<'_>,
    ty: &Type,
    slots: &[u64],
    pos: &mut usize,
    descriptors: &Descriptors<'_>,
    arg_types: &[Type],
    returned: &mut ReturnContext,
) -> PyResult<Py<PyAny>> {
    let mut take = || {
        let bits = slots.get(*pos).copied().unwrap_or(0);
        *pos += 1;
        bits
    };
    match ty {
        Type::Scalar(s) => {
            let bits = take();
            match s {
                Scalar::Bool => PyBool::new(py, bits as u8 != 0).into_py_any(py),
                Scalar::I8 => (bits as i8).into_py_any(py),
                Scalar::I16 => (bits as i16).into_py_any(py),
                Scalar::I32 => (bits as i32).into_py_any(py),
                Scalar::I64 => (bits as i64).into_py_any(py),
                Scalar::U8 => (bits as u8).into_py_any(py),
                Scalar::U16 => (bits as u16).into_py_any(py),
                Scalar::U32 => (bits as u32).into_py_any(py),
                Scalar::U64 => bits.into_py_any(py),
                Scalar::F32 => f64::from(f32::from_bits(bits as u32)).into_py_any(py),
                Scalar::F64 => f64::from_bits(bits).into_py_any(py),
                Scalar::C64 => {
                    let re = f64::from(f32::from_bits(bits as u32));
                    let im = f64::from(f32::from_bits(take() as u32));
                    PyComplex::from_doubles(py, re, im).into_py_any(py)
                }
                Scalar::C128 => {
                    let im = f64::from_bits(take());
                    PyComplex::from_doubles(py, f64::from_bits(bits), im).into_py_any(py)
                }
            }
        }
        Type::Tuple(items) => {
            let values = items
                .iter()
                .map(|item| unflatten(py, item, slots, pos, descriptors, arg_types, returned))
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, values)?.into_py_any(py)
        }
        Type::NoneType => Ok(py.None()),
        Type::Optional(inner) => {
            if take() as u8 == 0 {
                *pos += slot_count(inner);
                return Ok(py.None());
            }
            unflatten(py, inner, slots, pos, descriptors, arg_types, returned)
        }
        Type::Array { .. } => {
            let addr = take();
            match descriptors.owner_at(addr, arg_types) {
                // SAFETY: `owner` is the argument array, alive in the caller's argument tuple.
                Some(owner) => Ok(unsafe { Bound::from_borrowed_ptr(py, owner) }.unbind()),
                // SAFETY: compiled code returned a descriptor of this type, in its arena or
                // among the argument descriptors, both alive until `returned` is dropped.
                None => unsafe { returned.array(py, addr, ty) },
            }
        }
        Type::Str => {
            let addr = take();
            // SAFETY: compiled code returned a string, alive in the arena, the argument
            // strings or the interned literals.
            let text = unsafe { runtime::text::to_string(addr as i64) };
            text.into_py_any(py)
        }
        Type::Dict { .. } | Type::Set { .. } => {
            let addr = take();
            crate::lists::return_dict(py, addr, ty, descriptors, arg_types, returned)
        }
        Type::List { .. } => {
            let addr = take();
            crate::lists::return_list(py, addr, ty, descriptors, arg_types, returned)
        }
        Type::DType(s) => {
            let numpy = py.import("numpy")?;
            Ok(numpy.getattr(s.numpy_name())?.unbind())
        }
        // A C pointer comes back as its address (an int), as `ctypes` gives a `void *`.
        Type::CPointer(_) => take().into_py_any(py),
        Type::Instance { class, .. } => crate::jitclass::box_object(py, take(), *class),
        Type::Range | Type::Unknown | Type::Function { .. } | Type::Generator => Err(
            PyTypeError::new_err(format!("ferrojit: a {ty} cannot be returned to Python")),
        ),
    }
}
