//! TLS settings for both ends of mutual TLS: the client presents the
//! organisation's certificate (the one it signs with), and the server (the
//! simulator) accepts only certificates of the organisations' CA.

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::sync::Arc;
use tulorekisteri::signature::Signer;

/// Why a TLS configuration cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError(pub String);

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TLS: {}", self.0)
    }
}

impl std::error::Error for TlsError {}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(ders: &[Vec<u8>]) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    for der in ders {
        store
            .add(CertificateDer::from(der.clone()))
            .map_err(|e| TlsError(format!("a trust anchor cannot be used: {e}")))?;
    }
    Ok(store)
}

/// The system's trust anchors, for a Register whose TLS certificate is
/// publicly issued.
fn system_roots() -> Result<RootCertStore, TlsError> {
    let found = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(found.certs);
    match store.is_empty() {
        true => Err(TlsError("the system has no trust anchors; set server_ca".into())),
        false => Ok(store),
    }
}

/// The client's settings: `identity` as the client certificate, and the
/// server's certificate checked against `server_ca` (DER), or the system's
/// roots when `None`.
pub fn client_config(identity: &Signer, server_ca: Option<&[Vec<u8>]>) -> Result<Arc<ClientConfig>, TlsError> {
    let roots = match server_ca {
        Some(ders) => roots(ders)?,
        None => system_roots()?,
    };
    let chain = vec![CertificateDer::from(identity.certificate().der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.private_key_pkcs8_der()));
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(e.to_string()))?
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| TlsError(format!("the client certificate cannot be used: {e}")))?;
    Ok(Arc::new(config))
}

/// The server's settings: `chain` (DER, leaf first) and its PKCS#8 `key`,
/// requiring a client certificate that chains to `client_ca` (DER).
pub fn server_config(chain: Vec<Vec<u8>>, key: Vec<u8>, client_ca: &[Vec<u8>]) -> Result<Arc<ServerConfig>, TlsError> {
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots(client_ca)?), provider())
        .build()
        .map_err(|e| TlsError(format!("the client CA cannot be used: {e}")))?;
    let chain = chain.into_iter().map(CertificateDer::from).collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key));
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| TlsError(format!("the server certificate cannot be used: {e}")))?;
    Ok(Arc::new(config))
}

/// The client's settings without a client certificate (the certificate
/// service's `signNewCertificate` and `getCertificate`, before the
/// organisation has one): the server is checked as in [`client_config`].
pub fn anonymous_client_config(server_ca: Option<&[Vec<u8>]>) -> Result<Arc<ClientConfig>, TlsError> {
    let roots = match server_ca {
        Some(ders) => roots(ders)?,
        None => system_roots()?,
    };
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Whether a client certificate (DER) is refused although it chains to the
/// client CA (revoked, or replaced by a renewal).
pub type Refused = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

/// The client CA's verifier with a certificate optional, refusing the
/// certificates `refused` names (asked at each handshake, so the list can
/// change while the server runs).
#[derive(Clone)]
struct RefusingVerifier {
    inner: Arc<dyn rustls::server::danger::ClientCertVerifier>,
    refused: Refused,
}

impl std::fmt::Debug for RefusingVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefusingVerifier")
    }
}

impl rustls::server::danger::ClientCertVerifier for RefusingVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        let verified = self.inner.verify_client_cert(end_entity, intermediates, now)?;
        if (self.refused)(end_entity.as_ref()) {
            return Err(rustls::Error::InvalidCertificate(rustls::CertificateError::Revoked));
        }
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The server's settings when some paths need no client certificate (the
/// certificate service): a client certificate is asked for but optional;
/// one that is given must chain to `client_ca` (DER) and not be `refused`.
/// Each request's handler decides whether it needs one.
pub fn server_config_optional_client(
    chain: Vec<Vec<u8>>,
    key: Vec<u8>,
    client_ca: &[Vec<u8>],
    refused: Refused,
) -> Result<Arc<ServerConfig>, TlsError> {
    let inner = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots(client_ca)?), provider())
        .allow_unauthenticated()
        .build()
        .map_err(|e| TlsError(format!("the client CA cannot be used: {e}")))?;
    let verifier = Arc::new(RefusingVerifier { inner, refused });
    let chain = chain.into_iter().map(CertificateDer::from).collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key));
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| TlsError(format!("the server certificate cannot be used: {e}")))?;
    Ok(Arc::new(config))
}
