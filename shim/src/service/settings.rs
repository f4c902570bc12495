//! The `[service]` section of the configuration: where the API listens,
//! the ledger, the accepted tokens, and how records are made and followed.
//!
//! ```toml
//! [service]
//! listen = "127.0.0.1:8080"          # the HTTP API
//! ledger = "shim.db"                 # a SQLite file, or a postgres:// URL
//! api_tokens = ["sha256:<64 hex>"]   # SHA-256 of each accepted bearer token
//! tls_cert = "api/cert.pem"          # optional: HTTPS for the API
//! tls_key = "api/key.pem"
//! max_reports_per_record = 3000
//! linger_seconds = 2                 # close a record this long after its first report
//! max_body_bytes = 67108864          # larger request bodies: 413
//! uncertain_limit_seconds = 3600     # the Register cannot tell this long: attention
//! lease_seconds = 60                 # a claim of a killed instance expires (default: 2 requests + 10 s)
//! retention_days = 90                # requests and answers kept this long
//! certificate_warning_days = 60      # warn this long before a certificate expires
//! concurrency = 4                    # records in flight per instance
//! channel = "ws"                     # deferred records: "ws" (default) or "sftp" (needs [sftp])
//!
//! [service.channel_by_payer]         # per payer (DeliveryDataOwner's code), over the global
//! "1234567-1" = "sftp"
//! ```

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the ledger is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerLocation {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

/// How a deferred record goes to the Register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// The Web Service (the default).
    Ws,
    /// SFTP (`[sftp]`).
    Sftp,
}

/// The service's settings, checked.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    /// The API's address.
    pub listen: String,
    /// The ledger.
    pub ledger: LedgerLocation,
    /// SHA-256 of each accepted token.
    pub token_hashes: Vec<[u8; 32]>,
    /// HTTPS for the API: certificate chain and key (PEM).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Reports per record at most.
    pub max_reports_per_record: usize,
    /// How long a record stays open after its first report.
    pub linger: Duration,
    /// The largest request body.
    pub max_body_bytes: u64,
    /// Uncertain (or without final feedback) longer than this: attention.
    pub uncertain_limit: Duration,
    /// How long a claim holds (extended at each send). When the file does
    /// not say, `serve` makes it long enough for two whole requests.
    pub lease: Duration,
    /// Whether `lease_seconds` was given.
    pub lease_given: bool,
    /// How long requests and answers are kept.
    pub retention: Duration,
    /// Warn this long before a certificate expires.
    pub certificate_warning: Duration,
    /// Records in flight per instance.
    pub concurrency: usize,
    /// Web origins (`http://127.0.0.1:8000`) whose pages may call the API
    /// from a browser (CORS); none by default.
    pub allowed_origins: Vec<String>,
    /// The channel of deferred records (real-time ones go over the Web
    /// Service whatever it says).
    pub channel: Channel,
    /// Per payer (DeliveryDataOwner's code): its channel, over `channel`.
    pub channel_by_payer: std::collections::BTreeMap<String, Channel>,
}

impl ServiceSettings {
    /// The channel of a deferred record of `payer`.
    pub fn channel_of(&self, payer: &str) -> Channel {
        self.channel_by_payer.get(payer).copied().unwrap_or(self.channel)
    }

    /// Whether any record may go over SFTP.
    pub fn uses_sftp(&self) -> bool {
        self.channel == Channel::Sftp || self.channel_by_payer.values().any(|c| *c == Channel::Sftp)
    }
}

/// The section as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceFile {
    #[serde(default = "default_listen")]
    listen: String,
    ledger: String,
    #[serde(default)]
    api_tokens: Vec<String>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    #[serde(default = "default_max_reports")]
    max_reports_per_record: i64,
    #[serde(default = "default_linger")]
    linger_seconds: f64,
    #[serde(default = "default_max_body")]
    max_body_bytes: i64,
    #[serde(default = "default_uncertain_limit")]
    uncertain_limit_seconds: f64,
    lease_seconds: Option<f64>,
    #[serde(default = "default_retention")]
    retention_days: f64,
    #[serde(default = "default_warning")]
    certificate_warning_days: f64,
    #[serde(default = "default_concurrency")]
    concurrency: i64,
    #[serde(default)]
    allowed_origins: Vec<String>,
    #[serde(default = "default_channel")]
    channel: Channel,
    #[serde(default)]
    channel_by_payer: std::collections::BTreeMap<String, Channel>,
}

fn default_channel() -> Channel {
    Channel::Ws
}

fn default_listen() -> String {
    "127.0.0.1:8080".into()
}
fn default_max_reports() -> i64 {
    3000
}
fn default_linger() -> f64 {
    2.0
}
fn default_max_body() -> i64 {
    64 << 20
}
fn default_uncertain_limit() -> f64 {
    3600.0
}
fn default_retention() -> f64 {
    90.0
}
fn default_warning() -> f64 {
    60.0
}
fn default_concurrency() -> i64 {
    4
}

fn positive(key: &str, value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("service.{key} must be a positive number, not {value}"))
}

fn hash_of(key: &str, text: &str) -> Result<[u8; 32], String> {
    let hex = text
        .strip_prefix("sha256:")
        .ok_or_else(|| format!("service.{key}: {text:?} must be \"sha256:\" and 64 hex digits"))?;
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .filter_map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    bytes
        .try_into()
        .ok()
        .filter(|_| hex.len() == 64)
        .ok_or_else(|| format!("service.{key}: {text:?} must be \"sha256:\" and 64 hex digits"))
}

/// A web origin as browsers send it: `http(s)://host[:port]`, nothing after.
fn is_origin(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("http://").or_else(|| text.strip_prefix("https://")) else {
        return false;
    };
    !rest.is_empty() && !rest.contains(['/', '?', '#', ' ', '*'])
}

impl ServiceFile {
    /// Checks the section; paths are relative to `dir`.
    pub(crate) fn check(self, dir: &Path) -> Result<ServiceSettings, String> {
        let ledger = match self.ledger.as_str() {
            "" => return Err("service.ledger must name a SQLite file or a postgres:// URL".into()),
            url if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                LedgerLocation::Postgres(url.to_string())
            }
            path => LedgerLocation::Sqlite(dir.join(path)),
        };
        if self.api_tokens.is_empty() {
            return Err("service.api_tokens must list at least one token hash (\"sha256:...\")".into());
        }
        let token_hashes = self
            .api_tokens
            .iter()
            .map(|t| hash_of("api_tokens", t))
            .collect::<Result<_, _>>()?;
        let tls = match (self.tls_cert, self.tls_key) {
            (Some(c), Some(k)) => Some((dir.join(c), dir.join(k))),
            (None, None) => None,
            _ => return Err("service.tls_cert and service.tls_key go together".into()),
        };
        let count = |key: &str, v: i64, max: i64| -> Result<usize, String> {
            match v >= 1 && v <= max {
                true => Ok(v as usize),
                false => Err(format!("service.{key} must be from 1 to {max}, not {v}")),
            }
        };
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(format!(
                "service.listen must be an address and port such as 127.0.0.1:8080, not {:?}",
                self.listen
            ));
        }
        for origin in &self.allowed_origins {
            if !is_origin(origin) {
                return Err(format!(
                    "service.allowed_origins: {origin:?} must be a scheme, host and optional port such as \"http://127.0.0.1:8000\", without a path"
                ));
            }
        }
        Ok(ServiceSettings {
            listen: self.listen,
            ledger,
            token_hashes,
            tls,
            // No limit is published; 3,000 is the default, the bound guards memory.
            max_reports_per_record: count("max_reports_per_record", self.max_reports_per_record, 100_000)?,
            linger: match self.linger_seconds {
                s if s.is_finite() && s >= 0.0 => Duration::from_secs_f64(s),
                s => return Err(format!("service.linger_seconds must be 0 or more, not {s}")),
            },
            max_body_bytes: count("max_body_bytes", self.max_body_bytes, 1 << 34)? as u64,
            uncertain_limit: positive("uncertain_limit_seconds", self.uncertain_limit_seconds)?,
            lease: positive("lease_seconds", self.lease_seconds.unwrap_or(60.0))?,
            lease_given: self.lease_seconds.is_some(),
            retention: positive("retention_days", self.retention_days * 86_400.0)?,
            certificate_warning: positive("certificate_warning_days", self.certificate_warning_days * 86_400.0)?,
            concurrency: count("concurrency", self.concurrency, 256)?,
            allowed_origins: self.allowed_origins,
            channel: self.channel,
            channel_by_payer: self.channel_by_payer,
        })
    }
}

#[cfg(test)]
mod channel_tests {
    use super::*;

    fn check(extra: &str) -> Result<ServiceSettings, String> {
        let text = format!(
            "ledger = \"x.db\"\napi_tokens = [\"sha256:{}\"]\n{extra}",
            "0".repeat(64)
        );
        let file: ServiceFile = toml::from_str(&text).map_err(|e| e.to_string())?;
        file.check(Path::new("/conf"))
    }

    #[test]
    fn the_channel_is_global_or_per_payer() {
        let s = check("").unwrap();
        assert_eq!(s.channel_of("1234567-1"), Channel::Ws);
        assert!(!s.uses_sftp());
        let s = check("channel = \"sftp\"\n[channel_by_payer]\n\"7654321-7\" = \"ws\"\n").unwrap();
        assert_eq!(s.channel_of("1234567-1"), Channel::Sftp);
        assert_eq!(s.channel_of("7654321-7"), Channel::Ws);
        let s = check("[channel_by_payer]\n\"7654321-7\" = \"sftp\"\n").unwrap();
        assert_eq!(s.channel_of("1234567-1"), Channel::Ws);
        assert!(s.uses_sftp());
        let e = check("channel = \"ftp\"\n").unwrap_err();
        assert!(e.contains("channel") && e.contains("ftp"), "{e}");
    }
}
