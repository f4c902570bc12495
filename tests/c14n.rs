//! Exclusive and inclusive canonicalisation (with comments, as xmllint writes
//! them), byte for byte against `xmllint --exc-c14n` and `xmllint --c14n`
//! on the generated corpus of the validator, the official samples, the
//! fixtures and documents written to stress their rules; and the enveloped
//! form of each official sample digests to the DigestValue it carries.

// The digests use sha2, a native-only dependency.
#![cfg(not(target_arch = "wasm32"))]

mod corpus;

use corpus::mutate::{mutate, Exception};
use corpus::{document, Mode, Rng};
use sha2::{Digest, Sha256};
#[path = "support/workspace.rs"]
mod workspace;

use std::path::{Path, PathBuf};
use std::process::Command;
use tulorekisteri::c14n::{canonicalize, Comments, Method, Selection};
use tulorekisteri::schema::{ELEMENTS, ROOTS};
use tulorekisteri::{validate_bytes, Code, Options};
use workspace::samples;

/// A fresh directory for documents to hand to xmllint, or None (and a
/// note) when xmllint is not installed.
fn scratch_dir(tag: &str) -> Option<PathBuf> {
    if Command::new("xmllint").arg("--version").output().is_err() {
        workspace::skip("xmllint is not installed (apt-get install libxml2-utils)");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("tulorekisteri-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Some(dir)
}

/// xmllint's canonical form, or None when it refuses the document.
fn try_xmllint_c14n(method: Method, path: &Path) -> Option<Vec<u8>> {
    let option = if method == Method::Exclusive {
        "--exc-c14n"
    } else {
        "--c14n"
    };
    let out = Command::new("xmllint")
        .arg(option)
        .arg(path)
        .output()
        .expect("run xmllint");
    out.status.success().then_some(out.stdout)
}

fn xmllint_c14n(method: Method, path: &Path) -> Vec<u8> {
    try_xmllint_c14n(method, path).unwrap_or_else(|| panic!("xmllint failed on {}", path.display()))
}

/// Documents that exercise each rule of the canonical form.
const STRESS: &[&str] = &[
    // Declarations used by attributes only, unused ones, redeclared ones,
    // and attributes sorted by namespace URI before local name.
    "<?xml version='1.0'?>\n<a xmlns='urn:d' xmlns:z='urn:a' xmlns:b='urn:b' xmlns:u='urn:unused' z:y='1' b:x='2' c='3' a='4'><b:c xmlns:b='urn:b'/><c xmlns='urn:d' z:q='5'/></a>",
    // The default namespace set, changed and undone.
    "<a xmlns='urn:1'><b xmlns='urn:2'><c xmlns=''><d/></c></b><e xmlns=''/></a>",
    "<p:a xmlns:p='urn:p'><b xmlns=''/><p:c xmlns:p='urn:q'><p:d xmlns:p='urn:p'/></p:c></p:a>",
    // xml: attributes are not inherited and need no declaration.
    "<a xml:lang='fi'><b xml:space='preserve'> x </b></a>",
    // Text: references, CDATA, characters to escape, carriage returns.
    "<a>&lt;&amp;&gt;&#xD;&#13;&#9;\"'<![CDATA[<&>]]]]><![CDATA[>]]>\r\nx\ry</a>",
    // Attribute values: normalised whitespace, escaped tab, line ends and quotes.
    "<a b='x\ty\nz' c='&#9;&#10;&#13;&quot;&lt;&amp;&gt;' d=\"'\"/>",
    // Comments, processing instructions and space outside and inside the root.
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- before -->\n<?pi  some data ?>\n\n<a><!-- in --><?pi?><?q data?></a>\n<!-- after --><?after x?>\n",
    // Empty elements, non-ASCII text and names.
    "<ä ö='å'><b/><c></c>€ 𝄞</ä>",
    // An enveloped signature shape, with a default namespace of its own.
    "<r:Root xmlns:r='urn:r'><A>1</A><Signature xmlns='http://www.w3.org/2000/09/xmldsig#'><SignedInfo><Reference URI=''/></SignedInfo></Signature></r:Root>",
];

#[test]
fn canonical_form_matches_xmllint() {
    let Some(dir) = scratch_dir("c14n") else { return };
    let mut docs: Vec<(String, Vec<u8>)> = vec![];
    for (i, d) in STRESS.iter().enumerate() {
        docs.push((format!("stress-{i}.xml"), d.as_bytes().to_vec()));
    }
    for p in samples() {
        docs.push((
            p.file_name().unwrap().to_string_lossy().into(),
            std::fs::read(&p).unwrap(),
        ));
    }
    for f in ["wage-report.xml", "wage-report-broken.xml"] {
        docs.push((f.into(), std::fs::read(workspace::fixture(f)).unwrap()));
    }
    let mut rng = Rng::new(20_261_130);
    for (r, root) in ROOTS.iter().enumerate() {
        let name = ELEMENTS[root.element as usize].name;
        docs.push((
            format!("{name}-min.xml"),
            document(r, Mode::Minimal, &mut rng).0.into_bytes(),
        ));
        for i in 0..4 {
            docs.push((
                format!("{name}-{i}.xml"),
                document(r, Mode::Random, &mut rng).0.into_bytes(),
            ));
        }
    }
    let mut differ = vec![];
    for (name, bytes) in &docs {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        for method in [Method::Exclusive, Method::Inclusive] {
            let theirs = xmllint_c14n(method, &path);
            let ours = canonicalize(&bytes[..], method, Selection::Document, Comments::Keep)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            if ours != theirs {
                differ.push(format!(
                    "{name} ({method:?}):\n  ours:    {}\n  xmllint: {}",
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs)
                ));
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        differ.is_empty(),
        "{} of {} differ:\n{}",
        differ.len(),
        2 * docs.len(),
        differ.join("\n")
    );
    assert!(docs.len() > 100, "only {} documents", docs.len());
}

/// The mutated documents of the parity test, well-formed or not: where
/// xmllint canonicalises one, ours is byte for byte the same; where xmllint
/// refuses one, so do we. We also refuse, on purpose, a DOCTYPE, an encoding
/// other than UTF-8, an undeclared prefix and `xmlns:p=""`; libxml2 alone
/// refuses more than 256 levels of nesting.
#[test]
fn canonical_form_of_mutated_documents_matches_xmllint() {
    let Some(dir) = scratch_dir("c14n-mut") else { return };
    let mut rng = Rng::new(20_261_201);
    let (mut compared, mut refused_by_both, mut on_purpose_or_depth, mut differ) = (0, 0, 0, vec![]);
    for (r, root) in ROOTS.iter().enumerate() {
        let name = ELEMENTS[root.element as usize].name;
        let (doc, slots) = document(r, Mode::Random, &mut rng);
        for i in 0..20 {
            let (bytes, kind, exception) = mutate(&doc, &slots, &mut rng);
            let path = dir.join(format!("{name}-{i}.xml"));
            std::fs::write(&path, &bytes).unwrap();
            // The validator finds not well-formed exactly what we refuse.
            let problems = validate_bytes(&bytes, &Options::default().schema_only());
            let well_formed = !problems.iter().any(|p| p.code.is_well_formedness());
            let limited = problems.iter().any(|p| p.code == Code::XmlDepth);
            for method in [Method::Exclusive, Method::Inclusive] {
                let theirs = try_xmllint_c14n(method, &path);
                let ours = canonicalize(&bytes[..], method, Selection::Document, Comments::Keep);
                assert!(limited || ours.is_ok() == well_formed, "{name}-{i} {kind}: {ours:?}");
                // libxml2 only warns about an undeclared prefix; C14N's data
                // model needs namespace-well-formed input.
                let on_purpose = matches!(
                    exception,
                    Some(Exception::Doctype | Exception::Encoding | Exception::PrefixUndeclaring)
                ) || kind == "insert <q:Foo/>";
                match (theirs, ours) {
                    (Some(t), Ok(o)) if t == o => compared += 1,
                    (None, Err(_)) => refused_by_both += 1,
                    (Some(_), Err(_)) if on_purpose => on_purpose_or_depth += 1,
                    // libxml2 refuses more than 256 levels of nesting by default.
                    (None, Ok(_)) if kind == "nesting 300" => on_purpose_or_depth += 1,
                    (t, o) => differ.push(format!(
                        "{name}-{i} {kind} ({method:?}):\n  ours:    {}\n  xmllint: {}",
                        o.map_or_else(
                            |e| format!("refused: {e}"),
                            |o| String::from_utf8_lossy(&o).into_owned()
                        ),
                        t.map_or_else(|| "refused".into(), |t| String::from_utf8_lossy(&t).into_owned()),
                    )),
                }
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    println!(
        "{compared} canonical forms equal, {refused_by_both} refused by both, {on_purpose_or_depth} known differences"
    );
    assert!(differ.is_empty(), "{} differ:\n{}", differ.len(), differ.join("\n"));
    // Both outcomes must be well represented for the comparison to mean much.
    assert!(
        compared > 300 && refused_by_both > 50,
        "{compared} compared, {refused_by_both} refused"
    );
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn every_sample_digests_to_its_digest_value() {
    let files = samples();
    if files.is_empty() {
        workspace::skip("../shared/reference/ir/samples is absent");
        return;
    }
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        let expected = text
            .split_once("<DigestValue>")
            .and_then(|(_, rest)| rest.split_once("</DigestValue>"))
            .map(|(v, _)| v.trim().to_string())
            .unwrap();
        // The samples' reference has the enveloped-signature transform only,
        // so XML-DSig digests the inclusive canonical form.
        let enveloped = |text: &str| {
            canonicalize(
                text.as_bytes(),
                Method::Inclusive,
                Selection::WithoutEnvelopedSignature,
                Comments::Omit,
            )
            .unwrap()
        };
        let canonical = enveloped(&text);
        assert_eq!(base64(&Sha256::digest(&canonical)), expected, "{}", p.display());
        // One changed character of the signed content changes the digest.
        let changed = text.replacen("<ReportId>", "<ReportId>X", 1);
        assert_ne!(
            base64(&Sha256::digest(enveloped(&changed))),
            expected,
            "{}",
            p.display()
        );
    }
}

#[test]
fn signed_info_is_canonicalised_with_the_namespaces_it_uses() {
    let xml = "<r:Root xmlns:r='urn:r'><A/><Signature xmlns='http://www.w3.org/2000/09/xmldsig#'><SignedInfo><CanonicalizationMethod Algorithm='x'/></SignedInfo><SignatureValue>v</SignatureValue></Signature></r:Root>";
    let out = canonicalize(
        xml.as_bytes(),
        Method::Exclusive,
        Selection::SignatureElement("SignedInfo"),
        Comments::Omit,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "<SignedInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><CanonicalizationMethod Algorithm=\"x\"></CanonicalizationMethod></SignedInfo>"
    );
    let out = canonicalize(
        xml.as_bytes(),
        Method::Exclusive,
        Selection::WithoutEnvelopedSignature,
        Comments::Omit,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "<r:Root xmlns:r=\"urn:r\"><A></A></r:Root>"
    );
}

#[test]
fn bad_documents_get_a_located_error() {
    for (xml, message) in [
        ("<a><b></a>", "</a> closes <b>"),
        ("<a>", "ends inside an element"),
        ("<p:a/>", "prefix of <p:a> is not declared"),
        ("<a p:b='1'/>", "prefix of attribute p:b"),
        ("<!DOCTYPE a><a/>", "DOCTYPE"),
        ("", "no root element"),
    ] {
        let e = canonicalize(xml.as_bytes(), Method::Exclusive, Selection::Document, Comments::Omit).unwrap_err();
        assert!(e.message.contains(message), "{xml}: {e}");
        assert!(e.line >= 1, "{xml}: {e}");
    }
}

/// The XML declaration may only open the document (XML 1.0 §2.8): after a
/// comment, a processing instruction or whitespace, even behind a byte order
/// mark, `<?xml` is a reserved processing instruction. In every root, signed
/// or not, the validator (schema alone or with the rules) reports
/// `xml-syntax` at the declaration and nothing else, and the canonicaliser
/// refuses the document at the same place.
#[test]
fn a_declaration_after_anything_is_refused_in_every_root() {
    let mut rng = Rng::new(13);
    let prefixes = [
        ("<!-- first -->", 1, 15),
        ("<?pi first?>", 1, 13),
        (" ", 1, 2),
        ("\n\n", 3, 1),
        ("\u{FEFF} ", 1, 2),
        ("\u{FEFF}<!---->", 1, 8),
    ];
    let with_rules = Options::default().rules(
        tulorekisteri::rules::RuleOptions::default().today(tulorekisteri::rules::Date::parse("2022-01-01").unwrap()),
    );
    let unsigned = Options::default().schema_only().unsigned(true);
    let schema_only = Options::default().schema_only();
    let mut signed_roots = 0;
    for (r, root) in ROOTS.iter().enumerate() {
        let name = ELEMENTS[root.element as usize].name;
        let (doc, _) = document(r, Mode::Minimal, &mut rng);
        let mut variants = vec![(doc.clone(), &with_rules), (doc.clone(), &schema_only)];
        if let (Some(a), Some(z)) = (doc.find("<ds:Signature"), doc.find("</ds:Signature>")) {
            signed_roots += 1;
            let bare = format!("{}{}", &doc[..a], &doc[z + "</ds:Signature>".len()..]);
            variants.push((bare, &unsigned));
        }
        for (doc, options) in &variants {
            // (Generated values do not keep the Register's rules.)
            let schema_valid = options.rules.is_some() || validate_bytes(doc.as_bytes(), options).is_empty();
            assert!(schema_valid, "{name} should be valid");
            for (prefix, line, column) in prefixes {
                let xml = format!("{prefix}{doc}");
                let problems = validate_bytes(xml.as_bytes(), options);
                let at: Vec<_> = problems.iter().map(|p| (p.code, p.line, p.column)).collect();
                assert_eq!(
                    at,
                    [(Code::XmlSyntax, line, column)],
                    "{name} after {prefix:?}: {problems:?}"
                );
                for method in [Method::Exclusive, Method::Inclusive] {
                    let e = canonicalize(xml.as_bytes(), method, Selection::Document, Comments::Omit).unwrap_err();
                    assert_eq!((e.line, e.column), (line, column), "{name} after {prefix:?}: {e}");
                }
            }
        }
    }
    assert!(signed_roots > 10, "only {signed_roots} roots carry a signature");
}
