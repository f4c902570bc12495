//! A local simulator of the Incomes Register's Web Service, for tests and
//! demos: `simulator init` makes a test PKI and a ready client
//! configuration, `simulator serve` answers the WSDL operations over mutual
//! TLS as the Register's documents say (reception checks, deferred
//! processing, replacements, cancellations, queries), with faults on demand,
//! and keeps what it holds in `DIR/state.json` and a journal of changes.
//! Beside it, an SFTP server (`sftp`) takes deferred records as files into
//! the same state.
//!
//! It shares nothing with the client but the SOAP envelope, the operation
//! table, the TLS settings and the configuration format, so it can catch the
//! client's mistakes. Every answer is built from a JSON object with the
//! core's `build` (schema-valid by construction) and signed with the core's
//! `sign`.

pub mod answers;
pub mod certificates;
pub mod clock;
pub mod commands;
pub mod distribution;
pub mod faults;
pub mod files;
pub mod inspect;
mod items;
pub mod journal;
pub mod keystore;
pub mod pki;
pub mod process;
pub mod queries;
mod records;
pub mod server;
pub mod sftp;
mod status;
pub mod store;
