//! Signing records with the profile the Register uses: an enveloped
//! signature, the last child of the root, over the whole record
//! (`Reference URI=""`, the enveloped-signature and exc-c14n transforms),
//! exc-c14n for `SignedInfo`, RSA-SHA256, a SHA-256 digest, and the
//! signer's certificate in `KeyInfo/X509Data/X509Certificate`.

use super::certificate::Certificate;
use super::{KeyError, SignatureError};
use crate::xml::c14n::{canonicalize, canonicalize_to, Comments, Method, Selection};
use base64ct::{Base64, Encoding};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};

/// A private RSA key and the certificate that goes with it.
pub struct Signer {
    key: RsaPrivateKey,
    certificate: Certificate,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        write!(f, "Signer({})", self.certificate.subject)
    }
}

impl Signer {
    /// A key in PEM (PKCS#1 `RSA PRIVATE KEY`, PKCS#8 `PRIVATE KEY`, or
    /// encrypted PKCS#8 `ENCRYPTED PRIVATE KEY` with `passphrase`) and its
    /// certificate in PEM.
    pub fn from_pem(key_pem: &str, certificate_pem: &[u8], passphrase: Option<&[u8]>) -> Result<Signer, KeyError> {
        let key = if key_pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs1_pem(key_pem).map_err(|e| KeyError::Key(format!("not a PKCS#1 RSA key: {e}")))?
        } else if key_pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            let passphrase = passphrase.ok_or(KeyError::PassphraseNeeded)?;
            RsaPrivateKey::from_pkcs8_encrypted_pem(key_pem, passphrase).map_err(|_| KeyError::WrongPassphrase)?
        } else if key_pem.contains("-----BEGIN PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs8_pem(key_pem).map_err(|e| KeyError::Key(format!("not a PKCS#8 RSA key: {e}")))?
        } else {
            return Err(KeyError::NoPrivateKey);
        };
        let der = Certificate::pem_bundle(certificate_pem)?
            .into_iter()
            .next()
            .ok_or(KeyError::NoCertificate)?;
        Signer::new(key, Certificate::from_der(der)?)
    }

    /// A PKCS#12 store (`.p12`, `.pfx`) and its password: the store's key,
    /// with the one of its certificates that belongs to the key.
    pub fn from_pkcs12(p12: &[u8], password: &str) -> Result<Signer, KeyError> {
        let (key, certificates) = super::pkcs12::read(p12, password).map_err(KeyError::Store)?;
        let mut mismatch = KeyError::Store("the store has no certificate".into());
        for der in certificates {
            match Signer::new(key.clone(), Certificate::from_der(der)?) {
                Ok(signer) => return Ok(signer),
                Err(e) => mismatch = e,
            }
        }
        Err(mismatch)
    }

    /// A key and its certificate; refused when they do not belong together.
    fn new(key: RsaPrivateKey, certificate: Certificate) -> Result<Signer, KeyError> {
        let der = |k: &rsa::RsaPublicKey| k.to_public_key_der().map_err(|e| KeyError::Key(e.to_string()));
        if der(&key.to_public_key())?.as_bytes() != der(&certificate.public_key()?)?.as_bytes() {
            return Err(KeyError::Mismatch);
        }
        Ok(Signer { key, certificate })
    }

    /// The signer's certificate, which goes into every signature it makes.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The private key as unencrypted PKCS#8 DER, for presenting the same
    /// identity as a TLS client certificate, as the Register expects. Keep
    /// it in memory only.
    pub fn private_key_pkcs8_der(&self) -> Vec<u8> {
        use rsa::pkcs8::EncodePrivateKey;
        // Encoding a key that was read succeeds; an empty key fails every use.
        self.key
            .to_pkcs8_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default()
    }
}

const SIGNED_INFO_START: &str = "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo>\
<CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\
<SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
<Reference URI=\"\"><Transforms>\
<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\
<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></Transforms>\
<DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><DigestValue>";

/// `xml` signed: the same bytes, with the Signature inserted before the
/// root's end tag. A record that already has a Signature is refused.
pub fn sign(xml: &[u8], signer: &Signer) -> Result<Vec<u8>, SignatureError> {
    let c14n_error = |e: crate::xml::c14n::C14nError| SignatureError::Malformed(e.to_string());
    // One pass: the digest of the canonical form, where the root ends, and
    // whether the record has signature elements already.
    let mut hasher = Sha256::new();
    let found = canonicalize_to(xml, Method::Exclusive, Selection::Document, Comments::Omit, &mut hasher)
        .map_err(c14n_error)?;
    if found.signature_elements > 0 {
        return Err(SignatureError::Shape(
            "the record is already signed (or has XML-DSig elements)".into(),
        ));
    }
    let at = usize::try_from(found.root_end).map_err(|_| SignatureError::Malformed("too large".into()))?;
    if !xml[at..].starts_with(b"</") {
        return Err(SignatureError::Malformed("the root element is empty".into()));
    }
    let digest = Base64::encode_string(&hasher.finalize());
    let signed_info = format!("{SIGNED_INFO_START}{digest}</DigestValue></Reference></SignedInfo>");
    let canonical = canonicalize(
        format!("{signed_info}</Signature>").as_bytes(),
        Method::Exclusive,
        Selection::SignatureElement("SignedInfo"),
        Comments::Omit,
    )
    .map_err(c14n_error)?;
    // Blinded (randomised) RSA, so the key's timing does not leak.
    let value = SigningKey::<Sha256>::new(signer.key.clone())
        .try_sign_with_rng(&mut rand_core::OsRng, &canonical)
        .map_err(|e| SignatureError::Malformed(format!("signing failed: {e}")))?;
    let signature = format!(
        "{signed_info}<SignatureValue>{}</SignatureValue><KeyInfo><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo></Signature>",
        Base64::encode_string(&value.to_bytes()),
        Base64::encode_string(signer.certificate.der()),
    );
    let mut out = Vec::with_capacity(xml.len() + signature.len());
    out.extend_from_slice(&xml[..at]);
    out.extend_from_slice(signature.as_bytes());
    out.extend_from_slice(&xml[at..]);
    Ok(out)
}
