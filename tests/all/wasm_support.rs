//! Shared setup of the WASM tests: one runtime, the built guests, a registry with them.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use parallax::core::Registry;
use parallax_wasm::{WasmConfig, WasmPlugin, WasmRuntime};

/// The built component of guest crate `name` (`tests/artifacts` builds them); a
/// non-existent path for unknown names.
pub(crate) fn guest_path(name: &str) -> PathBuf {
    parallax_test_artifacts::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| PathBuf::from(p))
        .unwrap_or_else(|| PathBuf::from(format!("/nonexistent/{name}.wasm")))
}

/// A scratch directory under the target dir, emptied first.
pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/test-scratch")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The runtime every test shares (its cache lives under the target dir).
pub(crate) fn runtime() -> &'static WasmRuntime {
    static RUNTIME: OnceLock<WasmRuntime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        WasmRuntime::new(WasmConfig {
            cache_dir: Some(
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/wasm-cache-tests"),
            ),
            ..WasmConfig::default()
        })
        .unwrap()
    })
}

/// Loads guest `name`.
pub(crate) fn load(name: &str) -> WasmPlugin {
    runtime()
        .load(&guest_path(name))
        .unwrap_or_else(|e| panic!("loading {name}: {e}"))
}

/// Built-in elements plus the given guests.
pub(crate) fn registry(guests: &[&str]) -> Arc<Registry> {
    let mut registry = Registry::new();
    parallax_elements::register_all(&mut registry).unwrap();
    for g in guests {
        load(g).register(&mut registry).unwrap();
    }
    Arc::new(registry)
}

/// Parses `text` with a registry holding `guests`.
pub(crate) fn pipeline(guests: &[&str], text: &str) -> parallax::Pipeline {
    parallax::Pipeline::parse_with(registry(guests), text, "test.px")
        .unwrap_or_else(|e| panic!("parsing {text}: {e}"))
}
