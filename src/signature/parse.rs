//! Reads the one enveloped `ds:Signature` of a record: its algorithms,
//! reference, digest and signature values and certificates, and checks the
//! shape the profile allows (one Signature, the root's last child element,
//! one Reference with `URI=""`), so that wrapping tricks are refused before
//! any cryptography.

use super::SignatureError;
use crate::xml::c14n::{token_error, DSIG_NS};
use crate::xml::text::{attribute_value, decode_text};
use crate::xml::tokenizer::{Token, Tokenizer};

/// What the signature says, as written.
#[derive(Debug, Default)]
pub struct SignatureParts {
    pub canonicalization: String,
    pub signature_method: String,
    pub reference_uri: Option<String>,
    pub references: usize,
    pub transforms: Vec<String>,
    pub digest_method: String,
    pub digest_value: String,
    pub signature_value: String,
    /// `KeyInfo/X509Data/X509Certificate`, base64, in document order.
    pub certificates: Vec<String>,
}

const TOKEN_LIMIT: usize = 16 << 20;

/// Finds and reads the signature; refuses every other shape.
pub fn read(xml: &[u8]) -> Result<SignatureParts, SignatureError> {
    let mut tokens = Tokenizer::new(xml, TOKEN_LIMIT);
    let mut bindings: Vec<(String, String)> = vec![];
    // Per open element: bindings it declared; whether it is a ds element,
    // and its local name.
    let mut stack: Vec<(usize, Option<String>)> = vec![];
    let mut parts = SignatureParts::default();
    let mut signatures = 0;
    // Depth of the Signature being read, and whether an element of the
    // root followed it.
    let mut in_signature: Option<usize> = None;
    let mut element_after_signature = false;
    let mut text = String::new();
    let mut value = String::new();
    loop {
        let token = match tokens.next_token() {
            Ok((token, _)) => token,
            Err(e) => return Err(SignatureError::Malformed(token_error(e).to_string())),
        };
        match token {
            Token::Eof => break,
            Token::Doctype => return Err(SignatureError::Malformed("a DOCTYPE is not allowed".into())),
            Token::Start { name, attrs, empty, .. } => {
                let depth = stack.len();
                let before = bindings.len();
                let mut algorithm = None;
                let mut uri = None;
                for a in attrs.iter() {
                    attribute_value(a.value, &mut value).map_err(SignatureError::Malformed)?;
                    match a.name {
                        "xmlns" => bindings.push((String::new(), value.clone())),
                        n if n.starts_with("xmlns:") => bindings.push((n[6..].to_string(), value.clone())),
                        "Algorithm" => algorithm = Some(value.clone()),
                        "URI" => uri = Some(value.clone()),
                        _ => {}
                    }
                }
                let (prefix, local) = name.split_once(':').unwrap_or(("", name));
                let ns = bindings
                    .iter()
                    .rev()
                    .find(|(p, _)| p == prefix)
                    .map(|(_, u)| u.as_str());
                let ds = ns == Some(DSIG_NS);
                if depth == 1 && in_signature.is_none() && signatures > 0 {
                    element_after_signature = true;
                }
                // Records have no XML-DSig elements of their own: one outside
                // the Signature could stand in for its SignedInfo.
                if ds && local != "Signature" && in_signature.is_none() {
                    return Err(SignatureError::Shape(format!("a ds:{local} outside the Signature")));
                }
                if ds && local == "Signature" {
                    signatures += 1;
                    if depth != 1 {
                        return Err(SignatureError::Shape(
                            "a Signature that is not a child of the root".into(),
                        ));
                    }
                    in_signature = Some(depth);
                }
                if in_signature.is_some() && ds {
                    match local {
                        "CanonicalizationMethod" => parts.canonicalization = algorithm.unwrap_or_default(),
                        "SignatureMethod" => parts.signature_method = algorithm.unwrap_or_default(),
                        "Reference" => {
                            parts.references += 1;
                            parts.reference_uri = uri;
                        }
                        "Transform" => parts.transforms.push(algorithm.unwrap_or_default()),
                        "DigestMethod" => parts.digest_method = algorithm.unwrap_or_default(),
                        _ => {}
                    }
                }
                stack.push((before, ds.then(|| local.to_string())));
                text.clear();
                if empty {
                    close(&mut stack, &mut bindings, &mut in_signature, &mut parts, &text);
                }
            }
            Token::End { .. } => {
                close(&mut stack, &mut bindings, &mut in_signature, &mut parts, &text);
                text.clear();
            }
            Token::Text(raw) => decode_text(raw, &mut text).map_err(SignatureError::Malformed)?,
            Token::Space(raw) | Token::CData(raw) => text.push_str(raw),
            Token::Pi { .. } | Token::Comment(_) | Token::Decl(_) => {}
        }
    }
    match signatures {
        0 => return Err(SignatureError::Unsigned),
        1 => {}
        n => {
            return Err(SignatureError::Shape(format!(
                "{n} Signature elements; the profile has one"
            )))
        }
    }
    if element_after_signature {
        return Err(SignatureError::Shape(
            "the Signature is not the last child of the root".into(),
        ));
    }
    if parts.references != 1 {
        return Err(SignatureError::Shape(format!(
            "{} References; the profile has one",
            parts.references
        )));
    }
    if parts.reference_uri.as_deref() != Some("") {
        return Err(SignatureError::Shape(
            "the Reference must have URI=\"\" (the whole record)".into(),
        ));
    }
    Ok(parts)
}

/// The end of an element: a value the signature needs is kept.
fn close(
    stack: &mut Vec<(usize, Option<String>)>,
    bindings: &mut Vec<(String, String)>,
    in_signature: &mut Option<usize>,
    parts: &mut SignatureParts,
    text: &str,
) {
    let Some((before, ds_local)) = stack.pop() else { return };
    bindings.truncate(before);
    if in_signature.is_some() {
        let squeezed = || text.split_ascii_whitespace().collect::<String>();
        match ds_local.as_deref() {
            Some("DigestValue") => parts.digest_value = squeezed(),
            Some("SignatureValue") => parts.signature_value = squeezed(),
            Some("X509Certificate") => parts.certificates.push(squeezed()),
            _ => {}
        }
    }
    if *in_signature == Some(stack.len()) {
        *in_signature = None;
    }
}
