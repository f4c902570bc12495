//! `tulorekisteri-shim cert new|renew|show`.

use super::exchange::CertError;
use super::obtain::{self, Installed, Transfer};
use crate::config::{CertificateFiles, Config};
use crate::exit;
use crate::operation::Purpose;
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;

/// `cert new|renew|show`
#[derive(Args, Debug)]
pub struct CertArgs {
    #[command(subcommand)]
    pub command: CertCommand,
}

/// The `cert` commands.
#[derive(Subcommand, Debug)]
pub enum CertCommand {
    /// Order a new certificate with a transfer ID and password: a new key pair, signNewCertificate, getCertificate
    New(NewArgs),
    /// Renew a certificate (from 60 days before it expires): a new key pair, renewCertificate signed with the current key
    Renew(RenewArgs),
    /// Each configured certificate's subject, issuer, validity and days left
    Show(ShowArgs),
}

/// `cert new --config FILE --customer-id ID --customer-name NAME --transfer-id ID --transfer-password-file F [--purpose P]`
#[derive(Args, Debug)]
pub struct NewArgs {
    /// The configuration: [certificate_service], and [certificates.<purpose>] naming where the key and certificate go
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// The organisation's business ID (the certificate's CN)
    #[arg(long, value_name = "ID")]
    pub customer_id: String,
    /// The organisation's name (the request's O)
    #[arg(long, value_name = "NAME")]
    pub customer_name: String,
    /// The transfer ID the Register gave
    #[arg(long, value_name = "ID")]
    pub transfer_id: String,
    /// A file whose first line is the transfer password
    #[arg(long, value_name = "FILE")]
    pub transfer_password_file: PathBuf,
    /// Which certificate of the configuration (default: the first configured)
    #[arg(long, value_name = "PURPOSE", value_parser = ["earnings", "benefits", "data"])]
    pub purpose: Option<String>,
}

/// `cert renew --config FILE [--purpose P]`
#[derive(Args, Debug)]
pub struct RenewArgs {
    /// The configuration
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Which certificate (default: the first configured)
    #[arg(long, value_name = "PURPOSE", value_parser = ["earnings", "benefits", "data"])]
    pub purpose: Option<String>,
}

/// `cert show --config FILE [--json]`
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The configuration
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

fn fail(m: &str, status: u8) -> u8 {
    eprintln!("tulorekisteri-shim cert: {m}");
    status
}

fn purpose_of(text: Option<&str>) -> Option<Purpose> {
    text.and_then(|t| Purpose::ALL.into_iter().find(|p| p.key() == t))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn days_left(not_after: i64) -> f64 {
    (not_after as f64 - crate::simulator::clock::now()) / 86_400.0
}

fn report(done: &str, installed: &Installed) {
    let c = &installed.certificate;
    println!(
        "{done} the {} certificate: {} (issuer {}), valid {} to {} ({:.0} days left)",
        installed.purpose.key(),
        c.subject,
        c.issuer,
        crate::client::request::timestamp(c.not_before),
        crate::client::request::timestamp(c.not_after),
        days_left(c.not_after)
    );
    println!("  key:         {}", installed.key.display());
    println!("  certificate: {}", installed.cert.display());
}

fn outcome(result: Result<Installed, CertError>, done: &str) -> u8 {
    match result {
        Ok(installed) => {
            report(done, &installed);
            exit::OK
        }
        Err(e) => fail(&e.to_string(), e.exit_status()),
    }
}

/// `cert new`.
pub fn new(a: NewArgs) -> u8 {
    let config = match Config::read(&a.config) {
        Ok(c) => c,
        Err(e) => return fail(&e.0, exit::USAGE),
    };
    let password = match std::fs::read_to_string(&a.transfer_password_file) {
        Ok(t) => t.lines().next().unwrap_or("").trim().to_string(),
        Err(e) => return fail(&format!("{}: {e}", a.transfer_password_file.display()), exit::USAGE),
    };
    if password.is_empty() {
        return fail(
            &format!("{}: no password on its first line", a.transfer_password_file.display()),
            exit::USAGE,
        );
    }
    let purpose = match obtain::purpose_or_first(&config, purpose_of(a.purpose.as_deref())) {
        Ok(p) => p,
        Err(e) => return fail(&e.to_string(), exit::USAGE),
    };
    let transfer = Transfer {
        id: a.transfer_id,
        password,
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => return fail(&e, exit::USAGE),
    };
    let result = rt.block_on(obtain::obtain_new(
        &config,
        purpose,
        &a.customer_id,
        &a.customer_name,
        &transfer,
    ));
    outcome(result, "Installed")
}

/// `cert renew`.
pub fn renew(a: RenewArgs) -> u8 {
    let config = match Config::read(&a.config) {
        Ok(c) => c,
        Err(e) => return fail(&e.0, exit::USAGE),
    };
    let purpose = match obtain::purpose_or_first(&config, purpose_of(a.purpose.as_deref())) {
        Ok(p) => p,
        Err(e) => return fail(&e.to_string(), exit::USAGE),
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => return fail(&e, exit::USAGE),
    };
    outcome(rt.block_on(obtain::renew(&config, purpose)), "Renewed")
}

/// `cert show`.
pub fn show(a: ShowArgs) -> u8 {
    let config = match Config::read(&a.config) {
        Ok(c) => c,
        Err(e) => return fail(&e.0, exit::USAGE),
    };
    let mut status = exit::OK;
    let mut list = vec![];
    for (purpose, files) in &config.certificates {
        // An interrupted installation is completed (or undone) first.
        if matches!(files, CertificateFiles::Pem { .. }) {
            if let Err(e) = obtain::pem_files(&config, *purpose) {
                eprintln!("tulorekisteri-shim cert: {e}");
                status = exit::USAGE;
                continue;
            }
        }
        match config.signer(Some(*purpose)) {
            Ok(signer) => {
                let c = signer.certificate();
                list.push(json!({
                    "purpose": purpose.key(),
                    "subject": c.subject,
                    "issuer": c.issuer,
                    "notBefore": crate::client::request::timestamp(c.not_before),
                    "notAfter": crate::client::request::timestamp(c.not_after),
                    "daysLeft": (days_left(c.not_after) * 10.0).floor() / 10.0,
                }));
            }
            Err(e) => {
                eprintln!("tulorekisteri-shim cert: {e}");
                status = exit::USAGE;
            }
        }
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
    } else {
        for c in &list {
            println!("{}", c["purpose"].as_str().unwrap_or(""));
            for (label, key) in [
                ("subject", "subject"),
                ("issuer", "issuer"),
                ("not before", "notBefore"),
                ("not after", "notAfter"),
            ] {
                println!("  {label:<11} {}", c[key].as_str().unwrap_or(""));
            }
            println!("  {:<11} {:.1}", "days left", c["daysLeft"].as_f64().unwrap_or(0.0));
        }
    }
    status
}

/// Runs a `cert` command.
pub fn run(a: CertArgs) -> u8 {
    match a.command {
        CertCommand::New(a) => new(a),
        CertCommand::Renew(a) => renew(a),
        CertCommand::Show(a) => show(a),
    }
}
