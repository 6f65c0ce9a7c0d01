//! Entering a process as a worker, and knowing whether this process can be one.
//!
//! A key design decision: isolation that happens automatically (an element whose hints
//! ask for it) must never spawn an executable that does not understand the internal
//! subcommand; a test runner or an embedder's program would start from its own `main`.
//! So a process says it can serve as its own worker by calling [`worker_entry`] first
//! thing in `main` (the `parallax` binary does), or names a worker in `$PARALLAX_WORKER`.

use std::sync::atomic::{AtomicBool, Ordering};

use parallax_core::Registry;

use crate::spawn::{WORKER_ENV, WORKER_SUBCOMMAND};
use crate::worker::worker_main;

/// Set once `main` has passed through [`worker_entry`]: the running executable answers
/// the internal subcommand.
static SELF_SERVES: AtomicBool = AtomicBool::new(false);

/// Call first thing in `main`. When the process was started as a worker
/// (`argv[1] == "__sandbox-worker"`) this runs the worker with the elements of
/// `registry()` and returns its exit status; otherwise it records that this executable
/// can serve as a worker and returns `None`.
pub fn worker_entry<R: std::ops::Deref<Target = Registry>>(
    registry: impl FnOnce() -> R,
) -> Option<i32> {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == WORKER_SUBCOMMAND)
    {
        return Some(worker_main(&registry()));
    }
    SELF_SERVES.store(true, Ordering::Release);
    None
}

/// Whether a worker executable is known: this process went through [`worker_entry`], or
/// `$PARALLAX_WORKER` names one.
pub fn worker_available() -> bool {
    SELF_SERVES.load(Ordering::Acquire)
        || std::env::var_os(WORKER_ENV).is_some_and(|p| !p.is_empty())
}
