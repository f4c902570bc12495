//! The client against the simulator, end to end: the real simulator binary
//! (`simulator init`, `serve` on a free loopback port) and the client
//! through its library API and its commands, over mutual TLS with the real
//! handshake. Every operation of every WSDL; replacements, invalidations,
//! duplicates, rules; every fault of the contract mapped to its outcome;
//! a client certificate of another CA; the commands' output and exit
//! statuses.

mod simulator_support;

#[path = "end_to_end/cli.rs"]
mod cli;
#[path = "end_to_end/faults.rs"]
mod faults;
#[path = "end_to_end/operations.rs"]
mod operations;
#[path = "end_to_end/support.rs"]
mod support;
