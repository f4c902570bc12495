//! `simulator serve`: the Register's Web Service operations at
//! `/20170526/<Service>.svc` over HTTPS (tokio, hyper 1, tokio-rustls),
//! requiring a client certificate of the organisations' CA. Requests are
//! checked side by side (signature, schema, rules: nothing held is needed),
//! then decided one at a time (a lock), in the order their checks end; a
//! change is in the journal, on disk, before the answer leaves. Faults are drawn per connection and per request. One
//! log line per request: the operation, the DeliveryId, the outcome and the
//! fault.

use super::answers;
use super::clock::{date_time, now};
use super::faults::{Fault, FaultFile, Faults};
use super::journal::Store;
use super::pki::{Settings, PURPOSES};
use super::process::{self, Context, Outcome, Trust};
use crate::operation::{self, Operation, Purpose};
use crate::soap::{self, Body as SoapBody, FaultCode};
use crate::tls;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tulorekisteri::signature::{Certificate, Signer};

/// The largest request body read (a record of thousands of reports fits).
const MAX_BODY: usize = 256 * 1024 * 1024;

/// How `serve` runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder `init` made.
    pub dir: PathBuf,
    /// How long a deferred record stays in processing (status 2).
    pub processing_seconds: f64,
    /// How long the `slow-response` fault waits.
    pub slow_seconds: f64,
    /// Another address than the one `init` wrote (port 0: any free port).
    pub listen: Option<String>,
    /// Another SFTP address than the one `init` wrote (port 0: any free port).
    pub sftp_listen: Option<String>,
}

/// Everything a request needs.
struct App {
    dir: PathBuf,
    store: Arc<Mutex<Store>>,
    faults: Mutex<FaultFile>,
    org_ca: Vec<Vec<u8>>,
    purposes: Vec<(Vec<u8>, Purpose)>,
    responder: Signer,
    forger: Signer,
    processing_seconds: f64,
    slow: Duration,
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
}

fn first_certificate(dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    Certificate::pem_bundle(&read(dir, name)?)
        .map_err(|e| format!("{name}: {e}"))?
        .into_iter()
        .next()
        .ok_or_else(|| format!("{name} holds no certificate"))
}

fn signer(dir: &Path, key: &str, cert: &str) -> Result<Signer, String> {
    let key_pem = String::from_utf8(read(dir, key)?).map_err(|_| format!("{key} is not PEM"))?;
    Signer::from_pem(&key_pem, &read(dir, cert)?, None).map_err(|e| format!("{key}: {e}"))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl App {
    fn load(options: &Options, faults: Faults) -> Result<App, String> {
        let dir = &options.dir;
        let org_ca = Certificate::pem_bundle(&read(dir, "ca/organisations-ca.pem")?).map_err(|e| e.to_string())?;
        let mut purposes = vec![];
        for (name, purpose) in PURPOSES.iter().zip(Purpose::ALL) {
            purposes.push((first_certificate(dir, &format!("org/{name}-cert.pem"))?, purpose));
        }
        Ok(App {
            dir: dir.clone(),
            store: Arc::new(Mutex::new(Store::open(dir)?)),
            faults: Mutex::new(FaultFile::new(dir, faults)),
            org_ca,
            purposes,
            responder: signer(dir, "server/response-key.pem", "server/response-cert.pem")?,
            forger: signer(dir, "server/forged-key.pem", "server/forged-cert.pem")?,
            processing_seconds: options.processing_seconds,
            slow: Duration::try_from_secs_f64(options.slow_seconds).map_err(|_| "--slow-seconds must be 0 or more")?,
        })
    }

    fn tls(&self) -> Result<Arc<rustls::ServerConfig>, String> {
        let chain = vec![first_certificate(&self.dir, "server/tls-cert.pem")?];
        let pem = read(&self.dir, "server/tls-key.pem")?;
        let (_, key) = pkcs8::der::pem::decode_vec(&pem).map_err(|e| format!("server/tls-key.pem: {e}"))?;
        tls::server_config(chain, key, &self.org_ca).map_err(|e| e.to_string())
    }

    /// Processes one request (blocking: validation and signing take time):
    /// the HTTP status, the body and the log line's outcome.
    fn process(
        &self,
        op: &'static Operation,
        body: &[u8],
        cert: Option<&[u8]>,
        fault: Option<Fault>,
        lag: f64,
    ) -> Reply {
        let client = |m: String| {
            Reply::soap(
                StatusCode::INTERNAL_SERVER_ERROR,
                soap::fault(FaultCode::Client, &m),
                format!("refused (soap:Client): {m}"),
            )
        };
        let record = match soap::read(body) {
            Ok(SoapBody::Record(r)) => r,
            Ok(SoapBody::Fault(_)) => return client("a SOAP fault is not a request".into()),
            Err(e) => return client(e.to_string()),
        };
        let trust = Trust {
            org_ca: &self.org_ca,
            purposes: &self.purposes,
        };
        let (delivery_id, checked) = process::check(op, record, cert, &trust);
        let at;
        let outcome = match checked {
            Err(m) => {
                at = now();
                Outcome::Refused(m)
            }
            Ok(checked) => {
                let mut store = lock(&self.store);
                // Taken in turn, so the times held follow the processing order.
                at = now();
                let cx = Context {
                    processing_seconds: self.processing_seconds,
                    status_lag: lag,
                    now: at,
                };
                let mut outcome = process::decide(checked, &store.state, &cx);
                if let Outcome::Answer { change, .. } = &mut outcome {
                    if !change.is_empty() {
                        if let Err(e) = store.commit(std::mem::take(&mut **change)) {
                            let m = format!("the state could not be saved: {e}");
                            let mut r =
                                Reply::soap(StatusCode::INTERNAL_SERVER_ERROR, soap::fault(FaultCode::Server, &m), m);
                            r.delivery_id = delivery_id;
                            return r;
                        }
                    }
                }
                outcome
            }
        };
        let mut reply = match outcome {
            Outcome::Refused(m) => client(m),
            Outcome::Answer {
                mut answer,
                request,
                summary,
                ..
            } => {
                if fault == Some(Fault::WrongResponse) {
                    answers::make_wrong(&mut answer, &request);
                }
                let signer = match fault {
                    Some(Fault::ForgedSignature) => &self.forger,
                    _ => &self.responder,
                };
                match answers::signed(&answer, signer, at) {
                    Ok(mut xml) => {
                        if fault == Some(Fault::TamperedResponse) {
                            answers::tamper(&mut xml);
                        }
                        Reply::soap(StatusCode::OK, soap::envelope(&xml), summary)
                    }
                    Err(e) => Reply::soap(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        soap::fault(FaultCode::Server, &e),
                        format!("{summary}; but {e}"),
                    ),
                }
            }
        };
        reply.delivery_id = delivery_id;
        reply
    }
}

/// What to send back, and what to log.
struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    content_type: &'static str,
    outcome: String,
    delivery_id: Option<String>,
}

impl Reply {
    fn soap(status: StatusCode, body: Vec<u8>, outcome: String) -> Reply {
        Reply {
            status,
            body,
            content_type: soap::CONTENT_TYPE,
            outcome,
            delivery_id: None,
        }
    }

    fn text(status: StatusCode, text: &str, outcome: &str) -> Reply {
        Reply {
            status,
            body: format!("{text}\n").into_bytes(),
            content_type: "text/plain; charset=utf-8",
            outcome: outcome.to_string(),
            delivery_id: None,
        }
    }
}

/// A response body: whole, or (the `truncated-response` fault) a part,
/// flushed, then an error that makes hyper close the connection.
pub struct Payload {
    data: Option<Bytes>,
    exact: Option<u64>,
    cut: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Payload {
    fn whole(bytes: Vec<u8>) -> Payload {
        Payload {
            exact: Some(bytes.len() as u64),
            data: Some(Bytes::from(bytes)),
            cut: None,
        }
    }

    fn truncated(mut bytes: Vec<u8>) -> Payload {
        bytes.truncate(bytes.len() / 2);
        Payload {
            data: Some(Bytes::from(bytes)),
            exact: None,
            cut: Some(Box::pin(tokio::time::sleep(Duration::from_millis(200)))),
        }
    }
}

impl Body for Payload {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if let Some(d) = this.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(d))));
        }
        if let Some(sleep) = this.cut.as_mut() {
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.cut = None;
            return Poll::Ready(Some(Err(io::Error::other("truncated-response"))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.cut.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self.exact {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

fn response(reply: &Reply, body: Payload, length: Option<usize>) -> Response<Payload> {
    let mut r = Response::new(body);
    *r.status_mut() = reply.status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(reply.content_type));
    if let Some(n) = length {
        r.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from(n));
    }
    r
}

fn log(op: &str, delivery_id: Option<&str>, outcome: &str, fault: Option<Fault>) {
    eprintln!(
        "{} {op} DeliveryId={} {outcome}; fault: {}",
        date_time(now()),
        delivery_id.unwrap_or("-"),
        fault.map_or("none", Fault::name)
    );
}

/// One HTTP request.
async fn respond(app: Arc<App>, req: Request<Incoming>, cert: Option<Vec<u8>>) -> Result<Response<Payload>, io::Error> {
    let path = req.uri().path().to_string();
    let action = req
        .headers()
        .get("SOAPAction")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let refuse = |m: String| {
        let reply = Reply::soap(StatusCode::INTERNAL_SERVER_ERROR, soap::fault(FaultCode::Client, &m), m);
        log(&path, None, &format!("refused (soap:Client): {}", reply.outcome), None);
        let body = Payload::whole(reply.body.clone());
        Ok(response(&reply, body, None))
    };
    if req.method() != Method::POST {
        return refuse(format!("{} is not a SOAP request (POST)", req.method()));
    }
    let Some(op) = operation::for_action(&path, &action) else {
        return refuse(format!("no operation {action} at {path}"));
    };
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            log(op.name, None, &format!("the request could not be read: {e}"), None);
            return Err(io::Error::other("the request could not be read"));
        }
    };
    let faults = lock(&app.faults).current();
    let fault = faults.draw_request();
    // The faults that store nothing answer before the record is processed.
    let early = match fault {
        Some(Fault::Http503) => Some(Reply::text(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service Unavailable",
            "HTTP 503, nothing stored",
        )),
        Some(Fault::SoapFault) => Some(Reply::soap(
            StatusCode::INTERNAL_SERVER_ERROR,
            soap::fault(FaultCode::Server, "the service failed (simulated)"),
            "soap:Server fault, nothing stored".into(),
        )),
        _ => None,
    };
    if let Some(reply) = early {
        let delivery_id = process::delivery_id_of_envelope(&body);
        log(op.name, delivery_id.as_deref(), &reply.outcome, fault);
        return Ok(response(&reply, Payload::whole(reply.body.clone()), None));
    }
    let worker = app.clone();
    let lag = faults.status_lag();
    let reply = tokio::task::spawn_blocking(move || worker.process(op, &body, cert.as_deref(), fault, lag))
        .await
        .map_err(|e| io::Error::other(format!("the request's processing failed: {e}")))?;
    log(op.name, reply.delivery_id.as_deref(), &reply.outcome, fault);
    match fault {
        Some(Fault::ResetAfterStore) => Err(io::Error::other("reset-after-store")),
        Some(Fault::Http500AfterStore) => {
            let r = Reply::text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error", "");
            Ok(response(&r, Payload::whole(r.body.clone()), None))
        }
        Some(Fault::TruncatedResponse) => {
            let n = reply.body.len();
            Ok(response(&reply, Payload::truncated(reply.body.clone()), Some(n)))
        }
        _ => {
            if fault == Some(Fault::SlowResponse) {
                tokio::time::sleep(app.slow).await;
            }
            Ok(response(&reply, Payload::whole(reply.body.clone()), None))
        }
    }
}

async fn connection(app: Arc<App>, acceptor: TlsAcceptor, tcp: tokio::net::TcpStream) {
    let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            eprintln!("{} TLS handshake refused: {e}", date_time(now()));
            return;
        }
        Err(_) => {
            eprintln!("{} TLS handshake timed out", date_time(now()));
            return;
        }
    };
    let cert = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.to_vec());
    let service = hyper::service::service_fn(move |req| respond(app.clone(), req, cert.clone()));
    let _ = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .serve_connection(TokioIo::new(tls), service)
        .await;
}

async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The SFTP server's options, when the folder has one (the second line on
/// standard output is then `sftp listening on ADDR`), and whether
/// `--sftp-listen` asked for it.
fn sftp_options(options: &Options, settings: &Settings, faults: &Faults) -> Option<(super::sftp::Options, bool)> {
    let listen = options.sftp_listen.clone().or_else(|| settings.sftp_listen.clone());
    match (listen, super::sftp::available(&options.dir)) {
        (Some(listen), true) => Some((
            super::sftp::Options {
                dir: options.dir.clone(),
                listen,
                processing_seconds: options.processing_seconds,
                faults: faults.clone(),
            },
            options.sftp_listen.is_some(),
        )),
        _ => {
            eprintln!("no SFTP server: the folder was made without one (`simulator init` makes one)");
            None
        }
    }
}

/// Serves until interrupted (SIGINT, SIGTERM). The first line on standard
/// output is `listening on https://ADDR/20170526`, the second `sftp
/// listening on ADDR`.
pub fn run(options: Options, faults: Faults) -> Result<(), String> {
    let settings = Settings::read(&options.dir)?;
    let sftp = sftp_options(&options, &settings, &faults);
    let app = Arc::new(App::load(&options, faults)?);
    let acceptor = TlsAcceptor::from(app.tls()?);
    let listen = options.listen.clone().unwrap_or(settings.listen);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(&listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        // Without --sftp-listen, the Web Service goes on without SFTP
        // (another simulator may hold init's port): said on standard error.
        let sftp = match sftp {
            Some((o, asked)) => match super::sftp::bind(o, app.store.clone()).await {
                Ok(bound) => Some(bound),
                Err(e) if asked => return Err(e),
                Err(e) => {
                    eprintln!("no SFTP server: {e}");
                    None
                }
            },
            None => None,
        };
        println!("listening on https://{addr}/20170526");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        if let Some(sftp) = sftp {
            sftp.serve();
        }
        let stop = shutdown();
        tokio::pin!(stop);
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = &mut stop => break,
            };
            let Ok((tcp, _)) = accepted else { continue };
            if lock(&app.faults).current().draw_connection() {
                eprintln!(
                    "{} connection closed before the handshake; fault: reset-before-read",
                    date_time(now())
                );
                drop(tcp);
                continue;
            }
            tokio::spawn(connection(app.clone(), acceptor.clone(), tcp));
        }
        // What the journal holds becomes the snapshot (the next start reads less).
        if let Err(e) = lock(&app.store).compact() {
            eprintln!("the state could not be compacted (the journal keeps it): {e}");
        }
        eprintln!("{} stopped", date_time(now()));
        Ok(())
    })
}
