mod common;
#[test]
fn dump() {
    let (module, cases) = common::coverage::module();
    let specs: Vec<_> = cases.into_iter().map(|c| c.spec).collect();
    let ptx = backend_gpu::emit_module(&module, &specs, &Default::default()).unwrap();
    std::fs::write("/tmp/ptxdump/all.ptx", &ptx).unwrap();
    eprintln!("{} functions, {} bytes", module.functions.len(), ptx.len());
}
