//! Cuts an MPEG-1/2/2.5 Layer III byte stream into frames: ID3v2 tags are skipped (the
//! caller drops a tag's rest as it arrives when it is longer than what is queued), each
//! frame header gives the frame's length, and junk between frames is skipped up to a
//! limit (then it is an error, so random data does not decode as silence).
//!
//! A key design decision: sync is only trusted when the header after the candidate is
//! valid too (or the stream ends there), as mpg123 does; a lone `FF Ex` inside junk
//! does not start a frame.

use parallax_core::ElementError;

/// Junk tolerated before a frame (a broken tag, stray bytes) before giving up.
pub(super) const MAX_JUNK: usize = 64 * 1024;

/// One Layer III frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Header {
    /// MPEG-1 (true) or MPEG-2/2.5 (false).
    pub(super) mpeg1: bool,
    pub(super) rate: u32,
    pub(super) channels: usize,
    pub(super) len: usize,
    pub(super) crc: bool,
}

impl Header {
    /// Samples per channel in one frame.
    pub(super) fn samples(&self) -> u64 {
        if self.mpeg1 { 1152 } else { 576 }
    }

    /// Bytes of side information after the header (and its CRC).
    fn side_info(&self) -> usize {
        match (self.mpeg1, self.channels) {
            (true, 1) => 17,
            (true, _) => 32,
            (false, 1) => 9,
            (false, _) => 17,
        }
    }
}

/// Parses a Layer III frame header at the start of `d`.
pub(super) fn parse_header(d: &[u8]) -> Option<Header> {
    let h = d.get(..4)?;
    if h[0] != 0xff || h[1] & 0xe0 != 0xe0 {
        return None;
    }
    let version = (h[1] >> 3) & 3; // 0: 2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
    let layer = (h[1] >> 1) & 3; // 1: Layer III
    let bitrate_index = usize::from(h[2] >> 4);
    let rate_index = usize::from((h[2] >> 2) & 3);
    if version == 1 || layer != 1 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    const V1: [u32; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const V2: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let mpeg1 = version == 3;
    let kbps = if mpeg1 { V1 } else { V2 }[bitrate_index];
    let base = [44100, 48000, 32000][rate_index];
    let rate = match version {
        3 => base,
        2 => base / 2,
        _ => base / 4,
    };
    let padding = usize::from((h[2] >> 1) & 1);
    let coeff = if mpeg1 { 144 } else { 72 };
    let len = (coeff * kbps * 1000 / rate) as usize + padding;
    let channels = if h[3] >> 6 == 3 { 1 } else { 2 };
    Some(Header {
        mpeg1,
        rate,
        channels,
        len,
        crc: h[1] & 1 == 0,
    })
}

/// Gapless information from a Xing/Info frame with a LAME tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Gapless {
    /// Audio frames in the file (the Info frame excluded), if given.
    pub(super) frames: Option<u64>,
    pub(super) delay: u64,
    pub(super) padding: u64,
}

/// Whether `frame` (a whole frame) is a Xing/Info frame, which holds no audio; with its
/// LAME encoder delay and padding if present.
pub(super) fn xing(frame: &[u8], h: &Header) -> Option<Gapless> {
    let at = 4 + usize::from(h.crc) * 2 + h.side_info();
    let tag = frame.get(at..at + 8)?;
    if &tag[..4] != b"Xing" && &tag[..4] != b"Info" {
        return None;
    }
    let flags = u32::from_be_bytes([tag[4], tag[5], tag[6], tag[7]]);
    let mut p = at + 8;
    let mut frames = None;
    if flags & 1 != 0 {
        let f = frame.get(p..p + 4)?;
        frames = Some(u64::from(u32::from_be_bytes([f[0], f[1], f[2], f[3]])));
        p += 4;
    }
    p += [0, 4][usize::from(flags & 2 != 0)] + [0, 100][usize::from(flags & 4 != 0)];
    p += [0, 4][usize::from(flags & 8 != 0)];
    // LAME tag: 9-byte encoder string, then delay/padding 12 bits each at +21.
    let (delay, padding) = match frame.get(p..p + 24) {
        Some(l) if &l[..4] == b"LAME" || &l[..4] == b"Lavc" || &l[..4] == b"Lavf" => {
            let d = &l[21..24];
            (
                u64::from(d[0]) << 4 | u64::from(d[1] >> 4),
                u64::from(d[1] & 0x0f) << 8 | u64::from(d[2]),
            )
        }
        _ => (0, 0),
    };
    Some(Gapless {
        frames,
        delay,
        padding,
    })
}

/// What comes next in the stream.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Next {
    /// `skip` bytes of tag or junk, then (if `Some`) a frame of that header.
    Frame { skip: usize, header: Header },
    /// Skip bytes (a tag, possibly past the end of `d`) and look again.
    Skip(usize),
    /// More bytes are needed.
    NeedMore,
}

/// Finds the next frame in `d` (stream offset `offset`); `eos` when no more bytes come.
///
/// # Errors
///
/// [`ElementError`] (stream) when more than [`MAX_JUNK`] bytes hold no frame.
pub(super) fn next(d: &[u8], offset: u64, eos: bool) -> Result<Next, ElementError> {
    match crate::util::id3v2::tag_len(d) {
        Some(Some(len)) => return Ok(Next::Skip(len)),
        Some(None) if !eos => return Ok(Next::NeedMore),
        _ => {}
    }
    let mut i = 0;
    while i < d.len() {
        if i > MAX_JUNK {
            break;
        }
        let Some(pos) = d[i..].iter().position(|&b| b == 0xff) else {
            i = d.len();
            break;
        };
        let at = i + pos;
        if at > MAX_JUNK {
            break;
        }
        if d.len() - at < 4 && !eos {
            return Ok(Next::NeedMore);
        }
        if let Some(h) = parse_header(&d[at..]) {
            let follow = at + h.len;
            // Confirm with the next header, unless the stream ends right after.
            // A tag after the frame (ID3v1 or APE at the end, ID3v2 between files)
            // confirms it as well: otherwise the last frame of a tagged file is lost.
            let confirmed = match d.get(follow..follow + 4) {
                Some(n) if n.starts_with(b"TAG") || n.starts_with(b"ID3") || n == b"APET" => true,
                Some(n) => parse_header(n).is_some_and(|n| n.rate == h.rate && n.mpeg1 == h.mpeg1),
                None if eos => d.len() >= follow || at == 0,
                None if at == 0 && d.len() >= follow && d.len() - follow < 4 => {
                    return Ok(Next::NeedMore);
                }
                None => return Ok(Next::NeedMore),
            };
            if confirmed {
                return Ok(Next::Frame {
                    skip: at,
                    header: h,
                });
            }
        }
        i = at + 1;
    }
    if i > MAX_JUNK {
        return Err(ElementError::stream(format!(
            "no MPEG audio frame within {MAX_JUNK} bytes at byte offset {offset}"
        )));
    }
    if eos {
        return Ok(Next::Skip(d.len()));
    }
    Ok(Next::NeedMore)
}
