//! A new key pair and its PKCS#10 request: RSA 2048 from the `rsa` crate
//! (as the simulator's PKI), the request made and signed by rcgen with
//! the subject the Register asks for (CN = business ID, O = the
//! organisation's name, C = FI; NOTES §2.3).

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, PKCS_RSA_SHA256};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::RsaPrivateKey;

/// A new private key (PEM, PKCS#8, unencrypted: keep it in memory until
/// written with mode 0600) and the request for its certificate.
pub struct NewKey {
    /// The key, PEM.
    pub pem: String,
    /// The PKCS#10 request, DER.
    pub request: Vec<u8>,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        write!(f, "NewKey({} bytes of request)", self.request.len())
    }
}

/// Makes a key pair and its request for `business_id` of `organisation`.
pub fn generate(business_id: &str, organisation: Option<&str>) -> Result<NewKey, String> {
    let key = RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(|e| format!("RSA key: {e}"))?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("RSA key: {e}"))?
        .to_string();
    let pair = KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &PKCS_RSA_SHA256).map_err(|e| format!("RSA key: {e}"))?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CountryName, "FI");
    if let Some(o) = organisation.filter(|o| !o.is_empty()) {
        params.distinguished_name.push(DnType::OrganizationName, o);
    }
    params.distinguished_name.push(DnType::CommonName, business_id);
    let request = params
        .serialize_request(&pair)
        .map_err(|e| format!("the certificate request: {e}"))?;
    Ok(NewKey {
        pem,
        request: request.der().to_vec(),
    })
}
