//! One mutation of a generated document, of a randomly chosen kind: a
//! tricky value, a removed, duplicated, swapped or foreign element, odd
//! content, attributes and namespaces, or a break of well-formedness. Each
//! says what it did, and whether libxml2 is known to judge it otherwise.

use super::{tricky_values, Rng, Slot};
use tulorekisteri::schema::model::Builtin;
use tulorekisteri::schema::SIMPLE_TYPES;

/// Cases where the verdicts may differ, with the verdict we must give.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Exception {
    /// Debian's libxml2 2.9.14 rejects whitespace around xs:int, xs:date,
    /// xs:dateTime and xs:time values; their whiteSpace facet is `collapse`,
    /// so XSD 1.0 (§4.3.6, §3.2.7, §3.3.3 of part 2) accepts them.
    WhitespaceAroundValue,
    /// libxml2 rejects whitespace-only CDATA in element-only content; XSD 1.0
    /// (part 1 §3.4.4, cvc-complex-type 2.3) allows whitespace there however
    /// it is written.
    WhitespaceCdata,
    /// libxml2 stops reading a base64Binary value at the first character
    /// outside the base64 alphabet and accepts it if what came before was
    /// complete ("QUJD*"); XSD 1.0 part 2 §3.2.16 has no such characters.
    Base64Garbage,
    /// libxml2 accepts `xmlns:p=""`; Namespaces in XML 1.0 (§3, "No Prefix
    /// Undeclaring") forbids an empty value for a prefixed declaration.
    PrefixUndeclaring,
    /// Our policy: a record never carries a DOCTYPE, so we refuse every one.
    Doctype,
    /// Our policy: Incomes Register records are UTF-8, so another declared
    /// encoding is refused even when the bytes happen to be ASCII.
    Encoding,
}

impl Exception {
    pub fn we_accept(self) -> bool {
        matches!(self, Exception::WhitespaceAroundValue | Exception::WhitespaceCdata)
    }
}

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

fn replace(doc: &str, from: usize, to: usize, with: &str) -> String {
    format!("{}{with}{}", &doc[..from], &doc[to..])
}

fn insert(doc: &str, at: usize, what: &str) -> String {
    replace(doc, at, at, what)
}

/// Applies one mutation of a randomly chosen kind.
pub fn mutate(doc: &str, slots: &[Slot], rng: &mut Rng) -> (Vec<u8>, String, Option<Exception>) {
    let root_tag_end = doc.find('>').map(|i| doc[i + 1..].find('>').unwrap() + i + 1).unwrap();
    let values: Vec<&Slot> = slots.iter().filter(|s| s.value_type.is_some()).collect();
    let complex: Vec<&Slot> = slots.iter().filter(|s| s.value_type.is_none()).collect();
    let some = |rng: &mut Rng, v: &[&Slot]| -> Option<Slot> { (!v.is_empty()).then(|| (*rng.pick(v)).clone()) };
    let kind = rng.below(14);
    let text = |s: String| s.into_bytes();
    match kind {
        0..=2 => {
            if let Some(s) = some(rng, &values) {
                let ty = s.value_type.unwrap();
                let candidates = tricky_values(ty);
                let v = rng.pick(&candidates).clone();
                let garbage = SIMPLE_TYPES[ty as usize].builtin == Builtin::Base64Binary
                    && v.bytes()
                        .any(|b| !(b.is_ascii_alphanumeric() || b"+/= \t\r\n".contains(&b)));
                let exception = garbage.then_some(Exception::Base64Garbage);
                return (
                    text(replace(doc, s.content_start, s.content_end, &v)),
                    format!("value {} := {v:?}", s.name),
                    exception,
                );
            }
        }
        3 => {
            let ws: Vec<&Slot> = values
                .iter()
                .copied()
                .filter(|s| {
                    matches!(
                        SIMPLE_TYPES[s.value_type.unwrap() as usize].builtin,
                        Builtin::Int | Builtin::Date | Builtin::DateTime | Builtin::Time
                    )
                })
                .collect();
            if let Some(s) = some(rng, &ws) {
                let v = format!(" \n\t{}\r\n ", &doc[s.content_start..s.content_end]);
                let out = replace(doc, s.content_start, s.content_end, &v);
                return (
                    text(out),
                    format!("whitespace around {}", s.name),
                    Some(Exception::WhitespaceAroundValue),
                );
            }
        }
        4 => {
            if let Some(s) = some(rng, &slots.iter().collect::<Vec<_>>()) {
                return (
                    text(replace(doc, s.start, s.end, "")),
                    format!("remove {}", s.name),
                    None,
                );
            }
        }
        5 => {
            if let Some(s) = some(rng, &slots.iter().collect::<Vec<_>>()) {
                return (
                    text(insert(doc, s.end, &doc[s.start..s.end])),
                    format!("duplicate {}", s.name),
                    None,
                );
            }
        }
        6 => {
            let pairs: Vec<(usize, usize)> = (0..slots.len().saturating_sub(1))
                .filter_map(|i| {
                    (i + 1..slots.len())
                        .find(|&j| slots[j].parent == slots[i].parent && slots[j].start == slots[i].end)
                        .map(|j| (i, j))
                })
                .collect();
            if !pairs.is_empty() {
                let (i, j) = *rng.pick(&pairs);
                let (a, b) = (&slots[i], &slots[j]);
                let swapped = format!("{}{}", &doc[b.start..b.end], &doc[a.start..a.end]);
                return (
                    text(replace(doc, a.start, b.end, &swapped)),
                    format!("swap {} {}", a.name, b.name),
                    None,
                );
            }
        }
        7 => {
            let at = some(rng, &slots.iter().collect::<Vec<_>>()).map_or(root_tag_end + 1, |s| s.end);
            let what = *rng.pick(&[
                "<Unknown>1</Unknown>",
                "<q:Foo/>",
                "<r:Extra/>",
                "<ds:KeyName>k</ds:KeyName>",
            ]);
            return (text(insert(doc, at, what)), format!("insert {what}"), None);
        }
        8 => {
            let at = some(rng, &complex).map_or(root_tag_end + 1, |s| s.content_start);
            let (what, exc) = *rng.pick(&[
                ("junk", None),
                ("&#32;\n", None),
                ("&amp;", None),
                ("<![CDATA[ \n ]]>", Some(Exception::WhitespaceCdata)),
                ("<![CDATA[x]]>", None),
                ("<!-- a comment -->", None),
                ("<?pi data?>", None),
            ]);
            return (text(insert(doc, at, what)), format!("content {what:?}"), exc);
        }
        9 => {
            if let Some(s) = some(rng, &values) {
                let what = *rng.pick(&["<Foo/>", "<!-- c -->", "<![CDATA[1]]>"]);
                return (
                    text(insert(doc, s.content_start, what)),
                    format!("inside {} {what:?}", s.name),
                    None,
                );
            }
        }
        10 => {
            if let Some(s) = some(rng, &slots.iter().collect::<Vec<_>>()) {
                let (tag, close) = (format!("<{}", s.name), format!("</{}>", s.name));
                let renamed = if let Some(local) = s.name.strip_prefix("ds:") {
                    (format!("<{local}"), format!("</{local}>"))
                } else {
                    (format!("<r:{}", s.name), format!("</r:{}>", s.name))
                };
                let inner = &doc[s.start..s.end];
                let inner = inner.replacen(&tag, &renamed.0, 1);
                let cut = inner.rfind(&close).unwrap();
                let inner = format!("{}{}", &inner[..cut], renamed.1);
                return (
                    text(replace(doc, s.start, s.end, &inner)),
                    format!("namespace of {}", s.name),
                    None,
                );
            }
        }
        11 => {
            let at = doc.find(" xmlns:r=").unwrap();
            let attr = rng
                .pick(&[
                    " foo=\"1\"".to_string(),
                    format!(" xmlns:xsi=\"{XSI}\" xsi:nil=\"true\""),
                    format!(" xmlns:xsi=\"{XSI}\" xsi:schemaLocation=\"urn:a b.xsd\""),
                    format!(" xmlns:xsi=\"{XSI}\" xsi:noNamespaceSchemaLocation=\"b.xsd\""),
                    format!(" xmlns:xsi=\"{XSI}\" xsi:type=\"r:Nope\""),
                    format!(" xmlns:xsi=\"{XSI}\" xsi:foo=\"1\""),
                    " xml:lang=\"fi\"".to_string(),
                    " a=\"1\" a=\"2\"".to_string(),
                    " xmlns:e=\"\"".to_string(),
                ])
                .clone();
            let exception = attr.contains("=\"\"").then_some(Exception::PrefixUndeclaring);
            return (
                text(insert(doc, at, &attr)),
                format!("root attribute {attr}"),
                exception,
            );
        }
        12 => {
            if let Some(end) = doc.find("</ds:Signature>") {
                let depth = *rng.pick(&[10usize, 200, 300]);
                let open: String = (0..depth).map(|_| "<x:a xmlns:x=\"urn:x\">").collect();
                let close: String = (0..depth).map(|_| "</x:a>").collect();
                let obj = format!("<ds:Object>{open}{close}</ds:Object>");
                return (text(insert(doc, end, &obj)), format!("nesting {depth}"), None);
            }
        }
        _ => {}
    }
    well_formedness(doc, &values, rng)
}

fn well_formedness(doc: &str, values: &[&Slot], rng: &mut Rng) -> (Vec<u8>, String, Option<Exception>) {
    let body = doc.find("?>").unwrap() + 2;
    let v = values.iter().find(|s| {
        matches!(
            SIMPLE_TYPES[s.value_type.unwrap() as usize].builtin,
            Builtin::String | Builtin::NormalizedString
        )
    });
    let k = rng.below(23);
    let (out, exc): (Vec<u8>, Option<Exception>) = match (k, v) {
        (0, _) => (
            insert(doc, body, "\n<!DOCTYPE r []>").into_bytes(),
            Some(Exception::Doctype),
        ),
        (1, Some(s)) => (insert(doc, s.content_start, "&nbsp;").into_bytes(), None),
        (2, Some(s)) => (insert(doc, s.content_start, "&#0;").into_bytes(), None),
        (3, Some(s)) => (insert(doc, s.content_start, "\u{1}").into_bytes(), None),
        (4, Some(s)) => {
            let mut b = doc.as_bytes().to_vec();
            b.insert(s.content_start, 0xFF);
            (b, None)
        }
        (5, _) => {
            // Truncate on an ASCII byte so the cut is the only problem.
            let cut = body + rng.below(doc.len() - body);
            let cut = (cut..doc.len()).find(|&i| doc.as_bytes()[i].is_ascii()).unwrap_or(cut);
            (doc.as_bytes()[..cut].to_vec(), None)
        }
        (6, Some(s)) => (insert(doc, s.content_end + 2, "X").into_bytes(), None),
        (7, Some(s)) => (insert(doc, s.content_start, "]]>").into_bytes(), None),
        (8, _) => (insert(doc, body, "<!-- a -- b -->").into_bytes(), None),
        (9, _) => (format!("\u{FEFF}{doc}").into_bytes(), None),
        (10, _) => (
            doc.replacen("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"", 1)
                .into_bytes(),
            Some(Exception::Encoding),
        ),
        (11, Some(s)) => (
            replace(
                doc,
                s.content_start,
                s.content_end,
                &format!("<![CDATA[{}]]>", &doc[s.content_start..s.content_end]),
            )
            .into_bytes(),
            None,
        ),
        (12, _) => (format!("{doc}<?xml version=\"1.0\"?>").into_bytes(), None),
        (13, _) => (format!("{doc}x").into_bytes(), None),
        (14, _) => (format!("{doc}<Second/>").into_bytes(), None),
        (15, Some(s)) => (insert(doc, s.content_start, "&#xFFFE;").into_bytes(), None),
        // The declaration must be the very first thing (XML 1.0 §2.8): after
        // anything at all, even what a reader may skip, it is a reserved PI.
        (16, _) => (format!("<!-- first -->{doc}").into_bytes(), None),
        (17, _) => (format!("<?pi first?>{doc}").into_bytes(), None),
        (18, _) => (format!("\u{FEFF}\n{doc}").into_bytes(), None),
        // PITarget excludes "xml" in any case; longer names are allowed.
        (19, _) => (insert(doc, body, "<?xml version=\"1.0\"?>").into_bytes(), None),
        (20, _) => {
            let at = values.first().map_or(body, |s| s.end);
            (insert(doc, at, "<?XML x?>").into_bytes(), None)
        }
        (21, _) => (
            insert(doc, body, "<?xml-stylesheet href=\"a.xsl\"?>").into_bytes(),
            None,
        ),
        (22, _) => {
            let at = values.first().map_or(body, |s| s.end);
            (insert(doc, at, "<?xml-stylesheet href=\"a.xsl\"?>").into_bytes(), None)
        }
        _ => (format!(" {doc}").into_bytes(), None),
    };
    (out, format!("well-formedness {k}"), exc)
}
