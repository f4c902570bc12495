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
//! [`Options::default`](crate::Options::default) runs them, with English
//! messages and today's local date; choose otherwise with [`RuleOptions`]:
//!
//! ```
//! use tulorekisteri::rules::{Date, Lang, RuleOptions};
//! use tulorekisteri::Options;
//! let rules = RuleOptions::default().lang(Lang::Fi).today(Date::new(2024, 1, 31).unwrap());
//! let options = Options::default().rules(rules);
//! let problems = tulorekisteri::validate_str("<not-a-record/>", &options);
//! assert_eq!(problems[0].code.as_str(), "schema-root");
//! ```

pub mod catalogue;
#[doc(hidden)]
pub mod codes;
mod date;
#[doc(hidden)]
pub mod docs;
pub(crate) mod ids;
// Generated tables, documented where they are read (`codes`).
#[rustfmt::skip]
#[allow(missing_docs)]
mod code_lists;
#[rustfmt::skip]
#[allow(missing_docs)]
mod income_types;
mod records;

pub use date::Date;

use crate::diagnostic::{Code, Severity};

/// The language of rule messages (schema messages are in English).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Lang {
    /// Finnish.
    Fi,
    /// Swedish.
    Sv,
    /// English, the default.
    #[default]
    En,
}

impl Lang {
    /// `"fi"`, `"sv"` or `"en"`, as the CLI's `--lang` and npm's `lang` take it.
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
#[non_exhaustive]
pub enum Environment {
    /// The production environment: `ProductionEnvironment` is `true`.
    Production,
    /// The test environment: `ProductionEnvironment` is `false`.
    Test,
}

impl Environment {
    /// `"production"` or `"test"`, as the CLI's `--environment` takes it.
    pub fn parse(s: &str) -> Option<Environment> {
        match s {
            "production" => Some(Environment::Production),
            "test" => Some(Environment::Test),
            _ => None,
        }
    }
}

/// How the rules run: the language of their messages, the day the date
/// rules count from, and the environment `ProductionEnvironment` must name.
///
/// The default is what the CLI and the npm package do: English messages,
/// today's local date (taken when each validation starts), any environment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RuleOptions {
    /// The language of the rules' messages.
    pub lang: Lang,
    /// The day the date rules count from; `None`: the local date when the
    /// validation starts ([`Date::today`]).
    pub today: Option<Date>,
    /// When given, `ProductionEnvironment` must match it.
    pub environment: Option<Environment>,
}

impl RuleOptions {
    /// Messages in `lang`.
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// Date rules count from `today` instead of the local date.
    pub fn today(mut self, today: Date) -> Self {
        self.today = Some(today);
        self
    }

    /// `ProductionEnvironment` must name `environment`.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }
}

/// One broken rule, reported by the validator at the element being handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
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
