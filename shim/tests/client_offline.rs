//! The client's tests that need no simulator: preparing records, checking
//! crafted answers signed with a test PKI, and the outcome of transport
//! failures on real local sockets with real rustls.

#[path = "client_offline/answers.rs"]
mod answers;
#[path = "client_offline/checks.rs"]
mod checks;
#[path = "client_offline/commands.rs"]
mod commands;
#[path = "client_offline/prepare.rs"]
mod prepare;
#[path = "client_offline/server.rs"]
mod server;
#[path = "client_offline/support.rs"]
mod support;
#[path = "client_offline/transport.rs"]
mod transport;
