//! Checks an HTTP answer to a prepared request, in the contract's order:
//! the HTTP status and SOAP faults; the envelope; the answer record's
//! signature (valid now, chaining to `response_ca`); its schema; its root;
//! that it answers this request (a feedback its record, an Echo its data,
//! a query its QueryDataType); then what its `DeliveryDataStatus` means
//! for the operation.

use super::outcome::{Answer, Field, NotSentReason, Outcome, RejectReason, UncertainReason};
use super::prepare::Prepared;
use crate::operation::Kind;
use crate::soap::{self, Body, FaultCode};
use tulorekisteri::signature::{self, SignatureError, VerifyOptions};
use tulorekisteri::{DeliveryStatus, Feedback, Options, Severity};

fn uncertain(reason: UncertainReason) -> Outcome {
    Outcome::Uncertain { reason }
}

/// What the answer (HTTP `status`, `body`) to `prepared` means, its
/// signature checked against the trust anchors `response_ca` (DER).
pub fn check(prepared: &Prepared, status: u16, body: &[u8], response_ca: &[Vec<u8>]) -> Outcome {
    let record = match (status, soap::read(body)) {
        (200, Ok(Body::Record(record))) => record,
        (200, Ok(Body::Fault(_))) => {
            return uncertain(UncertainReason::NotAnEnvelope(
                "a SOAP fault with HTTP status 200".into(),
            ))
        }
        (200, Err(e)) => return uncertain(UncertainReason::NotAnEnvelope(e.0)),
        (500..=599, Ok(Body::Fault(f))) if f.code == FaultCode::Client => {
            return Outcome::Rejected {
                reason: RejectReason::Refused(f.string),
                feedback: None,
                answer: None,
            }
        }
        (500..=599, Ok(Body::Fault(f))) => return uncertain(UncertainReason::ServerFault(f.string)),
        (status, _) => return uncertain(UncertainReason::HttpStatus(status)),
    };
    let options = VerifyOptions::default().trust(response_ca.to_vec());
    let verified = match signature::verify(record, &options) {
        Ok(v) => v,
        Err(SignatureError::Unsigned) => return uncertain(UncertainReason::Unsigned),
        Err(e) => return uncertain(UncertainReason::BadSignature(e)),
    };
    if !verified.trust.is_trusted() {
        return uncertain(UncertainReason::Untrusted(verified.trust.problems));
    }
    let problems = tulorekisteri::validate_bytes(record, &Options::default().schema_only());
    let errors = problems.iter().filter(|d| d.severity == Severity::Error).count();
    if errors > 0 {
        return uncertain(UncertainReason::SchemaInvalid(errors));
    }
    let operation = prepared.operation();
    let root = root_name(record);
    if root != operation.response {
        return uncertain(UncertainReason::WrongRoot {
            expected: operation.response,
            found: root,
        });
    }
    let answer = |feedback: Option<Feedback>| Answer {
        operation,
        record: record.to_vec(),
        signer: verified.signer.clone(),
        feedback,
    };
    match operation.kind {
        Kind::Echo => {
            let echoed = tulorekisteri::parse(record)
                .ok()
                .and_then(|v| v["Echo"]["Data"].as_str().map(str::to_string));
            let expected = prepared.echo_data().unwrap_or_default();
            match echoed.as_deref() == Some(expected) {
                true => Outcome::Delivered(answer(None)),
                false => uncertain(UncertainReason::AboutAnother {
                    field: Field::Data,
                    expected: expected.to_string(),
                    found: echoed,
                }),
            }
        }
        Kind::Query => {
            // A query's answer echoes its QueryDataType (`Subscription`).
            let echoed = tulorekisteri::parse(record)
                .ok()
                .and_then(|v| v[operation.response]["Subscription"]["QueryDataType"].as_i64());
            let expected = prepared.query_data_type();
            match echoed.is_some() && echoed == expected {
                true => Outcome::Delivered(answer(None)),
                false => uncertain(UncertainReason::AboutAnother {
                    field: Field::QueryDataType,
                    expected: expected.map(|t| t.to_string()).unwrap_or_default(),
                    found: echoed.map(|t| t.to_string()),
                }),
            }
        }
        Kind::RealTime | Kind::Deferred | Kind::Status => {
            let feedback = match tulorekisteri::read_feedback(record) {
                Ok(f) => f,
                Err(_) => return uncertain(UncertainReason::SchemaInvalid(1)),
            };
            if let Some(reason) = about_another(prepared, &feedback) {
                return uncertain(reason);
            }
            meaning(operation.kind, feedback, answer)
        }
    }
}

/// The local name of the root element (the record is schema-valid, so
/// well-formed).
fn root_name(record: &[u8]) -> String {
    let text = String::from_utf8_lossy(record);
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(&text, options)
        .map(|d| d.root_element().tag_name().name().to_string())
        .unwrap_or_default()
}

/// Why the feedback is not about the request, if it is not: every echoed
/// field must equal the request's. A send's answer must echo its
/// `DeliveryId` and `DeliveryDataType`; a status answer that found the
/// record (status other than 0) must name it by what was asked.
fn about_another(prepared: &Prepared, feedback: &Feedback) -> Option<UncertainReason> {
    let differs = |field: Field, expected: String, found: Option<String>| {
        Some(UncertainReason::AboutAnother { field, expected, found })
    };
    let kind = prepared.operation().kind;
    let delivery_data_type = prepared.delivery_data_type().unwrap_or_default();
    let asked_id = prepared.delivery_id();
    let asked_ir = prepared.ir_delivery_id();
    let echoed = feedback.delivery_id.is_some() || feedback.delivery_data_type.is_some();
    if kind == Kind::Status && !echoed {
        // No DeliveryData: the record was not found (status 0); otherwise
        // the answer must name the record by its IRDeliveryId.
        let by_ir = asked_ir.is_some() && feedback.ir_delivery_id.as_deref() == asked_ir;
        if feedback.status != DeliveryStatus::Unknown && !by_ir {
            return differs(
                Field::DeliveryId,
                asked_id.or(asked_ir).unwrap_or_default().to_string(),
                None,
            );
        }
    } else {
        if feedback.delivery_data_type != Some(delivery_data_type) {
            return differs(
                Field::DeliveryDataType,
                delivery_data_type.to_string(),
                feedback.delivery_data_type.map(|t| t.to_string()),
            );
        }
        if let Some(id) = asked_id {
            if feedback.delivery_id.as_deref() != Some(id) {
                return differs(Field::DeliveryId, id.to_string(), feedback.delivery_id.clone());
            }
        }
    }
    if let (Some(asked), Some(found)) = (asked_ir, feedback.ir_delivery_id.as_deref()) {
        if asked != found {
            return differs(Field::IrDeliveryId, asked.to_string(), Some(found.to_string()));
        }
    }
    None
}

/// What a verified feedback answer means for the operation.
fn meaning(kind: Kind, feedback: Feedback, answer: impl Fn(Option<Feedback>) -> Answer) -> Outcome {
    let status = feedback.status;
    let rejected = |reason: RejectReason, feedback: Feedback| {
        let record = answer(None).record;
        Outcome::Rejected {
            reason,
            feedback: Some(feedback),
            answer: Some(record),
        }
    };
    match (kind, status) {
        (Kind::Status, DeliveryStatus::Other(code)) => uncertain(UncertainReason::UnexpectedStatus(code)),
        (Kind::Status, _) => Outcome::Delivered(answer(Some(feedback))),
        (_, DeliveryStatus::Unknown) => Outcome::NotSent {
            reason: NotSentReason::ReceptionFailed(Box::new(feedback)),
        },
        (_, DeliveryStatus::RejectedAtReception) => rejected(RejectReason::RejectedAtReception, feedback),
        (_, DeliveryStatus::RejectedInProcessing) => rejected(RejectReason::RejectedInProcessing, feedback),
        (Kind::Deferred, DeliveryStatus::Processing) => Outcome::Delivered(answer(Some(feedback))),
        (Kind::RealTime, DeliveryStatus::Processing | DeliveryStatus::Stored) => {
            Outcome::Delivered(answer(Some(feedback)))
        }
        (_, other) => uncertain(UncertainReason::UnexpectedStatus(other.code())),
    }
}
