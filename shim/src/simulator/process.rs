//! Processing one request as the Register's documents say (TR §10, §12;
//! NOTES §3-§6) in two steps. `check`, which needs nothing held and so runs
//! beside other requests: the message level every operation shares (the
//! record is the operation's, its signature verifies and chains to the
//! organisations' CA, its certificate is the TLS client certificate and the
//! one for the operation's purpose, its signer is DeliveryDataCreator), the
//! schema and rules, and reading the record. Then `decide`, one request at
//! a time, against what is held: a record (`records`), a
//! status query (`status`), a query (`queries`) or the Echo. It changes
//! nothing itself: it says what would change, and the caller applies that
//! once it is on disk.

use super::answers;
use super::inspect::Record;
use super::queries;
use super::records::{self, Incoming};
use super::status::status;
use super::store::{Change, ErrorInfo, State};
use crate::operation::{self, Kind, Operation, Purpose};
use serde_json::Value;
use tulorekisteri::signature::{verify, VerifyOptions};
use tulorekisteri::{Diagnostic, Options, Severity};

/// What the message level checks a record against.
pub struct Trust<'a> {
    /// The organisations' CA (DER): record signatures must chain to it.
    pub org_ca: &'a [Vec<u8>],
    /// The organisation's certificates (DER) by purpose.
    pub purposes: &'a [(Vec<u8>, Purpose)],
    /// Whether a certificate (DER) is refused although it chains to the CA
    /// (replaced by a renewal).
    pub refused: &'a dyn Fn(&[u8]) -> bool,
}

/// What deciding needs besides the request and the state.
pub struct Context {
    /// How long a deferred record stays in processing.
    pub processing_seconds: f64,
    /// The `status-lag` fault, in seconds.
    pub status_lag: f64,
    /// Now, in Unix seconds.
    pub now: f64,
}

/// The result of one request.
pub enum Outcome {
    /// Refused as it is, nothing stored: a `soap:Client` fault.
    Refused(String),
    /// An answer to build and sign.
    Answer {
        /// The answer, as the object `build` takes.
        answer: Value,
        /// The request's header (for the `wrong-response` fault).
        request: Value,
        /// What happened, for the log line.
        summary: String,
        /// What it changes in the state (applied once it is on disk).
        change: Box<Change>,
    },
}

/// A request that passed the message level (and, for the operations that
/// need it, the schema), read.
pub struct Checked<'a> {
    op: &'a Operation,
    rec: Record<'a>,
    problems: Vec<Diagnostic>,
    environment_error: Option<ErrorInfo>,
    request: Value,
    /// A record of reports or items, read as far as it can be without what
    /// is held.
    incoming: Option<Incoming>,
    /// A query, parsed.
    query: Option<Value>,
}

/// The request's DeliveryId, for the log line (never anything personal).
pub fn delivery_id_of(record: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(record).ok()?;
    Record::parse(text).ok()?.field(&["DeliveryId"])
}

fn refused(m: impl Into<String>) -> Outcome {
    Outcome::Refused(m.into())
}

/// The DeliveryId of the record in a SOAP envelope, for the log line.
pub fn delivery_id_of_envelope(message: &[u8]) -> Option<String> {
    match crate::soap::read(message) {
        Ok(crate::soap::Body::Record(r)) => delivery_id_of(r),
        _ => None,
    }
}

/// The CN of an RFC 4514 subject (`CN=1234567-1,O=...,C=FI`).
pub fn common_name(subject: &str) -> Option<String> {
    let mut parts = vec![];
    let mut current = String::new();
    let mut escaped = false;
    for c in subject.chars() {
        match c {
            _ if escaped => {
                current.push(c);
                escaped = false;
            }
            '\\' => escaped = true,
            ',' | '+' => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
        .iter()
        .find_map(|p| p.trim().strip_prefix("CN=").map(str::to_string))
}

pub(super) fn info(d: &Diagnostic) -> ErrorInfo {
    let details = (!d.path.is_empty()).then(|| d.path.clone());
    ErrorInfo::new(d.code.as_str(), d.message.clone(), details)
}

fn is_schema(d: &Diagnostic) -> bool {
    let c = d.code.as_str();
    c.starts_with("schema-") || d.code.is_well_formedness()
}

/// Which report or item (from 0) a diagnostic's element path is in:
/// `/Root/DeliveryData/Reports/Report[2]/...` → 1.
pub(super) fn unit_of(path: &str) -> Option<usize> {
    for list in ["/DeliveryData/Reports/Report", "/DeliveryData/Items/Item"] {
        let Some(at) = path.find(list) else { continue };
        let rest = &path[at + list.len()..];
        if let Some(n) = rest.strip_prefix('[') {
            return n.split(']').next()?.parse::<usize>().ok()?.checked_sub(1);
        }
        if rest.is_empty() || rest.starts_with('/') {
            return Some(0);
        }
    }
    None
}

/// The request's DeliveryId (for the log line) and, unless it is refused
/// as it is (a `soap:Client` fault), the request checked and read: the
/// state-free part of the processing. `record` is the record as it came out
/// of the envelope.
pub fn check<'a>(
    op: &'a Operation,
    record: &'a [u8],
    tls_cert: Option<&[u8]>,
    trust: &Trust,
) -> (Option<String>, Result<Checked<'a>, String>) {
    let Ok(text) = std::str::from_utf8(record) else {
        return (None, Err("the record is not UTF-8".into()));
    };
    let rec = match Record::parse(text) {
        Ok(r) => r,
        Err(e) => return (None, Err(format!("the record is not well-formed XML: {e}"))),
    };
    let delivery_id = rec.field(&["DeliveryId"]);
    (delivery_id, check_record(op, record, rec, tls_cert, trust))
}

fn check_record<'a>(
    op: &'a Operation,
    record: &'a [u8],
    rec: Record<'a>,
    tls_cert: Option<&[u8]>,
    trust: &Trust,
) -> Result<Checked<'a>, String> {
    if rec.root() != op.request {
        return Err(format!("{} takes {}, not {}", op.name, op.request, rec.root()));
    }
    // Message level: the signature, the signer, its certificate.
    let verified = match verify(record, &VerifyOptions::default().trust(trust.org_ca.to_vec())) {
        Ok(v) => v,
        Err(e) => return Err(format!("the record's signature does not verify: {e}")),
    };
    if !verified.trust.is_trusted() {
        return Err(format!(
            "the record's signer is not trusted: {}",
            verified.trust.problems.join("; ")
        ));
    }
    let signer_der = verified.signer.der();
    if (trust.refused)(signer_der) {
        return Err("the record's signer certificate was replaced by a renewal and is no longer accepted".into());
    }
    if tls_cert.is_some_and(|c| c != signer_der) {
        return Err("the record is signed with another certificate than the TLS client certificate".into());
    }
    let wanted = operation::purpose(op.request, rec.int(&["DeliveryDataType"]));
    let used = trust
        .purposes
        .iter()
        .find(|(der, _)| der == signer_der)
        .map(|(_, p)| *p);
    if let (Some(w), Some(u)) = (wanted, used) {
        if w != u {
            return Err(format!(
                "{} needs the {} certificate, not the {} certificate",
                op.name,
                w.key(),
                u.key()
            ));
        }
    }
    let cn = common_name(&verified.signer.subject).unwrap_or_default();
    if op.kind != Kind::Echo {
        // Not the Code itself in the message: it may be a personal identity code.
        if rec.field(&["DeliveryDataCreator", "Code"]).unwrap_or_default() != cn {
            return Err(format!("the signer (business ID {cn}) is not DeliveryDataCreator"));
        }
    }
    let problems: Vec<Diagnostic> = tulorekisteri::validate_bytes(record, &Options::default())
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    // Real-time operations answer schema errors the SOAP way (TR §12.3.2).
    if op.kind != Kind::Deferred && problems.iter().any(is_schema) {
        let shown: Vec<String> = problems
            .iter()
            .filter(|d| is_schema(d))
            .take(3)
            .map(|d| format!("{} at {}", d.code, d.path))
            .collect();
        return Err(format!("the record does not match the schema: {}", shown.join("; ")));
    }
    let request = rec.echo();
    let environment_error = match rec.field(&["ProductionEnvironment"]).as_deref() {
        Some("true") | Some("1") => Some(ErrorInfo::new(
            "rule-environment",
            "ProductionEnvironment is true, but this is the test environment",
            Some("ProductionEnvironment".into()),
        )),
        _ => None,
    };
    let mut checked = Checked {
        op,
        rec,
        problems,
        environment_error,
        request,
        incoming: None,
        query: None,
    };
    match op.kind {
        Kind::Query => match tulorekisteri::parse(record) {
            Ok(v) => checked.query = Some(v),
            // The code and place only: a message may quote an identity code.
            Err(p) => {
                let first = p.first().map(|d| format!("{} at {}", d.code.as_str(), d.path));
                return Err(format!("the query cannot be read: {}", first.unwrap_or_default()));
            }
        },
        Kind::RealTime | Kind::Deferred => {
            checked.incoming = Some(records::read(op, record, &checked.rec, &checked.problems));
        }
        Kind::Echo | Kind::Status => {}
    }
    Ok(checked)
}

/// Decides a checked request against what is held: the answer, and what it
/// changes.
pub fn decide(checked: Checked, state: &State, cx: &Context) -> Outcome {
    let Checked {
        op,
        rec,
        problems,
        environment_error,
        request,
        incoming,
        query,
    } = checked;
    match op.kind {
        Kind::Echo => {
            let data = rec.top("Data").unwrap_or_default();
            Outcome::Answer {
                answer: answers::echo(&data),
                request,
                summary: "echoed".into(),
                change: Box::default(),
            }
        }
        Kind::Status => status(&rec, environment_error, &problems, state, cx, request),
        Kind::Query => {
            let parsed = query.unwrap_or_default();
            let mut errors: Vec<ErrorInfo> = environment_error.into_iter().collect();
            errors.extend(problems.iter().map(info));
            let (answer, n) = queries::answer(op, &parsed[op.request], &errors, state, cx.now);
            Outcome::Answer {
                answer,
                request,
                summary: format!("{n} report(s)"),
                change: Box::default(),
            }
        }
        Kind::RealTime | Kind::Deferred => match incoming {
            Some(incoming) => records::decide(op, incoming, environment_error, state, cx, request),
            None => refused("the record could not be read"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_go_to_their_report() {
        assert_eq!(
            unit_of("/WageReportsRequestToIR/DeliveryData/Reports/Report[3]/IncomeEarner"),
            Some(2)
        );
        assert_eq!(
            unit_of("/WageReportsRequestToIR/DeliveryData/Reports/Report/ReportData"),
            Some(0)
        );
        assert_eq!(unit_of("/InvalidationsRequestToIR/DeliveryData/Items/Item[2]"), Some(1));
        assert_eq!(unit_of("/WageReportsRequestToIR/DeliveryData/Reports"), None);
        assert_eq!(unit_of("/WageReportsRequestToIR/DeliveryData/PaymentPeriod"), None);
        assert_eq!(
            common_name("CN=1234567-1,O=Testiyritys Oy,C=FI").as_deref(),
            Some("1234567-1")
        );
        assert_eq!(common_name("C=FI,O=A\\, B,CN=7013454-9").as_deref(), Some("7013454-9"));
    }
}
