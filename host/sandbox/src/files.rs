//! Files the host opens for a sandboxed element (WASI-preopen style).
//!
//! The worker cannot open anything, so at every start (and every restart after a crash)
//! the host asks the element's shadow, which has the current properties, for its
//! `sandbox_files`, opens each with exactly the declared access (`O_CLOEXEC`, as std
//! always does) and sends the fds on the element's own socket right after its set-up,
//! one per message whose body repeats the path. The worker checks count and paths
//! against the set-up and registers them in `parallax_core::files` before the element
//! starts. Nothing about files travels back: the host never learns a path or an fd from
//! the worker.
//!
//! A restart after a crash opens a file to write without truncating it, to append: the
//! stream goes on where the dead worker left it, so what it had written stays and the
//! new worker writes after it (bytes it had buffered and not written are lost with it,
//! never overwritten by later ones).

use std::ffi::OsStr;
use std::fs::File;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use parallax_core::AnyElement;
use parallax_core::files::{self, FileAccess, FileNeed};

use crate::error::SandboxError;
use crate::fdpass;
use crate::protocol::{FileGrant, FileMode};

/// Longest path a grant message carries (the kernel's `PATH_MAX`).
const MAX_PATH: usize = 4096;

fn mode(access: FileAccess) -> FileMode {
    match access {
        FileAccess::Read => FileMode::Read,
        FileAccess::Write => FileMode::Write,
        FileAccess::Append => FileMode::Append,
    }
}

fn access(mode: FileMode) -> FileAccess {
    match mode {
        FileMode::Read => FileAccess::Read,
        FileMode::Write => FileAccess::Write,
        FileMode::Append => FileAccess::Append,
    }
}

/// Opens the files `shadow` declares with its current properties (`after_crash`: a
/// restart, see the module comment).
///
/// # Errors
///
/// [`SandboxError::File`] naming the path when one cannot be opened.
pub(crate) fn open_declared(
    shadow: &AnyElement,
    after_crash: bool,
) -> Result<Vec<(FileGrant, File)>, SandboxError> {
    shadow
        .base()
        .sandbox_files()
        .into_iter()
        .map(|need| {
            let file =
                files::open_declared(&need, after_crash).map_err(|source| SandboxError::File {
                    path: need.path.clone(),
                    access: need.access.describe(),
                    source,
                })?;
            let grant = FileGrant {
                path: need.path.as_os_str().as_bytes().to_vec(),
                access: mode(need.access),
            };
            Ok((grant, file))
        })
        .collect()
}

/// Sends the fds of `files` on an element's socket, in order.
///
/// # Errors
///
/// [`SandboxError::Os`] when `sendmsg` fails.
pub(crate) fn send(socket: impl AsFd, files: &[(FileGrant, File)]) -> Result<(), SandboxError> {
    for (grant, file) in files {
        fdpass::send(&socket, &grant.path, &[file.as_fd()])?;
    }
    Ok(())
}

/// The worker's side: receives one fd per grant of `grants` on `socket` and checks that
/// each came alone, under the path the set-up named.
///
/// # Errors
///
/// [`SandboxError::Protocol`] when a message does not match its grant.
pub(crate) fn receive(
    socket: impl AsFd,
    grants: &[FileGrant],
) -> Result<Vec<(FileNeed, File)>, SandboxError> {
    let mut buf = vec![0u8; MAX_PATH + 1];
    grants
        .iter()
        .map(|grant| {
            let (len, fds) = fdpass::recv(&socket, &mut buf)?;
            let [fd]: [OwnedFd; 1] = fds.try_into().map_err(|fds: Vec<OwnedFd>| {
                SandboxError::Protocol(format!("a granted file came with {} fds", fds.len()))
            })?;
            if buf[..len] != grant.path[..] {
                return Err(SandboxError::Protocol(format!(
                    "a granted file's fd came under another path ({:?}, expected {:?})",
                    String::from_utf8_lossy(&buf[..len]),
                    String::from_utf8_lossy(&grant.path)
                )));
            }
            let need = FileNeed {
                path: PathBuf::from(OsStr::from_bytes(&grant.path)),
                access: access(grant.access),
            };
            Ok((need, File::from(fd)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixStream;

    #[test]
    fn fds_arrive_under_the_paths_of_the_set_up_and_nothing_else_passes() {
        let (host, worker) = UnixStream::pair().unwrap();
        let me = std::env::current_exe().unwrap();
        let need = FileNeed::read(&me);
        let file = files::open_declared(&need, false).unwrap();
        let grant = FileGrant {
            path: me.as_os_str().as_bytes().to_vec(),
            access: FileMode::Read,
        };
        send(&host, &[(grant.clone(), file)]).unwrap();
        let got = receive(&worker, std::slice::from_ref(&grant)).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, need);
        // A message under another path is refused.
        let file = files::open_declared(&need, false).unwrap();
        let other = FileGrant {
            path: b"/etc/passwd".to_vec(),
            ..grant.clone()
        };
        send(&host, &[(other, file)]).unwrap();
        let err = receive(&worker, &[grant]).unwrap_err();
        assert!(err.to_string().contains("another path"), "{err}");
    }
}
