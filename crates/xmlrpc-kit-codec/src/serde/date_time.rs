//! `<dateTime.iso8601>` through serde: [`DateTime`] itself, and the
//! date-time types of chrono, time and jiff.
//!
//! A [`DateTime`] passes through serde under a name that this module's
//! serializer and deserializer know, so it stays a `<dateTime.iso8601>`
//! (other formats see its text).
//!
//! A serde field of a date-time type of chrono, time or jiff (any
//! [`ForeignDateTime`]) as `<dateTime.iso8601>`,
//! where the type's own serde form would be a `<string>`:
//! `#[serde(with = "xmlrpc_kit::serde::date_time")]`. `Option`s of them take
//! [`option`].
//!
//! ```
//! # #[cfg(feature = "chrono")] {
//! use xmlrpc_kit::serde::{from_value, to_value};
//! use xmlrpc_kit::Value;
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Entry {
//!     #[serde(with = "xmlrpc_kit::serde::date_time")]
//!     at: chrono::NaiveDateTime,
//! }
//!
//! let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 25).unwrap().and_hms_opt(9, 30, 0).unwrap();
//! let value = to_value(&Entry { at }).unwrap();
//! let members = value.as_struct().unwrap();
//! assert_eq!(members["at"], Value::DateTime("20260125T09:30:00".parse().unwrap()));
//! assert_eq!(from_value::<Entry>(value).unwrap(), Entry { at });
//! # }
//! ```

use std::fmt;

use serde::de::Visitor;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de, ser};

use super::DATETIME;
use crate::{DateTime, ForeignDateTime};

/// Writes `value` as a `<dateTime.iso8601>`.
///
/// # Errors
/// When XML-RPC cannot hold it (a year outside 0–9999, a leap second).
pub fn serialize<T: ForeignDateTime, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    value
        .to_xmlrpc()
        .map_err(ser::Error::custom)?
        .serialize(serializer)
}

/// Reads a `<dateTime.iso8601>` as `T`.
///
/// # Errors
/// When it is no date-time, or not one of `T` (an instant type given no zone).
pub fn deserialize<'de, T: ForeignDateTime, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    T::from_xmlrpc(DateTime::deserialize(deserializer)?).map_err(de::Error::custom)
}

impl Serialize for DateTime {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(DATETIME, &self.to_string())
    }
}

impl<'de> de::Deserialize<'de> for DateTime {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<DateTime, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an XML-RPC dateTime.iso8601 (20260125T09:30:00)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_newtype_struct<D: de::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<DateTime, D::Error> {
                d.deserialize_str(self)
            }
        }
        deserializer.deserialize_newtype_struct(DATETIME, Text)
    }
}

/// The same for `Option`s: `None` is `<nil/>`.
pub mod option {
    use serde::{Deserialize, Deserializer, Serializer, de, ser};

    use crate::{DateTime, ForeignDateTime};

    /// Writes `Some(value)` as a `<dateTime.iso8601>`, `None` as `<nil/>`.
    ///
    /// # Errors
    /// When XML-RPC cannot hold the date-time.
    pub fn serialize<T: ForeignDateTime, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => {
                serializer.serialize_some(&value.to_xmlrpc().map_err(ser::Error::custom)?)
            }
            None => serializer.serialize_none(),
        }
    }

    /// Reads a `<dateTime.iso8601>` or `<nil/>`.
    ///
    /// # Errors
    /// When it is neither, or the date-time is not one of `T`.
    pub fn deserialize<'de, T: ForeignDateTime, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        Option::<DateTime>::deserialize(deserializer)?
            .map(|dt| T::from_xmlrpc(dt).map_err(de::Error::custom))
            .transpose()
    }
}
