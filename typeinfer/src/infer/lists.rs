//! Typing of lists: literals, comprehensions, `list(...)`, `ferrojit.typed.List`, methods,
//! indexing and slicing, `in`.
//!
//! A list has one item type. An empty list (`[]`, `list()`, `List()`) starts with the item type
//! [`Type::Unknown`]; a method that adds items to a list held in a variable (`x.append(v)`)
//! widens the variable's type with the item's, as an assignment would, so `x = []` followed by
//! appends of floats types `x` as `list(float64)`. An item type still unknown when inference
//! ends is an error (Numba: "cannot infer the type of the list").

use super::{Callable, Infer, R, Stop, Val};
use crate::Resolution;
use crate::rules;
use crate::types::Type;
use frontend::ast::{BinOp, Comprehension, Expr, ExprKind};
use frontend::{Diagnostic, Span};

/// The list methods compiled code supports.
pub const LIST_METHODS: &[&str] = &[
    "append", "pop", "insert", "extend", "sort", "reverse", "copy", "clear", "index", "count",
];

impl Infer<'_> {
    /// `[a, b, c]`: the items' unified type.
    pub(super) fn list_literal(&mut self, items: &[Expr]) -> R<Type> {
        let mut item = Type::Unknown;
        for i in items {
            let ty = self.value(i)?;
            item = self.list_item_union(&item, &ty, i)?;
        }
        Ok(Type::list(item))
    }

    /// The item type of a list holding items of both `a` and `b`.
    fn list_item_union(&self, a: &Type, b: &Type, at: &Expr) -> R<Type> {
        check_item(b, at)?;
        match (a, b) {
            (Type::Unknown, t) | (t, Type::Unknown) => Ok(t.clone()),
            _ => rules::unify(a, b).ok_or_else(|| {
                let message = format!("a list cannot hold both {a} and {b}");
                let hint = "the items of a list must have one type (numbers widen)";
                Stop::Error(Diagnostic::typing(message, at.span).with_hint(hint))
            }),
        }
    }

    /// `[elt for target in iter if cond ...]`.
    pub(super) fn list_comp(
        &mut self,
        elt: &Expr,
        generators: &[Comprehension],
        kind: frontend::ast::CompKind,
        value: Option<&Expr>,
    ) -> R<Type> {
        for g in generators {
            let element = self.iter_element(&g.iter)?;
            self.assign(&g.target, &element)?;
            for cond in &g.ifs {
                self.condition(cond)?;
            }
        }
        let item = self.value(elt)?;
        match (kind, value) {
            (frontend::ast::CompKind::List, _) => {
                check_item(&item, elt)?;
                Ok(Type::list(item))
            }
            (frontend::ast::CompKind::Set, _) => self.set_literal(std::slice::from_ref(elt)),
            (frontend::ast::CompKind::Dict, Some(v)) => {
                self.dict_literal(std::slice::from_ref(elt), std::slice::from_ref(v))
            }
            (frontend::ast::CompKind::Dict, None) => {
                Err(Diagnostic::internal("a dict comprehension without values").into())
            }
        }
    }

    /// `list()`, `list(iterable)`; `typed` for `List()` / `List(iterable)`.
    pub(super) fn list_constructor(&mut self, e: &Expr, args: &[Expr], typed: bool) -> R<Type> {
        let item = match args {
            [] => Type::Unknown,
            [iterable] => {
                let element = self.iter_element(iterable)?;
                check_item(&element, iterable)?;
                element
            }
            _ => {
                let message = format!("list() takes at most 1 argument ({} given)", args.len());
                return Err(Diagnostic::typing(message, e.span).into());
            }
        };
        Ok(Type::List {
            item: Box::new(item),
            typed,
        })
    }

    /// `sorted(iterable)`: a list of the iterable's items (real numbers), sorted.
    pub(super) fn sorted_call(&mut self, e: &Expr, args: &[Expr]) -> R<Type> {
        if args.len() != 1 {
            let message = format!("sorted() takes exactly one argument ({} given)", args.len());
            return Err(Diagnostic::typing(message, e.span).into());
        }
        let ty = self.list_constructor(e, args, false)?;
        if let Type::List { item, .. } = &ty
            && item.as_scalar().is_none_or(|s| s.is_complex())
        {
            let message = format!("sorted() of items of type {item} is not supported");
            return Err(Diagnostic::unsupported(message, e.span)
                .with_hint("only real numbers can be sorted")
                .into());
        }
        Ok(ty)
    }

    /// `value.attr(args)` when `value` is a list (a method) or the typed list class
    /// (`List.empty_list(item_type)`); `None` for other calls.
    pub(super) fn list_attribute_call(
        &mut self,
        e: &Expr,
        value: &Expr,
        attr: &str,
        args: &[Expr],
        keywords: &[frontend::ast::Keyword],
    ) -> R<Option<Type>> {
        let Ok(val) = self.expr(value) else {
            return Ok(None);
        };
        if let (Val::Value(Type::List { .. } | Type::Dict { .. } | Type::Set { .. }), Some(k)) =
            (&val, keywords.first())
        {
            let message = format!("keyword argument '{}' is not supported here", k.name);
            return Err(Diagnostic::unsupported(message, k.span).into());
        }
        match val {
            Val::Value(container @ (Type::Dict { .. } | Type::Set { .. })) => {
                let ty = self.dict_or_set_method(e, value, &container, attr, args)?;
                self.resolve_container_method(e, attr);
                Ok(Some(ty))
            }
            Val::Callable(Callable::DictClass { typed: true }) if attr == "empty" => {
                let ty = self.typed_dict_empty(e, args, keywords)?;
                self.resolve(e.id, Resolution::NewDict);
                Ok(Some(ty))
            }
            Val::Value(Type::Str) => {
                if let Some(k) = keywords.first() {
                    let message = format!("keyword argument '{}' is not supported here", k.name);
                    return Err(Diagnostic::unsupported(message, k.span).into());
                }
                let ty = self.str_method(e, attr, args)?;
                self.resolve(e.id, Resolution::ListMethod(attr.to_string()));
                Ok(Some(ty))
            }
            Val::Value(list @ Type::List { .. }) => {
                let ty = self.list_method(e, value, &list, attr, args)?;
                self.resolve(e.id, Resolution::ListMethod(attr.to_string()));
                Ok(Some(ty))
            }
            Val::Callable(Callable::ListClass { typed: true }) if attr == "empty_list" => {
                let item = match args {
                    [t] => match self.expr(t)? {
                        Val::Callable(Callable::Cast(s)) => Type::Scalar(s),
                        _ => {
                            let message = "List.empty_list() takes a number type \
                                           (np.float64, np.int64, ...)";
                            return Err(Diagnostic::unsupported(message, t.span).into());
                        }
                    },
                    _ => {
                        let message = "List.empty_list() takes one argument, the item type";
                        return Err(Diagnostic::typing(message, e.span).into());
                    }
                };
                self.resolve(e.id, Resolution::NewList);
                Ok(Some(Type::List {
                    item: Box::new(item),
                    typed: true,
                }))
            }
            _ => Ok(None),
        }
    }

    /// `base.attr(args)` where `base` is a list of type `list`.
    pub(super) fn list_method(
        &mut self,
        e: &Expr,
        base: &Expr,
        list: &Type,
        attr: &str,
        args: &[Expr],
    ) -> R<Type> {
        let Type::List { item, typed } = list else {
            unreachable!("list_method of a non-list")
        };
        let arg_types = args.iter().map(|a| self.value(a)).collect::<R<Vec<_>>>()?;
        let arity = |min: usize, max: usize| -> R<()> {
            if (min..=max).contains(&args.len()) {
                return Ok(());
            }
            let message = format!(
                "list.{attr}() takes {} argument(s) ({} given)",
                if min == max {
                    min.to_string()
                } else {
                    format!("{min} to {max}")
                },
                args.len()
            );
            Err(Diagnostic::typing(message, e.span).into())
        };
        let int_arg = |i: usize| -> R<()> {
            match arg_types[i].as_scalar() {
                Some(s) if s.is_int() || s.is_bool() => Ok(()),
                _ => {
                    let message = format!("list indices must be integers, not {}", arg_types[i]);
                    Err(Diagnostic::typing(message, args[i].span).into())
                }
            }
        };
        // Adds items of type `added` to the list: widens the variable holding it.
        let add = |this: &mut Self, added: &Type, at: &Expr| -> R<()> {
            let widened = this.list_item_union(item, added, at)?;
            if widened == **item {
                return Ok(());
            }
            let widened_list = Type::List {
                item: Box::new(widened),
                typed: *typed,
            };
            match &base.kind {
                ExprKind::Name(name) if this.locals.contains(name) => {
                    this.assign_var(name, &widened_list, at.span)?;
                    Ok(())
                }
                _ if rules::can_convert(added, item) && **item != Type::Unknown => Ok(()),
                _ => {
                    let message = format!("cannot add a {added} to a {list}");
                    Err(Diagnostic::typing(message, at.span).into())
                }
            }
        };
        let item_known = || -> R<Type> {
            if **item == Type::Unknown {
                let message = "the item type of this empty list is not known yet";
                return Err(Stop::Pending(Diagnostic::typing(message, base.span)));
            }
            Ok((**item).clone())
        };
        match attr {
            "append" => {
                arity(1, 1)?;
                add(self, &arg_types[0], &args[0])?;
                Ok(Type::NoneType)
            }
            "insert" => {
                arity(2, 2)?;
                int_arg(0)?;
                add(self, &arg_types[1], &args[1])?;
                Ok(Type::NoneType)
            }
            "extend" => {
                arity(1, 1)?;
                let element = self.element_of(&arg_types[0], &args[0])?;
                add(self, &element, &args[0])?;
                Ok(Type::NoneType)
            }
            "pop" => {
                arity(0, 1)?;
                if !args.is_empty() {
                    int_arg(0)?;
                }
                item_known()
            }
            "sort" | "reverse" | "clear" => {
                arity(0, 0)?;
                if attr == "sort" && item.as_scalar().is_none_or(|s| s.is_complex()) {
                    let message = format!("sorting a {list} is not supported");
                    let hint = "only lists of real numbers can be sorted";
                    return Err(Diagnostic::unsupported(message, e.span)
                        .with_hint(hint)
                        .into());
                }
                Ok(Type::NoneType)
            }
            "copy" => {
                arity(0, 0)?;
                Ok(list.clone())
            }
            "index" | "count" => {
                arity(1, 1)?;
                let item = item_known()?;
                self.check_equality(&arg_types[0], &item, &args[0])?;
                Ok(Type::I64)
            }
            _ => {
                let message = format!("'{list}' object has no attribute '{attr}'");
                let hint = format!("lists support {}", LIST_METHODS.join(", "));
                Err(Diagnostic::typing(message, e.span).with_hint(hint).into())
            }
        }
    }

    /// `list[index]`: an item for an integer, a new list for a slice.
    pub(super) fn list_index(&mut self, list: &Type, index: &Expr) -> R<Type> {
        let item = list.list_item().expect("a list");
        if let ExprKind::Slice { lower, upper, step } = &index.kind {
            for part in [lower, upper, step].into_iter().flatten() {
                let ty = self.value(part)?;
                if !ty.as_scalar().is_some_and(|s| s.is_int() || s.is_bool()) {
                    let message = format!("slice indices must be integers, not {ty}");
                    return Err(Diagnostic::typing(message, part.span).into());
                }
            }
            return Ok(list.clone());
        }
        let ty = self.value(index)?;
        if !ty.as_scalar().is_some_and(|s| s.is_int() || s.is_bool()) {
            let message = format!("list indices must be integers or slices, not {ty}");
            return Err(Diagnostic::typing(message, index.span).into());
        }
        if *item == Type::Unknown {
            let message = "the item type of this empty list is not known yet";
            return Err(Stop::Pending(Diagnostic::typing(message, index.span)));
        }
        Ok(item.clone())
    }

    /// `needle in haystack` where `haystack` is a list or tuple: the items must compare with
    /// `==` to the needle.
    pub(super) fn membership(&mut self, needle: &Type, haystack: &Type, at: &Expr) -> R<()> {
        match haystack {
            Type::Dict { .. } | Type::Set { .. } => self.dict_membership(needle, haystack, at),
            Type::Str if *needle == Type::Str => Ok(()),
            Type::Str => {
                let message =
                    format!("'in <string>' requires string as left operand, not {needle}");
                Err(Diagnostic::typing(message, at.span).into())
            }
            Type::List { item, .. } if **item == Type::Unknown => Ok(()),
            Type::List { item, .. } => self.check_equality(needle, item, at),
            // Tuples search item by item; an item of another kind never matches.
            Type::Tuple(_) => Ok(()),
            other => {
                let message = format!("argument of type '{other}' is not iterable");
                Err(Diagnostic::typing(message, at.span).into())
            }
        }
    }

    /// That `a == b` is defined (numbers with numbers, tuples item-wise).
    fn check_equality(&self, a: &Type, b: &Type, at: &Expr) -> R<()> {
        let ok = match (a, b) {
            (Type::Scalar(_), Type::Scalar(_)) | (Type::Str, Type::Str) => true,
            (Type::Tuple(x), Type::Tuple(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|(x, y)| self.check_equality(x, y, at).is_ok())
            }
            _ => false,
        };
        if ok {
            return Ok(());
        }
        let message = format!("cannot compare {a} with the items ({b}) for `in`");
        Err(Diagnostic::typing(message, at.span).into())
    }
}

/// `list + list` (concatenation) and `list * int` / `int * list` (repetition); `None` when
/// neither operand is a list.
pub(super) fn list_binop_type(op: BinOp, l: &Type, r: &Type, span: Span) -> R<Option<Type>> {
    let is_int = |t: &Type| t.as_scalar().is_some_and(|s| s.is_int() || s.is_bool());
    let result = match (op, l, r) {
        (BinOp::Add, Type::List { .. }, Type::List { .. }) => rules::unify(l, r),
        (BinOp::Mult, Type::List { .. }, n) if is_int(n) => Some(l.clone()),
        (BinOp::Mult, n, Type::List { .. }) if is_int(n) => Some(r.clone()),
        (_, Type::List { .. }, _) | (_, _, Type::List { .. }) => None,
        _ => return Ok(None),
    };
    match result {
        Some(ty) => Ok(Some(ty)),
        None => {
            let message = format!(
                "unsupported operand type(s) for {}: '{l}' and '{r}'",
                op.symbol()
            );
            Err(Diagnostic::typing(message, span).into())
        }
    }
}

/// The types a list may hold: numbers, tuples of them, arrays and lists.
fn check_item(ty: &Type, at: &Expr) -> R<()> {
    let ok = match ty {
        Type::Scalar(_)
        | Type::Array { .. }
        | Type::List { .. }
        | Type::Unknown
        | Type::Str
        | Type::Instance { .. } => true,
        Type::Tuple(items) => items.iter().all(|t| check_item(t, at).is_ok()),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let message = format!("a list cannot hold a {ty}");
    let hint = "lists hold numbers, tuples, arrays, strings, jitclass instances or other lists";
    Err(Diagnostic::unsupported(message, at.span)
        .with_hint(hint)
        .into())
}
