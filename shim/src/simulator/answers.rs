//! The simulator's answers, as the objects `build` takes: `AckFromIR`,
//! `StatusResponseFromIR` and `Echo`; building them (schema-valid by
//! construction: what the schema refuses is left out or replaced), signing
//! them, and the faults that spoil a signed answer.

use super::clock::{date_time, guid};
use super::store::{ErrorInfo, Item};
use serde_json::{json, Map, Value};
use tulorekisteri::signature::{sign, Signer};

/// What a record's feedback says.
#[derive(Debug, Clone, Default)]
pub struct Feedback {
    /// The echoed header (`smt:DeliveryData`); `None` for "not found".
    pub header: Option<Value>,
    /// DeliveryDataStatus.
    pub status: i64,
    /// IRDeliveryId, when the record was accepted.
    pub ir_delivery_id: Option<String>,
    /// ValidItems.
    pub valid: Vec<Item>,
    /// InvalidItems.
    pub invalid: Vec<Item>,
    /// MessageErrors.
    pub message_errors: Vec<ErrorInfo>,
    /// DeliveryErrors.
    pub delivery_errors: Vec<ErrorInfo>,
}

fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// One `ErrorInfo` (ErrorCode is `irct:String20`: a longer code is cut
/// there, and written whole at the start of ErrorMessage).
pub fn error_json(e: &ErrorInfo) -> Value {
    let fits = e.code.chars().count() <= 20;
    let message = match (fits, e.message.trim().is_empty()) {
        (true, false) => e.message.clone(),
        (true, true) => e.code.clone(),
        (false, _) => format!("{}: {}", e.code, e.message),
    };
    let mut out = Map::new();
    out.insert("ErrorCode".into(), json!(cut(&e.code, 20)));
    out.insert("ErrorMessage".into(), json!(cut(&message, 500)));
    if let Some(d) = e.details.as_ref().filter(|d| !d.trim().is_empty()) {
        out.insert("ErrorDetails".into(), json!(cut(d, 500)));
    }
    Value::Object(out)
}

/// `{ "ErrorInfo": [...] }`, or `None` when there are none.
pub fn errors_json(errors: &[ErrorInfo]) -> Option<Value> {
    (!errors.is_empty()).then(|| json!({ "ErrorInfo": errors.iter().map(error_json).collect::<Vec<_>>() }))
}

fn items_json(items: &[Item]) -> Option<Value> {
    let list: Vec<Value> = items
        .iter()
        .map(|i| {
            let mut o = Map::new();
            if let Some(v) = &i.item_id {
                o.insert("ItemId".into(), json!(v));
            }
            if let Some(v) = &i.ir_item_id {
                o.insert("IRItemId".into(), json!(v));
            }
            if let Some(v) = i.version {
                o.insert("ItemVersion".into(), json!(v));
            }
            if let Some(e) = errors_json(&i.errors) {
                o.insert("ItemErrors".into(), e);
            }
            Value::Object(o)
        })
        .collect();
    (!list.is_empty()).then(|| json!({ "Item": list }))
}

fn put(o: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        o.insert(key.to_string(), v);
    }
}

fn message(now: f64, f: &Feedback) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("IRResponseId".into(), json!(guid()));
    o.insert("IRResponseTimestamp".into(), json!(date_time(now)));
    o.insert("DeliveryDataStatus".into(), json!(f.status));
    put(&mut o, "IRDeliveryId", f.ir_delivery_id.as_ref().map(|v| json!(v)));
    o
}

/// The receipt of a deferred record.
pub fn ack(f: &Feedback, now: f64) -> Value {
    let mut data = message(now, f);
    put(&mut data, "MessageErrors", errors_json(&f.message_errors));
    put(&mut data, "DeliveryErrors", errors_json(&f.delivery_errors));
    json!({ "AckFromIR": { "DeliveryData": f.header.clone().unwrap_or_else(|| json!({})), "AckData": data } })
}

/// The processing feedback of a real-time record, or a status query's answer.
pub fn status_response(f: &Feedback, now: f64) -> Value {
    let mut data = message(now, f);
    put(&mut data, "ValidItems", items_json(&f.valid));
    put(&mut data, "InvalidItems", items_json(&f.invalid));
    put(&mut data, "MessageErrors", errors_json(&f.message_errors));
    put(&mut data, "DeliveryErrors", errors_json(&f.delivery_errors));
    let mut root = Map::new();
    put(&mut root, "DeliveryData", f.header.clone());
    root.insert("StatusResponse".into(), Value::Object(data));
    json!({ "StatusResponseFromIR": root })
}

/// The answer to an Echo.
pub fn echo(data: &str) -> Value {
    json!({ "Echo": { "Data": data } })
}

/// What replaces a required header field the schema refused.
fn header_default(field: &str, header: &Map<String, Value>, now: f64) -> Option<Value> {
    let creator = header
        .get("DeliveryDataCreator")
        .and_then(|c| c.get("Code"))
        .cloned()
        .unwrap_or_else(|| json!("0000000-0"));
    match field {
        "Timestamp" => Some(json!(date_time(now))),
        "DeliveryDataType" => Some(json!(0)),
        "ProductionEnvironment" => Some(json!(false)),
        "DeliveryDataOwner" | "DeliveryDataCreator" | "DeliveryDataSender" => {
            Some(json!({ "Type": 1, "Code": creator }))
        }
        _ => None,
    }
}

/// `Reports.Report[3].X` → 3.
fn report_index(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("Reports.Report[")?;
    rest.split(']').next()?.parse().ok()
}

/// Builds the answer's XML, leaving out what its schema refuses: a header
/// field (a required one is replaced), or a whole report of a query answer.
pub fn build(answer: &Value, now: f64) -> Result<String, String> {
    let mut answer = answer.clone();
    for _ in 0..4 {
        let problems = match tulorekisteri::build(&answer) {
            Ok(xml) => return Ok(xml),
            Err(p) => p,
        };
        let Some((_, content)) = answer.as_object_mut().and_then(|o| o.iter_mut().next()) else {
            break;
        };
        let Some(content) = content.as_object_mut() else { break };
        let mut dropped_reports = vec![];
        let mut fixed = false;
        for p in &problems {
            if let Some(field) = p.path.strip_prefix("DeliveryData.") {
                let field = field.split(['.', '[']).next().unwrap_or("");
                if let Some(Value::Object(header)) = content.get_mut("DeliveryData") {
                    let default = header_default(field, header, now);
                    match default {
                        Some(v) => header.insert(field.to_string(), v),
                        None => header.remove(field),
                    };
                    fixed = true;
                }
            } else if let Some(i) = report_index(&p.path) {
                dropped_reports.push(i);
            }
        }
        if !dropped_reports.is_empty() {
            dropped_reports.sort_unstable();
            dropped_reports.dedup();
            if let Some(Value::Array(list)) = content.get_mut("Reports").and_then(|r| r.get_mut("Report")) {
                for i in dropped_reports.iter().rev() {
                    if *i < list.len() {
                        list.remove(*i);
                    }
                }
                eprintln!(
                    "a query answer left out {} stored report(s) its schema refuses",
                    dropped_reports.len()
                );
                let left = list.len();
                if left == 0 {
                    content.remove("Reports");
                }
                if let Some(s) = content.get_mut("Summary") {
                    s["NrOfReports"] = json!(left);
                }
                fixed = true;
            }
        }
        if !fixed {
            let shown: Vec<String> = problems
                .iter()
                .take(3)
                .map(|p| format!("{}: {}", p.path, p.code))
                .collect();
            return Err(format!("the answer does not build: {}", shown.join("; ")));
        }
    }
    Err("the answer does not build".into())
}

/// Builds and signs the answer.
pub fn signed(answer: &Value, signer: &Signer, now: f64) -> Result<Vec<u8>, String> {
    let xml = build(answer, now)?;
    sign(xml.as_bytes(), signer).map_err(|e| format!("signing the answer: {e}"))
}

/// The `tampered-response` fault: one signed character changed after
/// signing (a digit of the response's timestamp, or the echoed data).
pub fn tamper(signed: &mut [u8]) {
    for tag in [&b"<IRResponseTimestamp>"[..], b"<QueryTimestamp>"] {
        if let Some(at) = signed.windows(tag.len()).position(|w| w == tag) {
            if let Some(d) = signed[at + tag.len()..].iter_mut().find(|b| b.is_ascii_digit()) {
                *d = if *d == b'9' { b'0' } else { *d + 1 };
                return;
            }
        }
    }
    let tag = b"<Data>";
    if let Some(at) = signed.windows(tag.len()).position(|w| w == tag) {
        if let Some(c) = signed.get_mut(at + tag.len()).filter(|c| c.is_ascii_alphanumeric()) {
            *c = if *c == b'X' { b'Y' } else { b'X' };
        }
    }
}

/// The `wrong-response` fault: the answer made about another delivery (or
/// another query, another echo). `request` is the request's header, for an
/// answer that echoes none.
pub fn make_wrong(answer: &mut Value, request: &Value) {
    let other = format!("other-{}", &guid()[..12]);
    let Some((root, content)) = answer.as_object_mut().and_then(|o| o.iter_mut().next()) else {
        return;
    };
    match root.as_str() {
        "Echo" => {
            let data = content["Data"].as_str().unwrap_or("").to_string();
            content["Data"] = json!(if data == "wrong" { "other" } else { "wrong" });
        }
        "AckFromIR" | "StatusResponseFromIR" => {
            let Some(content) = content.as_object_mut() else { return };
            let header = content.entry("DeliveryData").or_insert_with(|| request.clone());
            if let Some(h) = header.as_object_mut() {
                h.insert("DeliveryId".into(), json!(other));
            }
            for data in ["StatusResponse", "AckData"] {
                if let Some(s) = content.get_mut(data).and_then(|s| s.as_object_mut()) {
                    if s.contains_key("IRDeliveryId") {
                        s.insert("IRDeliveryId".into(), json!(guid()));
                    }
                }
            }
        }
        _ => {
            if let Some(t) = content.get_mut("Subscription").and_then(|s| s.get_mut("QueryDataType")) {
                let n = t.as_i64().unwrap_or(0);
                *t = json!(n + 1);
            }
        }
    }
}
