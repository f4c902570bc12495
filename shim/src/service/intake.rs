//! What the API's POSTs carry, checked and turned into what the ledger
//! keeps: whole records (validated with the core: the schema and the
//! Register's rules), reports with their header fields (each validated in
//! a record of its own before it joins one), cancellations. A problem is
//! an [`ApiError`] naming where it is; nothing is kept then.

use super::errors::ApiError;
use super::kinds::{self, Kind};
use super::ledger::{state, Group, Ledger, NewRecord, NewReport};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tulorekisteri::rules::{Environment, RuleOptions};
use tulorekisteri::{Diagnostic, Options, Severity};

/// Who sends: the business ID of the certificate (DeliveryDataCreator and
/// DeliveryDataSender), and the environment.
#[derive(Debug, Clone)]
pub struct Sender {
    /// The certificate's business ID.
    pub business_id: String,
    /// Records go to production.
    pub production: bool,
    /// `Source` of the records the service makes.
    pub source: String,
}

fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn options(production: bool) -> Options {
    let environment = match production {
        true => Environment::Production,
        false => Environment::Test,
    };
    Options::default()
        .unsigned(true)
        .rules(RuleOptions::default().environment(environment))
}

fn errors_only(diagnostics: Vec<Diagnostic>) -> Option<Vec<Diagnostic>> {
    diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
        .then_some(diagnostics)
}

/// The Id object of the payer that is the record's owner (TR §3.2: the
/// business ID when the payer has one, else the Finnish personal identity
/// code), or `None` (then the sender is the owner).
fn owner_id(payer: &Value) -> Option<Value> {
    let ids = payer.pointer("/PayerIds/Id")?.as_array()?;
    let of_type = |t: i64| {
        ids.iter()
            .find(|id| id.get("Type").and_then(type_of) == Some(t))
            .cloned()
    };
    of_type(1).or_else(|| of_type(2))
}

fn type_of(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// The payer's identifier in the API (`{payer}` of the report's URL).
fn payer_code(payer: &Value) -> Option<String> {
    let id = owner_id(payer).or_else(|| payer.pointer("/PayerIds/Id/0").cloned())?;
    id.get("Code").and_then(Value::as_str).map(str::to_string)
}

fn party(code: &str) -> Value {
    json!({ "Type": 1, "Code": code })
}

/// The header fields every record the service makes has (all but
/// Timestamp and DeliveryId, given when it is signed).
fn common_header(ddt: i64, owner: Value, sender: &Sender) -> Map<String, Value> {
    let mut h = Map::new();
    h.insert("Source".into(), json!(sender.source));
    h.insert("DeliveryDataType".into(), json!(ddt));
    h.insert("FaultyControl".into(), json!(1));
    h.insert("ProductionEnvironment".into(), json!(sender.production));
    h.insert("DeliveryDataOwner".into(), owner);
    h.insert("DeliveryDataCreator".into(), party(&sender.business_id));
    h.insert("DeliveryDataSender".into(), party(&sender.business_id));
    h
}

/// The record object of `header` (DeliveryData without Timestamp and
/// DeliveryId) with `reports` or items, as the core's `build` takes it.
pub fn record_object(root: &str, header: &Value, delivery_id: &str, timestamp: &str, reports: Vec<Value>) -> Value {
    let mut data = header.as_object().cloned().unwrap_or_default();
    data.insert("Timestamp".into(), json!(timestamp));
    data.insert("DeliveryId".into(), json!(delivery_id));
    if !reports.is_empty() {
        data.insert("Reports".into(), json!({ "Report": reports }));
    }
    json!({ root: { "DeliveryData": data } })
}

/// One posted report, checked: what the ledger keeps of it.
/// One posted report, read: what the ledger keeps, and its header and
/// report objects for the check.
struct Item {
    report: NewReport,
    group: Group,
    header: Value,
    object: Value,
}

fn report_item(item: &Value, index: usize, sender: &Sender) -> Result<Item, ApiError> {
    let at = |m: String| ApiError::invalid_input(format!("reports[{index}]: {m}"));
    let Some(fields) = item.as_object() else {
        return Err(at("must be an object".into()));
    };
    let kind_name = fields
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| at(format!("\"kind\" is missing (one of {})", kinds::names())))?;
    let kind: &Kind = kinds::by_name(kind_name).ok_or_else(|| {
        ApiError::unknown_kind(format!(
            "reports[{index}]: unknown kind {kind_name:?} (one of {})",
            kinds::names()
        ))
    })?;
    let allowed = ["kind", "report", "realtime", "action"];
    if let Some(k) = fields
        .keys()
        .find(|k| !allowed.contains(&k.as_str()) && !kind.header.iter().any(|(h, _, _)| h == k))
    {
        return Err(at(format!("unknown key {k:?} for kind {}", kind.name)));
    }
    let realtime = match fields.get("realtime") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(at("\"realtime\" must be true or false".into())),
    };
    let report = fields
        .get("report")
        .filter(|r| r.is_object())
        .ok_or_else(|| at("\"report\" (the report object, as `tulorekisteri build` takes it) is missing".into()))?;
    let report_id = report
        .pointer("/ReportData/ReportId")
        .and_then(Value::as_str)
        .ok_or_else(|| at("report.ReportData.ReportId is missing".into()))?;
    let action = report
        .pointer("/ReportData/ActionCode")
        .and_then(type_of)
        .ok_or_else(|| at("report.ReportData.ActionCode is missing".into()))?;
    if let Some(a) = fields.get("action") {
        let named = match a.as_str() {
            Some("new") => Some(1),
            Some("replacement") => Some(2),
            _ => type_of(a),
        };
        if named != Some(action) {
            return Err(at(format!(
                "\"action\" {a} does not match report.ReportData.ActionCode {action}"
            )));
        }
    }
    let mut header = Map::new();
    for (key, element, required) in kind.header {
        match fields.get(*key) {
            Some(v) => {
                header.insert(element.to_string(), v.clone());
            }
            None if *required => return Err(at(format!("\"{key}\" is missing (kind {} needs it)", kind.name))),
            None => {}
        }
    }
    let payer = header.get("Payer").cloned().unwrap_or(Value::Null);
    let payer_id = payer_code(&payer).ok_or_else(|| at("payer.PayerIds.Id[0].Code is missing".into()))?;
    let owner = owner_id(&payer).unwrap_or_else(|| party(&sender.business_id));
    let owner_code = owner
        .get("Code")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut full = common_header(kind.ddt, owner, sender);
    full.extend(header.clone());
    let header = Value::Object(full);
    let root = match realtime {
        true => kind.realtime,
        false => kind.deferred,
    };
    let header_text = header.to_string();
    let key = format!("{}|{}|{}|{}", kind.name, realtime, action, hash(header_text.as_bytes()));
    let body = report.to_string();
    let content = format!("{}\n{realtime}\n{header_text}\n{body}", kind.name);
    Ok(Item {
        report: NewReport {
            payer: payer_id,
            kind: kind.name.to_string(),
            report_id: report_id.to_string(),
            action,
            content_hash: hash(content.as_bytes()),
            body: Some(body),
        },
        group: Group {
            key,
            header: header_text,
            root: root.to_string(),
            ddt: kind.ddt,
            owner: owner_code,
            realtime,
        },
        header,
        object: report.clone(),
    })
}

/// The reports of a POST to `/v1/reports`: `{"reports": [...]}`, a list,
/// or one report object.
pub fn reports(body: &Value, sender: &Sender) -> Result<Vec<(NewReport, Group)>, ApiError> {
    let list: Vec<&Value> = match body {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) if o.contains_key("reports") => match &o["reports"] {
            Value::Array(a) => a.iter().collect(),
            _ => return Err(ApiError::invalid_input("\"reports\" must be a list".into())),
        },
        Value::Object(_) => vec![body],
        _ => {
            return Err(ApiError::invalid_input(
                "the body must be a report, a list of reports or {\"reports\": [...]}".into(),
            ))
        }
    };
    if list.is_empty() {
        return Err(ApiError::invalid_input("no reports".into()));
    }
    let items: Vec<Item> = list
        .iter()
        .enumerate()
        .map(|(i, item)| report_item(item, i, sender))
        .collect::<Result<_, _>>()?;
    check(&items, sender)?;
    Ok(items.into_iter().map(|i| (i.report, i.group)).collect())
}

/// Checks the reports of a batch with the core: those of one group in one
/// record (a real-time one alone), as they will be sent; a problem is
/// named with the report it is in. The record a report joins is checked
/// whole again before it is signed.
fn check(items: &[Item], sender: &Sender) -> Result<(), ApiError> {
    let mut groups: Vec<(&str, Vec<usize>)> = vec![];
    for (i, item) in items.iter().enumerate() {
        let key = item.group.key.as_str();
        match groups
            .iter_mut()
            .find(|(k, _)| *k == key)
            .filter(|_| !item.group.realtime)
        {
            Some((_, members)) => members.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    let now = crate::client::request::timestamp_now();
    for (_, members) in groups {
        let first = &items[members[0]];
        let reports = members.iter().map(|&i| items[i].object.clone()).collect();
        let object = record_object(&first.group.root, &first.header, "check", &now, reports);
        // Which report of the batch a problem at `path` is in: the
        // validator's element paths count from 1 (`/Reports/Report[2]`),
        // `build`'s object paths from 0 (`.Reports.Report[1]`).
        let report_of = |path: &str| -> usize {
            let (rest, base) = match path.split_once("/Reports/Report[") {
                Some((_, rest)) => (rest, 1),
                None => match path.split_once(".Reports.Report[") {
                    Some((_, rest)) => (rest, 0),
                    None => return members[0],
                },
            };
            rest.split(']')
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| members.get(n.saturating_sub(base)).copied())
                .unwrap_or(members[0])
        };
        let problems = match tulorekisteri::build(&object) {
            Ok(xml) => errors_only(tulorekisteri::validate_str(&xml, &options(sender.production))),
            Err(d) => Some(d),
        };
        if let Some(d) = problems {
            let index = d
                .iter()
                .find(|d| d.severity == Severity::Error)
                .map_or(members[0], |d| report_of(&d.path));
            let mine = d.into_iter().filter(|d| report_of(&d.path) == index).collect();
            return Err(ApiError::invalid_report(index, mine));
        }
    }
    Ok(())
}

/// A whole record (XML, or the JSON object `tulorekisteri build` takes),
/// checked: what the ledger keeps of it.
pub fn record(body: &[u8], sender: &Sender) -> Result<NewRecord, ApiError> {
    let xml = crate::client::prepare::xml_of(body).map_err(ApiError::from_prepare)?;
    if let Some(d) = errors_only(tulorekisteri::validate_bytes(&xml, &options(sender.production))) {
        return Err(ApiError::invalid_record(d));
    }
    let object = tulorekisteri::parse(&xml).map_err(ApiError::invalid_record)?;
    let (root, content) = object
        .as_object()
        .and_then(|m| m.iter().next())
        .map(|(k, v)| (k.clone(), v.clone()))
        .unwrap_or_default();
    let data = content.get("DeliveryData").cloned().unwrap_or(Value::Null);
    let text = |p: &str| data.pointer(p).and_then(Value::as_str).map(str::to_string);
    let ddt = data.get("DeliveryDataType").and_then(type_of).unwrap_or(0);
    let delivery_id = text("/DeliveryId");
    let owner = text("/DeliveryDataOwner/Code").unwrap_or_default();
    let invalidation = root.starts_with("Invalidation");
    let kind = match (kinds::by_root(&root), invalidation) {
        (Some(k), _) => k.name,
        (None, true) => "cancellation",
        // A record subscription (103) is followed like a report record; its
        // feedback item is the MainSubscriptionId.
        (None, false) if root.starts_with("SubscriptionsRequestToIR") => "subscription",
        (None, false) => {
            return Err(ApiError::unsupported_record(format!(
                "{root} records are not sent by the service: post report records ({}), cancellations or subscriptions",
                kinds::names()
            )))
        }
    };
    if delivery_id.is_none() {
        return Err(ApiError::invalid_input("the record has no DeliveryId".into()));
    }
    let payer = data.get("Payer").and_then(payer_code).unwrap_or_else(|| owner.clone());
    let mut reports = vec![];
    for (i, r) in data
        .pointer("/Reports/Report")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let id = r
            .pointer("/ReportData/ReportId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                r.pointer("/ReportData/IRReportId")
                    .and_then(Value::as_str)
                    .map(|ir| format!("ir-{ir}"))
            })
            .ok_or_else(|| ApiError::invalid_input(format!("Reports/Report[{i}] has no ReportId")))?;
        reports.push(NewReport {
            payer: payer.clone(),
            kind: kind.to_string(),
            report_id: id,
            action: r.pointer("/ReportData/ActionCode").and_then(type_of).unwrap_or(1),
            content_hash: hash(r.to_string().as_bytes()),
            body: None,
        });
    }
    let realtime = crate::operation::for_request(&root).is_some_and(|op| op.kind == crate::operation::Kind::RealTime);
    Ok(NewRecord {
        kind: kind.to_string(),
        root,
        ddt,
        owner,
        delivery_id,
        content_hash: hash(&xml),
        xml: Some(xml),
        header: None,
        realtime,
        reports,
        cancels: vec![],
        cancels_record: None,
        holds: vec![],
    })
}

/// A cancellation: `{"payer", "kind", "reportId"}` (a report, its latest
/// version) or `{"recordId"}` (a whole record), and `"realtime"`.
pub fn cancellation(body: &Value, sender: &Sender, ledger: &Ledger) -> Result<NewRecord, ApiError> {
    let Some(fields) = body.as_object() else {
        return Err(ApiError::invalid_input("the body must be an object".into()));
    };
    if let Some(k) = fields
        .keys()
        .find(|k| !["payer", "kind", "reportId", "recordId", "realtime"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid_input(format!("unknown key {k:?}")));
    }
    let realtime = fields.get("realtime").and_then(Value::as_bool).unwrap_or(false);
    let root = match realtime {
        true => "InvalidationRequestToIR",
        false => "InvalidationsRequestToIR",
    };
    // A personal identity code (DDMMYY-NNNC) is type 2, a business ID type 1.
    let owner = |code: &str| json!({ "Type": if code.len() == 11 { 2 } else { 1 }, "Code": code });
    let (ddt, owner_code, item, holds, cancels, cancels_record, what) = if let Some(id) = fields.get("recordId") {
        let id = id
            .as_i64()
            .ok_or_else(|| ApiError::invalid_input("\"recordId\" must be a number".into()))?;
        let summary = ledger
            .record_summary(id)
            .map_err(ApiError::ledger)?
            .ok_or_else(|| ApiError::unknown(format!("no record {id} in the ledger")))?;
        let kind = kinds::by_name(&summary.kind).ok_or_else(|| {
            ApiError::conflict(format!(
                "record {id} is a {} record: only report records are cancelled whole",
                summary.kind
            ))
        })?;
        if matches!(summary.state.as_str(), state::REJECTED | state::CANCELLED) {
            return Err(ApiError::conflict(format!(
                "record {id} is {}: there is nothing to cancel",
                summary.state
            )));
        }
        let item = json!({ "ItemId": summary.delivery_id });
        (
            kind.cancel_record,
            summary.owner,
            item,
            vec![id],
            vec![],
            Some(id),
            format!("record:{id}"),
        )
    } else {
        let get = |k: &str| {
            fields
                .get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::invalid_input(format!("\"{k}\" is missing (or give \"recordId\")")))
        };
        let (payer, kind_name, report_id) = (get("payer")?, get("kind")?, get("reportId")?);
        let kind = kinds::by_name(kind_name)
            .ok_or_else(|| ApiError::unknown_kind(format!("unknown kind {kind_name:?} (one of {})", kinds::names())))?;
        let rows = ledger
            .report_rows(payer, kind.name, report_id)
            .map_err(ApiError::ledger)?;
        let Some((row, record, report_state)) = rows.into_iter().next() else {
            return Err(ApiError::unknown(format!(
                "no report {report_id} ({}) of this payer in the ledger",
                kind.name
            )));
        };
        if matches!(report_state.as_str(), state::REJECTED | state::CANCELLED) {
            return Err(ApiError::conflict(format!(
                "report {report_id} is {report_state}: there is nothing to cancel"
            )));
        }
        let summary = ledger
            .record_summary(record)
            .map_err(ApiError::ledger)?
            .ok_or_else(|| ApiError::unknown(format!("no record {record} in the ledger")))?;
        let item = json!({ "ItemId": report_id });
        (
            kind.cancel_reports,
            summary.owner,
            item,
            vec![record],
            vec![row],
            None,
            format!("report:{row}"),
        )
    };
    let mut header = common_header(ddt, owner(&owner_code), sender);
    header.insert("Items".into(), json!({ "Item": [item] }));
    Ok(NewRecord {
        kind: "cancellation".into(),
        root: root.into(),
        ddt,
        owner: owner_code,
        delivery_id: None,
        xml: None,
        header: Some(Value::Object(header).to_string()),
        content_hash: hash(format!("cancel {what} {realtime}").as_bytes()),
        realtime,
        reports: vec![],
        cancels,
        cancels_record,
        holds,
    })
}
