//! Sample descriptions (`stsd`): the codec of a track and the caps its stream gets,
//! with GStreamer's media types and field names (codec configuration in `codec_data`).

use parallax_core::{Fraction, Structure};

use super::boxes::{Cursor, Mp4Error, fourcc_str};
use crate::util::codec_data::to_hex;

/// What a track carries, from its handler (`hdlr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TrackKind {
    Video,
    Audio,
    Other,
}

/// The first sample description of a track, as caps.
pub(crate) fn parse_stsd(
    mut c: Cursor<'_>,
    kind: TrackKind,
    timescale: u32,
) -> Result<Structure, Mp4Error> {
    c.version_flags("stsd")?;
    let offset = c.offset();
    if c.u32("stsd entry count")? == 0 {
        return Err(Mp4Error::invalid("stsd", offset, "no sample description"));
    }
    let Some((fourcc, entry)) = c.next_box()? else {
        return Err(Mp4Error::Truncated {
            what: "sample description",
            offset,
        });
    };
    match kind {
        TrackKind::Video => visual(fourcc, entry),
        TrackKind::Audio => audio(fourcc, entry, timescale),
        TrackKind::Other => {
            Ok(Structure::new("application/x-unknown").with("fourcc", fourcc_str(fourcc).as_str()))
        }
    }
}

fn visual(fourcc: [u8; 4], mut c: Cursor<'_>) -> Result<Structure, Mp4Error> {
    // SampleEntry (8) + VisualSampleEntry fields up to width (16), then width, height and
    // the rest of the fixed part (50 bytes) before the child boxes.
    c.skip(24, "visual sample entry")?;
    let width = c.u16("width")?;
    let height = c.u16("height")?;
    c.skip(50, "visual sample entry")?;
    let children = c;
    let config = |kind: &[u8; 4]| -> Result<Option<Vec<u8>>, Mp4Error> {
        Ok(children.find(kind)?.map(|mut b| b.rest().to_vec()))
    };
    let mut s = match &fourcc {
        b"av01" => {
            let mut s = Structure::new("video/x-av1")
                .with("stream-format", "obu-stream")
                .with("alignment", "tu");
            if let Some(av1c) = config(b"av1C")? {
                if let Some(&b) = av1c.get(1) {
                    let profile = match b >> 5 {
                        0 => "main",
                        1 => "high",
                        _ => "professional",
                    };
                    s.set("profile", profile);
                }
                s.set("codec_data", to_hex(&av1c));
            }
            s
        }
        b"avc1" | b"avc3" => {
            let mut s = Structure::new("video/x-h264")
                .with(
                    "stream-format",
                    if &fourcc == b"avc1" { "avc" } else { "avc3" },
                )
                .with("alignment", "au");
            if let Some(avcc) = config(b"avcC")? {
                s.set("codec_data", to_hex(&avcc));
            }
            s
        }
        b"hvc1" | b"hev1" => {
            let mut s = Structure::new("video/x-h265")
                .with(
                    "stream-format",
                    if &fourcc == b"hvc1" { "hvc1" } else { "hev1" },
                )
                .with("alignment", "au");
            if let Some(hvcc) = config(b"hvcC")? {
                s.set("codec_data", to_hex(&hvcc));
            }
            s
        }
        b"vp09" => Structure::new("video/x-vp9"),
        b"mp4v" => Structure::new("video/mpeg").with("mpegversion", 4),
        b"jpeg" | b"mjpa" => Structure::new("image/jpeg"),
        other => Structure::new("video/x-unknown").with("fourcc", fourcc_str(*other).as_str()),
    };
    s.set("width", i64::from(width));
    s.set("height", i64::from(height));
    Ok(s)
}

fn audio(fourcc: [u8; 4], mut c: Cursor<'_>, timescale: u32) -> Result<Structure, Mp4Error> {
    c.skip(8, "audio sample entry")?;
    let version = c.u16("audio entry version")?;
    c.skip(6, "audio sample entry")?;
    let mut channels = u32::from(c.u16("channel count")?);
    let sample_size = c.u16("sample size")?;
    c.skip(4, "audio sample entry")?;
    let mut rate = c.u32("sample rate")? >> 16;
    // QuickTime sound description versions 1 and 2 carry more fixed fields.
    match version {
        1 => c.skip(16, "audio sample entry v1")?,
        2 => {
            c.skip(4, "audio sample entry v2")?;
            let offset = c.offset();
            let bits = c.u64("v2 sample rate")?;
            let hz = f64::from_bits(bits);
            if hz.is_finite() && hz >= 1.0 && hz <= f64::from(u32::MAX) {
                rate = hz as u32;
            } else {
                return Err(Mp4Error::invalid(
                    "audio sample entry",
                    offset,
                    "bad sample rate",
                ));
            }
            channels = c.u32("v2 channel count")?;
            c.skip(20, "audio sample entry v2")?;
        }
        _ => {}
    }
    if rate == 0 {
        rate = timescale;
    }
    let children = c;
    let s = match &fourcc {
        b"mp4a" => match children.find(b"esds")? {
            Some(esds) => esds_caps(esds, &mut rate, &mut channels)?,
            None => Structure::new("audio/mpeg").with("mpegversion", 4),
        },
        b"Opus" => {
            let mut s = Structure::new("audio/x-opus");
            if let Some(mut dops) = children.find(b"dOps")? {
                let raw = dops.clone().rest().to_vec();
                dops.u8("dOps version")?;
                channels = u32::from(dops.u8("dOps channels")?);
                let pre_skip = dops.u16("dOps pre-skip")?;
                dops.skip(6, "dOps")?;
                let family = dops.u8("dOps mapping family")?;
                s.set("channel-mapping-family", i64::from(family));
                s.set("pre-skip", i64::from(pre_skip));
                s.set("codec_data", to_hex(&raw));
            }
            // Opus always decodes at 48 kHz; the entry's rate is informational.
            rate = 48_000;
            s
        }
        b"fLaC" => Structure::new("audio/x-flac").with("framed", true),
        b"sowt" | b"twos" | b"lpcm" | b"ipcm" => {
            let little = &fourcc == b"sowt";
            let format = match (sample_size, little) {
                (8, _) => "S8",
                (16, true) => "S16LE",
                (16, false) => "S16BE",
                (24, true) => "S24LE",
                (24, false) => "S24BE",
                (32, true) => "S32LE",
                _ => "S32BE",
            };
            Structure::new("audio/x-raw")
                .with("format", format)
                .with("layout", "interleaved")
        }
        b".mp3" => Structure::new("audio/mpeg")
            .with("mpegversion", 1)
            .with("layer", 3),
        other => Structure::new("audio/x-unknown").with("fourcc", fourcc_str(*other).as_str()),
    };
    Ok(s.with("rate", i64::from(rate))
        .with("channels", i64::from(channels)))
}

/// Reads an MPEG-4 descriptor tag and its length (1 to 4 bytes of 7 bits).
fn descriptor(c: &mut Cursor<'_>) -> Result<(u8, usize), Mp4Error> {
    let tag = c.u8("descriptor tag")?;
    let mut len = 0usize;
    for _ in 0..4 {
        let b = c.u8("descriptor length")?;
        len = (len << 7) | usize::from(b & 0x7f);
        if b & 0x80 == 0 {
            break;
        }
    }
    Ok((tag, len))
}

/// `esds`: the object type (AAC or MP3) and the AudioSpecificConfig.
fn esds_caps(mut c: Cursor<'_>, rate: &mut u32, channels: &mut u32) -> Result<Structure, Mp4Error> {
    c.version_flags("esds")?;
    let offset = c.offset();
    let (tag, _) = descriptor(&mut c)?;
    if tag != 0x03 {
        return Err(Mp4Error::invalid(
            "esds",
            offset,
            format!("tag {tag:#x}, not ES_Descriptor"),
        ));
    }
    c.u16("ES_ID")?;
    let flags = c.u8("ES flags")?;
    if flags & 0x80 != 0 {
        c.skip(2, "ES dependency")?;
    }
    if flags & 0x40 != 0 {
        let n = c.u8("ES URL length")?;
        c.skip(usize::from(n), "ES URL")?;
    }
    if flags & 0x20 != 0 {
        c.skip(2, "ES OCR id")?;
    }
    let offset = c.offset();
    let (tag, _) = descriptor(&mut c)?;
    if tag != 0x04 {
        return Err(Mp4Error::invalid(
            "esds",
            offset,
            format!("tag {tag:#x}, not DecoderConfig"),
        ));
    }
    let object_type = c.u8("object type")?;
    c.skip(12, "decoder config")?;
    let mut config = None;
    if c.remaining() > 0 {
        let (tag, len) = descriptor(&mut c)?;
        if tag == 0x05 {
            config = Some(c.bytes(len.min(c.remaining()), "decoder specific info")?);
        }
    }
    match object_type {
        // MPEG-1/2 audio layers: mp3 in mp4.
        0x69 | 0x6b => Ok(Structure::new("audio/mpeg")
            .with("mpegversion", 1)
            .with("layer", 3)),
        _ => {
            let mut s = Structure::new("audio/mpeg")
                .with("mpegversion", 4)
                .with("stream-format", "raw");
            if let Some(asc) = config {
                if let Some((r, ch)) = audio_specific_config(asc) {
                    if r > 0 {
                        *rate = r;
                    }
                    if ch > 0 {
                        *channels = ch;
                    }
                }
                s.set("codec_data", to_hex(asc));
            }
            Ok(s)
        }
    }
}

/// Sample rate and channel count from an AudioSpecificConfig (ISO 14496-3 1.6.2.1).
fn audio_specific_config(asc: &[u8]) -> Option<(u32, u32)> {
    const RATES: [u32; 13] = [
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
    ];
    let mut bits = BitReader { data: asc, pos: 0 };
    let object = bits.read(5)?;
    if object == 31 {
        bits.read(6)?;
    }
    let index = bits.read(4)?;
    let rate = if index == 15 {
        bits.read(24)?
    } else {
        RATES.get(index as usize).copied().unwrap_or(0)
    };
    let channels = bits.read(4)?;
    Some((rate, if channels == 7 { 8 } else { channels }))
}

struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl BitReader<'_> {
    fn read(&mut self, n: usize) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = self.data.get(self.pos / 8)?;
            v = (v << 1) | u32::from((byte >> (7 - self.pos % 8)) & 1);
            self.pos += 1;
        }
        Some(v)
    }
}

/// `framerate` for a video track whose samples all last `delta` ticks (or 0/1).
pub(crate) fn framerate(timescale: u32, delta: u32) -> Fraction {
    if delta == 0 || timescale == 0 {
        return Fraction::new(0, 1);
    }
    let g = gcd(timescale, delta);
    match (i32::try_from(timescale / g), i32::try_from(delta / g)) {
        (Ok(n), Ok(d)) => Fraction::new(n, d),
        _ => Fraction::new(0, 1),
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}
