//! Any bytes: the validator must return (no panic, no hang), report at least
//! one problem for input that is not a valid record, and give positions that
//! lie inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tulorekisteri::{validate_bytes, Options};

fuzz_target!(|data: &[u8]| {
    let problems = validate_bytes(data, &Options::default());
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for p in &problems {
        assert!(p.line >= 1 && p.line <= lines, "line {} of {lines}", p.line);
        assert!(p.column >= 1);
        assert!(!p.message.is_empty());
    }
});
