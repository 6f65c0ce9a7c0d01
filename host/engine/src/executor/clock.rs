//! The pipeline clock: running time that stands still while the pipeline is paused.
//!
//! Sinks with `sync=true` and live sources wait on it, so pausing and resuming a live
//! pipeline continues where it stopped instead of rushing to catch up.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use parallax_core::ClockTime;

#[derive(Debug)]
struct ClockState {
    base: Instant,
    paused_total: Duration,
    paused_since: Option<Instant>,
}

/// Running time of one pipeline.
#[derive(Debug)]
pub(crate) struct Clock {
    state: Mutex<ClockState>,
}

impl Clock {
    /// A clock that starts paused at running time zero.
    pub(crate) fn new() -> Self {
        let now = Instant::now();
        Clock {
            state: Mutex::new(ClockState {
                base: now,
                paused_total: Duration::ZERO,
                paused_since: Some(now),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Time spent running since the clock was made.
    pub(crate) fn running_time(&self) -> ClockTime {
        let s = self.lock();
        let now = s.paused_since.unwrap_or_else(Instant::now);
        ClockTime::from(
            now.saturating_duration_since(s.base)
                .saturating_sub(s.paused_total),
        )
    }

    /// Stops running time.
    pub(crate) fn pause(&self) {
        let mut s = self.lock();
        if s.paused_since.is_none() {
            s.paused_since = Some(Instant::now());
        }
    }

    /// Lets running time advance again.
    pub(crate) fn resume(&self) {
        let mut s = self.lock();
        if let Some(since) = s.paused_since.take() {
            s.paused_total += since.elapsed();
        }
    }
}
