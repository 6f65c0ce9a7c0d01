//! ADTS (ISO 14496-3 §1.A.2): the self-framing AAC transport in `.aac` files and MPEG-TS.
//! Each frame carries a 7-byte header (9 with CRC) with its own length, so framing is
//! reading headers; the header's profile, rate and channels become the AudioSpecificConfig
//! the decoder wants.

use parallax_core::ElementError;

/// One ADTS frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct AdtsHeader {
    /// Header bytes (7, or 9 with a CRC).
    pub(super) header_len: usize,
    /// Whole frame, header included.
    pub(super) frame_len: usize,
    /// The two-byte AudioSpecificConfig equivalent of this header.
    pub(super) asc: [u8; 2],
}

/// Parses an ADTS header at the start of `d`; `Ok(None)` when more bytes are needed.
///
/// # Errors
///
/// [`ElementError`] (stream) naming `offset` when `d` does not start with a usable header.
pub(super) fn parse(d: &[u8], offset: u64) -> Result<Option<AdtsHeader>, ElementError> {
    let bad = |what: &str| ElementError::stream(format!("{what} at byte offset {offset}"));
    let Some(h) = d.get(..7) else {
        if d.is_empty() || (d[0] == 0xff && d.get(1).is_none_or(|b| b & 0xf6 == 0xf0)) {
            return Ok(None);
        }
        return Err(bad("no ADTS sync"));
    };
    if h[0] != 0xff || h[1] & 0xf6 != 0xf0 {
        return Err(bad("no ADTS sync"));
    }
    let protection_absent = h[1] & 1 != 0;
    let profile = h[2] >> 6; // object type - 1
    let rate_index = (h[2] >> 2) & 0x0f;
    let channels = (h[2] & 1) << 2 | h[3] >> 6;
    let frame_len = usize::from(h[3] & 3) << 11 | usize::from(h[4]) << 3 | usize::from(h[5] >> 5);
    let blocks = (h[6] & 3) + 1;
    let header_len = if protection_absent { 7 } else { 9 };
    if rate_index > 12 {
        return Err(bad("invalid ADTS sample rate index"));
    }
    if channels == 0 {
        return Err(bad(
            "ADTS channel configuration 0 (in-band PCE) is not supported",
        ));
    }
    if blocks != 1 {
        return Err(bad(
            "ADTS frames with several raw data blocks are not supported",
        ));
    }
    if frame_len <= header_len {
        return Err(bad("ADTS frame shorter than its header"));
    }
    let object_type = profile + 1;
    let asc = [
        object_type << 3 | rate_index >> 1,
        (rate_index & 1) << 7 | channels << 3,
    ];
    Ok(Some(AdtsHeader {
        header_len,
        frame_len,
        asc,
    }))
}

/// Parses the `codec_data` caps field (an AudioSpecificConfig) from hex text, as
/// GStreamer prints a buffer field (`codec_data=(buffer)1210` → `"1210"`).
///
/// # Errors
///
/// [`ElementError`] (settings) when the text is not an even run of hex digits.
pub(super) fn parse_hex(text: &str) -> Result<Vec<u8>, ElementError> {
    let bad = || ElementError::settings(format!("codec_data is not hex bytes: {text:?}"));
    if !text.len().is_multiple_of(2) || text.len() > 2 * 64 {
        return Err(bad());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_to_asc() {
        // AAC-LC, 44.1 kHz (index 4), stereo, frame of 0x100 bytes, no CRC.
        let h = [0xff, 0xf1, 0x50, 0x80, 0x20, 0x1f, 0xfc];
        let p = super::parse(&h, 0).unwrap().unwrap();
        assert_eq!((p.header_len, p.frame_len, p.asc), (7, 0x100, [0x12, 0x10]));
        assert_eq!(super::parse_hex("1210").unwrap(), vec![0x12, 0x10]);
        assert!(super::parse_hex("12g0").is_err());
        assert!(super::parse(b"RIFF....", 5).is_err());
    }
}
