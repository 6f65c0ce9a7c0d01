use std::any::Any;
use std::sync::Arc;

use parallax_core::element::MemoryProfile;
use parallax_core::property::Mutability;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadTemplate,
    ProcessContext, PropSpec, PropertyError, Sink, Value,
};

use super::handle::AppSinkHandle;

const DEFAULT_MAX_BUFFERS: u64 = 0;
const DEFAULT_DROP: bool = false;
const DEFAULT_SYNC: bool = false;

#[derive(Debug, Clone)]
struct Settings {
    caps: Caps,
    sync: bool,
}

#[derive(Debug)]
struct AppSink {
    settings: Settings,
    /// Also holds `max-buffers` and `drop`, which the queue applies.
    handle: Arc<AppSinkHandle>,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "appsink",
        "Generic/Sink",
        "Allow the application to get access to raw buffers",
    )
    .pad(PadTemplate::sink(Caps::any()))
    .property(
        PropSpec::caps("caps", Caps::any())
            .doc("The caps accepted: negotiated caps that do not intersect them are refused"),
    )
    .property(
        PropSpec::uint("max-buffers", DEFAULT_MAX_BUFFERS, 0, u64::from(u32::MAX))
            .doc("The maximum number of buffers to queue internally (0 = unlimited)")
            .mutable(Mutability::Playing),
    )
    .property(
        PropSpec::bool("drop", DEFAULT_DROP)
            .doc("Drop old buffers when the buffer queue is filled")
            .mutable(Mutability::Playing),
    )
    .property(PropSpec::bool("sync", DEFAULT_SYNC).doc("Sync on the clock"))
    // Waits on the application; its queue may hold many buffers.
    .hints(ExecutionHints {
        memory: MemoryProfile::Large,
        ..ExecutionHints::IO
    })
}

pub(super) fn create() -> AnyElement {
    AnyElement::Sink(Box::new(AppSink {
        settings: Settings {
            caps: Caps::any(),
            sync: DEFAULT_SYNC,
        },
        // The handle exists from construction: the pipeline collects it when it is built.
        handle: Arc::new(AppSinkHandle::new(
            DEFAULT_MAX_BUFFERS as usize,
            DEFAULT_DROP,
        )),
    }))
}

impl ElementImpl for AppSink {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "caps" => match value {
                Value::Caps(caps) => self.settings.caps = caps.clone(),
                other => {
                    return Err(PropertyError::BadValue {
                        name: name.into(),
                        expected: "caps".into(),
                        got: other.to_string(),
                    });
                }
            },
            "max-buffers" => {
                // Range-checked to [0, u32::MAX] by the engine, which fits usize here.
                let max = usize::try_from(value.uint_for(name)?).unwrap_or(usize::MAX);
                self.handle.set_max_buffers(max);
            }
            "drop" => self.handle.set_drop(value.bool_for(name)?),
            "sync" => self.settings.sync = value.bool_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Ok(match name {
            "caps" => Value::Caps(self.settings.caps.clone()),
            "max-buffers" => Value::UInt(self.handle.max_buffers() as u64),
            "drop" => Value::Bool(self.handle.drop_oldest()),
            "sync" => Value::Bool(self.settings.sync),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    /// The `caps` property as a filter. A sink's accepted caps come from its pad template
    /// (ANY here), so the property cannot steer negotiation; instead, negotiated caps
    /// that do not intersect it are refused, which fails the pipeline before data flows.
    fn set_caps(&mut self, sink: &[Caps], _src: &[Caps]) -> Result<(), ElementError> {
        let negotiated = sink.first().cloned().unwrap_or_else(Caps::any);
        if !self.settings.caps.is_any() && !negotiated.can_intersect(&self.settings.caps) {
            return Err(ElementError::stream(format!(
                "the negotiated caps {negotiated} are not accepted by the 'caps' property ({})",
                self.settings.caps
            )));
        }
        self.handle.set_caps(negotiated);
        Ok(())
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.handle.start();
        Ok(())
    }

    fn stop(&mut self) -> Result<(), ElementError> {
        self.handle.stop();
        Ok(())
    }

    fn flush(&mut self) {
        self.handle.flush();
    }

    fn app_handle(&self) -> Option<Arc<dyn Any + Send + Sync>> {
        Some(self.handle.clone())
    }
}

impl Sink for AppSink {
    fn consume(&mut self, buffer: Buffer, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.handle.push(buffer, || ctx.is_cancelled())
    }

    fn eos(&mut self, _ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.handle.set_eos();
        Ok(())
    }

    fn sync(&self) -> bool {
        self.settings.sync
    }
}
