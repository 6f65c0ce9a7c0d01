//! Sleeping on a streaming thread without losing responsiveness, for elements that hold
//! buffers back on purpose (`ratelimit`, `delay`).
//!
//! A key design decision: times are nanoseconds since an element-chosen origin
//! [`Instant`], as saturating `u64`s, so no property value (however large) can overflow
//! an `Instant` and panic; a deadline too far to represent simply never comes, and the
//! sleep ends when the pipeline stops.

use std::time::{Duration, Instant};

use parallax_core::{FlowError, ProcessContext};

/// Longest single sleep, so that a stop or flush is noticed within this time.
pub(crate) const SLICE: Duration = Duration::from_millis(10);

/// Nanoseconds from `origin` to now, saturating.
pub(crate) fn elapsed_ns(origin: Instant) -> u64 {
    u64::try_from(origin.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Sleeps until `deadline_ns` nanoseconds after `origin`, in slices of at most [`SLICE`].
///
/// # Errors
///
/// [`FlowError::Flushing`] as soon as the pipeline stops or flushes while waiting.
pub(crate) fn sleep_until(
    origin: Instant,
    deadline_ns: u64,
    ctx: &ProcessContext<'_>,
) -> Result<(), FlowError> {
    loop {
        if ctx.is_cancelled() {
            return Err(FlowError::Flushing);
        }
        let now = elapsed_ns(origin);
        if now >= deadline_ns {
            return Ok(());
        }
        std::thread::sleep(Duration::from_nanos(deadline_ns - now).min(SLICE));
    }
}
