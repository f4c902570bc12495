//! The Register's processing feedback read as a typed summary: the status of
//! a record and, item by item, what was stored and what was rejected and why.
//! Sources: the technical interface description (TR §10.4, §12) and the code
//! list of delivery statuses (KOOD §1.2).

use crate::diagnostic::Diagnostic;
use crate::record::parse_with;
use crate::validate::Options;
use serde_json::{json, Value};

/// `DeliveryDataStatus`: where a record is in the Register's processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// 0: not found, or reception or the query failed technically.
    Unknown,
    /// 2: received and accepted for processing, not finished yet.
    Processing,
    /// 3: processed and stored (invalid items, if any, are listed).
    Stored,
    /// 4: rejected at reception; nothing was stored.
    RejectedAtReception,
    /// 5: rejected in processing; nothing was stored.
    RejectedInProcessing,
    /// 6: the record has been cancelled.
    Cancelled,
    /// A code the 2022 code list does not have.
    Other(i64),
}

impl DeliveryStatus {
    /// The status of a `DeliveryDataStatus` code.
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => Self::Unknown,
            2 => Self::Processing,
            3 => Self::Stored,
            4 => Self::RejectedAtReception,
            5 => Self::RejectedInProcessing,
            6 => Self::Cancelled,
            other => Self::Other(other),
        }
    }

    /// The `DeliveryDataStatus` code.
    pub fn code(self) -> i64 {
        match self {
            Self::Unknown => 0,
            Self::Processing => 2,
            Self::Stored => 3,
            Self::RejectedAtReception => 4,
            Self::RejectedInProcessing => 5,
            Self::Cancelled => 6,
            Self::Other(c) => c,
        }
    }

    /// A short English name: `unknown`, `processing`, `stored`, ...
    pub fn name(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Processing => "processing",
            Self::Stored => "stored",
            Self::RejectedAtReception => "rejected-at-reception",
            Self::RejectedInProcessing => "rejected-in-processing",
            Self::Cancelled => "cancelled",
            Self::Other(_) => "other",
        }
    }

    /// What the status means for the sender.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Unknown => "unknown: the record was not found, or reception or the query failed technically",
            Self::Processing => "received and accepted for processing; ask for the status again later",
            Self::Stored => "processed and stored; invalid items, if any, were not stored",
            Self::RejectedAtReception => "rejected at reception; nothing was stored: correct and send again",
            Self::RejectedInProcessing => "rejected in processing; nothing was stored: correct and send again",
            Self::Cancelled => "the record has been cancelled",
            Self::Other(_) => "a status code the 2022 code list does not define",
        }
    }

    /// Whether the Register has finished with the record (no need to poll).
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Processing)
    }
}

/// One `ErrorInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorInfo {
    /// `ErrorCode`: the Register's code of the problem.
    pub code: String,
    /// `ErrorMessage`: the Register's description (in Finnish, as it writes it).
    pub message: String,
    /// Where the Register found the problem, when it says.
    pub details: Option<String>,
}

/// One item (a report, a subscription or a cancelled record) of the feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Item {
    /// `ItemId`: the sender's own id, e.g. the ReportId of a report.
    pub item_id: Option<String>,
    /// `IRItemId`: the Register's id, e.g. the IRReportId.
    pub ir_item_id: Option<String>,
    /// `ItemVersion`: the version stored.
    pub version: Option<i64>,
    /// Empty for valid items.
    pub errors: Vec<ErrorInfo>,
}

/// Which record the feedback came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FeedbackKind {
    /// `AckFromIR`: the immediate answer to a deferred submission.
    Ack,
    /// `StatusResponseFromIR`: the processing feedback, or a real-time answer.
    StatusResponse,
}

/// The summary of an `AckFromIR` or a `StatusResponseFromIR`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Feedback {
    /// The record it came in.
    pub kind: FeedbackKind,
    /// `DeliveryDataStatus`: how far the Register got with the record.
    pub status: DeliveryStatus,
    /// `IRResponseId`: unique for every message of the Register.
    pub ir_response_id: String,
    /// `IRResponseTimestamp`: when the Register wrote the message.
    pub ir_response_timestamp: String,
    /// `IRDeliveryId`: the Register's id of the record, once it was received.
    pub ir_delivery_id: Option<String>,
    /// `DeliveryId` of the sender, from the echoed `DeliveryData`.
    pub delivery_id: Option<String>,
    /// `DeliveryDataType` from the echoed `DeliveryData`.
    pub delivery_data_type: Option<i64>,
    /// Items the Register accepted (`ValidItems`).
    pub valid_items: Vec<Item>,
    /// Items the Register refused, with their errors (`InvalidItems`).
    pub invalid_items: Vec<Item>,
    /// Message-level errors (authorisation, technical); they hide the others.
    pub message_errors: Vec<ErrorInfo>,
    /// Record-level errors (in `DeliveryData`); every item was rejected.
    pub delivery_errors: Vec<ErrorInfo>,
}

impl Feedback {
    /// The errors of the item whose `ItemId` (the sender's ReportId) is `id`.
    pub fn errors_of(&self, id: &str) -> Option<&[ErrorInfo]> {
        self.invalid_items
            .iter()
            .find(|i| i.item_id.as_deref() == Some(id))
            .map(|i| i.errors.as_slice())
    }

    /// The summary as JSON (the npm package's shape).
    pub fn to_json(&self) -> Value {
        let errors = |list: &[ErrorInfo]| -> Value {
            list.iter()
                .map(|e| json!({ "code": e.code, "message": e.message, "details": e.details }))
                .collect()
        };
        let items = |list: &[Item]| -> Value {
            list.iter()
                .map(|i| {
                    json!({
                        "itemId": i.item_id,
                        "irItemId": i.ir_item_id,
                        "version": i.version,
                        "errors": errors(&i.errors),
                    })
                })
                .collect()
        };
        json!({
            "kind": match self.kind { FeedbackKind::Ack => "AckFromIR", FeedbackKind::StatusResponse => "StatusResponseFromIR" },
            "status": self.status.code(),
            "statusName": self.status.name(),
            "statusMeaning": self.status.meaning(),
            "final": self.status.is_final(),
            "irResponseId": self.ir_response_id,
            "irResponseTimestamp": self.ir_response_timestamp,
            "irDeliveryId": self.ir_delivery_id,
            "deliveryId": self.delivery_id,
            "deliveryDataType": self.delivery_data_type,
            "validItems": items(&self.valid_items),
            "invalidItems": items(&self.invalid_items),
            "messageErrors": errors(&self.message_errors),
            "deliveryErrors": errors(&self.delivery_errors),
        })
    }
}

/// Why a document could not be read as feedback.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FeedbackError {
    /// The document is not a valid record; validation's problems.
    Invalid(Vec<Diagnostic>),
    /// A valid record, but not `AckFromIR` or `StatusResponseFromIR`.
    NotFeedback(String),
}

impl std::fmt::Display for FeedbackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(problems) => write!(f, "not a valid record ({} problems)", problems.len()),
            Self::NotFeedback(root) => write!(f, "{root} is not feedback: expected AckFromIR or StatusResponseFromIR"),
        }
    }
}

impl std::error::Error for FeedbackError {}

/// Reads an `AckFromIR` or `StatusResponseFromIR` document, for example:
///
/// ```
/// let xml = br#"<a:AckFromIR xmlns:a="http://www.tulorekisteri.fi/2017/1/AckFromIR">
///   <DeliveryData><Timestamp>2024-01-01T10:00:00Z</Timestamp><DeliveryDataType>100</DeliveryDataType>
///     <ProductionEnvironment>false</ProductionEnvironment>
///     <DeliveryDataOwner><Type>1</Type><Code>7011367-6</Code></DeliveryDataOwner>
///     <DeliveryDataCreator><Type>1</Type><Code>7011367-6</Code></DeliveryDataCreator>
///     <DeliveryDataSender><Type>1</Type><Code>7011367-6</Code></DeliveryDataSender></DeliveryData>
///   <AckData><IRResponseId>0123456789abcdef0123456789abcdef</IRResponseId>
///     <IRResponseTimestamp>2024-01-01T10:00:01Z</IRResponseTimestamp>
///     <DeliveryDataStatus>2</DeliveryDataStatus></AckData>
/// </a:AckFromIR>"#;
/// let feedback = tulorekisteri::read_feedback(xml).unwrap();
/// assert_eq!(feedback.status, tulorekisteri::DeliveryStatus::Processing);
/// assert!(!feedback.status.is_final());
/// ```
///
/// The signature is not checked here, and a missing one is not an error:
/// verifying the Register's signature is a separate step.
pub fn read_feedback(xml: &[u8]) -> Result<Feedback, FeedbackError> {
    let options = Options::default().schema_only().unsigned(true);
    read_feedback_with(xml, &options)
}

/// [`read_feedback`] with validation options.
pub fn read_feedback_with(xml: &[u8], options: &Options) -> Result<Feedback, FeedbackError> {
    let record = parse_with(xml, options).map_err(FeedbackError::Invalid)?;
    let (root, body) = record
        .as_object()
        .and_then(|m| m.iter().next())
        .expect("a parsed record");
    let (kind, data) = match root.as_str() {
        "AckFromIR" => (FeedbackKind::Ack, &body["AckData"]),
        "StatusResponseFromIR" => (FeedbackKind::StatusResponse, &body["StatusResponse"]),
        other => return Err(FeedbackError::NotFeedback(other.to_string())),
    };
    let delivery = &body["DeliveryData"];
    let errors = |v: &Value| -> Vec<ErrorInfo> { list(&v["ErrorInfo"]).iter().map(error_info).collect() };
    let items = |v: &Value| -> Vec<Item> {
        list(&v["Item"])
            .iter()
            .map(|i| Item {
                item_id: text(&i["ItemId"]),
                ir_item_id: text(&i["IRItemId"]),
                version: i["ItemVersion"].as_i64(),
                errors: errors(&i["ItemErrors"]),
            })
            .collect()
    };
    Ok(Feedback {
        kind,
        status: DeliveryStatus::from_code(data["DeliveryDataStatus"].as_i64().unwrap_or(0)),
        ir_response_id: text(&data["IRResponseId"]).unwrap_or_default(),
        ir_response_timestamp: text(&data["IRResponseTimestamp"]).unwrap_or_default(),
        ir_delivery_id: text(&data["IRDeliveryId"]),
        delivery_id: text(&delivery["DeliveryId"]),
        delivery_data_type: delivery["DeliveryDataType"].as_i64(),
        valid_items: items(&data["ValidItems"]),
        invalid_items: items(&data["InvalidItems"]),
        message_errors: errors(&data["MessageErrors"]),
        delivery_errors: errors(&data["DeliveryErrors"]),
    })
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn error_info(v: &Value) -> ErrorInfo {
    ErrorInfo {
        code: text(&v["ErrorCode"]).unwrap_or_default(),
        message: text(&v["ErrorMessage"]).unwrap_or_default(),
        details: text(&v["ErrorDetails"]),
    }
}
