//! Validation of Incomes Register records against the compiled schema set
//! and the Register's own rules.
//!
//! ```
//! use tulorekisteri::{validate_str, Options};
//! let xml = r#"<ire:Echo xmlns:ire="http://www.tulorekisteri.fi/2017/1/Echo"><Data>hi</Data></ire:Echo>"#;
//! let problems = validate_str(xml, &Options::default());
//! assert_eq!(problems.len(), 1); // the Echo record must be signed
//! assert_eq!(problems[0].code.as_str(), "schema-missing-element");
//! assert_eq!(problems[0].path, "/Echo");
//! assert!(validate_str(xml, &Options::default().unsigned(true)).is_empty());
//! ```

mod engine;
pub(crate) mod lexical;
pub(crate) mod simple;

pub use engine::Limits;

use crate::diagnostic::Diagnostic;
use crate::rules::RuleOptions;
use std::io::{self, Read};

/// What to check, and the limits that bound memory on hostile input.
///
/// The default is what the CLI and the npm package do by default: the
/// schema, then the Register's rules with English messages and today's
/// local date ([`RuleOptions::default`]), a signature required where the
/// schema requires one, and the default [`Limits`].
///
/// ```
/// use tulorekisteri::rules::{Lang, RuleOptions};
/// use tulorekisteri::Options;
/// let draft = Options::default().unsigned(true).rules(RuleOptions::default().lang(Lang::Sv));
/// let xsd_only = Options::default().schema_only();
/// assert!(draft.rules.is_some() && xsd_only.rules.is_none());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Bounds on depth and token sizes.
    pub limits: Limits,
    /// Validate a record that is not signed yet (a draft, or a record about
    /// to be signed): a missing `ds:Signature` at the end of the root is then
    /// not an error. Every other problem is still reported.
    pub unsigned: bool,
    /// The Register's own processing rules, above the schema: `None` checks
    /// the schema only (the CLI's `--schema-only`).
    pub rules: Option<RuleOptions>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limits: Limits::default(),
            unsigned: false,
            rules: Some(RuleOptions::default()),
        }
    }
}

impl Options {
    /// Checks the schema only, not the Register's rules.
    pub fn schema_only(mut self) -> Self {
        self.rules = None;
        self
    }

    /// Runs the Register's rules as `rules` says.
    pub fn rules(mut self, rules: RuleOptions) -> Self {
        self.rules = Some(rules);
        self
    }

    /// Whether a missing signature is accepted (see [`Options::unsigned`](#structfield.unsigned)).
    pub fn unsigned(mut self, unsigned: bool) -> Self {
        self.unsigned = unsigned;
        self
    }

    /// Other limits than the default.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// Counts of what a validation run found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Problems of severity error.
    pub errors: usize,
    /// Problems of severity warning (some of the Register's rules).
    pub warnings: usize,
}

impl Summary {
    /// No errors (warnings do not make a record invalid).
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
