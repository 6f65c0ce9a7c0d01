//! A streaming band-limited resampler: every output sample is a windowed-sinc weighted
//! sum of the input samples around its exact position.
//!
//! A key design decision: positions are kept as exact rationals (input index plus
//! `phase / out_rate` after reducing the two rates by their gcd), so no drift
//! accumulates over hours of audio, and the filter is a tabulated kernel read with
//! linear interpolation rather than one coefficient set per phase, so any pair of
//! rates (44100 -> 44101 has 44101 phases) costs the same memory. The cut-off follows
//! the lower of the two Nyquist frequencies (anti-aliasing when downsampling).

/// Zero crossings of the sinc on each side of the centre.
const ZERO_CROSSINGS: usize = 16;
/// Table entries per zero crossing.
const OVERSAMPLE: usize = 512;
/// Kaiser window shape (about 90 dB stop-band attenuation).
const KAISER_BETA: f64 = 9.0;
/// Cut-off as a fraction of the lower Nyquist frequency (room for the transition band).
const CUTOFF: f64 = 0.94;

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Modified Bessel function of the first kind, order 0 (power series).
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term) = (1.0, 1.0);
    let q = x * x / 4.0;
    for k in 1..64 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// Resamples interleaved `f64` frames from one rate to another.
#[derive(Debug)]
pub(super) struct Resampler {
    channels: usize,
    /// Input samples advanced per output sample: `step / out` (reduced).
    step: u64,
    out: u64,
    /// Scale of the kernel's argument (cut-off relative to the input rate).
    fc: f64,
    /// Input samples on each side of an output position that the kernel reaches.
    half: usize,
    /// The kernel at `u = i / OVERSAMPLE` zero crossings, `i` in `0..=len`.
    table: Vec<f64>,
    /// Input frames from virtual index `base` on (virtual = real + `half`: the stream
    /// starts with `half` frames of silence so the first output is centred on input 0).
    history: Vec<f64>,
    base: u64,
    /// Position of the next output: virtual index of the input frame at or before it,
    /// plus `phase / out`.
    index: u64,
    phase: u64,
    /// Input frames received and output frames produced so far.
    frames_in: u64,
    frames_out: u64,
}

impl Resampler {
    /// A resampler from `in_rate` to `out_rate` for `channels` interleaved channels.
    pub(super) fn new(in_rate: u32, out_rate: u32, channels: usize) -> Self {
        let (i, o) = (u64::from(in_rate), u64::from(out_rate));
        let g = gcd(i, o).max(1);
        let fc = CUTOFF * (o as f64 / i as f64).min(1.0);
        let half = (ZERO_CROSSINGS as f64 / fc).ceil() as usize;
        let len = ZERO_CROSSINGS * OVERSAMPLE;
        let norm = bessel_i0(KAISER_BETA);
        let table = (0..=len + 1)
            .map(|n| {
                let u = n as f64 / OVERSAMPLE as f64;
                if n > len {
                    return 0.0;
                }
                let sinc = if n == 0 {
                    1.0
                } else {
                    (std::f64::consts::PI * u).sin() / (std::f64::consts::PI * u)
                };
                let r = u / ZERO_CROSSINGS as f64;
                let window = bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / norm;
                sinc * window
            })
            .collect();
        Resampler {
            channels,
            step: i / g,
            out: o / g,
            fc,
            half,
            table,
            history: vec![0.0; half * channels],
            base: 0,
            index: half as u64,
            phase: 0,
            frames_in: 0,
            frames_out: 0,
        }
    }

    /// Output frames produced so far.
    pub(super) fn frames_out(&self) -> u64 {
        self.frames_out
    }

    /// The kernel at `x` input samples from the centre (cut-off and gain applied).
    fn kernel(&self, x: f64) -> f64 {
        let pos = (self.fc * x.abs()) * OVERSAMPLE as f64;
        let i = pos as usize;
        let (Some(&a), Some(&b)) = (self.table.get(i), self.table.get(i + 1)) else {
            return 0.0;
        };
        let f = pos - i as f64;
        self.fc * (a + (b - a) * f)
    }

    /// Appends the input frames in `input` and writes every output frame they complete
    /// into `out` (cleared first).
    pub(super) fn push(&mut self, input: &[f64], out: &mut Vec<f64>) {
        self.frames_in += (input.len() / self.channels) as u64;
        self.history.extend_from_slice(input);
        out.clear();
        self.produce(out, false);
    }

    /// At end of stream: the outputs still owed, `ceil(frames_in * out / in)` in total,
    /// with silence after the last input.
    pub(super) fn drain(&mut self, out: &mut Vec<f64>) {
        self.history
            .resize(self.history.len() + 2 * self.half * self.channels, 0.0);
        out.clear();
        self.produce(out, true);
    }

    fn produce(&mut self, out: &mut Vec<f64>, draining: bool) {
        let ch = self.channels;
        let available = self.base + (self.history.len() / ch) as u64;
        let owed = (self.frames_in * self.out).div_ceil(self.step);
        loop {
            if draining && self.frames_out >= owed {
                break;
            }
            // The output sits at virtual position index + phase/out; its taps reach
            // virtual indices index - half + 1 ..= index + half.
            let last = self.index + self.half as u64;
            if last >= available {
                break;
            }
            let first = self.index + 1 - self.half as u64;
            let frac = self.phase as f64 / self.out as f64;
            let start = out.len();
            out.resize(start + ch, 0.0);
            for k in first..=last {
                // Distance from the output position to input k, in input samples.
                let x = (self.index as f64 + frac) - k as f64;
                let w = self.kernel(x);
                let at = ((k - self.base) as usize) * ch;
                for (o, s) in out[start..].iter_mut().zip(&self.history[at..at + ch]) {
                    *o += w * s;
                }
            }
            self.frames_out += 1;
            self.phase += self.step;
            self.index += self.phase / self.out;
            self.phase %= self.out;
        }
        // Frames before the next output's first tap are no longer needed.
        let keep_from = (self.index + 1)
            .saturating_sub(self.half as u64)
            .max(self.base);
        let drop = ((keep_from - self.base) as usize).min(self.history.len() / ch);
        self.history.drain(..drop * ch);
        self.base += drop as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_input_keeps_its_level_and_length() {
        let mut r = Resampler::new(44_100, 48_000, 2);
        let input = vec![0.5; 2 * 4410];
        let (mut a, mut b) = (Vec::new(), Vec::new());
        r.push(&input, &mut a);
        r.drain(&mut b);
        a.extend(b);
        // 4410 frames at 44.1 kHz are 4800 at 48 kHz.
        assert_eq!(a.len(), 2 * 4800);
        assert_eq!(r.frames_out(), 4800);
        for v in &a[2 * 100..2 * 4700] {
            assert!((v - 0.5).abs() < 1e-3, "{v}");
        }
    }
}
