//! The CPython extension module of a built library: C source that needs only Python's and
//! NumPy's headers at build time, and only NumPy at run time (ferrojit need not be installed).
//!
//! One Python function per exported name. A call binds positional and keyword arguments to the
//! parameters, then picks the variant (signature) its arguments convert to most mildly, as
//! ferrojit's dispatcher does for explicit signatures (pybridge/src/overload.rs): each argument
//! is typed like the dispatcher types it (`int` → int64, `float` → float64, NumPy arrays by
//! dtype, rank and C/F/any layout, NumPy scalars by dtype, tuples element-wise), and a variant's
//! rank is the worst of its arguments' conversions (exact < promotion < safe < unsafe; complex
//! never converts to real, arrays keep dtype and rank, C/F arrays convert to any-layout ones).
//! Ties go to the signature given first; no match raises `TypeError` listing the signatures.
//!
//! The chosen variant's arguments are flattened into entry slots and array descriptors on the
//! C stack (arrays are passed in place, never copied), the entry runs with the GIL released when
//! arrays are involved, an error code becomes the built-in exception compiled code raised (its
//! message from the error table, plus the note `(in function f at line N)` that the JIT adds),
//! and the result is boxed: numbers, tuples, `None`, an argument array returned as itself, a
//! view of an argument (its base), or an array the call created: its buffer is taken out of the
//! call's memory (`runtime::exports`) and becomes the NumPy array's base (a capsule that frees
//! it). The rest of the call's memory is freed when the call returns or raises.

use super::cgen::{c_identifier, c_string, slot_count, variant_name};
use super::compile::{CompiledExport, CompiledVariant};
use std::collections::HashMap;
use typeinfer::{Conversion, Layout, Scalar, Type};

/// The rank of converting a number of type `from` to a parameter of type `to` in the generated
/// C table: typeinfer's one table of conversions (0 exact, 1 promotion, 2 safe, 3 unsafe), -1
/// where it allows none.
fn scalar_conversion(from: Scalar, to: Scalar) -> i8 {
    typeinfer::conversion::scalar_conversion(from, to).map_or(-1, Conversion::rank)
}

/// The rank of an array conversion that is not exact (a C/F array for an any-layout
/// parameter), as `typeinfer::conversion` ranks it and the C prelude's `fj_rank_array` returns
/// it.
const ARRAY_CONVERSION: Conversion = Conversion::Safe;

fn scalar_code(s: Scalar) -> &'static str {
    match s {
        Scalar::Bool => "FJ_B1",
        Scalar::I8 => "FJ_I1",
        Scalar::I16 => "FJ_I2",
        Scalar::I32 => "FJ_I4",
        Scalar::I64 => "FJ_I8",
        Scalar::U8 => "FJ_U1",
        Scalar::U16 => "FJ_U2",
        Scalar::U32 => "FJ_U4",
        Scalar::U64 => "FJ_U8",
        Scalar::F32 => "FJ_F4",
        Scalar::F64 => "FJ_F8",
        Scalar::C64 => "FJ_C8",
        Scalar::C128 => "FJ_C16",
    }
}

fn layout_char(layout: Layout) -> char {
    match layout {
        Layout::C => 'C',
        Layout::F => 'F',
        Layout::A => 'A',
    }
}

/// Helpers every extension shares (scalar typing, conversions, descriptors, errors).
const PRELUDE: &str = include_str!("pyext_prelude.c");

/// The entry ABI's slot encoding of integers (`ir::lower::flatten::SlotEncoding`), as the C
/// table `fj_slot_bits` the prelude's `fj_encode_integer` reads: per scalar in `Scalar::ALL`
/// order, the width in bits, negative for a signed integer, 0 for anything else.
fn slot_encoding_table() -> String {
    use ir::lower::flatten::SlotEncoding;
    let widths: Vec<String> = Scalar::ALL
        .iter()
        .map(|&s| match SlotEncoding::of(s) {
            SlotEncoding::Signed(bits) => format!("-{bits}"),
            SlotEncoding::Unsigned(bits) => bits.to_string(),
            _ => "0".to_string(),
        })
        .collect();
    format!(
        "static const signed char fj_slot_bits[13] = {{{}}};\n",
        widths.join(", ")
    )
}

/// Per-type C functions, generated once per distinct type.
#[derive(Default)]
struct TypeFunctions {
    ids: HashMap<Type, usize>,
    code: String,
}

impl TypeFunctions {
    /// The id of `ty`'s `fj_rank_N`/`fj_flat_N`/`fj_box_N` functions, generating them.
    fn id(&mut self, ty: &Type) -> usize {
        if let Some(&id) = self.ids.get(ty) {
            return id;
        }
        let children: Vec<usize> = match ty {
            Type::Tuple(items) => items.iter().map(|t| self.id(t)).collect(),
            _ => Vec::new(),
        };
        let id = self.ids.len();
        self.ids.insert(ty.clone(), id);
        let c = &mut self.code;
        c.push_str(&format!("\n/* {ty} */\n"));
        match ty {
            Type::Scalar(s) => {
                let code = scalar_code(*s);
                c.push_str(&format!(
                    "static int fj_rank_{id}(PyObject *o) {{ return fj_rank_scalar(o, {code}); }}\n\
                     static int fj_flat_{id}(PyObject *o, uint64_t *slots, size_t *pos, fj_descs *ds) {{\n    \
                     (void)ds; return fj_put_scalar(o, {code}, slots, pos);\n}}\n\
                     static PyObject *fj_box_{id}(const uint64_t *rets, size_t *pos, fj_descs *ds) {{\n    \
                     (void)ds; return fj_box_scalar({code}, rets, pos);\n}}\n"
                ));
            }
            Type::Array {
                dtype,
                ndim,
                layout,
                readonly,
            } => {
                let code = scalar_code(*dtype);
                let layout = layout_char(*layout);
                // A parameter the function writes into takes writeable arrays only.
                let writeable = i32::from(!*readonly);
                c.push_str(&format!(
                    "static int fj_rank_{id}(PyObject *o) {{ return fj_rank_array(o, {code}, {ndim}, '{layout}', {writeable}); }}\n\
                     static int fj_flat_{id}(PyObject *o, uint64_t *slots, size_t *pos, fj_descs *ds) {{\n    \
                     slots[(*pos)++] = fj_push_array(o, ds); return 0;\n}}\n\
                     static PyObject *fj_box_{id}(const uint64_t *rets, size_t *pos, fj_descs *ds) {{\n    \
                     return fj_box_array(rets[(*pos)++], {code}, {ndim}, ds);\n}}\n"
                ));
            }
            Type::Tuple(_) => {
                let n = children.len();
                c.push_str(&format!(
                    "static int fj_rank_{id}(PyObject *o) {{\n    int worst = 0, r;\n    \
                     if (!PyTuple_Check(o) || PyTuple_GET_SIZE(o) != {n}) return -1;\n"
                ));
                for (i, child) in children.iter().enumerate() {
                    c.push_str(&format!(
                        "    r = fj_rank_{child}(PyTuple_GET_ITEM(o, {i}));\n    \
                         if (r < 0) return -1;\n    if (r > worst) worst = r;\n"
                    ));
                }
                c.push_str("    return worst;\n}\n");
                c.push_str(&format!(
                    "static int fj_flat_{id}(PyObject *o, uint64_t *slots, size_t *pos, fj_descs *ds) {{\n"
                ));
                for (i, child) in children.iter().enumerate() {
                    c.push_str(&format!(
                        "    if (fj_flat_{child}(PyTuple_GET_ITEM(o, {i}), slots, pos, ds) < 0) return -1;\n"
                    ));
                }
                c.push_str("    (void)o; (void)slots; (void)pos; (void)ds;\n    return 0;\n}\n");
                c.push_str(&format!(
                    "static PyObject *fj_box_{id}(const uint64_t *rets, size_t *pos, fj_descs *ds) {{\n    \
                     PyObject *t = PyTuple_New({n});\n    if (!t) return NULL;\n"
                ));
                for (i, child) in children.iter().enumerate() {
                    c.push_str(&format!(
                        "    {{ PyObject *item = fj_box_{child}(rets, pos, ds);\n      \
                         if (!item) {{ Py_DECREF(t); return NULL; }}\n      \
                         PyTuple_SET_ITEM(t, {i}, item); }}\n"
                    ));
                }
                c.push_str("    (void)rets; (void)pos; (void)ds;\n    return t;\n}\n");
            }
            Type::NoneType
            | Type::Optional(_)
            | Type::Range
            | Type::Str
            | Type::List { .. }
            | Type::Dict { .. }
            | Type::Set { .. }
            | Type::Unknown
            | Type::Function { .. }
            | Type::DType(_)
            | Type::CPointer(_)
            | Type::Instance { .. }
            | Type::Generator => {
                // Lists, C pointers, generators and jitclass instances never reach here (`compile_exports` refuses them).
                c.push_str(&format!(
                    "static int fj_rank_{id}(PyObject *o) {{ return o == Py_None ? 0 : -1; }}\n\
                     static int fj_flat_{id}(PyObject *o, uint64_t *slots, size_t *pos, fj_descs *ds) {{\n    \
                     (void)o; (void)slots; (void)pos; (void)ds; return 0;\n}}\n\
                     static PyObject *fj_box_{id}(const uint64_t *rets, size_t *pos, fj_descs *ds) {{\n    \
                     (void)rets; (void)pos; (void)ds; Py_RETURN_NONE;\n}}\n"
                ));
            }
        }
        id
    }
}

fn array_count(ty: &Type) -> usize {
    match ty {
        Type::Array { .. } => 1,
        Type::Tuple(items) => items.iter().map(array_count).sum(),
        _ => 0,
    }
}

fn descriptor_words(ty: &Type) -> usize {
    match ty {
        Type::Array { ndim, .. } => runtime::array::descriptor_size(u32::from(*ndim)) / 8,
        Type::Tuple(items) => items.iter().map(descriptor_words).sum(),
        _ => 0,
    }
}

/// The C source of extension module `module`; `header_name` is the library header it includes.
pub fn extension_source(module: &str, exports: &[CompiledExport], header_name: &str) -> String {
    let mut c = format!(
        "/* Generated by ferrojit {version}: the CPython extension `{module}`. Do not edit. */\n\
         #define PY_SSIZE_T_CLEAN\n#include <Python.h>\n\
         #define FJ_API __attribute__((visibility(\"hidden\")))\n\
         #include \"{header_name}\"\n",
        version = env!("CARGO_PKG_VERSION")
    );
    c.push_str(&format!(
        "#define FJ_ARRAY_CONVERSION_RANK {}\n",
        ARRAY_CONVERSION.rank()
    ));
    c.push_str(&slot_encoding_table());
    c.push_str(PRELUDE);
    c.push_str("\nstatic const signed char fj_conversion[13][13] = {\n");
    for from in Scalar::ALL {
        let row: Vec<String> = Scalar::ALL
            .iter()
            .map(|&to| scalar_conversion(from, to).to_string())
            .collect();
        c.push_str(&format!("    {{{}}}, /* from {from} */\n", row.join(", ")));
    }
    c.push_str("};\n");
    c.push_str(
        "static int fj_rank_scalar(PyObject *o, int to) {\n    \
         int from = fj_scalar_kind(o);\n    return from < 0 ? -1 : fj_conversion[from][to];\n}\n",
    );

    let mut types = TypeFunctions::default();
    let mut functions = String::new();
    let mut methods = String::new();
    for export in exports {
        let fname = c_identifier(&export.name);
        let nparams = export.params.len();
        for (v, variant) in export.variants.iter().enumerate() {
            functions.push_str(&variant_functions(
                module,
                export,
                variant,
                &format!("{fname}_{v}"),
                &mut types,
            ));
        }
        // The Python-visible function.
        let params: Vec<String> = export.params.iter().map(|p| c_string(p)).collect();
        let signatures: Vec<&str> = export
            .variants
            .iter()
            .map(|v| v.signature.as_str())
            .collect();
        functions.push_str(&format!(
            "\nstatic const char *const fj_params_{fname}[] = {{{params}{comma}NULL}};\n\
             static PyObject *fj_py_{fname}(PyObject *self, PyObject *const *args, \
             Py_ssize_t nargs, PyObject *kwnames) {{\n    \
             PyObject *bound[{slots}];\n    int best = -1, best_rank = 99, r;\n    (void)self; (void)r;\n    \
             if (fj_bind({name}, fj_params_{fname}, {nparams}, args, nargs, kwnames, bound) < 0) return NULL;\n",
            params = params.join(", "),
            comma = if params.is_empty() { "" } else { ", " },
            slots = nparams.max(1),
            name = c_string(&export.name),
        ));
        for v in 0..export.variants.len() {
            functions.push_str(&format!(
                "    r = fj_match_{fname}_{v}(bound);\n    \
                 if (r >= 0 && r < best_rank) {{ best = {v}; best_rank = r; }}\n"
            ));
        }
        functions.push_str("    switch (best) {\n");
        for v in 0..export.variants.len() {
            functions.push_str(&format!(
                "    case {v}: return fj_call_{fname}_{v}(bound);\n"
            ));
        }
        functions.push_str(&format!(
            "    default: return fj_no_match({name}, bound, {nparams}, {sigs});\n    }}\n}}\n",
            name = c_string(&export.name),
            sigs = c_string(&signatures.join("; ")),
        ));
        let doc = format!(
            "{}({})\n\nCompiled ahead of time by ferrojit from {} line {}.\nSignatures:\n{}",
            export.name,
            export.params.join(", "),
            export.filename,
            export.def_line,
            signatures
                .iter()
                .map(|s| format!("  {s}\n"))
                .collect::<String>()
        );
        methods.push_str(&format!(
            "    {{{}, (PyCFunction)(void (*)(void))fj_py_{fname}, METH_FASTCALL | METH_KEYWORDS, {}}},\n",
            c_string(&export.name),
            c_string(&doc)
        ));
    }
    c.push_str(&types.code);
    c.push_str(&functions);

    // The signatures dictionary and the module itself.
    let mut signature_entries = String::new();
    for export in exports {
        signature_entries
            .push_str("    { PyObject *list = PyList_New(0);\n      if (!list) goto fail;\n");
        for variant in &export.variants {
            signature_entries.push_str(&format!(
                "      {{ PyObject *s = PyUnicode_FromString({});\n        \
                 if (!s || PyList_Append(list, s) < 0) {{ Py_XDECREF(s); Py_DECREF(list); goto fail; }}\n        \
                 Py_DECREF(s); }}\n",
                c_string(&variant.signature)
            ));
        }
        signature_entries.push_str(&format!(
            "      if (PyDict_SetItemString(sigs, {}, list) < 0) {{ Py_DECREF(list); goto fail; }}\n      \
             Py_DECREF(list); }}\n",
            c_string(&export.name)
        ));
    }
    let module_doc = format!(
        "Functions of {} compiled ahead of time by ferrojit {}.",
        exports
            .first()
            .map_or("a Python module", |e| e.filename.as_str()),
        env!("CARGO_PKG_VERSION")
    );
    c.push_str(&format!(
        "\nstatic PyMethodDef fj_methods[] = {{\n{methods}    {{NULL, NULL, 0, NULL}}\n}};\n\n\
         static struct PyModuleDef fj_module = {{\n    PyModuleDef_HEAD_INIT, {name}, {doc}, -1, fj_methods,\n    \
         NULL, NULL, NULL, NULL\n}};\n\n\
         PyMODINIT_FUNC PyInit_{module}(void) {{\n    \
         PyObject *m, *sigs;\n    import_array();\n    \
         m = PyModule_Create(&fj_module);\n    if (!m) return NULL;\n    \
         sigs = PyDict_New();\n    if (!sigs) goto fail;\n\
         {signature_entries}    \
         if (PyModule_AddObject(m, \"__ferrojit_signatures__\", sigs) < 0) goto fail;\n    \
         if (PyModule_AddStringConstant(m, \"__ferrojit_version__\", {version}) < 0) {{ Py_DECREF(m); return NULL; }}\n    \
         return m;\nfail:\n    Py_XDECREF(sigs);\n    Py_DECREF(m);\n    return NULL;\n}}\n",
        name = c_string(module),
        doc = c_string(&module_doc),
        version = c_string(env!("CARGO_PKG_VERSION")),
    ));
    c
}

/// `fj_match_<id>` (rank of the bound arguments for this variant) and `fj_call_<id>`.
fn variant_functions(
    module: &str,
    export: &CompiledExport,
    variant: &CompiledVariant,
    id: &str,
    types: &mut TypeFunctions,
) -> String {
    let arg_ids: Vec<usize> = variant.arg_types.iter().map(|t| types.id(t)).collect();
    let ret_id = types.id(&variant.return_type);
    let name = variant_name(module, export, variant);
    let arg_slots: usize = variant.arg_types.iter().map(slot_count).sum();
    let ret_slots = slot_count(&variant.return_type);
    let arrays: usize = variant.arg_types.iter().map(array_count).sum();
    let words: usize = variant.arg_types.iter().map(descriptor_words).sum();
    let returned_arrays = array_count(&variant.return_type);
    let mut c = format!(
        "\n/* {}{} */\nstatic int fj_match_{id}(PyObject *const *args) {{\n    int worst = 0, r;\n    (void)args; (void)r;\n",
        export.name, variant.signature
    );
    for (i, t) in arg_ids.iter().enumerate() {
        c.push_str(&format!(
            "    r = fj_rank_{t}(args[{i}]);\n    if (r < 0) return -1;\n    if (r > worst) worst = r;\n"
        ));
    }
    c.push_str("    return worst;\n}\n");
    c.push_str(&format!(
        "static PyObject *fj_call_{id}(PyObject *const *args) {{\n    \
         uint64_t slots[{}], rets[{}], words[{}];\n    size_t starts[{}];\n    \
         fj_taken taken[{}];\n    ferrojit_error_slot err;\n    \
         fj_descs ds = {{words, 0, starts, 0, &err, taken, 0}};\n    size_t pos = 0;\n    \
         uint32_t code;\n    PyObject *result;\n    (void)args;\n    \
         memset(&err, 0, sizeof err);\n",
        arg_slots.max(1),
        ret_slots.max(1),
        words.max(1),
        arrays.max(1),
        returned_arrays.max(1),
    ));
    for (i, t) in arg_ids.iter().enumerate() {
        c.push_str(&format!(
            "    if (fj_flat_{t}(args[{i}], slots, &pos, &ds) < 0) return NULL;\n"
        ));
    }
    if arrays > 0 {
        c.push_str(&format!(
            "    Py_BEGIN_ALLOW_THREADS\n    code = {name}_entry(slots, rets, &err);\n    Py_END_ALLOW_THREADS\n"
        ));
    } else {
        c.push_str(&format!("    code = {name}_entry(slots, rets, &err);\n"));
    }
    // The call's memory is freed once the result is boxed (returned arrays took their
    // buffers out of it) or the exception raised.
    c.push_str(&format!(
        "    if (code) {{\n        \
         fj_raise({name}_error_info(code), &err, code, {module}_format_message);\n        \
         ferrojit_aot_release(&err);\n        return NULL;\n    }}\n    \
         pos = 0;\n    result = fj_box_{ret_id}(rets, &pos, &ds);\n    \
         ferrojit_aot_release(&err);\n    return result;\n}}\n"
    ));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_the_dispatcher() {
        use Scalar::*;
        // The generated table is typeinfer's, rank for rank.
        for from in Scalar::ALL {
            for to in Scalar::ALL {
                let shared =
                    typeinfer::conversion::conversion(&Type::Scalar(from), &Type::Scalar(to));
                assert_eq!(scalar_conversion(from, to), shared.map_or(-1, |c| c.rank()));
            }
        }
        let array = |layout| Type::array(F64, 1, layout);
        assert_eq!(
            typeinfer::conversion::conversion(&array(Layout::C), &array(Layout::A)),
            Some(ARRAY_CONVERSION)
        );
        assert_eq!(scalar_conversion(I64, F64), 2);
        assert_eq!(scalar_conversion(F32, F64), 1);
        assert_eq!(scalar_conversion(F64, I64), 3);
        assert_eq!(scalar_conversion(C128, F64), -1);
        assert_eq!(scalar_conversion(Bool, I64), 2);
        assert_eq!(scalar_conversion(I64, Bool), 3);
        assert_eq!(scalar_conversion(U32, I64), 2);
        assert_eq!(scalar_conversion(F64, F64), 0);
    }
}
