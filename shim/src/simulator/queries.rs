//! The nine query operations (`*QueryService`): the reports held that match
//! the request's parameters, answered as `WageReportsFromIR`,
//! `PayerSummaryReportsFromIR` or `BenefitReportsFromIR`. Each stored report
//! (as it was sent) is fitted to the answer's schema: the answer's fields
//! are taken from the report, its record's header and the Register's own
//! data (IRDeliveryId, ReportData), by name, and whatever the answer's
//! schema does not have is left out. A report is kept as its XML text and
//! parsed here only when its contents are needed.

use super::answers::errors_json;
use super::clock::{date_time, guid, parse_date};
use super::store::{ErrorInfo, Report, State, CANCELLED};
use crate::operation::Operation;
use serde_json::{json, Map, Value};
use tulorekisteri::schema::{self, Element, Shape};

/// The ParameterTypes (KOOD §1.7) the queries use.
const PAYMENT_DATES: i64 = 4;
const PAYER: i64 = 6;
const INCOME_EARNER: i64 = 7;
const PENSION_POLICY: i64 = 9;
const IR_REPORT_ID: i64 = 17;
const RECEIVED: i64 = 25;

/// What an operation asks for: its QueryDataType (KOOD §1.5) and the
/// parameters it needs.
fn profile(op: &Operation) -> (i64, &'static [i64]) {
    match op.name {
        "GetWageReportsOneIncomeEarner" => (400, &[INCOME_EARNER]),
        "GetWageReportsOnePayer" => (401, &[PAYER]),
        "GetWageReportsOnePolicyNo" => (402, &[PENSION_POLICY]),
        "GetPayerSummaryReportsOnePayer" => (403, &[PAYER]),
        "GetPayerSummaryReportsOnePolicyNo" => (404, &[PENSION_POLICY]),
        "GetWageReportsOnePayerOneIncomeEarner" => (406, &[PAYER, INCOME_EARNER]),
        "GetBenefitReportsOneIncomeEarner" => (407, &[INCOME_EARNER]),
        "GetBenefitReportsOnePayerOneIncomeEarner" => (408, &[PAYER, INCOME_EARNER]),
        "GetBenefitReportsOneIRReportId" => (409, &[IR_REPORT_ID]),
        _ => (0, &[]),
    }
}

fn report_kind(op: &Operation) -> i64 {
    match op.response {
        "WageReportsFromIR" => 100,
        "PayerSummaryReportsFromIR" => 101,
        _ => 102,
    }
}

pub(super) fn list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => vec![],
        other => vec![other],
    }
}

pub(super) fn int(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// The request's parameters: ParameterType → value (identifiers by IdCode).
struct Parameters {
    values: Vec<(i64, String)>,
    spans: Vec<(i64, f64, f64)>,
}

impl Parameters {
    fn read(request: &Value) -> Parameters {
        let p = &request["DataRequestParameters"];
        let mut values = vec![];
        for v in list(&p["ValueParameter"]) {
            if let (Some(t), Some(s)) = (int(&v["ParameterType"]), v["Value"].as_str()) {
                values.push((t, s.to_string()));
            }
        }
        for v in list(&p["IdCodeParameter"]) {
            if let (Some(t), Some(s)) = (int(&v["ParameterType"]), v["IdCode"].as_str()) {
                values.push((t, s.to_string()));
            }
        }
        let mut spans = vec![];
        for key in ["TimespanParameter", "TimespanTimeParameter"] {
            for v in list(&p[key]) {
                let start = v["StartDate"].as_str().and_then(parse_date);
                let end = v["EndDate"].as_str().and_then(parse_date);
                if let (Some(t), Some(s), Some(e)) = (int(&v["ParameterType"]), start, end) {
                    spans.push((t, s, e + 86_399.999));
                }
            }
        }
        Parameters { values, spans }
    }

    fn get(&self, kind: i64) -> Option<&str> {
        self.values.iter().find(|(t, _)| *t == kind).map(|(_, v)| v.as_str())
    }
}

/// Whether `v` holds, anywhere below a key named `key`, an `Id` whose Code
/// is `code` (or, for a value key, the value itself).
pub(super) fn holds(v: &Value, key: &str, code: &str) -> bool {
    match v {
        Value::Object(o) => o.iter().any(|(k, child)| {
            (k == key && (child.as_str() == Some(code) || holds_code(child, code))) || holds(child, key, code)
        }),
        Value::Array(a) => a.iter().any(|c| holds(c, key, code)),
        _ => false,
    }
}

fn holds_code(v: &Value, code: &str) -> bool {
    match v {
        Value::Object(o) => {
            o.get("Code").and_then(Value::as_str) == Some(code) || o.values().any(|c| holds_code(c, code))
        }
        Value::Array(a) => a.iter().any(|c| holds_code(c, code)),
        _ => false,
    }
}

/// Whether the report's text may hold `code`: when neither has anything
/// XML escapes or wraps, a code that is not in its text is not in it.
fn may_hold(r: &Report, code: &str) -> bool {
    match &r.xml {
        Some(xml)
            if !code.contains(['&', '<', '>', '"', '\'']) && !xml.contains(['&']) && !xml.contains("<![CDATA[") =>
        {
            xml.contains(code)
        }
        _ => true,
    }
}

/// The report's contents as an object: read from its text put back in its
/// record's skeleton (states written before `xml` was kept hold the object).
pub(super) fn data_of(r: &Report, state: &State) -> Option<Value> {
    if !r.data.is_null() {
        return Some(r.data.clone());
    }
    let skeleton = state.delivery_by_ir(&r.ir_delivery_id)?.skeleton.as_ref()?;
    let record = skeleton.with(r.xml.as_deref()?)?;
    let mut parsed = tulorekisteri::parse(record.as_bytes()).ok()?;
    let root = parsed.as_object_mut()?.values_mut().next()?;
    let mut report = root.pointer_mut("/DeliveryData/Reports/Report")?.take();
    match report {
        Value::Array(ref mut list) if !list.is_empty() => Some(list.swap_remove(0)),
        Value::Object(_) => Some(report),
        _ => None,
    }
}

/// Whether the report may match without reading its contents (false: it
/// does not).
fn may_match(r: &Report, header: &Value, p: &Parameters, needed: &[i64]) -> bool {
    needed.iter().all(|&kind| {
        let Some(v) = p.get(kind) else { return false };
        match kind {
            PAYER => r.payer == v || r.owner == v || holds(header, "PayerIds", v),
            INCOME_EARNER => may_hold(r, v),
            PENSION_POLICY => may_hold(r, v) || holds(header, "PensionPolicyNo", v),
            IR_REPORT_ID => r.ir_report_id.eq_ignore_ascii_case(v),
            _ => true,
        }
    })
}

fn matches(r: &Report, data: &Value, header: &Value, p: &Parameters, needed: &[i64]) -> bool {
    let ok = needed.iter().all(|&kind| {
        let Some(v) = p.get(kind) else { return false };
        match kind {
            PAYER => r.payer == v || r.owner == v || holds(header, "PayerIds", v),
            INCOME_EARNER => holds(data, "IncomeEarnerIds", v),
            PENSION_POLICY => holds(data, "PensionPolicyNo", v) || holds(header, "PensionPolicyNo", v),
            IR_REPORT_ID => r.ir_report_id.eq_ignore_ascii_case(v),
            _ => true,
        }
    });
    ok && p.spans.iter().all(|&(kind, start, end)| match kind {
        PAYMENT_DATES => {
            let date = header
                .pointer("/PaymentPeriod/PaymentDate")
                .or_else(|| header.get("PaymentDate"))
                .and_then(Value::as_str)
                .and_then(parse_date);
            date.is_none_or(|d| (start..=end).contains(&d))
        }
        RECEIVED | 2 => (start..=end).contains(&r.version_received_at),
        _ => true,
    })
}

/// The child element `name` of a group element.
fn field(el: Element, name: &str) -> Option<Element> {
    match el.shape() {
        Shape::Group { fields, .. } => fields.into_iter().map(|f| f.element).find(|e| e.name() == name),
        _ => None,
    }
}

/// `sources` fitted to the element `el`: each of its fields taken from the
/// first source that has it, recursively; anything else left out.
fn fit(el: Element, sources: &[&Value]) -> Value {
    let Shape::Group { fields, .. } = el.shape() else {
        return sources
            .iter()
            .find(|s| !s.is_object() && !s.is_null())
            .map(|v| (*v).clone())
            .unwrap_or(Value::Null);
    };
    let mut out = Map::new();
    for f in fields {
        let name = f.element.name();
        let Some(found) = sources.iter().find_map(|s| s.get(name)) else {
            continue;
        };
        let fitted: Vec<Value> = list(found).into_iter().filter_map(|v| fit_one(f.element, v)).collect();
        if fitted.is_empty() {
            continue;
        }
        match f.repeats() {
            true => out.insert(name.to_string(), Value::Array(fitted)),
            false => out.insert(name.to_string(), fitted.into_iter().next().unwrap_or(Value::Null)),
        };
    }
    Value::Object(out)
}

fn fit_one(el: Element, v: &Value) -> Option<Value> {
    match el.shape() {
        Shape::Value(_) => (!v.is_object() && !v.is_array() && !v.is_null()).then(|| v.clone()),
        Shape::Group { .. } => v.is_object().then(|| fit(el, &[v])),
        _ => None,
    }
}

/// The elements of a `*FromIR` root's `Reports/Report` and of its
/// `DeliveryData`.
pub(super) fn report_elements(root: &str) -> Option<(Element, Element)> {
    let report_el = schema::root(root)
        .and_then(|r| field(r, "Reports"))
        .and_then(|r| field(r, "Report"))?;
    Some((report_el, field(report_el, "DeliveryData")?))
}

/// A held report (`contents` its object, `header` its record's
/// DeliveryData) fitted to an answer's `Report` element: its fields taken
/// from the Register's own data (IRDeliveryId, ReportData), the report
/// and the header, by name.
pub(super) fn answer_report(
    r: &Report,
    contents: &Value,
    header: &Value,
    report_el: Element,
    delivery_el: Element,
) -> Value {
    let ours = json!({ "IRDeliveryId": r.ir_delivery_id });
    let delivery = fit(delivery_el, &[&ours, header]);
    let mut data = Map::new();
    data.insert("IRReportId".into(), json!(r.ir_report_id));
    if let Some(id) = &r.report_id {
        data.insert("ReportId".into(), json!(id));
    }
    data.insert("ReportStatus".into(), json!(if r.state == CANCELLED { 2 } else { 1 }));
    data.insert("ReportVersion".into(), json!(r.version));
    data.insert("ReceivedTimestamp".into(), json!(date_time(r.received_at)));
    data.insert(
        "VersionReceivedTimestamp".into(),
        json!(date_time(r.version_received_at)),
    );
    let synthetic = json!({ "DeliveryData": delivery, "ReportData": Value::Object(data) });
    fit(report_el, &[&synthetic, contents, header])
}

/// The answer to a query, and how many reports it holds. `errors` are the
/// request's own problems (its environment, its rules).
pub fn answer(op: &Operation, request: &Value, errors: &[ErrorInfo], state: &State, now: f64) -> (Value, usize) {
    let (query_type, needed) = profile(op);
    let asked = int(&request["QueryDataType"]).unwrap_or(0);
    let p = Parameters::read(request);
    let mut delivery_errors: Vec<ErrorInfo> = errors.to_vec();
    if asked != query_type {
        delivery_errors.push(ErrorInfo::new(
            "sim-query-type",
            format!("{} answers QueryDataType {query_type}, not {asked}", op.name),
            Some("QueryDataType".into()),
        ));
    }
    for &kind in needed {
        if p.get(kind).is_none() {
            delivery_errors.push(ErrorInfo::new(
                "sim-parameter",
                format!("{} needs a parameter of ParameterType {kind}", op.name),
                Some("DataRequestParameters".into()),
            ));
        }
    }
    let mut subscription = Map::new();
    subscription.insert("QueryDataType".into(), json!(asked));
    if let Some(profile) = request.get("QueryProfile").filter(|v| v.is_string()) {
        subscription.insert("QueryProfile".into(), profile.clone());
    }
    subscription.insert("ProductionEnvironment".into(), json!(false));
    let span = p
        .spans
        .iter()
        .find(|(k, _, _)| *k == PAYMENT_DATES || *k == RECEIVED || *k == 2);
    let (start, end) = span.map(|&(_, s, e)| (s, e)).unwrap_or((1_546_300_800.0, now));
    let mut content = Map::new();
    content.insert("Subscription".into(), Value::Object(subscription));
    content.insert(
        "Query".into(),
        json!({
            "IRQueryId": guid(),
            "QueryTimestamp": date_time(now),
            "QueryTimespanStart": date_time(start),
            "QueryTimespanEnd": date_time(end),
        }),
    );
    let mut reports = vec![];
    if delivery_errors.is_empty() {
        let kind = report_kind(op);
        let report_el = schema::root(op.response)
            .and_then(|r| field(r, "Reports"))
            .and_then(|r| field(r, "Report"));
        let delivery_el = report_el.and_then(|r| field(r, "DeliveryData"));
        let empty = json!({});
        for r in state.reports.iter().filter(|r| r.delivery_data_type == kind) {
            let header = state
                .delivery_by_ir(&r.ir_delivery_id)
                .and_then(|d| d.header.as_ref())
                .unwrap_or(&empty);
            if !may_match(r, header, &p, needed) {
                continue;
            }
            let Some(contents) = data_of(r, state) else { continue };
            if !matches(r, &contents, header, &p, needed) {
                continue;
            }
            let (Some(report_el), Some(delivery_el)) = (report_el, delivery_el) else {
                continue;
            };
            reports.push(answer_report(r, &contents, header, report_el, delivery_el));
        }
    }
    let n = reports.len();
    content.insert("Summary".into(), json!({ "NrOfReports": n }));
    if let Some(e) = errors_json(&delivery_errors) {
        content.insert("DeliveryErrors".into(), e);
    }
    if n > 0 {
        content.insert("Reports".into(), json!({ "Report": reports }));
    }
    let mut answer = Map::new();
    answer.insert(op.response.to_string(), Value::Object(content));
    (Value::Object(answer), n)
}
