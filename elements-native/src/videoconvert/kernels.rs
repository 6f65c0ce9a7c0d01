//! Row kernels: one or two rows of pixels from one representation to another.
//!
//! A key design decision: every loop walks `chunks_exact` slices zipped together, with
//! no indexing and no branches besides the clamp, so the compiler can prove the bounds
//! and vectorise. These are the gray, packing and chroma-interleaving kernels; the
//! Y'CbCr <-> R'G'B' arithmetic lives in `to_rgb` and `to_yuv`.

use super::matrix::{ROUND, SHIFT};

fn clamp_u8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// Full-range gray from `BPP`-byte R'G'B'(A) pixels with BT.601 luma weights.
pub(super) fn rgb_row_to_gray<const BPP: usize>(weights: [i32; 3], rgb: &[u8], out: &mut [u8]) {
    let [wr, wg, wb] = weights;
    for (px, o) in rgb.chunks_exact(BPP).zip(out.iter_mut()) {
        let v = wr * i32::from(px[0]) + wg * i32::from(px[1]) + wb * i32::from(px[2]);
        *o = clamp_u8((v + ROUND) >> SHIFT);
    }
}

/// Gray to `BPP`-byte pixels: RGBA with opaque alpha when 4, RGB when 3.
pub(super) fn gray_row_to_rgb<const BPP: usize>(gray: &[u8], out: &mut [u8]) {
    for (px, &g) in out.chunks_exact_mut(BPP).zip(gray) {
        px.copy_from_slice(&[g, g, g, 255][..BPP]);
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
    use super::*;

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
