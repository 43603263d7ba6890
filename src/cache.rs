//! The on-disk cache behind `cache=True`: compiled specializations persist across processes.
//!
//! **Key.** A cache key is the text of everything that decides the machine code (and is stored
//! in full in the entry, so a hash collision can never serve wrong code): the ferrojit version
//! and the identity of the compiler binary (path, size, modification time), the target
//! (architecture, OS and the CPU features the JIT may use), the options, the argument types and
//! declared return type, then for the function and, recursively, every jitted function it
//! refers to: its file name, position and source text, and the value each of its global names
//! was frozen to. A changed source, a changed callee or a changed global is a different key.
//!
//! **Entry.** On a miss the specialization is lowered as usual, compiled to an object with
//! `backend_cpu::compile_object` for this CPU, and linked with `cc -shared` together with a few
//! lines of generated C that forward its runtime imports through a pointer table
//! ([`crate::aot::runtime::trampolines_c`]), so cached code calls this process's own runtime.
//! Two files are written in the cache directory: the library, named after its own content hash
//! (`<stem>.<function>-<key>-<content>.so`), and the metadata file `<stem>.<function>-<key>.fjc`
//! (format version, library name, size and hash, entry symbol, slot counts, types, runtime
//! imports, error table, key). Each is written to a temporary file in the same directory and
//! renamed, the library first, so concurrent writers never corrupt an entry: whichever
//! metadata file lands last names a library that is complete.
//!
//! **Hit.** The metadata is read and its key compared with ours; the library's bytes are
//! checked against the recorded size and hash before it is loaded (`dlopen`), its pointer table
//! is filled, and the entry becomes a [`CompiledFunction`]. Anything unexpected (truncated or
//! corrupted files, another format) is reported as a warning and the entry is rebuilt.
//!
//! Without a C compiler the cache cannot build entries: [`DiskCache::compile`] warns once per
//! process and compiles in memory.

use crate::aot::link::{self, LinkError, ScratchDir};
use crate::aot::runtime::{BIND_SYMBOL, Binding, addresses, runtime_symbols, trampolines_c};
use crate::{CompileRequest, CompiledCode, CompiledFunction, FunctionDef, Global, lower_to_ir};
use backend_cpu::{CpuFeatures, ObjectOptions};
use frontend::Diagnostic;
use runtime::error::{ErrorInfo, ExceptionKind};
use siphasher::sip128::SipHasher13;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use typeinfer::{Layout, Scalar, Type};

/// Format of the metadata files; bump when it changes.
const FORMAT: &str = "ferrojit-cache 1";
/// Prefix of the entry trampolines in cached libraries.
const ENTRY_PREFIX: &str = "ferrojit_cached_";
/// Environment variable naming a cache directory to use instead of `__pycache__`.
pub const CACHE_DIR_ENV: &str = "FERROJIT_CACHE_DIR";

/// A directory of cached specializations.
#[derive(Clone, Debug)]
pub struct DiskCache {
    dir: PathBuf,
}

/// A compiled function and how it was obtained.
pub struct Cached {
    pub compiled: CompiledFunction,
    /// Loaded from the cache (rather than compiled now).
    pub hit: bool,
    /// Things the user should hear about (corrupted entries, no C compiler), one line each.
    pub warnings: Vec<String>,
}

impl DiskCache {
    pub fn new(dir: impl Into<PathBuf>) -> DiskCache {
        DiskCache { dir: dir.into() }
    }

    /// `$FERROJIT_CACHE_DIR` if set, else the `__pycache__` directory beside `source_file`.
    pub fn for_source(source_file: &str) -> DiskCache {
        if let Some(dir) = &runtime::config::env().cache_dir {
            return DiskCache::new(dir);
        }
        let parent = Path::new(source_file)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        DiskCache::new(parent.join("__pycache__"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Loads the specialization `req` asks for from the cache, or compiles and stores it.
    /// Cache trouble never fails the call: it becomes a warning, and the code is compiled in
    /// memory. Only a compile error is an `Err`.
    pub fn compile(&self, req: &CompileRequest) -> Result<Cached, Diagnostic> {
        let mut warnings = Vec::new();
        let key_text = cache_key(req);
        let key = hex(hash(key_text.as_bytes()));
        let base = format!(
            "{}.{}-{key}",
            sanitize(
                &Path::new(&req.def.source.filename)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ),
            sanitize(&req.def.ast.name)
        );
        let meta_path = self.dir.join(format!("{base}.fjc"));
        if meta_path.exists() {
            match load(&self.dir, &meta_path, &key_text) {
                Ok(compiled) => {
                    return Ok(Cached {
                        compiled,
                        hit: true,
                        warnings,
                    });
                }
                Err(why) => warnings.push(format!(
                    "ferrojit: ignoring the cache entry {} ({why}); recompiling",
                    meta_path.display()
                )),
            }
        }
        if let Err(e) = link::c_compiler_available() {
            static WARNED: AtomicBool = AtomicBool::new(false);
            if !WARNED.swap(true, Ordering::Relaxed) {
                warnings.push(format!(
                    "ferrojit: cache=True needs a C compiler to store compiled code ({e}); \
                     compiling in memory instead"
                ));
            }
            return in_memory(req, warnings);
        }
        let lowered = lower_to_ir(req, None)?;
        if !lowered.frozen_arrays.is_empty()
            || uses_jitclass(&lowered)
            || calls_interpreter(&lowered.module)
        {
            // The code refers to the frozen arrays by address, to `@jitclass` ids and layouts,
            // or to objmode blocks by the ids this process gave them: it cannot outlive it.
            return in_memory(req, warnings);
        }
        match self.store(req, &lowered, &base, &key_text, &meta_path) {
            Ok(()) => match load(&self.dir, &meta_path, &key_text) {
                Ok(compiled) => Ok(Cached {
                    compiled,
                    hit: false,
                    warnings,
                }),
                Err(why) => {
                    warnings.push(format!(
                        "ferrojit: could not load the cache entry just written to {} ({why}); \
                         compiling in memory",
                        meta_path.display()
                    ));
                    in_memory(req, warnings)
                }
            },
            Err(StoreError::Compile(d)) => Err(d),
            Err(StoreError::Io(why)) => {
                warnings.push(format!(
                    "ferrojit: could not write to the cache directory {} ({why}); compiling in \
                     memory",
                    self.dir.display()
                ));
                in_memory(req, warnings)
            }
        }
    }

    /// Compiles `lowered` into a library and writes the entry (library, then metadata).
    fn store(
        &self,
        req: &CompileRequest,
        lowered: &crate::LoweredModule,
        base: &str,
        key_text: &str,
        meta_path: &Path,
    ) -> Result<(), StoreError> {
        let options = ObjectOptions {
            cpu: CpuFeatures::Native,
            entry_prefix: ENTRY_PREFIX.to_string(),
            object_name: base.to_string(),
            ..ObjectOptions::default()
        };
        let entry = lowered.entry_symbol.as_str();
        let object =
            backend_cpu::compile_object(&lowered.module, &[entry], &options).map_err(|e| {
                StoreError::Compile(
                    Diagnostic::internal(format!("code generation failed: {e}"))
                        .with_source(&req.def.source),
                )
            })?;
        let symbol = object
            .entry_symbols
            .iter()
            .find(|(name, _)| name == entry)
            .map(|(_, s)| s.clone())
            .ok_or_else(|| StoreError::Io(format!("no entry symbol for {entry}")))?;
        // Every runtime symbol, not only `object.runtime_imports`: that list covers the math
        // table, while helpers such as the parallel loop driver are imported too.
        let imports: Vec<String> = runtime_symbols()
            .iter()
            .map(|s| s.name.to_string())
            .collect();
        let shim = trampolines_c(&imports, Binding::Table).map_err(StoreError::Io)?;
        let scratch = ScratchDir::new_in(&self.dir)?;
        let object_path = scratch.write("entry.o", &object.bytes)?;
        let shim_path = scratch.write("runtime_imports.c", shim.as_bytes())?;
        let built = scratch.path.join("entry.so");
        link::link_shared(
            &link::SharedLibrary {
                inputs: vec![object_path, shim_path],
                flags: vec!["-fvisibility=hidden", link::NO_UNDEFINED],
                ..Default::default()
            },
            &built,
        )?;
        let bytes = std::fs::read(&built).map_err(|e| StoreError::Io(e.to_string()))?;
        let content = hex(hash(&bytes));
        let library_name = format!("{base}-{}.so", &content[..16]);
        let library_path = self.dir.join(&library_name);
        // Replacing a library of the same name is harmless (same content, and a process that
        // has it loaded keeps the old file) and repairs a corrupted one.
        std::fs::rename(&built, &library_path).map_err(|e| StoreError::Io(e.to_string()))?;
        let arg_slots: usize = lowered
            .arg_types
            .iter()
            .map(crate::aot::cgen::slot_count)
            .sum();
        let ret_slots = crate::aot::cgen::slot_count(&lowered.return_type);
        let meta = Metadata {
            library: library_name,
            library_size: bytes.len() as u64,
            library_hash: content,
            entry: symbol,
            arg_slots,
            ret_slots,
            arg_types: lowered.arg_types.clone(),
            return_type: lowered.return_type.clone(),
            imports,
            errors: object.errors,
        };
        link::write_atomically(meta_path, meta.write(key_text).as_bytes())?;
        Ok(())
    }
}

enum StoreError {
    Compile(Diagnostic),
    Io(String),
}

impl From<LinkError> for StoreError {
    fn from(e: LinkError) -> Self {
        StoreError::Io(e.to_string())
    }
}

fn in_memory(req: &CompileRequest, warnings: Vec<String>) -> Result<Cached, Diagnostic> {
    Ok(Cached {
        compiled: crate::compile(req)?,
        hit: false,
        warnings,
    })
}

/// A loaded cached library: keeps the code mapped, holds the error table.
struct LoadedLibrary {
    _library: libloading::Library,
    errors: Vec<ErrorInfo>,
}

impl CompiledCode for LoadedLibrary {
    fn errors(&self) -> &[ErrorInfo] {
        &self.errors
    }
}

/// Reads, checks and loads the entry described by `meta_path`.
fn load(dir: &Path, meta_path: &Path, key_text: &str) -> Result<CompiledFunction, String> {
    let text = std::fs::read_to_string(meta_path).map_err(|e| format!("unreadable: {e}"))?;
    let (meta, stored_key) = Metadata::read(&text)?;
    if stored_key != key_text {
        return Err("its key differs from this function's (a hash collision)".into());
    }
    let library_path = dir.join(&meta.library);
    let bytes = std::fs::read(&library_path)
        .map_err(|e| format!("its library {} is unreadable: {e}", meta.library))?;
    if bytes.len() as u64 != meta.library_size || hex(hash(&bytes)) != meta.library_hash {
        return Err(format!(
            "its library {} is truncated or corrupted",
            meta.library
        ));
    }
    let table = addresses(&meta.imports)?;
    // SAFETY: the library was written by `DiskCache::store` and its bytes are exactly those
    // recorded (checked above); loading it runs no initialisers of ours beyond the C runtime's.
    let library = unsafe { libloading::Library::new(&library_path) }
        .map_err(|e| format!("its library could not be loaded: {e}"))?;
    // SAFETY: `ferrojit_cache_bind` is generated with this signature by `trampolines_c`, for
    // exactly `meta.imports` in this order; `table` holds their addresses in this process.
    unsafe {
        let bind = library
            .get::<unsafe extern "C" fn(*const usize)>(BIND_SYMBOL.as_bytes())
            .map_err(|e| format!("its library lacks {BIND_SYMBOL}: {e}"))?;
        bind(table.as_ptr());
    }
    // SAFETY: the entry trampoline has the `EntryFn` signature (backend-cpu's promise for
    // every entry of an object).
    let entry = unsafe {
        *library
            .get::<runtime::abi::EntryFn>(meta.entry.as_bytes())
            .map_err(|e| format!("its library lacks {}: {e}", meta.entry))?
    };
    let code = Arc::new(LoadedLibrary {
        _library: library,
        errors: meta.errors,
    });
    // SAFETY: the entry was compiled for these types and slot counts (recorded with it, under
    // a key that includes the argument types); `code` keeps the library loaded.
    Ok(unsafe {
        CompiledFunction::from_entry(
            meta.arg_types,
            meta.return_type,
            meta.arg_slots,
            meta.ret_slots,
            entry,
            code,
        )
    })
}

/// The contents of a `.fjc` file.
struct Metadata {
    library: String,
    library_size: u64,
    library_hash: String,
    entry: String,
    arg_slots: usize,
    ret_slots: usize,
    arg_types: Vec<Type>,
    return_type: Type,
    imports: Vec<String>,
    errors: Vec<ErrorInfo>,
}

impl Metadata {
    fn write(&self, key_text: &str) -> String {
        let mut out = format!("{FORMAT}\n");
        out.push_str(&format!("library {}\n", self.library));
        out.push_str(&format!("library-size {}\n", self.library_size));
        out.push_str(&format!("library-hash {}\n", self.library_hash));
        out.push_str(&format!("entry {}\n", self.entry));
        out.push_str(&format!("arg-slots {}\n", self.arg_slots));
        out.push_str(&format!("ret-slots {}\n", self.ret_slots));
        let args: Vec<String> = self.arg_types.iter().map(encode_type).collect();
        out.push_str(&format!("arg-types {}\n", args.join(" ")));
        out.push_str(&format!("return-type {}\n", encode_type(&self.return_type)));
        out.push_str(&format!("imports {}\n", self.imports.join(" ")));
        for e in &self.errors {
            out.push_str(&format!(
                "error {}\t{}\t{}\t{}\t{}\n",
                e.kind.name(),
                e.line,
                e.col,
                escape(&e.function),
                escape(&e.message)
            ));
        }
        out.push_str(&format!("key {}\n", key_text.len()));
        out.push_str(key_text);
        out.push_str("\nend\n");
        out
    }

    /// Parses a metadata file; returns it and the stored key text.
    fn read(text: &str) -> Result<(Metadata, &str), String> {
        let bad = |what: &str| format!("malformed metadata ({what})");
        let mut rest = text
            .strip_prefix(FORMAT)
            .and_then(|r| r.strip_prefix('\n'))
            .ok_or_else(|| bad("format line"))?;
        let mut field = |name: &str| -> Result<&str, String> {
            let (line, after) = rest.split_once('\n').ok_or_else(|| bad(name))?;
            let value = line
                .strip_prefix(name)
                .and_then(|v| v.strip_prefix(' ').or((v.is_empty()).then_some("")))
                .ok_or_else(|| bad(name))?;
            rest = after;
            Ok(value)
        };
        let library = field("library")?.to_string();
        let library_size = field("library-size")?.parse().map_err(|_| bad("size"))?;
        let library_hash = field("library-hash")?.to_string();
        let entry = field("entry")?.to_string();
        let arg_slots = field("arg-slots")?.parse().map_err(|_| bad("arg-slots"))?;
        let ret_slots = field("ret-slots")?.parse().map_err(|_| bad("ret-slots"))?;
        let arg_types = field("arg-types")?
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(decode_type)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad("arg-types"))?;
        let return_type = decode_type(field("return-type")?).ok_or_else(|| bad("return-type"))?;
        let imports = field("imports")?
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let mut errors = Vec::new();
        while let Some(line) = rest.strip_prefix("error ") {
            let (line, after) = line.split_once('\n').ok_or_else(|| bad("error"))?;
            let parts: Vec<&str> = line.splitn(5, '\t').collect();
            let [kind, l, c, function, message] = parts[..] else {
                return Err(bad("error"));
            };
            errors.push(ErrorInfo {
                kind: ExceptionKind::from_name(kind).ok_or_else(|| bad("exception"))?,
                line: l.parse().map_err(|_| bad("error line"))?,
                col: c.parse().map_err(|_| bad("error column"))?,
                function: unescape(function),
                message: unescape(message),
            });
            rest = after;
        }
        let length: usize = rest
            .strip_prefix("key ")
            .and_then(|r| r.split_once('\n'))
            .and_then(|(n, _)| n.parse().ok())
            .ok_or_else(|| bad("key"))?;
        let key_start = rest.find('\n').ok_or_else(|| bad("key"))? + 1;
        let key = rest
            .get(key_start..key_start + length)
            .ok_or_else(|| bad("truncated key"))?;
        if rest.get(key_start + length..) != Some("\nend\n") {
            return Err(bad("truncated"));
        }
        Ok((
            Metadata {
                library,
                library_size,
                library_hash,
                entry,
                arg_slots,
                ret_slots,
                arg_types,
                return_type,
                imports,
                errors,
            },
            key,
        ))
    }
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `float64`, `A:float64:2:C`, `T(float64,int64)`, `none`: one token, no spaces.
fn encode_type(ty: &Type) -> String {
    match ty {
        Type::Scalar(s) => s.numpy_name().to_string(),
        Type::Array {
            dtype,
            ndim,
            layout,
            readonly,
        } => {
            let mark = if *readonly { ":R" } else { "" };
            format!("A:{}:{ndim}:{layout:?}{mark}", dtype.numpy_name())
        }
        Type::Tuple(items) => {
            let inner: Vec<String> = items.iter().map(encode_type).collect();
            format!("T({})", inner.join(","))
        }
        Type::NoneType => "none".into(),
        Type::Optional(inner) => format!("O({})", encode_type(inner)),
        Type::Range => "range".into(),
        Type::Str => "str".into(),
        Type::List { item, typed } => {
            format!("{}({})", if *typed { "TL" } else { "L" }, encode_type(item))
        }
        Type::Dict { key, value, typed } => format!(
            "{}({},{})",
            if *typed { "TD" } else { "D" },
            encode_type(key),
            encode_type(value)
        ),
        Type::Set { item } => format!("S({})", encode_type(item)),
        Type::Unknown => "unknown".into(),
        // Function identities do not outlive the process: such entries never match later.
        Type::Function { id, name } => format!("function#{id}#{name}"),
        Type::DType(s) => format!("dtype:{}", s.numpy_name()),
        Type::CPointer(Some(s)) => format!("ptr:{}", s.numpy_name()),
        Type::CPointer(None) => "voidptr".into(),
        // Class ids do not outlive the process either.
        Type::Instance { class, name } => format!("instance#{class}#{name}"),
        Type::Generator => "generator".into(),
    }
}

fn decode_type(text: &str) -> Option<Type> {
    if let Some(inner) = text.strip_prefix("O(").and_then(|t| t.strip_suffix(')')) {
        return Some(Type::Optional(Box::new(decode_type(inner)?)));
    }
    if let Some(inner) = text.strip_prefix("S(").and_then(|t| t.strip_suffix(')')) {
        return Some(Type::Set {
            item: Box::new(decode_type(inner)?),
        });
    }
    for (prefix, typed) in [("D(", false), ("TD(", true)] {
        if let Some(inner) = text.strip_prefix(prefix).and_then(|t| t.strip_suffix(')'))
            && let Type::Tuple(kv) = decode_type(&format!("T({inner})"))?
            && let [key, value] = kv.as_slice()
        {
            return Some(Type::Dict {
                key: Box::new(key.clone()),
                value: Box::new(value.clone()),
                typed,
            });
        }
    }
    for (prefix, typed) in [("L(", false), ("TL(", true)] {
        if let Some(inner) = text.strip_prefix(prefix).and_then(|t| t.strip_suffix(')')) {
            return Some(Type::List {
                item: Box::new(decode_type(inner)?),
                typed,
            });
        }
    }
    if let Some(inner) = text.strip_prefix("T(").and_then(|t| t.strip_suffix(')')) {
        // Split at top-level commas.
        let mut items = Vec::new();
        let (mut depth, mut start) = (0, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(decode_type(&inner[start..i])?);
                    start = i + 1;
                }
                _ => {}
            }
        }
        if !inner.is_empty() {
            items.push(decode_type(&inner[start..])?);
        }
        return Some(Type::Tuple(items));
    }
    if let Some(array) = text.strip_prefix("A:") {
        let mut parts = array.split(':');
        let dtype = Scalar::from_name(parts.next()?)?;
        let ndim = parts.next()?.parse().ok()?;
        let layout = match parts.next()? {
            "C" => Layout::C,
            "F" => Layout::F,
            "A" => Layout::A,
            _ => return None,
        };
        let readonly = match parts.next() {
            None => false,
            Some("R") => true,
            Some(_) => return None,
        };
        return Some(Type::array(dtype, ndim, layout).with_readonly(readonly));
    }
    Some(match text {
        "none" => Type::NoneType,
        "range" => Type::Range,
        "str" => Type::Str,
        "unknown" => Type::Unknown,
        _ if text.starts_with("dtype:") => Type::DType(Scalar::from_name(&text[6..])?),
        "voidptr" => Type::CPointer(None),
        "generator" => Type::Generator,
        _ if text.starts_with("ptr:") => Type::CPointer(Some(Scalar::from_name(&text[4..])?)),
        scalar => Type::Scalar(Scalar::from_name(scalar)?),
    })
}

fn hash(bytes: &[u8]) -> u128 {
    // Fixed keys: the hash names files, it is not a secret.
    SipHasher13::new_with_keys(0x6665_7272_6f6a_6974, 0x6361_6368_6520_7631)
        .hash(bytes)
        .as_u128()
}

fn hex(value: u128) -> String {
    format!("{value:032x}")
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Whether the code takes, makes or returns `@jitclass` instances (whose class ids and field
/// offsets are this process's).
fn uses_jitclass(lowered: &crate::LoweredModule) -> bool {
    fn mentions(ty: &Type) -> bool {
        match ty {
            Type::Instance { .. } => true,
            Type::Tuple(items) => items.iter().any(mentions),
            Type::List { item, .. } | Type::Set { item } | Type::Optional(item) => mentions(item),
            Type::Dict { key, value, .. } => mentions(key) || mentions(value),
            _ => false,
        }
    }
    lowered.arg_types.iter().any(mentions)
        || mentions(&lowered.return_type)
        || lowered.module.functions.iter().any(|f| {
            f.insts.iter().any(|inst| {
                matches!(
                    inst.op,
                    ir::Op::CallRuntime(runtime::math::RuntimeFn::ObjectNew)
                )
            })
        })
}

/// The full cache key of a request (see the module doc).
pub fn cache_key(req: &CompileRequest) -> String {
    let mut key = format!(
        "ferrojit-cache-key 1\nferrojit {}\nbuild {}\ntarget {}-{} {}\n",
        env!("CARGO_PKG_VERSION"),
        build_identity(),
        std::env::consts::ARCH,
        std::env::consts::OS,
        cpu_features(),
    );
    key.push_str(&format!(
        "boundscheck-env {}\n",
        runtime::config::env().boundscheck
    ));
    if runtime::config::env().no_vectorize {
        key.push_str("no-vectorize-env\n");
    }
    let args: Vec<String> = req.arg_types.iter().map(Type::to_string).collect();
    key.push_str(&format!("args ({})\n", args.join(", ")));
    key.push_str(&format!(
        "declared-return {}\n",
        req.declared_return
            .as_ref()
            .map_or("-".to_string(), Type::to_string)
    ));
    let mut functions: Vec<Arc<FunctionDef>> = vec![req.def.clone()];
    let mut index = 0;
    while index < functions.len() {
        let def = functions[index].clone();
        describe_function(&def, index, &mut functions, &mut key);
        index += 1;
    }
    key
}

/// Appends function `index` of the key: options, position, source, frozen globals. Callees
/// not seen yet are appended to `functions`.
fn describe_function(
    def: &Arc<FunctionDef>,
    index: usize,
    functions: &mut Vec<Arc<FunctionDef>>,
    key: &mut String,
) {
    let source = &def.source;
    key.push_str(&format!(
        "function #{index} {} in {} at {}:{}\noptions {:?}\nsource {}\n{}\n",
        def.ast.name,
        source.filename,
        source.line_offset,
        source.col_offset,
        def.options,
        source.text.len(),
        source.text
    ));
    let mut names = Vec::new();
    collect_names(&def.ast, &mut names);
    names.sort();
    names.dedup();
    for name in names {
        let value = match def.globals.resolve(&name) {
            None => "undefined".to_string(),
            Some(Global::Value(v)) => format!("{v:?}"),
            Some(Global::Function(f)) => {
                let at = match functions.iter().position(|g| Arc::ptr_eq(g, &f)) {
                    Some(at) => at,
                    None => {
                        functions.push(f);
                        functions.len() - 1
                    }
                };
                format!("function #{at}")
            }
            // The implementations are chosen by Python code at compile time: a key that no
            // other process reproduces, so such functions are compiled again (never stale).
            Some(Global::Overload(o)) => format!("overload {} #{}", o.name(), process_nonce()),
        };
        key.push_str(&format!("global {name} = {value}\n"));
    }
}

/// A number that differs between processes (the process id and its start time).
fn process_nonce() -> u128 {
    static NONCE: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    *NONCE.get_or_init(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        now ^ (u128::from(std::process::id()) << 96)
    })
}

fn collect_names(function: &frontend::ast::Function, out: &mut Vec<String>) {
    frontend::ast::walk_exprs(&function.body, &mut |e| {
        if let frontend::ast::ExprKind::Name(name) = &e.kind {
            out.push(name.clone());
        }
    });
    for inner in &function.inner_functions {
        collect_names(inner, out);
    }
}

/// The CPU features the JIT's native code generation may use.
fn cpu_features() -> String {
    #[allow(unused_mut)]
    let mut features: Vec<&str> = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! detect {
            ($($f:tt),*) => {
                $(if std::arch::is_x86_feature_detected!($f) { features.push($f); })*
            };
        }
        detect!(
            "sse3",
            "ssse3",
            "sse4.1",
            "sse4.2",
            "popcnt",
            "avx",
            "avx2",
            "fma",
            "bmi1",
            "bmi2",
            "lzcnt",
            "avx512f",
            "avx512vl",
            "avx512dq",
            "avx512bw",
            "avx512vbmi",
            "avx512bitalg",
            "avx512vpopcntdq"
        );
    }
    #[cfg(target_arch = "aarch64")]
    {
        macro_rules! detect {
            ($($f:tt),*) => {
                $(if std::arch::is_aarch64_feature_detected!($f) { features.push($f); })*
            };
        }
        detect!("lse", "paca", "fp16");
    }
    features.join(",")
}

/// Path, size and modification time of the binary this code is in, so that a rebuilt
/// compiler (same version, different code) never reuses entries of the previous build.
fn build_identity() -> String {
    static IDENTITY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    IDENTITY
        .get_or_init(|| {
            let Some(path) = own_binary() else {
                return "unknown".to_string();
            };
            let described = std::fs::metadata(&path).ok().map(|m| {
                let mtime = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{} {} {mtime}", path.display(), m.len())
            });
            described.unwrap_or_else(|| "unknown".to_string())
        })
        .clone()
}

#[cfg(unix)]
fn own_binary() -> Option<PathBuf> {
    use std::ffi::{CStr, c_char, c_int, c_void};
    #[repr(C)]
    struct DlInfo {
        fname: *const c_char,
        fbase: *mut c_void,
        sname: *const c_char,
        saddr: *mut c_void,
    }
    unsafe extern "C" {
        fn dladdr(addr: *const c_void, info: *mut DlInfo) -> c_int;
    }
    let mut info = DlInfo {
        fname: std::ptr::null(),
        fbase: std::ptr::null_mut(),
        sname: std::ptr::null(),
        saddr: std::ptr::null_mut(),
    };
    // SAFETY: `dladdr` only reads the address and fills `info`; `fname`, when set, points to a
    // NUL-terminated path owned by the dynamic loader for as long as the object is loaded.
    let found = unsafe { dladdr(cache_key as *const c_void, &mut info) };
    if found == 0 || info.fname.is_null() {
        return std::env::current_exe().ok();
    }
    // SAFETY: see above.
    let name = unsafe { CStr::from_ptr(info.fname) };
    let path = PathBuf::from(name.to_string_lossy().into_owned());
    if path.is_absolute() && path.exists() {
        Some(path)
    } else {
        std::env::current_exe().ok()
    }
}

#[cfg(not(unix))]
fn own_binary() -> Option<PathBuf> {
    std::env::current_exe().ok()
}

/// True if `module` runs objmode blocks (their ids belong to this process).
fn calls_interpreter(module: &ir::Module) -> bool {
    let objmode = ir::function::Op::CallRuntime(runtime::math::RuntimeFn::ObjModeCall);
    module
        .functions
        .iter()
        .any(|f| f.insts.iter().any(|i| i.op == objmode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip_through_the_metadata_encoding() {
        let types = [
            Type::F64,
            Type::array(Scalar::F32, 2, Layout::C),
            Type::Tuple(vec![Type::I64, Type::Tuple(vec![Type::C128, Type::BOOL])]),
            Type::Tuple(vec![]),
            Type::NoneType,
            Type::CPointer(Some(Scalar::I32)),
            Type::CPointer(None),
            Type::Optional(Box::new(Type::F64)),
            Type::Tuple(vec![Type::Optional(Box::new(Type::BOOL)), Type::I64]),
        ];
        for ty in types {
            assert_eq!(decode_type(&encode_type(&ty)), Some(ty.clone()), "{ty}");
        }
    }

    #[test]
    fn metadata_round_trips_and_rejects_truncation() {
        let meta = Metadata {
            library: "m.f-1-2.so".into(),
            library_size: 10,
            library_hash: "ab".into(),
            entry: "ferrojit_cached_f__0".into(),
            arg_slots: 2,
            ret_slots: 1,
            arg_types: vec![Type::F64, Type::array(Scalar::F64, 1, Layout::A)],
            return_type: Type::F64,
            imports: vec!["ferrojit_sin".into()],
            errors: vec![ErrorInfo {
                kind: ExceptionKind::IndexError,
                message: "index {} is\tout".into(),
                function: "f".into(),
                line: 3,
                col: 4,
            }],
        };
        let text = meta.write("the key\nwith lines");
        let (back, key) = Metadata::read(&text).unwrap();
        assert_eq!(key, "the key\nwith lines");
        assert_eq!(back.arg_types, meta.arg_types);
        assert_eq!(back.errors, meta.errors);
        assert_eq!(back.imports, meta.imports);
        for cut in [10, text.len() / 2, text.len() - 2] {
            assert!(Metadata::read(&text[..cut]).is_err(), "cut at {cut}");
        }
    }
}
