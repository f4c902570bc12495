//! `simulator init`: the test PKI (RSA keys from the `rsa` crate, imported
//! into rcgen, as the Register's certificates are RSA), the organisation's
//! certificates as PEM and PKCS#12, the simulator's own settings, an empty
//! state, the configuration `shim.toml` (the client's, and the service's
//! `[service]` section) and the service's bearer token.

use super::clock::{civil, now, random_bytes};
use super::files::{self, PUBLIC, SECRET};
use super::{keystore, store};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256,
};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The purposes the organisation has certificates for, as file names.
pub const PURPOSES: [&str; 3] = ["earnings", "benefits", "data"];

/// The organisation's name in its certificates' subject.
pub const ORGANISATION: &str = "Testiyritys Oy";

/// The simulator's own settings (`DIR/simulator.json`), written by `init`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// The address `serve` listens on (and `shim.toml`'s `base_url` names).
    pub listen: String,
    /// The organisation's business ID.
    pub business_id: String,
    /// The address the SFTP server listens on (and `shim.toml`'s `[sftp]
    /// address` names); absent in folders made before the SFTP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sftp_listen: Option<String>,
}

impl Settings {
    /// Reads `DIR/simulator.json`.
    pub fn read(dir: &Path) -> Result<Settings, String> {
        let path = dir.join("simulator.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {e} (make the folder with `simulator init`)", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// One RSA key, as the `rsa` crate makes it and as rcgen signs with it.
struct Rsa {
    key: RsaPrivateKey,
    pem: String,
    pair: KeyPair,
}

fn rsa_keys(n: usize) -> Result<Vec<Rsa>, String> {
    // Key generation dominates `init`: two at a time.
    let next = AtomicUsize::new(0);
    let made = Mutex::new(vec![]);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while next.fetch_add(1, Ordering::SeqCst) < n {
                    let key = RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(|e| format!("RSA key: {e}"));
                    made.lock().unwrap_or_else(|p| p.into_inner()).push(key);
                }
            });
        }
    });
    let made = made.into_inner().unwrap_or_else(|p| p.into_inner());
    made.into_iter()
        .map(|key| {
            let key = key?;
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| format!("RSA key: {e}"))?
                .to_string();
            let pair =
                KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &PKCS_RSA_SHA256).map_err(|e| format!("RSA key: {e}"))?;
            Ok(Rsa { key, pem, pair })
        })
        .collect()
}

/// Validity from yesterday for `years` years.
fn validity(p: &mut CertificateParams, years: i64) {
    let today = (now() / 86_400.0).floor() as i64;
    let (y, m, d) = civil(today - 1);
    p.not_before = date_time_ymd(y as i32, m as u8, d as u8);
    p.not_after = date_time_ymd((y + years) as i32, m as u8, d.min(28) as u8);
}

fn subject(p: &mut CertificateParams, organisation: &str, common_name: &str) {
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::CountryName, "FI");
    p.distinguished_name.push(DnType::OrganizationName, organisation);
    p.distinguished_name.push(DnType::CommonName, common_name);
}

fn ca_params(organisation: &str, name: &str) -> Result<CertificateParams, String> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    subject(&mut p, organisation, name);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    validity(&mut p, 10);
    Ok(p)
}

fn leaf_params(
    organisation: &str,
    name: &str,
    names: Vec<String>,
    usage: ExtendedKeyUsagePurpose,
) -> Result<CertificateParams, String> {
    let mut p = CertificateParams::new(names).map_err(|e| e.to_string())?;
    subject(&mut p, organisation, name);
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
        KeyUsagePurpose::KeyEncipherment,
    ];
    p.extended_key_usages = vec![usage];
    p.use_authority_key_identifier_extension = true;
    p.serial_number = Some(random_bytes(16).into());
    validity(&mut p, 2);
    Ok(p)
}

/// The host part of a listen address (`127.0.0.1:8443`, `[::1]:8443`,
/// `localhost:8443`), for the TLS certificate's subject alternative name.
pub fn host_of(listen: &str) -> Result<String, String> {
    let bad = || format!("--listen must be HOST:PORT, not {listen:?}");
    let (host, port) = listen.rsplit_once(':').ok_or_else(bad)?;
    port.parse::<u16>().map_err(|_| bad())?;
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    match host.is_empty() {
        true => Err(bad()),
        false => Ok(host.to_string()),
    }
}

/// One file `init` wrote, and what it is.
pub struct Written {
    /// Its path below DIR.
    pub path: String,
    /// What it holds.
    pub what: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes everything of `DIR` (see the module documentation); refuses a
/// folder that already holds a simulator. `api_listen` is where the
/// service's API is to listen.
pub fn init(
    dir: &Path,
    listen: &str,
    business_id: &str,
    api_listen: &str,
    sftp_listen: &str,
) -> Result<Vec<Written>, String> {
    let host = host_of(listen)?;
    host_of(api_listen).map_err(|_| format!("--api-listen must be HOST:PORT, not {api_listen:?}"))?;
    host_of(sftp_listen).map_err(|_| format!("--sftp-listen must be HOST:PORT, not {sftp_listen:?}"))?;
    if business_id.is_empty()
        || business_id.len() > 30
        || business_id.contains([',', '+', '"', '\\', '<', '>', ';', '=', '/'])
    {
        return Err(format!(
            "--business-id {business_id:?} cannot be a certificate's CN and a Code"
        ));
    }
    for existing in ["shim.toml", "state.json", "simulator.json", "api-token"] {
        if dir.join(existing).exists() {
            return Err(format!(
                "{} already holds a simulator ({existing}); use another folder",
                dir.display()
            ));
        }
    }
    let mut written = vec![];
    let mut put = |path: &str, bytes: &[u8], mode: u32, what: &str| -> Result<(), String> {
        files::write(&dir.join(path), bytes, mode)?;
        written.push(Written {
            path: path.to_string(),
            what: what.to_string(),
        });
        Ok(())
    };
    let e = |e: rcgen::Error| e.to_string();
    const SIM: &str = "Tulorekisteri simulator";

    let mut keys = rsa_keys(12)?.into_iter();
    let mut key = || keys.next().ok_or_else(|| "RSA keys".to_string());

    // The organisations' CA and the organisation's three certificates.
    let org_ca_key = key()?;
    let org_ca = ca_params(SIM, "Simulated Data Providers Test Issuing CA")?
        .self_signed(&org_ca_key.pair)
        .map_err(e)?;
    put(
        "ca/organisations-ca.pem",
        org_ca.pem().as_bytes(),
        PUBLIC,
        "the organisations' CA: the server accepts TLS client certificates and record signatures of it only",
    )?;
    put(
        "ca/organisations-ca-key.pem",
        org_ca_key.pem.as_bytes(),
        SECRET,
        "its key",
    )?;
    for purpose in PURPOSES {
        let k = key()?;
        let cert = leaf_params(ORGANISATION, business_id, vec![], ExtendedKeyUsagePurpose::ClientAuth)?
            .signed_by(&k.pair, &org_ca, &org_ca_key.pair)
            .map_err(e)?;
        let password: String = random_bytes(16).iter().map(|b| format!("{b:02x}")).collect();
        let der = k.key.to_pkcs8_der().map_err(|e| format!("RSA key: {e}"))?;
        let p12 = keystore::write(der.as_bytes(), cert.der(), &password)?;
        let what = format!("the organisation's {purpose} certificate (C=FI, O={ORGANISATION}, CN={business_id})");
        put(&format!("org/{purpose}-cert.pem"), cert.pem().as_bytes(), PUBLIC, &what)?;
        put(
            &format!("org/{purpose}-key.pem"),
            k.pem.as_bytes(),
            SECRET,
            "its key (RSA 2048, PKCS#8)",
        )?;
        put(
            &format!("org/{purpose}.p12"),
            &p12,
            SECRET,
            "both as PKCS#12 (PBES2/AES-256-CBC, SHA-256 MAC)",
        )?;
        put(
            &format!("org/{purpose}.password"),
            format!("{password}\n").as_bytes(),
            SECRET,
            "the PKCS#12 password",
        )?;
    }

    // A certificate of the same business ID from another CA: the TLS
    // handshake refuses it.
    let other_ca_pair = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(e)?;
    let other_ca = ca_params("Another CA", "Not the Register's Issuing CA")?
        .self_signed(&other_ca_pair)
        .map_err(e)?;
    let other = key()?;
    let other_cert = leaf_params(ORGANISATION, business_id, vec![], ExtendedKeyUsagePurpose::ClientAuth)?
        .signed_by(&other.pair, &other_ca, &other_ca_pair)
        .map_err(e)?;
    put(
        "org/other-ca-cert.pem",
        other_cert.pem().as_bytes(),
        PUBLIC,
        "the same business ID from another CA (refused)",
    )?;
    put("org/other-ca-key.pem", other.pem.as_bytes(), SECRET, "its key")?;

    // The server's TLS certificate (ECDSA: TLS only, nothing the core reads).
    let server_ca_pair = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(e)?;
    let server_ca = ca_params(SIM, "Simulated Incomes Register TLS CA")?
        .self_signed(&server_ca_pair)
        .map_err(e)?;
    let tls_pair = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(e)?;
    let tls = leaf_params(SIM, &host, vec![host.clone()], ExtendedKeyUsagePurpose::ServerAuth)?
        .signed_by(&tls_pair, &server_ca, &server_ca_pair)
        .map_err(e)?;
    put(
        "ca/server-ca.pem",
        server_ca.pem().as_bytes(),
        PUBLIC,
        "the server's TLS CA (the client's server_ca)",
    )?;
    put(
        "ca/server-ca-key.pem",
        server_ca_pair.serialize_pem().as_bytes(),
        SECRET,
        "its key",
    )?;
    put(
        "server/tls-cert.pem",
        tls.pem().as_bytes(),
        PUBLIC,
        &format!("the server's TLS certificate (subject alternative name {host})"),
    )?;
    put(
        "server/tls-key.pem",
        tls_pair.serialize_pem().as_bytes(),
        SECRET,
        "its key",
    )?;

    // The Register's response-signing certificate and its CA.
    let response_ca_key = key()?;
    let response_ca = ca_params(SIM, "Simulated IR Services Test Issuing CA")?
        .self_signed(&response_ca_key.pair)
        .map_err(e)?;
    let response_key = key()?;
    const RESPONDER: &str = "Incomes Register Service Interface Test";
    let response = leaf_params("Verohallinto", RESPONDER, vec![], ExtendedKeyUsagePurpose::Any)?
        .signed_by(&response_key.pair, &response_ca, &response_ca_key.pair)
        .map_err(e)?;
    put(
        "ca/response-ca.pem",
        response_ca.pem().as_bytes(),
        PUBLIC,
        "the CA of the Register's response signatures (the client's response_ca)",
    )?;
    put(
        "ca/response-ca-key.pem",
        response_ca_key.pem.as_bytes(),
        SECRET,
        "its key",
    )?;
    put(
        "server/response-cert.pem",
        response.pem().as_bytes(),
        PUBLIC,
        "the Register's response-signing certificate",
    )?;
    put(
        "server/response-key.pem",
        response_key.pem.as_bytes(),
        SECRET,
        "its key",
    )?;

    // A forger: the same subject from a CA nobody trusts.
    let forger_ca_key = key()?;
    let forger_ca = ca_params("Forgers Ltd", "Forger CA")?
        .self_signed(&forger_ca_key.pair)
        .map_err(e)?;
    let forged_key = key()?;
    let forged = leaf_params("Verohallinto", RESPONDER, vec![], ExtendedKeyUsagePurpose::Any)?
        .signed_by(&forged_key.pair, &forger_ca, &forger_ca_key.pair)
        .map_err(e)?;
    put(
        "ca/forger-ca.pem",
        forger_ca.pem().as_bytes(),
        PUBLIC,
        "a CA the client must not trust (the forged-signature fault)",
    )?;
    put("ca/forger-ca-key.pem", forger_ca_key.pem.as_bytes(), SECRET, "its key")?;
    put(
        "server/forged-cert.pem",
        forged.pem().as_bytes(),
        PUBLIC,
        "the Register's subject, issued by the forger CA",
    )?;
    put("server/forged-key.pem", forged_key.pem.as_bytes(), SECRET, "its key")?;

    // The SFTP service: its CA, the organisation's SFTP certificate (SSH
    // authentication and the records' signature) and the server's host key.
    let sftp_ca_key = key()?;
    let sftp_ca = ca_params(SIM, SFTP_CA)?.self_signed(&sftp_ca_key.pair).map_err(e)?;
    put(
        "ca/sftp-ca.pem",
        sftp_ca.pem().as_bytes(),
        PUBLIC,
        "the SFTP CA: the SFTP server accepts users and record signatures of it only",
    )?;
    put("ca/sftp-ca-key.pem", sftp_ca_key.pem.as_bytes(), SECRET, "its key")?;
    let sftp_user = key()?;
    let sftp_cert = leaf_params(ORGANISATION, business_id, vec![], ExtendedKeyUsagePurpose::ClientAuth)?
        .signed_by(&sftp_user.pair, &sftp_ca, &sftp_ca_key.pair)
        .map_err(e)?;
    put(
        "org/sftp-cert.pem",
        sftp_cert.pem().as_bytes(),
        PUBLIC,
        &format!("the organisation's SFTP certificate (C=FI, O={ORGANISATION}, CN={business_id})"),
    )?;
    put(
        "org/sftp-key.pem",
        sftp_user.pem.as_bytes(),
        SECRET,
        "its key (RSA 2048, PKCS#8): SSH authentication and record signatures",
    )?;
    let host_key = key()?;
    let host_line = openssh_public(&host_key.pem)?;
    put(
        "sftp/host-key.pem",
        host_key.pem.as_bytes(),
        SECRET,
        "the SFTP server's host key (RSA 2048, PKCS#8)",
    )?;
    put(
        "sftp/host-key.pub",
        format!("{host_line}\n").as_bytes(),
        PUBLIC,
        "its public key, OpenSSH form (shim.toml's [sftp] host_key)",
    )?;
    for folder in ["in", "feedback", "data"] {
        let path = dir.join("sftp").join(business_id).join(folder);
        std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }

    let settings = Settings {
        listen: listen.to_string(),
        business_id: business_id.to_string(),
        sftp_listen: Some(sftp_listen.to_string()),
    };
    let json = serde_json::to_string_pretty(&settings).map_err(|e| e.to_string())? + "\n";
    put(
        "simulator.json",
        json.as_bytes(),
        PUBLIC,
        "the simulator's settings (listen addresses, business ID)",
    )?;
    let state = store::State::default().to_json()?;
    put("state.json", &state, PUBLIC, "what the simulator holds (empty)")?;
    // The service's bearer token: the configuration holds its hash only.
    let token = hex(&random_bytes(32));
    let mut config = client_config(listen);
    config.push_str(&sftp_config(sftp_listen, &host_line, business_id));
    config.push_str(&service_config(api_listen, &token));
    put(
        "shim.toml",
        config.as_bytes(),
        PUBLIC,
        "the configuration: the client's for this simulator, and the service's [service] section",
    )?;
    put(
        "api-token",
        format!("{token}\n").as_bytes(),
        SECRET,
        "the bearer token the service's API accepts (shim.toml holds its SHA-256)",
    )?;
    Ok(written)
}

/// The SFTP CA's name.
pub const SFTP_CA: &str = "Vero Data Providers SFTP Issuing CA (simulator)";

/// The OpenSSH one-line public key of an RSA key in PKCS#8 PEM.
pub fn openssh_public(pem: &str) -> Result<String, String> {
    let key = russh::keys::decode_secret_key(pem, None).map_err(|e| format!("host key: {e}"))?;
    let line = key.public_key().to_openssh().map_err(|e| format!("host key: {e}"))?;
    // No comment: the line is compared whole.
    Ok(line.split(' ').take(2).collect::<Vec<_>>().join(" "))
}

/// The `[sftp]` section (the SFTP contract): the server at `address`, its
/// pinned host key, the account and the names of its folders.
pub fn sftp_config(address: &str, host_key: &str, user: &str) -> String {
    let s = |v: &str| toml::Value::String(v.to_string());
    format!(
        "\n[sftp]\naddress = {}\nhost_key = {}\nuser = {}\nkey = \"org/sftp-key.pem\"\ncert = \"org/sftp-cert.pem\"\n\
         upload_dir = \"in\"\ntemp_suffix = \".part\"\nfeedback_dir = \"feedback\"\ndata_dir = \"data\"\n",
        s(address),
        s(host_key),
        s(user)
    )
}

/// The `[service]` section for `serve --config DIR/shim.toml`: the API on
/// `api_listen`, a SQLite ledger in DIR, a short linger (tests, demos), and
/// the SHA-256 of `token`.
pub fn service_config(api_listen: &str, token: &str) -> String {
    let listen = toml::Value::String(api_listen.to_string());
    let hash = hex(&Sha256::digest(token.as_bytes()));
    format!(
        "\n[service]\nlisten = {listen}\nledger = \"shim.db\"\nlinger_seconds = 0.2\napi_tokens = [\"sha256:{hash}\"]\n"
    )
}

/// The client configuration (the format of `shim/src/config.rs`).
pub fn client_config(listen: &str) -> String {
    let mut out = String::from(
        "# The client configuration for the local simulator that `tulorekisteri-shim simulator init` made.\n",
    );
    out.push_str(&format!(
        "environment = \"test\"\nbase_url = \"https://{listen}/20170526\"\nserver_ca = \"ca/server-ca.pem\"\nresponse_ca = \"ca/response-ca.pem\"\n"
    ));
    for purpose in PURPOSES {
        out.push_str(&format!(
            "\n[certificates.{purpose}]\nkey = \"org/{purpose}-key.pem\"\ncert = \"org/{purpose}-cert.pem\"\n"
        ));
    }
    out.push_str("\n[timeouts]\nconnect_seconds = 5\nread_seconds = 5\n");
    out.push_str("\n[polling]\nfirst_after_seconds = 1\nevery_seconds = 1\ngive_up_after_seconds = 60\n");
    out
}
