//! Lines and columns for the tokenizer, counted lazily: most tokens never
//! need a position, and counting each one would cost more than reading it.
//!
//! Bytes are counted when a position is asked for, and in bulk just before
//! the window drops them. The start of every open element is kept, and
//! counted before its bytes leave the window, so a problem found at an
//! element's end can still point at its start tag.

use std::cell::Cell;

/// Token position: 1-based line and column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
}

/// A counted point of the stream: the position of the byte at `abs`.
#[derive(Debug, Clone, Copy)]
struct Mark {
    abs: u64,
    at: Position,
}

/// An open element: where its start tag begins, and its position once counted.
#[derive(Debug, Clone, Copy)]
struct Open {
    abs: u64,
    at: Option<Position>,
}

pub(super) struct Positions {
    /// How far counting has got; it only moves forward.
    cursor: Cell<Mark>,
    /// The first byte of the window, for questions about bytes the cursor has passed.
    window_start: Mark,
    open: Vec<Open>,
    /// `open[..counted]` have their positions.
    counted: usize,
    /// The innermost element ended with the last token; it is forgotten
    /// with the next one, so the caller can still ask where it started.
    close_pending: bool,
}

impl Positions {
    pub fn new() -> Self {
        let start = Mark {
            abs: 0,
            at: Position { line: 1, column: 1 },
        };
        Positions {
            cursor: Cell::new(start),
            window_start: start,
            open: vec![],
            counted: 0,
            close_pending: false,
        }
    }

    /// Counting starts at `abs` (after a byte order mark, which takes no column).
    pub fn start_at(&mut self, abs: u64) {
        let start = Mark {
            abs,
            at: Position { line: 1, column: 1 },
        };
        self.cursor.set(start);
        self.window_start = start;
    }

    /// The position of `abs`, a stream offset within `window` (which starts
    /// at stream offset `base`).
    pub fn of(&self, window: &[u8], base: u64, abs: u64) -> Position {
        let cursor = self.cursor.get();
        if abs >= cursor.abs {
            let moved = advance(cursor, window, base, abs);
            self.cursor.set(moved);
            moved.at
        } else if abs >= self.window_start.abs {
            advance(self.window_start, window, base, abs).at
        } else {
            // Only bytes still in the window can be counted.
            cursor.at
        }
    }

    /// Forgets the element that ended with the previous token, if any.
    pub fn settle(&mut self) {
        if self.close_pending {
            self.close_pending = false;
            self.open.pop();
            self.counted = self.counted.min(self.open.len());
        }
    }

    pub fn open_element(&mut self, abs: u64) {
        self.open.push(Open { abs, at: None });
    }

    /// The innermost open element ends with the token just returned.
    pub fn close_element(&mut self) {
        self.close_pending = true;
    }

    /// Where open element `depth` (0 for the root) starts.
    pub fn element(&self, depth: usize, window: &[u8], base: u64) -> Option<Position> {
        let open = self.open.get(depth)?;
        Some(open.at.unwrap_or_else(|| self.of(window, base, open.abs)))
    }

    /// Counts everything before `new_base`, which becomes the window's first
    /// byte, and the open elements that start there.
    pub fn before_drop(&mut self, window: &[u8], base: u64, new_base: u64) {
        for i in self.counted..self.open.len() {
            self.open[i].at = Some(self.of(window, base, self.open[i].abs));
        }
        self.counted = self.open.len();
        self.of(window, base, new_base);
        self.window_start = self.cursor.get();
    }
}

/// Counts from `from` up to `abs`.
fn advance(from: Mark, window: &[u8], base: u64, abs: u64) -> Mark {
    let start = (from.abs.saturating_sub(base) as usize).min(window.len());
    let end = ((abs - base) as usize).clamp(start, window.len());
    let span = &window[start..end];
    let mut at = from.at;
    let line_start = match memchr::memrchr(b'\n', span) {
        Some(last) => {
            at.line += 1 + memchr::memchr_iter(b'\n', &span[..last]).count() as u64;
            at.column = 1;
            last + 1
        }
        None => 0,
    };
    at.column += count_chars(&span[line_start..]);
    Mark { abs, at }
}

fn count_chars(b: &[u8]) -> u64 {
    if b.is_ascii() {
        b.len() as u64
    } else {
        b.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_characters() {
        let text = "ab\ncä\n\nxyz".as_bytes();
        let p = Positions::new();
        let z = text.len() as u64 - 1;
        assert_eq!(p.of(text, 0, z), Position { line: 4, column: 3 });
        // Backwards within the window counts again from the window's start.
        assert_eq!(p.of(text, 0, 4), Position { line: 2, column: 2 });
        assert_eq!(p.of(text, 0, 6), Position { line: 2, column: 3 });
    }

    #[test]
    fn open_elements_survive_the_window() {
        let first = b"<a>\n  <b>";
        let mut p = Positions::new();
        p.open_element(0);
        p.open_element(6);
        p.before_drop(first, 0, first.len() as u64);
        // The window now holds only later bytes; the starts are remembered.
        let later = b"</b>";
        let base = first.len() as u64;
        assert_eq!(p.element(1, later, base), Some(Position { line: 2, column: 3 }));
        p.close_element();
        assert_eq!(p.element(1, later, base), Some(Position { line: 2, column: 3 }));
        p.settle();
        assert_eq!(p.element(1, later, base), None);
        assert_eq!(p.element(0, later, base), Some(Position { line: 1, column: 1 }));
    }
}
