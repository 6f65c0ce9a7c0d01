//! Cuts a FLAC byte stream into the `fLaC` header (with STREAMINFO) and frames.
//!
//! A FLAC frame does not carry its length, so a frame ends where the next one starts:
//! a sync code whose header passes its CRC-8, confirmed by the CRC-16 of the bytes in
//! between (as libFLAC and FFmpeg's parser do). A key design decision: the search
//! resumes where the last call stopped, so a frame arriving in small pieces is scanned
//! once; false sync codes inside audio data cost one CRC-16 each.

use parallax_core::ElementError;

use super::crc::{crc8, crc16};

/// What the framer found at the front of the data.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Unit {
    /// The stream header up to the first frame; the 34-byte STREAMINFO is inside.
    Header { len: usize, streaminfo: [u8; 34] },
    /// One frame of `len` bytes.
    Frame { len: usize },
}

/// Framing state.
#[derive(Debug, Default)]
pub(super) struct FlacFramer {
    header_done: bool,
    /// Where the search for the next frame's start resumes (relative to the data).
    search: usize,
}

fn bad(offset: u64, at: usize, what: &str) -> ElementError {
    ElementError::stream(format!("{what} at byte offset {}", offset + at as u64))
}

/// Length of a valid frame header at the start of `d`, `None` if `d` does not start one
/// (or is too short to tell).
pub(super) fn frame_header_len(d: &[u8]) -> Option<usize> {
    if d.len() < 6 || d[0] != 0xff || d[1] & 0xfe != 0xf8 {
        return None;
    }
    let (bs, sr) = (d[2] >> 4, d[2] & 0x0f);
    let (chan, size) = (d[3] >> 4, (d[3] >> 1) & 0x07);
    if bs == 0 || sr == 0x0f || chan > 10 || size == 3 || d[3] & 1 != 0 {
        return None;
    }
    // The UTF-8-like coded frame or sample number: 1 to 7 bytes.
    let first = d[4];
    let extra = match first.leading_ones() {
        0 => 0,
        n @ 2..=7 => n as usize - 1,
        _ => return None,
    };
    let mut at = 5 + extra;
    if d.get(5..at)?.iter().any(|b| b & 0xc0 != 0x80) {
        return None;
    }
    at += match bs {
        6 => 1,
        7 => 2,
        _ => 0,
    };
    at += match sr {
        12 => 1,
        13 | 14 => 2,
        _ => 0,
    };
    (crc8(d.get(..at)?) == *d.get(at)?).then_some(at + 1)
}

impl FlacFramer {
    /// The next unit at the front of `data` (stream offset `offset`); `None` when more
    /// bytes are needed. At end of stream pass `eos`, and the rest is the last frame.
    ///
    /// # Errors
    ///
    /// [`ElementError`] (stream) for a missing `fLaC` marker, a bad metadata block or a
    /// frame that fails its checks.
    pub(super) fn next(
        &mut self,
        data: &[u8],
        offset: u64,
        eos: bool,
    ) -> Result<Option<Unit>, ElementError> {
        if !self.header_done {
            return self.header(data, offset, eos);
        }
        if data.is_empty() {
            return Ok(None);
        }
        if frame_header_len(data).is_none() {
            if data.len() < 16 && !eos {
                return Ok(None);
            }
            return Err(bad(offset, 0, "lost FLAC frame sync"));
        }
        let mut i = self.search.max(2);
        while i + 1 < data.len() {
            let Some(pos) = data[i..]
                .windows(2)
                .position(|w| w[0] == 0xff && w[1] & 0xfe == 0xf8)
            else {
                i = data.len() - 1;
                break;
            };
            let at = i + pos;
            if data.len() - at < 16 && !eos {
                // Too little after the candidate to check its header yet.
                self.search = at;
                return Ok(None);
            }
            if frame_header_len(&data[at..]).is_some() && frame_checks(&data[..at]) {
                self.search = 0;
                return Ok(Some(Unit::Frame { len: at }));
            }
            i = at + 1;
        }
        self.search = i;
        if eos {
            if frame_checks(data) {
                self.search = 0;
                return Ok(Some(Unit::Frame { len: data.len() }));
            }
            return Err(bad(offset, 0, "truncated or corrupt last FLAC frame"));
        }
        Ok(None)
    }

    fn header(&mut self, d: &[u8], offset: u64, eos: bool) -> Result<Option<Unit>, ElementError> {
        let need_more = |eos| {
            if eos {
                Err(bad(offset, d.len(), "truncated FLAC header"))
            } else {
                Ok(None)
            }
        };
        if d.len() < 4 {
            return if b"fLaC".starts_with(d) {
                need_more(eos)
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
                return need_more(eos);
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
                return need_more(eos);
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
        self.header_done = true;
        Ok(Some(Unit::Header {
            len: at,
            streaminfo,
        }))
    }

    /// Starts over (a flush).
    pub(super) fn reset(&mut self) {
        *self = FlacFramer::default();
    }
}

/// Whether `frame` ends in the CRC-16 of the rest of it.
fn frame_checks(frame: &[u8]) -> bool {
    frame.len() >= 8 && {
        let (body, crc) = frame.split_at(frame.len() - 2);
        crc16(body) == u16::from_be_bytes([crc[0], crc[1]])
    }
}
