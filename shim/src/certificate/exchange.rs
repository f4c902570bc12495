//! The certificate service's three operations (CERTZIP, SOAP 1.1
//! document/literal, namespace [`NS`]): requests built here, POSTed with
//! the client's transport, answers read only after their signature
//! verified against `response_ca`.

use crate::client::transport::{self, Endpoint, Failure, Limits};
use crate::config::{Config, ConfigError};
use crate::soap;
use base64ct::{Base64, Encoding};
use rustls::ClientConfig;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tulorekisteri::signature::{sign, verify, Signer, VerifyOptions};

/// The certificate service's namespace.
pub const NS: &str = "http://certificates.vero.fi/2017/10/certificateservices";

/// Why the certificate service gave no certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertError {
    /// The configuration, a key or a file is wrong (nothing was sent, or
    /// nothing was written).
    Local(String),
    /// The request did not reach the service (nothing happened there).
    NotSent(String),
    /// The request may have reached the service; no whole answer came.
    Uncertain(String),
    /// The service answered FAIL (or a `soap:Client` fault): its codes and
    /// messages.
    Refused(String),
    /// The answer is not one to trust or read (signature, shape).
    BadAnswer(String),
    /// The certificate was not ready in time.
    GaveUp(Duration),
}

impl CertError {
    /// The exit status of a command that failed so.
    pub fn exit_status(&self) -> u8 {
        match self {
            CertError::Local(_) => crate::exit::USAGE,
            CertError::Refused(_) => crate::exit::REJECTED,
            _ => crate::exit::PENDING,
        }
    }

    /// A short kind, for log lines and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            CertError::Local(_) => "local",
            CertError::NotSent(_) => "not-sent",
            CertError::Uncertain(_) => "uncertain",
            CertError::Refused(_) => "refused",
            CertError::BadAnswer(_) => "bad-answer",
            CertError::GaveUp(_) => "gave-up",
        }
    }
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertError::Local(m) => f.write_str(m),
            CertError::NotSent(m) => write!(f, "not sent: {m}"),
            CertError::Uncertain(m) => write!(f, "no answer (the request may have arrived): {m}"),
            CertError::Refused(m) => write!(f, "the certificate service refused: {m}"),
            CertError::BadAnswer(m) => write!(f, "the certificate service's answer cannot be used: {m}"),
            CertError::GaveUp(d) => write!(
                f,
                "the certificate was not ready after {:.0} s (certificate_service.give_up_seconds); ask again later with the same RetrievalId",
                d.as_secs_f64()
            ),
        }
    }
}

impl std::error::Error for CertError {}

fn text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The schema's local elements are unqualified (no elementFormDefault):
/// in no namespace. The service's own namespace is accepted too.
fn unqualified(n: &roxmltree::Node<'_, '_>) -> bool {
    n.tag_name().namespace().is_none_or(|ns| ns == NS)
}

/// Environment, CustomerId and CustomerName, as every request begins
/// (unqualified, as the schema's local elements are).
fn header(environment: &str, customer_id: &str, name: Option<&str>) -> String {
    let mut out = format!(
        "<Environment>{environment}</Environment><CustomerId>{}</CustomerId>",
        text(customer_id)
    );
    if let Some(n) = name.filter(|n| !n.is_empty()) {
        out.push_str(&format!("<CustomerName>{}</CustomerName>", text(n)));
    }
    out
}

/// A `SignNewCertificateRequest` (`environment`: `TEST` or `PRODUCTION`;
/// `csr`: the PKCS#10 request, DER).
pub fn sign_new_request(
    environment: &str,
    customer_id: &str,
    name: Option<&str>,
    transfer_id: &str,
    password: &str,
    csr: &[u8],
) -> String {
    format!(
        "<ser:SignNewCertificateRequest xmlns:ser=\"{NS}\">{}<TransferId>{}</TransferId><TransferPassword>{}</TransferPassword><CertificateRequest>{}</CertificateRequest></ser:SignNewCertificateRequest>",
        header(environment, customer_id, name),
        text(transfer_id),
        text(password),
        Base64::encode_string(csr)
    )
}

/// A `RenewCertificateRequest`, to be signed (the Signature is its last child).
pub fn renew_request(environment: &str, customer_id: &str, name: Option<&str>, csr: &[u8]) -> String {
    format!(
        "<ser:RenewCertificateRequest xmlns:ser=\"{NS}\">{}<CertificateRequest>{}</CertificateRequest></ser:RenewCertificateRequest>",
        header(environment, customer_id, name),
        Base64::encode_string(csr)
    )
}

/// A `GetCertificateRequest`.
pub fn get_request(environment: &str, customer_id: &str, name: Option<&str>, retrieval_id: &str) -> String {
    format!(
        "<ser:GetCertificateRequest xmlns:ser=\"{NS}\">{}<RetrievalId>{}</RetrievalId></ser:GetCertificateRequest>",
        header(environment, customer_id, name),
        text(retrieval_id)
    )
}

/// What a verified OK answer holds.
#[derive(Debug, Default)]
struct Answer {
    retrieval_id: Option<String>,
    certificate: Option<String>,
}

/// A client of the certificate service, made from the configuration's
/// `[certificate_service]`.
pub struct CertificateClient {
    endpoint: Endpoint,
    server_ca: Option<Vec<Vec<u8>>>,
    anonymous: Arc<ClientConfig>,
    response_ca: Vec<Vec<u8>>,
    limits: Limits,
    environment: &'static str,
    retry: Duration,
    give_up: Duration,
}

impl CertificateClient {
    /// The client of `config`'s certificate service.
    pub fn new(config: &Config) -> Result<CertificateClient, ConfigError> {
        let at = |m: String| ConfigError(format!("{}: {m}", config.path.display()));
        let service = config.certificate_service.as_ref().ok_or_else(|| {
            at("no [certificate_service] section (url = \"https://.../2017/10/CertificateServices\")".into())
        })?;
        let endpoint = Endpoint::parse(&service.url).map_err(|e| at(format!("certificate_service.url: {}", e.0)))?;
        let anonymous =
            crate::tls::anonymous_client_config(service.server_ca.as_deref()).map_err(|e| at(e.to_string()))?;
        Ok(CertificateClient {
            endpoint,
            server_ca: service.server_ca.clone(),
            anonymous,
            response_ca: config.response_ca.clone(),
            limits: Limits {
                connect: config.timeouts.connect,
                read: config.timeouts.read,
                answer: 1 << 20,
            },
            environment: if config.production { "PRODUCTION" } else { "TEST" },
            retry: service.retry,
            give_up: service.give_up,
        })
    }

    /// `signNewCertificate`: the RetrievalId of the certificate for the
    /// PKCS#10 request `csr` (DER).
    pub async fn sign_new(
        &self,
        customer_id: &str,
        name: Option<&str>,
        transfer_id: &str,
        password: &str,
        csr: &[u8],
    ) -> Result<String, CertError> {
        let xml = sign_new_request(self.environment, customer_id, name, transfer_id, password, csr);
        let answer = self
            .call(
                self.anonymous.clone(),
                "signNewCertificate",
                xml.as_bytes(),
                "SignNewCertificateResponse",
            )
            .await?;
        answer
            .retrieval_id
            .ok_or_else(|| CertError::BadAnswer("an OK answer without a RetrievalId".into()))
    }

    /// `renewCertificate`, signed with (and presenting) the `current`
    /// certificate: the RetrievalId of its successor.
    pub async fn renew(
        &self,
        current: &Signer,
        customer_id: &str,
        name: Option<&str>,
        csr: &[u8],
    ) -> Result<String, CertError> {
        let xml = renew_request(self.environment, customer_id, name, csr);
        // The core's enveloped signature: the last child of the request's root.
        let signed = sign(xml.as_bytes(), current)
            .map_err(|e| CertError::Local(format!("the request cannot be signed: {e}")))?;
        let tls = crate::tls::client_config(current, self.server_ca.as_deref())
            .map_err(|e| CertError::Local(e.to_string()))?;
        let answer = self
            .call(tls, "renewCertificate", &signed, "RenewCertificateResponse")
            .await?;
        answer
            .retrieval_id
            .ok_or_else(|| CertError::BadAnswer("an OK answer without a RetrievalId".into()))
    }

    /// `getCertificate`, again every `retry_seconds` while it is not ready
    /// (an OK answer without a Certificate), up to `give_up_seconds`: the
    /// certificate (DER).
    pub async fn get(&self, customer_id: &str, name: Option<&str>, retrieval_id: &str) -> Result<Vec<u8>, CertError> {
        let xml = get_request(self.environment, customer_id, name, retrieval_id);
        let started = Instant::now();
        loop {
            let answer = self
                .call(
                    self.anonymous.clone(),
                    "getCertificate",
                    xml.as_bytes(),
                    "GetCertificateResponse",
                )
                .await;
            match answer {
                Ok(Answer {
                    certificate: Some(b64), ..
                }) => {
                    return Base64::decode_vec(b64.trim())
                        .map_err(|_| CertError::BadAnswer("the Certificate is not base64".into()))
                }
                // Not ready yet; a failed connection is asked again too
                // (getCertificate changes nothing).
                Ok(_) | Err(CertError::NotSent(_)) | Err(CertError::Uncertain(_)) => {}
                Err(e) => return Err(e),
            }
            if started.elapsed() + self.retry > self.give_up {
                return Err(CertError::GaveUp(self.give_up));
            }
            tokio::time::sleep(self.retry).await;
        }
    }

    /// One exchange: the request POSTed, the answer's signature verified,
    /// its Result read.
    async fn call(
        &self,
        tls: Arc<ClientConfig>,
        action: &str,
        document: &[u8],
        root: &str,
    ) -> Result<Answer, CertError> {
        let path = self.endpoint.base_path.clone();
        let http = transport::post_to(&self.endpoint, tls, &path, action, document, self.limits)
            .await
            .map_err(|f| match f {
                Failure::NotSent(r) => CertError::NotSent(r.to_string()),
                Failure::Uncertain(r) => CertError::Uncertain(r.to_string()),
            })?;
        let element = match soap::read(&http.body) {
            Ok(soap::Body::Record(r)) if http.status == 200 => r,
            Ok(soap::Body::Fault(f)) if f.code == soap::FaultCode::Client => {
                return Err(CertError::Refused(format!("soap:Client fault: {}", f.string)))
            }
            Ok(soap::Body::Fault(f)) => return Err(CertError::Uncertain(format!("soap:Server fault: {}", f.string))),
            Ok(_) => return Err(CertError::Uncertain(format!("HTTP status {}", http.status))),
            Err(e) => return Err(CertError::Uncertain(format!("HTTP status {}: {e}", http.status))),
        };
        let verified = verify(element, &VerifyOptions::default().trust(self.response_ca.clone()))
            .map_err(|e| CertError::BadAnswer(format!("its signature does not verify: {e}")))?;
        if !verified.trust.is_trusted() {
            return Err(CertError::BadAnswer(format!(
                "its signer is not trusted (response_ca): {}",
                verified.trust.problems.join("; ")
            )));
        }
        read_answer(element, root)
    }
}

/// Reads a verified answer: its root, Result/Status, ErrorInfo, and the
/// RetrievalId or Certificate.
fn read_answer(element: &[u8], root: &str) -> Result<Answer, CertError> {
    let bad = |m: String| CertError::BadAnswer(m);
    let text = std::str::from_utf8(element).map_err(|_| bad("not UTF-8".into()))?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| bad(e.to_string()))?;
    let top = doc.root_element();
    if top.tag_name().namespace() != Some(NS) || top.tag_name().name() != root {
        return Err(bad(format!("expected {root}, not {}", top.tag_name().name())));
    }
    fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
        n.children()
            .find(|c| c.is_element() && unqualified(c) && c.tag_name().name() == name)
    }
    let value =
        |n: roxmltree::Node<'_, '_>, name: &str| child(n, name).map(|c| c.text().unwrap_or("").trim().to_string());
    let result = child(top, "Result").ok_or_else(|| bad("no Result".into()))?;
    match value(result, "Status").as_deref() {
        Some("OK") => Ok(Answer {
            retrieval_id: value(top, "RetrievalId").filter(|v| !v.is_empty()),
            certificate: value(top, "Certificate").filter(|v| !v.is_empty()),
        }),
        Some("FAIL") => {
            let errors: Vec<String> = result
                .children()
                .filter(|c| c.is_element() && c.tag_name().name() == "ErrorInfo")
                .map(|e| {
                    format!(
                        "{}: {}",
                        value(e, "ErrorCode").unwrap_or_default(),
                        value(e, "ErrorMessage").unwrap_or_default()
                    )
                })
                .collect();
            Err(CertError::Refused(match errors.is_empty() {
                true => "FAIL without ErrorInfo".into(),
                false => errors.join("; "),
            }))
        }
        other => Err(bad(format!("Result/Status is {other:?}, not OK or FAIL"))),
    }
}
