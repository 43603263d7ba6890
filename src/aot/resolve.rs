//! Globals of a scanned module ([`super::scan`]) for the compiler, without Python.
//!
//! [`ModuleTable`] parses the module's functions on demand and answers the compiler's
//! [`GlobalResolver`] questions the way `pybridge`'s resolver does for a live module:
//!
//! - `import math` / `cmath` / `numpy` (any alias) / `ferrojit` / `numba` → the module;
//! - `from math import sqrt` → the intrinsic; `from math import pi` → the constant;
//!   `from numpy import float32` → the dtype; `from ferrojit import prange` → `prange`;
//! - another top-level `def` → a callee (every top-level function is compilable, decorated or
//!   not), so exported functions can call helpers, and recursion works;
//! - `NAME = expression` → the constant it evaluates to. Literals are read directly; anything
//!   else (`2 * math.pi`, `N // 2`, `(1, 2.5)`) is compiled and run as a function of no
//!   arguments that returns it, seeing only the bindings *above* it, as Python would at import.
//!
//! A name bound in a way the scan does not follow resolves to `Unsupported` with a message
//! that says so. Function definitions hold only a weak reference to the table, so dropping the
//! table frees everything.

use super::scan::{BindingKind, ScannedModule};
use crate::{CompileRequest, DumpFlags, FunctionDef, Global, GlobalResolver, Options};
use frontend::{Diagnostic, SourceFile};
use std::cell::RefCell;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use typeinfer::{ConstValue, GlobalValue, Intrinsic, ModuleKind, Scalar, Type};

/// A scanned module whose functions can be compiled.
pub struct ModuleTable {
    pub scanned: ScannedModule,
    /// Options every function gets, combined (or) with its decorator's keywords.
    options: Options,
    defs: Vec<OnceLock<Result<Arc<FunctionDef>, Diagnostic>>>,
    /// Evaluated constants, by binding index.
    constants: Vec<Mutex<Option<Global>>>,
    this: Weak<ModuleTable>,
}

impl ModuleTable {
    /// Scans `text` (the contents of `filename`) into a table.
    pub fn parse(filename: &str, text: &str, options: Options) -> Arc<ModuleTable> {
        Self::new(ScannedModule::scan(filename, text), options)
    }

    pub fn new(scanned: ScannedModule, options: Options) -> Arc<ModuleTable> {
        Arc::new_cyclic(|this| ModuleTable {
            defs: scanned.functions.iter().map(|_| OnceLock::new()).collect(),
            constants: scanned.bindings.iter().map(|_| Mutex::new(None)).collect(),
            scanned,
            options,
            this: this.clone(),
        })
    }

    /// The names of the module's top-level functions, in source order.
    pub fn function_names(&self) -> Vec<&str> {
        self.scanned
            .functions
            .iter()
            .map(|f| f.name.as_str())
            .collect()
    }

    /// The parsed definition of top-level function `name`.
    pub fn function(&self, name: &str) -> Result<Arc<FunctionDef>, Diagnostic> {
        let index = self.scanned.function_index(name).ok_or_else(|| {
            let known = self.function_names().join(", ");
            Diagnostic::new(
                frontend::DiagnosticKind::Typing,
                format!(
                    "{} defines no top-level function '{name}' (functions: {})",
                    self.scanned.filename,
                    if known.is_empty() { "none" } else { &known }
                ),
                None,
            )
        })?;
        self.function_at(index)
    }

    fn function_at(&self, index: usize) -> Result<Arc<FunctionDef>, Diagnostic> {
        self.defs[index]
            .get_or_init(|| {
                let scanned = &self.scanned.functions[index];
                let resolver = ModuleResolver {
                    table: self.this.clone(),
                    before: usize::MAX,
                    extra: None,
                };
                FunctionDef::parse(
                    scanned.source.clone(),
                    Box::new(resolver),
                    self.options_for(index),
                )
                .map(Arc::new)
            })
            .clone()
    }

    /// The table's options, plus what the function's decorator asks for.
    fn options_for(&self, index: usize) -> Options {
        let f = &self.scanned.functions[index];
        let flag = |key: &str| f.decorator_keyword(key).is_some_and(|v| v == "True");
        Options {
            boundscheck: self.options.boundscheck || flag("boundscheck"),
            fastmath: self.options.fastmath || flag("fastmath"),
            numpy_error_model: self.options.numpy_error_model
                || f.decorator_keyword("error_model").as_deref() == Some("numpy"),
            parallel: self.options.parallel || flag("parallel"),
        }
    }

    /// The value of the assignment at binding `index`, evaluated once.
    fn constant(&self, index: usize, expr: &str, line: u32) -> Global {
        let key = (self as *const ModuleTable as usize, index);
        if let Some(done) = lock(&self.constants[index]).clone() {
            return done;
        }
        // A constant defined in terms of itself (through a function) would recurse forever.
        let reentered = EVALUATING.with(|stack| stack.borrow().contains(&key));
        if reentered {
            return unsupported("constant whose value depends on itself");
        }
        EVALUATING.with(|stack| stack.borrow_mut().push(key));
        let value = self.evaluate(expr, line, index, None);
        EVALUATING.with(|stack| stack.borrow_mut().retain(|k| *k != key));
        *lock(&self.constants[index]) = Some(value.clone());
        value
    }

    /// Evaluates a constant expression seeing the bindings before `before` (and `extra`).
    fn evaluate(
        &self,
        expr: &str,
        line: u32,
        before: usize,
        extra: Option<(&str, Global)>,
    ) -> Global {
        if let Some(value) = literal(expr) {
            return Global::Value(GlobalValue::Const(value));
        }
        match self.run_constant_function(expr, line, before, extra) {
            Ok(value) => Global::Value(GlobalValue::Const(value)),
            Err(why) => unsupported(format!(
                "module-level value `{}` that ferrojit could not evaluate ahead of time ({why})",
                first_line(expr)
            )),
        }
    }

    fn run_constant_function(
        &self,
        expr: &str,
        line: u32,
        before: usize,
        extra: Option<(&str, Global)>,
    ) -> Result<ConstValue, String> {
        let mut source = SourceFile::new(
            self.scanned.filename.clone(),
            format!("def __ferrojit_constant__():\n    return ({expr})\n"),
        );
        source.line_offset = line.saturating_sub(2);
        let resolver = ModuleResolver {
            table: self.this.clone(),
            before,
            extra: extra.map(|(n, g)| (n.to_string(), g)),
        };
        let def = FunctionDef::parse(source, Box::new(resolver), Options::default())
            .map_err(|d| d.message)?;
        let compiled = crate::compile(&CompileRequest {
            def: Arc::new(def),
            arg_types: Vec::new(),
            declared_return: None,
            dump: DumpFlags::default(),
        })
        .map_err(|d| d.message)?;
        let mut rets = vec![0u64; compiled.ret_slots.max(1)];
        // SAFETY: the function takes no arguments; `rets` has room for every result slot.
        unsafe { compiled.call(&[], &mut rets) }.map_err(|e| e.to_string())?;
        constant_from_slots(&compiled.return_type, &rets, &mut 0)
            .ok_or_else(|| format!("its value has type {}", compiled.return_type))
    }
}

thread_local! {
    /// Constants being evaluated on this thread: `(table address, binding index)`.
    static EVALUATING: RefCell<Vec<(usize, usize)>> = const { RefCell::new(Vec::new()) };
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn unsupported(what: impl Into<String>) -> Global {
    Global::Value(GlobalValue::Unsupported(what.into()))
}

/// Resolves names of the module (bindings before `before` only, for constants) plus `extra`.
struct ModuleResolver {
    table: Weak<ModuleTable>,
    before: usize,
    extra: Option<(String, Global)>,
}

impl GlobalResolver for ModuleResolver {
    fn resolve(&self, name: &str) -> Option<Global> {
        if let Some((extra, global)) = &self.extra
            && extra == name
        {
            return Some(global.clone());
        }
        let table = self.table.upgrade()?;
        let bindings = &table.scanned.bindings;
        let limit = self.before.min(bindings.len());
        let (index, binding) = bindings[..limit]
            .iter()
            .enumerate()
            .rev()
            .find(|(_, b)| b.name == name)?;
        Some(match &binding.kind {
            BindingKind::Import { module } => module_global(module),
            BindingKind::FromImport { module, name } => from_import(&table, module, name, index),
            BindingKind::Assign { expr, line } => table.constant(index, expr, *line),
            BindingKind::Function(i) => match table.function_at(*i) {
                Ok(def) => Global::Function(def),
                Err(d) => unsupported(format!(
                    "function '{name}' that ferrojit cannot compile ({})",
                    d.message
                )),
            },
            BindingKind::Opaque { line } => unsupported(format!(
                "name rebound at line {line} in a way ferrojit's module scan does not follow"
            )),
        })
    }
}

fn module_kind(module: &str) -> Option<ModuleKind> {
    Some(match module {
        "math" => ModuleKind::Math,
        "cmath" => ModuleKind::Cmath,
        "numpy" => ModuleKind::Numpy,
        "ferrojit" | "numba" => ModuleKind::Ferrojit,
        "random" => ModuleKind::Random,
        _ => return None,
    })
}

fn module_global(module: &str) -> Global {
    match module_kind(module) {
        Some(kind) => Global::Value(GlobalValue::Module(kind)),
        None => unsupported(format!("module '{module}'")),
    }
}

/// `from module import name`.
fn from_import(table: &ModuleTable, module: &str, name: &str, index: usize) -> Global {
    let kind = module_kind(module);
    match kind {
        // `prange` runs on the runtime's thread pool under `parallel=True` (else as `range`).
        Some(ModuleKind::Ferrojit) if name == "prange" => {
            Global::Value(GlobalValue::Intrinsic(Intrinsic::Prange))
        }
        Some(ModuleKind::Ferrojit) => unsupported(format!("function {module}.{name}")),
        Some(kind) => {
            if let Some(intrinsic) = Intrinsic::lookup(Some(kind), name) {
                return Global::Value(GlobalValue::Intrinsic(intrinsic));
            }
            if kind == ModuleKind::Numpy
                && let Some(scalar) = Scalar::from_name(name)
            {
                return Global::Value(GlobalValue::Dtype(scalar));
            }
            // A constant such as `math.pi`: evaluate the attribute.
            let module_value = Global::Value(GlobalValue::Module(kind));
            table.evaluate(
                &format!("__ferrojit_module__.{name}"),
                0,
                index,
                Some(("__ferrojit_module__", module_value)),
            )
        }
        None => unsupported(format!("'{name}' imported from module '{module}'")),
    }
}

/// The value of a result of type `ty` read from entry-ABI slots.
fn constant_from_slots(ty: &Type, slots: &[u64], pos: &mut usize) -> Option<ConstValue> {
    let mut take = || {
        let bits = *slots.get(*pos)?;
        *pos += 1;
        Some(bits)
    };
    Some(match ty {
        Type::Scalar(s) => {
            let bits = take()?;
            match s {
                Scalar::Bool => ConstValue::Bool(bits & 1 != 0),
                Scalar::I8 | Scalar::I16 | Scalar::I32 | Scalar::I64 => {
                    ConstValue::Int(bits as i64)
                }
                Scalar::U8 => ConstValue::Int(i64::from(bits as u8)),
                Scalar::U16 => ConstValue::Int(i64::from(bits as u16)),
                Scalar::U32 => ConstValue::Int(i64::from(bits as u32)),
                Scalar::U64 => ConstValue::Int(i64::try_from(bits).ok()?),
                Scalar::F32 => ConstValue::Float(f64::from(f32::from_bits(bits as u32))),
                Scalar::F64 => ConstValue::Float(f64::from_bits(bits)),
                Scalar::C64 => {
                    let im = take()?;
                    ConstValue::Complex(
                        f64::from(f32::from_bits(bits as u32)),
                        f64::from(f32::from_bits(im as u32)),
                    )
                }
                Scalar::C128 => ConstValue::Complex(f64::from_bits(bits), f64::from_bits(take()?)),
            }
        }
        Type::Tuple(items) => ConstValue::Tuple(
            items
                .iter()
                .map(|item| constant_from_slots(item, slots, pos))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

/// A number or bool literal, possibly signed: the common case, read without compiling.
fn literal(text: &str) -> Option<ConstValue> {
    let text = text.trim();
    match text {
        "True" => return Some(ConstValue::Bool(true)),
        "False" => return Some(ConstValue::Bool(false)),
        _ => {}
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text.strip_prefix('+').unwrap_or(text).trim_start()),
    };
    if digits.is_empty() || !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let int = if let Some(hex) = clean.strip_prefix("0x").or(clean.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = clean.strip_prefix("0o").or(clean.strip_prefix("0O")) {
        i64::from_str_radix(oct, 8).ok()
    } else if let Some(bin) = clean.strip_prefix("0b").or(clean.strip_prefix("0B")) {
        i64::from_str_radix(bin, 2).ok()
    } else if clean.bytes().all(|b| b.is_ascii_digit()) {
        // Python rejects `007`; only plain zeros may have leading zeros.
        if clean.len() > 1 && clean.starts_with('0') && clean.bytes().any(|b| b != b'0') {
            return None;
        }
        clean.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(value) = int {
        return Some(ConstValue::Int(if negative {
            value.checked_neg()?
        } else {
            value
        }));
    }
    let float_syntax = clean
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if float_syntax && let Ok(value) = clean.parse::<f64>() {
        return Some(ConstValue::Float(if negative { -value } else { value }));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = "\
import math
from math import sqrt, pi
import numpy as np
N = 10
HALF = N // 2
TAU = 2 * math.pi
PAIR = (1, 2.5)
NEG = -3.5e-1

def helper(x):
    return x * 2

def user(x):
    return helper(x) + N
";

    fn resolve(name: &str) -> Option<Global> {
        let table = ModuleTable::parse("m.py", MODULE, Options::default());
        let def = table.function("user").expect("parses");
        def.globals.resolve(name)
    }

    fn constant(name: &str) -> Option<ConstValue> {
        match resolve(name) {
            Some(Global::Value(GlobalValue::Const(c))) => Some(c),
            _ => None,
        }
    }

    #[test]
    fn literals_are_read_directly() {
        assert_eq!(literal("10"), Some(ConstValue::Int(10)));
        assert_eq!(literal("-0x10"), Some(ConstValue::Int(-16)));
        assert_eq!(literal("1_000"), Some(ConstValue::Int(1000)));
        assert_eq!(literal("2.5e3"), Some(ConstValue::Float(2500.0)));
        assert_eq!(literal(".5"), Some(ConstValue::Float(0.5)));
        assert_eq!(literal("True"), Some(ConstValue::Bool(true)));
        assert_eq!(literal("007"), None);
        assert_eq!(literal("x + 1"), None);
        assert_eq!(literal("1j"), None);
    }

    #[test]
    fn names_resolve_like_the_live_module() {
        assert_eq!(constant("N"), Some(ConstValue::Int(10)));
        assert_eq!(constant("HALF"), Some(ConstValue::Int(5)));
        assert_eq!(
            constant("TAU"),
            Some(ConstValue::Float(std::f64::consts::TAU))
        );
        assert_eq!(
            constant("pi"),
            Some(ConstValue::Float(std::f64::consts::PI))
        );
        assert_eq!(constant("NEG"), Some(ConstValue::Float(-0.35)));
        assert_eq!(
            constant("PAIR"),
            Some(ConstValue::Tuple(vec![
                ConstValue::Int(1),
                ConstValue::Float(2.5)
            ]))
        );
        assert!(matches!(
            resolve("np"),
            Some(Global::Value(GlobalValue::Module(ModuleKind::Numpy)))
        ));
        assert!(matches!(
            resolve("sqrt"),
            Some(Global::Value(GlobalValue::Intrinsic(_)))
        ));
        assert!(matches!(resolve("helper"), Some(Global::Function(_))));
        assert!(resolve("undefined").is_none());
    }
}
