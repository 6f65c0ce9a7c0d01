//! Y'CbCr 4:2:0 rows (limited range) to R'G'B'A or R'G'B' rows (full range).
//!
//! A key design decision: both luma rows that share a chroma row are converted in one
//! walk, in blocks of 16 pixels held in arrays, so the chroma terms are computed once
//! per chroma sample and each block is a fixed-size loop of 16-bit arithmetic that LLVM
//! turns into SSE2 vector code (`pmulhw`, `paddw`, `punpcklwd`) without `unsafe`. The
//! ragged end of a row goes through the same block code on a padded copy, so every pixel
//! gets the same arithmetic whatever the width.

use super::matrix::{RGB_FRAC, ToRgb, mulhi};

/// Pixels per block.
const BLOCK: usize = 16;
/// Chroma samples per block.
const HALF: usize = BLOCK / 2;

/// Two luma rows `y` (the same row twice for the last row of an odd height) and their
/// chroma row `u`, `v` (at least `y.len().div_ceil(2)` samples) into two rows of
/// `BPP`-byte pixels: RGBA with opaque alpha when `BPP` is 4, RGB when 3.
pub(super) fn yuv_rows_to_rgb<const BPP: usize>(
    m: &ToRgb,
    y: [&[u8]; 2],
    u: &[u8],
    v: &[u8],
    out: [&mut [u8]; 2],
) {
    let [o0, o1] = out;
    let (o0, _) = o0.as_chunks_mut::<BPP>();
    let (o1, _) = o1.as_chunks_mut::<BPP>();
    let (b0, _) = o0.as_chunks_mut::<BLOCK>();
    let (b1, _) = o1.as_chunks_mut::<BLOCK>();
    let (y0, _) = y[0].as_chunks::<BLOCK>();
    let (y1, _) = y[1].as_chunks::<BLOCK>();
    let (uc, _) = u.as_chunks::<HALF>();
    let (vc, _) = v.as_chunks::<HALF>();
    let blocks = b0
        .iter_mut()
        .zip(b1.iter_mut())
        .zip(y0.iter().zip(y1))
        .zip(uc.iter().zip(vc));
    let mut done = 0;
    for (((o0, o1), (y0, y1)), (u, v)) in blocks {
        block(m, [y0, y1], u, v, [o0, o1]);
        done += 1;
    }
    tail::<BPP>(m, y, u, v, [o0, o1], done);
}

/// The pixels after the last whole block, through a padded copy.
fn tail<const BPP: usize>(
    m: &ToRgb,
    y: [&[u8]; 2],
    u: &[u8],
    v: &[u8],
    out: [&mut [[u8; BPP]]; 2],
    blocks: usize,
) {
    let (px, cx) = (blocks * BLOCK, blocks * HALF);
    let n = y[0].len().min(y[1].len()).saturating_sub(px);
    if n == 0 {
        return;
    }
    let mut ys = [[0u8; BLOCK]; 2];
    for (dst, src) in ys.iter_mut().zip(y) {
        copy_from(dst, src.get(px..).unwrap_or_default());
    }
    let (mut us, mut vs) = ([128u8; HALF], [128u8; HALF]);
    copy_from(&mut us, u.get(cx..).unwrap_or_default());
    copy_from(&mut vs, v.get(cx..).unwrap_or_default());
    let mut outs = [[[0u8; BPP]; BLOCK]; 2];
    let [t0, t1] = &mut outs;
    block(m, [&ys[0], &ys[1]], &us, &vs, [t0, t1]);
    for (dst, src) in out.into_iter().zip(&outs) {
        let dst = dst.get_mut(px..).unwrap_or_default();
        let n = dst.len().min(n);
        dst[..n].copy_from_slice(&src[..n]);
    }
}

/// Copies the start of `src` into `dst`, as much as fits.
fn copy_from(dst: &mut [u8], src: &[u8]) {
    let n = dst.len().min(src.len());
    dst[..n].copy_from_slice(&src[..n]);
}

/// One channel from its Q5 sum: rounded (the bias holds the half), clamped to 0..255.
#[inline(always)]
fn channel(v: i16) -> u16 {
    (v >> RGB_FRAC).clamp(0, 255) as u16
}

/// 16 pixels of two rows. No sum can overflow `i16` for any input byte: the largest
/// is (255 - 16) * 1.17 * 32 + 2.12 * 127 * 32, about 17550.
#[inline(always)]
fn block<const BPP: usize>(
    m: &ToRgb,
    y: [&[u8; BLOCK]; 2],
    u: &[u8; HALF],
    v: &[u8; HALF],
    out: [&mut [[u8; BPP]; BLOCK]; 2],
) {
    // Without the barrier LLVM hoists the coefficient splats out of the row loop, and
    // instruction selection, which sees one basic block at a time, can no longer tell
    // they are 16-bit values: every `mulhi` then becomes a 32-bit multiply emulated
    // with `pmuludq` and shuffles instead of one `pmulhw`. Reloading the six
    // coefficients per block costs nothing measurable.
    let m = std::hint::black_box(*m);
    let (mut r, mut g, mut b) = ([0i16; HALF], [0i16; HALF], [0i16; HALF]);
    for i in 0..HALF {
        let cb = (i16::from(u[i]) - 128) << 8;
        let cr = (i16::from(v[i]) - 128) << 8;
        r[i] = mulhi(cr, m.r_cr) + m.bias;
        g[i] = m.bias - mulhi(cb, m.g_cb) - mulhi(cr, m.g_cr);
        b[i] = mulhi(cb, m.b_cb) + m.bias;
    }
    // One chroma term per pixel, as separate loops: a shuffle each, where indexing
    // `r[i / 2]` in the pixel loop defeats the vectoriser.
    let (mut r2, mut g2, mut b2) = ([0i16; BLOCK], [0i16; BLOCK], [0i16; BLOCK]);
    for i in 0..BLOCK {
        r2[i] = r[i / 2];
        g2[i] = g[i / 2];
        b2[i] = b[i / 2];
    }
    let [o0, o1] = out;
    row(&m, y[0], [&r2, &g2, &b2], o0);
    row(&m, y[1], [&r2, &g2, &b2], o1);
}

/// 16 pixels of one row from their luma and per-pixel chroma terms.
#[inline(always)]
fn row<const BPP: usize>(
    m: &ToRgb,
    y: &[u8; BLOCK],
    [r, g, b]: [&[i16; BLOCK]; 3],
    out: &mut [[u8; BPP]; BLOCK],
) {
    // Channels paired into 16-bit words (R|G, B|A), then interleaved word-wise: the
    // shapes SSE2 has instructions for (`psllw`/`por`, `punpcklwd`); writing bytes
    // one by one compiles to scalar extracts.
    let (mut rg, mut ba) = ([0u16; BLOCK], [0u16; BLOCK]);
    for i in 0..BLOCK {
        let l = mulhi((i16::from(y[i]) - 16) << 7, m.y);
        rg[i] = channel(l + r[i]) | channel(l + g[i]) << 8;
        ba[i] = channel(l + b[i]) | 0xff00;
    }
    let mut px = [[0u8; 4]; BLOCK];
    for i in 0..BLOCK {
        let [r, g] = rg[i].to_le_bytes();
        let [b, a] = ba[i].to_le_bytes();
        px[i] = [r, g, b, a];
    }
    for (o, p) in out.iter_mut().zip(&px) {
        o.copy_from_slice(&p[..BPP]);
    }
}
