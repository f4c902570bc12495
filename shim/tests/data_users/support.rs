//! What the data users' tests share: the simulator's folder and server,
//! the records sent (an earnings payment record from the official sample,
//! a record subscription), the commands run as the binary, and the
//! checks of a distributed file: the official XSD (xmllint) and the
//! `tulorekisteri` CLI's parse.

use crate::simulator_support::{self, parties, timestamp, BIN, BUSINESS_ID};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The official schema folder.
pub fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/ir/schema")
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// The text of an output, both streams.
pub fn shown(out: &Output) -> String {
    format!(
        "status {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `send --config CONFIG FILE --wait 20` of a record object (written to `dir`).
pub fn send(dir: &Path, config: &Path, name: &str, record: &Value) -> Output {
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, serde_json::to_vec(record).unwrap()).unwrap();
    Command::new(BIN)
        .arg("send")
        .arg("--config")
        .arg(config)
        .arg(&file)
        .args(["--wait", "20"])
        .output()
        .unwrap()
}

/// A deferred earnings payment record of the official sample, a report
/// per (ReportId, income earner).
pub fn wages(delivery_id: &str, reports: &[(&str, &str)]) -> Option<Value> {
    simulator_support::wage_record(delivery_id, 1, reports)
}

/// Today, `YYYY-MM-DD` (UTC).
pub fn today() -> String {
    timestamp()[..10].to_string()
}

/// A deferred continuing record subscription (103) of earnings payment
/// data (QueryDataType 302, several payers: the organisation itself).
pub fn subscription(delivery_id: &str, main_subscription_id: &str) -> Value {
    let mut data = json!({
        "Timestamp": timestamp(), "DeliveryDataType": 103, "DeliveryId": delivery_id,
        "ProductionEnvironment": false,
        "MainSubscription": {
            "MainSubscriptionId": main_subscription_id, "DeliveryChannelCode": 1, "SubscriptionType": 2,
            "ValidFrom": today(),
            "Subscriptions": { "Subscription": [{
                "SubscriptionId": format!("{main_subscription_id}-wages"), "QueryDataType": 302,
                "IdCodeList": [{ "CodeListType": 2, "CodeItems": { "CodeItem": [{ "IdType": 1, "IdCode": BUSINESS_ID }] } }],
            }] },
            "Schedule": { "RecurringDeliverySchedule": { "DailySchedule": { "QueryStartTime": [{ "Time": "22:00:00" }] } } },
        },
    });
    for (k, v) in parties().as_object().unwrap() {
        data[k] = v.clone();
    }
    json!({ "SubscriptionsRequestToIRAsync": { "DeliveryData": data } })
}

/// `simulator distribute DIR`: the files it wrote (relative to DIR).
pub fn distribute(dir: &Path) -> Vec<PathBuf> {
    let out = Command::new(BIN)
        .args(["simulator", "distribute"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", shown(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("wrote "))
        .map(|l| PathBuf::from(l.split(" (").next().unwrap()))
        .collect()
}

/// Whether `file` is valid against the official `root.xsd` (xmllint).
pub fn valid_against_xsd(file: &Path, root: &str) -> Result<(), String> {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema_dir().join(format!("{root}.xsd")))
        .arg(file)
        .output()
        .unwrap();
    match out.status.success() {
        true => Ok(()),
        false => Err(String::from_utf8_lossy(&out.stderr).to_string()),
    }
}

/// The `tulorekisteri` CLI binary next to ours (`target/<profile>/`), if
/// it was built.
pub fn cli_binary() -> Option<PathBuf> {
    let ours = Path::new(BIN);
    let found = ours.parent()?.join("tulorekisteri");
    found.exists().then_some(found)
}

/// What `tulorekisteri parse FILE` prints (the CLI when it is built, else
/// the same through the core's `parse`, as the CLI writes it).
pub fn parse_as_cli(file: &Path) -> (String, bool) {
    match cli_binary() {
        Some(cli) => {
            let out = Command::new(cli).arg("parse").arg(file).output().unwrap();
            assert!(out.status.success(), "{}", shown(&out));
            (String::from_utf8(out.stdout).unwrap(), true)
        }
        None => {
            let object = tulorekisteri::parse(&std::fs::read(file).unwrap()).unwrap();
            (serde_json::to_string_pretty(&object).unwrap() + "\n", false)
        }
    }
}

/// The trust anchors of the Register's answers (`ca/response-ca.pem`).
pub fn response_ca(dir: &Path) -> Vec<Vec<u8>> {
    tulorekisteri::signature::Certificate::pem_bundle(&std::fs::read(dir.join("ca/response-ca.pem")).unwrap()).unwrap()
}

/// The library's fetch from a local folder (the verify, convert and track
/// part, without SFTP).
pub fn fetch_folder(data: &Path, out: &Path, ca: &[Vec<u8>]) -> tulorekisteri_shim::fetch::Summary {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let mut source = tulorekisteri_shim::fetch::Folder(data.to_path_buf());
    runtime
        .block_on(tulorekisteri_shim::fetch::fetch_new(&mut source, out, ca))
        .unwrap()
}

/// The data files of a folder, sorted.
pub fn data_files(data: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    names
}

/// Where `needle` first is in `bytes`.
pub fn find(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    bytes.windows(needle.len()).position(|w| w == needle)
}

fn with_parties(mut data: Value) -> Value {
    for (k, v) in parties().as_object().unwrap() {
        data[k] = v.clone();
    }
    data
}

/// A deferred employer's separate report record (101) of one report.
pub fn payer_summary(delivery_id: &str, report_id: &str) -> Value {
    let data = with_parties(json!({
        "Timestamp": timestamp(), "Source": "data-users", "DeliveryDataType": 101, "DeliveryId": delivery_id,
        "FaultyControl": 1, "ProductionEnvironment": false,
        "ContactPersons": { "ContactPerson": [{ "Name": "Maija M", "Telephone": "0401234567", "ResponsibilityCode": 1 }] },
        "ReportDate": "2026-11-30",
        "Payer": {
            "PayerIds": { "Id": [{ "Type": 1, "Code": BUSINESS_ID }] },
            "PensionInsurances": { "PensionInsurance": [{ "PensionProvIdCode": 46, "PensionPolicyNo": "46-7654321" }] },
        },
        "Reports": { "Report": [{
            "ReportData": { "ActionCode": 1, "ReportId": report_id },
            "PaymentMonth": { "Month": 10, "Year": 2026 },
            "Transactions": { "Transaction": [{ "TransactionBasic": { "SummaryTransactionCode": 101 } }] },
        }] },
    }));
    json!({ "PayerSummaryReportsRequestToIR": { "DeliveryData": data } })
}

/// A deferred benefits payment record (102) of one report.
pub fn benefits(delivery_id: &str, report_id: &str, person: &str) -> Value {
    let data = with_parties(json!({
        "Timestamp": timestamp(), "Source": "data-users", "DeliveryDataType": 102, "DeliveryId": delivery_id,
        "FaultyControl": 1, "ProductionEnvironment": false, "PaymentDate": "2026-11-30",
        "ContactPersons": { "ContactPerson": [{ "Name": "Maija M", "Telephone": "0401234567", "ResponsibilityCode": 2 }] },
        "Payer": { "PayerIds": { "Id": [{ "Type": 1, "Code": BUSINESS_ID }] } },
        "Reports": { "Report": [{
            "ReportData": { "ActionCode": 1, "ReportId": report_id },
            "IncomeEarner": { "IncomeEarnerIds": { "Id": [{ "Type": 2, "Code": person }] } },
            "Transactions": { "Transaction": [{ "TransactionBasic": { "TransactionCode": 1, "Amount": "100.00" } }] },
        }] },
    }));
    json!({ "BenefitReportsRequestToIR": { "DeliveryData": data } })
}

/// A real-time one-time record subscription of each QueryDataType given.
pub fn one_time_subscription(delivery_id: &str, main_subscription_id: &str, query_data_types: &[i64]) -> Value {
    let subscriptions: Vec<Value> = query_data_types
        .iter()
        .map(|t| json!({ "SubscriptionId": format!("{main_subscription_id}-{t}"), "QueryDataType": t }))
        .collect();
    let data = with_parties(json!({
        "Timestamp": timestamp(), "DeliveryDataType": 103, "DeliveryId": delivery_id,
        "ProductionEnvironment": false,
        "MainSubscription": {
            "MainSubscriptionId": main_subscription_id, "DeliveryChannelCode": 1, "SubscriptionType": 1,
            "ValidFrom": today(),
            "Subscriptions": { "Subscription": subscriptions },
            "Schedule": { "OnetimeDeliverySchedule": { "Time": "12:00:00" } },
        },
    }));
    json!({ "SubscriptionsRequestToIR": { "DeliveryData": data } })
}

/// A deferred cancellation of the subscription `main_subscription_id` (108).
pub fn cancel_subscription(delivery_id: &str, main_subscription_id: &str) -> Value {
    let data = with_parties(json!({
        "Timestamp": timestamp(), "DeliveryDataType": 108, "DeliveryId": delivery_id, "FaultyControl": 1,
        "ProductionEnvironment": false, "Items": { "Item": [{ "ItemId": main_subscription_id }] },
    }));
    json!({ "InvalidationsRequestToIR": { "DeliveryData": data } })
}
