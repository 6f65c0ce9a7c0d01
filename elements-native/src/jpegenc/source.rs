//! Raw frames to the encoder's samples: one MCU row at a time, each component as rows of
//! `i16` (JFIF samples less 128, with one fractional bit), padded to whole blocks by
//! repeating the last column and row.
//!
//! A key design decision: the colour change to JFIF (full-range BT.601, whatever the
//! source: limited range, and BT.709 for HD frames by GStreamer's default) is affine, so
//! it splits into parts that cost little. Luma's range expansion is a gain and an offset
//! that `quant.rs` folds into the quantiser steps and the DC term; what is left per
//! luma sample is `2 * (y - 128)` plus, for BT.709, a term of the co-sited chroma
//! (computed once per chroma sample, like the JFIF chroma itself, with 16-bit multiplies
//! that the compiler vectorises). 4:2:0 input is read plane by plane with no resampling.

use crate::util::video_format::{FrameLayout, VideoFormat};
use crate::videoconvert::matrix::Standard;

/// How the picture is cut into blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sampling {
    /// Luma and half-resolution chroma: 16x16 MCUs of four luma blocks and one of each
    /// chroma.
    S420,
    /// Three full-resolution components: 8x8 MCUs.
    S444,
    /// Luma only: every MCU is one block.
    Gray,
}

impl Sampling {
    /// Luma blocks per MCU across and down.
    pub(super) fn luma_blocks(self) -> usize {
        match self {
            Sampling::S420 => 2,
            Sampling::S444 | Sampling::Gray => 1,
        }
    }

    /// MCU width and height in pixels.
    pub(super) fn mcu(self) -> usize {
        8 * self.luma_blocks()
    }
}

/// Rows of samples of one MCU row, and scratch for making them.
#[derive(Debug, Default)]
pub(super) struct McuRows {
    pub(super) y: Vec<i16>,
    pub(super) cb: Vec<i16>,
    pub(super) cr: Vec<i16>,
    /// Samples per row of `y`, and of `cb`/`cr` (whole MCUs).
    pub(super) y_stride: usize,
    pub(super) c_stride: usize,
    /// Per chroma sample of one chroma row: the luma term, then repeated per pixel.
    term: Vec<i16>,
    term_wide: Vec<i16>,
    /// NV12's chroma, de-interleaved; RGB's full-resolution chroma rows.
    u: Vec<i16>,
    v: Vec<i16>,
}

/// Sample values are clamped to this range (JFIF's 0..=255 less 128, doubled): it
/// keeps `dct::forward` within 16 bits and only touches values outside the range.
const MIN: i16 = -256;
const MAX: i16 = 255;

/// The affine change from limited-range Y'CbCr to JFIF's, in the fixed point the row
/// functions use.
#[derive(Debug, Clone, Copy)]
struct Matrix {
    /// JFIF luma less 128 is `gain * (y - 128 + offset / 2)` plus the chroma term.
    luma_gain: f64,
    luma_offset: f64,
    /// Multipliers of `(u - 128) << 7` and `(v - 128) << 7` in 1/65536 (so that the
    /// product's high half is four times the doubled sample): luma term (before the
    /// gain), Cb, Cr.
    y_u: i16,
    y_v: i16,
    cb_u: i16,
    cb_v: i16,
    cr_u: i16,
    cr_v: i16,
}

const fn round(v: f64) -> i16 {
    if v >= 0.0 {
        (v + 0.5) as i16
    } else {
        (v - 0.5) as i16
    }
}

/// The matrix for a source with luma weights `kr` and `kb`.
const fn matrix(kr: f64, kb: f64) -> Matrix {
    let kg = 1.0 - kr - kb;
    // Source Cb/Cr (normalised to full range) into R'G'B' ...
    let (r_cr, g_cb, g_cr, b_cb) = (
        2.0 * (1.0 - kr),
        2.0 * kb * (1.0 - kb) / kg,
        2.0 * kr * (1.0 - kr) / kg,
        2.0 * (1.0 - kb),
    );
    // ... and R'G'B' into BT.601 luma: Y601 = Y + a*Cb + b*Cr (zero for BT.601).
    let a = -0.587 * g_cb + 0.114 * b_cb;
    let b = 0.299 * r_cr - 0.587 * g_cr;
    // Cb601 = (B - Y601) * 0.5/0.886, Cr601 = (R - Y601) * 0.5/0.701.
    let (sb, sr) = (0.5 / 0.886, 0.5 / 0.701);
    let ys = 255.0 / 219.0;
    // A multiplier m of the normalised chroma (u - 128) * 255/224 gives doubled
    // samples times 4 as the high half of ((u - 128) << 7) * (m * 255/224 * 4096).
    let k = 255.0 / 224.0 * 4096.0;
    Matrix {
        luma_gain: ys,
        // JFIF Y - 128 = ys * (y - 16) - 128 = ys * (y - 128 + 112 - 128 / ys).
        luma_offset: 2.0 * (112.0 - 128.0 / ys),
        y_u: round(a / ys * k),
        y_v: round(b / ys * k),
        cb_u: round((b_cb - a) * sb * k),
        cb_v: round(-b * sb * k),
        cr_u: round(-a * sr * k),
        cr_v: round((r_cr - b) * sr * k),
    }
}

/// A source matrix as constants, so that the row loops multiply by immediates: the
/// compiler only turns `(a * k) >> 16` into `pmulhw` when it can see `k`.
trait Source {
    const M: Matrix;
}

struct Bt601;
impl Source for Bt601 {
    const M: Matrix = matrix(0.299, 0.114);
}

struct Bt709;
impl Source for Bt709 {
    const M: Matrix = matrix(0.2126, 0.0722);
}

/// The change from the source's samples to JFIF's.
#[derive(Debug, Clone, Copy)]
pub(super) struct Conversion {
    /// For 4:2:0 (limited-range Y'CbCr) sources.
    standard: Option<Standard>,
    /// What `quant.rs` folds into the luma quantiser: JFIF luma less 128 is
    /// `luma_gain * (s + luma_offset) / 2` for the luma samples `s` made here.
    pub(super) luma_gain: f64,
    pub(super) luma_offset: f64,
}

impl Conversion {
    pub(super) fn new(format: VideoFormat, standard: Standard) -> Self {
        if !format.is_420() {
            // RGB and GRAY8 are full range already (RGB is converted per pixel).
            return Conversion {
                standard: None,
                luma_gain: 1.0,
                luma_offset: 0.0,
            };
        }
        let m = match standard {
            Standard::Bt601 => Bt601::M,
            Standard::Bt709 => Bt709::M,
        };
        Conversion {
            standard: Some(standard),
            luma_gain: m.luma_gain,
            luma_offset: m.luma_offset,
        }
    }

    /// Rows `first_row..` of one MCU row of `frame` (`data`, laid out as `layout`) into
    /// `out`, as `sampling` cuts them; `mcu_cols` MCUs across.
    pub(super) fn mcu_row(
        &self,
        layout: &FrameLayout,
        data: &[u8],
        sampling: Sampling,
        mcu_row: usize,
        mcu_cols: usize,
        out: &mut McuRows,
    ) {
        let mcu = sampling.mcu();
        out.y_stride = mcu_cols * mcu;
        out.c_stride = match sampling {
            Sampling::S420 => mcu_cols * 8,
            Sampling::S444 => out.y_stride,
            Sampling::Gray => 0,
        };
        out.y.resize(out.y_stride * mcu, 0);
        out.cb.resize(out.c_stride * 8, 0);
        out.cr.resize(out.c_stride * 8, 0);
        let first = mcu_row * mcu;
        let (w, h) = (layout.width, layout.height);
        let row = |plane: usize, r: usize, len: usize| -> &[u8] {
            let p = layout.planes[plane];
            let start = p.offset + r * p.stride;
            &data[start..start + len]
        };
        match layout.format {
            VideoFormat::Gray8 => {
                for r in 0..mcu {
                    let src = row(0, (first + r).min(h - 1), w);
                    let dst = &mut out.y[r * out.y_stride..(r + 1) * out.y_stride];
                    luma_row(src, dst);
                }
            }
            VideoFormat::I420 | VideoFormat::Nv12 => match self.standard {
                Some(Standard::Bt709) => yuv420::<Bt709>(layout, data, first, out),
                _ => yuv420::<Bt601>(layout, data, first, out),
            },
            VideoFormat::Rgb | VideoFormat::Rgba => {
                let n = if layout.format == VideoFormat::Rgb {
                    3
                } else {
                    4
                };
                let sub = usize::from(sampling == Sampling::S420);
                out.u.resize(out.y_stride * 2, 0);
                out.v.resize(out.y_stride * 2, 0);
                for r in 0..mcu {
                    let src = row(0, (first + r).min(h - 1), w * n);
                    let (ys, cs) = (out.y_stride, out.c_stride);
                    let half = (r & sub) * ys;
                    rgb_row(
                        src,
                        n,
                        &mut out.y[r * ys..(r + 1) * ys],
                        &mut out.u[half..half + ys],
                        &mut out.v[half..half + ys],
                    );
                    if sub == 0 {
                        out.cb[r * cs..(r + 1) * cs].copy_from_slice(&out.u[..ys]);
                        out.cr[r * cs..(r + 1) * cs].copy_from_slice(&out.v[..ys]);
                    } else if r % 2 == 1 {
                        let c = r / 2 * cs..(r / 2 + 1) * cs;
                        halve(&out.u, ys, &mut out.cb[c.clone()]);
                        halve(&out.v, ys, &mut out.cr[c]);
                    }
                }
            }
        }
    }
}

/// The 4:2:0 rows of one MCU row starting at pixel row `first`.
fn yuv420<S: Source>(layout: &FrameLayout, data: &[u8], first: usize, out: &mut McuRows) {
    let (w, h) = (layout.width, layout.height);
    let row = |plane: usize, r: usize, len: usize| -> &[u8] {
        let p = layout.planes[plane];
        let start = p.offset + r * p.stride;
        &data[start..start + len]
    };
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    out.term.resize(cw, 0);
    out.term_wide.resize(cw * 2, 0);
    out.u.resize(cw, 0);
    out.v.resize(cw, 0);
    let has_term = S::M.y_u != 0 || S::M.y_v != 0;
    for cr in 0..8 {
        let src_row = (first / 2 + cr).min(ch - 1);
        if layout.format == VideoFormat::Nv12 {
            let uv = row(1, src_row, cw * 2);
            for ((u, v), p) in out.u.iter_mut().zip(&mut out.v).zip(uv.chunks_exact(2)) {
                *u = (i16::from(p[0]) - 128) << 7;
                *v = (i16::from(p[1]) - 128) << 7;
            }
        } else {
            let (us, vs) = (row(1, src_row, cw), row(2, src_row, cw));
            for (d, &s) in out.u.iter_mut().zip(us) {
                *d = (i16::from(s) - 128) << 7;
            }
            for (d, &s) in out.v.iter_mut().zip(vs) {
                *d = (i16::from(s) - 128) << 7;
            }
        }
        let c = cr * out.c_stride..(cr + 1) * out.c_stride;
        chroma_row::<S>(&out.u, &out.v, &mut out.cb[c.clone()], &mut out.cr[c]);
        let term = if has_term {
            term_row::<S>(&out.u, &out.v, &mut out.term, &mut out.term_wide);
            Some(&out.term_wide[..w])
        } else {
            None
        };
        for r in [2 * cr, 2 * cr + 1] {
            let src = row(0, (first + r).min(h - 1), w);
            let dst = &mut out.y[r * out.y_stride..(r + 1) * out.y_stride];
            match term {
                Some(t) => luma_row_with(src, t, dst),
                None => luma_row(src, dst),
            }
        }
    }
}

/// The high half of `x * k`: `pmulhw` when `k` is a constant.
#[inline(always)]
fn mulhi(x: i16, k: i16) -> i16 {
    ((i32::from(x) * i32::from(k)) >> 16) as i16
}

/// JFIF Cb and Cr (doubled, less 256) of one row of chroma samples (less 128, times
/// 128), padded.
fn chroma_row<S: Source>(u: &[i16], v: &[i16], cb: &mut [i16], cr: &mut [i16]) {
    let m = S::M;
    for (((&u, &v), cb), cr) in u.iter().zip(v).zip(cb.iter_mut()).zip(cr.iter_mut()) {
        let b = mulhi(u, m.cb_u).wrapping_add(mulhi(v, m.cb_v));
        let r = mulhi(u, m.cr_u).wrapping_add(mulhi(v, m.cr_v));
        *cb = (b.wrapping_add(2) >> 2).clamp(MIN, MAX);
        *cr = (r.wrapping_add(2) >> 2).clamp(MIN, MAX);
    }
    pad(cb, u.len());
    pad(cr, u.len());
}

/// The luma term of one row of chroma samples, then repeated for both pixels.
fn term_row<S: Source>(u: &[i16], v: &[i16], term: &mut [i16], wide: &mut [i16]) {
    let m = S::M;
    for ((&u, &v), t) in u.iter().zip(v).zip(term.iter_mut()) {
        *t = mulhi(u, m.y_u)
            .wrapping_add(mulhi(v, m.y_v))
            .wrapping_add(2)
            >> 2;
    }
    for (pair, &t) in wide.chunks_exact_mut(2).zip(term.iter()) {
        pair[0] = t;
        pair[1] = t;
    }
}

/// Repeats `row[len - 1]` to the end of `row`.
fn pad(row: &mut [i16], len: usize) {
    if let Some(&last) = len.checked_sub(1).and_then(|i| row.get(i)) {
        row[len..].fill(last);
    }
}

/// Doubled luma less 256, padded.
fn luma_row(src: &[u8], dst: &mut [i16]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = (i16::from(s) - 128) * 2;
    }
    pad(dst, src.len());
}

/// [`luma_row`] plus the chroma term (`term` as long as `src`), clamped.
fn luma_row_with(src: &[u8], term: &[i16], dst: &mut [i16]) {
    for ((d, &s), &t) in dst.iter_mut().zip(src).zip(term) {
        *d = ((i16::from(s) - 128) * 2 + t).clamp(MIN, MAX);
    }
    pad(dst, src.len());
}

/// Full-range BT.601 weights of R, G, B in 1/65536.
const Y_W: [i32; 3] = [19595, 38470, 7471];
const CB_W: [i32; 3] = [-11059, -21709, 32768];
const CR_W: [i32; 3] = [32768, -27439, -5329];

/// One row of packed RGB(A) pixels (`n` bytes each) into doubled JFIF samples less 256,
/// each output padded.
fn rgb_row(src: &[u8], n: usize, y: &mut [i16], cb: &mut [i16], cr: &mut [i16]) {
    let pixels = src.len() / n;
    for (((px, y), cb), cr) in src
        .chunks_exact(n)
        .zip(y.iter_mut())
        .zip(cb.iter_mut())
        .zip(cr.iter_mut())
    {
        let [r, g, b] = [px[0], px[1], px[2]].map(i32::from);
        // Twice the weighted sum, rounded: (dot + 2^14) >> 15.
        let dot = |w: [i32; 3]| ((w[0] * r + w[1] * g + w[2] * b + (1 << 14)) >> 15) as i16;
        *y = (dot(Y_W) - 256).clamp(MIN, MAX);
        *cb = dot(CB_W).clamp(MIN, MAX);
        *cr = dot(CR_W).clamp(MIN, MAX);
    }
    pad(y, pixels);
    pad(cb, pixels);
    pad(cr, pixels);
}

/// The 2x2 averages of two full-resolution rows (`rows`: `stride` samples each).
fn halve(rows: &[i16], stride: usize, out: &mut [i16]) {
    let (a, b) = rows.split_at(stride);
    for ((o, a), b) in out.iter_mut().zip(a.chunks_exact(2)).zip(b.chunks_exact(2)) {
        *o = (a[0] + a[1] + b[0] + b[1] + 2) >> 2;
    }
}
