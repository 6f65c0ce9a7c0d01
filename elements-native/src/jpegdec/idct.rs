//! The inverse DCT of one dequantised 8x8 block, libjpeg's accurate integer method
//! (`jidctint.c`, the Loeffler-Ligtenberg-Moschytz form with 13-bit constants and 2
//! extra bits between the passes), so pixels match `djpeg -dct int` exactly.
//!
//! A key design decision: each pass works on eight lanes at once, the columns in the
//! first pass and (stored transposed) the rows in the second, on 16-bit inputs with
//! 32-bit sums, which LLVM turns into SSE2 vector code without `unsafe` or target
//! features. libjpeg's shortcut for all-zero AC columns is
//! not needed lane by lane: a full column computes the same values, and the caller takes
//! the whole-block shortcut ([`dc_only`]) for blocks without any AC coefficient, the
//! common case in flat areas.

const CONST_BITS: u32 = 13;
const PASS1_BITS: u32 = 2;

// jidctint's constants (FIX(x) = round(x * 2^13)) combined so that every product has a
// 16-bit operand: the even part's `z1 = (z2 + z3) * FIX_0_541196100` distributed over
// z2 and z3, and the odd part's four partial sums (z1..z5) expanded into one weight per
// input. The integer results are the same; the widening 16x16-bit multiplies are what
// SSE2 does fast (`pmullw`/`pmulhw`), where a 32-bit multiply is not.
const E_2_TO_3: i32 = 4433 + 6270; // FIX_0_541196100 + FIX_0_765366865
const E_6_TO_3: i32 = 4433;
const E_2_TO_2: i32 = 4433;
const E_6_TO_2: i32 = 4433 - 15137; // - FIX_1_847759065
/// Odd part: `[output][input]` weights for inputs (in7, in5, in3, in1).
const ODD: [[i32; 4]; 4] = [
    [
        2446 - 7373 - 16069 + 9633,
        9633,
        -16069 + 9633,
        -7373 + 9633,
    ],
    [
        9633,
        16819 - 20995 - 3196 + 9633,
        -20995 + 9633,
        -3196 + 9633,
    ],
    [
        -16069 + 9633,
        -20995 + 9633,
        25172 - 20995 - 16069 + 9633,
        9633,
    ],
    [-7373 + 9633, -3196 + 9633, 9633, 12299 - 7373 - 3196 + 9633],
];

/// One 1-D IDCT of eight lanes at once: `input[u * 8 + i]` is frequency `u` of lane `i`;
/// `put(y, i, v)` gets sample `y` of lane `i` times 2^`shift`, rounding bias included.
/// A loop over the lanes with unit-stride loads, which LLVM's loop vectoriser turns
/// into 8-lane SSE2 code.
#[inline(always)]
fn idct_1d<const N: usize>(input: &[i16; 64], shift: u32, mut put: impl FnMut(usize, usize, i32)) {
    let round = 1i32 << (shift - 1);
    for i in 0..8 {
        let at = |u: usize| {
            if u >= N {
                0
            } else {
                i32::from(input[u * 8 + i])
            }
        };
        // Even part.
        let (z2, z3) = (at(2), at(6));
        let tmp2 = z2 * E_2_TO_2 + z3 * E_6_TO_2;
        let tmp3 = z2 * E_2_TO_3 + z3 * E_6_TO_3;
        let tmp0 = ((at(0) + at(4)) << CONST_BITS) + round;
        let tmp1 = ((at(0) - at(4)) << CONST_BITS) + round;
        let tmp10 = tmp0 + tmp3;
        let tmp13 = tmp0 - tmp3;
        let tmp11 = tmp1 + tmp2;
        let tmp12 = tmp1 - tmp2;
        // Odd part.
        let t = [at(7), at(5), at(3), at(1)];
        let odd = |w: &[i32; 4]| t[0] * w[0] + t[1] * w[1] + t[2] * w[2] + t[3] * w[3];
        let (o0, o1, o2, o3) = (odd(&ODD[0]), odd(&ODD[1]), odd(&ODD[2]), odd(&ODD[3]));
        put(0, i, (tmp10 + o3) >> shift);
        put(7, i, (tmp10 - o3) >> shift);
        put(1, i, (tmp11 + o2) >> shift);
        put(6, i, (tmp11 - o2) >> shift);
        put(2, i, (tmp12 + o1) >> shift);
        put(5, i, (tmp12 - o1) >> shift);
        put(3, i, (tmp13 + o0) >> shift);
        put(4, i, (tmp13 - o0) >> shift);
    }
}

/// Zig-zag positions 0..=2 all lie in the top-left 2x2 of a block, 0..=9 in the 4x4.
pub(super) const LAST_IN_2X2: usize = 2;
pub(super) const LAST_IN_4X4: usize = 9;

/// Inverse-transforms `block` (dequantised, natural order) into 8 rows of 8 samples
/// at `dst[row * stride..]`. Only the top-left `N` x `N` coefficients may be nonzero
/// (see [`LAST_IN_4X4`]), so both passes skip the terms of higher frequencies.
///
/// The first pass's results are saturated to 16 bits, as libjpeg-turbo's SSE2 code
/// packs them; no valid picture comes near that. With 16-bit inputs no sum overflows
/// (the largest is under 2^31), so plain arithmetic cannot panic.
///
/// # Panics
///
/// Never for `dst` of at least `7 * stride + 8` bytes, which callers guarantee.
#[inline(always)]
pub(super) fn idct<const N: usize>(block: &[i16; 64], dst: &mut [u8], stride: usize) {
    // Columns: lane = column, row u of `block` = vertical frequency u. Stored
    // transposed, so that the second pass has lane = row.
    let mut ws = [0i16; 64];
    idct_1d::<N>(block, CONST_BITS - PASS1_BITS, |y, x, v| {
        ws[x * 8 + y] = v.clamp(-32768, 32767) as i16;
    });
    let mut out = [0u8; 64];
    idct_1d::<N>(&ws, CONST_BITS + PASS1_BITS + 3, |x, y, v| {
        out[y * 8 + x] = (v + 128).clamp(0, 255) as u8;
    });
    for (y, row) in out.chunks_exact(8).enumerate() {
        dst[y * stride..y * stride + 8].copy_from_slice(row);
    }
}

/// The flat block of a block with only a DC coefficient (dequantised `dc`): what
/// [`idct`] gives for it, without the transform.
#[inline(always)]
pub(super) fn dc_only(dc: i16, dst: &mut [u8], stride: usize) {
    let value = ((i32::from(dc) + 4) >> 3).wrapping_add(128).clamp(0, 255) as u8;
    for y in 0..8 {
        dst[y * stride..y * stride + 8].fill(value);
    }
}
