//! `codec_data` in caps: codec configuration bytes (avcC, av1C, AudioSpecificConfig, ...)
//! carried as a lowercase hex string, since caps values have no byte-buffer type.
//! GStreamer prints the same field as `(buffer)<hex>`, so the text form matches.

/// Lowercase hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_pairs() {
        let bytes = [0x00, 0x01, 0xab, 0xff];
        assert_eq!(to_hex(&bytes), "0001abff");
    }
}
