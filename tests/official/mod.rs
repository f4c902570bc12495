//! The official sample records in `../shared/reference/ir/samples`, which
//! the tests read beside the project (none when the directory is absent).

use std::path::{Path, PathBuf};

/// The samples, sorted by name.
pub fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/ir/samples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
}
