//! Array expressions: `a * b + c`, `np.sqrt(a * a + b * b)`, `a > 0`, `np.where(m, a, 0.0)`,
//! `-a`, `abs(a)`, with NumPy broadcasting, evaluated in one fused loop.
//!
//! The maximal element-wise subtree rooted at an array-typed expression becomes a [`Node`]
//! tree: its leaves (arrays, and scalars computed once before the loop) are evaluated first,
//! then one loop over the broadcast shape computes every element through the whole tree and
//! stores it into the one new array. No intermediate array is allocated. A reduction of an
//! array expression (`np.sum(a * b)`, `(a > 0).sum()`, `np.max(np.abs(a))`) allocates no array
//! at all: the reduction's loop evaluates the tree at each index ([`Elements::Expression`]).

use super::array_fns::ArrayRef;
use super::{LResult, Lowerer, PyValue, unsupported};
use crate::function::{IntCC, Ty, Value};
use frontend::Span;
use frontend::ast::{BinOp, CmpOp, Expr, ExprKind, UnaryOp};
use typeinfer::elementwise::operand_scalars;
use typeinfer::{ArrayFn, Intrinsic, Resolution, Scalar, Type};

/// One node of a fused element-wise expression; every node knows its element type.
enum Node {
    /// Element of the `k`-th array leaf.
    Array(usize, Scalar),
    /// A scalar computed before the loop.
    Scalar(PyValue, Scalar),
    Binary(BinOp, Box<Node>, Box<Node>, Span, Scalar),
    Unary(UnaryOp, Box<Node>, Span, Scalar),
    Compare(CmpOp, Box<Node>, Box<Node>, Span),
    Call(Intrinsic, Vec<Node>, Scalar, Span),
    Where(Box<Node>, Box<Node>, Box<Node>, Scalar),
}

impl Node {
    /// The element type the node produces.
    fn scalar(&self) -> Scalar {
        match self {
            Node::Array(_, s) | Node::Scalar(_, s) | Node::Call(_, _, s, _) => *s,
            Node::Where(_, _, _, s) | Node::Binary(.., s) | Node::Unary(.., s) => *s,
            Node::Compare(..) => Scalar::Bool,
        }
    }
    fn is_array(&self) -> bool {
        !matches!(self, Node::Scalar(..))
    }
}

/// An array expression whose elements are computed where they are used, without an array.
pub(crate) struct FusedExpression {
    tree: Node,
    /// Per array leaf: data pointer, strides broadcast to `shape`, element type.
    leaves: Vec<(Value, Vec<Value>, Scalar)>,
    shape: Vec<Value>,
    dtype: Scalar,
}

/// Where the elements of a reduction (or of a copy into a new array) come from.
pub(crate) enum Elements {
    /// An array in memory.
    Array {
        array: ArrayRef,
        data: Value,
        /// The shape the elements are indexed by, and the byte strides of its axes: the
        /// array's own, or one axis of all its elements (a C-contiguous array read flat).
        shape: Vec<Value>,
        strides: Vec<Value>,
    },
    /// An element-wise expression, fused into the loop that consumes it.
    Expression(FusedExpression),
}

impl Elements {
    pub(crate) fn dtype(&self) -> Scalar {
        match self {
            Elements::Array { array, .. } => array.dtype,
            Elements::Expression(e) => e.dtype,
        }
    }
}

impl Lowerer<'_, '_> {
    /// True if `expr` is an element-wise operation producing an array.
    pub(crate) fn is_array_expression(&self, expr: &Expr) -> bool {
        if !matches!(self.typed.expr_type(expr.id), Some(Type::Array { .. })) {
            return false;
        }
        match &expr.kind {
            ExprKind::BinOp { op, .. } => *op != BinOp::MatMult,
            ExprKind::UnaryOp { .. } | ExprKind::Compare { .. } => true,
            ExprKind::Call { .. } => matches!(
                self.typed.resolutions.get(&expr.id),
                Some(Resolution::Intrinsic(_) | Resolution::ArrayCall(ArrayFn::Where))
            ),
            _ => false,
        }
    }

    /// Evaluates the array expression `expr` into a new C-contiguous array.
    pub(crate) fn lower_array_expression(&mut self, expr: &Expr) -> LResult<PyValue> {
        let fused = self.fuse_array_expression(expr)?;
        let out = self.new_array(fused.dtype, &fused.shape, false, expr.span);
        let out_strides = self.strides_of(&out);
        let out_data = self.data_of(out.desc);
        let dtype = fused.dtype;
        let src = Elements::Expression(fused);
        let shape = self.elements_shape(&src);
        self.for_each_index(&shape, &mut |this, idx| {
            let v = this.element_at(&src, idx)?;
            let to = this.address_at(out_data, &out_strides, idx);
            this.store_scalar(to, dtype, v);
            Ok(())
        })?;
        Ok(out.value())
    }

    /// The array expression `expr` as a tree over its leaves (evaluated now, before any
    /// loop), with its broadcast shape: ready to give its element at any index.
    pub(crate) fn fuse_array_expression(&mut self, expr: &Expr) -> LResult<FusedExpression> {
        let result_ty = self.type_of(expr)?;
        let Type::Array { dtype, ndim, .. } = result_ty else {
            return Err(unsupported("not an array expression", expr.span));
        };
        let mut leaves: Vec<ArrayRef> = Vec::new();
        let tree = self.build_node(expr, &mut leaves)?;
        // The broadcast shape: per axis (aligned at the end), the extent of any leaf that is
        // not 1 (each leaf is checked against it when its strides are computed).
        let ndim = usize::from(ndim);
        let one = self.b.iconst(Ty::I64, 1);
        let mut shape: Vec<Option<Value>> = vec![None; ndim];
        for leaf in &leaves {
            let dims = self.shape_of(leaf);
            let lead = ndim - dims.len();
            for (k, &d) in dims.iter().enumerate() {
                shape[lead + k] = Some(match shape[lead + k] {
                    // The first leaf with this axis sets it: `d` whether or not it is 1 (the
                    // same value, so its own broadcast check folds away).
                    None => d,
                    Some(so_far) => {
                        let is_one = self.b.icmp(IntCC::Eq, d, one);
                        self.b.select(is_one, so_far, d)
                    }
                });
            }
        }
        let shape: Vec<Value> = shape.into_iter().map(|d| d.unwrap_or(one)).collect();
        let mut leaf_access = Vec::with_capacity(leaves.len());
        for leaf in &leaves {
            let strides = self.broadcast_strides(leaf, &shape, expr.span)?;
            let data = self.data_of(leaf.desc);
            leaf_access.push((data, strides, leaf.dtype));
        }
        Ok(FusedExpression {
            tree,
            leaves: leaf_access,
            shape,
            dtype,
        })
    }

    /// The elements of array `a`, its data pointer and strides read once.
    pub(crate) fn array_elements(&mut self, a: &ArrayRef) -> Elements {
        Elements::Array {
            array: *a,
            data: self.data_of(a.desc),
            shape: self.shape_of(a),
            strides: self.strides_of(a),
        }
    }

    /// The elements of `a` in C order along one axis, where its type says it is C-contiguous
    /// (its own axes otherwise): a whole-array reduction is then one loop over memory, which
    /// the loop passes vectorize or hand to the runtime like a 1-d array's.
    pub(crate) fn flat_elements(&mut self, a: &ArrayRef) -> Elements {
        if a.layout != typeinfer::Layout::C || a.ndim < 2 {
            return self.array_elements(a);
        }
        let shape = self.shape_of(a);
        let size = self.product(&shape);
        let itemsize = self.b.iconst(Ty::I64, a.dtype.size_bytes() as i64);
        Elements::Array {
            array: *a,
            data: self.data_of(a.desc),
            shape: vec![size],
            strides: vec![itemsize],
        }
    }

    /// The shape `src`'s elements are indexed by.
    pub(crate) fn elements_shape(&mut self, src: &Elements) -> Vec<Value> {
        match src {
            Elements::Array { shape, .. } => shape.clone(),
            Elements::Expression(e) => e.shape.clone(),
        }
    }

    /// The element of `src` at `idx` (a full index of its shape).
    pub(crate) fn element_at(&mut self, src: &Elements, idx: &[Value]) -> LResult<PyValue> {
        match src {
            Elements::Array {
                array,
                data,
                strides,
                ..
            } => {
                let ptr = self.address_at(*data, strides, idx);
                Ok(self.load_scalar(ptr, array.dtype))
            }
            Elements::Expression(e) => {
                // NumPy's error model inside the expression (e.g. x / 0 is inf, not an error).
                let was = std::mem::replace(&mut self.in_array_expression, true);
                let v = self.eval_node(&e.tree, idx, &e.leaves);
                self.in_array_expression = was;
                v
            }
        }
    }

    fn build_node(&mut self, expr: &Expr, leaves: &mut Vec<ArrayRef>) -> LResult<Node> {
        let ty = self.type_of(expr)?;
        let scalar = typeinfer::elementwise::element(&ty)
            .ok_or_else(|| unsupported(format!("{ty} in an array expression"), expr.span))?;
        if !self.is_array_expression(expr) {
            let value = self.lower_expr(expr)?;
            let node = match ArrayRef::of(&value) {
                Some(array) => {
                    leaves.push(array);
                    Node::Array(leaves.len() - 1, array.dtype)
                }
                None => Node::Scalar(value, scalar),
            };
            return Ok(node);
        }
        let node = match &expr.kind {
            ExprKind::BinOp { op, left, right } => {
                let l = self.build_node(left, leaves)?;
                let r = self.build_node(right, leaves)?;
                Node::Binary(*op, Box::new(l), Box::new(r), expr.span, scalar)
            }
            ExprKind::UnaryOp { op, operand } => {
                let v = self.build_node(operand, leaves)?;
                Node::Unary(*op, Box::new(v), expr.span, scalar)
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                let l = self.build_node(left, leaves)?;
                let r = self.build_node(&comparators[0], leaves)?;
                Node::Compare(ops[0], Box::new(l), Box::new(r), expr.span)
            }
            ExprKind::Call { args, keywords, .. } => {
                match self.typed.resolutions.get(&expr.id).cloned() {
                    Some(Resolution::Intrinsic(i)) => {
                        let mut nodes = Vec::new();
                        for a in args {
                            nodes.push(self.build_node(a, leaves)?);
                        }
                        Node::Call(i, nodes, scalar, expr.span)
                    }
                    _ => {
                        let bound = ArrayFn::Where.bind(None, args, keywords, expr.span)?;
                        let mut nodes = Vec::new();
                        for a in bound.into_iter().flatten() {
                            nodes.push(self.build_node(a, leaves)?);
                        }
                        let mut it = nodes.into_iter();
                        let (c, x, y) = (
                            it.next().expect("3"),
                            it.next().expect("3"),
                            it.next().expect("3"),
                        );
                        Node::Where(Box::new(c), Box::new(x), Box::new(y), scalar)
                    }
                }
            }
            _ => return Err(unsupported("in an array expression", expr.span)),
        };
        Ok(node)
    }

    /// The element of `node` at `idx`; `scalar` is the node's element type.
    fn eval_node(
        &mut self,
        node: &Node,
        idx: &[Value],
        leaves: &[(Value, Vec<Value>, Scalar)],
    ) -> LResult<PyValue> {
        Ok(match node {
            Node::Array(k, dtype) => {
                let (data, strides, _) = &leaves[*k];
                let ndim = strides.len();
                let ptr = self.address_at(*data, strides, &idx[idx.len() - ndim..]);
                self.load_scalar(ptr, *dtype)
            }
            Node::Scalar(v, _) => v.clone(),
            Node::Binary(op, l, r, span, scalar) => {
                let (lv, ls) = self.eval_child(l, idx, leaves)?;
                let (rv, rs) = self.eval_child(r, idx, leaves)?;
                let (lt, rt) = self.weak_operands(l, ls, r, rs);
                let lv = self.coerce(lv, &Type::Scalar(lt));
                let rv = self.coerce(rv, &Type::Scalar(rt));
                let v = self.binary_op(*op, lv, &Type::Scalar(lt), rv, &Type::Scalar(rt), *span)?;
                self.coerce(v, &Type::Scalar(*scalar))
            }
            Node::Unary(op, v, span, scalar) => {
                let (v, s) = self.eval_child(v, idx, leaves)?;
                // `~` of a bool array element is NumPy's logical not (typeinfer types it bool).
                let op = match (*op, s.is_bool()) {
                    (UnaryOp::Invert, true) => UnaryOp::Not,
                    (op, _) => op,
                };
                let v = self.unary_op(op, v, &Type::Scalar(s), *span)?;
                self.coerce(v, &Type::Scalar(*scalar))
            }
            Node::Compare(op, l, r, span) => {
                let (lv, ls) = self.eval_child(l, idx, leaves)?;
                let (rv, rs) = self.eval_child(r, idx, leaves)?;
                let (lt, rt) = self.weak_operands(l, ls, r, rs);
                let lv = self.coerce(lv, &Type::Scalar(lt));
                let rv = self.coerce(rv, &Type::Scalar(rt));
                let b = self.compare(*op, lv, &Type::Scalar(lt), rv, &Type::Scalar(rt), *span)?;
                PyValue::Scalar(b, Scalar::Bool)
            }
            Node::Call(i, args, result, span) => {
                let mut values = Vec::new();
                let mut kinds = Vec::new();
                for a in args {
                    let (v, s) = self.eval_child(a, idx, leaves)?;
                    let ty = if a.is_array() {
                        Type::array(s, 1, typeinfer::Layout::C)
                    } else {
                        Type::Scalar(s)
                    };
                    kinds.push(ty);
                    values.push(v);
                }
                let scalars = operand_scalars(&kinds).unwrap_or_default();
                let values = values
                    .into_iter()
                    .zip(&scalars)
                    .map(|(v, s)| {
                        let v = self.coerce(v, &Type::Scalar(*s));
                        (v, Type::Scalar(*s))
                    })
                    .collect();
                self.lower_intrinsic(*i, values, &Type::Scalar(*result), *span)?
            }
            Node::Where(c, x, y, result) => {
                let (cv, _) = self.eval_child(c, idx, leaves)?;
                let (xv, _) = self.eval_child(x, idx, leaves)?;
                let (yv, _) = self.eval_child(y, idx, leaves)?;
                self.select_number(&cv, xv, yv, *result, Span::default())?
            }
        })
    }

    /// `target op= rhs` in place (NumPy's in-place operators): each element of `target` is
    /// replaced by `target[i] op rhs[i]` (rhs broadcast), converted to `target`'s dtype. An
    /// `rhs` sharing memory with `target` is copied first, so overlap cannot change the result.
    pub(crate) fn array_in_place(
        &mut self,
        target: &ArrayRef,
        op: BinOp,
        rhs: PyValue,
        rhs_ty: &Type,
        span: Span,
    ) -> LResult<()> {
        let shape = self.shape_of(target);
        let strides = self.strides_of(target);
        let data = self.data_of(target.desc);
        let rhs_access = match ArrayRef::of(&rhs) {
            Some(array) => {
                // When `rhs` shares memory with `target` (`a[1:] += a[:-1]`), read it from a
                // private copy, as NumPy does; otherwise read it in place.
                let overlap = self.may_overlap(&array, target);
                let source = self.declare_value_var(&array.value());
                let copy = self.create_block();
                let join = self.create_block();
                self.brif(overlap, copy, join);
                self.seal(copy);
                self.switch_to(copy);
                let private = self.copy_array(&array, array.dtype, span);
                self.def_value_var(&source, &private.value());
                self.jump(join, &[]);
                self.seal(join);
                self.switch_to(join);
                let PyValue::Array(desc, _) = self.use_value_var(&source) else {
                    unreachable!("an array")
                };
                // The copy is C-contiguous; the original may not be: read strides from the
                // descriptor unless both are C.
                let layout = if array.layout == typeinfer::Layout::C {
                    typeinfer::Layout::C
                } else {
                    typeinfer::Layout::A
                };
                let source = ArrayRef {
                    desc,
                    layout,
                    ..array
                };
                let strides = self.broadcast_strides(&source, &shape, span)?;
                let data = self.data_of(source.desc);
                Some((data, strides, array.dtype))
            }
            None => None,
        };
        let target_ty = Type::array(target.dtype, 1, typeinfer::Layout::C);
        let (lt, rt) = match operand_scalars(&[target_ty, rhs_ty.clone()]).as_deref() {
            Some([a, b]) => (*a, *b),
            _ => {
                return Err(unsupported(
                    format!("in-place {} with {rhs_ty}", op.symbol()),
                    span,
                ));
            }
        };
        let dtype = target.dtype;
        let was = std::mem::replace(&mut self.in_array_expression, true);
        let result = self.for_each_index(&shape, &mut |this, idx| {
            let ptr = this.address_at(data, &strides, idx);
            let current = this.load_scalar(ptr, dtype);
            let r = match &rhs_access {
                Some((rdata, rstrides, rdtype)) => {
                    let rptr =
                        this.address_at(*rdata, rstrides, &idx[idx.len() - rstrides.len()..]);
                    this.load_scalar(rptr, *rdtype)
                }
                None => rhs.clone(),
            };
            let current = this.coerce(current, &Type::Scalar(lt));
            let r = this.coerce(r, &Type::Scalar(rt));
            let v = this.binary_op(op, current, &Type::Scalar(lt), r, &Type::Scalar(rt), span)?;
            this.store_scalar(ptr, dtype, v);
            Ok(())
        });
        self.in_array_expression = was;
        result
    }

    /// Evaluates a child, returning its value and element type.
    fn eval_child(
        &mut self,
        node: &Node,
        idx: &[Value],
        leaves: &[(Value, Vec<Value>, Scalar)],
    ) -> LResult<(PyValue, Scalar)> {
        let v = self.eval_node(node, idx, leaves)?;
        Ok((v, node.scalar()))
    }

    /// The computation types of a binary element-wise operation (NumPy's weak scalars).
    fn weak_operands(&self, l: &Node, ls: Scalar, r: &Node, rs: Scalar) -> (Scalar, Scalar) {
        let as_type = |n: &Node, s: Scalar| {
            if n.is_array() {
                Type::array(s, 1, typeinfer::Layout::C)
            } else {
                Type::Scalar(s)
            }
        };
        match operand_scalars(&[as_type(l, ls), as_type(r, rs)]).as_deref() {
            Some([a, b]) => (*a, *b),
            _ => (ls, rs),
        }
    }
}
