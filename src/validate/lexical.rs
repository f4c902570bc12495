//! Lexical forms of the XML Schema 1.0 built-in types the schema set uses.
//! Each function takes the value after its whitespace facet was applied.

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn unsigned(s: &str) -> &str {
    s.strip_prefix(['+', '-']).unwrap_or(s)
}

/// `xs:integer`: an optional sign and decimal digits.
pub fn is_integer(s: &str) -> bool {
    all_digits(unsigned(s))
}

/// `xs:int`: `Ok(value)`, `Err(true)` for a well-formed integer out of range,
/// `Err(false)` for a malformed one.
pub fn parse_int(s: &str) -> Result<i32, bool> {
    if !is_integer(s) {
        return Err(false);
    }
    let negative = s.starts_with('-');
    let digits = unsigned(s).trim_start_matches('0');
    if digits.len() > 10 {
        return Err(true);
    }
    let magnitude = decimal_digits(digits.as_bytes());
    let value = if negative { -magnitude } else { magnitude };
    i32::try_from(value).map_err(|_| true)
}

/// The value of at most 18 ASCII digits (checked by the caller).
fn decimal_digits(digits: &[u8]) -> i64 {
    digits.iter().fold(0, |n, &d| n * 10 + (d - b'0') as i64)
}

/// `xs:decimal`: `[+-]?(\d+(\.\d*)?|\.\d+)`.
pub fn is_decimal(s: &str) -> bool {
    let s = unsigned(s);
    match s.split_once('.') {
        None => all_digits(s),
        Some((int, frac)) => {
            (int.is_empty() || all_digits(int))
                && (frac.is_empty() || all_digits(frac))
                && !(int.is_empty() && frac.is_empty())
        }
    }
}

pub fn is_boolean(s: &str) -> bool {
    matches!(s, "true" | "false" | "1" | "0")
}

fn two(s: &[u8], at: usize) -> Option<u32> {
    let d = s.get(at..at + 2)?;
    d.iter()
        .all(u8::is_ascii_digit)
        .then(|| ((d[0] - b'0') * 10 + (d[1] - b'0')) as u32)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The days of `month` (1-12) in `year`; 0 for a month that does not exist.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// `-?YYYY-MM-DD` at the start of `s`; returns the bytes it used.
fn date_part(s: &[u8]) -> Option<usize> {
    let neg = s.first() == Some(&b'-');
    let start = neg as usize;
    let len = s[start..].iter().take_while(|b| b.is_ascii_digit()).count();
    let digits = &s[start..start + len];
    // At least four digits; more only without a leading zero; no year zero (XSD 1.0).
    if len < 4 || (len > 4 && digits[0] == b'0') || digits.iter().all(|&b| b == b'0') {
        return None;
    }
    // A year past i64 is refused, as no record needs one.
    let year = digits
        .iter()
        .try_fold(0i64, |n, &d| n.checked_mul(10)?.checked_add((d - b'0') as i64))?;
    let mut i = start + len;
    if s.get(i) != Some(&b'-') {
        return None;
    }
    let month = two(s, i + 1)?;
    if s.get(i + 3) != Some(&b'-') {
        return None;
    }
    let day = two(s, i + 4)?;
    i += 6;
    let days = days_in_month(if neg { -year } else { year }, month);
    (day >= 1 && day <= days).then_some(i)
}

/// `hh:mm:ss(.s+)?` at the start of `s`; returns the bytes it used.
fn time_part(s: &[u8]) -> Option<usize> {
    let (h, m, sec) = (two(s, 0)?, two(s, 3)?, two(s, 6)?);
    if s.get(2) != Some(&b':') || s.get(5) != Some(&b':') {
        return None;
    }
    let mut i = 8;
    let mut fraction_zero = true;
    if s.get(i) == Some(&b'.') {
        let n = s[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        fraction_zero = s[i + 1..i + 1 + n].iter().all(|&b| b == b'0');
        i += 1 + n;
    }
    // 24:00:00 is the end of the day (XSD 1.0 second edition).
    let ok = (h < 24 && m < 60 && sec < 60) || (h == 24 && m == 0 && sec == 0 && fraction_zero);
    ok.then_some(i)
}

/// An optional time zone that must end the value.
fn zone_rest(s: &[u8]) -> bool {
    match s {
        [] | [b'Z'] => true,
        [b'+' | b'-', ..] if s.len() == 6 && s[3] == b':' => match (two(s, 1), two(s, 4)) {
            (Some(h), Some(m)) => (h < 14 && m < 60) || (h == 14 && m == 0),
            _ => false,
        },
        _ => false,
    }
}

pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    date_part(b).is_some_and(|i| zone_rest(&b[i..]))
}

pub fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    time_part(b).is_some_and(|i| zone_rest(&b[i..]))
}

pub fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(i) = date_part(b) else { return false };
    if b.get(i) != Some(&b'T') {
        return false;
    }
    time_part(&b[i + 1..]).is_some_and(|j| zone_rest(&b[i + 1 + j..]))
}

/// Whether the value has a time zone (the Register requires one on dateTime).
pub fn has_zone(s: &str) -> bool {
    s.ends_with('Z')
        || s.len() > 6 && matches!(s.as_bytes()[s.len() - 6], b'+' | b'-') && s.as_bytes()[s.len() - 3] == b':'
}

/// `xs:base64Binary` (XSD 1.0 part 2 §3.2.16): whitespace anywhere is
/// ignored (libxml2 agrees, for line-wrapped certificates); the rest is
/// groups of four with `=` padding only at the end, and the character before
/// the padding must not carry bits the padding drops.
pub fn is_base64(s: &str) -> bool {
    let mut n = 0usize;
    let mut pad = 0usize;
    let mut last = 0u8;
    for b in s.bytes() {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'=' => {
                pad += 1;
                n += 1;
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if pad == 0 => {
                n += 1;
                last = b;
            }
            _ => return false,
        }
    }
    let tail_ok = match pad {
        0 => true,
        1 => b"AEIMQUYcgkosw048".contains(&last),
        2 => b"AQgw".contains(&last),
        _ => false,
    };
    n % 4 == 0 && tail_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(parse_int("+0001"), Ok(1));
        assert_eq!(parse_int("-2147483648"), Ok(i32::MIN));
        assert_eq!(parse_int("2147483648"), Err(true));
        assert_eq!(parse_int("000000000000002147483647"), Ok(i32::MAX));
        assert_eq!(parse_int("1.0"), Err(false));
        assert_eq!(parse_int(""), Err(false));
        assert_eq!(parse_int("+"), Err(false));
    }

    #[test]
    fn decimals() {
        for ok in ["1", "-1.5", ".5", "5.", "+000.10"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in [".", "", "1e3", "1,5", "--1", "1.2.3"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn dates() {
        for ok in [
            "2020-02-29",
            "2021-12-31Z",
            "2021-01-01+14:00",
            "12021-01-01",
            "-0044-03-15",
        ] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2021-02-29",
            "1900-02-29",
            "2021-13-01",
            "21-01-01",
            "02021-01-01",
            "0000-01-01",
            "2021-1-01",
            "2021-01-01+14:30",
            "2021-01-01T00:00:00",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
        assert!(is_date_time("2001-12-17T09:30:47Z"));
        assert!(is_date_time("2001-12-17T09:30:47.123+02:00"));
        assert!(is_date_time("2001-12-17T24:00:00"));
        assert!(!is_date_time("2001-12-17T24:00:01"));
        assert!(!is_date_time("2001-12-17T09:30"));
        assert!(!is_date_time("2001-12-17T09:30:47."));
        assert!(is_time("23:59:59") && !is_time("23:60:00"));
        assert!(has_zone("2001-12-17T09:30:47+02:00") && !has_zone("2001-12-17T09:30:47"));
    }

    #[test]
    fn base64() {
        assert!(is_base64("QUJD") && is_base64("QUI=") && is_base64("QQ==") && is_base64("QU\nJD"));
        assert!(!is_base64("QUJ") && !is_base64("Q===") && !is_base64("QU=D") && !is_base64("QU*D"));
        assert!(!is_base64("QR==") && !is_base64("QUJDRB=") && is_base64("QUJDRA==") && is_base64(""));
    }
}
