//! Validation of Incomes Register records against the compiled schema set.
//!
//! ```
//! let xml = r#"<ire:Echo xmlns:ire="http://www.tulorekisteri.fi/2017/1/Echo"><Data>hi</Data></ire:Echo>"#;
//! let problems = tulorekisteri::validate_str(xml, &tulorekisteri::Options::default());
//! assert_eq!(problems.len(), 1); // the Echo record must be signed
//! assert_eq!(problems[0].code.as_str(), "schema-missing-element");
//! assert_eq!(problems[0].path, "/Echo");
//! ```

mod engine;
pub mod lexical;
pub mod simple;

pub use engine::Limits;

use crate::diagnostic::Diagnostic;
use std::io::{self, Read};

/// What to check, and the limits that bound memory on hostile input.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limits: Limits,
    /// Validate a record that is not signed yet (a draft, or a record about
    /// to be signed): a missing `ds:Signature` at the end of the root is then
    /// not an error. Every other problem is still reported.
    pub unsigned: bool,
    /// The Register's own processing rules, above the schema: `None` checks
    /// the schema only (the CLI's `--schema-only`).
    pub rules: Option<crate::rules::RuleOptions>,
}

/// Counts of what a validation run found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn is_valid(&self) -> bool {
        self.errors == 0
    }
}

/// Validates a document read from `input` in one streaming pass, handing each
/// problem to `sink` as soon as it is found. The root element selects the
/// schema. Only an I/O failure of `input` itself is an `Err`.
pub fn validate_reader<R: Read>(input: R, options: &Options, sink: &mut dyn FnMut(Diagnostic)) -> io::Result<Summary> {
    let mut walker = engine::Walker::new(options.limits, options.unsigned, options.rules.clone(), sink);
    // One instantiation of the engine for every kind of input: a read per
    // window refill is all the indirection costs.
    let mut input = input;
    walker.run(&mut input as &mut dyn Read)?;
    Ok(Summary {
        errors: walker.errors,
        warnings: walker.warnings,
    })
}

/// Validates a document held in memory and returns every problem.
pub fn validate_bytes(xml: &[u8], options: &Options) -> Vec<Diagnostic> {
    let mut out = vec![];
    // Reading from a slice cannot fail.
    let _ = validate_reader(xml, options, &mut |d| out.push(d));
    out
}

/// [`validate_bytes`] for a string.
pub fn validate_str(xml: &str, options: &Options) -> Vec<Diagnostic> {
    validate_bytes(xml.as_bytes(), options)
}
