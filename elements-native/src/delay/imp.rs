use std::time::Instant;

use parallax_core::property::Mutability;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ClockTime, ElementImpl, ExecutionHints, FlowError, PadTemplate,
    ProcessContext, PropSpec, PropertyError, Transform, Value,
};

use crate::util::sleep::sleep_until;

const DEFAULT_DURATION: u64 = 0;
const DEFAULT_SHIFT_TIMESTAMPS: bool = false;

/// Property values.
#[derive(Debug, Clone)]
struct Settings {
    /// Nanoseconds each buffer is held back (or its timestamps moved).
    duration: u64,
    shift_timestamps: bool,
}

/// The element: only settings, since it holds no buffer.
#[derive(Debug)]
struct Delay {
    settings: Settings,
}

/// Everything known about `delay` without creating one (what `inspect` shows).
pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "delay",
        "Generic",
        "Holds each buffer back for a fixed time after it arrives",
    )
    .pad(PadTemplate::sink(Caps::any()))
    .pad(PadTemplate::src(Caps::any()))
    .property(
        PropSpec::uint("duration", DEFAULT_DURATION, 0, u64::MAX)
            .doc("Nanoseconds each buffer is held back after it arrives")
            .mutable(Mutability::Playing),
    )
    .property(
        PropSpec::bool("shift-timestamps", DEFAULT_SHIFT_TIMESTAMPS)
            .doc("Add the duration to pts and dts instead of sleeping"),
    )
    // Sleeps on purpose: never on a real-time thread.
    .hints(ExecutionHints::DEFAULT)
}

/// A new `delay` with default properties.
pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Delay {
        settings: Settings {
            duration: DEFAULT_DURATION,
            shift_timestamps: DEFAULT_SHIFT_TIMESTAMPS,
        },
    }))
}

impl ElementImpl for Delay {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        let s = &mut self.settings;
        match name {
            "duration" => s.duration = value.uint_for(name)?,
            "shift-timestamps" => s.shift_timestamps = value.bool_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        let s = &self.settings;
        Ok(match name {
            "duration" => Value::UInt(s.duration),
            "shift-timestamps" => Value::Bool(s.shift_timestamps),
            _ => return Err(PropertyError::unknown(name)),
        })
    }
}

impl Transform for Delay {
    fn process(
        &mut self,
        _pad: usize,
        mut buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let s = &self.settings;
        if s.duration > 0 {
            if s.shift_timestamps {
                let offset = ClockTime::from_nanos(s.duration);
                let meta = buffer.meta_mut();
                meta.pts = meta.pts.map(|t| t.saturating_add(offset));
                meta.dts = meta.dts.map(|t| t.saturating_add(offset));
            } else {
                sleep_until(Instant::now(), s.duration, ctx)?;
            }
        }
        ctx.push(buffer);
        Ok(())
    }
}
