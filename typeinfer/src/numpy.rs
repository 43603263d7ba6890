//! NumPy's array functions and array methods that kernels may call: the table of names, each
//! function's parameter list (so positional and keyword arguments bind the same way in typing
//! and lowering), and the binding itself.
//!
//! Adding a function means: a variant here with its names and parameters, its typing in
//! `infer/numpy_call.rs`, and its lowering in `ir/src/lower/array_fns.rs`.

use frontend::Diagnostic;
use frontend::ast::{Expr, Keyword};

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ArrayFn {
    // Creation.
    Empty,
    Zeros,
    Ones,
    Full,
    EmptyLike,
    ZerosLike,
    OnesLike,
    FullLike,
    Arange,
    Linspace,
    /// `np.copy(a)` and `a.copy()`.
    Copy,
    /// `a.astype(dtype)`: a converted copy.
    Astype,
    // Reductions (functions and methods).
    Sum,
    Prod,
    Min,
    Max,
    Mean,
    Std,
    Var,
    Argmin,
    Argmax,
    Cumsum,
    Cumprod,
    /// `np.any(a)`: true if some element is nonzero.
    Any,
    /// `np.all(a)`: true if every element is nonzero.
    All,
    /// `np.concatenate((a, b, ...))` along the first axis.
    Concatenate,
    // Linear algebra.
    Dot,
    // Element-wise selection.
    Where,
    // Shape.
    Reshape,
    Ravel,
    /// `a.flatten()`: always a copy (unlike `ravel`, which is a view when it can be).
    Flatten,
    Fill,
    // Sorting and searching (typed in `infer/numpy_sorting.rs`, lowered in
    // `lower/sorting.rs`).
    /// `np.sort(a)`: a sorted copy.
    Sort,
    /// `a.sort()`: sorts in place.
    SortInPlace,
    Argsort,
    Partition,
    /// `a.partition(kth)`: partitions in place.
    PartitionInPlace,
    Argpartition,
    Searchsorted,
    Unique,
    Digitize,
    Bincount,
    /// `np.nonzero(a)`, `a.nonzero()` and `np.where(condition)`.
    Nonzero,
    Flatnonzero,
    Argwhere,
    Isin,
    // Statistics (typed in `infer/numpy_statistics.rs`, lowered in `lower/statistics.rs`).
    Median,
    Percentile,
    Quantile,
    Nansum,
    Nanmean,
    Nanstd,
    Nanvar,
    Nanmin,
    Nanmax,
    Nanargmin,
    Nanargmax,
    Ptp,
    Average,
    Cov,
    Corrcoef,
    Histogram,
    // Construction and shape (typed in `infer/numpy_shape.rs`, lowered in
    // `lower/construction.rs`).
    /// `np.array(x)`: a new array from a tuple (nested for more axes), array or number.
    Array,
    /// `np.asarray(x)`: `x` itself when it is an array (of the asked dtype).
    Asarray,
    Ascontiguousarray,
    Stack,
    Vstack,
    Hstack,
    ColumnStack,
    Diff,
    Roll,
    Outer,
    Cross,
    Interp,
    ExpandDims,
    Transpose,
    ArrayEqual,
    Allclose,
    /// `a.item()`: the only element of a one-element array.
    Item,
    // Random numbers (typed in `infer/numpy_random.rs`, lowered in `lower/random.rs`):
    // `np.random.<name>` ...
    RandomSeed,
    /// `np.random.random(size)`, `random_sample`, `sample`, `ranf`.
    RandomRandom,
    /// `np.random.rand(d0, d1, ...)`.
    RandomRand,
    RandomRandn,
    RandomRandint,
    RandomUniform,
    RandomNormal,
    RandomStandardNormal,
    RandomExponential,
    RandomPoisson,
    RandomBinomial,
    RandomChoice,
    RandomShuffle,
    RandomPermutation,
    /// `np.random.multinomial(n, pvals, size)`.
    RandomMultinomial,
    /// `np.random.dirichlet(alpha, size)`.
    RandomDirichlet,
    /// `np.random.multivariate_normal(mean, cov, size)`.
    RandomMultivariateNormal,
    /// The other legacy distributions (`np.random.gamma`, `beta`, ...): one table in
    /// `random_dists.rs`.
    RandomDist(crate::random_dists::RandomDist),
    /// A method of an `np.random.Generator` argument (`rng.normal(...)`), the generator bound
    /// to the first parameter (`random_generator.rs`).
    Generator(crate::random_generator::GenMethod),
    // ... and Python's `random.<name>`.
    PySeed,
    PyRandom,
    PyRandint,
    PyUniform,
    PyGauss,
    // Linear algebra (typed in `infer/numpy_shape.rs`, lowered in `lower/linalg.rs`).
    Trace,
    /// `np.linalg.solve(a, b)`.
    LinalgSolve,
    LinalgInv,
    LinalgDet,
    LinalgNorm,
    LinalgSlogdet,
    LinalgCholesky,
    LinalgEigvalsh,
    LinalgEigh,
    LinalgSvd,
    LinalgMatrixRank,
    LinalgPinv,
    LinalgQr,
    LinalgLstsq,
    LinalgMatrixPower,
    /// `np.linalg.eig(a)`: eigenvalues and eigenvectors of a general matrix (complex).
    LinalgEig,
    /// `np.linalg.eigvals(a)`.
    LinalgEigvals,
    Kron,
    // More construction and element-wise functions (typed in `infer/numpy_library.rs`,
    // lowered in `lower/numeric.rs`).
    /// `np.eye(N, M=None, k=0, dtype=float)`.
    Eye,
    /// `np.identity(n, dtype=float)`.
    Identity,
    /// `np.round(a, decimals=0)`, `np.around`, `a.round(decimals)`: NumPy's algorithm.
    Round,
    /// `np.isclose(a, b, rtol, atol, equal_nan)`: element-wise.
    Isclose,
}

/// What an array function does to its array parameter `a`: the one table of array-method
/// effects. Typing derives read-only-ness from it (a view of a read-only array is read-only; a
/// writing call on one is a compile error), and so does every entry point that must know
/// whether a kernel may write into an argument (the embedding API's shared slices, the
/// `ferrojit build` extension's check of writeable arrays).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ArrayEffect {
    /// Reads `a`; the result (if an array) is new memory.
    Reads,
    /// The result may be a view of `a` (shares its memory).
    ViewOf,
    /// Writes into `a`.
    WritesInto,
}

impl ArrayFn {
    /// The `np.<name>` function, if any.
    pub fn function(name: &str) -> Option<ArrayFn> {
        use ArrayFn::*;
        Some(match name {
            "empty" => Empty,
            "zeros" => Zeros,
            "ones" => Ones,
            "full" => Full,
            "empty_like" => EmptyLike,
            "zeros_like" => ZerosLike,
            "ones_like" => OnesLike,
            "full_like" => FullLike,
            "arange" => Arange,
            "linspace" => Linspace,
            "copy" => Copy,
            "sum" => Sum,
            "prod" => Prod,
            "min" | "amin" => Min,
            "max" | "amax" => Max,
            "mean" => Mean,
            "std" => Std,
            "var" => Var,
            "argmin" => Argmin,
            "argmax" => Argmax,
            "cumsum" => Cumsum,
            "cumprod" => Cumprod,
            "any" => Any,
            "all" => All,
            "dot" => Dot,
            "concatenate" => Concatenate,
            "where" => Where,
            "reshape" => Reshape,
            "ravel" => Ravel,
            "sort" => Sort,
            "argsort" => Argsort,
            "partition" => Partition,
            "argpartition" => Argpartition,
            "searchsorted" => Searchsorted,
            "unique" => Unique,
            "digitize" => Digitize,
            "bincount" => Bincount,
            "nonzero" => Nonzero,
            "flatnonzero" => Flatnonzero,
            "argwhere" => Argwhere,
            "isin" => Isin,
            "median" => Median,
            "percentile" => Percentile,
            "quantile" => Quantile,
            "nansum" => Nansum,
            "nanmean" => Nanmean,
            "nanstd" => Nanstd,
            "nanvar" => Nanvar,
            "nanmin" => Nanmin,
            "nanmax" => Nanmax,
            "nanargmin" => Nanargmin,
            "nanargmax" => Nanargmax,
            "ptp" => Ptp,
            "average" => Average,
            "cov" => Cov,
            "corrcoef" => Corrcoef,
            "histogram" => Histogram,
            "array" => Array,
            "asarray" => Asarray,
            "ascontiguousarray" => Ascontiguousarray,
            "stack" => Stack,
            "vstack" => Vstack,
            "hstack" => Hstack,
            "column_stack" => ColumnStack,
            "diff" => Diff,
            "roll" => Roll,
            "outer" => Outer,
            "cross" => Cross,
            "interp" => Interp,
            "expand_dims" => ExpandDims,
            "transpose" => Transpose,
            "array_equal" => ArrayEqual,
            "allclose" => Allclose,
            "trace" => Trace,
            "kron" => Kron,
            "eye" => Eye,
            "identity" => Identity,
            "round" | "around" | "round_" => Round,
            "isclose" => Isclose,
            _ => return None,
        })
    }

    /// The `np.random.<name>` function, if any.
    pub fn random_function(name: &str) -> Option<ArrayFn> {
        use ArrayFn::*;
        Some(match name {
            "seed" => RandomSeed,
            "random" | "random_sample" | "sample" | "ranf" => RandomRandom,
            "rand" => RandomRand,
            "randn" => RandomRandn,
            "randint" => RandomRandint,
            "uniform" => RandomUniform,
            "normal" => RandomNormal,
            "standard_normal" => RandomStandardNormal,
            "exponential" => RandomExponential,
            "poisson" => RandomPoisson,
            "binomial" => RandomBinomial,
            "choice" => RandomChoice,
            "shuffle" => RandomShuffle,
            "permutation" => RandomPermutation,
            "multinomial" => RandomMultinomial,
            "dirichlet" => RandomDirichlet,
            "multivariate_normal" => RandomMultivariateNormal,
            _ => return crate::random_dists::RandomDist::from_name(name).map(RandomDist),
        })
    }

    /// The function `random.<name>` of Python's `random` module, if any.
    pub fn python_random_function(name: &str) -> Option<ArrayFn> {
        use ArrayFn::*;
        Some(match name {
            "seed" => PySeed,
            "random" => PyRandom,
            "randint" => PyRandint,
            "uniform" => PyUniform,
            "gauss" | "normalvariate" => PyGauss,
            _ => return None,
        })
    }

    /// The `np.linalg.<name>` function, if any.
    pub fn linalg_function(name: &str) -> Option<ArrayFn> {
        use ArrayFn::*;
        Some(match name {
            "solve" => LinalgSolve,
            "inv" => LinalgInv,
            "det" => LinalgDet,
            "norm" => LinalgNorm,
            "slogdet" => LinalgSlogdet,
            "cholesky" => LinalgCholesky,
            "eigvalsh" => LinalgEigvalsh,
            "eigh" => LinalgEigh,
            "svd" => LinalgSvd,
            "matrix_rank" => LinalgMatrixRank,
            "pinv" => LinalgPinv,
            "qr" => LinalgQr,
            "lstsq" => LinalgLstsq,
            "matrix_power" => LinalgMatrixPower,
            "eig" => LinalgEig,
            "eigvals" => LinalgEigvals,
            _ => return None,
        })
    }

    /// True for the random-number functions (module functions, never array methods).
    /// The `np.random` distributions whose number parameters may be arrays (`normal(mu,
    /// sigma)` with `mu` an array): one draw per element of the parameters' broadcast shape,
    /// in C order, as NumPy draws them.
    pub fn random_broadcasts(self) -> bool {
        use ArrayFn::*;
        matches!(
            self,
            RandomRandint
                | RandomUniform
                | RandomNormal
                | RandomExponential
                | RandomPoisson
                | RandomBinomial
                | RandomDist(_)
        )
    }

    /// The number parameters of a random function that [`random_broadcasts`]
    /// (Self::random_broadcasts).
    pub fn random_number_params(self) -> &'static [&'static str] {
        use ArrayFn::*;
        match self {
            RandomRandint | RandomUniform => &["low", "high"],
            RandomNormal => &["loc", "scale"],
            RandomExponential => &["scale"],
            RandomPoisson => &["lam"],
            RandomBinomial => &["n", "p"],
            RandomDist(d) => d.number_params(),
            _ => &[],
        }
    }

    pub fn is_random(self) -> bool {
        use ArrayFn::*;
        matches!(
            self,
            RandomSeed
                | RandomRandom
                | RandomRand
                | RandomRandn
                | RandomRandint
                | RandomUniform
                | RandomNormal
                | RandomStandardNormal
                | RandomExponential
                | RandomPoisson
                | RandomBinomial
                | RandomChoice
                | RandomShuffle
                | RandomPermutation
                | RandomMultinomial
                | RandomDirichlet
                | RandomMultivariateNormal
                | RandomDist(_)
                | PySeed
                | PyRandom
                | PyRandint
                | PyUniform
                | PyGauss
                | LinalgSolve
                | LinalgInv
                | LinalgDet
                | LinalgNorm
                | LinalgSlogdet
                | LinalgCholesky
                | LinalgEigvalsh
                | LinalgEigh
                | LinalgSvd
                | LinalgMatrixRank
                | LinalgPinv
                | LinalgQr
                | LinalgLstsq
                | LinalgMatrixPower
                | LinalgEig
                | LinalgEigvals
        )
    }

    /// The array method `a.<name>(...)`, if any; the array is the first parameter.
    pub fn method(name: &str) -> Option<ArrayFn> {
        use ArrayFn::*;
        match name {
            "astype" => Some(Astype),
            "fill" => Some(Fill),
            "flatten" => Some(Flatten),
            "sort" => Some(SortInPlace),
            "item" => Some(Item),
            "transpose" => Some(Transpose),
            "partition" => Some(PartitionInPlace),
            // NumPy's aliases of functions only.
            "amin" | "amax" => None,
            // The other methods are the functions of the same name that take the array first.
            _ => ArrayFn::function(name).filter(|f| {
                !matches!(
                    f,
                    Empty
                        | Zeros
                        | Ones
                        | Full
                        | EmptyLike
                        | ZerosLike
                        | OnesLike
                        | FullLike
                        | Arange
                        | Linspace
                        | Concatenate
                        | Where
                        | Unique
                        | Digitize
                        | Bincount
                        | Flatnonzero
                        | Argwhere
                        | Isin
                        | Array
                        | Asarray
                        | Ascontiguousarray
                        | Stack
                        | Vstack
                        | Hstack
                        | ColumnStack
                        | Diff
                        | Roll
                        | Outer
                        | Cross
                        | Interp
                        | ExpandDims
                        | ArrayEqual
                        | Allclose
                        | Kron
                        | Eye
                        | Identity
                        | Isclose
                ) && !f.is_statistic()
            }),
        }
    }

    /// Parameter names in positional order; `*` marks where keyword-only parameters start.
    pub fn params(self) -> &'static [&'static str] {
        use ArrayFn::*;
        match self {
            Empty | Zeros | Ones => &["shape", "dtype"],
            Full => &["shape", "fill_value", "dtype"],
            EmptyLike | ZerosLike | OnesLike => &["a", "dtype"],
            FullLike => &["a", "fill_value", "dtype"],
            Arange => &["start", "stop", "step", "dtype"],
            Linspace => &["start", "stop", "num", "endpoint", "*", "dtype"],
            Copy | Ravel | Flatten => &["a"],
            Astype => &["a", "dtype"],
            Sum | Prod | Min | Max | Mean => &["a", "axis", "*", "keepdims"],
            Argmin | Argmax | Any | All => &["a", "axis", "*", "keepdims"],
            Cumsum | Cumprod => &["a", "axis"],
            Std | Var => &["a", "axis", "*", "ddof", "keepdims"],
            Dot => &["a", "b"],
            Concatenate => &["arrays", "axis"],
            Where => &["condition", "x", "y"],
            Reshape => &["a", "shape"],
            Fill => &["a", "value"],
            Sort | SortInPlace | Argsort => &["a", "axis", "kind"],
            Partition | PartitionInPlace | Argpartition => &["a", "kth", "axis", "kind"],
            Searchsorted => &["a", "v", "side", "sorter"],
            Unique => &["ar"],
            Digitize => &["x", "bins", "right"],
            Bincount => &["x", "weights", "minlength"],
            Nonzero | Flatnonzero | Argwhere => &["a"],
            Isin => &["element", "test_elements", "assume_unique", "invert"],
            Median | Nansum | Nanmean | Nanmin | Nanmax | Nanargmin | Nanargmax | Ptp => {
                &["a", "axis", "*", "keepdims"]
            }
            Percentile | Quantile => &["a", "q", "axis", "*", "keepdims"],
            Nanstd | Nanvar => &["a", "axis", "*", "ddof", "keepdims"],
            Average => &["a", "axis", "weights"],
            Cov => &["m", "y", "*", "ddof"],
            Corrcoef => &["x", "y"],
            Histogram => &["a", "bins", "range"],
            Array | Asarray => &["object", "dtype"],
            Ascontiguousarray => &["a", "dtype"],
            Stack => &["arrays", "axis"],
            Vstack | Hstack | ColumnStack => &["tup"],
            Diff => &["a", "n", "axis"],
            Roll => &["a", "shift", "axis"],
            Outer => &["a", "b"],
            Cross => &["a", "b"],
            Interp => &["x", "xp", "fp", "left", "right"],
            ExpandDims => &["a", "axis"],
            Transpose => &["a", "axes"],
            ArrayEqual => &["a1", "a2"],
            Allclose => &["a", "b", "rtol", "atol", "equal_nan"],
            Item => &["a"],
            RandomSeed => &["seed"],
            RandomRandom | RandomStandardNormal => &["size"],
            RandomRand | RandomRandn => &["d0", "d1", "d2", "d3"],
            RandomRandint => &["low", "high", "size"],
            RandomUniform => &["low", "high", "size"],
            RandomNormal => &["loc", "scale", "size"],
            RandomExponential => &["scale", "size"],
            RandomPoisson => &["lam", "size"],
            RandomBinomial => &["n", "p", "size"],
            RandomChoice => &["a", "size", "replace", "p"],
            RandomShuffle | RandomPermutation => &["x"],
            RandomMultinomial => &["n", "pvals", "size"],
            RandomDirichlet => &["alpha", "size"],
            RandomMultivariateNormal => &["mean", "cov", "size"],
            RandomDist(d) => d.params(),
            Generator(m) => m.params(),
            PySeed => &["a"],
            PyRandom => &[],
            PyRandint | PyUniform => &["a", "b"],
            PyGauss => &["mu", "sigma"],
            Trace => &["a"],
            LinalgSolve => &["a", "b"],
            LinalgInv | LinalgDet | LinalgSlogdet | LinalgCholesky | LinalgEigvalsh => &["a"],
            LinalgEigh => &["a"],
            LinalgMatrixRank => &["a", "tol", "hermitian", "*", "rtol"],
            LinalgPinv => &["a", "rcond", "hermitian", "*", "rtol"],
            LinalgQr => &["a", "mode"],
            LinalgEig | LinalgEigvals => &["a"],
            LinalgLstsq => &["a", "b", "rcond"],
            LinalgSvd => &["a", "full_matrices", "compute_uv"],
            LinalgMatrixPower => &["a", "n"],
            Kron => &["a", "b"],
            LinalgNorm => &["x", "ord", "axis", "*", "keepdims"],
            Eye => &["N", "M", "k", "dtype"],
            Identity => &["n", "dtype"],
            Round => &["a", "decimals"],
            Isclose => &["a", "b", "rtol", "atol", "equal_nan"],
        }
    }

    /// Parameters that must be given.
    pub fn required(self) -> usize {
        use ArrayFn::*;
        match self {
            Full | FullLike | Linspace | Dot | Reshape | Fill | Astype => 2,
            Partition | PartitionInPlace | Argpartition | Searchsorted | Digitize | Isin => 2,
            Percentile | Quantile => 2,
            Outer | Cross | ArrayEqual | Allclose | Roll | ExpandDims | Isclose => 2,
            RandomBinomial | PyRandint | PyUniform | LinalgSolve | LinalgMatrixPower | Kron => 2,
            RandomMultinomial | RandomMultivariateNormal => 2,
            LinalgLstsq => 2,
            RandomRandom | RandomStandardNormal | RandomRand | RandomRandn | RandomUniform
            | RandomNormal | RandomExponential | RandomPoisson | PyRandom | PyGauss => 0,
            Interp => 3,
            RandomDist(d) => d.required(),
            Generator(m) => m.required(),
            // `np.where(condition)` is `np.nonzero(condition)`.
            Where => 1,
            _ => 1,
        }
    }

    /// The reductions whose `axis=k` (a literal) drops axis `k` from the result: NumPy's
    /// whole-array reductions and statistics that give one number per lane.
    pub fn reduces_along_axis(self) -> bool {
        use ArrayFn::*;
        matches!(
            self,
            Sum | Prod
                | Min
                | Max
                | Mean
                | Std
                | Var
                | Argmin
                | Argmax
                | Any
                | All
                | Median
                | Percentile
                | Quantile
                | Nansum
                | Nanmean
                | Nanstd
                | Nanvar
                | Nanmin
                | Nanmax
                | Nanargmin
                | Nanargmax
                | Ptp
        )
    }

    /// The reductions whose `axis` may be a tuple of axes (`np.sum(a, axis=(0, 2))`).
    pub fn reduces_axis_tuples(self) -> bool {
        use ArrayFn::*;
        matches!(self, Sum | Prod | Min | Max | Mean | Std | Var | Any | All)
    }

    /// The statistics functions (`np.median`, `np.nanmean`, `np.histogram`, …): functions
    /// only, not array methods.
    pub fn is_statistic(self) -> bool {
        use ArrayFn::*;
        matches!(
            self,
            Median
                | Percentile
                | Quantile
                | Nansum
                | Nanmean
                | Nanstd
                | Nanvar
                | Nanmin
                | Nanmax
                | Nanargmin
                | Nanargmax
                | Ptp
                | Average
                | Cov
                | Corrcoef
                | Histogram
        )
    }

    /// Parameters whose argument is known at compile time and never lowered as a value: a
    /// `dtype`, or a string option (`kind='stable'`, `side='right'`).
    pub fn compile_time_param(name: &str) -> bool {
        matches!(name, "dtype" | "kind" | "side")
    }

    /// Like [`compile_time_param`](Self::compile_time_param), for this function: also
    /// `np.linalg.qr`'s `mode` and the reductions' `keepdims` (literals that decide the
    /// result's type).
    pub fn compile_time_param_of(self, name: &str) -> bool {
        Self::compile_time_param(name)
            || (self == ArrayFn::LinalgQr && name == "mode")
            || name == "keepdims"
    }

    /// True for `a.reshape(d0, d1, ...)`, whose extents are the call's positional arguments
    /// rather than one shape argument ([`bind`](Self::bind) leaves `shape` unbound then).
    pub fn shape_varargs(self, receiver: Option<&Expr>, args: &[Expr]) -> bool {
        matches!(self, ArrayFn::Reshape | ArrayFn::Transpose)
            && receiver.is_some()
            && args.len() > 1
    }

    /// The name shown in messages.
    pub fn name(self) -> &'static str {
        use ArrayFn::*;
        match self {
            Empty => "empty",
            Zeros => "zeros",
            Ones => "ones",
            Full => "full",
            EmptyLike => "empty_like",
            ZerosLike => "zeros_like",
            OnesLike => "ones_like",
            FullLike => "full_like",
            Arange => "arange",
            Linspace => "linspace",
            Copy => "copy",
            Astype => "astype",
            Sum => "sum",
            Prod => "prod",
            Min => "min",
            Max => "max",
            Mean => "mean",
            Std => "std",
            Var => "var",
            Argmin => "argmin",
            Argmax => "argmax",
            Cumsum => "cumsum",
            Cumprod => "cumprod",
            Any => "any",
            All => "all",
            Dot => "dot",
            Concatenate => "concatenate",
            Where => "where",
            Reshape => "reshape",
            Ravel => "ravel",
            Flatten => "flatten",
            Fill => "fill",
            Sort | SortInPlace => "sort",
            Argsort => "argsort",
            Partition | PartitionInPlace => "partition",
            Argpartition => "argpartition",
            Searchsorted => "searchsorted",
            Unique => "unique",
            Digitize => "digitize",
            Bincount => "bincount",
            Nonzero => "nonzero",
            Flatnonzero => "flatnonzero",
            Argwhere => "argwhere",
            Isin => "isin",
            Median => "median",
            Percentile => "percentile",
            Quantile => "quantile",
            Nansum => "nansum",
            Nanmean => "nanmean",
            Nanstd => "nanstd",
            Nanvar => "nanvar",
            Nanmin => "nanmin",
            Nanmax => "nanmax",
            Nanargmin => "nanargmin",
            Nanargmax => "nanargmax",
            Ptp => "ptp",
            Average => "average",
            Cov => "cov",
            Corrcoef => "corrcoef",
            Histogram => "histogram",
            Array => "array",
            Asarray => "asarray",
            Ascontiguousarray => "ascontiguousarray",
            Stack => "stack",
            Vstack => "vstack",
            Hstack => "hstack",
            ColumnStack => "column_stack",
            Diff => "diff",
            Roll => "roll",
            Outer => "outer",
            Cross => "cross",
            Interp => "interp",
            ExpandDims => "expand_dims",
            Transpose => "transpose",
            ArrayEqual => "array_equal",
            Allclose => "allclose",
            Item => "item",
            RandomSeed | PySeed => "seed",
            RandomRandom | PyRandom => "random",
            RandomRand => "rand",
            RandomRandn => "randn",
            RandomRandint | PyRandint => "randint",
            RandomUniform | PyUniform => "uniform",
            RandomNormal => "normal",
            RandomStandardNormal => "standard_normal",
            RandomExponential => "exponential",
            RandomPoisson => "poisson",
            RandomBinomial => "binomial",
            RandomChoice => "choice",
            RandomShuffle => "shuffle",
            RandomPermutation => "permutation",
            RandomMultinomial => "multinomial",
            RandomDirichlet => "dirichlet",
            RandomMultivariateNormal => "multivariate_normal",
            RandomDist(d) => d.name(),
            Generator(m) => m.name(),
            PyGauss => "gauss",
            Trace => "trace",
            LinalgSolve => "solve",
            LinalgInv => "inv",
            LinalgDet => "det",
            LinalgNorm => "norm",
            LinalgSlogdet => "slogdet",
            LinalgCholesky => "cholesky",
            LinalgEigvalsh => "eigvalsh",
            LinalgEigh => "eigh",
            LinalgSvd => "svd",
            LinalgMatrixRank => "matrix_rank",
            LinalgPinv => "pinv",
            LinalgQr => "qr",
            LinalgLstsq => "lstsq",
            LinalgMatrixPower => "matrix_power",
            LinalgEig => "eig",
            LinalgEigvals => "eigvals",
            Kron => "kron",
            Eye => "eye",
            Identity => "identity",
            Round => "round",
            Isclose => "isclose",
        }
    }

    /// What the call does to its array parameter `a` (see [`ArrayEffect`]).
    pub fn effect(self) -> ArrayEffect {
        use ArrayFn::*;
        match self {
            Reshape | Ravel => ArrayEffect::ViewOf,
            // `np.ascontiguousarray(a)` is `a` itself when it is C-contiguous already.
            ExpandDims | Transpose | Ascontiguousarray => ArrayEffect::ViewOf,
            Fill | SortInPlace | PartitionInPlace => ArrayEffect::WritesInto,
            Empty | Zeros | Ones | Full | EmptyLike | ZerosLike | OnesLike | FullLike | Arange
            | Linspace | Copy | Astype | Sum | Prod | Min | Max | Mean | Std | Var | Argmin
            | Argmax | Cumsum | Cumprod | Any | All | Concatenate | Dot | Where | Flatten
            | Sort | Argsort | Partition | Argpartition | Searchsorted | Unique | Digitize
            | Bincount | Nonzero | Flatnonzero | Argwhere | Isin => ArrayEffect::Reads,
            Median | Percentile | Quantile | Nansum | Nanmean | Nanstd | Nanvar | Nanmin
            | Nanmax | Nanargmin | Nanargmax | Ptp | Average | Cov | Corrcoef | Histogram => {
                ArrayEffect::Reads
            }
            // `np.asarray(a)` may be `a` itself: its typing keeps `a`'s read-only mark.
            Array | Asarray | Stack | Vstack | Hstack | ColumnStack | Diff | Roll | Outer
            | Cross | Interp | ArrayEqual | Allclose | Item => ArrayEffect::Reads,
            RandomShuffle => ArrayEffect::WritesInto,
            RandomSeed
            | RandomRandom
            | RandomRand
            | RandomRandn
            | RandomRandint
            | RandomUniform
            | RandomNormal
            | RandomStandardNormal
            | RandomExponential
            | RandomPoisson
            | RandomBinomial
            | RandomChoice
            | RandomPermutation
            | RandomDist(_)
            | RandomMultinomial
            | RandomDirichlet
            | RandomMultivariateNormal
            | Generator(_)
            | PySeed
            | PyRandom
            | PyRandint
            | PyUniform
            | PyGauss => ArrayEffect::Reads,
            Trace | LinalgSolve | LinalgInv | LinalgDet | LinalgNorm | LinalgSlogdet
            | LinalgCholesky | LinalgEigvalsh | LinalgEigh | LinalgSvd | LinalgMatrixRank
            | LinalgPinv | LinalgQr | LinalgLstsq | LinalgMatrixPower | Kron => ArrayEffect::Reads,
            Eye | Identity | Round | Isclose | LinalgEig | LinalgEigvals => ArrayEffect::Reads,
        }
    }

    /// Binds a call's arguments to [`params`](Self::params) (without the `*` marker): one
    /// entry per parameter, `None` where it was not given. `receiver` is the array of a method
    /// call, bound to the first parameter.
    pub fn bind<'e>(
        self,
        receiver: Option<&'e Expr>,
        args: &'e [Expr],
        keywords: &'e [Keyword],
        call_span: frontend::Span,
    ) -> Result<Vec<Option<&'e Expr>>, Diagnostic> {
        let all = self.params();
        let keyword_only_from = all.iter().position(|p| *p == "*").unwrap_or(all.len());
        let names: Vec<&str> = all.iter().copied().filter(|p| *p != "*").collect();
        let mut bound: Vec<Option<&Expr>> = vec![None; names.len()];
        if self.shape_varargs(receiver, args) {
            // `a.reshape(2, 3)`: the extents are the positional arguments (see
            // `shape_varargs`); `bind` only checks that no keyword is given.
            if let Some(k) = keywords.first() {
                let message = format!(
                    "{}() got an unexpected keyword argument '{}'",
                    self.name(),
                    k.name
                );
                return Err(Diagnostic::typing(message, k.span));
            }
            return Ok(vec![receiver, None]);
        }
        let positional: Vec<&Expr> = receiver.into_iter().chain(args).collect();
        if positional.len() > keyword_only_from {
            let given = positional.len() - usize::from(receiver.is_some());
            let takes = keyword_only_from - usize::from(receiver.is_some());
            let message = format!(
                "{}() takes at most {takes} positional argument{} ({given} given)",
                self.name(),
                if takes == 1 { "" } else { "s" }
            );
            return Err(Diagnostic::typing(message, call_span));
        }
        for (slot, arg) in bound.iter_mut().zip(positional) {
            *slot = Some(arg);
        }
        for keyword in keywords {
            let Some(at) = names.iter().position(|n| *n == keyword.name) else {
                let message = format!(
                    "{}() got an unexpected keyword argument '{}'",
                    self.name(),
                    keyword.name
                );
                let hint = format!("its parameters are: {}", names.join(", "));
                return Err(Diagnostic::typing(message, keyword.span).with_hint(hint));
            };
            if bound[at].is_some() {
                let message = format!(
                    "{}() got multiple values for argument '{}'",
                    self.name(),
                    keyword.name
                );
                return Err(Diagnostic::typing(message, keyword.span));
            }
            bound[at] = Some(&keyword.value);
        }
        if let Some(missing) = (0..self.required()).find(|&i| bound[i].is_none()) {
            let message = format!(
                "{}() missing required argument '{}'",
                self.name(),
                names[missing]
            );
            return Err(Diagnostic::typing(message, call_span));
        }
        Ok(bound)
    }
}
