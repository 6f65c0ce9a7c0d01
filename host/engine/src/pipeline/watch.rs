//! Watching the component files of running WASM elements (`parallax run --watch`): a
//! file that is rewritten or renamed into place replaces the elements that run it.
//!
//! A key design decision: directories are watched, not files, because editors and
//! `cp`/`mv` replace a file by renaming a new one over it (a new inode a file watch would
//! miss). Events are collected until the directory has been quiet for [`SETTLE`], so a
//! file written in several steps is loaded once, complete.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::mem::MaybeUninit;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rustix::fd::OwnedFd;
use rustix::fs::inotify;

use super::controller::{PipelineController, Shared};
use crate::error::PipelineError;

/// How long a directory must be quiet before a changed file is loaded.
const SETTLE: Duration = Duration::from_millis(50);

/// Replaces running WASM elements whose component file changes, until dropped.
#[derive(Debug)]
pub struct ComponentWatcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    files: Vec<PathBuf>,
}

impl ComponentWatcher {
    /// The component files being watched.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }
}

impl Drop for ComponentWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl PipelineController {
    /// Watches the component file of every WASM element of the pipeline: when one is
    /// rewritten or replaced, the elements running it are reloaded
    /// ([`PipelineController::reload_element`]); the bus reports each swap, or a warning
    /// when the new file is refused. Stops when the returned watcher is dropped.
    ///
    /// # Errors
    ///
    /// [`PipelineError::Engine`] when inotify is unavailable or a directory cannot be
    /// watched.
    pub fn watch_components(&self) -> Result<ComponentWatcher, PipelineError> {
        let engine = |what: &str, e: rustix::io::Errno| {
            PipelineError::Engine(format!("cannot watch component files: {what}: {e}"))
        };
        // file -> elements running it
        let mut elements: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
        for (element, path) in self.wasm_elements() {
            let path = std::fs::canonicalize(&path).unwrap_or(path);
            elements.entry(path).or_default().push(element);
        }
        let fd = inotify::init(inotify::CreateFlags::CLOEXEC | inotify::CreateFlags::NONBLOCK)
            .map_err(|e| engine("inotify", e))?;
        let mut dirs = BTreeMap::new();
        for file in elements.keys() {
            let dir = file.parent().unwrap_or(Path::new("/")).to_path_buf();
            if dirs.values().any(|d: &PathBuf| *d == dir) {
                continue;
            }
            let wd = inotify::add_watch(
                &fd,
                dir.as_path(),
                inotify::WatchFlags::CLOSE_WRITE | inotify::WatchFlags::MOVED_TO,
            )
            .map_err(|e| engine(&dir.display().to_string(), e))?;
            dirs.insert(wd, dir);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let files = elements.keys().cloned().collect();
        let watch = Watch {
            fd,
            dirs,
            elements,
            shared: Arc::clone(&self.shared),
            stop: Arc::clone(&stop),
        };
        let thread = std::thread::Builder::new()
            .name("parallax-watch".into())
            .spawn(move || watch.run())
            .map_err(|e| PipelineError::Engine(format!("cannot start the watcher: {e}")))?;
        Ok(ComponentWatcher {
            stop,
            thread: Some(thread),
            files,
        })
    }
}

struct Watch {
    fd: OwnedFd,
    /// Watch descriptor -> directory.
    dirs: BTreeMap<i32, PathBuf>,
    elements: BTreeMap<PathBuf, Vec<String>>,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
}

impl Watch {
    fn run(self) {
        let mut changed = BTreeSet::new();
        let mut buf = [MaybeUninit::<u8>::uninit(); 4096];
        while !self.stop.load(Ordering::Acquire) {
            std::thread::sleep(SETTLE);
            let mut events = 0usize;
            let mut reader = inotify::Reader::new(&self.fd, &mut buf);
            loop {
                match reader.next() {
                    Ok(event) => {
                        let (Some(dir), Some(name)) =
                            (self.dirs.get(&event.wd()), event.file_name())
                        else {
                            continue;
                        };
                        let path = dir.join(OsStr::from_bytes(name.to_bytes()));
                        // Only the watched files count: other files written in the same
                        // directory must not postpone a reload forever.
                        if self.elements.contains_key(&path) {
                            events += 1;
                            changed.insert(path);
                        }
                    }
                    Err(rustix::io::Errno::WOULDBLOCK | rustix::io::Errno::INTR) => break,
                    Err(e) => {
                        tracing::warn!("component watcher stopped: {e}");
                        return;
                    }
                }
            }
            // Wait for a round without news of a watched file: it may still be written.
            if events > 0 {
                continue;
            }
            for path in std::mem::take(&mut changed) {
                for element in self.elements.get(&path).into_iter().flatten() {
                    // Refusals are posted on the bus as warnings by `reload`.
                    let _ = self.shared.reload(element, &path);
                }
            }
        }
    }
}
