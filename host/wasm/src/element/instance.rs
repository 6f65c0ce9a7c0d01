//! [`Live`]: one guest instance (its `Store`, exports, resource handle and window), and
//! how it is created from the plugin's `InstancePre`.
//!
//! Creating one is cheap (tens of µs), which is what makes the `restart` policy
//! practical: on a trap the whole store is dropped and a new one is built here, with
//! the properties and caps the element remembers applied again.

use wasmtime::Store;
use wasmtime::component::ResourceAny;

use parallax_core::{ElementError, ErrorKind};

use super::limits::{CallLimits, Failure, trap_failure};
use super::zero_copy::GuestWindow;
use crate::bindings::ElementWorld as ClockedElementWorld;
use crate::bindings::handoff;
use crate::imports;
use crate::memory::{page_size, take_created};
use crate::plugin::PluginShared;
use crate::state::HostState;

/// A live guest instance.
pub(crate) struct Live {
    pub(crate) store: Store<HostState>,
    pub(crate) world: ClockedElementWorld,
    pub(crate) handle: ResourceAny,
    /// The optional `handoff` exports.
    pub(crate) handoff: Option<handoff::Guest>,
    /// The zero-copy window (zero-copy elements only).
    pub(crate) window: Option<GuestWindow>,
}

/// What an instance is created with.
pub(crate) struct Setup<'a> {
    pub(crate) plugin: &'a PluginShared,
    pub(crate) memory_limit: u64,
    pub(crate) grants: crate::Grants,
    pub(crate) limits: CallLimits,
    /// Guest properties as `(name, canonical text)`.
    pub(crate) properties: Vec<(String, String)>,
    /// Caps to apply again after a restart.
    pub(crate) caps: Option<&'a (Vec<String>, Vec<String>)>,
}

impl Live {
    /// Creates an instance; returns it and the `set-caps` answer when caps were applied.
    pub(crate) fn create(setup: Setup<'_>) -> Result<(Live, Option<u32>), Failure> {
        let plugin = setup.plugin;
        let name = plugin.info.name.as_str();
        let settings_err = |message: String| Failure::fatal(ElementError::settings(message));
        imports::check_granted(&plugin.path, &plugin.imports, setup.grants)
            .map_err(|e| settings_err(e.to_string()))?;
        let window_bytes = if plugin.zero_copy {
            plugin
                .runtime
                .config
                .window_bytes
                .next_multiple_of(page_size())
        } else {
            0
        };
        let memory_limit = usize::try_from(setup.memory_limit)
            .unwrap_or(usize::MAX)
            .saturating_add(window_bytes);
        let mut store = Store::new(
            &plugin.runtime.engine,
            HostState::new(name, memory_limit, setup.grants),
        );
        store.limiter(|s| &mut s.limits);
        let limits = setup.limits;
        limits.arm(&mut store);
        let fail = |what: &str, e: &wasmtime::Error, store: &Store<HostState>| {
            trap_failure(name, what, e, store, &limits, setup.memory_limit)
        };
        let _ = take_created();
        let instance = plugin.pre.instance_pre().instantiate(&mut store);
        let memories = take_created();
        let instance = instance.map_err(|e| fail("instantiation", &e, &store))?;
        let world = plugin
            .indices
            .load(&mut store, &instance)
            .map_err(|e| fail("instantiation", &e, &store))?;
        let handoff = match &plugin.handoff {
            Some(indices) => Some(
                indices
                    .load(&mut store, &instance)
                    .map_err(|e| fail("instantiation", &e, &store))?,
            ),
            None => None,
        };
        let element = world.parallax_element_element();
        let window = if plugin.zero_copy {
            let [memory] = <[_; 1]>::try_from(memories).map_err(|m: Vec<_>| {
                settings_err(format!(
                    "WASM element '{name}' has {} linear memories; zero copy needs exactly one",
                    m.len()
                ))
            })?;
            let bytes = u32::try_from(window_bytes).map_err(|_| {
                settings_err(format!("window of {window_bytes} bytes is too large"))
            })?;
            limits.arm(&mut store);
            let offset = element
                .call_reserve_window(&mut store, bytes)
                .map_err(|e| fail("reserve-window", &e, &store))?
                .map_err(|msg| {
                    settings_err(format!(
                        "WASM element '{name}' could not reserve its {bytes}-byte window: {msg}"
                    ))
                })?;
            let window =
                GuestWindow::new(memory, offset as usize, window_bytes).map_err(|msg| {
                    Failure::fatal(ElementError::new(
                        ErrorKind::Core,
                        format!("WASM element '{name}' returned an unusable window: {msg}"),
                    ))
                })?;
            Some(window)
        } else {
            None
        };
        limits.arm(&mut store);
        let handle = element
            .instance()
            .call_create(&mut store, &setup.properties)
            .map_err(|e| fail("create", &e, &store))?
            .map_err(|msg| {
                settings_err(format!(
                    "WASM element '{name}' refused its properties: {msg}"
                ))
            })?;
        let mut live = Live {
            store,
            world,
            handle,
            handoff,
            window,
        };
        let mut max_output = None;
        if let Some((sink, src)) = setup.caps {
            limits.arm(&mut live.store);
            let answer = live
                .world
                .parallax_element_element()
                .instance()
                .call_set_caps(&mut live.store, live.handle, sink, src)
                .map_err(|e| fail("set-caps", &e, &live.store))?
                .map_err(|msg| {
                    settings_err(format!("WASM element '{name}' refused its caps: {msg}"))
                })?;
            max_output = Some(answer);
        }
        Ok((live, max_output))
    }
}
