//! A certificate's life by hand: `simulator transfer`, `cert new` (key
//! 0600 and certificate where the configuration names them), `echo` and
//! `send` with it, the transfer refused a second time, `cert renew`
//! refused outside the window and done inside it, the replaced
//! certificate refused afterwards, and `cert show`.

use crate::simulator_support::{self, BUSINESS_ID};
use crate::support::{arg, mode, run, Sim, GRACE_SECONDS};
use std::time::Duration;

const PEM: &str = "[certificates.earnings]\nkey = \"new/earnings-key.pem\"\ncert = \"new/earnings-cert.pem\"\n";

#[test]
fn a_certificate_from_its_transfer_id_to_its_renewal() {
    let sim = Sim::start("life");
    let config = sim.config("new.toml", PEM, "");
    let config = arg(&config);

    // cert new: the pair where [certificates.earnings] names it.
    let (transfer_id, password_file) = sim.transfer(BUSINESS_ID);
    let new = [
        "cert",
        "new",
        "--config",
        config,
        "--customer-id",
        BUSINESS_ID,
        "--customer-name",
        "Testiyritys Oy",
        "--transfer-id",
        &transfer_id,
        "--transfer-password-file",
        arg(&password_file),
    ];
    let r = run(&new);
    assert_eq!(r.status, 0, "{r}");
    assert!(
        r.stdout
            .contains("Installed the earnings certificate: CN=1234567-1,O=Testiyritys Oy,C=FI"),
        "{r}"
    );
    let (key, cert) = (
        sim.dir.join("new/earnings-key.pem"),
        sim.dir.join("new/earnings-cert.pem"),
    );
    #[cfg(unix)]
    assert_eq!(mode(&key), 0o600);
    assert!(std::fs::read_to_string(&cert)
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let leftovers: Vec<_> = std::fs::read_dir(sim.dir.join("new"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".new") || n.ends_with(".old") || n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // It is the TLS client certificate and the signer.
    let r = run(&["echo", "--config", config]);
    assert_eq!(r.status, 0, "{r}");
    if let Some(record) = simulator_support::wage_record("cert-life-1", 1, &[("cert-life-r1", "010101-123N")]) {
        let file = sim.dir.join("record.json");
        std::fs::write(&file, record.to_string()).unwrap();
        let r = run(&["send", "--config", config, "--wait", "30", arg(&file)]);
        assert_eq!(r.status, 0, "{r}");
        let state = simulator_support::state(&sim.dir);
        assert!(
            state["reports"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["reportId"] == "cert-life-r1"),
            "{state}"
        );
    }

    // Without a client certificate the handshake passes (the certificate
    // service needs none), but the Web Service refuses the request.
    if let Some((code, body)) = sim.post_anonymous("/20170526/EchoService.svc", "SendEcho", b"<x/>") {
        assert_eq!(code, 500, "{body}");
        assert!(
            body.contains("soap:Client") && body.contains("needs a TLS client certificate"),
            "{body}"
        );
    }

    // The transfer ID and password are valid once.
    let r = run(&new);
    assert_eq!(r.status, 1, "{r}");
    assert!(
        r.stderr.contains("TransferUsed") && r.stderr.contains("valid once"),
        "{r}"
    );

    // A certificate of 730 days is outside the renewal window.
    let r = run(&["cert", "renew", "--config", config]);
    assert_eq!(r.status, 1, "{r}");
    assert!(
        r.stderr.contains("NotInWindow") && r.stderr.contains("within 60 days before the certificate expires"),
        "{r}"
    );

    // init's benefits certificate (30 days) is inside it.
    let old = sim.dir.join("old");
    std::fs::create_dir_all(&old).unwrap();
    for f in ["benefits-key.pem", "benefits-cert.pem"] {
        std::fs::copy(sim.dir.join("org").join(f), old.join(f)).unwrap();
    }
    let before = std::fs::read(sim.dir.join("org/benefits-cert.pem")).unwrap();
    let shim = arg(&sim.dir.join("shim.toml")).to_string();
    let r = run(&["cert", "renew", "--config", &shim, "--purpose", "benefits"]);
    assert_eq!(r.status, 0, "{r}");
    assert!(r.stdout.contains("Renewed the benefits certificate"), "{r}");
    assert_ne!(std::fs::read(sim.dir.join("org/benefits-cert.pem")).unwrap(), before);

    // The renewed pair works; the one it replaced is refused once the grace is over.
    let renewed = sim.config(
        "benefits.toml",
        "[certificates.benefits]\nkey = \"org/benefits-key.pem\"\ncert = \"org/benefits-cert.pem\"\n",
        "",
    );
    let replaced = sim.config(
        "old.toml",
        "[certificates.benefits]\nkey = \"old/benefits-key.pem\"\ncert = \"old/benefits-cert.pem\"\n",
        "",
    );
    let r = run(&["echo", "--config", arg(&renewed)]);
    assert_eq!(r.status, 0, "{r}");
    std::thread::sleep(Duration::from_secs_f64(GRACE_SECONDS + 0.3));
    let r = run(&["echo", "--config", arg(&replaced)]);
    assert_ne!(r.status, 0, "{r}");
    assert!(
        r.stdout.contains("TLS handshake failed") && r.stdout.contains("CertificateRevoked"),
        "{r}"
    );

    // A record signed with the replaced key is refused too, even over a
    // connection presenting the renewed certificate.
    if crate::simulator_support::has("curl") {
        let key = std::fs::read_to_string(old.join("benefits-key.pem")).unwrap();
        let cert = std::fs::read(old.join("benefits-cert.pem")).unwrap();
        let replaced_signer = tulorekisteri::signature::Signer::from_pem(&key, &cert, None).unwrap();
        let xml = tulorekisteri::build(&serde_json::json!({ "Echo": { "Data": "old" } })).unwrap();
        let signed = tulorekisteri::signature::sign(xml.as_bytes(), &replaced_signer).unwrap();
        let (rc, code, body) = sim.server.post_as(
            "org/benefits-cert.pem",
            "org/benefits-key.pem",
            "EchoService",
            "SendEcho",
            &tulorekisteri_shim::soap::envelope(&signed),
        );
        let body = String::from_utf8_lossy(&body);
        assert_eq!((rc, code), (0, 500), "{body}");
        assert!(body.contains("replaced by a renewal"), "{body}");
    }

    // cert show: subject, issuer, validity, days left of each.
    let r = run(&["cert", "show", "--config", &shim]);
    assert_eq!(r.status, 0, "{r}");
    for text in [
        "benefits\n",
        "subject     CN=1234567-1,O=Testiyritys Oy,C=FI",
        "issuer      CN=Simulated Data Providers Test Issuing CA",
        "not before  ",
        "not after   ",
        "days left   ",
    ] {
        assert!(r.stdout.contains(text), "{text} in {r}");
    }
    let r = run(&["cert", "show", "--config", &shim, "--json"]);
    let shown: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let days = |p: &str| {
        shown.as_array().unwrap().iter().find(|c| c["purpose"] == p).unwrap()["daysLeft"]
            .as_f64()
            .unwrap()
    };
    assert!(days("earnings") < 30.0 && days("earnings") > 27.0, "{shown}");
    assert!(days("benefits") > 700.0, "{shown}");
}
