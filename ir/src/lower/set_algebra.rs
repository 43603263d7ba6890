//! Set algebra and bulk dict updates: `a | b`, `a & b`, `a - b`, `a ^ b` of sets and their
//! method spellings (`union`, `intersection`, `difference`, `symmetric_difference`), the
//! in-place ones (`update`, `difference_update`, `intersection_update`), the tests
//! (`issubset`, `issuperset`, `isdisjoint`) and `dict.update`. Each is a loop over a table's
//! entries (`dicts.rs`) inserting into, or looking up in, another; results are new tables.

use super::dicts::DictPart;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Op, Ty, Value};
use frontend::Span;
use frontend::ast::BinOp;
use runtime::math::RuntimeFn;
use typeinfer::{Scalar, Type};

/// Which keys of a source table a copy takes.
#[derive(Copy, Clone)]
enum Filter<'t> {
    All,
    /// Those `other` has (`true`) or lacks (`false`).
    By(Value, &'t Type, bool),
}

fn key_of(ty: &Type) -> Type {
    match ty {
        Type::Dict { key, .. } => (**key).clone(),
        Type::Set { item } => (**item).clone(),
        _ => Type::Unknown,
    }
}

fn value_of(ty: &Type) -> Type {
    match ty {
        Type::Dict { value, .. } => (**value).clone(),
        _ => Type::NoneType,
    }
}

impl Lowerer<'_, '_> {
    /// `l op r` of two sets (`|`, `&`, `-`, `^`), a new set of type `result`.
    pub(crate) fn set_binary_op(
        &mut self,
        op: BinOp,
        (l, lt): (Value, &Type),
        (r, rt): (Value, &Type),
        result: &Type,
        span: Span,
    ) -> LResult<PyValue> {
        let method = match op {
            BinOp::BitOr => "union",
            BinOp::BitAnd => "intersection",
            BinOp::Sub => "difference",
            BinOp::BitXor => "symmetric_difference",
            _ => return Err(unsupported("this operator does not apply to sets", span)),
        };
        let out = self.combine_sets(method, (l, lt), (r, rt), result, span);
        Ok(PyValue::Dict(out, result.clone()))
    }

    /// The new set `a.method(b)` for the combining methods.
    fn combine_sets(
        &mut self,
        method: &str,
        (a, at): (Value, &Type),
        (b, bt): (Value, &Type),
        result: &Type,
        span: Span,
    ) -> Value {
        let out = self.new_dict(result, span);
        match method {
            "union" => {
                self.copy_entries((a, at), (out, result), Filter::All, span);
                self.copy_entries((b, bt), (out, result), Filter::All, span);
            }
            "intersection" => {
                self.copy_entries((a, at), (out, result), Filter::By(b, bt, true), span)
            }
            "difference" => {
                self.copy_entries((a, at), (out, result), Filter::By(b, bt, false), span)
            }
            _ => {
                self.copy_entries((a, at), (out, result), Filter::By(b, bt, false), span);
                self.copy_entries((b, bt), (out, result), Filter::By(a, at, false), span);
            }
        }
        out
    }

    /// Inserts the entries of `src` that `filter` takes into `dst` (keys and, for dicts,
    /// values).
    fn copy_entries(
        &mut self,
        (src, src_ty): (Value, &Type),
        (dst, dst_ty): (Value, &Type),
        filter: Filter<'_>,
        span: Span,
    ) {
        let (key, value) = (key_of(src_ty), value_of(src_ty));
        if key == Type::Unknown {
            return; // An empty `set()` whose type never became known.
        }
        self.b.call_runtime(RuntimeFn::DictCompact, &[src]);
        let n = self.dict_len(src);
        let is_dict = matches!(src_ty, Type::Dict { .. });
        let copied = self.index_loop(n, |this, i| {
            let k = this.dict_entry(src, &key, &value, DictPart::Keys, i);
            let v = is_dict.then(|| this.dict_entry(src, &key, &value, DictPart::Values, i));
            let Filter::By(other, other_ty, keep_present) = filter else {
                this.dict_add(dst, dst_ty, k, v, span);
                return Ok(());
            };
            let present = this.dict_contains(other, other_ty, k.clone());
            let take = match keep_present {
                true => present,
                false => this.b.ins(Op::Not, &[present], Ty::Bool),
            };
            let put = this.create_block();
            let merge = this.create_block();
            this.brif(take, put, merge);
            this.seal(put);
            this.switch_to(put);
            this.dict_add(dst, dst_ty, k, v, span);
            this.jump(merge, &[]);
            this.seal(merge);
            this.switch_to(merge);
            Ok(())
        });
        debug_assert!(copied.is_ok(), "the copy loop's body does not fail");
    }

    /// The set and dict methods of this file; `None` for other methods.
    pub(crate) fn set_algebra_method(
        &mut self,
        method: &str,
        (d, ty): (Value, &Type),
        other: &PyValue,
        other_ty: &Type,
        result: &Type,
        span: Span,
    ) -> Option<PyValue> {
        let PyValue::Dict(o, _) = other else {
            return None;
        };
        let o = *o;
        Some(match method {
            "update" => {
                self.copy_entries((o, other_ty), (d, ty), Filter::All, span);
                PyValue::None
            }
            "union" | "intersection" | "difference" | "symmetric_difference" => {
                let out = self.combine_sets(method, (d, ty), (o, other_ty), result, span);
                PyValue::Dict(out, result.clone())
            }
            "difference_update" => {
                let key = key_of(other_ty);
                if key == Type::Unknown {
                    return Some(PyValue::None);
                }
                let own_key = key_of(ty);
                self.b.call_runtime(RuntimeFn::DictCompact, &[o]);
                let n = self.dict_len(o);
                let removed = self.index_loop(n, |this, i| {
                    let k = this.dict_entry(o, &key, &Type::NoneType, DictPart::Keys, i);
                    let buf = this.key_buffer(&own_key, k);
                    let out = this.b.ins(Op::StackSlot(8), &[], Ty::Ptr);
                    this.b.call_runtime(RuntimeFn::DictRemove, &[d, buf, out]);
                    Ok(())
                });
                debug_assert!(removed.is_ok(), "the removal loop's body does not fail");
                PyValue::None
            }
            "intersection_update" => {
                let kept = self.combine_sets("intersection", (d, ty), (o, other_ty), ty, span);
                self.b.call_runtime(RuntimeFn::DictClear, &[d]);
                self.copy_entries((kept, ty), (d, ty), Filter::All, span);
                PyValue::None
            }
            "issubset" | "issuperset" | "isdisjoint" => {
                let common = self.combine_sets("intersection", (d, ty), (o, other_ty), ty, span);
                let common_len = self.dict_len(common);
                let compared = match method {
                    "issubset" => self.dict_len(d),
                    "issuperset" => self.dict_len(o),
                    _ => self.b.iconst(Ty::I64, 0),
                };
                let result = self.b.icmp(IntCC::Eq, common_len, compared);
                PyValue::Scalar(result, Scalar::Bool)
            }
            _ => return None,
        })
    }
}
