//! Errors of the sandbox.

use parallax_core::memory::MemoryError;

/// What can go wrong setting up or talking to a worker.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// A system call failed.
    #[error("{op} failed: {source}")]
    Os {
        /// The call.
        op: &'static str,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// Shared memory could not be created or mapped.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// The other side sent something that breaks the protocol.
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// The worker could not be started.
    #[error("cannot start the worker {program}: {source}")]
    Spawn {
        /// The executable.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The seccomp filter could not be built or installed.
    #[error("seccomp: {0}")]
    Seccomp(String),
    /// The worker died; the detail says how.
    #[error("worker died: {0}")]
    Died(crate::supervise::Death),
    /// The worker group's restart policy is used up.
    #[error("the sandboxed worker group failed earlier: {0}")]
    GroupFailed(String),
    /// The element inside the worker refused its setup.
    #[error("the element failed to set up in the worker: {0}")]
    Setup(String),
    /// A file the element declared (`sandbox_files`) could not be opened by the host.
    #[error("could not open file \"{}\" for {access}: {source}", .path.display())]
    File {
        /// The path as declared.
        path: std::path::PathBuf,
        /// How (`reading`, `writing`, `appending`).
        access: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The element's `start()` failed in the worker.
    #[error("{0}")]
    Start(parallax_core::ElementError),
}

impl SandboxError {
    pub(crate) fn os(op: &'static str, err: rustix::io::Errno) -> Self {
        SandboxError::Os {
            op,
            source: std::io::Error::from(err),
        }
    }
}

/// `Result` with [`SandboxError`].
pub type Result<T, E = SandboxError> = std::result::Result<T, E>;
