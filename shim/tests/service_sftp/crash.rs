//! The service killed with SIGKILL at 8 moments of its SFTP work (right
//! after a record's signed bytes were committed, after an upload was cut
//! off, at random, after an acknowledged upload, after final feedback),
//! with the simulator's `sftp-drop-before-rename` fault on, and restarted
//! each time: every report ends stored once, nothing lost, and each
//! delivery arrived once.

use crate::sim::{check_once, SftpSim};
use crate::support::{reports, Shim};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

const MOMENTS: [Option<&str>; 5] = [
    Some("signed, sending"),
    Some("uncertain"),
    None,
    Some("sent (acknowledged)"),
    Some("final feedback"),
];

#[test]
fn sigkill_at_eight_moments_over_sftp_loses_nothing_and_sends_nothing_twice() {
    let sim = SftpSim::start(
        "crash",
        "sftp",
        &["--fault", "sftp-drop-before-rename=0.2"],
        &[
            ("connect_seconds = 5", "connect_seconds = 2"),
            ("read_seconds = 5", "read_seconds = 1"),
            (
                "linger_seconds = 0.2",
                "linger_seconds = 0.2\nmax_reports_per_record = 50\nlease_seconds = 8",
            ),
        ],
    );
    let Some(all) = reports("sftp-crash", 500) else { return };
    let batches: Vec<&[Value]> = all.chunks(63).collect();
    let mut killed = BTreeMap::new();
    for kill in 0..8usize {
        let shim = Shim::start_with(&sim.config(), &[]);
        let api = sim.api(&shim);
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
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);
    let done = api.wait_until(Duration::from_secs(60), |s| s.get("stored") == Some(&500));
    assert!(done, "{:?}", api.states());
    let (events, _) = api.events(0);
    let mut stored: BTreeMap<&str, usize> = BTreeMap::new();
    for e in events.iter().filter(|e| e["state"] == "stored") {
        *stored.entry(e["reportId"].as_str().unwrap()).or_default() += 1;
    }
    assert_eq!(stored.len(), 500);
    assert!(stored.values().all(|n| *n == 1), "a fate told twice");
    check_once(&sim.state(), 500);
    println!("{} records", sim.state()["deliveries"].as_array().unwrap().len());
}
