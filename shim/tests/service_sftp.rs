//! The submission service over SFTP end to end: `tulorekisteri-shim serve`
//! with `[service] channel = "sftp"` against `simulator serve
//! --sftp-listen`, both as the real binaries over loopback (real SSH,
//! real files). The same reports end in the same states as over the Web
//! Service; every SFTP fault and SIGKILL at many moments end with every
//! report stored once and every delivery arrived once; a host key other
//! than the pinned one is refused before anything is uploaded; a feedback
//! file the Register did not sign is not believed; an upload nothing on
//! the server tells of is asked about over the Web Service, or waited on;
//! a resend refused because the first arrived is not a rejection; two
//! payers' records with one DeliveryId go one after the other; a refused
//! login needs a person; a status-2 feedback file is an arrival.

mod simulator_support;

#[path = "service_sftp/arrived.rs"]
mod arrived;
#[path = "service_sftp/crash.rs"]
mod crash;
#[path = "service_sftp/faults.rs"]
mod faults;
#[path = "service_sftp/host_key.rs"]
mod host_key;
#[path = "service_sftp/login.rs"]
mod login;
#[path = "service_sftp/payers.rs"]
mod payers;
#[path = "service_sftp/resend.rs"]
mod resend;
#[path = "service_sftp/same.rs"]
mod same;
#[path = "sftp_support/mod.rs"]
mod sftp_support;
#[path = "service_sftp/sim.rs"]
mod sim;
#[path = "service_sftp/trust.rs"]
mod trust;
#[path = "service_sftp/unknown.rs"]
mod unknown;
// The service tests' helpers (the service, its API, the reports); their
// `Sim` starts a simulator without SFTP and is not used here.
#[allow(dead_code)]
#[path = "service/support.rs"]
mod support;
