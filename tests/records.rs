//! Building and parsing round trips: `parse(build(x)) == x`, and
//! `build(parse(doc))` is valid and equal to `doc` apart from whitespace,
//! comments, namespace prefixes and the signature. The comparison with the
//! original document walks both with roxmltree, independently of our parser.

mod corpus;
#[path = "support/workspace.rs"]
mod workspace;

use corpus::{document, Mode, Rng};
use serde_json::json;
use tulorekisteri::schema::ROOTS;
use tulorekisteri::{build, parse, read_feedback, validate_str, Code, DeliveryStatus, Options};

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Leaf values compare as written, apart from whitespace; an int or a
/// boolean may come back in canonical form (`+5` as `5`, `1` as `true`).
fn same_value(a: &str, b: &str) -> bool {
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (a, b) = (words(a), words(b));
    let boolean = |s: &str| match s {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    };
    a == b
        || matches!((a.trim_start_matches('+').parse::<i64>(), b.parse::<i64>()), (Ok(x), Ok(y)) if x == y)
        || matches!((boolean(&a), boolean(&b)), (Some(x), Some(y)) if x == y)
}

/// Compares two documents element by element, leaving out `ds:` subtrees.
fn same_document(original: &str, built: &str) -> Result<(), String> {
    let a = roxmltree::Document::parse(original).map_err(|e| e.to_string())?;
    let b = roxmltree::Document::parse(built).map_err(|e| e.to_string())?;
    same_element(a.root_element(), b.root_element(), String::new())
}

fn same_element(a: roxmltree::Node, b: roxmltree::Node, path: String) -> Result<(), String> {
    let path = format!("{path}/{}", a.tag_name().name());
    if a.tag_name().name() != b.tag_name().name() {
        return Err(format!(
            "{path}: <{}> became <{}>",
            a.tag_name().name(),
            b.tag_name().name()
        ));
    }
    let (ka, kb) = (element_children(a), element_children(b));
    if ka.is_empty() && kb.is_empty() {
        let (ta, tb) = (text_of(a), text_of(b));
        if !same_value(&ta, &tb) {
            return Err(format!("{path}: {ta:?} became {tb:?}"));
        }
        return Ok(());
    }
    // `build` leaves out empty elements the schema does not require and
    // writes required ones empty, so an element without any text may be
    // missing on either side; every other one must pair up in order.
    let (mut i, mut j) = (0, 0);
    while i < ka.len() || j < kb.len() {
        match (ka.get(i), kb.get(j)) {
            (Some(x), Some(y)) if x.tag_name().name() == y.tag_name().name() => {
                same_element(*x, *y, path.clone())?;
                i += 1;
                j += 1;
            }
            (Some(x), _) if text_of(*x).is_empty() => i += 1,
            (_, Some(y)) if text_of(*y).is_empty() => j += 1,
            (x, y) => {
                let name = |n: Option<&roxmltree::Node>| n.map(|n| n.tag_name().name().to_string());
                return Err(format!("{path}: child {:?} became {:?}", name(x), name(y)));
            }
        }
    }
    Ok(())
}

fn element_children<'a, 'i>(n: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    n.children()
        .filter(|c| c.is_element() && c.tag_name().namespace() != Some(DS))
        .collect()
}

/// The text of a leaf, or the non-blank text anywhere below a container.
fn text_of(n: roxmltree::Node) -> String {
    let texts = n.descendants().filter(|c| c.is_text()).filter_map(|c| c.text());
    if element_children(n).is_empty() {
        texts.collect()
    } else {
        texts.map(str::trim).collect()
    }
}

/// The whole round trip for one valid document.
fn round_trip(label: &str, doc: &str) {
    let object = parse(doc.as_bytes()).unwrap_or_else(|p| panic!("{label}: parse failed: {p:?}"));
    let built = build(&object).unwrap_or_else(|p| panic!("{label}: build failed: {p:?}\n{object:#}"));
    let unsigned = Options::default().schema_only().unsigned(true);
    assert_eq!(
        validate_str(&built, &unsigned),
        vec![],
        "{label}: built record is invalid"
    );
    assert!(!built.starts_with('\u{feff}') && built.starts_with("<?xml"), "{label}");
    let again = tulorekisteri::parse_with(built.as_bytes(), &unsigned).unwrap();
    if again != object {
        let (a, b) = (format!("{again:#}"), format!("{object:#}"));
        let first = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
        let around = |t: &str| {
            t.lines()
                .skip(first.saturating_sub(8))
                .take(12)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "{label}: parse(build(x)) != x\n--- parse(build(x)):\n{}\n--- x:\n{}",
            around(&a),
            around(&b)
        );
    }
    if let Err(e) = same_document(doc, &built) {
        panic!("{label}: {e}\n--- built:\n{built}");
    }
}

#[test]
fn official_samples_round_trip() {
    let dir = workspace::reference_ir().join("samples");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        workspace::skip("../shared/reference/ir/samples is absent");
        return;
    };
    let mut n = 0;
    for e in entries {
        let path = e.unwrap().path();
        round_trip(&path.display().to_string(), &std::fs::read_to_string(&path).unwrap());
        n += 1;
    }
    assert_eq!(n, 13);
}

#[test]
fn generated_records_of_every_root_round_trip() {
    let mut rng = Rng::new(7);
    let mut n = 0;
    for r in 0..ROOTS.len() {
        for i in 0..30 {
            let mode = if i == 0 { Mode::Minimal } else { Mode::Random };
            let (doc, _) = document(r, mode, &mut rng);
            // The generator's documents are valid by construction; the
            // parity test checks that with xmllint.
            round_trip(&format!("root {r} #{i}"), &doc);
            n += 1;
        }
    }
    assert_eq!(n, 29 * 30);
}

#[test]
fn build_reports_problems_at_object_paths() {
    let record = json!({ "WageReportsRequestToIR": {
        "DeliveryData": {
            "Timestamp": "2024-01-01T10:00:00Z",
            "DeliveryDataType": 100,
            "Surprise": 1,
            "Reports": { "Report": { "ReportData": {} } }
        }
    }});
    let problems = build(&record).unwrap_err();
    let got: Vec<(Code, &str)> = problems.iter().map(|d| (d.code, d.path.as_str())).collect();
    assert!(got.contains(&(Code::BuildField, "DeliveryData.Surprise")), "{got:?}");
    assert!(
        got.contains(&(Code::BuildType, "DeliveryData.Reports.Report")),
        "{got:?}"
    );
    assert!(problems.iter().all(|d| d.line == 0 && d.column == 0));

    // Schema problems of a well-shaped object point at the field, from 0.
    let wrong_code = sample_object().map(|mut o| {
        o["WageReportRequestToIR"]["DeliveryData"]["Reports"]["Report"][0]["IncomeEarner"]["IncomeEarnerIds"]["Id"]
            [0]["Code"] = json!("x".repeat(200));
        o
    });
    if let Some(o) = wrong_code {
        let problems = build(&o).unwrap_err();
        assert_eq!(
            problems[0].path,
            "DeliveryData.Reports.Report[0].IncomeEarner.IncomeEarnerIds.Id[0].Code"
        );
        assert_eq!(problems[0].code, Code::SchemaLength);
    }
    assert_eq!(build(&json!({ "Nope": {} })).unwrap_err()[0].code, Code::BuildRoot);
    assert_eq!(build(&json!([])).unwrap_err()[0].code, Code::BuildRoot);
}

#[test]
fn build_writes_canonical_escaped_values_in_schema_order() {
    let Some(mut o) = sample_object() else { return };
    let dd = &mut o["WageReportRequestToIR"]["DeliveryData"];
    // Key order in the object does not matter; text is escaped.
    let source = dd.as_object_mut().unwrap().shift_remove("Source").unwrap();
    dd.as_object_mut().unwrap().insert("Source".into(), json!("A&B <x>"));
    assert!(source.is_string());
    let xml = build(&o).unwrap();
    assert!(xml.contains("<Source>A&amp;B &lt;x&gt;</Source>"));
    assert!(xml.find("<Timestamp>").unwrap() < xml.find("<Source>").unwrap());
    assert!(!xml.contains("/>"), "no empty elements");
}

fn unsigned() -> Options {
    Options::default().schema_only().unsigned(true)
}

fn sample_object() -> Option<serde_json::Value> {
    let path = workspace::samples()
        .into_iter()
        .find(|p| p.ends_with("esimerkki_nt1.xml"))?;
    let xml = std::fs::read(path).ok()?;
    Some(parse(&xml).unwrap())
}

#[test]
fn feedback_is_summarised_item_by_item() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<s:StatusResponseFromIR xmlns:s="http://www.tulorekisteri.fi/2017/1/StatusResponseFromIR">
<DeliveryData><Timestamp>2024-01-01T10:00:00Z</Timestamp><DeliveryDataType>100</DeliveryDataType>
<DeliveryId>D-1</DeliveryId><FaultyControl>1</FaultyControl><ProductionEnvironment>false</ProductionEnvironment>
<DeliveryDataOwner><Type>1</Type><Code>7011367-6</Code></DeliveryDataOwner>
<DeliveryDataCreator><Type>1</Type><Code>7011367-6</Code></DeliveryDataCreator>
<DeliveryDataSender><Type>1</Type><Code>7011367-6</Code></DeliveryDataSender></DeliveryData>
<StatusResponse><IRResponseId>0123456789abcdef0123456789abcdef</IRResponseId>
<IRResponseTimestamp>2024-01-01T10:05:00Z</IRResponseTimestamp><DeliveryDataStatus>3</DeliveryDataStatus>
<IRDeliveryId>fedcba9876543210fedcba9876543210</IRDeliveryId>
<ValidItems><Item><ItemId>R1</ItemId><IRItemId>11111111111111111111111111111111</IRItemId><ItemVersion>1</ItemVersion></Item></ValidItems>
<InvalidItems><Item><ItemId>R2</ItemId><ItemErrors><ErrorInfo><ErrorCode>10034</ErrorCode><ErrorMessage>Virhe</ErrorMessage>
<ErrorDetails>Report 2</ErrorDetails></ErrorInfo></ItemErrors></Item></InvalidItems>
</StatusResponse></s:StatusResponseFromIR>"#;
    // Responses are signed; this hand-made one is not.
    let problems = tulorekisteri::validate_str(xml, &Options::default().schema_only());
    assert_eq!(problems.len(), 1, "{problems:?}");
    let fb = tulorekisteri::feedback::read_feedback_with(xml.as_bytes(), &unsigned()).unwrap();
    assert_eq!(fb.status, DeliveryStatus::Stored);
    assert_eq!(fb.delivery_id.as_deref(), Some("D-1"));
    assert_eq!(fb.valid_items[0].item_id.as_deref(), Some("R1"));
    assert_eq!(fb.valid_items[0].version, Some(1));
    let errors = fb.errors_of("R2").unwrap();
    assert_eq!(
        (errors[0].code.as_str(), errors[0].details.as_deref()),
        ("10034", Some("Report 2"))
    );
    assert!(fb.errors_of("R1").is_none());
    assert_eq!(read_feedback(xml.as_bytes()).unwrap(), fb);
    // Strict validation wants the Register's signature.
    assert!(tulorekisteri::feedback::read_feedback_with(xml.as_bytes(), &Options::default().schema_only()).is_err());
    assert_eq!(fb.to_json()["statusName"], "stored");
}
