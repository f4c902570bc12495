//! Reading a received record as it is, before (or without) its schema
//! check: the root, the header fields, and each report's or item's
//! identifiers and place in the text. A record the schema refuses still has
//! to be answered about.

use serde_json::{Map, Value};
use std::ops::Range;

/// A received record, parsed as XML.
pub struct Record<'a> {
    doc: roxmltree::Document<'a>,
}

/// One report (`Reports/Report`) or cancellation item (`Items/Item`).
#[derive(Debug, Clone, Default)]
pub struct Unit {
    /// Where it is in the record's text.
    pub range: Range<usize>,
    /// ActionCode (reports).
    pub action: Option<i64>,
    /// ReportId or ItemId.
    pub id: Option<String>,
    /// IRReportId or IRItemId.
    pub ir_id: Option<String>,
    /// ReportVersion or ItemVersion.
    pub version: Option<i64>,
}

/// The fields of the header echoed in `AckFromIR` and `StatusResponseFromIR`
/// (`smt:DeliveryData`), in order.
const ECHOED: [&str; 9] = [
    "Timestamp",
    "Source",
    "DeliveryDataType",
    "DeliveryId",
    "FaultyControl",
    "ProductionEnvironment",
    "DeliveryDataOwner",
    "DeliveryDataCreator",
    "DeliveryDataSender",
];

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().namespace().is_none() && c.tag_name().name() == name)
}

fn text(node: roxmltree::Node) -> Option<String> {
    let t: String = node.children().filter_map(|c| c.text()).collect();
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl<'a> Record<'a> {
    /// Parses the record's text (no DTD).
    pub fn parse(text: &'a str) -> Result<Record<'a>, String> {
        let options = roxmltree::ParsingOptions {
            allow_dtd: false,
            ..roxmltree::ParsingOptions::default()
        };
        let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| e.to_string())?;
        Ok(Record { doc })
    }

    /// The root element's local name.
    pub fn root(&self) -> &str {
        self.doc.root_element().tag_name().name()
    }

    /// Where the header fields are: `DeliveryData`, or the root itself
    /// (status requests, queries).
    fn header(&self) -> roxmltree::Node<'a, '_> {
        let root = self.doc.root_element();
        child(root, "DeliveryData").unwrap_or(root)
    }

    /// The text at `path` below the header (`["DeliveryDataCreator", "Code"]`).
    pub fn field(&self, path: &[&str]) -> Option<String> {
        let mut node = self.header();
        for name in path {
            node = child(node, name)?;
        }
        text(node)
    }

    /// The integer at `path` below the header.
    pub fn int(&self, path: &[&str]) -> Option<i64> {
        self.field(path)?.parse().ok()
    }

    /// The text of a child of the root (`Data` of an Echo), exactly as
    /// sent (`xs:string` keeps its spaces).
    pub fn top(&self, name: &str) -> Option<String> {
        let node = child(self.doc.root_element(), name)?;
        Some(node.children().filter_map(|c| c.text()).collect())
    }

    /// The reports (`Reports/Report`) or cancellation items (`Items/Item`).
    pub fn units(&self) -> Vec<Unit> {
        let header = self.header();
        let (list, name, data) = match child(header, "Reports") {
            Some(r) => (r, "Report", true),
            None => match child(header, "Items") {
                Some(i) => (i, "Item", false),
                None => return vec![],
            },
        };
        list.children()
            .filter(|c| c.is_element() && c.tag_name().name() == name)
            .map(|n| {
                let at = |p: &[&str]| {
                    let mut node = n;
                    for name in p {
                        node = child(node, name)?;
                    }
                    text(node)
                };
                let num = |p: &[&str]| at(p).and_then(|t| t.parse().ok());
                match data {
                    true => Unit {
                        range: n.range(),
                        action: num(&["ReportData", "ActionCode"]),
                        id: at(&["ReportData", "ReportId"]),
                        ir_id: at(&["ReportData", "IRReportId"]),
                        version: num(&["ReportData", "ReportVersion"]),
                    },
                    false => Unit {
                        range: n.range(),
                        action: None,
                        id: at(&["ItemId"]),
                        ir_id: at(&["IRItemId"]),
                        version: num(&["ItemVersion"]),
                    },
                }
            })
            .collect()
    }

    /// The header to echo, as the object `build` takes (values as written;
    /// `answers` drops what the answer's schema refuses).
    pub fn echo(&self) -> Value {
        let header = self.header();
        let mut out = Map::new();
        for name in ECHOED {
            let Some(node) = child(header, name) else { continue };
            if matches!(name, "DeliveryDataOwner" | "DeliveryDataCreator" | "DeliveryDataSender") {
                let mut id = Map::new();
                for f in ["Type", "Code", "CountryCode", "CountryName"] {
                    if let Some(t) = child(node, f).and_then(text) {
                        id.insert(f.to_string(), Value::String(t));
                    }
                }
                out.insert(name.to_string(), Value::Object(id));
            } else if let Some(t) = text(node) {
                out.insert(name.to_string(), Value::String(t));
            }
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_echoed_header_keeps_values_and_ids_apart() {
        let text = "<r:WageReportsRequestToIR xmlns:r=\"urn:x\"><DeliveryData><Timestamp>2024-01-01T10:00:00Z</Timestamp>\
<DeliveryDataType>100</DeliveryDataType><DeliveryId>d-1</DeliveryId><ProductionEnvironment>false</ProductionEnvironment>\
<DeliveryDataOwner><Type>1</Type><Code>1234567-1</Code></DeliveryDataOwner><Reports/></DeliveryData></r:WageReportsRequestToIR>";
        let echo = Record::parse(text).unwrap().echo();
        assert_eq!(
            echo,
            serde_json::json!({
                "Timestamp": "2024-01-01T10:00:00Z", "DeliveryDataType": "100", "DeliveryId": "d-1",
                "ProductionEnvironment": "false", "DeliveryDataOwner": { "Type": "1", "Code": "1234567-1" },
            })
        );
    }
}
