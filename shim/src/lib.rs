//! `tulorekisteri-shim`: sends Incomes Register records to the Register's
//! Web Service over mutual TLS and follows their feedback (`client`), and a
//! local simulator of the Register to test against (`simulator`). Both use
//! the core crate for validation, building, parsing, signing and verifying;
//! they share the SOAP envelope (`soap`), the operation table
//! (`operation`), TLS settings (`tls`) and the configuration (`config`),
//! and nothing of each other's logic, so the simulator can catch the
//! client's mistakes.

pub mod certificate;
pub mod client;
pub mod config;
pub mod fetch;
pub mod operation;
pub mod service;
pub mod sftp;
pub mod simulator;
pub mod soap;
pub mod tls;

/// Exit statuses of every command.
pub mod exit {
    /// Final, and everything stored (or answered).
    pub const OK: u8 = 0;
    /// A record or report was rejected: by the local checks (nothing was
    /// sent) or by the Register.
    pub const REJECTED: u8 = 1;
    /// Usage, configuration or input error; nothing was sent.
    pub const USAGE: u8 = 2;
    /// Not final yet, or uncertain: the output says which, and the
    /// DeliveryId to ask about.
    pub const PENDING: u8 = 3;
}
