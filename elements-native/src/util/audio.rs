//! Raw interleaved audio for the converters and encoders: sample formats, caps parsing
//! and conversion of samples to and from `f64`.

use parallax_core::{Caps, CapsValue, ElementError, Structure};

/// Most channels accepted.
pub(crate) const MAX_CHANNELS: i64 = 64;
/// Highest rate accepted.
pub(crate) const MAX_RATE: i64 = 768_000;

/// A sample format of interleaved `audio/x-raw`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AudioFormat {
    S16le,
    S32le,
    F32le,
}

impl AudioFormat {
    pub(crate) const ALL: [AudioFormat; 3] =
        [AudioFormat::S16le, AudioFormat::S32le, AudioFormat::F32le];

    pub(crate) fn name(self) -> &'static str {
        match self {
            AudioFormat::S16le => "S16LE",
            AudioFormat::S32le => "S32LE",
            AudioFormat::F32le => "F32LE",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Bytes per sample.
    pub(crate) fn width(self) -> usize {
        match self {
            AudioFormat::S16le => 2,
            AudioFormat::S32le | AudioFormat::F32le => 4,
        }
    }

    /// Every sample of `data` as `f64` in `[-1, 1)` (floats as they are).
    pub(crate) fn read(self, data: &[u8], out: &mut Vec<f64>) {
        out.clear();
        match self {
            AudioFormat::S16le => out.extend(
                data.chunks_exact(2)
                    .map(|b| f64::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0),
            ),
            AudioFormat::S32le => out.extend(data.chunks_exact(4).map(|b| {
                f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])) / 2_147_483_648.0
            })),
            AudioFormat::F32le => out.extend(
                data.chunks_exact(4)
                    .map(|b| f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
            ),
        }
    }

    /// Writes `samples` into `out` (exactly `samples.len() * width` bytes), rounding and
    /// clipping for the integer formats.
    pub(crate) fn write(self, samples: &[f64], out: &mut [u8]) {
        match self {
            AudioFormat::S16le => {
                for (d, &s) in out.chunks_exact_mut(2).zip(samples) {
                    let v = (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16;
                    d.copy_from_slice(&v.to_le_bytes());
                }
            }
            AudioFormat::S32le => {
                for (d, &s) in out.chunks_exact_mut(4).zip(samples) {
                    let v = (s * 2_147_483_648.0)
                        .round()
                        .clamp(-2_147_483_648.0, 2_147_483_647.0)
                        as i32;
                    d.copy_from_slice(&v.to_le_bytes());
                }
            }
            AudioFormat::F32le => {
                for (d, &s) in out.chunks_exact_mut(4).zip(samples) {
                    d.copy_from_slice(&(s as f32).to_le_bytes());
                }
            }
        }
    }
}

/// A negotiated raw audio stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AudioInfo {
    pub(crate) format: AudioFormat,
    pub(crate) rate: u32,
    pub(crate) channels: usize,
}

impl AudioInfo {
    /// Bytes of one frame (a sample of every channel).
    pub(crate) fn frame_bytes(&self) -> usize {
        self.format.width() * self.channels
    }
}

/// `audio/x-raw` with `formats`, interleaved, any rate and channel count.
pub(crate) fn raw_template(formats: &[AudioFormat]) -> Caps {
    Caps::builder("audio/x-raw")
        .field("format", CapsValue::list(formats.iter().map(|f| f.name())))
        .field("layout", "interleaved")
        .field("rate", CapsValue::int_range(1, MAX_RATE))
        .field("channels", CapsValue::int_range(1, MAX_CHANNELS))
        .build()
}

/// Reads fixed `audio/x-raw` caps.
///
/// # Errors
///
/// [`ElementError`] (settings) naming what is missing or unsupported.
pub(crate) fn parse_raw(caps: Option<&Caps>) -> Result<AudioInfo, ElementError> {
    let s: &Structure = caps
        .and_then(|c| c.structure(0))
        .ok_or_else(|| ElementError::settings("no caps were negotiated"))?;
    if s.name() != "audio/x-raw" {
        return Err(ElementError::settings(format!(
            "expected audio/x-raw, got {}",
            s.name()
        )));
    }
    if s.get_str("layout").is_some_and(|l| l != "interleaved") {
        return Err(ElementError::settings(
            "only layout=interleaved is supported",
        ));
    }
    let format = s
        .get_str("format")
        .and_then(AudioFormat::from_name)
        .ok_or_else(|| {
            ElementError::settings(format!(
                "unsupported sample format {}; supported: S16LE, S32LE, F32LE",
                s.get("format").map_or("(none)".into(), ToString::to_string)
            ))
        })?;
    let rate = s
        .get_int("rate")
        .filter(|r| (1..=MAX_RATE).contains(r))
        .and_then(|r| u32::try_from(r).ok())
        .ok_or_else(|| ElementError::settings(format!("rate must be in [1, {MAX_RATE}]")))?;
    let channels = s
        .get_int("channels")
        .filter(|c| (1..=MAX_CHANNELS).contains(c))
        .and_then(|c| usize::try_from(c).ok())
        .ok_or_else(|| {
            ElementError::settings(format!("channels must be in [1, {MAX_CHANNELS}]"))
        })?;
    Ok(AudioInfo {
        format,
        rate,
        channels,
    })
}

/// Checks that a buffer holds whole frames.
///
/// # Errors
///
/// [`ElementError`] (stream) with the sizes.
pub(crate) fn check_whole_frames(len: usize, info: &AudioInfo) -> Result<usize, ElementError> {
    let frame = info.frame_bytes();
    if !len.is_multiple_of(frame) {
        return Err(ElementError::stream(format!(
            "input buffer of {len} bytes is not a whole number of {frame}-byte frames"
        )));
    }
    Ok(len / frame)
}
