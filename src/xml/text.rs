//! Character data as XML 1.0 reads it: references expanded, line ends and
//! attribute values normalised. Shared by the validator and the parser.

use super::chars::resolve_reference;

/// Attribute-value normalisation (XML 1.0 §3.3.3) with reference expansion:
/// literal tab, CR and LF become spaces (CR LF counts once); `<` is an error.
pub fn attribute_value(raw: &str, out: &mut String) -> Result<(), String> {
    out.clear();
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '<', '\t', '\n', '\r']) {
        out.push_str(&rest[..i]);
        let c = rest.as_bytes()[i];
        rest = &rest[i + 1..];
        match c {
            b'<' => return Err("\"<\" is not allowed in an attribute value".into()),
            b'&' => {
                let end = rest.find(';').ok_or("unterminated reference in an attribute value")?;
                out.push(resolve_reference(&rest[..end])?);
                rest = &rest[end + 1..];
            }
            b'\r' if rest.starts_with('\n') => {
                out.push(' ');
                rest = &rest[1..];
            }
            _ => out.push(' '),
        }
    }
    out.push_str(rest);
    Ok(())
}

/// Appends text with line ends normalised (CR LF and lone CR become LF).
pub fn decode_line_ends(raw: &str, out: &mut String) -> Result<(), String> {
    if !raw.bytes().any(|b| b == b'\r') {
        out.push_str(raw);
        return Ok(());
    }
    let mut rest = raw;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('\n') {
            rest = r;
        }
    }
    out.push_str(rest);
    Ok(())
}

/// Appends character data with references expanded and line ends normalised.
pub fn decode_text(raw: &str, out: &mut String) -> Result<(), String> {
    // Values are short: plain loops beat memchr calls here.
    if !raw.bytes().any(|b| b == b'&') {
        return decode_line_ends(raw, out);
    }
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        decode_line_ends(&rest[..i], out)?;
        rest = &rest[i + 1..];
        let end = rest.find(';').ok_or("\"&\" must start a reference such as &amp;")?;
        out.push(resolve_reference(&rest[..end])?);
        rest = &rest[end + 1..];
    }
    decode_line_ends(rest, out)
}

/// A value quoted for a message: at most 40 characters of it, so a message
/// never carries a whole record (or a personal identity code in full context).
pub fn shown(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() <= MAX {
        format!("{value:?}")
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head:?}…")
    }
}
