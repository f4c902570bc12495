//! A record of reports, cancellations or a subscription (the real-time and
//! deferred operations): reception (message level, then record level: the
//! header, the DeliveryDataType, a DeliveryId not used before), then the
//! item level over what is held, whose changes become the request's
//! change when the record is stored (FaultyControl 1: the valid items; 2:
//! all or nothing); the receipt or the feedback. What needs nothing held
//! (`read`) is done before the request waits for its turn.

use super::answers::{self, Feedback};
use super::clock::guid;
use super::inspect::{Record, Unit};
use super::items::{cancel, invalid, report, subscription, Decided, Scratch, Target};
use super::process::{info, unit_of, Context, Outcome};
use super::store::{Change, Delivery, ErrorInfo, Item, Skeleton, State};
use crate::operation::{Kind, Operation};
use serde_json::Value;
use tulorekisteri::Diagnostic;

/// The DeliveryDataTypes a record root may carry.
fn types_of(root: &str) -> &'static [i64] {
    match root {
        r if r.starts_with("WageReport") => &[100],
        r if r.starts_with("PayerSummaryReport") => &[101],
        r if r.starts_with("BenefitReport") => &[102],
        r if r.starts_with("Invalidation") => &[105, 106, 107, 108, 109, 110, 111, 112],
        r if r.starts_with("Subscriptions") => &[103],
        _ => &[],
    }
}

/// What the items are.
enum Units {
    /// Reports: each one's `Report` element, and the record without them.
    Reports {
        texts: Vec<String>,
        skeleton: Option<Skeleton>,
    },
    /// Cancellation items.
    Cancellations,
    /// A subscription: its MainSubscriptionId, and its `MainSubscription`
    /// as parsed (when it parses).
    Subscription(String, Option<Value>),
}

/// A record as far as it can be read without what is held.
pub struct Incoming {
    owner: String,
    kind: i64,
    delivery_id: String,
    units: Vec<Unit>,
    unit_errors: Vec<Vec<ErrorInfo>>,
    record_errors: Vec<ErrorInfo>,
    faulty_control: i64,
    /// The record's DeliveryData without its reports.
    header: Option<Value>,
    /// The payer (Payer/PayerIds' first Code, else the owner's).
    payer: String,
    what: Units,
}

/// The record's text without the reports, and where they were.
fn skeleton(text: &str, units: &[Unit]) -> Option<Skeleton> {
    let mut out = String::with_capacity(text.len().saturating_sub(units.iter().map(|u| u.range.len()).sum()));
    let mut at = 0;
    for u in units {
        out.push_str(text.get(at..u.range.start)?);
        at = u.range.end;
    }
    out.push_str(text.get(at..)?);
    let reports_at = units.first()?.range.start;
    Some(Skeleton { text: out, reports_at })
}

/// Reads a record of `op`: its header, its units and the diagnostics that
/// belong to each; for reports, each one's text, the record without them,
/// and its DeliveryData (parsed from the record of its first valid report:
/// parsing them all costs more than the rest of the processing).
pub fn read(op: &Operation, record: &[u8], rec: &Record, problems: &[Diagnostic]) -> Incoming {
    let owner = rec.field(&["DeliveryDataOwner", "Code"]).unwrap_or_default();
    let kind = rec.int(&["DeliveryDataType"]).unwrap_or(0);
    let delivery_id = rec.field(&["DeliveryId"]).unwrap_or_default();
    let units = rec.units();
    let mut unit_errors: Vec<Vec<ErrorInfo>> = vec![vec![]; units.len()];
    let mut record_errors = vec![];
    for d in problems {
        match unit_of(&d.path).filter(|&i| i < units.len()) {
            Some(i) => unit_errors[i].push(info(d)),
            None => record_errors.push(info(d)),
        }
    }
    if !types_of(op.request).contains(&kind) {
        record_errors.push(ErrorInfo::new(
            "sim-delivery-type",
            format!("DeliveryDataType {kind} does not belong to {}", op.name),
            Some("DeliveryData/DeliveryDataType".into()),
        ));
    }
    let invalidation = op.request.starts_with("Invalidation");
    let faulty_control = rec.int(&["FaultyControl"]).unwrap_or(if invalidation { 1 } else { 2 });
    let mut header = None;
    let what = if op.request.starts_with("Subscriptions") {
        let id = rec
            .field(&["MainSubscription", "MainSubscriptionId"])
            .unwrap_or_default();
        // Kept whole for the distributions; a record that does not parse is
        // refused at reception anyway.
        let main = tulorekisteri::parse(record).ok().and_then(|mut v| {
            v.get_mut(op.request)
                .and_then(|r| r.pointer_mut("/DeliveryData/MainSubscription"))
                .map(Value::take)
        });
        Units::Subscription(id, main)
    } else if invalidation {
        Units::Cancellations
    } else {
        let text = std::str::from_utf8(record).unwrap_or_default();
        let texts: Vec<String> = units
            .iter()
            .map(|u| text.get(u.range.clone()).unwrap_or_default().to_string())
            .collect();
        let skeleton = skeleton(text, &units);
        let first = unit_errors.iter().position(Vec::is_empty);
        if let (Some(s), Some(i)) = (&skeleton, first) {
            let one = texts.get(i).and_then(|t| s.with(t)).unwrap_or_default();
            match tulorekisteri::parse(one.as_bytes()) {
                Ok(mut v) => {
                    let mut data = v
                        .get_mut(op.request)
                        .and_then(|r| r.get_mut("DeliveryData"))
                        .map(Value::take)
                        .unwrap_or_default();
                    if let Some(o) = data.as_object_mut() {
                        o.remove("Reports");
                    }
                    header = Some(data);
                }
                // The code and place only: a message may quote a value.
                Err(p) => eprintln!(
                    "the accepted reports could not be read: {}",
                    p.first()
                        .map(|d| format!("{} at {}", d.code.as_str(), d.path))
                        .unwrap_or_default()
                ),
            }
        }
        Units::Reports { texts, skeleton }
    };
    let payer = header
        .as_ref()
        .and_then(|h| h.pointer("/Payer/PayerIds/Id/0/Code"))
        .and_then(Value::as_str)
        .unwrap_or(&owner)
        .to_string();
    Incoming {
        owner,
        kind,
        delivery_id,
        units,
        unit_errors,
        record_errors,
        faulty_control,
        header,
        payer,
        what,
    }
}

/// Decides a record against what is held: refused at reception, or its
/// items decided; the answer and the change.
pub fn decide(
    op: &Operation,
    incoming: Incoming,
    environment_error: Option<ErrorInfo>,
    state: &State,
    cx: &Context,
    request: Value,
) -> Outcome {
    let now = cx.now;
    let Incoming {
        owner,
        kind,
        delivery_id,
        units,
        unit_errors,
        mut record_errors,
        faulty_control,
        header,
        payer,
        what,
    } = incoming;
    let existing = state.delivery_position(&owner, kind, &delivery_id);
    let held = existing.and_then(|i| state.deliveries.get(i));
    let duplicate = held.filter(|d| d.outcome != 4);
    if duplicate.is_some() {
        record_errors.insert(
            0,
            ErrorInfo::new(
                "sim-delivery-id-used",
                format!("the owner has sent a record of type {kind} with this DeliveryId already"),
                Some("DeliveryData/DeliveryId".into()),
            ),
        );
    }
    // The one entry for this owner, type and DeliveryId: where it is (or
    // goes), and its arrivals so far.
    let slot = existing.unwrap_or(state.deliveries.len());
    let (arrivals, mut arrival_times) = match held {
        Some(d) => (d.arrivals + 1, d.known_arrival_times()),
        None => (1, vec![]),
    };
    arrival_times.push(now);
    let realtime = op.kind == Kind::RealTime;
    let answer = |f: &Feedback| match realtime {
        true => answers::status_response(f, now),
        false => answers::ack(f, now),
    };

    // Refused at reception: message-level errors suppress the others.
    let message_errors: Vec<ErrorInfo> = environment_error.into_iter().collect();
    if !message_errors.is_empty() || !record_errors.is_empty() {
        let delivery_errors = match message_errors.is_empty() {
            true => record_errors,
            false => vec![],
        };
        let f = Feedback {
            header: Some(request.clone()),
            status: 4,
            message_errors: message_errors.clone(),
            delivery_errors: delivery_errors.clone(),
            ..Feedback::default()
        };
        let (delivery, summary) = match duplicate {
            Some(d) => {
                let counted = Delivery {
                    arrivals,
                    arrival_times,
                    ..d.clone()
                };
                (counted, "status 4: duplicate DeliveryId")
            }
            None => {
                let refused = Delivery {
                    owner,
                    delivery_data_type: kind,
                    delivery_id,
                    ir_delivery_id: None,
                    arrivals,
                    arrival_times,
                    outcome: 4,
                    cancelled: false,
                    arrived_at: now,
                    ready_at: now,
                    operation: op.name.to_string(),
                    echo: request.clone(),
                    header: None,
                    skeleton: None,
                    valid_items: vec![],
                    invalid_items: vec![],
                    message_errors,
                    delivery_errors,
                    channel: None,
                };
                (refused, "status 4: refused at reception")
            }
        };
        return Outcome::Answer {
            answer: answer(&f),
            request,
            summary: summary.to_string(),
            change: Box::new(Change {
                deliveries: vec![(slot, delivery)],
                ..Change::default()
            }),
        };
    }

    // Accepted: the item level, over what is held.
    let ir_delivery_id = guid();
    let mut scratch = Scratch::new(state);
    let mut decided = vec![];
    let mut kept_skeleton = None;
    match what {
        Units::Subscription(id, main) => decided.push(subscription(&id, main, &owner, &ir_delivery_id, &mut scratch)),
        Units::Cancellations => {
            for (unit, errors) in units.iter().zip(unit_errors) {
                decided.push(match errors.is_empty() {
                    true => cancel(unit, kind, &owner, state, &mut scratch),
                    false => invalid(unit, errors),
                });
            }
        }
        Units::Reports { texts, skeleton } => {
            let readable = header.is_some();
            kept_skeleton = skeleton;
            for ((unit, errors), text) in units.iter().zip(unit_errors).zip(texts) {
                if !errors.is_empty() {
                    decided.push(invalid(unit, errors));
                    continue;
                }
                if !readable {
                    decided.push(invalid(
                        unit,
                        vec![ErrorInfo::new("sim-internal", "the report could not be read", None)],
                    ));
                    continue;
                }
                let target = Target {
                    owner: &owner,
                    payer: &payer,
                    kind,
                    ir_delivery_id: &ir_delivery_id,
                    now,
                };
                decided.push(report(unit, text, &target, &mut scratch));
            }
        }
    }
    let any_invalid = decided.iter().any(|d| !d.valid);
    let any_valid = decided.iter().any(|d| d.valid);
    let stored = any_valid && !(any_invalid && faulty_control == 2);
    let outcome = if stored { 3 } else { 5 };
    let (valid_items, invalid_items): (Vec<Decided>, Vec<Decided>) = decided.into_iter().partition(|d| d.valid);
    let valid_items: Vec<Item> = match stored {
        true => valid_items.into_iter().map(|d| d.item).collect(),
        false => vec![],
    };
    let invalid_items: Vec<Item> = invalid_items.into_iter().map(|d| d.item).collect();
    let mut change = Change::default();
    if stored {
        for id in &scratch.cancelled_deliveries {
            let Some(i) = state.delivery_position_by_ir(id) else {
                continue;
            };
            if let Some(d) = state.deliveries.get(i) {
                let d = Delivery {
                    cancelled: true,
                    ..d.clone()
                };
                change.deliveries.push((i, d));
            }
        }
        scratch.into_change(&mut change);
    }
    let ready_at = match realtime {
        true => now,
        false => now + cx.processing_seconds.max(0.0),
    };
    let delivery = Delivery {
        owner,
        delivery_data_type: kind,
        delivery_id,
        ir_delivery_id: Some(ir_delivery_id.clone()),
        arrivals,
        arrival_times,
        outcome,
        cancelled: false,
        arrived_at: now,
        ready_at,
        operation: op.name.to_string(),
        echo: request.clone(),
        header: header.filter(|_| stored),
        skeleton: kept_skeleton.filter(|_| stored),
        valid_items: valid_items.clone(),
        invalid_items: invalid_items.clone(),
        message_errors: vec![],
        delivery_errors: vec![],
        channel: None,
    };
    change.deliveries.push((slot, delivery));
    change.deliveries.sort_by_key(|(i, _)| *i);
    let mut f = Feedback {
        header: Some(request.clone()),
        status: 2,
        ir_delivery_id: Some(ir_delivery_id),
        ..Feedback::default()
    };
    let counts = format!("{} valid, {} invalid", valid_items.len(), invalid_items.len());
    let summary = match realtime {
        true => {
            f.status = outcome;
            f.valid = valid_items;
            f.invalid = invalid_items;
            format!("status {outcome} ({counts})")
        }
        false => format!("status 2, then {outcome} ({counts})"),
    };
    Outcome::Answer {
        answer: answer(&f),
        request,
        summary,
        change: Box::new(change),
    }
}
