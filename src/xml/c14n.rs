//! XML canonicalisation in one pass over the tokenizer: Exclusive XML
//! Canonicalization 1.0 (<https://www.w3.org/TR/xml-exc-c14n/>), which
//! signatures name, and Canonical XML 1.0
//! (<https://www.w3.org/TR/2001/REC-xml-c14n-20010315>), which a signature
//! reference without a canonicalising transform digests (the official
//! samples' references). Without comments they are the forms a signature
//! digests (`Reference URI=""` leaves comments out); with comments they are
//! what `xmllint --exc-c14n` and `xmllint --c14n` write (a test compares
//! them byte for byte).
//!
//! ```
//! use tulorekisteri::c14n::{canonicalize, Comments, Method, Selection};
//! let xml = br#"<?xml version="1.0"?><p:a xmlns:p="urn:p" xmlns:q="urn:q" b='1' ><!-- c --><p:b/></p:a>"#;
//! let exclusive = canonicalize(&xml[..], Method::Exclusive, Selection::Document, Comments::Omit).unwrap();
//! assert_eq!(exclusive, br#"<p:a xmlns:p="urn:p" b="1"><p:b></p:b></p:a>"#);
//! let inclusive = canonicalize(&xml[..], Method::Inclusive, Selection::Document, Comments::Keep).unwrap();
//! assert_eq!(inclusive, br#"<p:a xmlns:p="urn:p" xmlns:q="urn:q" b="1"><!-- c --><p:b></p:b></p:a>"#);
//! ```

use super::chars::{is_qname, is_xml_space};
use super::checks::{self, XML_NS};
use super::text::{attribute_value, decode_line_ends, decode_text};
use super::tokenizer::{Position, Token, TokenError, Tokenizer};
use std::fmt;
use std::io::{Read, Write};

/// The XML Signature namespace, of the enveloped `Signature` element.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The most bytes one token may take (as the validator's default).
const TOKEN_LIMIT: usize = 16 << 20;

/// What part of the document to canonicalise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// The whole document.
    Document,
    /// The whole document without the `ds:Signature` child of the root: the
    /// enveloped-signature transform followed by canonicalisation, as a
    /// `Reference URI=""` digests it.
    WithoutEnvelopedSignature,
    /// Only the first element with this local name in the XML Signature
    /// namespace, with the namespaces it uses from its ancestors (how
    /// `SignedInfo` is canonicalised before its signature value is checked).
    SignatureElement(&'static str),
}

/// Which canonicalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exclusive XML Canonicalization 1.0: an element declares only the
    /// namespaces it uses.
    Exclusive,
    /// Canonical XML 1.0: every namespace in scope is declared where it
    /// first appears in the output. (A subset's apex does not take the
    /// `xml:` attributes of its ancestors; records have none.)
    Inclusive,
}

/// Whether comments are part of the canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comments {
    /// Leave comments out (what signatures digest).
    Omit,
    /// Keep comments (what `xmllint --exc-c14n` writes).
    Keep,
}

/// Why a document could not be canonicalised, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct C14nError {
    /// 1-based line of the problem (0 when it is not in the document).
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for C14nError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for C14nError {}

/// One open element: where its qualified name starts in `names`, the
/// namespace bindings it declared (prefix, URI; "" for the default), how
/// many bindings were rendered in the output before it, and whether it is
/// in the output.
struct Open {
    name_at: usize,
    declared: usize,
    rendered: usize,
    output: bool,
}

/// What a pass over the document found besides its canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Canonical {
    /// The byte offset of the root element's end tag (of its empty tag,
    /// for an empty root).
    pub root_end: u64,
    /// How many elements of the XML Signature namespace the document has.
    pub signature_elements: usize,
}

/// Output is handed to the sink in pieces of about this size.
const FLUSH_AT: usize = 64 << 10;

struct Canonicalizer {
    method: Method,
    selection: Selection,
    out: Vec<u8>,
    /// In-scope namespace bindings, innermost last.
    bindings: Vec<(String, String)>,
    /// Namespace declarations rendered by output ancestors, innermost last.
    rendered: Vec<(String, String)>,
    stack: Vec<Open>,
    /// The open elements' qualified names, one after the other.
    names: String,
    /// Depth of the selected subtree being read; whether it has been read.
    selected_at: Option<usize>,
    done: bool,
    /// Depth of the omitted signature being read; whether it has been read.
    omitting: Option<usize>,
    omitted: bool,
    seen_root: bool,
    text: String,
    signature_elements: usize,
}

/// The canonical form of `xml`, or of the part of it `selection` names.
pub fn canonicalize(
    xml: impl Read,
    method: Method,
    selection: Selection,
    comments: Comments,
) -> Result<Vec<u8>, C14nError> {
    let mut out = Vec::new();
    canonicalize_to(xml, method, selection, comments, &mut out)?;
    Ok(out)
}

/// The canonical form written to `sink` as it is made (a hasher, say, so a
/// large record is never held twice), and what the pass found.
pub fn canonicalize_to(
    xml: impl Read,
    method: Method,
    selection: Selection,
    comments: Comments,
    sink: &mut dyn Write,
) -> Result<Canonical, C14nError> {
    let mut tokens = Tokenizer::new(xml, TOKEN_LIMIT);
    let mut c = Canonicalizer {
        method,
        selection,
        out: Vec::with_capacity(FLUSH_AT + 1024),
        bindings: vec![],
        rendered: vec![],
        stack: vec![],
        names: String::new(),
        selected_at: None,
        done: false,
        omitting: None,
        omitted: false,
        seen_root: false,
        text: String::new(),
        signature_elements: 0,
    };
    let mut root_end = 0;
    let write_error = |e: std::io::Error| C14nError {
        line: 0,
        column: 0,
        message: format!("writing the canonical form: {e}"),
    };
    loop {
        if c.out.len() >= FLUSH_AT {
            sink.write_all(&c.out).map_err(write_error)?;
            c.out.clear();
        }
        let (token, loc) = tokens.next_token().map_err(token_error)?;
        // Positions are counted only for an error.
        let fail = |message: String| {
            let at = loc.position();
            C14nError {
                line: at.line,
                column: at.column,
                message,
            }
        };
        if c.stack.len() == 1 && matches!(token, Token::End { .. })
            || c.stack.is_empty() && matches!(token, Token::Start { .. })
        {
            root_end = loc.offset();
        }
        match token {
            Token::Eof => break,
            Token::Doctype => return Err(fail("a DOCTYPE is not canonicalised (records never carry one)".into())),
            Token::Start { name, attrs, empty, .. } => {
                let attrs: Vec<(&str, &str)> = attrs.iter().map(|a| (a.name, a.value)).collect();
                c.start(name, &attrs).map_err(fail)?;
                if empty {
                    c.end(name).map_err(fail)?;
                }
            }
            Token::End { name } => c.end(name).map_err(fail)?,
            // Only whitespace may stand outside the root (the tokenizer hands
            // whitespace at the very end over as text).
            Token::Text(raw) if c.stack.is_empty() && raw.trim_start_matches(is_xml_space).is_empty() => {}
            Token::Text(_) | Token::CData(_) if c.stack.is_empty() => {
                return Err(fail("text outside the root element".into()))
            }
            Token::Text(raw) => {
                checks::text(raw).map_err(fail)?;
                c.text.clear();
                decode_text(raw, &mut c.text).map_err(fail)?;
                c.character_data();
            }
            Token::Space(raw) | Token::CData(raw) => {
                c.text.clear();
                decode_line_ends(raw, &mut c.text).map_err(fail)?;
                c.character_data();
            }
            Token::Pi { target, data } => c.node(&["<?", target, if data.is_empty() { "" } else { " " }, data, "?>"]),
            Token::Comment(text) if comments == Comments::Keep => c.node(&["<!--", text, "-->"]),
            Token::Decl(pseudo) => match checks::declaration(pseudo) {
                Ok(None) => {}
                Ok(Some(encoding)) => {
                    return Err(fail(format!(
                        "encoding {encoding:?} is not canonicalised; Incomes Register records are UTF-8"
                    )))
                }
                Err(message) => return Err(fail(message)),
            },
            Token::Comment(_) => {}
        }
    }
    if !c.seen_root || !c.stack.is_empty() {
        let at = tokens.position();
        let message = if c.seen_root {
            "the document ends inside an element"
        } else {
            "the document has no root element"
        };
        return Err(C14nError {
            line: at.line,
            column: at.column,
            message: message.into(),
        });
    }
    sink.write_all(&c.out).map_err(write_error)?;
    Ok(Canonical {
        root_end,
        signature_elements: c.signature_elements,
    })
}

/// A tokenizer error as the canonicaliser (and the signature reader, which
/// shares its token limit) reports it.
pub(crate) fn token_error(e: TokenError) -> C14nError {
    let (at, message) = match e {
        TokenError::Io(e) => (Position { line: 0, column: 0 }, format!("reading: {e}")),
        TokenError::Syntax(message, at) => (at, message),
        TokenError::Encoding(at) => (at, "the document is not valid UTF-8 here".into()),
        TokenError::Char(c, at) => (at, format!("character U+{c:04X} is not allowed in XML")),
        TokenError::TooLarge(at) => (at, format!("a token longer than {TOKEN_LIMIT} bytes")),
    };
    C14nError {
        line: at.line,
        column: at.column,
        message,
    }
}

impl Canonicalizer {
    /// Whether the content being read goes to the output.
    fn in_output(&self) -> bool {
        self.stack.last().is_some_and(|o| o.output)
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), String> {
        if self.stack.is_empty() && self.seen_root {
            return Err("a second root element".into());
        }
        self.seen_root = true;
        // The tokenizer finds where a name ends; what it holds is checked here.
        if !is_qname(name) {
            return Err(format!("bad element name {name:?}"));
        }
        let depth = self.stack.len();
        let mut values = vec![];
        let mut declared = 0;
        for &(qname, raw) in attrs {
            if !is_qname(qname) {
                return Err(format!("bad attribute name {qname:?}"));
            }
            let mut value = String::new();
            attribute_value(raw, &mut value)?;
            let declares = match qname.strip_prefix("xmlns") {
                Some("") => Some(""),
                Some(p) => p.strip_prefix(':'),
                None => None,
            };
            if let Some(prefix) = declares {
                checks::namespace_declaration(prefix, &value)?;
                self.bindings.push((prefix.to_string(), value));
                declared += 1;
            } else {
                values.push((qname, value));
            }
        }
        let (prefix, local) = split(name);
        let uri = self
            .namespace(prefix)
            .ok_or_else(|| format!("the prefix of <{name}> is not declared"))?;
        let dsig = uri == DSIG_NS;
        self.signature_elements += usize::from(dsig);
        let output = match self.selection {
            Selection::Document => true,
            Selection::WithoutEnvelopedSignature => {
                let signature = depth == 1 && local == "Signature" && dsig;
                if signature && !self.omitted {
                    self.omitting = Some(depth);
                }
                self.omitting.is_none()
            }
            Selection::SignatureElement(wanted) => {
                if self.selected_at.is_none() && !self.done && local == wanted && dsig {
                    self.selected_at = Some(depth);
                }
                self.selected_at.is_some()
            }
        };
        let rendered = self.rendered.len();
        if output {
            // Attributes sorted by namespace URI, then local name.
            let mut sorted = vec![];
            for (qname, value) in values {
                let (p, l) = split(qname);
                let ns = if p.is_empty() {
                    ""
                } else {
                    self.namespace(p)
                        .ok_or_else(|| format!("the prefix of attribute {qname} is not declared"))?
                };
                sorted.push((ns.to_string(), l.to_string(), qname, value, p));
            }
            sorted.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            // Exclusive: the namespaces visibly utilised, the element's and its
            // attributes'. Inclusive: every namespace in scope.
            let mut used: Vec<&str> = match self.method {
                // Most elements have no attributes: nothing to allocate.
                Method::Exclusive if sorted.is_empty() => vec![],
                Method::Exclusive => {
                    let mut used = vec![prefix];
                    used.extend(sorted.iter().map(|a| a.4).filter(|p| !p.is_empty() && *p != "xml"));
                    used
                }
                Method::Inclusive => {
                    let mut used: Vec<&str> = self.bindings.iter().map(|(p, _)| p.as_str()).collect();
                    used.push("");
                    used
                }
            };
            used.sort_unstable();
            used.dedup();
            let element_only = [prefix];
            let used = if used.is_empty() { &element_only[..] } else { &used[..] };
            let mut declarations = vec![];
            for &p in used {
                let ns = self.namespace(p).unwrap_or("").to_string();
                let shown = self
                    .rendered
                    .iter()
                    .rev()
                    .find(|(rp, _)| rp == p)
                    .map(|(_, u)| u.as_str());
                // An unprefixed element needs xmlns="" only to undo a default
                // namespace an output ancestor rendered.
                let needed = match shown {
                    Some(u) => u != ns,
                    None => !(p.is_empty() && ns.is_empty()),
                };
                if needed && p != "xml" {
                    declarations.push((p.to_string(), ns));
                }
            }
            self.out.push(b'<');
            self.out.extend_from_slice(name.as_bytes());
            for (p, ns) in &declarations {
                self.out
                    .extend_from_slice(if p.is_empty() { b" xmlns" as &[u8] } else { b" xmlns:" });
                self.out.extend_from_slice(p.as_bytes());
                self.out.extend_from_slice(b"=\"");
                escape_attribute(ns, &mut self.out);
                self.out.push(b'"');
            }
            for (_, _, qname, value, _) in &sorted {
                self.out.push(b' ');
                self.out.extend_from_slice(qname.as_bytes());
                self.out.extend_from_slice(b"=\"");
                escape_attribute(value, &mut self.out);
                self.out.push(b'"');
            }
            self.out.push(b'>');
            self.rendered.extend(declarations);
        }
        let name_at = self.names.len();
        self.names.push_str(name);
        self.stack.push(Open {
            name_at,
            declared,
            rendered,
            output,
        });
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), String> {
        let open = self.stack.pop().ok_or_else(|| format!("</{name}> closes no element"))?;
        if &self.names[open.name_at..] != name {
            return Err(format!("</{name}> closes <{}>", &self.names[open.name_at..]));
        }
        self.names.truncate(open.name_at);
        if open.output {
            self.out.extend_from_slice(b"</");
            self.out.extend_from_slice(name.as_bytes());
            self.out.push(b'>');
        }
        let depth = self.stack.len();
        if self.omitting == Some(depth) {
            self.omitting = None;
            self.omitted = true;
        }
        if self.selected_at == Some(depth) {
            self.selected_at = None;
            self.done = true;
        }
        self.rendered.truncate(open.rendered);
        let keep = self.bindings.len() - open.declared;
        self.bindings.truncate(keep);
        Ok(())
    }

    fn character_data(&mut self) {
        if self.in_output() {
            escape_text(&self.text, &mut self.out);
        }
    }

    /// A processing instruction or comment, written as `parts`.
    fn node(&mut self, parts: &[&str]) {
        let outside = self.stack.is_empty();
        let wanted = if outside {
            !matches!(self.selection, Selection::SignatureElement(_))
        } else {
            self.in_output()
        };
        if !wanted {
            return;
        }
        // Outside the root: a line feed between it and the root element.
        if outside && self.seen_root {
            self.out.push(b'\n');
        }
        for part in parts {
            self.out.extend_from_slice(part.as_bytes());
        }
        if outside && !self.seen_root {
            self.out.push(b'\n');
        }
    }

    /// The namespace URI bound to `prefix` ("" for none), if it is bound.
    fn namespace(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        match self.bindings.iter().rev().find(|(p, _)| p == prefix) {
            Some((_, uri)) => Some(uri),
            None if prefix.is_empty() => Some(""),
            None => None,
        }
    }
}

/// (prefix, local name) of a qualified name; "" for no prefix.
fn split(qname: &str) -> (&str, &str) {
    qname.split_once(':').unwrap_or(("", qname))
}

fn escape_text(s: &str, out: &mut Vec<u8>) {
    for b in s.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'\r' => out.extend_from_slice(b"&#xD;"),
            _ => out.push(b),
        }
    }
}

fn escape_attribute(s: &str, out: &mut Vec<u8>) {
    for b in s.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            b'\t' => out.extend_from_slice(b"&#x9;"),
            b'\n' => out.extend_from_slice(b"&#xA;"),
            b'\r' => out.extend_from_slice(b"&#xD;"),
            _ => out.push(b),
        }
    }
}
