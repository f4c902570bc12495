//! The service's ledger: every record and report, its state and history,
//! the event feed, and the requests and answers exchanged with the
//! Register. The logic is written once over [`db::Db`]; SQLite and
//! PostgreSQL are its drivers. Every method is one transaction, and
//! blocking: the service calls it from `spawn_blocking`.

pub mod db;
mod intake;
pub mod postgres;
mod schema;
pub mod sqlite;
mod views;
mod work;

pub use intake::{Added, Group, NewRecord, NewReport, Posted, RecordSummary};
pub use views::{EventView, Metrics};
pub use work::{Change, Claim, ItemResult};

use super::settings::LedgerLocation;
use db::{Db, DbError, Dialect, Row, Tx, Value};
use std::sync::Mutex;

/// A record's states in the ledger. `open` and `ready` show as `accepted`.
pub mod state {
    /// Collecting reports (shim-made records only).
    pub const OPEN: &str = "open";
    /// Closed, waiting to be signed and sent (or for what it waits on).
    pub const READY: &str = "ready";
    /// Claimed: being signed and sent.
    pub const SENDING: &str = "sending";
    /// Acknowledged; the Register is processing it.
    pub const SENT: &str = "sent";
    /// Maybe received: being resolved by status queries.
    pub const UNCERTAIN: &str = "uncertain";
    /// Stored (a report), or processed (a record).
    pub const STORED: &str = "stored";
    /// Rejected by the Register or by the local checks before sending.
    pub const REJECTED: &str = "rejected";
    /// Needs a person.
    pub const ATTENTION: &str = "attention";
    /// Cancelled.
    pub const CANCELLED: &str = "cancelled";
    /// Posted, not sent yet (reports of open and ready records).
    pub const ACCEPTED: &str = "accepted";

    /// The state a caller sees for a record state.
    pub fn visible(record_state: &str) -> &str {
        match record_state {
            OPEN | READY => ACCEPTED,
            other => other,
        }
    }
}

/// Why a ledger operation failed.
#[derive(Debug, Clone)]
pub enum LedgerError {
    /// The database failed.
    Db(DbError),
    /// The request conflicts with what the ledger holds (HTTP 409).
    Conflict(String),
    /// The thing asked about is not in the ledger (HTTP 404 or 422).
    Unknown(String),
}

impl std::fmt::Display for LedgerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LedgerError::Db(e) => write!(f, "the ledger failed: {e}"),
            LedgerError::Conflict(m) | LedgerError::Unknown(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for LedgerError {}

impl From<DbError> for LedgerError {
    fn from(e: DbError) -> LedgerError {
        LedgerError::Db(e)
    }
}

/// The ledger of one service instance (several may share a PostgreSQL one).
pub struct Ledger {
    db: Mutex<Box<dyn Db>>,
    dialect: Dialect,
    /// This ledger's prefix of DeliveryIds: unique per ledger, so two
    /// ledgers of one owner never reuse an id.
    tag: String,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("dialect", &self.dialect)
            .field("tag", &self.tag)
            .finish()
    }
}

impl Ledger {
    /// Opens the ledger at `location`, making its tables when they are
    /// missing. `in_flight_grace`: how long a request of a dead process may
    /// still be under way at the Register (see [`Ledger::with`]).
    pub fn open(location: &LedgerLocation, in_flight_grace: f64) -> Result<Ledger, LedgerError> {
        let db: Box<dyn Db> = match location {
            LedgerLocation::Sqlite(path) => Box::new(sqlite::Sqlite::open(path)?),
            LedgerLocation::Postgres(url) => Box::new(postgres::Postgres::connect(url)?),
        };
        Ledger::with(db, in_flight_grace)
    }

    /// A ledger on an open connection.
    ///
    /// With SQLite every lease left in the file is a dead process's and is
    /// released at once; a record that process may have been sending is
    /// asked about only `in_flight_grace` seconds from now, when its
    /// request can no longer be under way (asked earlier, a Register still
    /// receiving it says "not found", and it would be sent again).
    /// PostgreSQL leases expire by themselves, later than that.
    pub fn with(db: Box<dyn Db>, in_flight_grace: f64) -> Result<Ledger, LedgerError> {
        let dialect = db.dialect();
        let mut ledger = Ledger {
            db: Mutex::new(db),
            dialect,
            tag: String::new(),
        };
        let statements = schema::statements(dialect);
        let fresh: String = crate::service::random_hex(3);
        let tag = ledger.run(|tx| {
            if dialect == Dialect::Postgres {
                // Two instances starting at once must not make the tables twice.
                tx.execute("SELECT pg_advisory_xact_lock(7013454)", &[])?;
            }
            for s in &statements {
                tx.execute(s, &[])?;
            }
            let found = tx.query("SELECT value FROM meta WHERE key = 'tag'", &[])?;
            if dialect == Dialect::Sqlite {
                // The file is this process's alone: its leases are a dead one's.
                tx.execute("UPDATE records SET lease_owner = NULL, lease_until = NULL", &[])?;
                tx.execute(
                    "UPDATE records SET next_at = MAX(next_at, $1) WHERE in_flight = 1",
                    &[(now() + in_flight_grace).into()],
                )?;
            }
            if let Some(t) = found.first().and_then(|r| r[0].text()) {
                return Ok(t.to_string());
            }
            let tag = format!("s{fresh}");
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('tag', $1)",
                &[tag.as_str().into()],
            )?;
            Ok(tag)
        })?;
        ledger.tag = tag;
        Ok(ledger)
    }

    /// The dialect of its database.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Runs `work` in one transaction, again when it meets a conflict (a
    /// concurrent instance), up to a few times.
    fn run<T>(&self, mut work: impl FnMut(&mut dyn Tx) -> Result<T, LedgerError>) -> Result<T, LedgerError> {
        let mut attempt = 0;
        loop {
            let mut out = None;
            let mut failure = None;
            let result = {
                let mut db = self.db.lock().unwrap_or_else(|p| p.into_inner());
                db.transaction(&mut |tx| match work(tx) {
                    Ok(v) => {
                        out = Some(v);
                        Ok(())
                    }
                    Err(LedgerError::Db(e)) => Err(e),
                    Err(other) => {
                        failure = Some(other);
                        Err(DbError::new("rolled back"))
                    }
                })
            };
            if let Some(f) = failure {
                return Err(f);
            }
            match result {
                Ok(()) => return Ok(out.expect("committed work has a result")),
                Err(e) if e.conflict && attempt < 5 => attempt += 1,
                Err(e) => return Err(LedgerError::Db(e)),
            }
        }
    }

    /// ` FOR UPDATE SKIP LOCKED` where rows can be locked.
    fn skip_locked(&self) -> &'static str {
        match self.dialect {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        }
    }

    /// ` FOR UPDATE` where rows can be locked.
    fn for_update(&self) -> &'static str {
        match self.dialect {
            Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        }
    }
}

/// The current time, Unix seconds.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Records one event per report of `record` (or one for the record when it
/// has none), each with the report's current state.
fn events_of_record(tx: &mut dyn Tx, record: i64, at: f64, detail: Option<&str>) -> Result<(), DbError> {
    tx.lock_feed()?;
    let n = tx.execute(
        "INSERT INTO events (at, record_id, report_row, state, detail)
         SELECT $1, record_id, id, state, $2 FROM reports WHERE record_id = $3 ORDER BY position",
        &[at.into(), detail.into(), record.into()],
    )?;
    if n == 0 {
        tx.execute(
            "INSERT INTO events (at, record_id, report_row, state, detail)
             SELECT $1, id, NULL, state, $2 FROM records WHERE id = $3",
            &[at.into(), detail.into(), record.into()],
        )?;
    }
    Ok(())
}

/// Sets the state of `record` and of its reports to `state` (the visible
/// one for the reports), and records the events.
fn set_state(tx: &mut dyn Tx, record: i64, record_state: &str, at: f64, detail: Option<&str>) -> Result<(), DbError> {
    let before = tx.query("SELECT state FROM records WHERE id = $1", &[record.into()])?;
    let unchanged = before.first().and_then(|r| r[0].text()) == Some(record_state);
    tx.execute(
        "UPDATE records SET state = $1, updated_at = $2, reason = $3 WHERE id = $4",
        &[record_state.into(), at.into(), detail.into(), record.into()],
    )?;
    if unchanged {
        // The reports are in it already, and it was told.
        return Ok(());
    }
    tx.execute(
        "UPDATE reports SET state = $1, updated_at = $2 WHERE record_id = $3",
        &[state::visible(record_state).into(), at.into(), record.into()],
    )?;
    events_of_record(tx, record, at, detail)
}

fn int(row: &Row, i: usize) -> i64 {
    row.get(i).and_then(Value::int).unwrap_or(0)
}

fn text(row: &Row, i: usize) -> Option<String> {
    row.get(i).and_then(Value::text).map(str::to_string)
}

fn real(row: &Row, i: usize) -> Option<f64> {
    row.get(i).and_then(Value::real)
}
