//! The requests the client writes itself, as the JSON objects the core's
//! `build` takes: a `StatusRequestToIR` (TR §11.2) and an `Echo`.

use super::prepare::Parties;
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// What a status request asks about: a record by its `DeliveryDataType`,
/// and its `DeliveryId` and/or `IRDeliveryId` (both: the record must match
/// both).
#[derive(Clone, PartialEq)]
pub struct StatusQuery {
    pub(crate) delivery_data_type: i64,
    pub(crate) delivery_id: Option<String>,
    pub(crate) ir_delivery_id: Option<String>,
    pub(crate) parties: Option<Parties>,
}

impl StatusQuery {
    /// A query about a record of `delivery_data_type`; name it with
    /// [`StatusQuery::delivery_id`] and/or [`StatusQuery::ir_delivery_id`].
    /// The owner, creator and sender are the signing certificate's business
    /// ID (the CN of its subject, `Type` 1).
    pub fn new(delivery_data_type: i64) -> StatusQuery {
        StatusQuery {
            delivery_data_type,
            delivery_id: None,
            ir_delivery_id: None,
            parties: None,
        }
    }

    /// The record's `DeliveryId`.
    pub fn delivery_id(mut self, id: impl Into<String>) -> StatusQuery {
        self.delivery_id = Some(id.into());
        self
    }

    /// The Register's `IRDeliveryId` of the record.
    pub fn ir_delivery_id(mut self, id: impl Into<String>) -> StatusQuery {
        self.ir_delivery_id = Some(id.into());
        self
    }

    /// A query about a record sent: its `DeliveryDataType`, `DeliveryId`,
    /// owner, creator and sender, and the `IRDeliveryId` its receipt gave.
    pub fn of(prepared: &super::Prepared, ir_delivery_id: Option<&str>) -> StatusQuery {
        StatusQuery {
            delivery_data_type: prepared.delivery_data_type().unwrap_or_default(),
            delivery_id: prepared.delivery_id().map(str::to_string),
            ir_delivery_id: ir_delivery_id.map(str::to_string),
            parties: prepared.parties().cloned(),
        }
    }

    /// The query as JSON, to keep (e.g. in a ledger) and ask again later
    /// without the record: [`StatusQuery::from_json`] reads it back. It
    /// holds the parties' identifiers.
    pub fn to_json(&self) -> Value {
        json!({
            "deliveryDataType": self.delivery_data_type,
            "deliveryId": self.delivery_id,
            "irDeliveryId": self.ir_delivery_id,
            "parties": self.parties.as_ref().map(|p| json!({
                "owner": p.owner, "creator": p.creator, "sender": p.sender,
            })),
        })
    }

    /// A query [`StatusQuery::to_json`] wrote, or `None`.
    pub fn from_json(v: &Value) -> Option<StatusQuery> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let parties = match v.get("parties") {
            Some(Value::Object(p)) => Some(Parties {
                owner: p.get("owner")?.clone(),
                creator: p.get("creator")?.clone(),
                sender: p.get("sender")?.clone(),
            }),
            _ => None,
        };
        Some(StatusQuery {
            delivery_data_type: v.get("deliveryDataType")?.as_i64()?,
            delivery_id: text("deliveryId"),
            ir_delivery_id: text("irDeliveryId"),
            parties,
        })
    }

    /// The `DeliveryDataType` asked about.
    pub fn asked_delivery_data_type(&self) -> i64 {
        self.delivery_data_type
    }

    /// The `DeliveryId` asked about.
    pub fn asked_delivery_id(&self) -> Option<&str> {
        self.delivery_id.as_deref()
    }

    /// The `IRDeliveryId` asked about.
    pub fn asked_ir_delivery_id(&self) -> Option<&str> {
        self.ir_delivery_id.as_deref()
    }
}

impl std::fmt::Debug for StatusQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the parties' identifiers.
        f.debug_struct("StatusQuery")
            .field("delivery_data_type", &self.delivery_data_type)
            .field("delivery_id", &self.delivery_id)
            .field("ir_delivery_id", &self.ir_delivery_id)
            .finish()
    }
}

/// The `StatusRequestToIR` object of `query`, written now; `business_id`
/// stands for the owner, creator and sender when the query names none.
pub(crate) fn status_request(query: &StatusQuery, production: bool, business_id: &str) -> Value {
    let id = json!({ "Type": 1, "Code": business_id });
    let (owner, creator, sender) = match &query.parties {
        Some(p) => (p.owner.clone(), p.creator.clone(), p.sender.clone()),
        None => (id.clone(), id.clone(), id),
    };
    json!({
        "StatusRequestToIR": {
            "Timestamp": timestamp_now(),
            "DeliveryDataType": query.delivery_data_type,
            "DeliveryId": query.delivery_id,
            "IRDeliveryId": query.ir_delivery_id,
            "ProductionEnvironment": production,
            "DeliveryDataOwner": owner,
            "DeliveryDataCreator": creator,
            "DeliveryDataSender": sender,
        }
    })
}

/// The `Echo` object of `data`.
pub(crate) fn echo(data: &str) -> Value {
    json!({ "Echo": { "Data": data } })
}

/// Now, as an `xs:dateTime` with its zone: `2024-01-31T10:00:00Z`.
pub fn timestamp_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    timestamp(seconds)
}

/// Unix seconds as an `xs:dateTime` in UTC.
pub fn timestamp(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The business ID of a certificate: the `CN` of its subject (RFC 4514, as
/// the core writes it).
pub fn business_id(subject: &str) -> Option<String> {
    let mut parts = vec![];
    let mut current = String::new();
    let mut chars = subject.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ',' | '+' => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts.iter().find_map(|p| {
        let (key, value) = p.trim().split_once('=')?;
        key.trim().eq_ignore_ascii_case("CN").then(|| value.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_with_their_zone() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_709_210_096), "2024-02-29T12:34:56Z");
        assert_eq!(timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert!(timestamp_now().ends_with('Z'));
    }

    #[test]
    fn the_business_id_is_the_subjects_cn() {
        assert_eq!(
            business_id("C=FI,O=Firma Oy,CN=7011367-6").as_deref(),
            Some("7011367-6")
        );
        assert_eq!(business_id("CN=1234567-1,O=A\\, B").as_deref(), Some("1234567-1"));
        assert_eq!(business_id("O=x"), None);
    }
}
