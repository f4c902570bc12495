//! One value between its JSON form and its XML text, by the built-in type
//! its schema type derives from.
//!
//! | XSD built-in | parsed as | accepted when building |
//! | --- | --- | --- |
//! | xs:int, xs:integer | number | number without fraction, or string |
//! | xs:boolean | `true` / `false` | boolean, or `"true"`, `"false"`, `"1"`, `"0"` |
//! | xs:decimal | string, as written (`"1500.00"`) so no cent is lost to floating point | number or string |
//! | every other (strings, dates, times, base64) | string | string; numbers and booleans too for string types |

use crate::schema::model::{Builtin, SimpleType};
use crate::validate::simple::normalize;
use crate::xml::chars::is_xml_char;
use serde_json::{Number, Value};

/// The XML text for the JSON value `v` of a field of type `ty`; `Ok(None)`
/// when the value means "absent" (`null` or an empty string). The text is not
/// checked against the type's facets here: validation of the whole record does
/// that, with the same diagnostics as for any document.
pub fn to_text(ty: &SimpleType, v: &Value) -> Result<Option<String>, String> {
    let b = ty.builtin;
    let text = match v {
        Value::Null => return Ok(None),
        Value::String(s) if s.is_empty() => return Ok(None),
        Value::String(s) => match b {
            Builtin::Boolean => match normalize(b, s).as_ref() {
                "1" | "true" => "true".to_string(),
                "0" | "false" => "false".to_string(),
                other => other.to_string(),
            },
            _ => normalize(b, s).into_owned(),
        },
        // Booleans also for string types such as irct:true (pattern `true`).
        Value::Bool(x) if matches!(b, Builtin::Boolean | Builtin::String | Builtin::NormalizedString) => x.to_string(),
        Value::Number(n) => match b {
            Builtin::Int | Builtin::Integer => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => i.to_string(),
                (_, Some(u)) => u.to_string(),
                _ => return Err(format!("expected a whole number ({}), found {n}", ty.name)),
            },
            Builtin::Decimal => decimal(n),
            Builtin::String | Builtin::NormalizedString | Builtin::Id | Builtin::AnyUri => n.to_string(),
            _ => return Err(format!("expected a string ({}), found the number {n}", ty.name)),
        },
        Value::Bool(x) => return Err(format!("expected {}, found the boolean {x}", what(b, ty))),
        Value::Array(_) => return Err(format!("expected one value ({}), found an array", ty.name)),
        Value::Object(_) => return Err(format!("expected a value ({}), found an object", ty.name)),
    };
    if let Some(c) = text.chars().find(|&c| !is_xml_char(c)) {
        return Err(format!("the character U+{:04X} cannot be written in XML", c as u32));
    }
    Ok(Some(text))
}

fn what(b: Builtin, ty: &SimpleType) -> String {
    match b {
        Builtin::Int | Builtin::Integer | Builtin::Decimal => format!("a number ({})", ty.name),
        _ => format!("a string ({})", ty.name),
    }
}

/// A JSON number as an xs:decimal: whole numbers without a fraction, others
/// in their shortest form (`12.5`). A float artefact such as
/// `0.30000000000000004` is written as it is and fails the two-decimal
/// pattern: amounts are never rounded silently.
fn decimal(n: &Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

/// The JSON value for the text of a field of type `ty` in a valid document.
pub fn from_text(ty: &SimpleType, raw: &str) -> Value {
    let v = normalize(ty.builtin, raw);
    match ty.builtin {
        Builtin::Int | Builtin::Integer => match v.trim_start_matches('+').parse::<i64>() {
            Ok(i) => Value::from(i),
            Err(_) => Value::String(v.into_owned()),
        },
        Builtin::Boolean => Value::Bool(matches!(v.as_ref(), "true" | "1")),
        _ => Value::String(v.into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SIMPLE_TYPES;
    use serde_json::json;

    fn ty(name: &str) -> &'static SimpleType {
        SIMPLE_TYPES.iter().find(|t| t.name == name).expect(name)
    }

    #[test]
    fn values_are_written_in_canonical_form() {
        let dec = ty("irct:decimal2");
        assert_eq!(to_text(dec, &json!(1500)).unwrap().unwrap(), "1500");
        assert_eq!(to_text(dec, &json!(1500.0)).unwrap().unwrap(), "1500");
        assert_eq!(to_text(dec, &json!(12.5)).unwrap().unwrap(), "12.5");
        assert_eq!(to_text(dec, &json!(0.1 + 0.2)).unwrap().unwrap(), "0.30000000000000004");
        assert_eq!(to_text(dec, &json!(" 12.50 ")).unwrap().unwrap(), "12.50");
        let int = ty("xs:int");
        assert_eq!(to_text(int, &json!(101)).unwrap().unwrap(), "101");
        assert!(to_text(int, &json!(1.5)).is_err());
        let boolean = ty("irct:trueOrFalse");
        assert_eq!(to_text(boolean, &json!(true)).unwrap().unwrap(), "true");
        assert_eq!(to_text(boolean, &json!("0")).unwrap().unwrap(), "false");
        let date = ty("xs:date");
        assert!(to_text(date, &json!(20240101)).is_err());
        assert_eq!(to_text(date, &json!(null)).unwrap(), None);
        assert_eq!(to_text(date, &json!("")).unwrap(), None);
        assert!(to_text(date, &json!(["2024-01-01"])).is_err());
        assert!(to_text(ty("xs:string"), &json!("a\u{1}b")).is_err());
    }

    #[test]
    fn values_are_read_by_type() {
        assert_eq!(from_text(ty("xs:int"), " 101 "), json!(101));
        assert_eq!(from_text(ty("irct:trueOrFalse"), "true"), json!(true));
        assert_eq!(from_text(ty("xs:boolean"), "0"), json!(false));
        assert_eq!(from_text(ty("irct:decimal2"), "1500.00"), json!("1500.00"));
        assert_eq!(from_text(ty("xs:date"), "2024-01-31"), json!("2024-01-31"));
    }
}
