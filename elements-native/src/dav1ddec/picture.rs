//! A decoded dav1d picture as a packed raw video frame, and the caps that describe it.
//!
//! dav1d's planes have strides padded for SIMD and live in its own picture pool, so each
//! picture is copied once, row by row, into an output slot: the only copy on the decode
//! path, and the one GStreamer's `dav1ddec` also makes when downstream cannot take
//! strided frames.

use dav1d::{Picture, PixelLayout, PlanarImageComponent};
use parallax_core::{Caps, CapsValue, ElementError, Fraction, Structure};

/// What a picture looks like; a change of any field goes out as new caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Shape {
    pub(super) width: usize,
    pub(super) height: usize,
    /// Bytes per sample: 1 (8-bit) or 2 (10/12-bit, little endian).
    pub(super) bytes: usize,
    pub(super) bits: usize,
}

impl Shape {
    /// The shape of `p`.
    ///
    /// # Errors
    ///
    /// [`ElementError`] (stream) for layouts other than 4:2:0 (I420 is what this element
    /// puts out) and bit depths other than 8, 10 and 12.
    pub(super) fn of(p: &Picture) -> Result<Shape, ElementError> {
        if p.pixel_layout() != PixelLayout::I420 {
            return Err(ElementError::stream(format!(
                "dav1ddec outputs 4:2:0 only; the stream is {:?}",
                p.pixel_layout()
            )));
        }
        let bits = p.bit_depth();
        let bytes = match bits {
            8 => 1,
            10 | 12 => 2,
            other => {
                return Err(ElementError::stream(format!(
                    "unsupported bit depth {other}"
                )));
            }
        };
        Ok(Shape {
            width: p.width() as usize,
            height: p.height() as usize,
            bytes,
            bits,
        })
    }

    /// Width and height of plane `i` (0: luma; chroma rounds up).
    fn plane(&self, i: usize) -> (usize, usize) {
        if i == 0 {
            (self.width, self.height)
        } else {
            (self.width.div_ceil(2), self.height.div_ceil(2))
        }
    }

    /// Bytes of one packed frame.
    pub(super) fn frame_size(&self) -> usize {
        (0..3)
            .map(|i| {
                let (w, h) = self.plane(i);
                w * h * self.bytes
            })
            .sum()
    }

    /// The raw video format name.
    pub(super) fn format(&self) -> &'static str {
        match self.bits {
            8 => "I420",
            10 => "I420_10LE",
            _ => "I420_12LE",
        }
    }

    /// Fixed `video/x-raw` caps for this shape.
    pub(super) fn caps(&self, framerate: Option<Fraction>) -> Caps {
        // Dimensions come from dav1d (at most 65536) and fit an i64.
        Caps::new(
            Structure::new("video/x-raw")
                .with("format", self.format())
                .with("width", CapsValue::Int(self.width as i64))
                .with("height", CapsValue::Int(self.height as i64))
                .with(
                    "framerate",
                    CapsValue::Fraction(framerate.unwrap_or(Fraction::new(0, 1))),
                )
                .with(
                    "pixel-aspect-ratio",
                    CapsValue::Fraction(Fraction::new(1, 1)),
                ),
        )
    }
}

const PLANES: [PlanarImageComponent; 3] = [
    PlanarImageComponent::Y,
    PlanarImageComponent::U,
    PlanarImageComponent::V,
];

/// Copies the visible part of each plane of `p` into `out` (`shape.frame_size()` bytes).
///
/// # Errors
///
/// [`ElementError`] (stream) when dav1d's planes are smaller than the picture says,
/// which would be a libdav1d bug; the copy never reads out of bounds.
pub(super) fn copy_planes(p: &Picture, shape: &Shape, out: &mut [u8]) -> Result<(), ElementError> {
    let mut at = 0;
    for (i, component) in PLANES.into_iter().enumerate() {
        let (w, h) = shape.plane(i);
        let row = w * shape.bytes;
        let stride = p.stride(component) as usize;
        let plane = p.plane(component);
        for y in 0..h {
            let src = plane.get(y * stride..y * stride + row).ok_or_else(|| {
                ElementError::stream("dav1d returned a plane shorter than the picture")
            })?;
            let dst = out
                .get_mut(at..at + row)
                .ok_or_else(|| ElementError::stream("output slot smaller than the frame"))?;
            dst.copy_from_slice(src);
            at += row;
        }
    }
    Ok(())
}
