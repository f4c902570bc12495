//! What the simulator holds: the records that reached it, the reports it
//! stores with their versions, subscriptions and the status queries that
//! found nothing. Kept as a snapshot (`DIR/state.json`) and a journal of
//! the changes since (`journal`), so a change costs its own size, not the
//! size of everything held.

use super::clock::date_time;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;

/// One `ErrorInfo` of the feedback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// `ErrorCode`: a core diagnostic code, or a `sim-` code of the
    /// simulator's own checks.
    pub code: String,
    /// `ErrorMessage`.
    pub message: String,
    /// `ErrorDetails`: where (an element path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

impl ErrorInfo {
    /// An error with its code, message and where.
    pub fn new(code: &str, message: impl Into<String>, details: Option<String>) -> ErrorInfo {
        ErrorInfo {
            code: code.to_string(),
            message: message.into(),
            details,
        }
    }
}

/// One item of `ValidItems` or `InvalidItems`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// `ItemId`: the report's ReportId, the cancelled record's DeliveryId,
    /// the MainSubscriptionId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// `IRItemId`: the Register's reference of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ir_item_id: Option<String>,
    /// `ItemVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Its errors (invalid items only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorInfo>,
}

/// A record that reached the simulator (one per owner, DeliveryDataType and
/// DeliveryId).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// DeliveryDataOwner's Code.
    pub owner: String,
    /// DeliveryDataType.
    pub delivery_data_type: i64,
    /// The owner's DeliveryId.
    pub delivery_id: String,
    /// The Register's reference; `None` when refused at reception.
    pub ir_delivery_id: Option<String>,
    /// Every record with this owner, type and DeliveryId that arrived,
    /// refused duplicates included.
    pub arrivals: u32,
    /// When each of them arrived (Unix seconds); empty in states written
    /// before it was kept.
    #[serde(default)]
    pub arrival_times: Vec<f64>,
    /// The status once processed: 3, 4 (refused at reception) or 5.
    pub outcome: i64,
    /// Cancelled (109-112): status 6 from then on.
    #[serde(default)]
    pub cancelled: bool,
    /// When it arrived (Unix seconds).
    pub arrived_at: f64,
    /// When its processing is over (Unix seconds): status 2 until then.
    pub ready_at: f64,
    /// The operation it came with.
    pub operation: String,
    /// The header echoed in the feedback (`smt:DeliveryData`, as JSON).
    pub echo: Value,
    /// The record's DeliveryData without its reports (stored records only),
    /// for the query answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<Value>,
    /// The record's text without its reports (stored records of reports),
    /// to read a stored report back when a query needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skeleton: Option<Skeleton>,
    /// `ValidItems`.
    #[serde(default)]
    pub valid_items: Vec<Item>,
    /// `InvalidItems`.
    #[serde(default)]
    pub invalid_items: Vec<Item>,
    /// `MessageErrors`.
    #[serde(default)]
    pub message_errors: Vec<ErrorInfo>,
    /// `DeliveryErrors`.
    #[serde(default)]
    pub delivery_errors: Vec<ErrorInfo>,
    /// How it came: `sftp`, or (`None`) the Web Service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

/// The channel of a delivery that came over SFTP.
pub const SFTP: &str = "sftp";

impl Delivery {
    /// When it arrived, each time as far as known: states written before
    /// the times were kept know the time of the last arrival that was not
    /// a refused duplicate.
    pub fn known_arrival_times(&self) -> Vec<f64> {
        match self.arrival_times.is_empty() {
            true => vec![self.arrived_at],
            false => self.arrival_times.clone(),
        }
    }

    /// Its DeliveryDataStatus at `now`.
    pub fn status_at(&self, now: f64) -> i64 {
        match () {
            _ if self.outcome == 4 => 4,
            _ if self.cancelled => 6,
            _ if now < self.ready_at => 2,
            _ => self.outcome,
        }
    }
}

/// A record's text with its reports cut out, and where they were: a report
/// put back there is a record of that one report, which the core parses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skeleton {
    /// The record without its `Report` elements.
    pub text: String,
    /// Where the first report was in the text.
    pub reports_at: usize,
}

impl Skeleton {
    /// The record of one report, `report` being its `Report` element.
    pub fn with(&self, report: &str) -> Option<String> {
        let (before, after) = (self.text.get(..self.reports_at)?, self.text.get(self.reports_at..)?);
        Some([before, report, after].concat())
    }
}

/// The state of a stored report.
pub const VALID: &str = "valid";
/// The state of a cancelled report.
pub const CANCELLED: &str = "cancelled";

/// A stored report, at its latest version.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The payer (Payer/PayerIds' first Code, else the owner's).
    pub payer: String,
    /// DeliveryDataOwner's Code of the record that stored it.
    pub owner: String,
    /// 100, 101 or 102.
    pub delivery_data_type: i64,
    /// The payer's ReportId.
    pub report_id: Option<String>,
    /// The Register's IRReportId.
    pub ir_report_id: String,
    /// 1 when new, +1 for each replacement and for the cancellation.
    pub version: i64,
    /// `valid` or `cancelled`.
    pub state: String,
    /// The IRDeliveryId of the record its data came from.
    pub ir_delivery_id: String,
    /// When the first version arrived.
    pub received_at: f64,
    /// When this version arrived.
    pub version_received_at: f64,
    /// The report as sent, as its `Report` element: read (with its
    /// record's skeleton) only when a query needs it, as parsing every
    /// report on arrival costs more than the rest of the processing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml: Option<String>,
    /// The report as an object (states written before `xml` was kept).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub data: Value,
}

/// A record subscription (DeliveryDataType 103).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// DeliveryDataOwner's Code.
    pub owner: String,
    /// The subscriber's MainSubscriptionId.
    pub main_subscription_id: String,
    /// The Register's reference of it.
    pub ir_main_subscription_id: String,
    /// The record it came in.
    pub ir_delivery_id: String,
    /// `valid` or `cancelled`.
    pub state: String,
    /// Its `MainSubscription`, as the object `parse` gives (what it asks
    /// for, its filters and validity): what the distributions follow.
    /// `None` in states written before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_subscription: Option<Value>,
}

/// A status query answered "not found" (status 0): nothing matching was
/// held, or (`lag`) the `status-lag` fault held the record back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusMiss {
    /// DeliveryDataOwner's Code of the query.
    pub owner: String,
    /// The DeliveryDataType asked about.
    pub delivery_data_type: i64,
    /// The DeliveryId asked about, if given.
    pub delivery_id: Option<String>,
    /// The IRDeliveryId asked about, if given.
    pub ir_delivery_id: Option<String>,
    /// When (Unix seconds).
    pub at: f64,
    /// Whether the record was held but the `status-lag` fault hid it.
    #[serde(default)]
    pub lag: bool,
}

/// What one request changes: each entry the new value at an index (the
/// length: a new one), in order of index. Written to the journal before it
/// is applied, so replaying the journal gives the same state; applying an
/// entry again gives the same state too.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// Deliveries set or added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deliveries: Vec<(usize, Delivery)>,
    /// Reports set or added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<(usize, Report)>,
    /// Subscriptions set or added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<(usize, Subscription)>,
    /// Status queries that found nothing (appended).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_misses: Vec<StatusMiss>,
}

impl Change {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.deliveries.is_empty()
            && self.reports.is_empty()
            && self.subscriptions.is_empty()
            && self.status_misses.is_empty()
    }
}

/// Whether each index of `entries` is a held one or the next new one.
fn fits<T>(entries: &[(usize, T)], len: usize, what: &str) -> Result<(), String> {
    let mut len = len;
    for (i, _) in entries {
        match *i {
            i if i < len => {}
            i if i == len => len += 1,
            i => return Err(format!("a change names {what} {i} of {len}")),
        }
    }
    Ok(())
}

fn put<T>(list: &mut Vec<T>, i: usize, value: T) {
    match list.get_mut(i) {
        Some(slot) => *slot = value,
        None => list.push(value),
    }
}

/// Where things are, by what requests look them up with (rebuilt on load).
#[derive(Debug, Clone, Default)]
struct Index {
    /// Deliveries by owner, DeliveryDataType and DeliveryId.
    deliveries: HashMap<(String, i64, String), usize>,
    /// Deliveries by IRDeliveryId.
    ir_deliveries: HashMap<String, usize>,
    /// Reports by owner, DeliveryDataType and ReportId.
    reports: HashMap<(String, i64, String), usize>,
    /// Reports by IRReportId.
    ir_reports: HashMap<String, usize>,
}

impl Index {
    fn delivery(&mut self, i: usize, old: Option<&Delivery>, d: &Delivery) {
        if let Some(ir) = old.and_then(|o| o.ir_delivery_id.as_ref()) {
            if d.ir_delivery_id.as_ref() != Some(ir) {
                self.ir_deliveries.remove(ir);
            }
        }
        self.deliveries
            .insert((d.owner.clone(), d.delivery_data_type, d.delivery_id.clone()), i);
        if let Some(ir) = &d.ir_delivery_id {
            self.ir_deliveries.insert(ir.clone(), i);
        }
    }

    fn report(&mut self, i: usize, r: &Report) {
        if let Some(id) = &r.report_id {
            self.reports
                .insert((r.owner.clone(), r.delivery_data_type, id.clone()), i);
        }
        self.ir_reports.insert(r.ir_report_id.clone(), i);
    }
}

/// Everything the simulator holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// The records, in arrival order.
    #[serde(default)]
    pub deliveries: Vec<Delivery>,
    /// The reports.
    #[serde(default)]
    pub reports: Vec<Report>,
    /// The subscriptions.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    /// The status queries that found nothing, in order.
    #[serde(default)]
    pub status_misses: Vec<StatusMiss>,
    /// Which journal continues this snapshot (`journal-N.jsonl`).
    #[serde(default)]
    pub generation: u64,
    #[serde(skip)]
    index: Index,
}

impl State {
    /// A state read from a snapshot, with its index.
    pub fn indexed(mut self) -> State {
        let mut index = Index::default();
        for (i, d) in self.deliveries.iter().enumerate() {
            index.delivery(i, None, d);
        }
        for (i, r) in self.reports.iter().enumerate() {
            index.report(i, r);
        }
        self.index = index;
        self
    }

    /// Whether `change` fits this state (its indices name held entries or
    /// the next new ones).
    pub fn check(&self, change: &Change) -> Result<(), String> {
        fits(&change.deliveries, self.deliveries.len(), "delivery")?;
        fits(&change.reports, self.reports.len(), "report")?;
        fits(&change.subscriptions, self.subscriptions.len(), "subscription")
    }

    /// Applies `change` (checked first: nothing is applied if it does not fit).
    pub fn apply(&mut self, change: Change) -> Result<(), String> {
        self.check(&change)?;
        for (i, d) in change.deliveries {
            self.index.delivery(i, self.deliveries.get(i), &d);
            put(&mut self.deliveries, i, d);
        }
        for (i, r) in change.reports {
            self.index.report(i, &r);
            put(&mut self.reports, i, r);
        }
        for (i, s) in change.subscriptions {
            put(&mut self.subscriptions, i, s);
        }
        self.status_misses.extend(change.status_misses);
        Ok(())
    }

    /// Where the delivery of this owner, type and DeliveryId is.
    pub fn delivery_position(&self, owner: &str, kind: i64, delivery_id: &str) -> Option<usize> {
        let key = (owner.to_string(), kind, delivery_id.to_string());
        self.index.deliveries.get(&key).copied()
    }

    /// Where the delivery with this IRDeliveryId is.
    pub fn delivery_position_by_ir(&self, ir_delivery_id: &str) -> Option<usize> {
        self.index.ir_deliveries.get(ir_delivery_id).copied()
    }

    /// The delivery with this IRDeliveryId.
    pub fn delivery_by_ir(&self, ir_delivery_id: &str) -> Option<&Delivery> {
        self.deliveries.get(self.delivery_position_by_ir(ir_delivery_id)?)
    }

    /// The delivery of this owner and type that has the DeliveryId and the
    /// IRDeliveryId given (at least one; both must match when both are).
    pub fn find_delivery(&self, owner: &str, kind: i64, id: Option<&str>, ir: Option<&str>) -> Option<&Delivery> {
        let d = match (id, ir) {
            (Some(id), _) => self.deliveries.get(self.delivery_position(owner, kind, id)?)?,
            (None, Some(ir)) => self.delivery_by_ir(ir)?,
            (None, None) => return None,
        };
        let same = d.owner == owner
            && d.delivery_data_type == kind
            && id.is_none_or(|i| i == d.delivery_id)
            && ir.is_none_or(|i| Some(i) == d.ir_delivery_id.as_deref());
        same.then_some(d)
    }

    /// Where the report of this owner, type and ReportId is.
    pub fn report_position(&self, owner: &str, kind: i64, report_id: &str) -> Option<usize> {
        let key = (owner.to_string(), kind, report_id.to_string());
        self.index.reports.get(&key).copied()
    }

    /// Where the report with this IRReportId is.
    pub fn report_position_by_ir(&self, ir_report_id: &str) -> Option<usize> {
        self.index.ir_reports.get(ir_report_id).copied()
    }

    /// As `state.json` holds it.
    pub fn to_json(&self) -> Result<Vec<u8>, String> {
        let mut bytes = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// What `simulator state` prints: the contract's shape, statuses as
    /// they are at `now`, and no report contents.
    pub fn view(&self, now: f64) -> Value {
        let deliveries: Vec<Value> = self
            .deliveries
            .iter()
            .map(|d| {
                let times = d.known_arrival_times();
                json!({
                    "owner": d.owner,
                    "deliveryDataType": d.delivery_data_type,
                    "deliveryId": d.delivery_id,
                    "irDeliveryId": d.ir_delivery_id,
                    "arrivals": d.arrivals,
                    "arrivedAt": times.into_iter().map(date_time).collect::<Vec<_>>(),
                    "status": d.status_at(now),
                    "operation": d.operation,
                    "arrived": date_time(d.arrived_at),
                    "validItems": d.valid_items.len(),
                    "invalidItems": d.invalid_items.len(),
                    "channel": d.channel.as_deref().unwrap_or("ws"),
                })
            })
            .collect();
        let reports: Vec<Value> = self
            .reports
            .iter()
            .map(|r| {
                json!({
                    "payer": r.payer,
                    "deliveryDataType": r.delivery_data_type,
                    "reportId": r.report_id,
                    "irReportId": r.ir_report_id,
                    "version": r.version,
                    "state": r.state,
                    "owner": r.owner,
                    "irDeliveryId": r.ir_delivery_id,
                })
            })
            .collect();
        let subscriptions: Vec<Value> = self
            .subscriptions
            .iter()
            .map(|s| {
                json!({
                    "owner": s.owner,
                    "mainSubscriptionId": s.main_subscription_id,
                    "irMainSubscriptionId": s.ir_main_subscription_id,
                    "state": s.state,
                })
            })
            .collect();
        let misses: Vec<Value> = self
            .status_misses
            .iter()
            .map(|m| {
                json!({
                    "owner": m.owner,
                    "deliveryDataType": m.delivery_data_type,
                    "deliveryId": m.delivery_id,
                    "irDeliveryId": m.ir_delivery_id,
                    "at": date_time(m.at),
                    "lag": m.lag,
                })
            })
            .collect();
        json!({
            "deliveries": deliveries,
            "reports": reports,
            "subscriptions": subscriptions,
            "statusMisses": misses,
        })
    }
}
