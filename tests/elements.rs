//! Elements that exist only to test the engine: one that panics, async ones.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parallax_core::element::BoxFuture;
use parallax_core::registry::{ElementInfo, RegisterError, Registry};
use parallax_core::{
    AnyElement, AsyncSink, AsyncSource, Buffer, BufferMut, Caps, ElementError, ElementImpl,
    FlowError, PadTemplate, ProcessContext, ProduceResult, PropSpec, PropertyError, Transform,
    Value,
};

/// `testpanic`: passes `after` buffers, then panics.
struct Panicker {
    after: i64,
    seen: i64,
}

impl ElementImpl for Panicker {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "after" => self.after = value.int_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "after" => Ok(Value::Int(self.after)),
            _ => Err(PropertyError::unknown(name)),
        }
    }
}

impl Transform for Panicker {
    fn process(
        &mut self,
        _pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.seen += 1;
        assert!(
            self.seen <= self.after,
            "deliberate test panic after {} buffers",
            self.after
        );
        ctx.push(buffer);
        Ok(())
    }
}

/// `testasyncsrc`: an async source of `num-buffers` 16-byte buffers, yielding to tokio
/// before each one.
struct AsyncSrc {
    remaining: i64,
}

impl ElementImpl for AsyncSrc {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        match name {
            "num-buffers" => self.remaining = value.int_for(name)?,
            _ => return Err(PropertyError::unknown(name)),
        }
        Ok(())
    }
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        match name {
            "num-buffers" => Ok(Value::Int(self.remaining)),
            _ => Err(PropertyError::unknown(name)),
        }
    }
}

impl AsyncSource for AsyncSrc {
    fn produce<'a>(
        &'a mut self,
        buffer: &'a mut BufferMut,
    ) -> BoxFuture<'a, Result<ProduceResult, ElementError>> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            if self.remaining <= 0 {
                return Ok(ProduceResult::Eos);
            }
            self.remaining -= 1;
            buffer.data_mut()[..4].copy_from_slice(&(self.remaining as u32).to_le_bytes());
            Ok(ProduceResult::Produced(16))
        })
    }
    fn buffer_size(&self) -> usize {
        16
    }
}

/// Shared counter of `testasyncsink`, reachable through `Pipeline::handle`.
#[derive(Debug, Default)]
pub struct AsyncCount {
    /// Buffers received.
    pub buffers: AtomicU64,
    /// Whether end of stream arrived.
    pub eos: AtomicU64,
}

/// `testasyncsink`: counts buffers on a tokio timer tick.
struct AsyncCountSink {
    count: Arc<AsyncCount>,
}

impl ElementImpl for AsyncCountSink {
    fn set_property(&mut self, name: &str, _value: &Value) -> Result<(), PropertyError> {
        Err(PropertyError::unknown(name))
    }
    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        Err(PropertyError::unknown(name))
    }
    fn app_handle(&self) -> Option<Arc<dyn std::any::Any + Send + Sync>> {
        Some(self.count.clone())
    }
}

impl AsyncSink for AsyncCountSink {
    fn consume(&mut self, _buffer: Buffer) -> BoxFuture<'_, Result<(), ElementError>> {
        Box::pin(async move {
            tokio::time::sleep(std::time::Duration::from_micros(10)).await;
            self.count.buffers.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
    }
    fn eos(&mut self) -> BoxFuture<'_, Result<(), ElementError>> {
        Box::pin(async move {
            self.count.eos.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
    }
}

pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(
        ElementInfo::new("testpanic", "Testing", "Panics after a number of buffers")
            .pad(PadTemplate::sink(Caps::any()))
            .pad(PadTemplate::src(Caps::any()))
            .property(PropSpec::int("after", 0, 0, i64::MAX)),
        || AnyElement::Transform(Box::new(Panicker { after: 0, seen: 0 })),
    )?;
    registry.register(
        ElementInfo::new(
            "testasyncsrc",
            "Testing",
            "Async source of numbered buffers",
        )
        .pad(PadTemplate::src(Caps::any()))
        .property(PropSpec::int("num-buffers", 10, 0, i64::MAX)),
        || AnyElement::AsyncSource(Box::new(AsyncSrc { remaining: 10 })),
    )?;
    registry.register(
        ElementInfo::new("testasyncsink", "Testing", "Async counting sink")
            .pad(PadTemplate::sink(Caps::any())),
        || {
            AnyElement::AsyncSink(Box::new(AsyncCountSink {
                count: Arc::new(AsyncCount::default()),
            }))
        },
    )
}
