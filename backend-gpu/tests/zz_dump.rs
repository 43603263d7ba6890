mod common;
#[test]
fn dump() {
    for file in common::case_files() {
        let specs: Vec<_> = file.cases.iter().map(|c| c.spec.clone()).collect();
        let ptx = backend_gpu::emit_module(&file.module, &specs, &Default::default()).unwrap();
        std::fs::write(format!("/tmp/ptxdump/{}.ptx", file.name), &ptx).unwrap();
    }
}
