//! The SSH side of the SFTP server (russh): the host key, only the
//! Register's algorithms ([`crate::sftp::algorithms`]), public-key
//! sign-in with the key of a valid SFTP certificate of the account, and the
//! `sftp` subsystem on a session channel. A second session of the same
//! account is not refused: one at a time is the sender's rule.

use super::handler::Files;
use super::Shared;
use crate::simulator::clock::{date_time, now};
use russh::keys::PrivateKey;
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, MethodKind, MethodSet};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// The SSH server's settings: the host key, the algorithms, public keys only.
pub fn config(host_key: PrivateKey) -> russh::server::Config {
    russh::server::Config {
        server_id: russh::SshId::Standard("SSH-2.0-TulorekisteriSimulator".into()),
        methods: MethodSet::from(&[MethodKind::PublicKey][..]),
        auth_rejection_time: Duration::from_millis(300),
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![host_key],
        preferred: crate::sftp::algorithms::preferred(),
        inactivity_timeout: Some(Duration::from_secs(600)),
        ..Default::default()
    }
}

/// One SSH connection.
struct Connection {
    shared: Arc<Shared>,
    peer: Option<SocketAddr>,
    /// Who signed in, and with which certificate (DER).
    account: Option<(String, Vec<u8>)>,
    channels: HashMap<ChannelId, Channel<Msg>>,
}

impl Connection {
    fn log(&self, what: &str) {
        let peer = self.peer.map_or("-".to_string(), |p| p.to_string());
        eprintln!("{} sftp connection from {peer}: {what}", date_time(now()));
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn auth_publickey_offered(&mut self, user: &str, offer: PublicKeyOffer<'_>) -> Result<Auth, Self::Error> {
        match self.shared.accounts.certificate_for(user, offer.public_key) {
            Some(_) => Ok(Auth::Accept),
            None => Ok(Auth::reject()),
        }
    }

    async fn auth_publickey(&mut self, user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        match self.shared.accounts.certificate_for(user, key.public_key) {
            Some(cert) => {
                self.log(&format!("{user} signed in"));
                self.account = Some((user.to_string(), cert));
                Ok(Auth::Accept)
            }
            None => {
                // The name only: it is a business ID, not a person's.
                self.log(&format!(
                    "{user}: refused (the key is not that of a valid SFTP certificate of the account)"
                ));
                Ok(Auth::reject())
            }
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channels.insert(channel.id(), channel);
        reply.accept().await;
        Ok(())
    }

    async fn channel_eof(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        session.close(channel)?;
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let (Some((user, cert)), Some(opened), "sftp") = (self.account.clone(), self.channels.remove(&channel), name)
        else {
            session.channel_failure(channel)?;
            return Ok(());
        };
        if let Err(e) = self.shared.make_account_folders(&user) {
            self.log(&format!("{user}: the account's folders cannot be made: {e}"));
            session.channel_failure(channel)?;
            return Ok(());
        }
        session.channel_success(channel)?;
        let files = Files::new(self.shared.clone(), user, cert, session.handle());
        russh_sftp::server::run(opened.into_stream(), files).await;
        Ok(())
    }
}

/// Accepts connections until the runtime stops.
pub async fn accept(listener: TcpListener, config: Arc<russh::server::Config>, shared: Arc<Shared>) {
    loop {
        let Ok((tcp, peer)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let handler = Connection {
            shared: shared.clone(),
            peer: Some(peer),
            account: None,
            channels: HashMap::new(),
        };
        let config = config.clone();
        tokio::spawn(async move {
            let ended = match russh::server::run_stream(config, tcp, handler).await {
                Ok(session) => session.await,
                Err(e) => Err(e),
            };
            match ended {
                Ok(()) => eprintln!("{} sftp connection from {peer} closed", date_time(now())),
                Err(russh::Error::IO(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    eprintln!("{} sftp connection from {peer} closed by the client", date_time(now()))
                }
                Err(e) => eprintln!("{} sftp connection from {peer} ended: {e}", date_time(now())),
            }
        });
    }
}
