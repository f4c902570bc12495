//! Checking answers: crafted answers, signed with the tests' PKI, against a
//! prepared request. Only a verified answer about this request counts.

use super::answers::{self, ack, answer, echo, envelope, signed, signed_by, status_response, unsigned, IR_DELIVERY_ID};
use super::support::{pki, real_time, signer, wage_report, wage_report_xml, Fixture};
use tulorekisteri::DeliveryStatus;
use tulorekisteri_shim::client::{
    Client, Field, NotSentReason, Outcome, Prepared, RejectReason, StatusQuery, UncertainReason,
};
use tulorekisteri_shim::soap::{fault, FaultCode};

const ID: &str = "demo-2022-03-0001";
const REPORT: &str = "demo-2022-03-emp-017";

fn setup() -> (Fixture, Client, Prepared) {
    let fixture = Fixture::new();
    let client = fixture.client(1);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    (fixture, client, prepared)
}

fn uncertain(o: Outcome) -> UncertainReason {
    match o {
        Outcome::Uncertain { reason } => reason,
        other => panic!("expected uncertain, got {other}"),
    }
}

#[test]
fn a_valid_receipt_is_delivered_with_its_verified_bytes() {
    let (_f, client, prepared) = setup();
    let record = signed(&ack(2, ID));
    let outcome = client.check(&prepared, 200, &envelope(&record));
    let Outcome::Delivered(answer) = outcome else {
        panic!("expected delivered, got {outcome}")
    };
    // The record's own bytes, without the XML declaration the envelope
    // cannot hold.
    assert!(record.trim_ascii_end().ends_with(&answer.record) && answer.record.starts_with(b"<"));
    let feedback = answer.feedback.as_ref().unwrap();
    assert_eq!(feedback.status, DeliveryStatus::Processing);
    assert_eq!(feedback.ir_delivery_id.as_deref(), Some(IR_DELIVERY_ID));
    assert!(answer
        .signer
        .subject
        .contains("Incomes Register Service Interface Test"));
    // The verified bytes verify again on their own.
    tulorekisteri::signature::verify(&answer.record, &Default::default()).unwrap();
}

#[test]
fn an_answer_that_is_not_verified_is_uncertain() {
    let (_f, client, prepared) = setup();
    // Unsigned.
    let o = client.check(&prepared, 200, &envelope(&unsigned(&ack(2, ID))));
    assert!(matches!(uncertain(o), UncertainReason::Unsigned));
    // Signed by a certificate of another CA (of the same name and key).
    let forged = signed_by(&ack(2, ID), &signer(&pki().forged));
    let o = client.check(&prepared, 200, &envelope(&forged));
    assert!(matches!(uncertain(o), UncertainReason::Untrusted(_)));
    // Signed by the organisation (valid signature, wrong signer).
    let by_org = signed_by(&ack(2, ID), &signer(&pki().org));
    let o = client.check(&prepared, 200, &envelope(&by_org));
    assert!(matches!(uncertain(o), UncertainReason::Untrusted(_)));
    // Tampered after signing: a digit of IRResponseTimestamp.
    let mut tampered = signed(&ack(2, ID));
    let at = tampered.windows(8).position(|w| w == b"10:00:01").unwrap();
    tampered[at + 7] = b'2';
    let o = client.check(&prepared, 200, &envelope(&tampered));
    assert!(matches!(uncertain(o), UncertainReason::BadSignature(_)));
}

#[test]
fn an_answer_about_another_delivery_is_uncertain() {
    let (_f, client, prepared) = setup();
    let o = client.check(&prepared, 200, &answer(&ack(2, "someone-else")));
    match uncertain(o) {
        UncertainReason::AboutAnother {
            field: Field::DeliveryId,
            expected,
            found,
        } => assert_eq!((expected.as_str(), found.as_deref()), (ID, Some("someone-else"))),
        other => panic!("{other}"),
    }
    let mut other_type = ack(2, ID);
    other_type["AckFromIR"]["DeliveryData"]["DeliveryDataType"] = 102.into();
    let o = client.check(&prepared, 200, &answer(&other_type));
    assert!(matches!(
        uncertain(o),
        UncertainReason::AboutAnother {
            field: Field::DeliveryDataType,
            ..
        }
    ));
    // A real-time answer must echo the record too.
    let real = client.prepare_object(&real_time(wage_report())).unwrap();
    let o = client.check(&real, 200, &answer(&status_response(3, None, REPORT)));
    assert!(matches!(
        uncertain(o),
        UncertainReason::AboutAnother { found: None, .. }
    ));
}

#[test]
fn an_answer_of_another_root_or_not_an_envelope_is_uncertain() {
    let (_f, client, prepared) = setup();
    // A deferred send is answered with AckFromIR, not StatusResponseFromIR.
    let o = client.check(&prepared, 200, &answer(&status_response(2, Some(ID), REPORT)));
    match uncertain(o) {
        UncertainReason::WrongRoot { expected, found } => {
            assert_eq!((expected, found.as_str()), ("AckFromIR", "StatusResponseFromIR"))
        }
        other => panic!("{other}"),
    }
    let o = client.check(&prepared, 200, &answer(&echo("x")));
    assert!(matches!(uncertain(o), UncertainReason::WrongRoot { .. }));
    for body in [&b"<html/>"[..], b"", b"not xml"] {
        let o = client.check(&prepared, 200, body);
        assert!(matches!(uncertain(o), UncertainReason::NotAnEnvelope(_)));
    }
    // The record alone, without its envelope.
    let o = client.check(&prepared, 200, &signed(&ack(2, ID)));
    assert!(matches!(uncertain(o), UncertainReason::NotAnEnvelope(_)));
}

#[test]
fn http_statuses_and_faults_follow_the_contract() {
    let (_f, client, prepared) = setup();
    let o = client.check(&prepared, 500, &fault(FaultCode::Client, "schema-type: bad"));
    assert!(matches!(o, Outcome::Rejected { reason: RejectReason::Refused(ref s), .. } if s == "schema-type: bad"));
    let o = client.check(&prepared, 500, &fault(FaultCode::Server, "down"));
    assert!(matches!(uncertain(o), UncertainReason::ServerFault(_)));
    let o = client.check(&prepared, 500, b"Internal Server Error");
    assert!(matches!(uncertain(o), UncertainReason::HttpStatus(500)));
    let o = client.check(&prepared, 503, &fault(FaultCode::Client, "refused"));
    assert!(matches!(o, Outcome::Rejected { .. }), "{o}");
    for status in [302, 400, 404, 503] {
        let o = client.check(&prepared, status, &answer(&ack(2, ID)));
        assert!(matches!(uncertain(o), UncertainReason::HttpStatus(s) if s == status));
    }
    // A fault is not an answer when it comes with 200.
    let o = client.check(&prepared, 200, &fault(FaultCode::Client, "x"));
    assert!(matches!(uncertain(o), UncertainReason::NotAnEnvelope(_)));
}

#[test]
fn delivery_statuses_map_to_the_four_outcomes() {
    let (_f, client, deferred) = setup();
    let real = client.prepare_object(&real_time(wage_report())).unwrap();
    // A deferred send: AckFromIR.
    let o = client.check(&deferred, 200, &answer(&ack(0, ID)));
    assert!(
        matches!(
            o,
            Outcome::NotSent {
                reason: NotSentReason::ReceptionFailed(_)
            }
        ),
        "{o}"
    );
    assert!(matches!(
        client.check(&deferred, 200, &answer(&ack(2, ID))),
        Outcome::Delivered(_)
    ));
    let o = client.check(&deferred, 200, &answer(&ack(4, ID)));
    match o {
        Outcome::Rejected {
            reason: RejectReason::RejectedAtReception,
            feedback: Some(f),
            answer: Some(_),
        } => assert_eq!(f.delivery_errors[0].code, "rule-x"),
        other => panic!("{other}"),
    }
    let o = client.check(&deferred, 200, &answer(&ack(5, ID)));
    assert!(matches!(
        o,
        Outcome::Rejected {
            reason: RejectReason::RejectedInProcessing,
            ..
        }
    ));
    let o = client.check(&deferred, 200, &answer(&ack(3, ID)));
    assert!(matches!(uncertain(o), UncertainReason::UnexpectedStatus(3)));
    // A real-time send: StatusResponseFromIR.
    let real_answer = |s| answer(&status_response(s, Some(ID), REPORT));
    assert!(matches!(
        client.check(&real, 200, &real_answer(0)),
        Outcome::NotSent { .. }
    ));
    for s in [2, 3] {
        let o = client.check(&real, 200, &real_answer(s));
        assert_eq!(o.answer().and_then(|a| a.status()).map(|s| s.code()), Some(s), "{o}");
    }
    let o = client.check(&real, 200, &real_answer(3));
    let item = &o.feedback().unwrap().valid_items[0];
    assert_eq!((item.item_id.as_deref(), item.version), (Some(REPORT), Some(1)));
    assert!(matches!(
        client.check(&real, 200, &real_answer(4)),
        Outcome::Rejected { .. }
    ));
    assert!(matches!(
        client.check(&real, 200, &real_answer(5)),
        Outcome::Rejected { .. }
    ));
    assert!(matches!(
        uncertain(client.check(&real, 200, &real_answer(6))),
        UncertainReason::UnexpectedStatus(6)
    ));
}

#[test]
fn every_status_answer_to_a_status_request_is_delivered() {
    let (_f, client, _) = setup();
    let by_id = client.prepare_status(&StatusQuery::new(100).delivery_id(ID)).unwrap();
    for s in [0, 2, 3, 4, 5, 6] {
        let o = client.check(&by_id, 200, &answer(&status_response(s, Some(ID), REPORT)));
        assert_eq!(o.feedback().map(|f| f.status.code()), Some(s), "{o}");
        assert!(matches!(o, Outcome::Delivered(_)));
    }
    // Not found: no DeliveryData.
    let o = client.check(&by_id, 200, &answer(&status_response(0, None, REPORT)));
    assert!(matches!(o, Outcome::Delivered(_)), "{o}");
    // Found, but about another record.
    let o = client.check(&by_id, 200, &answer(&status_response(3, Some("other"), REPORT)));
    assert!(matches!(
        uncertain(o),
        UncertainReason::AboutAnother {
            field: Field::DeliveryId,
            ..
        }
    ));
    // Asked by IRDeliveryId: the answer's must be the same.
    let by_ir = client
        .prepare_status(&StatusQuery::new(100).ir_delivery_id("ffffffffffffffffffffffffffffffff"))
        .unwrap();
    let o = client.check(&by_ir, 200, &answer(&status_response(3, Some(ID), REPORT)));
    assert!(matches!(
        uncertain(o),
        UncertainReason::AboutAnother {
            field: Field::IrDeliveryId,
            ..
        }
    ));
    let by_ir = client
        .prepare_status(&StatusQuery::new(100).ir_delivery_id(IR_DELIVERY_ID))
        .unwrap();
    let o = client.check(&by_ir, 200, &answer(&status_response(3, None, REPORT)));
    assert!(matches!(o, Outcome::Delivered(_)), "{o}");
    let mut odd = status_response(3, Some(ID), REPORT);
    odd["StatusResponseFromIR"]["StatusResponse"]["DeliveryDataStatus"] = 7.into();
    let o = client.check(&by_id, 200, &answer(&odd));
    assert!(matches!(uncertain(o), UncertainReason::UnexpectedStatus(7)));
}

#[test]
fn an_echo_must_echo_the_same_data() {
    let (_f, client, _) = setup();
    let prepared = client.prepare_object(&echo("ping")).unwrap();
    assert!(matches!(
        client.check(&prepared, 200, &answer(&echo("ping"))),
        Outcome::Delivered(_)
    ));
    let o = client.check(&prepared, 200, &answer(&echo("pong")));
    assert!(matches!(
        uncertain(o),
        UncertainReason::AboutAnother { field: Field::Data, .. }
    ));
    let _ = answers::IR_REPORT_ID;
}
