//! The host's handle on one running worker: spawn and set-up, calls with a timeout,
//! leases of input buffers, output slots, and clean-up after death.

use std::collections::HashSet;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parallax_core::memory::SharedArena;
use parallax_core::memory::shared::SlotError;
use parallax_core::{Buffer, ElementError};
use rustix::event::{PollFd, PollFlags};

use crate::error::SandboxError;
use crate::fdpass;
use crate::group::WorkerProcess;
use crate::isolate::SandboxConfig;
use crate::mailbox::{self, Direction, Mailbox};
use crate::port::Port;
use crate::protocol::{
    Flow, FromWorker, Grant, Lease, MapKind, Maps, Meta, Protections, Setup, ToWorker,
};
use crate::spin::Spin;
use crate::supervise::{Death, DeathCause};

/// Leases one worker may hold at once (inputs it has not released yet).
const LEASES: usize = 64;
/// Free output slots the worker keeps in stock between calls.
const STOCK: usize = 2;
/// Slots per output arena.
const OUTPUT_SLOTS: usize = 16;
/// Bytes above which an output arena gets fewer than `OUTPUT_SLOTS` slots (at least 2).
const OUTPUT_SPAN: usize = 256 << 20;
/// How long a stopping element gets to answer before its worker is killed.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// Why a call did not produce a reply.
#[derive(Debug)]
pub(crate) enum CallError {
    /// The worker died (or was killed after a timeout).
    Died(Death),
    /// Something else failed; the worker was killed.
    Failed(SandboxError),
}

pub(crate) struct WorkerHandle {
    /// The process, shared with the other elements of a group.
    process: Arc<WorkerProcess>,
    /// This element's own socket (arena fds for it alone).
    socket: UnixStream,
    stopped: bool,
    mailbox: Mailbox,
    bell_to_worker: OwnedFd,
    bell_to_host: OwnedFd,
    port: Port,
    sent_maps: HashSet<u64>,
    table: SharedArena,
    held: Vec<Option<Buffer>>,
    outputs: Vec<SharedArena>,
    stock: usize,
    timeout: Duration,
    pub(crate) protections: Protections,
}

fn eventfd() -> Result<OwnedFd, SandboxError> {
    rustix::event::eventfd(0, rustix::event::EventfdFlags::CLOEXEC)
        .map_err(|e| SandboxError::os("eventfd", e))
}

impl WorkerHandle {
    /// Adds an element to a running worker process, sends its set-up (and the fds of
    /// `files`), waits until it is ready and starts it; the second value is the outcome
    /// of the element's own `start()` (an error leaves the handle usable only to stop it).
    pub(crate) fn start(
        process: Arc<WorkerProcess>,
        config: &SandboxConfig,
        setup: &Setup,
        files: &[(crate::protocol::FileGrant, std::fs::File)],
    ) -> Result<(Self, Result<(), ElementError>), CallError> {
        let fail = CallError::Failed;
        let (socket, worker_end) = UnixStream::pair().map_err(|source| {
            fail(SandboxError::Os {
                op: "socketpair",
                source,
            })
        })?;
        let mailbox = Mailbox::create().map_err(fail)?;
        let bell_to_worker = eventfd().map_err(fail)?;
        let bell_to_host = eventfd().map_err(fail)?;
        let bytes = rkyv::to_bytes::<rkyv::rancor::Error>(setup)
            .map_err(|e| fail(SandboxError::Protocol(format!("encode set-up: {e}"))))?;
        fdpass::send(
            &process.control,
            &bytes,
            &[
                worker_end.as_fd(),
                mailbox.fd(),
                bell_to_worker.as_fd(),
                bell_to_host.as_fd(),
            ],
        )
        .map_err(fail)?;
        drop(worker_end);
        crate::files::send(&socket, files).map_err(fail)?;
        let table = SharedArena::new("parallax-leases", 0, LEASES).map_err(|e| fail(e.into()))?;
        let mut handle = WorkerHandle {
            process,
            socket,
            stopped: false,
            mailbox,
            bell_to_worker,
            bell_to_host,
            port: Port::new(Direction::ToWorker, Spin::default()),
            sent_maps: HashSet::new(),
            table,
            held: (0..LEASES).map(|_| None).collect(),
            outputs: Vec::new(),
            stock: 0,
            timeout: config.startup_timeout,
            protections: Protections::default(),
        };
        match handle.wait_reply()? {
            FromWorker::Ready(protections) => handle.protections = protections,
            FromWorker::SetupFailed(error) => {
                handle.kill();
                return Err(fail(SandboxError::Setup(error.message)));
            }
            other => {
                handle.kill();
                return Err(fail(SandboxError::Protocol(format!(
                    "expected Ready, got {other:?}"
                ))));
            }
        }
        handle.timeout = config.call_timeout;
        let mut maps = Maps::new();
        let table_fd = handle.table.region().fd().try_clone_to_owned();
        let table_id = handle.table.id();
        handle.send_map(table_id, MapKind::LeaseTable, table_fd, &mut maps)?;
        let started = match handle.call(&ToWorker::Start { maps })? {
            FromWorker::Done {
                flow: Flow::Error,
                error,
                ..
            } => Err(crate::worker::element_error(
                error,
                "start failed in the sandbox",
            )),
            _ => Ok(()),
        };
        Ok((handle, started))
    }

    fn send_map(
        &mut self,
        id: u64,
        kind: MapKind,
        fd: std::io::Result<OwnedFd>,
        maps: &mut Maps,
    ) -> Result<(), CallError> {
        let fd = fd.map_err(|source| CallError::Failed(SandboxError::Os { op: "dup", source }))?;
        fdpass::send(&self.socket, &[0], &[fd.as_fd()]).map_err(CallError::Failed)?;
        self.sent_maps.insert(id);
        maps.push((id, kind));
        Ok(())
    }

    /// Sends one message and waits for the reply.
    pub(crate) fn call(&mut self, message: &ToWorker) -> Result<FromWorker, CallError> {
        self.port
            .send(&self.mailbox, &self.bell_to_worker, message)
            .map_err(CallError::Failed)?;
        self.wait_reply()
    }

    fn wait_reply(&mut self) -> Result<FromWorker, CallError> {
        let deadline = Instant::now() + self.timeout;
        let (bell, pidfd) = (&self.bell_to_host, &self.process.pidfd);
        match self
            .port
            .wait(&self.mailbox, || sleep_until_rung(bell, pidfd, deadline))
        {
            Ok(()) => {}
            // A reply published just before the worker exited (a stop) still counts.
            Err(Woke::Exited) if self.port.pending(&self.mailbox) => {}
            Err(Woke::Exited) => return Err(CallError::Died(self.process.death())),
            Err(Woke::TimedOut) => {
                self.kill();
                return Err(CallError::Died(Death {
                    cause: DeathCause::Timeout(self.timeout),
                    syscall: None,
                }));
            }
            Err(Woke::Failed(error)) => {
                self.kill();
                return Err(CallError::Failed(error));
            }
        }
        match self.port.take::<FromWorker>(&self.mailbox) {
            Ok(reply) => Ok(reply),
            Err(error) => {
                // A worker that writes garbage is treated as crashed.
                self.kill();
                Err(CallError::Failed(error))
            }
        }
    }

    /// Kills the worker process (with every element of its group).
    pub(crate) fn kill(&mut self) {
        self.process.kill();
    }

    /// The process this element runs in.
    pub(crate) fn process(&self) -> &Arc<WorkerProcess> {
        &self.process
    }

    /// Asks the worker to stop the element and let go of everything it holds. The
    /// process ends when its last element is gone (see `WorkerProcess`'s drop).
    pub(crate) fn stop(mut self) -> Result<(), SandboxError> {
        self.timeout = STOP_GRACE;
        self.stopped = true;
        match self.call(&ToWorker::Stop) {
            Ok(_) => Ok(()),
            Err(CallError::Died(death)) => Err(SandboxError::Died(death)),
            Err(CallError::Failed(e)) => Err(e),
        }
    }

    /// Holds `buffer` for the worker and describes it as a lease; `maps` gets the fd of
    /// its memory when the worker has not seen that memory yet.
    pub(crate) fn lease(&mut self, buffer: &Buffer, maps: &mut Maps) -> Result<Lease, CallError> {
        self.reclaim_leases();
        let memory = buffer.memory();
        let map = memory.arena_id();
        if !self.sent_maps.contains(&map) {
            let fd = memory.region().fd().try_clone_to_owned();
            self.send_map(map, MapKind::Data, fd, maps)?;
        }
        let token = self.table.try_acquire().ok_or_else(|| {
            CallError::Failed(SandboxError::Protocol(
                "the worker holds every lease (it does not release its inputs)".into(),
            ))
        })?;
        let lease = self
            .table
            .lend(token.freeze().memory().clone())
            .map_err(|_| CallError::Failed(SandboxError::Protocol("lease table".into())))?;
        self.held[lease as usize] = Some(buffer.clone());
        Ok(Lease {
            lease,
            map,
            offset: (memory.offset_in_region() + buffer.offset()) as u64,
            len: buffer.len() as u64,
            meta: Meta::from_meta(buffer.meta()),
        })
    }

    /// Drops the host's hold on every input the worker released.
    pub(crate) fn reclaim_leases(&mut self) {
        let held = &mut self.held;
        self.table.drain_released(|lease| {
            if let Some(slot) = held.get_mut(lease as usize) {
                *slot = None;
            }
        });
    }

    /// The buffer behind lease `lease` (a passthrough output), if the host holds it.
    pub(crate) fn leased(&self, lease: u32) -> Option<Buffer> {
        self.held.get(lease as usize).and_then(Option::clone)
    }

    /// Lends free output slots until the worker has `STOCK` (or at least `min_len` bytes
    /// in a fresh slot when `min_len` is given, creating an arena for that size).
    pub(crate) fn top_up(
        &mut self,
        min_len: Option<usize>,
        maps: &mut Maps,
    ) -> Result<Vec<Grant>, CallError> {
        let mut grants = Vec::new();
        let arena = match min_len {
            Some(len) => {
                let class = len.max(4096).checked_next_power_of_two().ok_or_else(|| {
                    CallError::Failed(SandboxError::Protocol(format!("{len}-byte buffer")))
                })?;
                match self.outputs.iter().position(|a| a.slot_size() == class) {
                    Some(i) => Some(i),
                    None => {
                        // Fewer slots for large classes (a worker's copied outputs ask
                        // for one slot as large as all of them): the worker maps the
                        // whole arena under its address-space limit.
                        let slots = (OUTPUT_SPAN / class).clamp(2, OUTPUT_SLOTS);
                        let arena = SharedArena::new("parallax-output", class, slots)
                            .map_err(|e| CallError::Failed(e.into()))?;
                        let fd = arena.region().fd().try_clone_to_owned();
                        let id = arena.id();
                        self.outputs.push(arena);
                        self.send_map(id, MapKind::Output, fd, maps)?;
                        Some(self.outputs.len() - 1)
                    }
                }
            }
            None => self
                .outputs
                .iter()
                .enumerate()
                .max_by_key(|(_, a)| a.slot_size())
                .map(|(i, _)| i),
        };
        let Some(index) = arena else {
            return Ok(grants);
        };
        let wanted = if min_len.is_some() {
            1
        } else {
            STOCK.saturating_sub(self.stock)
        };
        let arena = &self.outputs[index];
        for _ in 0..wanted {
            let Some(slot) = arena.try_acquire() else {
                break;
            };
            if let Ok(slot) = arena.lend(slot.freeze().memory().clone()) {
                grants.push(Grant {
                    arena: arena.id(),
                    slot,
                });
            }
        }
        self.stock += grants.len();
        Ok(grants)
    }

    /// Takes over an output slot the worker filled.
    pub(crate) fn adopt(
        &mut self,
        grant: Grant,
    ) -> Result<parallax_core::memory::Memory, SlotError> {
        let arena = self
            .outputs
            .iter()
            .find(|a| a.id() == grant.arena)
            .ok_or(SlotError::OutOfRange(grant.slot))?;
        let memory = arena.adopt(grant.slot)?;
        self.stock = self.stock.saturating_sub(1);
        Ok(memory)
    }

    /// After the worker died: frees every lease and slot it held.
    pub(crate) fn recover(&mut self) {
        let held = &mut self.held;
        self.table.recover_after_peer_death(|lease| {
            if let Some(slot) = held.get_mut(lease as usize) {
                *slot = None;
            }
        });
        for arena in &self.outputs {
            arena.recover_after_peer_death(|_| {});
        }
        self.stock = 0;
    }

    /// Input buffers the worker holds right now.
    pub(crate) fn held_inputs(&self) -> usize {
        self.held.iter().filter(|h| h.is_some()).count()
    }

    /// Output slots in use other than the worker's stock of lent, unfilled ones: the
    /// outputs the host adopted that are still alive downstream.
    pub(crate) fn adopted_outputs(&self) -> usize {
        let in_use: usize = self.outputs.iter().map(|a| a.stats().in_use).sum();
        in_use.saturating_sub(self.stock)
    }
}

/// Why the host stopped sleeping without a ring.
enum Woke {
    Exited,
    TimedOut,
    Failed(SandboxError),
}

/// Sleeps until the worker rings `bell`, exits (its `pidfd` turns readable) or
/// `deadline` passes.
fn sleep_until_rung(bell: &OwnedFd, pidfd: &OwnedFd, deadline: Instant) -> Result<(), Woke> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Woke::TimedOut);
        }
        let timeout = rustix::event::Timespec::try_from(left).unwrap_or(rustix::event::Timespec {
            tv_sec: 1,
            tv_nsec: 0,
        });
        let mut fds = [
            PollFd::new(bell, PollFlags::IN),
            PollFd::new(pidfd, PollFlags::IN),
        ];
        match rustix::event::poll(&mut fds, Some(&timeout)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(Woke::Failed(SandboxError::os("poll", e))),
        }
        if fds[0].revents().contains(PollFlags::IN) {
            return mailbox::wait(bell).map_err(Woke::Failed);
        }
        if !fds[1].revents().is_empty() {
            return Err(Woke::Exited);
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        // Dropped without a stop (an element discarded mid-stream): the element must let
        // go before its slots are recovered, or its process goes down.
        if !self.stopped && !self.process.has_ended() {
            self.timeout = STOP_GRACE;
            if self.call(&ToWorker::Stop).is_err() {
                self.kill();
            }
        }
        self.recover();
    }
}
