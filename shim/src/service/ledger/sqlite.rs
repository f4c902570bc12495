//! The SQLite driver: one connection, WAL, `synchronous = FULL` (a
//! committed claim survives a power cut), `BEGIN IMMEDIATE` transactions,
//! and the file locked for this process alone: one instance per SQLite
//! ledger (several share a PostgreSQL one), so at start every lease left
//! in it is a dead process's.

use super::db::{Db, DbError, Dialect, Row, Tx, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, ToSql};
use std::path::Path;

/// A SQLite ledger file.
pub struct Sqlite {
    connection: Connection,
}

fn error(e: rusqlite::Error) -> DbError {
    let conflict = matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::ConstraintViolation | ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    );
    DbError {
        message: e.to_string(),
        conflict,
    }
}

impl Sqlite {
    /// Opens (or creates) the file at `path`.
    pub fn open(path: &Path) -> Result<Sqlite, DbError> {
        let connection = Connection::open(path).map_err(error)?;
        connection
            .busy_timeout(std::time::Duration::from_secs(2))
            .map_err(error)?;
        connection
            .execute_batch(
                // A larger page cache and fewer, larger checkpoints: records
                // of thousands of reports are written several times over.
                "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
                 PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 16384;
                 BEGIN IMMEDIATE; COMMIT;",
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => DbError::new(format!(
                    "{} is in use by another instance (a SQLite ledger serves one; share a PostgreSQL ledger instead)",
                    path.display()
                )),
                _ => error(e),
            })?;
        Ok(Sqlite { connection })
    }
}

/// `$1..$n` as SQLite's `?1..?n`.
fn placeholders(sql: &str) -> String {
    sql.replace('$', "?")
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(r) => ToSqlOutput::Borrowed(ValueRef::Real(*r)),
            Value::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

struct SqliteTx<'a>(&'a Connection);

impl Tx for SqliteTx<'_> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let mut statement = self.0.prepare_cached(&placeholders(sql)).map_err(error)?;
        let changed = statement
            .execute(rusqlite::params_from_iter(params.iter()))
            .map_err(error)?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let mut statement = self.0.prepare_cached(&placeholders(sql)).map_err(error)?;
        let width = statement.column_count();
        let mut rows = statement
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(error)?;
        let mut out = vec![];
        while let Some(row) = rows.next().map_err(error)? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(match row.get_ref(i).map_err(error)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                });
            }
            out.push(values);
        }
        Ok(out)
    }
}

impl Db for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn transaction(&mut self, work: &mut dyn FnMut(&mut dyn Tx) -> Result<(), DbError>) -> Result<(), DbError> {
        self.connection.execute_batch("BEGIN IMMEDIATE").map_err(error)?;
        match work(&mut SqliteTx(&self.connection)) {
            Ok(()) => match self.connection.execute_batch("COMMIT") {
                Ok(()) => Ok(()),
                Err(e) => {
                    let _ = self.connection.execute_batch("ROLLBACK");
                    Err(error(e))
                }
            },
            Err(e) => {
                let _ = self.connection.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}
