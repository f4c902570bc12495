//! The XML reading layer under the validator: a tokenizer over a bounded
//! window, the lines and columns it reports, and the XML 1.0 character rules.

pub mod c14n;
pub mod chars;
pub mod checks;
mod positions;
pub mod text;
// Internal: reached from outside only through `internal` (the tokenizer benchmark).
#[allow(missing_docs)]
pub mod tokenizer;
