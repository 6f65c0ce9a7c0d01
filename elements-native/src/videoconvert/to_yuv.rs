//! R'G'B'A or R'G'B' rows (full range) to Y'CbCr 4:2:0 rows (limited range).
//!
//! A key design decision: as in `to_rgb`, two source rows are walked together in blocks
//! of 16 pixels held in arrays, in 16-bit arithmetic that LLVM vectorises for SSE2
//! (`pmulhw`); chroma is computed from the sum of each 2x2 block (scaled into the
//! coefficient, so averaging costs nothing), and the ragged end of a row goes through
//! the same block code on a copy padded by repeating the last pixel, so an odd width's
//! last chroma sample is the average of its one column.

use super::matrix::{ToYuv, YUV_FRAC, mulhi};

/// Pixels per block.
const BLOCK: usize = 16;
/// Chroma samples per block.
const HALF: usize = BLOCK / 2;

/// Two rows of `BPP`-byte pixels (RGBA when 4, alpha ignored; RGB when 3; the same row
/// twice for the last row of an odd height) to two luma rows and one chroma row of
/// 2x2 averages (`u`, `v`: at least `width.div_ceil(2)` samples).
pub(super) fn rgb_rows_to_yuv<const BPP: usize>(
    m: &ToYuv,
    src: [&[u8]; 2],
    y: [&mut [u8]; 2],
    u: &mut [u8],
    v: &mut [u8],
) {
    let (s0, _) = src[0].as_chunks::<BPP>();
    let (s1, _) = src[1].as_chunks::<BPP>();
    let (sb0, _) = s0.as_chunks::<BLOCK>();
    let (sb1, _) = s1.as_chunks::<BLOCK>();
    let [y0, y1] = y;
    let (yb0, _) = y0.as_chunks_mut::<BLOCK>();
    let (yb1, _) = y1.as_chunks_mut::<BLOCK>();
    let (ub, _) = u.as_chunks_mut::<HALF>();
    let (vb, _) = v.as_chunks_mut::<HALF>();
    let blocks = sb0
        .iter()
        .zip(sb1)
        .zip(yb0.iter_mut().zip(yb1.iter_mut()))
        .zip(ub.iter_mut().zip(vb.iter_mut()));
    let mut done = 0;
    for (((s0, s1), (y0, y1)), (u, v)) in blocks {
        block(m, [s0, s1], [y0, y1], u, v);
        done += 1;
    }
    tail([s0, s1], [y0, y1], u, v, m, done);
}

/// The pixels after the last whole block, through a copy padded with the last pixel.
fn tail<const BPP: usize>(
    src: [&[[u8; BPP]]; 2],
    y: [&mut [u8]; 2],
    u: &mut [u8],
    v: &mut [u8],
    m: &ToYuv,
    blocks: usize,
) {
    let (px, cx) = (blocks * BLOCK, blocks * HALF);
    let n = src[0].len().min(src[1].len()).saturating_sub(px);
    if n == 0 {
        return;
    }
    let mut pad = [[[0u8; BPP]; BLOCK]; 2];
    for (dst, src) in pad.iter_mut().zip(src) {
        let src = src.get(px..).unwrap_or_default();
        for (i, d) in dst.iter_mut().enumerate() {
            if let Some(p) = src.get(i).or(src.last()) {
                *d = *p;
            }
        }
    }
    let (mut ys, mut us, mut vs) = ([[0u8; BLOCK]; 2], [0u8; HALF], [0u8; HALF]);
    let [ys0, ys1] = &mut ys;
    block(m, [&pad[0], &pad[1]], [ys0, ys1], &mut us, &mut vs);
    for (dst, src) in y.into_iter().zip(&ys) {
        copy_into(dst.get_mut(px..).unwrap_or_default(), &src[..n]);
    }
    copy_into(u.get_mut(cx..).unwrap_or_default(), &us[..n.div_ceil(2)]);
    copy_into(v.get_mut(cx..).unwrap_or_default(), &vs[..n.div_ceil(2)]);
}

/// Copies as much of `src` as fits into the start of `dst`.
fn copy_into(dst: &mut [u8], src: &[u8]) {
    let n = dst.len().min(src.len());
    dst[..n].copy_from_slice(&src[..n]);
}

/// One sample from its Q6 sum (the bias holds the offset and the half).
#[inline(always)]
fn sample(v: i16) -> u8 {
    (v >> YUV_FRAC).clamp(0, 255) as u8
}

/// 16 pixels of two rows. No sum can overflow `i16`: luma sums stay within 0..14100
/// and chroma within +-7300 before the bias (8225).
#[inline(always)]
fn block<const BPP: usize>(
    m: &ToYuv,
    src: [&[[u8; BPP]; BLOCK]; 2],
    y: [&mut [u8; BLOCK]; 2],
    u: &mut [u8; HALF],
    v: &mut [u8; HALF],
) {
    // See `to_rgb::block`: keeps the coefficients visibly 16-bit to the instruction
    // selector, so the products are `pmulhw`.
    let m = std::hint::black_box(*m);
    let [y0, y1] = y;
    let c0 = row(&m, src[0], y0);
    let c1 = row(&m, src[1], y1);
    // The channels summed over each 2x2 block (at most 1020), times 32.
    let mut sums = [[0i16; HALF]; 3];
    for (c, sum) in sums.iter_mut().enumerate() {
        for i in 0..HALF {
            sum[i] = (c0[c][2 * i] + c0[c][2 * i + 1] + c1[c][2 * i] + c1[c][2 * i + 1]) << 5;
        }
    }
    let [r, g, b] = sums;
    for i in 0..HALF {
        let cb = mulhi(r[i], m.cb[0]) + mulhi(g[i], m.cb[1]) + mulhi(b[i], m.cb[2]);
        let cr = mulhi(r[i], m.cr[0]) + mulhi(g[i], m.cr[1]) + mulhi(b[i], m.cr[2]);
        u[i] = sample(cb + m.c_bias);
        v[i] = sample(cr + m.c_bias);
    }
}

/// Luma of 16 pixels of one row; returns their R, G and B as 16-bit lanes for the
/// chroma sums.
#[inline(always)]
fn row<const BPP: usize>(
    m: &ToYuv,
    src: &[[u8; BPP]; BLOCK],
    y: &mut [u8; BLOCK],
) -> [[i16; BLOCK]; 3] {
    // Pixels as 16-bit words R|G and B|A, split with masks and shifts: the shapes
    // SSE2 has instructions for, where picking bytes one by one compiles to scalar
    // code.
    let (mut rg, mut ba) = ([0u16; BLOCK], [0u16; BLOCK]);
    for (i, p) in src.iter().enumerate() {
        rg[i] = u16::from_le_bytes([p[0], p[1]]);
        ba[i] = u16::from(p[2]);
    }
    let mut ch = [[0i16; BLOCK]; 3];
    for i in 0..BLOCK {
        let (r, g, b) = (rg[i] & 0xff, rg[i] >> 8, ba[i] & 0xff);
        ch[0][i] = r as i16;
        ch[1][i] = g as i16;
        ch[2][i] = b as i16;
        let l = mulhi((r << 7) as i16, m.y[0])
            + mulhi((g << 7) as i16, m.y[1])
            + mulhi((b << 7) as i16, m.y[2]);
        y[i] = sample(l + m.y_bias);
    }
    ch
}
