//! [`WasmRuntime`] (engine, linker, cache) and [`WasmPlugin`] (one loaded component).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parallax_core::registry::RegisterError;
use parallax_core::{AnyElement, ElementInfo, Registry};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

use crate::bindings::{self, ElementIndices, ElementPre, handoff};
use crate::cache::{self, LoadReport};
use crate::element::{Role, WasmElement};
use crate::engine::{self, WasmConfig};
use crate::error::WasmError;
use crate::imports::{self, Grants};
use crate::info;
use crate::state::HostState;

/// Ticks `describe()` may run at load.
const DESCRIBE_DEADLINE_TICKS: u64 = 1000;

/// The WASM host: one engine (with its epoch ticker), one linker and the compilation
/// cache, shared by every plugin loaded through it. Cheap to clone.
#[derive(Clone)]
pub struct WasmRuntime {
    shared: Arc<RuntimeShared>,
}

pub(crate) struct RuntimeShared {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<HostState>,
    pub(crate) config: WasmConfig,
}

impl std::fmt::Debug for WasmRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmRuntime")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl WasmRuntime {
    /// Creates the engine and linker for `config`.
    ///
    /// # Errors
    ///
    /// [`WasmError::Engine`] when wasmtime refuses the configuration.
    pub fn new(config: WasmConfig) -> Result<WasmRuntime, WasmError> {
        let engine = engine::build(&config)?;
        let mut linker = Linker::<HostState>::new(&engine);
        // Everything is linked; what a component may actually import is decided by name
        // in `imports` before any instance exists, and the WASI context grants nothing.
        let link_err = |e: wasmtime::Error| WasmError::Engine(format!("{e:#}"));
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(link_err)?;
        bindings::host::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s)
            .map_err(link_err)?;
        bindings::clock::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s)
            .map_err(link_err)?;
        bindings::types::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s)
            .map_err(link_err)?;
        Ok(WasmRuntime {
            shared: Arc::new(RuntimeShared {
                engine,
                linker,
                config,
            }),
        })
    }

    /// The runtime-wide configuration.
    pub fn config(&self) -> &WasmConfig {
        &self.shared.config
    }

    /// Loads the component at `path` (from the cache when it was compiled before),
    /// checks its imports and asks it to describe itself.
    ///
    /// # Errors
    ///
    /// [`WasmError::Io`], [`WasmError::Compile`], [`WasmError::ForbiddenImport`],
    /// [`WasmError::Describe`] or [`WasmError::Unsupported`].
    pub fn load(&self, path: &Path) -> Result<WasmPlugin, WasmError> {
        let rt = &self.shared;
        let cache_dir = rt.config.resolved_cache_dir();
        let (component, report) = cache::load(&rt.engine, path, cache_dir.as_deref())?;
        let import_names = imports::import_names(&rt.engine, &component);
        let needed = imports::check(path, &import_names)?;
        let describe_err = |message: String| WasmError::Describe {
            path: path.to_owned(),
            message,
        };
        let pre = rt
            .linker
            .instantiate_pre(&component)
            .map_err(|e| describe_err(format!("{e:#}")))?;
        let indices = ElementIndices::new(&pre).map_err(|e| describe_err(format!("{e:#}")))?;
        // Optional: components without it instantiate all the same.
        let handoff = handoff::GuestIndices::new(&pre).ok();
        let pre = ElementPre::new(pre).map_err(|e| describe_err(format!("{e:#}")))?;
        let desc = {
            let mut store = Store::new(
                &rt.engine,
                HostState::new("describe", info::DEFAULT_MEMORY_LIMIT as usize, needed),
            );
            store.limiter(|s| &mut s.limits);
            store.set_epoch_deadline(DESCRIBE_DEADLINE_TICKS);
            if rt.config.consume_fuel {
                store
                    .set_fuel(u64::MAX)
                    .map_err(|e| describe_err(format!("{e:#}")))?;
            }
            let _ = crate::memory::take_created();
            let bindings = pre.instantiate(&mut store);
            let _ = crate::memory::take_created();
            let bindings = bindings.map_err(|e| describe_err(format!("{e:#}")))?;
            bindings
                .parallax_element_element()
                .call_describe(&mut store)
                .map_err(|e| {
                    describe_err(format!(
                        "describe() failed: {e:#}; guest output: {}",
                        store.data().captured_output()
                    ))
                })?
        };
        let (info, zero_copy) = info::convert(&desc).map_err(describe_err)?;
        let info = info.origin(parallax_core::ElementOrigin::Component {
            path: path.to_owned(),
            version: desc.version.clone(),
            hash: report.content_hash.clone(),
        });
        match Role::of(&info) {
            None => {
                return Err(WasmError::Unsupported {
                    element: info.name.clone(),
                    message: "an element needs at least one pad".into(),
                });
            }
            Some(Role::Source) if !zero_copy => {
                return Err(WasmError::Unsupported {
                    element: info.name.clone(),
                    message: "sources run on the zero-copy path only (`generate`)".into(),
                });
            }
            Some(_) => {}
        }
        Ok(WasmPlugin {
            shared: Arc::new(PluginShared {
                runtime: Arc::clone(&self.shared),
                path: path.to_owned(),
                component,
                pre,
                indices,
                handoff,
                info,
                zero_copy,
                imports: import_names,
                needed,
                version: desc.version.clone(),
                report,
            }),
        })
    }
}

/// One loaded, checked and described component: a factory of [`WasmElement`]s.
#[derive(Clone)]
pub struct WasmPlugin {
    shared: Arc<PluginShared>,
}

pub(crate) struct PluginShared {
    pub(crate) runtime: Arc<RuntimeShared>,
    pub(crate) path: PathBuf,
    #[expect(dead_code, reason = "kept alive with its InstancePre for inspection")]
    pub(crate) component: Component,
    pub(crate) pre: ElementPre<HostState>,
    /// Where the element's exports are, to load them from each new instance.
    pub(crate) indices: ElementIndices,
    /// Where the optional `handoff` exports are, when the component has them.
    pub(crate) handoff: Option<handoff::GuestIndices>,
    pub(crate) info: ElementInfo,
    pub(crate) zero_copy: bool,
    pub(crate) imports: Vec<String>,
    pub(crate) needed: Grants,
    /// The version `describe()` gave.
    pub(crate) version: String,
    pub(crate) report: LoadReport,
}

impl std::fmt::Debug for WasmPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmPlugin")
            .field("path", &self.shared.path)
            .field("element", &self.shared.info.name)
            .finish_non_exhaustive()
    }
}

impl WasmPlugin {
    /// The element's info: the guest's pads and properties plus the host-handled
    /// properties (`deadline-ms`, `fuel`, `memory-limit`, `on-error`, `grant`).
    pub fn info(&self) -> &ElementInfo {
        &self.shared.info
    }

    /// How the component was loaded (cache hit, compile and load times).
    pub fn load_report(&self) -> &LoadReport {
        &self.shared.report
    }

    /// Everything the component imports, as it names them.
    pub fn imports(&self) -> &[String] {
        &self.shared.imports
    }

    /// The capabilities the component needs granted (`grant=` property) to start.
    pub fn required_grants(&self) -> Grants {
        self.shared.needed
    }

    /// Whether the element uses the zero-copy data path (else `process-copy`).
    pub fn is_zero_copy(&self) -> bool {
        self.shared.zero_copy
    }

    /// The component file.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    pub(crate) fn shared(&self) -> &Arc<PluginShared> {
        &self.shared
    }

    /// The version the component describes.
    pub fn version(&self) -> &str {
        &self.shared.version
    }

    /// A new element (its guest instance is created on first use).
    pub fn create(&self) -> WasmElement {
        WasmElement::new(Arc::clone(&self.shared))
    }

    /// Registers the element under its own name: as a source when it has no sink pads,
    /// a sink when it has no src pads, a transform otherwise.
    ///
    /// # Errors
    ///
    /// [`RegisterError`] for a duplicate or invalid name.
    pub fn register(&self, registry: &mut Registry) -> Result<(), RegisterError> {
        let shared = Arc::clone(&self.shared);
        let role = Role::of(&self.shared.info).unwrap_or(Role::Transform);
        registry.register(self.shared.info.clone(), move || {
            let element = Box::new(WasmElement::new(Arc::clone(&shared)));
            match role {
                Role::Source => AnyElement::Source(element),
                Role::Transform => AnyElement::Transform(element),
                Role::Sink => AnyElement::Sink(element),
            }
        })
    }
}
