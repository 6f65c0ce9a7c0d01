use parallax_core::property::Mutability;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadTemplate,
    ProcessContext, PropSpec, PropertyError, Transform, Value,
};

use super::scale::{Format, scale, scale_in_place};

const CAPS: &str = "audio/x-raw, format={ S16LE, F32LE }, layout=interleaved, \
                    rate=[ 1, 2147483647 ], channels=[ 1, 2147483647 ]";
const DEFAULT_VOLUME: f64 = 1.0;
const DEFAULT_MUTE: bool = false;

#[derive(Debug, Clone, Copy)]
struct Settings {
    volume: f64,
    mute: bool,
}

#[derive(Debug)]
struct Volume {
    settings: Settings,
    format: Option<Format>,
}

fn caps() -> Caps {
    CAPS.parse().unwrap_or_else(|_| Caps::any())
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "volume",
        "Filter/Effect/Audio",
        "Set volume on audio/raw streams",
    )
    .pad(PadTemplate::sink(caps()))
    .pad(PadTemplate::src(caps()))
    .property(
        PropSpec::double("volume", DEFAULT_VOLUME, 0.0, 10.0)
            .doc("Volume factor, 1.0 = 100%")
            .mutable(Mutability::Playing),
    )
    .property(
        PropSpec::bool("mute", DEFAULT_MUTE)
            .doc("Output silence")
            .mutable(Mutability::Playing),
    )
    .hints(ExecutionHints::RT_SAFE)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Volume {
        settings: Settings {
            volume: DEFAULT_VOLUME,
            mute: DEFAULT_MUTE,
        },
        format: None,
    }))
}

impl ElementImpl for Volume {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "volume" => self.settings.volume = value.double_for(name)?,
            "mute" => self.settings.mute = value.bool_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Ok(match name {
            "volume" => Value::Double(self.settings.volume),
            "mute" => Value::Bool(self.settings.mute),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<(), ElementError> {
        let format = sink
            .first()
            .and_then(|c| c.structure(0))
            .and_then(|s| s.get_str("format"));
        self.format = Some(format.and_then(Format::parse).ok_or_else(|| {
            ElementError::settings(format!("unsupported sample format {format:?}"))
        })?);
        Ok(())
    }
}

impl Transform for Volume {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let format = self.format.ok_or(FlowError::NotNegotiated)?;
        let Settings { volume, mute } = self.settings;
        if !mute && volume == 1.0 {
            ctx.push(buffer);
            return Ok(());
        }
        if !buffer.len().is_multiple_of(format.width()) {
            return Err(ctx.error(ElementError::stream(format!(
                "a {}-byte buffer is not a whole number of {}-byte samples",
                buffer.len(),
                format.width()
            ))));
        }
        let gain = if mute { 0.0 } else { volume };
        // In place when nobody else holds the buffer (the usual case); else a copy.
        match buffer.into_mut() {
            Ok(mut unique) => {
                scale_in_place(format, gain, unique.data_mut());
                ctx.push(unique.freeze());
            }
            Err(shared) => {
                let mut out = ctx.allocate(shared.len())?;
                scale(format, gain, shared.data(), out.data_mut());
                *out.meta_mut() = shared.meta().clone();
                ctx.push(out.freeze());
            }
        }
        Ok(())
    }
}
