//! The `pngenc` element: caps, the compression-level property and one PNG per frame.
//!
//! A key design decision: each frame is encoded into a buffer the element keeps (so the
//! steady state does not allocate), then copied once into an output slot whose size is
//! only known after encoding. Rows are handed to the encoder straight from the input
//! frame when they carry no padding and need no byte swap.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, Caps, CapsValue, ElementError, ElementImpl, ExecutionHints,
    FlowError, PadDirection, PadTemplate, ProcessContext, PropSpec, PropertyError, Transform,
    Value,
};

use super::format::InputFormat;
use crate::util::video_caps::{self, MAX_DIMENSION, MAX_FRAME_SIZE};

/// GStreamer's default (zlib's level 6).
const DEFAULT_COMPRESSION_LEVEL: u64 = 6;

#[derive(Debug, Clone, Copy)]
struct Frame {
    format: InputFormat,
    width: usize,
    height: usize,
    stride: usize,
    size: usize,
}

#[derive(Debug)]
struct PngEnc {
    compression_level: u64,
    frame: Option<Frame>,
    /// Encoded bytes of the current frame.
    encoded: Vec<u8>,
    /// Packed rows when the input has padding or needs swapping.
    packed: Vec<u8>,
}

fn names() -> Vec<&'static str> {
    InputFormat::ALL.iter().map(|f| f.name()).collect()
}

pub(super) fn info() -> ElementInfo {
    let src = Caps::builder("image/png")
        .field("width", CapsValue::int_range(1, MAX_DIMENSION))
        .field("height", CapsValue::int_range(1, MAX_DIMENSION))
        .build();
    ElementInfo::new(
        "pngenc",
        "Codec/Encoder/Image",
        "Encode a video frame to a .png image",
    )
    .pad(PadTemplate::sink(video_caps::raw_template(&names())))
    .pad(PadTemplate::src(src))
    .property(
        PropSpec::uint("compression-level", DEFAULT_COMPRESSION_LEVEL, 0, 9)
            .doc("PNG compression level (0 = none, 1 = fastest, 9 = smallest)"),
    )
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(PngEnc {
        compression_level: DEFAULT_COMPRESSION_LEVEL,
        frame: None,
        encoded: Vec::new(),
        packed: Vec::new(),
    }))
}

fn parse_input(caps: Option<&Caps>) -> Result<Frame, ElementError> {
    let s = caps
        .and_then(|c| c.structure(0))
        .ok_or_else(|| ElementError::settings("no input caps were negotiated"))?;
    let format = s
        .get_str("format")
        .and_then(InputFormat::from_name)
        .ok_or_else(|| {
            ElementError::settings(format!(
                "pngenc cannot encode format {}; supported: {}",
                s.get("format").map_or("(none)".into(), ToString::to_string),
                names().join(", ")
            ))
        })?;
    let (width, height) = video_caps::dimensions(s)?;
    let stride = format.stride(width);
    let size = stride.and_then(|st| st.checked_mul(height));
    match (stride, size) {
        (Some(stride), Some(size)) if size <= MAX_FRAME_SIZE => Ok(Frame {
            format,
            width,
            height,
            stride,
            size,
        }),
        _ => Err(ElementError::settings(format!(
            "a {width}x{height} {} frame is larger than the {MAX_FRAME_SIZE}-byte limit",
            format.name()
        ))),
    }
}

impl PngEnc {
    fn deflate(&self) -> png::DeflateCompression {
        match self.compression_level {
            0 => png::DeflateCompression::NoCompression,
            1 => png::DeflateCompression::FdeflateUltraFast,
            n => png::DeflateCompression::Level(n as u8),
        }
    }

    /// Encodes one frame into `self.encoded`.
    fn encode(&mut self, f: Frame, data: &[u8]) -> Result<(), png::EncodingError> {
        let row = f.width * f.format.pixel_bytes();
        let pixels: &[u8] = if row == f.stride && !f.format.is_le16() {
            &data[..row * f.height]
        } else {
            self.packed.clear();
            for line in data.chunks(f.stride).take(f.height) {
                self.packed.extend_from_slice(&line[..row]);
            }
            if f.format.is_le16() {
                for pair in self.packed.chunks_exact_mut(2) {
                    pair.swap(0, 1);
                }
            }
            &self.packed
        };
        let deflate = self.deflate();
        self.encoded.clear();
        // The caps limit keeps both dimensions far below u32::MAX.
        let mut encoder = png::Encoder::new(&mut self.encoded, f.width as u32, f.height as u32);
        encoder.set_color(f.format.color());
        encoder.set_depth(f.format.depth());
        encoder.set_deflate_compression(deflate);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(pixels)?;
        writer.finish()
    }
}

impl ElementImpl for PngEnc {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "compression-level" => self.compression_level = value.uint_for(name)?.min(9),
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "compression-level" => Ok(Value::UInt(self.compression_level)),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        video_caps::encoder_transform_caps(direction, caps, "image/png", &names())
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<(), ElementError> {
        self.frame = Some(parse_input(sink.first())?);
        Ok(())
    }
}

impl Transform for PngEnc {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let Some(frame) = self.frame else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        video_caps::check_frame_size(buffer.len(), frame.size).map_err(|e| ctx.error(e))?;
        if let Err(e) = self.encode(frame, buffer.data()) {
            return Err(ctx.error(ElementError::stream(format!("PNG encoding failed: {e}"))));
        }
        let mut out = ctx.allocate(self.encoded.len())?;
        out.set_len(self.encoded.len());
        out.data_mut().copy_from_slice(&self.encoded);
        let meta = out.meta_mut();
        meta.clone_from(buffer.meta());
        // Every PNG stands alone.
        meta.flags.insert(BufferFlags::KEYFRAME);
        ctx.push(out.freeze());
        Ok(())
    }
}
