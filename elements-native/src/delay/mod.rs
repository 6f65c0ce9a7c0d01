//! `delay`: holds every buffer back for `duration` after it arrived, like netem's delay:
//! latency injection for testing.
//!
//! A key design decision: the element holds no buffers; it sleeps on the streaming thread
//! (in short slices, giving up with `Flushing` when the pipeline stops) until the buffer's
//! time has come, so order is kept, nothing piles up in the element, and upstream feels
//! the wait as backpressure. The cost is throughput: within one streaming thread, at most
//! one buffer per `duration` gets through. To delay a live stream without slowing it,
//! set `shift-timestamps=true`: nothing sleeps, `duration` is added to each buffer's pts
//! and dts (GStreamer's `identity ts-offset`; a missing timestamp stays missing), and a
//! sink with `sync=true` then presents every buffer `duration` later while the rate stays
//! the same.
//!
//! # Examples
//!
//! ```text
//! fakesrc num-buffers=10 ! delay duration=50000000 ! fakesink    (50 ms per buffer)
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `delay`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
