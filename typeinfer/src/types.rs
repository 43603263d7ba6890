//! The type lattice: NumPy scalar dtypes, arrays, tuples and none, with Numba's spellings.

use std::fmt;

/// A NumPy scalar dtype.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scalar {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    C64,
    C128,
}

impl Scalar {
    pub const ALL: [Scalar; 13] = [
        Scalar::Bool,
        Scalar::I8,
        Scalar::I16,
        Scalar::I32,
        Scalar::I64,
        Scalar::U8,
        Scalar::U16,
        Scalar::U32,
        Scalar::U64,
        Scalar::F32,
        Scalar::F64,
        Scalar::C64,
        Scalar::C128,
    ];

    /// Size of one element in bytes, as NumPy stores it.
    pub fn size_bytes(self) -> u32 {
        match self {
            Scalar::Bool | Scalar::I8 | Scalar::U8 => 1,
            Scalar::I16 | Scalar::U16 => 2,
            Scalar::I32 | Scalar::U32 | Scalar::F32 => 4,
            Scalar::I64 | Scalar::U64 | Scalar::F64 | Scalar::C64 => 8,
            Scalar::C128 => 16,
        }
    }
    pub fn is_bool(self) -> bool {
        self == Scalar::Bool
    }
    pub fn is_int(self) -> bool {
        self.is_signed_int() || self.is_unsigned_int()
    }
    pub fn is_signed_int(self) -> bool {
        matches!(self, Scalar::I8 | Scalar::I16 | Scalar::I32 | Scalar::I64)
    }
    pub fn is_unsigned_int(self) -> bool {
        matches!(self, Scalar::U8 | Scalar::U16 | Scalar::U32 | Scalar::U64)
    }
    pub fn is_float(self) -> bool {
        matches!(self, Scalar::F32 | Scalar::F64)
    }
    pub fn is_complex(self) -> bool {
        matches!(self, Scalar::C64 | Scalar::C128)
    }
    /// The real component type of a complex type (`c16` → `f8`); other types map to themselves.
    pub fn real_part(self) -> Scalar {
        match self {
            Scalar::C64 => Scalar::F32,
            Scalar::C128 => Scalar::F64,
            other => other,
        }
    }
    /// Numba's short name (`f8`, `i4`, `c16`, `b1`).
    pub fn short_name(self) -> &'static str {
        match self {
            Scalar::Bool => "b1",
            Scalar::I8 => "i1",
            Scalar::I16 => "i2",
            Scalar::I32 => "i4",
            Scalar::I64 => "i8",
            Scalar::U8 => "u1",
            Scalar::U16 => "u2",
            Scalar::U32 => "u4",
            Scalar::U64 => "u8",
            Scalar::F32 => "f4",
            Scalar::F64 => "f8",
            Scalar::C64 => "c8",
            Scalar::C128 => "c16",
        }
    }
    /// NumPy's dtype name (`float64`, `int32`, `bool`).
    pub fn numpy_name(self) -> &'static str {
        match self {
            Scalar::Bool => "bool",
            Scalar::I8 => "int8",
            Scalar::I16 => "int16",
            Scalar::I32 => "int32",
            Scalar::I64 => "int64",
            Scalar::U8 => "uint8",
            Scalar::U16 => "uint16",
            Scalar::U32 => "uint32",
            Scalar::U64 => "uint64",
            Scalar::F32 => "float32",
            Scalar::F64 => "float64",
            Scalar::C64 => "complex64",
            Scalar::C128 => "complex128",
        }
    }
    /// Parses a NumPy dtype name or Numba short name.
    pub fn from_name(name: &str) -> Option<Scalar> {
        Scalar::ALL
            .into_iter()
            .find(|s| s.short_name() == name || s.numpy_name() == name)
            .or(match name {
                "boolean" | "bool_" => Some(Scalar::Bool),
                "byte" => Some(Scalar::I8),
                "intp" | "int_" => Some(Scalar::I64),
                "uintp" => Some(Scalar::U64),
                "float_" | "double" => Some(Scalar::F64),
                "single" => Some(Scalar::F32),
                "complex_" | "cdouble" => Some(Scalar::C128),
                "csingle" => Some(Scalar::C64),
                _ => None,
            })
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.numpy_name())
    }
}

/// Memory layout of an array argument, as Numba distinguishes them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layout {
    /// C-contiguous: the last axis has unit stride (in elements) and strides follow the shape.
    C,
    /// Fortran-contiguous.
    F,
    /// Any strides.
    A,
}

/// The type of a value in a compiled function.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Scalar(Scalar),
    Array {
        dtype: Scalar,
        ndim: u8,
        layout: Layout,
        /// The array may not be written (a NumPy array whose `flags.writeable` is false, a
        /// broadcast view, a shared slice of the embedding API, or a view of such an array):
        /// Numba's `readonly array`. Stores, in-place operations and mutating methods on it
        /// are compile errors.
        readonly: bool,
    },
    Tuple(Vec<Type>),
    /// `None`, the return type of `void` functions.
    NoneType,
    /// A number that may be `None` (Numba's `OptionalType`): a variable assigned both, or a
    /// function returning both. Held as a present flag and the value (see `optional.rs` in
    /// the lowering); only numbers may be optional.
    Optional(Box<Type>),
    /// A `range(...)` object (only as the iterable of a `for`, or an argument to `len`).
    Range,
    /// A string literal (only as an exception message or `print` argument).
    Str,
    /// A typed, growable list of `item`s: a Python list (Numba's reflected list: changes are
    /// written back to the caller's list) or, with `typed`, a `ferrojit.typed.List`.
    List {
        item: Box<Type>,
        typed: bool,
    },
    /// A dict from `key`s to `value`s (a Python dict; with `typed`, a `ferrojit.typed.Dict`).
    Dict {
        key: Box<Type>,
        value: Box<Type>,
        typed: bool,
    },
    /// A set of `item`s.
    Set {
        item: Box<Type>,
    },
    /// The item type of an empty list (`[]`, `List()`) that nothing has been added to yet;
    /// only inside a `List`, and never left once inference succeeds.
    Unknown,
    /// A jitted function passed as a value (Numba's dispatcher type), specialised per
    /// function: `id` names it to the [`crate::Env`] (see `Env::function_value`); calling the
    /// value calls that function. Takes no room at run time.
    Function {
        id: u64,
        name: String,
    },
    /// A NumPy scalar type or dtype passed as a value (`np.float32`, `np.dtype('i4')`), usable
    /// as `dtype=`. Takes no room at run time.
    DType(Scalar),
    /// A raw C pointer (Numba's `CPointer(dtype)`, or `voidptr` when `None`), only as a
    /// `@cfunc` parameter: a plain address; `p[i]` loads and `p[i] = x` stores elements of
    /// `dtype` without a bounds check.
    CPointer(Option<Scalar>),
    /// An instance of the `@jitclass` class `class` (an id issued by the [`crate::Env`]'s
    /// class table): a pointer to a reference-counted object (see [`crate::classes`]).
    Instance {
        class: u64,
        name: String,
    },
    /// A NumPy `np.random.Generator` (PCG64) passed in from Python: at run time the address
    /// of its PCG64 state, copied in for the call and written back to the Python object after
    /// it (see `runtime::random_gen`). Only an argument, never returned or stored.
    Generator,
}

impl Type {
    pub const BOOL: Type = Type::Scalar(Scalar::Bool);
    pub const I64: Type = Type::Scalar(Scalar::I64);
    pub const F64: Type = Type::Scalar(Scalar::F64);
    pub const C128: Type = Type::Scalar(Scalar::C128);

    /// A writeable array type.
    pub fn array(dtype: Scalar, ndim: u8, layout: Layout) -> Type {
        Type::Array {
            dtype,
            ndim,
            layout,
            readonly: false,
        }
    }
    /// A read-only array type (Numba's `readonly array`).
    pub fn readonly_array(dtype: Scalar, ndim: u8, layout: Layout) -> Type {
        Type::Array {
            dtype,
            ndim,
            layout,
            readonly: true,
        }
    }
    /// True for a read-only array.
    pub fn is_readonly(&self) -> bool {
        matches!(self, Type::Array { readonly: true, .. })
    }
    /// This type with its read-only mark set to `readonly` when it is an array (a view keeps
    /// the mark of the array it views); other types are returned unchanged.
    pub fn with_readonly(self, readonly: bool) -> Type {
        match self {
            Type::Array {
                dtype,
                ndim,
                layout,
                ..
            } => Type::Array {
                dtype,
                ndim,
                layout,
                readonly,
            },
            other => other,
        }
    }
    pub fn as_scalar(&self) -> Option<Scalar> {
        match self {
            Type::Scalar(s) => Some(*s),
            _ => None,
        }
    }
    pub fn is_array(&self) -> bool {
        matches!(self, Type::Array { .. })
    }
    /// A list of `item`s (a Python list, not a `typed.List`).
    pub fn list(item: Type) -> Type {
        Type::List {
            item: Box::new(item),
            typed: false,
        }
    }
    /// The item type of a list.
    pub fn list_item(&self) -> Option<&Type> {
        match self {
            Type::List { item, .. } => Some(item),
            _ => None,
        }
    }
    /// Whether `Unknown` occurs in the type (an empty list's item type not found yet).
    pub fn has_unknown(&self) -> bool {
        match self {
            Type::Unknown => true,
            Type::List { item, .. } | Type::Set { item } => item.has_unknown(),
            Type::Dict { key, value, .. } => key.has_unknown() || value.has_unknown(),
            Type::Tuple(items) => items.iter().any(Type::has_unknown),
            _ => false,
        }
    }
}

impl fmt::Display for Type {
    /// Prints Numba's notation: `float64`, `array(float64, 2d, C)`, `UniTuple`-free `(int64, float64)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Scalar(s) => write!(f, "{s}"),
            Type::Array {
                dtype,
                ndim,
                layout,
                readonly,
            } => {
                if *readonly {
                    f.write_str("readonly ")?;
                }
                write!(f, "array({dtype}, {ndim}d, {layout:?})")
            }
            Type::Tuple(items) => {
                f.write_str("(")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                if items.len() == 1 {
                    f.write_str(",")?;
                }
                f.write_str(")")
            }
            Type::NoneType => f.write_str("none"),
            Type::Optional(inner) => write!(f, "OptionalType({inner})"),
            Type::Range => f.write_str("range"),
            Type::Str => f.write_str("str"),
            Type::List { item, typed: false } => write!(f, "list({item})"),
            Type::List { item, typed: true } => write!(f, "ListType[{item}]"),
            Type::Dict {
                key,
                value,
                typed: false,
            } => write!(f, "dict({key}, {value})"),
            Type::Dict {
                key,
                value,
                typed: true,
            } => write!(f, "DictType[{key},{value}]"),
            Type::Set { item } => write!(f, "set({item})"),
            Type::Unknown => f.write_str("undefined"),
            Type::Function { name, .. } => write!(f, "function({name})"),
            Type::DType(s) => write!(f, "dtype({s})"),
            Type::CPointer(Some(s)) => write!(f, "CPointer({s})"),
            Type::CPointer(None) => f.write_str("voidptr"),
            Type::Instance { name, .. } => write!(f, "instance.jitclass.{name}"),
            Type::Generator => f.write_str("NumPyRandomGeneratorType"),
        }
    }
}
