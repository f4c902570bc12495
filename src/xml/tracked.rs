//! A `BufRead` wrapper that sees every byte the XML reader consumes. It keeps
//! the line and column (in characters) of the consumed position, finds
//! characters XML 1.0 forbids, and bounds how many bytes one event may take so
//! memory stays flat whatever the input.

use std::io::{self, BufRead, Read};

/// A character XML 1.0 does not allow, and where it is.
#[derive(Debug, Clone, Copy)]
pub struct BadChar {
    pub line: u64,
    pub column: u64,
    pub code_point: u32,
}

/// What the wrapper has learned from the bytes consumed so far.
#[derive(Debug)]
pub struct Scan {
    line: u64,
    /// Characters since the last line feed.
    column: u64,
    /// Bytes consumed since `mark()`.
    since_mark: u64,
    limit: u64,
    pub over_limit: bool,
    pub bad_char: Option<BadChar>,
    /// How far into an `EF BF BE|BF` sequence (U+FFFE, U+FFFF) the last byte was.
    in_ef: u8,
}

impl Scan {
    fn feed(&mut self, chunk: &[u8]) {
        for &b in chunk {
            if self.in_ef > 0 {
                self.in_ef = match (self.in_ef, b) {
                    (1, 0xBF) => 2,
                    (2, 0xBE | 0xBF) => {
                        // The bad character started at the EF byte, already counted.
                        self.note_bad(0xFF00 | b as u32, 1);
                        0
                    }
                    _ => 0,
                };
            }
            if b < 0x20 {
                if b == b'\n' {
                    self.line += 1;
                    self.column = 0;
                    continue;
                }
                if b != b'\t' && b != b'\r' {
                    self.note_bad(b as u32, 0);
                }
            } else if b == 0xEF {
                self.in_ef = 1;
            }
            if b & 0xC0 != 0x80 {
                self.column += 1;
            }
        }
        self.since_mark += chunk.len() as u64;
        if self.since_mark > self.limit {
            self.over_limit = true;
        }
    }

    /// `back` counts characters already consumed that belong to the bad one.
    fn note_bad(&mut self, code_point: u32, back: u64) {
        if self.bad_char.is_none() {
            let column = if back > 0 { self.column } else { self.column + 1 };
            self.bad_char = Some(BadChar {
                line: self.line,
                column,
                code_point,
            });
        }
    }
}

pub struct Tracked<R> {
    inner: R,
    pub scan: Scan,
}

impl<R: BufRead> Tracked<R> {
    /// `limit` is the most bytes one event (tag, text run, comment) may take.
    pub fn new(inner: R, limit: u64) -> Self {
        Tracked {
            inner,
            scan: Scan {
                line: 1,
                column: 0,
                since_mark: 0,
                limit,
                over_limit: false,
                bad_char: None,
                in_ef: 0,
            },
        }
    }

    /// 1-based line and column of the next byte to be consumed.
    pub fn position(&self) -> (u64, u64) {
        (self.scan.line, self.scan.column + 1)
    }

    /// Drops a UTF-8 byte order mark so it counts in no column.
    pub fn skip_bom(&mut self) -> io::Result<()> {
        if self.inner.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
            self.inner.consume(3);
        }
        Ok(())
    }

    /// Starts counting the bytes of a new event.
    pub fn mark(&mut self) {
        self.scan.since_mark = 0;
    }
}

impl<R: BufRead> Read for Tracked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.scan.over_limit {
            return Err(io::Error::other("event too large"));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // The inner buffer still holds the bytes being consumed.
        if let Ok(buf) = self.inner.fill_buf() {
            self.scan.feed(&buf[..amt.min(buf.len())]);
        }
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Tracked<&[u8]> {
        let mut t = Tracked::new(input, 1 << 20);
        let mut sink = vec![];
        t.read_to_end(&mut sink).unwrap();
        t
    }

    #[test]
    fn counts_lines_and_characters() {
        let t = run("ab\ncdé".as_bytes());
        assert_eq!(t.position(), (2, 4));
    }

    #[test]
    fn finds_forbidden_characters() {
        let t = run(b"ok\nx\x01");
        let bad = t.scan.bad_char.unwrap();
        assert_eq!((bad.line, bad.column, bad.code_point), (2, 2, 1));
        let t = run("a\u{FFFE}".as_bytes());
        let bad = t.scan.bad_char.unwrap();
        assert_eq!((bad.line, bad.column), (1, 2));
        assert!(run("tab\tcr\r\u{FFFD}".as_bytes()).scan.bad_char.is_none());
    }

    #[test]
    fn refuses_an_event_over_the_limit() {
        let mut t = Tracked::new(&b"0123456789"[..], 4);
        let mut out = [0u8; 8];
        assert!(t.read(&mut out).is_ok());
        assert!(t.scan.over_limit);
        assert!(t.fill_buf().is_err());
    }
}
