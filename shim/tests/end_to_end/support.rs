//! What the end-to-end tests share: a simulator started as the binary on a
//! free loopback port (the simulator tests' `simulator_support`, one
//! `simulator init` per test binary), its `shim.toml` pointed at that port,
//! the client made from it, the records the tests send (built with the
//! core from JSON objects, the official sample for earnings payment
//! reports), and the client's commands run as the binary.

use crate::simulator_support::{self, fresh, parties, timestamp, Server, BUSINESS_ID};
pub use crate::simulator_support::{arg, run, Run};
use serde_json::{json, Value};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::Poll;
use tulorekisteri::signature::sign;
use tulorekisteri::Feedback;
use tulorekisteri_shim::client::{Answer, Client, Followed, Outcome, Prepared};
use tulorekisteri_shim::config::Config;

/// Personal identity codes with valid check characters.
pub const PERSON: &str = "010101-123N";
pub const PERSON_2: &str = "131052-308T";
pub const PERSON_3: &str = "020202-222K";
/// A personal identity code whose check character is wrong (rule-personal-id).
pub const BAD_PERSON: &str = "010101-1234";

/// A running simulator of its own folder (a copy of the test binary's
/// `simulator init`), and the client configuration for it.
pub struct Sim {
    /// Stopped when dropped.
    #[allow(dead_code)]
    pub server: Server,
    pub dir: PathBuf,
    pub config: PathBuf,
}

impl Sim {
    /// `serve` on a free port with `args`; `shim.toml` is pointed at it.
    pub fn start(name: &str, args: &[&str]) -> Sim {
        let dir = fresh(&format!("e2e-{name}"));
        let server = Server::start(&dir, args);
        let config = dir.join("shim.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        let pointed = text.replace("127.0.0.1:8443", &format!("127.0.0.1:{}", server.port));
        assert_ne!(text, pointed, "shim.toml names the listen address");
        std::fs::write(&config, pointed).unwrap();
        Sim { server, dir, config }
    }

    /// Changes a setting of `shim.toml` (`read_seconds = 5` → `read_seconds = 2`).
    pub fn set(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(&self.config).unwrap();
        assert!(text.contains(from), "{from} in {text}");
        std::fs::write(&self.config, text.replace(from, to)).unwrap();
    }

    /// The client of `shim.toml`, through its library API.
    pub fn client(&self) -> Client {
        Client::new(&Config::read(&self.config).unwrap()).unwrap()
    }

    /// `simulator state DIR`.
    pub fn state(&self) -> Value {
        simulator_support::state(&self.dir)
    }

    /// `simulator faults DIR ARGS...` (none: all off).
    pub fn faults(&self, args: &[&str]) {
        simulator_support::faults(&self.dir, args);
    }

    /// The delivery of `simulator state` with this DeliveryId.
    pub fn delivery(&self, delivery_id: &str) -> Value {
        let state = self.state();
        let found = state["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["deliveryId"] == delivery_id)
            .cloned();
        found.unwrap_or_else(|| panic!("no delivery {delivery_id}: {state}"))
    }

    /// The stored report of `simulator state` with this ReportId.
    pub fn report(&self, report_id: &str) -> Value {
        let state = self.state();
        let found = state["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["reportId"] == report_id)
            .cloned();
        found.unwrap_or_else(|| panic!("no report {report_id}: {state}"))
    }

    /// `record` built and signed with the organisation's `purpose` key
    /// (`earnings`, `benefits`, `data`) without the client's local checks:
    /// how a record that breaks a rule reaches the Register.
    pub fn signed_as_is(&self, purpose: &str, record: &Value) -> Prepared {
        let xml = tulorekisteri::build(record).unwrap_or_else(|p| panic!("{p:?}"));
        let signed = sign(xml.as_bytes(), &simulator_support::signer(&self.dir, purpose)).unwrap();
        Prepared::from_signed(signed).unwrap()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // Kept for a look when the test failed.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The verified answer of a delivered outcome.
#[track_caller]
pub fn delivered(outcome: Outcome) -> Answer {
    match outcome {
        Outcome::Delivered(a) => a,
        other => panic!("expected delivered, got {other} ({})", other.summary()),
    }
}

/// The feedback of a delivered outcome, with the status `code`.
#[track_caller]
pub fn delivered_with(outcome: Outcome, code: i64) -> Feedback {
    let answer = delivered(outcome);
    let feedback = answer.feedback.clone().expect("feedback");
    assert_eq!(feedback.status.code(), code, "{feedback:?}");
    feedback
}

/// The final feedback of a followed record.
#[track_caller]
pub fn final_feedback(followed: Followed) -> Feedback {
    match followed {
        Followed::Final(f) => f,
        other => panic!("not final: {other:?}"),
    }
}

/// Polls every future at once (following several records side by side).
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, out) in futures.iter_mut().zip(done.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *out = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        match pending {
            true => Poll::Pending,
            false => Poll::Ready(()),
        }
    })
    .await;
    done.into_iter().map(Option::unwrap).collect()
}

fn merge(mut base: Value, more: Value) -> Value {
    for (k, v) in more.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

/// `record` with another root (a deferred record as a real-time one).
pub fn rename(record: Value, root: &str) -> Value {
    let (_, content) = record.as_object().unwrap().iter().next().unwrap();
    json!({ root: content })
}

/// The body of the record's root, whatever the root.
pub fn body(record: &mut Value) -> &mut Value {
    record.as_object_mut().unwrap().values_mut().next().unwrap()
}

/// A deferred earnings payment record from the official sample (the header
/// set to the simulator's business ID), with a report for each
/// (ReportId, income earner); `None` (a printed skip, a failure in CI)
/// when the sample is absent.
pub fn wages(delivery_id: &str, faulty_control: i64, reports: &[(&str, &str)]) -> Option<Value> {
    simulator_support::wage_record(delivery_id, faulty_control, reports)
}

/// A replacement (ActionCode 2) of the report `report_id`, version `version`.
pub fn replacement(delivery_id: &str, report_id: &str, version: i64, person: &str) -> Option<Value> {
    let mut record = wages(delivery_id, 1, &[(report_id, person)])?;
    body(&mut record)["DeliveryData"]["Reports"]["Report"][0]["ReportData"] =
        json!({ "ActionCode": 2, "ReportId": report_id, "ReportVersion": version });
    Some(record)
}

/// A deferred employer's separate report record (101).
pub fn payer_summary(delivery_id: &str, report_id: &str, policy: &str) -> Value {
    let data = merge(
        json!({
            "Timestamp": timestamp(), "Source": "e2e", "DeliveryDataType": 101, "DeliveryId": delivery_id,
            "FaultyControl": 1, "ProductionEnvironment": false,
            "ContactPersons": { "ContactPerson": [{ "Name": "Maija M", "Telephone": "0401234567", "ResponsibilityCode": 1 }] },
            "ReportDate": "2026-11-30",
            "Payer": {
                "PayerIds": { "Id": [{ "Type": 1, "Code": BUSINESS_ID }] },
                "PensionInsurances": { "PensionInsurance": [{ "PensionProvIdCode": 46, "PensionPolicyNo": policy }] },
            },
            "Reports": { "Report": [{
                "ReportData": { "ActionCode": 1, "ReportId": report_id },
                "PaymentMonth": { "Month": 10, "Year": 2026 },
                "Transactions": { "Transaction": [{ "TransactionBasic": { "SummaryTransactionCode": 101 } }] },
            }] },
        }),
        parties(),
    );
    json!({ "PayerSummaryReportsRequestToIR": { "DeliveryData": data } })
}

/// A deferred benefits payment record (102) of one report.
pub fn benefits(delivery_id: &str, report_id: &str, person: &str) -> Value {
    let data = merge(
        json!({
            "Timestamp": timestamp(), "Source": "e2e", "DeliveryDataType": 102, "DeliveryId": delivery_id,
            "FaultyControl": 1, "ProductionEnvironment": false, "PaymentDate": "2026-11-30",
            "ContactPersons": { "ContactPerson": [{ "Name": "Maija M", "Telephone": "0401234567", "ResponsibilityCode": 2 }] },
            "Payer": { "PayerIds": { "Id": [{ "Type": 1, "Code": BUSINESS_ID }] } },
            "Reports": { "Report": [{
                "ReportData": { "ActionCode": 1, "ReportId": report_id },
                "IncomeEarner": { "IncomeEarnerIds": { "Id": [{ "Type": 2, "Code": person }] } },
                "Transactions": { "Transaction": [{ "TransactionBasic": { "TransactionCode": 1, "Amount": "100.00" } }] },
            }] },
        }),
        parties(),
    );
    json!({ "BenefitReportsRequestToIR": { "DeliveryData": data } })
}

/// A deferred record subscription (103).
pub fn subscription(delivery_id: &str, main_subscription_id: &str) -> Value {
    let data = merge(
        json!({
            "Timestamp": timestamp(), "DeliveryDataType": 103, "DeliveryId": delivery_id,
            "ProductionEnvironment": false,
            "MainSubscription": {
                "MainSubscriptionId": main_subscription_id, "DeliveryChannelCode": 1, "SubscriptionType": 1,
                "ValidFrom": "2026-12-01",
                "Subscriptions": { "Subscription": [{ "SubscriptionId": format!("{main_subscription_id}-1"), "QueryDataType": 302 }] },
                "Schedule": { "OnetimeDeliverySchedule": { "Time": "12:00:00+02:00" } },
            },
        }),
        parties(),
    );
    json!({ "SubscriptionsRequestToIRAsync": { "DeliveryData": data } })
}

/// A deferred cancellation record of `kind` (105-112), its items by ItemId
/// (and ItemVersion).
pub fn invalidation(delivery_id: &str, kind: i64, items: &[(&str, Option<i64>)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(id, version)| match version {
            Some(v) => json!({ "ItemId": id, "ItemVersion": v }),
            None => json!({ "ItemId": id }),
        })
        .collect();
    let data = merge(
        json!({
            "Timestamp": timestamp(), "DeliveryDataType": kind, "DeliveryId": delivery_id, "FaultyControl": 1,
            "ProductionEnvironment": false, "Items": { "Item": items },
        }),
        parties(),
    );
    json!({ "InvalidationsRequestToIR": { "DeliveryData": data } })
}

/// A query (`root`, a DataRequestToIR record) of `query_type` with these
/// `DataRequestParameters`.
pub fn query(root: &str, query_type: i64, parameters: Value) -> Value {
    let fields = merge(
        json!({ "Timestamp": timestamp(), "QueryDataType": query_type, "ProductionEnvironment": false,
                "DataRequestParameters": parameters }),
        parties(),
    );
    json!({ root: fields })
}

/// `IdCodeParameter`s: (ParameterType, IdType, IdCode).
pub fn id_codes(list: &[(i64, i64, &str)]) -> Value {
    let list: Vec<Value> = list
        .iter()
        .map(|(t, id_type, code)| json!({ "ParameterType": t, "IdType": id_type, "IdCode": code }))
        .collect();
    json!({ "IdCodeParameter": list })
}

/// A `ValueParameter`.
pub fn value(parameter_type: i64, value: &str) -> Value {
    json!({ "ValueParameter": [{ "ParameterType": parameter_type, "Value": value }] })
}

/// The ReportIds of a query answer (`*FromIR` as JSON), with each one's
/// ReportVersion and ReportStatus.
pub fn reports_of(answer: &Answer) -> Vec<(String, i64, i64)> {
    let json = answer.to_json();
    let content = json.as_object().unwrap().values().next().unwrap().clone();
    let n = content["Summary"]["NrOfReports"].as_u64().unwrap() as usize;
    let list = match &content["Reports"]["Report"] {
        Value::Array(a) => a.clone(),
        Value::Null => vec![],
        one => vec![one.clone()],
    };
    assert_eq!(list.len(), n, "NrOfReports: {content}");
    list.iter()
        .map(|r| {
            let d = &r["ReportData"];
            (
                d["ReportId"].as_str().unwrap_or_default().to_string(),
                d["ReportVersion"].as_i64().unwrap_or_default(),
                d["ReportStatus"].as_i64().unwrap_or_default(),
            )
        })
        .collect()
}
