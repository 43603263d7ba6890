//! The `ferrojit` command-line tool: `ferrojit build module.py --export 'f:f8(f8[:])'` compiles
//! functions of a Python module ahead of time (see `ferrojit::aot::cli` for the options).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(ferrojit::aot::cli::main(&args, None));
}
