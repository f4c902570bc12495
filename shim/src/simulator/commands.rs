//! The simulator's commands: `init`, `serve`, `state`, `faults`, `transfer`,
//! `distribute`.
use super::clock::now;
use super::faults::Faults;
use super::{certificates, distribution, journal, pki, server};
use crate::exit;
use clap::Args;
use std::path::PathBuf;

/// `simulator init DIR [--listen 127.0.0.1:8443] [--business-id 1234567-1] [--api-listen 127.0.0.1:8080]`
#[derive(Args, Debug)]
pub struct InitArgs {
    /// Where to write the PKI, the state and shim.toml
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The address the simulator will serve on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    pub listen: String,
    /// The organisation's business ID (in its certificates' subject)
    #[arg(long, value_name = "ID", default_value = "1234567-1")]
    pub business_id: String,
    /// The address the service's API (`serve --config DIR/shim.toml`) will listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub api_listen: String,
    /// The address the simulator's SFTP server will listen on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8022")]
    pub sftp_listen: String,
    /// How long the organisation's certificates are valid, in days (fewer
    /// than 60: inside the renewal window at once)
    #[arg(long, value_name = "N", default_value_t = 730)]
    pub certificate_days: u32,
}

/// `simulator serve DIR [--processing-seconds N] [--fault KIND=PROBABILITY]...`
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The folder `simulator init` made
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// How long a deferred record stays "processing" (status 2)
    #[arg(long, value_name = "N", default_value_t = 0.0)]
    pub processing_seconds: f64,
    /// A fault and its probability (0 to 1), e.g. reset-after-store=0.2; repeatable
    #[arg(long = "fault", value_name = "KIND=PROBABILITY")]
    pub faults: Vec<String>,
    /// How long the slow-response fault waits before answering
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub slow_seconds: f64,
    /// Serve on another address than the one `init` wrote (port 0: any free
    /// port; the first line printed names it). shim.toml keeps init's.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Also distribute to the subscribers every N seconds, as `simulator
    /// distribute` does (0: only when that command runs)
    #[arg(long, value_name = "N", default_value_t = 0.0)]
    pub distribute_seconds: f64,
    /// Serve SFTP on another address than the one `init` wrote (port 0: any
    /// free port; the second line printed names it).
    #[arg(long, value_name = "ADDR")]
    pub sftp_listen: Option<String>,
    /// How long the certificates the certificate service issues are valid, in days
    #[arg(long, value_name = "N", default_value_t = 730)]
    pub certificate_days: u32,
    /// How long after signNewCertificate or renewCertificate getCertificate has the certificate
    #[arg(long, value_name = "SECONDS", default_value_t = 0.5)]
    pub certificate_ready_seconds: f64,
    /// How long a renewed certificate's predecessor is still accepted once
    /// the new one was fetched (work already signed with it)
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub revoke_grace_seconds: f64,
}

/// `simulator transfer DIR --customer-id ID [--purpose earnings]`
#[derive(Args, Debug)]
pub struct TransferArgs {
    /// The folder `simulator init` made
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The customer (business ID) the certificate is for
    #[arg(long, value_name = "ID")]
    pub customer_id: String,
    /// What the certificate will be accepted for
    #[arg(long, value_name = "PURPOSE", default_value = "earnings", value_parser = ["earnings", "benefits", "data"])]
    pub purpose: String,
}

/// `simulator distribute DIR`: writes, for every valid subscription, what
/// is new since the last distribution to DIR/sftp/<subscriber>/data/.
#[derive(Args, Debug)]
pub struct DistributeArgs {
    /// The folder the simulator serves from
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// `simulator state DIR`
#[derive(Args, Debug)]
pub struct StateArgs {
    /// The folder the simulator serves from
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// `simulator faults DIR [KIND=PROBABILITY]...`: switches the faults of a
/// running simulator (none given: all off).
#[derive(Args, Debug)]
pub struct FaultsArgs {
    /// The folder the simulator serves from
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The faults from now on, e.g. http-503=0.5 status-lag=10
    #[arg(value_name = "KIND=PROBABILITY")]
    pub faults: Vec<String>,
}

fn fail(m: &str) -> u8 {
    eprintln!("tulorekisteri-shim simulator: {m}");
    exit::USAGE
}

pub fn init(a: InitArgs) -> u8 {
    let written = match pki::init(
        &a.dir,
        &a.listen,
        &a.business_id,
        &a.api_listen,
        &a.sftp_listen,
        a.certificate_days,
    ) {
        Ok(w) => w,
        Err(e) => return fail(&e),
    };
    println!(
        "Made a simulator of the Incomes Register in {} for business ID {}, to serve on https://{}/20170526 and SFTP on {}:",
        a.dir.display(),
        a.business_id,
        a.listen,
        a.sftp_listen
    );
    let width = written.iter().map(|w| w.path.len()).max().unwrap_or(0);
    for w in &written {
        println!("  {:width$}  {}", w.path, w.what);
    }
    println!("Keys, PKCS#12 stores, their passwords and the API token are readable by their owner only (mode 0600).");
    println!("Start it:  tulorekisteri-shim simulator serve {}", a.dir.display());
    println!(
        "Use it:    tulorekisteri-shim echo --config {}",
        a.dir.join("shim.toml").display()
    );
    println!(
        "Service:   tulorekisteri-shim serve --config {} (API on {}, bearer token in {})",
        a.dir.join("shim.toml").display(),
        a.api_listen,
        a.dir.join("api-token").display()
    );
    exit::OK
}

pub fn serve(a: ServeArgs) -> u8 {
    let faults = match Faults::parse(&a.faults) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    if !(a.processing_seconds.is_finite() && a.processing_seconds >= 0.0) {
        return fail("--processing-seconds must be 0 or more");
    }
    if !(a.slow_seconds.is_finite() && a.slow_seconds >= 0.0) {
        return fail("--slow-seconds must be 0 or more");
    }
    if a.certificate_days == 0 {
        return fail("--certificate-days must be at least 1");
    }
    for (name, v) in [
        ("--certificate-ready-seconds", a.certificate_ready_seconds),
        ("--revoke-grace-seconds", a.revoke_grace_seconds),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return fail(&format!("{name} must be 0 or more"));
        }
    }
    if let Err(e) = pki::Settings::read(&a.dir) {
        return fail(&e);
    }
    if let Err(e) = faults.write(&a.dir) {
        return fail(&e);
    }
    eprintln!("faults: {}", faults.describe());
    if !(a.distribute_seconds.is_finite() && a.distribute_seconds >= 0.0) {
        return fail("--distribute-seconds must be 0 or more");
    }
    if a.distribute_seconds > 0.0 {
        distribute_every(a.dir.clone(), a.distribute_seconds);
    }
    let options = server::Options {
        dir: a.dir,
        processing_seconds: a.processing_seconds,
        slow_seconds: a.slow_seconds,
        listen: a.listen,
        sftp_listen: a.sftp_listen,
        certificates: certificates::Options {
            certificate_days: a.certificate_days,
            ready_seconds: a.certificate_ready_seconds,
            revoke_grace_seconds: a.revoke_grace_seconds,
        },
    };
    match server::run(options, faults) {
        Ok(()) => exit::OK,
        Err(e) => fail(&e),
    }
}

pub fn state(a: StateArgs) -> u8 {
    match journal::load(&a.dir) {
        Ok(loaded) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&loaded.state.view(now())).unwrap_or_default()
            );
            exit::OK
        }
        Err(e) => fail(&e),
    }
}

pub fn faults(a: FaultsArgs) -> u8 {
    let faults = match Faults::parse(&a.faults) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    if !a.dir.join("simulator.json").exists() {
        return fail(&format!(
            "{} holds no simulator (make it with `simulator init`)",
            a.dir.display()
        ));
    }
    match faults.write(&a.dir) {
        Ok(()) => {
            println!("faults from now on: {}", faults.describe());
            exit::OK
        }
        Err(e) => fail(&e),
    }
}

/// One distribution run over what `dir` holds now: the documents written
/// and the notes, one line each.
fn distribute_once(dir: &std::path::Path) -> Result<Vec<String>, String> {
    let signer = distribution::responder(dir)?;
    let run = distribution::distribute_held(dir, &signer, now)?;
    let mut lines: Vec<String> = run
        .written
        .iter()
        .map(|w| {
            format!(
                "wrote {} ({}, {} item(s), subscription {}/{})",
                w.path.display(),
                w.root,
                w.items,
                w.main_subscription_id,
                w.subscription_id
            )
        })
        .collect();
    lines.extend(run.notes.iter().map(|n| format!("not distributed: {n}")));
    Ok(lines)
}

/// `serve --distribute-seconds N`: a run every N seconds beside the server
/// (it reads the state as `simulator state` does).
fn distribute_every(dir: PathBuf, seconds: f64) {
    std::thread::spawn(move || loop {
        std::thread::sleep(std::time::Duration::from_secs_f64(seconds));
        match distribute_once(&dir) {
            Ok(lines) => {
                for l in lines.iter().filter(|l| l.starts_with("wrote")) {
                    eprintln!("{} distribution: {l}", super::clock::date_time(now()));
                }
            }
            Err(e) => eprintln!("{} distribution failed: {e}", super::clock::date_time(now())),
        }
    });
}

pub fn distribute(a: DistributeArgs) -> u8 {
    if !a.dir.join("simulator.json").exists() {
        return fail(&format!(
            "{} holds no simulator (make it with `simulator init`)",
            a.dir.display()
        ));
    }
    match distribute_once(&a.dir) {
        Ok(lines) => {
            if lines.is_empty() {
                println!("nothing new to distribute");
            }
            for l in lines {
                println!("{l}");
            }
            exit::OK
        }
        Err(e) => fail(&e),
    }
}

pub fn transfer(a: TransferArgs) -> u8 {
    let purpose = crate::operation::Purpose::ALL
        .into_iter()
        .find(|p| p.key() == a.purpose)
        .unwrap_or(crate::operation::Purpose::Earnings);
    match certificates::transfer(&a.dir, &a.customer_id, purpose) {
        Ok((id, password_file)) => {
            println!("transfer id: {id}");
            println!("password file: {}", password_file.display());
            eprintln!(
                "Valid once, for {}'s {} certificate: tulorekisteri-shim cert new --config FILE --customer-id {} --customer-name NAME --transfer-id {id} --transfer-password-file {}",
                a.customer_id,
                purpose.key(),
                a.customer_id,
                password_file.display()
            );
            exit::OK
        }
        Err(e) => fail(&e),
    }
}
