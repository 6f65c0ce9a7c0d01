//! [`WasmElement`]: a guest instance behind the host's element traits.
//!
//! A key design decision: the guest instance is created lazily, on first use
//! (negotiation usually), so that construct-time properties such as `memory-limit` and
//! `grant` apply to it; it is re-created with the same properties and caps after a
//! failure when the `on-error` policy says so. Notices the guest posts during a call
//! (`post-message`) are stashed in its store and drained into the `ProcessContext`
//! after the call; those of calls without a context (negotiation) wait for the next
//! buffer.

mod copy;
mod handoff;
mod instance;
mod limits;
mod meta;
mod reload;
mod zero_copy;

use std::any::Any;
use std::sync::{Arc, Mutex};

use parallax_core::{
    Buffer, Caps, ElementError, ElementImpl, ErrorKind, FlowError, Notice, PadDirection,
    ProcessContext, ProduceContext, ProduceResult, PropertyError, Sink, Source, Transform, Value,
};

use crate::bindings::{guest, types};
use crate::imports::Grants;
use crate::info::{self, HOST_PROPERTIES};
use crate::plugin::PluginShared;
use crate::stats::WasmStats;

pub(crate) use instance::Live;
use instance::Setup;
use limits::{CallLimits, Failure, trap_failure};
pub use reload::{SwapReport, WasmHandle};
use zero_copy::{Call, OutputPool};

/// What a failed call leads to.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Normal control flow (`eos`, `flushing`, `not-negotiated`).
    Flow(FlowError),
    /// A failure the `on-error` policy handles.
    Failed(Failure),
}

/// Maps the guest's `flow-error`.
pub(crate) fn flow_outcome(element: &str, flow: guest::FlowError) -> Outcome {
    match flow {
        guest::FlowError::Eos => Outcome::Flow(FlowError::Eos),
        guest::FlowError::Flushing => Outcome::Flow(FlowError::Flushing),
        guest::FlowError::NotNegotiated => Outcome::Flow(FlowError::NotNegotiated),
        guest::FlowError::Error(message) => Outcome::Failed(Failure::reported(
            ElementError::stream(format!("WASM element '{element}': {message}")),
        )),
    }
}

/// Which engine trait the element runs as, from its pad templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// No sink pads: `generate`.
    Source,
    /// Sink and src pads: `process` / `process-copy`.
    Transform,
    /// No src pads: `process` / `process-copy` must produce nothing; `drain` at EOS.
    Sink,
}

impl Role {
    /// The role of an element with these pad templates (`None`: no pads at all).
    pub(crate) fn of(info: &parallax_core::ElementInfo) -> Option<Role> {
        let sinks = info.templates(PadDirection::Sink).count();
        let srcs = info.templates(PadDirection::Src).count();
        match (sinks, srcs) {
            (0, 0) => None,
            (0, _) => Some(Role::Source),
            (_, 0) => Some(Role::Sink),
            _ => Some(Role::Transform),
        }
    }
}

/// The `on-error` policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnError {
    Fail,
    Restart,
    Skip,
}

/// Properties, as set.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    deadline_ms: u64,
    fuel: u64,
    memory_limit: u64,
    on_error: OnError,
    grant: String,
    grants: Grants,
    /// Guest properties, in `describe()` order.
    guest: Vec<(&'static str, Value)>,
}

impl Settings {
    fn limits(&self, metered: bool) -> CallLimits {
        CallLimits {
            deadline_ticks: self.deadline_ms,
            fuel: self.fuel,
            metered,
        }
    }

    /// Guest properties as `(name, canonical text)`, as `create` takes them.
    fn guest_text(&self) -> Vec<(String, String)> {
        self.guest
            .iter()
            .map(|(n, v)| ((*n).to_owned(), info::value_text(v)))
            .collect()
    }
}

/// An element instance backed by a WASM guest; created by the factory that
/// [`crate::WasmPlugin::register`] registers.
pub struct WasmElement {
    plugin: Arc<PluginShared>,
    settings: Settings,
    live: Mutex<Option<Live>>,
    /// Fixed caps from negotiation, as text, applied again after a restart.
    caps: Option<(Vec<String>, Vec<String>)>,
    max_output: u32,
    role: Role,
    n_src: usize,
    pool: OutputPool,
    /// Notices from calls made without a context (negotiation, instance creation).
    pending: Mutex<Vec<Notice>>,
    stats: Arc<WasmStats>,
    /// Shared with whoever may replace the component (`WasmHandle::replace`).
    handle: Arc<WasmHandle>,
}

impl std::fmt::Debug for WasmElement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmElement")
            .field("element", &self.plugin.info.name)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl WasmElement {
    pub(crate) fn new(plugin: Arc<PluginShared>) -> Self {
        let guest = plugin
            .info
            .properties
            .iter()
            .filter(|p| !HOST_PROPERTIES.contains(&p.name))
            .map(|p| (p.name, p.default.clone()))
            .collect();
        let role = Role::of(&plugin.info).unwrap_or(Role::Transform);
        let n_src = match role {
            Role::Sink => 0,
            _ => plugin.info.templates(PadDirection::Src).count().max(1),
        };
        let settings = Settings {
            deadline_ms: info::DEFAULT_DEADLINE_MS,
            fuel: info::DEFAULT_FUEL,
            memory_limit: info::DEFAULT_MEMORY_LIMIT,
            on_error: OnError::Fail,
            grant: info::DEFAULT_GRANT.to_owned(),
            grants: Grants::default(),
            guest,
        };
        let handle = Arc::new(WasmHandle::new(Arc::clone(&plugin), settings.clone()));
        WasmElement {
            plugin,
            settings,
            live: Mutex::new(None),
            caps: None,
            max_output: 0,
            role,
            n_src,
            pool: OutputPool::default(),
            pending: Mutex::new(Vec::new()),
            stats: Arc::clone(handle.stats()),
            handle,
        }
    }

    /// The element's counters (also reachable as its app handle).
    pub fn stats(&self) -> &Arc<WasmStats> {
        &self.stats
    }

    fn name(&self) -> &str {
        &self.plugin.info.name
    }

    fn limits(&self) -> CallLimits {
        self.settings
            .limits(self.plugin.runtime.config.consume_fuel)
    }

    /// Tells the handle what a replacement must be configured with.
    fn record_settings(&self) {
        self.handle.record(&self.settings, self.caps.as_ref());
    }

    /// Swaps in a replacement component queued by `WasmHandle::replace`, if any: between
    /// two buffers, on the streaming thread.
    fn apply_replacement(&mut self) {
        let Some(mut replacement) = self.handle.take() else {
            return;
        };
        let started = std::time::Instant::now();
        let limits = self.limits();
        let mut old_live = self
            .live
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let handoff = match (old_live.as_mut(), replacement.live.as_mut()) {
            (Some(old), Some(new)) => handoff::transfer(old, new, &limits),
            _ => handoff::Handoff::Nothing,
        };
        let state_handed_over = matches!(handoff, handoff::Handoff::Done);
        if let handoff::Handoff::Failed { reason, poisoned } = handoff {
            if poisoned {
                // Created again from the new component on first use.
                replacement.live = None;
            }
            self.stash([Notice::Warning(format!(
                "WASM element '{}': state not handed over ({reason}); the new version starts fresh",
                self.plugin.info.name
            ))]);
        }
        *self.live.get_mut().unwrap_or_else(|p| p.into_inner()) = replacement.live.take();
        if let Some(max) = replacement.max_output.take() {
            self.max_output = max;
        }
        let old_plugin = std::mem::replace(&mut self.plugin, Arc::clone(&replacement.plugin));
        let notify = replacement.take_notify();
        drop(replacement);
        let report = SwapReport {
            element: old_plugin.info.name.clone(),
            old_hash: old_plugin.report.content_hash.clone(),
            new_hash: self.plugin.report.content_hash.clone(),
            old_version: old_plugin.version.clone(),
            new_version: self.plugin.version.clone(),
            pause: std::time::Duration::ZERO,
            state_handed_over,
        };
        reload::retire(old_live, old_plugin);
        let report = SwapReport {
            pause: started.elapsed(),
            ..report
        };
        self.handle.swapped(notify, report);
    }

    /// Creates the guest instance now if there is none (and applies `set-caps`' answer).
    fn instantiate_now(&mut self) -> Result<(), ElementError> {
        let mut slot = self
            .live
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let result = self.ensure_live(&mut slot).map(|(_, answer)| answer);
        *self.live.get_mut().unwrap_or_else(|p| p.into_inner()) = slot;
        match result {
            Ok(Some(max)) => {
                self.max_output = max;
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(failure) => Err(failure.error),
        }
    }

    fn setup(&self) -> Setup<'_> {
        Setup {
            plugin: &self.plugin,
            memory_limit: self.settings.memory_limit,
            grants: self.settings.grants,
            limits: self.limits(),
            properties: self.settings.guest_text(),
            caps: self.caps.as_ref(),
        }
    }

    /// Makes sure `slot` holds a live instance, creating one if needed.
    fn ensure_live<'a>(
        &self,
        slot: &'a mut Option<Live>,
    ) -> Result<(&'a mut Live, Option<u32>), Failure> {
        let mut answer = None;
        if slot.is_none() {
            let (live, max_output) = Live::create(self.setup())?;
            self.stats.add_instance();
            answer = max_output;
            *slot = Some(live);
        }
        match slot.as_mut() {
            Some(live) => Ok((live, answer)),
            None => Err(Failure::fatal(ElementError::new(
                ErrorKind::Core,
                "no guest instance",
            ))),
        }
    }

    fn stash(&self, notices: impl IntoIterator<Item = Notice>) {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(notices);
    }

    /// Moves notices the guest posted (and earlier stashed ones) into `ctx`.
    fn drain_notices(&mut self, ctx: &mut ProcessContext<'_>) {
        let pending = std::mem::take(self.pending.get_mut().unwrap_or_else(|p| p.into_inner()));
        let live = self.live.get_mut().unwrap_or_else(|p| p.into_inner());
        let from_guest = live
            .as_mut()
            .map(|l| {
                let state = l.store.data_mut();
                let dropped = std::mem::take(&mut state.dropped_notices);
                (std::mem::take(&mut state.notices), dropped)
            })
            .unwrap_or_default();
        for notice in pending.into_iter().chain(from_guest.0) {
            match notice {
                Notice::Message(m) => ctx.post_message(m),
                Notice::Warning(w) => ctx.warning(w),
            }
        }
        if from_guest.1 > 0 {
            ctx.warning(format!(
                "WASM element '{}' posted too many messages; {} dropped",
                self.name(),
                from_guest.1
            ));
        }
    }

    /// Applies the `on-error` policy to a failure of the current buffer.
    fn on_failure(
        &mut self,
        failure: Failure,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        let live = self.live.get_mut().unwrap_or_else(|p| p.into_inner());
        let restart = match self.settings.on_error {
            OnError::Fail => {
                if !failure.usable {
                    *live = None;
                }
                return Err(ctx.error(failure.error));
            }
            OnError::Restart => true,
            OnError::Skip => !failure.usable,
        };
        self.stats.add_dropped();
        let message = failure.error.message;
        if restart {
            // Drop the store (and the poisoned instance with it); the next buffer
            // creates a fresh one with the same properties and caps.
            *live = None;
            let n = self.stats.add_restart();
            tracing::warn!(element = self.name(), restart = n, "{message}");
            ctx.warning(format!(
                "{message}; dropped the buffer and restarted the guest (restart {n})"
            ));
        } else {
            tracing::warn!(element = self.name(), "{message}");
            ctx.warning(format!("{message}; dropped the buffer"));
        }
        Ok(())
    }

    fn call<'a>(&'a self, pad: usize) -> Call<'a> {
        Call {
            element: &self.plugin.info.name,
            pad,
            n_src: self.n_src,
            max_output: self.max_output,
            limits: self.limits(),
            memory_limit: self.settings.memory_limit,
            stats: &self.stats,
        }
    }

    /// Runs `f` on the live instance (creating it if needed), moves the guest's notices
    /// into `ctx` and applies the `on-error` policy: `Ok(None)` when the policy dropped
    /// the call's work.
    fn run<T>(
        &mut self,
        ctx: &mut ProcessContext<'_>,
        f: impl FnOnce(
            &mut Live,
            &mut OutputPool,
            &Call<'_>,
            &mut ProcessContext<'_>,
        ) -> Result<T, Outcome>,
    ) -> Result<Option<T>, FlowError> {
        self.apply_replacement();
        let mut slot = self.live.lock().unwrap_or_else(|p| p.into_inner()).take();
        let result = match self.ensure_live(&mut slot) {
            Ok((live, answer)) => {
                if let Some(max) = answer {
                    self.max_output = max;
                }
                // Once per instance: calls with a context can read the pipeline clock.
                if self.settings.grants.clock && live.store.data().pipeline_clock.is_none() {
                    live.store.data_mut().pipeline_clock = ctx.clock().cloned();
                }
                let mut pool = std::mem::take(&mut self.pool);
                let call = self.call(0);
                let r = f(live, &mut pool, &call, ctx);
                self.pool = pool;
                r
            }
            Err(failure) => Err(Outcome::Failed(failure)),
        };
        *self.live.get_mut().unwrap_or_else(|p| p.into_inner()) = slot;
        self.drain_notices(ctx);
        match result {
            Ok(value) => Ok(Some(value)),
            Err(Outcome::Flow(flow)) => Err(flow),
            Err(Outcome::Failed(failure)) => self.on_failure(failure, ctx).map(|()| None),
        }
    }

    fn host_property(&self, name: &str) -> Option<Value> {
        let s = &self.settings;
        Some(match name {
            "deadline-ms" => Value::UInt(s.deadline_ms),
            "fuel" => Value::UInt(s.fuel),
            "memory-limit" => Value::UInt(s.memory_limit),
            "on-error" => Value::Enum(
                match s.on_error {
                    OnError::Fail => "fail",
                    OnError::Restart => "restart",
                    OnError::Skip => "skip",
                }
                .to_owned(),
            ),
            "grant" => Value::Str(s.grant.clone()),
            _ => return None,
        })
    }

    fn set_host_property(&mut self, name: &str, value: &Value) -> Result<bool, PropertyError> {
        let s = &mut self.settings;
        let mut recreate = false;
        match name {
            "deadline-ms" => s.deadline_ms = value.uint_for(name)?.max(1),
            "fuel" => s.fuel = value.uint_for(name)?,
            "memory-limit" => {
                s.memory_limit = value.uint_for(name)?;
                recreate = true;
            }
            "on-error" => {
                s.on_error = match value.str_for(name)? {
                    "fail" => OnError::Fail,
                    "restart" => OnError::Restart,
                    "skip" => OnError::Skip,
                    other => {
                        return Err(PropertyError::BadValue {
                            name: name.to_owned(),
                            expected: "fail, restart or skip".into(),
                            got: other.to_owned(),
                        });
                    }
                }
            }
            "grant" => {
                let text = value.str_for(name)?;
                s.grants = Grants::parse(text).map_err(|e| PropertyError::BadValue {
                    name: name.to_owned(),
                    expected: e,
                    got: text.to_owned(),
                })?;
                s.grant = text.to_owned();
                recreate = true;
            }
            _ => return Ok(false),
        }
        if recreate {
            // Store limits and linked capabilities are fixed per instance.
            *self.live.get_mut().unwrap_or_else(|p| p.into_inner()) = None;
        }
        Ok(true)
    }
}

impl ElementImpl for WasmElement {
    fn set_property(&mut self, name: &str, value: &Value) -> Result<(), PropertyError> {
        if self.set_host_property(name, value)? {
            self.record_settings();
            return Ok(());
        }
        let Some(index) = self.settings.guest.iter().position(|(n, _)| *n == name) else {
            return Err(PropertyError::unknown(name));
        };
        let text = info::value_text(value);
        let limits = self.limits();
        let memory_limit = self.settings.memory_limit;
        let element = self.plugin.info.name.clone();
        let live = self.live.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(l) = live.as_mut() {
            limits.arm(&mut l.store);
            let result = l
                .world
                .parallax_element_element()
                .instance()
                .call_set_property(&mut l.store, l.handle, name, &text);
            match result {
                Ok(Ok(())) => {}
                Ok(Err(message)) => {
                    return Err(PropertyError::BadValue {
                        name: name.to_owned(),
                        expected: message,
                        got: text,
                    });
                }
                Err(e) => {
                    let failure = trap_failure(
                        &element,
                        "set-property",
                        &e,
                        &l.store,
                        &limits,
                        memory_limit,
                    );
                    *live = None;
                    self.stash([Notice::Warning(failure.error.message)]);
                }
            }
        }
        self.settings.guest[index].1 = value.clone();
        self.record_settings();
        Ok(())
    }

    fn property(&self, name: &str) -> Result<Value, PropertyError> {
        if let Some(v) = self.host_property(name) {
            return Ok(v);
        }
        self.settings
            .guest
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| PropertyError::unknown(name))
    }

    fn transform_caps(&self, direction: PadDirection, caps: &Caps) -> Caps {
        let dir = match direction {
            PadDirection::Sink => types::PadDirection::Sink,
            PadDirection::Src => types::PadDirection::Src,
        };
        let text = caps.to_string();
        let mut guard = self.live.lock().unwrap_or_else(|p| p.into_inner());
        let live = match self.ensure_live(&mut guard) {
            Ok((live, _)) => live,
            Err(failure) => {
                self.stash([Notice::Warning(failure.error.message)]);
                return Caps::empty();
            }
        };
        let limits = self.limits();
        limits.arm(&mut live.store);
        let result = live
            .world
            .parallax_element_element()
            .instance()
            .call_transform_caps(&mut live.store, live.handle, dir, &text);
        match result {
            Ok(answer) => match answer.parse::<Caps>() {
                Ok(caps) => caps,
                Err(e) => {
                    self.stash([Notice::Warning(format!(
                        "WASM element '{}' answered transform-caps with invalid caps '{answer}': {e}",
                        self.name()
                    ))]);
                    Caps::empty()
                }
            },
            Err(e) => {
                let failure = trap_failure(
                    self.name(),
                    "transform-caps",
                    &e,
                    &live.store,
                    &limits,
                    self.settings.memory_limit,
                );
                *guard = None;
                self.stash([Notice::Warning(failure.error.message)]);
                Caps::empty()
            }
        }
    }

    fn set_caps(&mut self, sink: &[Caps], src: &[Caps]) -> Result<(), ElementError> {
        self.apply_replacement();
        let caps = (
            sink.iter().map(ToString::to_string).collect::<Vec<_>>(),
            src.iter().map(ToString::to_string).collect::<Vec<_>>(),
        );
        let mut slot = self
            .live
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let result = (|| {
            let (live, _) = self.ensure_live(&mut slot).map_err(|f| f.error)?;
            let limits = self.limits();
            limits.arm(&mut live.store);
            let answer = live
                .world
                .parallax_element_element()
                .instance()
                .call_set_caps(&mut live.store, live.handle, &caps.0, &caps.1);
            match answer {
                Ok(Ok(max)) => Ok(max),
                Ok(Err(message)) => Err(ElementError::settings(format!(
                    "WASM element '{}' refused its caps: {message}",
                    self.name()
                ))),
                Err(e) => {
                    let failure = trap_failure(
                        self.name(),
                        "set-caps",
                        &e,
                        &live.store,
                        &limits,
                        self.settings.memory_limit,
                    );
                    slot = None;
                    Err(failure.error)
                }
            }
        })();
        *self.live.get_mut().unwrap_or_else(|p| p.into_inner()) = slot;
        let max = result?;
        self.max_output = max;
        self.caps = Some(caps);
        self.record_settings();
        Ok(())
    }

    fn configure_pads(&mut self, _sink: &[String], src: &[String]) -> Result<(), ElementError> {
        self.n_src = match self.role {
            Role::Sink => 0,
            _ => src.len().max(1),
        };
        // Before negotiation, with the properties final: a guest that cannot start (an
        // import it was not granted, a refused property) is reported as itself here, not
        // later as caps it could not answer.
        self.instantiate_now()
    }

    fn start(&mut self) -> Result<(), ElementError> {
        self.apply_replacement();
        self.instantiate_now()
    }

    fn flush(&mut self) {
        let limits = self.limits();
        let live = self.live.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(l) = live.as_mut() {
            limits.arm(&mut l.store);
            let result = l
                .world
                .parallax_element_element()
                .instance()
                .call_flush(&mut l.store, l.handle);
            if result.is_err() {
                *live = None;
            }
        }
    }

    fn app_handle(&self) -> Option<Arc<dyn Any + Send + Sync>> {
        Some(Arc::clone(&self.handle) as Arc<dyn Any + Send + Sync>)
    }
}

impl WasmElement {
    /// One input buffer through `process` / `process-copy` (transforms and sinks; a
    /// sink has no src pads, so any output it returns is refused).
    fn process_buffer(
        &mut self,
        pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.stats.add_in();
        let zero_copy = self.plugin.zero_copy;
        self.run(ctx, |live, pool, call, ctx| {
            let call = Call { pad, ..*call };
            if zero_copy {
                zero_copy::process(live, pool, &call, buffer, ctx)
            } else {
                copy::process(live, &call, buffer, ctx)
            }
        })
        .map(drop)
    }

    /// End of stream: the guest's `drain`, its outputs and its final messages.
    fn drain_guest(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.run(ctx, |live, _pool, call, ctx| copy::drain(live, call, ctx))
            .map(drop)
    }
}

impl Transform for WasmElement {
    fn process(
        &mut self,
        pad: usize,
        buffer: Buffer,
        ctx: &mut ProcessContext<'_>,
    ) -> Result<(), FlowError> {
        self.process_buffer(pad, buffer, ctx)
    }

    fn drain(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.drain_guest(ctx)
    }
}

impl Sink for WasmElement {
    fn consume(&mut self, buffer: Buffer, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.process_buffer(0, buffer, ctx)
    }

    fn eos(&mut self, ctx: &mut ProcessContext<'_>) -> Result<(), FlowError> {
        self.drain_guest(ctx)
    }
}

impl Source for WasmElement {
    fn produce(&mut self, ctx: &mut ProduceContext<'_>) -> Result<ProduceResult, FlowError> {
        let produced = self.run(ctx.process(), |live, pool, call, ctx| {
            zero_copy::generate(live, pool, call, ctx)
        })?;
        Ok(match produced {
            Some(Some(buffer)) => ProduceResult::OwnBuffer(buffer),
            // Nothing right now, or the `on-error` policy dropped a failed call.
            Some(None) | None => ProduceResult::WouldBlock,
        })
    }

    fn buffer_size(&self) -> usize {
        // The engine's pool is not used (the guest writes into the element's own arena,
        // mapped in its window), but it is sized alike.
        if self.max_output > 0 {
            self.max_output as usize
        } else {
            zero_copy::DEFAULT_SOURCE_SLOT
        }
    }
}
