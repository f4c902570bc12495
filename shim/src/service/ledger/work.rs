//! The worker's side of the ledger: claiming a record that is due (with a
//! lease, so one instance works on it at a time, and a killed instance's
//! claim expires), and recording what became of it. Every change checks
//! that the lease is still this instance's: a change after a lost lease
//! is dropped.

use super::db::{DbError, Tx, Value};
use super::{events_of_record, int, real, set_state, state, text, Ledger, LedgerError};

/// A record claimed by this instance.
#[derive(Debug, Clone)]
pub struct Claim {
    /// Its id.
    pub id: i64,
    /// This claim's own name in the lease: every change must give it.
    pub token: String,
    /// Its state when claimed (`open` and `ready` are now `ready`).
    pub state: String,
    /// The bytes may have left before (a killed instance's claim, or a
    /// resend): the Register must be asked before anything is sent.
    pub in_flight: bool,
    /// The signed record was made (and kept): [`Ledger::signed`].
    pub signed: bool,
    /// The record was posted whole: [`Ledger::posted`] is its XML.
    pub posted: bool,
    /// The status request that asks about it (`StatusQuery::to_json`),
    /// once signed.
    pub status_query: Option<String>,
    /// DeliveryData without Timestamp, DeliveryId and Reports (JSON).
    pub header: Option<String>,
    /// Its root element.
    pub root: String,
    /// Its kind.
    pub kind: String,
    /// Its DeliveryDataType.
    pub ddt: i64,
    /// Its DeliveryId.
    pub delivery_id: String,
    /// DeliveryDataOwner's Code.
    pub owner: String,
    /// Sends so far.
    pub attempts: i64,
    /// A resend was refused at reception (status 4): the Register may
    /// hold the first one.
    pub resend_refused: bool,
    /// When the receipt came.
    pub acked_at: Option<f64>,
    /// Since when it has been uncertain.
    pub uncertain_since: Option<f64>,
    /// The Register's IRDeliveryId.
    pub ir_delivery_id: Option<String>,
    /// When it was made.
    pub created_at: f64,
    /// The record it cancels (109-111).
    pub cancels_record: Option<i64>,
}

/// The Register's verdict on one item.
#[derive(Debug, Clone)]
pub struct ItemResult {
    /// `ItemId`: the ReportId (or the cancelled DeliveryId, ...).
    pub item_id: Option<String>,
    /// `IRItemId`.
    pub ir_item_id: Option<String>,
    /// `ItemVersion`.
    pub version: Option<i64>,
    /// Its errors, as JSON (empty: valid).
    pub errors: Vec<serde_json::Value>,
}

/// What became of a claimed record.
#[derive(Debug, Clone)]
pub enum Change {
    /// Signed: about to send. Committed before any byte leaves.
    Sending {
        /// The signed record.
        signed: Vec<u8>,
        /// The status request that asks about it (JSON).
        status_query: String,
    },
    /// About to send the same signed bytes again (a status query found
    /// nothing).
    Resending,
    /// Nothing left: try again at `next_at`.
    Retry {
        /// When.
        next_at: f64,
        /// Why, in words.
        reason: String,
    },
    /// It may have arrived: ask at `next_at`.
    Uncertain {
        /// When to ask.
        next_at: f64,
        /// Why, in words.
        reason: String,
        /// A resend was refused at reception.
        resend_refused: bool,
    },
    /// Acknowledged (or still processing): ask at `next_at`.
    Sent {
        /// The Register's IRDeliveryId.
        ir_delivery_id: Option<String>,
        /// When to ask.
        next_at: f64,
    },
    /// Not final, state unchanged: look again at `next_at`.
    Later {
        /// When.
        next_at: f64,
        /// Why, in words (the last attempt's outcome).
        reason: String,
    },
    /// The Register's final feedback.
    Final {
        /// DeliveryDataStatus: 3 stored, 4/5 rejected, 6 cancelled.
        status: i64,
        /// The Register's IRDeliveryId.
        ir_delivery_id: Option<String>,
        /// Valid and invalid items.
        items: Vec<ItemResult>,
        /// Message and delivery errors, as JSON.
        errors: Vec<serde_json::Value>,
        /// In words (a refusal's fault string, ...).
        reason: Option<String>,
    },
    /// Rejected before sending (the local checks): nothing was sent.
    RejectedLocally {
        /// Why, in words.
        reason: String,
        /// The diagnostics, as JSON.
        errors: Vec<serde_json::Value>,
    },
    /// Needs a person.
    Attention {
        /// Why, in words.
        reason: String,
    },
}

/// The columns a claim reads, in order.
// Not the blobs: a claim to ask about a record must not read megabytes.
const CLAIM_COLUMNS: &str = "id, state, in_flight, signed IS NOT NULL, xml IS NOT NULL, header, root, kind, ddt,
    delivery_id, owner, attempts, resend_refused, acked_at, uncertain_since, ir_delivery_id, created_at,
    cancels_record, status_query";

fn claim_of(r: &[Value]) -> Claim {
    let r = r.to_vec();
    Claim {
        id: int(&r, 0),
        token: String::new(),
        state: text(&r, 1).unwrap_or_default(),
        in_flight: int(&r, 2) != 0,
        signed: int(&r, 3) != 0,
        posted: int(&r, 4) != 0,
        header: text(&r, 5),
        root: text(&r, 6).unwrap_or_default(),
        kind: text(&r, 7).unwrap_or_default(),
        ddt: int(&r, 8),
        delivery_id: text(&r, 9).unwrap_or_default(),
        owner: text(&r, 10).unwrap_or_default(),
        attempts: int(&r, 11),
        resend_refused: int(&r, 12) != 0,
        acked_at: real(&r, 13),
        uncertain_since: real(&r, 14),
        ir_delivery_id: text(&r, 15),
        created_at: real(&r, 16).unwrap_or(0.0),
        cancels_record: r.get(17).and_then(Value::int),
        status_query: text(&r, 18),
    }
}

/// The states a record waiting on another waits through.
const UNACKNOWLEDGED: &str = "('open', 'ready', 'sending', 'uncertain', 'attention')";

impl Ledger {
    /// Claims the next record that is due for `instance` until
    /// `now + lease`, or `None`. The claim's token (the instance and a
    /// random part) fences every change: a task whose lease expired, of
    /// this instance or another, changes nothing.
    pub fn claim(&self, instance: &str, now: f64, lease: f64) -> Result<Option<Claim>, LedgerError> {
        let lock = self.skip_locked();
        let token = format!("{instance}/{}", crate::service::random_hex(6));
        let owner = token.as_str();
        self.run(|tx| {
            let rows = tx.query(
                &format!(
                    "SELECT {CLAIM_COLUMNS} FROM records
                     WHERE state IN ('open', 'ready', 'sending', 'sent', 'uncertain') AND next_at <= $1
                       AND (lease_until IS NULL OR lease_until < $1)
                       AND NOT EXISTS (SELECT 1 FROM holds h JOIN records t ON t.id = h.on_record_id
                                       WHERE h.record_id = records.id AND t.state IN {UNACKNOWLEDGED})
                     ORDER BY next_at, id LIMIT 1{lock}"
                ),
                &[now.into()],
            )?;
            let Some(row) = rows.first() else { return Ok(None) };
            let mut claim = claim_of(row);
            let record_state = match claim.state.as_str() {
                // A closed record takes no more reports.
                state::OPEN => state::READY,
                s => s,
            }
            .to_string();
            tx.execute(
                "UPDATE records SET state = $1, lease_owner = $2, lease_until = $3 WHERE id = $4",
                &[
                    record_state.as_str().into(),
                    owner.into(),
                    (now + lease).into(),
                    claim.id.into(),
                ],
            )?;
            claim.state = record_state;
            claim.token = owner.to_string();
            Ok(Some(claim))
        })
    }

    /// The signed record kept for `record`.
    pub fn signed(&self, record: i64) -> Result<Option<Vec<u8>>, LedgerError> {
        self.blob(record, "signed")
    }

    /// The unsigned record posted whole as `record`.
    pub fn posted(&self, record: i64) -> Result<Option<Vec<u8>>, LedgerError> {
        self.blob(record, "xml")
    }

    fn blob(&self, record: i64, column: &str) -> Result<Option<Vec<u8>>, LedgerError> {
        self.run(|tx| {
            let rows = tx.query(&format!("SELECT {column} FROM records WHERE id = $1"), &[record.into()])?;
            Ok(rows
                .first()
                .and_then(|r| r.first())
                .and_then(Value::bytes)
                .map(<[u8]>::to_vec))
        })
    }

    /// The report objects of a record, in order (to build it).
    pub fn report_bodies(&self, record: i64) -> Result<Vec<String>, LedgerError> {
        self.run(|tx| {
            let rows = tx.query(
                "SELECT body FROM reports WHERE record_id = $1 ORDER BY position",
                &[record.into()],
            )?;
            Ok(rows.iter().filter_map(|r| text(r, 0)).collect())
        })
    }

    /// Records what became of a claimed record. `false`: the lease was
    /// lost (expired, or another claim has the record), nothing was
    /// changed. Sending extends the lease by `lease`: it must outlast the
    /// request that follows.
    pub fn change(&self, record: i64, token: &str, change: &Change, now: f64, lease: f64) -> Result<bool, LedgerError> {
        self.run(|tx| {
            tx.lock_feed()?;
            let held = tx.query(
                &format!(
                    "SELECT lease_owner, lease_until FROM records WHERE id = $1{}",
                    self.for_update()
                ),
                &[record.into()],
            )?;
            let Some(row) = held.first() else { return Ok(false) };
            if text(row, 0).as_deref() != Some(token) || real(row, 1).is_none_or(|until| until < now) {
                return Ok(false);
            }
            if matches!(change, Change::Sending { .. } | Change::Resending) {
                tx.execute(
                    "UPDATE records SET lease_until = $1 WHERE id = $2",
                    &[(now + lease).into(), record.into()],
                )?;
            }
            apply(tx, record, change, now)?;
            Ok(true)
        })
    }

    /// Extends the claim's lease to `now + lease`; `false` when it was lost
    /// (then nothing more may leave under it).
    pub fn extend_lease(&self, record: i64, token: &str, now: f64, lease: f64) -> Result<bool, LedgerError> {
        self.run(|tx| {
            let changed = tx.execute(
                "UPDATE records SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND lease_until >= $4",
                &[(now + lease).into(), record.into(), token.into(), now.into()],
            )?;
            Ok(changed == 1)
        })
    }

    /// Another record than `record` with the DeliveryId `delivery_id` that
    /// went over SFTP and is not final: its id and state. Files on the SFTP
    /// server are named by the DeliveryId alone, so only one such record may
    /// be on the server at a time.
    pub fn sftp_name_holder(&self, record: i64, delivery_id: &str) -> Result<Option<(i64, String)>, LedgerError> {
        self.run(|tx| {
            let rows = tx.query(
                "SELECT id, state FROM records
                 WHERE state IN ('sending', 'sent', 'uncertain', 'attention')
                   AND delivery_id = $1 AND id <> $2 AND status_query LIKE $3 LIMIT 1",
                &[delivery_id.into(), record.into(), "%\"channel\":\"sftp\"%".into()],
            )?;
            Ok(rows.first().map(|r| (int(r, 0), text(r, 1).unwrap_or_default())))
        })
    }

    /// Keeps a request and its answer (either may be absent), made by
    /// `instance`.
    #[allow(clippy::too_many_arguments)]
    pub fn keep_exchange(
        &self,
        record: i64,
        operation: &str,
        instance: &str,
        request: Option<&[u8]>,
        answer: Option<&[u8]>,
        outcome: &str,
        now: f64,
    ) -> Result<(), LedgerError> {
        self.run(|tx| {
            tx.execute(
                "INSERT INTO exchanges (record_id, at, operation, instance, request, answer, outcome)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    record.into(),
                    now.into(),
                    operation.into(),
                    instance.into(),
                    request.map(<[u8]>::to_vec).into(),
                    answer.map(<[u8]>::to_vec).into(),
                    outcome.into(),
                ],
            )?;
            Ok(())
        })
    }

    /// Forgets requests and answers older than `before`; how many.
    pub fn prune(&self, before: f64) -> Result<u64, LedgerError> {
        self.run(|tx| Ok(tx.execute("DELETE FROM exchanges WHERE at < $1", &[before.into()])?))
    }
}

fn release(tx: &mut dyn Tx, record: i64, next_at: f64, now: f64) -> Result<(), DbError> {
    tx.execute(
        "UPDATE records SET lease_owner = NULL, lease_until = NULL, next_at = $1, updated_at = $2 WHERE id = $3",
        &[next_at.into(), now.into(), record.into()],
    )
    .map(|_| ())
}

fn json_text(list: &[serde_json::Value]) -> Option<String> {
    (!list.is_empty()).then(|| serde_json::Value::Array(list.to_vec()).to_string())
}

fn apply(tx: &mut dyn Tx, record: i64, change: &Change, now: f64) -> Result<(), DbError> {
    match change {
        Change::Sending { signed, status_query } => {
            tx.execute(
                "UPDATE records SET signed = $1, status_query = $2, in_flight = 1, attempts = attempts + 1 WHERE id = $3",
                &[signed.clone().into(), status_query.as_str().into(), record.into()],
            )?;
            set_state(tx, record, state::SENDING, now, None)
        }
        Change::Resending => {
            tx.execute(
                "UPDATE records SET in_flight = 1, attempts = attempts + 1 WHERE id = $1",
                &[record.into()],
            )?;
            set_state(
                tx,
                record,
                state::SENDING,
                now,
                Some("the Register does not have it: sent again"),
            )
        }
        Change::Retry { next_at, reason } => {
            tx.execute(
                "UPDATE records SET in_flight = 0, reason = $1 WHERE id = $2",
                &[reason.as_str().into(), record.into()],
            )?;
            release(tx, record, *next_at, now)
        }
        Change::Uncertain {
            next_at,
            reason,
            resend_refused,
        } => {
            tx.execute(
                "UPDATE records SET in_flight = 0, resend_refused = $1,
                    uncertain_since = COALESCE(uncertain_since, $2) WHERE id = $3",
                &[(*resend_refused as i64).into(), now.into(), record.into()],
            )?;
            set_state(tx, record, state::UNCERTAIN, now, Some(reason))?;
            release(tx, record, *next_at, now)
        }
        Change::Sent {
            ir_delivery_id,
            next_at,
        } => {
            tx.execute(
                "UPDATE records SET in_flight = 0, uncertain_since = NULL, acked_at = COALESCE(acked_at, $1),
                    ir_delivery_id = COALESCE($2, ir_delivery_id) WHERE id = $3",
                &[now.into(), ir_delivery_id.clone().into(), record.into()],
            )?;
            set_state(tx, record, state::SENT, now, None)?;
            release(tx, record, *next_at, now)
        }
        Change::Later { next_at, reason } => {
            tx.execute(
                "UPDATE records SET reason = $1 WHERE id = $2",
                &[reason.as_str().into(), record.into()],
            )?;
            release(tx, record, *next_at, now)
        }
        Change::Final {
            status,
            ir_delivery_id,
            items,
            errors,
            reason,
        } => final_feedback(
            tx,
            record,
            *status,
            ir_delivery_id.as_deref(),
            items,
            errors,
            reason.as_deref(),
            now,
        ),
        Change::RejectedLocally { reason, errors } => {
            tx.execute(
                "UPDATE records SET errors = $1, in_flight = 0 WHERE id = $2",
                &[json_text(errors).into(), record.into()],
            )?;
            tx.execute(
                "UPDATE reports SET errors = $1 WHERE record_id = $2",
                &[json_text(errors).into(), record.into()],
            )?;
            set_state(tx, record, state::REJECTED, now, Some(reason))?;
            release(tx, record, f64::MAX, now)
        }
        Change::Attention { reason } => {
            tx.execute("UPDATE records SET in_flight = 0 WHERE id = $1", &[record.into()])?;
            set_state(tx, record, state::ATTENTION, now, Some(reason))?;
            release(tx, record, f64::MAX, now)
        }
    }
}

/// The final feedback: the record's state, each report's, and for a
/// cancellation the reports it cancelled.
#[allow(clippy::too_many_arguments)]
fn final_feedback(
    tx: &mut dyn Tx,
    record: i64,
    status: i64,
    ir_delivery_id: Option<&str>,
    items: &[ItemResult],
    errors: &[serde_json::Value],
    reason: Option<&str>,
    now: f64,
) -> Result<(), DbError> {
    let record_state = match status {
        3 => state::STORED,
        6 => state::CANCELLED,
        _ => state::REJECTED,
    };
    tx.execute(
        "UPDATE records SET state = $1, in_flight = 0, uncertain_since = NULL, ir_delivery_id = COALESCE($2, ir_delivery_id),
            errors = $3, reason = $4, updated_at = $5 WHERE id = $6",
        &[
            record_state.into(),
            ir_delivery_id.into(),
            json_text(errors).into(),
            reason.into(),
            now.into(),
            record.into(),
        ],
    )?;
    let reports = tx.query(
        "SELECT id, report_id, state FROM reports WHERE record_id = $1 ORDER BY position",
        &[record.into()],
    )?;
    let detail = if status == 3 { None } else { reason };
    tx.lock_feed()?;
    for r in &reports {
        let (row, report_id) = (int(r, 0), text(r, 1));
        // A stored cancellation may be processed before the record of the
        // version it cancelled: that report stays cancelled, told once.
        let item = items.iter().find(|i| i.item_id.is_some() && i.item_id == report_id);
        if text(r, 2).as_deref() == Some(state::CANCELLED) {
            // Only the Register's ids are still news.
            tx.execute(
                "UPDATE reports SET ir_report_id = COALESCE(ir_report_id, $1), ir_version = COALESCE(ir_version, $2) WHERE id = $3",
                &[
                    item.and_then(|i| i.ir_item_id.clone()).into(),
                    item.and_then(|i| i.version).into(),
                    row.into(),
                ],
            )?;
            continue;
        }
        let (report_state, errors_of_report) = match (status, item) {
            (3, Some(i)) if i.errors.is_empty() => (state::STORED, None),
            (3, Some(i)) => (state::REJECTED, json_text(&i.errors)),
            // Stored records name every item; one that is missing needs a look.
            (3, None) => (state::ATTENTION, None),
            (6, _) => (state::CANCELLED, None),
            (_, Some(i)) if !i.errors.is_empty() => (state::REJECTED, json_text(&i.errors)),
            _ => (state::REJECTED, json_text(errors)),
        };
        tx.execute(
            "UPDATE reports SET state = $1, ir_report_id = $2, ir_version = $3, errors = $4, updated_at = $5 WHERE id = $6",
            &[
                report_state.into(),
                item.and_then(|i| i.ir_item_id.clone()).into(),
                item.and_then(|i| i.version).into(),
                errors_of_report.into(),
                now.into(),
                row.into(),
            ],
        )?;
        tx.execute(
            "INSERT INTO events (at, record_id, report_row, state, detail) VALUES ($1, $2, $3, $4, $5)",
            &[
                now.into(),
                record.into(),
                row.into(),
                report_state.into(),
                detail.into(),
            ],
        )?;
    }
    if reports.is_empty() {
        events_of_record(tx, record, now, detail)?;
    }
    if status == 3 {
        cancelled_by(tx, record, items, now)?;
    }
    release(tx, record, f64::MAX, now)
}

/// A stored cancellation: the report versions (or the record) it cancels
/// are cancelled, when the Register took the item.
fn cancelled_by(tx: &mut dyn Tx, record: i64, items: &[ItemResult], now: f64) -> Result<(), DbError> {
    let valid = |id: &Option<String>| items.iter().any(|i| i.errors.is_empty() && i.item_id == *id);
    let rows = tx.query(
        "SELECT r.id, r.report_id FROM cancels c JOIN reports r ON r.id = c.report_row WHERE c.record_id = $1",
        &[record.into()],
    )?;
    let mut cancelled = vec![];
    for r in &rows {
        if valid(&text(r, 1)) {
            cancelled.push(int(r, 0));
        }
    }
    let target = tx.query(
        "SELECT t.id, t.delivery_id FROM records c JOIN records t ON t.id = c.cancels_record WHERE c.id = $1",
        &[record.into()],
    )?;
    if let Some(t) = target.first() {
        if valid(&text(t, 1)) {
            let target = int(t, 0);
            tx.execute(
                "UPDATE records SET state = $1, updated_at = $2 WHERE id = $3",
                &[state::CANCELLED.into(), now.into(), target.into()],
            )?;
            let stored = tx.query(
                "SELECT id FROM reports WHERE record_id = $1 AND state = 'stored'",
                &[target.into()],
            )?;
            cancelled.extend(stored.iter().map(|r| int(r, 0)));
        }
    }
    for row in cancelled {
        tx.execute(
            "UPDATE reports SET state = $1, updated_at = $2 WHERE id = $3",
            &[state::CANCELLED.into(), now.into(), row.into()],
        )?;
        tx.execute(
            "INSERT INTO events (at, record_id, report_row, state, detail)
             SELECT $1, record_id, id, state, $2 FROM reports WHERE id = $3",
            &[now.into(), format!("cancelled by record {record}").into(), row.into()],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{now, NewRecord};
    use super::*;
    use crate::service::settings::LedgerLocation;

    fn record(owner: &str, delivery_id: &str) -> NewRecord {
        NewRecord {
            kind: "earnings".into(),
            root: "WageReportsRequestToIR".into(),
            ddt: 100,
            owner: owner.into(),
            delivery_id: Some(delivery_id.into()),
            xml: Some(b"<x/>".to_vec()),
            header: None,
            content_hash: format!("{owner}{delivery_id}"),
            realtime: false,
            reports: vec![],
            cancels: vec![],
            cancels_record: None,
            holds: vec![],
        }
    }

    #[test]
    fn one_sftp_record_per_delivery_id_and_a_lost_lease_is_not_extended() {
        let dir = std::env::temp_dir().join(format!("ledger-work-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let ledger = Ledger::open(&LedgerLocation::Sqlite(dir.join("l.db")), 0.0).unwrap();
        let t = now();
        let a = ledger.add_record(&record("1234567-1", "D1"), t).unwrap().id;
        let b = ledger.add_record(&record("7654321-2", "D1"), t).unwrap().id;
        assert_eq!(ledger.sftp_name_holder(b, "D1").unwrap(), None, "nothing sent yet");
        let claim = ledger.claim("me", t, 30.0).unwrap().unwrap();
        assert_eq!(claim.id, a);
        let sending = Change::Sending {
            signed: b"<signed/>".to_vec(),
            status_query: r#"{"channel":"sftp"}"#.into(),
        };
        assert!(ledger.change(a, &claim.token, &sending, t, 30.0).unwrap());
        assert_eq!(ledger.sftp_name_holder(b, "D1").unwrap(), Some((a, "sending".into())));
        assert_eq!(ledger.sftp_name_holder(a, "D1").unwrap(), None, "not itself");
        assert_eq!(ledger.sftp_name_holder(b, "D2").unwrap(), None);

        assert!(ledger.extend_lease(a, &claim.token, t + 1.0, 30.0).unwrap());
        assert!(!ledger.extend_lease(a, "someone else", t + 1.0, 30.0).unwrap());
        assert!(
            !ledger.extend_lease(a, &claim.token, t + 100.0, 30.0).unwrap(),
            "expired"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
