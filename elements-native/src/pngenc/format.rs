//! The raw formats `pngenc` takes and how each maps onto a PNG colour type and depth.
//!
//! Strides are GStreamer's (`video-info.c`): rows of RGB, GRAY8 and GRAY16 are padded to
//! a multiple of 4 bytes, RGBA and RGBA64 rows are not.

/// One accepted input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum InputFormat {
    Rgba,
    Rgb,
    Gray8,
    Gray16Be,
    Gray16Le,
    Rgba64Be,
    Rgba64Le,
}

impl InputFormat {
    /// In pad-template order.
    pub(super) const ALL: [InputFormat; 7] = [
        InputFormat::Rgba,
        InputFormat::Rgb,
        InputFormat::Gray8,
        InputFormat::Gray16Be,
        InputFormat::Gray16Le,
        InputFormat::Rgba64Be,
        InputFormat::Rgba64Le,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            InputFormat::Rgba => "RGBA",
            InputFormat::Rgb => "RGB",
            InputFormat::Gray8 => "GRAY8",
            InputFormat::Gray16Be => "GRAY16_BE",
            InputFormat::Gray16Le => "GRAY16_LE",
            InputFormat::Rgba64Be => "RGBA64_BE",
            InputFormat::Rgba64Le => "RGBA64_LE",
        }
    }

    pub(super) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Bytes of one pixel.
    pub(super) fn pixel_bytes(self) -> usize {
        match self {
            InputFormat::Gray8 => 1,
            InputFormat::Gray16Be | InputFormat::Gray16Le => 2,
            InputFormat::Rgb => 3,
            InputFormat::Rgba => 4,
            InputFormat::Rgba64Be | InputFormat::Rgba64Le => 8,
        }
    }

    /// Bytes from one row to the next, `None` on overflow.
    pub(super) fn stride(self, width: usize) -> Option<usize> {
        let row = width.checked_mul(self.pixel_bytes())?;
        match self {
            InputFormat::Rgba | InputFormat::Rgba64Be | InputFormat::Rgba64Le => Some(row),
            _ => row.checked_next_multiple_of(4),
        }
    }

    pub(super) fn color(self) -> png::ColorType {
        match self {
            InputFormat::Rgba | InputFormat::Rgba64Be | InputFormat::Rgba64Le => {
                png::ColorType::Rgba
            }
            InputFormat::Rgb => png::ColorType::Rgb,
            _ => png::ColorType::Grayscale,
        }
    }

    pub(super) fn depth(self) -> png::BitDepth {
        match self {
            InputFormat::Rgba | InputFormat::Rgb | InputFormat::Gray8 => png::BitDepth::Eight,
            _ => png::BitDepth::Sixteen,
        }
    }

    /// Whether samples are 16-bit little-endian (PNG stores big-endian).
    pub(super) fn is_le16(self) -> bool {
        matches!(self, InputFormat::Gray16Le | InputFormat::Rgba64Le)
    }
}
