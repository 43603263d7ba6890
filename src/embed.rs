//! The Rust embedding API: compile numeric Python from Rust and call it with Rust values.
//!
//! ```
//! let jit = ferrojit::Jit::new();
//! let hypot = jit.compile::<(f64, f64), f64>(
//!     "def hypot(x, y):\n    return (x * x + y * y) ** 0.5\n",
//!     "f8(f8, f8)",
//! )?;
//! assert_eq!(hypot.call((3.0, 4.0))?, 5.0);
//! # Ok::<(), ferrojit::Error>(())
//! ```
//!
//! A function may return arrays: [`Array<T>`] is an owned copy (C order, with its shape) of
//! what it returned, alone or in a tuple.
//!
//! Arrays are passed in place: a slice is a 1-d C-contiguous array, an [`ArrayView`] or
//! [`ArrayViewMut`] any strided N-d array. Compiled code may write only into what it receives
//! mutably: an array passed as a shared slice is typed as a read-only array, so a function that
//! stores into it (or into a view of it, or passes it to a callee that does) is rejected at
//! compile time:
//!
//! ```
//! # let jit = ferrojit::Jit::new();
//! let source = "
//! def scale(a, k):
//!     for i in range(a.shape[0]):
//!         a[i] *= k
//! ";
//! let scale = jit.compile::<(&mut [f64], f64), ()>(source, "void(f8[:], f8)")?;
//! let mut data = vec![1.0, 2.0, 3.0];
//! scale.call((&mut data, 10.0))?;
//! assert_eq!(data, [10.0, 20.0, 30.0]);
//! assert!(jit.compile::<(&[f64], f64), ()>(source, "void(f8[:], f8)").is_err());
//! # Ok::<(), ferrojit::Error>(())
//! ```
//!
//! A source may hold several functions (helpers, constants, `import math`/`numpy as np`):
//! [`Jit::module`] scans it like `ferrojit build` does ([`crate::aot::resolve`]) and
//! [`Module::get`] compiles one of them. Exceptions raised by compiled code are
//! [`Error::Runtime`]; compile errors are [`Error::Compile`], rendered against the source:
//!
//! ```
//! # let jit = ferrojit::Jit::new();
//! let module = jit.module("
//! import math
//! SCALE = 2.0
//!
//! def area(r):
//!     return SCALE * math.pi * r * r / 2.0
//!
//! def checked_area(r):
//!     if r < 0.0:
//!         raise ValueError('negative radius')
//!     return area(r)
//! ");
//! let f = module.get::<(f64,), f64>("checked_area", "f8(f8)")?;
//! assert!((f.call((1.0,))? - std::f64::consts::PI).abs() < 1e-12);
//! let err = f.call((-1.0,)).unwrap_err();
//! assert_eq!(err.to_string(), "ValueError: negative radius (in checked_area, line 10)");
//! # Ok::<(), ferrojit::Error>(())
//! ```
//!
//! Compiled functions are `Send + Sync`: share one between threads (by reference or in an
//! `Arc`). Array indices are bounds-checked by default, since an out-of-range access would be
//! undefined behaviour reachable from safe Rust; [`Jit::without_boundscheck`] (an `unsafe`
//! opt-in) removes the checks.

use crate::aot::ModuleTable;
use crate::cache::DiskCache;
use crate::{CompileRequest, CompiledFunction, Diagnostic, DumpFlags, Options, RuntimeError};
use runtime::array::ArrayDescriptor;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use typeinfer::{Layout, Scalar, Type};

/// Everything that can go wrong compiling or calling a function from Rust.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The source does not compile (rendered with file, line, column and a caret).
    #[error("{0}")]
    Compile(#[from] Diagnostic),
    /// Compiled code raised an exception (`ZeroDivisionError`, `IndexError`, ...).
    #[error("{0}")]
    Runtime(#[from] RuntimeError),
    /// The Rust argument or result types do not fit the function's signature, or an array
    /// argument does not have the layout the signature requires.
    #[error("{0}")]
    Types(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Compiles Python functions; holds the options they are compiled with.
#[derive(Clone, Debug)]
pub struct Jit {
    options: Options,
    cache: Option<DiskCache>,
}

impl Default for Jit {
    fn default() -> Self {
        Jit::new()
    }
}

impl Jit {
    /// A compiler with bounds checking on and no cache.
    pub fn new() -> Jit {
        Jit {
            options: Options {
                boundscheck: true,
                ..Options::default()
            },
            cache: None,
        }
    }

    /// Turns array bounds checking off.
    ///
    /// # Safety
    /// Every function compiled afterwards must index arrays only within their bounds for every
    /// argument it is called with: an out-of-range access reads or writes arbitrary memory.
    pub unsafe fn without_boundscheck(mut self) -> Jit {
        self.options.boundscheck = false;
        self
    }

    /// `fastmath=True`: floating-point reassociation and contraction are allowed.
    pub fn fastmath(mut self, on: bool) -> Jit {
        self.options.fastmath = on;
        self
    }

    /// `error_model='numpy'`: float division by zero gives inf/nan instead of raising.
    pub fn numpy_error_model(mut self, on: bool) -> Jit {
        self.options.numpy_error_model = on;
        self
    }

    /// Keeps compiled code in `dir` across processes (see [`crate::cache`]); a C compiler
    /// is needed to store entries (without one, functions are compiled in memory).
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Jit {
        self.cache = Some(DiskCache::new(dir));
        self
    }

    /// Compiles the one function defined in `source` for `signature` (Numba's grammar:
    /// `f8(f8[:], i8)`), to be called with Rust arguments `A` (a tuple) returning `R`.
    pub fn compile<A: Args, R: Ret>(
        &self,
        source: &str,
        signature: &str,
    ) -> Result<Function<A, R>, Error> {
        let module = self.module(source);
        let name = module.only_function()?;
        module.get(&name, signature)
    }

    /// Like [`Jit::compile`], with the argument types taken from `A` (slices are C-contiguous
    /// arrays) and the return type inferred (it must fit `R`).
    pub fn compile_inferred<A: Args, R: Ret>(&self, source: &str) -> Result<Function<A, R>, Error> {
        let module = self.module(source);
        let name = module.only_function()?;
        module.get_inferred(&name)
    }

    /// Scans `source` as a module (functions, imports, constants); errors surface when one of
    /// its functions is compiled.
    pub fn module(&self, source: &str) -> Module {
        self.module_named("<embedded>", source)
    }

    /// Like [`Jit::module`]; diagnostics name `filename`.
    pub fn module_named(&self, filename: &str, source: &str) -> Module {
        Module {
            table: ModuleTable::parse(filename, source, self.options.clone()),
            jit: self.clone(),
        }
    }

    /// Reads and scans the Python file at `path`.
    pub fn module_file(&self, path: impl AsRef<Path>) -> Result<Module, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)?;
        Ok(self.module_named(&path.display().to_string(), &text))
    }
}

/// The functions of a Python source, ready to be compiled.
pub struct Module {
    table: Arc<ModuleTable>,
    jit: Jit,
}

impl Module {
    /// The names of the top-level functions, in source order.
    pub fn function_names(&self) -> Vec<String> {
        self.table
            .function_names()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    fn only_function(&self) -> Result<String, Error> {
        match self.table.function_names().as_slice() {
            [one] => Ok(one.to_string()),
            [] => Err(Error::Types(
                "the source defines no function (`def`)".to_string(),
            )),
            many => Err(Error::Types(format!(
                "the source defines several functions ({}); use Jit::module(source).get(name, \
                 signature)",
                many.join(", ")
            ))),
        }
    }

    /// Compiles function `name` for `signature`.
    pub fn get<A: Args, R: Ret>(
        &self,
        name: &str,
        signature: &str,
    ) -> Result<Function<A, R>, Error> {
        let signature = crate::parse_signature(signature)?;
        let rust = A::types();
        if rust.len() != signature.args.len() {
            return Err(Error::Types(format!(
                "{name}: the signature has {} arguments but the Rust argument tuple has {}",
                signature.args.len(),
                rust.len()
            )));
        }
        for (i, (given, declared)) in rust.iter().zip(&signature.args).enumerate() {
            if !passes_as(given, declared) {
                return Err(Error::Types(format!(
                    "{name}: argument {} is {declared} in the signature, but the Rust type \
                     passes {given}",
                    i + 1
                )));
            }
        }
        self.compile(name, signature.args, signature.ret)
    }

    /// Compiles function `name` for the argument types of `A`, inferring the return type.
    pub fn get_inferred<A: Args, R: Ret>(&self, name: &str) -> Result<Function<A, R>, Error> {
        self.compile(name, A::types(), None)
    }

    fn compile<A: Args, R: Ret>(
        &self,
        name: &str,
        arg_types: Vec<Type>,
        declared_return: Option<Type>,
    ) -> Result<Function<A, R>, Error> {
        let def = self.table.function(name)?;
        if def.ast.params.len() != arg_types.len() {
            return Err(Error::Types(format!(
                "{name}() takes {} arguments but the signature gives {}",
                def.ast.params.len(),
                arg_types.len()
            )));
        }
        // An array received by shared reference is typed read-only: typeinfer then refuses
        // every store, in-place operation or writing call on it (and on its views, and in the
        // callees it is passed to), from its one table of array effects.
        let arg_types: Vec<Type> = arg_types
            .into_iter()
            .zip(A::writable())
            .map(|(ty, writable)| if writable { ty } else { ty.with_readonly(true) })
            .collect();
        let request = CompileRequest {
            def,
            arg_types,
            declared_return,
            dump: DumpFlags::from_env(),
        };
        let compiled = match &self.jit.cache {
            Some(cache) => {
                let cached = cache.compile(&request)?;
                for warning in cached.warnings {
                    eprintln!("{warning}");
                }
                cached.compiled
            }
            None => crate::compile(&request)?,
        };
        if !R::matches(&compiled.return_type) {
            return Err(Error::Types(format!(
                "{name}() returns {}, which the Rust result type does not hold",
                compiled.return_type
            )));
        }
        Ok(Function {
            compiled: Arc::new(compiled),
            name: name.to_string(),
            _types: PhantomData,
        })
    }
}

/// Whether a Rust argument of type `given` passes for a parameter declared `declared`. Rust
/// values are not converted: numbers must match exactly. Arrays and tuples follow typeinfer's
/// one table of conversions (`typeinfer::conversion`), read-only-ness aside (an array received
/// by shared reference is typed read-only when compiling), and an any-layout view also passes
/// for a C or F parameter: its layout is checked at each call.
fn passes_as(given: &Type, declared: &Type) -> bool {
    match (given, declared) {
        (
            &Type::Array {
                dtype,
                ndim,
                layout,
                ..
            },
            &Type::Array {
                layout: declared_layout,
                ..
            },
        ) => {
            let given = Type::Array {
                dtype,
                ndim,
                // An any-layout view passes for a C/F parameter: checked at the call.
                layout: if layout == Layout::A {
                    declared_layout
                } else {
                    layout
                },
                readonly: false,
            };
            typeinfer::conversion::conversion(&given, &declared.clone().with_readonly(false))
                .is_some()
        }
        (Type::Tuple(a), Type::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| passes_as(x, y))
        }
        _ => given == declared,
    }
}

/// A compiled function taking Rust arguments `A` (a tuple of [`Arg`]s) and returning `R`.
pub struct Function<A, R> {
    compiled: Arc<CompiledFunction>,
    name: String,
    _types: PhantomData<fn(A) -> R>,
}

impl<A, R> Clone for Function<A, R> {
    fn clone(&self) -> Self {
        Function {
            compiled: self.compiled.clone(),
            name: self.name.clone(),
            _types: PhantomData,
        }
    }
}

impl<A, R> std::fmt::Debug for Function<A, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<compiled {}{}>", self.name, self.signature())
    }
}

impl<A, R> Function<A, R> {
    /// The compiled signature: `float64(array(float64, 1d, A), int64)`.
    pub fn signature(&self) -> String {
        let args: Vec<String> = self
            .compiled
            .arg_types
            .iter()
            .map(Type::to_string)
            .collect();
        format!("{}({})", self.compiled.return_type, args.join(", "))
    }

    /// The underlying specialization (slot-level access).
    pub fn compiled(&self) -> &CompiledFunction {
        &self.compiled
    }
}

impl<A: Args, R: Ret> Function<A, R> {
    /// Calls the compiled code. Arrays are passed in place; mutable ones may be written.
    pub fn call(&self, args: A::Values<'_>) -> Result<R, Error> {
        let compiled = &self.compiled;
        let mut slots = Slots::with_capacity(compiled.arg_slots);
        A::flatten(&args, &compiled.arg_types, &mut slots)?;
        let arg_slots = slots.finish();
        let mut rets = vec![0u64; compiled.ret_slots.max(1)];
        // SAFETY: the argument types were checked against the compiled ones when the function
        // was compiled (`Module::get`), `flatten` wrote each value in its slot form, array
        // descriptors describe memory borrowed by `args` (mutably where the code may write),
        // which lives until this call returns, and `rets` has a slot for every result.
        let arena = unsafe { compiled.call(arg_slots, &mut rets) }?;
        // Returned arrays are copied out while the memory they live in (the call's arena, or
        // an argument) is still alive.
        let result = R::from_slots(&compiled.return_type, &rets, &mut 0);
        drop(arena);
        Ok(result)
    }
}

/// Argument slots under construction, with the array descriptors they point to.
pub struct Slots {
    slots: Vec<u64>,
    descriptors: Vec<ArrayDescriptor>,
    /// (slot index, descriptor index): filled in by `finish`, once descriptors stop moving.
    pointers: Vec<(usize, usize)>,
}

impl Slots {
    fn with_capacity(n: usize) -> Slots {
        Slots {
            slots: Vec::with_capacity(n),
            descriptors: Vec::new(),
            pointers: Vec::new(),
        }
    }

    /// Appends one slot.
    pub fn push(&mut self, bits: u64) {
        self.slots.push(bits);
    }

    /// Appends a slot pointing to a descriptor of `data` (strides in bytes).
    pub fn push_array(
        &mut self,
        data: *mut u8,
        shape: &[i64],
        strides: &[i64],
    ) -> Result<(), Error> {
        let descriptor = ArrayDescriptor::new(data, std::ptr::null_mut(), shape, strides)
            .ok_or_else(|| Error::Types("array of too many dimensions".to_string()))?;
        self.pointers
            .push((self.slots.len(), self.descriptors.len()));
        self.descriptors.push(descriptor);
        self.slots.push(0);
        Ok(())
    }

    fn finish(&mut self) -> &[u64] {
        for &(slot, descriptor) in &self.pointers {
            self.slots[slot] = self.descriptors[descriptor].as_ptr() as u64;
        }
        &self.slots
    }
}

/// A Rust type that can be passed as one argument of a compiled function.
///
/// `Value<'a>` is the type at the call (the same type with the call's borrow lifetime, for
/// references and views), so that a [`Function`] does not hold a borrow between calls.
pub trait Arg {
    type Value<'a>;
    /// Whether compiled code may write through such a value.
    const WRITABLE: bool;
    /// The ferrojit type such values have.
    fn ty() -> Type;
    /// Writes `value`'s slots for a parameter of type `param` (which [`Arg::ty`] passes as).
    fn flatten(value: &Self::Value<'_>, param: &Type, out: &mut Slots) -> Result<(), Error>;
}

/// A tuple of [`Arg`]s: the arguments of a compiled function.
pub trait Args {
    type Values<'a>;
    fn types() -> Vec<Type>;
    fn writable() -> Vec<bool>;
    fn flatten(values: &Self::Values<'_>, params: &[Type], out: &mut Slots) -> Result<(), Error>;
}

/// A Rust type a compiled function's result can be read as.
pub trait Ret: Sized {
    /// Whether a result of ferrojit type `ty` can be read as `Self`.
    fn matches(ty: &Type) -> bool;
    /// Reads the value of type `ty` (one [`matches`](Self::matches) accepted) from result
    /// slots at `*pos`. Arrays are read while the call's memory is still alive.
    fn from_slots(ty: &Type, slots: &[u64], pos: &mut usize) -> Self;
}

/// A complex number, laid out as NumPy's complex64/complex128 (real part first).
#[repr(C)]
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct Complex<T> {
    pub re: T,
    pub im: T,
}

impl<T> Complex<T> {
    pub fn new(re: T, im: T) -> Complex<T> {
        Complex { re, im }
    }
}

/// An array element type: its memory layout is the NumPy dtype's.
///
/// # Safety
/// `Self` must have exactly the size, alignment and bit patterns of [`Element::SCALAR`].
pub unsafe trait Element: Copy + Send + Sync + 'static {
    const SCALAR: Scalar;
}

/// A scalar type passed and returned by value.
trait ScalarValue: Copy {
    const SCALAR: Scalar;
    fn write_slots(self, out: &mut Slots);
    fn read_slots(slots: &[u64], pos: &mut usize) -> Self;
}

fn take(slots: &[u64], pos: &mut usize) -> u64 {
    let bits = slots.get(*pos).copied().unwrap_or(0);
    *pos += 1;
    bits
}

macro_rules! integers {
    ($($t:ty => $s:ident),*) => {$(
        impl ScalarValue for $t {
            const SCALAR: Scalar = Scalar::$s;
            fn write_slots(self, out: &mut Slots) {
                // The entry ABI's one encoding (signed values sign-extend, unsigned ones
                // zero-extend); `as u64` keeps the value's two's-complement bits.
                out.push(crate::SlotEncoding::of(Scalar::$s).integer(self as u64));
            }
            fn read_slots(slots: &[u64], pos: &mut usize) -> Self {
                take(slots, pos) as $t
            }
        }
        // SAFETY: Rust's fixed-width integers are NumPy's integer dtypes.
        unsafe impl Element for $t {
            const SCALAR: Scalar = Scalar::$s;
        }
    )*};
}
integers!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32, u64 => U64);

impl ScalarValue for bool {
    const SCALAR: Scalar = Scalar::Bool;
    fn write_slots(self, out: &mut Slots) {
        out.push(crate::SlotEncoding::Bool.integer(u64::from(self)));
    }
    fn read_slots(slots: &[u64], pos: &mut usize) -> Self {
        take(slots, pos) & 1 != 0
    }
}
// SAFETY: a Rust bool is one byte holding 0 or 1, as NumPy's bool.
unsafe impl Element for bool {
    const SCALAR: Scalar = Scalar::Bool;
}

impl ScalarValue for f64 {
    const SCALAR: Scalar = Scalar::F64;
    fn write_slots(self, out: &mut Slots) {
        out.push(self.to_bits());
    }
    fn read_slots(slots: &[u64], pos: &mut usize) -> Self {
        f64::from_bits(take(slots, pos))
    }
}
// SAFETY: IEEE binary64, as NumPy's float64.
unsafe impl Element for f64 {
    const SCALAR: Scalar = Scalar::F64;
}

impl ScalarValue for f32 {
    const SCALAR: Scalar = Scalar::F32;
    fn write_slots(self, out: &mut Slots) {
        out.push(u64::from(self.to_bits()));
    }
    fn read_slots(slots: &[u64], pos: &mut usize) -> Self {
        f32::from_bits(take(slots, pos) as u32)
    }
}
// SAFETY: IEEE binary32, as NumPy's float32.
unsafe impl Element for f32 {
    const SCALAR: Scalar = Scalar::F32;
}

impl ScalarValue for Complex<f64> {
    const SCALAR: Scalar = Scalar::C128;
    fn write_slots(self, out: &mut Slots) {
        out.push(self.re.to_bits());
        out.push(self.im.to_bits());
    }
    fn read_slots(slots: &[u64], pos: &mut usize) -> Self {
        let re = f64::from_bits(take(slots, pos));
        Complex::new(re, f64::from_bits(take(slots, pos)))
    }
}
// SAFETY: `repr(C)` pair of f64, real first, as NumPy's complex128.
unsafe impl Element for Complex<f64> {
    const SCALAR: Scalar = Scalar::C128;
}

impl ScalarValue for Complex<f32> {
    const SCALAR: Scalar = Scalar::C64;
    fn write_slots(self, out: &mut Slots) {
        out.push(u64::from(self.re.to_bits()));
        out.push(u64::from(self.im.to_bits()));
    }
    fn read_slots(slots: &[u64], pos: &mut usize) -> Self {
        let re = f32::from_bits(take(slots, pos) as u32);
        Complex::new(re, f32::from_bits(take(slots, pos) as u32))
    }
}
// SAFETY: `repr(C)` pair of f32, real first, as NumPy's complex64.
unsafe impl Element for Complex<f32> {
    const SCALAR: Scalar = Scalar::C64;
}

macro_rules! scalar_args {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            type Value<'a> = $t;
            const WRITABLE: bool = false;
            fn ty() -> Type {
                Type::Scalar(<$t as ScalarValue>::SCALAR)
            }
            fn flatten(value: &$t, _: &Type, out: &mut Slots) -> Result<(), Error> {
                value.write_slots(out);
                Ok(())
            }
        }
        impl Ret for $t {
            fn matches(ty: &Type) -> bool {
                *ty == Type::Scalar(<$t as ScalarValue>::SCALAR)
            }
            fn from_slots(_: &Type, slots: &[u64], pos: &mut usize) -> Self {
                <$t as ScalarValue>::read_slots(slots, pos)
            }
        }
        /// An array of this element type returned by compiled code.
        impl Ret for Array<$t> {
            fn matches(ty: &Type) -> bool {
                matches!(ty, Type::Array { dtype, .. } if *dtype == <$t as ScalarValue>::SCALAR)
            }
            fn from_slots(ty: &Type, slots: &[u64], pos: &mut usize) -> Self {
                let Type::Array { ndim, .. } = ty else {
                    unreachable!("`matches` accepted only arrays")
                };
                let desc = take(slots, pos) as *const u8;
                // SAFETY: compiled code returned a descriptor of `ndim` axes for an array of
                // `$t`, alive until the call's arena is dropped (after this read).
                unsafe { Array::read(desc, u32::from(*ndim)) }
            }
        }
    )*};
}
scalar_args!(
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    bool,
    f32,
    f64,
    Complex<f32>,
    Complex<f64>
);

/// An array returned by compiled code (Python's `return np.zeros(n)`, a view of an argument,
/// ...): an owned copy of its elements in C order, with its shape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Array<T> {
    pub shape: Vec<usize>,
    pub data: Vec<T>,
}

impl<T: Copy> Array<T> {
    /// Copies the array described by `desc` (`ndim` axes, elements of type `T`).
    ///
    /// # Safety
    /// `desc` is a live descriptor of that rank whose data holds `T`s at its strides.
    unsafe fn read(desc: *const u8, ndim: u32) -> Array<T> {
        use runtime::array::{DATA_OFFSET, shape_offset, stride_offset};
        // SAFETY: per the contract, every field read lies inside the descriptor.
        let field = |offset: i32| unsafe { desc.add(offset as usize).cast::<i64>().read() };
        let data = field(DATA_OFFSET) as *const u8;
        let shape: Vec<usize> = (0..ndim)
            .map(|a| usize::try_from(field(shape_offset(a))).unwrap_or(0))
            .collect();
        let strides: Vec<i64> = (0..ndim).map(|a| field(stride_offset(ndim, a))).collect();
        let count: usize = shape.iter().product();
        let mut out = Vec::with_capacity(count);
        let mut index = vec![0usize; ndim as usize];
        for _ in 0..count {
            let offset: i64 = index
                .iter()
                .zip(&strides)
                .map(|(&i, &s)| i as i64 * s)
                .sum();
            // SAFETY: the index is inside the shape, so the element is inside the array.
            out.push(unsafe { data.offset(offset as isize).cast::<T>().read_unaligned() });
            for axis in (0..index.len()).rev() {
                index[axis] += 1;
                if index[axis] < shape[axis] {
                    break;
                }
                index[axis] = 0;
            }
        }
        Array { shape, data: out }
    }
}

/// `None`: the result of a function that returns nothing.
impl Ret for () {
    fn matches(ty: &Type) -> bool {
        *ty == Type::NoneType
    }
    fn from_slots(_: &Type, _: &[u64], _: &mut usize) -> Self {}
}

fn contiguous_strides<T>(shape: &[usize], fortran: bool) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut step = std::mem::size_of::<T>() as isize;
    let order: Vec<usize> = if fortran {
        (0..shape.len()).collect()
    } else {
        (0..shape.len()).rev().collect()
    };
    for axis in order {
        strides[axis] = step;
        step *= shape[axis].max(1) as isize;
    }
    strides
}

/// The layout a view's strides have: C, F or any.
fn layout_of<T>(shape: &[usize], strides: &[isize]) -> Layout {
    let c = contiguous_strides::<T>(shape, false);
    let f = contiguous_strides::<T>(shape, true);
    let same = |expected: &[isize]| {
        shape
            .iter()
            .zip(strides.iter().zip(expected))
            .all(|(&n, (s, e))| n <= 1 || s == e)
    };
    if same(&c) {
        Layout::C
    } else if same(&f) {
        Layout::F
    } else {
        Layout::A
    }
}

fn push_view<T>(
    data: *mut u8,
    shape: &[usize],
    strides: &[isize],
    param: &Type,
    out: &mut Slots,
) -> Result<(), Error> {
    if let Type::Array { layout, .. } = param
        && *layout != Layout::A
    {
        let have = layout_of::<T>(shape, strides);
        let fits = have == *layout || (shape.iter().filter(|&&n| n > 1).count() <= 1);
        if !fits {
            return Err(Error::Types(format!(
                "the array argument is {have:?}-ordered but the signature requires {layout:?} order"
            )));
        }
    }
    let shape: Vec<i64> = shape.iter().map(|&n| n as i64).collect();
    let strides: Vec<i64> = strides.iter().map(|&s| s as i64).collect();
    out.push_array(data, &shape, &strides)
}

impl<T: Element> Arg for &[T] {
    type Value<'a> = &'a [T];
    const WRITABLE: bool = false;
    fn ty() -> Type {
        Type::array(T::SCALAR, 1, Layout::C)
    }
    fn flatten(value: &&[T], _: &Type, out: &mut Slots) -> Result<(), Error> {
        let stride = std::mem::size_of::<T>() as i64;
        out.push_array(value.as_ptr() as *mut u8, &[value.len() as i64], &[stride])
    }
}

impl<T: Element> Arg for &mut [T] {
    type Value<'a> = &'a mut [T];
    const WRITABLE: bool = true;
    fn ty() -> Type {
        Type::array(T::SCALAR, 1, Layout::C)
    }
    fn flatten(value: &&mut [T], _: &Type, out: &mut Slots) -> Result<(), Error> {
        let stride = std::mem::size_of::<T>() as i64;
        out.push_array(value.as_ptr() as *mut u8, &[value.len() as i64], &[stride])
    }
}

/// A read-only N-d view of elements in memory someone else owns (strides in elements).
#[derive(Copy, Clone, Debug)]
pub struct ArrayView<'a, T, const N: usize> {
    data: *const T,
    shape: [usize; N],
    /// In bytes.
    strides: [isize; N],
    _borrow: PhantomData<&'a [T]>,
}

/// A mutable N-d view: compiled code may write its elements.
#[derive(Debug)]
pub struct ArrayViewMut<'a, T, const N: usize> {
    data: *mut T,
    shape: [usize; N],
    /// In bytes.
    strides: [isize; N],
    _borrow: PhantomData<&'a mut [T]>,
}

// SAFETY: views are borrows of `[T]`: shareable/sendable exactly when `&[T]`/`&mut [T]` are.
unsafe impl<T: Sync, const N: usize> Send for ArrayView<'_, T, N> {}
unsafe impl<T: Sync, const N: usize> Sync for ArrayView<'_, T, N> {}
unsafe impl<T: Send, const N: usize> Send for ArrayViewMut<'_, T, N> {}
unsafe impl<T: Sync, const N: usize> Sync for ArrayViewMut<'_, T, N> {}

pub type ArrayView2<'a, T> = ArrayView<'a, T, 2>;
pub type ArrayViewMut2<'a, T> = ArrayViewMut<'a, T, 2>;

/// Checks that every element of a strided view lies inside `len` elements.
fn check_view<T>(len: usize, shape: &[usize], strides: &[isize]) -> Result<(), Error> {
    if shape.contains(&0) {
        return Ok(());
    }
    let size = std::mem::size_of::<T>() as isize;
    let (mut low, mut high) = (0isize, 0isize);
    for (&n, &s) in shape.iter().zip(strides) {
        if s % size != 0 {
            return Err(Error::Types(format!(
                "stride {s} is not a multiple of the element size {size}"
            )));
        }
        let extent = s
            .checked_mul(n as isize - 1)
            .ok_or_else(|| Error::Types("view too large".into()))?;
        if extent < 0 {
            low += extent;
        } else {
            high += extent;
        }
    }
    if low < 0 || high / size >= len as isize {
        return Err(Error::Types(format!(
            "a view of shape {shape:?} and strides {strides:?} does not fit in {len} elements"
        )));
    }
    Ok(())
}

macro_rules! view_constructors {
    ($view:ident, $slice:ty, $ptr:ident) => {
        impl<'a, T: Element, const N: usize> $view<'a, T, N> {
            /// A C-ordered (row-major) view of `data` with `shape`; `data` must hold exactly
            /// the elements of the shape.
            pub fn from_shape(data: $slice, shape: [usize; N]) -> Result<Self, Error> {
                Self::contiguous(data, shape, false)
            }

            /// A Fortran-ordered (column-major) view of `data` with `shape`.
            pub fn from_shape_fortran(data: $slice, shape: [usize; N]) -> Result<Self, Error> {
                Self::contiguous(data, shape, true)
            }

            fn contiguous(data: $slice, shape: [usize; N], fortran: bool) -> Result<Self, Error> {
                let needed: usize = shape.iter().product();
                if needed != data.len() {
                    return Err(Error::Types(format!(
                        "shape {shape:?} has {needed} elements, the slice {}",
                        data.len()
                    )));
                }
                let strides = contiguous_strides::<T>(&shape, fortran);
                Self::with_strides(data, shape, strides.try_into().expect("N strides"))
            }

            /// A view with explicit strides in bytes: element `[0, 0, ...]` is `data[0]`,
            /// strides are non-negative multiples of the element size, and every element must
            /// lie within `data`.
            pub fn with_strides(
                data: $slice,
                shape: [usize; N],
                strides: [isize; N],
            ) -> Result<Self, Error> {
                check_view::<T>(data.len(), &shape, &strides)?;
                Ok($view {
                    data: data.$ptr(),
                    shape,
                    strides,
                    _borrow: PhantomData,
                })
            }

            pub fn shape(&self) -> [usize; N] {
                self.shape
            }
        }
    };
}
view_constructors!(ArrayView, &'a [T], as_ptr);
view_constructors!(ArrayViewMut, &'a mut [T], as_mut_ptr);

impl<T: Element, const N: usize> Arg for ArrayView<'_, T, N> {
    type Value<'a> = ArrayView<'a, T, N>;
    const WRITABLE: bool = false;
    fn ty() -> Type {
        Type::array(T::SCALAR, N as u8, Layout::A)
    }
    fn flatten(value: &ArrayView<'_, T, N>, param: &Type, out: &mut Slots) -> Result<(), Error> {
        push_view::<T>(
            value.data as *mut u8,
            &value.shape,
            &value.strides,
            param,
            out,
        )
    }
}

impl<T: Element, const N: usize> Arg for ArrayViewMut<'_, T, N> {
    type Value<'a> = ArrayViewMut<'a, T, N>;
    const WRITABLE: bool = true;
    fn ty() -> Type {
        Type::array(T::SCALAR, N as u8, Layout::A)
    }
    fn flatten(value: &ArrayViewMut<'_, T, N>, param: &Type, out: &mut Slots) -> Result<(), Error> {
        push_view::<T>(
            value.data as *mut u8,
            &value.shape,
            &value.strides,
            param,
            out,
        )
    }
}

impl Args for () {
    type Values<'a> = ();
    fn types() -> Vec<Type> {
        Vec::new()
    }
    fn writable() -> Vec<bool> {
        Vec::new()
    }
    fn flatten(_: &(), _: &[Type], _: &mut Slots) -> Result<(), Error> {
        Ok(())
    }
}

macro_rules! tuples {
    ($(($($name:ident $index:tt),+)),*) => {$(
        impl<$($name: Arg),+> Args for ($($name,)+) {
            type Values<'a> = ($($name::Value<'a>,)+);
            fn types() -> Vec<Type> {
                vec![$($name::ty()),+]
            }
            fn writable() -> Vec<bool> {
                vec![$($name::WRITABLE),+]
            }
            fn flatten(values: &Self::Values<'_>, params: &[Type], out: &mut Slots) -> Result<(), Error> {
                $($name::flatten(&values.$index, &params[$index], out)?;)+
                Ok(())
            }
        }
        /// A Python tuple result.
        impl<$($name: Ret),+> Ret for ($($name,)+) {
            fn matches(ty: &Type) -> bool {
                match ty {
                    Type::Tuple(items) => {
                        let expected = [$($index),+].len();
                        items.len() == expected $(&& $name::matches(&items[$index]))+
                    }
                    _ => false,
                }
            }
            fn from_slots(ty: &Type, slots: &[u64], pos: &mut usize) -> Self {
                let Type::Tuple(items) = ty else {
                    unreachable!("`matches` accepted only tuples")
                };
                ($($name::from_slots(&items[$index], slots, pos),)+)
            }
        }
    )*};
}
tuples!(
    (A 0),
    (A 0, B 1),
    (A 0, B 1, C 2),
    (A 0, B 1, C 2, D 3),
    (A 0, B 1, C 2, D 3, E 4),
    (A 0, B 1, C 2, D 3, E 4, F 5),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strides_and_layouts() {
        assert_eq!(contiguous_strides::<f64>(&[2, 3], false), [24, 8]);
        assert_eq!(contiguous_strides::<f64>(&[2, 3], true), [8, 16]);
        assert_eq!(layout_of::<f64>(&[2, 3], &[24, 8]), Layout::C);
        assert_eq!(layout_of::<f64>(&[2, 3], &[8, 16]), Layout::F);
        assert_eq!(layout_of::<f64>(&[2, 3], &[48, 16]), Layout::A);
        assert!(check_view::<f64>(6, &[2, 3], &[24, 8]).is_ok());
        assert!(check_view::<f64>(5, &[2, 3], &[24, 8]).is_err());
        assert!(check_view::<f64>(6, &[3], &[-8]).is_err());
    }

    #[test]
    fn compiled_functions_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Function<(&[f64], f64), f64>>();
        assert_send_sync::<Function<(ArrayViewMut2<'static, f32>,), ()>>();
    }
}
