//! One HTTPS POST over mutual TLS: a new connection per request (HTTP/1.1,
//! hyper's client connection over tokio-rustls), no redirects, the answer
//! read whole up to a size limit. Failures are told apart by whether any
//! byte of the request can have reached the Register: before (NotSent) or
//! after (Uncertain) the first byte of the request was written.

use super::outcome::{NotSentReason, UncertainReason};
use crate::config::ConfigError;
use crate::operation::Operation;
use crate::soap;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::ClientConfig;
use std::error::Error as StdError;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The largest answer read, by default (256 MiB).
pub const DEFAULT_ANSWER_LIMIT: u64 = 256 << 20;

/// Where the Register's services are: the host, port and path of
/// `base_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The host, without brackets for an IPv6 address.
    pub host: String,
    /// The port (443 unless given).
    pub port: u16,
    /// The path before `/<Service>.svc`, without a trailing slash.
    pub base_path: String,
}

impl Endpoint {
    /// Reads `https://host[:port]/path` (the error does not name the
    /// setting: the caller adds its key).
    pub fn parse(base_url: &str) -> Result<Endpoint, ConfigError> {
        let bad = |why: &str| ConfigError(format!("{base_url:?}: {why}"));
        let rest = base_url
            .strip_prefix("https://")
            .ok_or_else(|| bad("not an https:// URL"))?;
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if path.contains(['?', '#']) {
            return Err(bad("a query or fragment is not allowed"));
        }
        if authority.contains('@') {
            return Err(bad("user information is not allowed"));
        }
        let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
            let (host, after) = inner.split_once(']').ok_or_else(|| bad("an unclosed [ in the host"))?;
            match after {
                "" => (host, None),
                p => (
                    host,
                    Some(p.strip_prefix(':').ok_or_else(|| bad("junk after the host"))?),
                ),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| bad("a bad port"))?,
            None => 443,
        };
        ServerName::try_from(host.to_string()).map_err(|_| bad("a bad host name"))?;
        // What a request line takes (no spaces or control characters), so
        // building a request of it cannot fail.
        hyper::Uri::try_from(request_path(path)).map_err(|_| bad("the path has characters a URL cannot hold"))?;
        Ok(Endpoint {
            host: host.to_string(),
            port,
            base_path: path.trim_end_matches('/').to_string(),
        })
    }

    /// The path of an operation's service: `<base path>/<Service>.svc`.
    pub fn path(&self, operation: &Operation) -> String {
        format!("{}/{}.svc", self.base_path, operation.service)
    }

    /// The `Host` header.
    fn host_header(&self) -> String {
        let host = match self.host.contains(':') {
            true => format!("[{}]", self.host),
            false => self.host.clone(),
        };
        match self.port {
            443 => host,
            port => format!("{host}:{port}"),
        }
    }
}

/// Timeouts and limits of one request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The TCP connection and the TLS handshake.
    pub connect: Duration,
    /// Writing the request and reading the whole answer.
    pub read: Duration,
    /// The largest answer read.
    pub answer: u64,
}

/// An HTTP answer, read whole.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

/// Why no whole HTTP answer came.
#[derive(Debug, Clone)]
pub enum Failure {
    /// Nothing of the request can have reached the server.
    NotSent(NotSentReason),
    /// The request may have reached the server.
    Uncertain(UncertainReason),
}

/// POSTs `record` (signed) in a SOAP envelope to the operation's service.
pub async fn post(
    endpoint: &Endpoint,
    tls: Arc<ClientConfig>,
    operation: &Operation,
    record: &[u8],
    limits: Limits,
) -> Result<HttpAnswer, Failure> {
    post_to(endpoint, tls, &endpoint.path(operation), operation.name, record, limits).await
}

/// A path as a request's target: `/` for none.
pub fn request_path(path: &str) -> &str {
    match path {
        "" => "/",
        p => p,
    }
}

/// POSTs `document` in a SOAP envelope to `path` with the SOAPAction
/// `action` (the certificate service's operations, outside the
/// operation table).
pub async fn post_to(
    endpoint: &Endpoint,
    tls: Arc<ClientConfig>,
    path: &str,
    action: &str,
    document: &[u8],
    limits: Limits,
) -> Result<HttpAnswer, Failure> {
    let body = soap::envelope(document);
    // Built before connecting: a request that cannot be built goes nowhere.
    let request = hyper::Request::post(request_path(path))
        .header(HOST, endpoint.host_header())
        .header(CONTENT_TYPE, soap::CONTENT_TYPE)
        .header("SOAPAction", format!("\"{action}\""))
        .header(CONTENT_LENGTH, body.len())
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| Failure::NotSent(NotSentReason::BadRequest(e.to_string())))?;
    let stream = match tokio::time::timeout(limits.connect, connect(endpoint, tls)).await {
        Err(_) => return Err(Failure::NotSent(NotSentReason::ConnectTimeout)),
        Ok(Err(reason)) => return Err(Failure::NotSent(reason)),
        Ok(Ok(stream)) => stream,
    };
    let wrote = stream.wrote.clone();
    let exchange = async {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        // Ends the connection whenever the exchange ends: answered, failed,
        // or dropped by the read timeout.
        let _driver = AbortOnDrop(tokio::spawn(connection));
        let response = sender.send_request(request).await?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), limits.answer as usize)
            .collect()
            .await
            .map_err(Caught::Body)?;
        Ok::<_, Caught>(HttpAnswer {
            status,
            body: body.to_bytes().to_vec(),
        })
    };
    match tokio::time::timeout(limits.read, exchange).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(caught)) => Err(classify(&caught, wrote.load(Ordering::SeqCst), limits.answer)),
        Err(_) if !wrote.load(Ordering::SeqCst) => Err(Failure::NotSent(NotSentReason::NothingWritten)),
        Err(_) => Err(Failure::Uncertain(UncertainReason::ReadTimeout)),
    }
}

/// A task aborted when this is dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The TCP connection and the TLS handshake.
async fn connect(endpoint: &Endpoint, tls: Arc<ClientConfig>) -> Result<Watched, NotSentReason> {
    let tcp = TcpStream::connect((endpoint.host.as_str(), endpoint.port))
        .await
        .map_err(|e| NotSentReason::Connect(e.kind()))?;
    let _ = tcp.set_nodelay(true);
    let name =
        ServerName::try_from(endpoint.host.clone()).map_err(|_| NotSentReason::Tls("a bad server name".into()))?;
    let stream = tokio_rustls::TlsConnector::from(tls)
        .connect(name, tcp)
        .await
        .map_err(|e| NotSentReason::Tls(tls_words(&e)))?;
    Ok(Watched {
        inner: stream,
        wrote: Arc::new(AtomicBool::new(false)),
    })
}

/// A handshake error in words: rustls's own error, or the I/O error's kind.
fn tls_words(e: &io::Error) -> String {
    if let Some(r) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return r.to_string();
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => "the server closed the connection during the handshake".into(),
        kind => kind.to_string(),
    }
}

/// An error of the exchange: of the connection and request, or of the body.
#[derive(Debug)]
enum Caught {
    Hyper(hyper::Error),
    Body(Box<dyn StdError + Send + Sync>),
}

impl From<hyper::Error> for Caught {
    fn from(e: hyper::Error) -> Self {
        Caught::Hyper(e)
    }
}

/// The rustls error in an error's chain (tokio-rustls wraps it in an
/// `io::Error`, whose `source` skips it).
fn rustls_error<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(r) = err
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
            .and_then(|i| i.downcast_ref::<rustls::Error>())
        {
            return Some(r);
        }
        current = err.source();
    }
    None
}

fn io_kind(e: &(dyn StdError + 'static)) -> Option<io::ErrorKind> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            return Some(io.kind());
        }
        current = err.source();
    }
    None
}

/// Whether an alert refuses the handshake (as a TLS 1.3 server refuses a
/// client certificate after the client thinks the handshake is over): the
/// server never reads application data of a refused handshake.
fn refuses_handshake(alert: rustls::AlertDescription) -> bool {
    use rustls::AlertDescription as A;
    matches!(
        alert,
        A::HandshakeFailure
            | A::BadCertificate
            | A::UnsupportedCertificate
            | A::CertificateRevoked
            | A::CertificateExpired
            | A::CertificateUnknown
            | A::UnknownCA
            | A::AccessDenied
            | A::DecryptError
            | A::CertificateRequired
            | A::InsufficientSecurity
            | A::ProtocolVersion
            | A::IllegalParameter
    )
}

fn classify(caught: &Caught, wrote: bool, limit: u64) -> Failure {
    let error: &(dyn StdError + 'static) = match caught {
        Caught::Hyper(e) => e,
        Caught::Body(e) => e.as_ref(),
    };
    if let Some(rustls::Error::AlertReceived(alert)) = rustls_error(error) {
        if refuses_handshake(*alert) {
            return Failure::NotSent(NotSentReason::Tls(format!(
                "the server refused the handshake: {alert:?}"
            )));
        }
    }
    if !wrote {
        return Failure::NotSent(NotSentReason::NothingWritten);
    }
    if let Caught::Body(e) = caught {
        if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
            return Failure::Uncertain(UncertainReason::AnswerTooLarge(limit));
        }
    }
    let incomplete = match caught {
        Caught::Hyper(e) => e.is_incomplete_message(),
        Caught::Body(e) => e
            .downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_incomplete_message),
    };
    if incomplete || io_kind(error) == Some(io::ErrorKind::UnexpectedEof) {
        return Failure::Uncertain(UncertainReason::AnswerIncomplete);
    }
    let words = match (rustls_error(error), io_kind(error)) {
        (Some(r), _) => format!("TLS: {r}"),
        (None, Some(kind)) => kind.to_string(),
        (None, None) => match caught {
            Caught::Hyper(e) if e.is_parse() => "not an HTTP answer".to_string(),
            Caught::Hyper(e) if e.is_closed() || e.is_canceled() => "the connection closed".to_string(),
            _ => "the HTTP exchange failed".to_string(),
        },
    };
    Failure::Uncertain(UncertainReason::ConnectionLost(words))
}

/// The TLS stream, noting when anything of the request is first written.
struct Watched {
    inner: tokio_rustls::client::TlsStream<TcpStream>,
    wrote: Arc<AtomicBool>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if !buf.is_empty() {
            self.wrote.store(true, Ordering::SeqCst);
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if bufs.iter().any(|b| !b.is_empty()) {
            self.wrote.store(true, Ordering::SeqCst);
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_read_whole() {
        let e = Endpoint::parse("https://127.0.0.1:8443/20170526").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.base_path.as_str()),
            ("127.0.0.1", 8443, "/20170526")
        );
        assert_eq!(e.host_header(), "127.0.0.1:8443");
        let op = crate::operation::for_request("Echo").unwrap();
        assert_eq!(e.path(op), op.path());
        let e = Endpoint::parse("https://ws.tulorekisteri.fi/20170526/").unwrap();
        assert_eq!(
            (e.port, e.base_path.as_str(), e.host_header()),
            (443, "/20170526", "ws.tulorekisteri.fi".into())
        );
        let e = Endpoint::parse("https://[::1]:8443/20170526").unwrap();
        assert_eq!((e.host.as_str(), e.host_header()), ("::1", "[::1]:8443".to_string()));
        for bad in [
            "http://x/",
            "https:///a",
            "https://x:0/",
            "https://x:99999/",
            "https://u@x/",
            "https://x/?q",
            "https://[::1/",
            "https://x/a b",
            "https://x/a\tb",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(request_path(&Endpoint::parse("https://x").unwrap().base_path), "/");
    }

    #[tokio::test]
    async fn a_request_that_cannot_be_built_is_an_error_not_a_panic() {
        let endpoint = Endpoint {
            host: "127.0.0.1".into(),
            // Nothing is connected to: the request fails before that.
            port: 9,
            base_path: "/a b".into(),
        };
        let tls = crate::tls::anonymous_client_config(None).unwrap();
        let limits = Limits {
            connect: std::time::Duration::from_secs(1),
            read: std::time::Duration::from_secs(1),
            answer: 1024,
        };
        let failure = post_to(&endpoint, tls, "/a b", "Echo", b"<x/>", limits)
            .await
            .unwrap_err();
        assert!(
            matches!(&failure, Failure::NotSent(NotSentReason::BadRequest(_))),
            "{failure:?}"
        );
    }
}
