//! Functions compiled code calls by symbol: libm-style math and Python-semantics helpers.
//!
//! [`RuntimeFn`] is the one table, declared once (`runtime_functions!`): each variant has a
//! symbol name, a scalar signature and the address of its implementation here. The CPU
//! backend registers every entry with the JIT (or emits an import for ahead-of-time objects);
//! the GPU backend maps the same variants to its own implementations. Adding a function = one line in the declaration, its `extern "C" fn`.

use crate::{
    cmath, dict, error, fill_copy, fold, int_fold, linalg, list, object, objmode, print, random,
    random_gen, random_gen_choice, random_legacy, random_multi, reduce, sorting, str_methods, text,
};

/// Scalar kinds in runtime-function signatures.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum AbiType {
    I64,
    /// An address (`i64` in the native ABI; `ptr` in the IR).
    Ptr,
    F32,
    F64,
}

/// Description of a runtime function: symbol, parameter and result kinds, address.
#[derive(Copy, Clone, Debug)]
pub struct RuntimeFnInfo {
    pub symbol: &'static str,
    pub params: &'static [AbiType],
    pub result: AbiType,
    pub address: *const u8,
    /// The function takes the call's `*mut ErrorSlot` as a hidden first argument, which the
    /// backend supplies; `params` lists the visible ones.
    pub takes_slot: bool,
}

use crate::alloc;
use AbiType::{F32, F64, I64, Ptr};

const F64_1: &[AbiType] = &[F64];
const F64_2: &[AbiType] = &[F64, F64];
const F32_1: &[AbiType] = &[F32];
const F32_2: &[AbiType] = &[F32, F32];

/// The one declaration of the runtime functions: each line gives a variant, its symbol, its
/// parameter kinds, its result kind and its implementation. [`runtime_functions!`] turns it into
/// the enum, [`RuntimeFn::ALL`] and [`RuntimeFn::describe`], so the three cannot disagree.
macro_rules! runtime_functions {
    ($($(#[$doc:meta])* $name:ident => ($symbol:literal, $params:expr, $result:expr, $address:expr),)*) => {
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuntimeFn {
            $($(#[$doc])* $name,)*
        }

        impl RuntimeFn {
            /// Every runtime function, in declaration order.
            pub const ALL: [RuntimeFn; [$(stringify!($name)),*].len()] = [$(RuntimeFn::$name),*];

            /// Symbol, signature and address of the function.
            pub fn describe(self) -> RuntimeFnInfo {
                let (symbol, params, result, address): (&str, &[AbiType], AbiType, *const u8) =
                    match self {
                        $(RuntimeFn::$name => ($symbol, $params, $result, $address as *const u8),)*
                    };
                RuntimeFnInfo {
                    symbol,
                    params,
                    result,
                    address,
                    takes_slot: self.uses_arena(),
                }
            }
        }

        // For libraries linked with the runtime's static archive (`ferrojit build`): each
        // function's address under the unmangled name `<symbol>_address`, which their C
        // forwarding functions call through (`crate::exports`).
        $(const _: () = {
            #[unsafe(export_name = concat!($symbol, "_address"))]
            pub static ADDRESS: crate::exports::RuntimeAddress =
                crate::exports::RuntimeAddress($address as *const ());
        };)*
    };
}

runtime_functions! {
    Sin => ("ferrojit_sin", F64_1, F64, f64_sin),
    Cos => ("ferrojit_cos", F64_1, F64, f64_cos),
    Tan => ("ferrojit_tan", F64_1, F64, f64_tan),
    Asin => ("ferrojit_asin", F64_1, F64, f64_asin),
    Acos => ("ferrojit_acos", F64_1, F64, f64_acos),
    Atan => ("ferrojit_atan", F64_1, F64, f64_atan),
    Atan2 => ("ferrojit_atan2", F64_2, F64, f64_atan2),
    Sinh => ("ferrojit_sinh", F64_1, F64, f64_sinh),
    Cosh => ("ferrojit_cosh", F64_1, F64, f64_cosh),
    Tanh => ("ferrojit_tanh", F64_1, F64, f64_tanh),
    Asinh => ("ferrojit_asinh", F64_1, F64, f64_asinh),
    Acosh => ("ferrojit_acosh", F64_1, F64, f64_acosh),
    Atanh => ("ferrojit_atanh", F64_1, F64, f64_atanh),
    Exp => ("ferrojit_exp", F64_1, F64, f64_exp),
    Expm1 => ("ferrojit_expm1", F64_1, F64, f64_expm1),
    Log => ("ferrojit_log", F64_1, F64, f64_log),
    Log1p => ("ferrojit_log1p", F64_1, F64, f64_log1p),
    Log10 => ("ferrojit_log10", F64_1, F64, f64_log10),
    Log2 => ("ferrojit_log2", F64_1, F64, f64_log2),
    Pow => ("ferrojit_pow", F64_2, F64, f64_pow),
    Hypot => ("ferrojit_hypot", F64_2, F64, f64_hypot),
    Fmod => ("ferrojit_fmod", F64_2, F64, f64_fmod),
    Erf => ("ferrojit_erf", F64_1, F64, f64_erf),
    Erfc => ("ferrojit_erfc", F64_1, F64, f64_erfc),
    Gamma => ("ferrojit_gamma", F64_1, F64, f64_gamma),
    Lgamma => ("ferrojit_lgamma", F64_1, F64, f64_lgamma),
    Cbrt => ("ferrojit_cbrt", F64_1, F64, f64_cbrt),
    SinF32 => ("ferrojit_sinf", F32_1, F32, f32_sin),
    CosF32 => ("ferrojit_cosf", F32_1, F32, f32_cos),
    TanF32 => ("ferrojit_tanf", F32_1, F32, f32_tan),
    ExpF32 => ("ferrojit_expf", F32_1, F32, f32_exp),
    LogF32 => ("ferrojit_logf", F32_1, F32, f32_log),
    PowF32 => ("ferrojit_powf", F32_2, F32, f32_pow),
    /// Python's `int ** int` for non-negative exponents (wrapping, like Numba).
    IntPow => ("ferrojit_ipow", &[I64, I64], I64, int_pow),
    /// `float ** int` by repeated squaring (Numba's `powi`).
    PowI => ("ferrojit_powi", &[F64, I64], F64, f64_powi),
    // Memory helpers (`crate::alloc`); they take the call's error slot as a hidden first
    // argument and are not pure.
    /// `(ndim, itemsize, shape_ptr, zeroed) -> descriptor` of a new C-contiguous array, or 0.
    AllocArray => ("ferrojit_alloc_array", &[I64, I64, Ptr, I64], Ptr, alloc::ferrojit_alloc_array),
    /// `(src_descriptor, ndim) -> descriptor` copied into the call's arena, or 0.
    CopyDescriptor => ("ferrojit_copy_descriptor", &[Ptr, I64], Ptr, alloc::ferrojit_copy_descriptor),
    /// `() -> mark` for `ArenaRelease`.
    ArenaMark => ("ferrojit_arena_mark", &[], I64, alloc::ferrojit_arena_mark),
    /// `(mark) -> 0`: frees what was allocated since `mark`.
    ArenaRelease => ("ferrojit_arena_release", &[I64], I64, alloc::ferrojit_arena_release),
    /// `2 ** x`.
    Exp2 => ("ferrojit_exp2", F64_1, F64, f64_exp2),
    Nextafter => ("ferrojit_nextafter", F64_2, F64, f64_nextafter),
    /// `math.ldexp(x, i)`.
    Ldexp => ("ferrojit_ldexp", &[F64, I64], F64, f64_ldexp),
    /// The mantissa of `math.frexp(x)`.
    FrexpMantissa => ("ferrojit_frexp_mantissa", F64_1, F64, f64_frexp_mantissa),
    /// The exponent of `math.frexp(x)`.
    FrexpExponent => ("ferrojit_frexp_exponent", F64_1, I64, f64_frexp_exponent),
    /// IEEE 754 remainder (`math.remainder`).
    Remainder => ("ferrojit_remainder", F64_2, F64, f64_remainder),
    /// `math.gcd` of two integers (non-negative result, wrapping for `i64::MIN`).
    Gcd => ("ferrojit_gcd", &[I64, I64], I64, int_gcd),
    /// Real part of `cmath.acos` of `(re, im)` (see [`crate::cmath`]).
    CAcosRe => ("ferrojit_cacos_re", F64_2, F64, cmath::acos_re),
    /// Imaginary part of `cmath.acos`.
    CAcosIm => ("ferrojit_cacos_im", F64_2, F64, cmath::acos_im),
    /// Real part of `cmath.acosh` of `(re, im)` (see [`crate::cmath`]).
    CAcoshRe => ("ferrojit_cacosh_re", F64_2, F64, cmath::acosh_re),
    /// Imaginary part of `cmath.acosh`.
    CAcoshIm => ("ferrojit_cacosh_im", F64_2, F64, cmath::acosh_im),
    /// Real part of `cmath.asin` of `(re, im)` (see [`crate::cmath`]).
    CAsinRe => ("ferrojit_casin_re", F64_2, F64, cmath::asin_re),
    /// Imaginary part of `cmath.asin`.
    CAsinIm => ("ferrojit_casin_im", F64_2, F64, cmath::asin_im),
    /// Real part of `cmath.asinh` of `(re, im)` (see [`crate::cmath`]).
    CAsinhRe => ("ferrojit_casinh_re", F64_2, F64, cmath::asinh_re),
    /// Imaginary part of `cmath.asinh`.
    CAsinhIm => ("ferrojit_casinh_im", F64_2, F64, cmath::asinh_im),
    /// Real part of `cmath.atan` of `(re, im)` (see [`crate::cmath`]).
    CAtanRe => ("ferrojit_catan_re", F64_2, F64, cmath::atan_re),
    /// Imaginary part of `cmath.atan`.
    CAtanIm => ("ferrojit_catan_im", F64_2, F64, cmath::atan_im),
    /// Real part of `cmath.atanh` of `(re, im)` (see [`crate::cmath`]).
    CAtanhRe => ("ferrojit_catanh_re", F64_2, F64, cmath::atanh_re),
    /// Imaginary part of `cmath.atanh`.
    CAtanhIm => ("ferrojit_catanh_im", F64_2, F64, cmath::atanh_im),
    /// Real part of `cmath.cos` of `(re, im)` (see [`crate::cmath`]).
    CCosRe => ("ferrojit_ccos_re", F64_2, F64, cmath::cos_re),
    /// Imaginary part of `cmath.cos`.
    CCosIm => ("ferrojit_ccos_im", F64_2, F64, cmath::cos_im),
    /// Real part of `cmath.cosh` of `(re, im)` (see [`crate::cmath`]).
    CCoshRe => ("ferrojit_ccosh_re", F64_2, F64, cmath::cosh_re),
    /// Imaginary part of `cmath.cosh`.
    CCoshIm => ("ferrojit_ccosh_im", F64_2, F64, cmath::cosh_im),
    /// Real part of `cmath.exp` of `(re, im)` (see [`crate::cmath`]).
    CExpRe => ("ferrojit_cexp_re", F64_2, F64, cmath::exp_re),
    /// Imaginary part of `cmath.exp`.
    CExpIm => ("ferrojit_cexp_im", F64_2, F64, cmath::exp_im),
    /// Real part of `cmath.log` of `(re, im)` (see [`crate::cmath`]).
    CLogRe => ("ferrojit_clog_re", F64_2, F64, cmath::log_re),
    /// Imaginary part of `cmath.log`.
    CLogIm => ("ferrojit_clog_im", F64_2, F64, cmath::log_im),
    /// Real part of `cmath.log10` of `(re, im)` (see [`crate::cmath`]).
    CLog10Re => ("ferrojit_clog10_re", F64_2, F64, cmath::log10_re),
    /// Imaginary part of `cmath.log10`.
    CLog10Im => ("ferrojit_clog10_im", F64_2, F64, cmath::log10_im),
    /// Real part of `cmath.sin` of `(re, im)` (see [`crate::cmath`]).
    CSinRe => ("ferrojit_csin_re", F64_2, F64, cmath::sin_re),
    /// Imaginary part of `cmath.sin`.
    CSinIm => ("ferrojit_csin_im", F64_2, F64, cmath::sin_im),
    /// Real part of `cmath.sinh` of `(re, im)` (see [`crate::cmath`]).
    CSinhRe => ("ferrojit_csinh_re", F64_2, F64, cmath::sinh_re),
    /// Imaginary part of `cmath.sinh`.
    CSinhIm => ("ferrojit_csinh_im", F64_2, F64, cmath::sinh_im),
    /// Real part of `cmath.sqrt` of `(re, im)` (see [`crate::cmath`]).
    CSqrtRe => ("ferrojit_csqrt_re", F64_2, F64, cmath::sqrt_re),
    /// Imaginary part of `cmath.sqrt`.
    CSqrtIm => ("ferrojit_csqrt_im", F64_2, F64, cmath::sqrt_im),
    /// Real part of `cmath.tan` of `(re, im)` (see [`crate::cmath`]).
    CTanRe => ("ferrojit_ctan_re", F64_2, F64, cmath::tan_re),
    /// Imaginary part of `cmath.tan`.
    CTanIm => ("ferrojit_ctan_im", F64_2, F64, cmath::tan_im),
    /// Real part of `cmath.tanh` of `(re, im)` (see [`crate::cmath`]).
    CTanhRe => ("ferrojit_ctanh_re", F64_2, F64, cmath::tanh_re),
    /// Imaginary part of `cmath.tanh`.
    CTanhIm => ("ferrojit_ctanh_im", F64_2, F64, cmath::tanh_im),
    /// `print` pieces (see [`crate::print`]); these write, so they are not pure.
    PrintI64 => ("ferrojit_print_i64", &[I64], I64, print::print_i64),
    PrintU64 => ("ferrojit_print_u64", &[I64], I64, print::print_u64),
    /// A bool passed as 0 or 1.
    PrintBool => ("ferrojit_print_bool", &[I64], I64, print::print_bool),
    PrintF64 => ("ferrojit_print_f64", F64_1, I64, print::print_f64),
    PrintF32 => ("ferrojit_print_f32", F32_1, I64, print::print_f32),
    PrintC128 => ("ferrojit_print_c128", F64_2, I64, print::print_c128),
    PrintC64 => ("ferrojit_print_c64", F32_2, I64, print::print_c64),
    /// Up to 8 bytes of a string literal packed into an integer, and their count.
    PrintBytes => ("ferrojit_print_bytes", &[I64, I64], I64, print::print_bytes),
    /// Ends the line and writes it.
    PrintEnd => ("ferrojit_print_end", &[], I64, print::print_end),
    /// `() -> 1` when the calling thread's stack is nearly used up (see [`crate::stack`]), else
    /// 0: the prologue of a recursive function raises `RecursionError` then.
    StackCheck => ("ferrojit_stack_check", &[], I64, crate::stack::ferrojit_stack_check),
    // The NumPy library's sorting (`crate::sorting`): they reorder or write array buffers, so
    // they are not pure.
    /// `(data, n, kind, stable) -> 0`: sorts a contiguous buffer in place.
    Sort => ("ferrojit_sort", &[I64, I64, I64, I64], I64, sorting::ferrojit_sort),
    /// `(data, n, kind, out) -> 0`: the sorting indices of a buffer into an `i64` buffer.
    Argsort => ("ferrojit_argsort", &[I64, I64, I64, I64], I64, sorting::ferrojit_argsort),
    /// `(data, n, kind, kths, count) -> 0`: partitions a buffer in place around the `count`
    /// positions in the `i64` buffer `kths`.
    Partition => ("ferrojit_partition", &[I64, I64, I64, I64, I64], I64, sorting::ferrojit_partition),
    /// `(data, n, kind, kths, count, out) -> 0`: the partitioning indices into an `i64` buffer.
    Argpartition => (
        "ferrojit_argpartition",
        &[I64, I64, I64, I64, I64, I64],
        I64,
        sorting::ferrojit_argpartition
    ),
    /// `(data, n, kind) -> count`: sorts a buffer and moves its distinct values to the front.
    Unique => ("ferrojit_unique", &[I64, I64, I64], I64, sorting::ferrojit_unique),
    /// `(data, n, kind, q, median) -> f64`: a quantile (or the median) of a buffer it reorders.
    Quantile => ("ferrojit_quantile", &[I64, I64, I64, F64, I64], F64, sorting::ferrojit_quantile),
    // Random numbers (`crate::random`): they advance the thread's generator, so they are not
    // pure. `which` is 0 for `np.random`, 1 for Python's `random`.
    /// `(which, seed) -> 0`.
    RandomSeed => ("ferrojit_random_seed", &[I64, I64], I64, random::ferrojit_random_seed),
    /// `(which) -> state`: the address of the thread's generator, which the draws below take
    /// first (the same for the thread's life: pure, so hoisted out of loops).
    RandomState => ("ferrojit_random_state", &[I64], I64, random::ferrojit_random_state),
    /// `(state) -> f64` in [0, 1).
    RandomDouble => ("ferrojit_random_double", &[I64], F64, random::ferrojit_random_double),
    /// `(state, which) -> f64`, a standard normal deviate.
    RandomGauss => ("ferrojit_random_gauss", &[I64, I64], F64, random::ferrojit_random_gauss),
    /// `(state, low, high) -> i64` in `low..high` (NumPy).
    RandomRandint => (
        "ferrojit_random_randint",
        &[I64, I64, I64],
        I64,
        random::ferrojit_random_randint
    ),
    /// `(state) -> 0`: regenerates an MT19937 state's key words (compiled code's inline
    /// `randint` draws the words itself).
    RandomMtRefill => (
        "ferrojit_random_mt_refill",
        &[I64],
        I64,
        random::ferrojit_random_mt_refill
    ),
    /// `(state, a, b) -> i64` in `a..=b` (Python's `random.randint`).
    RandomPyRandint => (
        "ferrojit_random_py_randint",
        &[I64, I64, I64],
        I64,
        random::ferrojit_random_py_randint
    ),
    /// `(state, max) -> i64` in `0..=max` (NumPy's shuffles).
    RandomInterval => (
        "ferrojit_random_interval",
        &[I64, I64],
        I64,
        random::ferrojit_random_interval
    ),
    /// `(state) -> f64`, a standard exponential deviate.
    RandomExponential => (
        "ferrojit_random_exponential",
        &[I64],
        F64,
        random::ferrojit_random_exponential
    ),
    /// `(state, lam, exp(-lam)) -> i64`.
    RandomPoisson => (
        "ferrojit_random_poisson",
        &[I64, F64, F64],
        I64,
        random::ferrojit_random_poisson
    ),
    /// `(state, n, p) -> i64`.
    RandomBinomial => (
        "ferrojit_random_binomial",
        &[I64, I64, F64],
        I64,
        random::ferrojit_random_binomial
    ),
    // `@jitclass` objects (`crate::object`); like the memory helpers they take the error slot.
    /// `(class, size) -> object` with zeroed fields, or 0.
    ObjectNew => ("ferrojit_object_new", &[I64, I64], Ptr, object::ferrojit_object_new),
    /// `(object, offset, descriptor, ndim) -> 1` (0 if memory is exhausted).
    ObjectSetArray => (
        "ferrojit_object_set_array",
        &[Ptr, I64, Ptr, I64],
        I64,
        object::ferrojit_object_set_array
    ),
    /// `(object, offset, value) -> 1`.
    ObjectSetObject => (
        "ferrojit_object_set_object",
        &[Ptr, I64, Ptr],
        I64,
        object::ferrojit_object_set_object
    ),
    /// `(state, kind, a, b, c) -> f64`: a draw of the legacy distribution `kind`
    /// (`random_legacy::LegacyDist`).
    RandomLegacy => (
        "ferrojit_random_legacy",
        &[I64, I64, F64, F64, F64],
        F64,
        random_legacy::ferrojit_random_legacy
    ),
    /// `(state, kind, a, b) -> i64`: a draw of an integer legacy distribution.
    RandomLegacyInt => (
        "ferrojit_random_legacy_int",
        &[I64, I64, F64, F64],
        I64,
        random_legacy::ferrojit_random_legacy_int
    ),
    /// `(state, ngood, nbad, nsample) -> i64`.
    RandomHypergeometric => (
        "ferrojit_random_hypergeometric",
        &[I64, I64, I64, I64],
        I64,
        random_legacy::ferrojit_random_hypergeometric
    ),
    // `np.random.Generator` draws (`crate::random_gen`): the first argument is the address of
    // the generator's PCG64 state.
    /// `() -> address` of NumPy's ziggurat tables (constant data: pure, so hoisted out of
    /// loops). Compiled code steps PCG64 and tests the ziggurats' layers inline
    /// (`ir/src/lower/random_gen_inline.rs`).
    GenTables => ("ferrojit_gen_tables", &[], I64, random_gen::ferrojit_gen_tables),
    /// `(generator, layer, rabs, x) -> f64`: a normal draw outside its layer's rectangle.
    GenNormalUnlikely => (
        "ferrojit_gen_normal_unlikely",
        &[I64, I64, I64, F64],
        F64,
        random_gen::ferrojit_gen_normal_unlikely
    ),
    /// `(generator, layer, x) -> f64`: an exponential draw outside its layer's rectangle.
    GenExponentialUnlikely => (
        "ferrojit_gen_exponential_unlikely",
        &[I64, I64, F64],
        F64,
        random_gen::ferrojit_gen_exponential_unlikely
    ),
    /// `(generator, off, rng) -> i64` in `off..=off + rng`.
    GenInteger => ("ferrojit_gen_integer", &[I64, I64, I64], I64, random_gen::ferrojit_gen_integer),
    /// `(generator, max) -> i64` in `0..=max`.
    GenInterval => ("ferrojit_gen_interval", &[I64, I64], I64, random_gen::ferrojit_gen_interval),
    /// `(p, p_len, n, count, flags, out) -> status`: `choice(n, count, replace, p)`'s indices
    /// into `out` (`random_legacy::CHOICE_*`).
    RandomChoiceP => (
        "ferrojit_random_choice_p",
        &[I64, I64, I64, I64, I64, I64],
        I64,
        random_legacy::ferrojit_random_choice_p
    ),
    /// `(generator, p, p_len, n, count, flags, out) -> status`: `Generator.choice`'s indices
    /// (`crate::random_gen_choice`).
    GenChoice => (
        "ferrojit_gen_choice",
        &[I64, I64, I64, I64, I64, I64, I64],
        I64,
        random_gen_choice::ferrojit_gen_choice
    ),
    /// `(state, n, pvals, d, rows, out) -> status`: multinomial rows (`crate::random_multi`).
    RandomMultinomial => (
        "ferrojit_random_multinomial",
        &[I64, I64, I64, I64, I64, I64],
        I64,
        random_multi::ferrojit_random_multinomial
    ),
    /// `(state, mean, cov, d, rows, out) -> status`: multivariate normal rows.
    RandomMultivariateNormal => (
        "ferrojit_random_multivariate_normal",
        &[I64, I64, I64, I64, I64, I64],
        I64,
        random_multi::ferrojit_random_multivariate_normal
    ),
    /// `(state, alpha, k, rows, out) -> status`: Dirichlet rows.
    RandomDirichlet => (
        "ferrojit_random_dirichlet",
        &[I64, I64, I64, I64, I64],
        I64,
        random_multi::ferrojit_random_dirichlet
    ),
    // List helpers (`crate::list`); like the memory helpers they take the error slot.
    /// `(itemsize, len) -> list` of `len` zeroed items, or 0.
    ListNew => ("ferrojit_list_new", &[I64, I64], Ptr, list::ferrojit_list_new),
    /// `(list, itemsize) -> address` of a new last item, or 0.
    ListPush => ("ferrojit_list_push", &[Ptr, I64], Ptr, list::ferrojit_list_push),
    /// `(list, itemsize, index) -> address` of a new item inserted before `index`, or 0.
    ListInsert => ("ferrojit_list_insert", &[Ptr, I64, I64], Ptr, list::ferrojit_list_insert),
    /// `(list, itemsize, index) -> 0`: removes the item at `index` (in range).
    ListRemove => ("ferrojit_list_remove", &[Ptr, I64, I64], I64, list::ferrojit_list_remove),
    /// `(list, itemsize, other) -> 1`, or 0 if memory is exhausted.
    ListExtend => ("ferrojit_list_extend", &[Ptr, I64, Ptr], I64, list::ferrojit_list_extend),
    /// `(list, itemsize, start, stop, step) -> list` (`i64::MIN`: omitted bound), or 0.
    ListSlice => (
        "ferrojit_list_slice",
        &[Ptr, I64, I64, I64, I64],
        Ptr,
        list::ferrojit_list_slice
    ),
    /// `(list, itemsize) -> 0`: reverses in place.
    ListReverse => ("ferrojit_list_reverse", &[Ptr, I64], I64, list::ferrojit_list_reverse),
    /// `(list, kind, reverse) -> 0`: sorts numbers in place (`list::sort_kind`).
    ListSort => ("ferrojit_list_sort", &[Ptr, I64, I64], I64, list::ferrojit_list_sort),
    // String helpers (`crate::text`), taking the error slot like the list helpers.
    /// `(utf8_bytes, nbytes) -> str`: an interned literal.
    StrIntern => ("ferrojit_str_intern", &[Ptr, I64], Ptr, text::ferrojit_str_intern),
    /// `(a, b) -> 1 / 0`: `a == b`.
    StrEq => ("ferrojit_str_eq", &[Ptr, Ptr], I64, text::ferrojit_str_eq),
    /// `(a, b) -> -1 / 0 / 1`.
    StrCmp => ("ferrojit_str_cmp", &[Ptr, Ptr], I64, text::ferrojit_str_cmp),
    /// `(hay, needle) -> 1 / 0`: `needle in hay`.
    StrContains => ("ferrojit_str_contains", &[Ptr, Ptr], I64, text::ferrojit_str_contains),
    /// `(a, b) -> str`: `a + b`, or 0.
    StrConcat => ("ferrojit_str_concat", &[Ptr, Ptr], Ptr, text::ferrojit_str_concat),
    /// `(op, s, a, b, n, failed) -> number`: a string method giving a number or bool
    /// (`crate::str_methods`).
    StrMethodInt => ("ferrojit_str_method_int", &[I64, Ptr, Ptr, Ptr, I64, Ptr], I64, str_methods::ferrojit_str_method_int),
    /// `(op, s, a, b, n, failed) -> str or list`: a string method giving strings.
    StrMethodPtr => ("ferrojit_str_method_ptr", &[I64, Ptr, Ptr, Ptr, I64, Ptr], Ptr, str_methods::ferrojit_str_method_ptr),
    /// `(v, unsigned) -> str`: `str(int)`, or 0.
    StrFromInt => ("ferrojit_str_from_int", &[I64, I64], Ptr, text::ferrojit_str_from_int),
    /// `(v, is_f32) -> str`: `str(float)`, or 0.
    StrFromFloat => ("ferrojit_str_from_float", &[F64, I64], Ptr, text::ferrojit_str_from_float),
    /// `(s, i) -> str`: the one-character string `s[i]` (`i` in range).
    StrChar => ("ferrojit_str_char", &[Ptr, I64], Ptr, text::ferrojit_str_char),
    /// `(s) -> hash`.
    StrHash => ("ferrojit_str_hash", &[Ptr], I64, text::ferrojit_str_hash),
    /// `(s) -> 0`: `print` of a string.
    PrintStr => ("ferrojit_print_str", &[Ptr], I64, text::ferrojit_print_str),
    // Dict and set helpers (`crate::dict`), taking the error slot.
    /// `(key_size, value_size, str_keys) -> dict`.
    DictNew => ("ferrojit_dict_new", &[I64, I64, I64], Ptr, dict::ferrojit_dict_new),
    /// `(dict, key_ptr) -> value address`, or 0 if absent.
    DictFind => ("ferrojit_dict_find", &[Ptr, Ptr], Ptr, dict::ferrojit_dict_find),
    /// `(dict, key_ptr) -> value address`, inserting the key if absent.
    DictInsert => ("ferrojit_dict_insert", &[Ptr, Ptr], Ptr, dict::ferrojit_dict_insert),
    /// `(dict, key_ptr, out) -> 1 / 0`: removes the key, its value copied to `out`.
    DictRemove => ("ferrojit_dict_remove", &[Ptr, Ptr, Ptr], I64, dict::ferrojit_dict_remove),
    /// `(dict) -> 0`: squeezes out removed entries before iterating.
    DictCompact => ("ferrojit_dict_compact", &[Ptr], I64, dict::ferrojit_dict_compact),
    /// `(dict) -> 0`: removes every entry.
    DictClear => ("ferrojit_dict_clear", &[Ptr], I64, dict::ferrojit_dict_clear),
    // The error slot, for `except` clauses around calls of jitted functions (`crate::error`).
    /// `() -> 0, or 1 << 32 | tag` of the pending error.
    ErrorTag => ("ferrojit_error_tag", &[], I64, error::ferrojit_error_tag),
    /// `(saved) -> 0`: moves the pending error into `saved` and clears the slot.
    TakeError => ("ferrojit_take_error", &[Ptr], I64, error::ferrojit_take_error),
    /// `(saved) -> 0`: puts a saved error back (a bare `raise`).
    RestoreError => ("ferrojit_restore_error", &[Ptr], I64, error::ferrojit_restore_error),
    /// `(block, inputs, outputs) -> status`: runs a `with objmode` block in the interpreter.
    ObjModeCall => ("ferrojit_objmode_call", &[I64, Ptr, Ptr], I64, objmode::ferrojit_objmode_call),
    // Dense linear algebra (`crate::linalg`, on faer): they write their result buffers.
    /// `(a, b, c, m, k, n) -> 0`: `c = a @ b` of C-contiguous float64 matrices.
    Matmul => ("ferrojit_matmul", &[I64, I64, I64, I64, I64, I64], I64, linalg::ferrojit_matmul),
    /// `(a, b, x, n, nrhs) -> status`: solves `a x = b`; 1 when `a` is singular.
    Solve => ("ferrojit_solve", &[I64, I64, I64, I64, I64], I64, linalg::ferrojit_solve),
    /// `(a, out, n) -> status`: the inverse; 1 when `a` is singular.
    Inv => ("ferrojit_inv", &[I64, I64, I64], I64, linalg::ferrojit_inv),
    /// `(a, n) -> f64`: the determinant.
    Det => ("ferrojit_det", &[I64, I64], F64, linalg::ferrojit_det),
    /// `(a, n, log_abs_slot) -> sign`: `np.linalg.slogdet`.
    Slogdet => ("ferrojit_slogdet", &[I64, I64, Ptr], F64, linalg::ferrojit_slogdet),
    /// `(a, out, n) -> status`: the lower Cholesky factor; 1 when not positive definite.
    Cholesky => ("ferrojit_cholesky", &[I64, I64, I64], I64, linalg::ferrojit_cholesky),
    /// `(a, out, n) -> status`: the eigenvalues of a symmetric matrix, ascending.
    Eigvalsh => ("ferrojit_eigvalsh", &[I64, I64, I64], I64, linalg::ferrojit_eigvalsh),
    /// `(a, w, v, n) -> status`: eigenvalues (ascending) and eigenvectors (columns of `v`).
    Eigh => ("ferrojit_eigh", &[I64, I64, I64, I64], I64, linalg::ferrojit_eigh),
    /// `(a, b, c, m, k, n) -> 0`: [`RuntimeFn::Matmul`] of complex128 matrices.
    ComplexMatmul => ("ferrojit_complex_matmul", &[I64, I64, I64, I64, I64, I64], I64, linalg::ferrojit_complex_matmul),
    /// `(a, b, x, n, nrhs) -> status`: [`RuntimeFn::Solve`] of complex128 matrices.
    ComplexSolve => ("ferrojit_complex_solve", &[I64, I64, I64, I64, I64], I64, linalg::ferrojit_complex_solve),
    /// `(a, out, n) -> status`: the inverse of a complex128 matrix; 1 when singular.
    ComplexInv => ("ferrojit_complex_inv", &[I64, I64, I64], I64, linalg::ferrojit_complex_inv),
    /// `(a, n, out) -> 0`: the determinant of a complex128 matrix, written to `out`.
    ComplexDet => ("ferrojit_complex_det", &[I64, I64, Ptr], I64, linalg::ferrojit_complex_det),
    /// `(a, w, v, n, vectors) -> status`: [`RuntimeFn::Eig`] of a complex128 matrix.
    ComplexEig => ("ferrojit_complex_eig", &[I64, I64, I64, I64, I64], I64, linalg::ferrojit_complex_eig),
    /// `(count) -> chunks`: how many chunks a `prange` loop of `count` iterations runs in.
    ParallelChunks => ("ferrojit_parallel_chunks", &[I64], I64, crate::parallel::ferrojit_parallel_chunks),
    /// `(a, w, v, n, mode) -> status`: `np.linalg.eig`/`eigvals` of a general real matrix
    /// (complex or, with `linalg::EIG_REAL`, real results); 1 when not converged, 2 for
    /// infinities or NaN, 3 for a complex eigenvalue when real results were asked for.
    Eig => ("ferrojit_eig", &[I64, I64, I64, I64, I64], I64, linalg::ferrojit_eig),
    /// `(a, m, n, s, u, vt, compute_uv, full) -> status`: `np.linalg.svd`.
    Svd => ("ferrojit_svd", &[I64, I64, I64, I64, I64, I64, I64, I64], I64, linalg::ferrojit_svd),
    /// `(a, m, n) -> rank`: `np.linalg.matrix_rank`; -1 when the SVD does not converge.
    MatrixRank => ("ferrojit_matrix_rank", &[I64, I64, I64, F64, I64], I64, linalg::ferrojit_matrix_rank),
    /// `(a, out, m, n) -> status`: `np.linalg.pinv` (`out` is `n x m`).
    Pinv => ("ferrojit_pinv", &[I64, I64, I64, I64, F64], I64, linalg::ferrojit_pinv),
    /// `(a, q, r, m, n, complete) -> 0`: `np.linalg.qr` (`q == 0`: R only).
    Qr => ("ferrojit_qr", &[I64, I64, I64, I64, I64, I64], I64, linalg::ferrojit_qr),
    /// `(a, b, x, s, residuals, m, n, nrhs) -> rank`: `np.linalg.lstsq`; -1 on failure.
    /// `(x, rows, cols, matrix, ord, invalid_slot) -> f64`: `np.linalg.norm` with a number `ord`.
    Norm => ("ferrojit_norm", &[I64, I64, I64, I64, F64, Ptr], F64, linalg::ferrojit_norm),
    Lstsq => ("ferrojit_lstsq", &[I64, I64, I64, I64, I64, I64, I64, I64, F64], I64, linalg::ferrojit_lstsq),
    // Whole-array reductions of contiguous elements (`crate::reduce`, vectorised): `(data, n)`
    // or `(data, data, n)`. They read array memory, so they are not pure.
    /// Sum of `f64` elements in any order (fastmath only).
    SumF64 => ("ferrojit_sum_f64", &[Ptr, I64], F64, reduce::ferrojit_sum_f64),
    /// Sum of `f32` elements in any order (fastmath only).
    SumF32 => ("ferrojit_sum_f32", &[Ptr, I64], F32, reduce::ferrojit_sum_f32),
    /// Sum of the squares of `f64` elements in any order (fastmath only).
    SumSquaresF64 => ("ferrojit_sum_squares_f64", &[Ptr, I64], F64, reduce::ferrojit_sum_squares_f64),
    /// Dot product of two `f64` buffers in any order (fastmath only).
    DotF64 => ("ferrojit_dot_f64", &[Ptr, Ptr, I64], F64, reduce::ferrojit_dot_f64),
    /// Wrapping sum of `i64` elements (exact in any order).
    SumI64 => ("ferrojit_sum_i64", &[Ptr, I64], I64, reduce::ferrojit_sum_i64),
    /// Wrapping sum of `i32` elements widened to `i64` (exact in any order).
    SumI32 => ("ferrojit_sum_i32", &[Ptr, I64], I64, reduce::ferrojit_sum_i32),
    /// Sum of `u8` elements widened to `i64`.
    SumU8 => ("ferrojit_sum_u8", &[Ptr, I64], I64, reduce::ferrojit_sum_u8),
    /// Sum of `i8` elements widened to `i64`.
    SumI8 => ("ferrojit_sum_i8", &[Ptr, I64], I64, reduce::ferrojit_sum_i8),
    /// Sum of `u16` elements widened to `i64`.
    SumU16 => ("ferrojit_sum_u16", &[Ptr, I64], I64, reduce::ferrojit_sum_u16),
    /// Sum of `i16` elements widened to `i64`.
    SumI16 => ("ferrojit_sum_i16", &[Ptr, I64], I64, reduce::ferrojit_sum_i16),
    /// Smallest of `n >= 1` `i64` elements.
    MinI64 => ("ferrojit_min_i64", &[Ptr, I64], I64, reduce::ferrojit_min_i64),
    /// Largest of `n >= 1` `i64` elements.
    MaxI64 => ("ferrojit_max_i64", &[Ptr, I64], I64, reduce::ferrojit_max_i64),
    /// Total number of one bits of `i64` elements (a loop of Kernighan's bit counts).
    PopcountSumI64 => ("ferrojit_popcount_sum_i64", &[Ptr, I64], I64, reduce::ferrojit_popcount_sum_i64),
    /// Smallest of `n >= 1` `f64` elements, NumPy's NaN rule (the first NaN wins).
    MinF64 => ("ferrojit_min_f64", &[Ptr, I64], F64, reduce::ferrojit_min_f64),
    /// Largest of `n >= 1` `f64` elements, NumPy's NaN rule.
    MaxF64 => ("ferrojit_max_f64", &[Ptr, I64], F64, reduce::ferrojit_max_f64),
    /// Smallest of `n >= 1` `f32` elements, NumPy's NaN rule.
    MinF32 => ("ferrojit_min_f32", &[Ptr, I64], F32, reduce::ferrojit_min_f32),
    /// Largest of `n >= 1` `f32` elements, NumPy's NaN rule.
    MaxF32 => ("ferrojit_max_f32", &[Ptr, I64], F32, reduce::ferrojit_max_f32),
    // Fill and copy loops over contiguous elements (`crate::fill_copy`): they write array
    // memory, so they are not pure. `(data, value bits, n) -> 0` and `(dst, src, n) -> 0`.
    /// `n` 1-byte elements set to the low byte of the value (`memset`).
    Fill8 => ("ferrojit_fill_8", &[Ptr, I64, I64], I64, fill_copy::ferrojit_fill_8),
    /// `n` 2-byte elements set to the low 16 bits of the value.
    Fill16 => ("ferrojit_fill_16", &[Ptr, I64, I64], I64, fill_copy::ferrojit_fill_16),
    /// `n` 4-byte elements set to the low 32 bits of the value.
    Fill32 => ("ferrojit_fill_32", &[Ptr, I64, I64], I64, fill_copy::ferrojit_fill_32),
    /// `n` 8-byte elements set to the value's bits.
    Fill64 => ("ferrojit_fill_64", &[Ptr, I64, I64], I64, fill_copy::ferrojit_fill_64),
    /// `n` 1-byte elements copied in the loop's forward order (`memmove` where that is the same).
    Copy8 => ("ferrojit_copy_8", &[Ptr, Ptr, I64], I64, fill_copy::ferrojit_copy_8),
    /// `n` 2-byte elements copied in forward order.
    Copy16 => ("ferrojit_copy_16", &[Ptr, Ptr, I64], I64, fill_copy::ferrojit_copy_16),
    /// `n` 4-byte elements copied in forward order.
    Copy32 => ("ferrojit_copy_32", &[Ptr, Ptr, I64], I64, fill_copy::ferrojit_copy_32),
    /// `n` 8-byte elements copied in forward order.
    Copy64 => ("ferrojit_copy_64", &[Ptr, Ptr, I64], I64, fill_copy::ferrojit_copy_64),
    /// `n` square roots of `f64` elements stored in forward order (`(dst, src, n) -> 0`).
    SqrtF64 => ("ferrojit_sqrt_f64", &[Ptr, Ptr, I64], I64, fill_copy::ferrojit_sqrt_f64),
    /// `n` square roots of `f32` elements stored in forward order.
    SqrtF32 => ("ferrojit_sqrt_f32", &[Ptr, Ptr, I64], I64, fill_copy::ferrojit_sqrt_f32),
    /// `d[k] += s * x[k]` for `n` `f64` elements in forward order (`(d, x, s, n) -> 0`).
    AxpyF64 => ("ferrojit_axpy_f64", &[Ptr, Ptr, F64, I64], I64, fill_copy::ferrojit_axpy_f64),
    /// `d[k] += s * x[k]` for `n` `f32` elements in forward order.
    AxpyF32 => ("ferrojit_axpy_f32", &[Ptr, Ptr, F32, I64], I64, fill_copy::ferrojit_axpy_f32),
    /// Four `f64` `axpy`s on one destination, in order (`(d, s, s_stride, a, a_stride, n) ->
    /// 0`: sources and scales `stride` bytes apart).
    Axpy4F64 => ("ferrojit_axpy4_f64", &[Ptr, Ptr, I64, Ptr, I64, I64], I64, fill_copy::ferrojit_axpy4_f64),
    /// `out[k] = x[k] / s` for `n` `f64` elements in forward order (`(out, x, s, n) -> 0`).
    DivF64 => ("ferrojit_div_f64", &[Ptr, Ptr, F64, I64], I64, fill_copy::ferrojit_div_f64),
    /// `out[k] = x[k] / s` for `n` `f32` elements in forward order.
    DivF32 => ("ferrojit_div_f32", &[Ptr, Ptr, F32, I64], I64, fill_copy::ferrojit_div_f32),
    /// `out[k]` for `n` elements as the fold program at the second pointer says (`(out, steps,
    /// nsteps, n) -> 0`, `crate::fold`), `f64` elements.
    FoldF64 => ("ferrojit_fold_f64", &[Ptr, Ptr, I64, I64], I64, fold::ferrojit_fold_f64),
    /// The same over `f32` elements.
    FoldF32 => ("ferrojit_fold_f32", &[Ptr, Ptr, I64, I64], I64, fold::ferrojit_fold_f32),
    /// `rows` runs of a fold program, the pointers moving by the row strides stored after
    /// the steps (`(out, program, nsteps, n, rows) -> 0`), `f64` elements.
    FoldRowsF64 => ("ferrojit_fold_rows_f64", &[Ptr, Ptr, I64, I64, I64], I64, fold::ferrojit_fold_rows_f64),
    /// The same over `f32` elements.
    FoldRowsF32 => ("ferrojit_fold_rows_f32", &[Ptr, Ptr, I64, I64, I64], I64, fold::ferrojit_fold_rows_f32),
    /// The sum of a fold program's `n` `f64` elements in any order (`fastmath` reductions):
    /// `(program, nsteps, n) -> sum`.
    FoldSumF64 => ("ferrojit_fold_sum_f64", &[Ptr, I64, I64], F64, fold::ferrojit_fold_sum_f64),
    /// The same over `f32` elements.
    FoldSumF32 => ("ferrojit_fold_sum_f32", &[Ptr, I64, I64], F32, fold::ferrojit_fold_sum_f32),
    /// `out[k]` for `n` elements as the integer fold program at the second pointer says
    /// (`(out, program, nsteps, n) -> 0`, `crate::int_fold`), `int64` elements.
    IntFoldI64 => ("ferrojit_int_fold_i64", &[Ptr, Ptr, I64, I64], I64, int_fold::ferrojit_int_fold_i64),
    /// The same over `int32` elements.
    IntFoldI32 => ("ferrojit_int_fold_i32", &[Ptr, Ptr, I64, I64], I64, int_fold::ferrojit_int_fold_i32),
    /// `out[k]` for `n` `int16` elements of an integer fold computed in `int32` (`int16`
    /// elements sign-extended, results truncated): `(out, program, nsteps, n) -> 0`.
    IntFoldI16 => ("ferrojit_int_fold_i16", &[Ptr, Ptr, I64, I64], I64, int_fold::ferrojit_int_fold_i16),
    /// The wrapping sum of an integer fold program's `n` `int64` elements: `(program, nsteps,
    /// n) -> sum`.
    IntFoldSumI64 => ("ferrojit_int_fold_sum_i64", &[Ptr, I64, I64], I64, int_fold::ferrojit_int_fold_sum_i64),
    /// The same over `int32` elements (the `int32` sum sign-extended).
    IntFoldSumI32 => ("ferrojit_int_fold_sum_i32", &[Ptr, I64, I64], I64, int_fold::ferrojit_int_fold_sum_i32),
}

impl RuntimeFn {
    /// True for the memory helpers, which use the call's arena: they take the error slot,
    /// have effects (two calls are two allocations), and exist only on the CPU.
    pub fn uses_arena(self) -> bool {
        use RuntimeFn::*;
        matches!(
            self,
            AllocArray
                | CopyDescriptor
                | ArenaMark
                | ArenaRelease
                | ObjectNew
                | ObjectSetArray
                | ObjectSetObject
                | ListNew
                | ListPush
                | ListInsert
                | ListRemove
                | ListExtend
                | ListSlice
                | ListReverse
                | ListSort
                | StrIntern
                | StrEq
                | StrCmp
                | StrContains
                | StrConcat
                | StrFromInt
                | StrFromFloat
                | StrChar
                | StrHash
                | PrintStr
                | DictNew
                | DictFind
                | DictInsert
                | DictRemove
                | DictCompact
                | DictClear
                | ObjModeCall
                | StrMethodInt
                | StrMethodPtr
                | ErrorTag
                | TakeError
                | RestoreError
        )
    }

    /// False for the functions that write output (`print`) or use the arena: they may not be
    /// removed, merged or moved.
    pub fn is_pure(self) -> bool {
        use RuntimeFn::*;
        !matches!(
            self,
            PrintI64
                | PrintU64
                | PrintBool
                | PrintF64
                | PrintF32
                | PrintC128
                | PrintC64
                | PrintBytes
                | PrintEnd
                | StackCheck
        ) && (!self.uses_arena() || self.reads_strings_only())
            && (!self.is_library() || matches!(self, RandomState | GenTables))
            && !self.reads_memory()
            && !self.writes_memory()
    }

    /// True for the string helpers that only read strings (which never change) or return
    /// immortal interned ones: they take the error slot like the arena's users but allocate
    /// nothing there, so a literal's interning or a comparison may be hoisted and merged.
    pub fn reads_strings_only(self) -> bool {
        use RuntimeFn::*;
        matches!(
            self,
            StrIntern | StrEq | StrCmp | StrContains | StrChar | StrHash
        )
    }

    /// True for the calls compiled code makes only on rare paths of inline code (the
    /// generators' refills, the ziggurats' tails and wedges): backends lay their blocks out of
    /// line, so that the common path runs straight through.
    pub fn is_rare(self) -> bool {
        use RuntimeFn::*;
        matches!(
            self,
            RandomMtRefill | GenNormalUnlikely | GenExponentialUnlikely
        )
    }

    /// True for the reductions over array memory (`crate::reduce`): like a load, a call may
    /// not be merged with another or moved across stores.
    pub fn reads_memory(self) -> bool {
        use RuntimeFn::*;
        matches!(
            self,
            SumF64
                | SumF32
                | SumSquaresF64
                | DotF64
                | SumI64
                | SumI32
                | SumU8
                | SumI8
                | SumU16
                | SumI16
                | MinI64
                | MaxI64
                | PopcountSumI64
                | MinF64
                | MaxF64
                | MinF32
                | MaxF32
        )
    }

    /// True for the fill and copy loops (`crate::fill_copy`): like a store, a call may not be
    /// removed, merged or moved across other memory accesses.
    pub fn writes_memory(self) -> bool {
        use RuntimeFn::*;
        matches!(
            self,
            Fill8
                | Fill16
                | Fill32
                | Fill64
                | Copy8
                | Copy16
                | Copy32
                | Copy64
                | SqrtF64
                | SqrtF32
                | AxpyF64
                | AxpyF32
                | Axpy4F64
                | DivF64
                | DivF32
                | FoldF64
                | FoldF32
                | FoldRowsF64
                | FoldRowsF32
                | FoldSumF64
                | FoldSumF32
                | IntFoldI64
                | IntFoldI32
                | IntFoldI16
                | IntFoldSumI64
                | IntFoldSumI32
        )
    }

    /// True for the NumPy library routines written in Rust (sorting, …) and the `@jitclass`
    /// object helpers: they read and write memory through their pointer arguments (real
    /// arrays and objects) and exist only in this runtime (no GPU version).
    pub fn is_library(self) -> bool {
        use RuntimeFn::*;
        matches!(
            self,
            Sort | Argsort
                | Partition
                | Argpartition
                | Unique
                | Quantile
                | RandomSeed
                | RandomState
                | RandomDouble
                | RandomGauss
                | RandomRandint
                | RandomMtRefill
                | RandomPyRandint
                | RandomInterval
                | RandomExponential
                | RandomPoisson
                | RandomBinomial
                | RandomLegacy
                | RandomLegacyInt
                | RandomHypergeometric
                | RandomChoiceP
                | RandomMultinomial
                | GenChoice
                | RandomDirichlet
                | RandomMultivariateNormal
                | GenTables
                | GenNormalUnlikely
                | GenExponentialUnlikely
                | GenInteger
                | GenInterval
                | Matmul
                | Solve
                | Inv
                | Det
                | Slogdet
                | Cholesky
                | Eigvalsh
                | Eigh
                | Eig
                | ComplexMatmul
                | ComplexEig
                | ComplexSolve
                | ComplexInv
                | ComplexDet
                | ParallelChunks
                | Svd
                | MatrixRank
                | Pinv
                | Qr
                | Lstsq
                | Norm
                | ObjectNew
                | ObjectSetArray
                | ObjectSetObject
        )
    }

    /// Name used in the IR text form (`call_rt sin`).
    pub fn ir_name(self) -> &'static str {
        self.describe().symbol.trim_start_matches("ferrojit_")
    }

    pub fn from_ir_name(name: &str) -> Option<RuntimeFn> {
        Self::ALL.into_iter().find(|f| f.ir_name() == name)
    }
}

macro_rules! unary_f64 {
    ($($name:ident => $method:ident),* $(,)?) => {
        $(extern "C" fn $name(x: f64) -> f64 { x.$method() })*
    };
}
macro_rules! unary_f32 {
    ($($name:ident => $method:ident),* $(,)?) => {
        $(extern "C" fn $name(x: f32) -> f32 { x.$method() })*
    };
}

unary_f64! {
    f64_sin => sin, f64_cos => cos, f64_tan => tan, f64_asin => asin, f64_acos => acos,
    f64_atan => atan, f64_sinh => sinh, f64_cosh => cosh, f64_tanh => tanh, f64_exp => exp,
    f64_expm1 => exp_m1, f64_log => ln, f64_log1p => ln_1p, f64_log10 => log10, f64_log2 => log2,
}
unary_f32! { f32_sin => sin, f32_cos => cos, f32_tan => tan, f32_exp => exp, f32_log => ln }

extern "C" fn f64_atan2(y: f64, x: f64) -> f64 {
    y.atan2(x)
}
extern "C" fn f64_pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}
extern "C" fn f32_pow(x: f32, y: f32) -> f32 {
    x.powf(y)
}
extern "C" fn f64_hypot(x: f64, y: f64) -> f64 {
    x.hypot(y)
}
extern "C" fn f64_fmod(x: f64, y: f64) -> f64 {
    x % y
}

// The C library's functions, as CPython's `math` calls them: Rust's own `asinh`/`acosh`/`atanh`
// are different formulas (a few ULPs apart for large arguments).
unsafe extern "C" {
    fn dlopen(name: *const std::ffi::c_char, flags: std::ffi::c_int) -> *mut std::ffi::c_void;
    fn dlsym(
        handle: *mut std::ffi::c_void,
        symbol: *const std::ffi::c_char,
    ) -> *mut std::ffi::c_void;
    fn exp2(x: f64) -> f64;
    fn nextafter(x: f64, y: f64) -> f64;
    fn ldexp(x: f64, e: i32) -> f64;
    fn frexp(x: f64, e: *mut i32) -> f64;
    fn remainder(x: f64, y: f64) -> f64;
    fn asinh(x: f64) -> f64;
    fn acosh(x: f64) -> f64;
    fn atanh(x: f64) -> f64;
    fn erf(x: f64) -> f64;
    fn erfc(x: f64) -> f64;
    fn tgamma(x: f64) -> f64;
    fn lgamma(x: f64) -> f64;
}

extern "C" fn f64_asinh(x: f64) -> f64 {
    // SAFETY: libm's asinh is a pure function of a double.
    unsafe { asinh(x) }
}
extern "C" fn f64_acosh(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { acosh(x) }
}
extern "C" fn f64_atanh(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { atanh(x) }
}
extern "C" fn f64_erf(x: f64) -> f64 {
    // SAFETY: libm's erf is a pure function of a double.
    unsafe { erf(x) }
}
extern "C" fn f64_erfc(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { erfc(x) }
}
extern "C" fn f64_gamma(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { tgamma(x) }
}
extern "C" fn f64_lgamma(x: f64) -> f64 {
    // SAFETY: as above (glibc's lgamma writes the sign to `signgam`; we do not read it).
    unsafe { lgamma(x) }
}

/// The C library's cube root, as CPython's `math.cbrt` calls it. Rust's standard library
/// defines its own `cbrt` symbol (CORE-MATH's correctly rounded one, which differs from glibc's
/// in the last bit for some inputs) and the static linker binds the name to it, so the C
/// library's is looked up in `libm.so.6` at run time, once (falling back to Rust's where there is
/// no such library).
extern "C" fn f64_cbrt(x: f64) -> f64 {
    static LIBC_CBRT: std::sync::OnceLock<Option<extern "C" fn(f64) -> f64>> =
        std::sync::OnceLock::new();
    let libc_cbrt = LIBC_CBRT.get_or_init(|| {
        const RTLD_LAZY: std::ffi::c_int = 1;
        // SAFETY: dlopen/dlsym with NUL-terminated names; a non-null result of dlsym on the C
        // math library is its `double cbrt(double)`. The library stays loaded (never closed).
        let address = unsafe {
            let libm = dlopen(c"libm.so.6".as_ptr(), RTLD_LAZY);
            if libm.is_null() {
                return None;
            }
            dlsym(libm, c"cbrt".as_ptr())
        };
        (!address.is_null()).then(|| {
            // SAFETY: as above.
            unsafe {
                std::mem::transmute::<*mut std::ffi::c_void, extern "C" fn(f64) -> f64>(address)
            }
        })
    });
    match libc_cbrt {
        Some(f) => f(x),
        None => x.cbrt(),
    }
}
extern "C" fn f64_exp2(x: f64) -> f64 {
    // SAFETY: as above.
    unsafe { exp2(x) }
}
extern "C" fn f64_nextafter(x: f64, y: f64) -> f64 {
    // SAFETY: as above.
    unsafe { nextafter(x, y) }
}
extern "C" fn f64_remainder(x: f64, y: f64) -> f64 {
    // SAFETY: as above.
    unsafe { remainder(x, y) }
}
/// `math.ldexp`: exponents beyond `int` saturate, which over- or underflows just the same.
extern "C" fn f64_ldexp(x: f64, e: i64) -> f64 {
    let e = e.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    // SAFETY: as above.
    unsafe { ldexp(x, e) }
}
extern "C" fn f64_frexp_mantissa(x: f64) -> f64 {
    let mut e = 0;
    // SAFETY: frexp writes the exponent through a valid pointer.
    unsafe { frexp(x, &mut e) }
}
extern "C" fn f64_frexp_exponent(x: f64) -> i64 {
    let mut e = 0;
    // SAFETY: as above.
    unsafe { frexp(x, &mut e) };
    // C leaves the exponent unspecified for inf and NaN; Python gives 0.
    if x.is_finite() { i64::from(e) } else { 0 }
}
/// `math.gcd`: the non-negative greatest common divisor (`gcd(0, 0) == 0`).
pub extern "C" fn int_gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a as i64
}

/// `base ** exp` for `exp >= 0`, wrapping on overflow like Numba's integer power.
pub extern "C" fn int_pow(base: i64, exp: i64) -> i64 {
    let (mut result, mut b, mut e) = (1i64, base, exp);
    while e > 0 {
        if e & 1 == 1 {
            result = result.wrapping_mul(b);
        }
        b = b.wrapping_mul(b);
        e >>= 1;
    }
    result
}

/// `x ** n` for integer `n` by repeated squaring.
pub extern "C" fn f64_powi(x: f64, n: i64) -> f64 {
    x.powi(n.clamp(i32::MIN as i64, i32::MAX as i64) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_has_a_unique_symbol() {
        let mut names: Vec<_> = RuntimeFn::ALL.iter().map(|f| f.describe().symbol).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RuntimeFn::ALL.len());
        for f in RuntimeFn::ALL {
            assert_eq!(RuntimeFn::from_ir_name(f.ir_name()), Some(f));
        }
    }

    #[test]
    fn cbrt_is_the_c_librarys() {
        // glibc's cbrt(1.5) is one ULP below the correctly rounded result Rust's gives.
        assert_eq!(f64_cbrt(1.5), 1.1447142425533317);
        assert_eq!(f64_cbrt(8.0), 2.0);
    }

    #[test]
    fn integer_power_wraps() {
        assert_eq!(int_pow(3, 4), 81);
        assert_eq!(int_pow(2, 64), 0);
        assert_eq!(int_pow(-2, 3), -8);
        assert_eq!(int_pow(5, 0), 1);
    }
}
