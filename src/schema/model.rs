//! The shapes of the compiled schema tables.
//!
//! `generated.rs` holds one static instance of these, written by the schema
//! compiler (`cargo xtask generate`). Everything is indexes into static arrays so
//! the tables cost nothing to load and compile for every target, wasm included.

/// An XML Schema built-in datatype that a simple type is derived from.
/// Each has its own lexical check and whitespace facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    String,
    NormalizedString,
    Int,
    Integer,
    Decimal,
    Boolean,
    Date,
    DateTime,
    Time,
    Base64Binary,
    AnyUri,
    Id,
}

/// The `pattern` facets the schema set uses. The compiler maps each official
/// pattern string to one of these and refuses a pattern it does not know, so a
/// new schema year cannot silently lose a facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// `[+-]?\d{1,13}(\.\d{1,2})?` (irct:decimal2).
    Decimal13_2,
    /// `[0-9a-fA-F]{32}` (irct:Guid).
    Hex32,
    /// A pattern that is a plain literal, such as `true`.
    Literal(&'static str),
}

/// A simple type after flattening its restriction chain.
#[derive(Debug)]
pub struct SimpleType {
    /// `prefix:Name` as written in the schema, for messages.
    pub name: &'static str,
    pub builtin: Builtin,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    /// One entry per derivation step that has patterns: a value must match one
    /// pattern of every step (patterns of one step are alternatives).
    pub patterns: &'static [&'static [Pattern]],
    /// Allowed values in their lexical form; empty means no enumeration facet.
    pub enumeration: &'static [&'static str],
}

/// What a content-model transition accepts.
#[derive(Debug, Clone, Copy)]
pub enum Term {
    /// A declared element (index into [`ELEMENTS`](super::ELEMENTS)).
    Element(u16),
    /// An `xs:any` wildcard.
    Any(Wildcard),
}

#[derive(Debug, Clone, Copy)]
pub struct Wildcard {
    /// `##any` when false; `##other` (any namespace but this one, and not
    /// unqualified) when true.
    pub other: bool,
    /// Namespace index the wildcard is relative to (for `##other`).
    pub target_ns: u8,
    /// `processContents="strict"` when true, `lax` when false.
    pub strict: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Transition {
    pub term: Term,
    pub next: u16,
    /// Whether this particle may occur more than once, so paths show `[n]`.
    pub repeatable: bool,
}

/// One state of a content-model automaton.
#[derive(Debug)]
pub struct State {
    pub accepting: bool,
    pub transitions: &'static [Transition],
}

#[derive(Debug)]
pub struct AttributeDecl {
    pub name: &'static str,
    pub simple_type: u16,
    pub required: bool,
}

/// `Child::max` of an element that may repeat without limit.
pub const UNBOUNDED: u32 = u32::MAX;

/// A declared child element of a complex type, in schema order.
#[derive(Debug)]
pub struct Child {
    pub element: u16,
    /// How often it must occur in all (0 when optional or in a choice).
    pub min: u32,
    /// How often it may occur in all; [`UNBOUNDED`] for no limit.
    pub max: u32,
}

impl Child {
    /// Whether it may occur more than once (an array in the object shape).
    pub fn repeats(&self) -> bool {
        self.max > 1
    }
}

#[derive(Debug)]
pub enum Content {
    /// Child elements by the automaton starting at `start`; `children` lists
    /// the declared ones in the order the schema writes them.
    Elements {
        start: u16,
        mixed: bool,
        children: &'static [Child],
    },
    /// Text of a simple type (complex type with simple content).
    Simple(u16),
}

#[derive(Debug)]
pub struct ComplexType {
    pub name: &'static str,
    pub content: Content,
    pub attributes: &'static [AttributeDecl],
}

#[derive(Debug, Clone, Copy)]
pub enum ElementType {
    Simple(u16),
    Complex(u16),
}

#[derive(Debug)]
pub struct ElementDecl {
    pub name: &'static str,
    /// [`name_hash`] of `name`, so matching compares integers first.
    pub hash: u32,
    /// Namespace index: 0 is "no namespace".
    pub ns: u8,
    pub ty: ElementType,
}

/// A global element that may be the root of a document.
#[derive(Debug)]
pub struct Root {
    pub element: u16,
    /// The official schema file that declares it (for `xmllint --schema`).
    pub schema_file: &'static str,
    /// Global elements visible from that schema file, for wildcards.
    pub globals: &'static [u16],
}

/// A fingerprint of a name (length, first, middle and last byte): O(1) to
/// compute, and enough to tell apart the few names one content-model state
/// accepts. A match is always confirmed by comparing the names.
pub const fn name_hash(name: &[u8]) -> u32 {
    let n = name.len();
    if n == 0 {
        return 0;
    }
    (n as u32 & 0xFF) | (name[0] as u32) << 8 | (name[n / 2] as u32) << 16 | (name[n - 1] as u32) << 24
}
