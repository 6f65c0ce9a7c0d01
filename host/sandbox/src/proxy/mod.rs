//! `SandboxProxy`: the element the executor sees in place of an isolated one.
//!
//! Negotiation and properties are answered by a *shadow* instance of the real element
//! that lives in the host and is never started: `transform_caps`, `fixate_caps` and
//! property validation are plain Rust over caps and values, and keeping them local spares
//! a round trip per negotiation step. Everything from `start()` on (where native code
//! first runs and data first flows) happens in the worker.
//!
//! Supervision: when the worker dies the proxy posts a warning and an element message
//! (`sandbox-crash`: element, cause, signal, syscall, action) on the bus, frees every
//! lease and slot the worker held, and either starts a new worker for the next buffer or,
//! once the restart policy is used up, fails the element.

mod handle;
mod probe;

use std::sync::Arc;

use parallax_core::{
    AnyElement, Buffer, Caps, ElementError, ElementFactory, ErrorKind, FlowError, PadDirection,
    ProcessContext, ProduceContext, ProduceResult, PropertyError, QueueLimits, Sink, Source,
    Structure, Transform, Value,
};

use crate::group::WorkerGroup;
use crate::isolate::SandboxConfig;
use crate::protocol::{Flow, FromWorker, Maps, OutputData, Protections, Setup, ToWorker};
use crate::worker::element_error;
pub(crate) use handle::CallError;
use handle::WorkerHandle;
pub use probe::probe;

/// An element whose real instance runs in a sandboxed worker process.
pub struct SandboxProxy {
    factory: ElementFactory,
    name: String,
    shadow: AnyElement,
    config: Arc<SandboxConfig>,
    group: Arc<WorkerGroup>,
    member: u32,
    /// A death noticed where no context was at hand (a caps change): reported at the
    /// next call.
    pending: Option<CallError>,
    /// The process a failed join tried (for `handle_failure`).
    failed_join: Option<Arc<crate::group::WorkerProcess>>,
    properties: Vec<(String, String)>,
    pads: (Vec<String>, Vec<String>),
    caps: (Vec<String>, Vec<String>),
    worker: Option<WorkerHandle>,
    started: bool,
    restarts: u32,
}

impl std::fmt::Debug for SandboxProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxProxy")
            .field("factory", &self.factory.info().name)
            .field("running", &self.worker.is_some())
            .field("restarts", &self.restarts)
            .finish_non_exhaustive()
    }
}

impl SandboxProxy {
    /// A proxy for a new element of `factory`, named `name` in messages, in a worker
    /// process of its own.
    pub fn new(
        factory: ElementFactory,
        name: impl Into<String>,
        config: Arc<SandboxConfig>,
    ) -> Self {
        let name = name.into();
        let group = WorkerGroup::solo(name.clone(), config);
        Self::in_group(factory, name, group)
    }

    /// A proxy for a new element of `factory` that runs in `group`'s worker process,
    /// with the group's other elements.
    pub fn in_group(
        factory: ElementFactory,
        name: impl Into<String>,
        group: Arc<WorkerGroup>,
    ) -> Self {
        let name = name.into();
        let shadow = factory.create();
        let member = group.register(&name, factory.info().hints.uses_native_code);
        SandboxProxy {
            factory,
            name,
            shadow,
            config: Arc::clone(group.config()),
            group,
            member,
            pending: None,
            failed_join: None,
            properties: Vec::new(),
            pads: (Vec::new(), Vec::new()),
            caps: (Vec::new(), Vec::new()),
            worker: None,
            started: false,
            restarts: 0,
        }
    }

    /// The proxy as an element of the kind it stands for: a source, a sink or a
    /// transform. (Async elements cannot run in a worker: see
    /// [`crate::isolate::why_in_process`]; they would come out as transforms.)
    pub fn into_element(self) -> AnyElement {
        match &self.shadow {
            AnyElement::Source(_) => AnyElement::Source(Box::new(self)),
            AnyElement::Sink(_) => AnyElement::Sink(Box::new(self)),
            _ => AnyElement::Transform(Box::new(self)),
        }
    }

    /// What the running worker reported about its protections (`None` when not running).
    pub fn protections(&self) -> Option<&Protections> {
        self.worker.as_ref().map(|w| &w.protections)
    }

    /// Workers started after the first one (restarts after deaths).
    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    /// The pid of the worker process this element runs in (`None` when not running).
    pub fn worker_pid(&self) -> Option<u32> {
        self.worker
            .as_ref()
            .filter(|w| !w.process().has_ended())
            .map(|w| w.process().pid)
    }

    /// The group whose worker process this element runs in.
    pub fn group(&self) -> &Arc<WorkerGroup> {
        &self.group
    }

    /// Input buffers the worker holds right now (for leak checks).
    pub fn held_inputs(&self) -> usize {
        self.worker.as_ref().map_or(0, WorkerHandle::held_inputs)
    }

    /// Output slots of the running worker still held downstream (for leak checks: once
    /// every output is dropped this is 0, also after a crash freed what the dead worker
    /// held).
    pub fn adopted_outputs(&self) -> usize {
        self.worker
            .as_ref()
            .map_or(0, WorkerHandle::adopted_outputs)
    }

    fn setup(&self, files: Vec<crate::protocol::FileGrant>) -> Setup {
        Setup {
            member: self.member,
            factory: self.factory.info().name.clone(),
            name: self.name.clone(),
            properties: self.properties.clone(),
            sink_pads: self.pads.0.clone(),
            src_pads: self.pads.1.clone(),
            sink_caps: self.caps.0.clone(),
            src_caps: self.caps.1.clone(),
            files,
        }
    }

    /// Joins the group's worker process (starting it when none runs; `fresh`: the
    /// pipeline starts, so restart counts begin again).
    fn spawn(&mut self, fresh: bool) -> Result<(), CallError> {
        // Opened again for every worker (a restart is not `fresh`: see `files.rs`); the
        // host's copies close once sent.
        let files = crate::files::open_declared(&self.shadow, !fresh).map_err(CallError::Failed)?;
        let setup = self.setup(files.iter().map(|(grant, _)| grant.clone()).collect());
        let config = Arc::clone(&self.config);
        self.failed_join = None;
        let mut tried = None;
        let worker = self
            .group
            .join(fresh, |process| {
                tried = Some(Arc::clone(&process));
                WorkerHandle::start(process, &config, &setup, &files)
            })
            .inspect_err(|_| self.failed_join = tried)?;
        // The element's own start failed (a file it may not open, say): its error, as
        // in-process. Dropping the handle stops the element in the worker.
        let worker = match worker {
            (worker, Ok(())) => worker,
            (_, Err(error)) => return Err(CallError::Failed(crate::SandboxError::Start(error))),
        };
        if let Some(warning) = &worker.protections.namespace_warning {
            tracing_warning(&self.name, warning);
        }
        self.worker = Some(worker);
        Ok(())
    }

    /// Reports a death and decides: `Ok` to carry on with a new worker for the next
    /// buffer, `Err` when the element has failed. In a group, the first element to see a
    /// death reports it for every element of the group; the others only rejoin.
    fn handle_failure(
        &mut self,
        failure: CallError,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        if let CallError::Failed(crate::SandboxError::GroupFailed(why)) = &failure {
            // Another element of the group already reported the death that used up the
            // restart policy; this one only fails.
            return Err(ctx.error(ElementError::new(
                ErrorKind::Core,
                format!(
                    "sandboxed worker group {} failed: {why}",
                    self.group.label()
                ),
            )));
        }
        // The process that failed: this element's, or the one it was joining (which
        // another element of the group may be running in, and must report only once).
        let process = match self.worker.take() {
            Some(mut worker) => {
                worker.kill();
                worker.recover();
                Some(Arc::clone(worker.process()))
            }
            None => self.failed_join.take().inspect(|process| process.kill()),
        };
        let (description, death) = match &failure {
            CallError::Died(death) => (death.to_string(), Some(death)),
            CallError::Failed(error) => (error.to_string(), None),
        };
        let verdict = self.group.on_death(process.as_deref(), &description);
        let action = if verdict.restart { "restart" } else { "fail" };
        if verdict.report {
            for member in &verdict.members {
                let mut message = Structure::new("sandbox-crash")
                    .with("element", member.as_str())
                    .with("cause", description.as_str())
                    .with("action", action)
                    .with("restarts", i64::from(verdict.restarts));
                if let Some(death) = death {
                    if let Some(signal) = death.signal() {
                        message.set("signal", i64::from(signal));
                        message.set("signal-name", death.signal_name().unwrap_or("signal"));
                    }
                    if let Some(name) = death.syscall_name() {
                        message.set("syscall", name.as_str());
                    }
                }
                if self.group.is_shared() {
                    message.set("group", self.group.label());
                    if let Some(pid) = process.as_ref().map(|p| p.pid) {
                        message.set("worker-pid", i64::from(pid));
                    }
                    if let Some(culprit) = &verdict.culprit {
                        message.set("culprit", culprit.as_str());
                    }
                }
                ctx.post_message(message);
            }
            let whom = match (&verdict.culprit, self.group.is_shared()) {
                (Some(culprit), true) => format!(
                    " (in {culprit}; group {} of {})",
                    self.group.label(),
                    verdict.members.join(", ")
                ),
                (None, true) => format!(
                    " (group {} of {})",
                    self.group.label(),
                    verdict.members.join(", ")
                ),
                _ => String::new(),
            };
            ctx.warning(format!(
                "sandboxed worker {description}{whom}; action: {action}"
            ));
        }
        self.restarts = self.group.restarts();
        if verdict.restart {
            Ok(())
        } else {
            Err(ctx.error(
                ElementError::new(ErrorKind::Core, format!("sandboxed worker {description}"))
                    .with_debug(format!(
                        "restart policy allows {} restarts",
                        self.config.restart.max_restarts
                    )),
            ))
        }
    }

    fn ensure_worker(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        if let Some(failure) = self.pending.take() {
            self.handle_failure(failure, ctx)?;
        }
        // Another element of the group saw the process die (and reported it): rejoin.
        // (Only the flag: `has_ended` asks the kernel, a system call per buffer.)
        if self
            .worker
            .as_ref()
            .is_some_and(|w| w.process().seen_dead())
            && let Some(death) = self.worker.as_ref().map(|w| w.process().death())
        {
            self.handle_failure(CallError::Died(death), ctx)?;
        }
        if self.worker.is_some() {
            return Ok(());
        }
        match self.spawn(false) {
            Ok(()) => Ok(()),
            // Not a death: the element's file cannot be opened again, or its start
            // failed in the new worker. Its own error, as in-process.
            Err(CallError::Failed(crate::SandboxError::Start(error))) => Err(ctx.error(error)),
            Err(CallError::Failed(error @ crate::SandboxError::File { .. })) => {
                Err(ctx.error(ElementError::resource(error.to_string())))
            }
            Err(failure) => {
                self.handle_failure(failure, ctx)?;
                // Try again right away. A process that died while this element joined it
                // (another member of the group crashed again) is one more death, which
                // `handle_failure` counts against the restart policy and ends when it is
                // used up; a worker that cannot start at all fails the element.
                loop {
                    match self.spawn(false) {
                        Ok(()) => return Ok(()),
                        Err(CallError::Died(death)) => {
                            self.handle_failure(CallError::Died(death), ctx)?;
                        }
                        Err(CallError::Failed(e)) => {
                            return Err(ctx.error(ElementError::new(
                                ErrorKind::Core,
                                format!("cannot restart the sandboxed worker: {e}"),
                            )));
                        }
                    }
                }
            }
        }
    }

    /// Sends `first` and serves slot requests until the worker answers `Done`. Outputs
    /// are pushed on `ctx`, or gathered in `collect` when given (a source's buffer, which
    /// the engine takes as `produce`'s result rather than from the context).
    fn exchange(
        &mut self,
        first: ToWorker,
        ctx: &mut ProcessContext<'_>,
        mut collect: Option<&mut Vec<Buffer>>,
    ) -> Result<bool, FlowError> {
        let Some(worker) = self.worker.as_mut() else {
            return Err(FlowError::Flushing);
        };
        let mut reply = worker.call(&first);
        loop {
            let answer = match reply {
                Ok(answer) => answer,
                Err(failure) => {
                    self.handle_failure(failure, ctx)?;
                    return Ok(false);
                }
            };
            let worker = match self.worker.as_mut() {
                Some(w) => w,
                None => return Err(FlowError::Flushing),
            };
            match answer {
                FromWorker::NeedSlots { len } => {
                    let mut maps = Maps::new();
                    let len = usize::try_from(len).unwrap_or(usize::MAX);
                    let grants = loop {
                        match worker.top_up(Some(len), &mut maps) {
                            Ok(g) if !g.is_empty() => break Ok(g),
                            Ok(_) if ctx.is_cancelled() => return Err(FlowError::Flushing),
                            // Every slot is downstream: wait for one (backpressure).
                            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
                            Err(e) => break Err(e),
                        }
                    };
                    reply = match grants {
                        Ok(grants) => worker.call(&ToWorker::Grants { grants, maps }),
                        Err(e) => Err(e),
                    };
                }
                FromWorker::Done {
                    flow,
                    outputs,
                    caps,
                    warnings,
                    messages,
                    error,
                    forward_eos,
                    extra,
                } => {
                    let checked = announced_caps(caps, self.pads.1.len())
                        .and_then(|caps| Ok((caps, announced_extra(extra, outputs.len())?)));
                    let (caps, mut extra) = match checked {
                        Ok(checked) => checked,
                        Err(text) => {
                            self.handle_failure(
                                CallError::Failed(crate::SandboxError::Protocol(text)),
                                ctx,
                            )?;
                            return Ok(false);
                        }
                    };
                    let mut caps = caps.into_iter().peekable();
                    for (i, output) in outputs.into_iter().enumerate() {
                        // Caps apply to the buffers pushed after them, as in-process.
                        while let Some((pad, c)) = caps
                            .next_if(|(pos, _, _)| *pos <= i)
                            .map(|(_, p, c)| (p, c))
                        {
                            ctx.set_src_caps(pad, c);
                        }
                        let Some(mut buffer) = Self::output_buffer(worker, output) else {
                            ctx.warning(
                                "the sandboxed worker named an output it does not own; dropped",
                            );
                            continue;
                        };
                        if let Some((_, meta)) = extra.next_if(|(at, _)| *at == i) {
                            buffer.meta_mut().extra = meta;
                        }
                        match collect.as_deref_mut() {
                            Some(list) => list.push(buffer),
                            None => ctx.push_to(output.pad as usize, buffer),
                        }
                    }
                    for (_, pad, c) in caps {
                        ctx.set_src_caps(pad, c);
                    }
                    worker.reclaim_leases();
                    for warning in warnings {
                        ctx.warning(warning);
                    }
                    for message in messages {
                        match announced_message(message) {
                            Ok(structure) => ctx.post_message(structure),
                            Err(text) => ctx.warning(text),
                        }
                    }
                    return match flow {
                        Flow::Ok => Ok(forward_eos),
                        Flow::Eos => Err(FlowError::Eos),
                        Flow::Flushing => Err(FlowError::Flushing),
                        Flow::NotNegotiated => Err(FlowError::NotNegotiated),
                        Flow::Error => {
                            Err(ctx.error(element_error(error, "element failed in the sandbox")))
                        }
                    };
                }
                other => {
                    let text = format!("unexpected reply {other:?}");
                    self.handle_failure(
                        CallError::Failed(crate::SandboxError::Protocol(text)),
                        ctx,
                    )?;
                    return Ok(false);
                }
            }
        }
    }

    fn output_buffer(worker: &mut WorkerHandle, output: crate::protocol::Output) -> Option<Buffer> {
        let offset = usize::try_from(output.offset).ok()?;
        let len = usize::try_from(output.len).ok()?;
        match output.data {
            OutputData::Lease(lease) => {
                let held = worker.leased(lease)?;
                let mut buffer = held.slice(offset..offset.checked_add(len)?)?;
                *buffer.meta_mut() = output.meta.to_meta();
                Some(buffer)
            }
            OutputData::Slot(grant) => {
                let memory = worker.adopt(grant).ok()?;
                Buffer::from_memory(memory, offset, len, output.meta.to_meta())
            }
        }
    }
}

/// The data path shared by the element kinds.
impl SandboxProxy {
    /// Leases `buffer` to the worker for sink pad `pad` (a transform's or a sink's input).
    fn send_buffer(
        &mut self,
        pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.ensure_worker(ctx)?;
        let extra = crate::extra_meta::encode(buffer.meta().extra.as_deref())
            .map_err(|text| ctx.error(ElementError::new(ErrorKind::Stream, text)))?;
        let Some(worker) = self.worker.as_mut() else {
            return Err(FlowError::Flushing);
        };
        let mut maps = Maps::new();
        let prepared = worker
            .lease(&buffer, &mut maps)
            .and_then(|input| Ok((input, worker.top_up(None, &mut maps)?)));
        let (input, grants) = match prepared {
            Ok(p) => p,
            Err(failure) => return self.handle_failure(failure, ctx),
        };
        drop(buffer);
        self.exchange(
            ToWorker::Process {
                pad: pad as u32,
                input,
                grants,
                maps,
                extra,
            },
            ctx,
            None,
        )
        .map(|_| ())
    }

    /// Asks the worker's source for one buffer. A death is reported and, when the restart
    /// policy allows, answered with `WouldBlock`: the engine asks again and the next call
    /// starts a new worker, whose source begins again from its own start state.
    fn produce_one(&mut self, ctx: &mut ProcessContext<'_>) -> Result<ProduceResult, FlowError> {
        self.ensure_worker(ctx)?;
        let Some(worker) = self.worker.as_mut() else {
            return Err(FlowError::Flushing);
        };
        let mut maps = Maps::new();
        let grants = match worker.top_up(None, &mut maps) {
            Ok(grants) => grants,
            Err(failure) => {
                self.handle_failure(failure, ctx)?;
                return Ok(ProduceResult::WouldBlock);
            }
        };
        let mut produced = Vec::with_capacity(1);
        match self.exchange(ToWorker::Produce { grants, maps }, ctx, Some(&mut produced)) {
            Ok(_) => {}
            Err(FlowError::Eos) => return Ok(ProduceResult::Eos),
            Err(e) => return Err(e),
        }
        let mut produced = produced.into_iter();
        match (produced.next(), produced.next()) {
            (None, _) => Ok(ProduceResult::WouldBlock),
            (Some(buffer), None) => Ok(ProduceResult::OwnBuffer(buffer)),
            (Some(_), Some(_)) => {
                let text = "a source's worker answered with more than one buffer".to_owned();
                self.handle_failure(CallError::Failed(crate::SandboxError::Protocol(text)), ctx)?;
                Ok(ProduceResult::WouldBlock)
            }
        }
    }
}

impl Drop for SandboxProxy {
    fn drop(&mut self) {
        // Stop the element first (the worker handle's drop does), then leave the group.
        drop(self.worker.take());
        self.group.unregister(self.member);
    }
}

/// Extensible metadata by output index, in order.
type OutputExtras =
    std::iter::Peekable<std::vec::IntoIter<(usize, Option<Box<parallax_core::buffer::ExtraMeta>>)>>;

/// Checks the extensible metadata a worker sent: bounded per buffer and per reply, for
/// outputs that exist, in order. A worker that lies here is treated like one that broke
/// the protocol.
fn announced_extra(
    list: Vec<crate::extra_meta::ForOutput>,
    outputs: usize,
) -> Result<OutputExtras, String> {
    let mut total = 0usize;
    let mut last = None;
    let mut out = Vec::with_capacity(list.len());
    for item in list {
        let at = item.output as usize;
        if at >= outputs || last.is_some_and(|l| at <= l) {
            return Err(format!("extra metadata for output {at} of {outputs}"));
        }
        last = Some(at);
        total += crate::extra_meta::check(&item.entries)?;
        if total > crate::extra_meta::MAX_MESSAGE_BYTES {
            return Err(format!("{total} bytes of extra metadata in one reply"));
        }
        out.push((at, crate::extra_meta::decode(item.entries)?));
    }
    Ok(out.into_iter().peekable())
}

/// An element message a worker sent (a demuxer's `stream-info`, `fakesink`'s
/// per-buffer messages, a sink's statistics), back as a structure. Messages only inform:
/// one whose fields do not parse is dropped with a warning rather than failing the element.
fn announced_message(message: crate::protocol::ElementMessage) -> Result<Structure, String> {
    let carrier: Structure = message.fields.parse().map_err(|e| {
        format!(
            "an element message {:?} from the sandboxed worker was dropped: its fields do \
             not parse ({e})",
            message.name
        )
    })?;
    Ok(carrier
        .fields()
        .fold(Structure::new(message.name), |structure, (field, value)| {
            structure.with(field, value.clone())
        }))
}

/// Checks what a worker announced: fixed caps that parse, on a src pad that exists.
/// A worker that lies here is treated like one that broke the protocol.
fn announced_caps(
    list: Vec<crate::protocol::CapsOut>,
    src_pads: usize,
) -> Result<Vec<(usize, usize, Caps)>, String> {
    list.into_iter()
        .map(|c| {
            let pad = c.pad as usize;
            if pad >= src_pads.max(1) {
                return Err(format!(
                    "caps announced on src pad {pad}, which does not exist"
                ));
            }
            let caps: Caps = c
                .caps
                .parse()
                .map_err(|e| format!("caps announced that do not parse ({e}): {:?}", c.caps))?;
            if !caps.is_fixed() {
                return Err(format!("caps announced that are not fixed: {caps}"));
            }
            Ok((c.position as usize, pad, caps))
        })
        .collect()
}

fn tracing_warning(element: &str, warning: &str) {
    eprintln!("parallax: sandbox for {element}: {warning}");
}

impl parallax_core::ElementImpl for SandboxProxy {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        self.shadow.base_mut().set_property(name, value)?;
        let text = value.to_string();
        self.properties.retain(|(n, _)| n != name);
        self.properties.push((name.to_owned(), text.clone()));
        if let Some(worker) = self.worker.as_mut() {
            // A running element gets the change between two buffers, as in-process. A
            // death here is reported at the next call, like any other.
            if let Err(failure) = worker.call(&ToWorker::SetProperty {
                name: name.to_owned(),
                value: text,
            }) {
                self.pending = Some(failure);
            }
        }
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        self.shadow.base().property(name)
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        self.shadow.base().transform_caps(direction, caps)
    }

    fn fixate_caps(&self, pad: usize, caps: Caps) -> Caps {
        self.shadow.base().fixate_caps(pad, caps)
    }

    fn set_caps(&mut self, sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        self.shadow.base_mut().set_caps(sink, src)?;
        self.caps = (
            sink.iter().map(ToString::to_string).collect(),
            src.iter().map(ToString::to_string).collect(),
        );
        if let Some(worker) = self.worker.as_mut() {
            // A change mid-stream (upstream announced new caps): the real element must
            // see it too. A worker that dies here is reported (there is no context to
            // post on here, so at the next call) and restarted with the new caps.
            let reply = worker.call(&ToWorker::SetCaps {
                sink: self.caps.0.clone(),
                src: self.caps.1.clone(),
            });
            match reply {
                Ok(FromWorker::Done {
                    flow: Flow::Error,
                    error,
                    ..
                }) => {
                    return Err(element_error(error, "set_caps failed in the sandbox"));
                }
                Ok(_) => {}
                Err(failure) => self.pending = Some(failure),
            }
        }
        Ok(())
    }

    fn configure_pads(
        &mut self,
        sink_pads: &[String],
        src_pads: &[String],
    ) -> Result<(), ElementError> {
        self.shadow.base_mut().configure_pads(sink_pads, src_pads)?;
        self.pads = (sink_pads.to_vec(), src_pads.to_vec());
        Ok(())
    }

    fn queue_limits(&self) -> Option<QueueLimits> {
        self.shadow.base().queue_limits()
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.restarts = 0;
        self.started = true;
        self.pending = None;
        self.spawn(true).map_err(|failure| {
            let text = match failure {
                CallError::Died(d) => d.to_string(),
                // The element's own failure (a file it may not open), as in-process.
                CallError::Failed(crate::SandboxError::Start(error)) => return error,
                CallError::Failed(e @ crate::SandboxError::File { .. }) => {
                    return ElementError::resource(e.to_string());
                }
                CallError::Failed(e) => e.to_string(),
            };
            ElementError::resource(format!("cannot start the sandboxed worker: {text}"))
        })
    }

    fn stop(&mut self) -> Result<(), ElementError> {
        self.started = false;
        match self.worker.take() {
            Some(worker) => worker
                .stop()
                .map_err(|e| ElementError::new(ErrorKind::Core, format!("sandboxed worker: {e}"))),
            None => Ok(()),
        }
    }

    fn flush(&mut self) {
        if let Some(worker) = self.worker.as_mut() {
            let _ = worker.call(&ToWorker::Flush);
            worker.reclaim_leases();
        }
    }
}

impl Transform for SandboxProxy {
    fn process(
        &mut self,
        pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.send_buffer(pad, buffer, ctx)
    }

    fn sink_eos(
        &mut self,
        pad: usize,
        all_eos: bool,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<bool, FlowError> {
        self.ensure_worker(ctx)?;
        let Some(worker) = self.worker.as_mut() else {
            return Err(FlowError::Flushing);
        };
        let mut maps = Maps::new();
        let grants = match worker.top_up(None, &mut maps) {
            Ok(g) => g,
            Err(failure) => {
                self.handle_failure(failure, ctx)?;
                return Ok(all_eos);
            }
        };
        let forwarded = self.exchange(
            ToWorker::Eos {
                pad: pad as u32,
                all_eos,
                grants,
                maps,
            },
            ctx,
            None,
        )?;
        // A worker that died at end of stream still lets the stream end.
        Ok(forwarded || (all_eos && self.worker.is_none()))
    }

    fn accepts_input(&self, pad: usize) -> bool {
        match &self.shadow {
            AnyElement::Transform(t) => t.accepts_input(pad),
            _ => true,
        }
    }
}

impl Source for SandboxProxy {
    fn produce(&mut self, ctx: &mut ProduceContext<'_>) -> Result<ProduceResult, FlowError> {
        // The buffer comes from a slot the host lent the worker, not from the engine's
        // pool for this source (which stays unused).
        self.produce_one(ctx.process())
    }

    fn buffer_size(&self) -> usize {
        match &self.shadow {
            AnyElement::Source(s) => s.buffer_size(),
            _ => 4096,
        }
    }

    fn is_live(&self) -> bool {
        matches!(&self.shadow, AnyElement::Source(s) if s.is_live())
    }
}

impl Sink for SandboxProxy {
    fn consume(&mut self, buffer: Buffer, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.send_buffer(0, buffer, ctx)
    }

    fn eos(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.ensure_worker(ctx)?;
        // A sink takes no outputs: no slots to grant.
        self.exchange(
            ToWorker::Eos {
                pad: 0,
                all_eos: true,
                grants: Vec::new(),
                maps: Maps::new(),
            },
            ctx,
            None,
        )
        .map(|_| ())
    }

    /// The engine waits for each buffer's time host-side, before the buffer is sent.
    fn sync(&self) -> bool {
        matches!(&self.shadow, AnyElement::Sink(s) if s.sync())
    }
}

#[cfg(test)]
mod tests {
    use super::announced_caps;
    use crate::protocol::CapsOut;

    fn out(pad: u32, caps: &str) -> CapsOut {
        CapsOut {
            position: 0,
            pad,
            caps: caps.into(),
        }
    }

    #[test]
    fn element_messages_cross_with_any_name_and_bad_fields_are_dropped() {
        use crate::protocol::{ElementMessage, MESSAGE_CARRIER};
        use parallax_core::Structure;
        // As qtdemux posts it: a name that is no media type, caps as a quoted string.
        let sent = Structure::new("stream-info")
            .with("pad", 0i64)
            .with("caps", "video/x-av1, width=160, framerate=15/1")
            .with("duration", 1_000_000_000i64);
        let carrier = sent
            .fields()
            .fold(Structure::new(MESSAGE_CARRIER), |c, (f, v)| {
                c.with(f, v.clone())
            });
        let back = super::announced_message(ElementMessage {
            name: "stream-info".into(),
            fields: carrier.to_string(),
        })
        .unwrap();
        assert_eq!(back, sent);
        let bad = super::announced_message(ElementMessage {
            name: "x".into(),
            fields: "not a structure ((".into(),
        })
        .unwrap_err();
        assert!(bad.contains("dropped"), "{bad}");
    }

    #[test]
    fn a_lying_worker_cannot_announce_bad_caps() {
        let fine = announced_caps(vec![out(0, "video/x-raw, width=(int)4")], 1).unwrap();
        assert_eq!(fine.len(), 1);
        let no_pad = announced_caps(vec![out(3, "video/x-raw")], 1).unwrap_err();
        assert!(no_pad.contains("src pad 3"), "{no_pad}");
        let garbage = announced_caps(vec![out(0, "video/x-raw, width=((")], 1).unwrap_err();
        assert!(garbage.contains("do not parse"), "{garbage}");
        let open = announced_caps(vec![out(0, "video/x-raw, width=[ 1, 5 ]")], 1).unwrap_err();
        assert!(open.contains("not fixed"), "{open}");
    }
}
