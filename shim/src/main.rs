//! The `tulorekisteri-shim` command: send records to the Incomes Register
//! and follow them, or run a local simulator of the Register.

use clap::{Args, Parser, Subcommand};
use std::process::ExitCode;
use tulorekisteri_shim::{certificate, client, exit, fetch, service, simulator};

#[derive(Parser)]
#[command(
    name = "tulorekisteri-shim",
    version,
    about = "Send Incomes Register records over mutual TLS and follow their feedback; a local simulator of the Register",
    after_help = "Exit status: 0 final and stored, 1 rejected, 2 usage, configuration or input error (nothing sent),\n3 not final yet or uncertain (the output names the DeliveryId to ask about)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate, sign and send a record; follow a deferred one's feedback
    Send(client::commands::SendArgs),
    /// Ask for the processing feedback of a record sent earlier
    Status(client::commands::StatusArgs),
    /// Send an Echo: is the Register there, and does it accept our certificate?
    Echo(client::commands::EchoArgs),
    /// Send a query (a DataRequestToIR record); print the answer as JSON
    Query(client::commands::QueryArgs),
    /// Order, renew and show the organisation's certificates (the Register's certificate service)
    Cert(certificate::commands::CertArgs),
    /// Fetch the data of your subscriptions over SFTP: verify each new file, write it as JSON
    Fetch(fetch::FetchArgs),
    /// Run the submission service: an HTTP API for approved reports, and the worker that sends them
    Serve(service::serve::ServeArgs),
    /// A local simulator of the Incomes Register, for tests and demos
    Simulator(SimulatorArgs),
}

#[derive(Args)]
struct SimulatorArgs {
    #[command(subcommand)]
    command: SimulatorCommand,
}

#[derive(Subcommand)]
enum SimulatorCommand {
    /// Make a test PKI and a ready client configuration (DIR/shim.toml)
    Init(simulator::commands::InitArgs),
    /// Serve the Register's Web Service operations over HTTPS
    Serve(simulator::commands::ServeArgs),
    /// Print what the simulator holds, as JSON
    State(simulator::commands::StateArgs),
    /// Switch faults of a running simulator
    Faults(simulator::commands::FaultsArgs),
    /// Issue a transfer ID and password (valid once) for the certificate service's signNewCertificate
    Transfer(simulator::commands::TransferArgs),
    /// Write the data subscribers get (WageReportsFromIR etc.) to DIR/sftp/<subscriber>/data/
    Distribute(simulator::commands::DistributeArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit::USAGE } else { exit::OK });
        }
    };
    let status = match cli.command {
        Command::Send(a) => client::commands::send(a),
        Command::Status(a) => client::commands::status(a),
        Command::Echo(a) => client::commands::echo(a),
        Command::Query(a) => client::commands::query(a),
        Command::Cert(a) => certificate::commands::run(a),
        Command::Fetch(a) => fetch::fetch(a),
        Command::Serve(a) => service::serve::serve(a),
        Command::Simulator(s) => match s.command {
            SimulatorCommand::Init(a) => simulator::commands::init(a),
            SimulatorCommand::Serve(a) => simulator::commands::serve(a),
            SimulatorCommand::State(a) => simulator::commands::state(a),
            SimulatorCommand::Faults(a) => simulator::commands::faults(a),
            SimulatorCommand::Transfer(a) => simulator::commands::transfer(a),
            SimulatorCommand::Distribute(a) => simulator::commands::distribute(a),
        },
    };
    ExitCode::from(status)
}
