//! The `videoconvert` element: caps (any supported format to any other, same size and
//! framerate), negotiation checks and the per-buffer call.
//!
//! A key design decision: the output keeps the input format whenever downstream allows
//! it, and then buffers pass through untouched (no copy), as GStreamer's passthrough.
//! `n-threads` splits each frame into bands of rows converted in parallel; its default
//! is GStreamer's (1), so pipelines do the same work on both unless asked otherwise.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadDirection,
    PadTemplate, ProcessContext, PropSpec, PropertyError, Transform, Value,
};

use super::convert::Converter;
use super::matrix::Standard;
use crate::util::video_caps::{self, VideoInfo};

const FORMATS: [&str; 5] = ["I420", "NV12", "RGBA", "RGB", "GRAY8"];

/// Fields that describe a particular encoding of colours; the output picks its own.
const COLOR_FIELDS: [&str; 2] = ["colorimetry", "chroma-site"];

#[derive(Debug)]
enum Mode {
    /// Same format both sides.
    Passthrough,
    /// Input size and converter.
    Convert(usize, usize, Box<Converter>),
}

/// GStreamer's default for `n-threads`.
const DEFAULT_THREADS: u64 = 1;

#[derive(Debug)]
struct VideoConvert {
    /// `n-threads`: 0 means one per CPU; read at negotiation.
    threads: u64,
    mode: Option<Mode>,
}

impl Default for VideoConvert {
    fn default() -> Self {
        VideoConvert {
            threads: DEFAULT_THREADS,
            mode: None,
        }
    }
}

impl VideoConvert {
    /// The threads a frame is split across.
    fn threads(&self) -> usize {
        match self.threads {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => usize::try_from(n).unwrap_or(usize::MAX),
        }
    }
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "videoconvert",
        "Filter/Converter/Video",
        "Converts video from one colorspace to another",
    )
    .pad(PadTemplate::sink(video_caps::raw_template(&FORMATS)))
    .pad(PadTemplate::src(video_caps::raw_template(&FORMATS)))
    .property(
        PropSpec::uint("n-threads", DEFAULT_THREADS, 0, u64::from(u32::MAX))
            .doc("Maximum number of threads to use (0 = one per CPU); read at negotiation"),
    )
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::<VideoConvert>::default())
}

/// The matrix for `caps`: its `colorimetry` when it names one, else GStreamer's default
/// for the frame height.
fn standard(caps: Option<&Caps>, info: &VideoInfo) -> Standard {
    caps.and_then(|c| c.structure(0))
        .and_then(|s| s.get_str("colorimetry"))
        .and_then(Standard::from_colorimetry)
        .unwrap_or_else(|| Standard::default_for_height(info.layout.height))
}

impl ElementImpl for VideoConvert {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "n-threads" => self.threads = value.uint_for(name)?.min(u64::from(u32::MAX)),
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "n-threads" => Ok(Value::UInt(self.threads)),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn transform_caps(&self, _direction: PadDirection, caps: &Caps) -> Caps {
        let mut out = video_caps::widen_list(caps, "video/x-raw", "format", &FORMATS);
        for s in out.structures_mut() {
            for field in COLOR_FIELDS {
                s.remove(field);
            }
        }
        out
    }

    fn set_caps(&mut self, sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        let input = video_caps::parse_raw(sink.first())?;
        let output = video_caps::parse_raw(src.first())?;
        let (i, o) = (&input.layout, &output.layout);
        if (i.width, i.height) != (o.width, o.height) {
            return Err(ElementError::settings(format!(
                "videoconvert does not scale ({}x{} in, {}x{} out); put videoscale before it",
                i.width, i.height, o.width, o.height
            )));
        }
        self.mode = Some(if i.format == o.format {
            Mode::Passthrough
        } else {
            let standard = standard(sink.first(), &input);
            let in_size = i.size;
            let out_size = o.size;
            Mode::Convert(
                in_size,
                out_size,
                Box::new(Converter::new(
                    i.clone(),
                    o.clone(),
                    standard,
                    self.threads(),
                )),
            )
        });
        Ok(())
    }
}

impl Transform for VideoConvert {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let Some(mode) = self.mode.as_mut() else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        let (in_size, out_size, converter) = match mode {
            Mode::Passthrough => {
                ctx.push(buffer);
                return Ok(());
            }
            Mode::Convert(i, o, c) => (*i, *o, c),
        };
        video_caps::check_frame_size(buffer.len(), in_size).map_err(|e| ctx.error(e))?;
        let mut out = ctx.allocate(out_size)?;
        out.set_len(out_size);
        converter.convert(buffer.data(), out.data_mut());
        out.meta_mut().clone_from(buffer.meta());
        ctx.push(out.freeze());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::video_format::VideoFormat;

    #[test]
    fn output_prefers_the_input_format() {
        let caps: Caps = "video/x-raw, format=NV12, width=64, height=48, colorimetry=bt601"
            .parse()
            .expect("caps");
        let out = VideoConvert::default().transform_caps(PadDirection::Sink, &caps);
        let s = out.structure(0).expect("one structure");
        assert_eq!(
            s.get("format").map(ToString::to_string).as_deref(),
            Some("{ NV12, I420, RGBA, RGB, GRAY8 }")
        );
        assert!(!s.has_field("colorimetry"));
        assert_eq!(VideoFormat::from_name("NV12"), Some(VideoFormat::Nv12));
    }
}
