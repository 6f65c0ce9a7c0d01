use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use parallax_core::element::MemoryProfile;
use parallax_core::property::Mutability;
use parallax_core::registry::ElementInfo;
use parallax_core::{
    AnyElement, Caps, ElementError, ElementImpl, ExecutionHints, FlowError, PadTemplate,
    ProduceContext, ProduceResult, PropSpec, PropertyError, Source, Value,
};

use super::handle::{AppSrcHandle, Popped};

const DEFAULT_MAX_BUFFERS: u64 = 200;
const DEFAULT_BLOCK: bool = true;
const DEFAULT_BLOCKSIZE: u64 = 64 * 1024;
const DEFAULT_IS_LIVE: bool = false;
/// Upper bounds that keep the arena (`max-buffers` + 32 slots of `blocksize` bytes)
/// within what one memfd mapping can reasonably be.
const MAX_MAX_BUFFERS: u64 = 65_536;
const MAX_BLOCKSIZE: u64 = 64 * 1024 * 1024;
/// How long one `produce` call waits for the application before handing control back to
/// the engine (which checks for pause and stop, then asks again): short enough for a
/// prompt stop, long enough that an idle source does not spin.
const POP_WAIT: Duration = Duration::from_millis(10);

#[derive(Debug, Clone)]
struct Settings {
    caps: Caps,
    is_live: bool,
}

#[derive(Debug)]
struct AppSrc {
    settings: Settings,
    /// Also holds `max-buffers`, `block` and `blocksize`, which the pushing side reads.
    handle: Arc<AppSrcHandle>,
}

pub(super) fn info() -> ElementInfo {
    ElementInfo::new(
        "appsrc",
        "Generic/Source",
        "Allow the application to feed buffers to a pipeline",
    )
    .pad(PadTemplate::src(Caps::any()))
    .property(
        PropSpec::caps("caps", Caps::any()).doc("The allowed caps for the src pad (ANY = any)"),
    )
    .property(
        PropSpec::uint("max-buffers", DEFAULT_MAX_BUFFERS, 1, MAX_MAX_BUFFERS)
            .doc("The maximum number of buffers to queue internally")
            .mutable(Mutability::Playing),
    )
    .property(
        PropSpec::bool("block", DEFAULT_BLOCK)
            .doc("Block push-buffer when the queue is full (else it fails with Full)")
            .mutable(Mutability::Playing),
    )
    .property(
        PropSpec::uint("blocksize", DEFAULT_BLOCKSIZE, 1, MAX_BLOCKSIZE)
            .doc("The largest buffer in bytes the application may push (the slot size)")
            .mutable(Mutability::Playing),
    )
    .property(PropSpec::bool("is-live", DEFAULT_IS_LIVE).doc("Whether to act as a live source"))
    // Waits on the application; its queue may hold many buffers.
    .hints(ExecutionHints {
        memory: MemoryProfile::Large,
        ..ExecutionHints::IO
    })
}

pub(super) fn create() -> AnyElement {
    AnyElement::Source(Box::new(AppSrc {
        settings: Settings {
            caps: Caps::any(),
            is_live: DEFAULT_IS_LIVE,
        },
        // The handle exists from construction: the pipeline collects it when it is built.
        handle: Arc::new(AppSrcHandle::new(
            DEFAULT_MAX_BUFFERS as usize,
            DEFAULT_BLOCK,
            DEFAULT_BLOCKSIZE as usize,
        )),
    }))
}

/// A range-checked unsigned property as `usize` (the ranges above fit).
fn usize_for(value: &Value, name: &str, max: u64) -> Result<usize, PropertyError> {
    let v = value.uint_for(name)?.min(max);
    usize::try_from(v).map_err(|_| PropertyError::OutOfRange {
        name: name.to_owned(),
        range: format!("[1, {max}]"),
        got: v.to_string(),
    })
}

impl ElementImpl for AppSrc {
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
                let max = usize_for(value, name, MAX_MAX_BUFFERS)?.max(1);
                self.handle.set_max_buffers(max);
            }
            "block" => self.handle.set_block(value.bool_for(name)?),
            "blocksize" => {
                let size = usize_for(value, name, MAX_BLOCKSIZE)?.max(1);
                self.handle.set_blocksize(size);
            }
            "is-live" => self.settings.is_live = value.bool_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Ok(match name {
            "caps" => Value::Caps(self.settings.caps.clone()),
            "max-buffers" => Value::UInt(self.handle.max_buffers() as u64),
            "block" => Value::Bool(self.handle.block()),
            "blocksize" => Value::UInt(self.handle.blocksize() as u64),
            "is-live" => Value::Bool(self.settings.is_live),
            _ => return Err(PropertyError::unknown(name)),
        })
    }

    /// The src template is ANY, so the `caps` property is applied here: negotiation hands
    /// over what downstream accepts, and the element picks from the part its caps allow.
    /// An empty result is refused in [`ElementImpl::set_caps`], which can report it.
    fn fixate_caps(&self, _pad: usize, caps: Caps) -> Caps {
        if self.settings.caps.is_any() {
            return caps.fixate();
        }
        caps.intersect(&self.settings.caps).fixate()
    }

    fn set_caps(&mut self, _sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        if src.iter().any(Caps::is_empty) {
            return Err(ElementError::stream(format!(
                "downstream accepts none of the caps set on the 'caps' property ({})",
                self.settings.caps
            )));
        }
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

impl Source for AppSrc {
    fn produce(&mut self, ctx: &mut ProduceContext<'_>) -> Result<ProduceResult, FlowError> {
        loop {
            match self.handle.pop(POP_WAIT) {
                // Announced before the buffer that follows it.
                Popped::Caps(caps) => ctx.process().set_src_caps(0, caps),
                Popped::Buffer(buffer) => return Ok(ProduceResult::OwnBuffer(buffer)),
                Popped::Eos => return Ok(ProduceResult::Eos),
                Popped::Empty => return Ok(ProduceResult::WouldBlock),
            }
        }
    }

    /// Buffers come from the element's own arena ([`ProduceResult::OwnBuffer`]), so the
    /// engine's per-source pool is never used: keep it at zero-byte slots.
    fn buffer_size(&self) -> usize {
        0
    }

    fn is_live(&self) -> bool {
        self.settings.is_live
    }
}
