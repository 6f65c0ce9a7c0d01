//! The application's side of `appsink`: a queue of buffers to pull.
//!
//! Threading: the one streaming thread pushes, any number of application threads pull.
//! All state sits behind one mutex. Two condition variables: `data` wakes pullers (a
//! buffer, end of stream or a stop arrived), `space` wakes the streaming thread waiting
//! for room when the queue is full and `drop` is false.
//!
//! Lifecycle: `start` empties the queue and forgets end of stream; `stop` keeps queued
//! buffers (so they can be pulled after `run()` returns) but marks the queue stopped, so
//! that a pull on an empty queue returns at once instead of waiting for data that will
//! never come.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use parallax_core::{Buffer, Caps, FlowError};

/// How long the streaming thread waits for room between checks for a stop.
const FULL_WAIT_SLICE: Duration = Duration::from_millis(20);

#[derive(Debug)]
struct Queue {
    buffers: VecDeque<Buffer>,
    eos: bool,
    stopped: bool,
    /// 0 = unlimited.
    max_buffers: usize,
    drop: bool,
    caps: Option<Caps>,
}

impl Queue {
    fn is_full(&self) -> bool {
        self.max_buffers != 0 && self.buffers.len() >= self.max_buffers
    }

    /// Whether a pull on an empty queue should give up at once.
    fn finished(&self) -> bool {
        self.eos || self.stopped
    }
}

/// The application's handle to an `appsink`: pull the buffers that reached it.
///
/// Get it with `pipeline.handle::<AppSinkHandle>("<element name>")`. It is `Send + Sync`
/// and may be used from any thread (a `std::thread`, or tokio's `spawn_blocking`, since a
/// pull may block) while the pipeline runs, and after it finished.
#[derive(Debug)]
pub struct AppSinkHandle {
    queue: Mutex<Queue>,
    data: Condvar,
    space: Condvar,
}

impl AppSinkHandle {
    pub(super) fn new(max_buffers: usize, drop: bool) -> Self {
        AppSinkHandle {
            queue: Mutex::new(Queue {
                buffers: VecDeque::new(),
                eos: false,
                stopped: false,
                max_buffers,
                drop,
                caps: None,
            }),
            data: Condvar::new(),
            space: Condvar::new(),
        }
    }

    /// The next buffer, waiting up to `timeout` for one. `None` when the timeout passes,
    /// or at once when the queue is empty and the stream has ended (see
    /// [`AppSinkHandle::is_eos`]) or the pipeline has stopped.
    pub fn pull_sample(&self, timeout: Duration) -> Option<Buffer> {
        let mut q = self.lock();
        // A timeout too large for the clock means "wait until something happens".
        let deadline = Instant::now().checked_add(timeout);
        loop {
            if let Some(buffer) = q.buffers.pop_front() {
                drop(q);
                self.space.notify_one();
                return Some(buffer);
            }
            if q.finished() {
                return None;
            }
            q = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return None;
                    }
                    self.data
                        .wait_timeout(q, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                None => self.data.wait(q).unwrap_or_else(PoisonError::into_inner),
            };
        }
    }

    /// The next buffer if one is queued, without waiting.
    pub fn try_pull(&self) -> Option<Buffer> {
        let buffer = self.lock().buffers.pop_front();
        if buffer.is_some() {
            self.space.notify_one();
        }
        buffer
    }

    /// Whether no more buffers can be pulled: end of stream reached the sink and every
    /// queued buffer was pulled (as GStreamer's `gst_app_sink_is_eos`).
    pub fn is_eos(&self) -> bool {
        let q = self.lock();
        q.eos && q.buffers.is_empty()
    }

    /// Buffers waiting to be pulled.
    pub fn queued(&self) -> usize {
        self.lock().buffers.len()
    }

    /// The caps negotiated on the sink pad, once the pipeline is prepared.
    pub fn caps(&self) -> Option<Caps> {
        self.lock().caps.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Every update is one VecDeque call or a field store, so a lock poisoned by a
        // panic elsewhere still guards a consistent queue.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `buffer` from the streaming thread. When the queue is full it drops the
    /// oldest buffer (`drop`) or waits for room, checking `cancelled` between slices.
    ///
    /// # Errors
    ///
    /// [`FlowError::Flushing`] when `cancelled` turns true while waiting.
    pub(super) fn push(
        &self,
        buffer: Buffer,
        cancelled: impl Fn() -> bool,
    ) -> Result<(), FlowError> {
        let mut q = self.lock();
        while q.is_full() {
            if q.drop {
                q.buffers.pop_front();
                continue;
            }
            if cancelled() {
                return Err(FlowError::Flushing);
            }
            q = self
                .space
                .wait_timeout(q, FULL_WAIT_SLICE)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        q.buffers.push_back(buffer);
        drop(q);
        self.data.notify_one();
        Ok(())
    }

    /// End of stream reached the sink.
    pub(super) fn set_eos(&self) {
        self.lock().eos = true;
        self.data.notify_all();
    }

    pub(super) fn set_caps(&self, caps: Caps) {
        self.lock().caps = Some(caps);
    }

    /// A new run: forget the previous one.
    pub(super) fn start(&self) {
        let mut q = self.lock();
        q.buffers.clear();
        q.eos = false;
        q.stopped = false;
    }

    /// The run ended (see the module docs); wakes pullers waiting on an empty queue.
    pub(super) fn stop(&self) {
        self.lock().stopped = true;
        self.data.notify_all();
        self.space.notify_all();
    }

    /// A flush (seek): queued buffers and end of stream belong to the old position.
    pub(super) fn flush(&self) {
        let mut q = self.lock();
        q.buffers.clear();
        q.eos = false;
        drop(q);
        self.space.notify_all();
    }

    pub(super) fn max_buffers(&self) -> usize {
        self.lock().max_buffers
    }

    pub(super) fn set_max_buffers(&self, max_buffers: usize) {
        self.lock().max_buffers = max_buffers;
        // A larger limit lets a waiting streaming thread go on.
        self.space.notify_all();
    }

    pub(super) fn drop_oldest(&self) -> bool {
        self.lock().drop
    }

    pub(super) fn set_drop(&self, drop: bool) {
        self.lock().drop = drop;
        self.space.notify_all();
    }
}
