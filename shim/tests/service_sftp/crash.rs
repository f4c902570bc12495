//! The service killed with SIGKILL at 8 moments of its SFTP work (right
//! after a record's signed bytes were committed, after an upload was cut
//! off, at random, after an acknowledged upload, after final feedback),
//! with the simulator's `sftp-drop-before-rename` fault on, and restarted
//! each time: every report ends stored once, nothing lost, and each
//! delivery arrived once.

use crate::sim::{check_once, SftpSim};
use crate::support::{assert_stored_told_once, post_and_kill, reports, Shim};
use serde_json::Value;
use std::time::Duration;

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
    let killed = post_and_kill(8, &batches, || {
        let shim = Shim::start_with(&sim.config(), &[]);
        let api = sim.api(&shim);
        (shim, api)
    });
    println!("killed at: {killed:?}");
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);
    let done = api.wait_until(Duration::from_secs(60), |s| s.get("stored") == Some(&500));
    assert!(done, "{:?}", api.states());
    assert_stored_told_once(&api, 500);
    check_once(&sim.state(), 500);
    println!("{} records", sim.state()["deliveries"].as_array().unwrap().len());
}
