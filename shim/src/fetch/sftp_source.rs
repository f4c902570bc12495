//! The SFTP account's data folder (`[sftp] data_dir`) as a fetch source,
//! through the client's SFTP session.

use super::Source;
use crate::config::Timeouts;
use crate::sftp::{Session, SftpError, SftpSettings};

/// One connection to the account.
pub struct Account {
    session: Session,
    data_dir: String,
}

impl Account {
    /// Connects with the `[sftp]` settings.
    pub async fn connect(settings: &SftpSettings, timeouts: &Timeouts) -> Result<Account, SftpError> {
        Ok(Account {
            session: Session::connect(settings, timeouts).await?,
            data_dir: settings.data_dir.trim_end_matches('/').to_string(),
        })
    }

    /// Closes the connection.
    pub async fn close(self) {
        self.session.close().await;
    }
}

impl Source for Account {
    async fn list(&mut self) -> Result<Vec<String>, String> {
        self.session.list(&self.data_dir).await.map_err(|e| e.to_string())
    }

    async fn read(&mut self, name: &str) -> Result<Vec<u8>, String> {
        let path = format!("{}/{name}", self.data_dir);
        self.session.read(&path).await.map_err(|e| e.to_string())
    }
}
