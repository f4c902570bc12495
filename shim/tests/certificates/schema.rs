//! The certificate service's messages against the official XSD (the
//! oracle, with xmllint): the client's three requests (the renewal signed
//! with the core) and the simulator's answers, OK, not ready, with a
//! certificate, and FAIL.

use crate::simulator_support::{has, signer, skip, BUSINESS_ID};
use crate::support::Sim;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use tulorekisteri_shim::certificate::{exchange, keys};
use tulorekisteri_shim::simulator::certificates::PATH;
use tulorekisteri_shim::soap;

fn xsd() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/ir/certificate-service/CertificateServices.xsd");
    if !path.exists() {
        skip(&format!("{} is absent", path.display()));
        return None;
    }
    Some(path)
}

/// xmllint says `xml` is valid against the XSD.
fn assert_valid(xsd: &Path, dir: &Path, name: &str, xml: &[u8]) {
    let file = dir.join(format!("{name}.xml"));
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(xsd)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(xml)
    );
}

/// The answer's element, out of its envelope (HTTP 200 expected).
fn answer(sim: &Sim, action: &str, request: &str) -> String {
    let (code, body) = sim
        .post_anonymous(PATH, action, &soap::envelope(request.as_bytes()))
        .unwrap();
    assert_eq!(code, 200, "{body}");
    match soap::read(body.as_bytes()) {
        Ok(soap::Body::Record(r)) => String::from_utf8(r.to_vec()).unwrap(),
        other => panic!("{other:?}"),
    }
}

fn between<'a>(text: &'a str, tag: &str) -> &'a str {
    text.split(&format!("<{tag}>"))
        .nth(1)
        .unwrap()
        .split(&format!("</{tag}>"))
        .next()
        .unwrap()
}

#[test]
fn requests_and_answers_match_the_official_schema() {
    let Some(xsd) = xsd() else { return };
    if !has("xmllint") || !has("curl") {
        return;
    }
    let sim = Sim::start("schema");
    let dir = sim.dir.clone();
    let name = Some("Testiyritys Oy");
    let key = keys::generate(BUSINESS_ID, name).unwrap();
    let (transfer_id, password_file) = sim.transfer(BUSINESS_ID);
    let password = std::fs::read_to_string(password_file).unwrap().trim().to_string();

    let request = exchange::sign_new_request("TEST", BUSINESS_ID, name, &transfer_id, &password, &key.request);
    assert_valid(&xsd, &dir, "sign-new-request", request.as_bytes());
    let ok = answer(&sim, "signNewCertificate", &request);
    assert!(ok.contains("<Status>OK</Status>"), "{ok}");
    assert_valid(&xsd, &dir, "sign-new-response", ok.as_bytes());
    let retrieval_id = between(&ok, "RetrievalId").to_string();

    let get = exchange::get_request("TEST", BUSINESS_ID, name, &retrieval_id);
    assert_valid(&xsd, &dir, "get-request", get.as_bytes());
    let not_ready = answer(&sim, "getCertificate", &get);
    assert!(!not_ready.contains("<Certificate>"), "{not_ready}");
    assert_valid(&xsd, &dir, "get-response-not-ready", not_ready.as_bytes());
    std::thread::sleep(Duration::from_millis(400));
    let ready = answer(&sim, "getCertificate", &get);
    assert!(ready.contains("<Certificate>"), "{ready}");
    assert_valid(&xsd, &dir, "get-response", ready.as_bytes());

    let fail = answer(&sim, "signNewCertificate", &request);
    assert!(fail.contains("<Status>FAIL</Status>") && fail.contains("<ErrorCode>TransferUsed</ErrorCode>"));
    assert_valid(&xsd, &dir, "sign-new-response-fail", fail.as_bytes());

    let renewal = exchange::renew_request("TEST", BUSINESS_ID, name, &key.request);
    let signed = tulorekisteri::signature::sign(renewal.as_bytes(), &signer(&dir, "data")).unwrap();
    assert_valid(&xsd, &dir, "renew-request", &signed);
    let renewed = answer(&sim, "renewCertificate", std::str::from_utf8(&signed).unwrap());
    assert!(renewed.contains("<Status>OK</Status>"), "{renewed}");
    assert_valid(&xsd, &dir, "renew-response", renewed.as_bytes());
}
