//! Rust source of typed records, written from the schema tables like the
//! TypeScript declarations ([`super::typescript`]): one struct per complex
//! type that a record uses, in a module per schema prefix (`wrtirt::Report`
//! is TypeScript's `Wrtirt.Report`), and an enum `Record` with one variant
//! per root element. Their serde form is exactly the object shape that
//! [`build`](super::build) takes and [`parse`](super::parse) returns.
//! `cargo xtask generate` writes the result to `src/typed/generated.rs`
//! (the `typed` feature compiles it).
//!
//! Values by built-in type ([`RustKind`]): xs:int is `i32`, xs:integer `i64`,
//! booleans `bool`, everything else `String`: decimals as written (exact
//! cents), dates and times in their lexical form. A field that may repeat is
//! a `Vec`, left out of the object when empty (as parse leaves out an element
//! that does not occur); an optional field or one in a choice is an `Option`.

use super::typescript::{complex_of, describe, occurs};
use crate::rules::codes::{ListCodes, Records, CODE_LISTS, CODE_LIST_FIELDS};
use crate::schema::model::{Builtin, Content, ElementType, SimpleType};
use crate::schema::{COMPLEX_TYPES, ELEMENTS, ROOTS, SIMPLE_TYPES};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The meanings of the codes, for the comments (`list,code,meaning_fi`).
const CODE_LIST_CSV: &str = include_str!("../../schemas/code-lists.csv");

/// A code list is written out code by code up to this many codes.
const LISTED_CODES: usize = 20;

/// The Rust type of a value of a simple type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RustKind {
    /// `i32` (xs:int: parse returns a number).
    I32,
    /// `i64` (xs:integer; no record field has this type in the 2022 schemas).
    I64,
    /// `bool` (xs:boolean and types derived from it).
    Bool,
    /// `String`: every other type, decimals included (as written, so no
    /// cent is lost to floating point).
    String,
}

impl RustKind {
    /// The kind of values of `st`, as [`super::value::from_text`] reads them.
    pub fn of(st: &SimpleType) -> RustKind {
        match st.builtin {
            Builtin::Int => RustKind::I32,
            Builtin::Integer => RustKind::I64,
            Builtin::Boolean => RustKind::Bool,
            _ => RustKind::String,
        }
    }

    fn rust(self) -> &'static str {
        match self {
            RustKind::I32 => "i32",
            RustKind::I64 => "i64",
            RustKind::Bool => "bool",
            RustKind::String => "String",
        }
    }
}

/// The simple type of element `el`'s value, if it holds one.
pub fn simple_of(el: u16) -> Option<u16> {
    match ELEMENTS[el as usize].ty {
        ElementType::Simple(st) => Some(st),
        ElementType::Complex(ct) => match COMPLEX_TYPES[ct as usize].content {
            Content::Simple(st) => Some(st),
            Content::Elements { .. } => None,
        },
    }
}

/// The module and type name of complex type `ct`: `wrtirt:Report` is
/// (`wrtirt`, `Report`).
pub fn rust_name_parts(ct: u16) -> (String, String) {
    let name = COMPLEX_TYPES[ct as usize].name;
    let (prefix, local) = name.split_once(':').unwrap_or(("ir", name));
    (
        prefix.to_ascii_lowercase().replace(['-', '.'], "_"),
        local.replace(['-', '.'], "_"),
    )
}

/// The field name of element `name`: snake case, acronyms kept together
/// (`IRReportId` is `ir_report_id`), a keyword as a raw identifier.
pub fn field_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower) {
                out.push('_');
            }
        }
        match c {
            '-' | '.' => out.push('_'),
            c => out.push(c.to_ascii_lowercase()),
        }
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.insert_str(0, "r#");
    }
    out
}

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else", "enum",
    "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move",
    "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Names the generated modules use unqualified: no struct may take them.
const RESERVED_TYPE_NAMES: &[&str] = &["Option", "Vec", "String", "Box", "Default", "Serialize", "Deserialize"];

/// Complex types every record reaches, with the roots that reach each.
fn reachable() -> BTreeMap<u16, BTreeSet<usize>> {
    let mut roots_of: BTreeMap<u16, BTreeSet<usize>> = BTreeMap::new();
    for (r, root) in ROOTS.iter().enumerate() {
        let mut queue: Vec<u16> = complex_of(root.element).into_iter().collect();
        while let Some(ct) = queue.pop() {
            if !roots_of.entry(ct).or_default().insert(r) {
                continue;
            }
            queue.extend(super::shape::children(ct).filter_map(|c| complex_of(c.element)));
        }
    }
    roots_of
}

/// The record family of the rules' code-list fields that root `r` is in.
fn family(r: usize) -> Option<Records> {
    match ELEMENTS[ROOTS[r].element as usize].name {
        "WageReportRequestToIR" | "WageReportsRequestToIR" => Some(Records::Wage),
        "PayerSummaryReportRequestToIR" | "PayerSummaryReportsRequestToIR" => Some(Records::PayerSummary),
        _ => None,
    }
}

/// The meaning of each code, by list and code.
fn meanings() -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for line in CODE_LIST_CSV.lines().skip(1) {
        let fields = csv_fields(line);
        if let [list, code, meaning] = fields.as_slice() {
            out.insert((list.clone(), code.clone()), meaning.clone());
        }
    }
    out
}

/// The fields of one CSV line; a quoted field may hold commas, `""` is a quote.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let field = fields.last_mut().expect("one field at least");
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => field.push(c),
        }
    }
    fields
}

/// Text from the schema or the code lists, safe as Markdown in a comment.
fn md(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Writes the doc comment `text` (paragraphs separated by empty lines).
fn doc(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// The Rust source of the typed records.
pub fn source() -> String {
    let roots_of = reachable();
    let meanings = meanings();
    // Where each complex type occurs: (element name, parent type name).
    let mut used_in: BTreeMap<u16, Vec<(&str, &str)>> = BTreeMap::new();
    for &ct in roots_of.keys() {
        for c in super::shape::children(ct) {
            if let Some(inner) = complex_of(c.element) {
                used_in
                    .entry(inner)
                    .or_default()
                    .push((ELEMENTS[c.element as usize].name, COMPLEX_TYPES[ct as usize].name));
            }
        }
    }
    refuse_recursion(&roots_of);

    let mut modules: BTreeMap<String, BTreeMap<String, u16>> = BTreeMap::new();
    for &ct in roots_of.keys() {
        let (module, local) = rust_name_parts(ct);
        assert!(
            !RESERVED_TYPE_NAMES.contains(&local.as_str()),
            "{}: rename it in the generator",
            COMPLEX_TYPES[ct as usize].name
        );
        let previous = modules.entry(module).or_default().insert(local, ct);
        assert!(
            previous.is_none(),
            "two types named {}",
            COMPLEX_TYPES[ct as usize].name
        );
    }

    let mut out = String::from(HEADER);
    record_enum(&mut out);
    for (module, types) in &modules {
        let roots: BTreeSet<usize> = types.values().flat_map(|ct| roots_of[ct].iter().copied()).collect();
        let files: BTreeSet<&str> = roots.iter().map(|&r| ROOTS[r].schema_file).collect();
        let names: Vec<String> = roots
            .iter()
            .map(|&r| format!("`{}`", ELEMENTS[ROOTS[r].element as usize].name))
            .collect();
        out.push('\n');
        doc(
            &mut out,
            "",
            &format!(
                "The complex types of schema prefix `{module}` ({}), used by {}.",
                files.into_iter().collect::<Vec<_>>().join(", "),
                names.join(", ")
            ),
        );
        let _ = writeln!(out, "pub mod {module} {{\n    use serde::{{Deserialize, Serialize}};");
        for &ct in types.values() {
            out.push('\n');
            structure(&mut out, ct, module, &roots_of[&ct], used_in.get(&ct), &meanings);
        }
        out.push_str("}\n");
    }
    out
}

const HEADER: &str = "\
// @generated by `cargo xtask generate` from the compiled schema tables and the
// code lists (src/record/rust_types.rs). Do not edit by hand.

use serde::{Deserialize, Serialize};
";

fn record_enum(out: &mut String) {
    out.push('\n');
    doc(
        out,
        "",
        "Any record, by its root element: serde's externally tagged form is the\n\
         object `{ \"RootName\": { ... } }` that `tulorekisteri::build` takes and\n\
         `tulorekisteri::parse` returns.",
    );
    out.push_str("#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]\npub enum Record {\n");
    for r in ROOTS.iter() {
        let e = ELEMENTS[r.element as usize].name;
        let ct = complex_of(r.element).expect("roots are complex");
        let (module, local) = rust_name_parts(ct);
        assert!(
            e.chars().all(|c| c.is_ascii_alphanumeric()) && e.starts_with(|c: char| c.is_ascii_uppercase()),
            "root {e} is not a Rust type name"
        );
        doc(
            out,
            "    ",
            &format!("`{e}` ({}): `{}`.", r.schema_file, COMPLEX_TYPES[ct as usize].name),
        );
        let _ = writeln!(out, "    {e}({module}::{local}),");
    }
    out.push_str("}\n");
}

fn structure(
    out: &mut String,
    ct: u16,
    module: &str,
    roots: &BTreeSet<usize>,
    used_in: Option<&Vec<(&str, &str)>>,
    meanings: &BTreeMap<(String, String), String>,
) {
    let (_, local) = rust_name_parts(ct);
    let mut text = format!("`{}`", COMPLEX_TYPES[ct as usize].name);
    let as_root: Vec<String> = ROOTS
        .iter()
        .filter(|r| complex_of(r.element) == Some(ct))
        .map(|r| format!("`{}`", ELEMENTS[r.element as usize].name))
        .collect();
    let mut places: Vec<String> = vec![];
    if !as_root.is_empty() {
        places.push(format!("the root element {}", as_root.join(", ")));
    }
    for (element, parent) in used_in.into_iter().flatten() {
        places.push(format!("`{element}` in `{parent}`"));
    }
    if !places.is_empty() {
        let _ = write!(text, ": the content of {}", places.join(", "));
    }
    text.push('.');
    let families: Vec<Records> = roots.iter().filter_map(|&r| family(r)).collect();
    doc(out, "    ", &text);
    out.push_str("    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]\n");
    out.push_str("    #[serde(deny_unknown_fields)]\n");
    let _ = writeln!(out, "    pub struct {local} {{");
    let mut seen = BTreeSet::new();
    for child in super::shape::children(ct) {
        let e = &ELEMENTS[child.element as usize];
        let field = field_name(e.name);
        assert!(seen.insert(field.clone()), "{}: two fields named {field}", local);
        let (ty, mut text) = match complex_of(child.element) {
            Some(inner) => {
                let (m, l) = rust_name_parts(inner);
                let path = if m == module { l } else { format!("super::{m}::{l}") };
                (path, format!("`{}`.", COMPLEX_TYPES[inner as usize].name))
            }
            None => {
                let st = &SIMPLE_TYPES[simple_of(child.element).expect("a value") as usize];
                (RustKind::of(st).rust().to_string(), value_doc(st))
            }
        };
        text = format!("`{}`: {}{text}", e.name, occurs(child));
        if let Some(list) = code_list(ct, e.name, &families) {
            text.push_str("\n\n");
            text.push_str(&code_list_doc(list, meanings));
        }
        doc(out, "        ", &text);
        let rename = e.name;
        if child.repeats() {
            let _ = writeln!(
                out,
                "        #[serde(rename = \"{rename}\", default, skip_serializing_if = \"Vec::is_empty\")]\n        pub {field}: Vec<{ty}>,"
            );
        } else if child.min == 0 {
            let _ = writeln!(
                out,
                "        #[serde(rename = \"{rename}\", skip_serializing_if = \"Option::is_none\")]\n        pub {field}: Option<{ty}>,"
            );
        } else {
            let _ = writeln!(
                out,
                "        #[serde(rename = \"{rename}\")]\n        pub {field}: {ty},"
            );
        }
    }
    out.push_str("    }\n");
}

/// The comment of a value field after its occurrence.
fn value_doc(st: &SimpleType) -> String {
    let mut text = md(&describe(st));
    text.push('.');
    let extra = match st.builtin {
        Builtin::Decimal => {
            " A decimal as written, such as `1500.00`: a `String`, so that no cent is lost to floating point."
        }
        Builtin::Date => " A date, YYYY-MM-DD.",
        Builtin::DateTime => " A date and time, YYYY-MM-DDThh:mm:ss with an optional fraction and time zone.",
        Builtin::Time => " A time, hh:mm:ss.",
        Builtin::Integer => " Parsed as a number: one beyond the range of `i64` does not fit this field.",
        _ => "",
    };
    text.push_str(extra);
    text
}

/// The rules' code list of element `name` in complex type `ct`.
fn code_list(ct: u16, name: &str, families: &[Records]) -> Option<usize> {
    let (_, local) = rust_name_parts(ct);
    CODE_LIST_FIELDS
        .iter()
        .find(|f| families.contains(&f.records) && f.parent == local && f.element == name)
        .map(|f| f.list)
}

fn code_list_doc(list: usize, meanings: &BTreeMap<(String, String), String>) -> String {
    let l = &CODE_LISTS[list];
    let dated = CODE_LIST_FIELDS.iter().any(|f| f.list == list && f.dated);
    let codes: Vec<String> = match l.codes {
        ListCodes::Int(codes) => codes.iter().map(i64::to_string).collect(),
        ListCodes::Text(codes) => codes.iter().map(|c| c.to_string()).collect(),
    };
    let mut text = format!(
        "Code list `{}` (Koodistot 2022, {} codes), checked by the rules, not the schema{}",
        l.name,
        codes.len(),
        if dated {
            "; the list changes over time, so a code missing from it is only a warning"
        } else {
            ""
        }
    );
    if codes.len() > LISTED_CODES {
        text.push_str(": too many to list here; they are in schemas/code-lists.csv of the source.");
        return text;
    }
    text.push(':');
    for code in codes {
        match meanings.get(&(l.name.to_string(), code.clone())) {
            Some(m) => {
                let _ = write!(text, "\n- `{code}`: {}", md(m));
            }
            None => {
                let _ = write!(text, "\n- `{code}`");
            }
        }
    }
    text
}

/// A type that contains itself other than through a `Vec` would need a
/// `Box`; the 2022 schemas have none, so the generator refuses one.
fn refuse_recursion(roots_of: &BTreeMap<u16, BTreeSet<usize>>) {
    fn visit(ct: u16, path: &mut Vec<u16>) {
        if path.contains(&ct) {
            let names: Vec<&str> = path.iter().map(|&c| COMPLEX_TYPES[c as usize].name).collect();
            panic!("recursive type {}: box it in the generator", names.join(" > "));
        }
        path.push(ct);
        for c in super::shape::children(ct).filter(|c| !c.repeats()) {
            if let Some(inner) = complex_of(c.element) {
                visit(inner, path);
            }
        }
        path.pop();
    }
    for &ct in roots_of.keys() {
        visit(ct, &mut vec![]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_snake_case() {
        assert_eq!(field_name("IRReportId"), "ir_report_id");
        assert_eq!(field_name("DeliveryDataType"), "delivery_data_type");
        assert_eq!(field_name("CBACode"), "cba_code");
        assert_eq!(field_name("POBox"), "po_box");
        assert_eq!(field_name("Type"), "r#type");
        assert_eq!(field_name("Co"), "co");
    }

    #[test]
    fn every_root_and_field_is_declared() {
        let rs = source();
        assert!(rs.contains("    WageReportsRequestToIR(wrtirt::WageReportsToIR),"));
        assert!(rs.contains("        #[serde(rename = \"Report\", default, skip_serializing_if = \"Vec::is_empty\")]\n        pub report: Vec<Report>,"));
        assert!(rs.contains("        #[serde(rename = \"FaultyControl\", skip_serializing_if = \"Option::is_none\")]\n        pub faulty_control: Option<i32>,"));
        assert!(rs.contains("- `2`: Henkilötunnus"), "code meanings");
        assert!(!rs.contains("Signature"), "the signature is not part of the object");
    }

    #[test]
    fn the_committed_source_is_fresh() {
        assert!(
            include_str!("../typed/generated.rs") == source(),
            "src/typed/generated.rs is stale: run `cargo xtask generate`"
        );
    }
}
