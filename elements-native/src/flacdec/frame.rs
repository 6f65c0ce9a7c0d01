//! Decodes one frame: header, one subframe per channel, padding and the CRC-16 over the
//! whole frame; the frame's end is found by decoding it (a frame does not carry its
//! length), so no sync search over the audio data is needed.

use super::bits::BitReader;
use super::crc::crc16;
use super::error::FrameError;
use super::header::{self, Assignment, FrameHeader};
use super::output;
use super::streaminfo::StreamInfo;
use super::subframe;
use crate::util::audio_out::SampleFormat;

/// The decoder's state: STREAMINFO, if the stream has one, and the samples of the last
/// frame, one buffer per channel (at most 8 x 65536 samples).
#[derive(Debug, Default)]
pub(super) struct FrameDecoder {
    info: Option<StreamInfo>,
    chans: Vec<Vec<i32>>,
    last: Option<FrameHeader>,
}

impl FrameDecoder {
    pub(super) fn new(info: Option<StreamInfo>) -> Self {
        FrameDecoder {
            info,
            chans: Vec::new(),
            last: None,
        }
    }

    /// Decodes the frame at the start of `data` (which may hold more after it) and
    /// returns its header and its length in bytes.
    pub(super) fn decode(&mut self, data: &[u8]) -> Result<(FrameHeader, usize), FrameError> {
        self.last = None;
        let h = header::parse(data, self.info.as_ref())?;
        if self.chans.len() < h.channels {
            self.chans.resize_with(h.channels, Vec::new);
        }
        let body = data.get(h.len..).ok_or(FrameError::Truncated)?;
        let mut r = BitReader::new(body);
        for (c, chan) in self.chans[..h.channels].iter_mut().enumerate() {
            let side = match h.assignment {
                Assignment::Independent => false,
                Assignment::LeftSide | Assignment::MidSide => c == 1,
                Assignment::RightSide => c == 0,
            };
            if chan.len() < h.block_size {
                chan.resize(h.block_size, 0);
            }
            subframe::decode(
                &mut r,
                h.bits_per_sample + u32::from(side),
                &mut chan[..h.block_size],
            )?;
        }
        r.align();
        let end = h.len + r.byte_pos();
        let crc = data.get(end..end + 2).ok_or(FrameError::Truncated)?;
        if crc16(&data[..end]) != u16::from_be_bytes([crc[0], crc[1]]) {
            return Err(FrameError::Corrupt("frame CRC-16 mismatch"));
        }
        self.last = Some(h);
        Ok((h, end + 2))
    }

    /// Writes the last decoded frame interleaved into `dst` (block size x channels
    /// samples of `format`).
    pub(super) fn write(&self, format: SampleFormat, dst: &mut [u8]) {
        if let Some(h) = self.last {
            output::write(
                &self.chans[..h.channels],
                h.block_size,
                h.assignment,
                h.bits_per_sample,
                format,
                dst,
            );
        }
    }
}
