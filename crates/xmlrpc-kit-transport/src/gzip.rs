//! gzip bodies, inflated with a limit: what the server does with requests
//! and the client with responses (Python's `encode_threshold` and
//! `gzip_decode(max_decode)`). Only with the `gzip` feature; most callers
//! go through [`ContentCoding`](crate::ContentCoding).

use std::io::{Read, Write};

use crate::inflate_error::InflateError;

/// Most gzip members one body may hold. Each member costs a decoder's
/// set-up (a few microseconds) whatever it holds, so a body of a million
/// empty members would cost seconds; real senders write one member (a
/// file made by concatenating a few gzip files has a few, a block-gzip
/// file one per 64 KiB block).
pub const MAX_MEMBERS: usize = 1024;

/// The two bytes every gzip member starts with (RFC 1952 §2.3.1).
const MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Inflates `data`, stopping as soon as the output passes `limit` bytes, so
/// a bomb costs at most `limit` bytes of memory.
///
/// `data` is one gzip member or several concatenated (RFC 1952 §2.2),
/// inflated one after the other into one body, the limit counting them
/// all; at most [`MAX_MEMBERS`]. Anything after the last member that is
/// not the start of another is refused
/// ([`InflateError::TrailingBytes`]), and so is an empty `data`.
///
/// ```
/// use xmlrpc_kit::wire::{gzip::{gunzip, gzip}, InflateError};
/// let packed = gzip(&[b'x'; 10_000]);
/// assert_eq!(gunzip(&packed, 10_000).unwrap().len(), 10_000);
/// assert!(matches!(gunzip(&packed, 9_999), Err(InflateError::TooLarge(9_999))));
///
/// let two = [gzip(b"<methodCall>"), gzip(b"</methodCall>")].concat();
/// assert_eq!(gunzip(&two, 100).unwrap(), b"<methodCall></methodCall>");
/// assert!(matches!(gunzip(&two, 20), Err(InflateError::TooLarge(20))));
///
/// let trailed = [gzip(b"<methodCall/>"), b"junk".to_vec()].concat();
/// assert!(matches!(gunzip(&trailed, 100), Err(InflateError::TrailingBytes(4))));
/// ```
pub fn gunzip(data: &[u8], limit: usize) -> Result<Vec<u8>, InflateError> {
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).min(limit));
    let mut rest = data;
    for _ in 0..MAX_MEMBERS {
        // The bufread decoder takes from `rest` exactly the member's bytes
        // (header, deflate data, CRC and size), so what is left after it
        // is what follows the member.
        let room = limit - out.len();
        flate2::bufread::GzDecoder::new(&mut rest)
            .take(room as u64 + 1)
            .read_to_end(&mut out)
            .map_err(InflateError::Corrupt)?;
        if out.len() > limit {
            return Err(InflateError::TooLarge(limit));
        }
        if rest.is_empty() {
            return Ok(out);
        }
        if !rest.starts_with(&MAGIC[..rest.len().min(2)]) {
            return Err(InflateError::TrailingBytes(rest.len()));
        }
    }
    Err(InflateError::TooManyMembers(MAX_MEMBERS))
}

/// Deflates `data` into one gzip member (fast compression: bodies are sent once).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_limits_and_corruption() {
        let body = b"<methodCall/>".repeat(100);
        assert_eq!(gunzip(&gzip(&body), body.len()).unwrap(), body);
        assert!(matches!(
            gunzip(&gzip(&body), body.len() - 1),
            Err(InflateError::TooLarge(_))
        ));
        assert!(matches!(
            gunzip(b"not gzip", 100),
            Err(InflateError::Corrupt(_))
        ));
        let bomb = gzip(&vec![0u8; 50 << 20]);
        assert!(
            bomb.len() < 1_000_000,
            "a bomb: 50 MiB in {} bytes",
            bomb.len()
        );
        assert!(matches!(
            gunzip(&bomb, 1 << 20),
            Err(InflateError::TooLarge(_))
        ));
        // Nothing at all is not gzip.
        assert!(matches!(gunzip(b"", 100), Err(InflateError::Corrupt(_))));
    }

    #[test]
    fn members_are_inflated_whole_within_one_limit() {
        let member = gzip(b"<member/>");
        let three = member.repeat(3);
        assert_eq!(gunzip(&three, 27).unwrap(), b"<member/>".repeat(3));
        // The limit is the total's: 26 bytes stop in the third member.
        assert!(matches!(
            gunzip(&three, 26),
            Err(InflateError::TooLarge(26))
        ));
        // A member whose inflated data is cut short, or whose CRC is wrong,
        // is corrupt wherever it is.
        let mut cut = three.clone();
        cut.truncate(three.len() - 3);
        assert!(matches!(gunzip(&cut, 100), Err(InflateError::Corrupt(_))));
        let mut bad_crc = three.clone();
        let crc_at = bad_crc.len() - 8;
        bad_crc[crc_at] ^= 1;
        assert!(matches!(
            gunzip(&bad_crc, 100),
            Err(InflateError::Corrupt(_))
        ));
        // As many members as allowed, and one more.
        let empty = gzip(b"");
        assert_eq!(gunzip(&empty.repeat(MAX_MEMBERS), 10).unwrap(), b"");
        let error = gunzip(&empty.repeat(MAX_MEMBERS + 1), 10).unwrap_err();
        assert!(matches!(error, InflateError::TooManyMembers(MAX_MEMBERS)));
        assert_eq!(
            error.to_string(),
            "the gzip body has more than 1024 gzip members"
        );
    }

    #[test]
    fn bytes_after_the_gzip_data_are_refused() {
        let member = gzip(b"<methodCall/>");
        for (trailer, what) in [
            (&b"junk"[..], "text"),
            (&b"\0\0\0\0"[..], "zero padding"),
            (&b"\n"[..], "a newline"),
            (&b"\x1f\x00"[..], "half a magic number"),
        ] {
            let error = gunzip(&[&member[..], trailer].concat(), 100).unwrap_err();
            assert!(
                matches!(error, InflateError::TrailingBytes(n) if n == trailer.len()),
                "{what}: {error:?}"
            );
            assert_eq!(
                error.to_string(),
                format!(
                    "the gzip body has {} bytes after the end of its gzip data",
                    trailer.len()
                )
            );
        }
        // What starts like a member but is not one is corrupt.
        for tail in [&b"\x1f"[..], &b"\x1f\x8b"[..], &b"\x1f\x8bjunk"[..]] {
            let error = gunzip(&[&member[..], tail].concat(), 100).unwrap_err();
            assert!(
                matches!(error, InflateError::Corrupt(_)),
                "{tail:?}: {error:?}"
            );
        }
    }
}
