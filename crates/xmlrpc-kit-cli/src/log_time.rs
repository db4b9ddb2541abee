//! The log's timestamps, as tracing-subscriber writes them
//! (`2026-12-07T05:42:49.362158Z`), made once a second: the date and time
//! of day are kept for the second they are of, and only the microseconds
//! written for each line.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// UTC timestamps in RFC 3339 with microseconds, each thread keeping the
/// text of the second it last wrote.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CachedUtc;

thread_local! {
    /// The second last written, and its text up to the seconds.
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

impl FormatTime for CachedUtc {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        SECOND.with(|second| {
            let (cached, text) = &mut *second.borrow_mut();
            if *cached != since_epoch.as_secs() {
                *cached = since_epoch.as_secs();
                text.clear();
                write_second(text, *cached)?;
            }
            w.write_str(text)?;
            write_fraction(w, since_epoch.subsec_micros())
        })
    }
}

/// `.362158Z`: the microseconds after the second, as `.{:06}Z` writes
/// them (itoa's digits: std's padding costs more than the rest of the
/// timestamp).
fn write_fraction(w: &mut impl std::fmt::Write, micros: u32) -> std::fmt::Result {
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(micros);
    w.write_str(&".000000"[..7 - digits.len().min(6)])?;
    w.write_str(digits)?;
    w.write_char('Z')
}

/// `2026-12-07T05:42:49`: the UTC date and time of `seconds` since 1970.
fn write_second(out: &mut String, seconds: u64) -> std::fmt::Result {
    let (days, of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    write!(
        out,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The timestamp of `time` (for tests).
#[cfg(test)]
fn text_of(time: std::time::Duration) -> String {
    let mut text = String::new();
    write_second(&mut text, time.as_secs()).unwrap();
    write_fraction(&mut text, time.subsec_micros()).unwrap();
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::time::Duration;

    #[test]
    fn dates_and_times_are_those_of_utc() {
        let at = |s: u64, micros: u32| text_of(Duration::new(s, micros * 1000));
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(at(951_782_400, 1), "2000-02-29T00:00:00.000001Z");
        assert_eq!(at(1_796_622_169, 362_158), "2026-12-07T05:42:49.362158Z");
        assert_eq!(at(4_102_444_799, 999_999), "2099-12-31T23:59:59.999999Z");
        assert_eq!(at(253_402_300_799, 0), "9999-12-31T23:59:59.000000Z");
    }

    #[test]
    fn a_line_gets_the_same_text_as_tracing_subscribers_own_clock() {
        let mut ours = String::new();
        CachedUtc.format_time(&mut Writer::new(&mut ours)).unwrap();
        let mut theirs = String::new();
        tracing_subscriber::fmt::time::SystemTime
            .format_time(&mut Writer::new(&mut theirs))
            .unwrap();
        // The same form; the same second unless one ticked between them.
        assert_eq!(ours.len(), theirs.len(), "{ours} {theirs}");
        assert_eq!(ours[..16], theirs[..16], "{ours} {theirs}");
        assert!(ours.ends_with('Z') && ours.as_bytes()[19] == b'.', "{ours}");
    }
}
