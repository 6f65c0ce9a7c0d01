//! Per-call limits and what a failed call means.
//!
//! Before every guest call the store gets a fresh epoch deadline (`deadline-ms` ticks of
//! 1 ms) and, when the engine meters fuel, a fresh fuel budget (`fuel`, or unlimited).
//! A failed call becomes a [`Failure`]: an `ElementError` that names the element, the
//! cause (deadline, fuel, memory, trap), the guest's captured stdout/stderr (a Rust
//! panic message lands there) and the wasm backtrace, plus whether the instance can
//! still be called (after a trap it cannot: wasmtime poisons it).

use parallax_core::{ElementError, ErrorKind};
use wasmtime::{Store, Trap, WasmBacktrace};

use crate::state::HostState;

/// A guest call that did not produce a result.
#[derive(Debug)]
pub(crate) struct Failure {
    /// What to report.
    pub(crate) error: ElementError,
    /// Whether the same instance may be called again.
    pub(crate) usable: bool,
}

impl Failure {
    /// A failure the guest reported itself (or a host-side refusal of its output): the
    /// instance is still usable.
    pub(crate) fn reported(error: ElementError) -> Self {
        Failure {
            error,
            usable: true,
        }
    }

    /// A failure that leaves no usable instance (instantiation failed, or a trap).
    pub(crate) fn fatal(error: ElementError) -> Self {
        Failure {
            error,
            usable: false,
        }
    }
}

/// The limits of one call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallLimits {
    /// Epoch ticks (milliseconds).
    pub(crate) deadline_ticks: u64,
    /// Fuel, 0 = unlimited.
    pub(crate) fuel: u64,
    /// Whether the engine meters fuel.
    pub(crate) metered: bool,
}

impl CallLimits {
    /// Arms the store for one call.
    pub(crate) fn arm(&self, store: &mut Store<HostState>) {
        store.set_epoch_deadline(self.deadline_ticks.max(1));
        if self.metered {
            let fuel = if self.fuel == 0 { u64::MAX } else { self.fuel };
            // Only fails when the engine does not meter fuel, which `metered` rules out.
            let _ = store.set_fuel(fuel);
        }
    }
}

/// Turns a wasmtime error from calling `what` into a [`Failure`].
pub(crate) fn trap_failure(
    element: &str,
    what: &str,
    err: &wasmtime::Error,
    store: &Store<HostState>,
    limits: &CallLimits,
    memory_limit: u64,
) -> Failure {
    let output = store.data().captured_output();
    let text = format!("{err:#}");
    let trap = err.downcast_ref::<Trap>().copied();
    let cause = match trap {
        Some(Trap::Interrupt) => format!(
            "exceeded its deadline of {} ms in {what}",
            limits.deadline_ticks
        ),
        Some(Trap::OutOfFuel) => format!("ran out of fuel ({}) in {what}", limits.fuel),
        _ if text.contains("forcing trap when growing memory")
            || output.contains("memory allocation of") =>
        {
            format!("exceeded its memory limit of {memory_limit} bytes in {what}")
        }
        Some(t) => format!("trapped in {what}: {t}"),
        None => format!("failed in {what}: {text}"),
    };
    let mut message = format!("WASM element '{element}' {cause}");
    if !output.is_empty() {
        message.push_str("; guest output: ");
        message.push_str(&output);
    }
    let mut debug = text;
    if let Some(bt) = err.downcast_ref::<WasmBacktrace>() {
        debug.push_str(&format!("\n{bt}"));
    }
    Failure::fatal(ElementError::new(ErrorKind::Core, message).with_debug(debug))
}
