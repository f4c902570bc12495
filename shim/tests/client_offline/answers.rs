//! Answers of the Register, written as the contract says it writes them:
//! built with the core, signed with the response-signing key (or not, or
//! with the forger's), in a SOAP envelope.

#![allow(dead_code)]

use super::support::{pki, signer, BUSINESS_ID};
use serde_json::{json, Value};
use tulorekisteri::signature::Signer;
use tulorekisteri_shim::soap;

pub const IR_DELIVERY_ID: &str = "0123456789abcdef0123456789abcdef";
pub const IR_REPORT_ID: &str = "fedcba9876543210fedcba9876543210";

fn id() -> Value {
    json!({ "Type": 1, "Code": BUSINESS_ID })
}

/// An echoed `DeliveryData` of a record of `ddt` and `delivery_id`.
pub fn delivery_data(ddt: i64, delivery_id: &str) -> Value {
    json!({
        "Timestamp": "2024-01-01T10:00:00+02:00",
        "DeliveryDataType": ddt,
        "DeliveryId": delivery_id,
        "ProductionEnvironment": false,
        "DeliveryDataOwner": id(),
        "DeliveryDataCreator": id(),
        "DeliveryDataSender": id(),
    })
}

fn message(status: i64) -> Value {
    json!({
        "IRResponseId": "00000000000000000000000000000001",
        "IRResponseTimestamp": "2024-01-01T10:00:01+02:00",
        "DeliveryDataStatus": status,
    })
}

/// An `AckFromIR` of `status` about the record `delivery_id`.
pub fn ack(status: i64, delivery_id: &str) -> Value {
    let mut data = message(status);
    if status == 2 {
        data["IRDeliveryId"] = IR_DELIVERY_ID.into();
    }
    if status == 4 {
        data["DeliveryErrors"] = json!({ "ErrorInfo": [{ "ErrorCode": "rule-x", "ErrorMessage": "Wrong." }] });
    }
    json!({ "AckFromIR": { "DeliveryData": delivery_data(100, delivery_id), "AckData": data } })
}

/// A `StatusResponseFromIR` of `status` about the record `delivery_id` (no
/// `DeliveryData` when `None`), its one report `report_id` stored when the
/// status is 3.
pub fn status_response(status: i64, delivery_id: Option<&str>, report_id: &str) -> Value {
    let mut data = message(status);
    if matches!(status, 2 | 3 | 6) {
        data["IRDeliveryId"] = IR_DELIVERY_ID.into();
    }
    if status == 3 {
        data["ValidItems"] = json!({ "Item": [{ "ItemId": report_id, "IRItemId": IR_REPORT_ID, "ItemVersion": 1 }] });
    }
    let mut body = json!({ "StatusResponse": data });
    if let Some(id) = delivery_id {
        body["DeliveryData"] = delivery_data(100, id);
    }
    json!({ "StatusResponseFromIR": body })
}

/// An Echo of `data`.
pub fn echo(data: &str) -> Value {
    json!({ "Echo": { "Data": data } })
}

/// The record of `object`, unsigned.
pub fn unsigned(object: &Value) -> Vec<u8> {
    tulorekisteri::build(object).unwrap().into_bytes()
}

/// The record of `object`, signed by `by`.
pub fn signed_by(object: &Value, by: &Signer) -> Vec<u8> {
    tulorekisteri::signature::sign(&unsigned(object), by).unwrap()
}

/// The record of `object`, signed by the Register's response key.
pub fn signed(object: &Value) -> Vec<u8> {
    signed_by(object, &signer(&pki().response))
}

/// `record` in a SOAP envelope.
pub fn envelope(record: &[u8]) -> Vec<u8> {
    soap::envelope(record)
}

/// The answer of `object`, signed and enveloped.
pub fn answer(object: &Value) -> Vec<u8> {
    envelope(&signed(object))
}
