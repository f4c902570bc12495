//! The SFTP subsystem of one session: the account's folder
//! `DIR/sftp/<user>/` with `in/`, `feedback/` and `data/`. Records are
//! written to `in/` under a temporary name (`.part`) and renamed to their
//! final name (`.xml`); the rename hands the file to the intake. Nothing
//! outside the three folders is reachable, and files whose names begin
//! with a dot (the server's own temporary files) are not shown.
//! The `sftp-drop-during-upload` and `sftp-drop-before-rename` faults close
//! the connection here.

use super::intake::Job;
use super::{Shared, DATA, FEEDBACK, IN, TEMP_SUFFIX};
use crate::simulator::clock::{date_time, now};
use crate::simulator::faults::{SFTP_DROP_BEFORE_RENAME, SFTP_DROP_DURING_UPLOAD};
use russh::server::Handle as SshHandle;
use russh_sftp::protocol::{Attrs, Data, File, FileAttributes, Handle, Name, OpenFlags, Status, StatusCode, Version};
use russh_sftp::server::StatusReply;
use std::collections::HashMap;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The most a READ answers with.
const MAX_READ: u32 = 256 * 1024;

/// Where a path of the session points, below the account's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// The account's folder itself.
    Root,
    /// One of `in`, `feedback`, `data`.
    Folder(&'static str),
    /// A file in one of them.
    File(&'static str, String),
}

impl Place {
    /// Reads a client's path (`in/x.xml`, `/in/x.xml`, `./in`): only the
    /// three folders and the files directly in them.
    fn of(path: &str) -> Result<Place, StatusReply> {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
        let denied = |m: String| StatusReply::new(StatusCode::PermissionDenied).with_message(m);
        if parts.contains(&"..") {
            return Err(denied(format!("{path}: \"..\" leaves the account's folder")));
        }
        let folder = |name: &str| [IN, FEEDBACK, DATA].into_iter().find(|f| *f == name);
        match parts.as_slice() {
            [] => Ok(Place::Root),
            [f] => folder(f)
                .map(Place::Folder)
                .ok_or_else(|| no_such(&format!("{path}: the account has only in/, feedback/ and data/"))),
            [f, name] => {
                let f = folder(f).ok_or_else(|| no_such(&format!("{path}: no such folder")))?;
                if name.starts_with('.') {
                    return Err(no_such(&format!("{path}: no such file")));
                }
                Ok(Place::File(f, name.to_string()))
            }
            _ => Err(no_such(&format!("{path}: the folders hold no folders"))),
        }
    }

    /// The path the client sees (`/in/x.xml`).
    fn shown(&self) -> String {
        match self {
            Place::Root => "/".into(),
            Place::Folder(f) => format!("/{f}"),
            Place::File(f, name) => format!("/{f}/{name}"),
        }
    }
}

fn no_such(m: &str) -> StatusReply {
    StatusReply::new(StatusCode::NoSuchFile).with_message(m)
}

fn failure(m: String) -> StatusReply {
    StatusReply::new(StatusCode::Failure).with_message(m)
}

fn io_error(what: &str, e: std::io::Error) -> StatusReply {
    match e.kind() {
        std::io::ErrorKind::NotFound => no_such(&format!("{what}: no such file")),
        std::io::ErrorKind::AlreadyExists => failure(format!("{what}: already there")),
        _ => failure(format!("{what}: {e}")),
    }
}

/// Renames `old` to `new` unless `new` is there (SFTP version 3: a rename
/// does not replace a file). A hard link fails if `new` exists, in one
/// step, where checking first and renaming could replace a file made in
/// between.
fn rename_no_replace(old: &std::path::Path, new: &std::path::Path) -> std::io::Result<()> {
    fs::hard_link(old, new)?;
    if let Err(e) = fs::remove_file(old) {
        // Not renamed after all: one name, the old one.
        let _ = fs::remove_file(new);
        return Err(e);
    }
    Ok(())
}

fn ok(id: u32) -> Status {
    Status {
        id,
        status_code: StatusCode::Ok,
        error_message: "Ok".into(),
        language_tag: "en-US".into(),
    }
}

/// An open handle.
enum Opened {
    File {
        file: fs::File,
        shown: String,
        /// The `sftp-drop-during-upload` fault was drawn for this upload.
        drop: bool,
    },
    /// A folder's listing, sent whole on the first READDIR.
    Folder { listing: Option<Vec<File>> },
}

/// The SFTP subsystem of one authenticated session.
pub struct Files {
    shared: Arc<Shared>,
    user: String,
    root: PathBuf,
    /// The certificate (DER) the session signed in with.
    certificate: Vec<u8>,
    ssh: SshHandle,
    handles: HashMap<String, Opened>,
    next: u64,
}

impl Files {
    /// The subsystem of `user`, who signed in with `certificate`.
    pub fn new(shared: Arc<Shared>, user: String, certificate: Vec<u8>, ssh: SshHandle) -> Files {
        let root = shared.account_root(&user);
        Files {
            shared,
            user,
            root,
            certificate,
            ssh,
            handles: HashMap::new(),
            next: 0,
        }
    }

    fn path(&self, place: &Place) -> PathBuf {
        match place {
            Place::Root => self.root.clone(),
            Place::Folder(f) => self.root.join(f),
            Place::File(f, name) => self.root.join(f).join(name),
        }
    }

    fn log(&self, what: &str) {
        eprintln!("{} sftp {}: {what}", date_time(now()), self.user);
    }

    /// Closes the SSH connection (a fault), and answers nothing: the
    /// session ends before the request's status would be sent.
    async fn drop_connection(&self, fault: &str) -> StatusReply {
        self.log(&format!("connection closed; fault: {fault}"));
        let _ = self
            .ssh
            .disconnect(
                russh::Disconnect::ByApplication,
                format!("closed by the simulator ({fault})"),
                "en".into(),
            )
            .await;
        // The session is going away; this reply should never reach the client.
        tokio::time::sleep(Duration::from_secs(2)).await;
        StatusReply::new(StatusCode::Failure).with_message("the connection was closed")
    }

    fn listing(&self, place: &Place) -> Result<Vec<File>, StatusReply> {
        let mut files = vec![];
        match place {
            Place::Root => {
                for f in [IN, FEEDBACK, DATA] {
                    let meta = fs::metadata(self.root.join(f)).map_err(|e| io_error(f, e))?;
                    files.push(File::new(f, FileAttributes::from(&meta)));
                }
            }
            Place::Folder(_) => {
                let path = self.path(place);
                let entries = fs::read_dir(&path).map_err(|e| io_error(&place.shown(), e))?;
                for entry in entries.filter_map(Result::ok) {
                    let Ok(name) = entry.file_name().into_string() else {
                        continue;
                    };
                    if name.starts_with('.') {
                        continue;
                    }
                    let Ok(meta) = entry.metadata() else { continue };
                    if meta.is_file() {
                        files.push(File::new(name, FileAttributes::from(&meta)));
                    }
                }
                files.sort_by(|a, b| a.filename.cmp(&b.filename));
            }
            Place::File(..) => return Err(failure(format!("{}: not a folder", place.shown()))),
        }
        Ok(files)
    }

    fn handle(&mut self, opened: Opened) -> String {
        self.next += 1;
        let h = format!("h{}", self.next);
        self.handles.insert(h.clone(), opened);
        h
    }

    fn stat_of(&self, id: u32, path: &str) -> Result<Attrs, StatusReply> {
        let place = Place::of(path)?;
        let meta = fs::metadata(self.path(&place)).map_err(|e| io_error(&place.shown(), e))?;
        Ok(Attrs {
            id,
            attrs: FileAttributes::from(&meta),
        })
    }
}

impl russh_sftp::server::Handler for Files {
    type Error = StatusReply;

    fn unimplemented(&self) -> Self::Error {
        StatusReply::new(StatusCode::OpUnsupported).with_message("not offered by this server")
    }

    async fn init(&mut self, _version: u32, _extensions: HashMap<String, String>) -> Result<Version, Self::Error> {
        Ok(Version::new())
    }

    async fn open(
        &mut self,
        id: u32,
        filename: String,
        pflags: OpenFlags,
        _attrs: FileAttributes,
    ) -> Result<Handle, Self::Error> {
        let place = Place::of(&filename)?;
        let Place::File(folder, name) = &place else {
            return Err(failure(format!("{}: a folder, not a file", place.shown())));
        };
        let writes = pflags.intersects(OpenFlags::WRITE | OpenFlags::APPEND | OpenFlags::CREATE | OpenFlags::TRUNCATE);
        let mut drop = false;
        if writes {
            // Records arrive in in/ under a temporary name only: the rename
            // to the final name is what hands one over.
            if *folder != IN || !name.ends_with(TEMP_SUFFIX) {
                return Err(StatusReply::new(StatusCode::PermissionDenied).with_message(format!(
                    "{}: upload to in/NAME.xml{TEMP_SUFFIX}, then rename it to in/NAME.xml",
                    place.shown()
                )));
            }
            drop = self.shared.faults().draw_sftp(SFTP_DROP_DURING_UPLOAD);
        }
        let mut options: fs::OpenOptions = pflags.into();
        if !pflags.contains(OpenFlags::READ) && !writes {
            options.read(true);
        }
        let file = options
            .open(self.path(&place))
            .map_err(|e| io_error(&place.shown(), e))?;
        let shown = place.shown();
        let handle = self.handle(Opened::File { file, shown, drop });
        Ok(Handle { id, handle })
    }

    async fn close(&mut self, id: u32, handle: String) -> Result<Status, Self::Error> {
        match self.handles.remove(&handle) {
            Some(_) => Ok(ok(id)),
            None => Err(failure(format!("no open handle {handle:?}"))),
        }
    }

    async fn read(&mut self, id: u32, handle: String, offset: u64, len: u32) -> Result<Data, Self::Error> {
        let Some(Opened::File { file, shown, .. }) = self.handles.get_mut(&handle) else {
            return Err(failure(format!("no open file {handle:?}")));
        };
        let shown = shown.clone();
        file.seek(SeekFrom::Start(offset)).map_err(|e| io_error(&shown, e))?;
        let mut data = vec![0; len.min(MAX_READ) as usize];
        let mut filled = 0;
        while filled < data.len() {
            match file.read(&mut data[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(&shown, e)),
            }
        }
        if filled == 0 && len > 0 {
            return Err(StatusReply::new(StatusCode::Eof));
        }
        data.truncate(filled);
        Ok(Data { id, data })
    }

    async fn write(&mut self, id: u32, handle: String, offset: u64, data: Vec<u8>) -> Result<Status, Self::Error> {
        let Some(Opened::File { file, shown, drop }) = self.handles.get_mut(&handle) else {
            return Err(failure(format!("no open file {handle:?}")));
        };
        let shown = shown.clone();
        // The fault: about half of the upload's bytes (half of its first
        // write) reach the file, then the connection closes.
        let (bytes, dropping) = match *drop {
            true => (&data[..data.len() / 2], true),
            false => (&data[..], false),
        };
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.write_all(bytes))
            .and_then(|_| file.flush())
            .map_err(|e| io_error(&shown, e))?;
        if dropping {
            return Err(self.drop_connection(SFTP_DROP_DURING_UPLOAD).await);
        }
        Ok(ok(id))
    }

    async fn lstat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        self.stat_of(id, &path)
    }

    async fn stat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        self.stat_of(id, &path)
    }

    async fn fstat(&mut self, id: u32, handle: String) -> Result<Attrs, Self::Error> {
        match self.handles.get(&handle) {
            Some(Opened::File { file, shown, .. }) => {
                let meta = file.metadata().map_err(|e| io_error(shown, e))?;
                Ok(Attrs {
                    id,
                    attrs: FileAttributes::from(&meta),
                })
            }
            _ => Err(failure(format!("no open file {handle:?}"))),
        }
    }

    async fn setstat(&mut self, id: u32, path: String, _attrs: FileAttributes) -> Result<Status, Self::Error> {
        // Times and modes are the server's own: accepted, and left as they are.
        let place = Place::of(&path)?;
        fs::metadata(self.path(&place)).map_err(|e| io_error(&place.shown(), e))?;
        Ok(ok(id))
    }

    async fn fsetstat(&mut self, id: u32, handle: String, _attrs: FileAttributes) -> Result<Status, Self::Error> {
        match self.handles.contains_key(&handle) {
            true => Ok(ok(id)),
            false => Err(failure(format!("no open handle {handle:?}"))),
        }
    }

    async fn opendir(&mut self, id: u32, path: String) -> Result<Handle, Self::Error> {
        let place = Place::of(&path)?;
        let listing = self.listing(&place)?;
        let handle = self.handle(Opened::Folder { listing: Some(listing) });
        Ok(Handle { id, handle })
    }

    async fn readdir(&mut self, id: u32, handle: String) -> Result<Name, Self::Error> {
        match self.handles.get_mut(&handle) {
            Some(Opened::Folder { listing }) => match listing.take() {
                Some(files) if !files.is_empty() => Ok(Name { id, files }),
                _ => Err(StatusReply::new(StatusCode::Eof)),
            },
            _ => Err(failure(format!("no open folder {handle:?}"))),
        }
    }

    async fn remove(&mut self, id: u32, filename: String) -> Result<Status, Self::Error> {
        let place = Place::of(&filename)?;
        match &place {
            Place::File(f, _) if *f == IN || *f == FEEDBACK => {}
            _ => {
                return Err(StatusReply::new(StatusCode::PermissionDenied).with_message(format!(
                    "{}: only files of in/ and feedback/ can be removed",
                    place.shown()
                )))
            }
        }
        fs::remove_file(self.path(&place)).map_err(|e| io_error(&place.shown(), e))?;
        Ok(ok(id))
    }

    async fn mkdir(&mut self, _id: u32, path: String, _attrs: FileAttributes) -> Result<Status, Self::Error> {
        Err(StatusReply::new(StatusCode::PermissionDenied).with_message(format!("{path}: no folders can be made")))
    }

    async fn rmdir(&mut self, _id: u32, path: String) -> Result<Status, Self::Error> {
        Err(StatusReply::new(StatusCode::PermissionDenied).with_message(format!("{path}: no folders can be removed")))
    }

    async fn realpath(&mut self, id: u32, path: String) -> Result<Name, Self::Error> {
        let place = Place::of(&path)?;
        Ok(Name {
            id,
            files: vec![File::dummy(place.shown())],
        })
    }

    async fn rename(&mut self, id: u32, oldpath: String, newpath: String) -> Result<Status, Self::Error> {
        let (from, to) = (Place::of(&oldpath)?, Place::of(&newpath)?);
        let (Place::File(IN, _), Place::File(IN, name)) = (&from, &to) else {
            return Err(StatusReply::new(StatusCode::PermissionDenied).with_message(format!(
                "{} to {}: only files of in/ can be renamed, within in/",
                from.shown(),
                to.shown()
            )));
        };
        let name = name.clone();
        let final_name = name.ends_with(".xml");
        if final_name && self.shared.faults().draw_sftp(SFTP_DROP_BEFORE_RENAME) {
            return Err(self.drop_connection(SFTP_DROP_BEFORE_RENAME).await);
        }
        let (old, new) = (self.path(&from), self.path(&to));
        if !old.is_file() {
            return Err(no_such(&format!("{}: no such file", from.shown())));
        }
        rename_no_replace(&old, &new).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => failure(format!(
                "{}: already there (a record of that name is being taken in)",
                to.shown()
            )),
            _ => io_error(&from.shown(), e),
        })?;
        if final_name {
            self.log(&format!("{} renamed to {}: taken in", from.shown(), to.shown()));
            self.shared.take(Job {
                user: self.user.clone(),
                name,
                certificate: Some(self.certificate.clone()),
            });
        }
        Ok(ok(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rename_never_replaces_a_file() {
        let dir = std::env::temp_dir().join(format!("sftp-rename-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let (old, new) = (dir.join("a.xml.part"), dir.join("a.xml"));
        fs::write(&old, "second").unwrap();
        fs::write(&new, "first").unwrap();
        let e = rename_no_replace(&old, &new).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&new).unwrap(), "first");
        assert_eq!(fs::read_to_string(&old).unwrap(), "second");
        fs::remove_file(&new).unwrap();
        rename_no_replace(&old, &new).unwrap();
        assert_eq!(fs::read_to_string(&new).unwrap(), "second");
        assert!(!old.exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn paths_stay_in_the_account() {
        assert_eq!(Place::of("/").unwrap(), Place::Root);
        assert_eq!(Place::of(".").unwrap(), Place::Root);
        assert_eq!(Place::of("in").unwrap(), Place::Folder(IN));
        assert_eq!(
            Place::of("/in/x.xml.part").unwrap(),
            Place::File(IN, "x.xml.part".into())
        );
        assert_eq!(
            Place::of("./feedback//x.xml").unwrap(),
            Place::File(FEEDBACK, "x.xml".into())
        );
        for bad in ["../x", "in/../../x", "other", "in/a/b", "feedback/.x.xml.1.tmp"] {
            assert!(Place::of(bad).is_err(), "{bad}");
        }
    }
}
