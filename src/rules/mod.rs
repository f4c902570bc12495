//! The Incomes Register's own processing rules, above the schema: what the
//! Register rejects although the XSD accepts it, as far as it can be checked
//! without the Register's data (the national registers, earlier versions of
//! a report). Each rule is in [`catalogue::RULES`] with its code, severity,
//! source section and messages in Finnish, Swedish and English.
//!
//! The validator runs the rules in the same streaming pass: it hands each
//! value the rules look at, and the end of each group they look at, to the
//! checker of the record's family, and reports what it finds at that
//! element, with its line, column and path.
//!
//! ```
//! use tulorekisteri::rules::{Date, Lang, RuleOptions};
//! let mut options = tulorekisteri::Options::default();
//! options.rules = Some(RuleOptions { lang: Lang::Fi, ..RuleOptions::new(Date::new(2024, 1, 31).unwrap()) });
//! ```

pub mod catalogue;
pub mod codes;
pub mod date;
pub mod docs;
pub mod ids;
#[rustfmt::skip]
mod code_lists;
#[rustfmt::skip]
mod income_types;
mod records;

pub use date::Date;

use crate::diagnostic::{Code, Severity};

/// The language of rule messages (schema messages are in English).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    Fi,
    Sv,
    #[default]
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "fi" => Some(Lang::Fi),
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Which of the Register's environments a record is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Production,
    Test,
}

impl Environment {
    pub fn parse(s: &str) -> Option<Environment> {
        match s {
            "production" => Some(Environment::Production),
            "test" => Some(Environment::Test),
            _ => None,
        }
    }
}

/// What the rules need from the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOptions {
    pub lang: Lang,
    /// The day the date rules count from (the CLI's default is today).
    pub today: Date,
    /// When given, `ProductionEnvironment` must match it.
    pub environment: Option<Environment>,
}

impl RuleOptions {
    pub fn new(today: Date) -> RuleOptions {
        RuleOptions {
            lang: Lang::default(),
            today,
            environment: None,
        }
    }
}

/// One broken rule, reported by the validator at the element being handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
}

impl Finding {
    fn new(code: Code, lang: Lang, args: &[&str]) -> Finding {
        let rule = catalogue::rule(code);
        let mut message = match lang {
            Lang::Fi => rule.fi,
            Lang::Sv => rule.sv,
            Lang::En => rule.en,
        }
        .to_string();
        for (i, a) in args.iter().enumerate() {
            message = message.replace(&format!("{{{i}}}"), a);
        }
        Finding {
            code,
            severity: rule.severity,
            message,
        }
    }
}

/// The rules of one record family, fed by the validator.
pub(crate) trait Checker {
    /// Whether the validator should hand over the values or ends of
    /// elements of declaration `el` (a lookup table, for speed).
    fn wants(&self, el: u16) -> bool;
    /// The start of complex element `el` (one it wants).
    fn open(&mut self, el: u16);
    /// A schema-valid value of element `el`, child of complex type `parent`.
    fn value(&mut self, parent: u16, el: u16, value: &str, out: &mut Vec<Finding>);
    /// The end of complex element `el`.
    fn close(&mut self, el: u16, out: &mut Vec<Finding>);
    /// A value of element `el` (child of `parent`) that the schema refused:
    /// given, but not handed over, so no rule should call it missing.
    fn invalid(&mut self, parent: u16, el: u16);
}

/// The checker for a record whose root element is declaration `root`, or
/// `None` for records without rules (queries, responses, echo).
pub(crate) fn checker_for(root: u16, options: &RuleOptions) -> Option<Box<dyn Checker>> {
    records::RecordChecker::new(root, options.clone()).map(|c| Box::new(c) as Box<dyn Checker>)
}
