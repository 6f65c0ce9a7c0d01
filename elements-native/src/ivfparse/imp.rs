//! The `ivfparse` element: file header first (its caps go out in-band), then one buffer
//! per frame, whatever the input chunking.
//!
//! A key design decision: a frame that lies whole inside one input buffer goes out as a
//! slice of that buffer (no copy; `filesrc` chunks hold many frames); only frames split
//! across input buffers are gathered, once, into a new buffer.

use std::ops::Range;

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, Caps, CapsValue, ClockTime, ElementError, ElementImpl,
    ExecutionHints, FlowError, Fraction, PadDirection, PadTemplate, ProcessContext, PropertyError,
    Structure, Transform, Value,
};

use super::header::{self, FILE_HEADER_LEN, FRAME_HEADER_LEN, FileHeader, MAX_FRAME_LEN};

#[derive(Debug, Default)]
struct IvfParse {
    header: Option<FileHeader>,
    /// Bytes of the file header beyond the 32 parsed ones still to skip.
    skip: usize,
    /// Bytes of an incomplete header or frame carried over to the next buffer.
    pending: Vec<u8>,
    /// Stream offset of the first byte not yet consumed (for errors and buffer offsets).
    offset: u64,
    frames: u64,
}

/// What parsing a run of bytes found.
enum Event {
    Header(FileHeader),
    /// A frame's bytes within the parsed run, its timestamp in ticks, and its stream
    /// offset.
    Frame(Range<usize>, u64, u64),
}

fn sink_template() -> Caps {
    Caps::from_structures(vec![
        Structure::new("video/x-ivf"),
        Structure::new("application/octet-stream"),
    ])
}

fn src_template() -> Caps {
    Caps::from_structures(vec![
        Structure::new("video/x-av1")
            .with("stream-format", "obu-stream")
            .with("alignment", "tu"),
        Structure::new("video/x-vp8"),
        Structure::new("video/x-vp9"),
    ])
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "ivfparse",
        "Codec/Demuxer",
        "Splits an IVF file into AV1/VP8/VP9 frames with timestamps",
    )
    .pad(PadTemplate::sink(sink_template()))
    .pad(PadTemplate::src(src_template()))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::<IvfParse>::default())
}

fn caps_of(h: &FileHeader) -> Result<Caps, ElementError> {
    let mut s = match &h.fourcc {
        b"AV01" => Structure::new("video/x-av1")
            .with("stream-format", "obu-stream")
            .with("alignment", "tu"),
        b"VP80" => Structure::new("video/x-vp8"),
        b"VP90" => Structure::new("video/x-vp9"),
        other => {
            return Err(ElementError::stream(format!(
                "IVF fourcc {:?} at byte offset 8 is not AV01, VP80 or VP90",
                String::from_utf8_lossy(other)
            )));
        }
    };
    s.set("width", CapsValue::Int(i64::from(h.width)));
    s.set("height", CapsValue::Int(i64::from(h.height)));
    // Timestamps count scale/rate seconds, so rate/scale is the frame rate when each
    // frame is one tick (what every IVF writer does).
    if let (Ok(num), Ok(den)) = (i32::try_from(h.rate), i32::try_from(h.scale)) {
        s.set("framerate", CapsValue::Fraction(Fraction::new(num, den)));
    }
    Ok(Caps::new(s))
}

impl IvfParse {
    /// Parses as much of `data` as is complete; returns the bytes consumed.
    fn parse(&mut self, data: &[u8], events: &mut Vec<Event>) -> Result<usize, ElementError> {
        let mut at = 0;
        loop {
            let rest = &data[at..];
            if self.header.is_none() {
                let Some(bytes) = rest.first_chunk::<FILE_HEADER_LEN>() else {
                    return Ok(at);
                };
                let h = header::file_header(bytes)?;
                self.skip = h.header_len - FILE_HEADER_LEN;
                self.header = Some(h);
                events.push(Event::Header(h));
                at += FILE_HEADER_LEN;
                self.offset += FILE_HEADER_LEN as u64;
                continue;
            }
            if self.skip > 0 {
                let n = self.skip.min(rest.len());
                self.skip -= n;
                at += n;
                self.offset += n as u64;
                if self.skip > 0 {
                    return Ok(at);
                }
                continue;
            }
            let Some(bytes) = rest.first_chunk::<FRAME_HEADER_LEN>() else {
                return Ok(at);
            };
            let (size, ts) = header::frame_header(bytes);
            if size > MAX_FRAME_LEN {
                return Err(ElementError::stream(format!(
                    "IVF frame header at byte offset {} claims {size} bytes (at most {MAX_FRAME_LEN})",
                    self.offset
                )));
            }
            if rest.len() < FRAME_HEADER_LEN + size {
                return Ok(at);
            }
            let start = at + FRAME_HEADER_LEN;
            events.push(Event::Frame(start..start + size, ts, self.offset));
            at = start + size;
            self.offset += (FRAME_HEADER_LEN + size) as u64;
        }
    }

    /// Turns events into caps announcements and pushed frames; `frame` makes the buffer
    /// for a range of the parsed bytes.
    fn emit(
        &mut self,
        events: Vec<Event>,
        ctx: &mut ProcessContext<'_>,
        mut frame: impl FnMut(Range<usize>, &mut ProcessContext<'_>) -> Result<Buffer, FlowError>,
    ) -> Result<(), FlowError> {
        for event in events {
            match event {
                Event::Header(h) => {
                    let caps = caps_of(&h).map_err(|e| ctx.error(e))?;
                    ctx.set_src_caps(0, caps);
                }
                Event::Frame(range, ts, offset) => {
                    let mut buffer = frame(range, ctx)?;
                    let meta = buffer.meta_mut();
                    meta.pts = self.header.and_then(|h| h.nanos(ts)).map(ClockTime);
                    meta.dts = None;
                    meta.offset = Some(offset);
                    if self.frames == 0 {
                        meta.flags.insert(BufferFlags::DISCONT);
                    }
                    self.frames += 1;
                    ctx.push(buffer);
                }
            }
        }
        Ok(())
    }
}

impl ElementImpl for IvfParse {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn transform_caps(&self, direction: PadDirection, _caps: &Caps) -> Caps {
        // Which codec and size is only known from the file header: it goes out in-band.
        match direction {
            PadDirection::Sink => src_template(),
            PadDirection::Src => sink_template(),
        }
    }

    fn start(&mut self) -> Result<(), ElementError> {
        *self = IvfParse::default();
        Ok(())
    }

    fn flush(&mut self) {
        // A seek lands on a frame header; the file header stays valid.
        self.pending.clear();
    }
}

impl Transform for IvfParse {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let mut events = Vec::new();
        if self.pending.is_empty() {
            let data = buffer.data();
            let used = self.parse(data, &mut events).map_err(|e| ctx.error(e))?;
            self.pending.extend_from_slice(&data[used..]);
            return self.emit(events, ctx, |range, _| {
                buffer.slice(range).ok_or(FlowError::Error)
            });
        }
        self.pending.extend_from_slice(buffer.data());
        let pending = std::mem::take(&mut self.pending);
        let used = self
            .parse(&pending, &mut events)
            .map_err(|e| ctx.error(e))?;
        self.emit(events, ctx, |range, ctx| {
            let bytes = &pending[range];
            let mut out = ctx.allocate(bytes.len())?;
            out.set_len(bytes.len());
            out.data_mut().copy_from_slice(bytes);
            Ok(out.freeze())
        })?;
        self.pending = pending;
        self.pending.drain(..used);
        Ok(())
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        if self.header.is_none() && self.pending.is_empty() {
            return Err(ctx.error(ElementError::stream("empty input: no IVF file header")));
        }
        if !self.pending.is_empty() {
            // A truncated last frame (a file still being written): dropped with a warning,
            // as dav1d's own IVF reader does.
            ctx.warning(format!(
                "truncated IVF frame at byte offset {}: {} bytes dropped",
                self.offset,
                self.pending.len()
            ));
            self.pending.clear();
        }
        Ok(())
    }
}
