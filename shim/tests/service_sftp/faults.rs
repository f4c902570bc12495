//! Each SFTP fault of the simulator on one running service, one after the
//! other: a connection dropped halfway through an upload, a connection
//! dropped instead of the rename, feedback files that appear late. Every
//! report ends stored, the Register holds each once, and each delivery
//! arrived once.

use crate::sim::{check_once, SftpSim};
use crate::support::{reports, Shim};
use serde_json::json;
use std::time::Duration;

const PHASES: [&str; 3] = [
    "sftp-drop-during-upload=0.3",
    "sftp-drop-before-rename=0.3",
    "sftp-feedback-late=1.5",
];

#[test]
fn every_sftp_fault_ends_stored_once_and_each_delivery_arrived_once() {
    let sim = SftpSim::start(
        "faults",
        "sftp",
        &[],
        &[
            ("connect_seconds = 5", "connect_seconds = 2"),
            ("read_seconds = 5", "read_seconds = 2"),
            (
                "linger_seconds = 0.2",
                "linger_seconds = 0.2\nmax_reports_per_record = 5\nlease_seconds = 10",
            ),
        ],
    );
    let per_phase = 40;
    let Some(all) = reports("sftp-fault", per_phase * PHASES.len()) else {
        return;
    };
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);
    for (i, fault) in PHASES.iter().enumerate() {
        sim.faults(&[fault]);
        let batch = &all[i * per_phase..(i + 1) * per_phase];
        let reply = api.post_json("/v1/reports", &json!(batch));
        assert_eq!(reply.status, 202, "{}", String::from_utf8_lossy(&reply.body));
        let want = ((i + 1) * per_phase) as i64;
        let done = api.wait_until(Duration::from_secs(60), |s| s.get("stored") == Some(&want));
        assert!(done, "{fault}: {:?}", api.states());
    }
    sim.faults(&[]);
    check_once(&sim.state(), all.len());
    assert!(shim.terminate().success());
    // The faults were met: some uploads were uncertain and resolved.
    let ledger = rusqlite::Connection::open(sim.dir.join("shim.db")).unwrap();
    let uncertain: i64 = ledger
        .query_row(
            "SELECT COUNT(*) FROM exchanges WHERE operation = 'SFTP upload' AND outcome LIKE 'uncertain%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(uncertain > 0, "no upload was cut off");
    assert_eq!(sim.files("in"), Vec::<String>::new(), "a file left in in/");
    assert_eq!(sim.files("feedback"), Vec::<String>::new(), "feedback left");
}
