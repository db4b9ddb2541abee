//! gzip bodies, inflated with a limit: what the server does with requests
//! and the client with responses (Python's `encode_threshold` and
//! `gzip_decode(max_decode)`). Only with the `gzip` feature; most callers
//! go through [`ContentCoding`](super::ContentCoding).

use std::io::{Read, Write};

use super::InflateError;

/// Inflates `data`, stopping as soon as the output passes `limit` bytes, so
/// a bomb costs at most `limit` bytes of memory.
///
/// ```
/// use xmlrpc::wire::{gzip::{gunzip, gzip}, InflateError};
/// let packed = gzip(&[b'x'; 10_000]);
/// assert_eq!(gunzip(&packed, 10_000).unwrap().len(), 10_000);
/// assert!(matches!(gunzip(&packed, 9_999), Err(InflateError::TooLarge(9_999))));
/// ```
pub fn gunzip(data: &[u8], limit: usize) -> Result<Vec<u8>, InflateError> {
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).min(limit));
    flate2::read::GzDecoder::new(data)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(InflateError::Corrupt)?;
    if out.len() > limit {
        return Err(InflateError::TooLarge(limit));
    }
    Ok(out)
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
    }
}
