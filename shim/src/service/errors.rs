//! The API's errors: an HTTP status, a stable code and a message that says
//! what and where, as `{"error": {"code", "message", "problems"?}}`.

use crate::client::PrepareError;
use serde_json::{json, Value};
use tulorekisteri::Diagnostic;

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// A stable code, e.g. `invalid-record`.
    pub code: &'static str,
    /// In words.
    pub message: String,
    /// The validator's diagnostics, when there are any.
    pub problems: Vec<Value>,
}

fn diagnostic(d: &Diagnostic, report: Option<usize>) -> Value {
    let mut v = json!({
        "severity": d.severity.as_str(),
        "code": d.code.as_str(),
        "message": d.message,
        "line": d.line,
        "column": d.column,
        "path": d.path,
    });
    if let Some(i) = report {
        v["report"] = json!(i);
    }
    v
}

impl ApiError {
    fn new(status: u16, code: &'static str, message: String) -> ApiError {
        ApiError {
            status,
            code,
            message,
            problems: vec![],
        }
    }

    /// 400: the body cannot be read as what the path takes.
    pub fn malformed(message: String) -> ApiError {
        ApiError::new(400, "malformed", message)
    }

    /// 422: the body is readable but not what the path takes.
    pub fn invalid_input(message: String) -> ApiError {
        ApiError::new(422, "invalid-input", message)
    }

    /// 422: an unknown report kind.
    pub fn unknown_kind(message: String) -> ApiError {
        ApiError::new(422, "unknown-kind", message)
    }

    /// 422: a record the service does not send.
    pub fn unsupported_record(message: String) -> ApiError {
        ApiError::new(422, "unsupported-record", message)
    }

    /// 422: the record breaks the schema or the Register's rules.
    pub fn invalid_record(diagnostics: Vec<Diagnostic>) -> ApiError {
        let errors = diagnostics.iter().filter(|d| d.severity.as_str() == "error").count();
        ApiError {
            problems: diagnostics.iter().map(|d| diagnostic(d, None)).collect(),
            ..ApiError::new(
                422,
                "invalid-record",
                format!("the record did not pass the checks ({errors} errors); nothing was kept"),
            )
        }
    }

    /// 422: a report breaks the schema or the Register's rules.
    pub fn invalid_report(index: usize, diagnostics: Vec<Diagnostic>) -> ApiError {
        let errors = diagnostics.iter().filter(|d| d.severity.as_str() == "error").count();
        ApiError {
            problems: diagnostics.iter().map(|d| diagnostic(d, Some(index))).collect(),
            ..ApiError::new(
                422,
                "invalid-report",
                format!("reports[{index}] did not pass the checks ({errors} errors); nothing was kept"),
            )
        }
    }

    /// The local checks' refusal of a posted record.
    pub fn from_prepare(e: PrepareError) -> ApiError {
        match e {
            PrepareError::Invalid(d) => ApiError::invalid_record(d),
            other => ApiError::invalid_input(other.to_string()),
        }
    }

    /// 404: nothing of that name.
    pub fn unknown(message: String) -> ApiError {
        ApiError::new(404, "not-found", message)
    }

    /// 409: conflicts with what the ledger holds.
    pub fn conflict(message: String) -> ApiError {
        ApiError::new(409, "conflict", message)
    }

    /// 401: no token, or not one the configuration accepts.
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            401,
            "unauthorized",
            "give a token the configuration accepts: Authorization: Bearer TOKEN".into(),
        )
    }

    /// 413: the body is larger than the limit.
    pub fn too_large(limit: u64) -> ApiError {
        ApiError::new(413, "too-large", format!("the body is larger than {limit} bytes"))
    }

    /// 415: a content type the path does not take.
    pub fn unsupported_media(message: String) -> ApiError {
        ApiError::new(415, "unsupported-media-type", message)
    }

    /// 405: the path does not take this method.
    pub fn method(allowed: &str) -> ApiError {
        ApiError::new(405, "method-not-allowed", format!("this path takes {allowed}"))
    }

    /// 503: the service is stopping.
    pub fn stopping() -> ApiError {
        ApiError::new(
            503,
            "stopping",
            "the service is stopping; try again on another instance".into(),
        )
    }

    /// A ledger failure: a conflict or unknown thing as such, else 500.
    pub fn ledger(e: super::ledger::LedgerError) -> ApiError {
        use super::ledger::LedgerError;
        match e {
            LedgerError::Conflict(m) => ApiError::conflict(m),
            LedgerError::Unknown(m) => ApiError::unknown(m),
            LedgerError::Db(e) => ApiError::new(500, "ledger", format!("the ledger failed: {e}")),
        }
    }

    /// The answer's body.
    pub fn body(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if !self.problems.is_empty() {
            error["problems"] = Value::Array(self.problems.clone());
        }
        json!({ "error": error })
    }
}
