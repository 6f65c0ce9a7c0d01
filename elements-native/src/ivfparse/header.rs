//! The IVF file and frame headers (all little endian).
//!
//! File: `DKIF`, version (u16), header length (u16), fourcc, width (u16), height (u16),
//! rate (u32), scale (u32), frame count (u32), unused (u32). Frame: size (u32), then a
//! timestamp (u64) in units of scale/rate seconds.

use parallax_core::ElementError;

pub(super) const FILE_HEADER_LEN: usize = 32;
pub(super) const FRAME_HEADER_LEN: usize = 12;
/// Largest temporal unit accepted; a bigger size field means a corrupt file, and is
/// refused instead of buffered.
pub(super) const MAX_FRAME_LEN: usize = 64 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileHeader {
    pub(super) fourcc: [u8; 4],
    /// Bytes from the file start to the first frame header (at least 32).
    pub(super) header_len: usize,
    pub(super) width: u16,
    pub(super) height: u16,
    /// Ticks per second.
    pub(super) rate: u32,
    /// Ticks per frame timestamp unit.
    pub(super) scale: u32,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses the first 32 bytes of a file.
///
/// # Errors
///
/// [`ElementError`] (stream) without the `DKIF` signature or with a zero rate or scale.
pub(super) fn file_header(b: &[u8; FILE_HEADER_LEN]) -> Result<FileHeader, ElementError> {
    if &b[0..4] != b"DKIF" {
        return Err(ElementError::stream(format!(
            "not an IVF file: byte offset 0 holds {:02x?}, not \"DKIF\"",
            &b[0..4]
        )));
    }
    let header = FileHeader {
        fourcc: [b[8], b[9], b[10], b[11]],
        header_len: usize::from(u16_at(b, 6)).max(FILE_HEADER_LEN),
        width: u16_at(b, 12),
        height: u16_at(b, 14),
        rate: u32_at(b, 16),
        scale: u32_at(b, 20),
    };
    if header.rate == 0 || header.scale == 0 {
        return Err(ElementError::stream(format!(
            "IVF header at byte offset 16: time base {}/{} has a zero",
            header.scale, header.rate
        )));
    }
    Ok(header)
}

/// Parses a frame header: `(size, timestamp)`.
pub(super) fn frame_header(b: &[u8; FRAME_HEADER_LEN]) -> (usize, u64) {
    let size = u32_at(b, 0) as usize;
    let ts = u64::from_le_bytes([b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11]]);
    (size, ts)
}

impl FileHeader {
    /// A timestamp in ticks as nanoseconds (saturating; `None` on overflow).
    pub(super) fn nanos(&self, ticks: u64) -> Option<u64> {
        let ns = u128::from(ticks) * u128::from(self.scale) * 1_000_000_000 / u128::from(self.rate);
        u64::try_from(ns).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headers_and_refuses_others() {
        let mut h = [0u8; FILE_HEADER_LEN];
        h[0..4].copy_from_slice(b"DKIF");
        h[6] = 32;
        h[8..12].copy_from_slice(b"AV01");
        h[12] = 64;
        h[14] = 48;
        h[16] = 30;
        h[20] = 1;
        let parsed = file_header(&h).unwrap();
        assert_eq!(
            (parsed.width, parsed.height, parsed.rate, parsed.scale),
            (64, 48, 30, 1)
        );
        assert_eq!(parsed.nanos(3), Some(100_000_000));
        h[16] = 0;
        assert!(file_header(&h).unwrap_err().message.contains("zero"));
        h[0] = b'X';
        assert!(
            file_header(&h)
                .unwrap_err()
                .message
                .contains("not an IVF file")
        );
        let mut f = [0u8; FRAME_HEADER_LEN];
        f[0] = 5;
        f[4] = 7;
        assert_eq!(frame_header(&f), (5, 7));
    }
}
