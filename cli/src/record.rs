//! `tulorekisteri build INPUT.json [-o OUT.xml]` and `tulorekisteri parse FILE.xml`.
//!
//! The output (XML or JSON) goes to standard output or to `-o`; problems go
//! to standard error, one `FILE: CODE: message (path)` line each (with
//! `:LINE:COLUMN` after FILE when they point into an XML document).
//! An output file is written whole or not at all.

use crate::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use std::io::{self, Read, Write};
use std::path::Path;
use tulorekisteri::{Code, Diagnostic};

const AFTER_HELP: &str = "\
Problems go to standard error, one line each: FILE: CODE: message (path), with
FILE:LINE:COLUMN when they point into an XML document.
Exit status: 0 all valid, 1 a file has a problem, 2 usage or I/O error.";

/// Write the XML of the record a JSON object describes
#[derive(clap::Args)]
#[command(args_override_self = true, after_help = AFTER_HELP)]
pub struct BuildArgs {
    /// The JSON object, in the shape parse writes ('-' for standard input)
    #[arg(value_name = "INPUT.json")]
    input: String,
    /// Write the XML here, whole or not at all [default: standard output]
    #[arg(short, long, value_name = "OUT.xml")]
    output: Option<String>,
}

/// Write a record as JSON (the shape build takes)
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct ParseArgs {
    /// Any record ('-' for standard input)
    #[arg(value_name = "FILE.xml")]
    input: String,
}

fn read_input(name: &str) -> io::Result<Vec<u8>> {
    let mut bytes = vec![];
    if name == "-" {
        io::stdin().lock().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(name)?;
    }
    Ok(bytes)
}

fn report(file: &str, problems: &[Diagnostic]) {
    for d in problems {
        let at = if d.line > 0 {
            format!("{file}:{}:{}", d.line, d.column)
        } else {
            file.to_string()
        };
        let path = if d.path.is_empty() {
            String::new()
        } else {
            format!(" ({})", d.path)
        };
        eprintln!("{at}: {}: {}{path}", d.code, d.message);
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so
/// a failure never leaves a half-written file behind.
fn write_whole(path: &str, bytes: &[u8]) -> io::Result<()> {
    let target = Path::new(path);
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target.file_name().ok_or_else(|| io::Error::other("not a file name"))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, target));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub(crate) fn emit(output: Option<&str>, bytes: &[u8]) -> u8 {
    let result = match output {
        Some(path) if path != "-" => write_whole(path, bytes),
        _ => io::stdout().lock().write_all(bytes),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("tulorekisteri: writing {}: {e}", output.unwrap_or("standard output"));
            EXIT_USAGE
        }
    }
}

/// The bytes of `input`; `Err` is the exit status, the error reported.
pub(crate) fn read_or_report(input: &str) -> Result<Vec<u8>, u8> {
    read_input(input).map_err(|e| {
        eprintln!("tulorekisteri: {input}: {e}");
        EXIT_USAGE
    })
}

pub fn build(args: BuildArgs) -> u8 {
    let bytes = match read_or_report(&args.input) {
        Ok(b) => b,
        Err(status) => return status,
    };
    let object: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            let mut d = Diagnostic::new(
                Code::BuildJson,
                tulorekisteri::Severity::Error,
                format!("not JSON: {e}"),
            );
            (d.line, d.column) = (e.line() as u64, e.column() as u64);
            report(&args.input, &[d]);
            return EXIT_INVALID;
        }
    };
    match tulorekisteri::build(&object) {
        Ok(xml) => emit(args.output.as_deref(), xml.as_bytes()),
        Err(problems) => {
            report(&args.input, &problems);
            EXIT_INVALID
        }
    }
}

pub fn parse(args: ParseArgs) -> u8 {
    let bytes = match read_or_report(&args.input) {
        Ok(b) => b,
        Err(status) => return status,
    };
    match tulorekisteri::parse(&bytes) {
        Ok(object) => {
            let mut json = serde_json::to_string_pretty(&object).expect("a JSON value serialises");
            json.push('\n');
            emit(None, json.as_bytes())
        }
        Err(problems) => {
            report(&args.input, &problems);
            EXIT_INVALID
        }
    }
}
