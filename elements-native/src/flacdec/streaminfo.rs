//! STREAMINFO, the metadata block every native FLAC stream starts with.

/// The fields of STREAMINFO the decoder uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StreamInfo {
    pub(super) max_block_size: usize,
    /// Largest frame in bytes, 0 when the encoder did not know.
    pub(super) max_frame_size: usize,
    pub(super) rate: u32,
    pub(super) channels: usize,
    pub(super) bits_per_sample: u32,
}

impl StreamInfo {
    /// Parses the 34-byte block; `None` when a field is out of the format's range.
    pub(super) fn parse(b: &[u8; 34]) -> Option<StreamInfo> {
        let max_block_size = usize::from(u16::from_be_bytes([b[2], b[3]]));
        let max_frame_size = usize::from(b[7]) << 16 | usize::from(b[8]) << 8 | usize::from(b[9]);
        let rate = u32::from(b[10]) << 12 | u32::from(b[11]) << 4 | u32::from(b[12] >> 4);
        let channels = usize::from((b[12] >> 1) & 0x07) + 1;
        let bits_per_sample = (u32::from(b[12] & 1) << 4 | u32::from(b[13] >> 4)) + 1;
        (rate > 0 && bits_per_sample >= 4 && max_block_size >= 16).then_some(StreamInfo {
            max_block_size,
            max_frame_size,
            rate,
            channels,
            bits_per_sample,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::StreamInfo;

    #[test]
    fn parses_the_fields() {
        let mut b = [0u8; 34];
        // Block sizes 4096, frame sizes 14..=9000, 44100 Hz, 2 channels, 16 bits.
        b[..4].copy_from_slice(&[0x10, 0x00, 0x10, 0x00]);
        b[4..10].copy_from_slice(&[0, 0, 14, 0x00, 0x23, 0x28]);
        b[10..14].copy_from_slice(&[0x0a, 0xc4, 0x42, 0xf0]);
        let si = StreamInfo::parse(&b).unwrap();
        assert_eq!(
            (
                si.max_block_size,
                si.max_frame_size,
                si.rate,
                si.channels,
                si.bits_per_sample
            ),
            (4096, 9000, 44100, 2, 16)
        );
        b[10..13].copy_from_slice(&[0, 0, 0x02]);
        assert_eq!(StreamInfo::parse(&b), None);
    }
}
