//! The `wavenc` element: one header buffer before the first samples, then the samples
//! themselves passed through untouched (no copy). See `header.rs` for why the sizes in
//! the header say "unknown".

use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, Caps, ElementError, ElementImpl, ExecutionHints, FlowError,
    PadDirection, PadTemplate, ProcessContext, PropertyError, Transform, Value,
};

use super::header::{HEADER_LEN, header};
use crate::util::audio::{self, AudioFormat, AudioInfo};

#[derive(Debug, Default)]
struct WavEnc {
    info: Option<AudioInfo>,
    header_sent: bool,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new("wavenc", "Codec/Muxer/Audio", "Encode raw audio into WAV")
        .pad(PadTemplate::sink(audio::raw_template(&AudioFormat::ALL)))
        .pad(PadTemplate::src(Caps::builder("audio/x-wav").build()))
        .hints(ExecutionHints::RT_SAFE)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::<WavEnc>::default())
}

impl WavEnc {
    fn push_header(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        if self.header_sent {
            return Ok(());
        }
        let Some(info) = self.info else {
            return Err(ctx.error(ElementError::stream("no caps were negotiated")));
        };
        let Some(bytes) = header(&info) else {
            return Err(ctx.error(ElementError::settings(format!(
                "{} channels at {} Hz do not fit a WAV header",
                info.channels, info.rate
            ))));
        };
        let mut out = ctx.allocate(HEADER_LEN)?;
        out.set_len(HEADER_LEN);
        out.data_mut().copy_from_slice(&bytes);
        out.meta_mut().flags.insert(BufferFlags::HEADER);
        ctx.push(out.freeze());
        self.header_sent = true;
        Ok(())
    }
}

impl ElementImpl for WavEnc {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        match direction {
            PadDirection::Sink => Caps::builder("audio/x-wav").build(),
            PadDirection::Src if caps.can_intersect(&Caps::builder("audio/x-wav").build()) => {
                audio::raw_template(&AudioFormat::ALL)
            }
            PadDirection::Src => Caps::empty(),
        }
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<(), ElementError> {
        let info = audio::parse_raw(sink.first())?;
        if header(&info).is_none() {
            return Err(ElementError::settings(format!(
                "{} channels at {} Hz do not fit a WAV header",
                info.channels, info.rate
            )));
        }
        self.info = Some(info);
        self.header_sent = false;
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.header_sent = false;
        Ok(())
    }
}

impl Transform for WavEnc {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.push_header(ctx)?;
        if let Some(info) = &self.info {
            audio::check_whole_frames(buffer.len(), info).map_err(|e| ctx.error(e))?;
        }
        ctx.push(buffer);
        Ok(())
    }

    /// An empty stream still becomes a valid (empty) WAV file.
    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.push_header(ctx)
    }
}
