//! `np.random` draws with array parameters (`np.random.normal(mu, sigma)` with `mu` an array,
//! `np.random.randint(low, high_array)`; typed in `typeinfer/src/infer/numpy_random.rs`): one
//! scalar draw per element of the parameters' broadcast shape — or of `size`, to which each
//! parameter must broadcast — in C order, as NumPy's `RandomState` draws them, so seeded
//! streams stay NumPy's. Each element's parameters are checked as it is drawn (NumPy checks
//! the whole arrays first: after a bad parameter the stream has advanced by the draws before
//! it, where NumPy's has not; the `ValueError` is the same).

use super::sorting::LoweredArg;
use super::{LResult, Lowerer, PyValue};
use frontend::Span;
use typeinfer::{ArrayFn, Scalar, Type};

impl Lowerer<'_, '_> {
    /// The draws of `f` when one of its number parameters is an array, else `None`.
    pub(super) fn lower_random_broadcast(
        &mut self,
        f: ArrayFn,
        arg: &dyn Fn(&str) -> LoweredArg,
        result_ty: &Type,
        span: Span,
    ) -> LResult<Option<PyValue>> {
        if !f.random_broadcasts() {
            return Ok(None);
        }
        let given: Vec<(&str, PyValue)> = f
            .random_number_params()
            .iter()
            .filter_map(|name| arg(name).map(|(v, _)| (*name, v)))
            .collect();
        if !given.iter().any(|(_, v)| matches!(v, PyValue::Array(..))) {
            return Ok(None);
        }
        let element = match result_ty {
            Type::Array { dtype, .. } => *dtype,
            _ => Scalar::F64,
        };
        let operands: Vec<PyValue> = given.iter().map(|(_, v)| v.clone()).collect();
        let names: Vec<&str> = given.iter().map(|(n, _)| *n).collect();
        let shape = match arg("size") {
            Some((size, _)) if !matches!(size, PyValue::None) => Some(self.shape_values(&size)),
            _ => None,
        };
        let scalar_ty = Type::Scalar(element);
        let draw = |this: &mut Self, elements: &[PyValue]| -> LResult<PyValue> {
            let lookup = |name: &str| -> LoweredArg {
                match names.iter().position(|n| *n == name) {
                    Some(i) => {
                        let v = elements[i].clone();
                        let ty = match &v {
                            PyValue::Scalar(_, s) => Type::Scalar(*s),
                            _ => Type::Scalar(Scalar::F64),
                        };
                        Some((v, ty))
                    }
                    // One draw per element: the size is the loop's.
                    None if name == "size" => None,
                    None => arg(name),
                }
            };
            this.lower_random_call(f, &lookup, &scalar_ty, span)
        };
        self.broadcast_map_to(&operands, shape, element, &draw, span)
            .map(Some)
    }
}
