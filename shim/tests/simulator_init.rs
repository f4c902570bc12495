//! `simulator init`: every file of the contract, keys readable by their
//! owner only, a `shim.toml` the client's configuration reads with the
//! service's `[service]` section and the hash of the token in `api-token`,
//! signers from PEM and PKCS#12 (also as OpenSSL reads them), the business
//! ID in the subject as in the official samples.

mod simulator_support;

use simulator_support::{has, template, BIN, BUSINESS_ID};
use std::process::Command;
use tulorekisteri::signature::{Certificate, Signer};
use tulorekisteri_shim::config::{CertificateFiles, Config};
use tulorekisteri_shim::operation::Purpose;

const FILES: &[&str] = &[
    "shim.toml",
    "api-token",
    "state.json",
    "ca/organisations-ca.pem",
    "ca/organisations-ca-key.pem",
    "ca/server-ca.pem",
    "ca/server-ca-key.pem",
    "ca/response-ca.pem",
    "ca/response-ca-key.pem",
    "ca/forger-ca.pem",
    "ca/forger-ca-key.pem",
    "server/tls-cert.pem",
    "server/tls-key.pem",
    "server/response-cert.pem",
    "server/response-key.pem",
    "server/forged-cert.pem",
    "server/forged-key.pem",
    "org/earnings-key.pem",
    "org/earnings-cert.pem",
    "org/earnings.p12",
    "org/earnings.password",
    "org/benefits-key.pem",
    "org/benefits-cert.pem",
    "org/benefits.p12",
    "org/benefits.password",
    "org/data-key.pem",
    "org/data-cert.pem",
    "org/data.p12",
    "org/data.password",
    "org/other-ca-cert.pem",
    "org/other-ca-key.pem",
    "ca/sftp-ca.pem",
    "ca/sftp-ca-key.pem",
    "org/sftp-cert.pem",
    "org/sftp-key.pem",
    "sftp/host-key.pem",
    "sftp/host-key.pub",
];

#[test]
fn init_writes_every_file_of_the_contract() {
    let dir = template();
    for f in FILES {
        let meta = std::fs::metadata(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let secret = f.ends_with("key.pem") || f.ends_with(".p12") || f.ends_with(".password") || *f == "api-token";
            let mode = meta.permissions().mode() & 0o777;
            assert_eq!(mode == 0o600, secret, "{f}: mode {mode:o}");
        }
    }
    let state = std::fs::read_to_string(dir.join("state.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["deliveries"], serde_json::json!([]));

    // The same folder again is refused: its keys are not overwritten.
    let again = Command::new(BIN).args(["simulator", "init"]).arg(dir).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn shim_toml_has_the_service_section_with_the_tokens_hash() {
    use sha2::{Digest, Sha256};
    let dir = template();
    let token = std::fs::read_to_string(dir.join("api-token")).unwrap();
    let token = token.strip_suffix('\n').unwrap();
    assert_eq!(token.len(), 64);
    assert!(
        token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{token}"
    );
    let text = std::fs::read_to_string(dir.join("shim.toml")).unwrap();
    let toml: toml::Value = toml::from_str(&text).unwrap();
    let service = toml["service"].as_table().unwrap();
    let hash: String = Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let expected: toml::Value = toml::from_str(&format!(
        "listen = \"127.0.0.1:8080\"\nledger = \"shim.db\"\nlinger_seconds = 0.2\napi_tokens = [\"sha256:{hash}\"]\n"
    ))
    .unwrap();
    assert_eq!(&toml::Value::Table(service.clone()), &expected);
    // The token itself is nowhere but in api-token.
    assert!(!text.contains(token));

    // A listen address that is not HOST:PORT is refused before anything is made.
    let base = dir.parent().unwrap().join("bad-api-listen");
    let out = Command::new(BIN)
        .args(["simulator", "init"])
        .arg(&base)
        .args(["--api-listen", "8080"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--api-listen"));
    assert!(!base.join("shim.toml").exists());
}

#[test]
fn shim_toml_is_the_clients_configuration() {
    let dir = template();
    let config = Config::read(&dir.join("shim.toml")).unwrap();
    assert!(!config.production);
    assert_eq!(config.base_url, "https://127.0.0.1:8443/20170526");
    assert_eq!(config.timeouts.read.as_secs(), 5);
    assert_eq!(config.polling.give_up_after.as_secs(), 60);
    let org_ca = Certificate::pem_bundle(&std::fs::read(dir.join("ca/organisations-ca.pem")).unwrap()).unwrap();
    for p in Purpose::ALL {
        let signer = config.signer(Some(p)).unwrap();
        let cert = signer.certificate();
        // As the official samples' certificates: C=FI, O=..., CN=<business id>.
        assert_eq!(cert.subject, format!("CN={BUSINESS_ID},O=Testiyritys Oy,C=FI"));
        assert!(cert.trust(&[], &org_ca, now()).is_trusted(), "{p:?}");
        assert!(matches!(
            &config.certificates.iter().find(|(q, _)| *q == p).unwrap().1,
            CertificateFiles::Pem { .. }
        ));
    }
    let response = config.response_ca.clone();
    let responder = std::fs::read(dir.join("server/response-cert.pem")).unwrap();
    let responder = Certificate::from_der(Certificate::pem_bundle(&responder).unwrap().remove(0)).unwrap();
    assert!(responder.trust(&[], &response, now()).is_trusted());
    let forged = std::fs::read(dir.join("server/forged-cert.pem")).unwrap();
    let forged = Certificate::from_der(Certificate::pem_bundle(&forged).unwrap().remove(0)).unwrap();
    assert_eq!(forged.subject, responder.subject);
    assert!(!forged.trust(&[], &response, now()).is_trusted());
}

fn now() -> i64 {
    tulorekisteri_shim::simulator::clock::now() as i64
}

#[test]
fn shim_toml_has_the_sftp_section_and_the_sftp_certificate_is_of_the_sftp_ca() {
    let dir = template();
    let text = std::fs::read_to_string(dir.join("shim.toml")).unwrap();
    let toml: toml::Value = toml::from_str(&text).unwrap();
    let host = std::fs::read_to_string(dir.join("sftp/host-key.pub")).unwrap();
    let expected: toml::Value = toml::from_str(&format!(
        "address = \"127.0.0.1:8022\"\nhost_key = \"{}\"\nuser = \"{BUSINESS_ID}\"\nkey = \"org/sftp-key.pem\"\n\
         cert = \"org/sftp-cert.pem\"\nupload_dir = \"in\"\ntemp_suffix = \".part\"\nfeedback_dir = \"feedback\"\n\
         data_dir = \"data\"\n",
        host.trim()
    ))
    .unwrap();
    assert_eq!(toml["sftp"], expected);
    // The pinned line is the host key's public key, RSA.
    let key =
        russh::keys::decode_secret_key(&std::fs::read_to_string(dir.join("sftp/host-key.pem")).unwrap(), None).unwrap();
    assert_eq!(
        russh::keys::PublicKey::from_openssh(host.trim()).unwrap().key_data(),
        key.public_key().key_data()
    );
    assert!(host.starts_with("ssh-rsa "), "{host}");
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("simulator.json")).unwrap()).unwrap();
    assert_eq!(settings["sftpListen"], "127.0.0.1:8022");

    let sftp_ca = Certificate::pem_bundle(&std::fs::read(dir.join("ca/sftp-ca.pem")).unwrap()).unwrap();
    let org_ca = Certificate::pem_bundle(&std::fs::read(dir.join("ca/organisations-ca.pem")).unwrap()).unwrap();
    let ca = Certificate::from_der(sftp_ca[0].clone()).unwrap();
    assert!(
        ca.subject
            .contains("CN=Vero Data Providers SFTP Issuing CA (simulator)"),
        "{}",
        ca.subject
    );
    let key = std::fs::read_to_string(dir.join("org/sftp-key.pem")).unwrap();
    let signer = Signer::from_pem(&key, &std::fs::read(dir.join("org/sftp-cert.pem")).unwrap(), None).unwrap();
    let cert = signer.certificate();
    assert_eq!(cert.subject, format!("CN={BUSINESS_ID},O=Testiyritys Oy,C=FI"));
    assert!(cert.trust(&[], &sftp_ca, now()).is_trusted());
    // Not a certificate the Web Service accepts.
    assert!(!cert.trust(&[], &org_ca, now()).is_trusted());
    assert!(std::fs::metadata(dir.join(format!("sftp/{BUSINESS_ID}/in")))
        .unwrap()
        .is_dir());
}

#[test]
fn the_pkcs12_stores_are_read_by_the_core_the_config_and_openssl() {
    let dir = template();
    for purpose in ["earnings", "benefits", "data"] {
        let p12 = std::fs::read(dir.join(format!("org/{purpose}.p12"))).unwrap();
        let password = std::fs::read_to_string(dir.join(format!("org/{purpose}.password"))).unwrap();
        let signer = Signer::from_pkcs12(&p12, password.trim_end()).unwrap();
        let pem = std::fs::read(dir.join(format!("org/{purpose}-cert.pem"))).unwrap();
        assert_eq!(signer.certificate().der(), Certificate::pem_bundle(&pem).unwrap()[0]);
        assert!(Signer::from_pkcs12(&p12, "wrong").is_err());

        // The configuration's PKCS#12 form loads the same signer.
        let toml = format!(
            "environment = \"test\"\nbase_url = \"https://127.0.0.1:8443/20170526\"\nresponse_ca = \"ca/response-ca.pem\"\n\
             [certificates.{purpose}]\np12 = \"org/{purpose}.p12\"\npassword_file = \"org/{purpose}.password\"\n"
        );
        let config = Config::parse(&toml, &dir.join("p12.toml")).unwrap();
        let p = Purpose::ALL.into_iter().find(|p| p.key() == purpose).unwrap();
        assert_eq!(
            config.signer(Some(p)).unwrap().certificate().der(),
            signer.certificate().der()
        );

        if has("openssl") {
            let out = Command::new("openssl")
                .args(["pkcs12", "-info", "-noout", "-passin"])
                .arg(format!(
                    "file:{}",
                    dir.join(format!("org/{purpose}.password")).display()
                ))
                .arg("-in")
                .arg(dir.join(format!("org/{purpose}.p12")))
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{said}");
            assert!(said.contains("MAC: sha256"), "{said}");
            assert!(said.contains("PBES2, PBKDF2, AES-256-CBC"), "{said}");
        }
    }
}
