//! The client's commands as a user runs them against the simulator:
//! `echo`, `send --wait` (every report's fate, exit 0 once stored), `status`,
//! `query`; a fault (exit 3, naming the DeliveryId and how to ask); a
//! duplicate (exit 1); a rule's code longer than ErrorCode's 20 characters
//! printed whole.

use super::support::{arg, delivered_with, id_codes, query, run, Run, Sim};
use crate::simulator_support::BUSINESS_ID;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DELIVERY: &str = "demo-2022-03-0001";
const REPORT: &str = "demo-2022-03-emp-017";

/// The workspace's earnings payment record, its business ID (owner,
/// creator, sender, payer) the simulator's, with another DeliveryId and
/// ReportId when `n` is given: written to `DIR/NAME`.
fn record(sim: &Sim, name: &str, n: Option<u32>) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wage-report.xml");
    let text = std::fs::read_to_string(fixture).unwrap();
    assert_eq!(text.matches("7654321-2").count(), 4, "the fixture's business ID");
    let mut text = text.replace("7654321-2", BUSINESS_ID);
    if let Some(n) = n {
        text = text
            .replace(DELIVERY, &format!("demo-2022-03-000{n}"))
            .replace(REPORT, &format!("demo-2022-03-emp-0{n:02}"));
    }
    let path = sim.dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The value after `key ` in a line of `out` that holds `line`.
fn field_after<'a>(out: &'a str, line: &str, key: &str) -> &'a str {
    let l = out
        .lines()
        .find(|l| l.contains(line))
        .unwrap_or_else(|| panic!("no line with {line:?} in\n{out}"));
    let at = l.find(key).unwrap_or_else(|| panic!("{key:?} in {l:?}")) + key.len();
    l[at..].split([',', ':']).next().unwrap().trim()
}

/// `status --type 100 --delivery-id ID` until it is final (exit other than 3).
fn status_until_final(config: &str, id: &str) -> Run {
    let started = Instant::now();
    loop {
        let r = run(&["status", "--config", config, "--type", "100", "--delivery-id", id]);
        if r.status != 3 || started.elapsed() > Duration::from_secs(20) {
            return r;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn the_commands_print_every_reports_fate_and_exit_as_documented() {
    let sim = Sim::start("cli", &["--processing-seconds", "1"]);
    let config = arg(&sim.config).to_string();
    let config = config.as_str();

    let r = run(&["echo", "--config", config]);
    assert_eq!(r.status, 0, "{r}");
    assert!(r.stdout.starts_with("echo: the Register answered \"ping\""), "{r}");

    // send --wait: the receipt, then the feedback; every report's fate.
    let first = record(&sim, "wage-report.xml", None);
    let r = run(&["send", "--config", config, "--wait", "30", arg(&first)]);
    assert_eq!(r.status, 0, "{r}");
    assert!(r.stderr.contains("received, status 2 (processing)"), "{r}");
    let report = sim.report(REPORT);
    let delivery = sim.delivery(DELIVERY);
    assert_eq!(
        r.stdout,
        format!(
            "report ReportId {REPORT}: stored, IRReportId {}, version 1\n\
             record DeliveryId {DELIVERY} (DeliveryDataType 100), IRDeliveryId {}: status 3 (stored): \
             processed and stored; invalid items, if any, were not stored\n",
            report["irReportId"].as_str().unwrap(),
            delivery["irDeliveryId"].as_str().unwrap(),
        ),
        "{r}"
    );
    assert_eq!(
        (report["version"].as_i64(), delivery["status"].as_i64()),
        (Some(1), Some(3))
    );

    // status: the same feedback, asked again.
    let r = run(&["status", "--config", config, "--type", "100", "--delivery-id", DELIVERY]);
    assert_eq!(r.status, 0, "{r}");
    assert_eq!(
        field_after(&r.stdout, &format!("ReportId {REPORT}"), "IRReportId "),
        report["irReportId"]
    );
    assert!(r.stdout.contains(": status 3 (stored)"), "{r}");

    // query: the answer as JSON.
    let q = sim.dir.join("query.json");
    let request = query("WageReportsOnePayerRequestToIR", 401, id_codes(&[(6, 1, BUSINESS_ID)]));
    std::fs::write(&q, serde_json::to_vec(&request).unwrap()).unwrap();
    let r = run(&["query", "--config", config, arg(&q)]);
    assert_eq!(r.status, 0, "{r}");
    let answer: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let answer = &answer["WageReportsFromIR"];
    assert_eq!(answer["Summary"]["NrOfReports"], 1, "{answer}");
    assert_eq!(answer["Reports"]["Report"][0]["ReportData"]["ReportId"], REPORT);

    // A fault after the record was stored: uncertain, exit 3, naming the
    // DeliveryId and the command that asks about it.
    let second = record(&sim, "second.xml", Some(2));
    sim.faults(&["reset-after-store=1"]);
    let r = run(&["send", "--config", config, "--wait", "30", arg(&second)]);
    assert_eq!(r.status, 3, "{r}");
    assert!(
        r.stdout.contains("report ReportId demo-2022-03-emp-002: unknown\n"),
        "{r}"
    );
    let ask = format!("tulorekisteri-shim status --config {config} --type 100 --delivery-id demo-2022-03-0002");
    assert!(
        r.stdout
            .contains("record DeliveryId demo-2022-03-0002 (DeliveryDataType 100): uncertain (")
            && r.stdout.trim_end().ends_with(&ask),
        "{r}"
    );
    // A fault before anything arrived: not sent, exit 3, safe to send again.
    let third = record(&sim, "third.xml", Some(3));
    sim.faults(&["reset-before-read=1"]);
    let r = run(&["send", "--config", config, "--wait", "30", arg(&third)]);
    assert_eq!(r.status, 3, "{r}");
    assert!(
        r.stdout
            .contains("record DeliveryId demo-2022-03-0003 (DeliveryDataType 100): not sent (")
            && r.stdout.contains("safe to send again"),
        "{r}"
    );
    sim.faults(&[]);
    // Asked: the uncertain one was stored, the other never arrived.
    let r = status_until_final(config, "demo-2022-03-0002");
    assert_eq!(r.status, 0, "{r}");
    assert!(r.stdout.contains(": status 3 (stored)"), "{r}");
    let r = run(&[
        "status",
        "--config",
        config,
        "--type",
        "100",
        "--delivery-id",
        "demo-2022-03-0003",
    ]);
    assert_eq!(r.status, 3, "{r}");
    assert!(
        r.stdout.contains(": status 0 (unknown)") && r.stdout.contains("not found"),
        "{r}"
    );
    // Sent again: the stored one is a duplicate (exit 1), the other is sent.
    let r = run(&["send", "--config", config, arg(&second)]);
    assert_eq!(r.status, 1, "{r}");
    assert!(
        r.stdout
            .contains("report ReportId demo-2022-03-emp-002: rejected with the record\n")
            && r.stdout.contains(": status 4 (rejected-at-reception)")
            && r.stdout.contains("error sim-delivery-id-used: "),
        "{r}"
    );
    let r = run(&["send", "--config", config, "--wait", "30", arg(&third)]);
    assert_eq!(r.status, 0, "{r}");
    assert_eq!(sim.delivery("demo-2022-03-0002")["arrivals"], 2);
    assert_eq!(sim.delivery("demo-2022-03-0003")["arrivals"], 1);

    // A report breaking a rule whose code is longer than ErrorCode's 20
    // characters (sent signed as it is: the command's own checks stop it):
    // `status` prints the whole code, from the message.
    let text = std::fs::read(record(&sim, "fourth.xml", Some(4))).unwrap();
    let mut object = tulorekisteri::parse(&text).unwrap();
    let report = &mut object["WageReportsRequestToIR"]["DeliveryData"]["Reports"]["Report"][0];
    report["IncomeEarner"].as_object_mut().unwrap().remove("Professions");
    let prepared = sim.signed_as_is("earnings", &object);
    let client = sim.client();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    delivered_with(runtime.block_on(client.send(&prepared)), 2);
    let r = status_until_final(config, "demo-2022-03-0004");
    assert_eq!(r.status, 1, "{r}");
    assert!(
        r.stdout.contains("report ReportId demo-2022-03-emp-004: rejected\n")
            && r.stdout.contains("\n  error rule-profession-required: ")
            && !r.stdout.contains("rule-profession-requ:"),
        "{r}"
    );
    assert!(r.stdout.contains(": status 5 (rejected-in-processing)"), "{r}");
}
