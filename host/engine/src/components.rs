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

/// The per-user plugin directory: `$XDG_DATA_HOME/parallax/plugins`, by default
/// `~/.local/share/parallax/plugins`. `None` when neither variable is set.
pub fn user_plugin_dir() -> Option<PathBuf> {
    let data_home = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| Path::new(d).is_absolute())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        })?;
    Some(data_home.join("parallax").join("plugins"))
}

/// Where plugins are looked for, in order (the first element of a name wins): `explicit`
/// directories (`--plugin-dir`), then `PARALLAX_PLUGIN_PATH` (colon-separated), then the
/// [`user_plugin_dir`] when it exists.
pub fn plugin_search_path(explicit: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs = explicit.to_vec();
    if let Some(path) = std::env::var_os("PARALLAX_PLUGIN_PATH") {
        dirs.extend(std::env::split_paths(&path).filter(|p| !p.as_os_str().is_empty()));
    }
    dirs.extend(user_plugin_dir().filter(|d| d.is_dir()));
    dirs
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
        /// The version the component describes.
        version: String,
        /// SHA-256 of the file, in hex.
        hash: String,
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
            version: plugin.version().to_owned(),
            hash: plugin.load_report().content_hash.clone(),
            cache_hit: plugin.load_report().cache_hit,
            path,
        },
        Err(e) => rejected(e.to_string(), path),
    }
}
