//! A small set of codes, for the code lists whose codes are small.

/// A set of small codes (0-63), enough for the code lists used here;
/// larger codes are not kept.
#[derive(Default, Clone, Copy)]
pub(super) struct Codes(u64);

impl Codes {
    /// Adds `code`; false when it was there already.
    pub(super) fn insert(&mut self, code: i64) -> bool {
        let Some(bit) = Codes::bit(code) else { return true };
        let new = self.0 & bit == 0;
        self.0 |= bit;
        new
    }

    pub(super) fn has(self, code: i64) -> bool {
        Codes::bit(code).is_some_and(|bit| self.0 & bit != 0)
    }

    pub(super) fn any(self, codes: &[i64]) -> bool {
        codes.iter().any(|c| self.has(*c))
    }

    pub(super) fn all(self, codes: &[i64]) -> bool {
        codes.iter().all(|c| self.has(*c))
    }

    fn bit(code: i64) -> Option<u64> {
        (0..64).contains(&code).then(|| 1 << code)
    }
}

#[cfg(test)]
mod tests {
    use super::Codes;

    #[test]
    fn keeps_codes_below_64_once() {
        let mut codes = Codes::default();
        assert!(codes.insert(3));
        assert!(!codes.insert(3));
        assert!(codes.insert(63));
        // Not kept, so never "there already".
        assert!(codes.insert(64) && codes.insert(64) && codes.insert(-1));
        assert!(codes.has(3) && codes.has(63) && !codes.has(64) && !codes.has(4));
        assert!(codes.any(&[4, 63]) && !codes.any(&[4, 64]));
        assert!(codes.all(&[3, 63]) && !codes.all(&[3, 4]));
    }
}
