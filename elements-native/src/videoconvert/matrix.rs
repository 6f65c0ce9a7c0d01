//! Y'CbCr <-> R'G'B' matrices in fixed point.
//!
//! A key design decision: the coefficients are derived from the standard's Kr/Kb at
//! negotiation time instead of being typed in, so BT.601 and BT.709 cannot disagree with
//! each other in a digit. The Y'CbCr <-> R'G'B' kernels work in 16-bit lanes, as libyuv:
//! every product is the high half of a signed 16x16-bit multiply ([`mulhi`], SSE2's
//! `pmulhw`, 8 lanes per instruction), with the operands pre-shifted so that each
//! coefficient keeps 13 to 15 significant bits. Sums carry [`RGB_FRAC`]/[`YUV_FRAC`]
//! fractional bits, so the truncation of each product stays below 0.05 of an output
//! step and the results are the correctly rounded values within one step (the tests
//! compare them with an `f64` conversion). The gray kernels keep 12-bit `i32` weights.

/// Fractional bits of the gray weights.
pub(super) const SHIFT: u32 = 12;
/// Half of one unit, for rounding before the shift.
pub(super) const ROUND: i32 = 1 << (SHIFT - 1);

/// Fractional bits of the R'G'B' sums in [`ToRgb`] arithmetic.
pub(super) const RGB_FRAC: u32 = 5;
/// Fractional bits of the Y'CbCr sums in [`ToYuv`] arithmetic.
pub(super) const YUV_FRAC: u32 = 6;

/// The high half of a signed 16x16-bit product, `(a * b) >> 16` (floor); LLVM lowers
/// it to `pmulhw` when the loop around it is vectorised.
#[inline(always)]
pub(super) fn mulhi(a: i16, b: i16) -> i16 {
    ((i32::from(a) * i32::from(b)) >> 16) as i16
}

/// Which luma coefficients a Y'CbCr format uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standard {
    /// ITU-R BT.601 (SD).
    Bt601,
    /// ITU-R BT.709 (HD).
    Bt709,
}

impl Standard {
    /// GStreamer's default when caps name no colorimetry: BT.709 above 576 lines,
    /// BT.601 otherwise (`video-info.c`, `set_default_colorimetry`).
    pub(crate) fn default_for_height(height: usize) -> Self {
        if height > 576 {
            Standard::Bt709
        } else {
            Standard::Bt601
        }
    }

    /// From a caps `colorimetry` string, when it names one of the two matrices.
    pub(crate) fn from_colorimetry(name: &str) -> Option<Self> {
        match name {
            "bt601" | "smpte170m" | "1:4:0:0" | "2:4:0:0" | "1:4:7:1" | "2:4:7:1" => {
                Some(Standard::Bt601)
            }
            "bt709" | "1:3:5:1" | "2:3:5:1" => Some(Standard::Bt709),
            _ => None,
        }
    }

    pub(super) fn kr_kb(self) -> (f64, f64) {
        match self {
            Standard::Bt601 => (0.299, 0.114),
            Standard::Bt709 => (0.2126, 0.0722),
        }
    }
}

fn fixed(v: f64) -> i32 {
    (v * f64::from(1 << SHIFT)).round() as i32
}

/// `v` scaled by `2^bits`, rounded, as an `i16` (every caller's value fits by
/// construction: the largest is 2.11 * 2^13).
fn fixed16(v: f64, bits: u32) -> i16 {
    (v * f64::from(1u32 << bits)).round() as i16
}

/// Limited-range Y'CbCr to full-range R'G'B', for the arithmetic of
/// `to_rgb::yuv_rows_to_rgb`: a channel is
/// `(mulhi((Y - 16) << 7, y) + mulhi((C - 128) << 8, c) + bias) >> RGB_FRAC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ToRgb {
    /// Luma gain 255/219 in Q14 (times `(Y - 16) << 7`, high half: Q5).
    pub(super) y: i16,
    /// Per unit of `Cr - 128` into R, Q13 (times `(Cr - 128) << 8`, high half: Q5).
    pub(super) r_cr: i16,
    /// Per unit of `Cb - 128` into G (subtracted), Q13.
    pub(super) g_cb: i16,
    /// Per unit of `Cr - 128` into G (subtracted), Q13.
    pub(super) g_cr: i16,
    /// Per unit of `Cb - 128` into B, Q13.
    pub(super) b_cb: i16,
    /// One half, for rounding, in Q5.
    pub(super) bias: i16,
}

/// Full-range R'G'B' to limited-range Y'CbCr, for the arithmetic of
/// `to_yuv::rgb_rows_to_yuv`: luma is `(sum of mulhi(X << 7, y[i]) + y_bias) >>
/// YUV_FRAC` and chroma `(sum of mulhi(S << 5, c[i]) + c_bias) >> YUV_FRAC`, with `S`
/// the sum of a channel over the 2x2 block (so the average costs no division).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ToYuv {
    /// Luma row: R, G, B weights (already scaled by 219/255), Q15.
    pub(super) y: [i16; 3],
    /// Cb row, Q15 (a quarter of it applies per pixel of the 2x2 sum).
    pub(super) cb: [i16; 3],
    /// Cr row, Q15.
    pub(super) cr: [i16; 3],
    /// 16 (the luma offset) plus rounding, in Q6.
    pub(super) y_bias: i16,
    /// 128 (the chroma offset) plus rounding, in Q6.
    pub(super) c_bias: i16,
}

/// The Y'CbCr -> R'G'B' matrix of `standard` as real numbers: luma gain and the
/// R/Cr, G/Cb, G/Cr, B/Cb gains (the G ones are subtracted). Limited range in,
/// full range out.
pub(super) fn to_rgb_gains(standard: Standard) -> [f64; 5] {
    let (kr, kb) = standard.kr_kb();
    let kg = 1.0 - kr - kb;
    let cs = 255.0 / 224.0;
    [
        255.0 / 219.0,
        2.0 * (1.0 - kr) * cs,
        2.0 * kb * (1.0 - kb) / kg * cs,
        2.0 * kr * (1.0 - kr) / kg * cs,
        2.0 * (1.0 - kb) * cs,
    ]
}

/// The R'G'B' -> Y'CbCr matrix of `standard` as real numbers: rows Y, Cb, Cr (without
/// the 16/128 offsets). Full range in, limited range out.
pub(super) fn to_yuv_rows(standard: Standard) -> [[f64; 3]; 3] {
    let (kr, kb) = standard.kr_kb();
    let kg = 1.0 - kr - kb;
    let ys = 219.0 / 255.0;
    let cs = 224.0 / 255.0;
    [
        [kr * ys, kg * ys, kb * ys],
        [
            -kr / (2.0 * (1.0 - kb)) * cs,
            -kg / (2.0 * (1.0 - kb)) * cs,
            0.5 * cs,
        ],
        [
            0.5 * cs,
            -kg / (2.0 * (1.0 - kr)) * cs,
            -kb / (2.0 * (1.0 - kr)) * cs,
        ],
    ]
}

impl ToRgb {
    pub(super) fn new(standard: Standard) -> Self {
        let [ys, r_cr, g_cb, g_cr, b_cb] = to_rgb_gains(standard);
        let half: i16 = 1 << (RGB_FRAC - 1);
        ToRgb {
            y: fixed16(ys, 14),
            r_cr: fixed16(r_cr, 13),
            g_cb: fixed16(g_cb, 13),
            g_cr: fixed16(g_cr, 13),
            b_cb: fixed16(b_cb, 13),
            bias: half,
        }
    }
}

impl ToYuv {
    pub(super) fn new(standard: Standard) -> Self {
        let q15 = |row: [f64; 3]| row.map(|c| fixed16(c, 15));
        let [y, cb, cr] = to_yuv_rows(standard);
        // Each of the three products truncates (floor) by up to one Q6 unit; one unit
        // more in the bias centres that error.
        let half = (1 << (YUV_FRAC - 1)) + 1;
        ToYuv {
            y: q15(y),
            cb: q15(cb),
            cr: q15(cr),
            y_bias: (16 << YUV_FRAC) + half,
            c_bias: (128 << YUV_FRAC) + half,
        }
    }
}

/// Full-range luma weights (R, G, B) for GRAY8, BT.601 as GStreamer's gray formats.
pub(super) fn gray_weights() -> [i32; 3] {
    [fixed(0.299), fixed(0.587), fixed(0.114)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bt601_matches_the_textbook_coefficients() {
        let m = ToRgb::new(Standard::Bt601);
        // 1.164 (Q14), 1.596, 0.392, 0.813, 2.017 (Q13).
        assert_eq!(
            (m.y, m.r_cr, m.g_cb, m.g_cr, m.b_cb),
            (19077, 13075, 3209, 6660, 16525)
        );
        let f = ToYuv::new(Standard::Bt601);
        // Y = 16 + 0.257 R + 0.504 G + 0.098 B (Q15).
        assert_eq!(f.y, [8414, 16519, 3208]);
    }
}
