//! The C side of a built library: its header (`<module>.h`) and the glue compiled into it.
//!
//! For every exported variant `<module>_<function>_<tag>` the library has:
//!
//! - `uint32_t <…>_entry(const uint64_t *args, uint64_t *rets, ferrojit_error_slot *err)`: the
//!   uniform entry of `runtime::abi` (flattened 8-byte slots; the header documents each
//!   variant's slot layout);
//! - `int32_t <…>(typed arguments..., result pointers..., ferrojit_error_slot *err)`: a typed
//!   wrapper (numbers by value, arrays as pointers to descriptors, complex numbers as structs,
//!   tuples flattened into one parameter per element; `err` may be NULL);
//! - `const ferrojit_error_info *<…>_error_info(uint32_t code)`: the error table row of a
//!   nonzero code (exception class, message template, function, file, line, column).
//!
//! and once per library `<module>_format_error(info, err, buf, size)`, which renders an error
//! as the Python exception would read (`IndexError: index 7 is out of bounds ... (in function
//! f at line 12)`).

use super::compile::{CompiledExport, CompiledVariant};
use typeinfer::{Scalar, Type};

/// Escapes `text` as the contents of a C string literal.
pub fn c_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for b in text.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'?' => out.push_str("\\?"), // no trigraphs
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out.push('"');
    out
}

/// `text` with anything that is not a C identifier character replaced by `_`.
pub fn c_identifier(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, '_');
    }
    out
}

/// The C name of a Python parameter in a typed wrapper: never `err`, `result...` or `fj_...`,
/// which the wrapper uses itself.
fn param_c_name(name: &str) -> String {
    let name = c_identifier(name);
    if name == "err" || name.starts_with("result") || name.starts_with("fj_") {
        format!("{name}_")
    } else {
        name
    }
}

/// The C type of a scalar in the typed wrappers.
pub fn scalar_c_type(s: Scalar) -> &'static str {
    match s {
        Scalar::Bool => "bool",
        Scalar::I8 => "int8_t",
        Scalar::I16 => "int16_t",
        Scalar::I32 => "int32_t",
        Scalar::I64 => "int64_t",
        Scalar::U8 => "uint8_t",
        Scalar::U16 => "uint16_t",
        Scalar::U32 => "uint32_t",
        Scalar::U64 => "uint64_t",
        Scalar::F32 => "float",
        Scalar::F64 => "double",
        Scalar::C64 => "ferrojit_complex64",
        Scalar::C128 => "ferrojit_complex128",
    }
}

/// A leaf of a flattened parameter or result: a scalar or an array, named for C.
struct Leaf {
    name: String,
    ty: Type,
}

fn leaves(name: &str, ty: &Type, out: &mut Vec<Leaf>) {
    match ty {
        Type::Tuple(items) => {
            for (i, item) in items.iter().enumerate() {
                leaves(&format!("{name}_{i}"), item, out);
            }
        }
        Type::NoneType
        | Type::Range
        | Type::Str
        | Type::Unknown
        | Type::Function { .. }
        | Type::DType(_) => {}
        _ => out.push(Leaf {
            name: name.to_string(),
            ty: ty.clone(),
        }),
    }
}

fn leaf_c_type(ty: &Type) -> String {
    match ty {
        Type::Scalar(s) => scalar_c_type(*s).to_string(),
        Type::Array { ndim, .. } => format!("const ferrojit_array{ndim} *"),
        _ => "void".to_string(),
    }
}

use ir::lower::flatten::SlotEncoding;
/// Number of 8-byte slots a value of `ty` takes in the entry ABI (the one layout, `ir`'s
/// flattening).
pub use ir::lower::flatten::slot_count;

/// What each slot holds, for the header's comment: `[0] x: float64 (double bits)`.
fn slot_layout(name: &str, ty: &Type, slot: &mut usize, out: &mut Vec<String>) {
    let mut push = |what: String| {
        out.push(format!("[{}] {what}", *slot));
        *slot += 1;
    };
    match ty {
        Type::Scalar(s) if s.is_complex() => {
            let part = scalar_c_type(s.real_part());
            push(format!("{name}.real: {part} bits"));
            push(format!("{name}.imag: {part} bits"));
        }
        Type::Scalar(s) => {
            let how = SlotEncoding::of(*s).describe();
            push(format!("{name}: {s} ({how})"));
        }
        Type::Array { ndim, .. } => {
            push(format!("{name}: {ty} (pointer to a ferrojit_array{ndim})"));
        }
        Type::List { .. }
        | Type::Dict { .. }
        | Type::Set { .. }
        | Type::Str
        | Type::CPointer(_)
        | Type::Instance { .. }
        | Type::Generator => push(format!("{name}: {ty} (pointer)")),
        Type::Tuple(items) => {
            for (i, item) in items.iter().enumerate() {
                slot_layout(&format!("{name}[{i}]"), item, slot, out);
            }
        }
        Type::Optional(inner) => {
            push(format!("{name}: present flag (0 when None)"));
            slot_layout(name, inner, slot, out);
        }
        Type::NoneType | Type::Range | Type::Unknown | Type::Function { .. } | Type::DType(_) => {}
    }
}

/// Highest array rank among the exports (the header defines descriptors up to it, at least 3).
fn max_ndim(exports: &[CompiledExport]) -> u8 {
    fn walk(ty: &Type, max: &mut u8) {
        match ty {
            Type::Array { ndim, .. } => *max = (*max).max(*ndim),
            Type::Tuple(items) => items.iter().for_each(|t| walk(t, max)),
            _ => {}
        }
    }
    let mut max = 3;
    for v in exports.iter().flat_map(|e| &e.variants) {
        v.arg_types
            .iter()
            .chain([&v.return_type])
            .for_each(|t| walk(t, &mut max));
    }
    max
}

/// The C name of a variant: `<module>_<function>_<tag>`.
pub fn variant_name(module: &str, export: &CompiledExport, variant: &CompiledVariant) -> String {
    format!(
        "{module}_{}_{}",
        c_identifier(&export.name),
        c_identifier(&variant.tag)
    )
}

/// The typed wrapper's prototype (without `;`).
fn typed_prototype(module: &str, export: &CompiledExport, variant: &CompiledVariant) -> String {
    let mut params = Vec::new();
    for (name, ty) in export.params.iter().zip(&variant.arg_types) {
        let mut ls = Vec::new();
        leaves(&param_c_name(name), ty, &mut ls);
        for leaf in ls {
            params.push(
                format!("{} {}", leaf_c_type(&leaf.ty).trim_end(), leaf.name).replace("* ", "*"),
            );
        }
    }
    let mut results = Vec::new();
    leaves("result", &variant.return_type, &mut results);
    for leaf in results {
        let ty = leaf_c_type(&leaf.ty);
        params.push(format!(
            "{}*{}",
            if ty.ends_with('*') {
                ty
            } else {
                format!("{ty} ")
            },
            leaf.name
        ));
    }
    params.push("ferrojit_error_slot *err".to_string());
    format!(
        "FJ_API int32_t {}({})",
        variant_name(module, export, variant),
        params.join(", ")
    )
}

const HEADER_TYPES: &str = r#"#ifndef FERROJIT_ABI_TYPES
#define FERROJIT_ABI_TYPES
/* The error slot every entry receives (runtime/src/error.rs). An entry returns 0, or the
 * nonzero code it also stores in `code`: 1 + the index of the raise site in the variant's
 * error table. `args` hold the integers substituted into the message's `{}` placeholders. */
typedef struct ferrojit_error_slot {
    uint32_t code;
    uint32_t tag;
    int64_t args[3];
    /* The memory calls made with this slot allocated (arrays they return, temporaries),
     * owned by the runtime: start with a zeroed slot (`ferrojit_error_slot err = {0};`) and
     * free it with <module>_release(&err) once done with the returned arrays. */
    void *arena;
} ferrojit_error_slot;

/* An error table row: where and what compiled code raised. */
typedef struct ferrojit_error_info {
    const char *exception; /* Python exception class: "IndexError", "ZeroDivisionError", ... */
    const char *message;   /* template; each `{}` takes the next of ferrojit_error_slot.args */
    const char *function;  /* Python function the raise is in */
    const char *file;
    uint32_t line;         /* 1-based, in `file` */
    uint32_t col;
} ferrojit_error_info;

/* An array of rank N is passed as a pointer to this descriptor (runtime/src/array.rs):
 * `data` points at element [0, 0, ...]; `owner` is whatever keeps the memory alive (a
 * PyObject* for NumPy arrays; compiled code only copies it); `shape` counts elements;
 * `strides` are in BYTES and may be negative or zero. Compiled code reads and writes the
 * elements in place, whatever the strides. An array a function returns is either one of its
 * arguments (or a view of one: `owner` is the argument's) or memory the call allocated
 * (C-contiguous, 64-byte aligned, `owner` names the runtime's buffer): its descriptor and data
 * stay valid until <module>_release() frees the slot's memory. */
#define FERROJIT_ARRAY_DESCRIPTOR(N) \
    struct { void *data; void *owner; int64_t shape[N]; int64_t strides[N]; }

typedef struct { float real, imag; } ferrojit_complex64;
typedef struct { double real, imag; } ferrojit_complex128;

/* The uniform entry ABI (runtime/src/abi.rs): arguments and results flattened to 8-byte
 * slots (integers sign/zero-extended, float in the low 32 bits, double as its bits, complex
 * as two slots, a tuple as its elements, an array as a pointer to its descriptor). */
typedef uint32_t (*ferrojit_entry_fn)(const uint64_t *args, uint64_t *rets,
                                      ferrojit_error_slot *err);
#endif
"#;

/// The library's header.
pub fn header(module: &str, exports: &[CompiledExport]) -> String {
    let guard = format!("FERROJIT_{}_H", module.to_ascii_uppercase());
    let mut h = format!(
        "/* {module}.h: C interface of the `{module}` library, generated by ferrojit {version}.\n \
         * Do not edit; rebuild with `ferrojit build`. Link with -l{module} (and -lm).\n */\n\
         #ifndef {guard}\n#define {guard}\n\n\
         #include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n\n\
         #ifdef __cplusplus\nextern \"C\" {{\n#endif\n\n\
         #ifndef FJ_API\n#define FJ_API\n#endif\n\n",
        version = env!("CARGO_PKG_VERSION"),
    );
    h.push_str(HEADER_TYPES);
    h.push('\n');
    for n in 1..=max_ndim(exports) {
        h.push_str(&format!(
            "#ifndef FERROJIT_ARRAY{n}_DEFINED\n#define FERROJIT_ARRAY{n}_DEFINED\n\
             typedef FERROJIT_ARRAY_DESCRIPTOR({n}) ferrojit_array{n};\n#endif\n"
        ));
    }
    h.push_str(&format!(
        "\n/* Renders an error as Python would show it; returns the length it needed (like\n \
         * snprintf). `info` may be NULL (unknown code). */\n\
         FJ_API size_t {module}_format_error(const ferrojit_error_info *info,\n    \
         const ferrojit_error_slot *err, char *buf, size_t size);\n\
         /* Substitutes `args` into a message template's placeholders (`{{}}` an integer, `{{f}}`\n \
         * a float given by its bits, `{{b}}` a bool), as the JIT does. */\n\
         FJ_API size_t {module}_format_message(const char *message, const int64_t *args,\n    \
         char *buf, size_t size);\n\
         /* Frees the memory of every call made with `err` (arrays they returned included) and\n \
         * leaves the slot ready for more calls. `err` may be NULL. */\n\
         FJ_API void {module}_release(ferrojit_error_slot *err);\n"
    ));
    for export in exports {
        h.push_str(&format!(
            "\n/* ===== {}({}), defined at {}:{} ===== */\n",
            export.name,
            export.params.join(", "),
            export.filename,
            export.def_line
        ));
        for variant in &export.variants {
            let name = variant_name(module, export, variant);
            let mut arg_slots = Vec::new();
            let mut slot = 0;
            for (p, t) in export.params.iter().zip(&variant.arg_types) {
                slot_layout(p, t, &mut slot, &mut arg_slots);
            }
            let mut ret_slots = Vec::new();
            slot = 0;
            slot_layout("result", &variant.return_type, &mut slot, &mut ret_slots);
            let list = |slots: &[String]| {
                if slots.is_empty() {
                    " (none)".to_string()
                } else {
                    slots
                        .iter()
                        .map(|s| format!("\n *     {s}"))
                        .collect::<String>()
                }
            };
            h.push_str(&format!(
                "\n/* {sig}\n * args slots:{args}\n * rets slots:{rets}\n */\n\
                 FJ_API uint32_t {name}_entry(const uint64_t *args, uint64_t *rets, \
                 ferrojit_error_slot *err);\n\
                 /* Typed form of the entry above; returns its error code (0: success){null}. */\n\
                 {proto};\n\
                 FJ_API const ferrojit_error_info *{name}_error_info(uint32_t code);\n",
                sig = variant.signature,
                args = list(&arg_slots),
                rets = list(&ret_slots),
                proto = typed_prototype(module, export, variant),
                null = if array_results(&variant.return_type) {
                    format!(
                        ", or -1\n * without calling when `err` is NULL: the arrays returned live in \
                         err's memory (free it\n * with {module}_release(err))"
                    )
                } else {
                    "; `err`\n * may be NULL (the call's memory is then freed before returning)"
                        .to_string()
                },
            ));
        }
    }
    h.push_str("\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
    h
}

/// Code storing leaf `expr` of type `ty` into `slots[*]`, advancing `k`.
fn pack_leaf(expr: &str, ty: &Type, k: &mut usize, out: &mut String) {
    let mut put = |code: String| {
        out.push_str(&format!("    {code}\n"));
    };
    match ty {
        Type::Scalar(Scalar::F64) => {
            put(format!("memcpy(&fj_slots[{k}], &{expr}, 8);"));
            *k += 1;
        }
        Type::Scalar(Scalar::F32) => {
            put(format!(
                "{{ uint32_t b; memcpy(&b, &{expr}, 4); fj_slots[{k}] = b; }}"
            ));
            *k += 1;
        }
        Type::Scalar(Scalar::C128) => {
            put(format!("memcpy(&fj_slots[{k}], &{expr}.real, 8);"));
            put(format!("memcpy(&fj_slots[{}], &{expr}.imag, 8);", *k + 1));
            *k += 2;
        }
        Type::Scalar(Scalar::C64) => {
            put(format!(
                "{{ uint32_t b; memcpy(&b, &{expr}.real, 4); fj_slots[{k}] = b; \
                 memcpy(&b, &{expr}.imag, 4); fj_slots[{}] = b; }}",
                *k + 1
            ));
            *k += 2;
        }
        Type::Scalar(s) => {
            // Integers: the C value already has its width; extend it as the encoding says.
            let code = match SlotEncoding::of(*s) {
                SlotEncoding::Bool => format!("{expr} ? 1u : 0u"),
                SlotEncoding::Signed(_) => format!("(uint64_t)(int64_t){expr}"),
                _ => format!("(uint64_t){expr}"),
            };
            put(format!("fj_slots[{k}] = {code};"));
            *k += 1;
        }
        Type::Array { .. } => {
            put(format!("fj_slots[{k}] = (uint64_t)(uintptr_t){expr};"));
            *k += 1;
        }
        _ => {}
    }
}

/// Code loading leaf `*ptr` of type `ty` from `rets[*]`, advancing `k`.
fn unpack_leaf(ptr: &str, ty: &Type, k: &mut usize, out: &mut String) {
    let mut put = |code: String| {
        out.push_str(&format!("    {code}\n"));
    };
    match ty {
        Type::Scalar(Scalar::F64) => put(format!("memcpy({ptr}, &fj_rets[{k}], 8);")),
        Type::Scalar(Scalar::F32) => put(format!(
            "{{ uint32_t b = (uint32_t)fj_rets[{k}]; memcpy({ptr}, &b, 4); }}"
        )),
        Type::Scalar(Scalar::C128) => {
            put(format!("memcpy(&{ptr}->real, &fj_rets[{k}], 8);"));
            put(format!("memcpy(&{ptr}->imag, &fj_rets[{}], 8);", *k + 1));
            *k += 1;
        }
        Type::Scalar(Scalar::C64) => {
            put(format!(
                "{{ uint32_t b = (uint32_t)fj_rets[{k}]; memcpy(&{ptr}->real, &b, 4); \
                 b = (uint32_t)fj_rets[{}]; memcpy(&{ptr}->imag, &b, 4); }}",
                *k + 1
            ));
            *k += 1;
        }
        Type::Scalar(Scalar::Bool) => put(format!("*{ptr} = (fj_rets[{k}] & 1u) != 0;")),
        Type::Scalar(s) => put(format!("*{ptr} = ({})fj_rets[{k}];", scalar_c_type(*s))),
        Type::Array { ndim, .. } => put(format!(
            "*{ptr} = (const ferrojit_array{ndim} *)(uintptr_t)fj_rets[{k}];"
        )),
        _ => return,
    }
    *k += 1;
}

/// True if a value of `ty` holds an array (whose memory a caller must keep).
fn array_results(ty: &Type) -> bool {
    match ty {
        Type::Array { .. } => true,
        Type::Tuple(items) => items.iter().any(array_results),
        _ => false,
    }
}

/// The glue compiled into the library (and the extension): entries, wrappers, error tables.
pub fn glue(module: &str, exports: &[CompiledExport], header_name: &str) -> String {
    let mut c = format!(
        "/* Generated by ferrojit {version}: the C glue of `{module}`. Do not edit. */\n\
         #include <stdint.h>\n#include <stdio.h>\n#include <string.h>\n\
         #ifdef FERROJIT_PYTHON_EXTENSION\n\
         #define FJ_API __attribute__((visibility(\"hidden\")))\n\
         #else\n\
         #define FJ_API __attribute__((visibility(\"default\")))\n\
         #endif\n\
         #include \"{header_name}\"\n\n",
        version = env!("CARGO_PKG_VERSION"),
    );
    c.push_str(&format!(
        r#"/* The runtime archive's helpers (runtime/src/exports.rs), hidden in the library. */
size_t ferrojit_aot_format_message(const char *, const int64_t *, char *, size_t);
void ferrojit_aot_release(ferrojit_error_slot *);

FJ_API size_t {module}_format_message(const char *message, const int64_t *args,
    char *buf, size_t size) {{
    return ferrojit_aot_format_message(message, args, buf, size);
}}

FJ_API void {module}_release(ferrojit_error_slot *err) {{
    ferrojit_aot_release(err);
}}

FJ_API size_t {module}_format_error(const ferrojit_error_info *info,
    const ferrojit_error_slot *err, char *buf, size_t size) {{
    char message[1024];
    if (!info) {{
        return (size_t)snprintf(buf, size,
            "RuntimeError: compiled code reported unknown error code %u", err ? err->code : 0u);
    }}
    static const int64_t no_args[3] = {{0, 0, 0}};
    {module}_format_message(info->message, err ? err->args : no_args, message, sizeof message);
    return (size_t)snprintf(buf, size, "%s: %s (in function %s at line %u of %s)",
        info->exception, message, info->function, info->line, info->file);
}}
"#
    ));
    for export in exports {
        for variant in &export.variants {
            let name = variant_name(module, export, variant);
            c.push_str(&format!(
                "\n/* {}: {} */\nextern uint32_t {}(const uint64_t *, uint64_t *, \
                 ferrojit_error_slot *);\n",
                export.name, variant.signature, variant.entry_symbol
            ));
            c.push_str(&format!(
                "FJ_API uint32_t {name}_entry(const uint64_t *args, uint64_t *rets, \
                 ferrojit_error_slot *err) {{\n    return {}(args, rets, err);\n}}\n",
                variant.entry_symbol
            ));
            // The error table.
            c.push_str(&format!(
                "static const ferrojit_error_info {name}_errors[] = {{\n"
            ));
            for info in &variant.errors {
                c.push_str(&format!(
                    "    {{{}, {}, {}, {}, {}u, {}u}},\n",
                    c_string(info.kind.name()),
                    c_string(&info.message),
                    c_string(&info.function),
                    c_string(&export.filename),
                    info.line,
                    info.col
                ));
            }
            c.push_str("    {0, 0, 0, 0, 0u, 0u}\n};\n");
            c.push_str(&format!(
                "FJ_API const ferrojit_error_info *{name}_error_info(uint32_t code) {{\n    \
                 return code >= 1 && code <= {n}u ? &{name}_errors[code - 1] : NULL;\n}}\n",
                n = variant.errors.len()
            ));
            // The typed wrapper.
            let arg_slots: usize = variant.arg_types.iter().map(slot_count).sum();
            let ret_slots = slot_count(&variant.return_type);
            c.push_str(&format!(
                "{} {{\n",
                typed_prototype(module, export, variant)
            ));
            let returns_arrays = array_results(&variant.return_type);
            c.push_str(&format!(
                "    uint64_t fj_slots[{}];\n    uint64_t fj_rets[{}];\n    \
                 ferrojit_error_slot fj_local = {{0}};\n    ferrojit_error_slot *fj_given = err;\n    \
                 (void)fj_slots; (void)fj_rets;\n",
                arg_slots.max(1),
                ret_slots.max(1)
            ));
            if returns_arrays {
                // The arrays returned live in the slot's memory: the caller must hold it.
                c.push_str("    if (!err) return -1;\n");
            } else {
                c.push_str("    if (!err) err = &fj_local;\n");
            }
            let mut k = 0;
            for (p, ty) in export.params.iter().zip(&variant.arg_types) {
                let mut ls = Vec::new();
                leaves(&param_c_name(p), ty, &mut ls);
                for leaf in ls {
                    pack_leaf(&leaf.name, &leaf.ty, &mut k, &mut c);
                }
            }
            c.push_str(&format!(
                "    uint32_t fj_code = {}(fj_slots, fj_rets, err);\n    \
                 if (!fj_given) ferrojit_aot_release(err);\n    \
                 if (fj_code) return (int32_t)fj_code;\n",
                variant.entry_symbol
            ));
            let mut results = Vec::new();
            leaves("result", &variant.return_type, &mut results);
            let mut k = 0;
            for leaf in results {
                unpack_leaf(&leaf.name, &leaf.ty, &mut k, &mut c);
            }
            c.push_str("    return 0;\n}\n");
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_strings_escape_what_they_must() {
        assert_eq!(c_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(c_string("??="), "\"\\?\\?=\"");
        assert_eq!(c_string("é"), "\"\\303\\251\"");
        assert_eq!(c_identifier("f-g"), "f_g");
        assert_eq!(c_identifier("1x"), "_1x");
    }
}
