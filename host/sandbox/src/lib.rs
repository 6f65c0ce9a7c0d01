//! `parallax-sandbox`: native elements in seccomp-sandboxed worker processes.
//!
//! A key design decision: an isolated element looks like any other element to the
//! executor. [`proxy::SandboxProxy`] implements the element traits; behind it a worker
//! process (the `parallax` binary re-entered through `__sandbox-worker`) instantiates the
//! real element from the same registry, by factory name and properties. Buffers cross as
//! leases and shared-arena slots, never as bytes: see `docs/security-model.md`.
//!
//! `unsafe` is confined to [`mailbox`] (the shared control area), [`lockdown`] (signal
//! handlers, `unshare`, the fork into the PID namespace, closing fds) and [`spawn`] (`pre_exec`, adopting fd 3); the shared
//! arena itself is in `parallax_core::memory::shared`.

pub mod entry;
pub mod error;
pub mod extra_meta;
pub mod fdpass;
mod files;
pub mod group;
pub mod isolate;
pub mod lockdown;
pub mod mailbox;
pub mod port;
pub mod protocol;
pub mod proxy;
pub mod spawn;
pub mod spin;
pub mod supervise;
mod worker;

pub use entry::{worker_available, worker_entry};
pub use error::{Result, SandboxError};
pub use group::WorkerGroup;
pub use isolate::{Isolation, SandboxConfig, isolating_registry};
pub use protocol::Protections;
pub use proxy::{SandboxProxy, probe};
pub use spawn::{WORKER_ENV, WORKER_SUBCOMMAND, WorkerCommand};
pub use supervise::{Death, DeathCause, RestartPolicy};
pub use worker::worker_main;
