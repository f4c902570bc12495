//! Taking in a record renamed to `in/<name>.xml`: the processing of the
//! deferred Web Service operation of its root (`process::check`, then
//! `process::decide` under the store's lock, the change in the journal),
//! with the SFTP CA as the trust and the account's certificate in place of
//! the TLS client certificate. A record refused as it is (the message
//! level) gets a feedback file of status 4 with message errors instead of
//! a SOAP fault.
//!
//! The feedback file is written when it is due: for an accepted record once
//! its processing is over (plus `sftp-feedback-late`), from what is held
//! then, as the status query would answer; for a refused one at once (plus
//! the fault). What is due is kept in `DIR/sftp-pending/` (written before
//! the change goes to the journal, removed once the feedback file is
//! written), so a restart loses nothing; the record leaves `in/` once its
//! change is in the journal, and a record still in `in/` at the start is
//! taken in then.

use super::{Shared, FEEDBACK, IN};
use crate::operation::{self, Kind};
use crate::simulator::answers::{self, Feedback};
use crate::simulator::clock::{date_time, guid, now};
use crate::simulator::files::{write_atomic, PUBLIC};
use crate::simulator::inspect::Record;
use crate::simulator::process::{self, Context, Outcome, Trust};
use crate::simulator::store::{Delivery, ErrorInfo, SFTP};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A record renamed to its final name, to take in.
#[derive(Debug, Clone)]
pub struct Job {
    /// The account.
    pub user: String,
    /// Its name in `in/` (`<DeliveryId>.xml`).
    pub name: String,
    /// The certificate (DER) the session signed in with; `None` for a
    /// record found in `in/` at the start (then the account's current one).
    pub certificate: Option<Vec<u8>>,
}

/// A feedback file to write when it is due (`DIR/sftp-pending/<id>.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pending {
    /// The account.
    pub user: String,
    /// Its name in `feedback/`.
    pub name: String,
    /// When it is due (Unix seconds).
    pub due_at: f64,
    /// An accepted record: its owner, DeliveryDataType and DeliveryId; the
    /// feedback is what is held about it when due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<(String, i64, String)>,
    /// A record refused at reception: its feedback (`StatusResponseFromIR`,
    /// the object `build` takes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Value>,
    /// The SHA-256 of the record's file: a file found in `in/` at the start
    /// with it was taken in already (a stop came before its removal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Its file in `DIR/sftp-pending/`.
    #[serde(skip)]
    file: PathBuf,
}

fn pending_dir(dir: &Path) -> PathBuf {
    dir.join("sftp-pending")
}

/// The feedback files still due, each with its file.
fn pending_files(dir: &Path) -> Vec<Result<Pending, String>> {
    let Ok(entries) = fs::read_dir(pending_dir(dir)) else {
        return vec![];
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|f| f.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let bytes = fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let mut p: Pending =
                serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}; left as it is", file.display()))?;
            p.file = file;
            Ok(p)
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Pending {
    fn save(&self) -> Result<(), String> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        if let Some(parent) = self.file.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        write_atomic(&self.file, &bytes, PUBLIC).map_err(|e| format!("{}: {e}", self.file.display()))
    }

    fn done(&self) {
        if let Err(e) = fs::remove_file(&self.file) {
            if e.kind() != std::io::ErrorKind::NotFound {
                eprintln!("{}: {e}", self.file.display());
            }
        }
    }
}

/// Whether a DeliveryId can be a file name as it is.
fn file_name_safe(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && !id.starts_with('.')
        && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

fn log(user: &str, what: &str) {
    eprintln!("{} sftp {user}: {what}", date_time(now()));
}

/// The status query's answer about a delivery held (as `status` answers).
fn feedback_of(d: &Delivery, at: f64) -> Value {
    let mut f = Feedback {
        header: Some(d.echo.clone()),
        ir_delivery_id: d.ir_delivery_id.clone(),
        // Never "processing": the feedback is due only once it is over.
        status: d.status_at(at.max(d.ready_at)),
        ..Feedback::default()
    };
    if f.status != 2 {
        f.valid = d.valid_items.clone();
        f.invalid = d.invalid_items.clone();
        f.message_errors = d.message_errors.clone();
        f.delivery_errors = d.delivery_errors.clone();
    }
    answers::status_response(&f, at)
}

/// A receipt (`AckFromIR`) of a refused record as the feedback
/// (`StatusResponseFromIR`): the same header, status and errors.
fn feedback_of_ack(answer: &Value) -> Value {
    let ack = &answer["AckFromIR"];
    let mut root = Map::new();
    if let Some(header) = ack
        .get("DeliveryData")
        .filter(|h| h.as_object().is_some_and(|o| !o.is_empty()))
    {
        root.insert("DeliveryData".into(), header.clone());
    }
    root.insert("StatusResponse".into(), ack["AckData"].clone());
    json!({ "StatusResponseFromIR": root })
}

/// Takes in one record: the feedback to write when due, once the record's
/// change is in the journal and the record is out of `in/`; `None` when
/// nothing was taken (then the record stays in `in/`, for the next start).
pub fn take(shared: &Shared, job: &Job) -> Option<Pending> {
    let path = shared.account_root(&job.user).join(IN).join(&job.name);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            log(&job.user, &format!("in/{}: {e}", job.name));
            return None;
        }
    };
    let source = sha256_hex(&bytes);
    let faults = shared.faults();
    let late = faults.sftp_feedback_late();
    let text = std::str::from_utf8(&bytes).map_err(|_| "the record is not UTF-8".to_string());
    let rec = text.and_then(|t| Record::parse(t).map_err(|e| format!("the record is not well-formed XML: {e}")));
    let delivery_id = rec.as_ref().ok().and_then(|r| r.field(&["DeliveryId"]));
    let base = job.name.strip_suffix(".xml").unwrap_or(&job.name);
    let name = format!(
        "{}.xml",
        delivery_id.as_deref().filter(|d| file_name_safe(d)).unwrap_or(base)
    );
    let shown_id = delivery_id.clone().unwrap_or_else(|| "-".into());
    let mut pending = Pending {
        user: job.user.clone(),
        name,
        due_at: 0.0,
        delivery: None,
        answer: None,
        source: Some(source),
        file: pending_dir(&shared.dir).join(format!("{}.json", guid())),
    };

    // Refused as it is: feedback at once, nothing held.
    let refuse = |mut pending: Pending, message: String, header: Option<Value>| -> Option<Pending> {
        let at = now();
        let f = Feedback {
            header,
            status: 4,
            message_errors: vec![ErrorInfo::new("sim-reception", message.clone(), None)],
            ..Feedback::default()
        };
        pending.answer = Some(answers::status_response(&f, at));
        pending.due_at = at + late;
        if let Err(e) = pending.save() {
            log(&job.user, &format!("in/{}: the feedback cannot be kept: {e}", job.name));
            return None;
        }
        remove(&path);
        log(
            &job.user,
            &format!("in/{} DeliveryId={shown_id} status 4: refused ({message})", job.name),
        );
        Some(pending)
    };
    let rec = match rec {
        Ok(r) => r,
        Err(m) => return refuse(pending, m, None),
    };
    let header = Some(rec.echo());
    let Some(op) = operation::for_request(rec.root()).filter(|o| o.kind == Kind::Deferred) else {
        let m = format!(
            "{} is not a record the SFTP service takes: only those of the deferred operations (such as WageReportsRequestToIR)",
            rec.root()
        );
        return refuse(pending, m, header);
    };
    let certificate = job
        .certificate
        .clone()
        .or_else(|| shared.accounts.current(&job.user).into_iter().next());
    let Some(certificate) = certificate else {
        let m = format!("the account {} has no valid SFTP certificate", job.user);
        return refuse(pending, m, header);
    };
    let owner = rec.field(&["DeliveryDataOwner", "Code"]).unwrap_or_default();
    let kind = rec.int(&["DeliveryDataType"]).unwrap_or(0);
    let id = delivery_id.clone().unwrap_or_default();
    let trust = Trust {
        org_ca: shared.accounts.ca(),
        purposes: &[],
        // The account's certificates are checked at sign-in.
        refused: &|_| false,
    };
    let checked = match process::check(op, &bytes, Some(&certificate), &trust).1 {
        Ok(c) => c,
        Err(m) => {
            let m = m.replace(
                "the TLS client certificate",
                "the certificate the SFTP session signed in with",
            );
            return refuse(pending, m, header);
        }
    };

    let mut store = super::lock(&shared.store);
    let at = now();
    let cx = Context {
        processing_seconds: shared.processing_seconds,
        status_lag: faults.status_lag(),
        now: at,
    };
    let (answer, mut change, summary) = match process::decide(checked, &store.state, &cx) {
        Outcome::Answer {
            answer,
            change,
            summary,
            ..
        } => (answer, change, summary),
        Outcome::Refused(m) => {
            drop(store);
            return refuse(pending, m, header);
        }
    };
    // A duplicate of a record held keeps the channel that one came with.
    let held = store
        .state
        .delivery_position(&owner, kind, &id)
        .and_then(|i| store.state.deliveries.get(i))
        .is_some_and(|d| d.outcome != 4);
    let mut ready_at = at + shared.processing_seconds;
    for (_, d) in change.deliveries.iter_mut() {
        if !held && d.owner == owner && d.delivery_data_type == kind && d.delivery_id == id {
            d.channel = Some(SFTP.into());
            ready_at = d.ready_at;
        }
    }
    match answer["AckFromIR"]["AckData"]["DeliveryDataStatus"].as_i64() {
        Some(2) => {
            pending.delivery = Some((owner, kind, id));
            pending.due_at = ready_at + late;
        }
        _ => {
            pending.answer = Some(feedback_of_ack(&answer));
            pending.due_at = at + late;
        }
    }
    if let Err(e) = pending.save() {
        log(&job.user, &format!("in/{}: the feedback cannot be kept: {e}", job.name));
        return None;
    }
    if let Err(e) = store.commit(std::mem::take(&mut *change)) {
        pending.done();
        log(
            &job.user,
            &format!("in/{}: the state could not be saved ({e}); it stays in in/", job.name),
        );
        return None;
    }
    drop(store);
    remove(&path);
    log(&job.user, &format!("in/{} DeliveryId={shown_id} {summary}", job.name));
    Some(pending)
}

fn remove(path: &Path) {
    if let Err(e) = fs::remove_file(path) {
        eprintln!("{}: {e}", path.display());
    }
}

/// Writes a feedback file that is due, then forgets it.
fn write_feedback(shared: &Shared, pending: &Pending) {
    let at = now();
    let answer = match (&pending.delivery, &pending.answer) {
        (Some((owner, kind, id)), _) => {
            let store = super::lock(&shared.store);
            let held = store
                .state
                .delivery_position(owner, *kind, id)
                .and_then(|i| store.state.deliveries.get(i));
            match held {
                Some(d) => feedback_of(d, at),
                None => {
                    log(&pending.user, &format!("DeliveryId={id} is not held: no feedback"));
                    pending.done();
                    return;
                }
            }
        }
        (None, Some(answer)) => {
            let mut answer = answer.clone();
            if let Some(r) = answer.pointer_mut("/StatusResponseFromIR/StatusResponse") {
                r["IRResponseTimestamp"] = json!(date_time(at));
            }
            answer
        }
        (None, None) => {
            pending.done();
            return;
        }
    };
    let status = answer
        .pointer("/StatusResponseFromIR/StatusResponse/DeliveryDataStatus")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let signed = answers::signed(&answer, &shared.responder, at).or_else(|e| {
        // A header the answer's schema refuses (a refused record's) is left out.
        let mut bare = answer.clone();
        let removed = bare
            .pointer_mut("/StatusResponseFromIR")
            .and_then(Value::as_object_mut)
            .and_then(|root| root.remove("DeliveryData"));
        match removed {
            Some(_) => answers::signed(&bare, &shared.responder, at),
            None => Err(e),
        }
    });
    let xml = match signed {
        Ok(x) => x,
        Err(e) => {
            log(
                &pending.user,
                &format!("feedback/{}: cannot be made: {e}", pending.name),
            );
            pending.done();
            return;
        }
    };
    let folder = shared.account_root(&pending.user).join(FEEDBACK);
    let _writing = super::lock(&shared.writing);
    let written = fs::create_dir_all(&folder).and_then(|_| write_atomic(&folder.join(&pending.name), &xml, PUBLIC));
    match written {
        Ok(()) => {
            log(
                &pending.user,
                &format!("feedback/{} written (status {status})", pending.name),
            );
            pending.done();
        }
        // Kept: tried again at the next start.
        Err(e) => log(&pending.user, &format!("feedback/{}: {e}", pending.name)),
    }
}

/// Writes `pending`'s feedback file when it is due.
pub fn schedule(shared: Arc<Shared>, pending: Pending) {
    tokio::spawn(async move {
        let wait = (pending.due_at - now()).max(0.0);
        tokio::time::sleep(Duration::try_from_secs_f64(wait).unwrap_or_default()).await;
        let _ = tokio::task::spawn_blocking(move || write_feedback(&shared, &pending)).await;
    });
}

/// Takes in the records handed over, one at a time, in order.
pub async fn work(shared: Arc<Shared>, mut jobs: tokio::sync::mpsc::UnboundedReceiver<Job>) {
    while let Some(job) = jobs.recv().await {
        let worker = shared.clone();
        if let Ok(Some(pending)) = tokio::task::spawn_blocking(move || take(&worker, &job)).await {
            schedule(shared.clone(), pending);
        }
    }
}

/// At the start: the records left in `in/` under their final name (those
/// taken in already, whose removal a stop cut off, are removed), then the
/// feedback files still due.
pub fn resume(shared: &Arc<Shared>) {
    let pending: Vec<Pending> = pending_files(&shared.dir)
        .into_iter()
        .filter_map(|p| p.map_err(|e| eprintln!("{e}")).ok())
        .collect();
    for user in shared.users() {
        let folder = shared.account_root(&user).join(IN);
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".xml") && !n.starts_with('.'))
            .collect();
        names.sort();
        for name in names {
            let path = folder.join(&name);
            let source = fs::read(&path).map(|b| sha256_hex(&b)).ok();
            let taken = pending
                .iter()
                .any(|p| p.user == user && source.is_some() && p.source == source);
            if taken {
                remove(&path);
                log(&user, &format!("in/{name} was taken in before the last stop: removed"));
                continue;
            }
            log(&user, &format!("in/{name} was left at the last stop: taken in"));
            shared.take(Job {
                user: user.clone(),
                name,
                certificate: None,
            });
        }
    }
    for p in pending {
        schedule(shared.clone(), p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_receipt_becomes_the_feedback() {
        let ack = json!({ "AckFromIR": {
            "DeliveryData": { "DeliveryId": "d-1" },
            "AckData": { "DeliveryDataStatus": 4, "IRResponseId": "x" }
        }});
        let f = feedback_of_ack(&ack);
        assert_eq!(f["StatusResponseFromIR"]["DeliveryData"]["DeliveryId"], "d-1");
        assert_eq!(f["StatusResponseFromIR"]["StatusResponse"]["DeliveryDataStatus"], 4);
        let bare = feedback_of_ack(&json!({ "AckFromIR": { "DeliveryData": {}, "AckData": {} } }));
        assert!(bare["StatusResponseFromIR"].get("DeliveryData").is_none());
        assert!(file_name_safe("d-1_2.a"));
        for bad in ["", ".x", "a/b", "a b"] {
            assert!(!file_name_safe(bad), "{bad}");
        }
    }
}
