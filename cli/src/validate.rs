//! `tulorekisteri validate [--schema-only] [--format text|json] [--lang fi|sv|en]
//! [--today YYYY-MM-DD] [--environment production|test] FILE...`
//!
//! Problems are written as they are found, so memory stays flat however
//! large the record: one `FILE:LINE:COLUMN: CODE: message (path)` line each,
//! or one JSON array of objects.

use super::{usage_error, ArgReader, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use tulorekisteri::rules::{Date, Environment, Lang, RuleOptions};
use tulorekisteri::{validate_reader, Diagnostic, Options};

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Text,
    Json,
}

struct Args {
    format: Format,
    files: Vec<String>,
    /// `None` with `--schema-only`.
    rules: Option<RuleOptions>,
}

fn parse_format(value: Option<&str>) -> Result<Format, String> {
    match value {
        Some("text") => Ok(Format::Text),
        Some("json") => Ok(Format::Json),
        Some(f) => Err(format!("unknown format {f:?} (text or json)")),
        None => Err("--format needs text or json".into()),
    }
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut format = Format::Text;
    let mut files = vec![];
    let mut schema_only = false;
    let mut rules = RuleOptions::new(super::today::local_today());
    let mut args = ArgReader::new(args);
    while let Some(name) = args.next_option(&mut files) {
        match name {
            "--schema-only" => schema_only = true,
            "--format" => format = parse_format(Some(&args.value(name, "text or json")?))?,
            "--lang" => {
                let v = args.value(name, "fi, sv or en")?;
                rules.lang = Lang::parse(&v).ok_or(format!("unknown language {v:?} (fi, sv or en)"))?;
            }
            "--today" => {
                let v = args.value(name, "a date YYYY-MM-DD")?;
                rules.today = Date::parse(&v)
                    .filter(|_| v.len() == 10)
                    .ok_or(format!("--today needs a date YYYY-MM-DD, not {v:?}"))?;
            }
            "--environment" => {
                let v = args.value(name, "production or test")?;
                rules.environment =
                    Some(Environment::parse(&v).ok_or(format!("unknown environment {v:?} (production or test)"))?);
            }
            s => return Err(format!("unknown option {s:?}")),
        }
    }
    if files.is_empty() {
        return Err("validate needs at least one FILE ('-' for standard input)".into());
    }
    Ok(Args {
        format,
        files,
        rules: (!schema_only).then_some(rules),
    })
}

pub fn run(args: &[String]) -> u8 {
    let args = match parse(args) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let options = Options {
        rules: args.rules.clone(),
        ..Options::default()
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
