//! HTTP content codings (`Content-Encoding`, `Accept-Encoding`): read once
//! here for the server and the client alike. gzip is there when the
//! `gzip` feature is (it is by default).
//!
//! `Content-Encoding` is read one way wherever it comes from: all its
//! header lines joined as one comma-separated list (RFC 9110 §5.3), so
//! two `Content-Encoding: gzip` lines read as `gzip, gzip`. Stacked
//! codings are refused (415), one line or several: a body is gzip once or
//! not at all. A gzip body may hold several members (RFC 1952 §2.2), read
//! as one; bytes after the last member are refused.

use std::fmt;

use crate::inflate_error::InflateError;

/// A body's content coding.
///
/// ```
/// use xmlrpc_kit::wire::ContentCoding;
///
/// assert_eq!(ContentCoding::from_header(None), Ok(ContentCoding::Identity));
/// assert_eq!(ContentCoding::from_header(Some(b"identity")), Ok(ContentCoding::Identity));
/// # #[cfg(feature = "gzip")]
/// assert_eq!(ContentCoding::from_header(Some(b" GZip ")), Ok(ContentCoding::Gzip));
/// assert!(ContentCoding::from_header(Some(b"br")).is_err());
/// // Two lines read as one list: gzip twice is stacked, and refused.
/// assert!(ContentCoding::from_headers([&b"gzip"[..], &b"gzip"[..]]).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentCoding {
    /// As it is.
    Identity,
    /// gzip (RFC 1952); `x-gzip` reads as the same.
    Gzip,
}

/// A `Content-Encoding` this build cannot read: a coding it does not
/// know, or several stacked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedCoding {
    /// The header's value, as received (lossily decoded); several lines
    /// are joined with `, `.
    pub coding: String,
    /// Whether each coding is known but there are several of them
    /// (`gzip, gzip`).
    stacked: bool,
}

impl UnsupportedCoding {
    /// Whether the codings are known but stacked (`gzip, gzip`), rather
    /// than one unknown.
    pub fn is_stacked(&self) -> bool {
        self.stacked
    }
}

impl fmt::Display for UnsupportedCoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.stacked {
            return write!(
                f,
                "Content-Encoding {:?} stacks codings; a body is coded once at most (gzip or identity)",
                self.coding
            );
        }
        let readable = if cfg!(feature = "gzip") {
            "gzip and identity are"
        } else {
            "identity is; gzip needs the `gzip` feature"
        };
        write!(
            f,
            "Content-Encoding {:?} is not supported ({readable})",
            self.coding
        )
    }
}

impl std::error::Error for UnsupportedCoding {}

impl ContentCoding {
    /// Whether this build reads and writes gzip (the `gzip` feature).
    pub const GZIP_BUILT_IN: bool = cfg!(feature = "gzip");

    /// Reads one `Content-Encoding` value; `None` (no header) is identity.
    /// The same as [`from_headers`](Self::from_headers) with one line.
    pub fn from_header(value: Option<&[u8]>) -> Result<Self, UnsupportedCoding> {
        Self::from_headers(value)
    }

    /// Reads every `Content-Encoding` line of a message as one
    /// comma-separated list (RFC 9110 §5.3 and §8.4): no line, or only
    /// `identity` and empty items, is identity; one `gzip` (or `x-gzip`)
    /// is gzip; anything else, stacked codings (`gzip, gzip`) included,
    /// is unsupported.
    ///
    /// ```
    /// use xmlrpc_kit::wire::ContentCoding;
    ///
    /// assert_eq!(ContentCoding::from_headers([]), Ok(ContentCoding::Identity));
    /// # #[cfg(feature = "gzip")] {
    /// assert_eq!(ContentCoding::from_headers([&b"identity, gzip"[..]]), Ok(ContentCoding::Gzip));
    /// let stacked = ContentCoding::from_headers([&b"gzip"[..], &b"x-gzip"[..]]).unwrap_err();
    /// assert!(stacked.is_stacked());
    /// assert_eq!(stacked.coding, "gzip, x-gzip");
    /// # }
    /// ```
    pub fn from_headers<'a>(
        values: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Self, UnsupportedCoding> {
        let lines: Vec<String> = values
            .into_iter()
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect();
        let mut coding = ContentCoding::Identity;
        let mut known = true;
        let mut codings = 0;
        for item in lines.iter().flat_map(|line| line.split(',')) {
            match item.trim().to_ascii_lowercase().as_str() {
                // Empty list items are no items (RFC 9110 §5.6.1).
                "" | "identity" => {}
                "gzip" | "x-gzip" if Self::GZIP_BUILT_IN => {
                    coding = ContentCoding::Gzip;
                    codings += 1;
                }
                _ => {
                    known = false;
                    codings += 1;
                }
            }
        }
        if known && codings <= 1 {
            return Ok(coding);
        }
        Err(UnsupportedCoding {
            coding: lines.join(", "),
            stacked: known,
        })
    }

    /// The coding to send a body of `len` bytes in: gzip when this build
    /// has it, the peer accepts it and `len` passes `threshold`.
    pub fn choose(len: usize, threshold: Option<usize>, peer_accepts_gzip: bool) -> Self {
        if Self::GZIP_BUILT_IN && peer_accepts_gzip && threshold.is_some_and(|t| len > t) {
            ContentCoding::Gzip
        } else {
            ContentCoding::Identity
        }
    }

    /// The `Content-Encoding` value to send, if any.
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            ContentCoding::Identity => None,
            ContentCoding::Gzip => Some("gzip"),
        }
    }

    /// Codes `body` (gzip compresses; identity returns it as it is).
    pub fn encode(self, body: Vec<u8>) -> Vec<u8> {
        match self {
            ContentCoding::Identity => body,
            #[cfg(feature = "gzip")]
            ContentCoding::Gzip => crate::gzip::gzip(&body),
            #[cfg(not(feature = "gzip"))]
            ContentCoding::Gzip => body,
        }
    }

    /// Decodes `body`, inflating to at most `limit` bytes.
    pub fn decode(self, body: Vec<u8>, limit: usize) -> Result<Vec<u8>, InflateError> {
        match self {
            ContentCoding::Identity => Ok(body),
            #[cfg(feature = "gzip")]
            ContentCoding::Gzip => crate::gzip::gunzip(&body, limit),
            #[cfg(not(feature = "gzip"))]
            ContentCoding::Gzip => {
                let _ = limit;
                Err(InflateError::Corrupt(std::io::Error::new(
                    std::io::ErrorKind::Unsupported,
                    "this build reads no gzip (the `gzip` feature is off)",
                )))
            }
        }
    }
}

/// Whether `Accept-Encoding` values list gzip (or `*`) with a non-zero
/// quality, and this build can write it.
///
/// ```
/// use xmlrpc_kit::wire::accepts_gzip;
/// # #[cfg(feature = "gzip")] {
/// assert!(accepts_gzip([&b"deflate, GZIP;q=0.5"[..]]));
/// assert!(!accepts_gzip([&b"gzip;q=0"[..]]));
/// # }
/// assert!(!accepts_gzip([&b"br"[..]]));
/// ```
pub fn accepts_gzip<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> bool {
    ContentCoding::GZIP_BUILT_IN
        && values
            .into_iter()
            .filter_map(|v| std::str::from_utf8(v).ok())
            .flat_map(|v| v.split(','))
            .any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q == 0.0)
                });
                (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_is_parsed() {
        let gzip = ContentCoding::GZIP_BUILT_IN;
        assert_eq!(accepts_gzip([&b"gzip"[..]]), gzip);
        assert_eq!(accepts_gzip([&b"br"[..], &b"x, *"[..]]), gzip);
        assert!(!accepts_gzip([&b"gzip;q=0"[..]]));
        assert!(!accepts_gzip([&b"br"[..]]));
        assert!(!accepts_gzip([]));
    }

    #[test]
    fn codings_round_trip_within_the_limit() {
        let body = b"<methodCall/>".repeat(200);
        for coding in [ContentCoding::Identity, ContentCoding::Gzip] {
            if coding == ContentCoding::Gzip && !ContentCoding::GZIP_BUILT_IN {
                continue;
            }
            let sent = coding.encode(body.clone());
            assert_eq!(coding.decode(sent, body.len()).unwrap(), body);
        }
        assert_eq!(
            ContentCoding::choose(2000, Some(1400), true),
            if ContentCoding::GZIP_BUILT_IN {
                ContentCoding::Gzip
            } else {
                ContentCoding::Identity
            }
        );
        assert_eq!(
            ContentCoding::choose(1400, Some(1400), true),
            ContentCoding::Identity
        );
        assert_eq!(
            ContentCoding::choose(2000, None, true),
            ContentCoding::Identity
        );
        assert_eq!(
            ContentCoding::choose(2000, Some(1), false),
            ContentCoding::Identity
        );
        let unsupported = ContentCoding::from_header(Some(b"br")).unwrap_err();
        assert!(
            unsupported
                .to_string()
                .starts_with("Content-Encoding \"br\" is not supported")
        );
        assert!(!unsupported.is_stacked());
    }

    #[test]
    fn content_encoding_lines_read_as_one_list() {
        let read = |lines: &[&str]| ContentCoding::from_headers(lines.iter().map(|l| l.as_bytes()));
        assert_eq!(read(&[]), Ok(ContentCoding::Identity));
        assert_eq!(read(&[""]), Ok(ContentCoding::Identity));
        assert_eq!(
            read(&["identity", " , identity"]),
            Ok(ContentCoding::Identity)
        );
        let unknown = read(&["gzip", "br"]).unwrap_err();
        assert!(!unknown.is_stacked());
        assert_eq!(unknown.coding, "gzip, br");
        if !ContentCoding::GZIP_BUILT_IN {
            assert!(!read(&["gzip"]).unwrap_err().is_stacked());
            return;
        }
        assert_eq!(read(&["GZIP"]), Ok(ContentCoding::Gzip));
        assert_eq!(read(&[" x-gzip ", "identity"]), Ok(ContentCoding::Gzip));
        assert_eq!(read(&["gzip,"]), Ok(ContentCoding::Gzip));
        // Two lines or one list: the same reading, and the same refusal.
        for lines in [
            &["gzip", "gzip"][..],
            &["gzip, gzip"][..],
            &["gzip,x-gzip"][..],
        ] {
            let stacked = read(lines).unwrap_err();
            assert!(stacked.is_stacked(), "{lines:?}");
            assert_eq!(
                stacked.to_string(),
                format!(
                    "Content-Encoding {:?} stacks codings; a body is coded once at most (gzip or identity)",
                    lines.join(", ")
                )
            );
        }
    }
}
