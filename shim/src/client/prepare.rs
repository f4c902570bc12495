//! A record, unsigned (XML, or the JSON object `tulorekisteri build` takes),
//! made ready to send: checked with the core (the schema and the Register's
//! rules, `ProductionEnvironment` against the configured environment),
//! signed with the organisation's certificate for its purpose, and read for
//! what the answer must echo. The signed bytes are final: a resend sends
//! the same bytes ([`Prepared::from_signed`]), never a new signature.

use crate::operation::{self, Kind, Operation, Purpose};
use serde_json::Value;
use std::fmt;
use tulorekisteri::rules::{Environment, RuleOptions};
use tulorekisteri::signature::{self, SignatureError, Signer, VerifyOptions};
use tulorekisteri::{Code, Diagnostic, Options, Severity};

/// A record ready to send: validated, signed, and what its answer must
/// say.
#[derive(Clone)]
pub struct Prepared {
    operation: &'static Operation,
    purpose: Option<Purpose>,
    delivery_id: Option<String>,
    delivery_data_type: Option<i64>,
    ir_delivery_id: Option<String>,
    query_data_type: Option<i64>,
    data: Option<String>,
    items: Vec<Option<String>>,
    parties: Option<Parties>,
    warnings: Vec<Diagnostic>,
    signed: Vec<u8>,
}

/// `DeliveryDataOwner`, `DeliveryDataCreator` and `DeliveryDataSender` of
/// a record, as its JSON object has them (a status request names the same).
#[derive(Clone, PartialEq)]
pub(crate) struct Parties {
    pub owner: Value,
    pub creator: Value,
    pub sender: Value,
}

impl Prepared {
    /// The operation it goes with (by its root element).
    pub fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// The certificate purpose it was signed for (`None`: an Echo).
    pub fn purpose(&self) -> Option<Purpose> {
        self.purpose
    }

    /// `DeliveryId`, when the record has one (not Echo or queries).
    pub fn delivery_id(&self) -> Option<&str> {
        self.delivery_id.as_deref()
    }

    /// `DeliveryDataType`, when the record has one.
    pub fn delivery_data_type(&self) -> Option<i64> {
        self.delivery_data_type
    }

    /// `IRDeliveryId` of a status request asking by it.
    pub fn ir_delivery_id(&self) -> Option<&str> {
        self.ir_delivery_id.as_deref()
    }

    /// `QueryDataType` of a query (its answer must echo it).
    pub fn query_data_type(&self) -> Option<i64> {
        self.query_data_type
    }

    /// The `Data` of an Echo.
    pub fn echo_data(&self) -> Option<&str> {
        self.data.as_deref()
    }

    /// The sender's ids of the record's items, in order: `ReportId` of each
    /// report, `ItemId` of each invalidation item, `MainSubscriptionId`
    /// (`None` where the item has none).
    pub fn items(&self) -> &[Option<String>] {
        &self.items
    }

    /// The warnings of the local checks (they do not stop a send).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The signed record, the bytes that are sent (inside the SOAP body).
    pub fn signed(&self) -> &[u8] {
        &self.signed
    }

    /// The signed record.
    pub fn into_signed(self) -> Vec<u8> {
        self.signed
    }

    pub(crate) fn parties(&self) -> Option<&Parties> {
        self.parties.as_ref()
    }

    /// A record signed before (stored by the caller before it was first
    /// sent), to send again byte for byte: its signature must verify (its
    /// certificate is not checked here) and it must be schema-valid. The
    /// Register's rules are not run again.
    pub fn from_signed(signed: Vec<u8>) -> Result<Prepared, PrepareError> {
        match signature::verify(&signed, &VerifyOptions::default()) {
            Ok(_) => {}
            Err(SignatureError::Unsigned) => return Err(PrepareError::NotSigned),
            Err(e) => return Err(PrepareError::Sign(e)),
        }
        let options = Options::default().schema_only();
        let errors = errors_of(tulorekisteri::validate_bytes(&signed, &options));
        if !errors.is_empty() {
            return Err(PrepareError::Invalid(errors));
        }
        let object = tulorekisteri::parse(&signed).map_err(PrepareError::Invalid)?;
        let (root, body) = root_of(&object);
        let operation = operation::for_request(root).ok_or_else(|| PrepareError::NotARequest(root.to_string()))?;
        Ok(describe(operation, body, signed, vec![]))
    }
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the record's content, nor the parties' identifiers.
        f.debug_struct("Prepared")
            .field("operation", &self.operation.name)
            .field("purpose", &self.purpose)
            .field("delivery_id", &self.delivery_id)
            .field("delivery_data_type", &self.delivery_data_type)
            .field("items", &self.items.len())
            .field("bytes", &self.signed.len())
            .finish()
    }
}

/// Why a record cannot be sent; nothing was sent.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PrepareError {
    /// The local checks (JSON, schema, the Register's rules, one report in
    /// a real-time record) found errors: every diagnostic, warnings too.
    Invalid(Vec<Diagnostic>),
    /// The root element is not a request of any operation.
    NotARequest(String),
    /// No certificate is configured for the record's purpose.
    NoCertificate {
        /// The configuration file.
        config: String,
        /// The purpose.
        purpose: Purpose,
    },
    /// The record's `DeliveryDataType` names no certificate purpose.
    NoPurpose(Option<i64>),
    /// The record is signed already: give it unsigned (or, to resend a
    /// stored signed record, use [`Prepared::from_signed`]).
    AlreadySigned,
    /// [`Prepared::from_signed`] was given an unsigned record.
    NotSigned,
    /// Signing failed, or a stored signed record does not verify.
    Sign(SignatureError),
    /// The operation is not the one the caller expected (e.g. `query` given
    /// a report record).
    WrongKind {
        /// The record's root.
        root: &'static str,
        /// What was expected, in words.
        expected: &'static str,
    },
}

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrepareError::Invalid(d) => {
                let errors = d.iter().filter(|d| d.severity == Severity::Error).count();
                let s = if errors == 1 { "" } else { "s" };
                write!(
                    f,
                    "the record did not pass the local checks ({errors} error{s}); nothing was sent"
                )
            }
            PrepareError::NotARequest(root) => write!(f, "{root} is not a request record of any operation"),
            PrepareError::NoCertificate { config, purpose } => write!(
                f,
                "{config}: no certificate for {} is configured ([certificates.{}])",
                purpose.key(),
                purpose.key()
            ),
            PrepareError::NoPurpose(Some(t)) => write!(f, "DeliveryDataType {t} names no certificate purpose"),
            PrepareError::NoPurpose(None) => f.write_str("the record has no DeliveryDataType"),
            PrepareError::AlreadySigned => f.write_str("the record is signed already: give it unsigned"),
            PrepareError::NotSigned => f.write_str("the record is not signed"),
            PrepareError::Sign(e) => write!(f, "signing: {e}"),
            PrepareError::WrongKind { root, expected } => write!(f, "{root} is not {expected}"),
        }
    }
}

impl std::error::Error for PrepareError {}

/// The errors of a list of diagnostics, or nothing when there are none.
fn errors_of(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    match diagnostics.iter().any(|d| d.severity == Severity::Error) {
        true => diagnostics,
        false => vec![],
    }
}

/// The record's XML: `input` as it is, or built from the JSON object it
/// holds (its first character other than white space is `{`).
pub(crate) fn xml_of(input: &[u8]) -> Result<Vec<u8>, PrepareError> {
    let text = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    if text.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Ok(input.to_vec());
    }
    let object: Value = serde_json::from_slice(text).map_err(|e| {
        let mut d = Diagnostic::new(Code::BuildJson, Severity::Error, format!("not JSON: {e}"));
        (d.line, d.column) = (e.line() as u64, e.column() as u64);
        PrepareError::Invalid(vec![d])
    })?;
    xml_of_object(&object)
}

/// The XML of a record's JSON object.
pub(crate) fn xml_of_object(object: &Value) -> Result<Vec<u8>, PrepareError> {
    tulorekisteri::build(object)
        .map(String::into_bytes)
        .map_err(PrepareError::Invalid)
}

/// The environment the configuration names.
pub(crate) fn environment(production: bool) -> Environment {
    match production {
        true => Environment::Production,
        false => Environment::Test,
    }
}

/// Checks the unsigned record `xml` and signs it with the signer
/// `signer_for` gives for its purpose.
pub(crate) fn prepare<'s>(
    xml: Vec<u8>,
    production: bool,
    signer_for: impl FnOnce(Option<Purpose>) -> Result<&'s Signer, PrepareError>,
) -> Result<Prepared, PrepareError> {
    let options = Options::default()
        .unsigned(true)
        .rules(RuleOptions::default().environment(environment(production)));
    let diagnostics = tulorekisteri::validate_bytes(&xml, &options);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Err(PrepareError::Invalid(diagnostics));
    }
    let object = tulorekisteri::parse(&xml).map_err(PrepareError::Invalid)?;
    let (root, body) = root_of(&object);
    let operation = operation::for_request(root).ok_or_else(|| PrepareError::NotARequest(root.to_string()))?;
    let header = body.get("DeliveryData").unwrap_or(body);
    let delivery_data_type = header.get("DeliveryDataType").and_then(Value::as_i64);
    let items = items_of(header);
    // TR §5.1: a real-time record holds exactly one report (the core's
    // rules say so too; this guards the send whatever the rules become).
    if operation.kind == Kind::RealTime && items.len() != 1 {
        let mut d = Diagnostic::new(
            Code::RuleOneReport,
            Severity::Error,
            format!(
                "A real-time record ({}) must hold exactly one report or item; found {}.",
                operation.request,
                items.len()
            ),
        );
        d.path = format!("/{}", operation.request);
        let mut all = diagnostics;
        all.push(d);
        return Err(PrepareError::Invalid(all));
    }
    let purpose = operation::purpose(root, delivery_data_type);
    if purpose.is_none() && operation.kind != Kind::Echo {
        return Err(PrepareError::NoPurpose(delivery_data_type));
    }
    let signer = signer_for(purpose)?;
    // `sign` refuses a record with XML-DSig elements (its only `Shape` error).
    let signed = signature::sign(&xml, signer).map_err(|e| match e {
        SignatureError::Shape(_) => PrepareError::AlreadySigned,
        e => PrepareError::Sign(e),
    })?;
    let mut prepared = describe(operation, body, signed, diagnostics);
    prepared.purpose = purpose;
    Ok(prepared)
}

fn root_of(object: &Value) -> (&str, &Value) {
    object
        .as_object()
        .and_then(|m| m.iter().next())
        .map(|(k, v)| (k.as_str(), v))
        .expect("a parsed record has one root")
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

fn list(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// The sender's ids of the record's items.
fn items_of(header: &Value) -> Vec<Option<String>> {
    if let Some(reports) = header.get("Reports") {
        return list(reports.get("Report"))
            .iter()
            .map(|r| text(r.get("ReportData").and_then(|d| d.get("ReportId"))))
            .collect();
    }
    if let Some(items) = header.get("Items") {
        return list(items.get("Item")).iter().map(|i| text(i.get("ItemId"))).collect();
    }
    if let Some(main) = header.get("MainSubscription") {
        return vec![text(main.get("MainSubscriptionId"))];
    }
    vec![]
}

/// What the answer to the record `body` (its root's content) must echo.
fn describe(operation: &'static Operation, body: &Value, signed: Vec<u8>, warnings: Vec<Diagnostic>) -> Prepared {
    let header = body.get("DeliveryData").unwrap_or(body);
    let delivery_data_type = header.get("DeliveryDataType").and_then(Value::as_i64);
    let parties = match (
        header.get("DeliveryDataOwner"),
        header.get("DeliveryDataCreator"),
        header.get("DeliveryDataSender"),
    ) {
        (Some(o), Some(c), Some(s)) => Some(Parties {
            owner: o.clone(),
            creator: c.clone(),
            sender: s.clone(),
        }),
        _ => None,
    };
    Prepared {
        operation,
        purpose: operation::purpose(operation.request, delivery_data_type),
        delivery_id: text(header.get("DeliveryId")),
        delivery_data_type,
        ir_delivery_id: match operation.kind {
            Kind::Status => text(header.get("IRDeliveryId")),
            _ => None,
        },
        query_data_type: match operation.kind {
            Kind::Query => body.get("QueryDataType").and_then(Value::as_i64),
            _ => None,
        },
        data: match operation.kind {
            Kind::Echo => text(body.get("Data")),
            _ => None,
        },
        items: items_of(header),
        parties,
        warnings: warnings
            .into_iter()
            .filter(|d| d.severity == Severity::Warning)
            .collect(),
        signed,
    }
}
