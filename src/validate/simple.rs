//! Checks a value against a compiled simple type: whitespace facet, lexical
//! form, range, length, patterns and enumeration, in the order XSD applies them.

use super::lexical;
use crate::diagnostic::Code;
use crate::schema::model::{Builtin, Pattern, SimpleType};
use crate::xml::chars::{is_ncname, is_xml_space};
use crate::xml::text::shown;
use std::borrow::Cow;

/// A value problem: the code and an English message.
pub type ValueError = (Code, String);

/// The value after the type's whitespace facet: `preserve` for xs:string,
/// `replace` for normalizedString, `collapse` for every other built-in.
pub fn normalize(builtin: Builtin, raw: &str) -> Cow<'_, str> {
    match builtin {
        Builtin::String => Cow::Borrowed(raw),
        Builtin::NormalizedString => {
            if raw.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r')) {
                Cow::Owned(raw.replace(['\t', '\n', '\r'], " "))
            } else {
                Cow::Borrowed(raw)
            }
        }
        _ => {
            let trimmed = raw.trim_ascii();
            if trimmed.bytes().any(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
                Cow::Owned(
                    trimmed
                        .split(is_xml_space)
                        .filter(|p| !p.is_empty())
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            } else {
                Cow::Borrowed(trimmed)
            }
        }
    }
}

fn lexical_ok(builtin: Builtin, v: &str) -> Result<(), ValueError> {
    let (ok, what) = match builtin {
        Builtin::String | Builtin::NormalizedString | Builtin::AnyUri => (true, ""),
        Builtin::Int => {
            return match lexical::parse_int(v) {
                Ok(_) => Ok(()),
                Err(true) => Err((
                    Code::SchemaRange,
                    format!(
                        "expected an xs:int between -2147483648 and 2147483647, found {}",
                        shown(v)
                    ),
                )),
                Err(false) => Err((
                    Code::SchemaType,
                    format!("expected an integer (xs:int), found {}", shown(v)),
                )),
            }
        }
        Builtin::Integer => (lexical::is_integer(v), "an integer (xs:integer)"),
        Builtin::Decimal => (lexical::is_decimal(v), "a decimal number such as 1234.50"),
        Builtin::Boolean => (lexical::is_boolean(v), "true or false"),
        Builtin::Date => (lexical::is_date(v), "a date YYYY-MM-DD"),
        Builtin::DateTime => (
            lexical::is_date_time(v),
            "a date and time YYYY-MM-DDThh:mm:ss with a time zone",
        ),
        Builtin::Time => (lexical::is_time(v), "a time hh:mm:ss"),
        Builtin::Base64Binary => (lexical::is_base64(v), "base64 data"),
        Builtin::Id => (is_ncname(v), "an XML name (xs:ID)"),
    };
    if ok {
        Ok(())
    } else {
        Err((Code::SchemaType, format!("expected {what}, found {}", shown(v))))
    }
}

fn pattern_matches(p: Pattern, v: &str) -> bool {
    match p {
        Pattern::Literal(lit) => v == lit,
        Pattern::Hex32 => v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()),
        Pattern::Decimal13_2 => {
            let u = v.strip_prefix(['+', '-']).unwrap_or(v);
            let (int, frac) = match u.split_once('.') {
                Some((i, f)) => (i, Some(f)),
                None => (u, None),
            };
            let digits = |s: &str, max: usize| (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
            digits(int, 13) && frac.is_none_or(|f| digits(f, 2))
        }
    }
}

fn describe(p: Pattern) -> String {
    match p {
        Pattern::Literal(lit) => lit.to_string(),
        Pattern::Hex32 => "32 hexadecimal digits".into(),
        Pattern::Decimal13_2 => "at most 13 digits and 2 decimals".into(),
    }
}

fn enumeration_ok(ty: &SimpleType, v: &str) -> bool {
    match ty.builtin {
        // Compare in the value space: "01" is the int 1.
        Builtin::Int | Builtin::Integer => {
            let value = lexical::parse_int(v).ok();
            ty.enumeration.iter().any(|e| lexical::parse_int(e).ok() == value)
        }
        _ => ty.enumeration.contains(&v),
    }
}

/// Checks `raw` (text after XML end-of-line handling and reference expansion).
pub fn check(ty: &SimpleType, raw: &str) -> Result<(), ValueError> {
    check_normalized(ty, raw).map(|_| ())
}

/// Checks `raw` and returns its value after whitespace normalisation (what
/// the rules look at), so that it is normalised once.
pub fn check_normalized<'a>(ty: &SimpleType, raw: &'a str) -> Result<Cow<'a, str>, ValueError> {
    let normalized = normalize(ty.builtin, raw);
    let v = normalized.as_ref();
    lexical_ok(ty.builtin, v)?;
    if ty.min_length.is_some() || ty.max_length.is_some() {
        let n = if v.is_ascii() { v.len() } else { v.chars().count() } as u32;
        let min = ty.min_length.unwrap_or(0);
        let max = ty.max_length.unwrap_or(u32::MAX);
        if n < min || n > max {
            let wanted = match (ty.min_length, ty.max_length) {
                (Some(a), Some(b)) if a == b => format!("exactly {a}"),
                (Some(a), Some(b)) => format!("{a} to {b}"),
                (Some(a), None) => format!("at least {a}"),
                (None, _) => format!("at most {max}"),
            };
            return Err((
                Code::SchemaLength,
                format!("{} takes {wanted} characters, found {n}: {}", ty.name, shown(v)),
            ));
        }
    }
    for group in ty.patterns {
        if !group.iter().any(|&p| pattern_matches(p, v)) {
            let wanted: Vec<String> = group.iter().map(|&p| describe(p)).collect();
            return Err((
                Code::SchemaPattern,
                format!("{} expects {}, found {}", ty.name, wanted.join(" or "), shown(v)),
            ));
        }
    }
    if !ty.enumeration.is_empty() && !enumeration_ok(ty, v) {
        return Err((
            Code::SchemaEnumeration,
            format!("{} allows {}, found {}", ty.name, ty.enumeration.join(", "), shown(v)),
        ));
    }
    Ok(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEC2: SimpleType = SimpleType {
        name: "irct:decimal2",
        builtin: Builtin::Decimal,
        min_length: None,
        max_length: None,
        patterns: &[&[Pattern::Decimal13_2]],
        enumeration: &[],
    };

    #[test]
    fn decimal2() {
        assert!(check(&DEC2, " 1234.50\n").is_ok());
        assert!(check(&DEC2, "-0.5").is_ok());
        assert_eq!(check(&DEC2, "1.234").unwrap_err().0, Code::SchemaPattern);
        assert_eq!(check(&DEC2, "12345678901234").unwrap_err().0, Code::SchemaPattern);
        assert_eq!(check(&DEC2, ".5").unwrap_err().0, Code::SchemaPattern);
        assert_eq!(check(&DEC2, "1e3").unwrap_err().0, Code::SchemaType);
    }

    #[test]
    fn lengths_count_characters() {
        let t = SimpleType {
            name: "irct:String2",
            builtin: Builtin::String,
            min_length: Some(2),
            max_length: Some(2),
            patterns: &[],
            enumeration: &[],
        };
        assert!(check(&t, "ÄÖ").is_ok());
        assert_eq!(check(&t, "ÄÖÅ").unwrap_err().0, Code::SchemaLength);
        assert_eq!(check(&t, " FI").unwrap_err().0, Code::SchemaLength);
    }

    #[test]
    fn int_enumeration_by_value() {
        let t = SimpleType {
            name: "irct:MonthsType",
            builtin: Builtin::Int,
            min_length: None,
            max_length: None,
            patterns: &[],
            enumeration: &["1", "12"],
        };
        assert!(check(&t, "012").is_ok());
        assert!(check(&t, " +1 ").is_ok());
        assert_eq!(check(&t, "13").unwrap_err().0, Code::SchemaEnumeration);
    }
}
