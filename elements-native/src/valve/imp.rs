use parallax_core::property::Mutability;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, BufferFlags, Caps, ElementError, ElementImpl, ExecutionHints, FlowError,
    PadTemplate, ProcessContext, PropSpec, PropertyError, Transform, Value,
};

const DEFAULT_DROP: bool = false;

/// Property values.
#[derive(Debug, Clone)]
struct Settings {
    drop: bool,
}

/// The valve: open or closed, and whether data was dropped since it last passed any.
#[derive(Debug)]
struct Valve {
    settings: Settings,
    /// A buffer was dropped since the last one let through.
    discont: bool,
}

/// Everything known about `valve` without creating one (what `inspect` shows).
pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "valve",
        "Filter",
        "Drops buffers and events or lets them through",
    )
    .pad(PadTemplate::sink(Caps::any()))
    .pad(PadTemplate::src(Caps::any()))
    .property(
        PropSpec::bool("drop", DEFAULT_DROP)
            .doc("Whether to drop buffers or let them through")
            .mutable(Mutability::Playing),
    )
    .hints(ExecutionHints::RT_SAFE)
}

/// A new `valve` with default properties.
pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Valve {
        settings: Settings { drop: DEFAULT_DROP },
        discont: false,
    }))
}

impl ElementImpl for Valve {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "drop" => self.settings.drop = value.bool_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "drop" => Ok(Value::Bool(self.settings.drop)),
            _ => Err(PropertyError::unknown(name)),
        }
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.discont = false;
        Ok(())
    }
}

impl Transform for Valve {
    fn process(
        &mut self,
        _pad: usize,
        mut buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        if self.settings.drop {
            self.discont = true;
            return Ok(());
        }
        if std::mem::take(&mut self.discont) {
            buffer.meta_mut().flags.insert(BufferFlags::DISCONT);
        }
        ctx.push(buffer);
        Ok(())
    }
}
