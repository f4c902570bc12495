//! The client of the Register's Web Service: records are checked and signed
//! ([`prepare`]), POSTed over mutual TLS ([`transport`]), their answers
//! checked ([`answer`]) into one of four typed outcomes ([`outcome`]), and
//! deferred records followed to their final feedback ([`poll`]).
//! [`commands`] is the command line and [`report`] what it prints.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use tulorekisteri_shim::client::{Client, Outcome};
//! use tulorekisteri_shim::config::Config;
//!
//! let config = Config::read("shim.toml".as_ref())?;
//! let client = Client::new(&config)?;
//! let prepared = client.prepare(&std::fs::read("record.xml")?)?;
//! // Store prepared.signed() first: a resend sends the same bytes.
//! match client.send(&prepared).await {
//!     Outcome::Delivered(answer) => println!("{:?}", answer.status()),
//!     Outcome::Rejected { reason, .. } => println!("rejected: {reason}"),
//!     Outcome::NotSent { reason } => println!("not sent, send again: {reason}"),
//!     Outcome::Uncertain { reason } => println!("ask for its status: {reason}"),
//!     _ => {}
//! }
//! # Ok(()) }
//! ```
//!
//! Nothing here logs or prints a record's content, a key or a personal
//! identity code: only operation names, DeliveryIds, statuses and error
//! kinds.

pub mod answer;
pub mod commands;
pub mod outcome;
pub mod poll;
pub mod prepare;
pub mod report;
pub mod request;
pub mod transport;

pub use outcome::{Answer, Field, NotSentReason, Outcome, RejectReason, UncertainReason};
pub use poll::{Followed, Schedule, Step};
pub use prepare::{PrepareError, Prepared};
pub use request::StatusQuery;

use crate::config::{Config, ConfigError, Polling};
use crate::operation::{self, Kind, Purpose};
use rustls::ClientConfig;
use std::sync::Arc;
use transport::{Endpoint, Failure, Limits};
use tulorekisteri::signature::Signer;

/// One of the organisation's certificates: the signer, and the same key
/// and certificate as the TLS client identity.
struct Identity {
    purpose: Purpose,
    signer: Signer,
    tls: Arc<ClientConfig>,
}

/// A client of the Register, made from a configuration: every configured
/// certificate is loaded, so a wrong setting shows before anything is sent.
pub struct Client {
    config_path: String,
    production: bool,
    endpoint: Endpoint,
    response_ca: Vec<Vec<u8>>,
    limits: Limits,
    polling: Polling,
    identities: Vec<Identity>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config_path)
            .field("production", &self.production)
            .field("endpoint", &self.endpoint)
            .field(
                "purposes",
                &self.identities.iter().map(|i| i.purpose).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Client {
    /// Loads every certificate of `config` and its TLS settings.
    pub fn new(config: &Config) -> Result<Client, ConfigError> {
        let at = |m: String| ConfigError(format!("{}: {m}", config.path.display()));
        let endpoint = Endpoint::parse(&config.base_url).map_err(|e| at(format!("base_url: {}", e.0)))?;
        let mut identities = vec![];
        for (purpose, _) in &config.certificates {
            let signer = config.signer(Some(*purpose)).map_err(|e| at(e.0))?;
            let tls = crate::tls::client_config(&signer, config.server_ca.as_deref())
                .map_err(|e| at(format!("certificates.{}: {e}", purpose.key())))?;
            identities.push(Identity {
                purpose: *purpose,
                signer,
                tls,
            });
        }
        Ok(Client {
            config_path: config.path.display().to_string(),
            production: config.production,
            endpoint,
            response_ca: config.response_ca.clone(),
            limits: Limits {
                connect: config.timeouts.connect,
                read: config.timeouts.read,
                answer: transport::DEFAULT_ANSWER_LIMIT,
            },
            polling: config.polling,
            identities,
        })
    }

    /// The largest answer read (default [`transport::DEFAULT_ANSWER_LIMIT`]).
    pub fn with_answer_limit(mut self, bytes: u64) -> Client {
        self.limits.answer = bytes;
        self
    }

    /// Whether the configuration is for production.
    pub fn production(&self) -> bool {
        self.production
    }

    /// The polling policy.
    pub fn polling(&self) -> &Polling {
        &self.polling
    }

    /// Where the Register is.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    fn identity(&self, purpose: Option<Purpose>) -> Result<&Identity, PrepareError> {
        let found = match purpose {
            Some(p) => self.identities.iter().find(|i| i.purpose == p),
            None => self.identities.first(),
        };
        found.ok_or_else(|| PrepareError::NoCertificate {
            config: self.config_path.clone(),
            purpose: purpose.unwrap_or(Purpose::Earnings),
        })
    }

    /// The signer for `purpose` (`None`: an Echo's, the first configured).
    pub fn signer(&self, purpose: Option<Purpose>) -> Result<&Signer, PrepareError> {
        self.identity(purpose).map(|i| &i.signer)
    }

    /// Checks and signs an unsigned record: XML, or the JSON object
    /// `tulorekisteri build` takes.
    pub fn prepare(&self, input: &[u8]) -> Result<Prepared, PrepareError> {
        prepare::prepare(prepare::xml_of(input)?, self.production, |p| self.signer(p))
    }

    /// Checks and signs the record a JSON object describes.
    pub fn prepare_object(&self, object: &serde_json::Value) -> Result<Prepared, PrepareError> {
        prepare::prepare(prepare::xml_of_object(object)?, self.production, |p| self.signer(p))
    }

    /// Sends a prepared record (its signed bytes, as they are) and checks
    /// the answer.
    pub async fn send(&self, prepared: &Prepared) -> Outcome {
        let operation = prepared.operation();
        let Ok(identity) = self.identity(prepared.purpose()) else {
            return Outcome::NotSent {
                reason: NotSentReason::NoCertificate(prepared.purpose()),
            };
        };
        let sent = transport::post(
            &self.endpoint,
            identity.tls.clone(),
            operation,
            prepared.signed(),
            self.limits,
        )
        .await;
        match sent {
            Ok(http) => self.check(prepared, http.status, &http.body),
            Err(Failure::NotSent(reason)) => Outcome::NotSent { reason },
            Err(Failure::Uncertain(reason)) => Outcome::Uncertain { reason },
        }
    }

    /// What an HTTP answer (`status`, `body`) to `prepared` means.
    pub fn check(&self, prepared: &Prepared, status: u16, body: &[u8]) -> Outcome {
        answer::check(prepared, status, body, &self.response_ca)
    }

    /// The status request of `query`, checked and signed with the
    /// certificate of its `DeliveryDataType`'s purpose.
    pub fn prepare_status(&self, query: &StatusQuery) -> Result<Prepared, PrepareError> {
        let ddt = query.asked_delivery_data_type();
        let purpose = operation::purpose("StatusRequestToIR", Some(ddt)).ok_or(PrepareError::NoPurpose(Some(ddt)))?;
        let signer = self.signer(Some(purpose))?;
        let business_id = request::business_id(&signer.certificate().subject).unwrap_or_default();
        self.prepare_object(&request::status_request(query, self.production, &business_id))
    }

    /// Asks `GetDeliveryDataStatus`.
    pub async fn status(&self, query: &StatusQuery) -> Result<Outcome, PrepareError> {
        let prepared = self.prepare_status(query)?;
        Ok(self.send(&prepared).await)
    }

    /// Sends an Echo of `text` (1 to 10 characters).
    pub async fn echo(&self, text: &str) -> Result<Outcome, PrepareError> {
        let prepared = self.prepare_object(&request::echo(text))?;
        Ok(self.send(&prepared).await)
    }

    /// Sends a query (a `DataRequestToIR` record, unsigned, XML or JSON).
    pub async fn query(&self, input: &[u8]) -> Result<Outcome, PrepareError> {
        let prepared = self.prepare(input)?;
        if prepared.operation().kind != Kind::Query {
            return Err(PrepareError::WrongKind {
                root: prepared.operation().request,
                expected: "a query (a DataRequestToIR record)",
            });
        }
        Ok(self.send(&prepared).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service can run the client's futures on a multi-threaded runtime.
    #[allow(dead_code)]
    fn futures_are_send(client: &Client, prepared: &Prepared, receipt: &tulorekisteri::Feedback) {
        fn send<T: Send>(_: T) {}
        fn shared<T: Send + Sync>(_: &T) {}
        shared(client);
        shared(prepared);
        send(client.send(prepared));
        send(client.status(&StatusQuery::new(100)));
        send(client.echo("ping"));
        send(client.query(b""));
        send(client.follow(prepared, receipt, None));
    }
}
