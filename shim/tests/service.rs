//! The submission service end to end: `tulorekisteri-shim serve` and the
//! simulator, both as the real binaries, over loopback (the API over HTTP,
//! the Register's Web Service over mutual TLS). The API's answers and
//! errors; reports grouped into records, sent, followed and stored;
//! replacements and cancellations held until what they refer to was
//! acknowledged; SIGKILL at many moments and every simulator fault, with
//! nothing sent twice and nothing lost.

mod service_support;
mod simulator_support;

#[path = "service/api.rs"]
mod api;
#[path = "service/crash.rs"]
mod crash;
#[path = "service/faults.rs"]
mod faults;
#[path = "service/scale.rs"]
mod scale;
#[path = "service/support.rs"]
mod support;
