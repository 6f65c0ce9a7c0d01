//! The contexts an element gets while processing: where outputs, errors and messages go.
//!
//! A key design decision: a context is a handful of borrowed pointers into per-element
//! [`ContextState`] that the engine keeps for the element's whole life, so creating one
//! per call is free and the output list keeps its capacity: no allocation per buffer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::buffer::{Buffer, BufferMut, ClockTime};
use crate::caps::{Caps, Structure};
use crate::error::{ElementError, FlowError};
use crate::memory::{BufferAllocator, CpuArena, DEFAULT_SLOTS_PER_CLASS};
use crate::registry::ElementFactory;

use super::AnyElement;

/// Something an element tells the application, besides data.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// An element-specific message (statistics, a detection), posted on the bus.
    Message(Structure),
    /// Something went wrong but the element carries on.
    Warning(String),
}

/// The pipeline's running time, as elements read it: zero when the pipeline first plays,
/// standing still while it is paused.
pub trait PipelineClock: Send + Sync + std::fmt::Debug {
    /// The running time now.
    fn running_time(&self) -> ClockTime;
}

/// How an element that builds elements inside itself (`decodebin`) creates them, so they
/// are treated as the pipeline's own elements are: the engine installs one that puts a
/// child whose hints (or the user's `--isolate` patterns) ask for it in a sandboxed worker
/// process. Elements do not depend on the sandbox; they only ask their context.
pub trait ChildFactory: Send + Sync + std::fmt::Debug {
    /// A new element of `factory`, named `name` in messages, and a message to post on the
    /// parent's behalf when it was created differently (e.g. `isolated`).
    fn create(&self, factory: &ElementFactory, name: &str) -> (AnyElement, Option<Structure>);
}

/// New caps an element announced for one of its src pads, mid-stream (in-band, like a
/// GStreamer CAPS event): they apply to the buffers pushed on that pad after it.
#[derive(Debug, Clone, PartialEq)]
pub struct CapsChange {
    /// How many outputs of the same call were pushed before the change.
    pub position: usize,
    /// The src pad.
    pub pad: usize,
    /// The new caps (fixed).
    pub caps: Caps,
}

/// Per-element scratch space the engine keeps alive between calls.
#[derive(Debug)]
pub struct ContextState {
    outputs: Vec<(usize, Buffer)>,
    caps_changes: Vec<CapsChange>,
    clock: Option<Arc<dyn PipelineClock>>,
    children: Option<Arc<dyn ChildFactory>>,
    error: Option<ElementError>,
    notices: Vec<Notice>,
    allocator: BufferAllocator,
}

impl ContextState {
    /// State for the element named `name` (used to name its memory arenas).
    pub fn new(name: &str) -> Self {
        ContextState {
            outputs: Vec::with_capacity(8),
            caps_changes: Vec::new(),
            clock: None,
            children: None,
            error: None,
            notices: Vec::new(),
            allocator: BufferAllocator::new(name, DEFAULT_SLOTS_PER_CLASS),
        }
    }

    /// State whose allocations come from `allocator` (a sandboxed worker's shared slots).
    pub fn with_allocator(allocator: BufferAllocator) -> Self {
        ContextState {
            outputs: Vec::with_capacity(8),
            caps_changes: Vec::new(),
            clock: None,
            children: None,
            error: None,
            notices: Vec::new(),
            allocator,
        }
    }

    /// Takes the buffers pushed during the last call, as `(src pad, buffer)`; give the
    /// vector back with [`ContextState::restore_outputs`] to keep its capacity.
    pub fn take_outputs(&mut self) -> Vec<(usize, Buffer)> {
        std::mem::take(&mut self.outputs)
    }

    /// Returns an emptied output vector taken with [`ContextState::take_outputs`].
    pub fn restore_outputs(&mut self, mut outputs: Vec<(usize, Buffer)>) {
        outputs.clear();
        if outputs.capacity() >= self.outputs.capacity() {
            self.outputs = outputs;
        }
    }

    /// Gives the element's contexts the pipeline clock.
    pub fn set_clock(&mut self, clock: Arc<dyn PipelineClock>) {
        self.clock = Some(clock);
    }

    /// Gives the element's contexts the engine's way of creating child elements.
    pub fn set_child_factory(&mut self, children: Arc<dyn ChildFactory>) {
        self.children = Some(children);
    }

    /// Whether the last call announced new src caps.
    pub fn has_caps_changes(&self) -> bool {
        !self.caps_changes.is_empty()
    }

    /// The src caps changes announced during the last call, in order.
    pub fn take_caps_changes(&mut self) -> Vec<CapsChange> {
        std::mem::take(&mut self.caps_changes)
    }

    /// The error recorded by the last failing call.
    pub fn take_error(&mut self) -> Option<ElementError> {
        self.error.take()
    }

    /// Whether messages or warnings are waiting.
    pub fn has_notices(&self) -> bool {
        !self.notices.is_empty()
    }

    /// Messages and warnings posted since the last call.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Records `error` as the detail of a failure (for engine code that fails on the
    /// element's behalf, e.g. an async call's error value).
    pub fn record_error(&mut self, error: ElementError) {
        self.error = Some(error);
    }

    /// Records `error` and returns [`FlowError::Error`].
    pub fn fail(&mut self, error: ElementError) -> FlowError {
        self.error = Some(error);
        FlowError::Error
    }

    /// The element's allocator (its arenas).
    pub fn allocator(&self) -> &BufferAllocator {
        &self.allocator
    }
}

/// What a transform or sink uses to push outputs and report problems.
pub struct ProcessContext<'a> {
    state: &'a mut ContextState,
    cancel: &'a AtomicBool,
}

impl<'a> ProcessContext<'a> {
    /// A context over `state`; `cancel` is raised when the pipeline stops or flushes.
    pub fn new(state: &'a mut ContextState, cancel: &'a AtomicBool) -> Self {
        ProcessContext { state, cancel }
    }

    /// Pushes a buffer out of src pad 0.
    pub fn push(&mut self, buffer: Buffer) {
        self.state.outputs.push((0, buffer));
    }

    /// Pushes a buffer out of src pad `pad`.
    pub fn push_to(&mut self, pad: usize, buffer: Buffer) {
        self.state.outputs.push((pad, buffer));
    }

    /// Announces new caps on src pad `pad`, mid-stream: they reach downstream in order,
    /// before the next buffer pushed on that pad, and downstream elements renegotiate
    /// (their `transform_caps`, `fixate_caps` and `set_caps` are called again). This is
    /// how a decoder tells the size it found in the stream, or a source a format change.
    /// `caps` must be fixed; a downstream element that cannot take them fails the
    /// pipeline with a not-negotiated error naming it.
    pub fn set_src_caps(&mut self, pad: usize, caps: Caps) {
        let position = self.state.outputs.len();
        self.state.caps_changes.push(CapsChange {
            position,
            pad,
            caps,
        });
    }

    /// A writable buffer of `len` bytes from the element's own arenas, waiting while they
    /// are exhausted (backpressure).
    ///
    /// # Errors
    ///
    /// [`FlowError::Flushing`] when the pipeline stops while waiting; [`FlowError::Error`]
    /// (with the reason recorded) when memory cannot be had.
    pub fn allocate(&mut self, len: usize) -> Result<BufferMut, FlowError> {
        // The outputs pushed so far in this call may be what holds the slots.
        let pending = self.state.outputs.len();
        match self
            .state
            .allocator
            .allocate_holding(len, self.cancel, pending)
        {
            Ok(Some(buffer)) => Ok(buffer),
            Ok(None) => Err(FlowError::Flushing),
            Err(err) => Err(self.error(ElementError::resource(format!(
                "could not allocate a {len}-byte buffer: {err}"
            )))),
        }
    }

    /// Records `error` and returns [`FlowError::Error`] for the caller to return.
    pub fn error(&mut self, error: ElementError) -> FlowError {
        self.state.error = Some(error);
        FlowError::Error
    }

    /// Posts an element message on the bus.
    pub fn post_message(&mut self, message: Structure) {
        self.state.notices.push(Notice::Message(message));
    }

    /// Posts a warning on the bus.
    pub fn warning(&mut self, text: impl Into<String>) {
        self.state.notices.push(Notice::Warning(text.into()));
    }

    /// The pipeline clock (none outside a running pipeline, e.g. in unit tests).
    pub fn clock(&self) -> Option<&Arc<dyn PipelineClock>> {
        self.state.clock.as_ref()
    }

    /// The pipeline's running time now, if there is a pipeline clock.
    pub fn running_time(&self) -> Option<ClockTime> {
        self.state.clock.as_ref().map(|c| c.running_time())
    }

    /// A new element of `factory` to run inside this one (`name` names it in messages),
    /// created the way the pipeline creates its own: isolated in a worker process when
    /// the engine says so. Without a pipeline (unit tests), `factory.create()`.
    pub fn create_child(&mut self, factory: &ElementFactory, name: &str) -> AnyElement {
        let Some(children) = self.state.children.clone() else {
            return factory.create();
        };
        let (element, note) = children.create(factory, name);
        if let Some(note) = note {
            self.post_message(note);
        }
        element
    }

    /// Whether the pipeline is stopping or flushing; long loops should check it.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// What a source returns from [`crate::Source::produce`].
#[derive(Debug)]
pub enum ProduceResult {
    /// The slot from [`ProduceContext::buffer`] holds this many bytes.
    Produced(usize),
    /// The source made its own buffer instead of using the slot.
    OwnBuffer(Buffer),
    /// The stream has ended.
    Eos,
    /// Nothing is ready yet; ask again later.
    WouldBlock,
}

/// What a source uses to get its output slot and report problems.
pub struct ProduceContext<'a> {
    inner: ProcessContext<'a>,
    pool: SlotPool<'a>,
    slot: &'a mut Option<BufferMut>,
}

/// Where a source's slots come from.
enum SlotPool<'a> {
    /// The engine's pool for the source.
    Arena(&'a CpuArena),
    /// The context state's allocator, in slots of this many bytes (a sandboxed worker,
    /// whose allocator hands out slots the host lent it).
    Allocator(usize),
}

impl<'a> ProduceContext<'a> {
    /// A context handing out slots of `pool`; a slot taken but not produced stays in
    /// `slot` for the next call.
    pub fn new(
        state: &'a mut ContextState,
        cancel: &'a AtomicBool,
        pool: &'a CpuArena,
        slot: &'a mut Option<BufferMut>,
    ) -> Self {
        ProduceContext {
            inner: ProcessContext::new(state, cancel),
            pool: SlotPool::Arena(pool),
            slot,
        }
    }

    /// A context handing out `slot_size`-byte slots from `state`'s allocator instead of
    /// a pool (a source in a sandboxed worker, whose allocator holds the slots the host
    /// lent it); a slot taken but not produced stays in `slot` for the next call.
    pub fn with_allocator(
        state: &'a mut ContextState,
        cancel: &'a AtomicBool,
        slot_size: usize,
        slot: &'a mut Option<BufferMut>,
    ) -> Self {
        ProduceContext {
            inner: ProcessContext::new(state, cancel),
            pool: SlotPool::Allocator(slot_size),
            slot,
        }
    }

    /// The pre-allocated output slot (the full slot is writable), waiting while the pool
    /// is exhausted: downstream still holds every buffer, which is backpressure.
    ///
    /// # Errors
    ///
    /// [`FlowError::Flushing`] when the pipeline stops while waiting.
    pub fn buffer(&mut self) -> Result<&mut BufferMut, FlowError> {
        if self.slot.is_none() {
            *self.slot = Some(match self.pool {
                SlotPool::Arena(pool) => {
                    pool.acquire(self.inner.cancel).ok_or(FlowError::Flushing)?
                }
                SlotPool::Allocator(size) => self.inner.allocate(size)?,
            });
        }
        self.slot.as_mut().ok_or(FlowError::Flushing)
    }

    /// Size of the slots [`ProduceContext::buffer`] hands out.
    pub fn slot_size(&self) -> usize {
        match self.pool {
            SlotPool::Arena(pool) => pool.slot_size(),
            SlotPool::Allocator(size) => size,
        }
    }

    /// The general context (allocation, errors, messages).
    pub fn process(&mut self) -> &mut ProcessContext<'a> {
        &mut self.inner
    }

    /// Records `error` and returns [`FlowError::Error`].
    pub fn error(&mut self, error: ElementError) -> FlowError {
        self.inner.error(error)
    }

    /// Whether the pipeline is stopping.
    pub fn is_cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
}
