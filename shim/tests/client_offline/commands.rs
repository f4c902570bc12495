//! The commands as a user runs them: the binary, its output and its exit
//! status, against the same local TLS server.

use super::answers::{ack, answer, echo, status_response, IR_DELIVERY_ID, IR_REPORT_ID};
use super::server::{acceptor, closed_port, http, listener, serve, Behaviour};
use super::support::{pki, wage_report, wage_report_xml, Fixture};
use serde_json::json;
use std::path::Path;
use std::process::Command;

const ID: &str = "demo-2022-03-0001";
const REPORT: &str = "demo-2022-03-emp-017";

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

async fn run(args: Vec<String>) -> Run {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_tulorekisteri-shim"))
            .args(&args)
            .output()
            .unwrap();
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).to_string(),
        }
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_or_input_error_is_exit_2_before_anything_is_sent() {
    let fixture = Fixture::new();
    let record = fixture.dir.join("record.xml");
    std::fs::write(&record, wage_report_xml()).unwrap();
    let missing = fixture.dir.join("missing.toml");
    let r = run(args(&["send", "--config", &path(&missing), &path(&record)])).await;
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stderr.contains("missing.toml"), "{}", r.stderr);
    // A configured certificate that cannot be read.
    let _ = fixture.config(1, "test", 5.0);
    std::fs::write(fixture.dir.join("org/earnings-key.pem"), "junk").unwrap();
    let r = run(args(&[
        "send",
        "--config",
        &path(&fixture.dir.join("shim.toml")),
        &path(&record),
    ]))
    .await;
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stderr.contains("certificates.earnings"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_the_local_checks_reject_is_exit_1_and_not_sent() {
    let fixture = Fixture::new();
    let config = fixture.dir.join("shim.toml");
    let _ = fixture.config(closed_port().await, "production", 5.0);
    let record = fixture.dir.join("record.json");
    std::fs::write(&record, serde_json::to_vec(&wage_report()).unwrap()).unwrap();
    let r = run(args(&["send", "--config", &path(&config), &path(&record)])).await;
    assert_eq!(r.status, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("rule-environment"), "{}", r.stderr);
    assert!(r.stdout.contains("rejected by the local checks"), "{}", r.stdout);
    // A record that is not one to send.
    let status = fixture.dir.join("echo.json");
    std::fs::write(&status, json!({ "Echo": { "Data": "x" } }).to_string()).unwrap();
    let r = run(args(&["send", "--config", &path(&config), &path(&status)])).await;
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stderr.contains("use `echo`"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_not_sent_is_exit_3_and_every_report_says_so() {
    let fixture = Fixture::new();
    let config = fixture.dir.join("shim.toml");
    let _ = fixture.config(closed_port().await, "test", 5.0);
    let record = fixture.dir.join("record.xml");
    std::fs::write(&record, wage_report_xml()).unwrap();
    let r = run(args(&["send", "--config", &path(&config), &path(&record)])).await;
    assert_eq!(r.status, 3, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "report ReportId {REPORT}: not sent\nrecord DeliveryId {ID} (DeliveryDataType 100): not sent \
             (TCP connect failed: connection refused): nothing reached the Register; safe to send again\n"
        )
    );
    // Nothing of the record's content is printed or logged.
    assert!(!r.stderr.contains("010190-900P") && !r.stdout.contains("010190-900P"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_record_is_followed_and_every_reports_fate_printed() {
    let fixture = Fixture::new();
    let (l, port) = listener().await;
    let plan = vec![
        Behaviour::Answer(http(200, &answer(&ack(2, ID)))),
        Behaviour::Answer(http(200, &answer(&status_response(2, Some(ID), REPORT)))),
        Behaviour::Answer(http(200, &answer(&status_response(3, Some(ID), REPORT)))),
    ];
    let server = serve(l, acceptor(&pki().org_ca), plan);
    let _ = fixture.config(port, "test", 5.0);
    let record = fixture.dir.join("record.xml");
    std::fs::write(&record, wage_report_xml()).unwrap();
    let r = run(args(&[
        "send",
        "--config",
        &path(&fixture.dir.join("shim.toml")),
        &path(&record),
    ]))
    .await;
    assert_eq!(r.status, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "report ReportId {REPORT}: stored, IRReportId {IR_REPORT_ID}, version 1\n\
             record DeliveryId {ID} (DeliveryDataType 100), IRDeliveryId {IR_DELIVERY_ID}: status 3 (stored): \
             processed and stored; invalid items, if any, were not stored\n"
        )
    );
    assert!(r.stderr.contains("SendWageReports: sending"), "{}", r.stderr);
    assert!(r.stderr.contains("received, status 2 (processing)"), "{}", r.stderr);
    assert!(!r.stderr.contains("010190-900P"));
    assert_eq!(server.await.unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_out_and_uncertainty_are_exit_3_naming_the_delivery_id() {
    let fixture = Fixture::new();
    let (l, port) = listener().await;
    let server = serve(
        l,
        acceptor(&pki().org_ca),
        vec![Behaviour::Answer(http(200, &answer(&ack(2, ID)))), Behaviour::Silent],
    );
    let config = fixture.dir.join("shim.toml");
    let _ = fixture.config(port, "test", 0.5);
    let record = fixture.dir.join("record.xml");
    std::fs::write(&record, wage_report_xml()).unwrap();
    let r = run(args(&[
        "send",
        "--config",
        &path(&config),
        "--wait",
        "0",
        &path(&record),
    ]))
    .await;
    assert_eq!(r.status, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!("report ReportId {REPORT}: processing")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "not final yet after 0 status requests; ask again later: tulorekisteri-shim status --config {} --type 100 --delivery-id {ID}",
            config.display()
        )),
        "{}",
        r.stdout
    );
    let r = run(args(&["send", "--config", &path(&config), &path(&record)])).await;
    assert_eq!(r.status, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("uncertain (no whole answer within the read timeout)")
            && r.stdout.contains(&format!("--delivery-id {ID}")),
        "{}",
        r.stdout
    );
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_echo_print_what_the_register_said() {
    let fixture = Fixture::new();
    let (l, port) = listener().await;
    let mut invalid = status_response(3, Some(ID), REPORT);
    invalid["StatusResponseFromIR"]["StatusResponse"]["InvalidItems"] = json!({ "Item": [{
        "ItemId": "r-2",
        "ItemErrors": { "ErrorInfo": [{ "ErrorCode": "rule-x", "ErrorMessage": "Wrong.", "ErrorDetails": "Report[2]" }] }
    }] });
    let plan = vec![
        Behaviour::Answer(http(200, &answer(&invalid))),
        Behaviour::Answer(http(200, &answer(&status_response(0, None, REPORT)))),
        Behaviour::Answer(http(200, &answer(&echo("ping")))),
    ];
    let server = serve(l, acceptor(&pki().org_ca), plan);
    let config = fixture.dir.join("shim.toml");
    let _ = fixture.config(port, "test", 5.0);
    let c = path(&config);
    let r = run(args(&["status", "--config", &c, "--type", "100", "--delivery-id", ID])).await;
    assert_eq!(r.status, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "report ReportId {REPORT}: stored, IRReportId {IR_REPORT_ID}, version 1\n\
             report ReportId r-2: rejected\n  error rule-x: Wrong. (Report[2])\n\
             record DeliveryId {ID} (DeliveryDataType 100), IRDeliveryId {IR_DELIVERY_ID}: status 3 (stored): \
             processed and stored; invalid items, if any, were not stored\n"
        )
    );
    let r = run(args(&[
        "status",
        "--config",
        &c,
        "--type",
        "100",
        "--delivery-id",
        "nothing-1",
    ]))
    .await;
    assert_eq!(r.status, 3, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("status 0 (unknown)") && r.stdout.contains("not found (yet)"),
        "{}",
        r.stdout
    );
    let r = run(args(&["echo", "--config", &c])).await;
    assert_eq!(r.status, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("echo: the Register answered \"ping\", signed by "),
        "{}",
        r.stdout
    );
    // An Echo of more than 10 characters is a usage error.
    let r = run(args(&["echo", "--config", &c, "far too long text"])).await;
    assert_eq!(r.status, 2, "{}{}", r.stdout, r.stderr);
    server.abort();
}
