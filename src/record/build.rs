//! Plain object to XML: children in schema order, values in canonical form,
//! then the whole record validated so the output is always schema-valid.

use super::value::to_text;
use super::{object_path, record_root, shape};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::schema::model::{Content, ElementType};
use crate::schema::{COMPLEX_TYPES, ELEMENTS, NAMESPACES, SIMPLE_TYPES};
use crate::validate::{validate_str, Options};
use serde_json::{Map, Value};

/// Builds the XML of the record `{ "RootName": { ...fields } }`.
///
/// On failure returns every problem: those of the object itself (unknown
/// fields, wrong JSON types) and those validation finds in the record the
/// object describes, each with the object path below the root key, such as
/// `DeliveryData.Reports.Report[2].IncomeEarner`, and line and column 0.
pub fn build(record: &Value) -> Result<String, Vec<Diagnostic>> {
    let (root, fields) = record_root(record)?;
    let decl = &ELEMENTS[root as usize];
    let ElementType::Complex(ct) = decl.ty else {
        unreachable!("record roots have complex types")
    };
    let mut b = Builder::default();
    b.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    b.out.push_str(&format!(
        "<ir:{} xmlns:ir=\"{}\">",
        decl.name, NAMESPACES[decl.ns as usize]
    ));
    match fields {
        Value::Object(map) => {
            b.children(ct, map, 1);
        }
        other => b.problem(
            Code::BuildType,
            format!("expected an object for <{}>, found {}", decl.name, kind(other)),
        ),
    }
    b.out.push_str(&format!("\n</ir:{}>\n", decl.name));
    if !b.problems.is_empty() {
        return Err(b.problems);
    }
    let unsigned = Options::default().schema_only().unsigned(true);
    let problems: Vec<Diagnostic> = validate_str(&b.out, &unsigned)
        .into_iter()
        .map(|mut d| {
            d.path = object_path(&d.path);
            (d.line, d.column) = (0, 0);
            d
        })
        .collect();
    if problems.iter().any(|d| d.severity == Severity::Error) {
        return Err(problems);
    }
    Ok(b.out)
}

#[derive(Default)]
struct Builder {
    out: String,
    problems: Vec<Diagnostic>,
    /// Object path of the field being written.
    path: String,
}

impl Builder {
    fn problem(&mut self, code: Code, message: String) {
        self.problems.push(Diagnostic {
            line: 0,
            column: 0,
            path: self.path.clone(),
            code,
            severity: Severity::Error,
            message,
        });
    }

    /// Writes the fields of `map` as the children of complex type `ct`.
    fn children(&mut self, ct: u16, map: &Map<String, Value>, depth: usize) {
        let kids = shape::children(ct);
        for key in map.keys() {
            if shape::child(ct, key).is_none() {
                let at = self.path.len();
                self.enter(key, None);
                let expected: Vec<&str> = kids.clone().map(|c| ELEMENTS[c.element as usize].name).collect();
                self.problem(
                    Code::BuildField,
                    format!(
                        "unknown field {key:?}; {} has {}",
                        COMPLEX_TYPES[ct as usize].name,
                        expected.join(", ")
                    ),
                );
                self.path.truncate(at);
            }
        }
        for child in kids {
            let name = ELEMENTS[child.element as usize].name;
            let Some(v) = map.get(name) else { continue };
            let at = self.path.len();
            match (child.repeats(), v) {
                (true, Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        self.enter(name, Some(i));
                        // Array items are kept even when empty, so indexes match.
                        self.element(child.element, item, depth, true);
                        self.path.truncate(at);
                    }
                }
                (true, Value::Null) => {}
                (true, other) => {
                    self.enter(name, None);
                    self.problem(
                        Code::BuildType,
                        format!("{name} repeats: expected an array, found {}", kind(other)),
                    );
                }
                (false, Value::Array(_)) => {
                    self.enter(name, None);
                    self.problem(
                        Code::BuildType,
                        format!("{name} occurs once: expected one value, found an array"),
                    );
                }
                (false, v) => {
                    self.enter(name, None);
                    self.element(child.element, v, depth, child.min > 0);
                }
            }
            self.path.truncate(at);
        }
    }

    fn enter(&mut self, name: &str, index: Option<usize>) {
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(name);
        if let Some(i) = index {
            self.path.push_str(&format!("[{i}]"));
        }
    }

    /// Writes one element. `null` writes nothing (validation reports it if
    /// the element is required); so do `""` and an object with nothing in it,
    /// unless the element is `required`: then it is written empty, and
    /// validation says whether its type allows that.
    fn element(&mut self, el: u16, v: &Value, depth: usize, required: bool) {
        let name = ELEMENTS[el as usize].name;
        let simple = match ELEMENTS[el as usize].ty {
            ElementType::Simple(st) => st,
            ElementType::Complex(ct) => match COMPLEX_TYPES[ct as usize].content {
                Content::Simple(st) => st,
                Content::Elements { .. } => {
                    let Value::Object(map) = v else {
                        if !v.is_null() {
                            self.problem(
                                Code::BuildType,
                                format!("expected an object for {name}, found {}", kind(v)),
                            );
                        }
                        return;
                    };
                    let mark = self.out.len();
                    self.open(name, depth);
                    let before = self.out.len();
                    self.children(ct, map, depth + 1);
                    if self.out.len() == before && required {
                        self.close(name);
                    } else if self.out.len() == before {
                        self.out.truncate(mark);
                    } else {
                        self.out.push('\n');
                        self.indent(depth);
                        self.close(name);
                    }
                    return;
                }
            },
        };
        match to_text(&SIMPLE_TYPES[simple as usize], v) {
            Ok(Some(text)) => {
                self.open(name, depth);
                escape_into(&text, &mut self.out);
                self.close(name);
            }
            Ok(None) if required && v.is_string() => {
                self.open(name, depth);
                self.close(name);
            }
            Ok(None) => {}
            Err(message) => self.problem(Code::BuildType, message),
        }
    }

    fn indent(&mut self, depth: usize) {
        self.out.extend(std::iter::repeat_n('\t', depth));
    }

    fn open(&mut self, name: &str, depth: usize) {
        self.out.push('\n');
        self.indent(depth);
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }
}

/// Escapes character data. `>` is escaped so `]]>` cannot occur; CR is
/// written as a reference so that a reader's line-end handling keeps it.
fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
