//! The inverse DCT of one dequantised 8x8 block, libjpeg's fast integer method
//! (`jidctfst.c`, the Arai-Agui-Nakajima form with 8-bit constants), the default of
//! GStreamer's `jpegdec` (`idct-method=ifast`), so pixels match `djpeg -dct fast`.
//!
//! A key design decision: everything is 16-bit arithmetic that wraps, and each constant
//! multiply is `(x << 2) * (c << 6) >> 16`, exactly the SSE2 code libjpeg-turbo runs on
//! x86 (`jidctfst-sse2.asm`: `psllw`, `pmulhw`, `paddw`). Where no sum overflows this
//! equals the C version; where one does (only for pathological coefficients) it still
//! equals what `djpeg` gives here. Eight lanes of 16 bits are one SSE2 register, and the
//! `(i32 * i32) >> 16` pattern is what LLVM turns into `pmulhw`, so both passes
//! vectorise without `unsafe`. The AAN scale factors live in the dequantisation table
//! ([`scaled_quant`]), so the transform has five multiplies per 1-D pass.

use super::huffman::ZIGZAG;

/// libjpeg's `aanscales` (jddctmgr.c): `16384 * s(u) * s(v)` with `s(0) = 1`,
/// `s(k) = sqrt(2) * cos(k * pi / 16)`, in natural order.
const AAN_SCALES: [u32; 64] = [
    16384, 22725, 21407, 19266, 16384, 12873, 8867, 4520, //
    22725, 31521, 29692, 26722, 22725, 17855, 12299, 6270, //
    21407, 29692, 27969, 25172, 21407, 16819, 11585, 5906, //
    19266, 26722, 25172, 22654, 19266, 15137, 10426, 5315, //
    16384, 22725, 21407, 19266, 16384, 12873, 8867, 4520, //
    12873, 17855, 16819, 15137, 12873, 10114, 6967, 3552, //
    8867, 12299, 11585, 10426, 8867, 6967, 4799, 2446, //
    4520, 6270, 5906, 5315, 4520, 3552, 2446, 1247,
];

/// The ifast multiplier table for a quantisation table (both in zig-zag order):
/// `round(q * aanscale / 2^12)`, truncated to 16 bits as libjpeg's `IFAST_MULT_TYPE`
/// (`short`) does for 16-bit tables.
pub(super) fn scaled_quant(quant: &[u16; 64]) -> [u16; 64] {
    let mut out = [0u16; 64];
    for (k, (o, &q)) in out.iter_mut().zip(quant).enumerate() {
        let scale = u64::from(AAN_SCALES[usize::from(ZIGZAG[k])]);
        *o = ((u64::from(q) * scale + (1 << 11)) >> 12) as u16;
    }
    out
}

// FIX(x) = round(x * 2^8), pre-shifted by 6 so that `pmulhw` of `x << 2` gives
// `x * FIX >> 8`; 2.613 is applied as `-1.613 * z - z` to stay within 16 bits.
const F_1_414: i16 = 362 << 6;
const F_1_847: i16 = 473 << 6;
const MF_1_613: i16 = -((669 - 256) << 6);
const F_1_082: i16 = 277 << 6;

/// The high half of the 16x16-bit product (`pmulhw`).
#[inline(always)]
fn mul_high(a: i16, b: i16) -> i16 {
    ((i32::from(a) * i32::from(b)) >> 16) as i16
}

/// One 1-D IDCT of eight lanes at once: `input[u * 8 + i]` is frequency `u` of lane `i`;
/// `put(y, i, v)` gets sample `y` of lane `i` (unscaled).
#[inline(always)]
fn idct_1d<const N: usize>(input: &[i16; 64], mut put: impl FnMut(usize, usize, i16)) {
    for i in 0..8 {
        let at = |u: usize| if u >= N { 0 } else { input[u * 8 + i] };
        // Even part.
        let (c0, c2, c4, c6) = (at(0), at(2), at(4), at(6));
        let tmp10 = c0.wrapping_add(c4);
        let tmp11 = c0.wrapping_sub(c4);
        let tmp13 = c2.wrapping_add(c6);
        let tmp12 = mul_high(c2.wrapping_sub(c6) << 2, F_1_414).wrapping_sub(tmp13);
        let e0 = tmp10.wrapping_add(tmp13);
        let e3 = tmp10.wrapping_sub(tmp13);
        let e1 = tmp11.wrapping_add(tmp12);
        let e2 = tmp11.wrapping_sub(tmp12);
        // Odd part.
        let (c1, c3, c5, c7) = (at(1), at(3), at(5), at(7));
        let z13 = c5.wrapping_add(c3);
        let z10 = c5.wrapping_sub(c3);
        let z11 = c1.wrapping_add(c7);
        let z12 = c1.wrapping_sub(c7);
        let tmp7 = z11.wrapping_add(z13);
        let tmp11 = mul_high(z11.wrapping_sub(z13) << 2, F_1_414);
        let (z10s, z12s) = (z10 << 2, z12 << 2);
        let z5 = mul_high(z10s.wrapping_add(z12s), F_1_847);
        let tmp10 = mul_high(z12s, F_1_082).wrapping_sub(z5);
        let tmp12 = mul_high(z10s, MF_1_613).wrapping_sub(z10).wrapping_add(z5);
        let tmp6 = tmp12.wrapping_sub(tmp7);
        let tmp5 = tmp11.wrapping_sub(tmp6);
        let tmp4 = tmp10.wrapping_add(tmp5);
        put(0, i, e0.wrapping_add(tmp7));
        put(7, i, e0.wrapping_sub(tmp7));
        put(1, i, e1.wrapping_add(tmp6));
        put(6, i, e1.wrapping_sub(tmp6));
        put(2, i, e2.wrapping_add(tmp5));
        put(5, i, e2.wrapping_sub(tmp5));
        put(4, i, e3.wrapping_add(tmp4));
        put(3, i, e3.wrapping_sub(tmp4));
    }
}

/// The final descale (`PASS1_BITS + 3`), saturated to a signed byte and re-centred:
/// `psraw`, `packsswb`, `paddb 128`.
#[inline(always)]
fn to_sample(v: i16) -> u8 {
    ((v >> 5).clamp(-128, 127) + 128) as u8
}

/// Inverse-transforms `block` (dequantised with [`scaled_quant`], natural order) into 8
/// rows of 8 samples at `dst[row * stride..]`. Only the top-left `N` x `N` coefficients
/// may be nonzero: zero inputs contribute exactly nothing, so the reduced forms give the
/// full transform's samples.
///
/// # Panics
///
/// Never for `dst` of at least `7 * stride + 8` bytes, which callers guarantee.
#[inline(always)]
pub(super) fn idct<const N: usize>(block: &[i16; 64], dst: &mut [u8], stride: usize) {
    // Columns first, stored transposed so that the second pass has lane = row.
    let mut ws = [0i16; 64];
    idct_1d::<N>(block, |y, x, v| ws[x * 8 + y] = v);
    let mut out = [0u8; 64];
    // Columns past the `N`th had no coefficient, so their results (rows of `ws`) are
    // exactly zero: the second pass skips them too (and LLVM then vectorises the first
    // pass of the 2x2 form instead of unrolling it into scalar code).
    idct_1d::<N>(&ws, |x, y, v| out[y * 8 + x] = to_sample(v));
    for (y, row) in out.chunks_exact(8).enumerate() {
        dst[y * stride..y * stride + 8].copy_from_slice(row);
    }
}

/// The flat block of a block with only a DC coefficient (dequantised `dc`): what
/// [`idct`] gives for it, without the transform.
#[inline(always)]
pub(super) fn dc_only(dc: i16, dst: &mut [u8], stride: usize) {
    let value = to_sample(dc);
    for y in 0..8 {
        dst[y * stride..y * stride + 8].fill(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aan_scales_follow_their_formula() {
        let s = |k: usize| {
            if k == 0 {
                1.0
            } else {
                std::f64::consts::SQRT_2 * (k as f64 * std::f64::consts::PI / 16.0).cos()
            }
        };
        for (i, &v) in AAN_SCALES.iter().enumerate() {
            let expected = (16384.0 * s(i / 8) * s(i % 8)).round() as u32;
            assert_eq!(v, expected, "aanscales[{i}]");
        }
    }

    #[test]
    fn dc_only_matches_the_full_transform() {
        for dc in [
            -2048i16, -1000, -33, -32, -31, -1, 0, 1, 31, 32, 500, 4000, 32767,
        ] {
            let mut block = [0i16; 64];
            block[0] = dc;
            let (mut full, mut flat) = ([0u8; 64], [0u8; 64]);
            idct::<8>(&block, &mut full, 8);
            dc_only(dc, &mut flat, 8);
            assert_eq!(full, flat, "dc {dc}");
        }
    }

    #[test]
    fn reduced_forms_match_the_full_transform() {
        let mut block = [0i16; 64];
        for (i, v) in [
            (0, 700),
            (1, -120),
            (8, 90),
            (9, 45),
            (2, 30),
            (16, -17),
            (27, 11),
        ] {
            block[i] = v;
        }
        let (mut full, mut reduced) = ([0u8; 64], [0u8; 64]);
        idct::<8>(&block, &mut full, 8);
        idct::<4>(&block, &mut reduced, 8);
        assert_eq!(full, reduced);
        let mut small = [0i16; 64];
        small[..2].copy_from_slice(&block[..2]);
        small[8..10].copy_from_slice(&block[8..10]);
        idct::<8>(&small, &mut full, 8);
        idct::<2>(&small, &mut reduced, 8);
        assert_eq!(full, reduced);
    }
}
