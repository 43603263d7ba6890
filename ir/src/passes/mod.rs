//! Optimisation passes and the pass manager that runs them in order.
//!
//! Every pass is a function `fn run(&mut Function) -> bool` (true if it changed something) in
//! its own file. [`run_pipeline`] runs a list of passes, shows the function to an observer
//! before the first pass (as `"input"`) and after each pass (for `FERROJIT_DUMP=ir`), and, when
//! [`PipelineOptions::verify`] is set, verifies the input and the output of every pass, so a
//! broken pass is caught where it breaks the IR rather than in a backend.
//!
//! The default order ([`DEFAULT_PIPELINE`]): `forward_slots` (loads of a stack slot written
//! once, a view's descriptor, read the value written: its stride is a constant again),
//! `constfold` (fold constants and constant
//! branches), `simplify_cfg` (drop the dead arms, merge blocks, remove trivial block params),
//! `gvn` (merge repeated descriptor loads and index arithmetic), `index_range` then
//! `constfold` (drop negative-index wraparound of indices proven non-negative), `licm` (hoist
//! what is left invariant out of loops, innermost first), `gvn` again (hoisted copies from
//! sibling loops meet in one preheader), `speculate_loads` (a loop whose branch only waits for a load that may be out of range when
//! not executed gets a copy, behind a check that every index is in range, where the load comes
//! first and the branch converts),
//! `if_convert` (small `if`s that only compute values become `select`s), `idioms`
//! (population-count loops become `popcnt`), `dce`, `simplify_cfg` (a loop whose `if` became a
//! `select` is one block again), `unroll` (one-block loops with a small constant trip count
//! become straight-line code, so a stencil's `for di in range(-2, 3)` no longer stops the loop
//! around it from being innermost; after `licm`, `if_convert` and `dce`, so the bodies it
//! copies are small and single blocks), `forward_stores` (a value a one-block loop stores and
//! loads again one iteration later stays in a block parameter), `narrow` (an `i64`
//! computation truncated to a narrower
//! integer, or comparing extended narrow values, is done in the narrow type: `int32` clamps
//! vectorise four lanes), `dce`, `fill_copy` (a loop that only stores one value into, or copies
//! another array, or its square roots, into consecutive elements calls the runtime's fill,
//! forward copy or square roots: `memset`/`memmove`), `reductions` (loops
//! summing contiguous arrays call the runtime's vectorised sums; floats only under fastmath:
//! after `dce`, as it wants loops with nothing else in them), `vectorize` (element-wise loops
//! over contiguous arrays run on 128-bit vectors, with run-time stride and aliasing checks and
//! the scalar loop as fallback and remainder; chains of element terms and `fastmath` sums of
//! them call the runtime's 512-bit folds), `strength` (integer multiplications by 3, 5, 9
//! become shift-and-add, one `lea`; after the vectorizer, which wants the multiplication),
//! `dce` (the copies of the index increment the vector body does not use), `simplify_cfg`.

pub mod constfold;
pub mod dce;
pub mod fill_copy;
pub mod forward_slots;
pub mod forward_stores;
pub mod gvn;
pub mod idioms;
pub mod if_convert;
pub mod index_range;
pub mod licm;
pub mod narrow;
pub mod reductions;
pub mod sign_facts;
pub mod simplify_cfg;
pub mod speculate_loads;
pub mod strength;
pub mod unroll;
pub mod util;
pub mod vectorize;

use crate::function::Function;
use crate::verify::{VerifierError, verify_function};

/// The passes, by name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Pass {
    ConstFold,
    Dce,
    SimplifyCfg,
    Licm,
    Gvn,
    IndexRange,
    Idioms,
    IfConvert,
    Narrow,
    FillCopy,
    ForwardSlots,
    /// Needs [`PipelineOptions::fastmath`] for float sums (see [`Pass::run_with`]).
    Reductions,
    Vectorize,
    Strength,
    Unroll,
    SpeculateLoads,
    ForwardStores,
}

impl Pass {
    pub const ALL: [Pass; 17] = [
        Pass::ConstFold,
        Pass::Dce,
        Pass::SimplifyCfg,
        Pass::Licm,
        Pass::Gvn,
        Pass::IndexRange,
        Pass::Idioms,
        Pass::IfConvert,
        Pass::Narrow,
        Pass::FillCopy,
        Pass::ForwardSlots,
        Pass::Reductions,
        Pass::Vectorize,
        Pass::Strength,
        Pass::Unroll,
        Pass::SpeculateLoads,
        Pass::ForwardStores,
    ];

    /// The name used by [`run_pass`], dumps and golden files.
    pub fn name(self) -> &'static str {
        match self {
            Pass::ConstFold => "constfold",
            Pass::Dce => "dce",
            Pass::SimplifyCfg => "simplify_cfg",
            Pass::Licm => "licm",
            Pass::Gvn => "gvn",
            Pass::IndexRange => "index_range",
            Pass::Idioms => "idioms",
            Pass::IfConvert => "if_convert",
            Pass::Narrow => "narrow",
            Pass::FillCopy => "fill_copy",
            Pass::ForwardSlots => "forward_slots",
            Pass::Reductions => "reductions",
            Pass::Vectorize => "vectorize",
            Pass::Strength => "strength",
            Pass::Unroll => "unroll",
            Pass::SpeculateLoads => "speculate_loads",
            Pass::ForwardStores => "forward_stores",
        }
    }

    pub fn from_name(name: &str) -> Option<Pass> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Runs the pass; returns true if it changed the function. Float reassociation is not
    /// allowed (as without `fastmath`).
    pub fn run(self, func: &mut Function) -> bool {
        self.run_with(func, false)
    }

    /// Runs the pass; `fastmath` allows the passes that reassociate float arithmetic to.
    pub fn run_with(self, func: &mut Function, fastmath: bool) -> bool {
        match self {
            Pass::ConstFold => constfold::run(func),
            Pass::Dce => dce::run(func),
            Pass::SimplifyCfg => simplify_cfg::run(func),
            Pass::Licm => licm::run(func),
            Pass::Gvn => gvn::run(func),
            Pass::IndexRange => index_range::run(func),
            Pass::Idioms => idioms::run(func),
            Pass::IfConvert => if_convert::run(func),
            Pass::Narrow => narrow::run(func),
            Pass::FillCopy => fill_copy::run(func),
            Pass::ForwardSlots => forward_slots::run(func),
            Pass::Reductions => reductions::run(func, fastmath),
            Pass::Vectorize => vectorize::run(func, fastmath),
            Pass::Strength => strength::run(func),
            Pass::Unroll => unroll::run(func),
            Pass::SpeculateLoads => speculate_loads::run(func),
            Pass::ForwardStores => forward_stores::run(func),
        }
    }
}

/// The passes [`PipelineOptions::default`] runs, in order.
pub const DEFAULT_PIPELINE: [Pass; 23] = [
    Pass::ForwardSlots,
    Pass::ConstFold,
    Pass::SimplifyCfg,
    Pass::Gvn,
    Pass::IndexRange,
    Pass::ConstFold,
    Pass::Licm,
    Pass::Gvn,
    Pass::SpeculateLoads,
    Pass::IfConvert,
    Pass::Idioms,
    Pass::Dce,
    Pass::SimplifyCfg,
    Pass::Unroll,
    Pass::ForwardStores,
    Pass::Narrow,
    Pass::Dce,
    Pass::FillCopy,
    Pass::Reductions,
    Pass::Vectorize,
    Pass::Strength,
    Pass::Dce,
    Pass::SimplifyCfg,
];

/// What [`run_pipeline`] does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelineOptions {
    /// The passes to run, in order (may repeat).
    pub passes: Vec<Pass>,
    /// Verify the input and the result of every pass (default: on in debug builds).
    pub verify: bool,
    /// `fastmath=True`: float additions may be reassociated (reductions with several
    /// accumulators).
    pub fastmath: bool,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            passes: DEFAULT_PIPELINE.to_vec(),
            verify: cfg!(debug_assertions),
            fastmath: false,
        }
    }
}

impl PipelineOptions {
    /// No optimisation: verification only (if `verify`).
    pub fn none(verify: bool) -> Self {
        PipelineOptions {
            passes: Vec::new(),
            verify,
            fastmath: false,
        }
    }
}

/// Runs `opts.passes` over `func` in order. `observer` sees the function first as `"input"`,
/// then after each pass under the pass's name. With `opts.verify`, a verifier failure stops the
/// pipeline; the error names the pass that produced the invalid IR (`"input"` if it came in so).
pub fn run_pipeline(
    func: &mut Function,
    opts: &PipelineOptions,
    observer: &mut dyn FnMut(&str, &Function),
) -> Result<(), VerifierError> {
    let verify = |func: &Function, pass: &str| {
        if !opts.verify {
            return Ok(());
        }
        verify_function(func).map_err(|mut e| {
            e.pass = Some(pass.to_string());
            e
        })
    };
    observer("input", func);
    verify(func, "input")?;
    for &pass in &opts.passes {
        pass.run_with(func, opts.fastmath);
        observer(pass.name(), func);
        verify(func, pass.name())?;
    }
    Ok(())
}

/// Runs one pass by name (golden tests, tools). Errors on an unknown name.
pub fn run_pass(name: &str, func: &mut Function) -> Result<(), String> {
    let pass = Pass::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Pass::ALL.iter().map(|p| p.name()).collect();
        format!("unknown pass `{name}` (known: {})", known.join(", "))
    })?;
    pass.run(func);
    Ok(())
}
