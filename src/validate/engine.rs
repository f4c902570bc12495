//! The streaming validator: one pass over quick-xml events with a stack of
//! content-model states. It keeps going after schema errors and stops at the
//! first well-formedness error, as XML requires.

use super::simple;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::schema::model::{Content, ElementType, Term};
use crate::schema::{COMPLEX_TYPES, ELEMENTS, NAMESPACES, ROOTS, SIMPLE_TYPES, STATES};
use crate::xml::chars::{is_qname, is_xml_space, resolve_reference};
use crate::xml::tracked::Tracked;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use std::collections::HashSet;
use std::io::{self, BufRead};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Limits that keep memory and time bounded on hostile input.
#[derive(Debug, Clone, Copy)]
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
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ns {
    Known(u8),
    Foreign,
    UnknownPrefix,
}

#[derive(Clone, Copy)]
enum Kind {
    /// Element-only or mixed content, at automaton state `state`.
    Complex { ty: u16, state: u16 },
    /// A value of a simple type, collected in `Walker::text`.
    Simple { ty: u16 },
    /// Matched by a lax wildcard with no declaration: children are checked
    /// only if a global declaration exists for them.
    Lax,
    /// An element already reported; its subtree is only read.
    Skip,
}

struct Frame {
    kind: Kind,
    name: String,
    index: u32,
    line: u64,
    column: u64,
    last_child: String,
    last_count: u32,
    text_reported: bool,
}

enum Flow {
    Continue,
    Stop,
}

pub struct Walker<'s> {
    sink: &'s mut dyn FnMut(Diagnostic),
    limits: Limits,
    frames: Vec<Frame>,
    depth: usize,
    root: Option<usize>,
    seen_root: bool,
    text: String,
    ids: HashSet<String>,
    visited: Vec<bool>,
    /// Problems found while deciding how to treat a new element; reported
    /// once its frame is pushed, so their path names the element itself.
    pending: Vec<(Code, String)>,
    deferring: bool,
    pub errors: usize,
    line: u64,
    column: u64,
}

impl<'s> Walker<'s> {
    pub fn new(limits: Limits, sink: &'s mut dyn FnMut(Diagnostic)) -> Self {
        Walker {
            sink,
            limits,
            frames: vec![],
            depth: 0,
            root: None,
            seen_root: false,
            text: String::new(),
            ids: HashSet::new(),
            visited: vec![false; STATES.len()],
            pending: vec![],
            deferring: false,
            errors: 0,
            line: 1,
            column: 1,
        }
    }

    fn path(&self) -> String {
        let mut p = String::new();
        for f in &self.frames[..self.depth] {
            p.push('/');
            p.push_str(&f.name);
            if f.index > 0 {
                p.push_str(&format!("[{}]", f.index));
            }
        }
        p
    }

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

    fn report(&mut self, code: Code, message: String) {
        if self.deferring {
            self.pending.push((code, message));
        } else {
            self.report_at(self.line, self.column, code, message)
        }
    }

    /// Runs over the whole input. Returns an error only for I/O failures of
    /// the input itself; everything about the document becomes a diagnostic.
    pub fn run<R: BufRead>(&mut self, input: R) -> io::Result<()> {
        let mut tracked = Tracked::new(input, self.limits.max_event_bytes);
        tracked.skip_bom()?;
        let mut reader = NsReader::from_reader(tracked);
        let cfg = reader.config_mut();
        cfg.check_comments = true;
        cfg.check_end_names = true;
        cfg.expand_empty_elements = false;
        let mut buf = Vec::new();
        let mut first = true;
        loop {
            (self.line, self.column) = reader.get_ref().position();
            reader.get_mut().mark();
            buf.clear();
            let event = reader.read_resolved_event_into(&mut buf).map(|(ns, ev)| (classify(&ns), ev));
            let scan = &reader.get_ref().scan;
            if let Some(bad) = scan.bad_char {
                self.report_at(bad.line, bad.column, Code::XmlChar, format!("character U+{:04X} is not allowed in XML", bad.code_point));
                return Ok(());
            }
            let (ns, event) = match event {
                Ok(pair) => pair,
                Err(e) => return self.read_error(e, scan.over_limit),
            };
            let flow = match event {
                Event::Start(e) => self.start(ns, &e, &reader),
                Event::Empty(e) => match self.start(ns, &e, &reader) {
                    Flow::Continue => self.end(),
                    stop => stop,
                },
                Event::End(_) => self.end(),
                Event::Text(t) => self.text(&t.xml10_content(), false),
                Event::CData(t) => self.text(&t.xml10_content(), true),
                Event::GeneralRef(r) => match resolve_reference(&r) {
                    Ok(c) => self.text(c.encode_utf8(&mut [0; 4]), false),
                    Err(msg) => self.fatal(Code::XmlEntity, msg),
                },
                Event::Comment(_) => Flow::Continue,
                Event::PI(pi) => self.pi(pi.target()),
                Event::Decl(d) => self.decl(first, &d),
                Event::DocType(_) => self.fatal(Code::XmlDoctype, "a DOCTYPE is not allowed in an Incomes Register record".into()),
                Event::Eof => {
                    self.eof();
                    Flow::Stop
                }
            };
            first = false;
            if let Flow::Stop = flow {
                return Ok(());
            }
        }
    }

    fn fatal(&mut self, code: Code, message: String) -> Flow {
        self.report(code, message);
        Flow::Stop
    }

    fn read_error(&mut self, e: quick_xml::Error, over_limit: bool) -> io::Result<()> {
        use quick_xml::Error as E;
        let (code, message) = match e {
            _ if over_limit => (
                Code::XmlTooLarge,
                format!("a tag, text or comment longer than {} bytes", self.limits.max_event_bytes),
            ),
            E::Io(io) => return Err(io::Error::new(io.kind(), io.to_string())),
            E::Encoding(e) => (Code::XmlEncoding, format!("the document is not valid UTF-8 ({e})")),
            E::Escape(e) => (Code::XmlEntity, e.to_string()),
            other => (Code::XmlSyntax, other.to_string()),
        };
        self.report(code, message);
        Ok(())
    }

    fn decl(&mut self, first: bool, d: &quick_xml::events::BytesDecl) -> Flow {
        if !first {
            return self.fatal(Code::XmlSyntax, "the XML declaration must be at the very start of the document".into());
        }
        match d.version() {
            Ok(v) if v.as_ref() == "1.0" => {}
            Ok(v) => return self.fatal(Code::XmlSyntax, format!("XML version {v} is not supported; records use 1.0")),
            Err(e) => return self.fatal(Code::XmlSyntax, format!("bad XML declaration: {e}")),
        }
        if let Some(enc) = d.encoding() {
            match enc {
                Ok(enc) if enc.eq_ignore_ascii_case("utf-8") => {}
                Ok(enc) => {
                    let msg = format!("encoding {enc:?} is not supported; Incomes Register records are UTF-8");
                    return self.fatal(Code::XmlEncoding, msg);
                }
                Err(e) => return self.fatal(Code::XmlSyntax, format!("bad XML declaration: {e}")),
            }
        }
        if let Some(sa) = d.standalone() {
            if !matches!(sa.as_deref(), Ok("yes") | Ok("no")) {
                return self.fatal(Code::XmlSyntax, "standalone must be \"yes\" or \"no\"".into());
            }
        }
        Flow::Continue
    }

    fn pi(&mut self, target: &str) -> Flow {
        if target.eq_ignore_ascii_case("xml") {
            return self.fatal(Code::XmlSyntax, "the XML declaration must be at the very start of the document".into());
        }
        if !crate::xml::chars::is_ncname(target) {
            return self.fatal(Code::XmlSyntax, format!("bad processing instruction target {target:?}"));
        }
        Flow::Continue
    }

    fn eof(&mut self) {
        if self.depth > 0 {
            let name = self.frames[self.depth - 1].name.clone();
            self.report(Code::XmlSyntax, format!("the document ends inside <{name}>"));
        } else if !self.seen_root {
            self.report(Code::XmlSyntax, "the document has no root element".into());
        }
    }

    fn text(&mut self, t: &str, cdata: bool) -> Flow {
        if self.depth == 0 {
            if cdata || !t.chars().all(is_xml_space) {
                return self.fatal(Code::XmlSyntax, "text outside the root element".into());
            }
            return Flow::Continue;
        }
        if !cdata && t.contains("]]>") {
            return self.fatal(Code::XmlSyntax, "\"]]>\" is not allowed in text".into());
        }
        let top = self.depth - 1;
        match self.frames[top].kind {
            Kind::Simple { .. } => {
                if self.text.len() + t.len() > self.limits.max_event_bytes as usize {
                    return self.fatal(Code::XmlTooLarge, format!("an element value longer than {} bytes", self.limits.max_event_bytes));
                }
                self.text.push_str(t);
            }
            Kind::Complex { ty, .. } => {
                let mixed = matches!(COMPLEX_TYPES[ty as usize].content, Content::Elements { mixed: true, .. });
                if !mixed && !self.frames[top].text_reported && !t.chars().all(is_xml_space) {
                    self.frames[top].text_reported = true;
                    let name = self.frames[top].name.clone();
                    self.report(Code::SchemaTextNotAllowed, format!("<{name}> holds elements only, found text {:?}", short(t)));
                }
            }
            Kind::Lax | Kind::Skip => {}
        }
        Flow::Continue
    }

    fn start<R: BufRead>(&mut self, ns: Ns, e: &BytesStart, reader: &NsReader<R>) -> Flow {
        let qname = e.name().into_inner();
        if !is_qname(qname) {
            return self.fatal(Code::XmlSyntax, format!("bad element name {qname:?}"));
        }
        if self.depth == 0 && self.seen_root {
            return self.fatal(Code::XmlSyntax, format!("a second root element <{qname}>"));
        }
        if self.depth >= self.limits.max_depth {
            return self.fatal(Code::XmlDepth, format!("elements nested deeper than {} levels", self.limits.max_depth));
        }
        let local = qname.rsplit(':').next().unwrap_or(qname);
        self.deferring = true;
        let (kind, repeatable) = self.child_kind(ns, qname, local);
        self.deferring = false;
        self.push(kind, local, repeatable);
        for (code, message) in std::mem::take(&mut self.pending) {
            self.report(code, message);
        }
        self.attributes(e, reader)
    }

    /// Decides how to treat a new element under the current top frame.
    fn child_kind(&mut self, ns: Ns, qname: &str, local: &str) -> (Kind, bool) {
        if ns == Ns::UnknownPrefix {
            self.report(Code::XmlNamespace, format!("the prefix of <{qname}> is not declared"));
            return (Kind::Skip, false);
        }
        if self.depth == 0 {
            self.seen_root = true;
            let found = ROOTS.iter().position(|r| element_is(r.element, ns, local));
            self.root = found;
            return match found {
                Some(r) => (element_kind(ROOTS[r].element), false),
                None => {
                    self.report(Code::SchemaRoot, format!("<{qname}> is not an Incomes Register record root element"));
                    (Kind::Skip, false)
                }
            };
        }
        let top = self.depth - 1;
        match self.frames[top].kind {
            Kind::Skip => (Kind::Skip, false),
            Kind::Lax => (self.global(ns, local).map(element_kind).unwrap_or(Kind::Lax), false),
            Kind::Simple { ty } => {
                let parent = self.frames[top].name.clone();
                let msg = format!("<{parent}> holds a {} value, not elements; found <{qname}>", SIMPLE_TYPES[ty as usize].name);
                self.report(Code::SchemaElementNotAllowed, msg);
                (Kind::Skip, false)
            }
            Kind::Complex { ty, state } => match self.step(state, ns, local) {
                Some((t, next)) => {
                    self.frames[top].kind = Kind::Complex { ty, state: next };
                    (self.term_kind(t.term, ns, qname, local), t.repeatable)
                }
                None => self.recover(top, ty, state, ns, qname, local),
            },
        }
    }

    fn step(&self, state: u16, ns: Ns, local: &str) -> Option<(crate::schema::model::Transition, u16)> {
        let ts = STATES[state as usize].transitions;
        let hit = ts
            .iter()
            .find(|t| matches!(t.term, Term::Element(el) if element_is(el, ns, local)))
            .or_else(|| ts.iter().find(|t| matches!(t.term, Term::Any(w) if wildcard_allows(w, ns))));
        hit.map(|t| (*t, t.next))
    }

    fn term_kind(&mut self, term: Term, ns: Ns, qname: &str, local: &str) -> Kind {
        match term {
            Term::Element(el) => element_kind(el),
            Term::Any(w) => match self.global(ns, local) {
                Some(el) => element_kind(el),
                None if w.strict => {
                    self.report(Code::SchemaUnexpectedElement, format!("<{qname}> matches a strict wildcard but has no declaration"));
                    Kind::Skip
                }
                None => Kind::Lax,
            },
        }
    }

    /// An element the current state does not accept: if a later state of the
    /// same model accepts it, report what is missing and continue from there;
    /// otherwise report it as unexpected and skip it.
    fn recover(&mut self, top: usize, ty: u16, state: u16, ns: Ns, qname: &str, local: &str) -> (Kind, bool) {
        let parent = self.frames[top].name.clone();
        let expected = expected_names(state);
        let mut queue = vec![state];
        self.visited.iter_mut().for_each(|v| *v = false);
        self.visited[state as usize] = true;
        let mut i = 0;
        while i < queue.len() {
            let s = queue[i];
            i += 1;
            if s != state {
                if let Some((t, next)) = self.step(s, ns, local) {
                    self.frames[top].kind = Kind::Complex { ty, state: next };
                    self.report(Code::SchemaMissingElement, format!("<{parent}> is missing {expected} before <{qname}>"));
                    return (self.term_kind(t.term, ns, qname, local), t.repeatable);
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
        (Kind::Skip, false)
    }

    fn global(&self, ns: Ns, local: &str) -> Option<u16> {
        let root = self.root?;
        ROOTS[root].globals.iter().copied().find(|&el| element_is(el, ns, local))
    }

    fn push(&mut self, kind: Kind, local: &str, repeatable: bool) {
        let index = match self.depth.checked_sub(1).map(|p| &mut self.frames[p]) {
            Some(parent) => {
                if parent.last_child == local {
                    parent.last_count += 1;
                } else {
                    parent.last_child.clear();
                    parent.last_child.push_str(local);
                    parent.last_count = 1;
                }
                if repeatable {
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
                name: String::new(),
                index: 0,
                line: 0,
                column: 0,
                last_child: String::new(),
                last_count: 0,
                text_reported: false,
            });
        }
        let f = &mut self.frames[self.depth];
        f.kind = kind;
        f.name.clear();
        f.name.push_str(local);
        f.index = index;
        f.line = self.line;
        f.column = self.column;
        f.last_child.clear();
        f.last_count = 0;
        f.text_reported = false;
        self.depth += 1;
        self.text.clear();
    }

    fn end(&mut self) -> Flow {
        let Some(top) = self.depth.checked_sub(1) else {
            return Flow::Continue;
        };
        let (line, column) = (self.frames[top].line, self.frames[top].column);
        match self.frames[top].kind {
            Kind::Complex { state, .. } if !STATES[state as usize].accepting => {
                let name = self.frames[top].name.clone();
                let msg = format!("<{name}> is incomplete: expected {}", expected_names(state));
                self.report_at(line, column, Code::SchemaMissingElement, msg);
            }
            Kind::Simple { ty } => {
                if let Err((code, msg)) = simple::check(&SIMPLE_TYPES[ty as usize], &self.text) {
                    self.report_at(line, column, code, msg);
                }
            }
            _ => {}
        }
        self.depth -= 1;
        Flow::Continue
    }

    fn attributes<R: BufRead>(&mut self, e: &BytesStart, reader: &NsReader<R>) -> Flow {
        let top = self.depth - 1;
        let kind = self.frames[top].kind;
        let declared = match kind {
            Kind::Complex { ty, .. } => COMPLEX_TYPES[ty as usize].attributes,
            Kind::Simple { .. } => &[],
            Kind::Lax | Kind::Skip => &[],
        };
        let checked = matches!(kind, Kind::Complex { .. } | Kind::Simple { .. });
        let mut present = 0u32;
        let mut value = String::new();
        for attr in e.attributes().with_checks(true) {
            let attr = match attr {
                Ok(a) => a,
                Err(err) => return self.fatal(Code::XmlSyntax, format!("bad attribute: {err}")),
            };
            let key = attr.key.into_inner();
            if !is_qname(key) {
                return self.fatal(Code::XmlSyntax, format!("bad attribute name {key:?}"));
            }
            if let Err(msg) = attribute_value(&attr.value, &mut value) {
                return self.fatal(Code::XmlSyntax, msg);
            }
            if key == "xmlns" || key.starts_with("xmlns:") {
                if key != "xmlns" && value.is_empty() {
                    return self.fatal(Code::XmlNamespace, format!("{key}=\"\" cannot undeclare a prefix in XML 1.0"));
                }
                continue;
            }
            let (ans, local) = reader.resolver().resolve_attribute(attr.key);
            let local = local.into_inner();
            let ans = match ans {
                ResolveResult::Unbound => None,
                ResolveResult::Bound(n) => Some(n.into_inner()),
                ResolveResult::Unknown(_) => {
                    self.report(Code::XmlNamespace, format!("the prefix of attribute {key} is not declared"));
                    continue;
                }
            };
            if ans == Some(XSI) {
                self.xsi(top, local, &value);
                continue;
            }
            if !checked {
                continue;
            }
            let found = declared.iter().position(|d| ans.is_none() && d.name == local);
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
                    let name = self.frames[top].name.clone();
                    self.report(Code::SchemaUnknownAttribute, format!("<{name}> has no attribute {key}"));
                }
            }
        }
        for (i, d) in declared.iter().enumerate() {
            if d.required && present & (1 << i) == 0 {
                let name = self.frames[top].name.clone();
                self.report(Code::SchemaMissingAttribute, format!("<{name}> requires the attribute {}", d.name));
            }
        }
        Flow::Continue
    }

    fn note_id(&mut self, id: &str) {
        if self.ids.contains(id) {
            self.report(Code::SchemaDuplicateId, format!("the ID {id:?} is used twice"));
        } else if self.ids.len() >= self.limits.max_ids {
            self.report(Code::SchemaDuplicateId, format!("more than {} ID attributes", self.limits.max_ids));
        } else {
            self.ids.insert(id.to_string());
        }
    }

    /// `xsi:` attributes: schema location hints are ignored, as by libxml2;
    /// no element is nillable; xsi:type may only name the declared type.
    fn xsi(&mut self, top: usize, local: &str, value: &str) {
        let name = self.frames[top].name.clone();
        match local {
            "schemaLocation" | "noNamespaceSchemaLocation" => {}
            "nil" => self.report(Code::SchemaXsi, format!("<{name}> is not nillable: xsi:nil is not allowed")),
            "type" => {
                let declared = match self.frames[top].kind {
                    Kind::Complex { ty, .. } => Some(COMPLEX_TYPES[ty as usize].name),
                    Kind::Simple { ty } => Some(SIMPLE_TYPES[ty as usize].name),
                    _ => None,
                };
                let given = value.trim_matches(is_xml_space);
                let local_of = |s: &str| s.rsplit(':').next().unwrap_or("").to_string();
                if let Some(d) = declared {
                    if local_of(d) != local_of(given) {
                        self.report(Code::SchemaXsi, format!("<{name}> is declared as {d}; xsi:type={given:?} is not supported"));
                    }
                }
            }
            other => self.report(Code::SchemaUnknownAttribute, format!("<{name}> has no attribute xsi:{other}")),
        }
    }
}

fn classify(ns: &ResolveResult) -> Ns {
    match ns {
        ResolveResult::Unbound => Ns::Known(0),
        ResolveResult::Bound(n) => {
            let uri = n.into_inner();
            match NAMESPACES.iter().position(|k| *k == uri) {
                Some(i) if i > 0 => Ns::Known(i as u8),
                _ => Ns::Foreign,
            }
        }
        ResolveResult::Unknown(_) => Ns::UnknownPrefix,
    }
}

fn element_is(el: u16, ns: Ns, local: &str) -> bool {
    let d = &ELEMENTS[el as usize];
    ns == Ns::Known(d.ns) && d.name == local
}

fn wildcard_allows(w: crate::schema::model::Wildcard, ns: Ns) -> bool {
    !w.other || !matches!(ns, Ns::Known(0)) && ns != Ns::Known(w.target_ns)
}

fn element_kind(el: u16) -> Kind {
    match ELEMENTS[el as usize].ty {
        ElementType::Simple(ty) => Kind::Simple { ty },
        ElementType::Complex(ty) => match COMPLEX_TYPES[ty as usize].content {
            Content::Elements { start, .. } => Kind::Complex { ty, state: start },
            Content::Simple(st) => Kind::Simple { ty: st },
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

/// Attribute-value normalisation (XML 1.0 §3.3.3) with reference expansion:
/// literal tab, CR and LF become spaces (CR LF counts once); `<` is an error.
fn attribute_value(raw: &str, out: &mut String) -> Result<(), String> {
    out.clear();
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '<', '\t', '\n', '\r']) {
        out.push_str(&rest[..i]);
        let c = rest.as_bytes()[i];
        rest = &rest[i + 1..];
        match c {
            b'<' => return Err("\"<\" is not allowed in an attribute value".into()),
            b'&' => {
                let end = rest.find(';').ok_or("unterminated reference in an attribute value")?;
                out.push(resolve_reference(&rest[..end])?);
                rest = &rest[end + 1..];
            }
            b'\r' if rest.starts_with('\n') => {
                out.push(' ');
                rest = &rest[1..];
            }
            _ => out.push(' '),
        }
    }
    out.push_str(rest);
    Ok(())
}
