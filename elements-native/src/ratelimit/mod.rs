//! `ratelimit`: holds the streaming thread back so that no more than `max-rate` buffers
//! and `max-bytes-per-second` bytes per second leave the element.
//!
//! GStreamer has no single equivalent: `identity sync=true` paces by timestamps, not by a
//! rate, and `videorate max-rate` drops frames instead of waiting. This element paces by
//! the wall clock and ignores timestamps, which is what a network shaper or a load test
//! wants.
//!
//! A key design decision: each limit is a token bucket kept as a theoretical arrival time
//! (the GCRA form: one timestamp per limit, no timer, no allocation). A buffer leaves once
//! every enabled limit's schedule allows it, with a burst tolerance of 5 ms (`BURST`) so
//! that scheduling jitter does not lower the long-run rate. A buffer's cost is charged
//! after it leaves, so one buffer bigger than a second's worth of bytes still passes and
//! the next waits for it. The thread sleeps in short slices and gives up
//! with `Flushing` when the pipeline stops. Changing a limit while playing restarts its
//! schedule.
//!
//! # Examples
//!
//! ```text
//! fakesrc sizetype=fixed sizemax=1316 ! ratelimit max-bytes-per-second=65536 ! fakesink
//! ```

mod imp;

use parallax_core::registry::{RegisterError, Registry};

/// Registers `ratelimit`.
///
/// # Errors
///
/// [`RegisterError`] on a duplicate name.
pub(crate) fn register(registry: &mut Registry) -> Result<(), RegisterError> {
    registry.register(imp::info(), imp::create)
}
