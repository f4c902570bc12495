//! The official sample records in `../shared/reference/ir/samples`, which
//! the tests read beside the project (none when the directory is absent,
//! which fails in CI).
#![allow(dead_code)] // each test crate uses a part of it

use std::path::{Path, PathBuf};

/// The samples, sorted by name.
pub fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/ir/samples");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(d) => d.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => {
            skip(&format!("{} is absent", dir.display()));
            vec![]
        }
    };
    files.sort();
    files
}

/// What a test needs is missing (the reference material, xmllint, xmlsec1,
/// openssl): on a developer's machine the test says so and skips; in CI
/// (`CI` set, as `.ci/run` runs) that is a failure, so a green run never
/// hides a check that did not run.
pub fn skip(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{what}: CI must run every check (bash scripts/test.sh installs the tools; ../shared must be beside the checkout)"
    );
    println!("skipped: {what}");
}
