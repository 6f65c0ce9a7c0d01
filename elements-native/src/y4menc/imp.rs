//! The `y4menc` element: one y4m frame per raw frame, the stream header in front of
//! the first one.
//!
//! A key design decision: as GStreamer's `y4menc`, the header goes out in the same
//! buffer as the first frame (a stream is readable from any buffer boundary after it),
//! and each output is written straight into its slot: header, `FRAME\n`, then the
//! planes without GStreamer's row padding.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, Fraction,
    PadDirection, PadTemplate, ProcessContext, PropertyError, Structure, Transform, Value,
};

use crate::util::video_caps;
use crate::util::y4m::{self, Colorspace, Header, Segment};

const FORMATS: [&str; 2] = ["I420", "GRAY8"];
const FRAME_LINE: &[u8] = b"FRAME\n";

#[derive(Debug)]
struct Stream {
    /// The stream header line, until it has been written.
    header: Option<Vec<u8>>,
    /// Bytes per input frame (GStreamer layout).
    frame_size: usize,
    segments: Vec<Segment>,
    packed: usize,
}

#[derive(Debug, Default)]
struct Y4mEnc {
    stream: Option<Stream>,
}

fn src_caps() -> Caps {
    Caps::builder("application/x-yuv4mpeg")
        .field("y4mversion", 2i64)
        .build()
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "y4menc",
        "Codec/Encoder/Video",
        "Encodes raw video (I420, GRAY8) into a YUV4MPEG stream",
    )
    .pad(PadTemplate::sink(video_caps::raw_template(&FORMATS)))
    .pad(PadTemplate::src(src_caps()))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::<Y4mEnc>::default())
}

impl ElementImpl for Y4mEnc {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        match direction {
            PadDirection::Sink => src_caps(),
            // Any size and rate of the two formats can be written.
            PadDirection::Src if caps.is_empty() => caps.clone(),
            PadDirection::Src => video_caps::raw_template(&FORMATS),
        }
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<(), ElementError> {
        let info = video_caps::parse_raw(sink.first())?;
        let s: Option<&Structure> = sink.first().and_then(|c| c.structure(0));
        let chroma_site = s.and_then(|s| s.get_str("chroma-site"));
        let layout = info.layout;
        let colorspace = Colorspace::for_format(layout.format, chroma_site).ok_or_else(|| {
            ElementError::settings(format!(
                "y4menc cannot write {}; supported: I420, GRAY8",
                layout.format.name()
            ))
        })?;
        let aspect = s
            .and_then(|s| s.get_fraction("pixel-aspect-ratio"))
            .filter(|f| f.num > 0 && f.den > 0)
            .or(Some(Fraction::new(1, 1)));
        let header = Header {
            width: layout.width,
            height: layout.height,
            framerate: info.framerate,
            aspect,
            colorspace,
        };
        let segments = y4m::segments(&layout);
        self.stream = Some(Stream {
            header: Some(header.line().into_bytes()),
            frame_size: layout.size,
            packed: y4m::packed_size(&segments),
            segments,
        });
        Ok(())
    }
}

impl Transform for Y4mEnc {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        video_caps::check_frame_size(buffer.len(), stream.frame_size).map_err(|e| ctx.error(e))?;
        let header = stream.header.as_deref().unwrap_or_default();
        let len = header.len() + FRAME_LINE.len() + stream.packed;
        let mut out = ctx.allocate(len)?;
        out.set_len(len);
        let dst = out.data_mut();
        let (head, body) = dst.split_at_mut(header.len() + FRAME_LINE.len());
        head[..header.len()].copy_from_slice(header);
        head[header.len()..].copy_from_slice(FRAME_LINE);
        let data = buffer.data();
        let mut at = 0;
        for seg in &stream.segments {
            body[at..at + seg.len].copy_from_slice(&data[seg.offset..seg.offset + seg.len]);
            at += seg.len;
        }
        stream.header = None;
        out.meta_mut().clone_from(buffer.meta());
        ctx.push(out.freeze());
        Ok(())
    }
}
