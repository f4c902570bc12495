//! Verdict parity with libxml2: thousands of generated documents, valid and
//! mutated, each checked by `tulorekisteri validate --schema-only` and by
//! `xmllint --noout --schema <official xsd>`. They must agree on valid or
//! invalid for every document, except the listed cases where libxml2 departs
//! from the XSD 1.0 / XML 1.0 specifications (the specification wins) or
//! where we refuse something on purpose.

#[path = "../../tests/corpus/mod.rs"]
mod corpus;
#[path = "../../tests/support/workspace.rs"]
mod workspace;

use corpus::mutate::{mutate, Exception};
use corpus::{document, Mode, Rng};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use tulorekisteri::schema::{ELEMENTS, ROOTS};

struct Case {
    file: String,
    bytes: Vec<u8>,
    schema_file: &'static str,
    kind: String,
    exception: Option<Exception>,
}

fn corpus() -> Vec<Case> {
    let mut rng = Rng::new(20_221_001);
    let mut cases = vec![];
    let per_root_invalid = 2000 / ROOTS.len() + 1;
    for (r, root) in ROOTS.iter().enumerate() {
        let root_name = ELEMENTS[root.element as usize].name;
        let mut bases = vec![document(r, Mode::Minimal, &mut rng)];
        for _ in 0..6 {
            bases.push(document(r, Mode::Random, &mut rng));
        }
        for (i, (doc, _)) in bases.iter().enumerate() {
            cases.push(Case {
                file: format!("{root_name}-valid-{i}.xml"),
                bytes: doc.clone().into_bytes(),
                schema_file: root.schema_file,
                kind: "valid".into(),
                exception: None,
            });
        }
        for i in 0..per_root_invalid {
            let (doc, slots) = &bases[1 + i % (bases.len() - 1)];
            let (bytes, kind, exception) = mutate(doc, slots, &mut rng);
            cases.push(Case {
                file: format!("{root_name}-mut-{i}.xml"),
                bytes,
                schema_file: root.schema_file,
                kind,
                exception,
            });
        }
    }
    cases
}

fn schema_dir() -> PathBuf {
    workspace::reference_ir().join("schema")
}

fn have_xmllint() -> bool {
    Command::new("xmllint").arg("--version").output().is_ok()
}

/// Files our CLI reports any problem for.
fn ours(dir: &Path, files: &[&str]) -> HashSet<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_tulorekisteri"))
        .arg("validate")
        .arg("--schema-only")
        .arg("--format")
        .arg("json")
        .args(files)
        .current_dir(dir)
        .output()
        .expect("run tulorekisteri");
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect()
}

/// Files xmllint says validate.
fn xmllint_valid(dir: &Path, schema: &Path, files: &[&str]) -> HashSet<String> {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .args(files)
        .current_dir(dir)
        .output()
        .expect("run xmllint");
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .lines()
        .filter_map(|l| l.strip_suffix(" validates"))
        .map(String::from)
        .collect()
}

#[test]
fn verdicts_agree_with_libxml2() {
    if !schema_dir().is_dir() {
        workspace::skip(&format!("{} is absent", schema_dir().display()));
        return;
    }
    if !have_xmllint() {
        workspace::skip("xmllint is not installed (apt-get install libxml2-utils)");
        return;
    }
    let cases = corpus();
    assert!(cases.len() >= 2000, "only {} documents", cases.len());
    let dir = std::env::temp_dir().join(format!("tulorekisteri-parity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for c in &cases {
        std::fs::write(dir.join(&c.file), &c.bytes).unwrap();
    }
    let names: Vec<&str> = cases.iter().map(|c| c.file.as_str()).collect();
    let rejected = ours(&dir, &names);
    let mut by_schema: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in &cases {
        by_schema.entry(c.schema_file).or_default().push(&c.file);
    }
    let mut lint_valid = HashSet::new();
    for (schema, files) in &by_schema {
        lint_valid.extend(xmllint_valid(&dir, &schema_dir().join(schema), files));
    }
    let (mut agree, mut invalid, mut exceptions) = (0, 0, BTreeMap::new());
    let mut mismatches = vec![];
    for c in &cases {
        let we_accept = !rejected.contains(&c.file);
        let lint_accepts = lint_valid.contains(&c.file);
        invalid += !lint_accepts as usize;
        match c.exception {
            Some(e) if lint_accepts != we_accept || e.we_accept() != we_accept => {
                if e.we_accept() != we_accept {
                    mismatches.push(format!(
                        "{} ({}, {e:?}): we say valid={we_accept}, the specification says {}",
                        c.file,
                        c.kind,
                        e.we_accept()
                    ));
                } else {
                    *exceptions.entry(format!("{e:?}")).or_insert(0) += 1;
                }
            }
            _ if lint_accepts == we_accept => agree += 1,
            _ => mismatches.push(format!(
                "{} ({}): we say valid={we_accept}, xmllint valid={lint_accepts}",
                c.file, c.kind
            )),
        }
        if c.kind == "valid" {
            assert!(
                we_accept && lint_accepts,
                "generated document {} should be valid (ours {we_accept}, xmllint {lint_accepts})",
                c.file
            );
        }
    }
    println!(
        "{} documents: {agree} agree, {invalid} invalid per xmllint, known disagreements {exceptions:?}",
        cases.len()
    );
    if mismatches.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("documents kept in {}", dir.display());
    }
    assert!(
        mismatches.is_empty(),
        "{} disagreements:\n{}",
        mismatches.len(),
        mismatches.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(
        invalid > cases.len() / 2,
        "the mutations should make most documents invalid ({invalid})"
    );
}
