//! Records as plain objects (see the crate's documentation, "Records as
//! JSON objects"): build and parse, driven by the schema tables.

mod build;
mod parse;
pub mod rust_types;
pub mod typescript;
pub(crate) mod value;

pub use build::build;
pub use parse::{parse, parse_reader, parse_with};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::schema::{ELEMENTS, ROOTS};
use serde_json::Value;

/// The schema's child lists, as the object shape sees them.
pub(crate) mod shape {
    use crate::schema::model::{Child, Content};
    use crate::schema::{COMPLEX_TYPES, ELEMENTS};

    /// The unqualified children of complex type `ct` in schema order: the
    /// object's fields. Qualified ones (`ds:Signature`) are not fields.
    pub fn children(ct: u16) -> impl Iterator<Item = &'static Child> + Clone {
        let all: &'static [Child] = match COMPLEX_TYPES[ct as usize].content {
            Content::Elements { children, .. } => children,
            Content::Simple(_) => &[],
        };
        all.iter().filter(|c| ELEMENTS[c.element as usize].ns == 0)
    }

    /// The child of `ct` named `name`, if it is a field.
    pub fn child(ct: u16, name: &str) -> Option<&'static Child> {
        children(ct).find(|c| ELEMENTS[c.element as usize].name == name)
    }
}

/// Splits `{ "Root": fields }` into the root's element and its fields.
pub(crate) fn record_root(record: &Value) -> Result<(u16, &Value), Vec<Diagnostic>> {
    let problem = |message: String| {
        vec![Diagnostic {
            line: 0,
            column: 0,
            path: String::new(),
            code: Code::BuildRoot,
            severity: Severity::Error,
            message,
        }]
    };
    let Some(map) = record.as_object().filter(|m| m.len() == 1) else {
        return Err(problem(
            "expected an object with one key, the record's root element (for example \"WageReportsRequestToIR\")"
                .into(),
        ));
    };
    let (name, fields) = map.iter().next().expect("one key");
    match ROOTS.iter().find(|r| ELEMENTS[r.element as usize].name == name) {
        Some(r) => Ok((r.element, fields)),
        None => Err(problem(format!(
            "{name:?} is not an Incomes Register record root element"
        ))),
    }
}

/// An element path of the validator (`/Root/A/B[3]/C`, positions from 1) as
/// an object path below the root key (`A.B[2].C`, indexes from 0).
fn object_path(element_path: &str) -> String {
    let mut out = String::new();
    for step in element_path.split('/').skip(2) {
        if !out.is_empty() {
            out.push('.');
        }
        match step.strip_suffix(']').and_then(|s| s.split_once('[')) {
            Some((name, n)) => {
                let n: usize = n.parse().unwrap_or(1);
                out.push_str(&format!("{name}[{}]", n.saturating_sub(1)));
            }
            None => out.push_str(step),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::object_path;

    #[test]
    fn element_paths_become_object_paths() {
        assert_eq!(
            object_path(
                "/WageReportsRequestToIR/DeliveryData/Reports/Report[3]/IncomeEarner/IncomeEarnerIds/Id[1]/Code"
            ),
            "DeliveryData.Reports.Report[2].IncomeEarner.IncomeEarnerIds.Id[0].Code"
        );
        assert_eq!(object_path("/Echo"), "");
    }
}
