use parallax_core::property::{EnumValue, Mutability};
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ClockTime, ElementImpl, ExecutionHints, FlowError, Leaky,
    PadTemplate, ProcessContext, PropSpec, PropertyError, QueueLimits, Transform, Value,
};

const LEAKY: &[EnumValue] = &[
    EnumValue {
        nick: "no",
        value: 0,
        doc: "Not Leaky",
    },
    EnumValue {
        nick: "upstream",
        value: 1,
        doc: "Leaky on upstream (new buffers)",
    },
    EnumValue {
        nick: "downstream",
        value: 2,
        doc: "Leaky on downstream (old buffers)",
    },
];

#[derive(Debug)]
struct Queue {
    limits: QueueLimits,
}

pub(super) fn info() -> ElementInfo {
    let d = QueueLimits::DEFAULT;
    ElementInfo::new("queue", "Generic", "Simple data queue: a thread boundary")
        .pad(PadTemplate::sink(Caps::any()))
        .pad(PadTemplate::src(Caps::any()))
        .property(
            PropSpec::uint(
                "max-size-buffers",
                u64::from(d.max_buffers),
                0,
                u64::from(u32::MAX),
            )
            .doc("Max. number of buffers in the queue (0=disable)")
            .mutable(Mutability::Ready),
        )
        .property(
            PropSpec::uint("max-size-bytes", d.max_bytes, 0, u64::from(u32::MAX))
                .doc("Max. amount of data in the queue (bytes, 0=disable)")
                .mutable(Mutability::Ready),
        )
        .property(
            PropSpec::uint("max-size-time", d.max_time.nanos(), 0, u64::MAX)
                .doc("Max. amount of data in the queue (in ns, 0=disable)")
                .mutable(Mutability::Ready),
        )
        .property(
            PropSpec::enumeration("leaky", "no", LEAKY).doc("Where the queue leaks, if at all"),
        )
        .hints(ExecutionHints::RT_SAFE)
}

pub(super) fn create() -> AnyElement {
    AnyElement::Transform(Box::new(Queue {
        limits: QueueLimits::DEFAULT,
    }))
}

impl ElementImpl for Queue {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        let l = &mut self.limits;
        match name {
            "max-size-buffers" => {
                l.max_buffers = u32::try_from(value.uint_for(name)?).unwrap_or(u32::MAX)
            }
            "max-size-bytes" => l.max_bytes = value.uint_for(name)?,
            "max-size-time" => l.max_time = ClockTime(value.uint_for(name)?),
            "leaky" => {
                l.leaky = match value.str_for(name)? {
                    "upstream" => Leaky::Upstream,
                    "downstream" => Leaky::Downstream,
                    _ => Leaky::No,
                }
            }
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        let l = &self.limits;
        Ok(match name {
            "max-size-buffers" => Value::UInt(u64::from(l.max_buffers)),
            "max-size-bytes" => Value::UInt(l.max_bytes),
            "max-size-time" => Value::UInt(l.max_time.nanos()),
            "leaky" => Value::Enum(
                match l.leaky {
                    Leaky::No => "no",
                    Leaky::Upstream => "upstream",
                    Leaky::Downstream => "downstream",
                }
                .into(),
            ),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    fn queue_limits(&self) -> Option<QueueLimits> {
        Some(self.limits)
    }
}

impl Transform for Queue {
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
