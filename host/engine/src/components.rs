//! WebAssembly components as elements: given by path in `.px` text, or found in plugin
//! directories (feature `wasm`).
//!
//! One [`parallax_wasm::WasmRuntime`] per process (one engine, one epoch ticker, one
//! compilation cache), made on first use.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use parallax_core::{ElementFactory, Registry};
use parallax_wasm::{WasmConfig, WasmRuntime};

use crate::graph::ComponentResolver;

/// The process's WASM runtime, or why it could not start.
pub fn runtime() -> Result<&'static WasmRuntime, String> {
    static RUNTIME: OnceLock<Result<WasmRuntime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| WasmRuntime::new(WasmConfig::default()).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// Loads components with the process's runtime.
#[derive(Debug, Default, Clone, Copy)]
pub struct WasmComponents;

impl ComponentResolver for WasmComponents {
    fn resolve(&self, path: &str) -> Result<ElementFactory, String> {
        let plugin = runtime()?
            .load(Path::new(path))
            .map_err(|e| e.to_string())?;
        // A scratch registry turns the plugin into a factory without claiming its name
        // in the real one (a component given by path may share a name with another).
        let mut scratch = Registry::new();
        plugin.register(&mut scratch).map_err(|e| e.to_string())?;
        scratch
            .get(&plugin.info().name)
            .cloned()
            .ok_or_else(|| "the component registered no element".to_owned())
    }
}

/// What happened to one file found in a plugin directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginReport {
    /// Registered as element `name`.
    Loaded {
        /// The file.
        path: PathBuf,
        /// The element name.
        name: String,
        /// Whether the compiled code came from the cache.
        cache_hit: bool,
    },
    /// Not usable; the pipeline goes on without it.
    Rejected {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// The built-in elements plus every `.wasm` component in `dirs` (in order; the first
/// element of a name wins). Invalid files are reported, never fatal.
pub fn registry_with_plugins(dirs: &[PathBuf]) -> (Arc<Registry>, Vec<PluginReport>) {
    let mut registry = (*crate::default_registry()).clone();
    let mut reports = Vec::new();
    for dir in dirs {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                reports.push(PluginReport::Rejected {
                    path: dir.clone(),
                    reason: format!("cannot read plugin directory: {e}"),
                });
                continue;
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect();
        files.sort();
        for path in files {
            reports.push(load_into(&mut registry, path));
        }
    }
    (Arc::new(registry), reports)
}

fn load_into(registry: &mut Registry, path: PathBuf) -> PluginReport {
    let rejected = |reason: String, path: PathBuf| PluginReport::Rejected { path, reason };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(reason) => return rejected(reason, path),
    };
    let plugin = match runtime.load(&path) {
        Ok(plugin) => plugin,
        Err(e) => return rejected(e.to_string(), path),
    };
    match plugin.register(registry) {
        Ok(()) => PluginReport::Loaded {
            name: plugin.info().name.clone(),
            cache_hit: plugin.load_report().cache_hit,
            path,
        },
        Err(e) => rejected(e.to_string(), path),
    }
}
