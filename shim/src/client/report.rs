//! What the commands print: the fate of every report (or item) of a record
//! and of the record itself, and the exit status that goes with it. Only
//! DeliveryIds, ReportIds, the Register's ids, statuses and the Register's
//! error codes and messages are printed: never a record's content.

use super::outcome::Outcome;
use crate::exit;
use std::io::{self, Write};
use tulorekisteri::feedback::{ErrorInfo, Item};
use tulorekisteri::{DeliveryStatus, Diagnostic, Feedback};

/// Local problems, one line each, as the core's CLI prints them:
/// `FILE:LINE:COLUMN: CODE: message (path)`.
pub fn diagnostics(out: &mut dyn Write, file: &str, problems: &[Diagnostic]) -> io::Result<()> {
    for d in problems {
        let at = match d.line {
            0 => file.to_string(),
            line => format!("{file}:{line}:{}", d.column),
        };
        let path = match d.path.is_empty() {
            true => String::new(),
            false => format!(" ({})", d.path),
        };
        writeln!(out, "{at}: {}: {}: {}{path}", d.severity.as_str(), d.code, d.message)?;
    }
    Ok(())
}

/// What the items of a record are called, by its root or `DeliveryDataType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Items {
    /// Reports: `ReportId`, `IRReportId`.
    Reports,
    /// Invalidation items: `ItemId`, `IRItemId`.
    Invalidations,
    /// Subscriptions: `MainSubscriptionId`.
    Subscriptions,
}

impl Items {
    /// By the request's root element.
    pub fn of_root(root: &str) -> Items {
        if root.starts_with("Invalidation") {
            Items::Invalidations
        } else if root.starts_with("Subscription") {
            Items::Subscriptions
        } else {
            Items::Reports
        }
    }

    /// By `DeliveryDataType` (KOOD §1.4).
    pub fn of_type(delivery_data_type: i64) -> Items {
        match delivery_data_type {
            103 => Items::Subscriptions,
            105..=112 => Items::Invalidations,
            _ => Items::Reports,
        }
    }

    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Items::Reports => ("report", "ReportId", "IRReportId"),
            Items::Invalidations => ("item", "ItemId", "IRItemId"),
            Items::Subscriptions => ("subscription", "MainSubscriptionId", "IRMainSubscriptionId"),
        }
    }
}

/// What is known of the record's items when there is no feedback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unanswered {
    /// Rejected by the local checks or refused: not stored.
    Rejected,
    /// Nothing reached the Register.
    NotSent,
    /// It may have arrived.
    Unknown,
    /// Received, not processed yet.
    Processing,
}

/// An error's code and message. `ErrorCode` is `String20`, and many of
/// the core's codes are longer: the simulator cuts such a code there and
/// writes it whole at the start of `ErrorMessage` (`CODE: message`); the
/// whole code is shown then, once.
pub fn code_and_message(e: &ErrorInfo) -> (&str, &str) {
    if e.code.chars().count() == 20 {
        if let Some((whole, rest)) = e.message.split_once(": ") {
            if whole.len() > e.code.len() && whole.starts_with(e.code.as_str()) && !whole.contains(char::is_whitespace)
            {
                return (whole, rest);
            }
        }
    }
    (&e.code, &e.message)
}

fn errors(out: &mut dyn Write, indent: &str, list: &[ErrorInfo]) -> io::Result<()> {
    for e in list {
        let (code, message) = code_and_message(e);
        write!(out, "{indent}error {code}: {message}")?;
        match &e.details {
            Some(d) => writeln!(out, " ({d})")?,
            None => writeln!(out)?,
        }
    }
    Ok(())
}

fn item_line(out: &mut dyn Write, kind: Items, id: Option<&str>, state: &str, item: Option<&Item>) -> io::Result<()> {
    let (noun, id_name, ir_name) = kind.names();
    match id {
        Some(id) => write!(out, "{noun} {id_name} {id}: {state}")?,
        None => write!(out, "{noun} (no {id_name}): {state}")?,
    }
    if let Some(item) = item {
        if let Some(ir) = &item.ir_item_id {
            write!(out, ", {ir_name} {ir}")?;
        }
        if let Some(v) = item.version {
            write!(out, ", version {v}")?;
        }
    }
    writeln!(out)?;
    if let Some(item) = item {
        errors(out, "  ", &item.errors)?;
    }
    Ok(())
}

/// The fate of every item: those of the record (`ids`, in order), then any
/// the feedback lists that the record does not name.
pub fn items(
    out: &mut dyn Write,
    kind: Items,
    ids: &[Option<String>],
    feedback: Option<&Feedback>,
    otherwise: Unanswered,
) -> io::Result<()> {
    let find = |list: fn(&Feedback) -> &[Item], id: &str| -> Option<&Item> {
        list(feedback?).iter().find(|i| i.item_id.as_deref() == Some(id))
    };
    let unlisted = match (feedback.map(|f| f.status), otherwise) {
        (Some(DeliveryStatus::RejectedAtReception | DeliveryStatus::RejectedInProcessing), _) => {
            "rejected with the record"
        }
        (Some(DeliveryStatus::Processing), _) => "processing",
        (Some(DeliveryStatus::Stored), _) => "not listed in the feedback",
        (Some(DeliveryStatus::Cancelled), _) => "cancelled with the record",
        (Some(_), _) | (None, Unanswered::Unknown) => "unknown",
        (None, Unanswered::Rejected) => "rejected with the record, not stored",
        (None, Unanswered::NotSent) => "not sent",
        (None, Unanswered::Processing) => "processing",
    };
    let mut named = vec![];
    for id in ids {
        let Some(id) = id.as_deref() else {
            item_line(out, kind, None, unlisted, None)?;
            continue;
        };
        named.push(id);
        if let Some(item) = find(|f| &f.valid_items, id) {
            item_line(out, kind, Some(id), "stored", Some(item))?;
        } else if let Some(item) = find(|f| &f.invalid_items, id) {
            item_line(out, kind, Some(id), "rejected", Some(item))?;
        } else {
            item_line(out, kind, Some(id), unlisted, None)?;
        }
    }
    if let Some(f) = feedback {
        let unnamed = |i: &&Item| i.item_id.as_deref().is_none_or(|id| !named.contains(&id));
        for item in f.valid_items.iter().filter(unnamed) {
            item_line(out, kind, item.item_id.as_deref(), "stored", Some(item))?;
        }
        for item in f.invalid_items.iter().filter(unnamed) {
            item_line(out, kind, item.item_id.as_deref(), "rejected", Some(item))?;
        }
    }
    Ok(())
}

/// `record DeliveryId X (DeliveryDataType N)`.
pub fn record_name(delivery_id: Option<&str>, ir_delivery_id: Option<&str>, delivery_data_type: Option<i64>) -> String {
    let mut s = String::from("record");
    if let Some(id) = delivery_id {
        s += &format!(" DeliveryId {id}");
    }
    if let Some(t) = delivery_data_type {
        s += &format!(" (DeliveryDataType {t})");
    }
    if let Some(ir) = ir_delivery_id {
        s += &format!(", IRDeliveryId {ir}");
    }
    s
}

/// The record's line with its feedback: its ids, status in words, and the
/// record-level errors.
pub fn record(out: &mut dyn Write, name: &str, feedback: &Feedback) -> io::Result<()> {
    let status = feedback.status;
    write!(out, "{name}")?;
    if let Some(ir) = feedback.ir_delivery_id.as_deref().filter(|ir| !name.contains(ir)) {
        write!(out, ", IRDeliveryId {ir}")?;
    }
    writeln!(
        out,
        ": status {} ({}): {}",
        status.code(),
        status.name(),
        status.meaning()
    )?;
    errors(out, "  record ", &feedback.message_errors)?;
    errors(out, "  record ", &feedback.delivery_errors)?;
    Ok(())
}

/// The exit status that a record's feedback means: 0 final and everything
/// stored (or cancelled), 1 the record or a report rejected, 3 not final.
pub fn exit_status(feedback: &Feedback) -> u8 {
    let clean =
        feedback.invalid_items.is_empty() && feedback.message_errors.is_empty() && feedback.delivery_errors.is_empty();
    match feedback.status {
        DeliveryStatus::Stored if clean => exit::OK,
        DeliveryStatus::Stored => exit::REJECTED,
        DeliveryStatus::RejectedAtReception | DeliveryStatus::RejectedInProcessing => exit::REJECTED,
        DeliveryStatus::Cancelled => exit::OK,
        _ => exit::PENDING,
    }
}

/// The exit status of an outcome without a final feedback.
pub fn exit_of(outcome: &Outcome) -> u8 {
    match outcome {
        Outcome::Delivered(a) => a.feedback.as_ref().map_or(exit::OK, exit_status),
        Outcome::Rejected { .. } => exit::REJECTED,
        _ => exit::PENDING,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feedback(xml: &str) -> Feedback {
        tulorekisteri::read_feedback(xml.as_bytes()).unwrap()
    }

    const STORED: &str = r#"<s:StatusResponseFromIR xmlns:s="http://www.tulorekisteri.fi/2017/1/StatusResponseFromIR">
  <DeliveryData><Timestamp>2024-01-01T10:00:00Z</Timestamp><DeliveryDataType>100</DeliveryDataType><DeliveryId>d-1</DeliveryId>
    <ProductionEnvironment>false</ProductionEnvironment>
    <DeliveryDataOwner><Type>1</Type><Code>7011367-6</Code></DeliveryDataOwner>
    <DeliveryDataCreator><Type>1</Type><Code>7011367-6</Code></DeliveryDataCreator>
    <DeliveryDataSender><Type>1</Type><Code>7011367-6</Code></DeliveryDataSender></DeliveryData>
  <StatusResponse><IRResponseId>0123456789abcdef0123456789abcdef</IRResponseId>
    <IRResponseTimestamp>2024-01-01T10:00:01Z</IRResponseTimestamp>
    <DeliveryDataStatus>3</DeliveryDataStatus><IRDeliveryId>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</IRDeliveryId>
    <ValidItems><Item><ItemId>r-1</ItemId><IRItemId>bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb</IRItemId><ItemVersion>1</ItemVersion></Item></ValidItems>
    <InvalidItems><Item><ItemId>r-2</ItemId><ItemErrors><ErrorInfo><ErrorCode>rule-x</ErrorCode><ErrorMessage>Wrong.</ErrorMessage></ErrorInfo></ItemErrors></Item></InvalidItems>
  </StatusResponse></s:StatusResponseFromIR>"#;

    #[test]
    fn every_report_and_the_record_have_a_fate() {
        let f = feedback(STORED);
        let mut out = vec![];
        let ids = [
            Some("r-1".to_string()),
            Some("r-2".to_string()),
            Some("r-3".to_string()),
        ];
        items(&mut out, Items::Reports, &ids, Some(&f), Unanswered::Unknown).unwrap();
        record(&mut out, &record_name(Some("d-1"), None, Some(100)), &f).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "report ReportId r-1: stored, IRReportId bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, version 1\n\
             report ReportId r-2: rejected\n  error rule-x: Wrong.\n\
             report ReportId r-3: not listed in the feedback\n\
             record DeliveryId d-1 (DeliveryDataType 100), IRDeliveryId aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: \
             status 3 (stored): processed and stored; invalid items, if any, were not stored\n"
        );
        assert_eq!(exit_status(&f), exit::REJECTED);
        let mut out = vec![];
        items(&mut out, Items::Reports, &ids[..1], None, Unanswered::NotSent).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "report ReportId r-1: not sent\n");
        // A code cut to ErrorCode's 20 characters is shown whole, from the message.
        let printed = |code: &str, message: &str| {
            let f = feedback(&STORED.replace("rule-x", code).replace("Wrong.", message));
            let mut out = vec![];
            errors(&mut out, "", &f.invalid_items[0].errors).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            printed(
                "rule-profession-requ",
                "rule-profession-required: A profession is needed."
            ),
            "error rule-profession-required: A profession is needed.\n"
        );
        // A message that only looks like it starts with the code is left alone.
        assert_eq!(
            printed("rule-abcdefghijklmno", "rule-abcdefghijklmnopq r: no."),
            "error rule-abcdefghijklmno: rule-abcdefghijklmnopq r: no.\n"
        );
        assert_eq!(printed("rule-x", "rule-xy: no."), "error rule-x: rule-xy: no.\n");
    }
}
