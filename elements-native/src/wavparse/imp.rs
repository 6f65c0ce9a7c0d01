//! The `wavparse` element: RIFF/WAVE byte stream to raw audio.
//!
//! Output formats (the brief's two raw formats, lossless where they can be): 8- and
//! 16-bit PCM → S16LE (8-bit shifted up, exact), 24-bit PCM → F32LE (exact: 24 bits fit
//! an f32's mantissa), 32-bit PCM → F32LE (rounded to 24 bits), float → F32LE.
//! A key design decision: samples go out as they arrive, whole frames at a time, so a
//! stream of any length needs only one input buffer of memory.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadDirection,
    PadTemplate, ProcessContext, PropertyError, Structure, Transform, Value,
};

use super::riff::{self, Encoding, MAX_HEADER, WavHeader};
use crate::util::audio_out::{self, AudioOut, AudioShape, SampleFormat};
use crate::util::byte_queue::ByteQueue;

/// Samples converted per output buffer at most (about 23 ms of 44.1 kHz stereo S16).
const MAX_FRAMES_PER_BUFFER: usize = 4096;

struct WavParse {
    queue: ByteQueue,
    header: Option<(WavHeader, AudioShape)>,
    /// Sample bytes left in the data chunk.
    left: Option<u64>,
    out: AudioOut,
}

fn sink_caps() -> Caps {
    Caps::from_structures(vec![
        Structure::new("audio/x-wav"),
        Structure::new("application/octet-stream"),
    ])
}

fn src_caps() -> Caps {
    audio_out::src_template(&[SampleFormat::S16Le, SampleFormat::F32Le])
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "wavparse",
        "Codec/Demuxer/Audio",
        "Parse a WAV file into raw audio",
    )
    .pad(PadTemplate::sink(sink_caps()))
    .pad(PadTemplate::src(src_caps()))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(WavParse {
        queue: ByteQueue::new(MAX_HEADER + 64 * 1024 * 1024),
        header: None,
        left: None,
        out: AudioOut::default(),
    }))
}

fn convert(encoding: Encoding, src: &[u8], dst: &mut [u8]) {
    match encoding {
        Encoding::S16 => dst.copy_from_slice(src),
        Encoding::F32 => dst.copy_from_slice(src),
        Encoding::U8 => {
            for (s, d) in src.iter().zip(dst.chunks_exact_mut(2)) {
                d.copy_from_slice(&(i16::from(*s as i8 ^ i8::MIN) << 8).to_le_bytes());
            }
        }
        Encoding::S24 => {
            for (s, d) in src.chunks_exact(3).zip(dst.chunks_exact_mut(4)) {
                let v = i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8;
                d.copy_from_slice(&(v as f32 / 8_388_608.0).to_le_bytes());
            }
        }
        Encoding::S32 => {
            for (s, d) in src.chunks_exact(4).zip(dst.chunks_exact_mut(4)) {
                let v = i32::from_le_bytes([s[0], s[1], s[2], s[3]]);
                d.copy_from_slice(&(v as f32 / 2_147_483_648.0).to_le_bytes());
            }
        }
        Encoding::F64 => {
            for (s, d) in src.chunks_exact(8).zip(dst.chunks_exact_mut(4)) {
                let v = f64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]);
                d.copy_from_slice(&(v as f32).to_le_bytes());
            }
        }
    }
}

impl WavParse {
    fn run(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        if self.header.is_none() {
            let Some(h) = riff::parse(self.queue.bytes()).map_err(|e| ctx.error(e))? else {
                return Ok(());
            };
            let format = match h.encoding {
                Encoding::U8 | Encoding::S16 => SampleFormat::S16Le,
                _ => SampleFormat::F32Le,
            };
            let shape = AudioShape::new(format, h.rate, h.channels, 0).map_err(|e| ctx.error(e))?;
            self.queue.consume(h.data_start);
            self.left = h.data_len;
            self.header = Some((h, shape));
        }
        let Some((h, shape)) = self.header else {
            return Ok(());
        };
        let block = h.channels * h.encoding.bytes();
        loop {
            let mut avail = self.queue.len();
            if let Some(left) = self.left {
                avail = avail.min(usize::try_from(left).unwrap_or(usize::MAX));
            }
            let frames = (avail / block).min(MAX_FRAMES_PER_BUFFER);
            if frames == 0 {
                return Ok(());
            }
            let bytes = frames * block;
            let src = &self.queue.bytes()[..bytes];
            self.out
                .push(ctx, shape, frames, |dst| convert(h.encoding, src, dst))?;
            self.queue.consume(bytes);
            if let Some(left) = self.left.as_mut() {
                *left -= bytes as u64;
                if *left == 0 {
                    // Chunks after the data (LIST, id3) are not audio.
                    self.queue.consume(self.queue.len());
                }
            }
        }
    }
}

impl ElementImpl for WavParse {
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
        self.header = None;
        self.left = None;
        self.out.reset();
    }
}

impl Transform for WavParse {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.out.input_pts(buffer.meta().pts);
        if self.left == Some(0) {
            // Trailing chunks after the data.
            self.queue.consume_external(buffer.len());
            return Ok(());
        }
        self.queue
            .push(buffer.data(), "WAV header")
            .map_err(|e| ctx.error(e))?;
        self.run(ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let offset = self.queue.offset();
        match (&self.header, self.left) {
            (None, _) => Err(ctx.error(ElementError::stream(format!(
                "truncated WAV header: {} bytes, no data chunk (from byte offset 0)",
                offset + self.queue.len() as u64
            )))),
            (Some(_), Some(left)) if left > 0 => Err(ctx.error(ElementError::stream(format!(
                "truncated WAV data at byte offset {}: {left} bytes missing",
                offset + self.queue.len() as u64
            )))),
            _ => Ok(()),
        }
    }
}
