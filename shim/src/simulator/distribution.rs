//! Distributions to data users (TR §8; NOTES §12): for each valid record
//! subscription the simulator holds, each of its subscriptions
//! (`MainSubscription/Subscriptions/Subscription`, one document each) is
//! extracted from the reports held, as the `*FromIR` document its
//! QueryDataType names, built with the core, signed with the responder's
//! key and written atomically for the subscriber's SFTP account:
//! `DIR/sftp/<subscriber's business ID>/data/<IRQueryId>-<root>.xml`.
//!
//! What was distributed is kept in `DIR/distributions.json`: for each
//! subscription the report versions sent, so each run sends what is new
//! since the last (a one-time subscription, SubscriptionType 1, is
//! extracted once). The schedule (`Schedule`) is not followed: a run is
//! `simulator distribute DIR` or `serve --distribute-seconds N`.

use super::answers;
use super::clock::{date_time, guid, parse_date};
use super::files::{self, PUBLIC, SECRET};
use super::queries::{answer_report, data_of, holds, int, list, report_elements};
use super::store::{Report, State, Subscription, VALID};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tulorekisteri::signature::Signer;

/// The file that keeps what was distributed.
pub const TRACK: &str = "distributions.json";

/// When the Register started (2019-01-01): the default start of the
/// extraction window.
const IR_START: f64 = 1_546_300_800.0;

/// The ParameterTypes (KOOD §1.7) the extraction follows.
const RECEIVED_CHANGES: i64 = 2;
const PAYMENT_DATES: i64 = 4;
const PAYER: i64 = 6;
const INCOME_EARNER: i64 = 7;
const INCOME_TYPE: i64 = 20;
const RECEIVED: i64 = 25;

/// What a QueryDataType (KOOD §1.5) is distributed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Document {
    /// Reports of a DeliveryDataType as a `*FromIR` root.
    Reports { root: &'static str, kind: i64 },
    /// `WageReportSummaryFromIR` (the payer's earnings payment data summary).
    WageSummary,
    /// `LogDataFromIR` (log data of the party's users).
    LogData,
}

impl Document {
    fn of(query_data_type: i64) -> Option<Document> {
        let reports = |root, kind| Some(Document::Reports { root, kind });
        match query_data_type {
            300..=305 | 314 => reports("WageReportsFromIR", 100),
            306..=308 => reports("PayerSummaryReportsFromIR", 101),
            315..=319 => reports("BenefitReportsFromIR", 102),
            312 | 313 | 600 => Some(Document::WageSummary),
            310 | 612 | 702 => Some(Document::LogData),
            _ => None,
        }
    }

    fn root(self) -> &'static str {
        match self {
            Document::Reports { root, .. } => root,
            Document::WageSummary => "WageReportSummaryFromIR",
            Document::LogData => "LogDataFromIR",
        }
    }
}

/// What was distributed for one subscription.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sent {
    /// The Register's reference of the subscription (`IRSubscriptionId`).
    ir_subscription_id: String,
    /// How many documents were written.
    runs: u32,
    /// The end of the last extraction window (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_end: Option<f64>,
    /// The report versions sent: `<IRReportId>:<version>`.
    #[serde(default)]
    reports: BTreeSet<String>,
}

/// `DIR/distributions.json`: by `<owner>/<IRMainSubscriptionId>/<SubscriptionId>`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Track {
    #[serde(default)]
    subscriptions: BTreeMap<String, Sent>,
}

impl Track {
    fn read(dir: &Path) -> Result<Track, String> {
        let path = dir.join(TRACK);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Track::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    fn write(&self, dir: &Path) -> Result<(), String> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        files::write(&dir.join(TRACK), &bytes, PUBLIC)
    }
}

/// One document written.
#[derive(Debug, Clone)]
pub struct Written {
    /// Where, relative to DIR (`sftp/<owner>/data/<name>`).
    pub path: PathBuf,
    /// The `*FromIR` root.
    pub root: &'static str,
    /// The subscriber's MainSubscriptionId and SubscriptionId.
    pub main_subscription_id: String,
    pub subscription_id: String,
    /// Reports in it (events for `LogDataFromIR`).
    pub items: usize,
}

/// What one run did: the documents written, and why others were not.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub written: Vec<Written>,
    pub notes: Vec<String>,
}

/// The responder's signer of `DIR` (what the simulator signs answers with).
pub fn responder(dir: &Path) -> Result<Signer, String> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let key = String::from_utf8(read("server/response-key.pem")?).map_err(|_| "server/response-key.pem is not PEM")?;
    Signer::from_pem(&key, &read("server/response-cert.pem")?, None)
        .map_err(|e| format!("server/response-key.pem: {e}"))
}

/// Reads an `xs:dateTime` (`2026-12-01T10:00:00Z`, `...+02:00`, fractions;
/// without a zone: UTC) or an `xs:date`, as Unix seconds.
fn parse_date_time(text: &str) -> Option<f64> {
    let t = text.trim();
    let day = parse_date(t)?;
    let Some(time) = t.get(10..).and_then(|r| r.strip_prefix('T')) else {
        return Some(day);
    };
    let (clock, offset) = match time.find(['Z', '+', '-']) {
        Some(at) => (&time[..at], &time[at..]),
        None => (time, ""),
    };
    let mut parts = clock.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next().unwrap_or("0").parse().ok()?;
    let zone = match offset {
        "" | "Z" => 0.0,
        o => {
            let sign = if o.starts_with('-') { -1.0 } else { 1.0 };
            let (oh, om) = o.get(1..)?.split_once(':')?;
            sign * (oh.parse::<f64>().ok()? * 3600.0 + om.parse::<f64>().ok()? * 60.0)
        }
    };
    Some(day + h * 3600.0 + m * 60.0 + s - zone)
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether `v` holds, anywhere below a key named `key`, the value `wanted`
/// (text or number).
fn holds_value(v: &Value, key: &str, wanted: &str) -> bool {
    match v {
        Value::Object(o) => o
            .iter()
            .any(|(k, child)| (k == key && text(child).as_deref() == Some(wanted)) || holds_value(child, key, wanted)),
        Value::Array(a) => a.iter().any(|c| holds_value(c, key, wanted)),
        _ => false,
    }
}

/// A subscription's filters: its SubscriptionParameters and IdCodeLists.
#[derive(Debug, Default)]
struct Filters {
    payers: Vec<String>,
    income_earners: Vec<String>,
    income_types: Vec<String>,
    /// (ParameterType, start, end) in Unix seconds, the end day included.
    spans: Vec<(i64, f64, f64)>,
}

impl Filters {
    fn add_parameters(&mut self, p: &Value) {
        for id in list(&p["IdCodeParameter"]) {
            let code = id["IdCode"].as_str().map(str::to_string);
            match (int(&id["ParameterType"]), code) {
                (Some(PAYER), Some(c)) => self.payers.push(c),
                (Some(INCOME_EARNER), Some(c)) => self.income_earners.push(c),
                _ => {}
            }
        }
        for v in list(&p["ValueParameter"]) {
            if let (Some(INCOME_TYPE), Some(value)) = (int(&v["ParameterType"]), text(&v["Value"])) {
                self.income_types.push(value);
            }
        }
        for s in list(&p["TimespanParameter"]) {
            let start = s["StartDate"].as_str().and_then(parse_date);
            let end = s["EndDate"].as_str().and_then(parse_date);
            if let (Some(t), Some(start), Some(end)) = (int(&s["ParameterType"]), start, end) {
                self.spans.push((t, start, end + 86_399.999));
            }
        }
    }

    fn of(subscription: &Value) -> Filters {
        let mut f = Filters::default();
        f.add_parameters(&subscription["SubscriptionParameters"]);
        for codes in list(&subscription["IdCodeList"]) {
            let kind = int(&codes["CodeListType"]);
            for item in list(&codes["CodeItems"]["CodeItem"]) {
                let Some(code) = item["IdCode"].as_str().map(str::to_string) else {
                    continue;
                };
                match kind {
                    Some(1) => f.income_earners.push(code),
                    Some(2) => f.payers.push(code),
                    _ => {}
                }
                f.add_parameters(&item["SubscriptionParameters"]);
            }
        }
        f
    }

    fn payer_matches(&self, r: &Report, header: &Value) -> bool {
        self.payers.is_empty()
            || self
                .payers
                .iter()
                .any(|p| r.payer == *p || r.owner == *p || holds(header, "PayerIds", p))
    }

    fn matches(&self, r: &Report, contents: &Value, header: &Value) -> bool {
        let earner = self.income_earners.is_empty()
            || self
                .income_earners
                .iter()
                .any(|e| holds(contents, "IncomeEarnerIds", e));
        let income_type = self.income_types.is_empty()
            || self
                .income_types
                .iter()
                .any(|t| holds_value(contents, "TransactionCode", t));
        let spans = self.spans.iter().all(|&(kind, start, end)| match kind {
            PAYMENT_DATES => {
                let date = header
                    .pointer("/PaymentPeriod/PaymentDate")
                    .or_else(|| header.get("PaymentDate"))
                    .and_then(Value::as_str)
                    .and_then(parse_date);
                date.is_none_or(|d| (start..=end).contains(&d))
            }
            RECEIVED | RECEIVED_CHANGES => (start..=end).contains(&r.version_received_at),
            _ => true,
        });
        self.payer_matches(r, header) && earner && income_type && spans
    }
}

/// The business ID of a subscriber as a folder name, if it can be one.
fn account(owner: &str) -> Option<&str> {
    let ok = !owner.is_empty()
        && owner.len() <= 30
        && owner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(owner)
}

/// Whether a subscription's record has been processed and stored.
fn processed(s: &Subscription, state: &State, now: f64) -> bool {
    state
        .delivery_by_ir(&s.ir_delivery_id)
        .is_some_and(|d| d.status_at(now) == 3)
}

/// The report versions of `kind` that are ready (their record processed)
/// and in the main subscription's ModifiedTimespan.
fn candidates(state: &State, kind: i64, window: (f64, f64), now: f64) -> impl Iterator<Item = &Report> {
    state.reports.iter().filter(move |r| {
        r.delivery_data_type == kind
            && (window.0..window.1).contains(&r.version_received_at)
            && state
                .delivery_by_ir(&r.ir_delivery_id)
                .is_some_and(|d| d.ready_at <= now && d.outcome == 3)
    })
}

fn key_of(r: &Report) -> String {
    format!("{}:{}", r.ir_report_id, r.version)
}

/// The `Subscription` block of a distributed document.
fn subscription_block(
    doc: Document,
    sub: &Value,
    s: &Subscription,
    subscription_id: &str,
    ir_subscription_id: &str,
) -> Value {
    let mut o = Map::new();
    o.insert("QueryDataType".into(), sub["QueryDataType"].clone());
    if let (Document::Reports { .. }, Some(p)) = (doc, sub.get("QueryProfile").filter(|p| p.is_string())) {
        o.insert("QueryProfile".into(), p.clone());
    }
    o.insert("ProductionEnvironment".into(), json!(false));
    o.insert("IRMainSubscriptionId".into(), json!(s.ir_main_subscription_id));
    o.insert("IRSubscriptionId".into(), json!(ir_subscription_id));
    o.insert("MainSubscriptionId".into(), json!(s.main_subscription_id));
    o.insert("SubscriptionId".into(), json!(subscription_id));
    Value::Object(o)
}

/// One extraction: the document's content (without `Subscription`), the
/// report versions it holds, and how many items.
struct Extracted {
    content: Map<String, Value>,
    keys: Vec<String>,
    items: usize,
}

fn query_block(doc: Document, start: f64, end: f64, now: f64) -> Value {
    match doc {
        Document::WageSummary => json!({ "IRQueryId": guid(), "QueryTimestamp": date_time(now) }),
        _ => json!({
            "IRQueryId": guid(),
            "QueryTimestamp": date_time(now),
            "QueryTimespanStart": date_time(start),
            "QueryTimespanEnd": date_time(end),
        }),
    }
}

#[allow(clippy::too_many_arguments)]
fn extract(
    doc: Document,
    filters: &Filters,
    s: &Subscription,
    state: &State,
    window: (f64, f64),
    sent: &Sent,
    span: (f64, f64),
    now: f64,
) -> Extracted {
    let mut content = Map::new();
    content.insert("Query".into(), query_block(doc, span.0, span.1, now));
    let empty = json!({});
    let header_of = |r: &Report| {
        state
            .delivery_by_ir(&r.ir_delivery_id)
            .and_then(|d| d.header.as_ref())
            .unwrap_or(&empty)
            .clone()
    };
    match doc {
        Document::Reports { root, kind } => {
            let mut reports = vec![];
            let mut keys = vec![];
            if let Some((report_el, delivery_el)) = report_elements(root) {
                for r in candidates(state, kind, window, now) {
                    if sent.reports.contains(&key_of(r)) {
                        continue;
                    }
                    let header = header_of(r);
                    if !filters.payer_matches(r, &header) {
                        continue;
                    }
                    let Some(contents) = data_of(r, state) else { continue };
                    if !filters.matches(r, &contents, &header) {
                        continue;
                    }
                    reports.push(answer_report(r, &contents, &header, report_el, delivery_el));
                    keys.push(key_of(r));
                }
            }
            let n = reports.len();
            content.insert("Summary".into(), json!({ "NrOfReports": n }));
            if n > 0 {
                content.insert("Reports".into(), json!({ "Report": reports }));
            }
            Extracted {
                content,
                keys,
                items: n,
            }
        }
        Document::WageSummary => {
            // The payer summarised: the payer parameter, else the subscriber.
            let payer = filters.payers.first().cloned().unwrap_or_else(|| s.owner.clone());
            let only = Filters {
                payers: vec![payer.clone()],
                ..Filters::default()
            };
            let keys: Vec<String> = candidates(state, 100, window, now)
                .filter(|r| r.state == VALID && !sent.reports.contains(&key_of(r)))
                .filter(|r| only.payer_matches(r, &header_of(r)))
                .map(key_of)
                .collect();
            let n = keys.len();
            content.insert("Summary".into(), json!({ "NrOfReports": n }));
            let id_type = if payer.len() == 11 && payer.as_bytes().get(6).is_some_and(|c| b"-+A".contains(c)) {
                2
            } else {
                1
            };
            content.insert("Payer".into(), json!({ "PayerId": { "Type": id_type, "Code": payer } }));
            Extracted {
                content,
                keys,
                items: n,
            }
        }
        Document::LogData => {
            // The simulator has no e-service users: no log events.
            content.insert("Summary".into(), json!({ "NrOfEvents": 0 }));
            Extracted {
                content,
                keys: vec![],
                items: 0,
            }
        }
    }
}

/// Puts `Subscription` first and the rest in the schema's order.
fn document(doc: Document, subscription: Value, mut content: Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("Subscription".into(), subscription);
    for key in ["Query", "Summary", "Payer", "Reports"] {
        if let Some(v) = content.remove(key) {
            out.insert(key.into(), v);
        }
    }
    json!({ doc.root(): Value::Object(out) })
}

/// The root element of a distributed file's name (`<IRQueryId>-<root>.xml`).
pub fn root_of_name(name: &str) -> Option<&str> {
    let stem = name.strip_suffix(".xml")?;
    Some(stem.rsplit_once('-')?.1)
}

/// The lock of one distribution run (`DIR/distributions.lock`): the
/// command and the timer of `serve` never run at once, so nothing is sent
/// twice. The holder touches the lock every few seconds while it runs; a
/// lock not touched for a minute is a crashed run's and is taken over.
struct Lock {
    path: PathBuf,
    /// Dropped to stop the refreshing thread.
    stop: Option<std::sync::mpsc::Sender<()>>,
    refresher: Option<std::thread::JoinHandle<()>>,
}

/// How long a lock lives untouched, how often its holder touches it, and
/// how long a run waits for it.
struct LockTiming {
    stale: std::time::Duration,
    refresh: std::time::Duration,
    wait: std::time::Duration,
}

const LOCK_TIMING: LockTiming = LockTiming {
    stale: std::time::Duration::from_secs(60),
    refresh: std::time::Duration::from_secs(10),
    wait: std::time::Duration::from_secs(20),
};

impl Lock {
    fn take(dir: &Path) -> Result<Lock, String> {
        Lock::take_with(dir, &LOCK_TIMING)
    }

    fn take_with(dir: &Path, timing: &LockTiming) -> Result<Lock, String> {
        let path = dir.join("distributions.lock");
        let end = std::time::Instant::now() + timing.wait;
        loop {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(_) => return Ok(Lock::held(path, timing.refresh)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > timing.stale);
                    if stale {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if std::time::Instant::now() > end {
                        return Err(format!("{}: another distribution is running", path.display()));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(e) => return Err(format!("{}: {e}", path.display())),
            }
        }
    }

    /// The lock just made, kept fresh until it is dropped: a long run is
    /// never taken for a crashed one.
    fn held(path: PathBuf, refresh: std::time::Duration) -> Lock {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let touched = path.clone();
        let refresher = std::thread::spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(refresh) {
                // Not `create`: a lock removed meanwhile is not made again.
                let _ = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&touched)
                    .and_then(|f| f.set_modified(std::time::SystemTime::now()));
            }
        });
        Lock {
            path,
            stop: Some(stop),
            refresher: Some(refresher),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(refresher) = self.refresher.take() {
            let _ = refresher.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Distributes, for every valid subscription held in `state`, what is new
/// since the last run, into `dir`. `state` must be read after the lock is
/// taken ([`distribute_held`] does both).
pub fn distribute(dir: &Path, state: &State, signer: &Signer, now: f64) -> Result<Run, String> {
    let _lock = Lock::take(dir)?;
    run_locked(dir, state, signer, now)
}

/// Takes the lock, reads what `dir` holds now (as `simulator state` does)
/// and distributes it.
pub fn distribute_held(dir: &Path, signer: &Signer, now: impl Fn() -> f64) -> Result<Run, String> {
    let _lock = Lock::take(dir)?;
    let loaded = super::journal::load(dir)?;
    run_locked(dir, &loaded.state, signer, now())
}

fn run_locked(dir: &Path, state: &State, signer: &Signer, now: f64) -> Result<Run, String> {
    let mut track = Track::read(dir)?;
    let mut run = Run::default();
    for s in &state.subscriptions {
        let who = format!("subscription {}", s.main_subscription_id);
        if s.state != VALID {
            continue;
        }
        if !processed(s, state, now) {
            run.notes.push(format!("{who}: its record is not processed yet"));
            continue;
        }
        let Some(main) = &s.main_subscription else {
            run.notes
                .push(format!("{who}: held without its contents (an older state)"));
            continue;
        };
        let Some(owner) = account(&s.owner) else {
            run.notes
                .push(format!("{who}: the subscriber's id cannot name an SFTP account"));
            continue;
        };
        let one_time = int(&main["SubscriptionType"]) == Some(1);
        let valid_from = main["ValidFrom"].as_str().and_then(parse_date).unwrap_or(0.0);
        if now < valid_from {
            run.notes.push(format!("{who}: valid from {}", main["ValidFrom"]));
            continue;
        }
        let until = main["ValidUntil"].as_str().and_then(parse_date);
        if !one_time && until.is_some_and(|u| now >= u + 86_400.0) {
            continue;
        }
        let start = main["ModifiedTimespanStart"].as_str().and_then(parse_date_time);
        let end = main["ModifiedTimespanEnd"].as_str().and_then(parse_date_time);
        let window = (start.unwrap_or(f64::MIN), end.unwrap_or(f64::MAX));
        for sub in list(&main["Subscriptions"]["Subscription"]) {
            let subscription_id = sub["SubscriptionId"].as_str().unwrap_or_default().to_string();
            let who = format!("{who}/{subscription_id}");
            let qdt = int(&sub["QueryDataType"]).unwrap_or(0);
            let Some(doc) = Document::of(qdt) else {
                run.notes.push(format!(
                    "{who}: QueryDataType {qdt} is not distributed by the simulator"
                ));
                continue;
            };
            let key = format!("{}/{}/{}", s.owner, s.ir_main_subscription_id, subscription_id);
            let sent = track.subscriptions.entry(key).or_insert_with(|| Sent {
                ir_subscription_id: guid(),
                ..Sent::default()
            });
            if one_time && sent.runs > 0 {
                continue;
            }
            let span_start = sent.last_end.or(start).unwrap_or(IR_START);
            let span_end = end.filter(|_| one_time).unwrap_or(now);
            let filters = Filters::of(sub);
            let extracted = extract(doc, &filters, s, state, window, sent, (span_start, span_end), now);
            // A continuing subscription gets a document when there is something new.
            if !one_time && extracted.items == 0 {
                continue;
            }
            let block = subscription_block(doc, sub, s, &subscription_id, &sent.ir_subscription_id);
            let query_id = extracted
                .content
                .get("Query")
                .and_then(|q| q.get("IRQueryId"))
                .and_then(Value::as_str)
                .map_or_else(guid, str::to_string);
            let answer = document(doc, block, extracted.content);
            let signed = answers::signed(&answer, signer, now).map_err(|e| format!("{who}: {e}"))?;
            let relative = Path::new("sftp")
                .join(owner)
                .join("data")
                .join(format!("{query_id}-{}.xml", doc.root()));
            // Personal data: readable by the simulator's user only.
            files::write(&dir.join(&relative), &signed, SECRET)?;
            sent.runs += 1;
            sent.last_end = Some(span_end);
            sent.reports.extend(extracted.keys);
            // Kept after each document: a crash repeats at most this one.
            track.write(dir)?;
            run.written.push(Written {
                path: relative,
                root: doc.root(),
                main_subscription_id: s.main_subscription_id.clone(),
                subscription_id,
                items: extracted.items,
            });
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("distribution-lock-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const SHORT: LockTiming = LockTiming {
        stale: std::time::Duration::from_millis(600),
        refresh: std::time::Duration::from_millis(100),
        wait: std::time::Duration::from_millis(300),
    };

    #[test]
    fn a_long_run_keeps_its_lock() {
        let dir = lock_dir("long");
        let held = Lock::take_with(&dir, &SHORT).unwrap();
        // Longer than `stale`: the holder's refreshing keeps it fresh.
        std::thread::sleep(std::time::Duration::from_millis(1200));
        let second = Lock::take_with(&dir, &SHORT).map(|_| ());
        assert!(second.unwrap_err().contains("another distribution is running"));
        drop(held);
        assert!(!dir.join("distributions.lock").exists());
        drop(Lock::take_with(&dir, &SHORT).unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_crashed_runs_lock_is_taken_over() {
        let dir = lock_dir("crashed");
        let path = dir.join("distributions.lock");
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(5))
            .unwrap();
        drop(Lock::take_with(&dir, &SHORT).unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn times_and_names_are_read() {
        assert_eq!(parse_date_time("2024-01-31"), Some(1_706_659_200.0));
        assert_eq!(parse_date_time("2024-01-31T12:00:00Z"), Some(1_706_702_400.0));
        assert_eq!(parse_date_time("2024-01-31T14:00:00+02:00"), Some(1_706_702_400.0));
        assert_eq!(parse_date_time("2024-01-31T12:00:00.5"), Some(1_706_702_400.5));
        assert_eq!(parse_date_time("2024-01-31T1x:00:00Z"), None);
        assert_eq!(root_of_name("0a1b-WageReportsFromIR.xml"), Some("WageReportsFromIR"));
        assert_eq!(account("1234567-1"), Some("1234567-1"));
        assert_eq!(account("../x"), None);
        assert_eq!(Document::of(300).map(Document::root), Some("WageReportsFromIR"));
        assert_eq!(Document::of(319).map(Document::root), Some("BenefitReportsFromIR"));
        assert_eq!(Document::of(500), None);
    }

    #[test]
    fn filters_read_parameters_and_code_lists() {
        let sub = json!({
            "SubscriptionParameters": {
                "IdCodeParameter": [{ "ParameterType": 6, "IdType": 1, "IdCode": "7654321-2" }],
                "ValueParameter": [{ "ParameterType": 20, "Value": "201" }],
                "TimespanParameter": [{ "ParameterType": 4, "StartDate": "2026-01-01", "EndDate": "2026-01-31" }],
            },
            "IdCodeList": [{ "CodeListType": 1, "CodeItems": { "CodeItem": [{ "IdType": 2, "IdCode": "010101-123N" }] } }],
        });
        let f = Filters::of(&sub);
        assert_eq!(f.payers, ["7654321-2"]);
        assert_eq!(f.income_earners, ["010101-123N"]);
        assert_eq!(f.income_types, ["201"]);
        assert_eq!(f.spans.len(), 1);
        let contents =
            json!({ "Transactions": { "Transaction": [{ "TransactionBasic": { "TransactionCode": 201 } }] } });
        assert!(holds_value(&contents, "TransactionCode", "201"));
        assert!(!holds_value(&contents, "TransactionCode", "202"));
    }
}
