//! A pull tokenizer for XML 1.0 over any `Read`, borrowing each token from a
//! refillable window. Memory is the window, which grows only as far as the
//! largest single token and never past a limit.
//!
//! It checks what makes a token well-formed (names, attribute syntax and
//! uniqueness, comment and CDATA syntax, UTF-8, allowed characters) and keeps
//! the line and column of every token. Matching end tags, namespaces and
//! references are left to the caller, which has the element stack.

use super::chars::{is_ncname, same_name};
pub use super::positions::Position;
use super::positions::Positions;
use super::text::shown;
use memchr::{memchr, memchr2, memmem};
use std::io::{self, Read};

/// One attribute of a start tag: the raw name and the raw (unexpanded) value.
#[derive(Debug, Clone, Copy)]
pub struct Attr<'a> {
    pub name: &'a str,
    pub value: &'a str,
}

#[derive(Debug)]
pub enum Token<'a> {
    /// `<?xml ...?>`: the raw pseudo-attributes.
    Decl(&'a str),
    /// `<?target data?>`: `data` without the space after the target.
    Pi {
        target: &'a str,
        data: &'a str,
    },
    /// `<!--text-->`: the text.
    Comment(&'a str),
    /// `<!DOCTYPE`: only its start is read.
    Doctype,
    /// `local_at`: where the local name starts in `name` (after `prefix:`).
    Start {
        name: &'a str,
        local_at: usize,
        attrs: Attrs<'a>,
        empty: bool,
    },
    End {
        name: &'a str,
    },
    /// Character data as written: references unexpanded, line ends not normalised.
    Text(&'a str),
    /// Character data that is only whitespace (possibly empty of nothing else).
    Space(&'a str),
    CData(&'a str),
    Eof,
}

#[derive(Debug)]
pub enum TokenError {
    Io(io::Error),
    /// Not well-formed, with a message.
    Syntax(String, Position),
    /// Invalid UTF-8, and where.
    Encoding(Position),
    /// A character XML forbids (control characters, U+FFFE, U+FFFF), and where.
    Char(u32, Position),
    /// A single token larger than the limit, starting here.
    TooLarge(Position),
}

/// The attributes of a start tag, borrowed from the window.
#[derive(Debug, Clone, Copy)]
pub struct Attrs<'a> {
    window: &'a [u8],
    spans: &'a [Span],
}

impl<'a> Attrs<'a> {
    pub fn iter(&self) -> impl Iterator<Item = Attr<'a>> + 'a {
        let w = self.window;
        let s = move |r: (usize, usize)| std::str::from_utf8(&w[r.0..r.1]).unwrap_or("");
        self.spans.iter().map(move |sp| Attr {
            name: s(sp.name),
            value: s(sp.value),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// Offsets of an attribute within the token (the window may move between tokens).
#[derive(Debug, Clone, Copy)]
struct Span {
    name: (usize, usize),
    value: (usize, usize),
}

enum Scan {
    Done {
        len: usize,
        kind: Kind,
    },
    /// The token goes past the window: read more and try again.
    More,
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Space,
    Decl(usize, usize),
    Pi(usize, usize),
    Comment,
    CData(usize, usize),
    Doctype,
    Start {
        name: (usize, usize),
        local_at: usize,
        empty: bool,
    },
    End(usize, usize),
}

const INITIAL_WINDOW: usize = 64 * 1024;

/// A problem in the raw bytes, found as they are read and reported when
/// the token holding it is reached.
#[derive(Clone, Copy)]
enum BadByte {
    Utf8,
    Char(u32),
}

pub struct Tokenizer<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// `buf[..checked]` is valid UTF-8 made of allowed characters.
    checked: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// The first bad byte sequence found, by stream offset.
    bad: Option<(u64, BadByte)>,
    positions: Positions,
    cdata_end: memmem::Finder<'static>,
    pi_end: memmem::Finder<'static>,
    eof: bool,
    limit: usize,
    spans: Vec<Span>,
    started: bool,
    /// Stream offset where the document starts (after a byte order mark):
    /// the only place an XML declaration may stand.
    doc_start: u64,
    /// Whether whitespace between tags is returned as a token; when false it
    /// is skipped (the caller is in element-only content, where XSD ignores it).
    pub keep_space: bool,
    /// Whether comments are returned as tokens; when false they are checked
    /// and skipped.
    pub keep_comments: bool,
}

fn is_space(b: u8) -> bool {
    // One comparison rejects most bytes: every XML space is at most b' '.
    b <= b' ' && matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The length of the leading whitespace of `b`. Indentation between tags is
/// the most common text, so it is read eight bytes at a time. Control
/// characters count as whitespace here: they are forbidden, and reported on
/// their own when the token holding them is reached.
fn leading_space(b: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    let mut words = b.chunks_exact(8);
    for (i, word) in words.by_ref().enumerate() {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        // The high bit of each byte above b' ': ASCII ones overflow into it
        // when 0x5F is added (no carry leaves a byte), the rest have it set.
        let above = (((w & !HIGH) + ONES * 0x5F) | w) & HIGH;
        if above != 0 {
            return i * 8 + (above.trailing_zeros() / 8) as usize;
        }
    }
    let done = b.len() - words.remainder().len();
    done + words
        .remainder()
        .iter()
        .position(|&c| c > b' ')
        .unwrap_or(b.len() - done)
}

/// What a byte is to a name: 0 part of it, 1 its end (whitespace or
/// markup), 2 a colon.
const NAME_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let stops = b" \t\n\r>/=?<\"'";
    let mut i = 0;
    while i < stops.len() {
        t[stops[i] as usize] = 1;
        i += 1;
    }
    t[b':' as usize] = 2;
    t
};

/// End of a name starting at `i`, and the position of its first colon.
fn qname_end(b: &[u8], mut i: usize) -> (usize, Option<usize>) {
    let mut colon = None;
    loop {
        match b[i..].iter().position(|&c| NAME_CLASS[c as usize] != 0) {
            None => return (b.len(), colon),
            Some(n) if NAME_CLASS[b[i + n] as usize] == 2 => {
                colon = colon.or(Some(i + n));
                i += n + 1;
            }
            Some(n) => return (i + n, colon),
        }
    }
}

/// End of a name starting at `i`.
fn name_end(b: &[u8], i: usize) -> usize {
    qname_end(b, i).0
}

/// Where the first "--" starts. Comments are short, so a search for single
/// dashes beats a substring searcher, whose set-up costs more than the scan.
fn find_double_dash(b: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr(b'-', &b[from..]) {
        let at = from + i;
        match b.get(at + 1) {
            Some(b'-') => return Some(at),
            Some(_) => from = at + 2,
            // A dash at the end of the window may start "--".
            None => return None,
        }
    }
    None
}

fn syntax<T>(msg: impl Into<String>) -> Result<T, TokenError> {
    // The position is filled in by `next_token`, which knows the token start.
    Err(TokenError::Syntax(msg.into(), Position { line: 0, column: 0 }))
}

/// Finds the line and column of a token on demand: most tokens never need
/// a position, and counting each one would cost more than reading it.
pub struct Locator<'a, R> {
    tokens: &'a Tokenizer<R>,
    at: u64,
}

impl<R: Read> Locator<'_, R> {
    /// Where the token starts.
    pub fn position(&self) -> Position {
        self.tokens.position_of(self.at)
    }

    /// The byte offset where the token starts.
    pub fn offset(&self) -> u64 {
        self.at
    }

    /// Where the start tag of open element `depth` (0 for the root) begins.
    /// An element ending with this token still counts as open.
    pub fn element(&self, depth: usize) -> Option<Position> {
        self.tokens
            .positions
            .element(depth, &self.tokens.buf[..self.tokens.end], self.tokens.base)
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

const BLOCK: usize = 64;

fn is_forbidden_byte(c: u8) -> bool {
    (c < 0x20) & (c != b'\t') & (c != b'\n') & (c != b'\r')
}

/// Whether a block holds non-ASCII bytes, and whether it holds control
/// characters XML forbids. Branch-free over byte accumulators, so it
/// compiles to vector instructions.
fn classify(block: &[u8]) -> (bool, bool) {
    let mut or = 0u8;
    let mut control = 0u8;
    for &c in block {
        or |= c;
        control |= is_forbidden_byte(c) as u8;
    }
    (or >= 0x80, control != 0)
}

/// The first problem in a stretch of bytes, by offset within it.
#[derive(Clone, Copy)]
enum Problem {
    Utf8(usize),
    /// Valid up to here, then a character cut off by the end of the stretch.
    Incomplete(usize),
    Char(usize, u32),
}

/// Checks a stretch free of control characters: UTF-8, and U+FFFE and
/// U+FFFF, which XML forbids. `at_end`: the stretch cannot continue, so a
/// cut-off character is an error.
fn check_stretch(b: &[u8], at_end: bool) -> Option<Problem> {
    let (valid, utf8) = match std::str::from_utf8(b) {
        Ok(_) => (b.len(), None),
        Err(e) if e.error_len().is_none() && !at_end => (e.valid_up_to(), Some(Problem::Incomplete(e.valid_up_to()))),
        Err(e) => (e.valid_up_to(), Some(Problem::Utf8(e.valid_up_to()))),
    };
    // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
    let b = &b[..valid];
    let nonchar = memchr::memchr_iter(0xEF, b)
        .find(|&i| b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)));
    match nonchar {
        Some(i) => Some(Problem::Char(i, 0xFF00 | b[i + 2] as u32)),
        None => utf8,
    }
}

impl<R: Read> Tokenizer<R> {
    /// `limit` is the most bytes one token may take.
    pub fn new(src: R, limit: usize) -> Self {
        Tokenizer {
            src,
            buf: vec![0; INITIAL_WINDOW.min(limit.max(16))],
            pos: 0,
            end: 0,
            checked: 0,
            base: 0,
            bad: None,
            positions: Positions::new(),
            cdata_end: memmem::Finder::new(b"]]>").into_owned(),
            pi_end: memmem::Finder::new(b"?>").into_owned(),
            eof: false,
            limit,
            spans: vec![],
            started: false,
            doc_start: 0,
            keep_space: true,
            keep_comments: true,
        }
    }

    /// The line and column of a stream offset still in the window.
    fn position_of(&self, abs: u64) -> Position {
        self.positions.of(&self.buf[..self.end], self.base, abs)
    }

    /// Where the next token starts.
    pub fn position(&self) -> Position {
        self.position_of(self.base + self.pos as u64)
    }

    /// Moves the unread bytes to the front and reads more, growing the window
    /// when one token fills it. Returns false at the end of the input.
    fn refill(&mut self) -> Result<bool, TokenError> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            let new_base = self.base + self.pos as u64;
            // Skipping spaces may have passed a control character (it counts
            // as space there); report it before the window drops it.
            if let Some((offset, what)) = self.bad {
                if offset < new_base {
                    return Err(self.bad_error(offset, what));
                }
            }
            self.positions.before_drop(&self.buf[..self.end], self.base, new_base);
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            debug_assert!(self.pos <= self.checked, "unchecked bytes skipped");
            self.checked -= self.pos;
            self.base += self.pos as u64;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            if self.buf.len() >= self.limit {
                return Err(TokenError::TooLarge(self.position()));
            }
            let grown = (self.buf.len() * 2).min(self.limit);
            self.buf.resize(grown, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    self.check_new_bytes();
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    self.check_new_bytes();
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(TokenError::Io(e)),
            }
        }
    }

    /// Validates the bytes read since the last call: UTF-8, and the XML 1.0
    /// `Char` production. An incomplete sequence at the end waits for more.
    fn check_new_bytes(&mut self) {
        if self.bad.is_some() {
            return;
        }
        let new = &self.buf[self.checked..self.end];
        // Whole blocks are classified in one vectorised pass; only the
        // stretches of blocks holding non-ASCII bytes get the UTF-8 check.
        let mut control = None;
        let mut stretch = None;
        let mut problem = None;
        for (i, block) in new.chunks(BLOCK).enumerate() {
            let at = i * BLOCK;
            let (high, has_control) = classify(block);
            if has_control {
                control = block.iter().position(|&c| is_forbidden_byte(c)).map(|j| at + j);
                if high {
                    stretch.get_or_insert(at);
                }
                break;
            }
            if high {
                stretch.get_or_insert(at);
            } else if let Some(from) = stretch.take() {
                // This block starts with ASCII, so no character runs into it.
                problem = check_stretch(&new[from..at], true).map(|p| (from, p));
                if problem.is_some() {
                    break;
                }
            }
        }
        if let (None, Some(from)) = (problem, stretch) {
            let end = control.unwrap_or(new.len());
            problem = check_stretch(&new[from..end], self.eof || control.is_some()).map(|p| (from, p));
        }
        let mut valid = new.len();
        let bad = match problem {
            Some((from, Problem::Incomplete(i))) => {
                valid = from + i;
                None
            }
            Some((from, Problem::Utf8(i))) => Some((from + i, BadByte::Utf8)),
            Some((from, Problem::Char(i, c))) => Some((from + i, BadByte::Char(c))),
            None => control.map(|i| (i, BadByte::Char(new[i] as u32))),
        };
        if let Some((i, what)) = bad {
            self.bad = Some((self.base + (self.checked + i) as u64, what));
            valid = i;
        }
        self.checked += valid;
    }

    /// Skips a UTF-8 byte order mark at the very start.
    fn skip_bom(&mut self) -> Result<(), TokenError> {
        while self.end < 3 && self.refill()? {}
        if self.buf[..self.end].starts_with(b"\xEF\xBB\xBF") {
            self.pos = 3;
        }
        Ok(())
    }

    /// The window's bytes `from..to` as text. Every byte below `checked` was
    /// validated as UTF-8 when it was read, and tokens start and end at ASCII
    /// delimiters, so the range holds whole characters.
    fn checked_str(&self, from: usize, to: usize) -> &str {
        let bytes = &self.buf[from..to];
        if to <= self.checked
            && (from == 0 || !is_continuation(self.buf[from]))
            && (to == self.end || !is_continuation(self.buf[to]))
        {
            // SAFETY: `buf[..checked]` is valid UTF-8 (see `check_new_bytes`),
            // and neither end of the range falls inside a character.
            unsafe { std::str::from_utf8_unchecked(bytes) }
        } else {
            std::str::from_utf8(bytes).unwrap_or("")
        }
    }

    /// The next token and a way to find where it starts.
    pub fn next_token(&mut self) -> Result<(Token<'_>, Locator<'_, R>), TokenError> {
        if !self.started {
            self.started = true;
            self.skip_bom()?;
            self.doc_start = self.pos as u64;
            // The byte order mark takes no column.
            self.positions.start_at(self.doc_start);
        }
        self.positions.settle();
        match self.next_extent() {
            Ok(x) => Ok(self.token(x)),
            Err(TokenError::Syntax(msg, _)) => Err(TokenError::Syntax(msg, self.position())),
            Err(e) => Err(e),
        }
    }

    /// After the start tag of an element that holds a value: when the window
    /// holds `value</qname>` with no markup inside, returns the value (as
    /// written) and a locator for where it starts, and moves past both. Anything
    /// else (markup inside, the window ending, a bad byte) returns `None` and
    /// the caller reads tokens as usual.
    pub fn value_then_end(&mut self, qname: &str) -> Option<(&str, Locator<'_, R>)> {
        self.positions.settle();
        let b = &self.buf[self.pos..self.end];
        let lt = memchr(b'<', b)?;
        let after = &b[lt..];
        let q = qname.as_bytes();
        let ends = after.len() > q.len() + 2
            && after[1] == b'/'
            && same_name(&after[2..2 + q.len()], q)
            && after[2 + q.len()] == b'>';
        let len = lt + 3 + q.len();
        let bad = self
            .bad
            .is_some_and(|(offset, _)| offset < self.base + (self.pos + len) as u64);
        if !ends || bad || self.pos + len > self.checked {
            return None;
        }
        let start = self.pos;
        self.pos += len;
        self.positions.close_element();
        let this: &Self = self;
        let value = this.checked_str(start, start + lt);
        Some((
            value,
            Locator {
                tokens: this,
                at: this.base + start as u64,
            },
        ))
    }

    /// Finds the next token: its length and kind, after refilling as needed.
    fn next_extent(&mut self) -> Result<Option<(usize, Kind)>, TokenError> {
        let (len, kind) = loop {
            if self.pos == self.end && !self.refill()? {
                if let Some((offset, what)) = self.bad {
                    return Err(self.bad_error(offset, what));
                }
                return Ok(None);
            }
            match self.scan()? {
                Scan::Done { len, kind } => break (len, kind),
                // Everything up to the end of the window was skipped.
                Scan::More if self.pos == self.end => {}
                Scan::More => {
                    if !self.refill()? {
                        // The input ended inside a token.
                        if matches!(memchr(b'<', &self.buf[self.pos..self.end]), Some(0)) {
                            return syntax("the document ends inside a tag, comment or CDATA section");
                        }
                        // Trailing text at the end of the input.
                        break (self.end - self.pos, Kind::Text);
                    }
                }
            }
        };
        if let Some((offset, what)) = self.bad {
            if offset - self.base < (self.pos + len) as u64 {
                return Err(self.bad_error(offset, what));
            }
        }
        Ok(Some((len, kind)))
    }

    /// Whether the next `len` bytes hold no bad byte (so they may be skipped
    /// without a token).
    fn clean_before(&self, len: usize) -> bool {
        self.bad
            .is_none_or(|(offset, _)| offset >= self.base + (self.pos + len) as u64)
    }

    fn bad_error(&self, offset: u64, what: BadByte) -> TokenError {
        let at = self.position_of(offset);
        match what {
            BadByte::Utf8 => TokenError::Encoding(at),
            BadByte::Char(c) => TokenError::Char(c, at),
        }
    }

    /// Builds the token found by `next_extent` and moves past it.
    fn token(&mut self, extent: Option<(usize, Kind)>) -> (Token<'_>, Locator<'_, R>) {
        let start = self.pos;
        let at = self.base + start as u64;
        let Some((len, kind)) = extent else {
            return (Token::Eof, Locator { tokens: self, at });
        };
        self.pos += len;
        match kind {
            Kind::Start { empty, .. } => {
                self.positions.open_element(at);
                if empty {
                    self.positions.close_element();
                }
            }
            Kind::End(..) => self.positions.close_element(),
            _ => {}
        }
        let this: &Self = self;
        let token = this.checked_str(start, start + len);
        let s = |r: (usize, usize)| token.get(r.0..r.1).unwrap_or("");
        let t = match kind {
            Kind::Text => Token::Text(token),
            Kind::Space => Token::Space(token),
            Kind::Decl(a, z) => Token::Decl(s((a, z))),
            Kind::Pi(a, z) => Token::Pi {
                target: s((a, z)),
                data: token
                    .get(z..token.len().saturating_sub(2))
                    .unwrap_or("")
                    .trim_start_matches([' ', '\t', '\r', '\n']),
            },
            Kind::Comment => Token::Comment(token.get(4..token.len().saturating_sub(3)).unwrap_or("")),
            Kind::CData(a, z) => Token::CData(s((a, z))),
            Kind::Doctype => Token::Doctype,
            Kind::End(a, z) => Token::End { name: s((a, z)) },
            Kind::Start { name, local_at, empty } => Token::Start {
                name: s(name),
                local_at,
                attrs: Attrs {
                    window: token.as_bytes(),
                    spans: &this.spans,
                },
                empty,
            },
        };
        (t, Locator { tokens: this, at })
    }

    /// Finds the extent of the token at `pos` within the window.
    fn scan(&mut self) -> Result<Scan, TokenError> {
        let b = &self.buf[self.pos..self.end];
        if b[0] != b'<' {
            let ws = leading_space(b);
            if ws < b.len() && b[ws] == b'<' {
                if self.keep_space {
                    return Ok(Scan::Done {
                        len: ws,
                        kind: Kind::Space,
                    });
                }
                self.pos += ws;
                return self.scan();
            }
            return Ok(match memchr(b'<', &b[ws..]) {
                Some(i) => Scan::Done {
                    len: ws + i,
                    kind: Kind::Text,
                },
                None => Scan::More,
            });
        }
        if b.len() < 2 {
            return Ok(Scan::More);
        }
        match b[1] {
            b'?' => self.scan_pi(),
            b'!' => match self.scan_bang()? {
                Scan::Done {
                    len,
                    kind: Kind::Comment,
                } if !self.keep_comments && self.clean_before(len) => {
                    self.pos += len;
                    if self.pos == self.end {
                        return Ok(Scan::More);
                    }
                    self.scan()
                }
                scan => Ok(scan),
            },
            b'/' => {
                let z = name_end(b, 2);
                let close = z + b[z..].iter().position(|&c| !is_space(c)).unwrap_or(b.len() - z);
                match b.get(close) {
                    None => Ok(Scan::More),
                    Some(b'>') if z > 2 => Ok(Scan::Done {
                        len: close + 1,
                        kind: Kind::End(2, z),
                    }),
                    Some(_) => syntax("malformed end tag"),
                }
            }
            _ => self.scan_start(),
        }
    }

    fn scan_pi(&self) -> Result<Scan, TokenError> {
        let b = &self.buf[self.pos..self.end];
        let Some(close) = self.pi_end.find(b) else {
            return Ok(Scan::More);
        };
        let z = name_end(b, 2);
        if z == 2 || (z < close && !is_space(b[z])) {
            return syntax("malformed processing instruction");
        }
        // PITarget excludes "xml" in any case; only the declaration, at the
        // very start, is `<?xml`. Checked here, where the offset is known, so
        // every reader refuses the same documents whatever it skips.
        let target = &b[2..z];
        let kind = if target == b"xml" && self.base + self.pos as u64 == self.doc_start {
            Kind::Decl(z, close)
        } else if target == b"xml" {
            return syntax("the XML declaration is allowed only at the very start of the document");
        } else if target.eq_ignore_ascii_case(b"xml") {
            return syntax(format!(
                "the processing instruction target {} is reserved",
                shown(&String::from_utf8_lossy(target))
            ));
        } else if !std::str::from_utf8(target).is_ok_and(is_ncname) {
            return syntax(format!(
                "bad processing instruction target {}",
                shown(&String::from_utf8_lossy(target))
            ));
        } else {
            Kind::Pi(2, z)
        };
        Ok(Scan::Done { len: close + 2, kind })
    }

    fn scan_bang(&self) -> Result<Scan, TokenError> {
        let b = &self.buf[self.pos..self.end];
        const CDATA: &[u8] = b"<![CDATA[";
        if b.len() < CDATA.len()
            && (CDATA.starts_with(b) || b"<!DOCTYPE".starts_with(b) || b"<!--".starts_with(&b[..b.len().min(4)]))
        {
            return Ok(Scan::More);
        }
        if b.starts_with(b"<!--") {
            // The first "--" must be the one that ends the comment.
            let Some(close) = find_double_dash(&b[4..]) else {
                return Ok(Scan::More);
            };
            match b.get(4 + close + 2) {
                None => return Ok(Scan::More),
                Some(b'>') => {}
                Some(_) => return syntax("\"--\" is not allowed inside a comment"),
            }
            return Ok(Scan::Done {
                len: 4 + close + 3,
                kind: Kind::Comment,
            });
        }
        if b.starts_with(CDATA) {
            let Some(close) = self.cdata_end.find(&b[9..]) else {
                return Ok(Scan::More);
            };
            return Ok(Scan::Done {
                len: 9 + close + 3,
                kind: Kind::CData(9, 9 + close),
            });
        }
        if b.starts_with(b"<!DOCTYPE") {
            return Ok(Scan::Done {
                len: 9,
                kind: Kind::Doctype,
            });
        }
        syntax("unknown markup after \"<!\"")
    }

    fn scan_start(&mut self) -> Result<Scan, TokenError> {
        self.spans.clear();
        let b = &self.buf[self.pos..self.end];
        let (z, colon) = qname_end(b, 1);
        // The name starts at index 1, so the colon's index is where the
        // local part starts within the name.
        let local_at = colon.unwrap_or(0);
        if z >= b.len() {
            return Ok(Scan::More);
        }
        if z == 1 {
            return syntax("\"<\" must start a tag; write &lt; in text");
        }
        let mut i = z;
        loop {
            let ws = i;
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            match b.get(i) {
                None => return Ok(Scan::More),
                Some(b'>') => {
                    return Ok(Scan::Done {
                        len: i + 1,
                        kind: Kind::Start {
                            name: (1, z),
                            local_at,
                            empty: false,
                        },
                    })
                }
                Some(b'/') => {
                    return match b.get(i + 1) {
                        None => Ok(Scan::More),
                        Some(b'>') => Ok(Scan::Done {
                            len: i + 2,
                            kind: Kind::Start {
                                name: (1, z),
                                local_at,
                                empty: true,
                            },
                        }),
                        Some(_) => syntax("expected \"/>\""),
                    }
                }
                Some(_) if ws == i => return syntax("attributes must be separated by whitespace"),
                Some(_) => {}
            }
            let name = (i, name_end(b, i));
            if name.0 == name.1 {
                return syntax("malformed attribute");
            }
            i = name.1;
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            match b.get(i) {
                None => return Ok(Scan::More),
                Some(b'=') => i += 1,
                Some(_) => return syntax("expected \"=\" after an attribute name"),
            }
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            let quote = match b.get(i) {
                None => return Ok(Scan::More),
                Some(&q @ (b'"' | b'\'')) => q,
                Some(_) => return syntax("attribute values must be quoted"),
            };
            let Some(close) = memchr2(quote, b'<', &b[i + 1..]) else {
                return Ok(Scan::More);
            };
            let vend = i + 1 + close;
            if b[vend] == b'<' {
                return syntax("\"<\" is not allowed in an attribute value");
            }
            let span = Span {
                name,
                value: (i + 1, vend),
            };
            let new_name = &b[name.0..name.1];
            if self.spans.iter().any(|s| &b[s.name.0..s.name.1] == new_name) {
                return syntax(format!("attribute {} appears twice", String::from_utf8_lossy(new_name)));
            }
            self.spans.push(span);
            i = vend + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_end_where_the_table_says() {
        for text in [
            "a",
            "abc>",
            "ns:Name attr",
            "Name/>",
            "A-1.b_2:c:d=",
            "äö ",
            "VeryLongElementNameIndeed>",
            "x!y>",
        ] {
            let b = text.as_bytes();
            let end = b.iter().position(|&c| NAME_CLASS[c as usize] == 1).unwrap_or(b.len());
            let colon = b[..end].iter().position(|&c| c == b':');
            assert_eq!(qname_end(b, 0), (end, colon), "{text:?}");
        }
        assert_eq!(qname_end(b"<a:b>", 1), (4, Some(2)));
    }

    #[test]
    fn leading_space_finds_the_first_other_byte() {
        for text in [
            "",
            "x",
            " ",
            "\n\t\t<a>",
            "\r\n        \t\t<",
            "                 ",
            "   ä",
            "\n\t\t\t\t\t\t\t\tz",
        ] {
            let b = text.as_bytes();
            let slow = b.iter().position(|&c| c > b' ').unwrap_or(b.len());
            assert_eq!(leading_space(b), slow, "{text:?}");
        }
    }
}
