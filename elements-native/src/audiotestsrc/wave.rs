//! Waveforms and sample formats of `audiotestsrc`, and the oscillator that writes them.
//!
//! A key design decision: the oscillator keeps GStreamer's phase accumulator in radians
//! across buffers (advance, wrap, then evaluate), and each wave is GStreamer's formula
//! with the same amplitude scale (`volume * 32767` for S16), so buffers join without a
//! click and sample values match GStreamer's. Periodic waves are evaluated once per frame
//! and copied to every channel; noise is drawn per sample, as in GStreamer.

use std::f64::consts::{FRAC_PI_2, PI, TAU};

use parallax_core::property::EnumValue;

use crate::util::rng::Rng;

/// A waveform; the discriminant is GStreamer's `GstAudioTestSrcWave` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wave {
    Sine = 0,
    Square = 1,
    Saw = 2,
    Triangle = 3,
    Silence = 4,
    WhiteNoise = 5,
}

/// The waves as the `wave` property lists them (GStreamer's nicks and numbers; the
/// noise colours and tick waves GStreamer also has are not implemented).
pub(super) const WAVES: &[EnumValue] = &[
    EnumValue {
        nick: "sine",
        value: 0,
        doc: "Sine",
    },
    EnumValue {
        nick: "square",
        value: 1,
        doc: "Square",
    },
    EnumValue {
        nick: "saw",
        value: 2,
        doc: "Saw",
    },
    EnumValue {
        nick: "triangle",
        value: 3,
        doc: "Triangle",
    },
    EnumValue {
        nick: "silence",
        value: 4,
        doc: "Silence",
    },
    EnumValue {
        nick: "white-noise",
        value: 5,
        doc: "White uniform noise",
    },
];

impl Wave {
    const ALL: [Wave; 6] = [
        Wave::Sine,
        Wave::Square,
        Wave::Saw,
        Wave::Triangle,
        Wave::Silence,
        Wave::WhiteNoise,
    ];

    /// The wave with nick `nick`.
    pub(super) fn from_nick(nick: &str) -> Option<Wave> {
        let value = WAVES.iter().find(|v| v.nick == nick)?.value;
        Self::ALL.into_iter().find(|w| *w as i64 == value)
    }

    /// The wave's nick.
    pub(super) fn nick(self) -> &'static str {
        WAVES
            .iter()
            .find(|v| v.value == self as i64)
            .map_or("sine", |v| v.nick)
    }
}

/// A sample format `audiotestsrc` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SampleFormat {
    /// Signed 16-bit little-endian integers.
    S16le,
    /// 32-bit little-endian floats in `[-1, 1]`.
    F32le,
}

impl SampleFormat {
    /// Every format, in pad-template order (the first is the fixation default).
    pub(super) const ALL: [SampleFormat; 2] = [SampleFormat::S16le, SampleFormat::F32le];

    /// The caps name.
    pub(super) fn name(self) -> &'static str {
        match self {
            SampleFormat::S16le => "S16LE",
            SampleFormat::F32le => "F32LE",
        }
    }

    /// The format with caps name `name`.
    pub(super) fn from_name(name: &str) -> Option<SampleFormat> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Bytes per sample.
    pub(super) fn width(self) -> usize {
        match self {
            SampleFormat::S16le => 2,
            SampleFormat::F32le => 4,
        }
    }

    /// Full scale: GStreamer's amplitude for `volume = 1`.
    fn scale(self) -> f64 {
        match self {
            SampleFormat::S16le => 32767.0,
            SampleFormat::F32le => 1.0,
        }
    }
}

/// What to generate; everything but the phase, which the [`Oscillator`] keeps.
#[derive(Debug, Clone, Copy)]
pub(super) struct Signal {
    pub(super) wave: Wave,
    pub(super) freq: f64,
    pub(super) volume: f64,
    pub(super) rate: u32,
    pub(super) channels: usize,
    pub(super) format: SampleFormat,
}

/// Phase and noise state, carried from one buffer to the next.
#[derive(Debug, Clone)]
pub(super) struct Oscillator {
    /// GStreamer's `accumulator`: the phase in radians, in `[0, 2π)`.
    phase: f64,
    rng: Rng,
}

impl Oscillator {
    /// An oscillator at phase zero with a fixed noise seed.
    pub(super) fn new() -> Oscillator {
        Oscillator {
            phase: 0.0,
            rng: Rng::new(0xa0d1_07e5),
        }
    }

    /// Fills `out` with whole frames of `signal` (a trailing partial frame is left
    /// untouched).
    pub(super) fn fill(&mut self, signal: &Signal, out: &mut [u8]) {
        let amp = signal.volume * signal.format.scale();
        let channels = signal.channels;
        match signal.wave {
            Wave::Silence => out.fill(0),
            Wave::WhiteNoise => {
                let rng = &mut self.rng;
                let mut next = || amp * (2.0 * rng.next_f64() - 1.0);
                match signal.format {
                    SampleFormat::S16le => write_samples(out, || s16(next())),
                    SampleFormat::F32le => write_samples(out, || f32le(next())),
                }
            }
            wave => {
                // 2π f / rate; `%` rather than GStreamer's single subtraction keeps the
                // phase in range even when the step exceeds a whole turn.
                let step = TAU * signal.freq / f64::from(signal.rate.max(1));
                let phase = &mut self.phase;
                let mut next = || {
                    *phase += step;
                    if *phase >= TAU {
                        *phase %= TAU;
                    }
                    evaluate(wave, *phase, amp)
                };
                match signal.format {
                    SampleFormat::S16le => write_frames(out, channels, || s16(next())),
                    SampleFormat::F32le => write_frames(out, channels, || f32le(next())),
                }
            }
        }
    }
}

/// A periodic wave at `phase`, GStreamer's formulas.
fn evaluate(wave: Wave, phase: f64, amp: f64) -> f64 {
    match wave {
        Wave::Sine => phase.sin() * amp,
        Wave::Square if phase < PI => amp,
        Wave::Square => -amp,
        Wave::Saw if phase < PI => phase * (amp / PI),
        Wave::Saw => (TAU - phase) * -(amp / PI),
        Wave::Triangle if phase < FRAC_PI_2 => phase * (amp / FRAC_PI_2),
        Wave::Triangle if phase < PI * 1.5 => (phase - PI) * -(amp / FRAC_PI_2),
        Wave::Triangle => (TAU - phase) * -(amp / FRAC_PI_2),
        Wave::Silence | Wave::WhiteNoise => 0.0,
    }
}

/// A sample as S16LE bytes; the float-to-int cast truncates like C's and saturates.
fn s16(v: f64) -> [u8; 2] {
    (v as i16).to_le_bytes()
}

/// A sample as F32LE bytes.
fn f32le(v: f64) -> [u8; 4] {
    (v as f32).to_le_bytes()
}

/// Writes one `next()` value per frame, copied into each of `channels` samples.
fn write_frames<const N: usize>(
    out: &mut [u8],
    channels: usize,
    mut next: impl FnMut() -> [u8; N],
) {
    let Some(frame_len) = N.checked_mul(channels).filter(|n| *n > 0) else {
        return;
    };
    for frame in out.chunks_exact_mut(frame_len) {
        let sample = next();
        for slot in frame.chunks_exact_mut(N) {
            slot.copy_from_slice(&sample);
        }
    }
}

/// Writes one `next()` value per sample.
fn write_samples<const N: usize>(out: &mut [u8], mut next: impl FnMut() -> [u8; N]) {
    for slot in out.chunks_exact_mut(N) {
        slot.copy_from_slice(&next());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(wave: Wave) -> Signal {
        Signal {
            wave,
            freq: 441.0,
            volume: 1.0,
            rate: 44100,
            channels: 2,
            format: SampleFormat::S16le,
        }
    }

    fn s16_samples(bytes: &[u8]) -> Vec<i16> {
        bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect()
    }

    #[test]
    fn phase_continues_across_buffers() {
        let mut split = Oscillator::new();
        let mut whole = Oscillator::new();
        let (mut a, mut b, mut both) = (vec![0; 400], vec![0; 400], vec![0; 800]);
        split.fill(&signal(Wave::Sine), &mut a);
        split.fill(&signal(Wave::Sine), &mut b);
        whole.fill(&signal(Wave::Sine), &mut both);
        a.extend_from_slice(&b);
        assert_eq!(a, both);
    }

    #[test]
    fn shapes() {
        // 441 Hz at 44100 Hz is 100 samples per period.
        for wave in [Wave::Sine, Wave::Square, Wave::Saw, Wave::Triangle] {
            let mut osc = Oscillator::new();
            let mut out = vec![0; 400];
            osc.fill(&signal(wave), &mut out);
            let s = s16_samples(&out);
            assert!(
                s.chunks_exact(2).all(|f| f[0] == f[1]),
                "{wave:?}: channels equal"
            );
            let max = s.iter().copied().max().unwrap_or(0);
            let min = s.iter().copied().min().unwrap_or(0);
            assert!(max >= 32000 && min <= -32000, "{wave:?}: {min}..{max}");
        }
        let mut out = vec![1; 16];
        Oscillator::new().fill(&signal(Wave::Silence), &mut out);
        assert_eq!(out, vec![0; 16]);
    }

    #[test]
    fn noise_is_bounded_and_varied_and_float_works() {
        let mut sig = signal(Wave::WhiteNoise);
        sig.volume = 0.5;
        let mut out = vec![0; 2000];
        Oscillator::new().fill(&sig, &mut out);
        let s = s16_samples(&out);
        assert!(s.iter().all(|v| v.unsigned_abs() <= 16384));
        assert!(s.iter().any(|v| *v > 8000) && s.iter().any(|v| *v < -8000));
        sig.format = SampleFormat::F32le;
        sig.wave = Wave::Square;
        let mut out = vec![0; 8];
        Oscillator::new().fill(&sig, &mut out);
        assert_eq!(f32::from_le_bytes([out[0], out[1], out[2], out[3]]), 0.5);
    }

    #[test]
    fn nicks() {
        for (w, v) in Wave::ALL.iter().zip(WAVES) {
            assert_eq!(Wave::from_nick(v.nick), Some(*w));
            assert_eq!(w.nick(), v.nick);
        }
    }
}
