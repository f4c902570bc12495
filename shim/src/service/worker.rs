//! The worker: claims what is due in the ledger and moves it on. A record
//! is signed and the signed bytes committed (`sending`) before any byte
//! leaves; a record that may have left (a lost answer, a killed instance)
//! is only ever sent again after a status query showed the Register does
//! not have it; acknowledged records are followed to their final feedback.

use super::current::CurrentClient;
use super::ledger::{self, state, Change, Claim, ItemResult, Ledger};
use super::live::Live;
use super::settings::ServiceSettings;
use crate::client::{NotSentReason, Outcome, PrepareError, Prepared, RejectReason, StatusQuery};
use crate::config::Polling;
use crate::operation;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tulorekisteri::Feedback;

/// Everything a worker task needs.
pub struct Worker {
    /// The ledger.
    pub ledger: Arc<Ledger>,
    /// The Register's client (replaced when a certificate is renewed).
    pub client: Arc<CurrentClient>,
    /// The service's settings.
    pub settings: ServiceSettings,
    /// This instance's name in leases.
    pub instance: String,
    /// Set at SIGTERM: finish what is in flight, claim nothing more.
    pub stopping: Arc<AtomicBool>,
    /// Woken when work arrives.
    pub wake: Arc<Notify>,
    /// Counters for `/metrics`.
    pub live: Arc<Live>,
    /// The SFTP account, when `[sftp]` is configured and a payer's channel
    /// is `sftp` (deferred records only).
    pub sftp: Option<Arc<super::sftp_channel::SftpChannel>>,
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("ledger task")
}

fn errors_json(list: &[tulorekisteri::feedback::ErrorInfo]) -> Vec<Value> {
    list.iter()
        .map(|e| json!({ "code": e.code, "message": e.message, "details": e.details }))
        .collect()
}

/// The final change a feedback makes.
pub(super) fn final_of(f: &Feedback, reason: Option<String>) -> Change {
    let items = f
        .valid_items
        .iter()
        .chain(&f.invalid_items)
        .map(|i| ItemResult {
            item_id: i.item_id.clone(),
            ir_item_id: i.ir_item_id.clone(),
            version: i.version,
            errors: errors_json(&i.errors),
        })
        .collect();
    let mut errors = errors_json(&f.message_errors);
    errors.extend(errors_json(&f.delivery_errors));
    Change::Final {
        status: f.status.code(),
        ir_delivery_id: f.ir_delivery_id.clone(),
        items,
        errors,
        reason,
    }
}

pub(super) fn after(d: Duration) -> f64 {
    ledger::now() + d.as_secs_f64()
}

impl Worker {
    /// Runs `settings.concurrency` loops until stopped; returns when
    /// every claimed record is settled.
    pub async fn run(self: Arc<Self>) {
        let mut tasks = vec![];
        for _ in 0..self.settings.concurrency {
            let me = self.clone();
            tasks.push(tokio::spawn(async move { me.work().await }));
        }
        for t in tasks {
            let _ = t.await;
        }
    }

    async fn work(&self) {
        let mut idle = Duration::from_millis(20);
        while !self.stopping.load(Ordering::SeqCst) {
            let (ledger, me, lease) = (
                self.ledger.clone(),
                self.instance.clone(),
                self.settings.lease.as_secs_f64(),
            );
            match blocking(move || ledger.claim(&me, ledger::now(), lease)).await {
                Ok(Some(claim)) => {
                    idle = Duration::from_millis(20);
                    self.handle(claim).await;
                }
                Ok(None) => {
                    let _ = tokio::time::timeout(idle, self.wake.notified()).await;
                    idle = (idle * 2).min(Duration::from_millis(200));
                }
                Err(e) => {
                    eprintln!("serve: the ledger failed to claim: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// Records `change` under the claim; false when its lease was lost.
    pub(super) async fn change(&self, claim: &Claim, change: Change) -> bool {
        let (ledger, token, record) = (self.ledger.clone(), claim.token.clone(), claim.id);
        let lease = self.settings.lease.as_secs_f64();
        let name = change_name(&change);
        match blocking(move || ledger.change(record, &token, &change, ledger::now(), lease)).await {
            Ok(true) => {
                if let Some(n) = name {
                    eprintln!("serve: record {record}: {n}");
                }
                self.wake.notify_waiters();
                true
            }
            Ok(false) => {
                eprintln!("serve: record {record}: the lease was lost; another instance has it");
                false
            }
            Err(e) => {
                eprintln!("serve: record {record}: the ledger failed: {e}");
                false
            }
        }
    }

    pub(super) async fn keep(&self, record: i64, operation: &'static str, request: Option<Vec<u8>>, outcome: &Outcome) {
        let answer = match outcome {
            Outcome::Delivered(a) => Some(a.record.clone()),
            Outcome::Rejected { answer, .. } => answer.clone(),
            _ => None,
        };
        let (ledger, summary, me) = (self.ledger.clone(), outcome.summary(), self.instance.clone());
        let kept = blocking(move || {
            ledger.keep_exchange(
                record,
                operation,
                &me,
                request.as_deref(),
                answer.as_deref(),
                &summary,
                ledger::now(),
            )
        })
        .await;
        if let Err(e) = kept {
            eprintln!("serve: record {record}: the exchange could not be kept: {e}");
        }
    }

    pub(super) fn polling(&self) -> Polling {
        *self.client.get().polling()
    }

    /// Whether the record goes (or went) over SFTP: a signed one as its
    /// kept status request says, an unsigned deferred one as its payer's
    /// channel says.
    fn over_sftp(&self, claim: &Claim) -> bool {
        use super::sftp_channel::{is_deferred, marked_sftp};
        match claim.signed {
            true => marked_sftp(claim.status_query.as_deref()),
            false => {
                is_deferred(&claim.root) && self.settings.channel_of(&claim.owner) == super::settings::Channel::Sftp
            }
        }
    }

    async fn handle(&self, claim: Claim) {
        if self.over_sftp(&claim) {
            return self.handle_sftp(&claim).await;
        }
        match (claim.state.as_str(), claim.signed) {
            (state::READY | state::SENDING, false) => self.sign_and_send(&claim).await,
            // Nothing of it left before (not sent, or signed and killed
            // before sending): the same bytes.
            (state::SENDING, true) if !claim.in_flight => {
                if let Some(p) = self.kept(&claim).await {
                    let change = Change::Sending {
                        signed: p.signed().to_vec(),
                        status_query: StatusQuery::of(&p, None).to_json().to_string(),
                    };
                    if self.change(&claim, change).await {
                        self.send(&claim, &p).await;
                    }
                }
            }
            (_, true) => self.ask(&claim).await,
            (_, false) => {
                // Sent or uncertain without signed bytes cannot happen.
                let reason = "the ledger holds no signed bytes of a record marked sent".into();
                self.change(&claim, Change::Attention { reason }).await;
            }
        }
    }

    /// The signed record kept for the claim, read again.
    pub(super) async fn kept(&self, claim: &Claim) -> Option<Prepared> {
        let (ledger, id) = (self.ledger.clone(), claim.id);
        let read = blocking(move || match ledger.signed(id) {
            Ok(Some(signed)) => Prepared::from_signed(signed).map_err(|e| e.to_string()),
            Ok(None) => Err("it is not there".into()),
            Err(e) => Err(e.to_string()),
        })
        .await;
        match read {
            Ok(p) => Some(p),
            Err(e) => {
                let reason = format!("the signed record kept in the ledger cannot be read again: {e}");
                self.change(claim, Change::Attention { reason }).await;
                None
            }
        }
    }

    /// The unsigned record of a claim: as posted, or built from its header
    /// and reports.
    pub(super) async fn unsigned(&self, claim: &Claim) -> Result<Vec<u8>, Change> {
        let (ledger, id) = (self.ledger.clone(), claim.id);
        if claim.posted {
            let ledger = ledger.clone();
            return match blocking(move || ledger.posted(id)).await {
                Ok(Some(xml)) => Ok(xml),
                other => Err(Change::Later {
                    next_at: after(Duration::from_secs(1)),
                    reason: format!("the posted record cannot be read: {:?}", other.err()),
                }),
            };
        }
        let bodies = blocking(move || ledger.report_bodies(id))
            .await
            .map_err(|e| Change::Later {
                next_at: after(Duration::from_secs(1)),
                reason: e.to_string(),
            })?;
        let reports: Vec<Value> = bodies.iter().filter_map(|b| serde_json::from_str(b).ok()).collect();
        let header: Value = claim
            .header
            .as_deref()
            .and_then(|h| serde_json::from_str(h).ok())
            .unwrap_or(Value::Null);
        let object = super::intake::record_object(
            &claim.root,
            &header,
            &claim.delivery_id,
            &crate::client::request::timestamp_now(),
            reports,
        );
        tulorekisteri::build(&object)
            .map(String::into_bytes)
            .map_err(|d| Change::RejectedLocally {
                reason: "the record made of the reports did not pass the local checks; nothing was sent".into(),
                errors: d.iter().map(diagnostic_json).collect(),
            })
    }

    /// The certificate for the record's purpose, when it can sign now.
    fn certificate_problem(&self, claim: &Claim) -> Option<String> {
        let purpose = operation::purpose(&claim.root, Some(claim.ddt))?;
        let client = self.client.get();
        let signer = match client.signer(Some(purpose)) {
            Ok(s) => s,
            Err(e) => return Some(format!("{e}; nothing was sent")),
        };
        let cert = signer.certificate();
        let now = ledger::now() as i64;
        if now > cert.not_after {
            return Some(format!(
                "the {} certificate expired at {}; nothing was sent (renew it)",
                purpose.key(),
                crate::client::request::timestamp(cert.not_after)
            ));
        }
        if now < cert.not_before {
            return Some(format!(
                "the {} certificate is valid only from {}; nothing was sent",
                purpose.key(),
                crate::client::request::timestamp(cert.not_before)
            ));
        }
        None
    }

    async fn sign_and_send(&self, claim: &Claim) {
        if let Some(reason) = self.certificate_problem(claim) {
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
        let client = self.client.get();
        let prepared = blocking(move || client.prepare(&xml)).await;
        let prepared = match prepared {
            Ok(p) => p,
            Err(PrepareError::Invalid(d)) => {
                let change = Change::RejectedLocally {
                    reason: "the record did not pass the local checks before signing; nothing was sent".into(),
                    errors: d
                        .iter()
                        .filter(|d| d.severity == tulorekisteri::Severity::Error)
                        .map(diagnostic_json)
                        .collect(),
                };
                self.change(claim, change).await;
                return;
            }
            Err(e) => {
                let reason = format!("{e}; nothing was sent");
                self.change(claim, Change::Attention { reason }).await;
                return;
            }
        };
        // Committed before any byte leaves.
        let change = Change::Sending {
            signed: prepared.signed().to_vec(),
            status_query: StatusQuery::of(&prepared, None).to_json().to_string(),
        };
        if self.change(claim, change).await {
            self.send(claim, &prepared).await;
        }
    }

    async fn send(&self, claim: &Claim, prepared: &Prepared) {
        let started = std::time::Instant::now();
        let outcome = self.client.get().send(prepared).await;
        self.live.sent(&claim.kind, started.elapsed(), outcome.name());
        self.keep(claim.id, prepared.operation().name, None, &outcome).await;
        let resend = claim.attempts >= 1;
        let change = match outcome {
            Outcome::Delivered(answer) => match answer.feedback {
                Some(f) if f.status.is_final() && f.status.code() != 0 => final_of(&f, None),
                Some(f) => Change::Sent {
                    ir_delivery_id: f.ir_delivery_id.clone(),
                    next_at: after(self.polling().first_after),
                },
                None => Change::Uncertain {
                    next_at: after(self.polling().first_after),
                    reason: "the answer carried no feedback".into(),
                    resend_refused: claim.resend_refused,
                },
            },
            Outcome::Rejected {
                reason: RejectReason::RejectedAtReception,
                ..
            } if resend && !claim.resend_refused => Change::Uncertain {
                // The first sending may be what the Register holds.
                next_at: after(self.polling().every),
                reason: "a resend was refused at reception: asking whether the first one arrived".into(),
                resend_refused: true,
            },
            Outcome::Rejected { reason, feedback, .. } => match feedback {
                Some(f) => final_of(&f, Some(reason.to_string())),
                None => Change::Final {
                    status: 4,
                    ir_delivery_id: None,
                    items: vec![],
                    errors: vec![json!({ "code": reason.kind(), "message": reason.to_string() })],
                    reason: Some(reason.to_string()),
                },
            },
            Outcome::NotSent {
                reason: NotSentReason::NoCertificate(p),
            } => Change::Attention {
                reason: format!(
                    "no certificate for {} is configured; nothing was sent",
                    p.map_or("any purpose", operation::Purpose::key)
                ),
            },
            Outcome::NotSent { reason } => Change::Retry {
                next_at: after(backoff(claim.attempts)),
                reason: format!("not sent: {reason}"),
            },
            Outcome::Uncertain { reason } => Change::Uncertain {
                next_at: after(self.polling().first_after),
                reason: format!("uncertain: {}", reason.kind()),
                resend_refused: claim.resend_refused,
            },
        };
        self.change(claim, change).await;
    }

    /// Asks the Register about a record that may have arrived or was
    /// acknowledged, and acts on the answer.
    async fn ask(&self, claim: &Claim) {
        let kept = claim.status_query.as_deref().and_then(|q| serde_json::from_str(q).ok());
        let Some(mut query) = kept.as_ref().and_then(StatusQuery::from_json) else {
            let reason = "the ledger holds no status request for the record".into();
            self.change(claim, Change::Attention { reason }).await;
            return;
        };
        if let Some(ir) = &claim.ir_delivery_id {
            query = query.ir_delivery_id(ir.clone());
        }
        let client = self.client.get();
        let request = match client.prepare_status(&query) {
            Ok(r) => r,
            Err(e) => {
                let reason = format!("the status request cannot be made: {e}");
                self.change(claim, Change::Attention { reason }).await;
                return;
            }
        };
        let started = std::time::Instant::now();
        let outcome = client.send(&request).await;
        self.live.polled(started.elapsed(), outcome.name());
        let kept = Some(request.into_signed());
        self.keep(claim.id, "GetDeliveryDataStatus", kept, &outcome).await;
        let acknowledged = claim.state == state::SENT;
        let now = ledger::now();
        let every = self.polling().every;
        let feedback = match &outcome {
            Outcome::Delivered(a) => a.feedback.clone(),
            _ => None,
        };
        let change = match feedback {
            // Not there, and never refused as a resend: the same bytes again.
            Some(f) if f.status.code() == 0 && !acknowledged && !claim.resend_refused => {
                if let Some(prepared) = self.kept(claim).await {
                    if self.change(claim, Change::Resending).await {
                        self.send(claim, &prepared).await;
                    }
                }
                return;
            }
            Some(f) if f.status.code() == 2 || f.status.code() == 1 => match acknowledged {
                true => self.still_waiting(claim, now, "still processing (status 2)".into()),
                false => Change::Sent {
                    ir_delivery_id: f.ir_delivery_id.clone(),
                    next_at: now + every.as_secs_f64(),
                },
            },
            Some(f) if f.status.code() != 0 => final_of(&f, None),
            // A resend refused at reception, and still "not found": the
            // first sending may be what the Register holds (a status that
            // lags), or both were refused. It cannot tell yet; nothing more
            // is sent, and past the limit a person decides.
            _ => match acknowledged {
                true => self.still_waiting(claim, now, format!("status request: {}", outcome.summary())),
                false => {
                    let since = claim.uncertain_since.unwrap_or(now);
                    if now - since > self.settings.uncertain_limit.as_secs_f64() {
                        Change::Attention {
                            reason: format!(
                                "the Register has not told for {:.0} s whether it holds the record; last: {}",
                                now - since,
                                outcome.summary()
                            ),
                        }
                    } else {
                        Change::Uncertain {
                            next_at: now + every.as_secs_f64(),
                            reason: format!("status request: {}", outcome.summary()),
                            resend_refused: claim.resend_refused,
                        }
                    }
                }
            },
        };
        self.change(claim, change).await;
    }

    /// An acknowledged record without final feedback: ask again, or, past
    /// the polling limit, attention.
    pub(super) fn still_waiting(&self, claim: &Claim, now: f64, reason: String) -> Change {
        let since = claim.acked_at.unwrap_or(now);
        match now - since > self.polling().give_up_after.as_secs_f64() {
            true => Change::Attention {
                reason: format!(
                    "no final feedback {:.0} s after the receipt; last: {reason}",
                    now - since
                ),
            },
            false => Change::Later {
                next_at: now + self.polling().every.as_secs_f64(),
                reason,
            },
        }
    }
}

/// Waits between sends that did not leave: 1, 2, 4 ... 60 s.
pub(super) fn backoff(attempts: i64) -> Duration {
    Duration::from_secs(1u64 << attempts.clamp(0, 6)).min(Duration::from_secs(60))
}

pub(super) fn diagnostic_json(d: &tulorekisteri::Diagnostic) -> Value {
    json!({
        "code": d.code.as_str(),
        "message": d.message,
        "details": d.path,
        "line": d.line,
        "column": d.column,
    })
}

/// A change's name for the log (no content, no identifiers but the id).
fn change_name(change: &Change) -> Option<String> {
    Some(match change {
        Change::Sending { .. } => "signed, sending".into(),
        Change::Resending => "not held by the Register: sending the same bytes again".into(),
        Change::Retry { reason, .. } => format!("{reason}; will try again"),
        Change::Uncertain { reason, .. } => reason.clone(),
        Change::Sent { .. } => "sent (acknowledged)".into(),
        Change::Later { .. } => return None,
        Change::Final { status, .. } => format!("final feedback: status {status}"),
        Change::RejectedLocally { .. } => "rejected by the local checks".into(),
        Change::Attention { reason } => format!("attention: {reason}"),
    })
}
