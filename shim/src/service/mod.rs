//! The submission service (`tulorekisteri-shim serve`): an HTTP API that
//! takes approved reports and records ([`api`], checked by [`intake`]), a
//! ledger that keeps every step ([`ledger`]: SQLite, or PostgreSQL for
//! several instances), and a worker that groups, signs, submits and follows
//! them ([`worker`]) with the Register's client, deferred records over
//! SFTP where configured ([`sftp_channel`]). docs/service.md is the
//! user's guide.

pub mod api;
pub mod current;
pub mod errors;
pub mod intake;
pub mod kinds;
pub mod ledger;
pub mod live;
pub mod serve;
pub mod settings;
pub mod sftp_channel;
pub mod worker;

/// `n` random bytes as lowercase hex (DeliveryId prefixes, instance names).
pub(crate) fn random_hex(n: usize) -> String {
    use rand_core::{OsRng, RngCore};
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
