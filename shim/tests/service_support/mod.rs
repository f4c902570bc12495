//! What the service's tests share. Each test binary declares it with
//! `mod service_support;` and uses its parts.

pub mod postgres;
