//! What the host offers every element: its log and the pipeline bus; and, when the
//! pipeline grants it, the pipeline clock.
//!
//! On a non-wasm target (unit tests of an element's logic) the log and the bus write to
//! stderr instead, and the clock counts from the first call.

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something failed.
    Error,
    /// Something looks wrong.
    Warning,
    /// Normal, rare events.
    Info,
    /// Details for developers.
    Debug,
    /// Per-buffer details.
    Trace,
}

/// Writes a line to the host's log (tracing), tagged with the element's name.
///
/// The [`info!`](crate::info) family of macros formats and calls this.
pub fn log(level: Level, message: &str) {
    #[cfg(target_arch = "wasm32")]
    {
        use crate::bindings::parallax::element::host;
        use crate::bindings::parallax::element::types::LogLevel;
        let level = match level {
            Level::Error => LogLevel::Error,
            Level::Warning => LogLevel::Warning,
            Level::Info => LogLevel::Info,
            Level::Debug => LogLevel::Debug,
            Level::Trace => LogLevel::Trace,
        };
        host::log(level, message);
    }
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{level:?}] {message}");
}

/// Posts an element message on the pipeline bus, in GStreamer structure form
/// (`my/stats, mean=(double)0.5`); the host posts malformed text as a warning instead.
pub fn post_message(structure: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::bindings::parallax::element::host::post_message(structure);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[message] {structure}");
}

/// The pipeline's running time in nanoseconds: it starts at zero when the pipeline first
/// plays and stands still while it is paused.
///
/// Calling this makes the component import `parallax:element/clock`, which the host only
/// links for elements given `grant=clock`; without it the element is refused at start,
/// with a message naming the import.
pub fn running_time() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        crate::bindings::parallax::element::clock::running_time()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::OnceLock;
        use std::time::Instant;
        static START: OnceLock<Instant> = OnceLock::new();
        u64::try_from(START.get_or_init(Instant::now).elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}
