//! The status service (TR §11.2): the feedback of a record held, found by
//! its owner, DeliveryDataType and DeliveryId and/or IRDeliveryId; "not
//! found" (status 0) for a record refused at reception, and while the
//! `status-lag` fault holds it back; each "not found" is kept, so tests can
//! tell when a client asked and heard nothing.

use super::answers::{self, Feedback};
use super::inspect::Record;
use super::process::{info, Context, Outcome};
use super::store::{Change, ErrorInfo, State, StatusMiss};
use serde_json::Value;
use tulorekisteri::Diagnostic;

/// The status service (TR §11.2): the feedback of a record held.
pub(super) fn status(
    rec: &Record,
    environment_error: Option<ErrorInfo>,
    problems: &[Diagnostic],
    state: &State,
    cx: &Context,
    request: Value,
) -> Outcome {
    let mut f = Feedback::default();
    let answer_with = |f: &Feedback, summary: String, change: Box<Change>| Outcome::Answer {
        answer: answers::status_response(f, cx.now),
        request: request.clone(),
        summary,
        change,
    };
    let answer = |f: &Feedback, summary: String| answer_with(f, summary, Box::default());
    if let Some(e) = environment_error {
        f.message_errors.push(e);
        return answer(&f, "status 0: production record".into());
    }
    if !problems.is_empty() {
        f.delivery_errors = problems.iter().map(info).collect();
        return answer(&f, "status 0: the request breaks rules".into());
    }
    let owner = rec.field(&["DeliveryDataOwner", "Code"]).unwrap_or_default();
    let kind = rec.int(&["DeliveryDataType"]).unwrap_or(0);
    let id = rec.field(&["DeliveryId"]);
    let ir_id = rec.field(&["IRDeliveryId"]);
    if id.is_none() && ir_id.is_none() {
        f.delivery_errors.push(ErrorInfo::new(
            "sim-status-id",
            "give DeliveryId or IRDeliveryId (or both)",
            None,
        ));
        return answer(&f, "status 0: no identifier".into());
    }
    let found = state
        .find_delivery(&owner, kind, id.as_deref(), ir_id.as_deref())
        .filter(|d| d.outcome != 4);
    let lag = found.is_some_and(|d| cx.now < d.arrived_at + cx.status_lag);
    let Some(d) = found.filter(|_| !lag) else {
        let miss = StatusMiss {
            owner,
            delivery_data_type: kind,
            delivery_id: id,
            ir_delivery_id: ir_id,
            at: cx.now,
            lag,
        };
        let change = Box::new(Change {
            status_misses: vec![miss],
            ..Change::default()
        });
        let summary = match lag {
            true => "status 0: not found (status-lag)",
            false => "status 0: not found",
        };
        return answer_with(&f, summary.into(), change);
    };
    f.header = Some(d.echo.clone());
    f.ir_delivery_id = d.ir_delivery_id.clone();
    f.status = d.status_at(cx.now);
    if f.status != 2 {
        f.valid = d.valid_items.clone();
        f.invalid = d.invalid_items.clone();
        f.message_errors = d.message_errors.clone();
        f.delivery_errors = d.delivery_errors.clone();
    }
    let summary = format!("status {}", f.status);
    answer(&f, summary)
}
