//! What the ledger needs of a database: transactions of statements with
//! `$1..$n` parameters and rows of plain values. SQLite (`sqlite.rs`) and
//! PostgreSQL (`postgres.rs`) implement it, so the ledger's logic is written
//! once and both stores end in the same state.

use std::fmt;

/// A parameter or a column's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer (BIGINT / INTEGER).
    Int(i64),
    /// A floating-point number (DOUBLE PRECISION / REAL).
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes (BYTEA / BLOB).
    Blob(Vec<u8>),
}

impl Value {
    /// The integer, or `None` for NULL and other types.
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Real(r) => Some(*r as i64),
            _ => None,
        }
    }

    /// The number as f64 (integers too).
    pub fn real(&self) -> Option<f64> {
        match self {
            Value::Real(r) => Some(*r),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The text, or `None`.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The bytes (of a blob or a text), or `None`.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Blob(b) => Some(b),
            Value::Text(t) => Some(t.as_bytes()),
            _ => None,
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Real(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::Blob(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// One result row.
pub type Row = Vec<Value>;

/// Which SQL the database speaks, where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite: one writer at a time, no row locks.
    Sqlite,
    /// PostgreSQL: row locks (`FOR UPDATE SKIP LOCKED`) for several instances.
    Postgres,
}

/// A database error.
#[derive(Debug, Clone)]
pub struct DbError {
    /// What went wrong, from the driver.
    pub message: String,
    /// A unique violation or a serialization failure: the same work may
    /// succeed (or find the other party's row) when done again.
    pub conflict: bool,
}

impl DbError {
    /// An error that is not a conflict.
    pub fn new(message: impl Into<String>) -> DbError {
        DbError {
            message: message.into(),
            conflict: false,
        }
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DbError {}

/// Statements inside one transaction.
pub trait Tx {
    /// Runs a statement; the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;
    /// Runs a query; its rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError>;
    /// Serialises the transactions that add to the event feed, until this
    /// one ends, so the feed's order is their commit order (PostgreSQL
    /// hands out sequence numbers at insert, not at commit, and a reader
    /// must never pass an event that commits later). Take it before any
    /// row lock. SQLite has one writer at a time already.
    fn lock_feed(&mut self) -> Result<(), DbError> {
        Ok(())
    }
}

/// A database connection.
pub trait Db: Send {
    /// Its dialect.
    fn dialect(&self) -> Dialect;
    /// Runs `work` in one transaction: committed when it returns `Ok`,
    /// rolled back otherwise.
    fn transaction(&mut self, work: &mut dyn FnMut(&mut dyn Tx) -> Result<(), DbError>) -> Result<(), DbError>;
}
