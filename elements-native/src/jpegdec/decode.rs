//! One JPEG image to one raw picture.
//!
//! What comes out: GRAY8 for one-component (grayscale) images; I420 for sequential
//! 8-bit YCbCr 4:2:0 images when downstream accepts it, as GStreamer's `jpegdec` does;
//! RGB for everything else (4:2:2/4:4:4, progressive; CMYK/YCCK converted) and for 4:2:0
//! when downstream wants RGB. Gray and 4:2:0 sequential images go through our own
//! decoder (`planar.rs`), the rest through zune-jpeg.

use parallax_core::{BufferMut, ElementError, FlowError, ProcessContext};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

use super::headers::{self, Layout};
use super::planar::{self, IdctMethod, Plane};
use crate::util::image_out::{ImageFormat, Picture};
use crate::util::video_caps::MAX_DIMENSION;
use crate::util::video_format::{FrameLayout, VideoFormat};

/// Decodes `file` (at stream offset `offset`; `components` from its frame header) into
/// a slot from `ctx`, as I420 where the image allows and `i420` says downstream takes
/// it, with the inverse DCT `method` (our own decoder only; zune-jpeg has one IDCT);
/// `scratch` takes zune-jpeg's rows when they need GStreamer's 4-byte row padding.
///
/// # Errors
///
/// [`FlowError::Error`] with a stream error for corrupt data or a picture over the
/// limits; what allocation returns.
pub(super) fn decode(
    file: &[u8],
    components: u8,
    offset: u64,
    i420: bool,
    method: IdctMethod,
    scratch: &mut Vec<u8>,
    ctx: &mut ProcessContext<'_>,
) -> Result<(Picture, BufferMut), FlowError> {
    let h = headers::read(file).map_err(|e| {
        ctx.error(ElementError::stream(format!(
            "invalid JPEG at byte offset {}: {}",
            offset + e.at as u64,
            e.what
        )))
    })?;
    match h.layout {
        Layout::Gray => return decode_planar(file, &h, ImageFormat::Gray8, offset, method, ctx),
        Layout::Yuv420 if i420 => {
            return decode_planar(file, &h, ImageFormat::I420, offset, method, ctx);
        }
        _ => {}
    }
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

/// Our own decoder into GRAY8 or I420 (see `planar.rs`).
fn decode_planar(
    file: &[u8],
    h: &headers::Headers,
    format: ImageFormat,
    offset: u64,
    method: IdctMethod,
    ctx: &mut ProcessContext<'_>,
) -> Result<(Picture, BufferMut), FlowError> {
    let picture = Picture::new(format, h.width, h.height, offset).map_err(|e| ctx.error(e))?;
    let luma = Plane {
        offset: 0,
        stride: picture.stride,
        width: h.width,
        height: h.height,
    };
    let planes = if format == ImageFormat::I420 {
        let Some(l) = FrameLayout::new(VideoFormat::I420, h.width, h.height) else {
            return Err(ctx.error(ElementError::stream(format!(
                "JPEG at byte offset {offset}: no I420 layout for {}x{}",
                h.width, h.height
            ))));
        };
        let chroma = |i: usize| Plane {
            offset: l.planes[i].offset,
            stride: l.planes[i].stride,
            width: h.width.div_ceil(2),
            height: h.height.div_ceil(2),
        };
        vec![luma, chroma(1), chroma(2)]
    } else {
        vec![luma]
    };
    let mut out = ctx.allocate(picture.size)?;
    out.set_len(picture.size);
    planar::decode(file, h, &planes, out.data_mut(), method).map_err(|e| {
        ctx.error(ElementError::stream(format!(
            "invalid JPEG at byte offset {}: {}",
            offset + e.at as u64,
            e.what
        )))
    })?;
    Ok((picture, out))
}
