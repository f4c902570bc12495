//! Every fault of the simulator at 20%, one after the other on one running
//! service: every report reaches `stored`, none twice, and every answer the
//! service acted on verifies, independently of it, against the Register's
//! response CA (read back from the ledger after it stopped).

use crate::crash::check_register;
use crate::support::{reports, Api, Shim, Sim};
use serde_json::json;
use std::time::Duration;
use tulorekisteri::signature::{verify, Certificate, VerifyOptions};

const FAULTS: [&str; 10] = [
    "reset-before-read",
    "http-503",
    "soap-fault",
    "reset-after-store",
    "http-500-after-store",
    "slow-response",
    "truncated-response",
    "forged-signature",
    "tampered-response",
    "wrong-response",
];

#[test]
fn every_fault_at_twenty_percent_ends_stored_once_and_no_bad_answer_counts() {
    let sim = Sim::start(
        "faults",
        &["--slow-seconds", "1.5"],
        &[
            ("connect_seconds = 5", "connect_seconds = 2"),
            ("read_seconds = 5", "read_seconds = 1"),
            (
                "linger_seconds = 0.2",
                "linger_seconds = 0.2\nmax_reports_per_record = 10\nlease_seconds = 8",
            ),
        ],
    );
    let per_fault = 60;
    let Some(all) = reports("fault", per_fault * (FAULTS.len() + 1)) else {
        return;
    };
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);
    let mut phases: Vec<Vec<&str>> = FAULTS.iter().map(|f| vec![*f]).collect();
    // A Register slow to find what it received: a resend is refused as a
    // duplicate, and the first one's feedback is what counts.
    phases.push(vec!["status-lag=1.5"]);
    for (i, phase) in phases.iter().enumerate() {
        let setting: Vec<String> = phase
            .iter()
            .map(|f| {
                if f.contains('=') {
                    f.to_string()
                } else {
                    format!("{f}=0.2")
                }
            })
            .collect();
        sim.faults(&setting.iter().map(String::as_str).collect::<Vec<_>>());
        let batch = &all[i * per_fault..(i + 1) * per_fault];
        let reply = api.post_json("/v1/reports", &json!(batch));
        assert_eq!(reply.status, 202, "{}", String::from_utf8_lossy(&reply.body));
        let want = ((i + 1) * per_fault) as i64;
        let done = api.wait_until(Duration::from_secs(120), |s| s.get("stored") == Some(&want));
        assert!(done, "{phase:?}: {:?}", api.states());
    }
    sim.faults(&[]);
    let state = sim.state();
    check_register(&state, all.len());
    assert!(shim.terminate().success());

    // Every answer the service kept as delivered verifies against the
    // Register's response CA, and names the record it was kept for.
    let ca = Certificate::pem_bundle(&std::fs::read(sim.dir.join("ca/response-ca.pem")).unwrap()).unwrap();
    let ledger = rusqlite::Connection::open(sim.dir.join("shim.db")).unwrap();
    let mut rows = ledger
        .prepare(
            "SELECT e.answer, c.delivery_id, e.outcome FROM exchanges e JOIN records c ON c.id = e.record_id
             WHERE e.answer IS NOT NULL",
        )
        .unwrap();
    let answers: Vec<(Vec<u8>, String, String)> = rows
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(answers.len() >= 66, "{} answers kept", answers.len());
    for (answer, delivery_id, outcome) in &answers {
        let verified = verify(answer, &VerifyOptions::default().trust(ca.clone())).unwrap();
        assert!(verified.trust.is_trusted(), "{outcome}: {:?}", verified.trust.problems);
        let feedback = tulorekisteri::read_feedback(answer).unwrap();
        // "Not found" (status 0) echoes no DeliveryData.
        if feedback.status.code() != 0 {
            assert_eq!(feedback.delivery_id.as_deref(), Some(delivery_id.as_str()), "{outcome}");
        }
    }
}
