//! gzip for request and response bodies (Python's `encode_threshold`).

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

/// Why a gzip body could not be inflated.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum GunzipError {
    /// It inflates to more than the limit (a gzip bomb, or just too big).
    TooLarge,
    /// It is not valid gzip.
    Corrupt(String),
}

/// Inflates `data`, stopping as soon as the output passes `limit` bytes.
pub(crate) fn gunzip(data: &[u8], limit: usize) -> Result<Vec<u8>, GunzipError> {
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).min(limit));
    let mut decoder = GzDecoder::new(data).take(limit as u64 + 1);
    decoder
        .read_to_end(&mut out)
        .map_err(|e| GunzipError::Corrupt(e.to_string()))?;
    if out.len() > limit {
        return Err(GunzipError::TooLarge);
    }
    Ok(out)
}

/// Deflates `data` into a gzip member.
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 4 + 64), Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_limits() {
        let body = b"<methodCall/>".repeat(100);
        assert_eq!(gunzip(&gzip(&body), body.len()).unwrap(), body);
        assert_eq!(
            gunzip(&gzip(&body), body.len() - 1),
            Err(GunzipError::TooLarge)
        );
        assert!(matches!(
            gunzip(b"not gzip", 100),
            Err(GunzipError::Corrupt(_))
        ));
        let bomb = gzip(&vec![0u8; 50 << 20]);
        assert!(
            bomb.len() < 1_000_000,
            "a bomb: 50 MiB in {} bytes",
            bomb.len()
        );
        assert_eq!(gunzip(&bomb, 1 << 20), Err(GunzipError::TooLarge));
    }
}
