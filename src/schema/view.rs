//! A read-only view of the compiled schema set: every record's element tree
//! with its fields, value types and facets, in the object shape that
//! [`build`](crate::build) takes. For generating forms, documentation or
//! types from the same tables the validator uses.

use super::model::{Builtin, Content, ElementType, Pattern, UNBOUNDED};
use super::{COMPLEX_TYPES, ELEMENTS, NAMESPACES, ROOTS, SIMPLE_TYPES};

/// Every record root element (29 in the 2022 schema package), in table order.
///
/// ```
/// use tulorekisteri::schema::{self, Shape};
/// let root = schema::root("WageReportsRequestToIR").unwrap();
/// let Shape::Group { type_name, fields } = root.shape() else { unreachable!() };
/// assert_eq!(type_name, "wrtirt:WageReportsToIR");
/// assert_eq!(fields[0].element.name(), "DeliveryData");
/// ```
pub fn roots() -> impl Iterator<Item = Element> {
    ROOTS.iter().map(|r| Element(r.element))
}

/// The record root element named `name`, if there is one.
pub fn root(name: &str) -> Option<Element> {
    roots().find(|e| e.name() == name)
}

/// An element declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Element(u16);

/// What an element holds: other elements (an object in the object shape)
/// or a value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Shape {
    /// Child elements. `fields` are the unqualified ones in schema order (a
    /// record's `ds:Signature` is not a field).
    Group {
        /// The complex type's name as the schema writes it (`wrtirt:Report`).
        type_name: &'static str,
        /// The children, in schema order.
        fields: Vec<Field>,
    },
    /// A value of this type.
    Value(ValueType),
}

/// A child element of a group: a field of its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Field {
    /// The child's declaration.
    pub element: Element,
    /// How often it must occur (0 when optional or one of a choice).
    pub min: u32,
    /// How often it may occur; `None` for no limit.
    pub max: Option<u32>,
}

impl Field {
    /// Whether it may occur more than once: an array in the object shape.
    pub fn repeats(&self) -> bool {
        self.max != Some(0) && self.max != Some(1)
    }
}

impl Element {
    /// The element's local name.
    pub fn name(self) -> &'static str {
        ELEMENTS[self.0 as usize].name
    }

    /// Its namespace (`""` for the unqualified elements below a root).
    pub fn namespace(self) -> &'static str {
        NAMESPACES[ELEMENTS[self.0 as usize].ns as usize]
    }

    /// Its children or its value type.
    pub fn shape(self) -> Shape {
        let simple = |st: u16| Shape::Value(ValueType(st));
        match ELEMENTS[self.0 as usize].ty {
            ElementType::Simple(st) => simple(st),
            ElementType::Complex(ct) => match COMPLEX_TYPES[ct as usize].content {
                Content::Simple(st) => simple(st),
                Content::Elements { children, .. } => Shape::Group {
                    type_name: COMPLEX_TYPES[ct as usize].name,
                    fields: children
                        .iter()
                        .filter(|c| ELEMENTS[c.element as usize].ns == 0)
                        .map(|c| Field {
                            element: Element(c.element),
                            min: c.min,
                            max: (c.max != UNBOUNDED).then_some(c.max),
                        })
                        .collect(),
                },
            },
        }
    }
}

/// The kind of value a simple type holds, and so its JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueKind {
    /// Text (xs:string, xs:normalizedString, xs:anyURI, xs:ID); a JSON string.
    Text,
    /// A whole number (xs:int, xs:integer); a JSON number.
    Integer,
    /// An amount (xs:decimal); a JSON string as written, so no cent is lost.
    Decimal,
    /// `true` or `false`; a JSON boolean.
    Boolean,
    /// A date `YYYY-MM-DD`.
    Date,
    /// A date and time `YYYY-MM-DDThh:mm:ss`, with an optional fraction and zone.
    DateTime,
    /// A time `hh:mm:ss`.
    Time,
    /// Base64 data.
    Base64,
}

/// A simple type with its facets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ValueType(u16);

impl ValueType {
    /// The type's name as the schema writes it (`irct:String70`).
    pub fn name(self) -> &'static str {
        SIMPLE_TYPES[self.0 as usize].name
    }

    /// What kind of value it is.
    pub fn kind(self) -> ValueKind {
        match SIMPLE_TYPES[self.0 as usize].builtin {
            Builtin::String | Builtin::NormalizedString | Builtin::AnyUri | Builtin::Id => ValueKind::Text,
            Builtin::Int | Builtin::Integer => ValueKind::Integer,
            Builtin::Decimal => ValueKind::Decimal,
            Builtin::Boolean => ValueKind::Boolean,
            Builtin::Date => ValueKind::Date,
            Builtin::DateTime => ValueKind::DateTime,
            Builtin::Time => ValueKind::Time,
            Builtin::Base64Binary => ValueKind::Base64,
        }
    }

    /// The least number of characters, if limited.
    pub fn min_length(self) -> Option<u32> {
        SIMPLE_TYPES[self.0 as usize].min_length
    }

    /// The most characters, if limited.
    pub fn max_length(self) -> Option<u32> {
        SIMPLE_TYPES[self.0 as usize].max_length
    }

    /// The allowed values in their lexical form; empty when any value of the
    /// kind is allowed.
    pub fn allowed_values(self) -> &'static [&'static str] {
        SIMPLE_TYPES[self.0 as usize].enumeration
    }

    /// The patterns a value must match, one regular expression (XSD syntax)
    /// per derivation step; alternatives of one step are joined by `|`.
    pub fn patterns(self) -> Vec<String> {
        SIMPLE_TYPES[self.0 as usize]
            .patterns
            .iter()
            .map(|step| step.iter().map(pattern_text).collect::<Vec<_>>().join("|"))
            .collect()
    }
}

fn pattern_text(p: &Pattern) -> String {
    match p {
        Pattern::Decimal13_2 => r"[+-]?\d{1,13}(\.\d{1,2})?".into(),
        Pattern::Hex32 => "[0-9a-fA-F]{32}".into(),
        Pattern::Literal(text) => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of every record reaches a value: the view covers the
    /// whole tree, and its arrays agree with the tables.
    #[test]
    fn every_record_tree_ends_in_values() {
        let mut seen = std::collections::HashSet::new();
        let mut stack: Vec<Element> = roots().collect();
        assert_eq!(stack.len(), 29);
        let (mut groups, mut values) = (0, 0);
        while let Some(e) = stack.pop() {
            if !seen.insert(e) {
                continue;
            }
            match e.shape() {
                Shape::Group { fields, .. } => {
                    groups += 1;
                    stack.extend(fields.iter().map(|f| f.element));
                }
                Shape::Value(v) => {
                    values += 1;
                    assert!(!v.name().is_empty());
                }
            }
        }
        assert!(groups > 100 && values > 150, "{groups} groups, {values} values");
        // An amount is a decimal with the two-decimals pattern.
        let amounts: Vec<_> = seen
            .iter()
            .filter(|e| e.name() == "Amount")
            .map(|e| e.shape())
            .collect();
        assert!(amounts.iter().any(|s| matches!(s, Shape::Value(v)
            if v.kind() == ValueKind::Decimal && v.patterns() == [r"[+-]?\d{1,13}(\.\d{1,2})?"])));
    }
}
