//! The `mpg123audiodec` element (GStreamer's name for its MP3 decoder): frames an MPEG
//! audio Layer III byte stream and decodes it with symphonia's MP3 decoder.
//!
//! A key design decision: a Xing/Info frame is not decoded (it holds no audio) and its
//! LAME tag's encoder delay and padding are trimmed (delay + 529 decoder samples at the
//! start), so the output lines up sample for sample with FFmpeg's and GStreamer's.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, CapsValue, ElementError, ElementImpl, ExecutionHints, FlowError,
    PadDirection, PadTemplate, ProcessContext, PropertyError, Structure, Transform, Value,
};
use symphonia::core::codecs::audio::AudioCodecParameters;

use super::framer::{self, Next};
use crate::util::audio_codec::{CODEC_ID_MP3, PacketDecoder, Trim};
use crate::util::audio_out::{self, AudioOut, SampleFormat};
use crate::util::byte_queue::ByteQueue;

/// A frame is at most 2881 bytes; tags and junk are skipped as they arrive.
const MAX_PENDING: usize = 16 * 1024 * 1024;
/// The MP3 decoder's own delay (FFmpeg and LAME's decoder agree on it).
const DECODER_DELAY: u64 = 529;

struct Mp3Dec {
    queue: ByteQueue,
    decoder: Option<PacketDecoder>,
    /// The first frame decides whether a Xing/Info frame is there.
    first: bool,
    frames: u64,
    format: SampleFormat,
    out: AudioOut,
}

fn sink_caps() -> Caps {
    Caps::from_structures(vec![
        Structure::new("audio/mpeg")
            .with("mpegversion", CapsValue::Int(1))
            .with("layer", CapsValue::Int(3)),
        Structure::new("application/octet-stream"),
    ])
}

fn src_caps() -> Caps {
    audio_out::src_template(&[SampleFormat::F32Le, SampleFormat::S16Le])
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "mpg123audiodec",
        "Codec/Decoder/Audio",
        "Decode MPEG audio Layer III (MP3) to raw audio",
    )
    .pad(PadTemplate::sink(sink_caps()))
    .pad(PadTemplate::src(src_caps()))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Mp3Dec {
        queue: ByteQueue::new(MAX_PENDING),
        decoder: None,
        first: true,
        frames: 0,
        format: SampleFormat::F32Le,
        out: AudioOut::default(),
    }))
}

impl Mp3Dec {
    fn run(&mut self, eos: bool, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        loop {
            let offset = self.queue.offset();
            let data = self.queue.bytes();
            if data.is_empty() {
                return Ok(());
            }
            let (skip, header) = match framer::next(data, offset, eos).map_err(|e| ctx.error(e))? {
                Next::NeedMore => return Ok(()),
                Next::Skip(n) => {
                    // A tag may be longer than what has arrived (cover art over many
                    // input buffers): its rest is dropped as it comes, never scanned.
                    self.queue.skip(n as u64);
                    continue;
                }
                Next::Frame { skip, header } => (skip, header),
            };
            let at = offset + skip as u64;
            let Some(frame) = data.get(skip..skip + header.len) else {
                if !eos {
                    return Ok(());
                }
                let tail = &data[skip..];
                if tail.starts_with(b"TAG") || tail.starts_with(b"APETAGEX") {
                    self.queue.consume(data.len());
                    return Ok(());
                }
                // The stream stopped inside its last frame (a cut or still-growing
                // file): what came before is good audio, so it ends there, as
                // GStreamer's mpg123audiodec does.
                ctx.warning(format!(
                    "truncated MP3 frame at byte offset {at}: {} of its {} bytes missing, dropped",
                    header.len - tail.len(),
                    header.len
                ));
                self.queue.consume(data.len());
                return Ok(());
            };
            if self.decoder.is_none() {
                let mut params = AudioCodecParameters::new();
                params.for_codec(CODEC_ID_MP3);
                self.decoder = Some(PacketDecoder::new(&params, at).map_err(|e| ctx.error(e))?);
            }
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(());
            };
            let first = std::mem::replace(&mut self.first, false);
            match framer::xing(frame, &header).filter(|_| first) {
                Some(gapless) => {
                    let skip = gapless.delay + DECODER_DELAY;
                    let total = gapless.frames.map(|f| {
                        (f * header.samples()).saturating_sub(gapless.delay + gapless.padding)
                    });
                    decoder.trim = Trim { skip, total };
                }
                None => {
                    decoder.decode(frame, at, self.format, &mut self.out, ctx)?;
                    self.frames += 1;
                }
            }
            self.queue.consume(skip + header.len);
        }
    }
}

impl ElementImpl for Mp3Dec {
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

    fn set_caps(&mut self, _sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        // Only the sample format is downstream's choice; rate and channels come from
        // the stream and are announced with the first buffer.
        self.format = audio_out::negotiated_format(src).unwrap_or(SampleFormat::F32Le);
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.flush();
        Ok(())
    }

    fn flush(&mut self) {
        self.queue.clear();
        self.decoder = None;
        self.first = true;
        self.frames = 0;
        self.out.reset();
    }
}

impl Transform for Mp3Dec {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.out.input_pts(buffer.meta().pts);
        self.queue
            .push(buffer.data(), "MP3 frame")
            .map_err(|e| ctx.error(e))?;
        self.run(false, ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let seen = self.queue.offset() + self.queue.len() as u64;
        self.run(true, ctx)?;
        if let Some(warning) = crate::util::id3v2::truncated_tag(&self.queue, seen) {
            ctx.warning(warning);
        }
        if self.frames == 0 && seen > 0 {
            return Err(ctx.error(ElementError::stream(format!(
                "no MPEG audio frame in {seen} bytes (from byte offset 0)"
            ))));
        }
        Ok(())
    }
}
