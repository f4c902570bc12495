//! The `tulorekisteri` command-line tool: one module per command, each with
//! its clap arguments, and the exit-status contract they share: 0 when
//! everything is valid, 1 when any input has a problem, 2 for usage or I/O
//! errors. A repeated option's last value wins (`args_override_self`), as it
//! did before clap.

mod record;
mod validate;
// Signatures are native only (the library's `signature` module).
#[cfg(not(target_arch = "wasm32"))]
mod sign;
#[cfg(not(target_arch = "wasm32"))]
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

pub const EXIT_OK: u8 = 0;
pub const EXIT_INVALID: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

const AFTER_HELP: &str = "\
'-' reads standard input; problems of build and parse go to standard error.
Exit status: 0 all valid, 1 a file has a problem, 2 usage or I/O error.
'tulorekisteri help COMMAND' tells a command's options.";

/// Validate, build, parse, sign and verify Finnish Incomes Register
/// (Tulorekisteri) XML records.
#[derive(Parser)]
// No command is a usage error like any other, not the whole help.
#[command(name = "tulorekisteri", version, after_help = AFTER_HELP, arg_required_else_help = false)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Validate(validate::Args),
    Build(record::BuildArgs),
    Parse(record::ParseArgs),
    #[cfg(not(target_arch = "wasm32"))]
    Sign(sign::Args),
    #[cfg(not(target_arch = "wasm32"))]
    Verify(verify::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and --version go to standard output with status 0, usage
            // errors to standard error with status 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    ExitCode::from(match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Build(args) => record::build(args),
        Command::Parse(args) => record::parse(args),
        #[cfg(not(target_arch = "wasm32"))]
        Command::Sign(args) => sign::run(args),
        #[cfg(not(target_arch = "wasm32"))]
        Command::Verify(args) => verify::run(args),
    })
}
