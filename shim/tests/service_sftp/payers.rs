//! Two payers' records with the same DeliveryId over one SFTP account:
//! the files on the server are named by the DeliveryId alone, so the
//! second waits until the first is final, and each gets its own outcome.
//! A DeliveryId that cannot be a file name is refused when it is posted
//! (the Register's rule on reference characters).

use crate::sim::SftpSim;
use crate::simulator_support::{wage_record, BUSINESS_ID};
use crate::support::{Shim, PERSON};
use serde_json::{json, Value};
use std::time::Duration;

const OTHER: &str = "7654321-2";

/// A whole record of `owner` (also its payer).
fn record_of(owner: &str, delivery_id: &str, report_id: &str) -> Option<Value> {
    let mut r = wage_record(delivery_id, 1, &[(report_id, PERSON)])?;
    let data = &mut r["WageReportsRequestToIR"]["DeliveryData"];
    data["DeliveryDataOwner"]["Code"] = json!(owner);
    data["Payer"]["PayerIds"]["Id"][0]["Code"] = json!(owner);
    Some(r)
}

#[test]
fn two_payers_with_one_delivery_id_go_one_after_the_other() {
    let sim = SftpSim::start("payers", "sftp", &["--processing-seconds", "2"], &[]);
    let (Some(a), Some(b)) = (
        record_of(BUSINESS_ID, "shared-1", "pair-a"),
        record_of(OTHER, "shared-1", "pair-b"),
    ) else {
        return;
    };
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);

    // A DeliveryId with a '/' would name a folder on the server: the
    // Register's rules refuse it when it is posted.
    let Some(bad) = record_of(BUSINESS_ID, "2026/01", "pair-c") else {
        return;
    };
    let refused = api.post_json("/v1/records", &bad);
    let body = String::from_utf8_lossy(&refused.body).to_string();
    assert_eq!(refused.status, 422, "{body}");
    assert!(body.contains("2026/01") && body.contains("/DeliveryId"), "{body}");

    for r in [&a, &b] {
        let posted = api.post_json("/v1/records", r);
        assert_eq!(posted.status, 202, "{}", String::from_utf8_lossy(&posted.body));
    }
    assert!(
        api.wait_until(Duration::from_secs(30), |s| s.get("stored") == Some(&2)),
        "{:?}",
        api.states()
    );
    for (payer, id) in [(BUSINESS_ID, "pair-a"), (OTHER, "pair-b")] {
        let report = api.get(&format!("/v1/reports/{payer}/earnings/{id}")).json();
        assert_eq!(report["state"], "stored", "{report}");
    }
    let state = sim.state();
    let mut owners: Vec<&str> = state["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(
                (d["deliveryId"].as_str(), d["arrivals"].as_i64()),
                (Some("shared-1"), Some(1)),
                "{d}"
            );
            d["owner"].as_str().unwrap()
        })
        .collect();
    owners.sort();
    assert_eq!(owners, [BUSINESS_ID, OTHER]);
    assert_eq!(sim.files("feedback"), Vec::<String>::new(), "feedback left");
    assert!(shim.terminate().success());

    // One after the other: the second's upload began after the first's
    // feedback was read.
    let ledger = rusqlite::Connection::open(sim.dir.join("shim.db")).unwrap();
    let at = |operation: &str| -> Vec<(i64, f64)> {
        let mut q = ledger
            .prepare("SELECT record_id, MIN(at) FROM exchanges WHERE operation = ?1 GROUP BY record_id ORDER BY 2")
            .unwrap();
        q.query_map([operation], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let (uploads, feedback) = (at("SFTP upload"), at("SFTP feedback"));
    assert_eq!((uploads.len(), feedback.len()), (2, 2), "{uploads:?} {feedback:?}");
    let (first, second) = (uploads[0], uploads[1]);
    let first_final = feedback.iter().find(|(r, _)| *r == first.0).unwrap().1;
    assert!(
        second.1 > first_final,
        "both were on the server at once: {uploads:?} {feedback:?}"
    );
}
