//! The same reports, a replacement and a cancellation, once over the Web
//! Service and once over SFTP: every report ends in the same state at the
//! same version, and the Register holds the same.

use crate::sim::SftpSim;
use crate::support::{payer, reports, Shim};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

const REPORTS: usize = 25;

/// Each report's (state, posted version) in the service.
type Ours = BTreeMap<String, (String, i64)>;
/// Each report's (version, state) in the Register.
type Theirs = BTreeMap<String, (i64, String)>;

/// Posts the reports, a replacement of `same-3` and a cancellation of
/// `same-5`; waits until all are final. Each report's (state, posted
/// version), and the Register's (version, state) of each.
fn run(sim: &SftpSim, list: &[Value]) -> (Ours, Theirs) {
    let shim = Shim::start_with(&sim.config(), &[]);
    let api = sim.api(&shim);
    let mut replacement = list[3].clone();
    replacement["report"]["ReportData"]["ActionCode"] = json!(2);
    replacement["report"]["Transactions"]["Transaction"][0]["TransactionBasic"]["Amount"] = json!("123.45");
    assert_eq!(api.post_json("/v1/reports", &json!(list)).status, 202);
    assert_eq!(api.post_json("/v1/reports", &json!([replacement])).status, 202);
    let cancel = json!({ "payer": payer(), "kind": "earnings", "reportId": "same-5" });
    assert_eq!(api.post_json("/v1/cancellations", &cancel).status, 202);
    let done = api.wait_until(Duration::from_secs(40), |s| {
        // The replacement counts as a report of its own.
        s.get("stored") == Some(&(REPORTS as i64)) && s.get("cancelled") == Some(&1) && s.len() == 2
    });
    assert!(done, "{:?}", api.states());
    let mut ours = BTreeMap::new();
    for i in 0..REPORTS {
        let id = format!("same-{i}");
        let r = api.get(&format!("/v1/reports/{}/earnings/{id}", payer())).json();
        let state = r["state"].as_str().unwrap().to_string();
        ours.insert(id, (state, r["postedVersion"].as_i64().unwrap_or(0)));
    }
    let register = sim.state()["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r["reportId"].as_str().unwrap().to_string();
            (
                id,
                (r["version"].as_i64().unwrap(), r["state"].as_str().unwrap().to_string()),
            )
        })
        .collect();
    assert!(shim.terminate().success());
    (ours, register)
}

#[test]
fn the_same_reports_end_the_same_over_sftp_as_over_the_web_service() {
    let Some(list) = reports("same", REPORTS) else { return };
    let settings = [(
        "linger_seconds = 0.2",
        "linger_seconds = 0.2\nmax_reports_per_record = 10",
    )];
    let ws = SftpSim::start("same-ws", "ws", &[], &settings);
    let sftp = SftpSim::start("same-sftp", "sftp", &[], &settings);
    let over_ws = std::thread::spawn({
        let list = list.clone();
        move || (run(&ws, &list), ws)
    });
    let over_sftp = run(&sftp, &list);
    let (over_ws, ws) = over_ws.join().unwrap();
    assert_eq!(over_sftp.0, over_ws.0, "the service's states");
    assert_eq!(over_sftp.1, over_ws.1, "the Register's states");
    assert_eq!(over_sftp.0["same-3"], ("stored".to_string(), 2));
    assert_eq!(over_sftp.0["same-5"].0, "cancelled");
    assert_eq!(over_sftp.1.len(), REPORTS);

    // Over SFTP: every delivery came by SFTP, once, and nothing is left
    // in the account's folders (feedback is removed once committed).
    let deliveries = sftp.state()["deliveries"].as_array().unwrap().clone();
    // 3 records of reports, the replacement, the cancellation.
    assert!(deliveries.len() >= 5, "{deliveries:?}");
    for d in &deliveries {
        assert_eq!(
            (d["channel"].as_str(), d["arrivals"].as_i64()),
            (Some("sftp"), Some(1)),
            "{d}"
        );
    }
    assert_eq!(sftp.files("in"), Vec::<String>::new());
    assert_eq!(sftp.files("feedback"), Vec::<String>::new());
    let web = ws.state()["deliveries"].as_array().unwrap().clone();
    assert_eq!(web.len(), deliveries.len(), "as many deliveries over either channel");
    let by_sftp = web.iter().filter(|d| d["channel"] == "sftp").count();
    assert_eq!(by_sftp, 0, "over the Web Service, nothing came by SFTP");
}
