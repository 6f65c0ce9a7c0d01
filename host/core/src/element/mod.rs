//! The element traits: what the engine calls on every element.
//!
//! A key design decision: processing is synchronous and push-based. A source fills a slot
//! in [`Source::produce`], a transform turns one input into zero or more outputs in
//! [`Transform::process`], a sink takes buffers in [`Sink::consume`]; the engine chains
//! these calls directly within a streaming thread (no task switch, no allocation per
//! buffer) and only crosses threads at queues, as GStreamer does. I/O that must wait on
//! the network or a device uses [`AsyncSource`] / [`AsyncSink`] instead, whose futures the
//! engine drives on tokio.
//!
//! Every element also implements [`ElementImpl`]: properties, caps negotiation hooks and
//! lifecycle. All its methods have defaults except the property accessors, so an element
//! overrides only what it needs (as gstreamer-rs `ElementImpl` with `parent_*` calls).

mod context;
mod hints;
mod pad;
mod queue;

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use context::{
    CapsChange, ChildFactory, ContextState, Notice, PipelineClock, ProcessContext, ProduceContext,
    ProduceResult,
};
pub use hints::{
    Affinity, ExecutionHints, LatencyClass, MemoryProfile, ProcessingKind, TrustLevel,
};
pub use pad::{PadDirection, PadPresence, PadTemplate};
pub use queue::{Leaky, QueueLimits};

use crate::buffer::{Buffer, BufferMut};
use crate::caps::Caps;
use crate::error::{ElementError, FlowError, PropertyError};
use crate::property::Value;

/// What every element implements: properties, negotiation hooks and lifecycle.
pub trait ElementImpl: Send + 'static {
    /// Sets a property. The engine has already checked the name against the element's
    /// [`crate::PropSpec`]s and converted the text to the property's type and range.
    ///
    /// # Errors
    ///
    /// [`PropertyError`] for a name the element does not know or a value it refuses.
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError>;

    /// Reads a property.
    ///
    /// # Errors
    ///
    /// [`PropertyError::Unknown`] for a name the element does not know.
    fn property(&self, name: &str) -> Result<Value, PropertyError>;

    /// Caps on the other side of the element. Given `caps` on a pad of `direction`,
    /// returns the caps the opposite side can have (GStreamer's `transform_caps`).
    /// The default is a passthrough: the same caps on both sides.
    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        let _ = direction;
        caps.clone()
    }

    /// Picks fixed caps for src pad `pad` out of `caps` (never empty). Sources override
    /// this to prefer e.g. 320x240 at 30/1.
    fn fixate_caps(&self, pad: usize, caps: Caps) -> Caps {
        let _ = pad;
        caps.fixate()
    }

    /// Tells the element the fixed caps negotiated on its sink and src pads.
    ///
    /// # Errors
    ///
    /// [`ElementError`] when the element cannot work with them.
    fn set_caps(&mut self, sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        let _ = (sink, src);
        Ok(())
    }

    /// Tells the element the names of its sink and src pads, in index order (request
    /// pads such as `tee`'s `src_%u` are created by linking). Pad indices in the data
    /// path refer to these lists.
    ///
    /// # Errors
    ///
    /// [`ElementError`] when the element cannot work with these pads.
    fn configure_pads(
        &mut self,
        sink_pads: &[String],
        src_pads: &[String],
    ) -> Result<(), ElementError> {
        let _ = (sink_pads, src_pads);
        Ok(())
    }

    /// `Some` for elements whose input is a thread boundary (`queue`): the engine puts a
    /// bounded link with these limits in front of the element and runs everything
    /// downstream of it on another streaming thread.
    fn queue_limits(&self) -> Option<QueueLimits> {
        None
    }

    /// Files the element will open by path once started, given its current properties
    /// (asked after properties are set, before [`ElementImpl::start`]). An element that
    /// may run in a sandboxed worker declares them here and opens them with
    /// [`crate::files::open`]: the worker cannot open files, so the host opens exactly
    /// these for it (see `files`). The default: none.
    fn sandbox_files(&self) -> Vec<crate::files::FileNeed> {
        Vec::new()
    }

    /// Acquires resources (open files, devices) before data flows.
    ///
    /// # Errors
    ///
    /// [`ElementError`] when a resource cannot be acquired.
    fn start(&mut self) -> Result<(), ElementError> {
        Ok(())
    }

    /// Releases resources; the element may be started again afterwards.
    ///
    /// # Errors
    ///
    /// [`ElementError`] when releasing fails (e.g. a final write).
    fn stop(&mut self) -> Result<(), ElementError> {
        Ok(())
    }

    /// Drops any data held inside the element (a seek or flush happened).
    fn flush(&mut self) {}

    /// A handle the embedding application uses to talk to the element (appsrc, appsink).
    fn app_handle(&self) -> Option<Arc<dyn Any + Send + Sync>> {
        None
    }
}

/// A synchronous source.
pub trait Source: ElementImpl {
    /// Produces the next buffer, usually by writing into the slot [`ProduceContext::buffer`]
    /// hands out.
    ///
    /// # Errors
    ///
    /// [`FlowError::Error`] after recording an [`ElementError`] on the context.
    fn produce(&mut self, ctx: &mut ProduceContext<'_>) -> Result<ProduceResult, FlowError>;

    /// Bytes per buffer, used to size the source's pool; asked after [`ElementImpl::set_caps`].
    fn buffer_size(&self) -> usize {
        4096
    }

    /// Whether the source produces in real time (then the engine releases each buffer at
    /// its timestamp, as a live GStreamer source does).
    fn is_live(&self) -> bool {
        false
    }
}

/// A synchronous filter: one input buffer in, zero or more buffers out on any src pad.
/// Multi-pad elements (tee, funnel, selectors, concat) are transforms too.
pub trait Transform: ElementImpl {
    /// Processes one buffer that arrived on sink pad `pad`; outputs go through `ctx`.
    ///
    /// # Errors
    ///
    /// [`FlowError::Error`] after recording an [`ElementError`] on the context.
    fn process(
        &mut self,
        pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError>;

    /// End of stream on sink pad `pad`; `all_eos` says whether every sink pad has
    /// reached it. Returns whether end of stream should now go downstream. The default
    /// drains and forwards once every sink pad is done.
    ///
    /// # Errors
    ///
    /// As [`Transform::process`].
    fn sink_eos(
        &mut self,
        pad: usize,
        all_eos: bool,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<bool, FlowError> {
        let _ = pad;
        if all_eos {
            self.drain(ctx)?;
        }
        Ok(all_eos)
    }

    /// Pushes out anything held back, before end of stream goes downstream.
    ///
    /// # Errors
    ///
    /// As [`Transform::process`].
    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let _ = ctx;
        Ok(())
    }

    /// Whether the element wants data from sink pad `pad` right now; data on other pads
    /// waits upstream (that is how `concat` plays its inputs one after another).
    fn accepts_input(&self, pad: usize) -> bool {
        let _ = pad;
        true
    }
}

/// A synchronous sink.
pub trait Sink: ElementImpl {
    /// Takes one buffer.
    ///
    /// # Errors
    ///
    /// [`FlowError::Error`] after recording an [`ElementError`] on the context.
    fn consume(&mut self, buffer: Buffer, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError>;

    /// End of stream reached the sink: finish writing.
    ///
    /// # Errors
    ///
    /// As [`Sink::consume`].
    fn eos(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        let _ = ctx;
        Ok(())
    }

    /// Whether buffers are held until their timestamp on the pipeline clock
    /// (GStreamer's `sync` property).
    fn sync(&self) -> bool {
        false
    }
}

/// A boxed future, as the async element traits return (one allocation per call, which is
/// fine for I/O-bound elements and keeps the traits object-safe).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A source that waits on I/O (network, devices).
pub trait AsyncSource: ElementImpl {
    /// Fills `buffer` (a fresh slot of [`AsyncSource::buffer_size`] bytes) or returns
    /// another result.
    fn produce<'a>(
        &'a mut self,
        buffer: &'a mut BufferMut,
    ) -> BoxFuture<'a, Result<ProduceResult, ElementError>>;

    /// Bytes per buffer, used to size the source's pool.
    fn buffer_size(&self) -> usize {
        4096
    }
}

/// A sink that waits on I/O.
pub trait AsyncSink: ElementImpl {
    /// Takes one buffer.
    fn consume(&mut self, buffer: Buffer) -> BoxFuture<'_, Result<(), ElementError>>;

    /// End of stream: flush and finish.
    fn eos(&mut self) -> BoxFuture<'_, Result<(), ElementError>> {
        Box::pin(async { Ok(()) })
    }
}

/// An element instance of any kind, as factories create them.
pub enum AnyElement {
    /// A synchronous source.
    Source(Box<dyn Source>),
    /// A synchronous transform or multi-pad element.
    Transform(Box<dyn Transform>),
    /// A synchronous sink.
    Sink(Box<dyn Sink>),
    /// An asynchronous source.
    AsyncSource(Box<dyn AsyncSource>),
    /// An asynchronous sink.
    AsyncSink(Box<dyn AsyncSink>),
}

impl AnyElement {
    /// The part every element shares.
    pub fn base(&self) -> &dyn ElementImpl {
        match self {
            AnyElement::Source(e) => &**e,
            AnyElement::Transform(e) => &**e,
            AnyElement::Sink(e) => &**e,
            AnyElement::AsyncSource(e) => &**e,
            AnyElement::AsyncSink(e) => &**e,
        }
    }

    /// The part every element shares, mutably.
    pub fn base_mut(&mut self) -> &mut dyn ElementImpl {
        match self {
            AnyElement::Source(e) => &mut **e,
            AnyElement::Transform(e) => &mut **e,
            AnyElement::Sink(e) => &mut **e,
            AnyElement::AsyncSource(e) => &mut **e,
            AnyElement::AsyncSink(e) => &mut **e,
        }
    }

    /// Whether the element produces data without an input.
    pub fn is_source(&self) -> bool {
        matches!(self, AnyElement::Source(_) | AnyElement::AsyncSource(_))
    }

    /// Whether the element only consumes data.
    pub fn is_sink(&self) -> bool {
        matches!(self, AnyElement::Sink(_) | AnyElement::AsyncSink(_))
    }

    /// A short word for the kind, for messages and `inspect`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            AnyElement::Source(_) => "source",
            AnyElement::Transform(_) => "transform",
            AnyElement::Sink(_) => "sink",
            AnyElement::AsyncSource(_) => "async source",
            AnyElement::AsyncSink(_) => "async sink",
        }
    }
}

impl std::fmt::Debug for AnyElement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AnyElement::{}", self.kind_name())
    }
}
