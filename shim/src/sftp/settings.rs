//! The `[sftp]` section of the configuration: where the Register's SFTP
//! server is, its pinned host key, the account, the SFTP certificate (the
//! SSH key and the records' signature), and the folders' names.
//!
//! ```toml
//! [sftp]
//! address = "127.0.0.1:8022"          # host:port
//! host_key = "ssh-rsa AAAAB3Nza..."   # the server's host key (OpenSSH one-line form): pinned
//! user = "1234567-1"                  # the account (the business ID)
//! key = "org/sftp-key.pem"            # the SFTP certificate's RSA key (PKCS#8 PEM)
//! cert = "org/sftp-cert.pem"          # and the certificate
//! # passphrase_file = "org/sftp.pass" # for an encrypted key (its first line)
//! upload_dir = "in"                   # records: in/<DeliveryId>.xml.part, renamed to in/<DeliveryId>.xml
//! temp_suffix = ".part"
//! feedback_dir = "feedback"           # the Register's feedback: feedback/<DeliveryId>.xml
//! data_dir = "data"                   # distributed data (data users)
//! ```

use russh::keys::{HashAlg, PrivateKey, PublicKey};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tulorekisteri::signature::Signer;

/// The SFTP channel's settings, checked.
#[derive(Debug, Clone)]
pub struct SftpSettings {
    /// `host:port` of the server.
    pub address: String,
    /// The server's host key: the only one accepted.
    pub host_key: PublicKey,
    /// The account (the business ID).
    pub user: String,
    /// The SFTP certificate's key (PEM).
    pub key: PathBuf,
    /// The SFTP certificate (PEM).
    pub cert: PathBuf,
    /// The passphrase of an encrypted key (its first line).
    pub passphrase_file: Option<PathBuf>,
    /// Where records are uploaded.
    pub upload_dir: String,
    /// The suffix of a record's name while it is uploaded.
    pub temp_suffix: String,
    /// Where the Register's feedback appears.
    pub feedback_dir: String,
    /// Where distributed data appears.
    pub data_dir: String,
}

/// The section as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SftpFile {
    address: String,
    host_key: String,
    user: String,
    key: PathBuf,
    cert: PathBuf,
    passphrase_file: Option<PathBuf>,
    #[serde(default = "default_upload_dir")]
    upload_dir: String,
    #[serde(default = "default_temp_suffix")]
    temp_suffix: String,
    #[serde(default = "default_feedback_dir")]
    feedback_dir: String,
    #[serde(default = "default_data_dir")]
    data_dir: String,
}

fn default_upload_dir() -> String {
    "in".into()
}
fn default_temp_suffix() -> String {
    ".part".into()
}
fn default_feedback_dir() -> String {
    "feedback".into()
}
fn default_data_dir() -> String {
    "data".into()
}

/// A folder name on the server: relative, no `..`, no empty parts.
fn folder(key: &str, value: &str) -> Result<String, String> {
    let value = value.trim_end_matches('/');
    let bad = value.is_empty()
        || value.starts_with('/')
        || value.split('/').any(|p| p.is_empty() || p == "." || p == "..")
        || value.contains(['\\', '\0']);
    match bad {
        true => Err(format!(
            "sftp.{key} must be a relative folder name such as \"in\", not {value:?}"
        )),
        false => Ok(value.to_string()),
    }
}

impl SftpFile {
    /// Checks the section; paths are relative to `dir`.
    pub(crate) fn check(self, dir: &Path) -> Result<SftpSettings, String> {
        let (host, port) = self
            .address
            .rsplit_once(':')
            .ok_or_else(|| format!("sftp.address must be host:port, not {:?}", self.address))?;
        if host.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(format!("sftp.address must be host:port, not {:?}", self.address));
        }
        let host_key = PublicKey::from_openssh(self.host_key.trim())
            .map_err(|e| format!("sftp.host_key must be an OpenSSH public key line (\"ssh-rsa AAAA...\"): {e}"))?;
        if !host_key.algorithm().is_rsa() {
            return Err(format!(
                "sftp.host_key must be an RSA key (the Register's is), not {}",
                host_key.algorithm()
            ));
        }
        if self.user.trim().is_empty() {
            return Err("sftp.user must name the SFTP account (the business ID)".into());
        }
        let temp_suffix = match self.temp_suffix.as_str() {
            "" => return Err("sftp.temp_suffix must not be empty (a record is uploaded under it)".into()),
            s if s.contains('/') => return Err(format!("sftp.temp_suffix must not hold '/', not {s:?}")),
            s => s.to_string(),
        };
        Ok(SftpSettings {
            address: self.address,
            host_key,
            user: self.user,
            key: dir.join(self.key),
            cert: dir.join(self.cert),
            passphrase_file: self.passphrase_file.map(|p| dir.join(p)),
            upload_dir: folder("upload_dir", &self.upload_dir)?,
            temp_suffix,
            feedback_dir: folder("feedback_dir", &self.feedback_dir)?,
            data_dir: folder("data_dir", &self.data_dir)?,
        })
    }
}

/// Whether `delivery_id` can be a file name on the SFTP server as it is:
/// only `A-Z a-z 0-9 . _ -`, not starting with `.` (no folders, no `..`,
/// no hidden files), at most 40 characters (the schema's String40).
pub fn name_safe(delivery_id: &str) -> bool {
    !delivery_id.is_empty()
        && delivery_id.len() <= 40
        && !delivery_id.starts_with('.')
        && delivery_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

impl SftpSettings {
    /// `in/<DeliveryId>.xml`: the name the server processes.
    pub fn upload_path(&self, delivery_id: &str) -> String {
        format!("{}/{delivery_id}.xml", self.upload_dir)
    }

    /// `in/<DeliveryId>.xml.part`: the name while uploading.
    pub fn temp_path(&self, delivery_id: &str) -> String {
        format!("{}{}", self.upload_path(delivery_id), self.temp_suffix)
    }

    /// `feedback/<DeliveryId>.xml`: the Register's feedback on the record.
    pub fn feedback_path(&self, delivery_id: &str) -> String {
        format!("{}/{delivery_id}.xml", self.feedback_dir)
    }

    /// The pinned host key's fingerprint (`SHA256:...`).
    pub fn host_key_fingerprint(&self) -> String {
        self.host_key.fingerprint(HashAlg::Sha256).to_string()
    }

    fn read(&self, path: &Path) -> Result<String, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("sftp: {}: {e}", path.display()))?;
        String::from_utf8(bytes).map_err(|_| format!("sftp: {} is not text", path.display()))
    }

    fn passphrase(&self) -> Result<Option<String>, String> {
        self.passphrase_file
            .as_deref()
            .map(|p| Ok(self.read(p)?.lines().next().unwrap_or("").to_string()))
            .transpose()
    }

    /// The SFTP certificate as a signer (the records sent over SFTP are
    /// signed with it).
    pub fn signer(&self) -> Result<Signer, String> {
        let pem = self.read(&self.key)?;
        let cert = std::fs::read(&self.cert).map_err(|e| format!("sftp.cert: {}: {e}", self.cert.display()))?;
        let passphrase = self.passphrase()?;
        Signer::from_pem(&pem, &cert, passphrase.as_deref().map(str::as_bytes)).map_err(|e| format!("sftp.key: {e}"))
    }

    /// The SFTP certificate's key for SSH public-key authentication.
    pub fn ssh_key(&self) -> Result<PrivateKey, String> {
        let pem = self.read(&self.key)?;
        let passphrase = self.passphrase()?;
        let key = russh::keys::decode_secret_key(&pem, passphrase.as_deref())
            .map_err(|e| format!("sftp.key: {}: {e}", self.key.display()))?;
        match key.algorithm().is_rsa() {
            true => Ok(key),
            false => Err(format!("sftp.key: {} is not an RSA key", self.key.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Result<SftpSettings, String> {
        let f: SftpFile = toml::from_str(text).map_err(|e| e.to_string())?;
        f.check(Path::new("/conf"))
    }

    #[test]
    fn wrong_settings_name_their_key() {
        let host_key = rsa_key_line();
        let cases = [
            ("address = \"nohost\"", "sftp.address"),
            ("address = \"h:0\"", "sftp.address"),
            ("host_key = \"not a key\"", "sftp.host_key"),
            ("user = \" \"", "sftp.user"),
            ("upload_dir = \"../in\"", "sftp.upload_dir"),
            ("feedback_dir = \"/abs\"", "sftp.feedback_dir"),
            ("temp_suffix = \"\"", "sftp.temp_suffix"),
            ("colour = \"red\"", "colour"),
        ];
        for (line, key) in cases {
            let mut text = format!(
                "address = \"127.0.0.1:22\"\nhost_key = \"{host_key}\"\nuser = \"1\"\nkey = \"k\"\ncert = \"c\"\n"
            );
            let name = line.split(' ').next().unwrap();
            text = text
                .lines()
                .filter(|l| !l.starts_with(&format!("{name} ")))
                .collect::<Vec<_>>()
                .join("\n");
            text.push('\n');
            text.push_str(line);
            let e = file(&text).unwrap_err();
            assert!(e.contains(key), "{line}: {e}");
        }
    }

    #[test]
    fn only_plain_delivery_ids_can_be_file_names() {
        for good in ["2026-01", "s8b5b8f-1", "a.b_c", "A"] {
            assert!(name_safe(good), "{good}");
        }
        for bad in ["", "2026/01", "../x", ".hidden", "a\\b", "a b", "ä", &"x".repeat(41)] {
            assert!(!name_safe(bad), "{bad}");
        }
    }

    #[test]
    fn names_and_defaults() {
        let key = rsa_key_line();
        let text =
            format!("address = \"h:22\"\nhost_key = \"{key}\"\nuser = \"1\"\nkey = \"k.pem\"\ncert = \"c.pem\"\n");
        let s = file(&text).unwrap();
        assert_eq!(s.temp_path("D1"), "in/D1.xml.part");
        assert_eq!(s.upload_path("D1"), "in/D1.xml");
        assert_eq!(s.feedback_path("D1"), "feedback/D1.xml");
        assert_eq!(s.data_dir, "data");
        assert_eq!(s.key, Path::new("/conf/k.pem"));
        assert!(s.host_key_fingerprint().starts_with("SHA256:"));
    }

    /// A real RSA key, as PKCS#8 PEM, and its public key line (read back
    /// through [`SftpSettings::ssh_key`]).
    fn rsa_key_line() -> String {
        use rsa::pkcs8::EncodePrivateKey;
        let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        let pem = key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        let dir = std::env::temp_dir().join(format!("sftp-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("k.pem"), pem.as_bytes()).unwrap();
        let mut s = SftpSettings {
            address: "h:22".into(),
            host_key: russh::keys::decode_secret_key(&pem, None).unwrap().public_key().clone(),
            user: "1".into(),
            key: dir.join("k.pem"),
            cert: dir.join("c.pem"),
            passphrase_file: None,
            upload_dir: "in".into(),
            temp_suffix: ".part".into(),
            feedback_dir: "feedback".into(),
            data_dir: "data".into(),
        };
        let line = s.ssh_key().unwrap().public_key().to_openssh().unwrap();
        assert_eq!(line, s.host_key.to_openssh().unwrap());
        s.key = dir.join("missing.pem");
        assert!(s.ssh_key().unwrap_err().contains("missing.pem"));
        let _ = std::fs::remove_dir_all(&dir);
        line
    }
}
