//! The RIFF/WAVE header: chunks up to `data`, with `fmt ` describing the samples.
//! PCM (tag 1), IEEE float (tag 3) and WAVE_FORMAT_EXTENSIBLE of either are accepted.

use parallax_core::ElementError;

/// Headers (with `LIST`, `bext`, ... chunks before `data`) larger than this are refused.
pub(super) const MAX_HEADER: usize = 1024 * 1024;

/// How samples are stored in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    /// Unsigned 8-bit.
    U8,
    S16,
    S24,
    S32,
    F32,
    F64,
}

impl Encoding {
    pub(super) fn bytes(self) -> usize {
        match self {
            Encoding::U8 => 1,
            Encoding::S16 => 2,
            Encoding::S24 => 3,
            Encoding::S32 | Encoding::F32 => 4,
            Encoding::F64 => 8,
        }
    }
}

/// The parsed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct WavHeader {
    pub(super) encoding: Encoding,
    pub(super) rate: u32,
    pub(super) channels: usize,
    /// Bytes from the start of the file to the first sample.
    pub(super) data_start: usize,
    /// Bytes of samples (`None`: up to the end of the stream, as streaming writers leave it).
    pub(super) data_len: Option<u64>,
}

fn u16le(d: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([d[at], d[at + 1]])
}

fn u32le(d: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([d[at], d[at + 1], d[at + 2], d[at + 3]])
}

/// Parses the header at the start of `d`; `Ok(None)` when more bytes are needed.
///
/// # Errors
///
/// [`ElementError`] (stream) naming the byte offset of what is wrong.
pub(super) fn parse(d: &[u8]) -> Result<Option<WavHeader>, ElementError> {
    let bad = |at: usize, what: &str| ElementError::stream(format!("{what} at byte offset {at}"));
    let prefix = d.len().min(12);
    if !b"RIFF".starts_with(&d[..prefix.min(4)]) || (prefix >= 12 && &d[8..12] != b"WAVE") {
        return Err(bad(0, "not a RIFF/WAVE file"));
    }
    if d.len() < 12 {
        return Ok(None);
    }
    let mut at = 12;
    let mut fmt: Option<(Encoding, u32, usize)> = None;
    loop {
        if at > MAX_HEADER {
            return Err(bad(at, "no WAV data chunk within the header limit"));
        }
        let Some(h) = d.get(at..at + 8) else {
            return Ok(None);
        };
        let len = u32le(h, 4);
        let body = at + 8;
        if &h[..4] == b"data" {
            let (encoding, rate, channels) =
                fmt.ok_or_else(|| bad(at, "WAV data chunk before fmt"))?;
            let data_len = (len != 0 && len != u32::MAX).then_some(u64::from(len));
            return Ok(Some(WavHeader {
                encoding,
                rate,
                channels,
                data_start: body,
                data_len,
            }));
        }
        let len = len as usize;
        let next = body + len + (len & 1);
        if next > MAX_HEADER + 8 {
            return Err(bad(at, "WAV chunk before data is too large"));
        }
        if &h[..4] == b"fmt " {
            let Some(f) = d.get(body..body + len) else {
                return Ok(None);
            };
            fmt = Some(parse_fmt(f, body)?);
        }
        at = next;
    }
}

fn parse_fmt(f: &[u8], at: usize) -> Result<(Encoding, u32, usize), ElementError> {
    let bad = |what: String| ElementError::stream(format!("{what} at byte offset {at}"));
    if f.len() < 16 {
        return Err(bad("WAV fmt chunk too short".into()));
    }
    let mut tag = u16le(f, 0);
    let channels = usize::from(u16le(f, 2));
    let rate = u32le(f, 4);
    let block_align = usize::from(u16le(f, 12));
    let bits = u16le(f, 14);
    if tag == 0xfffe {
        // WAVE_FORMAT_EXTENSIBLE: the real tag is the start of the sub-format GUID.
        if f.len() < 40 {
            return Err(bad("WAVE_FORMAT_EXTENSIBLE fmt chunk too short".into()));
        }
        tag = u16le(f, 24);
    }
    let encoding = match (tag, bits) {
        (1, 8) => Encoding::U8,
        (1, 16) => Encoding::S16,
        (1, 24) => Encoding::S24,
        (1, 32) => Encoding::S32,
        (3, 32) => Encoding::F32,
        (3, 64) => Encoding::F64,
        _ => {
            return Err(bad(format!(
                "unsupported WAV format (tag {tag:#x}, {bits} bits)"
            )));
        }
    };
    if channels == 0 || block_align != channels * encoding.bytes() {
        return Err(bad(format!(
            "inconsistent WAV fmt: {channels} channels, block align {block_align}"
        )));
    }
    Ok((encoding, rate, channels))
}
