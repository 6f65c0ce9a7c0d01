//! BT.601 luma of RGBA pixels, one row at a time: a scalar kernel (the reference, used by
//! unit tests on any target) and a `simd128` kernel (used on wasm32 when the target
//! feature is on, as `elements-wasm/.cargo/config.toml` sets it).
//!
//! A key design decision: fixed point with weights 77, 150, 29 (sum 256) and rounding,
//! `Y = (77 R + 150 G + 29 B + 128) >> 8`, i.e. the BT.601 matrix (Kr 0.299, Kb 0.114) at
//! full range, as GStreamer's `videoconvert` does for GRAY8 (whose default colorimetry is
//! full range). Both kernels compute exactly this, so their outputs are equal byte for
//! byte. The SIMD kernel is written without `unsafe`: it builds vectors from 16-byte
//! arrays and reads lanes back, which LLVM turns into `v128.load` and byte stores.

/// Luma of one pixel.
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8) as u8
}

/// Scalar kernel: `dst[i]` = luma of RGBA pixel `i` of `src`, for every pixel both hold.
pub(crate) fn row_scalar(src: &[u8], dst: &mut [u8]) {
    for (px, y) in src.chunks_exact(4).zip(dst.iter_mut()) {
        *y = luma(px[0], px[1], px[2]);
    }
}

/// The kernel used on this target: SIMD when available, else scalar.
pub(crate) fn row(src: &[u8], dst: &mut [u8]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd::row(src, dst);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    row_scalar(src, dst);
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) mod simd {
    //! 16 pixels per step: four `i32x4` luma vectors narrowed to one `u8x16`.

    use core::arch::wasm32::*;

    /// Luma of the four RGBA pixels in `px` as `i32x4`.
    #[inline(always)]
    fn luma4(px: v128) -> v128 {
        let mask = u32x4_splat(0xff);
        let r = v128_and(px, mask);
        let g = v128_and(u32x4_shr(px, 8), mask);
        let b = v128_and(u32x4_shr(px, 16), mask);
        let sum = i32x4_add(
            i32x4_add(
                i32x4_mul(r, i32x4_splat(77)),
                i32x4_mul(g, i32x4_splat(150)),
            ),
            i32x4_add(i32x4_mul(b, i32x4_splat(29)), i32x4_splat(128)),
        );
        u32x4_shr(sum, 8)
    }

    /// Loads 16 bytes (LLVM folds this into one `v128.load`).
    #[inline(always)]
    fn load(b: &[u8; 16]) -> v128 {
        u8x16(
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        )
    }

    /// SIMD kernel; same result as [`super::row_scalar`].
    pub(crate) fn row(src: &[u8], dst: &mut [u8]) {
        let n = dst.len().min(src.len() / 4);
        let (src_main, dst_main) = (n / 16 * 64, n / 16 * 16);
        for (s, d) in src[..src_main]
            .chunks_exact(64)
            .zip(dst[..dst_main].chunks_exact_mut(16))
        {
            let mut v = [i32x4_splat(0); 4];
            for (k, q) in s.chunks_exact(16).enumerate() {
                if let (Some(slot), Ok(q)) = (v.get_mut(k), <&[u8; 16]>::try_from(q)) {
                    *slot = luma4(load(q));
                }
            }
            // Values are 0..=255, so the saturating narrows are exact.
            let lo = u16x8_narrow_i32x4(v[0], v[1]);
            let hi = u16x8_narrow_i32x4(v[2], v[3]);
            let y = u8x16_narrow_i16x8(lo, hi);
            let out: [u8; 16] = [
                u8x16_extract_lane::<0>(y),
                u8x16_extract_lane::<1>(y),
                u8x16_extract_lane::<2>(y),
                u8x16_extract_lane::<3>(y),
                u8x16_extract_lane::<4>(y),
                u8x16_extract_lane::<5>(y),
                u8x16_extract_lane::<6>(y),
                u8x16_extract_lane::<7>(y),
                u8x16_extract_lane::<8>(y),
                u8x16_extract_lane::<9>(y),
                u8x16_extract_lane::<10>(y),
                u8x16_extract_lane::<11>(y),
                u8x16_extract_lane::<12>(y),
                u8x16_extract_lane::<13>(y),
                u8x16_extract_lane::<14>(y),
                u8x16_extract_lane::<15>(y),
            ];
            d.copy_from_slice(&out);
        }
        super::row_scalar(&src[src_main..], &mut dst[dst_main..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so tests need no crate.
    fn random_bytes(n: usize, mut seed: u32) -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect()
    }

    #[test]
    fn scalar_matches_bt601_full_range() {
        for (rgb, want) in [
            ([0, 0, 0], 0),
            ([255, 255, 255], 255),
            ([255, 0, 0], 77),
            ([0, 255, 0], 149),
            ([0, 0, 255], 29),
        ] {
            let f =
                0.299 * f64::from(rgb[0]) + 0.587 * f64::from(rgb[1]) + 0.114 * f64::from(rgb[2]);
            let y = luma(rgb[0], rgb[1], rgb[2]);
            assert_eq!(y, want);
            assert!((f64::from(y) - f).abs() <= 1.0, "{rgb:?}: {y} vs {f}");
        }
        let data = random_bytes(4 * 1000, 7);
        for px in data.chunks_exact(4) {
            let f = 0.299 * f64::from(px[0]) + 0.587 * f64::from(px[1]) + 0.114 * f64::from(px[2]);
            assert!((f64::from(luma(px[0], px[1], px[2])) - f).abs() <= 1.0);
        }
    }

    #[test]
    fn row_matches_scalar_on_random_data() {
        // On wasm32 with simd128, `row` is the SIMD kernel; elsewhere this checks the
        // dispatch. Lengths cover the 16-pixel blocks and every tail length.
        for n in [0, 1, 15, 16, 17, 31, 32, 33, 100, 1921] {
            let src = random_bytes(4 * n, n as u32 + 1);
            let (mut a, mut b) = (vec![0u8; n], vec![0u8; n]);
            row_scalar(&src, &mut a);
            row(&src, &mut b);
            assert_eq!(a, b, "{n} pixels");
        }
    }
}
