//! `tulorekisteri verify [--trust BUNDLE.pem] [--at TIME] [--signature-only] FILE...`
//!
//! One line per file: whether the signature verifies (digest and value),
//! whose certificate signed it, and whether that certificate is trusted
//! (chains to the bundle and is valid at the time). Exit status 0 when
//! every file verifies and its signer is trusted (with `--signature-only`:
//! when every signature verifies), 1 otherwise, 2 for usage or I/O errors.

use crate::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use tulorekisteri::signature::{parse_time, verify, Certificate, VerifyOptions};

/// Check a signed record's signature and its certificate's trust
#[derive(clap::Args)]
#[command(
    args_override_self = true,
    after_help = "\
One line per file: whether the signature (digest and value) verifies, who signed it, and
whether the certificate is trusted: valid at --at and chaining to a --trust certificate.
Exit status: 0 every signature verifies and its certificate is trusted (with
--signature-only: every signature verifies), 1 otherwise, 2 usage or I/O error."
)]
pub struct Args {
    /// Trusted certificates, a PEM bundle (may be repeated)
    #[arg(long, value_name = "BUNDLE.pem")]
    trust: Vec<String>,
    /// Certificate validity time: YYYY-MM-DD[Thh:mm:ssZ] [default: now]
    #[arg(long, value_name = "TIME", value_parser = time)]
    at: Option<i64>,
    /// Leave the certificate's trust out of the exit status
    #[arg(long)]
    signature_only: bool,
    /// Signed records
    #[arg(value_name = "FILE", required = true)]
    files: Vec<String>,
}

fn time(v: &str) -> Result<i64, String> {
    parse_time(v).ok_or_else(|| "expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ".into())
}

/// The options of the verification: the bundles read, and the time.
fn options(args: &Args) -> Result<VerifyOptions, String> {
    let mut options = VerifyOptions::default();
    options.at = args.at;
    for path in &args.trust {
        let pem = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        options
            .trust
            .extend(Certificate::pem_bundle(&pem).map_err(|e| format!("{path}: {e}"))?);
    }
    Ok(options)
}

pub fn run(args: Args) -> u8 {
    let options = match options(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("tulorekisteri: {e}");
            return EXIT_USAGE;
        }
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
        match verify(&bytes, &options) {
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
