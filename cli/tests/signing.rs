//! The sign and verify commands: a record signed with the test PKI's leaf
//! (tests/support/pki.rs) verifies against its CA, from a PEM key or a
//! PKCS#12 store; the official samples verify, with their expired
//! certificate reported in plain words.

// Signing is native only.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../../tests/support/pki.rs"]
mod pki;
#[path = "../../tests/support/workspace.rs"]
mod workspace;

use pki::{pki, trust};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use std::process::Command;
use tulorekisteri::signature::{sign, verify, KeyError, Signer};
use workspace::{samples, signer_pem};

#[test]
fn the_sign_command_signs_and_verify_trusts_it() {
    let dir = workspace::work_dir("sign-cli");
    let leaf = &pki().leaf;
    let encrypted = leaf
        .key
        .to_pkcs8_encrypted_pem(&mut rand_core::OsRng, b"salasana", LineEnding::LF)
        .unwrap();
    std::fs::write(dir.join("key.pem"), encrypted.as_bytes()).unwrap();
    std::fs::write(dir.join("pass.txt"), "salasana\n").unwrap();
    std::fs::write(dir.join("cert.pem"), &leaf.cert_pem).unwrap();
    std::fs::write(dir.join("ca.pem"), &pki().ca.cert_pem).unwrap();
    let path = |f: &str| dir.join(f).to_str().unwrap().to_string();
    let run = |args: &[String]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tulorekisteri"))
            .args(args)
            .output()
            .unwrap()
    };
    let example = workspace::fixture("wage-report.xml").to_str().unwrap().to_string();
    let args = |extra: &[&str]| {
        let mut a: Vec<String> = ["sign", "--key", &path("key.pem"), "--cert", &path("cert.pem")]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let out = run(&args(&[
        "--passphrase-file",
        &path("pass.txt"),
        &example,
        "-o",
        &path("signed.xml"),
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let verified = run(&["verify".into(), "--trust".into(), path("ca.pem"), path("signed.xml")]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    // Already signed: refused, and the output file is left as it was.
    let again = run(&args(&[
        "--passphrase-file",
        &path("pass.txt"),
        &path("signed.xml"),
        "-o",
        &path("signed.xml"),
    ]));
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already signed"));
    // Without the passphrase, or with PKCS#12: a clear usage error.
    let no_pass = run(&args(&[&example]));
    assert_eq!(no_pass.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_pass.stderr).contains("passphrase"));
    // A PKCS#12 store made by openssl, its password in a file.
    let p12 = path("leaf.p12");
    std::fs::write(
        dir.join("plain-key.pem"),
        leaf.key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    let made = std::process::Command::new("openssl")
        .args([
            "pkcs12",
            "-export",
            "-passout",
            "pass:salasana",
            "-inkey",
            &path("plain-key.pem"),
        ])
        .args(["-in", &path("cert.pem"), "-out", &p12])
        .status();
    if made.is_ok_and(|s| s.success()) {
        let out = run(&[
            "sign".into(),
            "--p12".into(),
            p12.clone(),
            "--password-file".into(),
            path("pass.txt"),
            example.clone(),
            "-o".into(),
            path("signed-p12.xml"),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let verified = run(&[
            "verify".into(),
            "--trust".into(),
            path("ca.pem"),
            path("signed-p12.xml"),
        ]);
        assert_eq!(verified.status.code(), Some(0));
        std::fs::write(dir.join("wrong.txt"), "väärä\n").unwrap();
        let wrong = run(&[
            "sign".into(),
            "--p12".into(),
            p12,
            "--password-file".into(),
            path("wrong.txt"),
            example,
        ]);
        assert_eq!(wrong.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&wrong.stderr).contains("wrong password"));
        // The legacy store of older tools (3DES key, RC2-40 certificates, SHA-1 MAC).
        let legacy = path("legacy.p12");
        let made = std::process::Command::new("openssl")
            .args([
                "pkcs12",
                "-export",
                "-legacy",
                "-passout",
                "pass:salasana",
                "-inkey",
                &path("plain-key.pem"),
            ])
            .args(["-in", &path("cert.pem"), "-out", &legacy])
            .status();
        if made.is_ok_and(|s| s.success()) {
            let bytes = std::fs::read(&legacy).unwrap();
            let s = Signer::from_pkcs12(&bytes, "salasana").unwrap();
            let record = std::fs::read(workspace::fixture("wage-report.xml")).unwrap();
            assert!(verify(&sign(&record, &s).unwrap(), &trust())
                .unwrap()
                .trust
                .is_trusted());
            let wrong = Signer::from_pkcs12(&bytes, "väärä").unwrap_err();
            assert!(matches!(wrong, KeyError::Store(_)) && wrong.to_string().contains("wrong password"));
        } else {
            println!("skipped the legacy PKCS#12 part: this openssl cannot write legacy stores");
        }
    } else {
        workspace::skip("openssl is not installed, so the PKCS#12 part did not run");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_verify_command_says_so_plainly() {
    let files = samples();
    let Some(first) = files.first() else { return };
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tulorekisteri"))
            .arg("verify")
            .args(args)
            .output()
            .unwrap()
    };
    let path = first.to_str().unwrap();
    let out = run(&[path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("signature valid") && stdout.contains("NOT TRUSTED") && stdout.contains("expired"),
        "{stdout}"
    );
    let out = run(&["--signature-only", path]);
    assert_eq!(out.status.code(), Some(0));
    let dir = std::env::temp_dir().join(format!("tulorekisteri-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("signer.pem");
    std::fs::write(&bundle, signer_pem(&std::fs::read_to_string(first).unwrap())).unwrap();
    let out = run(&["--trust", bundle.to_str().unwrap(), "--at", "2021-06-01", path]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let changed = dir.join("changed.xml");
    let text = std::fs::read_to_string(first)
        .unwrap()
        .replacen("<ReportId>", "<ReportId>X", 1);
    std::fs::write(&changed, text).unwrap();
    let out = run(&["--signature-only", changed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("signature INVALID: the digest does not match"));
    assert_eq!(run(&[]).status.code(), Some(2));
    assert_eq!(run(&["--at", "yesterday", path]).status.code(), Some(2));
    assert_eq!(run(&["/nonexistent.xml"]).status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
