//! How a worker ended, and what the element's policy does about it.

use std::fmt;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::Duration;

use crate::lockdown::SIGSYS_EXIT;
use crate::lockdown::policy::syscall_name;

/// What ended a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeathCause {
    /// A signal (SIGSYS from seccomp, SIGSEGV, SIGABRT, SIGKILL ...).
    Signal(i32),
    /// It exited by itself with this status.
    Exit(i32),
    /// It did not answer within the call timeout and was killed.
    Timeout(Duration),
}

/// A worker's death, as reported on the bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Death {
    /// What happened.
    pub cause: DeathCause,
    /// The forbidden syscall, when seccomp stopped it.
    pub syscall: Option<i64>,
}

impl Death {
    /// From a wait status and the fault word the SIGSYS reporter fills (number + 1).
    pub(crate) fn from_status(status: ExitStatus, fault_word: u32) -> Self {
        let syscall = fault_word.checked_sub(1).map(i64::from);
        let cause = match (status.signal(), status.code()) {
            (Some(signal), _) => DeathCause::Signal(signal),
            // The reporter exits with 128 + SIGSYS after recording the syscall.
            (None, Some(SIGSYS_EXIT)) if syscall.is_some() => DeathCause::Signal(libc::SIGSYS),
            (None, Some(code)) => DeathCause::Exit(code),
            (None, None) => DeathCause::Exit(-1),
        };
        Death { cause, syscall }
    }

    /// The signal number, if a signal ended it.
    pub fn signal(&self) -> Option<i32> {
        match self.cause {
            DeathCause::Signal(s) => Some(s),
            _ => None,
        }
    }

    /// A short name for the signal (`SIGSYS`), if any.
    pub fn signal_name(&self) -> Option<&'static str> {
        self.signal().map(signal_name)
    }

    /// The forbidden syscall's name, if known.
    pub fn syscall_name(&self) -> Option<String> {
        self.syscall
            .map(|nr| syscall_name(nr).map_or_else(|| format!("syscall {nr}"), str::to_owned))
    }
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        libc::SIGSYS => "SIGSYS",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGKILL => "SIGKILL",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGXFSZ => "SIGXFSZ",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}

impl fmt::Display for Death {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            DeathCause::Signal(s) => write!(f, "killed by {} ({s})", signal_name(*s))?,
            DeathCause::Exit(code) => write!(f, "exited with status {code}")?,
            DeathCause::Timeout(t) => write!(f, "did not answer within {t:?} and was killed")?,
        }
        if let Some(name) = self.syscall_name() {
            write!(f, " on forbidden syscall {name}")?;
        }
        Ok(())
    }
}

/// What to do when a worker dies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartPolicy {
    /// Restarts allowed over the element's life; one more death fails the pipeline.
    /// 0: the first death fails it.
    pub max_restarts: u32,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        RestartPolicy { max_restarts: 3 }
    }
}
