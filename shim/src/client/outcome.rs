//! The typed outcome of one request to the Register: the contract's four
//! cases, kept apart (`/work/notes/shim-contract.md`, "The client's
//! outcomes"), each with a short typed reason.

use crate::operation::Operation;
use std::fmt;
use tulorekisteri::signature::{Certificate, SignatureError};
use tulorekisteri::{DeliveryStatus, Feedback};

/// What became of one request.
#[derive(Debug, Clone)]
#[non_exhaustive]
// One per request, moved a few times: its size does not matter, and an
// unboxed `Answer` is simpler to match.
#[allow(clippy::large_enum_variant)]
pub enum Outcome {
    /// A verified answer: the Register took the record (or answered the
    /// status request, the Echo, the query). A real-time answer may still
    /// list invalid items (`FaultyControl` 1), and a status answer may say
    /// anything from 0 to 6: see [`Answer::feedback`].
    Delivered(Answer),
    /// A verified refusal: nothing was stored; correct and send again.
    Rejected {
        /// Why.
        reason: RejectReason,
        /// The Register's feedback, when the refusal came as a signed
        /// answer (status 4 or 5).
        feedback: Option<Feedback>,
        /// That answer's verified record bytes.
        answer: Option<Vec<u8>>,
    },
    /// Nothing can have reached the Register: safe to send again.
    NotSent {
        /// Why.
        reason: NotSentReason,
    },
    /// It may have arrived: ask with `GetDeliveryDataStatus` before
    /// anything else.
    Uncertain {
        /// Why.
        reason: UncertainReason,
    },
}

impl Outcome {
    /// The verified answer, when delivered.
    pub fn answer(&self) -> Option<&Answer> {
        match self {
            Outcome::Delivered(a) => Some(a),
            _ => None,
        }
    }

    /// The Register's feedback, when the outcome carries one.
    pub fn feedback(&self) -> Option<&Feedback> {
        match self {
            Outcome::Delivered(a) => a.feedback.as_ref(),
            Outcome::Rejected { feedback, .. } => feedback.as_ref(),
            Outcome::NotSent {
                reason: NotSentReason::ReceptionFailed(f),
            } => Some(f),
            _ => None,
        }
    }

    /// The case and the reason's kind, without any free text (the
    /// Register's fault strings may quote a record): for progress logs,
    /// e.g. `uncertain (read-timeout)`, `delivered (status 2)`.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Delivered(a) => match a.status() {
                Some(s) => format!("delivered (status {})", s.code()),
                None => "delivered".into(),
            },
            Outcome::Rejected { reason, .. } => format!("rejected ({})", reason.kind()),
            Outcome::NotSent { reason } => format!("not-sent ({})", reason.kind()),
            Outcome::Uncertain { reason } => format!("uncertain ({})", reason.kind()),
        }
    }

    /// The case's name: `delivered`, `rejected`, `not-sent`, `uncertain`.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Delivered(_) => "delivered",
            Outcome::Rejected { .. } => "rejected",
            Outcome::NotSent { .. } => "not-sent",
            Outcome::Uncertain { .. } => "uncertain",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Delivered(a) => match a.status() {
                Some(s) => write!(f, "delivered: status {} ({})", s.code(), s.name()),
                None => f.write_str("delivered"),
            },
            Outcome::Rejected { reason, .. } => write!(f, "rejected: {reason}"),
            Outcome::NotSent { reason } => write!(f, "not sent: {reason}"),
            Outcome::Uncertain { reason } => write!(f, "uncertain: {reason}"),
        }
    }
}

/// A verified answer of the Register.
#[derive(Clone)]
#[non_exhaustive]
pub struct Answer {
    /// The operation it answers.
    pub operation: &'static Operation,
    /// The answer record exactly as taken out of the SOAP body, its
    /// signature verified: keep these bytes as the receipt.
    pub record: Vec<u8>,
    /// The certificate that signed it (chains to `response_ca`).
    pub signer: Certificate,
    /// The feedback of an `AckFromIR` or `StatusResponseFromIR`.
    pub feedback: Option<Feedback>,
}

impl Answer {
    /// The answer as JSON, in the shape `tulorekisteri parse` writes (the
    /// signature left out).
    pub fn to_json(&self) -> serde_json::Value {
        // The record was checked against its schema already.
        tulorekisteri::parse(&self.record).unwrap_or(serde_json::Value::Null)
    }

    /// The `DeliveryDataStatus` of a feedback answer.
    pub fn status(&self) -> Option<DeliveryStatus> {
        self.feedback.as_ref().map(|f| f.status)
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the record's content.
        f.debug_struct("Answer")
            .field("operation", &self.operation.name)
            .field("root", &self.operation.response)
            .field("bytes", &self.record.len())
            .field("signer", &self.signer.subject)
            .field("status", &self.status().map(DeliveryStatus::code))
            .finish()
    }
}

/// Why the Register refused a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectReason {
    /// A `soap:Client` fault: the Register refused the message as it is;
    /// its `faultstring`.
    Refused(String),
    /// `DeliveryDataStatus` 4: rejected at reception.
    RejectedAtReception,
    /// `DeliveryDataStatus` 5: rejected in processing.
    RejectedInProcessing,
}

impl RejectReason {
    /// The reason's kind, without free text.
    pub fn kind(&self) -> &'static str {
        match self {
            RejectReason::Refused(_) => "soap-client-fault",
            RejectReason::RejectedAtReception => "status-4",
            RejectReason::RejectedInProcessing => "status-5",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::Refused(text) => write!(f, "the Register refused the message (soap:Client): {text}"),
            RejectReason::RejectedAtReception => f.write_str("rejected at reception (status 4), nothing stored"),
            RejectReason::RejectedInProcessing => f.write_str("rejected in processing (status 5), nothing stored"),
        }
    }
}

/// Why nothing can have reached the Register.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum NotSentReason {
    /// The TCP connection failed (refused, unreachable, no such host).
    Connect(std::io::ErrorKind),
    /// The TCP connection and TLS handshake did not finish within the
    /// connect timeout.
    ConnectTimeout,
    /// The TLS handshake failed or was cut, or the server refused it (also
    /// with an alert after the handshake, as TLS 1.3 refuses a client
    /// certificate).
    Tls(String),
    /// The connection failed (or the read timeout passed) before any byte
    /// of the request was written.
    NothingWritten,
    /// No certificate is configured for the request's purpose (the TLS
    /// client identity).
    NoCertificate(Option<crate::operation::Purpose>),
    /// A verified answer to a send with `DeliveryDataStatus` 0: reception
    /// failed technically, send again.
    ReceptionFailed(Box<Feedback>),
    /// The HTTP request could not be built (a URL the configuration
    /// check should have refused): nothing was connected to.
    BadRequest(String),
}

impl NotSentReason {
    /// The reason's kind, without free text.
    pub fn kind(&self) -> &'static str {
        match self {
            NotSentReason::Connect(_) => "connect",
            NotSentReason::ConnectTimeout => "connect-timeout",
            NotSentReason::Tls(_) => "tls",
            NotSentReason::NothingWritten => "nothing-written",
            NotSentReason::NoCertificate(_) => "no-certificate",
            NotSentReason::ReceptionFailed(_) => "status-0",
            NotSentReason::BadRequest(_) => "bad-request",
        }
    }
}

impl fmt::Display for NotSentReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotSentReason::Connect(kind) => write!(f, "TCP connect failed: {kind}"),
            NotSentReason::ConnectTimeout => f.write_str("TCP connect and TLS handshake timed out"),
            NotSentReason::Tls(why) => write!(f, "TLS handshake failed: {why}"),
            NotSentReason::NothingWritten => f.write_str("the connection failed before any of the request was written"),
            NotSentReason::NoCertificate(p) => write!(
                f,
                "no certificate for {} is configured",
                p.map_or("any purpose", crate::operation::Purpose::key)
            ),
            NotSentReason::ReceptionFailed(_) => {
                f.write_str("the Register's reception failed technically (status 0): send again")
            }
            NotSentReason::BadRequest(why) => write!(f, "the request could not be built: {why}"),
        }
    }
}

/// Which part of an answer is about another request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// The echoed `DeliveryId`.
    DeliveryId,
    /// The echoed `DeliveryDataType`.
    DeliveryDataType,
    /// `IRDeliveryId` of a status answer.
    IrDeliveryId,
    /// The echoed `Data` of an Echo.
    Data,
    /// The echoed `QueryDataType` of a query's answer.
    QueryDataType,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::DeliveryId => "DeliveryId",
            Field::DeliveryDataType => "DeliveryDataType",
            Field::IrDeliveryId => "IRDeliveryId",
            Field::Data => "Data",
            Field::QueryDataType => "QueryDataType",
        })
    }
}

/// Why the request may or may not have arrived.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum UncertainReason {
    /// No whole answer within the read timeout.
    ReadTimeout,
    /// The connection failed after the request started being written; the
    /// error's kind.
    ConnectionLost(String),
    /// The connection ended before the whole answer came.
    AnswerIncomplete,
    /// The answer was larger than the limit.
    AnswerTooLarge(u64),
    /// An HTTP status other than 200, or 5xx without a `soap:Client` fault.
    HttpStatus(u16),
    /// The body is not a SOAP envelope of one record.
    NotAnEnvelope(String),
    /// A `soap:Server` fault: the service failed; its `faultstring`.
    ServerFault(String),
    /// The answer record is not signed.
    Unsigned,
    /// The answer's signature does not verify.
    BadSignature(SignatureError),
    /// The answer's certificate is not valid now or does not chain to
    /// `response_ca`.
    Untrusted(Vec<String>),
    /// The answer is not valid against its schema: the number of errors.
    SchemaInvalid(usize),
    /// The answer's root is not the operation's answer root.
    WrongRoot {
        /// The operation's answer root.
        expected: &'static str,
        /// The answer's root.
        found: String,
    },
    /// The answer is about another request.
    AboutAnother {
        /// The field that differs (or is missing).
        field: Field,
        /// What the request said.
        expected: String,
        /// What the answer says (`None`: it says nothing).
        found: Option<String>,
    },
    /// A `DeliveryDataStatus` that does not fit the operation.
    UnexpectedStatus(i64),
}

impl UncertainReason {
    /// The reason's kind, without free text.
    pub fn kind(&self) -> &'static str {
        match self {
            UncertainReason::ReadTimeout => "read-timeout",
            UncertainReason::ConnectionLost(_) => "connection-lost",
            UncertainReason::AnswerIncomplete => "answer-incomplete",
            UncertainReason::AnswerTooLarge(_) => "answer-too-large",
            UncertainReason::HttpStatus(_) => "http-status",
            UncertainReason::NotAnEnvelope(_) => "not-an-envelope",
            UncertainReason::ServerFault(_) => "soap-server-fault",
            UncertainReason::Unsigned => "unsigned",
            UncertainReason::BadSignature(_) => "bad-signature",
            UncertainReason::Untrusted(_) => "untrusted-signer",
            UncertainReason::SchemaInvalid(_) => "schema-invalid",
            UncertainReason::WrongRoot { .. } => "wrong-root",
            UncertainReason::AboutAnother { .. } => "about-another-delivery",
            UncertainReason::UnexpectedStatus(_) => "unexpected-status",
        }
    }
}

impl fmt::Display for UncertainReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UncertainReason::ReadTimeout => f.write_str("no whole answer within the read timeout"),
            UncertainReason::ConnectionLost(kind) => {
                write!(f, "the connection failed after the request started: {kind}")
            }
            UncertainReason::AnswerIncomplete => f.write_str("the connection closed before the whole answer came"),
            UncertainReason::AnswerTooLarge(limit) => write!(f, "the answer is larger than {limit} bytes"),
            UncertainReason::HttpStatus(s) => write!(f, "unexpected HTTP status {s}"),
            UncertainReason::NotAnEnvelope(why) => write!(f, "the answer is not a SOAP envelope of one record: {why}"),
            UncertainReason::ServerFault(text) => write!(f, "the service failed (soap:Server): {text}"),
            UncertainReason::Unsigned => f.write_str("the answer is not signed"),
            UncertainReason::BadSignature(e) => write!(f, "the answer's signature does not verify: {e}"),
            UncertainReason::Untrusted(problems) => {
                write!(f, "the answer's certificate is not trusted: {}", problems.join("; "))
            }
            UncertainReason::SchemaInvalid(n) => write!(f, "the answer is not valid against its schema ({n} errors)"),
            UncertainReason::WrongRoot { expected, found } => write!(f, "the answer is {found}, not {expected}"),
            UncertainReason::AboutAnother { field, expected, found } => match (field, found) {
                // Never the Echo's data itself.
                (Field::Data, _) => f.write_str("the answer echoes other Data"),
                (Field::QueryDataType, found) => write!(
                    f,
                    "the answer is about another query: QueryDataType {}, not {expected}",
                    found.as_deref().unwrap_or("missing")
                ),
                (_, Some(found)) => write!(
                    f,
                    "the answer is about another delivery: {field} {found}, not {expected}"
                ),
                (_, None) => write!(f, "the answer does not say its {field} (expected {expected})"),
            },
            UncertainReason::UnexpectedStatus(code) => {
                write!(f, "DeliveryDataStatus {code} does not fit the operation")
            }
        }
    }
}
