//! Compiles a whole IR module into any `cranelift_module::Module` (JIT or object): declares
//! every function, translates and defines each, then adds the entry trampolines.

use crate::abi::{self, SymbolNames};
use crate::error::panic_message;
use crate::translate::{ModuleContext, translate_function};
use crate::{BackendError, CompileOptions};
use cranelift_codegen::ir::{UserFuncName, types};
use cranelift_codegen::print_errors::pretty_verifier_error;
use cranelift_codegen::{CodegenError, Context};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{FuncId, Linkage, Module, ModuleError};
use ir::Op;
use runtime::error::ErrorInfo;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// An exported entry trampoline.
pub(crate) struct EntryPoint {
    /// The IR function it calls.
    pub name: String,
    pub symbol: String,
    pub id: FuncId,
}

/// What compiling a module produced besides the code held by the `Module`.
pub(crate) struct CompiledModule {
    pub entries: Vec<EntryPoint>,
    /// C-callable trampolines, one per name in `SymbolNames::c_entries`.
    pub c_entries: Vec<EntryPoint>,
    pub errors: Vec<ErrorInfo>,
    pub dumps: String,
    /// Symbols of the runtime helpers the code calls.
    pub runtime_imports: Vec<&'static str>,
}

pub(crate) fn compile_module<M: Module>(
    module: &mut M,
    ir: &ir::Module,
    entries: &[&str],
    names: &SymbolNames,
    opts: &CompileOptions,
) -> Result<CompiledModule, BackendError> {
    let pointer = module.target_config().pointer_type();
    if pointer != types::I64 {
        return Err(BackendError::Target(format!(
            "IR pointers are 64-bit; the target's are {pointer}"
        )));
    }
    let call_conv = module.isa().default_call_conv();

    let mut functions = HashMap::new();
    for (index, func) in ir.functions.iter().enumerate() {
        if functions.contains_key(func.name.as_str()) {
            return Err(BackendError::DuplicateFunction(func.name.clone()));
        }
        let sig = abi::internal_signature(func, pointer, call_conv);
        let symbol = names.internal(&func.name);
        let id = module
            .declare_function(&symbol, Linkage::Local, &sig)
            .map_err(|e| cranelift_error(&func.name, e))?;
        functions.insert(func.name.as_str(), (id, index));
    }
    let mut entry_points: Vec<EntryPoint> = Vec::new();
    for &name in entries {
        if entry_points.iter().any(|e| e.name == name) {
            continue;
        }
        if !functions.contains_key(name) {
            return Err(BackendError::UnknownEntry(name.to_string()));
        }
        let symbol = names.entry(name);
        let id = module
            .declare_function(
                &symbol,
                Linkage::Export,
                &abi::entry_signature(pointer, call_conv),
            )
            .map_err(|e| cranelift_error(name, e))?;
        entry_points.push(EntryPoint {
            name: name.to_string(),
            symbol,
            id,
        });
    }

    let mut c_entries: Vec<EntryPoint> = Vec::new();
    for name in &names.c_entries {
        let Some(&(_, index)) = functions.get(name.as_str()) else {
            return Err(BackendError::UnknownEntry(name.clone()));
        };
        let symbol = names.c_entry(name);
        let sig = crate::c_entry::c_signature(&ir.functions[index], pointer, call_conv);
        let id = module
            .declare_function(&symbol, Linkage::Export, &sig)
            .map_err(|e| cranelift_error(name, e))?;
        c_entries.push(EntryPoint {
            name: name.clone(),
            symbol,
            id,
        });
    }

    let (errors, error_bases) = abi::build_error_table(ir);
    let may_raise = may_raise(ir, &functions);
    let mut mcx = ModuleContext {
        ir,
        functions,
        runtime: HashMap::new(),
        parallel_for: None,
        error_bases,
        may_raise,
    };
    let mut ctx = module.make_context();
    let mut fctx = FunctionBuilderContext::new();
    let mut dumps = String::new();

    for (index, func) in ir.functions.iter().enumerate() {
        let (id, _) = mcx.functions[func.name.as_str()];
        ctx.func.signature = abi::internal_signature(func, pointer, call_conv);
        ctx.func.name = UserFuncName::user(0, id.as_u32());
        guarded(&func.name, &mut ctx, |ctx| {
            translate_function(module, &mut mcx, index, &mut ctx.func, &mut fctx)?;
            define(module, id, ctx, &func.name, opts, &mut dumps)
        })?;
        module.clear_context(&mut ctx);
    }
    for entry in &entry_points {
        let (internal, index) = mcx.functions[entry.name.as_str()];
        let label = format!("entry trampoline of {}", entry.name);
        guarded(&label, &mut ctx, |ctx| {
            abi::build_entry_trampoline(
                module,
                ctx,
                &mut fctx,
                &ir.functions[index],
                internal,
                entry.id,
            )?;
            define(module, entry.id, ctx, &label, opts, &mut dumps)
        })?;
        module.clear_context(&mut ctx);
    }

    for entry in &c_entries {
        let (internal, index) = mcx.functions[entry.name.as_str()];
        let label = format!("C entry of {}", entry.name);
        guarded(&label, &mut ctx, |ctx| {
            crate::c_entry::build_c_trampoline(
                module,
                ctx,
                &mut fctx,
                &ir.functions[index],
                internal,
                entry.id,
                &errors,
            )?;
            define(module, entry.id, ctx, &label, opts, &mut dumps)
        })?;
        module.clear_context(&mut ctx);
    }

    let mut runtime_imports: Vec<_> = mcx.runtime.keys().map(|f| f.describe().symbol).collect();
    runtime_imports.sort_unstable();
    Ok(CompiledModule {
        entries: entry_points,
        c_entries,
        errors,
        dumps,
        runtime_imports,
    })
}

/// Runs `body`, turning a panic (in Cranelift, or on malformed IR arenas) into [`BackendError::Internal`] with the CLIF that was
/// being compiled.
fn guarded(
    function: &str,
    ctx: &mut Context,
    body: impl FnOnce(&mut Context) -> Result<(), BackendError>,
) -> Result<(), BackendError> {
    match catch_unwind(AssertUnwindSafe(|| body(&mut *ctx))) {
        Ok(result) => result,
        Err(payload) => {
            let clif = catch_unwind(AssertUnwindSafe(|| ctx.func.display().to_string()))
                .unwrap_or_default();
            Err(BackendError::Internal {
                function: function.to_string(),
                message: panic_message(&*payload),
                clif,
            })
        }
    }
}

/// Compiles the function in `ctx` into `module`, recording the requested dumps.
fn define<M: Module>(
    module: &mut M,
    id: FuncId,
    ctx: &mut Context,
    label: &str,
    opts: &CompileOptions,
    dumps: &mut String,
) -> Result<(), BackendError> {
    if opts.dump_clif {
        let _ = writeln!(dumps, ";; CLIF of `{label}`\n{}", ctx.func.display());
    }
    ctx.set_disasm(opts.dump_asm);
    match module.define_function(id, ctx) {
        Ok(()) => {}
        Err(ModuleError::Compilation(CodegenError::Verifier(errors))) => {
            let report = pretty_verifier_error(&ctx.func, None, errors);
            return Err(BackendError::Verifier {
                function: label.to_string(),
                report,
            });
        }
        Err(e) => return Err(cranelift_error(label, e)),
    }
    if opts.dump_asm {
        let _ = writeln!(
            dumps,
            ";; optimized CLIF of `{label}`\n{}",
            ctx.func.display()
        );
        let vcode = ctx
            .compiled_code()
            .and_then(|code| code.vcode.as_deref())
            .unwrap_or("");
        let _ = writeln!(dumps, ";; assembly of `{label}`\n{vcode}");
    }
    Ok(())
}

pub(crate) fn cranelift_error(function: &str, e: ModuleError) -> BackendError {
    BackendError::Cranelift {
        function: function.to_string(),
        message: e.to_string(),
    }
}

/// For each function: may a call of it leave an error in the slot? True if it raises or calls a
/// function that may (a fixpoint over the call graph; calls of unknown names count as raising,
/// and are reported when translated).
fn may_raise(ir: &ir::Module, functions: &HashMap<&str, (FuncId, usize)>) -> Vec<bool> {
    let mut callees: Vec<Vec<Option<usize>>> = Vec::with_capacity(ir.functions.len());
    let mut raises: Vec<bool> = Vec::with_capacity(ir.functions.len());
    for func in &ir.functions {
        // Tolerates malformed arenas: translation reports them.
        let insts = func
            .layout
            .iter()
            .filter_map(|&b| func.blocks.get(b.0 as usize));
        let ops = insts
            .flat_map(|b| &b.insts)
            .filter_map(|&i| func.insts.get(i.0 as usize))
            .map(|d| &d.op);
        let mut direct = false;
        let mut calls = Vec::new();
        for op in ops {
            match op {
                // A bare `raise` in an `except` clause puts a caught error back.
                Op::Raise(_) | Op::CallRuntime(runtime::math::RuntimeFn::RestoreError) => {
                    direct = true
                }
                Op::Call(name) | Op::CallCatch(name) | Op::ParallelFor(name) => {
                    calls.push(functions.get(name.as_str()).map(|&(_, index)| index))
                }
                _ => {}
            }
        }
        raises.push(direct);
        callees.push(calls);
    }
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
