//! Lists between Python and compiled code (Numba's reflected lists and `typed.List`).
//!
//! A Python `list` (or `ferrojit.typed.List`) argument is copied into a typed
//! `runtime::list::List` owned by the call; when the call returns, its items are written back
//! into the same Python list (`lst[:] = items`), so appends, pops and element changes made by
//! compiled code are visible to the caller, as Numba's reflected lists are. A list returned by
//! compiled code becomes a new Python list (a `typed.List` for `ListType`), or the argument
//! list itself when that is what was returned. Items are packed as
//! `ir::lower::list_item_layout` says.

use crate::args::{self, Descriptors, Unpassable};
use crate::returned::ReturnContext;
use ferrojit::{Scalar, Type};
use pyo3::exceptions::PyMemoryError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use pyo3::{IntoPyObjectExt, ffi};
use runtime::list::List;

/// The list arguments of one call, kept until their items are written back.
#[derive(Default)]
pub struct ArgLists {
    entries: Vec<ArgList>,
    dicts: Vec<ArgDict>,
}

/// A dict or set argument, copied into a table for the call and written back after it.
struct ArgDict {
    dict: Box<runtime::dict::Dict>,
    object: *mut ffi::PyObject,
    ty: Type,
}

struct ArgList {
    list: Box<List>,
    /// Written back after the call (lists); strings are not.
    reflect: bool,
    /// The caller's list object (alive in the call's argument tuple).
    object: *mut ffi::PyObject,
    item: Type,
}

/// The type of a Python list argument: its items' unified type, or a `typed.List`'s declared
/// item type.
pub fn list_type(obj: &Bound<'_, PyAny>) -> Result<Type, Unpassable> {
    // SAFETY: `obj` is a live object.
    let exact = unsafe { ffi::PyList_CheckExact(obj.as_ptr()) } != 0;
    let typed = !exact && obj.hasattr("_item_type").unwrap_or(false);
    let declared = match typed {
        true => obj
            .getattr("_item_type")
            .ok()
            .filter(|t| !t.is_none())
            .and_then(|t| t.extract::<String>().ok())
            .and_then(|name| Scalar::from_name(&name)),
        false => None,
    };
    let list = obj.cast::<PyList>().map_err(|_| Unpassable::PythonType)?;
    let item = match declared {
        Some(s) => Type::Scalar(s),
        None => {
            let mut item: Option<Type> = None;
            for value in list.iter() {
                let ty = args::type_of(&value).map_err(|_| Unpassable::ListItems)?;
                if !list_item(&ty) {
                    return Err(Unpassable::ListItems);
                }
                item = Some(match item {
                    None => ty,
                    Some(prev) => {
                        typeinfer::rules::unify(&prev, &ty).ok_or(Unpassable::ListItems)?
                    }
                });
            }
            item.ok_or(Unpassable::EmptyList)?
        }
    };
    Ok(Type::List {
        item: Box::new(item),
        typed,
    })
}

/// What a list argument may hold: numbers, strings, tuples of them, arrays and lists of these.
fn list_item(ty: &Type) -> bool {
    match ty {
        Type::Array { .. } => true,
        Type::List { item, .. } => list_item(item),
        _ => numbers_only(ty),
    }
}

/// Numbers, strings, `@jitclass` instances and (nested) tuples of them: what a dict or set
/// argument may hold.
fn numbers_only(ty: &Type) -> bool {
    match ty {
        Type::Scalar(_) | Type::Str | Type::Instance { .. } => true,
        Type::Tuple(items) => items.iter().all(numbers_only),
        _ => false,
    }
}

/// Whether `ty` is or holds a `@jitclass` instance.
fn holds_instances(ty: &Type) -> bool {
    match ty {
        Type::Instance { .. } => true,
        Type::Tuple(items) => items.iter().any(holds_instances),
        _ => false,
    }
}

/// Byte offset and width of each flattened value of an item.
fn item_fields(item: &Type) -> (usize, Vec<(usize, usize)>) {
    let (size, offsets) = ir::lower::list_item_layout(item);
    let width = match item {
        Type::Scalar(s) => (s.real_part().size_bytes() as usize).max(1),
        _ => 8,
    };
    let fields = offsets.iter().map(|&o| (o as usize, width)).collect();
    (size as usize, fields)
}

/// Copies the list `obj` into a typed list of `item`s for the call; returns its address.
pub fn pass_list(
    obj: &Bound<'_, PyAny>,
    item: &Type,
    descriptors: &mut Descriptors<'_>,
) -> PyResult<u64> {
    let list = obj.cast::<PyList>()?;
    let (size, fields) = item_fields(item);
    let typed = List::with_len(size, list.len())
        .ok_or_else(|| PyMemoryError::new_err("cannot allocate the list argument"))?;
    let mut slots = vec![0u64; args::slot_count(item)];
    for (k, value) in list.iter().enumerate() {
        let actual = args::type_of(&value).map_err(|why| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "ferrojit: cannot pass a list item of type {} as {item}",
                args::describe_unsupported(&value, &why)
            ))
        })?;
        let mut pos = 0;
        // Strings among the items are kept with the call's other argument strings.
        args::flatten(&value, &actual, item, &mut slots, &mut pos, descriptors)?;
        for (&bits, &(offset, width)) in slots.iter().zip(&fields) {
            let bytes = bits.to_le_bytes();
            // SAFETY: item `k` of the list has `size` bytes; fields lie within it.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    bytes.as_ptr(),
                    typed.data.add(k * size + offset),
                    width,
                );
            }
        }
    }
    let mut boxed = Box::new(typed);
    let addr = &mut *boxed as *mut List as u64;
    descriptors.lists.entries.push(ArgList {
        list: boxed,
        reflect: true,
        object: obj.as_ptr(),
        item: item.clone(),
    });
    Ok(addr)
}

/// Copies the string `obj` into a run-time string for the call; returns its address.
pub fn pass_str(obj: &Bound<'_, PyAny>, descriptors: &mut Descriptors<'_>) -> PyResult<u64> {
    let text = obj.cast::<PyString>()?.to_cow()?;
    let list = runtime::text::new_str(&text)
        .ok_or_else(|| PyMemoryError::new_err("cannot allocate the string argument"))?;
    let mut boxed = Box::new(list);
    let addr = &mut *boxed as *mut List as u64;
    descriptors.lists.entries.push(ArgList {
        list: boxed,
        reflect: false,
        object: obj.as_ptr(),
        item: Type::Str,
    });
    Ok(addr)
}

/// The Python objects for the items of the list at `addr`.
///
/// # Safety
/// `addr` is a live list of `item`s.
unsafe fn items(
    py: Python<'_>,
    addr: u64,
    item: &Type,
    descriptors: &Descriptors<'_>,
    arg_types: &[Type],
    returned: &mut ReturnContext,
) -> PyResult<Vec<Py<PyAny>>> {
    let list = unsafe { &*(addr as *const List) };
    let (size, fields) = item_fields(item);
    let bytes = list.bytes_of(size);
    let mut out = Vec::with_capacity(list.len.max(0) as usize);
    for k in 0..list.len.max(0) as usize {
        let slots = read_fields(&bytes[k * size..], &fields);
        out.push(args::unflatten(
            py,
            item,
            &slots,
            &mut 0,
            descriptors,
            arg_types,
            returned,
        )?);
    }
    Ok(out)
}

/// The type of a Python dict or set argument (a `typed.Dict`'s declared types, else its
/// items' unified types).
pub fn dict_type(obj: &Bound<'_, PyAny>) -> Result<Type, Unpassable> {
    let declared = |attr: &str| -> Option<Type> {
        let t = obj.getattr(attr).ok().filter(|t| !t.is_none())?;
        if t.is(obj.py().get_type::<PyString>()) {
            return Some(Type::Str);
        }
        Scalar::from_name(&t.extract::<String>().ok()?).map(Type::Scalar)
    };
    let unify_all =
        |values: &mut dyn Iterator<Item = Bound<'_, PyAny>>| -> Result<Option<Type>, Unpassable> {
            let mut acc: Option<Type> = None;
            for value in values {
                let ty = args::type_of(&value).map_err(|_| Unpassable::ListItems)?;
                if !numbers_only(&ty) {
                    return Err(Unpassable::ListItems);
                }
                acc = Some(match acc {
                    None => ty,
                    Some(prev) => {
                        typeinfer::rules::unify(&prev, &ty).ok_or(Unpassable::ListItems)?
                    }
                });
            }
            Ok(acc)
        };
    if let Ok(dict) = obj.cast::<pyo3::types::PyDict>() {
        let typed = obj.hasattr("_key_type").unwrap_or(false);
        let key = match declared("_key_type") {
            Some(t) => t,
            None => unify_all(&mut dict.keys().iter())?.ok_or(Unpassable::EmptyList)?,
        };
        if holds_instances(&key) {
            // Jitclass instances are values only: they have no hash in compiled code.
            return Err(Unpassable::ListItems);
        }
        let value = match declared("_value_type") {
            Some(t) => t,
            None => unify_all(&mut dict.values().iter())?.ok_or(Unpassable::EmptyList)?,
        };
        return Ok(Type::Dict {
            key: Box::new(key),
            value: Box::new(value),
            typed,
        });
    }
    let item = unify_all(
        &mut obj
            .try_iter()
            .map_err(|_| Unpassable::PythonType)?
            .flatten(),
    )?
    .ok_or(Unpassable::EmptyList)?;
    if holds_instances(&item) {
        return Err(Unpassable::ListItems);
    }
    Ok(Type::Set {
        item: Box::new(item),
    })
}

/// Copies the dict or set `obj` into a table of type `ty` for the call; returns its address.
pub fn pass_dict(
    obj: &Bound<'_, PyAny>,
    ty: &Type,
    descriptors: &mut Descriptors<'_>,
) -> PyResult<u64> {
    let (key, value) = match ty {
        Type::Dict { key, value, .. } => ((**key).clone(), Some((**value).clone())),
        Type::Set { item } => ((**item).clone(), None),
        _ => unreachable!("pass_dict of {ty}"),
    };
    let key_words = ir::lower::flatten::ir_types(&key).len().max(1);
    let (value_size, value_fields) = value.as_ref().map(item_fields).unwrap_or((0, Vec::new()));
    let mut table = Box::new(runtime::dict::Dict::new(
        8 * key_words,
        value_size,
        key == Type::Str,
    ));
    let table_addr = &mut *table as *mut runtime::dict::Dict as i64;
    let pairs: Vec<(Bound<'_, PyAny>, Option<Bound<'_, PyAny>>)> =
        match obj.cast::<pyo3::types::PyDict>() {
            Ok(dict) => dict.iter().map(|(k, v)| (k, Some(v))).collect(),
            Err(_) => obj
                .try_iter()?
                .map(|k| k.map(|k| (k, None)))
                .collect::<PyResult<_>>()?,
        };
    let key_is_float = key.as_scalar().is_some_and(|s| s.is_float());
    for (k, v) in pairs {
        let mut slots = vec![0u64; args::slot_count(&key)];
        let actual = args::type_of(&k).map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "ferrojit: a key cannot be passed as {key}"
            ))
        })?;
        args::flatten(&k, &actual, &key, &mut slots, &mut 0, descriptors)?;
        if key_is_float && slots[0] == (-0.0f64).to_bits() {
            slots[0] = 0;
        }
        let mut buffer = vec![0u8; 8 * key_words];
        for (w, bits) in slots.iter().enumerate() {
            buffer[8 * w..8 * w + 8].copy_from_slice(&bits.to_le_bytes());
        }
        // SAFETY: the table is live and the buffer holds a key of its key size.
        let at = unsafe {
            runtime::dict::ferrojit_dict_insert(
                std::ptr::null_mut(),
                table_addr,
                buffer.as_ptr() as i64,
            )
        };
        if let (Some(value), Some(v)) = (&value, v) {
            let mut vslots = vec![0u64; args::slot_count(value)];
            let actual = args::type_of(&v).map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "ferrojit: a value cannot be passed as {value}"
                ))
            })?;
            args::flatten(&v, &actual, value, &mut vslots, &mut 0, descriptors)?;
            for (bits, &(offset, width)) in vslots.iter().zip(&value_fields) {
                // SAFETY: the entry's value bytes have room for every field.
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        bits.to_le_bytes().as_ptr(),
                        (at as *mut u8).add(offset),
                        width,
                    )
                };
            }
        }
    }
    let addr = table_addr as u64;
    descriptors.lists.dicts.push(ArgDict {
        dict: table,
        object: obj.as_ptr(),
        ty: ty.clone(),
    });
    Ok(addr)
}

/// Writes the items of every list argument back into the caller's list.
pub fn reflect(
    py: Python<'_>,
    descriptors: &Descriptors<'_>,
    arg_types: &[Type],
    returned: &mut ReturnContext,
) -> PyResult<()> {
    for entry in descriptors.lists.entries.iter().filter(|e| e.reflect) {
        let addr = &*entry.list as *const List as u64;
        // SAFETY: the list is ours and alive.
        let values = unsafe { items(py, addr, &entry.item, descriptors, arg_types, returned) }?;
        let fresh = PyList::new(py, values)?;
        // SAFETY: `object` is the caller's list, alive in the argument tuple; `fresh` a list.
        let status =
            unsafe { ffi::PyList_SetSlice(entry.object, 0, ffi::PY_SSIZE_T_MAX, fresh.as_ptr()) };
        if status < 0 {
            return Err(PyErr::fetch(py));
        }
    }
    for entry in &descriptors.lists.dicts {
        let addr = &*entry.dict as *const runtime::dict::Dict as u64;
        let (keys, values) = dict_items(py, addr, &entry.ty, descriptors, arg_types, returned)?;
        // SAFETY: the caller's dict or set, alive in the argument tuple.
        let object = unsafe { Bound::from_borrowed_ptr(py, entry.object) };
        object.call_method0("clear")?;
        match values {
            Some(values) => {
                for (k, v) in keys.into_iter().zip(values) {
                    object.set_item(k, v)?;
                }
            }
            None => {
                for k in keys {
                    object.call_method1("add", (k,))?;
                }
            }
        }
    }
    Ok(())
}

/// The Python object for a returned list at `addr` of type `ty`.
pub fn return_list(
    py: Python<'_>,
    addr: u64,
    ty: &Type,
    descriptors: &Descriptors<'_>,
    arg_types: &[Type],
    returned: &mut ReturnContext,
) -> PyResult<Py<PyAny>> {
    if let Some(entry) = descriptors
        .lists
        .entries
        .iter()
        .find(|e| e.reflect && &*e.list as *const List as u64 == addr)
    {
        // SAFETY: the caller's list, alive in the argument tuple.
        return Ok(unsafe { Bound::from_borrowed_ptr(py, entry.object) }.unbind());
    }
    let Type::List { item, typed } = ty else {
        unreachable!("return_list of a non-list")
    };
    // SAFETY: compiled code returned a list of this type, alive in `returned`'s arena.
    let values = unsafe { items(py, addr, item, descriptors, arg_types, returned) }?;
    if !typed {
        return PyList::new(py, values)?.into_py_any(py);
    }
    let class = py.import("ferrojit.typed")?.getattr("List")?;
    let out = class.call1((values,))?;
    if let Type::Scalar(s) = **item {
        out.setattr("_item_type", PyString::new(py, s.numpy_name()))?;
    }
    Ok(out.unbind())
}

/// The keys and (for a dict) the values of a table, as Python objects.
type TableItems = (Vec<Py<PyAny>>, Option<Vec<Py<PyAny>>>);

/// The keys (and values, for a dict) of the table at `addr` of type `ty`, as Python objects.
fn dict_items(
    py: Python<'_>,
    addr: u64,
    ty: &Type,
    descriptors: &Descriptors<'_>,
    arg_types: &[Type],
    returned: &mut ReturnContext,
) -> PyResult<TableItems> {
    let (key, value) = match ty {
        Type::Dict { key, value, .. } => ((**key).clone(), Some((**value).clone())),
        Type::Set { item } => ((**item).clone(), None),
        _ => unreachable!("dict_items of {ty}"),
    };
    // SAFETY: a live table of this type (an argument's, or in `returned`'s arena).
    let dict = unsafe { &mut *(addr as *mut runtime::dict::Dict) };
    let key_words = ir::lower::flatten::ir_types(&key).len().max(1);
    let key_bytes = runtime::dict::padded(8 * key_words);
    let entry_size = dict.entry_size();
    let len = dict.len.max(0) as usize;
    let entries = dict.entries().to_vec();
    let (_, value_fields) = value.as_ref().map(item_fields).unwrap_or((0, Vec::new()));
    let mut keys = Vec::with_capacity(len);
    let mut values = Vec::with_capacity(len);
    for entry in entries.chunks(entry_size.max(1)).take(len) {
        let slots: Vec<u64> = (0..key_words)
            .map(|w| u64::from_le_bytes(entry[8 * w..8 * w + 8].try_into().expect("8 bytes")))
            .collect();
        keys.push(args::unflatten(
            py,
            &key,
            &slots,
            &mut 0,
            descriptors,
            arg_types,
            returned,
        )?);
        if let Some(value) = &value {
            let slots = read_fields(&entry[key_bytes..], &value_fields);
            values.push(args::unflatten(
                py,
                value,
                &slots,
                &mut 0,
                descriptors,
                arg_types,
                returned,
            )?);
        }
    }
    Ok((keys, value.map(|_| values)))
}

/// The Python `dict` (a `typed.Dict` for `DictType`) or `set` for a table at `addr` of type
/// `ty`, or the argument object itself when the table is an argument's.
pub fn return_dict(
    py: Python<'_>,
    addr: u64,
    ty: &Type,
    descriptors: &Descriptors<'_>,
    arg_types: &[Type],
    returned: &mut ReturnContext,
) -> PyResult<Py<PyAny>> {
    if let Some(entry) = descriptors
        .lists
        .dicts
        .iter()
        .find(|e| &*e.dict as *const runtime::dict::Dict as u64 == addr)
    {
        // SAFETY: the caller's object, alive in the argument tuple.
        return Ok(unsafe { Bound::from_borrowed_ptr(py, entry.object) }.unbind());
    }
    let (keys, values) = dict_items(py, addr, ty, descriptors, arg_types, returned)?;
    let Some(values) = values else {
        return pyo3::types::PySet::new(py, keys)?.into_py_any(py);
    };
    let Type::Dict { key, value, typed } = ty else {
        unreachable!("a dict")
    };
    let out = if *typed {
        let out = py.import("ferrojit.typed")?.getattr("Dict")?.call0()?;
        let name = |t: &Type| match t {
            Type::Scalar(s) => s.numpy_name().to_string(),
            other => other.to_string(),
        };
        out.setattr("_key_type", name(key))?;
        out.setattr("_value_type", name(value))?;
        out
    } else {
        pyo3::types::PyDict::new(py).into_any()
    };
    for (k, v) in keys.into_iter().zip(values) {
        out.set_item(k, v)?;
    }
    Ok(out.unbind())
}

/// The slots of one packed item: each `(offset, width)` field of `item` zero-extended to a word
/// (the inverse of how compiled code packs list items and dict values).
fn read_fields(item: &[u8], fields: &[(usize, usize)]) -> Vec<u64> {
    fields
        .iter()
        .map(|&(offset, width)| {
            let mut word = [0u8; 8];
            word[..width].copy_from_slice(&item[offset..offset + width]);
            u64::from_le_bytes(word)
        })
        .collect()
}
