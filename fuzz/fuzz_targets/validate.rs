//! Any bytes: the validator, with the Register's rules on, must return (no
//! panic, no hang), and give positions that lie inside the input; a
//! document that parses must build back to a record that parses to the same
//! object; canonicalisation and signature verification must return, and
//! canonicalisation must refuse exactly what the validator finds not
//! well-formed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tulorekisteri::rules::{Date, RuleOptions};
use tulorekisteri::signature::{verify, VerifyOptions};
use tulorekisteri::c14n::{canonicalize, Comments, Method, Selection};
use tulorekisteri::{build, parse, validate_bytes, Code, Options};

fuzz_target!(|data: &[u8]| {
    let options = Options::default().rules(RuleOptions::default().today(Date::new(2024, 1, 31).expect("a date")));
    let problems = validate_bytes(data, &options);
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for p in &problems {
        assert!(p.line >= 1 && p.line <= lines, "line {} of {lines}", p.line);
        assert!(p.column >= 1);
        assert!(!p.message.is_empty());
    }
    for method in [Method::Exclusive, Method::Inclusive] {
        let canonical = canonicalize(data, method, Selection::WithoutEnvelopedSignature, Comments::Keep);
        // The canonicaliser refuses exactly what the validator finds not
        // well-formed, short of the validator's own limits.
        let limited = problems.iter().any(|p| matches!(p.code, Code::XmlDepth | Code::XmlTooLarge));
        if !limited {
            assert_eq!(
                canonical.is_ok(),
                !problems.iter().any(|p| p.code.is_well_formedness()),
                "{canonical:?}"
            );
        }
    }
    let _ = verify(data, &VerifyOptions::default());
    if let Ok(object) = parse(data) {
        let xml = build(&object).expect("a parsed record builds");
        assert_eq!(parse(xml.as_bytes()).ok(), Some(object));
    }
});
