//! The faults the simulator injects (the contract's table): their names,
//! `KIND=PROBABILITY` arguments, `DIR/faults.json`, which a running server
//! reads again when its modification time changes, and the per-request
//! draw.

use super::clock::draw;
use super::files::{write_atomic, PUBLIC};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A fault drawn for one request (or, `ResetBeforeRead`, one connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Close the TCP connection at once, before the TLS handshake.
    ResetBeforeRead,
    /// Answer HTTP 503; store nothing.
    Http503,
    /// Answer a `soap:Server` fault; store nothing.
    SoapFault,
    /// Store, then close without an answer.
    ResetAfterStore,
    /// Store, then answer HTTP 500 with a plain-text body.
    Http500AfterStore,
    /// Store, then answer only after `--slow-seconds`.
    SlowResponse,
    /// Store, then send the headers and half of the body, and close.
    TruncatedResponse,
    /// Store, then answer signed with the forger CA's certificate.
    ForgedSignature,
    /// Store, then change a signed character of the signed answer.
    TamperedResponse,
    /// Store, then answer about another delivery.
    WrongResponse,
}

/// Every fault, in the order they are drawn.
pub const ALL: [Fault; 10] = [
    Fault::ResetBeforeRead,
    Fault::Http503,
    Fault::SoapFault,
    Fault::ResetAfterStore,
    Fault::Http500AfterStore,
    Fault::SlowResponse,
    Fault::TruncatedResponse,
    Fault::ForgedSignature,
    Fault::TamperedResponse,
    Fault::WrongResponse,
];

/// The one fault that is a number of seconds, not a probability.
pub const STATUS_LAG: &str = "status-lag";

/// SFTP: close the connection after about half of a `.part` upload's bytes.
pub const SFTP_DROP_DURING_UPLOAD: &str = "sftp-drop-during-upload";
/// SFTP: on the rename to the final name, close the connection instead.
pub const SFTP_DROP_BEFORE_RENAME: &str = "sftp-drop-before-rename";
/// SFTP: feedback files appear this many seconds after processing ends.
pub const SFTP_FEEDBACK_LATE: &str = "sftp-feedback-late";

/// The SFTP server's faults that are probabilities.
const SFTP_PROBABILITIES: [&str; 2] = [SFTP_DROP_DURING_UPLOAD, SFTP_DROP_BEFORE_RENAME];

/// The faults that are a number of seconds.
const SECONDS: [&str; 2] = [STATUS_LAG, SFTP_FEEDBACK_LATE];

impl Fault {
    /// Its name in `--fault` and `faults.json`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::ResetBeforeRead => "reset-before-read",
            Fault::Http503 => "http-503",
            Fault::SoapFault => "soap-fault",
            Fault::ResetAfterStore => "reset-after-store",
            Fault::Http500AfterStore => "http-500-after-store",
            Fault::SlowResponse => "slow-response",
            Fault::TruncatedResponse => "truncated-response",
            Fault::ForgedSignature => "forged-signature",
            Fault::TamperedResponse => "tampered-response",
            Fault::WrongResponse => "wrong-response",
        }
    }

    /// Whether the record is processed (and stored) before the fault.
    pub fn stores(self) -> bool {
        !matches!(self, Fault::ResetBeforeRead | Fault::Http503 | Fault::SoapFault)
    }
}

/// The faults in force: each kind's probability, and the status lag.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// By name; the status lag in seconds under [`STATUS_LAG`].
    pub values: BTreeMap<String, f64>,
}

impl Faults {
    /// Reads `KIND=PROBABILITY` arguments (and `status-lag=SECONDS`).
    pub fn parse(args: &[String]) -> Result<Faults, String> {
        let mut values = BTreeMap::new();
        for arg in args {
            let (kind, value) = arg
                .split_once('=')
                .ok_or_else(|| format!("{arg:?}: expected KIND=PROBABILITY, e.g. http-503=0.5"))?;
            let v: f64 = value
                .trim()
                .parse()
                .map_err(|_| format!("{arg:?}: {value:?} is not a number"))?;
            Faults::check(kind, v).map_err(|m| format!("{arg:?}: {m}"))?;
            values.insert(kind.to_string(), v);
        }
        Ok(Faults { values })
    }

    fn check(kind: &str, v: f64) -> Result<(), String> {
        if SECONDS.contains(&kind) {
            return match v.is_finite() && v >= 0.0 {
                true => Ok(()),
                false => Err(format!("{kind} is a number of seconds, 0 or more")),
            };
        }
        if !ALL.iter().any(|f| f.name() == kind) && !SFTP_PROBABILITIES.contains(&kind) {
            let names: Vec<&str> = ALL
                .iter()
                .map(|f| f.name())
                .chain(SFTP_PROBABILITIES)
                .chain(SECONDS)
                .collect();
            return Err(format!("unknown fault {kind:?}; the faults are {}", names.join(", ")));
        }
        match (0.0..=1.0).contains(&v) {
            true => Ok(()),
            false => Err("a probability is from 0 to 1".into()),
        }
    }

    /// Reads `faults.json` text.
    pub fn from_json(text: &str) -> Result<Faults, String> {
        let values: BTreeMap<String, f64> = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for (k, v) in &values {
            Faults::check(k, *v)?;
        }
        Ok(Faults { values })
    }

    /// As `faults.json` holds them.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.values).unwrap_or_else(|_| "{}".into()) + "\n"
    }

    /// Writes `DIR/faults.json` atomically.
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        let path = dir.join("faults.json");
        write_atomic(&path, self.to_json().as_bytes(), PUBLIC).map_err(|e| format!("{}: {e}", path.display()))
    }

    fn probability(&self, f: Fault) -> f64 {
        self.values.get(f.name()).copied().unwrap_or(0.0)
    }

    /// Whether a new connection is closed at once (`reset-before-read`).
    pub fn draw_connection(&self) -> bool {
        let p = self.probability(Fault::ResetBeforeRead);
        p > 0.0 && draw() < p
    }

    /// The fault for one request, if any: each kind drawn on its own, in
    /// the table's order; the first that comes up applies.
    pub fn draw_request(&self) -> Option<Fault> {
        ALL[1..].iter().copied().find(|&f| {
            let p = self.probability(f);
            p > 0.0 && draw() < p
        })
    }

    /// How long after a record arrived the status service still says "not
    /// found".
    pub fn status_lag(&self) -> f64 {
        self.values.get(STATUS_LAG).copied().unwrap_or(0.0)
    }

    /// Whether the SFTP fault `kind` (a probability) comes up this time.
    pub fn draw_sftp(&self, kind: &str) -> bool {
        let p = self.values.get(kind).copied().unwrap_or(0.0);
        p > 0.0 && draw() < p
    }

    /// How long after processing ends an SFTP feedback file appears.
    pub fn sftp_feedback_late(&self) -> f64 {
        self.values.get(SFTP_FEEDBACK_LATE).copied().unwrap_or(0.0)
    }

    /// `kind=value ...`, or `none`.
    pub fn describe(&self) -> String {
        match self.values.is_empty() {
            true => "none".into(),
            false => self
                .values
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// `DIR/faults.json`, read again whenever its modification time (or size)
/// changes.
pub struct FaultFile {
    path: PathBuf,
    seen: Option<(SystemTime, u64)>,
    current: Faults,
}

impl FaultFile {
    /// Watches `DIR/faults.json`, starting with `current`.
    pub fn new(dir: &Path, current: Faults) -> FaultFile {
        let path = dir.join("faults.json");
        let seen = FaultFile::stamp(&path);
        FaultFile { path, seen, current }
    }

    fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
        let m = std::fs::metadata(path).ok()?;
        Some((m.modified().ok()?, m.len()))
    }

    /// The faults in force now.
    pub fn current(&mut self) -> Faults {
        let stamp = FaultFile::stamp(&self.path);
        if stamp != self.seen {
            self.seen = stamp;
            let read = match stamp {
                None => Ok(Faults::default()),
                Some(_) => std::fs::read_to_string(&self.path)
                    .map_err(|e| e.to_string())
                    .and_then(|t| Faults::from_json(&t)),
            };
            match read {
                Ok(f) => {
                    if f != self.current {
                        eprintln!("faults now: {}", f.describe());
                    }
                    self.current = f;
                }
                Err(e) => eprintln!(
                    "{}: {e}; keeping the faults {}",
                    self.path.display(),
                    self.current.describe()
                ),
            }
        }
        self.current.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_named_and_bounded() {
        let f = Faults::parse(&["http-503=1".into(), "status-lag=10".into()]).unwrap();
        assert_eq!(f.draw_request(), Some(Fault::Http503));
        assert_eq!(f.status_lag(), 10.0);
        assert!(!f.draw_connection());
        assert_eq!(Faults::from_json(&f.to_json()).unwrap(), f);
        for bad in [
            "http-503",
            "http-503=2",
            "nonsense=0.1",
            "status-lag=-1",
            "soap-fault=x",
        ] {
            assert!(Faults::parse(&[bad.into()]).is_err(), "{bad}");
        }
        assert_eq!(Faults::default().draw_request(), None);
    }

    #[test]
    fn sftp_faults_are_named_and_bounded() {
        let f = Faults::parse(&["sftp-drop-during-upload=1".into(), "sftp-feedback-late=3".into()]).unwrap();
        assert!(f.draw_sftp(SFTP_DROP_DURING_UPLOAD));
        assert!(!f.draw_sftp(SFTP_DROP_BEFORE_RENAME));
        assert_eq!(f.sftp_feedback_late(), 3.0);
        // Not Web Service faults: a request draws none of them.
        assert_eq!(f.draw_request(), None);
        for bad in [
            "sftp-drop-before-rename=1.5",
            "sftp-feedback-late=-2",
            "sftp-nonsense=1",
        ] {
            assert!(Faults::parse(&[bad.into()]).is_err(), "{bad}");
        }
    }
}
