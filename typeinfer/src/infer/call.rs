//! Typing of calls: casts (`int(x)`, `np.float32(x)`), intrinsics, and other jitted functions.
//!
//! The `Call` expression gets the call's [`Resolution`]; the callee expression gets
//! [`Resolution::Callee`] so lowering skips it.

use super::expr::{describe, unsupported_global};
use super::{Callable, Infer, R, Stop, Val, array_hint, callee_text, with_optional_hint};
use crate::rules;
use crate::types::{Scalar, Type};
use crate::{ArgSource, CalleeId, Intrinsic, Resolution};
use frontend::Diagnostic;
use frontend::ast::{Expr, ExprKind, Keyword};

impl Infer<'_> {
    pub(super) fn call(
        &mut self,
        e: &Expr,
        func: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> R<Val> {
        if let ExprKind::Attribute { value, attr } = &func.kind
            && attr == "conjugate"
            && let Val::Value(receiver) = self.expr(value)?
        {
            self.resolve(func.id, Resolution::Callee);
            return self.method_call(e, attr, &receiver, args);
        }
        if let ExprKind::Attribute { value, attr } = &func.kind
            && let Some(ty) = self.list_attribute_call(e, value, attr, args, keywords)?
        {
            self.resolve(func.id, Resolution::Callee);
            return Ok(Val::Value(ty));
        }
        if let ExprKind::Attribute { value, attr } = &func.kind
            && let Some(ty) = self.instance_method_call(e, func, value, attr, args, keywords)?
        {
            return Ok(Val::Value(ty));
        }
        if let ExprKind::Attribute { value, attr } = &func.kind
            && crate::ArrayFn::method(attr).is_none()
            && keywords.is_empty()
            && let Val::Value(receiver @ Type::Array { .. }) = self.expr(value)?
            && let Some(callee) = self.env.method_overload(&receiver, attr)
        {
            // An `@overload_method`: a jitted call with the receiver as first argument.
            self.resolve(func.id, Resolution::Callee);
            let mut with_receiver = vec![(**value).clone()];
            with_receiver.extend(args.iter().cloned());
            let ty = self.jit_call(e, func, callee, &with_receiver, &[], Vec::new())?;
            return Ok(Val::Value(ty));
        }
        let callable = match self.expr(func)? {
            Val::Callable(callable) => callable,
            // Calling a function value (a jitted function passed as an argument).
            Val::Value(Type::Function { id, name }) => match self.env.function_value(id) {
                Some(callee) => Callable::Jit(callee),
                None => {
                    let message = format!("the function '{name}' passed here is gone");
                    return Err(Diagnostic::typing(message, func.span).into());
                }
            },
            Val::Class { class, name } => self.constructor(class, &name, func.span)?,
            // A NumPy type passed as a value, called to convert (`dtype(x)`).
            Val::Value(Type::DType(s)) => Callable::Cast(s),
            Val::Unsupported { name, pytype } if pytype == "function" => {
                let message =
                    format!("cannot call '{name}': it is a Python function, not a jitted one");
                let d = Diagnostic::typing(message, func.span);
                return Err(d.with_hint("decorate it with @ferrojit.jit").into());
            }
            Val::Unsupported { name, pytype } if pytype == "builtin_function_or_method" => {
                let message = format!("the builtin '{name}' is not supported in jitted code");
                return Err(Diagnostic::unsupported(message, func.span).into());
            }
            Val::Unsupported { name, pytype } => {
                return Err(unsupported_global(&name, &pytype, func).into());
            }
            Val::UnknownNumpy(path) => {
                return Err(super::expr::unknown_numpy(&path, func.span).into());
            }
            Val::ExceptionClass(class) => {
                let message = format!("exception class '{class}' can only be used in a raise");
                let hint = format!("write `raise {class}(\"message\")`");
                return Err(Diagnostic::unsupported(message, e.span)
                    .with_hint(hint)
                    .into());
            }
            other => {
                let message = format!("{} is not callable", describe(&other));
                return Err(Diagnostic::typing(message, func.span).into());
            }
        };
        self.resolve(func.id, Resolution::Callee);
        if let Callable::Array(f) | Callable::Method(f) = callable {
            let receiver = match (&func.kind, callable) {
                (frontend::ast::ExprKind::Attribute { value, .. }, Callable::Method(_)) => {
                    Some(&**value)
                }
                _ => None,
            };
            let ty = self.numpy_call(e, f, receiver, args, keywords)?;
            return Ok(Val::Value(ty));
        }
        if let Callable::Jit(callee) | Callable::Inner(callee, _) = &callable {
            let captures = match &callable {
                Callable::Inner(_, captures) => captures.clone(),
                _ => Vec::new(),
            };
            let ty = self.jit_call(e, func, *callee, args, keywords, captures)?;
            return Ok(Val::Value(ty));
        }
        if let Some(keyword) = keywords.first() {
            let message = format!(
                "keyword arguments are not supported in calls to {}()",
                callee_text(func)
            );
            return Err(Diagnostic::unsupported(message, keyword.span).into());
        }
        let ty = match callable {
            Callable::DictClass { .. } | Callable::SetClass => {
                self.resolve(e.id, Resolution::NewDict);
                self.dict_or_set_constructor(e, &callable, args)?
            }
            Callable::StrClass => {
                self.resolve(e.id, Resolution::StrOf);
                self.str_call(e, args)?
            }
            Callable::CharCode(which) => {
                self.resolve(e.id, Resolution::CharCode(which.to_string()));
                self.char_code_call(e, which, args)?
            }
            Callable::ListClass { typed } => {
                self.resolve(e.id, Resolution::NewList);
                self.list_constructor(e, args, typed)?
            }
            Callable::Sorted => {
                self.resolve(e.id, Resolution::SortedList);
                self.sorted_call(e, args)?
            }
            Callable::Cast(target) => self.cast(e, func, target, args)?,
            Callable::NewObject { class, name } => self.new_object(e, class, &name)?,
            Callable::Intrinsic(intrinsic) => self.intrinsic_call(e, func, intrinsic, args)?,
            Callable::Array(_) | Callable::Method(_) | Callable::Jit(_) | Callable::Inner(..) => {
                unreachable!("handled above")
            }
        };
        Ok(Val::Value(ty))
    }

    /// A call of another jitted function (or of an inner function, with the variables it
    /// `captures` passed after the declared arguments). Arguments bind to its parameters as in
    /// CPython ([`super::bind`]); omitted ones take the callee's default values.
    pub(super) fn jit_call(
        &mut self,
        e: &Expr,
        func: &Expr,
        callee: CalleeId,
        args: &[Expr],
        keywords: &[Keyword],
        captures: Vec<String>,
    ) -> R<Type> {
        // An optional variable passes as an optional (the callee is compiled for it).
        let positional_types = args
            .iter()
            .map(|a| self.optional_value(a))
            .collect::<R<Vec<_>>>()?;
        let keyword_types = keywords
            .iter()
            .map(|k| self.optional_value(&k.value))
            .collect::<R<Vec<_>>>()?;
        let typing_error = |message: String| Stop::Error(Diagnostic::typing(message, e.span));
        let (callee, binding) = match self.env.callee_params(callee) {
            Some(mut params) => {
                params.truncate(params.len().saturating_sub(captures.len()));
                let names: Vec<&str> = keywords.iter().map(|k| k.name.as_str()).collect();
                let binding = super::bind::bind(&callee_text(func), &params, args.len(), &names)
                    .map_err(typing_error)?;
                let mut omitted: Vec<bool> = binding.iter().map(Option::is_none).collect();
                let callee = match omitted.iter().any(|&o| o) {
                    false => callee,
                    true => {
                        omitted.resize(omitted.len() + captures.len(), false);
                        self.env
                            .callee_with_defaults(callee, &omitted)
                            .ok_or_else(|| {
                                typing_error(format!(
                                    "{}() cannot take its default values here",
                                    callee_text(func)
                                ))
                            })?
                    }
                };
                (callee, binding.into_iter().flatten().collect::<Vec<_>>())
            }
            None => {
                if let Some(keyword) = keywords.first() {
                    let message = format!(
                        "keyword arguments are not supported in calls to {}()",
                        callee_text(func)
                    );
                    return Err(Diagnostic::unsupported(message, keyword.span).into());
                }
                if let Some(arity) = self.env.callee_arity(callee)
                    && arity != args.len() + captures.len()
                {
                    let expected = arity.saturating_sub(captures.len());
                    let plural = if expected == 1 { "" } else { "s" };
                    let message = format!(
                        "{}() takes {expected} argument{plural} but {} {} given",
                        callee_text(func),
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    );
                    return Err(Diagnostic::typing(message, e.span).into());
                }
                (callee, (0..args.len()).map(ArgSource::Positional).collect())
            }
        };
        let mut arg_types: Vec<Type> = binding
            .iter()
            .map(|source| match source {
                ArgSource::Positional(i) => positional_types[*i].clone(),
                ArgSource::Keyword(k) => keyword_types[*k].clone(),
                ArgSource::Packed(items) => {
                    Type::Tuple(items.iter().map(|&i| positional_types[i].clone()).collect())
                }
            })
            .collect();
        for name in &captures {
            arg_types.push(self.read_var(name, e.span)?);
        }
        let arg_types = self
            .env
            .callee_arg_types(callee, &arg_types)
            .map_err(typing_error)?;
        let ret = self
            .env
            .callee_return_type(callee, &arg_types)
            .map_err(|mut d| {
                // A diagnostic without a span has no better place than this call.
                d.span = d.span.or(Some(e.span));
                d
            })?;
        let Some(ret) = ret else {
            let message = format!(
                "cannot infer the return type of the recursive call of {}(): every return \
                 statement depends on it",
                callee_text(func)
            );
            let hint = "add a return that does not recurse (a base case), or give the function \
                        an explicit signature such as @jit('int64(int64)')";
            let waiting = Diagnostic::typing(message, e.span).with_hint(hint);
            self.waiting.get_or_insert(waiting.clone());
            return Err(Stop::Pending(waiting));
        };
        self.resolve(
            e.id,
            Resolution::JitCall {
                callee,
                arg_types,
                ret: ret.clone(),
                captures,
                binding,
            },
        );
        Ok(ret)
    }

    /// `int(x)`, `float(x)`, `complex(re[, im])`, `bool(x)`, `np.float32(x)`, ….
    fn cast(&mut self, e: &Expr, func: &Expr, target: Scalar, args: &[Expr]) -> R<Type> {
        let name = callee_text(func);
        let max_args = if target.is_complex() { 2 } else { 1 };
        if args.is_empty() || args.len() > max_args {
            let expected = if max_args == 2 {
                "1 or 2 arguments"
            } else {
                "exactly 1 argument"
            };
            let message = format!("{name}() takes {expected} ({} given)", args.len());
            return Err(Diagnostic::typing(message, e.span).into());
        }
        if let [arg] = args
            && !target.is_complex()
            && !target.is_bool()
            && self.value(arg)? == Type::Str
        {
            // `int(s)`, `float(s)`: parsed (`ValueError` when `s` is not a number).
            self.resolve(e.id, Resolution::Cast(target));
            return Ok(Type::Scalar(target));
        }
        for arg in args {
            let ty = self.value(arg)?;
            let scalar = match ty.as_scalar() {
                Some(s) => s,
                None => {
                    let message = format!("cannot convert {ty} with {name}()");
                    let d = Diagnostic::typing(message, arg.span);
                    return Err(with_optional_hint(d, array_hint(&[&ty])).into());
                }
            };
            let complex_ok = target.is_complex() && args.len() == 1 || target.is_bool();
            if scalar.is_complex() && !complex_ok {
                let message = format!("cannot convert {scalar} with {name}()");
                let d = Diagnostic::typing(message, arg.span);
                return Err(d
                    .with_hint("take the real part explicitly with `.real`")
                    .into());
            }
        }
        self.resolve(e.id, Resolution::Cast(target));
        Ok(Type::Scalar(target))
    }

    /// `x.conjugate()` on a number.
    fn method_call(&mut self, e: &Expr, attr: &str, receiver: &Type, args: &[Expr]) -> R<Val> {
        let scalar = match receiver.as_scalar() {
            Some(s) if args.is_empty() => s,
            Some(_) => {
                let message = format!("{attr}() takes no arguments ({} given)", args.len());
                return Err(Diagnostic::typing(message, e.span).into());
            }
            None => {
                let message = format!("'{receiver}' has no method '{attr}'");
                return Err(Diagnostic::typing(message, e.span).into());
            }
        };
        let typing = rules::intrinsic(Intrinsic::Conjugate, &[scalar])
            .map_err(|m| Diagnostic::typing(m, e.span))?;
        self.resolve(e.id, Resolution::Method(Intrinsic::Conjugate));
        Ok(Val::Value(Type::Scalar(typing.result)))
    }

    /// Calls whose arguments are not all numbers: `print`, `sum`, and `min`/`max` of one
    /// iterable. `None` for the others.
    fn iterable_call(
        &mut self,
        e: &Expr,
        name: &str,
        intrinsic: Intrinsic,
        args: &[Expr],
        arg_types: &[Type],
    ) -> Option<R<Type>> {
        let numeric_element = |this: &mut Self| -> R<Scalar> {
            let element = this.element_of(&arg_types[0], &args[0])?;
            match element.as_scalar() {
                Some(s) => Ok(s),
                None => {
                    let message =
                        format!("{name}() of elements of type {element} is not supported");
                    Err(Diagnostic::typing(message, args[0].span).into())
                }
            }
        };
        let result = match intrinsic {
            Intrinsic::Print => (|| {
                for (arg, ty) in args.iter().zip(arg_types) {
                    if !matches!(ty, Type::Scalar(_) | Type::Str) {
                        let message = format!("print() of a value of type {ty} is not supported");
                        let hint = "print numbers, bools and string literals";
                        return Err(Diagnostic::unsupported(message, arg.span)
                            .with_hint(hint)
                            .into());
                    }
                }
                Ok(Type::NoneType)
            })(),
            Intrinsic::Enumerate | Intrinsic::Zip => {
                let message = format!("{name}() is only supported as the iterable of a for loop");
                Err(Diagnostic::unsupported(message, e.span).into())
            }
            Intrinsic::Sum if (1..=2).contains(&args.len()) => (|| {
                let element = numeric_element(self)?;
                let start = match arg_types.get(1) {
                    None => Scalar::I64,
                    Some(Type::Scalar(s)) => *s,
                    Some(other) => {
                        let message = format!("sum() start must be a number, got {other}");
                        return Err(Diagnostic::typing(message, args[1].span).into());
                    }
                };
                // The accumulator's type: `start + element`, widened until it is stable.
                let mut acc = start;
                loop {
                    let next = rules::binop(frontend::ast::BinOp::Add, acc, element)
                        .map_err(|m| Diagnostic::typing(m, e.span))?
                        .result;
                    if next == acc {
                        return Ok(Type::Scalar(acc));
                    }
                    acc = next;
                }
            })(),
            Intrinsic::Sum => {
                let message = format!("{name}() takes 1 or 2 arguments ({} given)", args.len());
                Err(Diagnostic::typing(message, e.span).into())
            }
            Intrinsic::Min | Intrinsic::Max if args.len() == 1 => (|| {
                let element = numeric_element(self)?;
                if element.is_complex() {
                    let message = format!("{name}() cannot order complex numbers ('{element}')");
                    return Err(Diagnostic::typing(message, e.span).into());
                }
                Ok(Type::Scalar(element))
            })(),
            _ => return None,
        };
        if result.is_ok() {
            self.resolve(e.id, Resolution::Intrinsic(intrinsic));
        }
        Some(result)
    }

    fn intrinsic_call(
        &mut self,
        e: &Expr,
        func: &Expr,
        intrinsic: Intrinsic,
        args: &[Expr],
    ) -> R<Type> {
        if intrinsic == Intrinsic::Len
            && args.len() == 1
            && let Some(ty) = self.special_method_call(e, func, "__len__", args)?
        {
            return Ok(ty);
        }
        let arg_types = args.iter().map(|a| self.value(a)).collect::<R<Vec<_>>>()?;
        let name = callee_text(func);
        if intrinsic == Intrinsic::Len {
            let ty = match arg_types.as_slice() {
                [
                    Type::Array { .. }
                    | Type::Tuple(_)
                    | Type::Range
                    | Type::List { .. }
                    | Type::Dict { .. }
                    | Type::Set { .. }
                    | Type::Str,
                ] => Type::I64,
                [other] => {
                    let message = format!("object of type '{other}' has no len()");
                    return Err(Diagnostic::typing(message, args[0].span).into());
                }
                _ => {
                    let message =
                        format!("{name}() takes exactly 1 argument ({} given)", args.len());
                    return Err(Diagnostic::typing(message, e.span).into());
                }
            };
            self.resolve(e.id, Resolution::Intrinsic(intrinsic));
            return Ok(ty);
        }
        let reduction = matches!(intrinsic, Intrinsic::Min | Intrinsic::Max) && args.len() == 1;
        // NumPy's functions (and `abs`) map over arrays; `math`'s take numbers only.
        let maps_over_arrays = match &func.kind {
            frontend::ast::ExprKind::Attribute { value, .. } => matches!(
                self.resolutions.get(&value.id),
                Some(Resolution::Module(crate::ModuleKind::Numpy))
            ),
            _ => intrinsic == Intrinsic::Abs,
        };
        if crate::elementwise::any_array(&arg_types)
            && maps_over_arrays
            && !reduction
            && !matches!(intrinsic, Intrinsic::Range | Intrinsic::Prange)
        {
            // `np.sqrt(a)`, `np.maximum(a, 0.0)`, `abs(a)`: element-wise over arrays (`abs` of
            // an array is NumPy's `absolute`, as `ndarray.__abs__` calls it).
            let intrinsic = if intrinsic == Intrinsic::Abs {
                Intrinsic::Absolute
            } else {
                intrinsic
            };
            let scalars = crate::elementwise::operand_scalars(&arg_types).ok_or_else(|| {
                let message = format!("{name}() of these arguments is not supported");
                Diagnostic::typing(message, e.span)
            })?;
            let typing = rules::intrinsic(intrinsic, &scalars)
                .map_err(|m| Diagnostic::typing(m.replacen(intrinsic.name(), &name, 1), e.span))?;
            self.resolve(e.id, Resolution::Intrinsic(intrinsic));
            return Ok(crate::elementwise::result_type(typing.result, &arg_types));
        }
        if let Some(result) = self.iterable_call(e, &name, intrinsic, args, &arg_types) {
            return result;
        }
        let mut scalars = Vec::with_capacity(args.len());
        for (arg, ty) in args.iter().zip(&arg_types) {
            match ty.as_scalar() {
                Some(s) => scalars.push(s),
                None => {
                    let message = format!("{name}() argument must be a number, got {ty}");
                    let d = Diagnostic::typing(message, arg.span);
                    return Err(with_optional_hint(d, array_hint(&[ty])).into());
                }
            }
        }
        let typing = rules::intrinsic(intrinsic, &scalars)
            .map_err(|m| Diagnostic::typing(m.replacen(intrinsic.name(), &name, 1), e.span))?;
        self.resolve(e.id, Resolution::Intrinsic(intrinsic));
        Ok(rules::intrinsic_result_type(intrinsic, &typing))
    }
}
