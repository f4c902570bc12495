//! Any bytes: the validator, with the Register's rules on, must return (no
//! panic, no hang), and give positions that lie inside the input; a
//! document that parses must build back to a record that parses to the same
//! object; canonicalisation and signature verification must return.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tulorekisteri::rules::{Date, RuleOptions};
use tulorekisteri::signature::{verify, VerifyOptions};
use tulorekisteri::xml::c14n::{canonicalize, Comments, Method, Selection};
use tulorekisteri::{build, parse, validate_bytes, Options};

fuzz_target!(|data: &[u8]| {
    let options = Options {
        rules: Some(RuleOptions::new(Date::new(2024, 1, 31).expect("a date"))),
        ..Options::default()
    };
    let problems = validate_bytes(data, &options);
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for p in &problems {
        assert!(p.line >= 1 && p.line <= lines, "line {} of {lines}", p.line);
        assert!(p.column >= 1);
        assert!(!p.message.is_empty());
    }
    for method in [Method::Exclusive, Method::Inclusive] {
        let _ = canonicalize(data, method, Selection::WithoutEnvelopedSignature, Comments::Keep);
    }
    let _ = verify(data, &VerifyOptions::default());
    if let Ok(object) = parse(data) {
        let xml = build(&object).expect("a parsed record builds");
        assert_eq!(parse(xml.as_bytes()).ok(), Some(object));
    }
});
