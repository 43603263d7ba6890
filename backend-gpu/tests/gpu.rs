//! Launch tests on a real GPU: every kernel of `tests/cases/*.ir` and of the generated
//! every-op module runs on the device and is compared, element by element and bit for bit,
//! with the CPU backend running the same IR (math functions from `ir::mathlib` on both sides,
//! so even `sin` must agree exactly); errors must be reported with the code and arguments a
//! CPU call raised.
//!
//! Without a CUDA driver these tests print "skipping: no CUDA driver (reason)" and pass;
//! `FERROJIT_GPU_TESTS=1` makes them fail instead. One command on a GPU machine:
//! `FERROJIT_GPU_TESTS=1 cargo test -p backend-gpu --test integration gpu::`.

use crate::common;

use backend_gpu::{
    DeviceBuffer, GpuError, GpuModule, KernelArg, KernelArgValue, PtxOptions, is_available,
    unavailable_reason,
};
use common::Case;
use common::values::{from_bytes, generate, same, show, to_bytes};
use ir::{Module, Op, Ty};
use runtime::error::{ERROR_ARGS, ErrorSlot};
use std::collections::HashSet;

/// Env: `1` makes the launch tests fail when there is no GPU.
const GPU_TESTS_ENV: &str = "FERROJIT_GPU_TESTS";

/// Elements per launch: several blocks of 256, and not a multiple of the block size.
const N: usize = 3001;

/// True if the GPU tests should run; prints why not otherwise.
fn gpu() -> bool {
    if is_available() {
        return true;
    }
    let reason = unavailable_reason().unwrap_or_default();
    let required = std::env::var(GPU_TESTS_ENV).is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{GPU_TESTS_ENV}=1 but no CUDA device is usable: {reason}"
    );
    eprintln!("skipping: no CUDA driver ({reason})");
    false
}

/// `module` with every `call_rt` the math library implements replaced by a call of its IR
/// function (added to the module), so the CPU backend runs the GPU's math.
fn with_mathlib(module: &Module) -> Module {
    let mut out = module.clone();
    let mut added = HashSet::new();
    let mut extra = Vec::new();
    for func in &mut out.functions {
        for i in 0..func.insts.len() {
            let Op::CallRuntime(f) = func.insts[i].op else {
                continue;
            };
            let ty = func.value_type(func.insts[i].results[0]);
            let (Some(name), Some(body)) = (ir::mathlib::name(f, ty), ir::mathlib::build(f, ty))
            else {
                continue;
            };
            func.insts[i].op = Op::Call(name.clone());
            if added.insert(name) {
                extra.push(body);
            }
        }
    }
    out.functions.extend(extra);
    out
}

/// A scalar kernel argument from its slot.
fn scalar(ty: Ty, slot: u64) -> KernelArgValue<'static> {
    match ty {
        Ty::Bool => KernelArgValue::Bool(slot & 1 != 0),
        Ty::I8 => KernelArgValue::I8(slot as i8),
        Ty::I16 => KernelArgValue::I16(slot as i16),
        Ty::I32 => KernelArgValue::I32(slot as i32),
        Ty::F32 => KernelArgValue::F32(f32::from_bits(slot as u32)),
        Ty::F64 => KernelArgValue::F64(f64::from_bits(slot)),
        Ty::I64 | Ty::Ptr => KernelArgValue::I64(slot as i64),
        _ => {
            unreachable!("kernel arguments are scalars")
        }
    }
}

/// What a CPU call gave: the result slot, or the error code and arguments.
type Outcome = Result<u64, (u32, [i64; ERROR_ARGS])>;

/// The cases that can run on both sides: not those taking a pointer, which cannot be shared
/// between host and device.
fn shareable(cases: &[Case]) -> Vec<&Case> {
    cases
        .iter()
        .filter(|c| !c.spec.inputs.contains(&KernelArg::Scalar { ty: Ty::Ptr }))
        .collect()
}

/// The CPU backend's module for `module` (with the math library), with an entry per kernel.
fn reference(label: &str, module: &Module, cases: &[&Case]) -> backend_cpu::JitArtifact {
    let entries: Vec<&str> = cases.iter().map(|c| c.spec.scalar_fn.as_str()).collect();
    backend_cpu::compile_jit(&with_mathlib(module), &entries, &Default::default())
        .unwrap_or_else(|e| panic!("{label}: the CPU backend failed: {e}"))
}

/// The input slots of case number `k` (deterministic).
fn inputs(case: &Case, k: usize) -> Vec<Vec<u64>> {
    case.spec
        .inputs
        .iter()
        .zip(&case.domains)
        .enumerate()
        .map(|(j, (a, d))| generate(a.ty(), d, N, (k * 16 + j) as u64))
        .collect()
}

/// What the CPU gives for each element.
fn expected(cpu: &backend_cpu::JitArtifact, case: &Case, inputs: &[Vec<u64>]) -> Vec<Outcome> {
    let entry = cpu
        .entry(&case.spec.scalar_fn)
        .expect("an entry per kernel");
    (0..N)
        .map(|i| {
            let args: Vec<u64> = inputs.iter().map(|v| v[i]).collect();
            let mut rets = [0u64; 1];
            let mut err = ErrorSlot::default();
            // SAFETY: one slot per parameter and result of the scalar function, which the
            // artifact (alive here) defines.
            let code = unsafe { entry(args.as_ptr(), rets.as_mut_ptr(), &mut err) };
            if code == 0 {
                Ok(rets[0])
            } else {
                Err((code, err.args))
            }
        })
        .collect()
}

/// Runs every shareable case on both backends; returns the failures.
fn compare(label: &str, module: &Module, cases: &[Case]) -> Vec<String> {
    let cases = shareable(cases);
    let specs: Vec<_> = cases.iter().map(|c| c.spec.clone()).collect();
    let gpu = match GpuModule::compile(module, &specs, &PtxOptions::default()) {
        Ok(m) => m,
        Err(e) => return vec![format!("{label}: {e}")],
    };
    let cpu = reference(label, module, &cases);
    let mut failures = Vec::new();
    for (k, case) in cases.iter().enumerate() {
        let spec = &case.spec;
        let inputs = inputs(case, k);
        let expected = expected(&cpu, case, &inputs);

        let buffers: Vec<Option<DeviceBuffer>> = spec
            .inputs
            .iter()
            .zip(&inputs)
            .map(|(a, v)| match a {
                KernelArg::Array { ty } => {
                    Some(DeviceBuffer::from_host(&to_bytes(*ty, v)).expect("upload"))
                }
                KernelArg::Scalar { .. } => None,
            })
            .collect();
        let size = backend_gpu::ptx::memory_size(spec.output) as usize;
        let out = DeviceBuffer::alloc(N * size).expect("output buffer");
        let mut args: Vec<KernelArgValue> = spec
            .inputs
            .iter()
            .zip(&buffers)
            .zip(&inputs)
            .map(|((a, b), v)| match b {
                Some(b) => KernelArgValue::Buffer(b),
                None => scalar(a.ty(), v[0]),
            })
            .collect();
        args.push(KernelArgValue::Buffer(&out));
        let launched = gpu.launch(&spec.name, N as u64, &args);

        let raised: Vec<(u32, [i64; ERROR_ARGS])> =
            expected.iter().filter_map(|o| o.err()).collect();
        let name = format!("{label}: kernel `{}`", spec.name);
        match (launched, raised.is_empty()) {
            (Ok(()), true) => {
                let mut bytes = vec![0u8; N * size];
                out.to_host(&mut bytes).expect("download");
                let got = from_bytes(spec.output, &bytes);
                let wrong: Vec<String> = (0..N)
                    .filter_map(|i| {
                        let want = expected[i].expect("no errors");
                        (!same(spec.output, want, got[i])).then(|| {
                            let args: Vec<String> = spec
                                .inputs
                                .iter()
                                .zip(&inputs)
                                .map(|(a, v)| show(a.ty(), v[i]))
                                .collect();
                            format!(
                                "  [{i}] ({}): cpu {} gpu {}",
                                args.join(", "),
                                show(spec.output, want),
                                show(spec.output, got[i])
                            )
                        })
                    })
                    .take(5)
                    .collect();
                if !wrong.is_empty() {
                    failures.push(format!(
                        "{name} differs from the CPU:\n{}",
                        wrong.join("\n")
                    ));
                }
            }
            (Err(GpuError::Raised { code, args, .. }), false) => {
                if !raised.contains(&(code, args)) {
                    failures.push(format!(
                        "{name} raised code {code} with {args:?}, which no CPU call did"
                    ));
                }
            }
            (Ok(()), false) => failures.push(format!(
                "{name} reported no error; the CPU raised {} times",
                raised.len()
            )),
            (Err(e), _) => failures.push(format!("{name}: {e}")),
        }
    }
    failures
}

/// The CPU half of the comparison runs everywhere: it checks the harness (domains, guards,
/// the math-library rewrite) and pins a few facts the GPU tests rely on.
#[test]
fn reference_outcomes_are_computable_without_a_gpu() {
    let mut raising = Vec::new();
    for file in common::case_files() {
        let cases = shareable(&file.cases);
        let cpu = reference(&file.name, &file.module, &cases);
        for (k, case) in cases.iter().enumerate() {
            let outcomes = expected(&cpu, case, &inputs(case, k));
            if outcomes.iter().any(Result::is_err) {
                raising.push(case.spec.name.clone());
            }
        }
    }
    raising.sort();
    // Division by zero is among the inputs of these kernels, so their launches must raise.
    assert_eq!(
        raising,
        ["divmod_sum", "floordiv"],
        "kernels with raising elements"
    );
    let (module, cases) = common::coverage::module();
    let cases = shareable(&cases);
    let cpu = reference("every-op module", &module, &cases);
    for (k, case) in cases.iter().enumerate() {
        let outcomes = expected(&cpu, case, &inputs(case, k));
        assert!(
            outcomes.iter().all(Result::is_ok),
            "{} raised",
            case.spec.name
        );
    }
}

#[test]
fn gpu_case_kernels_match_the_cpu_backend() {
    if !gpu() {
        return;
    }
    let mut failures = Vec::new();
    for file in common::case_files() {
        failures.extend(compare(&file.name, &file.module, &file.cases));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn gpu_every_op_matches_the_cpu_backend() {
    if !gpu() {
        return;
    }
    let (module, cases) = common::coverage::module();
    let failures = compare("every-op module", &module, &cases);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn gpu_buffers_round_trip() {
    if !gpu() {
        return;
    }
    let data: Vec<u8> = (0..=255).collect();
    let buffer = DeviceBuffer::from_host(&data).unwrap();
    assert_eq!(buffer.len(), 256);
    let mut back = vec![0u8; 256];
    buffer.to_host(&mut back).unwrap();
    assert_eq!(back, data);
    let empty = DeviceBuffer::alloc(0).unwrap();
    assert!(empty.is_empty());
    empty.to_host(&mut []).unwrap();
    assert!(matches!(
        buffer.to_host(&mut [0u8; 3]),
        Err(GpuError::InvalidArgument(_))
    ));
}

/// A 1-D f64 array descriptor (runtime::array layout) over `data`, in device memory.
fn descriptor(data: &DeviceBuffer, len: i64) -> DeviceBuffer {
    let mut bytes = Vec::new();
    for word in [data.address() as i64, 0, len, 8] {
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    DeviceBuffer::from_host(&bytes).unwrap()
}

#[test]
fn gpu_array_access_through_descriptors() {
    if !gpu() {
        return;
    }
    let file = common::case_files()
        .into_iter()
        .find(|f| f.name == "memory.ir")
        .expect("tests/cases/memory.ir");
    let specs: Vec<_> = file.cases.iter().map(|c| c.spec.clone()).collect();
    let module = GpuModule::compile(&file.module, &specs, &PtxOptions::default()).unwrap();
    let values: Vec<f64> = (0..10).map(|i| f64::from(i) * 1.5).collect();
    let data = DeviceBuffer::from_host(&to_bytes(
        Ty::F64,
        &values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
    ))
    .unwrap();
    let desc = descriptor(&data, 10);

    // getitem with negative and positive indices in range.
    let index: Vec<u64> = (-10i64..10).map(|i| i as u64).collect();
    let n = index.len();
    let index_buf = DeviceBuffer::from_host(&to_bytes(Ty::I64, &index)).unwrap();
    let out = DeviceBuffer::alloc(n * 8).unwrap();
    let args = [
        KernelArgValue::Buffer(&desc),
        KernelArgValue::Buffer(&index_buf),
        KernelArgValue::Buffer(&out),
    ];
    module.launch("getitem", n as u64, &args).unwrap();
    let mut bytes = vec![0u8; n * 8];
    out.to_host(&mut bytes).unwrap();
    let got = from_bytes(Ty::F64, &bytes);
    for (k, i) in (-10i64..10).enumerate() {
        assert_eq!(
            f64::from_bits(got[k]),
            values[i.rem_euclid(10) as usize],
            "index {i}"
        );
    }

    // An index out of range raises IndexError with its arguments.
    let bad = DeviceBuffer::from_host(&to_bytes(Ty::I64, &[3, 12])).unwrap();
    let out = DeviceBuffer::alloc(16).unwrap();
    let args = [
        KernelArgValue::Buffer(&desc),
        KernelArgValue::Buffer(&bad),
        KernelArgValue::Buffer(&out),
    ];
    match module.launch("getitem", 2, &args) {
        Err(GpuError::Raised { info, args, .. }) => {
            assert_eq!(info.kind.name(), "IndexError");
            assert_eq!(
                info.format(&args),
                "index 12 is out of bounds for axis 0 with size 10"
            );
        }
        other => panic!("expected an IndexError, got {other:?}"),
    }

    // setitem writes through the descriptor.
    let index = DeviceBuffer::from_host(&to_bytes(Ty::I64, &[0, 9])).unwrap();
    let new = DeviceBuffer::from_host(&to_bytes(Ty::F64, &[(-1.0f64).to_bits(), 1.5f64.to_bits()]))
        .unwrap();
    let changed = DeviceBuffer::alloc(2).unwrap();
    let args = [
        KernelArgValue::Buffer(&desc),
        KernelArgValue::Buffer(&index),
        KernelArgValue::Buffer(&new),
        KernelArgValue::Buffer(&changed),
    ];
    module.launch("setitem", 2, &args).unwrap();
    let mut bytes = vec![0u8; 80];
    data.to_host(&mut bytes).unwrap();
    let after = from_bytes(Ty::F64, &bytes);
    assert_eq!(f64::from_bits(after[0]), -1.0);
    assert_eq!(f64::from_bits(after[9]), 1.5);
    let mut flags = [0u8; 2];
    changed.to_host(&mut flags).unwrap();
    assert_eq!(flags, [1, 1]);
}

#[test]
fn gpu_launch_arguments_are_checked() {
    if !gpu() {
        return;
    }
    let file = common::case_files()
        .into_iter()
        .find(|f| f.name == "mandelbrot.ir")
        .expect("tests/cases/mandelbrot.ir");
    let specs: Vec<_> = file.cases.iter().map(|c| c.spec.clone()).collect();
    let module = GpuModule::compile(&file.module, &specs, &PtxOptions::default()).unwrap();
    let small = DeviceBuffer::alloc(8).unwrap();
    let wrong_count = module.launch("mandel", 4, &[KernelArgValue::Buffer(&small)]);
    assert!(
        matches!(wrong_count, Err(GpuError::InvalidLaunch { .. })),
        "{wrong_count:?}"
    );
    let args = [
        KernelArgValue::Buffer(&small),
        KernelArgValue::Buffer(&small),
        KernelArgValue::I64(10),
        KernelArgValue::Buffer(&small),
    ];
    let too_small = module.launch("mandel", 4, &args);
    assert!(
        matches!(too_small, Err(GpuError::InvalidLaunch { .. })),
        "{too_small:?}"
    );
    let wrong_type = [args[0], args[1], KernelArgValue::F64(1.0), args[3]];
    let wrong = module.launch("mandel", 1, &wrong_type);
    assert!(
        matches!(wrong, Err(GpuError::InvalidLaunch { .. })),
        "{wrong:?}"
    );
    assert!(
        module.launch("mandel", 0, &args).is_ok(),
        "n = 0 launches nothing"
    );
}
