//! Finds where one JPEG image ends in a byte stream by walking its markers (ITU T.81
//! Annex B): segments carry their length, entropy-coded data after SOS runs up to the
//! next marker that is not a stuffed `FF 00` or a restart marker, and `EOI` ends it.
//!
//! A key design decision: the walk keeps its position between calls, so an image that
//! arrives in many small pieces is scanned once; it also records the frame header
//! (size, components) so limits are checked before the decoder allocates anything.

use parallax_core::ElementError;

const SOI: u8 = 0xd8;
const EOI: u8 = 0xd9;
const SOS: u8 = 0xda;

/// Walk progress through the current image.
#[derive(Debug, Default)]
pub(super) struct JpegFramer {
    pos: usize,
    /// Inside entropy-coded data (after an SOS header).
    in_scan: bool,
    /// Width, height and component count from the SOF segment, once seen.
    pub(super) frame: Option<(u16, u16, u8)>,
}

fn is_sof(m: u8) -> bool {
    // SOF0..SOF15 without DHT (C4), JPG (C8) and DAC (CC).
    (0xc0..=0xcf).contains(&m) && !matches!(m, 0xc4 | 0xc8 | 0xcc)
}

impl JpegFramer {
    /// Length of the first complete JPEG in `data`, `None` when more bytes are needed.
    /// `offset` is the stream offset of `data[0]`, for error messages.
    ///
    /// # Errors
    ///
    /// [`ElementError`] (stream) when the bytes are not a marker structure.
    pub(super) fn next(&mut self, data: &[u8], offset: u64) -> Result<Option<usize>, ElementError> {
        let bad = |at: usize, what: &str| {
            ElementError::stream(format!("{what} at byte offset {}", offset + at as u64))
        };
        if self.pos == 0 {
            match data {
                [] | [0xff] => return Ok(None),
                [0xff, SOI, ..] => self.pos = 2,
                _ => return Err(bad(0, "not a JPEG: no start-of-image marker")),
            }
        }
        loop {
            if self.in_scan {
                // Find the next real marker after the entropy-coded data.
                let Some(i) = find_marker(data, self.pos) else {
                    // Keep a trailing FF for the next call: its marker byte is unknown yet.
                    self.pos = data.len().saturating_sub(1).max(self.pos);
                    return Ok(None);
                };
                self.pos = i;
                self.in_scan = false;
            }
            // Fill bytes (FF FF ...) may precede a marker.
            let mut at = self.pos;
            while data.get(at) == Some(&0xff) && data.get(at + 1) == Some(&0xff) {
                at += 1;
            }
            let (Some(&ff), Some(&m)) = (data.get(at), data.get(at + 1)) else {
                return Ok(None);
            };
            if ff != 0xff {
                return Err(bad(at, "expected a JPEG marker"));
            }
            match m {
                EOI => return Ok(Some(at + 2)),
                SOI | 0x00 => return Err(bad(at, "unexpected JPEG marker")),
                0xd0..=0xd7 | 0x01 => {
                    self.pos = at + 2;
                    continue;
                }
                _ => {}
            }
            let Some(len) = data.get(at + 2..at + 4) else {
                return Ok(None);
            };
            let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
            if len < 2 {
                return Err(bad(at, "JPEG segment shorter than its length field"));
            }
            let end = at + 2 + len;
            if data.len() < end {
                return Ok(None);
            }
            if is_sof(m) && self.frame.is_some() {
                // One frame per image outside hierarchical mode, which zune-jpeg does not
                // decode; a second header mid-image made zune-jpeg 0.5.15 index out of
                // bounds (found by the `jpegdec` fuzz target).
                return Err(bad(at, "second JPEG frame header (SOF) in one image"));
            }
            if is_sof(m) {
                if len < 8 {
                    return Err(bad(at, "JPEG frame header (SOF) too short"));
                }
                let s = &data[at + 4..];
                self.frame = Some((
                    u16::from_be_bytes([s[3], s[4]]),
                    u16::from_be_bytes([s[1], s[2]]),
                    s[5],
                ));
            }
            self.pos = end;
            self.in_scan = m == SOS;
        }
    }

    /// Starts over for the next image.
    pub(super) fn reset(&mut self) {
        *self = JpegFramer::default();
    }
}

/// Index of the first `FF xx` at or after `from` where `xx` starts a marker (not a
/// stuffed zero, a restart marker or fill).
fn find_marker(data: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(off) = find_ff(data.get(i..)?) {
        let at = i + off;
        match data.get(at + 1) {
            None => return None,
            Some(0x00 | 0xd0..=0xd7 | 0xff) => i = at + 1,
            Some(_) => return Some(at),
        }
    }
    None
}

/// The index of the first `FF` byte in `data`. Entropy-coded data is most of a JPEG and
/// has an `FF` only every few hundred bytes, so 32-byte blocks are tested whole first (a
/// test without an early exit, which LLVM vectorises; a byte-by-byte search was 3% of
/// decoding time).
fn find_ff(data: &[u8]) -> Option<usize> {
    let mut blocks = data.chunks_exact(32);
    let mut base = 0;
    for block in &mut blocks {
        if block.iter().fold(false, |any, &b| any | (b == 0xff)) {
            return block.iter().position(|&b| b == 0xff).map(|p| base + p);
        }
        base += 32;
    }
    blocks
        .remainder()
        .iter()
        .position(|&b| b == 0xff)
        .map(|p| base + p)
}

#[cfg(test)]
mod tests {
    use super::{JpegFramer, find_ff};

    #[test]
    fn finds_the_first_ff_in_and_across_blocks() {
        for len in [0usize, 1, 31, 32, 33, 64, 100] {
            for at in 0..len {
                let mut data = vec![0x12u8; len];
                data[at] = 0xff;
                if at + 40 < len {
                    data[at + 40] = 0xff;
                }
                assert_eq!(find_ff(&data), Some(at), "{len} {at}");
            }
            assert_eq!(find_ff(&vec![0u8; len]), None);
        }
    }

    #[test]
    fn frames_byte_by_byte_across_stuffing_and_restarts() {
        let mut jpeg = vec![0xff, 0xd8];
        jpeg.extend([0xff, 0xc0, 0, 11, 8, 0, 2, 0, 3, 1, 1, 0x11, 0]);
        jpeg.extend([0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0]);
        jpeg.extend([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xff]);
        jpeg.extend([0xff, 0xd9]);
        let mut f = JpegFramer::default();
        for end in 0..jpeg.len() {
            assert_eq!(f.next(&jpeg[..end], 0).unwrap(), None, "{end}");
        }
        assert_eq!(f.next(&jpeg, 0).unwrap(), Some(jpeg.len()));
        assert_eq!(f.frame, Some((3, 2, 1)));
        assert!(JpegFramer::default().next(b"\x89PNG", 0).is_err());
    }

    #[test]
    fn refuses_a_second_frame_header() {
        let mut jpeg = vec![0xff, 0xd8];
        jpeg.extend([0xff, 0xc0, 0, 11, 8, 0, 2, 0, 3, 1, 1, 0x11, 0]);
        jpeg.extend([0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0, 0x12]);
        let second = jpeg.len();
        jpeg.extend([0xff, 0xc6, 0, 11, 8, 0, 2, 0, 3, 1, 1, 0x11, 0]);
        jpeg.extend([0xff, 0xd9]);
        let err = JpegFramer::default()
            .next(&jpeg, 100)
            .unwrap_err()
            .to_string();
        assert!(err.contains("second JPEG frame header"), "{err}");
        assert!(
            err.contains(&format!("byte offset {}", 100 + second)),
            "{err}"
        );
    }
}
