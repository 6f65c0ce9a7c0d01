//! Helper threads that encode stripes of a frame beside the element's own thread.
//!
//! A key design decision: the stripes of a frame are claimed one at a time from a
//! shared counter, by the element's thread and the helpers alike, and the element's
//! thread waits only for stripes a helper has actually claimed. On a busy machine a
//! helper that is not scheduled in time claims nothing and the element's thread encodes
//! the whole frame itself, with no fork-join stall; on an idle one the stripes spread
//! over all cores. The helpers live as long as the element (threads spawned per frame
//! cost more than the stripe work saved, and a new thread waits longest for a core),
//! and own what they use: the frame's buffer and the settings are shared, not borrowed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use parallax_core::Buffer;

use super::encoder::{self, Frame, Part, Settings};
use crate::util::video_format::FrameLayout;

/// One frame's stripes, shared by the threads that encode them.
pub(super) struct Job {
    settings: Arc<Settings>,
    layout: FrameLayout,
    frame: Buffer,
    /// MCU rows per stripe, and in the frame.
    stripe_rows: usize,
    mcu_rows: usize,
    next: AtomicUsize,
    parts: Vec<Mutex<Part>>,
    progress: Mutex<Progress>,
    finished: Condvar,
}

#[derive(Default)]
struct Progress {
    done: usize,
    failed: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while a stripe was held is reported through `Progress::failed`.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Marks a claimed stripe done when dropped, also when its encoding panicked.
struct Claim<'a>(&'a Job);

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let mut p = lock(&self.0.progress);
        p.done += 1;
        p.failed |= std::thread::panicking();
        self.0.finished.notify_all();
    }
}

impl Job {
    /// The stripes of `frame`, `stripe_rows` MCU rows each, into `parts` (taken, and
    /// given back by [`Job::finish`]).
    pub(super) fn new(
        settings: Arc<Settings>,
        layout: FrameLayout,
        frame: Buffer,
        stripe_rows: usize,
        mcu_rows: usize,
        parts: &mut [Part],
    ) -> Self {
        Job {
            settings,
            layout,
            frame,
            stripe_rows,
            mcu_rows,
            next: AtomicUsize::new(0),
            parts: parts
                .iter_mut()
                .map(|p| Mutex::new(std::mem::take(p)))
                .collect(),
            progress: Mutex::new(Progress::default()),
            finished: Condvar::new(),
        }
    }

    /// Encodes stripes until none is left to claim.
    fn work(&self) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(part) = self.parts.get(i) else {
                return;
            };
            let _claim = Claim(self);
            let start = i * self.stripe_rows;
            let range = start..(start + self.stripe_rows).min(self.mcu_rows);
            let frame = Frame {
                layout: &self.layout,
                data: self.frame.data(),
            };
            encoder::encode_rows(&self.settings, frame, range, &mut lock(part));
        }
    }

    /// Works on the stripes on this thread too, waits for those the helpers took, and
    /// gives the parts back; `false` when a stripe's encoding panicked.
    pub(super) fn finish(&self, parts: &mut [Part]) -> bool {
        self.work();
        let mut p = lock(&self.progress);
        while p.done < self.parts.len() {
            p = self
                .finished
                .wait(p)
                .unwrap_or_else(PoisonError::into_inner);
        }
        for (slot, part) in parts.iter_mut().zip(&self.parts) {
            *slot = std::mem::take(&mut *lock(part));
        }
        !p.failed
    }
}

/// The helper threads of one element.
#[derive(Default)]
pub(super) struct Pool {
    helpers: Vec<Sender<Arc<Job>>>,
}

impl Pool {
    /// Offers `job` to `count` helpers (started on first use).
    pub(super) fn offer(&mut self, job: &Arc<Job>, count: usize) {
        while self.helpers.len() < count {
            let (tx, rx) = mpsc::channel::<Arc<Job>>();
            let name = format!("px-jpegenc-{}", self.helpers.len() + 1);
            // A helper that cannot start leaves its stripes to the element's thread.
            let started = std::thread::Builder::new().name(name).spawn(move || {
                // Ends when the element, and so the sender, is dropped.
                while let Ok(job) = rx.recv() {
                    job.work();
                }
            });
            if started.is_err() {
                return;
            }
            self.helpers.push(tx);
        }
        for helper in &self.helpers[..count] {
            // A helper that died (it never does: a panic is caught by its claim and
            // reported) only leaves more stripes to this thread.
            let _ = helper.send(Arc::clone(job));
        }
    }
}
