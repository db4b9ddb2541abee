//! Output dialects: how the encoder spells what the XML-RPC specification
//! leaves to implementations (64-bit integers, nil, the forms of doubles
//! and dates), so that each peer gets what it reads.
//!
//! The decoder needs none of this: it reads every spelling below.

use std::fmt;
use std::str::FromStr;

/// How the encoder writes the extensions and the forms peers disagree on.
/// Start from a preset ([`Dialect::PYTHON`], the default, [`Dialect::APACHE`],
/// [`Dialect::XMLRPC_C`], [`Dialect::STRICT`]) and change fields as needed.
///
/// ```
/// use xmlrpc_kit::{encode_response, Dialect, EncodeOptions, Value};
/// let apache = EncodeOptions::default().allow_none(true).dialect(Dialect::APACHE);
/// let body = String::from_utf8(encode_response(&Ok(Value::Nil), &apache).unwrap()).unwrap();
/// assert!(body.contains("<methodResponse xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\">"));
/// assert!(body.contains("<value><ex:nil/></value>"));
///
/// // The specification alone: a nil or a 64-bit integer is an error, not sent.
/// let strict = EncodeOptions::default().allow_none(true).dialect(Dialect::STRICT);
/// assert!(encode_response(&Ok(Value::I8(1 << 40)), &strict).is_err());
/// // An i8 that fits 32 bits is written as an int.
/// let body = encode_response(&Ok(Value::I8(7)), &strict).unwrap();
/// assert!(String::from_utf8(body).unwrap().contains("<int>7</int>"));
///
/// assert_eq!("xmlrpc-c".parse::<Dialect>().unwrap(), Dialect::XMLRPC_C);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dialect {
    /// How a [`Value::I8`](crate::Value::I8) is written. Default:
    /// [`Extension::Plain`] (`<i8>`).
    pub i8: Extension,
    /// Write an [`I8`](crate::Value::I8) whose value fits 32 bits as
    /// `<int>` (as Koji does), so only values that need it are `<i8>`.
    /// Default: `false`.
    pub i8_only_beyond_int: bool,
    /// How a [`Value::Nil`](crate::Value::Nil) is written (when
    /// `allow_none` is on; with it off a nil is always an error). Default:
    /// [`Extension::Plain`] (`<nil/>`).
    pub nil: Extension,
    /// How doubles are written. Default: [`DoubleForm::Shortest`].
    pub doubles: DoubleForm,
    /// How dates are written. Default: [`DateTimeForm::Compact`].
    pub dates: DateTimeForm,
}

/// How an extension type is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extension {
    /// `<i8>`, `<nil/>`: Python, xmlrpc-c, Perl, Ruby, most peers.
    Plain,
    /// `<ex:i8>`, `<ex:nil/>` with `xmlns:ex` declared on the root
    /// element: Apache ws-xmlrpc and the Java peers built on it.
    Apache,
    /// Not sent: the value is an [`EncodeError`](crate::EncodeError) (the
    /// specification has no such type).
    Refused,
}

/// How a double is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoubleForm {
    /// The shortest text that reads back to the same double, with an
    /// exponent when that is shorter (`1e300`, `5e-324`); what Python,
    /// Java and JavaScript write and read.
    Shortest,
    /// Digits and a point only (`1000…0.0`, `0.000…5`), as the
    /// specification says: no exponent. Still exact, but up to 330
    /// characters long for extreme values.
    Decimal,
}

/// How a date and time is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTimeForm {
    /// `19980717T14:08:55`, the specification's example (with a fraction
    /// and zone when the value has them).
    Compact,
    /// `1998-07-17T14:08:55`, ISO 8601's extended form (with a fraction
    /// and zone when the value has them).
    Extended,
}

impl Dialect {
    /// What Python's `xmlrpc.client` reads: `<i8>`, `<nil/>`, the shortest
    /// doubles, compact dates. The default.
    pub const PYTHON: Dialect = Dialect {
        i8: Extension::Plain,
        i8_only_beyond_int: false,
        nil: Extension::Plain,
        doubles: DoubleForm::Shortest,
        dates: DateTimeForm::Compact,
    };
    /// Apache ws-xmlrpc's extensions: `<ex:i8>`, `<ex:nil/>` in the
    /// `http://ws.apache.org/xmlrpc/namespaces/extensions` namespace.
    pub const APACHE: Dialect = Dialect {
        i8: Extension::Apache,
        nil: Extension::Apache,
        ..Dialect::PYTHON
    };
    /// xmlrpc-c's: `<i8>`, `<nil/>`, doubles without an exponent.
    pub const XMLRPC_C: Dialect = Dialect {
        doubles: DoubleForm::Decimal,
        ..Dialect::PYTHON
    };
    /// The specification alone: no nil, no 64-bit integers (an `I8` that
    /// fits 32 bits is written as `<int>`, one that does not is an
    /// error), doubles without an exponent.
    pub const STRICT: Dialect = Dialect {
        i8: Extension::Refused,
        i8_only_beyond_int: true,
        nil: Extension::Refused,
        doubles: DoubleForm::Decimal,
        dates: DateTimeForm::Compact,
    };

    /// The presets by name, as [`FromStr`] reads them.
    pub const PRESETS: [(&'static str, Dialect); 4] = [
        ("python", Dialect::PYTHON),
        ("apache", Dialect::APACHE),
        ("xmlrpc-c", Dialect::XMLRPC_C),
        ("strict", Dialect::STRICT),
    ];

    /// Sets [`i8`](Self::i8).
    #[must_use]
    pub fn i8(mut self, form: Extension) -> Self {
        self.i8 = form;
        self
    }
    /// Sets [`i8_only_beyond_int`](Self::i8_only_beyond_int).
    #[must_use]
    pub fn i8_only_beyond_int(mut self, on: bool) -> Self {
        self.i8_only_beyond_int = on;
        self
    }
    /// Sets [`nil`](Self::nil).
    #[must_use]
    pub fn nil(mut self, form: Extension) -> Self {
        self.nil = form;
        self
    }
    /// Sets [`doubles`](Self::doubles).
    #[must_use]
    pub fn doubles(mut self, form: DoubleForm) -> Self {
        self.doubles = form;
        self
    }
    /// Sets [`dates`](Self::dates).
    #[must_use]
    pub fn dates(mut self, form: DateTimeForm) -> Self {
        self.dates = form;
        self
    }

    /// Whether documents need the `ex` namespace declared.
    pub(crate) fn declares_apache_namespace(&self) -> bool {
        self.i8 == Extension::Apache || self.nil == Extension::Apache
    }

    /// The preset's name, if this is one.
    pub fn preset_name(&self) -> Option<&'static str> {
        Dialect::PRESETS
            .iter()
            .find(|(_, d)| d == self)
            .map(|(name, _)| *name)
    }
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect::PYTHON
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.preset_name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{self:?}"),
        }
    }
}

/// A dialect name that is not a preset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no dialect named {0:?} (known: python, apache, xmlrpc-c, strict)")]
pub struct UnknownDialect(pub String);

impl FromStr for Dialect {
    type Err = UnknownDialect;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Dialect::PRESETS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, d)| *d)
            .ok_or_else(|| UnknownDialect(name.to_owned()))
    }
}

/// Writes `d` (finite) with digits and a point only: exact, because the
/// digits are the shortest ones that read back to `d`, only the exponent
/// is spelled out as zeros.
pub(crate) fn write_decimal(out: &mut Vec<u8>, d: f64) {
    let mut buffer = ryu::Buffer::new();
    let shortest = buffer.format_finite(d);
    let Some((mantissa, exponent)) = shortest.split_once('e') else {
        out.extend_from_slice(shortest.as_bytes());
        return;
    };
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    // mantissa is "D" or "D.DDD": the digits, and where the point goes.
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let point = 1 + exponent; // digits before the point
    out.extend_from_slice(sign.as_bytes());
    if point <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', point.unsigned_abs() as usize));
        out.extend_from_slice(digits.as_bytes());
    } else {
        let point = point as usize;
        if digits.len() <= point {
            out.extend_from_slice(digits.as_bytes());
            out.extend(std::iter::repeat_n(b'0', point - digits.len()));
            out.extend_from_slice(b".0");
        } else {
            out.extend_from_slice(&digits.as_bytes()[..point]);
            out.push(b'.');
            out.extend_from_slice(&digits.as_bytes()[point..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(d: f64) -> String {
        let mut out = Vec::new();
        write_decimal(&mut out, d);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn decimals_have_no_exponent_and_read_back_exactly() {
        assert_eq!(decimal(1e300), format!("1{}.0", "0".repeat(300)));
        assert_eq!(decimal(5e-324), format!("0.{}5", "0".repeat(323)));
        assert_eq!(decimal(-1.5e-7), "-0.00000015");
        assert_eq!(decimal(1.25e20), "125000000000000000000.0");
        assert_eq!(decimal(-0.0), "-0.0");
        assert_eq!(decimal(2.0), "2.0");
        for d in [
            1e300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            -1.2345678901234567e-200,
            0.1,
            123456.789,
            1e16,
            1e15,
        ] {
            let text = decimal(d);
            assert!(!text.contains('e'), "{text}");
            assert_eq!(
                text.parse::<f64>().unwrap().to_bits(),
                d.to_bits(),
                "{text}"
            );
        }
    }

    #[test]
    fn presets_read_by_name_and_show_it() {
        for (name, dialect) in Dialect::PRESETS {
            assert_eq!(name.parse::<Dialect>().unwrap(), dialect);
            assert_eq!(dialect.to_string(), name);
        }
        assert_eq!(
            "ws".parse::<Dialect>().unwrap_err().to_string(),
            "no dialect named \"ws\" (known: python, apache, xmlrpc-c, strict)"
        );
        assert_eq!(Dialect::default(), Dialect::PYTHON);
    }
}
