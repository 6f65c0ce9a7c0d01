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
    /// The side channel of a 32-bit stereo frame, which needs 33 bits.
    wide: Vec<i64>,
    /// The last frame's header, with the channel coding its samples now have.
    last: Option<FrameHeader>,
}

impl FrameDecoder {
    pub(super) fn new(info: Option<StreamInfo>) -> Self {
        FrameDecoder {
            info,
            chans: Vec::new(),
            wide: Vec::new(),
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
        let mut wide_side = None;
        for (c, chan) in self.chans[..h.channels].iter_mut().enumerate() {
            let side = match h.assignment {
                Assignment::Independent => false,
                Assignment::LeftSide | Assignment::MidSide => c == 1,
                Assignment::RightSide => c == 0,
            };
            if chan.len() < h.block_size {
                chan.resize(h.block_size, 0);
            }
            let bits = h.bits_per_sample + u32::from(side);
            if bits > 32 {
                self.wide.resize(h.block_size, 0);
                subframe::decode_wide(&mut r, bits, &mut self.wide)?;
                wide_side = Some(c);
            } else {
                subframe::decode(&mut r, bits, &mut chan[..h.block_size])?;
            }
        }
        r.align();
        let end = h.len + r.byte_pos();
        let crc = data.get(end..end + 2).ok_or(FrameError::Truncated)?;
        if crc16(&data[..end]) != u16::from_be_bytes([crc[0], crc[1]]) {
            return Err(FrameError::Corrupt("frame CRC-16 mismatch"));
        }
        let mut coded = h;
        if let Some(c) = wide_side {
            self.undo_wide_side(c, &mut coded);
        }
        self.last = Some(coded);
        Ok((h, end + 2))
    }

    /// Folds a 33-bit side channel back into 32-bit samples. Left/side and right/side
    /// decorrelate by one addition, exact modulo 2^32 when the result fits in 32 bits,
    /// so the side channel is kept modulo 2^32; mid/side is undone here in i64 and the
    /// frame becomes independent channels.
    fn undo_wide_side(&mut self, c: usize, h: &mut FrameHeader) {
        let n = h.block_size;
        if c >= 2 || self.chans.len() < 2 || self.wide.len() < n {
            return;
        }
        let (first, rest) = self.chans.split_at_mut(1);
        let (a, b) = (&mut first[0][..n], &mut rest[0][..n]);
        if h.assignment == Assignment::MidSide {
            for ((m, r), &s) in a.iter_mut().zip(b.iter_mut()).zip(&self.wide) {
                let mid = i64::from(*m) << 1 | (s & 1);
                *m = (mid.wrapping_add(s) >> 1) as i32;
                *r = (mid.wrapping_sub(s) >> 1) as i32;
            }
            h.assignment = Assignment::Independent;
        } else {
            let side = if c == 0 { a } else { b };
            for (d, &s) in side.iter_mut().zip(&self.wide) {
                *d = s as i32;
            }
        }
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

#[cfg(test)]
mod tests {
    use super::FrameDecoder;
    use crate::flacdec::bits::BitReader;
    use crate::flacdec::crc::{crc8, crc16};
    use crate::util::audio_out::SampleFormat;

    /// Bits, most significant first.
    struct Bits(Vec<bool>);

    impl Bits {
        fn put(&mut self, n: u32, v: i64) {
            for i in (0..n).rev() {
                self.0.push((v >> i) & 1 == 1);
            }
        }

        fn bytes(&self) -> Vec<u8> {
            self.0
                .chunks(8)
                .map(|c| {
                    c.iter()
                        .enumerate()
                        .fold(0u8, |b, (i, &x)| b | u8::from(x) << (7 - i))
                })
                .collect()
        }
    }

    /// A frame of VERBATIM subframes: `chan_code` (0..=10), `size_code` and the bits
    /// per sample of each subframe.
    fn frame(chan_code: u8, size_code: u8, chans: &[(u32, Vec<i64>)]) -> Vec<u8> {
        let n = chans[0].1.len();
        let mut h = vec![
            0xff,
            0xf8,
            0x69,
            chan_code << 4 | size_code << 1,
            0x00,
            (n - 1) as u8,
        ];
        h.push(crc8(&h));
        let mut b = Bits(Vec::new());
        for (bits, samples) in chans {
            b.put(8, 0b0000_0010);
            for &s in samples {
                b.put(*bits, s);
            }
        }
        while !b.0.len().is_multiple_of(8) {
            b.0.push(false);
        }
        h.extend(b.bytes());
        let crc = crc16(&h);
        h.extend(crc.to_be_bytes());
        h
    }

    fn decode(f: &[u8], format: SampleFormat, samples: usize) -> Vec<u8> {
        let mut d = FrameDecoder::new(None);
        let mut data = f.to_vec();
        data.extend_from_slice(&[0xff, 0xf8, 0, 0]);
        let (_, len) = d.decode(&data).unwrap();
        assert_eq!(len, f.len());
        let mut out = vec![0; samples * format.bytes()];
        d.write(format, &mut out);
        out
    }

    #[test]
    fn a_33_bit_fixed_subframe_with_rice_residuals() {
        // FIXED order 1, warm-up 2^32 - 5, RICE k = 0, one partition, residuals 1, -1, 3
        // (zigzag 2, 1, 6 in unary).
        let mut b = Bits(Vec::new());
        b.put(8, 0b0001_0010);
        b.put(33, (1 << 32) - 5);
        b.put(2, 0);
        b.put(4, 0);
        b.put(4, 0);
        for z in [2, 1, 6] {
            b.put(z + 1, 1);
        }
        b.put(16, 0);
        let data = b.bytes();
        let mut out = [0i64; 4];
        crate::flacdec::subframe::decode_wide(&mut BitReader::new(&data), 33, &mut out).unwrap();
        let base = (1i64 << 32) - 5;
        assert_eq!(out, [base, base + 1, base, base + 3]);
    }

    #[test]
    fn sample_sizes_ffmpeg_cannot_make() {
        // 8 bits, left/side (side has 9 bits): S16 shifted up by 8.
        let (l, r) = ([-128i64, 127, 5], [127i64, -128, -3]);
        let side: Vec<i64> = l.iter().zip(&r).map(|(a, b)| a - b).collect();
        let f = frame(8, 1, &[(8, l.to_vec()), (9, side)]);
        let want: Vec<u8> = [-128i16, 127, 127, -128, 5, -3]
            .iter()
            .flat_map(|s| (s << 8).to_le_bytes())
            .collect();
        assert_eq!(decode(&f, SampleFormat::S16Le, 6), want);
        // 32 bits with each stereo coding: the side channel needs 33 bits.
        let (l, r) = (
            [i64::from(i32::MIN), i64::from(i32::MAX), 5, -1],
            [i64::from(i32::MAX), i64::from(i32::MIN), -3, -2],
        );
        let side: Vec<i64> = l.iter().zip(&r).map(|(a, b)| a - b).collect();
        let mid: Vec<i64> = l.iter().zip(&r).map(|(a, b)| (a + b) >> 1).collect();
        let want: Vec<f32> = l
            .iter()
            .zip(&r)
            .flat_map(|(&a, &b)| [a as f32 * 2f32.powi(-31), b as f32 * 2f32.powi(-31)])
            .collect();
        for (code, chans) in [
            (8u8, [(32, l.to_vec()), (33, side.clone())]),
            (9, [(33, side.clone()), (32, r.to_vec())]),
            (10, [(32, mid), (33, side)]),
        ] {
            let f = frame(code, 7, &chans);
            let got: Vec<f32> = decode(&f, SampleFormat::F32Le, 8)
                .chunks(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            assert_eq!(got, want, "channel code {code}");
        }
        // 20 bits mono and 32 bits stereo: F32 scaled to [-1, 1).
        for (chan_code, size_code, bits, samples) in [
            (0u8, 5u8, 20u32, vec![-(1i64 << 19), (1 << 19) - 1, 12345]),
            (1, 7, 32, vec![i64::from(i32::MIN), i64::from(i32::MAX), -7]),
        ] {
            let chans: Vec<(u32, Vec<i64>)> =
                (0..=chan_code).map(|_| (bits, samples.clone())).collect();
            let f = frame(chan_code, size_code, &chans);
            let got: Vec<f32> = decode(&f, SampleFormat::F32Le, 3 * chans.len())
                .chunks(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            let scale = (bits - 1) as i32;
            let want: Vec<f32> = samples
                .iter()
                .flat_map(|&s| vec![s as f32 * 2f32.powi(-scale); chans.len()])
                .collect();
            assert_eq!(got, want, "{bits} bits");
        }
    }
}
