//! Typing of expressions: names and globals, literals, operators, attributes.

use super::{Callable, Infer, R, Val, array_hint, module_name, with_optional_hint};
use crate::rules;
use crate::types::{Layout, Scalar, Type};
use crate::{ConstValue, GlobalValue, Intrinsic, ModuleKind, Resolution};
use frontend::ast::{BinOp, BoolOp, CmpOp, Expr, ExprKind, UnaryOp};
use frontend::{Diagnostic, Span};

/// Python builtins that are exception classes we can raise.
const EXCEPTION_NAMES: &[&str] = &[
    "Exception",
    "ValueError",
    "ZeroDivisionError",
    "IndexError",
    "AssertionError",
    "RuntimeError",
    "TypeError",
    "ArithmeticError",
    "OverflowError",
    "KeyError",
    "NotImplementedError",
];

/// Python builtins that exist but that jitted code cannot call.
const UNSUPPORTED_BUILTINS: &[&str] = &[
    "tuple",
    "map",
    "filter",
    "reversed",
    "isinstance",
    "any",
    "all",
    "open",
    "input",
    "iter",
    "next",
];

impl Infer<'_> {
    /// Types `e`, which must be a value.
    pub(super) fn value(&mut self, e: &Expr) -> R<Type> {
        match self.expr(e)? {
            Val::Value(ty) => Ok(ty),
            // A jitted function or a NumPy type used as a value (passed to a function, put in
            // a tuple): a value with no run-time content, typed by what it is.
            Val::Callable(Callable::Jit(callee)) => match self.env.function_identity(callee) {
                Some((id, name)) => {
                    let ty = Type::Function { id, name };
                    self.record(e.id, ty.clone());
                    Ok(ty)
                }
                None => Err(not_a_value(e, &Val::Callable(Callable::Jit(callee))).into()),
            },
            Val::Callable(Callable::Cast(s)) if !matches!(e.kind, ExprKind::Call { .. }) => {
                let ty = Type::DType(s);
                self.record(e.id, ty.clone());
                Ok(ty)
            }
            other => Err(not_a_value(e, &other).into()),
        }
    }

    /// Types `e` like [`Self::value`], except that a local optional variable keeps its
    /// optional type (the operand of `is None`, a returned or copied value, also as an item
    /// of a tuple there).
    pub(super) fn optional_value(&mut self, e: &Expr) -> R<Type> {
        if let ExprKind::Name(name) = &e.kind
            && self.locals.contains(name.as_str())
            && let Some(ty @ Type::Optional(_)) = self.var_types.get(name.as_str()).cloned()
        {
            self.record(e.id, ty.clone());
            return Ok(ty);
        }
        if let ExprKind::Tuple(items) = &e.kind {
            let items = items
                .iter()
                .map(|item| self.optional_value(item))
                .collect::<R<Vec<_>>>()?;
            let ty = Type::Tuple(items);
            self.record(e.id, ty.clone());
            return Ok(ty);
        }
        self.value(e)
    }

    /// Types `e`, which must be a number or bool (a condition, an operand).
    pub(super) fn condition(&mut self, e: &Expr) -> R<Scalar> {
        let ty = self.value(e)?;
        match ty.as_scalar() {
            Some(s) => Ok(s),
            None => {
                let message = format!("cannot use a value of type {ty} as a condition");
                let hint = ty
                    .is_array()
                    .then_some("compare explicitly, e.g. `a.size > 0`");
                Err(with_optional_hint(Diagnostic::typing(message, e.span), hint).into())
            }
        }
    }

    /// Types `e`, recording the type of values.
    pub(super) fn expr(&mut self, e: &Expr) -> R<Val> {
        let val = self.expr_kind(e)?;
        if let Val::Value(ty) = &val {
            self.record(e.id, ty.clone());
        }
        Ok(val)
    }

    fn expr_kind(&mut self, e: &Expr) -> R<Val> {
        let ty = match &e.kind {
            ExprKind::Name(name) => return self.name(e, name),
            ExprKind::Int(v) => int_literal(*v, e)?,
            ExprKind::Float(_) => Type::F64,
            ExprKind::Imag(_) => Type::C128,
            ExprKind::Bool(_) => Type::BOOL,
            ExprKind::NoneLit => Type::NoneType,
            ExprKind::Ellipsis => {
                let message = "`...` is only supported in an array index (`a[..., i]`)";
                return Err(Diagnostic::unsupported(message, e.span).into());
            }
            ExprKind::Str(_) => Type::Str,
            ExprKind::FString(parts) => {
                self.fstring(parts)?;
                Type::Str
            }
            ExprKind::BinOp { op, left, right } => {
                let (l, r) = (self.value(left)?, self.value(right)?);
                binop_type(*op, &l, &r, e.span)?
            }
            ExprKind::UnaryOp { op, operand } => self.unaryop(e, *op, operand)?,
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => self.compare(left, ops, comparators)?,
            ExprKind::BoolOp { op, values } => self.boolop(*op, values)?,
            ExprKind::IfExp { test, body, orelse } => {
                self.condition(test)?;
                let (b, o) = (self.value(body)?, self.value(orelse)?);
                rules::unify(&b, &o).ok_or_else(|| {
                    let message = format!(
                        "the branches of the conditional expression have incompatible types \
                         {b} and {o}"
                    );
                    Diagnostic::typing(message, e.span)
                })?
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                let args = self.spread_args(args)?;
                return self.call(e, func, &args, keywords);
            }
            ExprKind::Starred(_) => {
                let message = "`*` unpacking is only supported as a call argument";
                return Err(Diagnostic::unsupported(message, e.span).into());
            }
            ExprKind::Attribute { value, attr } => return self.attribute(e, value, attr),
            ExprKind::Subscript { value, index } => {
                let args = [(**value).clone(), (**index).clone()];
                match self.special_method_call(e, value, "__getitem__", &args)? {
                    Some(ty) => ty,
                    None => self.subscript(value, index)?,
                }
            }
            ExprKind::Tuple(items) => {
                Type::Tuple(items.iter().map(|i| self.value(i)).collect::<R<_>>()?)
            }
            ExprKind::List(items) => self.list_literal(items)?,
            ExprKind::Dict { keys, values } => self.dict_literal(keys, values)?,
            ExprKind::Set(items) => self.set_literal(items)?,
            ExprKind::ListComp {
                elt,
                generators,
                kind,
                value,
            } => self.list_comp(elt, generators, *kind, value.as_deref())?,
            ExprKind::Slice { .. } => {
                let message = "a slice is only allowed inside [...]";
                return Err(Diagnostic::unsupported(message, e.span).into());
            }
        };
        Ok(Val::Value(ty))
    }

    fn name(&mut self, e: &Expr, name: &str) -> R<Val> {
        if self.locals.contains(name) {
            // An optional variable read as a value is its number (the lowering checks at run
            // time that it is not None); `is None` tests, returns and plain copies read the
            // optional itself (`optional_value`).
            return Ok(Val::Value(match self.read_var(name, e.span)? {
                Type::Optional(inner) => *inner,
                ty => ty,
            }));
        }
        if let Some((callee, captures)) = self.env.inner_function(name) {
            return Ok(Val::Callable(Callable::Inner(callee, captures)));
        }
        if self.func.inner_functions.iter().any(|f| f.name == name) {
            let message = format!("calling the inner function '{name}' is not supported here");
            let hint = "move it to module level and decorate it with @ferrojit.jit";
            return Err(Diagnostic::unsupported(message, e.span)
                .with_hint(hint)
                .into());
        }
        let Some(global) = self.env.lookup_global(name) else {
            return builtin(name).ok_or_else(|| {
                Diagnostic::typing(format!("name '{name}' is not defined"), e.span).into()
            });
        };
        Ok(self.global_val(e, name, global))
    }

    /// What global `name` (maybe dotted: `config.THRESHOLD`), read by `e`, denotes.
    fn global_val(&mut self, e: &Expr, name: &str, global: GlobalValue) -> Val {
        match global {
            GlobalValue::Const(c) => {
                let ty = c.ty();
                self.resolve(e.id, Resolution::Const(c));
                Val::Value(ty)
            }
            GlobalValue::Module(m) => {
                self.resolve(e.id, Resolution::Module(m));
                Val::Module(m)
            }
            GlobalValue::Intrinsic(i) => Val::Callable(Callable::Intrinsic(i)),
            GlobalValue::Jit(callee) => Val::Callable(Callable::Jit(callee)),
            GlobalValue::ExceptionClass(class) => Val::ExceptionClass(class),
            GlobalValue::Dtype(s) => Val::Callable(Callable::Cast(s)),
            GlobalValue::TypedList => Val::Callable(Callable::ListClass { typed: true }),
            GlobalValue::TypedDict => Val::Callable(Callable::DictClass { typed: true }),
            GlobalValue::Unsupported(pytype) => Val::Unsupported {
                name: name.into(),
                pytype,
            },
            GlobalValue::PyModule(path) => Val::PyModule(path),
            GlobalValue::JitClass { class, name } => {
                // Not a value: the callee of a constructor, or the base of a static method.
                self.resolve(e.id, Resolution::Callee);
                Val::Class { class, name }
            }
            GlobalValue::NewObject { class, name } => {
                Val::Callable(Callable::NewObject { class, name })
            }
        }
    }

    fn unaryop(&mut self, e: &Expr, op: UnaryOp, operand: &Expr) -> R<Type> {
        let ty = self.value(operand)?;
        let symbol = match op {
            UnaryOp::Neg => "-",
            UnaryOp::Pos => "+",
            UnaryOp::Not => "not",
            UnaryOp::Invert => "~",
        };
        let result = match (ty.as_scalar(), &ty) {
            // NumPy's `~` of a bool array is the logical not (bool), not Python's int `~True`.
            (None, Type::Array { dtype, .. }) if op == UnaryOp::Invert && dtype.is_bool() => Ok(
                crate::elementwise::result_type(Scalar::Bool, std::slice::from_ref(&ty)),
            ),
            (None, Type::Array { dtype, .. }) => rules::unaryop(op, *dtype)
                .map(|t| crate::elementwise::result_type(t.result, std::slice::from_ref(&ty))),
            (Some(s), _) => rules::unaryop(op, s).map(|t| Type::Scalar(t.result)),
            (None, _) => Err(format!("bad operand type for unary {symbol}: '{ty}'")),
        };
        result.map_err(|m| {
            with_optional_hint(Diagnostic::typing(m, e.span), array_hint(&[&ty])).into()
        })
    }

    fn compare(&mut self, left: &Expr, ops: &[CmpOp], comparators: &[Expr]) -> R<Type> {
        let identity = |op: &CmpOp| matches!(op, CmpOp::Is | CmpOp::IsNot);
        let left_ty = match ops.first().is_some_and(identity) {
            true => self.optional_value(left)?,
            false => self.value(left)?,
        };
        let mut lhs = (left, left_ty);
        if ops.iter().any(|op| matches!(op, CmpOp::In | CmpOp::NotIn)) {
            let ([_], [right]) = (ops, comparators) else {
                let message = "`in` / `not in` in a chained comparison is not supported";
                return Err(Diagnostic::unsupported(message, left.span).into());
            };
            let haystack = self.value(right)?;
            self.membership(&lhs.1, &haystack, right)?;
            return Ok(Type::BOOL);
        }
        if let ([op], [right]) = (ops, comparators) {
            let rt = self.value(right)?;
            let operands = [lhs.1.clone(), rt];
            let identity = matches!(op, CmpOp::Is | CmpOp::IsNot);
            if crate::elementwise::any_array(&operands) && !identity {
                let span = left.span.to(right.span);
                return match crate::elementwise::operand_scalars(&operands).as_deref() {
                    Some([a, b]) if !matches!(op, CmpOp::Is | CmpOp::IsNot) => {
                        rules::compare(*op, *a, *b)
                            .map(|_| crate::elementwise::result_type(Scalar::Bool, &operands))
                            .map_err(|m| Diagnostic::typing(m, span).into())
                    }
                    _ => {
                        let message = format!(
                            "'{}' not supported between instances of '{}' and '{}'",
                            op.symbol(),
                            operands[0],
                            operands[1]
                        );
                        Err(Diagnostic::typing(message, span).into())
                    }
                };
            }
        }
        for (op, right) in ops.iter().zip(comparators) {
            let right_ty = match identity(op) {
                true => self.optional_value(right)?,
                false => self.value(right)?,
            };
            let rhs = (right, right_ty);
            let (lt, rt) = (&lhs.1, &rhs.1);
            let span = lhs.0.span.to(right.span);
            let is_identity = matches!(op, CmpOp::Is | CmpOp::IsNot);
            let result = match (lt.as_scalar(), rt.as_scalar()) {
                _ if matches!(op, CmpOp::In | CmpOp::NotIn) => membership(lt, rt),
                _ if is_identity && (*lt == Type::NoneType || *rt == Type::NoneType) => Ok(()),
                _ if !is_identity && *lt == Type::Str && *rt == Type::Str => Ok(()),
                (Some(a), Some(b)) => rules::compare(*op, a, b).map(|_| ()),
                _ if !is_identity && let (Type::Tuple(a), Type::Tuple(b)) = (lt, rt) => {
                    compare_tuples(*op, a, b)
                }
                _ => Err(format!(
                    "'{}' not supported between instances of '{lt}' and '{rt}'",
                    op.symbol()
                )),
            };
            if let Err(m) = result {
                let hint = array_hint(&[lt, rt]);
                return Err(with_optional_hint(Diagnostic::typing(m, span), hint).into());
            }
            lhs = rhs;
        }
        Ok(Type::BOOL)
    }

    fn boolop(&mut self, op: BoolOp, values: &[Expr]) -> R<Type> {
        let word = match op {
            BoolOp::And => "and",
            BoolOp::Or => "or",
        };
        let mut result: Option<Type> = None;
        for value in values {
            let ty = Type::Scalar(self.condition(value)?);
            result = Some(match result {
                None => ty,
                Some(prev) => rules::unify(&prev, &ty).ok_or_else(|| {
                    let message =
                        format!("operands of '{word}' have incompatible types {prev} and {ty}");
                    Diagnostic::typing(message, value.span)
                })?,
            });
        }
        result.ok_or_else(|| Diagnostic::internal(format!("'{word}' without operands")).into())
    }

    fn attribute(&mut self, e: &Expr, base: &Expr, attr: &str) -> R<Val> {
        // `np.iinfo(t).max`, `np.finfo(t).eps`: constants (`numpy_shape.rs`).
        if let Some(ty) = self.machine_limit(e, base, attr)? {
            return Ok(Val::Value(ty));
        }
        match self.expr(base)? {
            Val::Module(module) => self.module_attribute(e, module, attr),
            Val::PyModule(path) => {
                let full = format!("{path}.{attr}");
                match self.env.lookup_global(&full) {
                    Some(global) => Ok(self.global_val(e, &full, global)),
                    None => {
                        let message = format!("module '{path}' has no attribute '{attr}'");
                        Err(Diagnostic::typing(message, e.span).into())
                    }
                }
            }
            Val::Value(Type::Array { .. }) if crate::ArrayFn::method(attr).is_some() => {
                let f = crate::ArrayFn::method(attr).expect("checked");
                Ok(Val::Callable(Callable::Method(f)))
            }
            Val::Value(Type::Array { dtype, .. }) if attr == "dtype" => {
                Ok(Val::Callable(Callable::Cast(dtype)))
            }
            Val::Callable(Callable::Cast(dtype))
                if matches!(attr, "kind" | "name" | "itemsize") =>
            {
                Ok(Val::Value(self.dtype_attribute(e, dtype, attr)?))
            }
            Val::Value(ty) if super::classes::instance_of(&ty).is_some() => {
                let (class, name) = super::classes::instance_of(&ty).expect("checked");
                self.instance_attribute(e, base, class, &name, attr)
            }
            Val::Class { class, name } => self.class_attribute(e, class, &name, attr),
            Val::Value(Type::Generator) => {
                match crate::random_generator::GenMethod::from_name(attr) {
                    Some(m) => Ok(Val::Callable(Callable::Method(crate::ArrayFn::Generator(
                        m,
                    )))),
                    None => {
                        let supported: Vec<&str> = crate::random_generator::GenMethod::ALL
                            .iter()
                            .map(|m| m.name())
                            .collect();
                        let message = format!(
                            "np.random.Generator.{attr}() is not supported in compiled code \
                             (supported: {})",
                            supported.join(", ")
                        );
                        Err(Diagnostic::unsupported(message, e.span).into())
                    }
                }
            }
            Val::Value(ty) => match self.value_attribute(e, &ty, attr) {
                Ok(ty) => Ok(Val::Value(ty)),
                // `sys.float_info.epsilon`: a path into a module whose objects along the way
                // are not values with that attribute here; the whole path is a global.
                Err(error) => match self.module_path_global(e) {
                    Some(val) => Ok(val),
                    None => Err(error),
                },
            },
            Val::UnknownNumpy(path) if path == "numpy.linalg" => {
                match crate::ArrayFn::linalg_function(attr) {
                    Some(f) => Ok(Val::Callable(Callable::Array(f))),
                    None => Ok(Val::UnknownNumpy(format!("{path}.{attr}"))),
                }
            }
            Val::UnknownNumpy(path) if path == "numpy.random" => {
                match crate::ArrayFn::random_function(attr) {
                    Some(f) => Ok(Val::Callable(Callable::Array(f))),
                    None => Ok(Val::UnknownNumpy(format!("{path}.{attr}"))),
                }
            }
            Val::UnknownNumpy(path) => Ok(Val::UnknownNumpy(format!("{path}.{attr}"))),
            other => {
                let message = format!("unknown attribute '{attr}' of {}", describe(&other));
                Err(Diagnostic::typing(message, e.span).into())
            }
        }
    }

    /// The values of an f-string: numbers and bools (not complex), formatted as `str()` does
    /// or with a `.Nf` / `d` spec.
    fn fstring(&mut self, parts: &[frontend::ast::FStringPart]) -> R<()> {
        for part in parts {
            let frontend::ast::FStringPart::Value { value, spec } = part else {
                continue;
            };
            let ty = self.value(value)?;
            let ok = match ty.as_scalar() {
                Some(s) if s.is_complex() => false,
                Some(s) => match spec.as_deref() {
                    None | Some("") => true,
                    Some("d") => s.is_int() || s.is_bool(),
                    Some(spec) => rules::fixed_precision(spec).is_some() && !s.is_bool(),
                },
                // Strings too (`f"{name}"`), without a spec.
                None => ty == Type::Str && spec.as_deref().is_none_or(str::is_empty),
            };
            if !ok {
                let shown = spec
                    .as_deref()
                    .map_or(String::new(), |s| format!(" with spec '{s}'"));
                let message = format!("an f-string value of type {ty}{shown} is not supported");
                let hint = "f-strings format numbers and bools (with no spec, `d` or `.Nf`) \
                            and strings";
                return Err(Diagnostic::unsupported(message, value.span)
                    .with_hint(hint)
                    .into());
            }
        }
        Ok(())
    }

    /// `e` (`a.b.c`) looked up whole when `a` is a module global.
    fn module_path_global(&mut self, e: &Expr) -> Option<Val> {
        let path = dotted_path(e)?;
        let root = path.split('.').next()?;
        if self.locals.contains(root)
            || !matches!(self.env.lookup_global(root), Some(GlobalValue::PyModule(_)))
        {
            return None;
        }
        let global = self.env.lookup_global(&path)?;
        Some(self.global_val(e, &path, global))
    }

    fn module_attribute(&mut self, e: &Expr, module: ModuleKind, attr: &str) -> R<Val> {
        let constant = match (module, attr) {
            (ModuleKind::Math | ModuleKind::Cmath | ModuleKind::Numpy, "pi") => {
                Some(std::f64::consts::PI)
            }
            (ModuleKind::Math | ModuleKind::Cmath | ModuleKind::Numpy, "e") => {
                Some(std::f64::consts::E)
            }
            (ModuleKind::Math | ModuleKind::Cmath | ModuleKind::Numpy, "inf") => {
                Some(f64::INFINITY)
            }
            (ModuleKind::Math | ModuleKind::Cmath | ModuleKind::Numpy, "nan") => Some(f64::NAN),
            (ModuleKind::Math | ModuleKind::Cmath, "tau") => Some(std::f64::consts::TAU),
            (ModuleKind::Numpy, "euler_gamma") => Some(EULER_GAMMA),
            _ => None,
        };
        if let Some(value) = constant {
            self.resolve(e.id, Resolution::Const(ConstValue::Float(value)));
            return Ok(Val::Value(Type::F64));
        }
        if module == ModuleKind::Numpy
            && let Some(dtype) = numpy_dtype(attr)
        {
            return Ok(Val::Callable(Callable::Cast(dtype)));
        }
        if module == ModuleKind::Numpy
            && let Some(f) = crate::ArrayFn::function(attr)
        {
            return Ok(Val::Callable(Callable::Array(f)));
        }
        if module == ModuleKind::Random
            && let Some(f) = crate::ArrayFn::python_random_function(attr)
        {
            return Ok(Val::Callable(Callable::Array(f)));
        }
        match Intrinsic::lookup(Some(module), attr) {
            Some(intrinsic) => Ok(Val::Callable(Callable::Intrinsic(intrinsic))),
            // Reported where it is used, with the whole dotted name (`numpy.linalg.svd`).
            None if module == ModuleKind::Numpy => Ok(Val::UnknownNumpy(format!("numpy.{attr}"))),
            // `numba.literal_unroll`, `ferrojit.extending`'s jitable functions: what the
            // module's attribute is in Python (`numba.literal_unroll` is a jitable function).
            None if module == ModuleKind::Ferrojit
                && let Some(path) = dotted_path(e)
                && let Some(global) = self.env.lookup_global(&path) =>
            {
                Ok(self.global_val(e, &path, global))
            }
            None => {
                let message = format!(
                    "unknown attribute '{attr}' of module '{}'",
                    module_name(module)
                );
                let known = |name: &str| module_knows(module, name);
                let hint = did_you_mean(attr, known)
                    .map(|name| format!("did you mean '{}.{name}'?", module_name(module)));
                let d = Diagnostic::typing(message, e.span);
                Err(with_optional_hint(d, hint.as_deref()).into())
            }
        }
    }

    fn value_attribute(&mut self, e: &Expr, ty: &Type, attr: &str) -> R<Type> {
        match (ty, attr) {
            (Type::Array { ndim, .. }, "shape") => {
                return Ok(Type::Tuple(vec![Type::I64; usize::from(*ndim)]));
            }
            (Type::Array { .. }, "size") => return Ok(Type::I64),
            (
                Type::Array {
                    dtype,
                    ndim,
                    layout,
                    readonly,
                },
                "T",
            ) => {
                let layout = match layout {
                    Layout::C if *ndim > 1 => Layout::F,
                    Layout::F if *ndim > 1 => Layout::C,
                    other => *other,
                };
                return Ok(Type::array(*dtype, *ndim, layout).with_readonly(*readonly));
            }
            (
                Type::Array {
                    dtype,
                    ndim,
                    layout,
                    readonly,
                },
                "real" | "imag",
            ) => {
                // A complex array's parts are strided views; a real array's `.real` is itself
                // and its `.imag` a new array of zeros.
                let layout = if dtype.is_complex() {
                    Layout::A
                } else {
                    *layout
                };
                let layout = if attr == "imag" && !dtype.is_complex() {
                    Layout::C
                } else {
                    layout
                };
                // Views keep the read-only mark; a real array's `.imag` is new memory.
                let view = dtype.is_complex() || attr == "real";
                let part = Type::array(dtype.real_part(), *ndim, layout);
                return Ok(part.with_readonly(*readonly && view));
            }
            (Type::Array { ndim, .. }, "ndim") => {
                self.resolve(e.id, Resolution::Const(ConstValue::Int(i64::from(*ndim))));
                return Ok(Type::I64);
            }
            (Type::Scalar(s), "real" | "imag") => {
                let part = if s.is_bool() {
                    Scalar::I64
                } else {
                    s.real_part()
                };
                return Ok(Type::Scalar(part));
            }
            _ => {}
        }
        let message = format!("unknown attribute '{attr}' of {ty}");
        let known = |name: &str| VALUE_ATTRIBUTES.contains(&name);
        let hint = did_you_mean(attr, known).map(|name| format!("did you mean '.{name}'?"));
        let d = Diagnostic::typing(message, e.span);
        Err(with_optional_hint(d, hint.as_deref()).into())
    }
}

/// Attributes of values that some type supports, for "did you mean" hints.
const VALUE_ATTRIBUTES: &[&str] = &[
    "shape",
    "size",
    "ndim",
    "real",
    "imag",
    "dtype",
    "T",
    "sum",
    "copy",
    "fill",
    "reshape",
    "prod",
    "min",
    "max",
    "mean",
    "std",
    "var",
    "argmin",
    "argmax",
    "cumsum",
    "cumprod",
    "dot",
    "ravel",
    "flatten",
    "sort",
    "argsort",
    "argpartition",
    "searchsorted",
    "nonzero",
];

/// `np.euler_gamma`, the Euler-Mascheroni constant (NumPy's value, to the last bit).
const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// Whether `module.name` means something to the typer (a constant, dtype or function).
fn module_knows(module: ModuleKind, name: &str) -> bool {
    matches!(name, "pi" | "e" | "inf" | "nan" | "tau")
        || (module == ModuleKind::Numpy && name == "euler_gamma")
        || Intrinsic::lookup(Some(module), name).is_some()
        || (module == ModuleKind::Numpy && numpy_dtype(name).is_some())
        || (module == ModuleKind::Numpy && crate::ArrayFn::function(name).is_some())
        || (module == ModuleKind::Random && crate::ArrayFn::python_random_function(name).is_some())
}

/// A known name one edit (insertion, deletion, substitution, transposition, or case) away
/// from `word`, for "did you mean" hints.
pub(super) fn did_you_mean(word: &str, known: impl Fn(&str) -> bool) -> Option<String> {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyz0123456789_";
    let chars: Vec<char> = word.chars().collect();
    let mut candidates = vec![word.to_lowercase()];
    for i in 0..=chars.len() {
        let (head, tail) = (&chars[..i], &chars[i..]);
        let text = |parts: &[&[char]]| parts.concat().into_iter().collect::<String>();
        if !tail.is_empty() {
            candidates.push(text(&[head, &tail[1..]]));
        }
        if tail.len() >= 2 {
            candidates.push(text(&[head, &[tail[1], tail[0]], &tail[2..]]));
        }
        for c in LETTERS.chars() {
            candidates.push(text(&[head, &[c], tail]));
            if !tail.is_empty() {
                candidates.push(text(&[head, &[c], &tail[1..]]));
            }
        }
    }
    candidates
        .into_iter()
        .find(|candidate| candidate != word && known(candidate))
}

/// Tuples compare element by element (lexicographically for orderings); each pair of elements
/// that may be compared must support the operator.
/// `x in container` / `x not in container`: a tuple is searched item by item with `==`; an
/// item that cannot equal `x` (a tuple where `x` is a number) counts as different.
fn membership(item: &Type, container: &Type) -> Result<(), String> {
    let Type::Tuple(items) = container else {
        return Err(format!(
            "'in' is not supported for a container of type '{container}'"
        ));
    };
    for candidate in items {
        match (item, candidate) {
            (Type::Scalar(a), Type::Scalar(b)) => {
                rules::compare(CmpOp::Eq, *a, *b)?;
            }
            (Type::Tuple(a), Type::Tuple(b)) => compare_tuples(CmpOp::Eq, a, b)?,
            (Type::Scalar(_) | Type::Tuple(_), Type::Scalar(_) | Type::Tuple(_)) => {}
            _ => {
                return Err(format!(
                    "'in' cannot compare '{item}' with an item of type '{candidate}'"
                ));
            }
        }
    }
    Ok(())
}

fn compare_tuples(op: CmpOp, a: &[Type], b: &[Type]) -> Result<(), String> {
    for (x, y) in a.iter().zip(b) {
        match (x, y) {
            (Type::Scalar(x), Type::Scalar(y)) => {
                rules::compare(op, *x, *y)?;
            }
            (Type::Tuple(x), Type::Tuple(y)) => compare_tuples(op, x, y)?,
            _ => {
                return Err(format!(
                    "'{}' not supported between tuple elements of types '{x}' and '{y}'",
                    op.symbol()
                ));
            }
        }
    }
    Ok(())
}

/// Typing of `l op r` (also of `target op= value`), with errors at `span`.
pub(super) fn binop_type(op: BinOp, l: &Type, r: &Type, span: Span) -> R<Type> {
    if op == BinOp::MatMult {
        return super::numpy_call::dot_type(l, r).map_err(|m| Diagnostic::typing(m, span).into());
    }
    if let Some(ty) = super::lists::list_binop_type(op, l, r, span)? {
        return Ok(ty);
    }
    if let Some(ty) = super::dicts::set_binop_type(op, l, r, span)? {
        return Ok(ty);
    }
    if let (BinOp::Add, Type::Str, Type::Str) = (op, l, r) {
        return Ok(Type::Str);
    }
    let operands = [l.clone(), r.clone()];
    if crate::elementwise::any_array(&operands) {
        let result = match crate::elementwise::operand_scalars(&operands).as_deref() {
            Some([a, b]) => rules::binop(op, *a, *b)
                .map(|t| crate::elementwise::result_type(t.result, &operands)),
            _ => Err(format!(
                "unsupported operand type(s) for {}: '{l}' and '{r}'",
                op.symbol()
            )),
        };
        return result.map_err(|m| Diagnostic::typing(m, span).into());
    }
    if let (BinOp::Add, Type::Tuple(a), Type::Tuple(b)) = (op, l, r) {
        return Ok(Type::Tuple(a.iter().chain(b).cloned().collect()));
    }
    let result = match (l.as_scalar(), r.as_scalar()) {
        (Some(a), Some(b)) => rules::binop(op, a, b).map(|t| Type::Scalar(t.result)),
        _ => Err(format!(
            "unsupported operand type(s) for {}: '{l}' and '{r}'",
            op.symbol()
        )),
    };
    let hint = match (l, r) {
        (Type::Str, _) | (_, Type::Str) => {
            Some("strings join only with strings: convert numbers with str(x), or use an f-string")
        }
        _ => array_hint(&[l, r]),
    };
    result.map_err(|m| with_optional_hint(Diagnostic::typing(m, span), hint).into())
}

fn int_literal(value: i128, e: &Expr) -> Result<Type, Diagnostic> {
    if i64::try_from(value).is_ok() {
        Ok(Type::I64)
    } else if u64::try_from(value).is_ok() {
        Ok(Type::Scalar(Scalar::U64))
    } else {
        Err(Diagnostic::typing(
            format!("integer literal {value} does not fit in 64 bits"),
            e.span,
        ))
    }
}

/// A NumPy attribute naming a scalar type (`np.float32`, `np.int_`), not Numba's short names.
fn numpy_dtype(attr: &str) -> Option<Scalar> {
    let dtype = Scalar::from_name(attr)?;
    (attr != dtype.short_name() || attr == dtype.numpy_name()).then_some(dtype)
}

/// What a Python builtin name refers to, when the environment does not define it.
fn builtin(name: &str) -> Option<Val> {
    if let Some(intrinsic) = Intrinsic::lookup(None, name) {
        return Some(Val::Callable(Callable::Intrinsic(intrinsic)));
    }
    let cast = match name {
        "int" => Some(Scalar::I64),
        "float" => Some(Scalar::F64),
        "complex" => Some(Scalar::C128),
        "bool" => Some(Scalar::Bool),
        _ => None,
    };
    if let Some(scalar) = cast {
        return Some(Val::Callable(Callable::Cast(scalar)));
    }
    if EXCEPTION_NAMES.contains(&name) {
        return Some(Val::ExceptionClass(name.to_string()));
    }
    if name == "list" {
        return Some(Val::Callable(Callable::ListClass { typed: false }));
    }
    if name == "str" {
        return Some(Val::Callable(Callable::StrClass));
    }
    if let Some(which) = ["ord", "chr"].into_iter().find(|&n| n == name) {
        return Some(Val::Callable(Callable::CharCode(which)));
    }
    if name == "dict" {
        return Some(Val::Callable(Callable::DictClass { typed: false }));
    }
    if name == "set" {
        return Some(Val::Callable(Callable::SetClass));
    }
    if name == "sorted" {
        return Some(Val::Callable(Callable::Sorted));
    }
    UNSUPPORTED_BUILTINS
        .contains(&name)
        .then(|| Val::Unsupported {
            name: name.to_string(),
            pytype: "builtin_function_or_method".to_string(),
        })
}

/// `a.b.c` for a chain of attributes on a name.
fn dotted_path(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(name) => Some(name.clone()),
        ExprKind::Attribute { value, attr } => Some(format!("{}.{attr}", dotted_path(value)?)),
        _ => None,
    }
}

/// A phrase naming a non-value, for messages.
pub(super) fn describe(val: &Val) -> String {
    match val {
        Val::Value(ty) => ty.to_string(),
        Val::Module(m) => format!("module '{}'", module_name(*m)),
        Val::PyModule(path) => format!("module '{path}'"),
        Val::Callable(Callable::Intrinsic(i)) => format!("function '{}'", i.name()),
        Val::Callable(Callable::Cast(s)) => format!("type '{s}'"),
        Val::Callable(Callable::Jit(_)) => "a jitted function".to_string(),
        Val::Callable(Callable::Array(f)) => format!("function 'numpy.{}'", f.name()),
        Val::Callable(Callable::Method(f)) => format!("method '{}' of an array", f.name()),
        Val::Callable(Callable::Inner(..)) => "an inner function".to_string(),
        Val::Callable(Callable::ListClass { typed: false }) => "type 'list'".to_string(),
        Val::Callable(Callable::ListClass { typed: true }) => "class 'List'".to_string(),
        Val::Callable(Callable::StrClass) => "type 'str'".to_string(),
        Val::Callable(Callable::CharCode(name)) => format!("function '{name}'"),
        Val::Callable(Callable::DictClass { typed: false }) => "type 'dict'".to_string(),
        Val::Callable(Callable::DictClass { typed: true }) => "class 'Dict'".to_string(),
        Val::Callable(Callable::SetClass) => "type 'set'".to_string(),
        Val::Callable(Callable::Sorted) => "function 'sorted'".to_string(),
        Val::ExceptionClass(class) => format!("exception class '{class}'"),
        Val::Unsupported { name, pytype } => format!("'{name}' (a Python {pytype})"),
        Val::UnknownNumpy(path) => path.clone(),
        Val::Class { name, .. } => format!("jitclass '{name}'"),
        Val::Callable(Callable::NewObject { name, .. }) => format!("the allocator of '{name}'"),
    }
}

/// The error for using a NumPy function or attribute the typer does not know.
pub(super) fn unknown_numpy(path: &str, span: frontend::Span) -> Diagnostic {
    let message = format!("{path} is not supported by ferrojit");
    let attr = path.strip_prefix("numpy.").unwrap_or(path);
    let hint = did_you_mean(attr, |name| module_knows(ModuleKind::Numpy, name))
        .map(|name| format!("did you mean 'np.{name}'?"));
    with_optional_hint(Diagnostic::unsupported(message, span), hint.as_deref())
}

/// The error for using a non-value (`math`, `sqrt`, `ValueError`) where a value is needed.
pub(super) fn not_a_value(e: &Expr, val: &Val) -> Diagnostic {
    match val {
        Val::UnknownNumpy(path) => unknown_numpy(path, e.span),
        Val::Unsupported { name, pytype } => unsupported_global(name, pytype, e),
        Val::ExceptionClass(class) => {
            let message = format!("exception class '{class}' can only be used in a raise");
            Diagnostic::typing(message, e.span)
        }
        Val::Callable(_) => {
            let message = format!("{} cannot be used as a value", describe(val));
            Diagnostic::unsupported(message, e.span).with_hint("call it; functions are not values")
        }
        _ => Diagnostic::typing(
            format!("{} cannot be used as a value", describe(val)),
            e.span,
        ),
    }
}

/// The error for using a global whose Python type jitted code cannot handle.
pub(super) fn unsupported_global(name: &str, pytype: &str, e: &Expr) -> Diagnostic {
    let message = format!("'{name}' is a Python {pytype}, which jitted code cannot use");
    let hint = match pytype {
        "list" => Some(
            "a module-level list is not frozen into compiled code; pass it as an argument, or use a tuple or a NumPy array",
        ),
        "dict" => Some("dicts are not supported"),
        "str" => Some("a str that is not valid Unicode cannot be used"),
        "function" => Some("decorate it with @ferrojit.jit"),
        "NoneType" => Some("None is only supported as a return value"),
        _ => None,
    };
    with_optional_hint(Diagnostic::typing(message, e.span), hint)
}
