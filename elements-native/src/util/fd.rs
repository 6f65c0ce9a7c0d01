//! Inherited file descriptors for `fdsrc` and `fdsink`, opened without `unsafe`.
//!
//! A key design decision: this crate forbids `unsafe`, and Rust offers no safe way to
//! turn a raw descriptor number into a `File` (`BorrowedFd::borrow_raw` is unsafe). So
//! the standard streams are duplicated through the `AsFd` impls of `stdin()`, `stdout()`
//! and `stderr()` (a real `dup`: same open file description, shared offset), and any
//! other descriptor is reopened through `/proc/self/fd/N`. Reopening gives a *new* open
//! file description: for pipes, terminals and FIFOs that is the same stream, but for a
//! regular file the offset starts afresh (reading starts at 0; writing uses `O_APPEND`
//! so that it continues at the end instead of overwriting), and sockets cannot be
//! reopened at all (the kernel answers `ENXIO`).
//!
//! Waiting is done with `poll` in short slices so that a streaming thread blocked on an
//! idle pipe or terminal still notices a stop within one slice; a plain blocking `read`
//! would hang the pipeline's shutdown until the other end wrote or closed.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, Timespec};

/// Which way an element uses a descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `fdsrc` reads from it.
    Read,
    /// `fdsink` writes to it.
    Write,
}

/// Opens inherited descriptor `fd` as a `File` of its own (closing it leaves `fd` open).
///
/// # Errors
///
/// The OS error of `dup` or of opening `/proc/self/fd/<fd>` (`ENOENT` when `fd` is not
/// open, `ENXIO` for sockets).
pub(crate) fn open(fd: i64, direction: Direction) -> io::Result<File> {
    let std_fd = match fd {
        0 => Some(io::stdin().as_fd().try_clone_to_owned()),
        1 => Some(io::stdout().as_fd().try_clone_to_owned()),
        2 => Some(io::stderr().as_fd().try_clone_to_owned()),
        _ => None,
    };
    if let Some(owned) = std_fd {
        return owned.map(File::from);
    }
    let path = format!("/proc/self/fd/{fd}");
    match direction {
        Direction::Read => OpenOptions::new().read(true).open(path),
        // Append: a reopened regular file would otherwise be overwritten from offset 0.
        Direction::Write => OpenOptions::new().append(true).open(path),
    }
}

/// Waits up to `timeout` until `file` can be read (or written, for
/// [`Direction::Write`]) without blocking. Hang-up and error conditions count as ready,
/// so that the following `read`/`write` reports them.
///
/// # Errors
///
/// The OS error of `poll`, except `EINTR`, which counts as "not ready yet".
pub(crate) fn wait_ready(file: &File, direction: Direction, timeout: Duration) -> io::Result<bool> {
    let events = match direction {
        Direction::Read => PollFlags::IN,
        Direction::Write => PollFlags::OUT,
    };
    let mut fds = [PollFd::new(file, events)];
    // Only absurd durations (beyond i64 seconds) fail to convert.
    let timeout = Timespec::try_from(timeout).map_err(|_| io::ErrorKind::InvalidInput)?;
    match rustix::event::poll(&mut fds, Some(&timeout)) {
        Ok(ready) => Ok(ready > 0),
        Err(rustix::io::Errno::INTR) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
