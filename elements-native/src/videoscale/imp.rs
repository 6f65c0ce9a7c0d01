//! The `videoscale` element: caps (same format, any size), the `method` property and the
//! per-buffer call.
//!
//! A key design decision: the output offers the input size first, so fixation keeps it
//! whenever downstream allows it, and then buffers pass through untouched (no copy), as
//! GStreamer's passthrough. The pixel aspect ratio is dropped rather than kept, so a
//! size downstream asks for is never refused for changing the display shape.

use parallax_core::property::EnumValue;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, CapsValue, ElementError, ElementImpl, ExecutionHints, FlowError,
    PadDirection, PadTemplate, ProcessContext, PropSpec, PropertyError, Transform, Value,
};

use super::scale::{Method, Scaler};
use crate::util::video_caps::{self, MAX_DIMENSION};

const FORMATS: [&str; 5] = ["I420", "NV12", "RGBA", "RGB", "GRAY8"];

/// GStreamer's default method.
const DEFAULT_METHOD: &str = "bilinear";

/// GStreamer's nicks and numbers for the two methods implemented.
const METHODS: &[EnumValue] = &[
    EnumValue {
        nick: "nearest-neighbour",
        value: 0,
        doc: "Nearest Neighbour",
    },
    EnumValue {
        nick: "bilinear",
        value: 1,
        doc: "Bilinear (2-tap)",
    },
];

#[derive(Debug)]
enum Mode {
    /// Same size both sides.
    Passthrough,
    /// Input size, output size and scaler.
    Scale(usize, usize, Box<Scaler>),
}

#[derive(Debug)]
struct VideoScale {
    method: Method,
    mode: Option<Mode>,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "videoscale",
        "Filter/Converter/Video/Scaler",
        "Resizes video",
    )
    .pad(PadTemplate::sink(video_caps::raw_template(&FORMATS)))
    .pad(PadTemplate::src(video_caps::raw_template(&FORMATS)))
    .property(PropSpec::enumeration("method", DEFAULT_METHOD, METHODS).doc("Scaling method"))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(VideoScale {
        method: Method::Bilinear,
        mode: None,
    }))
}

impl ElementImpl for VideoScale {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "method" => {
                self.method = match value.str_for(name)? {
                    "nearest-neighbour" | "0" => Method::Nearest,
                    _ => Method::Bilinear,
                };
                Ok(())
            }
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "method" => Ok(Value::Enum(
                match self.method {
                    Method::Nearest => "nearest-neighbour",
                    Method::Bilinear => "bilinear",
                }
                .to_owned(),
            )),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn transform_caps(&self, _direction: PadDirection, caps: &Caps) -> Caps {
        if caps.is_any() {
            return caps.clone();
        }
        let mut out = caps.clone();
        for s in out.structures_mut() {
            if s.name() != "video/x-raw" {
                continue;
            }
            for field in ["width", "height"] {
                if let Some(v) = s.get(field).cloned() {
                    // The current size first (fixation keeps it), then any size.
                    let any = CapsValue::int_range(1, MAX_DIMENSION);
                    s.set(field, CapsValue::List(vec![v, any]));
                }
            }
            s.remove("pixel-aspect-ratio");
        }
        out
    }

    fn set_caps(&mut self, sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        let input = video_caps::parse_raw(sink.first())?;
        let output = video_caps::parse_raw(src.first())?;
        let (i, o) = (&input.layout, &output.layout);
        if i.format != o.format {
            return Err(ElementError::settings(format!(
                "videoscale does not convert formats ({} in, {} out); put videoconvert \
                 next to it",
                i.format.name(),
                o.format.name()
            )));
        }
        self.mode = Some(if (i.width, i.height) == (o.width, o.height) {
            Mode::Passthrough
        } else {
            Mode::Scale(i.size, o.size, Box::new(Scaler::new(i, o, self.method)))
        });
        Ok(())
    }
}

impl Transform for VideoScale {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let Some(mode) = self.mode.as_mut() else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        let (in_size, out_size, scaler) = match mode {
            Mode::Passthrough => {
                ctx.push(buffer);
                return Ok(());
            }
            Mode::Scale(i, o, s) => (*i, *o, s),
        };
        video_caps::check_frame_size(buffer.len(), in_size).map_err(|e| ctx.error(e))?;
        let mut out = ctx.allocate(out_size)?;
        out.set_len(out_size);
        scaler.scale(buffer.data(), out.data_mut());
        out.meta_mut().clone_from(buffer.meta());
        ctx.push(out.freeze());
        Ok(())
    }
}
