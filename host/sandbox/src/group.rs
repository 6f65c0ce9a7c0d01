//! Worker processes and the groups of elements that share one.
//!
//! A key design decision: every isolated element belongs to a [`WorkerGroup`]; a group of
//! one is the classic one-worker-per-element sandbox (the strict single-threaded policy,
//! the element on the worker's main thread), a shared group runs each element on a thread
//! of its own in one process (the threaded policy), each with its own socket, mailbox and
//! doorbells, so calls to different elements never wait for each other. The process is
//! one fate: when it dies every element in it is reported, once, by whichever element
//! noticed first, and the group restarts as a whole (each element rejoins the new process
//! at its next call) until the restart policy is used up.

use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use crate::error::SandboxError;
use crate::fdpass;
use crate::isolate::SandboxConfig;
use crate::mailbox::Mailbox;
use crate::protocol::{Limits, ProcessSetup};
use crate::proxy::CallError;
use crate::spawn::spawn;
use crate::supervise::{Death, DeathCause};

/// How long a process whose elements are all gone gets to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);
/// Open files a shared process may hold (fds only ever come from the host: the filter
/// denies every call that opens one).
const GROUP_FILES: u32 = 1024;
/// Open files a single-element worker may hold.
const SOLO_FILES: u32 = 32;

/// One running worker process.
#[derive(Debug)]
pub(crate) struct WorkerProcess {
    child: Mutex<Child>,
    pub(crate) pid: u32,
    pub(crate) pidfd: OwnedFd,
    pub(crate) control: UnixStream,
    fault: Mailbox,
    pub(crate) generation: u64,
    dead: AtomicBool,
}

impl WorkerProcess {
    fn start(
        config: &SandboxConfig,
        limits: Limits,
        group: bool,
        generation: u64,
    ) -> Result<Arc<Self>, SandboxError> {
        let spawned = spawn(&config.worker)?;
        let fault = Mailbox::create()?;
        let bytes = rkyv::to_bytes::<rkyv::rancor::Error>(&ProcessSetup { limits, group })
            .map_err(|e| SandboxError::Protocol(format!("encode process set-up: {e}")))?;
        let process = WorkerProcess {
            pid: spawned.child.id(),
            child: Mutex::new(spawned.child),
            pidfd: spawned.pidfd,
            control: spawned.socket,
            fault,
            generation,
            dead: AtomicBool::new(false),
        };
        fdpass::send(&process.control, &bytes, &[process.fault.fd()])?;
        Ok(Arc::new(process))
    }

    fn child(&self) -> MutexGuard<'_, Child> {
        self.child.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How the (exited) process died. Every element of a group may ask; the status is
    /// collected once and kept.
    pub(crate) fn death(&self) -> Death {
        let status = self.child().wait();
        self.await_worker_gone();
        self.dead.store(true, Ordering::Release);
        let fault = self.fault.fault_word().load(Ordering::Acquire);
        match status {
            Ok(status) => Death::from_status(status, fault),
            Err(_) => Death {
                cause: DeathCause::Exit(-1),
                syscall: None,
            },
        }
    }

    /// The group member whose thread took the fatal signal, when the reporters saw it.
    pub(crate) fn culprit(&self) -> Option<u32> {
        self.fault
            .culprit_word()
            .load(Ordering::Acquire)
            .checked_sub(1)
    }

    pub(crate) fn kill(&self) {
        let mut child = self.child();
        let _ = child.kill();
        let _ = child.wait();
        drop(child);
        self.await_worker_gone();
        self.dead.store(true, Ordering::Release);
    }

    /// Waits until the element's process no longer runs. The host's child is the keeper
    /// of the worker's PID namespace (`lockdown/keeper.rs`): when it was killed, the
    /// worker itself is only *being* killed (its parent-death signal), and the host must
    /// not recover leases and slots while it could still touch them. The worker is the
    /// only other holder of the control socket, and a dying process closes its files
    /// after it has left its memory, so the socket's hang-up says it is gone.
    fn await_worker_gone(&self) {
        use rustix::event::{PollFd, PollFlags, poll};
        let deadline = Instant::now() + EXIT_GRACE;
        // `poll` returns at the hang-up; only a signal or another event makes it wait again.
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let mut fds = [PollFd::new(&self.control, PollFlags::empty())];
            let timeout = rustix::time::Timespec {
                tv_sec: left.as_secs() as i64,
                tv_nsec: i64::from(left.subsec_nanos()),
            };
            match poll(&mut fds, Some(&timeout)) {
                Ok(n) if n > 0 && fds[0].revents().contains(PollFlags::HUP) => return,
                Ok(0) => return,
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(_) => return,
            }
        }
    }

    /// Whether an element of the group already saw the process die (or killed it): one
    /// atomic load, for the per-buffer path. A death nobody saw yet shows at the next
    /// call, through the pidfd.
    pub(crate) fn seen_dead(&self) -> bool {
        self.dead.load(Ordering::Acquire)
    }

    /// Whether the process is known to have ended.
    pub(crate) fn has_ended(&self) -> bool {
        self.dead.load(Ordering::Acquire) || matches!(self.child().try_wait(), Ok(Some(_)))
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        // The last element is gone: closing the control socket ends the worker's loop
        // (the host's reading side stays open, so the hang-up still tells when the worker
        // has ended, see `await_worker_gone`).
        let _ = self.control.shutdown(std::net::Shutdown::Write);
        let deadline = Instant::now() + EXIT_GRACE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child().try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        self.kill();
    }
}

/// What the element that noticed a death should do about it.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    /// This element is the first to see this death: it reports it for every member.
    pub(crate) report: bool,
    /// The group carries on (a new process at the next call).
    pub(crate) restart: bool,
    /// Restarts before this death (for the report).
    pub(crate) restarts: u32,
    /// Every element of the group, by member number.
    pub(crate) members: Vec<String>,
    /// The element whose thread took the signal, when known.
    pub(crate) culprit: Option<String>,
}

#[derive(Debug, Default)]
struct GroupState {
    process: Weak<WorkerProcess>,
    generation: u64,
    /// The newest generation whose death was reported.
    reported: u64,
    restarts: u32,
    /// Set once the restart policy is used up.
    failed: Option<String>,
    /// Element names by member number; `None` once an element is gone (numbers are
    /// never reused, a fault report may still name one).
    members: Vec<Option<String>>,
    threads: bool,
}

/// Elements that run in one worker process.
#[derive(Debug)]
pub struct WorkerGroup {
    label: String,
    shared: bool,
    config: Arc<SandboxConfig>,
    state: Mutex<GroupState>,
}

impl WorkerGroup {
    /// A group whose elements share one process, labelled `label` (the pattern that
    /// chose them) in messages and in `inspect`.
    pub fn shared(label: impl Into<String>, config: Arc<SandboxConfig>) -> Arc<Self> {
        Self::new(label.into(), true, config)
    }

    /// A process for one element.
    pub fn solo(name: impl Into<String>, config: Arc<SandboxConfig>) -> Arc<Self> {
        Self::new(name.into(), false, config)
    }

    fn new(label: String, shared: bool, config: Arc<SandboxConfig>) -> Arc<Self> {
        Arc::new(WorkerGroup {
            label,
            shared,
            config,
            state: Mutex::new(GroupState::default()),
        })
    }

    fn state(&self) -> MutexGuard<'_, GroupState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The group's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Whether several elements share the process.
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// How workers are started and limited.
    pub fn config(&self) -> &Arc<SandboxConfig> {
        &self.config
    }

    /// The element names of the group, in the order they joined.
    pub fn members(&self) -> Vec<String> {
        self.state().members.iter().flatten().cloned().collect()
    }

    /// The pid of the running process, if one runs.
    pub fn pid(&self) -> Option<u32> {
        self.state()
            .process
            .upgrade()
            .filter(|p| !p.has_ended())
            .map(|p| p.pid)
    }

    /// Restarts of the process so far.
    pub fn restarts(&self) -> u32 {
        self.state().restarts
    }

    /// Adds an element (named `name`; `threads`: it runs a thread pool) and returns its
    /// member number.
    pub(crate) fn register(&self, name: &str, threads: bool) -> u32 {
        let mut state = self.state();
        state.members.push(Some(name.to_owned()));
        state.threads |= threads;
        u32::try_from(state.members.len() - 1).unwrap_or(u32::MAX)
    }

    /// Removes member `member` (its element is gone: a decodebin that rebuilt its chain).
    pub(crate) fn unregister(&self, member: u32) {
        if let Some(slot) = self.state().members.get_mut(member as usize) {
            *slot = None;
        }
    }

    /// Runs `start` with the running process, started first if none runs (with fresh
    /// restart counts when `fresh` and nothing runs: the pipeline starts again). The group
    /// is held meanwhile, so two elements never send set-ups interleaved on the control
    /// socket and a death is never followed by two new processes.
    pub(crate) fn join<T>(
        &self,
        fresh: bool,
        start: impl FnOnce(Arc<WorkerProcess>) -> Result<T, CallError>,
    ) -> Result<T, CallError> {
        let mut state = self.state();
        if let Some(process) = state.process.upgrade().filter(|p| !p.has_ended()) {
            return start(process);
        }
        if fresh {
            state.restarts = 0;
            state.failed = None;
        }
        if let Some(why) = &state.failed {
            return Err(CallError::Failed(SandboxError::GroupFailed(why.clone())));
        }
        let limits = Limits {
            address_space: self.config.address_space,
            cpu_seconds: self.config.cpu_seconds,
            namespaces: self.config.namespaces,
            threads: self.shared || state.threads || self.config.threads,
            files: if self.shared { GROUP_FILES } else { SOLO_FILES },
        };
        state.generation += 1;
        let process = WorkerProcess::start(&self.config, limits, self.shared, state.generation)
            .map_err(CallError::Failed)?;
        state.process = Arc::downgrade(&process);
        start(process)
    }

    /// Records the death of `process` (`None`: a process that could not even start);
    /// the first element to see a death reports it.
    pub(crate) fn on_death(&self, process: Option<&WorkerProcess>, description: &str) -> Verdict {
        let mut state = self.state();
        let culprit = process
            .and_then(WorkerProcess::culprit)
            .and_then(|m| state.members.get(m as usize).cloned().flatten());
        let report = process.is_none_or(|p| p.generation > state.reported);
        let restarts = state.restarts;
        if report {
            if let Some(process) = process {
                state.reported = process.generation;
            }
            if state.restarts < self.config.restart.max_restarts {
                state.restarts += 1;
            } else {
                state.failed = Some(description.to_owned());
            }
        }
        Verdict {
            report,
            restart: state.failed.is_none(),
            restarts,
            members: state.members.iter().flatten().cloned().collect(),
            culprit,
        }
    }
}
