//! Calendar dates for the date rules: the caller's "today", and days added.

use crate::validate::lexical::days_in_month;
use std::fmt;

/// A calendar day of the proleptic Gregorian calendar, always a real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub(crate) year: i32,
    pub(crate) month: u32,
    pub(crate) day: u32,
}

impl Date {
    /// The day `year`-`month`-`day`, or `None` if there is no such day.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        (day >= 1 && day <= days_in_month(year.into(), month)).then_some(Date { year, month, day })
    }

    /// Reads `YYYY-MM-DD` (an xs:date without a time zone; with one, the
    /// zone is ignored, since rules compare calendar days).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = s.get(r)?;
            part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
        };
        Date::new(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)
    }

    /// Days since 1970-01-01 (negative before).
    pub(crate) fn days(self) -> i64 {
        // Civil-from-days inverse (Howard Hinnant's days_from_civil).
        let y = self.year as i64 - if self.month <= 2 { 1 } else { 0 };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub(crate) fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + if month <= 2 { 1 } else { 0 }) as i32;
        Date { year, month, day }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(self) -> u32 {
        self.day
    }

    /// The day `n` days later (earlier when `n` is negative).
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.days() + n)
    }

    /// Today's date in the local time zone: the default day the date rules
    /// count from. Native builds ask the C library for the local time
    /// (UTC where the platform has no such call); the WebAssembly build asks
    /// JavaScript's `Date`.
    pub fn today() -> Date {
        local::today()
    }

    /// Today's date in UTC, from the system clock.
    #[cfg(not(target_arch = "wasm32"))]
    fn today_utc() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date::from_days(secs.div_euclid(86_400))
    }
}

#[cfg(unix)]
mod local {
    use super::Date;

    pub fn today() -> Date {
        // SAFETY: `time` with a null pointer only returns the time;
        // `localtime_r` writes only into the `tm` we own, and a zeroed `tm`
        // is a valid value (plain integers and a pointer that may be null).
        let tm = unsafe {
            let now = libc::time(std::ptr::null_mut());
            let mut tm: libc::tm = std::mem::zeroed();
            if libc::localtime_r(&now, &mut tm).is_null() {
                return Date::today_utc();
            }
            tm
        };
        Date::new(tm.tm_year + 1900, (tm.tm_mon + 1) as u32, tm.tm_mday as u32).unwrap_or_else(Date::today_utc)
    }
}

#[cfg(target_arch = "wasm32")]
mod local {
    use super::Date;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// JavaScript's `Date`, for the local date.
        #[wasm_bindgen(js_name = Date)]
        type JsDate;
        #[wasm_bindgen(constructor, js_class = "Date")]
        fn new() -> JsDate;
        #[wasm_bindgen(method, js_class = "Date", js_name = getFullYear)]
        fn full_year(this: &JsDate) -> i32;
        #[wasm_bindgen(method, js_class = "Date", js_name = getMonth)]
        fn month(this: &JsDate) -> u32;
        #[wasm_bindgen(method, js_class = "Date", js_name = getDate)]
        fn day(this: &JsDate) -> u32;
    }

    pub fn today() -> Date {
        let now = JsDate::new();
        // JavaScript's dates are always real days; 1970-01-01 only if not.
        Date::new(now.full_year(), now.month() + 1, now.day()).unwrap_or(Date::from_days(0))
    }
}

#[cfg(not(any(unix, target_arch = "wasm32")))]
mod local {
    pub fn today() -> super::Date {
        super::Date::today_utc()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn days_are_added_across_months_years_and_leap_days() {
        let d = Date::parse("2024-02-28").unwrap();
        assert_eq!(d.add_days(1).to_string(), "2024-02-29");
        assert_eq!(d.add_days(2).to_string(), "2024-03-01");
        assert_eq!(
            Date::parse("2023-12-31").unwrap().add_days(45).to_string(),
            "2024-02-14"
        );
        assert_eq!(
            Date::parse("1970-01-01").unwrap().add_days(-1).to_string(),
            "1969-12-31"
        );
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2024-1-01"), None);
    }
}
