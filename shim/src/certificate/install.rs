//! Putting a new key and certificate where the configuration names them,
//! never leaving a pair that does not belong together:
//!
//! 1. both are written whole beside their targets as `<name>.new` (the
//!    key with mode 0600) and flushed to disk;
//! 2. the key and the certificate in place, each if there, are copied to
//!    `<name>.old` (flushed);
//! 3. the key is renamed over its target, then the certificate; if the
//!    second rename fails, the old key is put back;
//! 4. the folders are flushed and the `.old` copies removed.
//!
//! After a crash, [`recover`] (run by every `cert` command before it does
//! anything) takes the newest pair that belongs together among what is
//! left (`.new`, in place, `.old`), puts it in place and removes the rest.

use crate::simulator::files::{write_atomic, PUBLIC, SECRET};
use std::fs;
use std::path::{Path, PathBuf};
use tulorekisteri::signature::Signer;

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// Whether the key file and the certificate file belong together.
fn pair(key: &Path, cert: &Path, passphrase: Option<&[u8]>) -> bool {
    let (Ok(k), Ok(c)) = (fs::read_to_string(key), fs::read(cert)) else {
        return false;
    };
    Signer::from_pem(&k, &c, passphrase).is_ok()
}

fn rename(from: &Path, to: &Path) -> Result<(), String> {
    fs::rename(from, to).map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))
}

/// Completes or undoes an installation a crash interrupted: the newest
/// pair that belongs together is put in place, the other copies removed.
/// Whether anything was changed.
pub fn recover(key: &Path, cert: &Path, passphrase: Option<&[u8]>) -> Result<bool, String> {
    let (key_new, cert_new) = (with_suffix(key, ".new"), with_suffix(cert, ".new"));
    let (key_old, cert_old) = (with_suffix(key, ".old"), with_suffix(cert, ".old"));
    let leftovers = [&key_new, &cert_new, &key_old, &cert_old];
    if !leftovers.iter().any(|p| p.exists()) {
        return Ok(false);
    }
    // Newest first.
    let candidates = [
        (&key_new, &cert_new),
        (&key.to_path_buf(), &cert_new),
        (&key.to_path_buf(), &cert.to_path_buf()),
        (&key_old, &cert.to_path_buf()),
        (&key_old, &cert_old),
    ];
    let found = candidates
        .iter()
        .find(|(k, c)| k.exists() && c.exists() && pair(k, c, passphrase));
    let Some((k, c)) = found else {
        return Err(format!(
            "{} and {} do not belong together, and no earlier or later pair is left beside them",
            key.display(),
            cert.display()
        ));
    };
    if k.as_path() != key {
        rename(k, key)?;
    }
    if c.as_path() != cert {
        rename(c, cert)?;
    }
    sync_dir(key);
    sync_dir(cert);
    for p in leftovers {
        let _ = fs::remove_file(p);
    }
    Ok(true)
}

/// Installs `key_pem` and `cert_pem` at `key` and `cert` (see the module
/// documentation); the folders must exist or are made.
pub fn install(key: &Path, cert: &Path, key_pem: &[u8], cert_pem: &[u8]) -> Result<(), String> {
    install_renaming(key, cert, key_pem, cert_pem, rename)
}

/// [`install`], with the certificate put in place by `rename_cert` (tests
/// make it fail).
fn install_renaming(
    key: &Path,
    cert: &Path,
    key_pem: &[u8],
    cert_pem: &[u8],
    rename_cert: fn(&Path, &Path) -> Result<(), String>,
) -> Result<(), String> {
    for p in [key, cert] {
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    let (key_new, cert_new) = (with_suffix(key, ".new"), with_suffix(cert, ".new"));
    let (key_old, cert_old) = (with_suffix(key, ".old"), with_suffix(cert, ".old"));
    fn shown(p: &Path) -> impl Fn(std::io::Error) -> String + '_ {
        move |e| format!("{}: {e}", p.display())
    }
    write_atomic(&key_new, key_pem, SECRET).map_err(shown(&key_new))?;
    write_atomic(&cert_new, cert_pem, PUBLIC).map_err(shown(&cert_new))?;
    // Each copied on its own: a key without a certificate (or the other
    // way round) is kept too.
    let had_key = key.exists();
    if had_key {
        let old_key = fs::read(key).map_err(shown(key))?;
        write_atomic(&key_old, &old_key, SECRET).map_err(shown(&key_old))?;
    }
    if cert.exists() {
        let old_cert = fs::read(cert).map_err(shown(cert))?;
        write_atomic(&cert_old, &old_cert, PUBLIC).map_err(shown(&cert_old))?;
    }
    rename(&key_new, key)?;
    if let Err(e) = rename_cert(&cert_new, cert) {
        // The old key back beside the old certificate.
        let undo = match had_key {
            true => rename(&key_old, key),
            false => fs::remove_file(key).map_err(|e| e.to_string()),
        };
        if undo.is_ok() {
            // Kept otherwise: the next `cert` command pairs it with the new key.
            let _ = fs::remove_file(&cert_new);
            let _ = fs::remove_file(&cert_old);
        }
        return Err(match undo {
            Ok(()) => format!("{e}; the old pair is left in place"),
            Err(u) => format!("{e}; and putting the old key back failed: {u} (the next `cert` command recovers)"),
        });
    }
    sync_dir(key);
    sync_dir(cert);
    let _ = fs::remove_file(&key_old);
    let _ = fs::remove_file(&cert_old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key (PEM) and a self-signed certificate of it (PEM).
    fn pair_pem() -> (String, String) {
        let key = crate::certificate::keys::generate("1234567-1", Some("Testiyritys Oy")).unwrap();
        let rc = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&key.pem, &rcgen::PKCS_RSA_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(Vec::<String>::new())
            .unwrap()
            .self_signed(&rc)
            .unwrap();
        (key.pem, cert.pem())
    }

    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("shim-install-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut all: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        all.sort();
        all
    }

    #[test]
    fn a_failed_install_keeps_a_key_that_was_there_alone() {
        let (old_key, _) = pair_pem();
        let (new_key, new_cert) = pair_pem();
        let dir = folder("lone-key");
        let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
        fs::write(&key, &old_key).unwrap();
        let refuse = |_: &Path, _: &Path| Err("refused".to_string());
        let e = install_renaming(&key, &cert, new_key.as_bytes(), new_cert.as_bytes(), refuse).unwrap_err();
        assert!(e.contains("the old pair is left in place"), "{e}");
        assert_eq!(fs::read_to_string(&key).unwrap(), old_key);
        assert_eq!(names(&dir), ["key.pem"]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn names_get_their_suffix() {
        assert_eq!(
            with_suffix(Path::new("/a/org/key.pem"), ".new"),
            PathBuf::from("/a/org/key.pem.new")
        );
    }

    #[test]
    fn a_pair_replaces_the_old_one_and_a_crash_at_any_step_is_recovered() {
        let (old_key, old_cert) = pair_pem();
        let (new_key, new_cert) = pair_pem();
        let dir = folder("steps");
        let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
        let is = |k: &str, c: &str| fs::read_to_string(&key).unwrap() == k && fs::read_to_string(&cert).unwrap() == c;

        // Fresh, then over the old pair: nothing left beside it.
        install(&key, &cert, old_key.as_bytes(), old_cert.as_bytes()).unwrap();
        assert!(is(&old_key, &old_cert));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        }
        install(&key, &cert, new_key.as_bytes(), new_cert.as_bytes()).unwrap();
        assert!(is(&new_key, &new_cert));
        assert_eq!(names(&dir), ["cert.pem", "key.pem"]);
        assert!(!recover(&key, &cert, None).unwrap());

        let put = |name: &str, text: &str| fs::write(dir.join(name), text).unwrap();
        let reset = || {
            for n in names(&dir) {
                fs::remove_file(dir.join(n)).unwrap();
            }
        };
        // Killed between the two renames: the new key beside the old certificate.
        reset();
        put("key.pem", &new_key);
        put("cert.pem", &old_cert);
        put("cert.pem.new", &new_cert);
        put("key.pem.old", &old_key);
        put("cert.pem.old", &old_cert);
        assert!(recover(&key, &cert, None).unwrap());
        assert!(is(&new_key, &new_cert));
        assert_eq!(names(&dir), ["cert.pem", "key.pem"]);

        // Killed after both were written and the old pair copied.
        reset();
        put("key.pem", &old_key);
        put("cert.pem", &old_cert);
        put("key.pem.new", &new_key);
        put("cert.pem.new", &new_cert);
        put("key.pem.old", &old_key);
        assert!(recover(&key, &cert, None).unwrap());
        assert!(is(&new_key, &new_cert));

        // Killed while writing the new certificate: the old pair stays.
        reset();
        put("key.pem", &old_key);
        put("cert.pem", &old_cert);
        put("key.pem.new", &new_key);
        put("cert.pem.new", &new_cert[..new_cert.len() / 2]);
        assert!(recover(&key, &cert, None).unwrap());
        assert!(is(&old_key, &old_cert));
        assert_eq!(names(&dir), ["cert.pem", "key.pem"]);

        // Nothing that belongs together: an error, and nothing removed.
        reset();
        put("key.pem", &new_key);
        put("cert.pem", &old_cert);
        put("cert.pem.new", "not a certificate");
        let e = recover(&key, &cert, None).unwrap_err();
        assert!(e.contains("do not belong together"), "{e}");
        assert_eq!(names(&dir), ["cert.pem", "cert.pem.new", "key.pem"]);
        let _ = fs::remove_dir_all(&dir);
    }
}
