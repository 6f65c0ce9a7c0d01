//! Inter-channel decorrelation and interleaving, in one pass straight into the output
//! buffer: S16LE for up to 16 bits per sample (shifted up to 16 bits), F32LE above
//! (scaled to [-1, 1), exact up to 24 bits).

use super::header::Assignment;
use crate::util::audio_out::SampleFormat;

/// Writes `frames` frames of `chans` (each at least `frames` long), coded as
/// `assignment`, with `bits` per sample into `dst` in `format`.
pub(super) fn write(
    chans: &[Vec<i32>],
    frames: usize,
    assignment: Assignment,
    bits: u32,
    format: SampleFormat,
    dst: &mut [u8],
) {
    match format {
        SampleFormat::S16Le => {
            let up = 16u32.saturating_sub(bits);
            by_assignment(chans, frames, assignment, dst, |s| {
                (s.wrapping_shl(up) as i16).to_le_bytes()
            });
        }
        SampleFormat::F32Le => {
            let scale = 1.0 / (1u64 << (bits.clamp(1, 32) - 1)) as f32;
            by_assignment(chans, frames, assignment, dst, |s| {
                (s as f32 * scale).to_le_bytes()
            });
        }
    }
}

fn by_assignment<const B: usize>(
    chans: &[Vec<i32>],
    frames: usize,
    assignment: Assignment,
    dst: &mut [u8],
    conv: impl Fn(i32) -> [u8; B],
) {
    let (Some(a), Some(b)) = (chans.first(), chans.get(1)) else {
        if let Some(a) = chans.first() {
            for (d, &s) in dst.chunks_exact_mut(B).zip(&a[..frames]) {
                d.copy_from_slice(&conv(s));
            }
        }
        return;
    };
    let (a, b) = (&a[..frames], &b[..frames]);
    match assignment {
        Assignment::Independent if chans.len() > 2 => {
            let stride = chans.len() * B;
            for (c, ch) in chans.iter().enumerate() {
                for (d, &s) in dst[c * B..].chunks_mut(stride).zip(&ch[..frames]) {
                    d[..B].copy_from_slice(&conv(s));
                }
            }
        }
        Assignment::Independent => stereo(a, b, dst, |l, r| (l, r), conv),
        Assignment::LeftSide => stereo(a, b, dst, |l, s| (l, l.wrapping_sub(s)), conv),
        Assignment::RightSide => stereo(a, b, dst, |s, r| (s.wrapping_add(r), r), conv),
        Assignment::MidSide => stereo(
            a,
            b,
            dst,
            |m, s| {
                let m = m.wrapping_shl(1) | (s & 1);
                (m.wrapping_add(s) >> 1, m.wrapping_sub(s) >> 1)
            },
            conv,
        ),
    }
}

#[inline(always)]
fn stereo<const B: usize>(
    a: &[i32],
    b: &[i32],
    dst: &mut [u8],
    decorrelate: impl Fn(i32, i32) -> (i32, i32),
    conv: impl Fn(i32) -> [u8; B],
) {
    for ((d, &x), &y) in dst.chunks_exact_mut(2 * B).zip(a).zip(b) {
        let (l, r) = decorrelate(x, y);
        d[..B].copy_from_slice(&conv(l));
        d[B..].copy_from_slice(&conv(r));
    }
}

#[cfg(test)]
mod tests {
    use super::write;
    use crate::flacdec::header::Assignment;
    use crate::util::audio_out::SampleFormat;

    #[test]
    fn decorrelates_and_converts() {
        // Left 5, -3 and right -2, 4 in each coding.
        let (l, r) = (vec![5, -3], vec![-2, 4]);
        let side: Vec<i32> = l.iter().zip(&r).map(|(a, b)| a - b).collect();
        let mid: Vec<i32> = l.iter().zip(&r).map(|(a, b)| (a + b) >> 1).collect();
        let want: Vec<u8> = [5i16, -2, -3, 4]
            .iter()
            .flat_map(|s| (s << 8).to_le_bytes())
            .collect();
        for (assignment, chans) in [
            (Assignment::Independent, [l.clone(), r.clone()]),
            (Assignment::LeftSide, [l.clone(), side.clone()]),
            (Assignment::RightSide, [side.clone(), r.clone()]),
            (Assignment::MidSide, [mid, side]),
        ] {
            let mut out = vec![0; 8];
            write(&chans, 2, assignment, 8, SampleFormat::S16Le, &mut out);
            assert_eq!(out, want, "{assignment:?}");
        }
        let mut out = vec![0; 12];
        let chans = [vec![1 << 23], vec![-(1 << 23)], vec![1 << 22]];
        write(
            &chans,
            1,
            Assignment::Independent,
            24,
            SampleFormat::F32Le,
            &mut out,
        );
        let got: Vec<f32> = out
            .chunks(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(got, [1.0, -1.0, 0.5]);
    }
}
