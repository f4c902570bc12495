//! A record of reports, cancellations or a subscription (the real-time and
//! deferred operations): reception (message level, then record level: the
//! header, the DeliveryDataType, a DeliveryId not used before), then the
//! item level on a scratch copy of what is held, committed when the record
//! is stored (FaultyControl 1: the valid items; 2: all or nothing); the
//! receipt or the feedback.

use super::answers::{self, Feedback};
use super::clock::guid;
use super::inspect::Record;
use super::items::{cancel, invalid, report, subscription, Decided, Scratch, Target};
use super::process::{info, unit_of, Context, Outcome};
use super::store::{Delivery, ErrorInfo, Item, State};
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

#[allow(clippy::too_many_arguments)]
pub(super) fn records(
    op: &Operation,
    record: &[u8],
    rec: &Record,
    environment_error: Option<ErrorInfo>,
    problems: Vec<Diagnostic>,
    state: &mut State,
    cx: &Context,
    request: Value,
) -> Outcome {
    let now = cx.now;
    let owner = rec.field(&["DeliveryDataOwner", "Code"]).unwrap_or_default();
    let kind = rec.int(&["DeliveryDataType"]).unwrap_or(0);
    let delivery_id = rec.field(&["DeliveryId"]).unwrap_or_default();
    let units = rec.units();
    let mut unit_errors: Vec<Vec<ErrorInfo>> = vec![vec![]; units.len()];
    let mut record_errors = vec![];
    for d in &problems {
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
    let existing = state
        .deliveries
        .iter()
        .position(|d| d.owner == owner && d.delivery_data_type == kind && d.delivery_id == delivery_id);
    let duplicate = existing.filter(|&i| state.deliveries[i].outcome != 4);
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
        let summary = match duplicate {
            Some(i) => {
                state.deliveries[i].arrivals += 1;
                "status 4: duplicate DeliveryId".to_string()
            }
            None => {
                let refused = Delivery {
                    owner,
                    delivery_data_type: kind,
                    delivery_id,
                    ir_delivery_id: None,
                    arrivals: 1,
                    outcome: 4,
                    cancelled: false,
                    arrived_at: now,
                    ready_at: now,
                    operation: op.name.to_string(),
                    echo: request.clone(),
                    header: None,
                    valid_items: vec![],
                    invalid_items: vec![],
                    message_errors,
                    delivery_errors,
                };
                match existing {
                    Some(i) => {
                        let arrivals = state.deliveries[i].arrivals + 1;
                        state.deliveries[i] = Delivery { arrivals, ..refused };
                    }
                    None => state.deliveries.push(refused),
                }
                "status 4: refused at reception".to_string()
            }
        };
        return Outcome::Answer {
            answer: answer(&f),
            request,
            summary,
            changed: true,
        };
    }

    // Accepted: the item level, on a scratch copy of what is held.
    let ir_delivery_id = guid();
    let invalidation = op.request.starts_with("Invalidation");
    let faulty_control = rec.int(&["FaultyControl"]).unwrap_or(if invalidation { 1 } else { 2 });
    let mut scratch = Scratch {
        reports: state.reports.clone(),
        subscriptions: state.subscriptions.clone(),
        cancelled_deliveries: vec![],
    };
    let mut header = None;
    let mut decided = vec![];
    if op.request.starts_with("Subscriptions") {
        decided.push(subscription(rec, &owner, &ir_delivery_id, &mut scratch));
    } else if invalidation {
        for (unit, errors) in units.iter().zip(unit_errors) {
            decided.push(match errors.is_empty() {
                true => cancel(unit, kind, &owner, state, &mut scratch),
                false => invalid(unit, errors),
            });
        }
    } else {
        // The reports the schema and rules accept, as objects: the record
        // without the others, parsed.
        let keep: Vec<bool> = unit_errors.iter().map(Vec::is_empty).collect();
        let mut objects = vec![];
        if keep.iter().any(|k| *k) {
            let mut text = Vec::with_capacity(record.len());
            let mut at = 0;
            for (u, k) in units.iter().zip(&keep) {
                if !k {
                    text.extend_from_slice(&record[at..u.range.start]);
                    at = u.range.end;
                }
            }
            text.extend_from_slice(&record[at..]);
            match tulorekisteri::parse(&text) {
                Ok(v) => {
                    let mut data = v[op.request]["DeliveryData"].clone();
                    if let Some(list) = data
                        .get("Reports")
                        .and_then(|r| r.get("Report"))
                        .and_then(Value::as_array)
                    {
                        objects = list.clone();
                    }
                    if let Some(o) = data.as_object_mut() {
                        o.remove("Reports");
                    }
                    header = Some(data);
                }
                Err(p) => eprintln!("the accepted reports could not be read: {}", p[0]),
            }
        }
        let payer = header
            .as_ref()
            .and_then(|h| h.pointer("/Payer/PayerIds/Id/0/Code"))
            .and_then(Value::as_str)
            .unwrap_or(&owner)
            .to_string();
        let mut objects = objects.into_iter();
        for (unit, errors) in units.iter().zip(unit_errors) {
            if !errors.is_empty() {
                decided.push(invalid(unit, errors));
                continue;
            }
            let Some(data) = objects.next() else {
                decided.push(invalid(
                    unit,
                    vec![ErrorInfo::new("sim-internal", "the report could not be read", None)],
                ));
                continue;
            };
            let target = Target {
                owner: &owner,
                payer: &payer,
                kind,
                ir_delivery_id: &ir_delivery_id,
                now,
            };
            decided.push(report(unit, data, &target, &mut scratch.reports));
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
    if stored {
        state.reports = scratch.reports;
        state.subscriptions = scratch.subscriptions;
        for id in &scratch.cancelled_deliveries {
            if let Some(d) = state
                .deliveries
                .iter_mut()
                .find(|d| d.ir_delivery_id.as_ref() == Some(id))
            {
                d.cancelled = true;
            }
        }
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
        arrivals: 1,
        outcome,
        cancelled: false,
        arrived_at: now,
        ready_at,
        operation: op.name.to_string(),
        echo: request.clone(),
        header: header.filter(|_| stored),
        valid_items: valid_items.clone(),
        invalid_items: invalid_items.clone(),
        message_errors: vec![],
        delivery_errors: vec![],
    };
    match existing {
        Some(i) => {
            let arrivals = state.deliveries[i].arrivals + 1;
            state.deliveries[i] = Delivery { arrivals, ..delivery };
        }
        None => state.deliveries.push(delivery),
    }
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
        changed: true,
    }
}
