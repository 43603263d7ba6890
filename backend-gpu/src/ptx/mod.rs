//! IR → PTX text. Needs nothing of CUDA: the output is a string, checked in tests by `ptxas`.
//!
//! A module becomes:
//!
//! ```text
//! .version 7.0                    // PtxOptions::version
//! .target sm_70                   // PtxOptions::target
//! .address_size 64
//! .func ... fj_f(...);            // a prototype of every function, so order never matters
//! .func ... fj_f(...) { ... }     // every IR function (function.rs, ops.rs)
//! .func ... fjm_sin(...) { ... }  // math functions taken from the math library (math.rs)
//! .visible .entry k(...) { ... }  // every requested kernel (kernel.rs)
//! ```
//!
//! **Calling convention** (between `.func`s): `fj_<name>(.param .b64 err, params...)`, where
//! `err` is a *generic* address of a `runtime::error::ErrorSlot` (u32 code at 0, three i64
//! arguments at 8, 16, 24). Parameters and results use the `.param` types of `regs.rs`
//! (`bool` as `.b32` 0/1; `i8`/`i16` as canonical `.b32`). One result is
//! a scalar return parameter; several are an 8-byte-aligned byte array with result `i` at
//! offset `8 * i` (ptxas accepts only one return parameter outside the `.reg` space). Names
//! are mangled (`fj_` + the IR name with other characters than `[A-Za-z0-9_]` escaped as
//! `$xx`), so any IR name is a valid PTX identifier.
//!
//! **Errors** use the CPU backend's scheme: the module-wide error table is every function's
//! error table in module order (then those of math-library functions), and `raise errorN` of a
//! function whose first error has global index `base` stores code `base + N + 1` and its
//! arguments into the slot, then returns zeros. After a call of a function that may raise
//! (directly or through callees), the caller reads the code and propagates a nonzero one the
//! same way. A kernel gives each thread its own slot in local memory; when its scalar function
//! raises, the thread publishes the code into the launch's global slot with `atom.global.cas`
//! (first error wins), copies the arguments if it won, and exits.
//!
//! **Exactness**: float arithmetic uses the `.rn` forms (`add.rn`, `mul.rn`, … — never
//! contracted into FMA), no `.ftz`, so results are bit-identical to the CPU backend. Only
//! `fastmath` math functions use the approximate hardware instructions.

mod copy;
mod function;
mod kernel;
mod math;
mod ops;
mod regs;

pub use regs::memory_size;

use crate::GpuError;
use crate::error::panic_message;
use ir::{Op, Ty};
use math::MathImpl;
use runtime::error::ErrorInfo;
use runtime::math::RuntimeFn;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A source of IR implementations of runtime math functions (by default `ir::mathlib::build`):
/// given a function and its result type, an IR function with the runtime function's signature,
/// built from basic operations only.
pub type MathLibrary = fn(RuntimeFn, Ty) -> Option<ir::Function>;

/// Newest PTX ISA version accepted (what the `ptxas` of CUDA 12.9 reads).
pub const MAX_PTX_VERSION: (u32, u32) = (8, 8);

/// What PTX to write.
#[derive(Clone, Debug)]
pub struct PtxOptions {
    /// The `.version` directive. The default, 7.0, is read by every driver since CUDA 11.0.
    pub version: (u32, u32),
    /// The `.target` directive (`sm_70`, …). Code for an older target runs on newer devices
    /// (the driver compiles the PTX for the device at load time).
    pub target: String,
    /// Allow the approximate hardware math instructions (`sin.approx.f32`, `ex2.approx.f32`,
    /// …) for `f32` math functions. Arithmetic stays exact.
    pub fastmath: bool,
    /// Where to find IR implementations of math functions the GPU lacks; by default
    /// `ir::mathlib::build`. `None`: only the functions with a native lowering are available.
    pub math_library: Option<MathLibrary>,
}

impl Default for PtxOptions {
    fn default() -> Self {
        PtxOptions {
            version: (7, 0),
            target: "sm_70".to_string(),
            fastmath: false,
            math_library: Some(ir::mathlib::build),
        }
    }
}

impl PtxOptions {
    /// Options for `target` with the lowest PTX version that supports it (at least 7.0).
    pub fn for_target(target: &str) -> PtxOptions {
        let version = min_version(target).map_or((7, 0), |v| v.max((7, 0)));
        PtxOptions {
            version,
            target: target.to_string(),
            ..PtxOptions::default()
        }
    }
}

/// The lowest PTX ISA version that knows `sm_XY`; `None` for what is not `sm_XY` with XY ≥ 70
/// (older GPUs lack what the generated code assumes, and ptxas 12.9 dropped most of them).
fn min_version(target: &str) -> Option<(u32, u32)> {
    let arch: u32 = target
        .strip_prefix("sm_")?
        .trim_end_matches(['a', 'f'])
        .parse()
        .ok()?;
    Some(match arch {
        ..=69 => return None,
        70 => (6, 0),
        71..=72 => (6, 1),
        73..=75 => (6, 3),
        76..=80 => (7, 0),
        81..=86 => (7, 1),
        87 => (7, 4),
        88..=90 => (7, 8),
        91..=100 => (8, 6),
        _ => (8, 7),
    })
}

/// One argument of a ufunc-style kernel.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum KernelArg {
    /// A contiguous array of `ty`; element `i` goes to the call for index `i`.
    Array { ty: Ty },
    /// One value of `ty` passed to every call (broadcast).
    Scalar { ty: Ty },
}

impl KernelArg {
    pub fn ty(self) -> Ty {
        match self {
            KernelArg::Array { ty } | KernelArg::Scalar { ty } => ty,
        }
    }
}

/// A kernel to generate around a scalar IR function: `out[i] = scalar_fn(inputs…[i])` for
/// `i` in `0..n`, with the parameters `(n: u64, inputs…, out: pointer, err: pointer)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KernelSpec {
    /// The `.entry` name: a plain identifier (`[A-Za-z_][A-Za-z0-9_]*`).
    pub name: String,
    /// The IR function computing one element; its parameters are the inputs' types and it
    /// returns one value of type `output`.
    pub scalar_fn: String,
    pub inputs: Vec<KernelArg>,
    pub output: Ty,
}

/// A PTX module with what a loader needs besides the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PtxModule {
    pub text: String,
    /// Error code `c` (nonzero) stands for `errors[c - 1]`.
    pub errors: Vec<ErrorInfo>,
    pub kernels: Vec<KernelSpec>,
}

/// Generates the PTX text of `module` with the `kernels` requested.
pub fn emit_module(
    module: &ir::Module,
    kernels: &[KernelSpec],
    opts: &PtxOptions,
) -> Result<String, GpuError> {
    compile_ptx(module, kernels, opts).map(|m| m.text)
}

/// Like [`emit_module`], also returning the error table and kernel list a loader needs.
pub fn compile_ptx(
    module: &ir::Module,
    kernels: &[KernelSpec],
    opts: &PtxOptions,
) -> Result<PtxModule, GpuError> {
    check_options(opts)?;
    // The loop vectorizer targets the CPU's 128-bit registers; GPU code stays scalar.
    for func in &module.functions {
        if func.values.iter().any(|v| v.ty.is_vector()) {
            return Err(GpuError::Unsupported(format!(
                "`{}` uses vector types (only the CPU backend lowers them)",
                func.name
            )));
        }
    }
    let math_functions = math::resolve(module, opts)?;
    let cx = ModuleCx::new(module, &math_functions)?;
    let mut text = String::new();
    let _ = writeln!(text, "//\n// Generated by ferrojit (backend-gpu)\n//\n");
    let _ = writeln!(text, ".version {}.{}", opts.version.0, opts.version.1);
    let _ = writeln!(text, ".target {}", opts.target);
    let _ = writeln!(text, ".address_size 64\n");
    for unit in &cx.units {
        let _ = writeln!(text, "{};", function::signature(unit.func, &unit.symbol));
    }
    for index in 0..cx.units.len() {
        text.push('\n');
        let name = &cx.units[index].func.name;
        let body = catch_unwind(AssertUnwindSafe(|| function::emit(&cx, index))).map_err(
            |payload| {
                GpuError::Internal(format!(
                    "emitting `{name}` panicked: {}",
                    panic_message(&*payload)
                ))
            },
        )??;
        text.push_str(&body);
    }
    let mut symbols: Vec<&str> = cx.units.iter().map(|u| u.symbol.as_str()).collect();
    for spec in kernels {
        if symbols.contains(&spec.name.as_str()) {
            return Err(GpuError::kernel(&spec.name, "the name is already used"));
        }
        symbols.push(&spec.name);
        text.push('\n');
        text.push_str(&kernel::emit(&cx, spec)?);
    }
    Ok(PtxModule {
        text,
        errors: cx.errors,
        kernels: kernels.to_vec(),
    })
}

fn check_options(opts: &PtxOptions) -> Result<(), GpuError> {
    if opts.version > MAX_PTX_VERSION || opts.version < (6, 0) {
        return Err(GpuError::Unsupported(format!(
            "PTX version {}.{} (use 6.0 to {}.{})",
            opts.version.0, opts.version.1, MAX_PTX_VERSION.0, MAX_PTX_VERSION.1
        )));
    }
    let Some(min) = min_version(&opts.target) else {
        return Err(GpuError::Unsupported(format!(
            "target `{}` (expected `sm_XY` with XY at least 70)",
            opts.target
        )));
    };
    if opts.version < min {
        return Err(GpuError::Unsupported(format!(
            "target `{}` with PTX {}.{}: it needs PTX {}.{} or newer",
            opts.target, opts.version.0, opts.version.1, min.0, min.1
        )));
    }
    Ok(())
}

/// One `.func` to emit: an IR function of the module or of the math library.
pub(crate) struct Unit<'a> {
    pub func: &'a ir::Function,
    pub symbol: String,
}

/// What emitting one function needs to know about the whole module.
pub(crate) struct ModuleCx<'a> {
    pub units: Vec<Unit<'a>>,
    /// IR function name → unit index (module functions only).
    pub by_name: HashMap<&'a str, usize>,
    /// How each runtime function called anywhere is lowered.
    pub math: HashMap<RuntimeFn, MathImpl>,
    /// Per unit: may a call of it leave an error in the slot?
    pub may_raise: Vec<bool>,
    /// Per unit: global index of its first error.
    pub error_bases: Vec<u32>,
    /// Per unit: can it call itself (directly or through others)?
    pub recursive: Vec<bool>,
    /// Some function has a stack slot: IR pointers may address local memory, so loads and
    /// stores use generic addressing instead of `.global`.
    pub generic_memory: bool,
    pub errors: Vec<ErrorInfo>,
}

impl<'a> ModuleCx<'a> {
    fn new(module: &'a ir::Module, math: &'a math::Resolved) -> Result<Self, GpuError> {
        let mut units = Vec::new();
        let mut by_name = HashMap::new();
        for func in &module.functions {
            if by_name.insert(func.name.as_str(), units.len()).is_some() {
                return Err(GpuError::invalid(
                    &func.name,
                    "the module defines it more than once",
                ));
            }
            units.push(Unit {
                func,
                symbol: regs::function_symbol(&func.name),
            });
        }
        let mut impls = HashMap::new();
        for (f, imp) in &math.impls {
            let imp = match imp {
                math::Lowering::Native(n) => MathImpl::Native(*n),
                math::Lowering::Library(i) => MathImpl::Function(module.functions.len() + i),
            };
            impls.insert(*f, imp);
        }
        for (f, func) in &math.functions {
            units.push(Unit {
                func,
                symbol: format!("fjm_{}", f.ir_name()),
            });
        }
        let mut errors = Vec::new();
        let mut error_bases = Vec::with_capacity(units.len());
        for unit in &units {
            error_bases.push(errors.len() as u32);
            errors.extend(unit.func.errors.iter().map(|site| ErrorInfo {
                kind: site.kind,
                message: site.message.clone(),
                function: unit.func.name.clone(),
                line: site.line,
                col: site.col,
            }));
        }
        let generic_memory = units
            .iter()
            .any(|u| ops_of(u.func).any(|op| matches!(op, Op::StackSlot(_))));
        let mut cx = ModuleCx {
            units,
            by_name,
            math: impls,
            may_raise: Vec::new(),
            error_bases,
            recursive: Vec::new(),
            generic_memory,
            errors,
        };
        let callees = cx.callees();
        cx.may_raise = cx.compute_may_raise(&callees);
        cx.recursive = (0..cx.units.len())
            .map(|start| reaches(&callees, start, start))
            .collect();
        Ok(cx)
    }

    /// Per unit, the units it calls (`None`: an unknown name, reported when emitted).
    fn callees(&self) -> Vec<Vec<Option<usize>>> {
        let callee = |op: &Op| match op {
            Op::Call(name) => Some(self.by_name.get(name.as_str()).copied()),
            Op::CallRuntime(f) => match self.math.get(f) {
                Some(MathImpl::Function(i)) => Some(Some(*i)),
                _ => None,
            },
            _ => None,
        };
        self.units
            .iter()
            .map(|u| ops_of(u.func).filter_map(callee).collect())
            .collect()
    }

    /// A fixpoint over the call graph: a function may raise if it raises or calls (or uses a
    /// math function implemented by) a function that may. Unknown callees count as raising;
    /// emission reports them.
    fn compute_may_raise(&self, callees: &[Vec<Option<usize>>]) -> Vec<bool> {
        let mut raises: Vec<bool> = self
            .units
            .iter()
            .map(|u| ops_of(u.func).any(|op| matches!(op, Op::Raise(_))))
            .collect();
        let mut changed = true;
        while changed {
            changed = false;
            for i in 0..raises.len() {
                if !raises[i] && callees[i].iter().any(|c| c.is_none_or(|j| raises[j])) {
                    raises[i] = true;
                    changed = true;
                }
            }
        }
        raises
    }
}

/// The ops of `func`'s placed instructions (tolerating malformed arenas: emission reports
/// them).
fn ops_of(func: &ir::Function) -> impl Iterator<Item = &Op> {
    func.layout
        .iter()
        .filter_map(|&b| func.blocks.get(b.0 as usize))
        .flat_map(|b| &b.insts)
        .filter_map(|&i| func.insts.get(i.0 as usize))
        .map(|d| &d.op)
}

/// Whether `to` is reachable from `from` by at least one call.
fn reaches(callees: &[Vec<Option<usize>>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; callees.len()];
    let mut stack: Vec<usize> = callees[from].iter().flatten().copied().collect();
    while let Some(u) = stack.pop() {
        if u == to {
            return true;
        }
        if !std::mem::replace(&mut seen[u], true) {
            stack.extend(callees[u].iter().flatten().copied());
        }
    }
    false
}
