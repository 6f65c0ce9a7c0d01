//! The `jpegenc` element: caps, the quality property and one JPEG per frame.

use jpeg_encoder::{Encoder, EncodingError, SamplingFactor};
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, Caps, CapsValue, ElementError, ElementImpl, ExecutionHints,
    FlowError, PadDirection, PadTemplate, ProcessContext, PropSpec, PropertyError, Transform,
    Value,
};

use super::source::{FrameSource, Luts};
use super::stripes::{self, Plan};
use crate::util::video_caps::{self, MAX_DIMENSION, VideoInfo};
use crate::util::video_format::VideoFormat;
use crate::videoconvert::matrix::Standard;

/// GStreamer's default.
const DEFAULT_QUALITY: u64 = 85;

const FORMATS: [&str; 5] = ["I420", "NV12", "RGB", "RGBA", "GRAY8"];

#[derive(Debug)]
struct JpegEnc {
    quality: u64,
    input: Option<(VideoInfo, Standard)>,
    luts: Luts,
    encoded: Vec<u8>,
    /// Encoded stripes of the current frame (kept to reuse their memory).
    stripes: Vec<Vec<u8>>,
    threads: usize,
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
        luts: Luts::new(Standard::Bt601),
        encoded: Vec::new(),
        stripes: Vec::new(),
        threads: std::thread::available_parallelism().map_or(1, usize::from),
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
        self.luts = Luts::new(standard);
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
        let Some((info, _)) = &self.input else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        let layout = &info.layout;
        video_caps::check_frame_size(buffer.len(), layout.size).map_err(|e| ctx.error(e))?;
        let quality = self.quality.clamp(1, 100) as u8;
        // The crate's own default (4:2:0 below quality 90), made explicit because the
        // stripe plan depends on the MCU size.
        let (sampling, mcu) = if layout.format.is_420() || quality < 90 {
            (SamplingFactor::F_2_2, 16)
        } else {
            (SamplingFactor::F_1_1, 8)
        };
        let frame = FrameSource {
            layout,
            data: buffer.data(),
            luts: &self.luts,
            first: 0,
            rows: layout.height,
        };
        // GRAY8 is one component, whose MCU is one block whatever the sampling: it
        // always goes in one piece.
        let plan = (layout.format != VideoFormat::Gray8)
            .then(|| stripes::plan(layout.width, layout.height, mcu, self.threads))
            .flatten();
        let result = match plan {
            None => encode(&mut self.encoded, quality, sampling, frame)
                .map_err(|e| format!("JPEG encoding failed: {e}")),
            Some(plan) => encode_striped(
                &mut self.stripes,
                &mut self.encoded,
                quality,
                sampling,
                frame,
                plan,
                self.threads,
            ),
        };
        if let Err(e) = result {
            return Err(ctx.error(ElementError::stream(e)));
        }
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

fn encode(
    out: &mut Vec<u8>,
    quality: u8,
    sampling: SamplingFactor,
    frame: FrameSource<'_>,
) -> Result<(), EncodingError> {
    out.clear();
    let mut encoder = Encoder::new(out, quality);
    encoder.set_sampling_factor(sampling);
    encoder.encode_image(frame)
}

/// Encodes `frame` as `plan.count` stripes on up to `threads` threads (this one
/// included) and joins them into `out`.
fn encode_striped(
    parts: &mut Vec<Vec<u8>>,
    out: &mut Vec<u8>,
    quality: u8,
    sampling: SamplingFactor,
    frame: FrameSource<'_>,
    plan: Plan,
    threads: usize,
) -> Result<(), String> {
    parts.resize_with(plan.count, Vec::new);
    let per_thread = plan.count.div_ceil(threads.max(1));
    let height = frame.rows;
    let group = |first: usize, chunk: &mut [Vec<u8>]| -> Result<(), String> {
        for (k, part) in chunk.iter_mut().enumerate() {
            let start = (first + k) * plan.rows;
            let stripe = FrameSource {
                first: start,
                rows: plan.rows.min(height - start),
                ..frame
            };
            encode(part, quality, sampling, stripe)
                .map_err(|e| format!("JPEG encoding failed: {e}"))?;
        }
        Ok(())
    };
    std::thread::scope(|s| {
        let mut groups = parts.chunks_mut(per_thread).enumerate();
        let mine = groups.next();
        let handles: Vec<_> = groups
            .map(|(g, chunk)| s.spawn(move || group(g * per_thread, chunk)))
            .collect();
        let mut result = mine.map_or(Ok(()), |(_, chunk)| group(0, chunk));
        for h in handles {
            let r = h
                .join()
                .unwrap_or_else(|_| Err("a JPEG stripe encoder panicked".into()));
            result = result.and(r);
        }
        result
    })?;
    // The caps limit (16384) keeps the height within u16.
    stripes::stitch(parts, height as u16, plan.interval, out)
        .map_err(|e| format!("joining JPEG stripes failed: {e}"))
}
