//! Typefinding: what a stream is, from its first bytes (magic numbers and frame syncs),
//! never from a file name. Returns GStreamer's media types so elements' sink templates
//! match them.

use parallax_core::Structure;

/// How many bytes typefinding wants before it decides (less at end of stream).
pub(crate) const WANTED: usize = 4096;

const TS_PACKET: usize = 188;

/// The media type of a stream starting with `data`; `None` when nothing matched.
pub(crate) fn typefind(data: &[u8]) -> Option<Structure> {
    let at = |i: usize, magic: &[u8]| data.get(i..i + magic.len()) == Some(magic);
    if at(4, b"ftyp") || at(4, b"moov") || at(4, b"mdat") || at(4, b"free") || at(4, b"wide") {
        return Some(Structure::new("video/quicktime"));
    }
    if at(0, b"OggS") {
        return Some(Structure::new("application/ogg"));
    }
    if at(0, b"fLaC") {
        return Some(Structure::new("audio/x-flac"));
    }
    if at(0, b"RIFF") && at(8, b"WAVE") {
        return Some(Structure::new("audio/x-wav"));
    }
    if at(0, b"\x89PNG\r\n\x1a\n") {
        return Some(Structure::new("image/png"));
    }
    if at(0, &[0xff, 0xd8, 0xff]) {
        return Some(Structure::new("image/jpeg"));
    }
    if at(0, b"DKIF") {
        return Some(Structure::new("video/x-ivf"));
    }
    if at(0, b"YUV4MPEG2") {
        return Some(Structure::new("application/x-yuv4mpeg").with("y4mversion", 2));
    }
    if is_ts(data) {
        return Some(Structure::new("video/mpegts").with("systemstream", true));
    }
    if at(0, b"ID3") {
        return Some(mpeg_audio(1, 3));
    }
    adts_or_mp3(data)
}

/// Sync bytes at 188-byte strides from one of the first 188 offsets, on every packet of
/// `data` (at least two).
fn is_ts(data: &[u8]) -> bool {
    if data.len() < 2 * TS_PACKET {
        return false;
    }
    (0..TS_PACKET).any(|start| {
        data.len() >= start + 2 * TS_PACKET
            && data[start..]
                .iter()
                .step_by(TS_PACKET)
                .take(8)
                .all(|&b| b == 0x47)
    })
}

fn mpeg_audio(version: i64, layer: i64) -> Structure {
    Structure::new("audio/mpeg")
        .with("mpegversion", version)
        .with("layer", layer)
}

/// An ADTS (AAC) or MPEG-1/2 audio frame header at the start, confirmed by a second
/// header where the first frame's length says it is (when the data reaches that far).
fn adts_or_mp3(data: &[u8]) -> Option<Structure> {
    let h = data.get(..4)?;
    if h[0] != 0xff || h[1] & 0xe0 != 0xe0 {
        return None;
    }
    let layer = (h[1] >> 1) & 3;
    if layer == 0 && h[1] & 0xf0 == 0xf0 {
        // ADTS: 13-bit frame length in bytes 3..6.
        let len = (usize::from(data.get(3)? & 3) << 11)
            | (usize::from(*data.get(4)?) << 3)
            | usize::from(data.get(5)? >> 5);
        if len < 7 || data.get(len).is_some_and(|&b| b != 0xff) {
            return None;
        }
        return Some(
            Structure::new("audio/mpeg")
                .with("mpegversion", 4)
                .with("stream-format", "adts"),
        );
    }
    if layer == 0 || (h[2] >> 4) == 15 || (h[2] >> 2) & 3 == 3 {
        return None;
    }
    Some(mpeg_audio(1, i64::from(4 - layer)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(data: &[u8]) -> Option<String> {
        typefind(data).map(|s| s.name().to_owned())
    }

    #[test]
    fn magic_numbers() {
        assert_eq!(
            name(b"\0\0\0\x18ftypisom").as_deref(),
            Some("video/quicktime")
        );
        assert_eq!(name(b"OggS\0\x02").as_deref(), Some("application/ogg"));
        assert_eq!(name(b"fLaC\0\0\0\x22").as_deref(), Some("audio/x-flac"));
        assert_eq!(
            name(b"RIFF\0\0\0\0WAVEfmt ").as_deref(),
            Some("audio/x-wav")
        );
        assert_eq!(name(b"\x89PNG\r\n\x1a\n").as_deref(), Some("image/png"));
        assert_eq!(
            name(&[0xff, 0xd8, 0xff, 0xe0]).as_deref(),
            Some("image/jpeg")
        );
        assert_eq!(name(b"DKIF\0\0 \0AV01").as_deref(), Some("video/x-ivf"));
        assert_eq!(
            name(b"YUV4MPEG2 W2 H2").as_deref(),
            Some("application/x-yuv4mpeg")
        );
        assert_eq!(name(b"ID3\x04\0").as_deref(), Some("audio/mpeg"));
        assert_eq!(name(b"hello world"), None);
        assert_eq!(name(&[]), None);
    }

    #[test]
    fn ts_needs_sync_at_every_stride() {
        let mut ts = vec![0u8; 188 * 4];
        for i in 0..4 {
            ts[i * 188] = 0x47;
        }
        assert_eq!(name(&ts).as_deref(), Some("video/mpegts"));
        ts[188 * 2] = 0;
        assert_eq!(name(&ts), None);
    }

    #[test]
    fn adts_and_mp3_frames() {
        // ADTS, 44.1 kHz stereo, frame length 10, followed by the next sync.
        let mut adts = vec![0xff, 0xf1, 0x50, 0x80, 0x01, 0x5f, 0xfc, 0, 0, 0];
        adts.extend_from_slice(&[0xff, 0xf1]);
        let s = typefind(&adts).expect("adts");
        assert_eq!(s.get_str("stream-format"), Some("adts"));
        // MPEG-1 layer III, 128 kbit/s, 44.1 kHz.
        let s = typefind(&[0xff, 0xfb, 0x90, 0x64]).expect("mp3");
        assert_eq!(s.get_int("layer"), Some(3));
    }
}
