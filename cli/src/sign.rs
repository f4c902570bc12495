//! `tulorekisteri sign (--key KEY --cert CERT [--passphrase-file F] |
//! --p12 FILE --password-file F) IN [-o OUT]`
//!
//! Writes the record signed (the Signature the last child of the root), to
//! OUT whole or not at all, or to standard output. Exit status 0 when
//! signed, 1 when the record cannot be signed (already signed, not
//! well-formed), 2 for usage, key or I/O errors.

use super::record::{emit, read_input};
use super::{usage_error, ArgReader, EXIT_INVALID, EXIT_USAGE};
use tulorekisteri::signature::{sign, Signer};

struct Args {
    key: Option<String>,
    cert: Option<String>,
    passphrase_file: Option<String>,
    p12: Option<String>,
    output: Option<String>,
    input: String,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        key: None,
        cert: None,
        passphrase_file: None,
        p12: None,
        output: None,
        input: String::new(),
    };
    let mut inputs = vec![];
    let mut args = ArgReader::new(args);
    while let Some(name) = args.next_option(&mut inputs) {
        match name {
            "--key" => a.key = Some(args.value(name, "a PEM key file")?),
            "--cert" => a.cert = Some(args.value(name, "a PEM certificate file")?),
            "--passphrase-file" => a.passphrase_file = Some(args.value(name, "a file")?),
            "--p12" => a.p12 = Some(args.value(name, "a PKCS#12 file")?),
            // The PKCS#12 password, read like a PEM key's passphrase.
            "--password-file" => a.passphrase_file = Some(args.value(name, "a file")?),
            "-o" | "--output" => a.output = Some(args.value(name, "a file name")?),
            s => return Err(format!("unknown option {s:?}")),
        }
    }
    a.input = match &inputs[..] {
        [one] => one.clone(),
        [] => return Err("sign needs the record to sign ('-' for standard input)".into()),
        _ => return Err("sign takes one record".into()),
    };
    match (&a.key, &a.cert, &a.p12, &a.passphrase_file) {
        (Some(_), Some(_), None, _) | (None, None, Some(_), Some(_)) => Ok(a),
        (None, None, Some(_), None) => Err("--p12 needs --password-file".into()),
        _ => Err("sign needs --key KEY and --cert CERT, or --p12 FILE and --password-file F".into()),
    }
}

/// The passphrase: the file's first line (without its line end).
fn passphrase(path: &str) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    Ok(line.strip_suffix(b"\r").unwrap_or(line).to_vec())
}

fn signer(a: &Args) -> Result<Signer, String> {
    let passphrase = a.passphrase_file.as_deref().map(passphrase).transpose()?;
    if let Some(p12) = &a.p12 {
        let bytes = std::fs::read(p12).map_err(|e| format!("{p12}: {e}"))?;
        let password =
            String::from_utf8(passphrase.unwrap_or_default()).map_err(|_| "the password is not UTF-8".to_string())?;
        return Signer::from_pkcs12(&bytes, &password).map_err(|e| format!("{p12}: {e}"));
    }
    let (Some(key), Some(cert)) = (&a.key, &a.cert) else {
        return Err("no key".into());
    };
    let key_pem = std::fs::read_to_string(key).map_err(|e| format!("{key}: {e}"))?;
    let cert_pem = std::fs::read(cert).map_err(|e| format!("{cert}: {e}"))?;
    Signer::from_pem(&key_pem, &cert_pem, passphrase.as_deref()).map_err(|e| format!("{key}: {e}"))
}

pub fn run(args: &[String]) -> u8 {
    let a = match parse(args) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let signer = match signer(&a) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tulorekisteri: {e}");
            return EXIT_USAGE;
        }
    };
    let bytes = match read_input(&a.input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("tulorekisteri: {}: {e}", a.input);
            return EXIT_USAGE;
        }
    };
    match sign(&bytes, &signer) {
        Ok(signed) => emit(a.output.as_deref(), &signed),
        Err(e) => {
            eprintln!("tulorekisteri: {}: {e}", a.input);
            EXIT_INVALID
        }
    }
}
