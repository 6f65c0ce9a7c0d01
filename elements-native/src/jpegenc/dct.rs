//! The forward DCT (Arai, Agui and Nakajima's scaled 1-D transform, as libjpeg's
//! `jfdctfst`) on 16-bit lanes.
//!
//! A key design decision: every step of the 1-D transform is the same operation on many
//! lanes of `i16`, so the compiler turns each into one SSE2 instruction (`paddw`,
//! `psubw`, `pmulhw`) on the baseline x86-64 target. The vertical pass runs over a whole
//! band of eight rows at once (every column of every block); the horizontal pass reads
//! each block transposed (portable Rust gets no SIMD shuffles out of the compiler for
//! it: that load is the one scalar step) and runs the same butterflies on its eight
//! rows. The transform's per-coefficient scale factors are left in the output and
//! folded into the quantiser (see `quant.rs`), as libjpeg does for this transform.

/// Eight rows of eight samples or coefficients.
pub(super) type Block = [[i16; 8]; 8];

/// `x * c / 65536` (rounded down) for `c` in `0..32768`: SSE2's `pmulhw`.
#[inline(always)]
fn mulhi(x: i16, c: i16) -> i16 {
    ((i32::from(x) * i32::from(c)) >> 16) as i16
}

/// The multipliers as `x + mulhi(x, C)` or `x - mulhi(x, C)` with `C` below 0.5 (in
/// 1/65536), keeping 16 bits of precision where `pmulhw` alone needs the factor below
/// 0.5.
const C_0_382683433: i16 = 25080; // 0.382683433
const C_0_292893219: i16 = 19195; // 1 - 0.707106781
const C_0_458803900: i16 = 30068; // 1 - 0.541196100
const C_0_306562965: i16 = 20091; // 1.306562965 - 1

/// One 1-D transform of eight samples (libjpeg's `jfdctfst` butterflies).
#[inline(always)]
fn aan(d: [i16; 8]) -> [i16; 8] {
    let tmp0 = d[0].wrapping_add(d[7]);
    let tmp7 = d[0].wrapping_sub(d[7]);
    let tmp1 = d[1].wrapping_add(d[6]);
    let tmp6 = d[1].wrapping_sub(d[6]);
    let tmp2 = d[2].wrapping_add(d[5]);
    let tmp5 = d[2].wrapping_sub(d[5]);
    let tmp3 = d[3].wrapping_add(d[4]);
    let tmp4 = d[3].wrapping_sub(d[4]);
    let mut o = [0i16; 8];

    // Even part.
    let tmp10 = tmp0.wrapping_add(tmp3);
    let tmp13 = tmp0.wrapping_sub(tmp3);
    let tmp11 = tmp1.wrapping_add(tmp2);
    let tmp12 = tmp1.wrapping_sub(tmp2);
    o[0] = tmp10.wrapping_add(tmp11);
    o[4] = tmp10.wrapping_sub(tmp11);
    let s = tmp12.wrapping_add(tmp13);
    let z1 = s.wrapping_sub(mulhi(s, C_0_292893219)); // * 0.707106781
    o[2] = tmp13.wrapping_add(z1);
    o[6] = tmp13.wrapping_sub(z1);

    // Odd part.
    let tmp10 = tmp4.wrapping_add(tmp5);
    let tmp11 = tmp5.wrapping_add(tmp6);
    let tmp12 = tmp6.wrapping_add(tmp7);
    let z5 = mulhi(tmp10.wrapping_sub(tmp12), C_0_382683433);
    // * 0.541196100, * 1.306562965, * 0.707106781
    let z2 = tmp10
        .wrapping_sub(mulhi(tmp10, C_0_458803900))
        .wrapping_add(z5);
    let z4 = tmp12
        .wrapping_add(mulhi(tmp12, C_0_306562965))
        .wrapping_add(z5);
    let z3 = tmp11.wrapping_sub(mulhi(tmp11, C_0_292893219));
    let z11 = tmp7.wrapping_add(z3);
    let z13 = tmp7.wrapping_sub(z3);
    o[5] = z13.wrapping_add(z2);
    o[3] = z13.wrapping_sub(z2);
    o[1] = z11.wrapping_add(z4);
    o[7] = z11.wrapping_sub(z4);
    o
}

/// The first (vertical) pass over a band of eight rows of `width` samples each (`band`
/// holds them one after the other): every column of every block at once, as one loop
/// over `width` that the compiler vectorises.
///
/// It runs on the samples times 4 and rounds back: its outputs are summed again by the
/// second pass, which would otherwise add up the downward bias of eight `pmulhw`s into
/// a visible error at high quality.
pub(super) fn vertical(band: &mut [i16], width: usize) {
    let Some(band) = band.get_mut(..8 * width) else {
        return;
    };
    let (r0, rest) = band.split_at_mut(width);
    let (r1, rest) = rest.split_at_mut(width);
    let (r2, rest) = rest.split_at_mut(width);
    let (r3, rest) = rest.split_at_mut(width);
    let (r4, rest) = rest.split_at_mut(width);
    let (r5, rest) = rest.split_at_mut(width);
    let (r6, r7) = rest.split_at_mut(width);
    for i in 0..width {
        let d = [r0[i], r1[i], r2[i], r3[i], r4[i], r5[i], r6[i], r7[i]];
        let o = aan(d.map(|v| v << 2)).map(|v| (v + 2) >> 2);
        [r0[i], r1[i], r2[i], r3[i], r4[i], r5[i], r6[i], r7[i]] = o;
    }
}

/// The second (horizontal) pass of the block at column `x` of a band that
/// [`vertical`] has transformed (`stride` samples a row): read transposed, so that this
/// pass too works on whole rows of eight lanes.
///
/// The result is left transposed: `b[v][u]` holds the coefficient of vertical
/// frequency `u` and horizontal frequency `v`, times `8 * S(u) * S(v)` ([`scale`]);
/// `quant.rs` folds both the transposition and the scale in.
///
/// Samples must stay within -256..=255 (8-bit samples with one fractional bit, as
/// `source.rs` clamps them): every output then fits 16 bits (the largest, at (1, 1),
/// is below 26000), and intermediate sums that wrap come back in range because the
/// additions wrap.
#[inline(always)]
pub(super) fn horizontal(band: &[i16], stride: usize, x: usize) -> Block {
    let mut t = [[0i16; 8]; 8];
    for (r, row) in band.chunks_exact(stride).take(8).enumerate() {
        let row = &row[x..x + 8];
        for (c, &v) in row.iter().enumerate() {
            t[c][r] = v;
        }
    }
    let mut b = [[0i16; 8]; 8];
    for i in 0..8 {
        let d = [
            t[0][i], t[1][i], t[2][i], t[3][i], t[4][i], t[5][i], t[6][i], t[7][i],
        ];
        let o = aan(d);
        for (k, &v) in o.iter().enumerate() {
            b[k][i] = v;
        }
    }
    b
}

/// The whole transform of one block (rows of `b`), as [`horizontal`] leaves it.
#[cfg(test)]
pub(super) fn forward(b: &Block) -> Block {
    let mut band: Vec<i16> = b.iter().flatten().copied().collect();
    vertical(&mut band, 8);
    horizontal(&band, 8, 0)
}

/// AAN's per-frequency output scale: 1 for DC, `cos(k*pi/16) * sqrt(2)` otherwise.
pub(super) fn scale(k: usize) -> f64 {
    if k == 0 {
        1.0
    } else {
        (k as f64 * std::f64::consts::PI / 16.0).cos() * std::f64::consts::SQRT_2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook DCT-II of T.81 (A.3.3), in f64.
    fn reference(s: &[[f64; 8]; 8]) -> [[f64; 8]; 8] {
        let c = |k: usize| if k == 0 { 1.0 / 2f64.sqrt() } else { 1.0 };
        std::array::from_fn(|u| {
            std::array::from_fn(|v| {
                let mut sum = 0.0;
                for (y, row) in s.iter().enumerate() {
                    for (x, &p) in row.iter().enumerate() {
                        let a = std::f64::consts::PI / 16.0;
                        sum += p
                            * ((2 * y + 1) as f64 * u as f64 * a).cos()
                            * ((2 * x + 1) as f64 * v as f64 * a).cos();
                    }
                }
                0.25 * c(u) * c(v) * sum
            })
        })
    }

    fn check(samples: &Block, what: &str) {
        let b = forward(samples);
        let want = reference(&samples.map(|r| r.map(f64::from)));
        for u in 0..8 {
            for v in 0..8 {
                let want = want[u][v] * 8.0 * scale(u) * scale(v);
                let got = f64::from(b[v][u]);
                // Rounding between the passes (up to 1/2 per column, coherent over
                // the 8 columns of a pattern that repeats down them) and the floor of
                // the 16-bit multiplies.
                let tolerance = 6.0;
                assert!(
                    (got - want).abs() < tolerance,
                    "{what} ({u},{v}): {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn matches_the_textbook_dct_within_rounding() {
        for seed in 0..20u32 {
            let samples: Block = std::array::from_fn(|y| {
                std::array::from_fn(|x| {
                    let h = (x as u32 * 7919 + y as u32 * 104_729 + seed * 31)
                        .wrapping_mul(2_654_435_761);
                    ((h >> 16) % 512) as i16 - 256
                })
            });
            check(&samples, &format!("seed {seed}"));
        }
    }

    #[test]
    fn extreme_inputs_do_not_overflow() {
        // Each basis pattern at full amplitude (the largest output of its coefficient),
        // and both flat extremes.
        let a = std::f64::consts::PI / 16.0;
        for u in 0..8 {
            for v in 0..8 {
                for sign in [1.0, -1.0] {
                    let samples: Block = std::array::from_fn(|y| {
                        std::array::from_fn(|x| {
                            let c = sign
                                * ((2 * y + 1) as f64 * u as f64 * a).cos()
                                * ((2 * x + 1) as f64 * v as f64 * a).cos();
                            if c >= 0.0 { 255 } else { -256 }
                        })
                    });
                    check(&samples, &format!("basis ({u},{v}) {sign}"));
                }
            }
        }
    }
}
