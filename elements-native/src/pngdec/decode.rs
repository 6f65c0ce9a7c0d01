//! One PNG file to one raw picture with the `png` crate.
//!
//! What comes out (GStreamer's `pngdec` makes the same choices where it has the format):
//! gray 1/2/4/8-bit → GRAY8, gray 16-bit → GRAY16_BE, RGB 8-bit → RGB, RGBA 8-bit →
//! RGBA, palette → RGB (RGBA when it has a `tRNS` chunk), gray+alpha 8-bit → RGBA,
//! RGB/RGBA/gray+alpha 16-bit → RGBA64_BE (opaque alpha added where absent). Samples are
//! never scaled, so 8- and 16-bit pictures come out bit-exact.

use std::io::Cursor;

use parallax_core::ElementError;

use crate::util::image_out::{ImageFormat, Picture};
use crate::util::video_caps::MAX_FRAME_SIZE;

/// How the decoder's rows become output rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expand {
    /// Same pixels; rows may need padding.
    Copy,
    /// 8-bit gray+alpha → RGBA.
    GrayAlpha8,
    /// 16-bit gray+alpha → RGBA64.
    GrayAlpha16,
    /// 16-bit RGB → RGBA64.
    Rgb16,
}

/// A PNG whose header has been read, ready to decode.
pub(super) struct Opened<'a> {
    reader: png::Reader<Cursor<&'a [u8]>>,
    pub(super) picture: Picture,
    expand: Expand,
    offset: u64,
}

fn failed(offset: u64, err: &png::DecodingError) -> ElementError {
    ElementError::stream(format!("invalid PNG at byte offset {offset}: {err}"))
}

/// Reads the header of the PNG in `file` (which starts at stream offset `offset`).
///
/// # Errors
///
/// [`ElementError`] (stream) for a broken header or a picture over the limits.
pub(super) fn open(file: &[u8], offset: u64) -> Result<Opened<'_>, ElementError> {
    // The decoder's own allocations are capped as well as ours.
    let limits = png::Limits {
        bytes: MAX_FRAME_SIZE,
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(file), limits);
    decoder.set_transformations(png::Transformations::EXPAND);
    let reader = decoder.read_info().map_err(|e| failed(offset, &e))?;
    let (color, depth) = reader.output_color_type();
    let sixteen = depth == png::BitDepth::Sixteen;
    let (format, expand) = match (color, sixteen) {
        (png::ColorType::Grayscale, false) => (ImageFormat::Gray8, Expand::Copy),
        (png::ColorType::Grayscale, true) => (ImageFormat::Gray16Be, Expand::Copy),
        (png::ColorType::Rgb, false) => (ImageFormat::Rgb, Expand::Copy),
        (png::ColorType::Rgba, false) => (ImageFormat::Rgba, Expand::Copy),
        (png::ColorType::Rgba, true) => (ImageFormat::Rgba64Be, Expand::Copy),
        (png::ColorType::GrayscaleAlpha, false) => (ImageFormat::Rgba, Expand::GrayAlpha8),
        (png::ColorType::GrayscaleAlpha, true) => (ImageFormat::Rgba64Be, Expand::GrayAlpha16),
        (png::ColorType::Rgb, true) => (ImageFormat::Rgba64Be, Expand::Rgb16),
        // EXPAND turns palettes into RGB(A); anything else is a decoder we do not know.
        (png::ColorType::Indexed, _) => {
            return Err(ElementError::stream(format!(
                "PNG at byte offset {offset}: palette was not expanded"
            )));
        }
    };
    let info = reader.info();
    let picture = Picture::new(format, info.width as usize, info.height as usize, offset)?;
    Ok(Opened {
        reader,
        picture,
        expand,
        offset,
    })
}

impl Opened<'_> {
    /// Decodes into `out` (exactly `picture.size` bytes); `scratch` holds the decoder's
    /// rows when they need padding or expanding.
    ///
    /// # Errors
    ///
    /// [`ElementError`] (stream) for corrupt image data.
    pub(super) fn decode(
        mut self,
        out: &mut [u8],
        scratch: &mut Vec<u8>,
    ) -> Result<(), ElementError> {
        let p = self.picture;
        let offset = self.offset;
        let raw_row = self
            .reader
            .output_line_size(p.width as u32)
            .ok_or_else(|| ElementError::stream("PNG row size overflows"))?;
        if self.expand == Expand::Copy && raw_row == p.stride {
            // The common case (RGBA, or rows already a multiple of 4): straight into the slot.
            self.reader
                .next_frame(out)
                .map_err(|e| failed(offset, &e))?;
            return Ok(());
        }
        let raw_size = raw_row
            .checked_mul(p.height)
            .ok_or_else(|| ElementError::stream("PNG size overflows"))?;
        scratch.clear();
        scratch.resize(raw_size, 0);
        self.reader
            .next_frame(scratch)
            .map_err(|e| failed(offset, &e))?;
        for (src, dst) in scratch.chunks_exact(raw_row).zip(out.chunks_mut(p.stride)) {
            expand_row(self.expand, src, dst);
        }
        Ok(())
    }
}

fn expand_row(expand: Expand, src: &[u8], dst: &mut [u8]) {
    match expand {
        Expand::Copy => dst[..src.len()].copy_from_slice(src),
        Expand::GrayAlpha8 => {
            for (s, d) in src.chunks_exact(2).zip(dst.chunks_exact_mut(4)) {
                d.copy_from_slice(&[s[0], s[0], s[0], s[1]]);
            }
        }
        Expand::GrayAlpha16 => {
            for (s, d) in src.chunks_exact(4).zip(dst.chunks_exact_mut(8)) {
                d.copy_from_slice(&[s[0], s[1], s[0], s[1], s[0], s[1], s[2], s[3]]);
            }
        }
        Expand::Rgb16 => {
            for (s, d) in src.chunks_exact(6).zip(dst.chunks_exact_mut(8)) {
                d[..6].copy_from_slice(s);
                d[6..].copy_from_slice(&[0xff, 0xff]);
            }
        }
    }
}
