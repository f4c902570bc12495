//! Reading a key and its certificate from a PKCS#12 store (`.p12`, `.pfx`):
//! the MAC checked with the password (PKCS#12 key derivation, SHA-256 or
//! SHA-1), bags in plain or encrypted content, the key from a shrouded or
//! plain key bag and the certificates from certificate bags. Encryption:
//! PBES2 (AES, PBKDF2; what OpenSSL 3 writes by default) or the legacy
//! PKCS#12 schemes of older tools (3DES for keys, 40- or 128-bit RC2 for
//! certificates).

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, InnerIvInit, KeyIvInit};
use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use hmac::{Mac, SimpleHmac};
use pkcs12::cert_type::CertBag;
use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeBag;
use pkcs8::pkcs5::EncryptionScheme;
use pkcs8::DecodePrivateKey;
use rsa::RsaPrivateKey;
use sha1::Sha1;
use sha2::Sha256;
use x509_cert::der::asn1::{AnyRef, ObjectIdentifier, OctetString};
use x509_cert::der::{Decode, Encode};
use x509_cert::spki::AlgorithmIdentifierOwned;

const DATA: &str = "1.2.840.113549.1.7.1";
const ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const KEY_BAG: &str = "1.2.840.113549.1.12.10.1.1";
const SHROUDED_KEY_BAG: &str = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG: &str = "1.2.840.113549.1.12.10.1.3";
const X509_CERTIFICATE: &str = "1.2.840.113549.1.9.22.1";
const SHA256_OID: &str = "2.16.840.1.101.3.4.2.1";
const SHA1_OID: &str = "1.3.14.3.2.26";
/// PKCS#12 password-based encryption (RFC 7292 Appendix C).
const PBE_SHA1_3DES: &str = "1.2.840.113549.1.12.1.3";
const PBE_SHA1_RC2_128: &str = "1.2.840.113549.1.12.1.5";
const PBE_SHA1_RC2_40: &str = "1.2.840.113549.1.12.1.6";
const UNSUPPORTED: &str = "the store's encryption is not supported (PBES2, 3DES and RC2 are): \
                           re-export it with openssl pkcs12 -export, or give --key and --cert as PEM";
const WRONG: &str = "the store could not be decrypted (wrong password?)";

fn is(oid: &ObjectIdentifier, wanted: &str) -> bool {
    oid.to_string() == wanted
}

fn bad<E>(what: &'static str) -> impl Fn(E) -> String {
    move |_| format!("not a PKCS#12 store: {what}")
}

/// HMAC with the PKCS#12-derived key; whether it matches `expected`.
fn mac_matches<D>(password: &str, salt: &[u8], rounds: i32, data: &[u8], expected: &[u8]) -> Result<bool, String>
where
    D: sha2::Digest + sha2::digest::FixedOutputReset + sha2::digest::core_api::BlockSizeUser + Clone,
{
    let len = <D as sha2::Digest>::output_size();
    let key = derive_key_utf8::<D>(password, salt, Pkcs12KeyType::Mac, rounds, len).map_err(bad("password"))?;
    let mut hmac = SimpleHmac::<D>::new_from_slice(&key).map_err(bad("MAC key"))?;
    hmac.update(data);
    Ok(hmac.verify_slice(expected).is_ok())
}

/// Content encrypted with a legacy PKCS#12 scheme, or `None` for another.
fn legacy_decrypt(
    algorithm: &AlgorithmIdentifierOwned,
    password: &str,
    data: &[u8],
) -> Option<Result<Vec<u8>, String>> {
    let (key_len, rc2_bits) = match algorithm.oid.to_string().as_str() {
        PBE_SHA1_3DES => (24, None),
        PBE_SHA1_RC2_128 => (16, Some(128)),
        PBE_SHA1_RC2_40 => (5, Some(40)),
        _ => return None,
    };
    let params: Pkcs12PbeParams = match algorithm.parameters.as_ref().map(|p| p.decode_as()) {
        Some(Ok(p)) => p,
        _ => return Some(Err("not a PKCS#12 store: bad PBE parameters".into())),
    };
    let derive = |kind, len| {
        derive_key_utf8::<Sha1>(password, params.salt.as_bytes(), kind, params.iterations, len)
            .map_err(|_| "the password is not a BMPString".to_string())
    };
    let (key, iv) = match (
        derive(Pkcs12KeyType::EncryptionKey, key_len),
        derive(Pkcs12KeyType::Iv, 8),
    ) {
        (Ok(k), Ok(i)) => (k, i),
        (Err(e), _) | (_, Err(e)) => return Some(Err(e)),
    };
    let mut buffer = data.to_vec();
    let plain = match rc2_bits {
        None => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .ok()
            .and_then(|d| d.decrypt_padded_mut::<Pkcs7>(&mut buffer).ok()),
        Some(bits) => cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(rc2::Rc2::new_with_eff_key_len(&key, bits), &iv)
            .ok()
            .and_then(|d| d.decrypt_padded_mut::<Pkcs7>(&mut buffer).ok()),
    };
    Some(plain.map(<[u8]>::to_vec).ok_or_else(|| WRONG.to_string()))
}

/// Content encrypted with PBES2 or a legacy PKCS#12 scheme.
fn decrypt(algorithm: &AlgorithmIdentifierOwned, password: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    if let Some(result) = legacy_decrypt(algorithm, password, data) {
        return result;
    }
    let der = algorithm.to_der().map_err(bad("algorithm"))?;
    let scheme = EncryptionScheme::try_from(&der[..]).map_err(|_| UNSUPPORTED.to_string())?;
    scheme.decrypt(password, data).map_err(|_| WRONG.to_string())
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
    let (salt, rounds, expected) = (mac.mac_salt.as_bytes(), mac.iterations, mac.mac.digest.as_bytes());
    let matches = if is(&mac.mac.algorithm.oid, SHA256_OID) {
        mac_matches::<Sha256>(password, salt, rounds, auth_safe, expected)?
    } else if is(&mac.mac.algorithm.oid, SHA1_OID) {
        mac_matches::<Sha1>(password, salt, rounds, auth_safe, expected)?
    } else {
        return Err("the store's MAC algorithm is not supported (SHA-256 and SHA-1 are)".into());
    };
    if !matches {
        return Err("wrong password (the store's MAC does not match)".into());
    }
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
            let ciphertext = content
                .encrypted_content
                .as_ref()
                .ok_or("not a PKCS#12 store: empty encrypted data")?;
            decrypt(&content.content_enc_alg, password, ciphertext.as_bytes())?
        } else {
            continue;
        };
        for bag in Vec::<SafeBag>::from_der(&contents).map_err(bad("safe bags"))? {
            // bag_value is the whole `[0] EXPLICIT` element: its content.
            let value = AnyRef::from_der(&bag.bag_value).map_err(bad("safe bag"))?.value();
            if is(&bag.bag_id, SHROUDED_KEY_BAG) {
                let info = EncryptedPrivateKeyInfo::from_der(value).map_err(bad("shrouded key bag"))?;
                let pkcs8 = decrypt(&info.encryption_algorithm, password, info.encrypted_data.as_bytes())?;
                key = Some(RsaPrivateKey::from_pkcs8_der(&pkcs8).map_err(|_| "the key is not an RSA key")?);
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
