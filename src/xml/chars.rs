//! XML 1.0 (fifth edition) character and name rules.

fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Whether two names are the same. Names are short: comparing whole words
/// inline beats a call to memcmp, which the hot paths would make per tag.
#[inline]
pub fn same_name(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let long = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or_default());
    match n {
        // Two overlapping words cover the whole name.
        8..=16 => long(a, 0) == long(b, 0) && long(a, n - 8) == long(b, n - 8),
        4..=7 => {
            let word = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap_or_default());
            word(a, 0) == word(b, 0) && word(a, n - 4) == word(b, n - 4)
        }
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        _ => long(a, 0) == long(b, 0) && a == b,
    }
}

/// A name without colons (a namespace prefix or local name).
pub fn is_ncname(s: &str) -> bool {
    let b = s.as_bytes();
    if b.first().is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
    {
        return true;
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_name_start(c) => chars.all(is_name_char),
        _ => false,
    }
}

/// A qualified name: `local` or `prefix:local`.
pub fn is_qname(s: &str) -> bool {
    match s.split_once(':') {
        Some((p, l)) => is_ncname(p) && is_ncname(l),
        None => is_ncname(s),
    }
}

/// The `Char` production of XML 1.0.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Resolves the body of a reference (`amp`, `#38`, `#x26`): the five predefined
/// entities and character references to allowed characters. Anything else is an error.
pub fn resolve_reference(body: &str) -> Result<char, String> {
    let c = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let num = body
                .strip_prefix('#')
                .ok_or_else(|| format!("unknown entity &{body}; (only the five predefined entities are allowed)"))?;
            let (digits, radix) = match num.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (num, 10),
            };
            let valid = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
            let code = valid.then(|| u32::from_str_radix(digits, radix).ok()).flatten();
            match code.and_then(char::from_u32) {
                Some(c) if is_xml_char(c) => c,
                _ => {
                    return Err(format!(
                        "character reference &{body}; does not name an allowed character"
                    ))
                }
            }
        }
    };
    Ok(c)
}

/// XML whitespace (S production).
pub fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_compares_every_byte() {
        let names = [
            "",
            "a",
            "Code",
            "Codes",
            "IncomeEarner",
            "IncomeEarnerX",
            "IncomeEarnerIds",
            "TransactionBasic",
        ];
        for a in names {
            for b in names {
                assert_eq!(same_name(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
            }
            let long = format!("{a}{a}{a}{a}{a}x");
            let other = format!("{a}{a}{a}{a}{a}y");
            assert!(!same_name(long.as_bytes(), other.as_bytes()));
            assert!(same_name(long.as_bytes(), long.clone().as_bytes()));
        }
        assert!(!same_name(b"ABCDEFGHIJ", b"ABCDEFGHIK"));
        assert!(!same_name(b"XBCDEFGHIJ", b"ABCDEFGHIJ"));
        assert!(!same_name(b"ABCDEFGHIJKLMNOPQ", b"ABCDEFGHIJKLMNOPR"));
    }

    #[test]
    fn names() {
        assert!(is_ncname("Report") && is_ncname("_a-1.b") && is_ncname("Ärsyke"));
        assert!(!is_ncname("1a") && !is_ncname("") && !is_ncname("a:b") && !is_ncname("-x"));
        assert!(is_qname("ds:Signature") && !is_qname("a:b:c") && !is_qname(":a"));
    }

    #[test]
    fn references() {
        assert_eq!(resolve_reference("amp"), Ok('&'));
        assert_eq!(resolve_reference("#x41"), Ok('A'));
        assert_eq!(resolve_reference("#65"), Ok('A'));
        assert!(resolve_reference("#0").is_err());
        assert!(resolve_reference("#X41").is_err());
        assert!(resolve_reference("#xD800").is_err());
        assert!(resolve_reference("#x1F").is_err());
        assert!(resolve_reference("nbsp").is_err());
        assert!(resolve_reference("#-1").is_err());
    }
}
