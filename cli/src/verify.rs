//! `tulorekisteri verify [--trust BUNDLE.pem] [--at TIME] [--signature-only] FILE...`
//!
//! One line per file: whether the signature verifies (digest and value),
//! whose certificate signed it, and whether that certificate is trusted
//! (chains to the bundle and is valid at the time). Exit status 0 when
//! every file verifies and its signer is trusted (with `--signature-only`:
//! when every signature verifies), 1 otherwise, 2 for usage or I/O errors.

use super::{usage_error, ArgReader, EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use tulorekisteri::signature::{parse_time, verify, Certificate, VerifyOptions};

struct Args {
    options: VerifyOptions,
    signature_only: bool,
    files: Vec<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut options = VerifyOptions::default();
    let mut signature_only = false;
    let mut files = vec![];
    let mut args = ArgReader::new(args);
    while let Some(name) = args.next_option(&mut files) {
        match name {
            "--trust" => {
                let path = args.value(name, "a PEM bundle")?;
                let pem = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
                options
                    .trust
                    .extend(Certificate::pem_bundle(&pem).map_err(|e| format!("{path}: {e}"))?);
            }
            "--at" => {
                let v = args.value(name, "a time YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")?;
                let at = parse_time(&v).ok_or(format!("--at needs YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, not {v:?}"))?;
                options.at = Some(at);
            }
            "--signature-only" => signature_only = true,
            s => return Err(format!("unknown option {s:?}")),
        }
    }
    if files.is_empty() {
        return Err("verify needs at least one FILE".into());
    }
    Ok(Args {
        options,
        signature_only,
        files,
    })
}

pub fn run(args: &[String]) -> u8 {
    let args = match parse(args) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let mut status = EXIT_OK;
    for file in &args.files {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("tulorekisteri: {file}: {e}");
                return EXIT_USAGE;
            }
        };
        match verify(&bytes, &args.options) {
            Err(e) => {
                println!("{file}: signature INVALID: {e}");
                status = EXIT_INVALID;
            }
            Ok(v) => {
                let signer = format!("signed by {} (issuer {})", v.signer.subject, v.signer.issuer);
                if v.trust.is_trusted() {
                    println!("{file}: signature valid; {signer}; certificate trusted");
                } else {
                    let verdict = if args.signature_only {
                        "not checked (--signature-only)"
                    } else {
                        "NOT TRUSTED"
                    };
                    println!(
                        "{file}: signature valid; {signer}; certificate {verdict}: {}",
                        v.trust.problems.join("; ")
                    );
                    if !args.signature_only {
                        status = EXIT_INVALID;
                    }
                }
            }
        }
    }
    status
}
