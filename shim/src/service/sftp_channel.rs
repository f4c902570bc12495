//! The worker's SFTP side: deferred records of payers whose channel is
//! `sftp` are signed with the SFTP certificate, committed (`sending`)
//! while the account's one session is held, then uploaded under a
//! temporary name and renamed, one file at a time. The Register's feedback
//! file is verified, its outcome committed, and only then removed. A
//! record whose upload may have reached the server is never sent again
//! unless its temporary file is still there (the rename never happened)
//! or a Web Service status query found nothing.

use super::ledger::{self, state, Change, Claim};
use super::worker::{after, backoff, final_of, Worker};
use crate::client::{PrepareError, Prepared, StatusQuery};
use crate::config::{Config, Timeouts};
use crate::operation::{self, Kind};
use crate::sftp::settings::name_safe;
use crate::sftp::{Session, SftpError, SftpSettings, UploadError};
use russh::keys::PrivateKey;
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard};
use tulorekisteri::signature::{self, Signer, VerifyOptions};
use tulorekisteri::{Feedback, Options, Severity};

/// The mark in a record's kept status request that it went over SFTP: it
/// is followed there, whatever the settings say later.
const CHANNEL_KEY: &str = "channel";

/// The SFTP account of the service: its settings, the SFTP certificate,
/// and its one session (opened when needed, again after a failure).
pub struct SftpChannel {
    /// `[sftp]`.
    pub settings: SftpSettings,
    timeouts: Timeouts,
    signer: Signer,
    /// The SFTP certificate's key, read once with the signer.
    key: Arc<PrivateKey>,
    response_ca: Vec<Vec<u8>>,
    session: Mutex<Option<Session>>,
}

impl std::fmt::Debug for SftpChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SftpChannel")
            .field("address", &self.settings.address)
            .field("user", &self.settings.user)
            .finish()
    }
}

/// What the server holds of a record.
#[derive(Debug, Default)]
pub struct Found {
    /// `in/<DeliveryId>.xml`: renamed, not processed yet.
    pub renamed: bool,
    /// `in/<DeliveryId>.xml.part`: the rename never happened.
    pub temp: bool,
    /// `feedback/<DeliveryId>.xml`.
    pub feedback: Option<Vec<u8>>,
}

/// The account's session, held: one operation at a time.
pub struct Held<'a> {
    channel: &'a SftpChannel,
    slot: MutexGuard<'a, Option<Session>>,
}

impl Held<'_> {
    async fn session(&mut self) -> Result<&mut Session, SftpError> {
        if self.slot.as_ref().is_some_and(Session::is_closed) {
            *self.slot = None;
        }
        if self.slot.is_none() {
            let c = self.channel;
            let s = Session::connect_with_key(&c.settings, &c.timeouts, c.key.clone()).await?;
            *self.slot = Some(s);
        }
        self.slot
            .as_mut()
            .ok_or_else(|| SftpError::Connection("no session".into()))
    }

    /// After an error: a session that may be broken is dropped.
    fn after<T>(&mut self, r: Result<T, SftpError>) -> Result<T, SftpError> {
        if let Err(e) = &r {
            if !matches!(e, SftpError::NotFound(_) | SftpError::Server(_)) {
                *self.slot = None;
            }
        }
        r
    }

    /// Uploads the record `delivery_id` under its temporary name.
    pub async fn upload_part(&mut self, delivery_id: &str, bytes: &[u8]) -> Result<(), UploadError> {
        let temp = self.channel.settings.temp_path(delivery_id);
        let session = self.session().await.map_err(UploadError::NotSent)?;
        let result = session.upload(&temp, bytes).await;
        if result.is_err() {
            *self.slot = None;
        }
        result
    }

    /// Renames the uploaded record `delivery_id` to its final name.
    pub async fn rename(&mut self, delivery_id: &str) -> Result<(), UploadError> {
        let s = &self.channel.settings;
        let (temp, name) = (s.temp_path(delivery_id), s.upload_path(delivery_id));
        let session = self.session().await.map_err(UploadError::Uncertain)?;
        let result = session.rename(&temp, &name).await;
        if result.is_err() {
            *self.slot = None;
        }
        result
    }

    /// The record's files on the server.
    pub async fn find(&mut self, delivery_id: &str) -> Result<Found, SftpError> {
        let s = self.channel.settings.clone();
        let listed = async { self.session().await?.list(&s.upload_dir).await }.await;
        let names = self.after(listed)?;
        let file = |p: String| p.rsplit('/').next().unwrap_or_default().to_string();
        let (temp, renamed) = (file(s.temp_path(delivery_id)), file(s.upload_path(delivery_id)));
        Ok(Found {
            renamed: names.contains(&renamed),
            temp: names.contains(&temp),
            feedback: self.feedback(delivery_id).await?,
        })
    }

    /// The record's feedback file, when it is there.
    pub async fn feedback(&mut self, delivery_id: &str) -> Result<Option<Vec<u8>>, SftpError> {
        let path = self.channel.settings.feedback_path(delivery_id);
        let read = async { self.session().await?.read(&path).await }.await;
        match self.after(read) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(SftpError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes `path` (gone already is fine).
    pub async fn remove(&mut self, path: &str) -> Result<(), SftpError> {
        match self.remove_exact(path).await {
            Err(SftpError::NotFound(_)) => Ok(()),
            other => other,
        }
    }

    /// Removes `path`; gone already is [`SftpError::NotFound`].
    pub async fn remove_exact(&mut self, path: &str) -> Result<(), SftpError> {
        let removed = async { self.session().await?.remove(path).await }.await;
        self.after(removed)
    }
}

impl SftpChannel {
    /// The channel of `config`'s `[sftp]`: its certificate is loaded now.
    pub fn new(config: &Config) -> Result<SftpChannel, String> {
        let settings = config
            .sftp
            .clone()
            .ok_or_else(|| format!("{}: no [sftp] section (see docs/sftp.md)", config.path.display()))?;
        let signer = settings.signer()?;
        let key = Arc::new(settings.ssh_key()?);
        Ok(SftpChannel {
            settings,
            timeouts: config.timeouts,
            signer,
            key,
            response_ca: config.response_ca.clone(),
            session: Mutex::new(None),
        })
    }

    /// The session, held until the value is dropped.
    pub async fn hold(&self) -> Held<'_> {
        Held {
            channel: self,
            slot: self.session.lock().await,
        }
    }

    /// The SFTP certificate's signer.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The feedback file `bytes` of the record of `claim`, verified off
    /// the async runtime: see [`check_feedback`].
    pub async fn verify_feedback(&self, bytes: Vec<u8>, claim: &Claim) -> (Vec<u8>, Result<Option<Feedback>, String>) {
        let (ca, id, owner, ddt) = (
            self.response_ca.clone(),
            claim.delivery_id.clone(),
            claim.owner.clone(),
            claim.ddt,
        );
        let checked = tokio::task::spawn_blocking(move || {
            let r = check_feedback(&ca, &bytes, &id, &owner, ddt);
            (bytes, r)
        })
        .await;
        match checked {
            Ok(done) => done,
            Err(e) => (vec![], Err(format!("its check failed: {e}"))),
        }
    }
}

/// The feedback file `bytes` of the record `delivery_id` (of `owner`, type
/// `ddt`), verified: signed by the Register (`response_ca`), schema-valid,
/// a `StatusResponseFromIR` about this DeliveryId. `Ok(None)`: it is about
/// another record with the same DeliveryId (another owner or type); it is
/// not this record's.
pub fn check_feedback(
    response_ca: &[Vec<u8>],
    bytes: &[u8],
    delivery_id: &str,
    owner: &str,
    ddt: i64,
) -> Result<Option<Feedback>, String> {
    let options = VerifyOptions::default().trust(response_ca.to_vec());
    let verified = signature::verify(bytes, &options).map_err(|e| format!("its signature: {e}"))?;
    if !verified.trust.is_trusted() {
        return Err(format!(
            "its signer is not trusted (response_ca): {}",
            verified.trust.problems.join("; ")
        ));
    }
    let problems = tulorekisteri::validate_bytes(bytes, &Options::default().schema_only());
    let errors = problems.iter().filter(|d| d.severity == Severity::Error).count();
    if errors > 0 {
        return Err(format!("it is not schema-valid ({errors} errors)"));
    }
    let feedback = tulorekisteri::read_feedback(bytes).map_err(|_| "it is not a StatusResponseFromIR".to_string())?;
    if feedback.delivery_id.as_deref() != Some(delivery_id) {
        return Err(format!(
            "it is about DeliveryId {:?}, not {delivery_id}",
            feedback.delivery_id.as_deref().unwrap_or("")
        ));
    }
    let echoed_owner = echoed_owner(bytes);
    let other_owner = echoed_owner.as_deref().is_some_and(|o| o != owner);
    let other_type = feedback.delivery_data_type.is_some_and(|t| t != ddt);
    Ok((!other_owner && !other_type).then_some(feedback))
}

/// The DeliveryDataOwner's Code of a feedback's DeliveryData echo.
fn echoed_owner(bytes: &[u8]) -> Option<String> {
    let options = Options::default().schema_only().unsigned(true);
    let object = tulorekisteri::parse_with(bytes, &options).ok()?;
    object
        .pointer("/StatusResponseFromIR/DeliveryData/DeliveryDataOwner/Code")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The status request kept for a record sent over SFTP (marked so).
fn sftp_query(prepared: &Prepared) -> String {
    let mut v = StatusQuery::of(prepared, None).to_json();
    v[CHANNEL_KEY] = Value::from("sftp");
    v.to_string()
}

/// Whether the kept status request says the record went over SFTP.
pub fn marked_sftp(status_query: Option<&str>) -> bool {
    status_query
        .and_then(|q| serde_json::from_str::<Value>(q).ok())
        .is_some_and(|v| v[CHANNEL_KEY] == "sftp")
}

/// Whether the record is deferred (only those may go over SFTP).
pub fn is_deferred(root: &str) -> bool {
    operation::for_request(root).is_some_and(|o| o.kind == Kind::Deferred)
}

impl Worker {
    /// A claimed record that goes (or went) over SFTP.
    pub(super) async fn handle_sftp(&self, claim: &Claim) {
        let Some(sftp) = self.sftp.clone() else {
            let reason = "the record goes over SFTP, but the configuration has no [sftp] section".into();
            self.change(claim, Change::Attention { reason }).await;
            return;
        };
        if !name_safe(&claim.delivery_id) {
            let reason = format!(
                "DeliveryId {:?} cannot be a file name on the SFTP server (only A-Z a-z 0-9 . _ -, not starting with '.', at most 40); nothing was sent over SFTP",
                claim.delivery_id
            );
            self.change(claim, Change::Attention { reason }).await;
            return;
        }
        match (claim.state.as_str(), claim.signed) {
            (state::READY | state::SENDING, false) => self.sftp_sign_and_send(&sftp, claim).await,
            // Nothing of it left before: the same bytes.
            (state::SENDING, true) if !claim.in_flight => {
                if let Some(p) = self.kept(claim).await {
                    self.sftp_send(&sftp, claim, &p, false).await;
                }
            }
            (state::SENT, true) => self.sftp_follow(&sftp, claim).await,
            (_, true) => self.sftp_resolve(&sftp, claim).await,
            (_, false) => {
                let reason = "the ledger holds no signed bytes of a record marked sent".into();
                self.change(claim, Change::Attention { reason }).await;
            }
        }
    }

    fn sftp_certificate_problem(&self, sftp: &SftpChannel) -> Option<String> {
        let cert = sftp.signer().certificate();
        let now = ledger::now() as i64;
        let at = crate::client::request::timestamp;
        if now > cert.not_after {
            return Some(format!(
                "the SFTP certificate expired at {}; nothing was sent (renew it)",
                at(cert.not_after)
            ));
        }
        (now < cert.not_before).then(|| {
            format!(
                "the SFTP certificate is valid only from {}; nothing was sent",
                at(cert.not_before)
            )
        })
    }

    async fn sftp_sign_and_send(&self, sftp: &std::sync::Arc<SftpChannel>, claim: &Claim) {
        if let Some(reason) = self.sftp_certificate_problem(sftp) {
            self.change(claim, Change::Attention { reason }).await;
            return;
        }
        let xml = match self.unsigned(claim).await {
            Ok(x) => x,
            Err(change) => {
                self.change(claim, change).await;
                return;
            }
        };
        let (channel, production) = (sftp.clone(), self.client.get().production());
        let prepared = tokio::task::spawn_blocking(move || {
            crate::client::prepare::prepare(xml, production, |_| Ok(channel.signer()))
        })
        .await;
        let prepared = match prepared {
            Ok(Ok(p)) => p,
            Ok(Err(PrepareError::Invalid(d))) => {
                let change = Change::RejectedLocally {
                    reason: "the record did not pass the local checks before signing; nothing was sent".into(),
                    errors: d
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .map(super::worker::diagnostic_json)
                        .collect(),
                };
                self.change(claim, change).await;
                return;
            }
            Ok(Err(e)) => {
                let reason = format!("{e}; nothing was sent");
                self.change(claim, Change::Attention { reason }).await;
                return;
            }
            Err(e) => {
                let reason = format!("signing failed: {e}; nothing was sent");
                self.change(claim, Change::Attention { reason }).await;
                return;
            }
        };
        self.sftp_send(sftp, claim, &prepared, false).await;
    }

    /// Holds the session, commits `sending` (or `resending`), uploads, and
    /// records the outcome. The commit under the held session means no
    /// byte leaves unless this claim still holds the record.
    async fn sftp_send(&self, sftp: &SftpChannel, claim: &Claim, prepared: &Prepared, again: bool) {
        let mut held = sftp.hold().await;
        // The server's files are named by the DeliveryId alone: a record
        // with the DeliveryId of another (another owner's, or another
        // type's) waits until that one is final. Checked and committed
        // under the held session, so no two go at once.
        if !again {
            if let Some(change) = self.sftp_name_taken(claim).await {
                drop(held);
                self.change(claim, change).await;
                return;
            }
        }
        let commit = match again {
            true => Change::Resending,
            false => Change::Sending {
                signed: prepared.signed().to_vec(),
                status_query: sftp_query(prepared),
            },
        };
        if !self.change(claim, commit).await {
            return;
        }
        let started = std::time::Instant::now();
        let uploaded = match held.upload_part(&claim.delivery_id, prepared.signed()).await {
            // The lease, extended before the rename: a claim that lost it
            // renames nothing (another claim has the record and its part
            // file now).
            Ok(()) if !self.extend_lease(claim).await => {
                eprintln!(
                    "serve: record {}: the lease was lost during the SFTP upload; not renamed",
                    claim.id
                );
                return;
            }
            Ok(()) => held.rename(&claim.delivery_id).await,
            Err(e) => Err(e),
        };
        drop(held);
        let (name, summary) = match &uploaded {
            Ok(()) => ("delivered", "uploaded and renamed".to_string()),
            Err(UploadError::NotSent(e)) => ("not-sent", format!("not-sent ({})", e.kind())),
            Err(UploadError::Uncertain(e)) => ("uncertain", format!("uncertain ({})", e.kind())),
        };
        self.live.sent(&claim.kind, started.elapsed(), name);
        self.keep_sftp(claim.id, "SFTP upload", None, &summary).await;
        let polling = self.polling();
        let change = match uploaded {
            Ok(()) => Change::Sent {
                ir_delivery_id: None,
                next_at: after(polling.first_after),
            },
            // A refused login is not fixed by trying again: a revoked or
            // wrong SFTP key needs a person.
            Err(UploadError::NotSent(e)) if e.is_configuration() || matches!(e, SftpError::Auth(_)) => {
                Change::Attention {
                    reason: format!("{e}; nothing was sent"),
                }
            }
            Err(UploadError::NotSent(e)) => Change::Retry {
                next_at: after(backoff(claim.attempts)),
                reason: format!("not sent over SFTP: {e}"),
            },
            // Looked at soon (the files on the server usually tell), later
            // after each cut-off upload: 1, 2, 4 ... 60 s.
            Err(UploadError::Uncertain(e)) => Change::Uncertain {
                next_at: after(backoff(claim.attempts)),
                reason: format!("uncertain: the SFTP upload had begun ({})", e.kind()),
                resend_refused: claim.resend_refused,
            },
        };
        self.change(claim, change).await;
    }

    /// Another unfinished SFTP record with this DeliveryId: wait for it.
    async fn sftp_name_taken(&self, claim: &Claim) -> Option<Change> {
        let (ledger, id, delivery_id) = (self.ledger.clone(), claim.id, claim.delivery_id.clone());
        let holder = tokio::task::spawn_blocking(move || ledger.sftp_name_holder(id, &delivery_id)).await;
        let reason = match holder {
            Ok(Ok(None)) => return None,
            Ok(Ok(Some((other, state)))) => format!(
                "waits: record {other} ({state}) with the same DeliveryId is on the SFTP server until it is final"
            ),
            Ok(Err(e)) => format!("the ledger failed: {e}"),
            Err(e) => format!("the ledger failed: {e}"),
        };
        Some(Change::Later {
            next_at: after(self.polling().every),
            reason,
        })
    }

    /// Extends the claim's lease before a rename; false when it was lost.
    async fn extend_lease(&self, claim: &Claim) -> bool {
        let (ledger, id, token) = (self.ledger.clone(), claim.id, claim.token.clone());
        let lease = self.settings.lease.as_secs_f64();
        let extended = tokio::task::spawn_blocking(move || ledger.extend_lease(id, &token, ledger::now(), lease)).await;
        matches!(extended, Ok(Ok(true)))
    }

    async fn keep_sftp(&self, record: i64, operation: &'static str, answer: Option<Vec<u8>>, summary: &str) {
        let (ledger, me, summary) = (self.ledger.clone(), self.instance.clone(), summary.to_string());
        let kept = tokio::task::spawn_blocking(move || {
            ledger.keep_exchange(record, operation, &me, None, answer.as_deref(), &summary, ledger::now())
        })
        .await;
        if let Ok(Err(e)) = kept {
            eprintln!("serve: record {record}: the exchange could not be kept: {e}");
        }
    }

    /// Commits the feedback file's outcome, then removes the file. `None`:
    /// the file is another record's (the same DeliveryId, another owner or
    /// type), left where it is.
    async fn sftp_feedback(&self, sftp: &SftpChannel, claim: &Claim, bytes: Vec<u8>) -> Option<()> {
        let (bytes, checked) = sftp.verify_feedback(bytes, claim).await;
        let now = ledger::now();
        let every = self.polling().every.as_secs_f64();
        let change = match checked {
            Ok(None) => {
                eprintln!(
                    "serve: record {}: the feedback file of its DeliveryId is about another owner's or type's record; left there",
                    claim.id
                );
                return None;
            }
            // A resend refused at reception (a DeliveryId used before):
            // the first sending may be what the Register holds. Its own
            // feedback comes under the same name, or a status query tells.
            Ok(Some(f)) if f.status.code() == 4 && claim.attempts > 1 && !claim.resend_refused => Change::Uncertain {
                next_at: now + every,
                reason: "a resend was refused at reception: asking whether the first one arrived".into(),
                resend_refused: true,
            },
            Ok(Some(f)) if f.status.is_final() && f.status.code() != 0 => final_of(&f, None),
            // Received or processing: it arrived.
            Ok(Some(f)) if claim.state != state::SENT && matches!(f.status.code(), 1 | 2) => Change::Sent {
                ir_delivery_id: f.ir_delivery_id.clone(),
                next_at: now + every,
            },
            Ok(Some(f)) => self.still_waiting(claim, now, format!("the feedback file says status {}", f.status.code())),
            Err(e) => {
                let path = sftp.settings.feedback_path(&claim.delivery_id);
                let reason = format!("the feedback file {path} cannot be trusted: {e}");
                self.change(claim, Change::Attention { reason }).await;
                return Some(());
            }
        };
        self.keep_sftp(claim.id, "SFTP feedback", Some(bytes), "feedback read")
            .await;
        if self.change(claim, change).await {
            let path = sftp.settings.feedback_path(&claim.delivery_id);
            if let Err(e) = sftp.hold().await.remove(&path).await {
                eprintln!(
                    "serve: record {}: the feedback file could not be removed: {}",
                    claim.id,
                    e.kind()
                );
            }
        }
        Some(())
    }

    /// An acknowledged record: its feedback file, or wait.
    async fn sftp_follow(&self, sftp: &SftpChannel, claim: &Claim) {
        let read = sftp.hold().await.feedback(&claim.delivery_id).await;
        let read = match read {
            Ok(Some(bytes)) => match self.sftp_feedback(sftp, claim, bytes).await {
                Some(()) => return,
                None => Ok(None),
            },
            other => other,
        };
        match read {
            Ok(Some(_)) => {}
            Ok(None) => {
                let change = self.still_waiting(claim, ledger::now(), "no feedback file yet".into());
                self.change(claim, change).await;
            }
            Err(e) => {
                let change = self.still_waiting(claim, ledger::now(), format!("SFTP: {e}"));
                self.change(claim, change).await;
            }
        }
    }

    /// A record that may have reached the server: the files there tell,
    /// else a Web Service status query, else wait.
    async fn sftp_resolve(&self, sftp: &SftpChannel, claim: &Claim) {
        let found = sftp.hold().await.find(&claim.delivery_id).await;
        let found = match found {
            Ok(f) => f,
            Err(e) => {
                let change = self.sftp_still_uncertain(claim, format!("SFTP: {e}"));
                self.change(claim, change).await;
                return;
            }
        };
        if let Some(bytes) = found.feedback {
            if self.sftp_feedback(sftp, claim, bytes).await.is_some() {
                return;
            }
        }
        if found.renamed {
            if found.temp {
                let _ = sftp
                    .hold()
                    .await
                    .remove(&sftp.settings.temp_path(&claim.delivery_id))
                    .await;
            }
            let change = Change::Sent {
                ir_delivery_id: None,
                next_at: after(self.polling().first_after),
            };
            self.change(claim, change).await;
            return;
        }
        if found.temp {
            // Never renamed, so never processed: the same bytes again, but
            // not for ever.
            if let Some(change) = self.sftp_past_limit(claim, "its part file is still on the SFTP server") {
                self.change(claim, change).await;
                return;
            }
            let temp = sftp.settings.temp_path(&claim.delivery_id);
            let removed = sftp.hold().await.remove_exact(&temp).await;
            if let Err(e) = removed {
                // Gone since the listing: an earlier session's rename may
                // have completed meanwhile. Look again, send nothing.
                let change = self.sftp_still_uncertain(claim, format!("SFTP: {e}"));
                self.change(claim, change).await;
                return;
            }
            if let Some(p) = self.kept(claim).await {
                self.sftp_send(sftp, claim, &p, true).await;
            }
            return;
        }
        self.sftp_ask_ws(sftp, claim).await;
    }

    /// No file tells: ask the Web Service, when a certificate for the
    /// purpose is configured.
    async fn sftp_ask_ws(&self, sftp: &SftpChannel, claim: &Claim) {
        let client = self.client.get();
        let query = claim
            .status_query
            .as_deref()
            .and_then(|q| serde_json::from_str(q).ok())
            .and_then(|v: Value| StatusQuery::from_json(&v));
        let request = query.and_then(|q| client.prepare_status(&q).ok());
        let Some(request) = request else {
            let change = self.sftp_still_uncertain(
                claim,
                "no file on the SFTP server tells, and no Web Service certificate to ask with".into(),
            );
            self.change(claim, change).await;
            return;
        };
        let started = std::time::Instant::now();
        let outcome = client.send(&request).await;
        self.live.polled(started.elapsed(), outcome.name());
        let feedback = match &outcome {
            crate::client::Outcome::Delivered(a) => a.feedback.clone(),
            _ => None,
        };
        self.keep(claim.id, "GetDeliveryDataStatus", Some(request.into_signed()), &outcome)
            .await;
        let now = ledger::now();
        let every = self.polling().every.as_secs_f64();
        let change = match feedback {
            Some(f) if f.status.code() == 0 && !claim.resend_refused => {
                if let Some(p) = self.kept(claim).await {
                    self.sftp_send(sftp, claim, &p, true).await;
                }
                return;
            }
            Some(f) if f.status.code() == 1 || f.status.code() == 2 => Change::Sent {
                ir_delivery_id: f.ir_delivery_id.clone(),
                next_at: now + every,
            },
            // Final by the status query: its feedback file, when it comes,
            // is left on the server.
            Some(f) if f.status.code() != 0 => final_of(&f, None),
            _ => self.sftp_still_uncertain(claim, format!("status request: {}", outcome.summary())),
        };
        self.change(claim, change).await;
    }

    /// Still uncertain: look again, or past the limit, attention.
    fn sftp_still_uncertain(&self, claim: &Claim, reason: String) -> Change {
        self.sftp_past_limit(claim, &reason)
            .unwrap_or_else(|| Change::Uncertain {
                next_at: ledger::now() + self.polling().every.as_secs_f64(),
                reason,
                resend_refused: claim.resend_refused,
            })
    }

    /// Attention when the record has been uncertain longer than
    /// `uncertain_limit_seconds`.
    fn sftp_past_limit(&self, claim: &Claim, reason: &str) -> Option<Change> {
        let now = ledger::now();
        let since = claim.uncertain_since.unwrap_or(now);
        (now - since > self.settings.uncertain_limit.as_secs_f64()).then(|| Change::Attention {
            reason: format!(
                "it has not been told for {:.0} s whether the Register holds the record; last: {reason}",
                now - since
            ),
        })
    }
}
