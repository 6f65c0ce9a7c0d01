//! A segment: the elements one streaming thread runs, from its entry (a source, a queue,
//! or a multi-input element) down to the next thread boundary or the sinks.
//!
//! Inside a segment buffers move by direct calls, depth first, exactly like GStreamer's
//! chain functions: a source's buffer goes through every transform to the sink before
//! the source is asked for the next one. Nothing allocates per buffer: outputs go into
//! each element's reusable output list, and links recycle their ring storage.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use parallax_core::{
    AnyElement, Buffer, BufferMeta, Caps, CapsChange, ClockTime, ElementError, ErrorKind,
    FlowError, ProcessContext, ProduceContext, ProduceResult,
};

use super::control::Control;
use super::link::{Item, Link};
use super::node::{NodeRt, Route};
use super::parker::Parker;

/// Items taken from a link per lock.
const BATCH: usize = 64;
/// How long an idle streaming thread sleeps before polling its control state.
const IDLE_PARK: Duration = Duration::from_millis(100);
/// How long a source that would block waits before asking again.
const WOULD_BLOCK_PARK: Duration = Duration::from_millis(2);
/// Longest single sleep while waiting for the clock, so pause and stop stay responsive.
const CLOCK_SLICE: Duration = Duration::from_millis(20);

pub(crate) enum Entry {
    Source(usize),
    Inputs { node: usize, links: Vec<Arc<Link>> },
}

pub(crate) struct Segment {
    pub(crate) name: String,
    pub(crate) nodes: Vec<NodeRt>,
    pub(crate) entry: Entry,
    pub(crate) control: Arc<Control>,
    pub(crate) parker: Arc<Parker>,
    pub(crate) runtime: Option<tokio::runtime::Handle>,
    seen_generation: u64,
    seen_flush: u64,
}

type CallResult<R> = std::thread::Result<Result<R, FlowError>>;

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

/// Turns an element call's result into flow control, posting failures on the bus.
fn outcome<R>(node: &mut NodeRt, control: &Control, result: CallResult<R>) -> Result<R, FlowError> {
    if node.state.has_notices() {
        control.post_notices(&node.name, node.state.take_notices());
    }
    let error = match result {
        Ok(Ok(value)) => return Ok(value),
        Ok(Err(FlowError::Error)) => node.state.take_error().unwrap_or_else(|| {
            ElementError::new(
                ErrorKind::Core,
                "the element failed without giving a reason",
            )
        }),
        Ok(Err(FlowError::NotNegotiated)) => {
            ElementError::stream("the data does not match the negotiated caps")
        }
        Ok(Err(FlowError::NotLinked)) => ElementError::new(
            ErrorKind::Core,
            "the element pushed to a pad that is not linked",
        ),
        Ok(Err(other)) => return Err(other),
        Err(payload) => {
            node.poisoned = true;
            ElementError::new(
                ErrorKind::Panic,
                format!("the element panicked: {}", panic_message(&*payload)),
            )
        }
    };
    control.fail(&node.name, error);
    Err(FlowError::Error)
}

/// Waits until the running time reaches `pts`; running time stands still while paused.
fn wait_clock(control: &Control, pts: ClockTime) -> Result<(), FlowError> {
    loop {
        if control.cancel.load(Ordering::Acquire) {
            return Err(FlowError::Flushing);
        }
        let now = control.clock.running_time();
        if now >= pts {
            return Ok(());
        }
        let remaining = Duration::from_nanos(pts.0 - now.0);
        std::thread::park_timeout(remaining.min(CLOCK_SLICE));
    }
}

impl Segment {
    pub(crate) fn new(
        name: String,
        nodes: Vec<NodeRt>,
        entry: Entry,
        control: Arc<Control>,
        parker: Arc<Parker>,
        runtime: Option<tokio::runtime::Handle>,
    ) -> Self {
        Segment {
            name,
            nodes,
            entry,
            control,
            parker,
            runtime,
            seen_generation: u64::MAX,
            seen_flush: 0,
        }
    }

    /// Runs until end of stream, an error or a stop; gives the elements back.
    pub(crate) fn run(mut self) -> Vec<NodeRt> {
        self.parker.bind_current();
        match std::mem::replace(&mut self.entry, Entry::Source(usize::MAX)) {
            Entry::Source(node) => {
                match self.source_loop(node) {
                    Ok(()) | Err(FlowError::Eos) => {
                        // The source is done (or downstream wants no more): drain.
                        let _ = self.send_eos(node);
                    }
                    Err(_) => {}
                }
            }
            Entry::Inputs { node, links } => self.input_loop(node, &links),
        }
        self.nodes
    }

    fn source_loop(&mut self, idx: usize) -> Result<(), FlowError> {
        let live = match &self.nodes[idx].element {
            AnyElement::Source(s) => s.is_live(),
            _ => false,
        };
        loop {
            self.checkpoint(true)?;
            let produced = self.produce(idx)?;
            if self.nodes[idx].state.has_caps_changes() {
                let changes = self.nodes[idx].state.take_caps_changes();
                for change in changes {
                    self.announce_caps(idx, change)?;
                }
            }
            let Some(buffer) = produced else {
                self.parker.park(WOULD_BLOCK_PARK);
                continue;
            };
            if let Some(pts) = buffer.meta().pts.filter(|_| live) {
                wait_clock(&self.control, pts)?;
            }
            self.nodes[idx].count(buffer.len());
            self.route(idx, 0, buffer)?;
        }
    }

    /// Asks the source for one buffer; `Ok(None)` when it would block.
    fn produce(&mut self, idx: usize) -> Result<Option<Buffer>, FlowError> {
        let control: &Control = &self.control;
        let node = &mut self.nodes[idx];
        let Some(pool) = node.pool.clone() else {
            control.fail(
                &node.name,
                ElementError::new(ErrorKind::Core, "source has no buffer pool"),
            );
            return Err(FlowError::Error);
        };
        if let Some(slot) = node.slot.as_mut() {
            // A slot kept from an earlier call may carry stale metadata.
            *slot.meta_mut() = BufferMeta::default();
            slot.set_len(usize::MAX);
        }
        let result = match &mut node.element {
            AnyElement::Source(source) => {
                let (state, slot) = (&mut node.state, &mut node.slot);
                let call = catch_unwind(AssertUnwindSafe(|| {
                    let mut ctx = ProduceContext::new(state, &control.cancel, &pool, slot);
                    source.produce(&mut ctx)
                }));
                outcome(node, control, call)?
            }
            AnyElement::AsyncSource(source) => {
                let Some(runtime) = self.runtime.as_ref() else {
                    control.fail(
                        &node.name,
                        ElementError::new(ErrorKind::Core, "no async runtime"),
                    );
                    return Err(FlowError::Error);
                };
                if node.slot.is_none() {
                    node.slot = Some(pool.acquire(&control.cancel).ok_or(FlowError::Flushing)?);
                }
                let Some(slot) = node.slot.as_mut() else {
                    return Err(FlowError::Flushing);
                };
                let call =
                    catch_unwind(AssertUnwindSafe(|| runtime.block_on(source.produce(slot))));
                let call = call.map(|r| {
                    r.map_err(|e| {
                        node.state.record_error(e);
                        FlowError::Error
                    })
                });
                outcome(node, control, call)?
            }
            _ => {
                control.fail(
                    &node.name,
                    ElementError::new(ErrorKind::Core, "not a source"),
                );
                return Err(FlowError::Error);
            }
        };
        match result {
            ProduceResult::Produced(n) => match node.slot.take() {
                Some(mut buffer) => {
                    buffer.set_len(n);
                    Ok(Some(buffer.freeze()))
                }
                None => {
                    control.fail(
                        &node.name,
                        ElementError::new(
                            ErrorKind::Core,
                            "reported produced bytes without taking the output buffer",
                        ),
                    );
                    Err(FlowError::Error)
                }
            },
            ProduceResult::OwnBuffer(buffer) => Ok(Some(buffer)),
            ProduceResult::Eos => Err(FlowError::Eos),
            ProduceResult::WouldBlock => Ok(None),
        }
    }

    fn input_loop(&mut self, entry: usize, links: &[Arc<Link>]) {
        let mut batch = VecDeque::with_capacity(BATCH);
        loop {
            if self.checkpoint(false).is_err() {
                return;
            }
            if self.nodes[entry].eos_in.iter().all(|e| *e) {
                return;
            }
            let mut got = false;
            for (pad, link) in links.iter().enumerate() {
                if self.nodes[entry].eos_in[pad] || !self.accepts_input(entry, pad) {
                    continue;
                }
                if link.pop_batch(&mut batch, BATCH) == 0 {
                    continue;
                }
                got = true;
                while let Some(item) = batch.pop_front() {
                    let result = match item {
                        Item::Buffer(buffer) => self.push(entry, pad, buffer),
                        Item::Caps(caps) => self.deliver_caps(entry, pad, caps),
                        Item::Eos => self.push_eos(entry, pad),
                    };
                    match result {
                        // `Eos` from downstream: drop data until upstream's own EOS arrives.
                        Ok(()) | Err(FlowError::Eos) => {}
                        Err(_) => return,
                    }
                }
            }
            if !got {
                self.parker.park(IDLE_PARK);
            }
        }
    }

    fn accepts_input(&self, idx: usize, pad: usize) -> bool {
        match &self.nodes[idx].element {
            AnyElement::Transform(t) => t.accepts_input(pad),
            _ => true,
        }
    }

    /// Delivers one buffer to sink pad `pad` of node `idx`, and onwards.
    fn push(&mut self, idx: usize, pad: usize, buffer: Buffer) -> Result<(), FlowError> {
        let control: &Control = &self.control;
        let runtime = self.runtime.as_ref();
        let node = &mut self.nodes[idx];
        if node.done {
            return Err(FlowError::Eos);
        }
        if node.poisoned {
            return Err(FlowError::Error);
        }
        node.count(buffer.len());
        let is_transform = matches!(node.element, AnyElement::Transform(_));
        let call = match &mut node.element {
            AnyElement::Transform(t) => {
                let state = &mut node.state;
                catch_unwind(AssertUnwindSafe(|| {
                    t.process(
                        pad,
                        buffer,
                        &mut ProcessContext::new(state, &control.cancel),
                    )
                }))
            }
            AnyElement::Sink(s) => {
                if let Some(pts) = buffer.meta().pts.filter(|_| node.sync) {
                    wait_clock(control, pts)?;
                }
                let state = &mut node.state;
                catch_unwind(AssertUnwindSafe(|| {
                    s.consume(buffer, &mut ProcessContext::new(state, &control.cancel))
                }))
            }
            AnyElement::AsyncSink(s) => match runtime {
                Some(rt) => {
                    let state = &mut node.state;
                    catch_unwind(AssertUnwindSafe(|| {
                        rt.block_on(s.consume(buffer)).map_err(|e| {
                            state.record_error(e);
                            FlowError::Error
                        })
                    }))
                }
                None => Ok(Err(node
                    .state
                    .fail(ElementError::new(ErrorKind::Core, "no async runtime")))),
            },
            AnyElement::Source(_) | AnyElement::AsyncSource(_) => Ok(Err(node.state.fail(
                ElementError::new(ErrorKind::Core, "a source cannot receive data"),
            ))),
        };
        let result = outcome(node, control, call);
        if result == Err(FlowError::Eos) {
            node.done = true;
        }
        if is_transform {
            // Outputs pushed before an `Eos` still go downstream.
            let routed = self.route_outputs(idx);
            result.and(routed)
        } else {
            result
        }
    }

    /// Sends the outputs of the last call on. A branch that reached end of stream does
    /// not stop the others (a tee keeps feeding its live branches, as in GStreamer);
    /// `Eos` goes back upstream only when every output was refused with it. An error or a
    /// stop drops the remaining outputs.
    fn route_outputs(&mut self, idx: usize) -> Result<(), FlowError> {
        let mut outputs = self.nodes[idx].state.take_outputs();
        // Empty (no allocation) unless the element announced new caps in this call.
        let changes = if self.nodes[idx].state.has_caps_changes() {
            self.nodes[idx].state.take_caps_changes()
        } else {
            Vec::new()
        };
        let mut changes = changes.into_iter().peekable();
        let mut failure = None;
        let (mut delivered, mut ended) = (false, false);
        for (i, (pad, buffer)) in outputs.drain(..).enumerate() {
            if failure.is_some() {
                continue;
            }
            while let Some(change) = changes.next_if(|c| c.position <= i) {
                if let Err(e) = self.announce_caps(idx, change) {
                    failure = Some(e);
                    break;
                }
            }
            if failure.is_some() {
                continue;
            }
            match self.route(idx, pad, buffer) {
                Ok(()) => delivered = true,
                Err(FlowError::Eos) => ended = true,
                Err(e) => failure = Some(e),
            }
        }
        for change in changes {
            if failure.is_some() {
                break;
            }
            if let Err(e) = self.announce_caps(idx, change) {
                failure = Some(e);
            }
        }
        self.nodes[idx].state.restore_outputs(outputs);
        match failure {
            Some(e) => Err(e),
            None if ended && !delivered => Err(FlowError::Eos),
            None => Ok(()),
        }
    }

    fn route(&mut self, idx: usize, pad: usize, buffer: Buffer) -> Result<(), FlowError> {
        match self.nodes[idx].routes.get(pad) {
            Some(Route::Local { node, pad }) => {
                let (node, pad) = (*node, *pad);
                self.push(node, pad, buffer)
            }
            Some(Route::Link(link)) => link.push(Item::Buffer(buffer), &self.control),
            None => {
                let name = self.nodes[idx].name.clone();
                self.control.fail(
                    &name,
                    ElementError::new(
                        ErrorKind::Core,
                        format!("pushed a buffer on src pad {pad}, which does not exist"),
                    ),
                );
                Err(FlowError::Error)
            }
        }
    }

    /// New caps an element announced for src pad `change.pad` (`ctx.set_src_caps`).
    fn announce_caps(&mut self, idx: usize, change: CapsChange) -> Result<(), FlowError> {
        let node = &mut self.nodes[idx];
        let Some(current) = node.caps.src.get_mut(change.pad) else {
            let name = node.name.clone();
            self.control.fail(
                &name,
                ElementError::new(
                    ErrorKind::Core,
                    format!(
                        "announced caps on src pad {}, which does not exist",
                        change.pad
                    ),
                ),
            );
            return Err(FlowError::Error);
        };
        if *current == change.caps {
            return Ok(());
        }
        *current = change.caps.clone();
        tracing::debug!(element = %node.name, pad = change.pad, caps = %change.caps, "new src caps");
        self.route_caps(idx, change.pad, change.caps)
    }

    /// Sends new caps out of src pad `pad` of node `idx`.
    fn route_caps(&mut self, idx: usize, pad: usize, caps: Caps) -> Result<(), FlowError> {
        match self.nodes[idx].routes.get(pad) {
            Some(Route::Local { node, pad }) => {
                let (node, pad) = (*node, *pad);
                self.deliver_caps(node, pad, caps)
            }
            Some(Route::Link(link)) => link.push(Item::Caps(caps), &self.control),
            None => Ok(()),
        }
    }

    /// Caps change on sink pad `pad` of node `idx`: the element renegotiates (the same
    /// calls as the initial negotiation) and passes its changed src caps on.
    fn deliver_caps(&mut self, idx: usize, pad: usize, caps: Caps) -> Result<(), FlowError> {
        let control: &Control = &self.control;
        let node = &mut self.nodes[idx];
        if node.poisoned {
            return Err(FlowError::Error);
        }
        if node.caps.sink.get(pad) == Some(&caps) {
            return Ok(());
        }
        let (element, node_caps) = (&mut node.element, &node.caps);
        let call = catch_unwind(AssertUnwindSafe(|| {
            let (sink, src) = node_caps
                .renegotiate(element.base(), pad, &caps)
                .map_err(|why| {
                    ElementError::new(
                        ErrorKind::Settings,
                        format!("not negotiated: cannot change to {caps} mid-stream: {why}"),
                    )
                })?;
            element.base_mut().set_caps(&sink, &src)?;
            Ok::<_, ElementError>((sink, src))
        }));
        if node.state.has_notices() {
            control.post_notices(&node.name, node.state.take_notices());
        }
        let (sink, src) = match call {
            Ok(Ok(caps)) => caps,
            Ok(Err(error)) => {
                control.fail(&node.name, error);
                return Err(FlowError::Error);
            }
            Err(payload) => {
                node.poisoned = true;
                control.fail(
                    &node.name,
                    ElementError::new(
                        ErrorKind::Panic,
                        format!("the element panicked: {}", panic_message(&*payload)),
                    ),
                );
                return Err(FlowError::Error);
            }
        };
        tracing::debug!(element = %node.name, pad, caps = %caps, "caps changed mid-stream");
        let changed: Vec<(usize, Caps)> = src
            .iter()
            .enumerate()
            .filter(|(p, c)| node.caps.src.get(*p) != Some(*c))
            .map(|(p, c)| (p, c.clone()))
            .collect();
        node.caps.sink = sink;
        node.caps.src = src;
        for (p, c) in changed {
            self.route_caps(idx, p, c)?;
        }
        Ok(())
    }

    /// Delivers end of stream to sink pad `pad` of node `idx`, and onwards.
    fn push_eos(&mut self, idx: usize, pad: usize) -> Result<(), FlowError> {
        let control: &Control = &self.control;
        let runtime = self.runtime.as_ref();
        let node = &mut self.nodes[idx];
        if let Some(flag) = node.eos_in.get_mut(pad) {
            *flag = true;
        }
        let all = node.eos_in.iter().all(|e| *e);
        if node.eos_sent || node.poisoned {
            return Ok(());
        }
        match &mut node.element {
            AnyElement::Transform(t) => {
                let state = &mut node.state;
                let call = catch_unwind(AssertUnwindSafe(|| {
                    t.sink_eos(pad, all, &mut ProcessContext::new(state, &control.cancel))
                }));
                let forward = match outcome(node, control, call) {
                    Ok(forward) => forward,
                    Err(FlowError::Eos) => all,
                    Err(e) => return Err(e),
                };
                match self.route_outputs(idx) {
                    Ok(()) | Err(FlowError::Eos) => {}
                    Err(e) => return Err(e),
                }
                if forward {
                    self.send_eos(idx)?;
                }
                Ok(())
            }
            AnyElement::Sink(s) if all => {
                node.eos_sent = true;
                let state = &mut node.state;
                let call = catch_unwind(AssertUnwindSafe(|| {
                    s.eos(&mut ProcessContext::new(state, &control.cancel))
                }));
                let result = outcome(node, control, call);
                if result.is_ok() || result == Err(FlowError::Eos) {
                    control.sink_done();
                }
                result.or_else(|e| if e == FlowError::Eos { Ok(()) } else { Err(e) })
            }
            AnyElement::AsyncSink(s) if all => {
                node.eos_sent = true;
                let Some(rt) = runtime else {
                    return Err(FlowError::Error);
                };
                let state = &mut node.state;
                let call = catch_unwind(AssertUnwindSafe(|| {
                    rt.block_on(s.eos()).map_err(|e| {
                        state.record_error(e);
                        FlowError::Error
                    })
                }));
                outcome(node, control, call)?;
                control.sink_done();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn send_eos(&mut self, idx: usize) -> Result<(), FlowError> {
        if std::mem::replace(&mut self.nodes[idx].eos_sent, true) {
            return Ok(());
        }
        for pad in 0..self.nodes[idx].routes.len() {
            match &self.nodes[idx].routes[pad] {
                Route::Local { node, pad } => {
                    let (node, pad) = (*node, *pad);
                    self.push_eos(node, pad)?;
                }
                Route::Link(link) => link.push(Item::Eos, &self.control)?,
            }
        }
        Ok(())
    }

    /// The per-buffer control check: one load when nothing changed.
    #[inline]
    fn checkpoint(&mut self, is_source: bool) -> Result<(), FlowError> {
        if self.control.generation.load(Ordering::Acquire) == self.seen_generation {
            return Ok(());
        }
        self.control_changed(is_source)
    }

    #[cold]
    fn control_changed(&mut self, is_source: bool) -> Result<(), FlowError> {
        loop {
            self.seen_generation = self.control.generation.load(Ordering::Acquire);
            if self.control.cancel.load(Ordering::Acquire) {
                return Err(FlowError::Flushing);
            }
            let flush = self.control.flush_epoch.load(Ordering::Acquire);
            if flush != self.seen_flush {
                self.seen_flush = flush;
                self.flush();
            }
            self.apply_commands();
            if self.control.is_paused() {
                self.parker.park(IDLE_PARK);
                continue;
            }
            if is_source && self.control.eos_requested.load(Ordering::Acquire) {
                return Err(FlowError::Eos);
            }
            return Ok(());
        }
    }

    fn flush(&mut self) {
        if let Entry::Inputs { links, .. } = &self.entry {
            for link in links {
                link.flush();
            }
        }
        for node in &mut self.nodes {
            node.element.base_mut().flush();
        }
    }

    fn apply_commands(&mut self) {
        let mine: Vec<_> = {
            let mut commands = self
                .control
                .commands
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let (mine, rest) = std::mem::take(&mut *commands)
                .into_iter()
                .partition(|c| self.nodes.iter().any(|n| *n.name == *c.element));
            *commands = rest;
            mine
        };
        for command in mine {
            let Some(node) = self.nodes.iter_mut().find(|n| *n.name == *command.element) else {
                continue;
            };
            if let Err(e) = node
                .element
                .base_mut()
                .set_property(&command.name, &command.value)
            {
                self.control.bus.post(crate::bus::Message::Warning {
                    element: command.element.clone(),
                    message: e.to_string(),
                });
            }
        }
    }

    /// The thread's name, for diagnostics.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}
