//! XML to plain object: the document is validated first, so the walk that
//! follows only has to map what it meets onto the schema's shape.

use super::shape;
use super::value::from_text;
use crate::diagnostic::Diagnostic;
use crate::schema::model::{Content, ElementType};
use crate::schema::{COMPLEX_TYPES, ELEMENTS, ROOTS, SIMPLE_TYPES};
use crate::validate::{validate_bytes, Limits, Options};
use crate::xml::text::{decode_line_ends, decode_text};
use crate::xml::tokenizer::{Token, Tokenizer};
use serde_json::{Map, Value};
use std::io::Read;

/// Parses any Incomes Register record to `{ "RootName": { ...fields } }`.
/// A document with any error is not parsed: the problems validation found
/// are returned instead. `ds:Signature` and comments are left out, and a
/// missing signature is not an error here ([`Options::unsigned`]): checking
/// signatures is a separate step.
pub fn parse(xml: &[u8]) -> Result<Value, Vec<Diagnostic>> {
    let options = Options::default().schema_only().unsigned(true);
    parse_with(xml, &options)
}

/// [`parse`] with validation options, e.g. [`Options::unsigned`] for a
/// record that is not signed yet.
pub fn parse_with(xml: &[u8], options: &Options) -> Result<Value, Vec<Diagnostic>> {
    let problems = validate_bytes(xml, options);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(read_valid(xml))
}

/// [`parse`] for a reader: reads it whole first (parsing keeps the whole
/// object in memory anyway).
pub fn parse_reader<R: Read>(mut input: R) -> std::io::Result<Result<Value, Vec<Diagnostic>>> {
    let mut xml = vec![];
    input.read_to_end(&mut xml)?;
    Ok(parse(&xml))
}

enum Frame {
    Fields {
        ct: u16,
        map: Map<String, Value>,
    },
    Value {
        ty: u16,
        text: String,
    },
    /// An element that is not part of the object (the signature).
    Skipped,
}

/// One open element: its declaration (for the root, the root's) and frame.
struct Open {
    element: u16,
    repeats: bool,
    /// Whether the schema requires it (an empty one is then kept).
    required: bool,
    frame: Frame,
}

fn frame_for(element: u16) -> Frame {
    match ELEMENTS[element as usize].ty {
        ElementType::Simple(ty) => Frame::Value {
            ty,
            text: String::new(),
        },
        ElementType::Complex(ct) => match COMPLEX_TYPES[ct as usize].content {
            Content::Simple(ty) => Frame::Value {
                ty,
                text: String::new(),
            },
            Content::Elements { .. } => Frame::Fields { ct, map: Map::new() },
        },
    }
}

/// Builds the object of a document that validation accepted.
fn read_valid(xml: &[u8]) -> Value {
    // The validator's tokenizer type, so the module holds one copy of it.
    let mut xml = xml;
    let mut tokens = Tokenizer::new(&mut xml as &mut dyn Read, Limits::default().max_event_bytes as usize);
    tokens.keep_comments = false;
    let mut stack: Vec<Open> = vec![];
    // A valid document has no token errors.
    while let Ok((token, _)) = tokens.next_token() {
        match token {
            Token::Start {
                name, local_at, empty, ..
            } => {
                let local = &name[local_at..];
                let open = match stack.last() {
                    None => {
                        let root = ROOTS.iter().find(|r| ELEMENTS[r.element as usize].name == local);
                        let element = root.expect("a valid document has a known root").element;
                        Open {
                            element,
                            repeats: false,
                            required: true,
                            frame: frame_for(element),
                        }
                    }
                    Some(Open {
                        frame: Frame::Fields { ct, .. },
                        ..
                    }) => match shape::child(*ct, local) {
                        Some(child) if local_at == 0 => Open {
                            element: child.element,
                            repeats: child.repeats(),
                            required: child.min > 0,
                            frame: frame_for(child.element),
                        },
                        _ => Open {
                            element: 0,
                            repeats: false,
                            required: false,
                            frame: Frame::Skipped,
                        },
                    },
                    Some(_) => Open {
                        element: 0,
                        repeats: false,
                        required: false,
                        frame: Frame::Skipped,
                    },
                };
                stack.push(open);
                if empty {
                    if let Some(done) = close(&mut stack) {
                        return done;
                    }
                }
            }
            Token::End { .. } => {
                if let Some(done) = close(&mut stack) {
                    return done;
                }
            }
            Token::Text(raw) | Token::Space(raw) => {
                if let Some(Open {
                    frame: Frame::Value { text, .. },
                    ..
                }) = stack.last_mut()
                {
                    let _ = decode_text(raw, text);
                }
            }
            Token::CData(raw) => {
                if let Some(Open {
                    frame: Frame::Value { text, .. },
                    ..
                }) = stack.last_mut()
                {
                    let _ = decode_line_ends(raw, text);
                }
            }
            Token::Eof => break,
            _ => {}
        }
    }
    Value::Null
}

/// Closes the top element into its parent; returns the record at the root.
fn close(stack: &mut Vec<Open>) -> Option<Value> {
    let open = stack.pop()?;
    let value = match open.frame {
        Frame::Fields { map, .. } => Value::Object(map),
        Frame::Value { ty, text } => from_text(&SIMPLE_TYPES[ty as usize], &text),
        Frame::Skipped => return None,
    };
    // An element without content is absent from the object unless the
    // schema requires it or it is an array item (indexes stay as in the
    // document): the rule `build` follows the other way.
    let empty = match &value {
        Value::Object(m) => m.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    };
    if empty && !open.required && !open.repeats && !stack.is_empty() {
        return None;
    }
    let name = ELEMENTS[open.element as usize].name.to_string();
    match stack.last_mut() {
        None => {
            let mut record = Map::new();
            record.insert(name, value);
            Some(Value::Object(record))
        }
        Some(Open {
            frame: Frame::Fields { map, .. },
            ..
        }) => {
            if open.repeats {
                let items = map.entry(name).or_insert_with(|| Value::Array(vec![]));
                if let Value::Array(items) = items {
                    items.push(value);
                }
            } else {
                map.insert(name, value);
            }
            None
        }
        Some(_) => None,
    }
}
