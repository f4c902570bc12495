//! SOAP 1.1 envelopes as the Register's WSDLs use them (document/literal):
//! a signed record alone in `soap:Body`, or a `soap:Fault`. Shared by the
//! client and the simulator, so both read and write the same envelope.

/// The SOAP 1.1 envelope namespace.
pub const ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// The `Content-Type` of a SOAP 1.1 message.
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// `record` (a whole document, signed) as the only child of `soap:Body`.
/// Its XML declaration and byte order mark are left out (they cannot stand
/// inside another document); every other byte is kept, so its signature
/// still verifies once the record is taken out again.
pub fn envelope(record: &[u8]) -> Vec<u8> {
    let body = without_prolog(record);
    let mut out = Vec::with_capacity(body.len() + 200);
    out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.extend_from_slice(format!("<soap:Envelope xmlns:soap=\"{ENVELOPE_NS}\"><soap:Body>").as_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(b"</soap:Body></soap:Envelope>\n");
    out
}

/// The record without a byte order mark and XML declaration before its root.
fn without_prolog(record: &[u8]) -> &[u8] {
    let record = record.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(record);
    match record.starts_with(b"<?xml") {
        true => match record.windows(2).position(|w| w == b"?>") {
            Some(end) => record[end + 2..].trim_ascii_start(),
            None => record,
        },
        false => record,
    }
}

/// Who a fault blames (SOAP 1.1 §4.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// `soap:Client`: the message was refused as it is (for the Register:
    /// the record was refused, nothing was stored).
    Client,
    /// `soap:Server`: the service failed; the message may be fine.
    Server,
}

/// A `soap:Fault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Who is to blame.
    pub code: FaultCode,
    /// `faultstring`: what went wrong, in words.
    pub string: String,
}

/// A SOAP fault envelope.
pub fn fault(code: FaultCode, string: &str) -> Vec<u8> {
    let code = match code {
        FaultCode::Client => "soap:Client",
        FaultCode::Server => "soap:Server",
    };
    let mut escaped = String::with_capacity(string.len());
    for c in string.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            c => escaped.push(c),
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"{ENVELOPE_NS}\"><soap:Body><soap:Fault>\
<faultcode>{code}</faultcode><faultstring>{escaped}</faultstring></soap:Fault></soap:Body></soap:Envelope>\n"
    )
    .into_bytes()
}

/// What a SOAP message's body holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body<'a> {
    /// A record: the exact bytes of the body's one element, to be read (and
    /// its signature verified) as a document of its own.
    Record(&'a [u8]),
    /// A fault.
    Fault(Fault),
}

/// Why a message is not a SOAP 1.1 envelope of one record or a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapError(pub String);

impl std::fmt::Display for SoapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not a SOAP 1.1 envelope of one record: {}", self.0)
    }
}

impl std::error::Error for SoapError {}

/// Reads an envelope: `soap:Envelope`, an optional `soap:Header`, and a
/// `soap:Body` holding exactly one element.
pub fn read(message: &[u8]) -> Result<Body<'_>, SoapError> {
    let bad = |m: &str| SoapError(m.to_string());
    let text = std::str::from_utf8(message).map_err(|_| bad("not UTF-8"))?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| SoapError(e.to_string()))?;
    let is = |n: &roxmltree::Node, name: &str| {
        n.is_element() && n.tag_name().namespace() == Some(ENVELOPE_NS) && n.tag_name().name() == name
    };
    let envelope = doc.root_element();
    if !is(&envelope, "Envelope") {
        return Err(bad("the root is not soap:Envelope"));
    }
    let mut children = envelope.children().filter(|n| n.is_element());
    let mut body = children.next().ok_or_else(|| bad("no soap:Body"))?;
    if is(&body, "Header") {
        body = children.next().ok_or_else(|| bad("no soap:Body"))?;
    }
    if !is(&body, "Body") || children.next().is_some() {
        return Err(bad("expected soap:Body as the envelope's last element"));
    }
    let mut inside = body.children().filter(|n| n.is_element());
    let (Some(content), None) = (inside.next(), inside.next()) else {
        return Err(bad("soap:Body must hold exactly one element"));
    };
    if is(&content, "Fault") {
        let field = |name: &str| {
            content
                .children()
                .find(|n| n.is_element() && n.tag_name().name() == name)
                .and_then(|n| n.text())
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let code = match field("faultcode").rsplit(':').next() {
            Some("Client") => FaultCode::Client,
            _ => FaultCode::Server,
        };
        return Ok(Body::Fault(Fault {
            code,
            string: field("faultstring"),
        }));
    }
    Ok(Body::Record(&message[content.range()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &[u8] = b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<e:Echo xmlns:e=\"http://www.tulorekisteri.fi/2017/1/Echo\"><Data>a&amp;b</Data></e:Echo>";

    #[test]
    fn a_record_goes_in_whole_and_comes_out_byte_for_byte() {
        let message = envelope(RECORD);
        let inner = &RECORD[RECORD.iter().position(|&b| b == b'<').unwrap()..];
        let root = &inner[inner.windows(2).position(|w| w == b"?>").unwrap() + 3..];
        assert_eq!(read(&message), Ok(Body::Record(root)));
    }

    #[test]
    fn faults_say_who_is_to_blame() {
        let message = fault(FaultCode::Client, "schema-type: <a> & more");
        let Ok(Body::Fault(f)) = read(&message) else {
            panic!("a fault")
        };
        assert_eq!(
            (f.code, f.string.as_str()),
            (FaultCode::Client, "schema-type: <a> & more")
        );
        let Ok(Body::Fault(f)) = read(&fault(FaultCode::Server, "down")) else {
            panic!("a fault")
        };
        assert_eq!(f.code, FaultCode::Server);
    }

    #[test]
    fn anything_else_is_an_error() {
        for bad in [
            &b"<a/>"[..],
            b"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"/>",
            b"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><a/><b/></soap:Body></soap:Envelope>",
            b"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>",
            b"<!DOCTYPE x [<!ENTITY e 'e'>]><x/>",
            b"\xFF",
        ] {
            assert!(read(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
