//! The `vorbisdec` element: Vorbis packets (from `oggdemux`, or any demuxer that sends
//! the three header packets first, as GStreamer does) to F32LE or S16LE with symphonia's
//! Vorbis decoder.
//!
//! A key design decision: the decoder is built once the identification and setup
//! headers have arrived (symphonia takes them concatenated as its extra data), and an
//! identification header mid-stream (a chained Ogg file) starts that over.

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadDirection,
    PadTemplate, ProcessContext, PropertyError, Structure, Transform, Value,
};
use symphonia::core::codecs::audio::AudioCodecParameters;

use crate::util::audio_codec::{CODEC_ID_VORBIS, PacketDecoder};
use crate::util::audio_out::{self, AudioOut, SampleFormat};

/// Header packets are refused above this size (setup headers are a few KiB).
const MAX_HEADER: usize = 4 * 1024 * 1024;

#[derive(Default)]
enum Headers {
    /// Waiting for the identification header.
    #[default]
    None,
    /// Identification header seen; waiting for comment and setup.
    Ident(Vec<u8>),
    Ready,
}

struct VorbisDec {
    headers: Headers,
    decoder: Option<PacketDecoder>,
    format: SampleFormat,
    out: AudioOut,
    /// Bytes of packets received, for error offsets (in the packet stream).
    offset: u64,
}

fn sink_caps() -> Caps {
    Caps::new(Structure::new("audio/x-vorbis"))
}

fn src_caps() -> Caps {
    audio_out::src_template(&[SampleFormat::F32Le, SampleFormat::S16Le])
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "vorbisdec",
        "Codec/Decoder/Audio",
        "Decode Vorbis packets to raw audio",
    )
    .pad(PadTemplate::sink(sink_caps()))
    .pad(PadTemplate::src(src_caps()))
    .hints(ExecutionHints::DEFAULT)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(VorbisDec {
        headers: Headers::None,
        decoder: None,
        format: SampleFormat::F32Le,
        out: AudioOut::default(),
        offset: 0,
    }))
}

impl VorbisDec {
    fn header(&mut self, packet: &[u8], offset: u64) -> Result<(), ElementError> {
        let bad = |what: &str| ElementError::stream(format!("{what} at byte offset {offset}"));
        if packet.len() > MAX_HEADER || packet.get(1..7) != Some(b"vorbis") {
            return Err(bad("invalid Vorbis header packet"));
        }
        match (packet[0], std::mem::take(&mut self.headers)) {
            (1, _) => {
                self.decoder = None;
                self.headers = Headers::Ident(packet.to_vec());
            }
            (3, headers @ Headers::Ident(_)) => self.headers = headers,
            (5, Headers::Ident(mut extra)) => {
                extra.extend_from_slice(packet);
                let mut params = AudioCodecParameters::new();
                params
                    .for_codec(CODEC_ID_VORBIS)
                    .with_extra_data(extra.into_boxed_slice());
                self.decoder = Some(PacketDecoder::new(&params, offset)?);
                self.headers = Headers::Ready;
            }
            _ => return Err(bad("Vorbis header packet out of order")),
        }
        Ok(())
    }
}

impl ElementImpl for VorbisDec {
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
        self.format = audio_out::negotiated_format(src).unwrap_or(SampleFormat::F32Le);
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.flush();
        Ok(())
    }

    fn flush(&mut self) {
        self.headers = Headers::None;
        self.decoder = None;
        self.out.reset();
        self.offset = 0;
    }
}

impl Transform for VorbisDec {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let data = buffer.data();
        // A demuxer's offset is the packet's place in the file; otherwise count bytes.
        let offset = buffer.meta().offset.unwrap_or(self.offset);
        self.offset += data.len() as u64;
        if data.is_empty() {
            return Ok(());
        }
        if data[0] & 1 == 1 {
            return self.header(data, offset).map_err(|e| ctx.error(e));
        }
        self.out.input_pts(buffer.meta().pts);
        let Some(decoder) = self.decoder.as_mut() else {
            return Err(ctx.error(ElementError::stream(format!(
                "Vorbis audio packet before the headers at byte offset {offset}"
            ))));
        };
        decoder.decode(data, offset, self.format, &mut self.out, ctx)
    }
}
