//! Where the tests find their files, whichever package of the workspace runs
//! them: the project's fixtures, and the official reference files in
//! `../shared/reference/ir` beside the workspace (the tests that need them
//! say they were skipped when it is absent, and fail in CI).

// Each test crate that includes this file uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The workspace root: the package's own folder for the core, the one above
/// it for `cli/`.
pub fn root() -> PathBuf {
    let is_root = |dir: &Path| std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]"));
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| is_root(dir))
        .expect("the package is in a workspace")
        .to_path_buf()
}

/// `tests/fixtures/NAME` of the workspace.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// The official reference files: schemas, samples.
pub fn reference_ir() -> PathBuf {
    root().join("../shared/reference/ir")
}

/// The official sample records, sorted by name (none when they are absent,
/// which [`skip`] reports).
pub fn samples() -> Vec<PathBuf> {
    let dir = reference_ir().join("samples");
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

/// The signer's certificate of a sample, as PEM.
pub fn signer_pem(text: &str) -> String {
    let b64 = text
        .split_once("<X509Certificate>")
        .unwrap()
        .1
        .split_once("</X509Certificate>")
        .unwrap()
        .0;
    let b64: String = b64.split_ascii_whitespace().collect();
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// A directory for a test's files, removed by the caller.
pub fn work_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tulorekisteri-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
