//! Starting a worker: the `parallax` binary re-entered through an internal subcommand.
//!
//! The worker is spawned (fork + exec by `std::process::Command`), never forked from the
//! threaded host and left running host code. Before exec, in the child, the socket is
//! moved to fd 3 and the parent-death signal is set so a worker never outlives its host.
//! The environment is emptied and stdin/stdout point to /dev/null. With a PID namespace
//! the process started here becomes the namespace's keeper and the element runs in its
//! one child (`lockdown/keeper.rs`); the `Child` and pidfd here are the keeper's.
//!
//! `unsafe` here: the `pre_exec` hook and adopting fd 3 in the worker.

use std::ffi::OsString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;

use crate::error::SandboxError;

/// The fd number the worker finds its socket on.
pub const WORKER_SOCKET_FD: i32 = 3;

/// The internal subcommand of `parallax` that runs a worker.
pub const WORKER_SUBCOMMAND: &str = "__sandbox-worker";

/// The environment variable naming a worker executable other than the running one.
pub const WORKER_ENV: &str = "PARALLAX_WORKER";

/// How to start a worker process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerCommand {
    /// The executable (a binary that calls `parallax_sandbox::worker_main`).
    pub program: PathBuf,
    /// Arguments (the internal subcommand).
    pub args: Vec<OsString>,
}

impl WorkerCommand {
    /// `program __sandbox-worker`.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        WorkerCommand {
            program: program.into(),
            args: vec![WORKER_SUBCOMMAND.into()],
        }
    }

    /// The running executable (right when the host is the `parallax` binary itself), or
    /// `$PARALLAX_WORKER` when set (embedders and tests point it at their worker binary).
    pub fn from_env() -> Self {
        if let Some(path) = std::env::var_os(WORKER_ENV) {
            return Self::new(path);
        }
        Self::new(std::env::current_exe().unwrap_or_else(|_| PathBuf::from("parallax")))
    }
}

/// A started worker process and the host's end of its socket.
#[derive(Debug)]
pub(crate) struct Spawned {
    pub(crate) child: Child,
    pub(crate) socket: UnixStream,
    pub(crate) pidfd: OwnedFd,
}

/// A request to the spawner thread and where its answer goes.
type Request = (WorkerCommand, mpsc::Sender<Result<Spawned, SandboxError>>);

/// Starts a worker. Every worker is forked by one thread that lives as long as the host
/// process: the parent-death signal fires when the *thread* that forked the child ends,
/// so a worker forked from a streaming thread (a restart, a group's second element)
/// was killed when that thread finished, while other elements still used it.
pub(crate) fn spawn(command: &WorkerCommand) -> Result<Spawned, SandboxError> {
    static SPAWNER: OnceLock<Option<mpsc::Sender<Request>>> = OnceLock::new();
    let unavailable = |what: &str| SandboxError::Spawn {
        program: command.program.display().to_string(),
        source: std::io::Error::other(format!("the spawner thread {what}")),
    };
    let spawner = SPAWNER
        .get_or_init(|| {
            let (requests, incoming) = mpsc::channel::<Request>();
            std::thread::Builder::new()
                .name("px-sandbox-spawner".into())
                .spawn(move || {
                    // Never ends: the sender lives in a static.
                    for (command, reply) in incoming {
                        let _ = reply.send(spawn_now(&command));
                    }
                })
                .ok()
                .map(|_| requests)
        })
        .as_ref()
        .ok_or_else(|| unavailable("cannot start"))?;
    let (reply, answer) = mpsc::channel();
    spawner
        .send((command.clone(), reply))
        .map_err(|_| unavailable("is gone"))?;
    answer.recv().map_err(|_| unavailable("did not answer"))?
}

fn spawn_now(command: &WorkerCommand) -> Result<Spawned, SandboxError> {
    let (host_end, worker_end) = UnixStream::pair().map_err(|source| SandboxError::Spawn {
        program: command.program.display().to_string(),
        source,
    })?;
    let raw = worker_end.as_raw_fd();
    let mut cmd = Command::new(&command.program);
    cmd.args(&command.args)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    // SAFETY: the hook runs in the forked child before exec and only makes
    // async-signal-safe system calls (dup2, prctl) on values computed before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if libc::dup2(raw, WORKER_SOCKET_FD) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.spawn().map_err(|source| SandboxError::Spawn {
        program: command.program.display().to_string(),
        source,
    })?;
    drop(worker_end);
    let pid = rustix::process::Pid::from_raw(child.id() as i32)
        .ok_or_else(|| SandboxError::Protocol("the worker has no pid".into()))?;
    let pidfd = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty())
        .map_err(|e| SandboxError::os("pidfd_open", e))?;
    Ok(Spawned {
        child,
        socket: host_end,
        pidfd,
    })
}

/// The socket a worker was started with, or `None` when fd 3 is not a Unix socket (the
/// subcommand was run by hand).
pub(crate) fn inherited_socket() -> Option<OwnedFd> {
    let stat = rustix::fs::fstat(
        // SAFETY: fd 3 is only borrowed for the duration of the fstat call; if it is not
        // open, fstat fails with EBADF.
        unsafe { std::os::fd::BorrowedFd::borrow_raw(WORKER_SOCKET_FD) },
    )
    .ok()?;
    if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::Socket {
        return None;
    }
    // SAFETY: fd 3 is open (fstat succeeded), is a socket the spawner put there, and
    // nothing else in this process owns it.
    Some(unsafe { OwnedFd::from_raw_fd(WORKER_SOCKET_FD) })
}
