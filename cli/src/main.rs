//! The `tulorekisteri` command-line tool.

#[path = "mod.rs"]
mod cli;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::ExitCode::from(cli::run(&args))
}
