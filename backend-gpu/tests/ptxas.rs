//! Every generated module must assemble with `ptxas` for sm_70, sm_80 and sm_90: the kernel
//! cases of `tests/cases/*.ir` (with and without fastmath) and the generated every-op module.
//! Without `ptxas` these tests print why and pass, unless `FERROJIT_REQUIRE_PTXAS=1`.

use crate::common;

use backend_gpu::emit_module;
use common::*;

#[test]
fn case_files_assemble_for_every_target() {
    let Some(ptxas) = ptxas() else { return };
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in case_files() {
        let specs: Vec<_> = file.cases.iter().map(|c| c.spec.clone()).collect();
        for target in TARGETS {
            let mut previous = None;
            for fastmath in [false, true] {
                let label = format!("{} ({target}, fastmath={fastmath})", file.name);
                match emit_module(&file.module, &specs, &options(target, fastmath)) {
                    // Fastmath changes only f32 math; identical text needs no second run.
                    Ok(ptx) if previous.as_ref() == Some(&ptx) => {}
                    Ok(ptx) => {
                        match assemble(ptxas, &label, &ptx, target) {
                            Ok(()) => checked += 1,
                            Err(e) => failures.push(e),
                        }
                        previous = Some(ptx);
                    }
                    Err(e) => failures.push(format!("{label}: {e}")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked > 0);
}

#[test]
fn every_op_and_type_assembles_for_every_target() {
    let Some(ptxas) = ptxas() else { return };
    let (module, cases) = coverage::module();
    let specs: Vec<_> = cases.into_iter().map(|c| c.spec).collect();
    for target in TARGETS {
        let ptx =
            emit_module(&module, &specs, &options(target, false)).unwrap_or_else(|e| panic!("{e}"));
        if let Err(e) = assemble(ptxas, "the every-op module", &ptx, target) {
            panic!("{e}");
        }
    }
}
