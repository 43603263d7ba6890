//! Lowering of the legacy distributions of `typeinfer::random_dists` (`np.random.gamma`,
//! `beta`, `laplace`, ..., `hypergeometric`): NumPy's checks of the parameters (its
//! `ValueError`s), then one runtime call per draw (`runtime::random_legacy`), filling a `size=`
//! array in C order as NumPy does.

use super::random::NUMPY;
use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue};
use crate::function::{FloatCC, IntCC, Op, Ty, Value};
use frontend::Span;
use runtime::error::ExceptionKind;
use runtime::math::RuntimeFn;
use runtime::random_legacy::LegacyDist;
use typeinfer::Scalar;
use typeinfer::random_dists::{Constraint, RandomDist};

/// The runtime's code for a floating or integer distribution (none for hypergeometric).
fn runtime_code(d: RandomDist) -> Option<LegacyDist> {
    use RandomDist as D;
    Some(match d {
        D::StandardExponential => LegacyDist::StandardExponential,
        D::StandardGamma => LegacyDist::StandardGamma,
        D::Gamma => LegacyDist::Gamma,
        D::Beta => LegacyDist::Beta,
        D::Chisquare => LegacyDist::Chisquare,
        D::Lognormal => LegacyDist::Lognormal,
        D::Laplace => LegacyDist::Laplace,
        D::Logistic => LegacyDist::Logistic,
        D::Gumbel => LegacyDist::Gumbel,
        D::Triangular => LegacyDist::Triangular,
        D::Weibull => LegacyDist::Weibull,
        D::Pareto => LegacyDist::Pareto,
        D::Power => LegacyDist::Power,
        D::Rayleigh => LegacyDist::Rayleigh,
        D::StandardCauchy => LegacyDist::StandardCauchy,
        D::StandardT => LegacyDist::StandardT,
        D::F => LegacyDist::F,
        D::Vonmises => LegacyDist::Vonmises,
        D::Wald => LegacyDist::Wald,
        D::Geometric => LegacyDist::Geometric,
        D::NegativeBinomial => LegacyDist::NegativeBinomial,
        D::Zipf => LegacyDist::Zipf,
        D::Hypergeometric => return None,
    })
}

impl Lowerer<'_, '_> {
    /// `np.random.<d>(..., size=None)`.
    pub(crate) fn lower_random_dist(
        &mut self,
        d: RandomDist,
        arg: &dyn Fn(&str) -> LoweredArg,
        size: LoweredArg,
        span: Span,
    ) -> LResult<PyValue> {
        let target = if d.integer_params() {
            Scalar::I64
        } else {
            Scalar::F64
        };
        let mut values = Vec::new();
        for name in d.number_params() {
            let v = match arg(name) {
                Some((PyValue::Scalar(v, s), _)) => self.cast_real(v, s, target),
                _ => {
                    let default = d.defaults().iter().find(|(n, _)| n == name);
                    self.b.fconst(Ty::F64, default.map_or(0.0, |(_, v)| *v))
                }
            };
            values.push(v);
        }
        let value_of = |name: &str| {
            let at = d.number_params().iter().position(|n| *n == name);
            values[at.expect("a parameter of the distribution")]
        };
        if d == RandomDist::Hypergeometric {
            let (good, bad, sample) = (values[0], values[1], values[2]);
            let population = self.b.binary(Op::Iadd, good, bad);
            let short = self.b.icmp(IntCC::Slt, population, sample);
            let message = "ngood + nbad < nsample";
            self.raise_if(short, ExceptionKind::ValueError, message, span, &[]);
        }
        if d == RandomDist::Triangular {
            let (left, mode, right) = (values[0], values[1], values[2]);
            for (a, cc, b, message) in [
                (left, FloatCC::Gt, mode, "left > mode"),
                (mode, FloatCC::Gt, right, "mode > right"),
                (left, FloatCC::Eq, right, "left == right"),
            ] {
                let failed = self.b.fcmp(cc, a, b);
                self.raise_if(failed, ExceptionKind::ValueError, message, span, &[]);
            }
        }
        for &(name, constraint) in d.checks() {
            let v = value_of(name);
            let failed = if d.integer_params() {
                self.int_breaks(v, constraint)
            } else {
                self.float_breaks(v, constraint)
            };
            let message = constraint.message(name);
            self.raise_if(failed, ExceptionKind::ValueError, &message, span, &[]);
        }
        let Some(code) = runtime_code(d) else {
            let (good, bad, sample) = (values[0], values[1], values[2]);
            return self.draws(size, Scalar::I64, span, &mut |this| {
                let st = this.rng_state(NUMPY);
                this.b
                    .call_runtime(RuntimeFn::RandomHypergeometric, &[st, good, bad, sample])
            });
        };
        let code = self.b.iconst(Ty::I64, code as i64);
        let st = self.rng_state(NUMPY);
        let zero = self.b.fconst(Ty::F64, 0.0);
        let param = |i: usize| values.get(i).copied().unwrap_or(zero);
        let (a, b, c) = (param(0), param(1), param(2));
        if d.draws_integers() {
            self.draws(size, Scalar::I64, span, &mut |this| {
                this.b
                    .call_runtime(RuntimeFn::RandomLegacyInt, &[st, code, a, b])
            })
        } else {
            self.draws(size, Scalar::F64, span, &mut |this| {
                this.b
                    .call_runtime(RuntimeFn::RandomLegacy, &[st, code, a, b, c])
            })
        }
    }

    /// True when the double `v` breaks `constraint` (NaN passes the sign checks, as in NumPy).
    fn float_breaks(&mut self, v: Value, constraint: Constraint) -> Value {
        let zero = self.b.fconst(Ty::F64, 0.0);
        let one = self.b.fconst(Ty::F64, 1.0);
        let outside = |this: &mut Self, low: FloatCC, low_bound: Value, high: Option<Value>| {
            let above = this.b.fcmp(low, v, low_bound);
            let ok = match high {
                Some(h) => {
                    let below = this.b.fcmp(FloatCC::Le, v, h);
                    this.b.ins(Op::And, &[above, below], Ty::Bool)
                }
                None => above,
            };
            this.b.ins(Op::Not, &[ok], Ty::Bool)
        };
        match constraint {
            Constraint::NonNegative => {
                // NumPy tests the sign bit: -0.0 is refused too.
                let bits = self.b.convert(Op::Bitcast, v, Ty::I64);
                let izero = self.b.iconst(Ty::I64, 0);
                let negative = self.b.icmp(IntCC::Slt, bits, izero);
                let number = self.b.fcmp(FloatCC::Eq, v, v);
                self.b.ins(Op::And, &[negative, number], Ty::Bool)
            }
            Constraint::Positive => self.b.fcmp(FloatCC::Le, v, zero),
            Constraint::Bounded01 => outside(self, FloatCC::Ge, zero, Some(one)),
            Constraint::BoundedGt01 => outside(self, FloatCC::Gt, zero, Some(one)),
            Constraint::GreaterThan1 => outside(self, FloatCC::Gt, one, None),
            Constraint::AtLeast1 => outside(self, FloatCC::Ge, one, None),
        }
    }

    /// True when the integer `v` breaks `constraint`.
    fn int_breaks(&mut self, v: Value, constraint: Constraint) -> Value {
        let (cc, bound) = match constraint {
            Constraint::NonNegative => (IntCC::Slt, 0),
            Constraint::Positive => (IntCC::Sle, 0),
            Constraint::AtLeast1 | Constraint::GreaterThan1 => (IntCC::Slt, 1),
            Constraint::Bounded01 | Constraint::BoundedGt01 => (IntCC::Slt, 0),
        };
        let bound = self.b.iconst(Ty::I64, bound);
        self.b.icmp(cc, v, bound)
    }
}
