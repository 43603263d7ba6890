//! IR builders for loops that NumPy drives around a compiled scalar kernel (ufunc inner loops).
//!
//! [`ufunc_loop`] builds NumPy's inner-loop shape — `loop(args, dims, steps)`: `n = dims[0]`,
//! and for `i` in `0..n` read input `k` at `args[k] + i*steps[k]`, call the kernel, write the
//! result at `args[nin] + i*steps[nin]` — as an IR function that takes the three pointers as
//! its parameters (so it is called through the uniform entry ABI with three pointer slots). The
//! driver then inlines the kernel into it, and the passes optimise the whole loop.
//!
//! Invariants: the loop is in rotated form (one test before the loop, one at the bottom), as
//! `lower/control.rs` builds Python `for` loops; element pointers are carried as block
//! parameters and advanced by their step (no multiply per element); element loads are not
//! `readonly` (an output may alias an input, e.g. `np.add(a, b, out=a)`), while the loads of
//! `args`, `dims` and `steps` themselves are (NumPy does not change them during the call).

use crate::builder::Builder;
use crate::function::{Function, IntCC, Op, Ty, Value};
use crate::lower::flatten::scalar_ir_type;
use typeinfer::{Scalar, Type};

/// The scalar of a ufunc operand type, if it is one a ufunc loop can read and write.
pub fn ufunc_scalar(ty: &Type) -> Option<Scalar> {
    match ty {
        Type::Scalar(s) => Some(*s),
        _ => None,
    }
}

/// The inner loop of a ufunc whose element function is `kernel_symbol` (a function of the same
/// module taking the flattened `inputs` and returning the flattened `output`), named `name`,
/// with parameters `(args: ptr, dims: ptr, steps: ptr)` and no results. Elements are read and
/// written with exactly the given types (NumPy has already cast the operands to them).
///
/// # Panics
/// If an input or the output is not a scalar type (check with [`ufunc_scalar`] first).
pub fn ufunc_loop(name: &str, kernel_symbol: &str, inputs: &[Type], output: &Type) -> Function {
    let scalar = |ty: &Type| {
        ufunc_scalar(ty).unwrap_or_else(|| panic!("ufunc operands are scalars, got {ty}"))
    };
    let input_scalars: Vec<Scalar> = inputs.iter().map(scalar).collect();
    let output_scalar = scalar(output);
    let operands = inputs.len() + 1;

    let mut func = Function::new(name, vec![Ty::Ptr, Ty::Ptr, Ty::Ptr], Vec::new());
    let mut b = Builder::new(&mut func);
    let (_, params) = b.create_entry_block();
    let (args, dims, steps) = (params[0], params[1], params[2]);
    let n = b.load(Ty::I64, dims, 0, true);
    let mut bases = Vec::with_capacity(operands);
    let mut strides = Vec::with_capacity(operands);
    for k in 0..operands as i32 {
        bases.push(b.load(Ty::Ptr, args, 8 * k, true));
        strides.push(b.load(Ty::I64, steps, 8 * k, true));
    }

    // body(i, ptr_0, ..., ptr_nin): one element; the pointers advance by their steps.
    let body = b.create_block();
    let exit = b.create_block();
    let i = b.append_block_param(body, Ty::I64);
    let pointers: Vec<Value> = (0..operands)
        .map(|_| b.append_block_param(body, Ty::Ptr))
        .collect();
    let zero = b.iconst(Ty::I64, 0);
    let any = b.icmp(IntCC::Sgt, n, zero);
    let first: Vec<Value> = std::iter::once(zero).chain(bases).collect();
    b.brif(any, body, &first, exit, &[]);

    b.switch_to(body);
    let mut kernel_args = Vec::new();
    for (&s, &ptr) in input_scalars.iter().zip(&pointers) {
        load_element(&mut b, s, ptr, &mut kernel_args);
    }
    let result_types = element_types(output_scalar);
    let results = b.call(kernel_symbol, &kernel_args, &result_types);
    store_element(&mut b, output_scalar, pointers[inputs.len()], &results);
    let one = b.iconst(Ty::I64, 1);
    let next_i = b.binary(Op::Iadd, i, one);
    let mut next: Vec<Value> = vec![next_i];
    for (&ptr, &stride) in pointers.iter().zip(&strides) {
        next.push(b.ins(Op::Iadd, &[ptr, stride], Ty::Ptr));
    }
    let more = b.icmp(IntCC::Slt, next_i, n);
    b.brif(more, body, &next, exit, &[]);

    b.switch_to(exit);
    b.ret(&[]);
    func
}

/// The IR types a scalar flattens to (a complex number: two parts).
fn element_types(s: Scalar) -> Vec<Ty> {
    let part = scalar_ir_type(s);
    if s.is_complex() {
        vec![part, part]
    } else {
        vec![part]
    }
}

/// Loads the element of scalar type `s` at `ptr`, appending its flattened values to `out`.
fn load_element(b: &mut Builder, s: Scalar, ptr: Value, out: &mut Vec<Value>) {
    match s {
        // NumPy bools are bytes; any nonzero byte is true (views of uint8 data may hold 2..255).
        Scalar::Bool => {
            let byte = b.load(Ty::I8, ptr, 0, false);
            out.push(b.convert(Op::ToBool, byte, Ty::Bool));
        }
        s if s.is_complex() => {
            let part = scalar_ir_type(s);
            out.push(b.load(part, ptr, 0, false));
            out.push(b.load(part, ptr, part_size(part), false));
        }
        s => out.push(b.load(scalar_ir_type(s), ptr, 0, false)),
    }
}

/// Stores the flattened `values` of an element of scalar type `s` at `ptr`.
fn store_element(b: &mut Builder, s: Scalar, ptr: Value, values: &[Value]) {
    b.store(ptr, values[0], 0);
    if s.is_complex() {
        b.store(ptr, values[1], part_size(scalar_ir_type(s)));
    }
}

fn part_size(part: Ty) -> i32 {
    part.bits() as i32 / 8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::function::Module;
    use crate::print::print_function;
    use crate::verify::{verify_function, verify_module};

    /// A stand-in kernel of the given flattened signature that returns its first arguments.
    fn kernel(name: &str, params: Vec<Ty>, returns: Vec<Ty>) -> Function {
        let mut f = Function::new(name, params, returns.clone());
        let mut b = Builder::new(&mut f);
        let (_, values) = b.create_entry_block();
        b.ret(&values[..returns.len()]);
        f
    }

    /// `(inputs, output, flattened kernel params, flattened kernel returns)`.
    type Case = (Vec<Type>, Type, Vec<Ty>, Vec<Ty>);

    fn cases() -> Vec<Case> {
        vec![
            (
                vec![Type::F64, Type::F64],
                Type::F64,
                vec![Ty::F64, Ty::F64],
                vec![Ty::F64],
            ),
            (vec![Type::I64], Type::I64, vec![Ty::I64], vec![Ty::I64]),
            (vec![Type::BOOL], Type::BOOL, vec![Ty::Bool], vec![Ty::Bool]),
            (
                vec![Type::C128, Type::F64],
                Type::C128,
                vec![Ty::F64, Ty::F64, Ty::F64],
                vec![Ty::F64, Ty::F64],
            ),
            (
                vec![Type::Scalar(Scalar::C64)],
                Type::Scalar(Scalar::C64),
                vec![Ty::F32, Ty::F32],
                vec![Ty::F32, Ty::F32],
            ),
        ]
    }

    #[test]
    fn loops_verify_with_their_kernels() {
        for (inputs, output, params, returns) in cases() {
            let looped = ufunc_loop("k_loop", "k", &inputs, &output);
            verify_function(&looped).unwrap_or_else(|e| panic!("{e}\n{}", print_function(&looped)));
            assert_eq!(looped.params, vec![Ty::Ptr; 3]);
            assert!(looped.returns.is_empty());
            let module = Module {
                functions: vec![kernel("k", params, returns), looped],
            };
            verify_module(&module).unwrap_or_else(|e| panic!("{inputs:?} -> {output}: {e}"));
        }
    }

    #[test]
    fn the_loop_is_rotated() {
        let f = ufunc_loop("k_loop", "k", &[Type::F64, Type::F64], &Type::F64);
        let text = print_function(&f);
        // Entry tests once; the body branches back to itself at its bottom; the exit returns.
        assert_eq!(f.layout.len(), 3, "{text}");
        let body = f.layout[1];
        assert_eq!(f.successors(f.layout[0]), vec![body, f.layout[2]], "{text}");
        assert_eq!(f.successors(body), vec![body, f.layout[2]], "{text}");
        // One call per element, three pointers carried besides the counter.
        assert_eq!(f.block(body).params.len(), 4, "{text}");
        let calls = f
            .block(body)
            .insts
            .iter()
            .filter(|&&i| matches!(f.inst(i).op, Op::Call(_)))
            .count();
        assert_eq!(calls, 1, "{text}");
    }

    #[test]
    fn non_scalars_are_not_ufunc_operands() {
        assert_eq!(ufunc_scalar(&Type::F64), Some(Scalar::F64));
        let array = Type::array(Scalar::F64, 1, typeinfer::Layout::C);
        assert_eq!(ufunc_scalar(&array), None);
        assert_eq!(ufunc_scalar(&Type::NoneType), None);
    }
}
