//! What the SFTP server's tests share: a small russh client (the host key
//! pinned to `shim.toml`'s `[sftp] host_key`, a user key from a PEM file, the
//! algorithms given), uploads as `.part` then renamed, records signed with
//! the organisation's SFTP certificate, and waiting for a file.

// Each test binary uses a part of this.
#![allow(dead_code)]

use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKey};
use russh::Preferred;
use russh_sftp::client::SftpSession;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tulorekisteri::signature::{sign, Signer};

/// The account (the business ID of the simulator's organisation).
pub const USER: &str = "1234567-1";

/// Checks the server's host key against the one pinned.
pub struct Pinned(PublicKey);

impl russh::client::Handler for Pinned {
    type Error = russh::Error;

    async fn check_server_key(&mut self, key: &russh::keys::PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(
            matches!(key, russh::keys::PublicKeyOrCertificate::PublicKey { key, .. } if key.key_data() == self.0.key_data()),
        )
    }
}

/// An SSH connection with its SFTP channel.
pub struct Client {
    pub ssh: russh::client::Handle<Pinned>,
    pub sftp: SftpSession,
}

/// The host key `shim.toml`'s `[sftp] host_key` pins.
pub fn host_key(dir: &Path) -> PublicKey {
    let text = std::fs::read_to_string(dir.join("shim.toml")).unwrap();
    let config: toml::Value = toml::from_str(&text).unwrap();
    PublicKey::from_openssh(config["sftp"]["host_key"].as_str().unwrap()).unwrap()
}

/// Connects to `port` as `user` with the RSA key in `dir/key` and the
/// algorithms `preferred`: an error in words when the server refuses.
pub async fn connect_with(
    dir: &Path,
    port: u16,
    user: &str,
    key: &str,
    preferred: Preferred,
) -> Result<Client, String> {
    let config = russh::client::Config {
        preferred,
        inactivity_timeout: Some(Duration::from_secs(20)),
        ..Default::default()
    };
    let pem = std::fs::read_to_string(dir.join(key)).unwrap();
    let private = russh::keys::decode_secret_key(&pem, None).unwrap();
    let connecting = russh::client::connect(Arc::new(config), ("127.0.0.1", port), Pinned(host_key(dir)));
    let mut ssh = tokio::time::timeout(Duration::from_secs(15), connecting)
        .await
        .map_err(|_| "the connection timed out".to_string())?
        .map_err(|e| format!("connect: {e}"))?;
    let auth = ssh
        .authenticate_publickey(
            user,
            PrivateKeyWithHashAlg::new(Arc::new(private), Some(HashAlg::Sha256)),
        )
        .await
        .map_err(|e| format!("authenticate: {e}"))?;
    if !auth.success() {
        return Err(format!("authentication refused: {auth:?}"));
    }
    let channel = ssh.channel_open_session().await.map_err(|e| format!("channel: {e}"))?;
    channel
        .request_subsystem(true, "sftp")
        .await
        .map_err(|e| format!("subsystem: {e}"))?;
    let sftp = SftpSession::new(channel.into_stream())
        .await
        .map_err(|e| format!("sftp: {e}"))?;
    Ok(Client { ssh, sftp })
}

/// Connects as the account, with its SFTP key and the Register's algorithms.
pub async fn connect(dir: &Path, port: u16) -> Client {
    connect_with(
        dir,
        port,
        USER,
        "org/sftp-key.pem",
        tulorekisteri_shim::sftp::algorithms::preferred(),
    )
    .await
    .unwrap()
}

/// Writes `bytes` to `in/<name>.part`, closes it, then (`rename`) renames
/// it to `in/<name>`.
pub async fn upload(client: &Client, name: &str, bytes: &[u8], rename: bool) -> Result<(), String> {
    let temp = format!("in/{name}.part");
    let mut file = client.sftp.create(&temp).await.map_err(|e| format!("create: {e}"))?;
    file.write_all(bytes).await.map_err(|e| format!("write: {e}"))?;
    file.shutdown().await.map_err(|e| format!("close: {e}"))?;
    if rename {
        client
            .sftp
            .rename(&temp, format!("in/{name}"))
            .await
            .map_err(|e| format!("rename: {e}"))?;
    }
    Ok(())
}

/// `record` built and signed with the organisation's SFTP certificate.
pub fn signed_record(dir: &Path, record: &Value) -> Vec<u8> {
    let key = std::fs::read_to_string(dir.join("org/sftp-key.pem")).unwrap();
    let cert = std::fs::read(dir.join("org/sftp-cert.pem")).unwrap();
    let signer = Signer::from_pem(&key, &cert, None).unwrap();
    let xml = tulorekisteri::build(record).unwrap_or_else(|p| panic!("{p:?}"));
    sign(xml.as_bytes(), &signer).unwrap()
}

/// The account's folder on the simulator's disk.
pub fn account(dir: &Path) -> PathBuf {
    dir.join("sftp").join(USER)
}

/// Waits up to `limit` for `path` to exist.
pub fn wait_for(path: &Path, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if path.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A tokio runtime for a test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
