//! One distributed file, as bytes: its signature verified (valid now,
//! chaining to `response_ca`), its schema checked, its root one of the
//! documents the Register distributes, and the object `tulorekisteri parse`
//! prints, as that command prints it.

use std::fmt;
use tulorekisteri::signature::{self, SignatureError, VerifyOptions};
use tulorekisteri::{Options, Severity};

/// The roots of the documents the Register distributes to data users.
pub const DISTRIBUTED: [&str; 5] = [
    "WageReportsFromIR",
    "BenefitReportsFromIR",
    "PayerSummaryReportsFromIR",
    "WageReportSummaryFromIR",
    "LogDataFromIR",
];

/// A file turned into its object.
#[derive(Debug, Clone)]
pub struct Converted {
    /// Its root element.
    pub root: String,
    /// The object as `tulorekisteri parse` prints it (pretty, a final newline).
    pub json: String,
}

/// Why a file is refused (nothing is written of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// It has no signature.
    Unsigned,
    /// Its signature does not verify.
    BadSignature(String),
    /// It verifies, but its signer does not chain to `response_ca` or is
    /// not valid now.
    Untrusted(Vec<String>),
    /// It breaks its schema (how many errors).
    SchemaInvalid(usize),
    /// It is not a document the Register distributes (its root).
    NotDistributed(String),
    /// It cannot be parsed (the first problem's code and place).
    Unreadable(String),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Unsigned => write!(f, "it is not signed"),
            Refused::BadSignature(e) => write!(f, "its signature does not verify: {e}"),
            Refused::Untrusted(p) => write!(f, "its signer is not trusted ([trust] response_ca): {}", p.join("; ")),
            Refused::SchemaInvalid(n) => write!(f, "it does not match its schema ({n} error(s))"),
            Refused::NotDistributed(root) => write!(f, "{root} is not a document the Register distributes"),
            Refused::Unreadable(e) => write!(f, "it cannot be read: {e}"),
        }
    }
}

impl Refused {
    /// A short name of the reason, for logs and `fetched.json`.
    pub fn kind(&self) -> &'static str {
        match self {
            Refused::Unsigned => "unsigned",
            Refused::BadSignature(_) => "bad-signature",
            Refused::Untrusted(_) => "untrusted",
            Refused::SchemaInvalid(_) => "schema-invalid",
            Refused::NotDistributed(_) => "not-distributed",
            Refused::Unreadable(_) => "unreadable",
        }
    }
}

fn root_name(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).ok()?;
    Some(doc.root_element().tag_name().name().to_string())
}

/// Verifies and converts one file's bytes; `response_ca` are the trust
/// anchors (DER).
pub fn convert(bytes: &[u8], response_ca: &[Vec<u8>]) -> Result<Converted, Refused> {
    let verified = match signature::verify(bytes, &VerifyOptions::default().trust(response_ca.to_vec())) {
        Ok(v) => v,
        Err(SignatureError::Unsigned) => return Err(Refused::Unsigned),
        Err(e) => return Err(Refused::BadSignature(e.to_string())),
    };
    if !verified.trust.is_trusted() {
        return Err(Refused::Untrusted(verified.trust.problems));
    }
    let root = root_name(bytes).unwrap_or_default();
    if !DISTRIBUTED.contains(&root.as_str()) {
        return Err(Refused::NotDistributed(root));
    }
    let errors = tulorekisteri::validate_bytes(bytes, &Options::default().schema_only())
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors > 0 {
        return Err(Refused::SchemaInvalid(errors));
    }
    // The code and place only: a message may quote a personal identity code.
    let object = tulorekisteri::parse(bytes).map_err(|p| {
        Refused::Unreadable(
            p.first()
                .map(|d| format!("{} at {}", d.code.as_str(), d.path))
                .unwrap_or_default(),
        )
    })?;
    let mut json = serde_json::to_string_pretty(&object).map_err(|e| Refused::Unreadable(e.to_string()))?;
    json.push('\n');
    Ok(Converted { root, json })
}
