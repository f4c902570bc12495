//! Signing records, and verifying signed records and the Register's
//! responses, the way the Register signs them: one enveloped XML signature over the whole record
//! (`Reference URI=""`), the enveloped-signature transform (optionally
//! followed by exclusive canonicalisation), exclusive canonicalisation of
//! `SignedInfo`, RSA-SHA256 and a SHA-256 digest, and the signer's
//! certificate in `KeyInfo/X509Data/X509Certificate`. Native builds only.
//!
//! The signature is checked first (digest, then signature value); the
//! certificate's validity and chain are reported beside it, so a caller can
//! tell a forged record from one signed with an untrusted or expired
//! certificate.

mod certificate;
mod parse;
mod pkcs12;
mod sign;

use crate::xml::c14n::{canonicalize, canonicalize_to, Comments, Method, Selection};
pub use certificate::{parse_time, Certificate, Trust};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha1::Sha1;
use sha2::{Digest, Sha256};
pub use sign::{sign, Signer};
use std::fmt;

const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";

/// What to check beyond the signature itself.
///
/// ```
/// use tulorekisteri::signature::VerifyOptions;
/// let options = VerifyOptions::default().at(1_650_000_000).allow_sha1(false);
/// assert_eq!(options.at, Some(1_650_000_000));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Trust anchors (DER certificates); the signer's certificate must chain
    /// to one of them.
    pub trust: Vec<Vec<u8>>,
    /// The time (Unix seconds) the certificate must be valid at; `None`: now.
    pub at: Option<i64>,
    /// The signer's subject must be exactly this (as
    /// [`Certificate::subject`] writes it).
    pub subject: Option<String>,
    /// Accept SHA-1 digests and RSA-SHA1 signatures, which the profile
    /// does not use.
    pub allow_sha1: bool,
}

impl VerifyOptions {
    /// The signer's certificate must chain to one of `anchors` (DER; see
    /// [`Certificate::pem_bundle`]).
    pub fn trust(mut self, anchors: Vec<Vec<u8>>) -> Self {
        self.trust = anchors;
        self
    }

    /// The certificate must be valid at `unix_seconds` rather than now.
    pub fn at(mut self, unix_seconds: i64) -> Self {
        self.at = Some(unix_seconds);
        self
    }

    /// The signer's subject must be exactly `subject`.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Whether SHA-1 digests and RSA-SHA1 signatures are accepted.
    pub fn allow_sha1(mut self, allow: bool) -> Self {
        self.allow_sha1 = allow;
        self
    }
}

/// A record whose signature verified, and what its certificate is worth.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Verified {
    /// The certificate the record was signed with.
    pub signer: Certificate,
    /// Whether that certificate is valid and chains to the trust bundle.
    pub trust: Trust,
}

/// Why a key, a certificate or a key store cannot be used to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The PEM file holds no private key of a kind this crate reads.
    NoPrivateKey,
    /// The key is encrypted, and no passphrase was given.
    PassphraseNeeded,
    /// The encrypted key could not be decrypted.
    WrongPassphrase,
    /// The key could not be read; the message says why.
    Key(String),
    /// No certificate in the PEM file.
    NoCertificate,
    /// A certificate or bundle could not be read; the message says why.
    Certificate(String),
    /// A PKCS#12 store could not be read (its password, its MAC, its
    /// algorithms); the message says why.
    Store(String),
    /// The key does not belong to the certificate.
    Mismatch,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::NoPrivateKey => {
                f.write_str("no PEM private key (RSA PRIVATE KEY, PRIVATE KEY or ENCRYPTED PRIVATE KEY)")
            }
            KeyError::PassphraseNeeded => f.write_str("the key is encrypted: give its passphrase"),
            KeyError::WrongPassphrase => f.write_str("the encrypted key could not be read (wrong passphrase?)"),
            KeyError::NoCertificate => f.write_str("no certificate in the PEM file"),
            KeyError::Mismatch => f.write_str("the key does not belong to the certificate"),
            KeyError::Key(m) | KeyError::Certificate(m) | KeyError::Store(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for KeyError {}

/// Why a record's signature does not verify, or a record cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// The record has no Signature.
    Unsigned,
    /// Not well-formed XML, or bad base64.
    Malformed(String),
    /// A shape the profile refuses (signature wrapping and the like).
    Shape(String),
    /// An algorithm outside the profile.
    Algorithm(String),
    /// The signed content was changed: its digest differs.
    Digest,
    /// The signature value does not match SignedInfo and the key.
    SignatureValue,
    /// The signer's certificate is missing or unreadable.
    Certificate(String),
}

impl From<KeyError> for SignatureError {
    fn from(e: KeyError) -> Self {
        SignatureError::Certificate(e.to_string())
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Unsigned => write!(f, "the record has no Signature"),
            SignatureError::Malformed(m) => write!(f, "malformed: {m}"),
            SignatureError::Shape(m) => write!(f, "signature shape refused: {m}"),
            SignatureError::Algorithm(m) => write!(f, "algorithm refused: {m}"),
            SignatureError::Digest => write!(f, "the digest does not match: the signed content was changed"),
            SignatureError::SignatureValue => write!(
                f,
                "the signature value does not match SignedInfo and the certificate's key"
            ),
            SignatureError::Certificate(m) => write!(f, "signer's certificate: {m}"),
        }
    }
}

impl std::error::Error for SignatureError {}

/// Verifies the signature of `xml` (a record, or a response taken out of its
/// SOAP envelope as its own document).
pub fn verify(xml: &[u8], options: &VerifyOptions) -> Result<Verified, SignatureError> {
    let parts = parse::read(xml)?;
    if parts.canonicalization != EXC_C14N {
        return Err(SignatureError::Algorithm(format!(
            "CanonicalizationMethod {}",
            parts.canonicalization
        )));
    }
    let signature_sha1 = match parts.signature_method.as_str() {
        RSA_SHA256 => false,
        RSA_SHA1 if options.allow_sha1 => true,
        m => return Err(SignatureError::Algorithm(format!("SignatureMethod {m}"))),
    };
    let digest_sha1 = match parts.digest_method.as_str() {
        SHA256 => false,
        SHA1 if options.allow_sha1 => true,
        m => return Err(SignatureError::Algorithm(format!("DigestMethod {m}"))),
    };
    // Without a canonicalising transform, XML-DSig digests the inclusive
    // canonical form (as in the official samples).
    let method = match parts.transforms.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [ENVELOPED] => Method::Inclusive,
        [ENVELOPED, EXC_C14N] => Method::Exclusive,
        _ => return Err(SignatureError::Algorithm(format!("Transforms {:?}", parts.transforms))),
    };
    let c14n_error = |e: crate::xml::c14n::C14nError| SignatureError::Malformed(e.to_string());
    let enveloped = |sink: &mut dyn std::io::Write| {
        canonicalize_to(xml, method, Selection::WithoutEnvelopedSignature, Comments::Omit, sink).map_err(c14n_error)
    };
    let computed = if digest_sha1 {
        let mut hasher = Sha1::new();
        enveloped(&mut hasher)?;
        hasher.finalize().to_vec()
    } else {
        let mut hasher = Sha256::new();
        enveloped(&mut hasher)?;
        hasher.finalize().to_vec()
    };
    let digest = base64(&parts.digest_value)?;
    if computed != digest {
        return Err(SignatureError::Digest);
    }
    let der = parts
        .certificates
        .first()
        .ok_or_else(|| SignatureError::Certificate("KeyInfo has no X509Certificate".into()))?;
    let signer = Certificate::from_der(base64(der)?)?;
    let signed_info = canonicalize(
        xml,
        Method::Exclusive,
        Selection::SignatureElement("SignedInfo"),
        Comments::Omit,
    )
    .map_err(c14n_error)?;
    let value = base64(&parts.signature_value)?;
    let signature = Signature::try_from(&value[..]).map_err(|_| SignatureError::SignatureValue)?;
    let key = signer.public_key()?;
    let checked = if signature_sha1 {
        VerifyingKey::<Sha1>::new(key).verify(&signed_info, &signature)
    } else {
        VerifyingKey::<Sha256>::new(key).verify(&signed_info, &signature)
    };
    checked.map_err(|_| SignatureError::SignatureValue)?;
    // Other certificates of KeyInfo may be intermediates of the chain.
    let mut others = vec![];
    for c in &parts.certificates[1..] {
        others.push(Certificate::from_der(base64(c)?)?);
    }
    let at = options.at.unwrap_or_else(certificate::now);
    let mut trust = signer.trust(&others, &options.trust, at);
    if let Some(pinned) = options.subject.as_ref().filter(|p| **p != signer.subject) {
        trust.problems.push(format!(
            "the signer is {}, not the pinned subject {pinned}",
            signer.subject
        ));
    }
    Ok(Verified { signer, trust })
}

fn base64(text: &str) -> Result<Vec<u8>, SignatureError> {
    use base64ct::{Base64, Encoding};
    Base64::decode_vec(text).map_err(|_| SignatureError::Malformed("a base64 value is not base64".into()))
}
