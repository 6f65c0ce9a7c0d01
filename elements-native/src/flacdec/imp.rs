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
use super::metadata::{Start, stream_start};
use super::streaminfo::StreamInfo;
use crate::util::audio_out::{self, AudioOut, AudioShape, SampleFormat};
use crate::util::byte_queue::ByteQueue;

/// Metadata blocks (pictures) can be up to 16 MiB; frames are far smaller.
const MAX_PENDING: usize = 20 * 1024 * 1024;

struct FlacDec {
    queue: ByteQueue,
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
        decoder: None,
        max_frame: 0,
        want: 0,
        out: AudioOut::default(),
    }))
}

impl FlacDec {
    fn run(&mut self, eos: bool, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        loop {
            let offset = self.queue.offset();
            let data = self.queue.bytes();
            if data.is_empty() || (data.len() < self.want && !eos) {
                return Ok(());
            }
            let Some(decoder) = self.decoder.as_mut() else {
                match stream_start(data, offset, eos).map_err(|e| ctx.error(e))? {
                    Start::NeedMore => return Ok(()),
                    Start::Header { len, streaminfo } => {
                        let info = StreamInfo::parse(&streaminfo).ok_or_else(|| {
                            ctx.error(ElementError::stream(format!(
                                "invalid FLAC STREAMINFO at byte offset {}",
                                offset + 8
                            )))
                        })?;
                        self.max_frame = info.max_frame_size;
                        self.want = self.max_frame;
                        self.decoder = Some(FrameDecoder::new(Some(info)));
                        self.queue.consume(len);
                    }
                    Start::Headerless => self.decoder = Some(FrameDecoder::new(None)),
                }
                continue;
            };
            let (header, len) = match decoder.decode(data) {
                Ok(done) => done,
                Err(FrameError::Truncated) if !eos => {
                    // Grow geometrically so a frame arriving in small pieces is decoded
                    // a bounded number of times.
                    self.want = data.len() + data.len() / 2 + 64;
                    return Ok(());
                }
                Err(e) => {
                    let why = match e {
                        FrameError::Truncated => "truncated FLAC frame",
                        FrameError::Corrupt(why) => why,
                        FrameError::Unsupported(why) => why,
                    };
                    let kind = match e {
                        FrameError::Unsupported(_) => "unsupported FLAC frame",
                        _ => "corrupt FLAC frame",
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
            self.queue.consume(len);
            self.want = self.max_frame;
        }
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
        self.decoder = None;
        self.max_frame = 0;
        self.want = 0;
        self.out.reset();
    }
}

impl Transform for FlacDec {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.out.input_pts(buffer.meta().pts);
        self.queue
            .push(buffer.data(), "FLAC frame")
            .map_err(|e| ctx.error(e))?;
        self.run(false, ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.run(true, ctx)
    }
}
