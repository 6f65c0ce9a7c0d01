//! The `flacdec` element: frames a FLAC byte stream (`fLaC` header, then frames) and
//! decodes each frame with symphonia's FLAC decoder.
//!
//! Output: S16LE for streams of up to 16 bits per sample, F32LE above (24-bit samples
//! are exact in an f32), so the output is always bit-exact with the encoder's input.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadDirection,
    PadTemplate, ProcessContext, PropertyError, Structure, Transform, Value,
};
use symphonia::core::codecs::audio::AudioCodecParameters;

use super::framer::{FlacFramer, Unit};
use crate::util::audio_codec::{CODEC_ID_FLAC, PacketDecoder};
use crate::util::audio_out::{self, AudioOut, SampleFormat};
use crate::util::byte_queue::ByteQueue;

/// Metadata blocks (pictures) can be up to 16 MiB; frames are far smaller.
const MAX_PENDING: usize = 20 * 1024 * 1024;

struct FlacDec {
    queue: ByteQueue,
    framer: FlacFramer,
    decoder: Option<(PacketDecoder, SampleFormat)>,
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
        framer: FlacFramer::default(),
        decoder: None,
        out: AudioOut::default(),
    }))
}

impl FlacDec {
    fn run(&mut self, eos: bool, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        loop {
            let offset = self.queue.offset();
            let unit = self
                .framer
                .next(self.queue.bytes(), offset, eos)
                .map_err(|e| ctx.error(e))?;
            match unit {
                None => return Ok(()),
                Some(Unit::Header { len, streaminfo }) => {
                    let bits =
                        (u32::from(streaminfo[12] & 1) << 4 | u32::from(streaminfo[13] >> 4)) + 1;
                    let format = if bits <= 16 {
                        SampleFormat::S16Le
                    } else {
                        SampleFormat::F32Le
                    };
                    let mut params = AudioCodecParameters::new();
                    params
                        .for_codec(CODEC_ID_FLAC)
                        .with_extra_data(Box::new(streaminfo));
                    let decoder = PacketDecoder::new(&params, offset).map_err(|e| ctx.error(e))?;
                    self.decoder = Some((decoder, format));
                    self.queue.consume(len);
                }
                Some(Unit::Frame { len }) => {
                    let Some((decoder, format)) = self.decoder.as_mut() else {
                        return Err(ctx.error(ElementError::stream("FLAC frame before the header")));
                    };
                    let frame = &self.queue.bytes()[..len];
                    decoder.decode(frame, offset, *format, &mut self.out, ctx)?;
                    self.queue.consume(len);
                    if self.queue.is_empty() {
                        return Ok(());
                    }
                }
            }
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
        self.framer.reset();
        self.decoder = None;
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
