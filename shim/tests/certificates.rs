//! The certificate service end to end, against the real `simulator serve`
//! over loopback: a transfer ID to a certificate in files (`cert new`),
//! used for TLS and signing; renewal by hand (`cert renew`) inside the
//! window and refused outside it; a transfer used twice refused; `cert
//! show`; and the service renewing its own certificate while it sends,
//! with every report stored and the old certificate refused afterwards.

mod simulator_support;

#[path = "certificates/life.rs"]
mod life;
#[path = "certificates/schema.rs"]
mod schema;
#[path = "certificates/service.rs"]
mod service;
#[path = "service/support.rs"]
#[allow(dead_code)]
mod service_support;
#[path = "certificates/support.rs"]
mod support;
