//! ferrojit's own Python AST: the subset we compile, converted once from rustpython-parser's AST.
//!
//! Every expression carries an [`ExprId`] (dense, unique within one [`Function`]) so that later
//! stages can keep side tables (types, resolutions) indexed by it, and a [`Span`] pointing back
//! at the function's source text. Nothing here knows about types.

use crate::span::Span;

/// Index of an expression inside its [`Function`]; dense from 0 to `Function::num_exprs`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

impl ExprId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One Python function definition, decorators stripped.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    pub name: String,
    pub params: Vec<Param>,
    pub body: Vec<Stmt>,
    /// Span of the `def` line (name).
    pub span: Span,
    /// Number of expressions; every [`ExprId`] in the body is below this.
    pub num_exprs: u32,
    /// Inner `def`s found in the body, in source order (called locally, issue 3).
    pub inner_functions: Vec<Function>,
}

/// A parameter. `Function::params` lists the positional ones first, then the `*args` one (if
/// any), then the keyword-only ones: the order the compiled function takes its arguments in.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub span: Span,
    /// The default value (`p=2.0`); its ids follow the body's (see [`walk_function_exprs`]).
    pub default: Option<Expr>,
    pub kind: ParamKind,
}

impl Param {
    /// A positional parameter without a default.
    pub fn positional(name: impl Into<String>, span: Span) -> Param {
        Param {
            name: name.into(),
            span,
            default: None,
            kind: ParamKind::Positional,
        }
    }
}

/// How an argument reaches a parameter.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ParamKind {
    /// By position or by keyword.
    Positional,
    /// `*args`: the extra positional arguments, as a tuple.
    VarArgs,
    /// After `*` or `*args`: by keyword only.
    KeywordOnly,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// Like expressions, nested statements (an `elif` chain is an `If` in the previous `orelse`)
/// are dropped without native recursion.
impl Drop for Stmt {
    fn drop(&mut self) {
        fn take_blocks(kind: &mut StmtKind, out: &mut Vec<Stmt>) {
            match kind {
                StmtKind::For { body, .. } | StmtKind::While { body, .. } => out.append(body),
                StmtKind::If { body, orelse, .. } => {
                    out.append(body);
                    out.append(orelse);
                }
                _ => {}
            }
        }
        let mut pending = Vec::new();
        take_blocks(&mut self.kind, &mut pending);
        while let Some(mut s) = pending.pop() {
            take_blocks(&mut s.kind, &mut pending);
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `t1 = t2 = value`; each target is a Name, Subscript, or Tuple of targets.
    Assign {
        targets: Vec<Expr>,
        value: Expr,
    },
    /// `target op= value`; the target is a Name or Subscript.
    AugAssign {
        target: Expr,
        op: BinOp,
        value: Expr,
    },
    /// `for target in iter: body` (`else` clauses are rejected by the converter).
    For {
        target: Expr,
        iter: Expr,
        body: Vec<Stmt>,
    },
    While {
        test: Expr,
        body: Vec<Stmt>,
    },
    If {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    Return(Option<Expr>),
    /// An expression evaluated for its effect (a call).
    Expr(Expr),
    Break,
    Continue,
    Pass,
    /// `raise Exc` or `raise Exc("msg")`.
    Raise(Option<Expr>),
    /// `assert test, msg`.
    Assert {
        test: Expr,
        msg: Option<Expr>,
    },
    /// `try: body / except ...: / else: orelse / finally: finalbody`.
    Try {
        body: Vec<Stmt>,
        handlers: Vec<ExceptHandler>,
        orelse: Vec<Stmt>,
        finalbody: Vec<Stmt>,
    },
    /// `with objmode(y='f8', ...):`: a block the interpreter runs (see [`ObjModeBlock`]).
    ObjMode(ObjModeBlock),
}

/// The body of a `with objmode(...)` block, kept as Python text: it is run by the CPython
/// interpreter, so it is not converted (any Python may appear in it).
#[derive(Clone, Debug, PartialEq)]
pub struct ObjModeBlock {
    /// The declared outputs (`y='f8'`), in order: the variables the block hands back.
    pub outputs: Vec<ObjModeOutput>,
    /// The body's source, dedented to column 0, one statement per line as written.
    pub body_source: String,
    /// Every identifier the body's text mentions (comments left out), in first-seen order:
    /// the candidates for the variables passed into the block.
    pub names: Vec<String>,
}

/// One declared output of an objmode block.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjModeOutput {
    pub name: String,
    pub annotation: ObjModeType,
    pub span: Span,
}

/// How an output's type is written: a signature string (`'float64[:]'`), or a type object
/// reached through globals (`float64`, `types.int64[::1]`: the dotted path and, for an array,
/// one entry per axis, true where the axis is written `::1`).
#[derive(Clone, Debug, PartialEq)]
pub enum ObjModeType {
    Text(String),
    Global {
        path: Vec<String>,
        axes: Option<Vec<bool>>,
    },
}

/// One `except` clause.
#[derive(Clone, Debug, PartialEq)]
pub struct ExceptHandler {
    /// The class (or tuple of classes) caught; `None` for a bare `except:`.
    pub class: Option<Expr>,
    /// `as name`.
    pub name: Option<String>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

impl StmtKind {
    /// The statement lists nested directly in this statement (loop and branch bodies, the
    /// parts of a `try`), for walkers that look into every block.
    pub fn blocks(&self) -> Vec<&[Stmt]> {
        match self {
            StmtKind::For { body, .. } | StmtKind::While { body, .. } => vec![body],
            StmtKind::If { body, orelse, .. } => vec![body, orelse],
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                let mut blocks: Vec<&[Stmt]> = vec![body];
                blocks.extend(handlers.iter().map(|h| h.body.as_slice()));
                blocks.push(orelse);
                blocks.push(finalbody);
                blocks
            }
            _ => Vec::new(),
        }
    }

    /// The expressions of this statement itself (targets, values, tests, `except` classes),
    /// not those of its nested blocks ([`StmtKind::blocks_mut`]), for passes that rewrite them.
    pub fn own_exprs_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            StmtKind::Assign { targets, value } => {
                let mut exprs: Vec<&mut Expr> = targets.iter_mut().collect();
                exprs.push(value);
                exprs
            }
            StmtKind::AugAssign { target, value, .. } => vec![target, value],
            StmtKind::For { target, iter, .. } => vec![target, iter],
            StmtKind::While { test, .. } | StmtKind::If { test, .. } => vec![test],
            StmtKind::Return(Some(e)) | StmtKind::Expr(e) | StmtKind::Raise(Some(e)) => vec![e],
            StmtKind::Assert { test, msg } => {
                let mut exprs = vec![test];
                exprs.extend(msg.as_mut());
                exprs
            }
            StmtKind::Try { handlers, .. } => handlers
                .iter_mut()
                .filter_map(|h| h.class.as_mut())
                .collect(),
            StmtKind::Return(None)
            | StmtKind::Raise(None)
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Pass
            | StmtKind::ObjMode(_) => Vec::new(),
        }
    }

    /// [`StmtKind::blocks`], mutable, for passes that rewrite the blocks in place.
    pub fn blocks_mut(&mut self) -> Vec<&mut Vec<Stmt>> {
        match self {
            StmtKind::For { body, .. } | StmtKind::While { body, .. } => vec![body],
            StmtKind::If { body, orelse, .. } => vec![body, orelse],
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                let mut blocks = vec![body];
                blocks.extend(handlers.iter_mut().map(|h| &mut h.body));
                blocks.push(orelse);
                blocks.push(finalbody);
                blocks
            }
            _ => Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub id: ExprId,
    pub kind: ExprKind,
    pub span: Span,
}

/// Dropping an expression tree takes no native stack per level: a flat sum of thousands of
/// terms is a tree that deep, and it may be dropped on any thread (the compile threads have
/// large stacks, the caller's may not). Children are moved onto a heap stack and dropped
/// one by one, each after its own children were moved out.
impl Drop for Expr {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        take_children(&mut self.kind, &mut pending);
        while let Some(mut e) = pending.pop() {
            take_children(&mut e.kind, &mut pending);
        }
    }
}

/// Moves the sub-expressions of `kind` into `out`, leaving leaves in their place.
fn take_children(kind: &mut ExprKind, out: &mut Vec<Expr>) {
    fn take(e: &mut Expr) -> Expr {
        let leaf = Expr {
            id: e.id,
            kind: ExprKind::NoneLit,
            span: e.span,
        };
        std::mem::replace(e, leaf)
    }
    match kind {
        ExprKind::Name(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Imag(_)
        | ExprKind::Bool(_)
        | ExprKind::NoneLit
        | ExprKind::Ellipsis
        | ExprKind::Str(_) => {}
        ExprKind::FString(parts) => {
            for part in parts {
                if let FStringPart::Value { value, .. } = part {
                    out.push(take(value));
                }
            }
        }
        ExprKind::BinOp { left, right, .. } => {
            out.push(take(left));
            out.push(take(right));
        }
        ExprKind::UnaryOp { operand, .. } => out.push(take(operand)),
        ExprKind::Compare {
            left, comparators, ..
        } => {
            out.push(take(left));
            out.append(comparators);
        }
        ExprKind::BoolOp { values, .. }
        | ExprKind::Tuple(values)
        | ExprKind::List(values)
        | ExprKind::Set(values) => out.append(values),
        ExprKind::Dict { keys, values } => {
            out.append(keys);
            out.append(values);
        }
        ExprKind::ListComp {
            elt,
            generators,
            value,
            ..
        } => {
            out.push(take(elt));
            if let Some(v) = value {
                out.push(take(v));
            }
            for g in generators.iter_mut() {
                out.push(take(&mut g.target));
                out.push(take(&mut g.iter));
                out.append(&mut g.ifs);
            }
        }
        ExprKind::IfExp { test, body, orelse } => {
            out.push(take(test));
            out.push(take(body));
            out.push(take(orelse));
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            out.push(take(func));
            out.append(args);
            out.extend(keywords.iter_mut().map(|k| take(&mut k.value)));
        }
        ExprKind::Attribute { value, .. } | ExprKind::Starred(value) => out.push(take(value)),
        ExprKind::Subscript { value, index } => {
            out.push(take(value));
            out.push(take(index));
        }
        ExprKind::Slice { lower, upper, step } => {
            for part in [lower, upper, step].into_iter().flatten() {
                out.push(take(part));
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Name(String),
    /// Integer literal; values that do not fit i128 are rejected by the converter. `-5` is
    /// `UnaryOp(Neg, Int(5))`, never folded; typeinfer decides which machine integer fits.
    Int(i128),
    Float(f64),
    /// Imaginary literal `2.5j` (the imaginary part).
    Imag(f64),
    Bool(bool),
    NoneLit,
    /// `...` (only meaningful as part of an array index: the axes not indexed otherwise).
    Ellipsis,
    Str(String),
    /// An f-string `f"bad {n}"`: literal text and formatted values, in order.
    FString(Vec<FStringPart>),
    BinOp {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    UnaryOp {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    /// `a < b <= c`: `ops.len() == comparators.len()`.
    Compare {
        left: Box<Expr>,
        ops: Vec<CmpOp>,
        comparators: Vec<Expr>,
    },
    /// `a and b and c` (at least two values).
    BoolOp {
        op: BoolOp,
        values: Vec<Expr>,
    },
    /// `body if test else orelse`
    IfExp {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        keywords: Vec<Keyword>,
    },
    Attribute {
        value: Box<Expr>,
        attr: String,
    },
    /// `value[index]`; a multi-dimensional index is a `Tuple`.
    Subscript {
        value: Box<Expr>,
        index: Box<Expr>,
    },
    Tuple(Vec<Expr>),
    /// `*value` as a call argument (`f(x, *args)`): the items of the tuple `value` are passed
    /// as positional arguments. Only a variable: typing expands it into `value[i]` items.
    Starred(Box<Expr>),
    /// `[a, b, c]`.
    List(Vec<Expr>),
    /// `{k1: v1, k2: v2}` (`**` unpacking is rejected by the converter).
    Dict {
        keys: Vec<Expr>,
        values: Vec<Expr>,
    },
    /// `{a, b, c}`.
    Set(Vec<Expr>),
    /// `[elt for target in iter if cond ...]`, generators in source order (the first is the
    /// outermost loop).
    /// Also `{elt for ...}` (`kind` Set) and `{elt: value for ...}` (`kind` Dict, with `value`).
    ListComp {
        elt: Box<Expr>,
        generators: Vec<Comprehension>,
        kind: CompKind,
        value: Option<Box<Expr>>,
    },
    /// `lower:upper:step` inside a subscript.
    Slice {
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
}

/// What a comprehension builds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Dict,
}

/// One `for target in iter if cond ...` clause of a comprehension.
#[derive(Clone, Debug, PartialEq)]
pub struct Comprehension {
    pub target: Expr,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
}

/// One piece of an f-string.
#[derive(Clone, Debug, PartialEq)]
pub enum FStringPart {
    Text(String),
    /// `{value}` or `{value:spec}` (the spec's text, e.g. `.3f`); `!r`/`!s` are dropped (they
    /// print numbers alike).
    Value {
        value: Expr,
        spec: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Keyword {
    pub name: String,
    pub value: Expr,
    pub span: Span,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mult,
    MatMult,
    Div,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitOr,
    BitXor,
    BitAnd,
}

impl BinOp {
    /// The operator as written in Python source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mult => "*",
            BinOp::MatMult => "@",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::BitAnd => "&",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `not x`
    Not,
    /// `~x`
    Invert,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    /// `x in container` (membership; the container is the right operand).
    In,
    NotIn,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::NotEq => "!=",
            CmpOp::Lt => "<",
            CmpOp::LtE => "<=",
            CmpOp::Gt => ">",
            CmpOp::GtE => ">=",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum BoolOp {
    And,
    Or,
}

/// Visits every expression of `func` in id order: the body (pre-order), then the parameters'
/// default values.
pub fn walk_function_exprs<'a>(func: &'a Function, f: &mut dyn FnMut(&'a Expr)) {
    walk_exprs(&func.body, f);
    for param in &func.params {
        if let Some(default) = &param.default {
            walk_expr(default, f);
        }
    }
}

/// Visits every expression of a statement list in source order (pre-order), including nested ones.
pub fn walk_exprs<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a Expr)) {
    for stmt in body {
        walk_stmt_exprs(stmt, f);
    }
}

fn walk_stmt_exprs<'a>(stmt: &'a Stmt, f: &mut dyn FnMut(&'a Expr)) {
    match &stmt.kind {
        StmtKind::Assign { targets, value } => {
            for t in targets {
                walk_expr(t, f);
            }
            walk_expr(value, f);
        }
        StmtKind::AugAssign { target, value, .. } => {
            walk_expr(target, f);
            walk_expr(value, f);
        }
        StmtKind::For { target, iter, body } => {
            walk_expr(target, f);
            walk_expr(iter, f);
            walk_exprs(body, f);
        }
        StmtKind::While { test, body } => {
            walk_expr(test, f);
            walk_exprs(body, f);
        }
        StmtKind::If { test, body, orelse } => {
            walk_expr(test, f);
            walk_exprs(body, f);
            walk_exprs(orelse, f);
        }
        StmtKind::Return(Some(e)) | StmtKind::Expr(e) | StmtKind::Raise(Some(e)) => walk_expr(e, f),
        StmtKind::Assert { test, msg } => {
            walk_expr(test, f);
            if let Some(m) = msg {
                walk_expr(m, f);
            }
        }
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            walk_exprs(body, f);
            for handler in handlers {
                if let Some(class) = &handler.class {
                    walk_expr(class, f);
                }
                walk_exprs(&handler.body, f);
            }
            walk_exprs(orelse, f);
            walk_exprs(finalbody, f);
        }
        StmtKind::Return(None)
        | StmtKind::Raise(None)
        | StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Pass
        | StmtKind::ObjMode(_) => {}
    }
}

/// Visits `expr` and every expression nested in it, pre-order.
pub fn walk_expr<'a>(expr: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(expr);
    match &expr.kind {
        ExprKind::Name(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Imag(_)
        | ExprKind::Bool(_)
        | ExprKind::NoneLit
        | ExprKind::Ellipsis
        | ExprKind::Str(_) => {}
        ExprKind::BinOp { left, right, .. } => {
            walk_expr(left, f);
            walk_expr(right, f);
        }
        ExprKind::UnaryOp { operand, .. } | ExprKind::Starred(operand) => walk_expr(operand, f),
        ExprKind::Compare {
            left, comparators, ..
        } => {
            walk_expr(left, f);
            for c in comparators {
                walk_expr(c, f);
            }
        }
        ExprKind::BoolOp { values, .. }
        | ExprKind::Tuple(values)
        | ExprKind::List(values)
        | ExprKind::Set(values) => {
            for v in values {
                walk_expr(v, f);
            }
        }
        ExprKind::FString(parts) => {
            for part in parts {
                if let FStringPart::Value { value, .. } = part {
                    walk_expr(value, f);
                }
            }
        }
        ExprKind::IfExp { test, body, orelse } => {
            walk_expr(test, f);
            walk_expr(body, f);
            walk_expr(orelse, f);
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            walk_expr(func, f);
            for a in args {
                walk_expr(a, f);
            }
            for k in keywords {
                walk_expr(&k.value, f);
            }
        }
        ExprKind::Dict { keys, values } => {
            for (k, v) in keys.iter().zip(values) {
                walk_expr(k, f);
                walk_expr(v, f);
            }
        }
        ExprKind::ListComp {
            elt,
            generators,
            value,
            ..
        } => {
            walk_expr(elt, f);
            if let Some(v) = value {
                walk_expr(v, f);
            }
            for g in generators {
                walk_expr(&g.target, f);
                walk_expr(&g.iter, f);
                for cond in &g.ifs {
                    walk_expr(cond, f);
                }
            }
        }
        ExprKind::Attribute { value, .. } => walk_expr(value, f),
        ExprKind::Subscript { value, index } => {
            walk_expr(value, f);
            walk_expr(index, f);
        }
        ExprKind::Slice { lower, upper, step } => {
            for part in [lower, upper, step].into_iter().flatten() {
                walk_expr(part, f);
            }
        }
    }
}
