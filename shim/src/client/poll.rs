//! Following a deferred record after its receipt (TR §4.2.4, §11): ask
//! `GetDeliveryDataStatus` first `first_after` the receipt, then every
//! `every`, and give up at `give_up_after` or at the caller's own limit,
//! whichever comes first.

use super::outcome::Outcome;
use super::prepare::{PrepareError, Prepared};
use super::request::StatusQuery;
use super::Client;
use crate::config::Polling;
use std::time::Duration;
use tokio::time::Instant;
use tulorekisteri::{DeliveryStatus, Feedback};

/// When to ask: offsets from the receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// The first request, after the receipt.
    pub first_after: Duration,
    /// Between requests.
    pub every: Duration,
    /// No request after this, counted from the receipt.
    pub limit: Duration,
}

impl Schedule {
    /// The configured policy, limited further by `wait` (the command's
    /// `--wait`) when given.
    pub fn new(polling: &Polling, wait: Option<Duration>) -> Schedule {
        Schedule {
            first_after: polling.first_after,
            every: polling.every,
            limit: wait.map_or(polling.give_up_after, |w| w.min(polling.give_up_after)),
        }
    }

    /// When the `n`th request (from 0) is due, or `None` past the limit.
    pub fn at(&self, n: u32) -> Option<Duration> {
        let t = self.first_after.checked_add(self.every.checked_mul(n)?)?;
        (t <= self.limit).then_some(t)
    }
}

/// How following a record ended.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Followed {
    /// The Register finished with the record (status 3, 4, 5 or 6): its
    /// verified feedback.
    Final(Feedback),
    /// Not final when the schedule ran out (or a status request was
    /// refused): the last feedback that came (status 2, or 0 while the
    /// Register had not found the record yet) and the last failed status
    /// request, if any.
    GaveUp {
        /// The last verified status answer.
        last: Option<Feedback>,
        /// The outcome of the last status request that did not answer.
        failure: Option<Box<Outcome>>,
        /// How many status requests were made.
        asked: u32,
    },
    /// The status request could not be made (its local checks failed).
    CannotAsk(PrepareError),
}

/// A step of following a record, for progress reports.
#[derive(Debug)]
#[non_exhaustive]
pub enum Step<'a> {
    /// A status request is due this long after the receipt.
    Waiting(Duration),
    /// A status request's outcome.
    Answered(&'a Outcome),
}

/// Whether a status answer ends the following: 0 (not found yet, e.g.
/// while the Register still receives it) and 2 (processing) do not.
fn is_final(status: DeliveryStatus) -> bool {
    !matches!(status, DeliveryStatus::Unknown | DeliveryStatus::Processing)
}

impl Client {
    /// Follows `prepared`, whose receipt (`Ack` or real-time answer with
    /// status 2) is `receipt`, until its feedback is final or the schedule
    /// ends.
    pub async fn follow(&self, prepared: &Prepared, receipt: &Feedback, wait: Option<Duration>) -> Followed {
        self.follow_with(prepared, receipt, wait, &mut |_| {}).await
    }

    /// [`Client::follow`], telling `observe` each step.
    pub async fn follow_with(
        &self,
        prepared: &Prepared,
        receipt: &Feedback,
        wait: Option<Duration>,
        observe: &mut (dyn FnMut(Step<'_>) + Send),
    ) -> Followed {
        let received = Instant::now();
        let schedule = Schedule::new(&self.polling, wait);
        let query = StatusQuery::of(prepared, receipt.ir_delivery_id.as_deref());
        let (mut last, mut failure) = (None, None);
        let mut asked = 0;
        while let Some(due) = schedule.at(asked) {
            observe(Step::Waiting(due));
            tokio::time::sleep_until(received + due).await;
            asked += 1;
            let outcome = match self.status(&query).await {
                Ok(o) => o,
                // Asking again cannot help.
                Err(e) => return Followed::CannotAsk(e),
            };
            observe(Step::Answered(&outcome));
            match outcome {
                Outcome::Delivered(answer) => {
                    let feedback = answer.feedback.expect("a status answer has feedback");
                    if is_final(feedback.status) {
                        return Followed::Final(feedback);
                    }
                    last = Some(feedback);
                }
                refused @ Outcome::Rejected { .. } => {
                    failure = Some(Box::new(refused));
                    break;
                }
                other => failure = Some(Box::new(other)),
            }
        }
        Followed::GaveUp { last, failure, asked }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn the_schedule_starts_late_repeats_and_stops() {
        let polling = Polling {
            first_after: s(300),
            every: s(300),
            give_up_after: s(7200),
        };
        let all = Schedule::new(&polling, None);
        let times: Vec<_> = (0..).map_while(|n| all.at(n)).collect();
        assert_eq!(times.len(), 24);
        assert_eq!((times[0], times[1], times[23]), (s(300), s(600), s(7200)));
        // --wait shortens it, never lengthens it.
        assert_eq!(Schedule::new(&polling, Some(s(650))).limit, s(650));
        assert_eq!(Schedule::new(&polling, Some(s(99_999))).limit, s(7200));
        let short = Schedule::new(&polling, Some(s(650)));
        assert_eq!(
            (short.at(0), short.at(1), short.at(2)),
            (Some(s(300)), Some(s(600)), None)
        );
        // A wait shorter than the first delay asks nothing.
        assert_eq!(Schedule::new(&polling, Some(s(10))).at(0), None);
    }
}
