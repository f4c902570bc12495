//! The service killed with SIGKILL at 20 moments spread over its work
//! (right after a record's signed bytes were committed, while a slow
//! answer is awaited, after a receipt, after final feedback, at random),
//! with the simulator's `slow-response` and `reset-after-store` faults on,
//! and restarted each time: every report ends `stored`, the Register got
//! each record once or again only after a status query found nothing, no
//! report twice, none lost.

use crate::support::{payer, reports, Api, Shim, Sim};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// The moments to kill at: a log line to wait for (or none: a fixed delay).
const MOMENTS: [Option<&str>; 5] = [
    Some("signed, sending"),
    Some("uncertain"),
    None,
    Some("sent (acknowledged)"),
    Some("final feedback"),
];

/// Checks the simulator's state against the ledger's: every report once,
/// version 1; each record once, or again only after a status query that
/// found nothing.
pub fn check_register(state: &Value, expected: usize) {
    let reports = state["reports"].as_array().unwrap();
    let ids: BTreeSet<&str> = reports.iter().map(|r| r["reportId"].as_str().unwrap()).collect();
    assert_eq!(reports.len(), expected, "reports held");
    assert_eq!(ids.len(), expected, "a report stored twice");
    assert!(reports.iter().all(|r| r["version"] == 1 && r["state"] == "valid"));
    let misses: Vec<&Value> = state["statusMisses"].as_array().expect("statusMisses").iter().collect();
    for d in state["deliveries"].as_array().unwrap() {
        let arrived: Vec<&str> = d["arrivedAt"]
            .as_array()
            .expect("arrivedAt")
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(arrived.len() as u64, d["arrivals"].as_u64().unwrap());
        // Every arrival after the first follows a status query about it
        // that found nothing.
        for pair in arrived.windows(2) {
            let justified = misses.iter().any(|m| {
                m["deliveryId"] == d["deliveryId"]
                    && m["at"].as_str().unwrap() >= pair[0]
                    && m["at"].as_str().unwrap() <= pair[1]
            });
            assert!(
                justified,
                "{} sent again without a status query finding nothing: {d}",
                d["deliveryId"]
            );
        }
    }
}

#[test]
fn sigkill_at_twenty_moments_loses_nothing_and_sends_nothing_twice() {
    let sim = Sim::start(
        "crash",
        &[
            "--fault",
            "slow-response=0.2",
            "--fault",
            "reset-after-store=0.2",
            "--slow-seconds",
            "1.5",
        ],
        &[
            ("connect_seconds = 5", "connect_seconds = 2"),
            ("read_seconds = 5", "read_seconds = 1"),
            (
                "linger_seconds = 0.2",
                "linger_seconds = 0.2\nmax_reports_per_record = 50\nlease_seconds = 8",
            ),
        ],
    );
    let Some(all) = reports("crash", 2000) else { return };
    let batches: Vec<&[Value]> = all.chunks(100).collect();
    let mut killed = BTreeMap::new();
    for kill in 0..20usize {
        let shim = Shim::start(&sim.dir);
        let api = Api::new(&shim, &sim);
        // This moment's batch, and the one before again: the same reports
        // posted again are the ones kept.
        for batch in &batches[kill.saturating_sub(1)..=kill] {
            let reply = api.post_json("/v1/reports", &json!(batch));
            assert!(
                matches!(reply.status, 200 | 202),
                "{}",
                String::from_utf8_lossy(&reply.body)
            );
        }
        let moment = MOMENTS[kill % MOMENTS.len()];
        let hit = match moment {
            Some(line) => shim.wait_for_log(line, Duration::from_secs(5)).is_some(),
            None => {
                std::thread::sleep(Duration::from_millis(150 + 37 * kill as u64));
                true
            }
        };
        *killed.entry(format!("{moment:?} {hit}")).or_insert(0) += 1;
        shim.kill();
    }
    println!("killed at: {killed:?}");
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);
    let done = api.wait_until(Duration::from_secs(180), |s| s.get("stored") == Some(&2000));
    assert!(done, "{:?}", api.states());
    // Each report's fate was told once.
    let (events, _) = api.events(0);
    let mut stored: BTreeMap<&str, usize> = BTreeMap::new();
    for e in events.iter().filter(|e| e["state"] == "stored") {
        *stored.entry(e["reportId"].as_str().unwrap()).or_default() += 1;
    }
    assert_eq!(stored.len(), 2000);
    assert!(stored.values().all(|n| *n == 1), "a fate told twice");
    let some = api.get(&format!("/v1/reports/{}/earnings/crash-1999", payer())).json();
    assert_eq!(some["state"], "stored");
    let state = sim.state();
    check_register(&state, 2000);
    let resent = state["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["arrivals"] != 1)
        .count();
    println!(
        "{} records, {resent} sent again after a status query found nothing",
        state["deliveries"].as_array().unwrap().len()
    );
}
