//! Every fault of the contract's table, with probability 1, each several
//! times and on every kind of request, mapped to the client's outcome
//! (NotSent or Uncertain, never Delivered); what was stored behind each
//! (asked with GetDeliveryDataStatus once the faults are off, then sent
//! again); `status-lag`; and a client certificate of another CA refused at
//! the handshake.

use super::support::{delivered, delivered_with, final_feedback, id_codes, query, rename, wages, Sim, PERSON};
use crate::simulator_support::{sample, BUSINESS_ID};
use tulorekisteri::DeliveryStatus;
use tulorekisteri_shim::client::{Client, Outcome, Prepared, RejectReason, StatusQuery, Step};
use tulorekisteri_shim::config::Config;

/// What a request is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Request {
    /// A deferred earnings payment record (SendWageReports).
    Deferred,
    /// A real-time one (SendWageReport).
    RealTime,
    /// GetDeliveryDataStatus of a record stored before the faults.
    Status,
    /// SendEcho.
    Echo,
    /// GetWageReportsOnePayer.
    Query,
    /// The record stored before the faults, sent again: a refusal (status
    /// 4) without the fault.
    Duplicate,
}

const EVERY: [Request; 6] = [
    Request::Deferred,
    Request::RealTime,
    Request::Status,
    Request::Echo,
    Request::Query,
    Request::Duplicate,
];

/// What the client must make of a fault.
struct Case {
    fault: &'static str,
    /// `None`: NotSent; else Uncertain with one of these reasons' kinds.
    uncertain: Option<&'static [&'static str]>,
    /// Whether the simulator stores the record behind the fault.
    stores: bool,
    times: usize,
    requests: &'static [Request],
}

/// Sends one request of `kind` (the `n`th under `fault`): its outcome, and
/// the record when it was one to store.
async fn attempt(
    client: &Client,
    before: &Prepared,
    kind: Request,
    fault: &str,
    n: usize,
) -> (Outcome, Option<Prepared>) {
    let record = |root: Option<&str>| {
        let tag = match root {
            Some(_) => "rt",
            None => "d",
        };
        let id = format!("{fault}-{tag}-{n}");
        let record = wages(&id, 1, &[(&format!("{id}-r"), PERSON)]).unwrap();
        let record = match root {
            Some(root) => rename(record, root),
            None => record,
        };
        client.prepare_object(&record).unwrap()
    };
    match kind {
        Request::Deferred | Request::RealTime => {
            let root = (kind == Request::RealTime).then_some("WageReportRequestToIR");
            let p = record(root);
            (client.send(&p).await, Some(p))
        }
        Request::Status => {
            let q = StatusQuery::new(100).delivery_id("before");
            (client.status(&q).await.unwrap(), None)
        }
        Request::Echo => (client.echo("ping").await.unwrap(), None),
        Request::Query => {
            let q = query("WageReportsOnePayerRequestToIR", 401, id_codes(&[(6, 1, BUSINESS_ID)]));
            let bytes = serde_json::to_vec(&q).unwrap();
            (client.query(&bytes).await.unwrap(), None)
        }
        Request::Duplicate => (client.send(before).await, None),
    }
}

/// Runs `cases` on `sim`: each fault switched on while it runs, every
/// request of the case `times` times, the outcomes checked; then, the
/// faults off, what each record's status is and what sending it again does.
async fn run_cases(sim: &Sim, client: &Client, cases: &[Case]) {
    let before = before(client).await;
    for case in cases {
        sim.faults(&[&format!("{}=1", case.fault)]);
        let mut records = vec![];
        for n in 0..case.times {
            for &kind in case.requests {
                let (outcome, record) = attempt(client, &before, kind, case.fault, n).await;
                let what = format!("{} on {kind:?} #{n}: {outcome}", case.fault);
                match (case.uncertain, &outcome) {
                    (None, Outcome::NotSent { .. }) => {}
                    (Some(kinds), Outcome::Uncertain { reason }) => {
                        assert!(kinds.contains(&reason.kind()), "{what} ({})", reason.kind())
                    }
                    _ => panic!("{what}"),
                }
                records.extend(record);
            }
        }
        sim.faults(&[]);
        for p in &records {
            let id = p.delivery_id().unwrap();
            // Ask before sending again: stored behind the fault, or not at all.
            let f = delivered(client.status(&StatusQuery::of(p, None)).await.unwrap())
                .feedback
                .unwrap();
            let again = client.send(p).await;
            if case.stores {
                assert_eq!(f.status, DeliveryStatus::Stored, "{}: {id}: {f:?}", case.fault);
                assert_eq!(f.delivery_id.as_deref(), Some(id));
                assert!(
                    matches!(
                        again,
                        Outcome::Rejected {
                            reason: RejectReason::RejectedAtReception,
                            ..
                        }
                    ),
                    "{}: {id} again: {again}",
                    case.fault
                );
                assert_eq!(sim.delivery(id)["arrivals"], 2);
            } else {
                assert_eq!(f.status, DeliveryStatus::Unknown, "{}: {id}: {f:?}", case.fault);
                let want = match p.operation().name {
                    "SendWageReports" => 2,
                    _ => 3,
                };
                delivered_with(again, want);
                assert_eq!(sim.delivery(id)["arrivals"], 1);
            }
        }
        let sent = case.times * case.requests.iter().filter(|r| r.is_record()).count();
        assert_eq!(records.len(), sent);
    }
}

impl Request {
    fn is_record(&self) -> bool {
        matches!(self, Request::Deferred | Request::RealTime)
    }
}

/// A record stored before the faults, for the status requests and the
/// duplicates; without a fault, a duplicate is refused.
async fn before(client: &Client) -> Prepared {
    let p = client
        .prepare_object(&wages("before", 1, &[("before-r", PERSON)]).unwrap())
        .unwrap();
    delivered_with(client.send(&p).await, 2);
    let again = client.send(&p).await;
    assert!(
        matches!(
            again,
            Outcome::Rejected {
                reason: RejectReason::RejectedAtReception,
                ..
            }
        ),
        "{again}"
    );
    p
}

#[tokio::test]
async fn transport_faults_are_not_sent_or_uncertain_and_what_was_stored_shows() {
    if sample().is_none() {
        return;
    }
    let sim = Sim::start(
        "transport-faults",
        &["--processing-seconds", "0", "--slow-seconds", "8"],
    );
    // A read timeout shorter than --slow-seconds, with room for a loaded machine.
    sim.set("read_seconds = 5", "read_seconds = 4");
    let client = sim.client();
    let cases = [
        Case {
            fault: "reset-before-read",
            uncertain: None,
            stores: false,
            times: 2,
            requests: &EVERY,
        },
        Case {
            fault: "http-503",
            uncertain: Some(&["http-status"]),
            stores: false,
            times: 2,
            requests: &EVERY,
        },
        Case {
            fault: "soap-fault",
            uncertain: Some(&["soap-server-fault"]),
            stores: false,
            times: 2,
            requests: &EVERY,
        },
        Case {
            fault: "reset-after-store",
            uncertain: Some(&["answer-incomplete", "connection-lost"]),
            stores: true,
            times: 2,
            requests: &EVERY,
        },
        Case {
            fault: "http-500-after-store",
            uncertain: Some(&["http-status"]),
            stores: true,
            times: 2,
            requests: &EVERY,
        },
        Case {
            fault: "truncated-response",
            uncertain: Some(&["answer-incomplete", "connection-lost"]),
            stores: true,
            times: 2,
            requests: &EVERY,
        },
        Case {
            fault: "slow-response",
            uncertain: Some(&["read-timeout"]),
            stores: true,
            times: 1,
            requests: &[Request::Deferred, Request::Echo],
        },
    ];
    run_cases(&sim, &client, &cases).await;
}

#[tokio::test]
async fn a_forged_tampered_or_wrong_answer_is_never_delivered() {
    if sample().is_none() {
        return;
    }
    let sim = Sim::start("answer-faults", &["--processing-seconds", "0"]);
    let client = sim.client();
    let cases = [
        Case {
            fault: "forged-signature",
            uncertain: Some(&["untrusted-signer"]),
            stores: true,
            times: 3,
            requests: &EVERY,
        },
        Case {
            fault: "tampered-response",
            uncertain: Some(&["bad-signature"]),
            stores: true,
            times: 3,
            requests: &EVERY,
        },
        Case {
            fault: "wrong-response",
            uncertain: Some(&["about-another-delivery"]),
            stores: true,
            times: 3,
            requests: &EVERY,
        },
    ];
    run_cases(&sim, &client, &cases).await;
}

#[tokio::test]
async fn status_lag_answers_not_found_then_the_real_status() {
    let Some(record) = wages("lagging", 1, &[("lagging-r", PERSON)]) else {
        return;
    };
    let sim = Sim::start("status-lag", &["--processing-seconds", "0"]);
    sim.faults(&["status-lag=2"]);
    let client = sim.client();
    let p = client.prepare_object(&record).unwrap();
    let ack = delivered_with(client.send(&p).await, 2);
    // Not found yet: a verified answer, status 0, about no record.
    let f = delivered_with(client.status(&StatusQuery::of(&p, None)).await.unwrap(), 0);
    assert!(f.delivery_id.is_none(), "{f:?}");
    // Followed: 0 while it lags (the first request comes after 1 s), then 3.
    let mut statuses = vec![];
    let mut observe = |step: Step<'_>| {
        if let Step::Answered(o) = step {
            statuses.push(o.feedback().map(|f| f.status.code()));
        }
    };
    let f = final_feedback(client.follow_with(&p, &ack, None, &mut observe).await);
    assert_eq!(f.status, DeliveryStatus::Stored, "{f:?}");
    assert_eq!(statuses.first(), Some(&Some(0)), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&Some(3)), "{statuses:?}");
    assert!(statuses.len() >= 2);
    assert_eq!(sim.delivery("lagging")["status"], 3);
}

#[tokio::test]
async fn a_client_certificate_of_another_ca_is_refused_at_the_handshake() {
    let Some(record) = wages("other-ca", 1, &[("other-ca-r", PERSON)]) else {
        return;
    };
    let sim = Sim::start("other-ca", &[]);
    // The same business ID, from another CA.
    let text = std::fs::read_to_string(&sim.config)
        .unwrap()
        .replace("org/earnings-key.pem", "org/other-ca-key.pem")
        .replace("org/earnings-cert.pem", "org/other-ca-cert.pem");
    let other = sim.dir.join("other.toml");
    std::fs::write(&other, text).unwrap();
    let stranger = Client::new(&Config::read(&other).unwrap()).unwrap();
    let p = stranger.prepare_object(&record).unwrap();
    for _ in 0..3 {
        for o in [stranger.echo("ping").await.unwrap(), stranger.send(&p).await] {
            assert!(
                matches!(&o, Outcome::NotSent { reason } if reason.kind() == "tls"),
                "{o}"
            );
        }
    }
    assert_eq!(sim.state()["deliveries"], serde_json::json!([]));
    // The organisation's own certificate gets in, to the same server.
    let client = sim.client();
    delivered(client.echo("ping").await.unwrap());
    let p = client.prepare_object(&record).unwrap();
    delivered_with(client.send(&p).await, 2);
    assert_eq!(sim.delivery("other-ca")["arrivals"], 1);
}
