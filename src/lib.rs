//! Build, parse, validate, canonicalise, sign and verify Finnish Incomes
//! Register (Tulorekisteri) XML records.
//!
//! The official XML schemas are compiled into static tables, and a
//! streaming validator walks a document once against them and the
//! Register's own processing rules, reporting every problem with its line,
//! column, element path and a stable [`Code`]. The same tables build any
//! record from a JSON object and parse any record back to one.
//!
//! ```
//! use tulorekisteri::{build, parse, validate_str, Options};
//! use serde_json::json;
//!
//! let record = json!({ "Echo": { "Data": "hello" } });
//! let xml = build(&record).unwrap();
//! // Echo must be signed: a draft is checked before it is.
//! assert_eq!(validate_str(&xml, &Options::default())[0].code.as_str(), "schema-missing-element");
//! assert!(validate_str(&xml, &Options::default().unsigned(true)).is_empty());
//! assert_eq!(parse(xml.as_bytes()).unwrap(), record);
//! ```
//!
//! # Records as JSON objects
//!
//! [`build`] and [`parse`] use the object shape of the CLI's `build` and
//! `parse` and of the npm package: one key, the root element's name,
//! holding the root's children; field names are the schema's element names;
//! an element that may repeat is an array; key order does not matter (the
//! schema gives the order). The object is a [`serde_json::Value`], on
//! purpose: it is the Rust ecosystem's JSON vocabulary, and the same object
//! travels between a payroll system, the CLI and a browser. (The `typed`
//! feature adds structs for every record.)
//!
//! | XSD built-in | parsed as | accepted when building |
//! | --- | --- | --- |
//! | xs:int, xs:integer | number | number without fraction, or string |
//! | xs:boolean | `true` / `false` | boolean, or `"true"`, `"false"`, `"1"`, `"0"` |
//! | xs:decimal | string, as written (`"1500.00"`), so no cent is lost to floating point | number or string |
//! | every other (strings, dates, times, base64) | string | string; numbers and booleans too for string types |
//!
//! `null`, `""` and `{}` mean "absent" unless the schema requires the
//! element. `ds:Signature` is never part of the object: building leaves it
//! out, also where the schema requires one (the output is valid with
//! [`Options::unsigned`], and is signed next), and parsing leaves it out.
//!
//! ```
//! use serde_json::json;
//! let wrong = json!({ "Echo": { "Data": "hello", "Date": "2024-01-01" } });
//! let problems = tulorekisteri::build(&wrong).unwrap_err();
//! assert_eq!(problems[0].code.as_str(), "build-field");
//! assert_eq!(problems[0].path, "Date"); // an object path: `A.B[2].C`
//! ```
//!
//! # Features
//!
//! - `signature` (default): [`signature`], signing records with the
//!   organisation's certificate and verifying signed records and the
//!   Register's responses (RSA, X.509, PEM and PKCS#12 key stores). Native
//!   builds only. Without it (`default-features = false`) nothing of the
//!   cryptography is compiled.
//! - `typed`: typed record structs with serde, for every record.
//!
//! # Stability
//!
//! [`Code`], [`Diagnostic`], [`Options`] and the error and outcome types are
//! `#[non_exhaustive]`: codes and fields may be added in a minor release.
//! Modules and items marked `#[doc(hidden)]` serve the project's own tools
//! and tests and are not part of the API.

#![warn(missing_docs)]

mod diagnostic;
pub mod feedback;
mod record;
pub mod rules;
pub mod schema;
#[cfg(all(feature = "signature", not(target_arch = "wasm32")))]
pub mod signature;
#[cfg(feature = "typed")]
pub mod typed;
mod validate;
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;
mod xml;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use feedback::{read_feedback, DeliveryStatus, Feedback};
pub use record::{build, parse, parse_reader, parse_with};
pub use validate::{validate_bytes, validate_reader, validate_str, Limits, Options, Summary};

/// XML canonicalisation (exclusive and inclusive Canonical XML 1.0), as
/// XML signatures digest a record: byte for byte what `xmllint --exc-c14n`
/// and `xmllint --c14n` write.
///
/// ```
/// use tulorekisteri::c14n::{canonicalize, Comments, Method, Selection};
/// let xml = r#"<?xml version="1.0"?><r:A xmlns:r="urn:r" xmlns:u="urn:unused"><B  b='1'/></r:A>"#;
/// let c14n = canonicalize(xml.as_bytes(), Method::Exclusive, Selection::Document, Comments::Omit).unwrap();
/// assert_eq!(c14n, br#"<r:A xmlns:r="urn:r"><B b="1"></B></r:A>"#);
/// ```
pub mod c14n {
    pub use crate::xml::c14n::{canonicalize, canonicalize_to, C14nError, Canonical, Comments, Method, Selection};
}

/// What the project's own tools and tests use beyond the API (the generators
/// of `cargo xtask generate`, the tokenizer benchmark). Not part of the API:
/// it may change in any release.
#[doc(hidden)]
pub mod internal {
    pub use crate::record::{rust_types, typescript};
    pub use crate::xml::tokenizer;
}
