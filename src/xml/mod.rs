//! The XML reading layer under the validator: positions, limits, and the XML
//! 1.0 rules quick-xml leaves to its caller.

pub mod chars;
pub mod tokenizer;
