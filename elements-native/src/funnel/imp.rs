use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementImpl, ExecutionHints, FlowError, PadDirection, PadPresence,
    PadTemplate, ProcessContext, PropertyError, Transform, Value,
};

/// The funnel has no settings and no state.
#[derive(Debug)]
struct Funnel;

/// Everything known about `funnel` without creating one (what `inspect` shows).
pub(super) fn info() -> ElementInfo {
    ElementInfo::new("funnel", "Generic", "N-to-1 pipe fitting")
        .pad(PadTemplate::new(
            "sink_%u",
            PadDirection::Sink,
            PadPresence::Request,
            Caps::any(),
        ))
        .pad(PadTemplate::src(Caps::any()))
        .hints(ExecutionHints::RT_SAFE)
}

/// A new `funnel` with default properties.
pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Funnel))
}

impl ElementImpl for Funnel {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }
}

impl Transform for Funnel {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        ctx.push(buffer);
        Ok(())
    }
}
