//! Dicts and sets: one pointer to a `runtime::dict` table (a set is a dict without values).
//!
//! A key is passed to the runtime in a zeroed stack buffer, each flattened value in its own
//! 8-byte word (floats with `-0.0` made `0.0`, so equal keys have equal bytes); a string key is
//! its pointer (the runtime compares code points). Values are laid out as list items
//! (`lists::item_layout`). Entries sit in insertion order, key words then value; iteration
//! compacts the table first and reads entry `i` inline.

use super::library::Seq;
use super::lists::item_layout;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::Expr;
use runtime::dict::{DICT_ENTRIES_OFFSET, DICT_LEN_OFFSET, padded};
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use typeinfer::Type;

/// Key and value types of a dict or set type (a set's value is `None`).
fn parts(ty: &Type) -> (Type, Type) {
    match ty {
        Type::Dict { key, value, .. } => ((**key).clone(), (**value).clone()),
        Type::Set { item } => ((**item).clone(), Type::NoneType),
        _ => (Type::Unknown, Type::NoneType),
    }
}

/// Bytes of a key in an entry (one word per flattened value).
fn key_size(key: &Type) -> i64 {
    8 * super::flatten::ir_types(key).len().max(1) as i64
}

fn value_size(value: &Type) -> i64 {
    match value {
        Type::NoneType => 0,
        v => item_layout(v).0,
    }
}

impl Lowerer<'_, '_> {
    /// A new empty dict (or set) of type `ty`.
    pub(crate) fn new_dict(&mut self, ty: &Type, span: Span) -> Value {
        let (key, value) = parts(ty);
        let ks = self.b.iconst(Ty::I64, key_size(&key));
        let vs = self.b.iconst(Ty::I64, value_size(&value));
        let strs = self.b.iconst(Ty::I64, i64::from(key == Type::Str));
        let d = self.b.call_runtime(RuntimeFn::DictNew, &[ks, vs, strs]);
        self.check_dict_pointer(
            d,
            ExceptionKind::MemoryError,
            "cannot allocate the dict",
            span,
        );
        d
    }

    fn check_dict_pointer(&mut self, p: Value, kind: ExceptionKind, message: &str, span: Span) {
        let zero = self.b.iconst(Ty::I64, 0);
        let missing = self.b.icmp(IntCC::Eq, p, zero);
        self.raise_if(missing, kind, message, span, &[]);
    }

    /// `value` as a key of type `key`, written into a zeroed stack buffer; its address.
    pub(crate) fn key_buffer(&mut self, key: &Type, value: PyValue) -> Value {
        let value = self.coerce(value, key);
        let n = key_size(key);
        let slot = self.b.ins(Op::StackSlot(n as u32), &[], Ty::Ptr);
        let zero = self.b.iconst(Ty::I64, 0);
        for w in 0..n / 8 {
            self.b.store(slot, zero, 8 * w as i32);
        }
        for (k, v) in value.flat_values().into_iter().enumerate() {
            let v = match self.b.ty(v) {
                t @ (Ty::F32 | Ty::F64) => {
                    let zero = self.b.fconst(t, 0.0);
                    self.b.binary(Op::Fadd, v, zero)
                }
                _ => v,
            };
            self.b.store(slot, v, 8 * k as i32);
        }
        slot
    }

    fn load_key_at(&mut self, ptr: Value, key: &Type) -> PyValue {
        let types = super::flatten::ir_types(key);
        let values: Vec<Value> = types
            .iter()
            .enumerate()
            .map(|(k, &t)| self.b.load(t, ptr, 8 * k as i32, false))
            .collect();
        PyValue::from_flat(key, &mut values.into_iter())
    }

    pub(crate) fn dict_len(&mut self, d: Value) -> Value {
        self.b.load(Ty::I64, d, DICT_LEN_OFFSET, false)
    }

    /// `{k: v, ...}` and `{a, b, ...}`.
    pub(crate) fn lower_dict_literal(
        &mut self,
        expr: &Expr,
        keys: &[Expr],
        values: Option<&[Expr]>,
    ) -> LResult<PyValue> {
        let ty = self.type_of(expr)?;
        let (key, value) = parts(&ty);
        let d = self.new_dict(&ty, expr.span);
        for (i, k) in keys.iter().enumerate() {
            let kv = self.lower_expr(k)?;
            let vv = match values {
                Some(values) => Some(self.lower_expr(&values[i])?),
                None => None,
            };
            self.dict_put(d, &key, &value, kv, vv, expr.span);
        }
        Ok(PyValue::Dict(d, ty))
    }

    /// `d[k] = v` (or `s.add(k)` when `v` is `None`) for a dict or set of type `ty`.
    pub(crate) fn dict_add(
        &mut self,
        d: Value,
        ty: &Type,
        k: PyValue,
        v: Option<PyValue>,
        span: Span,
    ) {
        let (key, value) = parts(ty);
        self.dict_put(d, &key, &value, k, v, span);
    }

    /// `d[k] = v` (or `s.add(k)` when `value` is `None`).
    fn dict_put(
        &mut self,
        d: Value,
        key: &Type,
        value_ty: &Type,
        k: PyValue,
        v: Option<PyValue>,
        span: Span,
    ) {
        let buf = self.key_buffer(key, k);
        let slot = self.b.call_runtime(RuntimeFn::DictInsert, &[d, buf]);
        if let Some(v) = v {
            self.check_dict_pointer(
                slot,
                ExceptionKind::MemoryError,
                "cannot grow the dict",
                span,
            );
            self.store_item_at(slot, value_ty, v);
        }
    }

    /// `dict()`, `set()`, `set(iterable)`, `Dict()`, `Dict.empty(...)`.
    pub(crate) fn lower_new_dict(&mut self, expr: &Expr, args: &[Expr]) -> LResult<PyValue> {
        let ty = self.type_of(expr)?;
        let d = self.new_dict(&ty, expr.span);
        if let (Type::Set { item }, [iterable]) = (&ty, args) {
            let seq = self.lower_seq(iterable)?;
            let n = self.seq_len(&seq);
            let item = (**item).clone();
            self.index_loop(n, |this, i| {
                let v = this.seq_item(&seq, i);
                this.dict_put(d, &item, &Type::NoneType, v, None, expr.span);
                Ok(())
            })?;
        }
        Ok(PyValue::Dict(d, ty))
    }

    /// `d[k]`: `KeyError` when absent.
    pub(crate) fn lower_dict_subscript(
        &mut self,
        d: Value,
        ty: &Type,
        index: &Expr,
        span: Span,
    ) -> LResult<PyValue> {
        let (key, value) = parts(ty);
        let k = self.lower_expr(index)?;
        let buf = self.key_buffer(&key, k);
        let slot = self.b.call_runtime(RuntimeFn::DictFind, &[d, buf]);
        self.check_dict_pointer(slot, ExceptionKind::KeyError, "key not found", span);
        Ok(self.load_item_at(slot, &value))
    }

    /// The address of `d[k]`'s value for a store (inserting the key).
    pub(crate) fn dict_value_ptr(
        &mut self,
        d: Value,
        ty: &Type,
        index: &Expr,
        span: Span,
    ) -> LResult<(Value, Type)> {
        let (key, value) = parts(ty);
        let k = self.lower_expr(index)?;
        let buf = self.key_buffer(&key, k);
        let slot = self.b.call_runtime(RuntimeFn::DictInsert, &[d, buf]);
        self.check_dict_pointer(
            slot,
            ExceptionKind::MemoryError,
            "cannot grow the dict",
            span,
        );
        Ok((slot, value))
    }

    /// The address of an existing `d[k]`'s value (`KeyError` when absent), for `d[k] += v`.
    pub(crate) fn dict_existing_value_ptr(
        &mut self,
        d: Value,
        ty: &Type,
        index: &Expr,
        span: Span,
    ) -> LResult<(Value, Type)> {
        let (key, value) = parts(ty);
        let k = self.lower_expr(index)?;
        let buf = self.key_buffer(&key, k);
        let slot = self.b.call_runtime(RuntimeFn::DictFind, &[d, buf]);
        self.check_dict_pointer(slot, ExceptionKind::KeyError, "key not found", span);
        Ok((slot, value))
    }

    /// `k in d` / `k in s`.
    pub(crate) fn dict_contains(&mut self, d: Value, ty: &Type, k: PyValue) -> Value {
        let (key, _) = parts(ty);
        if key == Type::Unknown {
            return self.b.bconst(false);
        }
        let buf = self.key_buffer(&key, k);
        let slot = self.b.call_runtime(RuntimeFn::DictFind, &[d, buf]);
        let zero = self.b.iconst(Ty::I64, 0);
        self.b.icmp(IntCC::Ne, slot, zero)
    }

    /// The [`Seq`] of a dict's keys or a set's items (compacting the table first).
    pub(crate) fn dict_seq(&mut self, d: Value, ty: &Type) -> Seq {
        self.b.call_runtime(RuntimeFn::DictCompact, &[d]);
        let (key, value) = parts(ty);
        Seq::Dict {
            d,
            key,
            value,
            what: DictPart::Keys,
        }
    }

    /// Item `i` of a compacted dict: its key, value or `(key, value)`.
    pub(crate) fn dict_entry(
        &mut self,
        d: Value,
        key: &Type,
        value: &Type,
        what: DictPart,
        i: Value,
    ) -> PyValue {
        let ks = padded(key_size(key) as usize) as i64;
        let size = ks + padded(value_size(value) as usize) as i64;
        let entries = self.b.load(Ty::I64, d, DICT_ENTRIES_OFFSET, false);
        let size = self.b.iconst(Ty::I64, size);
        let offset = self.b.binary(Op::Imul, i, size);
        let ptr = self.b.binary(Op::Iadd, entries, offset);
        let key_value = |this: &mut Self| this.load_key_at(ptr, key);
        match what {
            DictPart::Keys => key_value(self),
            DictPart::Values | DictPart::Items => {
                let ks = self.b.iconst(Ty::I64, ks);
                let vptr = self.b.binary(Op::Iadd, ptr, ks);
                let v = self.load_item_at(vptr, value);
                if what == DictPart::Values {
                    v
                } else {
                    PyValue::Tuple(vec![key_value(self), v])
                }
            }
        }
    }

    /// A method of a dict or set.
    pub(crate) fn lower_dict_method(
        &mut self,
        expr: &Expr,
        receiver: &Expr,
        method: &str,
        args: &[Expr],
    ) -> LResult<PyValue> {
        let ty = self.type_of(receiver)?;
        let PyValue::Dict(d, _) = self.lower_expr(receiver)? else {
            return Err(unsupported(
                "this method needs a dict or a set",
                receiver.span,
            ));
        };
        let (key, value) = parts(&ty);
        let span = expr.span;
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.lower_expr(a)?);
        }
        self.set_span(span);
        let is_set = matches!(ty, Type::Set { .. });
        if let [other] = values.as_slice() {
            let other_ty = self.type_of(&args[0])?;
            let result_ty = self.type_of(expr)?;
            if let Some(done) =
                self.set_algebra_method(method, (d, &ty), other, &other_ty, &result_ty, span)
            {
                return Ok(done);
            }
        }
        match (method, values.as_slice()) {
            ("add", [k]) if is_set => {
                self.dict_put(d, &key, &value, k.clone(), None, span);
                Ok(PyValue::None)
            }
            ("discard" | "remove", [k]) if is_set => {
                let buf = self.key_buffer(&key, k.clone());
                let out = self.b.ins(Op::StackSlot(8), &[], Ty::Ptr);
                let found = self.b.call_runtime(RuntimeFn::DictRemove, &[d, buf, out]);
                if method == "remove" {
                    self.check_dict_pointer(found, ExceptionKind::KeyError, "key not found", span);
                }
                Ok(PyValue::None)
            }
            ("get" | "pop", [k, rest @ ..]) => {
                let buf = self.key_buffer(&key, k.clone());
                let (found, slot) = if method == "get" {
                    let slot = self.b.call_runtime(RuntimeFn::DictFind, &[d, buf]);
                    (slot, slot)
                } else {
                    let size = value_size(&value).max(8) as usize;
                    let out = self.b.ins(Op::StackSlot(padded(size) as u32), &[], Ty::Ptr);
                    let found = self.b.call_runtime(RuntimeFn::DictRemove, &[d, buf, out]);
                    (found, out)
                };
                let Some(default) = rest.first() else {
                    if method == "pop" {
                        self.check_dict_pointer(
                            found,
                            ExceptionKind::KeyError,
                            "key not found",
                            span,
                        );
                        return Ok(self.load_item_at(slot, &value));
                    }
                    return Err(unsupported(
                        "dict.get() without a default (it would return None) is not supported; \
                         give a default",
                        span,
                    ));
                };
                let default = self.coerce(default.clone(), &value);
                let result = self.declare_value_var(&default);
                let zero = self.b.iconst(Ty::I64, 0);
                let present = self.b.icmp(IntCC::Ne, found, zero);
                let hit = self.create_block();
                let merge = self.create_block();
                self.brif(present, hit, merge);
                self.seal(hit);
                self.switch_to(hit);
                let v = self.load_item_at(slot, &value);
                self.def_value_var(&result, &v);
                self.jump(merge, &[]);
                self.seal(merge);
                self.switch_to(merge);
                Ok(self.use_value_var(&result))
            }
            ("setdefault", [k, v]) => {
                let buf = self.key_buffer(&key, k.clone());
                let found = self.b.call_runtime(RuntimeFn::DictFind, &[d, buf]);
                let zero = self.b.iconst(Ty::I64, 0);
                let absent = self.b.icmp(IntCC::Eq, found, zero);
                let insert = self.create_block();
                let merge = self.create_block();
                self.brif(absent, insert, merge);
                self.seal(insert);
                self.switch_to(insert);
                self.dict_put(d, &key, &value, k.clone(), Some(v.clone()), span);
                self.jump(merge, &[]);
                self.seal(merge);
                self.switch_to(merge);
                let slot = self.b.call_runtime(RuntimeFn::DictFind, &[d, buf]);
                Ok(self.load_item_at(slot, &value))
            }
            ("keys" | "values" | "items", []) => {
                let what = match method {
                    "keys" => DictPart::Keys,
                    "values" => DictPart::Values,
                    _ => DictPart::Items,
                };
                let result_ty = self.type_of(expr)?;
                let item = result_ty.list_item().cloned().unwrap_or(Type::Unknown);
                self.b.call_runtime(RuntimeFn::DictCompact, &[d]);
                let n = self.dict_len(d);
                let zero = self.b.iconst(Ty::I64, 0);
                let list = self.new_list(&item, zero, span);
                self.index_loop(n, |this, i| {
                    let v = this.dict_entry(d, &key, &value, what, i);
                    this.push_item(list, &item, v, span);
                    Ok(())
                })?;
                Ok(PyValue::List(list, result_ty))
            }
            ("clear", []) => {
                self.b.call_runtime(RuntimeFn::DictClear, &[d]);
                Ok(PyValue::None)
            }
            ("copy", []) => {
                let out = self.new_dict(&ty, span);
                self.b.call_runtime(RuntimeFn::DictCompact, &[d]);
                let n = self.dict_len(d);
                self.index_loop(n, |this, i| {
                    let k = this.dict_entry(d, &key, &value, DictPart::Keys, i);
                    let v =
                        (!is_set).then(|| this.dict_entry(d, &key, &value, DictPart::Values, i));
                    this.dict_put(out, &key, &value, k, v, span);
                    Ok(())
                })?;
                Ok(PyValue::Dict(out, ty.clone()))
            }
            _ => Err(unsupported(
                format!("{method}() with these arguments is not supported"),
                span,
            )),
        }
    }
}

impl Lowerer<'_, '_> {
    /// A dict or set value converted to the type `to` (an empty one's key or value type
    /// becoming known, or numbers widening: the entries are copied into a new table).
    pub(crate) fn coerce_dict(&mut self, d: Value, from: &Type, to: &Type) -> PyValue {
        let (fk, fv) = parts(from);
        let (tk, tv) = parts(to);
        if from.has_unknown() {
            // Only an empty `{}` / `set()` has unknown parts: make the table with the real
            // key and value sizes (nothing refers to the empty one yet).
            let out = self.new_dict(to, Span::default());
            return PyValue::Dict(out, to.clone());
        }
        let same = |a: &Type, b: &Type| {
            super::flatten::ir_types(a) == super::flatten::ir_types(b)
                && item_layout(a) == item_layout(b)
                && a.as_scalar() == b.as_scalar()
        };
        if same(&fk, &tk) && same(&fv, &tv) {
            return PyValue::Dict(d, to.clone());
        }
        let span = Span::default();
        let out = self.new_dict(to, span);
        self.b.call_runtime(RuntimeFn::DictCompact, &[d]);
        let n = self.dict_len(d);
        let is_set = matches!(to, Type::Set { .. });
        let _ = self.index_loop(n, |this, i| {
            let k = this.dict_entry(d, &fk, &fv, DictPart::Keys, i);
            let v = (!is_set).then(|| this.dict_entry(d, &fk, &fv, DictPart::Values, i));
            this.dict_put(out, &tk, &tv, k, v, span);
            Ok(())
        });
        PyValue::Dict(out, to.clone())
    }
}

/// What iterating a dict yields.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum DictPart {
    Keys,
    Values,
    Items,
}
