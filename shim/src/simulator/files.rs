//! Writing the simulator's files: atomically (a temporary file in the same
//! folder, flushed to disk, then renamed over the old one), and keys
//! readable by their owner only.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Mode of private keys, PKCS#12 stores, their passwords and personal data.
pub const SECRET: u32 = 0o600;
/// Mode of everything else.
pub const PUBLIC: u32 = 0o644;

fn open_with_mode(path: &Path, mode: u32) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        // The mode given at creation is narrowed by the umask: set it exactly.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok(file)
}

/// Writes `bytes` to `path` atomically: a reader sees the old file or the
/// new one, never a part, also after a crash.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = open_with_mode(&temp, mode)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)?;
        // The rename itself is made durable by flushing the folder.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Writes a file of `init` (atomically, with its mode).
pub fn write(path: &Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    write_atomic(path, bytes, mode).map_err(|e| format!("{}: {e}", path.display()))
}
