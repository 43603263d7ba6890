//! Lists: literals, comprehensions, `list(...)`, methods, indexing, slicing, iteration, `in`.
//!
//! A list is one pointer to a `runtime::list::List` header (data pointer, length, allocation
//! size). Items are packed in the data buffer as [`ItemLayout`] says: a number at its natural
//! size (so a list of `float64` is a plain `float64` buffer, easy to hand to NumPy), anything
//! else (tuples, arrays, lists) as its flattened IR values, 8 bytes each. Loads, stores, `len`
//! and bounds checks are inline; growing, inserting, removing, slicing and sorting call the
//! runtime. Lists made here belong to the call's arena; arrays stored in a list get their
//! descriptor copied into the arena first (a view's descriptor may be a reused stack slot).

use super::flatten::{ir_types, scalar_ir_type};
use super::library::Seq;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::{CmpOp, Comprehension, Expr};
use runtime::error::ExceptionKind;
use runtime::list::{LIST_BYTES_OFFSET, LIST_DATA_OFFSET, LIST_LEN_OFFSET, sort_kind};
use runtime::math::RuntimeFn;
use typeinfer::{Scalar, Type};

/// Where the flattened values of one list item live inside its bytes.
pub(crate) struct ItemLayout {
    /// Bytes per item.
    pub size: i64,
    /// Byte offset of each flattened value.
    pub offsets: Vec<i32>,
}

/// The memory layout of a list item of type `item` (shared with the dispatcher through
/// `ir::lower::list_item_layout`).
pub fn item_layout(item: &Type) -> (i64, Vec<i32>) {
    match item {
        Type::Scalar(s) => {
            let part = scalar_ir_type(*s).bits() as i32 / 8;
            let parts = if s.is_complex() { 2 } else { 1 };
            (
                i64::from(part * parts),
                (0..parts).map(|i| i * part).collect(),
            )
        }
        Type::Unknown => (8, Vec::new()),
        other => {
            let n = ir_types(other).len() as i32;
            (i64::from(8 * n.max(1)), (0..n).map(|i| 8 * i).collect())
        }
    }
}

fn layout(item: &Type) -> ItemLayout {
    let (size, offsets) = item_layout(item);
    ItemLayout { size, offsets }
}

/// The item type of a list type.
fn item_of(ty: &Type) -> Type {
    ty.list_item().cloned().unwrap_or(Type::Unknown)
}

impl Lowerer<'_, '_> {
    /// A new list of `len` zeroed items of type `item`; raises `MemoryError` on failure.
    pub(crate) fn new_list(&mut self, item: &Type, len: Value, span: Span) -> Value {
        let size = self.b.iconst(Ty::I64, layout(item).size);
        let list = self.b.call_runtime(RuntimeFn::ListNew, &[size, len]);
        self.check_allocated(list, span);
        list
    }

    fn check_allocated(&mut self, ptr: Value, span: Span) {
        let zero = self.b.iconst(Ty::I64, 0);
        let failed = self.b.icmp(IntCC::Eq, ptr, zero);
        self.raise_if(
            failed,
            ExceptionKind::MemoryError,
            "cannot allocate the list",
            span,
            &[],
        );
    }

    pub(crate) fn list_len(&mut self, list: Value) -> Value {
        self.b.load(Ty::I64, list, LIST_LEN_OFFSET, false)
    }

    /// The address of item `i` (not checked).
    fn item_address(&mut self, list: Value, item: &Type, i: Value) -> Value {
        let data = self.b.load(Ty::I64, list, LIST_DATA_OFFSET, false);
        let size = self.b.iconst(Ty::I64, layout(item).size);
        let offset = self.b.binary(Op::Imul, i, size);
        self.b.binary(Op::Iadd, data, offset)
    }

    pub(crate) fn load_list_item(&mut self, list: Value, item: &Type, i: Value) -> PyValue {
        let ptr = self.item_address(list, item, i);
        self.load_item_at(ptr, item)
    }

    pub(crate) fn load_item_at(&mut self, ptr: Value, item: &Type) -> PyValue {
        let types = ir_types(item);
        let offsets = layout(item).offsets;
        let values: Vec<Value> = types
            .iter()
            .zip(offsets)
            .map(|(&ty, offset)| self.b.load(ty, ptr, offset, false))
            .collect();
        PyValue::from_flat(item, &mut values.into_iter())
    }

    /// Stores `value` (converted to `item`) at `ptr`.
    pub(crate) fn store_item_at(&mut self, ptr: Value, item: &Type, value: PyValue) {
        let value = self.coerce(value, item);
        let value = self.escape_arrays(value);
        let offsets = layout(item).offsets;
        for (v, offset) in value.flat_values().into_iter().zip(offsets) {
            self.b.store(ptr, v, offset);
        }
    }

    /// `list.append(value)`.
    /// While the next item fits the allocation it is stored in place (as Numba's inlined
    /// append); the runtime grows the list otherwise.
    pub(crate) fn push_item(&mut self, list: Value, item: &Type, value: PyValue, span: Span) {
        let size = self.b.iconst(Ty::I64, layout(item).size);
        let data = self.b.load(Ty::Ptr, list, LIST_DATA_OFFSET, false);
        let len = self.b.load(Ty::I64, list, LIST_LEN_OFFSET, false);
        let bytes = self.b.load(Ty::I64, list, LIST_BYTES_OFFSET, false);
        let used = self.b.binary(Op::Imul, len, size);
        let needed = self.b.binary(Op::Iadd, used, size);
        let fits = self.b.icmp(IntCC::Ule, needed, bytes);
        let (fast, slow, join) = (
            self.create_block(),
            self.create_block(),
            self.create_block(),
        );
        let slot = self.b.append_block_param(join, Ty::Ptr);
        self.brif(fits, fast, slow);
        self.seal(fast);
        self.seal(slow);
        self.switch_to(fast);
        let one = self.b.iconst(Ty::I64, 1);
        let longer = self.b.binary(Op::Iadd, len, one);
        self.b.store(list, longer, LIST_LEN_OFFSET);
        let at = self.b.binary(Op::Iadd, data, used);
        self.jump(join, &[at]);
        self.switch_to(slow);
        let grown = self.b.call_runtime(RuntimeFn::ListPush, &[list, size]);
        self.check_allocated(grown, span);
        self.jump(join, &[grown]);
        self.seal(join);
        self.switch_to(join);
        self.store_item_at(slot, item, value);
    }

    /// An index into a list of length `len`, negative ones wrapped, checked to be in range
    /// (`IndexError` with `message` otherwise).
    fn checked_list_index(&mut self, idx: Value, len: Value, message: &str, span: Span) -> Value {
        let zero = self.b.iconst(Ty::I64, 0);
        let negative = self.b.icmp(IntCC::Slt, idx, zero);
        let wrapped = self.b.binary(Op::Iadd, idx, len);
        let idx = self.b.select(negative, wrapped, idx);
        let out = self.b.icmp(IntCC::Uge, idx, len);
        self.raise_if(out, ExceptionKind::IndexError, message, span, &[]);
        idx
    }

    fn index_value(&mut self, v: PyValue, span: Span) -> LResult<Value> {
        match v {
            PyValue::Scalar(v, s) if s.is_int() || s.is_bool() => {
                Ok(self.cast_real(v, s, Scalar::I64))
            }
            _ => Err(unsupported("list indices must be integers", span)),
        }
    }

    /// `[a, b, c]`.
    pub(crate) fn lower_list_literal(&mut self, expr: &Expr, items: &[Expr]) -> LResult<PyValue> {
        let ty = self.type_of(expr)?;
        let item = item_of(&ty);
        let values = items
            .iter()
            .map(|e| self.lower_expr(e))
            .collect::<LResult<Vec<_>>>()?;
        self.set_span(expr.span);
        let len = self.b.iconst(Ty::I64, values.len() as i64);
        let list = self.new_list(&item, len, expr.span);
        if !values.is_empty() {
            let data = self.b.load(Ty::I64, list, LIST_DATA_OFFSET, false);
            let size = layout(&item).size;
            for (k, v) in values.into_iter().enumerate() {
                let offset = self.b.iconst(Ty::I64, k as i64 * size);
                let ptr = self.b.binary(Op::Iadd, data, offset);
                self.store_item_at(ptr, &item, v);
            }
        }
        Ok(PyValue::List(list, ty))
    }

    /// `[elt for target in iter if cond ...]`.
    pub(crate) fn lower_list_comp(
        &mut self,
        expr: &Expr,
        elt: &Expr,
        value: Option<&Expr>,
        generators: &[Comprehension],
    ) -> LResult<PyValue> {
        let ty = self.type_of(expr)?;
        let target = match &ty {
            Type::List { .. } => {
                let item = item_of(&ty);
                let zero = self.b.iconst(Ty::I64, 0);
                let list = self.new_list(&item, zero, expr.span);
                PyValue::List(list, ty.clone())
            }
            _ => PyValue::Dict(self.new_dict(&ty, expr.span), ty.clone()),
        };
        self.comprehension_loops(&target, elt, value, generators, expr.span)?;
        Ok(target)
    }

    fn comprehension_loops(
        &mut self,
        target: &PyValue,
        elt: &Expr,
        value: Option<&Expr>,
        generators: &[Comprehension],
        span: Span,
    ) -> LResult<()> {
        let Some((first, rest)) = generators.split_first() else {
            let item = self.lower_expr(elt)?;
            match target {
                PyValue::List(list, ty) => self.push_item(*list, &item_of(ty), item, span),
                PyValue::Dict(d, ty) => {
                    let v = value.map(|v| self.lower_expr(v)).transpose()?;
                    self.dict_add(*d, ty, item, v, span);
                }
                _ => return Err(unsupported("this comprehension is not supported", span)),
            }
            return Ok(());
        };
        let seq = self.lower_seq(&first.iter)?;
        let n = self.seq_len(&seq);
        self.index_loop(n, |this, i| {
            let next = this.seq_item(&seq, i);
            this.assign(&first.target, next)?;
            for cond in &first.ifs {
                let c = this.lower_expr(cond)?;
                let c = this.truthy(&c);
                let then = this.create_block();
                let skip = this.loops.last().expect("in a loop").continue_to;
                this.brif(c, then, skip);
                this.seal(then);
                this.switch_to(then);
            }
            this.comprehension_loops(target, elt, value, rest, span)
        })
    }

    /// `list()`, `list(iterable)`, `List()`, `List(iterable)`, `List.empty_list(t)`.
    pub(crate) fn lower_new_list(&mut self, expr: &Expr, args: &[Expr]) -> LResult<PyValue> {
        let ty = self.type_of(expr)?;
        let item = item_of(&ty);
        let zero = self.b.iconst(Ty::I64, 0);
        // `List.empty_list(t)`'s argument is a type, not a value.
        let source = match args {
            [iterable] if self.typed.expr_type(iterable.id).is_some() => Some(iterable),
            _ => None,
        };
        let list = self.new_list(&item, zero, expr.span);
        if let Some(iterable) = source {
            let seq = self.lower_seq(iterable)?;
            self.extend_from_seq(list, &item, seq, expr.span)?;
        }
        Ok(PyValue::List(list, ty))
    }

    /// `sorted(iterable)`: a new list of the items (as `list(iterable)`), sorted in place.
    pub(crate) fn lower_sorted(&mut self, expr: &Expr, args: &[Expr]) -> LResult<PyValue> {
        let value = self.lower_new_list(expr, args)?;
        let PyValue::List(list, ty) = &value else {
            return Err(unsupported("sorted() needs an iterable", expr.span));
        };
        self.sort_list(*list, &item_of(ty), expr.span)?;
        Ok(value)
    }

    /// Sorts a list of real numbers in place (`list.sort()`, `sorted`).
    fn sort_list(&mut self, list: Value, item: &Type, span: Span) -> LResult<()> {
        let Some(s) = item.as_scalar() else {
            return Err(unsupported("only lists of numbers can be sorted", span));
        };
        let kind = match s {
            Scalar::I64 => sort_kind::I64,
            Scalar::U64 => sort_kind::U64,
            Scalar::F64 => sort_kind::F64,
            Scalar::I32 => sort_kind::I32,
            Scalar::U32 => sort_kind::U32,
            Scalar::F32 => sort_kind::F32,
            Scalar::I16 => sort_kind::I16,
            Scalar::U16 => sort_kind::U16,
            Scalar::I8 => sort_kind::I8,
            Scalar::U8 | Scalar::Bool => sort_kind::U8,
            _ => return Err(unsupported("complex numbers cannot be sorted", span)),
        };
        let kind = self.b.iconst(Ty::I64, kind);
        let no = self.b.iconst(Ty::I64, 0);
        self.b.call_runtime(RuntimeFn::ListSort, &[list, kind, no]);
        Ok(())
    }

    fn extend_from_seq(&mut self, list: Value, item: &Type, seq: Seq, span: Span) -> LResult<()> {
        if let Seq::List {
            list: other,
            item: from,
        } = &seq
            && from == item
        {
            let size = self.b.iconst(Ty::I64, layout(item).size);
            let ok = self
                .b
                .call_runtime(RuntimeFn::ListExtend, &[list, size, *other]);
            self.check_allocated(ok, span);
            return Ok(());
        }
        let n = self.seq_len(&seq);
        self.index_loop(n, |this, i| {
            let value = this.seq_item(&seq, i);
            this.push_item(list, item, value, span);
            Ok(())
        })
    }

    /// `list[index]` (an item) or `list[a:b:c]` (a new list).
    pub(crate) fn lower_list_subscript(
        &mut self,
        list: Value,
        list_ty: &Type,
        index: &Expr,
        span: Span,
    ) -> LResult<PyValue> {
        let item = item_of(list_ty);
        if let frontend::ast::ExprKind::Slice { lower, upper, step } = &index.kind {
            let bound = |this: &mut Self, part: &Option<Box<Expr>>| -> LResult<Value> {
                match part {
                    Some(e) => {
                        let v = this.lower_expr(e)?;
                        this.index_value(v, e.span)
                    }
                    None => Ok(this.b.iconst(Ty::I64, i64::MIN)),
                }
            };
            let start = bound(self, lower)?;
            let stop = bound(self, upper)?;
            let step = match step {
                Some(e) => {
                    let v = self.lower_expr(e)?;
                    let v = self.index_value(v, e.span)?;
                    let zero = self.b.iconst(Ty::I64, 0);
                    let is_zero = self.b.icmp(IntCC::Eq, v, zero);
                    self.raise_if(
                        is_zero,
                        ExceptionKind::ValueError,
                        "slice step cannot be zero",
                        span,
                        &[],
                    );
                    v
                }
                None => self.b.iconst(Ty::I64, 1),
            };
            let size = self.b.iconst(Ty::I64, layout(&item).size);
            let out = self
                .b
                .call_runtime(RuntimeFn::ListSlice, &[list, size, start, stop, step]);
            self.check_allocated(out, span);
            return Ok(PyValue::List(out, list_ty.clone()));
        }
        let idx = self.lower_expr(index)?;
        let idx = self.index_value(idx, index.span)?;
        let len = self.list_len(list);
        let idx = self.checked_list_index(idx, len, "list index out of range", span);
        Ok(self.load_list_item(list, &item, idx))
    }

    /// `list[index] = value`.
    pub(crate) fn store_list_item(
        &mut self,
        list: Value,
        list_ty: &Type,
        index: &Expr,
        value: PyValue,
        span: Span,
    ) -> LResult<()> {
        let (ptr, item) = self.list_item_ptr(list, list_ty, index, span)?;
        self.store_item_at(ptr, &item, value);
        Ok(())
    }

    /// The address of `list[index]` for a store (checked), with the item type.
    pub(crate) fn list_item_ptr(
        &mut self,
        list: Value,
        list_ty: &Type,
        index: &Expr,
        span: Span,
    ) -> LResult<(Value, Type)> {
        let item = item_of(list_ty);
        let idx = self.lower_expr(index)?;
        let idx = self.index_value(idx, index.span)?;
        let len = self.list_len(list);
        let idx = self.checked_list_index(idx, len, "list assignment index out of range", span);
        Ok((self.item_address(list, &item, idx), item))
    }

    /// `list.method(args)`.
    pub(crate) fn lower_list_method(
        &mut self,
        expr: &Expr,
        receiver: &Expr,
        method: &str,
        args: &[Expr],
    ) -> LResult<PyValue> {
        let list_ty = self.type_of(receiver)?;
        let PyValue::List(list, _) = self.lower_expr(receiver)? else {
            return Err(unsupported("this method needs a list", receiver.span));
        };
        let item = item_of(&list_ty);
        let span = expr.span;
        let size = self.b.iconst(Ty::I64, layout(&item).size);
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.lower_expr(a)?);
        }
        self.set_span(span);
        match (method, values.as_slice()) {
            ("append", [v]) => {
                self.push_item(list, &item, v.clone(), span);
                Ok(PyValue::None)
            }
            ("insert", [at, v]) => {
                let at = self.index_value(at.clone(), args[0].span)?;
                let slot = self
                    .b
                    .call_runtime(RuntimeFn::ListInsert, &[list, size, at]);
                self.check_allocated(slot, span);
                self.store_item_at(slot, &item, v.clone());
                Ok(PyValue::None)
            }
            ("extend", [v]) => {
                let ty = self.type_of(&args[0])?;
                let seq = self.seq_of(v.clone(), &ty, args[0].span)?;
                self.extend_from_seq(list, &item, seq, span)?;
                Ok(PyValue::None)
            }
            ("pop", rest) => {
                let len = self.list_len(list);
                let zero = self.b.iconst(Ty::I64, 0);
                let empty = self.b.icmp(IntCC::Eq, len, zero);
                self.raise_if(
                    empty,
                    ExceptionKind::IndexError,
                    "pop from empty list",
                    span,
                    &[],
                );
                let idx = match rest {
                    [at] => {
                        let at = self.index_value(at.clone(), args[0].span)?;
                        self.checked_list_index(at, len, "pop index out of range", span)
                    }
                    _ => {
                        let one = self.b.iconst(Ty::I64, 1);
                        self.b.binary(Op::Isub, len, one)
                    }
                };
                let value = self.load_list_item(list, &item, idx);
                self.b
                    .call_runtime(RuntimeFn::ListRemove, &[list, size, idx]);
                Ok(value)
            }
            ("clear", []) => {
                let zero = self.b.iconst(Ty::I64, 0);
                self.b.store(list, zero, LIST_LEN_OFFSET);
                Ok(PyValue::None)
            }
            ("reverse", []) => {
                self.b.call_runtime(RuntimeFn::ListReverse, &[list, size]);
                Ok(PyValue::None)
            }
            ("sort", []) => {
                self.sort_list(list, &item, span)?;
                Ok(PyValue::None)
            }
            ("copy", []) => {
                let all = self.b.iconst(Ty::I64, i64::MIN);
                let one = self.b.iconst(Ty::I64, 1);
                let out = self
                    .b
                    .call_runtime(RuntimeFn::ListSlice, &[list, size, all, all, one]);
                self.check_allocated(out, span);
                Ok(PyValue::List(out, list_ty.clone()))
            }
            ("index" | "count", [needle]) => {
                let needle_ty = self.type_of(&args[0])?;
                self.search_list(
                    list,
                    &item,
                    needle.clone(),
                    &needle_ty,
                    method == "count",
                    span,
                )
            }
            _ => Err(unsupported(
                format!("list.{method}() with these arguments is not supported"),
                span,
            )),
        }
    }

    /// `list.index(needle)` (first position; `ValueError` if absent) or `list.count(needle)`.
    fn search_list(
        &mut self,
        list: Value,
        item: &Type,
        needle: PyValue,
        needle_ty: &Type,
        count: bool,
        span: Span,
    ) -> LResult<PyValue> {
        let n = self.list_len(list);
        let zero = self.b.iconst(Ty::I64, 0);
        let init = if count { zero } else { n };
        let acc = (
            vec![self.ssa.declare_var(Ty::I64)],
            PyValue::Scalar(init, Scalar::I64),
        );
        self.def_value_var(&acc, &PyValue::Scalar(init, Scalar::I64));
        self.index_loop(n, |this, i| {
            let value = this.load_list_item(list, item, i);
            let eq = this.compare(CmpOp::Eq, value, item, needle.clone(), needle_ty, span)?;
            let hit = this.create_block();
            let next = this.loops.last().expect("in a loop");
            let (cont, brk) = (next.continue_to, next.break_to);
            this.brif(eq, hit, cont);
            this.seal(hit);
            this.switch_to(hit);
            if count {
                let PyValue::Scalar(c, _) = this.use_value_var(&acc) else {
                    unreachable!("a counter")
                };
                let one = this.b.iconst(Ty::I64, 1);
                let c = this.b.binary(Op::Iadd, c, one);
                this.def_value_var(&acc, &PyValue::Scalar(c, Scalar::I64));
                this.jump(cont, &[]);
            } else {
                this.def_value_var(&acc, &PyValue::Scalar(i, Scalar::I64));
                this.jump(brk, &[]);
            }
            this.continue_in_dead_block();
            Ok(())
        })?;
        let result = self.use_value_var(&acc);
        if !count {
            let PyValue::Scalar(at, _) = result else {
                unreachable!("an index")
            };
            let missing = self.b.icmp(IntCC::Eq, at, n);
            self.raise_if(
                missing,
                ExceptionKind::ValueError,
                "value is not in list",
                span,
                &[],
            );
        }
        Ok(result)
    }

    /// `needle in haystack` for a list or a tuple haystack.
    pub(crate) fn lower_membership(
        &mut self,
        needle: PyValue,
        needle_ty: &Type,
        haystack: PyValue,
        haystack_ty: &Type,
        span: Span,
    ) -> LResult<Value> {
        match (haystack, haystack_ty) {
            (PyValue::Tuple(items), Type::Tuple(types)) => {
                let mut found = self.b.bconst(false);
                for (item, ty) in items.into_iter().zip(types) {
                    let eq = self.compare(CmpOp::Eq, needle.clone(), needle_ty, item, ty, span)?;
                    found = self.b.ins(Op::Or, &[found, eq], Ty::Bool);
                }
                Ok(found)
            }
            (PyValue::Dict(d, _), ty) => Ok(self.dict_contains(d, ty, needle)),
            (PyValue::List(list, _), ty) => {
                let item = item_of(ty);
                if item == Type::Unknown {
                    return Ok(self.b.bconst(false));
                }
                let PyValue::Scalar(count, _) =
                    self.search_list(list, &item, needle, needle_ty, true, span)?
                else {
                    unreachable!("a count")
                };
                let zero = self.b.iconst(Ty::I64, 0);
                Ok(self.b.icmp(IntCC::Ne, count, zero))
            }
            _ => Err(unsupported("`in` needs a list or a tuple", span)),
        }
    }

    /// `a + b` of two lists, `list * n`, `n * list`: a new list.
    pub(crate) fn list_binary_op(
        &mut self,
        op: frontend::ast::BinOp,
        l: PyValue,
        lt: &Type,
        r: PyValue,
        rt: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        use frontend::ast::BinOp;
        let result_ty = match (lt, rt) {
            (Type::List { .. }, Type::List { .. }) => {
                typeinfer::rules::unify(lt, rt).unwrap_or_else(|| lt.clone())
            }
            (Type::List { .. }, _) => lt.clone(),
            _ => rt.clone(),
        };
        let item = item_of(&result_ty);
        let zero = self.b.iconst(Ty::I64, 0);
        let out = self.new_list(&item, zero, span);
        match (op, l, r) {
            (BinOp::Add, PyValue::List(a, at), PyValue::List(b, bt)) => {
                for (list, ty) in [(a, at), (b, bt)] {
                    let seq = Seq::List {
                        list,
                        item: item_of(&ty),
                    };
                    self.extend_from_seq(out, &item, seq, span)?;
                }
            }
            (BinOp::Mult, PyValue::List(list, ty), n)
            | (BinOp::Mult, n, PyValue::List(list, ty)) => {
                let n = self.index_value(n, span)?;
                let from = item_of(&ty);
                self.index_loop(n, |this, _| {
                    let seq = Seq::List {
                        list,
                        item: from.clone(),
                    };
                    this.extend_from_seq(out, &item, seq, span)
                })?;
            }
            _ => return Err(unsupported("unsupported operation on lists", span)),
        }
        Ok(PyValue::List(out, result_ty))
    }

    /// A list value converted to the list type `to` (an empty list's item type becoming
    /// known, or numbers widening: the items are copied into a new list).
    pub(crate) fn coerce_list(&mut self, list: Value, from: &Type, to: &Type) -> PyValue {
        let (from_item, to_item) = (item_of(from), item_of(to));
        if from_item == Type::Unknown
            || item_layout(&from_item) == item_layout(&to_item)
                && ir_types(&from_item) == ir_types(&to_item)
                && from_item.as_scalar() == to_item.as_scalar()
        {
            return PyValue::List(list, to.clone());
        }
        let zero = self.b.iconst(Ty::I64, 0);
        let span = Span::default();
        let out = self.new_list(&to_item, zero, span);
        let seq = Seq::List {
            list,
            item: from_item,
        };
        let _ = self.extend_from_seq(out, &to_item, seq, span);
        PyValue::List(out, to.clone())
    }
}
