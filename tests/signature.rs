//! Verifying signatures: the 13 official samples verify (digest and RSA-SHA256
//! value), their certificate is reported expired and untrusted, one changed
//! character of signed content breaks them, and wrapping tricks are refused.

// Signatures and their digests are native only.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/workspace.rs"]
mod workspace;

use tulorekisteri::signature::{parse_time, verify, Certificate, SignatureError, VerifyOptions};
use workspace::{samples, signer_pem};

fn first_sample() -> Option<String> {
    samples().first().map(|p| std::fs::read_to_string(p).unwrap())
}

#[test]
fn every_sample_verifies_and_its_certificate_is_reported_expired_and_untrusted() {
    let files = samples();
    if files.is_empty() {
        workspace::skip("../shared/reference/ir/samples is absent");
        return;
    }
    for p in &files {
        let bytes = std::fs::read(p).unwrap();
        let v = verify(&bytes, &VerifyOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(v.signer.subject.contains("CN=7013454-9"), "{}", v.signer.subject);
        assert!(v.signer.issuer.contains("Data Providers Test Issuing CA v1"));
        assert!(!v.trust.is_trusted());
        let problems = v.trust.problems.join("; ");
        assert!(problems.contains("expired on 2022-04-23"), "{problems}");
        assert!(problems.contains("no trust bundle"), "{problems}");
    }
}

#[test]
fn a_pinned_certificate_is_trusted_while_valid() {
    let Some(text) = first_sample() else { return };
    let trust = Certificate::pem_bundle(signer_pem(&text).as_bytes()).unwrap();
    let options = |at: &str| {
        VerifyOptions::default()
            .trust(trust.clone())
            .at(parse_time(at).unwrap())
    };
    let v = verify(text.as_bytes(), &options("2021-06-01")).unwrap();
    assert!(v.trust.is_trusted(), "{:?}", v.trust);
    let v = verify(text.as_bytes(), &options("2023-01-01T12:00:00Z")).unwrap();
    assert_eq!(v.trust.problems.len(), 1, "{:?}", v.trust);
    assert!(v.trust.problems[0].starts_with("the certificate expired on 2022-04-23"));
    // A bundle that holds no readable certificate is refused.
    let other = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZ\n-----END CERTIFICATE-----\n";
    assert!(Certificate::pem_bundle(other.as_bytes()).is_err());
}

/// Flips an ASCII letter or digit to another.
fn flip(b: u8) -> u8 {
    match b {
        b'0'..=b'8' | b'a'..=b'y' | b'A'..=b'Y' => b + 1,
        b'9' => b'0',
        b'z' => b'a',
        _ => b'A',
    }
}

#[test]
fn one_changed_character_of_signed_content_breaks_the_signature() {
    for p in samples() {
        let bytes = std::fs::read(&p).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let content = text.find("?>").unwrap() + 2..text.find("<Signature").unwrap();
        // Comments are not signed (Reference URI="" leaves them out).
        let comments: Vec<(usize, usize)> = text
            .match_indices("<!--")
            .map(|(i, _)| (i, i + text[i..].find("-->").unwrap() + 3))
            .collect();
        let candidates: Vec<usize> = content
            .filter(|&i| bytes[i].is_ascii_alphanumeric() && !comments.iter().any(|&(a, z)| (a..z).contains(&i)))
            .collect();
        assert!(candidates.len() > 500, "{}", p.display());
        let step = candidates.len() / 25;
        for &i in candidates.iter().step_by(step) {
            let mut changed = bytes.clone();
            changed[i] = flip(changed[i]);
            let result = verify(&changed, &VerifyOptions::default());
            assert!(result.is_err(), "{} byte {i} changed and still verifies", p.display());
        }
        // A changed comment still verifies.
        if let Some(&(a, _)) = comments.first() {
            let mut changed = bytes.clone();
            changed[a + 5] = flip(changed[a + 5]);
            assert!(verify(&changed, &VerifyOptions::default()).is_ok());
        }
        // A changed signature value or digest does not.
        for marker in ["<SignatureValue>", "<DigestValue>"] {
            let at = text.find(marker).unwrap() + marker.len() + 3;
            let mut changed = bytes.clone();
            changed[at] = flip(changed[at]);
            let e = verify(&changed, &VerifyOptions::default()).unwrap_err();
            assert!(
                matches!(e, SignatureError::SignatureValue | SignatureError::Digest),
                "{e}"
            );
        }
    }
}

#[test]
fn wrapping_tricks_and_other_algorithms_are_refused() {
    let Some(text) = first_sample() else { return };
    let signature = &text[text.find("<Signature").unwrap()..text.find("</Signature>").unwrap() + 12];
    let root_end = text.rfind("</").unwrap();
    let cases: Vec<(String, &str)> = vec![
        (
            text.replacen("<DeliveryData>", &format!("<DeliveryData>{signature}"), 1),
            "child of the root",
        ),
        (
            format!("{}{signature}{}", &text[..root_end], &text[root_end..]),
            "Signature elements",
        ),
        (
            text.replacen(
                "</DeliveryData>",
                "</DeliveryData><SignedInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>",
                1,
            ),
            "outside the Signature",
        ),
        (
            text.replacen("<Reference URI=\"\">", "<Reference URI=\"#x\">", 1),
            "URI=\"\"",
        ),
        (text.replacen("xmlenc#sha256", "xmldsig#sha1", 1), "DigestMethod"),
        (
            text.replacen("xmldsig-more#rsa-sha256", "xmldsig#rsa-sha1", 1),
            "SignatureMethod",
        ),
        (text.replacen(signature, "", 1), "no Signature"),
        // Whatever follows the signed root is not signed, so it is refused.
        (format!("{text}junk"), "text outside the root element"),
        (format!("{text}<?xml version=\"1.0\"?>"), "very start"),
        // A declaration after anything at all is a reserved PI, even after a
        // comment, which the canonical form leaves out.
        (format!("<!-- first -->{text}"), "very start"),
        (format!("\u{FEFF} {text}"), "very start"),
    ];
    for (xml, expected) in cases {
        let e = verify(xml.as_bytes(), &VerifyOptions::default()).unwrap_err();
        assert!(e.to_string().contains(expected), "{e} (expected {expected:?})");
    }
    // An element after the Signature.
    let after = format!(
        "{}{signature}<X/>{}",
        &text[..text.find("<Signature").unwrap()],
        &text[root_end..]
    );
    let e = verify(after.as_bytes(), &VerifyOptions::default()).unwrap_err();
    assert!(e.to_string().contains("last child"), "{e}");
}
