//! A stand-in for the Register's end of the wire in the transport tests: a
//! real TCP listener on 127.0.0.1 and a real rustls server (the shim's own
//! server settings), writing raw HTTP/1.1 answers, so every failure the
//! client tells apart happens on a real socket.

#![allow(dead_code)]

use super::support::{der, pki};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A listener on a free port of 127.0.0.1.
pub async fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

/// A port nothing listens on.
pub async fn closed_port() -> u16 {
    let (l, port) = listener().await;
    drop(l);
    port
}

/// The server's TLS settings, accepting client certificates of `client_ca`
/// (PEM).
pub fn acceptor(client_ca: &str) -> TlsAcceptor {
    let pki = pki();
    let key = rcgen::KeyPair::from_pem(&pki.server.key).unwrap().serialize_der();
    let config = tulorekisteri_shim::tls::server_config(der(&pki.server.cert), key, &der(client_ca)).unwrap();
    TlsAcceptor::from(Arc::clone(&config))
}

/// An HTTP answer of `status` with `body`.
pub fn http(status: u16, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} Whatever\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A request as it came: the head (request line and headers) and the body.
#[derive(Debug, Clone)]
pub struct Request {
    pub head: String,
    pub body: Vec<u8>,
    /// The client certificate the handshake presented (DER).
    pub client_certificate: Option<Vec<u8>>,
}

impl Request {
    /// A header's value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Reads one HTTP/1.1 request with a Content-Length body.
async fn read_request<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> Option<(String, Vec<u8>)> {
    let mut buf = vec![];
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some((head, buf[head_end..head_end + length].to_vec()))
}

/// What the server does with one connection.
#[derive(Clone)]
pub enum Behaviour {
    /// Reads the request and writes these bytes, then closes.
    Answer(Vec<u8>),
    /// Reads the request and never answers (holds the connection).
    Silent,
    /// Reads the request and closes without answering.
    Hangup,
}

/// Serves one connection per behaviour, in order, with TLS; returns the
/// requests that came.
pub fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    plan: Vec<Behaviour>,
) -> tokio::task::JoinHandle<Vec<Request>> {
    tokio::spawn(async move {
        let mut seen = vec![];
        for behaviour in plan {
            let Ok((tcp, _)) = listener.accept().await else { break };
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                continue;
            };
            let client_certificate = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| c.to_vec());
            let Some((head, body)) = read_request(&mut tls).await else {
                continue;
            };
            seen.push(Request {
                head,
                body,
                client_certificate,
            });
            match behaviour {
                Behaviour::Answer(bytes) => {
                    let _ = tls.write_all(&bytes).await;
                    let _ = tls.shutdown().await;
                }
                Behaviour::Silent => {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
                Behaviour::Hangup => drop(tls),
            }
        }
        seen
    })
}

/// Accepts TCP connections and closes each at once, before any TLS.
pub fn slam(listener: TcpListener) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            drop(tcp);
        }
    })
}

/// Accepts connections and the TLS handshake (or its attempt), then
/// drains what comes.
pub fn handshake_only(listener: TcpListener, acceptor: TlsAcceptor) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let mut sink = vec![];
                    let _ = tls.read_to_end(&mut sink).await;
                }
            });
        }
    })
}
