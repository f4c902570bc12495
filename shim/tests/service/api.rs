//! The API: reports grouped, sent and stored, the views and the feed, what
//! waits for what, and every kind of bad input refused with a code and
//! nothing kept.

use crate::support::{payer, reports, Api, Shim, Sim};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn states_of(events: &[Value], report_id: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["reportId"] == report_id)
        .map(|e| e["state"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn reports_are_grouped_into_records_sent_followed_and_stored() {
    let sim = Sim::start(
        "grouped",
        &[],
        &[(
            "linger_seconds = 0.2",
            "linger_seconds = 0.2\nmax_reports_per_record = 3",
        )],
    );
    let Some(list) = reports("grouped", 7) else { return };
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);
    let posted = api.post_json("/v1/reports", &json!({ "reports": list }));
    assert_eq!(posted.status, 202, "{}", String::from_utf8_lossy(&posted.body));
    let answer = posted.json();
    let records: std::collections::BTreeSet<i64> = answer["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["recordId"].as_i64().unwrap())
        .collect();
    assert_eq!(records.len(), 3, "7 reports, at most 3 per record: {answer}");
    assert!(answer["reports"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["state"] == "accepted"));
    assert!(
        api.wait_until(Duration::from_secs(30), |s| s.get("stored") == Some(&7)),
        "{:?}",
        api.states()
    );

    // Every report's fate once, in order.
    let (events, _) = api.events(0);
    for i in 0..7 {
        assert_eq!(
            states_of(&events, &format!("grouped-{i}")),
            ["accepted", "sending", "sent", "stored"],
            "{events:?}"
        );
    }
    let cursors: Vec<i64> = events.iter().map(|e| e["cursor"].as_i64().unwrap()).collect();
    assert!(cursors.windows(2).all(|w| w[0] < w[1]));

    // The views agree with the simulator.
    let state = sim.state();
    let held = |id: &str| {
        state["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["reportId"] == id)
            .cloned()
            .unwrap()
    };
    let report = api.get(&format!("/v1/reports/{}/earnings/grouped-4", payer())).json();
    assert_eq!(report["state"], "stored");
    assert_eq!(report["irReportId"], held("grouped-4")["irReportId"]);
    assert_eq!(report["version"], 1);
    let history: Vec<&str> = report["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["state"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["accepted", "sending", "sent", "stored"]);
    let record = api.get(&format!("/v1/records/{}", report["recordId"])).json();
    assert_eq!(record["state"], "stored");
    assert_eq!(record["deliveryId"], report["deliveryId"]);
    assert!(record["irDeliveryId"].is_string());
    let deliveries = state["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries
        .iter()
        .all(|d| d["arrivals"] == 1 && d["operation"] == "SendWageReports"));

    // The same reports again: nothing new.
    let again = api.post_json("/v1/reports", &json!({ "reports": list }));
    assert_eq!(again.status, 200);
    assert!(again.json()["reports"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["existing"] == true && r["state"] == "stored"));
    assert_eq!(api.events(0).0.len(), events.len());
}

/// A whole record of the organisation's own, as `tulorekisteri build` takes it.
fn own_record(delivery_id: &str, report_id: &str) -> Option<Value> {
    crate::simulator_support::wage_record(delivery_id, 1, &[(report_id, crate::support::PERSON)])
}

#[test]
fn bad_input_gets_a_clear_error_and_nothing_is_kept() {
    let sim = Sim::start(
        "bad-input",
        &[],
        &[(
            "linger_seconds = 0.2",
            "linger_seconds = 0.2\nmax_body_bytes = 200000\nallowed_origins = [\"http://127.0.0.1:8000\"]",
        )],
    );
    let Some(good) = own_record("bad-input-1", "kept-1") else {
        return;
    };
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);
    let kept = api.post_json("/v1/records", &good);
    assert_eq!(kept.status, 202, "{}", String::from_utf8_lossy(&kept.body));
    let kept = kept.json();

    let code = |reply: crate::support::Reply| -> (u16, String, Value) {
        let body = reply.json();
        (
            reply.status,
            body["error"]["code"].as_str().unwrap_or("").to_string(),
            body,
        )
    };
    // No token, a wrong one, the wrong scheme.
    let bare = crate::support::request(&api.addr, "GET", "/v1/events", &[], b"");
    assert_eq!(code(bare).0, 401);
    let wrong = Api {
        addr: api.addr.clone(),
        token: "not-the-token".into(),
    };
    assert_eq!(code(wrong.post_json("/v1/reports", &json!([]))).1, "unauthorized");
    let basic = crate::support::request(&api.addr, "GET", "/healthz", &[("Authorization", "Basic eDp5")], b"");
    assert_eq!(basic.status, 401);

    // A page of an allowed origin: its preflight is answered without a
    // token, and its answers name the origin; another origin gets neither.
    let page = "http://127.0.0.1:8000";
    let preflight = crate::support::request(
        &api.addr,
        "OPTIONS",
        "/v1/records",
        &[("Origin", page), ("Access-Control-Request-Method", "POST")],
        b"",
    );
    assert_eq!(preflight.status, 204, "{}", preflight.head);
    assert_eq!(preflight.header("access-control-allow-origin").as_deref(), Some(page));
    assert!(preflight
        .header("access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    let bearer = format!("Bearer {}", sim.token);
    let read = crate::support::request(
        &api.addr,
        "GET",
        "/healthz",
        &[("Origin", page), ("Authorization", &bearer)],
        b"",
    );
    assert_eq!(read.status, 200);
    assert_eq!(read.header("access-control-allow-origin").as_deref(), Some(page));
    let other = "http://127.0.0.1:9999";
    let stranger = crate::support::request(&api.addr, "OPTIONS", "/v1/records", &[("Origin", other)], b"");
    assert_eq!(stranger.status, 401);
    assert_eq!(stranger.header("access-control-allow-origin"), None);
    let stranger = crate::support::request(
        &api.addr,
        "GET",
        "/healthz",
        &[("Origin", other), ("Authorization", &bearer)],
        b"",
    );
    assert_eq!(
        (stranger.status, stranger.header("access-control-allow-origin")),
        (200, None)
    );

    // Malformed JSON, with where.
    let (status, c, body) = code(api.post("/v1/reports", "application/json", b"{\"reports\": [1,"));
    assert_eq!((status, c.as_str()), (400, "malformed"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("line 1"), "{body}");
    // An unknown kind.
    let Some(mut list) = reports("bad", 2) else { return };
    list[1]["kind"] = json!("salaries");
    let (status, c, body) = code(api.post_json("/v1/reports", &json!(list)));
    assert_eq!((status, c.as_str()), (422, "unknown-kind"), "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("reports[1]"),
        "{body}"
    );
    // An invalid report: its problems, with where.
    let Some(mut list) = reports("bad", 2) else { return };
    list[1]["report"]["ReportData"]["ReportId"] = json!("no spaces allowed");
    let (status, c, body) = code(api.post_json("/v1/reports", &json!(list)));
    assert_eq!((status, c.as_str()), (422, "invalid-report"), "{body}");
    let problem = &body["error"]["problems"][0];
    assert_eq!(problem["report"], 1);
    assert!(
        problem["path"].as_str().unwrap().ends_with("ReportData/ReportId"),
        "{problem}"
    );
    // A record that breaks a rule.
    let mut broken = good.clone();
    broken["WageReportsRequestToIR"]["DeliveryData"]["DeliveryId"] = json!("bad-input-2");
    broken["WageReportsRequestToIR"]["DeliveryData"]["Reports"]["Report"][0]["IncomeEarner"]["IncomeEarnerIds"]["Id"]
        [0]["Code"] = json!("010101-1234");
    let (status, c, body) = code(api.post_json("/v1/records", &broken));
    assert_eq!((status, c.as_str()), (422, "invalid-record"), "{body}");
    assert!(
        body["error"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "rule-personal-id"),
        "{body}"
    );
    // Not XML, not JSON.
    let (status, c, _) = code(api.post("/v1/records", "application/xml", b"<unclosed"));
    assert_eq!((status, c.as_str()), (422, "invalid-record"));
    // Other content under a DeliveryId used before.
    let mut other = own_record("bad-input-1", "other-report").unwrap();
    other["WageReportsRequestToIR"]["DeliveryData"]["Timestamp"] =
        good["WageReportsRequestToIR"]["DeliveryData"]["Timestamp"].clone();
    let (status, c, body) = code(api.post_json("/v1/records", &other));
    assert_eq!((status, c.as_str()), (409, "conflict"), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("bad-input-1"));
    // The same record again is the one kept.
    let same = api.post_json("/v1/records", &good);
    assert_eq!((same.status, same.json()["id"].clone()), (200, kept["id"].clone()));
    // A body over the limit.
    let big = vec![b' '; 300_000];
    let (status, c, _) = code(api.post("/v1/records", "application/xml", &big));
    assert_eq!((status, c.as_str()), (413, "too-large"));
    // Cancelling what the ledger does not hold.
    let (status, c, _) = code(api.post_json(
        "/v1/cancellations",
        &json!({ "payer": payer(), "kind": "earnings", "reportId": "never-posted" }),
    ));
    assert_eq!((status, c.as_str()), (404, "not-found"));
    let (status, c, _) = code(api.post_json("/v1/cancellations", &json!({ "recordId": 999 })));
    assert_eq!((status, c.as_str()), (404, "not-found"));
    // A report of another content under a ReportId used before.
    let Some(mut list) = reports("bad", 1) else { return };
    list[0]["report"]["ReportData"]["ReportId"] = json!("kept-1");
    let (status, c, _) = code(api.post_json("/v1/reports", &json!(list)));
    assert_eq!((status, c.as_str()), (409, "conflict"));
    // Unknown paths and methods.
    assert_eq!(code(api.get("/v1/nothing")).0, 404);
    assert_eq!(code(api.get("/v1/reports")).1, "method-not-allowed");
    assert_eq!(code(api.get("/v1/records/abc")).0, 404);
    assert_eq!(code(api.get(&format!("/v1/reports/{}/earnings/never", payer()))).0, 404);
    assert_eq!(code(api.get("/v1/events?after=x")).1, "invalid-input");

    // Nothing of that was kept; what was accepted goes on.
    let (events, _) = api.events(0);
    assert!(events.iter().all(|e| e["recordId"] == kept["id"]), "{events:?}");
    assert!(
        api.wait_until(Duration::from_secs(30), |s| s.get("stored") == Some(&1)),
        "{:?}",
        api.states()
    );
    let state = sim.state();
    assert_eq!(state["deliveries"].as_array().unwrap().len(), 1, "{state:#}");
    assert_eq!(state["reports"].as_array().unwrap().len(), 1);
}

#[test]
fn replacements_and_cancellations_wait_for_what_they_refer_to() {
    let sim = Sim::start("holds", &[], &[]);
    let Some(original) = reports("held", 1) else { return };
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);
    let mut replacement = original[0].clone();
    replacement["report"]["ReportData"]["ActionCode"] = json!(2);
    replacement["report"]["Transactions"]["Transaction"][0]["TransactionBasic"]["Amount"] = json!("123.45");
    // All three at once: the replacement and the cancellation must wait.
    assert_eq!(api.post_json("/v1/reports", &json!(original)).status, 202);
    assert_eq!(api.post_json("/v1/reports", &json!([replacement])).status, 202);
    let cancel = json!({ "payer": payer(), "kind": "earnings", "reportId": "held-0" });
    let cancellation = api.post_json("/v1/cancellations", &cancel);
    assert_eq!(
        cancellation.status,
        202,
        "{}",
        String::from_utf8_lossy(&cancellation.body)
    );
    let cancellation = cancellation.json();
    assert_eq!(cancellation["state"], "accepted");
    assert!(
        api.wait_until(Duration::from_secs(30), |s| s.get("cancelled") == Some(&1)),
        "{:?}",
        api.states()
    );

    let report = api.get(&format!("/v1/reports/{}/earnings/held-0", payer())).json();
    assert_eq!(report["state"], "cancelled", "{report}");
    assert_eq!(report["postedVersion"], 2);
    let history: Vec<&str> = report["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["state"].as_str().unwrap())
        .collect();
    assert_eq!(history.last(), Some(&"cancelled"), "{report}");
    let record = api.get(&format!("/v1/records/{}", cancellation["id"])).json();
    assert_eq!(record["state"], "stored", "{record}");
    assert_eq!(record["root"], "InvalidationsRequestToIR");
    // The Register got them in order: each after the one before was acknowledged.
    let state = sim.state();
    let report = &state["reports"][0];
    assert_eq!(
        (report["version"].as_i64(), report["state"].as_str()),
        (Some(3), Some("cancelled")),
        "{state}"
    );
    let operations: Vec<&str> = state["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, ["SendWageReports", "SendWageReports", "SendInvalidations"]);
    assert!(
        state["deliveries"].as_array().unwrap().iter().all(|d| d["status"] == 3),
        "{state}"
    );
    // The feed names the version each final event is about, and whatever
    // order the feedback came in, the report is cancelled once.
    let finals = || -> Vec<(i64, String)> {
        let (events, _) = api.events(0);
        events
            .iter()
            .filter(|e| e["reportId"] == "held-0" && ["stored", "cancelled"].contains(&e["state"].as_str().unwrap()))
            .map(|e| {
                (
                    e["postedVersion"].as_i64().unwrap(),
                    e["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let complete = |f: &[(i64, String)]| f.iter().any(|e| e.0 == 1) && f.iter().any(|e| e.1 == "cancelled");
    while !complete(&finals()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut finals = finals();
    finals.sort();
    let expected = [(1, "stored"), (2, "cancelled"), (2, "stored")];
    let cancelled_once = complete(&finals) && finals.iter().filter(|(_, s)| s == "cancelled").count() == 1;
    assert!(
        cancelled_once
            && finals
                .iter()
                .all(|f| expected.iter().any(|e| (e.0, e.1) == (f.0, f.1.as_str()))),
        "{finals:?}"
    );
    assert_eq!(
        api.get(&format!("/v1/reports/{}/earnings/held-0", payer())).json()["state"],
        "cancelled"
    );
    // Cancelling it again: nothing to cancel.
    assert_eq!(api.post_json("/v1/cancellations", &cancel).status, 409);
}

#[test]
fn a_real_time_report_goes_alone_through_the_real_time_operation() {
    let sim = Sim::start("realtime", &[], &[]);
    let Some(mut list) = reports("rt", 2) else { return };
    list[0]["realtime"] = json!(true);
    list[1]["realtime"] = json!(true);
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);
    let posted = api.post_json("/v1/reports", &json!(list)).json();
    assert_ne!(posted["reports"][0]["recordId"], posted["reports"][1]["recordId"]);
    assert!(
        api.wait_until(Duration::from_secs(30), |s| s.get("stored") == Some(&2)),
        "{:?}",
        api.states()
    );
    let state = sim.state();
    assert!(
        state["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["operation"] == "SendWageReport"),
        "{state}"
    );
    let (events, _) = api.events(0);
    // The real-time answer is final at once: no "sent" in between.
    assert_eq!(states_of(&events, "rt-0"), ["accepted", "sending", "stored"]);
}

#[test]
fn a_missing_certificate_is_attention_and_nothing_is_sent() {
    let sim = Sim::start(
        "no-certificate",
        &[],
        &[(
            "[certificates.earnings]\nkey = \"org/earnings-key.pem\"\ncert = \"org/earnings-cert.pem\"\n",
            "",
        )],
    );
    let Some(list) = reports("nocert", 1) else { return };
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);
    assert_eq!(api.post_json("/v1/reports", &json!(list)).status, 202);
    assert!(
        api.wait_until(Duration::from_secs(20), |s| s.get("attention") == Some(&1)),
        "{:?}",
        api.states()
    );
    let report = api.get(&format!("/v1/reports/{}/earnings/nocert-0", payer())).json();
    assert!(
        report["reason"]
            .as_str()
            .unwrap()
            .contains("no certificate for earnings"),
        "{report}"
    );
    assert!(sim.state()["deliveries"].as_array().unwrap().is_empty());
}

#[test]
fn a_key_readable_by_others_is_refused_and_sigterm_stops_cleanly() {
    let sim = Sim::start("modes", &[], &[]);
    let key = sim.dir.join("org/earnings-key.pem");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = std::process::Command::new(crate::simulator_support::BIN)
        .arg("serve")
        .arg("--config")
        .arg(sim.dir.join("shim.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("earnings-key.pem can be read by others"), "{stderr}");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();

    let Some(list) = reports("term", 3) else { return };
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);
    assert_eq!(api.post_json("/v1/reports", &json!(list)).status, 202);
    assert!(shim.wait_for_log("signed, sending", Duration::from_secs(20)).is_some());
    assert!(shim.terminate().success());
    // A second instance on the same SQLite ledger is refused while one runs.
    let first = Shim::start(&sim.dir);
    let out = std::process::Command::new(crate::simulator_support::BIN)
        .arg("serve")
        .arg("--config")
        .arg(sim.dir.join("shim.toml"))
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use by another instance"));
    let api = Api::new(&first, &sim);
    assert!(
        api.wait_until(Duration::from_secs(30), |s| s.get("stored") == Some(&3)),
        "{:?}",
        api.states()
    );
}

#[test]
fn the_api_speaks_https_when_configured_and_warns_of_expiring_certificates() {
    if !crate::simulator_support::has("curl") {
        return;
    }
    // The simulator's own TLS server certificate (for 127.0.0.1) serves the
    // API too; every certificate is inside a warning window of ~270 years.
    let sim = Sim::start(
        "https",
        &[],
        &[(
            "linger_seconds = 0.2",
            "linger_seconds = 0.2\ntls_cert = \"server/tls-cert.pem\"\ntls_key = \"server/tls-key.pem\"\ncertificate_warning_days = 100000",
        )],
    );
    let shim = Shim::start(&sim.dir);
    let warning = shim.wait_for_log("certificate expires in", Duration::from_secs(10));
    assert!(warning.is_some_and(|w| w.contains("earnings")), "no warning");
    let out = std::process::Command::new("curl")
        .args(["-sS", "--max-time", "10", "--cacert"])
        .arg(sim.dir.join("ca/server-ca.pem"))
        .args(["-H", &format!("Authorization: Bearer {}", sim.token)])
        .arg(format!("https://{}/metrics", shim.addr))
        .output()
        .unwrap();
    let metrics = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        metrics.contains("tulorekisteri_shim_certificate_days_left{purpose=\"earnings\"}"),
        "{metrics}"
    );
    // Plain HTTP is not answered on an HTTPS listener.
    let plain = std::process::Command::new("curl")
        .args(["-sS", "--max-time", "5"])
        .arg(format!("http://{}/healthz", shim.addr))
        .output()
        .unwrap();
    assert!(!plain.status.success());
}

#[test]
fn replacements_of_one_report_in_a_row_go_one_after_the_other() {
    let sim = Sim::start("replacements", &[], &[("linger_seconds = 0.2", "linger_seconds = 1")]);
    let Some(original) = reports("again", 1) else { return };
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);
    assert_eq!(api.post_json("/v1/reports", &json!(original)).status, 202);
    // Three replacements within one linger: each waits for the one before,
    // none in a record with another version of the report.
    for amount in ["100.00", "200.00", "300.00"] {
        let mut r = original[0].clone();
        r["report"]["ReportData"]["ActionCode"] = json!(2);
        r["report"]["Transactions"]["Transaction"][0]["TransactionBasic"]["Amount"] = json!(amount);
        assert_eq!(api.post_json("/v1/reports", &json!([r])).status, 202);
    }
    let report = || api.get(&format!("/v1/reports/{}/earnings/again-0", payer())).json();
    let done = (0..150).any(|_| {
        std::thread::sleep(Duration::from_millis(200));
        report()["state"] == "stored" && report()["postedVersion"] == 4
    });
    assert!(done, "{}", report());
    assert_eq!(report()["version"], 4, "the Register's version");
    let state = sim.state();
    assert_eq!(state["deliveries"].as_array().unwrap().len(), 4, "{state}");
    assert_eq!(state["reports"][0]["version"], 4);
}

#[test]
fn one_certificate_sends_for_many_payers() {
    let sim = Sim::start("payers", &[], &[]);
    let Some(mut list) = reports("payers", 4) else { return };
    // Two of them for another payer (a payroll bureau's customer).
    for item in &mut list[2..] {
        item["payer"]["PayerIds"]["Id"][0]["Code"] = json!("7654321-2");
    }
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);
    let posted = api.post_json("/v1/reports", &json!(list));
    assert_eq!(posted.status, 202, "{}", String::from_utf8_lossy(&posted.body));
    assert!(
        api.wait_until(Duration::from_secs(30), |s| s.get("stored") == Some(&4)),
        "{:?}",
        api.states()
    );
    let state = sim.state();
    let mut owners: Vec<&str> = state["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["owner"].as_str().unwrap())
        .collect();
    owners.sort();
    assert_eq!(owners, [payer(), "7654321-2"], "one record per payer, each its owner");
    let other = api.get("/v1/reports/7654321-2/earnings/payers-3").json();
    assert_eq!(other["state"], "stored", "{other}");
}
