//! The signer's X.509 certificate: its RSA key, its validity and its chain
//! to a trust bundle.

use super::KeyError;
use crate::rules::Date;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::RsaPublicKey;
use sha2::Sha256;
use x509_cert::der::{Decode, Encode};

/// sha256WithRSAEncryption, the only certificate signature accepted.
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
/// The longest chain followed.
const MAX_CHAIN: usize = 8;

/// An X.509 certificate, as read from DER.
#[derive(Debug, Clone)]
pub struct Certificate {
    der: Vec<u8>,
    inner: x509_cert::Certificate,
    /// The subject, as an RFC 4514 string (`C=FI,O=...,CN=7013454-9`).
    pub subject: String,
    /// The issuer, as an RFC 4514 string.
    pub issuer: String,
    /// Valid from, in Unix seconds.
    pub not_before: i64,
    /// Valid until, in Unix seconds.
    pub not_after: i64,
}

/// What the signer's certificate is worth: trusted when there is no problem.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Trust {
    /// Each reason not to trust it, in words (expired, chains to nothing, ...).
    pub problems: Vec<String>,
}

impl Trust {
    /// Valid at the time asked and chaining to the trust bundle.
    pub fn is_trusted(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Certificate {
    /// Reads a DER certificate.
    pub fn from_der(der: Vec<u8>) -> Result<Certificate, KeyError> {
        let inner = x509_cert::Certificate::from_der(&der)
            .map_err(|e| KeyError::Certificate(format!("not an X.509 certificate: {e}")))?;
        let tbs = &inner.tbs_certificate;
        Ok(Certificate {
            subject: tbs.subject.to_string(),
            issuer: tbs.issuer.to_string(),
            not_before: tbs.validity.not_before.to_unix_duration().as_secs() as i64,
            not_after: tbs.validity.not_after.to_unix_duration().as_secs() as i64,
            der,
            inner,
        })
    }

    /// Every certificate of a PEM bundle, as DER.
    pub fn pem_bundle(pem: &[u8]) -> Result<Vec<Vec<u8>>, KeyError> {
        let bad = |e: x509_cert::der::Error| KeyError::Certificate(format!("not a PEM certificate bundle: {e}"));
        let certs = x509_cert::Certificate::load_pem_chain(pem).map_err(bad)?;
        certs.iter().map(|c| c.to_der().map_err(bad)).collect()
    }

    /// The certificate as DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub(crate) fn public_key(&self) -> Result<RsaPublicKey, KeyError> {
        let not_rsa = || KeyError::Certificate("its key is not an RSA key".into());
        let spki = self
            .inner
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| not_rsa())?;
        RsaPublicKey::from_public_key_der(&spki).map_err(|_| not_rsa())
    }

    /// Whether `issuer` names and signed this certificate.
    fn signed_by(&self, issuer: &Certificate) -> bool {
        if self.inner.tbs_certificate.issuer != issuer.inner.tbs_certificate.subject
            || self.inner.signature_algorithm.oid.to_string() != SHA256_WITH_RSA
        {
            return false;
        }
        let (Ok(tbs), Ok(key), Some(bits)) = (
            self.inner.tbs_certificate.to_der(),
            issuer.public_key(),
            self.inner.signature.as_bytes(),
        ) else {
            return false;
        };
        let Ok(signature) = Signature::try_from(bits) else {
            return false;
        };
        VerifyingKey::<Sha256>::new(key).verify(&tbs, &signature).is_ok()
    }

    /// `who` names the certificate in the message.
    fn validity_problem(&self, who: &str, at: i64) -> Option<String> {
        if at > self.not_after {
            Some(format!("{who} expired on {}", show_time(self.not_after)))
        } else if at < self.not_before {
            Some(format!("{who} is valid only from {}", show_time(self.not_before)))
        } else {
            None
        }
    }

    /// Checks validity at `at` and the chain to one of `anchors` (DER),
    /// through the `intermediates` given with the signature.
    pub fn trust(&self, intermediates: &[Certificate], anchors: &[Vec<u8>], at: i64) -> Trust {
        let mut problems: Vec<String> = self.validity_problem("the certificate", at).into_iter().collect();
        let anchors: Vec<Certificate> = anchors
            .iter()
            .filter_map(|d| Certificate::from_der(d.clone()).ok())
            .collect();
        if anchors.is_empty() {
            problems.push("no trust bundle was given, so the certificate chains to nothing".into());
            return Trust { problems };
        }
        let mut current = self.clone();
        for _ in 0..MAX_CHAIN {
            if anchors.iter().any(|a| a.der == current.der) {
                return Trust { problems };
            }
            let issuer = anchors
                .iter()
                .chain(intermediates)
                .find(|candidate| current.signed_by(candidate));
            let Some(issuer) = issuer else {
                problems.push(format!(
                    "chains to no certificate of the trust bundle (issuer: {})",
                    current.issuer
                ));
                return Trust { problems };
            };
            problems.extend(issuer.validity_problem(&format!("its issuer {}", issuer.subject), at));
            current = issuer.clone();
        }
        problems.push(format!("the chain is longer than {MAX_CHAIN} certificates"));
        Trust { problems }
    }
}

/// The current time, in Unix seconds.
pub(super) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn show_time(secs: i64) -> String {
    let date = Date::from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!("{date} {:02}:{:02}:{:02} UTC", s / 3600, s / 60 % 60, s % 60)
}

/// Reads `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDThh:mm:ssZ` as Unix seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    let date = Date::parse(s.get(..10)?)?;
    let day = date.days() * 86_400;
    match s.get(10..) {
        Some("") => Some(day),
        Some(rest) => {
            let t = rest.strip_prefix('T')?.strip_suffix('Z')?;
            let b = t.as_bytes();
            if b.len() != 8 || b[2] != b':' || b[5] != b':' {
                return None;
            }
            let n = |r: std::ops::Range<usize>| {
                t.get(r)
                    .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))?
                    .parse::<i64>()
                    .ok()
            };
            let (h, m, sec) = (n(0..2)?, n(3..5)?, n(6..8)?);
            (h < 24 && m < 60 && sec < 60).then_some(day + h * 3600 + m * 60 + sec)
        }
        None => None,
    }
}
