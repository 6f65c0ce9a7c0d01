//! The start of a FLAC stream: the `fLaC` marker and the metadata blocks up to the first
//! frame (STREAMINFO first; the others, such as tags and pictures, are skipped). A
//! stream that starts with a frame instead (FLAC in MP4 hands over bare frames) has no
//! header; its frames then carry rate and sample size themselves.

use parallax_core::ElementError;

/// What the front of a stream holds.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Start {
    /// Not enough bytes yet to tell.
    NeedMore,
    /// The stream header, `len` bytes up to the first frame, with the STREAMINFO block.
    Header { len: usize, streaminfo: [u8; 34] },
    /// A frame: the stream has no header.
    Headerless,
}

fn bad(offset: u64, at: usize, what: &str) -> ElementError {
    ElementError::stream(format!("{what} at byte offset {}", offset + at as u64))
}

/// Reads the stream start in `d` (at stream offset `offset`; `eos` when no more bytes
/// will come).
///
/// # Errors
///
/// [`ElementError`] (stream) for a missing `fLaC` marker, a bad or truncated metadata
/// block.
pub(super) fn stream_start(d: &[u8], offset: u64, eos: bool) -> Result<Start, ElementError> {
    let need_more = || {
        if eos {
            Err(bad(offset, d.len(), "truncated FLAC header"))
        } else {
            Ok(Start::NeedMore)
        }
    };
    if let [0xff, b, ..] = d
        && b & 0xfe == 0xf8
    {
        return Ok(Start::Headerless);
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
    let mut at = 4;
    let mut streaminfo = None;
    loop {
        let Some(h) = d.get(at..at + 4) else {
            return need_more();
        };
        let (last, kind) = (h[0] & 0x80 != 0, h[0] & 0x7f);
        let len = usize::from(h[1]) << 16 | usize::from(h[2]) << 8 | usize::from(h[3]);
        if at == 4 && (kind != 0 || len != 34) {
            return Err(bad(
                offset,
                at,
                "FLAC stream does not start with STREAMINFO",
            ));
        }
        if kind == 127 {
            return Err(bad(offset, at, "invalid FLAC metadata block type"));
        }
        let end = at + 4 + len;
        let Some(block) = d.get(at + 4..end) else {
            return need_more();
        };
        if kind == 0 {
            let mut si = [0u8; 34];
            si.copy_from_slice(
                block
                    .get(..34)
                    .ok_or_else(|| bad(offset, at, "short STREAMINFO"))?,
            );
            streaminfo = Some(si);
        }
        at = end;
        if last {
            break;
        }
    }
    let streaminfo = streaminfo.ok_or_else(|| bad(offset, 4, "no FLAC STREAMINFO"))?;
    Ok(Start::Header {
        len: at,
        streaminfo,
    })
}

#[cfg(test)]
mod tests {
    use super::{Start, stream_start};

    #[test]
    fn finds_the_header_or_a_bare_frame() {
        let mut s = b"fLaC".to_vec();
        s.extend_from_slice(&[0x00, 0, 0, 34]);
        s.extend_from_slice(&[7; 34]);
        s.extend_from_slice(&[0x84, 0, 0, 2, 1, 2]);
        s.extend_from_slice(&[0xff, 0xf8]);
        assert_eq!(stream_start(&s[..20], 0, false).unwrap(), Start::NeedMore);
        assert!(stream_start(&s[..20], 0, true).is_err());
        assert_eq!(
            stream_start(&s, 0, false).unwrap(),
            Start::Header {
                len: 48,
                streaminfo: [7; 34]
            }
        );
        assert_eq!(
            stream_start(&s[48..], 48, false).unwrap(),
            Start::Headerless
        );
        let err = stream_start(b"RIFF1234", 100, false).unwrap_err();
        assert!(err.to_string().contains("byte offset 100"), "{err}");
    }
}
