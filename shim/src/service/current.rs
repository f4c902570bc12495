//! The client in use. A renewed certificate makes a new client, which
//! replaces the old one whole: work in flight finishes with the client it
//! started with, the next claim takes the new one.

use crate::client::Client;
use std::sync::{Arc, RwLock};

/// The service's current client.
#[derive(Debug)]
pub struct CurrentClient(RwLock<Arc<Client>>);

impl CurrentClient {
    /// Starts with `client`.
    pub fn new(client: Client) -> CurrentClient {
        CurrentClient(RwLock::new(Arc::new(client)))
    }

    /// The client to use now.
    pub fn get(&self) -> Arc<Client> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Uses `client` from now on.
    pub fn replace(&self, client: Client) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(client);
    }
}
