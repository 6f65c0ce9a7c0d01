//! Pipeline states (PipeWire's model): Suspended ⇄ Idle ⇄ Running, plus Error.

use std::fmt;

/// The state of a pipeline. Paused and stopped-but-ready are the same state, Idle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// No resources held: elements stopped, no threads, no memory pools.
    Suspended,
    /// Prepared: caps negotiated, elements started, threads waiting. Also "paused".
    Idle,
    /// Data flows.
    Running,
    /// An element failed; suspend the pipeline to reset it.
    Error,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Suspended => "suspended",
            State::Idle => "idle",
            State::Running => "running",
            State::Error => "in error",
        })
    }
}
