//! The signature grammar, checked against `tests/data/signatures.txt`.
//!
//! Each line is `"signature text" => parsed signature` or `=> error LINE:COL-LINE:COL: message`.

use crate::common;

use typeinfer::parse_signature;

fn render(input: &str) -> String {
    let text = input
        .trim()
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'));
    let Some(text) = text else {
        return "bad test line: quote the signature".to_string();
    };
    match parse_signature(text) {
        Ok(signature) => signature.to_string(),
        Err(d) => {
            let kind_ok = d.kind == frontend::DiagnosticKind::Signature;
            let span = d.span.map_or("?".to_string(), |s| {
                format!("{}:{}-{}:{}", s.line, s.col, s.end_line, s.end_col)
            });
            format!(
                "error{} {span}: {}",
                if kind_ok { "" } else { " (wrong kind)" },
                d.message
            )
        }
    }
}

#[test]
fn signatures() {
    common::check_table("data/signatures.txt", render);
}

#[test]
fn parse_signatures_stops_at_the_first_error() {
    let parsed = typeinfer::parse_signatures(&["f8(f8)", "f4(f4)"]).map(|s| s.len());
    assert_eq!(parsed, Ok(2));
    let error = typeinfer::parse_signatures(&["f8(f8)", "f4(f5)"]).unwrap_err();
    assert_eq!(error.message, "unknown type name 'f5'");
    let rendered = error.rendered.unwrap_or_default();
    assert!(
        rendered.contains("f4(f5)\n       ^^"),
        "caret under the bad name:\n{rendered}"
    );
}

/// Random strings over the grammar's alphabet never panic, and errors point inside the text.
#[test]
fn random_signatures_never_panic() {
    const PIECES: &[&str] = &[
        "f8", "i4", "void", "UniTuple", "Tuple", "array", "(", ")", "[", "]", ",", ":", "::1", "1",
        "2d", "C", " ", "x", "é", "$", "", "u8", "b1", "c16",
    ];
    let mut rng = common::Rng::new(0x5eed);
    for _ in 0..20_000 {
        let len = rng.below(12);
        let text: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        if let Err(d) = parse_signature(&text) {
            let span = d.span.expect("signature errors have a span");
            let chars = text.chars().count() as u32;
            assert!(
                span.line == 1 && span.col >= 1 && span.col <= chars + 1,
                "{text:?}: {span:?}"
            );
        }
    }
}
