//! The fixed-point Y'CbCr <-> R'G'B' conversions against a plain `f64` conversion of
//! the same random frames: every pair of I420/NV12 with RGBA/RGB, both matrices, sizes
//! with ragged row ends (odd widths and heights, widths that are not a multiple of the
//! 16-pixel block).
//!
//! Tolerance: one step. The reference is the exact value rounded to nearest; the kernels
//! carry 5 (to R'G'B') or 6 (to Y'CbCr) fractional bits and each truncated product
//! shifts the sum by less than one of those units, so a result can only differ from the
//! reference where the exact value lies within about 0.1 of a half step; the tests also
//! check that such values are rare (at most 5% of the samples).

use super::convert::Converter;
use super::matrix::{Standard, to_rgb_gains, to_yuv_rows};
use crate::util::rng::Rng;
use crate::util::video_format::{FrameLayout, VideoFormat};

const SIZES: [(usize, usize); 4] = [(64, 4), (37, 7), (1, 1), (50, 3)];
const STANDARDS: [Standard; 2] = [Standard::Bt601, Standard::Bt709];

fn layout(format: VideoFormat, w: usize, h: usize) -> FrameLayout {
    FrameLayout::new(format, w, h).expect("a small frame has a layout")
}

fn random_frame(l: &FrameLayout, seed: u64) -> Vec<u8> {
    let mut frame = vec![0; l.size];
    Rng::new(seed).fill(&mut frame);
    frame
}

/// Where sample `c` of pixel (x, y) lies: luma/packed channel `c`, or chroma (1 = Cb,
/// 2 = Cr) of the pixel's 4:2:0 sample.
fn at(l: &FrameLayout, x: usize, y: usize, c: usize) -> usize {
    let p = l.planes;
    match (l.format, c) {
        (VideoFormat::Rgba, _) => p[0].offset + y * p[0].stride + x * 4 + c,
        (VideoFormat::Rgb, _) => p[0].offset + y * p[0].stride + x * 3 + c,
        (_, 0) => p[0].offset + y * p[0].stride + x,
        (VideoFormat::Nv12, _) => p[1].offset + y / 2 * p[1].stride + x / 2 * 2 + c - 1,
        (_, _) => p[c].offset + y / 2 * p[c].stride + x / 2,
    }
}

/// Counts of samples compared and of those one step off.
#[derive(Default)]
struct Tally {
    samples: usize,
    off_by_one: usize,
}

impl Tally {
    fn check(&mut self, got: u8, want: f64, what: &str) {
        let want = want.round().clamp(0.0, 255.0);
        let diff = (f64::from(got) - want).abs();
        assert!(diff <= 1.0, "{what}: got {got}, reference {want}");
        self.samples += 1;
        if diff > 0.0 {
            self.off_by_one += 1;
        }
    }

    fn assert_mostly_exact(&self, what: &str) {
        assert!(self.samples > 0, "{what}: nothing compared");
        assert!(
            self.off_by_one * 20 <= self.samples,
            "{what}: {} of {} samples one step off",
            self.off_by_one,
            self.samples
        );
    }
}

#[test]
fn yuv_to_rgb_matches_an_f64_conversion() {
    for standard in STANDARDS {
        let [ys, r_cr, g_cb, g_cr, b_cb] = to_rgb_gains(standard);
        for src_format in [VideoFormat::I420, VideoFormat::Nv12] {
            for dst_format in [VideoFormat::Rgba, VideoFormat::Rgb] {
                let mut tally = Tally::default();
                for (seed, (w, h)) in (1..).zip(SIZES) {
                    let (src, dst) = (layout(src_format, w, h), layout(dst_format, w, h));
                    let input = random_frame(&src, seed);
                    let mut output = vec![0; dst.size];
                    Converter::new(src.clone(), dst.clone(), standard, 1)
                        .convert(&input, &mut output);
                    for y in 0..h {
                        for x in 0..w {
                            let s = |c| f64::from(input[at(&src, x, y, c)]);
                            let (l, cb, cr) = (ys * (s(0) - 16.0), s(1) - 128.0, s(2) - 128.0);
                            let want = [l + r_cr * cr, l - g_cb * cb - g_cr * cr, l + b_cb * cb];
                            let what = format!(
                                "{standard:?} {src_format:?}->{dst_format:?} {w}x{h} ({x},{y})"
                            );
                            for (c, want) in want.into_iter().enumerate() {
                                tally.check(output[at(&dst, x, y, c)], want, &what);
                            }
                            if dst_format == VideoFormat::Rgba {
                                assert_eq!(output[at(&dst, x, y, 3)], 255, "{what}: alpha");
                            }
                        }
                    }
                }
                tally.assert_mostly_exact(&format!("{standard:?} {src_format:?}->{dst_format:?}"));
            }
        }
    }
}

#[test]
fn rgb_to_yuv_matches_an_f64_conversion() {
    for standard in STANDARDS {
        let rows = to_yuv_rows(standard);
        for src_format in [VideoFormat::Rgba, VideoFormat::Rgb] {
            for dst_format in [VideoFormat::I420, VideoFormat::Nv12] {
                let mut tally = Tally::default();
                for (seed, (w, h)) in (1..).zip(SIZES) {
                    let (src, dst) = (layout(src_format, w, h), layout(dst_format, w, h));
                    let input = random_frame(&src, seed);
                    let mut output = vec![0; dst.size];
                    Converter::new(src.clone(), dst.clone(), standard, 1)
                        .convert(&input, &mut output);
                    let rgb = |x, y| [0, 1, 2].map(|c| f64::from(input[at(&src, x, y, c)]));
                    let apply =
                        |row: [f64; 3], p: [f64; 3]| row[0] * p[0] + row[1] * p[1] + row[2] * p[2];
                    let name = format!("{standard:?} {src_format:?}->{dst_format:?} {w}x{h}");
                    for y in 0..h {
                        for x in 0..w {
                            let want = 16.0 + apply(rows[0], rgb(x, y));
                            tally.check(
                                output[at(&dst, x, y, 0)],
                                want,
                                &format!("{name} Y ({x},{y})"),
                            );
                        }
                    }
                    // Chroma: the average of the pixels the 4:2:0 sample covers (fewer
                    // than four at an odd right or bottom edge).
                    for cy in 0..h.div_ceil(2) {
                        for cx in 0..w.div_ceil(2) {
                            let mut sum = [0.0; 3];
                            let mut n = 0.0;
                            for y in (cy * 2)..(cy * 2 + 2).min(h) {
                                for x in (cx * 2)..(cx * 2 + 2).min(w) {
                                    let p = rgb(x, y);
                                    for c in 0..3 {
                                        sum[c] += p[c];
                                    }
                                    n += 1.0;
                                }
                            }
                            let avg = sum.map(|s| s / n);
                            for c in 1..3 {
                                let want = 128.0 + apply(rows[c], avg);
                                let got = output[at(&dst, cx * 2, cy * 2, c)];
                                tally.check(got, want, &format!("{name} C{c} ({cx},{cy})"));
                            }
                        }
                    }
                }
                tally.assert_mostly_exact(&format!("{standard:?} {src_format:?}->{dst_format:?}"));
            }
        }
    }
}

#[test]
fn bt601_bars_match_gstreamers_table() {
    let (src, dst) = (
        layout(VideoFormat::Rgba, 4, 2),
        layout(VideoFormat::I420, 4, 2),
    );
    // White, blue, red, red on both rows.
    let row = [
        255, 255, 255, 255, 0, 0, 255, 255, 255, 0, 0, 255, 255, 0, 0, 255,
    ];
    let input = [row, row].concat();
    let mut out = vec![0; dst.size];
    Converter::new(src, dst.clone(), Standard::Bt601, 1).convert(&input, &mut out);
    assert_eq!(&out[..4], [235, 41, 81, 81]);
    let (u, v) = (dst.planes[1].offset, dst.planes[2].offset);
    // The second chroma sample covers the two red pixels.
    assert_eq!((out[u + 1], out[v + 1]), (90, 240));
}
