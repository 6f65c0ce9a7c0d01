//! Colours: GStreamer's videotestsrc colour tables, ARGB to Y'CbCr conversion and
//! blending, resolved once per negotiated format into a [`Palette`].
//!
//! A key design decision: patterns are painted as [`Px`] values in the frame's own colour
//! space (A, R, G, B for RGB formats; A, Y, U, V for YUV and grey), exactly as GStreamer
//! paints its `tmpline`, and only then packed into the frame's layout. The tables and the
//! integer conversion formulas are GStreamer's (`videotestsrc.c`), so pixel values match:
//! YUV formats up to 576 lines use BT.601 limited range, taller ones BT.709 (GStreamer's
//! default colorimetry), GRAY8 uses the BT.601 luma.

use super::format::VideoFormat;

/// One pixel as painted: `[alpha, c0, c1, c2]`, where the components are R, G, B or Y, U, V
/// depending on the [`Space`].
pub(super) type Px = [u8; 4];

/// The colour space pixels are painted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Space {
    /// R'G'B' (RGBA, RGB).
    Rgb,
    /// Y'CbCr with the BT.601 matrix, limited range (SD YUV, GRAY8).
    Bt601,
    /// Y'CbCr with the BT.709 matrix, limited range (HD YUV).
    Bt709,
}

impl Space {
    /// The space GStreamer uses for `format` at `height` lines when caps name no
    /// colorimetry (`set_default_colorimetry`: YUV above 576 lines is BT.709; the BT.2020
    /// default for 2160 lines and more also paints with the BT.709 tables).
    pub(super) fn for_format(format: VideoFormat, height: usize) -> Space {
        match format {
            VideoFormat::Rgba | VideoFormat::Rgb => Space::Rgb,
            VideoFormat::Gray8 => Space::Bt601,
            VideoFormat::I420 | VideoFormat::Nv12 if height > 576 => Space::Bt709,
            VideoFormat::I420 | VideoFormat::Nv12 => Space::Bt601,
        }
    }
}

// Indices into the colour tables (GStreamer's `COLOR_*` enum). Entries 0..7 are the
// seven bars, white to blue, then black.
pub(super) const WHITE: usize = 0;
pub(super) const GREEN: usize = 3;
pub(super) const RED: usize = 5;
pub(super) const BLUE: usize = 6;
pub(super) const BLACK: usize = 7;
pub(super) const NEG_I: usize = 8;
pub(super) const POS_Q: usize = 9;
pub(super) const SUPER_BLACK: usize = 10;
pub(super) const DARK_GREY: usize = 11;

/// A table entry: `[Y, U, V, R, G, B]` (alpha is always opaque).
type TableColor = [u8; 6];

const BT601_100: [TableColor; 12] = [
    [235, 128, 128, 255, 255, 255],
    [210, 16, 146, 255, 255, 0],
    [170, 166, 16, 0, 255, 255],
    [145, 54, 34, 0, 255, 0],
    [106, 202, 222, 255, 0, 255],
    [81, 90, 240, 255, 0, 0],
    [41, 240, 110, 0, 0, 255],
    [16, 128, 128, 0, 0, 0],
    [16, 198, 21, 0, 0, 128],
    [16, 235, 198, 0, 128, 255],
    [0, 128, 128, 0, 0, 0],
    [32, 128, 128, 19, 19, 19],
];

const BT709_100: [TableColor; 12] = [
    [235, 128, 128, 255, 255, 255],
    [219, 16, 138, 255, 255, 0],
    [188, 154, 16, 0, 255, 255],
    [173, 42, 26, 0, 255, 0],
    [78, 214, 230, 255, 0, 255],
    [63, 102, 240, 255, 0, 0],
    [32, 240, 118, 0, 0, 255],
    [16, 128, 128, 0, 0, 0],
    [16, 198, 21, 0, 0, 128],
    [16, 235, 198, 0, 128, 255],
    [0, 128, 128, 0, 0, 0],
    [32, 128, 128, 19, 19, 19],
];

const BT601_75: [TableColor; 12] = [
    [180, 128, 128, 191, 191, 191],
    [162, 44, 142, 191, 191, 0],
    [131, 156, 44, 0, 191, 191],
    [112, 72, 58, 0, 191, 0],
    [84, 184, 198, 191, 0, 191],
    [65, 100, 212, 191, 0, 0],
    [35, 212, 114, 0, 0, 191],
    [16, 128, 128, 0, 0, 0],
    [16, 198, 21, 0, 0, 128],
    [16, 235, 198, 0, 128, 255],
    [0, 128, 128, 0, 0, 0],
    [32, 128, 128, 19, 19, 19],
];

const BT709_75: [TableColor; 12] = [
    [180, 128, 128, 191, 191, 191],
    [168, 44, 136, 191, 191, 0],
    [145, 147, 44, 0, 191, 191],
    [133, 63, 52, 0, 191, 0],
    [63, 193, 204, 191, 0, 191],
    [51, 109, 212, 191, 0, 0],
    [28, 212, 120, 0, 0, 191],
    [16, 128, 128, 0, 0, 0],
    [16, 198, 21, 0, 0, 128],
    [16, 235, 198, 0, 128, 255],
    [0, 128, 128, 0, 0, 0],
    [32, 128, 128, 19, 19, 19],
];

/// GStreamer's `FIX`: a coefficient in 10-bit fixed point.
const fn fix(x: f64) -> i32 {
    (x * 1024.0 + 0.5) as i32
}

/// `((r, g, b) · coefficients + bias) >> 10`, GStreamer's integer conversion.
fn dot(k: [i32; 3], rgb: [i32; 3], bias: i32) -> i32 {
    (k[0] * rgb[0] + k[1] * rgb[1] + k[2] * rgb[2] + bias) >> 10
}

/// Converts 8-bit R'G'B' to limited-range Y'CbCr with GStreamer's `RGB_TO_*_CCIR`
/// (BT.601) or `RGB_TO_*_CCIR_709` formulas.
fn rgb_to_yuv(space: Space, rgb: [i32; 3]) -> [u8; 3] {
    let (kr, kg, kb) = match space {
        Space::Bt709 => (0.2126, 0.7152, 0.0722),
        Space::Bt601 | Space::Rgb => (0.299, 0.587, 0.114),
    };
    let (ur, ug, vg, vb) = match space {
        Space::Bt709 => (0.114572, 0.385427, 0.454153, 0.045847),
        Space::Bt601 | Space::Rgb => (0.16874, 0.33126, 0.41869, 0.08131),
    };
    let ys = 219.0 / 255.0;
    let cs = 224.0 / 255.0;
    let y = dot(
        [fix(kr * ys), fix(kg * ys), fix(kb * ys)],
        rgb,
        512 + (16 << 10),
    );
    let u = dot([-fix(ur * cs), -fix(ug * cs), fix(0.5 * cs)], rgb, 511) + 128;
    let v = dot([fix(0.5 * cs), -fix(vg * cs), -fix(vb * cs)], rgb, 511) + 128;
    // The formulas stay inside 0..=255 for 8-bit input; clamping keeps that a fact.
    [y, u, v].map(|c| c.clamp(0, 255) as u8)
}

/// A big-endian ARGB property value (`0xAARRGGBB`) as a pixel in `space`.
pub(super) fn argb_px(space: Space, argb: u32) -> Px {
    let [a, r, g, b] = argb.to_be_bytes();
    match space {
        Space::Rgb => [a, r, g, b],
        Space::Bt601 | Space::Bt709 => {
            let [y, u, v] = rgb_to_yuv(space, [r, g, b].map(i32::from));
            [a, y, u, v]
        }
    }
}

/// GStreamer's `BLEND`: `(a * x + b * (255 - x)) / 255` per channel, rounded by `DIV255`.
pub(super) fn blend(a: Px, b: Px, x: u8) -> Px {
    let x = u32::from(x);
    std::array::from_fn(|i| {
        let v = u32::from(a[i]) * x + u32::from(b[i]) * (255 - x);
        ((v + ((v + 128) >> 8) + 128) >> 8) as u8
    })
}

/// Every colour a pattern may use, resolved for one negotiated format.
#[derive(Debug, Clone)]
pub(super) struct Palette {
    /// The 100% table (bars, checkers, solid red/green/blue).
    pub(super) full: [Px; 12],
    /// The 75% table (`smpte75`).
    pub(super) bars75: [Px; 12],
    /// `foreground-color`.
    pub(super) fg: Px,
    /// `background-color`.
    pub(super) bg: Px,
    /// `blend(fg, bg, i)` for every `i`: the colours of snow and of the ball's edge.
    pub(super) ramp: [Px; 256],
}

impl Palette {
    /// The palette for `space` with the given ARGB foreground and background.
    pub(super) fn new(space: Space, foreground: u32, background: u32) -> Self {
        let (full, bars75) = match space {
            Space::Bt601 => (&BT601_100, &BT601_75),
            // RGB formats take the R, G, B columns, which both tables share.
            Space::Bt709 | Space::Rgb => (&BT709_100, &BT709_75),
        };
        let resolve = |t: &[TableColor; 12]| -> [Px; 12] {
            t.map(|[y, u, v, r, g, b]| match space {
                Space::Rgb => [255, r, g, b],
                Space::Bt601 | Space::Bt709 => [255, y, u, v],
            })
        };
        let fg = argb_px(space, foreground);
        let bg = argb_px(space, background);
        Palette {
            full: resolve(full),
            bars75: resolve(bars75),
            fg,
            bg,
            ramp: std::array::from_fn(|i| blend(fg, bg, i as u8)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_and_black_match_gstreamer() {
        assert_eq!(argb_px(Space::Bt601, 0xffff_ffff), [255, 235, 128, 128]);
        assert_eq!(argb_px(Space::Bt601, 0xff00_0000), [255, 16, 128, 128]);
        assert_eq!(argb_px(Space::Bt709, 0xffff_ffff), [255, 235, 128, 128]);
        assert_eq!(argb_px(Space::Rgb, 0x80ff_0000), [128, 255, 0, 0]);
    }

    #[test]
    fn red_is_close_to_the_table() {
        // The formula and GStreamer's hand-written table differ by rounding only.
        let [_, y, u, v] = argb_px(Space::Bt601, 0xffff_0000);
        let [ty, tu, tv, ..] = BT601_100[RED];
        assert!(y.abs_diff(ty) <= 1 && u.abs_diff(tu) <= 1 && v.abs_diff(tv) <= 1);
    }

    #[test]
    fn blend_ends() {
        let (a, b) = ([255, 235, 128, 128], [255, 16, 128, 128]);
        assert_eq!(blend(a, b, 255), a);
        assert_eq!(blend(a, b, 0), b);
        assert_eq!(blend([255, 255, 255, 255], [255, 0, 0, 0], 77)[1], 77);
    }

    #[test]
    fn spaces() {
        assert_eq!(Space::for_format(VideoFormat::I420, 576), Space::Bt601);
        assert_eq!(Space::for_format(VideoFormat::Nv12, 720), Space::Bt709);
        assert_eq!(Space::for_format(VideoFormat::Rgba, 2160), Space::Rgb);
        assert_eq!(Space::for_format(VideoFormat::Gray8, 1080), Space::Bt601);
    }
}
