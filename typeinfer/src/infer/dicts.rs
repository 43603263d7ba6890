//! Typing of dicts and sets: literals, `dict()`/`set()`, `ferrojit.typed.Dict`
//! (`Dict.empty(key_type=..., value_type=...)`), `d[k]`, `d[k] = v`, methods, `in`, `len`,
//! iteration.
//!
//! As with lists, an empty dict or set (`{}`, `dict()`, `set()`) takes its key and value types
//! from what is stored into it later: `d[k] = v`, `d.setdefault(k, v)` and `s.add(x)` on a
//! variable widen the variable's type as an assignment would.

use super::{Callable, Infer, R, Stop, Val};
use crate::Resolution;
use crate::rules;
use crate::types::Type;
use frontend::Diagnostic;
use frontend::ast::{Expr, ExprKind, Keyword};

/// The dict methods compiled code supports.
const DICT_METHODS: &[&str] = &[
    "get",
    "pop",
    "keys",
    "values",
    "items",
    "setdefault",
    "clear",
    "copy",
];
/// The set methods compiled code supports.
const SET_METHODS: &[&str] = &[
    "add",
    "discard",
    "remove",
    "clear",
    "copy",
    "update",
    "union",
    "intersection",
    "difference",
    "symmetric_difference",
    "issubset",
    "issuperset",
    "isdisjoint",
    "difference_update",
    "intersection_update",
];

/// `a | b`, `a & b`, `a - b`, `a ^ b` of two sets: a set of the unified item type.
pub(super) fn set_binop_type(
    op: frontend::ast::BinOp,
    l: &Type,
    r: &Type,
    span: frontend::Span,
) -> R<Option<Type>> {
    use frontend::ast::BinOp::*;
    let (Type::Set { item: a }, Type::Set { item: b }) = (l, r) else {
        return Ok(None);
    };
    if !matches!(op, BitOr | BitAnd | Sub | BitXor) {
        let message = format!(
            "unsupported operand type(s) for {}: '{l}' and '{r}'",
            op.symbol()
        );
        return Err(Diagnostic::typing(message, span).into());
    }
    let item = match (&**a, &**b) {
        (Type::Unknown, t) | (t, Type::Unknown) => Some(t.clone()),
        _ => rules::unify(a, b),
    };
    match item {
        Some(item) => Ok(Some(Type::Set {
            item: Box::new(item),
        })),
        None => {
            let message = format!("cannot combine sets of {a} and {b}");
            Err(Diagnostic::typing(message, span).into())
        }
    }
}

/// Whether values of type `ty` can be dict keys or set items: numbers (not complex), strings,
/// tuples of them.
fn hashable(ty: &Type) -> bool {
    match ty {
        Type::Scalar(s) => !s.is_complex(),
        Type::Str | Type::Unknown => true,
        Type::Tuple(items) => items
            .iter()
            .all(|t| matches!(t, Type::Scalar(s) if !s.is_complex())),
        _ => false,
    }
}

fn check_key(ty: &Type, at: &Expr) -> R<()> {
    if hashable(ty) {
        return Ok(());
    }
    let message = format!("a {ty} cannot be a dict key or set item");
    let hint = "keys are numbers, strings, or tuples of numbers";
    Err(Diagnostic::unsupported(message, at.span)
        .with_hint(hint)
        .into())
}

fn check_value(ty: &Type, at: &Expr) -> R<()> {
    let ok = matches!(
        ty,
        Type::Scalar(_)
            | Type::Str
            | Type::Array { .. }
            | Type::List { .. }
            | Type::Tuple(_)
            | Type::Unknown
            | Type::Instance { .. }
    );
    if ok {
        return Ok(());
    }
    let message = format!("a dict cannot hold a {ty}");
    Err(Diagnostic::unsupported(message, at.span).into())
}

/// `a ∪ b` of two key or value types, either possibly unknown.
fn join(a: &Type, b: &Type, at: &Expr, what: &str) -> R<Type> {
    match (a, b) {
        (Type::Unknown, t) | (t, Type::Unknown) => Ok(t.clone()),
        _ => rules::unify(a, b).ok_or_else(|| {
            let message = format!("a dict or set cannot hold {what}s of types {a} and {b}");
            Stop::Error(Diagnostic::typing(message, at.span))
        }),
    }
}

impl Infer<'_> {
    /// `{k: v, ...}`.
    pub(super) fn dict_literal(&mut self, keys: &[Expr], values: &[Expr]) -> R<Type> {
        let (mut key, mut value) = (Type::Unknown, Type::Unknown);
        for (k, v) in keys.iter().zip(values) {
            let (kt, vt) = (self.value(k)?, self.value(v)?);
            check_key(&kt, k)?;
            check_value(&vt, v)?;
            key = join(&key, &kt, k, "key")?;
            value = join(&value, &vt, v, "value")?;
        }
        Ok(dict_type(key, value, false))
    }

    /// `{a, b, ...}`.
    pub(super) fn set_literal(&mut self, items: &[Expr]) -> R<Type> {
        let mut item = Type::Unknown;
        for i in items {
            let t = self.value(i)?;
            check_key(&t, i)?;
            item = join(&item, &t, i, "item")?;
        }
        Ok(Type::Set {
            item: Box::new(item),
        })
    }

    /// `dict()`, `Dict()`, `set()`, `set(iterable)`.
    pub(super) fn dict_or_set_constructor(
        &mut self,
        e: &Expr,
        callable: &Callable,
        args: &[Expr],
    ) -> R<Type> {
        match (callable, args) {
            (Callable::DictClass { typed }, []) => {
                Ok(dict_type(Type::Unknown, Type::Unknown, *typed))
            }
            (Callable::SetClass, []) => Ok(Type::Set {
                item: Box::new(Type::Unknown),
            }),
            (Callable::SetClass, [iterable]) => {
                let item = self.iter_element(iterable)?;
                check_key(&item, iterable)?;
                Ok(Type::Set {
                    item: Box::new(item),
                })
            }
            _ => {
                let message = "dict() and set() take no arguments here (set() also one iterable)";
                Err(Diagnostic::unsupported(message, e.span).into())
            }
        }
    }

    /// `Dict.empty(key_type=..., value_type=...)`.
    pub(super) fn typed_dict_empty(
        &mut self,
        e: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> R<Type> {
        let mut types = Vec::new();
        for (i, a) in args.iter().enumerate() {
            types.push((if i == 0 { "key_type" } else { "value_type" }, a));
        }
        for k in keywords {
            types.push((k.name.as_str(), &k.value));
        }
        let (mut key, mut value) = (None, None);
        for (name, expr) in types {
            let ty = match self.expr(expr)? {
                Val::Callable(Callable::Cast(s)) => Type::Scalar(s),
                Val::Callable(Callable::StrClass) => Type::Str,
                _ => {
                    let message = "Dict.empty() takes number types (np.int64, float64, ...) \
                                   or str";
                    return Err(Diagnostic::unsupported(message, expr.span).into());
                }
            };
            match name {
                "key_type" => key = Some(ty),
                "value_type" => value = Some(ty),
                other => {
                    let message = format!("Dict.empty() got an unexpected keyword '{other}'");
                    return Err(Diagnostic::typing(message, expr.span).into());
                }
            }
        }
        let (Some(key), Some(value)) = (key, value) else {
            let message = "Dict.empty() needs key_type and value_type";
            return Err(Diagnostic::typing(message, e.span).into());
        };
        Ok(dict_type(key, value, true))
    }

    /// Widens the dict or set held in `base` (a variable) to `widened`; elsewhere the stored
    /// types must already fit.
    fn widen_container(&mut self, base: &Expr, current: &Type, widened: Type, at: &Expr) -> R<()> {
        if widened == *current {
            return Ok(());
        }
        match &base.kind {
            ExprKind::Name(name) if self.locals.contains(name) => {
                self.assign_var(name, &widened, at.span)?;
                Ok(())
            }
            _ => {
                let message =
                    format!("cannot store into this {current}: it would become {widened}");
                Err(Diagnostic::typing(message, at.span).into())
            }
        }
    }

    /// `d[k]`.
    pub(super) fn dict_index(&mut self, dict: &Type, index: &Expr) -> R<Type> {
        let Type::Dict { key, value, .. } = dict else {
            unreachable!("dict_index of a non-dict")
        };
        let kt = self.value(index)?;
        self.check_key_fits(&kt, key, index)?;
        known(value, index)
    }

    fn check_key_fits(&self, given: &Type, key: &Type, at: &Expr) -> R<()> {
        if *key == Type::Unknown || rules::can_convert(given, key) {
            return Ok(());
        }
        let message = format!("a key of type {given} cannot be looked up among keys of type {key}");
        Err(Diagnostic::typing(message, at.span).into())
    }

    /// The value type `d[k] = v` stores (widening the dict held in a variable).
    pub(super) fn dict_store(&mut self, base: &Expr, dict: &Type, index: &Expr) -> R<Type> {
        let Type::Dict { key, value, typed } = dict else {
            unreachable!("dict_store of a non-dict")
        };
        let kt = self.value(index)?;
        check_key(&kt, index)?;
        let new_key = join(key, &kt, index, "key")?;
        let widened = dict_type(new_key, (**value).clone(), *typed);
        self.widen_container(base, dict, widened.clone(), index)?;
        let Type::Dict { value, .. } = widened else {
            unreachable!()
        };
        Ok(*value)
    }

    /// Widens the dict in `base` so its values include `vt` (for `d[k] = v`).
    pub(super) fn dict_store_value(&mut self, base: &Expr, vt: &Type, at: &Expr) -> R<()> {
        let dict = self.value(base)?;
        let Type::Dict { key, value, typed } = &dict else {
            return Ok(());
        };
        check_value(vt, at)?;
        let new_value = join(value, vt, at, "value")?;
        let widened = dict_type((**key).clone(), new_value, *typed);
        self.widen_container(base, &dict, widened, at)
    }

    /// `base.attr(args)` for a dict or set `base` of type `ty`.
    pub(super) fn dict_or_set_method(
        &mut self,
        e: &Expr,
        base: &Expr,
        ty: &Type,
        attr: &str,
        args: &[Expr],
    ) -> R<Type> {
        let arg_types = args.iter().map(|a| self.value(a)).collect::<R<Vec<_>>>()?;
        let arity = |min: usize, max: usize| -> R<()> {
            if (min..=max).contains(&args.len()) {
                return Ok(());
            }
            let message = format!(
                "{attr}() takes {min} to {max} argument(s) ({} given)",
                args.len()
            );
            Err(Diagnostic::typing(message, e.span).into())
        };
        match ty {
            Type::Dict { key, value, typed } => match attr {
                "get" | "pop" => {
                    arity(1, 2)?;
                    self.check_key_fits(&arg_types[0], key, &args[0])?;
                    // An empty dict's values take the default's type until stores say more.
                    let value = match arg_types.get(1) {
                        Some(default) if **value == Type::Unknown => default.clone(),
                        _ => known(value, base)?,
                    };
                    if let Some(default) = arg_types.get(1)
                        && !rules::can_convert(default, &value)
                    {
                        let message = format!(
                            "the default ({default}) of {attr}() must convert to the values' type \
                             {value}"
                        );
                        return Err(Diagnostic::typing(message, args[1].span).into());
                    }
                    Ok(value)
                }
                "setdefault" => {
                    arity(2, 2)?;
                    check_key(&arg_types[0], &args[0])?;
                    check_value(&arg_types[1], &args[1])?;
                    let widened = dict_type(
                        join(key, &arg_types[0], &args[0], "key")?,
                        join(value, &arg_types[1], &args[1], "value")?,
                        *typed,
                    );
                    self.widen_container(base, ty, widened.clone(), &args[1])?;
                    let Type::Dict { value, .. } = widened else {
                        unreachable!()
                    };
                    Ok(*value)
                }
                "keys" => {
                    arity(0, 0)?;
                    Ok(Type::list(known(key, base)?))
                }
                "values" => {
                    arity(0, 0)?;
                    Ok(Type::list(known(value, base)?))
                }
                "items" => {
                    arity(0, 0)?;
                    Ok(Type::list(Type::Tuple(vec![
                        known(key, base)?,
                        known(value, base)?,
                    ])))
                }
                "clear" => {
                    arity(0, 0)?;
                    Ok(Type::NoneType)
                }
                "copy" => {
                    arity(0, 0)?;
                    Ok(ty.clone())
                }
                "update" => {
                    arity(1, 1)?;
                    let Type::Dict {
                        key: other_key,
                        value: other_value,
                        ..
                    } = &arg_types[0]
                    else {
                        let message = format!("dict.update() takes a dict, got {}", arg_types[0]);
                        return Err(Diagnostic::typing(message, args[0].span).into());
                    };
                    let widened = dict_type(
                        join(key, other_key, &args[0], "key")?,
                        join(value, other_value, &args[0], "value")?,
                        *typed,
                    );
                    self.widen_container(base, ty, widened, &args[0])?;
                    Ok(Type::NoneType)
                }
                _ => {
                    let message = format!("'{ty}' object has no attribute '{attr}'");
                    let hint = format!("dicts support {}", DICT_METHODS.join(", "));
                    Err(Diagnostic::typing(message, e.span).with_hint(hint).into())
                }
            },
            Type::Set { item } => match attr {
                "add" => {
                    arity(1, 1)?;
                    check_key(&arg_types[0], &args[0])?;
                    let widened = Type::Set {
                        item: Box::new(join(item, &arg_types[0], &args[0], "item")?),
                    };
                    self.widen_container(base, ty, widened, &args[0])?;
                    Ok(Type::NoneType)
                }
                "discard" | "remove" => {
                    arity(1, 1)?;
                    self.check_key_fits(&arg_types[0], item, &args[0])?;
                    Ok(Type::NoneType)
                }
                "clear" => {
                    arity(0, 0)?;
                    Ok(Type::NoneType)
                }
                "copy" => {
                    arity(0, 0)?;
                    Ok(ty.clone())
                }
                "update"
                | "union"
                | "intersection"
                | "difference"
                | "symmetric_difference"
                | "issubset"
                | "issuperset"
                | "isdisjoint"
                | "difference_update"
                | "intersection_update" => {
                    arity(1, 1)?;
                    let Type::Set { item: other } = &arg_types[0] else {
                        let message = format!("set.{attr}() takes a set, got {}", arg_types[0]);
                        return Err(Diagnostic::typing(message, args[0].span).into());
                    };
                    let joined = Type::Set {
                        item: Box::new(join(item, other, &args[0], "item")?),
                    };
                    Ok(match attr {
                        "update" => {
                            self.widen_container(base, ty, joined, &args[0])?;
                            Type::NoneType
                        }
                        "issubset" | "issuperset" | "isdisjoint" => Type::BOOL,
                        "difference_update" | "intersection_update" => Type::NoneType,
                        _ => joined,
                    })
                }
                _ => {
                    let message = format!("'{ty}' object has no attribute '{attr}'");
                    let hint = format!("sets support {}", SET_METHODS.join(", "));
                    Err(Diagnostic::typing(message, e.span).with_hint(hint).into())
                }
            },
            _ => unreachable!("dict_or_set_method of {ty}"),
        }
    }

    /// `x in d` / `x in s`.
    pub(super) fn dict_membership(&mut self, needle: &Type, container: &Type, at: &Expr) -> R<()> {
        let key = match container {
            Type::Dict { key, .. } => key,
            Type::Set { item } => item,
            _ => unreachable!("dict_membership of {container}"),
        };
        self.check_key_fits(needle, key, at)
    }

    /// Records the method call's resolution (`Resolution::ListMethod`, shared by lists, dicts
    /// and sets: lowering dispatches on the receiver's type).
    pub(super) fn resolve_container_method(&mut self, e: &Expr, attr: &str) {
        self.resolve(e.id, Resolution::ListMethod(attr.to_string()));
    }
}

/// The key or value type when known (an empty container's pending otherwise).
fn known(ty: &Type, at: &Expr) -> R<Type> {
    if *ty == Type::Unknown {
        let message = "the key or value type of this empty dict or set is not known yet";
        return Err(Stop::Pending(Diagnostic::typing(message, at.span)));
    }
    Ok(ty.clone())
}

pub(super) fn dict_type(key: Type, value: Type, typed: bool) -> Type {
    Type::Dict {
        key: Box::new(key),
        value: Box::new(value),
        typed,
    }
}
