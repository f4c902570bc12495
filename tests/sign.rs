//! Signing: records signed with test certificates (tests/support/pki.rs,
//! rcgen: a test CA, a leaf, an expired leaf, a leaf of another CA) verify, their trust is
//! what the certificate is worth, keys load from every PEM form, and a
//! signed record is its input with the Signature added.

// Signing is native only.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/pki.rs"]
mod pki;
#[path = "support/workspace.rs"]
mod workspace;

use pki::{pki, signer, trust};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use tulorekisteri::signature::{sign, verify, KeyError, Signer};
use tulorekisteri::{validate_bytes, Options};

fn example() -> Vec<u8> {
    std::fs::read(workspace::fixture("wage-report.xml")).unwrap()
}

#[test]
fn a_signed_record_verifies_and_is_its_input_with_the_signature_added() {
    let input = example();
    let signed = sign(&input, &signer(&pki().leaf)).unwrap();
    let v = verify(&signed, &trust()).unwrap();
    assert!(v.trust.is_trusted(), "{:?}", v.trust);
    assert!(v.signer.subject.contains("CN=7011367-6"));
    // The input's bytes, with the Signature before the root's end tag.
    let text = String::from_utf8(signed.clone()).unwrap();
    let (start, end) = (
        text.find("<Signature").unwrap(),
        text.find("</Signature>").unwrap() + 12,
    );
    assert_eq!(format!("{}{}", &text[..start], &text[end..]).as_bytes(), &input[..]);
    assert!(text[end..].trim_start().starts_with("</"));
    // Still valid against the schema (the signature's own schema included).
    assert_eq!(validate_bytes(&signed, &Options::default().schema_only()), vec![]);
    // Signing twice is refused.
    assert!(sign(&signed, &signer(&pki().leaf))
        .unwrap_err()
        .to_string()
        .contains("already signed"));
}

#[test]
fn trust_follows_the_certificate() {
    let expired = verify(&sign(&example(), &signer(&pki().expired)).unwrap(), &trust()).unwrap();
    assert_eq!(expired.trust.problems.len(), 1, "{:?}", expired.trust);
    assert!(expired.trust.problems[0].starts_with("the certificate expired on 2021-01-01"));
    let stranger = verify(&sign(&example(), &signer(&pki().stranger)).unwrap(), &trust()).unwrap();
    assert!(stranger.trust.problems[0].contains("chains to no certificate of the trust bundle (issuer: "));
    assert!(stranger.trust.problems[0].contains("CN=Other CA"));
    // The CA itself, signing, is trusted as the anchor it is.
    let ca = verify(&sign(&example(), &signer(&pki().ca)).unwrap(), &trust()).unwrap();
    assert!(ca.trust.is_trusted());
}

#[test]
fn keys_load_from_every_pem_form() {
    let p = &pki().leaf;
    let cert = p.cert_pem.as_bytes();
    let pkcs1 = p.key.to_pkcs1_pem(LineEnding::LF).unwrap();
    let encrypted = p
        .key
        .to_pkcs8_encrypted_pem(&mut rand_core::OsRng, b"salasana", LineEnding::LF)
        .unwrap();
    for (pem, passphrase) in [(pkcs1.as_str(), None), (encrypted.as_str(), Some(&b"salasana"[..]))] {
        let s = Signer::from_pem(pem, cert, passphrase).unwrap();
        assert!(verify(&sign(&example(), &s).unwrap(), &trust())
            .unwrap()
            .trust
            .is_trusted());
    }
    let wrong = Signer::from_pem(&encrypted, cert, Some("väärä".as_bytes())).unwrap_err();
    assert_eq!(wrong, KeyError::WrongPassphrase);
    assert!(wrong.to_string().contains("wrong passphrase"), "{wrong}");
    let no_passphrase = Signer::from_pem(&encrypted, cert, None).unwrap_err();
    assert_eq!(no_passphrase, KeyError::PassphraseNeeded);
    let other_key = pki().expired.key.to_pkcs8_pem(LineEnding::LF).unwrap();
    let mismatch = Signer::from_pem(&other_key, cert, None).unwrap_err();
    assert_eq!(mismatch.to_string(), "the key does not belong to the certificate");
    assert_eq!(
        Signer::from_pem("nothing", cert, None).unwrap_err(),
        KeyError::NoPrivateKey
    );
    // Debug output never shows the key.
    assert!(!format!("{:?}", signer(p)).contains("PRIVATE"));
    // The key as PKCS#8 DER (a TLS client identity) is the same key.
    let der = signer(p).private_key_pkcs8_der();
    let pem = pkcs8::Document::try_from(der.as_slice())
        .unwrap()
        .to_pem("PRIVATE KEY", LineEnding::LF)
        .unwrap();
    assert!(Signer::from_pem(&pem, cert, None).is_ok());
}

fn have_xmlsec1() -> bool {
    std::process::Command::new("xmlsec1").arg("--version").output().is_ok()
}

#[test]
fn xmlsec1_verifies_what_we_sign() {
    if !have_xmlsec1() {
        workspace::skip("xmlsec1 is not installed (apt-get install xmlsec1)");
        return;
    }
    let dir = workspace::work_dir("xmlsec-verify");
    std::fs::write(dir.join("ca.pem"), &pki().ca.cert_pem).unwrap();
    let xmlsec = |file: &str| {
        std::process::Command::new("xmlsec1")
            .args(["--verify", "--trusted-pem"])
            .arg(dir.join("ca.pem"))
            .arg(dir.join(file))
            .output()
            .unwrap()
    };
    std::fs::write(dir.join("signed.xml"), sign(&example(), &signer(&pki().leaf)).unwrap()).unwrap();
    let out = xmlsec("signed.xml");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A record signed by a certificate of another CA does not verify there either.
    std::fs::write(
        dir.join("stranger.xml"),
        sign(&example(), &signer(&pki().stranger)).unwrap(),
    )
    .unwrap();
    assert!(!xmlsec("stranger.xml").status.success());
    std::fs::remove_dir_all(&dir).ok();
}

/// The Signature template xmlsec1 fills in: the profile, with the
/// exc-c14n transform after the enveloped one or without it (as in the
/// official samples, when the inclusive form is digested).
fn template(with_exc_c14n_transform: bool) -> Vec<u8> {
    let exc = if with_exc_c14n_transform {
        "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>"
    } else {
        ""
    };
    let signature = format!(
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo>\
         <CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\
         <SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
         <Reference URI=\"\"><Transforms><Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>{exc}</Transforms>\
         <DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><DigestValue/></Reference></SignedInfo>\
         <SignatureValue/><KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo></Signature>"
    );
    let text = String::from_utf8(example()).unwrap();
    let end = text.rfind("</").unwrap();
    format!("{}{signature}{}", &text[..end], &text[end..]).into_bytes()
}

/// `template` signed by `xmlsec1 --sign` with the leaf's key and certificate.
fn xmlsec1_sign(name: &str, template: &[u8]) -> Vec<u8> {
    let dir = workspace::work_dir(name);
    let leaf = &pki().leaf;
    std::fs::write(
        dir.join("key.pem"),
        leaf.key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    std::fs::write(dir.join("cert.pem"), &leaf.cert_pem).unwrap();
    std::fs::write(dir.join("template.xml"), template).unwrap();
    let out = std::process::Command::new("xmlsec1")
        .arg("--sign")
        .arg("--privkey-pem")
        .arg(format!(
            "{},{}",
            dir.join("key.pem").display(),
            dir.join("cert.pem").display()
        ))
        .arg("--output")
        .arg(dir.join("signed.xml"))
        .arg(dir.join("template.xml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let signed = std::fs::read(dir.join("signed.xml")).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    signed
}

#[test]
fn we_verify_what_xmlsec1_signs() {
    if !have_xmlsec1() {
        workspace::skip("xmlsec1 is not installed (apt-get install xmlsec1)");
        return;
    }
    for exc in [true, false] {
        let signed = xmlsec1_sign("xmlsec-sign", &template(exc));
        let v = verify(&signed, &trust()).unwrap_or_else(|e| panic!("exc-c14n transform {exc}: {e}"));
        assert!(v.trust.is_trusted(), "{:?}", v.trust);
    }
}

#[test]
fn a_pinned_subject_must_be_the_signer() {
    let signed = sign(&example(), &signer(&pki().leaf)).unwrap();
    let subject = verify(&signed, &trust()).unwrap().signer.subject;
    let pinned = |subject: &str| trust().subject(subject);
    assert!(verify(&signed, &pinned(&subject)).unwrap().trust.is_trusted());
    let other = verify(&signed, &pinned("CN=someone else")).unwrap();
    assert!(other.trust.problems[0].contains("not the pinned subject CN=someone else"));
}

#[test]
fn sha1_is_refused_unless_allowed() {
    if !have_xmlsec1() {
        workspace::skip("xmlsec1 is not installed (apt-get install xmlsec1)");
        return;
    }
    let sha1 = String::from_utf8(template(true))
        .unwrap()
        .replace(
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        )
        .replace(
            "http://www.w3.org/2001/04/xmlenc#sha256",
            "http://www.w3.org/2000/09/xmldsig#sha1",
        );
    let signed = xmlsec1_sign("xmlsec-sha1", sha1.as_bytes());
    let refused = verify(&signed, &trust()).unwrap_err();
    assert!(refused.to_string().contains("rsa-sha1"), "{refused}");
    let allowed = trust().allow_sha1(true);
    assert!(verify(&signed, &allowed).unwrap().trust.is_trusted());
}
