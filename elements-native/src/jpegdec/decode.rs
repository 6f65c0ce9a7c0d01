//! One JPEG image to one raw picture with zune-jpeg.
//!
//! What comes out: GRAY8 for one-component (grayscale) images, RGB for everything else
//! (YCbCr 4:2:0/4:2:2/4:4:4, baseline or progressive; CMYK/YCCK converted). GStreamer's
//! `jpegdec` gives I420 for 4:2:0 instead; zune-jpeg always upsamples chroma, and RGB is
//! what most consumers here (`pngenc`, display, analysis) want, so `videoconvert` is the
//! way to I420.

use parallax_core::{BufferMut, ElementError, FlowError, ProcessContext};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

use crate::util::image_out::{ImageFormat, Picture};
use crate::util::video_caps::MAX_DIMENSION;

/// Decodes `file` (at stream offset `offset`; `components` from its frame header) into
/// a slot from `ctx`; `scratch` takes the rows when they need GStreamer's 4-byte row
/// padding.
///
/// # Errors
///
/// [`FlowError::Error`] with a stream error for corrupt data or a picture over the
/// limits; what allocation returns.
pub(super) fn decode(
    file: &[u8],
    components: u8,
    offset: u64,
    scratch: &mut Vec<u8>,
    ctx: &mut ProcessContext<'_>,
) -> Result<(Picture, BufferMut), FlowError> {
    let failed = |e: zune_jpeg::errors::DecodeErrors| {
        ElementError::stream(format!("invalid JPEG at byte offset {offset}: {e}"))
    };
    let (format, colorspace) = if components == 1 {
        (ImageFormat::Gray8, ColorSpace::Luma)
    } else {
        (ImageFormat::Rgb, ColorSpace::RGB)
    };
    let options = DecoderOptions::default()
        .set_max_width(MAX_DIMENSION as usize)
        .set_max_height(MAX_DIMENSION as usize)
        .jpeg_set_out_colorspace(colorspace);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(file), options);
    decoder.decode_headers().map_err(|e| ctx.error(failed(e)))?;
    let Some(info) = decoder.info() else {
        return Err(ctx.error(ElementError::stream(format!(
            "JPEG at byte offset {offset} has no frame header"
        ))));
    };
    let (width, height) = (usize::from(info.width), usize::from(info.height));
    let picture = Picture::new(format, width, height, offset).map_err(|e| ctx.error(e))?;
    let row = width * format.pixel_bytes();
    let Some(needed) = decoder.output_buffer_size().filter(|n| *n == row * height) else {
        return Err(ctx.error(ElementError::stream(format!(
            "JPEG at byte offset {offset}: unexpected output size for {width}x{height}"
        ))));
    };
    let mut out = ctx.allocate(picture.size)?;
    out.set_len(picture.size);
    let result = if row == picture.stride {
        decoder.decode_into(&mut out.data_mut()[..needed])
    } else {
        scratch.clear();
        scratch.resize(needed, 0);
        let result = decoder.decode_into(scratch);
        for (src, dst) in scratch
            .chunks_exact(row)
            .zip(out.data_mut().chunks_mut(picture.stride))
        {
            dst[..row].copy_from_slice(src);
        }
        result
    };
    result.map_err(|e| ctx.error(failed(e)))?;
    Ok((picture, out))
}
