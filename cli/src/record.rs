//! `tulorekisteri build INPUT.json [-o OUT.xml]` and `tulorekisteri parse FILE.xml`.
//!
//! The output (XML or JSON) goes to standard output or to `-o`; problems go
//! to standard error, one `FILE: CODE: message (path)` line each (with
//! `:LINE:COLUMN` after FILE when they point into an XML document).
//! An output file is written whole or not at all.

use super::{usage_error, Arg, ArgReader, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use std::io::{self, Read, Write};
use std::path::Path;
use tulorekisteri::{Code, Diagnostic};

struct Args {
    input: String,
    output: Option<String>,
}

fn parse_args(command: &str, args: &[String], allow_output: bool) -> Result<Args, String> {
    let (mut input, mut output) = (None, None);
    let mut args = ArgReader::new(args);
    while let Some(arg) = args.next() {
        match arg {
            Arg::Option(name @ ("-o" | "--output")) if allow_output => output = Some(args.value(name, "a file name")?),
            Arg::Option(s) => return Err(format!("unknown option {s:?}")),
            Arg::Operand(_) if input.is_some() => return Err(format!("{command} takes one input file")),
            Arg::Operand(file) => input = Some(file.clone()),
        }
    }
    let input = input.ok_or_else(|| format!("{command} needs an input file ('-' for standard input)"))?;
    Ok(Args { input, output })
}

pub(super) fn read_input(name: &str) -> io::Result<Vec<u8>> {
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

pub(super) fn emit(output: Option<&str>, bytes: &[u8]) -> u8 {
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

/// Reads the arguments and the input; `Err` is the exit status.
fn start(command: &str, args: &[String], allow_output: bool) -> Result<(Args, Vec<u8>), u8> {
    let args = parse_args(command, args, allow_output).map_err(|e| usage_error(&e))?;
    match read_input(&args.input) {
        Ok(bytes) => Ok((args, bytes)),
        Err(e) => {
            eprintln!("tulorekisteri: {}: {e}", args.input);
            Err(EXIT_USAGE)
        }
    }
}

pub fn build(args: &[String]) -> u8 {
    let (args, bytes) = match start("build", args, true) {
        Ok(x) => x,
        Err(status) => return status,
    };
    let object: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            let d = Diagnostic {
                line: e.line() as u64,
                column: e.column() as u64,
                path: String::new(),
                code: Code::BuildJson,
                severity: tulorekisteri::Severity::Error,
                message: format!("not JSON: {e}"),
            };
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

pub fn parse(args: &[String]) -> u8 {
    let (args, bytes) = match start("parse", args, false) {
        Ok(x) => x,
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
