//! A subscription's deliveries: distributed by the simulator, fetched,
//! verified and written as JSON.

use crate::simulator_support::{fresh, read, Server, BUSINESS_ID};
use crate::support::*;
use std::path::Path;

/// The simulator's folder with `shim.toml` pointed at the server's port.
fn point(dir: &Path, server: &Server) -> std::path::PathBuf {
    let config = dir.join("shim.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let pointed = text.replace("127.0.0.1:8443", &format!("127.0.0.1:{}", server.port));
    assert_ne!(text, pointed, "shim.toml names the listen address");
    std::fs::write(&config, pointed).unwrap();
    config
}

#[test]
fn a_subscription_is_distributed_as_signed_schema_valid_documents() {
    if !simulator_support_has("xmllint") {
        return;
    }
    let Some(first) = wages("wages-1", &[("w1", "010101-123N"), ("w2", "131052-308T")]) else {
        return;
    };
    let dir = fresh("distribute");
    let server = Server::start(&dir, &[]);
    let config = point(&dir, &server);

    let out = send(&dir, &config, "wages-1", &first);
    assert!(out.status.success(), "{}", shown(&out));
    let out = send(&dir, &config, "sub-1", &subscription("sub-1", "main-1"));
    assert!(out.status.success(), "{}", shown(&out));

    // The first run: both reports, for the subscriber's account.
    let written = distribute(&dir);
    assert_eq!(written.len(), 1, "{written:?}");
    let file = dir.join(&written[0]);
    assert!(
        written[0].starts_with(format!("sftp/{BUSINESS_ID}/data")),
        "{written:?}"
    );
    let name = file.file_name().unwrap().to_str().unwrap().to_string();
    assert!(name.ends_with("-WageReportsFromIR.xml"), "{name}");
    valid_against_xsd(&file, "WageReportsFromIR").unwrap();
    let doc = read(&dir, &std::fs::read(&file).unwrap());
    let content = &doc["WageReportsFromIR"];
    assert_eq!(content["Subscription"]["MainSubscriptionId"], "main-1");
    assert_eq!(content["Subscription"]["SubscriptionId"], "main-1-wages");
    assert_eq!(content["Subscription"]["QueryDataType"], 302);
    assert_eq!(content["Summary"]["NrOfReports"], 2);
    let ids: Vec<&str> = content["Reports"]["Report"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ReportData"]["ReportId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["w1", "w2"]);

    // Nothing new: nothing written. A new report: only it.
    assert!(distribute(&dir).is_empty());
    let second = wages("wages-2", &[("w3", "020202-222K")]).unwrap();
    let out = send(&dir, &config, "wages-2", &second);
    assert!(out.status.success(), "{}", shown(&out));
    let written = distribute(&dir);
    assert_eq!(written.len(), 1, "{written:?}");
    let file = dir.join(&written[0]);
    valid_against_xsd(&file, "WageReportsFromIR").unwrap();
    let doc = read(&dir, &std::fs::read(&file).unwrap());
    assert_eq!(doc["WageReportsFromIR"]["Summary"]["NrOfReports"], 1);
    assert_eq!(
        doc["WageReportsFromIR"]["Reports"]["Report"][0]["ReportData"]["ReportId"],
        "w3"
    );
    server.stop();
}

fn simulator_support_has(tool: &str) -> bool {
    crate::simulator_support::has(tool)
}
