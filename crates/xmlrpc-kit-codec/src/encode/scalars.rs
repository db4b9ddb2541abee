//! The text of scalars: doubles (ryu, with integers written by itoa) and
//! base64 (two characters per table look-up, straight into the output).

use crate::dialect::{DoubleForm, write_decimal};

/// 2^53: below it every integer is a double, and its shortest digits are
/// its own (no other number of as few digits rounds to it).
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// Writes the finite double `d` as the dialect spells it: what ryu's
/// shortest digits give, and [`write_decimal`] for the decimal form.
#[inline]
pub(super) fn write_double(out: &mut Vec<u8>, d: f64, form: DoubleForm) {
    // An integer below 2^53 prints as its digits and ".0" in both forms
    // (ryu writes up to 16 integer digits without an exponent): itoa's
    // digits, at a tenth of ryu's cost. -0.0 keeps its sign.
    let int = d as i64;
    if int as f64 == d && d.abs() < EXACT_INTEGERS && (int != 0 || d.is_sign_positive()) {
        write_int(out, int);
        out.extend_from_slice(b".0");
        return;
    }
    match form {
        DoubleForm::Shortest => {
            out.extend_from_slice(ryu::Buffer::new().format_finite(d).as_bytes());
        }
        DoubleForm::Decimal => write_decimal(out, d),
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The two base64 characters of every 12 bits, as a little-endian `u16`
/// (8 KiB).
static PAIRS: [u16; 4096] = {
    let mut pairs = [0u16; 4096];
    let mut i = 0;
    while i < 4096 {
        pairs[i] = ALPHABET[i >> 6] as u16 | (ALPHABET[i & 63] as u16) << 8;
        i += 1;
    }
    pairs
};

/// Appends the standard base64 of `bytes` (with `=` padding).
#[inline]
pub(super) fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len().div_ceil(3) * 4);
    let pair = |bits: u64| u64::from(PAIRS[(bits & 0xFFF) as usize]);
    // 6 bytes (48 bits) → 8 characters, four look-ups, read as a word
    // while 8 bytes are left.
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let n = u64::from_be_bytes(word.try_into().unwrap_or_default()) >> 16;
        let chars = pair(n >> 36) | pair(n >> 24) << 16 | pair(n >> 12) << 32 | pair(n) << 48;
        out.extend_from_slice(&chars.to_le_bytes());
        at += 6;
    }
    // The last 0–7 bytes: groups of 3, the last of 1 or 2 padded.
    for group in bytes[at..].chunks(3) {
        let n = u64::from(group[0]) << 16
            | u64::from(group.get(1).copied().unwrap_or(0)) << 8
            | u64::from(group.get(2).copied().unwrap_or(0));
        let mut chars = (pair(n >> 12) | pair(n) << 16).to_le_bytes();
        if group.len() < 3 {
            chars[3] = b'=';
            if group.len() < 2 {
                chars[2] = b'=';
            }
        }
        out.extend_from_slice(&chars[..4]);
    }
}

/// Two decimal digits of every number below 100.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Appends `i` in decimal, as itoa writes it: two digits a step from the
/// end of a buffer, then a fixed-size copy of the buffer's last 20 bytes
/// from where the number starts, cut to its length (no `memcpy` call).
#[inline]
pub(super) fn write_int(out: &mut Vec<u8>, i: i64) {
    const END: usize = 20;
    let mut digits = [0u8; END + 20];
    let mut n = i.unsigned_abs();
    let mut at = END;
    while n >= 10_000 {
        let four = (n % 10_000) as usize;
        n /= 10_000;
        let (high, low) = (four / 100 * 2, four % 100 * 2);
        at -= 4;
        digits[at..at + 2].copy_from_slice(&DIGIT_PAIRS[high..high + 2]);
        digits[at + 2..at + 4].copy_from_slice(&DIGIT_PAIRS[low..low + 2]);
    }
    if n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        at -= 2;
        digits[at..at + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        digits[at] = b'0' + n as u8;
    }
    if i < 0 {
        at -= 1;
        digits[at] = b'-';
    }
    let start = out.len();
    out.extend_from_slice(&digits[at..at + 20]);
    out.truncate(start + END - at);
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    #[test]
    fn base64_is_the_standard_one_at_every_length() {
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 97 + len * 31) as u8).collect();
            let mut out = b"<".to_vec();
            write_base64(&mut out, &bytes);
            let expected = base64::engine::general_purpose::STANDARD.encode(&bytes);
            assert_eq!(&out[1..], expected.as_bytes(), "{len} bytes");
        }
        let all: Vec<u8> = (0..=255).collect();
        let mut out = Vec::new();
        write_base64(&mut out, &all);
        assert_eq!(
            out,
            base64::engine::general_purpose::STANDARD
                .encode(&all)
                .into_bytes()
        );
    }

    #[test]
    fn integers_print_as_itoa_prints_them() {
        let mut samples = vec![0, 1, -1, 9, 10, 99, 100, -100, i64::MAX, i64::MIN];
        samples.extend([i64::from(i32::MAX), i64::from(i32::MIN)]);
        let mut power = 1i64;
        while let Some(next) = power.checked_mul(10) {
            samples.extend([power - 1, power, power + 1, -power, -power + 1, -power - 1]);
            power = next;
        }
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            samples.push((x as i64) >> (x % 64));
        }
        for i in samples {
            let mut out = b"<".to_vec();
            write_int(&mut out, i);
            assert_eq!(&out[1..], itoa::Buffer::new().format(i).as_bytes());
        }
    }

    #[test]
    fn integral_doubles_print_as_ryu_prints_them() {
        let mut samples = vec![0.0, -0.0, 1.0, -1.0, 1.5e9, 1e15, 9.999_999_999_999_998e15];
        samples.extend([
            EXACT_INTEGERS - 1.0,
            -(EXACT_INTEGERS - 1.0),
            EXACT_INTEGERS,
        ]);
        samples.extend([1e16, 1e17, 123_456_789_012_345_680.0, 1e300, -2e22]);
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let bits = 1 + x % 64;
            let n = (x >> 11) as i64 >> (64 - bits.min(63));
            samples.push(n as f64);
        }
        for d in samples {
            for form in [DoubleForm::Shortest, DoubleForm::Decimal] {
                let mut out = Vec::new();
                write_double(&mut out, d, form);
                let mut expected = Vec::new();
                match form {
                    DoubleForm::Shortest => {
                        expected.extend_from_slice(ryu::Buffer::new().format_finite(d).as_bytes())
                    }
                    DoubleForm::Decimal => write_decimal(&mut expected, d),
                }
                assert_eq!(out, expected, "{d:?} {form:?}");
            }
        }
    }
}
