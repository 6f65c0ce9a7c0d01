//! What the image decoders (`pngdec`, `jpegdec`) share: the raw formats they write, with
//! GStreamer's strides, and announcing the caps of each picture before pushing it.
//!
//! A key design decision: a decoder only learns the size and format from the stream, so
//! the caps fixated at negotiation are placeholders; [`ImageCaps::announce`] sends the
//! real ones in-band before the first frame and again whenever a picture differs.

use parallax_core::{Caps, CapsValue, ElementError, Fraction, ProcessContext, Structure};

use super::video_caps::{MAX_DIMENSION, MAX_FRAME_SIZE};
use super::video_format::{FrameLayout, VideoFormat};

/// A raw format a decoder writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageFormat {
    Gray8,
    Gray16Be,
    Rgb,
    Rgba,
    Rgba64Be,
    /// Planar 4:2:0 (`jpegdec`'s own decoder), GStreamer's plane layout.
    I420,
}

impl ImageFormat {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ImageFormat::Gray8 => "GRAY8",
            ImageFormat::Gray16Be => "GRAY16_BE",
            ImageFormat::Rgb => "RGB",
            ImageFormat::Rgba => "RGBA",
            ImageFormat::Rgba64Be => "RGBA64_BE",
            ImageFormat::I420 => "I420",
        }
    }

    /// Bytes of one pixel (of the luma plane for I420).
    pub(crate) fn pixel_bytes(self) -> usize {
        match self {
            ImageFormat::Gray8 | ImageFormat::I420 => 1,
            ImageFormat::Gray16Be => 2,
            ImageFormat::Rgb => 3,
            ImageFormat::Rgba => 4,
            ImageFormat::Rgba64Be => 8,
        }
    }

    /// GStreamer's row stride (`video-info.c`): GRAY and RGB rows are padded to a multiple
    /// of 4 bytes, RGBA and RGBA64 rows are not (for I420: of the luma plane). `None` on
    /// overflow.
    pub(crate) fn stride(self, width: usize) -> Option<usize> {
        let row = width.checked_mul(self.pixel_bytes())?;
        match self {
            ImageFormat::Rgba | ImageFormat::Rgba64Be => Some(row),
            _ => row.checked_next_multiple_of(4),
        }
    }
}

/// The layout of one decoded picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Picture {
    pub(crate) format: ImageFormat,
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) stride: usize,
    pub(crate) size: usize,
}

impl Picture {
    /// Checks the size against the engine's limits before anything is allocated.
    ///
    /// # Errors
    ///
    /// [`ElementError`] (stream) naming the size and the byte offset of the picture.
    pub(crate) fn new(
        format: ImageFormat,
        width: usize,
        height: usize,
        offset: u64,
    ) -> Result<Self, ElementError> {
        let max = MAX_DIMENSION as usize;
        let too_big = || {
            ElementError::stream(format!(
                "picture at byte offset {offset} is {width}x{height}, outside 1..={max} \
                 or over the {MAX_FRAME_SIZE}-byte frame limit"
            ))
        };
        if width == 0 || height == 0 || width > max || height > max {
            return Err(too_big());
        }
        let stride = format.stride(width).ok_or_else(too_big)?;
        let size = if format == ImageFormat::I420 {
            FrameLayout::new(VideoFormat::I420, width, height).map(|l| l.size)
        } else {
            stride.checked_mul(height)
        };
        let size = size.filter(|s| *s <= MAX_FRAME_SIZE).ok_or_else(too_big)?;
        Ok(Picture {
            format,
            width,
            height,
            stride,
            size,
        })
    }
}

/// `video/x-raw` with the given formats and any size: a decoder's src template.
pub(crate) fn src_template(formats: &[&str]) -> Caps {
    super::video_caps::raw_template(formats)
}

/// Announces caps for each picture when they differ from the last announced ones.
#[derive(Debug, Default)]
pub(crate) struct ImageCaps {
    announced: Option<(ImageFormat, usize, usize)>,
    /// From the sink caps (`image/png,framerate=...`); a still picture when absent.
    pub(crate) framerate: Option<Fraction>,
}

impl ImageCaps {
    /// Sends the caps of `p` in-band if they differ from the last ones sent.
    pub(crate) fn announce(&mut self, p: &Picture, ctx: &mut ProcessContext<'_>) {
        let key = (p.format, p.width, p.height);
        if self.announced == Some(key) {
            return;
        }
        let framerate = self.framerate.unwrap_or(Fraction::new(0, 1));
        // The dimensions are below MAX_DIMENSION, so they fit an i64.
        let s = Structure::new("video/x-raw")
            .with("format", p.format.name())
            .with("width", CapsValue::Int(p.width as i64))
            .with("height", CapsValue::Int(p.height as i64))
            .with("framerate", CapsValue::Fraction(framerate))
            .with(
                "pixel-aspect-ratio",
                CapsValue::Fraction(Fraction::new(1, 1)),
            );
        ctx.set_src_caps(0, Caps::new(s));
        self.announced = Some(key);
    }

    /// Forgets what was announced (after a restart the next picture announces again).
    pub(crate) fn reset(&mut self) {
        self.announced = None;
    }
}

/// Caps across an image decoder: whatever comes in, `src` goes out and the other way.
pub(crate) fn decoder_transform_caps(
    direction: parallax_core::PadDirection,
    caps: &Caps,
    sink: &Caps,
    src: &Caps,
) -> Caps {
    let _ = caps;
    match direction {
        parallax_core::PadDirection::Sink => src.clone(),
        parallax_core::PadDirection::Src => sink.clone(),
    }
}
