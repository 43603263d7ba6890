//! The methods of an `np.random.Generator` argument (`rng.normal(...)`): names and parameter
//! lists (the generator itself binds to the first, `rng`). Typed in `infer/numpy_random.rs`,
//! lowered in `ir/src/lower/random_gen.rs` on the runtime's PCG64 (`runtime::random_gen`).

/// A supported `Generator` method.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum GenMethod {
    Random,
    Integers,
    Uniform,
    Normal,
    StandardNormal,
    Exponential,
    StandardExponential,
    Permutation,
    Shuffle,
    /// `choice(a, size=None, replace=True)`: with replacement, without `p`.
    Choice,
}

impl GenMethod {
    pub const ALL: &'static [GenMethod] = &[
        GenMethod::Random,
        GenMethod::Integers,
        GenMethod::Uniform,
        GenMethod::Normal,
        GenMethod::StandardNormal,
        GenMethod::Exponential,
        GenMethod::StandardExponential,
        GenMethod::Permutation,
        GenMethod::Shuffle,
        GenMethod::Choice,
    ];

    pub fn from_name(name: &str) -> Option<GenMethod> {
        Self::ALL.iter().copied().find(|m| m.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            GenMethod::Random => "random",
            GenMethod::Integers => "integers",
            GenMethod::Uniform => "uniform",
            GenMethod::Normal => "normal",
            GenMethod::StandardNormal => "standard_normal",
            GenMethod::Exponential => "exponential",
            GenMethod::StandardExponential => "standard_exponential",
            GenMethod::Permutation => "permutation",
            GenMethod::Shuffle => "shuffle",
            GenMethod::Choice => "choice",
        }
    }

    /// NumPy's parameters, after `rng` (the generator). `dtype` is accepted only as
    /// `int64`/`float64` (the defaults); `out=` and `axis=` are not parameters here.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            GenMethod::Random | GenMethod::StandardNormal | GenMethod::StandardExponential => {
                &["rng", "size", "dtype"]
            }
            GenMethod::Integers => &["rng", "low", "high", "size", "dtype", "endpoint"],
            GenMethod::Uniform => &["rng", "low", "high", "size"],
            GenMethod::Normal => &["rng", "loc", "scale", "size"],
            GenMethod::Exponential => &["rng", "scale", "size"],
            GenMethod::Permutation | GenMethod::Shuffle => &["rng", "x"],
            GenMethod::Choice => &["rng", "a", "size", "replace", "p"],
        }
    }

    /// Parameters that must be given, `rng` included.
    pub fn required(self) -> usize {
        match self {
            GenMethod::Integers | GenMethod::Permutation | GenMethod::Shuffle => 2,
            GenMethod::Choice => 2,
            _ => 1,
        }
    }
}
