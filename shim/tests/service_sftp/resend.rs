//! A resend over SFTP that the Register refuses because the first sending
//! arrived after all (a status query that lags said "not found") is not
//! the record's rejection: the service asks again, and the first one's
//! feedback makes it stored.

use crate::sftp_support;
use crate::sim::SftpSim;
use crate::support::{reports, Shim};
use serde_json::json;
use std::time::Duration;

#[test]
fn a_resend_refused_because_the_first_arrived_is_not_a_rejection() {
    let sim = SftpSim::start(
        "resend-refused",
        "sftp",
        &[
            "--fault",
            "sftp-drop-before-rename=1",
            "--fault",
            "status-lag=60",
            "--processing-seconds",
            "8",
        ],
        &[],
    );
    let Some(list) = reports("resend", 1) else { return };
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);
    assert_eq!(api.post_json("/v1/reports", &json!(list)).status, 202);
    let cut = shim.wait_for_log("uncertain: the SFTP upload had begun", Duration::from_secs(20));
    assert!(cut.is_some(), "no upload was cut off");

    // The rename happened after all (as if only its answer was lost): the
    // same part file, renamed by another session, is taken in.
    sim.faults(&["status-lag=60"]);
    let part = sim
        .files("in")
        .into_iter()
        .find(|n| n.ends_with(".xml.part"))
        .expect("the part file");
    let bytes = std::fs::read(sftp_support::account(&sim.dir).join("in").join(&part)).unwrap();
    let name = part.trim_end_matches(".part").to_string();
    let port = sim.sftp_port();
    sftp_support::runtime().block_on(async {
        let client = sftp_support::connect(&sim.dir, port).await;
        sftp_support::upload(&client, &name, &bytes, true).await.unwrap();
    });

    // No file tells, the status query lags ("not found"): sent again, and
    // that is refused as a DeliveryId used before.
    let refused = shim.wait_for_log("a resend was refused", Duration::from_secs(20));
    assert!(
        refused.is_some(),
        "the resend's refusal was not met: {:?}",
        api.states()
    );
    assert!(
        api.wait_until(Duration::from_secs(30), |s| s.get("stored") == Some(&1)),
        "{:?}",
        api.states()
    );
    let state = sim.state();
    let held = state["reports"].as_array().unwrap();
    assert_eq!(held.len(), 1, "{state}");
    assert_eq!(
        (held[0]["version"].as_i64(), held[0]["state"].as_str()),
        (Some(1), Some("valid"))
    );
    let deliveries = state["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "{state}");
    assert_eq!(
        deliveries[0]["arrivals"], 2,
        "the first and the refused resend: {state}"
    );
}
