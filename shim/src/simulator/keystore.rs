//! PKCS#12 stores (`.p12`) as OpenSSL 3 writes them by default: the
//! certificate in an encrypted safe and the key in a shrouded key bag, both
//! encrypted with PBES2 (PBKDF2 with HMAC-SHA256, 2048 rounds, and
//! AES-256-CBC), each bag with its `localKeyId`, and the whole protected by
//! an HMAC-SHA256 MAC keyed with the PKCS#12 key derivation.

use super::clock::random_bytes;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::encrypted_data::EncryptedData;
use cms::enveloped_data::EncryptedContentInfo;
use hmac::{Hmac, Mac};
use pkcs12::cert_type::CertBag;
use pkcs12::digest_info::DigestInfo;
use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
use pkcs12::mac_data::MacData;
use pkcs12::pfx::{Pfx, Version};
use pkcs12::safe_bag::SafeBag;
use pkcs8::der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec};
use pkcs8::der::{Decode, Encode};
use pkcs8::pkcs5::{pbes2, EncryptionScheme};
use pkcs8::spki::AlgorithmIdentifierOwned;
use pkcs8::PrivateKeyInfo;
use sha2::{Digest, Sha256};
use x509_cert::attr::Attribute;

const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const SHROUDED_KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
const SHA256_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// OpenSSL 3's default rounds, for PBKDF2 and for the MAC key.
const ROUNDS: u32 = 2048;

fn err<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> String {
    move |e| format!("PKCS#12 {what}: {e}")
}

/// Encrypts `plain` with PBES2 (PBKDF2-SHA256, AES-256-CBC), a new salt and
/// IV: the algorithm identifier and the ciphertext.
fn pbes2_encrypt(password: &str, plain: &[u8]) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), String> {
    let salt = random_bytes(8);
    let iv: [u8; 16] = random_bytes(16).try_into().map_err(|_| "IV".to_string())?;
    let params = pbes2::Parameters::pbkdf2_sha256_aes256cbc(ROUNDS, &salt, &iv).map_err(err("parameters"))?;
    let ciphertext = params.encrypt(password, plain).map_err(err("encryption"))?;
    let scheme = EncryptionScheme::from(params).to_der().map_err(err("algorithm"))?;
    let algorithm = AlgorithmIdentifierOwned::from_der(&scheme).map_err(err("algorithm"))?;
    Ok((algorithm, ciphertext))
}

/// The `localKeyId` attribute that ties the key to its certificate.
fn local_key_id(id: &[u8]) -> Result<SetOfVec<Attribute>, String> {
    let value = Any::encode_from(&OctetString::new(id).map_err(err("localKeyId"))?).map_err(err("localKeyId"))?;
    let attribute = Attribute {
        oid: LOCAL_KEY_ID,
        values: SetOfVec::try_from(vec![value]).map_err(err("localKeyId"))?,
    };
    SetOfVec::try_from(vec![attribute]).map_err(err("localKeyId"))
}

fn data(bytes: Vec<u8>) -> Result<ContentInfo, String> {
    Ok(ContentInfo {
        content_type: DATA,
        content: Any::encode_from(&OctetString::new(bytes).map_err(err("data"))?).map_err(err("data"))?,
    })
}

/// A PKCS#12 store of the key (`key_pkcs8`: unencrypted PKCS#8 DER) and its
/// certificate (DER), protected with `password`.
pub fn write(key_pkcs8: &[u8], certificate: &[u8], password: &str) -> Result<Vec<u8>, String> {
    let id = Sha256::digest(certificate)[..20].to_vec();

    // The certificate, in a safe encrypted as a whole.
    let cert_bag = CertBag {
        cert_id: X509_CERTIFICATE,
        cert_value: OctetString::new(certificate).map_err(err("certificate"))?,
    };
    let cert_safe = vec![SafeBag {
        bag_id: CERT_BAG,
        bag_value: cert_bag.to_der().map_err(err("certificate bag"))?,
        bag_attributes: Some(local_key_id(&id)?),
    }]
    .to_der()
    .map_err(err("certificate safe"))?;
    let (algorithm, ciphertext) = pbes2_encrypt(password, &cert_safe)?;
    let encrypted = EncryptedData {
        version: CmsVersion::V0,
        enc_content_info: EncryptedContentInfo {
            content_type: DATA,
            content_enc_alg: algorithm,
            encrypted_content: Some(OctetString::new(ciphertext).map_err(err("encrypted safe"))?),
        },
        unprotected_attrs: None,
    };
    let cert_info = ContentInfo {
        content_type: ENCRYPTED_DATA,
        content: Any::encode_from(&encrypted).map_err(err("encrypted safe"))?,
    };

    // The key, shrouded on its own, in a plain safe.
    let salt = random_bytes(8);
    let iv: [u8; 16] = random_bytes(16).try_into().map_err(|_| "IV".to_string())?;
    let params = pbes2::Parameters::pbkdf2_sha256_aes256cbc(ROUNDS, &salt, &iv).map_err(err("parameters"))?;
    let shrouded = PrivateKeyInfo::try_from(key_pkcs8)
        .map_err(err("key"))?
        .encrypt_with_params(params, password)
        .map_err(err("key encryption"))?;
    let key_safe = vec![SafeBag {
        bag_id: SHROUDED_KEY_BAG,
        bag_value: shrouded.as_bytes().to_vec(),
        bag_attributes: Some(local_key_id(&id)?),
    }]
    .to_der()
    .map_err(err("key safe"))?;

    let auth_safe = vec![cert_info, data(key_safe)?]
        .to_der()
        .map_err(err("authenticated safe"))?;

    // The MAC over the authenticated safe's content.
    let mac_salt = random_bytes(8);
    let mac_key = derive_key_utf8::<Sha256>(password, &mac_salt, Pkcs12KeyType::Mac, ROUNDS as i32, 32)
        .map_err(err("MAC key"))?;
    let mut hmac = <Hmac<Sha256> as Mac>::new_from_slice(&mac_key).map_err(err("MAC"))?;
    hmac.update(&auth_safe);
    let mac = hmac.finalize().into_bytes().to_vec();

    let pfx = Pfx {
        version: Version::V3,
        auth_safe: data(auth_safe)?,
        mac_data: Some(MacData {
            mac: DigestInfo {
                algorithm: AlgorithmIdentifierOwned {
                    oid: SHA256_OID,
                    parameters: Some(Any::null()),
                },
                digest: OctetString::new(mac).map_err(err("MAC"))?,
            },
            mac_salt: OctetString::new(mac_salt).map_err(err("MAC salt"))?,
            iterations: ROUNDS as i32,
        }),
    };
    pfx.to_der().map_err(err("store"))
}
