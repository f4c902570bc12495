//! A small set of codes, for the code lists whose codes are small, which
//! also knows whether it holds a code the schema refused (unknown).

/// A set of small codes (0-63), enough for the code lists used here;
/// larger codes are not kept.
#[derive(Default, Clone, Copy)]
pub(super) struct Codes {
    bits: u64,
    /// A code the schema refused is in the set: it may be any code.
    refused: bool,
}

impl Codes {
    /// Adds `code`; false when it was there already.
    pub(super) fn insert(&mut self, code: i64) -> bool {
        let Some(bit) = Codes::bit(code) else { return true };
        let new = self.bits & bit == 0;
        self.bits |= bit;
        new
    }

    /// Adds the code `value` names; a value that is not a number is one the
    /// schema refused (rules see those as empty), an unknown code.
    pub(super) fn insert_value(&mut self, value: &str) -> bool {
        match value.parse() {
            Ok(code) => self.insert(code),
            Err(_) => {
                self.refused = true;
                true
            }
        }
    }

    /// Whether `code` is in the set for sure. For a rule that a code sets off.
    pub(super) fn has(self, code: i64) -> bool {
        Codes::bit(code).is_some_and(|bit| self.bits & bit != 0)
    }

    pub(super) fn any(self, codes: &[i64]) -> bool {
        codes.iter().any(|c| self.has(*c))
    }

    pub(super) fn all(self, codes: &[i64]) -> bool {
        codes.iter().all(|c| self.has(*c))
    }

    /// Whether `code` may be in the set: for a rule that a code satisfies,
    /// which an unknown code may do.
    pub(super) fn may_have(self, code: i64) -> bool {
        self.refused || self.has(code)
    }

    pub(super) fn may_have_any(self, codes: &[i64]) -> bool {
        self.refused || self.any(codes)
    }

    pub(super) fn may_have_all(self, codes: &[i64]) -> bool {
        self.refused || self.all(codes)
    }

    /// Whether every code in the set is known.
    pub(super) fn known(self) -> bool {
        !self.refused
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
        assert!(!codes.may_have(4) && codes.known());
        // A refused value: unknown, so any code may be in the set.
        assert!(codes.insert_value("") && codes.insert_value("5") && !codes.insert_value("5"));
        assert!(!codes.has(4) && codes.may_have(4) && codes.may_have_all(&[4, 6]) && !codes.known());
    }
}
