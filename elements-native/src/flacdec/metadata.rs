//! The start of a FLAC stream: the `fLaC` marker and the metadata blocks up to the first
//! frame (STREAMINFO first; the others, such as tags and pictures, are skipped; the
//! bodies of pictures and padding are dropped unread as they arrive, whatever their size). A
//! stream that starts with a frame instead (FLAC in MP4 hands over bare frames) has no
//! header; its frames then carry rate and sample size themselves.

use parallax_core::ElementError;

/// What the next bytes of a stream's start hold.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// Not enough bytes yet to tell.
    NeedMore,
    /// `len` bytes of header (the marker or a metadata block), more header follows. A
    /// PICTURE or PADDING block may reach past the bytes given: its body is never read,
    /// so the caller drops the rest as it arrives.
    Used(usize),
    /// The header ends after `len` more bytes (which may reach past the bytes given, as
    /// for [`Step::Used`]); the stream's STREAMINFO block.
    Done { len: usize, streaminfo: [u8; 34] },
    /// A frame: the stream has no header.
    Headerless,
}

/// Reads a stream's start one piece at a time (the marker, then one metadata block), so
/// only one block is ever held, and the bodies of pictures and padding not even that.
#[derive(Debug, Default)]
pub(super) struct HeaderReader {
    marker: bool,
    blocks: usize,
    streaminfo: Option<[u8; 34]>,
}

/// Metadata block types whose bodies are skipped unread: PADDING and PICTURE (an
/// embedded cover can be up to 16 MiB).
const SKIPPED: [u8; 2] = [1, 6];

fn bad(offset: u64, at: usize, what: &str) -> ElementError {
    ElementError::stream(format!("{what} at byte offset {}", offset + at as u64))
}

impl HeaderReader {
    /// Reads the next piece of the stream start in `d` (at stream offset `offset`;
    /// `eos` when no more bytes will come).
    ///
    /// # Errors
    ///
    /// [`ElementError`] (stream) for a missing `fLaC` marker, a bad or truncated
    /// metadata block.
    pub(super) fn next(&mut self, d: &[u8], offset: u64, eos: bool) -> Result<Step, ElementError> {
        let need_more = || {
            if eos {
                Err(bad(offset, d.len(), "truncated FLAC header"))
            } else {
                Ok(Step::NeedMore)
            }
        };
        if !self.marker {
            if let [0xff, b, ..] = d
                && b & 0xfe == 0xf8
            {
                return Ok(Step::Headerless);
            }
            if d.len() < 4 {
                return if b"fLaC".starts_with(d) || d == [0xff] {
                    need_more()
                } else {
                    Err(bad(offset, 0, "not a FLAC stream: no fLaC marker"))
                };
            }
            if &d[..4] != b"fLaC" {
                return Err(bad(offset, 0, "not a FLAC stream: no fLaC marker"));
            }
            self.marker = true;
            return Ok(Step::Used(4));
        }
        let Some(h) = d.get(..4) else {
            return need_more();
        };
        let (last, kind) = (h[0] & 0x80 != 0, h[0] & 0x7f);
        let len = 4 + (usize::from(h[1]) << 16 | usize::from(h[2]) << 8 | usize::from(h[3]));
        if self.blocks == 0 && (kind != 0 || len != 4 + 34) {
            return Err(bad(offset, 0, "FLAC stream does not start with STREAMINFO"));
        }
        if kind == 127 {
            return Err(bad(offset, 0, "invalid FLAC metadata block type"));
        }
        if !SKIPPED.contains(&kind) {
            let Some(block) = d.get(4..len) else {
                return need_more();
            };
            if kind == 0 {
                let mut si = [0u8; 34];
                si.copy_from_slice(
                    block
                        .get(..34)
                        .ok_or_else(|| bad(offset, 0, "short STREAMINFO"))?,
                );
                self.streaminfo = Some(si);
            }
        }
        self.blocks += 1;
        if !last {
            return Ok(Step::Used(len));
        }
        let streaminfo = self
            .streaminfo
            .ok_or_else(|| bad(offset, 0, "no FLAC STREAMINFO"))?;
        Ok(Step::Done { len, streaminfo })
    }
}

#[cfg(test)]
mod tests {
    use super::{HeaderReader, Step};

    /// Every step of reading `s` from its start, each given the rest of `s` (cut to
    /// `window` bytes).
    fn steps(s: &[u8], window: usize) -> Vec<Step> {
        let mut reader = HeaderReader::default();
        let mut at = 0;
        let mut out = Vec::new();
        loop {
            let d = &s[at.min(s.len())..s.len().min(at + window)];
            let step = reader.next(d, at as u64, false).unwrap();
            match step {
                Step::Used(n) => at += n,
                Step::Done { len, .. } => at += len,
                _ => {}
            }
            let end = !matches!(step, Step::Used(_));
            out.push(step);
            if end {
                return out;
            }
        }
    }

    #[test]
    fn reads_the_header_block_by_block_or_finds_a_bare_frame() {
        let mut s = b"fLaC".to_vec();
        s.extend_from_slice(&[0x00, 0, 0, 34]);
        s.extend_from_slice(&[7; 34]);
        // A 1000-byte PICTURE: only its 4-byte header is needed.
        s.extend_from_slice(&[0x06, 0, 0x03, 0xe8]);
        s.extend_from_slice(&[9; 1000]);
        s.extend_from_slice(&[0x84, 0, 0, 2, 1, 2]);
        s.extend_from_slice(&[0xff, 0xf8]);
        let done = Step::Done {
            len: 6,
            streaminfo: [7; 34],
        };
        assert_eq!(
            steps(&s, 50),
            [Step::Used(4), Step::Used(38), Step::Used(1004), done]
        );
        // A VORBIS_COMMENT block is held whole before it is passed.
        assert_eq!(steps(&s[..1050], 1050).last(), Some(&Step::NeedMore));
        let mut reader = HeaderReader::default();
        assert_eq!(reader.next(&s[..20], 0, false).unwrap(), Step::Used(4));
        assert_eq!(reader.next(&s[4..20], 4, false).unwrap(), Step::NeedMore);
        assert!(reader.next(&s[4..20], 4, true).is_err());
        assert_eq!(
            HeaderReader::default()
                .next(&[0xff, 0xf8], 48, false)
                .unwrap(),
            Step::Headerless
        );
        let err = HeaderReader::default()
            .next(b"RIFF1234", 100, false)
            .unwrap_err();
        assert!(err.to_string().contains("byte offset 100"), "{err}");
    }
}
