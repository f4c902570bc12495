//! The PostgreSQL driver, for several service instances sharing one ledger:
//! one connection (the sync `postgres` client, no TLS: a loopback address or
//! a unix socket), `READ COMMITTED` transactions, prepared statements kept
//! per SQL text.
//!
//! The sync client drives its own small tokio runtime, so its calls (and
//! connecting, and dropping the connection) must not run on a thread that
//! drives async tasks: the service calls the ledger from `spawn_blocking`.
//! Dropping inside a runtime is handled here (see `Drop`).

use super::db::{Db, DbError, Dialect, Row, Tx, Value};
use postgres::error::SqlState;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, Config, NoTls, Statement};
use std::collections::HashMap;
use std::error::Error;

// `ToSql::to_sql` names `bytes::BytesMut`; postgres-types re-exports it for
// its `to_sql_checked!` macro, which saves the shim a direct `bytes`
// dependency (the same crate, already in the build).
use postgres::types::private::BytesMut;

/// Prepared statements kept at most; past it the cache starts over, so SQL
/// built with varying text cannot grow it without bound.
const CACHE_LIMIT: usize = 512;

/// A PostgreSQL ledger connection.
pub struct Postgres {
    config: Config,
    /// `None` after the connection broke (the next transaction connects
    /// again) and while being dropped.
    client: Option<Client>,
    statements: HashMap<String, Statement>,
}

/// The driver's error with its causes (the client's own message is only
/// "db error"), marking the ones that may pass when the work is done again.
fn error(e: postgres::Error) -> DbError {
    let conflict = matches!(
        e.code(),
        Some(c) if *c == SqlState::UNIQUE_VIOLATION
            || *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::T_R_DEADLOCK_DETECTED
    );
    let mut message = e.to_string();
    if let Some(db) = e.as_db_error() {
        message.push_str(&format!(": {} ({})", db.message(), db.code().code()));
        if let Some(detail) = db.detail() {
            message.push_str(&format!("; {detail}"));
        }
    } else {
        let mut source = e.source();
        while let Some(s) = source {
            message.push_str(&format!(": {s}"));
            source = s.source();
        }
    }
    DbError { message, conflict }
}

/// Whether the connection is gone: no answer, or the server ending the
/// session (FATAL, as when it shuts down or the backend is terminated).
fn broken(e: &postgres::Error) -> bool {
    e.as_db_error()
        .is_none_or(|d| matches!(d.severity(), "FATAL" | "PANIC"))
}

impl Postgres {
    /// Connects to the database at `url` (`postgres://user@host:port/db`,
    /// or the key=value form).
    pub fn connect(url: &str) -> Result<Postgres, DbError> {
        let config: Config = url
            .parse()
            .map_err(|e: postgres::Error| DbError::new(format!("the PostgreSQL URL is not valid: {e}")))?;
        let client = config.connect(NoTls).map_err(error)?;
        Ok(Postgres {
            config,
            client: Some(client),
            statements: HashMap::new(),
        })
    }

    /// Begins a transaction, on a new connection when the old one is gone
    /// (the server restarted, or closed it): nothing of the work has run
    /// yet, so trying once more is safe.
    fn begin(&mut self) -> Result<(), DbError> {
        const BEGIN: &str = "BEGIN ISOLATION LEVEL READ COMMITTED";
        if let Some(client) = self.client.as_mut().filter(|c| !c.is_closed()) {
            match client.batch_execute(BEGIN) {
                Ok(()) => return Ok(()),
                Err(e) if !broken(&e) => return Err(error(e)),
                Err(_) => {}
            }
        }
        // Statements belong to the old connection.
        self.statements.clear();
        self.client = None;
        let mut client = self.config.connect(NoTls).map_err(error)?;
        client.batch_execute(BEGIN).map_err(error)?;
        self.client = Some(client);
        Ok(())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Closing blocks on the client's runtime, which panics on a thread of
        // another runtime: close on a thread of its own there.
        if let Some(client) = self.client.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                let _ = std::thread::spawn(move || drop(client)).join();
            }
            // Elsewhere it closes here.
        }
    }
}

/// PostgreSQL takes a parameter's type from where it stands: a column's
/// type, else a guess (int4 beside an integer literal, text alone in a
/// select list).
const HINT: &str = " (the type PostgreSQL inferred from the SQL: cast the parameter there, e.g. $1::BIGINT)";

impl ToSql for Value {
    /// Each value as the parameter's type asks, so a parameter that a column
    /// gives its type needs no cast: an integer into any integer or float
    /// column, NULL into any, and so on.
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        let wrong = || {
            format!(
                "a {} value cannot be bound to a parameter of type {}{HINT}",
                self.kind(),
                ty.name()
            )
        };
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)
                    .map_err(|_| format!("{i} does not fit a parameter of type int4{HINT}"))?
                    .to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)
                    .map_err(|_| format!("{i} does not fit a parameter of type int2{HINT}"))?
                    .to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::FLOAT4 => (*i as f32).to_sql(ty, out),
                // The results read booleans as 0/1: the same the other way.
                Type::BOOL => match i {
                    0 => false.to_sql(ty, out),
                    1 => true.to_sql(ty, out),
                    _ => Err(format!("{i} is not a boolean (0 or 1)").into()),
                },
                _ => Err(wrong().into()),
            },
            Value::Real(r) => match *ty {
                Type::FLOAT8 => r.to_sql(ty, out),
                Type::FLOAT4 => (*r as f32).to_sql(ty, out),
                _ => Err(wrong().into()),
            },
            Value::Text(t) if <&str as ToSql>::accepts(ty) => t.as_str().to_sql(ty, out),
            Value::Blob(b) if *ty == Type::BYTEA => b.as_slice().to_sql(ty, out),
            Value::Text(_) | Value::Blob(_) => Err(wrong().into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl Value {
    /// The variant's name, for error messages.
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "integer",
            Value::Real(_) => "floating-point",
            Value::Text(_) => "text",
            Value::Blob(_) => "bytes",
        }
    }
}

/// Column `i` of `row` as a value, by the column's type.
fn column(row: &postgres::Row, i: usize) -> Result<Value, DbError> {
    fn get<'a, T: postgres::types::FromSql<'a>>(row: &'a postgres::Row, i: usize) -> Result<Option<T>, DbError> {
        row.try_get::<_, Option<T>>(i).map_err(error)
    }
    let ty = row.columns()[i].type_();
    let value = match *ty {
        Type::INT8 => get::<i64>(row, i)?.map(Value::Int),
        Type::INT4 => get::<i32>(row, i)?.map(|v| Value::Int(v.into())),
        Type::INT2 => get::<i16>(row, i)?.map(|v| Value::Int(v.into())),
        Type::FLOAT8 => get::<f64>(row, i)?.map(Value::Real),
        Type::FLOAT4 => get::<f32>(row, i)?.map(|v| Value::Real(v.into())),
        Type::BOOL => get::<bool>(row, i)?.map(|v| Value::Int(v.into())),
        Type::BYTEA => get::<Vec<u8>>(row, i)?.map(Value::Blob),
        // `SELECT pg_advisory_xact_lock(..)` and the like.
        Type::VOID => None,
        _ if <String as postgres::types::FromSql>::accepts(ty) => get::<String>(row, i)?.map(Value::Text),
        _ => {
            return Err(DbError::new(format!(
                "column {} (\"{}\") is of type {}, which the ledger does not read (cast it to BIGINT, DOUBLE PRECISION, TEXT or BYTEA)",
                i + 1,
                row.columns()[i].name(),
                ty.name()
            )))
        }
    };
    Ok(value.unwrap_or(Value::Null))
}

/// Statements of one transaction on the connection.
struct PostgresTx<'a> {
    client: &'a mut Client,
    statements: &'a mut HashMap<String, Statement>,
    /// The first statement that failed: PostgreSQL then refuses the rest
    /// and turns COMMIT into ROLLBACK without an error.
    failed: Option<DbError>,
}

impl PostgresTx<'_> {
    fn note<T>(&mut self, result: Result<T, DbError>) -> Result<T, DbError> {
        if let Err(e) = &result {
            self.failed.get_or_insert_with(|| e.clone());
        }
        result
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let statement = self.client.prepare(sql).map_err(error)?;
        if self.statements.len() >= CACHE_LIMIT {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

fn params(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl Tx for PostgresTx<'_> {
    fn lock_feed(&mut self) -> Result<(), DbError> {
        self.execute("SELECT pg_advisory_xact_lock(7013455)", &[]).map(|_| ())
    }

    fn execute(&mut self, sql: &str, values: &[Value]) -> Result<u64, DbError> {
        let result = self
            .statement(sql)
            .and_then(|s| self.client.execute(&s, &params(values)).map_err(error));
        self.note(result)
    }

    fn query(&mut self, sql: &str, values: &[Value]) -> Result<Vec<Row>, DbError> {
        let result = self.statement(sql).and_then(|s| {
            let rows = self.client.query(&s, &params(values)).map_err(error)?;
            rows.iter()
                .map(|row| (0..row.len()).map(|i| column(row, i)).collect())
                .collect()
        });
        self.note(result)
    }
}

impl Db for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn transaction(&mut self, work: &mut dyn FnMut(&mut dyn Tx) -> Result<(), DbError>) -> Result<(), DbError> {
        self.begin()?;
        let Postgres { client, statements, .. } = self;
        let Some(client) = client.as_mut() else {
            return Err(DbError::new("the PostgreSQL connection is gone"));
        };
        let mut tx = PostgresTx {
            client: &mut *client,
            statements,
            failed: None,
        };
        let outcome = match (work(&mut tx), tx.failed) {
            // The work went on past a failed statement (as SQLite allows):
            // nothing of it would be kept, so it failed.
            (Ok(()), Some(first)) => Err(DbError {
                message: format!("a statement failed, so PostgreSQL rolled the transaction back: {first}"),
                conflict: first.conflict,
            }),
            (Ok(()), None) => client.batch_execute("COMMIT").map_err(error),
            (Err(e), _) => Err(e),
        };
        if outcome.is_err() {
            // After a failed COMMIT the server has already ended the
            // transaction; ROLLBACK then only warns. When it cannot even
            // be sent, the connection is broken: the next one begins anew.
            if client.batch_execute("ROLLBACK").as_ref().is_err_and(broken) {
                self.client = None;
            }
        }
        outcome
    }
}
