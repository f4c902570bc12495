//! The SFTP channel (TR §2.3, §4.2.3; NOTES.md §5.4): SSH protocol 2 with
//! only the algorithms the Register lists ([`algorithms`]), shared by the
//! client's channel and the simulator's SFTP server. [`settings`] is the
//! `[sftp]` section, [`session`] one connection to the server.

pub mod algorithms;
pub mod session;
pub mod settings;

pub use session::{Session, SftpError, UploadError};
pub use settings::SftpSettings;
