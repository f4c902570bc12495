//! The submission service (`tulorekisteri-shim serve`): an HTTP API that
//! takes approved reports and records, and a worker that groups, signs,
//! submits and follows them, keeping every step in a ledger.

pub mod ledger;
