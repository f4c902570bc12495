//! One SSH connection to the Register's SFTP server and its SFTP channel:
//! only the Register's algorithms ([`super::algorithms`]), the server's
//! host key pinned (any other is refused, naming both fingerprints),
//! public-key authentication with the SFTP certificate's key. A record is
//! uploaded under a temporary name and renamed; the error says whether
//! any of its bytes left.

use super::settings::SftpSettings;
use crate::config::Timeouts;
use russh::client::{self, Handle};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};
use russh_sftp::client::error::Error as ClientError;
use russh_sftp::client::SftpSession;
use russh_sftp::protocol::{OpenFlags, StatusCode};
use std::fmt;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The largest file read (feedback and data files are far smaller).
pub const READ_LIMIT: u64 = 256 << 20;

/// Why an SFTP operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SftpError {
    /// The TCP connection, the SSH handshake or the SFTP channel failed, or
    /// the connection dropped.
    Connection(String),
    /// The server's host key is not the pinned one.
    HostKey {
        /// The pinned key's fingerprint.
        pinned: String,
        /// The offered key's fingerprint.
        found: String,
    },
    /// The server refused the account or its key.
    Auth(String),
    /// The file is not there.
    NotFound(String),
    /// The server refused the request, or an answer was wrong.
    Server(String),
    /// The connect or read timeout passed.
    Timeout(&'static str),
    /// The key cannot be read.
    Key(String),
}

impl SftpError {
    /// A short name of the error's kind for the log and the ledger.
    pub fn kind(&self) -> &'static str {
        match self {
            SftpError::Connection(_) => "connection",
            SftpError::HostKey { .. } => "host-key",
            SftpError::Auth(_) => "auth",
            SftpError::NotFound(_) => "not-found",
            SftpError::Server(_) => "server",
            SftpError::Timeout(_) => "timeout",
            SftpError::Key(_) => "key",
        }
    }

    /// Whether trying again cannot help until the configuration changes.
    pub fn is_configuration(&self) -> bool {
        matches!(self, SftpError::HostKey { .. } | SftpError::Key(_))
    }
}

impl fmt::Display for SftpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SftpError::Connection(m) => write!(f, "the SFTP connection failed: {m}"),
            SftpError::HostKey { pinned, found } => write!(
                f,
                "the SFTP server's host key is not the one pinned in [sftp] host_key: the server offered {found}, the pinned key is {pinned}"
            ),
            SftpError::Auth(m) => write!(f, "the SFTP server refused the login: {m}"),
            SftpError::NotFound(p) => write!(f, "{p} is not on the SFTP server"),
            SftpError::Server(m) => write!(f, "the SFTP server refused: {m}"),
            SftpError::Timeout(what) => write!(f, "the SFTP {what} timed out"),
            SftpError::Key(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for SftpError {}

/// Why an upload failed, and whether any byte of the record left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadError {
    /// Nothing of the record left (the temporary file was not even
    /// opened): send it again.
    NotSent(SftpError),
    /// Some bytes left, or the rename may have happened: ask before
    /// sending again.
    Uncertain(SftpError),
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadError::NotSent(e) => write!(f, "not sent: {e}"),
            UploadError::Uncertain(e) => write!(f, "uncertain (the upload had begun): {e}"),
        }
    }
}

impl std::error::Error for UploadError {}

/// The SSH client's handler: accepts the pinned host key only.
struct Pinned {
    key: PublicKey,
}

/// What the handler fails with: SSH's own errors, or a wrong host key.
#[derive(Debug)]
enum HandlerError {
    Ssh(russh::Error),
    HostKey { found: String },
}

impl From<russh::Error> for HandlerError {
    fn from(e: russh::Error) -> Self {
        HandlerError::Ssh(e)
    }
}

impl client::Handler for Pinned {
    type Error = HandlerError;

    async fn check_server_key(&mut self, offered: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        match offered {
            PublicKeyOrCertificate::PublicKey { key, .. } if key.key_data() == self.key.key_data() => Ok(true),
            PublicKeyOrCertificate::PublicKey { key, .. } => Err(HandlerError::HostKey {
                found: key.fingerprint(HashAlg::Sha256).to_string(),
            }),
            PublicKeyOrCertificate::Certificate(c) => Err(HandlerError::HostKey {
                found: format!("a host certificate of {}", c.public_key().fingerprint(HashAlg::Sha256)),
            }),
        }
    }
}

fn client_error(e: ClientError, path: &str) -> SftpError {
    match e {
        ClientError::Status(s) if s.status_code == StatusCode::NoSuchFile => SftpError::NotFound(path.to_string()),
        ClientError::Status(s) => SftpError::Server(format!("{path}: {}: {}", s.status_code, s.error_message)),
        ClientError::Timeout => SftpError::Timeout("read"),
        e => SftpError::Connection(format!("{path}: {e}")),
    }
}

fn io_error(e: std::io::Error, path: &str) -> SftpError {
    match e.kind() {
        std::io::ErrorKind::TimedOut => SftpError::Timeout("read"),
        _ => match e.into_inner().map(|inner| inner.downcast::<ClientError>()) {
            Some(Ok(c)) => client_error(*c, path),
            Some(Err(other)) => SftpError::Connection(format!("{path}: {other}")),
            None => SftpError::Connection(format!("{path}: the channel closed")),
        },
    }
}

/// One SSH connection and its SFTP channel.
pub struct Session {
    handle: Handle<Pinned>,
    sftp: SftpSession,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("closed", &self.handle.is_closed())
            .finish()
    }
}

impl Session {
    /// Connects, checks the host key, logs in with the SFTP key and opens
    /// the SFTP channel, within `timeouts.connect`.
    pub async fn connect(settings: &SftpSettings, timeouts: &Timeouts) -> Result<Session, SftpError> {
        let key = Arc::new(settings.ssh_key().map_err(SftpError::Key)?);
        Session::connect_with_key(settings, timeouts, key).await
    }

    /// [`Session::connect`] with the SFTP key read before (once, by a
    /// caller that connects again and again).
    pub async fn connect_with_key(
        settings: &SftpSettings,
        timeouts: &Timeouts,
        key: Arc<russh::keys::PrivateKey>,
    ) -> Result<Session, SftpError> {
        match tokio::time::timeout(timeouts.connect, Session::open(settings, timeouts, key)).await {
            Ok(r) => r,
            Err(_) => Err(SftpError::Timeout("connection")),
        }
    }

    async fn open(
        settings: &SftpSettings,
        timeouts: &Timeouts,
        key: Arc<russh::keys::PrivateKey>,
    ) -> Result<Session, SftpError> {
        let config = Arc::new(client::Config {
            preferred: super::algorithms::preferred(),
            nodelay: true,
            ..client::Config::default()
        });
        let handler = Pinned {
            key: settings.host_key.clone(),
        };
        let mut handle = client::connect(config, settings.address.as_str(), handler)
            .await
            .map_err(|e| match e {
                HandlerError::HostKey { found } => SftpError::HostKey {
                    pinned: settings.host_key_fingerprint(),
                    found,
                },
                HandlerError::Ssh(e) => SftpError::Connection(format!("{}: {e}", settings.address)),
            })?;
        // rsa-sha2-512 or -256, as the server says it takes (both are listed).
        let hash = match handle.best_supported_rsa_hash().await {
            Ok(Some(Some(h))) => h,
            _ => HashAlg::Sha256,
        };
        let auth = handle
            .authenticate_publickey(settings.user.clone(), PrivateKeyWithHashAlg::new(key, Some(hash)))
            .await
            .map_err(|e| SftpError::Connection(format!("authentication: {e}")))?;
        if !auth.success() {
            return Err(SftpError::Auth(format!(
                "user {:?} with the key of sftp.key ({})",
                settings.user,
                settings.key.display()
            )));
        }
        let channel = handle
            .channel_open_session()
            .await
            .map_err(|e| SftpError::Connection(format!("opening a channel: {e}")))?;
        channel
            .request_subsystem(true, "sftp")
            .await
            .map_err(|e| SftpError::Connection(format!("the sftp subsystem: {e}")))?;
        let sftp_config = russh_sftp::client::Config {
            request_timeout_secs: timeouts.read.as_secs_f64().ceil().max(1.0) as u64,
            ..russh_sftp::client::Config::default()
        };
        let sftp = SftpSession::new_with_config(channel.into_stream(), sftp_config)
            .await
            .map_err(|e| SftpError::Connection(format!("the sftp subsystem: {e}")))?;
        Ok(Session { handle, sftp })
    }

    /// Whether the connection is known to be gone.
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }

    /// The names of the files in `dir` (not `.` and `..`).
    pub async fn list(&mut self, dir: &str) -> Result<Vec<String>, SftpError> {
        let entries = self.sftp.read_dir(dir).await.map_err(|e| client_error(e, dir))?;
        Ok(entries
            .map(|e| e.file_name())
            .filter(|n| n != "." && n != "..")
            .collect())
    }

    /// The whole file `path` (at most [`READ_LIMIT`] bytes).
    pub async fn read(&mut self, path: &str) -> Result<Vec<u8>, SftpError> {
        let file = self.sftp.open(path).await.map_err(|e| client_error(e, path))?;
        let mut bytes = vec![];
        let mut limited = file.take(READ_LIMIT + 1);
        limited.read_to_end(&mut bytes).await.map_err(|e| io_error(e, path))?;
        if bytes.len() as u64 > READ_LIMIT {
            return Err(SftpError::Server(format!("{path} is larger than {READ_LIMIT} bytes")));
        }
        let _ = limited.into_inner().close().await;
        Ok(bytes)
    }

    /// Writes `bytes` to `temp` (created or truncated), closes it, then
    /// renames it to `name`. Nothing left when the temporary file could not
    /// be opened; after that, an error is uncertain.
    pub async fn upload_then_rename(&mut self, temp: &str, name: &str, bytes: &[u8]) -> Result<(), UploadError> {
        self.upload(temp, bytes).await?;
        self.rename(temp, name).await
    }

    /// The first half of [`Session::upload_then_rename`]: `bytes` written
    /// to `temp` and closed.
    pub async fn upload(&mut self, temp: &str, bytes: &[u8]) -> Result<(), UploadError> {
        let flags = OpenFlags::CREATE | OpenFlags::TRUNCATE | OpenFlags::WRITE;
        let mut file = self
            .sftp
            .open_with_flags(temp, flags)
            .await
            .map_err(|e| UploadError::NotSent(client_error(e, temp)))?;
        let written = async {
            file.write_all(bytes).await?;
            file.shutdown().await
        };
        written.await.map_err(|e| UploadError::Uncertain(io_error(e, temp)))
    }

    /// The second half of [`Session::upload_then_rename`]: `temp` renamed
    /// to `name` (an error is uncertain: the rename may have happened).
    pub async fn rename(&mut self, temp: &str, name: &str) -> Result<(), UploadError> {
        self.sftp
            .rename(temp, name)
            .await
            .map_err(|e| UploadError::Uncertain(client_error(e, name)))
    }

    /// Removes the file `path`.
    pub async fn remove(&mut self, path: &str) -> Result<(), SftpError> {
        self.sftp.remove_file(path).await.map_err(|e| client_error(e, path))
    }

    /// Whether `path` is there.
    pub async fn exists(&mut self, path: &str) -> Result<bool, SftpError> {
        match self.sftp.metadata(path).await {
            Ok(_) => Ok(true),
            Err(e) => match client_error(e, path) {
                SftpError::NotFound(_) => Ok(false),
                e => Err(e),
            },
        }
    }

    /// Closes the channel and the connection.
    pub async fn close(self) {
        let _ = self.sftp.close().await;
        let _ = self.handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use russh::keys::PrivateKey;
    use std::time::Duration;

    /// A server that authenticates nobody (its handler's defaults).
    struct Nobody;

    impl russh::server::Handler for Nobody {
        type Error = russh::Error;
    }

    fn rsa_pem() -> String {
        use rsa::pkcs8::EncodePrivateKey;
        let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap().to_string()
    }

    /// A real SSH server on a free port with a fresh host key, for one
    /// connection; its host key.
    async fn server() -> (String, PublicKey) {
        let host: PrivateKey = russh::keys::decode_secret_key(&rsa_pem(), None).unwrap();
        let public = host.public_key().clone();
        let config = Arc::new(russh::server::Config {
            keys: vec![host],
            preferred: crate::sftp::algorithms::preferred(),
            auth_rejection_time: Duration::from_millis(1),
            ..russh::server::Config::default()
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            if let Ok((tcp, _)) = listener.accept().await {
                if let Ok(running) = russh::server::run_stream(config, tcp, Nobody).await {
                    let _ = running.await;
                }
            }
        });
        (addr, public)
    }

    fn settings(address: String, host_key: PublicKey, dir: &std::path::Path) -> SftpSettings {
        std::fs::write(dir.join("key.pem"), rsa_pem()).unwrap();
        SftpSettings {
            address,
            host_key,
            user: "1234567-1".into(),
            key: dir.join("key.pem"),
            cert: dir.join("cert.pem"),
            passphrase_file: None,
            upload_dir: "in".into(),
            temp_suffix: ".part".into(),
            feedback_dir: "feedback".into(),
            data_dir: "data".into(),
        }
    }

    const TIMEOUTS: Timeouts = Timeouts {
        connect: Duration::from_secs(10),
        read: Duration::from_secs(10),
    };

    #[tokio::test]
    async fn another_host_key_is_refused_naming_both_fingerprints() {
        let dir = std::env::temp_dir().join(format!("sftp-session-a-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (addr, real) = server().await;
        let other = russh::keys::decode_secret_key(&rsa_pem(), None)
            .unwrap()
            .public_key()
            .clone();
        let s = settings(addr, other.clone(), &dir);
        let e = Session::connect(&s, &TIMEOUTS).await.unwrap_err();
        let (pinned, found) = (
            other.fingerprint(HashAlg::Sha256).to_string(),
            real.fingerprint(HashAlg::Sha256).to_string(),
        );
        assert_eq!(
            e,
            SftpError::HostKey {
                pinned: pinned.clone(),
                found: found.clone()
            }
        );
        let text = e.to_string();
        assert!(text.contains("not the one pinned in [sftp] host_key"), "{text}");
        assert!(text.contains(&pinned) && text.contains(&found), "{text}");
        assert!(e.is_configuration());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn the_pinned_key_passes_and_a_refused_login_says_so() {
        let dir = std::env::temp_dir().join(format!("sftp-session-b-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (addr, real) = server().await;
        let s = settings(addr, real, &dir);
        let e = Session::connect(&s, &TIMEOUTS).await.unwrap_err();
        assert!(matches!(&e, SftpError::Auth(m) if m.contains("1234567-1")), "{e}");
        assert!(!e.is_configuration());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn nobody_listening_is_a_connection_error() {
        let dir = std::env::temp_dir().join(format!("sftp-session-c-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = free.local_addr().unwrap().to_string();
        drop(free);
        let key = russh::keys::decode_secret_key(&rsa_pem(), None)
            .unwrap()
            .public_key()
            .clone();
        let e = Session::connect(&settings(addr, key, &dir), &TIMEOUTS)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "connection", "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
