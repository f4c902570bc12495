//! The simulator's SFTP server (TR §2.3, NOTES.md §5.4; the SFTP
//! contract): SSH 2 with only the Register's algorithms, sign-in with the
//! key of the account's SFTP certificate, and per account
//! `DIR/sftp/<user>/` with `in/` (records: uploaded as `.part`, renamed to
//! `.xml`, then taken in with the processing of the deferred Web Service
//! operations), `feedback/` (the signed `StatusResponseFromIR` of each) and
//! `data/`. It shares the Web Service's state and journal, and its faults
//! file.

mod accounts;
mod handler;
mod intake;
mod server;

use super::faults::{FaultFile, Faults};
use super::journal::Store;
use accounts::Accounts;
use intake::Job;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tulorekisteri::signature::Signer;

/// The upload folder (the contract's `upload_dir`).
pub const IN: &str = "in";
/// The feedback folder (`feedback_dir`).
pub const FEEDBACK: &str = "feedback";
/// The distributed data's folder (`data_dir`).
pub const DATA: &str = "data";
/// The suffix of a record being uploaded (`temp_suffix`).
pub const TEMP_SUFFIX: &str = ".part";

/// How the SFTP server runs.
pub struct Options {
    /// The folder `init` made.
    pub dir: PathBuf,
    /// Where to listen (port 0: any free port).
    pub listen: String,
    /// How long a deferred record stays in processing.
    pub processing_seconds: f64,
    /// The faults at the start (the faults file follows).
    pub faults: Faults,
}

/// What the sessions and the intake share.
pub struct Shared {
    dir: PathBuf,
    accounts: Accounts,
    faults: Mutex<FaultFile>,
    store: Arc<Mutex<Store>>,
    responder: Signer,
    processing_seconds: f64,
    jobs: mpsc::UnboundedSender<Job>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    /// The faults in force now.
    fn faults(&self) -> Faults {
        lock(&self.faults).current()
    }

    /// `DIR/sftp/<user>`.
    fn account_root(&self, user: &str) -> PathBuf {
        self.dir.join("sftp").join(user)
    }

    /// Makes the account's three folders, if missing.
    fn make_account_folders(&self, user: &str) -> std::io::Result<()> {
        for f in [IN, FEEDBACK, DATA] {
            std::fs::create_dir_all(self.account_root(user).join(f))?;
        }
        Ok(())
    }

    /// The accounts that have a folder.
    fn users(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("sftp")) else {
            return vec![];
        };
        let mut users: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().join(IN).is_dir())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        users.sort();
        users
    }

    /// Hands a record over to the intake.
    fn take(&self, job: Job) {
        if self.jobs.send(job).is_err() {
            eprintln!("the SFTP intake has stopped; the record stays in in/ for the next start");
        }
    }
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    let path = dir.join(name);
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Whether `dir` has what the SFTP server needs (folders made before it
/// have not).
pub fn available(dir: &Path) -> bool {
    ["ca/sftp-ca.pem", "sftp/host-key.pem"]
        .iter()
        .all(|f| dir.join(f).is_file())
}

/// An SFTP server ready to serve: its keys read, its port bound.
pub struct Bound {
    shared: Arc<Shared>,
    listener: TcpListener,
    config: Arc<russh::server::Config>,
    jobs: mpsc::UnboundedReceiver<Job>,
}

/// Reads the SFTP server's keys and binds its port (on the running
/// runtime), so that what can fail fails before anything is printed.
pub async fn bind(options: Options, store: Arc<Mutex<Store>>) -> Result<Bound, String> {
    let dir = &options.dir;
    let host_pem = String::from_utf8(read(dir, "sftp/host-key.pem")?).map_err(|_| "sftp/host-key.pem is not PEM")?;
    let host_key = russh::keys::decode_secret_key(&host_pem, None).map_err(|e| format!("sftp/host-key.pem: {e}"))?;
    let responder_key =
        String::from_utf8(read(dir, "server/response-key.pem")?).map_err(|_| "server/response-key.pem is not PEM")?;
    let responder = Signer::from_pem(&responder_key, &read(dir, "server/response-cert.pem")?, None)
        .map_err(|e| format!("server/response-key.pem: {e}"))?;
    let (sender, jobs) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        dir: dir.clone(),
        accounts: Accounts::load(dir)?,
        faults: Mutex::new(FaultFile::new(dir, options.faults.clone())),
        store,
        responder,
        processing_seconds: options.processing_seconds,
        jobs: sender,
    });
    let listener = TcpListener::bind(&options.listen)
        .await
        .map_err(|e| format!("cannot listen for SFTP on {}: {e}", options.listen))?;
    Ok(Bound {
        shared,
        listener,
        config: Arc::new(server::config(host_key)),
        jobs,
    })
}

impl Bound {
    /// Prints `sftp listening on ADDR` on standard output, takes in what
    /// the last run left, and serves until the runtime stops.
    pub fn serve(self) {
        let addr = self
            .listener
            .local_addr()
            .map_or_else(|e| format!("? ({e})"), |a| a.to_string());
        {
            use std::io::Write;
            // Not println!: a reader that stopped after the first line must
            // not stop the server.
            let mut out = std::io::stdout();
            let _ = writeln!(out, "sftp listening on {addr}");
            let _ = out.flush();
        }
        let shared = self.shared;
        tokio::spawn(intake::work(shared.clone(), self.jobs));
        let resumed = shared.clone();
        tokio::spawn(async move { intake::resume(&resumed) });
        tokio::spawn(server::accept(self.listener, self.config, shared));
    }
}
