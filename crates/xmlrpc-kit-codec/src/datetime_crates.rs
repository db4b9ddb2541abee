//! `dateTime.iso8601` as the date-time types of chrono, time and jiff
//! (features `chrono`, `time`, `jiff`): handler parameters and results,
//! client arguments and results, and serde fields through
//! [`serde::date_time`](crate::serde::date_time).
//!
//! | Type | Writes | Reads |
//! | --- | --- | --- |
//! | `chrono::NaiveDateTime`, `time::PrimitiveDateTime`, `jiff::civil::DateTime` | no zone | a value with no zone as written; one with a zone converted to UTC |
//! | `chrono::DateTime<Utc>`, `jiff::Timestamp` | `Z` | a value with a zone; one without is refused |
//! | `chrono::DateTime<FixedOffset>`, `time::OffsetDateTime` | its offset | a value with a zone; one without is refused |
//!
//! XML-RPC peers mostly send local times with no zone; reading one as an
//! instant would invent a zone, so the instant types refuse it with a
//! fault that names the local-time type to take instead. A date XML-RPC
//! cannot write (a year outside 0–9999, a leap second) is written as its
//! crate's ISO 8601 text in a `<string>`, as a `u64` beyond `i64` is
//! written as a `<double>`; [`ForeignDateTime::to_xmlrpc`] says so instead.

use crate::DateTime;
#[cfg(any(feature = "chrono", feature = "time", feature = "jiff"))]
use crate::Zone;

/// A date-time type of another crate that converts to and from
/// XML-RPC's [`DateTime`].
///
/// ```
/// # #[cfg(feature = "chrono")] {
/// use xmlrpc_kit::{DateTime, ForeignDateTime};
///
/// let dt: DateTime = "20260125T09:30:00+01:00".parse().unwrap();
/// let utc = chrono::DateTime::<chrono::Utc>::from_xmlrpc(dt).unwrap();
/// assert_eq!(utc.to_rfc3339(), "2026-01-25T08:30:00+00:00");
/// assert_eq!(utc.to_xmlrpc().unwrap().to_string(), "20260125T08:30:00Z");
///
/// let local: DateTime = "20260125T09:30:00".parse().unwrap();
/// let refused = chrono::DateTime::<chrono::Utc>::from_xmlrpc(local).unwrap_err();
/// assert!(refused.contains("has no time zone"), "{refused}");
/// # }
/// ```
pub trait ForeignDateTime: Sized {
    /// XML-RPC's form of `self`; `Err` with the reason when XML-RPC's
    /// `dateTime.iso8601` cannot hold it.
    fn to_xmlrpc(&self) -> Result<DateTime, String>;
    /// `dt` as this type; `Err` with the reason when it is not one.
    fn from_xmlrpc(dt: DateTime) -> Result<Self, String>;
}

impl ForeignDateTime for DateTime {
    fn to_xmlrpc(&self) -> Result<DateTime, String> {
        Ok(*self)
    }
    fn from_xmlrpc(dt: DateTime) -> Result<Self, String> {
        Ok(dt)
    }
}

#[cfg(any(feature = "chrono", feature = "time", feature = "jiff"))]
/// The zone's offset east of UTC in seconds; `None` for no zone.
fn offset_seconds(dt: &DateTime) -> Option<i32> {
    match dt.zone() {
        Zone::Unspecified => None,
        Zone::Utc => Some(0),
        Zone::Offset(minutes) => Some(i32::from(minutes) * 60),
    }
}

#[cfg(any(feature = "chrono", feature = "time"))]
/// The zone to write for an offset of `seconds`: whole minutes only.
fn zone_of(seconds: i32) -> Option<Zone> {
    match seconds {
        0 => Some(Zone::Utc),
        s if s % 60 == 0 => i16::try_from(s / 60).ok().map(Zone::Offset),
        _ => None,
    }
}

#[cfg(any(feature = "chrono", feature = "time", feature = "jiff"))]
/// The zone's offset east of UTC in seconds, read for an instant type;
/// with no zone, an error naming `local_type` (the local time to take).
fn instant_offset(dt: &DateTime, local_type: &str) -> Result<i32, String> {
    offset_seconds(dt).ok_or_else(|| {
        format!(
            "dateTime {dt} has no time zone, so it is no instant; take {local_type} for a local time"
        )
    })
}

#[cfg(any(feature = "chrono", feature = "time", feature = "jiff"))]
/// [`ForeignDateTime`] for a crate's date-time with no zone (`$t`), from
/// three functions of its module: `$from(&t, zone)` (XML-RPC's form),
/// `$to(&dt)` (`dt`'s fields, as written) and `utc(&dt, offset)` (`dt`,
/// whose zone is `offset` seconds east, in UTC). A value with a zone is
/// read in UTC.
macro_rules! local_date_time {
    ($t:ty, $from:ident, $to:ident) => {
        impl ForeignDateTime for $t {
            fn to_xmlrpc(&self) -> Result<DateTime, String> {
                $from(self, Zone::Unspecified)
            }
            fn from_xmlrpc(dt: DateTime) -> Result<Self, String> {
                match offset_seconds(&dt) {
                    None => $to(&dt),
                    Some(offset) => utc(&dt, offset),
                }
            }
        }
    };
}

#[cfg(any(feature = "chrono", feature = "time", feature = "jiff"))]
/// XML-RPC's form of a calendar date (year, month, day) and time (hour,
/// minute, second, nanosecond), with `zone`; `text` is the date-time as
/// its crate writes it, for the error.
fn fields(
    text: impl FnOnce() -> String,
    (year, month, day): (i32, u8, u8),
    (hour, minute, second, nanos): (u8, u8, u8, u32),
    zone: Zone,
) -> Result<DateTime, String> {
    u16::try_from(year)
        .ok()
        .and_then(|year| DateTime::new(year, month, day, hour, minute, second))
        .and_then(|dt| dt.with_nanosecond(nanos))
        .map(|dt| dt.with_zone(zone))
        .ok_or_else(|| {
            format!(
                "{} cannot be an XML-RPC dateTime (years 0-9999, no leap second)",
                text()
            )
        })
}

#[cfg(any(feature = "chrono", feature = "time", feature = "jiff"))]
/// `FromValue` and `IntoValue` for a [`ForeignDateTime`] type.
macro_rules! value_conversions {
    ($($t:ty),*) => {$(
        impl crate::FromValue for $t {
            fn type_name() -> &'static str {
                "dateTime.iso8601"
            }
            fn from_value(value: crate::Value) -> Result<Self, crate::ConvertError> {
                match value {
                    crate::Value::DateTime(dt) => {
                        <$t as ForeignDateTime>::from_xmlrpc(dt).map_err(|why| crate::ConvertError {
                            expected: "dateTime.iso8601",
                            found: why,
                        })
                    }
                    other => Err(crate::ConvertError::mismatch("dateTime.iso8601", &other)),
                }
            }
        }
        impl crate::IntoValue for $t {
            fn type_name() -> &'static str {
                "dateTime.iso8601"
            }
            fn into_value(self) -> crate::Value {
                match self.to_xmlrpc() {
                    Ok(dt) => crate::Value::DateTime(dt),
                    Err(_) => crate::Value::String(self.to_string()),
                }
            }
        }
    )*};
}

#[cfg(feature = "chrono")]
mod chrono_types {
    use chrono::{Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, Timelike, Utc};

    use super::{ForeignDateTime, fields, instant_offset, offset_seconds, zone_of};
    use crate::{DateTime, Zone};

    fn to_naive(dt: &DateTime) -> Result<NaiveDateTime, String> {
        NaiveDate::from_ymd_opt(dt.year().into(), dt.month().into(), dt.day().into())
            .and_then(|d| {
                d.and_hms_nano_opt(
                    dt.hour().into(),
                    dt.minute().into(),
                    dt.second().into(),
                    dt.nanosecond(),
                )
            })
            .ok_or_else(|| format!("{dt} is not a date chrono holds"))
    }

    fn from_naive(n: &NaiveDateTime, zone: Zone) -> Result<DateTime, String> {
        #[allow(clippy::cast_possible_truncation)] // chrono's fields are in range
        fields(
            || n.to_string(),
            (n.year(), n.month() as u8, n.day() as u8),
            (
                n.hour() as u8,
                n.minute() as u8,
                n.second() as u8,
                n.nanosecond(),
            ),
            zone,
        )
    }

    /// The UTC time of `dt`, which has a zone.
    fn utc(dt: &DateTime, offset: i32) -> Result<NaiveDateTime, String> {
        to_naive(dt)?
            .checked_sub_signed(TimeDelta::seconds(offset.into()))
            .ok_or_else(|| format!("{dt} in UTC is not a date chrono holds"))
    }

    local_date_time!(NaiveDateTime, from_naive, to_naive);

    impl ForeignDateTime for chrono::DateTime<Utc> {
        fn to_xmlrpc(&self) -> Result<DateTime, String> {
            from_naive(&self.naive_utc(), Zone::Utc)
        }
        fn from_xmlrpc(dt: DateTime) -> Result<Self, String> {
            let offset = instant_offset(&dt, "chrono::NaiveDateTime")?;
            Ok(utc(&dt, offset)?.and_utc())
        }
    }

    impl ForeignDateTime for chrono::DateTime<FixedOffset> {
        fn to_xmlrpc(&self) -> Result<DateTime, String> {
            match zone_of(self.offset().local_minus_utc()) {
                Some(zone) => from_naive(&self.naive_local(), zone),
                None => from_naive(&self.naive_utc(), Zone::Utc),
            }
        }
        fn from_xmlrpc(dt: DateTime) -> Result<Self, String> {
            let offset = instant_offset(&dt, "chrono::NaiveDateTime")?;
            let zone = FixedOffset::east_opt(offset)
                .ok_or_else(|| format!("{dt}: offset out of range"))?;
            Ok(utc(&dt, offset)?.and_utc().with_timezone(&zone))
        }
    }

    value_conversions!(
        NaiveDateTime,
        chrono::DateTime<Utc>,
        chrono::DateTime<FixedOffset>
    );
}

#[cfg(feature = "time")]
mod time_types {
    use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

    use super::{ForeignDateTime, fields, instant_offset, offset_seconds, zone_of};
    use crate::{DateTime, Zone};

    fn to_primitive(dt: &DateTime) -> Result<PrimitiveDateTime, String> {
        let date = Month::try_from(dt.month())
            .and_then(|month| Date::from_calendar_date(dt.year().into(), month, dt.day()));
        let time = Time::from_hms_nano(dt.hour(), dt.minute(), dt.second(), dt.nanosecond());
        match (date, time) {
            (Ok(date), Ok(time)) => Ok(PrimitiveDateTime::new(date, time)),
            _ => Err(format!("{dt} is not a date the time crate holds")),
        }
    }

    fn from_primitive(p: &PrimitiveDateTime, zone: Zone) -> Result<DateTime, String> {
        fields(
            || p.to_string(),
            (p.year(), u8::from(p.month()), p.day()),
            (p.hour(), p.minute(), p.second(), p.nanosecond()),
            zone,
        )
    }

    fn with_offset(dt: &DateTime, offset: i32) -> Result<OffsetDateTime, String> {
        let offset = UtcOffset::from_whole_seconds(offset).map_err(|e| format!("{dt}: {e}"))?;
        Ok(to_primitive(dt)?.assume_offset(offset))
    }

    /// The UTC time of `dt`, which has a zone.
    fn utc(dt: &DateTime, offset: i32) -> Result<PrimitiveDateTime, String> {
        let utc = with_offset(dt, offset)?.checked_to_offset(UtcOffset::UTC);
        let utc = utc.ok_or_else(|| format!("{dt} in UTC is not a date the time crate holds"))?;
        Ok(PrimitiveDateTime::new(utc.date(), utc.time()))
    }

    local_date_time!(PrimitiveDateTime, from_primitive, to_primitive);

    impl ForeignDateTime for OffsetDateTime {
        fn to_xmlrpc(&self) -> Result<DateTime, String> {
            let local = PrimitiveDateTime::new(self.date(), self.time());
            match zone_of(self.offset().whole_seconds()) {
                Some(zone) => from_primitive(&local, zone),
                None => {
                    let utc = self.to_offset(UtcOffset::UTC);
                    from_primitive(&PrimitiveDateTime::new(utc.date(), utc.time()), Zone::Utc)
                }
            }
        }
        fn from_xmlrpc(dt: DateTime) -> Result<Self, String> {
            let offset = instant_offset(&dt, "time::PrimitiveDateTime")?;
            with_offset(&dt, offset)
        }
    }

    value_conversions!(PrimitiveDateTime, OffsetDateTime);
}

#[cfg(feature = "jiff")]
mod jiff_types {
    use jiff::Timestamp;
    use jiff::civil;
    use jiff::tz::Offset;

    use super::{ForeignDateTime, fields, instant_offset, offset_seconds};
    use crate::{DateTime, Zone};

    // The casts are in range by DateTime's checks.
    #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
    fn to_civil(dt: &DateTime) -> Result<civil::DateTime, String> {
        // The date checked first, then the time, as civil::DateTime::new does.
        let date = civil::Date::new(dt.year() as i16, dt.month() as i8, dt.day() as i8);
        let (hour, minute, second) = (dt.hour() as i8, dt.minute() as i8, dt.second() as i8);
        let time = || civil::Time::new(hour, minute, second, dt.nanosecond() as i32);
        date.and_then(|date| Ok(date.to_datetime(time()?)))
            .map_err(|e| format!("{dt}: {e}"))
    }

    fn from_civil(c: &civil::DateTime, zone: Zone) -> Result<DateTime, String> {
        #[allow(clippy::cast_sign_loss)] // jiff's fields past the year are never negative
        fields(
            || c.to_string(),
            (c.year().into(), c.month() as u8, c.day() as u8),
            (
                c.hour() as u8,
                c.minute() as u8,
                c.second() as u8,
                c.subsec_nanosecond() as u32,
            ),
            zone,
        )
    }

    fn instant(dt: &DateTime, offset: i32) -> Result<Timestamp, String> {
        let civil = to_civil(dt)?;
        Offset::from_seconds(offset)
            .and_then(|offset| offset.to_timestamp(civil))
            .map_err(|e| format!("{dt}: {e}"))
    }

    /// The UTC time of `dt`, which has a zone.
    fn utc(dt: &DateTime, offset: i32) -> Result<civil::DateTime, String> {
        Ok(Offset::UTC.to_datetime(instant(dt, offset)?))
    }

    local_date_time!(civil::DateTime, from_civil, to_civil);

    impl ForeignDateTime for Timestamp {
        fn to_xmlrpc(&self) -> Result<DateTime, String> {
            from_civil(&Offset::UTC.to_datetime(*self), Zone::Utc)
        }
        fn from_xmlrpc(dt: DateTime) -> Result<Self, String> {
            let offset = instant_offset(&dt, "jiff::civil::DateTime")?;
            instant(&dt, offset)
        }
    }

    value_conversions!(civil::DateTime, Timestamp);
}

#[cfg(test)]
mod tests {
    #![allow(unused_imports, dead_code)] // what a build without the features leaves
    use super::*;
    use crate::{FromValue, IntoValue, Value};

    fn dt(text: &str) -> DateTime {
        text.parse().unwrap()
    }

    /// Through `Value` and back, as parameters and results travel.
    fn through_value<T: FromValue + IntoValue>(value: T) -> (Value, T) {
        let written = value.into_value();
        (written.clone(), T::from_value(written).unwrap())
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn chrono_types_keep_their_zone_rules() {
        use chrono::{FixedOffset, NaiveDateTime, TimeZone, Utc};
        let naive = NaiveDateTime::from_xmlrpc(dt("20260125T09:30:00.250")).unwrap();
        assert_eq!(naive.to_string(), "2026-01-25 09:30:00.250");
        let (written, back) = through_value(naive);
        assert_eq!(written, Value::DateTime(dt("20260125T09:30:00.250")));
        assert_eq!(back, naive);
        // A zoned value read as a local time is its UTC time.
        let from_zoned = NaiveDateTime::from_xmlrpc(dt("20260125T09:30:00-02:30")).unwrap();
        assert_eq!(from_zoned.to_string(), "2026-01-25 12:00:00");

        let utc = Utc.with_ymd_and_hms(2026, 1, 25, 9, 30, 0).unwrap();
        assert_eq!(
            through_value(utc),
            (Value::DateTime(dt("20260125T09:30:00Z")), utc)
        );
        let refused = chrono::DateTime::<Utc>::from_value(Value::DateTime(dt("20260125T09:30:00")));
        assert_eq!(
            refused.unwrap_err().to_string(),
            "expected dateTime.iso8601, got dateTime 20260125T09:30:00 has no time zone, so it is no instant; take chrono::NaiveDateTime for a local time"
        );

        let east = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        let local = east.with_ymd_and_hms(2026, 1, 25, 9, 30, 0).unwrap();
        let (written, back) = through_value(local);
        assert_eq!(written, Value::DateTime(dt("20260125T09:30:00+05:30")));
        assert_eq!((back, back.offset().local_minus_utc()), (local, 19800));
        // Offsets with seconds are written in UTC, the same instant.
        let odd = FixedOffset::east_opt(61)
            .unwrap()
            .with_ymd_and_hms(2026, 1, 25, 9, 30, 0)
            .unwrap();
        assert_eq!(odd.to_xmlrpc().unwrap().to_string(), "20260125T09:28:59Z");
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn dates_xml_rpc_cannot_hold_are_said_or_written_as_text() {
        use chrono::NaiveDate;
        let far = NaiveDate::from_ymd_opt(12026, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let why = far.to_xmlrpc().unwrap_err();
        assert!(
            why.contains("cannot be an XML-RPC dateTime (years 0-9999"),
            "{why}"
        );
        assert_eq!(far.into_value(), Value::String(far.to_string()));
        let bc = NaiveDate::from_ymd_opt(-1, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(
            bc.to_xmlrpc(),
            Err(
                "-0001-01-01 00:00:00 cannot be an XML-RPC dateTime (years 0-9999, no leap second)"
                    .into()
            )
        );
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_milli_opt(23, 59, 59, 1500)
            .unwrap();
        assert_eq!(
            leap.to_xmlrpc(),
            Err("2016-12-31 23:59:60.500 cannot be an XML-RPC dateTime (years 0-9999, no leap second)".into())
        );
        assert_eq!(
            chrono::NaiveDateTime::from_value(Value::Int(3))
                .unwrap_err()
                .to_string(),
            "expected dateTime.iso8601, got int"
        );
    }

    #[cfg(feature = "time")]
    #[test]
    fn time_types_keep_their_zone_rules() {
        use time::macros::{datetime, offset};
        let local = datetime!(2026-01-25 09:30:00.000_001);
        let (written, back) = through_value(local);
        assert_eq!(written, Value::DateTime(dt("20260125T09:30:00.000001")));
        assert_eq!(back, local);
        assert_eq!(
            time::PrimitiveDateTime::from_xmlrpc(dt("20260125T23:30:00-01:00")).unwrap(),
            datetime!(2026-01-26 00:30:00)
        );
        let zoned = datetime!(2026-01-25 09:30:00).assume_offset(offset!(-08:00));
        let (written, back) = through_value(zoned);
        assert_eq!(written, Value::DateTime(dt("20260125T09:30:00-08:00")));
        assert_eq!((back, back.offset()), (zoned, offset!(-08:00)));
        assert_eq!(
            time::OffsetDateTime::from_xmlrpc(dt("20260125T09:30:00Z")).unwrap(),
            datetime!(2026-01-25 09:30:00 UTC)
        );
        let why = time::OffsetDateTime::from_xmlrpc(dt("20260125T09:30:00")).unwrap_err();
        assert!(
            why.ends_with("take time::PrimitiveDateTime for a local time"),
            "{why}"
        );
    }

    #[cfg(feature = "jiff")]
    #[test]
    fn jiff_types_keep_their_zone_rules() {
        use jiff::{Timestamp, civil};
        let local = civil::date(2026, 1, 25).at(9, 30, 0, 123_456_789);
        let (written, back) = through_value(local);
        assert_eq!(written, Value::DateTime(dt("20260125T09:30:00.123456789")));
        assert_eq!(back, local);
        assert_eq!(
            civil::DateTime::from_xmlrpc(dt("20260125T09:30:00+09:00")).unwrap(),
            civil::date(2026, 1, 25).at(0, 30, 0, 0)
        );
        let instant: Timestamp = "2026-01-25T09:30:00Z".parse().unwrap();
        assert_eq!(
            through_value(instant),
            (Value::DateTime(dt("20260125T09:30:00Z")), instant)
        );
        assert_eq!(
            Timestamp::from_xmlrpc(dt("20260125T10:30:00+01:00")).unwrap(),
            instant
        );
        let why = Timestamp::from_xmlrpc(dt("20260125T09:30:00")).unwrap_err();
        assert!(
            why.ends_with("take jiff::civil::DateTime for a local time"),
            "{why}"
        );
    }

    #[cfg(any(feature = "chrono", feature = "time"))]
    #[test]
    fn dates_need_whole_minute_offsets() {
        assert_eq!(zone_of(0), Some(Zone::Utc));
        assert_eq!(zone_of(-3600), Some(Zone::Offset(-60)));
        assert_eq!(zone_of(61), None);
    }
}
