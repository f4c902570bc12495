//! A host key other than the pinned one: the service refuses the server
//! before anything is uploaded, and the record needs a person, with a
//! reason naming both fingerprints.

use crate::sim::SftpSim;
use crate::support::{reports, Shim};
use serde_json::json;
use std::time::Duration;

#[test]
fn a_host_key_other_than_the_pinned_one_is_refused_and_nothing_is_uploaded() {
    let sim = SftpSim::start("host-key", "sftp", &[], &[]);
    // Pin another RSA key: the organisation's earnings key's public half.
    let other = std::fs::read_to_string(sim.dir.join("org/earnings-key.pem")).unwrap();
    let other = russh::keys::decode_secret_key(&other, None).unwrap();
    let other_line = other.public_key().to_openssh().unwrap();
    let config = std::fs::read_to_string(sim.config()).unwrap();
    let pinned = std::fs::read_to_string(sim.dir.join("sftp/host-key.pub")).unwrap();
    let pinned = pinned.trim();
    assert!(config.contains(pinned), "shim.toml pins the server's key");
    std::fs::write(sim.config(), config.replace(pinned, &other_line)).unwrap();

    let Some(list) = reports("host-key", 3) else { return };
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);
    assert_eq!(api.post_json("/v1/reports", &json!(list)).status, 202);
    let line = shim.wait_for_log("host key is not the one pinned", Duration::from_secs(20));
    let line = line.expect("the refusal in the log");
    let theirs = russh::keys::PublicKey::from_openssh(pinned).unwrap();
    let fingerprint = |k: &russh::keys::PublicKey| k.fingerprint(russh::keys::HashAlg::Sha256).to_string();
    assert!(line.contains(&fingerprint(&theirs)), "{line}");
    assert!(line.contains(&fingerprint(other.public_key())), "{line}");
    assert!(
        api.wait_until(Duration::from_secs(10), |s| s.get("attention") == Some(&3)),
        "{:?}",
        api.states()
    );
    let report = api
        .get(&format!("/v1/reports/{}/earnings/host-key-0", crate::support::payer()))
        .json();
    let record = api.get(&format!("/v1/records/{}", report["recordId"])).json();
    let text = record.to_string();
    assert!(
        text.contains("pinned in [sftp] host_key") && text.contains("nothing was sent"),
        "{record}"
    );
    // Nothing reached the server.
    assert_eq!(sim.files("in"), Vec::<String>::new());
    assert!(sim.state()["deliveries"].as_array().unwrap().is_empty());
}
