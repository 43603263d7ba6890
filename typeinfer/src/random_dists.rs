//! The legacy `np.random` distributions beyond the basic draws (`gamma`, `beta`, `laplace`,
//! ...): one table giving each its name, parameters (with defaults), the checks NumPy makes on
//! them, and whether it draws integers. Typed in `infer/numpy_random.rs`, lowered in
//! `ir/src/lower/random_dists.rs` (each draw one runtime call, `runtime::random_legacy`).

/// What NumPy requires of a parameter (`numpy/random/_common.pyx`'s `check_constraint`); a
/// value outside raises `ValueError` with [`Constraint::message`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Constraint {
    /// `>= 0` (NaN passes).
    NonNegative,
    /// `> 0` (NaN passes).
    Positive,
    /// In `[0, 1]`, not NaN.
    Bounded01,
    /// In `(0, 1]`, not NaN.
    BoundedGt01,
    /// `> 1`, not NaN.
    GreaterThan1,
    /// `>= 1`.
    AtLeast1,
}

impl Constraint {
    /// NumPy's message for a parameter `name` that breaks the constraint.
    pub fn message(self, name: &str) -> String {
        match self {
            Constraint::NonNegative => format!("{name} < 0"),
            Constraint::Positive => format!("{name} <= 0"),
            Constraint::Bounded01 => format!("{name} < 0, {name} > 1 or {name} is NaN"),
            Constraint::BoundedGt01 => {
                format!("{name} <= 0, {name} > 1 or {name} contains NaNs")
            }
            Constraint::GreaterThan1 => format!("{name} <= 1 or {name} is NaN"),
            Constraint::AtLeast1 => format!("{name} < 1 or {name} is NaN"),
        }
    }
}

macro_rules! random_dists {
    ($($variant:ident => $name:literal, [$($param:literal),*], required $required:literal,
       defaults [$($default:expr),*], checks [$($check:expr),*], $ints:literal;)*) => {
        /// A legacy distribution of `np.random` (see the module doc).
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub enum RandomDist {
            $($variant,)*
        }

        impl RandomDist {
            pub const ALL: &'static [RandomDist] = &[$(RandomDist::$variant,)*];

            /// The function's name in `np.random`.
            pub fn name(self) -> &'static str {
                match self {
                    $(RandomDist::$variant => $name,)*
                }
            }

            /// The parameters in NumPy's order, `size` last.
            pub fn params(self) -> &'static [&'static str] {
                match self {
                    $(RandomDist::$variant => &[$($param,)* "size"],)*
                }
            }

            /// How many leading parameters must be given.
            pub fn required(self) -> usize {
                match self {
                    $(RandomDist::$variant => $required,)*
                }
            }

            /// The default of each optional number parameter.
            pub fn defaults(self) -> &'static [(&'static str, f64)] {
                match self {
                    $(RandomDist::$variant => &[$($default),*],)*
                }
            }

            /// The checks NumPy makes, in its order.
            pub fn checks(self) -> &'static [(&'static str, Constraint)] {
                match self {
                    $(RandomDist::$variant => &[$($check),*],)*
                }
            }

            /// True when the parameters must be integers and the draws are `int64`.
            pub fn integer_params(self) -> bool {
                match self {
                    $(RandomDist::$variant => $ints,)*
                }
            }
        }
    };
}

use Constraint::*;

random_dists! {
    StandardExponential => "standard_exponential", [], required 0, defaults [], checks [], false;
    StandardGamma => "standard_gamma", ["shape"], required 1, defaults [],
        checks [("shape", NonNegative)], false;
    Gamma => "gamma", ["shape", "scale"], required 1, defaults [("scale", 1.0)],
        checks [("shape", NonNegative), ("scale", NonNegative)], false;
    Beta => "beta", ["a", "b"], required 2, defaults [],
        checks [("a", Positive), ("b", Positive)], false;
    Chisquare => "chisquare", ["df"], required 1, defaults [], checks [("df", Positive)], false;
    Lognormal => "lognormal", ["mean", "sigma"], required 0,
        defaults [("mean", 0.0), ("sigma", 1.0)], checks [("sigma", NonNegative)], false;
    Laplace => "laplace", ["loc", "scale"], required 0,
        defaults [("loc", 0.0), ("scale", 1.0)], checks [("scale", NonNegative)], false;
    Logistic => "logistic", ["loc", "scale"], required 0,
        defaults [("loc", 0.0), ("scale", 1.0)], checks [("scale", NonNegative)], false;
    Gumbel => "gumbel", ["loc", "scale"], required 0,
        defaults [("loc", 0.0), ("scale", 1.0)], checks [("scale", NonNegative)], false;
    Triangular => "triangular", ["left", "mode", "right"], required 3, defaults [], checks [],
        false;
    Weibull => "weibull", ["a"], required 1, defaults [], checks [("a", NonNegative)], false;
    Pareto => "pareto", ["a"], required 1, defaults [], checks [("a", Positive)], false;
    Power => "power", ["a"], required 1, defaults [], checks [("a", Positive)], false;
    Rayleigh => "rayleigh", ["scale"], required 0, defaults [("scale", 1.0)],
        checks [("scale", NonNegative)], false;
    StandardCauchy => "standard_cauchy", [], required 0, defaults [], checks [], false;
    StandardT => "standard_t", ["df"], required 1, defaults [], checks [("df", Positive)], false;
    F => "f", ["dfnum", "dfden"], required 2, defaults [],
        checks [("dfnum", Positive), ("dfden", Positive)], false;
    Vonmises => "vonmises", ["mu", "kappa"], required 2, defaults [],
        checks [("kappa", NonNegative)], false;
    Wald => "wald", ["mean", "scale"], required 2, defaults [],
        checks [("mean", Positive), ("scale", Positive)], false;
    Geometric => "geometric", ["p"], required 1, defaults [], checks [("p", BoundedGt01)], false;
    NegativeBinomial => "negative_binomial", ["n", "p"], required 2, defaults [],
        checks [("n", Positive), ("p", Bounded01)], false;
    Zipf => "zipf", ["a"], required 1, defaults [], checks [("a", GreaterThan1)], false;
    Hypergeometric => "hypergeometric", ["ngood", "nbad", "nsample"], required 3, defaults [],
        checks [("ngood", NonNegative), ("nbad", NonNegative), ("nsample", AtLeast1)], true;
}

impl RandomDist {
    /// The distribution `np.random.<name>`, if it is one of these.
    pub fn from_name(name: &str) -> Option<RandomDist> {
        Self::ALL.iter().copied().find(|d| d.name() == name)
    }

    /// The number parameters (all but `size`).
    pub fn number_params(self) -> &'static [&'static str] {
        let all = self.params();
        &all[..all.len() - 1]
    }

    /// True when the draws are integers (`int64`).
    pub fn draws_integers(self) -> bool {
        matches!(
            self,
            RandomDist::Geometric
                | RandomDist::NegativeBinomial
                | RandomDist::Zipf
                | RandomDist::Hypergeometric
        )
    }
}
