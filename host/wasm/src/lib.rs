//! `parallax-wasm`: untrusted elements as WebAssembly components, behind the one WIT
//! contract in `wit/element.wit`.
//!
//! A key design decision: buffers cross into the guest without copies. Each instance's
//! linear memory is created by the host ([`memory`]), the guest reserves a window in it,
//! and the host maps memfd arenas there (inputs read-only); `process` receives offsets.
//! Guests that cannot address memory (Python, JavaScript) use `process-copy` instead.
//! Every instance has its own `Store` with a deadline, optional fuel and a memory cap;
//! a trap never reaches the host, and the element's `on-error` policy decides what
//! happens next. See `docs/security-model.md`.
//!
//! # Examples
//!
//! ```no_run
//! use parallax_core::Registry;
//! use parallax_wasm::{WasmConfig, WasmRuntime};
//!
//! let runtime = WasmRuntime::new(WasmConfig::default())?;
//! let plugin = runtime.load("passthrough.wasm".as_ref())?;
//! println!("{} loaded, cache hit: {}", plugin.info().name, plugin.load_report().cache_hit);
//! let mut registry = Registry::new();
//! plugin.register(&mut registry)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bindings;
mod cache;
mod element;
mod engine;
mod error;
mod imports;
mod info;
mod memory;
mod plugin;
mod state;
mod stats;

pub use cache::LoadReport;
pub use element::{SwapReport, WasmElement, WasmHandle};
pub use engine::{DEFAULT_WINDOW_BYTES, WasmConfig};
pub use error::{Result, WasmError};
pub use imports::Grants;
pub use info::{
    DEFAULT_DEADLINE_MS, DEFAULT_FUEL, DEFAULT_GRANT, DEFAULT_MEMORY_LIMIT, DEFAULT_ON_ERROR,
    HOST_PROPERTIES,
};
pub use plugin::{WasmPlugin, WasmRuntime};
pub use stats::{WasmStats, bytes_copied};
