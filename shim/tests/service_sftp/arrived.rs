//! An uncertain upload whose feedback file says "received" or "being
//! processed" (status 1 or 2) arrived: it is `sent`, and not sent again.

use crate::sim::SftpSim;
use crate::support::{payer, reports, Shim};
use serde_json::{json, Map, Value};
use std::time::Duration;
use tulorekisteri::signature::{sign, Signer};
use tulorekisteri_shim::simulator::answers::{status_response, Feedback};

/// The Register's signed feedback of status `status` on the signed record
/// `record` (its DeliveryData echoed).
fn feedback_of(dir: &std::path::Path, record: &[u8], status: i64) -> Vec<u8> {
    let object = tulorekisteri::parse(record).unwrap();
    let data = &object["WageReportsRequestToIR"]["DeliveryData"];
    let mut header = Map::new();
    for k in [
        "Timestamp",
        "Source",
        "DeliveryDataType",
        "DeliveryId",
        "FaultyControl",
        "ProductionEnvironment",
        "DeliveryDataOwner",
        "DeliveryDataCreator",
        "DeliveryDataSender",
    ] {
        if let Some(v) = data.get(k) {
            header.insert(k.into(), v.clone());
        }
    }
    let f = Feedback {
        header: Some(Value::Object(header)),
        status,
        ..Feedback::default()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let xml = tulorekisteri::build(&status_response(&f, now)).unwrap_or_else(|d| panic!("{d:?}"));
    let key = std::fs::read_to_string(dir.join("server/response-key.pem")).unwrap();
    let cert = std::fs::read(dir.join("server/response-cert.pem")).unwrap();
    sign(xml.as_bytes(), &Signer::from_pem(&key, &cert, None).unwrap()).unwrap()
}

#[test]
fn a_status_2_feedback_on_an_uncertain_upload_is_an_arrival() {
    let sim = SftpSim::start("arrived", "sftp", &["--fault", "sftp-drop-before-rename=1"], &[]);
    let Some(list) = reports("arrived", 1) else { return };
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);
    assert_eq!(api.post_json("/v1/reports", &json!(list)).status, 202);
    let cut = shim.wait_for_log("uncertain: the SFTP upload had begun", Duration::from_secs(20));
    assert!(cut.is_some(), "no upload was cut off");
    sim.faults(&[]);
    let account = crate::sftp_support::account(&sim.dir);
    let part = sim
        .files("in")
        .into_iter()
        .find(|n| n.ends_with(".xml.part"))
        .expect("the part file");
    let record = std::fs::read(account.join("in").join(&part)).unwrap();
    let name = part.trim_end_matches(".part");
    let signed = feedback_of(&sim.dir, &record, 2);
    std::fs::write(account.join("feedback/.arrived.tmp"), &signed).unwrap();
    std::fs::rename(
        account.join("feedback/.arrived.tmp"),
        account.join("feedback").join(name),
    )
    .unwrap();

    let sent = shim.wait_for_log("sent (acknowledged)", Duration::from_secs(10));
    assert!(sent.is_some(), "{:?}", api.states());
    let report = api.get(&format!("/v1/reports/{}/earnings/arrived-0", payer())).json();
    let record = api.get(&format!("/v1/records/{}", report["recordId"])).json();
    assert_eq!(
        (record["state"].as_str(), record["attempts"].as_i64()),
        (Some("sent"), Some(1)),
        "{record}"
    );
}
