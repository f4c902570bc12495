//! Typed records (feature `typed`): every official sample and generated
//! documents of every root go through the structs unchanged — the typed
//! record serialises to exactly the object `parse` returns, and builds to
//! exactly the XML that `build` writes from that object.

mod corpus;
#[path = "support/workspace.rs"]
mod workspace;

use corpus::{document, Mode, Rng};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tulorekisteri::schema::model::{Content, ElementType};
use tulorekisteri::schema::{COMPLEX_TYPES, ELEMENTS, ROOTS};
use tulorekisteri::typed::{self, ire, smt, Record};
use tulorekisteri::{validate_str, Code, Options};

/// The whole check for one valid document; returns its object.
fn round_trip(label: &str, xml: &str) -> Value {
    let value = tulorekisteri::parse(xml.as_bytes()).unwrap_or_else(|p| panic!("{label}: parse failed: {p:?}"));
    let record = typed::parse(xml.as_bytes()).unwrap_or_else(|p| panic!("{label}: typed::parse failed: {p:?}"));
    let again = serde_json::to_value(&record).unwrap();
    if again != value {
        panic!("{label}: the typed record's object differs\n--- typed:\n{again:#}\n--- parse:\n{value:#}");
    }
    // Fields come out in schema order, as parse reads them from a valid document.
    assert_eq!(again.to_string(), value.to_string(), "{label}: field order");
    assert_eq!(typed::to_value(&record), value, "{label}");
    let built = typed::build(&record).unwrap_or_else(|p| panic!("{label}: typed::build failed: {p:?}"));
    assert_eq!(built, tulorekisteri::build(&value).unwrap(), "{label}");
    let unsigned = Options::default().schema_only().unsigned(true);
    assert_eq!(
        validate_str(&built, &unsigned),
        vec![],
        "{label}: the built record is invalid"
    );
    assert_eq!(
        typed::parse(built.as_bytes()).unwrap(),
        record,
        "{label}: parse(build(x)) != x"
    );
    value
}

#[test]
fn official_samples_round_trip_through_the_types() {
    // Absent samples are a skip here and a failure in CI (`workspace::samples`).
    let samples = workspace::samples();
    if samples.is_empty() {
        return;
    }
    for path in &samples {
        round_trip(&path.display().to_string(), &std::fs::read_to_string(path).unwrap());
    }
    assert_eq!(samples.len(), 13);
}

/// The complex types (with element content) that `value`, an object of
/// complex type `ct`, uses.
fn types_used(ct: u16, value: &Value, seen: &mut BTreeSet<u16>) {
    seen.insert(ct);
    let (Content::Elements { children, .. }, Value::Object(map)) = (&COMPLEX_TYPES[ct as usize].content, value) else {
        return;
    };
    for child in children.iter() {
        let e = &ELEMENTS[child.element as usize];
        let ElementType::Complex(inner) = e.ty else { continue };
        if !matches!(COMPLEX_TYPES[inner as usize].content, Content::Elements { .. }) {
            continue;
        }
        match map.get(e.name) {
            Some(Value::Array(items)) => items.iter().for_each(|item| types_used(inner, item, seen)),
            Some(v) => types_used(inner, v, seen),
            None => {}
        }
    }
}

/// The complex types (with element content) that a record of root `r` can use.
fn types_of_root(r: usize) -> BTreeSet<u16> {
    let mut seen = BTreeSet::new();
    let ElementType::Complex(ct) = ELEMENTS[ROOTS[r].element as usize].ty else {
        unreachable!()
    };
    let mut queue = vec![ct];
    while let Some(ct) = queue.pop() {
        let Content::Elements { children, .. } = &COMPLEX_TYPES[ct as usize].content else {
            continue;
        };
        if !seen.insert(ct) {
            continue;
        }
        for child in children.iter().filter(|c| ELEMENTS[c.element as usize].ns == 0) {
            if let ElementType::Complex(inner) = ELEMENTS[child.element as usize].ty {
                queue.push(inner);
            }
        }
    }
    seen.retain(|&ct| matches!(COMPLEX_TYPES[ct as usize].content, Content::Elements { .. }));
    seen
}

#[test]
fn generated_records_of_every_root_round_trip_and_use_every_struct() {
    let generated = include_str!("../src/typed/generated.rs");
    let structs = generated.matches("\n    pub struct ").count();
    let mut seen = BTreeSet::new();
    let mut rng = Rng::new(11);
    let mut documents = 0;
    for (r, root) in ROOTS.iter().enumerate() {
        let ElementType::Complex(ct) = ELEMENTS[root.element as usize].ty else {
            unreachable!()
        };
        let wanted = types_of_root(r);
        // Random documents until every struct of the root has been filled
        // (a deep one only now and then: the generator keeps to the
        // shortest content below 12 levels).
        let mut i = 0;
        while i < 20 || (!wanted.is_subset(&seen) && i < 1000) {
            let mode = if i == 0 { Mode::Minimal } else { Mode::Random };
            let (doc, _) = document(r, mode, &mut rng);
            let value = round_trip(&format!("root {r} #{i}"), &doc);
            let (_, fields) = value.as_object().unwrap().iter().next().unwrap();
            types_used(ct, fields, &mut seen);
            i += 1;
        }
        documents += i;
        let missing: Vec<&str> = wanted
            .difference(&seen)
            .map(|&c| COMPLEX_TYPES[c as usize].name)
            .collect();
        assert!(
            missing.is_empty(),
            "{}: no document used {missing:?}",
            ELEMENTS[root.element as usize].name
        );
    }
    assert_eq!(seen.len(), structs, "every generated struct is filled by some document");
    println!("{documents} documents");
}

fn status_request() -> Record {
    let owner = smt::Id {
        r#type: 1,
        code: "1234567-8".into(),
        ..Default::default()
    };
    Record::StatusRequestToIR(smt::StatusRequestToIR {
        timestamp: "2024-01-31T12:00:00Z".into(),
        delivery_data_type: 100,
        delivery_id: Some("delivery-1".into()),
        production_environment: false,
        delivery_data_owner: owner.clone(),
        delivery_data_creator: owner.clone(),
        delivery_data_sender: owner,
        ..Default::default()
    })
}

#[test]
fn typed_records_are_the_json_objects() {
    let echo = Record::Echo(ire::EchoMessage { data: "hi".into() });
    assert_eq!(typed::to_value(&echo), json!({ "Echo": { "Data": "hi" } }));
    let status = typed::to_value(&status_request());
    assert_eq!(status["StatusRequestToIR"]["DeliveryDataType"], json!(100));
    assert_eq!(status["StatusRequestToIR"]["ProductionEnvironment"], json!(false));
    // Absent options are left out, not null.
    assert!(status["StatusRequestToIR"].get("IRDeliveryId").is_none());
    assert!(status["StatusRequestToIR"]["DeliveryDataOwner"]
        .get("CountryCode")
        .is_none());
    assert_eq!(typed::from_value(&status).unwrap(), status_request());
    let xml = typed::build(&status_request()).unwrap();
    assert_eq!(xml, tulorekisteri::build(&status).unwrap());
    assert_eq!(typed::parse(xml.as_bytes()).unwrap(), status_request());
}

#[test]
fn a_value_of_the_wrong_kind_is_a_diagnostic() {
    let mut value = typed::to_value(&status_request());
    value["StatusRequestToIR"]["DeliveryDataType"] = json!("100");
    let problems = typed::from_value(&value).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    let p = &problems[0];
    assert_eq!((p.code, p.path.as_str()), (Code::BuildType, "DeliveryDataType"));
    assert_eq!(
        p.message,
        "DeliveryDataType (xs:int): expected a 32-bit integer (i32), found the string \"100\""
    );
    assert_eq!((p.line, p.column), (0, 0));
    // The JSON build takes the string; the types do not.
    assert!(tulorekisteri::build(&value).is_ok());

    // Every misfit, each at its object path.
    let mut value = typed::to_value(&status_request());
    let fields = value["StatusRequestToIR"].as_object_mut().unwrap();
    fields["DeliveryDataOwner"]["Type"] = json!(2_147_483_648_i64);
    fields["ProductionEnvironment"] = json!("false");
    fields.shift_remove("Timestamp");
    fields.insert("Surprise".into(), json!(1));
    let got: Vec<(Code, String)> = typed::from_value(&value)
        .unwrap_err()
        .into_iter()
        .map(|d| (d.code, d.path))
        .collect();
    assert_eq!(
        got,
        vec![
            (Code::BuildField, "Surprise".to_string()),
            (Code::SchemaMissingElement, "Timestamp".to_string()),
            (Code::BuildType, "ProductionEnvironment".to_string()),
            (Code::BuildType, "DeliveryDataOwner.Type".to_string()),
        ]
    );

    // Inside arrays, positions from 0 as in build's paths.
    let response = json!({ "StatusResponseFromIR": { "DeliveryData": {} } });
    let problems = typed::from_value(&response).unwrap_err();
    assert!(
        problems.iter().all(|d| d.code == Code::SchemaMissingElement),
        "{problems:?}"
    );
    let items = json!({ "StatusResponseFromIR": { "StatusResponse": { "ValidItems": { "Item": [{}, { "ItemVersion": 1.5 }] } } } });
    let problems = typed::from_value(&items).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|d| d.code == Code::BuildType && d.path == "StatusResponse.ValidItems.Item[1].ItemVersion"),
        "{problems:?}"
    );
    let repeated = json!({ "StatusResponseFromIR": { "StatusResponse": { "ValidItems": { "Item": {} } } } });
    let problems = typed::from_value(&repeated).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|d| d.code == Code::BuildType && d.path == "StatusResponse.ValidItems.Item"),
        "{problems:?}"
    );

    assert_eq!(
        typed::from_value(&json!({ "Nope": {} })).unwrap_err()[0].code,
        Code::BuildRoot
    );
    assert_eq!(
        typed::from_value(&json!({ "Echo": { "Data": 5 } })).unwrap_err()[0].code,
        Code::BuildType
    );
}

#[test]
fn invalid_typed_records_get_builds_diagnostics() {
    let Record::StatusRequestToIR(mut r) = status_request() else {
        unreachable!()
    };
    r.timestamp = "yesterday".into();
    r.delivery_data_owner.code = "x".repeat(31);
    let problems = typed::build(&Record::StatusRequestToIR(r)).unwrap_err();
    let got: Vec<(Code, &str)> = problems.iter().map(|d| (d.code, d.path.as_str())).collect();
    assert!(got.contains(&(Code::SchemaType, "Timestamp")), "{got:?}");
    assert!(got.contains(&(Code::SchemaLength, "DeliveryDataOwner.Code")), "{got:?}");
}
