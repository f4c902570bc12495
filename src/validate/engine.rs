//! The streaming validator: one pass over the tokenizer's events with a stack of
//! content-model states. It keeps going after schema errors and stops at the
//! first well-formedness error, as XML requires.

use super::simple;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::rules::{checker_for, Checker, Finding, RuleOptions};
use crate::schema::model::{Content, ElementType, Term};
use crate::schema::{COMPLEX_TYPES, ELEMENTS, NAMESPACES, ROOTS, SIMPLE_TYPES, STATES};
use crate::xml::chars::{is_qname, is_xml_space, same_name};
use crate::xml::checks::{self, declaration, namespace_declaration};
use crate::xml::text::{attribute_value, decode_line_ends, decode_text};
use crate::xml::tokenizer::{Attrs, Locator, Position, Token, TokenError, Tokenizer};
use std::collections::HashSet;
use std::io::{self, Read};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Limits that keep memory and time bounded on hostile input. The defaults
/// accept every real record.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Limits {
    /// Deepest element nesting accepted (libxml2's default is also 256).
    pub max_depth: usize,
    /// Most bytes one tag, text run, comment or element value may take.
    pub max_event_bytes: u64,
    /// Most `ID` attributes remembered for the uniqueness check.
    pub max_ids: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_event_bytes: 4 << 20,
            max_ids: 4096,
        }
    }
}

/// A namespace as the validator needs it: an index into the schema's table,
/// or a marker for a namespace no schema uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ns {
    Known(u8),
    Xsi,
    Foreign,
    UnknownPrefix,
}

fn ns_of_uri(uri: &str) -> Ns {
    if uri == XSI {
        return Ns::Xsi;
    }
    match NAMESPACES.iter().position(|k| *k == uri) {
        Some(i) => Ns::Known(i as u8),
        None => Ns::Foreign,
    }
}

#[derive(Clone, Copy)]
enum Kind {
    /// Element-only or mixed content, at automaton state `state`.
    Complex { ty: u16, state: u16 },
    /// A value of simple type `ty`, collected in `Walker::text`; `attrs` is
    /// the complex type whose attributes apply (`NO_TYPE` for none).
    Simple { ty: u16, attrs: u16 },
    /// Matched by a lax wildcard with no declaration: children are checked
    /// only if a global declaration exists for them.
    Lax,
    /// An element already reported; its subtree is only read.
    Skip,
}

struct Frame {
    kind: Kind,
    /// The tag name as written, for matching the end tag.
    qname: String,
    /// Namespace bindings in force before this element.
    /// Where the local name starts in `qname`.
    local_at: usize,
    bindings: usize,
    default_ns: Ns,
    index: u32,
    /// Declaration of the previous child (`NO_KEY` if none), and how many
    /// children in a row had it.
    last_key: u32,
    last_count: u32,
    text_reported: bool,
    /// The element's declaration (`NO_TYPE` when it has none).
    decl: u16,
}

const NO_KEY: u32 = u32::MAX;
const NO_TYPE: u16 = u16::MAX;

impl Frame {
    fn local(&self) -> &str {
        &self.qname[self.local_at..]
    }
}

enum Flow {
    Continue,
    Stop,
}

pub struct Walker<'s> {
    sink: &'s mut dyn FnMut(Diagnostic),
    limits: Limits,
    /// A missing `ds:Signature` at the end of the root is not an error.
    unsigned: bool,
    frames: Vec<Frame>,
    depth: usize,
    root: Option<usize>,
    seen_root: bool,
    text: String,
    /// In-scope prefixed namespace declarations: (prefix, namespace).
    bindings: Vec<(String, Ns)>,
    /// The default namespace in scope (no namespace unless declared).
    default_ns: Ns,
    ids: HashSet<String>,
    visited: Vec<bool>,
    /// Problems found while deciding how to treat a new element; reported
    /// once its frame is pushed, so their path names the element itself.
    pending: Vec<(Code, String)>,
    deferring: bool,
    pub errors: usize,
    pub warnings: usize,
    /// The Register's rules, once the root says which record this is.
    rule_options: Option<RuleOptions>,
    rules: Option<Box<dyn Checker>>,
    findings: Vec<Finding>,
    /// Where the token being handled starts, once a problem needed it.
    at: Option<Position>,
    /// Problems at the start tag being handled, waiting for its position.
    unplaced: Vec<Diagnostic>,
}

impl<'s> Walker<'s> {
    pub fn new(
        limits: Limits,
        unsigned: bool,
        rule_options: Option<RuleOptions>,
        sink: &'s mut dyn FnMut(Diagnostic),
    ) -> Self {
        Walker {
            sink,
            limits,
            unsigned,
            frames: vec![],
            depth: 0,
            root: None,
            seen_root: false,
            text: String::new(),
            bindings: vec![],
            default_ns: Ns::Known(0),
            ids: HashSet::new(),
            visited: vec![false; STATES.len()],
            pending: vec![],
            deferring: false,
            errors: 0,
            warnings: 0,
            rule_options,
            rules: None,
            findings: vec![],
            at: None,
            unplaced: vec![],
        }
    }

    fn path(&self) -> String {
        let mut p = String::new();
        for f in &self.frames[..self.depth] {
            p.push('/');
            p.push_str(f.local());
            if f.index > 0 {
                p.push_str(&format!("[{}]", f.index));
            }
        }
        p
    }

    // In WebAssembly, error paths stay out of the hot functions: V8 optimises
    // a function only after a background compile whose time grows with its
    // size (docs/benchmarks.md, Node). Natively, inlining them is faster.
    #[cfg_attr(target_arch = "wasm32", cold, inline(never))]
    fn report_at(&mut self, line: u64, column: u64, code: Code, message: String) {
        self.errors += 1;
        let path = self.path();
        (self.sink)(Diagnostic {
            line,
            column,
            path,
            code,
            severity: Severity::Error,
            message,
        });
    }

    #[cfg_attr(target_arch = "wasm32", cold, inline(never))]
    fn report(&mut self, code: Code, message: String) {
        if self.deferring {
            self.pending.push((code, message));
        } else if let Some(at) = self.at {
            self.report_at(at.line, at.column, code, message)
        } else {
            self.errors += 1;
            self.unplaced.push(Diagnostic {
                line: 0,
                column: 0,
                path: self.path(),
                code,
                severity: Severity::Error,
                message,
            });
        }
    }

    /// Reports the problems that waited for the position of the token `loc`.
    #[cfg_attr(target_arch = "wasm32", cold, inline(never))]
    fn place<R: Read>(&mut self, loc: &Locator<R>) {
        let at = loc.position();
        for mut d in self.unplaced.drain(..) {
            (d.line, d.column) = (at.line, at.column);
            (self.sink)(d);
        }
    }

    /// Runs over the whole input. Returns an error only for I/O failures of
    /// the input itself; everything about the document becomes a diagnostic.
    pub fn run<R: Read>(&mut self, input: R) -> io::Result<()> {
        let mut tokens = Tokenizer::new(input, self.limits.max_event_bytes as usize);
        tokens.keep_comments = false;
        loop {
            let (token, loc) = match tokens.next_token() {
                Ok(t) => t,
                Err(e) => return self.token_error(e),
            };
            let flow = match token {
                // Whitespace reaches the engine only where it can matter.
                Token::Start {
                    name,
                    local_at,
                    attrs,
                    empty,
                } => {
                    // The position is counted only if a problem needs it.
                    self.at = None;
                    let flow = self.start(name, local_at, attrs);
                    if !self.unplaced.is_empty() {
                        self.place(&loc);
                    }
                    match flow {
                        Flow::Continue if empty => self.end(None, &loc),
                        Flow::Continue => self.value_fast_path(&mut tokens),
                        flow => flow,
                    }
                }
                Token::End { name } => self.end(Some(name), &loc),
                Token::Text(t) => self.text(t, false, &loc),
                Token::Space(t) => self.space(t),
                Token::CData(t) => self.text(t, true, &loc),
                Token::Comment(_) => Flow::Continue,
                // The tokenizer has checked the target and the declaration's place.
                Token::Pi { .. } => Flow::Continue,
                Token::Decl(d) => self.decl(d, &loc),
                Token::Doctype => self.fatal(
                    &loc,
                    Code::XmlDoctype,
                    "a DOCTYPE is not allowed in an Incomes Register record".into(),
                ),
                Token::Eof => {
                    self.eof(&loc);
                    Flow::Stop
                }
            };
            debug_assert!(self.unplaced.is_empty(), "a problem was left without a position");
            if let Flow::Stop = flow {
                return Ok(());
            }
            tokens.keep_space = self.depth == 0 || !matches!(self.frames[self.depth - 1].kind, Kind::Complex { .. });
        }
    }

    /// Most elements hold a short plain value: take `value</Name>` in one
    /// step when the tokenizer can, instead of two more tokens.
    fn value_fast_path<R: Read>(&mut self, tokens: &mut Tokenizer<R>) -> Flow {
        let top = self.depth - 1;
        if !matches!(self.frames[top].kind, Kind::Simple { .. }) {
            return Flow::Continue;
        }
        // Taken out for the call so `self` stays free; put back either way.
        let qname = std::mem::take(&mut self.frames[top].qname);
        let step = tokens.value_then_end(&qname);
        self.frames[top].qname = qname;
        match step {
            // A plain value is checked where it lies, without a copy.
            Some((value, loc)) if is_plain(value) && value.len() <= self.limits.max_event_bytes as usize => {
                self.end_element(None, Some(value), &loc)
            }
            Some((value, loc)) => match self.text(value, false, &loc) {
                Flow::Continue => self.end(None, &loc),
                stop => stop,
            },
            None => Flow::Continue,
        }
    }

    /// Reports a problem at the token `loc` points to and stops.
    #[cfg_attr(target_arch = "wasm32", cold, inline(never))]
    fn fatal<R: Read>(&mut self, loc: &Locator<R>, code: Code, message: String) -> Flow {
        self.at = Some(loc.position());
        self.report(code, message);
        Flow::Stop
    }

    /// Reports a problem at the current start tag and stops.
    #[cfg_attr(target_arch = "wasm32", cold, inline(never))]
    fn fatal_here(&mut self, code: Code, message: String) -> Flow {
        self.report(code, message);
        Flow::Stop
    }

    #[cfg_attr(target_arch = "wasm32", cold, inline(never))]
    fn token_error(&mut self, e: TokenError) -> io::Result<()> {
        let (code, message) = match e {
            TokenError::Io(io) => return Err(io),
            TokenError::Syntax(msg, at) => {
                self.at = Some(at);
                (Code::XmlSyntax, msg)
            }
            TokenError::Encoding(at) => {
                self.at = Some(at);
                (Code::XmlEncoding, "the document is not valid UTF-8 here".to_string())
            }
            TokenError::Char(c, at) => {
                self.at = Some(at);
                (Code::XmlChar, format!("character U+{c:04X} is not allowed in XML"))
            }
            TokenError::TooLarge(at) => {
                self.at = Some(at);
                (
                    Code::XmlTooLarge,
                    format!(
                        "a tag, text or comment longer than {} bytes",
                        self.limits.max_event_bytes
                    ),
                )
            }
        };
        self.report(code, message);
        Ok(())
    }

    #[cfg_attr(target_arch = "wasm32", cold, inline(never))]
    fn decl<R: Read>(&mut self, pseudo: &str, loc: &Locator<R>) -> Flow {
        match declaration(pseudo) {
            Ok(None) => Flow::Continue,
            Ok(Some(enc)) => self.fatal(
                loc,
                Code::XmlEncoding,
                format!("encoding {enc:?} is not supported; Incomes Register records are UTF-8"),
            ),
            Err(msg) => self.fatal(loc, Code::XmlSyntax, msg),
        }
    }

    #[cfg_attr(target_arch = "wasm32", cold, inline(never))]
    fn eof<R: Read>(&mut self, loc: &Locator<R>) {
        self.at = Some(loc.position());
        if self.depth > 0 {
            let name = self.frames[self.depth - 1].local().to_string();
            self.report(Code::XmlSyntax, format!("the document ends inside <{name}>"));
        } else if !self.seen_root {
            self.report(Code::XmlSyntax, "the document has no root element".into());
        }
    }

    /// Whitespace-only character data: a value in a simple element, and
    /// ignorable anywhere else.
    fn space(&mut self, raw: &str) -> Flow {
        if let Some(top) = self.depth.checked_sub(1) {
            if let Kind::Simple { .. } = self.frames[top].kind {
                let _ = decode_line_ends(raw, &mut self.text);
            }
        }
        Flow::Continue
    }

    /// Character data: `raw` as written (CDATA content is taken literally).
    fn text<R: Read>(&mut self, raw: &str, cdata: bool, loc: &Locator<R>) -> Flow {
        if self.depth == 0 {
            if cdata || !raw.chars().all(is_xml_space) {
                return self.fatal(loc, Code::XmlSyntax, "text outside the root element".into());
            }
            return Flow::Continue;
        }
        let top = self.depth - 1;
        // The common value: plain characters, one scan, straight into the buffer.
        let plain = is_plain(raw);
        if plain
            && matches!(self.frames[top].kind, Kind::Simple { .. })
            && self.text.len() + raw.len() <= self.limits.max_event_bytes as usize
        {
            self.text.push_str(raw);
            return Flow::Continue;
        }
        if !cdata && !plain {
            if let Err(msg) = checks::text(raw) {
                return self.fatal(loc, Code::XmlSyntax, msg);
            }
        }
        match self.frames[top].kind {
            Kind::Simple { .. } => {
                if self.text.len() + raw.len() > self.limits.max_event_bytes as usize {
                    return self.fatal(
                        loc,
                        Code::XmlTooLarge,
                        format!("an element value longer than {} bytes", self.limits.max_event_bytes),
                    );
                }
                let expanded = if cdata {
                    decode_line_ends(raw, &mut self.text)
                } else {
                    decode_text(raw, &mut self.text)
                };
                if let Err(msg) = expanded {
                    return self.fatal(loc, Code::XmlEntity, msg);
                }
            }
            Kind::Complex { ty, .. } => {
                let mixed = matches!(
                    COMPLEX_TYPES[ty as usize].content,
                    Content::Elements { mixed: true, .. }
                );
                if raw.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
                    return Flow::Continue;
                }
                let mut decoded = String::new();
                if let Err(msg) = decode_text(raw, &mut decoded) {
                    return self.fatal(loc, Code::XmlEntity, msg);
                }
                if !mixed && !self.frames[top].text_reported && !decoded.chars().all(is_xml_space) {
                    self.frames[top].text_reported = true;
                    self.at = Some(loc.position());
                    let name = self.frames[top].local().to_string();
                    self.report(
                        Code::SchemaTextNotAllowed,
                        format!("<{name}> holds elements only, found text {:?}", short(&decoded)),
                    );
                }
            }
            Kind::Lax | Kind::Skip => {
                if !cdata {
                    let mut scratch = String::new();
                    if let Err(msg) = decode_text(raw, &mut scratch) {
                        return self.fatal(loc, Code::XmlEntity, msg);
                    }
                }
            }
        }
        Flow::Continue
    }

    fn start(&mut self, qname: &str, local_at: usize, attrs: Attrs) -> Flow {
        if self.depth == 0 && self.seen_root {
            return self.fatal_here(Code::XmlSyntax, format!("a second root element <{qname}>"));
        }
        if self.depth >= self.limits.max_depth {
            return self.fatal_here(
                Code::XmlDepth,
                format!("elements nested deeper than {} levels", self.limits.max_depth),
            );
        }
        let bindings_before = self.bindings.len();
        let default_before = self.default_ns;
        if !attrs.is_empty() {
            if let Flow::Stop = self.declare_namespaces(attrs) {
                return Flow::Stop;
            }
        }
        let name = split_name(qname, local_at);
        let ns = self.resolve(name.prefix.unwrap_or(""), true);
        self.deferring = true;
        let (kind, repeatable, key) = self.child_kind(ns, qname, name);
        self.deferring = false;
        // A name that matched a declared element is valid by construction;
        // any other is checked before it is reported or skipped.
        if (matches!(kind, Kind::Skip | Kind::Lax) || !self.pending.is_empty()) && !is_qname(qname) {
            self.pending.clear();
            return self.fatal_here(Code::XmlSyntax, format!("bad element name {qname:?}"));
        }
        self.push(kind, qname, local_at, key, repeatable, bindings_before, default_before);
        if self.depth == 1 {
            self.frames[0].decl = self.root.map_or(NO_TYPE, |r| ROOTS[r].element);
        }
        if matches!(kind, Kind::Complex { .. }) && self.rules_want(self.depth - 1) {
            let decl = self.frames[self.depth - 1].decl;
            if let Some(rules) = self.rules.as_mut() {
                rules.open(decl);
            }
        }
        if !self.pending.is_empty() {
            for (code, message) in std::mem::take(&mut self.pending) {
                self.report(code, message);
            }
        }
        self.attributes(attrs)
    }

    /// Adds the element's `xmlns` declarations to the scope.
    #[cfg_attr(target_arch = "wasm32", cold, inline(never))]
    fn declare_namespaces(&mut self, attrs: Attrs) -> Flow {
        for a in attrs.iter() {
            let prefix = match a.name.strip_prefix("xmlns") {
                Some("") => "",
                Some(p) if p.starts_with(':') => &p[1..],
                _ => continue,
            };
            let mut uri = String::new();
            if let Err(msg) = attribute_value(a.value, &mut uri) {
                return self.fatal_here(Code::XmlSyntax, msg);
            }
            if let Err(msg) = namespace_declaration(prefix, &uri) {
                return self.fatal_here(Code::XmlNamespace, msg);
            }
            let ns = if uri.is_empty() { Ns::Known(0) } else { ns_of_uri(&uri) };
            if prefix.is_empty() {
                self.default_ns = ns;
            } else {
                self.bindings.push((prefix.to_string(), ns));
            }
        }
        Flow::Continue
    }

    /// The namespace of a prefix ("" is the default namespace, which applies
    /// to elements only).
    fn resolve(&self, prefix: &str, element: bool) -> Ns {
        if prefix.is_empty() {
            return if element { self.default_ns } else { Ns::Known(0) };
        }
        if prefix == "xml" {
            return Ns::Foreign;
        }
        match self.bindings.iter().rev().find(|(p, _)| p == prefix) {
            Some(&(_, ns)) => ns,
            None => Ns::UnknownPrefix,
        }
    }

    /// Decides how to treat a new element under the current top frame.
    /// Returns the kind, whether the particle repeats, and the declaration
    /// (`NO_KEY` when there is none) for numbering same-named siblings.
    fn child_kind(&mut self, ns: Ns, qname: &str, name: Name) -> (Kind, bool, u32) {
        // A root is a root whatever its prefix: the end of the document must
        // not report it missing as well.
        self.seen_root |= self.depth == 0;
        if ns == Ns::UnknownPrefix {
            self.report(Code::XmlNamespace, format!("the prefix of <{qname}> is not declared"));
            return (Kind::Skip, false, NO_KEY);
        }
        if self.depth == 0 {
            let found = ROOTS.iter().position(|r| element_is(r.element, ns, name));
            self.root = found;
            return match found {
                Some(r) => {
                    if let Some(options) = &self.rule_options {
                        self.rules = checker_for(ROOTS[r].element, options);
                    }
                    (element_kind(ROOTS[r].element), false, NO_KEY)
                }
                None => {
                    self.report(
                        Code::SchemaRoot,
                        format!("<{qname}> is not an Incomes Register record root element"),
                    );
                    (Kind::Skip, false, NO_KEY)
                }
            };
        }
        let top = self.depth - 1;
        match self.frames[top].kind {
            Kind::Skip => (Kind::Skip, false, NO_KEY),
            Kind::Lax => match self.global(ns, name) {
                Some(el) => (element_kind(el), false, el as u32),
                None => (Kind::Lax, false, NO_KEY),
            },
            Kind::Simple { ty, .. } => {
                let parent = self.frames[top].local().to_string();
                let msg = format!(
                    "<{parent}> holds a {} value, not elements; found <{qname}>",
                    SIMPLE_TYPES[ty as usize].name
                );
                self.report(Code::SchemaElementNotAllowed, msg);
                (Kind::Skip, false, NO_KEY)
            }
            Kind::Complex { ty, state } => match self.step(state, ns, name) {
                Some((t, next)) => {
                    self.frames[top].kind = Kind::Complex { ty, state: next };
                    let (kind, key) = self.term_kind(t.term, ns, qname, name);
                    (kind, t.repeatable, key)
                }
                None => self.recover(top, ty, state, ns, qname, name),
            },
        }
    }

    fn step(&self, state: u16, ns: Ns, name: Name) -> Option<(crate::schema::model::Transition, u16)> {
        let ts = STATES[state as usize].transitions;
        let hit = ts
            .iter()
            .find(|t| matches!(t.term, Term::Element(el) if element_is(el, ns, name)))
            .or_else(|| {
                ts.iter()
                    .find(|t| matches!(t.term, Term::Any(w) if wildcard_allows(w, ns)))
            });
        hit.map(|t| (*t, t.next))
    }

    /// How to treat an element matched by `term`, and its declaration.
    fn term_kind(&mut self, term: Term, ns: Ns, qname: &str, name: Name) -> (Kind, u32) {
        match term {
            Term::Element(el) => (element_kind(el), el as u32),
            Term::Any(w) => match self.global(ns, name) {
                Some(el) => (element_kind(el), el as u32),
                None if w.strict => {
                    self.report(
                        Code::SchemaUnexpectedElement,
                        format!("<{qname}> matches a strict wildcard but has no declaration"),
                    );
                    (Kind::Skip, NO_KEY)
                }
                None => (Kind::Lax, NO_KEY),
            },
        }
    }

    /// An element the current state does not accept: if a later state of the
    /// same model accepts it, report what is missing and continue from there;
    /// otherwise report it as unexpected and skip it.
    #[cfg_attr(target_arch = "wasm32", cold, inline(never))]
    fn recover(&mut self, top: usize, ty: u16, state: u16, ns: Ns, qname: &str, name: Name) -> (Kind, bool, u32) {
        let parent = self.frames[top].local().to_string();
        let expected = expected_names(state);
        let mut queue = vec![state];
        self.visited.iter_mut().for_each(|v| *v = false);
        self.visited[state as usize] = true;
        let mut i = 0;
        while i < queue.len() {
            let s = queue[i];
            i += 1;
            if s != state {
                if let Some((t, next)) = self.step(s, ns, name) {
                    self.frames[top].kind = Kind::Complex { ty, state: next };
                    self.report(
                        Code::SchemaMissingElement,
                        format!("<{parent}> is missing {expected} before <{qname}>"),
                    );
                    let (kind, key) = self.term_kind(t.term, ns, qname, name);
                    return (kind, t.repeatable, key);
                }
            }
            for t in STATES[s as usize].transitions {
                if !self.visited[t.next as usize] {
                    self.visited[t.next as usize] = true;
                    queue.push(t.next);
                }
            }
        }
        let msg = if expected.is_empty() {
            format!("unexpected element <{qname}> in <{parent}>; expected the end of <{parent}>")
        } else {
            format!("unexpected element <{qname}> in <{parent}>; expected {expected}")
        };
        self.report(Code::SchemaUnexpectedElement, msg);
        (Kind::Skip, false, NO_KEY)
    }

    fn global(&self, ns: Ns, name: Name) -> Option<u16> {
        let root = self.root?;
        ROOTS[root].globals.iter().copied().find(|&el| element_is(el, ns, name))
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: Kind,
        qname: &str,
        local_at: usize,
        key: u32,
        repeatable: bool,
        bindings: usize,
        default_ns: Ns,
    ) {
        let index = match self.depth.checked_sub(1) {
            Some(p) => {
                let parent = &mut self.frames[p];
                if parent.last_key == key && key != NO_KEY {
                    parent.last_count += 1;
                } else {
                    parent.last_key = key;
                    parent.last_count = 1;
                }
                if repeatable && key != NO_KEY {
                    parent.last_count
                } else {
                    0
                }
            }
            None => 0,
        };
        if self.frames.len() == self.depth {
            self.frames.push(Frame {
                kind,
                qname: String::new(),
                local_at: 0,
                bindings,
                default_ns,
                index: 0,
                last_key: NO_KEY,
                last_count: 0,
                text_reported: false,
                decl: NO_TYPE,
            });
        }
        let f = &mut self.frames[self.depth];
        f.kind = kind;
        f.qname.clear();
        f.qname.push_str(qname);
        f.local_at = local_at;
        f.bindings = bindings;
        f.default_ns = default_ns;
        f.index = index;
        f.last_key = NO_KEY;
        f.last_count = 0;
        f.text_reported = false;
        f.decl = if key == NO_KEY { NO_TYPE } else { key as u16 };
        self.depth += 1;
        self.text.clear();
    }

    /// Closes the top element; `tag` is the end tag's name (`None` for `<x/>`).
    fn end<R: Read>(&mut self, tag: Option<&str>, loc: &Locator<R>) -> Flow {
        self.end_element(tag, None, loc)
    }

    /// Closes the top element; a simple element's value is `value` when
    /// given, else what `text` collected.
    fn end_element<R: Read>(&mut self, tag: Option<&str>, value: Option<&str>, loc: &Locator<R>) -> Flow {
        let Some(top) = self.depth.checked_sub(1) else {
            return self.fatal(
                loc,
                Code::XmlSyntax,
                format!("end tag </{}> without a start tag", tag.unwrap_or("")),
            );
        };
        if let Some(tag) = tag {
            if !same_name(tag.as_bytes(), self.frames[top].qname.as_bytes()) {
                let open = self.frames[top].qname.clone();
                return self.fatal(
                    loc,
                    Code::XmlSyntax,
                    format!("end tag </{tag}> does not match the open <{open}>"),
                );
            }
        }
        let start_tag = || loc.element(top).unwrap_or_else(|| loc.position());
        match self.frames[top].kind {
            Kind::Complex { state, .. } if !self.complete(top, state) => {
                let name = self.frames[top].local().to_string();
                let msg = format!("<{name}> is incomplete: expected {}", expected_names(state));
                let at = start_tag();
                self.report_at(at.line, at.column, Code::SchemaMissingElement, msg);
            }
            Kind::Complex { .. } if self.rules_want(top) => {
                let decl = self.frames[top].decl;
                if let Some(rules) = self.rules.as_mut() {
                    rules.close(decl, &mut self.findings);
                }
                self.report_findings(start_tag);
            }
            Kind::Simple { ty, .. } => {
                let simple_type = &SIMPLE_TYPES[ty as usize];
                let collected = std::mem::take(&mut self.text);
                let text = value.unwrap_or(&collected);
                match simple::check_normalized(simple_type, text) {
                    Err((code, msg)) => {
                        let at = start_tag();
                        self.report_at(at.line, at.column, code, msg);
                        if self.rules_want(top) {
                            let parent = self.parent_type(top);
                            let decl = self.frames[top].decl;
                            if let Some(rules) = self.rules.as_mut() {
                                rules.invalid(parent, decl);
                            }
                        }
                    }
                    Ok(value) if self.rules_want(top) => {
                        let parent = self.parent_type(top);
                        let decl = self.frames[top].decl;
                        if let Some(rules) = self.rules.as_mut() {
                            rules.value(parent, decl, &value, &mut self.findings);
                        }
                        self.report_findings(start_tag);
                    }
                    Ok(_) => {}
                }
                self.text = collected;
            }
            _ => {}
        }
        self.bindings.truncate(self.frames[top].bindings);
        self.default_ns = self.frames[top].default_ns;
        self.depth -= 1;
        Flow::Continue
    }

    /// The complex type of the parent of open element `top`.
    fn parent_type(&self, top: usize) -> u16 {
        match top.checked_sub(1).map(|p| self.frames[p].kind) {
            Some(Kind::Complex { ty, .. }) => ty,
            _ => NO_TYPE,
        }
    }

    /// Whether the rules look at the open element `top`.
    fn rules_want(&self, top: usize) -> bool {
        let decl = self.frames[top].decl;
        decl != NO_TYPE && self.rules.as_ref().is_some_and(|r| r.wants(decl))
    }

    /// Reports what the rules found, at the element being closed.
    fn report_findings(&mut self, at: impl Fn() -> Position) {
        if self.findings.is_empty() {
            return;
        }
        let at = at();
        let path = self.path();
        for f in std::mem::take(&mut self.findings) {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
            }
            (self.sink)(Diagnostic {
                line: at.line,
                column: at.column,
                path: path.clone(),
                code: f.code,
                severity: f.severity,
                message: f.message,
            });
        }
    }

    /// Whether the content of the open element `top` may end at `state`.
    fn complete(&self, top: usize, state: u16) -> bool {
        STATES[state as usize].accepting || (self.unsigned && top == 0 && only_signature_missing(state))
    }

    fn attributes(&mut self, attrs: Attrs) -> Flow {
        let top = self.depth - 1;
        let kind = self.frames[top].kind;
        let declared = match kind {
            Kind::Complex { ty, .. } => COMPLEX_TYPES[ty as usize].attributes,
            Kind::Simple { attrs, .. } if attrs != NO_TYPE => COMPLEX_TYPES[attrs as usize].attributes,
            _ => &[],
        };
        // Almost every element of a record has no attributes and declares none.
        if attrs.is_empty() && declared.is_empty() {
            return Flow::Continue;
        }
        let checked = matches!(kind, Kind::Complex { .. } | Kind::Simple { .. });
        let mut present = 0u32;
        let mut value = String::new();
        for attr in attrs.iter() {
            let key = attr.name;
            if !is_qname(key) {
                return self.fatal_here(Code::XmlSyntax, format!("bad attribute name {key:?}"));
            }
            if let Err(msg) = attribute_value(attr.value, &mut value) {
                return self.fatal_here(Code::XmlSyntax, msg);
            }
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            let (prefix, local) = split_qname(key);
            let ans = self.resolve(prefix.unwrap_or(""), false);
            match ans {
                Ns::UnknownPrefix => {
                    self.report(
                        Code::XmlNamespace,
                        format!("the prefix of attribute {key} is not declared"),
                    );
                    continue;
                }
                Ns::Xsi => {
                    self.xsi(top, local, &value);
                    continue;
                }
                _ if !checked => continue,
                _ => {}
            }
            let found = declared.iter().position(|d| ans == Ns::Known(0) && d.name == local);
            match found {
                Some(i) => {
                    present |= 1 << i;
                    let ty = &SIMPLE_TYPES[declared[i].simple_type as usize];
                    if let Err((code, msg)) = simple::check(ty, &value) {
                        self.report(code, format!("attribute {key}: {msg}"));
                    } else if ty.builtin == crate::schema::model::Builtin::Id {
                        self.note_id(simple::normalize(ty.builtin, &value).as_ref());
                    }
                }
                None => {
                    let name = self.frames[top].local().to_string();
                    self.report(Code::SchemaUnknownAttribute, format!("<{name}> has no attribute {key}"));
                }
            }
        }
        for (i, d) in declared.iter().enumerate() {
            if d.required && present & (1 << i) == 0 {
                let name = self.frames[top].local().to_string();
                self.report(
                    Code::SchemaMissingAttribute,
                    format!("<{name}> requires the attribute {}", d.name),
                );
            }
        }
        Flow::Continue
    }

    fn note_id(&mut self, id: &str) {
        if self.ids.contains(id) {
            self.report(Code::SchemaDuplicateId, format!("the ID {id:?} is used twice"));
        } else if self.ids.len() >= self.limits.max_ids {
            self.report(
                Code::SchemaDuplicateId,
                format!("more than {} ID attributes", self.limits.max_ids),
            );
        } else {
            self.ids.insert(id.to_string());
        }
    }

    /// `xsi:` attributes: schema location hints are ignored, as by libxml2;
    /// no element is nillable; xsi:type may only name the declared type.
    #[cfg_attr(target_arch = "wasm32", cold, inline(never))]
    fn xsi(&mut self, top: usize, local: &str, value: &str) {
        let name = self.frames[top].local().to_string();
        match local {
            "schemaLocation" | "noNamespaceSchemaLocation" => {}
            "nil" => self.report(
                Code::SchemaXsi,
                format!("<{name}> is not nillable: xsi:nil is not allowed"),
            ),
            "type" => {
                let declared = match self.frames[top].kind {
                    Kind::Complex { ty, .. } => Some(COMPLEX_TYPES[ty as usize].name),
                    Kind::Simple { attrs, .. } if attrs != NO_TYPE => Some(COMPLEX_TYPES[attrs as usize].name),
                    Kind::Simple { ty, .. } => Some(SIMPLE_TYPES[ty as usize].name),
                    _ => None,
                };
                let given = value.trim_matches(is_xml_space);
                let local_of = |s: &str| s.rsplit(':').next().unwrap_or("").to_string();
                if let Some(d) = declared {
                    if local_of(d) != local_of(given) {
                        self.report(
                            Code::SchemaXsi,
                            format!("<{name}> is declared as {d}; xsi:type={given:?} is not supported"),
                        );
                    }
                }
            }
            other => self.report(
                Code::SchemaUnknownAttribute,
                format!("<{name}> has no attribute xsi:{other}"),
            ),
        }
    }
}

/// Whether character data can be taken as written: no references, no CR
/// to normalise and no `]]>` to refuse.
fn is_plain(raw: &str) -> bool {
    !raw.bytes().any(|b| matches!(b, b']' | b'&' | b'\r'))
}

/// An element or attribute name split once: prefix, local part and the
/// local part's hash.
#[derive(Clone, Copy)]
struct Name<'a> {
    prefix: Option<&'a str>,
    local: &'a str,
    hash: u32,
}

/// `local_at` is where the local part starts (0 without a prefix).
fn split_name(qname: &str, local_at: usize) -> Name<'_> {
    let local = &qname[local_at..];
    Name {
        prefix: (local_at > 0).then(|| &qname[..local_at - 1]),
        local,
        hash: crate::schema::model::name_hash(local.as_bytes()),
    }
}

fn split_qname(qname: &str) -> (Option<&str>, &str) {
    // Names are short: a plain loop beats a memchr call.
    match qname.bytes().position(|b| b == b':') {
        Some(i) => (Some(&qname[..i]), &qname[i + 1..]),
        None => (None, qname),
    }
}

fn element_is(el: u16, ns: Ns, name: Name) -> bool {
    let d = &ELEMENTS[el as usize];
    d.hash == name.hash && ns == Ns::Known(d.ns) && same_name(d.name.as_bytes(), name.local.as_bytes())
}

fn wildcard_allows(w: crate::schema::model::Wildcard, ns: Ns) -> bool {
    !w.other || !matches!(ns, Ns::Known(0)) && ns != Ns::Known(w.target_ns)
}

/// Whether a `ds:Signature` alone would complete the content at `state`.
/// (An unsigned record is accepted without it.)
fn only_signature_missing(state: u16) -> bool {
    STATES[state as usize].transitions.iter().any(|t| {
        matches!(t.term, Term::Element(el) if ELEMENTS[el as usize].name == "Signature" && ELEMENTS[el as usize].ns != 0)
            && STATES[t.next as usize].accepting
    })
}

fn element_kind(el: u16) -> Kind {
    match ELEMENTS[el as usize].ty {
        ElementType::Simple(ty) => Kind::Simple { ty, attrs: NO_TYPE },
        ElementType::Complex(ty) => match COMPLEX_TYPES[ty as usize].content {
            Content::Elements { start, .. } => Kind::Complex { ty, state: start },
            Content::Simple(st) => Kind::Simple { ty: st, attrs: ty },
        },
    }
}

fn display_name(el: u16) -> String {
    let d = &ELEMENTS[el as usize];
    if NAMESPACES[d.ns as usize] == "http://www.w3.org/2000/09/xmldsig#" {
        format!("<ds:{}>", d.name)
    } else {
        format!("<{}>", d.name)
    }
}

/// What a state accepts, for messages: "<A>", "<A> or <B>", "one of ...".
fn expected_names(state: u16) -> String {
    let names: Vec<String> = STATES[state as usize]
        .transitions
        .iter()
        .map(|t| match t.term {
            Term::Element(el) => display_name(el),
            Term::Any(w) if w.other => "an element of another namespace".to_string(),
            Term::Any(_) => "any element".to_string(),
        })
        .collect();
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        2 => format!("{} or {}", names[0], names[1]),
        _ => format!("one of {}", names.join(", ")),
    }
}

fn short(t: &str) -> String {
    let t = t.trim_matches(is_xml_space);
    if t.chars().count() > 30 {
        format!("{}…", t.chars().take(30).collect::<String>())
    } else {
        t.to_string()
    }
}
