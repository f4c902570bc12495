//! The service's ledger: every record and report, its state and history,
//! the event feed, and the requests and answers exchanged with the
//! Register. The logic is written once over [`db::Db`]; SQLite and
//! PostgreSQL are its drivers.

pub mod db;
pub mod postgres;
pub mod sqlite;
