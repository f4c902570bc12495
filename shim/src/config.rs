//! The configuration file (TOML): where the Register is, whom to trust, the
//! organisation's certificates by purpose, timeouts and the polling policy.
//! Paths are relative to the file's folder. A wrong or missing setting is
//! an error naming the key, before anything is sent.
//!
//! ```toml
//! environment = "test"                            # or "production"
//! base_url = "https://127.0.0.1:8443/20170526"    # services at <base_url>/<Service>.svc
//! server_ca = "ca/server-ca.pem"                  # optional: default, the system's roots
//! response_ca = "ca/response-ca.pem"              # who may sign the Register's answers
//!
//! [certificates.earnings]                         # earnings payment data
//! key = "org/earnings-key.pem"                    # PEM key and certificate,
//! cert = "org/earnings-cert.pem"                  # passphrase_file if encrypted
//! [certificates.benefits]                         # benefits payment data
//! p12 = "org/benefits.p12"                        # or a PKCS#12 store
//! password_file = "org/benefits.password"
//! [certificates.data]                             # accessing data
//! key = "org/data-key.pem"
//! cert = "org/data-cert.pem"
//!
//! [timeouts]
//! connect_seconds = 10
//! read_seconds = 60
//!
//! [polling]                                       # the Register's guidance
//! first_after_seconds = 300
//! every_seconds = 300
//! give_up_after_seconds = 7200
//!
//! [sftp]                                          # the SFTP channel: crate::sftp::settings
//! address = "127.0.0.1:8022"
//! host_key = "ssh-rsa AAAA..."
//! user = "1234567-1"
//! key = "org/sftp-key.pem"
//! cert = "org/sftp-cert.pem"
//! [certificate_service]                           # `cert new|renew|show` and the service's renewal
//! url = "https://127.0.0.1:8443/2017/10/CertificateServices"
//! server_ca = "ca/server-ca.pem"                  # optional: default, the top-level server_ca
//! retry_seconds = 5                               # getCertificate again while not ready
//! give_up_seconds = 600
//!
//! [service]                                       # `serve` only: crate::service::settings
//! ledger = "shim.db"
//! api_tokens = ["sha256:..."]
//! ```

use crate::client::transport::Endpoint;
use crate::operation::Purpose;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tulorekisteri::signature::{Certificate, Signer};

/// A configuration, read and checked.
#[derive(Debug)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// Whether records go to production (`ProductionEnvironment` must say so).
    pub production: bool,
    /// `https://host[:port]/20170526`, without a trailing slash.
    pub base_url: String,
    /// The roots the Register's TLS certificate must chain to; `None`: the
    /// system's roots.
    pub server_ca: Option<Vec<Vec<u8>>>,
    /// The roots the Register's response signatures must chain to (DER).
    pub response_ca: Vec<Vec<u8>>,
    /// The organisation's certificates by purpose, as configured (loaded by
    /// [`Config::signer`]).
    pub certificates: Vec<(Purpose, CertificateFiles)>,
    /// Timeouts of one request.
    pub timeouts: Timeouts,
    /// When and how long to ask for the feedback of a deferred record.
    pub polling: Polling,
    /// The submission service's settings (`[service]`), when given.
    pub service: Option<crate::service::settings::ServiceSettings>,
    /// The SFTP channel's settings (`[sftp]`), when given.
    pub sftp: Option<crate::sftp::SftpSettings>,
    /// The certificate service (`[certificate_service]`), when given.
    pub certificate_service: Option<CertificateService>,
}

/// Where the Register's certificate service is, and how long to wait for a
/// certificate.
#[derive(Debug, Clone)]
pub struct CertificateService {
    /// `https://host[:port]/2017/10/CertificateServices`.
    pub url: String,
    /// The roots its TLS certificate must chain to; `None`: the system's.
    pub server_ca: Option<Vec<Vec<u8>>>,
    /// Wait between getCertificate requests while the certificate is not ready.
    pub retry: Duration,
    /// Stop asking after this long.
    pub give_up: Duration,
}

/// Where one certificate and its key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateFiles {
    /// A PEM key (PKCS#1, PKCS#8 or encrypted PKCS#8) and its certificate.
    Pem {
        /// The key file.
        key: PathBuf,
        /// The certificate file.
        cert: PathBuf,
        /// The passphrase of an encrypted key (its first line).
        passphrase_file: Option<PathBuf>,
    },
    /// A PKCS#12 store and the file holding its password (its first line).
    Pkcs12 {
        /// The store.
        p12: PathBuf,
        /// The password file.
        password_file: PathBuf,
    },
}

/// Timeouts of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// The TCP connection and the TLS handshake.
    pub connect: Duration,
    /// From the request's last byte to the answer's last byte.
    pub read: Duration,
}

/// The polling policy (TR §4.2.4): the first status request at least
/// `first_after` after the receipt, then at most every `every`, and no
/// more after `give_up_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    /// Wait before the first status request.
    pub first_after: Duration,
    /// Wait between status requests.
    pub every: Duration,
    /// Give up after this long since the receipt.
    pub give_up_after: Duration,
}

/// A configuration that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    environment: String,
    base_url: String,
    server_ca: Option<PathBuf>,
    response_ca: PathBuf,
    #[serde(default)]
    certificates: Certificates,
    #[serde(default)]
    timeouts: TimeoutsFile,
    #[serde(default)]
    polling: PollingFile,
    service: Option<crate::service::settings::ServiceFile>,
    sftp: Option<crate::sftp::settings::SftpFile>,
    certificate_service: Option<CertificateServiceFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateServiceFile {
    url: String,
    server_ca: Option<PathBuf>,
    #[serde(default = "default_retry")]
    retry_seconds: f64,
    #[serde(default = "default_give_up")]
    give_up_seconds: f64,
}

fn default_retry() -> f64 {
    5.0
}

fn default_give_up() -> f64 {
    600.0
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Certificates {
    earnings: Option<CertificateFile>,
    benefits: Option<CertificateFile>,
    data: Option<CertificateFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateFile {
    key: Option<PathBuf>,
    cert: Option<PathBuf>,
    passphrase_file: Option<PathBuf>,
    p12: Option<PathBuf>,
    password_file: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct TimeoutsFile {
    connect_seconds: f64,
    read_seconds: f64,
}

impl Default for TimeoutsFile {
    fn default() -> Self {
        TimeoutsFile {
            connect_seconds: 10.0,
            read_seconds: 60.0,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct PollingFile {
    first_after_seconds: f64,
    every_seconds: f64,
    give_up_after_seconds: f64,
}

impl Default for PollingFile {
    fn default() -> Self {
        PollingFile {
            first_after_seconds: 300.0,
            every_seconds: 300.0,
            give_up_after_seconds: 7200.0,
        }
    }
}

fn seconds(key: &str, value: f64) -> Result<Duration, ConfigError> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| ConfigError(format!("{key} must be a positive number of seconds, not {value}")))
}

impl Config {
    /// Reads and checks the configuration file `path`.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        Config::parse(&text, path)
    }

    /// Checks the configuration `text`, read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let at = |m: String| ConfigError(format!("{}: {m}", path.display()));
        let file: File = toml::from_str(text).map_err(|e| at(e.to_string().trim_end().to_string()))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &Path| dir.join(p);
        let production = match file.environment.as_str() {
            "production" => true,
            "test" => false,
            other => {
                return Err(at(format!(
                    "environment must be \"test\" or \"production\", not {other:?}"
                )))
            }
        };
        let base_url = file.base_url.trim_end_matches('/').to_string();
        // Read as the clients read them, so a URL they cannot use is an
        // error here, naming its key.
        Endpoint::parse(&base_url).map_err(|e| at(format!("base_url must be an https:// URL: {}", e.0)))?;
        if let Some(c) = &file.certificate_service {
            Endpoint::parse(c.url.trim_end_matches('/'))
                .map_err(|e| at(format!("certificate_service.url must be an https:// URL: {}", e.0)))?;
        }
        let bundle = |key: &str, p: &Path| -> Result<Vec<Vec<u8>>, ConfigError> {
            let full = resolve(p);
            let pem = std::fs::read(&full).map_err(|e| at(format!("{key}: {}: {e}", full.display())))?;
            let certs = Certificate::pem_bundle(&pem).map_err(|e| at(format!("{key}: {}: {e}", full.display())))?;
            match certs.is_empty() {
                true => Err(at(format!("{key}: {} holds no certificate", full.display()))),
                false => Ok(certs),
            }
        };
        let server_ca = file.server_ca.as_deref().map(|p| bundle("server_ca", p)).transpose()?;
        let response_ca = bundle("response_ca", &file.response_ca)?;
        let certificate_service = match file.certificate_service {
            None => None,
            Some(c) => {
                let url = c.url.trim_end_matches('/').to_string();
                Some(CertificateService {
                    url,
                    server_ca: match c.server_ca.as_deref() {
                        Some(p) => Some(bundle("certificate_service.server_ca", p)?),
                        None => server_ca.clone(),
                    },
                    retry: seconds("certificate_service.retry_seconds", c.retry_seconds).map_err(|e| at(e.0))?,
                    give_up: seconds("certificate_service.give_up_seconds", c.give_up_seconds).map_err(|e| at(e.0))?,
                })
            }
        };
        let mut certificates = vec![];
        for (purpose, entry) in [
            (Purpose::Earnings, file.certificates.earnings),
            (Purpose::Benefits, file.certificates.benefits),
            (Purpose::Data, file.certificates.data),
        ] {
            let Some(c) = entry else { continue };
            let key = format!("certificates.{}", purpose.key());
            let files = match (c.key, c.cert, c.p12, c.password_file) {
                (Some(k), Some(cert), None, None) => CertificateFiles::Pem {
                    key: resolve(&k),
                    cert: resolve(&cert),
                    passphrase_file: c.passphrase_file.map(|p| resolve(&p)),
                },
                (None, None, Some(p12), Some(password)) if c.passphrase_file.is_none() => CertificateFiles::Pkcs12 {
                    p12: resolve(&p12),
                    password_file: resolve(&password),
                },
                _ => {
                    return Err(at(format!(
                        "{key} needs either key and cert (and passphrase_file for an encrypted key), or p12 and password_file"
                    )))
                }
            };
            certificates.push((purpose, files));
        }
        if certificates.is_empty() {
            return Err(at(
                "no [certificates.earnings], [certificates.benefits] or [certificates.data]".into(),
            ));
        }
        Ok(Config {
            path: path.to_path_buf(),
            production,
            base_url,
            server_ca,
            response_ca,
            certificates,
            timeouts: Timeouts {
                connect: seconds("timeouts.connect_seconds", file.timeouts.connect_seconds)?,
                read: seconds("timeouts.read_seconds", file.timeouts.read_seconds)?,
            },
            polling: Polling {
                first_after: seconds("polling.first_after_seconds", file.polling.first_after_seconds)?,
                every: seconds("polling.every_seconds", file.polling.every_seconds)?,
                give_up_after: seconds("polling.give_up_after_seconds", file.polling.give_up_after_seconds)?,
            },
            service: file.service.map(|s| s.check(dir)).transpose().map_err(at)?,
            sftp: file.sftp.map(|s| s.check(dir)).transpose().map_err(at)?,
            certificate_service,
        })
    }

    /// The signer (key and certificate) for `purpose`, or for an Echo
    /// (`None`) the first one configured. The same key and certificate are
    /// the TLS client identity.
    pub fn signer(&self, purpose: Option<Purpose>) -> Result<Signer, ConfigError> {
        let found = match purpose {
            Some(p) => self.certificates.iter().find(|(q, _)| *q == p),
            None => self.certificates.first(),
        };
        let Some((purpose, files)) = found else {
            let p = purpose.map_or("any", Purpose::key);
            return Err(ConfigError(format!(
                "{}: no certificate for {p} is configured ([certificates.{p}])",
                self.path.display()
            )));
        };
        let key = format!("certificates.{}", purpose.key());
        let read = |p: &Path| std::fs::read(p).map_err(|e| ConfigError(format!("{key}: {}: {e}", p.display())));
        let first_line = |p: &Path| -> Result<String, ConfigError> {
            let text =
                String::from_utf8(read(p)?).map_err(|_| ConfigError(format!("{key}: {} is not text", p.display())))?;
            Ok(text.lines().next().unwrap_or("").to_string())
        };
        let signer = match files {
            CertificateFiles::Pem {
                key: k,
                cert,
                passphrase_file,
            } => {
                let pem = String::from_utf8(read(k)?)
                    .map_err(|_| ConfigError(format!("{key}: {} is not PEM", k.display())))?;
                let passphrase = passphrase_file.as_deref().map(first_line).transpose()?;
                Signer::from_pem(&pem, &read(cert)?, passphrase.as_deref().map(str::as_bytes))
            }
            CertificateFiles::Pkcs12 { p12, password_file } => {
                Signer::from_pkcs12(&read(p12)?, &first_line(password_file)?)
            }
        };
        signer.map_err(|e| ConfigError(format!("{key}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/nonexistent/shim.toml"))
    }

    #[test]
    fn a_wrong_setting_names_its_key() {
        let good = "environment = \"test\"\nbase_url = \"https://x\"\nresponse_ca = \"ca.pem\"\n";
        let cases = [
            (good.replace("\"test\"", "\"staging\""), "environment"),
            (good.replace("https://x", "http://x"), "base_url"),
            (format!("{good}colour = 1\n"), "colour"),
            (good.replace("base_url = \"https://x\"\n", ""), "base_url"),
            (format!("{good}[timeouts]\nread_secs = 1\n"), "read_secs"),
            (
                format!("{good}[certificate_service]\nurl = \"http://x/2017/10/CertificateServices\"\n"),
                "certificate_service.url",
            ),
            (format!("{good}[certificate_service]\n"), "url"),
            (good.replace("https://x", "https://x/a b"), "base_url"),
            (
                format!("{good}[certificate_service]\nurl = \"https://x/2017/10/Certificate\tServices\"\n"),
                "certificate_service.url",
            ),
            (
                format!("{good}[certificate_service]\nurl = \"https://x:99999/\"\n"),
                "certificate_service.url",
            ),
        ];
        for (text, key) in cases {
            let e = parse(&text).unwrap_err();
            assert!(e.0.contains(key), "{text}: {e}");
        }
        // Files are named with their key and the path the key resolves to.
        let e = parse(good).unwrap_err();
        assert!(
            e.0.contains("response_ca") && e.0.contains("/nonexistent/ca.pem"),
            "{e}"
        );
    }
}
