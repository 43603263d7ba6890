//! The driver boundary without a GPU: on a machine without `libcuda` (like CI) the probe must
//! answer "unavailable" with a reason, and every entry point must return
//! `GpuError::Unavailable` instead of panicking.

use backend_gpu::{
    DeviceBuffer, GpuError, GpuModule, KernelArg, KernelSpec, PtxModule, PtxOptions, is_available,
    unavailable_reason,
};
use ir::Ty;

fn unavailable<T: std::fmt::Debug>(what: &str, result: Result<T, GpuError>) {
    match result {
        Err(GpuError::Unavailable(reason)) => assert!(!reason.is_empty(), "{what}"),
        other => panic!("{what}: expected GpuError::Unavailable, got {other:?}"),
    }
}

#[test]
fn without_a_device_every_entry_point_is_unavailable() {
    if is_available() {
        eprintln!("skipping: a CUDA device is available (tests/gpu.rs covers it)");
        assert_eq!(unavailable_reason(), None);
        return;
    }
    let reason = unavailable_reason().expect("a reason when no device is available");
    eprintln!("no CUDA device, as expected here: {reason}");
    assert!(!reason.is_empty());

    unavailable("DeviceBuffer::alloc", DeviceBuffer::alloc(16));
    unavailable(
        "DeviceBuffer::from_host",
        DeviceBuffer::from_host(&[1, 2, 3]),
    );
    unavailable("DeviceBuffer::alloc(0)", DeviceBuffer::alloc(0));
    let module =
        ir::parse::parse_module("function @id(f64) -> f64 {\nblock0(v0: f64):\n    return v0\n}\n")
            .unwrap();
    let spec = KernelSpec {
        name: "id".into(),
        scalar_fn: "id".into(),
        inputs: vec![KernelArg::Array { ty: Ty::F64 }],
        output: Ty::F64,
    };
    let opts = PtxOptions::default();
    unavailable(
        "GpuModule::compile",
        GpuModule::compile(&module, std::slice::from_ref(&spec), &opts),
    );
    let ptx = backend_gpu::compile_ptx(&module, &[spec], &opts).expect("PTX needs no device");
    unavailable("GpuModule::load", GpuModule::load(ptx));
    unavailable(
        "GpuModule::load of garbage",
        GpuModule::load(PtxModule {
            text: "not ptx\0".into(),
            errors: Vec::new(),
            kernels: Vec::new(),
        }),
    );
    // The answer is cached and stays the same.
    assert!(!is_available());
    assert_eq!(unavailable_reason(), Some(reason));
}

#[test]
fn device_handles_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<DeviceBuffer>();
    check::<GpuModule>();
    check::<GpuError>();
    check::<PtxModule>();
}
