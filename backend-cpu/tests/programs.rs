//! Whole functions: loops with block parameters, calls between functions, multiple results,
//! raising and propagating errors, memory through array descriptors, runtime helpers.

use crate::common;

use common::*;
use ir::{Builder, ErrorSite, Function, IntCC, Module, Op, Ty};
use runtime::array::{ArrayDescriptor, DATA_OFFSET, shape_offset, stride_offset};
use runtime::error::{ErrorSlot, ExceptionKind};
use runtime::math::RuntimeFn;

/// `sum_to(n) = 1 + 2 + ... + n`, a loop whose counter and accumulator are block parameters.
fn sum_to() -> Function {
    let mut f = Function::new("sum_to", vec![Ty::I64], vec![Ty::I64]);
    let mut b = Builder::new(&mut f);
    let (_, params) = b.create_entry_block();
    let n = params[0];
    let header = b.create_block();
    let i = b.append_block_param(header, Ty::I64);
    let acc = b.append_block_param(header, Ty::I64);
    let body = b.create_block();
    let exit = b.create_block();
    let result = b.append_block_param(exit, Ty::I64);
    let (one, zero) = (b.iconst(Ty::I64, 1), b.iconst(Ty::I64, 0));
    b.jump(header, &[one, zero]);
    b.switch_to(header);
    let more = b.icmp(IntCC::Sle, i, n);
    b.brif(more, body, &[], exit, &[acc]);
    b.switch_to(body);
    let acc2 = b.binary(Op::Iadd, acc, i);
    let one = b.iconst(Ty::I64, 1);
    let i2 = b.binary(Op::Iadd, i, one);
    b.jump(header, &[i2, acc2]);
    b.switch_to(exit);
    b.ret(&[result]);
    f
}

#[test]
fn loop_with_block_parameters() {
    let artifact = compile(
        &Module {
            functions: vec![sum_to()],
        },
        &["sum_to"],
    );
    for (n, want) in [
        (0, 0),
        (1, 1),
        (100, 5050),
        (-5, 0),
        (100_000, 5_000_050_000),
    ] {
        assert_eq!(
            call(&artifact, "sum_to", &[int(n)]).unwrap(),
            [int(want)],
            "sum_to({n})"
        );
    }
}

#[test]
fn calls_between_functions() {
    let mut square = Function::new("square", vec![Ty::F64], vec![Ty::F64]);
    let mut b = Builder::new(&mut square);
    let (_, p) = b.create_entry_block();
    let sq = b.binary(Op::Fmul, p[0], p[0]);
    b.ret(&[sq]);

    let mut hyp = Function::new("hyp", vec![Ty::F64, Ty::F64], vec![Ty::F64]);
    let mut b = Builder::new(&mut hyp);
    let (_, p) = b.create_entry_block();
    let a2 = b.call("square", &[p[0]], &[Ty::F64])[0];
    let b2 = b.call("square", &[p[1]], &[Ty::F64])[0];
    let s = b.binary(Op::Fadd, a2, b2);
    let r = b.unary(Op::Sqrt, s);
    b.ret(&[r]);

    // The callee comes after the caller and is not an entry itself.
    let artifact = compile(
        &Module {
            functions: vec![hyp, square],
        },
        &["hyp"],
    );
    assert!(artifact.entry("square").is_none());
    assert_eq!(
        call(&artifact, "hyp", &[f64s(3.0), f64s(4.0)]).unwrap(),
        [f64s(5.0)]
    );
}

/// `quad(a, b) = (a / b, a % b, a as f64 / b as f64, a < b)` and `use_quad(a, b)` that calls it.
fn quad_module() -> Module {
    let mut quad = Function::new(
        "quad",
        vec![Ty::I64, Ty::I64],
        vec![Ty::I64, Ty::I64, Ty::F64, Ty::Bool],
    );
    let mut b = Builder::new(&mut quad);
    let (_, p) = b.create_entry_block();
    let q = b.binary(Op::Sdiv, p[0], p[1]);
    let r = b.binary(Op::Srem, p[0], p[1]);
    let fa = b.convert(Op::SToF, p[0], Ty::F64);
    let fb = b.convert(Op::SToF, p[1], Ty::F64);
    let ratio = b.binary(Op::Fdiv, fa, fb);
    let less = b.icmp(IntCC::Slt, p[0], p[1]);
    b.ret(&[q, r, ratio, less]);

    let mut use_quad = Function::new("use_quad", vec![Ty::I64, Ty::I64], vec![Ty::I64]);
    let mut b = Builder::new(&mut use_quad);
    let (_, p) = b.create_entry_block();
    let rs = b.call(
        "quad",
        &[p[0], p[1]],
        &[Ty::I64, Ty::I64, Ty::F64, Ty::Bool],
    );
    let sum = b.binary(Op::Iadd, rs[0], rs[1]);
    let as_int = b.convert(Op::FToS, rs[2], Ty::I64);
    let sum = b.binary(Op::Iadd, sum, as_int);
    let flag = b.convert(Op::Uext, rs[3], Ty::I64);
    let sum = b.binary(Op::Iadd, sum, flag);
    b.ret(&[sum]);
    Module {
        functions: vec![quad, use_quad],
    }
}

#[test]
fn four_return_values_through_entry_and_call() {
    let artifact = compile(&quad_module(), &["quad", "use_quad"]);
    assert_eq!(
        call(&artifact, "quad", &[int(17), int(5)]).unwrap(),
        [int(3), int(2), f64s(3.4), 0]
    );
    assert_eq!(
        call(&artifact, "quad", &[int(-7), int(2)]).unwrap(),
        [int(-3), int(-1), f64s(-3.5), 1]
    );
    // 3 + 2 + 3 + 0
    assert_eq!(
        call(&artifact, "use_quad", &[int(17), int(5)]).unwrap(),
        [int(8)]
    );
}

fn site(kind: ExceptionKind, message: &str, line: u32) -> ErrorSite {
    ErrorSite {
        kind,
        message: message.to_string(),
        line,
        col: 5,
        function: String::new(),
    }
}

/// `outer(a, b)` raises ValueError if `a < 0`, else returns `checked_div(a, b) + 1`;
/// `checked_div` raises ZeroDivisionError with `a` and two more arguments when `b == 0`.
fn raising_module() -> Module {
    let mut div = Function::new("checked_div", vec![Ty::I64, Ty::I64], vec![Ty::I64]);
    let zero_div = div.add_error(site(
        ExceptionKind::ZeroDivisionError,
        "{} / 0 ({}, {})",
        12,
    ));
    let mut b = Builder::new(&mut div);
    let (_, p) = b.create_entry_block();
    let (raise, ok) = (b.create_block(), b.create_block());
    let zero = b.iconst(Ty::I64, 0);
    let is_zero = b.icmp(IntCC::Eq, p[1], zero);
    b.brif(is_zero, raise, &[], ok, &[]);
    b.switch_to(raise);
    let small = b.iconst(Ty::I32, -2);
    b.raise(zero_div, &[p[0], small, is_zero]);
    b.switch_to(ok);
    let q = b.binary(Op::Sdiv, p[0], p[1]);
    b.ret(&[q]);

    let mut outer = Function::new("outer", vec![Ty::I64, Ty::I64], vec![Ty::I64]);
    let negative = outer.add_error(site(ExceptionKind::ValueError, "negative: {}", 3));
    let mut b = Builder::new(&mut outer);
    let (_, p) = b.create_entry_block();
    let (raise, ok) = (b.create_block(), b.create_block());
    let zero = b.iconst(Ty::I64, 0);
    let is_neg = b.icmp(IntCC::Slt, p[0], zero);
    b.brif(is_neg, raise, &[], ok, &[]);
    b.switch_to(raise);
    b.raise(negative, &[p[0]]);
    b.switch_to(ok);
    let q = b.call("checked_div", &[p[0], p[1]], &[Ty::I64])[0];
    let one = b.iconst(Ty::I64, 1);
    let r = b.binary(Op::Iadd, q, one);
    b.ret(&[r]);
    Module {
        functions: vec![outer, div],
    }
}

#[test]
fn error_table_lists_every_site_in_module_order() {
    let artifact = compile(&raising_module(), &["outer"]);
    let table: Vec<_> = artifact
        .errors()
        .iter()
        .map(|e| (e.kind, e.function.as_str(), e.line, e.col))
        .collect();
    assert_eq!(
        table,
        [
            (ExceptionKind::ValueError, "outer", 3, 5),
            (ExceptionKind::ZeroDivisionError, "checked_div", 12, 5)
        ]
    );
}

#[test]
fn raise_sets_code_and_arguments() {
    let artifact = compile(&raising_module(), &["outer", "checked_div"]);
    let (code, slot) = call(&artifact, "checked_div", &[int(7), int(0)]).unwrap_err();
    let info = artifact.error_info(code).expect("code maps into the table");
    assert_eq!(
        (info.kind, info.function.as_str()),
        (ExceptionKind::ZeroDivisionError, "checked_div")
    );
    // The i32 argument is sign-extended, the bool zero-extended.
    assert_eq!(slot.args, [7, -2, 1]);
    assert_eq!(info.format(&slot.args), "7 / 0 (-2, 1)");

    let (code, slot) = call(&artifact, "outer", &[int(-4), int(1)]).unwrap_err();
    let info = artifact.error_info(code).unwrap();
    assert_eq!(
        (info.kind, info.format(&slot.args)),
        (ExceptionKind::ValueError, "negative: -4".to_string())
    );
}

#[test]
fn raise_propagates_through_calls() {
    let artifact = compile(&raising_module(), &["outer"]);
    assert_eq!(
        call(&artifact, "outer", &[int(9), int(2)]).unwrap(),
        [int(5)]
    );
    let (code, slot) = call(&artifact, "outer", &[int(9), int(0)]).unwrap_err();
    assert_eq!(code, 2, "second entry of the table");
    assert_eq!(artifact.error_info(code).unwrap().function, "checked_div");
    assert_eq!(slot.args[0], 9);
}

#[test]
fn entry_clears_a_stale_error_code() {
    let artifact = compile(&raising_module(), &["outer"]);
    let f = artifact.entry("outer").unwrap();
    let args = [int(9), int(2)];
    let mut rets = [0u64; 1];
    let mut err = ErrorSlot {
        code: 99,
        ..ErrorSlot::default()
    };
    // SAFETY: one slot per parameter and result; the artifact is alive.
    let code = unsafe { f(args.as_ptr(), rets.as_mut_ptr(), &mut err) };
    assert_eq!((code, err.code, rets[0]), (0, 0, 5));
}

/// A 2-D f64 array as data plus a descriptor over it.
struct Array2 {
    data: Vec<f64>,
    shape: [i64; 2],
    strides: [i64; 2],
}

impl Array2 {
    fn descriptor(&mut self) -> ArrayDescriptor {
        let data = self.data.as_mut_ptr().cast::<u8>();
        ArrayDescriptor::new(data, std::ptr::null_mut(), &self.shape, &self.strides).unwrap()
    }
    fn get(&self, i: i64, j: i64) -> f64 {
        self.data[((i * self.strides[0] + j * self.strides[1]) / 8) as usize]
    }
}

/// Visits `a[i, j]` of a 2-D f64 array in row order, reading shape and strides from the
/// descriptor: `weighted_sum` returns `sum(a[i, j] * (10 i + j + 1))`, `fill` stores
/// `10 i + j` into every element.
fn array_module() -> Module {
    let mut functions = Vec::new();
    for name in ["weighted_sum", "fill"] {
        let fill = name == "fill";
        let returns = if fill { vec![] } else { vec![Ty::F64] };
        let mut f = Function::new(name, vec![Ty::Ptr], returns);
        let mut b = Builder::new(&mut f);
        let (_, p) = b.create_entry_block();
        let a = p[0];
        let data = b.load(Ty::Ptr, a, DATA_OFFSET, true);
        let n0 = b.load(Ty::I64, a, shape_offset(0), true);
        let n1 = b.load(Ty::I64, a, shape_offset(1), true);
        let s0 = b.load(Ty::I64, a, stride_offset(2, 0), true);
        let s1 = b.load(Ty::I64, a, stride_offset(2, 1), true);
        let (outer, row, inner, body, next_row, exit) = (
            b.create_block(),
            b.create_block(),
            b.create_block(),
            b.create_block(),
            b.create_block(),
            b.create_block(),
        );
        let i = b.append_block_param(outer, Ty::I64);
        let acc = b.append_block_param(outer, Ty::F64);
        let j = b.append_block_param(inner, Ty::I64);
        let acc_in = b.append_block_param(inner, Ty::F64);
        let acc_row = b.append_block_param(next_row, Ty::F64);
        let result = b.append_block_param(exit, Ty::F64);
        let zero = b.iconst(Ty::I64, 0);
        let fzero = b.fconst(Ty::F64, 0.0);
        b.jump(outer, &[zero, fzero]);

        b.switch_to(outer);
        let more_rows = b.icmp(IntCC::Slt, i, n0);
        b.brif(more_rows, row, &[], exit, &[acc]);
        b.switch_to(row);
        let row_offset = b.binary(Op::Imul, i, s0);
        let row_ptr = b.binary(Op::Iadd, data, row_offset);
        let zero = b.iconst(Ty::I64, 0);
        b.jump(inner, &[zero, acc]);

        b.switch_to(inner);
        let more_cols = b.icmp(IntCC::Slt, j, n1);
        b.brif(more_cols, body, &[], next_row, &[acc_in]);
        b.switch_to(body);
        let col_offset = b.binary(Op::Imul, j, s1);
        let ptr = b.binary(Op::Iadd, row_ptr, col_offset);
        let ten = b.iconst(Ty::I64, 10);
        let ten_i = b.binary(Op::Imul, i, ten);
        let code = b.binary(Op::Iadd, ten_i, j);
        let code = b.convert(Op::SToF, code, Ty::F64);
        let acc_next = if fill {
            b.store(ptr, code, 0);
            acc_in
        } else {
            let x = b.load(Ty::F64, ptr, 0, false);
            let one = b.fconst(Ty::F64, 1.0);
            let weight = b.binary(Op::Fadd, code, one);
            let term = b.binary(Op::Fmul, x, weight);
            b.binary(Op::Fadd, acc_in, term)
        };
        let one = b.iconst(Ty::I64, 1);
        let j2 = b.binary(Op::Iadd, j, one);
        b.jump(inner, &[j2, acc_next]);

        b.switch_to(next_row);
        let one = b.iconst(Ty::I64, 1);
        let i2 = b.binary(Op::Iadd, i, one);
        b.jump(outer, &[i2, acc_row]);
        b.switch_to(exit);
        b.ret(if fill {
            &[]
        } else {
            std::slice::from_ref(&result)
        });
        functions.push(f);
    }
    Module { functions }
}

#[test]
fn loads_and_stores_through_array_descriptors() {
    let artifact = compile(&array_module(), &["weighted_sum", "fill"]);
    let values: Vec<f64> = (0..12).map(|k| k as f64 * 0.5 - 1.0).collect();
    // A C-ordered 3x4 array and its transpose (a 4x3 view of the same memory).
    for (shape, strides) in [([3, 4], [32, 8]), ([4, 3], [8, 32])] {
        let mut array = Array2 {
            data: values.clone(),
            shape,
            strides,
        };
        let mut want = 0.0;
        for i in 0..shape[0] {
            for j in 0..shape[1] {
                want += array.get(i, j) * (10 * i + j + 1) as f64;
            }
        }
        let desc = array.descriptor();
        let got = call(&artifact, "weighted_sum", &[desc.as_ptr() as u64]).unwrap();
        assert_eq!(as_f64(got[0]), want, "shape {shape:?} strides {strides:?}");

        let desc = array.descriptor();
        assert_eq!(
            call(&artifact, "fill", &[desc.as_ptr() as u64]).unwrap(),
            Vec::<u64>::new()
        );
        for i in 0..shape[0] {
            for j in 0..shape[1] {
                assert_eq!(
                    array.get(i, j),
                    (10 * i + j) as f64,
                    "a[{i}, {j}] for strides {strides:?}"
                );
            }
        }
    }
}

#[test]
fn loop_invariant_loads_and_arithmetic_leave_the_inner_loop() {
    // Guards the branch ordering in `loops.rs`: without it Cranelift sinks invariants into loops.
    let opts = backend_cpu::CompileOptions {
        dump_clif: false,
        dump_asm: true,
    };
    let artifact = backend_cpu::compile_jit(&array_module(), &["weighted_sum"], &opts).unwrap();
    let dumps = artifact.dumps();
    let optimized = dumps
        .split(";; optimized CLIF of `weighted_sum`")
        .nth(1)
        .unwrap();
    let optimized = optimized.split(";; assembly").next().unwrap();
    // The innermost loop body is the block that loads an element.
    let body = optimized
        .split("\n\n")
        .find(|block| block.contains("load.f64"))
        .unwrap();
    assert!(
        !body.contains("readonly"),
        "descriptor loads left in the loop:\n{optimized}"
    );
    assert_eq!(
        body.matches("imul").count(),
        1,
        "row arithmetic left in the loop:\n{optimized}"
    );
}

/// `loop_count(n)`: how often `x *= 2` runs from `x = 1` while `x < n` (a float loop condition),
/// and `countdown(k)`: iterations of a loop whose condition is a bool block parameter.
fn loop_condition_module() -> Module {
    let mut doublings = Function::new("doublings", vec![Ty::F64], vec![Ty::I64]);
    let mut b = Builder::new(&mut doublings);
    let (_, p) = b.create_entry_block();
    let (header, body, exit) = (b.create_block(), b.create_block(), b.create_block());
    let x = b.append_block_param(header, Ty::F64);
    let count = b.append_block_param(header, Ty::I64);
    let result = b.append_block_param(exit, Ty::I64);
    let (one, zero) = (b.fconst(Ty::F64, 1.0), b.iconst(Ty::I64, 0));
    b.jump(header, &[one, zero]);
    b.switch_to(header);
    let more = b.fcmp(ir::FloatCC::Lt, x, p[0]);
    b.brif(more, body, &[], exit, &[count]);
    b.switch_to(body);
    let x2 = b.binary(Op::Fadd, x, x);
    let one = b.iconst(Ty::I64, 1);
    let count2 = b.binary(Op::Iadd, count, one);
    b.jump(header, &[x2, count2]);
    b.switch_to(exit);
    b.ret(&[result]);

    let mut countdown = Function::new("countdown", vec![Ty::I64], vec![Ty::I64]);
    let mut b = Builder::new(&mut countdown);
    let (_, p) = b.create_entry_block();
    let (header, body, exit) = (b.create_block(), b.create_block(), b.create_block());
    let k = b.append_block_param(header, Ty::I64);
    let go = b.append_block_param(header, Ty::Bool);
    let n = b.append_block_param(header, Ty::I64);
    let zero = b.iconst(Ty::I64, 0);
    let start = b.icmp(IntCC::Sgt, p[0], zero);
    b.jump(header, &[p[0], start, zero]);
    b.switch_to(header);
    b.brif(go, body, &[], exit, &[]);
    b.switch_to(body);
    let one = b.iconst(Ty::I64, 1);
    let k2 = b.binary(Op::Isub, k, one);
    let n2 = b.binary(Op::Iadd, n, one);
    let zero = b.iconst(Ty::I64, 0);
    let go2 = b.icmp(IntCC::Sgt, k2, zero);
    b.jump(header, &[k2, go2, n2]);
    b.switch_to(exit);
    b.ret(&[n]);
    Module {
        functions: vec![doublings, countdown],
    }
}

#[test]
fn loop_conditions_keep_their_meaning_when_branches_are_reordered() {
    let artifact = compile(&loop_condition_module(), &["doublings", "countdown"]);
    for (n, want) in [
        (10.0, 4),
        (1.0, 0),
        (f64::NAN, 0),
        (f64::INFINITY, 1024),
        (-1.0, 0),
    ] {
        assert_eq!(
            call(&artifact, "doublings", &[f64s(n)]).unwrap(),
            [int(want)],
            "doublings({n})"
        );
    }
    for (k, want) in [(5, 5), (0, 0), (-3, 0), (1, 1)] {
        assert_eq!(
            call(&artifact, "countdown", &[int(k)]).unwrap(),
            [int(want)],
            "countdown({k})"
        );
    }
}

#[test]
fn runtime_helper_calls() {
    let rt = |f: RuntimeFn, params: &[Ty], args: &[u64]| {
        let result = match f.describe().result {
            runtime::math::AbiType::I64 => Ty::I64,
            runtime::math::AbiType::Ptr => Ty::Ptr,
            runtime::math::AbiType::F32 => Ty::F32,
            runtime::math::AbiType::F64 => Ty::F64,
        };
        eval(&Op::CallRuntime(f), params, result, args)
    };
    let (f, i) = (Ty::F64, Ty::I64);
    assert_eq!(as_f64(rt(RuntimeFn::Sin, &[f], &[f64s(0.5)])), 0.5f64.sin());
    assert_eq!(
        as_f64(rt(RuntimeFn::Pow, &[f, f], &[f64s(2.0), f64s(0.5)])),
        2f64.powf(0.5)
    );
    assert_eq!(rt(RuntimeFn::IntPow, &[i, i], &[int(3), int(4)]), 81);
    assert_eq!(
        rt(RuntimeFn::IntPow, &[i, i], &[int(-2), int(63)]),
        int(i64::MIN)
    );
    assert_eq!(
        as_f64(rt(RuntimeFn::PowI, &[f, i], &[f64s(1.5), int(3)])),
        3.375
    );
    assert_eq!(
        as_f64(rt(RuntimeFn::Atan2, &[f, f], &[f64s(1.0), f64s(-1.0)])),
        1f64.atan2(-1.0)
    );
    assert_eq!(
        as_f32(rt(RuntimeFn::SinF32, &[Ty::F32], &[f32s(0.5)])),
        0.5f32.sin()
    );
    assert_eq!(as_f64(rt(RuntimeFn::Gamma, &[f], &[f64s(5.0)])), 24.0);
}

#[test]
fn every_runtime_helper_links() {
    // One function calling each helper once: nothing may be left unresolved.
    let mut f = Function::new("all", vec![Ty::F64, Ty::F32, Ty::I64], vec![]);
    let mut b = Builder::new(&mut f);
    let (_, p) = b.create_entry_block();
    // Memory helpers read through their pointer arguments: give them 64 zeroed bytes (an
    // all-zero shape, a descriptor of zero extents).
    let zeroed = b.ins(Op::StackSlot(64), &[], Ty::Ptr);
    let zero = b.iconst(Ty::I64, 0);
    for offset in (0..64).step_by(8) {
        b.store(zeroed, zero, offset);
    }
    // The NumPy library routines (sorting, …) dereference the data pointers of real arrays;
    // they are linked and run by the Python tests instead.
    for rf in RuntimeFn::ALL.into_iter().filter(|rf| !rf.is_library()) {
        // Zeroed again for each helper: the list helpers grow the header they are given.
        for offset in (0..64).step_by(8) {
            b.store(zeroed, zero, offset);
        }
        let args: Vec<_> = rf
            .describe()
            .params
            .iter()
            .map(|t| match t {
                runtime::math::AbiType::F64 => p[0],
                runtime::math::AbiType::F32 => p[1],
                runtime::math::AbiType::I64 => p[2],
                runtime::math::AbiType::Ptr => zeroed,
            })
            .collect();
        b.call_runtime(rf, &args);
    }
    b.ret(&[]);
    let artifact = compile(&Module { functions: vec![f] }, &["all"]);
    assert_eq!(
        call(&artifact, "all", &[f64s(0.5), f32s(0.5), int(2)]).unwrap(),
        Vec::<u64>::new()
    );
}
