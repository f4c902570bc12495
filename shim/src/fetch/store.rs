//! What was fetched already: `<out>/fetched.json`, written atomically,
//! a file named there only once its JSON is on disk. By the file's name in
//! the SFTP account's data folder: its SHA-256, its root, the JSON file and
//! when it was fetched.

use crate::simulator::files::write_atomic;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The tracking file's name in the output folder.
pub const FETCHED: &str = "fetched.json";

/// One file fetched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// SHA-256 of the file's bytes, in hex.
    pub sha256: String,
    /// Its root element.
    pub root: String,
    /// The JSON written, relative to the output folder.
    pub json: String,
    /// When (`xs:dateTime`, UTC).
    pub fetched_at: String,
}

/// `fetched.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fetched {
    /// By the file's name.
    #[serde(default)]
    pub files: BTreeMap<String, Entry>,
}

/// SHA-256 in hex.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The name of a data file as a file name of ours, if it can be one: a
/// plain name (no folder, not hidden) ending in `.xml`.
pub fn plain_name(name: &str) -> Option<&str> {
    let ok = name.ends_with(".xml")
        && name.len() > 4
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && name.len() <= 200;
    ok.then_some(name)
}

/// The JSON file of a data file: `<name without .xml>.json`.
pub fn json_name(name: &str) -> String {
    format!("{}.json", name.strip_suffix(".xml").unwrap_or(name))
}

/// Whether the JSON of the data file `name` would be the tracking file
/// itself (`fetched.xml`; any case, for case-insensitive file systems).
pub fn clashes_with_tracking(name: &str) -> bool {
    json_name(name).eq_ignore_ascii_case(FETCHED)
}

impl Fetched {
    /// Reads `<out>/fetched.json` (absent: nothing fetched yet).
    pub fn read(out: &Path) -> Result<Fetched, String> {
        let path = out.join(FETCHED);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                format!(
                    "{}: not what fetch writes ({e}); move it away to fetch everything again",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Fetched::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Whether the file `name` was fetched.
    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// Writes `json` as the JSON of `name` (atomically), then records it
    /// and writes `fetched.json` (atomically): the JSON file written.
    pub fn keep(
        &mut self,
        out: &Path,
        name: &str,
        bytes: &[u8],
        root: &str,
        json: &str,
        now: &str,
    ) -> Result<PathBuf, String> {
        if clashes_with_tracking(name) {
            return Err(format!("{name}: its JSON would overwrite {FETCHED}"));
        }
        let json_file = json_name(name);
        let path = out.join(&json_file);
        write_atomic(&path, json.as_bytes(), 0o600).map_err(|e| format!("{}: {e}", path.display()))?;
        self.files.insert(
            name.to_string(),
            Entry {
                sha256: sha256(bytes),
                root: root.to_string(),
                json: json_file,
                fetched_at: now.to_string(),
            },
        );
        let tracking = out.join(FETCHED);
        let text = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        if let Err(e) = write_atomic(&tracking, &text, 0o600) {
            // Not recorded: the next fetch fetches it again.
            self.files.remove(name);
            return Err(format!("{}: {e}", tracking.display()));
        }
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_xml_files() {
        assert_eq!(
            plain_name("abc-WageReportsFromIR.xml"),
            Some("abc-WageReportsFromIR.xml")
        );
        for bad in [
            "../x.xml",
            ".x.xml.123.tmp",
            ".hidden.xml",
            "a/b.xml",
            "x.xml.part",
            ".xml",
        ] {
            assert_eq!(plain_name(bad), None, "{bad}");
        }
        assert_eq!(json_name("abc-WageReportsFromIR.xml"), "abc-WageReportsFromIR.json");
    }

    #[test]
    fn what_is_kept_is_read_back() {
        let out = std::env::temp_dir().join(format!("fetch-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        let mut f = Fetched::read(&out).unwrap();
        assert!(!f.has("a.xml"));
        let path = f
            .keep(
                &out,
                "a.xml",
                b"<x/>",
                "LogDataFromIR",
                "{}\n",
                "2026-12-02T10:00:00.000Z",
            )
            .unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), "{}\n");
        let again = Fetched::read(&out).unwrap();
        assert_eq!(again, f);
        assert_eq!(again.files["a.xml"].sha256, sha256(b"<x/>"));
        std::fs::write(out.join(FETCHED), "not json").unwrap();
        assert!(Fetched::read(&out).unwrap_err().contains("fetched.json"));
        let _ = std::fs::remove_dir_all(&out);
    }

    #[test]
    fn a_data_file_named_fetched_xml_does_not_overwrite_the_tracking_file() {
        assert!(clashes_with_tracking("fetched.xml"));
        assert!(clashes_with_tracking("FETCHED.xml"));
        assert!(!clashes_with_tracking("a-fetched.xml"));
        let out = std::env::temp_dir().join(format!("fetch-store-clash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        let mut f = Fetched::read(&out).unwrap();
        f.keep(
            &out,
            "a.xml",
            b"<x/>",
            "LogDataFromIR",
            "{}\n",
            "2026-12-02T10:00:00.000Z",
        )
        .unwrap();
        let before = std::fs::read(out.join(FETCHED)).unwrap();
        let err = f
            .keep(
                &out,
                "fetched.xml",
                b"<y/>",
                "LogDataFromIR",
                "[]\n",
                "2026-12-02T10:00:01.000Z",
            )
            .unwrap_err();
        assert!(err.contains("fetched.json"), "{err}");
        assert!(!f.has("fetched.xml"));
        assert_eq!(std::fs::read(out.join(FETCHED)).unwrap(), before);
        let _ = std::fs::remove_dir_all(&out);
    }
}
