//! Identifier checks that need no register: the Finnish personal identity
//! code, the business ID and the Register's reference character set.

use super::date::Date;

/// Why a personal identity code is not well formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HetuProblem {
    /// Not DDMMYY, a century sign, three digits and a check character.
    Form,
    /// The date part is not a calendar date.
    Date,
    /// The individual number is 000 or 001, which are never given.
    IndividualNumber,
    /// The check character does not match.
    CheckCharacter,
}

impl HetuProblem {
    /// What is wrong, in `lang`, for a message that must not echo the code itself.
    pub fn describe(self, lang: super::Lang) -> &'static str {
        use super::Lang::{En, Fi, Sv};
        match (self, lang) {
            (HetuProblem::Form, Fi) => "muoto",
            (HetuProblem::Form, Sv) => "formen",
            (HetuProblem::Form, En) => "form",
            (HetuProblem::Date, Fi) => "syntymäaika",
            (HetuProblem::Date, Sv) => "födelsedatumet",
            (HetuProblem::Date, En) => "date",
            (HetuProblem::IndividualNumber, Fi) => "yksilönumero",
            (HetuProblem::IndividualNumber, Sv) => "individnumret",
            (HetuProblem::IndividualNumber, En) => "individual number",
            (HetuProblem::CheckCharacter, Fi) => "tarkistusmerkki",
            (HetuProblem::CheckCharacter, Sv) => "kontrolltecknet",
            (HetuProblem::CheckCharacter, En) => "check character",
        }
    }
}

const CHECK_CHARACTERS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// Checks a Finnish personal identity code (henkilötunnus), with the century
/// signs of the 2023 reform: `+` 1800s; `-`, `Y`, `X`, `W`, `V`, `U` 1900s;
/// `A`, `B`, `C`, `D`, `E`, `F` 2000s. Letters are upper case only (the
/// Register treats identifiers case-sensitively).
pub fn check_hetu(code: &str) -> Result<Date, HetuProblem> {
    let b = code.as_bytes();
    if b.len() != 11 || !b[..6].iter().chain(&b[7..10]).all(u8::is_ascii_digit) {
        return Err(HetuProblem::Form);
    }
    let century = match b[6] {
        b'+' => 1800,
        b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => 1900,
        b'A' | b'B' | b'C' | b'D' | b'E' | b'F' => 2000,
        _ => return Err(HetuProblem::Form),
    };
    let num = |r: std::ops::Range<usize>| code[r].parse::<u32>().unwrap_or(0);
    let date = Date::new(century + num(4..6) as i32, num(2..4), num(0..2)).ok_or(HetuProblem::Date)?;
    let individual = num(7..10);
    if individual < 2 {
        return Err(HetuProblem::IndividualNumber);
    }
    let n = num(0..6) * 1000 + individual;
    if CHECK_CHARACTERS[(n % 31) as usize] != b[10] {
        return Err(HetuProblem::CheckCharacter);
    }
    Ok(date)
}

/// Checks a business ID (Y-tunnus): seven digits, `-`, and the check digit
/// (weights 7, 9, 10, 5, 8, 4, 2; modulus 11; a remainder of 1 is never given).
pub fn check_business_id(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 9 || b[7] != b'-' || !b[..7].iter().chain(&b[8..]).all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = [7, 9, 10, 5, 8, 4, 2]
        .iter()
        .zip(&b[..7])
        .map(|(w, d)| w * (d - b'0') as u32)
        .sum();
    let check = match sum % 11 {
        0 => 0,
        1 => return false,
        r => 11 - r,
    };
    (b[8] - b'0') as u32 == check
}

/// The Register's reference characters: `0-9`, `a-z`, `A-Z`, `_` and `-`.
pub fn is_reference(value: &str) -> bool {
    value
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_identity_codes() {
        // The check character of 131052-308 is T (131052308 mod 31 = 25).
        assert!(check_hetu("131052-308T").is_ok());
        assert_eq!(check_hetu("131052-308U"), Err(HetuProblem::CheckCharacter));
        // 2023 century signs: the same number, other signs of the 1900s.
        assert!(check_hetu("131052Y308T").is_ok());
        assert!(check_hetu("131052U308T").is_ok());
        assert_eq!(check_hetu("131052G308T"), Err(HetuProblem::Form));
        assert_eq!(check_hetu("131052a308T"), Err(HetuProblem::Form));
        // 2000s, and a leap day that exists only in leap years.
        assert_eq!(
            check_hetu("290200A1239").map(|d| d.to_string()),
            Ok("2000-02-29".to_string())
        );
        assert_eq!(check_hetu("290201A1239"), Err(HetuProblem::Date));
        assert_eq!(check_hetu("010190-001J"), Err(HetuProblem::IndividualNumber));
        assert_eq!(check_hetu("010190-12"), Err(HetuProblem::Form));
        assert_eq!(check_hetu("010190-123a"), Err(HetuProblem::CheckCharacter));
    }

    #[test]
    fn business_ids() {
        assert!(check_business_id("7011367-6"));
        assert!(check_business_id("0737546-2"));
        assert!(!check_business_id("7011367-5"));
        assert!(!check_business_id("701136-76"));
        assert!(!check_business_id("7011367"));
    }

    #[test]
    fn reference_characters() {
        assert!(is_reference("oma-aineiston_ID-01"));
        assert!(!is_reference("ä"));
        assert!(!is_reference("a b"));
        assert!(!is_reference("a.b"));
    }
}
