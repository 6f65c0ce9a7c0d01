//! Finds where one PNG file ends in a byte stream: the signature, then chunks up to and
//! including `IEND` (PNG 1.2 §5). Chunk CRCs are left to the decoder.
//!
//! A key design decision: the framer walks chunk headers only (12 bytes per chunk) and
//! remembers how far it got, so a picture arriving in many small pieces is scanned once.

use parallax_core::ElementError;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
/// PNG 1.2 §5.3: a chunk length is at most 2^31 - 1.
const MAX_CHUNK_LEN: u32 = 0x7fff_ffff;

/// Framing progress through the current picture.
#[derive(Debug, Default)]
pub(super) struct PngFramer {
    /// Bytes of the current picture already walked (signature plus whole chunks).
    scanned: usize,
    /// Width and height from `IHDR`, once seen.
    pub(super) size: Option<(u32, u32)>,
}

impl PngFramer {
    /// Length of the first complete PNG in `data`, `None` when more bytes are needed.
    /// `offset` is the stream offset of `data[0]`, for error messages.
    ///
    /// # Errors
    ///
    /// [`ElementError`] (stream) for a bad signature or a malformed chunk header.
    pub(super) fn next(&mut self, data: &[u8], offset: u64) -> Result<Option<usize>, ElementError> {
        if self.scanned == 0 {
            if data.len() < SIGNATURE.len() {
                return check_prefix(data, offset).map(|()| None);
            }
            check_prefix(&data[..SIGNATURE.len()], offset)?;
            self.scanned = SIGNATURE.len();
        }
        loop {
            let Some(header) = data.get(self.scanned..self.scanned + 8) else {
                return Ok(None);
            };
            let at = offset + self.scanned as u64;
            let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
            let kind = [header[4], header[5], header[6], header[7]];
            if len > MAX_CHUNK_LEN || !kind.iter().all(u8::is_ascii_alphabetic) {
                return Err(ElementError::stream(format!(
                    "malformed PNG chunk header at byte offset {at}"
                )));
            }
            if self.scanned == SIGNATURE.len() && &kind != b"IHDR" {
                return Err(ElementError::stream(format!(
                    "PNG does not start with IHDR (byte offset {at})"
                )));
            }
            let end = self.scanned + 12 + len as usize;
            if data.len() < end {
                return Ok(None);
            }
            if &kind == b"IHDR" && len >= 8 {
                let d = &data[self.scanned + 8..];
                self.size = Some((
                    u32::from_be_bytes([d[0], d[1], d[2], d[3]]),
                    u32::from_be_bytes([d[4], d[5], d[6], d[7]]),
                ));
            }
            self.scanned = end;
            if &kind == b"IEND" {
                return Ok(Some(end));
            }
        }
    }

    /// Starts over for the next picture.
    pub(super) fn reset(&mut self) {
        *self = PngFramer::default();
    }
}

fn check_prefix(data: &[u8], offset: u64) -> Result<(), ElementError> {
    if SIGNATURE.starts_with(data) {
        Ok(())
    } else {
        Err(ElementError::stream(format!(
            "not a PNG: no PNG signature at byte offset {offset}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::PngFramer;

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0; 4]);
        out
    }

    #[test]
    fn frames_byte_by_byte_and_reads_the_size() {
        let mut png = super::SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0]));
        png.extend(chunk(b"IDAT", &[1, 2, 3]));
        png.extend(chunk(b"IEND", &[]));
        let mut f = PngFramer::default();
        for end in 0..png.len() {
            assert_eq!(f.next(&png[..end], 0).unwrap(), None);
        }
        assert_eq!(f.next(&png, 0).unwrap(), Some(png.len()));
        assert_eq!(f.size, Some((3, 2)));
        assert!(PngFramer::default().next(b"GIF89a.......", 7).is_err());
    }
}
