//! The `jpegenc` element: caps, the quality property and one JPEG per frame.

use std::sync::Arc;

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, Caps, CapsValue, ElementError, ElementImpl, ExecutionHints,
    FlowError, PadDirection, PadTemplate, ProcessContext, PropSpec, PropertyError, Transform,
    Value,
};

use super::encoder::{self, Part, Settings};
use super::pool::Pool;
use crate::util::video_caps::{self, MAX_DIMENSION, VideoInfo};
use crate::videoconvert::matrix::Standard;

/// GStreamer's default.
const DEFAULT_QUALITY: u64 = 85;

const FORMATS: [&str; 5] = ["I420", "NV12", "RGB", "RGBA", "GRAY8"];

struct JpegEnc {
    quality: u64,
    input: Option<(VideoInfo, Standard)>,
    /// The encoder's settings and the quality they were made for.
    settings: Option<(u8, Arc<Settings>)>,
    encoded: Vec<u8>,
    /// The stripes of the current frame (kept to reuse their memory).
    parts: Vec<Part>,
    threads: usize,
    pool: Pool,
}

pub(super) fn info() -> ElementInfo {
    let src = Caps::builder("image/jpeg")
        .field("width", CapsValue::int_range(1, MAX_DIMENSION))
        .field("height", CapsValue::int_range(1, MAX_DIMENSION))
        .build();
    ElementInfo::new(
        "jpegenc",
        "Codec/Encoder/Image",
        "Encode images in JPEG format",
    )
    .pad(PadTemplate::sink(video_caps::raw_template(&FORMATS)))
    .pad(PadTemplate::src(src))
    .property(
        PropSpec::uint("quality", DEFAULT_QUALITY, 0, 100)
            .doc("Quality of encoding (0 is treated as 1)"),
    )
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(JpegEnc {
        quality: DEFAULT_QUALITY,
        input: None,
        settings: None,
        encoded: Vec::new(),
        parts: Vec::new(),
        threads: std::thread::available_parallelism().map_or(1, usize::from),
        pool: Pool::default(),
    }))
}

impl ElementImpl for JpegEnc {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "quality" => self.quality = value.uint_for(name)?.min(100),
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "quality" => Ok(Value::UInt(self.quality)),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        video_caps::encoder_transform_caps(direction, caps, "image/jpeg", &FORMATS)
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<(), ElementError> {
        let info = video_caps::parse_raw(sink.first())?;
        let standard = sink
            .first()
            .and_then(|c| c.structure(0))
            .and_then(|s| s.get_str("colorimetry"))
            .and_then(Standard::from_colorimetry)
            .unwrap_or_else(|| Standard::default_for_height(info.layout.height));
        self.settings = None;
        self.input = Some((info, standard));
        Ok(())
    }
}

impl Transform for JpegEnc {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let Some((info, standard)) = &self.input else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        let layout = &info.layout;
        video_caps::check_frame_size(buffer.len(), layout.size).map_err(|e| ctx.error(e))?;
        let quality = self.quality.clamp(1, 100) as u8;
        let settings = match &mut self.settings {
            Some((q, s)) if *q == quality => s,
            slot => {
                let s = Settings::new(layout.format, *standard, quality);
                &slot.insert((quality, Arc::new(s))).1
            }
        };
        encoder::encode(
            settings,
            layout,
            &buffer,
            self.threads,
            &mut self.pool,
            &mut self.parts,
            &mut self.encoded,
        )
        .map_err(|e| ctx.error(ElementError::stream(e)))?;
        let mut out = ctx.allocate(self.encoded.len())?;
        out.set_len(self.encoded.len());
        out.data_mut().copy_from_slice(&self.encoded);
        let meta = out.meta_mut();
        meta.clone_from(buffer.meta());
        meta.flags.insert(BufferFlags::KEYFRAME);
        ctx.push(out.freeze());
        Ok(())
    }
}
