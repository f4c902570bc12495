//! The tests' PKI, made once with rcgen and rsa: the organisation's CA and
//! its earnings certificate (RSA 2048, as TLS client identities must be),
//! the server's CA and TLS certificate (for 127.0.0.1), the Register's
//! response-signing CA and certificate, and a forger's CA of the same name
//! with a certificate of the same subject and key. RSA keys are 2048 bits
//! (ring refuses to sign with less); to keep debug-build key generation
//! short there are three, made side by side, and the forger's CA reuses
//! the organisation's key.
//!
//! A [`Fixture`] writes them to a temporary folder with a `shim.toml`.

#![allow(dead_code)]

use rcgen::{date_time_ymd, CertificateParams, DnType, IsCa, KeyPair, PKCS_RSA_SHA256};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::RsaPrivateKey;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use tulorekisteri::signature::{Certificate, Signer};
use tulorekisteri_shim::client::Client;
use tulorekisteri_shim::config::Config;

pub const BUSINESS_ID: &str = "7654321-2";

pub struct Pem {
    pub key: String,
    pub cert: String,
}

pub struct Pki {
    pub org_ca: String,
    pub org: Pem,
    pub server_ca: String,
    pub server: Pem,
    pub response_ca: String,
    pub response: Pem,
    pub forged: Pem,
    /// Another organisations' CA: a server that trusts only it refuses
    /// our client certificate.
    pub stranger_ca: String,
}

fn rsa_pair(bits: usize) -> (String, KeyPair) {
    let key = RsaPrivateKey::new(&mut rand_core::OsRng, bits).unwrap();
    let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let pair = KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &PKCS_RSA_SHA256).unwrap();
    (pem, pair)
}

fn params(names: &[(DnType, &str)], sans: Vec<String>, ca: bool) -> CertificateParams {
    let mut p = CertificateParams::new(sans).unwrap();
    for (t, v) in names {
        p.distinguished_name.push(t.clone(), *v);
    }
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(2099, 1, 1);
    if ca {
        p.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    }
    p
}

/// Made once per test binary: RSA key generation is slow in debug builds.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let keys: Vec<_> = (0..3).map(|_| std::thread::spawn(|| rsa_pair(2048))).collect();
        let mut keys = keys.into_iter().map(|k| k.join().unwrap());
        let (org_key, org_pair) = keys.next().unwrap();
        let (_, response_ca_pair) = keys.next().unwrap();
        let (response_key, response_pair) = keys.next().unwrap();
        let forger_ca_pair = KeyPair::from_pkcs8_pem_and_sign_algo(&org_key, &PKCS_RSA_SHA256).unwrap();
        let response_ca_name = [
            (DnType::CountryName, "FI"),
            (DnType::OrganizationName, "Verohallinto"),
            (DnType::CommonName, "IR Services Test Issuing CA"),
        ];
        let response_ca = params(&response_ca_name, vec![], true)
            .self_signed(&response_ca_pair)
            .unwrap();
        let forger_ca = params(&response_ca_name, vec![], true)
            .self_signed(&forger_ca_pair)
            .unwrap();
        let response_name = [
            (DnType::CountryName, "FI"),
            (DnType::OrganizationName, "Verohallinto"),
            (DnType::CommonName, "Incomes Register Service Interface Test"),
        ];
        let response = params(&response_name, vec![], false)
            .signed_by(&response_pair, &response_ca, &response_ca_pair)
            .unwrap();
        let forged = params(&response_name, vec![], false)
            .signed_by(&response_pair, &forger_ca, &forger_ca_pair)
            .unwrap();
        let server_ca_pair = KeyPair::generate().unwrap();
        let server_ca = params(&[(DnType::CommonName, "Server CA")], vec![], true)
            .self_signed(&server_ca_pair)
            .unwrap();
        let server_pair = KeyPair::generate().unwrap();
        let server = params(&[(DnType::CommonName, "127.0.0.1")], vec!["127.0.0.1".into()], false)
            .signed_by(&server_pair, &server_ca, &server_ca_pair)
            .unwrap();
        let org_ca_pair = KeyPair::generate().unwrap();
        let org_ca = params(&[(DnType::CommonName, "Organisations CA")], vec![], true)
            .self_signed(&org_ca_pair)
            .unwrap();
        let stranger_pair = KeyPair::generate().unwrap();
        let stranger_ca = params(&[(DnType::CommonName, "Organisations CA")], vec![], true)
            .self_signed(&stranger_pair)
            .unwrap();
        let org = params(
            &[
                (DnType::CountryName, "FI"),
                (DnType::OrganizationName, "Testi Oy"),
                (DnType::CommonName, BUSINESS_ID),
            ],
            vec![],
            false,
        )
        .signed_by(&org_pair, &org_ca, &org_ca_pair)
        .unwrap();
        Pki {
            org_ca: org_ca.pem(),
            org: Pem {
                key: org_key,
                cert: org.pem(),
            },
            server_ca: server_ca.pem(),
            server: Pem {
                key: server_pair.serialize_pem(),
                cert: server.pem(),
            },
            response_ca: response_ca.pem(),
            response: Pem {
                key: response_key.clone(),
                cert: response.pem(),
            },
            forged: Pem {
                key: response_key,
                cert: forged.pem(),
            },
            stranger_ca: stranger_ca.pem(),
        }
    })
}

pub fn signer(p: &Pem) -> Signer {
    Signer::from_pem(&p.key, p.cert.as_bytes(), None).unwrap()
}

pub fn der(pem: &str) -> Vec<Vec<u8>> {
    Certificate::pem_bundle(pem.as_bytes()).unwrap()
}

/// A temporary folder with the PKI's files and a `shim.toml`.
pub struct Fixture {
    pub dir: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tulorekisteri-client-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let pki = pki();
        std::fs::create_dir_all(dir.join("ca")).unwrap();
        std::fs::create_dir_all(dir.join("org")).unwrap();
        for (path, text) in [
            ("ca/server-ca.pem", &pki.server_ca),
            ("ca/response-ca.pem", &pki.response_ca),
            ("org/earnings-key.pem", &pki.org.key),
            ("org/earnings-cert.pem", &pki.org.cert),
        ] {
            std::fs::write(dir.join(path), text).unwrap();
        }
        Fixture { dir }
    }

    /// A configuration for a Register at 127.0.0.1:`port`.
    pub fn config(&self, port: u16, environment: &str, read_seconds: f64) -> Config {
        let text = format!(
            "environment = \"{environment}\"\n\
             base_url = \"https://127.0.0.1:{port}/20170526\"\n\
             server_ca = \"ca/server-ca.pem\"\n\
             response_ca = \"ca/response-ca.pem\"\n\
             [certificates.earnings]\n\
             key = \"org/earnings-key.pem\"\n\
             cert = \"org/earnings-cert.pem\"\n\
             [timeouts]\n\
             connect_seconds = 2\n\
             read_seconds = {read_seconds}\n\
             [polling]\n\
             first_after_seconds = 0.05\n\
             every_seconds = 0.05\n\
             give_up_after_seconds = 2\n"
        );
        let path = self.dir.join("shim.toml");
        std::fs::write(&path, text).unwrap();
        Config::read(&path).unwrap()
    }

    pub fn client(&self, port: u16) -> Client {
        Client::new(&self.config(port, "test", 5.0)).unwrap()
    }
}

/// The core's own test record (one earnings payment report, DeliveryDataType
/// 100, DeliveryId demo-2022-03-0001), as XML.
pub fn wage_report_xml() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wage-report.xml")).unwrap()
}

/// The same record as its JSON object.
pub fn wage_report() -> Value {
    tulorekisteri::parse(&wage_report_xml()).unwrap()
}

/// The record as a real-time one (`WageReportRequestToIR`).
pub fn real_time(mut record: Value) -> Value {
    let body = record["WageReportsRequestToIR"].take();
    serde_json::json!({ "WageReportRequestToIR": body })
}

/// The body of the record's root, whatever the root.
pub fn body(record: &mut Value) -> &mut Value {
    record.as_object_mut().unwrap().values_mut().next().unwrap()
}
