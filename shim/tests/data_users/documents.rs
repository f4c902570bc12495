//! Every kind of document the simulator distributes is valid against its
//! official XSD and fetched as its object.

use crate::simulator_support::{fresh, has, signer, Server, BUSINESS_ID};
use crate::support::*;
use tulorekisteri_shim::fetch::Event;

#[test]
fn each_distributed_document_kind_is_schema_valid_and_fetched() {
    if !has("xmllint") {
        return;
    }
    let Some(wages) = wages("doc-wages", &[("dw1", "010101-123N")]) else {
        return;
    };
    let dir = fresh("documents");
    // Its own SFTP port (init's 8022 may be another test's).
    let server = Server::start(&dir, &["--sftp-listen", "127.0.0.1:0"]);
    let config = dir.join("shim.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("127.0.0.1:8443", &format!("127.0.0.1:{}", server.port)),
    )
    .unwrap();
    for (name, record) in [
        ("doc-wages", wages),
        ("doc-psr", payer_summary("doc-psr", "ds1")),
        ("doc-benefits", benefits("doc-benefits", "db1", "131052-308T")),
        (
            "doc-sub",
            one_time_subscription("doc-sub", "doc-main", &[300, 306, 315, 312, 310]),
        ),
    ] {
        let out = send(&dir, &config, name, &record);
        assert!(out.status.success(), "{name}: {}", shown(&out));
    }
    let written = distribute(&dir);
    let mut roots: Vec<String> = written
        .iter()
        .map(|p| {
            let file = dir.join(p);
            let name = file.file_name().unwrap().to_str().unwrap().to_string();
            let root = name.trim_end_matches(".xml").rsplit('-').next().unwrap().to_string();
            valid_against_xsd(&file, &root).unwrap_or_else(|e| panic!("{name}: {e}"));
            // Personal data: the owner's only.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{name}");
            }
            root
        })
        .collect();
    roots.sort();
    assert_eq!(
        roots,
        [
            "BenefitReportsFromIR",
            "LogDataFromIR",
            "PayerSummaryReportsFromIR",
            "WageReportSummaryFromIR",
            "WageReportsFromIR"
        ]
    );
    // A one-time subscription is extracted once.
    assert!(distribute(&dir).is_empty());

    let data = dir.join(format!("sftp/{BUSINESS_ID}/data"));
    let summary = fetch_folder(&data, &dir.join("fetched"), &response_ca(&dir));
    assert_eq!(summary.status(), 0, "{summary:?}");
    for e in &summary.events {
        let Event::Fetched { name, json, root } = e else {
            panic!("{e:?}")
        };
        let object: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
        let content = &object[root.as_str()];
        assert_eq!(content["Subscription"]["MainSubscriptionId"], "doc-main", "{name}");
        let count = match root.as_str() {
            "LogDataFromIR" => &content["Summary"]["NrOfEvents"],
            _ => &content["Summary"]["NrOfReports"],
        };
        let expected = if root == "LogDataFromIR" { 0 } else { 1 };
        assert_eq!(count, expected, "{name}: {content}");
    }

    // The same document unsigned, and signed by someone else than the
    // Register (the organisation's own key): refused, nothing written.
    let Event::Fetched { json, .. } = &summary.events[0] else {
        panic!("{summary:?}")
    };
    let object: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    let unsigned = tulorekisteri::build(&object).unwrap_or_else(|p| panic!("{p:?}"));
    let other = tulorekisteri::signature::sign(unsigned.as_bytes(), &signer(&dir, "earnings")).unwrap();
    let strangers = dir.join("strangers");
    std::fs::create_dir_all(&strangers).unwrap();
    std::fs::write(strangers.join("a-unsigned.xml"), unsigned.as_bytes()).unwrap();
    std::fs::write(strangers.join("b-other-signer.xml"), &other).unwrap();
    let out = dir.join("fetched-strangers");
    let refused = fetch_folder(&strangers, &out, &response_ca(&dir));
    let kinds: Vec<&str> = refused
        .events
        .iter()
        .map(|e| match e {
            Event::Refused { kind, .. } => *kind,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["unsigned", "untrusted"]);
    assert_eq!(refused.status(), 1);
    assert!(!out.join("a-unsigned.json").exists() && !out.join("b-other-signer.json").exists());
    server.stop();
}
