//! The `aacdec` element: AAC-LC from an ADTS byte stream (`.aac` files, MPEG-TS) or as
//! raw access units with an AudioSpecificConfig in `codec_data` (what an MP4 demuxer
//! gives), decoded by symphonia's AAC decoder.
//!
//! ID3v2 tags before or between ADTS frames are skipped by their declared length
//! (dropped as they arrive when longer than what is queued).
//!
//! A key design decision: in ADTS mode the decoder is made from the first header and
//! made again when a header says something else (a spliced stream), since the
//! AudioSpecificConfig is what the decoder is built from.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, CapsValue, ElementError, ElementImpl, ExecutionHints, FlowError,
    PadDirection, PadTemplate, ProcessContext, PropertyError, Structure, Transform, Value,
};
use symphonia::core::codecs::audio::AudioCodecParameters;

use super::adts;
use crate::util::audio_codec::{CODEC_ID_AAC, PacketDecoder};
use crate::util::audio_out::{self, AudioOut, SampleFormat};
use crate::util::byte_queue::ByteQueue;
use crate::util::id3v2;

/// An ADTS frame is at most 8191 bytes.
const MAX_PENDING: usize = 1024 * 1024;

enum Mode {
    Adts,
    /// Raw access units, one per buffer, with this AudioSpecificConfig.
    Raw(Vec<u8>),
}

struct AacDec {
    mode: Mode,
    queue: ByteQueue,
    decoder: Option<(PacketDecoder, [u8; 2])>,
    format: SampleFormat,
    out: AudioOut,
}

fn sink_caps() -> Caps {
    Caps::from_structures(vec![
        Structure::new("audio/mpeg")
            .with("mpegversion", CapsValue::list([4i64, 2]))
            .with("stream-format", CapsValue::list(["adts", "raw"])),
        Structure::new("application/octet-stream"),
    ])
}

fn src_caps() -> Caps {
    audio_out::src_template(&[SampleFormat::F32Le, SampleFormat::S16Le])
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "aacdec",
        "Codec/Decoder/Audio",
        "Decode AAC-LC (ADTS, or raw with codec_data as hex) to raw audio",
    )
    .pad(PadTemplate::sink(sink_caps()))
    .pad(PadTemplate::src(src_caps()))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(AacDec {
        mode: Mode::Adts,
        queue: ByteQueue::new(MAX_PENDING),
        decoder: None,
        format: SampleFormat::F32Le,
        out: AudioOut::default(),
    }))
}

fn make_decoder(asc: &[u8], offset: u64) -> Result<PacketDecoder, ElementError> {
    let mut params = AudioCodecParameters::new();
    params
        .for_codec(CODEC_ID_AAC)
        .with_extra_data(asc.to_vec().into_boxed_slice());
    PacketDecoder::new(&params, offset)
}

impl AacDec {
    fn run_adts(&mut self, eos: bool, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        loop {
            let offset = self.queue.offset();
            let data = self.queue.bytes();
            match id3v2::tag_len(data) {
                Some(Some(len)) => {
                    // A tag (cover art) may be longer than the queue and than what has
                    // arrived: its rest is dropped as it comes, never queued.
                    self.queue.skip(len as u64);
                    continue;
                }
                Some(None) if !eos => return Ok(()),
                _ => {}
            }
            let header = match adts::parse(data, offset).map_err(|e| ctx.error(e))? {
                Some(h) => h,
                None if eos && !data.is_empty() => {
                    return Err(ctx.error(ElementError::stream(format!(
                        "truncated ADTS header at byte offset {offset}"
                    ))));
                }
                None => return Ok(()),
            };
            let Some(frame) = data.get(header.header_len..header.frame_len) else {
                if eos {
                    return Err(ctx.error(ElementError::stream(format!(
                        "truncated ADTS frame at byte offset {offset}"
                    ))));
                }
                return Ok(());
            };
            if self
                .decoder
                .as_ref()
                .is_none_or(|(_, asc)| *asc != header.asc)
            {
                let decoder = make_decoder(&header.asc, offset).map_err(|e| ctx.error(e))?;
                self.decoder = Some((decoder, header.asc));
            }
            if let Some((decoder, _)) = self.decoder.as_mut() {
                decoder.decode(frame, offset, self.format, &mut self.out, ctx)?;
            }
            self.queue.consume(header.frame_len);
        }
    }
}

impl ElementImpl for AacDec {
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

    fn set_caps(&mut self, sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        self.format = audio_out::negotiated_format(src).unwrap_or(SampleFormat::F32Le);
        let s = sink.first().and_then(|c| c.structure(0));
        let raw = s.is_some_and(|s| s.get_str("stream-format") == Some("raw"));
        self.mode = if raw {
            // `codec_data=1210` parses as an integer: its digits are the hex text.
            let hex = s.and_then(|s| match s.get("codec_data") {
                Some(CapsValue::Str(t)) => Some(t.clone()),
                Some(CapsValue::Int(i)) => Some(i.to_string()),
                _ => None,
            });
            let hex = hex.ok_or_else(|| {
                ElementError::settings(
                    "stream-format=raw needs codec_data (the AudioSpecificConfig as hex)",
                )
            })?;
            Mode::Raw(adts::parse_hex(&hex)?)
        } else {
            Mode::Adts
        };
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.flush();
        Ok(())
    }

    fn flush(&mut self) {
        self.queue.clear();
        self.decoder = None;
        self.out.reset();
    }
}

impl Transform for AacDec {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.out.input_pts(buffer.meta().pts);
        match &self.mode {
            Mode::Adts => {
                self.queue
                    .push(buffer.data(), "ADTS frame")
                    .map_err(|e| ctx.error(e))?;
                self.run_adts(false, ctx)
            }
            Mode::Raw(asc) => {
                let offset = self.queue.offset();
                if self.decoder.is_none() {
                    let decoder = make_decoder(asc, offset).map_err(|e| ctx.error(e))?;
                    self.decoder = Some((decoder, [0; 2]));
                }
                self.queue.consume_external(buffer.len());
                match self.decoder.as_mut() {
                    Some((decoder, _)) => {
                        decoder.decode(buffer.data(), offset, self.format, &mut self.out, ctx)
                    }
                    None => Ok(()),
                }
            }
        }
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        match self.mode {
            Mode::Adts => {
                let seen = self.queue.offset() + self.queue.len() as u64;
                self.run_adts(true, ctx)?;
                if let Some(warning) = crate::util::id3v2::truncated_tag(&self.queue, seen) {
                    ctx.warning(warning);
                }
                Ok(())
            }
            Mode::Raw(_) => Ok(()),
        }
    }
}
