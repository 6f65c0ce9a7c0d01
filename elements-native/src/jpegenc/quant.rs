//! Quantisation of `dct.rs`'s scaled, transposed coefficients by reciprocal
//! multiplication, with the transform's scale factors and the luma range expansion
//! folded into the divisors.
//!
//! A key design decision: each divisor is real-valued (quantiser step times the AAN
//! scale, over the sample gain) and applied as libjpeg-turbo's SIMD quantiser does:
//! `|c|` plus half the divisor, times a 16-bit reciprocal keeping the high half
//! (`pmulhuw`), then a per-coefficient right shift done as one more high-half multiply
//! (SSE2 has no per-lane shifts). Working on `2|c|` against twice the divisor keeps
//! every reciprocal within 16 bits even for the smallest divisors (quality 100).

use super::dct::{self, Block};
use super::tables::ZIGZAG;

/// Largest quantised magnitude: AC values must fit Huffman category 10, and DC values
/// within +-1023 keep their differences within category 11.
const MAX_LEVEL: i16 = 1023;

/// Position in the transposed DCT output (`dct::forward`) of the natural index `n`.
const fn transposed(n: usize) -> usize {
    (n % 8) * 8 + n / 8
}

/// Position in the transposed DCT output of the `k`-th coefficient in zig-zag order.
pub(super) const ZIGZAG_T: [u8; 64] = {
    let mut t = [0u8; 64];
    let mut k = 0;
    while k < 64 {
        t[k] = transposed(ZIGZAG[k] as usize) as u8;
        k += 1;
    }
    t
};

/// The quantiser of one component, in `dct::forward`'s transposed layout.
#[derive(Debug, Clone)]
pub(super) struct Quantizer {
    recip: [u16; 64],
    corr: [u16; 64],
    shift: [u16; 64],
    /// Added first: a constant offset of the samples shows in the DC coefficient only
    /// (a whole block, so that the add is part of the vector loop).
    dc_bias: [i16; 64],
}

impl Quantizer {
    /// For samples that are `2 * (v - 128) / gain - offset` where `v` is the JFIF sample
    /// value, quantised by `table` (natural order).
    pub(super) fn new(table: &[u8; 64], gain: f64, offset: f64) -> Self {
        let mut q = Quantizer {
            recip: [0; 64],
            corr: [0; 64],
            shift: [0; 64],
            dc_bias: [0; 64],
        };
        // The DC output is the sum of the 64 samples (AAN's DC scale is 1).
        q.dc_bias[0] = (64.0 * offset).round() as i16;
        for (n, &step_q) in table.iter().enumerate() {
            let (u, v) = (n / 8, n % 8);
            // dct::forward's output is 8 * S(u) * S(v) times the DCT of the samples,
            // which are 2 / gain times the level-shifted values: so the step is
            // 16 * S(u) * S(v) * table / gain, and twice that for 2|c|.
            let step = 16.0 * dct::scale(u) * dct::scale(v) * f64::from(step_q) / gain;
            let d = 2.0 * step;
            let p = transposed(n);
            // The largest shift whose reciprocal fits 16 bits (d > 2 always: the
            // smallest step is 16 * S(7)^2 / (255/219) > 1).
            let (s, r) = (1..16)
                .rev()
                .map(|s| (s, (f64::from(1u32 << (16 + s)) / d).round()))
                .find(|&(_, r)| r <= 65535.0)
                .unwrap_or((1, 65535.0));
            q.recip[p] = r as u16;
            q.corr[p] = step.round().min(65535.0) as u16;
            q.shift[p] = 1 << (16 - s);
        }
        q
    }

    /// Quantises the coefficients of `b` into `out` (same layout, rows one after the
    /// other).
    ///
    /// One loop over all 64 values, so that it is vectorised along the rows (as two
    /// nested loops the compiler unrolled the inner one and vectorised across rows, a
    /// gather per vector); only SSE2 operations: `|v|` by xor and subtract, `paddusw`,
    /// two `pmulhuw`, and the limit as a signed minimum (the quotient is at most `|v|`,
    /// so it fits `i16`).
    #[inline(always)]
    pub(super) fn quantize(&self, b: &Block, out: &mut [i16; 64]) {
        let coefficients = b.as_flattened().iter().zip(&self.dc_bias);
        let tables = self.corr.iter().zip(&self.recip).zip(&self.shift);
        for (((&v, &bias), ((&corr, &recip), &shift)), out) in
            coefficients.zip(tables).zip(out.iter_mut())
        {
            let v = v.wrapping_add(bias);
            let sign = v >> 15;
            // |v| doubled (every coefficient is within +-26000: see dct.rs).
            let a = ((v ^ sign).wrapping_sub(sign) as u16) << 1;
            let t = a.saturating_add(corr);
            let t = ((u32::from(t) * u32::from(recip)) >> 16) as u16;
            let t = ((u32::from(t) * u32::from(shift)) >> 16) as i16;
            let t = t.min(MAX_LEVEL);
            *out = (t ^ sign).wrapping_sub(sign);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jpegenc::tables::{Class, quant_table};

    #[test]
    fn quantises_to_the_nearest_step() {
        for quality in [1, 50, 85, 100] {
            for gain in [1.0, 255.0 / 219.0] {
                let table = quant_table(Class::Luma, quality);
                let q = Quantizer::new(&table, gain, 0.0);
                for value in [-20000i16, -3000, -17, -1, 0, 1, 5, 99, 1234, 20000] {
                    let b: Block = [[value; 8]; 8];
                    let mut out = [0; 64];
                    q.quantize(&b, &mut out);
                    for n in 0..64 {
                        let (u, v) = (n / 8, n % 8);
                        let step =
                            16.0 * dct::scale(u) * dct::scale(v) * f64::from(table[n]) / gain;
                        let want = (f64::from(value) / step).round().clamp(-1023.0, 1023.0);
                        let got = f64::from(out[transposed(n)]);
                        assert!(
                            (got - want).abs() <= 1.0,
                            "q{quality} gain {gain} {value} at {n}: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
