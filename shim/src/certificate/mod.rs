//! The organisation's certificates from the Register's certificate service
//! (NOTES §2.3, §8): `cert new` with a transfer ID and password, `cert
//! renew` signed with the certificate in force, `cert show`, and the
//! renewal the service does by itself ([`crate::service::renewal`]).
//! [`exchange`] speaks the service's SOAP operations, [`keys`] makes key
//! pairs and PKCS#10 requests, [`install`] puts a pair in place without
//! ever leaving a half-written one, [`obtain`] ties them together.

pub mod commands;
pub mod exchange;
pub mod install;
pub mod keys;
pub mod obtain;

pub use exchange::{CertError, CertificateClient};
pub use obtain::Installed;
