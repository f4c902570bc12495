//! An upload cut off, and no file on the server tells what became of it
//! (its part file is gone): with a Web Service certificate for the
//! purpose, a status query finds nothing and the same bytes go again;
//! without one, the record stays uncertain and then needs a person.

use crate::sim::SftpSim;
use crate::support::{reports, Shim};
use serde_json::json;
use std::time::Duration;

/// Starts the service, posts one report while every rename is refused,
/// and removes the part file once the upload was cut off.
fn cut_off_and_forgotten(sim: &SftpSim, faults_off: bool) -> Shim {
    let Some(list) = reports("unknown", 1) else {
        panic!("no sample")
    };
    let shim = Shim::start_with(&sim.config(), &[]);
    assert_eq!(sim.api(&shim).post_json("/v1/reports", &json!(list)).status, 202);
    let line = shim.wait_for_log("uncertain: the SFTP upload had begun", Duration::from_secs(20));
    assert!(line.is_some(), "no upload was cut off");
    if faults_off {
        sim.faults(&[]);
    }
    let folder = sim
        .dir
        .join("sftp")
        .join(crate::simulator_support::BUSINESS_ID)
        .join("in");
    let parts: Vec<String> = sim
        .files("in")
        .into_iter()
        .filter(|n| n.ends_with(".xml.part"))
        .collect();
    assert_eq!(parts.len(), 1, "{parts:?}");
    std::fs::remove_file(folder.join(&parts[0])).unwrap();
    shim
}

#[test]
fn with_a_web_service_certificate_a_status_query_that_finds_nothing_sends_again() {
    let sim = SftpSim::start("unknown-ws", "sftp", &["--fault", "sftp-drop-before-rename=1"], &[]);
    let shim = cut_off_and_forgotten(&sim, true);
    let api = sim.api(&shim);
    assert!(
        api.wait_until(Duration::from_secs(20), |s| s.get("stored") == Some(&1)),
        "{:?}",
        api.states()
    );
    let state = sim.state();
    let deliveries = state["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "{state}");
    assert_eq!(
        (deliveries[0]["arrivals"].as_i64(), deliveries[0]["channel"].as_str()),
        (Some(1), Some("sftp"))
    );
    let asked = state["statusMisses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["deliveryId"] == deliveries[0]["deliveryId"]);
    assert!(asked, "sent again without a status query finding nothing: {state}");
}

#[test]
fn without_a_web_service_certificate_it_stays_uncertain_then_needs_a_person() {
    let sim = SftpSim::start(
        "unknown-no-ws",
        "sftp",
        &["--fault", "sftp-drop-before-rename=1"],
        &[
            (
                "[certificates.earnings]\nkey = \"org/earnings-key.pem\"\ncert = \"org/earnings-cert.pem\"\n",
                "",
            ),
            (
                "linger_seconds = 0.2",
                "linger_seconds = 0.2\nuncertain_limit_seconds = 3",
            ),
        ],
    );
    let shim = cut_off_and_forgotten(&sim, false);
    let api = sim.api(&shim);
    assert!(
        api.wait_until(Duration::from_secs(20), |s| s.get("attention") == Some(&1)),
        "{:?}",
        api.states()
    );
    let report = api
        .get(&format!("/v1/reports/{}/earnings/unknown-0", crate::support::payer()))
        .json();
    let record = api.get(&format!("/v1/records/{}", report["recordId"])).json();
    let reason = record["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("no Web Service certificate"), "{record}");
    // Nothing was sent again, and nothing arrived.
    assert_eq!(record["attempts"], 1, "{record}");
    assert!(sim.state()["deliveries"].as_array().unwrap().is_empty());
}

#[test]
fn a_rename_that_never_succeeds_is_tried_only_until_the_uncertain_limit() {
    let sim = SftpSim::start(
        "part-loop",
        "sftp",
        &["--fault", "sftp-drop-before-rename=1"],
        &[(
            "linger_seconds = 0.2",
            "linger_seconds = 0.2\nuncertain_limit_seconds = 3",
        )],
    );
    let Some(list) = reports("part-loop", 1) else { return };
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);
    assert_eq!(api.post_json("/v1/reports", &json!(list)).status, 202);
    assert!(
        api.wait_until(Duration::from_secs(20), |s| s.get("attention") == Some(&1)),
        "{:?}",
        api.states()
    );
    let report = api
        .get(&format!("/v1/reports/{}/earnings/part-loop-0", crate::support::payer()))
        .json();
    let record = api.get(&format!("/v1/records/{}", report["recordId"])).json();
    let reason = record["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("part file is still on the SFTP server"), "{record}");
    assert!(record["attempts"].as_i64() > Some(1), "it was tried again: {record}");
    assert!(sim.state()["deliveries"].as_array().unwrap().is_empty());
}
