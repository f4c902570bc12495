//! `tulorekisteri validate [--schema-only] [--format text|json] [--lang fi|sv|en]
//! [--today YYYY-MM-DD] [--environment production|test] FILE...`
//!
//! Problems are written as they are found, so memory stays flat however
//! large the record: one `FILE:LINE:COLUMN: CODE: message (path)` line each,
//! or one JSON array of objects.

use crate::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use tulorekisteri::rules::{Date, Environment, Lang, RuleOptions};
use tulorekisteri::{validate_reader, Diagnostic, Options};

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

const AFTER_HELP: &str = "\
Text output: one line per problem, FILE:LINE:COLUMN: CODE: message (path).
JSON output: one array of objects with file, line, column, path, code, severity, message.
Schema messages are in English, rule messages in the language of --lang.
Exit status: 0 all valid, 1 a file has a problem, 2 usage or I/O error.";

/// Check records against the official schemas and the Register's rules
#[derive(clap::Args)]
#[command(args_override_self = true, after_help = AFTER_HELP)]
pub struct Args {
    /// Check the schemas only, not the Register's rules
    #[arg(long)]
    schema_only: bool,
    /// A line per problem, or a JSON array
    #[arg(long, value_name = "text|json", value_enum, default_value_t = Format::Text, hide_possible_values = true)]
    format: Format,
    /// Language of the rule messages
    #[arg(long, value_name = "fi|sv|en", default_value = "en", hide_possible_values = true,
          value_parser = one_of(&["fi", "sv", "en"], Lang::parse))]
    lang: Lang,
    /// Day the date rules count from [default: the local date]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
    today: Option<Date>,
    /// ProductionEnvironment must match it [default: not checked]
    #[arg(long, value_name = "production|test", hide_possible_values = true,
          value_parser = one_of(&["production", "test"], Environment::parse))]
    environment: Option<Environment>,
    /// Records to check ('-' for standard input); the root element selects the schema
    #[arg(value_name = "FILE", required = true)]
    files: Vec<String>,
}

/// A value of `names`, which help and errors list, read by `parse`.
fn one_of<T: Clone + Send + Sync + 'static>(
    names: &'static [&'static str],
    parse: fn(&str) -> Option<T>,
) -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(names.iter().copied()).try_map(move |name| parse(&name).ok_or("not a known name"))
}

fn date(v: &str) -> Result<Date, String> {
    Date::parse(v)
        .filter(|_| v.len() == 10)
        .ok_or_else(|| "expected a date YYYY-MM-DD".into())
}

pub fn run(args: Args) -> u8 {
    // The local date is taken when each validation starts, as by default.
    let mut rules = RuleOptions::default().lang(args.lang);
    rules.today = args.today;
    rules.environment = args.environment;
    let options = match args.schema_only {
        true => Options::default().schema_only(),
        false => Options::default().rules(rules),
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut status = EXIT_OK;
    let mut first = true;
    if args.format == Format::Json {
        let _ = out.write_all(b"[");
    }
    for file in &args.files {
        let mut write_err: Option<io::Error> = None;
        let mut emit = |d: Diagnostic| {
            let r = match args.format {
                Format::Text => writeln!(out, "{file}:{d}"),
                Format::Json => {
                    let sep = if first { "\n" } else { ",\n" };
                    first = false;
                    write!(out, "{sep}{}", d.to_json(Some(file)))
                }
            };
            if let Err(e) = r {
                write_err.get_or_insert(e);
            }
        };
        let result = if file == "-" {
            validate_reader(io::stdin().lock(), &options, &mut emit)
        } else {
            match File::open(file) {
                Ok(f) => validate_reader(f, &options, &mut emit),
                Err(e) => Err(e),
            }
        };
        if let Some(e) = write_err {
            eprintln!("tulorekisteri: writing output: {e}");
            return EXIT_USAGE;
        }
        match result {
            Ok(summary) if summary.is_valid() => {}
            Ok(_) => status = status.max(EXIT_INVALID),
            Err(e) => {
                eprintln!("tulorekisteri: {file}: {e}");
                status = EXIT_USAGE;
            }
        }
    }
    if args.format == Format::Json {
        let _ = out.write_all(if first { b"]\n" } else { b"\n]\n" });
    }
    if let Err(e) = out.flush() {
        eprintln!("tulorekisteri: writing output: {e}");
        return EXIT_USAGE;
    }
    status
}
