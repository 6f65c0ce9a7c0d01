//! Starting a worker once to learn which protections this kernel lets it apply
//! (`parallax inspect`).

use std::sync::Arc;

use parallax_core::ElementFactory;

use super::SandboxProxy;
use super::handle::{CallError, WorkerHandle};
use crate::error::SandboxError;
use crate::isolate::SandboxConfig;
use crate::protocol::Protections;

/// Starts a worker for an element of `factory` (no pads, no data), reads back what it
/// locked down, and stops it.
///
/// # Errors
///
/// [`SandboxError`] when the worker cannot start, dies, or the element cannot be set
/// up in it.
pub fn probe(
    factory: ElementFactory,
    config: Arc<SandboxConfig>,
) -> Result<Protections, SandboxError> {
    let proxy = SandboxProxy::new(factory, "probe", Arc::clone(&config));
    let setup = proxy.setup(Vec::new());
    // No files and whatever the element's start says (a filesrc without a location
    // fails it): only the protections matter here.
    let (worker, _started) = proxy
        .group
        .join(true, |process| {
            WorkerHandle::start(process, &config, &setup, &[])
        })
        .map_err(|e| match e {
            CallError::Died(death) => SandboxError::Died(death),
            CallError::Failed(error) => error,
        })?;
    let protections = worker.protections.clone();
    worker.stop()?;
    Ok(protections)
}

impl std::fmt::Display for Protections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let yes = |b: bool| if b { "on" } else { "OFF" };
        writeln!(f, "no_new_privs   {}", yes(self.no_new_privs))?;
        writeln!(
            f,
            "seccomp        {} ({} syscalls allowed; others kill the worker with SIGSYS)",
            yes(self.seccomp),
            self.allowed_syscalls
        )?;
        match (&self.namespace_warning, self.namespaces.is_empty()) {
            (None, _) => writeln!(f, "namespaces     {}", self.namespaces.join(", "))?,
            (Some(why), true) => writeln!(f, "namespaces     OFF ({why})")?,
            (Some(why), false) => {
                writeln!(f, "namespaces     {} ({why})", self.namespaces.join(", "))?;
            }
        }
        writeln!(f, "rlimits        {}", self.rlimits.join(", "))?;
        writeln!(f, "open fds       {}", self.open_fds)?;
        write!(f, "environment    {} variables", self.env_vars)
    }
}
