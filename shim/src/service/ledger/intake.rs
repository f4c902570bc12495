//! Taking posted work into the ledger: whole records, reports grouped into
//! open records, cancellations. Each call is one transaction: a batch is
//! kept whole or not at all.

use super::db::{DbError, Tx, Value};
use super::{events_of_record, int, state, text, Ledger, LedgerError};
use std::collections::HashMap;

/// A report to keep: its identity, its content's hash, and (for reports
/// the service groups) its object.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// The payer's identifier (the URL's `{payer}`).
    pub payer: String,
    /// `earnings`, `employer-separate` or `benefits`.
    pub kind: String,
    /// The payer's ReportId.
    pub report_id: String,
    /// ActionCode: 1 new, 2 replacement.
    pub action: i64,
    /// SHA-256 of what was posted (hex).
    pub content_hash: String,
    /// The report's JSON object (`Reports/Report`), for grouped reports.
    pub body: Option<String>,
}

/// The record a grouped report goes into: reports with the same key share
/// records.
#[derive(Debug, Clone)]
pub struct Group {
    /// What the reports of one record share (kind, header, real-time, action).
    pub key: String,
    /// The record's `DeliveryData` without Timestamp, DeliveryId and
    /// Reports, as JSON.
    pub header: String,
    /// The record's root element.
    pub root: String,
    /// Its DeliveryDataType.
    pub ddt: i64,
    /// DeliveryDataOwner's Code.
    pub owner: String,
    /// One report per record, sent with the real-time operation.
    pub realtime: bool,
}

/// A record to keep whole (posted to /v1/records, or a cancellation).
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// The kind (`earnings`, ..., or `cancellation`).
    pub kind: String,
    /// Its root element.
    pub root: String,
    /// DeliveryDataType.
    pub ddt: i64,
    /// DeliveryDataOwner's Code.
    pub owner: String,
    /// The caller's DeliveryId; `None`: the ledger gives one (cancellations).
    pub delivery_id: Option<String>,
    /// The unsigned record as posted; `None` when it is built from `header`.
    pub xml: Option<Vec<u8>>,
    /// `DeliveryData` without Timestamp and DeliveryId, as JSON (cancellations).
    pub header: Option<String>,
    /// SHA-256 of what was posted (hex).
    pub content_hash: String,
    /// Sent with the real-time operation.
    pub realtime: bool,
    /// Its reports.
    pub reports: Vec<NewReport>,
    /// The report versions (ledger rows) it cancels.
    pub cancels: Vec<i64>,
    /// The record it cancels.
    pub cancels_record: Option<i64>,
    /// The records it waits for.
    pub holds: Vec<i64>,
}

/// What became of a posted record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    /// The record's id in the ledger.
    pub id: i64,
    /// It was posted before (same content): nothing new was kept.
    pub existing: bool,
}

/// What became of one posted report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Added {
    /// The report version's row.
    pub row: i64,
    /// Its record.
    pub record: i64,
    /// It was posted before (same content).
    pub existing: bool,
}

/// The latest version of a report, as far as a new post needs it.
struct Latest {
    record: i64,
    version: i64,
    state: String,
}

/// A version with the same content: its row and record.
type Same = Option<(i64, i64)>;

/// Versions of (payer, kind, ReportId): the row of one with this content,
/// and the latest.
fn versions(tx: &mut dyn Tx, r: &NewReport) -> Result<(Same, Option<Latest>), DbError> {
    let rows = tx.query(
        "SELECT id, record_id, version, state, content_hash FROM reports
         WHERE payer = $1 AND kind = $2 AND report_id = $3 ORDER BY version DESC",
        &[
            r.payer.as_str().into(),
            r.kind.as_str().into(),
            r.report_id.as_str().into(),
        ],
    )?;
    let same = rows
        .iter()
        .find(|row| text(row, 4).as_deref() == Some(r.content_hash.as_str()))
        .map(|row| (int(row, 0), int(row, 1)));
    let latest = rows.first().map(|row| Latest {
        record: int(row, 1),
        version: int(row, 2),
        state: text(row, 3).unwrap_or_default(),
    });
    Ok((same, latest))
}

/// Whether a new version may follow `latest`, and what it must wait for.
fn next_version(r: &NewReport, latest: &Option<Latest>, index: usize) -> Result<(i64, Option<i64>), LedgerError> {
    let Some(l) = latest else { return Ok((1, None)) };
    let what = format!("report {} ({}) of this payer", r.report_id, r.kind);
    if r.action == 1 && l.state != state::REJECTED {
        return Err(LedgerError::Conflict(format!(
            "reports[{index}]: {what} was posted before with other content; a replacement has ActionCode 2"
        )));
    }
    if l.state == state::CANCELLED {
        return Err(LedgerError::Conflict(format!(
            "reports[{index}]: {what} is cancelled; send a new report with a new ReportId"
        )));
    }
    // A replacement waits until the version it replaces was acknowledged.
    let hold = (r.action == 2).then_some(l.record);
    Ok((l.version + 1, hold))
}

fn insert_report(
    tx: &mut dyn Tx,
    r: &NewReport,
    version: i64,
    record: i64,
    position: i64,
    now: f64,
) -> Result<i64, DbError> {
    tx.execute(
        "INSERT INTO reports (payer, kind, report_id, version, record_id, position, action, content_hash, body, state, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            r.payer.as_str().into(),
            r.kind.as_str().into(),
            r.report_id.as_str().into(),
            version.into(),
            record.into(),
            position.into(),
            r.action.into(),
            r.content_hash.as_str().into(),
            r.body.clone().into(),
            state::ACCEPTED.into(),
            now.into(),
        ],
    )?;
    let row = tx.query(
        "SELECT id FROM reports WHERE payer = $1 AND kind = $2 AND report_id = $3 AND version = $4",
        &[
            r.payer.as_str().into(),
            r.kind.as_str().into(),
            r.report_id.as_str().into(),
            version.into(),
        ],
    )?;
    Ok(row.first().map_or(0, |r| int(r, 0)))
}

fn hold(tx: &mut dyn Tx, record: i64, on: i64) -> Result<(), DbError> {
    if record == on {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO holds (record_id, on_record_id) VALUES ($1, $2)",
        &[record.into(), on.into()],
    )
    .map(|_| ())
}

impl Ledger {
    /// Inserts a record row and gives it its DeliveryId (the caller's, or
    /// this ledger's tag and the row's id).
    #[allow(clippy::too_many_arguments)]
    fn insert_record_row(
        &self,
        tx: &mut dyn Tx,
        kind: &str,
        root: &str,
        ddt: i64,
        owner: &str,
        delivery_id: Option<&str>,
        group: Option<&str>,
        header: Option<&str>,
        xml: Option<&[u8]>,
        content_hash: Option<&str>,
        record_state: &str,
        realtime: bool,
        next_at: f64,
        now: f64,
    ) -> Result<i64, DbError> {
        let provisional = match delivery_id {
            Some(d) => d.to_string(),
            None => format!("new-{}", crate::service::random_hex(12)),
        };
        tx.execute(
            "INSERT INTO records (kind, root, ddt, owner, delivery_id, group_key, header, xml, content_hash, state,
                                  realtime, created_at, updated_at, next_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)",
            &[
                kind.into(),
                root.into(),
                ddt.into(),
                owner.into(),
                provisional.as_str().into(),
                group.into(),
                header.into(),
                xml.map(<[u8]>::to_vec).into(),
                content_hash.into(),
                record_state.into(),
                (realtime as i64).into(),
                now.into(),
                next_at.into(),
            ],
        )?;
        let found = tx.query(
            "SELECT id FROM records WHERE owner = $1 AND ddt = $2 AND delivery_id = $3",
            &[owner.into(), ddt.into(), provisional.as_str().into()],
        )?;
        let id = found.first().map_or(0, |r| int(r, 0));
        if delivery_id.is_none() {
            tx.execute(
                "UPDATE records SET delivery_id = $1 WHERE id = $2",
                &[format!("{}-{id}", self.tag).into(), id.into()],
            )?;
        }
        Ok(id)
    }

    /// Keeps a whole record (and its reports), or finds the same one
    /// posted before. Other content under a used DeliveryId, or a report
    /// posted before with other content, is a conflict.
    pub fn add_record(&self, new: &NewRecord, now: f64) -> Result<Posted, LedgerError> {
        self.run(|tx| {
            tx.lock_feed()?;
            if let Some(id) = &new.delivery_id {
                let found = tx.query(
                    "SELECT id, content_hash FROM records WHERE owner = $1 AND ddt = $2 AND delivery_id = $3",
                    &[new.owner.as_str().into(), new.ddt.into(), id.as_str().into()],
                )?;
                if let Some(row) = found.first() {
                    return match text(row, 1).as_deref() == Some(new.content_hash.as_str()) {
                        true => Ok(Posted {
                            id: int(row, 0),
                            existing: true,
                        }),
                        false => Err(LedgerError::Conflict(format!(
                            "DeliveryId {id} was used before for a record of type {} of this owner with other content",
                            new.ddt
                        ))),
                    };
                }
            }
            if new.delivery_id.is_none() {
                // A cancellation posted again is the one kept before.
                let found = tx.query(
                    "SELECT id FROM records WHERE kind = $1 AND content_hash = $2 AND state <> 'rejected'",
                    &[new.kind.as_str().into(), new.content_hash.as_str().into()],
                )?;
                if let Some(row) = found.first() {
                    return Ok(Posted {
                        id: int(row, 0),
                        existing: true,
                    });
                }
            }
            let id = self.insert_record_row(
                tx,
                &new.kind,
                &new.root,
                new.ddt,
                &new.owner,
                new.delivery_id.as_deref(),
                None,
                new.header.as_deref(),
                new.xml.as_deref(),
                Some(&new.content_hash),
                state::READY,
                new.realtime,
                now,
                now,
            )?;
            for (i, r) in new.reports.iter().enumerate() {
                let (same, latest) = versions(tx, r)?;
                if same.is_some() {
                    return Err(LedgerError::Conflict(format!(
                        "reports[{i}]: report {} ({}) of this payer was posted before in another record",
                        r.report_id, r.kind
                    )));
                }
                let (version, on) = next_version(r, &latest, i)?;
                insert_report(tx, r, version, id, i as i64, now)?;
                if let Some(on) = on {
                    hold(tx, id, on)?;
                }
            }
            tx.execute(
                "UPDATE records SET report_count = $1 WHERE id = $2",
                &[(new.reports.len() as i64).into(), id.into()],
            )?;
            for on in &new.holds {
                hold(tx, id, *on)?;
            }
            for row in &new.cancels {
                tx.execute(
                    "INSERT INTO cancels (record_id, report_row) VALUES ($1, $2)",
                    &[id.into(), (*row).into()],
                )?;
            }
            if let Some(target) = new.cancels_record {
                tx.execute(
                    "UPDATE records SET cancels_record = $1 WHERE id = $2",
                    &[target.into(), id.into()],
                )?;
            }
            events_of_record(tx, id, now, None)?;
            Ok(Posted { id, existing: false })
        })
    }

    /// Keeps reports, each in an open record of its group (a new one when
    /// none has room), or finds the same report posted before. One
    /// transaction: a conflict keeps none of them.
    pub fn add_reports(
        &self,
        reports: &[(NewReport, Group)],
        max_per_record: usize,
        linger: f64,
        now: f64,
    ) -> Result<Vec<Added>, LedgerError> {
        let lock = self.for_update();
        self.run(|tx| {
            tx.lock_feed()?;
            let mut open: HashMap<&str, (i64, i64)> = HashMap::new();
            let mut added = Vec::with_capacity(reports.len());
            for (i, (r, g)) in reports.iter().enumerate() {
                let (same, latest) = versions(tx, r)?;
                if let Some((row, record)) = same {
                    added.push(Added {
                        row,
                        record,
                        existing: true,
                    });
                    continue;
                }
                let (version, on) = next_version(r, &latest, i)?;
                // The open record of the group with room (never the one the
                // replaced version is in: one report once per record).
                // A replacement joins only a record newer than the one it
                // waits for, without another version of the same report:
                // holds always point to older records, so none wait in a
                // circle, and a report is in a record once.
                let mut target = open
                    .get(g.key.as_str())
                    .copied()
                    .filter(|(_, n)| *n < max_per_record as i64 && on.is_none() && !g.realtime);
                if target.is_none() && !g.realtime {
                    let rows = tx.query(
                        &format!(
                            "SELECT id, report_count FROM records
                             WHERE group_key = $1 AND state = 'open' AND report_count < $2 AND lease_owner IS NULL
                               AND id > $3
                               AND NOT EXISTS (SELECT 1 FROM reports x WHERE x.record_id = records.id
                                               AND x.payer = $4 AND x.kind = $5 AND x.report_id = $6)
                             ORDER BY id LIMIT 1{lock}"
                        ),
                        &[
                            g.key.as_str().into(),
                            (max_per_record as i64).into(),
                            on.unwrap_or(0).into(),
                            r.payer.as_str().into(),
                            r.kind.as_str().into(),
                            r.report_id.as_str().into(),
                        ],
                    )?;
                    target = rows.first().map(|row| (int(row, 0), int(row, 1)));
                }
                let (record, position) = match target {
                    Some(t) => t,
                    None => {
                        let (record_state, next_at) = match g.realtime {
                            true => (state::READY, now),
                            false => (state::OPEN, now + linger),
                        };
                        let id = self.insert_record_row(
                            tx,
                            &r.kind,
                            &g.root,
                            g.ddt,
                            &g.owner,
                            None,
                            Some(&g.key),
                            Some(&g.header),
                            None,
                            None,
                            record_state,
                            g.realtime,
                            next_at,
                            now,
                        )?;
                        (id, 0)
                    }
                };
                let row = insert_report(tx, r, version, record, position, now)?;
                if let Some(on) = on {
                    hold(tx, record, on)?;
                }
                open.insert(g.key.as_str(), (record, position + 1));
                // A full record is due at once.
                tx.execute(
                    "UPDATE records SET report_count = report_count + 1, updated_at = $2,
                        next_at = CASE WHEN report_count + 1 >= $3 THEN $2 ELSE next_at END
                     WHERE id = $1",
                    &[record.into(), now.into(), (max_per_record as i64).into()],
                )?;
                tx.execute(
                    "INSERT INTO events (at, record_id, report_row, state, detail) VALUES ($1, $2, $3, $4, NULL)",
                    &[now.into(), record.into(), row.into(), state::ACCEPTED.into()],
                )?;
                added.push(Added {
                    row,
                    record,
                    existing: false,
                });
            }
            Ok(added)
        })
    }

    /// The report version rows of (payer, kind, ReportId), latest first:
    /// `(row, record, state)`.
    pub fn report_rows(
        &self,
        payer: &str,
        kind: &str,
        report_id: &str,
    ) -> Result<Vec<(i64, i64, String)>, LedgerError> {
        self.run(|tx| {
            let rows = tx.query(
                "SELECT id, record_id, state FROM reports WHERE payer = $1 AND kind = $2 AND report_id = $3
                 ORDER BY version DESC",
                &[payer.into(), kind.into(), report_id.into()],
            )?;
            Ok(rows
                .iter()
                .map(|r| (int(r, 0), int(r, 1), text(r, 2).unwrap_or_default()))
                .collect())
        })
    }

    /// A record's kind, owner, state and the Register's IRDeliveryId.
    pub fn record_summary(&self, id: i64) -> Result<Option<RecordSummary>, LedgerError> {
        self.run(|tx| {
            let rows = tx.query(
                "SELECT kind, owner, state, ir_delivery_id, delivery_id, ddt FROM records WHERE id = $1",
                &[Value::Int(id)],
            )?;
            Ok(rows.first().map(|r| RecordSummary {
                kind: text(r, 0).unwrap_or_default(),
                owner: text(r, 1).unwrap_or_default(),
                state: text(r, 2).unwrap_or_default(),
                ir_delivery_id: text(r, 3),
                delivery_id: text(r, 4).unwrap_or_default(),
                ddt: int(r, 5),
            }))
        })
    }
}

/// What a cancellation needs to know of a record.
#[derive(Debug, Clone)]
pub struct RecordSummary {
    /// Its kind.
    pub kind: String,
    /// DeliveryDataOwner's Code.
    pub owner: String,
    /// Its state in the ledger.
    pub state: String,
    /// The Register's IRDeliveryId, once acknowledged.
    pub ir_delivery_id: Option<String>,
    /// Its DeliveryId.
    pub delivery_id: String,
    /// Its DeliveryDataType.
    pub ddt: i64,
}
