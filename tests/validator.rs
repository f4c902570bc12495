//! Behaviour of the validator on small documents: positions, paths, XML
//! corner cases and hostile input.

use tulorekisteri::{validate_bytes, validate_str, Code, Options};

const ECHO_NS: &str = "http://www.tulorekisteri.fi/2017/1/Echo";

fn codes(xml: &[u8]) -> Vec<Code> {
    validate_bytes(xml, &Options::default().schema_only())
        .iter()
        .map(|d| d.code)
        .collect()
}

/// A minimal valid invalidation record with `items` items.
fn invalidations(items: &[&str]) -> String {
    let items: String = items.iter().map(|i| format!("<Item>{i}</Item>")).collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<r:InvalidationsRequestToIR xmlns:r="http://www.tulorekisteri.fi/2017/1/InvalidationsToIR">
  <DeliveryData>
    <Timestamp>2022-01-01T12:00:00+02:00</Timestamp>
    <Source>Test</Source>
    <DeliveryDataType>105</DeliveryDataType>
    <DeliveryId>d1</DeliveryId>
    <ProductionEnvironment>false</ProductionEnvironment>
    <DeliveryDataOwner><Type>1</Type><Code>1234567-8</Code></DeliveryDataOwner>
    <DeliveryDataCreator><Type>1</Type><Code>1234567-8</Code></DeliveryDataCreator>
    <DeliveryDataSender><Type>1</Type><Code>1234567-8</Code></DeliveryDataSender>
    <Items>{items}</Items>
  </DeliveryData>
</r:InvalidationsRequestToIR>"#
    )
}

#[test]
fn a_minimal_record_is_valid() {
    let xml = invalidations(&["<ItemId>a</ItemId>"]);
    assert_eq!(validate_str(&xml, &Options::default().schema_only()), vec![]);
}

#[test]
fn paths_number_repeated_elements() {
    let xml = invalidations(&[
        "<ItemId>a</ItemId>",
        "<ItemId>b</ItemId>",
        "<ItemVersion>x</ItemVersion>",
    ]);
    let d = validate_str(&xml, &Options::default().schema_only());
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0].path,
        "/InvalidationsRequestToIR/DeliveryData/Items/Item[3]/ItemVersion"
    );
    assert_eq!(d[0].code, Code::SchemaType);
    assert_eq!(d[0].line, 12);
}

#[test]
fn missing_elements_are_named() {
    let xml = invalidations(&[]).replace("<DeliveryDataType>105</DeliveryDataType>", "");
    let d = validate_str(&xml, &Options::default().schema_only());
    assert_eq!(d[0].code, Code::SchemaMissingElement);
    assert!(d[0].message.contains("<DeliveryDataType>"), "{}", d[0].message);
    // <Items/> with no <Item> is incomplete as well.
    assert_eq!(
        d.iter().filter(|x| x.code == Code::SchemaMissingElement).count(),
        2,
        "{d:?}"
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let xml = format!("<ire:Echo xmlns:ire=\"{ECHO_NS}\"><!--ääää--><Data>x</Data><Öö/></ire:Echo>");
    let d = validate_str(&xml, &Options::default().schema_only());
    let bad = d.iter().find(|x| x.code == Code::SchemaUnexpectedElement).unwrap();
    let col = xml[..xml.find("<Öö/>").unwrap()].chars().count() as u64 + 1;
    assert_eq!((bad.line, bad.column), (1, col));
}

#[test]
fn lengths_count_characters_and_line_ends_are_normalised() {
    // Data is 1 to 10 characters: ten two-byte letters fit; CR LF counts once.
    let ok = format!("<ire:Echo xmlns:ire=\"{ECHO_NS}\"><Data>ääääääääää</Data></ire:Echo>");
    assert_eq!(codes(ok.as_bytes()), [Code::SchemaMissingElement]);
    let crlf = format!("<ire:Echo xmlns:ire=\"{ECHO_NS}\"><Data>abcd\r\nefgh\r\n</Data></ire:Echo>");
    assert_eq!(codes(crlf.as_bytes()), [Code::SchemaMissingElement]);
    let long = format!("<ire:Echo xmlns:ire=\"{ECHO_NS}\"><Data>ääääääääääa</Data></ire:Echo>");
    assert_eq!(codes(long.as_bytes()), [Code::SchemaLength, Code::SchemaMissingElement]);
}

#[test]
fn xml_corner_cases_that_are_valid() {
    let doc = |data: &str| {
        format!("\u{FEFF}<?xml version='1.0' encoding='utf-8' standalone='yes'?><!--c--><?pi x?><ire:Echo xmlns:ire=\"{ECHO_NS}\"><Data>{data}</Data></ire:Echo><!--end-->")
    };
    for data in ["a&amp;b", "&#65;&#x42;", "<![CDATA[<&>]]>", "a<!--x-->b", "a<?p?>b"] {
        assert_eq!(codes(doc(data).as_bytes()), [Code::SchemaMissingElement], "{data}");
    }
}

#[test]
fn hostile_input_gets_a_clear_error() {
    let cases: &[(&[u8], Code)] = &[
        (
            b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><x>&b;</x>",
            Code::XmlDoctype,
        ),
        (b"<x>&nope;</x>", Code::XmlEntity),
        (b"<x>&#0;</x>", Code::XmlEntity),
        (b"<x>\xFF</x>", Code::XmlEncoding),
        (b"<x>\x01</x>", Code::XmlChar),
        (b"<x></y>", Code::XmlSyntax),
        (b"<x>", Code::XmlSyntax),
        (b"", Code::XmlSyntax),
        (b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><x/>", Code::XmlEncoding),
        (b"<x a=\"1\" a=\"2\"/>", Code::XmlSyntax),
        (b"<p:x/>", Code::XmlNamespace),
        (b"<x/><y/>", Code::XmlSyntax),
        (b"<x><!-- a -- b --></x>", Code::XmlSyntax),
        (b"<1x/>", Code::XmlSyntax),
    ];
    for (xml, code) in cases {
        let got = codes(xml);
        assert!(got.contains(code), "{}: {got:?}", String::from_utf8_lossy(xml));
    }
    // A control character among the spaces the reader skips between tags,
    // then input that needs more reading (found by the fuzzer).
    for tail in ["<!-- never closed", "<Data", ""] {
        let xml = format!("<ire:Echo xmlns:ire=\"{ECHO_NS}\">\n\x0b\t{tail}");
        let got = codes(xml.as_bytes());
        assert_eq!(got.first(), Some(&Code::XmlChar), "{tail}: {got:?}");
    }
}

#[test]
fn deep_nesting_and_huge_tokens_are_refused_without_exhausting_memory() {
    let deep = "<x>".repeat(100_000);
    assert_eq!(codes(deep.as_bytes()), [Code::SchemaRoot, Code::XmlDepth]);
    let huge_text = format!("<x>{}</x>", "a".repeat(5 << 20));
    assert_eq!(codes(huge_text.as_bytes()), [Code::SchemaRoot, Code::XmlTooLarge]);
    let huge_name = format!("<{}/>", "a".repeat(5 << 20));
    assert_eq!(codes(huge_name.as_bytes()), [Code::XmlTooLarge]);
}

#[test]
fn every_code_is_documented() {
    let codes = include_str!("../docs/codes.md");
    let rules = include_str!("../docs/rules.md");
    for code in Code::ALL {
        // Rule codes are listed in the generated rule catalogue.
        let doc = if code.as_str().starts_with("rule-") {
            rules
        } else {
            codes
        };
        assert!(
            doc.contains(&format!("`{}`", code.as_str())),
            "{code} is not documented"
        );
        assert!(!code.description().is_empty());
    }
}

#[test]
fn values_read_in_one_step_or_across_the_window_agree() {
    // A bad reference inside a value is reported where the value starts.
    let xml = format!("<ire:Echo xmlns:ire=\"{ECHO_NS}\">\n<Data>ab&nope;</Data></ire:Echo>");
    let d = validate_str(&xml, &Options::default().schema_only());
    assert_eq!((d[0].code, d[0].line, d[0].column), (Code::XmlEntity, 2, 7));
    // The same too-long value, placed so that it does or does not straddle
    // the reader's 64 KiB window, gives the same problems.
    for pad in [65_500, 65_510, 65_520, 65_530, 100] {
        let xml = format!(
            "<ire:Echo xmlns:ire=\"{ECHO_NS}\"><!--{}--><Data>abcdefghijk</Data></ire:Echo>",
            "x".repeat(pad)
        );
        assert_eq!(
            codes(xml.as_bytes()),
            [Code::SchemaLength, Code::SchemaMissingElement],
            "pad {pad}"
        );
    }
}

#[test]
fn an_unsigned_record_lacks_only_its_signature() {
    let unsigned = Options::default().schema_only().unsigned(true);
    let echo = format!("<ire:Echo xmlns:ire=\"{ECHO_NS}\"><Data>hi</Data></ire:Echo>");
    assert_eq!(codes(echo.as_bytes()), [Code::SchemaMissingElement]);
    assert_eq!(validate_str(&echo, &unsigned), vec![]);
    // Other missing elements are still errors.
    let empty = format!("<ire:Echo xmlns:ire=\"{ECHO_NS}\"></ire:Echo>");
    assert_eq!(validate_str(&empty, &unsigned).len(), 1);
}

/// A root whose prefix is not declared is reported once, at the root: the
/// end of the document does not say that there is no root as well.
#[test]
fn an_undeclared_root_prefix_is_reported_once() {
    let xml = "<?xml version=\"1.0\"?>\n<p:Echo xmlns:q=\"urn:x\"><Data>x</Data></p:Echo>\n";
    let d = validate_str(xml, &Options::default().schema_only());
    let found: Vec<_> = d.iter().map(|d| (d.code, d.line, d.path.as_str())).collect();
    assert_eq!(found, [(Code::XmlNamespace, 2, "/Echo")], "{d:?}");
}
