//! The frame header: sync code, block size, sample rate, channel assignment, sample
//! size and the coded frame/sample number, checked by its CRC-8.

use super::crc::crc8;
use super::error::FrameError;
use super::streaminfo::StreamInfo;

/// How the channels of a frame are coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Assignment {
    /// Each channel on its own (1 to 8 channels).
    Independent,
    /// Left, then left minus right.
    LeftSide,
    /// Left minus right, then right.
    RightSide,
    /// (left + right) / 2, then left minus right.
    MidSide,
}

/// What a frame header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FrameHeader {
    pub(super) block_size: usize,
    pub(super) rate: u32,
    pub(super) channels: usize,
    pub(super) assignment: Assignment,
    pub(super) bits_per_sample: u32,
    /// Bytes of the header, CRC-8 included.
    pub(super) len: usize,
}

fn need(d: &[u8], at: usize) -> Result<u8, FrameError> {
    d.get(at).copied().ok_or(FrameError::Truncated)
}

/// Parses the frame header at the start of `d`; `info` supplies what the header leaves
/// to STREAMINFO (absent for a stream without one, e.g. FLAC in MP4).
pub(super) fn parse(d: &[u8], info: Option<&StreamInfo>) -> Result<FrameHeader, FrameError> {
    if need(d, 0)? != 0xff || need(d, 1)? & 0xfe != 0xf8 {
        return Err(FrameError::Corrupt("lost frame sync"));
    }
    let (b2, b3) = (need(d, 2)?, need(d, 3)?);
    let (bs_code, rate_code) = (b2 >> 4, b2 & 0x0f);
    let (chan_code, size_code) = (b3 >> 4, (b3 >> 1) & 0x07);
    if b3 & 1 != 0 {
        return Err(FrameError::Corrupt("reserved bit set in frame header"));
    }
    // The UTF-8-like coded frame or sample number: 1 to 7 bytes.
    let extra = match need(d, 4)?.leading_ones() {
        0 => 0,
        n @ 2..=7 => n as usize - 1,
        _ => return Err(FrameError::Corrupt("bad coded number in frame header")),
    };
    for i in 5..5 + extra {
        if need(d, i)? & 0xc0 != 0x80 {
            return Err(FrameError::Corrupt("bad coded number in frame header"));
        }
    }
    let mut at = 5 + extra;
    let mut tail = |n: usize| -> Result<usize, FrameError> {
        let mut v = 0usize;
        for _ in 0..n {
            v = v << 8 | usize::from(need(d, at)?);
            at += 1;
        }
        Ok(v)
    };
    let block_size = match bs_code {
        0 => return Err(FrameError::Corrupt("reserved block size in frame header")),
        1 => 192,
        2..=5 => 576 << (bs_code - 2),
        6 => tail(1)? + 1,
        7 => tail(2)? + 1,
        _ => 256 << (bs_code - 8),
    };
    let from_info = |what| info.ok_or(FrameError::Unsupported(what));
    let rate = match rate_code {
        0 => from_info("sample rate only in the missing STREAMINFO")?.rate,
        1 => 88_200,
        2 => 176_400,
        3 => 192_000,
        4 => 8_000,
        5 => 16_000,
        6 => 22_050,
        7 => 24_000,
        8 => 32_000,
        9 => 44_100,
        10 => 48_000,
        11 => 96_000,
        12 => tail(1)? as u32 * 1000,
        13 => tail(2)? as u32,
        14 => tail(2)? as u32 * 10,
        _ => return Err(FrameError::Corrupt("invalid sample rate in frame header")),
    };
    let (channels, assignment) = match chan_code {
        0..=7 => (usize::from(chan_code) + 1, Assignment::Independent),
        8 => (2, Assignment::LeftSide),
        9 => (2, Assignment::RightSide),
        10 => (2, Assignment::MidSide),
        _ => return Err(FrameError::Corrupt("reserved channel assignment")),
    };
    let bits_per_sample = match size_code {
        0 => from_info("sample size only in the missing STREAMINFO")?.bits_per_sample,
        1 => 8,
        2 => 12,
        4 => 16,
        5 => 20,
        6 => 24,
        7 => 32,
        _ => return Err(FrameError::Corrupt("reserved sample size in frame header")),
    };
    if crc8(&d[..at]) != need(d, at)? {
        return Err(FrameError::Corrupt("frame header CRC-8 mismatch"));
    }
    if rate == 0 {
        return Err(FrameError::Corrupt("sample rate 0 in frame header"));
    }
    Ok(FrameHeader {
        block_size,
        rate,
        channels,
        assignment,
        bits_per_sample,
        len: at + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::{Assignment, parse};
    use crate::flacdec::crc::crc8;
    use crate::flacdec::error::FrameError;

    fn with_crc(mut h: Vec<u8>) -> Vec<u8> {
        h.push(crc8(&h));
        h
    }

    #[test]
    fn parses_a_header_with_explicit_sizes() {
        // Block size 16-bit (4609), rate 16-bit Hz (11025), mid/side, 24 bits, frame 1.
        let h = with_crc(vec![0xff, 0xf8, 0x7d, 0xac, 0x01, 0x12, 0x00, 0x2b, 0x11]);
        let f = parse(&h, None).unwrap();
        assert_eq!(
            (f.block_size, f.rate, f.channels, f.bits_per_sample, f.len),
            (4609, 11025, 2, 24, 10)
        );
        assert_eq!(f.assignment, Assignment::MidSide);
        let mut bad = h.clone();
        bad[9] ^= 1;
        assert!(matches!(parse(&bad, None), Err(FrameError::Corrupt(_))));
        assert_eq!(parse(&h[..6], None), Err(FrameError::Truncated));
        // Rate from STREAMINFO without one.
        let h = with_crc(vec![0xff, 0xf8, 0xc0, 0x08, 0x00]);
        assert!(matches!(parse(&h, None), Err(FrameError::Unsupported(_))));
    }
}
