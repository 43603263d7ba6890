//! The argument-slot layout and the conversion table are stated once; every encoder agrees.
//!
//! - The layout (`ir::lower::flatten`: `slot_count`, `SlotEncoding`) against what the header of
//!   a `ferrojit build` library documents slot by slot, and what the Rust embedding API writes,
//!   compiled code decodes and returns, and the API reads back (values at the edges of every
//!   width, through compiled identity functions).
//! - The conversion table (`typeinfer::conversion`) against typing's `can_convert`.

use ferrojit::embed::Complex;
use ferrojit::{Jit, Scalar, SlotEncoding, Type, slot_count};

const IDENTITY: &str = "def identity(x):\n    return x\n\n\ndef pair(x, y):\n    return x, y\n";

/// Argument types every encoder must lay out alike.
const SIGNATURES: &[&str] = &[
    "b1",
    "i1",
    "u2",
    "i4",
    "u8",
    "f4",
    "f8",
    "c8",
    "c16",
    "f8[:]",
    "f4[:, ::1]",
    "Tuple(i1, f8)",
    "Tuple(c8, Tuple(b1, u4), f8[:])",
    "UniTuple(c16, 3)",
];

fn ty(text: &str) -> Type {
    ferrojit::parse_signature(&format!("({text},)"))
        .expect("test type parses")
        .args
        .remove(0)
}

#[test]
fn the_library_header_documents_the_shared_layout() {
    let module = ferrojit::aot::ScannedModule::scan("identity.py", IDENTITY);
    let table = ferrojit::aot::ModuleTable::new(module, ferrojit::Options::default());
    for text in SIGNATURES {
        let t = ty(text);
        let request = ferrojit::aot::ExportRequest {
            function: "identity".into(),
            signatures: vec![format!("{text}({text})")],
        };
        let compiled = ferrojit::aot::compile_exports(
            &table,
            &[request],
            "identity",
            ferrojit::aot::CpuFeatures::Generic,
        )
        .unwrap_or_else(|e| panic!("{text}: {e}"));
        // The header lists one line per slot, numbered as the shared layout counts them.
        let header = ferrojit::aot::cgen::header("identity", &compiled);
        let documented = header.matches(" *     [").count();
        assert_eq!(
            documented,
            2 * slot_count(&t),
            "{text}: header slots\n{header}"
        );
        let variant = &compiled[0].variants[0];
        assert_eq!(variant.arg_types.len(), 1);
        assert_eq!(
            ferrojit::aot::cgen::slot_count(&variant.arg_types[0]),
            slot_count(&t),
            "{text}"
        );
    }
}

#[test]
fn the_embedding_api_round_trips_every_width_through_compiled_code() {
    let module = Jit::new().module(IDENTITY);
    macro_rules! round_trip {
        ($t:ty, $sig:literal, $($v:expr),+) => {{
            let f = module.get::<($t,), $t>("identity", $sig).unwrap();
            for v in [$($v),+] {
                assert_eq!(f.call((v,)).unwrap(), v, "{} {:?}", $sig, v);
            }
        }};
    }
    round_trip!(bool, "b1(b1)", true, false);
    round_trip!(i8, "i1(i1)", i8::MIN, -1, i8::MAX);
    round_trip!(u8, "u1(u1)", u8::MAX, 0, 128);
    round_trip!(i16, "i2(i2)", i16::MIN, -1);
    round_trip!(u16, "u2(u2)", u16::MAX, 1);
    round_trip!(i32, "i4(i4)", i32::MIN, -7);
    round_trip!(u32, "u4(u4)", u32::MAX, 3);
    round_trip!(i64, "i8(i8)", i64::MIN, i64::MAX);
    round_trip!(u64, "u8(u8)", u64::MAX, 0);
    round_trip!(f32, "f4(f4)", -1.5f32, f32::MAX);
    round_trip!(f64, "f8(f8)", -0.0f64, 1e300);
    round_trip!(Complex<f32>, "c8(c8)", Complex::new(1.5f32, -2.0));
    round_trip!(Complex<f64>, "c16(c16)", Complex::new(-1e-300, 7.0));
    let pair = module
        .get::<(i8, f64), (i8, f64)>("pair", "Tuple(i1, f8)(i1, f8)")
        .unwrap();
    assert_eq!(pair.call((-128, 2.5)).unwrap(), (-128, 2.5));
}

#[test]
fn slot_encodings_extend_as_the_entry_abi_says() {
    for s in Scalar::ALL {
        let e = SlotEncoding::of(s);
        match s {
            Scalar::I8 | Scalar::I16 | Scalar::I32 | Scalar::I64 => {
                assert_eq!(e.integer(u64::MAX), u64::MAX, "{s}: -1 sign-extends")
            }
            Scalar::U8 | Scalar::U16 | Scalar::U32 => {
                assert!(e.integer(u64::MAX) < u64::MAX, "{s}: zero-extends")
            }
            _ => {}
        }
    }
}

#[test]
fn typing_converts_exactly_what_the_conversion_table_allows() {
    use typeinfer::Conversion;
    for from in Scalar::ALL {
        for to in Scalar::ALL {
            let (from, to) = (Type::Scalar(from), Type::Scalar(to));
            let ranked: Option<Conversion> = typeinfer::conversion::conversion(&from, &to);
            assert_eq!(
                typeinfer::rules::can_convert(&from, &to),
                ranked.is_some(),
                "{from} -> {to}"
            );
        }
    }
    for (a, b) in [
        ("f8[::1]", "f8[:]"),
        ("f8[:]", "f8[::1]"),
        ("Tuple(i8, f4)", "UniTuple(f8, 2)"),
    ] {
        let (a, b) = (ty(a), ty(b));
        assert_eq!(
            typeinfer::rules::can_convert(&a, &b),
            typeinfer::conversion::conversion(&a, &b).is_some(),
            "{a} -> {b}"
        );
    }
}
