//! The SSH algorithms the Register lists for its SFTP service (NOTES.md
//! §5.4, V-SFTP), the only ones the client and the simulator's server offer.
//! The list's `ssh-rsa` host key (SHA-1 signatures) is left out: its SHA-2
//! variants are listed beside it. The MAC list is cut off in our material:
//! the SHA-2 HMACs, for the CTR ciphers.

use russh::keys::{Algorithm, HashAlg};
use russh::{cipher, compression, kex, mac, Preferred};
use std::borrow::Cow;

/// Key exchanges, in the Register's order.
pub const KEX: &[kex::Name] = &[
    kex::CURVE25519_PRE_RFC_8731,
    kex::CURVE25519,
    kex::ECDH_SHA2_NISTP521,
    kex::ECDH_SHA2_NISTP384,
    kex::ECDH_SHA2_NISTP256,
    kex::DH_G16_SHA512,
    kex::DH_G15_SHA512,
    kex::DH_G17_SHA512,
    kex::DH_G18_SHA512,
    // Not algorithms: the extension negotiation and OpenSSH's strict key
    // exchange (the Terrapin fix), which russh signals through this list.
    kex::EXTENSION_SUPPORT_AS_CLIENT,
    kex::EXTENSION_SUPPORT_AS_SERVER,
    kex::EXTENSION_OPENSSH_STRICT_KEX_AS_CLIENT,
    kex::EXTENSION_OPENSSH_STRICT_KEX_AS_SERVER,
];

/// Host key (and user key) signatures.
pub const KEYS: &[Algorithm] = &[
    Algorithm::Rsa {
        hash: Some(HashAlg::Sha512),
    },
    Algorithm::Rsa {
        hash: Some(HashAlg::Sha256),
    },
];

/// Ciphers, in the Register's order.
pub const CIPHERS: &[cipher::Name] = &[
    cipher::AES_256_GCM,
    cipher::AES_128_GCM,
    cipher::AES_256_CTR,
    cipher::AES_192_CTR,
    cipher::AES_128_CTR,
];

/// MACs (for the CTR ciphers; GCM has its own).
pub const MACS: &[mac::Name] = &[
    mac::HMAC_SHA256_ETM,
    mac::HMAC_SHA512_ETM,
    mac::HMAC_SHA256,
    mac::HMAC_SHA512,
];

/// The Register's list as russh takes it.
pub fn preferred() -> Preferred {
    Preferred {
        kex: Cow::Borrowed(KEX),
        key: Cow::Borrowed(KEYS),
        host_key_certificates: Cow::Borrowed(&[]),
        cipher: Cow::Borrowed(CIPHERS),
        mac: Cow::Borrowed(MACS),
        compression: Cow::Borrowed(&[compression::NONE]),
    }
}
