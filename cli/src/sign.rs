//! `tulorekisteri sign (--key KEY --cert CERT [--passphrase-file F] |
//! --p12 FILE --password-file F) IN [-o OUT]`
//!
//! Writes the record signed (the Signature the last child of the root), to
//! OUT whole or not at all, or to standard output. Exit status 0 when
//! signed, 1 when the record cannot be signed (already signed, not
//! well-formed), 2 for usage, key or I/O errors.

use crate::record::{emit, read_or_report};
use crate::{EXIT_INVALID, EXIT_USAGE};
use clap::ArgGroup;
use tulorekisteri::signature::{sign, Signer};

/// Sign a record with an RSA key and its certificate, as the Register signs
#[derive(clap::Args)]
// One of a PEM key with its certificate or a PKCS#12 store with its password.
// The conflicts are spelt out: clap lets a required argument be missing when
// it conflicts with one given.
#[command(
    group(ArgGroup::new("key_source").args(["key", "p12"]).required(true)),
    override_usage = "tulorekisteri sign --key <KEY> --cert <CERT> [--passphrase-file <F>] [-o <OUT>] <IN>
       tulorekisteri sign --p12 <FILE> --password-file <F> [-o <OUT>] <IN>",
    args_override_self = true,
    after_help = "\
The Signature is added as the root's last child; every other byte stays as it was.
Exit status: 0 signed, 1 the record cannot be signed (already signed, not well-formed),
2 usage, key or I/O error."
)]
pub struct Args {
    /// RSA private key, PEM (PKCS#1, PKCS#8 or encrypted PKCS#8)
    #[arg(long, value_name = "KEY", requires = "cert")]
    key: Option<String>,
    /// The key's certificate, PEM
    #[arg(long, value_name = "CERT", requires = "key")]
    cert: Option<String>,
    /// File whose first line is the key's passphrase
    #[arg(long, value_name = "F", requires = "key", conflicts_with = "p12")]
    passphrase_file: Option<String>,
    /// PKCS#12 store of the key and its certificate
    #[arg(long, value_name = "FILE", requires = "password_file", conflicts_with = "cert")]
    p12: Option<String>,
    /// File whose first line is the store's password
    #[arg(long, value_name = "F", requires = "p12", conflicts_with_all = ["key", "cert"])]
    password_file: Option<String>,
    /// Write it here, whole or not at all [default: standard output]
    #[arg(short, long, value_name = "OUT")]
    output: Option<String>,
    /// Record to sign ('-' for standard input)
    #[arg(value_name = "IN")]
    input: String,
}

/// The passphrase: the file's first line (without its line end).
fn passphrase(path: &str) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    Ok(line.strip_suffix(b"\r").unwrap_or(line).to_vec())
}

fn signer(a: &Args) -> Result<Signer, String> {
    // The argument groups let through a PEM key with its certificate or a
    // store with its password file, nothing else.
    if let (Some(p12), Some(password_file)) = (&a.p12, &a.password_file) {
        let password = passphrase(password_file)?;
        let bytes = std::fs::read(p12).map_err(|e| format!("{p12}: {e}"))?;
        let password = String::from_utf8(password).map_err(|_| "the password is not UTF-8".to_string())?;
        return Signer::from_pkcs12(&bytes, &password).map_err(|e| format!("{p12}: {e}"));
    }
    let (Some(key), Some(cert)) = (&a.key, &a.cert) else {
        return Err("no key".into());
    };
    let passphrase = a.passphrase_file.as_deref().map(passphrase).transpose()?;
    let key_pem = std::fs::read_to_string(key).map_err(|e| format!("{key}: {e}"))?;
    let cert_pem = std::fs::read(cert).map_err(|e| format!("{cert}: {e}"))?;
    Signer::from_pem(&key_pem, &cert_pem, passphrase.as_deref()).map_err(|e| format!("{key}: {e}"))
}

pub fn run(a: Args) -> u8 {
    let signer = match signer(&a) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tulorekisteri: {e}");
            return EXIT_USAGE;
        }
    };
    let bytes = match read_or_report(&a.input) {
        Ok(b) => b,
        Err(status) => return status,
    };
    match sign(&bytes, &signer) {
        Ok(signed) => emit(a.output.as_deref(), &signed),
        Err(e) => {
            eprintln!("tulorekisteri: {}: {e}", a.input);
            EXIT_INVALID
        }
    }
}
