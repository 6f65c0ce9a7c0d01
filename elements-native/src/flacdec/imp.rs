//! The `flacdec` element: reads the `fLaC` header, then decodes frame after frame with
//! the decoder beside it, each frame as soon as it is complete.
//!
//! Output: S16LE for frames of up to 16 bits per sample, F32LE above (24-bit samples
//! are exact in an f32), so the output is bit-exact with the encoder's input up to 24
//! bits. A frame whose CRC-16 fails stops the stream with an error (as `flac -d` does by
//! default; libFLAC inside GStreamer's flacdec would conceal it with silence).

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadDirection,
    PadTemplate, ProcessContext, PropertyError, Structure, Transform, Value,
};

use super::error::FrameError;
use super::frame::FrameDecoder;
use super::metadata::{HeaderReader, Step};
use super::streaminfo::StreamInfo;
use crate::util::audio_out::{self, AudioOut, AudioShape, SampleFormat};
use crate::util::byte_queue::ByteQueue;

/// One metadata block (tags, a cue sheet) can be up to 16 MiB and is held whole;
/// pictures and padding are skipped unread; frames are far smaller.
const MAX_PENDING: usize = 20 * 1024 * 1024;

struct FlacDec {
    queue: ByteQueue,
    stream: Stream,
}

/// Everything but the queued bytes, so frames decode from the queue or straight from an
/// input buffer alike.
#[derive(Default)]
struct Stream {
    /// Reads the stream's start, before there is a decoder.
    header: HeaderReader,
    /// The frame decoder, once the stream's start has been read.
    decoder: Option<FrameDecoder>,
    /// The largest frame STREAMINFO announces (0: unknown).
    max_frame: usize,
    /// Bytes to hold before the next decoding attempt (unless at end of stream): a
    /// frame cut short is decoded again from its start, so wait for enough of it.
    want: usize,
    out: AudioOut,
}

fn sink_caps() -> Caps {
    Caps::from_structures(vec![
        Structure::new("audio/x-flac"),
        Structure::new("application/octet-stream"),
    ])
}

fn src_caps() -> Caps {
    audio_out::src_template(&[SampleFormat::S16Le, SampleFormat::F32Le])
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "flacdec",
        "Codec/Decoder/Audio",
        "Decode a FLAC stream to raw audio (bit-exact)",
    )
    .pad(PadTemplate::sink(sink_caps()))
    .pad(PadTemplate::src(src_caps()))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(FlacDec {
        queue: ByteQueue::new(MAX_PENDING),
        stream: Stream::default(),
    }))
}

impl FlacDec {
    fn run(&mut self, eos: bool, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        loop {
            let offset = self.queue.offset();
            match self.stream.step(self.queue.bytes(), offset, eos, ctx)? {
                // A skipped metadata block may reach past what is queued.
                Some(len) => self.queue.skip(len as u64),
                None => return Ok(()),
            }
        }
    }
}

impl Stream {
    /// Reads a piece of the header or decodes one frame at the front of `data` (stream
    /// offset `offset`) and returns the bytes used, which for a skipped metadata block
    /// may be more than `data` holds; `None` when more are needed.
    fn step(
        &mut self,
        data: &[u8],
        offset: u64,
        eos: bool,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<Option<usize>, FlowError> {
        if data.is_empty() || (data.len() < self.want && !eos) {
            return Ok(None);
        }
        let Some(decoder) = self.decoder.as_mut() else {
            return match self
                .header
                .next(data, offset, eos)
                .map_err(|e| ctx.error(e))?
            {
                Step::NeedMore => Ok(None),
                Step::Used(len) => Ok(Some(len)),
                Step::Done { len, streaminfo } => {
                    let info = StreamInfo::parse(&streaminfo).ok_or_else(|| {
                        ctx.error(ElementError::stream(
                            "invalid FLAC STREAMINFO at byte offset 8",
                        ))
                    })?;
                    self.max_frame = info.max_frame_size;
                    self.want = self.max_frame;
                    self.decoder = Some(FrameDecoder::new(Some(info)));
                    Ok(Some(len))
                }
                Step::Headerless => {
                    self.decoder = Some(FrameDecoder::new(None));
                    Ok(Some(0))
                }
            };
        };
        let (header, len) = match decoder.decode(data) {
            Ok(done) => done,
            Err(FrameError::Truncated) if !eos => {
                // Grow geometrically so a frame arriving in small pieces is decoded a
                // bounded number of times.
                self.want = data.len() + data.len() / 2 + 64;
                return Ok(None);
            }
            Err(e) => {
                let (kind, why) = match e {
                    FrameError::Truncated => ("corrupt FLAC frame", "truncated FLAC frame"),
                    FrameError::Corrupt(why) => ("corrupt FLAC frame", why),
                    FrameError::Unsupported(why) => ("unsupported FLAC frame", why),
                };
                return Err(ctx.error(ElementError::stream(format!(
                    "{kind} at byte offset {offset}: {why}"
                ))));
            }
        };
        let format = if header.bits_per_sample <= 16 {
            SampleFormat::S16Le
        } else {
            SampleFormat::F32Le
        };
        let shape = AudioShape::new(format, header.rate, header.channels, offset)
            .map_err(|e| ctx.error(e))?;
        self.out.push(ctx, shape, header.block_size, |dst| {
            decoder.write(format, dst);
        })?;
        self.want = self.max_frame;
        Ok(Some(len))
    }
}

impl ElementImpl for FlacDec {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn transform_caps(&self, direction: PadDirection, _caps: &Caps) -> Caps {
        match direction {
            PadDirection::Sink => src_caps(),
            PadDirection::Src => sink_caps(),
        }
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.flush();
        Ok(())
    }

    fn flush(&mut self) {
        self.queue.clear();
        self.stream = Stream::default();
    }
}

impl Transform for FlacDec {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.stream.out.input_pts(buffer.meta().pts);
        let data = buffer.data();
        let mut used = 0;
        if self.queue.is_empty() && self.queue.skip_left() == 0 {
            // Whole frames straight from the input buffer; only a frame cut by the
            // buffer's end is copied into the queue.
            while let Some(len) =
                self.stream
                    .step(&data[used..], self.queue.offset(), false, ctx)?
            {
                let here = len.min(data.len() - used);
                used += here;
                self.queue.consume_external(here);
                if here < len {
                    // A skipped metadata block goes on past this buffer.
                    self.queue.skip((len - here) as u64);
                    break;
                }
            }
        }
        self.queue
            .push(&data[used..], "FLAC frame")
            .map_err(|e| ctx.error(e))?;
        self.run(false, ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.run(true, ctx)?;
        let missing = self.queue.skip_left();
        if missing > 0 {
            return Err(ctx.error(ElementError::stream(format!(
                "truncated FLAC header: the stream ended at byte offset {}, {missing} bytes before the end of a metadata block",
                self.queue.offset()
            ))));
        }
        Ok(())
    }
}
