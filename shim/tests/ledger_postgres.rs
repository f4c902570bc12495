//! The ledger's PostgreSQL driver against a real server (see
//! `service_support/postgres.rs` for how it is started): values of every
//! kind both ways, conflicts, rollback, the claims of two connections with
//! `FOR UPDATE SKIP LOCKED`, and calls from tokio's `spawn_blocking`.

mod service_support;

use service_support::postgres::PgServer;
use std::sync::{mpsc, Arc, Barrier};
use tulorekisteri_shim::service::ledger::db::{Db, DbError, Row, Value};
use tulorekisteri_shim::service::ledger::postgres::Postgres;

/// A fresh database `name` on the shared server, and a connection to it.
fn connect(name: &str) -> Option<(&'static PgServer, String, Postgres)> {
    let server = PgServer::shared()?;
    let url = server.database(name);
    let db = Postgres::connect(&url).unwrap_or_else(|e| panic!("connect {url}: {e}\n{}", server.log()));
    Some((server, url, db))
}

fn run(db: &mut Postgres, sql: &str, params: &[Value]) -> Result<u64, DbError> {
    let mut n = 0;
    db.transaction(&mut |tx| {
        n = tx.execute(sql, params)?;
        Ok(())
    })?;
    Ok(n)
}

fn query(db: &mut Postgres, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
    let mut rows = vec![];
    db.transaction(&mut |tx| {
        rows = tx.query(sql, params)?;
        Ok(())
    })?;
    Ok(rows)
}

#[test]
fn every_value_kind_goes_in_and_comes_out() {
    let Some((_server, _, mut db)) = connect("kinds") else {
        return;
    };
    run(
        &mut db,
        "CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY, i BIGINT, r DOUBLE PRECISION, s TEXT, b BYTEA,
             i4 INTEGER, i2 SMALLINT, f4 REAL, v VARCHAR(10), c CHAR(3), flag BOOLEAN)",
        &[],
    )
    .unwrap();
    let insert = "INSERT INTO t (i, r, s, b, i4, i2, f4, v, c, flag) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    let full = vec![
        Value::Int(i64::MIN),
        Value::Real(-0.125),
        Value::Text("Åke ääkköset <&>".into()),
        Value::Blob(vec![0, 1, 254, 255]),
        Value::Int(-2_000_000_000),
        Value::Int(32_000),
        Value::Real(1.5),
        Value::Text("varchar".into()),
        Value::Text("abc".into()),
        Value::Int(1),
    ];
    assert_eq!(run(&mut db, insert, &full).unwrap(), 1);
    // NULL into every type; an integer where a float is expected.
    let mut nulls = vec![Value::Null; 10];
    nulls[1] = Value::Int(3);
    nulls[6] = Value::Int(-2);
    run(&mut db, insert, &nulls).unwrap();
    let rows = query(
        &mut db,
        "SELECT i, r, s, b, i4, i2, f4, v, c, flag FROM t ORDER BY id",
        &[],
    )
    .unwrap();
    assert_eq!(rows[0], full);
    let mut expected = vec![Value::Null; 10];
    expected[1] = Value::Real(3.0);
    expected[6] = Value::Real(-2.0);
    assert_eq!(rows[1], expected);

    // A parameter compared with a column, and results of expressions.
    let rows = query(
        &mut db,
        "SELECT count(*), max(i4) + 1, $1::TEXT, id = $2 FROM t WHERE i = $3 GROUP BY id",
        &["x".into(), Value::Int(1), Value::Int(i64::MIN)],
    )
    .unwrap();
    assert_eq!(
        rows,
        vec![vec![
            Value::Int(1),
            Value::Int(-1_999_999_999),
            "x".into(),
            Value::Int(1)
        ]]
    );
    let none = query(&mut db, "SELECT i FROM t WHERE s = $1", &["missing".into()]).unwrap();
    assert!(none.is_empty());
    // A statement that returns `void` (the ledger's advisory lock).
    let rows = query(&mut db, "SELECT pg_advisory_xact_lock(42)", &[]).unwrap();
    assert_eq!(rows, vec![vec![Value::Null]]);
}

#[test]
fn a_value_that_does_not_fit_is_a_clear_error() {
    let Some((_server, _, mut db)) = connect("misfits") else {
        return;
    };
    run(
        &mut db,
        "CREATE TABLE t (i4 INTEGER, i BIGINT, b BYTEA, at TIMESTAMPTZ)",
        &[],
    )
    .unwrap();
    let cases: [(&str, Value, &str); 4] = [
        ("INSERT INTO t (i4) VALUES ($1)", Value::Int(1 << 40), "does not fit"),
        (
            "INSERT INTO t (i) VALUES ($1)",
            "12".into(),
            "text value cannot be bound to a parameter of type int8",
        ),
        ("INSERT INTO t (b) VALUES ($1)", Value::Real(1.0), "type bytea"),
        ("INSERT INTO t (at) VALUES ($1)", Value::Int(0), "type timestamptz"),
    ];
    for (sql, value, expected) in cases {
        let e = run(&mut db, sql, &[value]).unwrap_err();
        assert!(e.message.contains(expected), "{sql}: {}", e.message);
        assert!(!e.conflict);
    }
    // Beside an integer literal PostgreSQL infers int4: a float there is an
    // error that says to cast, and the cast works.
    let e = query(&mut db, "SELECT $1 + 1", &[Value::Real(0.5)]).unwrap_err();
    assert!(
        e.message.contains("type int4") && e.message.contains("cast"),
        "{}",
        e.message
    );
    let rows = query(&mut db, "SELECT $1::DOUBLE PRECISION + 1", &[Value::Real(0.5)]).unwrap();
    assert_eq!(rows, vec![vec![Value::Real(1.5)]]);
    // A result type the ledger does not read names the column and the type.
    let e = query(&mut db, "SELECT now() AS moment", &[]).unwrap_err();
    assert!(
        e.message.contains("\"moment\"") && e.message.contains("timestamptz"),
        "{}",
        e.message
    );
    let e = query(&mut db, "SELECT sum(i) FROM t", &[]).unwrap_err();
    assert!(e.message.contains("numeric"), "{}", e.message);
    // SQL errors carry the server's message.
    let e = run(&mut db, "INSERT INTO nowhere VALUES (1)", &[]).unwrap_err();
    assert!(e.message.contains("\"nowhere\" does not exist"), "{}", e.message);
    // The connection is still good after all of these.
    assert_eq!(
        query(&mut db, "SELECT 1::BIGINT", &[]).unwrap(),
        vec![vec![Value::Int(1)]]
    );
}

#[test]
fn a_unique_violation_is_a_conflict() {
    let Some((_server, _, mut db)) = connect("unique") else {
        return;
    };
    run(&mut db, "CREATE TABLE t (k TEXT PRIMARY KEY)", &[]).unwrap();
    run(&mut db, "INSERT INTO t (k) VALUES ($1)", &["a".into()]).unwrap();
    let e = run(&mut db, "INSERT INTO t (k) VALUES ($1)", &["a".into()]).unwrap_err();
    assert!(e.conflict, "{}", e.message);
    assert!(e.message.contains("23505"), "{}", e.message);
}

#[test]
fn a_failed_transaction_leaves_nothing() {
    let Some((_server, _, mut db)) = connect("rollback") else {
        return;
    };
    run(&mut db, "CREATE TABLE t (k TEXT PRIMARY KEY)", &[]).unwrap();
    // The work fails after a statement passed.
    let e = db
        .transaction(&mut |tx| {
            tx.execute("INSERT INTO t (k) VALUES ($1)", &["a".into()])?;
            Err(DbError::new("the work failed"))
        })
        .unwrap_err();
    assert_eq!(e.message, "the work failed");
    // The work goes on past a failed statement: PostgreSQL kept nothing,
    // and the driver says so instead of reporting a commit.
    run(&mut db, "INSERT INTO t (k) VALUES ('taken')", &[]).unwrap();
    let e = db
        .transaction(&mut |tx| {
            tx.execute("INSERT INTO t (k) VALUES ($1)", &["b".into()])?;
            let _ = tx.execute("INSERT INTO t (k) VALUES ($1)", &["taken".into()]);
            Ok(())
        })
        .unwrap_err();
    assert!(
        e.conflict && e.message.contains("rolled the transaction back"),
        "{}",
        e.message
    );
    let rows = query(&mut db, "SELECT k FROM t", &[]).unwrap();
    assert_eq!(rows, vec![vec![Value::from("taken")]]);
}

#[test]
fn two_connections_claim_different_rows() {
    let Some((_server, url, mut db)) = connect("claims") else {
        return;
    };
    run(&mut db, "CREATE TABLE work (id BIGINT PRIMARY KEY, owner TEXT)", &[]).unwrap();
    for id in 1..=3 {
        run(&mut db, "INSERT INTO work (id) VALUES ($1)", &[Value::Int(id)]).unwrap();
    }
    let claim = "SELECT id FROM work WHERE owner IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
    // Both claim while the other's transaction is open.
    let both = Arc::new(Barrier::new(2));
    let (sent, claimed) = mpsc::channel();
    let workers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let (url, both, sent) = (url.clone(), both.clone(), sent.clone());
            std::thread::spawn(move || {
                let mut db = Postgres::connect(&url).unwrap();
                db.transaction(&mut |tx| {
                    let id = tx.query(claim, &[])?[0][0].clone();
                    tx.execute("UPDATE work SET owner = $1 WHERE id = $2", &[name.into(), id.clone()])?;
                    both.wait();
                    sent.send(id).unwrap();
                    Ok(())
                })
                .unwrap();
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    drop(sent);
    let mut ids: Vec<Value> = claimed.iter().collect();
    ids.sort_by_key(|v| v.int());
    assert_eq!(ids, vec![Value::Int(1), Value::Int(2)]);
    let rows = query(&mut db, "SELECT owner FROM work ORDER BY id", &[]).unwrap();
    let mut owners: Vec<Value> = rows.into_iter().map(|r| r[0].clone()).collect();
    owners[..2].sort_by(|a, b| a.text().cmp(&b.text()));
    assert_eq!(owners, vec![Value::from("a"), Value::from("b"), Value::Null]);
}

#[test]
fn it_works_from_spawn_blocking_and_drops_anywhere() {
    let Some((_server, url, db)) = connect("blocking") else {
        return;
    };
    drop(db);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let task = tokio::task::spawn_blocking(move || {
            let mut db = Postgres::connect(&url)?;
            let rows = query(&mut db, "SELECT $1::BIGINT * 2", &[Value::Int(21)])?;
            Ok::<_, DbError>((db, rows))
        });
        let (db, rows) = task.await.unwrap().unwrap();
        assert_eq!(rows, vec![vec![Value::Int(42)]]);
        // The last owner may be an async task: dropping must not panic.
        drop(db);
    });
}

#[test]
fn a_lost_connection_is_made_again() {
    let Some((_server, url, mut db)) = connect("reconnect") else {
        return;
    };
    let pid = query(&mut db, "SELECT pg_backend_pid()", &[]).unwrap()[0][0].clone();
    let mut other = Postgres::connect(&url).unwrap();
    query(&mut other, "SELECT pg_terminate_backend($1)", &[pid]).unwrap();
    // The first transaction may meet the closed connection; the next one
    // runs on a new one.
    let first = query(&mut db, "SELECT 1::BIGINT", &[]);
    let again = query(&mut db, "SELECT 1::BIGINT", &[]);
    assert!(first.is_err() || again.is_ok());
    assert_eq!(again.unwrap(), vec![vec![Value::Int(1)]], "first: {first:?}");
}

#[test]
fn a_bad_url_is_an_error() {
    let e = Postgres::connect("postgres://[")
        .err()
        .map(|e| e.message)
        .unwrap_or_default();
    assert!(e.contains("URL"), "{e}");
    // Nobody listens on port 1.
    let e = Postgres::connect("postgres://x@127.0.0.1:1/none").err().unwrap();
    assert!(e.message.contains("connect"), "{}", e.message);
}
