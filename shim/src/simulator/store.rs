//! What the simulator holds (`DIR/state.json`): the records that reached it,
//! the reports it stores with their versions, and subscriptions. Written
//! atomically after every change, so it survives a restart.

use super::clock::date_time;
use super::files::{write_atomic, PUBLIC};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::path::Path;

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
}

impl Delivery {
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
    /// The report as sent (the object `parse` gives, of `Reports/Report`).
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
}

impl State {
    /// Reads `DIR/state.json`.
    pub fn load(dir: &Path) -> Result<State, String> {
        let path = dir.join("state.json");
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
                "{}: absent (make the folder with `simulator init`)",
                path.display()
            )),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// As `state.json` holds it.
    pub fn to_json(&self) -> Result<Vec<u8>, String> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Writes `DIR/state.json` atomically.
    pub fn save(&self, dir: &Path) -> Result<(), String> {
        let path = dir.join("state.json");
        write_atomic(&path, &self.to_json()?, PUBLIC).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// What `simulator state` prints: the contract's shape, statuses as
    /// they are at `now`, and no report contents.
    pub fn view(&self, now: f64) -> Value {
        let deliveries: Vec<Value> = self
            .deliveries
            .iter()
            .map(|d| {
                json!({
                    "owner": d.owner,
                    "deliveryDataType": d.delivery_data_type,
                    "deliveryId": d.delivery_id,
                    "irDeliveryId": d.ir_delivery_id,
                    "arrivals": d.arrivals,
                    "status": d.status_at(now),
                    "operation": d.operation,
                    "arrived": date_time(d.arrived_at),
                    "validItems": d.valid_items.len(),
                    "invalidItems": d.invalid_items.len(),
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
        json!({ "deliveries": deliveries, "reports": reports, "subscriptions": subscriptions })
    }
}
