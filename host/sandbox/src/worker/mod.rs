//! The worker process: receive the process set-up, lock down, then run one element on
//! its main thread, or (a group) each element that joins on a thread of its own.
//!
//! Entered through `parallax __sandbox-worker` (or any binary that calls
//! [`worker_main`] with its registry). Panics are not caught here on purpose: a worker
//! that panics dies, and the host reports and restarts it like any other crash.

mod link;
mod run;

use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};

use parallax_core::Registry;
use rkyv::util::AlignedVec;

use crate::error::SandboxError;
use crate::fdpass;
use crate::lockdown;
use crate::mailbox::Mailbox;
use crate::protocol::{FromWorker, ProcessSetup, Protections, Setup, WorkerError};
use crate::spawn::inherited_socket;
use link::Link;

pub(crate) use run::element_error;

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

fn serve(registry: &Registry, control: OwnedFd) -> Result<(), SandboxError> {
    let mut buf = vec![0u8; crate::mailbox::AREA_CAPACITY];
    let (len, fds) = fdpass::recv(&control, &mut buf)?;
    let [fault_fd]: [OwnedFd; 1] = fds
        .try_into()
        .map_err(|_| SandboxError::Protocol("the process set-up needs one fd".into()))?;
    let process: ProcessSetup = decode(&buf[..len], "process set-up")?;
    // The fault area lives as long as the process: the signal reporters write into it.
    let fault: &'static Mailbox = Box::leak(Box::new(Mailbox::attach(fault_fd)?));
    // Elements open files only through what the host grants (see `files.rs`).
    parallax_core::files::worker::confine();
    let protections = lockdown::lock_down(
        &process.limits,
        &[&control, &fault.fd()],
        fault.fault_word(),
        fault.culprit_word(),
    )?;
    // From here on no file, socket or process can be opened; elements' fds come from
    // the host over the control socket.
    if !process.group {
        let member = receive_member(&control, &mut buf)?;
        return run_member(registry, member, protections);
    }
    std::thread::scope(|scope| {
        // The host closes the control socket when the group's last element is gone.
        while let Ok(member) = receive_member(&control, &mut buf) {
            let protections = protections.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("px-member-{}", member.0.member))
                .spawn_scoped(scope, move || {
                    let served = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        run_member(registry, member, protections)
                    }));
                    // One element failing takes the process down, as a single-element
                    // worker would go down: the host sees a death and restarts the group.
                    match served {
                        Ok(Ok(())) => {}
                        Ok(Err(error)) => {
                            eprintln!("parallax worker: {error}");
                            std::process::exit(1);
                        }
                        Err(_) => std::process::exit(101),
                    }
                });
            if spawned.is_err() {
                return Err(SandboxError::Protocol(
                    "cannot start an element thread".into(),
                ));
            }
        }
        Ok(())
    })
}

fn decode<T>(bytes: &[u8], what: &str) -> Result<T, SandboxError>
where
    T: rkyv::Archive,
    T::Archived: for<'a> rkyv::bytecheck::CheckBytes<rkyv::api::high::HighValidator<'a, rkyv::rancor::Error>>
        + rkyv::Deserialize<T, rkyv::api::high::HighDeserializer<rkyv::rancor::Error>>,
{
    let mut aligned = AlignedVec::<16>::new();
    aligned.extend_from_slice(bytes);
    rkyv::from_bytes::<T, rkyv::rancor::Error>(&aligned)
        .map_err(|e| SandboxError::Protocol(format!("invalid {what}: {e}")))
}

/// One element's set-up and its fds: socket, mailbox, doorbell in, doorbell out.
type Member = (Setup, [OwnedFd; 4]);

fn receive_member(control: &OwnedFd, buf: &mut [u8]) -> Result<Member, SandboxError> {
    let (len, fds) = fdpass::recv(control, buf)?;
    let fds: [OwnedFd; 4] = fds
        .try_into()
        .map_err(|_| SandboxError::Protocol("an element set-up needs four fds".into()))?;
    Ok((decode(&buf[..len], "set-up")?, fds))
}

fn run_member(
    registry: &Registry,
    (setup, [socket, mailbox_fd, bell_in, bell_out]): Member,
    protections: Protections,
) -> Result<(), SandboxError> {
    lockdown::set_member(setup.member);
    // The element's files, opened by the host, come right after the set-up; registered
    // before the element exists, dropped (what it did not open) once it is gone.
    let files = crate::files::receive(&socket, &setup.files)?;
    let granted = parallax_core::files::worker::grant(setup.member, files);
    let served = serve_member(
        registry,
        &setup,
        socket,
        mailbox_fd,
        bell_in,
        bell_out,
        protections,
    );
    parallax_core::files::worker::revoke(granted);
    served
}

fn serve_member(
    registry: &Registry,
    setup: &Setup,
    socket: OwnedFd,
    mailbox_fd: OwnedFd,
    bell_in: OwnedFd,
    bell_out: OwnedFd,
    protections: Protections,
) -> Result<(), SandboxError> {
    // Leaked like the fault area: a member's mailbox is small and lives until the
    // process ends (a group's members come and go with the pipeline, not per buffer).
    let mailbox: &'static Mailbox = Box::leak(Box::new(Mailbox::attach(mailbox_fd)?));
    let link = Arc::new(Mutex::new(Link::new(mailbox, socket, bell_in, bell_out)));
    match run::Session::new(registry, setup, Arc::clone(&link)) {
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
