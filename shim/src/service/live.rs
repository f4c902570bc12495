//! What `/metrics` shows beside the ledger's counts: send and poll
//! latencies and outcomes of this instance, and the certificates' days
//! left, in the Prometheus text format.

use super::ledger::Metrics;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Latency buckets, seconds.
const BUCKETS: [f64; 10] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, d: Duration) {
        let s = d.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if s <= *b {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += s;
    }

    fn write(&self, out: &mut String, name: &str) {
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {}", self.counts[i]);
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum {}", self.sum);
        let _ = writeln!(out, "{name}_count {}", self.count);
    }
}

#[derive(Default)]
struct Inner {
    send: Histogram,
    poll: Histogram,
    outcomes: BTreeMap<(String, &'static str), u64>,
    certificates: Vec<(&'static str, f64)>,
    renewals: BTreeMap<&'static str, u64>,
    renewal_failures: BTreeMap<&'static str, u64>,
}

/// This instance's counters.
#[derive(Default)]
pub struct Live {
    inner: Mutex<Inner>,
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

impl Live {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A send of a record of `kind` took `d` and ended as `outcome`.
    pub fn sent(&self, kind: &str, d: Duration, outcome: &'static str) {
        let mut i = self.lock();
        i.send.observe(d);
        *i.outcomes.entry((kind.to_string(), outcome)).or_default() += 1;
    }

    /// A status request took `d`.
    pub fn polled(&self, d: Duration, _outcome: &'static str) {
        self.lock().poll.observe(d);
    }

    /// The days each certificate (by purpose) has left.
    pub fn certificates(&self, days: Vec<(&'static str, f64)>) {
        self.lock().certificates = days;
    }

    /// A certificate (by purpose) was renewed and is in use.
    pub fn renewed(&self, purpose: &'static str) {
        *self.lock().renewals.entry(purpose).or_default() += 1;
    }

    /// Renewing a certificate (by purpose, or "all") failed.
    pub fn renewal_failed(&self, purpose: &'static str) {
        *self.lock().renewal_failures.entry(purpose).or_default() += 1;
    }

    /// The whole text of `/metrics`.
    pub fn render(&self, ledger: &Metrics) -> String {
        let mut out = String::new();
        out.push_str("# HELP tulorekisteri_shim_reports Reports in the ledger by kind and state.\n");
        out.push_str("# TYPE tulorekisteri_shim_reports gauge\n");
        for (kind, state, n) in &ledger.reports {
            let _ = writeln!(
                out,
                "tulorekisteri_shim_reports{{kind=\"{}\",state=\"{}\"}} {n}",
                escape(kind),
                escape(state)
            );
        }
        out.push_str("# HELP tulorekisteri_shim_records Records in the ledger by state.\n");
        out.push_str("# TYPE tulorekisteri_shim_records gauge\n");
        let mut records: BTreeMap<&str, i64> = BTreeMap::new();
        for (state, n) in &ledger.records {
            *records.entry(state).or_default() += n;
        }
        for (state, n) in records {
            let _ = writeln!(out, "tulorekisteri_shim_records{{state=\"{}\"}} {n}", escape(state));
        }
        out.push_str(
            "# HELP tulorekisteri_shim_queue_age_seconds Age of the oldest record not yet acknowledged or final.\n",
        );
        out.push_str("# TYPE tulorekisteri_shim_queue_age_seconds gauge\n");
        let _ = writeln!(
            out,
            "tulorekisteri_shim_queue_age_seconds {}",
            ledger.oldest_pending.unwrap_or(0.0)
        );
        let inner = self.lock();
        out.push_str(
            "# HELP tulorekisteri_shim_send_seconds Time of a record's send, from request to checked answer.\n",
        );
        out.push_str("# TYPE tulorekisteri_shim_send_seconds histogram\n");
        inner.send.write(&mut out, "tulorekisteri_shim_send_seconds");
        out.push_str("# HELP tulorekisteri_shim_poll_seconds Time of a status request.\n");
        out.push_str("# TYPE tulorekisteri_shim_poll_seconds histogram\n");
        inner.poll.write(&mut out, "tulorekisteri_shim_poll_seconds");
        out.push_str("# HELP tulorekisteri_shim_send_outcomes_total Outcomes of sends by kind.\n");
        out.push_str("# TYPE tulorekisteri_shim_send_outcomes_total counter\n");
        for ((kind, outcome), n) in &inner.outcomes {
            let _ = writeln!(
                out,
                "tulorekisteri_shim_send_outcomes_total{{kind=\"{}\",outcome=\"{outcome}\"}} {n}",
                escape(kind)
            );
        }
        out.push_str("# HELP tulorekisteri_shim_certificate_days_left Days until each certificate expires.\n");
        out.push_str("# TYPE tulorekisteri_shim_certificate_days_left gauge\n");
        for (purpose, days) in &inner.certificates {
            let _ = writeln!(
                out,
                "tulorekisteri_shim_certificate_days_left{{purpose=\"{purpose}\"}} {days:.1}"
            );
        }
        out.push_str("# HELP tulorekisteri_shim_certificate_renewals_total Certificates renewed by this instance.\n");
        out.push_str("# TYPE tulorekisteri_shim_certificate_renewals_total counter\n");
        for (purpose, n) in &inner.renewals {
            let _ = writeln!(
                out,
                "tulorekisteri_shim_certificate_renewals_total{{purpose=\"{purpose}\"}} {n}"
            );
        }
        out.push_str(
            "# HELP tulorekisteri_shim_certificate_renewal_failures Failed renewals of this instance (tried again at the next check).\n",
        );
        out.push_str("# TYPE tulorekisteri_shim_certificate_renewal_failures counter\n");
        for (purpose, n) in &inner.renewal_failures {
            let _ = writeln!(
                out,
                "tulorekisteri_shim_certificate_renewal_failures{{purpose=\"{purpose}\"}} {n}"
            );
        }
        out
    }
}
