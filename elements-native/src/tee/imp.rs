use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadDirection,
    PadPresence, PadTemplate, ProcessContext, PropSpec, PropertyError, Transform, Value,
};

/// The tee's state: only how many branches linking gave it.
#[derive(Debug, Default)]
struct Tee {
    src_pads: usize,
}

/// Everything known about `tee` without creating one (what `inspect` shows).
pub(super) fn info() -> ElementInfo {
    ElementInfo::new("tee", "Generic", "1-to-N pipe fitting")
        .pad(PadTemplate::sink(Caps::any()))
        .pad(PadTemplate::new(
            "src_%u",
            PadDirection::Src,
            PadPresence::Request,
            Caps::any(),
        ))
        .property(
            PropSpec::uint("num-src-pads", 0, 0, u64::from(u32::MAX))
                .doc("The number of source pads")
                .read_only(),
        )
        .hints(ExecutionHints::RT_SAFE)
}

/// A new `tee` with default properties.
pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Tee::default()))
}

impl ElementImpl for Tee {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        match name {
            "num-src-pads" => Err(PropertyError::ReadOnly {
                name: name.to_owned(),
            }),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "num-src-pads" => Ok(Value::UInt(self.src_pads as u64)),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn configure_pads(
        &mut self,
        _sink_pads: &[String],
        src_pads: &[String],
    ) -> Result<(), ElementError> {
        self.src_pads = src_pads.len();
        Ok(())
    }
}

impl Transform for Tee {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let Some(last) = self.src_pads.checked_sub(1) else {
            return Ok(());
        };
        for pad in 0..last {
            ctx.push_to(pad, buffer.clone());
        }
        // The last branch takes the original handle: one clone fewer per buffer.
        ctx.push_to(last, buffer);
        Ok(())
    }
}
