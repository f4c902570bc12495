//! The signing tests' certificates, made once with rcgen: a test CA, a
//! leaf, an expired leaf, and a leaf of another CA, each with its RSA key.

// Each test crate that includes this file uses a part of it.
#![allow(dead_code)]

use rcgen::{date_time_ymd, CertificateParams, DnType, IsCa, KeyPair, PKCS_RSA_SHA256};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::RsaPrivateKey;
use std::sync::OnceLock;
use tulorekisteri::signature::{Certificate, Signer, VerifyOptions};

pub struct Party {
    pub key: RsaPrivateKey,
    pub cert_pem: String,
}

pub struct Pki {
    pub ca: Party,
    pub leaf: Party,
    pub expired: Party,
    pub stranger: Party,
}

fn rsa_key() -> (RsaPrivateKey, KeyPair) {
    let key = RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();
    let pair = KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &PKCS_RSA_SHA256).unwrap();
    (key, pair)
}

fn params(name: &str, ca: bool, until: i32) -> CertificateParams {
    let mut p = CertificateParams::new(vec![]).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.distinguished_name
        .push(DnType::OrganizationName, "tulorekisteri tests");
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(until, 1, 1);
    if ca {
        p.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    }
    p
}

/// Made once: RSA key generation takes a moment.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let (ca_key, ca_pair) = rsa_key();
        let ca_cert = params("Test CA", true, 2099).self_signed(&ca_pair).unwrap();
        let (_, other_pair) = rsa_key();
        let other_ca = params("Other CA", true, 2099).self_signed(&other_pair).unwrap();
        let leaf = |name: &str, until: i32, issuer: &rcgen::Certificate, issuer_pair: &KeyPair| {
            let (key, pair) = rsa_key();
            let cert = params(name, false, until)
                .signed_by(&pair, issuer, issuer_pair)
                .unwrap();
            Party {
                key,
                cert_pem: cert.pem(),
            }
        };
        Pki {
            leaf: leaf("7011367-6", 2099, &ca_cert, &ca_pair),
            expired: leaf("7011367-6 old", 2021, &ca_cert, &ca_pair),
            stranger: leaf("7011367-6 stranger", 2099, &other_ca, &other_pair),
            ca: Party {
                key: ca_key,
                cert_pem: ca_cert.pem(),
            },
        }
    })
}

pub fn signer(p: &Party) -> Signer {
    let pem = p.key.to_pkcs8_pem(LineEnding::LF).unwrap();
    Signer::from_pem(&pem, p.cert_pem.as_bytes(), None).unwrap()
}

/// Trust in the test CA.
pub fn trust() -> VerifyOptions {
    VerifyOptions::default().trust(Certificate::pem_bundle(pki().ca.cert_pem.as_bytes()).unwrap())
}
