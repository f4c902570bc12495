//! What the API shows of the ledger: a record, a report with its history,
//! the event feed, and the counts behind the metrics. The JSON shapes are
//! the API's (docs/service.md).

use super::db::{Row, Tx, Value};
use super::{int, real, state, text, Ledger, LedgerError};
use crate::client::request::timestamp;
use serde_json::{json, Map, Value as Json};

fn time(at: Option<f64>) -> Json {
    at.filter(|t| t.is_finite() && *t < 1e12)
        .map_or(Json::Null, |t| Json::String(timestamp(t as i64)))
}

fn errors(row: &Row, i: usize) -> Json {
    text(row, i)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| json!([]))
}

/// Leaves out keys whose value is null.
fn compact(mut v: Json) -> Json {
    if let Json::Object(m) = &mut v {
        m.retain(|_, v| !v.is_null());
    }
    v
}

/// One event of the feed.
#[derive(Debug, Clone)]
pub struct EventView {
    /// Its position in the feed.
    pub cursor: i64,
    /// As the API shows it.
    pub json: Json,
}

/// The counts behind `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    /// Reports by kind and state.
    pub reports: Vec<(String, String, i64)>,
    /// Records by state.
    pub records: Vec<(String, i64)>,
    /// Age of the oldest record not yet acknowledged or final (seconds).
    pub oldest_pending: Option<f64>,
}

const REPORT_COLUMNS: &str = "r.report_id, r.payer, r.kind, r.version, r.state, r.ir_report_id, r.ir_version, r.errors";

fn report_json(r: &Row, from: usize) -> Json {
    compact(json!({
        "reportId": text(r, from),
        "payer": text(r, from + 1),
        "kind": text(r, from + 2),
        "postedVersion": int(r, from + 3),
        "state": text(r, from + 4),
        "irReportId": text(r, from + 5),
        "version": r.get(from + 6).and_then(Value::int),
        "errors": errors(r, from + 7),
    }))
}

fn history(tx: &mut dyn Tx, sql: &str, params: &[Value]) -> Result<Vec<Json>, super::db::DbError> {
    let rows = tx.query(sql, params)?;
    Ok(rows
        .iter()
        .map(|r| {
            compact(json!({
                "state": text(r, 0),
                "at": time(real(r, 1)),
                "recordId": r.get(3).and_then(Value::int),
                "detail": text(r, 2),
            }))
        })
        .collect())
}

impl Ledger {
    /// A record as the API shows it, or `None`.
    pub fn record_view(&self, id: i64) -> Result<Option<Json>, LedgerError> {
        self.run(|tx| {
            let rows = tx.query(
                "SELECT id, delivery_id, kind, state, root, ddt, ir_delivery_id, attempts, reason, errors, created_at,
                        updated_at, realtime, cancels_record, report_count
                 FROM records WHERE id = $1",
                &[id.into()],
            )?;
            let Some(r) = rows.first() else { return Ok(None) };
            let reports = tx.query(
                &format!("SELECT {REPORT_COLUMNS} FROM reports r WHERE r.record_id = $1 ORDER BY r.position"),
                &[id.into()],
            )?;
            let cancels = tx.query(
                &format!(
                    "SELECT {REPORT_COLUMNS} FROM cancels c JOIN reports r ON r.id = c.report_row WHERE c.record_id = $1"
                ),
                &[id.into()],
            )?;
            let history = history(
                tx,
                "SELECT state, at, detail FROM events WHERE record_id = $1
                 GROUP BY state, at, detail ORDER BY MIN(seq)",
                &[id.into()],
            )?;
            let mut view = compact(json!({
                "id": int(r, 0),
                "deliveryId": text(r, 1),
                "state": state::visible(&text(r, 3).unwrap_or_default()),
                "reports": reports.iter().map(|x| report_json(x, 0)).collect::<Vec<_>>(),
                "kind": text(r, 2),
                "root": text(r, 4),
                "deliveryDataType": int(r, 5),
                "realtime": int(r, 12) != 0,
                "irDeliveryId": text(r, 6),
                "attempts": int(r, 7),
                "reason": text(r, 8),
                "errors": errors(r, 9),
                "created": time(real(r, 10)),
                "updated": time(real(r, 11)),
                "cancelsRecord": r.get(13).and_then(Value::int),
                "history": history,
            }));
            if !cancels.is_empty() {
                view["cancels"] = cancels.iter().map(|x| report_json(x, 0)).collect();
            }
            Ok(Some(view))
        })
    }

    /// A report's latest version as the API shows it, with the history of
    /// every version, or `None`.
    pub fn report_view(&self, payer: &str, kind: &str, report_id: &str) -> Result<Option<Json>, LedgerError> {
        self.run(|tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {REPORT_COLUMNS}, r.record_id, c.delivery_id, c.reason, c.state FROM reports r
                     JOIN records c ON c.id = r.record_id
                     WHERE r.payer = $1 AND r.kind = $2 AND r.report_id = $3 ORDER BY r.version DESC LIMIT 1"
                ),
                &[payer.into(), kind.into(), report_id.into()],
            )?;
            let Some(r) = rows.first() else { return Ok(None) };
            let mut view = report_json(r, 0);
            view["recordId"] = json!(int(r, 8));
            view["deliveryId"] = json!(text(r, 9));
            let report_state = text(r, 4).unwrap_or_default();
            if let Some(reason) = text(r, 10).filter(|_| report_state != state::STORED) {
                view["reason"] = json!(reason);
            }
            view["history"] = Json::Array(history(
                tx,
                "SELECT e.state, e.at, e.detail, e.record_id FROM events e JOIN reports r ON r.id = e.report_row
                 WHERE r.payer = $1 AND r.kind = $2 AND r.report_id = $3 ORDER BY r.version, e.seq",
                &[payer.into(), kind.into(), report_id.into()],
            )?);
            Ok(Some(view))
        })
    }

    /// Up to `limit` events after `cursor`, in order.
    pub fn events(&self, cursor: i64, limit: i64) -> Result<Vec<EventView>, LedgerError> {
        self.run(|tx| {
            let rows = tx.query(
                "SELECT e.seq, e.at, e.state, e.detail, e.record_id, c.delivery_id, c.kind,
                        r.report_id, r.payer, r.kind, r.ir_report_id, r.ir_version, r.errors, r.id, r.version
                 FROM events e JOIN records c ON c.id = e.record_id LEFT JOIN reports r ON r.id = e.report_row
                 WHERE e.seq > $1 ORDER BY e.seq LIMIT $2",
                &[cursor.into(), limit.into()],
            )?;
            Ok(rows
                .iter()
                .map(|r| {
                    let final_state = matches!(
                        text(r, 2).as_deref(),
                        Some(state::STORED | state::REJECTED | state::CANCELLED)
                    );
                    let mut event = Map::new();
                    event.insert("cursor".into(), json!(int(r, 0)));
                    event.insert("at".into(), time(real(r, 1)));
                    event.insert("state".into(), json!(text(r, 2)));
                    event.insert("recordId".into(), json!(int(r, 4)));
                    event.insert("deliveryId".into(), json!(text(r, 5)));
                    match r.get(13).and_then(Value::int) {
                        Some(_) => {
                            event.insert("payer".into(), json!(text(r, 8)));
                            event.insert("kind".into(), json!(text(r, 9)));
                            event.insert("reportId".into(), json!(text(r, 7)));
                            event.insert("postedVersion".into(), json!(r.get(14).and_then(Value::int)));
                            if final_state {
                                event.insert("irReportId".into(), json!(text(r, 10)));
                                event.insert("version".into(), json!(r.get(11).and_then(Value::int)));
                                event.insert("errors".into(), errors(r, 12));
                            }
                        }
                        None => {
                            event.insert("kind".into(), json!(text(r, 6)));
                        }
                    }
                    event.insert("detail".into(), json!(text(r, 3)));
                    EventView {
                        cursor: int(r, 0),
                        json: compact(Json::Object(event)),
                    }
                })
                .collect())
        })
    }

    /// The newest event's cursor (0 when there is none).
    pub fn last_cursor(&self) -> Result<i64, LedgerError> {
        self.run(|tx| {
            let rows = tx.query("SELECT MAX(seq) FROM events", &[])?;
            Ok(rows.first().map_or(0, |r| int(r, 0)))
        })
    }

    /// The counts behind `/metrics`.
    pub fn metrics(&self, now: f64) -> Result<Metrics, LedgerError> {
        self.run(|tx| {
            let reports = tx.query(
                "SELECT kind, state, COUNT(*) FROM reports GROUP BY kind, state ORDER BY kind, state",
                &[],
            )?;
            let records = tx.query("SELECT state, COUNT(*) FROM records GROUP BY state ORDER BY state", &[])?;
            let oldest = tx.query(
                "SELECT MIN(created_at) FROM records WHERE state IN ('open', 'ready', 'sending', 'uncertain')",
                &[],
            )?;
            Ok(Metrics {
                reports: reports
                    .iter()
                    .map(|r| {
                        (
                            text(r, 0).unwrap_or_default(),
                            text(r, 1).unwrap_or_default(),
                            int(r, 2),
                        )
                    })
                    .collect(),
                records: records
                    .iter()
                    .map(|r| (state::visible(&text(r, 0).unwrap_or_default()).to_string(), int(r, 1)))
                    .collect(),
                oldest_pending: oldest.first().and_then(|r| real(r, 0)).map(|t| (now - t).max(0.0)),
            })
        })
    }
}

impl Ledger {
    /// The current state and DeliveryId of each added report.
    pub fn report_states(&self, added: &[super::Added]) -> Result<Vec<(String, String)>, LedgerError> {
        self.run(|tx| {
            let mut out = Vec::with_capacity(added.len());
            let mut deliveries: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
            for a in added {
                if !a.existing {
                    // Just kept: accepted, in a record that has its DeliveryId.
                    if let std::collections::hash_map::Entry::Vacant(e) = deliveries.entry(a.record) {
                        let rows = tx.query("SELECT delivery_id FROM records WHERE id = $1", &[a.record.into()])?;
                        e.insert(rows.first().and_then(|r| text(r, 0)).unwrap_or_default());
                    }
                    out.push((state::ACCEPTED.to_string(), deliveries[&a.record].clone()));
                    continue;
                }
                let rows = tx.query(
                    "SELECT r.state, c.delivery_id FROM reports r JOIN records c ON c.id = r.record_id WHERE r.id = $1",
                    &[a.row.into()],
                )?;
                let row = rows.first();
                out.push((
                    row.and_then(|r| text(r, 0)).unwrap_or_default(),
                    row.and_then(|r| text(r, 1)).unwrap_or_default(),
                ));
            }
            Ok(out)
        })
    }
}
