//! The sample arithmetic, shared by the in-place and the copying path.
//!
//! It matches the WASM `volume` (`elements-wasm/volume`) bit for bit, which the
//! conformance suite checks: Q16 fixed point with saturation for S16 (as GStreamer's
//! integer path), a plain multiply for F32.

/// Sample formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    S16,
    F32,
}

impl Format {
    /// The format of caps field `format`, if supported.
    pub(super) fn parse(format: &str) -> Option<Format> {
        match format {
            "S16LE" => Some(Format::S16),
            "F32LE" => Some(Format::F32),
            _ => None,
        }
    }

    /// Bytes per sample.
    pub(super) fn width(self) -> usize {
        match self {
            Format::S16 => 2,
            Format::F32 => 4,
        }
    }
}

/// One S16 sample scaled by the Q16 gain `g`, saturated.
fn s16(sample: &[u8], g: i64) -> [u8; 2] {
    let v = (i64::from(i16::from_le_bytes([sample[0], sample[1]])) * g) >> 16;
    (v.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16).to_le_bytes()
}

/// One F32 sample scaled by `g`.
fn f32(sample: &[u8], g: f32) -> [u8; 4] {
    (f32::from_le_bytes([sample[0], sample[1], sample[2], sample[3]]) * g).to_le_bytes()
}

/// Scales `src` into `dst` (whole samples, as many as both hold) by `gain`.
pub(super) fn scale(format: Format, gain: f64, src: &[u8], dst: &mut [u8]) {
    let w = format.width();
    let pairs = src.chunks_exact(w).zip(dst.chunks_exact_mut(w));
    match format {
        Format::S16 => {
            let g = (gain * 65536.0).round() as i64;
            pairs.for_each(|(s, d)| d.copy_from_slice(&s16(s, g)));
        }
        Format::F32 => pairs.for_each(|(s, d)| d.copy_from_slice(&f32(s, gain as f32))),
    }
}

/// Scales whole samples of `data` in place.
pub(super) fn scale_in_place(format: Format, gain: f64, data: &mut [u8]) {
    let samples = data.chunks_exact_mut(format.width());
    match format {
        Format::S16 => {
            let g = (gain * 65536.0).round() as i64;
            samples.for_each(|d| {
                let v = s16(d, g);
                d.copy_from_slice(&v);
            });
        }
        Format::F32 => samples.for_each(|d| {
            let v = f32(d, gain as f32);
            d.copy_from_slice(&v);
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s16_saturates_and_in_place_matches_the_copy() {
        let src: Vec<u8> = [i16::MAX, i16::MIN, 1000, -1000]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let mut copied = vec![0u8; src.len()];
        scale(Format::S16, 2.0, &src, &mut copied);
        let mut in_place = src.clone();
        scale_in_place(Format::S16, 2.0, &mut in_place);
        assert_eq!(copied, in_place);
        let out: Vec<i16> = copied
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(out, [i16::MAX, i16::MIN, 2000, -2000]);
    }
}
