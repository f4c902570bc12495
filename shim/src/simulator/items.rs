//! The item level (TR §5.3, §9): each report or cancellation item the
//! schema and rules accept, checked against what is held and applied to a
//! scratch copy of it: new reports, replacements of the latest version,
//! cancellations of reports, subscriptions and whole records.

use super::clock::guid;
use super::inspect::{Record, Unit};
use super::store::{ErrorInfo, Item, Report, State, Subscription, CANCELLED, VALID};
use serde_json::Value;

/// What the item level decided about one report or item.
pub(super) struct Decided {
    pub(super) item: Item,
    pub(super) valid: bool,
}

/// A report or delivery, with its ids, matches the item's ids (AND when
/// both are given).
pub(super) fn ids_match(unit: &Unit, id: Option<&str>, ir_id: Option<&str>) -> bool {
    (unit.id.is_some() || unit.ir_id.is_some())
        && unit.id.as_deref().is_none_or(|u| Some(u) == id)
        && unit.ir_id.as_deref().is_none_or(|u| Some(u) == ir_id)
}

pub(super) fn not_found(what: &str) -> ErrorInfo {
    ErrorInfo::new(
        "sim-not-found",
        format!("no {what} with these identifiers is held"),
        None,
    )
}

pub(super) fn cancelled_already(what: &str) -> ErrorInfo {
    ErrorInfo::new("sim-cancelled", format!("the {what} is cancelled already"), None)
}

pub(super) fn not_latest(given: i64, latest: i64) -> ErrorInfo {
    ErrorInfo::new(
        "sim-version",
        format!("version {given} is not the latest ({latest})"),
        None,
    )
}

/// The scratch copy the item level works on: committed only when the
/// record is stored.
pub(super) struct Scratch {
    pub(super) reports: Vec<Report>,
    pub(super) subscriptions: Vec<Subscription>,
    pub(super) cancelled_deliveries: Vec<String>,
}

pub(super) fn invalid(unit: &Unit, errors: Vec<ErrorInfo>) -> Decided {
    Decided {
        item: Item {
            item_id: unit.id.clone(),
            ir_item_id: unit.ir_id.clone(),
            version: None,
            errors,
        },
        valid: false,
    }
}

pub(super) fn valid(item_id: Option<String>, ir_item_id: Option<String>, version: Option<i64>) -> Decided {
    Decided {
        item: Item {
            item_id,
            ir_item_id,
            version,
            errors: vec![],
        },
        valid: true,
    }
}

/// Where a report goes.
pub(super) struct Target<'a> {
    pub(super) owner: &'a str,
    pub(super) payer: &'a str,
    pub(super) kind: i64,
    pub(super) ir_delivery_id: &'a str,
    pub(super) now: f64,
}

/// A new report (ActionCode 1) or a replacement (2) (TR §5.3).
pub(super) fn report(unit: &Unit, data: Value, t: &Target, reports: &mut Vec<Report>) -> Decided {
    let held = |r: &Report| r.owner == t.owner && r.delivery_data_type == t.kind;
    if unit.action == Some(2) {
        let r = match latest_valid(unit, reports, t.owner, t.kind) {
            Ok(r) => r,
            Err(refused) => return refused,
        };
        r.version += 1;
        r.data = data;
        r.ir_delivery_id = t.ir_delivery_id.to_string();
        r.version_received_at = t.now;
        r.payer = t.payer.to_string();
        return valid(r.report_id.clone(), Some(r.ir_report_id.clone()), Some(r.version));
    }
    if let Some(id) = &unit.id {
        if reports.iter().any(|r| held(r) && r.report_id.as_ref() == Some(id)) {
            return invalid(
                unit,
                vec![ErrorInfo::new(
                    "sim-report-id-used",
                    "a report with this ReportId is held already: replace it (ActionCode 2)",
                    None,
                )],
            );
        }
    }
    let ir_report_id = guid();
    reports.push(Report {
        payer: t.payer.to_string(),
        owner: t.owner.to_string(),
        delivery_data_type: t.kind,
        report_id: unit.id.clone(),
        ir_report_id: ir_report_id.clone(),
        version: 1,
        state: VALID.into(),
        ir_delivery_id: t.ir_delivery_id.to_string(),
        received_at: t.now,
        version_received_at: t.now,
        data,
    });
    valid(unit.id.clone(), Some(ir_report_id), Some(1))
}

/// The held report a replacement or a cancellation names (by ReportId and/or
/// IRReportId), if it is still valid and `ReportVersion`, when given, is its
/// latest version (TR §5.3, §9.2); otherwise the item's refusal.
fn latest_valid<'r>(unit: &Unit, reports: &'r mut [Report], owner: &str, kind: i64) -> Result<&'r mut Report, Decided> {
    let found = reports.iter_mut().find(|r| {
        r.owner == owner
            && r.delivery_data_type == kind
            && ids_match(unit, r.report_id.as_deref(), Some(&r.ir_report_id))
    });
    let Some(r) = found else {
        return Err(invalid(unit, vec![not_found("report")]));
    };
    if r.state == CANCELLED {
        return Err(invalid(unit, vec![cancelled_already("report")]));
    }
    if let Some(v) = unit.version.filter(|v| *v != r.version) {
        return Err(invalid(unit, vec![not_latest(v, r.version)]));
    }
    Ok(r)
}

/// One cancellation item (TR §9): reports (105-107), a subscription (108),
/// or a whole record (109-112).
pub(super) fn cancel(unit: &Unit, kind: i64, owner: &str, state: &State, scratch: &mut Scratch) -> Decided {
    match kind {
        105..=107 => {
            let r = match latest_valid(unit, &mut scratch.reports, owner, kind - 5) {
                Ok(r) => r,
                Err(refused) => return refused,
            };
            r.version += 1;
            r.state = CANCELLED.into();
            valid(r.report_id.clone(), Some(r.ir_report_id.clone()), Some(r.version))
        }
        108 => {
            let found = scratch.subscriptions.iter_mut().find(|s| {
                s.owner == owner && ids_match(unit, Some(&s.main_subscription_id), Some(&s.ir_main_subscription_id))
            });
            let Some(s) = found else {
                return invalid(unit, vec![not_found("subscription")]);
            };
            if s.state == CANCELLED {
                return invalid(unit, vec![cancelled_already("subscription")]);
            }
            s.state = CANCELLED.into();
            valid(
                Some(s.main_subscription_id.clone()),
                Some(s.ir_main_subscription_id.clone()),
                None,
            )
        }
        109..=112 => {
            let target = if kind == 112 { 103 } else { kind - 9 };
            let found = state.deliveries.iter().find(|d| {
                d.owner == owner
                    && d.delivery_data_type == target
                    && d.outcome == 3
                    && ids_match(unit, Some(&d.delivery_id), d.ir_delivery_id.as_deref())
            });
            let Some(d) = found else {
                return invalid(unit, vec![not_found("record")]);
            };
            let ir = d.ir_delivery_id.clone().unwrap_or_default();
            if d.cancelled || scratch.cancelled_deliveries.contains(&ir) {
                return invalid(unit, vec![cancelled_already("record")]);
            }
            for r in scratch
                .reports
                .iter_mut()
                .filter(|r| r.ir_delivery_id == ir && r.state == VALID)
            {
                r.version += 1;
                r.state = CANCELLED.into();
            }
            for s in scratch.subscriptions.iter_mut().filter(|s| s.ir_delivery_id == ir) {
                s.state = CANCELLED.into();
            }
            scratch.cancelled_deliveries.push(ir.clone());
            valid(Some(d.delivery_id.clone()), Some(ir), None)
        }
        _ => invalid(unit, vec![not_found("item")]),
    }
}

/// A record subscription (103): held, no extraction is ever run.
pub(super) fn subscription(rec: &Record, owner: &str, ir_delivery_id: &str, scratch: &mut Scratch) -> Decided {
    let id = rec
        .field(&["MainSubscription", "MainSubscriptionId"])
        .unwrap_or_default();
    let unit = Unit {
        id: Some(id.clone()),
        ..Unit::default()
    };
    if scratch
        .subscriptions
        .iter()
        .any(|s| s.owner == owner && s.main_subscription_id == id && s.state == VALID)
    {
        return invalid(
            &unit,
            vec![ErrorInfo::new(
                "sim-subscription-used",
                "a subscription with this MainSubscriptionId is held already",
                None,
            )],
        );
    }
    let ir = guid();
    scratch.subscriptions.push(Subscription {
        owner: owner.to_string(),
        main_subscription_id: id.clone(),
        ir_main_subscription_id: ir.clone(),
        ir_delivery_id: ir_delivery_id.to_string(),
        state: VALID.into(),
    });
    valid(Some(id), Some(ir), None)
}
