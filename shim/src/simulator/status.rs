//! The status service (TR §11.2): the feedback of a record held, found by
//! its owner, DeliveryDataType and DeliveryId and/or IRDeliveryId; "not
//! found" (status 0) for a record refused at reception, and while the
//! `status-lag` fault holds it back.

use super::answers::{self, Feedback};
use super::inspect::Record;
use super::process::{info, Context, Outcome};
use super::store::{ErrorInfo, State};
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
    let answer = |f: &Feedback, summary: String| Outcome::Answer {
        answer: answers::status_response(f, cx.now),
        request: request.clone(),
        summary,
        changed: false,
    };
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
    let found = state.deliveries.iter().find(|d| {
        d.owner == owner
            && d.delivery_data_type == kind
            && d.outcome != 4
            && id.as_ref().is_none_or(|i| *i == d.delivery_id)
            && ir_id.as_ref().is_none_or(|i| Some(i) == d.ir_delivery_id.as_ref())
    });
    let Some(d) = found.filter(|d| cx.now >= d.arrived_at + cx.status_lag) else {
        return answer(&f, "status 0: not found".into());
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
