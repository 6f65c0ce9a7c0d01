//! The 44-byte RIFF/WAVE header.
//!
//! A key design decision: the header goes out before the first sample and is never
//! rewritten, because a streaming element cannot seek back in a file, a pipe or a socket.
//! The RIFF and data sizes are therefore written as 0xFFFFFFFF ("unknown, read to the
//! end"), which is exactly what FFmpeg writes when its WAV output is not seekable and
//! what FFmpeg, GStreamer's wavparse and SoX accept. Strict readers that trust the sizes
//! (some libraries check them against the file length) would need a rewritten header;
//! that is left to a later `filesink`-side fix-up.

use crate::util::audio::{AudioFormat, AudioInfo};

/// Size of what [`header`] returns.
pub(super) const HEADER_LEN: usize = 44;

/// Length written for the RIFF chunk and the data chunk: unknown.
pub(super) const UNKNOWN_LEN: u32 = u32::MAX;

/// WAVE_FORMAT_PCM and WAVE_FORMAT_IEEE_FLOAT.
const FORMAT_PCM: u16 = 1;
const FORMAT_FLOAT: u16 = 3;

/// The header for a stream of `info`; `None` when a field does not fit its 16 or 32 bits.
pub(super) fn header(info: &AudioInfo) -> Option<[u8; HEADER_LEN]> {
    let tag = match info.format {
        AudioFormat::F32le => FORMAT_FLOAT,
        AudioFormat::S16le | AudioFormat::S32le => FORMAT_PCM,
    };
    let channels = u16::try_from(info.channels).ok()?;
    let block_align = u16::try_from(info.frame_bytes()).ok()?;
    let byte_rate = info.rate.checked_mul(u32::from(block_align))?;
    let bits = u16::try_from(info.format.width() * 8).ok()?;
    let mut h = [0u8; HEADER_LEN];
    let fields: [&[u8]; 13] = [
        b"RIFF",
        &UNKNOWN_LEN.to_le_bytes(),
        b"WAVEfmt ",
        &16u32.to_le_bytes(),
        &tag.to_le_bytes(),
        &channels.to_le_bytes(),
        &info.rate.to_le_bytes(),
        &byte_rate.to_le_bytes(),
        &block_align.to_le_bytes(),
        &bits.to_le_bytes(),
        b"data",
        &UNKNOWN_LEN.to_le_bytes(),
        &[],
    ];
    let mut at = 0;
    for f in fields {
        h[at..at + f.len()].copy_from_slice(f);
        at += f.len();
    }
    (at == HEADER_LEN).then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cd_audio_header() {
        let info = AudioInfo {
            format: AudioFormat::S16le,
            rate: 44100,
            channels: 2,
        };
        let h = header(&info).expect("fits");
        assert_eq!(&h[..4], b"RIFF");
        assert_eq!(&h[8..16], b"WAVEfmt ");
        assert_eq!(u32::from_le_bytes([h[28], h[29], h[30], h[31]]), 176_400);
        assert_eq!(u16::from_le_bytes([h[32], h[33]]), 4);
        assert_eq!(&h[36..40], b"data");
    }
}
