//! Typing of random numbers: `np.random.seed`, `random`/`random_sample`, `rand`, `randn`,
//! `randint`, `uniform`, `normal`, `standard_normal`, `exponential`, `poisson`, `binomial`,
//! `choice` (with probabilities `p=`), `shuffle`, `permutation`, `multinomial`, `dirichlet`, the other legacy
//! distributions of `random_dists.rs` (`gamma`, `beta`, ...), and Python's `random.seed`, `random`, `randint`,
//! `uniform`, `gauss` (lowered in `ir/src/lower/random.rs`).
//!
//! A draw without `size` is a number; with `size` (an integer or a tuple of integers) an array
//! of that shape.

use super::{Infer, R};
use crate::numpy::ArrayFn;
use crate::random_generator::GenMethod;
use crate::types::{Layout, Scalar, Type};
use frontend::Diagnostic;
use frontend::ast::{Expr, ExprKind};

impl Infer<'_> {
    /// The result type of the random call `f`; `arg` looks up a bound parameter.
    pub(super) fn random_type<'e>(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> Option<&'e Expr>,
    ) -> R<Type> {
        use ArrayFn::*;
        if let Generator(m) = f {
            return self.generator_type(m, arg);
        }
        if matches!(
            f,
            RandomMultinomial | RandomDirichlet | RandomMultivariateNormal
        ) {
            return self.vector_draw_type(f, arg);
        }
        // Every number argument is a real number; integer ones are checked below.
        let numbers: &[&str] = match f {
            RandomSeed => &["seed"],
            RandomRandint => &["low", "high"],
            RandomUniform => &["low", "high"],
            RandomNormal => &["loc", "scale"],
            RandomExponential => &["scale"],
            RandomPoisson => &["lam"],
            RandomBinomial => &["n", "p"],
            RandomRand | RandomRandn => &["d0", "d1", "d2", "d3"],
            PySeed => &["a"],
            PyRandint | PyUniform => &["a", "b"],
            PyGauss => &["mu", "sigma"],
            RandomDist(d) => d.number_params(),
            _ => &[],
        };
        let integers = matches!(
            f,
            RandomSeed | RandomRandint | RandomRand | RandomRandn | PySeed | PyRandint
        ) || matches!(f, RandomDist(d) if d.integer_params());
        // The distributions whose parameters may be arrays: one draw per element of their
        // broadcast shape (`ir/src/lower/random_broadcast.rs`).
        let broadcasts = f.random_broadcasts();
        let mut array_ndim = 0u8;
        for name in numbers {
            let Some(v) = arg(name) else { continue };
            let ty = self.value(v)?;
            let element = match &ty {
                Type::Array { dtype, ndim, .. } if broadcasts => {
                    array_ndim = array_ndim.max(*ndim);
                    Some(*dtype)
                }
                other => other.as_scalar(),
            };
            let ok = match element {
                Some(s) if integers || (f == RandomBinomial && *name == "n") => {
                    s.is_int() || s.is_bool()
                }
                Some(s) => !s.is_complex(),
                None => false,
            };
            if !ok {
                let what = if integers {
                    "an integer"
                } else {
                    "a real number"
                };
                let message = format!("{}(): {name} must be {what}, got {ty}", f.name());
                return Err(Diagnostic::typing(message, v.span).into());
            }
        }
        let shape = match arg("size").filter(|s| !matches!(s.kind, ExprKind::NoneLit)) {
            // With array parameters too, `size` is the shape: each parameter must broadcast
            // to it (checked at run time, as NumPy).
            Some(size) => {
                let rank = self.size_rank(f, size)?;
                if rank < array_ndim {
                    let message = format!(
                        "{}(): size= has {rank} dimension(s), fewer than the parameters' \
                         {array_ndim}: NumPy cannot broadcast them to it",
                        f.name()
                    );
                    return Err(Diagnostic::typing(message, size.span).into());
                }
                Some(rank)
            }
            None => {
                if let Some(none) = arg("size") {
                    self.value(none)?;
                }
                (array_ndim > 0).then_some(array_ndim)
            }
        };
        let drawn = |element: Scalar| match shape {
            Some(ndim) => Type::array(element, ndim, Layout::C),
            None => Type::Scalar(element),
        };
        Ok(match f {
            RandomSeed | PySeed => Type::NoneType,
            RandomRandom | RandomUniform | RandomNormal | RandomStandardNormal
            | RandomExponential => drawn(Scalar::F64),
            RandomRand | RandomRandn => {
                let dims = ["d0", "d1", "d2", "d3"]
                    .iter()
                    .filter(|d| arg(d).is_some())
                    .count();
                if dims == 0 {
                    Type::F64
                } else {
                    Type::array(Scalar::F64, dims as u8, Layout::C)
                }
            }
            RandomRandint | RandomPoisson | RandomBinomial => drawn(Scalar::I64),
            RandomDist(d) if d.draws_integers() => drawn(Scalar::I64),
            RandomDist(_) => drawn(Scalar::F64),
            RandomChoice => {
                if let Some(p) = arg("p") {
                    match self.value(p)? {
                        Type::NoneType => {}
                        Type::Array { dtype, ndim: 1, .. } if !dtype.is_complex() => {}
                        other => {
                            let message = format!(
                                "choice(): p must be a 1-d array of probabilities, got {other}"
                            );
                            return Err(Diagnostic::typing(message, p.span).into());
                        }
                    }
                }
                if let Some(replace) = arg("replace") {
                    self.condition(replace)?;
                }
                let a = arg("a").expect("required");
                let element = match self.value(a)? {
                    Type::Scalar(s) if s.is_int() => Scalar::I64,
                    Type::Array { dtype, ndim: 1, .. } => dtype,
                    other => {
                        let message =
                            format!("choice() takes an integer or a 1-d array, got {other}");
                        return Err(Diagnostic::typing(message, a.span).into());
                    }
                };
                drawn(element)
            }
            RandomShuffle => {
                let x = arg("x").expect("required");
                match self.value(x)? {
                    Type::Array { .. } => {}
                    other => {
                        let message = format!("shuffle() takes an array, got {other}");
                        return Err(Diagnostic::typing(message, x.span).into());
                    }
                }
                Type::NoneType
            }
            RandomPermutation => {
                let x = arg("x").expect("required");
                match self.value(x)? {
                    Type::Scalar(s) if s.is_int() => Type::array(Scalar::I64, 1, Layout::C),
                    Type::Array { dtype, ndim, .. } => Type::array(dtype, ndim, Layout::C),
                    other => {
                        let message =
                            format!("permutation() takes an integer or an array, got {other}");
                        return Err(Diagnostic::typing(message, x.span).into());
                    }
                }
            }
            PyRandom | PyUniform | PyGauss => Type::F64,
            PyRandint => Type::I64,
            other => {
                let message = format!("{}() is not a random function", other.name());
                return Err(Diagnostic::internal(message).into());
            }
        })
    }

    /// `multinomial(n, pvals, size=None)` (`int64` counts) and `dirichlet(alpha, size=None)`
    /// (`float64`): one row of `len(pvals)` / `len(alpha)` values, or an array of `size` rows.
    fn vector_draw_type<'e>(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> Option<&'e Expr>,
    ) -> R<Type> {
        let (vector, element) = if f == ArrayFn::RandomMultinomial {
            let n = arg("n").expect("required");
            let ty = self.value(n)?;
            if !ty.as_scalar().is_some_and(|s| s.is_int() || s.is_bool()) {
                let message = format!("multinomial(): n must be an integer, got {ty}");
                return Err(Diagnostic::typing(message, n.span).into());
            }
            ("pvals", Scalar::I64)
        } else if f == ArrayFn::RandomMultivariateNormal {
            let cov = arg("cov").expect("required");
            match self.value(cov)? {
                Type::Array { dtype, ndim: 2, .. } if !dtype.is_complex() => {}
                other => {
                    let message = format!(
                        "multivariate_normal(): cov must be a 2-d array of real numbers, got {other}"
                    );
                    return Err(Diagnostic::typing(message, cov.span).into());
                }
            }
            ("mean", Scalar::F64)
        } else {
            ("alpha", Scalar::F64)
        };
        let v = arg(vector).expect("required");
        match self.value(v)? {
            Type::Array { dtype, ndim: 1, .. } if !dtype.is_complex() => {}
            other => {
                let message = format!(
                    "{}(): {vector} must be a 1-d array of real numbers, got {other}",
                    f.name()
                );
                return Err(Diagnostic::typing(message, v.span).into());
            }
        }
        let rows = match arg("size").filter(|s| !matches!(s.kind, ExprKind::NoneLit)) {
            Some(size) => self.size_rank(f, size)?,
            None => {
                if let Some(none) = arg("size") {
                    self.value(none)?;
                }
                0
            }
        };
        Ok(Type::array(element, rows + 1, Layout::C))
    }

    /// A `size=`: an integer or a tuple of integers; returns the rank.
    fn size_rank(&mut self, f: ArrayFn, size: &Expr) -> R<u8> {
        let ty = self.value(size)?;
        let is_int = |t: &Type| t.as_scalar().is_some_and(|s| s.is_int());
        match &ty {
            t if is_int(t) => Ok(1),
            Type::Tuple(items) if !items.is_empty() && items.iter().all(is_int) => {
                Ok(items.len() as u8)
            }
            _ => {
                let message = format!(
                    "{}(): size must be an integer or a tuple of integers, got {ty}",
                    f.name()
                );
                Err(Diagnostic::typing(message, size.span).into())
            }
        }
    }

    /// The result type of the `Generator` method `m` (`rng` bound to the generator).
    fn generator_type<'e>(
        &mut self,
        m: GenMethod,
        arg: &dyn Fn(&str) -> Option<&'e Expr>,
    ) -> R<Type> {
        let name = format!("Generator.{}", m.name());
        let integers = m == GenMethod::Integers;
        for param in ["low", "high", "loc", "scale"] {
            let Some(v) = arg(param) else { continue };
            let ty = self.value(v)?;
            let ok = match ty.as_scalar() {
                Some(s) if integers => s.is_int() || s.is_bool(),
                Some(s) => !s.is_complex(),
                None => integers && param == "high" && ty == Type::NoneType,
            };
            if !ok {
                let what = if integers {
                    "an integer"
                } else {
                    "a real number"
                };
                let message = format!("{name}(): {param} must be {what}, got {ty}");
                return Err(Diagnostic::typing(message, v.span).into());
            }
        }
        if let Some(endpoint) = arg("endpoint") {
            self.condition(endpoint)?;
        }
        let element = if integers { Scalar::I64 } else { Scalar::F64 };
        if let Some(d) = arg("dtype") {
            let dtype = self.dtype_arg(d)?;
            if dtype != element {
                let message = format!("{name}(): only dtype={} is supported", element);
                return Err(Diagnostic::unsupported(message, d.span).into());
            }
        }
        let shape = match arg("size").filter(|s| !matches!(s.kind, ExprKind::NoneLit)) {
            Some(size) => Some(self.size_rank(ArrayFn::Generator(m), size)?),
            None => {
                if let Some(none) = arg("size") {
                    self.value(none)?;
                }
                None
            }
        };
        Ok(match m {
            GenMethod::Permutation => {
                let x = arg("x").expect("required");
                match self.value(x)? {
                    Type::Scalar(s) if s.is_int() => Type::array(Scalar::I64, 1, Layout::C),
                    Type::Array { dtype, ndim, .. } => Type::array(dtype, ndim, Layout::C),
                    other => {
                        let message = format!("{name}() takes an integer or an array, got {other}");
                        return Err(Diagnostic::typing(message, x.span).into());
                    }
                }
            }
            GenMethod::Shuffle => {
                let x = arg("x").expect("required");
                let ty = self.value(x)?;
                if !matches!(ty, Type::Array { .. }) {
                    let message = format!("{name}() takes an array, got {ty}");
                    return Err(Diagnostic::typing(message, x.span).into());
                }
                super::check_writeable(&ty, x.span, &format!("{name}()"))?;
                Type::NoneType
            }
            GenMethod::Choice => {
                if let Some(replace) = arg("replace") {
                    self.condition(replace)?;
                }
                if let Some(p) = arg("p") {
                    match self.value(p)? {
                        Type::NoneType => {}
                        Type::Array { dtype, ndim: 1, .. } if !dtype.is_complex() => {}
                        other => {
                            let message = format!(
                                "{name}(): p must be a 1-d array of probabilities, got {other}"
                            );
                            return Err(Diagnostic::typing(message, p.span).into());
                        }
                    }
                }
                let a = arg("a").expect("required");
                let element = match self.value(a)? {
                    Type::Scalar(s) if s.is_int() => Scalar::I64,
                    Type::Array { dtype, ndim: 1, .. } => dtype,
                    other => {
                        let message =
                            format!("{name}() takes an integer or a 1-d array, got {other}");
                        return Err(Diagnostic::typing(message, a.span).into());
                    }
                };
                match shape {
                    Some(ndim) => Type::array(element, ndim, Layout::C),
                    None => Type::Scalar(element),
                }
            }
            _ => match shape {
                Some(ndim) => Type::array(element, ndim, Layout::C),
                None => Type::Scalar(element),
            },
        })
    }
}
