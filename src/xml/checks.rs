//! Well-formedness rules that the tokenizer leaves to its callers (they
//! need to know where in the document a token is), shared by the validator
//! and the canonicaliser so both refuse the same documents.

use super::chars::is_xml_space;

pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// The XML declaration's pseudo-attributes (the tokenizer has seen that it
/// opens the document). `Ok(Some(encoding))` for an encoding other than
/// UTF-8; the error is a whole message.
pub fn declaration(pseudo: &str) -> Result<Option<String>, String> {
    pseudo_attributes(pseudo).map_err(|msg| format!("bad XML declaration: {msg}"))
}

fn pseudo_attributes(pseudo: &str) -> Result<Option<String>, String> {
    let mut rest = pseudo.trim_start_matches(is_xml_space);
    let mut seen = vec![];
    let mut encoding = None;
    while !rest.is_empty() {
        let eq = rest.find('=').ok_or("expected name=\"value\"")?;
        let name = rest[..eq].trim_end_matches(is_xml_space);
        let after = rest[eq + 1..].trim_start_matches(is_xml_space);
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or("values must be quoted")?;
        let close = after[1..].find(quote).ok_or("unterminated value")? + 1;
        let value = &after[1..close];
        rest = &after[close + 1..];
        if !rest.is_empty() && !rest.starts_with(is_xml_space) {
            return Err("pseudo-attributes must be separated by whitespace".into());
        }
        rest = rest.trim_start_matches(is_xml_space);
        let order = ["version", "encoding", "standalone"];
        let at = order
            .iter()
            .position(|o| *o == name)
            .ok_or(format!("unknown pseudo-attribute {name:?}"))?;
        if seen.last().is_some_and(|&l| l >= at) || (seen.is_empty() && at != 0) {
            return Err("expected version, then encoding, then standalone".into());
        }
        seen.push(at);
        match name {
            "version" if value != "1.0" => {
                return Err(format!("XML version {value:?} is not supported; records use 1.0"))
            }
            "encoding" if !value.eq_ignore_ascii_case("utf-8") => {
                let valid = value.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && value.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
                if !valid {
                    return Err(format!("bad encoding name {value:?}"));
                }
                encoding = Some(value.to_string());
            }
            "standalone" if value != "yes" && value != "no" => {
                return Err("standalone must be \"yes\" or \"no\"".into())
            }
            _ => {}
        }
    }
    if seen.is_empty() {
        return Err("the version is missing".into());
    }
    Ok(encoding)
}

/// A namespace declaration `xmlns:prefix="uri"` (`prefix` empty for the
/// default namespace), by Namespaces in XML 1.0: a prefix cannot be
/// undeclared, `xml` belongs to its own namespace only and `xmlns` to none.
pub fn namespace_declaration(prefix: &str, uri: &str) -> Result<(), String> {
    if !prefix.is_empty() && uri.is_empty() {
        return Err(format!("xmlns:{prefix}=\"\" cannot undeclare a prefix in XML 1.0"));
    }
    if prefix == "xmlns" || (prefix == "xml") != (uri == XML_NS) {
        return Err(format!("the prefix {prefix:?} cannot be bound to {uri:?}"));
    }
    Ok(())
}

/// Character data may not hold `]]>` outside a CDATA section.
pub fn text(raw: &str) -> Result<(), String> {
    match raw.contains("]]>") {
        true => Err("\"]]>\" is not allowed in text".into()),
        false => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_declarations_follow_namespaces_in_xml() {
        assert!(namespace_declaration("", "").is_ok());
        assert!(namespace_declaration("p", "urn:p").is_ok());
        assert!(namespace_declaration("xml", XML_NS).is_ok());
        assert!(namespace_declaration("p", "").is_err());
        assert!(namespace_declaration("xml", "urn:p").is_err());
        assert!(namespace_declaration("p", XML_NS).is_err());
        assert!(namespace_declaration("", XML_NS).is_err());
        assert!(namespace_declaration("xmlns", "urn:p").is_err());
    }

    #[test]
    fn declarations_name_a_foreign_encoding() {
        assert_eq!(declaration(" version=\"1.0\" encoding=\"utf-8\""), Ok(None));
        assert_eq!(
            declaration(" version='1.0' encoding='ISO-8859-1'"),
            Ok(Some("ISO-8859-1".into()))
        );
        assert!(declaration(" encoding='UTF-8'").is_err());
        assert!(declaration(" version='1.1'").is_err());
        assert!(text("a ]]> b").is_err() && text("a ]] > b").is_ok());
    }
}
