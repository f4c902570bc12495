//! Typed records (feature `typed`): a Rust struct for every complex type of
//! every record, generated from the schema tables, whose serde form is
//! exactly the object that [`crate::build`] takes and [`crate::parse`]
//! returns. [`build`] and [`parse`] go through that object.
//!
//! - [`Record`] has one variant per root element (`Record::Echo`,
//!   `Record::WageReportRequestToIR`, ...); its serde form is
//!   `{ "RootName": { ... } }`.
//! - The structs are in a module per schema prefix, as the TypeScript
//!   declarations have a namespace per prefix: [`wrtirt::Report`] is
//!   `Wrtirt.Report` there. Fields are the element names in snake case
//!   (`IRReportId` is `ir_report_id`, `Type` is `r#type`).
//! - A required element is a plain field, an optional one (or one in a
//!   choice) an `Option`, one that may repeat a `Vec` (left out of the
//!   object when empty).
//! - xs:int values are `i32`, booleans `bool`, and everything else a
//!   `String`: decimal amounts as written (`"1500.00"`, exact cents: no
//!   floating point), dates (`"2024-01-31"`), date-times and times in their
//!   lexical form. Each field's comment gives its schema type, length limits,
//!   pattern and allowed values, and the rules' code list where it has one.
//! - The signature (`ds:Signature`) is never part of a record: signing adds it.
//!
//! Every struct derives `Default`, so a record is written with the fields it
//! needs and `..Default::default()`. Mind that a required field left at its
//! default is still written: an empty string fails validation (every
//! required string type has a minimum length) and is reported by [`build`],
//! but `0` and `false` are values like any other.
//!
//! ```
//! use tulorekisteri::typed::{self, ire, Record};
//!
//! let record = Record::Echo(ire::EchoMessage { data: "hello".into() });
//! let xml = typed::build(&record).unwrap();
//! assert!(xml.contains("<Data>hello</Data>"));
//! assert_eq!(typed::parse(xml.as_bytes()).unwrap(), record);
//!
//! // A status request: what the Register did with an earlier delivery.
//! use tulorekisteri::typed::smt;
//! let owner = smt::Id { r#type: 1, code: "1234567-8".into(), ..Default::default() };
//! let status = Record::StatusRequestToIR(smt::StatusRequestToIR {
//!     timestamp: "2024-01-31T12:00:00Z".into(),
//!     delivery_data_type: 100,
//!     ir_delivery_id: Some("1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d".into()),
//!     production_environment: false,
//!     delivery_data_owner: owner.clone(),
//!     delivery_data_creator: owner.clone(),
//!     delivery_data_sender: owner,
//!     ..Default::default()
//! });
//! let xml = typed::build(&status).unwrap();
//! assert!(xml.contains("<DeliveryDataType>100</DeliveryDataType>"));
//!
//! // Problems are the same diagnostics as for the JSON object, at its paths.
//! let mut wrong = status.clone();
//! if let Record::StatusRequestToIR(r) = &mut wrong {
//!     r.timestamp = "yesterday".into();
//! }
//! let problems = typed::build(&wrong).unwrap_err();
//! assert_eq!(problems[0].path, "Timestamp");
//! assert_eq!(problems[0].code.as_str(), "schema-type");
//! ```

#![deny(missing_docs)]

#[rustfmt::skip]
mod generated;

pub use generated::*;

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::record::rust_types::{simple_of, RustKind};
use crate::record::shape;
use crate::schema::model::{Content, ElementType};
use crate::schema::{COMPLEX_TYPES, ELEMENTS, SIMPLE_TYPES};
use crate::validate::Options;
use serde::Deserialize;
use serde_json::Value;

/// Builds the XML of `record`: [`crate::build`] of its object, so the output
/// is schema-valid and unsigned, or every problem is returned, each with its
/// object path (`DeliveryData.Reports.Report[0].IncomeEarner`).
pub fn build(record: &Record) -> Result<String, Vec<Diagnostic>> {
    crate::record::build(&to_value(record))
}

/// Parses any record, as [`crate::parse`] does (validated first; a missing
/// signature is not an error here), into its typed form.
pub fn parse(xml: &[u8]) -> Result<Record, Vec<Diagnostic>> {
    from_value(&crate::record::parse(xml)?)
}

/// [`parse`] with validation options.
pub fn parse_with(xml: &[u8], options: &Options) -> Result<Record, Vec<Diagnostic>> {
    from_value(&crate::record::parse_with(xml, options)?)
}

/// The object of `record`: `{ "RootName": { ... } }`, as [`crate::parse`]
/// returns it.
pub fn to_value(record: &Record) -> Value {
    // Only strings, numbers, booleans, arrays and structs: nothing that
    // serde_json could refuse.
    serde_json::to_value(record).expect("a typed record is always an object")
}

/// The typed form of a record object (as [`crate::parse`] returns it, or
/// written by hand). When it does not fit the types, every misfit is
/// returned with its object path: a value of the wrong kind (a string for
/// an xs:int field) or an array where one value belongs
/// ([`Code::BuildType`]), a field that the type does not have
/// ([`Code::BuildField`]), a required field that is missing
/// ([`Code::SchemaMissingElement`]), or a root that is not a record's
/// ([`Code::BuildRoot`]).
pub fn from_value(value: &Value) -> Result<Record, Vec<Diagnostic>> {
    match Record::deserialize(value) {
        Ok(record) => Ok(record),
        Err(e) => {
            let mut problems = misfits(value)?;
            if problems.is_empty() {
                // The walk below and serde agree on every kind of value;
                // should they not, serde's own message is still clear.
                problems.push(problem(Code::BuildType, String::new(), e.to_string()));
            }
            Err(problems)
        }
    }
}

fn problem(code: Code, path: String, message: String) -> Diagnostic {
    Diagnostic {
        line: 0,
        column: 0,
        path,
        code,
        severity: Severity::Error,
        message,
    }
}

/// Every place where `value` does not fit the typed records, found by a
/// walk over the schema tables with the same types the generator gives.
fn misfits(value: &Value) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let (root, fields) = crate::record::record_root(value)?;
    let mut out = vec![];
    walk(root, fields, &mut String::new(), &mut out);
    Ok(out)
}

fn walk(el: u16, v: &Value, path: &mut String, out: &mut Vec<Diagnostic>) {
    let e = &ELEMENTS[el as usize];
    let ct = match e.ty {
        ElementType::Complex(ct) if matches!(COMPLEX_TYPES[ct as usize].content, Content::Elements { .. }) => ct,
        _ => {
            let st = &SIMPLE_TYPES[simple_of(el).expect("a value") as usize];
            let fits = match RustKind::of(st) {
                RustKind::I32 => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
                RustKind::I64 => v.is_i64(),
                RustKind::Bool => v.is_boolean(),
                RustKind::String => v.is_string(),
            };
            if !fits {
                let expected = match RustKind::of(st) {
                    RustKind::I32 => "a 32-bit integer (i32)",
                    RustKind::I64 => "an integer (i64)",
                    RustKind::Bool => "a boolean",
                    RustKind::String => "a string",
                };
                out.push(problem(
                    Code::BuildType,
                    path.clone(),
                    format!("{} ({}): expected {expected}, found {}", e.name, st.name, kind(v)),
                ));
            }
            return;
        }
    };
    let Value::Object(map) = v else {
        out.push(problem(
            Code::BuildType,
            path.clone(),
            format!(
                "{} ({}): expected an object, found {}",
                e.name,
                COMPLEX_TYPES[ct as usize].name,
                kind(v)
            ),
        ));
        return;
    };
    for key in map.keys() {
        if shape::child(ct, key).is_none() {
            let at = path.len();
            enter(path, key, None);
            out.push(problem(
                Code::BuildField,
                path.clone(),
                format!("unknown field {key:?} in {}", COMPLEX_TYPES[ct as usize].name),
            ));
            path.truncate(at);
        }
    }
    for child in shape::children(ct) {
        let name = ELEMENTS[child.element as usize].name;
        let at = path.len();
        match (map.get(name), child.repeats()) {
            (None, false) if child.min > 0 => {
                enter(path, name, None);
                out.push(problem(
                    Code::SchemaMissingElement,
                    path.clone(),
                    format!("{name} is required in {}", COMPLEX_TYPES[ct as usize].name),
                ));
            }
            (None, _) => {}
            (Some(Value::Null), false) if child.min == 0 => {}
            (Some(Value::Array(items)), true) => {
                for (i, item) in items.iter().enumerate() {
                    enter(path, name, Some(i));
                    walk(child.element, item, path, out);
                    path.truncate(at);
                }
            }
            (Some(other), true) => {
                enter(path, name, None);
                out.push(problem(
                    Code::BuildType,
                    path.clone(),
                    format!("{name} repeats: expected an array, found {}", kind(other)),
                ));
            }
            (Some(v), false) => {
                enter(path, name, None);
                walk(child.element, v, path, out);
            }
        }
        path.truncate(at);
    }
}

fn enter(path: &mut String, name: &str, index: Option<usize>) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(name);
    if let Some(i) = index {
        path.push_str(&format!("[{i}]"));
    }
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => "a string".into(),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}
