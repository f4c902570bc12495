//! Generates Incomes Register documents from the compiled schema tables:
//! valid ones (minimal and randomised) and invalid ones, each with one
//! mutation of a known kind. Deterministic for a given seed.

#![allow(dead_code)]

pub mod mutate;

use tulorekisteri::schema::model::{Builtin, Content, ElementType, Pattern, Term};
use tulorekisteri::schema::{COMPLEX_TYPES, ELEMENTS, NAMESPACES, ROOTS, SIMPLE_TYPES, STATES};

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// xorshift64*: small, deterministic, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    Minimal,
    Random,
}

/// A valid value for a simple type.
pub fn valid_value(ty: u16, rng: &mut Rng) -> String {
    let t = &SIMPLE_TYPES[ty as usize];
    if !t.enumeration.is_empty() {
        return rng.pick(t.enumeration).to_string();
    }
    // The first pattern step decides the form (the schema set has one step per type).
    if let Some(group) = t.patterns.first() {
        match group[rng.below(group.len())] {
            Pattern::Literal(l) => return l.to_string(),
            Pattern::Hex32 => return (0..32).map(|_| *rng.pick(&['0', '9', 'a', 'F', 'c'])).collect(),
            Pattern::Decimal13_2 => {
                return rng
                    .pick(&["0", "1234.50", "-12.5", "9999999999999.99", "+7", "0.01", "00012.30"])
                    .to_string()
            }
        }
    }
    match t.builtin {
        Builtin::Int => rng
            .pick(&["1", "0", "-5", "2147483647", "-2147483648", "+42", "007", "100"])
            .to_string(),
        Builtin::Integer => rng.pick(&["1", "12345678901234567890", "-3"]).to_string(),
        Builtin::Decimal => rng.pick(&["1.5", "-0.25", "10"]).to_string(),
        Builtin::Boolean => rng.pick(&["true", "false", "1", "0"]).to_string(),
        Builtin::Date => rng
            .pick(&["2022-01-31", "2020-02-29", "2000-02-29", "2021-12-31", "2023-06-15"])
            .to_string(),
        Builtin::DateTime => rng
            .pick(&[
                "2022-01-31T12:00:00Z",
                "2020-02-29T23:59:59.123+02:00",
                "2021-06-01T00:00:00-05:30",
                "2022-03-01T08:15:00",
            ])
            .to_string(),
        Builtin::Time => rng.pick(&["12:00:00", "23:59:59Z", "00:00:00+02:00"]).to_string(),
        Builtin::Base64Binary => rng.pick(&["QUJD", "QUI=", "QUJDRA==", "QUJD\nREVG"]).to_string(),
        Builtin::AnyUri => "http://www.w3.org/2001/10/xml-exc-c14n#".to_string(),
        Builtin::Id => format!("id{}", rng.below(1_000_000)),
        Builtin::String | Builtin::NormalizedString => {
            let min = t.min_length.unwrap_or(1).max(1) as usize;
            let max = t.max_length.unwrap_or(12).min(24) as usize;
            let n = min + rng.below(max - min + 1);
            // Non-ASCII letters check that lengths count characters.
            let alphabet = ['a', 'Ä', 'ö', 'Z', '1', '-', 'é', '€'];
            (0..n).map(|_| *rng.pick(&alphabet)).collect()
        }
    }
}

/// Where an element was written: byte offsets in the document.
#[derive(Debug, Clone)]
pub struct Slot {
    pub start: usize,
    pub content_start: usize,
    pub content_end: usize,
    pub end: usize,
    pub parent: Option<usize>,
    pub name: String,
    /// The simple type of its value, if it holds one.
    pub value_type: Option<u16>,
}

pub struct Gen<'r> {
    pub rng: &'r mut Rng,
    pub mode: Mode,
    /// Attribute IDs must be unique in a document.
    ids: usize,
    pub slots: Vec<Slot>,
    stack: Vec<usize>,
}

fn prefix_for(ns: u8) -> &'static str {
    if NAMESPACES[ns as usize] == DS {
        "ds:"
    } else {
        ""
    }
}

impl<'r> Gen<'r> {
    pub fn new(rng: &'r mut Rng, mode: Mode) -> Self {
        Gen {
            rng,
            mode,
            ids: 0,
            slots: vec![],
            stack: vec![],
        }
    }

    /// Writes element `el` (not the root) with valid content.
    pub fn element(&mut self, el: u16, depth: usize, out: &mut String) {
        let d = &ELEMENTS[el as usize];
        let name = format!("{}{}", prefix_for(d.ns), d.name);
        let start = out.len();
        out.push('<');
        out.push_str(&name);
        self.attributes(d.ty, out);
        out.push('>');
        let value_type = match d.ty {
            ElementType::Simple(st) => Some(st),
            ElementType::Complex(ct) => match COMPLEX_TYPES[ct as usize].content {
                Content::Simple(st) => Some(st),
                Content::Elements { .. } => None,
            },
        };
        let id = self.slots.len();
        self.slots.push(Slot {
            start,
            content_start: out.len(),
            content_end: 0,
            end: 0,
            parent: self.stack.last().copied(),
            name: name.clone(),
            value_type,
        });
        self.stack.push(id);
        self.content(d.ty, depth, out);
        self.stack.pop();
        self.slots[id].content_end = out.len();
        out.push_str("</");
        out.push_str(&name);
        out.push('>');
        self.slots[id].end = out.len();
    }

    pub fn attributes(&mut self, ty: ElementType, out: &mut String) {
        let ElementType::Complex(ct) = ty else { return };
        for a in COMPLEX_TYPES[ct as usize].attributes {
            if a.required || (self.mode == Mode::Random && self.rng.chance(30)) {
                let mut v = valid_value(a.simple_type, self.rng);
                if SIMPLE_TYPES[a.simple_type as usize].builtin == Builtin::Id {
                    self.ids += 1;
                    v = format!("id{}", self.ids);
                }
                out.push_str(&format!(" {}=\"{}\"", a.name, escape(&v)));
            }
        }
    }

    pub fn content(&mut self, ty: ElementType, depth: usize, out: &mut String) {
        match ty {
            ElementType::Simple(st) => out.push_str(&escape(&valid_value(st, self.rng))),
            ElementType::Complex(ct) => match COMPLEX_TYPES[ct as usize].content {
                Content::Simple(st) => out.push_str(&escape(&valid_value(st, self.rng))),
                Content::Elements { start, .. } => self.children(start, depth, out),
            },
        }
    }

    /// Walks the automaton from `state` to an accepting state.
    fn children(&mut self, mut state: u16, depth: usize, out: &mut String) {
        let mut steps = 0;
        loop {
            let s = &STATES[state as usize];
            let stop = s.accepting
                && (self.mode == Mode::Minimal
                    || depth > 12
                    || steps > 6
                    || self.rng.chance(35)
                    || s.transitions.is_empty());
            if stop {
                return;
            }
            // Prefer declared elements; lax wildcards only when nothing else
            // leads on (a strict one would need a declaration).
            let elems: Vec<_> = s
                .transitions
                .iter()
                .filter(|t| matches!(t.term, Term::Element(_)))
                .collect();
            let choice = if self.mode == Mode::Minimal || depth > 12 || steps > 6 {
                shortest(state)
            } else if !elems.is_empty() {
                Some(**self.rng.pick(&elems))
            } else {
                s.transitions.first().copied()
            };
            let Some(t) = choice else { return };
            if matches!(t.term, Term::Any(w) if w.strict) {
                return;
            }
            match t.term {
                Term::Element(el) => self.element(el, depth + 1, out),
                Term::Any(w) if w.other => out.push_str("<x:Extra xmlns:x=\"urn:example:other\">1</x:Extra>"),
                Term::Any(_) => out.push_str("<x:Extra xmlns:x=\"urn:example:other\"/>"),
            }
            state = t.next;
            steps += 1;
        }
    }
}

/// The transition on a shortest path to an accepting state.
fn shortest(from: u16) -> Option<tulorekisteri::schema::model::Transition> {
    let mut best: Option<(usize, tulorekisteri::schema::model::Transition)> = None;
    for t in STATES[from as usize].transitions {
        let d = distance(t.next);
        let cost = d + matches!(t.term, Term::Any(_)) as usize;
        if best.is_none_or(|(b, _)| cost < b) {
            best = Some((cost, *t));
        }
    }
    best.map(|(_, t)| t)
}

fn distance(from: u16) -> usize {
    let mut seen = vec![from];
    let mut frontier = vec![from];
    for d in 0..64 {
        if frontier.iter().any(|&s| STATES[s as usize].accepting) {
            return d;
        }
        let mut next = vec![];
        for s in frontier {
            for t in STATES[s as usize].transitions {
                if !seen.contains(&t.next) {
                    seen.push(t.next);
                    next.push(t.next);
                }
            }
        }
        frontier = next;
    }
    64
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A whole valid document for root `r`, and where its elements are.
pub fn document(r: usize, mode: Mode, rng: &mut Rng) -> (String, Vec<Slot>) {
    let root = &ROOTS[r];
    let d = &ELEMENTS[root.element as usize];
    let ns = NAMESPACES[d.ns as usize];
    let mut g = Gen::new(rng, mode);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<r:{} xmlns:r=\"{ns}\" xmlns:ds=\"{DS}\">", d.name));
    g.content(d.ty, 0, &mut out);
    out.push_str(&format!("</r:{}>\n", d.name));
    (out, g.slots)
}

/// Replacement values for a simple type: a mix of invalid ones and valid
/// corner cases. Whitespace around int, date, dateTime and time values is
/// left to `mutate`, which marks it as a known libxml2 disagreement.
pub fn tricky_values(ty: u16) -> Vec<String> {
    let t = &SIMPLE_TYPES[ty as usize];
    let mut v: Vec<String> = match t.builtin {
        Builtin::Int => vec![
            "2147483648",
            "-2147483649",
            "1.0",
            "1e3",
            "",
            "abc",
            "\u{663}",
            "+-1",
            "0012",
            "&#49;2",
            "-0",
        ],
        Builtin::Integer => vec!["1.5", "", "99999999999999999999999"],
        Builtin::Decimal => vec![
            "1.234",
            "12345678901234",
            ".5",
            "5.",
            "1,5",
            "-0",
            " 1.5 ",
            "1.",
            "+.5",
            "12345678901234.5",
        ],
        Builtin::Boolean => vec!["1", "TRUE", " true ", "yes", ""],
        Builtin::Date => vec![
            "2021-02-29",
            "2021-13-01",
            "2021-1-01",
            "21-01-01",
            "2021-01-01Z",
            "2021-01-01+14:00",
            "2021-01-01+14:01",
            "0000-01-01",
            "2021-01-01T00:00:00",
            "2100-02-29",
            "2000-02-29",
            "12021-01-01",
            "-2021-01-01",
            "2021-04-31",
        ],
        Builtin::DateTime => vec![
            "2021-01-01",
            "2021-01-01T24:00:00",
            "2021-01-01T25:00:00",
            "2021-01-01T12:00",
            "2021-01-01T12:00:00.5Z",
            "2021-01-01 12:00:00",
            "2021-01-01T12:00:00+02",
            "2021-01-01T12:00:60Z",
            "2021-02-29T00:00:00Z",
        ],
        Builtin::Time => vec!["24:00:00", "12:60:00", "1:00:00", "12:00:00.", "12:00:00-14:00"],
        Builtin::Base64Binary => vec![
            "QUJ",
            "Q===",
            "QU=D",
            "QUJD REVG",
            "****",
            "QUJD*",
            "QR==",
            "QUJDRB=",
            "",
        ],
        Builtin::AnyUri => vec!["x y", ""],
        Builtin::Id => vec!["1abc", "a b"],
        Builtin::String | Builtin::NormalizedString => {
            let max = t.max_length.unwrap_or(20) as usize;
            let mut s = vec![
                String::new(),
                "x".repeat(max + 1),
                "ä".repeat(max),
                "ä".repeat(max + 1),
                "a&amp;b".into(),
                "\tx".into(),
                "a\r\nb".into(),
            ];
            if let Some(min) = t.min_length {
                if min > 1 {
                    s.push("a".repeat(min as usize - 1));
                }
            }
            return with_facets(t, s);
        }
    }
    .into_iter()
    .map(String::from)
    .collect();
    if !t.enumeration.is_empty() {
        v.extend(["0", "13", "01", "99"].map(String::from));
    }
    with_facets(t, v)
}

fn with_facets(t: &tulorekisteri::schema::model::SimpleType, mut v: Vec<String>) -> Vec<String> {
    for group in t.patterns {
        for p in group.iter() {
            match p {
                Pattern::Hex32 => v.extend([
                    "a".repeat(31),
                    "a".repeat(33),
                    "g".repeat(32),
                    format!(" {}", "a".repeat(32)),
                ]),
                Pattern::Literal(_) => v.extend(["1", "0", " true", "True", "false "].map(String::from)),
                Pattern::Decimal13_2 => {}
            }
        }
    }
    if t.name == "irct:true" {
        v.extend([" true", "false", "True", "true "].map(String::from));
    }
    v
}
