//! The Register's certificate service (CERTZIP; NOTES §2.3, §8) at
//! `/2017/10/CertificateServices`: `signNewCertificate` with a transfer ID
//! and password (each valid once; `simulator transfer` makes them),
//! `renewCertificate` signed with a currently valid certificate of the same
//! customer, from 60 days before it expires, and `getCertificate` with the
//! RetrievalId either gave. Certificates are issued by the organisations'
//! CA with the key of the PKCS#10 request. Once a renewed certificate has
//! been fetched, the one it replaces is refused (TLS client authentication
//! and record signatures) after a short grace for work in flight.
//!
//! What it holds is `DIR/certificates.json` (written atomically before an
//! answer leaves); transfers are files of their own in
//! `DIR/certificates/transfers/` (written by `simulator transfer`, read
//! here, so the two processes never write the same file).

use super::clock::{date_time, now, random_bytes};
use super::files::{self, write_atomic, PUBLIC, SECRET};
use super::pki;
use crate::operation::Purpose;
use crate::soap::{self, FaultCode};
use base64ct::{Base64, Encoding};
use rcgen::{KeyPair, PKCS_RSA_SHA256};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tulorekisteri::signature::{sign, verify, Signer, VerifyOptions};
use x509_cert::der::{Decode, Encode};

/// Where the service is.
pub const PATH: &str = "/2017/10/CertificateServices";
/// Its namespace.
pub const NS: &str = "http://certificates.vero.fi/2017/10/certificateservices";
/// Renewal is possible from this many days before expiry (V-RENEW).
pub const RENEWAL_WINDOW_DAYS: i64 = 60;

/// How the service issues certificates.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Validity of the certificates it issues, in days.
    pub certificate_days: u32,
    /// How long after the request a certificate can be fetched.
    pub ready_seconds: f64,
    /// How long a replaced certificate is still accepted once its
    /// successor was fetched (work already signed with it).
    pub revoke_grace_seconds: f64,
}

/// A transfer ID's file: whose it is and its password's hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Transfer {
    customer_id: String,
    password_sha256: String,
    purpose: String,
    created_at: String,
}

/// A certificate made and waiting to be fetched.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Retrieval {
    retrieval_id: String,
    customer_id: String,
    /// DER, base64.
    certificate: String,
    purpose: String,
    ready_at: f64,
    /// The certificate a renewal replaces (DER, base64).
    replaces: Option<String>,
    fetched: bool,
}

/// A certificate that was fetched, and what it is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issued {
    certificate: String,
    customer_id: String,
    purpose: String,
}

/// A certificate refused from `from` on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Revoked {
    certificate: String,
    from: f64,
}

/// `DIR/certificates.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Registry {
    used_transfers: Vec<String>,
    retrievals: Vec<Retrieval>,
    issued: Vec<Issued>,
    revoked: Vec<Revoked>,
}

impl Registry {
    fn path(dir: &Path) -> PathBuf {
        dir.join("certificates.json")
    }

    fn load(dir: &Path) -> Result<Registry, String> {
        let path = Registry::path(dir);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Registry::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    fn save(&self, dir: &Path) -> Result<(), String> {
        let path = Registry::path(dir);
        let json = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        write_atomic(&path, &json, PUBLIC).map_err(|e| format!("{}: {e}", path.display()))
    }

    fn refuses(&self, der: &[u8], at: f64) -> bool {
        let b64 = Base64::encode_string(der);
        self.revoked.iter().any(|r| r.certificate == b64 && at >= r.from)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn transfers_dir(dir: &Path) -> PathBuf {
    dir.join("certificates").join("transfers")
}

/// A transfer ID is a file name: letters and digits only.
fn is_transfer_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `simulator transfer DIR --customer-id ID`: a new transfer ID and
/// password for `customer_id`'s certificate for `purpose`. The password
/// goes to a file (mode 0600) whose path is returned with the ID; the
/// simulator keeps only its SHA-256.
pub fn transfer(dir: &Path, customer_id: &str, purpose: Purpose) -> Result<(String, PathBuf), String> {
    pki::Settings::read(dir)?;
    if customer_id.is_empty()
        || customer_id.len() > 30
        || customer_id.contains([',', '+', '"', '\\', '<', '>', ';', '='])
    {
        return Err(format!("--customer-id {customer_id:?} cannot be a certificate's CN"));
    }
    let id = hex(&random_bytes(8)).to_uppercase();
    // 16 characters (the schema's limit) from an alphabet without look-alikes.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let password: String = random_bytes(16)
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    let folder = transfers_dir(dir);
    let record = Transfer {
        customer_id: customer_id.to_string(),
        password_sha256: hex(&Sha256::digest(password.as_bytes())),
        purpose: purpose.key().to_string(),
        created_at: date_time(now()),
    };
    let json = serde_json::to_vec_pretty(&record).map_err(|e| e.to_string())?;
    let password_file = folder.join(format!("{id}.password"));
    files::write(&password_file, format!("{password}\n").as_bytes(), SECRET)?;
    files::write(&folder.join(format!("{id}.json")), &json, PUBLIC)?;
    Ok((id, password_file))
}

/// One request's answer: the HTTP status, the body and the log line's outcome.
pub struct Answered {
    /// 200 for a Result (OK or FAIL), 500 for a SOAP fault.
    pub ok: bool,
    /// The SOAP envelope.
    pub body: Vec<u8>,
    /// What happened, for the log line (no password, no key).
    pub outcome: String,
}

/// A FAIL Result's ErrorInfo.
struct Failure {
    code: &'static str,
    message: String,
}

fn failure(code: &'static str, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

/// A public key from a PKCS#10 request, for rcgen to certify.
struct RequestedKey(Vec<u8>);

impl rcgen::PublicKeyData for RequestedKey {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }

    fn algorithm(&self) -> &rcgen::SignatureAlgorithm {
        &PKCS_RSA_SHA256
    }
}

/// A request's fields by local name (children in the service's namespace).
struct Fields<'a> {
    node: roxmltree::Node<'a, 'a>,
}

impl Fields<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.node
            .children()
            // Local elements are unqualified (the schema has no
            // elementFormDefault); the service's namespace is accepted too.
            .find(|n| {
                n.is_element() && n.tag_name().namespace().is_none_or(|ns| ns == NS) && n.tag_name().name() == name
            })
            .map(|n| n.text().unwrap_or("").trim().to_string())
    }

    fn need(&self, name: &str, max: usize) -> Result<String, Failure> {
        match self.get(name) {
            Some(v) if !v.is_empty() && v.chars().count() <= max => Ok(v),
            Some(v) if !v.is_empty() => Err(failure(
                "InvalidRequest",
                format!("{name} is longer than {max} characters"),
            )),
            _ => Err(failure("InvalidRequest", format!("{name} is missing"))),
        }
    }
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn day(secs: i64) -> String {
    date_time(secs as f64).chars().take(10).collect()
}

/// The SubjectPublicKeyInfo (DER) of a certificate.
fn spki_of(der: &[u8]) -> Option<Vec<u8>> {
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    cert.tbs_certificate.subject_public_key_info.to_der().ok()
}

/// The key of a PKCS#10 request (base64 DER), once its signature (proof of
/// possession) verifies: its SubjectPublicKeyInfo and the raw RSA key.
fn requested_key(b64: &str) -> Result<(Vec<u8>, RequestedKey), Failure> {
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;
    use rsa::traits::PublicKeyParts;
    let bad = |m: &str| failure("InvalidCsr", format!("CertificateRequest: {m}"));
    let der = Base64::decode_vec(b64.trim()).map_err(|_| bad("not base64"))?;
    let csr = x509_cert::request::CertReq::from_der(&der).map_err(|_| bad("not a PKCS#10 request (DER)"))?;
    if csr.algorithm.oid.to_string() != "1.2.840.113549.1.1.11" {
        return Err(bad("not signed with sha256WithRSAEncryption"));
    }
    let spki = csr
        .info
        .public_key
        .to_der()
        .map_err(|_| bad("its key cannot be read"))?;
    let key = rsa::RsaPublicKey::from_public_key_der(&spki).map_err(|_| bad("its key is not an RSA key"))?;
    if key.size() * 8 < 2048 {
        return Err(bad("its RSA key is shorter than 2048 bits"));
    }
    let info = csr.info.to_der().map_err(|_| bad("cannot be read"))?;
    let signature = csr
        .signature
        .as_bytes()
        .and_then(|b| Signature::try_from(b).ok())
        .ok_or_else(|| bad("its signature cannot be read"))?;
    VerifyingKey::<sha2::Sha256>::new(key)
        .verify(&info, &signature)
        .map_err(|_| bad("its signature does not verify with its key"))?;
    let raw = csr.info.public_key.subject_public_key.raw_bytes().to_vec();
    Ok((spki, RequestedKey(raw)))
}

/// The service: the organisations' CA and what it has issued.
pub struct Authority {
    dir: PathBuf,
    registry: Arc<Mutex<Registry>>,
    issuer: rcgen::Certificate,
    issuer_key: KeyPair,
    org_ca: Vec<Vec<u8>>,
    /// The certificates `init` made, by purpose.
    known: Vec<(Vec<u8>, Purpose)>,
    options: Options,
}

impl Authority {
    /// Loads the CA of `dir` (`ca/organisations-ca-key.pem`) and what was issued.
    pub fn load(
        dir: &Path,
        org_ca: Vec<Vec<u8>>,
        known: Vec<(Vec<u8>, Purpose)>,
        options: Options,
    ) -> Result<Authority, String> {
        let key_path = dir.join("ca/organisations-ca-key.pem");
        let pem = std::fs::read_to_string(&key_path).map_err(|e| format!("{}: {e}", key_path.display()))?;
        let issuer_key = KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &PKCS_RSA_SHA256)
            .map_err(|e| format!("{}: {e}", key_path.display()))?;
        // The same name and key as init's CA: what rcgen needs to issue in its name.
        let issuer = pki::organisations_ca_params()?
            .self_signed(&issuer_key)
            .map_err(|e| e.to_string())?;
        Ok(Authority {
            dir: dir.to_path_buf(),
            registry: Arc::new(Mutex::new(Registry::load(dir)?)),
            issuer,
            issuer_key,
            org_ca,
            known,
            options,
        })
    }

    /// Whether a certificate (DER) is refused now (replaced by a renewal).
    pub fn refuses(&self, der: &[u8]) -> bool {
        lock(&self.registry).refuses(der, now())
    }

    /// The same question, for the TLS server's verifier.
    pub fn refusal(&self) -> crate::tls::Refused {
        let registry = self.registry.clone();
        Arc::new(move |der: &[u8]| lock(&registry).refuses(der, now()))
    }

    /// Every accepted certificate (DER) with its purpose: init's and those
    /// issued since.
    pub fn purposes(&self) -> Vec<(Vec<u8>, Purpose)> {
        let mut all = self.known.clone();
        for i in &lock(&self.registry).issued {
            let purpose = Purpose::ALL.into_iter().find(|p| p.key() == i.purpose);
            if let (Ok(der), Some(p)) = (Base64::decode_vec(&i.certificate), purpose) {
                all.push((der, p));
            }
        }
        all
    }

    fn purpose_of(&self, der: &[u8]) -> Purpose {
        self.purposes()
            .into_iter()
            .find(|(d, _)| d == der)
            .map_or(Purpose::Earnings, |(_, p)| p)
    }

    /// Answers one request of `action` (the SOAPAction), signing the
    /// answer with `responder`.
    pub fn answer(&self, action: &str, message: &[u8], responder: &Signer) -> Answered {
        let client = |m: String| Answered {
            ok: false,
            body: soap::fault(FaultCode::Client, &m),
            outcome: format!("refused (soap:Client): {m}"),
        };
        let element = match soap::read(message) {
            Ok(soap::Body::Record(r)) => r,
            Ok(soap::Body::Fault(_)) => return client("a SOAP fault is not a request".into()),
            Err(e) => return client(e.to_string()),
        };
        let Ok(text) = std::str::from_utf8(element) else {
            return client("the request is not UTF-8".into());
        };
        let options = roxmltree::ParsingOptions {
            allow_dtd: false,
            ..roxmltree::ParsingOptions::default()
        };
        let doc = match roxmltree::Document::parse_with_options(text, options) {
            Ok(d) => d,
            Err(e) => return client(format!("the request is not well-formed XML: {e}")),
        };
        let root = doc.root_element();
        let (request, response) = match action {
            "signNewCertificate" => ("SignNewCertificateRequest", "SignNewCertificateResponse"),
            "renewCertificate" => ("RenewCertificateRequest", "RenewCertificateResponse"),
            "getCertificate" => ("GetCertificateRequest", "GetCertificateResponse"),
            other => return client(format!("no operation {other:?} at {PATH}")),
        };
        if root.tag_name().namespace() != Some(NS) || root.tag_name().name() != request {
            return client(format!("{action} takes {{{NS}}}{request}"));
        }
        let fields = Fields { node: root };
        let result = fields
            .need("Environment", 10)
            .and_then(|env| match env.as_str() {
                "TEST" => Ok(()),
                "PRODUCTION" => Err(failure(
                    "Environment",
                    "Environment is PRODUCTION, but this is the test environment",
                )),
                other => Err(failure(
                    "InvalidRequest",
                    format!("Environment must be TEST or PRODUCTION, not {other:?}"),
                )),
            })
            .and_then(|()| match action {
                "signNewCertificate" => self.sign_new(&fields),
                "renewCertificate" => self.renew(&fields, element),
                _ => self.get(&fields),
            });
        let (content, outcome) = match result {
            Ok((content, outcome)) => (
                format!("{content}<Result><Status>OK</Status></Result>"),
                outcome,
            ),
            Err(f) => (
                format!(
                    "<Result><Status>FAIL</Status><ErrorInfo><ErrorCode>{}</ErrorCode><ErrorMessage>{}</ErrorMessage></ErrorInfo></Result>",
                    f.code,
                    xml_text(&f.message.chars().take(255).collect::<String>())
                ),
                format!("FAIL {}: {}", f.code, f.message),
            ),
        };
        let xml = format!("<ser:{response} xmlns:ser=\"{NS}\">{content}</ser:{response}>");
        match sign(xml.as_bytes(), responder) {
            Ok(signed) => Answered {
                ok: true,
                body: soap::envelope(&signed),
                outcome,
            },
            Err(e) => Answered {
                ok: false,
                body: soap::fault(FaultCode::Server, &format!("the answer could not be signed: {e}")),
                outcome: format!("{outcome}; but the answer could not be signed: {e}"),
            },
        }
    }

    /// Makes a certificate for `customer_id` with the requested key, kept
    /// under a new RetrievalId; the registry is saved before the answer.
    fn issue(
        &self,
        registry: &mut Registry,
        customer_id: &str,
        name: Option<&str>,
        key: &RequestedKey,
        purpose: &str,
        replaces: Option<&[u8]>,
    ) -> Result<String, Failure> {
        let server = |m: String| failure("ServerError", m);
        let organisation = name.unwrap_or(pki::ORGANISATION);
        let mut params = pki::organisation_params(organisation, customer_id).map_err(server)?;
        pki::validity_days(&mut params, self.options.certificate_days);
        let cert = params
            .signed_by(key, &self.issuer, &self.issuer_key)
            .map_err(|e| server(format!("the certificate could not be made: {e}")))?;
        let retrieval_id = hex(&random_bytes(16)).to_uppercase();
        registry.retrievals.push(Retrieval {
            retrieval_id: retrieval_id.clone(),
            customer_id: customer_id.to_string(),
            certificate: Base64::encode_string(cert.der()),
            purpose: purpose.to_string(),
            ready_at: now() + self.options.ready_seconds,
            replaces: replaces.map(Base64::encode_string),
            fetched: false,
        });
        Ok(retrieval_id)
    }

    fn sign_new(&self, fields: &Fields) -> Result<(String, String), Failure> {
        let customer_id = fields.need("CustomerId", 30)?;
        let name = fields.get("CustomerName").filter(|n| !n.is_empty());
        let transfer_id = fields.need("TransferId", 32)?;
        let password = fields.need("TransferPassword", 16)?;
        let csr = fields.need("CertificateRequest", 10240)?;
        let wrong = || {
            failure(
                "InvalidTransfer",
                "the transfer ID and password do not match a transfer of this customer",
            )
        };
        if !is_transfer_id(&transfer_id) {
            return Err(wrong());
        }
        let path = transfers_dir(&self.dir).join(format!("{transfer_id}.json"));
        let transfer: Transfer = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| wrong())?,
            Err(_) => return Err(wrong()),
        };
        if transfer.customer_id != customer_id || transfer.password_sha256 != hex(&Sha256::digest(password.as_bytes()))
        {
            return Err(wrong());
        }
        let (_, key) = requested_key(&csr)?;
        let mut registry = lock(&self.registry);
        if registry.used_transfers.contains(&transfer_id) {
            return Err(failure(
                "TransferUsed",
                "this transfer ID and password were used already: each is valid once; order a new transfer ID",
            ));
        }
        let mut next = registry.clone();
        next.used_transfers.push(transfer_id.clone());
        let retrieval_id = self.issue(&mut next, &customer_id, name.as_deref(), &key, &transfer.purpose, None)?;
        next.save(&self.dir).map_err(|e| failure("ServerError", e))?;
        *registry = next;
        Ok((
            format!("<RetrievalId>{retrieval_id}</RetrievalId>"),
            format!("transfer {transfer_id} used; RetrievalId {retrieval_id}"),
        ))
    }

    fn renew(&self, fields: &Fields, element: &[u8]) -> Result<(String, String), Failure> {
        let customer_id = fields.need("CustomerId", 30)?;
        let name = fields.get("CustomerName").filter(|n| !n.is_empty());
        let csr = fields.need("CertificateRequest", 10240)?;
        let verified = verify(element, &VerifyOptions::default().trust(self.org_ca.clone())).map_err(|e| {
            failure(
                "InvalidSignature",
                format!("the request's signature does not verify: {e}"),
            )
        })?;
        if !verified.trust.is_trusted() {
            return Err(failure(
                "InvalidSignature",
                format!(
                    "the request is not signed with a valid certificate of the Register: {}",
                    verified.trust.problems.join("; ")
                ),
            ));
        }
        let signer = &verified.signer;
        if self.refuses(signer.der()) {
            return Err(failure(
                "Revoked",
                "the request is signed with a certificate that was already replaced by a renewal",
            ));
        }
        if super::process::common_name(&signer.subject).as_deref() != Some(customer_id.as_str()) {
            return Err(failure(
                "WrongCustomer",
                "the request is signed with another customer's certificate than CustomerId",
            ));
        }
        let now = now() as i64;
        let from = signer.not_after - RENEWAL_WINDOW_DAYS * 86_400;
        if now < from {
            return Err(failure(
                "NotInWindow",
                format!(
                    "renewal is possible only within {RENEWAL_WINDOW_DAYS} days before the certificate expires: it expires on {}, renew from {}",
                    day(signer.not_after),
                    day(from)
                ),
            ));
        }
        let (spki, key) = requested_key(&csr)?;
        if spki_of(signer.der()).as_deref() == Some(&spki[..]) {
            return Err(failure(
                "InvalidCsr",
                "CertificateRequest: the new certificate needs a new key pair, not the current one",
            ));
        }
        let purpose = self.purpose_of(signer.der());
        let mut registry = lock(&self.registry);
        let mut next = registry.clone();
        let retrieval_id = self.issue(
            &mut next,
            &customer_id,
            name.as_deref(),
            &key,
            purpose.key(),
            Some(signer.der()),
        )?;
        next.save(&self.dir).map_err(|e| failure("ServerError", e))?;
        *registry = next;
        Ok((
            format!("<RetrievalId>{retrieval_id}</RetrievalId>"),
            format!("renewal of a {} certificate; RetrievalId {retrieval_id}", purpose.key()),
        ))
    }

    fn get(&self, fields: &Fields) -> Result<(String, String), Failure> {
        let customer_id = fields.need("CustomerId", 30)?;
        let retrieval_id = fields.need("RetrievalId", 32)?;
        let mut registry = lock(&self.registry);
        let Some(at) = registry
            .retrievals
            .iter()
            .position(|r| r.retrieval_id == retrieval_id && r.customer_id == customer_id)
        else {
            return Err(failure(
                "UnknownRetrieval",
                "no certificate of this customer has this RetrievalId",
            ));
        };
        let found = registry.retrievals[at].clone();
        if now() < found.ready_at {
            // OK without a Certificate: not made yet, ask again.
            return Ok((String::new(), format!("RetrievalId {retrieval_id}: not ready yet")));
        }
        if !found.fetched {
            let mut next = registry.clone();
            next.retrievals[at].fetched = true;
            next.issued.push(Issued {
                certificate: found.certificate.clone(),
                customer_id: found.customer_id.clone(),
                purpose: found.purpose.clone(),
            });
            if let Some(old) = &found.replaces {
                next.revoked.push(Revoked {
                    certificate: old.clone(),
                    from: now() + self.options.revoke_grace_seconds,
                });
            }
            next.save(&self.dir).map_err(|e| failure("ServerError", e))?;
            *registry = next;
        }
        let what = match found.replaces {
            Some(_) => "the renewed certificate (the one it replaces is refused from now on)",
            None => "a new certificate",
        };
        Ok((
            format!("<Certificate>{}</Certificate>", found.certificate),
            format!("RetrievalId {retrieval_id}: {what}"),
        ))
    }
}
