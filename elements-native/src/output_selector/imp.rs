use parallax_core::property::Mutability;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadDirection,
    PadPresence, PadTemplate, ProcessContext, PropSpec, PropertyError, Transform, Value,
};

use crate::util::pads::PadChoice;

/// Empty: the first src pad is active.
const DEFAULT_ACTIVE_PAD: &str = "";
/// The request src template's name before `%u`.
const SRC_PREFIX: &str = "src_";

/// The selector: which output is active.
#[derive(Debug, Default)]
struct OutputSelector {
    active: PadChoice,
    /// Number of src pads; zero means there is nowhere to send data.
    src_pads: usize,
}

/// Everything known about `output-selector` without creating one (what `inspect` shows).
pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "output-selector",
        "Generic",
        "1-to-N output stream selector",
    )
    .pad(PadTemplate::sink(Caps::any()))
    .pad(PadTemplate::new(
        "src_%u",
        PadDirection::Src,
        PadPresence::Request,
        Caps::any(),
    ))
    .property(
        PropSpec::string("active-pad", DEFAULT_ACTIVE_PAD)
            .doc("Currently active src pad (empty = the first)")
            .mutable(Mutability::Playing),
    )
    .hints(ExecutionHints::RT_SAFE)
}

/// A new `output-selector` with default properties.
pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(OutputSelector::default()))
}

impl ElementImpl for OutputSelector {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "active-pad" => self.active.set(name, SRC_PREFIX, value.str_for(name)?),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "active-pad" => Ok(Value::Str(self.active.name().to_owned())),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn configure_pads(
        &mut self,
        _sink_pads: &[String],
        src_pads: &[String],
    ) -> Result<(), ElementError> {
        self.active.configure("active-pad", src_pads)?;
        self.src_pads = src_pads.len();
        Ok(())
    }
}

impl Transform for OutputSelector {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let pad = self.active.index();
        // With no src pad linked the data has nowhere to go (GStreamer returns
        // not-linked there; dropping keeps the upstream branch running instead).
        if pad < self.src_pads {
            ctx.push_to(pad, buffer);
        }
        Ok(())
    }
}
