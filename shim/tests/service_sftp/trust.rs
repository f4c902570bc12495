//! A feedback file that the Register did not sign is not believed: the
//! record needs a person, with the reason, and its outcome is not taken.

use crate::sim::SftpSim;
use crate::simulator_support::{signer, wage_record};
use crate::support::{payer, reports, Shim, PERSON};
use serde_json::json;
use std::time::{Duration, Instant};

#[test]
fn a_feedback_file_not_signed_by_the_register_is_not_believed() {
    // The real feedback comes late: the forged one is there first.
    let sim = SftpSim::start("trust", "sftp", &["--fault", "sftp-feedback-late=8"], &[]);
    let Some(list) = reports("trust", 1) else { return };
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);
    assert_eq!(api.post_json("/v1/reports", &json!(list)).status, 202);
    let path = format!("/v1/reports/{}/earnings/trust-0", payer());
    let end = Instant::now() + Duration::from_secs(20);
    let mut report = api.get(&path).json();
    while report["state"] != "sent" && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
        report = api.get(&path).json();
    }
    assert_eq!(report["state"], "sent", "{report}");
    let delivery_id = report["deliveryId"].as_str().unwrap().to_string();

    // Signed, but by the organisation, not by the Register's responder.
    let record = wage_record(&delivery_id, 1, &[("x", PERSON)]).unwrap();
    let xml = tulorekisteri::build(&record).unwrap();
    let forged = tulorekisteri::signature::sign(xml.as_bytes(), &signer(&sim.dir, "earnings")).unwrap();
    let folder = sim
        .dir
        .join("sftp")
        .join(crate::simulator_support::BUSINESS_ID)
        .join("feedback");
    let file = folder.join(format!("{delivery_id}.xml"));
    std::fs::write(folder.join(".forged.tmp"), &forged).unwrap();
    std::fs::rename(folder.join(".forged.tmp"), &file).unwrap();

    assert!(
        api.wait_until(Duration::from_secs(10), |s| s.get("attention") == Some(&1)),
        "{:?}",
        api.states()
    );
    let record = api.get(&format!("/v1/records/{}", report["recordId"])).json();
    let reason = record["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("cannot be trusted") && reason.contains("not trusted"),
        "{record}"
    );
    // The file is not removed (the Register's own may replace it later);
    // the Register has the record once.
    assert!(file.exists());
    let state = sim.state();
    assert_eq!(state["deliveries"].as_array().unwrap().len(), 1);
    assert_eq!(state["deliveries"][0]["arrivals"], 1);
}
