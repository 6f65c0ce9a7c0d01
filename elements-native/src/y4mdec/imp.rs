//! The `y4mdec` element: frames raw video out of a y4m byte stream.
//!
//! A key design decision: the output slot for a frame is taken when its `FRAME` line is
//! read and filled as chunks arrive (through the segments of `util::y4m`, which skip
//! GStreamer's row padding), so frames are copied once and nothing is buffered besides
//! a header line. Caps come from the stream header and go out in-band before the first
//! frame; the caps fixated at negotiation are placeholders.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferMut, Caps, ClockTime, ElementError, ElementImpl, ExecutionHints,
    FlowError, Fraction, PadDirection, PadTemplate, ProcessContext, PropertyError, Transform,
    Value,
};

use super::parser::{Event, Parser};
use crate::util::video_caps::{self, MAX_DIMENSION, MAX_FRAME_SIZE};
use crate::util::video_format::FrameLayout;
use crate::util::y4m::{self, Header, Segment};

const FORMATS: [&str; 2] = ["I420", "GRAY8"];

/// The stream being read, once its header is known.
#[derive(Debug)]
struct Stream {
    layout: FrameLayout,
    segments: Vec<Segment>,
    /// Packed bytes per frame, with padding bytes in the raw frame to clear.
    padded: bool,
    framerate: Option<Fraction>,
}

/// A frame being filled.
struct Pending {
    out: BufferMut,
    /// Index into the segments and bytes already written into that segment.
    segment: usize,
    written: usize,
}

struct Y4mDec {
    parser: Parser,
    stream: Option<Stream>,
    pending: Option<Pending>,
    frames: u64,
}

fn sink_caps() -> Caps {
    Caps::builder("application/x-yuv4mpeg")
        .field("y4mversion", 2i64)
        .build()
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "y4mdec",
        "Codec/Demuxer",
        "Demuxes/decodes YUV4MPEG streams (I420, GRAY8) into raw video",
    )
    .pad(PadTemplate::sink(sink_caps()))
    .pad(PadTemplate::src(video_caps::raw_template(&FORMATS)))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Y4mDec::new()))
}

impl Y4mDec {
    fn new() -> Self {
        Y4mDec {
            parser: Parser::new(MAX_DIMENSION as usize),
            stream: None,
            pending: None,
            frames: 0,
        }
    }

    fn error(&self, ctx: &mut ProcessContext<'_>, text: String) -> FlowError {
        ctx.error(ElementError::stream(text))
    }

    /// Checks the header, announces its caps and prepares the frame layout.
    fn start_stream(&mut self, h: &Header, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let format = h.colorspace.format();
        let Some(layout) =
            FrameLayout::new(format, h.width, h.height).filter(|l| l.size <= MAX_FRAME_SIZE)
        else {
            let text = format!(
                "a {}x{} frame is over the {MAX_FRAME_SIZE}-byte frame limit",
                h.width, h.height
            );
            return Err(self.error(ctx, text));
        };
        let segments = y4m::segments(&layout);
        let packed = y4m::packed_size(&segments);
        self.parser.set_frame_size(packed);
        ctx.set_src_caps(0, h.caps());
        self.stream = Some(Stream {
            padded: packed != layout.size,
            layout,
            segments,
            framerate: h.framerate,
        });
        Ok(())
    }

    fn start_frame(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let Some(stream) = &self.stream else {
            return Err(self.error(ctx, "frame before the stream header".into()));
        };
        let size = stream.layout.size;
        let padded = stream.padded;
        let mut out = ctx.allocate(size)?;
        out.set_len(size);
        if padded {
            // Row padding is not in the stream; clear it so output does not depend on
            // what the slot held before.
            out.data_mut().fill(0);
        }
        self.pending = Some(Pending {
            out,
            segment: 0,
            written: 0,
        });
        Ok(())
    }

    /// Copies `data` (frame bytes in packed order) into the pending frame.
    fn fill(&mut self, mut data: &[u8]) {
        let (Some(stream), Some(p)) = (&self.stream, &mut self.pending) else {
            return;
        };
        let out = p.out.data_mut();
        while let Some(seg) = stream.segments.get(p.segment) {
            if data.is_empty() {
                break;
            }
            let n = (seg.len - p.written).min(data.len());
            let at = seg.offset + p.written;
            out[at..at + n].copy_from_slice(&data[..n]);
            data = &data[n..];
            p.written += n;
            if p.written == seg.len {
                p.segment += 1;
                p.written = 0;
            }
        }
    }

    fn finish_frame(&mut self, ctx: &mut ProcessContext<'_>) {
        let Some(p) = self.pending.take() else { return };
        let mut out = p.out;
        let n = self.frames;
        self.frames += 1;
        let meta = out.meta_mut();
        meta.offset = Some(n);
        meta.offset_end = Some(n + 1);
        if let Some(f) = self.stream.as_ref().and_then(|s| s.framerate) {
            // Positive by construction (the header parser drops 0 and negatives).
            let (num, den) = (f.num as u64, f.den as u64);
            meta.pts = Some(ClockTime::scale(n, den, num));
            meta.duration = Some(ClockTime::scale(1, den, num));
        }
        ctx.push(out.freeze());
    }
}

impl ElementImpl for Y4mDec {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn transform_caps(&self, direction: PadDirection, _caps: &Caps) -> Caps {
        // The stream header decides the output; nothing flows through negotiation.
        match direction {
            PadDirection::Sink => video_caps::raw_template(&FORMATS),
            PadDirection::Src => sink_caps(),
        }
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.flush();
        Ok(())
    }

    fn flush(&mut self) {
        *self = Y4mDec::new();
    }
}

impl Transform for Y4mDec {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let mut chunk = buffer.data();
        loop {
            let (event, used) = match self.parser.step(chunk) {
                Ok(step) => step,
                Err(e) => return Err(self.error(ctx, e)),
            };
            let (now, rest) = chunk.split_at(used);
            chunk = rest;
            match event {
                Event::Header(h) => self.start_stream(&h, ctx)?,
                Event::FrameStart => self.start_frame(ctx)?,
                Event::Data(_, done) => {
                    self.fill(now);
                    if done {
                        self.finish_frame(ctx);
                    }
                }
                Event::NeedMore => return Ok(()),
            }
        }
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        if self.stream.is_none() {
            let text = format!(
                "end of stream after {} bytes without a complete y4m header",
                self.parser.offset()
            );
            return Err(self.error(ctx, text));
        }
        if self.parser.at_frame_boundary() {
            return Ok(());
        }
        let text = match self.parser.missing() {
            Some(missing) => format!(
                "truncated frame {} at byte offset {}: {missing} bytes missing at end of stream",
                self.frames,
                self.parser.offset()
            ),
            None => format!(
                "truncated frame header at byte offset {} at end of stream",
                self.parser.offset()
            ),
        };
        Err(self.error(ctx, text))
    }
}
