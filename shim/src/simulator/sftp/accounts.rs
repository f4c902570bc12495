//! The SFTP accounts: a user is a business ID, and the keys it may sign in
//! with are those of its currently valid certificates issued by the SFTP
//! CA (`ca/sftp-ca.pem`): `org/sftp-cert.pem`, and any certificate put in
//! `DIR/sftp/accounts/` (a renewed one). Read again at each sign-in, so a
//! certificate put there is taken at once.

use crate::simulator::process::common_name;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;
use std::path::{Path, PathBuf};
use tulorekisteri::signature::Certificate;
use x509_cert::der::{Decode, Encode};

/// The SFTP CA and where the accounts' certificates are.
pub struct Accounts {
    dir: PathBuf,
    ca: Vec<Vec<u8>>,
}

/// An RSA public key as its modulus and exponent (big-endian, no leading
/// zeros): how an SSH key and a certificate's key are compared.
type RsaParts = (Vec<u8>, Vec<u8>);

fn strip(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

/// The RSA key of a certificate (DER).
fn certificate_key(der: &[u8]) -> Option<RsaParts> {
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().ok()?;
    let key = RsaPublicKey::from_public_key_der(&spki).ok()?;
    Some((strip(&key.n().to_bytes_be()), strip(&key.e().to_bytes_be())))
}

/// The RSA key of an SSH public key.
fn ssh_key(key: &russh::keys::PublicKey) -> Option<RsaParts> {
    let rsa = key.key_data().rsa()?;
    Some((strip(rsa.n().as_positive_bytes()?), strip(rsa.e().as_positive_bytes()?)))
}

impl Accounts {
    /// Reads the SFTP CA of `dir`.
    pub fn load(dir: &Path) -> Result<Accounts, String> {
        let path = dir.join("ca/sftp-ca.pem");
        let pem = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let ca = Certificate::pem_bundle(&pem).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Accounts {
            dir: dir.to_path_buf(),
            ca,
        })
    }

    /// The SFTP CA (DER): records that come over SFTP must chain to it.
    pub fn ca(&self) -> &[Vec<u8>] {
        &self.ca
    }

    /// Every certificate the simulator knows for SFTP accounts (DER), valid
    /// or not.
    fn known(&self) -> Vec<Vec<u8>> {
        let mut files = vec![self.dir.join("org/sftp-cert.pem")];
        if let Ok(entries) = std::fs::read_dir(self.dir.join("sftp/accounts")) {
            let mut more: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "pem"))
                .collect();
            more.sort();
            files.extend(more);
        }
        files
            .iter()
            .filter_map(|f| std::fs::read(f).ok())
            .filter_map(|pem| Certificate::pem_bundle(&pem).ok())
            .flatten()
            .collect()
    }

    /// The currently valid certificates of the SFTP CA for `user` (DER).
    pub fn current(&self, user: &str) -> Vec<Vec<u8>> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        self.known()
            .into_iter()
            .filter(|der| {
                let Ok(cert) = Certificate::from_der(der.clone()) else {
                    return false;
                };
                common_name(&cert.subject).as_deref() == Some(user) && cert.trust(&[], &self.ca, now).is_trusted()
            })
            .collect()
    }

    /// The certificate of `user` whose key is `key`, if there is one valid
    /// now: who may sign in.
    pub fn certificate_for(&self, user: &str, key: &russh::keys::PublicKey) -> Option<Vec<u8>> {
        let offered = ssh_key(key)?;
        self.current(user)
            .into_iter()
            .find(|der| certificate_key(der).as_ref() == Some(&offered))
    }
}
