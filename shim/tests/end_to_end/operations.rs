//! Every operation of every WSDL, sent by the client through its library
//! API, validated and answered by the simulator, the answer verified by the
//! client; replacements, invalidations, duplicates, rules and FaultyControl
//! seen in the feedback and in `simulator state`.

use super::support::{
    benefits, body, delivered, delivered_with, final_feedback, id_codes, invalidation, join_all, payer_summary, query,
    rename, replacement, reports_of, subscription, value, wages, Sim, BAD_PERSON, PERSON, PERSON_2, PERSON_3,
};
use crate::simulator_support::BUSINESS_ID;
use std::collections::BTreeSet;
use tulorekisteri::{DeliveryStatus, Feedback};
use tulorekisteri_shim::client::{Outcome, Prepared, RejectReason, StatusQuery};
use tulorekisteri_shim::operation::OPERATIONS;

/// The valid items of a feedback: (ItemId, ItemVersion).
fn valid(f: &Feedback) -> Vec<(String, Option<i64>)> {
    f.valid_items
        .iter()
        .map(|i| (i.item_id.clone().unwrap_or_default(), i.version))
        .collect()
}

fn ids(list: &[(&str, Option<i64>)]) -> Vec<(String, Option<i64>)> {
    list.iter().map(|(id, v)| (id.to_string(), *v)).collect()
}

/// The codes of an invalid item's errors.
fn codes(f: &Feedback, item: &str) -> Vec<String> {
    f.errors_of(item)
        .unwrap_or_else(|| panic!("{item} is not an invalid item: {f:?}"))
        .iter()
        .map(|e| e.code.clone())
        .collect()
}

#[tokio::test]
async fn every_operation_of_every_wsdl_is_sent_validated_answered_and_verified() {
    let Some(first) = wages("wages-1", 1, &[("w1", PERSON), ("w2", PERSON_2)]) else {
        return;
    };
    let sim = Sim::start("operations", &["--processing-seconds", "1"]);
    let client = sim.client();
    let mut seen = BTreeSet::new();

    // SendEcho.
    let echo = delivered(client.echo("ping").await.unwrap());
    assert_eq!(echo.to_json()["Echo"]["Data"], "ping");
    seen.insert(echo.operation.name);

    // The deferred sends: a receipt (status 2, an IRDeliveryId) each,
    // then followed side by side to their final feedback (status 3).
    let deferred: Vec<Prepared> = [
        first.clone(),
        payer_summary("psr-1", "s1", "46-1234567"),
        benefits("ben-1", "b1", PERSON_2),
        subscription("sub-1", "main-1"),
    ]
    .iter()
    .map(|r| client.prepare_object(r).unwrap())
    .collect();
    let mut receipts = vec![];
    for p in &deferred {
        let ack = delivered_with(client.send(p).await, 2);
        assert_eq!(ack.delivery_id.as_deref(), p.delivery_id());
        assert_eq!(ack.ir_delivery_id.as_ref().map(String::len), Some(32), "{ack:?}");
        seen.insert(p.operation().name);
        receipts.push(ack);
    }
    let followed = join_all(
        deferred
            .iter()
            .zip(&receipts)
            .map(|(p, ack)| client.follow(p, ack, None))
            .collect(),
    )
    .await;
    let finals: Vec<Feedback> = followed.into_iter().map(final_feedback).collect();
    seen.insert("GetDeliveryDataStatus");
    for (f, want) in finals.iter().zip([
        ids(&[("w1", Some(1)), ("w2", Some(1))]),
        ids(&[("s1", Some(1))]),
        ids(&[("b1", Some(1))]),
        ids(&[("main-1", None)]),
    ]) {
        assert_eq!(f.status, DeliveryStatus::Stored, "{f:?}");
        assert_eq!(valid(f), want, "{f:?}");
        assert!(f.invalid_items.is_empty(), "{f:?}");
    }
    let wages_ir = receipts[0].ir_delivery_id.clone().unwrap();
    assert_eq!(finals[0].ir_delivery_id.as_deref(), Some(wages_ir.as_str()));

    // The real-time sends: the feedback at once (status 3).
    let mut realtime = vec![];
    for (record, root, item) in [
        (
            wages("wages-rt-1", 1, &[("w3", PERSON_3)]).unwrap(),
            "WageReportRequestToIR",
            "w3",
        ),
        (
            payer_summary("psr-rt-1", "s2", "46-7654321"),
            "PayerSummaryReportRequestToIR",
            "s2",
        ),
        (benefits("ben-rt-1", "b2", PERSON), "BenefitReportRequestToIR", "b2"),
        (subscription("sub-rt-1", "main-2"), "SubscriptionsRequestToIR", "main-2"),
    ] {
        let p = client.prepare_object(&rename(record, root)).unwrap();
        let f = delivered_with(client.send(&p).await, 3);
        assert_eq!(f.valid_items[0].item_id.as_deref(), Some(item), "{f:?}");
        assert_eq!(f.delivery_id.as_deref(), p.delivery_id());
        seen.insert(p.operation().name);
        realtime.push(f);
    }
    let b2 = realtime[2].valid_items[0].ir_item_id.clone().unwrap();

    // GetDeliveryDataStatus by DeliveryId, by IRDeliveryId, by both; and
    // of a record it does not hold (status 0, still a verified answer).
    for query in [
        StatusQuery::new(100).delivery_id("wages-1"),
        StatusQuery::new(100).ir_delivery_id(wages_ir.clone()),
        StatusQuery::new(100)
            .delivery_id("wages-1")
            .ir_delivery_id(wages_ir.clone()),
    ] {
        let f = delivered_with(client.status(&query).await.unwrap(), 3);
        assert_eq!(valid(&f), ids(&[("w1", Some(1)), ("w2", Some(1))]));
    }
    let f = delivered_with(
        client
            .status(&StatusQuery::new(100).delivery_id("never-sent"))
            .await
            .unwrap(),
        0,
    );
    assert!(f.delivery_id.is_none() && f.ir_delivery_id.is_none(), "{f:?}");

    // A replacement (ActionCode 2) of the latest version: version 2.
    let p = client
        .prepare_object(&replacement("wages-2", "w1", 1, PERSON).unwrap())
        .unwrap();
    let ack = delivered_with(client.send(&p).await, 2);
    let f = final_feedback(client.follow(&p, &ack, None).await);
    assert_eq!(valid(&f), ids(&[("w1", Some(2))]), "{f:?}");
    let w1 = sim.report("w1");
    assert_eq!((w1["version"].as_i64(), w1["state"].as_str()), (Some(2), Some("valid")));
    assert_eq!(w1["irDeliveryId"], serde_json::json!(f.ir_delivery_id));

    // SendInvalidation: a 105 item cancels a stored report (a new version,
    // cancelled).
    let cancel = rename(
        invalidation("inv-rt-1", 105, &[("w2", Some(1))]),
        "InvalidationRequestToIR",
    );
    let p = client.prepare_object(&cancel).unwrap();
    let f = delivered_with(client.send(&p).await, 3);
    assert_eq!(valid(&f), ids(&[("w2", Some(2))]), "{f:?}");
    seen.insert(p.operation().name);
    let w2 = sim.report("w2");
    assert_eq!(
        (w2["version"].as_i64(), w2["state"].as_str()),
        (Some(2), Some("cancelled"))
    );

    // SendInvalidations: a 111 item cancels a whole benefits record; asked
    // about, that record says 6.
    let p = client
        .prepare_object(&invalidation("inv-1", 111, &[("ben-1", None)]))
        .unwrap();
    let ack = delivered_with(client.send(&p).await, 2);
    seen.insert(p.operation().name);
    let f = final_feedback(client.follow(&p, &ack, None).await);
    assert_eq!(valid(&f), ids(&[("ben-1", None)]), "{f:?}");
    let f = delivered_with(
        client
            .status(&StatusQuery::new(102).delivery_id("ben-1"))
            .await
            .unwrap(),
        6,
    );
    assert_eq!(f.delivery_id.as_deref(), Some("ben-1"));
    assert_eq!(sim.report("b1")["state"], "cancelled");
    assert_eq!(sim.delivery("ben-1")["status"], 6);

    // The same DeliveryId again: refused at reception (status 4), counted.
    let again = client.send(&deferred[0]).await;
    let Outcome::Rejected {
        reason: RejectReason::RejectedAtReception,
        feedback: Some(f),
        ..
    } = &again
    else {
        panic!("a duplicate: {again}")
    };
    assert_eq!(f.status.code(), 4);
    assert!(f.ir_delivery_id.is_none(), "{f:?}");
    assert_eq!(f.delivery_id.as_deref(), Some("wages-1"));
    let d = sim.delivery("wages-1");
    assert_eq!(
        (d["arrivals"].as_i64(), d["status"].as_i64()),
        (Some(2), Some(3)),
        "{d}"
    );
    assert_eq!(d["irDeliveryId"], serde_json::json!(wages_ir));

    // The nine queries, answered from what it holds now: w1 (version 2),
    // w2 (cancelled), w3; s1, s2; b1 (cancelled), b2.
    let b = BUSINESS_ID;
    let cases = [
        (
            "WageReportsOneIncomeEarnerRequestToIR",
            400,
            id_codes(&[(7, 2, PERSON)]),
            vec![("w1", 2, 1)],
        ),
        (
            "WageReportsOnePayerRequestToIR",
            401,
            id_codes(&[(6, 1, b)]),
            vec![("w1", 2, 1), ("w2", 2, 2), ("w3", 1, 1)],
        ),
        (
            "WageReportsOnePayerOneIncomeEarnerRequestToIR",
            406,
            id_codes(&[(6, 1, b), (7, 2, PERSON_3)]),
            vec![("w3", 1, 1)],
        ),
        (
            "WageReportsOnePolicyNoRequestToIR",
            402,
            value(9, "66-12345678"),
            vec![("w1", 2, 1), ("w2", 2, 2), ("w3", 1, 1)],
        ),
        (
            "PayerSummaryReportsOnePayerRequestToIR",
            403,
            id_codes(&[(6, 1, b)]),
            vec![("s1", 1, 1), ("s2", 1, 1)],
        ),
        (
            "PayerSummaryReportsOnePolicyNoRequestToIR",
            404,
            value(9, "46-7654321"),
            vec![("s2", 1, 1)],
        ),
        (
            "BenefitReportsOneIncomeEarnerRequestToIR",
            407,
            id_codes(&[(7, 2, PERSON)]),
            vec![("b2", 1, 1)],
        ),
        (
            "BenefitReportsOnePayerOneIncomeEarnerRequestToIR",
            408,
            id_codes(&[(6, 1, b), (7, 2, PERSON_2)]),
            vec![("b1", 2, 2)],
        ),
        (
            "BenefitReportsOneIRReportIdRequestToIR",
            409,
            value(17, &b2),
            vec![("b2", 1, 1)],
        ),
    ];
    for (root, query_type, parameters, want) in cases {
        let record = serde_json::to_vec(&query(root, query_type, parameters)).unwrap();
        let answer = delivered(client.query(&record).await.unwrap());
        let mut found = reports_of(&answer);
        found.sort();
        let want: Vec<(String, i64, i64)> = want.iter().map(|(id, v, s)| (id.to_string(), *v, *s)).collect();
        assert_eq!(found, want, "{root}");
        assert_eq!(answer.operation.request, root);
        seen.insert(answer.operation.name);
    }

    let all: BTreeSet<&str> = OPERATIONS.iter().map(|o| o.name).collect();
    assert_eq!(all.len(), 21);
    assert_eq!(seen, all);
}

#[tokio::test]
async fn a_report_breaking_a_rule_is_rejected_with_the_rules_code() {
    let Some(mixed) = wages("rules-1", 1, &[("ok1", PERSON), ("bad1", BAD_PERSON)]) else {
        return;
    };
    let sim = Sim::start("rules", &["--processing-seconds", "0"]);
    let client = sim.client();
    // The client's own checks stop such a record: it goes signed as it is.
    assert!(client.prepare_object(&mixed).is_err());

    // FaultyControl 1: the valid report is stored, the other rejected with
    // the rule's code.
    let p = sim.signed_as_is("earnings", &mixed);
    let ack = delivered_with(client.send(&p).await, 2);
    let f = final_feedback(client.follow(&p, &ack, None).await);
    assert_eq!(f.status, DeliveryStatus::Stored, "{f:?}");
    assert_eq!(valid(&f), ids(&[("ok1", Some(1))]));
    assert_eq!(codes(&f, "bad1"), ["rule-personal-id"]);
    let state = sim.state();
    let stored: Vec<&str> = state["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reportId"].as_str().unwrap())
        .collect();
    assert_eq!(stored, ["ok1"], "{state}");
    assert_eq!(
        (
            sim.delivery("rules-1")["validItems"].as_i64(),
            sim.delivery("rules-1")["invalidItems"].as_i64()
        ),
        (Some(1), Some(1))
    );

    // FaultyControl 2: the whole record is rejected in processing (5).
    let whole = wages("rules-2", 2, &[("ok2", PERSON), ("bad2", BAD_PERSON)]).unwrap();
    let p = sim.signed_as_is("earnings", &whole);
    let ack = delivered_with(client.send(&p).await, 2);
    let f = final_feedback(client.follow(&p, &ack, None).await);
    assert_eq!(f.status, DeliveryStatus::RejectedInProcessing, "{f:?}");
    assert!(f.valid_items.is_empty(), "{f:?}");
    assert_eq!(codes(&f, "bad2"), ["rule-personal-id"]);
    assert_eq!(sim.state()["reports"].as_array().unwrap().len(), 1);
    assert_eq!(sim.delivery("rules-2")["status"], 5);

    // Real-time: the one report rejected, so the record (status 5), with
    // the rule's code; a code longer than ErrorCode's 20 characters is cut
    // there and given whole at the start of ErrorMessage.
    let mut record = rename(
        wages("rules-rt", 1, &[("bad3", BAD_PERSON)]).unwrap(),
        "WageReportRequestToIR",
    );
    let report = &mut body(&mut record)["DeliveryData"]["Reports"]["Report"][0];
    report["IncomeEarner"].as_object_mut().unwrap().remove("Professions");
    let p = sim.signed_as_is("earnings", &record);
    let o = client.send(&p).await;
    let Outcome::Rejected {
        reason: RejectReason::RejectedInProcessing,
        feedback: Some(f),
        answer: Some(_),
    } = &o
    else {
        panic!("rejected in processing: {o}")
    };
    let mut found = codes(f, "bad3");
    found.sort();
    assert_eq!(found, ["rule-personal-id", "rule-profession-requ"], "{f:?}");
    let long = f
        .errors_of("bad3")
        .unwrap()
        .iter()
        .find(|e| e.code.len() == 20)
        .unwrap();
    assert!(long.message.starts_with("rule-profession-required: "), "{long:?}");
    assert_eq!(sim.state()["reports"].as_array().unwrap().len(), 1);
}
