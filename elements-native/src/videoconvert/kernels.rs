//! Row kernels: one or two rows of pixels from one representation to another.
//!
//! A key design decision: every loop walks `chunks_exact` slices zipped together, with
//! no indexing and no branches besides the clamp, so the compiler can prove the bounds
//! and vectorise; chroma terms are computed once per chroma sample into scratch rows
//! and then widened, instead of being recomputed per pixel.

use super::matrix::{ROUND, SHIFT, ToRgb, ToYuv};

fn clamp_u8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// Per-chroma-sample R, G and B offsets, widened to one entry per pixel.
#[derive(Debug, Default)]
pub(super) struct ChromaTerms {
    r: Vec<i32>,
    g: Vec<i32>,
    b: Vec<i32>,
}

impl ChromaTerms {
    /// Fills the terms for chroma samples `u`, `v` (one per two pixels) for a row of
    /// `2 * u.len()` pixels.
    pub(super) fn fill(&mut self, m: &ToRgb, u: &[u8], v: &[u8]) {
        let n = u.len().min(v.len()) * 2;
        for t in [&mut self.r, &mut self.g, &mut self.b] {
            t.resize(n, 0);
        }
        let pairs = self
            .r
            .chunks_exact_mut(2)
            .zip(self.g.chunks_exact_mut(2))
            .zip(self.b.chunks_exact_mut(2))
            .zip(u.iter().zip(v));
        for (((r, g), b), (&cb, &cr)) in pairs {
            let cb = i32::from(cb) - 128;
            let cr = i32::from(cr) - 128;
            let rv = m.r_cr * cr + ROUND;
            let gv = ROUND - m.g_cb * cb - m.g_cr * cr;
            let bv = m.b_cb * cb + ROUND;
            r[0] = rv;
            r[1] = rv;
            g[0] = gv;
            g[1] = gv;
            b[0] = bv;
            b[1] = bv;
        }
    }
}

/// One row of limited-range luma plus widened chroma terms to RGBA (alpha 255).
pub(super) fn yuv_row_to_rgba(m: &ToRgb, y: &[u8], c: &ChromaTerms, out: &mut [u8]) {
    let rows = out
        .chunks_exact_mut(4)
        .zip(y)
        .zip(c.r.iter().zip(&c.g).zip(&c.b));
    for ((px, &y), ((&r, &g), &b)) in rows {
        let y = m.y * (i32::from(y) - 16);
        px[0] = clamp_u8((y + r) >> SHIFT);
        px[1] = clamp_u8((y + g) >> SHIFT);
        px[2] = clamp_u8((y + b) >> SHIFT);
        px[3] = 255;
    }
}

/// One RGBA row to limited-range luma.
pub(super) fn rgba_row_to_y(m: &ToYuv, rgba: &[u8], y: &mut [u8]) {
    let [wr, wg, wb] = m.y;
    for (px, y) in rgba.chunks_exact(4).zip(y.iter_mut()) {
        let v = wr * i32::from(px[0]) + wg * i32::from(px[1]) + wb * i32::from(px[2]);
        *y = clamp_u8(16 + ((v + ROUND) >> SHIFT));
    }
}

/// One chroma sample from the sums of R, G and B over `n` pixels.
fn chroma(m: &ToYuv, r: i32, g: i32, b: i32, n: i32) -> (u8, u8) {
    // The sum of n pixels, so the shift also divides by n (n is 1, 2 or 4).
    let shift = SHIFT + n.trailing_zeros();
    let round = 1 << (shift - 1);
    let cb = m.cb[0] * r + m.cb[1] * g + m.cb[2] * b;
    let cr = m.cr[0] * r + m.cr[1] * g + m.cr[2] * b;
    (
        clamp_u8(128 + ((cb + round) >> shift)),
        clamp_u8(128 + ((cr + round) >> shift)),
    )
}

/// Two RGBA rows (the same row twice for the last row of an odd height) to one row of
/// 2x2-averaged chroma.
pub(super) fn rgba_rows_to_uv(m: &ToYuv, r0: &[u8], r1: &[u8], u: &mut [u8], v: &mut [u8]) {
    let blocks = r0
        .chunks_exact(8)
        .zip(r1.chunks_exact(8))
        .zip(u.iter_mut().zip(v.iter_mut()));
    for ((a, b), (u, v)) in blocks {
        let r = i32::from(a[0]) + i32::from(a[4]) + i32::from(b[0]) + i32::from(b[4]);
        let g = i32::from(a[1]) + i32::from(a[5]) + i32::from(b[1]) + i32::from(b[5]);
        let bl = i32::from(a[2]) + i32::from(a[6]) + i32::from(b[2]) + i32::from(b[6]);
        (*u, *v) = chroma(m, r, g, bl, 4);
    }
    // An odd width leaves one column: its chroma comes from two pixels.
    let done = r0.len() / 8;
    if let (Some(a), Some(b), Some(u), Some(v)) = (
        r0.chunks_exact(8).remainder().get(..4),
        r1.chunks_exact(8).remainder().get(..4),
        u.get_mut(done),
        v.get_mut(done),
    ) {
        let sum = |i: usize| i32::from(a[i]) + i32::from(b[i]);
        (*u, *v) = chroma(m, sum(0), sum(1), sum(2), 2);
    }
}

/// Full-range gray from RGBA with BT.601 luma weights.
pub(super) fn rgba_row_to_gray(weights: [i32; 3], rgba: &[u8], out: &mut [u8]) {
    let [wr, wg, wb] = weights;
    for (px, o) in rgba.chunks_exact(4).zip(out.iter_mut()) {
        let v = wr * i32::from(px[0]) + wg * i32::from(px[1]) + wb * i32::from(px[2]);
        *o = clamp_u8((v + ROUND) >> SHIFT);
    }
}

/// Gray (or RGB) to RGBA with opaque alpha.
pub(super) fn gray_row_to_rgba(gray: &[u8], out: &mut [u8]) {
    for (px, &g) in out.chunks_exact_mut(4).zip(gray) {
        px.copy_from_slice(&[g, g, g, 255]);
    }
}

/// Packed RGB to RGBA with opaque alpha.
pub(super) fn rgb_row_to_rgba(rgb: &[u8], out: &mut [u8]) {
    for (px, s) in out.chunks_exact_mut(4).zip(rgb.chunks_exact(3)) {
        px.copy_from_slice(&[s[0], s[1], s[2], 255]);
    }
}

/// RGBA to packed RGB (alpha dropped).
pub(super) fn rgba_row_to_rgb(rgba: &[u8], out: &mut [u8]) {
    for (px, s) in out.chunks_exact_mut(3).zip(rgba.chunks_exact(4)) {
        px.copy_from_slice(&s[..3]);
    }
}

/// Limited-range luma (16..235) to full-range gray.
pub(super) fn y_row_to_gray(y: &[u8], out: &mut [u8]) {
    for (o, &y) in out.iter_mut().zip(y) {
        *o = clamp_u8(((i32::from(y) - 16) * 255 * 2 + 219) / (219 * 2));
    }
}

/// Full-range gray to limited-range luma.
pub(super) fn gray_row_to_y(gray: &[u8], out: &mut [u8]) {
    for (o, &g) in out.iter_mut().zip(gray) {
        *o = clamp_u8(16 + (i32::from(g) * 219 * 2 + 255) / (255 * 2));
    }
}

/// Splits an interleaved UV row (NV12) into U and V.
pub(super) fn split_uv(uv: &[u8], u: &mut [u8], v: &mut [u8]) {
    for (s, (u, v)) in uv.chunks_exact(2).zip(u.iter_mut().zip(v.iter_mut())) {
        *u = s[0];
        *v = s[1];
    }
}

/// Interleaves U and V into one NV12 row.
pub(super) fn merge_uv(u: &[u8], v: &[u8], uv: &mut [u8]) {
    for (d, (&u, &v)) in uv.chunks_exact_mut(2).zip(u.iter().zip(v)) {
        d[0] = u;
        d[1] = v;
    }
}

#[cfg(test)]
mod tests {
    use super::super::matrix::Standard;
    use super::*;

    #[test]
    fn bt601_bars_match_gstreamers_table() {
        let f = ToYuv::new(Standard::Bt601);
        let mut y = [0u8; 3];
        let rgba = [255, 255, 255, 255, 255, 0, 0, 255, 0, 0, 255, 255];
        rgba_row_to_y(&f, &rgba, &mut y);
        assert_eq!(y, [235, 81, 41]);
        let (mut u, mut v) = ([0u8; 1], [0u8; 1]);
        let red = [255, 0, 0, 255, 255, 0, 0, 255];
        rgba_rows_to_uv(&f, &red, &red, &mut u, &mut v);
        assert_eq!((u[0], v[0]), (90, 240));
    }

    #[test]
    fn yuv_to_rgb_inverts_the_forward_matrix() {
        for standard in [Standard::Bt601, Standard::Bt709] {
            let (to_rgb, to_yuv) = (ToRgb::new(standard), ToYuv::new(standard));
            for rgb in [
                [255u8, 0, 0],
                [0, 255, 0],
                [0, 0, 255],
                [12, 200, 99],
                [128; 3],
            ] {
                let px = [rgb[0], rgb[1], rgb[2], 255, rgb[0], rgb[1], rgb[2], 255];
                let (mut y, mut u, mut v) = ([0u8; 2], [0u8; 1], [0u8; 1]);
                rgba_row_to_y(&to_yuv, &px, &mut y);
                rgba_rows_to_uv(&to_yuv, &px, &px, &mut u, &mut v);
                let mut terms = ChromaTerms::default();
                terms.fill(&to_rgb, &u, &v);
                let mut out = [0u8; 8];
                yuv_row_to_rgba(&to_rgb, &y, &terms, &mut out);
                for c in 0..3 {
                    let diff = (i32::from(out[c]) - i32::from(rgb[c])).abs();
                    assert!(diff <= 2, "{standard:?} {rgb:?} -> {out:?}");
                }
            }
        }
    }

    #[test]
    fn gray_range_round_trip_is_close() {
        let gray: Vec<u8> = (0..=255).collect();
        let (mut y, mut back) = (vec![0; 256], vec![0; 256]);
        gray_row_to_y(&gray, &mut y);
        assert_eq!((y[0], y[255]), (16, 235));
        y_row_to_gray(&y, &mut back);
        for (a, b) in gray.iter().zip(&back) {
            assert!(a.abs_diff(*b) <= 1, "{a} -> {b}");
        }
    }
}
