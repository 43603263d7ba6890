//! Typing of `with objmode(y='f8'):` blocks: the outputs take their declared types (like an
//! assignment), and the variables passed in are the function's locals the block's text
//! mentions whose values can be boxed for the interpreter (numbers, arrays, tuples, strings).

use super::{Infer, R};
use crate::types::Type;
use crate::{GlobalValue, ObjModeTyping};
use frontend::Diagnostic;
use frontend::ast::{ObjModeBlock, ObjModeOutput, ObjModeType, Stmt, StmtKind};
use std::collections::HashMap;

/// Where an objmode statement starts: its key in [`crate::TypedFunction::objmode`].
pub fn objmode_key(stmt: &Stmt) -> (u32, u32) {
    (stmt.span.line, stmt.span.col)
}

/// True for values the interpreter can be handed (see pybridge's `objmode.rs`).
fn boxable(ty: &Type) -> bool {
    match ty {
        Type::Scalar(_) | Type::Array { .. } | Type::Str | Type::NoneType => true,
        Type::Tuple(items) => items.iter().all(boxable),
        _ => false,
    }
}

/// Numba's names of the string type (`types.unicode_type`), and Python's.
fn is_string_type(name: &str) -> bool {
    matches!(name.trim(), "unicode_type" | "str" | "string")
}

/// True for the types an output may be declared with.
fn unboxable(ty: &Type) -> bool {
    match ty {
        Type::Scalar(_) | Type::Array { .. } | Type::Str => true,
        Type::Tuple(items) => items.iter().all(unboxable),
        _ => false,
    }
}

impl Infer<'_> {
    /// Types the statement: each output is assigned its declared type.
    pub(super) fn objmode_stmt(&mut self, block: &ObjModeBlock) -> R<()> {
        for output in &block.outputs {
            let ty = self.objmode_output_type(output)?;
            self.assign_var(&output.name, &ty, output.span)?;
        }
        Ok(())
    }

    /// The declared type of `output`.
    fn objmode_output_type(&mut self, output: &ObjModeOutput) -> Result<Type, Diagnostic> {
        let bad = |why: String| {
            Diagnostic::typing(
                format!("objmode output '{}': {why}", output.name),
                output.span,
            )
        };
        let ty = match &output.annotation {
            ObjModeType::Text(text) if is_string_type(text) => Type::Str,
            ObjModeType::Global { path, axes: None }
                if path.last().is_some_and(|n| is_string_type(n)) =>
            {
                Type::Str
            }
            ObjModeType::Text(text) => crate::parse_type(text)
                .map_err(|d| bad(format!("bad type '{text}': {}", d.message)))?,
            ObjModeType::Global { path, axes } => {
                let scalar = self.scalar_type_object(path).ok_or_else(|| {
                    bad(format!("'{}' is not a type ferrojit knows", path.join(".")))
                })?;
                match axes {
                    None => scalar,
                    Some(axes) => {
                        let axes: Vec<&str> =
                            axes.iter().map(|&c| if c { "::1" } else { ":" }).collect();
                        let text = format!("{}[{}]", scalar, axes.join(", "));
                        crate::parse_type(&text).map_err(|d| bad(d.message))?
                    }
                }
            }
        };
        if !unboxable(&ty) {
            return Err(bad(format!(
                "{ty} cannot come back from the interpreter (numbers, arrays, tuples of them \
                 and strings can)"
            )));
        }
        Ok(ty)
    }

    /// The scalar type a global type object stands for (`float64`, `np.int32`,
    /// `numba.types.float64`, a module constant holding a signature string).
    fn scalar_type_object(&mut self, path: &[String]) -> Option<Type> {
        let mut reached = None;
        if path.len() == 1
            || matches!(
                self.env.lookup_global(&path[0]),
                Some(GlobalValue::PyModule(_))
            )
        {
            reached = self.env.lookup_global(&path.join("."));
        }
        match reached {
            Some(GlobalValue::Dtype(s)) => Some(Type::Scalar(s)),
            Some(GlobalValue::Const(crate::ConstValue::Str(text))) => crate::parse_type(&text).ok(),
            // `np.float64`, `numba.float64`, `nb.types.int64`: the last name is the type's.
            _ if path.len() > 1 => crate::parse_type(path.last()?).ok(),
            _ => None,
        }
    }

    /// The inputs and outputs of every objmode block of `body`, from the final variable types.
    pub(super) fn objmode_typings(
        &mut self,
        body: &[Stmt],
        out: &mut HashMap<(u32, u32), ObjModeTyping>,
    ) -> Result<(), Diagnostic> {
        for stmt in body {
            if let StmtKind::ObjMode(block) = &stmt.kind {
                let inputs = block
                    .names
                    .iter()
                    .filter(|name| self.locals.contains(*name))
                    .filter_map(|name| {
                        let ty = self.var_types.get(name)?;
                        boxable(ty).then(|| (name.clone(), ty.clone()))
                    })
                    .collect();
                let outputs = block
                    .outputs
                    .iter()
                    .map(|o| Ok((o.name.clone(), self.objmode_output_type(o)?)))
                    .collect::<Result<_, Diagnostic>>()?;
                out.insert(objmode_key(stmt), ObjModeTyping { inputs, outputs });
            }
            for inner in stmt.kind.blocks() {
                self.objmode_typings(inner, out)?;
            }
        }
        Ok(())
    }
}
