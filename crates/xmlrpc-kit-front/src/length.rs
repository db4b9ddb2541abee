//! The body-length rule: a declared length is digits only and within the
//! body limit, a body without one is chunked (or refused with 411), and a
//! streamed body is measured as it arrives.

use xmlrpc_kit_transport::BodyLimits;

use crate::rejection::Rejection;

/// The body-length policy: a POST's declared length, checked against the
/// limits before anything is read. `declared` is the `Content-Length` (or
/// CGI `CONTENT_LENGTH`) value, read by [`declared_length`]; `chunked`
/// says the body is framed by chunks instead (it is then measured while
/// it streams, with [`check_streamed`]). Returns the declared length, if
/// any.
///
/// ```
/// use xmlrpc_kit::front::content_length;
/// use xmlrpc_kit::wire::BodyLimits;
///
/// let limits = BodyLimits::default().max_body_bytes(10);
/// assert_eq!(content_length(Some("10"), false, &limits), Ok(Some(10)));
/// assert_eq!(content_length(None, true, &limits), Ok(None));
/// assert_eq!(content_length(Some("11"), false, &limits).unwrap_err().status(), 413);
/// assert_eq!(content_length(None, false, &limits).unwrap_err().status(), 411);
/// assert_eq!(content_length(Some("-1"), false, &limits).unwrap_err().status(), 400);
/// assert_eq!(content_length(Some(" 10 "), false, &limits).unwrap_err().status(), 400);
/// ```
pub fn content_length(
    declared: Option<&str>,
    chunked: bool,
    limits: &BodyLimits,
) -> Result<Option<usize>, Rejection> {
    if chunked {
        return Ok(None);
    }
    let Some(text) = declared else {
        return Err(Rejection::length_required());
    };
    let length = declared_length(text)?;
    if length > limits.max_body_bytes as u64 {
        return Err(Rejection::too_large(limits.max_body_bytes));
    }
    Ok(Some(length as usize))
}

/// Reads a declared body length (HTTP `Content-Length`, CGI and SCGI
/// `CONTENT_LENGTH`) as HTTP defines it: one or more ASCII digits and
/// nothing else (RFC 9110 §8.6), so no sign, no spaces and not empty;
/// otherwise 400. Every front end reads lengths through here, so a length
/// one refuses no other takes.
///
/// ```
/// use xmlrpc_kit::front::declared_length;
///
/// assert_eq!(declared_length("190"), Ok(190));
/// assert_eq!(declared_length("007"), Ok(7));
/// for bad in ["", "+190", " 190 ", "-1", "1e3", "0x10", "18446744073709551616"] {
///     assert_eq!(declared_length(bad).unwrap_err().status(), 400, "{bad:?}");
/// }
/// assert_eq!(
///     declared_length("+190").unwrap_err().text(),
///     "Content-Length \"+190\" is not a byte count"
/// );
/// ```
pub fn declared_length(text: &str) -> Result<u64, Rejection> {
    // `u64::from_str` alone would take a leading `+`.
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rejection::bad_length(text));
    }
    text.parse().map_err(|_| Rejection::bad_length(text))
}

/// The same policy while a body streams in: `so_far` bytes read must stay
/// within the limit.
pub fn check_streamed(so_far: usize, limits: &BodyLimits) -> Result<(), Rejection> {
    if so_far > limits.max_body_bytes {
        Err(Rejection::too_large(limits.max_body_bytes))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_bodies_keep_to_the_limit() {
        let limits = BodyLimits::default().max_body_bytes(4);
        assert_eq!(check_streamed(4, &limits), Ok(()));
        let refused = check_streamed(5, &limits).unwrap_err();
        assert_eq!(
            (refused.status(), refused.text()),
            (413, "the request body is larger than the limit of 4 bytes")
        );
    }
}
