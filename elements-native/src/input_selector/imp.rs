use parallax_core::property::Mutability;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, Caps, ElementError, ElementImpl, ExecutionHints, FlowError,
    PadDirection, PadPresence, PadTemplate, ProcessContext, PropSpec, PropertyError, Transform,
    Value,
};

use crate::util::pads::PadChoice;

/// Empty: the first sink pad is active.
const DEFAULT_ACTIVE_PAD: &str = "";
/// The request sink template's name before `%u`.
const SINK_PREFIX: &str = "sink_";

/// The selector: which input is active and how far each input has got.
#[derive(Debug, Default)]
struct InputSelector {
    active: PadChoice,
    /// Which sink pads have reached end of stream.
    eos: Vec<bool>,
    /// End of stream went downstream: nothing more may follow it.
    eos_forwarded: bool,
    /// The next buffer passed on is the first since a switch.
    discont: bool,
}

/// Everything known about `input-selector` without creating one (what `inspect` shows).
pub(super) fn info() -> ElementInfo {
    ElementInfo::new("input-selector", "Generic", "N-to-1 input stream selector")
        .pad(PadTemplate::new(
            "sink_%u",
            PadDirection::Sink,
            PadPresence::Request,
            Caps::any(),
        ))
        .pad(PadTemplate::src(Caps::any()))
        .property(
            PropSpec::string("active-pad", DEFAULT_ACTIVE_PAD)
                .doc("The currently active sink pad (empty = the first)")
                .mutable(Mutability::Playing),
        )
        .hints(ExecutionHints::RT_SAFE)
}

/// A new `input-selector` with default properties.
pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(InputSelector::default()))
}

impl ElementImpl for InputSelector {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "active-pad" => {
                let before = self.active.index();
                self.active.set(name, SINK_PREFIX, value.str_for(name)?)?;
                self.discont |= self.active.index() != before;
                Ok(())
            }
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
        sink_pads: &[String],
        _src_pads: &[String],
    ) -> Result<(), ElementError> {
        self.active.configure("active-pad", sink_pads)?;
        self.eos = vec![false; sink_pads.len()];
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.eos.fill(false);
        self.eos_forwarded = false;
        self.discont = false;
        Ok(())
    }
}

impl Transform for InputSelector {
    fn process(
        &mut self,
        pad: usize,
        mut buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        if self.eos_forwarded {
            return Err(FlowError::Eos);
        }
        if pad != self.active.index() {
            return Ok(());
        }
        if std::mem::take(&mut self.discont) {
            buffer.meta_mut().flags.insert(BufferFlags::DISCONT);
        }
        ctx.push(buffer);
        Ok(())
    }

    fn sink_eos(
        &mut self,
        pad: usize,
        all_eos: bool,
        _ctx: &mut ProcessContext<'_>,
    ) -> Result<bool, FlowError> {
        if let Some(flag) = self.eos.get_mut(pad) {
            *flag = true;
        }
        let active_done = self.eos.get(self.active.index()).copied().unwrap_or(true);
        let forward = all_eos || active_done;
        self.eos_forwarded |= forward;
        Ok(forward)
    }
}
