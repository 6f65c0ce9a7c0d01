//! The one place wasmtime is configured, and the epoch ticker.
//!
//! A key design decision: every limit that must hold for all elements is set here, once:
//! `concurrency_support(false)` (3.5x cheaper calls: no async components are needed),
//! epoch interruption with a single 1 ms ticker thread per process (deadlines are
//! counted in ticks), fuel metering (per-element budgets; unlimited by default),
//! `memory_init_cow(false)` plus the [`WindowCreator`](crate::memory::WindowCreator) so
//! the host can map memfd slots into guest memory (the pooling allocator would ignore
//! it), and SIMD on. Precompiled artifacts are only valid for this exact configuration,
//! which the cache key includes.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use wasmtime::{Config, Engine, EngineWeak};

use crate::error::WasmError;
use crate::memory::WindowCreator;

/// How often the epoch advances: one deadline tick.
pub(crate) const TICK: Duration = Duration::from_millis(1);

/// Default size of the zero-copy window: room for a few arenas of HD frames.
pub const DEFAULT_WINDOW_BYTES: usize = 512 << 20;

/// Runtime-wide settings (per-element limits are element properties instead).
#[derive(Debug, Clone)]
pub struct WasmConfig {
    /// Where compiled components are cached; `None` picks `$PARALLAX_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/parallax`, else `~/.cache/parallax`.
    pub cache_dir: Option<PathBuf>,
    /// Whether to cache compiled components on disk at all.
    pub use_cache: bool,
    /// Whether fuel metering is compiled in (the `fuel` property needs it; measured
    /// overhead is about zero).
    pub consume_fuel: bool,
    /// Bytes of each zero-copy guest's address space reserved for mapped buffers
    /// (input arenas and the element's output arena). Virtual only: nothing is
    /// committed, and it does not count against `memory-limit`.
    pub window_bytes: usize,
}

impl Default for WasmConfig {
    fn default() -> Self {
        WasmConfig {
            cache_dir: None,
            use_cache: true,
            consume_fuel: true,
            window_bytes: DEFAULT_WINDOW_BYTES,
        }
    }
}

impl WasmConfig {
    /// The cache directory this configuration resolves to, if any can be found.
    pub fn resolved_cache_dir(&self) -> Option<PathBuf> {
        if !self.use_cache {
            return None;
        }
        if let Some(dir) = &self.cache_dir {
            return Some(dir.clone());
        }
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        env("PARALLAX_CACHE_DIR")
            .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("parallax")))
            .or_else(|| env("HOME").map(|d| d.join(".cache").join("parallax")))
    }
}

/// Builds the engine for `config`.
pub(crate) fn build(config: &WasmConfig) -> Result<Engine, WasmError> {
    let mut c = Config::new();
    c.concurrency_support(false)
        .epoch_interruption(true)
        .consume_fuel(config.consume_fuel)
        .wasm_simd(true)
        .memory_init_cow(false)
        .with_host_memory(Arc::new(WindowCreator));
    let engine = Engine::new(&c).map_err(|e| WasmError::Engine(format!("{e:#}")))?;
    start_ticker(&engine);
    Ok(engine)
}

/// Engines the ticker advances; dead ones are dropped on the next tick.
static ENGINES: OnceLock<Mutex<Vec<EngineWeak>>> = OnceLock::new();

/// Adds `engine` to the process's single ticker thread (started on first use).
fn start_ticker(engine: &Engine) {
    let mut first = false;
    let engines = ENGINES.get_or_init(|| {
        first = true;
        Mutex::new(Vec::new())
    });
    engines
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(engine.weak());
    if first {
        let spawned = std::thread::Builder::new()
            .name("parallax-wasm-epoch".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(TICK);
                    let mut list = engines.lock().unwrap_or_else(|p| p.into_inner());
                    list.retain(|weak| match weak.upgrade() {
                        Some(engine) => {
                            engine.increment_epoch();
                            true
                        }
                        None => false,
                    });
                }
            });
        if let Err(e) = spawned {
            // Without the ticker deadlines never fire; fuel and memory limits still hold.
            tracing::error!("cannot start the WASM epoch ticker: {e}");
        }
    }
}
