//! `simulator serve` over HTTPS with curl: the Echo (its answer verified by
//! the core and by xmlsec1), the handshake refusing another CA's
//! certificate, a deferred earnings payment record from its receipt to its
//! feedback, duplicates, rules, FaultyControl, replacements, cancellations,
//! queries, a restart, and the faults switched while it runs.

mod simulator_support;

use serde_json::{json, Value};
use simulator_support::{
    answer, envelope, faults, fresh, has, parties, read, state, timestamp, verify, wage_record, Server, BUSINESS_ID,
};
use std::process::Command;
use std::time::{Duration, Instant};
use tulorekisteri::signature::SignatureError;
use tulorekisteri_shim::soap::{self, FaultCode};

fn merge(mut base: Value, more: Value) -> Value {
    for (k, v) in more.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

fn echo(data: &str) -> Value {
    json!({ "Echo": { "Data": data } })
}

fn status_request(delivery_id: &str) -> Value {
    let fields = merge(
        json!({ "Timestamp": timestamp(), "DeliveryDataType": 100, "DeliveryId": delivery_id, "ProductionEnvironment": false }),
        parties(),
    );
    json!({ "StatusRequestToIR": fields })
}

fn status_of(server: &Server, delivery_id: &str) -> Value {
    let a = server.send(
        "earnings",
        "StatusService",
        "GetDeliveryDataStatus",
        &status_request(delivery_id),
    );
    read(&server.dir, &a)["StatusResponseFromIR"].clone()
}

fn send_wages(server: &Server, record: &Value) -> Value {
    let a = server.send("earnings", "WageReportService", "SendWageReports", record);
    let answer = read(&server.dir, &a)["AckFromIR"].clone();
    let feedback = tulorekisteri::read_feedback(&a).unwrap();
    assert_eq!(json!(feedback.status.code()), answer["AckData"]["DeliveryDataStatus"]);
    answer
}

fn tools() -> bool {
    has("curl")
}

#[test]
fn echo_is_answered_signed_and_only_the_organisations_ca_gets_in() {
    if !tools() {
        return;
    }
    let dir = fresh("echo");
    let server = Server::start(&dir, &[]);
    let a = server.send("earnings", "EchoService", "SendEcho", &echo("ping"));
    assert_eq!(read(&dir, &a), echo("ping"));
    if has("xmlsec1") {
        let file = dir.join("echo-answer.xml");
        std::fs::write(&file, &a).unwrap();
        let out = Command::new("xmlsec1")
            .args(["--verify", "--trusted-pem"])
            .arg(dir.join("ca/response-ca.pem"))
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // And a forger's certificate is not trusted by it.
        let out = Command::new("xmlsec1")
            .args(["--verify", "--trusted-pem"])
            .arg(dir.join("ca/forger-ca.pem"))
            .arg(&file)
            .output()
            .unwrap();
        assert!(!out.status.success());
    }
    // Any of the organisation's certificates may send an Echo.
    let a = server.send("data", "EchoService", "SendEcho", &echo("pong"));
    assert_eq!(read(&dir, &a), echo("pong"));

    // A certificate of another CA fails the handshake: nothing arrives.
    let e = envelope(&dir, "earnings", &echo("ping"));
    let (rc, code, _) = server.post_as(
        "org/other-ca-cert.pem",
        "org/other-ca-key.pem",
        "EchoService",
        "SendEcho",
        &e,
    );
    assert!(rc != 0 && code == 0, "curl {rc}, HTTP {code}");

    // What is not a request of the operation is a soap:Client fault.
    let client_fault = |(rc, code, body): (i32, u16, Vec<u8>)| {
        assert_eq!((rc, code), (0, 500));
        match soap::read(&body) {
            Ok(soap::Body::Fault(f)) => {
                assert_eq!(f.code, FaultCode::Client, "{}", f.string);
                f.string
            }
            other => panic!("{other:?}"),
        }
    };
    client_fault(server.post("earnings", "EchoService", "SendWageReports", &e));
    client_fault(server.post("earnings", "WageReportService", "SendWageReports", &e));
    let unsigned = soap::envelope(tulorekisteri::build(&echo("ping")).unwrap().as_bytes());
    let said = client_fault(server.post("earnings", "EchoService", "SendEcho", &unsigned));
    assert!(said.contains("signature"), "{said}");
    // Signed with one certificate, presented with another.
    let other = envelope(&dir, "benefits", &echo("ping"));
    let said = client_fault(server.post("earnings", "EchoService", "SendEcho", &other));
    assert!(said.contains("TLS client certificate"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_deferred_record_is_received_processed_replaced_cancelled_queried_and_kept() {
    if !tools() {
        return;
    }
    let Some(record) = wage_record("batch-1", 1, &[("r1", "010101-123N"), ("r2", "010101-1234")]) else {
        return;
    };
    let dir = fresh("deferred");
    let mut server = Server::start(&dir, &["--processing-seconds", "1"]);

    // The receipt: processing, with the Register's reference.
    let sent = Instant::now();
    let ack = send_wages(&server, &record);
    assert_eq!(ack["AckData"]["DeliveryDataStatus"], 2);
    assert_eq!(ack["DeliveryData"]["DeliveryId"], "batch-1");
    let ir_delivery_id = ack["AckData"]["IRDeliveryId"].as_str().unwrap().to_string();
    assert_eq!(ir_delivery_id.len(), 32);
    if sent.elapsed() < Duration::from_millis(900) {
        assert_eq!(status_of(&server, "batch-1")["StatusResponse"]["DeliveryDataStatus"], 2);
    }
    std::thread::sleep(Duration::from_millis(1100).saturating_sub(sent.elapsed()));

    // The feedback: stored, the report breaking a rule listed with its code.
    let feedback = status_of(&server, "batch-1");
    let status = &feedback["StatusResponse"];
    assert_eq!(status["DeliveryDataStatus"], 3, "{feedback}");
    assert_eq!(status["IRDeliveryId"], json!(ir_delivery_id));
    assert_eq!(status["ValidItems"]["Item"][0]["ItemId"], "r1");
    assert_eq!(status["ValidItems"]["Item"][0]["ItemVersion"], 1);
    assert_eq!(status["InvalidItems"]["Item"][0]["ItemId"], "r2");
    assert_eq!(
        status["InvalidItems"]["Item"][0]["ItemErrors"]["ErrorInfo"][0]["ErrorCode"],
        "rule-personal-id"
    );

    // The same DeliveryId again is refused, and counted.
    let again = send_wages(&server, &record);
    assert_eq!(again["AckData"]["DeliveryDataStatus"], 4);
    assert_eq!(
        again["AckData"]["DeliveryErrors"]["ErrorInfo"][0]["ErrorCode"],
        "sim-delivery-id-used"
    );
    assert!(again["AckData"].get("IRDeliveryId").is_none());
    let s = state(&dir);
    assert_eq!(s["deliveries"].as_array().unwrap().len(), 1, "{s}");
    assert_eq!(s["deliveries"][0]["arrivals"], 2);
    assert_eq!(s["deliveries"][0]["status"], 3);
    assert_eq!(s["deliveries"][0]["owner"], BUSINESS_ID);
    assert_eq!(s["reports"].as_array().unwrap().len(), 1);
    assert_eq!(s["reports"][0]["reportId"], "r1");
    assert_eq!(s["reports"][0]["state"], "valid");

    // FaultyControl 2: one faulty report rejects the whole record.
    let whole = wage_record("batch-2", 2, &[("r3", "010101-123N"), ("r4", "010101-1234")]).unwrap();
    assert_eq!(send_wages(&server, &whole)["AckData"]["DeliveryDataStatus"], 2);

    // A replacement of the latest version, a stale one refused.
    let mut replacement = wage_record("batch-3", 1, &[("r1", "010101-123N")]).unwrap();
    replacement["WageReportsRequestToIR"]["DeliveryData"]["Reports"]["Report"][0]["ReportData"] =
        json!({ "ActionCode": 2, "ReportId": "r1", "ReportVersion": 1 });
    send_wages(&server, &replacement);
    let mut stale = replacement.clone();
    stale["WageReportsRequestToIR"]["DeliveryData"]["DeliveryId"] = json!("batch-4");
    send_wages(&server, &stale);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(status_of(&server, "batch-2")["StatusResponse"]["DeliveryDataStatus"], 5);
    let replaced = status_of(&server, "batch-3");
    assert_eq!(replaced["StatusResponse"]["ValidItems"]["Item"][0]["ItemVersion"], 2);
    let refused = status_of(&server, "batch-4");
    assert_eq!(refused["StatusResponse"]["DeliveryDataStatus"], 5);
    assert_eq!(
        refused["StatusResponse"]["InvalidItems"]["Item"][0]["ItemErrors"]["ErrorInfo"][0]["ErrorCode"],
        "sim-version"
    );

    // A query answers from what is held, schema-valid and signed.
    let query = json!({ "WageReportsOnePayerRequestToIR": merge(json!({
        "Timestamp": timestamp(), "QueryDataType": 401, "ProductionEnvironment": false,
        "DataRequestParameters": { "IdCodeParameter": [{ "ParameterType": 6, "IdType": 1, "IdCode": BUSINESS_ID }] },
    }), parties()) });
    let a = server.send("data", "WageReportQueryService", "GetWageReportsOnePayer", &query);
    let reports = read(&dir, &a)["WageReportsFromIR"].clone();
    assert_eq!(reports["Summary"]["NrOfReports"], 1, "{reports}");
    let report = &reports["Reports"]["Report"][0];
    assert_eq!(report["ReportData"]["ReportId"], "r1");
    assert_eq!(report["ReportData"]["ReportVersion"], 2);
    assert_eq!(report["DeliveryData"]["PaymentPeriod"]["PaymentDate"], "2020-07-31");
    assert_eq!(
        report["IncomeEarner"]["IncomeEarnerIds"]["Id"][0]["Code"],
        "010101-123N"
    );

    // A real-time cancellation of the report: a new version, cancelled.
    let cancel = json!({ "InvalidationRequestToIR": { "DeliveryData": merge(json!({
        "Timestamp": timestamp(), "DeliveryDataType": 105, "DeliveryId": "cancel-1", "FaultyControl": 1,
        "ProductionEnvironment": false, "Items": { "Item": [{ "ItemId": "r1", "ItemVersion": 2 }] },
    }), parties()) } });
    let a = server.send("earnings", "InvalidationService", "SendInvalidation", &cancel);
    let feedback = read(&dir, &a)["StatusResponseFromIR"]["StatusResponse"].clone();
    assert_eq!(feedback["DeliveryDataStatus"], 3, "{feedback}");
    assert_eq!(feedback["ValidItems"]["Item"][0]["ItemVersion"], 3);
    let s = state(&dir);
    let r1 = s["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reportId"] == "r1")
        .unwrap()
        .clone();
    assert_eq!(
        (r1["version"].clone(), r1["state"].clone()),
        (json!(3), json!("cancelled"))
    );

    // A restart keeps everything.
    drop(server);
    server = Server::start(&dir, &["--processing-seconds", "1"]);
    assert_eq!(state(&dir), s);
    assert_eq!(status_of(&server, "batch-1")["StatusResponse"]["DeliveryDataStatus"], 3);
    assert_eq!(send_wages(&server, &record)["AckData"]["DeliveryDataStatus"], 4);
    assert_eq!(state(&dir)["deliveries"][0]["arrivals"], 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn faults_are_switched_while_it_runs() {
    if !tools() {
        return;
    }
    let dir = fresh("faults");
    let server = Server::start(&dir, &["--slow-seconds", "1"]);
    let e = envelope(&dir, "earnings", &echo("ping"));
    let post = || server.post("earnings", "EchoService", "SendEcho", &e);

    faults(&dir, &["http-503=1"]);
    assert_eq!(post().1, 503);
    faults(&dir, &["soap-fault=1"]);
    let (_, code, body) = post();
    assert_eq!(code, 500);
    assert!(matches!(soap::read(&body), Ok(soap::Body::Fault(f)) if f.code == FaultCode::Server));
    faults(&dir, &["reset-before-read=1"]);
    let (rc, code, _) = post();
    assert!(rc != 0 && code == 0);
    faults(&dir, &["truncated-response=1"]);
    let (rc, _, body) = post();
    assert_eq!(rc, 18, "curl: partial transfer");
    assert!(!body.is_empty() && soap::read(&body).is_err());
    faults(&dir, &["tampered-response=1"]);
    let (_, _, body) = post();
    let tampered = answer(&body);
    let checked = tulorekisteri::signature::verify(&tampered, &Default::default());
    assert!(matches!(checked, Err(SignatureError::Digest)), "{checked:?}");
    faults(&dir, &["forged-signature=1"]);
    let (_, _, body) = post();
    assert!(!verify(&dir, &answer(&body)).trust.is_trusted());
    faults(&dir, &["wrong-response=1"]);
    let (_, _, body) = post();
    assert_ne!(read(&dir, &answer(&body)), echo("ping"));
    faults(&dir, &["slow-response=1"]);
    let started = Instant::now();
    assert_eq!(post().1, 200);
    assert!(started.elapsed() >= Duration::from_secs(1));

    // Faults after storing: the record is held although no answer came.
    if let Some(record) = wage_record("lost-1", 1, &[("lost", "010101-123N")]) {
        let body = envelope(&dir, "earnings", &record);
        faults(&dir, &["reset-after-store=1"]);
        let (rc, code, _) = server.post("earnings", "WageReportService", "SendWageReports", &body);
        assert!(rc != 0 && code == 0, "curl {rc}, HTTP {code}");
        faults(&dir, &["http-500-after-store=1"]);
        let (_, code, body500) = server.post("earnings", "WageReportService", "SendWageReports", &body);
        assert_eq!(code, 500);
        assert!(soap::read(&body500).is_err(), "a plain-text body");
        faults(&dir, &["status-lag=30"]);
        let lagging = status_of(&server, "lost-1");
        assert_eq!(lagging["StatusResponse"]["DeliveryDataStatus"], 0);
        assert!(lagging.get("DeliveryData").is_none());
        faults(&dir, &["wrong-response=1"]);
        let a = server.send(
            "earnings",
            "StatusService",
            "GetDeliveryDataStatus",
            &status_request("lost-1"),
        );
        assert_ne!(
            read(&dir, &a)["StatusResponseFromIR"]["DeliveryData"]["DeliveryId"],
            "lost-1"
        );
        faults(&dir, &[]);
        assert_eq!(status_of(&server, "lost-1")["StatusResponse"]["DeliveryDataStatus"], 3);
        let s = state(&dir);
        assert_eq!(s["deliveries"][0]["arrivals"], 2, "{s}");
    }
    faults(&dir, &[]);
    assert_eq!(read(&dir, &answer(&post().2)), echo("ping"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `record` with its last report's first amount made a schema error
/// (`build` refuses to make one), signed, in an envelope.
fn with_bad_amount(dir: &std::path::Path, record: &Value) -> Vec<u8> {
    let text = tulorekisteri::build(record).unwrap();
    let amount = "<Amount>6500.00</Amount>";
    let last = text.rfind(amount).unwrap();
    let text = format!("{}<Amount>lots</Amount>{}", &text[..last], &text[last + amount.len()..]);
    let signer = simulator_support::signer(dir, "earnings");
    soap::envelope(&tulorekisteri::signature::sign(text.as_bytes(), &signer).unwrap())
}

fn rename(record: Value, root: &str) -> Value {
    let (_, content) = record.as_object().unwrap().iter().next().unwrap();
    json!({ root: content })
}

#[test]
fn reception_checks_the_message_the_record_and_each_report() {
    if !tools() {
        return;
    }
    let Some(one) = wage_record("rt-1", 1, &[("rt", "010101-123N")]) else {
        return;
    };
    let dir = fresh("reception");
    let server = Server::start(&dir, &["--processing-seconds", "30"]);
    let client_fault = |(rc, code, body): (i32, u16, Vec<u8>)| match soap::read(&body) {
        Ok(soap::Body::Fault(f)) if (rc, code) == (0, 500) && f.code == FaultCode::Client => f.string,
        other => panic!("curl {rc}, HTTP {code}: {other:?}"),
    };

    // Real-time: processed at once; a schema error is a soap:Client fault.
    let realtime = rename(one.clone(), "WageReportRequestToIR");
    let a = server.send("earnings", "WageReportService", "SendWageReport", &realtime);
    let feedback = read(&dir, &a)["StatusResponseFromIR"].clone();
    assert_eq!(feedback["StatusResponse"]["DeliveryDataStatus"], 3, "{feedback}");
    assert_eq!(feedback["StatusResponse"]["ValidItems"]["Item"][0]["ItemId"], "rt");
    assert_eq!(feedback["DeliveryData"]["DeliveryId"], "rt-1");
    let mut broken = realtime.clone();
    broken["WageReportRequestToIR"]["DeliveryData"]["DeliveryId"] = json!("rt-2");
    let said = client_fault(server.post(
        "earnings",
        "WageReportService",
        "SendWageReport",
        &with_bad_amount(&dir, &broken),
    ));
    assert!(said.contains("schema"), "{said}");

    // Deferred: a report the schema refuses is an invalid item, the others are stored.
    let mixed = wage_record("mixed-1", 1, &[("m1", "010101-123N"), ("m2", "010101-123N")]).unwrap();
    let (rc, code, body) = server.post(
        "earnings",
        "WageReportService",
        "SendWageReports",
        &with_bad_amount(&dir, &mixed),
    );
    assert_eq!((rc, code), (0, 200), "{}", String::from_utf8_lossy(&body));
    assert_eq!(
        read(&dir, &answer(&body))["AckFromIR"]["AckData"]["DeliveryDataStatus"],
        2
    );
    let s = state(&dir);
    let ids: Vec<&str> = s["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reportId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["rt", "m1"]);
    let mixed = s["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deliveryId"] == "mixed-1")
        .unwrap()
        .clone();
    assert_eq!(
        (mixed["validItems"].clone(), mixed["invalidItems"].clone()),
        (json!(1), json!(1))
    );
    // What it holds (its snapshot and journal), with the errors themselves.
    let held = tulorekisteri_shim::simulator::journal::load(&dir).unwrap().state;
    let held = held.deliveries.iter().find(|d| d.delivery_id == "mixed-1").unwrap();
    let held = serde_json::to_value(held).unwrap();
    assert_eq!(held["invalidItems"][0]["itemId"], "m2");
    assert_eq!(held["invalidItems"][0]["errors"][0]["code"], "schema-type", "{held}");
    assert_eq!(status_of(&server, "mixed-1")["StatusResponse"]["DeliveryDataStatus"], 2);

    // Message level: the production environment is refused at reception.
    let mut production = wage_record("prod-1", 1, &[("p1", "010101-123N")]).unwrap();
    production["WageReportsRequestToIR"]["DeliveryData"]["ProductionEnvironment"] = json!(true);
    let ack = send_wages(&server, &production)["AckData"].clone();
    assert_eq!(ack["DeliveryDataStatus"], 4);
    assert_eq!(ack["MessageErrors"]["ErrorInfo"][0]["ErrorCode"], "rule-environment");
    // A record refused at reception cannot be asked about.
    assert_eq!(status_of(&server, "prod-1")["StatusResponse"]["DeliveryDataStatus"], 0);
    assert_eq!(
        status_of(&server, "never-sent")["StatusResponse"]["DeliveryDataStatus"],
        0
    );

    // The signer must be DeliveryDataCreator, with the certificate of the purpose.
    let mut someone = wage_record("other-1", 1, &[("o1", "010101-123N")]).unwrap();
    someone["WageReportsRequestToIR"]["DeliveryData"]["DeliveryDataCreator"]["Code"] = json!("7011367-6");
    let said = client_fault(server.post(
        "earnings",
        "WageReportService",
        "SendWageReports",
        &envelope(&dir, "earnings", &someone),
    ));
    assert!(said.contains("DeliveryDataCreator"), "{said}");
    let said = client_fault(server.post(
        "benefits",
        "WageReportService",
        "SendWageReports",
        &envelope(&dir, "benefits", &production),
    ));
    assert!(said.contains("earnings certificate"), "{said}");
    let s = state(&dir);
    assert_eq!(s["deliveries"].as_array().unwrap().len(), 3, "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn benefit_record(delivery_id: &str) -> Value {
    let data = merge(
        json!({
            "Timestamp": timestamp(), "Source": "tests", "DeliveryDataType": 102, "DeliveryId": delivery_id,
            "FaultyControl": 1, "ProductionEnvironment": false, "PaymentDate": "2026-11-30",
            "ContactPersons": { "ContactPerson": [{ "Name": "N N", "Telephone": "0401234567", "ResponsibilityCode": 2 }] },
            "Payer": { "PayerIds": { "Id": [{ "Type": 1, "Code": BUSINESS_ID }] } },
            "Reports": { "Report": [{
                "ReportData": { "ActionCode": 1, "ReportId": "b-r1" },
                "IncomeEarner": { "IncomeEarnerIds": { "Id": [{ "Type": 2, "Code": "010101-123N" }] } },
                "Transactions": { "Transaction": [{ "TransactionBasic": { "TransactionCode": 1, "Amount": "100.00" } }] },
            }] },
        }),
        parties(),
    );
    json!({ "BenefitReportsRequestToIR": { "DeliveryData": data } })
}

fn benefit_query(root: &str, query_type: i64, parameters: Value) -> Value {
    let fields = merge(
        json!({ "Timestamp": timestamp(), "QueryDataType": query_type, "ProductionEnvironment": false,
                "DataRequestParameters": parameters }),
        parties(),
    );
    json!({ root: fields })
}

#[test]
fn benefits_are_queried_and_a_whole_record_is_cancelled() {
    if !tools() {
        return;
    }
    let dir = fresh("benefits");
    let server = Server::start(&dir, &[]);
    let a = server.send(
        "benefits",
        "BenefitReportService",
        "SendBenefitReports",
        &benefit_record("b1"),
    );
    assert_eq!(read(&dir, &a)["AckFromIR"]["AckData"]["DeliveryDataStatus"], 2);
    let s = state(&dir);
    let ir_report_id = s["reports"][0]["irReportId"].as_str().unwrap().to_string();

    let query = |root: &str, action: &str, query_type: i64, parameters: Value| {
        let a = server.send(
            "data",
            "BenefitReportQueryService",
            action,
            &benefit_query(root, query_type, parameters),
        );
        read(&dir, &a)["BenefitReportsFromIR"].clone()
    };
    let earner = json!({ "IdCodeParameter": [{ "ParameterType": 7, "IdType": 2, "IdCode": "010101-123N" }] });
    let found = query(
        "BenefitReportsOneIncomeEarnerRequestToIR",
        "GetBenefitReportsOneIncomeEarner",
        407,
        earner.clone(),
    );
    assert_eq!(found["Summary"]["NrOfReports"], 1, "{found}");
    let report = &found["Reports"]["Report"][0];
    assert_eq!(report["DeliveryData"]["PaymentDate"], "2026-11-30");
    assert_eq!(report["ReportData"]["IRReportId"], json!(ir_report_id));
    assert_eq!(report["ReportData"]["ReportStatus"], 1);
    let by_reference = json!({ "ValueParameter": [{ "ParameterType": 17, "Value": ir_report_id }] });
    let found = query(
        "BenefitReportsOneIRReportIdRequestToIR",
        "GetBenefitReportsOneIRReportId",
        409,
        by_reference,
    );
    assert_eq!(found["Summary"]["NrOfReports"], 1);
    let nobody = json!({ "IdCodeParameter": [{ "ParameterType": 7, "IdType": 2, "IdCode": "020202-222X" }] });
    let none = query(
        "BenefitReportsOneIncomeEarnerRequestToIR",
        "GetBenefitReportsOneIncomeEarner",
        407,
        nobody,
    );
    assert_eq!(none["Summary"]["NrOfReports"], 0);
    assert!(none.get("Reports").is_none());
    let wrong = query(
        "BenefitReportsOneIncomeEarnerRequestToIR",
        "GetBenefitReportsOneIncomeEarner",
        401,
        earner,
    );
    assert_eq!(wrong["DeliveryErrors"]["ErrorInfo"][0]["ErrorCode"], "sim-query-type");
    let missing = query(
        "BenefitReportsOneIncomeEarnerRequestToIR",
        "GetBenefitReportsOneIncomeEarner",
        407,
        json!(null),
    );
    assert_eq!(missing["DeliveryErrors"]["ErrorInfo"][0]["ErrorCode"], "sim-parameter");

    // Cancelling the whole record (111) cancels its reports; the record says 6.
    let cancel = json!({ "InvalidationsRequestToIR": { "DeliveryData": merge(json!({
        "Timestamp": timestamp(), "DeliveryDataType": 111, "DeliveryId": "cancel-b1", "FaultyControl": 1,
        "ProductionEnvironment": false, "Items": { "Item": [{ "ItemId": "b1" }] },
    }), parties()) } });
    let a = server.send("benefits", "InvalidationService", "SendInvalidations", &cancel);
    assert_eq!(read(&dir, &a)["AckFromIR"]["AckData"]["DeliveryDataStatus"], 2);
    let request = json!({ "StatusRequestToIR": merge(json!({
        "Timestamp": timestamp(), "DeliveryDataType": 102, "DeliveryId": "b1", "ProductionEnvironment": false,
    }), parties()) });
    let a = server.send("benefits", "StatusService", "GetDeliveryDataStatus", &request);
    assert_eq!(
        read(&dir, &a)["StatusResponseFromIR"]["StatusResponse"]["DeliveryDataStatus"],
        6
    );
    let s = state(&dir);
    assert_eq!(s["reports"][0]["state"], "cancelled");
    assert_eq!(s["reports"][0]["version"], 2);
    let _ = std::fs::remove_dir_all(&dir);
}

fn is_date_time(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|t| t.len() == 24 && t.ends_with('Z') && t.as_bytes()[10] == b'T')
}

#[test]
fn arrivals_and_status_queries_that_found_nothing_are_kept_with_their_times() {
    if !tools() {
        return;
    }
    let Some(record) = wage_record("times-1", 1, &[("t1", "010101-123N")]) else {
        return;
    };
    let dir = fresh("times");
    let server = Server::start(&dir, &[]);

    // Asked before it was sent: nothing held.
    assert_eq!(status_of(&server, "times-1")["StatusResponse"]["DeliveryDataStatus"], 0);
    let s = state(&dir);
    let misses = s["statusMisses"].as_array().unwrap();
    assert_eq!(misses.len(), 1, "{s}");
    let first = &misses[0];
    assert_eq!(
        (&first["owner"], &first["deliveryDataType"], &first["deliveryId"]),
        (&json!(BUSINESS_ID), &json!(100), &json!("times-1"))
    );
    assert_eq!((&first["irDeliveryId"], &first["lag"]), (&Value::Null, &json!(false)));
    assert!(is_date_time(&first["at"]), "{first}");

    // Sent, then sent again: each arrival has its time, the duplicate's too.
    assert_eq!(send_wages(&server, &record)["AckData"]["DeliveryDataStatus"], 2);
    assert_eq!(send_wages(&server, &record)["AckData"]["DeliveryDataStatus"], 4);
    let s = state(&dir);
    let d = &s["deliveries"][0];
    assert_eq!(d["arrivals"], 2);
    let times = d["arrivedAt"].as_array().unwrap();
    assert_eq!(times.len(), 2, "{d}");
    assert!(times.iter().all(is_date_time), "{d}");
    // xs:dateTime in UTC with milliseconds sorts as text.
    assert!(times[0].as_str() <= times[1].as_str(), "{d}");
    assert!(first["at"].as_str() <= times[0].as_str());

    // Held, but the status-lag fault hides it: a miss marked as such.
    faults(&dir, &["status-lag=30"]);
    assert_eq!(status_of(&server, "times-1")["StatusResponse"]["DeliveryDataStatus"], 0);
    faults(&dir, &[]);
    assert_eq!(status_of(&server, "times-1")["StatusResponse"]["DeliveryDataStatus"], 3);
    let s = state(&dir);
    let misses = s["statusMisses"].as_array().unwrap();
    assert_eq!(misses.len(), 2, "{s}");
    assert_eq!(
        (&misses[1]["deliveryId"], &misses[1]["lag"]),
        (&json!("times-1"), &json!(true))
    );

    // By an IRDeliveryId nobody was given, and a record refused at reception.
    let by_reference = json!({ "StatusRequestToIR": merge(json!({
        "Timestamp": timestamp(), "DeliveryDataType": 100, "IRDeliveryId": "0123456789abcdef0123456789abcdef",
        "ProductionEnvironment": false,
    }), parties()) });
    let a = server.send("earnings", "StatusService", "GetDeliveryDataStatus", &by_reference);
    assert_eq!(
        read(&dir, &a)["StatusResponseFromIR"]["StatusResponse"]["DeliveryDataStatus"],
        0
    );
    let mut production = wage_record("times-prod", 1, &[("t2", "010101-123N")]).unwrap();
    production["WageReportsRequestToIR"]["DeliveryData"]["ProductionEnvironment"] = json!(true);
    assert_eq!(send_wages(&server, &production)["AckData"]["DeliveryDataStatus"], 4);
    assert_eq!(
        status_of(&server, "times-prod")["StatusResponse"]["DeliveryDataStatus"],
        0
    );
    let s = state(&dir);
    let misses = s["statusMisses"].as_array().unwrap();
    assert_eq!(misses.len(), 4, "{s}");
    assert_eq!(
        (&misses[2]["deliveryId"], &misses[2]["irDeliveryId"]),
        (&Value::Null, &json!("0123456789abcdef0123456789abcdef"))
    );
    assert_eq!(
        (&misses[3]["deliveryId"], &misses[3]["lag"]),
        (&json!("times-prod"), &json!(false))
    );
    let refused = s["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deliveryId"] == "times-prod")
        .unwrap();
    assert_eq!(refused["arrivedAt"].as_array().unwrap().len(), 1);

    // All of it survives a restart.
    drop(server);
    let _server = Server::start(&dir, &[]);
    assert_eq!(state(&dir)["statusMisses"], s["statusMisses"]);
    assert_eq!(state(&dir)["deliveries"], s["deliveries"]);
    let _ = std::fs::remove_dir_all(&dir);
}

fn journals(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("journal-"))
        .collect();
    names.sort();
    names
}

#[test]
fn what_was_stored_survives_a_kill_a_cut_journal_line_and_a_clean_stop() {
    if !tools() {
        return;
    }
    let Some(record) = wage_record("kept-1", 1, &[("k1", "010101-123N"), ("k2", "010101-123N")]) else {
        return;
    };
    let dir = fresh("kept");
    let server = Server::start(&dir, &[]);
    assert_eq!(send_wages(&server, &record)["AckData"]["DeliveryDataStatus"], 2);
    // SIGKILL: no chance to write anything more.
    drop(server);

    // The snapshot is as init wrote it; the record is in the journal.
    let snapshot: Value = serde_json::from_slice(&std::fs::read(dir.join("state.json")).unwrap()).unwrap();
    assert_eq!(snapshot["deliveries"], json!([]));
    assert_eq!(journals(&dir), ["journal-0.jsonl"]);
    // A crash while a line was being written leaves a part of it.
    let journal = dir.join("journal-0.jsonl");
    let whole = std::fs::read(&journal).unwrap();
    let mut cut = whole.clone();
    cut.extend_from_slice(b"{\"deliveries\":[[1,{\"owner\":");
    std::fs::write(&journal, &cut).unwrap();
    let s = state(&dir);
    assert_eq!(s["deliveries"][0]["deliveryId"], "kept-1", "{s}");
    assert_eq!(s["reports"].as_array().unwrap().len(), 2);

    // After a restart it is held: its feedback, a duplicate refused.
    let server = Server::start(&dir, &[]);
    assert_eq!(std::fs::read(&journal).unwrap(), whole, "the cut line is dropped");
    assert_eq!(status_of(&server, "kept-1")["StatusResponse"]["DeliveryDataStatus"], 3);
    assert_eq!(send_wages(&server, &record)["AckData"]["DeliveryDataStatus"], 4);
    let second = wage_record("kept-2", 1, &[("k3", "010101-123N")]).unwrap();
    assert_eq!(send_wages(&server, &second)["AckData"]["DeliveryDataStatus"], 2);
    drop(server);
    let server = Server::start(&dir, &[]);
    let s = state(&dir);
    assert_eq!(s["deliveries"][0]["arrivals"], 2, "{s}");
    assert_eq!(s["deliveries"][1]["deliveryId"], "kept-2");
    assert_eq!(s["reports"].as_array().unwrap().len(), 3);

    // A clean stop writes it all into the snapshot and starts a new journal.
    server.stop();
    assert_eq!(journals(&dir), ["journal-1.jsonl"]);
    assert_eq!(std::fs::read(dir.join("journal-1.jsonl")).unwrap(), b"");
    let snapshot: Value = serde_json::from_slice(&std::fs::read(dir.join("state.json")).unwrap()).unwrap();
    assert_eq!(snapshot["generation"], 1);
    assert_eq!(snapshot["deliveries"].as_array().unwrap().len(), 2);
    assert_eq!(state(&dir), s);
    let server = Server::start(&dir, &[]);
    assert_eq!(status_of(&server, "kept-2")["StatusResponse"]["DeliveryDataStatus"], 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_state_written_before_the_journal_still_loads_and_answers() {
    if !tools() {
        return;
    }
    let Some(sent) = wage_record("old-1", 1, &[("old-r1", "010101-123N")]) else {
        return;
    };
    let dir = fresh("legacy");
    // As the simulator wrote it before: reports as the objects `parse`
    // gives, no arrival times, no status misses, no generation.
    let parsed = tulorekisteri::parse(tulorekisteri::build(&sent).unwrap().as_bytes()).unwrap();
    let mut header = parsed["WageReportsRequestToIR"]["DeliveryData"].clone();
    let data = header["Reports"]["Report"][0].clone();
    header.as_object_mut().unwrap().remove("Reports");
    let ir = "00112233445566778899aabbccddeeff";
    let fields = &sent["WageReportsRequestToIR"]["DeliveryData"];
    let echo = merge(
        json!({ "Timestamp": fields["Timestamp"], "DeliveryDataType": "100", "DeliveryId": "old-1",
                "FaultyControl": "1", "ProductionEnvironment": "false" }),
        parties(),
    );
    let legacy = json!({
        "deliveries": [{
            "owner": BUSINESS_ID, "deliveryDataType": 100, "deliveryId": "old-1", "irDeliveryId": ir,
            "arrivals": 1, "outcome": 3, "arrivedAt": 1_700_000_000.0, "readyAt": 1_700_000_000.0,
            "operation": "SendWageReports", "echo": echo,
            "header": header,
            "validItems": [{ "itemId": "old-r1", "irItemId": "ffeeddccbbaa99887766554433221100", "version": 1 }],
            "invalidItems": [], "messageErrors": [], "deliveryErrors": [],
        }],
        "reports": [{
            "payer": BUSINESS_ID, "owner": BUSINESS_ID, "deliveryDataType": 100, "reportId": "old-r1",
            "irReportId": "ffeeddccbbaa99887766554433221100", "version": 1, "state": "valid",
            "irDeliveryId": ir, "receivedAt": 1_700_000_000.0, "versionReceivedAt": 1_700_000_000.0,
            "data": data,
        }],
        "subscriptions": [],
    });
    std::fs::write(dir.join("state.json"), serde_json::to_vec_pretty(&legacy).unwrap()).unwrap();
    let s = state(&dir);
    assert_eq!(
        s["deliveries"][0]["arrivedAt"],
        json!(["2023-11-14T22:13:20.000Z"]),
        "{s}"
    );
    assert_eq!(s["statusMisses"], json!([]));

    let server = Server::start(&dir, &[]);
    assert_eq!(status_of(&server, "old-1")["StatusResponse"]["DeliveryDataStatus"], 3);
    assert_eq!(send_wages(&server, &sent)["AckData"]["DeliveryDataStatus"], 4);
    // The old report (an object) and a new one (kept as text) both answer a query.
    let new = wage_record("new-1", 1, &[("new-r1", "131052-308T")]).unwrap();
    assert_eq!(send_wages(&server, &new)["AckData"]["DeliveryDataStatus"], 2);
    let query = |earner: &str| {
        let q = json!({ "WageReportsOneIncomeEarnerRequestToIR": merge(json!({
            "Timestamp": timestamp(), "QueryDataType": 400, "ProductionEnvironment": false,
            "DataRequestParameters": { "IdCodeParameter": [{ "ParameterType": 7, "IdType": 2, "IdCode": earner }] },
        }), parties()) });
        let a = server.send("data", "WageReportQueryService", "GetWageReportsOneIncomeEarner", &q);
        read(&dir, &a)["WageReportsFromIR"].clone()
    };
    let old = query("010101-123N");
    assert_eq!(old["Summary"]["NrOfReports"], 1, "{old}");
    assert_eq!(old["Reports"]["Report"][0]["ReportData"]["ReportId"], "old-r1");
    assert_eq!(
        old["Reports"]["Report"][0]["DeliveryData"]["PaymentPeriod"]["PaymentDate"],
        "2020-07-31"
    );
    let fresh_one = query("131052-308T");
    assert_eq!(fresh_one["Summary"]["NrOfReports"], 1, "{fresh_one}");
    let report = &fresh_one["Reports"]["Report"][0];
    assert_eq!(report["ReportData"]["ReportId"], "new-r1");
    assert_eq!(
        report["IncomeEarner"]["IncomeEarnerIds"]["Id"][0]["Code"],
        "131052-308T"
    );
    assert_eq!(report["DeliveryData"]["PaymentPeriod"]["PaymentDate"], "2020-07-31");
    assert_eq!(query("020202-222X")["Summary"]["NrOfReports"], 0);
    // The old record's first arrival is known by its time only.
    let s = state(&dir);
    let times = s["deliveries"][0]["arrivedAt"].as_array().unwrap();
    assert_eq!(times.len(), 2, "{s}");
    assert_eq!(times[0], "2023-11-14T22:13:20.000Z");
    assert_eq!(s["deliveries"][0]["arrivals"], 2);
    let _ = std::fs::remove_dir_all(&dir);
}
