//! The item level (TR §5.3, §9): each report or cancellation item the
//! schema and rules accept, checked against what is held (found through
//! its index) and applied to an overlay of it, which copies only what it
//! changes: new reports, replacements of the latest version, cancellations
//! of reports, subscriptions and whole records.

use super::clock::guid;
use super::inspect::Unit;
use super::store::{Change, ErrorInfo, Item, Report, State, Subscription, CANCELLED, VALID};
use std::collections::{BTreeMap, HashMap};

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

/// What the item level changes, over what is held: a report or
/// subscription is copied when first changed, and the copies (and the new
/// ones, at the indices after the held ones) become the record's change
/// when it is stored.
pub(super) struct Scratch<'s> {
    state: &'s State,
    reports: BTreeMap<usize, Report>,
    /// Reports new in this record, by owner, type and ReportId, and by IRReportId.
    new_reports: HashMap<(String, i64, String), usize>,
    new_ir_reports: HashMap<String, usize>,
    report_count: usize,
    subscriptions: BTreeMap<usize, Subscription>,
    subscription_count: usize,
    /// The IRDeliveryIds of the records cancelled whole.
    pub(super) cancelled_deliveries: Vec<String>,
}

impl<'s> Scratch<'s> {
    pub(super) fn new(state: &'s State) -> Scratch<'s> {
        Scratch {
            state,
            reports: BTreeMap::new(),
            new_reports: HashMap::new(),
            new_ir_reports: HashMap::new(),
            report_count: state.reports.len(),
            subscriptions: BTreeMap::new(),
            subscription_count: state.subscriptions.len(),
            cancelled_deliveries: vec![],
        }
    }

    fn report(&self, i: usize) -> Option<&Report> {
        self.reports.get(&i).or_else(|| self.state.reports.get(i))
    }

    fn report_mut(&mut self, i: usize) -> Option<&mut Report> {
        if !self.reports.contains_key(&i) {
            let held = self.state.reports.get(i)?.clone();
            self.reports.insert(i, held);
        }
        self.reports.get_mut(&i)
    }

    /// The report of this owner and type that the item's ids name.
    fn find_report(&self, unit: &Unit, owner: &str, kind: i64) -> Option<usize> {
        let i = match (&unit.id, &unit.ir_id) {
            (Some(id), _) => self
                .new_reports
                .get(&(owner.to_string(), kind, id.clone()))
                .copied()
                .or_else(|| self.state.report_position(owner, kind, id))?,
            (None, Some(ir)) => self
                .new_ir_reports
                .get(ir)
                .copied()
                .or_else(|| self.state.report_position_by_ir(ir))?,
            (None, None) => return None,
        };
        let r = self.report(i)?;
        let same = r.owner == owner
            && r.delivery_data_type == kind
            && ids_match(unit, r.report_id.as_deref(), Some(&r.ir_report_id));
        same.then_some(i)
    }

    fn add_report(&mut self, r: Report) {
        let i = self.report_count;
        if let Some(id) = &r.report_id {
            self.new_reports
                .insert((r.owner.clone(), r.delivery_data_type, id.clone()), i);
        }
        self.new_ir_reports.insert(r.ir_report_id.clone(), i);
        self.reports.insert(i, r);
        self.report_count += 1;
    }

    fn subscription(&self, i: usize) -> Option<&Subscription> {
        self.subscriptions.get(&i).or_else(|| self.state.subscriptions.get(i))
    }

    fn subscription_mut(&mut self, i: usize) -> Option<&mut Subscription> {
        if !self.subscriptions.contains_key(&i) {
            let held = self.state.subscriptions.get(i)?.clone();
            self.subscriptions.insert(i, held);
        }
        self.subscriptions.get_mut(&i)
    }

    /// Puts the reports and subscriptions changed or added into `change`,
    /// in order of index.
    pub(super) fn into_change(self, change: &mut Change) {
        change.reports = self.reports.into_iter().collect();
        change.subscriptions = self.subscriptions.into_iter().collect();
    }
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

/// A new report (ActionCode 1) or a replacement (2) (TR §5.3); `xml` is
/// its `Report` element as sent.
pub(super) fn report(unit: &Unit, xml: String, t: &Target, scratch: &mut Scratch) -> Decided {
    if unit.action == Some(2) {
        let r = match latest_valid(unit, scratch, t.owner, t.kind) {
            Ok(r) => r,
            Err(refused) => return refused,
        };
        r.version += 1;
        r.xml = Some(xml);
        r.data = serde_json::Value::Null;
        r.ir_delivery_id = t.ir_delivery_id.to_string();
        r.version_received_at = t.now;
        r.payer = t.payer.to_string();
        return valid(r.report_id.clone(), Some(r.ir_report_id.clone()), Some(r.version));
    }
    if let Some(id) = &unit.id {
        let named = Unit {
            id: Some(id.clone()),
            ..Unit::default()
        };
        if scratch.find_report(&named, t.owner, t.kind).is_some() {
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
    scratch.add_report(Report {
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
        xml: Some(xml),
        data: serde_json::Value::Null,
    });
    valid(unit.id.clone(), Some(ir_report_id), Some(1))
}

/// The held report a replacement or a cancellation names (by ReportId and/or
/// IRReportId), if it is still valid and `ReportVersion`, when given, is its
/// latest version (TR §5.3, §9.2); otherwise the item's refusal.
fn latest_valid<'r>(unit: &Unit, scratch: &'r mut Scratch, owner: &str, kind: i64) -> Result<&'r mut Report, Decided> {
    let found = scratch.find_report(unit, owner, kind);
    let Some(r) = found.and_then(|i| scratch.report_mut(i)) else {
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
            let r = match latest_valid(unit, scratch, owner, kind - 5) {
                Ok(r) => r,
                Err(refused) => return refused,
            };
            r.version += 1;
            r.state = CANCELLED.into();
            valid(r.report_id.clone(), Some(r.ir_report_id.clone()), Some(r.version))
        }
        108 => {
            let found = (0..scratch.subscription_count).find(|&i| {
                scratch.subscription(i).is_some_and(|s| {
                    s.owner == owner && ids_match(unit, Some(&s.main_subscription_id), Some(&s.ir_main_subscription_id))
                })
            });
            let Some(s) = found.and_then(|i| scratch.subscription_mut(i)) else {
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
            let found = state
                .find_delivery(owner, target, unit.id.as_deref(), unit.ir_id.as_deref())
                .filter(|d| d.outcome == 3);
            let Some(d) = found else {
                return invalid(unit, vec![not_found("record")]);
            };
            let ir = d.ir_delivery_id.clone().unwrap_or_default();
            if d.cancelled || scratch.cancelled_deliveries.contains(&ir) {
                return invalid(unit, vec![cancelled_already("record")]);
            }
            // A whole record is cancelled rarely: a pass over every report is fine.
            let reports: Vec<usize> = (0..scratch.report_count)
                .filter(|&i| {
                    scratch
                        .report(i)
                        .is_some_and(|r| r.ir_delivery_id == ir && r.state == VALID)
                })
                .collect();
            for i in reports {
                if let Some(r) = scratch.report_mut(i) {
                    r.version += 1;
                    r.state = CANCELLED.into();
                }
            }
            let subscriptions: Vec<usize> = (0..scratch.subscription_count)
                .filter(|&i| scratch.subscription(i).is_some_and(|s| s.ir_delivery_id == ir))
                .collect();
            for i in subscriptions {
                if let Some(s) = scratch.subscription_mut(i) {
                    s.state = CANCELLED.into();
                }
            }
            scratch.cancelled_deliveries.push(ir.clone());
            valid(Some(d.delivery_id.clone()), Some(ir), None)
        }
        _ => invalid(unit, vec![not_found("item")]),
    }
}

/// A record subscription (103): held, with its `MainSubscription` (`main`,
/// as parsed) for the distributions. `id` is its MainSubscriptionId.
pub(super) fn subscription(
    id: &str,
    main: Option<serde_json::Value>,
    owner: &str,
    ir_delivery_id: &str,
    scratch: &mut Scratch,
) -> Decided {
    let unit = Unit {
        id: Some(id.to_string()),
        ..Unit::default()
    };
    let held = (0..scratch.subscription_count).any(|i| {
        scratch
            .subscription(i)
            .is_some_and(|s| s.owner == owner && s.main_subscription_id == id && s.state == VALID)
    });
    if held {
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
    let i = scratch.subscription_count;
    scratch.subscriptions.insert(
        i,
        Subscription {
            owner: owner.to_string(),
            main_subscription_id: id.to_string(),
            ir_main_subscription_id: ir.clone(),
            ir_delivery_id: ir_delivery_id.to_string(),
            state: VALID.into(),
            main_subscription: main,
        },
    );
    scratch.subscription_count += 1;
    valid(Some(id.to_string()), Some(ir), None)
}
