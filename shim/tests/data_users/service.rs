//! Record subscriptions through the submission service: `POST /v1/records`
//! takes a subscription record (deferred and real-time), sends it and
//! follows it to its final state like a report record; reports posted
//! after it reach the subscriber with `serve --distribute-seconds`.

use crate::service_api::{reports, Api, Shim, Sim};
use crate::simulator_support::BUSINESS_ID;
use crate::support::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// `GET /v1/records/{id}` until its state is final (or the time is up).
fn final_record(api: &Api, id: &Value) -> Value {
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        let record = api.get(&format!("/v1/records/{id}")).json();
        let state = record["state"].as_str().unwrap_or_default().to_string();
        if ["stored", "rejected", "attention"].contains(&state.as_str()) || Instant::now() > end {
            return record;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_service_sends_subscription_records_and_follows_them() {
    let sim = Sim::start(
        "data-users-service",
        &["--sftp-listen", "127.0.0.1:0", "--distribute-seconds", "0.5"],
        &[],
    );
    let shim = Shim::start(&sim.dir);
    let api = Api::new(&shim, &sim);

    let deferred = subscription("svc-sub-1", "svc-main-1");
    let mut realtime = subscription("svc-sub-2", "svc-main-2");
    realtime = json!({ "SubscriptionsRequestToIR": realtime["SubscriptionsRequestToIRAsync"].clone() });
    let mut ids = vec![];
    for record in [&deferred, &realtime] {
        let posted = api.post_json("/v1/records", record);
        assert_eq!(posted.status, 202, "{}", String::from_utf8_lossy(&posted.body));
        let posted = posted.json();
        assert_eq!(posted["kind"], "subscription", "{posted}");
        ids.push(posted["id"].clone());
    }
    for id in &ids {
        let record = final_record(&api, id);
        assert_eq!(record["state"], "stored", "{record}");
        assert!(record["irDeliveryId"].is_string(), "{record}");
    }
    // The simulator holds both, with what they ask for.
    let state = sim.state();
    let mut held: Vec<&str> = state["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] == "valid")
        .map(|s| s["mainSubscriptionId"].as_str().unwrap())
        .collect();
    held.sort();
    assert_eq!(held, ["svc-main-1", "svc-main-2"], "{state}");
    let mut operations: Vec<&str> = state["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["operation"].as_str().unwrap())
        .collect();
    operations.sort();
    assert_eq!(operations, ["ProcessSubscription", "SendSubscription"]);
    // Nothing held matches yet: a continuing subscription gets no empty file.
    assert!(distribute(&sim.dir).is_empty());

    // Reports through the service: the timer of `simulator serve` hands
    // them to both subscriptions' accounts, once.
    let Some(list) = reports("svc-w", 2) else {
        return;
    };
    let posted = api.post_json("/v1/reports", &json!({ "reports": list }));
    assert_eq!(posted.status, 202, "{}", String::from_utf8_lossy(&posted.body));
    assert!(api.wait_until(Duration::from_secs(30), |s| s.get("stored") == Some(&2)));
    let data = sim.dir.join(format!("sftp/{BUSINESS_ID}/data"));
    let end = Instant::now() + Duration::from_secs(20);
    while data_files(&data).len() < 2 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    let names = data_files(&data);
    assert_eq!(names.len(), 2, "{names:?}");
    let mut mains = vec![];
    for name in &names {
        let doc = crate::simulator_support::read(&sim.dir, &std::fs::read(data.join(name)).unwrap());
        let content = &doc["WageReportsFromIR"];
        assert_eq!(content["Summary"]["NrOfReports"], 2, "{name}");
        mains.push(
            content["Subscription"]["MainSubscriptionId"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    mains.sort();
    assert_eq!(mains, ["svc-main-1", "svc-main-2"]);
    // The timer and the command take turns: nothing is sent twice.
    assert!(distribute(&sim.dir).is_empty());
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(data_files(&data).len(), 2);
}
