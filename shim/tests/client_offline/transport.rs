//! The outcome of transport failures, on real sockets with real rustls:
//! nothing can have arrived (NotSent) or it may have (Uncertain).

use super::answers::{ack, answer, status_response, IR_DELIVERY_ID};
use super::server::{acceptor, closed_port, handshake_only, http, listener, serve, slam, Behaviour};
use super::support::{der, pki, wage_report_xml, Fixture};
use std::time::{Duration, Instant};
use tulorekisteri_shim::client::{Client, Followed, NotSentReason, Outcome, UncertainReason};
use tulorekisteri_shim::soap;

const ID: &str = "demo-2022-03-0001";
const REPORT: &str = "demo-2022-03-emp-017";

fn client(fixture: &Fixture, port: u16, read_seconds: f64) -> Client {
    Client::new(&fixture.config(port, "test", read_seconds)).unwrap()
}

#[tokio::test]
async fn nothing_listening_is_not_sent() {
    let fixture = Fixture::new();
    let client = fixture.client(closed_port().await);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    let o = client.send(&prepared).await;
    assert!(
        matches!(
            o,
            Outcome::NotSent {
                reason: NotSentReason::Connect(std::io::ErrorKind::ConnectionRefused)
            }
        ),
        "{o}"
    );
}

#[tokio::test]
async fn a_listener_that_closes_at_once_is_not_sent() {
    let fixture = Fixture::new();
    let (l, port) = listener().await;
    let server = slam(l);
    let client = fixture.client(port);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    let o = client.send(&prepared).await;
    assert!(
        matches!(
            o,
            Outcome::NotSent {
                reason: NotSentReason::Tls(_)
            }
        ),
        "{o}"
    );
    server.abort();
}

#[tokio::test]
async fn a_server_that_refuses_our_certificate_is_not_sent() {
    // TLS 1.3: the client's handshake ends before the server checks the
    // client certificate; its alert comes when the request is written.
    let fixture = Fixture::new();
    let (l, port) = listener().await;
    let server = handshake_only(l, acceptor(&pki().stranger_ca));
    let client = fixture.client(port);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    let o = client.send(&prepared).await;
    assert!(
        matches!(
            o,
            Outcome::NotSent {
                reason: NotSentReason::Tls(_)
            }
        ),
        "{o}"
    );
    server.abort();
}

#[tokio::test]
async fn a_server_we_do_not_trust_is_not_sent() {
    let fixture = Fixture::new();
    // The server's certificate, but the client trusts only the response CA.
    let config_path = fixture.dir.join("shim.toml");
    let (l, port) = listener().await;
    let server = handshake_only(l, acceptor(&pki().org_ca));
    let _ = fixture.config(port, "test", 5.0);
    let text = std::fs::read_to_string(&config_path)
        .unwrap()
        .replace("server_ca = \"ca/server-ca.pem\"", "server_ca = \"ca/response-ca.pem\"");
    std::fs::write(&config_path, text).unwrap();
    let config = tulorekisteri_shim::config::Config::read(&config_path).unwrap();
    let client = Client::new(&config).unwrap();
    let o = client.echo("ping").await.unwrap();
    assert!(
        matches!(
            o,
            Outcome::NotSent {
                reason: NotSentReason::Tls(_)
            }
        ),
        "{o}"
    );
    server.abort();
}

#[tokio::test]
async fn a_server_that_never_answers_is_uncertain_after_the_read_timeout() {
    let fixture = Fixture::new();
    let (l, port) = listener().await;
    let server = serve(l, acceptor(&pki().org_ca), vec![Behaviour::Silent]);
    let client = client(&fixture, port, 0.5);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    let started = Instant::now();
    let o = client.send(&prepared).await;
    let took = started.elapsed();
    assert!(
        matches!(
            o,
            Outcome::Uncertain {
                reason: UncertainReason::ReadTimeout
            }
        ),
        "{o}"
    );
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_secs(4),
        "{took:?}"
    );
    server.abort();
}

#[tokio::test]
async fn the_request_is_the_contracts_and_a_valid_answer_is_delivered() {
    let fixture = Fixture::new();
    let (l, port) = listener().await;
    let server = serve(
        l,
        acceptor(&pki().org_ca),
        vec![Behaviour::Answer(http(200, &answer(&ack(2, ID))))],
    );
    let client = fixture.client(port);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    let o = client.send(&prepared).await;
    let Outcome::Delivered(a) = &o else { panic!("{o}") };
    assert_eq!(
        a.feedback.as_ref().unwrap().ir_delivery_id.as_deref(),
        Some(IR_DELIVERY_ID)
    );
    let seen = server.await.unwrap();
    let request = &seen[0];
    assert!(
        request
            .head
            .starts_with("POST /20170526/WageReportService.svc HTTP/1.1\r\n"),
        "{}",
        request.head
    );
    assert_eq!(request.header("SOAPAction"), Some("\"SendWageReports\""));
    assert_eq!(request.header("Content-Type"), Some(soap::CONTENT_TYPE));
    assert_eq!(request.header("Host"), Some(format!("127.0.0.1:{port}").as_str()));
    assert_eq!(
        request.header("Content-Length"),
        Some(request.body.len().to_string().as_str())
    );
    // The body is the signed record, byte for byte, in its envelope; the
    // handshake presented the certificate that signed it.
    assert_eq!(request.body, soap::envelope(prepared.signed()));
    assert_eq!(
        request.client_certificate.as_deref(),
        Some(&der(&pki().org.cert)[0][..])
    );
}

#[tokio::test]
async fn a_cut_answer_is_uncertain() {
    let fixture = Fixture::new();
    let (l, port) = listener().await;
    let whole = http(200, &answer(&ack(2, ID)));
    let half = whole[..whole.len() - 200].to_vec();
    let server = serve(
        l,
        acceptor(&pki().org_ca),
        vec![Behaviour::Answer(half), Behaviour::Hangup],
    );
    let client = fixture.client(port);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    let o = client.send(&prepared).await;
    assert!(
        matches!(
            o,
            Outcome::Uncertain {
                reason: UncertainReason::AnswerIncomplete
            }
        ),
        "{o}"
    );
    // Closed after the request was read, without a word.
    let o = client.send(&prepared).await;
    assert!(matches!(o, Outcome::Uncertain { .. }), "{o}");
    server.abort();
}

#[tokio::test]
async fn a_large_answer_and_odd_statuses_are_uncertain_and_redirects_are_not_followed() {
    let fixture = Fixture::new();
    let (l, port) = listener().await;
    let redirect =
        format!("HTTP/1.1 302 Found\r\nLocation: https://127.0.0.1:{port}/elsewhere\r\nContent-Length: 0\r\n\r\n")
            .into_bytes();
    let server = serve(
        l,
        acceptor(&pki().org_ca),
        vec![
            Behaviour::Answer(http(200, &answer(&ack(2, ID)))),
            Behaviour::Answer(http(503, b"Service Unavailable")),
            Behaviour::Answer(redirect),
        ],
    );
    let client = fixture.client(port).with_answer_limit(1000);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    let o = client.send(&prepared).await;
    assert!(
        matches!(
            o,
            Outcome::Uncertain {
                reason: UncertainReason::AnswerTooLarge(1000)
            }
        ),
        "{o}"
    );
    let o = client.send(&prepared).await;
    assert!(
        matches!(
            o,
            Outcome::Uncertain {
                reason: UncertainReason::HttpStatus(503)
            }
        ),
        "{o}"
    );
    let o = client.send(&prepared).await;
    assert!(
        matches!(
            o,
            Outcome::Uncertain {
                reason: UncertainReason::HttpStatus(302)
            }
        ),
        "{o}"
    );
    assert_eq!(
        server.await.unwrap().len(),
        3,
        "one connection per send, none for the redirect"
    );
}

#[tokio::test]
async fn a_deferred_record_is_followed_to_its_final_feedback() {
    let fixture = Fixture::new();
    let (l, port) = listener().await;
    let plan = vec![
        Behaviour::Answer(http(200, &answer(&ack(2, ID)))),
        // Not found yet (the Register lags), then processing, then stored.
        Behaviour::Answer(http(200, &answer(&status_response(0, None, REPORT)))),
        Behaviour::Answer(http(503, b"busy")),
        Behaviour::Answer(http(200, &answer(&status_response(2, Some(ID), REPORT)))),
        Behaviour::Answer(http(200, &answer(&status_response(3, Some(ID), REPORT)))),
    ];
    let server = serve(l, acceptor(&pki().org_ca), plan);
    let client = fixture.client(port);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    let o = client.send(&prepared).await;
    let receipt = o.feedback().unwrap().clone();
    let followed = client.follow(&prepared, &receipt, None).await;
    let Followed::Final(f) = followed else {
        panic!("{followed:?}")
    };
    assert_eq!(f.status.code(), 3);
    assert_eq!(f.valid_items[0].item_id.as_deref(), Some(REPORT));
    let seen = server.await.unwrap();
    assert_eq!(seen.len(), 5);
    // Each status request asks about the record by both ids, signed anew.
    for request in &seen[1..] {
        assert_eq!(request.header("SOAPAction"), Some("\"GetDeliveryDataStatus\""));
        let soap::Body::Record(record) = soap::read(&request.body).unwrap() else {
            panic!()
        };
        let object = tulorekisteri::parse(record).unwrap();
        assert_eq!(object["StatusRequestToIR"]["DeliveryId"], ID);
        assert_eq!(object["StatusRequestToIR"]["IRDeliveryId"], IR_DELIVERY_ID);
        tulorekisteri::signature::verify(record, &Default::default()).unwrap();
    }
}

#[tokio::test]
async fn following_gives_up_at_the_wait() {
    let fixture = Fixture::new();
    let (l, port) = listener().await;
    let processing = Behaviour::Answer(http(200, &answer(&status_response(2, Some(ID), REPORT))));
    let server = serve(l, acceptor(&pki().org_ca), vec![processing; 20]);
    let client = fixture.client(port);
    let prepared = client.prepare(&wage_report_xml()).unwrap();
    let receipt = tulorekisteri::read_feedback(&super::answers::signed(&ack(2, ID))).unwrap();
    let started = Instant::now();
    // Polling: first after 0.05 s, every 0.05 s; waiting 0.22 s asks 4 times.
    let followed = client
        .follow(&prepared, &receipt, Some(Duration::from_millis(220)))
        .await;
    assert!(started.elapsed() < Duration::from_secs(3));
    match followed {
        Followed::GaveUp { last, failure, asked } => {
            assert_eq!(asked, 4);
            assert_eq!(last.unwrap().status.code(), 2);
            assert!(failure.is_none());
        }
        other => panic!("{other:?}"),
    }
    server.abort();
}
