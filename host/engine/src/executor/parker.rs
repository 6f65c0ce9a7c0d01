//! Waking a streaming thread: `std::thread::park`/`unpark` behind a handle that can be
//! created before the thread exists.
//!
//! An unpark that comes before the park is remembered by the thread's token, so a wake-up
//! cannot be lost between "found nothing" and "going to sleep".

use std::sync::OnceLock;
use std::thread::Thread;
use std::time::Duration;

/// The wake-up handle of one streaming thread.
#[derive(Debug, Default)]
pub(crate) struct Parker {
    thread: OnceLock<Thread>,
}

impl Parker {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Binds the handle to the calling thread.
    pub(crate) fn bind_current(&self) {
        let _ = self.thread.set(std::thread::current());
    }

    /// Binds the handle to `thread` (from the spawning side, before it runs).
    pub(crate) fn bind(&self, thread: Thread) {
        let _ = self.thread.set(thread);
    }

    /// Sleeps until woken or `timeout` passes. Call only from the bound thread.
    pub(crate) fn park(&self, timeout: Duration) {
        std::thread::park_timeout(timeout);
    }

    /// Wakes the bound thread (a no-op before binding: the thread then polls).
    pub(crate) fn unpark(&self) {
        if let Some(thread) = self.thread.get() {
            thread.unpark();
        }
    }
}
