//! Time and the Register's references: Unix seconds, `xs:dateTime` and
//! `xs:date` text, calendar dates, random `irct:Guid`s and draws.

use rand_core::{OsRng, RngCore};
use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in Unix seconds.
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The calendar date of a day counted from 1970-01-01 (proleptic
/// Gregorian).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The day (counted from 1970-01-01) of a calendar date.
pub fn days(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `secs` as an `xs:dateTime` in UTC with milliseconds:
/// `2024-01-31T12:00:00.250Z`.
pub fn date_time(secs: f64) -> String {
    let millis = (secs * 1000.0).floor() as i64;
    let (day, ms) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let (y, m, d) = civil(day);
    let s = ms / 1000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms % 1000
    )
}

/// Reads an `xs:date` (`2024-01-31`, an optional zone ignored) or the date
/// part of an `xs:dateTime`, as Unix seconds at midnight UTC.
pub fn parse_date(text: &str) -> Option<f64> {
    let t = text.trim();
    let (y, rest) = t.get(..4).zip(t.get(4..))?;
    let b = rest.as_bytes();
    if b.len() < 6 || b[0] != b'-' || b[3] != b'-' {
        return None;
    }
    let year: i64 = y.parse().ok()?;
    let month: u32 = rest.get(1..3)?.parse().ok()?;
    let day: u32 = rest.get(4..6)?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then(|| days(year, month, day) as f64 * 86_400.0)
}

/// A new `irct:Guid`: 32 hexadecimal digits from the system's random source.
pub fn guid() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `n` random bytes.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A uniform draw from [0, 1).
pub fn draw() -> f64 {
    (OsRng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_go_both_ways() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_753), (2024, 1, 31));
        assert_eq!(days(2024, 2, 29), 19_782);
        for d in [-1000, 0, 59, 10_956, 19_782, 40_000] {
            let (y, m, day) = civil(d);
            assert_eq!(days(y, m, day), d);
        }
        assert_eq!(date_time(1_706_702_400.25), "2024-01-31T12:00:00.250Z");
        assert_eq!(parse_date("2024-01-31"), Some(1_706_659_200.0));
        assert_eq!(parse_date("2024-13-01"), None);
        let g = guid();
        assert!(g.len() == 32 && g.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!((0.0..1.0).contains(&draw()));
    }
}
