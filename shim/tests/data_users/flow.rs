//! A subscription's deliveries: distributed by the simulator, fetched,
//! verified and written as JSON.

use crate::simulator_support::{fresh, read, Server, BUSINESS_ID};
use crate::support::*;
use std::path::Path;
use tulorekisteri_shim::fetch::Event;

/// The simulator's folder with `shim.toml` pointed at the server's port.
fn point(dir: &Path, server: &Server, sftp_port: u16) -> std::path::PathBuf {
    let config = dir.join("shim.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let pointed = text
        .replace("127.0.0.1:8443", &format!("127.0.0.1:{}", server.port))
        .replace("127.0.0.1:8022", &format!("127.0.0.1:{sftp_port}"));
    assert!(
        pointed.contains(&format!("127.0.0.1:{sftp_port}")),
        "shim.toml names the SFTP address: {text}"
    );
    std::fs::write(&config, pointed).unwrap();
    config
}

#[test]
fn a_subscriptions_deliveries_are_fetched_verified_and_written_as_json() {
    if !simulator_support_has("xmllint") {
        return;
    }
    let Some(first) = wages("wages-1", &[("w1", "010101-123N"), ("w2", "131052-308T")]) else {
        return;
    };
    let dir = fresh("distribute");
    let (server, sftp_port) = Server::start_with_sftp(&dir, &[]);
    let config = point(&dir, &server, sftp_port);

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

    // fetch over SFTP: each file verified and written as the JSON
    // `tulorekisteri parse` prints, and recorded.
    let data = dir.join(format!("sftp/{BUSINESS_ID}/data"));
    let out = dir.join("fetched-sftp");
    let fetch = |out: Option<&Path>| {
        let mut args = vec!["fetch".to_string(), "--config".into(), config.display().to_string()];
        if let Some(out) = out {
            args.extend(["--out".to_string(), out.display().to_string()]);
        }
        run(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let first = fetch(Some(&out));
    assert_eq!(first.status.code(), Some(0), "{}", shown(&first));
    let names = data_files(&data);
    assert_eq!(names.len(), 2);
    let mut via_cli = false;
    for name in &names {
        let json = out.join(name.replace(".xml", ".json"));
        let (printed, cli) = parse_as_cli(&data.join(name));
        via_cli |= cli;
        assert_eq!(std::fs::read_to_string(&json).unwrap(), printed, "{name}");
        assert!(String::from_utf8_lossy(&first.stdout).contains(&format!("fetched {name} (WageReportsFromIR)")));
    }
    println!("compared with the tulorekisteri CLI's parse: {via_cli}");
    let tracked: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("fetched.json")).unwrap()).unwrap();
    for name in &names {
        let sha = tulorekisteri_shim::fetch::store::sha256(&std::fs::read(data.join(name)).unwrap());
        assert_eq!(tracked["files"][name]["sha256"], sha.as_str(), "{tracked}");
        assert_eq!(tracked["files"][name]["root"], "WageReportsFromIR");
    }
    // Again: nothing new.
    let again = fetch(Some(&out));
    assert_eq!(again.status.code(), Some(0), "{}", shown(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 fetched, 0 refused, 0 failed, 2 fetched before"),
        "{}",
        shown(&again)
    );
    // Another host key than the pinned one: refused before anything is
    // read (a configuration error, status 2).
    let wrong = dir.join("wrong-host-key.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let pinned = text.lines().find(|l| l.starts_with("host_key")).unwrap();
    let other_key = std::fs::read_to_string(dir.join("org/earnings-key.pem")).unwrap();
    let other = russh::keys::decode_secret_key(&other_key, None)
        .unwrap()
        .public_key()
        .to_openssh()
        .unwrap();
    std::fs::write(&wrong, text.replace(pinned, &format!("host_key = {other:?}"))).unwrap();
    let refused = run(&[
        "fetch",
        "--config",
        wrong.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2), "{}", shown(&refused));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("host key is not the one pinned"),
        "{}",
        shown(&refused)
    );
    // Without --out: `fetched` beside the configuration.
    let default = fetch(None);
    assert_eq!(default.status.code(), Some(0), "{}", shown(&default));
    assert!(dir.join("fetched/fetched.json").exists());

    // A tampered file on the server: refused, not written, status 1; the
    // others were fetched before and stay as they are.
    let mut bytes = std::fs::read(data.join(&names[0])).unwrap();
    let at = find(&bytes, b"<NrOfReports>").unwrap() + b"<NrOfReports>".len();
    bytes[at] = if bytes[at] == b'7' { b'8' } else { b'7' };
    std::fs::write(data.join("0-tampered-WageReportsFromIR.xml"), &bytes).unwrap();
    let refused = fetch(Some(&out));
    assert_eq!(refused.status.code(), Some(1), "{}", shown(&refused));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("refused 0-tampered-WageReportsFromIR.xml: its signature does not verify"),
        "{}",
        shown(&refused)
    );
    assert!(!out.join("0-tampered-WageReportsFromIR.json").exists());
    std::fs::remove_file(data.join("0-tampered-WageReportsFromIR.xml")).unwrap();

    // The fetch part on the files as they are (no SFTP): each verified,
    // written as the JSON `tulorekisteri parse` prints, tracked.
    let out = dir.join("fetched-local");
    let ca = response_ca(&dir);
    let summary = fetch_folder(&data, &out, &ca);
    assert_eq!(summary.status(), 0, "{summary:?}");
    assert_eq!(summary.events.len(), 2, "{summary:?}");
    for e in &summary.events {
        let Event::Fetched { name, json, root } = e else {
            panic!("{e:?}")
        };
        assert_eq!(root, "WageReportsFromIR");
        let (printed, _) = parse_as_cli(&data.join(name));
        assert_eq!(std::fs::read_to_string(json).unwrap(), printed, "{name}");
    }
    let tracked: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("fetched.json")).unwrap()).unwrap();
    assert_eq!(tracked["files"].as_object().unwrap().len(), 2, "{tracked}");
    let again = fetch_folder(&data, &out, &ca);
    assert!(again.events.is_empty(), "{again:?}");
    assert_eq!(again.already, 2);

    // A tampered file: refused, nothing written of it, the status 1.
    let first_name = data_files(&data)[0].clone();
    let mut bytes = std::fs::read(data.join(&first_name)).unwrap();
    let at = find(&bytes, b"<NrOfReports>").unwrap() + b"<NrOfReports>".len();
    bytes[at] = if bytes[at] == b'7' { b'8' } else { b'7' };
    std::fs::write(data.join("0-tampered-WageReportsFromIR.xml"), &bytes).unwrap();
    let refused = fetch_folder(&data, &out, &ca);
    assert_eq!(refused.status(), 1, "{refused:?}");
    assert!(
        matches!(&refused.events[..], [Event::Refused { name, kind: "bad-signature", .. }] if name == "0-tampered-WageReportsFromIR.xml"),
        "{refused:?}"
    );
    assert!(!out.join("0-tampered-WageReportsFromIR.json").exists());

    // A cancelled subscription (108) gets nothing more.
    let out = send(&dir, &config, "cancel-1", &cancel_subscription("cancel-1", "main-1"));
    assert!(out.status.success(), "{}", shown(&out));
    let third = wages("wages-3", &[("w4", "010101-123N")]).unwrap();
    let out = send(&dir, &config, "wages-3", &third);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(distribute(&dir).is_empty());
    server.stop();
}

fn simulator_support_has(tool: &str) -> bool {
    crate::simulator_support::has(tool)
}
