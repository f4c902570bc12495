//! The service renews its certificates by itself: at start and then every
//! `renew_check_seconds` (a day by default) each configured certificate is
//! looked at, and from `renew_before_days` before it expires it is renewed
//! (`renewCertificate`, as `cert renew` does), the new pair installed
//! atomically, and a new client made from the configuration replaces the
//! one in use ([`CurrentClient::replace`]): work in flight finishes with
//! the client it started with, the next step takes the new one.
//!
//! A renewal that fails is tried again at the next check. Each failure is a
//! log line naming the purpose and the error's kind, and counts in
//! `tulorekisteri_shim_certificate_renewal_failures`; the certificate-days
//! warning goes on as the expiry nears. No record is affected by a failed
//! renewal, so no ledger state changes; a record that cannot be signed once
//! the certificate has expired gets `attention` from the worker.

use super::current::CurrentClient;
use super::live::Live;
use super::settings::ServiceSettings;
use crate::certificate::obtain;
use crate::client::Client;
use crate::config::Config;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Checks and renews until the service stops.
pub async fn run(config_path: PathBuf, client: Arc<CurrentClient>, settings: ServiceSettings, live: Arc<Live>) {
    loop {
        if !check(&config_path, &client, &settings, &live).await {
            return;
        }
        tokio::time::sleep(settings.renew_check).await;
    }
}

/// One check of every certificate; false when renewal is not configured.
async fn check(config_path: &Path, client: &CurrentClient, settings: &ServiceSettings, live: &Live) -> bool {
    // Read again each time: the files may have been renewed by hand.
    let config = match Config::read(config_path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("serve: attention: certificate renewal: the configuration cannot be read: {e}");
            live.renewal_failed("all");
            return true;
        }
    };
    if config.certificate_service.is_none() {
        eprintln!("serve: no [certificate_service] in the configuration: certificates are not renewed automatically");
        return false;
    }
    let now = super::ledger::now() as i64;
    let window = settings.renew_before.as_secs() as i64;
    for (purpose, _) in &config.certificates {
        let current = client.get();
        let Ok(signer) = current.signer(Some(*purpose)) else {
            continue;
        };
        let not_after = signer.certificate().not_after;
        if not_after - now > window {
            continue;
        }
        eprintln!(
            "serve: renewing the {} certificate (it expires at {})",
            purpose.key(),
            crate::client::request::timestamp(not_after)
        );
        let renewed = match obtain::renew(&config, *purpose).await {
            Ok(installed) => installed,
            Err(e) => {
                live.renewal_failed(purpose.key());
                eprintln!(
                    "serve: attention: renewing the {} certificate failed ({}): {e}; trying again in {} s",
                    purpose.key(),
                    e.kind(),
                    settings.renew_check.as_secs_f64()
                );
                continue;
            }
        };
        // The configuration names the files just written: a client of the new pair.
        let next = Config::read(config_path)
            .map_err(|e| e.0)
            .and_then(|c| Client::new(&c).map_err(|e| e.0));
        match next {
            Ok(next) => {
                client.replace(next);
                live.renewed(purpose.key());
                live.certificates(super::serve::certificate_days(&client.get(), settings));
                eprintln!(
                    "serve: renewed the {} certificate: valid to {}; the client in use now presents it",
                    purpose.key(),
                    crate::client::request::timestamp(renewed.certificate.not_after)
                );
            }
            Err(e) => {
                live.renewal_failed(purpose.key());
                eprintln!(
                    "serve: attention: the {} certificate was renewed and written, but a client of it cannot be made: {e}",
                    purpose.key()
                );
            }
        }
    }
    true
}
