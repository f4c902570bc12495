//! The SFTP login: a refused one needs a person (trying again cannot
//! help), and the SFTP key is read once at the start (as the signer is).

use crate::sim::SftpSim;
use crate::support::{payer, reports, Shim};
use serde_json::json;
use std::time::Duration;

#[test]
fn a_refused_login_needs_a_person_and_nothing_is_sent() {
    // An account the key's certificate is not of.
    let sim = SftpSim::start(
        "login-refused",
        "sftp",
        &[],
        &[("user = \"1234567-1\"", "user = \"7654321-2\"")],
    );
    let Some(list) = reports("login", 1) else { return };
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);
    assert_eq!(api.post_json("/v1/reports", &json!(list)).status, 202);
    assert!(
        api.wait_until(Duration::from_secs(15), |s| s.get("attention") == Some(&1)),
        "{:?}",
        api.states()
    );
    let report = api.get(&format!("/v1/reports/{}/earnings/login-0", payer())).json();
    let record = api.get(&format!("/v1/records/{}", report["recordId"])).json();
    let reason = record["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("refused the login") && reason.contains("nothing was sent"),
        "{record}"
    );
    assert!(sim.state()["deliveries"].as_array().unwrap().is_empty());
}

#[test]
fn the_sftp_key_is_read_once_at_the_start() {
    let sim = SftpSim::start("login-key-once", "sftp", &[], &[]);
    let Some(list) = reports("key-once", 1) else { return };
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);
    // Gone after the start: the key read then still signs in.
    let key = sim.dir.join("org/sftp-key.pem");
    std::fs::rename(&key, sim.dir.join("org/sftp-key.pem.away")).unwrap();
    assert_eq!(api.post_json("/v1/reports", &json!(list)).status, 202);
    let stored = api.wait_until(Duration::from_secs(15), |s| s.get("stored") == Some(&1));
    std::fs::rename(sim.dir.join("org/sftp-key.pem.away"), &key).unwrap();
    assert!(stored, "{:?}", api.states());
}
