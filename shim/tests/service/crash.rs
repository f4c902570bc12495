//! The service killed with SIGKILL at 20 moments spread over its work
//! (right after a record's signed bytes were committed, while a slow
//! answer is awaited, after a receipt, after final feedback, at random),
//! with the simulator's `slow-response` and `reset-after-store` faults on,
//! and restarted each time: every report ends `stored`, the Register got
//! each record once or again only after a status query found nothing, no
//! report twice, none lost.

use crate::support::{assert_stored_told_once, payer, post_and_kill, reports, Api, Shim, Sim};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;

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
    let killed = post_and_kill(20, &batches, || {
        let shim = Shim::start(&sim.dir);
        let api = Api::new(&shim, &sim);
        (shim, api)
    });
    println!("killed at: {killed:?}");
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);
    let done = api.wait_until(Duration::from_secs(180), |s| s.get("stored") == Some(&2000));
    assert!(done, "{:?}", api.states());
    assert_stored_told_once(&api, 2000);
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
