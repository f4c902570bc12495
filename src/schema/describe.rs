//! [`describe`]: a record root's element tree as JSON, for generating forms
//! (the npm package's `schema(root)`), from the same tables the validator
//! uses, with the code list the Register's rules take each field's values from.
//!
//! The tree is returned as two dictionaries keyed by type name, so a type
//! used in many places (an `Id`, an `Address`) is written once:
//! `groups` (complex types: their fields in schema order) and `values`
//! (simple types: kind and facets). Code lists give codes only; their
//! Finnish meanings are in the package's `code-lists.json`, except the
//! income types', whose names the rules carry anyway.

use crate::rules::codes::{ListCodes, Records, CODE_LISTS, CODE_LIST_FIELDS, INCOME_TYPES};
use crate::schema::{self, Element, Shape, ValueKind, ValueType};
use serde_json::{json, Map, Value};

/// The lists of income types, which have their own table.
const INCOME_TYPE_LIST: &str = "IncomeType";

/// The family of records whose code-list fields the rules check.
fn records_of(root: &str) -> Option<Records> {
    if root.starts_with("Wage") {
        Some(Records::Wage)
    } else if root.starts_with("PayerSummary") {
        Some(Records::PayerSummary)
    } else {
        None
    }
}

fn kind_name(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Text => "text",
        ValueKind::Integer => "integer",
        ValueKind::Decimal => "decimal",
        ValueKind::Boolean => "boolean",
        ValueKind::Date => "date",
        ValueKind::DateTime => "dateTime",
        ValueKind::Time => "time",
        ValueKind::Base64 => "base64",
    }
}

fn value_json(v: ValueType) -> Value {
    json!({
        "kind": kind_name(v.kind()),
        "minLength": v.min_length(),
        "maxLength": v.max_length(),
        "values": v.allowed_values(),
        "patterns": v.patterns(),
    })
}

/// The rules' list for `element` as a child of complex type `parent`.
fn list_of(records: Option<Records>, parent: &str, element: &str) -> Option<&'static str> {
    let records = records?;
    if records == Records::Wage && parent == "TransactionBasic" && element == "TransactionCode" {
        return Some(INCOME_TYPE_LIST);
    }
    CODE_LIST_FIELDS
        .iter()
        .find(|f| f.records == records && f.parent == parent && f.element == element)
        .map(|f| CODE_LISTS[f.list].name)
}

fn list_json(name: &str) -> Value {
    if name == INCOME_TYPE_LIST {
        let codes: Vec<Value> = INCOME_TYPES
            .iter()
            .map(|t| json!({ "code": t.code.to_string(), "meaning": t.name_fi }))
            .collect();
        return json!({ "codes": codes, "dated": false });
    }
    // `name` comes from CODE_LIST_FIELDS, which points into CODE_LISTS.
    let Some((index, list)) = CODE_LISTS.iter().enumerate().find(|(_, l)| l.name == name) else {
        return Value::Null;
    };
    let codes: Vec<Value> = match list.codes {
        ListCodes::Int(codes) => codes.iter().map(|c| json!({ "code": c.to_string() })).collect(),
        ListCodes::Text(codes) => codes.iter().map(|c| json!({ "code": c })).collect(),
    };
    let dated = CODE_LIST_FIELDS.iter().any(|f| f.list == index && f.dated);
    json!({ "codes": codes, "dated": dated })
}

/// The element tree of the record root named `root_name` as JSON, or `None`
/// for a name that is not a root:
///
/// ```json
/// { "root": "WageReportRequestToIR", "namespace": "http://...", "group": "wrtirt:...",
///   "groups": { "irct:Id": [ { "name": "Type", "min": 1, "max": 1, "value": "irct:IdType", "list": "IdType" } ] },
///   "values": { "irct:IdType": { "kind": "integer", "minLength": null, "maxLength": null, "values": [], "patterns": [] } },
///   "lists": { "IdType": { "codes": [ { "code": "1" } ], "dated": false } } }
/// ```
///
/// A field has `group` (a complex type in `groups`) or `value` (a simple
/// type in `values`); `max` is `null` for no limit; `min` is 0 for an
/// optional field and for each alternative of a choice.
///
/// ```
/// let s = tulorekisteri::schema::describe("InvalidationRequestToIR").unwrap();
/// assert_eq!(s["groups"][s["group"].as_str().unwrap()][0]["name"], "DeliveryData");
/// ```
pub fn describe(root_name: &str) -> Option<Value> {
    let root = schema::root(root_name)?;
    let records = records_of(root_name);
    let (mut groups, mut values, mut lists) = (Map::new(), Map::new(), Map::new());
    let mut stack: Vec<Element> = vec![root];
    while let Some(element) = stack.pop() {
        let Shape::Group { type_name, fields } = element.shape() else {
            continue;
        };
        if groups.contains_key(type_name) {
            continue;
        }
        let parent = type_name.split_once(':').map_or(type_name, |(_, local)| local);
        let mut out = vec![];
        for field in fields {
            let name = field.element.name();
            let mut f = json!({ "name": name, "min": field.min, "max": field.max });
            match field.element.shape() {
                Shape::Group { type_name, .. } => {
                    f["group"] = type_name.into();
                    stack.push(field.element);
                }
                Shape::Value(v) => {
                    f["value"] = v.name().into();
                    values.entry(v.name()).or_insert_with(|| value_json(v));
                    if let Some(list) = list_of(records, parent, name) {
                        f["list"] = list.into();
                        lists.entry(list).or_insert_with(|| list_json(list));
                    }
                }
            }
            out.push(f);
        }
        groups.insert(type_name.into(), Value::Array(out));
    }
    let Shape::Group { type_name, .. } = root.shape() else {
        return None;
    };
    Some(json!({
        "root": root_name,
        "namespace": root.namespace(),
        "group": type_name,
        "groups": groups,
        "values": values,
        "lists": lists,
    }))
}

#[cfg(test)]
mod tests {
    use super::describe;
    use serde_json::Value;

    #[test]
    fn an_earnings_payment_record_has_its_fields_types_and_lists() {
        let s = describe("WageReportRequestToIR").unwrap();
        let groups = s["groups"].as_object().unwrap();
        let root = &groups[s["group"].as_str().unwrap()];
        assert_eq!(root[0]["name"], "DeliveryData");
        let (name, basic) = groups.iter().find(|(k, _)| k.ends_with(":TransactionBasic")).unwrap();
        assert!(name.contains(':'));
        let code = basic
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "TransactionCode")
            .unwrap();
        assert_eq!(code["list"], "IncomeType");
        let incomes = s["lists"]["IncomeType"]["codes"].as_array().unwrap();
        assert_eq!(incomes.len(), 117);
        assert_eq!(incomes[0]["code"], "101");
        // Every field's type is described.
        for fields in groups.values() {
            for f in fields.as_array().unwrap() {
                match (&f["group"], &f["value"]) {
                    (g, Value::Null) => assert!(groups.contains_key(g.as_str().unwrap())),
                    (Value::Null, v) => assert!(s["values"].get(v.as_str().unwrap()).is_some()),
                    _ => panic!("{f}"),
                }
            }
        }
        assert_eq!(s["lists"]["IdType"]["codes"][0]["code"], "1");
        assert_eq!(s["lists"]["PensionProvIdCode"]["dated"], true);
        assert!(describe("NoSuchRoot").is_none());
        // Benefits reports take no rules' lists; the schema's own enumerations still show.
        let benefits = describe("BenefitReportRequestToIR").unwrap();
        assert!(benefits["lists"].as_object().unwrap().is_empty());
    }
}
