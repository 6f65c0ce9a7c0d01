//! Y'CbCr <-> R'G'B' matrices in fixed point.
//!
//! A key design decision: the coefficients are derived from the standard's Kr/Kb at
//! negotiation time instead of being typed in, so BT.601 and BT.709 cannot disagree with
//! each other in a digit, and the row kernels only see integers (12 fractional bits, which
//! keeps every intermediate within `i32` and lets the loops vectorise).

/// Fractional bits of the fixed-point coefficients.
pub(super) const SHIFT: u32 = 12;
/// Half of one unit, for rounding before the shift.
pub(super) const ROUND: i32 = 1 << (SHIFT - 1);

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

    fn kr_kb(self) -> (f64, f64) {
        match self {
            Standard::Bt601 => (0.299, 0.114),
            Standard::Bt709 => (0.2126, 0.0722),
        }
    }
}

fn fixed(v: f64) -> i32 {
    (v * f64::from(1 << SHIFT)).round() as i32
}

/// Limited-range Y'CbCr to full-range R'G'B'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ToRgb {
    /// Per unit of `Y - 16`.
    pub(super) y: i32,
    /// Per unit of `Cr - 128`, into R.
    pub(super) r_cr: i32,
    /// Per unit of `Cb - 128`, into G (negative).
    pub(super) g_cb: i32,
    /// Per unit of `Cr - 128`, into G (negative).
    pub(super) g_cr: i32,
    /// Per unit of `Cb - 128`, into B.
    pub(super) b_cb: i32,
}

/// Full-range R'G'B' to limited-range Y'CbCr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ToYuv {
    /// Luma row: R, G, B weights (already scaled by 219/255).
    pub(super) y: [i32; 3],
    /// Cb row.
    pub(super) cb: [i32; 3],
    /// Cr row.
    pub(super) cr: [i32; 3],
}

impl ToRgb {
    pub(super) fn new(standard: Standard) -> Self {
        let (kr, kb) = standard.kr_kb();
        let kg = 1.0 - kr - kb;
        let ys = 255.0 / 219.0;
        let cs = 255.0 / 224.0;
        ToRgb {
            y: fixed(ys),
            r_cr: fixed(2.0 * (1.0 - kr) * cs),
            g_cb: fixed(2.0 * kb * (1.0 - kb) / kg * cs),
            g_cr: fixed(2.0 * kr * (1.0 - kr) / kg * cs),
            b_cb: fixed(2.0 * (1.0 - kb) * cs),
        }
    }
}

impl ToYuv {
    pub(super) fn new(standard: Standard) -> Self {
        let (kr, kb) = standard.kr_kb();
        let kg = 1.0 - kr - kb;
        let ys = 219.0 / 255.0;
        let cs = 224.0 / 255.0;
        ToYuv {
            y: [fixed(kr * ys), fixed(kg * ys), fixed(kb * ys)],
            cb: [
                fixed(-kr / (2.0 * (1.0 - kb)) * cs),
                fixed(-kg / (2.0 * (1.0 - kb)) * cs),
                fixed(0.5 * cs),
            ],
            cr: [
                fixed(0.5 * cs),
                fixed(-kg / (2.0 * (1.0 - kr)) * cs),
                fixed(-kb / (2.0 * (1.0 - kr)) * cs),
            ],
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
        // 1.164, 1.596, 0.392, 0.813, 2.018 in 12-bit fixed point.
        assert_eq!(
            (m.y, m.r_cr, m.g_cb, m.g_cr, m.b_cb),
            (4769, 6537, 1605, 3330, 8263)
        );
        let f = ToYuv::new(Standard::Bt601);
        // Y = 16 + 0.257 R + 0.504 G + 0.098 B.
        assert_eq!(f.y, [1052, 2065, 401]);
    }
}
