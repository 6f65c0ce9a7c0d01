//! One element driven by host requests inside the worker.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use parallax_core::memory::{BufferAllocator, SlotSource};
use parallax_core::{
    AnyElement, Buffer, BufferMeta, BufferMut, Caps, ContextState, ElementError, ElementFactory,
    ErrorKind, FlowError, Notice, ProcessContext, ProduceContext, ProduceResult, Registry,
    Structure,
};

use super::link::{Link, LinkSource};
use crate::error::SandboxError;
use crate::protocol::{
    CapsOut, Flow, FromWorker, Lease, Output, OutputData, Setup, ToWorker, WorkerError,
};

pub(super) struct Session {
    factory: ElementFactory,
    element: AnyElement,
    state: ContextState,
    link: Arc<Mutex<Link>>,
    cancel: AtomicBool,
    /// A source's output slot taken but not produced, kept for its next call (as the
    /// engine keeps it in-process).
    slot: Option<BufferMut>,
}

fn parse_caps(list: &[String]) -> Result<Vec<Caps>, String> {
    list.iter()
        .map(|c| {
            c.parse::<Caps>()
                .map_err(|e| format!("bad caps {c:?}: {e}"))
        })
        .collect()
}

impl Session {
    pub(super) fn new(
        registry: &Registry,
        setup: &Setup,
        link: Arc<Mutex<Link>>,
    ) -> Result<Self, String> {
        let factory = registry
            .get(&setup.factory)
            .ok_or_else(|| format!("no element {:?} in the worker", setup.factory))?
            .clone();
        let mut element = factory.create();
        if !matches!(
            element,
            AnyElement::Source(_) | AnyElement::Transform(_) | AnyElement::Sink(_)
        ) {
            return Err(format!("a {} cannot run isolated", element.kind_name()));
        }
        for (name, value) in &setup.properties {
            factory
                .set_property_from_str(&mut element, name, value)
                .map_err(|e| e.to_string())?;
        }
        element
            .base_mut()
            .configure_pads(&setup.sink_pads, &setup.src_pads)
            .map_err(|e| e.to_string())?;
        let sink = parse_caps(&setup.sink_caps)?;
        let src = parse_caps(&setup.src_caps)?;
        if !sink.is_empty() || !src.is_empty() {
            element
                .base_mut()
                .set_caps(&sink, &src)
                .map_err(|e| e.to_string())?;
        }
        let allocator = BufferAllocator::with_source(
            setup.name.clone(),
            Box::new(LinkSource(Arc::clone(&link))),
        );
        Ok(Session {
            factory,
            element,
            state: ContextState::with_allocator(allocator),
            link,
            cancel: AtomicBool::new(false),
            slot: None,
        })
    }

    fn link(&self) -> std::sync::MutexGuard<'_, Link> {
        self.link.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn serve(mut self) -> Result<(), SandboxError> {
        loop {
            let message = self.link().receive()?;
            let reply = match message {
                ToWorker::Start { maps } => {
                    self.link().apply_maps(&maps)?;
                    let result = self.element.base_mut().start();
                    let result = result.map_err(|e| self.state.fail(e));
                    self.finish(result, false)
                }
                ToWorker::Process {
                    pad,
                    input,
                    grants,
                    maps,
                    extra,
                } => {
                    {
                        let mut link = self.link();
                        link.apply_maps(&maps)?;
                        link.add_grants(&grants)?;
                    }
                    let mut buffer = self.lease(input)?;
                    buffer.meta_mut().extra =
                        crate::extra_meta::decode(extra).map_err(SandboxError::Protocol)?;
                    let result = self.process(pad as usize, buffer);
                    self.finish(result, false)
                }
                ToWorker::Eos {
                    pad,
                    all_eos,
                    grants,
                    maps,
                } => {
                    {
                        let mut link = self.link();
                        link.apply_maps(&maps)?;
                        link.add_grants(&grants)?;
                    }
                    let mut ctx = ProcessContext::new(&mut self.state, &self.cancel);
                    let result = match &mut self.element {
                        AnyElement::Transform(t) => t.sink_eos(pad as usize, all_eos, &mut ctx),
                        AnyElement::Sink(s) => s.eos(&mut ctx).map(|()| true),
                        _ => Ok(true),
                    };
                    match result {
                        Ok(forward) => self.finish(Ok(()), forward),
                        Err(e) => self.finish(Err(e), false),
                    }
                }
                ToWorker::Produce { grants, maps } => {
                    {
                        let mut link = self.link();
                        link.apply_maps(&maps)?;
                        link.add_grants(&grants)?;
                    }
                    let result = self.produce();
                    self.finish(result, false)
                }
                ToWorker::Grants { grants, maps } => {
                    let mut link = self.link();
                    link.apply_maps(&maps)?;
                    link.add_grants(&grants)?;
                    continue;
                }
                ToWorker::Flush => {
                    self.element.base_mut().flush();
                    self.finish(Ok(()), false)
                }
                ToWorker::SetProperty { name, value } => {
                    let result = self
                        .factory
                        .set_property_from_str(&mut self.element, &name, &value)
                        .map(|_| ())
                        .map_err(|e| self.state.fail(ElementError::settings(e.to_string())));
                    self.finish(result, false)
                }
                ToWorker::SetCaps { sink, src } => {
                    let result = match (parse_caps(&sink), parse_caps(&src)) {
                        (Ok(sink), Ok(src)) => self.element.base_mut().set_caps(&sink, &src),
                        (Err(e), _) | (_, Err(e)) => Err(ElementError::settings(e)),
                    };
                    let result = result.map_err(|e| self.state.fail(e));
                    self.finish(result, false)
                }
                ToWorker::Stop => {
                    let result = self.element.base_mut().stop();
                    let result = result.map_err(|e| self.state.fail(e));
                    let reply = self.finish(result, false);
                    // Everything the element holds goes back before the reply: in a group
                    // the process lives on, and the host recovers this element's leases
                    // and slots as soon as the reply comes.
                    let link = Arc::clone(&self.link);
                    drop(self);
                    let mut link = link.lock().unwrap_or_else(|p| p.into_inner());
                    link.release_stock();
                    link.send(&reply)?;
                    return Ok(());
                }
            };
            self.link().send(&reply)?;
        }
    }

    fn lease(&self, input: Lease) -> Result<Buffer, SandboxError> {
        let link = self.link();
        let bad = || SandboxError::Protocol("a lease the worker cannot map".into());
        let table = link.table.as_ref().ok_or_else(bad)?;
        let data = link.data.get(&input.map).ok_or_else(bad)?;
        let offset = usize::try_from(input.offset).map_err(|_| bad())?;
        let len = usize::try_from(input.len).map_err(|_| bad())?;
        let memory = table
            .take_lease(input.lease, data, offset, len)
            .ok_or_else(bad)?;
        Buffer::from_memory(memory, 0, len, input.meta.to_meta()).ok_or_else(bad)
    }

    fn process(&mut self, pad: usize, buffer: Buffer) -> Result<(), FlowError> {
        let mut ctx = ProcessContext::new(&mut self.state, &self.cancel);
        match &mut self.element {
            AnyElement::Transform(t) => t.process(pad, buffer, &mut ctx),
            AnyElement::Sink(s) => s.consume(buffer, &mut ctx),
            _ => Err(FlowError::NotLinked),
        }
    }

    /// Asks the source for one buffer and pushes it as the call's only output (none when
    /// the source would block).
    fn produce(&mut self) -> Result<(), FlowError> {
        let AnyElement::Source(source) = &mut self.element else {
            return Err(FlowError::NotLinked);
        };
        // As `buffer_size` is asked in-process: after `set_caps`, and again after a caps
        // change (a kept slot of the old size is dropped then).
        let size = source.buffer_size();
        if let Some(slot) = self.slot.as_mut() {
            if slot.capacity() < size {
                self.slot = None;
            } else {
                // A slot kept from an earlier call may carry stale metadata.
                *slot.meta_mut() = BufferMeta::default();
                slot.set_len(size);
            }
        }
        let result = {
            let mut ctx =
                ProduceContext::with_allocator(&mut self.state, &self.cancel, size, &mut self.slot);
            source.produce(&mut ctx)?
        };
        let buffer = match result {
            ProduceResult::Produced(n) => {
                let Some(mut buffer) = self.slot.take() else {
                    return Err(self.state.fail(ElementError::new(
                        ErrorKind::Core,
                        "reported produced bytes without taking the output buffer",
                    )));
                };
                buffer.set_len(n);
                buffer.freeze()
            }
            ProduceResult::OwnBuffer(buffer) => buffer,
            ProduceResult::Eos => return Err(FlowError::Eos),
            ProduceResult::WouldBlock => return Ok(()),
        };
        ProcessContext::new(&mut self.state, &self.cancel).push(buffer);
        Ok(())
    }

    /// Copies every pushed buffer whose memory the worker made itself (an element's own
    /// `CpuArena`, such as qtdemux's input spool) into one slot the host lends, each at a
    /// 64-byte boundary, keeping its metadata: the host never maps memory a worker
    /// created, so such memory cannot cross any other way. One slot per call, not one per
    /// buffer: a demuxer may push thousands of samples in one call (qtdemux when `moov`
    /// comes after the media data), more than the host would lend slots while they are
    /// all still held here. Elements that allocate through their context pay nothing.
    fn copy_private_outputs(&mut self, pushed: &mut [(usize, Buffer)]) -> Result<(), String> {
        if pushed.is_empty() {
            return Ok(());
        }
        let mut private = Vec::new();
        let mut total = 0usize;
        {
            let link = self.link();
            for (i, (_, buffer)) in pushed.iter().enumerate() {
                if !host_visible(&link, buffer.memory()) {
                    total = total
                        .checked_add(buffer.len().next_multiple_of(64))
                        .ok_or_else(|| String::from("outputs too large to copy"))?;
                    private.push(i);
                }
            }
        }
        if total == 0 {
            return Ok(());
        }
        let mut source = LinkSource(Arc::clone(&self.link));
        let mut copy = source
            .allocate(total, &self.cancel)
            .map_err(|e| format!("no slot to copy outputs into: {e}"))?
            .ok_or_else(|| String::from("stopped while copying outputs"))?;
        let mut places = Vec::with_capacity(private.len());
        let mut at = 0;
        let data = copy.data_mut();
        for i in private {
            let buffer = &pushed[i].1;
            data[at..at + buffer.len()].copy_from_slice(buffer.data());
            places.push((i, at));
            at += buffer.len().next_multiple_of(64);
        }
        let copy = copy.freeze();
        for (i, at) in places {
            let buffer = &mut pushed[i].1;
            let mut moved = copy
                .slice(at..at + buffer.len())
                .ok_or_else(|| String::from("copied output out of its slot"))?;
            *moved.meta_mut() = buffer.meta().clone();
            *buffer = moved;
        }
        Ok(())
    }

    /// Turns the outcome of a call and whatever the element pushed into a reply.
    fn finish(&mut self, result: Result<(), FlowError>, forward_eos: bool) -> FromWorker {
        let mut outputs = Vec::new();
        let mut extra = Vec::new();
        let mut extra_bytes = 0usize;
        let mut pushed = self.state.take_outputs();
        let mut failure = self.copy_private_outputs(&mut pushed).err();
        {
            let link = self.link();
            let table_id = link.table.as_ref().map(|t| t.id());
            for (pad, buffer) in &pushed {
                // Before the slot is transferred: a refused buffer must not take a
                // reference the host will never adopt.
                let entries = match crate::extra_meta::encode(buffer.meta().extra.as_deref()) {
                    Ok(entries) => entries,
                    Err(text) => {
                        failure.get_or_insert(text);
                        continue;
                    }
                };
                extra_bytes += crate::extra_meta::check(&entries).unwrap_or(0);
                if extra_bytes > crate::extra_meta::MAX_MESSAGE_BYTES {
                    failure.get_or_insert_with(|| {
                        format!(
                            "more than {} bytes of extra metadata in one call",
                            crate::extra_meta::MAX_MESSAGE_BYTES
                        )
                    });
                    continue;
                }
                let memory = buffer.memory();
                let visible = memory.is_cross_process();
                let data = if visible && Some(memory.arena_id()) == table_id {
                    OutputData::Lease(memory.slot())
                } else if let Some(peer) = link.outputs.get(&memory.arena_id()).filter(|_| visible)
                {
                    match peer.transfer(memory.clone()) {
                        Ok(slot) => OutputData::Slot(crate::protocol::Grant {
                            arena: memory.arena_id(),
                            slot,
                        }),
                        Err(_) => continue,
                    }
                } else {
                    // Not `host_visible`: `copy_private_outputs` moved every such buffer
                    // into a lent slot unless it failed (then `failure` says why).
                    failure.get_or_insert_with(|| {
                        "the element pushed memory the host cannot see".into()
                    });
                    continue;
                };
                if !entries.is_empty() {
                    extra.push(crate::extra_meta::ForOutput {
                        output: outputs.len() as u32,
                        entries,
                    });
                }
                outputs.push(Output {
                    pad: *pad as u32,
                    data,
                    offset: buffer.offset() as u64,
                    len: buffer.len() as u64,
                    meta: crate::protocol::Meta::from_meta(buffer.meta()),
                });
            }
        }
        self.state.restore_outputs(pushed);
        let caps = self
            .state
            .take_caps_changes()
            .into_iter()
            .map(|c| CapsOut {
                position: u32::try_from(c.position).unwrap_or(u32::MAX),
                pad: u32::try_from(c.pad).unwrap_or(u32::MAX),
                caps: c.caps.to_string(),
            })
            .collect();
        let mut warnings = Vec::new();
        let mut messages = Vec::new();
        for notice in self.state.take_notices() {
            match notice {
                Notice::Warning(text) => warnings.push(text),
                Notice::Message(structure) => {
                    let carrier = structure.fields().fold(
                        Structure::new(crate::protocol::MESSAGE_CARRIER),
                        |carrier, (field, value)| carrier.with(field, value.clone()),
                    );
                    messages.push(crate::protocol::ElementMessage {
                        name: structure.name().to_owned(),
                        fields: carrier.to_string(),
                    });
                }
            }
        }
        let (flow, error) = match (result, failure) {
            (Ok(()), None) => (Flow::Ok, None),
            (Ok(()), Some(message)) => (
                Flow::Error,
                Some(WorkerError {
                    kind: error_kind_code(ErrorKind::Core),
                    message,
                    debug: None,
                }),
            ),
            (Err(FlowError::Eos), _) => (Flow::Eos, None),
            (Err(FlowError::Flushing), _) => (Flow::Flushing, None),
            (Err(FlowError::NotNegotiated), _) => (Flow::NotNegotiated, None),
            (Err(_), _) => {
                let error = self
                    .state
                    .take_error()
                    .unwrap_or_else(|| ElementError::new(ErrorKind::Core, "element failed"));
                (
                    Flow::Error,
                    Some(WorkerError {
                        kind: error_kind_code(error.kind),
                        message: error.message,
                        debug: error.debug,
                    }),
                )
            }
        };
        FromWorker::Done {
            flow,
            outputs,
            caps,
            warnings,
            messages,
            error,
            forward_eos,
            extra,
        }
    }
}

/// Whether `memory` is host memory the worker was given (a lease or a lent slot). Arena
/// ids are per process, so an arena the element made in the worker may carry the same id
/// as one of the host's: only shared memory counts.
fn host_visible(link: &Link, memory: &parallax_core::memory::Memory) -> bool {
    let id = memory.arena_id();
    memory.is_cross_process()
        && (link.table.as_ref().map(|t| t.id()) == Some(id) || link.outputs.contains_key(&id))
}

/// `ErrorKind` as carried in [`WorkerError::kind`].
pub(crate) fn error_kind_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Resource => 1,
        ErrorKind::Stream => 2,
        ErrorKind::Settings => 3,
        ErrorKind::Panic => 4,
        _ => 0,
    }
}

/// The inverse of [`error_kind_code`]; unknown codes are `Core`.
pub(crate) fn error_kind(code: u8) -> ErrorKind {
    match code {
        1 => ErrorKind::Resource,
        2 => ErrorKind::Stream,
        3 => ErrorKind::Settings,
        4 => ErrorKind::Panic,
        _ => ErrorKind::Core,
    }
}

/// The error a worker reported for a failed call, as the element's own error; `fallback`
/// when the worker gave none.
pub(crate) fn element_error(error: Option<WorkerError>, fallback: &str) -> ElementError {
    error.map_or_else(
        || ElementError::new(ErrorKind::Core, fallback),
        |e| ElementError {
            kind: error_kind(e.kind),
            message: e.message,
            debug: e.debug,
        },
    )
}
