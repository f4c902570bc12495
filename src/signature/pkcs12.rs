//! Reading a key and its certificate from a PKCS#12 store (`.p12`, `.pfx`):
//! the MAC checked with the password (PKCS#12 key derivation, SHA-256),
//! bags in plain or PBES2-encrypted content (AES, PBKDF2: what OpenSSL 3
//! writes by default), the key from a shrouded or plain key bag and the
//! certificates from certificate bags. The legacy RC2/3DES encryption of
//! older tools is refused with a way out.

use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use hmac::{Hmac, Mac};
use pkcs12::cert_type::CertBag;
use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeBag;
use pkcs8::pkcs5::EncryptionScheme;
use pkcs8::{DecodePrivateKey, EncryptedPrivateKeyInfo};
use rsa::RsaPrivateKey;
use sha2::Sha256;
use x509_cert::der::asn1::{AnyRef, ObjectIdentifier, OctetString};
use x509_cert::der::{Decode, Encode};

const DATA: &str = "1.2.840.113549.1.7.1";
const ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const KEY_BAG: &str = "1.2.840.113549.1.12.10.1.1";
const SHROUDED_KEY_BAG: &str = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG: &str = "1.2.840.113549.1.12.10.1.3";
const X509_CERTIFICATE: &str = "1.2.840.113549.1.9.22.1";
const SHA256_OID: &str = "2.16.840.1.101.3.4.2.1";
const LEGACY: &str = "the store uses legacy RC2/3DES encryption: re-export it with AES \
                      (OpenSSL 3's default: openssl pkcs12 -export ...), or give --key and --cert as PEM";

fn is(oid: &ObjectIdentifier, wanted: &str) -> bool {
    oid.to_string() == wanted
}

fn bad<E>(what: &'static str) -> impl Fn(E) -> String {
    move |_| format!("not a PKCS#12 store: {what}")
}

/// The private key and the DER certificates of a store.
pub fn read(p12: &[u8], password: &str) -> Result<(RsaPrivateKey, Vec<Vec<u8>>), String> {
    let pfx = Pfx::from_der(p12).map_err(bad("unreadable"))?;
    if !is(&pfx.auth_safe.content_type, DATA) {
        return Err("a PKCS#12 store signed with public keys is not supported".into());
    }
    let auth_safe = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(bad("authSafe"))?;
    let auth_safe = auth_safe.as_bytes();
    let mac = pfx
        .mac_data
        .as_ref()
        .ok_or("the store has no MAC, so its password cannot be checked")?;
    if !is(&mac.mac.algorithm.oid, SHA256_OID) {
        return Err(LEGACY.into());
    }
    let key = derive_key_utf8::<Sha256>(
        password,
        mac.mac_salt.as_bytes(),
        Pkcs12KeyType::Mac,
        mac.iterations,
        32,
    )
    .map_err(bad("password"))?;
    let mut hmac = Hmac::<Sha256>::new_from_slice(&key).map_err(bad("MAC key"))?;
    hmac.update(auth_safe);
    hmac.verify_slice(mac.mac.digest.as_bytes())
        .map_err(|_| "wrong password (the store's MAC does not match)".to_string())?;
    let mut key = None;
    let mut certificates = vec![];
    for info in Vec::<ContentInfo>::from_der(auth_safe).map_err(bad("authenticated safe"))? {
        let contents = if is(&info.content_type, DATA) {
            info.content
                .decode_as::<OctetString>()
                .map_err(bad("safe contents"))?
                .into_bytes()
        } else if is(&info.content_type, ENCRYPTED_DATA) {
            let encrypted = info
                .content
                .decode_as::<EncryptedData>()
                .map_err(bad("encrypted data"))?;
            let content = &encrypted.enc_content_info;
            let algorithm = content.content_enc_alg.to_der().map_err(bad("algorithm"))?;
            let scheme = EncryptionScheme::try_from(&algorithm[..]).map_err(|_| LEGACY.to_string())?;
            let ciphertext = content
                .encrypted_content
                .as_ref()
                .ok_or("not a PKCS#12 store: empty encrypted data")?;
            scheme
                .decrypt(password, ciphertext.as_bytes())
                .map_err(|_| "the store's encrypted content could not be decrypted".to_string())?
        } else {
            continue;
        };
        for bag in Vec::<SafeBag>::from_der(&contents).map_err(bad("safe bags"))? {
            // bag_value is the whole `[0] EXPLICIT` element: its content.
            let value = AnyRef::from_der(&bag.bag_value).map_err(bad("safe bag"))?.value();
            if is(&bag.bag_id, SHROUDED_KEY_BAG) {
                let info = EncryptedPrivateKeyInfo::try_from(value).map_err(|_| LEGACY.to_string())?;
                let document = info
                    .decrypt(password)
                    .map_err(|_| "the store's key could not be decrypted".to_string())?;
                key =
                    Some(RsaPrivateKey::from_pkcs8_der(document.as_bytes()).map_err(|_| "the key is not an RSA key")?);
            } else if is(&bag.bag_id, KEY_BAG) {
                key = Some(RsaPrivateKey::from_pkcs8_der(value).map_err(|_| "the key is not an RSA key")?);
            } else if is(&bag.bag_id, CERT_BAG) {
                let cert = CertBag::from_der(value).map_err(bad("certificate bag"))?;
                if is(&cert.cert_id, X509_CERTIFICATE) {
                    certificates.push(cert.cert_value.into_bytes());
                }
            }
        }
    }
    let key = key.ok_or("the store has no private key")?;
    Ok((key, certificates))
}
