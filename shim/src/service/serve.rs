//! `tulorekisteri-shim serve --config FILE`: checks the configuration
//! (certificates, key files' modes, the ledger), then runs the API and the
//! worker until SIGTERM or SIGINT, when it stops taking work, finishes
//! what is in flight and exits.

use super::api::Api;
use super::current::CurrentClient;
use super::intake::Sender;
use super::ledger::Ledger;
use super::live::Live;
use super::settings::ServiceSettings;
use super::worker::Worker;
use crate::client::Client;
use crate::config::{CertificateFiles, Config};
use crate::exit;
use clap::Args;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// `serve --config FILE`
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The configuration, with a [service] section
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Listen on this address instead of service.listen (port 0: any free
    /// port; the first line printed names it)
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
}

fn fail(m: &str) -> u8 {
    eprintln!("tulorekisteri-shim serve: {m}");
    exit::USAGE
}

/// A key file that others than its owner can read is refused.
fn private(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "{} can be read by others (mode {:o}): make it readable by its owner only (chmod 600)",
                path.display(),
                mode & 0o777
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn secrets(config: &Config, settings: &ServiceSettings) -> Vec<PathBuf> {
    let mut files = vec![];
    for (_, c) in &config.certificates {
        match c {
            CertificateFiles::Pem {
                key, passphrase_file, ..
            } => {
                files.push(key.clone());
                files.extend(passphrase_file.clone());
            }
            CertificateFiles::Pkcs12 { p12, password_file } => {
                files.push(p12.clone());
                files.push(password_file.clone());
            }
        }
    }
    files.extend(settings.tls.as_ref().map(|(_, k)| k.clone()));
    if let Some(s) = &config.sftp {
        files.push(s.key.clone());
        files.extend(s.passphrase_file.clone());
    }
    files
}

fn api_tls(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("service.tls_cert: {}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("service.tls_cert: {}: {e}", cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("service.tls_key: {}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("service.tls_cert and tls_key: {e}"))?;
    Ok(Arc::new(config))
}

/// Days each configured certificate has left; a warning for those inside
/// the warning window.
pub(super) fn certificate_days(client: &Client, settings: &ServiceSettings) -> Vec<(&'static str, f64)> {
    let now = super::ledger::now();
    let mut days = vec![];
    for purpose in crate::operation::Purpose::ALL {
        let Ok(signer) = client.signer(Some(purpose)) else {
            continue;
        };
        let left = (signer.certificate().not_after as f64 - now) / 86_400.0;
        if left * 86_400.0 < settings.certificate_warning.as_secs_f64() {
            eprintln!(
                "serve: warning: the {} certificate expires in {left:.0} days; renew it",
                purpose.key()
            );
        }
        days.push((purpose.key(), left));
    }
    days
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Runs `serve`.
pub fn serve(a: ServeArgs) -> u8 {
    let config = match Config::read(&a.config) {
        Ok(c) => c,
        Err(e) => return fail(&e.0),
    };
    let Some(mut settings) = config.service.clone() else {
        return fail(&format!(
            "{}: no [service] section (see docs/service.md)",
            config.path.display()
        ));
    };
    if let Some(listen) = a.listen {
        settings.listen = listen;
    }
    // A renewal killed mid-install is completed (or undone) first, as the
    // `cert` commands do, or the pair left could not be loaded.
    match crate::certificate::obtain::recover_all(&config) {
        Ok(changed) => {
            for p in changed {
                eprintln!(
                    "serve: recovered an interrupted installation of the {} certificate",
                    p.key()
                );
            }
        }
        Err(e) => return fail(&e.to_string()),
    }
    for file in secrets(&config, &settings) {
        if let Err(e) = private(&file) {
            return fail(&e);
        }
    }
    // A claim must outlast one whole request, or a slow answer could let
    // another instance take a record that is still in flight.
    let request = config.timeouts.connect + config.timeouts.read;
    if !settings.lease_given {
        settings.lease = (request * 2 + Duration::from_secs(10)).max(Duration::from_secs(60));
    }
    if settings.lease < request + Duration::from_secs(5) {
        return fail(&format!(
            "service.lease_seconds ({}) must be at least timeouts.connect_seconds + read_seconds + 5 ({})",
            settings.lease.as_secs_f64(),
            (request + Duration::from_secs(5)).as_secs_f64()
        ));
    }
    let client = match Client::new(&config) {
        Ok(c) => Arc::new(CurrentClient::new(c)),
        Err(e) => return fail(&e.0),
    };
    // Made whenever [sftp] is there: records sent over SFTP before are
    // followed there even when no payer's channel is sftp now.
    let sftp = match (settings.uses_sftp(), config.sftp.is_some()) {
        (false, false) => None,
        (uses, _) => match super::sftp_channel::SftpChannel::new(&config) {
            Ok(c) => Some(Arc::new(c)),
            Err(e) if uses => return fail(&format!("service.channel is sftp: {e}")),
            Err(e) => {
                eprintln!("serve: warning: [sftp] cannot be used: {e}");
                None
            }
        },
    };
    let first = client.get();
    let business_id = crate::operation::Purpose::ALL
        .iter()
        .find_map(|p| first.signer(Some(*p)).ok())
        .and_then(|s| crate::client::request::business_id(&s.certificate().subject))
        .unwrap_or_default();
    let tls = match &settings.tls {
        Some((cert, key)) => match api_tls(cert, key) {
            Ok(t) => Some(tokio_rustls::TlsAcceptor::from(t)),
            Err(e) => return fail(&e),
        },
        None => None,
    };
    let ledger = match Ledger::open(&settings.ledger, request.as_secs_f64()) {
        Ok(l) => Arc::new(l),
        Err(e) => return fail(&format!("service.ledger: {e}")),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&e.to_string()),
    };
    let live = Arc::new(Live::default());
    live.certificates(certificate_days(&client.get(), &settings));
    let stopping = Arc::new(AtomicBool::new(false));
    let wake = Arc::new(Notify::new());
    let instance = format!("{}-{}", std::process::id(), crate::service::random_hex(4));
    let api = Arc::new(Api {
        ledger: ledger.clone(),
        settings: settings.clone(),
        sender: Sender {
            business_id,
            production: client.get().production(),
            source: "tulorekisteri-shim".into(),
        },
        wake: wake.clone(),
        live: live.clone(),
        stopping: stopping.clone(),
    });
    let worker = Arc::new(Worker {
        ledger: ledger.clone(),
        client: client.clone(),
        settings: settings.clone(),
        instance,
        stopping: stopping.clone(),
        wake: wake.clone(),
        live: live.clone(),
        sftp,
    });
    let result: Result<(), String> = runtime.block_on(async move {
        let listener = TcpListener::bind(&settings.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        println!("listening on {scheme}://{addr}");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let working = tokio::spawn(worker.clone().run());
        let housekeeping = tokio::spawn(housekeeping(
            ledger.clone(),
            client.clone(),
            settings.clone(),
            live.clone(),
        ));
        tokio::spawn(super::renewal::run(
            config.path.clone(),
            client.clone(),
            settings.clone(),
            live.clone(),
        ));
        let stop = stop_signal();
        tokio::pin!(stop);
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = &mut stop => break,
            };
            let Ok((tcp, _)) = accepted else { continue };
            let (api, tls) = (api.clone(), tls.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| api.clone().respond(req));
                let http = hyper::server::conn::http1::Builder::new();
                match tls {
                    Some(acceptor) => {
                        if let Ok(Ok(stream)) =
                            tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
                        {
                            let _ = http.serve_connection(TokioIo::new(stream), service).await;
                        }
                    }
                    None => {
                        let _ = http.serve_connection(TokioIo::new(tcp), service).await;
                    }
                }
            });
        }
        eprintln!("serve: stopping: no new claims; finishing what is in flight");
        stopping.store(true, Ordering::SeqCst);
        wake.notify_waiters();
        let _ = working.await;
        housekeeping.abort();
        eprintln!("serve: stopped");
        Ok(())
    });
    match result {
        Ok(()) => exit::OK,
        Err(e) => fail(&e),
    }
}

/// Every hour: requests and answers past the retention time are
/// forgotten, and the certificates' days are counted again.
async fn housekeeping(ledger: Arc<Ledger>, client: Arc<CurrentClient>, settings: ServiceSettings, live: Arc<Live>) {
    loop {
        let before = super::ledger::now() - settings.retention.as_secs_f64();
        let l = ledger.clone();
        match tokio::task::spawn_blocking(move || l.prune(before)).await {
            Ok(Ok(n)) if n > 0 => eprintln!("serve: forgot {n} requests and answers past the retention time"),
            Ok(Err(e)) => eprintln!("serve: the ledger failed to prune: {e}"),
            _ => {}
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
        live.certificates(certificate_days(&client.get(), &settings));
    }
}
