//! The data users' side, end to end: reports sent to the simulator, a
//! record subscription sent for them, `simulator distribute` writing the
//! signed `*FromIR` documents for the subscriber's SFTP account (valid
//! against the official XSD), and `tulorekisteri-shim fetch` picking them
//! up over SFTP, verifying them and writing each as the JSON `tulorekisteri
//! parse` prints; fetched once only; a tampered file refused.

mod simulator_support;

#[path = "data_users/documents.rs"]
mod documents;
#[path = "data_users/flow.rs"]
mod flow;
#[path = "data_users/service.rs"]
mod service;
#[path = "service/support.rs"]
#[allow(dead_code)]
mod service_api;
#[path = "data_users/support.rs"]
mod support;
