//! Two instances of the service on one real PostgreSQL ledger (started by
//! the tests: `service_support/postgres.rs` says how), 20,000 reports:
//! every record sent by exactly one instance, both instances at work, and
//! the same end state as one instance on SQLite.

use crate::crash::check_register;
use crate::service_support::postgres::PgServer;
use crate::support::{reports, Api, Shim, Sim};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

const REPORTS: usize = 20_000;

/// Posts every report in batches of 1,000, alternating between `apis`,
/// waits until all are final, and returns each report's final state.
fn run(apis: &[Api], all: &[Value]) -> BTreeMap<String, (String, i64)> {
    for (i, batch) in all.chunks(1000).enumerate() {
        let reply = apis[i % apis.len()].post_json("/v1/reports", &json!(batch));
        assert_eq!(reply.status, 202, "{}", String::from_utf8_lossy(&reply.body));
    }
    let done = apis[0].wait_until(Duration::from_secs(300), |s| s.get("stored") == Some(&(REPORTS as i64)));
    assert!(done, "{:?}", apis[0].states());
    let (events, _) = apis[0].events(0);
    let mut last = BTreeMap::new();
    for e in events.iter().filter(|e| e["reportId"].is_string()) {
        let version = e["version"].as_i64().unwrap_or(0);
        last.insert(
            e["reportId"].as_str().unwrap().to_string(),
            (e["state"].as_str().unwrap().to_string(), version),
        );
    }
    last
}

#[test]
fn two_instances_on_one_postgresql_ledger_share_the_work_and_end_as_sqlite_does() {
    let Some(pg) = PgServer::shared() else { return };
    let url = pg.database("scale");
    let per_record = (
        "linger_seconds = 0.2",
        "linger_seconds = 0.2\nmax_reports_per_record = 500",
    );
    let shared = Sim::start(
        "scale-pg",
        &[],
        &[per_record, ("ledger = \"shim.db\"", &format!("ledger = \"{url}\""))],
    );
    let Some(all) = reports("scale", REPORTS) else { return };
    let (one, two) = (Shim::start(&shared.dir), Shim::start(&shared.dir));
    let on_postgres = run(&[Api::new(&one, &shared), Api::new(&two, &shared)], &all);
    let state = shared.state();
    check_register(&state, REPORTS);
    let deliveries = state["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), REPORTS / 500);
    assert!(deliveries.iter().all(|d| d["arrivals"] == 1), "a record arrived twice");

    // Who sent what, from the ledger itself.
    let mut db = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let senders: Vec<(i64, i64)> = db
        .query(
            "SELECT record_id, COUNT(DISTINCT instance) FROM exchanges
             WHERE operation <> 'GetDeliveryDataStatus' GROUP BY record_id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(senders.len(), REPORTS / 500);
    assert!(
        senders.iter().all(|(_, n)| *n == 1),
        "a record sent by two instances: {senders:?}"
    );
    let per_instance: Vec<(String, i64)> = db
        .query(
            "SELECT instance, COUNT(DISTINCT record_id) FROM exchanges
             WHERE operation <> 'GetDeliveryDataStatus' GROUP BY instance",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    println!("records sent per instance: {per_instance:?}");
    assert_eq!(per_instance.len(), 2, "both instances sent records: {per_instance:?}");
    drop((one, two));

    let alone = Sim::start("scale-sqlite", &[], &[per_record]);
    let shim = Shim::start(&alone.dir);
    let on_sqlite = run(&[Api::new(&shim, &alone)], &all);
    assert_eq!(on_postgres, on_sqlite);
    assert_eq!(alone.state()["deliveries"].as_array().unwrap().len(), REPORTS / 500);
}
