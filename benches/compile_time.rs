//! Criterion benchmark: how long the Rust pipeline takes to compile the seed kernels.
//!
//! Measures `FunctionDef::parse` (frontend only) and `ferrojit::compile` (type inference,
//! lowering, IR passes, Cranelift, JIT finalisation) for the three seed kernels of
//! benches/kernels.py, specialised for the argument types the Python benchmark passes. This is
//! the compile share of a first call, without Python: no `inspect`, no dispatcher.
//! Run with `make bench` or `cargo bench --bench compile_time`.
//!
//! A kernel the pipeline cannot compile yet is reported on stderr and skipped, so the others
//! are still measured.

use criterion::{Criterion, criterion_group, criterion_main};
use ferrojit::{
    CompileRequest, DumpFlags, FunctionDef, Global, GlobalResolver, Layout, ModuleKind, Options,
    Scalar, SourceFile, Type, compile,
};
use std::hint::black_box;
use std::sync::Arc;
use typeinfer::GlobalValue;

const FILTER2D: &str = "\
def filter2d(image, filt, output):
    M, N = image.shape
    m, n = filt.shape
    for i in range(m//2, M-m//2):
        for j in range(n//2, N-n//2):
            result = 0.0
            for k in range(m):
                for l in range(n):
                    result += image[i+k-m//2,j+l-n//2]*filt[k, l]
            output[i,j] = result
";

const MANDEL: &str = "\
def mandel(x, y, max_iters):
    c = complex(x, y)
    z = 0.0j
    for i in range(max_iters):
        z = z * z + c
        if (z.real * z.real + z.imag * z.imag) >= 4:
            return i
    return max_iters
";

const CREATE_FRACTAL: &str = "\
def create_fractal(min_x, max_x, min_y, max_y, image, iters):
    height = image.shape[0]
    width = image.shape[1]
    pixel_size_x = (max_x - min_x) / width
    pixel_size_y = (max_y - min_y) / height
    for x in range(width):
        real = min_x + x * pixel_size_x
        for y in range(height):
            imag = min_y + y * pixel_size_y
            color = mandel(real, imag, iters)
            image[y, x] = color
    return image
";

const NBODY: &str = "\
def nbody(particle, particlev, nSteps, dt):
    nParticles = particle.shape[0]
    for step in range(1, nSteps + 1, 1):
        for i in range(nParticles):
            Fx = 0.0; Fy = 0.0; Fz = 0.0
            for j in range(nParticles):
                if j != i:
                    dx = particle[j, 0] - particle[i, 0]
                    dy = particle[j, 1] - particle[i, 1]
                    dz = particle[j, 2] - particle[i, 2]
                    drSquared = dx * dx + dy * dy + dz * dz
                    drPowerN32 = 1.0 / (drSquared + math.sqrt(drSquared))
                    Fx += dx * drPowerN32
                    Fy += dy * drPowerN32
                    Fz += dz * drPowerN32
            particlev[i, 0] += dt * Fx
            particlev[i, 1] += dt * Fy
            particlev[i, 2] += dt * Fz
        for i in range(nParticles):
            particle[i, 0] += particlev[i, 0] * dt
            particle[i, 1] += particlev[i, 1] * dt
            particle[i, 2] += particlev[i, 2] * dt
    return particle, particlev
";

/// The seed kernels' module globals: `math`, and optionally the jitted `mandel`.
struct KernelGlobals {
    mandel: Option<Arc<FunctionDef>>,
}

impl GlobalResolver for KernelGlobals {
    fn resolve(&self, name: &str) -> Option<Global> {
        match name {
            "math" => Some(Global::Value(GlobalValue::Module(ModuleKind::Math))),
            "mandel" => self.mandel.clone().map(Global::Function),
            _ => None,
        }
    }
}

fn no_globals() -> Box<dyn GlobalResolver> {
    Box::new(KernelGlobals { mandel: None })
}

fn parse(name: &str, src: &str, globals: Box<dyn GlobalResolver>) -> FunctionDef {
    FunctionDef::parse(
        SourceFile::new(format!("{name}.py"), src),
        globals,
        Options::default(),
    )
    .unwrap_or_else(|d| panic!("the seed kernel {name} does not parse:\n{d}"))
}

fn f8_2d() -> Type {
    Type::array(Scalar::F64, 2, Layout::C)
}

/// One compile benchmark: a parsed kernel and the argument types to specialise it for.
struct Case {
    name: &'static str,
    def: Arc<FunctionDef>,
    arg_types: Vec<Type>,
}

impl Case {
    fn request(&self) -> CompileRequest {
        CompileRequest {
            def: self.def.clone(),
            arg_types: self.arg_types.clone(),
            declared_return: None,
            dump: DumpFlags::default(),
        }
    }
}

fn cases() -> Vec<Case> {
    let mandel = Arc::new(parse("mandel", MANDEL, no_globals()));
    let fractal_globals = Box::new(KernelGlobals {
        mandel: Some(mandel),
    });
    vec![
        Case {
            name: "filter2d",
            def: Arc::new(parse("filter2d", FILTER2D, no_globals())),
            arg_types: vec![f8_2d(), f8_2d(), f8_2d()],
        },
        Case {
            name: "create_fractal",
            def: Arc::new(parse("create_fractal", CREATE_FRACTAL, fractal_globals)),
            arg_types: vec![
                Type::F64,
                Type::F64,
                Type::F64,
                Type::F64,
                Type::array(Scalar::U8, 2, Layout::C),
                Type::I64,
            ],
        },
        Case {
            name: "nbody",
            def: Arc::new(parse("nbody", NBODY, no_globals())),
            arg_types: vec![f8_2d(), f8_2d(), Type::I64, Type::F64],
        },
    ]
}

fn bench_parse(c: &mut Criterion) {
    c.bench_function("parse/filter2d", |b| {
        b.iter(|| {
            let source = SourceFile::new("k.py", black_box(FILTER2D));
            FunctionDef::parse(source, no_globals(), Options::default()).expect("parses")
        })
    });
}

fn bench_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    for case in cases() {
        if let Err(diagnostic) = compile(&case.request()) {
            eprintln!(
                "compile/{}: skipped, the pipeline rejects it:\n{diagnostic}",
                case.name
            );
            continue;
        }
        let request = case.request();
        group.bench_function(case.name, |b| {
            b.iter(|| compile(black_box(&request)).expect("compiled once already"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse, bench_compile);
criterion_main!(benches);
