//! Frames as `jpeg-encoder` image sources: rows of JFIF (full-range BT.601) Y'CbCr or
//! gray, read straight out of the frame's planes.
//!
//! A key design decision: 4:2:0 input is converted to JFIF with per-sample fixed-point
//! tables (limited to full range, and BT.709 to BT.601 for HD frames by GStreamer's
//! default, because JFIF is always BT.601) and handed over with its chroma repeated per
//! pixel; the encoder subsamples it back (2x2) exactly, so the only loss is rounding.

use jpeg_encoder::{ImageBuffer, JpegColorType};

use crate::util::video_format::{FrameLayout, VideoFormat};
use crate::videoconvert::matrix::Standard;

/// Rows `first..first + rows` of one frame of raw video, ready to be encoded (the whole
/// frame, or one stripe of it).
#[derive(Clone, Copy)]
pub(super) struct FrameSource<'a> {
    pub(super) layout: &'a FrameLayout,
    pub(super) data: &'a [u8],
    pub(super) luts: &'a Luts,
    pub(super) first: usize,
    pub(super) rows: usize,
}

/// Fractional bits of the fixed-point tables.
const SHIFT: u32 = 16;
const ROUND: i32 = 1 << (SHIFT - 1);

fn fixed(v: f64) -> i32 {
    (v * f64::from(1 << SHIFT)).round() as i32
}

fn clamp_u8(v: i32) -> u8 {
    (v >> SHIFT).clamp(0, 255) as u8
}

/// Limited-range Y'CbCr (BT.601 or BT.709) to JFIF (full-range BT.601) Y'CbCr as
/// per-sample tables in fixed point.
///
/// The change is affine — through R'G'B' without clamping it, as a decoder would — so
/// each output is a sum of one table entry per input sample: luma is `y + f(cb) +
/// g(cr)` (the chroma terms are zero for BT.601), chroma depends on Cb and Cr only and
/// is computed once per chroma sample instead of per pixel.
#[derive(Debug)]
pub(super) struct Luts {
    y: [i32; 256],
    cb_y: [i32; 256],
    cr_y: [i32; 256],
    cb_cb: [i32; 256],
    cr_cb: [i32; 256],
    cb_cr: [i32; 256],
    cr_cr: [i32; 256],
}

impl Luts {
    pub(super) fn new(standard: Standard) -> Self {
        let (kr, kb) = match standard {
            Standard::Bt601 => (0.299, 0.114),
            Standard::Bt709 => (0.2126, 0.0722),
        };
        let kg = 1.0 - kr - kb;
        // Source Cb/Cr (normalised to full range) into R'G'B' ...
        let (r_cr, g_cb, g_cr, b_cb) = (
            2.0 * (1.0 - kr),
            2.0 * kb * (1.0 - kb) / kg,
            2.0 * kr * (1.0 - kr) / kg,
            2.0 * (1.0 - kb),
        );
        // ... and R'G'B' into BT.601 luma: Y601 = Y + a*Cb + b*Cr.
        let a = -0.587 * g_cb + 0.114 * b_cb;
        let b = 0.299 * r_cr - 0.587 * g_cr;
        // Cb601 = (B - Y601) * 0.5/0.886, Cr601 = (R - Y601) * 0.5/0.701.
        let (sb, sr) = (0.5 / 0.886, 0.5 / 0.701);
        let ys = 255.0 / 219.0;
        let cs = 255.0 / 224.0;
        let mut t = Luts {
            y: [0; 256],
            cb_y: [0; 256],
            cr_y: [0; 256],
            cb_cb: [0; 256],
            cr_cb: [0; 256],
            cb_cr: [0; 256],
            cr_cr: [0; 256],
        };
        for i in 0..256 {
            let v = i as f64;
            let c = (v - 128.0) * cs;
            // The rounding constant and the +128 offset ride on the luma and Cb/Cr-by-Cb
            // entries, so a pixel is one add per term and a shift.
            t.y[i] = fixed((v - 16.0) * ys) + ROUND;
            t.cb_y[i] = fixed(a * c);
            t.cr_y[i] = fixed(b * c);
            t.cb_cb[i] = fixed(128.0 + (b_cb - a) * sb * c) + ROUND;
            t.cr_cb[i] = fixed(-b * sb * c);
            t.cb_cr[i] = fixed(-a * sr * c) + ROUND;
            t.cr_cr[i] = fixed(128.0 + (r_cr - b) * sr * c);
        }
        t
    }

    /// Appends one row of 4:2:0 luma `y` with its chroma row `u`, `v` (repeated per
    /// pixel; the encoder subsamples it back exactly).
    fn yuv420_row(
        &self,
        y: &[u8],
        mut chroma: impl Iterator<Item = (u8, u8)>,
        out: &mut [Vec<u8>; 4],
    ) {
        let [yb, cbb, crb, _] = out;
        let n = y.len();
        let (ys, cbs, crs) = (yb.len(), cbb.len(), crb.len());
        yb.resize(ys + n, 0);
        cbb.resize(cbs + n, 0);
        crb.resize(crs + n, 0);
        let (yo, cbo, cro) = (&mut yb[ys..], &mut cbb[cbs..], &mut crb[crs..]);
        // Whole pairs with fixed-size chunks (a 2-byte `fill` on a slice of unknown
        // length became a `memset` call per pixel pair), then the odd last column.
        let pairs = yo
            .chunks_exact_mut(2)
            .zip(cbo.chunks_exact_mut(2))
            .zip(cro.chunks_exact_mut(2))
            .zip(y.chunks_exact(2).zip(chroma.by_ref()));
        for (((yo, cbo), cro), (yi, (u, v))) in pairs {
            let (cy, cb, cr) = self.chroma(u, v);
            yo[0] = clamp_u8(self.y[usize::from(yi[0])] + cy);
            yo[1] = clamp_u8(self.y[usize::from(yi[1])] + cy);
            cbo[0] = cb;
            cbo[1] = cb;
            cro[0] = cr;
            cro[1] = cr;
        }
        // An odd width leaves one column with a chroma sample of its own (the rows
        // hold width.div_ceil(2) samples).
        let odd = n.checked_sub(1).filter(|_| n % 2 == 1);
        if let (Some(i), Some((u, v))) = (odd, chroma.next()) {
            let l = y[i];
            let (cy, cb, cr) = self.chroma(u, v);
            yo[i] = clamp_u8(self.y[usize::from(l)] + cy);
            cbo[i] = cb;
            cro[i] = cr;
        }
    }

    /// The luma term and the two JFIF chroma values of one chroma sample.
    fn chroma(&self, u: u8, v: u8) -> (i32, u8, u8) {
        let (u, v) = (usize::from(u), usize::from(v));
        (
            self.cb_y[u] + self.cr_y[v],
            clamp_u8(self.cb_cb[u] + self.cr_cb[v]),
            clamp_u8(self.cb_cr[u] + self.cr_cr[v]),
        )
    }
}

/// Full-range BT.601 luma and chroma weights of R, G, B in fixed point.
const Y_W: [i32; 3] = [19595, 38470, 7471];
const CB_W: [i32; 3] = [-11059, -21709, 32768];
const CR_W: [i32; 3] = [32768, -27439, -5329];

/// Appends one row of packed RGB(A) pixels (`n` bytes each) as JFIF Y'CbCr.
fn rgb_row(row: &[u8], n: usize, out: &mut [Vec<u8>; 4]) {
    let [yb, cbb, crb, _] = out;
    for px in row.chunks_exact(n) {
        let [r, g, b] = [px[0], px[1], px[2]].map(i32::from);
        let dot = |w: [i32; 3]| w[0] * r + w[1] * g + w[2] * b + ROUND;
        yb.push(clamp_u8(dot(Y_W)));
        cbb.push(clamp_u8(dot(CB_W) + (128 << SHIFT)));
        crb.push(clamp_u8(dot(CR_W) + (128 << SHIFT)));
    }
}

impl ImageBuffer for FrameSource<'_> {
    fn get_jpeg_color_type(&self) -> JpegColorType {
        match self.layout.format {
            VideoFormat::Gray8 => JpegColorType::Luma,
            _ => JpegColorType::Ycbcr,
        }
    }

    // The caps limit (16384) keeps both dimensions within u16.
    fn width(&self) -> u16 {
        self.layout.width as u16
    }

    fn height(&self) -> u16 {
        self.rows as u16
    }

    fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
        let (l, w, r) = (self.layout, self.layout.width, self.first + usize::from(y));
        let p = l.planes;
        let at = |plane: usize, row: usize, len: usize| {
            let start = p[plane].offset + row * p[plane].stride;
            &self.data[start..start + len]
        };
        match l.format {
            VideoFormat::Gray8 => buffers[0].extend_from_slice(at(0, r, w)),
            VideoFormat::Rgb | VideoFormat::Rgba => {
                let n = if l.format == VideoFormat::Rgb { 3 } else { 4 };
                rgb_row(at(0, r, w * n), n, buffers);
            }
            VideoFormat::I420 | VideoFormat::Nv12 => {
                let cw = w.div_ceil(2);
                let luma = at(0, r, w);
                if l.format == VideoFormat::Nv12 {
                    let uv = at(1, r / 2, cw * 2).chunks_exact(2).map(|p| (p[0], p[1]));
                    self.luts.yuv420_row(luma, uv, buffers);
                } else {
                    let (u, v) = (at(1, r / 2, cw), at(2, r / 2, cw));
                    let uv = u.iter().copied().zip(v.iter().copied());
                    self.luts.yuv420_row(luma, uv, buffers);
                }
            }
        }
    }
}
