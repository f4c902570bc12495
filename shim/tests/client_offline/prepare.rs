//! Preparing a record: the local checks stop a bad one before anything is
//! sent, and a good one comes out signed with the right certificate.

use super::support::{der, pki, real_time, wage_report, wage_report_xml, Fixture, BUSINESS_ID};
use serde_json::json;
use tulorekisteri::signature::{verify, VerifyOptions};
use tulorekisteri::{Code, Severity};
use tulorekisteri_shim::client::{PrepareError, Prepared, StatusQuery};
use tulorekisteri_shim::operation::{Kind, Purpose};

fn codes(e: &PrepareError) -> Vec<Code> {
    match e {
        PrepareError::Invalid(d) => d
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.code)
            .collect(),
        other => panic!("expected the local checks' errors, got {other}"),
    }
}

#[test]
fn a_good_record_is_signed_with_the_certificate_of_its_purpose() {
    let fixture = Fixture::new();
    let client = fixture.client(1);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    assert_eq!(prepared.operation().name, "SendWageReports");
    assert_eq!(prepared.operation().kind, Kind::Deferred);
    assert_eq!(prepared.purpose(), Some(Purpose::Earnings));
    assert_eq!(prepared.delivery_id(), Some("demo-2022-03-0001"));
    assert_eq!(prepared.delivery_data_type(), Some(100));
    assert_eq!(prepared.items(), &[Some("demo-2022-03-emp-017".to_string())]);
    // The signature verifies with the core and carries the organisation's
    // certificate, the one the TLS handshake presents too.
    let verified = verify(prepared.signed(), &VerifyOptions::default()).unwrap();
    assert_eq!(verified.signer.der(), der(&pki().org.cert)[0]);
    assert!(verified.signer.subject.contains(BUSINESS_ID));
    // What is signed is the record: only the Signature was added.
    let parsed = tulorekisteri::parse(prepared.signed()).unwrap();
    assert_eq!(parsed, wage_report());
    // Debug output never shows the record.
    let debug = format!("{prepared:?}");
    assert!(
        !debug.contains("010190-900P") && debug.contains("demo-2022-03-0001"),
        "{debug}"
    );
}

#[test]
fn json_input_is_built_then_checked_and_signed_the_same_way() {
    let fixture = Fixture::new();
    let client = fixture.client(1);
    let json = serde_json::to_vec_pretty(&wage_report()).unwrap();
    let from_json = client.prepare(&json).unwrap();
    let from_xml = client.prepare(&wage_report_xml()).unwrap();
    assert_eq!(from_json.operation(), from_xml.operation());
    assert_eq!(from_json.delivery_id(), from_xml.delivery_id());
    assert_eq!(from_json.items(), from_xml.items());
    assert_eq!(
        tulorekisteri::parse(from_json.signed()).unwrap(),
        tulorekisteri::parse(from_xml.signed()).unwrap()
    );
    verify(from_json.signed(), &VerifyOptions::default()).unwrap();
    // Not JSON, and a JSON object that is no record, are the local checks'.
    assert_eq!(
        codes(&client.prepare(b"{ \"WageReportsRequestToIR\": ").unwrap_err()),
        [Code::BuildJson]
    );
    let wrong = serde_json::to_vec(&json!({ "Echo": { "Data": "x", "Colour": 1 } })).unwrap();
    assert_eq!(codes(&client.prepare(&wrong).unwrap_err()), [Code::BuildField]);
}

#[test]
fn a_rule_error_stops_the_record() {
    let fixture = Fixture::new();
    let client = fixture.client(1);
    let mut record = wage_report();
    // A business ID whose check digit is wrong.
    record["WageReportsRequestToIR"]["DeliveryData"]["Payer"]["PayerIds"]["Id"][0]["Code"] = "7654321-3".into();
    let e = client.prepare(&serde_json::to_vec(&record).unwrap()).unwrap_err();
    let codes = codes(&e);
    assert!(
        !codes.is_empty() && codes.iter().all(|c| c.as_str().starts_with("rule-")),
        "{codes:?}"
    );
    // A schema error stops it too.
    let mut record = wage_report();
    record["WageReportsRequestToIR"]["DeliveryData"]["DeliveryId"] = "".into();
    assert!(client.prepare(&serde_json::to_vec(&record).unwrap()).is_err());
}

#[test]
fn production_environment_must_match_the_configuration() {
    let fixture = Fixture::new();
    // The record says false: a production configuration refuses it...
    let production = tulorekisteri_shim::client::Client::new(&fixture.config(1, "production", 5.0)).unwrap();
    let e = production.prepare(&wage_report_xml()).unwrap_err();
    assert_eq!(codes(&e), [Code::RuleEnvironment]);
    // ...and a test configuration refuses a production record.
    let client = fixture.client(1);
    let mut record = wage_report();
    record["WageReportsRequestToIR"]["DeliveryData"]["ProductionEnvironment"] = true.into();
    let e = client.prepare(&serde_json::to_vec(&record).unwrap()).unwrap_err();
    assert_eq!(codes(&e), [Code::RuleEnvironment]);
}

#[test]
fn a_real_time_record_holds_exactly_one_report() {
    let fixture = Fixture::new();
    let client = fixture.client(1);
    let one = real_time(wage_report());
    let prepared = client.prepare_object(&one).unwrap();
    assert_eq!(
        (prepared.operation().name, prepared.operation().kind),
        ("SendWageReport", Kind::RealTime)
    );
    let mut two = one.clone();
    let reports = &mut two["WageReportRequestToIR"]["DeliveryData"]["Reports"]["Report"];
    let mut second = reports[0].clone();
    second["ReportData"]["ReportId"] = "demo-2022-03-emp-018".into();
    reports.as_array_mut().unwrap().push(second);
    let e = client.prepare_object(&two).unwrap_err();
    assert_eq!(codes(&e), [Code::RuleOneReport]);
    // The same two reports are fine in a deferred record.
    let deferred = json!({ "WageReportsRequestToIR": two["WageReportRequestToIR"].clone() });
    assert_eq!(client.prepare_object(&deferred).unwrap().items().len(), 2);
}

#[test]
fn a_purpose_without_a_certificate_is_named() {
    let fixture = Fixture::new();
    let client = fixture.client(1);
    // Benefits (102): only [certificates.earnings] is configured.
    let e = client
        .prepare_status(&StatusQuery::new(102).delivery_id("b-1"))
        .unwrap_err();
    assert!(matches!(
        e,
        PrepareError::NoCertificate {
            purpose: Purpose::Benefits,
            ..
        }
    ));
    let text = e.to_string();
    assert!(
        text.contains("[certificates.benefits]") && text.contains("shim.toml"),
        "{text}"
    );
}

#[test]
fn a_status_request_names_the_record_and_the_certificates_business_id() {
    let fixture = Fixture::new();
    let client = fixture.client(1);
    let query = StatusQuery::new(100)
        .delivery_id("d-1")
        .ir_delivery_id("0123456789abcdef0123456789abcdef");
    let prepared = client.prepare_status(&query).unwrap();
    assert_eq!(prepared.operation().name, "GetDeliveryDataStatus");
    assert_eq!(prepared.ir_delivery_id(), Some("0123456789abcdef0123456789abcdef"));
    let object = tulorekisteri::parse(prepared.signed()).unwrap();
    let request = &object["StatusRequestToIR"];
    assert_eq!(request["DeliveryId"], "d-1");
    assert_eq!(request["ProductionEnvironment"], false);
    for party in ["DeliveryDataOwner", "DeliveryDataCreator", "DeliveryDataSender"] {
        assert_eq!(request[party], json!({ "Type": 1, "Code": BUSINESS_ID }));
    }
    let timestamp = request["Timestamp"].as_str().unwrap();
    assert!(timestamp.ends_with('Z') && timestamp.len() == 20, "{timestamp}");
    // A bad IRDeliveryId is the local checks' (it is an irct:Guid).
    assert!(client
        .prepare_status(&StatusQuery::new(100).ir_delivery_id("nope"))
        .is_err());
}

#[test]
fn signed_bytes_are_resent_as_they_are_and_never_signed_twice() {
    let fixture = Fixture::new();
    let client = fixture.client(1);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    let again = Prepared::from_signed(prepared.signed().to_vec()).unwrap();
    assert_eq!(again.signed(), prepared.signed());
    assert_eq!(
        (
            again.operation(),
            again.delivery_id(),
            again.delivery_data_type(),
            again.items()
        ),
        (
            prepared.operation(),
            prepared.delivery_id(),
            prepared.delivery_data_type(),
            prepared.items()
        )
    );
    assert!(matches!(
        client.prepare(prepared.signed()).unwrap_err(),
        PrepareError::AlreadySigned
    ));
    assert!(matches!(
        Prepared::from_signed(wage_report_xml()).unwrap_err(),
        PrepareError::NotSigned
    ));
    // A stored record that was changed does not verify.
    let mut changed = prepared.signed().to_vec();
    let at = changed.windows(4).position(|w| w == b"3450").unwrap();
    changed[at] = b'4';
    assert!(matches!(
        Prepared::from_signed(changed).unwrap_err(),
        PrepareError::Sign(_)
    ));
}
