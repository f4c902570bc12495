//! The local date, the default "today" of the date rules.

use tulorekisteri::rules::Date;

/// Today in the machine's local time zone (UTC where that is unknown).
#[cfg(unix)]
pub fn local_today() -> Date {
    // SAFETY: `time` with a null pointer only returns the time; `localtime_r`
    // writes only into the `tm` we own, and a zeroed `tm` is a valid value
    // (plain integers and a pointer that may be null).
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

#[cfg(not(unix))]
pub fn local_today() -> Date {
    Date::today_utc()
}
