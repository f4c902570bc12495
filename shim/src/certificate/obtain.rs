//! A certificate from start to file: a new key pair and request, the
//! request sent (`signNewCertificate` with a transfer ID, or
//! `renewCertificate` signed with the current key), `getCertificate` until
//! it is ready, the certificate checked to hold the new key, and the pair
//! installed where the configuration names it ([`super::install`]).

use super::exchange::{CertError, CertificateClient};
use super::{install, keys};
use crate::config::{CertificateFiles, Config};
use crate::operation::Purpose;
use std::path::{Path, PathBuf};
use tulorekisteri::signature::{Certificate, Signer};

/// A certificate now in place.
#[derive(Debug, Clone)]
pub struct Installed {
    /// What it is for.
    pub purpose: Purpose,
    /// Its subject, issuer and validity.
    pub certificate: Certificate,
    /// Where the key is.
    pub key: PathBuf,
    /// Where the certificate is.
    pub cert: PathBuf,
}

/// A transfer ID and its password (valid once).
pub struct Transfer {
    /// The ID.
    pub id: String,
    /// The password.
    pub password: String,
}

/// The PEM files of `purpose` (a PKCS#12 store cannot be written by
/// these commands), after recovering an interrupted installation.
pub fn pem_files(config: &Config, purpose: Purpose) -> Result<(PathBuf, PathBuf, Option<Vec<u8>>), CertError> {
    let local = CertError::Local;
    let Some((_, files)) = config.certificates.iter().find(|(p, _)| *p == purpose) else {
        return Err(local(format!(
            "{}: no [certificates.{}] is configured",
            config.path.display(),
            purpose.key()
        )));
    };
    match files {
        CertificateFiles::Pem {
            key,
            cert,
            passphrase_file,
        } => {
            let passphrase = passphrase_of(passphrase_file.as_deref())?;
            install::recover(key, cert, passphrase.as_deref())
                .map_err(|e| local(format!("certificates.{}: {e}", purpose.key())))?;
            Ok((key.clone(), cert.clone(), passphrase))
        }
        CertificateFiles::Pkcs12 { .. } => Err(local(format!(
            "certificates.{}: a PKCS#12 store (p12) cannot be renewed in place; configure key and cert (PEM)",
            purpose.key()
        ))),
    }
}

/// Completes (or undoes) an interrupted installation of every configured
/// PEM pair, as every `cert` command does first: what `serve` does before
/// it loads its certificates. The purposes whose files were changed.
pub fn recover_all(config: &Config) -> Result<Vec<Purpose>, CertError> {
    let mut changed = vec![];
    for (purpose, files) in &config.certificates {
        let CertificateFiles::Pem {
            key,
            cert,
            passphrase_file,
        } = files
        else {
            continue;
        };
        let passphrase = passphrase_of(passphrase_file.as_deref())?;
        if install::recover(key, cert, passphrase.as_deref())
            .map_err(|e| CertError::Local(format!("certificates.{}: {e}", purpose.key())))?
        {
            changed.push(*purpose);
        }
    }
    Ok(changed)
}

/// The first line of a passphrase file, if one is configured.
fn passphrase_of(file: Option<&Path>) -> Result<Option<Vec<u8>>, CertError> {
    let Some(p) = file else { return Ok(None) };
    let text = std::fs::read_to_string(p).map_err(|e| CertError::Local(format!("{}: {e}", p.display())))?;
    Ok(Some(text.lines().next().unwrap_or("").as_bytes().to_vec()))
}

/// The purpose asked for, or the first configured.
pub fn purpose_or_first(config: &Config, purpose: Option<Purpose>) -> Result<Purpose, CertError> {
    match purpose {
        Some(p) => Ok(p),
        None => config
            .certificates
            .first()
            .map(|(p, _)| *p)
            .ok_or_else(|| CertError::Local("no certificate is configured".into())),
    }
}

fn field(subject: &str, name: &str) -> Option<String> {
    // The same reading as the business ID's (RFC 4514, escapes honoured).
    let mut parts = vec![];
    let mut current = String::new();
    let mut chars = subject.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            ',' | '+' => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    let prefix = format!("{name}=");
    parts
        .iter()
        .find_map(|p| p.trim().strip_prefix(&prefix).map(str::to_string))
}

/// Fetches the certificate of `retrieval_id`, checks it holds `key`'s
/// public key, and installs the pair.
async fn fetch_and_install(
    client: &CertificateClient,
    purpose: Purpose,
    (key_path, cert_path): (PathBuf, PathBuf),
    customer_id: &str,
    name: Option<&str>,
    retrieval_id: &str,
    key: &keys::NewKey,
) -> Result<Installed, CertError> {
    let der = client.get(customer_id, name, retrieval_id).await?;
    let pem = pem_of(&der);
    // Signer::from_pem refuses a certificate of another key.
    let signer = Signer::from_pem(&key.pem, pem.as_bytes(), None)
        .map_err(|e| CertError::BadAnswer(format!("the certificate does not hold the new key: {e}")))?;
    install::install(&key_path, &cert_path, key.pem.as_bytes(), pem.as_bytes())
        .map_err(|e| CertError::Local(format!("the new pair could not be written: {e}")))?;
    Ok(Installed {
        purpose,
        certificate: signer.certificate().clone(),
        key: key_path,
        cert: cert_path,
    })
}

fn pem_of(der: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    let b64 = Base64::encode_string(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// A new key pair and request, made beside the runtime's threads (RSA key
/// generation takes a while).
async fn new_key(customer_id: &str, name: Option<&str>) -> Result<keys::NewKey, CertError> {
    let (id, name) = (customer_id.to_string(), name.map(str::to_string));
    tokio::task::spawn_blocking(move || keys::generate(&id, name.as_deref()))
        .await
        .map_err(|e| CertError::Local(format!("the key pair could not be made: {e}")))?
        .map_err(CertError::Local)
}

/// `cert new`: a certificate with a transfer ID.
pub async fn obtain_new(
    config: &Config,
    purpose: Purpose,
    customer_id: &str,
    name: &str,
    transfer: &Transfer,
) -> Result<Installed, CertError> {
    let client = CertificateClient::new(config).map_err(|e| CertError::Local(e.0))?;
    let (key_path, cert_path, _) = pem_files(config, purpose)?;
    let name = Some(name).filter(|n| !n.is_empty());
    let key = new_key(customer_id, name).await?;
    let retrieval_id = client
        .sign_new(customer_id, name, &transfer.id, &transfer.password, &key.request)
        .await?;
    fetch_and_install(
        &client,
        purpose,
        (key_path, cert_path),
        customer_id,
        name,
        &retrieval_id,
        &key,
    )
    .await
}

/// `cert renew` and the service's renewal: a new pair for the current
/// certificate of `purpose`, requested with a signature of its key.
pub async fn renew(config: &Config, purpose: Purpose) -> Result<Installed, CertError> {
    let client = CertificateClient::new(config).map_err(|e| CertError::Local(e.0))?;
    let (key_path, cert_path, _) = pem_files(config, purpose)?;
    let current = config.signer(Some(purpose)).map_err(|e| CertError::Local(e.0))?;
    let subject = current.certificate().subject.clone();
    let customer_id = field(&subject, "CN")
        .ok_or_else(|| CertError::Local(format!("the current certificate's subject {subject} has no CN")))?;
    let name = field(&subject, "O");
    let key = new_key(&customer_id, name.as_deref()).await?;
    let retrieval_id = client
        .renew(&current, &customer_id, name.as_deref(), &key.request)
        .await?;
    fetch_and_install(
        &client,
        purpose,
        (key_path, cert_path),
        &customer_id,
        name.as_deref(),
        &retrieval_id,
        &key,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_fields_are_read_with_escapes() {
        assert_eq!(field("C=FI,O=A\\, B Oy,CN=1234567-1", "O").as_deref(), Some("A, B Oy"));
        assert_eq!(
            field("C=FI,O=A\\, B Oy,CN=1234567-1", "CN").as_deref(),
            Some("1234567-1")
        );
        assert_eq!(field("C=FI", "CN"), None);
    }
}
