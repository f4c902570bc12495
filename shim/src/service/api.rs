//! The HTTP API (docs/service.md): bearer tokens, size limits, routing,
//! and JSON answers. Handlers check what they are given with `intake` and
//! keep it with the ledger; nothing here logs a body, a token or an
//! identifier from a path.

use super::errors::ApiError;
use super::intake::{self, Sender};
use super::ledger::{Added, Ledger};
use super::live::Live;
use super::settings::ServiceSettings;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::body::Incoming;
use hyper::header::{
    HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, ORIGIN, VARY,
};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// What every request handler shares.
pub struct Api {
    /// The ledger.
    pub ledger: Arc<Ledger>,
    /// The settings.
    pub settings: ServiceSettings,
    /// Who the records come from.
    pub sender: Sender,
    /// Wakes the worker when work arrives, and the event feed's waiters
    /// when something changed.
    pub wake: Arc<Notify>,
    /// Counters.
    pub live: Arc<Live>,
    /// Set at SIGTERM.
    pub stopping: Arc<AtomicBool>,
}

type Answer = Response<Full<Bytes>>;

fn json_answer(status: u16, body: &Value) -> Answer {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn error_answer(e: &ApiError) -> Answer {
    let mut r = json_answer(e.status, &e.body());
    if e.status == 401 {
        r.headers_mut()
            .insert("www-authenticate", HeaderValue::from_static("Bearer"));
    }
    r
}

/// What a page of an allowed origin may send.
fn preflight_answer() -> Answer {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = StatusCode::NO_CONTENT;
    let headers = r.headers_mut();
    headers.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
    headers.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    r
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("ledger task")
}

/// `%XX` decoded; `None` when it is not UTF-8.
fn decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| decode(v))
}

impl Api {
    fn authorized(&self, req: &Request<Incoming>) -> bool {
        let Some(token) = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let digest: [u8; 32] = Sha256::digest(token.trim().as_bytes()).into();
        // Compared whole, not stopping at the first differing byte.
        self.settings
            .token_hashes
            .iter()
            .any(|h| h.iter().zip(digest.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0)
    }

    async fn body(&self, req: Request<Incoming>) -> Result<(Option<String>, Bytes), ApiError> {
        let limit = self.settings.max_body_bytes;
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(ApiError::too_large(limit));
        }
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
        let body = Limited::new(req.into_body(), limit as usize)
            .collect()
            .await
            .map_err(|e| match e.downcast_ref::<http_body_util::LengthLimitError>() {
                Some(_) => ApiError::too_large(limit),
                None => ApiError::malformed(format!("the body could not be read: {e}")),
            })?;
        Ok((content_type, body.to_bytes()))
    }

    fn json_of(content_type: &Option<String>, body: &[u8]) -> Result<Value, ApiError> {
        match content_type.as_deref() {
            None | Some("application/json") => {}
            Some(other) => {
                return Err(ApiError::unsupported_media(format!(
                    "this path takes application/json, not {other}"
                )))
            }
        }
        serde_json::from_slice(body)
            .map_err(|e| ApiError::malformed(format!("not JSON: {e} (line {}, column {})", e.line(), e.column())))
    }

    /// Answers one request.
    pub async fn respond(self: Arc<Self>, req: Request<Incoming>) -> Result<Answer, std::convert::Infallible> {
        let origin = req
            .headers()
            .get(ORIGIN)
            .filter(|o| {
                self.settings
                    .allowed_origins
                    .iter()
                    .any(|a| a.as_bytes() == o.as_bytes())
            })
            .cloned();
        // A browser's preflight carries no token: answer it for an allowed origin.
        let mut answer = match (&origin, req.method()) {
            (Some(_), &Method::OPTIONS) => preflight_answer(),
            _ => match self.clone().route(req).await {
                Ok(a) => a,
                Err(e) => error_answer(&e),
            },
        };
        if let Some(origin) = origin {
            let headers = answer.headers_mut();
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(VARY, HeaderValue::from_static("Origin"));
        }
        Ok(answer)
    }

    async fn route(self: Arc<Self>, req: Request<Incoming>) -> Result<Answer, ApiError> {
        if !self.authorized(&req) {
            return Err(ApiError::unauthorized());
        }
        let path = req.uri().path().to_string();
        let query = req.uri().query().map(str::to_string);
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let method = req.method().clone();
        let writes = method == Method::POST;
        if writes && self.stopping.load(Ordering::SeqCst) {
            return Err(ApiError::stopping());
        }
        match (segments.as_slice(), method) {
            (["healthz"], Method::GET) => Ok(json_answer(200, &json!({ "status": "ok" }))),
            (["metrics"], Method::GET) => self.metrics().await,
            (["v1", "records"], Method::POST) => self.post_record(req).await,
            (["v1", "reports"], Method::POST) => self.post_reports(req).await,
            (["v1", "cancellations"], Method::POST) => self.post_cancellation(req).await,
            (["v1", "records", id], Method::GET) => {
                let id = id
                    .parse::<i64>()
                    .map_err(|_| ApiError::unknown(format!("no record {id:?}: record ids are numbers")))?;
                self.record(id, 200).await
            }
            (["v1", "reports", payer, kind, report_id], Method::GET) => {
                let part = |s: &str| decode(s).ok_or_else(|| ApiError::malformed("the path is not UTF-8".into()));
                self.report(part(payer)?, part(kind)?, part(report_id)?).await
            }
            (["v1", "events"], Method::GET) => self.events(query.as_deref()).await,
            (["healthz" | "metrics"], _) | (["v1", "events"], _) => Err(ApiError::method("GET")),
            (["v1", "records" | "reports" | "cancellations"], _) => Err(ApiError::method("POST")),
            (["v1", "records", _], _) | (["v1", "reports", _, _, _], _) => Err(ApiError::method("GET")),
            _ => Err(ApiError::unknown(format!(
                "no such path: {}",
                if path.len() > 60 { "(long)" } else { path.as_str() }
            ))),
        }
    }

    async fn metrics(&self) -> Result<Answer, ApiError> {
        let ledger = self.ledger.clone();
        let counts = blocking(move || ledger.metrics(super::ledger::now()))
            .await
            .map_err(ApiError::ledger)?;
        let mut r = Response::new(Full::new(Bytes::from(self.live.render(&counts))));
        r.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        );
        Ok(r)
    }

    async fn record(&self, id: i64, status: u16) -> Result<Answer, ApiError> {
        let ledger = self.ledger.clone();
        match blocking(move || ledger.record_view(id))
            .await
            .map_err(ApiError::ledger)?
        {
            Some(view) => Ok(json_answer(status, &view)),
            None => Err(ApiError::unknown(format!("no record {id} in the ledger"))),
        }
    }

    async fn report(&self, payer: String, kind: String, report_id: String) -> Result<Answer, ApiError> {
        let Some(kind) = super::kinds::by_name(&kind) else {
            return Err(ApiError::unknown_kind(format!(
                "unknown kind {kind:?} (one of {})",
                super::kinds::names()
            )));
        };
        let ledger = self.ledger.clone();
        let name = kind.name;
        let id = report_id.clone();
        match blocking(move || ledger.report_view(&payer, name, &id))
            .await
            .map_err(ApiError::ledger)?
        {
            Some(view) => Ok(json_answer(200, &view)),
            None => Err(ApiError::unknown(format!(
                "no report {report_id} ({name}) of this payer"
            ))),
        }
    }

    async fn post_record(&self, req: Request<Incoming>) -> Result<Answer, ApiError> {
        let (content_type, body) = self.body(req).await?;
        match content_type.as_deref() {
            None | Some("application/xml" | "text/xml" | "application/json") => {}
            Some(other) => {
                return Err(ApiError::unsupported_media(format!(
                    "/v1/records takes application/xml or application/json, not {other}"
                )))
            }
        }
        self.keep_record(move |sender, _| intake::record(&body, sender)).await
    }

    async fn post_cancellation(&self, req: Request<Incoming>) -> Result<Answer, ApiError> {
        let (content_type, body) = self.body(req).await?;
        let value = Api::json_of(&content_type, &body)?;
        self.keep_record(move |sender, ledger| intake::cancellation(&value, sender, ledger))
            .await
    }

    /// Keeps the record `make` checks (or finds it kept before) and answers
    /// with it: 202 when new, 200 when posted before.
    async fn keep_record(
        &self,
        make: impl FnOnce(&Sender, &Ledger) -> Result<super::ledger::NewRecord, ApiError> + Send + 'static,
    ) -> Result<Answer, ApiError> {
        let sender = self.sender.clone();
        let ledger = self.ledger.clone();
        let posted = blocking(move || {
            let record = make(&sender, &ledger)?;
            ledger
                .add_record(&record, super::ledger::now())
                .map_err(ApiError::ledger)
        })
        .await?;
        self.wake.notify_waiters();
        self.record(posted.id, if posted.existing { 200 } else { 202 }).await
    }

    async fn post_reports(&self, req: Request<Incoming>) -> Result<Answer, ApiError> {
        let (content_type, body) = self.body(req).await?;
        let value = Api::json_of(&content_type, &body)?;
        let sender = self.sender.clone();
        let ledger = self.ledger.clone();
        let (max, linger) = (self.settings.max_reports_per_record, self.settings.linger.as_secs_f64());
        let (items, added) = blocking(move || {
            let items = intake::reports(&value, &sender)?;
            let added = ledger
                .add_reports(&items, max, linger, super::ledger::now())
                .map_err(ApiError::ledger)?;
            let states = ledger.report_states(&added).map_err(ApiError::ledger)?;
            Ok::<_, ApiError>((items, added.into_iter().zip(states).collect::<Vec<_>>()))
        })
        .await?;
        self.wake.notify_waiters();
        let any_new = added.iter().any(|(a, _)| !a.existing);
        let reports: Vec<Value> = items
            .iter()
            .zip(&added)
            .map(|((r, _), (a, (state, delivery_id))): (_, &(Added, (String, String)))| {
                json!({
                    "payer": r.payer,
                    "kind": r.kind,
                    "reportId": r.report_id,
                    "state": state,
                    "recordId": a.record,
                    "deliveryId": delivery_id,
                    "existing": a.existing,
                })
            })
            .collect();
        Ok(json_answer(
            if any_new { 202 } else { 200 },
            &json!({ "reports": reports }),
        ))
    }

    async fn events(&self, query: Option<&str>) -> Result<Answer, ApiError> {
        let number = |name: &str, default: f64, max: f64| -> Result<f64, ApiError> {
            match query_param(query, name) {
                None => Ok(default),
                Some(v) => v
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite() && *n >= 0.0)
                    .map(|n| n.min(max))
                    .ok_or_else(|| ApiError::invalid_input(format!("{name} must be a number 0 or more, not {v:?}"))),
            }
        };
        let after = number("after", 0.0, i64::MAX as f64)? as i64;
        let wait = Duration::from_secs_f64(number("wait", 0.0, 60.0)?);
        let limit = number("limit", 1000.0, 10_000.0)?.max(1.0) as i64;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let ledger = self.ledger.clone();
            let events = blocking(move || ledger.events(after, limit))
                .await
                .map_err(ApiError::ledger)?;
            let now = tokio::time::Instant::now();
            if !events.is_empty() || now >= deadline || self.stopping.load(Ordering::SeqCst) {
                let next = events.last().map_or(after, |e| e.cursor);
                let list: Vec<Value> = events.into_iter().map(|e| e.json).collect();
                return Ok(json_answer(200, &json!({ "events": list, "next": next })));
            }
            // Another instance's changes show only in the ledger: look again
            // at least every quarter second.
            let _ = tokio::time::timeout((deadline - now).min(Duration::from_millis(250)), self.wake.notified()).await;
        }
    }
}
