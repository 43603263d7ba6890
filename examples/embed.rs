//! Embedding ferrojit in a Rust program: compile numeric Python at run time and call it with
//! Rust values. Run with `cargo run --example embed` (add `--release` for representative speed).

use ferrojit::embed::{ArrayView2, ArrayViewMut2};
use ferrojit::{Error, Jit};
use std::time::Instant;

const SOURCE: &str = r#"
import math

DECAY = 0.25


def gaussian(x, sigma):
    return math.exp(-0.5 * (x / sigma) ** 2) / (sigma * math.sqrt(2.0 * math.pi))


def blur_rows(image, out, sigma):
    radius = int(3 * sigma)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            acc = 0.0
            weight = 0.0
            for k in range(-radius, radius + 1):
                jj = min(max(j + k, 0), image.shape[1] - 1)
                w = gaussian(k, sigma)
                acc += w * image[i, jj]
                weight += w
            out[i, j] = acc / weight


def energy(image):
    e = 0.0
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            e += image[i, j] ** 2 * (1.0 - DECAY)
    return e


def checked_sqrt(x):
    if x < 0.0:
        raise ValueError("negative input")
    return math.sqrt(x)
"#;

fn main() -> Result<(), Error> {
    let jit = Jit::new();

    // One function, compiled for an explicit signature.
    let hypot = jit.compile::<(f64, f64), f64>(
        "import math\n\ndef hypot(x, y):\n    return math.sqrt(x * x + y * y)\n",
        "f8(f8, f8)",
    )?;
    println!("hypot(3, 4) = {}", hypot.call((3.0, 4.0))?);

    // A module: helpers, constants and imports resolve as they would in Python.
    let start = Instant::now();
    let module = jit.module_named("blur.py", SOURCE);
    let blur = module.get::<(ArrayView2<f64>, ArrayViewMut2<f64>, f64), ()>(
        "blur_rows",
        "void(f8[:, :], f8[:, :], f8)",
    )?;
    let energy = module.get::<(ArrayView2<f64>,), f64>("energy", "f8(f8[:, :])")?;
    println!("compiled blur_rows and energy in {:?}", start.elapsed());

    let (rows, cols) = (256, 256);
    let image: Vec<f64> = (0..rows * cols)
        .map(|k| {
            if (k / cols + k % cols) % 16 == 0 {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let mut out = vec![0.0; rows * cols];
    let start = Instant::now();
    blur.call((
        ArrayView2::from_shape(&image, [rows, cols])?,
        ArrayViewMut2::from_shape(&mut out, [rows, cols])?,
        2.0,
    ))?;
    println!("blurred a {rows}x{cols} image in {:?}", start.elapsed());
    println!(
        "energy before {:.3}, after {:.3}",
        energy.call((ArrayView2::from_shape(&image, [rows, cols])?,))?,
        energy.call((ArrayView2::from_shape(&out, [rows, cols])?,))?
    );

    // Compiled functions are Send + Sync: call one from several threads.
    let sums: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let energy = &energy;
                let out = &out;
                s.spawn(move || {
                    let band = &out[t * rows / 4 * cols..(t + 1) * rows / 4 * cols];
                    energy.call((ArrayView2::from_shape(band, [rows / 4, cols]).unwrap(),))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    println!("energy by band on 4 threads: {sums:.3?}");

    // Exceptions raised by compiled code come back as errors with the source line.
    let sqrt = module.get::<(f64,), f64>("checked_sqrt", "f8(f8)")?;
    match sqrt.call((-1.0,)) {
        Err(e) => println!("checked_sqrt(-1.0) raised: {e}"),
        Ok(v) => println!("unexpected: {v}"),
    }
    // So do compile errors, rendered against the source.
    if let Err(e) = jit.compile::<(f64,), f64>("def bad(x):\n    return x + nope\n", "f8(f8)") {
        println!("compile error:\n{e}");
    }
    Ok(())
}
