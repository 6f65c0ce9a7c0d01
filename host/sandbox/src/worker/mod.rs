//! The worker process: receive the set-up, lock down, then run one element on request.
//!
//! Entered through `parallax __sandbox-worker` (or any binary that calls
//! [`worker_main`] with its registry). Panics are not caught here on purpose: a worker
//! that panics dies, and the host reports and restarts it like any other crash.

mod link;
mod run;

use std::sync::{Arc, Mutex};

use parallax_core::Registry;
use rkyv::util::AlignedVec;

use crate::error::SandboxError;
use crate::fdpass;
use crate::lockdown;
use crate::mailbox::Mailbox;
use crate::protocol::{FromWorker, Setup, WorkerError};
use crate::spawn::inherited_socket;
use link::Link;

pub(crate) use run::error_kind as run_error_kind;

/// Runs a worker with the elements of `registry`; returns the process exit status.
pub fn worker_main(registry: &Registry) -> i32 {
    let Some(socket) = inherited_socket() else {
        eprintln!("parallax: __sandbox-worker is internal; the sandbox starts it");
        return 2;
    };
    match serve(registry, socket) {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("parallax worker: {error}");
            1
        }
    }
}

fn serve(registry: &Registry, socket: std::os::fd::OwnedFd) -> Result<(), SandboxError> {
    let mut buf = vec![0u8; crate::mailbox::AREA_CAPACITY];
    let (len, fds) = fdpass::recv(&socket, &mut buf)?;
    let [mailbox_fd, bell_in, bell_out]: [std::os::fd::OwnedFd; 3] = fds
        .try_into()
        .map_err(|_| SandboxError::Protocol("set-up needs three fds".into()))?;
    let mut aligned = AlignedVec::<16>::new();
    aligned.extend_from_slice(&buf[..len]);
    let setup = rkyv::from_bytes::<Setup, rkyv::rancor::Error>(&aligned)
        .map_err(|e| SandboxError::Protocol(format!("invalid set-up: {e}")))?;
    drop(buf);
    // The mailbox lives as long as the process: the SIGSYS reporter writes into it.
    let mailbox: &'static Mailbox = Box::leak(Box::new(Mailbox::attach(mailbox_fd)?));
    let protections = lockdown::lock_down(
        &setup.limits,
        &[&socket, &bell_in, &bell_out, &mailbox.fd()],
        mailbox.fault_word(),
    )?;
    // From here on no file, socket or process can be opened.
    let link = Arc::new(Mutex::new(Link::new(mailbox, socket, bell_in, bell_out)));
    match run::Session::new(registry, &setup, Arc::clone(&link)) {
        Ok(session) => {
            link.lock()
                .unwrap_or_else(|p| p.into_inner())
                .send(&FromWorker::Ready(protections))?;
            session.serve()
        }
        Err(message) => {
            link.lock()
                .unwrap_or_else(|p| p.into_inner())
                .send(&FromWorker::SetupFailed(WorkerError {
                    kind: 0,
                    message,
                    debug: None,
                }))
        }
    }
}
