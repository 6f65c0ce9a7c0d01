//! Files an element opens by path, in-process or inside a sandboxed worker.
//!
//! A key design decision: a sandboxed worker cannot open anything (its seccomp filter
//! traps `open`/`openat`), so the host opens an element's files for it, WASI-preopen
//! style. An element declares, through [`crate::ElementImpl::sandbox_files`], which paths
//! it will open and how ([`FileNeed`]); the host asks the never-started shadow instance
//! with the current properties, opens exactly those files with exactly that access and
//! passes the fds to the worker, which registers them here (per group member) before the
//! element's `start()`. The element then calls [`open`] instead of `File::open`: in a
//! normal process it opens the path, in a worker it hands out the fd the host opened for
//! that exact path string, or fails with `PermissionDenied` naming the path. A missing
//! declaration is a clear error, never a SIGSYS.
//!
//! Each granted fd is handed out once per start: the first [`open`] of a path takes it
//! (a `dup` would need `fcntl(F_DUPFD)`, which the filter does not allow, and would share
//! the file offset anyway). A stop ends the element's run in the worker; the next start
//! sends a fresh set of fds, so start, stop, start works as in-process.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// How an element uses a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileAccess {
    /// Read an existing file (not a directory).
    Read,
    /// Write, creating the file if needed and truncating it (`filesink`).
    Write,
    /// Write at the end, creating the file if needed (`filesink append=true`).
    Append,
}

impl FileAccess {
    /// A word for messages.
    pub fn describe(self) -> &'static str {
        match self {
            FileAccess::Read => "reading",
            FileAccess::Write => "writing",
            FileAccess::Append => "appending",
        }
    }
}

/// A file an element will open with [`open`] once started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileNeed {
    /// The path exactly as the element will pass it to [`open`].
    pub path: PathBuf,
    /// How it is opened.
    pub access: FileAccess,
}

impl FileNeed {
    /// A file to read.
    pub fn read(path: impl Into<PathBuf>) -> Self {
        FileNeed {
            path: path.into(),
            access: FileAccess::Read,
        }
    }

    /// A file to write from the start (created, truncated).
    pub fn write(path: impl Into<PathBuf>) -> Self {
        FileNeed {
            path: path.into(),
            access: FileAccess::Write,
        }
    }

    /// A file to append to (created if missing).
    pub fn append(path: impl Into<PathBuf>) -> Self {
        FileNeed {
            path: path.into(),
            access: FileAccess::Append,
        }
    }
}

/// Opens `path` for `access`: in a normal process directly, in a sandboxed worker by
/// taking the fd the host opened for exactly this path (see the module comment).
///
/// # Errors
///
/// The OS error of opening; `IsADirectory` when a file to read is a directory;
/// `PermissionDenied` in a worker when the path was not granted (not declared in
/// `sandbox_files`, declared with another access, or already opened since the start).
pub fn open(path: &Path, access: FileAccess) -> io::Result<File> {
    if CONFINED.load(Ordering::Acquire) {
        return take_granted(path, access);
    }
    open_declared(
        &FileNeed {
            path: path.to_owned(),
            access,
        },
        false,
    )
}

/// Opens `need` as the host does for a sandboxed element. `after_crash`: the element's
/// previous worker died mid-stream and a new one continues the stream, so a file to
/// write is not truncated again (it is opened to append: what the dead worker wrote
/// stays, and the new one writes after it).
///
/// # Errors
///
/// As [`open`] in a normal process.
pub fn open_declared(need: &FileNeed, after_crash: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    match (need.access, after_crash) {
        (FileAccess::Read, _) => options.read(true),
        (FileAccess::Write, false) => options.write(true).create(true).truncate(true),
        (FileAccess::Write, true) | (FileAccess::Append, _) => options.append(true).create(true),
    };
    let file = options.open(&need.path)?;
    // Opening a directory for reading succeeds on Linux; only the first read would fail,
    // with a less helpful message. (`fstat` is what a worker may call, too.)
    if need.access == FileAccess::Read
        && rustix::fs::fstat(&file).is_ok_and(|st| {
            rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Directory
        })
    {
        return Err(rustix::io::Errno::ISDIR.into());
    }
    Ok(file)
}

/// Set once in a sandboxed worker: from then on [`open`] only hands out granted fds.
static CONFINED: AtomicBool = AtomicBool::new(false);

/// Granted files by group member (with the number of the grant), each handed out once.
static GRANTS: Mutex<BTreeMap<u32, (u64, Vec<Granted>)>> = Mutex::new(BTreeMap::new());

/// Numbers grants, so that a member's ending run cannot revoke its next run's files.
static NEXT_GRANT: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The group member the calling thread serves (+1; 0: none).
    static MEMBER: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

#[derive(Debug)]
struct Granted {
    need: FileNeed,
    file: Option<File>,
}

fn grants() -> MutexGuard<'static, BTreeMap<u32, (u64, Vec<Granted>)>> {
    GRANTS.lock().unwrap_or_else(|p| p.into_inner())
}

fn denied(text: String) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, text)
}

fn take_granted(path: &Path, access: FileAccess) -> io::Result<File> {
    let mut table = grants();
    let member = match MEMBER.with(std::cell::Cell::get).checked_sub(1) {
        Some(member) => member,
        // A thread of no member (an element's own pool): only unambiguous in a worker
        // that serves one element.
        None if table.len() == 1 => table.keys().next().copied().unwrap_or_default(),
        None => {
            return Err(denied(format!(
                "{} was opened from a thread that serves no element of the sandbox",
                path.display()
            )));
        }
    };
    let not_granted = || {
        denied(format!(
            "{} was not granted to the sandbox (declare it in sandbox_files)",
            path.display()
        ))
    };
    let granted = table
        .get_mut(&member)
        .and_then(|(_, list)| list.iter_mut().find(|g| g.need.path == path))
        .ok_or_else(not_granted)?;
    if granted.need.access != access {
        return Err(denied(format!(
            "{} was granted to the sandbox for {}, not for {} (declare it so in sandbox_files)",
            path.display(),
            granted.need.access.describe(),
            access.describe()
        )));
    }
    granted.file.take().ok_or_else(|| {
        denied(format!(
            "{} was already opened since the element started (the sandbox grants each \
             declared file once per start)",
            path.display()
        ))
    })
}

/// The worker's side: what the sandbox calls, never elements.
pub mod worker {
    use super::{CONFINED, FileNeed, Granted, MEMBER, NEXT_GRANT, Ordering, grants};
    use std::fs::File;

    /// One member's grant, for [`revoke`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct GrantId {
        member: u32,
        number: u64,
    }

    /// From now on [`super::open`] only hands out granted fds (the process is about to
    /// be locked down).
    pub fn confine() {
        CONFINED.store(true, Ordering::Release);
    }

    /// Records that the calling thread serves group member `member`.
    pub fn set_member(member: u32) {
        MEMBER.with(|m| m.set(member.saturating_add(1)));
    }

    /// Replaces member `member`'s files with `files` (opened by the host).
    pub fn grant(member: u32, files: Vec<(FileNeed, File)>) -> GrantId {
        let list = files
            .into_iter()
            .map(|(need, file)| Granted {
                need,
                file: Some(file),
            })
            .collect();
        let number = NEXT_GRANT.fetch_add(1, Ordering::Relaxed);
        grants().insert(member, (number, list));
        GrantId { member, number }
    }

    /// Closes whatever the element did not open of grant `id` (its run ended). A newer
    /// grant to the same member (its next start, already served by another thread)
    /// stays.
    pub fn revoke(id: GrantId) {
        let mut table = grants();
        if table.get(&id.member).is_some_and(|(n, _)| *n == id.number) {
            table.remove(&id.member);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_refuses_a_directory_and_write_truncates_unless_after_a_crash() {
        let dir = std::env::temp_dir().join(format!("px-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = open(&dir, FileAccess::Read).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory, "{err}");
        let path = dir.join("out");
        std::fs::write(&path, b"old bytes").unwrap();
        let need = FileNeed::write(&path);
        {
            use std::io::Write;
            let mut f = open_declared(&need, true).unwrap();
            f.write_all(b"+more").unwrap();
        }
        assert_eq!(std::fs::read(&path).unwrap(), b"old bytes+more");
        drop(open_declared(&need, false).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
