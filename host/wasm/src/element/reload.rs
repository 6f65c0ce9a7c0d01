//! Hot reload: replacing the guest of a running element between two buffers.
//!
//! A key design decision: everything slow happens off the data path, in the thread that
//! asks for the swap. [`WasmHandle::replace`] checks the new component against the
//! element (same name, same pads, pad templates that still admit the negotiated caps),
//! instantiates it with the element's current properties and caps (so a `set-caps`
//! refusal is found there, not mid-stream), and queues the ready instance. The streaming
//! thread sees one atomic flag per buffer; when it is set it moves the new instance in,
//! hands the old guest's state over when both sides export `handoff`, and gives the old
//! store to a janitor thread to drop. The pause the stream sees is that move, nothing more.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use parallax_core::{Caps, PadDirection};

use super::instance::{Live, Setup};
use super::{Role, Settings};
use crate::error::WasmError;
use crate::plugin::{PluginShared, WasmPlugin};
use crate::stats::WasmStats;

/// What the bus is told after a swap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapReport {
    /// The element's factory name.
    pub element: String,
    /// SHA-256 of the component that ran before.
    pub old_hash: String,
    /// SHA-256 of the component that runs now.
    pub new_hash: String,
    /// Version the old component described.
    pub old_version: String,
    /// Version the new component describes.
    pub new_version: String,
    /// How long the streaming thread spent on the swap (the data-path pause).
    pub pause: Duration,
    /// Whether the old guest's state was handed to the new one.
    pub state_handed_over: bool,
}

type Notify = Box<dyn FnOnce(SwapReport) + Send>;

/// A new guest, instantiated and configured, waiting for the next buffer boundary.
pub(crate) struct Replacement {
    pub(crate) plugin: Arc<PluginShared>,
    /// `None` when the element had no caps yet: the instance is created on first use.
    pub(crate) live: Option<Live>,
    pub(crate) max_output: Option<u32>,
    /// The element's settings generation the instance was configured with.
    generation: u64,
    notify: Option<Notify>,
}

/// What the element shares with threads that may replace its guest.
struct Shared {
    plugin: Arc<PluginShared>,
    settings: Settings,
    caps: Option<(Vec<String>, Vec<String>)>,
    /// Bumped whenever `settings` or `caps` change.
    generation: u64,
    queued: Option<Replacement>,
}

/// The application handle of a WASM element (`Pipeline::handle::<WasmHandle>(name)`):
/// its counters and the way to replace its component while it runs.
pub struct WasmHandle {
    stats: Arc<WasmStats>,
    shared: Mutex<Shared>,
    queued: AtomicBool,
    swaps: AtomicU64,
}

impl std::fmt::Debug for WasmHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmHandle")
            .field("stats", &self.stats)
            .field("swaps", &self.swaps())
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for WasmHandle {
    type Target = WasmStats;
    fn deref(&self) -> &WasmStats {
        &self.stats
    }
}

impl WasmHandle {
    pub(crate) fn new(plugin: Arc<PluginShared>, settings: Settings) -> Self {
        WasmHandle {
            stats: Arc::new(WasmStats::default()),
            shared: Mutex::new(Shared {
                plugin,
                settings,
                caps: None,
                generation: 0,
                queued: None,
            }),
            queued: AtomicBool::new(false),
            swaps: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The element's counters.
    pub fn stats(&self) -> &Arc<WasmStats> {
        &self.stats
    }

    /// The component file the element runs now.
    pub fn path(&self) -> std::path::PathBuf {
        self.lock().plugin.path.clone()
    }

    /// SHA-256 of the component the element runs now.
    pub fn content_hash(&self) -> String {
        self.lock().plugin.report.content_hash.clone()
    }

    /// Swaps done so far.
    pub fn swaps(&self) -> u64 {
        self.swaps.load(Ordering::Relaxed)
    }

    /// Prepares `plugin` to replace the running component: checks it against the
    /// element, instantiates it with the element's properties and negotiated caps, and
    /// queues it. The streaming thread swaps it in before its next buffer and then calls
    /// `notify`. A replacement queued earlier and not yet swapped in is discarded.
    ///
    /// Blocking (instantiation takes tens of µs for Rust guests, milliseconds for
    /// Python or JavaScript ones): call it off the data path.
    ///
    /// # Errors
    ///
    /// [`WasmError::Incompatible`] when the new component is another element, has other
    /// pads, or refuses the current properties or caps; the running one is untouched.
    pub fn replace(
        &self,
        plugin: &WasmPlugin,
        notify: impl FnOnce(SwapReport) + Send + 'static,
    ) -> Result<(), WasmError> {
        let new = plugin.shared();
        let (old, settings, caps, generation) = {
            let shared = self.lock();
            (
                Arc::clone(&shared.plugin),
                shared.settings.clone(),
                shared.caps.clone(),
                shared.generation,
            )
        };
        check_compatible(&old, new, caps.as_ref())?;
        let (live, max_output) = match caps.as_ref() {
            None => (None, None),
            Some(caps) => {
                let setup = Setup {
                    plugin: new,
                    memory_limit: settings.memory_limit,
                    grants: settings.grants,
                    limits: settings.limits(new.runtime.config.consume_fuel),
                    properties: settings.guest_text(),
                    caps: Some(caps),
                };
                let (live, answer) = Live::create(setup).map_err(|failure| {
                    incompatible(&old, new, failure.error.message.to_string())
                })?;
                self.stats.add_instance();
                (Some(live), answer)
            }
        };
        let replacement = Replacement {
            plugin: Arc::clone(new),
            live,
            max_output,
            generation,
            notify: Some(Box::new(notify)),
        };
        let superseded = {
            let mut shared = self.lock();
            let superseded = shared.queued.replace(replacement);
            self.queued.store(true, Ordering::Release);
            superseded
        };
        if let Some(old) = superseded {
            retire(old.live, old.plugin);
        }
        Ok(())
    }

    /// Records the element's settings and caps (what a replacement is configured with).
    pub(crate) fn record(&self, settings: &Settings, caps: Option<&(Vec<String>, Vec<String>)>) {
        let mut shared = self.lock();
        shared.settings = settings.clone();
        shared.caps = caps.cloned();
        shared.generation += 1;
    }

    /// The queued replacement, if any (one atomic load when there is none). Its instance
    /// is dropped when the element's settings changed after it was configured; the
    /// element then creates a fresh one from the new component on first use.
    pub(crate) fn take(&self) -> Option<Replacement> {
        if !self.queued.load(Ordering::Acquire) {
            return None;
        }
        let mut shared = self.lock();
        self.queued.store(false, Ordering::Release);
        let mut replacement = shared.queued.take()?;
        if replacement.generation != shared.generation {
            retire(replacement.live.take(), Arc::clone(&replacement.plugin));
            replacement.max_output = None;
        }
        shared.plugin = Arc::clone(&replacement.plugin);
        Some(replacement)
    }

    /// Reports a swap the element finished.
    pub(crate) fn swapped(&self, replacement_notify: Option<Notify>, report: SwapReport) {
        self.swaps.fetch_add(1, Ordering::Relaxed);
        tracing::info!(
            element = report.element,
            old = report.old_hash,
            new = report.new_hash,
            pause_us = report.pause.as_micros() as u64,
            "component replaced"
        );
        if let Some(notify) = replacement_notify {
            notify(report);
        }
    }
}

impl Replacement {
    pub(crate) fn take_notify(&mut self) -> Option<Notify> {
        self.notify.take()
    }
}

fn incompatible(old: &PluginShared, new: &PluginShared, reason: String) -> WasmError {
    WasmError::Incompatible {
        element: old.info.name.clone(),
        path: new.path.clone(),
        reason,
    }
}

/// The new component must be the same element with the same pads, and its templates
/// must still admit the caps negotiated now.
fn check_compatible(
    old: &PluginShared,
    new: &PluginShared,
    caps: Option<&(Vec<String>, Vec<String>)>,
) -> Result<(), WasmError> {
    let fail = |reason: String| Err(incompatible(old, new, reason));
    if new.info.name != old.info.name {
        return fail(format!(
            "it describes element '{}', not '{}'",
            new.info.name, old.info.name
        ));
    }
    if Role::of(&new.info) != Role::of(&old.info) {
        return fail("its pads make it another kind of element (source, filter or sink)".into());
    }
    for direction in [PadDirection::Sink, PadDirection::Src] {
        let old_pads: Vec<_> = old.info.templates(direction).map(|t| &t.name).collect();
        let new_pads: Vec<_> = new.info.templates(direction).map(|t| &t.name).collect();
        if old_pads != new_pads {
            return fail(format!(
                "its {direction} pads are [{}], the running element's are [{}]",
                join(&new_pads),
                join(&old_pads)
            ));
        }
    }
    let Some((sink, src)) = caps else {
        return Ok(());
    };
    for (direction, negotiated) in [(PadDirection::Sink, sink), (PadDirection::Src, src)] {
        for text in negotiated {
            let Ok(current) = text.parse::<Caps>() else {
                continue;
            };
            let admitted = new
                .info
                .templates(direction)
                .any(|t| t.caps.can_intersect(&current));
            if !admitted {
                return fail(format!(
                    "its {direction} pad templates do not accept the negotiated caps {current}"
                ));
            }
        }
    }
    Ok(())
}

fn join(names: &[&std::borrow::Cow<'static, str>]) -> String {
    names
        .iter()
        .map(|n| n.as_ref())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Drops an old guest (its store, memory mappings and lent slots) on the janitor thread,
/// so the streaming thread does not pay for unmapping tens of MiB.
pub(crate) fn retire(live: Option<Live>, plugin: Arc<PluginShared>) {
    type Retired = (Option<Live>, Arc<PluginShared>);
    static JANITOR: OnceLock<Option<Mutex<Sender<Retired>>>> = OnceLock::new();
    let janitor = JANITOR.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Retired>();
        std::thread::Builder::new()
            .name("parallax-wasm-retire".into())
            .spawn(move || {
                for retired in rx {
                    drop(retired);
                }
            })
            .ok()
            .map(|_| Mutex::new(tx))
    });
    let retired = (live, plugin);
    let unsent = match janitor {
        Some(tx) => tx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(retired)
            .err()
            .map(|e| e.0),
        None => Some(retired),
    };
    drop(unsent);
}
