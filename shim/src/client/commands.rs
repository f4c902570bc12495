//! The client's commands: `send`, `status`, `echo` and `query`. The fate
//! of a record goes to standard output, progress and problems to standard
//! error; the exit status is one of [`crate::exit`]. A configuration error
//! is reported before anything is sent.

use super::poll::{Followed, Step};
use super::report::{self, Items, Unanswered};
use super::{Client, Outcome, PrepareError, Prepared, StatusQuery};
use crate::config::Config;
use crate::exit;
use crate::operation::Kind;
use clap::Args;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tulorekisteri::{DeliveryStatus, Feedback};

/// `send --config FILE [--wait SECONDS] RECORD`
#[derive(Args, Debug)]
pub struct SendArgs {
    /// The configuration file
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Follow a deferred record's feedback at most this long
    #[arg(long, value_name = "SECONDS")]
    pub wait: Option<u64>,
    /// The record, unsigned: XML, or JSON as `tulorekisteri build` takes ('-' for standard input)
    #[arg(value_name = "RECORD")]
    pub record: PathBuf,
}

/// `status --config FILE --type N (--delivery-id ID | --ir-delivery-id ID)`
#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("id").required(true).multiple(true).args(["delivery_id", "ir_delivery_id"]))]
pub struct StatusArgs {
    /// The configuration file
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// The record's DeliveryDataType (100-112)
    #[arg(long = "type", value_name = "N")]
    pub delivery_data_type: i64,
    /// The record's DeliveryId
    #[arg(long, value_name = "ID")]
    pub delivery_id: Option<String>,
    /// The Register's IRDeliveryId of the record
    #[arg(long, value_name = "ID")]
    pub ir_delivery_id: Option<String>,
}

/// `echo --config FILE [TEXT]`
#[derive(Args, Debug)]
pub struct EchoArgs {
    /// The configuration file
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// 1 to 10 characters to echo
    #[arg(value_name = "TEXT", default_value = "ping")]
    pub text: String,
}

/// `query --config FILE REQUEST`
#[derive(Args, Debug)]
pub struct QueryArgs {
    /// The configuration file
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// The query, a DataRequestToIR record, unsigned (XML or JSON)
    #[arg(value_name = "REQUEST")]
    pub request: PathBuf,
}

/// Progress and problems, on standard error.
macro_rules! say {
    ($($t:tt)*) => { eprintln!("tulorekisteri-shim: {}", format_args!($($t)*)) };
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The client of the configuration `path`; `Err` is the exit status, the
/// error reported.
fn load(path: &Path) -> Result<Client, u8> {
    let client = Config::read(path).and_then(|c| Client::new(&c));
    client.map_err(|e| {
        say!("{e}");
        exit::USAGE
    })
}

/// The bytes of `path` ('-': standard input).
fn read_input(path: &Path) -> Result<Vec<u8>, u8> {
    let mut bytes = vec![];
    let read = match path.as_os_str() == "-" {
        true => io::stdin().lock().read_to_end(&mut bytes).map(|_| ()),
        false => std::fs::read(path).map(|b| bytes = b),
    };
    read.map(|_| bytes).map_err(|e| {
        say!("{}: {e}", path.display());
        exit::USAGE
    })
}

/// Reports why a record was not prepared: the local checks' problems
/// (`invalid` is the exit status then), or another error (usage).
fn not_prepared(file: &str, e: PrepareError, invalid: u8) -> u8 {
    match e {
        PrepareError::Invalid(problems) => {
            let _ = report::diagnostics(&mut io::stderr().lock(), file, &problems);
            let errors = problems
                .iter()
                .filter(|d| d.severity == tulorekisteri::Severity::Error)
                .count();
            let errors = match errors {
                1 => "1 error".to_string(),
                n => format!("{n} errors"),
            };
            match invalid {
                // A record of the user's: its fate.
                exit::REJECTED => println!("record {file}: rejected by the local checks ({errors}), nothing was sent"),
                _ => say!("{file}: not valid ({errors}), nothing was sent"),
            }
            invalid
        }
        e => {
            say!("{file}: {e}");
            exit::USAGE
        }
    }
}

/// The command that asks about a record.
fn status_command(config: &Path, delivery_data_type: Option<i64>, delivery_id: Option<&str>) -> String {
    let mut s = format!("tulorekisteri-shim status --config {}", config.display());
    if let Some(t) = delivery_data_type {
        s += &format!(" --type {t}");
    }
    if let Some(id) = delivery_id {
        s += &format!(" --delivery-id {id}");
    }
    s
}

pub fn send(args: SendArgs) -> u8 {
    let client = match load(&args.config) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let input = match read_input(&args.record) {
        Ok(b) => b,
        Err(status) => return status,
    };
    let file = args.record.display().to_string();
    let prepared = match client.prepare(&input) {
        Ok(p) => p,
        Err(e) => return not_prepared(&file, e, exit::REJECTED),
    };
    let operation = prepared.operation();
    if !matches!(operation.kind, Kind::RealTime | Kind::Deferred) {
        let instead = match operation.kind {
            Kind::Status => "use `status`",
            Kind::Echo => "use `echo`",
            _ => "use `query`",
        };
        say!("{file}: {} is not a record to send: {instead}", operation.request);
        return exit::USAGE;
    }
    let _ = report::diagnostics(&mut io::stderr().lock(), &file, prepared.warnings());
    let wait = args.wait.map(Duration::from_secs);
    let status = runtime().block_on(send_and_follow(&client, &prepared, wait, &args.config));
    let _ = io::stdout().flush();
    status
}

/// What is printed of a record: its name, what its items are, their ids,
/// and the command that asks about it.
struct Subject<'a> {
    name: String,
    kind: Items,
    ids: &'a [Option<String>],
    ask: String,
}

/// Sends a record, follows it if it is still processing, and prints the
/// fate of its reports and of itself.
async fn send_and_follow(client: &Client, prepared: &Prepared, wait: Option<Duration>, config: &Path) -> u8 {
    let operation = prepared.operation();
    let (id, ddt) = (prepared.delivery_id(), prepared.delivery_data_type());
    let subject = Subject {
        name: report::record_name(id, None, ddt),
        kind: Items::of_root(operation.request),
        ids: prepared.items(),
        ask: status_command(config, ddt, id),
    };
    let name = &subject.name;
    say!("{}: sending {name}", operation.name);
    let outcome = client.send(prepared).await;
    let receipt = match &outcome {
        Outcome::Delivered(a) if a.status() == Some(DeliveryStatus::Processing) => a.feedback.clone(),
        _ => None,
    };
    let Some(receipt) = receipt else {
        return print_sent(&mut io::stdout().lock(), &subject, &outcome).unwrap_or(exit::PENDING);
    };
    let ir = receipt.ir_delivery_id.as_deref();
    say!(
        "{name}: received, status 2 (processing){}",
        ir.map(|ir| format!(", IRDeliveryId {ir}")).unwrap_or_default()
    );
    let mut observe = |step: Step<'_>| match step {
        Step::Waiting(due) => say!(
            "{name}: asking for its status {} s after the receipt",
            due.as_secs_f64()
        ),
        Step::Answered(outcome) => say!("{name}: status request {}", outcome.summary()),
    };
    let followed = client.follow_with(prepared, &receipt, wait, &mut observe).await;
    print_followed(&mut io::stdout().lock(), &subject, &receipt, followed).unwrap_or(exit::PENDING)
}

/// The fate of a record sent, from the answer to the send.
fn print_sent(out: &mut dyn Write, s: &Subject<'_>, outcome: &Outcome) -> io::Result<u8> {
    let name = &s.name;
    match outcome {
        Outcome::Delivered(answer) => {
            let feedback = answer.feedback.as_ref().expect("a send's answer has feedback");
            report::items(out, s.kind, s.ids, Some(feedback), Unanswered::Unknown)?;
            report::record(out, name, feedback)?;
            Ok(report::exit_status(feedback))
        }
        Outcome::Rejected { reason, feedback, .. } => {
            report::items(out, s.kind, s.ids, feedback.as_ref(), Unanswered::Rejected)?;
            match feedback {
                Some(f) => report::record(out, name, f)?,
                None => writeln!(out, "{name}: rejected: {reason}")?,
            }
            Ok(exit::REJECTED)
        }
        Outcome::NotSent { reason } => {
            report::items(out, s.kind, s.ids, None, Unanswered::NotSent)?;
            if let Some(f) = outcome.feedback() {
                report::record(out, name, f)?;
            }
            writeln!(
                out,
                "{name}: not sent ({reason}): nothing reached the Register; safe to send again"
            )?;
            Ok(exit::PENDING)
        }
        Outcome::Uncertain { reason } => {
            report::items(out, s.kind, s.ids, None, Unanswered::Unknown)?;
            writeln!(
                out,
                "{name}: uncertain ({reason}): it may have arrived; ask before sending it again: {}",
                s.ask
            )?;
            Ok(exit::PENDING)
        }
    }
}

/// The fate of a record followed after its receipt.
fn print_followed(out: &mut dyn Write, s: &Subject<'_>, receipt: &Feedback, followed: Followed) -> io::Result<u8> {
    let name = &s.name;
    match followed {
        Followed::Final(f) => {
            report::items(out, s.kind, s.ids, Some(&f), Unanswered::Unknown)?;
            report::record(out, name, &f)?;
            Ok(report::exit_status(&f))
        }
        Followed::GaveUp { last, failure, asked } => {
            let current = last.as_ref().unwrap_or(receipt);
            report::items(out, s.kind, s.ids, Some(current), Unanswered::Processing)?;
            report::record(out, name, current)?;
            if let Some(failure) = failure {
                writeln!(out, "{name}: the last status request: {failure}")?;
            }
            writeln!(
                out,
                "{name}: not final yet after {asked} status requests; ask again later: {}",
                s.ask
            )?;
            Ok(exit::PENDING)
        }
        Followed::CannotAsk(e) => {
            report::items(out, s.kind, s.ids, Some(receipt), Unanswered::Processing)?;
            report::record(out, name, receipt)?;
            writeln!(out, "{name}: not final yet; its status cannot be asked: {e}")?;
            Ok(exit::PENDING)
        }
    }
}

pub fn status(args: StatusArgs) -> u8 {
    let client = match load(&args.config) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let ddt = args.delivery_data_type;
    let mut query = StatusQuery::new(ddt);
    if let Some(id) = &args.delivery_id {
        query = query.delivery_id(id.clone());
    }
    if let Some(ir) = &args.ir_delivery_id {
        query = query.ir_delivery_id(ir.clone());
    }
    let prepared = match client.prepare_status(&query) {
        Ok(p) => p,
        Err(e) => return not_prepared("the status request", e, exit::USAGE),
    };
    let name = report::record_name(args.delivery_id.as_deref(), args.ir_delivery_id.as_deref(), Some(ddt));
    say!("GetDeliveryDataStatus: asking about {name}");
    let outcome = runtime().block_on(client.send(&prepared));
    let mut out = io::stdout().lock();
    let printed = (|| -> io::Result<u8> {
        match &outcome {
            Outcome::Delivered(answer) => {
                let f = answer.feedback.as_ref().expect("a status answer has feedback");
                report::items(&mut out, Items::of_type(ddt), &[], Some(f), Unanswered::Unknown)?;
                report::record(&mut out, &name, f)?;
                if f.status == DeliveryStatus::Unknown {
                    writeln!(
                        out,
                        "{name}: not found (yet): the Register has no such record, or has not received it yet \
                         (a record rejected at reception cannot be asked about)"
                    )?;
                }
                Ok(report::exit_status(f))
            }
            other => {
                writeln!(out, "{name}: the status request was {other}")?;
                Ok(report::exit_of(other))
            }
        }
    })();
    printed.unwrap_or(exit::PENDING)
}

pub fn echo(args: EchoArgs) -> u8 {
    let client = match load(&args.config) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let outcome = match runtime().block_on(client.echo(&args.text)) {
        Ok(o) => o,
        Err(e) => return not_prepared("the Echo", e, exit::USAGE),
    };
    match &outcome {
        Outcome::Delivered(answer) => {
            println!(
                "echo: the Register answered {:?}, signed by {}",
                args.text, answer.signer.subject
            );
            exit::OK
        }
        other => {
            println!("echo: {other}");
            report::exit_of(other)
        }
    }
}

pub fn query(args: QueryArgs) -> u8 {
    let client = match load(&args.config) {
        Ok(c) => c,
        Err(status) => return status,
    };
    let input = match read_input(&args.request) {
        Ok(b) => b,
        Err(status) => return status,
    };
    let file = args.request.display().to_string();
    let prepared = match client.prepare(&input) {
        Ok(p) if p.operation().kind == Kind::Query => p,
        Ok(p) => {
            say!(
                "{file}: {} is not a query (a DataRequestToIR record)",
                p.operation().request
            );
            return exit::USAGE;
        }
        Err(e) => return not_prepared(&file, e, exit::REJECTED),
    };
    let _ = report::diagnostics(&mut io::stderr().lock(), &file, prepared.warnings());
    say!("{}: sending the query", prepared.operation().name);
    match runtime().block_on(client.send(&prepared)) {
        Outcome::Delivered(answer) => {
            let mut json = serde_json::to_string_pretty(&answer.to_json()).expect("a JSON value serialises");
            json.push('\n');
            match io::stdout().lock().write_all(json.as_bytes()) {
                Ok(()) => exit::OK,
                Err(e) => {
                    say!("writing standard output: {e}");
                    exit::USAGE
                }
            }
        }
        other => {
            say!("{}: {other}", prepared.operation().name);
            report::exit_of(&other)
        }
    }
}
