//! `dateTime.iso8601`: lenient on input, exact on output, no invented time zone.

use std::fmt;

/// The time-zone designator a date-time was written with, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    /// No designator: a local time of unknown zone (what XML-RPC usually sends).
    Unspecified,
    /// `Z`.
    Utc,
    /// `+hh:mm` / `-hh:mm`, in minutes east of UTC.
    Offset(i16),
}

/// An XML-RPC `dateTime.iso8601` value.
///
/// Parsing accepts the forms seen in the wild (`20260125T09:30:00`,
/// `2026-01-25T09:30:00`, `20260125T093000`, fractions, `Z`, offsets);
/// [`Display`](fmt::Display) writes the XML-RPC form `YYYYMMDDTHH:MM:SS`,
/// followed by the fraction and zone only when the value had them.
///
/// ```
/// use xmlrpc_kit::DateTime;
/// let dt: DateTime = "2026-01-25T09:30:00Z".parse().unwrap();
/// assert_eq!(dt.to_string(), "20260125T09:30:00Z");
/// assert_eq!(DateTime::new(2026, 1, 25, 9, 30, 0).unwrap().to_string(), "20260125T09:30:00");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    /// Fraction of a second in nanoseconds, and how many digits it was written with.
    fraction: Option<(u32, u8)>,
    zone: Zone,
}

impl DateTime {
    /// A date and time with no fraction and no zone; `None` if any field is out of range.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let dt = DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            fraction: None,
            zone: Zone::Unspecified,
        };
        dt.is_valid().then_some(dt)
    }

    /// The same date-time with a fraction of `nanos` nanoseconds, written
    /// with 3, 6 or 9 digits (the fewest that hold it; none for 0). `None`
    /// when `nanos` is a second or more.
    ///
    /// ```
    /// use xmlrpc_kit::DateTime;
    ///
    /// let dt = DateTime::new(2026, 1, 25, 9, 30, 0).unwrap();
    /// assert_eq!(dt.with_nanosecond(250_000_000).unwrap().to_string(), "20260125T09:30:00.250");
    /// ```
    pub fn with_nanosecond(mut self, nanos: u32) -> Option<Self> {
        self.fraction = match nanos {
            0 => None,
            1_000_000_000.. => return None,
            n if n % 1_000_000 == 0 => Some((n, 3)),
            n if n % 1_000 == 0 => Some((n, 6)),
            n => Some((n, 9)),
        };
        Some(self)
    }

    /// The same instant written with the zone `zone`.
    pub fn with_zone(mut self, zone: Zone) -> Self {
        self.zone = zone;
        self
    }

    /// The year (0–9999).
    pub fn year(&self) -> u16 {
        self.year
    }
    /// The month (1–12).
    pub fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month (1–31).
    pub fn day(&self) -> u8 {
        self.day
    }
    /// The hour (0–23).
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// The minute (0–59).
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// The second (0–59).
    pub fn second(&self) -> u8 {
        self.second
    }
    /// The fraction of a second, in nanoseconds (0 when none was written).
    pub fn nanosecond(&self) -> u32 {
        self.fraction.map_or(0, |(n, _)| n)
    }
    /// The zone designator the value was written with.
    pub fn zone(&self) -> Zone {
        self.zone
    }

    fn is_valid(&self) -> bool {
        let leap = self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0);
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        self.year <= 9999
            && (1..=days).contains(&self.day)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
    }

    /// Writes the date-time as [`Display`](fmt::Display) does, digit by
    /// digit when it has no fraction and no zone (the usual case, and
    /// several times faster than formatting).
    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        if self.fraction.is_some() || self.zone != Zone::Unspecified || self.year > 9999 {
            use std::io::Write as _;
            let _ = write!(out, "{self}");
            return;
        }
        let digit = |n: u16| b'0' + (n % 10) as u8;
        let two = |n: u8| [b'0' + n / 10 % 10, b'0' + n % 10];
        let y = self.year;
        let [mo1, mo2] = two(self.month);
        let [d1, d2] = two(self.day);
        let [h1, h2] = two(self.hour);
        let [mi1, mi2] = two(self.minute);
        let [s1, s2] = two(self.second);
        out.extend_from_slice(&[
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            mo1,
            mo2,
            d1,
            d2,
            b'T',
            h1,
            h2,
            b':',
            mi1,
            mi2,
            b':',
            s1,
            s2,
        ]);
    }
}

/// Why a date-time could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDateTimeError(pub(crate) &'static str);

impl fmt::Display for ParseDateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for ParseDateTimeError {}

/// A cursor over the ASCII bytes of a date-time.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize, what: &'static str) -> Result<u32, ParseDateTimeError> {
        let end = self.pos + n;
        let chunk = self
            .bytes
            .get(self.pos..end)
            .ok_or(ParseDateTimeError(what))?;
        if !chunk.iter().all(u8::is_ascii_digit) {
            return Err(ParseDateTimeError(what));
        }
        self.pos = end;
        Ok(chunk
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    }
    fn eat(&mut self, byte: u8) -> bool {
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
}

impl std::str::FromStr for DateTime {
    type Err = ParseDateTimeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut c = Cursor {
            bytes: text.trim().as_bytes(),
            pos: 0,
        };
        let year = c.digits(4, "expected a four-digit year")?;
        let dashes = c.eat(b'-');
        let month = c.digits(2, "expected a two-digit month")?;
        if dashes && !c.eat(b'-') {
            return Err(ParseDateTimeError("expected '-' after the month"));
        }
        let day = c.digits(2, "expected a two-digit day")?;
        if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
            return Err(ParseDateTimeError("expected 'T' between date and time"));
        }
        let hour = c.digits(2, "expected a two-digit hour")?;
        let colons = c.eat(b':');
        let minute = c.digits(2, "expected two-digit minutes")?;
        if colons && !c.eat(b':') {
            return Err(ParseDateTimeError("expected ':' after the minutes"));
        }
        let second = c.digits(2, "expected two-digit seconds")?;
        let mut fraction = None;
        if c.eat(b'.') || c.eat(b',') {
            let start = c.pos;
            while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                c.pos += 1;
            }
            let written = &c.bytes[start..c.pos];
            if written.is_empty() || written.len() > 9 {
                return Err(ParseDateTimeError("expected 1 to 9 fraction digits"));
            }
            let mut nanos = written
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            for _ in written.len()..9 {
                nanos *= 10;
            }
            fraction = Some((nanos, written.len() as u8));
        }
        let zone = match c.peek() {
            None => Zone::Unspecified,
            Some(b'Z' | b'z') => {
                c.pos += 1;
                Zone::Utc
            }
            Some(sign @ (b'+' | b'-')) => {
                c.pos += 1;
                let hours = c.digits(2, "expected a two-digit zone hour")?;
                let minutes = if c.peek().is_none() {
                    0
                } else {
                    c.eat(b':');
                    c.digits(2, "expected two-digit zone minutes")?
                };
                if hours > 23 || minutes > 59 {
                    return Err(ParseDateTimeError("zone offset out of range"));
                }
                let total = (hours * 60 + minutes) as i16;
                Zone::Offset(if sign == b'-' { -total } else { total })
            }
            Some(_) => return Err(ParseDateTimeError("unexpected text after the time")),
        };
        if c.pos != c.bytes.len() {
            return Err(ParseDateTimeError("unexpected text after the time zone"));
        }
        let dt = DateTime {
            year: year as u16,
            month: month as u8,
            day: day as u8,
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
            fraction,
            zone,
        };
        if dt.is_valid() {
            Ok(dt)
        } else {
            Err(ParseDateTimeError("no such date or time"))
        }
    }
}
impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}{:02}{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if let Some((nanos, digits)) = self.fraction {
            let scaled = nanos / 10u32.pow(9 - u32::from(digits));
            write!(f, ".{:0width$}", scaled, width = usize::from(digits))?;
        }
        match self.zone {
            Zone::Unspecified => Ok(()),
            Zone::Utc => f.write_str("Z"),
            Zone::Offset(m) => {
                let sign = if m < 0 { '-' } else { '+' };
                write!(
                    f,
                    "{sign}{:02}:{:02}",
                    m.unsigned_abs() / 60,
                    m.unsigned_abs() % 60
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_digit_by_digit_as_displayed() {
        for text in [
            "20240102T03:04:05",
            "00010101T00:00:00",
            "99991231T23:59:59",
            "19980717T14:08:55.25",
            "19980717T14:08:55Z",
            "19980717T14:08:55-05:30",
        ] {
            let dt: DateTime = text.parse().unwrap();
            let mut out = Vec::new();
            dt.write_to(&mut out);
            assert_eq!(String::from_utf8(out).unwrap(), dt.to_string(), "{text}");
            assert_eq!(dt.to_string(), text);
        }
    }

    #[test]
    fn lenient_forms_parse_to_the_same_fields() {
        for text in [
            "20260125T09:30:05",
            "2026-01-25T09:30:05",
            "20260125T093005",
            " 20260125T09:30:05\n",
        ] {
            let dt: DateTime = text.parse().unwrap();
            assert_eq!(dt.to_string(), "20260125T09:30:05", "{text}");
        }
    }

    #[test]
    fn fraction_and_zone_are_kept_exactly() {
        for (input, output) in [
            ("2026-01-25T09:30:05.120Z", "20260125T09:30:05.120Z"),
            ("20260125T09:30:05,5+01:00", "20260125T09:30:05.5+01:00"),
            ("20260125T09:30:05-0530", "20260125T09:30:05-05:30"),
            ("20260125T09:30:05+02", "20260125T09:30:05+02:00"),
            ("20260125T09:30:05.123456789", "20260125T09:30:05.123456789"),
        ] {
            assert_eq!(input.parse::<DateTime>().unwrap().to_string(), output);
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        for (bad, why) in [
            ("20260230T00:00:00", "no such date or time"),
            ("20250229T00:00:00", "no such date or time"),
            ("20261301T00:00:00", "no such date or time"),
            ("20260101T24:00:00", "no such date or time"),
            ("20260101T23:60:00", "no such date or time"),
            ("20260101T23:59:60", "no such date or time"),
            ("2026011T00:00:00", "expected a two-digit day"),
            ("20260101", "expected 'T' between date and time"),
            ("20260101T00:00:00junk", "unexpected text after the time"),
            ("20260101T00:00:00.", "expected 1 to 9 fraction digits"),
            ("", "expected a four-digit year"),
        ] {
            let e = bad.parse::<DateTime>().unwrap_err();
            assert_eq!(e.to_string(), why, "{bad}");
        }
        assert_eq!(
            "20240229T00:00:00".parse::<DateTime>(),
            Ok(DateTime::new(2024, 2, 29, 0, 0, 0).unwrap())
        );
    }
}
